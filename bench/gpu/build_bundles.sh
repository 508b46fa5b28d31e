#!/bin/sh
# Builds every kernel bundle of the feedback-attention / selective-scan GPU
# check into OUT (default /work/main/.gpu-carry/feedback/bundles).
set -e
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-/work/main/.gpu-carry/feedback/bundles}
mkdir -p "$out/src"
python3 "$here/gen_inputs.py" "$out/src"
for f in "$out"/src/*.mlir; do
  name=$(basename "$f" .mlir)
  echo "== $name"
  python3 "$here/mlir_to_cuda.py" "$f" "$out/$name"
done
