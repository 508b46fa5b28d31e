#!/usr/bin/env python3
"""Same-process comparison of two bf16 layer artifacts (branch gpu13-tail).

  SESSA_PYTHONPATH=... python3 tail_compare.py BASE_DIR NEW_DIR [VARIANT_DIR...]

For each layer shape of gpu_bench (and a small odd one): the new artifact's
output against the base artifact's (the W_out GEMM's fused residual does the
same f32 operations in the same order as the separate kernel: expected equal
bit for bit), the in-place call (y passed as x's own memory) against the
out-of-place result for both artifacts, then CUDA-event medians of the two
artifacts, interleaved over three rounds (timings move ~5% between runs, so
only a same-process comparison says which is faster).
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gpu_bench as gb  # noqa: E402


def main():
    import torch
    sys.path.insert(0, os.environ.get("SESSA_PYTHONPATH") or os.path.join(gb.ROOT, "python"))
    import sessa.runtime as rt
    base_dir, new_dir = sys.argv[1], sys.argv[2]
    dev = torch.device("cuda")
    rng = np.random.default_rng(1234)
    p = {k: torch.from_numpy(v).to(dev).bfloat16() for k, v in gb.make_params(rng).items()}
    ops = [p[k] for k in gb.OPERAND_ORDER]
    arts = {"base": rt.load(os.path.join(base_dir, "layer_bf16")),
            "tail": rt.load(os.path.join(new_dir, "layer_bf16"))}
    for d in sys.argv[3:]:
        arts[os.path.basename(os.path.normpath(d))] = rt.load(os.path.join(d, "layer_bf16"))
    bad = 0
    for (B, T) in [(2, 37), (1, 1)] + gb.LAYER_SHAPES:
        x = torch.randn(B, T, gb.D, device=dev).bfloat16()
        ys = {}
        for name, L in arts.items():
            y = torch.empty_like(x)
            L.layer_bf16(x, *ops, outputs=[y])
            xin = x.clone()
            L.layer_bf16(xin, *ops, outputs=[xin])
            torch.cuda.synchronize()
            e = gb.rel(xin.float(), y.float())
            ok = gb.ok(e, 0.0) and bool(torch.isfinite(y.float()).all())
            bad += not ok
            print("check %s B=%d T=%d in place (y is x) vs y: rel %.2e %s"
                  % (name, B, T, e, "ok" if ok else "FAIL"))
            ys[name] = y
        for name in arts:
            if name == "base":
                continue
            e = gb.rel(ys[name].float(), ys["base"].float())
            ok = gb.ok(e, 0.0)
            bad += not ok
            print("check %s vs base B=%d T=%d: rel %.2e %s"
                  % (name, B, T, e, "ok" if ok else "FAIL"))
        if (B, T) not in gb.LAYER_SHAPES:
            continue
        y = torch.empty_like(x)
        times = {name: [] for name in arts}
        for _ in range(3):
            for name, L in arts.items():
                t, _ = gb.cuda_time(torch, lambda: L.layer_bf16(x, *ops, outputs=[y]),
                                    warmup=3, reps=30, budget_s=5.0)
                times[name].append(t)
        print("layer bf16 (%d,%d) ms, 3 rounds (median): %s"
              % (B, T, "; ".join("%s %s (%.4f)" % (name, " ".join("%.4f" % t for t in ts),
                                                   float(np.median(ts)))
                                 for name, ts in times.items())))
    print("compare checks: %s" % ("all pass" if not bad else "%d FAILED" % bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
