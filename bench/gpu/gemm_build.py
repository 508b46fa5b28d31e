#!/usr/bin/env python3
"""Builds the standalone GEMM kernels of --sessa-gpu-matmul for gemm_check.py.

For each variant below: a module with one product on memrefs (dynamic sizes,
strided layouts), --sessa-gpu-matmul (sessa-opt), outlining and the upstream
NVVM pipeline (mlir-opt), PTX extracted from the gpu.binary, a cubin from
ptxas (sm_90), and `ptxas -v` resource usage. Writes OUTDIR/<variant>.{mlir,
out.mlir,ptx,cubin} and OUTDIR/manifest.json (element types, maps, the launch
configuration read from the outlined IR).

usage: gemm_build.py BUILD_DIR OUTDIR [VARIANT...]   (needs mlir-opt 22 and
ptxas; with VARIANTs, rebuilds only those)
"""
import json
import os
import pathlib
import re
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from gemm_extract_ptx import unescape  # noqa: E402

MLIR_OPT = "/usr/lib/llvm-22/bin/mlir-opt"
CUDA = os.environ.get("CUDA_HOME", "/usr/local/cuda")

# name: (A type, B type, C type, transposeB, fill 0 (overwrite), batched
#        [, pass options])
VARIANTS = {
    "f32_nt": ("f32", "f32", "f32", True, True, False),
    "f32_nn_acc": ("f32", "f32", "f32", False, False, False),
    "bf16_nt": ("bf16", "bf16", "f32", True, True, False),
    # main's kernel (128x128, 8 warps of 64x32), built with BASE_SESSA_OPT.
    "bf16_nt_base": ("bf16", "bf16", "f32", True, True, False),
    "bf16_nt_bf16out": ("bf16", "bf16", "bf16", True, True, False),
    "f16_nt": ("f16", "f16", "f32", True, True, False),
    "bf16_nn": ("bf16", "bf16", "f32", False, True, False),
    "bf16_nt_batched": ("bf16", "bf16", "f32", True, True, True),
    # Tuning alternatives (block-k, stages) of the two layer forms.
    "f32_nt_k16s2": ("f32", "f32", "f32", True, True, False, "block-k=16 stages=2"),
    "f32_nt_k32s3": ("f32", "f32", "f32", True, True, False, "block-k=32 stages=3"),
    # bf16 tiles (block-m x block-n, warps, block-k / stages); the default
    # is bf16_nt.
    "bf16_t128x128w8_k64s3": ("bf16", "bf16", "f32", True, True, False,
                              "block-m=128 block-n=128 warps=8 block-k=64 stages=3"),
    "bf16_t128x256w8_k32s4": ("bf16", "bf16", "f32", True, True, False,
                              "block-m=128 block-n=256 warps=8 block-k=32 stages=4"),
    "bf16_t128x256w8_k64s4": ("bf16", "bf16", "f32", True, True, False,
                              "block-m=128 block-n=256 warps=8 block-k=64 stages=4"),
    "bf16_t256x128w8_k64s3": ("bf16", "bf16", "f32", True, True, False,
                              "block-m=256 block-n=128 warps=8 block-k=64 stages=3"),
    "bf16_t256x128w8_k32s4": ("bf16", "bf16", "f32", True, True, False,
                              "block-m=256 block-n=128 warps=8 block-k=32 stages=4"),
    "bf16_t128x128w4_k64s3": ("bf16", "bf16", "f32", True, True, False,
                              "block-m=128 block-n=128 warps=4 block-k=64 stages=3"),
    "bf16_t128x128w4_k32s4": ("bf16", "bf16", "f32", True, True, False,
                              "block-m=128 block-n=128 warps=4 block-k=32 stages=4"),
    # sm_90a wgmma (128 x block-n x 64, two warpgroups).
    "bf16_wgmma_n256s4": ("bf16", "bf16", "f32", True, True, False, "wgmma=1 tma=0 block-n=256 stages=4"),
    "bf16_wgmma_n128s4": ("bf16", "bf16", "f32", True, True, False, "wgmma=1 tma=0 block-n=128 stages=4"),
    "bf16_wgmma_n256s3": ("bf16", "bf16", "f32", True, True, False, "wgmma=1 tma=0 block-n=256 stages=3"),
    "bf16_wgmma_n128s6": ("bf16", "bf16", "f32", True, True, False, "wgmma=1 tma=0 block-n=128 stages=6"),
    # wgmma waiting for each k tile's products (run 5's kernel).
    "bf16_wgmma_n256s4_wait0": ("bf16", "bf16", "f32", True, True, False,
                                "wgmma=1 tma=0 block-n=256 stages=4 | --sessa-gpu-wgmma-pending=0"),
    "bf16_bf16out_wgmma_n256s4": ("bf16", "bf16", "bf16", True, True, False, "wgmma=1 tma=0 block-n=256 stages=4"),
    "f16_wgmma_n256s4": ("f16", "f16", "f32", True, True, False, "wgmma=1 tma=0 block-n=256 stages=4"),
    "bf16_nn_wgmma_n128s4": ("bf16", "bf16", "f32", False, True, False, "wgmma=1 tma=0 block-n=128 stages=4"),
    "bf16_batched_wgmma_n256s4": ("bf16", "bf16", "f32", True, True, True, "wgmma=1 tma=0 block-n=256 stages=4"),
    # sm_90a wgmma fed by TMA (warp-specialised, persistent; the launch of
    # 384 threads, tensor maps made by gemm_check.py).
    "bf16_tma_n256s4": ("bf16", "bf16", "f32", True, True, False, "wgmma=1 tma=1 block-n=256 stages=4"),
    "bf16_tma_n128s6": ("bf16", "bf16", "f32", True, True, False, "wgmma=1 tma=1 block-n=128 stages=6"),
    "bf16_bf16out_tma_n256s4": ("bf16", "bf16", "bf16", True, True, False, "wgmma=1 tma=1 block-n=256 stages=4"),
    "f16_tma_n256s4": ("f16", "f16", "f32", True, True, False, "wgmma=1 tma=1 block-n=256 stages=4"),
    # Ping-pong consumers (each warpgroup owns 128 x 128 tiles, 6 stages).
    "bf16_tma_pp": ("bf16", "bf16", "f32", True, True, False, "wgmma=1 tma=1 tma-pingpong=1"),
    "bf16_bf16out_tma_pp": ("bf16", "bf16", "bf16", True, True, False, "wgmma=1 tma=1 tma-pingpong=1"),
    "f16_tma_pp": ("f16", "f16", "f32", True, True, False, "wgmma=1 tma=1 tma-pingpong=1"),
    # Timing only (no epilogue: results not stored): what the epilogue costs.
    "bf16_bf16out_tma_n256s4_noepi_timing": ("bf16", "bf16", "bf16", True, True, False,
                                            "wgmma=1 tma=1 block-n=256 stages=4 | --sessa-gpu-tma-no-epilogue"),
    "bf16_bf16out_t128x128w4_k64s3": ("bf16", "bf16", "bf16", True, True, False,
                              "block-m=128 block-n=128 warps=4 block-k=64 stages=3"),
}


def module(at, bt, ct, transpose_b, fill, batched):
    dims = "b, m, n, k" if batched else "m, n, k"
    pre = "b, " if batched else ""
    bmap = "n, k" if transpose_b else "k, n"
    rank = 3 if batched else 2
    layout = "strided<[" + ", ".join(["?"] * rank) + "], offset: ?>"
    shape = "x".join(["?"] * rank)
    ty = {x: f"memref<{shape}x{x}, {layout}>" for x in {at, bt, ct}}
    iters = ", ".join(['"parallel"'] * (rank + 0) + ['"reduction"'])
    ext = lambda v, t: (f"      %{v}e = arith.extf %{v} : {t} to f32\n", f"%{v}e") \
        if t != "f32" else ("", f"%{v}")
    xa, xv = ext("x", at)
    ya, yv = ext("y", bt)
    oa, ov = ext("o", ct)
    res = "%s"
    tail = ""
    if ct != "f32":
        tail = f"      %r = arith.truncf %s : f32 to {ct}\n"
        res = "%r"
    fill_op = ""
    if fill:
        fill_op = (f"    %z = arith.constant 0.0 : {ct}\n"
                   f"    linalg.fill ins(%z : {ct}) outs(%c : {ty[ct]})\n")
    return f"""#mA = affine_map<({dims}) -> ({pre}m, k)>
#mB = affine_map<({dims}) -> ({pre}{bmap})>
#mC = affine_map<({dims}) -> ({pre}m, n)>
module {{
  func.func @gemm(%a: {ty[at]}, %b: {ty[bt]}, %c: {ty[ct]}) {{
{fill_op}    linalg.generic {{indexing_maps = [#mA, #mB, #mC], iterator_types = [{iters}]}}
        ins(%a, %b : {ty[at]}, {ty[bt]}) outs(%c : {ty[ct]}) {{
    ^bb0(%x: {at}, %y: {bt}, %o: {ct}):
{xa}{ya}{oa}      %p = arith.mulf {xv}, {yv} : f32
      %s = arith.addf {ov}, %p : f32
{tail}      linalg.yield {res} : {ct}
    }}
    return
  }}
}}
"""


def launch_tile(text, launch):
    """(rows, columns) of C per block: the divisors of the launch's grid
    (`gpu.launch_func ... blocks in (%x, %y, ...)` with %x = ceildivui N,
    cols and %y = ceildivui M, rows)."""
    head = text[:launch.start()]
    gx, gy = re.search(r"blocks in \((%\w+), (%\w+),", launch.group(0)).groups()
    def div(v):
        d = re.findall(re.escape(v) + r" = arith\.ceildivui %\w+, (%c\w+) :", head)
        return int(re.search(re.escape(d[-1]) + r" = arith\.constant (\d+) :", text).group(1))
    return [div(gy), div(gx)]


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode:
        sys.exit(f"failed: {' '.join(cmd)}\n{r.stderr}")
    return r


def main():
    build, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    sessa_opt = build / "bin" / "sessa-opt"
    only = sys.argv[3:]
    # Rebuilding only some variants keeps the others' manifest entries.
    old = out / "manifest.json"
    manifest = json.loads(old.read_text()) if only and old.exists() else {}
    for name, (at, bt, ct, tb, fill, batched, *opts) in VARIANTS.items():
        if only and name not in only:
            continue
        src = out / f"{name}.mlir"
        src.write_text(module(at, bt, ct, tb, fill, batched))
        gpu = out / f"{name}.gpu.mlir"
        # "PASS OPTIONS | MORE SESSA-OPT FLAGS"
        popts, _, more = (opts[0] if opts else "").partition("|")
        flag = "--sessa-gpu-matmul" + (f"={popts.strip()}" if popts.strip() else "")
        if name.endswith("_base"):
            # The previous kernel, from BASE_SESSA_OPT (env), for comparison.
            sessa_opt_used = os.environ["BASE_SESSA_OPT"]
        else:
            sessa_opt_used = str(sessa_opt)
        run([sessa_opt_used, str(src), flag, *more.split(), "-o", str(gpu)])
        outl = out / f"{name}.out.mlir"
        run([MLIR_OPT, str(gpu), "--canonicalize", "--cse",
             "--gpu-launch-sink-index-computations", "--gpu-kernel-outlining",
             "-o", str(outl)])
        text = outl.read_text()
        consts = dict(re.findall(r"(%c\w+) = arith\.constant (\d+) :", text))
        launches = list(re.finditer(
            r"gpu\.launch_func\s+@(\w+)::@(\w+).*?threads in \((%\w+), (%\w+), "
            r"(%\w+)\)\s+dynamic_shared_memory_size (%\w+) args\((.*?)\)\n",
            text))
        tma = "tma=1" in (opts[0] if opts else "")
        # The TMA variants' module holds the TMA launch (384 threads) and the
        # cp.async fallback: take the TMA one.
        launches = [l for l in launches
                    if (int(consts[l.group(3)]) == 384) == tma]
        if not launches:
            sys.exit(f"{name}: no launch_func with dynamic shared memory")
        launch = launches[0]
        block = [int(consts[v]) for v in launch.group(3, 4, 5)]
        args = []
        if tma:
            # Kernel arguments in order: A, B, C memrefs (the function's
            # %arg0..2) and the two tensor maps (llvm.ptrtoint results, A's
            # first).
            maps = re.findall(r"(%\w+) = llvm\.ptrtoint", text)
            for v in re.findall(r"(%\w+) : ", launch.group(7)):
                arg = v
                if v in ("%arg0", "%arg1", "%arg2"):
                    args.append("ABC"[int(v[-1])])
                elif v in maps:
                    args.append(["mapA", "mapB"][maps.index(v)])
                else:
                    sys.exit(f"{name}: unexpected kernel argument {arg}")
        smem = int(consts[launch.group(6)])
        ll = out / f"{name}.ll.mlir"
        chip = "sm_90a" if opts and "wgmma=1" in opts[0] else "sm_90"
        run([MLIR_OPT, str(outl), "--gpu-lower-to-nvvm-pipeline="
             f"cubin-chip={chip} cubin-features=+ptx80 cubin-format=isa",
             "-o", str(ll)])
        m = re.search(r'assembly = "((?:[^"\\]|\\.)*)"', ll.read_text())
        ptx = out / f"{name}.ptx"
        ptx.write_text(unescape(m.group(1)))
        r = run([f"{CUDA}/bin/ptxas", f"-arch={chip}", "-v", str(ptx), "-o",
                 str(out / f"{name}.cubin")])
        usage = " ".join(l.replace("ptxas info    :", "").strip()
                         for l in r.stderr.splitlines()
                         if "registers" in l or "spill" in l)
        p = ptx.read_text()
        manifest[name] = {
            "a": at, "b": bt, "c": ct, "transpose_b": tb, "overwrite": fill,
            "batched": batched, "options": opts[0] if opts else "",
            "kernel": launch.group(2), "block": block, "tma": tma,
            "args": args, "tma_block_n": (128 if "tma-pingpong=1" in opts[0] else
                                          int(re.search(r"block-n=(\d+)", opts[0]).group(1))) if tma else 0,
            "smem": smem, "tile": [128, 0] if tma else launch_tile(text, launch),
            "ptxas": usage,
            "mma": p.count("mma.sync"), "ldmatrix": p.count("ldmatrix"),
            "cp_async": p.count("cp.async.cg"), "ffma": p.count("fma.rn.f32"),
            "wgmma": p.count("wgmma.mma_async"),
        }
        # Only the launch and the cubin travel: drop the large intermediates.
        for f in (gpu, ll):
            f.unlink()
        print(f"{name:18s} {usage}  mma={manifest[name]['mma']} "
              f"ldmatrix={manifest[name]['ldmatrix']} ffma={manifest[name]['ffma']}")
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1))


if __name__ == "__main__":
    main()
