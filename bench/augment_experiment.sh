#!/bin/sh
# augment_experiment.sh - issue 6: does training on cfaug's counterfactuals
# make the built-in teacher more robust to human counterfactuals?
#
#   bench/augment_experiment.sh            # needs ./build/cfaug and the data
#
# Builds everything from cad-sentiment orig_train only (Kaushik et al. 2020,
# ../shared/data/cad-sentiment, Apache-2.0); reports accuracy on orig_dev
# (original reviews) and revised_dev (their human counterfactuals).  Prints
# one Markdown table on stdout; work files go to bench/work/augexp/.
#
# Every model is trained the same way: `--dev-split 0` (all examples, the
# default 100 L-BFGS iterations, seed 1).  The default dev split is not used
# because on augmented data it is a random 10% of originals AND their
# counterfactuals: a review lands in train while its opposite-label edit
# lands in dev, the dev loss rises from the first iteration and early
# stopping keeps a model of 1 iteration (0.50 on both dev sets).
#
# Environment: CFAUG (binary), DATA (cad-sentiment dir), WORK (work dir).
# Deterministic: fixed seeds everywhere, one thread-independent trainer.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CFAUG=${CFAUG:-$ROOT/build/cfaug}
DATA=${DATA:-$ROOT/../shared/data/cad-sentiment}
WORK=${WORK:-$ROOT/bench/work/augexp}
TRAIN_OPTS="--text-field Text --label-field Sentiment --dev-split 0 --seed 1"

for f in orig_train orig_dev revised_train revised_dev; do
	[ -r "$DATA/$f.tsv" ] || { echo "augment_experiment: no $DATA/$f.tsv" >&2; exit 2; }
done
[ -x "$CFAUG" ] || { echo "augment_experiment: build cfaug first ($CFAUG)" >&2; exit 2; }
rm -rf "$WORK"
mkdir -p "$WORK"
cd "$WORK"
export CFAUG_LEXICONS="$ROOT/lexicons"

train() {   # train MODEL INPUT [FORMAT]
	"$CFAUG" teacher train -i "$2" ${3:+--format "$3"} $TRAIN_OPTS -o "$1" \
		2>"$1.log" || { cat "$1.log" >&2; exit 1; }
}
acc() {     # acc MODEL SPLIT -> accuracy on DATA/SPLIT.tsv
	"$CFAUG" teacher eval -m "$1" -i "$DATA/$2.tsv" --text-field Text \
		--label-field Sentiment | sed -n 's/^ *"accuracy": \([0-9.]*\),*$/\1/p'
}
row() {     # row NAME MODEL CANDIDATES ACCEPTED
	o=$(acc "$2" orig_dev)
	r=$(acc "$2" revised_dev)
	awk -v n="$1" -v c="$3" -v a="$4" -v o="$o" -v r="$r" -v bo="${BASE_O:-$o}" \
	    -v br="${BASE_R:-$r}" 'BEGIN {
		printf "| %s | %s | %s | %.3f | %.3f | %+.1f | %+.1f |\n", n, c, a, o, r,
		       100 * (o - bo), 100 * (r - br) }'
}
total() {   # total REPORT KEY
	sed -n "s/^    \"$2\": \([0-9]*\),*$/\1/p" "$1" | head -1
}

# pipeline NAME RULES_STAGE_YAML [TEACHER_STAGE_YAML] -> NAME.yaml
pipeline() {
	{
		printf 'seed: 13\ninput:\n  path: %s/orig_train.tsv\n  format: tsv\n' "$DATA"
		printf '  text_fields: [Text]\n  label_field: Sentiment\n'
		printf '  labels: [Negative, Positive]\nstages:\n'
		printf '%s\n' "$2"
		[ -z "${3:-}" ] || printf '%s\n' "$3"
		printf 'output:\n  dir: out-%s\n' "$1"
	} > "$1.yaml"
}
# augment NAME [SHARD]: run NAME.yaml, train NAME.cft on its augmented.jsonl
augment() {
	"$CFAUG" run "$1.yaml" -q
	train "$1.cft" "out-$1/augmented.jsonl"
}
# result NAME LABEL: the table row of an augment run
result() {
	row "$2" "$1.cft" "$(total "out-$1/report.json" candidates)" \
	    "$(total "out-$1/report.json" accepted)"
}

FLIP='    label: {Positive: Negative, Negative: Positive}'
ANT="  - type: rules
    name: antonyms
    packs: [antonyms]
$FLIP"
ANTNEG="  - type: rules
    name: antonyms-negation
    packs: [negation, antonyms]
$FLIP"
teacher() { # teacher MODEL ACCEPT_YAML
	printf '  - type: teacher\n    judges:\n      - {kind: builtin, name: t, model: %s}\n    accept: %s' "$1" "$2"
}

# ---- baseline and the human upper reference -----------------------------
train base.cft "$DATA/orig_train.tsv"
BASE_O=$(acc base.cft orig_dev)
BASE_R=$(acc base.cft revised_dev)
{ cat "$DATA/orig_train.tsv"; tail -n +2 "$DATA/revised_train.tsv"; } > human.tsv
train human.cft human.tsv tsv

echo "| configuration | candidates | accepted | orig_dev | revised_dev | Δ orig | Δ revised |"
echo "|---|---|---|---|---|---|---|"
row "baseline: orig_train" base.cft - -
row "reference: orig_train + revised_train (human)" human.cft 1707 1707

# ---- rule packs, no filter -----------------------------------------------
pipeline naive "$ANT";            augment naive
result naive "antonyms, all kept"
pipeline antneg "$ANTNEG";        augment antneg
result antneg "antonyms + negation, all kept"

# ---- teacher-filtered by the baseline teacher (trained on the same reviews)
pipeline t-flip "$ANT" "$(teacher base.cft '{policy: flip}')"; augment t-flip
result t-flip "antonyms → teacher flip"
pipeline t-delta "$ANT" "$(teacher base.cft '{policy: delta, min_delta: 0.25}')"; augment t-delta
result t-delta "antonyms → teacher delta ≥ 0.25"
pipeline t-band "$ANT" "$(teacher base.cft '{policy: threshold, min_prob: 0.2, band: [0.2, 0.8]}')"; augment t-band
result t-band "antonyms → teacher band p(target) ∈ [0.2, 0.8]"

# ---- negation-scope-aware packs (negation_scope: 3) ----------------------
SANT="  - type: rules
    name: antonyms-scoped
    packs: [antonyms]
    negation_scope: 3
$FLIP"
SANTNEG="  - type: rules
    name: antonyms-negation-scoped
    packs: [negation, antonyms]
    negation_scope: 3
$FLIP"
pipeline scoped "$SANT";          augment scoped
result scoped "antonyms, negation scope 3, all kept"
pipeline scopedneg "$SANTNEG";    augment scopedneg
result scopedneg "antonyms + negation, negation scope 3, all kept"
pipeline s-band "$SANT" "$(teacher base.cft '{policy: threshold, min_prob: 0.2, band: [0.2, 0.8]}')"; augment s-band
result s-band "antonyms, scope 3 → teacher band [0.2, 0.8]"
pipeline sn-band "$SANTNEG" "$(teacher base.cft '{policy: threshold, min_prob: 0.2, band: [0.2, 0.8]}')"; augment sn-band
result sn-band "antonyms + negation, scope 3 → teacher band [0.2, 0.8]"

# ---- weighting: the trainer has no sample weights, so the originals are
# repeated (k copies of each original = each counterfactual weighs 1/k) ----
PASS="  - type: passthrough"
pipeline orig "$PASS"; "$CFAUG" run orig.yaml -q
weighted() {  # weighted NAME K LABEL: NAME's augmented + K-1 more originals
	{ cat "out-$1/augmented.jsonl"; i=1; while [ $i -lt "$2" ]; do
		cat out-orig/augmented.jsonl; i=$((i + 1)); done; } > "$1-w$2.jsonl"
	train "$1-w$2.cft" "$1-w$2.jsonl"
	row "$3" "$1-w$2.cft" "$(total "out-$1/report.json" candidates)" \
	    "$(total "out-$1/report.json" accepted)"
}
weighted orig 2 "control: orig_train x2, no counterfactuals"
weighted naive 2 "antonyms, all kept, originals x2"
weighted scoped 2 "antonyms, scope 3, all kept, originals x2"
weighted scoped 3 "antonyms, scope 3, all kept, originals x3"
weighted s-band 2 "antonyms, scope 3 → teacher band, originals x2"

# ---- cross-fitted teacher: each half of orig_train is filtered by a teacher
# trained on the other half, so it judges reviews it has not memorised ----
for k in 1 2; do
	"$CFAUG" run orig.yaml -q --shard $k/2 -o out-half$k
	train half$k.cft out-half$k/augmented.jsonl
done
crossfit() {  # crossfit NAME RULES ACCEPT LABEL
	pipeline "$1" "$2" "$(teacher MODEL "$3")"
	"$CFAUG" run "$1.yaml" -q --shard 1/2 --set stages.1.judges.0.model=half2.cft -o "out-$1-1"
	"$CFAUG" run "$1.yaml" -q --shard 2/2 --set stages.1.judges.0.model=half1.cft -o "out-$1-2"
	cat "out-$1-1/augmented.jsonl" "out-$1-2/augmented.jsonl" > "$1.jsonl"
	train "$1.cft" "$1.jsonl"
	c=$(( $(total "out-$1-1/report.json" candidates) + $(total "out-$1-2/report.json" candidates) ))
	a=$(( $(total "out-$1-1/report.json" accepted) + $(total "out-$1-2/report.json" accepted) ))
	row "$4" "$1.cft" "$c" "$a"
}
crossfit x-flip "$SANT" '{policy: flip}' "antonyms, scope 3 → cross-fitted teacher flip"
crossfit x-delta "$SANT" '{policy: delta, min_delta: 0.25}' "antonyms, scope 3 → cross-fitted teacher delta ≥ 0.25"
crossfit x-band "$SANT" '{policy: threshold, min_prob: 0.2, band: [0.2, 0.8]}' "antonyms, scope 3 → cross-fitted teacher band [0.2, 0.8]"
