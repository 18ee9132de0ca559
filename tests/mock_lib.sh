# Start/stop the mock OpenAI server (tests/mock_openai.py) for CLI tests.
# Sourced after tests/lib.sh.  start_mock ARGS... starts one on a free
# loopback port and sets MOCK_PORT, MOCK_PID and MOCK_LOG (its request log);
# stop_mock kills it by its pid.  An EXIT trap stops it with the temp dir.
MOCK_PID=""
MOCK_N=0
MOCK_PY="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/mock_openai.py"

start_mock() {
  stop_mock
  MOCK_N=$((MOCK_N+1))
  MOCK_LOG="$T/mock$MOCK_N.log"
  : >"$MOCK_LOG"
  rm -f "$T/mock.port"
  python3 "$MOCK_PY" --port 0 --port-file "$T/mock.port" --log "$MOCK_LOG" "$@" \
    2>"$T/mock$MOCK_N.err" &
  MOCK_PID=$!
  # the port file is renamed into place once the mock listens; wait while
  # it lives, up to 60 s (Python's start is slow on a loaded machine)
  local i
  for i in $(seq 1 3000); do
    [ -s "$T/mock.port" ] && break
    kill -0 "$MOCK_PID" 2>/dev/null || break
    sleep 0.02
  done
  MOCK_PORT=$(cat "$T/mock.port" 2>/dev/null)
  [ -n "$MOCK_PORT" ] || { echo "mock server did not start"; cat "$T/mock$MOCK_N.err"; exit 1; }
  export MOCK_PORT
}

stop_mock() {
  if [ -n "$MOCK_PID" ]; then
    kill "$MOCK_PID" 2>/dev/null
    wait "$MOCK_PID" 2>/dev/null
    MOCK_PID=""
  fi
}

# Waits until the mock has answered and logged every request it read (it
# logs one when it ends, which can be after the client got its answer).
mock_idle() {
  python3 -c 'import sys, urllib.request
urllib.request.urlopen("http://127.0.0.1:%s/_mock/idle?wait=15" % sys.argv[1], timeout=60).read()' "$MOCK_PORT"
}

# Requests the mock has logged so far.
mock_requests() { mock_idle; wc -l <"$MOCK_LOG" | tr -d ' '; }

trap 'stop_mock; rm -rf "$T"' EXIT
