#!/usr/bin/env bash
# The llm stage against the mock OpenAI-compatible server on loopback:
# accounting, order, pairing, parallelism, retries and Retry-After, fatal
# answers, cache and resume (also after kill -9), dry run, the n fallback,
# JSON answers, and the API key never written anywhere.
set -u
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../mock_lib.sh"
ROOT=$(pwd)
KEY="sk-test-NEVER-WRITE-ME-$$"

# check NAME PYTHON...: run a python check in $T (d = output dir); prints ok
check() {
  local name=$1; shift
  if (cd "$T" && python3 -c "$1" >"$T/check.out" 2>&1); then ok "$name"
  else bad "$name" "$(tail -c 600 "$T/check.out")"; fi
}

PY_LIB='
import json, os
def lines(p): return [json.loads(l) for l in open(p, encoding="utf-8")]
def report(d): return json.load(open(os.path.join(d, "report.json")))
def stage(d): return report(d)["stages"][0]
def reconciles(d):
    t = report(d)["totals"]
    assert t["records_read"] == t["records_processed"] + t["records_errors"], t
    assert t["candidates"] == t["accepted"] + t["rejected"], t
    assert len(lines(d + "/pairs.jsonl")) == t["accepted"]
    assert len(lines(d + "/rejected.jsonl")) == t["rejected"]
    return t
def mock(p): return [json.loads(l) for l in open(p)]
'

# --- input: 24 records with quotes, backslashes, newlines, non-ASCII --------
python3 - "$T/in.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(24):
        lab = "positive" if i % 2 else "negative"
        text = 'review %d: "quoted" \\ back\nslash, ünïcødé 🎬 {{not a var}}' % i
        f.write(json.dumps({"id": "r%02d" % i, "text": text, "label": lab}) + "\n")
PY

pipeline() {  # pipeline FILE INPUT CACHE [extra yaml lines...]
  local f=$1 in=$2 cache=$3; shift 3
  {
    echo "seed: 5"
    echo "input: {path: $in, text_fields: [text], label_field: label, id_field: id, labels: [negative, positive]}"
    echo "stages:"
    echo "  - type: llm"
    echo "    base_url: http://127.0.0.1:\${MOCK_PORT}/v1"
    echo "    model: mock-1"
    echo "    api_key_env: CFAUG_TEST_KEY"
    echo "    prompt: prompts/sentiment-flip.txt"
    echo "    target: {positive: negative, negative: positive}"
    echo "    parse: {mode: text, between: [\"<new>\", \"</new>\"]}"
    echo "    temperature: 0.7"
    echo "    cache: $cache"
    for l in "$@"; do echo "    $l"; done
    echo "output: {dir: $T/res}"
  } >"$f"
}
export CFAUG_TEST_KEY="$KEY"

# --- 1. a clean run: accounting, order, pairing, parallelism ----------------
start_mock --latency-ms 40 --key "$KEY"
pipeline "$T/p1.yaml" "$T/in.jsonl" "$T/cache1" "samples: 2" "concurrency: 4"
expect 0 "clean run" -- run "$T/p1.yaml" -q
check "clean run reconciles: 24 read, 48 candidates, all accepted" "$PY_LIB
t = reconciles('res'); assert t['records_read'] == 24 and t['candidates'] == 48 and t['accepted'] == 48, t"
check "output order is input order, candidates after their original" "$PY_LIB
aug = lines('res/augmented.jsonl')
ids = [r['id'] for r in aug if r['source'] == 'original']
assert ids == ['r%02d' % i for i in range(24)], ids
assert [r['orig_id'] for r in lines('res/pairs.jsonl')] == [i for i in ids for _ in (0, 1)]"
check "each answer is paired with its own record, label flipped, JSON escaping intact" "$PY_LIB
for p in lines('res/pairs.jsonl'):
    o = p['original']; c = p['counterfactual']; g = p['generator']
    assert c['text'] == 'NOT %s [5.%d]' % (o['text'], g['sample']), (o, c)
    assert c['label'] == {'positive': 'negative', 'negative': 'positive'}[o['label']]
    assert g['model'] == 'mock-1' and g['prompt']['name'] == 'sentiment-flip'
    assert len(g['prompt']['sha256']) == 64 and g['finish_reason'] == 'stop'
    assert g['usage']['total_tokens'] > 0 and g['seed'] == 5"
check "parallelism is real and bounded: 1 < max in flight <= concurrency 4" "$PY_LIB
m = max(r['inflight'] for r in mock('$MOCK_LOG')); assert 1 < m <= 4, m
assert stage('res')['max_in_flight'] <= 4"
check "one request per record (n=2), usage summed in the report" "$PY_LIB
log = mock('$MOCK_LOG'); assert len(log) == 24 and all(r['n'] == 2 for r in log), len(log)
s = stage('res'); assert s['requests'] == 24 and s['usage']['total_tokens'] > 0, s
assert s['latency_ms']['p50'] >= 40, s['latency_ms']"
cp "$T/res/pairs.jsonl" "$T/pairs.first"

# --- 2. resume: a re-run sends nothing and writes the same -----------------
before=$(mock_requests)
expect 0 "re-run from the cache" -- run "$T/p1.yaml" -q
after=$(mock_requests)
if [ "$before" = "$after" ]; then ok "re-run sent zero requests"; else bad "re-run sent $((after-before)) requests"; fi
if cmp -s "$T/pairs.first" "$T/res/pairs.jsonl"; then ok "re-run output is identical"
else bad "re-run output differs"; fi
check "report counts the cache hits" "$PY_LIB
s = stage('res'); assert s['cache']['hits'] == 48 and s['requests'] == 0, s"
check "cache is private: directory 0700, entries 0600" "
import os, stat
d = 'cache1'; assert stat.S_IMODE(os.stat(d).st_mode) == 0o700
fs = [os.path.join(r, f) for r, _, fs in os.walk(d) for f in fs]
assert len(fs) == 48 and all(stat.S_IMODE(os.stat(f).st_mode) == 0o600 for f in fs), len(fs)"

# --- 3. --no-cache asks again and leaves the cache alone --------------------
nfiles=$(find "$T/cache1" -type f | wc -l)
expect 0 "--no-cache run" -- run "$T/p1.yaml" -q --no-cache
if [ $(( $(mock_requests) - after )) -eq 24 ]; then ok "--no-cache sent every request again"
else bad "--no-cache sent $(( $(mock_requests) - after )) requests"; fi
[ "$(find "$T/cache1" -type f | wc -l)" = "$nfiles" ] && ok "--no-cache wrote no entry" || bad "--no-cache wrote entries"

# --- 4. dry run: counts, sends nothing --------------------------------------
before=$(mock_requests)
pipeline "$T/p4.yaml" "$T/in.jsonl" "$T/cache4" "samples: 2" "prices: {input: 2.5, output: 10}"
rm -rf "$T/res"
expect 0 "dry run" -- run "$T/p4.yaml" -q --dry-run="$T/dry.json"
[ "$(mock_requests)" = "$before" ] && ok "dry run sent nothing" || bad "dry run sent requests"
[ ! -e "$T/res" ] && ok "dry run writes no output file" || bad "dry run wrote $(ls -A "$T/res")"
contains "$T/err" "dry run: stage llm: 24 requests, ~" "the estimate is on stderr, one line per stage"
check "dry run counts 24 requests, tokens and cost, no candidates" "$PY_LIB
r = json.load(open('$T/dry.json')); d = r['stages'][0]['dry_run']; assert r['dry_run'] is True
assert d['requests'] == 24 and d['prompt_tokens_est'] > 24 * 100 and d['completion_tokens_est'] > 0, d
assert abs(d['cost_usd_est'] - (d['prompt_tokens_est'] * 2.5 + d['completion_tokens_est'] * 10) / 1e6) < 1e-3, d
assert r['totals']['candidates'] == 0"
stop_mock

# --- 5. faults: retries, Retry-After, bad answers, nothing lost -------------
python3 - "$T/faults.jsonl" <<'PY'
import json, sys
faults = ["", "MOCK:429x2", "MOCK:500x1", "MOCK:truncx1", "MOCK:dropx1",
          "MOCK:timeoutx1", "MOCK:malformedx1", "MOCK:emptyx1", "MOCK:nomarkerx9",
          "MOCK:samex9", "MOCK:500x99", ""]
with open(sys.argv[1], "w") as f:
    for i, m in enumerate(faults):
        f.write(json.dumps({"id": "f%d" % i, "text": "text %d %s" % (i, m),
                            "label": "negative"}) + "\n")
PY
start_mock --latency-ms 10 --retry-after 1 --hang-s 4
pipeline "$T/p5.yaml" "$T/faults.jsonl" "$T/cache5" "concurrency: 8" "max_retries: 3" \
  "timeout_s: 1" "parse_retries: 2"
expect 0 "faulty server: the run completes" -- run "$T/p5.yaml" -q
check "faults: nothing lost, bad answers rejected with their reasons" "$PY_LIB
t = reconciles('res'); assert t['records_read'] == 12 and t['records_errors'] == 0, t
assert t['candidates'] == 12 and t['accepted'] == 9, t
rej = {r['orig_id']: r['reason'] for r in lines('res/rejected.jsonl')}
assert rej == {'f8': 'no_marker', 'f9': 'unchanged', 'f10': 'request_failed'}, rej
ok = {p['orig_id'] for p in lines('res/pairs.jsonl')}
assert ok == {'f0','f1','f2','f3','f4','f5','f6','f7','f11'}, ok
ids = [r['id'] for r in lines('res/augmented.jsonl') if r['source'] == 'original']
assert ids == ['f%d' % i for i in range(12)], ids"
check "faults: retries counted (429x2, 500, trunc, drop, timeout, 500x3) and Retry-After honoured twice" "$PY_LIB
s = stage('res')
assert s['retries'] == 2 + 1 + 1 + 1 + 1 + 3, s
assert s['retry_after_honoured'] == 2 and s['requests_failed'] == 1, s
assert s['answers_bad'] == {'malformed_response': 1, 'empty': 1, 'no_marker': 3, 'unchanged': 3}, s['answers_bad']"
check "Retry-After: each retry of the 429 record starts >= 1 s after the 429" "$PY_LIB
log = [r for r in mock('$MOCK_LOG') if 'MOCK:429x2' in r['user_tail']]
log.sort(key=lambda r: r['t0'])
assert [r['status'] for r in log] == [429, 429, 200], log
for a, b in zip(log, log[1:]):
    assert b['t0'] - a['t1'] >= 0.95, (a, b)"
check "bad answers were asked again with new seeds, within the budget" "$PY_LIB
log = [r for r in mock('$MOCK_LOG') if 'MOCK:nomarkerx9' in r['user_tail']]
assert len(log) == 3 and len({r['seed'] for r in log}) == 3, log"
check "the rejected line says why, with the answer" "$PY_LIB
r = [r for r in lines('res/rejected.jsonl') if r['orig_id'] == 'f8'][0]
assert r['detail']['tries'] == 3 and 'cannot' in r['detail']['answer'], r
r = [r for r in lines('res/rejected.jsonl') if r['orig_id'] == 'f10'][0]
assert 'HTTP 500' in r['detail']['error'] and r['detail']['attempts'] == 4, r"
stop_mock

# --- 6. the server ignores n: one request per sample ------------------------
start_mock --ignore-n
pipeline "$T/p6.yaml" "$T/in.jsonl" "$T/cache6" "samples: 3" "concurrency: 8"
expect 0 "server ignoring n" -- run "$T/p6.yaml" -q
check "n fallback: 72 candidates from 24 + 48 requests, distinct seeds per sample" "$PY_LIB
t = reconciles('res'); assert t['accepted'] == 72, t
s = stage('res'); assert s['n_ignored'] is True and s['requests'] == 72, s
for rid in ['r00', 'r13']:
    c = [p['counterfactual']['text'] for p in lines('res/pairs.jsonl') if p['orig_id'] == rid]
    assert len(set(c)) == 3, c"
stop_mock

# --- 7. JSON answers -----------------------------------------------------
start_mock --answer-json edited
pipeline "$T/p7.yaml" "$T/in.jsonl" "$T/cache7" "concurrency: 8"
sed -i 's/parse: .*/parse: {mode: json, field: edited}/' "$T/p7.yaml"
expect 0 "parse: json" -- run "$T/p7.yaml" -q
check "parse json takes the field out of a fenced JSON answer" "$PY_LIB
ps = lines('res/pairs.jsonl'); assert len(ps) == 24
assert all(p['counterfactual']['text'] == 'NOT %s [5.0]' % p['original']['text'] for p in ps)"
stop_mock

# --- 8. 401: stops with a clear message, exit 1, the key nowhere ------------
start_mock --key "the-right-key"
pipeline "$T/p8.yaml" "$T/in.jsonl" "$T/cache8" "concurrency: 2"
expect 1 "401 stops the run" -- run "$T/p8.yaml" -q
contains "$T/err" "HTTP 401 invalid_api_key" "401 message names the status and code"
contains "$T/err" "CFAUG_TEST_KEY" "401 message names the key's variable"
[ ! -e "$T/res/.report.json.part" ] && ok "401: nothing half-written" || bad "401 left a part file"
check "401: few requests after the refusal (at most the window of 2 in flight)" "
n = sum(1 for _ in open('$MOCK_LOG')); assert 1 <= n <= 2, n"
stop_mock

# --- 9. insufficient_quota is fatal, not retried ----------------------------
start_mock --status 429 --error-code insufficient_quota
expect 1 "insufficient_quota stops the run" -- run "$T/p8.yaml" -q
contains "$T/err" "insufficient_quota" "quota message says insufficient_quota"
check "quota: not retried" "
n = sum(1 for _ in open('$MOCK_LOG')); assert 1 <= n <= 2, n"
stop_mock

# --- 10. the key is never written: outputs, cache, report, stderr -----------
start_mock --key "$KEY" --status 500
pipeline "$T/p10.yaml" "$T/in.jsonl" "$T/cache10" "max_retries: 0" "samples: 2"
run_cf run "$T/p10.yaml"
if grep -rqF -- "$KEY" "$T/res" "$T/cache1" "$T/cache5" "$T/cache10" "$T/err" "$T/out" 2>/dev/null; then
  bad "the API key appears in a file the run wrote"
else ok "the API key appears in no output, cache, report or message"; fi
stop_mock
start_mock --key "$KEY"
pipeline "$T/p10b.yaml" "$T/in.jsonl" "$T/cache10" "samples: 1"
run_cf run "$T/p10b.yaml"
if [ "$RC" = 0 ] && ! grep -rqF -- "$KEY" "$T/res" "$T/cache10" "$T/err" "$T/out"; then
  ok "a good run with the key writes it nowhere"
else bad "key check on a good run (exit $RC)"; fi
stop_mock

# --- 11. kill -9 mid-run, then resume: completed requests are not re-sent ----
python3 - "$T/many.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(60):
        f.write(json.dumps({"id": "k%d" % i, "text": "kill test %d" % i, "label": "positive"}) + "\n")
PY
start_mock --latency-ms 100
pipeline "$T/p11.yaml" "$T/many.jsonl" "$T/cache11" "concurrency: 4"
"$CFAUG" run "$T/p11.yaml" -q >/dev/null 2>&1 &
cf=$!
sleep 1
kill -9 "$cf" 2>/dev/null; wait "$cf" 2>/dev/null
sent1=$(mock_requests)
sleep 0.3
sent1b=$(mock_requests)
check "kill -9 left only whole cache entries" "
import os, json
fs = [os.path.join(r, f) for r, _, fs in os.walk('cache11') for f in fs if not f.startswith('.tmp')]
for f in fs: json.load(open(f))
print(len(fs))
assert 0 < len(fs) < 60, len(fs)"
cached=$(find "$T/cache11" -type f ! -name '.tmp*' | wc -l)
expect 0 "resume after kill -9" -- run "$T/p11.yaml" -q
resent=$(( $(mock_requests) - sent1b ))
if [ "$resent" -eq $((60 - cached)) ]; then ok "resume sent only the $resent missing requests ($cached cached)"
else bad "resume sent $resent requests, $cached were cached of 60"; fi
check "resumed run is complete" "$PY_LIB
t = reconciles('res'); assert t['accepted'] == 60, t"
stop_mock

# --- 12. config errors -------------------------------------------------------
printf '### system\nhi\n### user\nText: {{text}}\nBad: {{nope}}\n' >"$T/tpl.txt"
pipeline "$T/p12.yaml" "$T/in.jsonl" "$T/cache12"
sed -i "s|prompt: .*|prompt: $T/tpl.txt|" "$T/p12.yaml"
MOCK_PORT=1 expect 3 "unknown template variable" -- validate "$T/p12.yaml"
contains "$T/err" "tpl.txt:5:6: unknown variable 'nope'" "unknown variable has template file:line:col"
pipeline "$T/p13.yaml" "$T/in.jsonl" "$T/cache12" "top_p: hot"
MOCK_PORT=1 expect 3 "bad top_p" -- validate "$T/p13.yaml"
contains "$T/err" "p13.yaml:13:12: 'top_p' must be a number" "bad top_p has file:line:col"
pipeline "$T/p14.yaml" "$T/in.jsonl" "$T/cache12"
sed -i 's/target: .*/target: {positive: neutral}/' "$T/p14.yaml"
MOCK_PORT=1 expect 3 "target label outside labels" -- validate "$T/p14.yaml"
contains "$T/err" "names a label not in input.labels" "target label is checked"

finish
