#!/usr/bin/env bash
# The llm stage against dead endpoints and hostile servers (issue 11): the
# checks on time, processes and terminals.  The data side (failure rate,
# all requests failed, config errors at load, answers that are not edits,
# the key never leaked, max_record_bytes) is tests/netcases/llm_hostile_answers.
#   - a dead endpoint, endless 429s: stop within a bounded time, exit 1,
#     one message naming the URL (no userinfo, no query values) and the cause;
#   - Retry-After over max_retry_wait_s and the request deadline;
#   - concurrency clamped to RLIMIT_NOFILE;
#   - terminal escapes from a server never reach stderr;
#   - a dead judge endpoint trips the shared breaker;
#   - a long wait shows on a terminal, never in a pipe.
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
'

python3 - "$T/in.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(6):
        f.write(json.dumps({"id": "r%d" % i, "text": "review %d was good" % i,
                            "label": "positive" if i % 2 else "negative"}) + "\n")
PY

# pipeline FILE URL [extra llm option lines...]; INPUT overrides the input.
# No check here waits for a request timeout, so timeout_s is far above what
# any answer takes on a loaded machine: a starved mock must not turn the
# cause asserted (TLS, 429, 400) into a timeout, nor fail the fd clamp's
# requests (max_retries 0).
pipeline() {
  local f=$1 url=$2; shift 2
  {
    echo "seed: 5"
    echo "input: {path: ${INPUT:-$T/in.jsonl}, text_fields: [text], label_field: label, id_field: id, labels: [negative, positive]}"
    echo "stages:"
    echo "  - type: llm"
    echo "    base_url: $url"
    echo "    model: mock-1"
    echo "    api_key_env: CFAUG_TEST_KEY"
    echo "    prompt: prompts/sentiment-flip.txt"
    echo "    target: {positive: negative, negative: positive}"
    echo "    timeout_s: 20"
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
# wait_file FILE PID: until FILE exists (written then renamed: whole) while
# PID lives, at most 60 s
wait_file() {
  local i
  for i in $(seq 1 3000); do
    [ -s "$1" ] && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.02
  done
  return 1
}

# --- 1. a dead endpoint: connection refused -------------------------------
# A port bound but never listened on refuses connections, and while this
# holder lives no other program (another test's mock) can be given it: a
# port closed again at once could be reused by then.
python3 -c '
import os, socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0))
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(3600)' "$T/dead.port" & DEAD_PID=$!
trap 'kill "$DEAD_PID" 2>/dev/null; stop_mock; rm -rf "$T"' EXIT
wait_file "$T/dead.port" "$DEAD_PID" || { bad "the dead-port holder did not start"; finish; exit 1; }
DEAD=$(cat "$T/dead.port")
pipeline "$T/dead.yaml" "http://user:hunter2@127.0.0.1:$DEAD/v1?api-version=2024&sig=SECRETSIG" "concurrency: 4"
t0=$(date +%s.%N)
run_t 120 run "$T/dead.yaml" -q
secs=$(elapsed "$t0")
[ "$RC" -eq 1 ] && ok "dead endpoint: exit 1" || bad "dead endpoint: exit $RC, wanted 1" "$(head -c 400 "$T/err")"
python3 -c "import sys; sys.exit(0 if $secs < 10 else 1)" && ok "dead endpoint: stops in ${secs}s (< 10 s)" \
  || bad "dead endpoint: took ${secs}s"
contains "$T/err" "127.0.0.1:$DEAD/v1/chat/completions?api-version=***&sig=***" "dead endpoint: the message names the URL"
contains "$T/err" "Couldn't connect to server" "dead endpoint: the message names the cause"
if grep -qE "hunter2|SECRETSIG|user:" "$T/err"; then bad "dead endpoint: userinfo or query value in the message" "$(cat "$T/err")"
else ok "dead endpoint: no userinfo, no query value in the message"; fi
[ "$(grep -c . "$T/err")" -le 2 ] && ok "dead endpoint: one message" || bad "dead endpoint: $(grep -c . "$T/err") lines" "$(head -c 600 "$T/err")"

# TLS to a server that speaks plain HTTP: the same, with the TLS cause.
# The server answers in plain HTTP the moment a connection opens (the mock
# would wait for a request line, and under load curl's timeout could come
# first): the handshake always meets a non-TLS record.
stop_mock
rm -f "$T/plain.port"
python3 -c '
import os, socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen(128)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
while True:
    c, _ = s.accept()
    c.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    c.close()' "$T/plain.port" & MOCK_PID=$!
wait_file "$T/plain.port" "$MOCK_PID" || { bad "the plain-HTTP server did not start"; finish; exit 1; }
MOCK_PORT=$(cat "$T/plain.port"); export MOCK_PORT
pipeline "$T/tls.yaml" "https://127.0.0.1:\${MOCK_PORT}/v1"
run_t 120 run "$T/tls.yaml" -q
[ "$RC" -eq 1 ] && ok "TLS failure: exit 1" || bad "TLS failure: exit $RC" "$(head -c 400 "$T/err")"
contains "$T/err" "failed 10 times in a row (max_consecutive_failures), last: SSL connect error" "TLS failure: the breaker names the cause"

# --- 2. 429 forever with a Retry-After over max_retry_wait_s ----------------
start_mock --status 429 --retry-after 3600
pipeline "$T/429.yaml" "http://127.0.0.1:\${MOCK_PORT}/v1" "max_retry_wait_s: 30"
t0=$(date +%s.%N)
run_t 120 run "$T/429.yaml" -q
secs=$(elapsed "$t0")
[ "$RC" -eq 1 ] && ok "Retry-After 3600 forever: exit 1 in ${secs}s" || bad "Retry-After 3600: exit $RC" "$(head -c 400 "$T/err")"
contains "$T/err" "more than max_retry_wait_s" "Retry-After over the cap: said, not waited for"

# --- 3. 429 forever with a short Retry-After: the request deadline ----------
start_mock --status 429 --retry-after 1
pipeline "$T/429b.yaml" "http://127.0.0.1:\${MOCK_PORT}/v1" "request_deadline_s: 1.5" "max_consecutive_failures: 3"
t0=$(date +%s.%N)
run_t 120 run "$T/429b.yaml" -q
secs=$(elapsed "$t0")
[ "$RC" -eq 1 ] && ok "429 with no end: exit 1 in ${secs}s" || bad "429 with no end: exit $RC" "$(head -c 400 "$T/err")"
contains "$T/err" "deadline of 2 s" "429 with no end: the deadline is named"
python3 -c "import sys; sys.exit(0 if $secs < 10 else 1)" && ok "429 with no end: bounded by the deadline" || bad "429 with no end: ${secs}s"

# --- 4. RLIMIT_NOFILE: concurrency clamped, no request lost -----------------
python3 - "$T/in60.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(60):
        f.write(json.dumps({"id": "f%d" % i, "text": "fd %d is good" % i, "label": "positive"}) + "\n")
PY
start_mock --latency-ms 150
INPUT=$T/in60.jsonl pipeline "$T/fd.yaml" "http://127.0.0.1:\${MOCK_PORT}/v1" "concurrency: 200" "max_retries: 0"
(ulimit -n 48; timeout 300 "$CFAUG" run "$T/fd.yaml" -q --window 100 >"$T/out" 2>"$T/err" </dev/null); RC=$?
[ "$RC" -eq 0 ] && ok "ulimit -n 48, concurrency 200: exit 0" || bad "fd clamp: exit $RC" "$(head -c 400 "$T/err")"
contains "$T/err" "concurrency 200 lowered to" "fd clamp: said on stderr"
check "fd clamp: no request failed, 60 candidates accepted" "$PY_LIB
st = stage(); t = report()['totals']
assert st['requests_failed'] == 0 and t['accepted'] == 60, (st['requests_failed'], t)
assert st['concurrency'] < 48, st['concurrency']"
rm -rf "$T/cache"

# --- 5. terminal escapes in a server's message ------------------------------
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

# --- 6. the teacher's remote judges share the breaker ----------------------
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
run_t 120 run "$T/judge.yaml" -q
secs=$(elapsed "$t0")
[ "$RC" -eq 1 ] && ok "a dead judge endpoint: exit 1 in ${secs}s" || bad "dead judge: exit $RC" "$(head -c 400 "$T/err")"
contains "$T/err" "127.0.0.1:$DEAD/predict failed" "a dead judge endpoint: the breaker names it"

# --- 7. a long wait shows on a terminal, never in a pipe --------------------
python3 -c 'import json; print(json.dumps({"id": "w1", "text": "wait MOCK:429x1 good", "label": "positive"}))' >"$T/inw.jsonl"
start_mock --retry-after 3
INPUT=$T/inw.jsonl pipeline "$T/wait.yaml" "http://127.0.0.1:\${MOCK_PORT}/v1"
rm -rf "$T/cache"
timeout 300 script -qec "'$CFAUG' run '$T/wait.yaml' -q" /dev/null >"$T/tty.out" 2>&1 </dev/null
contains "$T/tty.out" "waiting 3 s before retrying (the server's Retry-After)" "a 3 s Retry-After: shown on the terminal"
rm -rf "$T/cache"
start_mock --retry-after 3
run_t 120 run "$T/wait.yaml" -q
[ "$RC" -eq 0 ] && ! grep -q "waiting" "$T/err" && ok "a 3 s Retry-After: not written into a pipe" \
  || bad "wait notice in a pipe (exit $RC)" "$(head -c 300 "$T/err")"

finish
