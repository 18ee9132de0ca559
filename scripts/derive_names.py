#!/usr/bin/env python3
"""Derive lexicons/names.tsv (male<TAB>female<TAB>name) from SSA name counts.

Usage: scripts/derive_names.py SSA_TSV STOPLIST > lexicons/names.tsv

Input: the US Social Security Administration national baby-name data
summed over 1880-2012 (columns name, sex, count; public domain), e.g.
/work/shared/data/names/ssa_names_by_sex.tsv.

Method (Counterfactual Data Substitution style): a name is predominantly
male (female) when at least SHARE (98%) of its births are male (female);
names below that are used for both sexes and left out (95% kept Meredith,
Whitney, Courtney-like names whose minority sex is 3-5% of births and
which are also surnames of men: Burgess Meredith), as are names in the
stoplist (common words, places, awards, ...) and names of fewer than 2
letters.  Male and female names are each ranked by count and paired rank
for rank, so a name is swapped with one of similar frequency.  The pairing
is one-to-one, so one record maps a name the same way everywhere.
"""
import sys

SHARE = 0.98   # minority sex at most 2% of births (Meredith: 4.3% male, out)
MAX_PAIRS = 1500


def main():
    ssa, stop = sys.argv[1], sys.argv[2]
    stopset = set()
    with open(stop, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                stopset.add(line.lower())
    counts = {}
    with open(ssa, encoding="utf-8") as f:
        next(f)
        for line in f:
            name, sex, count = line.rstrip("\n").split("\t")
            counts.setdefault(name, {"M": 0, "F": 0})[sex] += int(count)
    male, female = [], []
    for name, c in counts.items():
        total = c["M"] + c["F"]
        if len(name) < 2 or name.lower() in stopset or not name.isalpha():
            continue
        if c["M"] >= SHARE * total:
            male.append((-c["M"], name))
        elif c["F"] >= SHARE * total:
            female.append((-c["F"], name))
    male.sort()
    female.sort()
    n = min(len(male), len(female), MAX_PAIRS)
    print("# names.tsv - first-name pairs for the cfaug names intervention.")
    print("# Derived by scripts/derive_names.py from the US Social Security")
    print("# Administration baby-name counts 1880-2012 (public domain):")
    print("# names with >= %d%% of births of one sex, stoplist"
          " lexicons/names-stoplist.txt removed," % int(SHARE * 100))
    print("# male and female ranked by count and paired rank for rank"
          " (%d pairs)." % n)
    print("# Format: male<TAB>female<TAB>name (tag: match capitalised words only).")
    for i in range(n):
        print("%s\t%s\tname" % (male[i][1], female[i][1]))


if __name__ == "__main__":
    main()
