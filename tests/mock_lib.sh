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
  local i
  for i in $(seq 1 100); do
    [ -s "$T/mock.port" ] && break
    sleep 0.05
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

# Requests the mock has logged so far (it logs each one when it ends).
mock_requests() { wc -l <"$MOCK_LOG" | tr -d ' '; }

trap 'stop_mock; rm -rf "$T"' EXIT
