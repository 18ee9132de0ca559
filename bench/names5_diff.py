#!/usr/bin/env python3
"""Edits (gender + names) that one run has and another has not, for reading.

Usage: bench/names5_diff.py OLD_OUT NEW_OUT OUT.tsv [N SEED]
  OLD_OUT, NEW_OUT  output dirs of `cfaug run bench/names_read.yaml` with
                    --set 'stages.0.packs=[gender, names]' (main, branch)
  N SEED            a seeded random sample of N of the rows (default: all)
Rows: orig_id, change (new / gone), rule, from, to, context (40 bytes
either side, the edit in [brackets]), verdict (empty, filled by reading).
Prints the counts of new and gone edits per rule and of records changed.
"""
import json
import random
import sys


def load(d):
    out = {}
    for line in open(d + "/pairs.jsonl", encoding="utf-8"):
        x = json.loads(line)
        out[x["orig_id"]] = x
    return out


def edits(p):
    if not p:
        return set()
    return {(e["rule"], e["from"], e["to"], e["src"][0], e["src"][1])
            for e in p["generator"]["edits"]}


def main():
    old, new = load(sys.argv[1]), load(sys.argv[2])
    rows, recs, count = [], set(), {}
    for i in sorted(set(old) | set(new), key=lambda x: (len(x), x)):
        a, b = edits(old.get(i)), edits(new.get(i))
        for tag, es, p in (("new", b - a, new.get(i)), ("gone", a - b, old.get(i))):
            for rule, f, t, s, e in sorted(es, key=lambda x: x[3]):
                text = p["original"]["text"].encode("utf-8")
                ctx = (text[max(0, s - 40):s] + b"[" + text[s:e] + b"]" +
                       text[e:e + 40]).decode("utf-8", "replace")
                rows.append((i, tag, rule, f, t, " ".join(ctx.split())))
                recs.add(i)
                count[(tag, rule)] = count.get((tag, rule), 0) + 1
    print("records changed %d; %s" % (len(recs), ", ".join(
        "%s %s %d" % (k[0], k[1], v) for k, v in sorted(count.items()))))
    if len(sys.argv) > 4:
        random.Random(int(sys.argv[5])).shuffle(rows)
        rows = sorted(rows[:int(sys.argv[4])], key=lambda r: (len(r[0]), r[0]))
    with open(sys.argv[3], "w", encoding="utf-8") as f:
        f.write("orig_id\tchange\trule\tfrom\tto\tcontext\tverdict\n")
        for r in rows:
            f.write("\t".join(r) + "\t\n")


if __name__ == "__main__":
    main()
