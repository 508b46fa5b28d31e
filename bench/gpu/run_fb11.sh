#!/bin/bash
# Device run of the sm_90a wgmma feedback products (branch gpu11-fb), from the
# repository root with artifacts under .gpu-carry/fb11/art* (art: sm_90a head,
# art90: default sm_90, others: knob variants, see NOTES-feedback-strips.md),
# python/ under .gpu-carry/fb11/python, bench/gpu under .gpu-carry/fb11/gpu.
# usage: run_fb11.sh "VARIANTS" "FALLBACKS" [sm90-sections]: the head fully
# checked (feedback, layer, decode) and profiled; then the variants timed with
# their feedback checks when it passes, else the fallbacks fully checked; then
# the sm_90 artifacts checked (sections, default feedback,layer,decode).
C=.gpu-carry/fb11
export SESSA_PYTHONPATH=$C/python PYTHONUNBUFFERED=1
G=$C/gpu/gpu_bench.py
T0=$(date +%s)
el() { echo "[$(( $(date +%s) - T0 )) s] $*"; }
passed() { grep -q "checks: [0-9]* passed, 0 failed" $1; }
filt() { grep -v "UserWarning\|Online softmax\|split the reduction\|important use case\|softmax.$\|warnings.warn\|_warn_once"; }
other() { echo "#### $1 ($3)" >> $OUT/others.txt; timeout $2 python3 $G run --artifacts $C/art$1 --only $3 2>&1 | filt > $OUT/tmp.txt; el "$1 rc=$?"; cat $OUT/tmp.txt >> $OUT/others.txt; }
el start
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm,temperature.gpu --format=csv,noheader
timeout 115 python3 $G run --artifacts $C/art --only feedback,layer,decode 2>&1 | filt > $OUT/run-sm90a.txt; el "head rc=$?"
cp $OUT/gpu_bench.json $OUT/run-sm90a.json 2>/dev/null
timeout 40 python3 $C/gpu/feedback_profile.py $C/art 2>&1 | filt > $OUT/fbprof.txt; el "fbprof rc=$?"
if passed $OUT/run-sm90a.txt; then
  for v in $1; do [ -d $C/art$v ] || continue; other $v 30 feedback
    echo "#### $v profile" >> $OUT/vprof.txt
    timeout 30 python3 $C/gpu/feedback_profile.py $C/art$v 2>&1 | filt >> $OUT/vprof.txt; el "$v prof rc=$?"; done
else
  for v in $2; do [ -d $C/art$v ] && other $v 100 feedback,layer,decode; done
fi
[ -d $C/art90 ] && { timeout ${5:-110} python3 $G run --artifacts $C/art90 --only ${3:-feedback,layer,decode} 2>&1 | filt > $OUT/run-sm90.txt; el "sm90 rc=$?"; }
if [ -n "$4" ]; then timeout 45 python3 $G profile --artifacts $C/art 2>&1 | filt > $OUT/profile-sm90a.txt; el "profile rc=$?"; fi
rm -f $OUT/trace_*.json $OUT/trace.json $OUT/tmp.txt $OUT/gpu_bench.json
for f in run-sm90a others run-sm90; do [ -f $OUT/$f.txt ] && { echo "== $f"; grep -E "####|check|feedback|layer|decode|FAIL|rror|Traceback" $OUT/$f.txt | cut -c1-170; }; done
[ -f $OUT/fbprof.txt ] && { echo "== fbprof"; grep -v "^     " $OUT/fbprof.txt; }
[ -f $OUT/vprof.txt ] && { echo "== vprof"; grep -E "####|==" $OUT/vprof.txt; }
[ -f $OUT/profile-sm90a.txt ] && grep "==" $OUT/profile-sm90a.txt
el done
