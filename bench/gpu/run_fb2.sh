#!/bin/bash
# Device run of the fused intra-strip feedback (branch gpu10-fb2), from the repository
# root with artifacts under .gpu-carry/fb2/art{A..}, python/ under .gpu-carry/fb2/python,
# bench/gpu under .gpu-carry/fb2/gpu. Variant A (the head) fully checked and profiled;
# the other variants (knobs, see NOTES-feedback-strips.md) timed with their feedback checks.
# usage: run_fb2.sh "B C D" ["F"]: the variants timed with their feedback checks when A
# passes, else F (the fallback) fully checked.
C=.gpu-carry/fb2
export SESSA_PYTHONPATH=$C/python
G=$C/gpu/gpu_bench.py
T0=$(date +%s)
el() { echo "[$(( $(date +%s) - T0 )) s] $*"; }
passed() { grep -q "checks: [0-9]* passed, 0 failed" $1; }
other() { echo "#### $1" >> $OUT/others.txt; timeout $2 python3 $G run --artifacts $C/art$1 --only $3 > $OUT/tmp.txt 2>&1; el "$1 rc=$?"; cat $OUT/tmp.txt >> $OUT/others.txt; }
el start
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm,temperature.gpu --format=csv,noheader
timeout 120 python3 $G run --artifacts $C/artA --only feedback,layer,decode > $OUT/runA.txt 2>&1; el "A full rc=$?"
timeout 30 python3 $C/gpu/feedback_profile.py $C/artA > $OUT/fbprofA.txt 2>&1; el "A prof rc=$?"
if ! passed $OUT/runA.txt && [ -n "$2" ]; then
  # the fallback, fully checked (feedback, layer, decode)
  for v in $2; do [ -d $C/art$v ] && other $v 120 feedback,layer,decode; done
else
  for v in $1; do [ -d $C/art$v ] && other $v 35 feedback; done
fi
rm -f $OUT/trace_*.json $OUT/trace.json $OUT/tmp.txt
for f in runA others; do [ -f $OUT/$f.txt ] && { echo "== $f"; grep -E "####|check|feedback|layer|decode|FAIL|rror" $OUT/$f.txt | grep -v -i warn | cut -c1-160; }; done
for f in fbprofA; do [ -f $OUT/$f.txt ] && { echo "== $f"; grep -v "^     " $OUT/$f.txt; grep "^     " $OUT/$f.txt | head -40; }; done
el done
