#!/usr/bin/env bash
# Byte-identity check for rules-stage speed work: runs each pack
# configuration over a CAD corpus and prints sha256 of pairs.jsonl and
# augmented.jsonl (and stages report minus timings). Compare the output of
# two builds: identical lines = identical bytes.
# Usage: bench/rules_checksum.sh CFAUG [CORPUS]   (default bench/work/cad20.jsonl,
# made by bench/make_corpus.sh 20 bench/work/cad20.jsonl)
set -eu
cd "$(dirname "$0")/.."
bin=$1; in=${2:-bench/work/cad20.jsonl}
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
for cfg in "gender|0|none" "gender, names|0|auto" "negation|0|auto" "negation|3|auto" \
           "negation, antonyms|3|auto" "antonyms|0|auto" "gender, names|0|none"; do
  IFS='|' read -r packs scope prot <<<"$cfg"
  cat >"$w/p.yaml" <<Y
input: {path: $in, format: jsonl, id_field: id, text_fields: [text], label_field: label, labels: [negative, positive]}
stages:
  - {type: rules, name: r, packs: [$packs], negation_scope: $scope, protect: $prot, round_trip: false}
output: {dir: $w/out}
Y
  rm -rf "$w/out"
  "$bin" run "$w/p.yaml" -q
  printf '%-20s scope %s protect %-4s pairs %s augmented %s\n' "[$packs]" "$scope" "$prot" \
    "$(sha256sum <"$w/out/pairs.jsonl" | cut -c1-16)" \
    "$(sha256sum <"$w/out/augmented.jsonl" | cut -c1-16)"
done
