#!/usr/bin/env bash
# The llm stage against dead, refusing and hostile endpoints (issue 11,
# network side): every check here failed on the code before it.
#   - a dead endpoint, endless 429s, a failing server: stop within a
#     bounded time, exit 1, one message naming the URL (no userinfo, no
#     query values) and the cause; everything answered stays in the cache;
#   - every request of the stage failed: exit 1 with the cause and a count;
#   - Retry-After over max_retry_wait_s and the request deadline;
#   - concurrency clamped to RLIMIT_NOFILE;
#   - base_url / api_key_env checked at load (exit 3, FILE:LINE:COL);
#   - choices: [] / a foreign index are failed tries, not endless re-sends;
#   - refusals and leftover markers rejected; markers inferred from the prompt;
#   - the key never leaks (echoed in a 200 body, in a long 401 message);
#     terminal escapes from a server never reach stderr;
#   - candidates over max_record_bytes are rejected.
set -u
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../mock_lib.sh"
KEY="sk-hostile-KEY-0123456789abcdefghijklmnopqrstuv-$$"
export CFAUG_TEST_KEY="$KEY"

check() {
  local name=$1; shift
  if (cd "$T" && python3 -c "$1" >"$T/check.out" 2>&1); then ok "$name"
  else bad "$name" "$(tail -c 600 "$T/check.out")"; fi
}
PY_LIB='
import json, os, glob
def lines(p): return [json.loads(l) for l in open(p, encoding="utf-8")]
def report(d="res"): return json.load(open(os.path.join(d, "report.json")))
def stage(d="res"): return report(d)["stages"][0]
def rejected(d="res"): return lines(d + "/rejected.jsonl")
def mock(p): return [json.loads(l) for l in open(p)]
'
# no_key_anywhere NAME: the key (or any 12-byte piece of it) in no file
# under $T/res or the cache, nor in stderr
no_key_anywhere() {
  local piece=${KEY:8:12}
  if grep -rqaF -e "$KEY" -e "$piece" "$T/res" "$T/cache" "$T/err" "$T/out" 2>/dev/null; then
    bad "$1" "$(grep -rlaF -e "$piece" "$T/res" "$T/cache" "$T/err" "$T/out" 2>/dev/null | head -3)"
  else ok "$1"; fi
}

python3 - "$T/in.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(6):
        f.write(json.dumps({"id": "r%d" % i, "text": "review %d was good" % i,
                            "label": "positive" if i % 2 else "negative"}) + "\n")
PY

# pipeline FILE URL [extra llm option lines...]; INPUT overrides the input
pipeline() {
  local f=$1 url=$2; shift 2
  {
    echo "seed: 5"
    echo "input: {path: ${INPUT:-$T/in.jsonl}, text_fields: [text], label_field: label, id_field: id, labels: [negative, positive]${INPUT_EXTRA:-}}"
    echo "stages:"
    echo "  - type: llm"
    echo "    base_url: $url"
    echo "    model: mock-1"
    echo "    api_key_env: CFAUG_TEST_KEY"
    echo "    prompt: prompts/sentiment-flip.txt"
    echo "    target: {positive: negative, negative: positive}"
    echo "    timeout_s: 3"
    [ -n "$PARSE" ] && echo "    $PARSE"
    echo "    cache: $T/cache"
    for l in "$@"; do echo "    $l"; done
    echo "output: {dir: $T/res}"
  } >"$f"
}
PARSE='parse: {between: ["<new>", "</new>"]}'
# runs cfaug under a time limit: a hang is a failure, not a stuck CI
run_t() { timeout "$1" "$CFAUG" "${@:2}" >"$T/out" 2>"$T/err" </dev/null; RC=$?; }
elapsed() { python3 -c "import time; print(round(time.time() - $1, 1))"; }

# --- 1. a dead endpoint: connection refused -------------------------------
DEAD=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
pipeline "$T/dead.yaml" "http://user:hunter2@127.0.0.1:$DEAD/v1?api-version=2024&sig=SECRETSIG" "concurrency: 4"
t0=$(date +%s.%N)
run_t 30 run "$T/dead.yaml" -q
secs=$(elapsed "$t0")
[ "$RC" -eq 1 ] && ok "dead endpoint: exit 1" || bad "dead endpoint: exit $RC, wanted 1" "$(head -c 400 "$T/err")"
python3 -c "import sys; sys.exit(0 if $secs < 10 else 1)" && ok "dead endpoint: stops in ${secs}s (< 10 s)" \
  || bad "dead endpoint: took ${secs}s"
contains "$T/err" "127.0.0.1:$DEAD/v1/chat/completions?api-version=***&sig=***" "dead endpoint: the message names the URL"
contains "$T/err" "Couldn't connect to server" "dead endpoint: the message names the cause"
if grep -qE "hunter2|SECRETSIG|user:" "$T/err"; then bad "dead endpoint: userinfo or query value in the message" "$(cat "$T/err")"
else ok "dead endpoint: no userinfo, no query value in the message"; fi
[ "$(grep -c . "$T/err")" -le 2 ] && ok "dead endpoint: one message" || bad "dead endpoint: $(grep -c . "$T/err") lines" "$(head -c 600 "$T/err")"

# TLS to a server that speaks plain HTTP: the same, with the TLS cause
start_mock
pipeline "$T/tls.yaml" "https://127.0.0.1:\${MOCK_PORT}/v1"
run_t 30 run "$T/tls.yaml" -q
[ "$RC" -eq 1 ] && ok "TLS failure: exit 1" || bad "TLS failure: exit $RC" "$(head -c 400 "$T/err")"
contains "$T/err" "failed 10 times in a row (max_consecutive_failures), last: SSL connect error" "TLS failure: the breaker names the cause"

# --- 2. 429 forever with a Retry-After over max_retry_wait_s ----------------
start_mock --status 429 --retry-after 3600
pipeline "$T/429.yaml" "http://127.0.0.1:\${MOCK_PORT}/v1" "max_retry_wait_s: 30"
t0=$(date +%s.%N)
run_t 30 run "$T/429.yaml" -q
secs=$(elapsed "$t0")
[ "$RC" -eq 1 ] && ok "Retry-After 3600 forever: exit 1 in ${secs}s" || bad "Retry-After 3600: exit $RC" "$(head -c 400 "$T/err")"
contains "$T/err" "more than max_retry_wait_s" "Retry-After over the cap: said, not waited for"

# --- 3. 429 forever with a short Retry-After: the request deadline ----------
start_mock --status 429 --retry-after 1
pipeline "$T/429b.yaml" "http://127.0.0.1:\${MOCK_PORT}/v1" "request_deadline_s: 1.5" "max_consecutive_failures: 3"
t0=$(date +%s.%N)
run_t 30 run "$T/429b.yaml" -q
secs=$(elapsed "$t0")
[ "$RC" -eq 1 ] && ok "429 with no end: exit 1 in ${secs}s" || bad "429 with no end: exit $RC" "$(head -c 400 "$T/err")"
contains "$T/err" "deadline of 2 s" "429 with no end: the deadline is named"
python3 -c "import sys; sys.exit(0 if $secs < 10 else 1)" && ok "429 with no end: bounded by the deadline" || bad "429 with no end: ${secs}s"

# --- 4. a server failing more than max_failure_rate -------------------------
python3 - "$T/in40.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(40):
        f.write(json.dumps({"id": "q%d" % i, "text": "text %d is good" % i, "label": "positive"}) + "\n")
PY
start_mock --fail-frac 0.8 --rng-seed 3
INPUT=$T/in40.jsonl pipeline "$T/rate.yaml" "http://127.0.0.1:\${MOCK_PORT}/v1" \
  "max_consecutive_failures: 1000" "concurrency: 16" "max_retries: 2"
run_t 60 run "$T/rate.yaml" -q
[ "$RC" -eq 1 ] && ok "failure rate 80%: exit 1" || bad "failure rate: exit $RC" "$(head -c 400 "$T/err")"
contains "$T/err" "of the last 50 attempts (more than max_failure_rate 0.5)" "failure rate: the breaker says why"
ls "$T/cache"/*/* >/dev/null 2>&1 && ok "failure rate: what was answered is in the cache" \
  || bad "failure rate: nothing cached"
rm -rf "$T/cache"

# --- 5. every request failed (not the breaker's kind): exit 1, cause, count -
start_mock --status 400 --error-code context_length_exceeded
pipeline "$T/allfail.yaml" "http://127.0.0.1:\${MOCK_PORT}/v1"
run_t 30 run "$T/allfail.yaml" -q
[ "$RC" -eq 1 ] && ok "all requests failed: exit 1" || bad "all requests failed: exit $RC" "$(head -c 400 "$T/err")"
contains "$T/err" "all 6 requests failed, most often (6): HTTP 400 context_length_exceeded" \
  "all requests failed: the dominant cause with its count"

# --- 6. RLIMIT_NOFILE: concurrency clamped, no request lost -----------------
python3 - "$T/in60.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(60):
        f.write(json.dumps({"id": "f%d" % i, "text": "fd %d is good" % i, "label": "positive"}) + "\n")
PY
start_mock --latency-ms 150
INPUT=$T/in60.jsonl pipeline "$T/fd.yaml" "http://127.0.0.1:\${MOCK_PORT}/v1" "concurrency: 200" "max_retries: 0"
(ulimit -n 48; "$CFAUG" run "$T/fd.yaml" -q --window 100 >"$T/out" 2>"$T/err" </dev/null); RC=$?
[ "$RC" -eq 0 ] && ok "ulimit -n 48, concurrency 200: exit 0" || bad "fd clamp: exit $RC" "$(head -c 400 "$T/err")"
contains "$T/err" "concurrency 200 lowered to" "fd clamp: said on stderr"
check "fd clamp: no request failed, 60 candidates accepted" "$PY_LIB
st = stage(); t = report()['totals']
assert st['requests_failed'] == 0 and t['accepted'] == 60, (st['requests_failed'], t)
assert st['concurrency'] < 48, st['concurrency']"
rm -rf "$T/cache"

# --- 7. config errors at load ------------------------------------------------
for bu in "htp:/oops" "file:///etc/passwd" "http:///v1" "ftp://127.0.0.1/v1"; do
  pipeline "$T/c.yaml" "$bu"
  expect 3 "base_url $bu refused" -- run "$T/c.yaml" -q
  contains "$T/err" "c.yaml:5:15:" "base_url $bu: FILE:LINE:COL"
  if grep -q "passwd\|root:" "$T/err"; then bad "base_url $bu: local bytes or the URL echoed"; else ok "base_url $bu: not echoed"; fi
done
start_mock
pipeline "$T/cc.yaml" "http://127.0.0.1:\${MOCK_PORT}/v1/chat/completions/?api-version=7"
expect 0 "base_url ending in /chat/completions: corrected" -- run "$T/cc.yaml" -q
contains "$T/err" "warning: base_url is the endpoint root" "base_url corrected: with a warning"
check "base_url corrected: requests go to /v1/chat/completions, the query kept" "$PY_LIB
paths = {r['path'] for r in mock('$MOCK_LOG')}
assert paths == {'/v1/chat/completions?api-version=7'}, paths"
rm -rf "$T/cache"
sed -i 's/api_key_env: CFAUG_TEST_KEY/api_key_env: sk-proj-pastedKEY123456789/' "$T/cc.yaml"
expect 3 "api_key_env holding a key: refused" -- run "$T/cc.yaml" -q
contains "$T/err" "cc.yaml:7:18: api_key_env must name an environment variable" "api_key_env: located"
if grep -q "pastedKEY" "$T/err"; then bad "api_key_env: the pasted key echoed"; else ok "api_key_env: the pasted key is not echoed"; fi
pipeline "$T/crlf.yaml" "http://127.0.0.1:\${MOCK_PORT}/v1"
CFAUG_TEST_KEY=$'abc\r\nX-Injected: 1' run_cf run "$T/crlf.yaml" -q
[ "$RC" -eq 3 ] && ok "a key with CR/LF: refused (exit 3)" || bad "CR/LF key: exit $RC" "$(head -c 300 "$T/err")"
contains "$T/err" "control character" "CR/LF key: says why"
start_mock --key "$KEY"
pipeline "$T/unset.yaml" "http://127.0.0.1:\${MOCK_PORT}/v1"
sed -i 's/api_key_env: CFAUG_TEST_KEY/api_key_env: CFAUG_UNSET_VAR_X/' "$T/unset.yaml"
expect 1 "401 with the key variable unset: exit 1" -- run "$T/unset.yaml" -q
contains "$T/err" "check the key in \$CFAUG_UNSET_VAR_X: it is not set" "401: the unset variable said plainly"

# --- 8. answers that are not edits -------------------------------------------
python3 - "$T/inf.jsonl" <<'PY'
import json, sys
faults = ["MOCK:nochoicesx1000", "MOCK:badindexx1000", "MOCK:refusalx1000",
          "MOCK:markersx1000", "", "MOCK:echohdrx1"]
with open(sys.argv[1], "w") as f:
    for i, m in enumerate(faults):
        f.write(json.dumps({"id": "a%d" % i, "text": "answer %d is good %s" % (i, m),
                            "label": "positive"}) + "\n")
PY
start_mock --key "$KEY"
INPUT=$T/inf.jsonl PARSE= pipeline "$T/ans.yaml" "http://127.0.0.1:\${MOCK_PORT}/v1" "samples: 2" "parse_retries: 2"
run_t 30 run "$T/ans.yaml" -q
[ "$RC" -eq 0 ] && ok "bad answers: the run ends (exit 0)" || bad "bad answers: exit $RC" "$(head -c 400 "$T/err")"
contains "$T/err" "warning: the prompt asks for <new>...</new> and 'parse' is not set" "markers inferred, with a warning"
check "bad answers rejected with their reasons, bounded tries, good ones kept without markers" "$PY_LIB
rj = {(r['orig_id'], r['reason']) for r in rejected()}
for rid, why in [('a0', 'no_choice'), ('a1', 'bad_choice_index'), ('a2', 'refusal'), ('a3', 'marker_in_answer')]:
    assert (rid, why) in rj, (rid, why, rj)
pairs = lines('res/pairs.jsonl')
assert {p['orig_id'] for p in pairs} == {'a4', 'a5'}, [p['orig_id'] for p in pairs]
for p in pairs:
    assert '<new>' not in p['counterfactual']['text'] and p['counterfactual']['text'].startswith('NOT '), p
n = len(mock('$MOCK_LOG'))
assert n == 22, n    # 4 faulty records: 1 n request + 2 x 2 tries each; 2 good: 1 each"
no_key_anywhere "a 200 echoing the request headers: the key in no output, cache entry or message"

# --- 9. the key in a long 401 message, cut by the client ----------------------
start_mock --key "not-$KEY" --echo-key
pipeline "$T/k401.yaml" "http://127.0.0.1:\${MOCK_PORT}/v1"
expect 1 "401 echoing the key after 180 bytes: exit 1" -- run "$T/k401.yaml" -q
no_key_anywhere "401 echoing the key: not a piece of it on stderr"

# --- 10. terminal escapes in a server's message ------------------------------
python3 -c 'import json; print(json.dumps({"id": "e1", "text": "ansi MOCK:ansix9", "label": "positive"}))' >"$T/ine.jsonl"
start_mock
INPUT=$T/ine.jsonl pipeline "$T/ansi.yaml" "http://127.0.0.1:\${MOCK_PORT}/v1"
expect 1 "a 400 with terminal escapes: exit 1" -- run "$T/ansi.yaml" -q
if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$T/err"; then bad "escapes reached stderr" "$(od -c "$T/err" | head -5)"
else ok "escapes: no control character reached stderr"; fi
contains "$T/err" '\x1b[2J' "escapes: shown escaped"
python3 -c "open('$T/err', encoding='utf-8').read()" 2>/dev/null && ok "escapes: the message is valid UTF-8 (a Latin-1 byte became ?)" \
  || bad "escapes: stderr is not valid UTF-8"
contains "$T/err" 'caf? \u009b2J' "escapes: the C1 CSI shown escaped"

# --- 11. a candidate over max_record_bytes is rejected -----------------------
python3 -c 'import json; print(json.dumps({"id": "l1", "text": "this one is long and good MOCK:longx9 " + "w" * 200, "label": "positive"}))' >"$T/inl.jsonl"
start_mock
INPUT=$T/inl.jsonl INPUT_EXTRA=", max_record_bytes: 2000" pipeline "$T/long.yaml" "http://127.0.0.1:\${MOCK_PORT}/v1" "parse_retries: 0"
expect 0 "max_record_bytes 2000, an answer of 10 KB: exit 0" -- run "$T/long.yaml" -q
check "the over-long answer is rejected as too_long" "$PY_LIB
assert [r['reason'] for r in rejected()] == ['too_long'], rejected()"

# --- 12. the teacher's remote judges share the breaker ----------------------
{
  echo "seed: 3"
  echo "input: {path: $T/in.jsonl, text_fields: [text], label_field: label, id_field: id, labels: [negative, positive]}"
  echo "stages:"
  echo "  - {type: rules, packs: [antonyms], label: {positive: negative, negative: positive}}"
  echo "  - type: teacher"
  echo "    judges:"
  echo "      - {kind: tei, name: a, url: \"http://127.0.0.1:$DEAD/predict\", labels: {LABEL_0: negative, LABEL_1: positive}}"
  echo "    accept: {policy: delta, min_delta: 0.25}"
  echo "output: {dir: $T/res}"
} >"$T/judge.yaml"
t0=$(date +%s.%N)
run_t 30 run "$T/judge.yaml" -q
secs=$(elapsed "$t0")
[ "$RC" -eq 1 ] && ok "a dead judge endpoint: exit 1 in ${secs}s" || bad "dead judge: exit $RC" "$(head -c 400 "$T/err")"
contains "$T/err" "127.0.0.1:$DEAD/predict failed" "a dead judge endpoint: the breaker names it"

# an LLM judge whose label echoes the request headers: the key nowhere
python3 -c 'import json; print(json.dumps({"id": "j1", "text": "a good film MOCK:echohdrx99", "label": "positive"}))' >"$T/inj.jsonl"
start_mock --key "$KEY" --no-logprobs
{
  echo "seed: 3"
  echo "input: {path: $T/inj.jsonl, text_fields: [text], label_field: label, id_field: id, labels: [negative, positive]}"
  echo "stages:"
  echo "  - {type: rules, packs: [antonyms], label: {positive: negative, negative: positive}}"
  echo "  - type: teacher"
  echo "    judges:"
  echo "      - {kind: llm, name: c, base_url: \"http://127.0.0.1:$MOCK_PORT/judge/v1\", model: judge-1, prompt: prompts/judge-sentiment.txt, api_key_env: CFAUG_TEST_KEY, max_retries: 0}"
  echo "    accept: {policy: delta, min_delta: 0.25}"
  echo "output: {dir: $T/res}"
} >"$T/judge2.yaml"
rm -rf "$T/res"
run_t 30 run "$T/judge2.yaml" -q
grep -q "maybe; " "$T/res/rejected.jsonl" 2>/dev/null && ok "a judge label echoing the headers: its text is in rejected.jsonl" \
  || bad "judge echo: the label is not in rejected.jsonl (exit $RC)" "$(head -c 300 "$T/err"; head -c 300 "$T/res/rejected.jsonl" 2>/dev/null)"
no_key_anywhere "a judge label echoing the headers: the key in no output or message"

# --- 13. a long wait shows on a terminal, never in a pipe --------------------
python3 -c 'import json; print(json.dumps({"id": "w1", "text": "wait MOCK:429x1 good", "label": "positive"}))' >"$T/inw.jsonl"
start_mock --retry-after 3
INPUT=$T/inw.jsonl pipeline "$T/wait.yaml" "http://127.0.0.1:\${MOCK_PORT}/v1"
rm -rf "$T/cache"
script -qec "'$CFAUG' run '$T/wait.yaml' -q" /dev/null >"$T/tty.out" 2>&1 </dev/null
contains "$T/tty.out" "waiting 3 s before retrying (the server's Retry-After)" "a 3 s Retry-After: shown on the terminal"
rm -rf "$T/cache"
start_mock --retry-after 3
run_t 30 run "$T/wait.yaml" -q
[ "$RC" -eq 0 ] && ! grep -q "waiting" "$T/err" && ok "a 3 s Retry-After: not written into a pipe" \
  || bad "wait notice in a pipe (exit $RC)" "$(head -c 300 "$T/err")"

finish
