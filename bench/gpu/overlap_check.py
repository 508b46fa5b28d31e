"""gpu13-overlap: checks and per-kernel times of the overlapped feedback strip
chain (one launch a strip: strip i's intra-strip solve beside strip i + 1's
cross-strip product) against the base artifacts, on the device.

    SESSA_PYTHONPATH=DIR/python OUT=... python3 overlap_check.py BASE ART [VARIANT...]

Every artifact directory holds feedback_bf16 (Hb = 1, dk = dv = 1024); ART may
also hold feedback_hb2 (Hb = 2, dk = dv = 512) and layer_bf16. Checks (bf16
vs the f64 reference of SPEC.md section 3, tolerance 1e-2; NaN fails) at
shapes that use the overlapped chain (several strips, T not a multiple of
256, B > 1, prob in s's memory or not) and ones that do not (T < 256, T = 1,
B = 4); then a torch.profiler kernel list of one call per artifact and
shape (busy us, per-kernel us, grid), and the layer's (when present).
"""
import json, os, sys
import numpy as np
import torch
from torch.profiler import profile, ProfilerActivity

sys.path.insert(0, os.environ["SESSA_PYTHONPATH"])
import sessa.runtime as rt

dev = torch.device("cuda")
out = os.environ.get("OUT", ".")
bad = 0


def ref(f, qb, kb, g):
    """f64 reference: strictly causal softmax, unit lower-triangular solve,
    per (b, h). f, qb, kb: [B, T, Hb, d]; g: [B, T, Hb]."""
    B, T, Hb, dk = qb.shape
    f, qb, kb, g = (x.double() for x in (f, qb, kb, g))
    outs = []
    for h in range(Hb):
        logits = (qb[:, :, h] * dk ** -0.5) @ kb[:, :, h].transpose(1, 2)
        keep = torch.ones(T, T, dtype=torch.bool, device=f.device).tril(-1)
        keep[0, 0] = True
        A = torch.softmax(logits.masked_fill(~keep, float("-inf")), dim=-1)
        A[:, 0, 0] = 0.0
        outs.append(torch.linalg.solve_triangular(
            torch.eye(T, dtype=torch.float64, device=f.device) - g[:, :, h, None] * A,
            f[:, :, h], upper=False, unitriangular=True))
    return torch.stack(outs, 2)


def rel(a, b):
    a, b = a.double(), b.double()
    e = float((a - b).norm())
    return float("nan") if not np.isfinite(e) else e / max(float(b.norm()), 1e-300)


def inputs(B, T, Hb, d, seed):
    gen = torch.Generator(device=dev).manual_seed(seed)
    r = lambda *s: torch.randn(*s, device=dev, generator=gen)
    f, qb, kb = r(B, T, Hb, d), r(B, T, Hb, d), r(B, T, Hb, d)
    g = 0.999 * torch.tanh(r(B, T, Hb))
    return [x.bfloat16() for x in (f, qb, kb, g)]


def kernels(fn):
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        fn()
        torch.cuda.synchronize()
    path = os.path.join(out, "trace_tmp.json")
    prof.export_chrome_trace(path)
    with open(path) as fh:
        ev = json.load(fh)["traceEvents"]
    os.remove(path)
    kern = sorted([e for e in ev if e.get("cat") == "kernel"], key=lambda e: e["ts"])
    return kern


def timed(fn, reps=30):
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    ts = []
    for _ in range(reps):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record()
        fn()
        b.record()
        b.synchronize()
        ts.append(a.elapsed_time(b))
    return float(np.median(ts))


base, arts = sys.argv[1], sys.argv[1:]
loaded = {a: rt.load(os.path.join(a, "feedback_bf16")) for a in arts}
summary = {}

# --- checks
shapes = [(2, 37), (1, 1), (3, 300), (2, 700), (1, 1000), (2, 2048), (1, 4100), (4, 2048), (1, 8192)]
for (B, T) in shapes:
    f, qb, kb, g = inputs(B, T, 1, 1024, B * 7919 + T)
    s64 = ref(f, qb, kb, g)
    res = {}
    for a in arts:
        s = torch.full_like(f, float("nan"))
        loaded[a].feedback_bf16(f, qb, kb, g, outputs=[s])
        torch.cuda.synchronize()
        res[a] = s
        e = rel(s.float(), s64)
        okk = e == e and e <= 1e-2
        bad += not okk
        print("check feedback bf16 B=%d T=%d %-28s rel %.3e vs f64, %.3e vs base  %s"
              % (B, T, os.path.basename(a), e, rel(s.float(), res[base].float()), "ok" if okk else "FAIL"))
    del s64
hb2 = os.path.join(arts[1], "feedback_hb2")
if os.path.isdir(hb2):
    L = rt.load(hb2)
    for (B, T) in [(2, 700), (1, 1000), (3, 300), (1, 1), (2, 2048)]:
        f, qb, kb, g = inputs(B, T, 2, 512, B * 31 + T)
        s64 = ref(f, qb, kb, g)
        s = torch.full_like(f, float("nan"))
        L.feedback_hb2(f, qb, kb, g, outputs=[s])
        torch.cuda.synchronize()
        e = rel(s.float(), s64)
        okk = e == e and e <= 1e-2
        bad += not okk
        print("check feedback_hb2 bf16 B=%d T=%d Hb=2 d=512 rel %.3e vs f64  %s"
              % (B, T, e, "ok" if okk else "FAIL"))

# --- kernel times
for (B, T) in [(4, 2048), (1, 8192), (2, 2048)]:
    f, qb, kb, g = inputs(B, T, 1, 1024, 5)
    s = torch.empty_like(f)
    for a in arts:
        fn = lambda: loaded[a].feedback_bf16(f, qb, kb, g, outputs=[s])
        kern = kernels(fn)
        busy = sum(e["dur"] for e in kern)
        span = kern[-1]["ts"] + kern[-1]["dur"] - kern[0]["ts"]
        ms = timed(fn)
        name = "feedback (%d,%d) %s" % (B, T, os.path.basename(a))
        summary[name] = {"busy_us": busy, "span_us": span, "kernels": len(kern), "ms": ms}
        print("\n== %s: %d kernels, %.1f us busy, %.1f us span, timed %.3f ms"
              % (name, len(kern), busy, span, ms))
        for i, e in enumerate(kern):
            ar = e.get("args", {})
            print("  %3d %8.1f us  %-40s grid %-16s" % (i, e["dur"], e["name"][-40:], ar.get("grid", "")))

with open(os.path.join(out, "overlap_summary.json"), "w") as fh:
    json.dump(summary, fh, indent=1)
print("\noverlap_check: %d failed" % bad)
sys.exit(1 if bad else 0)
