#!/bin/sh
# One device call: end-to-end (sessa-compile artifacts, gpu_bench scan
# section) old vs new, then the kernel checks/timings of run_feedback_scan
# (new bundles: every scan variant; tc32: the big f32 kernel with 32 steps per
# stage; old bundles: main's big kernels).
C=.gpu-carry/scan
cd $C
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm --format=csv,noheader
echo "=== gpu_bench OLD (main)"; SESSA_PYTHONPATH=py timeout 80 python3 gpu_bench.py run --artifacts old --only scan 2>&1 | grep -v Warning
echo "=== gpu_bench NEW"; SESSA_PYTHONPATH=py timeout 80 python3 gpu_bench.py run --artifacts new --only scan 2>&1 | grep -v Warning
echo "=== kernels NEW"; timeout 70 python3 run_feedback_scan.py newb . $OUT/new scan 2>&1 | grep -v "^  per-kernel"
echo "=== kernel NEW, 32 steps per stage (f32 big only)"; timeout 30 python3 run_feedback_scan.py tc32 . $OUT/tc32 scan 2>&1 | grep -E "PASS|FAIL|TIME|SUMMARY"
echo "=== kernels OLD (big only)"; timeout 40 python3 run_feedback_scan.py oldb . $OUT/old scan 2>&1 | grep -E "PASS|FAIL|TIME|SUMMARY"
