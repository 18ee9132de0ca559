#!/usr/bin/env bash
# Compressed input and output (issue 14): a passthrough pipeline over the
# sample reviews repeated 200 times (48,000 records, 48.8 MB), read plain,
# gzip -6 and zstd -3; and written plain, gzip and zstd.  Median of 3 runs
# each, wall seconds and peak RSS.  Prints one line per case.
#   bench/compress_bench.sh [build/cfaug]
set -euo pipefail
C=$(realpath "${1:-build/cfaug}")
W=$(mktemp -d /tmp/cfaug-compress-XXXXXX); trap 'rm -rf "$W"' EXIT
python3 - "$W/in.jsonl" examples/data/reviews.jsonl <<'P'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[2])]
with open(sys.argv[1], 'w') as f:
    for i in range(200):
        for r in rows:
            r = dict(r, id='%s-%d' % (r['id'], i)); f.write(json.dumps(r) + '\n')
P
gzip -6 -c "$W/in.jsonl" >"$W/in.jsonl.gz"; zstd -q -3 -c "$W/in.jsonl" >"$W/in.jsonl.zst"
cat >"$W/p.yaml" <<Y
input: {path: $W/in.jsonl, id_field: id, text_fields: [text], label_field: label}
stages: [{type: passthrough}]
output: {dir: $W/o, files: [augmented, report], card: false}
Y
med() { sort -n | sed -n 2p; }
run() {  # run LABEL ARGS...: median seconds and KB of 3 runs
  local label=$1; shift
  rm -rf "$W/o"
  for i in 1 2 3; do /usr/bin/time -f "%e %M" "$C" run "$W/p.yaml" -q --overwrite "$@" 2>&1 >/dev/null | tail -1; done >"$W/t"
  printf '%-22s %6.2f s  %6d KB  %s\n' "$label" "$(cut -d' ' -f1 "$W/t" | med)" "$(cut -d' ' -f2 "$W/t" | med)" \
    "$(ls -l "$W/o" | awk '/augmented/ {print $5 " bytes out"}')"
}
ls -l "$W"/in.jsonl* | awk '{print $5, $9}'
run "read plain"  -i "$W/in.jsonl"
run "read gzip -6" -i "$W/in.jsonl.gz"
run "read zstd -3" -i "$W/in.jsonl.zst"
run "write gzip" --set output.compress=gzip
run "write zstd" --set output.compress=zstd
