# sessa.selective_scan on CPU against the float64 reference, both results
# (y and the last state h_T): no optional operand, each of D, z, delta_bias,
# h0 alone, all together, delta_softplus on / off, G = 1, 2, 4 and one group
# per channel, T = 1, dynamic B / T (T = 0 included: h_T = h0), and a scan
# split in two through h0 = the first part's last state.
#
# RUN: %python %s %t

import sys

import numpy as np

from sessa_testing import Checker, compile_module, randn, ref, scan_func

TOL = 1e-5

work = sys.argv[1]
chk = Checker("selective_scan (CPU, f32)")
rng = np.random.default_rng(20260104)

OPTS = ("D", "z", "delta_bias", "h0")
ALL = dict(D=True, z=True, delta_bias=True, h0=True)

# (entry, B, T, Dm, N, G, options)
STATIC = [
    ("plain", 2, 12, 16, 4, 1, {}),
    ("only_D", 2, 12, 16, 4, 1, dict(D=True)),
    ("only_z", 2, 12, 16, 4, 1, dict(z=True)),
    ("only_delta_bias", 2, 12, 16, 4, 1, dict(delta_bias=True)),
    ("only_h0", 2, 12, 16, 4, 1, dict(h0=True)),
    ("only_softplus", 2, 12, 16, 4, 1, dict(softplus=True)),
    ("all_softplus_g4", 2, 12, 16, 4, 4, dict(ALL, softplus=True)),
    ("all_no_softplus_g2", 1, 9, 24, 8, 2, ALL),
    ("all_softplus_g_per_channel", 1, 7, 8, 4, 8, dict(ALL, softplus=True)),
    ("t1_all_softplus", 3, 1, 16, 16, 2, dict(ALL, softplus=True)),
    ("t1_plain", 1, 1, 8, 4, 1, {}),
    ("long_d_z_softplus_g4", 1, 200, 64, 16, 4, dict(D=True, z=True, softplus=True)),
]
funcs = [scan_func(n, B, T, Dm, N, G, **o) for n, B, T, Dm, N, G, o in STATIC]
funcs.append(scan_func("dyn_t_all_softplus", 2, None, 16, 4, 2, **dict(ALL, softplus=True)))
funcs.append(scan_func("dyn_bt_D_softplus", None, None, 32, 8, 1, D=True, softplus=True))
funcs.append(scan_func("dyn_t_h0", 1, None, 8, 4, 1, h0=True))
art = compile_module("".join(funcs), work, "scan")


def make(B, T, Dm, N, G, opts):
    sp = opts.get("softplus", False)
    u = randn(rng, B, T, Dm)
    if sp:   # pre-activation; softplus makes it positive
        delta = (0.7 * rng.standard_normal((B, T, Dm)) - 1.0).astype(np.float32)
    else:    # already a positive step
        delta = rng.uniform(0.05, 0.6, (B, T, Dm)).astype(np.float32)
    A = (-np.exp(0.5 * rng.standard_normal((Dm, N)))).astype(np.float32)
    Bm = randn(rng, B, T, G, N)
    C = randn(rng, B, T, G, N)
    ins = [u, delta, A, Bm, C]
    kw = dict(delta_softplus=sp)
    if opts.get("D"):
        kw["Dskip"] = randn(rng, Dm)
        ins.append(kw["Dskip"])
    if opts.get("z"):
        kw["z"] = randn(rng, B, T, Dm)
        ins.append(kw["z"])
    if opts.get("delta_bias"):
        kw["delta_bias"] = randn(rng, Dm, scale=0.1)
        ins.append(kw["delta_bias"])
    if opts.get("h0"):
        kw["h0"] = randn(rng, B, Dm, N)
        ins.append(kw["h0"])
    return ins, kw


def run(entry, B, T, Dm, N, G, opts, what=None):
    ins, kw = make(B, T, Dm, N, G, opts)
    y, h = chk.call(art, entry, *ins)
    ry, rh = ref.selective_scan(*ins[:5], **kw)
    what = what or "%s B=%d T=%d Dm=%d N=%d G=%d" % (entry, B, T, Dm, N, G)
    chk.close(what + " y", y, ry, TOL)
    chk.close(what + " last state", h, rh, TOL)
    return ins, kw, y, h


for n, B, T, Dm, N, G, o in STATIC:
    run(n, B, T, Dm, N, G, o)

for T in (1, 5, 33):
    run("dyn_t_all_softplus", 2, T, 16, 4, 2, dict(ALL, softplus=True),
        what="dyn_t_all_softplus (G=2) T=%d" % T)
for B, T in ((1, 1), (3, 17)):
    run("dyn_bt_D_softplus", B, T, 32, 8, 1, dict(D=True, softplus=True),
        what="dyn_bt_D_softplus B=%d T=%d" % (B, T))

# T = 0: no step; y is empty and h_T = h0 (zero without h0). The outputs
# start as NaN so that a last state that is never written cannot pass.
ins, kw = make(2, 0, 16, 4, 2, dict(ALL, softplus=True))
y, h = chk.call(art, "dyn_t_all_softplus", *ins,
                outputs=[np.empty((2, 0, 16), np.float32), np.full((2, 16, 4), np.nan, np.float32)])
chk.true("dyn_t_all_softplus T=0: y has shape (2, 0, 16)", y.shape == (2, 0, 16), str(y.shape))
chk.equal("dyn_t_all_softplus T=0: last state == h0", h, kw["h0"])
ins, kw = make(3, 0, 32, 8, 1, dict(D=True, softplus=True))
y, h = chk.call(art, "dyn_bt_D_softplus", *ins,
                outputs=[np.empty((3, 0, 32), np.float32), np.full((3, 32, 8), np.nan, np.float32)])
chk.equal("dyn_bt_D_softplus T=0 (no h0): last state == 0", h, np.zeros((3, 32, 8), np.float32))

# softplus must not overflow: delta up to +-100 (exp(100) is inf in f32).
ins, kw = make(2, 12, 16, 4, 1, dict(softplus=True))
ins[1] = rng.choice(np.array([-100.0, -30.0, -5.0, 0.0, 5.0, 30.0, 100.0], np.float32),
                    size=ins[1].shape).astype(np.float32)
ins[0] = randn(rng, 2, 12, 16, scale=0.1)
y, h = chk.call(art, "only_softplus", *ins)
ry, rh = ref.selective_scan(*ins[:5], **kw)
chk.close("only_softplus with delta in [-100, 100] y", y, ry, TOL)
chk.close("only_softplus with delta in [-100, 100] last state", h, rh, TOL)

# The z gate must not overflow either: z in [-100, 100].
ins, kw = make(2, 12, 16, 4, 1, dict(z=True))
ins[5] = rng.choice(np.array([-100.0, -20.0, -1.0, 0.0, 1.0, 20.0, 100.0], np.float32),
                    size=ins[5].shape).astype(np.float32)
kw["z"] = ins[5]
y, h = chk.call(art, "only_z", *ins)
ry, rh = ref.selective_scan(*ins[:5], **kw)
chk.close("only_z with z in [-100, 100] y", y, ry, TOL)

# Two calls chained through the state equal one call over the whole sequence.
T, T0 = 20, 8
ins, kw = make(1, T, 8, 4, 1, dict(h0=True))
u, delta, A, Bm, C, h0 = ins
y, h = chk.call(art, "dyn_t_h0", *ins)
y1, h1 = chk.call(art, "dyn_t_h0", u[:, :T0], delta[:, :T0], A, Bm[:, :T0], C[:, :T0], h0)
y2, h2 = chk.call(art, "dyn_t_h0", u[:, T0:], delta[:, T0:], A, Bm[:, T0:], C[:, T0:], h1)
ry, rh = ref.selective_scan(*ins[:5], **kw)
chk.close("chained %d + %d through h0: y" % (T0, T - T0), np.concatenate([y1, y2], axis=1), ry, TOL)
chk.close("chained %d + %d through h0: last state" % (T0, T - T0), h2, rh, TOL)
chk.close("one call (dyn_t_h0 T=%d): last state" % T, h, rh, TOL)

chk.finish()
