#!/usr/bin/env bash
# Speed of the sentiment packs as a user runs them (examples/sentiment-flip.yaml:
# negation + antonyms, scope 3, label_direction), builds side by side, and
# the new build with full_flip too, on bench/work/cad20.jsonl
# (bench/make_corpus.sh 20 bench/work/cad20.jsonl); RUNS interleaved runs,
# median user CPU seconds.
# Usage: bench/sentiment_speed.sh OLD_CFAUG NEW_CFAUG
set -eu
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
in=bench/work/cad20.jsonl
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
for ff in false true; do
  cat >"$w/p.$ff.yaml" <<Y
input: {path: $in, format: jsonl, id_field: id, text_fields: [text], label_field: label, labels: [negative, positive]}
stages:
  - type: rules
    name: sentiment-flip
    packs: [negation, antonyms]
    negation_scope: 3
    label: {positive: negative, negative: positive}
    label_direction: {positive: a_to_b, negative: b_to_a}
    full_flip: $ff
output: {dir: $w/out}
Y
done
grep -v full_flip "$w/p.false.yaml" >"$w/p.old.yaml"
runs="old|$1|$w/p.old.yaml new|$2|$w/p.false.yaml new_full_flip|$2|$w/p.true.yaml"
for r in $runs; do : >"$w/t.${r%%|*}"; done
for i in $(seq "$RUNS"); do
  for r in $runs; do
    n=${r%%|*}; rest=${r#*|}; b=${rest%%|*}; y=${rest#*|}
    rm -rf "$w/out"
    /usr/bin/time -f '%U' -a -o "$w/t.$n" "$b" run "$y" -q
  done
done
for r in $runs; do
  n=${r%%|*}
  printf '%-14s median user CPU %s s  (runs: %s)\n' "$n" \
    "$(sort -n "$w/t.$n" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')" "$(tr '\n' ' ' <"$w/t.$n")"
done
