#!/bin/bash
# The device run of bench/results/gpu-h100-20261122-1736-fbstrip.txt (run from the
# repository root with the artifacts under .gpu-carry/fbstrip/art{F,E,C,A,R128,R512},
# python/ under .gpu-carry/fbstrip/python and bench/gpu under .gpu-carry/fbstrip/gpu).
# One device run: variant F (HEAD 150d391) fully checked first; E (34f938c), C (e23e90b),
# and F with strips of 128 / 512 rows timed (feedback checks) for comparison; a variant is
# fully checked only when the one before failed.
C=.gpu-carry/fbstrip
export SESSA_PYTHONPATH=$C/python
G=$C/gpu/gpu_bench.py
T0=$(date +%s)
el() { echo "[$(( $(date +%s) - T0 )) s] $*"; }
passed() { grep -q "checks: [0-9]* passed, 0 failed" $1; }
other() { echo "#### $1" >> $OUT/others.txt; timeout $2 python3 $G run --artifacts $C/art$1 --only $3 > $OUT/tmp.txt 2>&1; el "$1 rc=$?"; cat $OUT/tmp.txt >> $OUT/others.txt; }
el start
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm,temperature.gpu --format=csv,noheader
timeout 110 python3 $G run --artifacts $C/artF --only feedback,layer,decode > $OUT/runF.txt 2>&1; el "F full rc=$?"
if passed $OUT/runF.txt; then
  timeout 25 python3 $C/gpu/feedback_profile.py $C/artF > $OUT/fbprofF.txt 2>&1; el "F prof rc=$?"
  other E 35 feedback
  timeout 25 python3 $C/gpu/feedback_profile.py $C/artE > $OUT/fbprofE.txt 2>&1; el "E prof rc=$?"
  other C 35 feedback
  other R128 30 feedback
  other R512 30 feedback
  timeout 35 python3 $G profile --artifacts $C/artF > $OUT/profF.txt 2>&1; el "F layer prof rc=$?"
else
  other E 100 feedback,layer,decode
  if passed $OUT/tmp.txt; then
    timeout 25 python3 $C/gpu/feedback_profile.py $C/artE > $OUT/fbprofE.txt 2>&1; el "E prof rc=$?"
  else
    other C 100 feedback,layer,decode
    passed $OUT/tmp.txt || other A 100 feedback,layer,decode
  fi
fi
rm -f $OUT/trace_*.json $OUT/trace.json $OUT/tmp.txt
for f in runF others; do [ -f $OUT/$f.txt ] && { echo "== $f"; grep -E "####|check|feedback|layer|decode|FAIL|rror" $OUT/$f.txt | grep -v -i warn | cut -c1-160; }; done
for f in fbprofF fbprofE; do [ -f $OUT/$f.txt ] && { echo "== $f"; grep -v "^     " $OUT/$f.txt; }; done
[ -f $OUT/profF.txt ] && grep "==" $OUT/profF.txt
el done
