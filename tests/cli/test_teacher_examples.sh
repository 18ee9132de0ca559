#!/usr/bin/env bash
# The teacher examples, which test_examples.sh skips: sentiment-flip-teacher
# with a model trained here from the committed sample (tests/data/teacher,
# labels Negative/Positive as in CAD) runs offline end to end; llm-teacher
# runs against the loopback mock (generator and judge on one mock).
set -u
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../mock_lib.sh"

REC='
import json, os, sys
d = sys.argv[1]
r = json.load(open(os.path.join(d, "report.json")))
t = r["totals"]
n = sum(1 for _ in open("examples/data/reviews.jsonl"))
lines = lambda f: [json.loads(l) for l in open(os.path.join(d, f), encoding="utf-8")]
assert t["records_read"] == n == t["records_processed"], t
assert t["candidates"] == t["accepted"] + t["rejected"], t
assert len(lines("pairs.jsonl")) == t["accepted"] and len(lines("rejected.jsonl")) == t["rejected"]
te = [s for s in r["stages"] if s["type"] == "teacher"][0]
'

run_cf teacher train -i tests/data/teacher/train.jsonl --text-field text --label-field label \
  -o "$T/sentiment.cft" --dev-split 0
[ "$RC" -eq 0 ] && ok "train the example's model from the sample" || bad "train: exit $RC" "$(cat "$T/err")"
expect 0 "example sentiment-flip-teacher" -- run examples/sentiment-flip-teacher.yaml -q \
  -o "$T/sft" --set "stages.1.judges.0.model=$T/sentiment.cft"
python3 - "$T/sft" >"$T/check" 2>&1 <<PY && ok "sentiment-flip-teacher: reconciles, the teacher decides every candidate with the policy's reasons" || bad "sentiment-flip-teacher" "$(tail -c 600 "$T/check")"
$REC
assert t["candidates"] > 20 and 0 < t["accepted"] < t["candidates"], t
assert te["accepted"] == t["accepted"], te
assert set(k for k, v in te["rejected_by_reason"].items() if v) <= {"below_delta"}, te
for p in lines("pairs.jsonl"):
    tt = p["teacher"]; j = tt["judges"][0]
    assert j["name"] == "sentiment" and set(j["cf"]) == {"negative", "positive"}, j
    tgt = p["counterfactual"]["label"]
    assert j["cf"][tgt] - j["orig"][tgt] >= 0.25 and tt["accepted"] is True, tt
PY

start_mock --latency-ms 2
args=(run examples/llm-teacher.yaml -q -o "$T/lt"
      --set "stages.0.base_url=http://127.0.0.1:$MOCK_PORT/v1"
      --set "stages.0.cache=$T/cache"
      --set "stages.1.judges.0.base_url=http://127.0.0.1:$MOCK_PORT/judge/v1")
expect 0 "example llm-teacher --dry-run" -- "${args[@]}" --dry-run
[ "$(mock_requests)" = 0 ] && ok "its dry run sends nothing" || bad "dry run sent requests"
[ ! -e "$T/lt" ] && ok "its dry run writes no output" || bad "dry run wrote $T/lt"
cp "$T/err" "$T/dry.err"
expect 0 "example llm-teacher against the mock" -- "${args[@]}"
python3 - "$T/lt" >"$T/check" 2>&1 <<PY && ok "llm-teacher: reconciles, one judge request per original and per candidate" || bad "llm-teacher" "$(tail -c 600 "$T/check")"
$REC
assert t["candidates"] == n and t["accepted"] > 0 and t["rejected"] > 0, t
j = te["judges"][0]; assert j["requests"] == 2 * n and j["answers"]["logprobs"] == 2 * n, j
PY
# the dry run's judge estimate (llm candidates + their originals) is what was sent
est=$(sed -n 's/.*judge .*: 0 requests + up to \([0-9]*\) for the llm stage.*/\1/p' "$T/dry.err")
sent=$(python3 -c "import json; r = json.load(open('$T/lt/report.json')); print(r['stages'][1]['judges'][0]['requests'])")
[ -n "$est" ] && [ "$est" = "$sent" ] && ok "dry run estimated the judge's $sent requests" \
  || bad "dry run's judge estimate '$est', sent $sent" "$(cat "$T/dry.err")"
if grep -q "warning" "$T/err"; then bad "no independence warning for distinct models" "$(cat "$T/err")"
else ok "no independence warning for distinct models"; fi
finish
