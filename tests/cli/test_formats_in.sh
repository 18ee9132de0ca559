#!/usr/bin/env bash
# Input formats (issue 14): gzip/zstd by extension and by magic bytes,
# compressed stdin, streaming memory, stdin's format (said on stderr, taken
# from the pipeline's path), header-less CSV/TSV (`columns`), TSV without
# quote processing (`quotes: false`).  Run from the project root.
set -u
. "$(dirname "$0")/../lib.sh"
Q=examples/quickstart.yaml
R=examples/data/reviews.jsonl

"$CFAUG" run $Q -o "$T/plain" -q || bad "plain quickstart run"
gzip -c $R >"$T/r.jsonl.gz"
# compression is told by the bytes, the format by the name under .gz/.zst
sed '/^  format:/d' $Q >"$T/noformat.yaml"
expect 0 "-i x.jsonl.gz, format from the name" -- run "$T/noformat.yaml" -i "$T/r.jsonl.gz" -o "$T/gz" -q
cmp -s "$T/plain/augmented.jsonl" "$T/gz/augmented.jsonl" && ok ".jsonl.gz reads like .jsonl" \
  || bad ".jsonl.gz output differs from .jsonl"
contains "$T/gz/report.json" '"compression": "gzip"' "report names the input's compression"
if command -v zstd >/dev/null; then
  zstd -q -c $R >"$T/r.jsonl.zst"
  expect 0 "-i x.jsonl.zst" -- run "$T/noformat.yaml" -i "$T/r.jsonl.zst" -o "$T/zst" -q
  cmp -s "$T/plain/pairs.jsonl" "$T/zst/pairs.jsonl" && ok ".jsonl.zst reads like .jsonl" \
    || bad ".jsonl.zst output differs"
  # concatenated frames are one stream
  cat "$T/r.jsonl.zst" "$T/r.jsonl.zst" >"$T/rr.jsonl.zst"
  expect 0 "two zstd frames" -- run "$T/noformat.yaml" -i "$T/rr.jsonl.zst" -o "$T/zst2" -q
  contains "$T/zst2/report.json" '"records_read": 480' "both zstd frames read"
fi
# magic bytes, not the name: gzip data called .jsonl, and on stdin
cp "$T/r.jsonl.gz" "$T/disguised.jsonl"
expect 0 "gzip data named .jsonl" -- run $Q -i "$T/disguised.jsonl" -o "$T/dis" -q
cmp -s "$T/plain/augmented.jsonl" "$T/dis/augmented.jsonl" && ok "gzip found by its magic bytes" \
  || bad "gzip by magic bytes"
"$CFAUG" run $Q -i - -o "$T/stdin-gz" -q <"$T/r.jsonl.gz" 2>"$T/err"
cmp -s "$T/plain/pairs.jsonl" "$T/stdin-gz/pairs.jsonl" && ok "gzip on stdin" \
  || bad "gzip on stdin" "$(cat "$T/err")"
cat "$T/r.jsonl.gz" "$T/r.jsonl.gz" >"$T/rr.jsonl.gz"
expect 0 "two gzip members" -- run $Q -i "$T/rr.jsonl.gz" -o "$T/gz2" -q
contains "$T/gz2/report.json" '"records_read": 480' "both gzip members read"
# a truncated file is an error naming it, not a silent short read
head -c 2000 "$T/r.jsonl.gz" >"$T/cut.jsonl.gz"
run_cf run $Q -i "$T/cut.jsonl.gz" -o "$T/cut" -q
[ "$RC" -ne 0 ] && ok "truncated gzip fails (exit $RC)" || bad "truncated gzip accepted"
contains "$T/err" "cut.jsonl.gz: truncated gzip data" "truncated gzip is named"
[ ! -e "$T/cut/report.json" ] && ok "no report after a truncated input" || bad "report written"

# a name that tells nothing blames the name, not --set
run_cf run "$T/noformat.yaml" -i "$T/x.foo" -o "$T/x"
contains "$T/err" "input '$T/x.foo' (given with -i or --set): cannot tell its format" "unknown -i format explained"
grep -q "^cfaug: --set:" "$T/err" && bad "message blames --set" || ok "message does not blame --set"

# csv.gz by extension
printf 'id,text,label\n1,He won.,positive\n2,"She said ""no"", he left.",negative\n' >"$T/s.csv"
gzip -c "$T/s.csv" >"$T/s.csv.gz"
cat >"$T/csv.yaml" <<Y
input: {path: $T/s.csv.gz, id_field: id, text_fields: [text], label_field: label}
stages: [{type: rules, packs: [gender]}]
output: {dir: $T/csvout}
Y
expect 0 "csv.gz" -- run "$T/csv.yaml" -q
contains "$T/csvout/pairs.jsonl" '"text":"She won."' "csv.gz record edited"
contains "$T/csvout/report.json" '"format": "csv"' "csv.gz read as csv"

# memory stays flat on a large compressed input
if [ -x /usr/bin/time ]; then
  python3 - "$T/big.jsonl" <<'P'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(150000):
        f.write('{"id": "r%d", "text": "He said his sister was right about the film number %d and the long plot.", "label": "positive"}\n' % (i, i))
P
  gzip -1 -c "$T/big.jsonl" >"$T/big.jsonl.gz"
  cat >"$T/big.yaml" <<Y
input: {path: $T/big.jsonl.gz, id_field: id, text_fields: [text], label_field: label}
stages: [{type: rules, packs: [gender]}]
output: {dir: $T/bigout, files: [report]}
Y
  head -15000 "$T/big.jsonl" | gzip -1 >"$T/small.jsonl.gz"
  # peak RSS of 15,000 and of 150,000 records: flat means (nearly) equal;
  # a sanitizer build keeps freed memory in quarantine, so ask it not to
  export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=1
  /usr/bin/time -f %M -o "$T/rss-small" "$CFAUG" run "$T/big.yaml" -i "$T/small.jsonl.gz" -q >/dev/null 2>&1
  /usr/bin/time -f %M -o "$T/rss" "$CFAUG" run "$T/big.yaml" -q >/dev/null 2>&1
  small=$(tail -1 "$T/rss-small"); rss=$(tail -1 "$T/rss")
  contains "$T/bigout/report.json" '"records_read": 150000' "large gz read whole"
  [ $((rss - small)) -lt 20000 ] && ok "large gz in flat memory (${small} KB for 15k records, ${rss} KB for 150k)" \
    || bad "memory grew: ${small} KB -> ${rss} KB"
fi

# --- stdin ------------------------------------------------------------------
sed 's|^  path: .*|  path: "-"|' "$T/noformat.yaml" >"$T/stdin.yaml"
"$CFAUG" run "$T/stdin.yaml" -o "$T/stdin" <$R >/dev/null 2>"$T/err"
contains "$T/err" "reading stdin as jsonl (set input.format" "stdin's assumed format is said"
"$CFAUG" run $Q -i - -o "$T/stdin2" <$R >/dev/null 2>"$T/err"
grep -q "reading stdin as" "$T/err" && bad "format was set, yet stdin's format is announced" \
  || ok "no announcement when input.format is set"
# a .tsv pipeline reads stdin as TSV
sed '/^  format:/d' examples/nli-negation.yaml >"$T/nli.yaml"
"$CFAUG" run examples/nli-negation.yaml -o "$T/nli-file" -q
"$CFAUG" run "$T/nli.yaml" -i - -o "$T/nli-stdin" -q <examples/data/nli.tsv 2>"$T/err"
cmp -s "$T/nli-file/pairs.jsonl" "$T/nli-stdin/pairs.jsonl" && ok "-i - keeps the pipeline's .tsv format" \
  || bad "-i - switched a .tsv pipeline's format" "$(cat "$T/err")"
contains "$T/nli-stdin/report.json" '"format": "tsv"' "stdin read as tsv"

# --- header-less CSV/TSV, quotes off --------------------------------------------
printf '7\tHe won.\tpositive\n8\tShe lost.\tnegative\n' >"$T/nohead.tsv"
cat >"$T/nohead.yaml" <<Y
input: {path: $T/nohead.tsv, columns: [id, text, label], id_field: id,
        text_fields: [text], label_field: label}
stages: [{type: rules, packs: [gender]}]
output: {dir: $T/nohead}
Y
expect 0 "header-less TSV with columns" -- run "$T/nohead.yaml" -q
contains "$T/nohead/report.json" '"records_read": 2' "both rows are records (no header eaten)"
contains "$T/nohead/pairs.jsonl" '"orig_id":"7"' "columns name the fields"
printf 'input: {path: x.jsonl, columns: [a], text_fields: [a]}\noutput: {dir: o}\n' >"$T/cj.yaml"
expect 3 "columns on jsonl" -- validate "$T/cj.yaml"
contains "$T/err" "cj.yaml:1:" "columns on jsonl is located"
printf 'input: {path: x.tsv, columns: [a, a], text_fields: [a]}\noutput: {dir: o}\n' >"$T/cd.yaml"
expect 3 "duplicate column" -- validate "$T/cd.yaml"

printf 'id\ttext\tlabel\n1\t"Titanic" made him cry.\tpositive\n2\tHe said "yes".\tnegative\n' >"$T/q.tsv"
cat >"$T/q.yaml" <<Y
input: {path: $T/q.tsv, id_field: id, text_fields: [text], label_field: label, quotes: false}
stages: [{type: rules, packs: [gender]}]
output: {dir: $T/q}
Y
expect 0 "TSV with quotes: false" -- run "$T/q.yaml" -q
contains "$T/q/report.json" '"records_errors": 0' "a text starting with a quote is not an error"
contains "$T/q/pairs.jsonl" '"text":"\"Titanic\" made her cry."' "quotes kept as text"
sed 's/, quotes: false//' "$T/q.yaml" >"$T/q2.yaml"
"$CFAUG" run "$T/q2.yaml" -q -o "$T/q2"
contains "$T/q2/report.json" '"records_errors": 1' "with quoting on, the same row is an error (the option matters)"
finish
