#!/usr/bin/env bash
# The output directory under mistakes and faults (issue 11): a dry run
# writes nothing; the five files change as one set (a rename that fails or
# a SIGKILL at any rename of the commit leaves the previous set whole);
# planted symlinks and FIFOs are never followed or opened; input that is an
# output is refused; runs that cannot do their job exit non-zero.
set -u
. "$(dirname "$0")/../lib.sh"

files="pairs.jsonl augmented.jsonl rejected.jsonl errors.jsonl report.json"
head -100 examples/data/reviews.jsonl >"$T/in1.jsonl"
cp examples/data/reviews.jsonl "$T/in2.jsonl"
# the dataset card is written after the set (its own rename): off here
run() { "$CFAUG" run examples/quickstart.yaml -q --set output.card=false "$@"; }
same_set() {  # same_set DIR REF: every file of the set byte-identical
  local f; for f in $files; do cmp -s "$1/$f" "$2/$f" || { echo "$f differs"; return 1; }; done
}
no_leftovers() { ! ls -A "$1" | grep -qE '\.part$|\.prev$|^\.cfaug\.journal'; }
# report.json holds timings: compare it without them
strip_times() { python3 -c "
import json, sys
for p in sys.argv[1:]:
    r = json.load(open(p)); r.pop('timing', 0); [s.pop('seconds', 0) for s in r['stages']]
    json.dump(r, open(p, 'w'))" "$@"; }
snapshot() { rm -rf "$2"; cp -a "$1" "$2"; strip_times "$2/report.json"; }
check_set() { local d="$T/cmp"; snapshot "$1" "$d"; same_set "$d" "$2"; }

run -i "$T/in1.jsonl" -o "$T/ref1" || bad "reference run 1"
run -i "$T/in2.jsonl" -o "$T/ref2" || bad "reference run 2"
strip_times "$T/ref1/report.json" "$T/ref2/report.json"

# --- dry run: no file at all ------------------------------------------------
cp -a "$T/ref1" "$T/d"
before=$(cd "$T/d" && sha256sum $files)
expect 0 "dry run over a real output" -- run examples/quickstart.yaml -i "$T/in2.jsonl" -o "$T/d" --dry-run
[ "$(cd "$T/d" && sha256sum $files)" = "$before" ] && ok "the real outputs are untouched" \
  || bad "dry run changed the outputs"
expect 0 "dry run into a new directory" -- run examples/quickstart.yaml -i "$T/in2.jsonl" -o "$T/d2" --dry-run="$T/est.json"
[ ! -e "$T/d2" ] && ok "dry run created no directory" || bad "dry run created $(ls -A "$T/d2")"
contains "$T/err" "dry run: no stage sends requests" "the estimate goes to stderr"
python3 -c "import json; r = json.load(open('$T/est.json')); assert r['dry_run'] and r['totals']['records_read'] == 240" \
  && ok "--dry-run=FILE writes the estimate there" || bad "estimate file"

# --- a failed rename at every step of the commit ----------------------------
# renames of a commit: the journal, then the five files (6); the 7th is past it
for n in 1 2 3 4 5 6; do
  rm -rf "$T/f"; cp -a "$T/ref1" "$T/f"
  CFAUG_FAULT_RENAME=$n LD_PRELOAD="$CFAUG_FAULT_LIB" ASAN_OPTIONS=verify_asan_link_order=0 \
    "$CFAUG" run examples/quickstart.yaml -q --set output.card=false -i "$T/in2.jsonl" -o "$T/f" 2>"$T/err"; RC=$?
  if [ "$RC" = 1 ] && grep -q "previous output was kept\|cannot rename" "$T/err" &&
     check_set "$T/f" "$T/ref1" >/dev/null && no_leftovers "$T/f"; then
    ok "rename $n fails: exit 1, the previous set is whole, nothing left over"
  else bad "rename $n fails: exit $RC, $(check_set "$T/f" "$T/ref1"), $(ls -A "$T/f" | tr '\n' ' ')" "$(cat "$T/err")"; fi
done
rm -rf "$T/f"; cp -a "$T/ref1" "$T/f"
CFAUG_FAULT_RENAME=7 LD_PRELOAD="$CFAUG_FAULT_LIB" ASAN_OPTIONS=verify_asan_link_order=0 \
  "$CFAUG" run examples/quickstart.yaml -q --set output.card=false -i "$T/in2.jsonl" -o "$T/f" 2>"$T/err"; RC=$?
[ "$RC" = 0 ] && check_set "$T/f" "$T/ref2" >/dev/null && no_leftovers "$T/f" \
  && ok "the injection point is past the commit: the new set, whole" || bad "rename 7: exit $RC"

# --- SIGKILL at every rename of the commit ----------------------------------
# The next run on the directory puts the previous set back before anything
# else; here that run stops at its first record (on_error: fail, exit 4), so
# what it leaves is exactly the recovered set.
printf '{"id": "x", "text": 5}\n' >"$T/bad.jsonl"
for n in 1 2 3 4 5 6; do
  rm -rf "$T/k"; cp -a "$T/ref1" "$T/k"
  { (CFAUG_FAULT_RENAME=$n CFAUG_FAULT_MODE=kill LD_PRELOAD="$CFAUG_FAULT_LIB" ASAN_OPTIONS=verify_asan_link_order=0 \
    exec "$CFAUG" run examples/quickstart.yaml -q --set output.card=false -i "$T/in2.jsonl" -o "$T/k"); RC=$?; } 2>/dev/null
  [ "$RC" = 137 ] || bad "kill at rename $n: exit $RC, not killed"
  run -i "$T/bad.jsonl" -o "$T/k" --set input.on_error=fail 2>"$T/err"; RC=$?
  if [ "$RC" = 4 ] && check_set "$T/k" "$T/ref1" >/dev/null && no_leftovers "$T/k"; then
    ok "SIGKILL at rename $n: the next run restores the previous set whole"
  else bad "SIGKILL at rename $n: exit $RC, $(check_set "$T/k" "$T/ref1")" "$(cat "$T/err")"; fi
  run -i "$T/in2.jsonl" -o "$T/k" && check_set "$T/k" "$T/ref2" >/dev/null \
    || bad "SIGKILL at rename $n: the re-run differs"
done

# --- planted symlinks and FIFOs ---------------------------------------------
mkdir -p "$T/s"; echo precious >"$T/victim"
ln -s "$T/victim" "$T/s/.pairs.jsonl.part"
expect 1 "a symlink planted at .pairs.jsonl.part is refused" -- run examples/quickstart.yaml -i "$T/in1.jsonl" -o "$T/s"
contains "$T/err" "$T/s/.pairs.jsonl.part: is a symbolic link, not a regular file" "the message names the path and what it is"
[ "$(cat "$T/victim")" = precious ] && ok "the symlink's target is untouched" || bad "the target was overwritten"
rm -f "$T/s/.pairs.jsonl.part" "$T/s/.cfaug.lock"; ln -s "$T/victim" "$T/s/.cfaug.lock"
expect 1 "a symlink planted at .cfaug.lock is refused" -- run examples/quickstart.yaml -i "$T/in1.jsonl" -o "$T/s"
contains "$T/err" ".cfaug.lock: is a symbolic link" "the lock's message names it"
rm -f "$T/s/.cfaug.lock"; mkfifo "$T/s/.augmented.jsonl.part"
timeout -k 5 20 "$CFAUG" run examples/quickstart.yaml -i "$T/in1.jsonl" -o "$T/s" 2>"$T/err"; RC=$?
[ "$RC" = 1 ] && ok "a FIFO planted at .augmented.jsonl.part is refused at once (exit 1)" \
  || bad "FIFO at .augmented.jsonl.part: exit $RC (124: it hung)"
contains "$T/err" ".augmented.jsonl.part: is a FIFO" "the FIFO's message names it"
rm -f "$T/s/.augmented.jsonl.part"; ln -s "$T/victim" "$T/s/.cfaug.journal"
expect 1 "a symlink planted as the commit journal is refused" -- run examples/quickstart.yaml -i "$T/in1.jsonl" -o "$T/s"
[ "$(cat "$T/victim")" = precious ] && ok "the journal's target is untouched" || bad "the target changed"

# --- input that is one of the outputs ---------------------------------------
cp -a "$T/ref1" "$T/io"
expect 3 "input = DIR/augmented.jsonl is refused" -- run examples/quickstart.yaml -i "$T/io/augmented.jsonl" -o "$T/io"
contains "$T/err" "a file this run writes" "the message says why"
cp "$T/in1.jsonl" "$T/io/.pairs.jsonl.part"
expect 3 "input = a leftover .part is refused" -- run examples/quickstart.yaml -i "$T/io/.pairs.jsonl.part" -o "$T/io"
cmp -s "$T/io/.pairs.jsonl.part" "$T/in1.jsonl" && ok "the .part input is not truncated" || bad ".part input truncated"
ln "$T/io/pairs.jsonl" "$T/hardlink.jsonl"
expect 3 "input = a hard link to an output is refused" -- run examples/quickstart.yaml -i "$T/hardlink.jsonl" -o "$T/io"
"$CFAUG" run examples/quickstart.yaml -q --set output.card=false -i - -o "$T/io" <"$T/io/pairs.jsonl" 2>"$T/err"; RC=$?
[ "$RC" = 3 ] && ok "stdin redirected from an output is refused (exit 3)" || bad "stdin from an output: exit $RC"
rm "$T/io/.pairs.jsonl.part"
check_set "$T/io" "$T/ref1" >/dev/null && ok "the outputs are untouched" || bad "outputs changed"

# --- a run that cannot do its job exits non-zero ----------------------------
expect 4 "wrong text_fields: every record failed" -- run examples/quickstart.yaml -i "$T/in1.jsonl" -o "$T/w" --set 'input.text_fields=[txt]'
contains "$T/err" "every record failed: 100 of 100 records are errors, most of them missing_text_field (100)" "the message names the dominant reason and its count"
expect 4 "a --set that breaks the label set" -- run examples/quickstart.yaml -i "$T/in1.jsonl" -o "$T/w" --set 'input.labels=[pos,neg]'
contains "$T/err" "unknown_label (100)" "the message names unknown_label"
[ -s "$T/w/errors.jsonl" ] && ok "errors.jsonl is written all the same" || bad "no errors.jsonl"

# the hook a stage uses to say it could not work (network stages: all failed)
printf 'input: {path: %s, id_field: id, text_fields: [text]}\nstages:\n  - {type: reorder, unable: "every request failed (12 of 12)"}\noutput: {dir: %s}\n' \
  "$T/in1.jsonl" "$T/u" >"$T/u.yaml"
expect 1 "a stage that could not do its job: exit 1" -- run "$T/u.yaml" -q
contains "$T/err" "stage 'reorder' could not do its job: every request failed (12 of 12)" "the message names the stage and why"

if "$CFAUG" teacher train -i tests/data/teacher/train.jsonl --text-field text --label-field label \
     -o "$T/m.cft" --epochs 2 >/dev/null 2>&1; then
  expect 4 "teacher predict with the wrong --text-field" -- teacher predict -m "$T/m.cft" \
    -i tests/data/teacher/heldout.jsonl --text-field nope
  contains "$T/err" "every record failed (80 bad, none scored)" "predict says so"
fi

# --- --set flow values, validate checks the input ---------------------------
expect 0 "--set input.labels=[a,b] validates" -- validate examples/quickstart.yaml --set 'input.labels=[negative,positive]'
expect 3 "a --set list where a string is wanted is a config error" -- validate examples/quickstart.yaml --set 'input.label_field=[a,b]'
expect 2 "a --set value that is broken YAML" -- validate examples/quickstart.yaml --set 'input.labels=[a,'
contains "$T/err" "not a YAML value" "the message says so"
expect 0 "a quoted --set value is a string" -- validate examples/quickstart.yaml --set "input.label_field='[x]'"
expect 3 "validate: the input file does not exist" -- validate examples/quickstart.yaml --set input.path="$T/nope.jsonl"
contains "$T/err" "input file '$T/nope.jsonl': No such file or directory" "the message names the file"

finish
