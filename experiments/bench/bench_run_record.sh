# Sourced by the benchmark drivers (run_cuba_bench.sh, run_stdp_bench.sh); needs RAW (the JSON-lines file the
# results go to) and WORK (a scratch directory).
# run LABEL COMMAND...: runs one benchmark process and appends its last stdout line (a JSON object) to $RAW
# with the load average before it, or a failure record naming the label.
run() {
  local label="$1"; shift
  echo "== $label" >&2
  local load
  load="$(cut -d' ' -f1 /proc/loadavg)"  # other work on the machine skews wall times: recorded per run
  if "$@" > "$WORK/out.json" 2> "$WORK/err.txt"; then
    tail -n 1 "$WORK/out.json" | sed "s/}\s*$/, \"load_before\": $load}/" >> "$RAW"
  else
    echo "   FAILED: $(tail -n 3 "$WORK/err.txt" | tr '\n' ' ')" >&2
    printf '{"impl": "failed", "label": "%s"}\n' "$label" >> "$RAW"
  fi
}
