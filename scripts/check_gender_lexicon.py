#!/usr/bin/env python3
"""Check lexicons/gender.tsv for missing inflected forms.

Usage: scripts/check_gender_lexicon.py [lexicons/gender.tsv] [--engine RULES_SWAP]

For every noun, title or neutral line (a singular pair) it generates the
regular plural of both words (-men, -es, -ies, -s; X-in-law -> Xs-in-law)
and reports pairs whose plural source is not in the file, so a new line is
added with both forms or the gap is deliberate (listed in ALLOWED: mass
nouns, words whose plural is not used, possessives covered by the engine's
's handling).  It also generates the step-, step-X-in-law, X-in-law and
great-/grand- forms of the kinship nouns and reports those absent.

With --engine (bench/rules_swap, bench/build_rules_swap.sh) every two-way
pair is put through the engine's gender pack in generated sentences --
"the a", "The A", "the a's hat", plural possessive "the as' hats", the
title before a name "A Smith" for title/before-name rows -- and each
must come out as its partner's same form.  Exit status 1 when something
is missing or wrong.
"""
import subprocess
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
    "menfolk", "god", "handyman", "milkman", "repairman", "postman",
    "stuntman", "lordship", "poppa", "cowboy", "paperboy",
}

KIN = ("father", "mother", "son", "daughter", "brother", "sister")


def kin_forms(kin):
    """Compound kinship forms a lexicon should hold, singular and plural."""
    out = []
    for k in kin:
        for f in ("step" + k, "step-" + k, k + "-in-law", "grand" + k if k in
                  ("father", "mother", "son", "daughter") else None):
            if f:
                out += [f, plural(f)]
    return out


def possessive(w):
    """A plural in -s takes the bare apostrophe (ladies'), else 's."""
    plural_s = len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is"))
    return w + "'" if plural_s else w + "'s"


def engine_check(binary, rows):
    """Sentences of each two-way pair's forms; returns the wrong ones."""
    first = {}
    for a, b, tag in rows:   # a word with two partners: the first line wins
        if tag not in ("keep", "oneway", "neutral"):
            first.setdefault(a, b)
            first.setdefault(b, a)
    cases = []
    for a, b, tag in rows:
        if tag in ("keep", "oneway", "neutral", "pron", "det", "wedding") or \
           " " in a or a == b:
            continue
        for x, partner in ((a, b), (b, a)):
            y = partner if tag == "before-name" else first[x]
            if tag == "before-name":
                cases.append(("%s Smith arrived." % x.capitalize(),
                              "%s Smith arrived." % y.capitalize()))
                continue
            cases.append(("I saw the %s today." % x, "I saw the %s today." % y))
            cases.append(("%s arrived." % x.capitalize(), "%s arrived." % y.capitalize()))
            cases.append(("I saw the %s hat." % possessive(x),
                          "I saw the %s hat." % possessive(y)))
    out = subprocess.run([binary, "gender"], input="".join(c + "\n" for c, _ in cases),
                         capture_output=True, text=True, check=True).stdout.split("\n")
    bad = []
    for (src, want), got in zip(cases, out):
        if got != want:
            bad.append("engine: %s -> %s (want %s)" % (src, got, want))
    return bad


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
    args = sys.argv[1:]
    engine = None
    if "--engine" in args:
        i = args.index("--engine")
        engine = args[i + 1]
        del args[i:i + 2]
    path = args[0] if args else "lexicons/gender.tsv"
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
    for f in kin_forms(KIN):
        if f not in sources:
            missing.append("%s\t(kinship form)" % f)
    if engine:
        missing += engine_check(engine, rows)
    for m in missing:
        print(m)
    print("%d pairs checked, %d forms missing or wrong" % (len(rows), len(missing)),
          file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
