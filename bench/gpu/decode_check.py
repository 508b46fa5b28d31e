#!/usr/bin/env python3
"""Decode-kernel checks and timings: small-M GEMMs and row copies.

  build (here):   python3 bench/gpu/decode_check.py build --out DIR
      compiles standalone entries with `sessa-compile --target=cuda`:
      mm_f32 / mm_bf16 (C = A B^T + bias, dynamic M, N, K; bf16 with a bf16
      result, so the bias add and rounding run in the GEMM epilogue) and
      cat_f32 / cat_bf16 (concatenation along dim 1 of [B, P, 3] and
      [B, T, 3]: rows of 3 P elements, not 16-byte multiples, so the row copy
      takes its element-wise path).
  run (GPU):      python3 bench/gpu/decode_check.py run --artifacts DIR
                  [--variants old=DIR,new=DIR,...]
      checks the entries against float64 PyTorch (f32 rel. L2 <= 1e-5, bf16
      <= 1e-2; concatenations exact; outputs poisoned with NaN first, NaN
      never passes) for M = 1 .. 40 (small-M kernel up to 16, tiled above),
      odd N and K; times mm_bf16 at M = 8 (whole entry call) against torch;
      with --variants (gpu_bench.py artifact folders) times the bf16 decode
      step (B = 8, P = 2048) and the (4, 2048) bf16 layer of each,
      interleaved, compares their outputs on the same inputs with the first,
      and lists the decode step's kernel times.
"""
import argparse
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def mm_mlir(name, dt):
    acc = "f32"
    ext = "" if dt == "f32" else "%ae = arith.extf %a : {0} to f32\n    %be = arith.extf %b : {0} to f32\n    ".format(dt)
    av, bv = ("%a", "%b") if dt == "f32" else ("%ae", "%be")
    bias_ext = "%ce = arith.extf %c : {0} to f32\n    ".format(dt) if dt != "f32" else ""
    cv = "%c" if dt == "f32" else "%ce"
    trunc = ("%r = arith.truncf %s : f32 to {0}\n    linalg.yield %r : {0}".format(dt)
             if dt != "f32" else "linalg.yield %s : f32")
    return """
#mA = affine_map<(m, n, k) -> (m, k)>
#mB = affine_map<(m, n, k) -> (n, k)>
#mC = affine_map<(m, n, k) -> (m, n)>
#id = affine_map<(m, n) -> (m, n)>
#bias = affine_map<(m, n) -> (n)>
func.func @{name}(%x: tensor<?x?x{dt}> {{sessa.name = "x"}}, %w: tensor<?x?x{dt}> {{sessa.name = "w"}},
                  %bias: tensor<?x{dt}> {{sessa.name = "bias"}}) -> (tensor<?x?x{dt}> {{sessa.name = "y"}}) {{
  %c0 = arith.constant 0 : index
  %m = tensor.dim %x, %c0 : tensor<?x?x{dt}>
  %n = tensor.dim %w, %c0 : tensor<?x?x{dt}>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty(%m, %n) : tensor<?x?x{acc}>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?x?x{acc}>) -> tensor<?x?x{acc}>
  %p = linalg.generic {{indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]}}
      ins(%x, %w : tensor<?x?x{dt}>, tensor<?x?x{dt}>) outs(%f : tensor<?x?x{acc}>) {{
  ^bb0(%a: {dt}, %b: {dt}, %o: f32):
    {ext}%q = arith.mulf {av}, {bv} : f32
    %s = arith.addf %o, %q : f32
    linalg.yield %s : f32
  }} -> tensor<?x?x{acc}>
  %eo = tensor.empty(%m, %n) : tensor<?x?x{dt}>
  %y = linalg.generic {{indexing_maps = [#id, #bias, #id], iterator_types = ["parallel", "parallel"]}}
      ins(%p, %bias : tensor<?x?x{acc}>, tensor<?x{dt}>) outs(%eo : tensor<?x?x{dt}>) {{
  ^bb0(%a: f32, %c: {dt}, %o: {dt}):
    {bias_ext}%s = arith.addf %a, {cv} : f32
    {trunc}
  }} -> tensor<?x?x{dt}>
  return %y : tensor<?x?x{dt}>
}}
""".format(name=name, dt=dt, acc=acc, ext=ext, av=av, bv=bv, bias_ext=bias_ext, cv=cv, trunc=trunc)


def cat_mlir(name, dt):
    # The output's shape comes from `like` ([B, P + T, 3]; the entry ABI
    # derives result sizes from input dimensions only).
    t = "tensor<?x?x3x%s>" % dt
    return """
func.func @{name}(%x: {t} {{sessa.name = "x"}}, %y: {t} {{sessa.name = "y"}},
                  %like: {t} {{sessa.name = "like"}}) -> ({t} {{sessa.name = "z"}}) {{
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %b = tensor.dim %x, %c0 : {t}
  %p = tensor.dim %x, %c1 : {t}
  %q = tensor.dim %y, %c1 : {t}
  %n = tensor.dim %like, %c1 : {t}
  %e = tensor.empty(%b, %n) : {t}
  %0 = tensor.insert_slice %x into %e[0, 0, 0] [%b, %p, 3] [1, 1, 1] : {t} into {t}
  %1 = tensor.insert_slice %y into %0[0, %p, 0] [%b, %q, 3] [1, 1, 1] : {t} into {t}
  return %1 : {t}
}}
""".format(name=name, t=t)


ENTRIES = {"mm_f32": lambda: mm_mlir("mm_f32", "f32"),
           "mm_bf16": lambda: mm_mlir("mm_bf16", "bf16"),
           "cat_f32": lambda: cat_mlir("cat_f32", "f32"),
           "cat_bf16": lambda: cat_mlir("cat_bf16", "bf16")}


def build(args):
    compiler = os.environ.get("SESSA_COMPILE") or os.path.join(ROOT, "build", "bin", "sessa-compile")
    bad = 0
    for name, gen in ENTRIES.items():
        d = os.path.join(args.out, name)
        os.makedirs(d, exist_ok=True)
        src = os.path.join(d, name + ".mlir")
        with open(src, "w") as f:
            f.write(gen())
        p = subprocess.run([compiler, src, "-o", d, "--target=cuda"], capture_output=True, text=True)
        print(name, "compiled" if p.returncode == 0 else "FAILED\n" + p.stderr[-3000:])
        bad += p.returncode != 0
    return 1 if bad else 0


def rel(a, b):
    """Relative L2 error of a against b (NaN when a is not finite)."""
    import torch
    a, b = a.double(), b.double()
    if not torch.isfinite(a).all():
        return float("nan")
    return float((a - b).norm() / b.norm().clamp_min(1e-300))


def run(args):
    import torch
    sys.path.insert(0, os.environ.get("SESSA_PYTHONPATH") or os.path.join(ROOT, "python"))
    sys.path.insert(0, HERE)
    import sessa.runtime as rt
    import gpu_bench as gb
    dev = torch.device("cuda")
    torch.backends.cuda.matmul.allow_tf32 = False
    fails = []

    def check(what, err, tol):
        good = bool(np.isfinite(err)) and err <= tol
        print("  check %-52s rel %.2e (tol %.0e) %s" % (what, err, tol, "ok" if good else "FAIL"))
        if not good:
            fails.append(what)

    art = args.artifacts
    mm = {dt: getattr(rt.load(os.path.join(art, "mm_" + dt)), "mm_" + dt) for dt in ("f32", "bf16")}
    cat = {dt: getattr(rt.load(os.path.join(art, "cat_" + dt)), "cat_" + dt) for dt in ("f32", "bf16")}
    g = torch.Generator(device=dev).manual_seed(5)
    tdt = {"f32": torch.float32, "bf16": torch.bfloat16}
    for (N, K) in [(77, 1001), (64, 1024), (40, 96), (2048, 1024), (1024, 1024)]:
        for M in [1, 3, 8, 9, 16, 17, 40]:
            x = torch.randn(M, K, device=dev, generator=g)
            w = torch.randn(N, K, device=dev, generator=g) / K ** 0.5
            bias = torch.randn(N, device=dev, generator=g)
            for dt in ("f32", "bf16"):
                xs, ws, bs = x.to(tdt[dt]), w.to(tdt[dt]), bias.to(tdt[dt])
                ref = xs.double() @ ws.double().T + bs.double()
                y = torch.full((M, N), float("nan"), device=dev, dtype=tdt[dt])
                mm[dt](xs, ws, bs, outputs=[y])
                check("mm_%s M=%d N=%d K=%d vs f64" % (dt, M, N, K), rel(y, ref),
                      1e-5 if dt == "f32" else 1e-2)
    for (B, P, T) in [(3, 5, 2), (8, 2047, 1), (2, 0, 3), (1, 1000, 37)]:
        for dt in ("f32", "bf16"):
            a = torch.randn(B, P, 3, device=dev, generator=g).to(tdt[dt])
            b = torch.randn(B, T, 3, device=dev, generator=g).to(tdt[dt])
            z = torch.full((B, P + T, 3), float("nan"), device=dev, dtype=tdt[dt])
            cat[dt](a, b, z.clone(), outputs=[z])
            ok = bool(torch.equal(z, torch.cat([a, b], 1)))
            print("  check cat_%s B=%d P=%d T=%d exact: %s" % (dt, B, P, T, "ok" if ok else "FAIL"))
            if not ok:
                fails.append("cat %s %d %d %d" % (dt, B, P, T))
    # small-M GEMM timing: M = 8, the decode in_proj shape
    for (N, K) in [(2048, 1024), (1024, 1024)]:
        x = torch.randn(8, K, device=dev).bfloat16()
        w = (torch.randn(N, K, device=dev) / K ** 0.5).bfloat16()
        bias = torch.randn(N, device=dev).bfloat16()
        y = torch.empty(8, N, device=dev, dtype=torch.bfloat16)
        t_ours, _ = gb.cuda_time(torch, lambda: mm["bf16"](x, w, bias, outputs=[y]), reps=100)
        t_torch, _ = gb.cuda_time(torch, lambda: torch.nn.functional.linear(x, w, bias), reps=100)
        gbs = (N * K * 2) / t_ours / 1e6
        print("  time mm_bf16 M=8 N=%d K=%d (whole entry call, host overhead included): ours %.4f ms "
              "(%.0f GB/s of weights), torch linear %.4f ms" % (N, K, t_ours, gbs, t_torch))
    if args.variants:
        compare(args, torch, rt, gb, dev, check)
    print("decode_check: %d failed" % len(fails))
    return 1 if fails else 0


def compare(args, torch, rt, gb, dev, check):
    """Decode step (B = 8, P = 2048) and (4, 2048) layer of several artifact
    folders on the same inputs: outputs against the first, interleaved
    timings, and the decode step's kernel times (torch.profiler)."""
    from torch.profiler import profile as tprofile, ProfilerActivity
    variants = [v.split("=", 1) for v in args.variants.split(",")]
    rng = np.random.default_rng(3)
    p = {k: torch.from_numpy(v).to(dev).bfloat16() for k, v in gb.make_params(rng).items()}
    ops = [p[k] for k in gb.OPERAND_ORDER]
    d = gb.D // gb.H
    B, P = gb.DECODE_B, gb.DECODE_P
    caches = [torch.randn(B, P, gb.HK, d, device=dev).bfloat16(), torch.randn(B, P, gb.HK, d, device=dev).bfloat16(),
              torch.randn(B, P, 1, gb.D, device=dev).bfloat16(), torch.randn(B, P, 1, gb.D, device=dev).bfloat16()]
    x1 = torch.randn(B, 1, gb.D, device=dev).bfloat16()
    xl = torch.randn(4, 2048, gb.D, device=dev).bfloat16()
    arts = {}
    for tag, path in variants:
        S = rt.load(os.path.join(path, "step_bf16"))
        lp = os.path.join(path, "layer_bf16")
        L = rt.load(lp) if os.path.isdir(lp) else None
        new = [torch.full((B, P + 1) + c.shape[2:], float("nan"), device=dev, dtype=torch.bfloat16) for c in caches]
        y1 = torch.full_like(x1, float("nan"))
        yl = torch.full_like(xl, float("nan"))
        S.step_bf16(x1, *ops, *caches, outputs=[y1] + new)
        if L:
            L.layer_bf16(xl, *ops, outputs=[yl])
        torch.cuda.synchronize()
        arts[tag] = (S, L, y1, new, yl)
    base = variants[0][0]
    _, _, y_o, new_o, yl_o = arts[base]
    for tag, _ in variants[1:]:
        _, L, y_n, new_n, yl_n = arts[tag]
        check("decode step y %s vs %s (bf16)" % (tag, base), rel(y_n.float(), y_o.float()), 1e-2)
        for i, (a, b) in enumerate(zip(new_n, new_o)):
            same = bool(torch.equal(a, b)) and bool(torch.equal(a[:, :P], caches[i]))
            print("  check decode cache %d %s == %s and == input cache: %s" % (i, tag, base, "ok" if same else "FAIL"))
            if not same:
                check("decode cache %d equal" % i, float("nan"), 0)
        if L:
            check("layer (4,2048) y %s vs %s (bf16)" % (tag, base), rel(yl_n.float(), yl_o.float()), 1e-2)
    for rnd in range(2):
        for tag, _ in variants:
            S, L, y1, new, yl = arts[tag]
            ts, _ = gb.cuda_time(torch, lambda: S.step_bf16(x1, *ops, *caches, outputs=[y1] + new), reps=100)
            tl = float("nan")
            if L:
                tl, _ = gb.cuda_time(torch, lambda: L.layer_bf16(xl, *ops, outputs=[yl]), reps=20)
            print("  time round %d %-4s: decode step bf16 B=8 P=2048 %.4f ms, layer bf16 (4,2048) %.4f ms"
                  % (rnd, tag, ts, tl))
    for tag, _ in variants:
        S, L, y1, new, yl = arts[tag]
        with tprofile(activities=[ProfilerActivity.CUDA]) as prof:
            S.step_bf16(x1, *ops, *caches, outputs=[y1] + new)
            torch.cuda.synchronize()
        ev = [e for e in prof.events() if e.device_type.name == "CUDA"]
        durs = [e.device_time_total if hasattr(e, "device_time_total") else e.cuda_time_total for e in ev]
        print("  kernels %-4s (%d, %.1f us busy): %s" % (tag, len(durs), sum(durs),
                                                       " ".join("%.1f" % x for x in durs)))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("--out", required=True)
    r = sub.add_parser("run")
    r.add_argument("--artifacts", required=True)
    r.add_argument("--variants", default="",
                   help="TAG=DIR,... gpu_bench.py artifact folders to compare (the first is the base)")
    args = ap.parse_args()
    return {"build": build, "run": run}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
