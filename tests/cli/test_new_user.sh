#!/usr/bin/env bash
# What a new user met following the README, the tutorial and examples/
# (bench/read/newuser_*.tsv): a dry run's estimate that listed output files
# and written originals, validate's missing input without the directory it
# was relative to, merge replacing another pipeline's output silently, an
# NLI example whose sample data had one label, an example header without
# its command.  Run from the project root.
set -u
. "$(dirname "$0")/../lib.sh"

# --- a dry run writes nothing, and its estimate says so --------------------
expect 0 "dry run with an estimate file" -- run examples/quickstart.yaml -q \
  -o "$T/dry" --dry-run="$T/est.json"
python3 - "$T/est.json" >"$T/check" 2>&1 <<'PY' \
  && ok "estimate: no files, no originals written" || bad "estimate" "$(cat "$T/check")"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["dry_run"] is True, r.get("dry_run")
assert r["files"] == [], r["files"]
assert r["totals"]["originals_written"] == 0, r["totals"]
assert r["totals"]["records_read"] == 240, r["totals"]
PY
[ -e "$T/dry" ] && bad "dry run created its output directory" || ok "dry run: no directory"

# --- validate: a missing input says relative to what, and the fix ----------
mkdir -p "$T/w"
(cd "$T/w" && "$CFAUG" init gender-cda -o p.yaml >/dev/null)
(cd "$T/w" && "$CFAUG" validate p.yaml) >"$T/out" 2>"$T/err"; RC=$?
[ "$RC" -eq 3 ] && ok "validate: missing input is exit 3" || bad "validate exit $RC"
contains "$T/err" "p.yaml:9:9: input file 'data.jsonl' (relative to $T/w)" "validate names file:line:col and the directory"
contains "$T/err" "--set input.path=FILE" "validate says what to do"
cp examples/data/reviews.jsonl "$T/w/data.jsonl"
(cd "$T/w" && "$CFAUG" validate p.yaml) >"$T/out" 2>"$T/err" \
  && ok "the starter validates once its input exists" || bad "starter" "$(cat "$T/err")"
expect 0 "help init" -- help init
contains "$T/out" "--set input.path=FILE" "help init: says the starter needs its input"

finish
