#!/bin/bash
# gpu12-fbchain device run (stop 12): sm_90a artifacts under .gpu-carry/fbchain/art (strips' whole
# inverses up front, -sessa-gpu-feedback-strip-inverse=1), feedback artifacts without them under
# .gpu-carry/fbchain/artold; outputs in bench/results/gpu-h100-20261122-fbchain/
C=.gpu-carry/fbchain
export SESSA_PYTHONPATH=$C/python PYTHONUNBUFFERED=1
G=$C/gpu/gpu_bench.py
T0=$(date +%s)
el() { echo "[$(( $(date +%s) - T0 )) s] $*"; }
filt() { grep -v "UserWarning\|Online softmax\|split the reduction\|important use case\|softmax.$\|warnings.warn\|_warn_once"; }
el start
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm,temperature.gpu --format=csv,noheader
timeout 120 python3 $G run --artifacts $C/art --only feedback,layer,decode 2>&1 | filt > $OUT/run-sm90a.txt; el "run rc=$?"
cp $OUT/gpu_bench.json $OUT/run-sm90a.json 2>/dev/null
timeout 30 python3 $C/gpu/feedback_profile.py $C/art 2>&1 | filt > $OUT/fbprof.txt; el "fbprof rc=$?"
timeout 25 python3 $C/gpu/feedback_profile.py $C/artold 2>&1 | filt > $OUT/fbprof-old.txt; el "fbprof old rc=$?"
mkdir -p /tmp/tr
OUT=/tmp/tr timeout 40 python3 $G profile --artifacts $C/art > $OUT/profile-sm90a.txt 2>&1; el "profile rc=$?"
rm -f $OUT/trace_*.json $OUT/trace.json $OUT/gpu_bench.json
echo "== run"; grep -E "check|feedback|layer|decode|FAIL|rror|Traceback|MB" $OUT/run-sm90a.txt | cut -c1-170
echo "== fbprof"; grep -v "^     " $OUT/fbprof.txt | head -40
echo "== fbprof old"; grep -v "^     " $OUT/fbprof-old.txt | grep -v "feedback_f32" | head -24
grep -E "==|rror" $OUT/profile-sm90a.txt | head -20
el done
