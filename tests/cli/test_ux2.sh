#!/usr/bin/env bash
# New-user items of session 4 (ux2): the commands a starter's header gives
# run as written; the "no counterfactual" warning only where one was meant;
# teacher eval tells an over-fitted model; the CAD example says where its
# data comes from.
set -u
. "$(dirname "$0")/../lib.sh"
ROOT=$PWD

# --- 1. cfaug init -o NAME: the header's commands name NAME --------------
mkdir -p "$T/w"
cp examples/data/reviews.jsonl "$T/w/data.jsonl"
(cd "$T/w" && "$CFAUG" init gender-cda -o my.yaml >/dev/null)
cmd=$(sed -n 's/^#   \(cfaug validate .*\)$/\1/p' "$T/w/my.yaml")
case $cmd in
  "cfaug validate my.yaml && cfaug run my.yaml") ok "init -o my.yaml: the header names my.yaml";;
  *) bad "init -o my.yaml: header command" "$cmd";;
esac
(cd "$T/w" && eval "${cmd//cfaug /\"\$CFAUG\" }") >"$T/out" 2>"$T/err" \
  && [ -s "$T/w/out/gender-cda/augmented.jsonl" ] \
  && ok "the header's commands, run as written, validate and run" \
  || bad "the header's commands failed" "$(tail -3 "$T/err")"
(cd "$T/w" && "$CFAUG" init llm -o "my llm.yaml" >/dev/null)
grep -qF "cfaug run 'my llm.yaml' --dry-run" "$T/w/my llm.yaml" \
  && ok "init llm: a name with a space is quoted in the dry-run command" \
  || bad "init llm header" "$(grep dry-run "$T/w/my llm.yaml")"
(cd "$T/w" && "$CFAUG" init llm -o - | grep -q "cfaug run pipeline.yaml --dry-run") \
  && ok "init -o -: the header keeps the default name" || bad "init -o - header"

# --- 2. "no stage made a counterfactual": only where a generator was ----
expect 0 "nli-passthrough example" -- run examples/nli-passthrough.yaml -o "$T/np"
if grep -q "no stage made a counterfactual" "$T/err"; then
  bad "no warning on a pipeline with no generator stage" "$(grep warning "$T/err")"
else ok "no warning on a pipeline with no generator stage"; fi
grep -q "counterfactual" examples/nli-passthrough.yaml \
  && ! grep -q "ends with the warning" examples/nli-passthrough.yaml \
  && ok "the example's header no longer promises the warning" \
  || bad "nli-passthrough header"
cat >"$T/gen.yaml" <<Y
input: {path: $ROOT/examples/data/nli.tsv, text_fields: [premise, hypothesis], label_field: label}
stages:
  - type: passthrough
  - type: rules
    patterns: [{match: 'zzqxj', replace: 'x', name: never}]
output: {dir: $T/gen}
Y
expect 0 "a rules stage that matches nothing" -- run "$T/gen.yaml"
contains "$T/err" "no stage made a counterfactual from the 60 records" \
  "a generator that made nothing is still warned"

# --- 3. teacher eval on the training data: the stage's over-fit warning --
D=tests/data/teacher
expect 0 "teacher train on the 200 CAD sample reviews" -- teacher train -i $D/train.jsonl \
  --text-field text --label-field label -o "$T/t.cft"
expect 0 "teacher eval on its own training file" -- teacher eval -m "$T/t.cft" -i $D/train.jsonl
contains "$T/err" "warning: the model is right on 100.0% of the 200 records of $D/train.jsonl: the model has likely seen these records" \
  "teacher eval warns of a model right on all of its training data"
expect 0 "teacher eval on held-out reviews" -- teacher eval -m "$T/t.cft" -i $D/heldout.jsonl
if grep -q "likely seen" "$T/err"; then bad "no over-fit warning on held-out data" "$(cat "$T/err")"
else ok "no over-fit warning on held-out data (accuracy well under 1)"; fi
# the teacher stage says it with the same words (one function)
expect 0 "teacher train on the bundled reviews" -- teacher train -i examples/data/reviews.jsonl \
  --text-field text --label-field label -o "$T/r.cft"
sed "s|models/sentiment.cft|$T/r.cft|; s|path: examples/|path: $ROOT/examples/|" \
  examples/sentiment-flip-teacher.yaml >"$T/sft.yaml"
expect 0 "the teacher stage judging its own training reviews" -- run "$T/sft.yaml" -o "$T/sft"
grep -qE "is right on 100\.0% of the [0-9]+ originals it judged: the model has likely seen these records" "$T/err" \
  && ok "the teacher stage's warning has the same words" \
  || bad "the teacher stage's over-fit warning" "$(grep warning "$T/err")"

# --- 4. the CAD examples say where CAD comes from; the folder is CFAUG_CAD -
for f in examples/sentiment-flip-teacher.yaml examples/eval-cad-sentiment.sh; do
  grep -q "^#.*github.com/acmi-lab/counterfactually-augmented-data" "$f" \
    && grep -q "^#.*Learning the Difference that Makes a Difference" "$f" \
    && ok "$f: its header says where CAD comes from" || bad "$f: no source of CAD in the header"
done
grep -q '^#.*teacher train -i "$CFAUG_CAD/sentiment/orig/train.tsv"' examples/sentiment-flip-teacher.yaml \
  && ok "sentiment-flip-teacher: the train command reads CFAUG_CAD" || bad "sentiment-flip-teacher train command"
CFAUG="$CFAUG" CFAUG_CAD="$T/no-cad" examples/eval-cad-sentiment.sh "$T/e0" >"$T/out" 2>"$T/err"; RC=$?
[ "$RC" -eq 2 ] && ok "eval-cad-sentiment.sh without the data: exit 2" || bad "eval-cad-sentiment.sh without the data: exit $RC"
contains "$T/err" "$T/no-cad/orig_train.tsv not found" "the missing file is named"
contains "$T/err" "git clone https://github.com/acmi-lab/counterfactually-augmented-data" "and where to get it"
[ -e "$T/e0" ] && bad "no output folder when the data is missing" || ok "no output folder when the data is missing"
# a clone's layout, made from the committed CAD samples (tests/data/teacher)
python3 - "$T/clone/sentiment" <<'PY'
import csv, json, os, sys
root = sys.argv[1]
def put(path, rows, cols):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', newline='') as f:
        w = csv.writer(f, delimiter='\t', lineterminator='\n')
        w.writerow(cols); w.writerows(rows)
load = lambda p: [json.loads(l) for l in open('tests/data/teacher/' + p)]
put(root + '/orig/train.tsv', [(r['label'], r['text']) for r in load('train.jsonl')], ['Sentiment', 'Text'])
put(root + '/orig/dev.tsv', [(r['label'], r['text']) for r in load('heldout.jsonl')], ['Sentiment', 'Text'])
put(root + '/combined/paired/dev_paired.tsv',
    [(r['label'], r['text'], r['orig_id']) for r in load('paired.jsonl')], ['Sentiment', 'Text', 'batch_id'])
PY
(cd "$T" && CFAUG="$CFAUG" CFAUG_CAD=clone "$ROOT/examples/eval-cad-sentiment.sh" "$T/e1") >"$T/log" 2>&1 \
  && ok "eval-cad-sentiment.sh on a clone's layout, CFAUG_CAD relative to the caller" \
  || bad "eval-cad-sentiment.sh on a clone's layout" "$(tail -3 "$T/log")"
python3 -c "
import json; r=json.load(open('$T/e1/report.json'))
assert r['counts']['pairs']==120, r['counts']; print('pairs ok')" >"$T/check" 2>&1
contains "$T/check" "pairs ok" "the clone's 120 sample pairs are evaluated"

finish
