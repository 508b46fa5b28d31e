#!/bin/bash
# Stop-12 sweep of the cross-strip product's staging and key splits (layer + feedback), same run.
C=.gpu-carry/sweep12
export SESSA_PYTHONPATH=$C/python
F="UserWarning\|Online softmax\|split the reduction\|important use case\|softmax.$\|warnings.warn"
for v in v0 v1 v2 v0; do
  python3 $C/gpu/gpu_bench.py run --artifacts $C/$v --only layer,feedback 2>&1 | grep -v "$F" > $OUT/run-$v.txt
  echo "== $v"; grep -E "checks:|layer bf16 \(|feedback bf16 \(" $OUT/run-$v.txt | cut -c1-150
done
