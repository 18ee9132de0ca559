#!/usr/bin/env python3
"""Fill the verdict columns of a bench/read TSV and print the counts.

  bench/read_verdict.py FILE.tsv VERDICTS.txt
VERDICTS.txt: one line per row, "R|T|U|W|note" with 1/0 flags for right,
reads as target label, ungrammatical, wrong sense.  With no VERDICTS, only
the counts of an already-filled FILE are printed."""
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1], encoding="utf-8")]
head, body = rows[0], rows[1:]
if len(sys.argv) > 2:
    v = [l.rstrip("\n").split("|", 4) for l in open(sys.argv[2], encoding="utf-8") if l.strip()]
    assert len(v) == len(body), (len(v), len(body))
    for r, x in zip(body, v):
        r[5:10] = x + [""] * (5 - len(x))
    with open(sys.argv[1], "w", encoding="utf-8") as f:
        for r in [head] + body:
            f.write("\t".join(r) + "\n")
n = len(body)
cnt = [sum(int(r[k] or 0) for r in body) for k in (5, 6, 7, 8)]
print("%s: n=%d right=%d target=%d ungrammatical=%d wrong_sense=%d" % ((sys.argv[1], n) + tuple(cnt)))
