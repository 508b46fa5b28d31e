#!/bin/bash
# gpu13-onepass device run (stop 13): sm_90a artifacts under .gpu-carry/onepass/art (one logits pass +
# rescale launch, the default), base (main 41c3802, two passes), artbf (feedback_bf16 only, the
# exponentials stored as bf16: -sessa-gpu-feedback-one-pass-f16=0). Outputs in
# bench/results/gpu-h100-20261123-onepass/.
C=.gpu-carry/onepass
export SESSA_PYTHONPATH=$C/python PYTHONUNBUFFERED=1
G=$C/gpu/gpu_bench.py
T0=$(date +%s)
el() { echo "[$(( $(date +%s) - T0 )) s] $*"; }
filt() { grep -v "UserWarning\|Online softmax\|split the reduction\|important use case\|softmax.$\|warnings.warn\|_warn_once"; }
el start
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm,temperature.gpu --format=csv,noheader
timeout 55 python3 $C/gpu/onepass_check.py base=$C/base onepass=$C/art ebf16=$C/artbf 2>&1 | filt > $OUT/check.txt; el "check rc=${PIPESTATUS[0]}"
timeout 70 python3 $G run --artifacts $C/base --only feedback,layer 2>&1 | filt > $OUT/run-base.txt; el "base rc=${PIPESTATUS[0]}"
cp $OUT/gpu_bench.json $OUT/run-base.json 2>/dev/null
timeout 70 python3 $G run --artifacts $C/art --only feedback,layer 2>&1 | filt > $OUT/run-onepass.txt; el "onepass rc=${PIPESTATUS[0]}"
cp $OUT/gpu_bench.json $OUT/run-onepass.json 2>/dev/null
LEFT=$(( 228 - $(date +%s) + T0 )); [ $LEFT -gt 40 ] && LEFT=40
mkdir -p /tmp/tr; [ $LEFT -gt 8 ] && { OUT=/tmp/tr timeout $LEFT python3 $G profile --artifacts $C/art 2>&1 | filt > $OUT/profile-onepass.txt; el "profile rc=${PIPESTATUS[0]}"; }
rm -f $OUT/trace_*.json $OUT/trace.json $OUT/gpu_bench.json
echo "== check"; cut -c1-260 $OUT/check.txt
for v in base onepass; do echo "== run $v"; grep -E "ceilings|check|^feedback|^layer|FAIL|rror|Traceback" $OUT/run-$v.txt | cut -c1-250; done
[ -f $OUT/profile-onepass.txt ] && grep -E "==|rror" $OUT/profile-onepass.txt
el done
