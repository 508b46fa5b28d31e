#!/bin/bash
# One device call: new kernels first, then main's (before), same machine.
cd "$(dirname "$0")"
nvidia-smi --query-gpu=name --format=csv,noheader
t0=$(date +%s)
step() { local lim=$1; shift; echo "=== $* ($(( $(date +%s) - t0 ))s)"; timeout $lim "$@" 2>&1 | grep -v "^\s*$" | tail -40; }
step 80 python3 run_feedback_scan.py after . $OUT/after fa16
step 60 python3 run_feedback_scan.py after . $OUT/after fa32
step 25 python3 run_feedback_big.py after . $OUT/after
step 40 python3 run_feedback_scan.py before . $OUT/before fa16
step 25 python3 run_feedback_big.py before . $OUT/before
echo "=== done $(( $(date +%s) - t0 ))s"
