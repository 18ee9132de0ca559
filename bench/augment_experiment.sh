#!/bin/sh
# augment_experiment.sh - does training on cfaug's counterfactuals make the
# built-in teacher more robust to human counterfactuals, without losing
# accuracy on original reviews?  One command:
#
#   bench/augment_experiment.sh            # needs ./build/cfaug and the data
#
# Data: cad-sentiment (Kaushik et al. 2020, ../shared/data, Apache-2.0).
# Every configuration (rule packs, teacher filter, weighting) is built from
# original training reviews only; the human counterfactuals of TRAIN are
# used only to score.
#
# 1. Choice, inside TRAIN: orig_train is cut into FOLDS folds by review
#    (paired_train's batch_id ties a review to its human edit).  For each
#    fold, each configuration runs on the other folds' reviews, a teacher
#    is trained on its augmented.jsonl with the default options (no
#    --dev-split workaround: augmented.jsonl's orig_id groups a review with
#    its counterfactuals), and scored on the fold's reviews ("orig") and on
#    their human counterfactuals ("revised").  The chosen configuration is
#    the one with the largest mean gain on revised among those whose mean
#    gain on orig is >= 0 (loses nothing), against the baseline (originals
#    only) on the same folds.
# 2. Report, once: the baseline, the chosen configuration and the human
#    reference (orig_train + revised_train) trained on all of orig_train,
#    accuracy on orig_dev and revised_dev.
#
# Runs with whatever rule packs lexicons/ holds (CFAUG_LEXICONS).  Prints
# two Markdown tables on stdout; work files go to WORK.
# Environment: CFAUG, DATA (cad-sentiment dir), WORK, FOLDS (5), PYTHON.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CFAUG=${CFAUG:-$ROOT/build/cfaug}
DATA=${DATA:-$ROOT/../shared/data/cad-sentiment}
WORK=${WORK:-$ROOT/bench/work/augexp}
FOLDS=${FOLDS:-5}
PY=${PYTHON:-python3}

for f in orig_train orig_dev revised_dev paired_train; do
	[ -r "$DATA/$f.tsv" ] || { echo "augment_experiment: no $DATA/$f.tsv" >&2; exit 2; }
done
[ -x "$CFAUG" ] || { echo "augment_experiment: build cfaug first ($CFAUG)" >&2; exit 2; }
rm -rf "$WORK"
mkdir -p "$WORK"
cd "$WORK"
export CFAUG_LEXICONS="${CFAUG_LEXICONS:-$ROOT/lexicons}"

# ---- splits: fold K/ has train.jsonl (originals of the other folds),
# test_orig.jsonl, test_rev.jsonl and human.jsonl (train + their edits);
# full/ the same for all of orig_train against the dev files ------------
"$PY" - "$DATA" "$FOLDS" <<'PY'
import csv, json, os, random, sys
csv.field_size_limit(1 << 30)
data, K = sys.argv[1], int(sys.argv[2])
def tsv(n):
    with open("%s/%s.tsv" % (data, n), newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))
origs = {r["Text"] for r in tsv("orig_train")}
pairs = {}
for r in tsv("paired_train"):
    pairs.setdefault(r["batch_id"], {})["o" if r["Text"] in origs else "r"] = r
pairs = {b: p for b, p in pairs.items() if "o" in p and "r" in p}
ids = sorted(pairs, key=int)
random.Random(0).shuffle(ids)
fold = {b: i % K for i, b in enumerate(ids)}
def row(b, r):
    return json.dumps({"id": b, "Text": r["Text"], "Sentiment": r["Sentiment"]},
                      ensure_ascii=False) + "\n"
def write(d, name, rows):
    os.makedirs(d, exist_ok=True)
    with open("%s/%s.jsonl" % (d, name), "w", encoding="utf-8") as w:
        w.writelines(rows)
for k in range(K):
    tr = [b for b in sorted(pairs, key=int) if fold[b] != k]
    te = [b for b in sorted(pairs, key=int) if fold[b] == k]
    write("fold%d" % k, "train", [row(b, pairs[b]["o"]) for b in tr])
    write("fold%d" % k, "human", [row(b, pairs[b]["o"]) for b in tr] +
          [row(b + "r", pairs[b]["r"]) for b in tr])
    write("fold%d" % k, "test_orig", [row(b, pairs[b]["o"]) for b in te])
    write("fold%d" % k, "test_rev", [row(b, pairs[b]["r"]) for b in te])
allb = sorted(pairs, key=int)
write("full", "train", [row(b, pairs[b]["o"]) for b in allb])
write("full", "human", [row(b, pairs[b]["o"]) for b in allb] +
      [row(b + "r", pairs[b]["r"]) for b in allb])
write("full", "test_orig", [row(str(i), r) for i, r in enumerate(tsv("orig_dev"))])
write("full", "test_rev", [row(str(i), r) for i, r in enumerate(tsv("revised_dev"))])
PY

train() {   # train MODEL INPUT: default options, as a user would
	"$CFAUG" teacher train -i "$2" --text-field Text --label-field Sentiment \
		-o "$1" 2>"$1.log" || { cat "$1.log" >&2; exit 1; }
	if grep -q WARNING "$1.log"; then cat "$1.log" >&2; fi
}
acc() {     # acc MODEL FILE
	"$CFAUG" teacher eval -m "$1" -i "$2" | sed -n 's/^ *"accuracy": \([0-9.]*\),*$/\1/p'
}
total() {   # total REPORT KEY
	sed -n "s/^    \"$2\": \([0-9]*\),*$/\1/p" "$1" | head -1
}

FLIP='    label: {Positive: Negative, Negative: Positive}'
rules() {   # rules PACKS SCOPE
	printf '  - type: rules\n    name: rules\n    packs: [%s]\n    negation_scope: %s\n%s' \
		"$1" "$2" "$FLIP"
}
teacher() { # teacher MODEL ACCEPT
	printf '\n  - type: teacher\n    judges:\n      - {kind: builtin, name: t, model: %s}\n    accept: %s' "$1" "$2"
}
BAND='{policy: threshold, min_prob: 0.2, band: [0.2, 0.8]}'
# pipeline DIR NAME STAGES -> DIR/NAME.yaml reading DIR/train.jsonl
pipeline() {
	{
		printf 'seed: 13\ninput:\n  path: %s/train.jsonl\n  id_field: id\n' "$1"
		printf '  text_fields: [Text]\n  label_field: Sentiment\n'
		printf '  labels: [Negative, Positive]\nstages:\n%s\noutput:\n  dir: %s/out-%s\n' \
			"$3" "$1" "$2"
	} > "$1/$2.yaml"
}

# Configurations: NAME|PACKS|SCOPE|FILTER|WEIGHT|SELECT, FILTER one of
# none, band (teacher trained on the same reviews), xflip / xband / xall
# (cross-fitted: each half of the reviews judged by a teacher trained on
# the other half; xall accepts every candidate, only to score it);
# WEIGHT k = the originals repeated k times (each counterfactual weighs 1/k);
# SELECT all, rand:F (F x #originals counterfactuals drawn at random, seed
# 13) or top:F (the F x #originals with the highest cross-fitted p(target);
# the rules stage makes at most one candidate per review, so "the best
# counterfactual of each review" is all of them and only a cut across
# reviews selects anything)
CONFIGS='antonyms, all kept|antonyms|0|none|1|all
antonyms + negation, all kept|negation, antonyms|0|none|1|all
antonyms, scope 3, all kept|antonyms|3|none|1|all
antonyms + negation, scope 3, all kept|negation, antonyms|3|none|1|all
antonyms, scope 3 → teacher band [0.2, 0.8]|antonyms|3|band|1|all
antonyms, scope 3 → cross-fitted teacher flip|antonyms|3|xflip|1|all
antonyms, scope 3 → cross-fitted teacher band|antonyms|3|xband|1|all
antonyms, scope 3, all kept, originals x2|antonyms|3|none|2|all
antonyms + negation, scope 3, all kept, originals x2|negation, antonyms|3|none|2|all
antonyms, scope 3 → cross-fitted teacher band, originals x2|antonyms|3|xband|2|all
antonyms, scope 3, all kept, originals x3|antonyms|3|none|3|all
antonyms, scope 3, all kept, originals x4|antonyms|3|none|4|all
antonyms, scope 3, all kept, originals x6|antonyms|3|none|6|all
antonyms, scope 3 → cross-fitted teacher band, originals x3|antonyms|3|xband|3|all
antonyms, scope 3 → cross-fitted teacher band, originals x4|antonyms|3|xband|4|all
antonyms, scope 3 → teacher band [0.2, 0.8], originals x2|antonyms|3|band|2|all
antonyms, scope 3, random counterfactuals = 0.5 x originals|antonyms|3|none|1|rand:0.5
antonyms, scope 3, random counterfactuals = 0.25 x originals|antonyms|3|none|1|rand:0.25
antonyms + negation, scope 3, random counterfactuals = 0.5 x originals|negation, antonyms|3|none|1|rand:0.5
antonyms + negation, scope 3, random counterfactuals = 0.25 x originals|negation, antonyms|3|none|1|rand:0.25
antonyms, scope 3 → cross-fitted margin, top 0.5 x originals|antonyms|3|xall|1|top:0.5
antonyms, scope 3 → cross-fitted margin, top 0.25 x originals|antonyms|3|xall|1|top:0.25
antonyms + negation, scope 3 → cross-fitted margin, top 0.5 x originals|negation, antonyms|3|xall|1|top:0.5
antonyms + negation, scope 3 → cross-fitted margin, top 0.25 x originals|negation, antonyms|3|xall|1|top:0.25
antonyms + negation, scope 3 → teacher band [0.2, 0.8]|negation, antonyms|3|band|1|all
antonyms + negation, scope 3 → cross-fitted teacher band, originals x3|negation, antonyms|3|xband|3|all'

# augment DIR N PACKS SCOPE FILTER WEIGHT SELECT -> DIR/cN.jsonl (training set),
# prints "candidates accepted"
augment() {
	d=$1 n=$2
	pairs="$d/out-c$n/pairs.jsonl"
	case $5 in
	none) pipeline "$d" "c$n" "$(rules "$3" "$4")"
	      "$CFAUG" run "$d/c$n.yaml" -q
	      cp "$d/out-c$n/augmented.jsonl" "$d/c$n.jsonl"
	      c=$(total "$d/out-c$n/report.json" candidates)
	      a=$(total "$d/out-c$n/report.json" accepted) ;;
	band) pipeline "$d" "c$n" "$(rules "$3" "$4")$(teacher "$d/base.cft" "$BAND")"
	      "$CFAUG" run "$d/c$n.yaml" -q
	      cp "$d/out-c$n/augmented.jsonl" "$d/c$n.jsonl"
	      c=$(total "$d/out-c$n/report.json" candidates)
	      a=$(total "$d/out-c$n/report.json" accepted) ;;
	x*)   case $5 in xflip) acc_yaml='{policy: flip}' ;;
	      xall) acc_yaml='{policy: threshold, min_prob: 0.0}' ;;
	      *) acc_yaml=$BAND ;; esac
	      pipeline "$d" "c$n" "$(rules "$3" "$4")$(teacher MODEL "$acc_yaml")"
	      "$CFAUG" run "$d/c$n.yaml" -q --shard 1/2 --set stages.1.judges.0.model="$d/half2.cft" -o "$d/out-c$n-1"
	      "$CFAUG" run "$d/c$n.yaml" -q --shard 2/2 --set stages.1.judges.0.model="$d/half1.cft" -o "$d/out-c$n-2"
	      cat "$d/out-c$n-1/augmented.jsonl" "$d/out-c$n-2/augmented.jsonl" > "$d/c$n.jsonl"
	      pairs="$d/out-c$n-1/pairs.jsonl $d/out-c$n-2/pairs.jsonl"
	      c=$(( $(total "$d/out-c$n-1/report.json" candidates) + $(total "$d/out-c$n-2/report.json" candidates) ))
	      a=$(( $(total "$d/out-c$n-1/report.json" accepted) + $(total "$d/out-c$n-2/report.json" accepted) )) ;;
	esac
	if [ "$7" != all ]; then
		select_cf "$d/c$n.jsonl" "$7" $pairs > "$d/c$n.sel"
		mv "$d/c$n.sel" "$d/c$n.jsonl"
		a=$(grep -c '"source":"counterfactual"' "$d/c$n.jsonl" || true)
	fi
	i=1
	while [ "$i" -lt "$6" ]; do cat "$d/train.jsonl" >> "$d/c$n.jsonl"; i=$((i + 1)); done
	echo "$c $a"
}

# select_cf AUGMENTED rand:F|top:F PAIRS... -> stdout: the originals and
# F x #originals of the counterfactuals (random, or by teacher score)
select_cf() {
	"$PY" - "$@" <<'PY'
import json, random, sys
aug, (mode, frac), pairs = sys.argv[1], sys.argv[2].split(":"), sys.argv[3:]
rows = [l for l in open(aug, encoding="utf-8")]
orig = [l for l in rows if '"source":"original"' in l]
cf = [l for l in rows if '"source":"counterfactual"' in l]
n = min(len(cf), round(float(frac) * len(orig)))
if mode == "rand":
    keep = set(random.Random(13).sample(range(len(cf)), n))
else:
    score = {}
    for p in pairs:
        for l in open(p, encoding="utf-8"):
            r = json.loads(l)
            score[r["pair_id"]] = r["teacher"]["score"]
    key = lambda i: (-score[json.loads(cf[i])["pair_id"]], i)
    keep = set(sorted(range(len(cf)), key=key)[:n])
sys.stdout.writelines(orig + [l for i, l in enumerate(cf) if i in keep])
PY
}

# prepare DIR: the baseline teacher and the two half teachers
prepare() {
	train "$1/base.cft" "$1/train.jsonl"
	train "$1/human.cft" "$1/human.jsonl"
	pipeline "$1" orig "  - type: passthrough"
	for h in 1 2; do
		"$CFAUG" run "$1/orig.yaml" -q --shard $h/2 -o "$1/out-half$h"
		train "$1/half$h.cft" "$1/out-half$h/augmented.jsonl"
	done
}
# score DIR MODEL -> "orig revised"
score() { echo "$(acc "$2" "$1/test_orig.jsonl") $(acc "$2" "$1/test_rev.jsonl")"; }

# ---- 1. cross-validation inside TRAIN -----------------------------------
: > cv.tsv      # config fold orig revised candidates accepted
fold=0
while [ "$fold" -lt "$FOLDS" ]; do
	fd=$WORK/fold$fold
	prepare "$fd"
	printf 'baseline\t%s\t%s\t-\t-\n' "$fold" "$(score "$fd" "$fd/base.cft" | tr ' ' '\t')" >> cv.tsv
	printf 'human\t%s\t%s\t-\t-\n' "$fold" "$(score "$fd" "$fd/human.cft" | tr ' ' '\t')" >> cv.tsv
	cn=0
	echo "$CONFIGS" > configs.txt
	while IFS='|' read -r name packs scope filter weight sel; do
		cn=$((cn + 1))
		ca=$(augment "$fd" "$cn" "$packs" "$scope" "$filter" "$weight" "$sel")
		train "$fd/c$cn.cft" "$fd/c$cn.jsonl"
		printf '%s\t%s\t%s\t%s\n' "$cn" "$fold" "$(score "$fd" "$fd/c$cn.cft" | tr ' ' '\t')" \
			"$(echo "$ca" | tr ' ' '\t')" >> "$WORK/cv.tsv"
	done < configs.txt
	echo "fold $fold done" >&2
	fold=$((fold + 1))
done

echo "Choice: $FOLDS-fold cross-validation inside orig_train (folds by review); mean accuracy"
echo "on the held-out fold's reviews (orig) and their human counterfactuals (revised)"
echo
best=$(echo "$CONFIGS" | "$PY" -c '
import sys
from collections import defaultdict
names = [l.split("|")[0] for l in sys.stdin.read().splitlines()]
acc = defaultdict(list)
cand = defaultdict(int); keep = defaultdict(int)
for line in open("cv.tsv"):
    c, k, o, r, ca, a = line.rstrip("\n").split("\t")
    acc[c].append((float(o), float(r)))
    if ca != "-":
        cand[c] += int(ca); keep[c] += int(a)
def mean(c, i): return sum(x[i] for x in acc[c]) / len(acc[c])
bo, br = mean("baseline", 0), mean("baseline", 1)
out = sys.stderr
print("| configuration | candidates (all folds) | accepted | orig | revised | Δ orig | Δ revised |", file=out)
print("|---|---|---|---|---|---|---|", file=out)
print("| baseline: originals only | - | - | %.3f | %.3f | | |" % (bo, br), file=out)
print("| reference: originals + human counterfactuals | - | - | %.3f | %.3f | %+.1f | %+.1f |" % (
    mean("human", 0), mean("human", 1), 100 * (mean("human", 0) - bo), 100 * (mean("human", 1) - br)), file=out)
best, bestr = None, None
for i, n in enumerate(names, 1):
    c = str(i)
    o, r = mean(c, 0), mean(c, 1)
    print("| %s | %d | %d | %.3f | %.3f | %+.1f | %+.1f |" % (n, cand[c], keep[c], o, r,
          100 * (o - bo), 100 * (r - br)), file=out)
    if o - bo >= 0 and (bestr is None or r - br > bestr):
        best, bestr = i, r - br
print(best or 0)
' 2>cv.md)
cat cv.md
echo
if [ "$best" = 0 ]; then
	echo "No configuration keeps the baseline's accuracy on original reviews in cross-validation."
	exit 0
fi
line=$(echo "$CONFIGS" | sed -n "${best}p")
echo "Chosen (largest mean Δ revised with Δ orig >= 0): $(echo "$line" | cut -d'|' -f1)"
echo

# ---- 2. report once on dev ----------------------------------------------
d=$WORK/full
prepare "$d"
ca=$(echo "$line" | { IFS='|' read -r name packs scope filter weight sel
	augment "$d" chosen "$packs" "$scope" "$filter" "$weight" "$sel"; })
train "$d/cchosen.cft" "$d/cchosen.jsonl"
set -- $(score "$d" "$d/base.cft")
bo=$1 br=$2
echo "Report: trained on all of orig_train (1707 reviews), accuracy on orig_dev and revised_dev (245 each), measured once"
echo
echo "| configuration | candidates | accepted | orig_dev | revised_dev | Δ orig | Δ revised |"
echo "|---|---|---|---|---|---|---|"
row() {  # row NAME MODEL CANDIDATES ACCEPTED
	set -- "$1" $(score "$d" "$2") "$3" "$4"
	awk -v n="$1" -v o="$2" -v r="$3" -v c="$4" -v a="$5" -v bo="$bo" -v br="$br" 'BEGIN {
		printf "| %s | %s | %s | %.3f | %.3f | %+.1f | %+.1f |\n", n, c, a, o, r,
		       100 * (o - bo), 100 * (r - br) }'
}
row "baseline: orig_train" "$d/base.cft" - -
row "reference: orig_train + revised_train (human)" "$d/human.cft" 1707 1707
row "$(echo "$line" | cut -d'|' -f1) (chosen by CV)" "$d/cchosen.cft" $ca
