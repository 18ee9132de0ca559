#!/usr/bin/env python3
"""Exact-sentence accuracy of the her -> his/him decision on labelled files.

Usage: bench/her_eval.py RULES_SWAP FILE.tsv... [-v]

Each FILE line is labels<TAB>sentence (labels: his|him per "her", in
order).  The sentences are swapped by RULES_SWAP (bench/build_rules_swap.sh)
with the pronoun pairs alone, direction b_to_a, as tests/unit/
test_rules_her.c does, and compared with the sentence whose every "her" is
replaced by its label.  Prints exact/total per file; -v prints the misses.

The report sets were made from the CAD TSVs by: <br /> removed, white space
collapsed, split after . ! ? before a capital, quote or parenthesis.
"""
import re
import subprocess
import sys
import tempfile

PRON = "his\ther\nhim\ther\nhis\thers\n"


def expected(s, labels):
    labs = iter(labels.split(","))

    def rep(m):
        lab = next(labs)
        w = m.group(0)
        if w.isupper():
            return lab.upper()
        if w[0].isupper():
            return lab.capitalize()
        return lab
    return re.sub(r"(?<![A-Za-z])[Hh][Ee][Rr](?![A-Za-z\u0080-\uffff])", rep, s)


def main():
    args = [a for a in sys.argv[1:] if a != "-v"]
    verbose = "-v" in sys.argv
    binary, files = args[0], args[1:]
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as f:
        f.write(PRON)
        pron = f.name
    grand = [0, 0]
    for path in files:
        rows = []
        for line in open(path, encoding="utf-8"):
            if line.startswith("#") or "\t" not in line:
                continue
            lab, s = line.rstrip("\n").split("\t", 1)
            rows.append((lab, s))
        out = subprocess.run([binary, "-d", "b_to_a", pron],
                             input="".join(s + "\n" for _, s in rows),
                             capture_output=True, text=True, check=True).stdout
        got = out.split("\n")
        ok = 0
        for (lab, s), g in zip(rows, got):
            want = expected(s, lab)
            if g == want:
                ok += 1
            elif verbose:
                print("  want: %s\n  got:  %s" % (want, g))
        print("%s: %d/%d exact (%.1f%%)" % (path, ok, len(rows), 100.0 * ok / len(rows)))
        grand[0] += ok
        grand[1] += len(rows)
    if len(files) > 1:
        print("all: %d/%d exact (%.1f%%)" % (grand[0], grand[1], 100.0 * grand[0] / grand[1]))


if __name__ == "__main__":
    main()
