#!/usr/bin/env python3
"""Checks and times the --sessa-gpu-matmul kernels on a GPU (CuPy + PyTorch).

usage: gemm_check.py DIR [OUT]   DIR: what gemm_build.py wrote (manifest.json,
<variant>.cubin/.ptx). Every kernel takes A, B, C as expanded memref
descriptors (allocated ptr, aligned ptr, offset, sizes..., strides...; i64),
grid (ceil(N/tile n), ceil(M/tile m), batch; tile from the manifest), block and dynamic shared memory from
the outlined IR (manifest). Correctness: relative L2 error vs float64 on
fresh random data, C poisoned with NaN before overwrite kernels, the memory
around C's view checked untouched. Timing: CUDA events, median, vs
torch.matmul (fp32 without TF32, bf16).
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
torch.backends.cudnn.allow_tf32 = False
D = pathlib.Path(sys.argv[1])
OUT = pathlib.Path(sys.argv[2]) if len(sys.argv) > 2 else None
MAN = json.loads((D / "manifest.json").read_text())
DT = {"f32": torch.float32, "bf16": torch.bfloat16, "f16": torch.float16}
dev = torch.device("cuda")
_fns = {}


def fn(name):
    if name not in _fns:
        try:
            mod = cp.RawModule(path=str(D / f"{name}.cubin"))
            f = mod.get_function(MAN[name]["kernel"])
        except Exception as e:  # driver too old for the cubin: JIT the PTX
            print(f"{name}: cubin failed ({e}); loading PTX")
            mod = cp.RawModule(path=str(D / f"{name}.ptx"))
            f = mod.get_function(MAN[name]["kernel"])
        # Above 48 KiB of dynamic shared memory the kernel must opt in (what
        # Sessa's mgpuLaunchKernel does).
        if MAN[name]["smem"] > 48 * 1024:
            f.max_dynamic_shared_size_bytes = MAN[name]["smem"]
        _fns[name] = f
    return _fns[name]


class Operand:
    """A strided view into a larger flat buffer (row padding, offset)."""

    def __init__(self, shape, dtype, pad=0, offset=0, src=None):
        strides, s = [], 1
        for i, n in reversed(list(enumerate(shape))):
            strides.insert(0, s)
            s *= n + (pad if i == len(shape) - 1 else 0)
        extent = 1 + sum((n - 1) * st for n, st in zip(shape, strides)) if all(shape) else 0
        self.flat32 = torch.randn(offset + extent + 64, device=dev)  # + tail guard
        self.flat = self.flat32.to(dtype)
        self.shape, self.strides, self.offset = list(shape), strides, offset
        self.view = self.flat.as_strided(shape, strides, offset)
        self.view32 = self.flat32.as_strided(shape, strides, offset)

    def desc(self):
        p = np.uint64(self.flat.data_ptr())
        return ([p, p, np.int64(self.offset)] + [np.int64(x) for x in self.shape]
                + [np.int64(x) for x in self.strides])


_libcuda = None
_maps = {}
# L2 promotion of the tensor maps (CU_TENSOR_MAP_L2_PROMOTION_*: 0 none,
# 1 64B, 2 128B as the runtime, 3 256B); GEMM_TMA_L2 for experiments.
L2_PROMOTION = int(__import__("os").environ.get("GEMM_TMA_L2", "2"))


def tensor_map(op, box_rows):
    """Device address of the TMA tensor map of a rank-2 Operand (rows x k,
    k innermost) for box_rows x 64 boxes, as Sessa's runtime makes it
    (sessa_cuda_tensor_map_2d: 2-byte elements, 128-byte swizzle, L2 128B
    promotion, zero fill); None when TMA cannot describe it (the compiled
    host code then launches the cp.async kernel)."""
    global _libcuda
    import ctypes
    if _libcuda is None:
        _libcuda = ctypes.CDLL("libcuda.so.1")
    rows, cols = op.shape
    rs, cs = op.strides
    base = op.flat.data_ptr() + 2 * op.offset
    if cs != 1 or (rs * 2) % 16 or base % 16 or rows < 1 or cols < 1:
        return None
    key = (base, rows, cols, rs, box_rows, L2_PROMOTION)
    if key in _maps:  # made once per buffer, as the runtime caches them
        return _maps[key].data_ptr()
    buf = ctypes.create_string_buffer(256)
    at = (ctypes.addressof(buf) + 127) & ~127
    dims = (ctypes.c_uint64 * 2)(cols, rows)
    strides = (ctypes.c_uint64 * 1)(rs * 2)
    box = (ctypes.c_uint32 * 2)(64, box_rows)
    unit = (ctypes.c_uint32 * 2)(1, 1)
    r = _libcuda.cuTensorMapEncodeTiled(
        ctypes.c_void_p(at), ctypes.c_int(1), ctypes.c_uint(2), ctypes.c_void_p(base),
        dims, strides, box, unit, ctypes.c_int(0), ctypes.c_int(3), ctypes.c_int(L2_PROMOTION),
        ctypes.c_int(0))
    if r != 0:
        print(f"cuTensorMapEncodeTiled: {r}")
        return None
    host = torch.frombuffer(bytearray(ctypes.string_at(at, 128)), dtype=torch.uint8)
    dev_map = host.to(dev)
    _maps[key] = dev_map  # keeps it alive
    return dev_map.data_ptr()


def launch(name, a, b, c, m, n, batch):
    cfg = MAN[name]
    if cfg.get("tma"):
        ma, mb = tensor_map(a, 128), tensor_map(b, cfg["tma_block_n"])
        if ma is None or mb is None:
            raise RuntimeError("no tensor map for this layout (the host would take the "
                               "cp.async kernel)")
        vals = {"A": a.desc(), "B": b.desc(), "C": c.desc(),
                "mapA": [np.uint64(ma)], "mapB": [np.uint64(mb)]}
        args = [v for k in cfg["args"] for v in vals[k]]
        tiles = math.ceil(m / 128) * math.ceil(n / cfg["tma_block_n"])
        fn(name)((min(tiles, 132), 1, 1), tuple(cfg["block"]), tuple(args),
                 shared_mem=cfg["smem"])
        return
    grid = (math.ceil(n / cfg["tile"][1]), math.ceil(m / cfg["tile"][0]), batch)
    fn(name)(grid, tuple(cfg["block"]), tuple(a.desc() + b.desc() + c.desc()),
             shared_mem=cfg["smem"])


def product(a, b, tb):
    bt = b.transpose(-1, -2) if tb else b
    return torch.matmul(a, bt)


def check(name, m, n, k, batch=1, layout="dense"):
    cfg = MAN[name]
    pad, off = {"dense": (0, 0), "padded": (8, 64), "unaligned": (3, 1)}[layout]
    pre = [batch] if cfg["batched"] else []
    a = Operand(pre + [m, k], DT[cfg["a"]], pad, off)
    b = Operand(pre + ([n, k] if cfg["transpose_b"] else [k, n]), DT[cfg["b"]], pad, off)
    c = Operand(pre + [m, n], DT[cfg["c"]], pad, off)
    c0 = c.view.double().clone()
    if cfg["overwrite"]:
        c.view.fill_(float("nan"))
    outside = c.flat.clone()
    torch.cuda.synchronize()
    launch(name, a, b, c, m, n, batch)
    torch.cuda.synchronize()
    out = c.view.double()
    ref = product(a.view.double(), b.view.double(), cfg["transpose_b"])
    ref32 = product(a.view32.double(), b.view32.double(), cfg["transpose_b"])
    if not cfg["overwrite"]:
        ref, ref32 = ref + c0, ref32 + c0
    err = (torch.linalg.norm(out - ref) / torch.linalg.norm(ref)).item()
    err32 = (torch.linalg.norm(out - ref32) / torch.linalg.norm(ref32)).item()
    # Memory around the view untouched (compare after clearing the view).
    after = c.flat.clone()
    after.as_strided(c.shape, c.strides, c.offset).zero_()
    outside.as_strided(c.shape, c.strides, c.offset).zero_()
    untouched = torch.equal(torch.nan_to_num(after), torch.nan_to_num(outside))
    nan = bool(torch.isnan(out).any())
    tol = 1e-2 if cfg["c"] != "f32" else 1e-5
    ok = not nan and untouched and err <= tol and (cfg["a"] == "f32" or err32 <= 1e-2)
    return ok, err, err32, nan, untouched


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
    return float(np.median(times)), float(np.min(times)), float(np.max(times))


def bench(name, m, n, k):
    cfg = MAN[name]
    a = Operand([m, k], DT[cfg["a"]])
    b = Operand([n, k] if cfg["transpose_b"] else [k, n], DT[cfg["b"]])
    c = Operand([m, n], DT[cfg["c"]])
    ours = median_ms(lambda: launch(name, a, b, c, m, n, 1))
    at, bt = a.view.contiguous(), b.view.contiguous()
    theirs = median_ms(lambda: product(at, bt, cfg["transpose_b"]))
    # Same inputs: results agree (sanity for the timed configuration).
    out = c.view.double()
    ref = product(a.view.double(), b.view.double(), cfg["transpose_b"])
    err = (torch.linalg.norm(out - ref) / torch.linalg.norm(ref)).item()
    fl = 2.0 * m * n * k
    return ours, theirs, fl / ours[0] / 1e9, fl / theirs[0] / 1e9, err


def main():
    print(torch.cuda.get_device_name(), "torch", torch.__version__, "cupy", cp.__version__)
    for name, cfg in MAN.items():
        print(f"{name:22s} {cfg['options'] or 'default':20s} smem={cfg['smem']:6d} {cfg['ptxas']}")
    results = {"check": [], "bench": []}
    sizes = [(1, 96, 1000), (37, 96, 1000), (37, 130, 37), (128, 128, 128),
             (257, 384, 1024), (1, 1024, 1024), (300, 200, 72), (2048, 1024, 1024)]
    fails = 0
    print("\n== correctness (rel L2 vs float64 of the kernel's inputs; err32: vs the "
          "unrounded fp32 inputs)")
    for name, cfg in MAN.items():
        if name.endswith("_timing"):
            continue  # measurement variants (wrong results by design)
        cases = [(s, "dense") for s in sizes]
        cases += [((37, 96, 1000), "padded"), ((257, 384, 1024), "padded"),
                  ((37, 96, 1000), "unaligned"), ((130, 136, 1000), "unaligned")]
        if cfg.get("tma"):
            # TMA needs 16-byte aligned rows (the unaligned layouts run the
            # cp.async kernel, checked with the tma=0 variants); K=37 rows
            # are not either.
            cases = [((mm, nn, kk), l) for (mm, nn, kk), l in cases
                     if l != "unaligned" and kk % 8 == 0]
            cases += [((1000, 1000, 72), "dense"), ((129, 257, 200), "dense"),
                      ((8192, 1024, 1024), "dense"), ((4000, 1000, 1032), "padded")]
        for (m, n, k), layout in cases:
            batch = 3 if cfg["batched"] else 1
            try:
                ok, err, err32, nan, untouched = check(name, m, n, k, batch, layout)
            except Exception:
                traceback.print_exc()
                ok, err, err32, nan, untouched = False, float("nan"), float("nan"), True, False
            fails += not ok
            line = (f"{'PASS' if ok else 'FAIL'} {name:22s} M={m:5d} N={n:5d} K={k:5d} "
                    f"b={batch} {layout:9s} err={err:.2e} err32={err32:.2e}"
                    f"{' NaN' if nan else ''}{'' if untouched else ' WROTE-OUTSIDE'}")
            print(line)
            results["check"].append(line)
    print(f"\n{fails} failing checks")
    print("\n== timing (median of 30, CUDA events)")
    timed = [n for n in MAN if n.startswith(("f32_nt", "bf16_nt", "bf16_t", "bf16_bf16out_t",
                                            "bf16_wgmma", "bf16_bf16out_wgmma", "bf16_tma",
                                            "bf16_bf16out_tma"))
             and "batched" not in n]
    # The defaults again at the end: the spread between two timings of one
    # kernel is the noise floor for comparing variants.
    for name in timed + ["f32_nt", "bf16_nt", "bf16_nt_bf16out"]:
        for (m, n, k) in ((8192, 1024, 1024), (8192, 2048, 1024)):
            try:
                ours, theirs, tf, ttf, err = bench(name, m, n, k)
                line = (f"{name:22s} M={m} N={n} K={k}: ours {ours[0]:.3f} ms "
                        f"({tf:.1f} TFLOP/s, min {ours[1]:.3f})  torch {theirs[0]:.3f} ms "
                        f"({ttf:.1f} TFLOP/s)  ratio {theirs[0] / ours[0]:.2f}  err={err:.1e}")
            except Exception:
                traceback.print_exc()
                line = f"{name} M={m} N={n} K={k}: FAILED"
            print(line)
            results["bench"].append(line)
    if OUT:
        (OUT / "gemm_results.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
