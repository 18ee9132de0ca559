#!/usr/bin/env bash
# Issue 15 "the sentiment packs within 1.5x of gender alone": gender CDA and
# the sentiment packs (negation + antonyms, scope 3, label flip), default
# options (round_trip on, provenance full, all files) as in
# bench/rules_speed_table.sh, each build side by side, RUNS interleaved
# runs; prints the median user+sys CPU of each row and sentiment / gender
# per build (same run, so load hits both rows alike).
# Usage: bench/nli_pack_ratio.sh CFAUG [MORE_CFAUG...]
#   CORPUS (bench/work/cad20.jsonl: bench/make_corpus.sh 20 bench/work/cad20.jsonl), RUNS (7)
set -eu
cd "$(dirname "$0")/.."
in=$(realpath "${CORPUS:-bench/work/cad20.jsonl}")
RUNS=${RUNS:-7}
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
G='{type: rules, name: r, packs: [gender]}'
S='{type: rules, name: r, packs: [negation, antonyms], negation_scope: 3, label: {positive: negative, negative: positive}}'
for row in gender sentiment; do
  st=$G; [ "$row" = sentiment ] && st=$S
  cat >"$w/$row.yaml" <<Y
seed: 13
input: {path: $in, format: jsonl, id_field: id, text_fields: [text], label_field: label, labels: [negative, positive]}
stages:
  - $st
output: {dir: $w/out}
Y
done
for i in $(seq "$RUNS"); do
  n=0
  for b in "$@"; do
    n=$((n + 1))
    for row in gender sentiment; do
      rm -rf "$w/out"
      /usr/bin/time -f '%U %S' -o "$w/t" "$b" run "$w/$row.yaml" -q
      awk '{print $1 + $2}' "$w/t" >>"$w/$n.$row"
    done
  done
done
med() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
n=0
for b in "$@"; do
  n=$((n + 1))
  g=$(med "$w/$n.gender"); s=$(med "$w/$n.sentiment")
  printf '%-40s gender %s s  sentiment %s s  sentiment/gender %s\n' "$b" "$g" "$s" \
    "$(awk -v g="$g" -v s="$s" 'BEGIN {printf "%.2f", s / g}')"
done
