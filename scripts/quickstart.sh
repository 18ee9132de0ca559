#!/usr/bin/env bash
# One command: install what is missing, build, and run the quickstart
# pipeline on the sample data in examples/ (offline).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec ./build/cfaug run examples/quickstart.yaml "$@"
