#!/usr/bin/env python3
"""Self-check of sessa_reference.py against alternative formulations of SPEC.md.

Each check compares the loop-based reference with a differently written
formulation (dense matrices, complex numbers, closed forms, split/cached
evaluation). Prints one line per check; exits 1 if any fails. Fixed seed.
"""

import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sessa_reference as ref  # noqa: E402

TOL = 1e-12
_failures = []


def check(name, err, tol=TOL):
    ok = err <= tol
    print("%-4s %-68s err=%.3e (tol %.0e)" % ("ok" if ok else "FAIL", name, err, tol))
    if not ok:
        _failures.append(name)


def check_true(name, cond):
    print("%-4s %s" % ("ok" if cond else "FAIL", name))
    if not cond:
        _failures.append(name)


# ----- alternative formulations ----------------------------------------------

def dense_feedback(f, qb, kb, gamma, scale=None):
    """SPEC 3, dense form: per (b, h) solve (I - diag(gamma) A) s = f."""
    B, T, Hb, dv = f.shape
    dk = qb.shape[3]
    c = dk ** -0.5 if scale is None else scale
    s = np.empty((B, T, Hb, dv))
    for b in range(B):
        for h in range(Hb):
            L = c * qb[b, :, h, :] @ kb[b, :, h, :].T
            mask = np.tril(np.ones((T, T), dtype=bool), k=-1)    # j < t
            A = np.zeros((T, T))
            for t in range(1, T):
                row = np.where(mask[t], L[t], -np.inf)
                e = np.exp(row - row[mask[t]].max())
                A[t] = e / e.sum()
            M = np.eye(T) - np.diag(gamma[b, :, h]) @ A
            s[b, :, h, :] = np.linalg.solve(M, f[b, :, h, :])
    return s


def dense_attention(q, k, v, scale=None):
    """SPEC 2, dense masked-softmax form with kv heads repeated (GQA)."""
    B, T, H, d = q.shape
    S, Hk = k.shape[1], k.shape[2]
    P = S - T
    c = d ** -0.5 if scale is None else scale
    kr = np.repeat(k, H // Hk, axis=2)
    vr = np.repeat(v, H // Hk, axis=2)
    L = c * np.einsum("bthd,bshd->bhts", q, kr)
    allowed = np.arange(S)[None, :] <= (P + np.arange(T))[:, None]
    L = np.where(allowed, L, -np.inf)
    L = L - L.max(axis=-1, keepdims=True)
    W = np.exp(L)
    W /= W.sum(axis=-1, keepdims=True)
    return np.einsum("bhts,bshd->bthd", W, vr)


def complex_rope(x, offset=0, base=10000.0):
    """SPEC 1 as a complex rotation of (x[2i] + i x[2i+1]) by exp(i phi)."""
    B, T, H, d = x.shape
    z = x[..., 0::2] + 1j * x[..., 1::2]
    w = base ** (-np.arange(d // 2) * 2.0 / d)
    phi = (offset + np.arange(T))[:, None] * w[None, :]
    z = z * np.exp(1j * phi)[None, :, None, :]
    out = np.empty_like(x)
    out[..., 0::2] = z.real
    out[..., 1::2] = z.imag
    return out


def closed_form_scan(u, delta, A, Bm, C, Dskip=None, z=None, delta_bias=None,
                     softplus=False, h0=None):
    """SPEC 4 unrolled: with cumulative steps c_t = sum_{r<=t} dt_r,
    h_t = exp(c_t A) h0 + sum_{s<=t} exp((c_t - c_s) A) dt_s B_s u_s."""
    Bsz, T, Dm = u.shape
    N = A.shape[1]
    G = Bm.shape[2]
    grp = np.arange(Dm) // (Dm // G)
    dt = delta + (0.0 if delta_bias is None else delta_bias)
    if softplus:
        dt = np.log1p(np.exp(dt))
    h0 = np.zeros((Bsz, Dm, N)) if h0 is None else h0
    y = np.empty((Bsz, T, Dm))
    hT = np.empty((Bsz, Dm, N))
    for b in range(Bsz):
        cum = np.cumsum(dt[b], axis=0)                                  # [T, Dm]
        for t in range(T):
            h = np.exp(cum[t][:, None] * A) * h0[b]
            for s_ in range(t + 1):
                decay = np.exp((cum[t] - cum[s_])[:, None] * A)
                h = h + decay * (dt[b, s_][:, None] * Bm[b, s_][grp] * u[b, s_][:, None])
            y[b, t] = (C[b, t][grp] * h).sum(axis=1)
            if Dskip is not None:
                y[b, t] += Dskip * u[b, t]
        hT[b] = h
    if z is not None:
        y = y * z / (1.0 + np.exp(-z))
    return y, hT


# ----- checks --------------------------------------------------------------

def check_helpers(rng):
    check("gelu(1), gelu(-1), gelu(0) vs known values",
          max(abs(ref.gelu(1.0) - 0.8413447460685429),
              abs(ref.gelu(-1.0) + 0.15865525393145707),
              abs(ref.gelu(0.0))))
    a = rng.standard_normal(5)
    check_true("rel_l2 returns inf when a has NaN",
               ref.rel_l2(np.array([np.nan, 0, 0, 0, 0.0]), a) == float("inf"))
    check_true("rel_l2 returns inf when a has Inf",
               ref.rel_l2(np.array([np.inf, 0, 0, 0, 0.0]), a) == float("inf"))
    check_true("rel_l2(a, a) == 0 and rel_l2(0, 0) == 0",
               ref.rel_l2(a, a) == 0.0 and ref.rel_l2(np.zeros(3), np.zeros(3)) == 0.0)
    x = rng.standard_normal((2, 3, 8))
    w, bias = rng.standard_normal(8), rng.standard_normal(8)
    ln = ref.layer_norm(x, w, bias, 1e-5)
    mu, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
    check("layer_norm vs numpy var (biased)",
          ref.rel_l2(ln, (x - mu) / np.sqrt(var + 1e-5) * w + bias))


def check_rope(rng):
    x = rng.standard_normal((2, 11, 3, 8))
    check("rope == complex-rotation formulation (offset 0)",
          ref.rel_l2(ref.rope(x), complex_rope(x)))
    check("rope == complex-rotation formulation (offset 5, base 500)",
          ref.rel_l2(ref.rope(x, offset=5, base=500.0), complex_rope(x, 5, 500.0)))
    P = 6
    check("rope(x[:, P:], offset=P) == rope(x)[:, P:]",
          ref.rel_l2(ref.rope(x[:, P:], offset=P), ref.rope(x)[:, P:]))
    check("rope at position 0 is the identity", ref.rel_l2(ref.rope(x[:, :1]), x[:, :1]))
    # Interleaved (not split-halves) convention, by hand for d = 4, position 1.
    xs = np.arange(1.0, 5.0).reshape(1, 1, 1, 4)
    p0, p1 = 1.0, 100.0 ** -0.5          # w_0 = 1, w_1 = 100^(-2/4)
    expect = np.array([1 * math.cos(p0) - 2 * math.sin(p0), 1 * math.sin(p0) + 2 * math.cos(p0),
                       3 * math.cos(p1) - 4 * math.sin(p1), 3 * math.sin(p1) + 4 * math.cos(p1)])
    check("rope interleaved pairs, by hand (d=4, pos 1, base 100)",
          ref.rel_l2(ref.rope(xs, offset=1, base=100.0).ravel(), expect))


def check_attention(rng):
    for (B, T, P, H, Hk, d) in [(2, 9, 0, 4, 4, 8), (2, 9, 0, 6, 2, 8), (1, 5, 7, 4, 1, 6),
                                (3, 1, 0, 2, 1, 4), (2, 1, 12, 4, 2, 8)]:
        q = rng.standard_normal((B, T, H, d))
        k = rng.standard_normal((B, P + T, Hk, d))
        v = rng.standard_normal((B, P + T, Hk, d))
        check("attention == dense masked softmax (B%d T%d P%d H%d Hk%d d%d)" % (B, T, P, H, Hk, d),
              ref.rel_l2(ref.attention(q, k, v), dense_attention(q, k, v)))
        g = H // Hk
        check("GQA attention == attention with repeated kv heads (H%d Hk%d P%d)" % (H, Hk, P),
              ref.rel_l2(ref.attention(q, k, v),
                         ref.attention(q, np.repeat(k, g, axis=2), np.repeat(v, g, axis=2))))
    q = rng.standard_normal((2, 1, 4, 8))
    k = rng.standard_normal((2, 1, 2, 8))
    v = rng.standard_normal((2, 1, 2, 8))
    check("attention T=1 P=0 returns v[:, 0] (of kv head h // g)",
          ref.rel_l2(ref.attention(q, k, v), np.repeat(v, 2, axis=2)), tol=0.0)
    # Cache: the last T rows of a full pass == queries of those rows over all keys.
    T_all, P = 13, 8
    q = rng.standard_normal((2, T_all, 4, 8))
    k = rng.standard_normal((2, T_all, 2, 8))
    v = rng.standard_normal((2, T_all, 2, 8))
    check("attention(q[:, P:], k, v) == attention(q, k, v)[:, P:]",
          ref.rel_l2(ref.attention(q[:, P:], k, v), ref.attention(q, k, v)[:, P:]))
    check("attention with explicit scale == dense with same scale",
          ref.rel_l2(ref.attention(q, k, v, scale=0.7), dense_attention(q, k, v, scale=0.7)))


def check_feedback(rng):
    for (B, T, Hb, dk, dv) in [(2, 10, 1, 8, 8), (2, 9, 3, 4, 6), (3, 1, 2, 5, 3), (1, 17, 1, 16, 16)]:
        f = rng.standard_normal((B, T, Hb, dv))
        qb = rng.standard_normal((B, T, Hb, dk))
        kb = rng.standard_normal((B, T, Hb, dk))
        gamma = 0.999 * np.tanh(rng.standard_normal((B, T, Hb)))
        s = ref.feedback_attention(f, qb, kb, gamma)
        check("feedback_attention == dense (I - diag(gamma) A)^-1 f (B%d T%d Hb%d dk%d dv%d)"
              % (B, T, Hb, dk, dv), ref.rel_l2(s, dense_feedback(f, qb, kb, gamma)))
        check_true("feedback_attention row 0 is exactly f (B%d T%d Hb%d)" % (B, T, Hb),
                   np.array_equal(s[:, 0], f[:, 0]))
    # Explicit scale, gamma near +-1.
    f = rng.standard_normal((2, 12, 2, 5))
    qb = rng.standard_normal((2, 12, 2, 3))
    kb = rng.standard_normal((2, 12, 2, 3))
    gamma = 0.999 * np.sign(rng.standard_normal((2, 12, 2)))
    check("feedback_attention, |gamma| = 0.999, scale 1.3 == dense",
          ref.rel_l2(ref.feedback_attention(f, qb, kb, gamma, scale=1.3),
                     dense_feedback(f, qb, kb, gamma, scale=1.3)))
    # Cache: prefix call then continuation == full call.
    B, T, Hb, dk, dv, P = 2, 15, 2, 4, 6, 6
    f = rng.standard_normal((B, T, Hb, dv))
    qb = rng.standard_normal((B, T, Hb, dk))
    kb = rng.standard_normal((B, T, Hb, dk))
    gamma = 0.9 * np.tanh(rng.standard_normal((B, T, Hb)))
    full = ref.feedback_attention(f, qb, kb, gamma)
    pre = ref.feedback_attention(f[:, :P], qb[:, :P], kb[:, :P], gamma[:, :P])
    rest = ref.feedback_attention(f[:, P:], qb[:, P:], kb[:, P:], gamma[:, P:],
                                  kb_prev=kb[:, :P], s_prev=pre)
    check("feedback_attention prefix P=6 + cached rest == full",
          ref.rel_l2(np.concatenate([pre, rest], axis=1), full))
    empty = ref.feedback_attention(f, qb, kb, gamma, kb_prev=kb[:, :0], s_prev=full[:, :0])
    check("feedback_attention with an empty (P=0) cache == no cache",
          ref.rel_l2(empty, full), tol=0.0)


def check_scan(rng):
    B, T, Dm, N, G = 2, 12, 6, 4, 2
    u = rng.standard_normal((B, T, Dm))
    delta = 0.5 * rng.standard_normal((B, T, Dm))
    A = -np.exp(rng.standard_normal((Dm, N)))
    Bm = rng.standard_normal((B, T, G, N))
    C = rng.standard_normal((B, T, G, N))
    Dskip = rng.standard_normal(Dm)
    z = rng.standard_normal((B, T, Dm))
    dbias = 0.3 * rng.standard_normal(Dm)
    h0 = rng.standard_normal((B, Dm, N))
    kw = dict(Dskip=Dskip, z=z, delta_bias=dbias, delta_softplus=True)

    y, hT = ref.selective_scan(u, delta, A, Bm, C, h0=h0, **kw)
    yc, hTc = closed_form_scan(u, delta, A, Bm, C, h0=h0, softplus=True,
                               Dskip=Dskip, z=z, delta_bias=dbias)
    check("selective_scan == closed-form unrolled sum (y)", ref.rel_l2(y, yc))
    check("selective_scan == closed-form unrolled sum (h_T)", ref.rel_l2(hT, hTc))

    h = T // 2
    sl = lambda a, lo, hi: a[:, lo:hi]  # noqa: E731
    y1, h1 = ref.selective_scan(sl(u, 0, h), sl(delta, 0, h), A, sl(Bm, 0, h), sl(C, 0, h),
                                Dskip=Dskip, z=sl(z, 0, h), delta_bias=dbias,
                                delta_softplus=True, h0=h0)
    y2, h2 = ref.selective_scan(sl(u, h, T), sl(delta, h, T), A, sl(Bm, h, T), sl(C, h, T),
                                Dskip=Dskip, z=sl(z, h, T), delta_bias=dbias,
                                delta_softplus=True, h0=h1)
    check("selective_scan halves chained through h0 == whole (y)",
          ref.rel_l2(np.concatenate([y1, y2], axis=1), y))
    check("selective_scan halves chained through h0 == whole (h_T)", ref.rel_l2(h2, hT))

    # No options: y = C.h only; G = Dm (one channel per group) and G = 1.
    for G_ in (1, Dm):
        Bg = rng.standard_normal((B, T, G_, N))
        Cg = rng.standard_normal((B, T, G_, N))
        y0, h0_ = ref.selective_scan(u, delta, A, Bg, Cg)
        yc0, hc0 = closed_form_scan(u, delta, A, Bg, Cg)
        check("selective_scan without options == closed form (G=%d)" % G_,
              ref.rel_l2(y0, yc0))
        check("selective_scan without options, h_T (G=%d)" % G_, ref.rel_l2(h0_, hc0))


def check_layer(rng):
    configs = [
        dict(D=32, H=4, Hk=2, biases=True, rope=True),
        dict(D=24, H=1, Hk=1, biases=False, rope=True),
        dict(D=16, H=2, Hk=2, biases=True, rope=False),
    ]
    for cfg in configs:
        D, H, Hk = cfg["D"], cfg["H"], cfg["Hk"]
        params = ref.make_layer_params(D, H, Hk, rng, biases=cfg["biases"])
        B, T, P = 2, 30, 9
        x = rng.standard_normal((B, T, D))
        kw = dict(n_heads=H, n_kv_heads=Hk, rope=cfg["rope"])
        tag = "D%d H%d Hk%d bias=%d rope=%d" % (D, H, Hk, cfg["biases"], cfg["rope"])

        y_full, cache_full = ref.layer(x, params, **kw)
        check_true("layer output finite and differs from x (%s)" % tag,
                   np.all(np.isfinite(y_full)) and ref.rel_l2(y_full, x) > 1e-3)

        # Prefill P, then chunks of 7, then single tokens.
        ys = []
        y, cache = ref.layer(x[:, :P], params, **kw)
        ys.append(y)
        t = P
        for _ in range(2):
            y, cache = ref.layer(x[:, t:t + 7], params, cache=cache, **kw)
            ys.append(y)
            t += 7
        while t < T:
            y, cache = ref.layer(x[:, t:t + 1], params, cache=cache, **kw)
            ys.append(y)
            t += 1
        check("layer prefill 9 + chunks of 7 + single tokens == full (%s)" % tag,
              ref.rel_l2(np.concatenate(ys, axis=1), y_full))
        for name in ("k", "v", "kb", "s"):
            check("layer cache[%r] after decoding == full-pass cache (%s)" % (name, tag),
                  ref.rel_l2(cache[name], cache_full[name]))

        # Layer internals against an independent composition of SPEC 5 that
        # uses the dense attention and dense feedback solve.
        p = {k_: np.asarray(v_, np.float64) for k_, v_ in params.items()}
        z = lambda n: p.get(n, 0.0)  # noqa: E731
        d = D // H
        mu, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
        u = (x - mu) / np.sqrt(var + 1e-5) * p["ln.weight"] + p["ln.bias"]
        ag = u @ p["W_in.weight"].T + z("W_in.bias")
        a, g = ag[..., :D], ag[..., D:]
        abar = 0.5 * a * (1 + np.vectorize(math.erf)(a / math.sqrt(2)))
        q = (abar @ p["mixer.q_proj.weight"].T + z("mixer.q_proj.bias")).reshape(B, T, H, d)
        k = (abar @ p["mixer.k_proj.weight"].T + z("mixer.k_proj.bias")).reshape(B, T, Hk, d)
        v = (abar @ p["mixer.v_proj.weight"].T + z("mixer.v_proj.bias")).reshape(B, T, Hk, d)
        if cfg["rope"]:
            q, k = complex_rope(q), complex_rope(k)
        f = dense_attention(q, k, v).reshape(B, T, D)
        if H > 1:
            f = f @ p["mixer.out_proj.weight"].T
        fb = abar @ p["mixer.proj_fb.weight"].T + z("mixer.proj_fb.bias")
        gam = 0.999 * np.tanh(p["mixer.gamma_bias"].reshape(()) + abar @ p["mixer.gamma_ctx.weight"].T)
        s = dense_feedback(f[:, :, None], fb[:, :, None, :D], fb[:, :, None, D:], gam,
                           scale=D ** -0.5)[:, :, 0]
        y_dense = x + (s * g) @ p["W_out.weight"].T + z("W_out.bias")
        check("layer == dense composition of SPEC 5 (%s)" % tag, ref.rel_l2(y_full, y_dense))

    # Scalar-shaped gamma_bias ([] instead of [1]) is accepted.
    params = ref.make_layer_params(16, 2, 1, rng)
    x = rng.standard_normal((1, 5, 16))
    p2 = dict(params)
    p2["mixer.gamma_bias"] = params["mixer.gamma_bias"].reshape(())
    check("layer accepts gamma_bias of shape [] like [1]",
          ref.rel_l2(ref.layer(x, p2, 2, 1)[0], ref.layer(x, params, 2, 1)[0]), tol=0.0)
    check_true("make_layer_params returns float32 arrays by default",
               all(v_.dtype == np.float32 for v_ in params.values()))


def main():
    rng = np.random.default_rng(20260424)
    check_helpers(rng)
    check_rope(rng)
    check_attention(rng)
    check_feedback(rng)
    check_scan(rng)
    check_layer(rng)
    if _failures:
        print("\n%d check(s) FAILED:" % len(_failures))
        for name in _failures:
            print("  " + name)
        return 1
    print("\nall reference checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
