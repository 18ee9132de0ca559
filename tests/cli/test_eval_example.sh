#!/usr/bin/env bash
# examples/eval-cad-sentiment.sh runs as documented when the CAD data is
# there (../shared/data, outside the project: skipped in a bare clone).
set -u
. "$(dirname "$0")/../lib.sh"
CAD=${CFAUG_CAD:-../shared/data/cad-sentiment}
if [ ! -f "$CAD/paired_dev.tsv" ]; then
  echo "skip - $CAD not found: examples/eval-cad-sentiment.sh not run"
  finish; exit $?
fi
if CFAUG="$CFAUG" CFAUG_CAD="$CAD" examples/eval-cad-sentiment.sh "$T/out" >"$T/log" 2>&1; then
  ok "examples/eval-cad-sentiment.sh"
else bad "examples/eval-cad-sentiment.sh failed" "$(tail -5 "$T/log")"; fi
contains "$T/log" "targeted flip" "prints the targeted flip rate"
contains "$T/log" "minimality" "prints minimality"
python3 -c "
import json; r=json.load(open('$T/out/report.json'))
assert r['counts']['pairs']==245 and r['judges'][0]['targeted_flip']['n']==245
assert r['spurious']['top_before']['top']; print('report ok')" >"$T/check" 2>&1
contains "$T/check" "report ok" "report.json has the 245 dev pairs and the spurious tables"
finish
