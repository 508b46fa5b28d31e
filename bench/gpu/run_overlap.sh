#!/bin/bash
# gpu13-overlap device run (one command): checks of the overlapped strip chain
# at many shapes against f64 and the base, per-kernel feedback profiles of
# base / ours / variants, gpu_bench run (feedback, layer) of ours and of the
# base built from main, and gpu_bench profile of ours. Outputs under $OUT
# (at most 8 files come back).
C=.gpu-carry/overlap
export SESSA_PYTHONPATH=$C/python
F="UserWarning\|Online softmax\|split the reduction\|important use case\|softmax.$\|warnings.warn"
VARIANTS=${VARIANTS:-"$C/nc32 $C/rn64 $C/tg8 $C/v2 $C/im128"}
python3 $C/gpu/overlap_check.py $C/base $C/ovl $VARIANTS > $OUT/check.txt 2>&1; echo "overlap_check rc=$?"
grep -E "FAIL|failed|==" $OUT/check.txt | cut -c1-150
python3 $C/gpu/gpu_bench.py run --artifacts $C/ovl --only feedback,layer 2>&1 | grep -v "$F" > $OUT/run-ovl.txt
mv $OUT/gpu_bench.json $OUT/run-ovl.json 2>/dev/null
python3 $C/gpu/gpu_bench.py run --artifacts $C/base --only feedback,layer 2>&1 | grep -v "$F" > $OUT/run-base.txt
mv $OUT/gpu_bench.json $OUT/run-base.json 2>/dev/null
grep -E "checks:|FAIL|layer bf16 \(|feedback bf16 \(" $OUT/run-ovl.txt $OUT/run-base.txt | cut -c1-220
mkdir -p /tmp/tr
OUT=/tmp/tr python3 $C/gpu/gpu_bench.py profile --artifacts $C/ovl > $OUT/profile-ovl.txt 2>&1 || echo "profile failed"
grep "==\|idle" $OUT/profile-ovl.txt | cut -c1-200 | head -12
