#!/usr/bin/env python3
"""Derive lexicons/english-verbs.txt from WordNet 3.0 (Debian wordnet-base).

  apt-get install wordnet-base
  scripts/derive_wordnet.py [/usr/share/wordnet] > lexicons/english-verbs.txt

One line per single-word verb lemma of index.verb:
    lemma  3sg  past  past-participle  -ing  pref  past_pref
Forms: irregular ones from verb.exc (a form ending in -n/-en is the
participle when the lemma has two), regular ones by the usual spelling
rules (a doubled consonant only where verb.exc lists it).  pref (0-9): the
share of the word's SemCor tags that are verb senses, against its noun and
adjective senses (9 = always a verb: "stand" 6, "man" 0); past_pref the same
for the past form against adjectives ("tired").  The negation module of the
rules engine (stages/rules/rules_negation.c) uses it to find the main verb
and to inflect it ("liked" -> "did not like", "did not like" -> "liked").
"""
import collections, os, re, sys

wn = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/wordnet"
P = lambda f: os.path.join(wn, f)

counts = collections.defaultdict(lambda: [0, 0, 0])   # lemma -> [verb, noun, adj]
for line in open(P("cntlist.rev")):
    key, _sense, n = line.split()
    lemma, lex = key.split("%")
    pos = lex.split(":")[0]
    i = {"2": 0, "1": 1, "3": 2, "5": 2}.get(pos)
    if i is not None:
        counts[lemma][i] += int(n)

verbs = set()
for line in open(P("index.verb")):
    if line.startswith(" "):
        continue
    w = line.split()[0]
    if re.fullmatch(r"[a-z]+", w):
        verbs.add(w)

exc = collections.defaultdict(list)
for line in open(P("verb.exc")):
    f, *lem = line.split()
    for l in lem:
        if re.fullmatch(r"[a-z]+", f) and re.fullmatch(r"[a-z]+", l):
            exc[l].append(f)

VOW = "aeiou"

def third(l):
    special = {"be": "is", "have": "has", "do": "does", "go": "goes"}
    if l in special:
        return special[l]
    if re.search(r"(s|x|z|ch|sh|o)$", l):
        return l + "es"
    if len(l) > 1 and l.endswith("y") and l[-2] not in VOW:
        return l[:-1] + "ies"
    return l + "s"

def regular_ed(l):
    if l.endswith("e"):
        return l + "d"
    if len(l) > 1 and l.endswith("y") and l[-2] not in VOW:
        return l[:-1] + "ied"
    return l + "ed"

def regular_ing(l):
    if l.endswith("ie"):
        return l[:-2] + "ying"
    if l.endswith("e") and not l.endswith(("ee", "ye", "oe")) and len(l) > 2:
        return l[:-1] + "ing"
    return l + "ing"

# Fixes WordNet's lists cannot express: verbs whose past is the lemma
# itself (verb.exc lists only changed forms), participles equal to the
# lemma, and the American regular past where verb.exc gives only -t.
SAME = set("""bet bid burst cast cost cut fit hit hurt let put quit read rid set
shed shut slit split spread thrust upset wed wet broadcast forecast""".split())
PPART_LEMMA = set("run come become overcome".split())
PAST_REGULAR = set("""learn dream spell burn smell spill spoil leap kneel address bless
curse bypass dive""".split())

out = []
for l in sorted(verbs):
    v, n, a = counts.get(l, (0, 0, 0))
    forms = [f for f in exc.get(l, []) if f != l]
    ing = [f for f in forms if f.endswith("ing")]
    s3 = [f for f in forms if f == third(l)]
    rest = [f for f in forms if f not in ing and f not in s3 and not
            (f.endswith("s") and not f.endswith("ss") and f[:-1] in (l, l + "e"))]
    if l == "be":
        past, ppart = "was", "been"
    elif not rest:
        past = ppart = regular_ed(l)
    elif len(rest) == 1 and re.search(r"(wn|en)$", rest[0]) and not l.endswith("n"):
        past, ppart = regular_ed(l), rest[0]     # show: showed, shown
    elif len(rest) == 1:
        past = ppart = rest[0]
    else:
        pp = [f for f in rest if re.search(r"(en|n|ne)$", f)]
        if len(pp) > 1:   # began/begun, swam/swum: the u-form is the participle
            pp = [f for f in pp if "u" in f or f.endswith("en")] or pp[1:]
        ps = [f for f in rest if f not in pp]
        ppart = pp[0] if pp else rest[-1]
        past = ps[0] if ps else rest[0]
    if l == "beat":
        past = "beat"
    if l in SAME:
        past = ppart = l
    if l in PPART_LEMMA:
        ppart = l
    if l in PAST_REGULAR:
        past = ppart = regular_ed(l)
    g = ing[0] if ing else regular_ing(l)
    pref = round(9 * (v + 0.5) / (v + n + a + 1))
    pv, _pn, pa = counts.get(past, (0, 0, 0))
    ppref = round(9 * (v + 0.5) / (v + pa + 1))
    out.append("\t".join([l, third(l), past, ppart, g, str(pref), str(ppref)]))

print("# english-verbs.txt - English verb forms and how often each word is a verb.")
print("# Derived from WordNet 3.0 (Princeton University; Debian package")
print("# wordnet-base: index.verb, verb.exc, cntlist.rev) by")
print("# scripts/derive_wordnet.py, which says what the columns mean.")
print("# WordNet 3.0 Copyright 2006 by Princeton University.  All rights reserved.")
print("# Licence: the WordNet 3.0 licence (permission to use, copy, modify and")
print("# distribute for any purpose without fee, provided the copyright notice")
print("# and this statement appear on all copies; provided AS IS, without")
print("# warranties).  Full text: lexicons/NOTICE.")
print("# lemma\t3sg\tpast\tpast-participle\t-ing\tpref\tpast_pref")
for o in out:
    print(o)
