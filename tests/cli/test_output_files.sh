#!/usr/bin/env bash
# Output choices (issue 14): output.files, output.compress (gzip/zstd data
# files, read back byte-equal), output.augmented_format (CSV/TSV mirroring
# the input).  Run from the project root.
set -u
. "$(dirname "$0")/../lib.sh"
Q=examples/quickstart.yaml
"$CFAUG" run $Q -o "$T/plain" -q || bad "plain run"

with_output() {   # with_output FILE DIR EXTRA-LINES...: the quickstart, other output
  local f=$1 d=$2; shift 2
  { sed '/^output:/,$d' $Q; echo "output:"; echo "  dir: $d"; for l in "$@"; do echo "  $l"; done; } >"$f"
}

with_output "$T/f.yaml" "$T/few" "files: [pairs, report]"
expect 0 "files: [pairs, report]" -- run "$T/f.yaml"
[ -f "$T/few/pairs.jsonl" ] && [ -f "$T/few/report.json" ] && ok "chosen files written" || bad "chosen files missing"
n=$(ls -A "$T/few" | grep -cv '^\.cfaug\.lock$')
[ "$n" -eq 2 ] && ok "only the chosen files are written" || bad "files: wrote $(ls -A "$T/few")"
cmp -s "$T/plain/pairs.jsonl" "$T/few/pairs.jsonl" && ok "pairs unchanged by files:" || bad "pairs differ"
contains "$T/out" "pairs.jsonl" "summary names what was written"
grep -q "augmented" "$T/out" && bad "summary names a file not written" "$(cat "$T/out")" || ok "summary lists only written files"

with_output "$T/u.yaml" "$T/u" "files: [pairs, nonsense]"
expect 3 "unknown output file" -- validate "$T/u.yaml"
contains "$T/err" "u.yaml:" "unknown output file located"
contains "$T/err" "unknown output file 'nonsense'" "unknown output file named"

with_output "$T/gz.yaml" "$T/gz" "compress: gzip"
expect 0 "compress: gzip" -- run "$T/gz.yaml" -q
for f in pairs augmented rejected errors; do
  gzip -dc "$T/gz/$f.jsonl.gz" | cmp -s - "$T/plain/$f.jsonl" && ok "$f.jsonl.gz = $f.jsonl" || bad "$f.jsonl.gz differs"
done
[ -f "$T/gz/report.json" ] && ok "report stays plain JSON" || bad "no report.json"
if command -v zstd >/dev/null; then
  with_output "$T/zs.yaml" "$T/zs" "compress: zstd"
  expect 0 "compress: zstd" -- run "$T/zs.yaml" -q
  zstd -qdc "$T/zs/augmented.jsonl.zst" | cmp -s - "$T/plain/augmented.jsonl" \
    && ok "augmented.jsonl.zst = augmented.jsonl" || bad "zstd output differs"
  # and cfaug reads its own compressed output
  sed '/^  format:/d' $Q >"$T/re.yaml"
  expect 0 "reading our own .zst output" -- run "$T/re.yaml" -i "$T/zs/augmented.jsonl.zst" -o "$T/re" -q
fi

# augmented as TSV, mirroring a TSV input
N=examples/nli-negation.yaml
expect 0 "augmented_format: input on TSV" -- run $N -o "$T/tsv" -q --set output.augmented_format=input
[ -f "$T/tsv/augmented.tsv" ] && ok "augmented.tsv written" || bad "no augmented.tsv" "$(ls "$T/tsv")"
head -1 "$T/tsv/augmented.tsv" | grep -qP '^premise\thypothesis\tlabel\tsource\tpair_id$' \
  && ok "header: the input's columns, then source and pair_id" || bad "header" "$(head -1 "$T/tsv/augmented.tsv")"
python3 - "$T/tsv/augmented.tsv" "$T/tsv/pairs.jsonl" examples/data/nli.tsv <<'P' && ok "TSV rows parse and match pairs.jsonl" || bad "TSV rows"
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], newline=''), delimiter='\t'))
pairs = [json.loads(l) for l in open(sys.argv[2])]
orig = list(csv.DictReader(open(sys.argv[3], newline=''), delimiter='\t'))
cf = [r for r in rows if r['source'] == 'counterfactual']
assert len([r for r in rows if r['source'] == 'original']) == len(orig)
assert len(cf) == len(pairs)
for r, p in zip(cf, pairs):
    assert r['pair_id'] == p['pair_id']
    assert r['hypothesis'] == p['counterfactual']['hypothesis']
P
printf 'id,text,label\n1,"He said ""hi"", then left",positive\n' >"$T/c.csv"
cat >"$T/c.yaml" <<Y
input: {path: $T/c.csv, id_field: id, text_fields: [text], label_field: label}
stages: [{type: rules, packs: [gender]}]
output: {dir: $T/c, augmented_format: csv}
Y
expect 0 "augmented_format: csv" -- run "$T/c.yaml" -q
contains "$T/c/augmented.csv" '1,"She said ""hi"", then left",positive,counterfactual,1#0.0' "CSV quoting round-trips"
expect 3 "augmented_format: csv on JSONL input" -- validate $Q --set output.augmented_format=csv
contains "$T/err" "needs csv or tsv input" "why CSV output needs CSV input"
finish
