#!/usr/bin/env bash
# Configures and builds qsnn with all cores; compiler warnings are errors.
#   scripts/build.sh              Release into build/
#   scripts/build.sh --sanitize   AddressSanitizer + UBSan (RelWithDebInfo) into build-sanitize/
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

build_dir=build
options=(-DCMAKE_BUILD_TYPE=Release -DQSNN_SANITIZE=OFF)
case ${1-} in
  "") ;;
  --sanitize)
    build_dir=build-sanitize
    options=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DQSNN_SANITIZE=ON) ;;
  *)
    echo "usage: scripts/build.sh [--sanitize]" >&2
    exit 2 ;;
esac

cmake -S . -B "$build_dir" "${options[@]}" -DQSNN_WERROR=ON
cmake --build "$build_dir" --parallel "$(nproc)"
