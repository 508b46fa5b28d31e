"""Independent float64 reference of the Sessa operations (shared/SPEC.md).

Written directly from the formulas of SPEC.md, deliberately plain: explicit
Python loops over batch / heads / time, numpy only over feature dimensions.
Every function converts its inputs to float64 and returns float64 arrays.
Layout is token-major ([B, T, ...]); weights follow the PyTorch Linear
convention (W is out x in, Linear(x) = x W^T + b).

No dependency other than numpy (no scipy: erf comes from `math.erf`).
"""

import math

import numpy as np

__all__ = [
    "rope",
    "attention",
    "feedback_attention",
    "selective_scan",
    "layer",
    "make_layer_params",
    "rel_l2",
    "gelu",
    "layer_norm",
    "linear",
]


# --------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------

def _f64(x):
    return np.asarray(x, dtype=np.float64)


def _softmax(z):
    """Numerically stable softmax of a non-empty 1-D vector."""
    z = _f64(z)
    e = np.exp(z - np.max(z))
    return e / np.sum(e)


_erf = np.vectorize(math.erf, otypes=[np.float64])


def gelu(a):
    """Exact GELU, SPEC section 5: 0.5 a (1 + erf(a / sqrt 2))."""
    a = _f64(a)
    return 0.5 * a * (1.0 + _erf(a / math.sqrt(2.0)))


def layer_norm(x, weight, bias, eps=1e-5):
    """LayerNorm over the last dim with the biased variance (SPEC section 5)."""
    x = _f64(x)
    mu = np.mean(x, axis=-1, keepdims=True)
    var = np.mean((x - mu) ** 2, axis=-1, keepdims=True)
    y = (x - mu) / np.sqrt(var + eps)
    y = y * _f64(weight)
    if bias is not None:
        y = y + _f64(bias)
    return y


def linear(x, weight, bias=None):
    """PyTorch Linear: x W^T + b, with W of shape [out, in]."""
    y = _f64(x) @ _f64(weight).T
    if bias is not None:
        y = y + _f64(bias)
    return y


def rel_l2(a, b):
    """Relative L2 error ||a - b|| / max(||b||, tiny).

    Returns +inf when `a` (or `b`) contains any NaN / Inf, so that NaN can
    never pass a `rel_l2(...) < tol` test. Shapes must match exactly.
    """
    a = _f64(a)
    b = _f64(b)
    if a.shape != b.shape:
        raise ValueError("rel_l2: shape mismatch %s vs %s" % (a.shape, b.shape))
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return float("inf")
    num = float(np.linalg.norm((a - b).ravel()))
    den = max(float(np.linalg.norm(b.ravel())), np.finfo(np.float64).tiny)
    return num / den


# --------------------------------------------------------------------------
# SPEC section 1: rope
# --------------------------------------------------------------------------

def rope(x, offset=0, base=10000.0):
    """Rotary embedding, interleaved pairs (SPEC section 1).

    x: [B, T, H, d] with d even; row t is at absolute position offset + t.
    out[..., 2i]   = x[..., 2i] cos(phi) - x[..., 2i+1] sin(phi)
    out[..., 2i+1] = x[..., 2i] sin(phi) + x[..., 2i+1] cos(phi)
    with phi = (offset + t) * base^(-2i/d).
    """
    x = _f64(x)
    B, T, H, d = x.shape
    if d % 2 != 0:
        raise ValueError("rope: head dim must be even, got %d" % d)
    if offset < 0:
        raise ValueError("rope: offset must be >= 0")
    half = d // 2
    w = np.array([float(base) ** (-2.0 * i / d) for i in range(half)],
                 dtype=np.float64)
    out = np.empty_like(x)
    for t in range(T):
        phi = (offset + t) * w                      # [d/2]
        c, s = np.cos(phi), np.sin(phi)
        xe = x[:, t, :, 0::2]                        # [B, H, d/2]
        xo = x[:, t, :, 1::2]
        out[:, t, :, 0::2] = xe * c - xo * s
        out[:, t, :, 1::2] = xe * s + xo * c
    return out


_rope = rope  # `layer` has a boolean parameter named `rope`.


# --------------------------------------------------------------------------
# SPEC section 2: attention
# --------------------------------------------------------------------------

def attention(q, k, v, scale=None):
    """Causal (inclusive) GQA attention with an optional cache (SPEC section 2).

    q: [B, T, H, d]; k: [B, S, Hk, d]; v: [B, S, Hk, dv] with S = P + T.
    Query row t (absolute position P + t) sees keys j <= P + t; query head h
    reads kv head h // (H // Hk). Returns [B, T, H, dv].
    """
    q, k, v = _f64(q), _f64(k), _f64(v)
    B, T, H, d = q.shape
    Bk, S, Hk, dk = k.shape
    if Bk != B or dk != d:
        raise ValueError("attention: k shape %s vs q shape %s" % (k.shape, q.shape))
    if v.shape[:3] != k.shape[:3]:
        raise ValueError("attention: v shape %s vs k shape %s" % (v.shape, k.shape))
    if H % Hk != 0:
        raise ValueError("attention: H=%d not a multiple of Hk=%d" % (H, Hk))
    P = S - T
    if P < 0:
        raise ValueError("attention: S=%d < T=%d" % (S, T))
    c = d ** -0.5 if scale is None else float(scale)
    g = H // Hk
    out = np.empty((B, T, H, v.shape[3]), dtype=np.float64)
    for b in range(B):
        for h in range(H):
            kv = h // g
            for t in range(T):
                n = P + t + 1                              # visible keys j < n
                logits = c * (k[b, :n, kv, :] @ q[b, t, h, :])
                alpha = _softmax(logits)
                out[b, t, h, :] = alpha @ v[b, :n, kv, :]
    return out


# --------------------------------------------------------------------------
# SPEC section 3: feedback_attention
# --------------------------------------------------------------------------

def feedback_attention(f, qb, kb, gamma, scale=None, kb_prev=None, s_prev=None):
    """Gated strictly-causal feedback attention (SPEC section 3).

    f: [B, T, Hb, dv]; qb, kb: [B, T, Hb, dk]; gamma: [B, T, Hb];
    optional cache kb_prev: [B, P, Hb, dk], s_prev: [B, P, Hb, dv].
    s[t] = f[t] + gamma[t] * sum_{j < P+t} softmax_j(c qb[t].K[j]) S[j]
    with K = concat(kb_prev, kb), S = concat(s_prev, s); the row with
    P + t == 0 has an empty sum and gives s = f exactly. Returns s.
    """
    f, qb, kb, gamma = _f64(f), _f64(qb), _f64(kb), _f64(gamma)
    B, T, Hb, dv = f.shape
    dk = qb.shape[3]
    if qb.shape != (B, T, Hb, dk) or kb.shape != (B, T, Hb, dk):
        raise ValueError("feedback_attention: qb/kb shapes %s %s" % (qb.shape, kb.shape))
    if gamma.shape != (B, T, Hb):
        raise ValueError("feedback_attention: gamma shape %s" % (gamma.shape,))
    if (kb_prev is None) != (s_prev is None):
        raise ValueError("feedback_attention: kb_prev and s_prev go together")
    if kb_prev is None:
        P = 0
        kb_prev = np.zeros((B, 0, Hb, dk))
        s_prev = np.zeros((B, 0, Hb, dv))
    else:
        kb_prev, s_prev = _f64(kb_prev), _f64(s_prev)
        P = kb_prev.shape[1]
        if kb_prev.shape != (B, P, Hb, dk) or s_prev.shape != (B, P, Hb, dv):
            raise ValueError("feedback_attention: cache shapes %s %s"
                             % (kb_prev.shape, s_prev.shape))
    c = dk ** -0.5 if scale is None else float(scale)

    K = np.concatenate([kb_prev, kb], axis=1)            # [B, P+T, Hb, dk]
    S = np.zeros((B, P + T, Hb, dv), dtype=np.float64)
    S[:, :P] = s_prev
    for b in range(B):
        for h in range(Hb):
            for t in range(T):
                n = P + t                                  # visible j < n
                if n == 0:
                    S[b, n, h, :] = f[b, t, h, :]
                    continue
                logits = c * (K[b, :n, h, :] @ qb[b, t, h, :])
                alpha = _softmax(logits)
                S[b, n, h, :] = f[b, t, h, :] + gamma[b, t, h] * (alpha @ S[b, :n, h, :])
    return S[:, P:].copy()


# --------------------------------------------------------------------------
# SPEC section 4: selective_scan
# --------------------------------------------------------------------------

def selective_scan(u, delta, A, Bm, C, Dskip=None, z=None, delta_bias=None,
                   delta_softplus=False, h0=None):
    """Mamba-style selective scan (S6), SPEC section 4.

    u, delta: [B, T, Dm]; A: [Dm, N]; Bm, C: [B, T, G, N] (channel d uses
    group d // (Dm // G)); Dskip, delta_bias: [Dm]; z: [B, T, Dm];
    h0: [B, Dm, N]. Returns (y [B, T, Dm], h_T [B, Dm, N]).
    """
    u, delta, A, Bm, C = _f64(u), _f64(delta), _f64(A), _f64(Bm), _f64(C)
    Bsz, T, Dm = u.shape
    N = A.shape[1]
    G = Bm.shape[2]
    if delta.shape != u.shape or A.shape != (Dm, N):
        raise ValueError("selective_scan: delta/A shapes %s %s" % (delta.shape, A.shape))
    if Bm.shape != (Bsz, T, G, N) or C.shape != (Bsz, T, G, N):
        raise ValueError("selective_scan: Bm/C shapes %s %s" % (Bm.shape, C.shape))
    if Dm % G != 0:
        raise ValueError("selective_scan: Dm=%d not a multiple of G=%d" % (Dm, G))
    grp = np.arange(Dm) // (Dm // G)                       # group of each channel

    dt = delta.copy()
    if delta_bias is not None:
        dt = dt + _f64(delta_bias)
    if delta_softplus:
        dt = np.logaddexp(0.0, dt)                         # log(1 + exp(dt)), stable
    Dsk = np.zeros(Dm) if Dskip is None else _f64(Dskip)

    y = np.empty((Bsz, T, Dm), dtype=np.float64)
    hT = np.empty((Bsz, Dm, N), dtype=np.float64)
    for b in range(Bsz):
        h = np.zeros((Dm, N)) if h0 is None else _f64(h0)[b].copy()
        for t in range(T):
            dtt = dt[b, t][:, None]                        # [Dm, 1]
            Bt = Bm[b, t][grp]                             # [Dm, N]
            Ct = C[b, t][grp]                              # [Dm, N]
            h = np.exp(dtt * A) * h + dtt * Bt * u[b, t][:, None]
            y[b, t] = np.sum(Ct * h, axis=1) + Dsk * u[b, t]
        hT[b] = h
    if z is not None:
        z = _f64(z)
        y = y * (z * (1.0 / (1.0 + np.exp(-z))))
    return y, hT


# --------------------------------------------------------------------------
# SPEC section 5: the Sessa layer
# --------------------------------------------------------------------------

def layer(x, params, n_heads, n_kv_heads, eps=1e-5, gamma_max=0.999, rope=True,
          rope_base=10000.0, cache=None):
    """One Sessa decoder layer (SPEC section 5), with an optional decode cache.

    x: [B, T, D]; params: reference state-dict keys (optional biases may be
    absent, meaning zero; 'mixer.out_proj.weight' is required iff
    n_heads > 1 and unused otherwise). cache: None or
    {'k': [B,P,Hk,d] (RoPE'd), 'v': [B,P,Hk,d], 'kb': [B,P,1,D], 's': [B,P,1,D]}.
    Returns (y [B, T, D], new_cache with P + T rows); positions continue at P.
    """
    x = _f64(x)
    B, T, D = x.shape
    H, Hk = int(n_heads), int(n_kv_heads)
    if D % H != 0 or H % Hk != 0:
        raise ValueError("layer: D=%d, H=%d, Hk=%d incompatible" % (D, H, Hk))
    d = D // H
    p = {name: _f64(val) for name, val in params.items()}
    opt = p.get

    # Pre-norm, input projection, gate, GELU.
    u = layer_norm(x, p["ln.weight"], opt("ln.bias"), eps)
    ag = linear(u, p["W_in.weight"], opt("W_in.bias"))        # [B, T, 2D]
    a, g = ag[..., :D], ag[..., D:]
    abar = gelu(a)

    # Forward branch.
    q = linear(abar, p["mixer.q_proj.weight"], opt("mixer.q_proj.bias")).reshape(B, T, H, d)
    k = linear(abar, p["mixer.k_proj.weight"], opt("mixer.k_proj.bias")).reshape(B, T, Hk, d)
    v = linear(abar, p["mixer.v_proj.weight"], opt("mixer.v_proj.bias")).reshape(B, T, Hk, d)
    if cache is None:
        P = 0
        cache = {
            "k": np.zeros((B, 0, Hk, d)), "v": np.zeros((B, 0, Hk, d)),
            "kb": np.zeros((B, 0, 1, D)), "s": np.zeros((B, 0, 1, D)),
        }
    else:
        cache = {name: _f64(cache[name]) for name in ("k", "v", "kb", "s")}
        P = cache["k"].shape[1]
        for name, shape in (("k", (B, P, Hk, d)), ("v", (B, P, Hk, d)),
                            ("kb", (B, P, 1, D)), ("s", (B, P, 1, D))):
            if cache[name].shape != shape:
                raise ValueError("layer: cache[%r] has shape %s, expected %s"
                                 % (name, cache[name].shape, shape))
    if rope:
        q = _rope(q, offset=P, base=rope_base)
        k = _rope(k, offset=P, base=rope_base)
    k_all = np.concatenate([cache["k"], k], axis=1)
    v_all = np.concatenate([cache["v"], v], axis=1)
    f = attention(q, k_all, v_all).reshape(B, T, D)
    if H > 1:
        f = f @ p["mixer.out_proj.weight"].T

    # Feedback branch (one head, dk = dv = D).
    fb = linear(abar, p["mixer.proj_fb.weight"], opt("mixer.proj_fb.bias"))  # [B, T, 2D]
    qb, kb = fb[..., :D], fb[..., D:]
    gamma_bias = float(np.reshape(p["mixer.gamma_bias"], ()))
    ctx = abar @ p["mixer.gamma_ctx.weight"].reshape(1, D).T              # [B, T, 1]
    gamma = gamma_max * np.tanh(gamma_bias + ctx)
    s = feedback_attention(f[:, :, None, :], qb[:, :, None, :], kb[:, :, None, :],
                           gamma, scale=D ** -0.5,
                           kb_prev=cache["kb"], s_prev=cache["s"])         # [B, T, 1, D]

    y = x + linear(s[:, :, 0, :] * g, p["W_out.weight"], opt("W_out.bias"))
    new_cache = {
        "k": k_all,
        "v": v_all,
        "kb": np.concatenate([cache["kb"], kb[:, :, None, :]], axis=1),
        "s": np.concatenate([cache["s"], s], axis=1),
    }
    return y, new_cache


def make_layer_params(D, n_heads, n_kv_heads, rng, biases=True, dtype=np.float32):
    """Random, well-conditioned parameters for `layer` (SPEC section 5 keys).

    Weights ~ N(0, 1/in) (std 1/sqrt(in)), LayerNorm weight ~ 1 + 0.1 N,
    biases ~ 0.1 N (omitted when biases=False, except ln.bias which is always
    present), gamma_bias ~ 0.3 N with shape [1], gamma_ctx ~ 0.5/sqrt(D) N.
    """
    H, Hk = int(n_heads), int(n_kv_heads)
    if D % H != 0 or H % Hk != 0:
        raise ValueError("make_layer_params: D=%d, H=%d, Hk=%d incompatible" % (D, H, Hk))
    d = D // H
    std = 1.0 / math.sqrt(D)

    def w(out_dim, in_dim, scale=1.0):
        return (scale / math.sqrt(in_dim)) * rng.standard_normal((out_dim, in_dim))

    def bias(n):
        return 0.1 * rng.standard_normal(n)

    p = {
        "ln.weight": 1.0 + 0.1 * rng.standard_normal(D),
        "ln.bias": 0.1 * rng.standard_normal(D),
        "W_in.weight": w(2 * D, D),
        "mixer.q_proj.weight": w(D, D),
        "mixer.k_proj.weight": w(Hk * d, D),
        "mixer.v_proj.weight": w(Hk * d, D),
        "mixer.proj_fb.weight": w(2 * D, D),
        "mixer.gamma_bias": 0.3 * rng.standard_normal(1),
        "mixer.gamma_ctx.weight": 0.5 * std * rng.standard_normal((1, D)),
        "W_out.weight": w(D, D),
    }
    if H > 1:
        p["mixer.out_proj.weight"] = w(D, D)
    if biases:
        p["W_in.bias"] = bias(2 * D)
        p["mixer.q_proj.bias"] = bias(D)
        p["mixer.k_proj.bias"] = bias(Hk * d)
        p["mixer.v_proj.bias"] = bias(Hk * d)
        p["mixer.proj_fb.bias"] = bias(2 * D)
        p["W_out.bias"] = bias(D)
    return {name: np.ascontiguousarray(val, dtype=dtype) for name, val in p.items()}
