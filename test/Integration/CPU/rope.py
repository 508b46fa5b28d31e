# sessa.rope on CPU against the float64 reference: several shapes (odd H,
# d not a power of two, T = 1), static offsets up to 1e5, a custom base,
# dynamic B / T, and a dynamic offset operand (the size of an extra input).
#
# RUN: %python %s %t

import sys

import numpy as np

from sessa_testing import Checker, compile_module, randn, ref, rope_func

TOL = 1e-5

work = sys.argv[1]
chk = Checker("rope (CPU, f32)")
rng = np.random.default_rng(20260101)

# (entry, shape, static_offset, base)
STATIC = [
    ("mha", (2, 16, 8, 64), None, None),
    ("odd_h", (1, 5, 3, 6), None, None),          # H = 3, d = 6
    ("odd_h5_d24", (2, 33, 5, 24), None, None),   # H = 5, d = 24
    ("t1", (3, 1, 4, 8), None, None),             # T = 1
    ("d2", (1, 9, 1, 2), None, None),             # one rotary pair
    ("off7", (1, 4, 2, 16), 7, None),
    ("off1e5", (2, 6, 3, 32), 100000, None),
    ("base5e5_off12", (3, 5, 4, 8), 12, 5.0e5),
    ("t1_off257", (2, 1, 3, 40), 257, None),
]
funcs = [rope_func(n, s, static_offset=o, base=b) for n, s, o, b in STATIC]
funcs.append(rope_func("dyn_t", (2, None, 4, 16)))
funcs.append(rope_func("dyn_bt_base", (None, None, 3, 10), base=500.0))
funcs.append(rope_func("dyn_t_off9", (1, None, 2, 12), static_offset=9))
funcs.append(rope_func("dyn_offset", (2, None, 3, 8), offset_from_dim=True))
art = compile_module("".join(funcs), work, "rope")

for name, shape, off, base in STATIC:
    x = randn(rng, *shape)
    y, = chk.call(art, name, x)
    want = ref.rope(x, offset=off or 0, base=base or 10000.0)
    chk.close("%s x%s offset=%s base=%s" % (name, shape, off or 0, base or 1e4), y, want, TOL)

for T in (1, 7, 100):
    x = randn(rng, 2, T, 4, 16)
    y, = chk.call(art, "dyn_t", x)
    chk.close("dyn_t T=%d" % T, y, ref.rope(x), TOL)

for B, T in ((1, 1), (3, 17)):
    x = randn(rng, B, T, 3, 10)
    y, = chk.call(art, "dyn_bt_base", x)
    chk.close("dyn_bt_base B=%d T=%d base=500" % (B, T), y, ref.rope(x, base=500.0), TOL)

for T in (1, 5):
    x = randn(rng, 1, T, 2, 12)
    y, = chk.call(art, "dyn_t_off9", x)
    chk.close("dyn_t_off9 T=%d offset=9" % T, y, ref.rope(x, offset=9), TOL)

for T, P in ((4, 0), (1, 13), (6, 257)):
    x = randn(rng, 2, T, 3, 8)
    y, = chk.call(art, "dyn_offset", x, np.zeros(P, np.float32))
    chk.close("dyn_offset (index operand) T=%d P=%d" % (T, P), y, ref.rope(x, offset=P), TOL)

# Position 0 is the identity rotation: exactly x.
x = randn(rng, 2, 1, 4, 16)
y, = chk.call(art, "dyn_t", x)
chk.equal("dyn_t T=1 at position 0 is the identity", y, x)

chk.finish()
