#!/usr/bin/env bash
# The learning benchmark in one invocation: pair STDP on the 400-neuron Diehl & Cook network
# (experiments/networks/diehl_cook_network.hpp) driven by Poisson input from identical synthetic images -
# qsnn fixed-point (8-bit weights) and float64 at 1 and 2 threads, Brian2 C++ standalone (1 and 2 OpenMP
# threads) and Brian2 runtime (cython) - then the Diehl & Cook epoch timing (D&C rule, rate boosts, 2
# threads). Every configuration runs in a process of its own. Prints the table and ratios and writes
# experiments/results/bench_stdp.csv, experiments/results/bench_stdp.md and the raw JSON lines.
#
#   experiments/bench/run_stdp_bench.sh                       # the default run (a few minutes on 2 cores)
#   experiments/bench/run_stdp_bench.sh --samples 20 --epoch-samples 0 --no-runtime   # smoke
#   experiments/bench/run_stdp_bench.sh --no-brian2 --samples 0 --epoch-samples 60000 # a full measured epoch
#
# Options:
#   --samples N           training samples per benchmark configuration (default 200; 0: skip the benchmark)
#   --runtime-samples N   Brian2 runtime mode (default: --samples)
#   --epoch-samples N     D&C epoch timing samples, 2 threads (default 1000; 0: skip)
#   --threads "T ..."     qsnn thread counts (default "1 2")
#   --brian2-threads "T ..."  Brian2 standalone: 1 = no OpenMP; > 1 = OpenMP with that many threads, run
#                         with --openmp-samples only (default "1": OpenMP is no faster, and under load its
#                         spinning barriers made 2 threads 300x slower in a smoke run)
#   --openmp-samples N    samples of the OpenMP runs (default 20)
#   --no-brian2 / --no-runtime   skip Brian2 entirely / its runtime mode
#   --build-dir DIR       qsnn build directory (default build-bench; configured Release and built here)
#   --out DIR             results directory (default experiments/results)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SAMPLES=200
RUNTIME_SAMPLES=""
EPOCH_SAMPLES=1000
THREADS="1 2"
BRIAN2_THREADS="1"
OPENMP_SAMPLES=20
BRIAN2=1
RUNTIME=1
BUILD="$ROOT/build-bench"
OUT="$ROOT/experiments/results"
COMMAND="experiments/bench/run_stdp_bench.sh $*"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --samples) SAMPLES="$2"; shift 2 ;;
    --runtime-samples) RUNTIME_SAMPLES="$2"; shift 2 ;;
    --epoch-samples) EPOCH_SAMPLES="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --brian2-threads) BRIAN2_THREADS="$2"; shift 2 ;;
    --openmp-samples) OPENMP_SAMPLES="$2"; shift 2 ;;
    --no-brian2) BRIAN2=0; shift ;;
    --no-runtime) RUNTIME=0; shift ;;
    --build-dir) BUILD="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    -h|--help) sed -n '2,25p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "run_stdp_bench.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
RUNTIME_SAMPLES="${RUNTIME_SAMPLES:-$SAMPLES}"
PYTHON=/usr/bin/python3  # Debian's, where python3-brian lives (not a pyenv python on PATH)

bash "$ROOT/scripts/setup.sh"
[[ $BRIAN2 -eq 1 ]] && bash "$ROOT/experiments/bench/install_brian2_peer.sh"

echo "== building qsnn_bench_stdp (Release) in $BUILD" >&2
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" --target qsnn_bench_stdp -j2 >/dev/null
BENCH="$BUILD/experiments/bench/qsnn_bench_stdp"

mkdir -p "$OUT"
RAW="$OUT/bench_stdp_raw.jsonl"
: > "$RAW"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

source "$ROOT/experiments/bench/bench_run_record.sh"  # run LABEL COMMAND...

if [[ "$SAMPLES" -gt 0 ]]; then
  # The images both simulators see: written once by qsnn, read by Brian2.
  IMAGES="$WORK/images.u8"
  "$BENCH" --write-images "$IMAGES" --samples "$(( SAMPLES > RUNTIME_SAMPLES ? SAMPLES : RUNTIME_SAMPLES ))"
  for threads in $THREADS; do
    run "qsnn fixed8  pair threads=$threads $SAMPLES samples" "$BENCH" --path fixed --threads "$threads" --samples "$SAMPLES"
    run "qsnn float64 pair threads=$threads $SAMPLES samples" "$BENCH" --path float64 --threads "$threads" --samples "$SAMPLES"
  done
  if [[ "$BRIAN2" == 1 ]]; then
    for threads in $BRIAN2_THREADS; do
      samples="$SAMPLES"
      [[ "$threads" -gt 1 && "$OPENMP_SAMPLES" -lt "$SAMPLES" ]] && samples="$OPENMP_SAMPLES"
      run "brian2 standalone pair threads=$threads $samples samples" \
        "$PYTHON" "$ROOT/experiments/bench/brian2_stdp.py" --images "$IMAGES" --samples "$samples" --mode standalone \
        --threads "$threads" --build-dir "$WORK/brian2_$threads"
    done
  fi
  if [[ "$BRIAN2" == 1 && "$RUNTIME" == 1 ]]; then
    run "brian2 runtime (cython) pair threads=1 $RUNTIME_SAMPLES samples" \
      "$PYTHON" "$ROOT/experiments/bench/brian2_stdp.py" --images "$IMAGES" --samples "$RUNTIME_SAMPLES" --mode runtime
  fi
fi

if [[ "$EPOCH_SAMPLES" -gt 0 ]]; then
  run "qsnn fixed8 D&C epoch timing, diehl_cook rule, boosts, threads=2, $EPOCH_SAMPLES samples" \
    "$BENCH" --epoch --rule diehl_cook --path fixed --threads 2 --samples "$EPOCH_SAMPLES"
fi

"$PYTHON" "$ROOT/experiments/bench/summarize_stdp_bench.py" "$RAW" --csv "$OUT/bench_stdp.csv" \
  --md "$OUT/bench_stdp.md" --command "$COMMAND"
