#!/usr/bin/env python3
"""Which sentences of a review carry its stance?  A sentence model for full_flip.

  scripts/derive_stance_sentences.py RULES_PAIRS.jsonl [DATA_DIR] \
      > lexicons/antonym-stance-sentences.tsv      # weights; CV figures on stderr

Data: CAD sentiment paired_TRAIN / orig_TRAIN only (Kaushik et al. 2020,
Apache-2.0), never dev.  A sentence of an original review "carries the
stance" when CAD's human editor, flipping the review, changed a word in it
(a token-level diff).  A logistic regression per source label, on the words
of a sentence (present or not), learns that from the words; the rules
stage's full_flip then rejects a counterfactual in which a sentence the
model calls stance-bearing got no edit from the rules (its stance is still
the source label's and contradicts the flipped sentences).

RULES_PAIRS.jsonl: the rules stage's pairs on orig_TRAIN with provenance
(bench/sentiment_packs_cad.yaml with the path set to orig_train and without
full_flip).  With them the script reports, by 5-fold cross-validation
inside TRAIN, how many rule candidates are "complete" (every sentence the
human changed has a rule edit) among those the model accepts, per
threshold - the figure THRESHOLD was chosen by - and writes the weights of
a model fitted on all of TRAIN.
"""
import csv, difflib, json, math, random, re, sys
from collections import Counter, defaultdict

THRESHOLD = float(__import__("os").environ.get("THRESHOLD", 0.5))
_env = __import__("os").environ.get
EPOCHS, RATE, L2, MIN_DF = int(_env("EPOCHS", 12)), float(_env("RATE", 0.1)), float(_env("L2", 1e-4)), int(_env("MIN_DF", 3))
csv.field_size_limit(1 << 30)
data = sys.argv[2] if len(sys.argv) > 2 else "/work/shared/data/cad-sentiment"
WORD = re.compile(rb"[A-Za-z0-9]+(?:'[A-Za-z0-9]+)*")
SENT = re.compile(rb"[.!?]+|<br\s*/?>|\n")


def sentences(b):
    """(start, end) byte spans of the sentences of b."""
    out, s = [], 0
    for m in SENT.finditer(b):
        if m.end() > s:
            out.append((s, m.end()))
        s = m.end()
    if s < len(b):
        out.append((s, len(b)))
    return [x for x in out if WORD.search(b, x[0], x[1])]


def words(b, s, e):
    return {m.group().lower().decode() for m in WORD.finditer(b, s, e)}


with open(data + "/orig_train.tsv", newline="", encoding="utf-8") as f:
    origs = {r["Text"] for r in csv.DictReader(f, delimiter="\t")}
pairs = defaultdict(dict)
with open(data + "/paired_train.tsv", newline="", encoding="utf-8") as f:
    for r in csv.DictReader(f, delimiter="\t"):
        pairs[r["batch_id"]]["o" if r["Text"] in origs else "r"] = r
# each original: label, sentences (words, human-edited?)
docs = {}
for p in pairs.values():
    if "o" not in p or "r" not in p:
        continue
    ob, rb = p["o"]["Text"].encode(), p["r"]["Text"].encode()
    a = list(WORD.finditer(ob))
    r = [m.group().lower() for m in WORD.finditer(rb)]
    ch = [False] * len(a)
    for t, i1, i2, _, _ in difflib.SequenceMatcher(
            None, [m.group().lower() for m in a], r, autojunk=False).get_opcodes():
        if t != "equal":
            for i in range(max(0, i1 - (t == "insert")), max(i2, i1 + (t == "insert"))):
                if i < len(a):
                    ch[i] = True
    sents = []
    for s, e in sentences(ob):
        hit = any(ch[i] for i, m in enumerate(a) if s <= m.start() < e)
        sents.append((s, e, words(ob, s, e), hit))
    docs[p["o"]["Text"]] = (p["o"]["Sentiment"], sents)

rules = {}
for line in open(sys.argv[1], encoding="utf-8"):
    q = json.loads(line)
    t = q["original"]["Text"]
    if t in docs:
        rules[t] = [e["src"][0] for e in q["generator"].get("edits", [])]


def train(rows):
    df = Counter(w for ws, _ in rows for w in ws)
    voc = {w for w, n in df.items() if n >= MIN_DF}
    wt, b = defaultdict(float), 0.0
    rnd = random.Random(7)
    rows = list(rows)
    for ep in range(EPOCHS):
        rnd.shuffle(rows)
        lr = RATE / (1 + ep)
        for ws, y in rows:
            f = [w for w in ws if w in voc]
            z = b + sum(wt[w] for w in f)
            g = (1 / (1 + math.exp(-max(-30, min(30, z))))) - y
            b -= lr * g
            for w in f:
                wt[w] -= lr * (g + L2 * wt[w])
    return wt, b


def prob(m, ws):
    wt, b = m
    z = b + sum(wt.get(w, 0.0) for w in ws)
    return 1 / (1 + math.exp(-max(-30, min(30, z))))


keys = sorted(docs)
random.Random(11).shuffle(keys)
fold = {k: i % 5 for i, k in enumerate(keys)}
ths = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01]
acc = Counter(); comp = Counter(); ncand = ncomp = 0
# WORDS_OK: the pairs the rules stage keeps with full_flip's word check
# alone (its sentence cut set above 1): both checks together, per cut
accw = Counter(); compw = Counter()
words_ok = {json.loads(l)["original"]["Text"]
            for l in open(__import__("os").environ["WORDS_OK"], encoding="utf-8")} \
    if __import__("os").environ.get("WORDS_OK") else set()
for k in range(5):
    models = {}
    for lab in ("Positive", "Negative"):
        rows = [(ws, hit) for t in keys if fold[t] != k and docs[t][0] == lab
                for _, _, ws, hit in docs[t][1]]
        models[lab] = train(rows)
    for t in keys:
        if fold[t] != k or t not in rules:
            continue
        lab, sents = docs[t]
        ed = rules[t]
        unedited = [(ws, hit) for s, e, ws, hit in sents
                    if not any(s <= x < e for x in ed)]
        complete = not any(hit for _, hit in unedited)
        ncand += 1; ncomp += complete
        mx = max((prob(models[lab], ws) for ws, _ in unedited), default=0.0)
        for th in ths:
            if mx < th:
                acc[th] += 1; comp[th] += complete
                if t in words_ok:
                    accw[th] += 1; compw[th] += complete
print("# 5-fold CV inside CAD TRAIN: rule candidates %d, complete %d (%.1f%%)"
      % (ncand, ncomp, 100.0 * ncomp / max(ncand, 1)), file=sys.stderr)
for th in ths:
    print("# threshold %.1f: accepted %d (%.1f%% of candidates), complete %d (%.1f%% of accepted)"
          % (th, acc[th], 100.0 * acc[th] / max(ncand, 1), comp[th],
             100.0 * comp[th] / max(acc[th], 1)), file=sys.stderr)
    if words_ok:
        print("#   with the word check too: accepted %d (%.1f%%), complete %d (%.1f%% of accepted)"
              % (accw[th], 100.0 * accw[th] / max(ncand, 1), compw[th],
                 100.0 * compw[th] / max(accw[th], 1)), file=sys.stderr)


def completeness(path):
    """complete / all of the candidates of another run's pairs.jsonl"""
    n = c = 0
    for line in open(path, encoding="utf-8"):
        q = json.loads(line)
        t = q["original"]["Text"]
        if t not in docs:
            continue
        ed = [e["src"][0] for e in q["generator"].get("edits", [])]
        n += 1
        c += not any(hit for s, e, _, hit in docs[t][1] if not any(s <= x < e for x in ed))
    return n, c


for extra in sys.argv[3:]:
    n, c = completeness(extra)
    print("# %s: candidates %d, complete %d (%.1f%%)" % (extra, n, c, 100.0 * c / max(n, 1)),
          file=sys.stderr)

# the model the rules stage uses: fitted on all of TRAIN
full = {lab: train([(ws, hit) for t in keys if docs[t][0] == lab
                    for _, _, ws, hit in docs[t][1]])
        for lab in ("Positive", "Negative")}
print("# antonym-stance-sentences.tsv - which sentences of a review carry its")
print("# stance, for the rules stage's full_flip: a logistic regression per source")
print("# label on the words of a sentence, learnt from the sentences CAD's human")
print("# editors changed when they flipped a review (CAD sentiment paired_TRAIN,")
print("# Kaushik et al., ICLR 2020, Apache-2.0; see lexicons/NOTICE), by")
print("# scripts/derive_stance_sentences.py.  A sentence without a rule edit whose")
print("# probability is at least the threshold keeps the source stance.")
print("# Columns: word, weight in positive reviews, weight in negative reviews;")
print("# the row <bias> holds the intercepts, <threshold> the cut (5-fold CV).")
print("<threshold>\t%.2f\t%.2f" % (THRESHOLD, THRESHOLD))
print("<bias>\t%.4f\t%.4f" % (full["Positive"][1], full["Negative"][1]))
for w in sorted(set(full["Positive"][0]) | set(full["Negative"][0])):
    a, b = full["Positive"][0].get(w, 0.0), full["Negative"][0].get(w, 0.0)
    if abs(a) >= 0.005 or abs(b) >= 0.005:
        print("%s\t%.4f\t%.4f" % (w, a, b))
