# Argument checking of compiled entry points (SessaRuntime.h): a wrong static
# dimension, dynamic dimensions that disagree (k / v rows, cache rows, batch
# of x vs the caches), a wrong dtype, a wrong rank, a wrong output shape
# (P + T rows, T rows), a wrong number of tensors, NULL data, a negative
# dimension, an unknown dtype code and a NULL status. Each call must return
# the right sessa_error_code with a message naming the tensor, and leave
# every output buffer untouched (they are filled with a sentinel first).
#
# RUN: %python %s %t

import sys

import numpy as np

from sessa_testing import (Buf, Checker, DTYPE_MISMATCH, INVALID_ARGUMENT,
                           RANK_MISMATCH, SHAPE_MISMATCH, SessaError, attention_func,
                           compile_module, layer_func, layer_operands, layer_ref_params,
                           randn, raw_call, ref)

D, H, Hk = 16, 2, 1
d = D // H
SENTINEL = np.float32(-1234.5)

work = sys.argv[1]
chk = Checker("runtime argument checks (CPU)")
rng = np.random.default_rng(20260108)

funcs = [
    attention_func("att", (2, None, 4, 8), (2, None, 2, 8)),
    # T and P dynamic, B static: cache outputs have P + T rows.
    layer_func("step", 2, None, D, H, Hk, biases=False, cache=None),
    # One token, B and P dynamic: cache outputs have P + 1 rows.
    layer_func("decode", None, 1, D, H, Hk, biases=False, cache=None),
]
art = compile_module("".join(funcs), work, "runtime_errors")

params = layer_ref_params(D, H, Hk, rng, biases=False)
W = layer_operands(params, H, biases=False)
NW = len(W)


def sentinels(*shapes, dtype=np.float32):
    return [np.full(s, SENTINEL, dtype) for s in shapes]


def expect(what, entry, inputs, outputs, code, *needles):
    """Calls through the loader with explicit outputs (so nothing is
    allocated from the description) and checks code, message, outputs."""
    before = [o.copy() for o in outputs]
    try:
        art.call(entry, *inputs, outputs=outputs)
        got_code, msg = 0, "(no error)"
    except SessaError as e:
        got_code, msg = e.code, e.message
    ok = got_code == code and all(n in msg for n in needles)
    chk.true("%s -> code %d, message names %s" % (what, code, ", ".join(needles)), ok,
             "code %d: %s" % (got_code, msg))
    untouched = all(np.array_equal(a, b) for a, b in zip(outputs, before))
    chk.true("%s -> outputs untouched" % what, untouched)


def expect_raw(what, entry, inputs, outputs, code, *needles, with_status=True):
    before = [None if b.arr is None else b.arr.copy() for b in outputs]
    got_code, msg = raw_call(art, entry, inputs, outputs, with_status=with_status)
    ok = got_code == code and (msg is None or all(n in msg for n in needles))
    chk.true("%s -> code %d%s" % (what, code,
                                   (", message names " + ", ".join(needles)) if needles else ""),
             ok, "code %d: %s" % (got_code, msg))
    chk.true("%s -> outputs untouched" % what,
             all(b is None or np.array_equal(o.arr, b) for o, b in zip(outputs, before)))


# ----- attention: q [2, T, 4, 8], k / v [2, S, 2, 8] -------------------------
q = randn(rng, 2, 3, 4, 8)
k = randn(rng, 2, 5, 2, 8)
v = randn(rng, 2, 5, 2, 8)
out_shape = (2, 3, 4, 8)

expect("att: q with H = 3 (static 4)", "att", [randn(rng, 2, 3, 3, 8), k, v],
       sentinels(out_shape), SHAPE_MISMATCH, "'q'", "dimension 2", "3", "4")
expect("att: q with B = 3 (static 2)", "att", [randn(rng, 3, 3, 4, 8), k, v],
       sentinels((3, 3, 4, 8)), SHAPE_MISMATCH, "'q'", "dimension 0")
expect("att: v with S = 6, k with S = 5", "att", [q, k, randn(rng, 2, 6, 2, 8)],
       sentinels(out_shape), SHAPE_MISMATCH, "'v'", "'S'", "'k'")
expect("att: q is f64", "att", [q.astype(np.float64), k, v],
       sentinels(out_shape), DTYPE_MISMATCH, "'q'", "f32", "f64")
expect("att: k is f16", "att", [q, k.astype(np.float16), v],
       sentinels(out_shape), DTYPE_MISMATCH, "'k'", "f32", "f16")
expect("att: q has rank 3", "att", [q.reshape(2, 3, 32), k, v],
       sentinels(out_shape), RANK_MISMATCH, "'q'", "rank 4", "3")
expect("att: v has rank 5", "att", [q, k, v.reshape(2, 5, 2, 2, 4)],
       sentinels(out_shape), RANK_MISMATCH, "'v'")
expect("att: output with T = 4 (q has T = 3)", "att", [q, k, v],
       sentinels((2, 4, 4, 8)), SHAPE_MISMATCH, "output 0", "'out'", "'T'")
expect("att: output is f16", "att", [q, k, v],
       sentinels(out_shape, dtype=np.float16), DTYPE_MISMATCH, "output 0", "'out'")
expect("att: 2 inputs", "att", [q, k], sentinels(out_shape),
       INVALID_ARGUMENT, "expected 3 inputs, got 2")
expect("att: 4 inputs", "att", [q, k, v, v], sentinels(out_shape),
       INVALID_ARGUMENT, "expected 3 inputs, got 4")
expect("att: 2 outputs", "att", [q, k, v], sentinels(out_shape, out_shape),
       INVALID_ARGUMENT, "expected 1 output, got 2")
expect("att: 0 outputs", "att", [q, k, v], [], INVALID_ARGUMENT, "expected 1 output, got 0")

o = sentinels(out_shape)[0]
expect_raw("att: NULL data for k", "att", [Buf(q), Buf(None, "f32", k.shape), Buf(v)],
           [Buf(o)], INVALID_ARGUMENT, "'k'", "NULL")
expect_raw("att: negative T in q", "att", [Buf(q, shape=(2, -3, 4, 8)), Buf(k), Buf(v)],
           [Buf(o)], INVALID_ARGUMENT, "'q'", "negative")
expect_raw("att: unknown dtype code 99 for v", "att", [Buf(q), Buf(k), Buf(v, 99)],
           [Buf(o)], DTYPE_MISMATCH, "'v'", "99")
expect_raw("att: q with H = 3 and a NULL status", "att",
           [Buf(randn(rng, 2, 3, 3, 8)), Buf(k), Buf(v)], [Buf(o)], SHAPE_MISMATCH,
           with_status=False)

# A good call writes the output (so the sentinel checks above mean something).
good, = chk.call(art, "att", q, k, v, outputs=sentinels(out_shape))
chk.close("att: a correct call after the failed ones", good, ref.attention(q, k, v), 1e-5)

# ----- layer step: x [2, T, D], caches [2, P, ...] -> caches [2, P + T, ...] --
T, P = 3, 4
x = randn(rng, 2, T, D)
kc, vc = randn(rng, 2, P, Hk, d), randn(rng, 2, P, Hk, d)
kbc, sc = randn(rng, 2, P, 1, D), randn(rng, 2, P, 1, D)


def step_outs(T=T, P=P, rows=None):
    rows = [P + T] * 4 if rows is None else rows
    return sentinels((2, T, D), (2, rows[0], Hk, d), (2, rows[1], Hk, d),
                     (2, rows[2], 1, D), (2, rows[3], 1, D))


expect("step: v_cache with P = 5, k_cache with P = 4", "step",
       [x, *W, kc, randn(rng, 2, 5, Hk, d), kbc, sc], step_outs(),
       SHAPE_MISMATCH, "'v_cache'", "'P'", "'k_cache'")
expect("step: s_cache with P = 3", "step",
       [x, *W, kc, vc, kbc, randn(rng, 2, 3, 1, D)], step_outs(),
       SHAPE_MISMATCH, "'s_cache'", "'P'")
expect("step: k_cache_out with P + T + 1 rows", "step", [x, *W, kc, vc, kbc, sc],
       step_outs(rows=[P + T + 1, P + T, P + T, P + T]),
       SHAPE_MISMATCH, "'k_cache_out'", "P+T")
expect("step: s_cache_out with P rows (T forgotten)", "step", [x, *W, kc, vc, kbc, sc],
       step_outs(rows=[P + T, P + T, P + T, P]),
       SHAPE_MISMATCH, "'s_cache_out'", "P+T")
expect("step: y with T + 1 rows", "step", [x, *W, kc, vc, kbc, sc],
       [np.full((2, T + 1, D), SENTINEL, np.float32)] + step_outs()[1:],
       SHAPE_MISMATCH, "'y'", "'T'")
bad_W = list(W)
bad_W[3] = randn(rng, D, D - 1)       # w_q: [D, D - 1]
expect("step: w_q with %d columns (static %d)" % (D - 1, D), "step",
       [x, *bad_W, kc, vc, kbc, sc], step_outs(), SHAPE_MISMATCH, "'w_q'", "dimension 1")
expect("step: the caches missing (%d inputs)" % (1 + NW), "step", [x, *W], step_outs(),
       INVALID_ARGUMENT, "expected %d inputs, got %d" % (5 + NW, 1 + NW))
expect("step: only y as output", "step", [x, *W, kc, vc, kbc, sc], step_outs()[:1],
       INVALID_ARGUMENT, "expected 5 outputs, got 1")
outs = chk.call(art, "step", x, *W, kc, vc, kbc, sc, outputs=step_outs())
want, _ = ref.layer(x, params, H, Hk, cache={"k": kc, "v": vc, "kb": kbc, "s": sc})
chk.close("step: a correct call after the failed ones", outs[0], want, 1e-4)

# ----- layer decode: x [B, 1, D], caches [B, P, ...] -> [B, P + 1, ...] -------
x3 = randn(rng, 3, 1, D)


def dec_outs(B, P):
    return sentinels((B, 1, D), (B, P + 1, Hk, d), (B, P + 1, Hk, d),
                     (B, P + 1, 1, D), (B, P + 1, 1, D))


c2 = [randn(rng, 2, P, Hk, d), randn(rng, 2, P, Hk, d),
      randn(rng, 2, P, 1, D), randn(rng, 2, P, 1, D)]
expect("decode: x batch 3, caches batch 2", "decode", [x3, *W, *c2], dec_outs(3, P),
       SHAPE_MISMATCH, "'k_cache'", "'B'", "'x'")
c3 = [randn(rng, 3, P, Hk, d), randn(rng, 3, P, Hk, d),
      randn(rng, 3, P, 1, D), randn(rng, 2, P, 1, D)]
expect("decode: s_cache batch 2, the rest batch 3", "decode", [x3, *W, *c3], dec_outs(3, P),
       SHAPE_MISMATCH, "'s_cache'", "'B'")
c3[3] = randn(rng, 3, P, 1, D)
expect("decode: outputs with batch 2", "decode", [x3, *W, *c3], dec_outs(2, P),
       SHAPE_MISMATCH, "output 0", "'y'", "'B'")
o = dec_outs(3, P)
o[2] = np.full((3, P, Hk, d), SENTINEL, np.float32)
expect("decode: v_cache_out with P rows, not P + 1", "decode", [x3, *W, *c3], o,
       SHAPE_MISMATCH, "'v_cache_out'")
expect("decode: x with T = 2 (static 1)", "decode", [randn(rng, 3, 2, D), *W, *c3],
       dec_outs(3, P), SHAPE_MISMATCH, "'x'", "dimension 1")
outs = chk.call(art, "decode", x3, *W, *c3, outputs=dec_outs(3, P))
want, _ = ref.layer(x3, params, H, Hk, cache=dict(zip(("k", "v", "kb", "s"), c3)))
chk.close("decode: a correct call after the failed ones", outs[0], want, 1e-4)

chk.finish()
