#!/usr/bin/env bash
# Crash safety: a run killed with SIGKILL at several moments leaves no file
# that looks whole, and the same command run again produces output
# byte-identical to an uninterrupted run.  SIGTERM stops cleanly (130).
set -u
. "$(dirname "$0")/../lib.sh"

for i in $(seq 1 40); do
  sed "s/\"id\": \"dev/\"id\": \"k$i-dev/" examples/data/reviews.jsonl
done >"$T/in.jsonl"
run() { "$CFAUG" run examples/quickstart.yaml -i "$T/in.jsonl" -o "$1" -q; }
files="pairs.jsonl augmented.jsonl rejected.jsonl errors.jsonl"

t0=$(date +%s%N); run "$T/ref" || bad "reference run failed"; t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 )); [ "$ms" -lt 20 ] && ms=20
ok "reference run took ${ms} ms"

killed=0
for frac in 5 15 30 50 70 90; do
  out="$T/k$frac"
  "$CFAUG" run examples/quickstart.yaml -i "$T/in.jsonl" -o "$out" -q &
  pid=$!
  sleep "$(awk -v m="$ms" -v f="$frac" 'BEGIN {printf "%.3f", m * f / 100000}')"
  if kill -KILL "$pid" 2>/dev/null; then
    wait "$pid" 2>/dev/null
    killed=$((killed + 1))
    # nothing that looks whole: either no final files, or (if the kill
    # came after the commit) all of them, complete
    if [ -e "$out/report.json" ]; then
      for f in $files; do cmp -s "$out/$f" "$T/ref/$f" || bad "kill at $frac%: $f differs"; done
    else
      for f in $files; do [ -e "$out/$f" ] && bad "kill at $frac%: $f exists without report.json"; done
    fi
  else
    wait "$pid"
  fi
  run "$out" || bad "re-run after kill at $frac% failed"
  same=1
  for f in $files; do cmp -s "$out/$f" "$T/ref/$f" || same=0; done
  [ "$same" = 1 ] && ok "killed at ~$frac%, re-run output identical" \
    || bad "killed at ~$frac%: re-run output differs"
  ls -A "$out" | grep -q '\.part$' && bad "kill at $frac%: partial files left after the re-run"
done
[ "$killed" -ge 3 ] && ok "$killed runs were really killed mid-way" || bad "only $killed runs were killed"

# two runs into one output directory: the second is refused, the first
# completes untouched
"$CFAUG" run examples/quickstart.yaml -i "$T/in.jsonl" -o "$T/busy" -q &
pid=$!
sleep 0.2
"$CFAUG" run examples/quickstart.yaml -i "$T/in.jsonl" -o "$T/busy" -q 2>"$T/err"; RC=$?
wait "$pid"; RC1=$?
[ "$RC" -eq 1 ] && ok "a second run into a busy directory fails" || bad "second run: exit $RC"
contains "$T/err" "another cfaug run is writing" "the refusal says why"
[ "$RC1" -eq 0 ] && cmp -s "$T/busy/pairs.jsonl" "$T/ref/pairs.jsonl" && ok "the first run completes intact" \
  || bad "the first run was disturbed"

# SIGTERM: a clean stop, exit 130, nothing committed
mkfifo "$T/fifo"
{ head -50 examples/data/reviews.jsonl; sleep 1; } >"$T/fifo" &
w=$!
"$CFAUG" run examples/quickstart.yaml -i "$T/fifo" -o "$T/term" -q 2>"$T/err" &
cf=$!
sleep 0.3
kill -TERM "$cf"; wait "$cf"; RC=$?; wait "$w"
[ "$RC" -eq 130 ] && ok "SIGTERM exits 130" || bad "SIGTERM: exit $RC" "$(cat "$T/err")"
[ ! -e "$T/term/report.json" ] && ok "SIGTERM commits nothing" || bad "SIGTERM left a report"

finish
