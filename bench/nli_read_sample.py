#!/usr/bin/env python3
"""N random NLI pairs of a cfaug pairs.jsonl with their premises, to read by
hand (bench/read_sample.py has no premise column, so the mapped label could
not be judged against the premise).

  bench/nli_read_sample.py PAIRS.jsonl N SEED > bench/read/nli_rN.tsv
  bench/nli_read_sample.py --count bench/read/nli_rN.tsv    # verdict counts

Columns: pair_id, labels, premise, hypothesis, counterfactual hypothesis,
edits, then the reader's columns: grammatical (1/0), label_holds (1/0: the
mapped label is right against the premise), note.
"""
import json, random, sys

if sys.argv[1] == "--count":
    rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[2], encoding="utf-8") if not l.startswith("#")][1:]
    rows = [r for r in rows if len(r) >= 8 and r[6] in "01" and r[6]]
    g = sum(r[6] == "1" for r in rows)
    h = sum(r[7] == "1" for r in rows)
    both = sum(r[6] == "1" and r[7] == "1" for r in rows)
    print("read %d: grammatical %d, label holds %d, both %d" % (len(rows), g, h, both))
    sys.exit(0)
path, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
pairs = [json.loads(l) for l in open(path, encoding="utf-8")]
random.Random(seed).shuffle(pairs)
clean = lambda s: s.replace("\t", " ").replace("\n", " ")
print("pair_id\tlabels\tpremise\thypothesis\tcf_hypothesis\tedits\tgrammatical\tlabel_holds\tnote")
for p in pairs[:n]:
    ed = "; ".join("%s->%s" % (e["from"], e["to"]) for e in p["generator"].get("edits", []))
    print("\t".join([p["pair_id"], "%s->%s" % (p["original"]["label"], p["counterfactual"]["label"]),
                     clean(p["original"]["sentence1"]), clean(p["original"]["sentence2"]),
                     clean(p["counterfactual"]["sentence2"]), clean(ed), "", "", ""]))
