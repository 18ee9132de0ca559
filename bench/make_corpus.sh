#!/bin/sh
# The rules-stage benchmark corpus: about MB megabytes of JSONL from
# cad-sentiment orig_train + revised_train (the reviews repeated with fresh
# ids), built by make_corpus.py.
# Usage: bench/make_corpus.sh [MB] [OUT] [DATA_DIR]
set -e
MB=${1:-100}; OUT=${2:-bench/work/cad100.jsonl}
DATA=${3:-$(dirname "$0")/../../shared/data}
mkdir -p "$(dirname "$OUT")"
exec python3 "$(dirname "$0")/make_corpus.py" "$MB" "$OUT" "$DATA" orig_train.tsv,revised_train.tsv
