# sessa.layer (full forward, no cache) on CPU against the float64
# reference: D not a power of two (40, 48, 24, 12), GQA (H=8, Hk=2), MHA,
# H = 1 (no out_proj), RoPE on / off (odd head dim without RoPE), all,
# none and some of the biases, custom eps / gamma_max / rope_base,
# saturating GELU / tanh, dynamic T (1, 9, 96), dynamic B, and dynamic B / T.
#
# RUN: %python %s %t

import sys

import numpy as np

from sessa_testing import (Checker, compile_module, layer_func, layer_operands,
                           layer_ref_params, randn, ref, try_compile)

TOL = 1e-4

work = sys.argv[1]
chk = Checker("layer forward (CPU, f32)")
rng = np.random.default_rng(20260105)

# (entry, B, T, D, H, Hk, biases, rope, extra attrs)
CASES = [
    ("d40_h4_biases", 2, 13, 40, 4, 4, True, None, {}),
    ("d48_h4_gqa2_nobias", 1, 16, 48, 4, 2, False, None, {}),
    ("d64_h8_gqa2", 2, 17, 64, 8, 2, True, None, {}),
    ("d64_h8_mqa_norope", 1, 11, 64, 8, 1, True, False, {}),
    ("h1_d32_biases", 2, 9, 32, 1, 1, True, True, {}),
    ("h1_d24_norope_nobias", 1, 10, 24, 1, 1, False, False, {}),
    ("d12_h4_odd_headdim_norope", 1, 8, 12, 4, 2, False, False, {}),
    ("bias_in_fb", 1, 7, 40, 4, 2, ("in", "fb"), None, {}),
    ("bias_qkv_out", 1, 7, 40, 4, 2, ("q", "k", "v", "out"), None, {}),
    ("custom_attrs", 2, 12, 48, 4, 2, True, None,
     dict(eps=1e-6, gamma_max=0.5, rope_base=5.0e5)),
]
funcs = [layer_func(n, B, T, D, H, Hk, biases=b, rope=r, **a)
         for n, B, T, D, H, Hk, b, r, a in CASES]
funcs.append(layer_func("dyn_t", 1, None, 48, 4, 2, biases=True))
funcs.append(layer_func("dyn_b", None, 5, 40, 4, 2, biases=True))
art = compile_module("".join(funcs), work, "layer")


def run(entry, B, T, D, H, Hk, biases, rope, attrs, what=None):
    p = layer_ref_params(D, H, Hk, rng, biases)
    x = randn(rng, B, T, D)
    y, = chk.call(art, entry, x, *layer_operands(p, H, biases))
    want, _ = ref.layer(x, p, H, Hk, rope=rope is not False, **attrs)
    chk.close(what or "%s B=%d T=%d D=%d H=%d Hk=%d biases=%s rope=%s%s"
              % (entry, B, T, D, H, Hk, biases, rope is not False,
                 "".join(" %s=%g" % kv for kv in attrs.items())), y, want, TOL)


for n, B, T, D, H, Hk, b, r, a in CASES:
    run(n, B, T, D, H, Hk, b, r, a)
for T in (1, 9, 96):
    run("dyn_t", 1, T, 48, 4, 2, True, None, {}, what="dyn_t (D=48, H=4, Hk=2) T=%d" % T)
for B in (1, 3):
    run("dyn_b", B, 5, 40, 4, 2, True, None, {}, what="dyn_b (D=40, H=4, Hk=2) B=%d T=5" % B)

# Saturation: pre-activations a of about +-30 (erf / GELU saturate) and a
# gate bias of +-20 (tanh saturates: gamma = +-gamma_max).
for gb in (20.0, -20.0):
    B, T, D, H, Hk = 2, 13, 40, 4, 4
    p = layer_ref_params(D, H, Hk, rng, True)
    p["W_in.weight"] = (30.0 * p["W_in.weight"]).astype(np.float32)
    p["mixer.gamma_bias"] = np.array([gb], np.float32)
    x = randn(rng, B, T, D)
    y, = chk.call(art, "d40_h4_biases", x, *layer_operands(p, H, True))
    want, _ = ref.layer(x, p, H, Hk)
    chk.close("d40_h4_biases saturating: W_in x30, gamma_bias=%g" % gb, y, want, TOL)

# Dynamic B and T together, compiled on its own so that a failure to compile
# it does not hide the other results.
art_bt = try_compile(chk, layer_func("dyn_bt_h1", None, None, 40, 1, 1, biases=False), work,
                     "layer_dyn_bt", "layer with dynamic B and T (tensor<?x?x40xf32>)")
if art_bt is not None:
    art, saved = art_bt, art
    for B, T in ((1, 1), (3, 6)):
        run("dyn_bt_h1", B, T, 40, 1, 1, False, None, {},
            what="dyn_bt_h1 (D=40, H=1, no biases) B=%d T=%d" % (B, T))
    art = saved

# The entry's self-description: names and symbols of the generated signature.
e = art.entries["dyn_t"]
chk.true("dyn_t signature: x is f32[1, T, 48] and y is f32[1, T, 48]",
         e.inputs[0] == ("x", "f32", [1, "T", 48]) and e.outputs == [("y", "f32", [1, "T", 48])],
         "%r / %r" % (e.inputs[0], e.outputs))
e = art.entries["h1_d32_biases"]
chk.true("h1_d32_biases takes no out_proj (18 - 1 = 17 inputs)",
         len(e.inputs) == 17 and "out_proj" not in [a[0] for a in e.inputs],
         "%d inputs" % len(e.inputs))

chk.finish()
