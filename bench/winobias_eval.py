#!/usr/bin/env python3
"""WinoBias check of the gender pack's her/his/him decisions (a benchmark,
not a test: it prints figures and never fails on them).

WinoBias (Zhao et al. 2018, uclanlp/corefBias, WinoBias/wino/data): line N
of pro_stereotyped_typeK.txt.SPLIT and line N of anti_stereotyped_typeK.txt.
SPLIT are the same sentence with the pronoun's gender swapped.  Each pro
sentence (brackets removed) is swapped with the gender pack and compared,
exactly, with its anti sentence, and the other way round.  The same is done
with a naive dictionary swap (her -> his, his -> her, him -> her, hers ->
his, always: the gender pack without its second her/his lines) for scale.

The data is not shipped with cfaug; fetch the eight files into a directory.

Usage: bench/winobias_eval.py DIR [--split dev|test] [--swap build/rules_swap]
                              [--lexicon lexicons/gender.tsv] [-v]
  -v prints every sentence the gender pack gets wrong.
Build the driver first: bench/build_rules_swap.sh
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

PRON = re.compile(r"\b(her|his|him|hers)\b", re.IGNORECASE)
ANY = re.compile(r"\b(he|she|her|his|him|hers)\b", re.IGNORECASE)
NUM = re.compile(r"^\d+ ")


def load(path):
    with open(path, encoding="utf-8", newline="") as f:
        lines = f.read().replace("\r\n", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    # some files number their lines ("12 The ..."): drop the number
    return [NUM.sub("", l).replace("[", "").replace("]", "") for l in lines]


def swap(driver, lexicon, sents):
    r = subprocess.run([driver, lexicon], input="\n".join(sents) + "\n",
                       capture_output=True, text=True, check=True)
    out = r.stdout.split("\n")
    assert len(out) == len(sents) + 1, "driver output does not line up"
    return out[:-1]


def naive_lexicon(lexicon, tmpdir):
    """The lexicon with the second partner of her and his dropped."""
    path = os.path.join(tmpdir, "naive.tsv")
    seen = set()
    with open(lexicon, encoding="utf-8") as f, open(path, "w", encoding="utf-8") as o:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) >= 2 and not line.startswith("#"):
                if any(c.lower() in seen for c in cols[:2] if c.lower() in ("her", "his")):
                    continue
                seen.update(c.lower() for c in cols[:2])
            o.write(line)
    return path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--split", default="dev")
    ap.add_argument("--swap", default="build/rules_swap")
    ap.add_argument("--lexicon", default="lexicons/gender.tsv")
    ap.add_argument("-v", action="store_true")
    a = ap.parse_args()

    src, want, tag = [], [], []
    for t in ("1", "2"):
        pro = load(os.path.join(a.dir, f"pro_stereotyped_type{t}.txt.{a.split}"))
        anti = load(os.path.join(a.dir, f"anti_stereotyped_type{t}.txt.{a.split}"))
        assert len(pro) == len(anti), f"type{t}: {len(pro)} vs {len(anti)} lines"
        # line N should pair with line N; where it does not (the order of
        # some files differs), take the one line whose words match
        norm = lambda s: ANY.sub("X", s)
        where = {}
        for k, y in enumerate(anti):
            where.setdefault(norm(y), []).append(k)
        order = []
        for k, x in enumerate(pro):
            hit = where.get(norm(x), [])
            order.append(k if norm(anti[k]) == norm(x) or len(hit) != 1 else hit[0])
        anti = [anti[k] for k in order]
        for d, (x, y) in (("pro->anti", (pro, anti)), ("anti->pro", (anti, pro))):
            for i, (s, w) in enumerate(zip(x, y)):
                src.append(s)
                want.append(w)
                tag.append(f"type{t} {d} line {i + 1}")
    with tempfile.TemporaryDirectory() as tmp:
        got = swap(a.swap, a.lexicon, src)
        naive = swap(a.swap, naive_lexicon(a.lexicon, tmp), src)

    # pairs whose other words differ (typos in one file) can never match
    norm = lambda s: ANY.sub("X", s)
    clean = [norm(s) == norm(w) for s, w in zip(src, want)]
    amb = [bool(PRON.search(s)) for s in src]

    def rate(out, sel):
        idx = [i for i in range(len(src)) if sel(i)]
        ok = sum(out[i] == want[i] for i in idx)
        return f"{ok}/{len(idx)} = {100.0 * ok / max(len(idx), 1):.2f}%"

    print(f"WinoBias {a.split}: {len(src)} sentences (pro->anti and anti->pro, "
          f"types 1+2), {sum(amb)} with her/his/him/hers, "
          f"{len(src) - sum(clean)} whose pair differs in other words too")
    rows = [
        ("all sentences", lambda i: True),
        ("with her/his/him/hers", lambda i: amb[i]),
        ("all, pairs identical but for pronouns", lambda i: clean[i]),
        ("her/his/him/hers, identical pairs", lambda i: amb[i] and clean[i]),
    ]
    print(f"  {'':40} {'gender pack':>22} {'naive swap':>22}")
    for name, sel in rows:
        print(f"  {name:40} {rate(got, sel):>22} {rate(naive, sel):>22}")
    if a.v:
        for i in range(len(src)):
            if got[i] != want[i] and clean[i]:
                print(f"\n{tag[i]}\n  src  {src[i]}\n  got  {got[i]}\n  want {want[i]}")


if __name__ == "__main__":
    sys.exit(main())
