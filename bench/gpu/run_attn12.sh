#!/bin/bash
# (stop 12, branch gpu12-attn) Device side of bench/gpu/NOTES-attention.md
# stop-12 runs: copy python/sessa, bench/gpu/*.py and the artifacts
# (attn_check.py build --out .gpu-carry/attn12/attn; for run 2 also
# gpu_bench.py build --out .gpu-carry/attn12/art --extra=--cuda-chip=sm_90a)
# into /work/main/.gpu-carry/attn12, then run with that carry.
# Run 1: the attention variants (block order, reductions, tile pipelines).
# Run 2 (RUN2=1): the chosen default again, then layer + decode checks and
# timings with the sm_90a artifacts (art), correctness (--quick) with the
# default sm_90 ones (art90).
C=.gpu-carry/attn12
export SESSA_PYTHONPATH=$C/python PYTHONUNBUFFERED=1
F='UserWarning|Online softmax|split the reduction|important use case|softmax.$|warnings.warn|_warn_once'
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm,temperature.gpu,power.draw --format=csv > $OUT/smi.txt
timeout ${ATTN_TIMEOUT:-200} python3 $C/gpu/attn_check.py run --artifacts $C/attn ${ATTN_ONLY:+--only "$ATTN_ONLY"} 2>&1 | grep -Ev "$F" > $OUT/attn.txt
grep -E "FAIL|failed" $OUT/attn.txt | head -20; sed -n '/^kernel us/,$p' $OUT/attn.txt
if [ -n "$RUN2" ]; then
  timeout 150 python3 $C/gpu/gpu_bench.py run --artifacts $C/art --only layer,decode 2>&1 | grep -Ev "$F" > $OUT/run-art.txt
  grep -E "FAIL|layer bf16 \(|decode step, C-level call, alone|checks:" $OUT/run-art.txt
  timeout 40 python3 $C/gpu/gpu_bench.py run --artifacts $C/art90 --quick --only layer,decode 2>&1 | grep -Ev "$F" > $OUT/run-art90-quick.txt
  grep -E "FAIL|checks:" $OUT/run-art90-quick.txt
fi
