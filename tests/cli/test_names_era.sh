#!/usr/bin/env bash
# names.tsv partners are of one era (issue 12): the pairs of tag name and
# ambig-name whose mean birth years (lexicons/names-decades.tsv) are more
# than 30 years apart are few (125 at derivation; the rank pairing alone
# gave 655: Burt, born on average 1940, with Kyleigh, 2007), Burt is not
# paired with Kyleigh, and every fallback partner (rare-name-*) is a paired
# name of tag `name`.  Run from the project root.
set -u
python3 - <<'PY'
import sys
dec = {}
for line in open("lexicons/names-decades.tsv", encoding="utf-8"):
    if line.startswith("#"):
        continue
    c = line.rstrip("\n").split("\t")
    dec[(c[0], c[1])] = [int(x) for x in c[2:]]
def year(n, s):
    v = dec.get((n, s))
    return sum((1885 + 10 * d) * k for d, k in enumerate(v)) / sum(v) if v and sum(v) else None
far, errors, plain, rare = 0, [], set(), []
for line in open("lexicons/names.tsv", encoding="utf-8"):
    if line.startswith("#") or not line.strip():
        continue
    a, b, tag = line.rstrip("\n").split("\t")
    if tag in ("name", "ambig-name"):
        ya, yb = year(a, "M"), year(b, "F")
        if ya is not None and yb is not None and abs(ya - yb) > 30:
            far += 1
        if (a, b) == ("Burt", "Kyleigh"):
            errors.append("Burt is paired with Kyleigh")
        if tag == "name":
            plain |= {a, b}
    elif tag.startswith("rare-name-"):
        rare.append(a if tag.endswith("-f2m") else b)
errors += ["fallback partner %s has no plain pair" % p for p in rare if p not in plain]
if far > 150:
    errors.append("%d pairs are more than 30 years apart (expected about 125)" % far)
if len(rare) < 1000:
    errors.append("only %d fallback names" % len(rare))
for e in errors:
    print("FAIL:", e)
print("pairs > 30 years apart: %d; fallback names: %d" % (far, len(rare)))
sys.exit(1 if errors else 0)
PY
