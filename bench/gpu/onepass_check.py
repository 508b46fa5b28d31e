"""gpu13-onepass: the feedback attention's up-front path with one logits pass
(pass 1 stores the tile-relative exponentials, one rescale launch) against
main's two passes, same run: bf16 error against gpu_bench's reference
(torch_peer's feedback on float64 inputs, the softmax and solve in f32) at
shapes around the strip / tile edges, the difference to the first artifact,
then the up-front kernels and the call's busy / timed us at B=4 T=2048 and
B=1 T=8192.

    SESSA_PYTHONPATH=DIR/python python3 onepass_check.py LABEL=ART [LABEL=ART...]

ART holds feedback_bf16 (gpu_bench.py build --only feedback_bf16). The
first artifact is the base the others are compared with. Exit status 1 if any
output is not finite or over 1e-2.
"""
import json, os, sys
import numpy as np
import torch
from torch.profiler import profile, ProfilerActivity

sys.path.insert(0, os.environ["SESSA_PYTHONPATH"])
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sessa.runtime as rt
import gpu_bench as gb

dev = torch.device("cuda")
out = os.environ.get("OUT", ".")
peer = gb.torch_peer(torch)
arts = [a.split("=", 1) for a in sys.argv[1:]]
fns = {lab: getattr(rt.load(os.path.join(path, "feedback_bf16")), "feedback_bf16") for lab, path in arts}
D = 1024
bad = 0
shapes = [(2, 37), (1, 1), (3, 300), (2, 130), (1, 520), (4, 2048), (2, 4100), (1, 8192)]
if os.environ.get("ONEPASS_SHAPES"):  # e.g. 4x2048,1x8192
    shapes = [tuple(int(v) for v in x.split("x")) for x in os.environ["ONEPASS_SHAPES"].split(",")]


def inputs(B, T):
    torch.manual_seed(B * 100003 + T)
    f = torch.randn(B, T, 1, D, device=dev)
    qb = torch.randn(B, T, 1, D, device=dev)
    kb = torch.randn(B, T, 1, D, device=dev)
    g = 0.999 * torch.tanh(torch.randn(B, T, 1, device=dev))
    return f, qb, kb, g


print("== bf16 error (vs gpu_bench's reference; tol 1e-2) and difference to %s" % arts[0][0])
for (B, T) in shapes:
    f, qb, kb, g = inputs(B, T)
    ref = peer["feedback"](f[:, :, 0].double(), qb[:, :, 0].double(), kb[:, :, 0].double(), g.double())
    bf = [x.bfloat16() for x in (f, qb, kb, g)]
    res = {}
    line = "B=%d T=%-5d" % (B, T)
    for lab, _ in arts:
        s = torch.full_like(bf[0], float("nan"))
        fns[lab](*bf, outputs=[s])
        torch.cuda.synchronize()
        res[lab] = s[:, :, 0].float()
        err = gb.rel(res[lab], ref)
        good = gb.ok(err, 1e-2) and bool(torch.isfinite(res[lab]).all())
        bad += not good
        line += " | %s %.3e%s" % (lab, err, "" if good else " FAIL")
    base = res[arts[0][0]]
    for lab, _ in arts[1:]:
        line += " | %s-%s %.2e" % (lab, arts[0][0], gb.rel(res[lab], base))
    print(line)
    del ref, res

print("\n== up-front kernels (us; first launches of one call) and the call")
for (B, T) in [(4, 2048), (1, 8192)]:
    f, qb, kb, g = [x.bfloat16() for x in inputs(B, T)]
    s = torch.empty_like(f)
    for lab, _ in arts:
        fn = lambda: fns[lab](f, qb, kb, g, outputs=[s])
        for _ in range(3):
            fn()
        torch.cuda.synchronize()
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            fn()
            torch.cuda.synchronize()
        path = os.path.join(out, "trace_onepass.json")
        prof.export_chrome_trace(path)
        ev = json.load(open(path))["traceEvents"]
        os.remove(path)
        kern = sorted([e for e in ev if e.get("cat") in ("kernel", "gpu_memcpy", "gpu_memset")],
                      key=lambda e: e["ts"])
        busy = sum(e["dur"] for e in kern)
        span = (kern[-1]["ts"] + kern[-1]["dur"] - kern[0]["ts"]) if kern else 0
        ms, _ = gb.cuda_time(torch, fn, reps=20)
        # Up front: the launches before the first intra-strip kernel (grid
        # with 256-thread blocks over the value columns): base = pass 1,
        # statistics, pass 2, inverses; one pass = pass 1, rescale, inverses.
        n_up = 4 if lab == arts[0][0] else 3
        up = ", ".join("%.1f (grid %s)" % (e["dur"], e.get("args", {}).get("grid")) for e in kern[:n_up])
        print("B=%d T=%-5d %-6s %3d kernels, busy %7.1f us, span %7.1f us, timed %.3f ms | up front: %s"
              % (B, T, lab, len(kern), busy, span, ms, up))
print("\nonepass_check: %s" % ("all ok" if not bad else "%d FAILED" % bad))
sys.exit(1 if bad else 0)
