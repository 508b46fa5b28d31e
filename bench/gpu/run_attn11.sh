#!/bin/bash
# (stop 11, branch gpu11-attn) Device side of bench/gpu/NOTES-attention.md run 3: copy
# python/sessa, bench/gpu/*.py and the artifacts (attn_check.py build --out
# .gpu-carry/attn11/attn; gpu_bench.py build --out .gpu-carry/attn11/art{,_s3b64}
# --extra=...) into /work/main/.gpu-carry/attn11, then run with that carry.
# Run 3: attention variants (3 stages with P V in flight, 64/128-key tiles),
# then layer profile + layer/decode checks for the 3-stage 64-key sm_90a
# artifacts and again for the 2-stage 128-key ones (same session, for noise).
C=.gpu-carry/attn11
export SESSA_PYTHONPATH=$C/python PYTHONUNBUFFERED=1
F='UserWarning|Online softmax|split the reduction|important use case|softmax.$|warnings.warn|_warn_once'
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm,temperature.gpu,power.draw --format=csv > $OUT/smi.txt
timeout 120 python3 $C/gpu/attn_check.py run --artifacts $C/attn 2>&1 | grep -Ev "$F" > $OUT/attn.txt
grep -E "FAIL|failed" $OUT/attn.txt | head -20; sed -n '/^kernel us/,$p' $OUT/attn.txt
for a in art_s3b64 art; do
  timeout 60 python3 $C/gpu/gpu_bench.py profile --artifacts $C/$a 2>&1 | grep -Ev "$F" > $OUT/profile-$a.txt || echo "profile $a failed"
  grep -E "^==" $OUT/profile-$a.txt; grep -E "^ +[0-9]+ +[0-9.]+ us" $OUT/profile-$a.txt | sort -k2 -g -r | head -2
  timeout 110 python3 $C/gpu/gpu_bench.py run --artifacts $C/$a --only layer,decode 2>&1 | grep -Ev "$F" > $OUT/run-$a.txt
  grep -E "FAIL|layer bf16 \(|decode step, C-level call, alone|checks:" $OUT/run-$a.txt
done
