#!/usr/bin/env bash
# Rules-stage speed, builds side by side (issue 12: within 20% of
# before): gender CDA, gender+names CDA, the sentiment packs (negation + antonyms,
# scope 3) and the negation pack alone (clause negation), on
# bench/work/cad20.jsonl (bench/make_corpus.sh 20 bench/work/cad20.jsonl),
# RUNS runs of each interleaved; prints the median user CPU seconds.
# Usage: bench/rules_speed.sh OLD_CFAUG NEW_CFAUG [MORE_CFAUG...]  (OLD may be a wrapper
# script that sets CFAUG_LEXICONS to the old lexicons)
set -eu
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
in=bench/work/cad20.jsonl
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
for cfg in "gender|0" "gender, names|0" "negation, antonyms|3" "negation|0"; do
  packs=${cfg%|*}; scope=${cfg#*|}
  cat >"$w/p.yaml" <<Y
input: {path: $in, format: jsonl, id_field: id, text_fields: [text], label_field: label, labels: [negative, positive]}
stages:
  - {type: rules, name: r, packs: [$packs], negation_scope: $scope, round_trip: false}
output: {dir: $w/out}
Y
  for b in "$@"; do : >"$w/t.$(basename "$b")"; done
  for i in $(seq "$RUNS"); do
    for b in "$@"; do
      rm -rf "$w/out"
      /usr/bin/time -f '%U' -a -o "$w/t.$(basename "$b")" "$b" run "$w/p.yaml" -q
    done
  done
  for b in "$@"; do
    printf '[%s] scope %s  %-24s median user CPU %s s\n' "$packs" "$scope" "$(basename "$b")" \
      "$(sort -n "$w/t.$(basename "$b")" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"
  done
done
