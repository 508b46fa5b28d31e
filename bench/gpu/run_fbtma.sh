#!/bin/bash
# gpu12-fbtma device run (stop 12): sm_90a artifacts under .gpu-carry/fbtma/art (feedback logits passes
# on the TMA kernel), knob variants art{coop,128} (feedback only: -sessa-gpu-feedback-pass-pingpong=0,
# -sessa-gpu-feedback-pass-n=128). Outputs in bench/results/gpu-h100-20261122-fbtma/.
C=.gpu-carry/fbtma
export SESSA_PYTHONPATH=$C/python PYTHONUNBUFFERED=1
G=$C/gpu/gpu_bench.py
T0=$(date +%s)
el() { echo "[$(( $(date +%s) - T0 )) s] $*"; }
filt() { grep -v "UserWarning\|Online softmax\|split the reduction\|important use case\|softmax.$\|warnings.warn\|_warn_once"; }
el start
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm,temperature.gpu --format=csv,noheader
timeout 40 python3 $C/gpu/fbtma_check.py $C/art 2>&1 | filt > $OUT/check.txt; el "check rc=$?"
timeout 125 python3 $G run --artifacts $C/art --only feedback,layer,decode 2>&1 | filt > $OUT/run-sm90a.txt; el "run rc=$?"
cp $OUT/gpu_bench.json $OUT/run-sm90a.json 2>/dev/null
for v in coop 128; do [ -d $C/art$v ] || continue
  echo "#### $v" >> $OUT/others.txt
  FBTMA_SHAPES=4x2048,1x8192 timeout 18 python3 $C/gpu/fbtma_check.py $C/art$v 2>&1 | filt >> $OUT/others.txt; el "$v rc=$?"; done
LEFT=$(( 232 - $(date +%s) + T0 )); [ $LEFT -gt 50 ] && LEFT=50
mkdir -p /tmp/tr; [ $LEFT -gt 10 ] && { OUT=/tmp/tr timeout $LEFT python3 $G profile --artifacts $C/art 2>&1 | filt > $OUT/profile-sm90a.txt; el "profile rc=$?"; }
rm -f $OUT/trace_*.json $OUT/trace.json $OUT/gpu_bench.json
echo "== check"; cat $OUT/check.txt | cut -c1-230
echo "== run"; grep -E "check|feedback|layer|decode|FAIL|rror|Traceback|MB" $OUT/run-sm90a.txt | cut -c1-170
[ -f $OUT/profile-sm90a.txt ] && grep -E "==|rror" $OUT/profile-sm90a.txt
[ -f $OUT/others.txt ] && { echo "== others"; cut -c1-230 $OUT/others.txt; }
el done
