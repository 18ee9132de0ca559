#!/bin/sh
# Build a JSONL corpus of about MB megabytes from cad-sentiment (repeating
# the reviews with a fresh id), for the rules-stage benchmark.
# Usage: bench/make_corpus.sh [MB] [OUT] [CAD_DIR]
set -e
MB=${1:-100}; OUT=${2:-bench/work/cad100.jsonl}
CAD=${3:-/work/shared/data/cad-sentiment}
mkdir -p "$(dirname "$OUT")"
python3 - "$MB" "$OUT" "$CAD" <<'PY'
import csv, json, sys
mb, out, cad = int(sys.argv[1]), sys.argv[2], sys.argv[3]
rows = []
for name in ("orig_train.tsv", "revised_train.tsv"):
    with open(f"{cad}/{name}", encoding="utf-8", newline="") as f:
        r = csv.reader(f, delimiter="\t")
        next(r)
        rows += [(t, s.lower()) for s, t in r]
n = size = 0
with open(out, "w", encoding="utf-8") as f:
    while size < mb * 1000000:
        text, label = rows[n % len(rows)]
        line = json.dumps({"id": f"r{n}", "text": text, "label": label},
                          ensure_ascii=False) + "\n"
        f.write(line)
        size += len(line.encode())
        n += 1
print(f"{out}: {n} records, {size / 1e6:.1f} MB")
PY
