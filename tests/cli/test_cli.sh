#!/usr/bin/env bash
# CLI: commands, messages and exit codes (0 ok, 1 runtime, 2 usage,
# 3 config, 4 data under on_error: fail).  Run from the project root.
set -u
. "$(dirname "$0")/../lib.sh"

# --- usage and help -------------------------------------------------------
expect 2 "no arguments" --
contains "$T/err" "usage: cfaug COMMAND" "usage goes to stderr"
expect 0 "--help" -- --help
contains "$T/out" "validate" "--help lists the commands"
expect 0 "--version" -- --version
contains "$T/out" "cfaug 0." "--version prints the version"
expect 2 "unknown command" -- frobnicate
contains "$T/err" "no such command 'frobnicate'" "unknown command is named"
expect 0 "help run" -- help run
contains "$T/out" "--shard K/N" "help run documents --shard"
expect 0 "help stages" -- help stages
for s in passthrough case edit_filter reorder; do
  contains "$T/out" "  $s " "help stages lists $s"
done
expect 2 "run without a pipeline" -- run
contains "$T/err" "missing the pipeline file" "missing pipeline is explained"
expect 2 "bad --shard 0/4" -- run examples/quickstart.yaml --shard 0/4
expect 2 "bad --shard 5/4" -- run examples/quickstart.yaml --shard 5/4
expect 2 "bad --shard text" -- run examples/quickstart.yaml --shard half
expect 2 "unknown option" -- run examples/quickstart.yaml --frob
expect 2 "-o is only for run" -- validate examples/quickstart.yaml -o x

# --- config errors: exit 3 with FILE:LINE:COL ---------------------------------
cat > "$T/bad.yaml" <<'Y'
input:
  path: in.jsonl
  pth: oops
  text_fields: [text]
output:
  dir: out
Y
expect 3 "unknown key" -- validate "$T/bad.yaml"
contains "$T/err" "bad.yaml:3:3: unknown key 'pth'" "unknown key has file:line:col"

printf 'input: {path: x.jsonl, text_fields: [text]}\nstages:\n  - type: nosuch\noutput: {dir: o}\n' >"$T/st.yaml"
expect 3 "unknown stage type" -- validate "$T/st.yaml"
contains "$T/err" "st.yaml:3:11: unknown stage type 'nosuch'" "unknown stage type located"

printf 'input: {path: "${CFAUG_TEST_UNSET_VAR}", text_fields: [text]}\noutput: {dir: o}\n' >"$T/env.yaml"
expect 3 "unset environment variable" -- validate "$T/env.yaml"
contains "$T/err" "CFAUG_TEST_UNSET_VAR" "unset variable is named"
CFAUG_TEST_UNSET_VAR=examples/data/reviews.jsonl run_cf validate "$T/env.yaml"
[ "$RC" -eq 0 ] && ok "set environment variable is used" || bad "env var: exit $RC" "$(cat "$T/err")"

printf 'input: [unclosed\n' >"$T/syntax.yaml"
expect 3 "YAML syntax error" -- validate "$T/syntax.yaml"
grep -qE 'syntax.yaml:[0-9]+:[0-9]+: ' "$T/err" && ok "syntax error has file:line:col" \
  || bad "syntax error location" "$(cat "$T/err")"

expect 2 "--set through a scalar" -- validate examples/quickstart.yaml --set seed.x=1
expect 3 "--set with a bad value" -- validate examples/quickstart.yaml --set seed=abc
contains "$T/err" "seed" "--set error names the key"
expect 0 "validate the quickstart" -- validate examples/quickstart.yaml

# --- runs ---------------------------------------------------------------------
expect 0 "quickstart runs" -- run examples/quickstart.yaml -o "$T/q"
contains "$T/out" "records read" "summary on stdout"
for f in pairs.jsonl augmented.jsonl rejected.jsonl errors.jsonl report.json; do
  [ -f "$T/q/$f" ] && ok "wrote $f" || bad "missing $f"
done
mode=$(stat -c %a "$T/q/pairs.jsonl")
[ "$mode" = 600 ] && ok "output files are private (0600)" || bad "pairs.jsonl mode $mode"
ls -A "$T/q" | grep -q '\.part' && bad "partial files left behind" || ok "no partial files left"

expect 0 "quiet run" -- run examples/quickstart.yaml -o "$T/q2" -q
[ ! -s "$T/out" ] && [ ! -s "$T/err" ] && ok "-q prints nothing" || bad "-q printed something"

# stdin in, pairs on stdout, summary on stderr
"$CFAUG" run examples/quickstart.yaml -i - -o - <examples/data/reviews.jsonl >"$T/pairs" 2>"$T/err"
RC=$?
[ "$RC" -eq 0 ] && ok "-i - -o - runs" || bad "-i - -o -: exit $RC" "$(cat "$T/err")"
n=$(wc -l <"$T/pairs"); want=$(wc -l <"$T/q/pairs.jsonl")
[ "$n" -eq "$want" ] && ok "stdout holds exactly the pairs ($n)" || bad "stdout has $n lines, wanted $want"
cmp -s "$T/pairs" "$T/q/pairs.jsonl" && ok "stdout pairs equal the file run" || bad "stdout pairs differ"
contains "$T/err" "records read" "summary goes to stderr with -o -"

expect 1 "missing input file" -- run examples/quickstart.yaml -i "$T/nope.jsonl" -o "$T/x"
contains "$T/err" "nope.jsonl" "missing input names the file"
expect 1 "unwritable output" -- run examples/quickstart.yaml -o /proc/cfaug-cannot
contains "$T/err" "/proc/cfaug-cannot" "unwritable output names the path"

# bad data: errors.jsonl with lines, or exit 4 under on_error: fail
printf '{"id":"a","text":"One.","label":"positive"}\n{"id":"b","text":"Two.","label":"neutral"}\n{oops\n{"id":"d","text":"Four.","label":"negative"}\n' >"$T/mixed.jsonl"
expect 0 "bad records are skipped" -- run examples/quickstart.yaml -i "$T/mixed.jsonl" -o "$T/m" -q
[ "$(wc -l <"$T/m/errors.jsonl")" -eq 2 ] && ok "two error lines" || bad "errors.jsonl" "$(cat "$T/m/errors.jsonl")"
contains "$T/m/errors.jsonl" '"line":2' "error line 2 (unknown label)"
contains "$T/m/errors.jsonl" '"line":3' "error line 3 (malformed)"
expect 4 "on_error: fail" -- run examples/quickstart.yaml -i "$T/mixed.jsonl" -o "$T/m4" --set input.on_error=fail
contains "$T/err" "mixed.jsonl:2: record 2: unknown label 'neutral'" "data error message has file:line"
[ ! -e "$T/m4/report.json" ] && ok "failed run commits nothing" || bad "report.json written by a failed run"

# shards: N runs together give the single-run output
for k in 1 2 3; do
  "$CFAUG" run examples/quickstart.yaml -o "$T/s$k" --shard $k/3 -q || bad "shard $k/3 failed"
done
sort "$T/s1/augmented.jsonl" "$T/s2/augmented.jsonl" "$T/s3/augmented.jsonl" >"$T/shards"
sort "$T/q/augmented.jsonl" >"$T/single"
cmp -s "$T/shards" "$T/single" && ok "3 shards = the single run" || bad "shards differ from the single run"
for k in 1 2 3; do [ -s "$T/s$k/augmented.jsonl" ] || bad "shard $k is empty"; done

# progress line: on stderr only when it is a terminal (script(1) gives a pty)
if command -v script >/dev/null; then
  script -qec "$CFAUG run examples/quickstart.yaml -o $T/tty" /dev/null >"$T/tty.out" 2>&1
  contains "$T/tty.out" "240 records" "progress line on a terminal"
  contains "$T/tty.out" "/s" "progress line shows a rate"
  script -qec "$CFAUG run examples/quickstart.yaml -o $T/tty -q" /dev/null >"$T/tty.out" 2>&1
  [ ! -s "$T/tty.out" ] && ok "no progress with -q" || bad "-q printed on a terminal" "$(cat "$T/tty.out")"
  "$CFAUG" run examples/quickstart.yaml -o "$T/notty" 2>"$T/notty.err" >/dev/null
  [ ! -s "$T/notty.err" ] && ok "no progress when stderr is not a terminal" || bad "progress on a pipe"
fi

# SIGINT: a clean stop, exit 130, nothing committed.  The input is held
# open until the signal is sent, and the signal waits for the run to have
# opened its output (its handlers are set by then): no race with a nap.
mkfifo "$T/fifo"
{ head -100 examples/data/reviews.jsonl
  for i in $(seq 1 6000); do [ -e "$T/int.go" ] && break; sleep 0.02; done; } >"$T/fifo" &
writer=$!
"$CFAUG" run examples/quickstart.yaml -i "$T/fifo" -o "$T/int" -q 2>"$T/err" &
cf=$!
for i in $(seq 1 6000); do
  [ -e "$T/int/.pairs.jsonl.part" ] && break
  kill -0 "$cf" 2>/dev/null || break
  sleep 0.02
done
kill -INT "$cf"
touch "$T/int.go"
wait "$cf"; RC=$?
kill "$writer" 2>/dev/null; wait "$writer" 2>/dev/null   # blocked in open if the run died first
[ "$RC" -eq 130 ] && ok "SIGINT exits 130" || bad "SIGINT: exit $RC" "$(cat "$T/err")"
contains "$T/err" "interrupted" "SIGINT says it was interrupted"
[ ! -e "$T/int/report.json" ] && [ ! -e "$T/int/pairs.jsonl" ] && ok "interrupted run commits nothing" \
  || bad "interrupted run left output"

finish
