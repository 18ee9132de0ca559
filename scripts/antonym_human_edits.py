#!/usr/bin/env python3
"""Which uses of the antonyms pack's words did CAD's human editors change?

  scripts/antonym_human_edits.py [DATA_DIR] > report.txt
  scripts/antonym_human_edits.py --verbs [DATA_DIR]   # verbs by subject

Data: CAD sentiment paired_TRAIN only (Kaushik et al. 2020, Apache-2.0):
each original review next to its human counterfactual.  For every word of
lexicons/antonyms.tsv of the review's own label (a positive review's
positive words, as label_direction swaps them) the script asks whether
the human edit changed it (a token-level diff), overall and by the word
before and after it.  A use the editors keep when they flip a review is
not an evaluation of the film ("a great deal", "the poor girl"): those
contexts are the lines of lexicons/antonym-contexts.tsv, and a word the
editors rarely change is left out of the pack.
"""
import csv, difflib, re, sys
from collections import Counter, defaultdict

args = [a for a in sys.argv[1:] if a != "--verbs"]
verbs = "--verbs" in sys.argv
data = args[0] if args else "/work/shared/data/cad-sentiment"
csv.field_size_limit(1 << 30)
pos, neg = set(), set()
for line in open("lexicons/antonyms.tsv", encoding="utf-8"):
    if line.startswith("#") or not line.strip():
        continue
    c = line.rstrip("\n").split("\t")
    if len(c) >= 3 and c[2] == "oneway":
        continue
    if " " not in c[0]: pos.add(c[0])
    if " " not in c[1]: neg.add(c[1])
tok = lambda s: re.findall(r"[a-z0-9']+", s.replace("<br />", " ").lower())
pairs = defaultdict(dict)
with open(data + "/paired_train.tsv", newline="", encoding="utf-8") as f:
    rows = list(csv.DictReader(f, delimiter="\t"))
origs = set()
with open(data + "/orig_train.tsv", newline="", encoding="utf-8") as f:
    for r in csv.DictReader(f, delimiter="\t"):
        origs.add(r["Text"])
for r in rows:
    pairs[r["batch_id"]]["o" if r["Text"] in origs else "r"] = r
word = Counter(); wchg = Counter(); subj = Counter(); schg = Counter()
VERBS = {"love", "loved", "loves", "hate", "hated", "hates", "enjoy",
         "enjoyed", "enjoys", "liked", "disliked", "dislike", "dislikes"}
FIRST = {"i", "we", "you", "i'd", "i've", "we've", "you'll", "i'll"}
THIRD = {"he", "she", "they", "who", "him", "her", "his"}
ctx = Counter(); cchg = Counter()
for b, p in pairs.items():
    if "o" not in p or "r" not in p:
        continue
    lab = p["o"]["Sentiment"]
    own = pos if lab == "Positive" else neg
    a, r = tok(p["o"]["Text"]), tok(p["r"]["Text"])
    kept = [False] * len(a)
    for t, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, r, autojunk=False).get_opcodes():
        if t == "equal":
            for i in range(i1, i2):
                kept[i] = True
    for i, w in enumerate(a):
        if w in VERBS:   # whose feeling: the reviewer's or a character's
            c = a[max(0, i - 3):i]
            k = ("first/second person" if FIRST & set(c) else
                 "third person" if THIRD & set(c) else "other")
            subj[k] += 1; schg[k] += not kept[i]
        if w not in own:
            continue
        ch = not kept[i]
        word[w] += 1; wchg[w] += ch
        nx = a[i + 1] if i + 1 < len(a) else "<end>"
        pv = a[i - 1] if i else "<start>"
        for k in (("next", w, nx), ("prev", w, pv)):
            ctx[k] += 1; cchg[k] += ch
if verbs:
    print("# love/hate/enjoy/like verbs by the words before\tuses\tchanged\tshare")
    for k, n in subj.most_common():
        print("%s\t%d\t%d\t%.2f" % (k, n, schg[k], schg[k] / n))
    sys.exit(0)
print("# word\tuses\tchanged_by_human\tshare")
for w, n in word.most_common():
    print("%s\t%d\t%d\t%.2f" % (w, n, wchg[w], wchg[w] / n))
print("\n# context (side word neighbour)\tuses\tchanged\tshare  (uses >= 3, share <= 0.34)")
for k, n in ctx.most_common():
    if n >= 3 and cchg[k] / n <= 0.34:
        print("%s %s %s\t%d\t%d\t%.2f" % (k + (n, cchg[k], cchg[k] / n)))
