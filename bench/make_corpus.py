#!/usr/bin/env python3
"""Build a JSONL corpus of about SIZE_MB megabytes from the CAD sentiment data
(../shared/data/cad-sentiment, Kaushik et al., Apache-2.0) for benchmarks.

Rows of paired_train.tsv are repeated in order with fresh ids until the size
is reached; each line is {"id", "text", "label", "batch_id"}.

usage: make_corpus.py SIZE_MB OUT.jsonl [DATA_DIR]
"""
import csv, json, os, sys

def main():
    size = int(float(sys.argv[1]) * 1e6)
    out = sys.argv[2]
    here = os.path.dirname(os.path.abspath(__file__))
    data = sys.argv[3] if len(sys.argv) > 3 else os.path.join(here, "..", "..", "shared", "data")
    csv.field_size_limit(1 << 30)
    with open(os.path.join(data, "cad-sentiment", "paired_train.tsv"), newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    written, n = 0, 0
    with open(out, "w", encoding="utf-8") as w:
        while written < size:
            for r in rows:
                n += 1
                line = json.dumps({"id": "r%d" % n, "text": r["Text"], "label": r["Sentiment"].lower(),
                                   "batch_id": r["batch_id"]}, ensure_ascii=False) + "\n"
                w.write(line)
                written += len(line.encode("utf-8"))
                if written >= size:
                    break
    print("%s: %d records, %.1f MB" % (out, n, written / 1e6), file=sys.stderr)

main()
