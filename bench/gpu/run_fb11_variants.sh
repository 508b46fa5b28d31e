#!/bin/bash
# Device run 2 of branch gpu11-fb: each variant .gpu-carry/fb11/art$v (feedback_bf16,
# feedback_f32 built with hidden -sessa-gpu-feedback-wgmma-* knobs, see
# NOTES-feedback-strips.md) run with its feedback checks and profiled
# (feedback_profile.py); then the default-chip artifacts art90 fully checked
# (feedback, layer, decode) and the sm_90a layer profiled (gpu_bench profile).
# usage: run_fb11_variants.sh "VARIANTS"
C=.gpu-carry/fb11
export SESSA_PYTHONPATH=$C/python PYTHONUNBUFFERED=1
G=$C/gpu/gpu_bench.py
T0=$(date +%s)
el() { echo "[$(( $(date +%s) - T0 )) s] $*"; }
filt() { grep -v "UserWarning\|Online softmax\|split the reduction\|important use case\|softmax.$\|warnings.warn\|_warn_once"; }
el start
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm,temperature.gpu --format=csv,noheader
for v in $1; do
  [ -d $C/art$v ] || continue
  echo "#### $v" >> $OUT/variants.txt
  timeout 30 python3 $G run --artifacts $C/art$v --only feedback 2>&1 | filt >> $OUT/variants.txt; el "$v run rc=$?"
  echo "#### $v profile" >> $OUT/vprof.txt
  timeout 30 python3 $C/gpu/feedback_profile.py $C/art$v 2>&1 | filt >> $OUT/vprof.txt; el "$v prof rc=$?"
done
[ -d $C/art90 ] && { timeout 100 python3 $G run --artifacts $C/art90 --only feedback,layer,decode 2>&1 | filt > $OUT/run-sm90.txt; el "sm90 rc=$?"; }
timeout 60 python3 $G profile --artifacts $C/art 2>&1 | filt > $OUT/profile-sm90a.txt; el "profile rc=$?"
rm -f $OUT/trace_*.json $OUT/trace.json $OUT/gpu_bench.json
echo "== variants"; grep -E "####|feedback bf16|checks:|FAIL|rror|Traceback" $OUT/variants.txt | cut -c1-150
echo "== vprof"; grep -E "####|==|phase" $OUT/vprof.txt
echo "== sm90"; grep -E "check|feedback|layer|decode|FAIL|rror|Traceback" $OUT/run-sm90.txt | cut -c1-150
grep "==" $OUT/profile-sm90a.txt
el done
