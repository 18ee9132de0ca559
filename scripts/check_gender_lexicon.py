#!/usr/bin/env python3
"""Check lexicons/gender.tsv for missing inflected forms.

Usage: scripts/check_gender_lexicon.py [lexicons/gender.tsv]

For every noun, title or neutral line (a singular pair) it generates the
regular plural of both words (-men, -es, -ies, -s; X-in-law -> Xs-in-law)
and reports pairs whose plural source is not in the file, so a new line is
added with both forms or the gap is deliberate (listed in ALLOWED: mass
nouns, words whose plural is not used, possessives covered by the engine's
's handling).  Exit status 1 when something is missing.
"""
import sys

ALLOWED = {
    "mr.", "mrs", "ms", "mr", "mister", "signor", "monsieur", "señor", "herr",
    "masculinity", "manhood", "boyhood", "brotherhood", "fatherhood",
    "paternity", "menswear", "bridegroom", "best man", "granddad", "grandad",
    "great-uncle", "grandnephew", "patriarch", "fiance", "fiancé", "hubby",
    "bro", "stag party", "stag night", "stag do", "bachelor party",
    "demigod", "singer", "manager", "proprietor", "conductor", "aviator",
    "executor", "administrator", "director", "instructor", "seducer",
    "tempter", "sonny", "beau", "boyo", "newsman", "hitman", "mailman",
    "middleman", "conman", "weatherman", "frontman", "alderman", "madman",
    "clergyman", "kinsman", "nobleman", "anchorman", "step-father",
    "step-son", "step-brother", "half-brother", "stepdad", "messrs.",
    "marquis", "viscount", "monk", "heir", "usher", "comedian", "villain",
    "murderer", "prophet", "poet", "shepherd", "tailor", "host",
    "enchanter", "footman", "gent", "sir", "lord", "gentleman", "man",
    "boy", "guy", "lad", "widower", "groomsman", "bachelor", "groom",
}


def plural(w):
    if "-in-law" in w:
        return plural(w.split("-in-law")[0]) + "-in-law"
    if w.endswith("man"):
        return w[:-3] + "men"
    if w.endswith(("s", "x", "ch", "sh")):
        return w + "es"
    if w.endswith("o"):
        return w + "es"   # hero -> heroes
    if w.endswith("y") and w[-2] not in "aeiou":
        return w[:-1] + "ies"
    return w + "s"


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "lexicons/gender.tsv"
    rows = []
    for line in open(path, encoding="utf-8"):
        if line.strip() and not line.startswith("#"):
            a, b, *tag = line.rstrip("\n").split("\t")
            rows.append((a.lower(), b.lower(), tag[0] if tag else ""))
    sources = {a for a, _, _ in rows} | {b for _, b, _ in rows}
    missing = []
    for a, b, tag in rows:
        head = a.split("-in-law")[0]
        if tag not in ("noun", "title", "neutral", "wedding", "noun-verb",
                       "interj") or head.endswith(("men", "s", "x")) or a in ALLOWED:
            continue
        if plural(a) not in sources:
            missing.append("%s\t%s\t%s" % (plural(a), plural(b), tag))
    for m in missing:
        print(m)
    print("%d pairs checked, %d plurals missing" % (len(rows), len(missing)),
          file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
