#!/usr/bin/env bash
# The dataset card (issue 14): output.card (default on) writes README.md
# with YAML front matter whose configs name files that exist, and the
# provenance; a README.md cfaug did not write is left alone.
set -u
. "$(dirname "$0")/../lib.sh"
Q=examples/quickstart.yaml
expect 0 "run writes a card" -- run $Q -o "$T/o" -q
[ -f "$T/o/README.md" ] && ok "README.md written" || bad "no README.md"
sha=$(sha256sum $Q | cut -d' ' -f1)
contains "$T/o/README.md" "$sha" "card has the pipeline's sha256"
contains "$T/o/README.md" "seed: 13" "card has the seed"
contains "$T/o/README.md" '`gender`, `names`' "card names the packs"
contains "$T/o/README.md" "| accepted | $(python3 -c "import json;print(json.load(open('$T/o/report.json'))['totals']['accepted'])") |" "card counts match the report"

check_front() {   # check_front DIR: valid YAML front matter naming existing files
  python3 - "$1" <<'P'
import os, sys
d = sys.argv[1]
text = open(os.path.join(d, "README.md")).read()
assert text.startswith("---\n"), "no front matter"
fm = text.split("---\n")[1]
try:
    import yaml
    meta = yaml.safe_load(fm)
except ImportError:
    sys.exit(0)
cfgs = meta["configs"]
assert cfgs, "no configs"
names = [c["config_name"] for c in cfgs]
for c in cfgs:
    for df in c["data_files"]:
        assert os.path.isfile(os.path.join(d, df["path"])), df["path"] + " missing"
print(",".join(names))
P
}
if r=$(check_front "$T/o"); then ok "front matter is valid YAML naming existing files ($r)"; else bad "front matter"; fi
[ "$r" = "augmented,pairs" ] && ok "configs: augmented (default) and pairs" || bad "configs: $r"

# compressed, TSV, and a subset of files: configs follow what was written
expect 0 "card with gzip TSV output" -- run examples/nli-negation.yaml -o "$T/t" -q \
  --set output.compress=gzip --set output.augmented_format=input
if r=$(check_front "$T/t"); then ok "front matter names augmented.tsv.gz ($r)"; else bad "front matter (tsv.gz)"; fi
contains "$T/t/README.md" 'path: "augmented.tsv.gz"' "card points at the compressed TSV"

expect 0 "card: false" -- run $Q -o "$T/n" -q --set output.card=false
[ ! -e "$T/n/README.md" ] && ok "no card with card: false" || bad "card written with card: false"

mkdir -p "$T/u"; echo "# my notes" >"$T/u/README.md"
expect 0 "run into a dir with the user's README" -- run $Q -o "$T/u"
[ "$(cat "$T/u/README.md")" = "# my notes" ] && ok "the user's README.md is left alone" || bad "user README overwritten"
contains "$T/err" "was not written by cfaug" "why no card was written"
expect 0 "re-run replaces our own card" -- run $Q -o "$T/o" -q --set seed=5
contains "$T/o/README.md" "seed: 5" "card rewritten on re-run"
cat >"$T/fc.yaml" <<Y
$(sed '/^output:/,$d' $Q)
output: {dir: $T/fc, files: [augmented, card]}
Y
expect 0 "files: [augmented, card]" -- run "$T/fc.yaml" -q
[ -f "$T/fc/README.md" ] && [ ! -e "$T/fc/pairs.jsonl" ] && ok "card listed in files: written" || bad "files: [augmented, card]" "$(ls "$T/fc")"
if r=$(check_front "$T/fc"); then ok "card names only augmented ($r)"; else bad "front matter (files)"; fi
[ "$r" = "augmented" ] && ok "no pairs config when pairs is not written" || bad "configs: $r"
finish
