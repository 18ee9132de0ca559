#!/usr/bin/env python3
"""Stance words for the rules stage's full_flip check (lexicons/antonym-stance.tsv).

  scripts/derive_stance.py [DATA_DIR] > lexicons/antonym-stance.tsv

Data: CAD sentiment paired_TRAIN and orig_TRAIN only (Kaushik et al. 2020,
Apache-2.0), never dev.  A word carries a review's stance when CAD's human
editors, flipping that review, changed it: for every word of every
original the script asks whether the human counterfactual kept it (a
token-level diff, as scripts/antonym_human_edits.py; a word the editor
negated, or whose negation the editor took away, counts as changed).  A word is a stance
word of label L when it occurs at least MIN_USES times in reviews of
label L, the editors changed it in at least MIN_SHARE of those uses, and
it leans to L in orig_train (log-odds z of document counts >= MIN_Z).
A word listed here is only ever a reason to REJECT a candidate (its
review still holds an unflipped stance), so a word listed wrongly costs
yield, not correctness; a word missing lets a contradictory review
through.  Left out: negators and n't forms (the check reads negation
itself), function words, numbers (ratings are read as N/10 by the
check), and words whose changes come from the phrase around them.
"""
import csv, difflib, math, os, re, sys
from collections import Counter, defaultdict

MIN_USES, MIN_SHARE, MIN_Z = 2, float(os.environ.get("SHARE", 0.5)), 0.5  # SHARE: tuning
STOP = set("""not no nor never none nothing nowhere neither cannot hardly
don't dont didn't doesn't wouldn't couldn't weren't wasn't isn't aren't can't
won't shouldn't haven't hasn't hadn't ain't any but except instead unless
otherwise thats that's least bottom save stopped random well excuse sorry
alright bother n per less zero problem check either nevertheless the a an and or
of to in on at it
is was be this that i you he she they we my me his her""".split())
# verbs whose subject decides whose feeling it is (cf_rules_plot_verb)
VERBS = set("love loved loves hate hated hates enjoy enjoyed enjoys like liked "
            "likes dislike disliked dislikes".split())

data = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data/cad-sentiment"
csv.field_size_limit(1 << 30)
tok = lambda s: re.findall(r"[a-z0-9]+(?:'[a-z0-9]+)*", s.replace("<br />", " ").lower()
                           .replace("\u2019", "'"))
with open(data + "/orig_train.tsv", newline="", encoding="utf-8") as f:
    origs = {r["Text"] for r in csv.DictReader(f, delimiter="\t")}
pairs = defaultdict(dict)
with open(data + "/paired_train.tsv", newline="", encoding="utf-8") as f:
    for r in csv.DictReader(f, delimiter="\t"):
        pairs[r["batch_id"]]["o" if r["Text"] in origs else "r"] = r
NEG = {"not", "no", "never", "nothing", "none", "cannot", "hardly", "without"}
neg = lambda ws: any(w in NEG or w.endswith("n't") for w in ws)
labels = ("Positive", "Negative")
uses = {l: Counter() for l in labels}
chg = {l: Counter() for l in labels}
df = {l: Counter() for l in labels}
nd = Counter()
for p in pairs.values():
    if "o" not in p or "r" not in p:
        continue
    lab = p["o"]["Sentiment"]
    a, r = tok(p["o"]["Text"]), tok(p["r"]["Text"])
    nd[lab] += 1
    df[lab].update(set(a))
    kept = [False] * len(a)
    for t, i1, i2, j1, _ in difflib.SequenceMatcher(None, a, r, autojunk=False).get_opcodes():
        if t == "equal":
            for i in range(i1, i2):
                # kept, unless the editor negated it or took its negation
                # away ("worth seeing" -> "not worth seeing")
                j = j1 + i - i1
                kept[i] = neg(a[max(0, i - 3):i]) == neg(r[max(0, j - 3):j])
    for i, w in enumerate(a):
        uses[lab][w] += 1
        chg[lab][w] += not kept[i]
print("# antonym-stance.tsv - words that carry a review's stance, for the rules")
print("# stage's full_flip check (a flipped review may keep none of its source")
print("# label's stance words un-negated).  Derived by scripts/derive_stance.py")
print("# from CAD sentiment paired_TRAIN/orig_TRAIN (Kaushik et al., ICLR 2020,")
print("# Apache-2.0; see lexicons/NOTICE): a word of label L that CAD's human")
print("# editors changed in >= %d%% of its >= %d uses in L reviews, leaning to L"
      % (MIN_SHARE * 100, MIN_USES))
print("# (log-odds z >= %.1f).  Columns: word, positive|negative, uses, changed,"
      % MIN_Z)
print("# verb (a love/hate/like/enjoy verb: the reviewer's stance only with")
print("# I/we/you before it) or -.")
rows = []
for lab, other in (("Positive", "Negative"), ("Negative", "Positive")):
    for w, n in uses[lab].items():
        if n < MIN_USES or w in STOP or w.isdigit() or "'" in w and w.endswith("n't"):
            continue
        if chg[lab][w] / n < MIN_SHARE:
            continue
        x, y = df[lab][w] + 0.5, df[other][w] + 0.5
        z = (math.log(x / (nd[lab] - x + 1)) - math.log(y / (nd[other] - y + 1))) \
            / math.sqrt(1 / x + 1 / y)
        if z >= MIN_Z:
            rows.append((w, lab.lower(), n, chg[lab][w], "verb" if w in VERBS else "-"))
for r in sorted(rows):
    print("%s\t%s\t%d\t%d\t%s" % r)
