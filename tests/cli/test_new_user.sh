#!/usr/bin/env bash
# What a new user met following the README, the tutorial and examples/
# (bench/read/newuser_*.tsv): a dry run's estimate that listed output files
# and written originals, validate's missing input without the directory it
# was relative to, merge replacing another pipeline's output silently, an
# NLI example whose sample data had one label, an example header without
# its command.  Run from the project root.
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

finish
