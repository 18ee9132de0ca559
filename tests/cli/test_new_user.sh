#!/usr/bin/env bash
# What a new user met following the README, the tutorial and examples/
# (bench/read/newuser_*.tsv): a dry run's estimate that listed output files
# and written originals, validate's missing input without the directory it
# was relative to, merge replacing another pipeline's output silently, an
# NLI example whose sample data had one label, an example header without
# its command; session 4: the README's eval judge.yaml that judged no pair
# (CAD's Negative against cfaug's negative) with exit 0 and 20 identical
# lines, a stale file name in the README, summary words the tutorial did
# not explain, an example's expected warning.  Run from the project root.
set -u
. "$(dirname "$0")/../lib.sh"

# --- a dry run writes nothing, and its estimate says so --------------------
expect 0 "dry run with an estimate file" -- run examples/quickstart.yaml -q \
  -o "$T/dry" --dry-run="$T/est.json"
python3 - "$T/est.json" >"$T/check" 2>&1 <<'PY' \
  && ok "estimate: no files, no originals written" || bad "estimate" "$(cat "$T/check")"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["dry_run"] is True, r.get("dry_run")
assert r["files"] == [], r["files"]
assert r["totals"]["originals_written"] == 0, r["totals"]
assert r["totals"]["records_read"] == 240, r["totals"]
PY
[ -e "$T/dry" ] && bad "dry run created its output directory" || ok "dry run: no directory"

# --- validate: a missing input says relative to what, and the fix ----------
mkdir -p "$T/w"
(cd "$T/w" && "$CFAUG" init gender-cda -o p.yaml >/dev/null)
(cd "$T/w" && "$CFAUG" validate p.yaml) >"$T/out" 2>"$T/err"; RC=$?
[ "$RC" -eq 3 ] && ok "validate: missing input is exit 3" || bad "validate exit $RC"
contains "$T/err" "p.yaml:9:9: input file 'data.jsonl' (relative to $T/w)" "validate names file:line:col and the directory"
contains "$T/err" "--set input.path=FILE" "validate says what to do"
cp examples/data/reviews.jsonl "$T/w/data.jsonl"
(cd "$T/w" && "$CFAUG" validate p.yaml) >"$T/out" 2>"$T/err" \
  && ok "the starter validates once its input exists" || bad "starter" "$(cat "$T/err")"
expect 0 "help init" -- help init
contains "$T/out" "--set input.path=FILE" "help init: says the starter needs its input"

# --- merge: never replaces another pipeline's output without --overwrite ---
for k in 1 2; do
  expect 0 "shard $k/2" -- run examples/quickstart.yaml -q --shard $k/2 -o "$T/s$k"
done
expect 0 "another pipeline's run" -- run examples/sentiment-flip.yaml -q -o "$T/other"
cp "$T/other/report.json" "$T/other.report"
expect 1 "merge into another pipeline's output is refused" -- merge -o "$T/other" "$T/s1" "$T/s2"
contains "$T/err" "holds the completed output of another pipeline (examples/sentiment-flip.yaml" "merge says whose output it is"
contains "$T/err" "--overwrite" "merge says how to replace it"
cmp -s "$T/other/report.json" "$T/other.report" && ok "the other run is untouched" || bad "other run's report changed"
expect 0 "merge --overwrite replaces it" -- merge -o "$T/other" --overwrite "$T/s1" "$T/s2"
contains "$T/other/report.json" '"path": "examples/quickstart.yaml"' "merged report replaced the other"
expect 0 "merge into its own earlier merge" -- merge -o "$T/other" "$T/s1" "$T/s2"
expect 0 "merge of one directory" -- merge -o "$T/one" "$T/s1"
contains "$T/out" "merged 1 directory into" "one directory, not '1 directories'"
contains "$T/err" "shard 2/2 is not among the directories" "a missing shard is warned about"

# --- the NLI example: entailment -> contradiction, neutral stays, on real --
# --- labels; a negated contradiction is not an entailment: left out ---------
expect 0 "nli-negation example" -- run examples/nli-negation.yaml -q -o "$T/nli"
python3 - "$T/nli" >"$T/check" 2>&1 <<'PY' \
  && ok "nli-negation: entailment -> contradiction, neutral stays, contradictions rejected as label_unmapped" || bad "nli labels" "$(cat "$T/check")"
import collections, json, sys
d = sys.argv[1]
m = collections.Counter()
for l in open(d + "/pairs.jsonl"):
    p = json.loads(l)
    m[(p["original"]["label"], p["counterfactual"]["label"])] += 1
assert set(m) == {("entailment", "contradiction"), ("neutral", "neutral")}, m
assert min(m.values()) >= 15, m
r = json.load(open(d + "/report.json"))
assert r["rejected_by_reason"] == {"label_unmapped": 20}, r["rejected_by_reason"]
rej = [json.loads(l) for l in open(d + "/rejected.jsonl")]
assert {x["original"]["label"] for x in rej} == {"contradiction"}, rej[:1]
PY
(cd "$T" && "$CFAUG" init nli -o nli.yaml >/dev/null) && grep -q "label: {entailment: contradiction, neutral: neutral}" "$T/nli.yaml" \
  && ok "init nli: no contradiction -> entailment" || bad "init nli label map" "$(grep label: "$T/nli.yaml")"

# --- every example pipeline's header says how to run it --------------------
for y in examples/*.yaml; do
  grep -qE "^#   \./build/cfaug run $y" "$y" && ok "$y: header has its command" \
    || bad "$y: no './build/cfaug run $y' line in its header"
done

# --- a run that made no training data says so ------------------------------
: >"$T/empty.jsonl"
expect 0 "empty input" -- run examples/quickstart.yaml -i "$T/empty.jsonl" -o "$T/em"
contains "$T/err" "warning: the input held no records" "empty input is warned about"
expect 0 "every candidate rejected" -- run examples/quickstart.yaml -o "$T/rej" \
  --set stages.1.max_ratio=0.0001 --set stages.1.ratio_min_tokens=0
contains "$T/err" "warning: every one of the 196 candidates was rejected" "all rejected is warned about"
expect 0 "a normal run" -- run examples/quickstart.yaml -o "$T/norm"
grep -q warning "$T/err" && bad "a normal run warns" "$(cat "$T/err")" || ok "a normal run has no warning"

# --- --limit: the summary says the input was cut ----------------------------
expect 0 "--limit 20" -- run examples/quickstart.yaml --limit 20 -o "$T/lim"
contains "$T/out" "cfaug: input cut by --limit 20" "the summary says the input was cut"
expect 0 "--limit above the input" -- run examples/quickstart.yaml --limit 1000 -o "$T/lim2"
grep -q "input cut" "$T/out" && bad "an input read whole is called cut" || ok "a whole input is not called cut"

# --- -i with a name of another format than the pipeline's input.format ------
cp examples/data/nli.tsv "$T/data.tsv"
expect 3 "-i x.tsv on a format: jsonl pipeline" -- run examples/quickstart.yaml -i "$T/data.tsv" -o "$T/fmt"
contains "$T/err" "examples/quickstart.yaml:14:11: -i $T/data.tsv: its name says tsv, but input.format here is jsonl: add --set input.format=tsv" "says where and what to do"
expect 0 "-i x.jsonl on a format: jsonl pipeline" -- run examples/quickstart.yaml -i examples/data/reviews.jsonl -o "$T/fmt2" -q
cp examples/data/nli.tsv "$T/nli.jsonl"
expect 0 "--set input.format decides" -- run examples/nli-negation.yaml -i "$T/nli.jsonl" --set input.format=tsv -o "$T/fmt4" -q
expect 0 "-i - keeps working" -- run examples/quickstart.yaml -i - -o "$T/fmt3" -q

# --- help's exit codes say what a run of only bad records gives -------------
printf 'not json\n' >"$T/bad.jsonl"
expect 4 "every record failed under on_error: skip" -- run examples/quickstart.yaml -i "$T/bad.jsonl" -o "$T/allbad"
expect 0 "help" -- help
contains "$T/out" "(on_error: fail, or every record failed)" "help: exit 4 also when every record failed"

# --- cfaug eval as the README shows it, with a model named as CAD names ----
# --- things (Text, Sentiment, Negative/Positive) on cfaug's own pairs -------
mkdir -p "$T/ev"
python3 - examples/data/reviews.jsonl "$T/ev/train.tsv" <<'PY'
import csv, json, sys
with open(sys.argv[2], 'w', newline='') as f:
    w = csv.writer(f, delimiter='\t', lineterminator='\n')
    w.writerow(['Text', 'Sentiment'])
    for l in open(sys.argv[1]):
        r = json.loads(l)
        w.writerow([r['text'], r['label'].capitalize()])
PY
expect 0 "a CAD-style teacher" -- teacher train -i "$T/ev/train.tsv" --text-field Text \
  --label-field Sentiment -o "$T/ev/sentiment.cft"
expect 0 "sentiment-flip pairs" -- run examples/sentiment-flip.yaml -q -o "$T/ev/out/sentiment-flip"
line=$(grep -m1 "> judge.yaml" README.md)
(cd "$T/ev" && bash -c "$line") && [ -s "$T/ev/judge.yaml" ] && ok "the README's judge.yaml line runs" \
  || bad "the README's judge.yaml line" "$line"
(cd "$T/ev" && "$CFAUG" eval -i out/sentiment-flip/pairs.jsonl --judge judge.yaml -o out/eval) \
  >"$T/out" 2>"$T/err"; RC=$?
[ "$RC" -eq 0 ] && ok "README eval: exit 0" || bad "README eval: exit $RC" "$(head -3 "$T/err")"
python3 - "$T/ev/out/eval/report.json" >"$T/check" 2>&1 <<'PY' \
  && ok "README eval: every pair judged" || bad "README eval judges its pairs" "$(cat "$T/check")"
import json, sys
c = json.load(open(sys.argv[1]))['counts']
assert c['pairs'] > 100 and c['unknown_label_pairs'] == 0, c
PY
# the same judge without its labels map: nothing can be judged, and it says
# why once per label, with the map that fixes it
grep -v '^labels:' "$T/ev/judge.yaml" >"$T/ev/nomap.yaml"
(cd "$T/ev" && "$CFAUG" eval -i out/sentiment-flip/pairs.jsonl --judge nomap.yaml -o out/eval2) \
  >"$T/out" 2>"$T/err"; RC=$?
[ "$RC" -eq 4 ] && ok "no pair judged: exit 4" || bad "no pair judged: exit $RC, wanted 4"
contains "$T/err" "label 'negative' is not one of the judges' labels (Negative, Positive); 'Negative' differs only in case; map them in nomap.yaml with labels: {Negative: negative, ...}" \
  "the unknown label is named with its case twin and the fix"
grep -qE "no pair could be judged: of ([0-9]+) pairs, \1 have a label the judges do not know" "$T/err" \
  && ok "the run says no pair was judged" || bad "the run says no pair was judged" "$(tail -1 "$T/err")"
n=$(grep -c "pairs skipped" "$T/err")
[ "$n" -eq 2 ] && ok "each unknown label told once" || bad "each unknown label told once" "$n lines"
# the model file alone reads CAD's Text: the message gives the judge YAML
(cd "$T/ev" && "$CFAUG" eval -i out/sentiment-flip/pairs.jsonl --judge sentiment.cft \
  --text-field text -o out/eval4) >"$T/out" 2>"$T/err"; RC=$?
[ "$RC" -eq 2 ] && ok "a model file that reads Text on text data: exit 2" || bad "model file on text data: exit $RC"
contains "$T/err" "'text' there differs only in case (feed it that field with a judge YAML: {kind: builtin, model: sentiment.cft, fields: [text]})" \
  "the message gives the judge YAML that feeds the field"
# a few pairs of an unknown label: judged pairs go on, the summary counts the rest
python3 - "$T/ev/out/sentiment-flip/pairs.jsonl" "$T/ev/mixed.jsonl" <<'PY'
import json, sys
with open(sys.argv[2], 'w') as o:
    for i, l in enumerate(open(sys.argv[1])):
        p = json.loads(l)
        if i < 3:
            p['original']['label'] = 'mixed'
        o.write(json.dumps(p) + '\n')
PY
(cd "$T/ev" && "$CFAUG" eval -i mixed.jsonl --judge judge.yaml -o out/eval3) >"$T/out" 2>"$T/err"; RC=$?
[ "$RC" -eq 0 ] && ok "some pairs unknown: exit 0" || bad "some pairs unknown: exit $RC"
contains "$T/err" "0 bad records, 3 pairs with labels the judges do not know" "the summary counts the pairs left out"

# --- the docs name files that exist ------------------------------------------
for doc in README.md docs/TUTORIAL.md; do
  missing=$(grep -oE '`(pipeline|stages|include|cli|tests|bench|docs|lexicons|prompts|examples|scripts)/[A-Za-z0-9_./-]+`' "$doc" \
    | tr -d '`' | sort -u | while read -r f; do [ -e "$f" ] || echo "$f"; done)
  [ -z "$missing" ] && ok "$doc: every path it names exists" || bad "$doc names missing files" "$missing"
done

# --- the tutorial explains the words the summaries print ---------------------
expect 0 "the quickstart" -- run examples/quickstart.yaml -o "$T/qs"
stages=$(grep "; stages " "$T/out")
[ -n "$stages" ] && ok "the summary has its per-stage counts" || bad "no per-stage counts" "$(cat "$T/out")"
for w in in made passed rejected; do
  grep -qE "[0-9]+ $w" <<<"$stages" || { bad "the stage counts have no '$w'" "$stages"; continue; }
  grep -q "\`$w\`" docs/TUTORIAL.md && ok "tutorial explains the stage count '$w'" \
    || bad "tutorial does not explain the stage count '$w'"
done
grep -q "label kept" docs/TUTORIAL.md && ok "tutorial names the CDA summary's 'label kept'" \
  || bad "tutorial does not name 'label kept' (what eval prints for CDA pairs)"

# --- an example whose run warns says so in its header ------------------------
for y in examples/nli-passthrough.yaml; do
  expect 0 "$y" -- run "$y" -o "$T/pt"
  if grep -q "warning: no stage made a counterfactual" "$T/err"; then
    grep -q "^#.*warning" "$y" && ok "$y: its header expects the warning" \
      || bad "$y warns, and its header does not say it will"
  fi
done

finish
