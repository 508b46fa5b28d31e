#!/usr/bin/env python3
"""gemm12: per-variant profile of the bf16 layer's GEMM kernels (384-thread TMA
launches), the layer time (CUDA events, median of 30), and each variant's
output against the reference variant's (rel. L2). usage: gemm12_profile.py REF_ART VAR_ART..."""
import json, os, sys
import numpy as np
import torch
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gpu_bench as gb
sys.path.insert(0, os.environ["SESSA_PYTHONPATH"])
import sessa.runtime as rt
from torch.profiler import profile as tprofile, ProfilerActivity

dev = torch.device("cuda")
rng = np.random.default_rng(1)
p = {k: torch.from_numpy(v).to(dev).bfloat16() for k, v in gb.make_params(rng).items()}
ops = [p[k] for k in gb.OPERAND_ORDER]
shapes = [(4, 2048), (1, 8192)]
xs = {s: torch.randn(s[0], s[1], gb.D, device=dev).bfloat16() for s in shapes}
ref = {}
out = os.environ.get("OUT", ".")
for art in sys.argv[1:]:
    L = rt.load(os.path.join(art, "layer_bf16"))
    for s in shapes:
        x = xs[s]
        y = torch.full_like(x, float("nan"))
        fn = lambda: L.layer_bf16(x, *ops, outputs=[y])
        for _ in range(3):
            fn()
        torch.cuda.synchronize()
        if s not in ref:
            ref[s] = y.double().clone()
            err = 0.0
        else:
            err = (torch.linalg.norm(y.double() - ref[s]) / torch.linalg.norm(ref[s])).item()
        nan = bool(torch.isnan(y).any())
        times = []
        for _ in range(30):
            a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            a.record(); fn(); b.record(); b.synchronize()
            times.append(a.elapsed_time(b))
        with tprofile(activities=[ProfilerActivity.CUDA]) as prof:
            fn()
            torch.cuda.synchronize()
        path = os.path.join(out, "trace_%s_%dx%d.json" % (os.path.basename(art.rstrip("/")), *s))
        prof.export_chrome_trace(path)
        ev = json.load(open(path))["traceEvents"]
        os.remove(path)
        kern = sorted([e for e in ev if e.get("cat") == "kernel"], key=lambda e: e["ts"])
        busy = sum(e["dur"] for e in kern)
        gemm = [(i, e["dur"], e.get("args", {}).get("grid")) for i, e in enumerate(kern)
                if list(e.get("args", {}).get("block", [])) == [384, 1, 1]]
        print("== %-40s %s: layer %.3f ms (min %.3f), %d kernels, busy %.1f us; GEMMs %.1f us: %s; "
              "vs ref %.2e%s %s" % (
                  art, s, float(np.median(times)), min(times), len(kern), busy,
                  sum(d for _, d, _ in gemm), " ".join("#%d:%.1f" % (i, d) for i, d, _ in gemm),
                  err, " NaN" if nan else "", "OK" if (err <= 1e-2 and not nan) else "MISMATCH"),
              flush=True)
