#!/usr/bin/env bash
# One case of the qsnn command-line contract; tests/cli/CMakeLists.txt registers each case as a CTest test.
# Usage: cli_test.sh CASE QSNN_BINARY PROJECT_VERSION PROJECT_SOURCE_DIR
# Runs in tests/cli/data (configs are named relative to it, as the messages print them); anything a case
# writes goes to a temporary directory that is removed afterwards.
set -euo pipefail

case_name=$1
qsnn=$2
version=$3
root=$4
data="$root/tests/cli/data"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$data"

status=0
out=
err=
# q ARGS...: runs qsnn, keeping its exit status, stdout and stderr.
q() {
  set +e
  "$qsnn" "$@" >"$tmp/stdout" 2>"$tmp/stderr"
  status=$?
  set -e
  out=$(<"$tmp/stdout")
  err=$(<"$tmp/stderr")
}
fail() {
  echo "FAIL [$case_name]: $*"
  echo "--- exit status: $status"
  echo "--- stdout:"; cat "$tmp/stdout"
  echo "--- stderr:"; cat "$tmp/stderr"
  exit 1
}
expect_status() { [[ $status -eq $1 ]] || fail "expected exit status $1"; }
expect_stdout_matches() { [[ $out =~ $1 ]] || fail "stdout does not match the regex: $1"; }
expect_stderr() { [[ $err == "$1" ]] || fail "stderr is not exactly: $1"; }
expect_no_stderr() { [[ -z $err ]] || fail "expected nothing on stderr"; }
# A CSV of the quant demo: the header, then rows for both distributions with widths 1..8.
expect_demo_csv() {
  [[ -f $1 ]] || fail "no CSV at $1"
  [[ $(head -n 1 "$1") == "distribution,quantizer,bits,bits_per_weight,mse,sqnr_db,max_abs_error,fraction_saturated" ]] ||
    fail "bad CSV header in $1"
  [[ $(cut -d, -f1 "$1" | tail -n +2 | sort -u | tr '\n' ' ') == "gaussian laplacian " ]] || fail "distributions of $1"
  [[ $(cut -d, -f3 "$1" | tail -n +2 | sort -un | tr '\n' ' ') == "1 2 3 4 5 6 7 8 " ]] || fail "bits column of $1"
  [[ $(grep -c '^gaussian,uniform-midrise-tensor-minmax,' "$1") -eq 8 ]] || fail "uniform rows of $1"
}

# h5 FILE EXPR: evaluates a Python expression over the open h5py.File f (Debian's python3-h5py) and prints it.
h5() { /usr/bin/python3 -c "import sys, h5py; f = h5py.File(sys.argv[1], 'r'); print($2)" "$1"; }
# No result file of any kind under $1.
expect_no_results() { [[ -z $(find "$1" -name '*.h5*' 2>/dev/null) ]] || fail "a result file was written under $1"; }

version_re=${version//./\\.}
case $case_name in
  version)
    q --version
    expect_status 0
    [[ $out =~ ^qsnn\ ${version_re}\ \(([0-9a-f]{7,}(-dirty)?|unknown)\)$ ]] || fail "bad --version line"
    expect_no_stderr ;;
  help)
    q --help
    expect_status 0
    expect_stdout_matches "Usage: qsnn"
    expect_stdout_matches "run"
    expect_stdout_matches "quant-demo"
    expect_stdout_matches "--version" ;;
  subcommand_help)
    q run --help
    expect_status 0
    expect_stdout_matches "Usage: qsnn run"
    expect_stdout_matches "--set"
    q quant-demo --help
    expect_status 0
    expect_stdout_matches "Usage: qsnn quant-demo"
    expect_stdout_matches "--rows" ;;
  unknown_subcommand)
    q frobnicate
    expect_status 2
    expect_stderr "qsnn: unknown subcommand 'frobnicate' (available: run, check, inspect, quant-demo); see 'qsnn --help'" ;;
  no_subcommand)
    q
    expect_status 2
    expect_stderr "qsnn: a subcommand is required (available: run, check, inspect, quant-demo); see 'qsnn --help'" ;;
  bad_option)
    q --frobnicate
    expect_status 2
    expect_stderr "qsnn: unknown option '--frobnicate'; see 'qsnn --help'"
    q run
    expect_status 2
    expect_stderr "qsnn run: config is required; see 'qsnn run --help'" ;;
  config_unknown_key)
    q run unknown_key.toml
    expect_status 2
    expect_stderr "unknown_key.toml:6: key 'quant_demo.rowz' is unknown (allowed: rows, cols, seed, output)" ;;
  config_bad_type)
    q run bad_type.toml
    expect_status 2
    expect_stderr "bad_type.toml:6: key 'quant_demo.rows' = \"8\" has type string (allowed: integer 1..4096)" ;;
  config_out_of_range)
    q run out_of_range.toml
    expect_status 2
    expect_stderr "out_of_range.toml:7: key 'quant_demo.cols' = 0 is out of range (allowed: integer 1..4096)" ;;
  config_bad_kind)
    q run bad_kind.toml
    expect_status 2
    expect_stderr "bad_kind.toml:3: key 'job.kind' = \"train\" is not allowed (allowed: \"quant-demo\", \"simulate\", \"diehl-cook\", \"decolle\")" ;;
  config_syntax_error)
    q run syntax_error.toml
    expect_status 2
    [[ $err =~ ^syntax_error\.toml:3:\ invalid\ TOML:\  ]] || fail "expected 'syntax_error.toml:3: invalid TOML: ...'"
    [[ $(wc -l <"$tmp/stderr") -eq 1 ]] || fail "expected one line on stderr" ;;
  config_missing)
    q run no_such_config.toml
    expect_status 2
    expect_stderr "no_such_config.toml: no such config file" ;;
  set_override)
    # Later overrides win; a bare word is a string; the file's own error (rows = "8") is overridden away.
    q run bad_type.toml --set quant_demo.rows=4 --set quant_demo.seed=5 --set quant_demo.seed=6 \
        --set "quant_demo.output=$tmp/seed6.csv"
    expect_status 0
    expect_stdout_matches "of 4x8 weight tensors \(rows = output channels\), seed 6"
    expect_demo_csv "$tmp/seed6.csv"
    q run tiny.toml --set "quant_demo.output=\"$tmp/seed1.csv\""
    expect_status 0
    expect_stdout_matches "of 8x8 weight tensors \(rows = output channels\), seed 1"
    expect_demo_csv "$tmp/seed1.csv" ;;
  set_unknown_key)
    q run tiny.toml --set quant_demo.rowz=4
    expect_status 2
    expect_stderr "--set quant_demo.rowz=4: key 'quant_demo.rowz' is unknown (allowed: rows, cols, seed, output)"
    q run tiny.toml --set solver.dt=1
    expect_status 2
    expect_stderr "--set solver.dt=1: key 'solver' is unknown (allowed: job, quant_demo)"
    q run tiny.toml --set "quant_demo={rowz = 4}"
    expect_status 2
    expect_stderr "--set quant_demo={rowz = 4}: key 'quant_demo.rowz' is unknown (allowed: rows, cols, seed, output)" ;;
  set_bad_type)
    q run tiny.toml --set quant_demo.seed=1.5
    expect_status 2
    expect_stderr "--set quant_demo.seed=1.5: key 'quant_demo.seed' = 1.5 has type floating-point (allowed: integer >= 0)" ;;
  set_malformed)
    q run tiny.toml --set quant_demo.seed
    expect_status 2
    expect_stderr "--set quant_demo.seed: expected KEY=VALUE, e.g. --set quant_demo.seed=5" ;;
  config_reference)
    q check "$root/experiments/configs/reference.toml"
    expect_status 0
    /usr/bin/python3 "$root/tests/cli/check_config_reference.py" "$qsnn" "$root/experiments/configs/reference.toml" ||
      fail "reference.toml and the parser disagree"
    # It runs, learning included: the epoch rows count the proposed weight updates of both rules.
    q run "$root/experiments/configs/reference.toml" --quiet --set "run.output=\"$tmp/ref.h5\""
    expect_status 0
    [[ $(h5 "$tmp/ref.h5" "len(f['metrics/epochs']), int(f['metrics/epochs']['updates_proposed'].sum()) > 0") == "2 True" ]] ||
      fail "epoch rows with weight updates"
    # A rule that does not suit its projection is a config error found when the network is built: no file.
    q run "$root/experiments/configs/reference.toml" --set 'plasticity[0].write_back.mode="exact"' \
        --set "run.output=\"$tmp/bad/ref.h5\""
    expect_status 2
    [[ $err == *"reference.toml:"*": plastic projection 'input_exc': exact write-back needs a float64 target"* ]] ||
      fail "expected the plasticity table's location and the reason"
    [[ ! -e $tmp/bad/ref.h5.partial ]] || fail "a result file was written" ;;
  cuba_config)
    q run "$root/experiments/configs/cuba.toml" --quiet --set run.duration_ms=100.0 --set "run.output=\"$tmp/cuba.h5\""
    expect_status 0
    expect_no_stderr
    [[ $(h5 "$tmp/cuba.h5" "f['spikes/exc'].attrs['n_nodes'], f['spikes/inh'].attrs['n_nodes'], f.attrs['status']") == "3200 800 complete" ]] ||
      fail "CUBA populations"
    # With the float64 twin in lockstep: per-variable ranges and bits needed, the divergence of the spikes.
    q run "$root/experiments/configs/cuba.toml" --quiet --set run.duration_ms=50.0 --set record.diagnostics=true \
        --set "run.output=\"$tmp/cuba_diag.h5\""
    expect_status 0
    [[ $(h5 "$tmp/cuba_diag.h5" "f['quant/diagnostics/populations/exc/v'].attrs['format_bits'], 'bits_needed' in f['quant/diagnostics/populations/inh/I0'].attrs") == "24 True" ]] ||
      fail "diagnostics groups"
    q inspect "$tmp/cuba_diag.h5"
    expect_stdout_matches "vs float64 exc: spikes -?[0-9]+ vs reference"
    q check "$root/experiments/configs/reference.toml" --set record.diagnostics=true
    expect_status 2
    [[ $err == *"key 'record.diagnostics' = true with [[plasticity]]"* ]] || fail "diagnostics with plasticity" ;;
  diehl_cook_job)
    q run "$root/experiments/configs/diehl_cook_synthetic.toml" --quiet --set dataset.train_size=90 \
        --set dataset.test_size=30 --set network.n_exc=20 --set training.image_ms=150.0 --set training.rest_ms=50.0 \
        --set training.assign_samples=45 --set "run.output=\"$tmp/dc.h5\""
    expect_status 0
    expect_stdout_matches "^qsnn: Diehl & Cook, 20 excitatory neurons, 1 epoch\(s\): test accuracy [0-9.]+ on 30 synthetic images; results: $tmp/dc.h5$"
    [[ $(h5 "$tmp/dc.h5" "f['metrics/epochs']['test_accuracy'][0] > 0.6, f['metrics/confusion'].shape, f['weights/input_to_exc/q'].shape[0]") == "True (3, 3) 2" ]] ||
      fail "epochs, confusion and weight snapshots" ;;
  diehl_cook_fashion)
    # Real data (Debian's dataset-fashion-mnist, installed by scripts/setup.sh): a small run beats chance (0.1).
    q run "$root/experiments/configs/diehl_cook_fashion_mnist.toml" --quiet --set network.n_exc=50 \
        --set training.train_samples=200 --set training.assign_samples=100 --set training.test_samples=100 \
        --set "run.output=\"$tmp/dcf.h5\""
    expect_status 0
    expect_stdout_matches "test accuracy [0-9.]+ on 100 fashion-mnist images"
    [[ $(h5 "$tmp/dcf.h5" "f['metrics/epochs']['test_accuracy'][0] > 0.2, f['metrics/confusion'].shape") == "True (10, 10)" ]] ||
      fail "accuracy above chance on Fashion-MNIST" ;;
  decolle_job)
    q run "$root/experiments/configs/decolle_patterns.toml" --quiet --set "run.output=\"$tmp/de.h5\""
    expect_status 0
    expect_stdout_matches "^qsnn: DECOLLE, 2 dense layer\(s\), 1 epoch\(s\): test accuracy [0-9.]+ on 100 patterns samples; results: $tmp/de.h5$"
    [[ $(h5 "$tmp/de.h5" "f['metrics/epochs']['test_accuracy'][0] > 0.9, f['metrics/epochs']['updates_proposed'][0] > 0, f['metrics/confusion'].shape") == "True True (4, 4)" ]] ||
      fail "epochs and confusion"
    q run "$root/experiments/configs/decolle_patterns_ptq.toml" --quiet --set ptq.bits=2 --set "run.output=\"$tmp/ptq.h5\""
    expect_status 0
    expect_stdout_matches "after 2-bit post-training quantization [0-9.]+; results:"
    [[ $(h5 "$tmp/ptq.h5" "f['metrics/ptq'].attrs['bits'], f['metrics/ptq'].attrs['calibration']") == "2.0 min-max" ]] ||
      fail "PTQ summary"
    q check "$root/experiments/configs/decolle_patterns_ptq.toml" --set 'network.path="fixed-point"'
    expect_status 2
    [[ $err == *"[ptq] quantizes a float64-trained network"* ]] || fail "PTQ of a fixed-point network"
    # Transfer: layer 0 from the first run, frozen; layer 1 trains on another family of patterns.
    q run "$root/experiments/configs/decolle_patterns.toml" --quiet --set dataset.family=1 \
        --set "transfer={features=\"$tmp/de.h5\", freeze_layers=1}" --set "run.output=\"$tmp/tl.h5\""
    expect_status 0
    [[ $(/usr/bin/python3 -c "import sys, h5py, numpy as np; a = h5py.File(sys.argv[1], 'r'); b = h5py.File(sys.argv[2], 'r'); print(np.array_equal(a['weights/decolle_layer_0/q'][-1], b['weights/decolle_layer_0/q'][-1]), np.array_equal(b['weights/decolle_layer_1/q'][0], b['weights/decolle_layer_1/q'][-1]))" "$tmp/de.h5" "$tmp/tl.h5") == "True False" ]] ||
      fail "transfer: frozen features equal the source's last snapshot, the next layer learned"
    q inspect "$tmp/tl.h5"
    expect_stdout_matches "weights decolle_layer_0: 2 snapshot\(s\) of 1280 synapses, 4 bits, fixed-point"
    q check "$root/experiments/configs/decolle_patterns.toml" --set network.layerz=1
    expect_status 2
    [[ $err == *"key 'network.layerz' is unknown (allowed: layers, path,"* ]] || fail "unknown key" ;;
  sim_run)
    q run sim_tiny.toml --set "run.output=\"$tmp/out/tiny.h5\""
    expect_status 0
    expect_stdout_matches "results: $tmp/out/tiny.h5"
    [[ -f $tmp/out/tiny.h5 && ! -e $tmp/out/tiny.h5.partial ]] || fail "expected only the final file"
    [[ $(h5 "$tmp/out/tiny.h5" "f.attrs['status']") == complete ]] || fail "status"
    [[ $(h5 "$tmp/out/tiny.h5" "sorted(f['spikes'])") == "['exc', 'input']" ]] || fail "spike groups"
    [[ $(h5 "$tmp/out/tiny.h5" "f['weights/input_exc/q'].shape[0], f['weights/input_exc/q'].dtype") == "2 int8" ]] ||
      fail "weight snapshots"
    [[ $(h5 "$tmp/out/tiny.h5" "f['provenance/config_source'].asstr()[()].splitlines()[0]") == "# A small simulate job for the CLI tests: Poisson input onto 50 fixed-point LIF neurons." ]] ||
      fail "config source"
    [[ $(h5 "$tmp/out/tiny.h5" "list(f['provenance/overrides'].asstr()[()])") == "['run.output=\"$tmp/out/tiny.h5\"']" ]] ||
      fail "overrides" ;;
  inspect)
    q run sim_tiny.toml --quiet --set "run.output=\"$tmp/tiny.h5\""
    expect_status 0
    q inspect "$tmp/tiny.h5"
    expect_status 0
    expect_no_stderr
    expect_stdout_matches "status complete"
    expect_stdout_matches "config: sim_tiny.toml with 1 --set override"
    expect_stdout_matches "spikes exc: [0-9]+ of 50 neurons"
    expect_stdout_matches "weights input_exc: 2 snapshot\(s\) of [0-9]+ synapses, 4 bits, excitatory, rounding stochastic"
    expect_stdout_matches "overflow exc: current 0\+0 saturated"
    q inspect sim_tiny.toml
    expect_status 1
    [[ $err =~ ^qsnn\ inspect:\ sim_tiny\.toml: ]] || fail "expected a one-line error naming the file" ;;
  sim_check)
    q check sim_tiny.toml
    expect_status 0
    expect_stdout_matches "^sim_tiny.toml: ok \(simulate\)$"
    expect_no_stderr
    expect_no_results . ;;
  sim_config_errors)
    q run sim_typo.toml --set "run.output=\"$tmp/typo.h5\""
    expect_status 2
    expect_stderr "sim_typo.toml:13: key 'population[0].tau_membrane_ms' is unknown (allowed: name, kind, size, path, tau_mem_ms, tau_syn_ms, v_rest, v_reset, v_threshold, steady_drive, refractory_ms, reset, adaptive_threshold, theta_plus, tau_theta_ms, initial_voltage, injection, fixed)"
    q run sim_tiny.toml --set "run.output=\"$tmp/r.h5\"" --set 'population[1].fixed.voltage_decay_rounding=nearest'
    expect_status 2
    expect_stderr "--set population[1].fixed.voltage_decay_rounding=nearest: key 'population[1].fixed.voltage_decay_rounding': unknown rounding 'nearest' (valid: nearest-even, nearest-away, floor, ceil, truncate, stochastic, stochastic-shared)"
    q run sim_tiny.toml --set "run.output=\"$tmp/r.h5\"" --set 'projection[0].post="inh"'
    expect_status 2
    expect_stderr "--set projection[0].post=\"inh\": key 'projection[0].post' = \"inh\" names no population (allowed: input, exc)"
    q run sim_tiny.toml --set 'population[2].size=1'
    expect_status 2
    expect_stderr "--set population[2].size=1: key 'population[2]' is out of range (the config has 2 [[population]] tables)"
    expect_no_results "$tmp" ;;
  sim_chip_violation)
    q run sim_truenorth.toml --set "run.output=\"$tmp/tn.h5\""
    expect_status 2
    expect_stderr "sim_truenorth.toml: the network does not fit chip preset 'truenorth': projection 'input_exc': fan-in 300 exceeds truenorth's 256 input axons per core"
    q check sim_truenorth.toml
    expect_status 2
    expect_stdout_matches "violation: projection 'input_exc': fan-in 300 exceeds"
    expect_no_results "$tmp" ;;
  sim_sigint)
    # SIGINT ends the run at a safe point: a readable .partial file with status "interrupted", exit status 1.
    set +e
    "$qsnn" run sim_long.toml --set "run.output=\"$tmp/long.h5\"" >"$tmp/stdout" 2>"$tmp/stderr" &
    pid=$!
    for _ in $(seq 100); do [[ -f $tmp/long.h5.partial ]] && break; sleep 0.1; done
    sleep 1
    kill -INT $pid
    wait $pid
    status=$?
    set -e
    expect_status 1
    [[ -f $tmp/long.h5.partial && ! -e $tmp/long.h5 ]] || fail "expected only the .partial file"
    [[ $(h5 "$tmp/long.h5.partial" "f.attrs['status']") == interrupted ]] || fail "status is not interrupted"
    [[ $(h5 "$tmp/long.h5.partial" "len(f['spikes/exc/timestamps']) > 0") == True ]] || fail "no spikes kept"
    grep -q "interrupted at step" "$tmp/stderr" || fail "no interruption message" ;;
  sim_sigkill)
    # SIGKILL at several points leaves only a .partial file, readable up to its last flush (a checkpoint).
    for delay in 0.3 1.0 2.0; do
      rm -f "$tmp"/long.h5*
      "$qsnn" run sim_long.toml --quiet --set "run.output=\"$tmp/long.h5\"" >/dev/null 2>&1 &
      pid=$!
      for _ in $(seq 100); do [[ -f $tmp/long.h5.partial ]] && break; sleep 0.1; done
      sleep $delay
      kill -KILL $pid
      wait $pid 2>/dev/null || true
      [[ -f $tmp/long.h5.partial && ! -e $tmp/long.h5 ]] || fail "after ${delay}s: expected only the .partial file"
      summary=$(h5 "$tmp/long.h5.partial" "f.attrs['status'], len(f['spikes/exc/timestamps']) == len(f['spikes/exc/node_ids'])") ||
        fail "after ${delay}s: the .partial file is not readable"
      [[ $summary == "running True" ]] || fail "after ${delay}s: $summary"
    done ;;
  run_tiny)
    # Relative output paths resolve against the current directory; missing directories are created.
    cd "$tmp"
    q run "$data/tiny.toml"
    expect_status 0
    expect_no_stderr
    expect_stdout_matches "of 8x8 weight tensors"
    expect_stdout_matches "wrote results/tiny.csv"
    expect_demo_csv "$tmp/results/tiny.csv" ;;
  default_config)
    # The shipped config is valid (shrunk so the test stays fast).
    q run "$root/experiments/configs/default.toml" --set quant_demo.rows=16 --set quant_demo.cols=16 \
        --set "quant_demo.output=$tmp/default.csv"
    expect_status 0
    expect_demo_csv "$tmp/default.csv" ;;
  quant_demo_flags)
    q quant-demo --rows 8 --cols 4 --seed 3 --out "$tmp/demo/flags.csv"
    expect_status 0
    expect_stdout_matches "of 8x4 weight tensors \(rows = output channels\), seed 3"
    expect_demo_csv "$tmp/demo/flags.csv"
    # The same job through a config gives the same numbers.
    q run tiny.toml --set quant_demo.cols=4 --set quant_demo.seed=3 --set "quant_demo.output=$tmp/config.csv"
    expect_status 0
    cmp -s "$tmp/demo/flags.csv" "$tmp/config.csv" || fail "quant-demo flags and config differ" ;;
  quant_demo_bad_flag)
    q quant-demo --rows 0
    expect_status 2
    [[ $err == "qsnn quant-demo: --rows: "* ]] || fail "expected a --rows error" ;;
  *)
    echo "cli_test.sh: unknown case '$case_name'" >&2
    exit 2 ;;
esac
echo "PASS [$case_name]"
