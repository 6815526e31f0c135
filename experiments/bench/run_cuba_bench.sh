#!/usr/bin/env bash
# The CUBA benchmark of issue 3 in one invocation: qsnn (fixed 8-bit and float64) against Brian2 (C++
# standalone and runtime) at 4,000 / 40,000 / 400,000 neurons and 1 and 2 threads, every configuration in a
# process of its own (clean peak memory). Prints the table and writes experiments/results/bench_cuba.csv,
# experiments/results/bench_cuba.md (command, machine, date, table, target check) and the raw JSON lines.
#
#   experiments/bench/run_cuba_bench.sh --large-duration 1   # the measured run (about 10 minutes on 2 cores)
#   experiments/bench/run_cuba_bench.sh --duration 0.2 --sizes "4000" --no-runtime   # CI smoke
#
# Options:
#   --duration S          biological seconds per run (default 10)
#   --large-duration S    biological seconds for the 400,000-neuron runs (default: --duration)
#   --brian2-large-duration S  the same for Brian2 at 400,000 neurons (default: --large-duration); both
#                         take ~10 s per simulated second there. Times are per simulated second, so runs of
#                         different lengths stay comparable, and the report says which were shortened
#   --runtime-duration S  Brian2 runtime mode, 4,000 neurons only (default: --duration)
#   --sizes "N ..."       (default "4000 40000 400000")
#   --threads "T ..."     (default "1 2")
#   --no-brian2 / --no-runtime   skip Brian2 entirely / its runtime mode
#   --build-dir DIR       qsnn build directory (default build-bench; configured Release and built here)
#   --out DIR             results directory (default experiments/results)
# Installs what is missing: qsnn's packages (scripts/setup.sh), and Debian's python3-brian, cython3 and
# python3-dev for the Brian2 peer (its C++ standalone and cython runtime modes compile generated code).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DURATION=10
LARGE_DURATION=""
BRIAN2_LARGE_DURATION=""
RUNTIME_DURATION=""
SIZES="4000 40000 400000"
THREADS="1 2"
BRIAN2=1
RUNTIME=1
BUILD="$ROOT/build-bench"
OUT="$ROOT/experiments/results"
COMMAND="experiments/bench/run_cuba_bench.sh $*"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) DURATION="$2"; shift 2 ;;
    --large-duration) LARGE_DURATION="$2"; shift 2 ;;
    --brian2-large-duration) BRIAN2_LARGE_DURATION="$2"; shift 2 ;;
    --runtime-duration) RUNTIME_DURATION="$2"; shift 2 ;;
    --sizes) SIZES="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --no-brian2) BRIAN2=0; shift ;;
    --no-runtime) RUNTIME=0; shift ;;
    --build-dir) BUILD="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    -h|--help) sed -n '2,22p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "run_cuba_bench.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
LARGE_DURATION="${LARGE_DURATION:-$DURATION}"
RUNTIME_DURATION="${RUNTIME_DURATION:-$DURATION}"
BRIAN2_LARGE_DURATION="${BRIAN2_LARGE_DURATION:-$LARGE_DURATION}"
PYTHON=/usr/bin/python3  # Debian's, where python3-brian lives (not a pyenv python on PATH)

# The C++ build's packages, then the peer's (Brian2, cython3, python3-dev), each only when missing.
bash "$ROOT/scripts/setup.sh"
[[ $BRIAN2 -eq 1 ]] && bash "$ROOT/experiments/bench/install_brian2_peer.sh"

echo "== building qsnn_bench_cuba (Release) in $BUILD" >&2
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" --target qsnn_bench_cuba -j2 >/dev/null
BENCH="$BUILD/experiments/bench/qsnn_bench_cuba"

mkdir -p "$OUT"
RAW="$OUT/bench_cuba_raw.jsonl"
: > "$RAW"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

source "$ROOT/experiments/bench/bench_run_record.sh"  # run LABEL COMMAND...

for size in $SIZES; do
  duration="$DURATION"
  brian2_duration="$DURATION"
  if [[ "$size" -ge 400000 ]]; then duration="$LARGE_DURATION"; brian2_duration="$BRIAN2_LARGE_DURATION"; fi
  for threads in $THREADS; do
    run "qsnn fixed8  N=$size threads=$threads ${duration}s" \
      "$BENCH" --size "$size" --path fixed --threads "$threads" --duration "$duration"
    run "qsnn float64 N=$size threads=$threads ${duration}s" \
      "$BENCH" --size "$size" --path float64 --threads "$threads" --duration "$duration"
    if [[ "$BRIAN2" == 1 ]]; then
      run "brian2 standalone N=$size threads=$threads ${brian2_duration}s" \
        "$PYTHON" "$ROOT/experiments/bench/brian2_cuba.py" --size "$size" --mode standalone --threads "$threads" \
        --duration "$brian2_duration" --build-dir "$WORK/brian2_${size}_${threads}"
    fi
  done
  if [[ "$BRIAN2" == 1 && "$RUNTIME" == 1 && "$size" -le 4000 ]]; then
    run "brian2 runtime (cython) N=$size threads=1 ${RUNTIME_DURATION}s" \
      "$PYTHON" "$ROOT/experiments/bench/brian2_cuba.py" --size "$size" --mode runtime --target cython \
      --duration "$RUNTIME_DURATION"
  fi
done

"$PYTHON" "$ROOT/experiments/bench/summarize_cuba_bench.py" "$RAW" --csv "$OUT/bench_cuba.csv" \
  --md "$OUT/bench_cuba.md" --command "$COMMAND"
