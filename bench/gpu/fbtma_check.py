"""gpu12-fbtma: the feedback's up-front logits passes on the TMA kernel against
the cp.async kernel (same artifact, SESSA_CUDA_TMA=0 toggled in-process: the
runtime reads it at every tensor-map request), at shapes whose batches fold
into tensor-map rows across tile edges (T not a multiple of 128) and on both
sides of the T = 4096 tile-width switch; then the per-pass times of each.

    SESSA_PYTHONPATH=DIR/python python3 fbtma_check.py ART [ART...]
"""
import json, os, sys
import torch
from torch.profiler import profile, ProfilerActivity
sys.path.insert(0, os.environ["SESSA_PYTHONPATH"])
import sessa.runtime as rt
dev = torch.device("cuda")
out = os.environ.get("OUT", ".")
bad = 0
for art in sys.argv[1:]:
    L = rt.load(os.path.join(art, "feedback_bf16"))
    fn = L.feedback_bf16
    shapes = [(2, 37), (3, 300), (1, 1), (2, 130), (4, 2048), (2, 4100), (1, 8192)]
    if os.environ.get("FBTMA_SHAPES"):  # e.g. 4x2048,1x8192
        shapes = [tuple(int(v) for v in x.split("x")) for x in os.environ["FBTMA_SHAPES"].split(",")]
    for (B, T) in shapes:
        torch.manual_seed(B * 100003 + T)
        dt = torch.bfloat16
        f = torch.randn(B, T, 1, 1024, device=dev).to(dt)
        qb = torch.randn(B, T, 1, 1024, device=dev).to(dt)
        kb = torch.randn(B, T, 1, 1024, device=dev).to(dt)
        g = (0.999 * torch.tanh(torch.randn(B, T, 1, device=dev))).to(dt)
        res, us = {}, {}
        for tma in ("1", "0"):
            os.environ["SESSA_CUDA_TMA"] = tma
            s = torch.full_like(f, float("nan"))
            for _ in range(2):
                fn(f, qb, kb, g, outputs=[s])
            torch.cuda.synchronize()
            res[tma] = s.float()
            with profile(activities=[ProfilerActivity.CUDA]) as prof:
                fn(f, qb, kb, g, outputs=[s])
                torch.cuda.synchronize()
            path = os.path.join(out, "trace_fbtma.json")
            prof.export_chrome_trace(path)
            ev = json.load(open(path))["traceEvents"]
            os.remove(path)
            kern = sorted([e for e in ev if e.get("cat") == "kernel"], key=lambda e: e["ts"])
            d = lambda i: kern[i]["dur"] if len(kern) > i else 0.0
            us[tma] = (d(0), d(2), sum(e["dur"] for e in kern), len(kern),
                       kern[0].get("args", {}).get("grid") if kern else None)
        a, b = res["1"], res["0"]
        rel = ((a - b).norm() / b.norm().clamp_min(1e-30)).item()
        ok = torch.isfinite(a).all().item() and rel <= 1e-3
        bad += not ok
        print("%-8s B=%d T=%-5d tma vs cp.async rel %.2e %s | pass1 %.1f / %.1f us, pass2 %.1f / %.1f us,"
              " busy %.1f / %.1f us (%d kernels; pass-1 grid %s / %s)"
              % (os.path.basename(art.rstrip("/")), B, T, rel, "ok" if ok else "FAIL",
                 us["1"][0], us["0"][0], us["1"][1], us["0"][1], us["1"][2], us["0"][2], us["1"][3],
                 us["1"][4], us["0"][4]))
os.environ["SESSA_CUDA_TMA"] = "1"
print("fbtma_check: %s" % ("all ok" if not bad else "%d FAILED" % bad))
