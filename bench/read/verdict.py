#!/usr/bin/env python3
"""Fill the verdict column of a bench/read/*.tsv sample: every row is
"right" except the rows listed (1-based data rows) with their verdict.

Usage: bench/read/verdict.py FILE.tsv ROW=VERDICT...   (prints counts)
Verdicts: right, wrong-surname, wrong-place, wrong-title, wrong-work,
wrong-word (a common word, date or game), and for the gender pack
wrong-sense, wrong-form, wrong-her.
"""
import collections
import sys

path, marks = sys.argv[1], dict(a.split("=", 1) for a in sys.argv[2:])
lines = open(path, encoding="utf-8").read().split("\n")
head, rows = lines[0], [l for l in lines[1:] if l]
out = [head]
count = collections.Counter()
for i, r in enumerate(rows, 1):
    cols = r.split("\t")
    cols[4] = marks.get(str(i), "right")
    count[cols[4]] += 1
    out.append("\t".join(cols))
open(path, "w", encoding="utf-8").write("\n".join(out) + "\n")
n = sum(count.values())
print("%s: %d edits, right %d (%.1f%%); %s" % (
    path, n, count["right"], 100.0 * count["right"] / n,
    ", ".join("%s %d" % kv for kv in sorted(count.items()) if kv[0] != "right")))
