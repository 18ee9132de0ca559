#!/usr/bin/env python3
"""Candidate pairs for lexicons/antonyms.tsv: WordNet antonyms filtered to
evaluative words by their label association in CAD sentiment TRAIN data.

  scripts/derive_antonyms.py /usr/share/wordnet \\
      /work/shared/data/cad-sentiment/paired_train.tsv > /tmp/antonym_candidates.tsv

1. Antonym pointers ("!") of WordNet 3.0 (Princeton; data.adj, data.adv,
   data.verb) give word pairs with their part of speech.
2. Each word's association with the labels is the smoothed log-odds of the
   training documents (original and revised reviews of paired_train.tsv,
   never dev) that contain it: Positive vs Negative, with its z-score.
3. A pair is a candidate when its two words lean to opposite labels, the
   positive-leaning word first, sorted by the weaker word's |z|.
The candidates were then reviewed by hand (senses, intensity, words that
are mostly neutral) into lexicons/antonyms.tsv; this script is the record
of where they came from, not a generator of the committed file.
"""
import collections, csv, math, re, sys

wn, train = sys.argv[1], sys.argv[2]
pairs = {}
for pos, f in (("adj", "data.adj"), ("adv", "data.adv"), ("verb", "data.verb")):
    for line in open("%s/%s" % (wn, f), encoding="latin-1"):
        if line.startswith(" "):
            continue
        parts = line.split()
        nw = int(parts[3], 16)
        words = [re.sub(r"\(.*\)$", "", parts[4 + 2 * i]).lower() for i in range(nw)]
        k = 4 + 2 * nw
        np_ = int(parts[k]); k += 1
        for _ in range(np_):
            sym, off, p, st = parts[k:k + 4]; k += 4
            if sym != "!":
                continue
            src, dst = int(st[:2], 16), int(st[2:], 16)
            a = words[src - 1] if src else None
            if a is None:
                continue
            # look the target word up in its synset line
            pairs.setdefault((a, off, p, dst), pos)

def word_of(off, p, dst):
    f = {"a": "data.adj", "s": "data.adj", "r": "data.adv", "v": "data.verb"}[p]
    with open("%s/%s" % (wn, f), encoding="latin-1") as fh:
        fh.seek(int(off))
        parts = fh.readline().split()
    return re.sub(r"\(.*\)$", "", parts[4 + 2 * (dst - 1)]).lower()

csv.field_size_limit(1 << 24)
docs = collections.Counter()
wc = {"Positive": collections.Counter(), "Negative": collections.Counter()}
for row in csv.DictReader(open(train, encoding="utf-8"), delimiter="\t"):
    lab = row["Sentiment"]
    docs[lab] += 1
    for w in set(re.findall(r"[a-z]+", row["Text"].lower())):
        wc[lab][w] += 1

def z(w):
    p, n = wc["Positive"][w] + 0.5, wc["Negative"][w] + 0.5
    P, N = docs["Positive"] + 1, docs["Negative"] + 1
    lo = math.log(p / (P - p)) - math.log(n / (N - n))
    se = math.sqrt(1 / p + 1 / (P - p) + 1 / n + 1 / (N - n))
    return lo / se

seen = set()
rows = []
for (a, off, p, dst), pos in pairs.items():
    b = word_of(off, p, dst)
    if "_" in a or "_" in b or (a, b) in seen or (b, a) in seen:
        continue
    seen.add((a, b))
    za, zb = z(a), z(b)
    if za * zb >= 0:
        continue
    if za < zb:
        a, b, za, zb = b, a, zb, za
    rows.append((min(abs(za), abs(zb)), a, b, pos, za, zb))
print("# positive\tnegative\tpos\tz_pos\tz_neg\tweaker_z")
for m, a, b, pos, za, zb in sorted(rows, reverse=True):
    print("%s\t%s\t%s\t%.2f\t%.2f\t%.2f" % (a, b, pos, za, zb, m))
