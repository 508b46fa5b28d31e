# sessa.layer with caches on CPU: a prefill of P tokens, then chunks of 7
# tokens, then single-token decode steps must equal the full forward pass on
# the concatenated sequence (y and all four caches), and both must match the
# float64 reference. Entry points: dynamic T and P ("step"), T = 1 with
# dynamic P ("decode", caches of P + 1 rows), and static P and T.
#
# RUN: %python %s %t

import sys

import numpy as np

from sessa_testing import (Checker, compile_module, layer_func, layer_operands,
                           layer_ref_params, randn, ref, try_compile)

TOL = 1e-4
CACHE_NAMES = ("k", "v", "kb", "s")

work = sys.argv[1]
chk = Checker("layer with caches: prefill + chunks + decode == full forward (CPU, f32)")
rng = np.random.default_rng(20260106)

# name -> (B, D, H, Hk, biases, rope)
CONFIGS = {
    "a": (2, 48, 4, 2, True, None),                     # GQA, RoPE, all biases
    "b": (1, 64, 8, 2, False, False),                   # H=8/Hk=2, no RoPE, no biases
    "c": (1, 40, 1, 1, ("in", "v", "out"), None),       # H=1 (no out_proj), some biases
}
funcs = []
for c, (B, D, H, Hk, biases, rope) in CONFIGS.items():
    funcs.append(layer_func("step_" + c, B, None, D, H, Hk, biases=biases, rope=rope, cache=None))
    funcs.append(layer_func("decode_" + c, B, 1, D, H, Hk, biases=biases, rope=rope, cache=None))
B, D, H, Hk, biases, rope = CONFIGS["a"]
funcs.append(layer_func("static_p5_t3_a", B, 3, D, H, Hk, biases=biases, rope=rope, cache=5))
art = compile_module("".join(funcs), work, "layer_cache")


def empty_caches(B, D, H, Hk):
    d = D // H
    return [np.zeros((B, 0, Hk, d), np.float32), np.zeros((B, 0, Hk, d), np.float32),
            np.zeros((B, 0, 1, D), np.float32), np.zeros((B, 0, 1, D), np.float32)]


def ref_caches(rc):
    return [rc[n] for n in CACHE_NAMES]


def check_all(what, y, caches, want_y, want_caches, tol=TOL):
    chk.close(what + ": y", y, want_y, tol)
    for n, got, want in zip(CACHE_NAMES, caches, want_caches):
        chk.close(what + ": %s cache" % n, got, want, tol)


def scenario(c, prefill, chunks, decodes, decode_entry=True):
    B, D, H, Hk, biases, rope = CONFIGS[c]
    p = layer_ref_params(D, H, Hk, rng, biases)
    W = layer_operands(p, H, biases)
    T = prefill + sum(chunks) + decodes
    x = randn(rng, B, T, D)
    want_y, want_rc = ref.layer(x, p, H, Hk, rope=rope is not False)
    want_caches = ref_caches(want_rc)

    # Full forward: one call with an empty cache.
    full = chk.call(art, "step_" + c, x, *W, *empty_caches(B, D, H, Hk))
    check_all("[%s] full forward T=%d vs reference" % (c, T), full[0], full[1:],
              want_y, want_caches)

    # Incremental.
    caches = empty_caches(B, D, H, Hk)
    ys = []
    t0 = 0
    steps = [("step_", prefill)] + [("step_", n) for n in chunks]
    steps += [("decode_" if decode_entry and i % 2 == 0 else "step_", 1) for i in range(decodes)]
    shapes_ok = True
    for entry, n in steps:
        out = chk.call(art, entry + c, np.ascontiguousarray(x[:, t0:t0 + n]), *W, *caches)
        P = caches[0].shape[1]
        shapes_ok &= all(o.shape[1] == P + n for o in out[1:]) and out[0].shape[1] == n
        ys.append(out[0])
        caches = out[1:]
        t0 += n
    y = np.concatenate(ys, axis=1)
    plan = "prefill %d + chunks %s + %d decode steps" % (prefill, list(chunks), decodes)
    chk.true("[%s] %s: every extended cache has P + T rows" % (c, plan), shapes_ok)
    check_all("[%s] %s vs full forward" % (c, plan), y, caches, full[0], full[1:])
    check_all("[%s] %s vs reference" % (c, plan), y, caches, want_y, want_caches)


scenario("a", 9, (7, 7), 4)
scenario("b", 5, (7,), 3)
scenario("c", 1, (7, 7, 7), 2)
scenario("a", 0, (7,), 3)        # no prefill: the first chunk starts at P = 0
scenario("b", 12, (), 5, decode_entry=False)

# Static P = 5, T = 3: outputs are static [2, 8, ...].
B, D, H, Hk, biases, rope = CONFIGS["a"]
p = layer_ref_params(D, H, Hk, rng, biases)
W = layer_operands(p, H, biases)
x = randn(rng, B, 8, D)
want_y, want_rc = ref.layer(x, p, H, Hk)
pre = chk.call(art, "step_a", np.ascontiguousarray(x[:, :5]), *W, *empty_caches(B, D, H, Hk))
out = chk.call(art, "static_p5_t3_a", np.ascontiguousarray(x[:, 5:]), *W, *pre[1:])
chk.true("static_p5_t3_a outputs have 8 cache rows",
         [o.shape[1] for o in out[1:]] == [8, 8, 8, 8], str([o.shape for o in out]))
check_all("[a] static P=5 + T=3 vs reference", np.concatenate([pre[0], out[0]], axis=1),
          out[1:], want_y, ref_caches(want_rc))

# The decode entry's signature: caches in [2, P, ...], out [2, P + 1, ...]
# (a derived symbol: P plus the constant 1).
e = art.entries["decode_a"]
rows = e.outputs[1][2][1]
rel = [dv for dv in e.derived if dv[0] == rows]
chk.true("decode_a: k_cache_out rows are a derived symbol = P + 1",
         rel == [(rows, "P", None, 1)], "%r, derived %r" % (e.outputs[1], e.derived))
if rows != "P+1":
    chk.note("decode_a: the derived symbol P + 1 is named %r (no symbol T exists in this "
             "entry); messages and the manifest show that name" % rows)
e = art.entries["step_a"]
chk.true("step_a: s_cache_out rows are the derived symbol P+T = P + T",
         e.outputs[4][2][1] == "P+T" and ("P+T", "P", "T", 0) in e.derived,
         "%r, derived %r" % (e.outputs[4], e.derived))

# Decoding with a dynamic batch (x: [?, 1, D]), compiled on its own.
B, D, H, Hk, biases, rope = CONFIGS["a"]
art_b = try_compile(chk, layer_func("decode_dyn_b", None, 1, D, H, Hk, biases=biases, cache=None),
                    work, "layer_cache_dyn_b", "layer decode with a dynamic batch (x: ?x1x48)")
if art_b is not None:
    for Bv in (1, 3):
        p = layer_ref_params(D, H, Hk, rng, biases)
        W = layer_operands(p, H, biases)
        x = randn(rng, Bv, 6, D)
        want_y, want_rc = ref.layer(x, p, H, Hk)
        caches = empty_caches(Bv, D, H, Hk)
        ys = []
        for t in range(6):
            out = chk.call(art_b, "decode_dyn_b", np.ascontiguousarray(x[:, t:t + 1]), *W, *caches)
            ys.append(out[0])
            caches = out[1:]
        check_all("decode_dyn_b B=%d: 6 decode steps from P = 0 vs reference" % Bv,
                  np.concatenate(ys, axis=1), caches, want_y, ref_caches(want_rc))

chk.finish()
