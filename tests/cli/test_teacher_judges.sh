#!/usr/bin/env bash
# The teacher stage's remote judges against the loopback mock
# (tests/mock_openai.py): TEI /predict, vLLM /classify and an LLM judge
# (logprobs, and JSON answers when the server gives none), in a pipeline
# rules (antonym flip) -> teacher.  The mock scores p(positive) =
# sigmoid(bias + 2 * (#positive - #negative words)), so the expected
# decisions follow from the texts (worked out below); combine modes with
# judges that disagree (bias 4), label maps, failures, the independence
# warning, config errors, dry run, and the API key written nowhere.
set -u
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../mock_lib.sh"
KEY="sk-judge-NEVER-WRITE-ME-$$"

check() {
  local name=$1; shift
  if (cd "$T" && python3 -c "$1" >"$T/check.out" 2>&1); then ok "$name"
  else bad "$name" "$(tail -c 600 "$T/check.out")"; fi
}
PY_LIB='
import json, os
def lines(p): return [json.loads(l) for l in open(p, encoding="utf-8")]
def report(d="res"): return json.load(open(os.path.join(d, "report.json")))
def teacher(d="res"): return [s for s in report(d)["stages"] if s["type"] == "teacher"][0]
def accepted(d="res"): return sorted(p["orig_id"] for p in lines(d + "/pairs.jsonl"))
def rejected(d="res"): return {r["orig_id"]: r for r in lines(d + "/rejected.jsonl")}
def reconciles(d="res"):
    t = report(d)["totals"]
    assert t["records_read"] == t["records_processed"] + t["records_errors"], t
    assert t["candidates"] == t["accepted"] + t["rejected"], t
    assert len(lines(d + "/pairs.jsonl")) == t["accepted"]
    assert len(lines(d + "/rejected.jsonl")) == t["rejected"]
    return t
def mock(p): return [json.loads(l) for l in open(p)]
'

# Records (rules flips good<->bad, dull<->exciting, ... and the label).
# score s (bias 0) orig -> cf, delta of the target's probability:
#  r1 "a good film"            +2 -> -2 : 0.76  accepted
#  r2 good ... dull             0 ->  0 : 0     below_delta
#  r3 great ... great          +4 -> -4 : 0.96  accepted
#  r4 boring (negative)        -2 -> +2 : 0.76  accepted
#  r5 "a film"                 no edit, no candidate
#  r6 good, bad, dull          -2 -> +2 : -0.76 below_delta (target negative)
# With bias 4 (judge "b"): r1 +6 -> +2 : 0.12 rejected; r3 +8 -> 0 : 0.50
# accepted; r4 +2 -> +6 : 0.12 rejected; r2, r6 rejected.
python3 - "$T/in.jsonl" <<'PY'
import json, sys
recs = [("r1", "a good film", "positive"),
        ("r2", "a good film with a dull plot", "positive"),
        ("r3", "great acting and a great story", "positive"),
        ("r4", "the plot was boring", "negative"),
        ("r5", "a film", "negative"),
        ("r6", "good acting but a bad ending and a dull score", "positive")]
with open(sys.argv[1], "w") as f:
    for i, t, l in recs:
        f.write(json.dumps({"id": i, "text": t, "label": l}) + "\n")
PY

pipeline() {  # pipeline FILE INPUT "JUDGE LINES" [extra teacher lines...]
  local f=$1 in=$2 judges=$3; shift 3
  {
    echo "seed: 3"
    echo "input: {path: $in, text_fields: [text], label_field: label, id_field: id, labels: [negative, positive]}"
    echo "stages:"
    echo "  - type: rules"
    echo "    packs: [antonyms]"
    echo "    label: {positive: negative, negative: positive}"
    echo "  - type: teacher"
    echo "    judges:"
    printf '%s\n' "$judges"
    echo "    accept: {policy: delta, min_delta: 0.25}"
    for l in "$@"; do echo "    $l"; done
    echo "output: {dir: $T/res}"
  } >"$f"
}
U='http://127.0.0.1:${MOCK_PORT}'
TEI="      - {kind: tei, name: a, url: \"$U/predict\", labels: {LABEL_0: negative, LABEL_1: positive}, api_key_env: JUDGE_KEY}"
VLLM4="      - {kind: vllm, name: b, url: \"$U/classify?bias=4\", model: clf-1, labels: {0: negative, 1: positive}, api_key_env: JUDGE_KEY}"
VLLM="      - {kind: classify, name: v, url: \"$U/classify\", model: clf-1, labels: {LABEL_0: negative, LABEL_1: positive}, api_key_env: JUDGE_KEY}"
LLMJ="      - {kind: llm, name: c, base_url: \"$U/judge/v1\", model: judge-1, prompt: prompts/judge-sentiment.txt, api_key_env: JUDGE_KEY}"
export JUDGE_KEY="$KEY"

start_mock --key "$KEY"

# --- 1. each judge kind alone -----------------------------------------------
for j in TEI VLLM LLMJ; do
  pipeline "$T/p-$j.yaml" "$T/in.jsonl" "${!j}"
  expect 0 "judge $j alone" -- run "$T/p-$j.yaml" -q
  check "judge $j: r1, r3, r4 accepted; r2, r6 below_delta" "$PY_LIB
reconciles()
assert accepted() == ['r1', 'r3', 'r4'], accepted()
r = rejected(); assert sorted(r) == ['r2', 'r6'] and {x['reason'] for x in r.values()} == {'below_delta'}, r"
  cp -r "$T/res" "$T/res-$j"
done
check "tei: the pair records the judge's probabilities (r1 cf p(negative) = sigmoid(2))" "$PY_LIB
import math
p = [p for p in lines('res-TEI/pairs.jsonl') if p['orig_id'] == 'r1'][0]
j = p['teacher']['judges'][0]
assert j['name'] == 'a' and j['kind'] == 'tei' and j['url'].endswith('/predict'), j
assert abs(j['cf']['negative'] - 1 / (1 + math.exp(-2))) < 1e-6, j
assert abs(j['orig']['positive'] - 1 / (1 + math.exp(-2))) < 1e-6, j
assert p['teacher']['accepted'] is True and p['teacher']['policy'] == 'delta'"
check "llm judge: probabilities from top_logprobs, renormalised over the labels" "$PY_LIB
import math
p = [p for p in lines('res-LLMJ/pairs.jsonl') if p['orig_id'] == 'r3'][0]
j = p['teacher']['judges'][0]
assert j['kind'] == 'llm' and j['model'] == 'judge-1' and j['source'] == 'logprobs', j
assert abs(j['orig']['positive'] - 1 / (1 + math.exp(-4))) < 1e-6, j
assert abs(sum(j['cf'].values()) - 1) < 1e-9
t = teacher('res-LLMJ'); assert t['judges'][0]['answers'] == {'logprobs': 10, 'json': 0, 'answer': 0}, t"
check "the original is scored once per record: 5 originals + 5 candidates = 10 requests" "$PY_LIB
t = teacher('res-TEI'); assert t['judges'][0]['requests'] == 10, t"

# --- 2. combine: judges that disagree ---------------------------------------
pipeline "$T/c-all.yaml" "$T/in.jsonl" "$TEI
$VLLM4" "combine: all"
expect 0 "combine all" -- run "$T/c-all.yaml" -q
check "combine all (a, b with bias 4): only r3" "$PY_LIB
reconciles(); assert accepted() == ['r3'], accepted()
r = rejected()['r1']; assert r['reason'] == 'below_delta' and r['teacher']['combine'] == 'all', r"
pipeline "$T/c-mean.yaml" "$T/in.jsonl" "$TEI
$VLLM4" "combine: mean"
expect 0 "combine mean" -- run "$T/c-mean.yaml" -q
check "combine mean (a, b): r1, r3, r4; r1's score is the mean delta 0.439" "$PY_LIB
import math
sg = lambda x: 1 / (1 + math.exp(-x))
reconciles(); assert accepted() == ['r1', 'r3', 'r4'], accepted()
p = [p for p in lines('res/pairs.jsonl') if p['orig_id'] == 'r1'][0]
want = ((1 - sg(-2)) + (1 - sg(2))) / 2 - ((1 - sg(2)) + (1 - sg(6))) / 2
assert abs(p['teacher']['score'] - want) < 1e-6, (p['teacher']['score'], want)
assert [j['name'] for j in p['teacher']['judges']] == ['a', 'b']"
pipeline "$T/c-vote.yaml" "$T/in.jsonl" "$TEI
$VLLM4
$LLMJ" "combine: vote"
expect 0 "combine vote" -- run "$T/c-vote.yaml" -q
check "combine vote (a, c for; b against on r1, r4): r1, r3, r4" "$PY_LIB
reconciles(); assert accepted() == ['r1', 'r3', 'r4'], accepted()"
sed -i 's|/judge/v1|/judge/bias=4/v1|' "$T/c-vote.yaml"
expect 0 "combine vote, c with bias 4" -- run "$T/c-vote.yaml" -q
check "combine vote (b, c against on r1, r4): only r3" "$PY_LIB
reconciles(); assert accepted() == ['r3'], accepted()"

# --- 3. label maps ------------------------------------------------------------
pipeline "$T/l1.yaml" "$T/in.jsonl" "      - {kind: tei, url: \"$U/predict\", api_key_env: JUDGE_KEY}"
# every candidate failed for one systematic reason: written, but exit 1
expect 1 "tei without a labels map: every candidate failed" -- run "$T/l1.yaml" -q
contains "$T/err" "no candidate survived: all 5 were rejected as failures, most of them judge_failed (5)" \
  "the message names the dominant reason with its count"
check "an unmapped label fails the judge for each record, with the error" "$PY_LIB
reconciles(); assert accepted() == []
r = rejected(); assert len(r) == 5 and {x['reason'] for x in r.values()} == {'judge_failed'}, r
d = r['r1']['detail']; assert \"label 'LABEL_\" in d['error'] and d['text'] == 'original', d
assert teacher()['rejected_by_reason']['judge_failed'] == 5"
pipeline "$T/l2.yaml" "$T/in.jsonl" "      - {kind: tei, url: \"$U/predict?names=plain\", api_key_env: JUDGE_KEY}"
expect 0 "tei answering the stage's own label names" -- run "$T/l2.yaml" -q
check "labels the stage knows need no map" "$PY_LIB
reconciles(); assert accepted() == ['r1', 'r3', 'r4'], accepted()"

# --- 4. failures: errors, timeouts, bad labels --------------------------------
python3 - "$T/faults.jsonl" <<'PY'
import json, sys
recs = [("f1", "a good film", "positive"),
        ("f2", "a good film MOCK:500x99", "positive"),
        ("f3", "a great film MOCK:timeoutx1", "positive"),
        ("f4", "a good story MOCK:badlabelx9", "positive"),
        ("f5", "a good show MOCK:500x1", "positive")]
with open(sys.argv[1], "w") as f:
    for i, t, l in recs:
        f.write(json.dumps({"id": i, "text": t, "label": l}) + "\n")
PY
for j in TEI VLLM LLMJ; do
  start_mock --key "$KEY" --hang-s 3   # fresh fault counts
  pipeline "$T/f-$j.yaml" "$T/faults.jsonl" "${!j%\}}, max_retries: 2, timeout_s: 1}"
  expect 0 "judge $j: a faulty server does not stop the run" -- run "$T/f-$j.yaml" -q
  check "judge $j: 500s and bad labels rejected as judge_failed; timeout and one 500 retried" "$PY_LIB
reconciles(); assert accepted() == ['f1', 'f3', 'f5'], accepted()
r = rejected(); assert sorted(r) == ['f2', 'f4'] and {x['reason'] for x in r.values()} == {'judge_failed'}, r
assert 'HTTP 500' in r['f2']['detail']['error'] and '3 attempts' in r['f2']['detail']['error'], r['f2']
assert r['f2']['teacher']['accepted'] is False and r['f2']['teacher']['judges'][0]['orig'] is None
t = teacher()['judges'][0]; assert t['retries'] == 4 + 2 + 2 and t['failed'] == 4, t  # f2 2x2, f3 and f5 1x2; f2, f4 fail twice"
  stop_mock
done

# --- 5. an LLM server without logprobs: JSON answers --------------------------
start_mock --no-logprobs
pipeline "$T/n1.yaml" "$T/in.jsonl" "$LLMJ"
expect 0 "llm judge, server without logprobs" -- run "$T/n1.yaml" -q
check "no logprobs: falls back to JSON answers (one-hot), same decisions" "$PY_LIB
reconciles(); assert accepted() == ['r1', 'r3', 'r4'], accepted()
j = teacher()['judges'][0]; assert j['answers']['logprobs'] == 0 and j['answers']['json'] == 10, j
p = lines('res/pairs.jsonl')[0]['teacher']['judges'][0]
assert p['source'] == 'json' and sorted(p['cf'].values()) == [0, 1], p"
pipeline "$T/n2.yaml" "$T/in.jsonl" "${LLMJ%\}}, mode: json}"
expect 0 "llm judge, mode json" -- run "$T/n2.yaml" -q
check "mode json asks for JSON from the start: 10 requests" "$PY_LIB
reconciles(); assert accepted() == ['r1', 'r3', 'r4'], accepted()
assert teacher()['judges'][0]['requests'] == 10"
stop_mock

# --- 6. concurrency window and several candidates per record -----------------
start_mock --latency-ms 30
{
  echo "seed: 3"
  echo "input: {path: $(pwd)/examples/data/reviews.jsonl, text_fields: [text], label_field: label, id_field: id, labels: [negative, positive]}"
  echo "stages:"
  echo "  - {type: rules, packs: [antonyms], label: {positive: negative, negative: positive}}"
  echo "  - {type: case, to: upper}"
  echo "  - type: teacher"
  echo "    judges:"
  echo "${TEI%\}}, concurrency: 3}"
  echo "    accept: {policy: delta, min_delta: 0.25}"
  echo "output: {dir: $T/res}"
} >"$T/w.yaml"
expect 0 "two candidates per record, concurrency 3" -- run "$T/w.yaml" -q
check "one request per original and per candidate; in flight 1 < n <= 3" "$PY_LIB
t = reconciles(); n = t['records_read']
log = mock('$MOCK_LOG'); assert len(log) == n + t['candidates'], (len(log), n, t)
m = max(r['inflight'] for r in log); assert 1 < m <= 3, m
assert teacher()['judges'][0]['max_in_flight'] <= 3
assert teacher()['rejected_by_reason']['below_delta'] >= n - 10  # case copies do not move"
stop_mock

# --- 7. the independence warning ---------------------------------------------
start_mock
gen() {  # gen FILE JUDGE-MODEL
  cat >"$1" <<YAML
seed: 3
input: {path: $T/in.jsonl, text_fields: [text], label_field: label, id_field: id, labels: [negative, positive]}
stages:
  - type: llm
    name: writer
    base_url: http://127.0.0.1:\${MOCK_PORT}/v1
    model: gen-7b
    prompt: prompts/sentiment-flip.txt
    target: {positive: negative, negative: positive}
    parse: {mode: text, between: ["<new>", "</new>"]}
    cache: $T/cache
  - type: teacher
    judges:
      - {kind: llm, base_url: "http://127.0.0.1:\${MOCK_PORT}/judge/v1", model: $2, prompt: prompts/judge-sentiment.txt}
    accept: {policy: delta}
output: {dir: $T/res}
YAML
}
gen "$T/g1.yaml" gen-7b
expect 0 "llm -> teacher, judge = generator" -- run "$T/g1.yaml" -q
contains "$T/err" "g1.yaml:14:" "independence warning has a location"
contains "$T/err" "judge 'gen-7b' uses the model 'gen-7b', which also generates the candidates in stage 'writer'" "independence warning"
check "llm -> teacher: the mock's NOT-prefixed answers flip r1, r3, r4 (r2, r5 score 0; the judge reads r6 as negative)" "$PY_LIB
t = reconciles(); assert t['candidates'] == 6, t
assert accepted() == ['r1', 'r3', 'r4'], accepted()"
gen "$T/g2.yaml" judge-13b
expect 0 "llm -> teacher, independent judge" -- run "$T/g2.yaml" -q
if grep -q "warning" "$T/err"; then bad "no warning for an independent judge" "$(cat "$T/err")"; else ok "no warning for an independent judge"; fi
stop_mock

# --- 8. dry run -----------------------------------------------------------------
start_mock
pipeline "$T/d.yaml" "$T/in.jsonl" "$TEI"
rm -rf "$T/res"
expect 0 "dry run" -- run "$T/d.yaml" -q --dry-run="$T/dry.json"
[ "$(mock_requests)" = 0 ] && ok "dry run sends nothing" || bad "dry run sent requests"
[ ! -e "$T/res" ] && ok "dry run writes no output file" || bad "dry run wrote $(ls -A "$T/res")"
contains "$T/err" "dry run: stage teacher: judge a: 10 requests" "the estimate is on stderr"
check "dry run: candidates rejected as dry_run, requests counted" "$PY_LIB
r = json.load(open('$T/dry.json')); t = [s for s in r['stages'] if s['type'] == 'teacher'][0]
assert r['totals']['accepted'] == 0
assert t['rejected_by_reason']['dry_run'] == 5
assert t['judges'][0]['dry_run_requests'] == 10, t"
stop_mock

# --- 9. the key: refused without it, written nowhere ---------------------------
start_mock --key "the-right-key"
pipeline "$T/k.yaml" "$T/in.jsonl" "$TEI"
expect 1 "401 from a judge stops the run" -- run "$T/k.yaml" -q
contains "$T/err" "HTTP 401" "401 message names the status"
contains "$T/err" "JUDGE_KEY" "401 message names the key's variable"
if grep -rqF -- "$KEY" "$T"/res* "$T/err" "$T/out" 2>/dev/null; then
  bad "the judge API key appears in a file written or in stderr"
else ok "the judge API key appears in no output, report or message"; fi
stop_mock

# --- 10. config errors ------------------------------------------------------------
MOCK_PORT=1; export MOCK_PORT
pipeline "$T/e1.yaml" "$T/in.jsonl" "      - {kind: vllm, url: \"$U/classify\", model: m}"
expect 3 "vllm judge without labels" -- validate "$T/e1.yaml"
contains "$T/err" "e1.yaml:9:9: missing required key 'labels'" "vllm labels required, with location"
pipeline "$T/e2.yaml" "$T/in.jsonl" "      - {kind: tei, url: \"$U/predict\", labels: {LABEL_0: neutral}}"
expect 3 "labels map to an unknown label" -- validate "$T/e2.yaml"
contains "$T/err" "e2.yaml:9:75: labels maps 'LABEL_0' to 'neutral', which is not one of the stage's labels" "bad label map with location"
pipeline "$T/e3.yaml" "$T/in.jsonl" "      - {kind: tei, url: \"$U/predict\", fields: [premise]}"
expect 3 "unknown field" -- validate "$T/e3.yaml"
contains "$T/err" "e3.yaml:9:75: 'premise' is not in input.text_fields" "unknown field with location"
printf '### user\nText: {{text}} {{label}}\n' >"$T/bad-judge.txt"
pipeline "$T/e4.yaml" "$T/in.jsonl" "      - {kind: llm, base_url: \"$U/v1\", model: m, prompt: $T/bad-judge.txt}"
expect 3 "judge prompt naming the label" -- validate "$T/e4.yaml"
contains "$T/err" "bad-judge.txt:2:16: unknown variable 'label'" "judges do not see the label: template file:line:col"
pipeline "$T/e5.yaml" "$T/in.jsonl" "      - {kind: llm, base_url: \"$U/v1\", model: m, prompt: prompts/judge-sentiment.txt, mode: maybe}"
expect 3 "bad mode" -- validate "$T/e5.yaml"
contains "$T/err" "e5.yaml:9:120: 'mode' must be one of auto, logprobs, json" "bad mode has a location"
pipeline "$T/e6.yaml" "$T/in.jsonl" "$TEI
$TEI"
expect 3 "two judges with one name" -- validate "$T/e6.yaml"
contains "$T/err" "two judges are named 'a'" "duplicate judge names"
finish
