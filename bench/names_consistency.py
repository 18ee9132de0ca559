#!/usr/bin/env python3
"""Count written candidates whose pronouns flip while a sexed first name stays.

Usage: bench/names_consistency.py SSA_TSV OUT_DIR [LIST.tsv]
  SSA_TSV  /work/shared/data/names/ssa_names_by_sex.tsv (public domain)
  OUT_DIR  a cfaug run with packs [gender, names] (or [gender]) and
           provenance full: its pairs.jsonl and rejected.jsonl are read
  LIST.tsv optional: one row per flagged name (pair id, name, context) to read

A candidate is inconsistent here when the gender pack edited it and its
source text has a capitalised word that is a strongly sexed first name in
the SSA counts (>= SHARE of its births one sex, >= BIRTHS births: the same
definition as scripts/derive_names.py step 8, but independent of names.tsv)
in a rough first-name position (not after a capitalised word in mid-
sentence, a title or the/a/an; not before a place word; not sentence-
initial before a lower-case non-verb -- a judge of this script's output
reads the flags) that no edit touched.  Names the lexicon drops on purpose
(lexicons/names-places.txt, -stoplist, -surnames, -ambiguous) and lower-case
words of /usr/share/dict/words are not counted.  The position test is a heuristic
of this script, independent of the engine's: read the listed rows.
"""
import json
import os
import re
import sys

SHARE = 0.99
BIRTHS = 300
TITLES = {"mr", "mrs", "ms", "miss", "dr", "sir", "lord", "lady", "king",
          "queen", "prince", "princess", "saint", "st", "captain", "uncle",
          "aunt", "president", "general", "judge", "professor", "the", "a",
          "an", "dame", "mister", "brother", "sister", "father", "mother",
          "pope", "duke", "count", "agent", "detective", "officer"}
PLACE = {"street", "university", "college", "school", "park", "river",
         "county", "city", "hall", "award", "awards", "center", "hotel",
         "island", "lake", "bridge", "avenue", "road", "studios", "films"}
WORD = re.compile(r"[A-Za-z\u00C0-\u024F]+(?:'[A-Za-z]+)?|[^\sA-Za-z\u00C0-\u024F]")


def listed(lexdir):
    """Words the names lexicon drops on purpose (places, stoplist, surnames)
    and lower-case dictionary words: not clearly a first name."""
    out = set()
    for f in ("names-places.txt", "names-stoplist.txt", "names-surnames.txt",
              "names-ambiguous.txt"):
        with open(os.path.join(lexdir, f), encoding="utf-8") as fh:
            out |= {l.strip().lower() for l in fh if l.strip() and not l.startswith("#")}
    with open("/usr/share/dict/words", encoding="utf-8") as fh:
        out |= {l.strip() for l in fh if l.strip().islower()}
    return out


def sexed(path, drop):
    c = {}
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            n, s, k = line.rstrip("\n").split("\t")
            c.setdefault(n, {"M": 0, "F": 0})[s] += int(k)
    out = {}
    for n, v in c.items():
        t = v["M"] + v["F"]
        if n.lower() in drop:
            continue
        for s in "MF":
            if v[s] >= SHARE * t and v[s] >= BIRTHS:
                out[n] = s
    return out


def flags(text, edits, names):
    """[(start, name, sex)] of sexed names in first-name position not
    covered by an edit."""
    covered = [(e["src"][0], e["src"][1]) for e in edits]
    toks = [(m.start(), m.group()) for m in WORD.finditer(text)]
    out = []
    for i, (s, w) in enumerate(toks):
        base = w.split("'")[0]
        if base not in names or not base[0].isupper() or base.isupper():
            continue
        if any(a <= s < b for a, b in covered):
            continue
        prev = toks[i - 1][1] if i else "."
        nxt = toks[i + 1][1] if i + 1 < len(toks) else "."
        if prev.lower() in TITLES or nxt.lower() in PLACE or prev == "-" or nxt == "-":
            continue
        if prev[0].isupper() and prev.isalpha():
            prev2 = toks[i - 2][1] if i > 1 else "."
            if prev2 not in ".!?\"(:;":
                continue   # surname position
        out.append((s, base, names[base]))
    return out


def main():
    names = sexed(sys.argv[1], listed(os.path.join(os.path.dirname(__file__), "..", "lexicons")))
    d = sys.argv[2]
    rows = []
    cands = gender = bad = 0
    with open(os.path.join(d, "pairs.jsonl"), encoding="utf-8") as f:
        for line in f:
            p = json.loads(line)
            cands += 1
            ed = p["generator"].get("edits") or []
            if not any(e["rule"] == "gender" for e in ed):
                continue
            gender += 1
            for fld, text in p["original"].items():
                if not isinstance(text, str):
                    continue
                fl = flags(text, [e for e in ed if e["field"] == fld], names)
                if fl:
                    bad += 1
                    for s, n, sx in fl:
                        rows.append((p["pair_id"], n, sx,
                                     text[max(0, s - 60):s + 60].replace("\t", " ").replace("\n", " ")))
                    break
    rej = {}
    rp = os.path.join(d, "rejected.jsonl")
    if os.path.exists(rp):
        with open(rp, encoding="utf-8") as f:
            for line in f:
                r = json.loads(line).get("reason", "?")
                rej[r] = rej.get(r, 0) + 1
    print("candidates %d, with a gender edit %d, with a sexed name kept %d; "
          "rejected %s" % (cands, gender, bad, rej))
    if len(sys.argv) > 3:
        with open(sys.argv[3], "w", encoding="utf-8") as f:
            f.write("pair_id\tname\tsex\tcontext\tverdict\n")
            for r in rows:
                f.write("\t".join(r) + "\t\n")


if __name__ == "__main__":
    main()
