#!/usr/bin/env python3
"""Draw N random pairs from a cfaug pairs.jsonl into a TSV to read by hand.

  bench/read_sample.py PAIRS.jsonl N SEED FIELD > bench/read/NAME.tsv
  bench/read_sample.py PAIRS.jsonl N SEED FIELD LIKE.tsv > ...   # the same
      records as LIKE.tsv, in its order (before/after of one sample)

Columns: pair_id, label -> target, original field, counterfactual field,
edits (from -> to), then the reader's verdict columns, left empty:
right (1 = reads as the target label and grammatical and right sense),
target (reads as target label), ungrammatical, wrong_sense, note.
"""
import json, random, sys

path, n, seed, field = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
pairs = [json.loads(l) for l in open(path, encoding="utf-8")]
random.Random(seed).shuffle(pairs)
if len(sys.argv) > 5:
    order = [l.split("\t")[0] for l in open(sys.argv[5], encoding="utf-8")][1:]
    by = {p["pair_id"]: p for p in pairs}
    pairs = [by[i] for i in order if i in by]
clean = lambda s: s.replace("\t", " ").replace("\n", " ").replace("<br />", " ")
print("pair_id\tlabel\torig\tcf\tedits\tright\ttarget\tungrammatical\twrong_sense\tnote")
for p in pairs[:n]:
    ed = "; ".join("%s->%s" % (e["from"], e["to"]) for e in p["generator"].get("edits", []))
    print("\t".join([p["pair_id"], "%s->%s" % (p["original"]["label"], p["counterfactual"]["label"]),
                     clean(p["original"][field]), clean(p["counterfactual"][field]), clean(ed),
                     "", "", "", "", ""]))
