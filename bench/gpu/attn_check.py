#!/usr/bin/env python3
"""sessa.attention alone, compiled with sessa-compile --target=cuda: checks and timings.

  build (here, sessa-compile):  attn_check.py build --out DIR
      one artifact per configuration (storage type, heads, kv heads, head dim,
      scale, chip, hidden tuning flags), a one-op function with dynamic
      B, T and S (so the host code computes grids, splits and the dynamic
      shared memory, as in the layer).
  run (GPU machine, PyTorch):    attn_check.py run --artifacts DIR [--only RE]
      every artifact on fresh random inputs (output poisoned with NaN) against
      a float64 PyTorch reference of SPEC section 2 on the artifact's own
      (rounded) inputs: odd T, T = 1 (split-KV), GQA, a cached prefix P > 0,
      tolerances f32 1e-5, bf16/f16 1e-2 relative L2 (NaN fails); then the
      bf16 H = Hk = 16, d = 64 artifacts are timed at (B, T) = (4, 2048) and
      (1, 8192) (causal, P = 0) with CUDA events (median of 30 after warm-up)
      beside torch SDPA (is_causal, bf16). TFLOP/s count 4 B H T^2/2 d.
Exit status 1 when a check fails.
"""
import argparse
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def cfg(name, dt, H, Hk, d, chip, scale=None, flags=(), time_it=False):
    attr = "" if scale is None else " {scale = %r : f64}" % scale
    qt = "tensor<?x?x%dx%dx%s>" % (H, d, dt)
    kt = "tensor<?x?x%dx%dx%s>" % (Hk, d, dt)
    src = ("func.func @%s(%%q: %s, %%k: %s, %%v: %s) -> %s {\n"
           "  %%o = sessa.attention %%q, %%k, %%v%s : %s, %s, %s\n"
           "  return %%o : %s\n}\n" % (name, qt, kt, kt, qt, attr, qt, kt, kt, qt))
    return dict(name=name, dt=dt, H=H, Hk=Hk, d=d, chip=chip, scale=scale,
                flags=list(flags), src=src, time=time_it)


WG = "--sessa-gpu-attention-wgmma-"
# The stop-11 choices: head-after-head block order, serial row reductions,
# two barriers a tile, 128-key tiles, O rescaled every tile (the epilogue
# is the stop-12 one).
S11 = ["--sessa-gpu-attention-lpt=false", "--sessa-gpu-attention-tree-reduce=false",
       WG + "pipeline=0", WG + "bc=128", WG + "lazy-rescale=0"]
P0, P2 = WG + "pipeline=0", WG + "pipeline=2"
B128 = WG + "bc=128"
EAGER = WG + "lazy-rescale=0"
CONFIGS = [
    # The layer's attention (H = Hk = 16, d = 64). Default (stop 12): blocks
    # longest-first over all heads, pairwise row reductions, one barrier a
    # tile, 64-key tiles, 4 blocks a SM, lazy rescaling (threshold 2^8).
    cfg("a_bf16_h16_sm90a_s11", "bf16", 16, 16, 64, "sm_90a", flags=S11, time_it=True),
    cfg("a_bf16_h16_sm90a", "bf16", 16, 16, 64, "sm_90a", time_it=True),
    cfg("a_bf16_h16_sm90a_eager", "bf16", 16, 16, 64, "sm_90a", flags=[EAGER], time_it=True),
    cfg("a_bf16_h16_sm90a_p0", "bf16", 16, 16, 64, "sm_90a", flags=[P0], time_it=True),
    cfg("a_bf16_h16_sm90a_p2", "bf16", 16, 16, 64, "sm_90a", flags=[P2], time_it=True),
    cfg("a_bf16_h16_sm90a_p2_eager", "bf16", 16, 16, 64, "sm_90a", flags=[P2, EAGER], time_it=True),
    cfg("a_bf16_h16_sm90a_m5", "bf16", 16, 16, 64, "sm_90a", flags=[WG + "min-blocks=5"], time_it=True),
    cfg("a_bf16_h16_sm90a_bc128", "bf16", 16, 16, 64, "sm_90a", flags=[B128], time_it=True),
    cfg("a_bf16_h16_sm90_s11", "bf16", 16, 16, 64, "sm_90", flags=S11[:2], time_it=True),
    cfg("a_bf16_h16_sm90", "bf16", 16, 16, 64, "sm_90", time_it=True),
    # GQA, f16 and a negative scale (unfused softmax) with the other tile
    # loops and eager rescaling.
    cfg("a_bf16_h4k2_sm90a_eager", "bf16", 4, 2, 64, "sm_90a", flags=[EAGER]),
    cfg("a_f16_h8k2_neg_sm90a_eager", "f16", 8, 2, 64, "sm_90a", scale=-0.125, flags=[EAGER]),
    cfg("a_bf16_h4k2_sm90a_p2", "bf16", 4, 2, 64, "sm_90a", flags=[P2]),
    cfg("a_f16_h8k2_neg_sm90a_p2", "f16", 8, 2, 64, "sm_90a", scale=-0.125, flags=[P2]),
    cfg("a_bf16_h4k2_sm90a_p2_eager", "bf16", 4, 2, 64, "sm_90a", flags=[P2, EAGER]),
    cfg("a_bf16_h4k2_sm90a_p2_bc128", "bf16", 4, 2, 64, "sm_90a", flags=[P2, B128]),
    cfg("a_f16_h8k2_neg_sm90a_bc128", "f16", 8, 2, 64, "sm_90a", scale=-0.125, flags=[B128]),
    cfg("a_bf16_h4k2_sm90a_p2_wg2", "bf16", 4, 2, 64, "sm_90a",
        flags=[P2, WG + "warpgroups=2", WG + "min-blocks=2"]),
    cfg("a_bf16_h4k2_neg_sm90a_s11", "bf16", 4, 2, 64, "sm_90a", scale=-0.125, flags=S11),
    cfg("a_bf16_h4k2_neg_sm90a_s3", "bf16", 4, 2, 64, "sm_90a", scale=-0.125,
        flags=[P0, B128, WG + "stages=3"]),
    # GQA, f16, a negative scale (unfused softmax), d = 128 (mma.sync on
    # sm_90a too), f32 (SIMT), with the default kernels.
    cfg("a_bf16_h4k2_sm90a", "bf16", 4, 2, 64, "sm_90a"),
    cfg("a_bf16_h4k2_sm90", "bf16", 4, 2, 64, "sm_90"),
    cfg("a_f16_h8k2_sm90a", "f16", 8, 2, 64, "sm_90a"),
    cfg("a_bf16_h4k2_neg_sm90a", "bf16", 4, 2, 64, "sm_90a", scale=-0.125),
    cfg("a_bf16_h4k4_d128_sm90a", "bf16", 4, 4, 128, "sm_90a", scale=0.05),
    cfg("a_f32_h4k2_sm90a", "f32", 4, 2, 64, "sm_90a"),
]

# (B, T, P): odd T, T = 1 with a long cache (split-KV), GQA rows, prefixes.
CASES = [(2, 37, 0), (1, 1, 0), (3, 130, 77), (2, 1, 1000), (1, 300, 0),
         (2, 257, 511), (1, 64, 3), (2, 129, 0), (1, 2048, 0)]
TIMED = [(4, 2048), (1, 8192)]


def build(a):
    compiler = os.environ.get("SESSA_COMPILE") or os.path.join(ROOT, "build", "bin", "sessa-compile")
    os.makedirs(a.out, exist_ok=True)
    bad = 0
    for c in CONFIGS:
        if a.only and not re.search(a.only, c["name"]):
            continue
        d = os.path.join(a.out, c["name"])
        os.makedirs(d, exist_ok=True)
        src = os.path.join(d, c["name"] + ".mlir")
        open(src, "w").write(c["src"])
        cmd = [compiler, src, "-o", d, "--target=cuda", "--cuda-chip=" + c["chip"]] + c["flags"]
        t0 = time.perf_counter()
        r = subprocess.run(cmd, capture_output=True, text=True)
        print("%-28s %s in %.1f s" % (c["name"], "compiled" if r.returncode == 0 else "FAILED", time.perf_counter() - t0))
        if r.returncode:
            print(r.stderr[-2000:])
            bad += 1
    return 1 if bad else 0


def run(a):
    import numpy as np
    import torch
    sys.path.insert(0, os.environ.get("SESSA_PYTHONPATH") or os.path.join(ROOT, "python"))
    import sessa.runtime as rt
    torch.backends.cuda.matmul.allow_tf32 = False
    dev = torch.device("cuda")
    tdt = {"f32": torch.float32, "bf16": torch.bfloat16, "f16": torch.float16}
    fails, rows = [], []
    timed_inputs = {}
    gen = torch.Generator(device="cuda")
    gen.manual_seed(20261122)

    def reference(q, k, v, scale):
        """float64, per (b, head): keys j <= P + t, head h reads kv head h // g."""
        B, T, H, d = q.shape
        S, Hk = k.shape[1], k.shape[2]
        g = H // Hk
        P = S - T
        out = torch.empty(q.shape, dtype=torch.float64, device=dev)
        mask = torch.arange(S, device=dev)[None, :] <= (P + torch.arange(T, device=dev))[:, None]
        for b in range(B):
            for h in range(H):
                qh = q[b, :, h].double()
                kh = k[b, :, h // g].double()
                vh = v[b, :, h // g].double()
                s = (qh @ kh.T) * scale
                s = s.masked_fill(~mask, float("-inf"))
                out[b, :, h] = torch.softmax(s, -1) @ vh
        return out

    def rel(x, y):
        e = float((x.double() - y).norm())
        n = float(y.norm())
        return e / max(n, 1e-300) if np.isfinite(e) else float("nan")

    for c in CONFIGS:
        if a.only and not re.search(a.only, c["name"]):
            continue
        path = os.path.join(a.artifacts, c["name"])
        if not os.path.isdir(path):
            print("%s: no artifact" % c["name"])
            fails.append(c["name"] + " missing")
            continue
        art = rt.load(path)
        fn = getattr(art, c["name"])
        H, Hk, d = c["H"], c["Hk"], c["d"]
        scale = c["scale"] if c["scale"] is not None else d ** -0.5
        tol = 1e-5 if c["dt"] == "f32" else 1e-2
        dt = tdt[c["dt"]]
        for (B, T, P) in CASES:
            if c["dt"] == "f32" and T * B > 600:
                continue
            S = P + T
            q = torch.randn(B, T, H, d, device=dev, generator=gen).to(dt)
            k = torch.randn(B, S, Hk, d, device=dev, generator=gen).to(dt)
            v = torch.randn(B, S, Hk, d, device=dev, generator=gen).to(dt)
            o = torch.full((B, T, H, d), float("nan"), device=dev, dtype=dt)
            fn(q, k, v, outputs=[o])
            torch.cuda.synchronize()
            err = rel(o, reference(q, k, v, scale))
            good = err == err and err <= tol
            print("  check %-28s B=%d T=%-5d P=%-5d rel %.2e (tol %.0e) %s"
                  % (c["name"], B, T, P, err, tol, "ok" if good else "FAIL"))
            if not good:
                fails.append("%s B=%d T=%d P=%d" % (c["name"], B, T, P))
        if not c["time"]:
            continue
        for (B, T) in TIMED:
            # One input set (and float64 reference) per shape for every timed
            # artifact (they share H, Hk, d, storage and scale).
            key = (B, T, H, Hk, d, c["dt"], scale)
            if key not in timed_inputs:
                q = torch.randn(B, T, H, d, device=dev, generator=gen).to(dt)
                k = torch.randn(B, T, Hk, d, device=dev, generator=gen).to(dt)
                v = torch.randn(B, T, Hk, d, device=dev, generator=gen).to(dt)
                timed_inputs[key] = (q, k, v, reference(q, k, v, scale) if B * T <= 8192 else None)
            q, k, v, ref = timed_inputs[key]
            o = torch.full((B, T, H, d), float("nan"), device=dev, dtype=dt)
            fn(q, k, v, outputs=[o])
            torch.cuda.synchronize()
            if ref is not None:
                err = rel(o, ref)
                good = err == err and err <= tol
                print("  check %-28s B=%d T=%-5d P=0     rel %.2e (tol %.0e) %s"
                      % (c["name"], B, T, err, tol, "ok" if good else "FAIL"))
                if not good:
                    fails.append("%s B=%d T=%d" % (c["name"], B, T))
            ours = lambda: fn(q, k, v, outputs=[o])
            ms = time_ms(torch, ours)
            kus, kname = kernel_us(torch, ours)
            qt, kt, vt = (x.transpose(1, 2) for x in (q, k, v))
            sd = lambda: torch.nn.functional.scaled_dot_product_attention(qt, kt, vt, is_causal=True)
            sdpa = time_ms(torch, sd)
            sdk, _ = kernel_us(torch, sd)
            fl = 4 * B * H * T * T / 2 * d
            rows.append((c["name"], B, T, kus, fl / kus / 1e6, ms * 1e3, sdk, fl / sdk / 1e6, sdpa * 1e3))
    print("\nkernel us: the largest kernel of a call (torch.profiler, mean of 10 calls); call us:"
          " CUDA events around the whole call (median of 30; ours includes the entry's"
          " host work and temporaries)")
    print("%-28s %-10s %10s %8s %9s %10s %8s %9s" % ("artifact", "(B,T)", "kernel us", "TFLOP/s", "call us",
                                                    "SDPA kern", "TFLOP/s", "SDPA call"))
    for r in rows:
        print("%-28s %-10s %10.1f %8.0f %9.1f %10.1f %8.0f %9.1f" % (r[0], "(%d,%d)" % (r[1], r[2]), *r[3:]))
    print("\n%d check(s) failed%s" % (len(fails), (": " + "; ".join(fails)) if fails else ""))
    return 1 if fails else 0


def kernel_us(torch, fn, n=10):
    """Mean device time (us) of the longest-running kernel of fn() over n
    calls (torch.profiler's chrome trace, as gpu_bench.py profile)."""
    import json
    import tempfile
    from torch.profiler import profile, ProfilerActivity
    fn()
    torch.cuda.synchronize()
    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        for _ in range(n):
            fn()
        torch.cuda.synchronize()
    with tempfile.NamedTemporaryFile(suffix=".json") as f:
        prof.export_chrome_trace(f.name)
        ev = json.load(open(f.name))["traceEvents"]
    tot = {}
    for e in ev:
        if e.get("cat") == "kernel":
            # Kernels of one artifact may share a name: key on the grid too.
            key = "%s %s" % (e["name"], e.get("args", {}).get("grid", ""))
            t = tot.setdefault(key, [0.0, 0])
            t[0] += e["dur"]
            t[1] += 1
    best = max(tot.items(), key=lambda kv: kv[1][0]) if tot else ("", [float("nan"), 1])
    return best[1][0] / max(best[1][1], 1), best[0]


def time_ms(torch, fn, warmup=5, reps=30):
    import numpy as np
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    ts = []
    for _ in range(reps):
        e0, e1 = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        e0.record()
        fn()
        e1.record()
        e1.synchronize()
        ts.append(e0.elapsed_time(e1))
    return float(np.median(ts))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("--out", required=True)
    b.add_argument("--only", default="")
    r = sub.add_parser("run")
    r.add_argument("--artifacts", required=True)
    r.add_argument("--only", default="")
    a = ap.parse_args()
    return build(a) if a.cmd == "build" else run(a)


if __name__ == "__main__":
    sys.exit(main())
