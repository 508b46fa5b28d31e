#!/bin/bash
C=.gpu-carry/final12b
export SESSA_PYTHONPATH=$C/python
F="UserWarning\|Online softmax\|split the reduction\|important use case\|softmax.$\|warnings.warn"
python3 $C/gpu/gpu_bench.py run --artifacts $C/art --only layer,decode 2>&1 | grep -v "$F" > $OUT/run-sm90a.txt
cp $OUT/gpu_bench.json $OUT/run-sm90a.json 2>/dev/null
tail -14 $OUT/run-sm90a.txt
python3 $C/gpu/gpu_bench.py run --artifacts $C/artA --only layer 2>&1 | grep -v "$F" > $OUT/run-attnvariant.txt
tail -6 $OUT/run-attnvariant.txt
mkdir -p /tmp/tr
OUT=/tmp/tr python3 $C/gpu/gpu_bench.py profile --artifacts $C/art > $OUT/profile-sm90a.txt 2>&1 || echo "profile failed"
grep "==\|idle" $OUT/profile-sm90a.txt | head -20
