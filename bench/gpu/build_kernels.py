#!/usr/bin/env python3
"""Builds the sessa.rope / sessa.attention GPU kernels standalone (no GPU needed).

For each configuration below: a one-op MLIR function (dynamic B, T, S) ->
`sessa-opt --convert-sessa-to-gpu`, one-shot-bufferize, gpu-kernel-outlining
-> upstream `mlir-opt --gpu-lower-to-nvvm-pipeline` (sm_90, +ptx80, PTX) ->
ptxas -> cubin. Writes OUTDIR/<name>.{mlir,gpu.mlir,ptx,cubin} and
OUTDIR/manifest.json (kernel name, the launch_func arguments in order, the
ptxas resource line). run_kernels.py loads them on the GPU with CuPy.

Usage: build_kernels.py [--sessa-opt build/bin/sessa-opt] [--out DIR]
"""
import argparse
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

TYPES = {"f32": "f32", "bf16": "bf16", "f16": "f16"}


def attention_cfg(name, dt, H, Hk, d, scale=None, flags=()):
    attr = "" if scale is None else " {scale = %r : f64}" % scale
    qt = f"tensor<?x?x{H}x{d}x{dt}>"
    kt = f"tensor<?x?x{Hk}x{d}x{dt}>"
    src = f"""func.func @{name}(%q: {qt}, %k: {kt}, %v: {kt}) -> {qt} {{
  %o = sessa.attention %q, %k, %v{attr} : {qt}, {kt}, {kt}
  return %o : {qt}
}}
"""
    return dict(name=name, op="attention", dtype=dt, H=H, Hk=Hk, d=d,
                scale=scale, src=src, flags=list(flags))


def rope_cfg(name, dt, H, d, base=10000.0, static_offset=None):
    xt = f"tensor<?x?x{H}x{d}x{dt}>"
    if static_offset is None:
        src = f"""func.func @{name}(%x: {xt}, %p: index) -> {xt} {{
  %o = sessa.rope %x offset(%p) {{base = {base!r} : f64}} : {xt}
  return %o : {xt}
}}
"""
    else:
        src = f"""func.func @{name}(%x: {xt}) -> {xt} {{
  %o = sessa.rope %x {{base = {base!r} : f64, static_offset = {static_offset} : i64}} : {xt}
  return %o : {xt}
}}
"""
    return dict(name=name, op="rope", dtype=dt, H=H, d=d, base=base,
                static_offset=static_offset, src=src, flags=[])


CONFIGS = [
    attention_cfg("att_f32_h4k2_d64", "f32", 4, 2, 64),
    attention_cfg("att_f32_h4k4_d128", "f32", 4, 4, 128),
    attention_cfg("att_f32_h2k1_d40", "f32", 2, 1, 40, scale=0.3),
    attention_cfg("att_bf16_h4k2_d64", "bf16", 4, 2, 64),
    attention_cfg("att_bf16_h4k4_d128", "bf16", 4, 4, 128, scale=0.05),
    attention_cfg("att_f16_h4k2_d64", "f16", 4, 2, 64),
    # A negative scale takes the unfused softmax (scores scaled before max).
    attention_cfg("att_bf16_h4k2_d64_neg", "bf16", 4, 2, 64, scale=-0.125),
    attention_cfg("att_bf16_h2k1_d40", "bf16", 2, 1, 40),
    attention_cfg("att_bf16_h16k16_d64", "bf16", 16, 16, 64),
    attention_cfg("att_bf16_h16k16_d128", "bf16", 16, 16, 128),
    attention_cfg("att_f32_h16k16_d64", "f32", 16, 16, 64),
    # The tensor-core kernel without the cp.async double buffer (experiment).
    attention_cfg("att_bf16_h16k16_d64_s1", "bf16", 16, 16, 64,
                  flags=["--sessa-gpu-attention-stages=1"]),
    # Two 16-row m-tiles per warp (Br = 128; experiment).
    attention_cfg("att_bf16_h16k16_d64_m2", "bf16", 16, 16, 64,
                  flags=["--sessa-gpu-attention-mtiles=2"]),
    attention_cfg("att_bf16_h4k2_d64_m2", "bf16", 4, 2, 64,
                  flags=["--sessa-gpu-attention-mtiles=2"]),
    rope_cfg("rope_f32_h4_d64", "f32", 4, 64),
    rope_cfg("rope_bf16_h4_d128", "bf16", 4, 128, static_offset=5),
    rope_cfg("rope_f32_h3_d10", "f32", 3, 10, base=500000.0),
    rope_cfg("rope_bf16_h16_d64", "bf16", 16, 64),
]


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.stderr.write(" ".join(cmd) + "\n" + r.stdout + r.stderr)
        raise SystemExit(1)
    return r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessa-opt", default=os.path.join(ROOT, "build/bin/sessa-opt"))
    ap.add_argument("--mlir-opt", default="/usr/lib/llvm-22/bin/mlir-opt")
    ap.add_argument("--ptxas", default="/usr/local/cuda/bin/ptxas")
    ap.add_argument("--out", default=os.path.join(ROOT, ".gpu-carry/attention"))
    ap.add_argument("--only", default=None)
    ap.add_argument("--flags", default="", help="extra sessa-opt flags for every configuration")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    sys.path.insert(0, HERE)
    from gemm_extract_ptx import unescape  # noqa: E402
    manifest = {}
    for cfg in CONFIGS:
        if a.only and not re.search(a.only, cfg["name"]):
            continue
        n = cfg["name"]
        base = os.path.join(a.out, n)
        open(base + ".mlir", "w").write(cfg["src"])
        gpu = run([a.sessa_opt, base + ".mlir", *cfg["flags"], *a.flags.split(), "--convert-sessa-to-gpu",
                   "--one-shot-bufferize=bufferize-function-boundaries "
                   "function-boundary-type-conversion=identity-layout-map",
                   "--gpu-kernel-outlining", "--canonicalize", "--cse"]).stdout
        open(base + ".gpu.mlir", "w").write(gpu)
        nvvm = run([a.mlir_opt, base + ".gpu.mlir",
                    "--gpu-lower-to-nvvm-pipeline=cubin-chip=sm_90 "
                    "cubin-features=+ptx80 cubin-format=isa"]).stdout
        launches = re.findall(r"gpu\.launch_func\s+@(\w+)::@(\w+).*?threads in \(([^)]*)\).*?args\((.*?)\)\n", gpu)
        kernels = []
        for mod, fn, threads, args in launches:
            # Block sizes are constants (%c128 = arith.constant 128 : index).
            block = []
            for t in threads.split(","):
                m = re.fullmatch(r"\s*%c(\d+)(_\d+)?\s*", t)
                assert m, f"non-constant block size {t} in {n}"
                block.append(int(m.group(1)))
            m = re.search(r"gpu\.binary @%s\s+\[#gpu\.object<.*?assembly = \"((?:[^\"\\]|\\.)*)\">" % mod, nvvm, re.S)
            ptx = unescape(m.group(1))
            kbase = f"{base}.{mod}"
            open(kbase + ".ptx", "wb").write(ptx.encode() if isinstance(ptx, str) else ptx)
            r = run([a.ptxas, "-arch=sm_90", "-v", kbase + ".ptx", "-o", kbase + ".cubin"])
            res = " ".join(l.split(":", 1)[-1].strip() for l in r.stderr.splitlines()
                           if "Used" in l or "stack frame" in l)
            argl = []
            for item in args.split(", %"):
                nm, ty = item.strip().lstrip("%").split(" : ", 1)
                argl.append(dict(name=nm, type=ty))
            kernels.append(dict(kernel=fn, block=block, cubin=os.path.basename(kbase + ".cubin"),
                                ptx=os.path.basename(kbase + ".ptx"), args=argl,
                                ptxas=res))
            print(f"{n}: {fn} args={[x['name'] for x in argl]} | {res}")
        meta = {k: v for k, v in cfg.items() if k != "src"}
        meta["kernels"] = kernels
        manifest[n] = meta
    path = os.path.join(a.out, "manifest.json")
    old = json.load(open(path)) if (a.only and os.path.exists(path)) else {}
    old.update(manifest)
    json.dump(old, open(path, "w"), indent=1)


if __name__ == "__main__":
    main()
