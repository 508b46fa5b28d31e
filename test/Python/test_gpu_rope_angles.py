"""The angle math of the sessa.rope GPU kernel (RopeKernel.cpp), on the CPU.

The kernel forms phi = (P + t) * w_i in f64 (w_i as a product of f64
constants picked by the bits of the thread's chunk), reduces it modulo 2pi in
f64 (round to even, two fused multiply-adds with 2pi split into two
constants) and takes f32 cos/sin of the f32 remainder. No GPU here: this test
lowers a rope with convert-sessa-to-gpu and interprets the kernel's index and
angle ops, in order, for chosen thread and block ids, with exact IEEE
semantics (Python floats are f64; fma exactly through fractions, rounded once;
f32 through numpy float32; cos/sin of the f32 remainder in float32 stand in
for libdevice's __nv_cosf / __nv_sinf, both within 2 ulp). It checks every
cos/sin the thread computes against cos/sin of the exact angle of its pair
(the float64 reference w_i = base^(-2i/d), the product and the reduction
done exactly), for positions up to 2^24 + T, where an f32 angle would be off
by whole radians: |error| <= 1e-6.
"""

import math
import re
from fractions import Fraction

import numpy as np
import pytest

import sessa.compiler as sc

# 2pi to 60 digits (exact reductions of the reference angle).
TWO_PI = 2 * Fraction("3.14159265358979323846264338327950288419716939937510582097494")


def rope_kernel_ir(shape, dtype, base, offset):
    b, t, h, d = shape
    ty = "tensor<%dx%dx%dx%dx%s>" % (b, t, h, d, dtype)
    src = ("func.func @r(%%x: %s) -> %s {\n"
           "  %%o = sessa.rope %%x {base = %r : f64, static_offset = %d : i64} : %s\n"
           "  return %%o : %s\n}\n" % (ty, ty, float(base), offset, ty, ty))
    return sc.run_pipeline(src, "convert-sessa-to-gpu,cse")


def fma(a, b, c):
    return float(Fraction(a) * Fraction(b) + Fraction(c))


OPS = {
    "arith.remui": lambda a: a[0] % a[1],
    "arith.divui": lambda a: a[0] // a[1],
    "arith.ceildivui": lambda a: -(-a[0] // a[1]),
    "arith.maxui": lambda a: max(a[0], a[1]),
    "arith.muli": lambda a: a[0] * a[1],
    "arith.addi": lambda a: a[0] + a[1],
    "arith.shrui": lambda a: a[0] >> a[1],
    "arith.andi": lambda a: a[0] & a[1],
    "arith.index_cast": lambda a: a[0],
    "arith.sitofp": lambda a: float(a[0]),
    "arith.mulf": lambda a: a[0] * a[1],  # f64 (Python floats), correctly rounded
    "arith.select": lambda a: a[1] if a[0] else a[2],
    "math.roundeven": lambda a: float(round(a[0])),  # Python rounds halves to even
    "arith.negf": lambda a: -a[0],
    "math.fma": lambda a: fma(a[0], a[1], a[2]),
    "arith.truncf": lambda a: np.float32(a[0]),
}


def interpret_angles(ir, block, thread):
    """Runs the kernel's integer and angle ops, in order, from the start of
    the function to the kernel's first store, for block id `block` and thread
    id `thread` (x); ops on values it does not know (loads, the data) are
    skipped. Returns the (cos, sin) pairs in the order the kernel computes
    them (the vector path's, the first in the text)."""
    body = ir[ir.index("func.func"):]
    head = body[body.index("gpu.launch"):].split("\n", 1)[0]
    ids = re.search(r"blocks\((%\w+),.*threads\((%\w+),", head)
    env = {ids.group(1): block, ids.group(2): thread}
    out, cos, in_kernel = [], None, False
    for line in body.split("\n"):
        line = line.strip()
        in_kernel |= line.startswith("gpu.launch")
        if in_kernel and line.startswith(("vector.store", "memref.store")):
            break
        m = re.match(r"(%\w+) = ([\w.]+) (.*?) : (.*)$", line)
        if not m:
            continue  # scf.if, scf.for, multi-result ops
        res, op, args, ty = m.groups()
        if op == "arith.constant":
            v = args.strip()
            env[res] = float(v) if ("f64" in ty or "f32" in ty) else int(v)
            continue
        names = re.findall(r"%\w+", args)
        if op.startswith("math."):
            assert op in ("math.roundeven", "math.fma", "math.cos", "math.sin"), line
            assert ("f32" in ty) == (op in ("math.cos", "math.sin")), "f64 reduction, f32 cos/sin: " + line
        if not all(n in env for n in names):
            continue  # depends on loaded data
        a = [env[n] for n in names]
        if op == "arith.cmpi":
            pred = args.split(",")[0].strip()
            env[res] = {"ne": a[0] != a[1], "eq": a[0] == a[1], "ult": a[0] < a[1]}[pred]
        elif op == "math.cos":
            cos = float(np.cos(np.float32(a[0]), dtype=np.float32))
        elif op == "math.sin":
            out.append((cos, float(np.sin(np.float32(a[0]), dtype=np.float32))))
        elif op in OPS:
            env[res] = OPS[op](a)
    return out


def mapping(shape, dtype):
    """The thread mapping of RopeKernel.cpp: V, C, HL, Tb."""
    b, t, h, d = shape
    v = 16 // (4 if dtype == "f32" else 2)
    while d % v:
        v //= 2
    c, hl = d // v, 1
    while c * hl * 2 <= 32 and h % (hl * 2) == 0:
        hl *= 2
    return v, c, hl, max(1, 256 // (c * hl))


@pytest.mark.parametrize("shape,dtype,base,offset", [
    ((2, 16, 4, 64), "bf16", 10000.0, 0),
    ((2, 16, 4, 64), "bf16", 10000.0, 12000),
    ((1, 8, 2, 128), "f32", 500000.0, 1 << 24),
    ((1, 8, 3, 10), "f32", 10000.0, 987654),
])
def test_rope_kernel_angles(shape, dtype, base, offset):
    ir = rope_kernel_ir(shape, dtype, base, offset)
    assert not re.search(r"math\.(sin|cos|powf) .* : f64", ir), "no f64 transcendental"
    b, t, h, d = shape
    v, c, hl, tb = mapping(shape, dtype)
    worst = 0.0
    rows = b * t
    for block in range(-(-rows // tb)):
        for thread in range(0, c * hl * tb, hl):  # one thread per chunk
            p = block * tb + thread // (c * hl)
            if p >= rows:
                continue
            chunk, pos = thread % c, offset + p % t
            got = interpret_angles(ir, block, thread)
            assert len(got) == v // 2
            for j, (cs, sn) in enumerate(got):
                i = chunk * v // 2 + j
                w = float(base) ** (-2.0 * i / d)  # the float64 reference w_i
                phi = Fraction(pos) * Fraction(w)
                r = float(phi - TWO_PI * round(phi / TWO_PI))
                err = max(abs(cs - math.cos(r)), abs(sn - math.sin(r)))
                assert err == err
                worst = max(worst, err)
    assert worst <= 1e-6, worst
    print("%s %s base %g offset %d: max |cos/sin error| %.2e" % (shape, dtype, base, offset, worst))
