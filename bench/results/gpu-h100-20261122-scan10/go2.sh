#!/bin/bash
# Run 2 of branch gpu10-scan: gpu_bench scan checks and timings per artifact variant
# (A = main ca2fbe7, B2 = branch defaults, G = B2 + full-issue, F2 = B2 without swizzle,
#  I = B2 with libdevice softplus, L = B2 with 2 lanes per channel, 2 stages of 56 KB, 2 blocks per SM), interleaved and repeated.
C=.gpu-carry/scan10
export PYTHONUNBUFFERED=1 SESSA_PYTHONPATH=$C/python
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm,power.limit --format=csv 2>&1 | tee $OUT/run2.log
for a in A B2 G F2 I L G B2 A G B2; do
  mkdir -p $OUT/$a
  echo "=== variant $a ($(date +%T))" | tee -a $OUT/run2.log
  OUT=$OUT/$a timeout 100 python3 $C/gpu/gpu_bench.py run --artifacts $C/art$a --only scan 2>&1 | tee -a $OUT/run2.log
done
echo "=== done $(date +%T)" | tee -a $OUT/run2.log
