#!/usr/bin/env bash
# The committed word data stays consistent (issue 12): every singular pair
# of lexicons/gender.tsv has its plural (scripts/check_gender_lexicon.py),
# names.tsv pairs are one-to-one (a one-way name's partner has a pair) and free of the stoplist, places and
# titles it was derived without, every title of names-works.txt is one of
# its keep entries, and `protect` is a known rules option.
# Run from the project root with CFAUG set.
set -u
fail=0
python3 scripts/check_gender_lexicon.py lexicons/gender.tsv >/tmp/cfaug-lexcheck.$$ 2>&1 ||
  { echo "FAIL: gender.tsv plurals missing:"; cat /tmp/cfaug-lexcheck.$$; fail=1; }
rm -f /tmp/cfaug-lexcheck.$$
python3 - <<'PY' || fail=1
import sys
def words(path):
    return {l.strip().lower() for l in open(path, encoding="utf-8")
            if l.strip() and not l.startswith("#")}
bad = words("lexicons/names-stoplist.txt") | words("lexicons/names-places.txt")
seen, errors, kept, oneway_to = {}, [], set(), []
for line in open("lexicons/names.tsv", encoding="utf-8"):
    if line.startswith("#") or not line.strip():
        continue
    a, b, tag = line.rstrip("\n").split("\t")
    if tag == "keep":   # a title or brand (names-works.txt), left alone
        if a != b:
            errors.append("keep entry %s maps to %s" % (a, b))
        kept.add(a)
        continue
    if tag == "oneway":
        continue
    if tag.endswith(("-f2m", "-m2f")):   # an unpaired name and its partner
        x, y = (b, a) if tag.endswith("-f2m") else (a, b)
        if x.lower() in bad:
            errors.append("%s is in the stoplist or places" % x)
        if x in seen:
            errors.append("%s paired twice" % x)
        seen[x] = 1
        oneway_to.append(y)
        continue
    for x in (a, b):
        if x.lower() in bad:
            errors.append("%s is in the stoplist or places" % x)
        if x in seen:
            errors.append("%s paired twice" % x)
        seen[x] = 1
# a one-way name's partner has a pair of its own, so it maps back
for y in oneway_to:
    if y not in seen:
        errors.append("one-way partner %s has no pair" % y)
# names.tsv was derived with the current works list (scripts/derive_names.py)
for w in words("lexicons/names-works.txt") - {k.lower() for k in kept}:
    errors.append("%s of names-works.txt is not a keep entry" % w)
if errors:
    print("FAIL: names.tsv:", "; ".join(errors[:10]))
    sys.exit(1)
PY
out=$("$CFAUG" help stages 2>&1)
echo "$out" | grep -q "protect" || { echo "FAIL: 'protect' missing from cfaug help stages"; fail=1; }
[ "$fail" -eq 0 ] && echo "ok - lexicon data"
exit "$fail"
