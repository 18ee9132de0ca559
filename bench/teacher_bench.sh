#!/usr/bin/env bash
# Teacher benchmark: quality on CAD sentiment, then speed against the
# scikit-learn baseline (bench/teacher_sklearn.py) on a ~SIZE_MB corpus
# made by repeating orig_train.tsv in a fresh seeded permutation each time.
# Prints one table.  Not a test: it asserts nothing.
#
#   bench/teacher_bench.sh            (SIZE_MB=100 RUNS=3 CFAUG=build/cfaug PYTHON=/usr/bin/python3)
set -eu
cd "$(dirname "$0")/.."
SIZE_MB=${SIZE_MB:-100}
CFAUG=${CFAUG:-build/cfaug}
PY=${PYTHON:-/usr/bin/python3}          # Debian's python3-sklearn
DATA=${DATA:-../shared/data/cad-sentiment}
W=bench/work/teacher
mkdir -p "$W"
[ -x "$CFAUG" ] || { echo "build cfaug first ($CFAUG)" >&2; exit 1; }

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# ---- quality: train on orig_train, accuracy on the dev splits ----------
q() {  # q NAME TRAIN-OPTIONS...
  local name=$1; shift
  "$CFAUG" teacher train -i "$DATA/orig_train.tsv" --text-field Text \
    --label-field Sentiment -o "$W/q.cftm" "$@" 2>/dev/null
  local a b
  a=$("$CFAUG" teacher eval -m "$W/q.cftm" -i "$DATA/orig_dev.tsv" --label-field Sentiment |
      "$PY" -c 'import json,sys; print("%.3f" % json.load(sys.stdin)["accuracy"])')
  b=$("$CFAUG" teacher eval -m "$W/q.cftm" -i "$DATA/revised_dev.tsv" --label-field Sentiment |
      "$PY" -c 'import json,sys; print("%.3f" % json.load(sys.stdin)["accuracy"])')
  printf '| %-44s | %9s | %12s |\n' "$name" "$a" "$b"
}
echo "Quality (train orig_train.tsv; accuracy)"
printf '| %-44s | %9s | %12s |\n' "model" "orig_dev" "revised_dev"
printf '|%s|%s|%s|\n' "----------------------------------------------" "-----------" "--------------"
q "cfaug, words, dev split 0.1 (default)"
q "cfaug, words, no dev split" --dev-split 0
q "cfaug, words + char 3-5-grams, dev split 0.1" --char-ngrams
q "cfaug, words + char 3-5-grams, no dev split" --char-ngrams --dev-split 0
"$PY" bench/teacher_sklearn.py quality "$DATA/orig_train.tsv" "$DATA/orig_dev.tsv" \
  "$DATA/revised_dev.tsv" | "$PY" -c '
import json,sys; r=json.load(sys.stdin)
print("| %-44s | %9.3f | %12.3f |" % ("scikit-learn tf-idf 1-2 + LR(C=10)", r["orig_dev.tsv"], r["revised_dev.tsv"]))'

# ---- speed ---------------------------------------------------------------
CORPUS=$W/corpus.jsonl
if [ ! -s "$CORPUS" ]; then
  "$PY" - "$DATA/orig_train.tsv" "$CORPUS" "$SIZE_MB" <<'PY'
import csv, json, random, sys
csv.field_size_limit(1 << 30)
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    rows = list(csv.DictReader(f, delimiter="\t"))
size, n, rng = float(sys.argv[3]) * 1e6, 0, random.Random(1)
with open(sys.argv[2], "w", encoding="utf-8") as w:
    written = 0
    while written < size:
        rng.shuffle(rows)
        for r in rows:
            n += 1
            line = json.dumps({"id": n, "text": r["Text"], "label": r["Sentiment"]},
                              ensure_ascii=False) + "\n"
            w.write(line)
            written += len(line.encode("utf-8"))
            if written >= size:
                break
PY
fi
mb=$(awk -v b="$(stat -c %s "$CORPUS")" 'BEGIN { printf "%.0f", b / 1e6 }')
recs=$(wc -l <"$CORPUS")

# RUNS rounds, each cfaug then sklearn back to back; medians reported
RUNS=${RUNS:-3}
med() { tr ' ' '\n' | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
CT= CP= ST= SP=
for r in $(seq "$RUNS"); do
  t0=$(now)
  "$CFAUG" teacher train -i "$CORPUS" --label-field label -o "$W/speed.cftm" 2>"$W/train.log"
  t1=$(now)
  "$CFAUG" teacher predict -m "$W/speed.cftm" -i "$CORPUS" >"$W/cfaug.pred.jsonl"
  t2=$(now)
  CT="$CT $(secs "$t0" "$t1")"; CP="$CP $(secs "$t1" "$t2")"
  sk=$("$PY" bench/teacher_sklearn.py speed "$CORPUS" "$W/sklearn.pred.jsonl")
  ST="$ST $(echo "$sk" | "$PY" -c 'import json,sys; print("%.2f" % json.load(sys.stdin)["train_s"])')"
  SP="$SP $(echo "$sk" | "$PY" -c 'import json,sys; print("%.2f" % json.load(sys.stdin)["predict_s"])')"
  echo "run $r: cfaug train/predict$(echo "$CT" | awk '{print " " $NF}')$(echo "$CP" | awk '{print " " $NF}')  sklearn$(echo "$ST" | awk '{print " " $NF}')$(echo "$SP" | awk '{print " " $NF}')" >&2
done
ct=$(echo $CT | med); cp=$(echo $CP | med); st=$(echo $ST | med); sp=$(echo $SP | med)
rm -f "$W/cfaug.pred.jsonl" "$W/sklearn.pred.jsonl"

echo
echo "Speed ($mb MB, $recs records of JSONL; wall seconds, median of $RUNS runs, $(nproc) cores)"
printf '| %-8s | %10s | %10s | %8s |\n' "step" "cfaug" "sklearn" "speed-up"
printf '|%s|%s|%s|%s|\n' "----------" "------------" "------------" "----------"
printf '| %-8s | %10s | %10s | %7sx |\n' train "$ct" "$st" "$(awk -v a="$st" -v b="$ct" 'BEGIN { printf "%.1f", a / b }')"
printf '| %-8s | %10s | %10s | %7sx |\n' predict "$cp" "$sp" "$(awk -v a="$sp" -v b="$cp" 'BEGIN { printf "%.1f", a / b }')"
printf '| %-8s | %10s | %10s | %7sx |\n' total "$(awk -v a="$ct" -v b="$cp" 'BEGIN { printf "%.2f", a + b }')" \
  "$(awk -v a="$st" -v b="$sp" 'BEGIN { printf "%.2f", a + b }')" \
  "$(awk -v a="$ct" -v b="$cp" -v c="$st" -v d="$sp" 'BEGIN { printf "%.1f", (c + d) / (a + b) }')"
printf '| %-8s | %10.1f | %10.1f |          |\n' "MB/s" \
  "$(awk -v m="$mb" -v t="$cp" 'BEGIN { print m / t }')" "$(awk -v m="$mb" -v t="$sp" 'BEGIN { print m / t }')"
echo "cfaug train: $(cat "$W/train.log")"
