#!/usr/bin/env python3
"""The large feedback-attention shapes not in run_feedback_scan.py's groups
(f32 at B=1, T=8192), with its checks and timings.

usage: run_feedback_big.py BUNDLES_DIR REFERENCE_LIB_DIR OUT_DIR
"""
import json
import os
import sys

import numpy as np

sys.argv = sys.argv[:4] + ["big"]
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_feedback_scan as r  # noqa: E402

os.makedirs(r.OUT, exist_ok=True)
r._log_file = open(os.path.join(r.OUT, "log-big.txt"), "w")
rng = np.random.default_rng(4321)
r.guarded(r.fa_big, "f32", 1, 8192, 1024, rng)
npass = sum(c["ok"] for c in r.results["checks"])
r.log("SUMMARY big: %d/%d checks passed" % (npass, len(r.results["checks"])))
with open(os.path.join(r.OUT, "results-big.json"), "w") as fh:
    json.dump(r.results, fh, indent=1)
