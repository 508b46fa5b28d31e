#!/usr/bin/env python3
"""Builds GEMM kernels with fused epilogues (--sessa-gpu-matmul) for
gemm_epilogue_check.py.

Each variant is a function on memrefs (dynamic sizes, strided layouts): a
zero fill and a product into a temporary C (memref.alloc, f32), then one or
more elementwise linalg.generic consumers (bias add + cast, GELU then cast,
residual add) that the pass fuses into the kernel's epilogue. The script
checks that they fused (no linalg left, one launch), outlines, lowers with
the upstream NVVM pipeline (sm_90), runs ptxas, and records in
manifest.json the kernel's arguments (which function parameters, in order;
each an expanded memref descriptor) and the launch configuration.

usage: gemm_epilogue_build.py BUILD_DIR OUTDIR [BASELINE_SESSA_OPT]
(BASELINE_SESSA_OPT, e.g. main's: also builds "bf16_nt_base", the plain
bf16 product into an f32 argument with that sessa-opt, for before/after
timing of the kernel itself).
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

GELU = """      %g0 = arith.mulf {x}, %rs2 : f32
      %g1 = math.erf %g0 : f32
      %g2 = arith.mulf {x}, %half : f32
      %g3 = arith.addf %g1, %one : f32
      %g4 = arith.mulf %g2, %g3 : f32
"""


PAR = '"parallel", '


def elem_of(t):
    return re.search(r"x(\w+)[,>]", t).group(1)


def strided(rank, t):
    return (f"memref<{'x'.join(['?'] * rank)}x{t}, strided<[{', '.join(['?'] * rank)}], "
            f"offset: ?>>")


def module(name, elem, batched, consumers):
    """consumers: list of (extras [(param, type, map)], body lines, out type)."""
    rank = 3 if batched else 2
    dims = "b, m, n, k" if batched else "m, n, k"
    edims = "b, m, n" if batched else "m, n"
    pre = "b, " if batched else ""
    params = [("a", strided(rank, elem)), ("b", strided(rank, elem))]
    for extras, _, _ in consumers:
        for p, t, _ in extras:
            params.append((p, t))
    out_t = consumers[-1][2]
    params.append(("d", strided(rank, out_t)))
    # The output is marked noalias: the pass fuses only when it provably does
    # not overlap the inputs.
    sig = ", ".join(f"%{p}: {t}" + (" {llvm.noalias}" if p == "d" else "")
                    for p, t in params)
    ext = "" if elem == "f32" else (
        f"      %xe = arith.extf %x : {elem} to f32\n"
        f"      %ye = arith.extf %y : {elem} to f32\n")
    xv, yv = ("%x", "%y") if elem == "f32" else ("%xe", "%ye")
    sizes = (["%nb = memref.dim %a, %c0 : " + params[0][1]] if batched else [])
    a_m = 1 if batched else 0
    sizes += [f"%nm = memref.dim %a, %c{a_m} : {params[0][1]}",
              f"%nn = memref.dim %b, %c{a_m} : {params[1][1]}"]
    shape = "x".join(["?"] * rank)
    alloc_args = "%nb, %nm, %nn" if batched else "%nm, %nn"
    body = [f"    %c{i} = arith.constant {i} : index" for i in range(2)]
    body += ["    %rs2 = arith.constant 0.70710678118654752 : f32",
             "    %half = arith.constant 0.5 : f32", "    %one = arith.constant 1.0 : f32",
             "    %zero = arith.constant 0.0 : f32"]
    body += ["    " + s for s in sizes]
    body += [f"    %t0 = memref.alloc({alloc_args}) : memref<{shape}xf32>",
             f"    linalg.fill ins(%zero : f32) outs(%t0 : memref<{shape}xf32>)",
             f"    linalg.generic {{indexing_maps = [affine_map<({dims}) -> ({pre}m, k)>, "
             f"affine_map<({dims}) -> ({pre}n, k)>, affine_map<({dims}) -> ({pre}m, n)>], "
             f"iterator_types = [{PAR * rank}\"reduction\"]}}",
             f"        ins(%a, %b : {params[0][1]}, {params[1][1]}) outs(%t0 : memref<{shape}xf32>) {{",
             f"    ^bb0(%x: {elem}, %y: {elem}, %o: f32):",
             ext + f"      %p = arith.mulf {xv}, {yv} : f32",
             "      %s = arith.addf %o, %p : f32",
             "      linalg.yield %s : f32", "    }"]
    cur, cur_t = "%t0", f"memref<{shape}xf32>"
    cur_e = "f32"
    ident = f"affine_map<({edims}) -> ({edims})>"
    for i, (extras, lines, ot) in enumerate(consumers):
        last = i == len(consumers) - 1
        if last:
            dst, dst_t = "%d", params[-1][1]
        else:
            dst, dst_t = f"%t{i + 1}", f"memref<{shape}x{ot}>"
            body.append(f"    {dst} = memref.alloc({alloc_args}) : {dst_t}")
        ins = [cur] + [f"%{p}" for p, _, _ in extras]
        tys = [cur_t] + [t for _, t, _ in extras]
        maps = [ident] + [f"affine_map<({edims}) -> ({m})>" for _, _, m in extras] + [ident]
        args = [f"%v: {cur_e}"] + [f"%{p}v: " + elem_of(t)
                                   for p, t, _ in extras] + [f"%out: {ot}"]
        body += [f"    linalg.generic {{indexing_maps = [{', '.join(maps)}], "
                 f"iterator_types = [{(PAR * rank)[:-2]}]}}",
                 f"        ins({', '.join(ins)} : {', '.join(tys)}) outs({dst} : {dst_t}) {{",
                 f"    ^bb0({', '.join(args)}):", lines.rstrip("\n"),
                 "    }"]
        cur, cur_t, cur_e = dst, dst_t, ot
    return (f"module {{\n  func.func @gemm({sig}) {{\n" + "\n".join(body)
            + "\n    return\n  }\n}\n"), [p for p, _ in params]


BIAS_CAST = ("      %bf = arith.extf %biasv : bf16 to f32\n"
             "      %r0 = arith.addf %v, %bf : f32\n"
             "      %r = arith.truncf %r0 : f32 to bf16\n      linalg.yield %r : bf16\n")
GELU_F32 = GELU.format(x="%v") + "      linalg.yield %g4 : f32\n"
CAST = "      %r = arith.truncf %v : f32 to bf16\n      linalg.yield %r : bf16\n"
RESID = "      %r = arith.addf %v, %resv : f32\n      linalg.yield %r : f32\n"
BIAS_GELU = ("      %x0 = arith.addf %v, %biasv : f32\n" + GELU.format(x="%x0")
             + "      linalg.yield %g4 : f32\n")

# name: (operand type, batched, consumers, reference (for the checker))
VARIANTS = {
    "bf16_bias_cast": ("bf16", False, [
        ([("bias", strided(1, "bf16"), "n")], BIAS_CAST, "bf16")], "bias_cast"),
    "bf16_gelu_cast": ("bf16", False, [([], GELU_F32, "f32"), ([], CAST, "bf16")], "gelu_cast"),
    # (A residual (m, n) input is no longer fused: run 1 measured it slower
    # than the separate kernel; the variant was
    # ("bf16", False, [([("res", strided(2, "f32"), "m, n")], RESID, "f32")],
    #  "residual").)
    "f32_bias_gelu": ("f32", False, [
        ([("bias", strided(1, "f32"), "n")], BIAS_GELU, "f32")], "bias_gelu"),
    "bf16_batched_bias_cast": ("bf16", True, [
        ([("bias", strided(2, "bf16"), "b, n")], BIAS_CAST, "bf16")], "bias_cast"),
    # The same product with f32 output and no consumer: the baseline kernel.
    "bf16_plain": ("bf16", False, [([], "      linalg.yield %v : f32\n", "f32")], "plain"),
}


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


def build_one(name, sessa_opt, src, params, elem, batched, ref, out_t, out, manifest,
              check_fused=False):
    gpu = out / f"{name}.gpu.mlir"
    # small-m=0: only the tiled kernel (the one measured here).
    # GEMM_OPTS (env): more pass options, e.g. "wgmma=1" (then sm_90a).
    extra = os.environ.get("GEMM_OPTS", "") if not name.endswith("_base") else ""
    run([sessa_opt, str(src), "--sessa-gpu-matmul=small-m=0 " + extra, "-o", str(gpu)])
    g = gpu.read_text()
    fused = ("linalg." not in g and g.count("gpu.launch ") == 1
             and "memref.alloc" not in g)
    if check_fused and not fused:
        sys.exit(f"{name}: not fused")
    outl = out / f"{name}.out.mlir"
    run([MLIR_OPT, str(gpu), "--canonicalize", "--cse",
         "--gpu-launch-sink-index-computations", "--gpu-kernel-outlining",
         "-o", str(outl)])
    t = outl.read_text()
    consts = dict(re.findall(r"(%c\w+) = arith\.constant (\d+) :", t))
    # With wgmma=1 (tma on by default) the module also holds the TMA kernel
    # (384 threads, launched only when the runtime makes tensor maps): this
    # harness checks the cp.async kernel (pass tma=0 to drop the TMA one).
    launch = next((l for l in re.finditer(
        r"gpu\.launch_func\s+@(\w+)::@(\w+).*?threads in \((%\w+), (%\w+), "
        r"(%\w+)\)\s+dynamic_shared_memory_size (%\w+) args\((.*?)\)\n", t)
        if int(consts[l.group(3)]) != 384), None)
    if not launch:
        sys.exit(f"{name}: no launch_func")
    block = [int(consts[v]) for v in launch.group(3, 4, 5)]
    smem = int(consts[launch.group(6)])
    args = []
    for a in launch.group(7).split(", %"):
        v, ty = a.strip().lstrip("%").split(" : ", 1)
        m = re.fullmatch(r"arg(\d+)", v)
        if not m or not ty.startswith("memref"):
            sys.exit(f"{name}: kernel argument {a} is not a parameter memref")
        args.append(params[int(m.group(1))])
    ll = out / f"{name}.ll.mlir"
    chip = "sm_90a" if "wgmma=1" in extra else "sm_90"
    run([MLIR_OPT, str(outl), "--gpu-lower-to-nvvm-pipeline="
         f"cubin-chip={chip} cubin-features=+ptx80 cubin-format=isa",
         "-o", str(ll)])
    m = re.search(r'assembly = "((?:[^"\\]|\\.)*)"', ll.read_text())
    ptx = out / f"{name}.ptx"
    ptx.write_text(unescape(m.group(1)))
    r = run([f"{CUDA}/bin/ptxas", f"-arch={chip}", "-v", str(ptx), "-o",
             str(out / f"{name}.cubin")])
    usage = " ".join(l.replace("ptxas info    :", "").strip()
                     for l in r.stderr.splitlines() if "registers" in l or "spill" in l)
    p = ptx.read_text()
    manifest[name] = {
        "elem": elem, "batched": batched, "ref": ref, "out": out_t,
        "kernel": launch.group(2), "block": block, "smem": smem, "tile": launch_tile(t, launch),
        "args": args, "ptxas": usage,
        "stores": {k: p.count(f"st.global.{k} ") + p.count(f"st.global.{k}\t")
                   for k in ("v2.f32", "v2.b32", "b32", "f32", "b16", "v2.b16")},
        "mma": p.count("mma.sync"),
    }
    for f in (gpu, ll):
        f.unlink()
    print(f"{name:24s} args={args} {usage} stores={manifest[name]['stores']}")


def main():
    build, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    sessa_opt = build / "bin" / "sessa-opt"
    manifest = {}
    for name, (elem, batched, consumers, ref) in VARIANTS.items():
        text, params = module(name, elem, batched, consumers)
        src = out / f"{name}.mlir"
        src.write_text(text)
        build_one(name, str(sessa_opt), src, params, elem, batched, ref, consumers[-1][2],
                  out, manifest, check_fused=name != "bf16_plain")
    if len(sys.argv) > 3:
        from gemm_build import module as plain_module
        name = "bf16_nt_base"
        src = out / f"{name}.mlir"
        src.write_text(plain_module("bf16", "bf16", "f32", True, True, False))
        # Parameters a, b, c: the product's C is this harness's d.
        build_one(name, sys.argv[3], src, ["a", "b", "d"], "bf16", False, "plain", "f32",
                  out, manifest)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1))


if __name__ == "__main__":
    main()
