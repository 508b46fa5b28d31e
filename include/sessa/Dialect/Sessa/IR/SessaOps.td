//===- SessaOps.td - Sessa dialect ops ---------------------*- tablegen -*-===//
//
// Exact semantics: ../shared/SPEC.md. Every formula below is normative.
//
//===----------------------------------------------------------------------===//

#ifndef SESSA_DIALECT_SESSA_IR_SESSAOPS_TD
#define SESSA_DIALECT_SESSA_IR_SESSAOPS_TD

include "sessa/Dialect/Sessa/IR/SessaDialect.td"
include "mlir/IR/OpBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/TilingInterface.td"

/// The parallel dimensions of an op tile directly (e.g. with
/// transform.structured.tile_using_forall); see each op's description.
def Sessa_TilingInterface : DeclareOpInterfaceMethods<TilingInterface,
    ["getLoopIteratorTypes", "getIterationDomain", "getTiledImplementation",
     "getResultTilePosition"]>;

class Sessa_ShapedOp<string mnemonic, list<Trait> traits = []>
    : Sessa_Op<mnemonic, !listconcat(traits, [Pure,
        DeclareOpInterfaceMethods<ReifyRankedShapedTypeOpInterface, ["reifyResultShapes"]>])> {
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// RopeOp
//===----------------------------------------------------------------------===//

def Sessa_RopeOp : Sessa_ShapedOp<"rope", [AllTypesMatch<["input", "result"]>,
                                            Sessa_TilingInterface]> {
  let summary = "rotary position embedding on interleaved pairs";
  let description = [{
    Rotates consecutive pairs `(x[2i], x[2i+1])` of the last dimension of
    `input : [B, T, H, d]` (`d` even and static) by the angle of their absolute
    position. With position offset `P` (the `offset` operand, or the
    `static_offset` attribute, 0 by default), base `theta0 = base` and
    `w_i = theta0^(-2i/d)`, `phi = (P + t) * w_i` for `i in [0, d/2)`:

    ```
    out[b,t,h,2i]   = x[b,t,h,2i] * cos(phi) - x[b,t,h,2i+1] * sin(phi)
    out[b,t,h,2i+1] = x[b,t,h,2i] * sin(phi) + x[b,t,h,2i+1] * cos(phi)
    ```

    Tiling (TilingInterface): the iteration domain is `(B, T, H)`, all
    parallel; a tile of rows starting at `t0` is a rope with offset `P + t0`.

    This is the interleaved convention, not split halves. `B` and `T` may be
    dynamic. A dynamic position offset (decoding after a prefix of unknown
    length) is passed as an `index` operand.

    Example:

    ```mlir
    %0 = sessa.rope %x : tensor<2x16x8x64xf32>
    %1 = sessa.rope %x offset(%p) {base = 5.0e+05 : f64} : tensor<1x?x8x64xbf16>
    ```
  }];
  let arguments = (ins Sessa_FloatTensor:$input, Optional<Index>:$offset,
                   DefaultValuedAttr<F64Attr, "10000.0">:$base,
                   DefaultValuedAttr<I64Attr, "0">:$static_offset);
  let results = (outs Sessa_FloatTensor:$result);
  let assemblyFormat = [{
    $input (`offset` `(` $offset^ `)`)? attr-dict `:` type($input)
  }];
}

//===----------------------------------------------------------------------===//
// AttentionOp
//===----------------------------------------------------------------------===//

def Sessa_AttentionOp : Sessa_ShapedOp<"attention", [AllTypesMatch<["query", "result"]>,
                                                     Sessa_TilingInterface]> {
  let summary = "inclusive-causal grouped-query attention with an optional cached prefix";
  let description = [{
    `query : [B, T, H, d]`, `key, value : [B, S, Hk, d]` with `S = P + T`:
    the first `P` key/value rows are a cache of earlier positions, so query
    row `t` sits at absolute position `P + t`. `H % Hk == 0`, `g = H / Hk`;
    query head `h` reads key/value head `h / g`. With scale `c` (the `scale`
    attribute, `d^-1/2` when absent):

    ```
    out[b,t,h,:] = sum_{j <= P+t} softmax_j(c * q[b,t,h,:] . k[b,j,h/g,:]) * v[b,j,h/g,:]
    ```

    Tiling (TilingInterface): the iteration domain is `(B, T, Hk)`, all
    parallel: a tile of query rows `[t0, t0 + tn)` and key/value heads
    `[k0, k0 + kn)` is an attention of query heads `[k0 g, (k0 + kn) g)` over
    the key rows `[0, P + t0 + tn)` it can see.

    The softmax runs over the visible `j` only (inclusive causal). The result
    has the shape of `query`. `B`, `T` and `S` may be dynamic; `H`, `Hk` and
    `d` are static.

    Example (GQA, 8 query heads over 2 key/value heads, 5 cached rows):

    ```mlir
    %o = sessa.attention %q, %k, %v
        : tensor<1x3x8x64xf32>, tensor<1x8x2x64xf32>, tensor<1x8x2x64xf32>
    ```
  }];
  let arguments = (ins Sessa_FloatTensor:$query, Sessa_FloatTensor:$key,
                   Sessa_FloatTensor:$value, OptionalAttr<F64Attr>:$scale);
  let results = (outs Sessa_FloatTensor:$result);
  let assemblyFormat = [{
    $query `,` $key `,` $value attr-dict `:` type($query) `,` type($key) `,` type($value)
  }];
  let extraClassDeclaration = [{
    /// The scale `c`: the `scale` attribute, else `d^-1/2`.
    double getEffectiveScale();
  }];
}

//===----------------------------------------------------------------------===//
// FeedbackAttentionOp
//===----------------------------------------------------------------------===//

def Sessa_FeedbackAttentionOp : Sessa_ShapedOp<"feedback_attention",
    [AttrSizedOperandSegments, AllTypesMatch<["f", "result"]>,
     Sessa_TilingInterface]> {
  let summary = "gated strictly-causal feedback attention (the Sessa recurrence)";
  let description = [{
    `f : [B, T, Hb, dv]` is the injected signal, `qb, kb : [B, T, Hb, dk]`,
    `gamma : [B, T, Hb]` the (already squashed, `|gamma| < 1`) gate, scale `c`
    (the `scale` attribute, `dk^-1/2` when absent). An optional cache of `P`
    earlier positions is given as `kb_prev : [B, P, Hb, dk]` and
    `s_prev : [B, P, Hb, dv]` (both or neither). With `K = concat(kb_prev, kb)`
    and `S = concat(s_prev, s)` along time, row `t` (absolute position `P + t`)
    sees the strictly earlier positions `j < P + t`:

    ```
    alpha[b,t,h,j] = softmax_{j < P+t}(c * qb[b,t,h,:] . K[b,j,h,:])
    s[b,t,h,:]     = f[b,t,h,:] + gamma[b,t,h] * sum_{j < P+t} alpha[b,t,h,j] * S[b,j,h,:]
    ```

    When `P + t == 0` the sum is empty and `s = f`. Per `(b, h)` this is the
    unit lower-triangular solve `(I - diag(gamma) A) s = f` with `A` the
    strictly lower-triangular row-softmax matrix; `alpha` depends only on
    `qb` and `kb`. The result `s` has the shape of `f`. Tiling
    (TilingInterface): the iteration domain is `(B, Hb)`, both parallel (time
    is a recurrence and is not tiled).

    Example:

    ```mlir
    %s = sessa.feedback_attention %f, %qb, %kb, %gamma cache(%kbp, %sp)
        : tensor<1x4x1x32xf32>, tensor<1x4x1x32xf32>, tensor<1x4x1x32xf32>,
          tensor<1x4x1xf32>, tensor<1x9x1x32xf32>, tensor<1x9x1x32xf32>
    ```
  }];
  let arguments = (ins Sessa_FloatTensor:$f, Sessa_FloatTensor:$qb,
                   Sessa_FloatTensor:$kb, Sessa_FloatTensor:$gamma,
                   Optional<Sessa_FloatTensor>:$kb_prev,
                   Optional<Sessa_FloatTensor>:$s_prev,
                   OptionalAttr<F64Attr>:$scale);
  let results = (outs Sessa_FloatTensor:$result);
  let assemblyFormat = [{
    $f `,` $qb `,` $kb `,` $gamma (`cache` `(` $kb_prev^ `,` $s_prev `)`)?
    attr-dict `:` type($f) `,` type($qb) `,` type($kb) `,` type($gamma)
    (`,` type($kb_prev)^ `,` type($s_prev))?
  }];
  let extraClassDeclaration = [{
    /// The scale `c`: the `scale` attribute, else `dk^-1/2`.
    double getEffectiveScale();
    bool hasCache() { return getKbPrev() != nullptr; }
  }];
}

//===----------------------------------------------------------------------===//
// SelectiveScanOp
//===----------------------------------------------------------------------===//

def Sessa_SelectiveScanOp : Sessa_ShapedOp<"selective_scan",
    [AttrSizedOperandSegments, Sessa_TilingInterface]> {
  let summary = "Mamba-style selective state space scan (S6)";
  let description = [{
    `u, delta : [B, T, Dm]`, `A : [Dm, N]`, `B, C : [B, T, G, N]` with
    `Dm % G == 0` (channel `d` uses group `g(d) = d / (Dm / G)`). Optional:
    `D : [Dm]` (skip), `z : [B, T, Dm]` (gate), `delta_bias : [Dm]`,
    `h0 : [B, Dm, N]` (initial state, zero when absent); unit attribute
    `delta_softplus`.

    ```
    dt       = delta + delta_bias ; if delta_softplus: dt = log(1 + exp(dt))
    h_t[d,n] = exp(dt[t,d] * A[d,n]) * h_{t-1}[d,n] + dt[t,d] * B[t,g(d),n] * u[t,d]
    y[t,d]   = sum_n C[t,g(d),n] * h_t[d,n] + D[d] * u[t,d]
    if z:      y[t,d] *= z[t,d] * sigmoid(z[t,d])
    ```

    Results: `y : [B, T, Dm]` and the last state `h_T : [B, Dm, N]` (equal to
    `h0`, or zero, when `T == 0`). `B` and `T` may be dynamic. Tiling
    (TilingInterface): the iteration domain is `(B, Dm)`, both parallel; a
    channel tile must have a static size that divides `Dm / G` or is a
    multiple of it (it then covers whole groups).

    Example:

    ```mlir
    %y, %h = sessa.selective_scan %u, %dt, %A, %B, %C
        D(%D : tensor<64xf32>) z(%z : tensor<2x?x64xf32>) {delta_softplus}
        : tensor<2x?x64xf32>, tensor<2x?x64xf32>, tensor<64x16xf32>,
          tensor<2x?x1x16xf32>, tensor<2x?x1x16xf32>
          -> tensor<2x?x64xf32>, tensor<2x64x16xf32>
    ```
  }];
  let arguments = (ins Sessa_FloatTensor:$u, Sessa_FloatTensor:$delta,
                   Sessa_FloatTensor:$A, Sessa_FloatTensor:$B,
                   Sessa_FloatTensor:$C, Optional<Sessa_FloatTensor>:$D,
                   Optional<Sessa_FloatTensor>:$z,
                   Optional<Sessa_FloatTensor>:$delta_bias,
                   Optional<Sessa_FloatTensor>:$h0, UnitAttr:$delta_softplus);
  let results = (outs Sessa_FloatTensor:$y, Sessa_FloatTensor:$last_state);
  let assemblyFormat = [{
    $u `,` $delta `,` $A `,` $B `,` $C
    (`D` `(` $D^ `:` type($D) `)`)? (`z` `(` $z^ `:` type($z) `)`)?
    (`delta_bias` `(` $delta_bias^ `:` type($delta_bias) `)`)?
    (`h0` `(` $h0^ `:` type($h0) `)`)? attr-dict `:`
    type($u) `,` type($delta) `,` type($A) `,` type($B) `,` type($C)
    `->` type($y) `,` type($last_state)
  }];
}

//===----------------------------------------------------------------------===//
// LayerOp
//===----------------------------------------------------------------------===//

def Sessa_LayerOp : Sessa_ShapedOp<"layer", [AttrSizedOperandSegments]> {
  let summary = "the Sessa decoder layer (prefill, chunked prefill and decode)";
  let description = [{
    One Sessa layer of width `D` with `H = num_heads` forward heads of
    `d = D / H` (even when `rope` is set), `Hk = num_kv_heads` key/value heads
    (`H % Hk == 0`), LayerNorm epsilon `eps`, gate bound `gamma_max` in (0, 1).
    Weights follow PyTorch `Linear` (`W` is `out x in`, `Linear(x) = x W^T + b`);
    every bias is optional (zero when absent):

    ```
    u      = LayerNorm(x; ln_weight, ln_bias, eps)       # over D, biased variance
    [a|g]  = Linear_{w_in: 2D x D}(u)                     # a = first D columns
    abar   = GELU(a) = 0.5 a (1 + erf(a / sqrt 2))
    q      = Linear_{q_weight: D x D}(abar)              -> [B, T, H, d]
    k, v   = Linear_{k_weight, v_weight: Hk*d x D}(abar) -> [B, T, Hk, d]
    q, k   = rope(q, P), rope(k, P)                      (if rope; base rope_base)
    f      = attention(concat(k_cache, k), concat(v_cache, v)) -> [B, T, D]
    f      = f out_proj^T                                (iff H > 1; D x D, no bias)
    [qb|kb]= Linear_{fb_weight: 2D x D}(abar)            (one feedback head, dk = D)
    gamma  = gamma_max * tanh(gamma_bias + abar . gamma_ctx^T)  # gamma_ctx: 1 x D
    s      = feedback_attention(f, qb, kb, gamma, kb_cache, s_cache)  # scale D^-1/2
    y      = x + Linear_{w_out: D x D}(s * g)
    ```

    `x : [B, T, D]`; `B` and `T` may be dynamic, `D` is static. With the
    optional cache operands `k_cache, v_cache : [B, P, Hk, d]` (RoPE'd keys
    and values) and `kb_cache, s_cache : [B, P, 1, D]`, positions continue
    at `P` (for RoPE and both causal masks) and the op has four more results,
    the caches extended by this call's `T` rows (`[B, P + T, ...]`). Prefill
    passes caches with `P = 0`; decoding passes one token (`T = 1`).

    Example (decode step):

    ```mlir
    %y, %k1, %v1, %kb1, %s1 = sessa.layer %x
        norm(%lnw, %lnb) in_proj(%win) q_proj(%wq) k_proj(%wk) v_proj(%wv)
        fb_proj(%wfb) out_proj(%wo) gate(%gctx, %gb) out(%wout)
        cache(%k, %v, %kb, %s) {num_heads = 8 : i64, num_kv_heads = 2 : i64}
        : (...) -> (...)
    ```
  }];
  let arguments = (ins Sessa_FloatTensor:$x,
      Sessa_FloatTensor:$ln_weight, Sessa_FloatTensor:$ln_bias,
      Sessa_FloatTensor:$w_in, Optional<Sessa_FloatTensor>:$b_in,
      Sessa_FloatTensor:$q_weight, Optional<Sessa_FloatTensor>:$q_bias,
      Sessa_FloatTensor:$k_weight, Optional<Sessa_FloatTensor>:$k_bias,
      Sessa_FloatTensor:$v_weight, Optional<Sessa_FloatTensor>:$v_bias,
      Sessa_FloatTensor:$fb_weight, Optional<Sessa_FloatTensor>:$fb_bias,
      Optional<Sessa_FloatTensor>:$out_proj,
      Sessa_FloatTensor:$gamma_ctx, Sessa_FloatTensor:$gamma_bias,
      Sessa_FloatTensor:$w_out, Optional<Sessa_FloatTensor>:$b_out,
      Optional<Sessa_FloatTensor>:$k_cache, Optional<Sessa_FloatTensor>:$v_cache,
      Optional<Sessa_FloatTensor>:$kb_cache, Optional<Sessa_FloatTensor>:$s_cache,
      I64Attr:$num_heads, I64Attr:$num_kv_heads,
      DefaultValuedAttr<F64Attr, "1.0e-5">:$eps,
      DefaultValuedAttr<F64Attr, "0.999">:$gamma_max,
      DefaultValuedAttr<BoolAttr, "true">:$rope,
      DefaultValuedAttr<F64Attr, "10000.0">:$rope_base);
  let results = (outs Sessa_FloatTensor:$y,
                 Variadic<Sessa_FloatTensor>:$cache_out);
  let assemblyFormat = [{
    $x `norm` `(` $ln_weight `,` $ln_bias `)`
    `in_proj` `(` $w_in (`,` $b_in^)? `)`
    `q_proj` `(` $q_weight (`,` $q_bias^)? `)`
    `k_proj` `(` $k_weight (`,` $k_bias^)? `)`
    `v_proj` `(` $v_weight (`,` $v_bias^)? `)`
    `fb_proj` `(` $fb_weight (`,` $fb_bias^)? `)`
    (`out_proj` `(` $out_proj^ `)`)?
    `gate` `(` $gamma_ctx `,` $gamma_bias `)`
    `out` `(` $w_out (`,` $b_out^)? `)`
    (`cache` `(` $k_cache^ `,` $v_cache `,` $kb_cache `,` $s_cache `)`)?
    attr-dict `:` functional-type(operands, results)
  }];
  let extraClassDeclaration = [{
    bool hasCache() { return getKCache() != nullptr; }
    int64_t getModelDim();
    int64_t getHeadDim() { return getModelDim() / getNumHeads(); }
  }];
}

#endif // SESSA_DIALECT_SESSA_IR_SESSAOPS_TD
