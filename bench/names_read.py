#!/usr/bin/env python3
"""Sample rules-stage edits for reading by hand (names and gender packs).

Usage:
  bench/names_read.py tojsonl CAD_TSV OUT.jsonl      # CAD sentiment TSV -> JSONL
  bench/names_read.py texts TXT OUT.jsonl            # one text per line -> JSONL
  bench/names_read.py sample PAIRS.jsonl N SEED OUT.tsv [EXCLUDE.tsv...]
      N random pairs (seeded) from a `cfaug run` pairs.jsonl with full
      provenance, leaving out the pairs of samples already read; one row
      per edit: pair id, from, to, context, and an empty verdict column to
      fill in by reading (bench/read/verdict.py).

  bench/names_read.py same READ.tsv PAIRS.jsonl OUT.tsv
      the edits of another run (PAIRS.jsonl) on the pairs of a sample read
      before (READ.tsv), one row per edit; an edit read before (same pair,
      word and context) keeps its verdict, a new one is left blank to read.

The pipeline (bench/names_read.yaml) runs one rules stage with the pack
under test; see docs/BENCHMARKS.md for the commands and the figures.
"""
import csv
import json
import os
import random
import re
import sys


def tojsonl(src, out):
    csv.field_size_limit(1 << 30)
    with open(src, encoding="utf-8") as f, open(out, "w", encoding="utf-8") as o:
        r = csv.reader(f, delimiter="\t")
        head = next(r)
        for i, row in enumerate(r, 1):
            t = re.sub(r"<br\s*/?>", " ", row[head.index("Text")])
            o.write(json.dumps({"id": "r%d" % i, "text": t,
                                "label": row[head.index("Sentiment")]}) + "\n")


def texts(src, out):
    with open(src, encoding="utf-8") as f, open(out, "w", encoding="utf-8") as o:
        n = 0
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            n += 1
            o.write(json.dumps({"id": "t%d" % n, "text": line, "label": "none"}) + "\n")


def sample(pairs, n, seed, out, *exclude):
    seen = set()
    for path in exclude:
        for line in open(path, encoding="utf-8"):
            seen.add(line.split("\t", 1)[0])
    rows = [json.loads(l) for l in open(pairs, encoding="utf-8")]
    rows = [p for p in rows if p.get("pair_id", p.get("id")) not in seen]
    random.Random(int(seed)).shuffle(rows)
    with open(out, "w", encoding="utf-8") as o:
        o.write("pair\tfrom\tto\tcontext\tverdict\n")
        for p in rows[:int(n)]:
            orig = p["original"]["text"] if "original" in p else p["orig"]["text"]
            ob = orig.encode("utf-8")   # spans are byte offsets
            for e in p["generator"].get("edits", []):
                a, b = e["src"]
                d = lambda x: x.decode("utf-8", "replace")
                ctx = d(ob[max(0, a - 45):a]) + "[[" + d(ob[a:b]) + "]]" + d(ob[b:b + 45])
                ctx = ctx.replace("\t", " ").replace("\n", " ")
                o.write("%s\t%s\t%s\t%s\t\n" % (p["id"] if "id" in p else p.get("pair_id"),
                                               e["from"], e["to"], ctx))


def same(read, pairs, out):
    rows = [l.rstrip("\n").split("\t") for l in open(read, encoding="utf-8")][1:]
    ids = []
    for r in rows:
        if r[0] not in ids:
            ids.append(r[0])
    verdict = {(r[0], r[1], r[3]): r[4] for r in rows}
    tmp = out + ".all"
    sample(pairs, 10 ** 9, 0, tmp)
    new = [l.rstrip("\n").split("\t") for l in open(tmp, encoding="utf-8")][1:]
    os.remove(tmp)
    with open(out, "w", encoding="utf-8") as o:
        o.write("pair\tfrom\tto\tcontext\tverdict\n")
        for pid in ids:
            for r in new:
                if r[0] == pid:
                    r[4] = verdict.get((r[0], r[1], r[3]), "")
                    o.write("\t".join(r) + "\n")


if __name__ == "__main__":
    cmd = sys.argv[1]
    {"tojsonl": tojsonl, "texts": texts, "sample": sample,
     "same": same}[cmd](*sys.argv[2:])
