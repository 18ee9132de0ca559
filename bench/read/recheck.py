#!/usr/bin/env python3
"""Re-run check of a read sample: which of its edits the current build no
longer makes (with the verdict they had) and which edits it makes that were
not read.

Usage: bench/read/recheck.py SAMPLE.tsv PAIRS.jsonl
  PAIRS.jsonl: a `cfaug run` of the current build on the same input.
"""
import collections
import json
import sys

sample, pairs = sys.argv[1], sys.argv[2]
cur = {}
for line in open(pairs, encoding="utf-8"):
    p = json.loads(line)
    cur[p["pair_id"]] = [(e["from"], e["to"]) for e in p["generator"]["edits"]]
rows = [l.rstrip("\n").split("\t") for l in open(sample, encoding="utf-8")][1:]
read = collections.defaultdict(list)
for r in rows:
    read[r[0]].append((r[1], r[2], r[4]))
gone, new = collections.Counter(), []
for pid, edits in read.items():
    now = list(cur.get(pid, []))
    for f, t, v in edits:
        if (f, t) in now:
            now.remove((f, t))
        elif any(x[0] == f for x in now):   # same word, new partner
            now.remove(next(x for x in now if x[0] == f))
        else:
            gone[v] += 1
    new += [(pid, x) for x in now]
print("%s: %d edits read; gone now: %s; new, unread: %d %s" % (
    sample, len(rows), dict(gone), len(new), new[:10]))
