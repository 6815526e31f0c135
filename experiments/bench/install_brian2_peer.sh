#!/usr/bin/env bash
# Installs what the Brian2 peers of the benchmarks need, only when missing: Debian's python3-brian, and
# cython3 and python3-dev (Brian2's runtime cython target and C++ standalone mode compile generated code).
# run_cuba_bench.sh and run_stdp_bench.sh call it.
set -euo pipefail
missing=()
for package in python3-brian cython3 python3-dev; do
  [[ $(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true) == installed ]] || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0
if [[ $(id -u) -ne 0 ]]; then
  echo "install_brian2_peer.sh: missing Debian packages ${missing[*]}; run as root or skip Brian2 (--no-brian2)" >&2
  exit 1
fi
echo "== installing ${missing[*]}" >&2
DEBIAN_FRONTEND=noninteractive apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
