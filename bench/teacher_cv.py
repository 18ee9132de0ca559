#!/usr/bin/env python3
"""Choose the built-in teacher's defaults without looking at dev, then
report dev once.

  teacher_cv.py cv "NAME=OPTIONS" ...   5-fold cross-validation inside each
                                        task's TRAIN data (folds by group):
                                        mean accuracy per task and overall,
                                        for each cfaug option set and for the
                                        scikit-learn and fastText baselines
  teacher_cv.py dev "NAME=OPTIONS" ...  train on all of TRAIN, accuracy on
                                        the dev splits (run once, at the end)

Tasks (../shared/data, Kaushik et al. 2020, Apache-2.0):
  sent-orig   cad-sentiment orig_train          -> orig_dev, revised_dev
  sent-both   cad-sentiment paired_train (orig + revised, groups batch_id)
                                                -> orig_dev, revised_dev
  nli-orig    cad-nli original_train (premise, hypothesis; 3 labels)
                                                -> original_dev, revised_dev
  nli-both    cad-nli original_train + revised_train (groups: an original
              and its four revisions)           -> original_dev, revised_dev
Baselines: scikit-learn TF-IDF (word 1-2 grams, sublinear tf, one vectoriser
per text field) + LogisticRegression(C=10), as bench/teacher_sklearn.py,
and the same with cfaug's pair features as a third block (same input);
fastText `fasttext supervised -lr 1.0 -epoch 25 -wordNgrams 2` (the
settings of fastText's own tutorial, not tuned here; fields joined).
Environment: CFAUG (binary), DATA (the shared data dir), WORK, FOLDS (5),
BASELINES (0: cfaug option sets only), TASKS (comma-separated names; all).
Prints a Markdown table; work files in WORK (bench/work/teacher_cv).
"""
import csv, json, os, random, re, subprocess, sys
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CFAUG = os.environ.get("CFAUG", os.path.join(ROOT, "build", "cfaug"))
DATA = os.environ.get("DATA", os.path.join(ROOT, "..", "shared", "data"))
WORK = os.environ.get("WORK", os.path.join(ROOT, "bench", "work", "teacher_cv"))
FOLDS = int(os.environ.get("FOLDS", "5"))
BR = re.compile(r"<br\s*/?>", re.I)
csv.field_size_limit(1 << 30)


def tsv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def sent(path, grp=None):
    return [{"text": r["Text"], "label": r["Sentiment"],
             "g": r[grp] if grp else "%s:%d" % (path, i)}
            for i, r in enumerate(tsv(path))]


def nli(path, block=1, tag="o"):
    return [{"premise": r["sentence1"], "hypothesis": r["sentence2"],
             "label": r["gold_label"], "g": "%d" % (i // block) if block > 1
             else "%s%d" % (tag, i)}
            for i, r in enumerate(tsv(path))]


def tasks():
    s, n = DATA + "/cad-sentiment/", DATA + "/cad-nli/"
    nli_both = nli(n + "original_train.tsv", 1, "")
    for r in nli_both:
        r["g"] = r["g"]             # the original's row number
    nli_both += nli(n + "revised_train.tsv", 4)
    return [
        ("sent-orig", ["text"], sent(s + "orig_train.tsv"),
         {"orig_dev": sent(s + "orig_dev.tsv"), "revised_dev": sent(s + "revised_dev.tsv")}),
        ("sent-both", ["text"], sent(s + "paired_train.tsv", "batch_id"),
         {"orig_dev": sent(s + "orig_dev.tsv"), "revised_dev": sent(s + "revised_dev.tsv")}),
        ("nli-orig", ["premise", "hypothesis"], nli(n + "original_train.tsv"),
         {"original_dev": nli(n + "original_dev.tsv"), "revised_dev": nli(n + "revised_dev.tsv")}),
        ("nli-both", ["premise", "hypothesis"], nli_both,
         {"original_dev": nli(n + "original_dev.tsv"), "revised_dev": nli(n + "revised_dev.tsv")}),
    ]


def folds(rows):
    groups = sorted({r["g"] for r in rows})
    random.Random(0).shuffle(groups)
    of = {g: i % FOLDS for i, g in enumerate(groups)}
    return [([r for r in rows if of[r["g"]] != k], [r for r in rows if of[r["g"]] == k])
            for k in range(FOLDS)]


def write(path, rows):
    with open(path, "w", encoding="utf-8") as w:
        for r in rows:
            w.write(json.dumps(r, ensure_ascii=False) + "\n")


# ---- the three learners: fit on rows, accuracy on each evaluation set ----

def cfaug(opts, fields, train, evals, tag):
    tr, mo = "%s/%s.train.jsonl" % (WORK, tag), "%s/%s.cftm" % (WORK, tag)
    write(tr, train)
    ff = sum((["--text-field", f] for f in fields), [])
    subprocess.run([CFAUG, "teacher", "train", "-i", tr, "--label-field", "label",
                    "--group-field", "g", "-o", mo] + ff + opts.split(),
                   check=True, stderr=subprocess.DEVNULL)
    out = {}
    for name, rows in evals.items():
        ev = "%s/%s.eval.jsonl" % (WORK, tag)
        write(ev, rows)
        r = subprocess.run([CFAUG, "teacher", "eval", "-m", mo, "-i", ev],
                           check=True, capture_output=True, text=True)
        out[name] = json.loads(r.stdout)["accuracy"]
    return out


WORD = re.compile(r"[a-z0-9\u0080-\U0010ffff]+")


def pair_text(r, fields):
    """cfaug's pair features as tokens (cf_lm_pair_features): hypothesis
    words absent from the premise, the share found in quarters, the count
    of new words (0-4+)."""
    if len(fields) < 2:
        return ""
    prem = set(WORD.findall(BR.sub(" ", r[fields[0]]).lower()))
    hyp = WORD.findall(BR.sub(" ", r[fields[1]]).lower())
    new = [w for w in hyp if w not in prem]
    toks = ["new_" + w for w in new]
    if hyp:
        toks += ["ovl_%d" % (4 * (len(hyp) - len(new)) // len(hyp)),
                 "nnew_%d" % min(len(new), 4)]
    return " ".join(toks)


def sklearn(fields, train, evals, pair=False):
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vecs = {f: TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), lowercase=True,
                               preprocessor=lambda s: BR.sub(" ", s).lower(),
                               token_pattern=r"[a-z0-9\u0080-\U0010ffff]+")
            for f in fields}
    lr = LogisticRegression(C=10, max_iter=1000)
    blocks = [vecs[f].fit_transform([r[f] for r in train]) for f in fields]
    pair = pair and len(fields) >= 2     # one field: nothing to pair
    if pair:
        pv = TfidfVectorizer(sublinear_tf=True, lowercase=False, token_pattern=r"\S+")
        blocks.append(pv.fit_transform([pair_text(r, fields) for r in train]))
    x = hstack(blocks).tocsr()
    lr.fit(x, [r["label"] for r in train])
    out = {}
    for name, rows in evals.items():
        eb = [vecs[f].transform([r[f] for r in rows]) for f in fields]
        if pair:
            eb.append(pv.transform([pair_text(r, fields) for r in rows]))
        e = hstack(eb).tocsr()
        pred = lr.predict(e)
        out[name] = sum(p == r["label"] for p, r in zip(pred, rows)) / len(rows)
    return out


def ft_line(r, fields):
    t = " __sep__ ".join(BR.sub(" ", r[f]).lower() for f in fields)
    t = " ".join(re.findall(r"[a-z0-9\u0080-\U0010ffff]+|__sep__", t))
    return "__label__%s %s" % (r["label"], t)


def fasttext(fields, train, evals, tag):
    tr, mo = "%s/%s.ft.txt" % (WORK, tag), "%s/%s.ft" % (WORK, tag)
    with open(tr, "w", encoding="utf-8") as w:
        for r in train:
            w.write(ft_line(r, fields) + "\n")
    subprocess.run(["fasttext", "supervised", "-input", tr, "-output", mo,
                    "-wordNgrams", "2", "-epoch", "25", "-lr", "1.0", "-thread", "2",
                    "-seed", "1", "-verbose", "0"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    out = {}
    for name, rows in evals.items():
        ev = "%s/%s.ft.eval.txt" % (WORK, tag)
        with open(ev, "w", encoding="utf-8") as w:
            for r in rows:
                w.write(ft_line(r, fields) + "\n")
        p = subprocess.run(["fasttext", "predict", mo + ".bin", ev], check=True,
                           capture_output=True, text=True).stdout.split()
        out[name] = sum(a == "__label__" + r["label"] for a, r in zip(p, rows)) / len(rows)
    return out


def learners(configs):
    ls = [(name, lambda f, t, e, tag, o=opts: cfaug(o, f, t, e, tag))
          for name, opts in configs]
    if os.environ.get("BASELINES", "1") != "0":
        ls.append(("scikit-learn LR C=10", lambda f, t, e, tag: sklearn(f, t, e)))
        ls.append(("scikit-learn LR C=10 + cfaug's pair features",
                   lambda f, t, e, tag: sklearn(f, t, e, True)))
        ls.append(("fastText (tutorial settings)", fasttext))
    return ls


def main():
    mode, configs = sys.argv[1], [a.split("=", 1) for a in sys.argv[2:]]
    os.makedirs(WORK, exist_ok=True)
    ts = [t for t in tasks() if not os.environ.get("TASKS") or
          t[0] in os.environ["TASKS"].split(",")]
    if mode == "cv":
        print("%d-fold cross-validation inside TRAIN (folds by group); mean accuracy\n" % FOLDS)
        print("| learner | " + " | ".join(t[0] for t in ts) + " | mean |")
        print("|---" * (len(ts) + 2) + "|")
        for name, fit in learners(configs):
            accs = []
            for tname, fields, rows, _ in ts:
                a = [fit(fields, tr, {"fold": te}, "cv")["fold"] for tr, te in folds(rows)]
                accs.append(sum(a) / len(a))
            print("| %s | %s | %.4f |" % (name, " | ".join("%.4f" % a for a in accs),
                                         sum(accs) / len(accs)), flush=True)
    else:
        cols = [(t[0], e) for t in ts for e in t[3]]
        print("Trained on all of TRAIN; accuracy on dev\n")
        print("| learner | " + " | ".join("%s → %s" % c for c in cols) + " |")
        print("|---" * (len(cols) + 1) + "|")
        for name, fit in learners(configs):
            res = []
            for tname, fields, rows, evals in ts:
                r = fit(fields, rows, evals, "dev")
                res += [r[e] for e in evals]
            print("| %s | %s |" % (name, " | ".join("%.3f" % a for a in res)), flush=True)


if __name__ == "__main__":
    main()
