"""Kernel breakdown of one feedback_bf16 / feedback_f32 call at (B, T) = (4, 2048)
and (1, 8192), Hb = 1, dk = dv = 1024 (torch.profiler), on the GPU machine:

    SESSA_PYTHONPATH=DIR/python python3 feedback_profile.py ARTIFACTS

ARTIFACTS as written by `gpu_bench.py build --only feedback_f32,feedback_bf16`.
The lowering launches 5 kernels per strip of rows for f32 (logits, softmax,
cross-strip rhs, inverses, intra-strip) and 4 for bf16 (the inverses fused
into the intra-strip kernel), so launch index mod 5 (4) is the phase.
"""
import json, os, sys, collections
import torch
from torch.profiler import profile, ProfilerActivity
sys.path.insert(0, os.environ["SESSA_PYTHONPATH"])
import sessa.runtime as rt
art = sys.argv[1]
dev = torch.device("cuda")
out = os.environ.get("OUT", ".")
for name, dt in [("feedback_bf16", torch.bfloat16), ("feedback_f32", torch.float32)]:
    L = rt.load(os.path.join(art, name))
    fn = getattr(L, name)
    for (B, T) in [(4, 2048), (1, 8192)]:
        f = torch.randn(B, T, 1, 1024, device=dev).to(dt)
        qb = torch.randn(B, T, 1, 1024, device=dev).to(dt)
        kb = torch.randn(B, T, 1, 1024, device=dev).to(dt)
        g = (0.999 * torch.tanh(torch.randn(B, T, 1, device=dev))).to(dt)
        s = torch.empty_like(f)
        for _ in range(3):
            fn(f, qb, kb, g, outputs=[s])
        torch.cuda.synchronize()
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            fn(f, qb, kb, g, outputs=[s])
            torch.cuda.synchronize()
        path = os.path.join(out, "trace.json")
        prof.export_chrome_trace(path)
        ev = json.load(open(path))["traceEvents"]
        kern = sorted([e for e in ev if e.get("cat") in ("kernel", "gpu_memcpy", "gpu_memset")], key=lambda e: e["ts"])
        os.remove(path)
        span = (kern[-1]["ts"] + kern[-1]["dur"] - kern[0]["ts"]) if kern else 0
        tot = collections.OrderedDict()
        cnt = collections.Counter()
        for e in kern:
            k = e["name"][-24:]
            tot[k] = tot.get(k, 0) + e["dur"]
            cnt[k] += 1
        print("== %s B=%d T=%d: %d kernels, %.1f us busy, %.1f us span" % (name, B, T, len(kern), sum(e["dur"] for e in kern), span))
        for k, v in tot.items():
            print("   %-26s x%-3d %8.1f us" % (k, cnt[k], v))
        # bf16 (tensor cores): 4 launches a strip (inverses fused into the
        # intra-strip kernel); f32: 5.
        names = ["logits", "softmax", "rhs", "intra"] if dt == torch.bfloat16 else ["logits", "softmax", "rhs", "inverse", "intra"]
        nph = len(names)
        if len(kern) % nph == 0:
            for ph in range(nph):
                print("   phase %-8s %8.1f us" % (names[ph], sum(e["dur"] for i, e in enumerate(kern) if i % nph == ph)))
        if B == 4 and dt == torch.bfloat16:
            for e in kern:
                a = e.get("args", {})
                print("     %8.1f us %-26s grid %s block %s" % (e["dur"], e["name"][-24:], a.get("grid"), a.get("block")))
