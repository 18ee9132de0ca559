#!/usr/bin/env python3
"""The baseline for the built-in teacher: scikit-learn TF-IDF (word 1-2
grams, sublinear tf) + LogisticRegression(C=10), the reference of
../shared/data/README.md, with the same tokens as cfaug (lower-cased runs of
letters, digits and non-ASCII; "<br />" removed).

usage: teacher_sklearn.py quality TRAIN.tsv EVAL.tsv...   accuracy per file
       teacher_sklearn.py speed CORPUS.jsonl OUT.jsonl     train + predict times
Prints one JSON object on stdout.
"""
import csv, json, re, sys, time
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

BR = re.compile(r"<br\s*/?>", re.I)

def model():
    vec = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), lowercase=True,
                          preprocessor=lambda s: BR.sub(" ", s).lower(),
                          token_pattern=r"[a-z0-9\u0080-\U0010ffff]+")
    return vec, LogisticRegression(C=10, max_iter=1000)

def tsv(path):
    csv.field_size_limit(1 << 30)
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return [r["Text"] for r in rows], [r["Sentiment"] for r in rows]

def quality(train, evals):
    x, y = tsv(train)
    vec, lr = model()
    lr.fit(vec.fit_transform(x), y)
    out = {}
    for p in evals:
        ex, ey = tsv(p)
        out[p.rsplit("/", 1)[-1]] = float((lr.predict(vec.transform(ex)) == ey).mean())
    return out

def speed(corpus, outpath):
    t0 = time.time()
    recs = [json.loads(l) for l in open(corpus, encoding="utf-8")]
    vec, lr = model()
    lr.fit(vec.fit_transform([r["text"] for r in recs]), [r["label"] for r in recs])
    t1 = time.time()
    recs = [json.loads(l) for l in open(corpus, encoding="utf-8")]
    probs = lr.predict_proba(vec.transform([r["text"] for r in recs]))
    with open(outpath, "w", encoding="utf-8") as w:
        for r, p in zip(recs, probs):
            r["probs"] = dict(zip(lr.classes_, map(float, p)))
            r["pred"] = lr.classes_[p.argmax()]
            w.write(json.dumps(r, ensure_ascii=False) + "\n")
    t2 = time.time()
    return {"records": len(recs), "train_s": t1 - t0, "predict_s": t2 - t1}

if __name__ == "__main__":
    if sys.argv[1] == "quality":
        print(json.dumps(quality(sys.argv[2], sys.argv[3:])))
    else:
        print(json.dumps(speed(sys.argv[2], sys.argv[3])))
