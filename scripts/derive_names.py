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
     for evidence because its partner is a common word.
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
        todo = []
        for n in names[sex]:
            if n in paired:
                continue
            c = dec.get((n, sex), [0] * nd)
            share = [c[d] / tot[sex][d] if tot[sex][d] else 0 for d in range(nd)]
            peak = max(range(nd), key=lambda d: (share[d], -d))
            r = ranked[(sex, peak)].index(n)
            if r < TOP_DECADE:
                todo.append((r, n, peak))
        # the most common first; a partner serves one one-way name only,
        # so two people of a text never get the same name (Carol, Florence)
        for r, n, peak in sorted(todo):
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
    oneway = unpaired_partners(pairs, bands, decade_counts(lexdir), words, ambig)

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
