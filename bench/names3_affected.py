#!/usr/bin/env python3
"""Records whose gender + names candidate differs between two runs (names
round 3: double names swapped as a unit, kept_person_name rejections).

Usage: bench/names3_affected.py BEFORE_DIR AFTER_DIR OUT.tsv [VERDICTS.tsv]
  one row per changed edit or rejection: record, outcome (unit-swap or
  kept_person_name), what changed, context, verdict (copied from
  VERDICTS.tsv by record and what, else empty: fill in by reading).
"""
import csv
import json
import sys


def load(d):
    out = {}
    for f in ("pairs", "rejected"):
        for line in open("%s/%s.jsonl" % (d, f), encoding="utf-8"):
            x = json.loads(line)
            out[x["orig_id"]] = (f, x)
    return out


def edits(x):
    return {(e["from"], e["to"], tuple(e["src"])) for e in x["generator"]["edits"]}


def main(before, after, out, verdicts=None):
    b, a = load(before), load(after)
    old = {}
    if verdicts:
        lines = [l for l in open(verdicts, encoding="utf-8") if not l.startswith("#")]
        for r in csv.DictReader(lines, delimiter="\t"):
            old[(r["record"], r["what"])] = r["verdict"]
    rows = []
    for k in sorted(set(a) | set(b)):
        if k in a and k in b and a[k][0] == b[k][0] and \
           a[k][1]["counterfactual"]["text"] == b[k][1]["counterfactual"]["text"]:
            continue
        f, x = a[k]
        t = x["original"]["text"]
        if f == "rejected":
            n = x["detail"]["name"]
            i = t.find(n)
            g = [e for e in x["generator"]["edits"] if e["rule"] == "gender"]
            what = "kept %s; gender: %s" % (n, ", ".join(
                "%s->%s" % (e["from"], e["to"]) for e in g[:8]))
            rows.append((k, x["reason"], what, t[max(0, i - 100):i + len(n) + 100]))
            continue
        for e in sorted(edits(x) - edits(b[k][1]), key=lambda e: e[2]):
            rows.append((k, "unit-swap", "%s -> %s @%d" % (e[0], e[1], e[2][0]),
                         t[max(0, e[2][0] - 70):e[2][1] + 70]))
    with open(out, "w", encoding="utf-8") as o:
        o.write("record\toutcome\twhat\tcontext\tverdict\n")
        for r in rows:
            ctx = r[3].replace("\t", " ").replace("\n", " ")
            o.write("%s\t%s\t%s\t%s\t%s\n" % (r[0], r[1], r[2], ctx,
                                               old.get((r[0], r[2]), "")))
    print("%d records, %d rows -> %s" % (len({r[0] for r in rows}), len(rows), out))


if __name__ == "__main__":
    main(*sys.argv[1:])
