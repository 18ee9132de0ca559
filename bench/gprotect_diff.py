#!/usr/bin/env python3
"""Edits one gender-pack run makes and another does not (protected spans).

  bench/gprotect_diff.py OLD/pairs.jsonl NEW/pairs.jsonl INPUT.jsonl > OUT.tsv

One row per edit of OLD missing from NEW (same record, field, source span):
record, from, to, context with the word in [[ ]], and an empty verdict
column (good = a title or a name rightly kept; lost = a real gendered word
no longer swapped).  Edits NEW makes that OLD does not are listed too, with
"added" in the kind column.  Totals go to stderr.
"""
import json
import sys


def edits(path):
    out = {}
    for line in open(path, encoding="utf-8"):
        p = json.loads(line)
        for e in p["generator"].get("edits", []):
            out[(p["orig_id"], e["field"], tuple(e["src"]))] = (e["from"], e["to"])
    return out


old, new = edits(sys.argv[1]), edits(sys.argv[2])
texts = {}
for line in open(sys.argv[3], encoding="utf-8"):
    r = json.loads(line)
    texts[r["id"]] = r
print("kind\trecord\tfrom\tto\tcontext\tverdict")
for kind, a, b in (("removed", old, new), ("added", new, old)):
    for k in sorted(set(a) - set(b), key=lambda k: (int(k[0][1:]) if k[0][1:].isdigit() else 0, k[2])):
        t = texts[k[0]][k[1]]
        s, e = k[2]
        b_ = t.encode("utf-8")
        ctx = (b_[max(0, s - 60):s].decode("utf-8", "replace") + "[[" +
               b_[s:e].decode("utf-8", "replace") + "]]" +
               b_[e:e + 60].decode("utf-8", "replace")).replace("\t", " ").replace("\n", " ")
        print("\t".join([kind, k[0], a[k][0], a[k][1], ctx, ""]))
print("old edits %d, new edits %d, removed %d, added %d" %
      (len(old), len(new), len(set(old) - set(new)), len(set(new) - set(old))), file=sys.stderr)
