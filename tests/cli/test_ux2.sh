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

finish
