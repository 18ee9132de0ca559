#!/usr/bin/env bash
# The sentiment packs against gender alone (issue 15: within 1.5x), builds
# side by side in one run: gender CDA and the sentiment packs, both with
# default options (round_trip on, provenance full, all files), the packs as
# the row of bench/rules_speed_table.sh ([negation, antonyms], scope 3,
# label flip) and as examples/sentiment-flip.yaml (the same with
# label_direction).  Rows interleaved run by run; the table gives the median
# user+sys CPU of each row and its ratio to the same build's gender row.
# Usage: bench/sentiment_ratio.sh CFAUG [MORE_CFAUG...]
#   CORPUS (bench/work/cad60.jsonl: bench/make_corpus.sh 60 bench/work/cad60.jsonl)
#   RUNS (7)
set -eu
cd "$(dirname "$0")/.."
in=${CORPUS:-bench/work/cad60.jsonl}
RUNS=${RUNS:-7}
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
G='{type: rules, name: r, packs: [gender]}'
S='{type: rules, name: r, packs: [negation, antonyms], negation_scope: 3, label: {positive: negative, negative: positive}}'
SL='{type: rules, name: r, packs: [negation, antonyms], negation_scope: 3, label: {positive: negative, negative: positive}, label_direction: {positive: a_to_b, negative: b_to_a}}'
for c in G S SL; do
  cat >"$w/$c.yaml" <<Y
seed: 13
input: {path: $in, format: jsonl, id_field: id, text_fields: [text], label_field: label, labels: [negative, positive]}
stages:
  - ${!c}
output: {dir: $w/out}
Y
done
rows=()
b=0
for bin in "$@"; do
  b=$((b + 1))
  for c in G S SL; do rows+=("$b|$(realpath "$bin")|$c"); done
done
for i in $(seq "$RUNS"); do
  for r in "${rows[@]}"; do
    IFS='|' read -r k bin c <<<"$r"
    rm -rf "$w/out"
    /usr/bin/time -f '%U %S' -a -o "$w/t.$k.$c" "$bin" run "$w/$c.yaml" -q
  done
done
med() { awk '{print $1 + $2}' "$1" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "corpus $in, $RUNS interleaved runs, median user+sys s"
printf '| build | gender | sentiment (table row) | ratio | sentiment-flip (label_direction) | ratio |\n|---|---|---|---|---|---|\n'
b=0
for bin in "$@"; do
  b=$((b + 1))
  g=$(med "$w/t.$b.G"); s=$(med "$w/t.$b.S"); sl=$(med "$w/t.$b.SL")
  awk -v n="$bin" -v g="$g" -v s="$s" -v l="$sl" \
    'BEGIN {printf "| %s | %.2f | %.2f | %.3f | %.2f | %.3f |\n", n, g, s, s / g, l, l / g}'
done
