#!/bin/bash
# Final stop-13 measurement: every section with the sm_90a artifacts, then layer + decode with
# the default sm_90 artifacts, then the kernel profile (sm_90a).
C=.gpu-carry/final13
export SESSA_PYTHONPATH=$C/python
F="UserWarning\|Online softmax\|split the reduction\|important use case\|softmax.$\|warnings.warn"
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm,temperature.gpu --format=csv > $OUT/gpu.txt 2>&1
python3 $C/gpu/gpu_bench.py run --artifacts $C/art 2>&1 | grep -v "$F" > $OUT/run-sm90a.txt
cp $OUT/gpu_bench.json $OUT/run-sm90a.json 2>/dev/null
tail -45 $OUT/run-sm90a.txt
python3 $C/gpu/gpu_bench.py run --artifacts $C/art90 --only layer,decode 2>&1 | grep -v "$F" > $OUT/run-sm90.txt
tail -22 $OUT/run-sm90.txt
mkdir -p /tmp/tr
OUT=/tmp/tr python3 $C/gpu/gpu_bench.py profile --artifacts $C/art > $OUT/profile-sm90a.txt 2>&1 || echo "profile failed"
grep "==\|idle\|outside" $OUT/profile-sm90a.txt | head -20
