# sessa.feedback_attention on CPU against the float64 reference: T = 1, 3,
# 257, Hb > 1, dk != dv, with and without a cache (P = 0, P > 0, dynamic P),
# dynamic B / T, custom scale, gates close to 1, the first row s = f exactly
# when P = 0, and split evaluation through the cache (prefix then rest)
# equal to one call.
#
# RUN: %python %s %t

import sys

import numpy as np

from sessa_testing import (Checker, compile_module, feedback_func, gates, randn, ref,
                           try_compile)

TOL = 1e-5

work = sys.argv[1]
chk = Checker("feedback_attention (CPU, f32)")
rng = np.random.default_rng(20260103)

# (entry, B, T, Hb, dk, dv, P (False: no cache), scale)
STATIC = [
    ("t1", 2, 1, 1, 16, 16, False, None),
    ("t3", 1, 3, 1, 8, 8, False, None),
    ("t257", 1, 257, 1, 32, 32, False, None),
    ("t257_hb2_dk_dv", 1, 257, 2, 12, 20, False, None),
    ("hb4_dk16_dv48", 2, 8, 4, 16, 48, False, None),
    ("hb3_dk24_dv20", 1, 13, 3, 24, 20, False, None),
    ("scale_02", 2, 9, 2, 16, 16, False, 0.2),
    ("cache_p9_t4", 1, 4, 1, 32, 32, 9, None),
    ("cache_p31_t1_hb3", 2, 1, 3, 8, 24, 31, 0.5),
    ("cache_p64_t257", 1, 257, 1, 16, 16, 64, None),
    ("cache_p5_t3_dk_dv", 2, 3, 2, 20, 6, 5, None),
]
funcs = [feedback_func(n, B, T, Hb, dk, dv, P=P, scale=s) for n, B, T, Hb, dk, dv, P, s in STATIC]
funcs.append(feedback_func("dyn_t", 2, None, 2, 16, 24))
funcs.append(feedback_func("dyn_bt_cache_dyn_p", None, None, 2, 12, 16, P=None))
funcs.append(feedback_func("dyn_t_cache_p3", 1, None, 1, 8, 8, P=3))
art = compile_module("".join(funcs), work, "feedback")


def inputs(B, T, Hb, dk, dv, P, bound=0.9):
    f = randn(rng, B, T, Hb, dv)
    qb = randn(rng, B, T, Hb, dk)
    kb = randn(rng, B, T, Hb, dk)
    g = gates(rng, B, T, Hb, bound=bound)
    cache = []
    if P is not False:
        cache = [randn(rng, B, P, Hb, dk), randn(rng, B, P, Hb, dv)]
    return [f, qb, kb, g] + cache


def reference(ins, scale=None):
    f, qb, kb, g = ins[:4]
    kbp, sp = (ins[4], ins[5]) if len(ins) > 4 else (None, None)
    return ref.feedback_attention(f, qb, kb, g, scale=scale, kb_prev=kbp, s_prev=sp)


def run(entry, B, T, Hb, dk, dv, P, scale=None, what=None, bound=0.9):
    ins = inputs(B, T, Hb, dk, dv, P, bound)
    s, = chk.call(art, entry, *ins)
    chk.close(what or "%s B=%d T=%d Hb=%d dk=%d dv=%d P=%s scale=%s"
              % (entry, B, T, Hb, dk, dv, "-" if P is False else P, scale),
              s, reference(ins, scale), TOL)
    return ins, s


for n, B, T, Hb, dk, dv, P, s in STATIC:
    ins, out = run(n, B, T, Hb, dk, dv, P, s)
    if P is False or P == 0:
        chk.equal("%s: first row (P = 0) s = f" % n, out[:, 0], ins[0][:, 0])

run("t257", 1, 257, 1, 32, 32, False, bound=0.999,
    what="t257 with gates up to 0.999 (gamma_max of the layer)")

for T in (1, 2, 40):
    ins, out = run("dyn_t", 2, T, 2, 16, 24, False, what="dyn_t (Hb=2, dk=16, dv=24) T=%d" % T)
    chk.equal("dyn_t T=%d: first row s = f" % T, out[:, 0], ins[0][:, 0])
for B, T, P in ((1, 1, 0), (2, 1, 1), (3, 5, 0), (2, 6, 17), (1, 1, 200)):
    ins, out = run("dyn_bt_cache_dyn_p", B, T, 2, 12, 16, P,
                   what="dyn_bt_cache_dyn_p B=%d T=%d P=%d" % (B, T, P))
    if P == 0:
        chk.equal("dyn_bt_cache_dyn_p B=%d T=%d P=0: first row s = f" % (B, T),
                  out[:, 0], ins[0][:, 0])
for T in (1, 7):
    run("dyn_t_cache_p3", 1, T, 1, 8, 8, 3, what="dyn_t_cache_p3 T=%d P=3" % T)

# A static empty cache (P = 0 in the type) is compiled on its own, so that a
# failure to compile it does not hide the other results.
art0 = try_compile(chk, feedback_func("cache_p0_t4", 1, 4, 2, 16, 12, P=0), work,
                   "feedback_p0", "feedback_attention with a static empty cache (P = 0)")
if art0 is not None:
    art, saved = art0, art
    ins, out = run("cache_p0_t4", 1, 4, 2, 16, 12, 0)
    chk.equal("cache_p0_t4: first row (P = 0) s = f", out[:, 0], ins[0][:, 0])
    art = saved

# One call over T rows == the first T0 rows, then the rest with the first
# T0 rows (kb, s) as the cache.
B, T, T0, Hb, dk, dv = 2, 23, 9, 2, 12, 16
f, qb, kb, g = inputs(B, T, Hb, dk, dv, False)
empty = [np.zeros((B, 0, Hb, dk), np.float32), np.zeros((B, 0, Hb, dv), np.float32)]
full, = chk.call(art, "dyn_bt_cache_dyn_p", f, qb, kb, g, *empty)
head, = chk.call(art, "dyn_bt_cache_dyn_p", f[:, :T0], qb[:, :T0], kb[:, :T0], g[:, :T0], *empty)
tail, = chk.call(art, "dyn_bt_cache_dyn_p", f[:, T0:], qb[:, T0:], kb[:, T0:], g[:, T0:],
                 np.ascontiguousarray(kb[:, :T0]), head)
want = ref.feedback_attention(f, qb, kb, g)
chk.close("split T=%d as %d + %d through the cache == reference" % (T, T0, T - T0),
          np.concatenate([head, tail], axis=1), want, TOL)
chk.close("split T=%d as %d + %d == one call" % (T, T0, T - T0),
          np.concatenate([head, tail], axis=1), full, TOL)

chk.finish()
