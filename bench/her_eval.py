#!/usr/bin/env python3
"""Exact-sentence accuracy of the her -> his/him decision on labelled files.

Usage: bench/her_eval.py RULES_SWAP FILE.tsv... [-v]

Each FILE line is labels<TAB>sentence[<TAB>ambiguous] (labels: his|him per
"her", in order; a third column "ambiguous" marks a sentence where both
readings are natural: its figure is printed apart too).  The sentences are swapped by RULES_SWAP (bench/build_rules_swap.sh)
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
            f = line.rstrip("\n").split("\t")
            rows.append((f[0], f[1], len(f) > 2 and f[2] == "ambiguous"))
        out = subprocess.run([binary, "-d", "b_to_a", pron],
                             input="".join(s + "\n" for _, s, _ in rows),
                             capture_output=True, text=True, check=True).stdout
        got = out.split("\n")
        ok = 0
        amb = [0, 0]
        for (lab, s, a), g in zip(rows, got):
            want = expected(s, lab)
            amb[1] += a
            if g == want:
                ok += 1
                amb[0] += a
            elif verbose:
                print("  want: %s%s\n  got:  %s" % (want, "  (ambiguous)" if a else "", g))
        print("%s: %d/%d exact (%.1f%%)" % (path, ok, len(rows), 100.0 * ok / len(rows)))
        if amb[1]:
            n, k = len(rows) - amb[1], ok - amb[0]
            print("  not ambiguous: %d/%d exact (%.1f%%); ambiguous: %d/%d"
                  % (k, n, 100.0 * k / n, amb[0], amb[1]))
        grand[0] += ok
        grand[1] += len(rows)
    if len(files) > 1:
        print("all: %d/%d exact (%.1f%%)" % (grand[0], grand[1], 100.0 * grand[0] / grand[1]))


if __name__ == "__main__":
    main()
