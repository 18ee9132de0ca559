#!/usr/bin/env bash
# Crash safety: a run killed with SIGKILL at several moments leaves no file
# that looks whole, and the same command run again produces output
# byte-identical to an uninterrupted run.  SIGTERM stops cleanly (130).
#
# Where a moment matters, it is made by a handshake, never by a nap: the
# input comes through a FIFO whose writer holds it open until told, and
# "running" means the run has locked its output directory and opened its
# .part files.  Only the kills at fractions of the reference time are left
# to the clock (they explore moments such as the commit); the three kills
# with the input held are mid-run on any machine.
set -u
. "$(dirname "$0")/../lib.sh"

for i in $(seq 1 40); do
  sed "s/\"id\": \"dev/\"id\": \"k$i-dev/" examples/data/reviews.jsonl
done >"$T/in.jsonl"
run() { "$CFAUG" run examples/quickstart.yaml -i "$T/in.jsonl" -o "$1" -q; }
files="pairs.jsonl augmented.jsonl rejected.jsonl errors.jsonl"

# started DIR PID: waits until the run PID has opened DIR's .part files (its
# signal handlers are set and the directory is locked by then), at most
# 120 s; fails if PID ended first
started() {
  local i
  for i in $(seq 1 6000); do
    [ -e "$1/.pairs.jsonl.part" ] && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.02
  done
  return 1
}
# feed FIFO GO LINES: writes the first LINES lines of the input into FIFO,
# then holds it open (the reader blocks, mid-run) until the file GO exists
feed() {
  { head -n "$3" "$T/in.jsonl"
    for i in $(seq 1 6000); do [ -e "$2" ] && break; sleep 0.02; done; } >"$1"
}
# writer_done PID: ends the writer (it is still blocked opening its FIFO
# when the run died before reading it) and reaps it: never a hang
writer_done() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }

# same_as_ref DIR WHAT: the outputs equal the reference run's
same_as_ref() {
  local same=1 f
  for f in $files; do cmp -s "$1/$f" "$T/ref/$f" || same=0; done
  [ "$same" = 1 ] && ok "$2, re-run output identical" || bad "$2: re-run output differs"
  ls -A "$1" | grep -q '\.part$' && bad "$2: partial files left after the re-run"
}
# nothing_whole DIR WHAT: after a kill, either no final file or all of them
nothing_whole() {
  local f
  if [ -e "$1/report.json" ]; then
    for f in $files; do cmp -s "$1/$f" "$T/ref/$f" || bad "$2: $f differs"; done
  else
    for f in $files; do [ -e "$1/$f" ] && bad "$2: $f exists without report.json"; done
  fi
}

t0=$(date +%s%N); run "$T/ref" || bad "reference run failed"; t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 )); [ "$ms" -lt 20 ] && ms=20
ok "reference run took ${ms} ms"

# SIGKILL with the input held: 5%, 50% and 95% of it written, the run
# blocked reading the rest
n=$(wc -l <"$T/in.jsonl")
for frac in 5 50 95; do
  out="$T/h$frac"
  mkfifo "$T/h$frac.fifo"
  feed "$T/h$frac.fifo" "$T/h$frac.go" $(( n * frac / 100 )) & w=$!
  "$CFAUG" run examples/quickstart.yaml -i "$T/h$frac.fifo" -o "$out" -q 2>/dev/null &
  pid=$!
  if started "$out" "$pid"; then
    kill -KILL "$pid"; wait "$pid" 2>/dev/null; RC=$?
    [ "$RC" -eq 137 ] && ok "input ${frac}% written: killed mid-run" \
      || bad "input ${frac}% written: the run ended (exit $RC) before the kill"
  else
    wait "$pid"; bad "input ${frac}% written: the run never opened its output (exit $?)"
  fi
  touch "$T/h$frac.go"; writer_done "$w"
  nothing_whole "$out" "kill with ${frac}% of the input"
  run "$out" || bad "re-run after the kill with ${frac}% of the input failed"
  same_as_ref "$out" "killed with ${frac}% of the input read"
done

# SIGKILL at fractions of the reference run's time: whatever moment that is
# on this machine (before the start, mid-run, during the commit, after)
killed=0
for frac in 5 15 30 50 70 90; do
  out="$T/k$frac"
  "$CFAUG" run examples/quickstart.yaml -i "$T/in.jsonl" -o "$out" -q &
  pid=$!
  sleep "$(awk -v m="$ms" -v f="$frac" 'BEGIN {printf "%.3f", m * f / 100000}')"
  if kill -KILL "$pid" 2>/dev/null; then
    wait "$pid" 2>/dev/null
    killed=$((killed + 1))
    nothing_whole "$out" "kill at $frac%"
  else
    wait "$pid"
  fi
  run "$out" || bad "re-run after kill at $frac% failed"
  same_as_ref "$out" "killed at ~$frac% of the time"
done
echo "     ($killed of the 6 timed kills came before the run ended)"

# two runs into one output directory: the second is refused, the first
# completes untouched (the first holds the lock: its input is held open
# until the second has been turned away)
mkfifo "$T/busy.fifo"
feed "$T/busy.fifo" "$T/busy.go" "$n" & w=$!
"$CFAUG" run examples/quickstart.yaml -i "$T/busy.fifo" -o "$T/busy" -q &
pid=$!
started "$T/busy" "$pid" || bad "the first run never opened its output"
"$CFAUG" run examples/quickstart.yaml -i "$T/in.jsonl" -o "$T/busy" -q 2>"$T/err"; RC=$?
touch "$T/busy.go"
wait "$pid"; RC1=$?; writer_done "$w"
[ "$RC" -eq 1 ] && ok "a second run into a busy directory fails" || bad "second run: exit $RC"
contains "$T/err" "another cfaug run is writing" "the refusal says why"
[ "$RC1" -eq 0 ] && cmp -s "$T/busy/pairs.jsonl" "$T/ref/pairs.jsonl" && ok "the first run completes intact" \
  || bad "the first run was disturbed (exit $RC1)"

# SIGTERM: a clean stop, exit 130, nothing committed.  The signal comes
# while the run is blocked reading; the input's end then wakes it.
mkfifo "$T/fifo"
feed "$T/fifo" "$T/term.go" 50 & w=$!
"$CFAUG" run examples/quickstart.yaml -i "$T/fifo" -o "$T/term" -q 2>"$T/err" &
cf=$!
started "$T/term" "$cf" || bad "the SIGTERM run never opened its output"
kill -TERM "$cf"; touch "$T/term.go"; wait "$cf"; RC=$?; writer_done "$w"
[ "$RC" -eq 130 ] && ok "SIGTERM exits 130" || bad "SIGTERM: exit $RC" "$(cat "$T/err")"
[ ! -e "$T/term/report.json" ] && ok "SIGTERM commits nothing" || bad "SIGTERM left a report"

finish
