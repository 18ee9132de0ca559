#!/usr/bin/env python3
"""Derive lexicons/names.tsv (male<TAB>female<TAB>tag) from SSA name counts.

Usage: scripts/derive_names.py SSA_TSV LEXICON_DIR CAD_DIR [WORDS] > lexicons/names.tsv
  SSA_TSV      US Social Security Administration national baby-name counts
               summed over 1880-2012 (name, sex, count; public domain), e.g.
               /work/shared/data/names/ssa_names_by_sex.tsv
  LEXICON_DIR  lexicons/: names-stoplist.txt, names-surnames.txt,
               names-places.txt, names-ambiguous.txt, names-dated.txt,
               names-works.txt
  CAD_DIR      /work/shared/data: cad-sentiment/orig_train.tsv and
               cad-nli/original_train.tsv (Kaushik et al., Apache-2.0), the
               real text that says which names are also common words
  WORDS        /usr/share/dict/words (Debian wamerican; default)

Method (Counterfactual Data Substitution style):
  1. single-sex names: at least SHARE (98%) of a name's births are of one
     sex (Meredith, 4.3% male and the surname of men, is out);
  2. dropped: the stoplist (names given to both sexes, brands, gendered
     words), places, titles and religious names (names-places.txt), names
     of fewer than 2 letters, and surnames (names-surnames.txt, after the
     Census 2010 list) unless among the TOP_KEEP most frequent names of
     their sex (Johnson, Davis, Williams, Lincoln out; James, Thomas in),
     and names the CAD train text uses at least 3 times in surname position
     (after a capitalised word in mid-sentence) and over twice as often as
     in first-name position (before a capitalised word): Burton, Dalton;
  3. tagged "ambig-name" (swapped only with evidence of name use):
     names-ambiguous.txt (single-sex names that are common words: Will,
     Mark, Rose; places that are also common names: Virginia), and names
     whose lower-case form is an ordinary lower-case word of WORDS that
     the CAD train text writes in lower case at least LOWER_SHARE of the
     times it writes it at all (at least 3 times): "grant", "faith";
     not "john" or "harry", which WORDS lists but text writes capitalised;
  4. pairing: male and female names are each split into "dated" (names-
     dated.txt: common before ~1960, rare since) and current, and into
     ambiguous and plain (3.), ranked by count, and paired rank for rank
     within each band, so a name is swapped with one of similar frequency
     and era (Harry no longer gets Mildred), and a plain name never waits
     for evidence because its partner is a common word.  Era check: the
     rank pairs whose mean birth years (names-decades.tsv, decade
     midpoints weighted by births) are more than ERA_MAX (30) years apart
     (Burt, 1940, and Kyleigh, 2007) are paired again among themselves:
     the i-th male name of them takes, among their female names ranked
     within ERA_WINDOW of i and not yet taken, the one of the nearest mean
     birth year (a name the window passes is taken then); the other pairs
     and the set of paired names are the rank pairing's.
     Pairing is one-to-one, so one text maps a name the same way everywhere;
  5. accented spellings (ACCENTED) are added one way to their ASCII form's
     partner (José -> the partner of Jose); the partner maps back to the
     ASCII form;
  6. every name that passes 1.-3. and is left out by 4. (the bands' sizes
     differ, and MAX_PAIRS) gets a one-way partner (tag name-f2m or
     name-m2f, ambig-name-f2m or ambig-name-m2f): its peak decade is the
     decade with its largest share of its sex's births (names-decades.tsv:
     the SSA counts split by decade), its rank there among its sex's names
     by births in that decade is r, and its partner is the name of the other
     sex at rank r in the same decade, walking to the nearest rank whose
     name has a pair of 4., the same ambiguity class and no one-way name
     yet (most common names first: Mabel, 1890s -> Paul, as common in the
     1890s); only names of rank r < TOP_DECADE (the
     rarer tail is mostly words, places and surnames).  The partner maps back to its own
     pair (one-to-one pairs of 4. are not changed);
  8. fallback partners (tag rare-name-f2m / rare-name-m2f): a name not
     in the list so far with at least FALLBACK_SHARE (99%) of its births
     of one sex and at least FALLBACK_BIRTHS (300) births (Meryl, Kiefer,
     Ossie is 94% female and out), not in the stoplist, places or
     surnames (at any rank), not used in CAD train as a surname more often
     than as a first name, and whose lower-case form is no word of WORDS
     nor names-ambiguous.txt, gets a one-way partner: among the other
     sex's names of tag `name` with a pair, ranked by births in the name's
     peak decade, the one at rank (r mod FALLBACK_TOP), r the name's own
     rank there: a frequent name of the same decade.  The engine swaps
     such a name only in a record the gender pack changes (so the person
     keeps one sex with their pronouns), and rejects the candidate
     (unswapped_name) when the partner already names someone in the text;
  7. titles of works, brands and companies that start with a first name
     (names-works.txt: Jane Eyre, Kate Spade) are appended as `keep`
     entries: matched as a whole and never edited.
"""
import os
import sys

SHARE = 0.98
MAX_PAIRS = 1500
TOP_KEEP = 100
LOWER_SHARE = 0.2
# a name left unpaired gets a one-way partner only if among the TOP_DECADE
# most frequent names of its sex in its peak decade: the rare tail is full
# of words, places and surnames nobody listed (Star, Sunday, Missouri, Bush)
TOP_DECADE = 200
# 4.: a male name's partner is chosen among the female names of its band
# within ERA_WINDOW ranks of its own rank, the one of the nearest mean birth
# year (Burt, born on average 1940, no longer gets Kyleigh, 2007)
ERA_WINDOW = 20
ERA_MAX = 30
# 8.: fallback partners for strongly sexed names outside the pair list,
# used only where the gender pack changes the record (rare-name-f2m/m2f)
FALLBACK_SHARE = 0.99
FALLBACK_BIRTHS = 300
FALLBACK_TOP = 50

# accented spelling -> its ASCII form in the SSA file
ACCENTED = {
    "José": "Jose", "Jesús": "Jesus", "André": "Andre", "René": "Rene",
    "Raúl": "Raul", "Rubén": "Ruben", "Héctor": "Hector", "Ramón": "Ramon",
    "Andrés": "Andres", "Joaquín": "Joaquin", "Martín": "Martin",
    "Óscar": "Oscar", "Iván": "Ivan", "Julián": "Julian", "Adrián": "Adrian",
    "Sebastián": "Sebastian", "Nicolás": "Nicolas", "Tomás": "Tomas",
    "Zoë": "Zoe", "Zoé": "Zoe", "Renée": "Renee", "Chloë": "Chloe",
    "Chloé": "Chloe", "Désirée": "Desiree", "Aimée": "Aimee",
    "María": "Maria", "Sofía": "Sofia", "Lucía": "Lucia", "Mónica": "Monica",
    "Verónica": "Veronica", "Inés": "Ines", "Raquel": "Raquel",
    "Noël": "Noel", "Noémie": "Noemi", "Béatrice": "Beatrice",
    "Hélène": "Helene", "Cécile": "Cecile", "Élise": "Elise",
    "Léa": "Lea", "Zoë": "Zoe", "Anaïs": "Anais", "Jérôme": "Jerome",
    "Frédéric": "Frederic", "Stéphane": "Stephane", "Émile": "Emile",
    "Penélope": "Penelope", "François": "Francois", "Søren": "Soren",
    "Björn": "Bjorn", "Åsa": "Asa", "Jürgen": "Jurgen",
}


def read_list(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                out.append(line)
    return out


def cad_case_counts(cad):
    """(lower-case count, capitalised count, surname-position count,
    first-name-position count) of each word in CAD train."""
    import csv
    import re
    csv.field_size_limit(1 << 30)
    low, cap, sur, fst = {}, {}, {}, {}
    tok = re.compile(r"[A-Za-z]+|[.!?;:\"()]")
    for path, cols in (("cad-sentiment/orig_train.tsv", ["Text"]),
                       ("cad-nli/original_train.tsv", ["sentence1", "sentence2"])):
        with open(os.path.join(cad, path), encoding="utf-8") as f:
            r = csv.reader(f, delimiter="\t")
            head = next(r)
            for row in r:
                for c in cols:
                    ws = tok.findall(re.sub(r"<br\s*/?>", " . ", row[head.index(c)]))
                    for i, w in enumerate(ws):
                        if not w.isalpha():
                            continue
                        d = low if w.islower() else cap
                        d[w.lower()] = d.get(w.lower(), 0) + 1
                        if not w[0].isupper():
                            continue
                        prev = ws[i - 1] if i else "."
                        prev2 = ws[i - 2] if i > 1 else "."
                        nxt = ws[i + 1] if i + 1 < len(ws) else "."
                        capw = lambda x: x.isalpha() and x[0].isupper()
                        if capw(prev) and not (not prev2.isalpha()):
                            sur[w.lower()] = sur.get(w.lower(), 0) + 1
                        elif capw(nxt):
                            fst[w.lower()] = fst.get(w.lower(), 0) + 1
    return low, cap, sur, fst


def decade_counts(lexdir):
    """(name, sex) -> births per decade (lexicons/names-decades.tsv)."""
    out = {}
    with open(os.path.join(lexdir, "names-decades.tsv"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            c = line.rstrip("\n").split("\t")
            out[(c[0], c[1])] = [int(x) for x in c[2:]]
    return out


def mean_year(dec, name, sex):
    """Mean birth year of a name (decade midpoints weighted by births)."""
    v = dec.get((name, sex))
    if not v or not sum(v):
        return None
    return sum((1885 + 10 * d) * c for d, c in enumerate(v)) / sum(v)


def era_pair(m, f, dec):
    """Pair m[i] with the f[j], |i - j| <= ERA_WINDOW, not yet taken, of the
    nearest mean birth year (ties: nearest rank); an f[j] the window has
    passed is taken at once.  Every name of m and f is paired."""
    free = list(range(len(f)))
    out = []
    for i, a in enumerate(m):
        if free[0] <= i - ERA_WINDOW:
            j = free[0]
        else:
            ya = mean_year(dec, a, "M")

            def dist(j):
                yb = mean_year(dec, f[j], "F")
                return (abs(ya - yb) if ya is not None and yb is not None else 999,
                        abs(j - i), j)
            j = min((j for j in free if abs(j - i) <= ERA_WINDOW), key=dist)
        free.remove(j)
        out.append((a, f[j]))
    return out


def era_repair(m, f, dec):
    """Rank pairs m[i] - f[i]; the pairs more than ERA_MAX years apart in
    mean birth year are paired again among themselves by era_pair (the
    others, most of the list, keep their partner)."""
    def gap(a, b):
        ya, yb = mean_year(dec, a, "M"), mean_year(dec, b, "F")
        return abs(ya - yb) if ya is not None and yb is not None else 0
    bad = [i for i in range(len(m)) if gap(m[i], f[i]) > ERA_MAX]
    out = {i: (m[i], f[i]) for i in range(len(m))}
    redo = era_pair([m[i] for i in bad], [f[i] for i in bad], dec)
    for i, pr in zip(bad, redo):
        out[i] = pr
    return [out[i] for i in range(len(m))]


def fallback_partners(counts, pairs, oneway, dec, dropped, sur_n, fst_n,
                      words_path, ambig, words):
    """[(name, partner, sex)] of docstring 8."""
    have = {x for a, b, _ in pairs for x in (a, b)} | {o[0] for o in oneway}
    plain = {x for a, b, _ in pairs for x in (a, b)
             if not (a.lower() in words or a.lower() in ambig or
                     b.lower() in words or b.lower() in ambig)}
    lower_words = set()
    with open(words_path, encoding="utf-8") as f:
        for line in f:
            w = line.strip()
            if w.islower():
                lower_words.add(w)
    nd = len(next(iter(dec.values())))
    tot = {sex: [sum(v[d] for (n, s), v in dec.items() if s == sex)
                 for d in range(nd)] for sex in "MF"}
    ranked = {(sex, d): sorted((n for (n, s) in dec if s == sex),
                               key=lambda n: (-dec[(n, sex)][d], n))
              for sex in "MF" for d in range(nd)}
    out = []
    for name, c in sorted(counts.items()):
        total = c["M"] + c["F"]
        low = name.lower()
        for sex, other in (("F", "M"), ("M", "F")):
            if c[sex] < FALLBACK_SHARE * total or c[sex] < FALLBACK_BIRTHS:
                continue
            if name in have or len(name) < 2 or not name.isalpha() or \
                    low in dropped or low in lower_words or low in ambig or \
                    (sur_n.get(low, 0) >= 2 and sur_n.get(low, 0) > fst_n.get(low, 0)):
                continue
            v = dec.get((name, sex))
            if not v or not sum(v):
                continue
            peak = max(range(nd), key=lambda d: (v[d] / tot[sex][d] if tot[sex][d] else 0, -d))
            r = ranked[(sex, peak)].index(name)
            cand = [n for n in ranked[(other, peak)] if n in plain][:FALLBACK_TOP]
            if cand:
                out.append((name, cand[r % len(cand)], sex))
    out.sort(key=lambda o: (o[2] == "M", o[0]))
    return out


def unpaired_partners(pairs, bands, dec, words, ambig):
    """[(name, partner, sex of name, ambiguous)] for every filtered name
    that 4. left without a pair: the other sex's name of the same rank in
    the name's peak decade (nearest rank with a pair and the same class)."""
    paired = {x for a, b, _ in pairs for x in (a, b)}
    isamb = lambda x: x.lower() in words or x.lower() in ambig
    names = {sex: [n for (s, _), ns in bands.items() if s == sex for n in ns]
             for sex in "MF"}
    nd = len(next(iter(dec.values())))
    tot = {sex: [sum(dec.get((n, sex), [0] * nd)[d] for n in names[sex])
                 for d in range(nd)] for sex in "MF"}
    # per sex and decade: names by births there, most first (ties by name)
    ranked = {(sex, d): sorted(names[sex], key=lambda n: (-dec.get((n, sex), [0] * nd)[d], n))
              for sex in "MF" for d in range(nd)}
    out, used = [], set()
    for sex, other in (("F", "M"), ("M", "F")):
        pending = []
        for n in names[sex]:
            if n in paired:
                continue
            c = dec.get((n, sex), [0] * nd)
            share = [c[d] / tot[sex][d] if tot[sex][d] else 0 for d in range(nd)]
            peak = max(range(nd), key=lambda d: (share[d], -d))
            r = ranked[(sex, peak)].index(n)
            if r < TOP_DECADE:
                pending.append((r, n, peak))
        # the most common first; a partner serves one one-way name only,
        # so two people of a text never get the same name (Carol, Florence)
        for r, n, peak in sorted(pending):
            cand = ranked[(other, peak)]
            best = None
            for k in range(len(cand)):
                for j in (r - k, r + k):
                    if 0 <= j < len(cand) and cand[j] in paired and \
                            cand[j] not in used and isamb(cand[j]) == isamb(n):
                        best = cand[j]
                        break
                if best:
                    break
            if best:
                used.add(best)
                out.append((n, best, sex, isamb(n)))
    out.sort(key=lambda o: (o[2] == "M", o[0]))
    return out


def main():
    ssa, lexdir, cad = sys.argv[1], sys.argv[2], sys.argv[3]
    words_path = sys.argv[4] if len(sys.argv) > 4 else "/usr/share/dict/words"
    low_n, cap_n, sur_n, fst_n = cad_case_counts(cad)
    lower = lambda xs: {x.lower() for x in xs}
    stop = lower(read_list(os.path.join(lexdir, "names-stoplist.txt")))
    surn = lower(read_list(os.path.join(lexdir, "names-surnames.txt")))
    places = lower(read_list(os.path.join(lexdir, "names-places.txt")))
    ambig = lower(read_list(os.path.join(lexdir, "names-ambiguous.txt")))
    dated = lower(read_list(os.path.join(lexdir, "names-dated.txt")))
    words = set()
    with open(words_path, encoding="utf-8") as f:
        for line in f:
            w = line.strip()
            if w.isalpha() and w.islower():
                lo, ca = low_n.get(w, 0), cap_n.get(w, 0)
                if lo >= 3 and lo >= LOWER_SHARE * (lo + ca):
                    words.add(w)
    counts = {}
    with open(ssa, encoding="utf-8") as f:
        next(f)
        for line in f:
            name, sex, count = line.rstrip("\n").split("\t")
            counts.setdefault(name, {"M": 0, "F": 0})[sex] += int(count)
    by_sex = {"M": [], "F": []}
    for name, c in counts.items():
        total = c["M"] + c["F"]
        for sex in "MF":
            if c[sex] >= SHARE * total:
                by_sex[sex].append((-c[sex], name))
    dropped = {"stoplist": 0, "places": 0, "surnames": 0}
    bands = {}
    for sex in "MF":
        by_sex[sex].sort()
        for rank, (negc, name) in enumerate(by_sex[sex]):
            low = name.lower()
            if len(name) < 2 or not name.isalpha():
                continue
            if low in stop:
                dropped["stoplist"] += 1
                continue
            if low in places:
                dropped["places"] += 1
                continue
            if low in surn and rank >= TOP_KEEP:
                dropped["surnames"] += 1
                continue
            # used as a surname in real text: "Tim Burton", "Timothy Dalton"
            if rank >= TOP_KEEP and sur_n.get(low, 0) >= 3 and \
                    sur_n.get(low, 0) > 2 * fst_n.get(low, 0):
                dropped["surnames"] += 1
                continue
            band = ("dated" if low in dated else "current",
                    low in words or low in ambig)
            bands.setdefault((sex, band), []).append(name)
    dec = decade_counts(lexdir)
    pairs = []
    for band in (("current", False), ("current", True), ("dated", False),
                 ("dated", True)):
        m, f = bands.get(("M", band), []), bands.get(("F", band), [])
        n = min(len(m), len(f))
        pairs += [(m[i], f[i], band) for i in range(n)]
    # most frequent pairs first, at most MAX_PAIRS
    rank_of = {name: i for sex in "MF" for i, (_, name) in enumerate(by_sex[sex])}
    pairs.sort(key=lambda p: min(rank_of[p[0]], rank_of[p[1]]))
    pairs = pairs[:MAX_PAIRS]
    # era check among the pairs kept (so the set of paired names is the
    # rank pairing's): each pair keeps its place in the file
    for band in set(p[2] for p in pairs):
        slots = sorted((k for k, p in enumerate(pairs) if p[2] == band),
                       key=lambda k: rank_of[pairs[k][0]])
        redo = era_repair([pairs[k][0] for k in slots],
                          [pairs[k][1] for k in slots], dec)
        for k, (a, b) in zip(slots, redo):
            pairs[k] = (a, b, band)
    oneway = unpaired_partners(pairs, bands, dec, words, ambig)
    fallback = fallback_partners(counts, pairs, oneway, dec, stop | places | surn,
                                 sur_n, fst_n, words_path, ambig, words)

    def tag(a, b):
        return "ambig-name" if any(x.lower() in words or x.lower() in ambig
                                   for x in (a, b)) else "name"
    partner = {}
    for a, b, _ in pairs:
        partner[a] = b
        partner[b] = a
    out = sys.stdout
    out.write("# names.tsv - first-name pairs for the cfaug names intervention.\n"
              "# Derived by scripts/derive_names.py (see its docstring) from the US Social\n"
              "# Security Administration baby-name counts 1880-2012 (public domain):\n"
              "# names with >= %d%% of births of one sex; dropped: stoplist %d, places and\n"
              "# titles %d, surnames %d (names-*.txt in this folder); paired by rank within\n"
              "# the dated and the current band (%d pairs).  Tag name: a first name in\n"
              "# first-name position; ambig-name: also a common word, swapped only with\n"
              "# evidence of name use.  Accented spellings at the end (one way; the\n"
              "# engine's first-name position check does not apply to them).\n"
              % (int(SHARE * 100), dropped["stoplist"], dropped["places"],
                 dropped["surnames"], len(pairs)))
    out.write("# Format: male<TAB>female<TAB>tag\n")
    for a, b, _ in pairs:
        out.write("%s\t%s\t%s\n" % (a, b, tag(a, b)))
    out.write("# one-way partners of the names 4. left without a pair (docstring\n"
              "# 6.): a name's partner is the other sex's name of its rank in the\n"
              "# decade of its largest share of births (names-decades.tsv), the nearest\n"
              "# rank whose name has a pair and no other one-way name; only names in the top %d of their\n"
              "# sex in that decade; written male<TAB>female, tag *-f2m: the\n"
              "# female name is swapped to the male one only, *-m2f: the reverse\n"
              "# (%d female, %d male names)\n"
              % (TOP_DECADE, sum(1 for o in oneway if o[2] == "F"),
                 sum(1 for o in oneway if o[2] == "M")))
    for n, p, sex, amb in oneway:
        t = ("ambig-name" if amb else "name") + ("-f2m" if sex == "F" else "-m2f")
        m, f = (p, n) if sex == "F" else (n, p)
        out.write("%s\t%s\t%s\n" % (m, f, t))
    out.write("# fallback partners (docstring 8.): strongly sexed names outside the\n"
              "# pairs above (>= %d%% of births one sex, >= %d births), each to a frequent\n"
              "# name of the other sex in its peak decade; swapped only in a record\n"
              "# the gender pack changes (%d female, %d male names)\n"
              % (int(FALLBACK_SHARE * 100), FALLBACK_BIRTHS,
                 sum(1 for o in fallback if o[2] == "F"),
                 sum(1 for o in fallback if o[2] == "M")))
    for n, p, sex in fallback:
        m, f = (p, n) if sex == "F" else (n, p)
        out.write("%s\t%s\t%s\n" % (m, f, "rare-name-f2m" if sex == "F" else "rare-name-m2f"))
    for acc, asc in ACCENTED.items():
        if asc in partner and acc != asc:
            p = partner[asc]
            t = tag(asc, p)
            # a -> b only (oneway) with a the accented spelling
            out.write("%s\t%s\toneway\n" % (acc, p))
    works = read_list(os.path.join(lexdir, "names-works.txt"))
    out.write("# titles, brands and companies named after a person (names-works.txt):\n"
              "# matched as a whole and left alone\n")
    for w in works:
        out.write("%s\t%s\tkeep\n" % (w, w))


if __name__ == "__main__":
    main()
