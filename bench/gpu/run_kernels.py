#!/usr/bin/env python3
"""Runs the standalone sessa.rope / sessa.attention GPU kernels on a CUDA GPU.

Loads the cubins that build_kernels.py made (CuPy RawModule), launches them
with the expanded memref descriptors (allocated ptr, aligned ptr, offset,
sizes..., strides...; index arguments as int64) and the grid/block of the
lowering, on fresh random inputs with poisoned (NaN) outputs, and compares
with the float64 reference of test/Integration/lib/sessa_reference.py
(attention also with torch float64 for the large shapes). Then times bf16
attention against torch SDPA (is_causal) with CUDA events (median).

Usage (repo root, GPU machine): python3 bench/gpu/run_kernels.py [DIR] [--sanitize|--rope-only]
(--sanitize: a few small checked launches, to run under compute-sanitizer;
--rope-only: the rope checks and timings alone, for a DIR built with
build_kernels.py --only rope)
DIR defaults to .gpu-carry/attention (manifest.json, *.cubin, sessa_reference.py).
Exit status 1 when any check fails.
"""
import json
import math
import os
import sys
import time

import numpy as np
import torch
import cupy

ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
DIR = ARGS[0] if ARGS else ".gpu-carry/attention"
sys.path.insert(0, DIR)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "../../test/Integration/lib"))
import sessa_reference as ref  # noqa: E402

TORCH_DT = {"f32": torch.float32, "bf16": torch.bfloat16, "f16": torch.float16}
manifest = json.load(open(os.path.join(DIR, "manifest.json")))
_modules = {}
FAILS = []
ROWS = []


def kernels(cfg):
    out = []
    for k in cfg["kernels"]:
        if k["cubin"] not in _modules:
            _modules[k["cubin"]] = cupy.RawModule(path=os.path.join(DIR, k["cubin"]))
        out.append((_modules[k["cubin"]].get_function(k["kernel"]), k["args"]))
    return out


def kernel(cfg):
    return kernels(cfg)[0]


def memref_args(t):
    sizes = list(t.shape)
    strides = list(t.stride())
    p = np.uint64(t.data_ptr())
    return [p, p, np.int64(0)] + [np.int64(s) for s in sizes] + [np.int64(s) for s in strides]


def expand(args, values):
    out = []
    for a in args:
        nm, ty = a["name"], a["type"]
        if nm.startswith("alloc"):
            # The lowering's buffers: the result (rank 4) and the split
            # partials o [S,B,T,H,d] and (m, l) [S,B,T,H,2] (rank 5).
            rank = ty.count("x")
            nm = "out" if rank == 4 else ("ml" if ty.split("x")[-2] == "2" else "po")
        v = values[nm]
        if ty.startswith("memref"):
            out += memref_args(v)
        else:
            out.append(np.int64(v))
    return out


def mma_path(cfg):
    return cfg["dtype"] in ("bf16", "f16") and cfg["d"] % 16 == 0 and cfg["d"] <= 128


def tiles(cfg):
    """(Br, Bc) of the lowering (AttentionKernel.cpp: MmaConfig, SIMT)."""
    if not mma_path(cfg):
        return 16, 32
    flags = cfg.get("flags", [])
    stages = 1 if "--sessa-gpu-attention-stages=1" in flags else 2
    # Default (stop 11): two m-tiles for d <= 64 (T is dynamic here).
    if "--sessa-gpu-attention-mtiles=1" in flags:
        mtiles = 1
    elif "--sessa-gpu-attention-mtiles=2" in flags:
        mtiles = 2
    else:
        mtiles = 2 if cfg["d"] <= 64 else 1
    for mt in (mtiles, 1):
        if mt == 2 and cfg["d"] > 64:
            continue
        for bc in (64, 32):
            if 2 * max(64 * mt, stages * bc) * (cfg["d"] + 8) * 2 <= 48 * 1024:
                return 64 * mt, bc
    raise ValueError("no mma config")


def splits_of(cfg, B, T, S):
    br, bc = tiles(cfg)
    g = cfg["H"] // cfg["Hk"]
    row_tiles = max(1, -(-(T * g) // br))
    blocks = row_tiles * cfg["Hk"] * max(B, 1)
    want = (3 * 132) // blocks
    cap = (-(-S // bc)) // 4
    return max(1, min(want, cap))


def attention_launch(cfg, q, k, v, out):
    (fn, args), (cfn, cargs) = kernels(cfg)
    B, T, H, d = q.shape
    S = k.shape[1]
    g = cfg["H"] // cfg["Hk"]
    br, _ = tiles(cfg)
    ns = splits_of(cfg, B, T, S)
    wb, wt = (B, T) if ns > 1 else (1, 1)
    po = torch.empty((ns, wb, wt, H, d), device="cuda", dtype=torch.float32)
    ml = torch.empty((ns, wb, wt, H, 2), device="cuda", dtype=torch.float32)
    vals = {"arg0": q, "arg1": k, "arg2": v, "out": out, "po": po, "ml": ml}
    grid = (max(1, -(-(T * g) // br)) * ns, cfg["Hk"], max(1, B))
    params = expand(args, vals)
    cgrid = (T * H, B, 1) if ns > 1 else (1, 1, 1)
    cparams = expand(cargs, vals)

    block = tuple(cfg["kernels"][0]["block"])
    cblock = tuple(cfg["kernels"][1]["block"])

    def launch():
        fn(grid, block, params)
        cfn(cgrid, cblock, cparams)
    launch.splits = ns
    return launch


def rope_launch(cfg, x, offset, out):
    (fn, args), = kernels(cfg)
    B, T, H, d = x.shape
    block = tuple(cfg["kernels"][0]["block"])  # from the lowering's IR
    # The lowering's grid (RopeKernel.cpp): a thread a 16-byte chunk (V
    # elements) of a head, HL head lanes, Tb position rows b*T + t a block.
    V = 16 // (4 if cfg["dtype"] == "f32" else 2)
    while d % V:
        V //= 2
    C, HL = d // V, 1
    while C * HL * 2 <= 32 and H % (HL * 2) == 0:
        HL *= 2
    Tb = max(1, 256 // (C * HL))
    grid = (max(1, -(-(B * T) // Tb)), 1, 1)
    params = expand(args, {"arg0": x, "arg1": offset, "out": out})
    return lambda: fn(grid, block, params)


def rel_l2(out, refv):
    o = out.detach().double().cpu().numpy() if torch.is_tensor(out) else out
    r = refv.detach().double().cpu().numpy() if torch.is_tensor(refv) else refv
    if not np.all(np.isfinite(o)):
        return float("nan")
    return float(np.linalg.norm(o - r) / np.linalg.norm(r))


def check(name, err, tol):
    ok = err == err and err <= tol  # NaN never passes
    print(f"{'PASS' if ok else 'FAIL'} {name}: rel L2 {err:.3e} (tol {tol:.0e})", flush=True)
    if not ok:
        FAILS.append(name)


def randn(shape, dt):
    return torch.randn(shape, device="cuda", dtype=torch.float32).to(TORCH_DT[dt])


def attention_ref_torch(q, k, v, scale):
    """float64 causal GQA reference on the GPU (the stored inputs, upcast)."""
    q, k, v = q.double(), k.double(), v.double()
    B, T, H, d = q.shape
    S, Hk = k.shape[1], k.shape[2]
    g = H // Hk
    P = S - T
    kk = k.repeat_interleave(g, dim=2).permute(0, 2, 3, 1)  # B H d S
    vv = v.repeat_interleave(g, dim=2).permute(0, 2, 1, 3)  # B H S d
    s = torch.matmul(q.permute(0, 2, 1, 3), kk) * scale      # B H T S
    mask = torch.arange(S, device=q.device)[None, :] <= (P + torch.arange(T, device=q.device))[:, None]
    s = s.masked_fill(~mask, float("-inf"))
    return torch.matmul(torch.softmax(s, dim=-1), vv).permute(0, 2, 1, 3)


def test_attention():
    tol = {"f32": 1e-5, "bf16": 1e-2, "f16": 1e-2}
    shapes = [(2, 67, 0), (1, 1, 0), (3, 1, 200), (2, 45, 77), (1, 130, 5), (2, 64, 64),
              (2, 1, 1000), (1, 3, 700), (2, 17, 900)]
    for name, cfg in manifest.items():
        if cfg["op"] != "attention" or cfg["H"] == 16:  # small shapes only
            continue
        dt = cfg["dtype"]
        scale = cfg["scale"] if cfg["scale"] is not None else cfg["d"] ** -0.5
        for B, T, P in shapes:
            S = P + T
            q = randn((B, T, cfg["H"], cfg["d"]), dt)
            k = randn((B, S, cfg["Hk"], cfg["d"]), dt)
            v = randn((B, S, cfg["Hk"], cfg["d"]), dt)
            out = torch.full_like(q, float("nan"))
            attention_launch(cfg, q, k, v, out)()
            torch.cuda.synchronize()
            r = ref.attention(q.float().cpu().numpy(), k.float().cpu().numpy(),
                              v.float().cpu().numpy(), scale)
            check(f"{name} B={B} T={T} P={P} [{'mma' if mma_path(cfg) else 'simt'}, "
                  f"{splits_of(cfg, B, T, S)} splits]", rel_l2(out, r), tol[dt])
    # Large shapes of the benchmark configurations, vs torch float64.
    for name, B, T, P in [("att_bf16_h16k16_d64", 2, 1000, 0), ("att_bf16_h16k16_d64", 8, 1, 2048),
                          ("att_bf16_h16k16_d128", 1, 777, 300), ("att_f32_h16k16_d64", 2, 513, 0),
                          ("att_f32_h16k16_d64", 8, 1, 2048), ("att_bf16_h16k16_d64_s1", 2, 1000, 0),
                          ("att_bf16_h16k16_d64_s1", 8, 1, 2048), ("att_bf16_h16k16_d64", 1, 4099, 0),
                          ("att_bf16_h16k16_d64_m2", 2, 1000, 0), ("att_bf16_h16k16_d64_m2", 8, 1, 2048),
                          ("att_bf16_h16k16_d64_m2", 1, 4099, 0), ("att_bf16_h16k16_d64", 3, 100, 900)]:
        cfg = manifest[name]
        dt = cfg["dtype"]
        S = P + T
        q = randn((B, T, 16, cfg["d"]), dt)
        k = randn((B, S, 16, cfg["d"]), dt)
        v = randn((B, S, 16, cfg["d"]), dt)
        out = torch.full_like(q, float("nan"))
        attention_launch(cfg, q, k, v, out)()
        torch.cuda.synchronize()
        r = attention_ref_torch(q, k, v, cfg["d"] ** -0.5)
        check(f"{name} B={B} T={T} P={P} (torch f64 ref, {splits_of(cfg, B, T, S)} splits, tiles {tiles(cfg)})",
              rel_l2(out, r), tol[dt])


def test_rope():
    for name, cfg in manifest.items():
        if cfg["op"] != "rope":
            continue
        dt = cfg["dtype"]
        tol = 1e-6 if dt == "f32" else 1e-2
        cases = [(2, 33, 0), (1, 1, 16383), (2, 5, 12000), (3, 17, 100)]
        if cfg["static_offset"] is not None:
            cases = [(2, 33, cfg["static_offset"]), (1, 1, cfg["static_offset"])]
        for B, T, P in cases:
            x = randn((B, T, cfg["H"], cfg["d"]), dt)
            out = torch.full_like(x, float("nan"))
            rope_launch(cfg, x, P, out)()
            torch.cuda.synchronize()
            r = ref.rope(x.float().cpu().numpy(), offset=P, base=cfg["base"])
            err = rel_l2(out, r)
            o = out.double().cpu().numpy()
            mx = float(np.max(np.abs(o - r))) if np.all(np.isfinite(o)) else float("nan")
            print(f"     {name} B={B} T={T} P={P}: max abs err {mx:.3e}")
            check(f"{name} B={B} T={T} P={P}", err, tol)


def time_fn(fn, iters=30, reps=7):
    """Median over `reps` of the mean GPU time of `iters` back-to-back calls.

    A long torch.cuda._sleep kernel runs first so that the CPU queues all the
    launches behind it: the events then time the GPU work, not the Python
    launch overhead (which matters for the small decode kernels).
    """
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    ts = []
    for _ in range(reps):
        torch.cuda._sleep(40_000_000)
        a = torch.cuda.Event(enable_timing=True)
        b = torch.cuda.Event(enable_timing=True)
        a.record()
        for _ in range(iters):
            fn()
        b.record()
        b.synchronize()
        ts.append(a.elapsed_time(b) / iters)
    return float(np.median(ts))


def launch_splits(run):
    return getattr(run, "splits", 1)


def bench():
    import torch.nn.functional as F
    print("\n== timing (median of CUDA-event-timed launches) ==", flush=True)
    cases = [("att_bf16_h16k16_d64", 4, 2048, 0), ("att_bf16_h16k16_d64", 1, 8192, 0),
             ("att_bf16_h16k16_d64_m2", 4, 2048, 0), ("att_bf16_h16k16_d64_m2", 1, 8192, 0),
             ("att_bf16_h16k16_d64_s1", 4, 2048, 0),
             ("att_bf16_h16k16_d128", 4, 2048, 0), ("att_bf16_h16k16_d128", 1, 8192, 0),
             ("att_bf16_h16k16_d64", 8, 1, 2048), ("att_bf16_h16k16_d64_m2", 8, 1, 2048),
             ("att_bf16_h16k16_d64_s1", 8, 1, 2048), ("att_bf16_h16k16_d64", 8, 1, 8192),
             ("att_bf16_h16k16_d64", 4, 2048, 0),  # the first case again: run-to-run spread
             ("att_f32_h16k16_d64", 4, 2048, 0)]
    for name, B, T, P in cases:
        cfg = manifest[name]
        d, H = cfg["d"], 16
        S = P + T
        dt = TORCH_DT[cfg["dtype"]]
        q = randn((B, T, H, d), cfg["dtype"])
        k = randn((B, S, H, d), cfg["dtype"])
        v = randn((B, S, H, d), cfg["dtype"])
        out = torch.full_like(q, float("nan"))
        run = attention_launch(cfg, q, k, v, out)
        ms = time_fn(run, iters=5 if cfg["dtype"] == "f32" else 30)
        qt, kt, vt = (x.transpose(1, 2) for x in (q, k, v))
        causal = T > 1
        sd = lambda: F.scaled_dot_product_attention(qt, kt, vt, is_causal=causal)  # noqa: E731
        ms_t = time_fn(sd)
        r = sd().transpose(1, 2)
        err = rel_l2(out, r.float())
        if T > 1:
            flops = 2.0 * B * H * T * T * d
            print(f"{name} B={B} T={T}: sessa {ms:.3f} ms {flops / ms / 1e9:.1f} TFLOP/s | "
                  f"torch SDPA ({cfg['dtype']}) {ms_t:.3f} ms {flops / ms_t / 1e9:.1f} TFLOP/s | "
                  f"ratio {ms_t / ms:.2f} | rel diff vs SDPA {err:.2e}", flush=True)
        else:
            byts = 2 * B * S * H * d * q.element_size()
            print(f"{name} decode B={B} P={P} ({run.splits} splits): sessa {ms * 1e3:.1f} us ({byts / ms / 1e6:.0f} GB/s K+V) | "
                  f"torch SDPA {ms_t * 1e3:.1f} us | rel diff vs SDPA {err:.2e}", flush=True)
        ROWS.append((name, B, T, P, ms, ms_t, launch_splits(run)))
    bench_rope()


def bench_rope():
    cfg = manifest["rope_bf16_h16_d64"]
    for B, T in [(4, 2048), (1, 8192), (8, 1)]:
        x = randn((B, T, 16, 64), "bf16")
        out = torch.empty_like(x)
        ms = time_fn(rope_launch(cfg, x, 0 if T > 1 else 2048, out))
        print(f"rope bf16 B={B} T={T} H=16 d=64: {ms * 1e3:.1f} us, {2 * x.numel() * 2 / ms / 1e6:.0f} GB/s")


def sanitize_cases():
    """A few small launches for compute-sanitizer (memcheck, racecheck)."""
    for name, B, T, P in [("att_bf16_h4k2_d64", 2, 45, 77), ("att_bf16_h4k2_d64", 2, 1, 1000),
                          ("att_bf16_h4k2_d64_m2", 1, 130, 5), ("att_bf16_h4k4_d128", 1, 70, 40),
                          ("att_f32_h4k2_d64", 2, 45, 77), ("att_f32_h2k1_d40", 1, 1, 900)]:
        cfg = manifest[name]
        dt = cfg["dtype"]
        S = P + T
        q = randn((B, T, cfg["H"], cfg["d"]), dt)
        k = randn((B, S, cfg["Hk"], cfg["d"]), dt)
        v = randn((B, S, cfg["Hk"], cfg["d"]), dt)
        out = torch.full_like(q, float("nan"))
        attention_launch(cfg, q, k, v, out)()
        torch.cuda.synchronize()
        scale = cfg["scale"] if cfg["scale"] is not None else cfg["d"] ** -0.5
        r = attention_ref_torch(q, k, v, scale)
        check(f"sanitize {name} B={B} T={T} P={P}", rel_l2(out, r), 1e-5 if dt == "f32" else 1e-2)
    cfg = manifest["rope_bf16_h4_d128"]
    x = randn((2, 9, 4, 128), "bf16")
    out = torch.full_like(x, float("nan"))
    rope_launch(cfg, x, 5, out)()
    torch.cuda.synchronize()
    check("sanitize rope_bf16_h4_d128", rel_l2(out, ref.rope(x.float().cpu().numpy(), offset=5)), 1e-2)


if __name__ == "__main__":
    if "--sanitize" in sys.argv:
        sanitize_cases()
        print(f"{len(FAILS)} failures: {FAILS}")
        sys.exit(1 if FAILS else 0)
    print(torch.cuda.get_device_name(), "torch", torch.__version__, "cupy", cupy.__version__)
    t0 = time.time()
    test_rope()
    if "--rope-only" in sys.argv:
        bench_rope()
        print(f"\n{len(FAILS)} failures: {FAILS}  ({time.time() - t0:.0f} s)")
        sys.exit(1 if FAILS else 0)
    test_attention()
    try:
        bench()
    except Exception as e:  # keep the check results
        print("bench failed:", repr(e))
        FAILS.append("bench")
    print(f"\n{len(FAILS)} failures: {FAILS}  ({time.time() - t0:.0f} s)")
    sys.exit(1 if FAILS else 0)
