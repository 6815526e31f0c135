#!/usr/bin/env bash
# Installs what is missing, builds and runs every test through CTest.
#   scripts/test.sh [--sanitize] [extra ctest arguments, e.g. -L cli or -R rounding]
# --sanitize builds into build-sanitize/ with AddressSanitizer + UBSan and tests that build.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

build_args=()
build_dir=build
if [[ ${1-} == --sanitize ]]; then
  build_args=(--sanitize)
  build_dir=build-sanitize
  shift
  # Any sanitizer report fails the test that triggered it; print where it happened.
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
fi

bash scripts/setup.sh
bash scripts/build.sh "${build_args[@]}"
ctest --test-dir "$build_dir" --output-on-failure -j2 "$@"
