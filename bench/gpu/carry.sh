#!/bin/sh
# Builds the standalone kernels and copies what the GPU run needs into the
# main checkout's carry folder (the device runs /work/main's tree):
#   device: python3 .gpu-carry/attention/run_kernels.py .gpu-carry/attention
set -e
cd "$(dirname "$0")/../.."
DEST=${1:-/work/main/.gpu-carry/attention}
rm -rf .gpu-carry/attention "$DEST"
python3 bench/gpu/build_kernels.py --out .gpu-carry/attention
cp bench/gpu/run_kernels.py test/Integration/lib/sessa_reference.py .gpu-carry/attention/
mkdir -p "$(dirname "$DEST")"
cp -r .gpu-carry/attention "$DEST"
du -sh "$DEST"
