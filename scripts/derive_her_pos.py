#!/usr/bin/env python3
"""Derive stages/rules/her_pos.c: word classes for the her -> his/him decision.

Usage: scripts/derive_her_pos.py [WORDNET_DIR] > stages/rules/her_pos.c
       (default /usr/share/wordnet, Debian package wordnet-base)

Source: Princeton WordNet 3.0 (index.noun/verb/adj/adv and cntlist.rev,
the SemCor sense-tag counts), WordNet 3.0 licence (BSD-like, permissive;
see /usr/share/doc/wordnet-base/copyright).  Seven sorted lists, single
lower-case ASCII words only:

  verb_only  base verbs that WordNet lists as no noun and no adjective
             ("enter", "obey"): after `her` they are never a possessed noun
             (let her enter -> him).
  verb_major base verbs that are also nouns but are tagged in SemCor at
             least three times as often as verbs as as nouns and adjectives
             together ("feel", "carry"; not "love", "smile", "work"): an
             object reading after a causative or perception verb (made her
             feel -> him; makes her love undying stays his).
  verb_any   every single-word base verb ("taste", "sign", "set"): after
             let/make/have + her and before a determiner it is a bare
             infinitive (let her taste the cake -> him).
  verb_pref  base verbs tagged in SemCor more often as verbs than as nouns
             and adjectives together ("set", "kill"): before a particle
             after a verb of perception (watched her set up -> him).
  adj_only   adjectives that are no noun and no verb ("speechless",
             "unaffected"): after make/keep/leave/find + her and before a
             stop they are a predicate (left her speechless. -> him).
  adj_nn     adjectives that are no noun (verbs allowed: "unfit",
             "open", "guilty"): after a small-clause verb + her and before
             a stop they are a predicate (declared her unfit. -> him).
  adv_only   adverbs that are no noun, adjective or verb and do not end in
             -ly ("afterwards", "elsewhere", "somewhat"): treated like an
             -ly adverb (phoned her afterwards. -> him; her somewhat odd
             manner stays his).  Not a plural/3rd-person form of a noun
             or verb ("needs": her needs).
  adv_major  adverbs that are also nouns/adjectives/verbs but tagged in
             SemCor at least twice as often as adverbs ("otherwise",
             "upstairs", "forward", "closer"; not "home"): before a stop her
             is an object (convinced her otherwise. -> him).
  comparative  comparatives that are no noun or verb: adj.exc/adv.exc
             forms in -er and the regular -er forms of one-syllable
             adjectives ("harder", "tighter"): before a stop her is an
             object (pushed her harder. -> him).
  noun_ed    -ed words that are nouns ("shed", "moped", "bed"): not a
             participle after her (built her shed in a day -> his).
  ly_adj     -ly words with an adjective sense tagged at least as often as
             the adverb sense ("hourly", "elderly"): they may follow
             possessive `her` when a noun follows (her hourly rate -> his).
  adj_major  adjectives that are nouns too but tagged in SemCor at least
             three times as adjectives and at least as often as adjectives
             as as nouns, or untagged with at least as many adjective as noun senses
             ("homeless", "insolvent") ("fit", "warm", "safe", "drunk"; not "secret" in
             "kept her secret": an idiom list in rules_gender.c): after a
             small-clause verb + her and before a stop they are a
             predicate (got her fit for the race -> him).
  food       nouns whose first sense is in noun.food ("soup", "syrup",
             "dessert"): after a verb of giving, her + (modifiers) + such a
             noun then a stop is the first object (served her cold soup ->
             him; a singular count noun there would need a determiner).
  knowledge  nouns whose first sense is in noun.cognition or
             noun.communication ("algebra", "chemistry", "french"): after
             teach + her they are what is taught (taught her algebra ->
             him; taught her class stays his).
  animal_pl  plurals of nouns whose first sense is in noun.animal
             ("goats", "chickens"): like person plurals, animals she has
             (fed her chickens -> his; fed her an apple -> him).
  ing_adj    -ing words with an adjective sense tagged in SemCor at least
             once (satellites included: "shaking", "dancing") ("missing", "sleeping", "winning"; not "stealing"): before
             a noun they modify it, even after a verb of perception (found
             her missing glove -> his; caught her stealing stamps -> him).

Verb classes from WordNet's verb frames (data.verb; base forms, the
engine finds the base of an inflected verb with verb_exc and the regular
suffixes):

  dtv        frame 14 "Somebody ----s somebody something": the double
             object verbs (award, owe, charge, spare, wire): her + a number,
             a quantifier or a bare plural/mass noun then a stop is the first
             object (charged her fifty dollars -> him).
  bare_inf   frame 25 "Somebody ----s somebody INFINITIVE" (let, make,
             have, allow, invite): her + a verb + a determiner is the
             subject of a bare infinitive (had her copy the notes -> him).
  dtv_major  frame-14 verbs whose frame-14 senses carry at least a fifth of
             the verb's SemCor sense tags (each sense counted +0.5): the
             verbs mostly used with two objects (give, hand, sell, assign,
             write; not read, return, pass, tell): her + a number or a
             quantity word is then the first object (allotted her two
             rooms -> him; read her two poems aloud stays his).
  small      frame 5 "Something ----s something Adjective/Noun" (find,
             declare, consider, judge): her + an adjective then a stop is a
             small clause (declared her unfit. -> him).
  verb_exc   verb.exc: irregular inflected forms and their base, as
             "form base" strings sorted by form (taught -> teach).

Noun classes (data.noun, index.noun, noun.exc):

  kin        nouns under relative (all depths: son, mother, partner,
             cousin): a person one has, never a role (named her son. -> his).
  person_pl  plurals of nouns whose first (most frequent) WordNet sense is
             in noun.person ("students", "kids", "children", "customers"):
             after a double-object verb her + such a plural is their owner,
             not a recipient (paid her workers -> his; paid her tips -> him).

  time       calendar words: nouns at most two hyponym levels under the
             synsets time unit, week, year, decade, century, weekend, day of
             the week, calendar month, season (time of year), time of day,
             morning, afternoon, evening, night, holiday -- less a few that are
             mostly something else (may, march, fall, date, sun, moon...).
             After `her` + last/next/this/every/each/all/one they make a
             time adverbial, so `her` is an object (promoted her last
             month -> him; her last film stays his).
"""
import collections
import os
import re
import sys

POS = {"1": "n", "2": "v", "3": "a", "4": "r", "5": "a"}


def index(d, name):
    words = set()
    with open(os.path.join(d, "index." + name), encoding="latin-1") as f:
        for line in f:
            if line.startswith(" "):
                continue
            w = line.split(" ", 1)[0]
            if re.fullmatch(r"[a-z]+", w):
                words.add(w)
    return words


def verb_frames(d):
    """word -> set of frame numbers over all its senses (data.verb)."""
    frames = collections.defaultdict(set)
    with open(os.path.join(d, "data.verb"), encoding="latin-1") as f:
        for line in f:
            if line.startswith(" "):
                continue
            p = line.split("|")[0].split()
            n = int(p[3], 16)
            words = [p[4 + 2 * i].lower() for i in range(n)]
            i = 4 + 2 * n
            i += 1 + 4 * int(p[i])
            if i >= len(p):
                continue
            for _ in range(int(p[i])):
                fr, wn = int(p[i + 2]), int(p[i + 3], 16)
                i += 3
                for w in (words if wn == 0 else [words[wn - 1]]):
                    frames[w].add(fr)
    return frames


# time synsets (offsets in WordNet 3.0 data.noun) and their names
TIME_ROOTS = {
    "15154774": "time unit", "15169873": "week", "15203791": "year",
    "15204983": "decade", "15205532": "century", "15170504": "weekend",
    "15163005": "day of the week", "15209413": "calendar month",
    "15236475": "season", "15228378": "time of day",
    "15165289": "morning", "15166191": "afternoon", "15166462": "evening",
    "15167027": "night", "15183428": "holiday",
}
# "last time", "every time", "one time": time (the unit) is no hyponym
TIME_ADD = {"time"}
# calendar words that are mostly something else, or abbreviations
TIME_DROP = {"may", "march", "fall", "date", "sun", "moon", "bell", "prime",
             "none", "nones", "harvest", "maturity", "quarter", "eve",
             "morrow", "lunation", "haying", "feria", "dominicus",
             "sabbatum", "aurora", "complin", "compline", "matins",
             "evensong", "sext", "terce", "tierce", "vespers", "gloam",
             "even", "dark", "rag", "second", "sat", "wed", "mon", "fri",
             "mar", "pus", "min", "sec", "msec", "tdt", "shiva", "jan",
             "feb", "apr", "aug", "sep", "sept", "oct", "nov", "dec", "tues"}


def hyponyms(d, roots, depth):
    """Single lower-case words of the synsets at most depth - 1 hyponym
    levels under the root synsets (data.noun offsets)."""
    hypo = collections.defaultdict(list)
    words = {}
    with open(os.path.join(d, "data.noun"), encoding="latin-1") as f:
        for line in f:
            if line.startswith(" "):
                continue
            p = line.split("|")[0].split()
            n = int(p[3], 16)
            words[p[0]] = [p[4 + 2 * i] for i in range(n)]
            i = 4 + 2 * n
            for k in range(int(p[i])):
                sym, off = p[i + 1 + 4 * k], p[i + 2 + 4 * k]
                if sym in ("~", "~i"):
                    hypo[p[0]].append(off)
    out = set()
    for root in roots:
        assert root in words, root
        level = [root]
        for _ in range(depth):
            nxt = []
            for off in level:
                out.update(w.lower() for w in words[off])
                nxt.extend(hypo[off])
            level = nxt
    return {w for w in out if re.fullmatch(r"[a-z]{3,}", w)}


def plurals(d, nouns):
    """The plurals of the nouns: noun.exc forms and the regular ones."""
    out = set()
    with open(os.path.join(d, "noun.exc"), encoding="latin-1") as f:
        for line in f:
            form, base = line.split()[:2]
            if base in nouns and re.fullmatch(r"[a-z]+", form):
                out.add(form)
    for w in nouns:
        if re.search(r"(s|x|z|ch|sh)$", w):
            out.add(w + "es")
        elif re.search(r"[^aeiou]y$", w):
            out.add(w[:-1] + "ies")
        else:
            out.add(w + "s")
    return out


def person_plurals(d):
    lexfile = {}
    with open(os.path.join(d, "data.noun"), encoding="latin-1") as f:
        for line in f:
            if not line.startswith(" "):
                off, lf = line.split(" ", 2)[:2]
                lexfile[off] = lf
    person = set()
    with open(os.path.join(d, "index.noun"), encoding="latin-1") as f:
        for line in f:
            if line.startswith(" "):
                continue
            p = line.split()
            if not re.fullmatch(r"[a-z]+", p[0]):
                continue
            first = p[4 + int(p[3]) + 2]   # synsets follow the pointer symbols
            if lexfile[first] == "18":     # noun.person
                person.add(p[0])
    out = set()
    with open(os.path.join(d, "noun.exc"), encoding="latin-1") as f:
        for line in f:
            form, base = line.split()[:2]
            if base in person and re.fullmatch(r"[a-z]+", form):
                out.add(form)
    for w in person:
        if re.search(r"(s|x|z|ch|sh)$", w):
            out.add(w + "es")
        elif re.search(r"[^aeiou]y$", w):
            out.add(w[:-1] + "ies")
        else:
            out.add(w + "s")
    return out


def senses(d):
    """pos -> word -> number of senses (index.POS)."""
    out = {}
    for pos in ("noun", "adj"):
        out[pos] = collections.Counter()
        with open(os.path.join(d, "index." + pos), encoding="latin-1") as f:
            for line in f:
                if not line.startswith(" "):
                    p = line.split()
                    out[pos][p[0]] = int(p[2])
    return out


def food_nouns(d, lexfiles=("13",)):
    """Single words whose first (most frequent) noun sense is in one of the
    lexicographer files (13 noun.food: soup, milk, syrup, dessert, lunch)."""
    lexfile = {}
    with open(os.path.join(d, "data.noun"), encoding="latin-1") as f:
        for line in f:
            if not line.startswith(" "):
                off, lf = line.split(" ", 2)[:2]
                lexfile[off] = lf
    out = set()
    with open(os.path.join(d, "index.noun"), encoding="latin-1") as f:
        for line in f:
            if line.startswith(" "):
                continue
            p = line.split()
            if re.fullmatch(r"[a-z]{3,}", p[0]) and \
               lexfile[p[-int(p[2])]] in lexfiles:
                out.add(p[0])
    return out


def frame_share(d, frame):
    """verb -> share of its SemCor sense tags (+0.5 per sense) on senses
    that list the frame (index.verb gives the senses in sense-number order,
    cntlist.rev the tags per sense number)."""
    frames = collections.defaultdict(lambda: collections.defaultdict(set))
    with open(os.path.join(d, "data.verb"), encoding="latin-1") as f:
        for line in f:
            if line.startswith(" "):
                continue
            p = line.split("|")[0].split()
            n = int(p[3], 16)
            words = [p[4 + 2 * i].lower() for i in range(n)]
            i = 4 + 2 * n
            i += 1 + 4 * int(p[i])
            if i >= len(p):
                continue
            for _ in range(int(p[i])):
                fr, wn = int(p[i + 2]), int(p[i + 3], 16)
                i += 3
                for w in (words if wn == 0 else [words[wn - 1]]):
                    frames[p[0]][w].add(fr)
    tags = collections.defaultdict(dict)
    with open(os.path.join(d, "cntlist.rev"), encoding="latin-1") as f:
        for line in f:
            key, sn, c = line.split()
            lemma, rest = key.split("%", 1)
            if rest[0] == "2":
                tags[lemma][int(sn)] = int(c)
    share = {}
    with open(os.path.join(d, "index.verb"), encoding="latin-1") as f:
        for line in f:
            if line.startswith(" "):
                continue
            p = line.split()
            offs = p[-int(p[2]):]
            tot = hit = 0.0
            for k, off in enumerate(offs, 1):
                c = tags[p[0]].get(k, 0) + 0.5
                tot += c
                if frame in frames[off][p[0]]:
                    hit += c
            share[p[0]] = hit / tot
    return share


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/wordnet"
    noun, verb, adj, adv = (index(d, p) for p in ("noun", "verb", "adj", "adv"))
    cnt = collections.defaultdict(lambda: collections.Counter())
    with open(os.path.join(d, "cntlist.rev"), encoding="latin-1") as f:
        for line in f:
            key, _, tags = line.split()
            lemma, rest = key.split("%", 1)
            cnt[lemma][POS[rest[0]]] += int(tags)
    # inflected forms are not base verbs: keep words that are their own lemma
    verb_only = sorted(w for w in verb if w not in noun and w not in adj and
                       len(w) > 2)
    verb_major = sorted(w for w in verb if w in noun and len(w) > 2 and
                        cnt[w]["v"] >= 3 * (cnt[w]["n"] + cnt[w]["a"]))
    verb_any = sorted(w for w in verb if len(w) > 2)
    verb_pref = sorted(w for w in verb if len(w) > 2 and
                       cnt[w]["v"] > cnt[w]["n"] + cnt[w]["a"])
    adj_only = sorted(w for w in adj if w not in noun and w not in verb and
                      len(w) > 2)
    adj_nn = sorted(w for w in adj if w not in noun and len(w) > 2)
    adv_only = sorted(w for w in adv if w not in noun and w not in adj and
                      w not in verb and not w.endswith("ly") and len(w) > 2 and
                      not (w.endswith("s") and (w[:-1] in noun or w[:-1] in verb)))
    adv_major = sorted(w for w in adv if (w in noun or w in adj or w in verb)
                       and not w.endswith("ly") and len(w) > 3 and
                       cnt[w]["r"] > 0 and
                       cnt[w]["r"] >= 2 * (cnt[w]["n"] + cnt[w]["a"] + cnt[w]["v"])
                       and w not in ("none", "plum", "plumb"))
    comp = set()
    for name in ("adj.exc", "adv.exc"):
        with open(os.path.join(d, name), encoding="latin-1") as f:
            for line in f:
                form = line.split()[0]
                if re.fullmatch(r"[a-z]+er", form):
                    comp.add(form)
    for b in adj:
        if len(re.findall(r"[aeiouy]+", b)) != 1 or len(b) < 3:
            continue
        if b.endswith("e"):
            comp.add(b + "r")
        elif re.search(r"[^aeiou][aeiou][bdgmnpt]$", b):
            comp.add(b + b[-1] + "er")
        else:
            comp.add(b + "er")
    comparative = sorted(w for w in comp if w not in noun and w not in verb)
    noun_ed = sorted(w for w in noun if w.endswith("ed") and len(w) > 3)
    ly_adj = sorted(w for w in adj if w.endswith("ly") and len(w) > 4 and
                    cnt[w]["a"] >= cnt[w]["r"] and (cnt[w]["a"] > 0 or w not in adv))
    nsen = senses(d)
    adj_major = sorted(w for w in adj if w in noun and len(w) > 2 and
                       ((cnt[w]["a"] >= 3 and cnt[w]["a"] >= cnt[w]["n"]) or
                        (cnt[w]["a"] + cnt[w]["n"] == 0 and
                         nsen["adj"][w] >= nsen["noun"][w])))
    food = sorted(food_nouns(d))
    knowledge = sorted(food_nouns(d, ("09", "10")))
    animal_pl = sorted(plurals(d, food_nouns(d, ("05",))))
    ing_adj = sorted(w for w in cnt if re.fullmatch(r"[a-z]{2,}ing", w) and
                     cnt[w]["a"] > 0)
    frames = verb_frames(d)
    base = lambda f: sorted(w for w in verb if f in frames[w] and len(w) > 2)
    dtv, bare_inf, small = base(14), base(25), base(5)
    f14 = frame_share(d, 14)
    dtv_major = sorted(w for w in dtv if f14.get(w, 0) >= 0.2)
    time = sorted((hyponyms(d, TIME_ROOTS, 3) - TIME_DROP) | TIME_ADD)
    kin = sorted(hyponyms(d, {"10235549": "relative"}, 12))
    person_pl = sorted(person_plurals(d))
    verb_exc = []
    with open(os.path.join(d, "verb.exc"), encoding="latin-1") as f:
        for line in f:
            form, b = line.split()[:2]
            if re.fullmatch(r"[a-z]+", form) and re.fullmatch(r"[a-z]+", b):
                verb_exc.append(form + " " + b)
    verb_exc.sort()
    out = sys.stdout
    out.write("/*\n * her_pos.c - GENERATED by scripts/derive_her_pos.py from "
              "Princeton WordNet 3.0\n * (Debian wordnet-base; WordNet 3.0 licence, "
              "permissive, see\n * /usr/share/doc/wordnet-base/copyright).  Do not edit; "
              "regenerate.\n * Word classes for rules_gender.c (see the script's "
              "docstring).\n */\n#include \"rules.h\"\n\n")
    for name, words in (("verb_only", verb_only), ("verb_major", verb_major),
                        ("verb_any", verb_any), ("verb_pref", verb_pref),
                        ("adj_only", adj_only), ("adj_nn", adj_nn),
                        ("adv_only", adv_only), ("adv_major", adv_major),
                        ("comparative", comparative),
                        ("noun_ed", noun_ed),
                        ("ly_adj", ly_adj), ("adj_major", adj_major),
                        ("ing_adj", ing_adj), ("food", food),
                        ("knowledge", knowledge), ("animal_pl", animal_pl),
                        ("dtv", dtv),
                        ("dtv_major", dtv_major),
                        ("bare_inf", bare_inf), ("small", small),
                        ("time", time), ("kin", kin), ("person_pl", person_pl),
                        ("verb_exc", verb_exc)):
        out.write("const char *const cf_her_%s[] = {\n" % name)
        line = "\t"
        for w in words:
            item = '"%s", ' % w
            if len(line) + len(item) > 76:
                out.write(line.rstrip() + "\n")
                line = "\t"
            line += item
        out.write(line.rstrip() + "\n};\n")
        out.write("const size_t cf_her_n_%s = sizeof cf_her_%s / sizeof cf_her_%s[0];\n\n"
                  % (name, name, name))


if __name__ == "__main__":
    main()
