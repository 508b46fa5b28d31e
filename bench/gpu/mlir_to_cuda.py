#!/usr/bin/env python3
"""Compile a sessa function (tensors) to a bundle the device scripts can run
without the full CUDA compile path:

  sessa-opt  --convert-sessa-to-gpu --one-shot-bufferize --gpu-kernel-outlining
             --canonicalize --cse                 -> <out>/<name>.gpu.mlir
  mlir-opt   --gpu-lower-to-nvvm-pipeline (sm_90, +ptx80, format=isa)
  ptxas      -arch=sm_90 per kernel module        -> <out>/<module>.cubin (+ .ptx)
  host func  in generic form                      -> <out>/<name>.host.mlir

The host function (allocs, dims, index arithmetic, the scf.for chunk loop,
gpu.launch_func) is executed on the device machine by mlir_host.py.

usage: mlir_to_cuda.py IN.mlir OUTDIR [--sessa-opt PATH] [--mlir-opt PATH]
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.stderr.write(" ".join(cmd) + "\n" + r.stderr)
        raise SystemExit(r.returncode)
    return r


def unescape_mlir_string(s):
    out = bytearray()
    i = 0
    while i < len(s):
        c = s[i]
        if c == "\\":
            nxt = s[i + 1]
            if nxt in '"\\':
                out.append(ord(nxt))
                i += 2
            elif nxt == "n":
                out.append(10)
                i += 2
            elif nxt == "t":
                out.append(9)
                i += 2
            else:
                out.append(int(s[i + 1:i + 3], 16))
                i += 3
        else:
            out.extend(c.encode())
            i += 1
    return bytes(out)


def default_ptxas():
    for var in ("CUDA_ROOT", "CUDA_HOME", "CUDA_PATH"):
        if os.environ.get(var):
            path = os.path.join(os.environ[var], "bin", "ptxas")
            if os.path.exists(path):
                return path
    return shutil.which("ptxas") or "/usr/local/cuda/bin/ptxas"


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    ap = argparse.ArgumentParser()
    ap.add_argument("input")
    ap.add_argument("outdir")
    ap.add_argument("--sessa-opt", default=os.path.join(root, "build/bin/sessa-opt"))
    ap.add_argument("--mlir-opt", default="/usr/lib/llvm-22/bin/mlir-opt")
    ap.add_argument("--ptxas", default=default_ptxas())
    args = ap.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    name = os.path.splitext(os.path.basename(args.input))[0]
    gpu = os.path.join(args.outdir, name + ".gpu.mlir")
    run([args.sessa_opt, args.input, "--convert-sessa-to-gpu",
         "--one-shot-bufferize=bufferize-function-boundaries "
         "function-boundary-type-conversion=identity-layout-map",
         "--gpu-kernel-outlining", "--sessa-gpu-kernel-occupancy", "--canonicalize",
         "--cse", "-o", gpu])
    generic = run([args.sessa_opt, gpu, "--mlir-print-op-generic"]).stdout
    # Host functions: every top-level func.func region, in generic form.
    host = []
    for m in re.finditer(r'^  "func\.func"\(\).*?^  \}\) : \(\) -> \(\)$', generic,
                         re.S | re.M):
        host.append(m.group(0))
    with open(os.path.join(args.outdir, name + ".host.mlir"), "w") as fh:
        fh.write("\n".join(host) + "\n")
    # libdevice (math functions) is found through the toolkit, which
    # gpu-module-to-binary looks up in CUDA_ROOT/CUDA_HOME/CUDA_PATH.
    env = dict(os.environ)
    env.setdefault("CUDA_HOME", os.path.dirname(os.path.dirname(
        os.path.realpath(args.ptxas))))
    nvvm = run([args.mlir_opt, gpu,
                "--gpu-lower-to-nvvm-pipeline=cubin-chip=sm_90 "
                "cubin-features=+ptx80 cubin-format=isa opt-level=3"], env=env).stdout
    modules = {}
    for m in re.finditer(r'gpu\.binary @(\w+)\s+\[#gpu\.object<.*?'
                         r'assembly = "((?:[^"\\]|\\.)*)"', nvvm):
        modules[m.group(1)] = unescape_mlir_string(m.group(2))
    if not modules:
        raise SystemExit("no gpu.binary found")
    info = {}
    for mod, ptx in modules.items():
        ptx_path = os.path.join(args.outdir, mod + ".ptx")
        with open(ptx_path, "wb") as fh:
            fh.write(ptx)
        cubin = os.path.join(args.outdir, mod + ".cubin")
        r = run([args.ptxas, "-arch=sm_90", "-O3", "-v", ptx_path, "-o", cubin])
        info[mod] = r.stderr.strip()
        print(mod, "|", " ".join(l.strip() for l in r.stderr.splitlines()
                                 if "registers" in l or "spill" in l))
    with open(os.path.join(args.outdir, name + ".kernels.json"), "w") as fh:
        json.dump(info, fh, indent=1)


if __name__ == "__main__":
    main()
