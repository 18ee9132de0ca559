#!/usr/bin/env bash
# Golden end-to-end cases: every tests/cases/NAME/ holds pipeline.yaml, its
# input, and expected/ with the files the run must write, byte for byte
# (report.json varies with time, so expected/totals.json holds its "totals"
# and expected/stages.json the per-stage counts).  Optional files: args
# (extra arguments for cfaug run), exit (the expected exit code).
# CFAUG_UPDATE_GOLDEN=1 rewrites expected/ from the current binary: review
# the diff before committing it.  CFAUG_WRAP runs cfaug under a tool
# (the valgrind label sets it to valgrind memcheck).
set -u
: "${CFAUG:?set CFAUG to the cfaug binary}"
root=$(cd "$(dirname "$0")/.." && pwd)
pass=0; fail=0
tmp=$(mktemp -d /tmp/cfaug-cases-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# Print the report's totals, or its per-stage counts without timings.
report_part() {
  python3 - "$1" "$2" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
if sys.argv[2] == "totals":
    out = r["totals"]
else:
    out = [{k: v for k, v in s.items() if k != "seconds"} for s in r["stages"]]
print(json.dumps(out, indent=1, sort_keys=True))
PY
}

for dir in "$root"/tests/cases/*/; do
  name=$(basename "$dir")
  out="$tmp/$name"
  args=()
  [ -f "$dir/args" ] && read -r -a args <"$dir/args"
  want_rc=0
  [ -f "$dir/exit" ] && want_rc=$(cat "$dir/exit")
  # shellcheck disable=SC2086
  (cd "$dir" && ${CFAUG_WRAP:-} "$CFAUG" run pipeline.yaml -o "$out" -q "${args[@]}") \
    >"$tmp/$name.stdout" 2>"$tmp/$name.stderr"
  rc=$?
  if [ "$rc" -ne "$want_rc" ]; then
    echo "FAIL - $name: exit $rc, wanted $want_rc"; sed 's/^/       /' "$tmp/$name.stderr"
    fail=$((fail+1)); continue
  fi
  if [ -n "${CFAUG_UPDATE_GOLDEN:-}" ]; then
    mkdir -p "$dir/expected"
    for f in pairs.jsonl augmented.jsonl rejected.jsonl errors.jsonl; do
      [ -f "$out/$f" ] && cp "$out/$f" "$dir/expected/$f"
    done
    [ -f "$out/report.json" ] && report_part "$out/report.json" totals >"$dir/expected/totals.json"
    [ -f "$out/report.json" ] && report_part "$out/report.json" stages >"$dir/expected/stages.json"
    [ "$want_rc" -ne 0 ] && cp "$tmp/$name.stderr" "$dir/expected/stderr"
  fi
  bad=""
  for exp in "$dir"/expected/*; do
    f=$(basename "$exp")
    case "$f" in
      totals.json) got=$(report_part "$out/report.json" totals 2>&1) ;;
      stages.json) got=$(report_part "$out/report.json" stages 2>&1) ;;
      stderr)      got=$(cat "$tmp/$name.stderr") ;;
      *)           got=$(cat "$out/$f" 2>&1) ;;
    esac
    if [ "$got" != "$(cat "$exp")" ]; then
      bad="$bad $f"
      diff <(echo "$got") "$exp" | head -10 | sed 's/^/       /'
    fi
  done
  if [ -z "$bad" ]; then echo "ok   - $name"; pass=$((pass+1))
  else echo "FAIL - $name:$bad differ"; fail=$((fail+1)); fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
