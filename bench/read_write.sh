#!/usr/bin/env bash
# Read -> write throughput and peak memory of a passthrough pipeline, side by
# side with `cat` (the I/O floor) and a plain Python json.loads/dumps loop
# (what research scripts do), on JSONL corpora built from
# ../shared/data/cad-sentiment.  Prints a Markdown table of medians.
#
#   bench/read_write.sh [SIZES_MB...]      (default: 10 100 1000)
#   RUNS=5 bench/read_write.sh 100
#
# Needs /usr/bin/time (Debian package `time`) and python3; builds cfaug
# with scripts/setup.sh.  Work files go to bench/work/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v /usr/bin/time >/dev/null || { echo "install the 'time' package" >&2; exit 1; }
scripts/setup.sh
sizes=("$@"); [ ${#sizes[@]} -eq 0 ] && sizes=(10 100 1000)
runs=${RUNS:-3}
w=bench/work; mkdir -p "$w"

cat >"$w/passthrough.yaml" <<'Y'
input: {path: "-", format: jsonl, id_field: id, text_fields: [text], label_field: label}
stages: [{type: passthrough}]
output: {dir: bench/work/out}
Y
cat >"$w/py_passthrough.py" <<'P'
import json, sys
out = sys.stdout
for line in sys.stdin:
    if not line.strip():
        continue
    r = json.loads(line)
    r["source"] = "original"; r["pair_id"] = None
    out.write(json.dumps(r, ensure_ascii=False) + "\n")
P

# measure NAME CMD...: prints "seconds maxrss_kb" (median of $runs runs)
measure() {
  local i
  for i in $(seq "$runs"); do
    local t0 t1
    t0=$(date +%s%N)
    /usr/bin/time -f "%M" -o "$w/time.txt" "$@" >/dev/null 2>"$w/stderr" || {
      cat "$w/stderr" >&2; exit 1; }
    t1=$(date +%s%N)
    echo "$(( (t1 - t0) / 1000000 ))e-3 $(cat "$w/time.txt")"
  done | sort -n | awk -v n="$runs" '{s[NR]=$1; m[NR]=$2} END {k=int((n+1)/2); print s[k], m[k]}'
}

echo "| corpus | tool | seconds | MB/s | peak RSS (MB) | speed vs cfaug |"
echo "|---|---|---|---|---|---|"
for mb in "${sizes[@]}"; do
  f="$w/corpus-${mb}MB.jsonl"
  [ -f "$f" ] || python3 bench/make_corpus.py "$mb" "$f"
  bytes=$(stat -c %s "$f")
  read -r cs cm < <(measure sh -c "./build/cfaug run $w/passthrough.yaml -q -i - < '$f'")
  read -r ks km < <(measure sh -c "cat '$f' > $w/cat.out")
  py="-"
  if [ "$mb" -le 100 ]; then
    read -r ps pm < <(measure sh -c "python3 $w/py_passthrough.py < '$f' > $w/py.out")
    py=1
  fi
  row() { awk -v mb="$mb" -v t="$1" -v s="$2" -v m="$3" -v b="$bytes" -v c="$cs" \
    'BEGIN {printf "| %d MB | %s | %.3f | %.0f | %.1f | %.2fx |\n", mb, t, s, b/1e6/s, m/1024, c/s}'; }
  row "cfaug run (passthrough)" "$cs" "$cm"
  row "cat (I/O floor)" "$ks" "$km"
  # the run's own clock stops before the final fsync + rename of the outputs
  rs=$(python3 -c "import json; print(json.load(open('$w/out/report.json'))['timing']['seconds'])")
  row "cfaug, before fsync (report.json)" "$rs" "$cm"
  if [ "$py" = 1 ]; then row "python3 json loads/dumps" "$ps" "$pm"; fi
done
rm -f "$w/cat.out" "$w/py.out"
