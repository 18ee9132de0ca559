#!/usr/bin/env bash
# Rules-stage instruction counts (callgrind Ir, the noise-free figure) of
# several builds side by side: gender CDA, gender+names, negation alone,
# negation+antonyms (scope 3), each over bench/work/cad2.jsonl
# (bench/make_corpus.sh 2 bench/work/cad2.jsonl), round_trip off, files out.
# Prints one row per configuration: Ir of each build and the ratio of each
# to the first.  Needs valgrind.
# Usage: bench/rules_callgrind.sh OLD_CFAUG NEW_CFAUG [MORE_CFAUG...]
set -eu
cd "$(dirname "$0")/.."
in=${CORPUS:-bench/work/cad2.jsonl}
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
for cfg in "gender|0" "gender, names|0" "negation|0" "negation, antonyms|3"; do
  packs=${cfg%|*}; scope=${cfg#*|}
  cat >"$w/p.yaml" <<Y
input: {path: $in, format: jsonl, id_field: id, text_fields: [text], label_field: label, labels: [negative, positive]}
stages:
  - {type: rules, name: r, packs: [$packs], negation_scope: $scope, round_trip: false}
output: {dir: $w/out}
Y
  row=$(printf '%-22s' "[$packs] s$scope")
  first=
  for b in "$@"; do
    rm -rf "$w/out"
    ir=$(valgrind --tool=callgrind --callgrind-out-file="$w/cg" "$b" run "$w/p.yaml" -q 2>&1 |
         sed -n 's/.*Collected : *//p')
    first=${first:-$ir}
    row="$row  $(basename "$b") $(awk -v a="$ir" -v f="$first" 'BEGIN {printf "%.1fM (%.3fx)", a/1e6, a/f}')"
  done
  echo "$row"
done
