#!/usr/bin/env bash
# Makes this folder from the committed forecasting dataset (test/fixtures/forecast/, made by its
# make-dataset.sh): the function groups, the models trained on 80% of the configurations, and the
# figures of one held-out split and of 5-fold cross-validation (docs/forecast.md shows them), each
# evaluation JSON with its report beside it (.html: predicted-vs-actual and residual plots).
# Run from the repository root after `npm install`; a few minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
data=test/fixtures/forecast
out=examples/forecast
dfaas=(node dist/cli/main.js)
"${dfaas[@]}" forecast profile --profiles "$data/profiles" --out "$out"
sets=(--data "$data/heavy.csv:heavy" "$data/light.csv:light" --groups "$out/group_list.json")
"${dfaas[@]}" forecast train "${sets[@]}" --out "$out/models"
"${dfaas[@]}" forecast evaluate "${sets[@]}" --out "$out/evaluation-split.json"
"${dfaas[@]}" forecast evaluate "${sets[@]}" --folds 5 --out "$out/evaluation-5-fold.json"
