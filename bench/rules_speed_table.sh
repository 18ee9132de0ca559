#!/usr/bin/env bash
# The side-by-side speed table of issue 15, in one run: the Python
# reference (~120 gender pairs; gender + names), the Perl filter, cfaug
# passthrough, cfaug gender CDA at each provenance level and output-file
# choice, gender+names and the sentiment packs, the rules stage alone and
# the quickstart pipeline (rules + round_trip + edit_filter).  Every row
# writes to files.  Rows are interleaved run by run; the table gives the
# median wall time, the median user+sys CPU, MB/s on each, peak RSS.
# The references run on prefixes of the corpus (REF_MB, NAMES_MB: Python
# with 1,500 name pairs runs at ~0.1 MB/s) and are compared by MB/s.
# Usage: bench/rules_speed_table.sh CFAUG [CORPUS]
#   CORPUS default bench/work/cad60.jsonl (bench/make_corpus.sh 60 bench/work/cad60.jsonl)
#   RUNS (5) runs of each cfaug row, REF_RUNS (3) of Python/Perl, 1 of Python+names.
#   TABLE_OUT: also write the raw timings there.
#   BEFORE=OLD_CFAUG: also run the main rows with that build (after / before ratios).
#   THREADS="1 2": also the rows gender-full, gender-full-6mb, gender-names,
#     sentiment and quickstart with the rules stage at `threads: N`
#     (NAME-tN) and their speed-up over threads 1 (rthreads, session 5).
#   ROWS=REGEX: run only the rows whose name matches (grep -E), e.g.
#     ROWS='-t[0-9]|^before-(gender-full|gender-names|sentiment|quickstart)$'.
set -eu
cd "$(dirname "$0")/.."
bin=$(realpath "$1"); in=${2:-bench/work/cad60.jsonl}
RUNS=${RUNS:-5}; REF_RUNS=${REF_RUNS:-3}; REF_MB=${REF_MB:-6}; NAMES_MB=${NAMES_MB:-0.3}
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
prefix() {   # MB OUT: whole lines of the corpus up to MB megabytes
  head -c "$(awk -v m="$1" 'BEGIN {printf "%d", m * 1e6}')" "$in" | sed '$d' >"$2"
}
prefix "$REF_MB" "$w/ref.jsonl"
prefix "$NAMES_MB" "$w/names.jsonl"
prefix 6 "$w/six.jsonl"
grep -v '^#' lexicons/gender.tsv | grep . | head -120 >"$w/g120.tsv"
mb() { awk -v b="$(stat -c %s "$1")" 'BEGIN {printf "%.3f", b / 1e6}'; }

# ---- rows: NAME|MB-of-input|command (run by bash -c in the repo) ---------
rows=()
add() { rows+=("$1|$2|$3"); }
yaml() {   # NAME STAGES OUTPUT_EXTRA [INPUT] [BINARY]
  cat >"$w/$1.yaml" <<Y
seed: 13
input: {path: ${4:-$in}, format: jsonl, id_field: id, text_fields: [text], label_field: label, labels: [negative, positive]}
stages:
$2
output: {dir: $w/out-$1$3}
Y
  add "$1" "$(mb "${4:-$in}")" "rm -rf $w/out-$1; '${5:-$bin}' run '$w/$1.yaml' -q"
}
add py-gender120 "$(mb "$w/ref.jsonl")" "python3 bench/ref_cda.py --pairs 120 lexicons/gender.tsv <'$w/ref.jsonl' >'$w/py.out'"
add perl-gender120 "$(mb "$w/ref.jsonl")" "bench/perl_cda.sh '$w/g120.tsv' <'$w/ref.jsonl' >'$w/perl.out'"
add perl-gender-names "$(mb "$w/ref.jsonl")" "bench/perl_cda.sh lexicons/gender.tsv lexicons/names.tsv <'$w/ref.jsonl' >'$w/perl2.out'"
P='  - {type: passthrough}'
# default options (round_trip on, provenance full) unless the row says
G='  - {type: rules, name: r, packs: [gender]}'
N='  - {type: rules, name: r, packs: [gender], provenance: none}'
GN='  - {type: rules, name: r, packs: [gender, names]}'
S='  - {type: rules, name: r, packs: [negation, antonyms], negation_scope: 3, label: {positive: negative, negative: positive}}'
Q="$GN
  - {type: edit_filter, max_ratio: 0.3, ratio_min_tokens: 10}"
yaml passthrough "$P" ""
yaml passthrough-aug "$P" ", files: [augmented]"
yaml gender-full "$G" ""
yaml gender-rules '  - {type: rules, name: r, packs: [gender], provenance: rules}' ""
yaml gender-none "$N" ""
yaml gender-full-no-rt '  - {type: rules, name: r, packs: [gender], round_trip: false}' ""
yaml gender-none-no-rt '  - {type: rules, name: r, packs: [gender], round_trip: false, provenance: none}' ""
yaml gender-full-aug "$G" ", files: [augmented]"
yaml gender-none-aug "$N" ", files: [augmented]"
yaml gender-full-pairs "$G" ", files: [pairs]"
yaml gender-full-6mb "$G" "" "$w/six.jsonl"
yaml gender-names "$GN" ""
yaml sentiment "$S" ""
yaml rules-alone "$GN" ""
yaml quickstart "$Q" ""
if [ -n "${BEFORE:-}" ]; then   # the same rows with an older build, interleaved
  before=$(realpath "$BEFORE")
  yaml before-passthrough "$P" "" "$in" "$before"
  yaml before-gender-full "$G" "" "$in" "$before"
  yaml before-gender-none "$N" "" "$in" "$before"
  yaml before-gender-full-6mb "$G" "" "$w/six.jsonl" "$before"
  yaml before-gender-names "$GN" "" "$in" "$before"
  yaml before-sentiment "$S" "" "$in" "$before"
  yaml before-quickstart "$Q" "" "$in" "$before"
fi

for n in ${THREADS:-}; do   # the rules stage on N threads (N - 1 workers)
  t="threads: $n}"
  yaml "gender-full-t$n" "${G%\}}, $t" ""
  yaml "gender-full-6mb-t$n" "${G%\}}, $t" "" "$w/six.jsonl"
  yaml "gender-names-t$n" "${GN%\}}, $t" ""
  yaml "sentiment-t$n" "${S%\}}, $t" ""
  yaml "quickstart-t$n" "${GN%\}}, $t
  - {type: edit_filter, max_ratio: 0.3, ratio_min_tokens: 10}" ""
done
if [ -n "${ROWS:-}" ]; then
  kept=()
  for r in "${rows[@]}"; do grep -qE -- "$ROWS" <<<"${r%%|*}" && kept+=("$r"); done
  rows=("${kept[@]}")
fi
has() { [ -e "$w/t.$1" ]; }

timed() {   # NAME CMD
  /usr/bin/time -f '%e %U %S %M' -a -o "$w/t.$1" bash -c "$2" || { echo "failed: $1" >&2; exit 1; }
}
load0=$(cut -d' ' -f1-3 /proc/loadavg)
for i in $(seq "$RUNS"); do
  for r in "${rows[@]}"; do
    IFS='|' read -r name size cmd <<<"$r"
    case $name in py-*|perl-*) [ "$i" -le "$REF_RUNS" ] || continue ;; esac
    timed "$name" "$cmd"
  done
  [ "$i" -eq 1 ] && [ -z "${ROWS:-}" ] && timed py-gender-names "python3 bench/ref_cda.py lexicons/gender.tsv lexicons/names.tsv <'$w/names.jsonl' >'$w/py2.out'"
done
[ -z "${ROWS:-}" ] && rows+=("py-gender-names|$(mb "$w/names.jsonl")|")

echo "load average (1, 5, 15 min) at the start: $load0; at the end: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
echo
declare -A W C
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf '| row | input MB | runs | wall s (median) | user+sys s (median) | MB/s wall | MB/s CPU | peak RSS MB |\n'
printf '|---|---|---|---|---|---|---|---|\n'
for r in "${rows[@]}"; do
  IFS='|' read -r name size cmd <<<"$r"
  f=$w/t.$name
  [ -n "${TABLE_OUT:-}" ] && sed "s/^/$name /" "$f" >>"$TABLE_OUT"
  wall=$(awk '{print $1}' "$f" | median)
  cpu=$(awk '{print $2 + $3}' "$f" | median)
  rss=$(awk '{print $4}' "$f" | median)
  awk -v n="$name" -v s="$size" -v k="$(wc -l <"$f")" -v w="$wall" -v c="$cpu" -v m="$rss" \
    'BEGIN {printf "| %s | %.1f | %d | %.3f | %.3f | %.1f | %.1f | %.1f |\n", n, s, k, w, c, s / w, s / (c > 0 ? c : 0.001), m / 1024}'
  W[$name]=$(awk -v s="$size" -v w="$wall" 'BEGIN {print s / w}')
  C[$name]=$(awk -v s="$size" -v c="$cpu" 'BEGIN {print s / (c > 0 ? c : 0.001)}')
done
ratio() {   # LABEL A B TARGET: MB/s of A over MB/s of B, on wall and on CPU
  has "$2" && has "$3" || return 0
  awk -v l="$1" -v aw="${W[$2]}" -v bw="${W[$3]}" -v ac="${C[$2]}" -v bc="${C[$3]}" -v t="$4" \
    'BEGIN {printf "| %s | %.2fx | %.2fx | %s |\n", l, aw / bw, ac / bc, t}'
}
echo
printf '| ratio (MB/s over MB/s) | wall | CPU | target |\n|---|---|---|---|\n'
ratio "gender CDA / Python ~120 pairs" gender-full py-gender120 ">= 100x"
ratio "gender CDA / Python gender+names" gender-full py-gender-names "-"
ratio "gender CDA / Perl ~120 pairs" gender-full perl-gender120 ">= 30x"
ratio "gender+names CDA / Perl gender+names" gender-names perl-gender-names "-"
ratio "provenance none / passthrough" gender-none passthrough ">= 0.5x"
ratio "provenance none, [augmented] / passthrough, [augmented]" gender-none-aug passthrough-aug "-"
ratio "gender full [augmented] / all files" gender-full-aug gender-full "-"
ratio "gender+names / gender (speed)" gender-names gender-full ">= 0.67x (within 1.5x)"
ratio "sentiment packs / gender (speed)" sentiment gender-full ">= 0.67x (within 1.5x)"
ratio "quickstart / rules stage alone (speed)" quickstart rules-alone ">= 0.77x (within 1.3x)"
ratio "gender, round_trip off / on" gender-full-no-rt gender-full "-"
if [ -n "${BEFORE:-}" ]; then
  for r in passthrough gender-full gender-none gender-names sentiment quickstart; do
    ratio "$r: after / before" "$r" "before-$r" "-"
  done
fi
for n in ${THREADS:-}; do
  [ "$n" = 1 ] && continue
  for r in gender-full gender-full-6mb gender-names sentiment quickstart; do
    ratio "$r: threads $n / threads 1" "$r-t$n" "$r-t1" "-"
  done
  if [ -n "${BEFORE:-}" ]; then
    for r in gender-full gender-names sentiment quickstart; do
      ratio "$r: threads $n / before" "$r-t$n" "before-$r" "-"
    done
  fi
done
