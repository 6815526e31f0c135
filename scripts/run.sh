#!/usr/bin/env bash
# Installs what is missing, builds Release and runs the main job:
#   build/qsnn run experiments/configs/default.toml [extra qsnn run arguments, e.g. --set quant_demo.seed=5]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh
bash scripts/build.sh
exec build/qsnn run experiments/configs/default.toml "$@"
