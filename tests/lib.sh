# Shared helpers for the CLI tests (sourced).  Each check prints one line;
# the script ends with "N passed, M failed" and fails if any check failed.
: "${CFAUG:?set CFAUG to the cfaug binary}"
PASS=0; FAIL=0
T=$(mktemp -d /tmp/cfaug-cli-XXXXXX)
trap 'rm -rf "$T"' EXIT

ok()   { PASS=$((PASS+1)); echo "ok   - $1"; }
bad()  { FAIL=$((FAIL+1)); echo "FAIL - $1"; [ -n "${2:-}" ] && echo "       $2"; }

# run_cf NAME [args...]: runs cfaug, keeps exit code in RC, output in $T/out, $T/err
run_cf() { "$CFAUG" "$@" >"$T/out" 2>"$T/err" </dev/null; RC=$?; }

# expect CODE NAME -- args...: exit code check
expect() {
  local code=$1 name=$2; shift 3
  run_cf "$@"
  if [ "$RC" -eq "$code" ]; then ok "$name (exit $code)"
  else bad "$name: exit $RC, wanted $code" "$(head -c 300 "$T/err")"; fi
}

# contains FILE TEXT NAME
contains() {
  if grep -qF -- "$2" "$1"; then ok "$3"
  else bad "$3: '$2' not in output" "$(head -c 300 "$1")"; fi
}

finish() {
  echo "$PASS passed, $FAIL failed"
  [ "$FAIL" -eq 0 ]
}
