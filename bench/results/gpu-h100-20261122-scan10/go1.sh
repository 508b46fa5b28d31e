#!/bin/bash
# Run 1 of branch gpu10-scan: gpu_bench scan checks and timings for each artifact variant.
# (A = main ca2fbe7; B = branch at da589e7 incl. the wrong permuted step order;
#  C = B + 3 stages; D = B without full chunks; E = B without late gate; F = B without swizzle)
C=.gpu-carry/scan10
export PYTHONUNBUFFERED=1 SESSA_PYTHONPATH=$C/python
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm,power.limit --format=csv 2>&1 | tee $OUT/run1.log
for a in A B C D E F B A; do
  mkdir -p $OUT/$a
  echo "=== variant $a ($(date +%T))" | tee -a $OUT/run1.log
  OUT=$OUT/$a timeout 100 python3 $C/gpu/gpu_bench.py run --artifacts $C/art$a --only scan 2>&1 | tee -a $OUT/run1.log
done
echo "=== done $(date +%T)" | tee -a $OUT/run1.log
