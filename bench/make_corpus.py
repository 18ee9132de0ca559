#!/usr/bin/env python3
"""Build a JSONL corpus of about SIZE_MB megabytes from the CAD sentiment data
(../shared/data/cad-sentiment, Kaushik et al., Apache-2.0) for benchmarks.

Rows of the source files (default paired_train.tsv) are repeated in order
with fresh ids until the size is reached; each line is {"id", "text",
"label"} plus "batch_id" where the source has one.

usage: make_corpus.py SIZE_MB OUT.jsonl [DATA_DIR [FILE,FILE...]]
"""
import csv, json, os, sys

def main():
    size = int(float(sys.argv[1]) * 1e6)
    out = sys.argv[2]
    here = os.path.dirname(os.path.abspath(__file__))
    data = sys.argv[3] if len(sys.argv) > 3 else os.path.join(here, "..", "..", "shared", "data")
    files = sys.argv[4].split(",") if len(sys.argv) > 4 else ["paired_train.tsv"]
    csv.field_size_limit(1 << 30)
    rows = []
    for name in files:
        with open(os.path.join(data, "cad-sentiment", name), newline="", encoding="utf-8") as f:
            rows += list(csv.DictReader(f, delimiter="\t"))
    written, n = 0, 0
    with open(out, "w", encoding="utf-8") as w:
        while written < size:
            for r in rows:
                n += 1
                rec = {"id": "r%d" % n, "text": r["Text"], "label": r["Sentiment"].lower()}
                if "batch_id" in r:
                    rec["batch_id"] = r["batch_id"]
                line = json.dumps(rec, ensure_ascii=False) + "\n"
                w.write(line)
                written += len(line.encode("utf-8"))
                if written >= size:
                    break
    print("%s: %d records, %.1f MB" % (out, n, written / 1e6), file=sys.stderr)

main()
