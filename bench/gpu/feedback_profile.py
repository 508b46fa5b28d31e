"""Kernel breakdown of one feedback_bf16 / feedback_f32 call at (B, T) = (4, 2048)
and (1, 8192), Hb = 1, dk = dv = 1024 (torch.profiler), on the GPU machine:

    SESSA_PYTHONPATH=DIR/python python3 feedback_profile.py ARTIFACTS

ARTIFACTS as written by `gpu_bench.py build --only feedback_f32,feedback_bf16`
(FB_DTYPES=bf16: the bf16 entry only).
The lowering launches 5 kernels per strip of rows for f32 (logits, softmax,
cross-strip rhs, inverses, intra-strip), so launch index mod 5 is the phase;
bf16 artifacts built for sm_90a run 4 launches up front (5 with the strips'
whole inverses, -sessa-gpu-feedback-strip-inverse) and 2 a strip (see below).
"""
import json, os, sys, collections
import torch
from torch.profiler import profile, ProfilerActivity
sys.path.insert(0, os.environ["SESSA_PYTHONPATH"])
import sessa.runtime as rt
art = sys.argv[1]
dev = torch.device("cuda")
out = os.environ.get("OUT", ".")
# FB_DTYPES=bf16 profiles only the bf16 entry (default: bf16,f32).
want = os.environ.get("FB_DTYPES", "bf16,f32").split(",")
for name, dt in [("feedback_bf16", torch.bfloat16), ("feedback_f32", torch.float32)]:
    if name.split("_")[1] not in want:
        continue
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
        # f32: 5 launches a strip (logits, softmax, rhs, inverses, intra).
        # bf16 on sm_90a (up-front path, FeedbackAttentionKernel.cpp): logits
        # pass 1 (statistics), row statistics, pass 2 (probabilities), all
        # inverses, then intra for strip 0 and (rhs, intra) for each later
        # strip, then the transpose of sT into s (when prob lived in s).
        if dt == torch.float32:
            names = ["logits", "softmax", "rhs", "inverse", "intra"]
            if len(kern) % 5 == 0:
                for ph in range(5):
                    print("   phase %-8s %8.1f us" % (names[ph], sum(e["dur"] for i, e in enumerate(kern) if i % 5 == ph)))
        elif len(kern) >= 5:
            up = ["pass1", "rowstats", "pass2", "inverses"]
            # -sessa-gpu-feedback-strip-inverse (default): one more launch
            # up front, the strips' whole inverses, grid (chunks - 1, nS, B).
            a4 = kern[4].get("args", {})
            if (a4.get("grid") or [0])[0] == 3 and (a4.get("block") or [0])[0] == 256:
                up.append("stripinv")
            for i, n in enumerate(up):
                print("   %-10s %8.1f us" % (n, kern[i]["dur"]))
            rest = kern[len(up):]
            strips = (len(rest) + 1) // 2
            tail = rest[2 * strips - 1:]
            loop = rest[:2 * strips - 1]
            intra = [e["dur"] for i, e in enumerate(loop) if i % 2 == 0]
            rhs = [e["dur"] for i, e in enumerate(loop) if i % 2 == 1]
            print("   %-10s %8.1f us (%d strips: %s)" % ("intra", sum(intra), len(intra), " ".join("%.1f" % x for x in intra[:8])))
            print("   %-10s %8.1f us (%s)" % ("rhs", sum(rhs), " ".join("%.1f" % x for x in rhs[:8])))
            for e in tail:
                print("   %-10s %8.1f us" % ("transpose", e["dur"]))
        if B == 4 and dt == torch.bfloat16:
            for e in kern:
                a = e.get("args", {})
                print("     %8.1f us %-26s grid %s block %s" % (e["dur"], e["name"][-24:], a.get("grid"), a.get("block")))
