# sessa.attention on CPU against the float64 reference: T = 1, 3, 257, head
# dims that are not powers of two (20, 24), GQA (H=8, Hk=2), MQA, a cached
# prefix (S > T), dynamic B / T / S, custom and negative scales, and large
# logits (the softmax must stay finite).
#
# RUN: %python %s %t

import sys

import numpy as np

from sessa_testing import Checker, attention_func, compile_module, randn, ref

TOL = 1e-5

work = sys.argv[1]
chk = Checker("attention (CPU, f32)")
rng = np.random.default_rng(20260102)

# The comparison itself must never let NaN through.
want = randn(rng, 4, 5)
bad = want.copy()
bad[1, 2] = np.nan
chk.true("helper: rel_l2 is inf when the result has a NaN",
         ref.rel_l2(bad, want) == float("inf"))

# (entry, q shape [B,T,H,d], kv shape [B,S,Hk,d], scale)
STATIC = [
    ("t1", (2, 1, 4, 16), (2, 1, 4, 16), None),
    ("t3", (1, 3, 2, 8), (1, 3, 2, 8), None),
    ("t257", (1, 257, 4, 16), (1, 257, 4, 16), None),
    ("t257_gqa_cache", (1, 257, 4, 20), (1, 300, 2, 20), None),
    ("d24", (2, 9, 4, 24), (2, 9, 4, 24), None),
    ("d20_t3", (1, 3, 3, 20), (1, 3, 3, 20), None),
    ("gqa_8_2", (2, 19, 8, 16), (2, 19, 2, 16), None),
    ("mqa", (2, 11, 6, 20), (2, 11, 1, 20), None),
    ("cache_t3_s11_gqa", (1, 3, 8, 24), (1, 11, 2, 24), None),
    ("decode_t1_s129", (2, 1, 8, 16), (2, 129, 2, 16), None),
    ("decode_mqa_t1_s40", (1, 1, 4, 24), (1, 40, 1, 24), None),
    ("scale_005", (1, 10, 4, 24), (1, 14, 2, 24), 0.05),
    ("scale_neg", (1, 7, 2, 8), (1, 7, 2, 8), -0.75),
    ("scale_1", (2, 5, 2, 20), (2, 9, 2, 20), 1.0),
]
funcs = [attention_func(n, q, k, scale=s) for n, q, k, s in STATIC]
funcs.append(attention_func("large_logits", (1, 16, 2, 8), (1, 16, 2, 8), scale=10.0))
funcs.append(attention_func("dyn_ts", (1, None, 8, 24), (1, None, 2, 24)))
funcs.append(attention_func("dyn_bts_mqa", (None, None, 4, 20), (None, None, 1, 20), scale=0.3))
funcs.append(attention_func("dyn_s_decode", (2, 1, 4, 16), (2, None, 4, 16)))
art = compile_module("".join(funcs), work, "attention")


def run(entry, qs, ks, scale=None, what=None, mul=1.0):
    q = randn(rng, *qs, scale=mul)
    k = randn(rng, *ks, scale=mul)
    v = randn(rng, *ks)
    out, = chk.call(art, entry, q, k, v)
    want = ref.attention(q, k, v, scale=scale)
    chk.close(what or "%s q%s kv%s scale=%s" % (entry, qs, ks, scale), out, want, TOL)
    return q, k, v, out


for n, q, k, s in STATIC:
    run(n, q, k, s)

run("large_logits", (1, 16, 2, 8), (1, 16, 2, 8), 10.0, mul=4.0,
    what="large_logits (|logits| ~ 1e3, scale=10)")

for T, S in ((1, 1), (1, 50), (5, 5), (5, 40), (64, 64), (3, 257)):
    run("dyn_ts", (1, T, 8, 24), (1, S, 2, 24), what="dyn_ts (GQA 8/2, d=24) T=%d S=%d" % (T, S))
for B, T, S in ((1, 1, 1), (3, 4, 9), (2, 33, 33)):
    run("dyn_bts_mqa", (B, T, 4, 20), (B, S, 1, 20), 0.3,
        what="dyn_bts_mqa (MQA, d=20, scale=0.3) B=%d T=%d S=%d" % (B, T, S))
for S in (1, 2, 100):
    run("dyn_s_decode", (2, 1, 4, 16), (2, S, 4, 16), what="dyn_s_decode T=1 S=%d" % S)

# T = S = 1: a single visible key, so the output is exactly v.
q = randn(rng, 2, 1, 4, 16)
k = randn(rng, 2, 1, 4, 16)
v = randn(rng, 2, 1, 4, 16)
out, = chk.call(art, "t1", q, k, v)
chk.close("t1: one visible key, output == v", out, v, 1e-7)

# The first query row sees only key 0 when P = 0: out[:, 0] == v[:, 0] per kv head.
q = randn(rng, 2, 19, 8, 16)
k = randn(rng, 2, 19, 2, 16)
v = randn(rng, 2, 19, 2, 16)
out, = chk.call(art, "gqa_8_2", q, k, v)
chk.close("gqa_8_2: row 0 (P = 0) == v[:, 0] of kv head h // 4", out[:, 0],
          np.repeat(v[:, 0], 4, axis=1), 1e-7)

chk.finish()
