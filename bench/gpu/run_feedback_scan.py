#!/usr/bin/env python3
"""GPU check and benchmark of the convert-sessa-to-gpu kernels of
sessa.feedback_attention and sessa.selective_scan (run on the H100).

Bundles come from build_bundles.sh (cubins + host IR, run by mlir_host.py).
Correctness: fresh random inputs against the float64 reference
(test/Integration/lib/sessa_reference.py; torch float64 for the large
shapes), fp32 <= 1e-5 and bf16 <= 1e-2 relative L2 (bf16 against the result
of the fp32 inputs), outputs poisoned with NaN first, NaN never passes.
Timing: CUDA events, median, the op's launches captured once in a CUDA graph
(so the Python host interpreter is not timed), against the PyTorch steps of
the reference layer (fp32) and the device copy bandwidth.

usage: run_feedback_scan.py BUNDLES_DIR REFERENCE_LIB_DIR OUT_DIR [fa16|fa32|scan|all]
"""
import json
import os
import sys
import time
import traceback

import cupy as cp
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mlir_host  # noqa: E402

BUNDLES, REFLIB, OUT = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path.insert(0, REFLIB)
import sessa_reference as ref  # noqa: E402

TORCH_DT = {"f32": torch.float32, "bf16": torch.bfloat16, "f16": torch.float16}
TOL = {"f32": 1e-5, "bf16": 1e-2, "f16": 1e-2}
results = {"checks": [], "timings": {}}
log_lines = []


_log_file = None


def log(*a):
    s = " ".join(str(x) for x in a)
    print(s, flush=True)
    log_lines.append(s)
    if _log_file is not None:  # written as we go: a crash keeps what ran
        _log_file.write(s + "\n")
        _log_file.flush()


def rel_l2(got, want):
    got = np.asarray(got, np.float64)
    want = np.asarray(want, np.float64)
    if not np.all(np.isfinite(got)):
        return float("nan")
    den = np.linalg.norm(want)
    return float(np.linalg.norm(got - want) / (den if den > 0 else 1.0))


def check(name, dt, got, want, extra=""):
    e = rel_l2(got, want)
    ok = bool(np.isfinite(e) and e <= TOL[dt])
    results["checks"].append({"name": name, "rel_l2": e, "tol": TOL[dt], "ok": ok})
    log("%-4s %-60s rel_l2=%.3e tol=%.0e %s" % ("PASS" if ok else "FAIL", name, e, TOL[dt], extra))
    return ok


_bundles = {}


def bundle(name):
    if name not in _bundles:
        _bundles[name] = mlir_host.Bundle(os.path.join(BUNDLES, name), name)
    return _bundles[name]


def dev(x, dt):
    return torch.from_numpy(np.ascontiguousarray(x, np.float32)).to("cuda").to(TORCH_DT[dt]).contiguous()


def host(t):
    torch.cuda.synchronize()
    cp.cuda.Device().synchronize()
    return t.float().cpu().numpy().astype(np.float64)


def run_op(name, *args):
    torch.cuda.synchronize()
    out = bundle(name)(name, *args)
    cp.cuda.Device().synchronize()
    return out


# ---------------------------------------------------------------- feedback
def fa_inputs(rng, B, T, P, Hb, dk, dv, gamma_mode):
    f = rng.standard_normal((B, T, Hb, dv)).astype(np.float32)
    qb = rng.standard_normal((B, T, Hb, dk)).astype(np.float32)
    kb = rng.standard_normal((B, T, Hb, dk)).astype(np.float32)
    if gamma_mode == "edge":
        gamma = np.where(rng.random((B, T, Hb)) < 0.5, -0.999, 0.999).astype(np.float32)
    else:
        gamma = rng.uniform(-0.99, 0.99, (B, T, Hb)).astype(np.float32)
    kbp = rng.standard_normal((B, P, Hb, dk)).astype(np.float32)
    sp = rng.standard_normal((B, P, Hb, dv)).astype(np.float32)
    return f, qb, kb, gamma, kbp, sp


def fa_small(name, dt, B, T, P, Hb, dk, dv, gamma_mode, cache, rng):
    f, qb, kb, gamma, kbp, sp = fa_inputs(rng, B, T, P, Hb, dk, dv, gamma_mode)
    want = ref.feedback_attention(f, qb, kb, gamma, kb_prev=kbp if cache else None,
                                  s_prev=sp if cache else None)
    args = [dev(x, dt) for x in (f, qb, kb, gamma)]
    if cache:
        args += [dev(kbp, dt), dev(sp, dt)]
    got = host(run_op(name, *args))
    return check("%s B=%d T=%d P=%d Hb=%d dk=%d dv=%d gamma=%s" % (name, B, T, P, Hb, dk, dv, gamma_mode),
                 dt, got, want)


def torch_feedback(f, qb, kb, gamma, dtype=torch.float32):
    """The reference layer's PyTorch steps (Hb = 1): einsum logits, strictly
    causal softmax, dense unit-lower solve."""
    B, T, D = f.shape
    c = qb.shape[-1] ** -0.5
    logits = torch.einsum("btd,bsd->bts", qb.to(dtype), kb.to(dtype)) * c
    mask = torch.ones(T, T, dtype=torch.bool, device=f.device).tril(-1)
    logits = logits.masked_fill(~mask, float("-inf"))
    alpha = torch.softmax(logits, dim=-1).nan_to_num(0.0)
    M = torch.eye(T, dtype=dtype, device=f.device) - gamma.to(dtype)[..., None] * alpha
    return torch.linalg.solve_triangular(M, f.to(dtype), upper=False, unitriangular=True)


def torch_feedback_cache(f, qb, kb, gamma, kbp, sp, dtype=torch.float64):
    """Hb = 1 with a cache of P rows: rhs from the cache, then the dense
    unit-lower solve over the new rows."""
    f, qb, kb, gamma, kbp, sp = (x.to(dtype) for x in (f, qb, kb, gamma, kbp, sp))
    B, T, D = f.shape
    P = kbp.shape[1]
    c = qb.shape[-1] ** -0.5
    K = torch.cat([kbp, kb], 1)
    logits = torch.einsum("btd,bsd->bts", qb, K) * c
    vis = torch.arange(P + T, device=f.device)[None, :] < (P + torch.arange(T, device=f.device))[:, None]
    logits = logits.masked_fill(~vis, float("-inf"))
    alpha = torch.softmax(logits, -1).nan_to_num(0.0)
    rhs = f + gamma[..., None] * (alpha[:, :, :P] @ sp)
    M = torch.eye(T, dtype=dtype, device=f.device) - gamma[..., None] * alpha[:, :, P:]
    return torch.linalg.solve_triangular(M, rhs, upper=False, unitriangular=True)


def fa_decode(dt, B, T, P, D, rng):
    name = "fa_dec_" + dt
    f, qb, kb, gamma, kbp, sp = fa_inputs(rng, B, T, P, 1, D, D, "uniform")
    want = torch_feedback_cache(*(torch.from_numpy(x).cuda()[:, :, 0]  # drop Hb = 1
                                  for x in (f, qb, kb, gamma, kbp, sp)))
    args = [dev(x, dt) for x in (f, qb, kb, gamma, kbp, sp)]
    got = host(run_op(name, *args))
    check("%s B=%d T=%d P=%d D=%d (cache continuation) vs torch float64" % (name, B, T, P, D), dt,
          got[:, :, 0], want.cpu().numpy())
    med, mn = graph_time(name, args)
    results["timings"]["%s B=%d T=%d P=%d D=%d" % (name, B, T, P, D)] = {"median_ms": med, "min_ms": mn}
    log("TIME %s B=%d T=%d P=%d D=%d: median %.3f ms (min %.3f) [cuda graph]" % (name, B, T, P, D, med, mn))


def cuda_time(fn, iters=20, warmup=3):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(iters):
        s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        s.record()
        fn()
        e.record()
        torch.cuda.synchronize()
        times.append(s.elapsed_time(e))
    return float(np.median(times)), float(np.min(times))


def graph_time(name, args, iters=20):
    """Captures the op's launches in a CUDA graph on a side stream (CuPy) and
    times graph launches with CUDA events on that stream."""
    b = bundle(name)
    b.poison = False
    stream = cp.cuda.Stream(non_blocking=True)
    torch.cuda.synchronize()
    with stream:
        b(name, *args)  # warm (module load) outside the capture
        stream.synchronize()
        b.keep.clear()  # back to torch's cache: the capture reuses the blocks
        mode = getattr(cp.cuda.runtime, "streamCaptureModeRelaxed", None)
        if mode is None:
            stream.begin_capture()
        else:
            stream.begin_capture(mode)
        b(name, *args)
        graph = stream.end_capture()
        nl = b.launches
        for _ in range(3):
            graph.launch(stream)
        stream.synchronize()
        times = []
        for _ in range(iters):
            s, e = cp.cuda.Event(), cp.cuda.Event()
            s.record(stream)
            graph.launch(stream)
            e.record(stream)
            e.synchronize()
            times.append(cp.cuda.get_elapsed_time(s, e))
    b.poison = True
    return float(np.median(times)), float(np.min(times))


def python_time(name, args, iters=5):
    def go():
        bundle(name)(name, *args)
    b = bundle(name)
    b.poison = False
    r = cuda_time(go, iters=iters, warmup=1)
    b.poison = True
    return r


def fa_big(dt, B, T, D, rng, timing=True):
    name = "fa_big_" + dt
    f, qb, kb, gamma, _, _ = fa_inputs(rng, B, T, 0, 1, D, D, "uniform")
    gamma *= 0.999 / 0.99
    F, Q, K, G = (torch.from_numpy(x).cuda() for x in (f, qb, kb, gamma))
    want = torch_feedback(F[:, :, 0], Q[:, :, 0], K[:, :, 0], G[:, :, 0], torch.float64)
    args = [dev(x, dt) for x in (f, qb, kb, gamma)]
    got = host(run_op(name, *args))
    ok = check("%s B=%d T=%d D=%d vs torch float64" % (name, B, T, D), dt,
               got[:, :, 0], want.cpu().numpy())
    if timing:
        try:
            med, mn = graph_time(name, args)
            how = "cuda graph"
        except Exception as exc:  # graph capture unavailable: Python launches
            log("graph capture failed (%s); timing the Python-launched sequence" % exc)
            med, mn = python_time(name, args)
            how = "python launches"
        b = bundle(name)
        b.poison, b.profile = False, []
        b(name, *args)
        kt = b.kernel_times()
        b.poison, b.profile = True, None
        log("  per-kernel GPU ms (one call, launched one by one):",
            ", ".join("%s %.3f" % (k, v) for k, v in sorted(kt.items())))
        results["timings"]["%s B=%d T=%d D=%d" % (name, B, T, D)] = {"median_ms": med, "min_ms": mn, "how": how,
                                                                     "per_kernel_ms": kt}
        log("TIME %s B=%d T=%d D=%d: median %.3f ms (min %.3f) [%s]" % (name, B, T, D, med, mn, how))
    return ok


# ---------------------------------------------------------------- scan
def scan_inputs(rng, B, T, Dm, N, G):
    u = rng.standard_normal((B, T, Dm)).astype(np.float32)
    delta = (rng.standard_normal((B, T, Dm)) * 0.5).astype(np.float32)
    A = -np.exp(rng.standard_normal((Dm, N)) * 0.5).astype(np.float32)
    Bm = rng.standard_normal((B, T, G, N)).astype(np.float32)
    C = rng.standard_normal((B, T, G, N)).astype(np.float32)
    D = rng.standard_normal(Dm).astype(np.float32)
    z = rng.standard_normal((B, T, Dm)).astype(np.float32)
    bias = (rng.standard_normal(Dm) * 0.5).astype(np.float32)
    h0 = rng.standard_normal((B, Dm, N)).astype(np.float32)
    return u, delta, A, Bm, C, D, z, bias, h0


def scan_small(name, dt, B, T, Dm, N, G, mode, rng):
    u, delta, A, Bm, C, D, z, bias, h0 = scan_inputs(rng, B, T, Dm, N, G)
    kw = {}
    args = [u, delta, A, Bm, C]
    if mode in ("h0", "opts"):
        kw = dict(Dskip=D, z=z, delta_bias=bias, delta_softplus=True)
        args += [D, z, bias]
        if mode == "h0":
            kw["h0"] = h0
            args.append(h0)
    y_want, h_want = ref.selective_scan(u, delta, A, Bm, C, **kw)
    y, h = run_op(name, *[dev(x, dt) for x in args])
    tag = "%s B=%d T=%d Dm=%d N=%d G=%d" % (name, B, T, Dm, N, G)
    a = check(tag + " y", dt, host(y), y_want)
    b = check(tag + " h_T", dt, host(h), h_want)
    return a and b


def torch_scan64(u, delta, A, Bm, C, D, z, bias):
    Bsz, T, Dm = u.shape
    N = A.shape[1]
    dt = torch.nn.functional.softplus(delta + bias)
    h = torch.zeros(Bsz, Dm, N, dtype=torch.float64, device=u.device)
    ys = []
    for t in range(T):
        h = torch.exp(dt[:, t, :, None] * A) * h + (dt[:, t] * u[:, t])[..., None] * Bm[:, t, 0][:, None, :]
        ys.append((h * C[:, t, 0][:, None, :]).sum(-1))
    y = torch.stack(ys, 1) + D * u
    y = y * z * torch.sigmoid(z)
    return y, h


def scan_big(dt, B, T, Dm, N, rng, copy_bw):
    name = "scan_big_" + dt
    u, delta, A, Bm, C, D, z, bias, _ = scan_inputs(rng, B, T, Dm, N, 1)
    args = [dev(x, dt) for x in (u, delta, A, Bm, C, D, z, bias)]
    y, h = run_op(name, *args)
    yw, hw = torch_scan64(*(torch.from_numpy(x).cuda().double() for x in (u, delta, A, Bm, C, D, z, bias)))
    check("%s B=%d T=%d Dm=%d N=%d y vs torch float64" % (name, B, T, Dm, N), dt, host(y), yw.cpu().numpy())
    check("%s B=%d T=%d Dm=%d N=%d h_T vs torch float64" % (name, B, T, Dm, N), dt, host(h), hw.cpu().numpy())
    try:
        med, mn = graph_time(name, args)
        how = "cuda graph"
    except Exception as exc:
        log("graph capture failed (%s)" % exc)
        med, mn = python_time(name, args)
        how = "python launches"
    esize = 4 if dt == "f32" else 2
    # Bytes that must move: u, delta, z read, y written; B, C, A, D, bias, h_T.
    nbytes = esize * (4 * B * T * Dm + 2 * B * T * N + Dm * N + 2 * Dm + B * Dm * N)
    bw = nbytes / (med * 1e-3) / 1e12
    results["timings"]["%s B=%d T=%d Dm=%d N=%d" % (name, B, T, Dm, N)] = {
        "median_ms": med, "min_ms": mn, "TB/s": bw, "fraction_of_copy": bw / copy_bw, "how": how}
    log("TIME %s: median %.3f ms (min %.3f), %.2f TB/s = %.0f%% of copy bandwidth %.2f TB/s [%s]"
        % (name, med, mn, bw, 100 * bw / copy_bw, copy_bw, how))


def guarded(fn, *args, **kw):
    try:
        fn(*args, **kw)
    except Exception:
        log("ERROR", traceback.format_exc())


def group_fa16(rng):
    """feedback attention with 16-bit storage (tensor cores)."""
    for (B, T, P, mode) in [(2, 1, 0, "uniform"), (2, 100, 3, "edge"), (1, 65, 70, "uniform")]:
        guarded(fa_small, "fa_cache_bf16", "bf16", B, T, P, 2, 64, 96, mode, True, rng)
    for (B, T, P, mode) in [(2, 1, 0, "uniform"), (2, 70, 33, "edge"), (1, 129, 0, "uniform")]:
        guarded(fa_small, "fa_cache_f16", "f16", B, T, P, 2, 40, 24, mode, True, rng)
    guarded(fa_big, "bf16", 4, 2048, 1024, rng)
    guarded(fa_big, "bf16", 1, 8192, 1024, rng)
    for args in [("bf16", 8, 1, 2048, 1024), ("bf16", 2, 100, 300, 1024)]:
        guarded(fa_decode, *args, rng)


def group_fa32(rng):
    """feedback attention f32 (SIMT) and the PyTorch baselines."""
    for (B, T, P, mode) in [(2, 1, 0, "uniform"), (1, 1, 9, "uniform"), (2, 77, 0, "edge"),
                            (1, 130, 37, "uniform"), (3, 64, 5, "edge"), (1, 129, 64, "uniform")]:
        guarded(fa_small, "fa_cache_f32", "f32", B, T, P, 2, 40, 24, mode, True, rng)
    for (B, T, mode) in [(1, 1, "uniform"), (2, 201, "edge"), (1, 64, "uniform")]:
        guarded(fa_small, "fa_heads_f32", "f32", B, T, 0, 3, 32, 80, mode, False, rng)
    guarded(fa_big, "f32", 4, 2048, 1024, rng)
    guarded(fa_big, "f32", 1, 333, 1024, rng, timing=False)
    for args in [("f32", 8, 1, 2048, 1024), ("f32", 1, 130, 77, 1024)]:
        guarded(fa_decode, *args, rng)
    for (B, T, D) in [(4, 2048, 1024), (1, 8192, 1024)]:
        F, Q, K = (torch.randn(B, T, D, device="cuda") for _ in range(3))
        G = torch.rand(B, T, device="cuda") * 1.8 - 0.9
        med, mn = cuda_time(lambda: torch_feedback(F, Q, K, G), iters=10)
        key = "pytorch feedback fp32 B=%d T=%d D=%d" % (B, T, D)
        results["timings"][key] = {"median_ms": med, "min_ms": mn}
        log("TIME %s (einsum, strictly causal softmax, solve_triangular): median %.3f ms (min %.3f)"
            % (key, med, mn))
        del F, Q, K, G


def group_scan(rng):
    for dt in ("f32", "bf16"):
        for (B, T) in [(1, 1), (3, 37), (2, 203)]:
            guarded(scan_small, "scan_full_" + dt, dt, B, T, 64, 16, 2, "h0", rng)
    for (B, T) in [(2, 1), (2, 45)]:
        guarded(scan_small, "scan_min_f32", "f32", B, T, 48, 5, 3, None, rng)
    # staged (cp.async) kernel: Dm / G a multiple of its 64-channel blocks
    for dt in ("f32", "bf16"):
        for (B, T) in [(1, 1), (2, 16), (3, 37), (2, 203), (1, 64)]:
            guarded(scan_small, "scan_staged_" + dt, dt, B, T, 128, 16, 2, "h0", rng)
    for (B, T) in [(2, 33), (1, 3)]:
        guarded(scan_small, "scan_staged8_f32", "f32", B, T, 64, 8, 1, None, rng)
    # odd Dm = 45, 3 groups of 15 channels: the direct kernel, every option
    for (B, T) in [(1, 1), (2, 37)]:
        guarded(scan_small, "scan_odd_f32", "f32", B, T, 45, 16, 3, "opts", rng)
    n = 256 * 1024 * 1024
    src = torch.empty(n, dtype=torch.float32, device="cuda").normal_()
    dst = torch.empty_like(src)
    med, _ = cuda_time(lambda: dst.copy_(src))
    copy_bw = 2 * n * 4 / (med * 1e-3) / 1e12
    results["timings"]["copy 1 GiB f32"] = {"median_ms": med, "TB/s": copy_bw}
    log("TIME device copy: %.3f ms for 2 x 1 GiB -> %.2f TB/s" % (med, copy_bw))
    del src, dst
    torch.cuda.empty_cache()
    for dt in ("f32", "bf16"):
        guarded(scan_big, dt, 8, 4096, 2048, 16, rng, copy_bw)


def main():
    """Runs one group (argv[4]: fa16, fa32 or scan) so that a fault in one
    kernel cannot take the others' results with it."""
    os.makedirs(OUT, exist_ok=True)
    group = sys.argv[4] if len(sys.argv) > 4 else "all"
    global _log_file
    _log_file = open(os.path.join(OUT, "log-%s.txt" % group), "w")
    rng = np.random.default_rng(1234)
    log("device:", torch.cuda.get_device_name(0), "group:", group)
    for name, fn in [("fa16", group_fa16), ("fa32", group_fa32), ("scan", group_scan)]:
        if group in (name, "all"):
            guarded(fn, rng)
    npass = sum(c["ok"] for c in results["checks"])
    log("SUMMARY %s: %d/%d checks passed" % (group, npass, len(results["checks"])))
    with open(os.path.join(OUT, "results-%s.json" % group), "w") as fh:
        json.dump(results, fh, indent=1)


if __name__ == "__main__":
    main()
