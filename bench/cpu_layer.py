#!/usr/bin/env python3
"""CPU benchmark: the Sessa layer compiled by sessa-compile vs PyTorch (issue 4).

One run prints the machine, the command, and tables for
  ceiling  this machine's f32 sgemm ceiling (torch.mm and numpy @, 2048^3)
  layer    layer forward at (B,T,D,H) in (1,1024,512,8), (1,2048,512,8),
           (4,512,512,8), (1,4096,256,4), Hk = H: ours vs PyTorch eager vs
           torch.compile of the same function (time, GFLOP/s, peak memory, error)
  decode   B=1, D=512, H=8: 512-token prefill, then single-token steps (tokens/s)
           vs a PyTorch decode step with preallocated k, v, kb, s caches
  scan     sessa.selective_scan B=1, T=4096, Dm=1024, N=16 (D, z, delta_softplus)
           vs a selective_scan_ref-style PyTorch loop over time
  sweep    D=256, H=4, T = 1024 .. 16384: time and peak memory, ours vs PyTorch

The PyTorch peer is written from shared/SPEC.md section 5 (not from our
compiler): LayerNorm, Linear, exact GELU, interleaved RoPE,
F.scaled_dot_product_attention(is_causal=True) with GQA by repeat_interleave,
feedback as strictly causal softmax logits then torch.linalg.solve_triangular of
the unit lower-triangular (I - diag(gamma) A). It is itself checked against the
float64 numpy reference (test/Integration/lib/sessa_reference.py) on a small
shape first.

Every timed variant runs in a fresh subprocess (`--worker`), so that its peak
memory can be read from /proc/self/status: after the warm-up calls the worker
trims the heap (malloc_trim), reads VmRSS, resets VmHWM (/proc/self/clear_refs
"5"), runs the timed calls and reports VmHWM - VmRSS_before = the extra resident
memory the calls needed (intermediates and the output; inputs and weights are
resident before). Threads: OMP_NUM_THREADS = os.cpu_count() for every worker and
torch.set_num_threads(os.cpu_count()) in the PyTorch ones.

Usage (from the repository root, torch in bench/.venv):
    bench/.venv/bin/python bench/cpu_layer.py [--quick] [--only layer,decode,...]
The output is also written to bench/results/cpu-<date>.txt (--log to change).
"""

import argparse
import ctypes
import datetime
import gc
import json
import math
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "test", "Integration", "lib"))

SECTIONS = ("ceiling", "layer", "decode", "scan", "sweep")
LAYER_SHAPES = [(1, 1024, 512, 8), (1, 2048, 512, 8), (4, 512, 512, 8), (1, 4096, 256, 4)]
SWEEP_T = [1024, 2048, 4096, 8192, 16384]
PEER_MEM_LIMIT = 16e9          # skip a PyTorch point estimated above this (bytes)
EPS, GAMMA_MAX, THETA0 = 1e-5, 0.999, 10000.0
TOL_F32 = 1e-4                 # rel L2 vs float64 for "agrees"


# ----------------------------------------------------------------------------
# FLOP count, SPEC section 6
# ----------------------------------------------------------------------------

def layer_flops(B, T, D, H, Hk):
    """SPEC section 6:
        projections 2*B*T*D*(2D + D + 2*Hk*d + 2D + D)   (W_in, q, k+v, proj_fb, W_out)
                  + 2*B*T*D*D if H > 1                   (out_proj)
        attention   2*B*H*T^2*d                          (causal half of 4*B*H*T^2*d)
        feedback    B*T^2*D (logits) + B*T^2*D (triangular solve)
    """
    d = D // H
    proj = 2 * B * T * D * (2 * D + D + 2 * Hk * d + 2 * D + D)
    if H > 1:
        proj += 2 * B * T * D * D
    attn = 2 * B * H * T * T * d
    fb = B * T * T * D + B * T * T * D
    return proj + attn + fb


# ----------------------------------------------------------------------------
# Inputs (deterministic; every worker rebuilds the same arrays from the seed)
# ----------------------------------------------------------------------------

def layer_inputs(B, T, D, H, Hk, seed=1234):
    import sessa_reference as ref
    rng = np.random.default_rng(seed)
    p = ref.make_layer_params(D, H, Hk, rng, biases=True, dtype=np.float32)
    x = rng.standard_normal((B, T, D)).astype(np.float32)
    return x, p


def ours_operands(p, H):
    """Weight operands of the generated entry, in the order of layer_mlir()."""
    D = p["ln.weight"].shape[0]
    out = [p["ln.weight"], p["ln.bias"], p["W_in.weight"], p["W_in.bias"],
           p["mixer.q_proj.weight"], p["mixer.q_proj.bias"],
           p["mixer.k_proj.weight"], p["mixer.k_proj.bias"],
           p["mixer.v_proj.weight"], p["mixer.v_proj.bias"],
           p["mixer.proj_fb.weight"], p["mixer.proj_fb.bias"]]
    if H > 1:
        out.append(p["mixer.out_proj.weight"])
    out += [np.reshape(p["mixer.gamma_ctx.weight"], (1, D)),
            np.reshape(p["mixer.gamma_bias"], (1,)),
            p["W_out.weight"], p["W_out.bias"]]
    return [np.ascontiguousarray(a, dtype=np.float32) for a in out]


def scan_inputs(B, T, Dm, N, seed=4321):
    rng = np.random.default_rng(seed)
    f = np.float32
    u = rng.standard_normal((B, T, Dm)).astype(f)
    delta = (0.7 * rng.standard_normal((B, T, Dm)) - 1.0).astype(f)   # pre-softplus
    A = (-np.exp(0.5 * rng.standard_normal((Dm, N)))).astype(f)
    Bm = rng.standard_normal((B, T, 1, N)).astype(f)
    C = rng.standard_normal((B, T, 1, N)).astype(f)
    Dskip = rng.standard_normal(Dm).astype(f)
    z = rng.standard_normal((B, T, Dm)).astype(f)
    return [u, delta, A, Bm, C, Dskip, z]


# ----------------------------------------------------------------------------
# MLIR generation
# ----------------------------------------------------------------------------

def _tt(*shape):
    return "tensor<%sxf32>" % "x".join("?" if s is None else str(s) for s in shape)


def layer_mlir(name, B, T, D, H, Hk, cache=False):
    """func.func @name with one sessa.layer (all biases, RoPE on by default).
    cache: False, or the cache rows P (None = dynamic); T may be None too."""
    d = D // H
    args = [("x", _tt(B, T, D)), ("ln_w", _tt(D)), ("ln_b", _tt(D)),
            ("w_in", _tt(2 * D, D)), ("b_in", _tt(2 * D)),
            ("w_q", _tt(D, D)), ("b_q", _tt(D)),
            ("w_k", _tt(Hk * d, D)), ("b_k", _tt(Hk * d)),
            ("w_v", _tt(Hk * d, D)), ("b_v", _tt(Hk * d)),
            ("w_fb", _tt(2 * D, D)), ("b_fb", _tt(2 * D))]
    uses = ("%x norm(%ln_w, %ln_b) in_proj(%w_in, %b_in) q_proj(%w_q, %b_q) "
            "k_proj(%w_k, %b_k) v_proj(%w_v, %b_v) fb_proj(%w_fb, %b_fb)")
    if H > 1:
        args.append(("w_o", _tt(D, D)))
        uses += " out_proj(%w_o)"
    args += [("g_ctx", _tt(1, D)), ("g_bias", _tt(1)), ("w_out", _tt(D, D)), ("b_out", _tt(D))]
    uses += " gate(%g_ctx, %g_bias) out(%w_out, %b_out)"
    results = [("y", _tt(B, T, D))]
    if cache is not False:
        P = cache
        PT = None if (P is None or T is None) else P + T
        args += [("kc", _tt(B, P, Hk, d)), ("vc", _tt(B, P, Hk, d)),
                 ("kbc", _tt(B, P, 1, D)), ("sc", _tt(B, P, 1, D))]
        uses += " cache(%kc, %vc, %kbc, %sc)"
        results += [("k1", _tt(B, PT, Hk, d)), ("v1", _tt(B, PT, Hk, d)),
                    ("kb1", _tt(B, PT, 1, D)), ("s1", _tt(B, PT, 1, D))]
    sig = ", ".join("%%%s: %s" % a for a in args)
    rtys = ", ".join(t for _, t in results)
    op = "%s = sessa.layer %s {num_heads = %d : i64, num_kv_heads = %d : i64} : (%s) -> (%s)" % (
        ", ".join("%" + r for r, _ in results), uses, H, Hk,
        ", ".join(t for _, t in args), rtys)
    ret = "return %s : %s" % (", ".join("%" + r for r, _ in results), rtys)
    return "func.func @%s(%s) -> (%s) {\n  %s\n  %s\n}\n" % (name, sig, rtys, op, ret)


def scan_mlir(name, B, T, Dm, N):
    tu, tA, tB, tv, th = _tt(B, T, Dm), _tt(Dm, N), _tt(B, T, 1, N), _tt(Dm), _tt(B, Dm, N)
    return ("func.func @%s(%%u: %s, %%delta: %s, %%A: %s, %%Bm: %s, %%C: %s, %%D: %s, %%z: %s)"
            " -> (%s, %s) {\n"
            "  %%y, %%h = sessa.selective_scan %%u, %%delta, %%A, %%Bm, %%C D(%%D : %s) z(%%z : %s)"
            " {delta_softplus} : %s, %s, %s, %s, %s -> %s, %s\n"
            "  return %%y, %%h : %s, %s\n}\n"
            % (name, tu, tu, tA, tB, tB, tv, tu, tu, th, tv, tu, tu, tu, tA, tB, tB, tu, th, tu, th))


def compiler_path():
    return os.environ.get("SESSA_COMPILE") or os.path.join(ROOT, "build", "bin", "sessa-compile")


def compile_artifact(text, name, workdir):
    """Writes NAME.mlir, runs sessa-compile, returns (path of libNAME.so, seconds)."""
    d = os.path.join(workdir, name)
    os.makedirs(d, exist_ok=True)
    src = os.path.join(d, name + ".mlir")
    with open(src, "w") as f:
        f.write(text)
    t0 = time.perf_counter()
    proc = subprocess.run([compiler_path(), src, "-o", d], capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError("sessa-compile failed (exit %d) on %s:\n%s"
                           % (proc.returncode, src, (proc.stderr or proc.stdout)[-3000:]))
    so = os.path.join(d, "lib%s.so" % name)
    if not os.path.exists(so):
        raise RuntimeError("sessa-compile wrote no %s" % so)
    return so, dt


# ----------------------------------------------------------------------------
# The PyTorch peer (written from shared/SPEC.md section 5; imported in workers)
# ----------------------------------------------------------------------------

def torch_peer():
    import torch
    import torch.nn.functional as F

    def rope_tables(T, P, d, dtype, device=None):
        # w_i = theta0^(-2i/d), phi = (P + t) w_i; tables in float64 then cast
        # (phi reaches 1.6e4 rad at T = 16384: float32 phi would lose ~1e-3).
        i = torch.arange(0, d // 2, dtype=torch.float64)
        w = THETA0 ** (-2.0 * i / d)
        pos = torch.arange(P, P + T, dtype=torch.float64)
        phi = pos[:, None] * w[None, :]                                  # [T, d/2]
        return torch.cos(phi).to(dtype), torch.sin(phi).to(dtype)

    def rope(x, cos, sin):
        # x: [B, T, H, d]; interleaved pairs (2i, 2i+1).
        B, T, H, d = x.shape
        xr = x.reshape(B, T, H, d // 2, 2)
        xe, xo = xr[..., 0], xr[..., 1]
        c, s = cos[None, :, None, :], sin[None, :, None, :]
        return torch.stack((xe * c - xo * s, xe * s + xo * c), dim=-1).reshape(B, T, H, d)

    def front(x, p, H, Hk):
        """LayerNorm, W_in, GELU, q/k/v; returns what both branches need."""
        B, T, D = x.shape
        d = D // H
        u = F.layer_norm(x, (D,), p["ln.weight"], p["ln.bias"], EPS)
        ag = F.linear(u, p["W_in.weight"], p["W_in.bias"])
        a, g = ag[..., :D], ag[..., D:]
        abar = F.gelu(a)                                                 # exact (erf)
        q = F.linear(abar, p["mixer.q_proj.weight"], p["mixer.q_proj.bias"]).view(B, T, H, d)
        k = F.linear(abar, p["mixer.k_proj.weight"], p["mixer.k_proj.bias"]).view(B, T, Hk, d)
        v = F.linear(abar, p["mixer.v_proj.weight"], p["mixer.v_proj.bias"]).view(B, T, Hk, d)
        fb = F.linear(abar, p["mixer.proj_fb.weight"], p["mixer.proj_fb.bias"])
        qb, kb = fb[..., :D], fb[..., D:]
        gamma = GAMMA_MAX * torch.tanh(p["mixer.gamma_bias"] + abar @ p["mixer.gamma_ctx.weight"].t())
        return g, q, k, v, qb, kb, gamma                                  # gamma: [B, T, 1]

    def layer(x, p, H, Hk, return_cache=False):
        """Full forward (prefill from P = 0), SPEC section 5."""
        B, T, D = x.shape
        d = D // H
        g, q, k, v, qb, kb, gamma = front(x, p, H, Hk)
        cos, sin = rope_tables(T, 0, d, x.dtype)
        q, k = rope(q, cos, sin), rope(k, cos, sin)
        rep = H // Hk
        qh = q.transpose(1, 2)                                            # [B, H, T, d]
        kh = k.transpose(1, 2).repeat_interleave(rep, dim=1)              # head h reads h // rep
        vh = v.transpose(1, 2).repeat_interleave(rep, dim=1)
        f = F.scaled_dot_product_attention(qh, kh, vh, is_causal=True)   # scale d^-1/2
        f = f.transpose(1, 2).reshape(B, T, D)
        if H > 1:
            f = f @ p["mixer.out_proj.weight"].t()
        # Feedback: A = strictly-causal row softmax of (qb kb^T) D^-1/2. Row 0
        # has no visible key (s_0 = f_0); its diagonal logit is un-masked only
        # to avoid a NaN row: the diagonal and the upper triangle are never
        # read by the unit lower-triangular solve.
        logits = (qb * D ** -0.5) @ kb.transpose(1, 2)                   # [B, T, T]
        keep = torch.ones(T, T, dtype=torch.bool).tril(-1)
        keep[0, 0] = True
        A = torch.softmax(logits.masked_fill(~keep, float("-inf")), dim=-1)
        # (I - diag(gamma) A) s = f; unitriangular=True supplies the I.
        s = torch.linalg.solve_triangular(-gamma * A, f, upper=False, unitriangular=True)
        y = x + F.linear(s * g, p["W_out.weight"], p["W_out.bias"])
        if return_cache:
            return y, (k, v, kb[:, :, None, :], s[:, :, None, :])
        return y

    class DecodeState:
        """Preallocated caches of capacity Pmax: k, v [B, Pmax, Hk, d] (RoPE'd),
        kb, s [B, Pmax, D] (one feedback head)."""

        def __init__(self, B, Pmax, D, H, Hk, dtype):
            d = D // H
            self.k = torch.zeros(B, Pmax, Hk, d, dtype=dtype)
            self.v = torch.zeros(B, Pmax, Hk, d, dtype=dtype)
            self.kb = torch.zeros(B, Pmax, D, dtype=dtype)
            self.s = torch.zeros(B, Pmax, D, dtype=dtype)
            self.P = 0

        def load(self, k, v, kb, s):
            P = k.shape[1]
            self.k[:, :P] = k
            self.v[:, :P] = v
            self.kb[:, :P] = kb[:, :, 0]
            self.s[:, :P] = s[:, :, 0]
            self.P = P

    def decode_step(x, p, H, Hk, st):
        """One new token x: [B, 1, D] at position P = st.P."""
        B, _, D = x.shape
        d = D // H
        P = st.P
        g, q, k, v, qb, kb, gamma = front(x, p, H, Hk)
        cos, sin = rope_tables(1, P, d, x.dtype)
        q, k = rope(q, cos, sin), rope(k, cos, sin)
        st.k[:, P] = k[:, 0]
        st.v[:, P] = v[:, 0]
        rep = H // Hk
        kh = st.k[:, :P + 1].transpose(1, 2)
        vh = st.v[:, :P + 1].transpose(1, 2)
        if rep > 1:
            kh = kh.repeat_interleave(rep, dim=1)
            vh = vh.repeat_interleave(rep, dim=1)
        f = F.scaled_dot_product_attention(q.transpose(1, 2), kh, vh)    # sees j <= P
        f = f.transpose(1, 2).reshape(B, 1, D)
        if H > 1:
            f = f @ p["mixer.out_proj.weight"].t()
        if P > 0:                                                         # sees j < P
            alpha = torch.softmax((qb * D ** -0.5) @ st.kb[:, :P].transpose(1, 2), dim=-1)
            s = f + gamma * (alpha @ st.s[:, :P])
        else:
            s = f
        st.kb[:, P] = kb[:, 0]
        st.s[:, P] = s[:, 0]
        st.P = P + 1
        return x + F.linear(s * g, p["W_out.weight"], p["W_out.bias"])

    def scan(u, delta, A, Bm, C, Dskip, z):
        """selective_scan_ref style (delta_softplus, D, z; one group): the
        discretisation vectorised over [B, T, Dm, N], a loop over time."""
        dt = F.softplus(delta)                                            # [B, T, Dm]
        dA = torch.exp(dt[..., None] * A)                                 # [B, T, Dm, N]
        dBu = (dt * u)[..., None] * Bm[:, :, 0, None, :]                  # [B, T, Dm, N]
        Cm = C[:, :, 0, :]                                                # [B, T, N]
        h = torch.zeros(u.shape[0], u.shape[2], A.shape[1], dtype=u.dtype)
        ys = []
        for t in range(u.shape[1]):
            h = dA[:, t] * h + dBu[:, t]
            ys.append(h @ Cm[:, t, :, None])                              # [B, Dm, 1]
        y = torch.cat(ys, dim=2).transpose(1, 2) + Dskip * u               # [B, T, Dm]
        return y * F.silu(z), h

    return dict(layer=layer, decode_step=decode_step, DecodeState=DecodeState, scan=scan)


def torch_params(p, dtype):
    import torch
    return {k: torch.from_numpy(np.asarray(v)).to(dtype) for k, v in p.items()}


# ----------------------------------------------------------------------------
# Worker side: memory and timing
# ----------------------------------------------------------------------------

def _status_kb(key):
    with open("/proc/self/status") as f:
        m = re.search(r"^%s:\s+(\d+) kB" % key, f.read(), re.M)
    return int(m.group(1)) if m else -1


class MemProbe:
    """Extra resident memory of what runs between start() and stop()."""

    def start(self):
        gc.collect()
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except OSError:
            pass
        self.base = _status_kb("VmRSS")
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")                                              # reset VmHWM
            self.reset = True
        except OSError:
            self.reset = False

    def stop(self):
        return dict(peak_extra_mb=(_status_kb("VmHWM") - self.base) / 1024.0,
                    rss_before_mb=self.base / 1024.0, hwm_reset=self.reset)


def cpu_sample():
    """(total busy jiffies of the machine, jiffies of this process, wall s)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    busy = sum(v) - v[3] - (v[4] if len(v) > 4 else 0)                  # minus idle, iowait
    with open("/proc/self/stat") as f:
        st = f.read().rsplit(")", 1)[1].split()
    return busy, int(st[11]) + int(st[12]), time.perf_counter()


def foreign_load(a, b):
    """Share of the machine's CPU used by other processes between samples
    a and b (0 = we had the machine to ourselves, 1 = all cores busy elsewhere)."""
    hz = os.sysconf("SC_CLK_TCK")
    wall = max(b[2] - a[2], 1e-3)
    other = (b[0] - a[0]) - (b[1] - a[1])
    return max(0.0, other / hz / (wall * os.cpu_count()))


def timed_loop(fn, warmup, reps, budget_s, compiled_first=False, memory_from_first=False):
    """Warm-up calls, then up to `reps` timed calls (fewer if each is slow, at
    least 2); returns (last output, times in s, first-call s, memory).
    memory_from_first: the memory probe starts before the first call instead
    of before the timed calls (for our artifacts, which keep freed
    temporaries for the next call: they then count as extra memory)."""
    mem = MemProbe()
    if memory_from_first:
        mem.start()
    t0 = time.perf_counter()
    out = fn()
    first = time.perf_counter() - t0
    last = first
    if first > budget_s / 3 and not compiled_first:
        warmup = 1                    # a slow call: the first one was warm-up enough
    for _ in range(max(0, warmup - 1)):
        out = None
        t0 = time.perf_counter()
        out = fn()
        last = time.perf_counter() - t0
    n = max(2, min(reps, int(budget_s / max(last, 1e-6))))
    out = None
    if not memory_from_first:
        mem.start()
    times = []
    c0 = cpu_sample()
    for _ in range(n):
        out = None
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    m = mem.stop()
    m["foreign"] = foreign_load(c0, cpu_sample())
    return out, times, first, m


def _set_threads():
    import torch
    n = os.cpu_count()
    torch.set_num_threads(n)
    return torch.get_num_threads()


def worker(spec):
    kind, var = spec["kind"], spec["variant"]
    res = dict(kind=kind, variant=var)
    if kind == "ceiling":
        import torch
        res["threads"] = _set_threads()
        n = 2048
        a = torch.randn(n, n)
        b = torch.randn(n, n)
        best = {}
        c0 = cpu_sample()
        for name, fn in (("torch.mm", lambda: torch.mm(a, b)),
                         ("numpy @", (lambda an, bn: (lambda: an @ bn))(a.numpy(), b.numpy()))):
            for _ in range(3):
                fn()
            ts = []
            for _ in range(spec.get("reps", 10)):
                t0 = time.perf_counter()
                fn()
                ts.append(time.perf_counter() - t0)
            best[name] = 2.0 * n ** 3 / min(ts) / 1e9
        res["gflops"] = best
        res["foreign"] = foreign_load(c0, cpu_sample())
        return res

    if kind == "selftest":
        return selftest()

    if kind == "layer":
        B, T, D, H, Hk = spec["shape"]
        x, p = layer_inputs(B, T, D, H, Hk)
        if var in ("ours", "ours-call"):
            from sessa_artifact import Artifact
            art = Artifact(spec["so"])
            W = ours_operands(p, H)
            fn = lambda: art.call("layer", x, *W)[0]                    # noqa: E731
        else:
            import torch
            res["threads"] = _set_threads()
            dtype = torch.float64 if var == "ref64" else torch.float32
            tp = torch_params(p, dtype)
            tx = torch.from_numpy(x).to(dtype)
            layer = torch_peer()["layer"]
            if var == "compiled":
                layer = torch.compile(layer, dynamic=False)

            def fn():
                with torch.inference_mode():
                    return layer(tx, tp, H, Hk)
        if var == "ref64":
            y = fn()
            np.save(spec["out"], y.numpy())
            return res
        out, times, first, mem = timed_loop(fn, spec["warmup"], spec["reps"], spec["budget"],
                                            compiled_first=(var == "compiled"),
                                            memory_from_first=var.startswith("ours"))
        y = out if isinstance(out, np.ndarray) else out.numpy()
        if spec.get("out"):
            np.save(spec["out"], y)
        res.update(times=times, first_s=first, **mem)
        return res

    if kind == "decode":
        B, D, H, Hk = spec["shape"]
        P0, steps, warm = spec["prefill"], spec["steps"], spec["warmup"]
        Ttot = P0 + warm + steps
        x, p = layer_inputs(B, Ttot, D, H, Hk, seed=99)
        d = D // H
        ys, step_times = [], []
        if var in ("ours", "ours-call"):
            from sessa_artifact import Artifact
            art = Artifact(spec["so"])
            W = ours_operands(p, H)
            empty = [np.zeros((B, 0, Hk, d), np.float32), np.zeros((B, 0, Hk, d), np.float32),
                     np.zeros((B, 0, 1, D), np.float32), np.zeros((B, 0, 1, D), np.float32)]
            t0 = time.perf_counter()
            out = art.call("step", np.ascontiguousarray(x[:, :P0]), *W, *empty)
            res["prefill_s"] = time.perf_counter() - t0
            ys.append(out[0])
            # One set of cache buffers with room for every token, extended
            # in place: the inputs are views of the first P rows, the
            # outputs views of the first P + 1 rows of the same buffers
            # (the artifact writes only the new row; see SessaRuntime.h).
            bufs = [np.zeros((B, Ttot) + c.shape[2:], np.float32) for c in empty]
            for buf, c in zip(bufs, out[1:]):
                buf[:, :P0] = c
            ybuf = np.zeros((B, 1, D), np.float32)
            if var == "ours":
                # A serving loop: the weights bound once, the call prepared
                # once over fixed x/y buffers and the cache buffers; each
                # step copies the token in and sets P (PreparedCall.resize).
                xin = np.zeros((B, 1, D), np.float32)
                step = art.bind("decode", {i + 1: w for i, w in enumerate(W)}).prepare(
                    xin, *[b[:, :P0] for b in bufs], outputs=[ybuf] + [b[:, :P0 + 1] for b in bufs])
            for i in range(warm + steps):
                if i == warm:
                    c0 = cpu_sample()
                P = P0 + i
                if var == "ours":
                    t0 = time.perf_counter()
                    xin[...] = x[:, P:P + 1]
                    step.resize(P=P)
                    step()
                else:
                    t0 = time.perf_counter()
                    xin = np.ascontiguousarray(x[:, P:P + 1])
                    ins = [b[:, :P] for b in bufs]
                    outs = [ybuf] + [b[:, :P + 1] for b in bufs]
                    art.call("decode", xin, *W, *ins, outputs=outs)
                dt = time.perf_counter() - t0
                ys.append(ybuf.copy())
                if i >= warm:
                    step_times.append(dt)
        else:
            import torch
            res["threads"] = _set_threads()
            peer = torch_peer()
            tp = torch_params(p, torch.float32)
            tx = torch.from_numpy(x)
            with torch.inference_mode():
                t0 = time.perf_counter()
                y0, caches = peer["layer"](tx[:, :P0], tp, H, Hk, return_cache=True)
                res["prefill_s"] = time.perf_counter() - t0
                ys.append(y0.numpy())
                st = peer["DecodeState"](B, Ttot, D, H, Hk, torch.float32)
                st.load(*caches)
                for i in range(warm + steps):
                    if i == warm:
                        c0 = cpu_sample()
                    P = P0 + i
                    xin = tx[:, P:P + 1]
                    t0 = time.perf_counter()
                    y = peer["decode_step"](xin, tp, H, Hk, st)
                    dt = time.perf_counter() - t0
                    ys.append(y.numpy().copy())
                    if i >= warm:
                        step_times.append(dt)
        res["foreign"] = foreign_load(c0, cpu_sample())
        np.save(spec["out"], np.concatenate(ys, axis=1))
        res.update(times=step_times)
        return res

    if kind == "decode_ref64":
        import torch
        _set_threads()
        B, D, H, Hk = spec["shape"]
        Ttot = spec["prefill"] + spec["warmup"] + spec["steps"]
        x, p = layer_inputs(B, Ttot, D, H, Hk, seed=99)
        with torch.inference_mode():
            y = torch_peer()["layer"](torch.from_numpy(x).double(), torch_params(p, torch.float64), H, Hk)
        np.save(spec["out"], y.numpy())
        return res

    if kind == "scan":
        B, T, Dm, N = spec["shape"]
        ins = scan_inputs(B, T, Dm, N)
        if var == "ours":
            from sessa_artifact import Artifact
            art = Artifact(spec["so"])
            fn = lambda: art.call("scan", *ins)[0]                      # noqa: E731
        else:
            import torch
            res["threads"] = _set_threads()
            dtype = torch.float64 if var == "ref64" else torch.float32
            tins = [torch.from_numpy(a).to(dtype) for a in ins]
            scan = torch_peer()["scan"]

            def fn():
                with torch.inference_mode():
                    return scan(*tins)[0]
        if var == "ref64":
            np.save(spec["out"], fn().numpy())
            return res
        out, times, first, mem = timed_loop(fn, spec["warmup"], spec["reps"], spec["budget"],
                                            memory_from_first=(var == "ours"))
        np.save(spec["out"], out if isinstance(out, np.ndarray) else out.numpy())
        res.update(times=times, first_s=first, **mem)
        return res
    raise ValueError("unknown worker kind %r" % kind)


def selftest():
    """The PyTorch peer (forward, prefill + decode, scan) in float64 against
    the float64 numpy reference of test/Integration/lib, on small shapes."""
    import torch
    import sessa_reference as ref
    _set_threads()
    peer = torch_peer()
    res = dict(kind="selftest")
    B, T, D, H, Hk = 2, 12, 32, 4, 2
    x, p = layer_inputs(B, T, D, H, Hk, seed=7)
    want, _ = ref.layer(x, p, H, Hk)
    tp = torch_params(p, torch.float64)
    with torch.inference_mode():
        got = peer["layer"](torch.from_numpy(x).double(), tp, H, Hk).numpy()
        res["layer_rel"] = ref.rel_l2(got, want)
        P0 = 7
        y0, caches = peer["layer"](torch.from_numpy(x[:, :P0]).double(), tp, H, Hk, return_cache=True)
        st = peer["DecodeState"](B, T, D, H, Hk, torch.float64)
        st.load(*caches)
        ys = [y0.numpy()]
        for t in range(P0, T):
            ys.append(peer["decode_step"](torch.from_numpy(x[:, t:t + 1]).double(), tp, H, Hk, st).numpy())
        res["decode_rel"] = ref.rel_l2(np.concatenate(ys, axis=1), want)
        ins = scan_inputs(1, 20, 16, 4, seed=3)
        gy, gh = peer["scan"](*[torch.from_numpy(a).double() for a in ins])
        wy, wh = ref.selective_scan(*ins[:5], Dskip=ins[5], z=ins[6], delta_softplus=True)
        res["scan_rel"] = max(ref.rel_l2(gy.numpy(), wy), ref.rel_l2(gh.numpy(), wh))
    return res


# ----------------------------------------------------------------------------
# Driver side
# ----------------------------------------------------------------------------

class Runner:
    def __init__(self, args, log):
        self.args = args
        self.log = log
        self.tmp = tempfile.mkdtemp(prefix="run-", dir=args.workdir)
        self.env = dict(os.environ)
        n = str(os.cpu_count())
        self.env.update(OMP_NUM_THREADS=n, MKL_NUM_THREADS=n, OPENBLAS_NUM_THREADS=n)

    def path(self, name):
        return os.path.join(self.tmp, name)

    def wait_idle(self):
        """Waits (up to --max-wait s) until other processes use < 10% of the
        machine over a 1 s window; returns (seconds waited, last load)."""
        t0 = time.perf_counter()
        while True:
            a = cpu_sample()
            time.sleep(1.0)
            load = foreign_load(a, cpu_sample())
            waited = time.perf_counter() - t0
            if load < 0.10 or waited >= self.args.max_wait:
                return waited, load

    def run(self, spec, timeout=1800):
        """Runs one worker in a fresh process; returns its result dict, or a
        dict with 'error' (the tail of its output) if it failed. Timed workers
        wait for an idle machine first and are run again (twice at most) when
        other processes took > 25% of the CPU during their timed calls."""
        cmd = [sys.executable, os.path.abspath(__file__), "--worker", json.dumps(spec)]
        env = dict(self.env)
        if spec["kind"] != "ceiling":
            env["OPENBLAS_NUM_THREADS"] = "1"     # numpy does no BLAS work in these workers
        timed = spec["kind"] in ("layer", "decode", "scan", "ceiling") and spec.get("variant") != "ref64"
        for attempt in range(3 if timed else 1):
            if timed and not self.args.no_wait:
                waited, load = self.wait_idle()
                if load >= 0.10:
                    self.log("  (machine busy: %.0f%% of the CPU used by other processes after "
                             "waiting %.0f s; running %s %s anyway)" % (100 * load, waited,
                                                                        spec["kind"], spec.get("variant")))
            try:
                proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
            except subprocess.TimeoutExpired:
                return dict(error="timed out after %d s" % timeout)
            res = None
            for line in reversed(proc.stdout.splitlines()):
                if line.startswith("RESULT "):
                    res = json.loads(line[7:])
                    break
            if res is None:
                tail = (proc.stderr or "")[-1500:] + (proc.stdout or "")[-500:]
                sig = "" if proc.returncode >= 0 else " (signal %d)" % -proc.returncode
                return dict(error="exit %d%s: %s" % (proc.returncode, sig, tail.strip()))
            res["attempts"] = attempt + 1
            if res.get("foreign", 0.0) <= 0.25 or self.args.no_wait:
                return res
            self.log("  (%s %s %s: other processes took %.0f%% of the CPU during the timed calls; "
                     "measuring again)" % (spec["kind"], spec.get("variant"), spec.get("shape"),
                                            100 * res["foreign"]))
        return res


def merge_rounds(results):
    """Pools the timed calls of one variant's rounds (an error in any round wins)."""
    for r in results:
        if "error" in r:
            return r
    m = dict(results[0])
    if "times" in m:
        m["times"] = [t for r in results for t in r["times"]]
    for k in ("peak_extra_mb", "foreign"):
        if k in m:
            m[k] = max(r[k] for r in results)
    if "prefill_s" in m:
        m["prefill_s"] = min(r["prefill_s"] for r in results)
    m["rounds"] = len(results)
    return m


def rel_l2(a, b):
    a = np.asarray(a, np.float64)
    b = np.asarray(b, np.float64)
    if a.shape != b.shape:
        return float("nan")
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return float("inf")
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-300))


def med_ms(r):
    return 1e3 * statistics.median(r["times"]) if r and "times" in r else None


def fmt(v, spec="%.1f", none="-"):
    return none if v is None else spec % v


def table(headers, rows):
    w = [max(len(str(h)), *(len(str(r[i])) for r in rows)) if rows else len(h)
         for i, h in enumerate(headers)]
    line = "  ".join(str(h).rjust(w[i]) for i, h in enumerate(headers))
    out = [line, "  ".join("-" * x for x in w)]
    for r in rows:
        out.append("  ".join(str(c).rjust(w[i]) for i, c in enumerate(r)))
    return "\n".join(out)


def machine_info():
    model, flags = "?", set()
    try:
        with open("/proc/cpuinfo") as f:
            txt = f.read()
        m = re.search(r"^model name\s*:\s*(.*)$", txt, re.M)
        model = m.group(1).strip() if m else "?"
        m = re.search(r"^flags\s*:\s*(.*)$", txt, re.M)
        flags = set(m.group(1).split()) if m else set()
    except OSError:
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30
    return model, flags, mem_gb


def git_commit():
    try:
        c = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                           capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
        return c + (" (+ uncommitted changes in the work tree)" if dirty else "")
    except OSError:
        return "?"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer shapes, steps and repetitions")
    ap.add_argument("--only", default="", help="comma-separated sections: " + ",".join(SECTIONS))
    ap.add_argument("--reps", type=int, default=None, help="timed calls per variant (max)")
    ap.add_argument("--rounds", type=int, default=None,
                    help="fresh processes per variant, interleaved with the other variants; their "
                    "timed calls are pooled (default 2, --quick 1)")
    ap.add_argument("--no-compile", action="store_true", help="skip the torch.compile variant")
    ap.add_argument("--workdir", default=os.path.join(HERE, "out"))
    ap.add_argument("--max-wait", type=float, default=300.0,
                    help="seconds to wait for other processes to go idle before each timed variant")
    ap.add_argument("--keep", action="store_true", help="keep the generated MLIR, artifacts and outputs")
    ap.add_argument("--no-wait", action="store_true", help="neither wait for an idle machine nor re-measure")
    ap.add_argument("--log", default=None, help="also write the output here "
                    "(default bench/results/cpu-<date>.txt; 'none' to disable)")
    ap.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.worker:
        res = worker(json.loads(args.worker))
        print("RESULT " + json.dumps(res), flush=True)
        return

    sections = [s for s in args.only.split(",") if s] or list(SECTIONS)
    for s in sections:
        if s not in SECTIONS:
            ap.error("unknown section %r (have %s)" % (s, ", ".join(SECTIONS)))
    os.makedirs(args.workdir, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc)
    log_path = args.log
    if log_path is None:
        os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
        log_path = os.path.join(HERE, "results", "cpu-%s%s.txt"
                                % (now.strftime("%Y%m%d-%H%M"), "-quick" if args.quick else ""))
    logf = open(log_path, "w") if log_path != "none" else None

    def log(*a):
        s = " ".join(str(x) for x in a)
        print(s, flush=True)
        if logf:
            logf.write(s + "\n")
            logf.flush()

    R = Runner(args, log)
    quick = args.quick
    reps = args.reps or (3 if quick else 10)
    budget = 4.0 if quick else 8.0
    rounds = max(1, args.rounds if args.rounds is not None else (1 if quick else 2))
    per_round = max(2, (reps + rounds - 1) // rounds)
    reps = per_round * rounds
    ncpu = os.cpu_count()
    t_start = time.perf_counter()

    # ---- machine -----------------------------------------------------------
    model, flags, mem_gb = machine_info()
    try:
        tv = subprocess.run([sys.executable, "-c", "import torch; print(torch.__version__)"],
                            capture_output=True, text=True, env=R.env).stdout.strip() or "not installed"
    except OSError:
        tv = "?"
    comp = compiler_path()
    log("# Sessa CPU benchmark (bench/cpu_layer.py)")
    log("date:      %s" % now.strftime("%Y-%m-%d %H:%M UTC"))
    log("command:   %s" % " ".join(shlex.quote(a) for a in [sys.executable] + sys.argv))
    log("machine:   %s, %d cores (os.cpu_count), %.0f GiB RAM, %s" % (model, ncpu, mem_gb, platform.platform()))
    log("ISA flags: avx512f=%s avx512bw=%s avx512vl=%s avx2=%s fma=%s"
        % tuple("yes" if f in flags else "no" for f in ("avx512f", "avx512bw", "avx512vl", "avx2", "fma")))
    log("threads:   %d (OMP_NUM_THREADS=%d for ours; torch.set_num_threads(%d))" % (ncpu, ncpu, ncpu))
    log("software:  torch %s, numpy %s, python %s" % (tv, np.__version__, platform.python_version()))
    def built(path):
        if not os.path.exists(path):
            return "missing"
        return datetime.datetime.fromtimestamp(os.path.getmtime(path), datetime.timezone.utc) \
            .strftime("%Y-%m-%d %H:%M UTC")
    rt = os.path.join(os.path.dirname(os.path.dirname(comp)), "lib", "libSessaRuntime.a")
    log("compiler:  %s (built %s; runtime library linked into artifacts built %s), sessa git %s"
        % (comp, built(comp), built(rt), git_commit()))
    log("timing:    %d round(s) per variant, each a fresh process (variants interleaved: ours, eager, "
        "compiled, ours, ...) doing warm-up then up to %d timed calls (fewer when calls are slow, at "
        "least 2; about %.0f s per variant in all); the median of all timed calls is reported" %
        (rounds, per_round, budget))
    log("memory:    peak extra RSS over the timed calls (VmHWM after - VmRSS before, heap trimmed, "
        "VmHWM reset), the largest over the rounds; for ours from before the first call, so the "
        "temporaries an artifact keeps between calls count")
    log("")

    # ---- self-test of the PyTorch peer -------------------------------------
    if any(s in sections for s in ("layer", "decode", "scan", "sweep")):
        st = R.run(dict(kind="selftest", variant="torch"))
        if "error" in st:
            log("peer self-test FAILED: %s" % st["error"])
        else:
            ok = all(st[k] < 1e-10 for k in ("layer_rel", "decode_rel", "scan_rel"))
            log("PyTorch peer vs float64 numpy reference (B=2 T=12 D=32 H=4 Hk=2; scan T=20): "
                "layer %.1e, prefill+decode %.1e, scan %.1e rel L2 -> %s"
                % (st["layer_rel"], st["decode_rel"], st["scan_rel"], "OK" if ok else "MISMATCH"))
        log("")

    # ---- sgemm ceiling -----------------------------------------------------
    ceiling = None
    if "ceiling" in sections or "layer" in sections or "sweep" in sections:
        r = R.run(dict(kind="ceiling", variant="torch", reps=5 if quick else 10))
        if "error" in r:
            log("sgemm ceiling: FAILED %s" % r["error"])
        else:
            g = r["gflops"]
            ceiling = max(g.values())
            log("## sgemm ceiling (f32 2048x2048x2048, %d threads, best of %d)" % (r["threads"], 5 if quick else 10))
            log("torch.mm: %.1f GFLOP/s   numpy @: %.1f GFLOP/s   -> ceiling %.1f GFLOP/s"
                % (g["torch.mm"], g["numpy @"], ceiling))
            log("")

    def run_layer_point(B, T, D, H, Hk, variants, check=True, tag="layer"):
        key = "%s_%d_%d_%d_%d" % (tag, B, T, D, H)
        t0 = time.perf_counter()
        so, ctime = compile_artifact(layer_mlir("layer", B, T, D, H, Hk), key, R.tmp)
        out = dict(compile_s=ctime)
        runs = {v: [] for v in variants}
        for _ in range(rounds):                       # interleaved: ours, eager, compiled, ours, ...
            for v in variants:
                if v != "ours" and 6.0 * B * T * T * 4 > PEER_MEM_LIMIT:
                    runs[v] = [dict(error="skipped: estimated > %.0f GB (T x T buffers)"
                                    % (PEER_MEM_LIMIT / 1e9))]
                    continue
                runs[v].append(R.run(dict(kind="layer", variant=v, shape=[B, T, D, H, Hk], so=so,
                                          warmup=2, reps=per_round, budget=budget / rounds,
                                          out=R.path("%s_%s.npy" % (key, v)))))
        for v in variants:
            out[v] = merge_rounds(runs[v])
        if check:
            r64 = R.run(dict(kind="layer", variant="ref64", shape=[B, T, D, H, Hk],
                             out=R.path("%s_ref64.npy" % key)))
            want = np.load(R.path("%s_ref64.npy" % key)) if "error" not in r64 else None
            for v in variants:
                if "error" not in out[v]:
                    got = np.load(R.path("%s_%s.npy" % (key, v)))
                    out[v]["rel"] = rel_l2(got, want) if want is not None else None
        elif "error" not in out["ours"]:
            # No float64 run (sweep): ours against the first peer that ran, both f32.
            for v in variants[1:]:
                if "error" not in out[v]:
                    out["ours"]["rel_peer"] = (v, rel_l2(np.load(R.path("%s_ours.npy" % key)),
                                                         np.load(R.path("%s_%s.npy" % (key, v)))))
                    break
        for v in variants:
            if "error" not in out[v]:
                try:
                    os.remove(R.path("%s_%s.npy" % (key, v)))
                except OSError:
                    pass
        out["wall_s"] = time.perf_counter() - t0
        return out

    peers = ["eager"] + ([] if args.no_compile else ["compiled"])

    def faster_peer(res):
        best = None
        for v in peers:
            m = med_ms(res.get(v)) if "error" not in res.get(v, {"error": 1}) else None
            if m is not None and (best is None or m < best[1]):
                best = (v, m)
        return best

    errors = []

    # ---- layer forward -----------------------------------------------------
    if "layer" in sections:
        shapes = LAYER_SHAPES[:2] if quick else LAYER_SHAPES
        log("## Layer forward (f32, Hk = H, all biases, RoPE on; ours = sessa-compile artifact)")
        log("FLOPs (SPEC 6) = 2BTD(2D + D + 2Hk*d + 2D + D) + [H>1] 2BTD^2 + 2BHT^2 d + 2BT^2 D")
        rows, rows2 = [], []
        for (B, T, D, H) in shapes:
            Hk = H
            res = run_layer_point(B, T, D, H, Hk, ["ours"] + peers)
            fl = layer_flops(B, T, D, H, Hk)
            mo = med_ms(res["ours"]) if "error" not in res["ours"] else None
            fp = faster_peer(res)
            ratio = (fp[1] / mo) if (mo and fp) else None
            gf = fl / (mo * 1e-3) / 1e9 if mo else None
            gfp = fl / (fp[1] * 1e-3) / 1e9 if fp else None
            shape = "(%d,%d,%d,%d)" % (B, T, D, H)
            for v in ["ours"] + peers:
                if "error" in res[v]:
                    errors.append("layer %s %s: %s" % (shape, v, res[v]["error"]))
                elif not (res[v].get("rel") is not None and res[v]["rel"] < TOL_F32):
                    errors.append("layer %s %s: rel L2 vs float64 %s >= %.0e"
                                  % (shape, v, res[v].get("rel"), TOL_F32))

            def m(v):
                return fmt(med_ms(res[v]), "%.1f", "FAIL") if "error" not in res[v] else (
                    "skip" if res[v]["error"].startswith("skipped") else "FAIL")

            def mem(v):
                return fmt(res[v].get("peak_extra_mb"), "%.0f") if "error" not in res[v] else "-"

            def rel(v):
                return fmt(res[v].get("rel"), "%.1e") if "error" not in res[v] else "-"
            rows.append([shape, "%.2f" % (fl / 1e9), m("ours"), m("eager"),
                         m("compiled") if "compiled" in peers else "-",
                         ("%s %.2fx" % ("eager" if fp[0] == "eager" else "compiled", ratio)) if ratio else "-",
                         fmt(gf), fmt(gfp),
                         fmt(100.0 * gf / ceiling if (gf and ceiling) else None, "%.0f%%")])
            rows2.append([shape, mem("ours"), mem("eager"), mem("compiled") if "compiled" in peers else "-",
                          rel("ours"), rel("eager"), rel("compiled") if "compiled" in peers else "-",
                          "%.0f%%" % (100 * max([res[v].get("foreign", 0) for v in ["ours"] + peers
                                                 if "error" not in res[v]] + [0])),
                          "%.1f" % res["compile_s"],
                          fmt(res["compiled"].get("first_s") if "compiled" in peers and "error" not in res["compiled"] else None)])
        log(table(["shape (B,T,D,H)", "GFLOP", "ours ms", "eager ms", "compiled ms",
                   "speedup vs faster", "ours GFLOP/s", "peer GFLOP/s", "ours/ceiling"], rows))
        log("")
        log(table(["shape (B,T,D,H)", "ours MB", "eager MB", "compiled MB",
                   "ours err", "eager err", "compiled err", "other load", "sessa-compile s", "torch.compile 1st call s"], rows2))
        log("(MB: peak extra RSS during the call; err: rel L2 vs the PyTorch peer in float64, "
            "agreement threshold %.0e; speedup = faster peer ms / ours ms; other load: the largest share "
            "of the CPU other processes used during a variant's timed calls)" % TOL_F32)
        log("")

    # ---- decode --------------------------------------------------------------
    if "decode" in sections:
        B, D, H, Hk = 1, 512, 8, 8
        P0, warm, steps = 512, 8, (32 if quick else 128)
        text = layer_mlir("step", B, None, D, H, Hk, cache=None) + layer_mlir("decode", B, 1, D, H, Hk, cache=None)
        so, ctime = compile_artifact(text, "decode_%d_%d" % (D, H), R.tmp)
        spec = dict(kind="decode", shape=[B, D, H, Hk], prefill=P0, warmup=warm, steps=steps, so=so)
        ro, rc, rt = [], [], []
        for _ in range(rounds):
            ro.append(R.run(dict(spec, variant="ours", out=R.path("dec_ours.npy"))))
            rc.append(R.run(dict(spec, variant="ours-call", out=R.path("dec_ours_call.npy"))))
            rt.append(R.run(dict(spec, variant="torch", out=R.path("dec_torch.npy"))))
        ro, rc, rt = merge_rounds(ro), merge_rounds(rc), merge_rounds(rt)
        r64 = R.run(dict(spec, kind="decode_ref64", variant="ref64", out=R.path("dec_ref64.npy")))
        log("## Decode (B=1, D=%d, H=Hk=%d): prefill %d tokens, %d warm-up steps, then %d timed single-token "
            "steps (P = %d..%d), in each of %d round(s)" % (D, H, P0, warm, steps, P0 + warm, P0 + warm + steps - 1,
                                                            rounds))
        rows = []
        for name, r, f in (("ours", ro, "dec_ours.npy"), ("ours, call", rc, "dec_ours_call.npy"),
                           ("torch eager", rt, "dec_torch.npy")):
            if "error" in r:
                errors.append("decode %s: %s" % (name, r["error"]))
                rows.append([name, "FAIL", "-", "-", "-", "-", "-"])
                continue
            ms = med_ms(r)
            y = np.load(R.path(f))
            want = np.load(R.path("dec_ref64.npy")) if "error" not in r64 else None
            if want is None or not rel_l2(y, want) < TOL_F32:
                errors.append("decode %s: rel L2 vs float64 %s >= %.0e"
                              % (name, None if want is None else rel_l2(y, want), TOL_F32))
            rows.append([name, "%.0f" % (1e3 * r["prefill_s"]), "%.3f" % ms, "%.0f" % (1e3 / ms),
                         "%.0f%%" % (100 * r.get("foreign", 0)),
                         fmt(rel_l2(y[:, P0:], want[:, P0:]) if want is not None else None, "%.1e"),
                         fmt(rel_l2(y[:, :P0], want[:, :P0]) if want is not None else None, "%.1e")])
        log(table(["", "prefill ms", "step ms (median)", "tokens/s", "other load", "decoded err",
                   "prefill err"], rows))
        if "error" not in ro and "error" not in rt:
            yo, yt = np.load(R.path("dec_ours.npy")), np.load(R.path("dec_torch.npy"))
            log("ours / torch tokens/s: %.2fx; decoded rows ours vs torch rel L2 %.1e"
                % (med_ms(rt) / med_ms(ro), rel_l2(yo[:, P0:], yt[:, P0:])))
            if "error" not in rc:
                yc = np.load(R.path("dec_ours_call.npy"))
                log("ours, call / torch tokens/s: %.2fx; ours, call equals ours exactly: %s"
                    % (med_ms(rt) / med_ms(rc), bool(np.array_equal(yc, yo))))
        log("(err: rel L2 vs the float64 full forward over all %d tokens; torch decode = eager step "
            "with preallocated caches; ours = the T=1 entry with dynamic P, caches passed as "
            "views of one preallocated buffer per cache, extended in place: 'ours' is a serving "
            "loop (weights bound and the call prepared once, each step copies the token in and "
            "sets P with PreparedCall.resize), 'ours, call' calls Artifact.call with every "
            "argument each step; sessa-compile %.1f s)" % (P0 + warm + steps, ctime))
        log("")

    # ---- selective scan ------------------------------------------------------
    if "scan" in sections:
        B, T, Dm, N = 1, 4096, 1024, 16
        so, ctime = compile_artifact(scan_mlir("scan", B, T, Dm, N), "scan_%d_%d" % (T, Dm), R.tmp)
        spec = dict(kind="scan", shape=[B, T, Dm, N], so=so, warmup=2, reps=per_round, budget=budget / rounds)
        ro, rt = [], []
        for _ in range(rounds):
            ro.append(R.run(dict(spec, variant="ours", out=R.path("scan_ours.npy"))))
            rt.append(R.run(dict(spec, variant="eager", out=R.path("scan_torch.npy"))))
        ro, rt = merge_rounds(ro), merge_rounds(rt)
        r64 = R.run(dict(spec, variant="ref64", out=R.path("scan_ref64.npy")))
        want = np.load(R.path("scan_ref64.npy")) if "error" not in r64 else None
        log("## Selective scan (B=%d, T=%d, Dm=%d, N=%d, G=1, D and z, delta_softplus)" % (B, T, Dm, N))
        rows = []
        for name, r, f in (("ours", ro, "scan_ours.npy"), ("torch loop", rt, "scan_torch.npy")):
            if "error" in r:
                errors.append("scan %s: %s" % (name, r["error"]))
                rows.append([name, "FAIL", "-", "-", "-"])
                continue
            e = rel_l2(np.load(R.path(f)), want) if want is not None else None
            if e is None or not e < TOL_F32:
                errors.append("scan %s: rel L2 vs float64 %s >= %.0e" % (name, e, TOL_F32))
            rows.append([name, "%.1f" % med_ms(r), "%.0f" % r["peak_extra_mb"],
                         "%.0f%%" % (100 * r.get("foreign", 0)),
                         fmt(rel_l2(np.load(R.path(f)), want) if want is not None else None, "%.1e")])
        log(table(["", "ms", "peak extra MB", "other load", "err vs f64"], rows))
        if "error" not in ro and "error" not in rt:
            log("speedup ours vs torch loop: %.1fx" % (med_ms(rt) / med_ms(ro)))
        log("(torch loop: selective_scan_ref style, exp(dt*A) and dt*B*u precomputed over [B,T,Dm,N], "
            "a Python loop over T; sessa-compile %.1f s)" % ctime)
        log("")

    # ---- sweep ---------------------------------------------------------------
    if "sweep" in sections:
        D, H = 256, 4
        Ts = SWEEP_T[:3] if quick else SWEEP_T
        log("## Sweep over T (B=1, D=%d, H=Hk=%d)" % (D, H))
        rows = []
        for T in Ts:
            res = run_layer_point(1, T, D, H, H, ["ours"] + peers, check=False, tag="sweep")
            fp = faster_peer(res)
            mo = med_ms(res["ours"]) if "error" not in res["ours"] else None
            if mo is None:
                errors.append("sweep T=%d ours: %s" % (T, res["ours"].get("error")))
            fl = layer_flops(1, T, D, H, H)
            mems = {v: res[v].get("peak_extra_mb") for v in ["ours"] + peers if "error" not in res[v]}
            skipped = [v for v in peers if "error" in res[v]]
            def ms(v):
                if v not in res:
                    return "-"
                return fmt(med_ms(res[v]), "%.1f") if "error" not in res[v] else (
                    "skip" if res[v]["error"].startswith("skipped") else "FAIL")
            rows.append([T, ms("ours"), ms("eager"), ms("compiled"),
                         ("%.2fx (%s)" % (fp[1] / mo, fp[0])) if (fp and mo) else "-",
                         fmt(fl / (mo * 1e-3) / 1e9 if mo else None),
                         fmt(mems.get("ours"), "%.0f"), fmt(mems.get("eager"), "%.0f"),
                         fmt(mems.get("compiled"), "%.0f"),
                         "%.0f%%" % (100 * max([res[v].get("foreign", 0) for v in ["ours"] + peers
                                                if "error" not in res[v]] + [0])),
                         "; ".join((["ours vs %s rel L2 %.1e" % tuple(res["ours"]["rel_peer"])]
                                    if "rel_peer" in res.get("ours", {}) else []) +
                                   ["%s %s" % (v, res[v]["error"][:60]) for v in skipped])])
            log("  T=%d done (%.0f s)" % (T, res["wall_s"]))
        log(table(["T", "ours ms", "eager ms", "compiled ms", "speedup vs faster", "ours GFLOP/s",
                   "ours MB", "eager MB", "compiled MB", "other load", "notes"], rows))
        # Memory growth of ours: MB per 1k tokens and the end-to-end ratio.
        pts = [(r[0], float(r[6])) for r in rows if r[6] != "-"]
        if len(pts) >= 3:
            Tv = np.array([p[0] for p in pts], float)
            Mv = np.array([p[1] for p in pts])
            log("ours peak extra MB per 1k tokens: %s" % ", ".join(
                "%.1f" % (m / t * 1024) for t, m in zip(Tv, Mv)))
            log("ours MB ratio from T=%d to T=%d: %.2f (T ratio %.0f; linear -> ~%.0f, quadratic -> ~%.0f)"
                % (Tv[0], Tv[-1], Mv[-1] / max(Mv[0], 1e-9), Tv[-1] / Tv[0], Tv[-1] / Tv[0], (Tv[-1] / Tv[0]) ** 2))
        log("(MB: peak extra RSS during the call, includes the %s output; peer skipped above %.0f GB estimated)"
            % ("[1,T,256] f32", PEER_MEM_LIMIT / 1e9))
        log("")

    if errors:
        log("## Failures")
        for e in errors:
            log("- " + e)
        log("")
    log("total wall time: %.0f s" % (time.perf_counter() - t_start))
    if not args.keep:
        shutil.rmtree(R.tmp, ignore_errors=True)
    if logf:
        logf.close()
        print("(written to %s)" % log_path)


if __name__ == "__main__":
    main()
