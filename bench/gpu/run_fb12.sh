#!/bin/bash
# gpu12-fb device run (stop 12): sm_90a artifacts under .gpu-carry/fb12/art (feedback up front), knob
# variants under .gpu-carry/fb12/art<NAME> (feedback only); outputs in bench/results/gpu-h100-20261122-fb12/
# usage: run.sh SECTIONS [VARIANTS]
C=.gpu-carry/fb12
export SESSA_PYTHONPATH=$C/python PYTHONUNBUFFERED=1
G=$C/gpu/gpu_bench.py
T0=$(date +%s)
el() { echo "[$(( $(date +%s) - T0 )) s] $*"; }
filt() { grep -v "UserWarning\|Online softmax\|split the reduction\|important use case\|softmax.$\|warnings.warn\|_warn_once"; }
el start
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm,temperature.gpu --format=csv,noheader
timeout 125 python3 $G run --artifacts $C/art --only ${1:-feedback,layer} 2>&1 | filt > $OUT/run-sm90a.txt; el "head rc=$?"
cp $OUT/gpu_bench.json $OUT/run-sm90a.json 2>/dev/null
timeout 35 python3 $C/gpu/feedback_profile.py $C/art 2>&1 | filt > $OUT/fbprof.txt; el "fbprof rc=$?"
for v in $2; do [ -d $C/art$v ] || continue
  echo "#### $v" >> $OUT/others.txt
  timeout 30 python3 $G run --artifacts $C/art$v --only feedback 2>&1 | filt >> $OUT/others.txt; el "$v rc=$?"
  timeout 25 python3 $C/gpu/feedback_profile.py $C/art$v 2>&1 | filt | grep "==" >> $OUT/others.txt; done
timeout 45 python3 $G profile --artifacts $C/art 2>&1 | filt > $OUT/profile-sm90a.txt; el "profile rc=$?"
rm -f $OUT/trace_*.json $OUT/trace.json $OUT/gpu_bench.json
echo "== run"; grep -E "check|feedback|layer|decode|FAIL|rror|Traceback|MB" $OUT/run-sm90a.txt | cut -c1-170
[ -f $OUT/others.txt ] && { echo "== others"; grep -E "####|check|feedback|==|rror" $OUT/others.txt | cut -c1-170; }
echo "== fbprof"; grep -v "^     " $OUT/fbprof.txt | head -60
grep -E "==|rror" $OUT/profile-sm90a.txt
el done
