#!/usr/bin/env bash
# Teacher speed benchmark: train + predict on a ~SIZE_MB corpus made by
# repeating cad-sentiment orig_train.tsv in a fresh seeded permutation each
# time, side by side in one run against scikit-learn
# (bench/teacher_sklearn.py: TF-IDF 1-2 grams + LogisticRegression C=10) and
# fastText (`fasttext supervised -lr 1.0 -epoch 25 -wordNgrams 2 -thread 2`,
# Debian's fasttext; its input is the same text tokenised the same way,
# written once beforehand and not timed).  Each tool is timed as whole
# processes (startup, reading, writing predictions included) with
# /usr/bin/time: wall and CPU (user + sys) seconds, medians of RUNS rounds,
# each round running the three tools back to back.  Accuracy is measured by
# bench/teacher_cv.py.  Prints one table.  Not a test: it asserts nothing.
#
# The baselines are bench-only Debian packages, not build or test
# dependencies: python3-sklearn and fasttext.  A missing one is installed
# with apt-get when INSTALL=1 (as root), else its row says "skipped".
#
#   bench/teacher_bench.sh            (SIZE_MB=15 RUNS=3 CFAUG=build/cfaug PYTHON=/usr/bin/python3 INSTALL=0)
set -eu
cd "$(dirname "$0")/.."
SIZE_MB=${SIZE_MB:-15}
CFAUG=${CFAUG:-build/cfaug}
PY=${PYTHON:-/usr/bin/python3}          # Debian's python3-sklearn
DATA=${DATA:-../shared/data/cad-sentiment}
W=bench/work/teacher
mkdir -p "$W"
[ -x "$CFAUG" ] || { echo "build cfaug first ($CFAUG)" >&2; exit 1; }
# have NAME CHECK...: 0 when CHECK succeeds, after installing Debian package
# NAME first when INSTALL=1; else says the baseline is skipped
have() {
  local pkg=$1; shift
  "$@" >/dev/null 2>&1 && return 0
  if [ "${INSTALL:-0}" = 1 ]; then
    apt-get install -y "$pkg" >/dev/null 2>&1 && "$@" >/dev/null 2>&1 && return 0
  fi
  echo "teacher_bench: $pkg not installed: its baseline is skipped (INSTALL=1 or apt-get install $pkg)" >&2
  return 1
}
SK=0; FTX=0
have python3-sklearn "$PY" -c 'import sklearn' && SK=1
have fasttext sh -c 'command -v fasttext' && FTX=1

# ---- speed ---------------------------------------------------------------
CORPUS=$W/corpus$SIZE_MB.jsonl
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
FT=$W/corpus$SIZE_MB.ft.txt
if [ $FTX = 1 ] && [ ! -s "$FT" ]; then
  "$PY" - "$CORPUS" "$FT" <<'PY'
import json, re, sys
BR = re.compile(r"<br\s*/?>", re.I)
with open(sys.argv[2], "w", encoding="utf-8") as w:
    for l in open(sys.argv[1], encoding="utf-8"):
        r = json.loads(l)
        t = " ".join(re.findall(r"[a-z0-9\u0080-\U0010ffff]+", BR.sub(" ", r["text"]).lower()))
        w.write("__label__%s %s\n" % (r["label"], t))
PY
fi

# t NAME CMD...: run CMD under /usr/bin/time, append "wall cpu" to $W/NAME.t
t() {
  local name=$1; shift
  /usr/bin/time -f "%e %U %S" -o "$W/time.out" "$@"
  awk '{ printf "%.2f %.2f\n", $1, $2 + $3 }' "$W/time.out" >>"$W/$name.t"
}
RUNS=${RUNS:-3}
rm -f "$W"/*.t
for r in $(seq "$RUNS"); do
  t cfaug_train "$CFAUG" teacher train -i "$CORPUS" --label-field label -o "$W/speed.cftm" 2>"$W/train.log"
  t cfaug_predict sh -c '"$0" teacher predict -m "$1" -i "$2" >"$3"' "$CFAUG" "$W/speed.cftm" "$CORPUS" "$W/cfaug.pred.jsonl"
  [ $SK = 1 ] && t sklearn "$PY" bench/teacher_sklearn.py speed "$CORPUS" "$W/sklearn.pred.jsonl" >/dev/null
  if [ $FTX = 1 ]; then
    t ft_train fasttext supervised -input "$FT" -output "$W/ft" -lr 1.0 -epoch 25 -wordNgrams 2 -thread 2 -verbose 0
    t ft_predict sh -c 'fasttext predict-prob "$0" "$1" >"$2"' "$W/ft.bin" "$FT" "$W/ft.pred.txt"
  fi
  echo "round $r: $(for n in cfaug_train cfaug_predict sklearn ft_train ft_predict; do [ -s "$W/$n.t" ] && printf '%s %s  ' $n "$(tail -1 "$W/$n.t")"; done)" >&2
done
rm -f "$W/cfaug.pred.jsonl" "$W/sklearn.pred.jsonl" "$W/ft.pred.txt" "$W/ft.bin" "$W/ft.vec"

# med NAME COLUMN: median over the rounds; sum of two names per round
med() { [ -s "$W/$1.t" ] || { echo skipped; return; }
        awk -v c="$2" '{ print $c }' "$W/$1.t" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
sum2() { [ -s "$W/$1.t" ] || return 0
         paste -d' ' "$W/$1.t" "$W/$2.t" | awk '{ printf "%.2f %.2f\n", $1 + $3, $2 + $4 }' >"$W/$3.t"; }
sum2 cfaug_train cfaug_predict cfaug
sum2 ft_train ft_predict ft
cw=$(med cfaug 1); cc=$(med cfaug 2); sw=$(med sklearn 1); sc=$(med sklearn 2); fw=$(med ft 1); fc=$(med ft 2)
x() { [ "$1" = skipped ] && { echo -; return; }; awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fx", a / b }'; }
echo "Speed: train + predict, $mb MB ($recs records of JSONL), whole processes, median of $RUNS rounds, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
printf '| %-36s | %8s | %8s | %12s | %12s |\n' "tool" "wall s" "CPU s" "cfaug faster (wall)" "cfaug faster (CPU)"
printf '|%s|%s|%s|%s|%s|\n' "--------------------------------------" "----------" "----------" "--------------" "--------------"
printf '| %-36s | %8s | %8s | %12s | %12s |\n' "cfaug teacher train + predict" "$cw" "$cc" "" ""
printf '| %-36s | %8s | %8s | %12s | %12s |\n' "scikit-learn tf-idf + LR (C=10)" "$sw" "$sc" "$(x "$sw" "$cw")" "$(x "$sc" "$cc")"
printf '| %-36s | %8s | %8s | %12s | %12s |\n' "fastText supervised (2 threads)" "$fw" "$fc" "$(x "$fw" "$cw")" "$(x "$fc" "$cc")"
echo
echo "cfaug train + predict: $(med cfaug_train 1) + $(med cfaug_predict 1) s wall; $(cat "$W/train.log" | head -1)"
if [ -s "$W/sklearn.t" ]; then
  echo "per round, scikit-learn / cfaug (wall, CPU): $(paste -d' ' "$W/sklearn.t" "$W/cfaug.t" | awk '{ printf "%.1fx %.1fx; ", $1 / $3, $2 / $4 }')"
fi
