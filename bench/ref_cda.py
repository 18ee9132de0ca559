#!/usr/bin/env python3
"""Plain-Python reference for the rules-stage benchmark (not used by tests).

Gender + names CDA on a JSONL corpus: stdlib json and re, one alternation
of every lexicon word, a dict for the swaps, case copied from the source
word.  No her/his disambiguation (her -> his always), which only makes it
cheaper than the C stage.

Usage: bench/ref_cda.py [--pairs N] lexicons/gender.tsv [lexicons/names.tsv] < in.jsonl > out.jsonl

--pairs N keeps the first N word pairs of the lists (about 120 pairs of
gender.tsv is what research scripts carry; issue 15 compares with that).
"""
import json
import re
import sys


def load(paths, max_pairs=None):
    swap = {}
    n = 0
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.startswith("#") or "\t" not in line:
                    continue
                if max_pairs is not None and n >= max_pairs:
                    break
                n += 1
                a, b = line.rstrip("\n").split("\t")[:2]
                swap.setdefault(a.lower(), b)
                swap.setdefault(b.lower(), a)
    return swap


def main():
    args = sys.argv[1:]
    max_pairs = None
    if args[:1] == ["--pairs"]:
        max_pairs, args = int(args[1]), args[2:]
    swap = load(args, max_pairs)
    words = sorted(swap, key=len, reverse=True)
    rx = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b",
                    re.IGNORECASE)

    def repl(m):
        s = m.group(0)
        t = swap[s.lower()]
        if s.isupper() and len(s) > 1:
            return t.upper()
        if s[0].isupper():
            return t[0].upper() + t[1:]
        return t.lower()

    out = sys.stdout
    for line in sys.stdin:
        rec = json.loads(line)
        out.write(line)
        new = rx.sub(repl, rec["text"])
        if new != rec["text"]:
            rec["text"] = new
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
