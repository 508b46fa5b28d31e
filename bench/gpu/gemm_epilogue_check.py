#!/usr/bin/env python3
"""Checks and times the fused-epilogue GEMM kernels (gemm_epilogue_build.py)
on a GPU (CuPy + PyTorch).

usage: gemm_epilogue_check.py DIR [OUT]
Each kernel takes the memrefs listed in manifest.json "args" (function
parameters a, b, d, bias, res) as expanded descriptors (i64), grid
(ceil(N/tile n), ceil(M/tile m), batch; the tile from the manifest). Correctness: relative L2 error of the
output D vs a float64 reference computed from the kernel's own inputs
(bf16 output <= 1e-2, f32 output <= 1e-5); D poisoned with NaN first; the
memory around D's view checked untouched; layouts dense, padded (row pitch
+8, offset 64: strided views, paired stores), pad1 (pitch +1: with an odd
N an even pitch, so paired stores with a single last column) and unaligned
(pitch +3, offset 1: scalar loads and stores). Timing: CUDA events, median of 30 after
5 warm-ups, M=8192 N=1024 K=1024 (the layer's projections) and N=2048; vs
the plain product kernel (f32 C, no epilogue) and torch (F.linear with bias,
bf16; and the unfused consumer alone: f32 C + bias -> bf16).
"""
import json
import math
import pathlib
import sys
import traceback

import cupy as cp
import numpy as np
import torch

torch.backends.cuda.matmul.allow_tf32 = False
D = pathlib.Path(sys.argv[1])
OUT = pathlib.Path(sys.argv[2]) if len(sys.argv) > 2 else None
MAN = json.loads((D / "manifest.json").read_text())
DT = {"f32": torch.float32, "bf16": torch.bfloat16, "f16": torch.float16}
dev = torch.device("cuda")
_fns = {}
LOG = []


def say(s):
    print(s, flush=True)
    LOG.append(s)


def fn(name):
    if name not in _fns:
        try:
            f = cp.RawModule(path=str(D / f"{name}.cubin")).get_function(MAN[name]["kernel"])
        except Exception as e:
            say(f"{name}: cubin failed ({e}); loading PTX")
            f = cp.RawModule(path=str(D / f"{name}.ptx")).get_function(MAN[name]["kernel"])
        if MAN[name]["smem"] > 48 * 1024:
            f.max_dynamic_shared_size_bytes = MAN[name]["smem"]
        _fns[name] = f
    return _fns[name]


class Operand:
    """A strided view into a larger flat buffer (row padding, offset)."""

    def __init__(self, shape, dtype, pad=0, offset=0):
        strides, s = [], 1
        for i, n in reversed(list(enumerate(shape))):
            strides.insert(0, s)
            s *= n + (pad if i == len(shape) - 1 else 0)
        extent = 1 + sum((n - 1) * st for n, st in zip(shape, strides)) if all(shape) else 0
        self.flat = torch.randn(offset + extent + 64, device=dev).to(dtype)
        self.shape, self.strides, self.offset = list(shape), strides, offset
        self.view = self.flat.as_strided(shape, strides, offset)

    def desc(self):
        p = np.uint64(self.flat.data_ptr())
        return ([p, p, np.int64(self.offset)] + [np.int64(x) for x in self.shape]
                + [np.int64(x) for x in self.strides])


def operands(name, m, n, k, batch, layout):
    cfg = MAN[name]
    pad, off = {"dense": (0, 0), "padded": (8, 64), "unaligned": (3, 1),
                "pad1": (1, 0)}[layout]
    pre = [batch] if cfg["batched"] else []
    el = DT[cfg["elem"]]
    ops = {"a": Operand(pre + [m, k], el, pad, off), "b": Operand(pre + [n, k], el, pad, off),
           "d": Operand(pre + [m, n], DT[cfg["out"]], pad, off)}
    if "bias" in cfg["args"]:
        bt = torch.float32 if cfg["elem"] == "f32" else torch.bfloat16
        ops["bias"] = Operand(pre + [n], bt, pad, off)
    if "res" in cfg["args"]:
        ops["res"] = Operand(pre + [m, n], torch.float32, pad, off)
    return ops


def launch(name, ops, m, n, batch):
    cfg = MAN[name]
    grid = (math.ceil(n / cfg["tile"][1]), math.ceil(m / cfg["tile"][0]), batch)
    args = []
    for a in cfg["args"]:
        args += ops[a].desc()
    fn(name)(grid, tuple(cfg["block"]), tuple(args), shared_mem=cfg["smem"])


def gelu(x):
    return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))


def reference(name, ops):
    cfg = MAN[name]
    c = torch.matmul(ops["a"].view.double(), ops["b"].view.double().transpose(-1, -2))
    bias = ops["bias"].view.double().unsqueeze(-2) if "bias" in ops else None
    return {"bias_cast": lambda: c + bias, "gelu_cast": lambda: gelu(c),
            "residual": lambda: c + ops["res"].view.double(),
            "bias_gelu": lambda: gelu(c + bias), "plain": lambda: c}[cfg["ref"]]()


def check(name, m, n, k, batch, layout):
    cfg = MAN[name]
    ops = operands(name, m, n, k, batch, layout)
    d = ops["d"]
    d.view.fill_(float("nan"))
    outside = d.flat.clone()
    torch.cuda.synchronize()
    launch(name, ops, m, n, batch)
    torch.cuda.synchronize()
    out = d.view.double()
    ref = reference(name, ops)
    err = (torch.linalg.norm(out - ref) / torch.linalg.norm(ref)).item()
    after = d.flat.clone()
    after.as_strided(d.shape, d.strides, d.offset).zero_()
    outside.as_strided(d.shape, d.strides, d.offset).zero_()
    untouched = torch.equal(torch.nan_to_num(after), torch.nan_to_num(outside))
    nan = bool(torch.isnan(out).any())
    tol = 1e-2 if cfg["out"] != "f32" else 1e-5
    ok = not nan and untouched and err <= tol and math.isfinite(err)
    return ok, err, nan, untouched


def median_ms(run, iters=30, warm=5):
    for _ in range(warm):
        run()
    times = []
    for _ in range(iters):
        s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        s.record()
        run()
        e.record()
        e.synchronize()
        times.append(s.elapsed_time(e))
    return float(np.median(times)), float(np.min(times))


def main():
    say(f"{torch.cuda.get_device_name()} torch {torch.__version__} cupy {cp.__version__}")
    for name, cfg in MAN.items():
        say(f"{name:24s} smem={cfg['smem']} args={cfg['args']} {cfg['ptxas']} stores={cfg['stores']}")
    sizes = [(1, 96, 1000), (37, 96, 1000), (37, 130, 37), (128, 128, 128),
             (257, 384, 1024), (300, 37, 72), (300, 200, 72), (2048, 1024, 1024)]
    fails = 0
    say("\n== correctness (rel L2 vs float64 of the kernel's own inputs; D poisoned with NaN)")
    for name, cfg in MAN.items():
        cases = [(s, "dense") for s in sizes]
        cases += [((37, 96, 1000), "padded"), ((257, 384, 1024), "padded"),
                  ((300, 37, 72), "padded"), ((300, 37, 72), "pad1"),
                  ((129, 133, 200), "pad1"), ((37, 96, 1000), "unaligned"),
                  ((130, 136, 1000), "unaligned")]
        for (m, n, k), layout in cases:
            batch = 3 if cfg["batched"] else 1
            try:
                ok, err, nan, untouched = check(name, m, n, k, batch, layout)
            except Exception:
                traceback.print_exc()
                ok, err, nan, untouched = False, float("nan"), True, False
            fails += not ok
            say(f"{'PASS' if ok else 'FAIL'} {name:24s} M={m:5d} N={n:5d} K={k:5d} b={batch} "
                f"{layout:9s} err={err:.2e}{' NaN' if nan else ''}"
                f"{'' if untouched else ' WROTE-OUTSIDE'}")
    say(f"\n{fails} failing checks")
    say("\n== timing (median of 30 / min, CUDA events)")
    for (m, n, k) in ((8192, 1024, 1024), (8192, 2048, 1024)):
        fl = 2.0 * m * n * k
        for name, cfg in MAN.items():
            if cfg["batched"]:
                continue
            try:
                ops = operands(name, m, n, k, 1, "dense")
                t = median_ms(lambda: launch(name, ops, m, n, 1))
                say(f"{name:24s} M={m} N={n} K={k}: {t[0]*1e3:7.1f} us (min {t[1]*1e3:.1f}) "
                    f"{fl / t[0] / 1e9:6.1f} TFLOP/s")
            except Exception:
                traceback.print_exc()
                say(f"{name} M={m} N={n} K={k}: FAILED")
        a = torch.randn(m, k, device=dev).bfloat16()
        w = torch.randn(n, k, device=dev).bfloat16()
        bias = torch.randn(n, device=dev).bfloat16()
        c32 = torch.randn(m, n, device=dev)
        t = median_ms(lambda: torch.nn.functional.linear(a, w, bias))
        say(f"{'torch F.linear+bias bf16':24s} M={m} N={n} K={k}: {t[0]*1e3:7.1f} us "
            f"{fl / t[0] / 1e9:6.1f} TFLOP/s")
        t = median_ms(lambda: torch.matmul(a, w.t()))
        say(f"{'torch matmul bf16':24s} M={m} N={n} K={k}: {t[0]*1e3:7.1f} us "
            f"{fl / t[0] / 1e9:6.1f} TFLOP/s")
        t = median_ms(lambda: (c32 + bias.float()).bfloat16())
        say(f"{'torch f32C+bias->bf16':24s} M={m} N={n}: {t[0]*1e3:7.1f} us (the unfused "
            f"consumer's traffic, eager: 2 kernels)")
    if OUT:
        (OUT / "gemm_epilogue.log").write_text("\n".join(LOG) + "\n")


if __name__ == "__main__":
    main()
