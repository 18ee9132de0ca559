#!/usr/bin/env bash
# cfaug eval with remote judges (the teacher stage's judge mappings, one per
# --judge YAML) against the loopback mock (tests/mock_openai.py): TEI
# /predict, vLLM /classify and an LLM judge with logprobs (and with JSON
# answers from a server without logprobs).  The mock scores
# p(positive) = sigmoid(bias + 2 * (#positive - #negative words)), so the
# figures follow from the texts (worked out below); also a judge that fails
# on one text (its pair left out and counted), a refused key (exit with the
# message, key written nowhere) and config errors with locations.
set -u
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../mock_lib.sh"
KEY="sk-eval-NEVER-WRITE-ME-$$"
PROMPT="$(pwd)/prompts/judge-sentiment.txt"

check() {
  local name=$1; shift
  if (cd "$T" && python3 -c "$1" >"$T/check.out" 2>&1); then ok "$name"
  else bad "$name" "$(tail -c 600 "$T/check.out")"; fi
}
PY='
import json, math
def rep(d): return json.load(open(d + "/report.json"))
def judge(d, name): return [j for j in rep(d)["judges"] if j["name"] == name][0]
def sg(x): return 1 / (1 + math.exp(-x))
def close(a, b): assert abs(a - b) < 1e-9, (a, b)
'

# Pairs (mock score s = 2 * (#pos - #neg) words; bias 0):
#  a  "good film" pos (+2)   -> "bad film" neg (-2)        hit
#  b  "great film" pos (+2)  -> "great film ok" neg (+2)   miss
#  c  "awful plot" neg (-2)  -> "great plot" pos (+2)      hit
#  d  "bad film" neg (-2)    -> "good film" pos (+2)       hit
#                            -> "great film" pos (+2)      hit
# targeted 4/5, consistency 4/5 (every original judged right).
# Change of p(target): a, c, d, d: sg(2) - sg(-2) = 0.76159; b: 0.
# With bias 4 (vllm "b4"): originals +6, +6, +2, +2 -> all judged pos;
# counterfactuals a +2 pos (miss), b +6 (miss), c +6 pos (hit), d +6, +6
# (hit, hit): targeted 3/5, consistency 0/5 (c and d's originals wrong).
python3 - "$T" <<'PYEOF'
import json, sys
d = sys.argv[1]
def pair(oid, n, o, ol, c, cl):
    return json.dumps({"pair_id": f"{oid}#0.{n}", "orig_id": oid,
                       "original": {"text": o, "label": ol},
                       "counterfactual": {"text": c, "label": cl},
                       "generator": {"stage": "antonyms", "kind": "rules"}})
rows = [("a", 0, "good film", "pos", "bad film", "neg"),
        ("b", 0, "great film", "pos", "great film ok", "neg"),
        ("c", 0, "awful plot", "neg", "great plot", "pos"),
        ("d", 0, "bad film", "neg", "good film", "pos"),
        ("d", 1, "bad film", "neg", "great film", "pos")]
with open(f"{d}/pairs.jsonl", "w") as w:
    for r in rows:
        w.write(pair(*r) + "\n")
with open(f"{d}/fail.jsonl", "w") as w:
    for r in rows:
        if r[0] == "b":
            r = ("b", 0, "great film", "pos", "great film MOCK:500x99", "neg")
        w.write(pair(*r) + "\n")
PYEOF

start_mock --key "$KEY"
U="http://127.0.0.1:$MOCK_PORT"
cat >"$T/tei.yaml" <<Y
kind: tei
name: tei
url: "$U/predict"
labels: {LABEL_0: neg, LABEL_1: pos}
api_key_env: JUDGE_KEY
max_retries: 0
Y
cat >"$T/vllm4.yaml" <<Y
kind: vllm
name: b4
url: "$U/classify?bias=4"
model: clf-1
labels: {0: neg, 1: pos}
api_key_env: JUDGE_KEY
Y
cat >"$T/llm.yaml" <<Y
kind: llm
name: chat
base_url: "$U/judge/v1"
model: judge-1
prompt: $PROMPT
labels: {negative: neg, positive: pos}
api_key_env: JUDGE_KEY
Y
export JUDGE_KEY="$KEY"

expect 0 "eval with tei, vllm and llm judges" -- eval -i "$T/pairs.jsonl" \
  --judge "$T/tei.yaml" --judge "$T/vllm4.yaml" --judge "$T/llm.yaml" -o "$T/r1"
check "figures of the three remote judges" "$PY
for n in ('tei', 'chat'):
    j = judge('r1', n)
    assert j['targeted_flip']['k'] == 4 and j['targeted_flip']['n'] == 5, j['targeted_flip']
    assert j['consistency']['k'] == 4, j['consistency']
    close(j['target_prob_change']['summary']['mean'], 4 * (sg(2) - sg(-2)) / 5)
    assert j['requests']['failed'] == 0
b = judge('r1', 'b4')
assert b['kind'] == 'vllm' and b['labels'] == ['neg', 'pos']
assert b['targeted_flip']['k'] == 3 and b['consistency']['k'] == 0, b
assert judge('r1', 'chat')['kind'] == 'llm' and judge('r1', 'tei')['kind'] == 'tei'
ag = {(x['a'], x['b']): x['kappa'] for x in rep('r1')['judge_agreement']}
assert ag[('tei', 'chat')] == 1.0, ag
"
# 5 pairs + 4 originals = 9 texts per judge, 27 requests; the key is sent
# (the mock answers 401 otherwise) and written nowhere
check "one request per text and judge" "
n = sum(1 for _ in open('$MOCK_LOG'))
assert n == 27, n"
if grep -rqF "$KEY" "$T/r1" "$T/err" "$T/out"; then bad "API key written"; else ok "API key written nowhere"; fi
contains "$T/r1/report.html" "chat" "remote judge in report.html"

# an LLM server without logprobs: JSON answers, same verdicts
start_mock --key "$KEY" --no-logprobs
sed "s/127.0.0.1:[0-9]*/127.0.0.1:$MOCK_PORT/" "$T/llm.yaml" >"$T/llm2.yaml"
expect 0 "llm judge without logprobs" -- eval -q -i "$T/pairs.jsonl" --judge "$T/llm2.yaml" -o "$T/r2"
check "JSON answers give the verdicts" "$PY
j = judge('r2', 'chat')
assert j['targeted_flip']['k'] == 4 and j['consistency']['k'] == 4, j
close(j['target_prob_change']['summary']['mean'], 4 / 5)"

# a judge that fails for good on one text: that pair is left out, counted
sed "s/127.0.0.1:[0-9]*/127.0.0.1:$MOCK_PORT/" "$T/tei.yaml" >"$T/tei2.yaml"
expect 0 "a failing request" -- eval -i "$T/fail.jsonl" --judge "$T/tei2.yaml" -o "$T/r3"
contains "$T/err" "judge 'tei' failed" "failure told on stderr"
check "failed pair left out and counted" "$PY
r = rep('r3')
assert r['counts']['judge_failed_pairs'] == 1 and r['counts']['edit_pairs'] == 4, r['counts']
j = judge('r3', 'tei')
assert j['targeted_flip']['n'] == 4 and j['targeted_flip']['k'] == 4, j['targeted_flip']
assert j['requests']['failed'] == 1"

# a refused key stops the run with the endpoint's message
JUDGE_KEY=wrong expect 1 "wrong key" -- eval -i "$T/pairs.jsonl" --judge "$T/tei2.yaml" -o "$T/r4"
contains "$T/err" "judge 'tei' refused the request" "refusal names the judge"
[ -e "$T/r4/report.json" ] && bad "no report after a refusal" || ok "no report after a refusal"

# ---- fluency: perplexity from a completions endpoint (echo, logprobs) ------
# The mock's tokens are words, the first without a logprob, every other
# -len/2: "good film" -> exp(2); "bad film" -> exp(2); "great film ok"
# -> exp((4 + 2) / 2 / 2) = exp(1.5); "great film" exp(2); "awful plot",
# "great plot", "good film" exp(2).  Ratios: b exp(1.5)/exp(2) = exp(-0.5),
# the four others 1: mean ratio (4 + exp(-0.5)) / 5.
printf 'base_url: "http://127.0.0.1:%s/v1"\nmodel: lm-1\napi_key_env: JUDGE_KEY\n' "$MOCK_PORT" >"$T/lm.yaml"
sed "s/127.0.0.1:[0-9]*/127.0.0.1:$MOCK_PORT/" "$T/tei.yaml" >"$T/tei3.yaml"
expect 0 "eval --fluency" -- eval -i "$T/pairs.jsonl" --judge "$T/tei3.yaml" --fluency "$T/lm.yaml" -o "$T/r5"
check "perplexities and their ratio" "$PY
f = rep('r5')['fluency']
assert f['perplexity_original']['n'] == 5 and f['failed_texts'] == 0, f
close(f['perplexity_original']['mean'], math.exp(2))
close(f['perplexity_counterfactual']['mean'], (4 * math.exp(2) + math.exp(1.5)) / 5)
close(f['ratio']['mean'], (4 + math.exp(-0.5)) / 5)
close(f['ratio']['min'], math.exp(-0.5))
assert 'fluency' not in rep('r5').get('not_computed', {})"
contains "$T/r5/report.html" "<h2>Fluency</h2>" "fluency in report.html"
check "scoring requests ask for echo, max_tokens 0, logprobs" "
import json
rq = [json.loads(l) for l in open('$MOCK_LOG')]
sc = [r for r in rq if r.get('path', '').endswith('/v1/completions')]
assert len(sc) == 9, [r.get('path') for r in rq][:5]"
# a text the endpoint fails on: no perplexity for it, counted
sed "s/127.0.0.1:[0-9]*/127.0.0.1:$MOCK_PORT/" "$T/lm.yaml" | sed 's/$//' >"$T/lm2.yaml"
printf 'max_retries: 0\n' >>"$T/lm2.yaml"
expect 0 "fluency with a failing text" -- eval -q -i "$T/fail.jsonl" --text-field text --judge "$T/tei3.yaml" --fluency "$T/lm2.yaml" -o "$T/r6"
check "failed fluency text counted" "$PY
f = rep('r6')['fluency']
assert f['failed_texts'] == 1, f"

# config errors
printf 'kind: tei\nurl: "%s/predict"\n' "$U" >"$T/nolabels.yaml"
expect 2 "first judge without labels" -- eval -i "$T/pairs.jsonl" --judge "$T/nolabels.yaml" -o "$T/x"
contains "$T/err" "give it a labels: map" "says what to do"
printf 'kind: tei\nurl: "%s/predict"\nlabels: {LABEL_0: neg, LABEL_1: pos}\nfields: [premise]\n' "$U" >"$T/badf.yaml"
expect 3 "unknown field" -- eval -i "$T/pairs.jsonl" --text-field text --judge "$T/badf.yaml" -o "$T/x"
contains "$T/err" "badf.yaml:4:9: 'premise' is not in the --text-field fields" "unknown field with location"
printf 'kind: oracle\n' >"$T/badk.yaml"
expect 3 "unknown kind" -- eval -i "$T/pairs.jsonl" --judge "$T/badk.yaml" -o "$T/x"
contains "$T/err" "unknown judge kind 'oracle'" "unknown kind named"
finish
