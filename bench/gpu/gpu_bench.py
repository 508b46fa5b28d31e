#!/usr/bin/env python3
"""GPU benchmark: Sessa compiled ahead of time for CUDA, beside PyTorch.

Two steps, on two machines:

  build (here, with MLIR, no GPU needed):
      python3 bench/gpu/gpu_bench.py build --out DIR
    writes the MLIR of every entry and compiles each with
    `sessa-compile --target=cuda` into DIR/<name>/.

  run (on the GPU machine: PyTorch, no MLIR):
      python3 bench/gpu/gpu_bench.py run --artifacts DIR [--quick]
    loads the artifacts with `sessa.runtime` (ctypes only; put python/ on
    PYTHONPATH), checks them against a PyTorch implementation of SPEC.md on
    the GPU (fp32 rel. L2 <= 1e-5 per op, <= 1e-4 for the layer against a
    float64 PyTorch run; bf16 <= 1e-2 against the fp32 result; prefill then
    decode equals the full forward), then times ours beside PyTorch eager
    (SDPA + solve_triangular) and torch.compile of the same, both under bf16
    autocast, with CUDA events (median of many calls after warm-up). Prints
    the machine, the command, a table, and writes JSON to $OUT when set.

Shapes (issue #5): layer (B,T,D,H) = (4,2048,1024,16), (1,8192,1024,16);
decode B=8, D=1024, H=16 after a 2048-token prefill; feedback attention
alone at B=4, T=2048, D=1024; selective scan B=8, T=4096, Dm=2048, N=16
against the measured copy bandwidth.
"""

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

EPS, GAMMA_MAX, THETA0 = 1e-5, 0.999, 10000.0
D, H, HK = 1024, 16, 16
LAYER_SHAPES = [(4, 2048), (1, 8192)]
DECODE_B, DECODE_P = 8, 2048
FB_B, FB_T = 4, 2048
SCAN = (8, 4096, 2048, 16)
TOL = {"op_f32": 1e-5, "layer_f32": 1e-4, "bf16": 1e-2}

_MLIR_DT = {"f32": "f32", "bf16": "bf16"}


# ----------------------------------------------------------------------------
# MLIR of the entries (dynamic batch, time and cache sizes)
# ----------------------------------------------------------------------------

def _t(dt, *shape):
    return "tensor<%sx%s>" % ("x".join("?" if s is None else str(s) for s in shape), dt)


def layer_mlir(name, dt, cache):
    d = D // H
    args = [("x", _t(dt, None, None, D)), ("ln_w", _t(dt, D)), ("ln_b", _t(dt, D)),
            ("w_in", _t(dt, 2 * D, D)), ("b_in", _t(dt, 2 * D)),
            ("w_q", _t(dt, D, D)), ("b_q", _t(dt, D)),
            ("w_k", _t(dt, HK * d, D)), ("b_k", _t(dt, HK * d)),
            ("w_v", _t(dt, HK * d, D)), ("b_v", _t(dt, HK * d)),
            ("w_fb", _t(dt, 2 * D, D)), ("b_fb", _t(dt, 2 * D)),
            ("w_o", _t(dt, D, D)),
            ("g_ctx", _t(dt, 1, D)), ("g_bias", _t(dt, 1)),
            ("w_out", _t(dt, D, D)), ("b_out", _t(dt, D))]
    uses = ("%x norm(%ln_w, %ln_b) in_proj(%w_in, %b_in) q_proj(%w_q, %b_q) "
            "k_proj(%w_k, %b_k) v_proj(%w_v, %b_v) fb_proj(%w_fb, %b_fb) out_proj(%w_o) "
            "gate(%g_ctx, %g_bias) out(%w_out, %b_out)")
    results = [("y", _t(dt, None, None, D))]
    if cache:
        args += [("kc", _t(dt, None, None, HK, d)), ("vc", _t(dt, None, None, HK, d)),
                 ("kbc", _t(dt, None, None, 1, D)), ("sc", _t(dt, None, None, 1, D))]
        uses += " cache(%kc, %vc, %kbc, %sc)"
        results += [("k1", _t(dt, None, None, HK, d)), ("v1", _t(dt, None, None, HK, d)),
                    ("kb1", _t(dt, None, None, 1, D)), ("s1", _t(dt, None, None, 1, D))]
    sig = ", ".join('%%%s: %s {sessa.name = "%s"}' % (n, t, n) for n, t in args)
    rtys = ", ".join('%s {sessa.name = "%s"}' % (t, n) for n, t in results)
    op = "%s = sessa.layer %s {num_heads = %d : i64, num_kv_heads = %d : i64} : (%s) -> (%s)" % (
        ", ".join("%" + r for r, _ in results), uses, H, HK,
        ", ".join(t for _, t in args), ", ".join(t for _, t in results))
    ret = "return %s : %s" % (", ".join("%" + r for r, _ in results),
                              ", ".join(t for _, t in results))
    return "func.func @%s(%s) -> (%s) {\n  %s\n  %s\n}\n" % (name, sig, rtys, op, ret)


def feedback_mlir(name, dt):
    tf = _t(dt, None, None, 1, D)
    tg = _t(dt, None, None, 1)
    return ("func.func @%s(%%f: %s, %%qb: %s, %%kb: %s, %%g: %s) -> %s {\n"
            "  %%s = sessa.feedback_attention %%f, %%qb, %%kb, %%g : %s, %s, %s, %s\n"
            "  return %%s : %s\n}\n" % (name, tf, tf, tf, tg, tf, tf, tf, tf, tg, tf))


def scan_mlir(name, dt):
    B, T, Dm, N = SCAN
    tu, tA, tB, tv, th = (_t(dt, None, None, Dm), _t(dt, Dm, N), _t(dt, None, None, 1, N),
                          _t(dt, Dm), _t(dt, None, Dm, N))
    return ("func.func @%s(%%u: %s, %%delta: %s, %%A: %s, %%Bm: %s, %%C: %s, %%D: %s, %%z: %s)"
            " -> (%s, %s) {\n"
            "  %%y, %%h = sessa.selective_scan %%u, %%delta, %%A, %%Bm, %%C D(%%D : %s) z(%%z : %s)"
            " {delta_softplus} : %s, %s, %s, %s, %s -> %s, %s\n"
            "  return %%y, %%h : %s, %s\n}\n"
            % (name, tu, tu, tA, tB, tB, tv, tu, tu, th, tv, tu, tu, tu, tA, tB, tB, tu, th, tu, th))


ENTRIES = {
    "layer_f32": lambda: layer_mlir("layer_f32", "f32", cache=False),
    "layer_bf16": lambda: layer_mlir("layer_bf16", "bf16", cache=False),
    "step_f32": lambda: layer_mlir("step_f32", "f32", cache=True),
    "step_bf16": lambda: layer_mlir("step_bf16", "bf16", cache=True),
    "feedback_f32": lambda: feedback_mlir("feedback_f32", "f32"),
    "feedback_bf16": lambda: feedback_mlir("feedback_bf16", "bf16"),
    "scan_f32": lambda: scan_mlir("scan_f32", "f32"),
}


def build(args):
    compiler = os.environ.get("SESSA_COMPILE") or os.path.join(ROOT, "build", "bin", "sessa-compile")
    os.makedirs(args.out, exist_ok=True)
    names = args.only.split(",") if args.only else list(ENTRIES)
    failed = []
    for name in names:
        d = os.path.join(args.out, name)
        os.makedirs(d, exist_ok=True)
        src = os.path.join(d, name + ".mlir")
        with open(src, "w") as f:
            f.write(ENTRIES[name]())
        cmd = [compiler, src, "-o", d, "--target=cuda"] + (args.extra.split() if args.extra else [])
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        dt = time.perf_counter() - t0
        ok = proc.returncode == 0
        print("%-16s %s in %.1f s%s" % (name, "compiled" if ok else "FAILED", dt,
                                         "" if ok else ":\n" + (proc.stderr or proc.stdout)[-2000:]))
        if not ok:
            failed.append(name)
    return 1 if failed else 0


# ----------------------------------------------------------------------------
# PyTorch peer (from SPEC.md section 5), on the GPU
# ----------------------------------------------------------------------------

def make_params(rng, dtype=np.float32):
    """Weights like the reference layer's init, as float32 numpy."""
    d = D // H

    def lin(o, i):
        return (rng.standard_normal((o, i)) / np.sqrt(i)).astype(dtype), \
               (0.02 * rng.standard_normal(o)).astype(dtype)
    p = {}
    p["ln.weight"] = (1 + 0.1 * rng.standard_normal(D)).astype(dtype)
    p["ln.bias"] = (0.1 * rng.standard_normal(D)).astype(dtype)
    p["W_in.weight"], p["W_in.bias"] = lin(2 * D, D)
    p["mixer.q_proj.weight"], p["mixer.q_proj.bias"] = lin(D, D)
    p["mixer.k_proj.weight"], p["mixer.k_proj.bias"] = lin(HK * d, D)
    p["mixer.v_proj.weight"], p["mixer.v_proj.bias"] = lin(HK * d, D)
    p["mixer.proj_fb.weight"], p["mixer.proj_fb.bias"] = lin(2 * D, D)
    p["mixer.out_proj.weight"], _ = lin(D, D)
    p["mixer.gamma_ctx.weight"] = (rng.standard_normal((1, D)) / np.sqrt(D)).astype(dtype)
    p["mixer.gamma_bias"] = np.asarray([0.5], dtype=dtype)
    p["W_out.weight"], p["W_out.bias"] = lin(D, D)
    return p


OPERAND_ORDER = ["ln.weight", "ln.bias", "W_in.weight", "W_in.bias",
                 "mixer.q_proj.weight", "mixer.q_proj.bias", "mixer.k_proj.weight",
                 "mixer.k_proj.bias", "mixer.v_proj.weight", "mixer.v_proj.bias",
                 "mixer.proj_fb.weight", "mixer.proj_fb.bias", "mixer.out_proj.weight",
                 "mixer.gamma_ctx.weight", "mixer.gamma_bias", "W_out.weight", "W_out.bias"]


def torch_peer(torch):
    F = torch.nn.functional

    def rope(x, P):
        B, T, Hh, d = x.shape
        i = torch.arange(0, d // 2, dtype=torch.float64, device=x.device)
        w = THETA0 ** (-2.0 * i / d)
        pos = torch.arange(P, P + T, dtype=torch.float64, device=x.device)
        phi = pos[:, None] * w[None, :]
        c = torch.cos(phi).to(x.dtype)[None, :, None, :]
        s = torch.sin(phi).to(x.dtype)[None, :, None, :]
        xr = x.reshape(B, T, Hh, d // 2, 2)
        xe, xo = xr[..., 0], xr[..., 1]
        return torch.stack((xe * c - xo * s, xe * s + xo * c), dim=-1).reshape(B, T, Hh, d)

    def front(x, p):
        B, T, _ = x.shape
        d = D // H
        u = F.layer_norm(x, (D,), p["ln.weight"], p["ln.bias"], EPS)
        ag = F.linear(u, p["W_in.weight"], p["W_in.bias"])
        a, g = ag[..., :D], ag[..., D:]
        abar = F.gelu(a)
        q = F.linear(abar, p["mixer.q_proj.weight"], p["mixer.q_proj.bias"]).view(B, T, H, d)
        k = F.linear(abar, p["mixer.k_proj.weight"], p["mixer.k_proj.bias"]).view(B, T, HK, d)
        v = F.linear(abar, p["mixer.v_proj.weight"], p["mixer.v_proj.bias"]).view(B, T, HK, d)
        fb = F.linear(abar, p["mixer.proj_fb.weight"], p["mixer.proj_fb.bias"])
        qb, kb = fb[..., :D], fb[..., D:]
        gamma = GAMMA_MAX * torch.tanh(p["mixer.gamma_bias"] + abar @ p["mixer.gamma_ctx.weight"].t())
        return g, q, k, v, qb, kb, gamma

    def feedback(f, qb, kb, gamma):
        """Strictly causal softmax + fp32 triangular solve (the reference's
        algorithm). f, qb, kb: [B, T, D]; gamma: [B, T, 1]."""
        T = f.shape[1]
        logits = (qb * D ** -0.5) @ kb.transpose(1, 2)
        keep = torch.ones(T, T, dtype=torch.bool, device=f.device).tril(-1)
        keep[0, 0] = True
        A = torch.softmax(logits.float().masked_fill(~keep, float("-inf")), dim=-1)
        return torch.linalg.solve_triangular(-gamma.float() * A, f.float(), upper=False,
                                             unitriangular=True)

    def layer(x, p):
        B, T, _ = x.shape
        d = D // H
        g, q, k, v, qb, kb, gamma = front(x, p)
        q, k = rope(q, 0), rope(k, 0)
        rep = H // HK
        qh, kh, vh = q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)
        if rep > 1:
            kh, vh = kh.repeat_interleave(rep, 1), vh.repeat_interleave(rep, 1)
        f = F.scaled_dot_product_attention(qh, kh, vh, is_causal=True)
        f = f.transpose(1, 2).reshape(B, T, D)
        f = f @ p["mixer.out_proj.weight"].t()
        s = feedback(f, qb, kb, gamma).to(g.dtype)
        return x + F.linear(s * g, p["W_out.weight"], p["W_out.bias"]), (k, v, kb, s)

    def decode_step(x, p, st):
        """One token x [B, 1, D] at position st['P'] with preallocated caches."""
        B = x.shape[0]
        P = st["P"]
        g, q, k, v, qb, kb, gamma = front(x, p)
        q, k = rope(q, P), rope(k, P)
        st["k"][:, P] = k[:, 0]
        st["v"][:, P] = v[:, 0]
        f = F.scaled_dot_product_attention(q.transpose(1, 2), st["k"][:, :P + 1].transpose(1, 2),
                                           st["v"][:, :P + 1].transpose(1, 2))
        f = f.transpose(1, 2).reshape(B, 1, D) @ p["mixer.out_proj.weight"].t()
        alpha = torch.softmax(((qb * D ** -0.5) @ st["kb"][:, :P].transpose(1, 2)).float(), -1)
        s = (f + gamma * (alpha.to(f.dtype) @ st["s"][:, :P])).to(x.dtype)
        st["kb"][:, P] = kb[:, 0]
        st["s"][:, P] = s[:, 0]
        st["P"] = P + 1
        return x + F.linear(s * g, p["W_out.weight"], p["W_out.bias"])

    return dict(layer=layer, feedback=feedback, decode_step=decode_step, front=front, rope=rope)


# ----------------------------------------------------------------------------
# Run side
# ----------------------------------------------------------------------------

def rel(a, b):
    a = a.double()
    b = b.double()
    n = float(b.norm())
    e = float((a - b).norm())
    if not np.isfinite(e):
        return float("nan")
    return e / max(n, 1e-300)


def ok(err, tol):
    return err == err and err <= tol      # NaN never passes


def cuda_time_loop(torch, fn, n=200, warmup=10):
    """ms per call of `n` calls back to back (one pair of CUDA events around
    the loop): the steady state of a loop of steps, host and GPU overlapped."""
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    e0, e1 = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    e0.record()
    for _ in range(n):
        fn()
    e1.record()
    torch.cuda.synchronize()
    return e0.elapsed_time(e1) / n


def cuda_time(torch, fn, warmup=3, reps=20, budget_s=20.0):
    """Median ms of fn() with CUDA events; each call timed alone."""
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    t_end = time.perf_counter() + budget_s
    for _ in range(reps):
        a = torch.cuda.Event(enable_timing=True)
        b = torch.cuda.Event(enable_timing=True)
        a.record()
        fn()
        b.record()
        b.synchronize()
        times.append(a.elapsed_time(b))
        if time.perf_counter() > t_end and len(times) >= 3:
            break
    return float(np.median(times)), len(times)


def peak_extra_mb(torch, fn):
    """Extra device memory of fn() over what is allocated before it: PyTorch's
    allocator peak, plus the driver-level dip of free memory (our artifacts
    allocate through the CUDA stream-ordered allocator, invisible to torch)."""
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    base = torch.cuda.memory_allocated()
    free0, _ = torch.cuda.mem_get_info()
    fn()
    torch.cuda.synchronize()
    free1, _ = torch.cuda.mem_get_info()
    torch_peak = torch.cuda.max_memory_allocated() - base
    return torch_peak / 2**20, max(0, free0 - free1) / 2**20


def run(args):
    import torch
    sys.path.insert(0, os.environ.get("SESSA_PYTHONPATH") or os.path.join(ROOT, "python"))
    import sessa.runtime as rt

    global LAYER_SHAPES, DECODE_B, DECODE_P, FB_B, FB_T, SCAN
    if args.quick:   # correctness of everything at small sizes, no timing tables
        LAYER_SHAPES, DECODE_B, DECODE_P, FB_B, FB_T = [(1, 300)], 2, 100, 2, 300
        SCAN = (2, 300, 2048, 16)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    dev = torch.device("cuda")
    props = torch.cuda.get_device_properties(0)
    print("machine: %s, %d SMs, torch %s, CUDA %s" % (props.name, props.multi_processor_count,
                                                     torch.__version__, torch.version.cuda))
    print("command: %s" % " ".join(sys.argv))
    peer = torch_peer(torch)
    results = {"machine": props.name, "torch": torch.__version__, "rows": [], "checks": []}
    rows, checks = results["rows"], results["checks"]
    only = set(args.only.split(",")) if args.only else None

    def want(section):
        return only is None or section in only

    def art(name):
        path = os.path.join(args.artifacts, name)
        return rt.load(path)

    def check(what, err, tol):
        good = ok(err, tol)
        checks.append({"check": what, "rel_err": err, "tol": tol, "ok": good})
        print("  check %-44s rel %.2e (tol %.0e) %s" % (what, err, tol, "ok" if good else "FAIL"))
        return good

    # --- ceilings
    a = torch.randn(8192, 8192, device=dev, dtype=torch.bfloat16)
    bm = torch.randn(8192, 8192, device=dev, dtype=torch.bfloat16)
    ms, _ = cuda_time(torch, lambda: a @ bm, reps=10)
    mm_tflops = 2 * 8192 ** 3 / ms / 1e9
    big = torch.empty(2 * 2**30 // 4, device=dev, dtype=torch.float32).uniform_()
    dst = torch.empty_like(big)
    ms, _ = cuda_time(torch, lambda: dst.copy_(big), reps=10)
    copy_tbs = 2 * big.numel() * 4 / ms / 1e9
    del a, bm, big, dst
    results["ceilings"] = {"bf16_matmul_tflops": mm_tflops, "copy_tb_s": copy_tbs}
    print("ceilings: bf16 matmul %.0f TFLOP/s, copy %.2f TB/s" % (mm_tflops, copy_tbs))

    rng = np.random.default_rng(1234)
    p_np = make_params(rng)
    p32 = {k: torch.from_numpy(v).to(dev) for k, v in p_np.items()}
    p64 = {k: v.double() for k, v in p32.items()}
    pbf = {k: v.bfloat16() for k, v in p32.items()}
    ops32 = [p32[k] for k in OPERAND_ORDER]
    opsbf = [pbf[k] for k in OPERAND_ORDER]

    def ours_layer(entry, x, ops, stream=None):
        y = torch.empty_like(x)
        entry(x, *ops, outputs=[y])
        return y

    # --- layer: correctness (small and benchmark shapes) and timing
    if want("layer"):
        for (B, T) in [(2, 37), (1, 1)] + LAYER_SHAPES:
            x = torch.randn(B, T, D, device=dev)
            with torch.no_grad():
                y64, _ = peer["layer"](x.double(), p64)
            L32, Lbf = art("layer_f32"), art("layer_bf16")
            y32 = ours_layer(L32.layer_f32, x, ops32)
            check("layer f32 B=%d T=%d vs f64" % (B, T), rel(y32, y64), TOL["layer_f32"])
            ybf = ours_layer(Lbf.layer_bf16, x.bfloat16(), opsbf)
            check("layer bf16 B=%d T=%d vs f32 result" % (B, T), rel(ybf.float(), y64), TOL["bf16"])
            if (B, T) not in LAYER_SHAPES:
                continue
            xb = x.bfloat16()
            flops = layer_flops(B, T)
            eager = lambda: peer["layer"](x, p32)
            with torch.no_grad(), torch.autocast("cuda", dtype=torch.bfloat16):
                t_eager, _ = cuda_time(torch, eager)
                mem_eager = peak_extra_mb(torch, eager)
                try:
                    comp = torch.compile(peer["layer"])
                    t_comp, _ = cuda_time(torch, lambda: comp(x, p32), warmup=3)
                    mem_comp = peak_extra_mb(torch, lambda: comp(x, p32))
                except Exception as e:  # noqa: BLE001
                    print("  torch.compile failed: %s" % str(e).splitlines()[0][:200])
                    t_comp, mem_comp = float("nan"), (float("nan"), float("nan"))
            y = torch.empty_like(xb)
            ours = lambda: Lbf.layer_bf16(xb, *opsbf, outputs=[y])
            t_ours, n = cuda_time(torch, ours)
            # Beside it (notes, not the headline): the same call prepared
            # once (BoundEntry.prepare: no Python argument handling, what a
            # C caller pays), the plain call with programmatic dependent
            # launch off (SESSA_CUDA_PDL=0), and how many launches used it.
            prepared = Lbf.bind("layer_bf16", {i + 1: w for i, w in enumerate(opsbf)}).prepare(
                xb, outputs=[y])
            t_prep, _ = cuda_time(torch, prepared)
            os.environ["SESSA_CUDA_PDL"] = "0"
            t_nopdl, _ = cuda_time(torch, ours)
            os.environ.pop("SESSA_CUDA_PDL")
            torch.cuda.synchronize()
            Lbf.launch_stats(reset=True)
            ours()
            torch.cuda.synchronize()
            launches = Lbf.launch_stats(reset=True)
            torch.cuda.synchronize()
            Lbf.memory_stats(reset_peak=True)
            ours()
            torch.cuda.synchronize()
            peak = Lbf.memory_stats()[1] / 2**20
            mem_ours = (peak, peak)      # the runtime's count of our temporaries
            best = np.nanmin([t_eager, t_comp])
            rows.append({"what": "layer bf16 (%d,%d,%d,%d)" % (B, T, D, H), "ours_ms": t_ours,
                         "eager_ms": t_eager, "compile_ms": t_comp,
                         "vs_compile": t_comp / t_ours, "vs_best": best / t_ours,
                         "tflops": flops / t_ours / 1e9,
                         "ours_prepared_ms": t_prep, "ours_no_pdl_ms": t_nopdl,
                         "launches": launches[:2], "pdl_rejected": launches[2],
                         "mem_mb": {"ours": mem_ours, "eager": mem_eager, "compile": mem_comp}})

    # --- feedback attention alone
    if want("feedback"):
        Ffb32, Ffbbf = art("feedback_f32"), art("feedback_bf16")
        for (B, T) in [(2, 37), (1, 1), (FB_B, FB_T)]:
            f = torch.randn(B, T, 1, D, device=dev)
            qb = torch.randn(B, T, 1, D, device=dev)
            kb = torch.randn(B, T, 1, D, device=dev)
            g = 0.999 * torch.tanh(torch.randn(B, T, 1, device=dev))
            s64 = peer["feedback"](f[:, :, 0].double(), qb[:, :, 0].double(), kb[:, :, 0].double(),
                                   g.double())
            s = torch.empty_like(f)
            Ffb32.feedback_f32(f, qb, kb, g, outputs=[s])
            check("feedback f32 B=%d T=%d vs f64" % (B, T), rel(s[:, :, 0], s64), TOL["op_f32"])
            sb = torch.empty_like(f, dtype=torch.bfloat16)
            fb_, qbb, kbb, gb = f.bfloat16(), qb.bfloat16(), kb.bfloat16(), g.bfloat16()
            Ffbbf.feedback_bf16(fb_, qbb, kbb, gb, outputs=[sb])
            check("feedback bf16 B=%d T=%d vs f64" % (B, T), rel(sb[:, :, 0].float(), s64), TOL["bf16"])
            if (B, T) != (FB_B, FB_T):
                continue
            t_ours, _ = cuda_time(torch, lambda: Ffbbf.feedback_bf16(fb_, qbb, kbb, gb, outputs=[sb]))
            t_ours32, _ = cuda_time(torch, lambda: Ffb32.feedback_f32(f, qb, kb, g, outputs=[s]))
            t_peer, _ = cuda_time(torch, lambda: peer["feedback"](f[:, :, 0], qb[:, :, 0], kb[:, :, 0], g))
            rows.append({"what": "feedback bf16 (%d,%d,%d)" % (B, T, D), "ours_ms": t_ours,
                         "eager_ms": t_peer, "vs_best": t_peer / t_ours,
                         "ours_f32_ms": t_ours32})

    # --- decode: prefill 2048 with the cache entry, then one token at a time
    if want("decode"):
        S32, Sbf = art("step_f32"), art("step_bf16")
        B = DECODE_B
        d = D // H
        xs = torch.randn(B, DECODE_P + 4, D, device=dev)
        with torch.no_grad():
            yfull, _ = peer["layer"](xs.double(), p64)

        def empty_caches(dtype, P):
            return [torch.empty(B, P, HK, d, device=dev, dtype=dtype),
                    torch.empty(B, P, HK, d, device=dev, dtype=dtype),
                    torch.empty(B, P, 1, D, device=dev, dtype=dtype),
                    torch.empty(B, P, 1, D, device=dev, dtype=dtype)]

        def ours_steps(entry, ops, dtype, chunks):
            caches = empty_caches(dtype, 0)
            outs = []
            P = 0
            for T in chunks:
                x = xs[:, P:P + T].to(dtype).contiguous()
                y = torch.empty_like(x)
                new = empty_caches(dtype, P + T)
                entry(x, *ops, *caches, outputs=[y] + new)
                caches = new
                outs.append(y)
                P += T
            return torch.cat(outs, 1), caches

        def ours_steps_in_place(entry, ops, dtype, chunks, cap):
            """The same through one set of [B, cap, ...] cache buffers: each
            call gets views of their first P rows and writes the P + T-row
            views of the same memory (batch stride cap, not P). The rows
            past P are poisoned with NaN first: they must never be read."""
            bufs = [torch.full((B, cap) + tuple(c.shape[2:]), float("nan"), device=dev, dtype=dtype)
                    for c in empty_caches(dtype, 0)]
            outs = []
            P = 0
            for T in chunks:
                x = xs[:, P:P + T].to(dtype).contiguous()
                y = torch.empty_like(x)
                entry(x, *ops, *[b[:, :P] for b in bufs], outputs=[y] + [b[:, :P + T] for b in bufs])
                outs.append(y)
                P += T
            return torch.cat(outs, 1), [b[:, :P] for b in bufs]

        y_steps, caches32 = ours_steps(S32.step_f32, ops32, torch.float32, [DECODE_P, 1, 1, 2])
        check("prefill 2048 + decode 1,1,2 f32 vs full f64", rel(y_steps, yfull), TOL["layer_f32"])
        y_stepsb, cachesb = ours_steps(Sbf.step_bf16, opsbf, torch.bfloat16, [DECODE_P, 1, 1, 2])
        check("prefill 2048 + decode bf16 vs full f64", rel(y_stepsb.float(), yfull), TOL["bf16"])
        for entry, ops, dtype, y_ref, c_ref, name in (
                (S32.step_f32, ops32, torch.float32, y_steps, caches32, "f32"),
                (Sbf.step_bf16, opsbf, torch.bfloat16, y_stepsb, cachesb, "bf16")):
            y_ip, c_ip = ours_steps_in_place(entry, ops, dtype, [DECODE_P, 1, 1, 2], DECODE_P + 37)
            diff = max([float((y_ip.float() - y_ref.float()).abs().max())] +
                       [float((a.float() - b.float()).abs().max()) for a, b in zip(c_ip, c_ref)])
            check("decode %s with caches in place (batch-strided views) == functional, max |diff|"
                  % name, diff, 0.0)
        # A serving loop: the step prepared once over [B, cap, ...] cache
        # buffers (views), then per token only P set (PreparedCall.resize):
        # the same rows and caches as the functional steps, exactly.
        for entry_name, A_, ops, dtype, y_ref, c_ref, name in (
                ("step_f32", S32, ops32, torch.float32, y_steps, caches32, "f32"),
                ("step_bf16", Sbf, opsbf, torch.bfloat16, y_stepsb, cachesb, "bf16")):
            bufs_r = [torch.full((B, DECODE_P + 8) + tuple(c.shape[2:]), float("nan"), device=dev,
                                 dtype=dtype) for c in empty_caches(dtype, 0)]
            y0 = torch.empty(B, DECODE_P, D, device=dev, dtype=dtype)
            getattr(A_, entry_name)(xs[:, :DECODE_P].to(dtype).contiguous(), *ops,
                                    *[b[:, :0] for b in bufs_r],
                                    outputs=[y0] + [b[:, :DECODE_P] for b in bufs_r])
            xb, yb = torch.empty(B, 1, D, device=dev, dtype=dtype), torch.empty(B, 1, D, device=dev,
                                                                                dtype=dtype)
            serve = A_.bind(entry_name, {i + 1: w for i, w in enumerate(ops)}).prepare(
                xb, *[b[:, :DECODE_P] for b in bufs_r],
                outputs=[yb] + [b[:, :DECODE_P + 1] for b in bufs_r])
            ys_r = [y0]
            for i in range(2):
                xb.copy_(xs[:, DECODE_P + i:DECODE_P + i + 1])
                serve.resize(P=DECODE_P + i)()
                ys_r.append(yb.clone())
            y_r = torch.cat(ys_r, 1)
            diff = max([float((y_r.float() - y_ref[:, :DECODE_P + 2].float()).abs().max())] +
                       [float((b[:, :DECODE_P + 2].float() - c[:, :DECODE_P + 2].float()).abs().max())
                        for b, c in zip(bufs_r, c_ref)])
            check("decode %s serving loop (prepared once, PreparedCall.resize per step) == "
                  "functional, max |diff|" % name, diff, 0.0)
        # time one bf16 decode step at P = 2048
        x1 = xs[:, DECODE_P:DECODE_P + 1].bfloat16().contiguous()
        pre = empty_caches(torch.bfloat16, DECODE_P)
        y1 = torch.empty_like(x1)
        Sbf.step_bf16(xs[:, :DECODE_P].bfloat16().contiguous(), *opsbf, *empty_caches(torch.bfloat16, 0),
                      outputs=[torch.empty(B, DECODE_P, D, device=dev, dtype=torch.bfloat16)] + pre)
        new = empty_caches(torch.bfloat16, DECODE_P + 1)
        t_copy, _ = cuda_time(torch, lambda: Sbf.step_bf16(x1, *opsbf, *pre, outputs=[y1] + new), reps=50)
        # In place: views of one [B, P + 64, ...] buffer per cache.
        bufs = [torch.empty((B, DECODE_P + 64) + tuple(c.shape[2:]), device=dev, dtype=torch.bfloat16)
                for c in pre]
        for buf, c in zip(bufs, pre):
            buf[:, :DECODE_P] = c
        ins_ip = [b[:, :DECODE_P] for b in bufs]
        outs_ip = [y1] + [b[:, :DECODE_P + 1] for b in bufs]
        # The weights bound once (Artifact.bind): a call then describes and
        # checks only x and the caches, as a serving loop would.
        step = Sbf.bind("step_bf16", {i + 1: w for i, w in enumerate(opsbf)})
        t_ours, _ = cuda_time(torch, lambda: step(x1, *ins_ip, outputs=outs_ip), reps=50)
        # What a C/C++ caller pays: the arguments described once
        # (BoundEntry.prepare), the step run again on the same buffers.
        prepared = step.prepare(x1, *ins_ip, outputs=outs_ip)
        t_prep, _ = cuda_time(torch, prepared, reps=50)
        t_prep_loop = cuda_time_loop(torch, prepared)
        t_bound_loop = cuda_time_loop(torch, lambda: step(x1, *ins_ip, outputs=outs_ip))
        t_unbound, _ = cuda_time(torch, lambda: Sbf.step_bf16(x1, *opsbf, *ins_ip, outputs=outs_ip),
                                 reps=50)
        # The Python serving loop: 210 tokens through one prepared call, P
        # set before each (P = 2048 .. 2257), the token copied in.
        bufs_s = [torch.empty((B, DECODE_P + 256) + tuple(c.shape[2:]), device=dev,
                              dtype=torch.bfloat16) for c in pre]
        for buf, c in zip(bufs_s, pre):
            buf[:, :DECODE_P] = c
        xb = torch.empty_like(x1)
        serve = step.prepare(xb, *[b[:, :DECODE_P] for b in bufs_s],
                             outputs=[y1] + [b[:, :DECODE_P + 1] for b in bufs_s])
        pos = [DECODE_P]

        def serve_step():
            xb.copy_(x1)
            serve.resize(P=pos[0])()
            pos[0] += 1
        t_serve_loop = cuda_time_loop(torch, serve_step)
        with torch.no_grad(), torch.autocast("cuda", dtype=torch.bfloat16):
            _, (k, v, kb, s) = peer["layer"](xs[:, :DECODE_P], p32)
            st = {"k": torch.zeros(B, DECODE_P + 64, HK, d, device=dev, dtype=k.dtype),
                  "v": torch.zeros(B, DECODE_P + 64, HK, d, device=dev, dtype=v.dtype),
                  "kb": torch.zeros(B, DECODE_P + 64, D, device=dev, dtype=kb.dtype),
                  "s": torch.zeros(B, DECODE_P + 64, D, device=dev, dtype=s.dtype), "P": DECODE_P}
            st["k"][:, :DECODE_P] = k
            st["v"][:, :DECODE_P] = v
            st["kb"][:, :DECODE_P] = kb
            st["s"][:, :DECODE_P] = s

            def peer_step():
                st["P"] = DECODE_P
                return peer["decode_step"](xs[:, DECODE_P:DECODE_P + 1], p32, st)
            t_peer, _ = cuda_time(torch, peer_step, reps=50)
        rows.append({"what": "decode step bf16 B=8 P=2048", "ours_ms": t_ours, "eager_ms": t_peer,
                     "vs_best": t_peer / t_ours, "ours_copy_ms": t_copy,
                     "ours_unbound_ms": t_unbound})
        rows.append({"what": "decode step, C-level call, alone", "ours_ms": t_prep,
                     "eager_ms": t_peer, "vs_best": t_peer / t_prep,
                     "note": "arguments described once (BoundEntry.prepare); one call timed alone"})
        rows.append({"what": "decode step, Python serving loop", "ours_ms": t_serve_loop,
                     "eager_ms": t_peer, "vs_best": t_peer / t_serve_loop,
                     "note": "prepared once; per token: copy x in, PreparedCall.resize(P), run "
                             "(P = 2058..2257, 200 steps back to back / 200)"})
        rows.append({"what": "decode step, C-level call, loop", "ours_ms": t_prep_loop,
                     "eager_ms": t_peer, "vs_best": t_peer / t_prep_loop,
                     "note": "200 steps back to back / 200 (Python bound call: %.3f ms)"
                             % t_bound_loop})

    # --- selective scan
    if want("scan"):
        Sc = art("scan_f32")

        def scan_inputs(Bs, Ts, Dm, N, seed):
            rng = torch.Generator(device=dev).manual_seed(seed)
            u = torch.randn(Bs, Ts, Dm, device=dev, generator=rng)
            delta = 0.7 * torch.randn(Bs, Ts, Dm, device=dev, generator=rng) - 1.0
            A = -torch.exp(0.5 * torch.randn(Dm, N, device=dev, generator=rng))
            Bm = torch.randn(Bs, Ts, 1, N, device=dev, generator=rng)
            C = torch.randn(Bs, Ts, 1, N, device=dev, generator=rng)
            Dk = torch.randn(Dm, device=dev, generator=rng)
            z = torch.randn(Bs, Ts, Dm, device=dev, generator=rng)
            return u, delta, A, Bm, C, Dk, z

        def scan_ref(u, delta, A, Bm, C, Dk, z, bsl, dsl):
            # float64 loop over time on the GPU, on a slice of batches/channels
            dt = torch.nn.functional.softplus(delta[bsl, :, dsl].double())
            uu = u[bsl, :, dsl].double()
            hh = torch.zeros(uu.shape[0], uu.shape[2], A.shape[1], device=dev, dtype=torch.float64)
            ys = []
            for t in range(u.shape[1]):
                hh = torch.exp(dt[:, t, :, None] * A[dsl].double()) * hh + \
                    (dt[:, t] * uu[:, t])[..., None] * Bm[bsl, t, 0, None, :].double()
                ys.append((hh * C[bsl, t, 0, None, :].double()).sum(-1))
            yr = torch.stack(ys, 1) + Dk[dsl].double() * uu
            zz = z[bsl, :, dsl].double()
            return yr * zz * torch.sigmoid(zz), hh

        Bs, Ts, Dm, N = SCAN
        # small shapes, every batch and channel: T = 1, odd T, a partial chunk
        for (Bq, Tq) in [(1, 1), (2, 37), (3, 203)]:
            ins = scan_inputs(Bq, Tq, Dm, N, 11 + Tq)
            y = torch.full((Bq, Tq, Dm), float("nan"), device=dev)
            h = torch.full((Bq, Dm, N), float("nan"), device=dev)
            Sc.scan_f32(*ins, outputs=[y, h])
            yr, hr = scan_ref(*ins, slice(None), slice(None))
            check("scan f32 B=%d T=%d vs f64" % (Bq, Tq), rel(y, yr), TOL["op_f32"])
            check("scan f32 B=%d T=%d last state vs f64" % (Bq, Tq), rel(h, hr), TOL["op_f32"])
        u, delta, A, Bm, C, Dk, z = ins = scan_inputs(Bs, Ts, Dm, N, 7)
        y = torch.full_like(u, float("nan"))
        h = torch.full((Bs, Dm, N), float("nan"), device=dev)
        Sc.scan_f32(u, delta, A, Bm, C, Dk, z, outputs=[y, h])
        bsl, dsl = slice(Bs - 1, Bs), slice(Dm - 256, Dm)
        yr, hh = scan_ref(*ins, bsl, dsl)
        check("scan f32 (last batch, 256 channels) vs f64", rel(y[bsl, :, dsl], yr), TOL["op_f32"])
        check("scan f32 last state vs f64", rel(h[bsl, dsl], hh), TOL["op_f32"])
        check("scan f32 outputs all finite", 0.0 if bool(torch.isfinite(y).all() and torch.isfinite(h).all())
              else float("nan"), TOL["op_f32"])
        t_ours, _ = cuda_time(torch, lambda: Sc.scan_f32(u, delta, A, Bm, C, Dk, z, outputs=[y, h]))
        nbytes = 4 * (4 * Bs * Ts * Dm + 2 * Bs * Ts * N + Bs * Dm * N)
        rows.append({"what": "selective scan f32 (8,4096,2048,16)", "ours_ms": t_ours,
                     "tb_s": nbytes / t_ours / 1e9, "of_copy": nbytes / t_ours / 1e9 / copy_tbs})
        # back to back: 20 calls between two events (the host work of a call,
        # ctypes and argument checks, overlaps the previous call's kernel)
        reps = []
        for _ in range(5):
            e0, e1 = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            e0.record()
            for _ in range(20):
                Sc.scan_f32(u, delta, A, Bm, C, Dk, z, outputs=[y, h])
            e1.record()
            torch.cuda.synchronize()
            reps.append(e0.elapsed_time(e1) / 20)
        t_b2b = float(np.median(reps))
        rows.append({"what": "selective scan f32, back to back", "ours_ms": t_b2b,
                     "tb_s": nbytes / t_b2b / 1e9, "of_copy": nbytes / t_b2b / 1e9 / copy_tbs})

    # --- report
    print()
    print("%-36s %9s %9s %9s %8s %s" % ("what", "ours ms", "eager ms", "compile", "speedup", "notes"))
    for r in rows:
        notes = []
        if "tflops" in r:
            notes.append("%.0f TFLOP/s" % r["tflops"])
        if "tb_s" in r:
            notes.append("%.2f TB/s = %.0f%% of copy" % (r["tb_s"], 100 * r["of_copy"]))
        if "ours_prepared_ms" in r:
            notes.append("prepared call %.3f ms (%.2fx compile); PDL off %.3f ms; "
                         "%d launches, %d with PDL%s"
                         % (r["ours_prepared_ms"], r["compile_ms"] / r["ours_prepared_ms"],
                            r["ours_no_pdl_ms"], r["launches"][0], r["launches"][1],
                            " (rejected: %d)" % r["pdl_rejected"] if r["pdl_rejected"] else ""))
        if "mem_mb" in r:
            m = r["mem_mb"]
            notes.append("extra MB ours %.0f, eager %.0f, compile %.0f (torch peak)"
                         % (m["ours"][1], m["eager"][0], m["compile"][0]))
        if "ours_f32_ms" in r:
            notes.append("f32: %.3f ms" % r["ours_f32_ms"])
        if "note" in r:
            notes.append(r["note"])
        if "ours_copy_ms" in r:
            notes.append("weights bound, caches in place; weights passed every call: %.3f ms; "
                         "caches copied into new buffers: %.3f ms"
                         % (r["ours_unbound_ms"], r["ours_copy_ms"]))
        print("%-36s %9.3f %9s %9s %8s %s" % (
            r["what"], r["ours_ms"], "%.3f" % r["eager_ms"] if "eager_ms" in r else "-",
            "%.3f" % r["compile_ms"] if "compile_ms" in r else "-",
            "%.2fx" % r["vs_best"] if "vs_best" in r else "-", "; ".join(notes)))
    bad = [c for c in checks if not c["ok"]]
    print("checks: %d passed, %d failed" % (len(checks) - len(bad), len(bad)))
    out = os.environ.get("OUT")
    if out:
        with open(os.path.join(out, "gpu_bench.json"), "w") as f:
            json.dump(results, f, indent=1, default=float)
    return 1 if bad else 0


def profile(args):
    """Kernel-by-kernel times of our entries (torch.profiler / CUPTI), in
    launch order, with grid and block sizes: which kernel costs what."""
    import torch
    from torch.profiler import profile as tprofile, ProfilerActivity
    sys.path.insert(0, os.environ.get("SESSA_PYTHONPATH") or os.path.join(ROOT, "python"))
    import sessa.runtime as rt
    dev = torch.device("cuda")
    rng = np.random.default_rng(1)
    p = {k: torch.from_numpy(v).to(dev).bfloat16() for k, v in make_params(rng).items()}
    ops = [p[k] for k in OPERAND_ORDER]
    d = D // H
    cases = []
    L = rt.load(os.path.join(args.artifacts, "layer_bf16"))
    x = torch.randn(4, 2048, D, device=dev).bfloat16()
    y = torch.empty_like(x)
    cases.append(("layer_bf16 (4,2048)", lambda: L.layer_bf16(x, *ops, outputs=[y]), L))
    x8 = torch.randn(1, 8192, D, device=dev).bfloat16()
    y8 = torch.empty_like(x8)
    cases.append(("layer_bf16 (1,8192)", lambda: L.layer_bf16(x8, *ops, outputs=[y8]), L))
    # The decode step only when its artifact was built (--only layer_bf16).
    has_step = os.path.isdir(os.path.join(args.artifacts, "step_bf16"))
    S = rt.load(os.path.join(args.artifacts, "step_bf16")) if has_step else None
    B, P = DECODE_B, DECODE_P
    # Caches in place: views of the first P and P + 1 rows of one buffer each.
    bufs = [torch.randn(B, P + 64, HK, d, device=dev).bfloat16(), torch.randn(B, P + 64, HK, d, device=dev).bfloat16(),
            torch.randn(B, P + 64, 1, D, device=dev).bfloat16(), torch.randn(B, P + 64, 1, D, device=dev).bfloat16()]
    caches = [b[:, :P] for b in bufs]
    new = [b[:, :P + 1] for b in bufs]
    x1 = torch.randn(B, 1, D, device=dev).bfloat16()
    y1 = torch.empty_like(x1)
    if has_step:
        cases.append(("decode step_bf16 B=8 P=2048",
                      lambda: S.step_bf16(x1, *ops, *caches, outputs=[y1] + new), S))
    out = os.environ.get("OUT") or "."
    for name, fn, art in cases:
        for _ in range(3):
            fn()
        torch.cuda.synchronize()
        art.memory_stats(reset_peak=True)
        fn()
        torch.cuda.synchronize()
        live, peak = art.memory_stats()
        with tprofile(activities=[ProfilerActivity.CUDA]) as prof:
            fn()
            torch.cuda.synchronize()
        path = os.path.join(out, "trace_%s.json" % "_".join(name.split()[:2]).strip("(),").replace(",", "x"))
        prof.export_chrome_trace(path)
        with open(path) as f:
            ev = json.load(f)["traceEvents"]
        kern = sorted([e for e in ev if e.get("cat") in ("kernel", "gpu_memcpy", "gpu_memset")],
                      key=lambda e: e["ts"])
        total = sum(e["dur"] for e in kern)
        span = (kern[-1]["ts"] + kern[-1]["dur"] - kern[0]["ts"]) if kern else 0
        # Idle time of the GPU inside the span: the gaps of the union of the
        # kernels' intervals (with programmatic dependent launch a kernel's
        # interval starts while the previous one ends: busy counts both).
        idle, end = 0.0, None
        for e in kern:
            if end is not None and e["ts"] > end:
                idle += e["ts"] - end
            end = max(end if end is not None else e["ts"], e["ts"] + e["dur"])
        timed, _ = cuda_time(torch, fn, reps=20)
        print("\n== %s: %d kernels/copies, %.1f us busy, %.1f us span; temporaries peak %.1f MB"
              % (name, len(kern), total, span, peak / 2**20))
        print("   GPU idle between kernels %.1f us (busy - span: %.1f us of overlap); one call "
              "timed alone (CUDA events, median): %.1f us, of it %.1f us outside the kernels' "
              "span (of the profiled call)"
              % (idle, max(0.0, total - span), 1e3 * timed, 1e3 * timed - span))
        for i, e in enumerate(kern):
            a = e.get("args", {})
            print("  %3d %8.1f us  %-44s grid %-16s block %-12s" % (
                i, e["dur"], e["name"][-44:], a.get("grid", ""), a.get("block", "")))
    return 0


def layer_flops(B, T):
    d = D // H
    proj = 2 * B * T * D * (2 * D + D + 2 * HK * d + 2 * D + D) + 2 * B * T * D * D
    return proj + 2 * B * H * T * T * d + 2 * B * T * T * D


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("--out", required=True)
    b.add_argument("--only", default="")
    b.add_argument("--extra", default="", help="extra sessa-compile flags")
    r = sub.add_parser("run")
    r.add_argument("--artifacts", required=True)
    r.add_argument("--quick", action="store_true")
    r.add_argument("--only", default="", help="sections to run: layer,feedback,decode,scan (default all)")
    pr = sub.add_parser("profile")
    pr.add_argument("--artifacts", required=True)
    args = ap.parse_args()
    return {"build": build, "run": run, "profile": profile}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
