#!/bin/bash
# gpu13-onepass device run (stop 13): sm_90a artifacts under .gpu-carry/onepass/art (one logits pass +
# rescale launch, the default), base (main 41c3802, two passes), and feedback_bf16 variants art<v>
# (below). Outputs in bench/results/gpu-h100-20261123-onepass/ (run1-*: first version, pair stores;
# run2-*: 16-byte group stores).
C=.gpu-carry/onepass
export SESSA_PYTHONPATH=$C/python PYTHONUNBUFFERED=1
G=$C/gpu/gpu_bench.py
T0=$(date +%s)
el() { echo "[$(( $(date +%s) - T0 )) s] $*"; }
filt() { grep -v "UserWarning\|Online softmax\|split the reduction\|important use case\|softmax.$\|warnings.warn\|_warn_once"; }
el start
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm,temperature.gpu --format=csv,noheader
# Variants (feedback_bf16 only) when built: artnarrow (-sessa-gpu-feedback-one-pass-wide=0), artcoop
# (-sessa-gpu-feedback-pass-pingpong=0), artn128 (-sessa-gpu-feedback-pass-n=128), artbf
# (-sessa-gpu-feedback-one-pass-f16=0).
V="base=$C/base onepass=$C/art"
for v in narrow coop n128 bf; do [ -d $C/art$v ] && V="$V $v=$C/art$v"; done
timeout 70 python3 $C/gpu/onepass_check.py $V 2>&1 | filt > $OUT/check.txt; el "check rc=${PIPESTATUS[0]}"
# The one-pass epilogue on the cp.async pass kernel (SESSA_CUDA_TMA=0) against the TMA one.
FBTMA_SHAPES=2x37,3x300,1x1,2x130,4x2048,2x4100,1x8192 timeout 25 python3 $C/gpu/fbtma_check.py $C/art 2>&1 | filt > $OUT/tma-check.txt; el "tma check rc=${PIPESTATUS[0]}"
timeout 60 python3 $G run --artifacts $C/base --only feedback,layer 2>&1 | filt > $OUT/run-base.txt; el "base rc=${PIPESTATUS[0]}"
cp $OUT/gpu_bench.json $OUT/run-base.json 2>/dev/null
timeout 60 python3 $G run --artifacts $C/art --only feedback,layer 2>&1 | filt > $OUT/run-onepass.txt; el "onepass rc=${PIPESTATUS[0]}"
cp $OUT/gpu_bench.json $OUT/run-onepass.json 2>/dev/null
LEFT=$(( 228 - $(date +%s) + T0 )); [ $LEFT -gt 45 ] && LEFT=45
mkdir -p /tmp/tr; [ $LEFT -gt 8 ] && { OUT=/tmp/tr timeout $LEFT python3 $G profile --artifacts $C/art 2>&1 | filt > $OUT/profile-onepass.txt; el "profile rc=${PIPESTATUS[0]}"; }
rm -f $OUT/trace_*.json $OUT/trace.json $OUT/gpu_bench.json
echo "== check"; cut -c1-260 $OUT/check.txt
echo "== tma check"; cut -c1-100 $OUT/tma-check.txt
for v in base onepass; do echo "== run $v"; grep -E "ceilings|check|^feedback|^layer|FAIL|rror|Traceback" $OUT/run-$v.txt | cut -c1-250; done
[ -f $OUT/profile-onepass.txt ] && grep -E "==|rror" $OUT/profile-onepass.txt
el done
