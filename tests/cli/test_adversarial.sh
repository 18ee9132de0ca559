#!/usr/bin/env bash
# Hostile and broken input (issue 7).  Every file is generated here (the
# 200 MB ones are streamed into cfaug through a pipe, never written), run
# through tests/data/adversarial/pipe.yaml, and must give a clear reason for
# each bad record in errors.jsonl (or a located config error), stay within
# MAX_RSS_KB of memory and MAX_SECONDS, and still process every good record
# after the bad ones, with totals that reconcile (checked by verify.py).
# Run from the project root with CFAUG set.  Prints each run's peak RSS and
# time (figures in docs/RELIABILITY.md).
set -u
. "$(dirname "$0")/../lib.sh"
P=tests/data/adversarial/pipe.yaml
V=tests/data/adversarial/verify.py
MAX_RSS_KB=65536     # also under ASan+UBSan: measured at most 30 MB there
MAX_SECONDS=60
MB200=200000000

# arun NAME FORMAT [args...] <INPUT: cfaug run on stdin, output in $T/NAME;
# sets RC, RSS (KB) and SECS.
arun() {
  local name=$1 fmt=$2; shift 2
  /usr/bin/time -f '%M %e' -o "$T/$name.time" "$CFAUG" run "$P" -i - \
    -o "$T/$name" --set input.format="$fmt" -q "$@" >"$T/out" 2>"$T/err"
  RC=$?
  read -r RSS SECS < <(tail -n 1 "$T/$name.time")
}

# ctime NAME [args...]: any cfaug command, timed the same way
ctime() {
  local name=$1; shift
  /usr/bin/time -f '%M %e' -o "$T/$name.time" "$CFAUG" "$@" >"$T/out" 2>"$T/err" </dev/null
  RC=$?
  read -r RSS SECS < <(tail -n 1 "$T/$name.time")
}

# bounded NAME WANT_RC: exit code, memory and time of the last run
bounded() {
  if [ "$RC" -eq "$2" ]; then ok "$1: exit $2"
  else bad "$1: exit $RC, wanted $2" "$(head -c 300 "$T/err")"; fi
  if [ "$RSS" -le "$MAX_RSS_KB" ] && awk "BEGIN{exit !($SECS <= $MAX_SECONDS)}"; then
    ok "$1: bounded (peak RSS $((RSS / 1024)) MB, ${SECS} s)"
  else
    bad "$1: peak RSS ${RSS} KB (max $MAX_RSS_KB), ${SECS} s (max $MAX_SECONDS)"
  fi
}

# verify NAME PROCESSED ERRORS [LINE:REASON]... [+ID]...  (see verify.py)
verify() {
  local name=$1; shift
  if python3 "$V" "$T/$name" "$@" >"$T/verify" 2>&1; then
    ok "$name: errors located and explained, later records kept, totals reconcile"
  else
    bad "$name: output" "$(head -c 600 "$T/verify")"
  fi
}

# --- a 200 MB record, then good ones ------------------------------------------
big_jsonl() {
  printf '{"id":"g1","text":"before"}\n{"id":"huge","text":"'
  head -c $MB200 /dev/zero | tr '\0' a
  printf '"}\n{"id":"g2","text":"after"}\n{"id":"g3","text":"after too"}\n'
}
arun big_jsonl jsonl < <(big_jsonl)
bounded "200 MB JSONL line" 0
verify big_jsonl 3 1 "2:record exceeds max_record_bytes (1048576)" +g1 +g2 +g3

big_csv() {
  printf 'id,text\ng1,before\nhuge,"'
  head -c $MB200 /dev/zero | tr '\0' a
  printf '"\ng2,after\ng3,"after, quoted"\n'
}
arun big_csv csv < <(big_csv)
bounded "200 MB quoted CSV field" 0
verify big_csv 3 1 "3:record exceeds max_record_bytes (1048576)" +g1 +g2 +g3

# --- NUL bytes ----------------------------------------------------------------
printf '{"id":"g1","text":"ok"}\n{"id":"n1","text":"a\0b"}\n{"id":"n2","text":"ab"}\0\n\0{"id":"n3","text":"c"}\n{"id":"g2","text":"after"}\n' >"$T/nul.jsonl"
arun nul_jsonl jsonl <"$T/nul.jsonl"
bounded "NUL in JSONL" 0
verify nul_jsonl 2 3 "2:NUL byte at byte 21" "3:NUL byte at byte 24" \
  "4:NUL byte at byte 1" +g1 +g2

printf 'id,text\ng1,ok\nn1,a\0b\nn2,"quoted \0 nul"\ng2,after\n' >"$T/nul.csv"
arun nul_csv csv <"$T/nul.csv"
bounded "NUL in CSV" 0
verify nul_csv 2 2 "3:NUL byte at byte 5" "4:NUL byte at byte 12" +g1 +g2

# --- invalid and overlong UTF-8 -------------------------------------------------
# C0 80 and E0 80 80 (overlong NUL), ED A0 80 (UTF-16 surrogate), F4 90 80 80
# (above U+10FFFF), a sequence cut by the closing quote, by the line end and
# by the end of the file.
SEQS='\xC0\x80 \xE0\x80\x80 \xED\xA0\x80 \xF4\x90\x80\x80 \xE2\x82'
utf8_input() {   # PREFIX_FMT SUFFIX: one bad record per sequence
  local k=1 s
  printf "$1" g1 ok; printf "$2\n"
  for s in $SEQS; do printf "$1" "u$k" "x$s"; printf "$2\n"; k=$((k + 1)); done
  printf "$1" u6 'x\xE2\x82'; printf '\n'              # cut by the line end
  printf "$1" g2 after; printf "$2\n"
  printf "$1" u7 'x\xF0\x9F\x98'                        # cut by the end of file
}
utf8_input '{"id":"%s","text":"%b' '"}' >"$T/utf8.jsonl"
arun utf8_jsonl jsonl <"$T/utf8.jsonl"
bounded "invalid UTF-8 in JSONL" 0
verify utf8_jsonl 2 7 "2:invalid UTF-8 at byte 21" "3:invalid UTF-8 at byte 21" \
  "4:invalid UTF-8 at byte 21" "5:invalid UTF-8 at byte 21" \
  "6:invalid UTF-8 at byte 21" "7:invalid UTF-8 at byte 21" \
  "9:invalid UTF-8 at byte 21" +g1 +g2

for fmt in csv tsv; do
  sep=,; [ $fmt = tsv ] && sep='\t'
  { printf "id${sep}text\n"; utf8_input "%s${sep}%b" ''; } >"$T/utf8.$fmt"
  arun utf8_$fmt $fmt <"$T/utf8.$fmt"
  bounded "invalid UTF-8 in ${fmt^^}" 0
  verify utf8_$fmt 2 7 "3:invalid UTF-8 at byte 5" "4:invalid UTF-8 at byte 5" \
    "5:invalid UTF-8 at byte 5" "6:invalid UTF-8 at byte 5" \
    "7:invalid UTF-8 at byte 5" "8:invalid UTF-8 at byte 5" \
    "10:invalid UTF-8 at byte 5" +g1 +g2
done
printf 'id,text\ng1,ok\nq1,"x\xC0\x80"\ng2,after\n' >"$T/utf8q.csv"
arun utf8_quoted_csv csv <"$T/utf8q.csv"
bounded "invalid UTF-8 in a quoted CSV field" 0
verify utf8_quoted_csv 2 1 "3:invalid UTF-8 at byte 6" +g1 +g2

# --- nesting: 1,000,000 '[' on one line ---------------------------------------
deep() {
  printf '{"id":"g1","text":"ok"}\n{"id":"deep","text":"t","x":'
  head -c 1000000 /dev/zero | tr '\0' '['
  printf '\n{"id":"g2","text":"after"}\n'
}
arun deep jsonl --set input.max_record_bytes=4000000 < <(deep)
bounded "1,000,000 nested arrays" 0
verify deep 2 1 "2:invalid JSON: nesting too deep at byte 540" +g1 +g2

# --- unbalanced CSV/TSV quotes ------------------------------------------------
printf 'id,text\ng1,ok\nb1,"unbalanced here\ng2,"fine"\nb2,"closed"junk\ng3,after\nb3,"never closed\ng4,last\n' >"$T/quotes.csv"
arun quotes_csv csv <"$T/quotes.csv"
bounded "unbalanced CSV quotes" 0
verify quotes_csv 4 3 "3:unexpected character after closing quote at line 4" \
  "5:unexpected character after closing quote at line 5" \
  "7:unterminated quote at end of input (opened at line 7)" +g1 +g2 +g3 +g4

{ printf 'id\ttext\nb1\t"open quote\n'; for i in $(seq 1 200); do printf 'g%d\trow %d\n' $i $i; done; } >"$T/open.tsv"
arun open_tsv tsv --set input.max_record_bytes=1024 <"$T/open.tsv"
bounded "TSV quote open past max_record_bytes" 0
verify open_tsv 200 1 "2:quote opened at line 2 not closed within max_record_bytes (1024)" \
  +g1 +g100 +g200

# --- hostile pipeline files ---------------------------------------------------
{
  printf 'input: {path: x.jsonl, text_fields: [text]}\n'
  printf 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
  prev=a
  for n in b c d e f g h i; do
    printf '%s: &%s [*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s]\n' $n $n $prev $prev \
      $prev $prev $prev $prev $prev $prev $prev
    prev=$n
  done
  printf 'output: {dir: o}\n'
} >"$T/lol.yaml"
ctime lol run "$T/lol.yaml" -o "$T/lol-out"
bounded "YAML billion laughs" 3
contains "$T/err" "lol.yaml:2:4: anchors are not supported" "billion laughs: refused at the first anchor, located"

{ cat examples/quickstart.yaml
  yes '# padding padding padding padding padding padding padding padding' | head -c 5000000
} >"$T/big.yaml"
ctime big_yaml validate "$T/big.yaml"
bounded "5 MB YAML" 3
grep -qE "big.yaml:[0-9]+:[0-9]+: file is larger than 4 MiB" "$T/err" \
  && ok "5 MB YAML: refused with FILE:LINE:COL" || bad "5 MB YAML message" "$(cat "$T/err")"

{ printf 'input: {path: x.jsonl, text_fields: [text]}\noutput: {dir: "'
  head -c 3000000 /dev/zero | tr '\0' o
  printf '"}\n'
} >"$T/scalar.yaml"
ctime big_scalar validate "$T/scalar.yaml"
bounded "3 MB YAML scalar" 3
grep -qE "scalar.yaml:2:[0-9]+: value longer than 1048576 bytes" "$T/err" \
  && ok "3 MB YAML scalar: refused with FILE:LINE:COL" || bad "3 MB scalar message" "$(cat "$T/err")"

# --- not UTF-8 at all -----------------------------------------------------------
python3 -c 'import sys; sys.stdout.buffer.write("\ufeff{\"id\":\"g1\",\"text\":\"ok\"}\n{\"id\":\"g2\",\"text\":\"b\"}\n".encode("utf-16-le"))' >"$T/utf16.jsonl"
arun utf16 jsonl <"$T/utf16.jsonl"
bounded "UTF-16 LE JSONL" 4
contains "$T/err" "<stdin>:1: the input is UTF-16 LE" "UTF-16: the encoding is named"
contains "$T/err" "iconv -f UTF-16 -t UTF-8" "UTF-16: how to convert it is said"

# 1 MiB of seeded random bytes (deterministic), then one good record
junk() {
  python3 -c 'import random, sys; random.seed(7); sys.stdout.buffer.write(b"X" + random.randbytes(1 << 20))'
  printf '\n%s\n' "$1"
}
arun junk_jsonl jsonl < <(junk '{"id":"after-junk","text":"ok"}')
bounded "1 MiB binary junk as JSONL" 0
verify junk_jsonl 1 ">1000" +after-junk
arun junk_csv csv < <(printf 'id,text\n'; junk 'after-junk,ok')
bounded "1 MiB binary junk as CSV" 0
# with seed 7 two short junk lines are genuine 2-field rows ("+,@Wb:l" and
# ","), so 3 records are good; everything else is a bad record
verify junk_csv 3 ">1000" +after-junk

finish
