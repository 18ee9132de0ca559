#!/usr/bin/env python3
"""Plain-Python reference for the rules-stage benchmark (not used by tests).

Gender + names CDA on a JSONL corpus: stdlib json and re, one alternation
of every lexicon word, a dict for the swaps, case copied from the source
word.  No her/his disambiguation (her -> his always), which only makes it
cheaper than the C stage.

Usage: bench/ref_cda.py lexicons/gender.tsv lexicons/names.tsv < in.jsonl > out.jsonl
"""
import json
import re
import sys


def load(paths):
    swap = {}
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.startswith("#") or "\t" not in line:
                    continue
                a, b = line.rstrip("\n").split("\t")[:2]
                swap.setdefault(a.lower(), b)
                swap.setdefault(b.lower(), a)
    return swap


def main():
    swap = load(sys.argv[1:])
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
