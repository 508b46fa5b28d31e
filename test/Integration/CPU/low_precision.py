# f16 and bf16 artifacts on CPU: attention and the layer (with caches,
# prefill then decode steps) in both dtypes, plus rope, feedback_attention
# and selective_scan in one of them. Checks that the entry points describe
# the right dtype, that calls with buffers of that dtype run (bf16 buffers
# are np.uint16 bit patterns: the loader has no bf16 type, see
# sessa_testing.call_as), and the numbers against the float64 reference on
# the same (rounded) inputs.
#
# Tolerances (relative L2): f16 2e-3, bf16 1.5e-2. Rounding the exact result
# to the output dtype alone costs about 2.5e-4 (f16) and 2e-3 (bf16), so
# these bounds leave room for low-precision intermediates while still
# catching a wrong formula (errors of order 1).
#
# RUN: %python %s %t

import sys

import numpy as np

from sessa_testing import (Buf, Checker, DTYPE_MISMATCH, attention_func, call_as,
                           compile_module, feedback_func, gates, layer_func,
                           layer_operands, layer_ref_params, randn, raw_call, ref,
                           rope_func, round_to, scan_func)

TOL = {"f16": 2e-3, "bf16": 1.5e-2}
D, H, Hk = 48, 4, 2
d = D // H

work = sys.argv[1]
chk = Checker("f16 / bf16 artifacts (CPU)")
rng = np.random.default_rng(20260107)

funcs = []
for dt in ("f16", "bf16"):
    funcs.append(attention_func("att_" + dt, (1, None, 8, 24), (1, None, 2, 24), dtype=dt))
    funcs.append(layer_func("layer_" + dt, 1, None, D, H, Hk, biases=True, dtype=dt, cache=None))
funcs.append(rope_func("rope_bf16", (2, None, 3, 16), dtype="bf16", static_offset=5))
funcs.append(feedback_func("fb_bf16", 1, None, 2, 16, 24, dtype="bf16"))
funcs.append(scan_func("scan_f16", 1, None, 16, 4, 2, D=True, z=True, softplus=True, dtype="f16"))
art = compile_module("".join(funcs), work, "low_precision")

for name, e in sorted(art.entries.items()):
    dt = name.rsplit("_", 1)[1]
    dts = {a[1] for a in e.inputs + e.outputs}
    chk.true("%s: every input and output is %s" % (name, dt), dts == {dt}, str(sorted(dts)))


def rnd(dt, *shape, **kw):
    return round_to(randn(rng, *shape, **kw), dt)


for dt in ("f16", "bf16"):
    tol = TOL[dt]
    for T, S in ((1, 1), (7, 30), (64, 64)):
        q, k, v = rnd(dt, 1, T, 8, 24), rnd(dt, 1, S, 2, 24), rnd(dt, 1, S, 2, 24)
        o, = call_as(art, "att_" + dt, dt, q, k, v)
        chk.close("att_%s T=%d S=%d" % (dt, T, S), o, ref.attention(q, k, v), tol)

    # Layer: full forward from an empty cache, then prefill 6 + 3 decode steps.
    p = {n: round_to(a, dt) for n, a in layer_ref_params(D, H, Hk, rng, True).items()}
    W = layer_operands(p, H, True)
    T = 9
    x = rnd(dt, 1, T, D)
    want_y, want_c = ref.layer(x, p, H, Hk)
    empty = [np.zeros((1, 0, Hk, d), np.float32)] * 2 + [np.zeros((1, 0, 1, D), np.float32)] * 2
    out = call_as(art, "layer_" + dt, dt, x, *W, *empty)
    chk.close("layer_%s full forward T=%d: y" % (dt, T), out[0], want_y, tol)
    for n, o in zip(("k", "v", "kb", "s"), out[1:]):
        chk.close("layer_%s full forward T=%d: %s cache" % (dt, T, n), o, want_c[n], tol)
    caches, ys = empty, []
    for t0, t1 in ((0, 6), (6, 7), (7, 8), (8, 9)):
        out = call_as(art, "layer_" + dt, dt, np.ascontiguousarray(x[:, t0:t1]), *W, *caches)
        ys.append(out[0])
        caches = out[1:]
    chk.close("layer_%s prefill 6 + 3 decode steps: y" % dt, np.concatenate(ys, axis=1),
              want_y, tol)
    chk.close("layer_%s prefill 6 + 3 decode steps: s cache" % dt, caches[3], want_c["s"], tol)

x = rnd("bf16", 2, 11, 3, 16)
o, = call_as(art, "rope_bf16", "bf16", x)
chk.close("rope_bf16 T=11 offset=5", o, ref.rope(x, offset=5), TOL["bf16"])

T = 20
f, qb, kb = rnd("bf16", 1, T, 2, 24), rnd("bf16", 1, T, 2, 16), rnd("bf16", 1, T, 2, 16)
g = round_to(gates(rng, 1, T, 2), "bf16")
s, = call_as(art, "fb_bf16", "bf16", f, qb, kb, g)
chk.close("fb_bf16 T=%d Hb=2 dk=16 dv=24" % T, s, ref.feedback_attention(f, qb, kb, g), TOL["bf16"])
chk.equal("fb_bf16: first row s = f", s[:, 0], f[:, 0])

T = 15
u, z = rnd("f16", 1, T, 16), rnd("f16", 1, T, 16)
delta = round_to(0.7 * rng.standard_normal((1, T, 16)) - 1.0, "f16")
A = round_to(-np.exp(0.5 * rng.standard_normal((16, 4))), "f16")
Bm, C, Dsk = rnd("f16", 1, T, 2, 4), rnd("f16", 1, T, 2, 4), rnd("f16", 16)
y, h = call_as(art, "scan_f16", "f16", u, delta, A, Bm, C, Dsk, z)
ry, rh = ref.selective_scan(u, delta, A, Bm, C, Dskip=Dsk, z=z, delta_softplus=True)
chk.close("scan_f16 T=%d G=2 D z softplus: y" % T, y, ry, TOL["f16"])
chk.close("scan_f16 T=%d G=2 D z softplus: last state" % T, h, rh, TOL["f16"])

# An f32 buffer given to a bf16 entry is a dtype mismatch, nothing written.
q = np.zeros((1, 2, 8, 24), np.float32)
k = np.zeros((1, 2, 2, 24), np.float32)
out = np.full((1, 2, 8, 24), 0x7FC1, np.uint16)
code, msg = raw_call(art, "att_bf16", [Buf(q), Buf(k, "bf16", k.shape), Buf(k, "bf16")],
                     [Buf(out, "bf16")])
chk.true("att_bf16 with an f32 query: DTYPE_MISMATCH naming 'q'",
         code == DTYPE_MISMATCH and "'q'" in msg and "bf16" in msg and "f32" in msg,
         "code %d: %s" % (code, msg))
chk.true("att_bf16 with an f32 query: output untouched", np.all(out == 0x7FC1))

chk.finish()
