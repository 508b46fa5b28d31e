// One case per verifier diagnostic of the sessa ops (SessaOps.cpp,
// ShapeChecker.cpp), plus the ODS type-equality traits. Each expected error
// pins the distinctive part of the message: for shape errors the symbol
// message ("dimension 0 (B) is 3, but B = 2 from operand 'query'", "must have
// rank 4 with shape [B, T, H, d]"), not the rendering of the whole expected
// shape, which depends on the order of the checks.
// Ops that the custom syntax cannot express (a lone feedback cache, a partial
// layer cache, mismatched result types, selective_scan optional operands
// without the ones declared before them) use the generic form.
// A negative rope static_offset is in rope-negative-static-offset.mlir
// (an expected failure: the verifier does not reject it yet).

// RUN: sessa-opt %s -split-input-file -verify-diagnostics

// input must be rank 4
func.func @rope_rank(%x: tensor<2x4x8xf32>) {
  // expected-error @+1 {{operand 'input' must have rank 4 with shape [B, T, H, d]}}
  %r = sessa.rope %x : tensor<2x4x8xf32>
  return
}

// -----

// input must be rank 4 (too many dims)
func.func @rope_rank5(%x: tensor<2x4x2x8x1xf32>) {
  // expected-error @+1 {{operand 'input' must have rank 4 with shape [B, T, H, d]}}
  %r = sessa.rope %x : tensor<2x4x2x8x1xf32>
  return
}

// -----

// the head dimension d must be static
func.func @rope_dynamic_d(%x: tensor<2x4x2x?xf32>) {
  // expected-error @+1 {{operand 'input' dimension 3 (d) must be static, but has 'tensor<2x4x2x?xf32>'}}
  %r = sessa.rope %x : tensor<2x4x2x?xf32>
  return
}

// -----

// d must be even
func.func @rope_odd_d(%x: tensor<2x4x2x7xf32>) {
  // expected-error @+1 {{operand 'input' must have an even head dimension d (rotary pairs), but d = 7}}
  %r = sessa.rope %x : tensor<2x4x2x7xf32>
  return
}

// -----

// base must be positive
func.func @rope_base_zero(%x: tensor<2x4x2x8xf32>) {
  // expected-error @+1 {{attribute 'base' must be finite and positive, but is 0.000000e+00}}
  %r = sessa.rope %x {base = 0.0 : f64} : tensor<2x4x2x8xf32>
  return
}

// -----

// base must be positive
func.func @rope_base_negative(%x: tensor<2x4x2x8xf32>) {
  // expected-error @+1 {{attribute 'base' must be finite and positive, but is -2.000000e+00}}
  %r = sessa.rope %x {base = -2.0 : f64} : tensor<2x4x2x8xf32>
  return
}

// -----

// base must be finite
func.func @rope_base_inf(%x: tensor<2x4x2x8xf32>) {
  // expected-error @+1 {{attribute 'base' must be finite and positive, but is INF}}
  %r = sessa.rope %x {base = 0x7FF0000000000000 : f64} : tensor<2x4x2x8xf32>
  return
}

// -----

// base must not be NaN
func.func @rope_base_nan(%x: tensor<2x4x2x8xf32>) {
  // expected-error @+1 {{attribute 'base' must be finite and positive, but is nan}}
  %r = sessa.rope %x {base = 0x7FF8000000000000 : f64} : tensor<2x4x2x8xf32>
  return
}

// -----

// negative static_offset next to an offset operand: the sign is reported first
func.func @rope_negative_static_offset_with_operand(%x: tensor<2x4x2x8xf32>, %p: index) {
  // expected-error @+1 {{attribute 'static_offset' must be >= 0, but is -4}}
  %r = sessa.rope %x offset(%p) {static_offset = -4} : tensor<2x4x2x8xf32>
  return
}

// -----

// offset given twice
func.func @rope_both_offsets(%x: tensor<2x4x2x8xf32>, %p: index) {
  // expected-error @+1 {{position offset given both as operand 'offset' and as attribute 'static_offset'; use one}}
  %r = sessa.rope %x offset(%p) {static_offset = 3} : tensor<2x4x2x8xf32>
  return
}

// -----

// result type must equal the input type (generic form)
func.func @rope_result_type(%x: tensor<2x4x2x8xf32>) {
  // expected-error @+1 {{failed to verify that all of {input, result} have same type}}
  %r = "sessa.rope"(%x) : (tensor<2x4x2x8xf32>) -> tensor<2x4x2x8xf16>
  return
}

// -----

// key element type differs from query
func.func @attention_key_element_type(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x2x16xf16>, %v: tensor<2x4x2x16xf16>) {
  // expected-error @+1 {{operand 'key' has element type 'f16', but the op's element type is 'f32' (from operand 'query')}}
  %o = sessa.attention %q, %k, %v : tensor<2x4x8x16xf32>, tensor<2x4x2x16xf16>, tensor<2x4x2x16xf16>
  return
}

// -----

// value element type differs from query
func.func @attention_value_element_type(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x2x16xf32>, %v: tensor<2x4x2x16xbf16>) {
  // expected-error @+1 {{operand 'value' has element type 'bf16', but the op's element type is 'f32' (from operand 'query')}}
  %o = sessa.attention %q, %k, %v : tensor<2x4x8x16xf32>, tensor<2x4x2x16xf32>, tensor<2x4x2x16xbf16>
  return
}

// -----

// result type must equal the query type (generic form)
func.func @attention_result_type(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x2x16xf32>, %v: tensor<2x4x2x16xf32>) {
  // expected-error @+1 {{failed to verify that all of {query, result} have same type}}
  %o = "sessa.attention"(%q, %k, %v) : (tensor<2x4x8x16xf32>, tensor<2x4x2x16xf32>, tensor<2x4x2x16xf32>) -> tensor<2x4x8x8xf32>
  return
}

// -----

// query must be rank 4
func.func @attention_query_rank(%q: tensor<2x4x128xf32>, %k: tensor<2x4x2x16xf32>, %v: tensor<2x4x2x16xf32>) {
  // expected-error @+1 {{operand 'query' must have rank 4 with shape [B, T, H, d]}}
  %o = sessa.attention %q, %k, %v : tensor<2x4x128xf32>, tensor<2x4x2x16xf32>, tensor<2x4x2x16xf32>
  return
}

// -----

// key must be rank 4
func.func @attention_key_rank(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x32xf32>, %v: tensor<2x4x32xf32>) {
  // expected-error @+1 {{operand 'key' must have rank 4 with shape [B, S, Hk, d]}}
  %o = sessa.attention %q, %k, %v : tensor<2x4x8x16xf32>, tensor<2x4x32xf32>, tensor<2x4x32xf32>
  return
}

// -----

// value must be rank 4
func.func @attention_value_rank(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x2x16xf32>, %v: tensor<2x4x2x16x1xf32>) {
  // expected-error @+1 {{operand 'value' must have rank 4 with shape [B, S, Hk, d]}}
  %o = sessa.attention %q, %k, %v : tensor<2x4x8x16xf32>, tensor<2x4x2x16xf32>, tensor<2x4x2x16x1xf32>
  return
}

// -----

// key batch differs from query
func.func @attention_key_batch(%q: tensor<2x4x8x16xf32>, %k: tensor<3x4x2x16xf32>, %v: tensor<3x4x2x16xf32>) {
  // expected-error @+1 {{operand 'key' dimension 0 (B) is 3, but B = 2 from operand 'query'}}
  %o = sessa.attention %q, %k, %v : tensor<2x4x8x16xf32>, tensor<3x4x2x16xf32>, tensor<3x4x2x16xf32>
  return
}

// -----

// key head dim differs from query
func.func @attention_key_head_dim(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x2x8xf32>, %v: tensor<2x4x2x8xf32>) {
  // expected-error @+1 {{operand 'key' dimension 3 (d) is 8, but d = 16 from operand 'query'}}
  %o = sessa.attention %q, %k, %v : tensor<2x4x8x16xf32>, tensor<2x4x2x8xf32>, tensor<2x4x2x8xf32>
  return
}

// -----

// value rows differ from key rows
func.func @attention_value_rows(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x2x16xf32>, %v: tensor<2x5x2x16xf32>) {
  // expected-error @+1 {{operand 'value' dimension 1 (S) is 5, but S = 4 from operand 'key'}}
  %o = sessa.attention %q, %k, %v : tensor<2x4x8x16xf32>, tensor<2x4x2x16xf32>, tensor<2x5x2x16xf32>
  return
}

// -----

// value heads differ from key heads
func.func @attention_value_heads(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x2x16xf32>, %v: tensor<2x4x4x16xf32>) {
  // expected-error @+1 {{operand 'value' dimension 2 (Hk) is 4, but Hk = 2 from operand 'key'}}
  %o = sessa.attention %q, %k, %v : tensor<2x4x8x16xf32>, tensor<2x4x2x16xf32>, tensor<2x4x4x16xf32>
  return
}

// -----

// B bound from key when query batch is dynamic
func.func @attention_value_batch_dynamic_query(%q: tensor<?x4x8x16xf32>, %k: tensor<2x4x2x16xf32>, %v: tensor<1x4x2x16xf32>) {
  // expected-error @+1 {{operand 'value' dimension 0 (B) is 1, but B = 2 from operand 'key'}}
  %o = sessa.attention %q, %k, %v : tensor<?x4x8x16xf32>, tensor<2x4x2x16xf32>, tensor<1x4x2x16xf32>
  return
}

// -----

// H must be static
func.func @attention_dynamic_heads(%q: tensor<2x4x?x16xf32>, %k: tensor<2x4x2x16xf32>, %v: tensor<2x4x2x16xf32>) {
  // expected-error @+1 {{operand 'query' dimension 2 (H) must be static, but has 'tensor<2x4x?x16xf32>'}}
  %o = sessa.attention %q, %k, %v : tensor<2x4x?x16xf32>, tensor<2x4x2x16xf32>, tensor<2x4x2x16xf32>
  return
}

// -----

// d must be static
func.func @attention_dynamic_head_dim(%q: tensor<2x4x8x?xf32>, %k: tensor<2x4x2x16xf32>, %v: tensor<2x4x2x16xf32>) {
  // expected-error @+1 {{operand 'query' dimension 3 (d) must be static, but has 'tensor<2x4x8x?xf32>'}}
  %o = sessa.attention %q, %k, %v : tensor<2x4x8x?xf32>, tensor<2x4x2x16xf32>, tensor<2x4x2x16xf32>
  return
}

// -----

// Hk must be static
func.func @attention_dynamic_kv_heads(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x?x16xf32>, %v: tensor<2x4x?x16xf32>) {
  // expected-error @+1 {{operand 'key' dimension 2 (Hk) must be static, but has 'tensor<2x4x?x16xf32>'}}
  %o = sessa.attention %q, %k, %v : tensor<2x4x8x16xf32>, tensor<2x4x?x16xf32>, tensor<2x4x?x16xf32>
  return
}

// -----

// H % Hk != 0
func.func @attention_heads_not_multiple(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x3x16xf32>, %v: tensor<2x4x3x16xf32>) {
  // expected-error @+1 {{query heads H = 8 must be a positive multiple of key/value heads Hk = 3}}
  %o = sessa.attention %q, %k, %v : tensor<2x4x8x16xf32>, tensor<2x4x3x16xf32>, tensor<2x4x3x16xf32>
  return
}

// -----

// Hk = 0
func.func @attention_zero_kv_heads(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x0x16xf32>, %v: tensor<2x4x0x16xf32>) {
  // expected-error @+1 {{query heads H = 8 must be a positive multiple of key/value heads Hk = 0}}
  %o = sessa.attention %q, %k, %v : tensor<2x4x8x16xf32>, tensor<2x4x0x16xf32>, tensor<2x4x0x16xf32>
  return
}

// -----

// H = 0
func.func @attention_zero_heads(%q: tensor<2x4x0x16xf32>, %k: tensor<2x4x2x16xf32>, %v: tensor<2x4x2x16xf32>) {
  // expected-error @+1 {{query heads H = 0 must be a positive multiple of key/value heads Hk = 2}}
  %o = sessa.attention %q, %k, %v : tensor<2x4x0x16xf32>, tensor<2x4x2x16xf32>, tensor<2x4x2x16xf32>
  return
}

// -----

// S < T
func.func @attention_fewer_keys_than_queries(%q: tensor<2x4x8x16xf32>, %k: tensor<2x3x2x16xf32>, %v: tensor<2x3x2x16xf32>) {
  // expected-error @+1 {{operand 'key' has S = 3 rows, fewer than the T = 4 query rows; keys hold P >= 0 cached rows followed by the T new rows (S = P + T)}}
  %o = sessa.attention %q, %k, %v : tensor<2x4x8x16xf32>, tensor<2x3x2x16xf32>, tensor<2x3x2x16xf32>
  return
}

// -----

// scale must be non-zero
func.func @attention_scale_zero(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x2x16xf32>, %v: tensor<2x4x2x16xf32>) {
  // expected-error @+1 {{attribute 'scale' must be finite and non-zero, but is 0.000000e+00}}
  %o = sessa.attention %q, %k, %v {scale = 0.0 : f64} : tensor<2x4x8x16xf32>, tensor<2x4x2x16xf32>, tensor<2x4x2x16xf32>
  return
}

// -----

// scale must be finite
func.func @attention_scale_inf(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x2x16xf32>, %v: tensor<2x4x2x16xf32>) {
  // expected-error @+1 {{attribute 'scale' must be finite and non-zero, but is INF}}
  %o = sessa.attention %q, %k, %v {scale = 0x7FF0000000000000 : f64} : tensor<2x4x8x16xf32>, tensor<2x4x2x16xf32>, tensor<2x4x2x16xf32>
  return
}

// -----

// scale must not be NaN
func.func @attention_scale_nan(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x2x16xf32>, %v: tensor<2x4x2x16xf32>) {
  // expected-error @+1 {{attribute 'scale' must be finite and non-zero, but is nan}}
  %o = sessa.attention %q, %k, %v {scale = 0x7FF8000000000000 : f64} : tensor<2x4x8x16xf32>, tensor<2x4x2x16xf32>, tensor<2x4x2x16xf32>
  return
}

// -----

// qb element type differs from f
func.func @feedback_qb_element_type(%f: tensor<2x4x1x8xf32>, %qb: tensor<2x4x1x16xf16>, %kb: tensor<2x4x1x16xf32>, %gamma: tensor<2x4x1xf32>) {
  // expected-error @+1 {{operand 'qb' has element type 'f16', but the op's element type is 'f32' (from operand 'f')}}
  %s = sessa.feedback_attention %f, %qb, %kb, %gamma : tensor<2x4x1x8xf32>, tensor<2x4x1x16xf16>, tensor<2x4x1x16xf32>, tensor<2x4x1xf32>
  return
}

// -----

// kb element type differs from f
func.func @feedback_kb_element_type(%f: tensor<2x4x1x8xf32>, %qb: tensor<2x4x1x16xf32>, %kb: tensor<2x4x1x16xbf16>, %gamma: tensor<2x4x1xf32>) {
  // expected-error @+1 {{operand 'kb' has element type 'bf16', but the op's element type is 'f32' (from operand 'f')}}
  %s = sessa.feedback_attention %f, %qb, %kb, %gamma : tensor<2x4x1x8xf32>, tensor<2x4x1x16xf32>, tensor<2x4x1x16xbf16>, tensor<2x4x1xf32>
  return
}

// -----

// gamma element type differs from f
func.func @feedback_gamma_element_type(%f: tensor<2x4x1x8xf32>, %qb: tensor<2x4x1x16xf32>, %kb: tensor<2x4x1x16xf32>, %gamma: tensor<2x4x1xf16>) {
  // expected-error @+1 {{operand 'gamma' has element type 'f16', but the op's element type is 'f32' (from operand 'f')}}
  %s = sessa.feedback_attention %f, %qb, %kb, %gamma : tensor<2x4x1x8xf32>, tensor<2x4x1x16xf32>, tensor<2x4x1x16xf32>, tensor<2x4x1xf16>
  return
}

// -----

// kb_prev element type differs from f
func.func @feedback_kb_prev_element_type(%f: tensor<2x4x1x8xf32>, %qb: tensor<2x4x1x16xf32>, %kb: tensor<2x4x1x16xf32>, %gamma: tensor<2x4x1xf32>, %kb_prev: tensor<2x3x1x16xf16>, %s_prev: tensor<2x3x1x8xf32>) {
  // expected-error @+1 {{operand 'kb_prev' has element type 'f16', but the op's element type is 'f32' (from operand 'f')}}
  %s = sessa.feedback_attention %f, %qb, %kb, %gamma cache(%kb_prev, %s_prev) : tensor<2x4x1x8xf32>, tensor<2x4x1x16xf32>, tensor<2x4x1x16xf32>, tensor<2x4x1xf32>, tensor<2x3x1x16xf16>, tensor<2x3x1x8xf32>
  return
}

// -----

// s_prev element type differs from f
func.func @feedback_s_prev_element_type(%f: tensor<2x4x1x8xf32>, %qb: tensor<2x4x1x16xf32>, %kb: tensor<2x4x1x16xf32>, %gamma: tensor<2x4x1xf32>, %kb_prev: tensor<2x3x1x16xf32>, %s_prev: tensor<2x3x1x8xbf16>) {
  // expected-error @+1 {{operand 's_prev' has element type 'bf16', but the op's element type is 'f32' (from operand 'f')}}
  %s = sessa.feedback_attention %f, %qb, %kb, %gamma cache(%kb_prev, %s_prev) : tensor<2x4x1x8xf32>, tensor<2x4x1x16xf32>, tensor<2x4x1x16xf32>, tensor<2x4x1xf32>, tensor<2x3x1x16xf32>, tensor<2x3x1x8xbf16>
  return
}

// -----

// result type must equal the type of f (generic form)
func.func @feedback_result_type(%f: tensor<2x4x1x8xf32>, %qb: tensor<2x4x1x16xf32>, %kb: tensor<2x4x1x16xf32>, %gamma: tensor<2x4x1xf32>) {
  // expected-error @+1 {{failed to verify that all of {f, result} have same type}}
  %s = "sessa.feedback_attention"(%f, %qb, %kb, %gamma) <{operandSegmentSizes = array<i32: 1, 1, 1, 1, 0, 0>}> : (tensor<2x4x1x8xf32>, tensor<2x4x1x16xf32>, tensor<2x4x1x16xf32>, tensor<2x4x1xf32>) -> tensor<2x4x1x16xf32>
  return
}

// -----

// f must be rank 4
func.func @feedback_f_rank(%f: tensor<2x4x8xf32>, %qb: tensor<2x4x1x16xf32>, %kb: tensor<2x4x1x16xf32>, %gamma: tensor<2x4x1xf32>) {
  // expected-error @+1 {{operand 'f' must have rank 4 with shape [B, T, Hb, dv]}}
  %s = sessa.feedback_attention %f, %qb, %kb, %gamma : tensor<2x4x8xf32>, tensor<2x4x1x16xf32>, tensor<2x4x1x16xf32>, tensor<2x4x1xf32>
  return
}

// -----

// qb must be rank 4
func.func @feedback_qb_rank(%f: tensor<2x4x1x8xf32>, %qb: tensor<2x4x16xf32>, %kb: tensor<2x4x1x16xf32>, %gamma: tensor<2x4x1xf32>) {
  // expected-error @+1 {{operand 'qb' must have rank 4 with shape [B, T, Hb, dk]}}
  %s = sessa.feedback_attention %f, %qb, %kb, %gamma : tensor<2x4x1x8xf32>, tensor<2x4x16xf32>, tensor<2x4x1x16xf32>, tensor<2x4x1xf32>
  return
}

// -----

// kb must be rank 4
func.func @feedback_kb_rank(%f: tensor<2x4x1x8xf32>, %qb: tensor<2x4x1x16xf32>, %kb: tensor<2x4x1x16x1xf32>, %gamma: tensor<2x4x1xf32>) {
  // expected-error @+1 {{operand 'kb' must have rank 4 with shape [B, T, Hb, dk]}}
  %s = sessa.feedback_attention %f, %qb, %kb, %gamma : tensor<2x4x1x8xf32>, tensor<2x4x1x16xf32>, tensor<2x4x1x16x1xf32>, tensor<2x4x1xf32>
  return
}

// -----

// gamma must be rank 3 (one gate per row and head)
func.func @feedback_gamma_rank(%f: tensor<2x4x1x8xf32>, %qb: tensor<2x4x1x16xf32>, %kb: tensor<2x4x1x16xf32>, %gamma: tensor<2x4x1x1xf32>) {
  // expected-error @+1 {{operand 'gamma' must have rank 3 with shape [B, T, Hb]}}
  %s = sessa.feedback_attention %f, %qb, %kb, %gamma : tensor<2x4x1x8xf32>, tensor<2x4x1x16xf32>, tensor<2x4x1x16xf32>, tensor<2x4x1x1xf32>
  return
}

// -----

// qb has a different T than f
func.func @feedback_qb_rows(%f: tensor<2x4x1x8xf32>, %qb: tensor<2x5x1x16xf32>, %kb: tensor<2x4x1x16xf32>, %gamma: tensor<2x4x1xf32>) {
  // expected-error @+1 {{operand 'qb' dimension 1 (T) is 5, but T = 4 from operand 'f'}}
  %s = sessa.feedback_attention %f, %qb, %kb, %gamma : tensor<2x4x1x8xf32>, tensor<2x5x1x16xf32>, tensor<2x4x1x16xf32>, tensor<2x4x1xf32>
  return
}

// -----

// kb has a different dk than qb
func.func @feedback_kb_key_dim(%f: tensor<2x4x1x8xf32>, %qb: tensor<2x4x1x16xf32>, %kb: tensor<2x4x1x8xf32>, %gamma: tensor<2x4x1xf32>) {
  // expected-error @+1 {{operand 'kb' dimension 3 (dk) is 8, but dk = 16 from operand 'qb'}}
  %s = sessa.feedback_attention %f, %qb, %kb, %gamma : tensor<2x4x1x8xf32>, tensor<2x4x1x16xf32>, tensor<2x4x1x8xf32>, tensor<2x4x1xf32>
  return
}

// -----

// kb has a different Hb than f
func.func @feedback_kb_heads(%f: tensor<2x4x1x8xf32>, %qb: tensor<2x4x1x16xf32>, %kb: tensor<2x4x2x16xf32>, %gamma: tensor<2x4x1xf32>) {
  // expected-error @+1 {{operand 'kb' dimension 2 (Hb) is 2, but Hb = 1 from operand 'f'}}
  %s = sessa.feedback_attention %f, %qb, %kb, %gamma : tensor<2x4x1x8xf32>, tensor<2x4x1x16xf32>, tensor<2x4x2x16xf32>, tensor<2x4x1xf32>
  return
}

// -----

// gamma has a different Hb than f
func.func @feedback_gamma_heads(%f: tensor<2x4x1x8xf32>, %qb: tensor<2x4x1x16xf32>, %kb: tensor<2x4x1x16xf32>, %gamma: tensor<2x4x2xf32>) {
  // expected-error @+1 {{operand 'gamma' dimension 2 (Hb) is 2, but Hb = 1 from operand 'f'}}
  %s = sessa.feedback_attention %f, %qb, %kb, %gamma : tensor<2x4x1x8xf32>, tensor<2x4x1x16xf32>, tensor<2x4x1x16xf32>, tensor<2x4x2xf32>
  return
}

// -----

// gamma has a different B than f
func.func @feedback_gamma_batch(%f: tensor<2x4x1x8xf32>, %qb: tensor<2x4x1x16xf32>, %kb: tensor<2x4x1x16xf32>, %gamma: tensor<1x4x1xf32>) {
  // expected-error @+1 {{operand 'gamma' dimension 0 (B) is 1, but B = 2 from operand 'f'}}
  %s = sessa.feedback_attention %f, %qb, %kb, %gamma : tensor<2x4x1x8xf32>, tensor<2x4x1x16xf32>, tensor<2x4x1x16xf32>, tensor<1x4x1xf32>
  return
}

// -----

// Hb must be static
func.func @feedback_dynamic_heads(%f: tensor<2x4x?x8xf32>, %qb: tensor<2x4x?x16xf32>, %kb: tensor<2x4x?x16xf32>, %gamma: tensor<2x4x?xf32>) {
  // expected-error @+1 {{operand 'f' dimension 2 (Hb) must be static, but has 'tensor<2x4x?x8xf32>'}}
  %s = sessa.feedback_attention %f, %qb, %kb, %gamma : tensor<2x4x?x8xf32>, tensor<2x4x?x16xf32>, tensor<2x4x?x16xf32>, tensor<2x4x?xf32>
  return
}

// -----

// dv must be static
func.func @feedback_dynamic_value_dim(%f: tensor<2x4x1x?xf32>, %qb: tensor<2x4x1x16xf32>, %kb: tensor<2x4x1x16xf32>, %gamma: tensor<2x4x1xf32>) {
  // expected-error @+1 {{operand 'f' dimension 3 (dv) must be static, but has 'tensor<2x4x1x?xf32>'}}
  %s = sessa.feedback_attention %f, %qb, %kb, %gamma : tensor<2x4x1x?xf32>, tensor<2x4x1x16xf32>, tensor<2x4x1x16xf32>, tensor<2x4x1xf32>
  return
}

// -----

// dk must be static
func.func @feedback_dynamic_key_dim(%f: tensor<2x4x1x8xf32>, %qb: tensor<2x4x1x?xf32>, %kb: tensor<2x4x1x16xf32>, %gamma: tensor<2x4x1xf32>) {
  // expected-error @+1 {{operand 'qb' dimension 3 (dk) must be static, but has 'tensor<2x4x1x?xf32>'}}
  %s = sessa.feedback_attention %f, %qb, %kb, %gamma : tensor<2x4x1x8xf32>, tensor<2x4x1x?xf32>, tensor<2x4x1x16xf32>, tensor<2x4x1xf32>
  return
}

// -----

// kb_prev without s_prev (generic form)
func.func @feedback_kb_prev_alone(%f: tensor<2x4x1x8xf32>, %qb: tensor<2x4x1x16xf32>, %kb: tensor<2x4x1x16xf32>, %gamma: tensor<2x4x1xf32>, %kb_prev: tensor<2x3x1x16xf32>) {
  // expected-error @+1 {{cache operands 'kb_prev' and 's_prev' must be given together}}
  %s = "sessa.feedback_attention"(%f, %qb, %kb, %gamma, %kb_prev) <{operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 0>}> : (tensor<2x4x1x8xf32>, tensor<2x4x1x16xf32>, tensor<2x4x1x16xf32>, tensor<2x4x1xf32>, tensor<2x3x1x16xf32>) -> tensor<2x4x1x8xf32>
  return
}

// -----

// s_prev without kb_prev (generic form)
func.func @feedback_s_prev_alone(%f: tensor<2x4x1x8xf32>, %qb: tensor<2x4x1x16xf32>, %kb: tensor<2x4x1x16xf32>, %gamma: tensor<2x4x1xf32>, %s_prev: tensor<2x3x1x8xf32>) {
  // expected-error @+1 {{cache operands 'kb_prev' and 's_prev' must be given together}}
  %s = "sessa.feedback_attention"(%f, %qb, %kb, %gamma, %s_prev) <{operandSegmentSizes = array<i32: 1, 1, 1, 1, 0, 1>}> : (tensor<2x4x1x8xf32>, tensor<2x4x1x16xf32>, tensor<2x4x1x16xf32>, tensor<2x4x1xf32>, tensor<2x3x1x8xf32>) -> tensor<2x4x1x8xf32>
  return
}

// -----

// kb_prev must be rank 4
func.func @feedback_kb_prev_rank(%f: tensor<2x4x1x8xf32>, %qb: tensor<2x4x1x16xf32>, %kb: tensor<2x4x1x16xf32>, %gamma: tensor<2x4x1xf32>, %kb_prev: tensor<2x3x16xf32>, %s_prev: tensor<2x3x1x8xf32>) {
  // expected-error @+1 {{operand 'kb_prev' must have rank 4 with shape [B, P, Hb, dk]}}
  %s = sessa.feedback_attention %f, %qb, %kb, %gamma cache(%kb_prev, %s_prev) : tensor<2x4x1x8xf32>, tensor<2x4x1x16xf32>, tensor<2x4x1x16xf32>, tensor<2x4x1xf32>, tensor<2x3x16xf32>, tensor<2x3x1x8xf32>
  return
}

// -----

// kb_prev batch differs
func.func @feedback_kb_prev_batch(%f: tensor<2x4x1x8xf32>, %qb: tensor<2x4x1x16xf32>, %kb: tensor<2x4x1x16xf32>, %gamma: tensor<2x4x1xf32>, %kb_prev: tensor<1x3x1x16xf32>, %s_prev: tensor<2x3x1x8xf32>) {
  // expected-error @+1 {{operand 'kb_prev' dimension 0 (B) is 1, but B = 2 from operand 'f'}}
  %s = sessa.feedback_attention %f, %qb, %kb, %gamma cache(%kb_prev, %s_prev) : tensor<2x4x1x8xf32>, tensor<2x4x1x16xf32>, tensor<2x4x1x16xf32>, tensor<2x4x1xf32>, tensor<1x3x1x16xf32>, tensor<2x3x1x8xf32>
  return
}

// -----

// kb_prev dk differs from qb
func.func @feedback_kb_prev_key_dim(%f: tensor<2x4x1x8xf32>, %qb: tensor<2x4x1x16xf32>, %kb: tensor<2x4x1x16xf32>, %gamma: tensor<2x4x1xf32>, %kb_prev: tensor<2x3x1x8xf32>, %s_prev: tensor<2x3x1x8xf32>) {
  // expected-error @+1 {{operand 'kb_prev' dimension 3 (dk) is 8, but dk = 16 from operand 'qb'}}
  %s = sessa.feedback_attention %f, %qb, %kb, %gamma cache(%kb_prev, %s_prev) : tensor<2x4x1x8xf32>, tensor<2x4x1x16xf32>, tensor<2x4x1x16xf32>, tensor<2x4x1xf32>, tensor<2x3x1x8xf32>, tensor<2x3x1x8xf32>
  return
}

// -----

// kb_prev Hb differs from f
func.func @feedback_kb_prev_heads(%f: tensor<2x4x1x8xf32>, %qb: tensor<2x4x1x16xf32>, %kb: tensor<2x4x1x16xf32>, %gamma: tensor<2x4x1xf32>, %kb_prev: tensor<2x3x2x16xf32>, %s_prev: tensor<2x3x1x8xf32>) {
  // expected-error @+1 {{operand 'kb_prev' dimension 2 (Hb) is 2, but Hb = 1 from operand 'f'}}
  %s = sessa.feedback_attention %f, %qb, %kb, %gamma cache(%kb_prev, %s_prev) : tensor<2x4x1x8xf32>, tensor<2x4x1x16xf32>, tensor<2x4x1x16xf32>, tensor<2x4x1xf32>, tensor<2x3x2x16xf32>, tensor<2x3x1x8xf32>
  return
}

// -----

// s_prev and kb_prev disagree on P
func.func @feedback_s_prev_rows(%f: tensor<2x4x1x8xf32>, %qb: tensor<2x4x1x16xf32>, %kb: tensor<2x4x1x16xf32>, %gamma: tensor<2x4x1xf32>, %kb_prev: tensor<2x3x1x16xf32>, %s_prev: tensor<2x5x1x8xf32>) {
  // expected-error @+1 {{operand 's_prev' dimension 1 (P) is 5, but P = 3 from operand 'kb_prev'}}
  %s = sessa.feedback_attention %f, %qb, %kb, %gamma cache(%kb_prev, %s_prev) : tensor<2x4x1x8xf32>, tensor<2x4x1x16xf32>, tensor<2x4x1x16xf32>, tensor<2x4x1xf32>, tensor<2x3x1x16xf32>, tensor<2x5x1x8xf32>
  return
}

// -----

// s_prev dv differs from f
func.func @feedback_s_prev_value_dim(%f: tensor<2x4x1x8xf32>, %qb: tensor<2x4x1x16xf32>, %kb: tensor<2x4x1x16xf32>, %gamma: tensor<2x4x1xf32>, %kb_prev: tensor<2x3x1x16xf32>, %s_prev: tensor<2x3x1x16xf32>) {
  // expected-error @+1 {{operand 's_prev' dimension 3 (dv) is 16, but dv = 8 from operand 'f'}}
  %s = sessa.feedback_attention %f, %qb, %kb, %gamma cache(%kb_prev, %s_prev) : tensor<2x4x1x8xf32>, tensor<2x4x1x16xf32>, tensor<2x4x1x16xf32>, tensor<2x4x1xf32>, tensor<2x3x1x16xf32>, tensor<2x3x1x16xf32>
  return
}

// -----

// s_prev must be rank 4
func.func @feedback_s_prev_rank(%f: tensor<2x4x1x8xf32>, %qb: tensor<2x4x1x16xf32>, %kb: tensor<2x4x1x16xf32>, %gamma: tensor<2x4x1xf32>, %kb_prev: tensor<2x3x1x16xf32>, %s_prev: tensor<2x3x8xf32>) {
  // expected-error @+1 {{operand 's_prev' must have rank 4 with shape [B, P, Hb, dv]}}
  %s = sessa.feedback_attention %f, %qb, %kb, %gamma cache(%kb_prev, %s_prev) : tensor<2x4x1x8xf32>, tensor<2x4x1x16xf32>, tensor<2x4x1x16xf32>, tensor<2x4x1xf32>, tensor<2x3x1x16xf32>, tensor<2x3x8xf32>
  return
}

// -----

// scale must be non-zero
func.func @feedback_scale_zero(%f: tensor<2x4x1x8xf32>, %qb: tensor<2x4x1x16xf32>, %kb: tensor<2x4x1x16xf32>, %gamma: tensor<2x4x1xf32>) {
  // expected-error @+1 {{attribute 'scale' must be finite and non-zero, but is 0.000000e+00}}
  %s = sessa.feedback_attention %f, %qb, %kb, %gamma {scale = 0.0 : f64} : tensor<2x4x1x8xf32>, tensor<2x4x1x16xf32>, tensor<2x4x1x16xf32>, tensor<2x4x1xf32>
  return
}

// -----

// scale must be finite
func.func @feedback_scale_inf(%f: tensor<2x4x1x8xf32>, %qb: tensor<2x4x1x16xf32>, %kb: tensor<2x4x1x16xf32>, %gamma: tensor<2x4x1xf32>) {
  // expected-error @+1 {{attribute 'scale' must be finite and non-zero, but is -INF}}
  %s = sessa.feedback_attention %f, %qb, %kb, %gamma {scale = 0xFFF0000000000000 : f64} : tensor<2x4x1x8xf32>, tensor<2x4x1x16xf32>, tensor<2x4x1x16xf32>, tensor<2x4x1xf32>
  return
}

// -----

// delta element type differs from u
func.func @scan_delta_element_type(%u: tensor<2x4x8xf32>, %delta: tensor<2x4x8xf16>, %A: tensor<8x3xf32>, %B: tensor<2x4x2x3xf32>, %C: tensor<2x4x2x3xf32>) {
  // expected-error @+1 {{operand 'delta' has element type 'f16', but the op's element type is 'f32' (from operand 'u')}}
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C : tensor<2x4x8xf32>, tensor<2x4x8xf16>, tensor<8x3xf32>, tensor<2x4x2x3xf32>, tensor<2x4x2x3xf32> -> tensor<2x4x8xf32>, tensor<2x8x3xf32>
  return
}

// -----

// A element type differs from u
func.func @scan_A_element_type(%u: tensor<2x4x8xf32>, %delta: tensor<2x4x8xf32>, %A: tensor<8x3xbf16>, %B: tensor<2x4x2x3xf32>, %C: tensor<2x4x2x3xf32>) {
  // expected-error @+1 {{operand 'A' has element type 'bf16', but the op's element type is 'f32' (from operand 'u')}}
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C : tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<8x3xbf16>, tensor<2x4x2x3xf32>, tensor<2x4x2x3xf32> -> tensor<2x4x8xf32>, tensor<2x8x3xf32>
  return
}

// -----

// B element type differs from u
func.func @scan_B_element_type(%u: tensor<2x4x8xf32>, %delta: tensor<2x4x8xf32>, %A: tensor<8x3xf32>, %B: tensor<2x4x2x3xf16>, %C: tensor<2x4x2x3xf32>) {
  // expected-error @+1 {{operand 'B' has element type 'f16', but the op's element type is 'f32' (from operand 'u')}}
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C : tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<8x3xf32>, tensor<2x4x2x3xf16>, tensor<2x4x2x3xf32> -> tensor<2x4x8xf32>, tensor<2x8x3xf32>
  return
}

// -----

// C element type differs from u
func.func @scan_C_element_type(%u: tensor<2x4x8xf32>, %delta: tensor<2x4x8xf32>, %A: tensor<8x3xf32>, %B: tensor<2x4x2x3xf32>, %C: tensor<2x4x2x3xf16>) {
  // expected-error @+1 {{operand 'C' has element type 'f16', but the op's element type is 'f32' (from operand 'u')}}
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C : tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<8x3xf32>, tensor<2x4x2x3xf32>, tensor<2x4x2x3xf16> -> tensor<2x4x8xf32>, tensor<2x8x3xf32>
  return
}

// -----

// D element type differs from u
func.func @scan_D_element_type(%u: tensor<2x4x8xf32>, %delta: tensor<2x4x8xf32>, %A: tensor<8x3xf32>, %B: tensor<2x4x2x3xf32>, %C: tensor<2x4x2x3xf32>, %D: tensor<8xf16>) {
  // expected-error @+1 {{operand 'D' has element type 'f16', but the op's element type is 'f32' (from operand 'u')}}
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C D(%D : tensor<8xf16>) : tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<8x3xf32>, tensor<2x4x2x3xf32>, tensor<2x4x2x3xf32> -> tensor<2x4x8xf32>, tensor<2x8x3xf32>
  return
}

// -----

// z element type differs from u
func.func @scan_z_element_type(%u: tensor<2x4x8xf32>, %delta: tensor<2x4x8xf32>, %A: tensor<8x3xf32>, %B: tensor<2x4x2x3xf32>, %C: tensor<2x4x2x3xf32>, %z: tensor<2x4x8xf16>) {
  // expected-error @+1 {{operand 'z' has element type 'f16', but the op's element type is 'f32' (from operand 'u')}}
  %y, %h = "sessa.selective_scan"(%u, %delta, %A, %B, %C, %z) <{operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 0, 1, 0, 0>}> : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<8x3xf32>, tensor<2x4x2x3xf32>, tensor<2x4x2x3xf32>, tensor<2x4x8xf16>) -> (tensor<2x4x8xf32>, tensor<2x8x3xf32>)
  return
}

// -----

// delta_bias element type differs from u
func.func @scan_delta_bias_element_type(%u: tensor<2x4x8xf32>, %delta: tensor<2x4x8xf32>, %A: tensor<8x3xf32>, %B: tensor<2x4x2x3xf32>, %C: tensor<2x4x2x3xf32>, %dbias: tensor<8xbf16>) {
  // expected-error @+1 {{operand 'delta_bias' has element type 'bf16', but the op's element type is 'f32' (from operand 'u')}}
  %y, %h = "sessa.selective_scan"(%u, %delta, %A, %B, %C, %dbias) <{operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 0, 0, 1, 0>}> : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<8x3xf32>, tensor<2x4x2x3xf32>, tensor<2x4x2x3xf32>, tensor<8xbf16>) -> (tensor<2x4x8xf32>, tensor<2x8x3xf32>)
  return
}

// -----

// h0 element type differs from u
func.func @scan_h0_element_type(%u: tensor<2x4x8xf32>, %delta: tensor<2x4x8xf32>, %A: tensor<8x3xf32>, %B: tensor<2x4x2x3xf32>, %C: tensor<2x4x2x3xf32>, %h0: tensor<2x8x3xf16>) {
  // expected-error @+1 {{operand 'h0' has element type 'f16', but the op's element type is 'f32' (from operand 'u')}}
  %y, %h = "sessa.selective_scan"(%u, %delta, %A, %B, %C, %h0) <{operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 0, 0, 0, 1>}> : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<8x3xf32>, tensor<2x4x2x3xf32>, tensor<2x4x2x3xf32>, tensor<2x8x3xf16>) -> (tensor<2x4x8xf32>, tensor<2x8x3xf32>)
  return
}

// -----

// result y element type differs from u
func.func @scan_y_element_type(%u: tensor<2x4x8xf32>, %delta: tensor<2x4x8xf32>, %A: tensor<8x3xf32>, %B: tensor<2x4x2x3xf32>, %C: tensor<2x4x2x3xf32>) {
  // expected-error @+1 {{result 'y' has element type 'f16', but the op's element type is 'f32' (from operand 'u')}}
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C : tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<8x3xf32>, tensor<2x4x2x3xf32>, tensor<2x4x2x3xf32> -> tensor<2x4x8xf16>, tensor<2x8x3xf32>
  return
}

// -----

// result last_state element type differs from u
func.func @scan_last_state_element_type(%u: tensor<2x4x8xf32>, %delta: tensor<2x4x8xf32>, %A: tensor<8x3xf32>, %B: tensor<2x4x2x3xf32>, %C: tensor<2x4x2x3xf32>) {
  // expected-error @+1 {{result 'last_state' has element type 'bf16', but the op's element type is 'f32' (from operand 'u')}}
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C : tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<8x3xf32>, tensor<2x4x2x3xf32>, tensor<2x4x2x3xf32> -> tensor<2x4x8xf32>, tensor<2x8x3xbf16>
  return
}

// -----

// u must be rank 3
func.func @scan_u_rank(%u: tensor<2x4x8x1xf32>, %delta: tensor<2x4x8xf32>, %A: tensor<8x3xf32>, %B: tensor<2x4x2x3xf32>, %C: tensor<2x4x2x3xf32>) {
  // expected-error @+1 {{operand 'u' must have rank 3 with shape [B, T, Dm]}}
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C : tensor<2x4x8x1xf32>, tensor<2x4x8xf32>, tensor<8x3xf32>, tensor<2x4x2x3xf32>, tensor<2x4x2x3xf32> -> tensor<2x4x8xf32>, tensor<2x8x3xf32>
  return
}

// -----

// Dm must be static
func.func @scan_dynamic_channels(%u: tensor<2x4x?xf32>, %delta: tensor<2x4x?xf32>, %A: tensor<8x3xf32>, %B: tensor<2x4x2x3xf32>, %C: tensor<2x4x2x3xf32>) {
  // expected-error @+1 {{operand 'u' dimension 2 (Dm) must be static, but has 'tensor<2x4x?xf32>'}}
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C : tensor<2x4x?xf32>, tensor<2x4x?xf32>, tensor<8x3xf32>, tensor<2x4x2x3xf32>, tensor<2x4x2x3xf32> -> tensor<2x4x8xf32>, tensor<2x8x3xf32>
  return
}

// -----

// delta must be rank 3
func.func @scan_delta_rank(%u: tensor<2x4x8xf32>, %delta: tensor<2x4xf32>, %A: tensor<8x3xf32>, %B: tensor<2x4x2x3xf32>, %C: tensor<2x4x2x3xf32>) {
  // expected-error @+1 {{operand 'delta' must have rank 3 with shape [B, T, Dm]}}
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C : tensor<2x4x8xf32>, tensor<2x4xf32>, tensor<8x3xf32>, tensor<2x4x2x3xf32>, tensor<2x4x2x3xf32> -> tensor<2x4x8xf32>, tensor<2x8x3xf32>
  return
}

// -----

// delta has a different T than u
func.func @scan_delta_rows(%u: tensor<2x4x8xf32>, %delta: tensor<2x5x8xf32>, %A: tensor<8x3xf32>, %B: tensor<2x4x2x3xf32>, %C: tensor<2x4x2x3xf32>) {
  // expected-error @+1 {{operand 'delta' dimension 1 (T) is 5, but T = 4 from operand 'u'}}
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C : tensor<2x4x8xf32>, tensor<2x5x8xf32>, tensor<8x3xf32>, tensor<2x4x2x3xf32>, tensor<2x4x2x3xf32> -> tensor<2x4x8xf32>, tensor<2x8x3xf32>
  return
}

// -----

// A must be rank 2
func.func @scan_A_rank(%u: tensor<2x4x8xf32>, %delta: tensor<2x4x8xf32>, %A: tensor<8x3x1xf32>, %B: tensor<2x4x2x3xf32>, %C: tensor<2x4x2x3xf32>) {
  // expected-error @+1 {{operand 'A' must have rank 2 with shape [Dm, N]}}
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C : tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<8x3x1xf32>, tensor<2x4x2x3xf32>, tensor<2x4x2x3xf32> -> tensor<2x4x8xf32>, tensor<2x8x3xf32>
  return
}

// -----

// A has a different Dm than u
func.func @scan_A_channels(%u: tensor<2x4x8xf32>, %delta: tensor<2x4x8xf32>, %A: tensor<4x3xf32>, %B: tensor<2x4x2x3xf32>, %C: tensor<2x4x2x3xf32>) {
  // expected-error @+1 {{operand 'A' dimension 0 (Dm) is 4, but Dm = 8 from operand 'u'}}
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C : tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<4x3xf32>, tensor<2x4x2x3xf32>, tensor<2x4x2x3xf32> -> tensor<2x4x8xf32>, tensor<2x8x3xf32>
  return
}

// -----

// N must be static
func.func @scan_dynamic_state_size(%u: tensor<2x4x8xf32>, %delta: tensor<2x4x8xf32>, %A: tensor<8x?xf32>, %B: tensor<2x4x2x3xf32>, %C: tensor<2x4x2x3xf32>) {
  // expected-error @+1 {{operand 'A' dimension 1 (N) must be static, but has 'tensor<8x?xf32>'}}
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C : tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<8x?xf32>, tensor<2x4x2x3xf32>, tensor<2x4x2x3xf32> -> tensor<2x4x8xf32>, tensor<2x8x3xf32>
  return
}

// -----

// B must be rank 4
func.func @scan_B_rank(%u: tensor<2x4x8xf32>, %delta: tensor<2x4x8xf32>, %A: tensor<8x3xf32>, %B: tensor<2x4x3xf32>, %C: tensor<2x4x2x3xf32>) {
  // expected-error @+1 {{operand 'B' must have rank 4 with shape [B, T, G, N]}}
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C : tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<8x3xf32>, tensor<2x4x3xf32>, tensor<2x4x2x3xf32> -> tensor<2x4x8xf32>, tensor<2x8x3xf32>
  return
}

// -----

// B has a different N than A
func.func @scan_B_state_size(%u: tensor<2x4x8xf32>, %delta: tensor<2x4x8xf32>, %A: tensor<8x3xf32>, %B: tensor<2x4x2x4xf32>, %C: tensor<2x4x2x3xf32>) {
  // expected-error @+1 {{operand 'B' dimension 3 (N) is 4, but N = 3 from operand 'A'}}
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C : tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<8x3xf32>, tensor<2x4x2x4xf32>, tensor<2x4x2x3xf32> -> tensor<2x4x8xf32>, tensor<2x8x3xf32>
  return
}

// -----

// G must be static
func.func @scan_dynamic_groups(%u: tensor<2x4x8xf32>, %delta: tensor<2x4x8xf32>, %A: tensor<8x3xf32>, %B: tensor<2x4x?x3xf32>, %C: tensor<2x4x2x3xf32>) {
  // expected-error @+1 {{operand 'B' dimension 2 (G) must be static, but has 'tensor<2x4x?x3xf32>'}}
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C : tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<8x3xf32>, tensor<2x4x?x3xf32>, tensor<2x4x2x3xf32> -> tensor<2x4x8xf32>, tensor<2x8x3xf32>
  return
}

// -----

// C has a different G than B
func.func @scan_C_groups(%u: tensor<2x4x8xf32>, %delta: tensor<2x4x8xf32>, %A: tensor<8x3xf32>, %B: tensor<2x4x2x3xf32>, %C: tensor<2x4x4x3xf32>) {
  // expected-error @+1 {{operand 'C' dimension 2 (G) is 4, but G = 2 from operand 'B'}}
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C : tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<8x3xf32>, tensor<2x4x2x3xf32>, tensor<2x4x4x3xf32> -> tensor<2x4x8xf32>, tensor<2x8x3xf32>
  return
}

// -----

// C must be rank 4
func.func @scan_C_rank(%u: tensor<2x4x8xf32>, %delta: tensor<2x4x8xf32>, %A: tensor<8x3xf32>, %B: tensor<2x4x2x3xf32>, %C: tensor<2x4x6xf32>) {
  // expected-error @+1 {{operand 'C' must have rank 4 with shape [B, T, G, N]}}
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C : tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<8x3xf32>, tensor<2x4x2x3xf32>, tensor<2x4x6xf32> -> tensor<2x4x8xf32>, tensor<2x8x3xf32>
  return
}

// -----

// Dm % G != 0
func.func @scan_groups_not_dividing(%u: tensor<2x4x8xf32>, %delta: tensor<2x4x8xf32>, %A: tensor<8x3xf32>, %B: tensor<2x4x3x3xf32>, %C: tensor<2x4x3x3xf32>) {
  // expected-error @+1 {{channels Dm = 8 must be a multiple of the number of groups G = 3 of operands 'B' and 'C'}}
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C : tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<8x3xf32>, tensor<2x4x3x3xf32>, tensor<2x4x3x3xf32> -> tensor<2x4x8xf32>, tensor<2x8x3xf32>
  return
}

// -----

// G = 0
func.func @scan_zero_groups(%u: tensor<2x4x8xf32>, %delta: tensor<2x4x8xf32>, %A: tensor<8x3xf32>, %B: tensor<2x4x0x3xf32>, %C: tensor<2x4x0x3xf32>) {
  // expected-error @+1 {{channels Dm = 8 must be a multiple of the number of groups G = 0 of operands 'B' and 'C'}}
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C : tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<8x3xf32>, tensor<2x4x0x3xf32>, tensor<2x4x0x3xf32> -> tensor<2x4x8xf32>, tensor<2x8x3xf32>
  return
}

// -----

// D must be [Dm]
func.func @scan_D_shape(%u: tensor<2x4x8xf32>, %delta: tensor<2x4x8xf32>, %A: tensor<8x3xf32>, %B: tensor<2x4x2x3xf32>, %C: tensor<2x4x2x3xf32>, %D: tensor<4xf32>) {
  // expected-error @+1 {{operand 'D' dimension 0 (Dm) is 4, but Dm = 8 from operand 'u'}}
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C D(%D : tensor<4xf32>) : tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<8x3xf32>, tensor<2x4x2x3xf32>, tensor<2x4x2x3xf32> -> tensor<2x4x8xf32>, tensor<2x8x3xf32>
  return
}

// -----

// D must be rank 1
func.func @scan_D_rank(%u: tensor<2x4x8xf32>, %delta: tensor<2x4x8xf32>, %A: tensor<8x3xf32>, %B: tensor<2x4x2x3xf32>, %C: tensor<2x4x2x3xf32>, %D: tensor<1x8xf32>) {
  // expected-error @+1 {{operand 'D' must have rank 1 with shape [Dm]}}
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C D(%D : tensor<1x8xf32>) : tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<8x3xf32>, tensor<2x4x2x3xf32>, tensor<2x4x2x3xf32> -> tensor<2x4x8xf32>, tensor<2x8x3xf32>
  return
}

// -----

// z must be [B, T, Dm] (generic form: z without D)
func.func @scan_z_shape(%u: tensor<2x4x8xf32>, %delta: tensor<2x4x8xf32>, %A: tensor<8x3xf32>, %B: tensor<2x4x2x3xf32>, %C: tensor<2x4x2x3xf32>, %z: tensor<2x3x8xf32>) {
  // expected-error @+1 {{operand 'z' dimension 1 (T) is 3, but T = 4 from operand 'u'}}
  %y, %h = "sessa.selective_scan"(%u, %delta, %A, %B, %C, %z) <{operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 0, 1, 0, 0>}> : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<8x3xf32>, tensor<2x4x2x3xf32>, tensor<2x4x2x3xf32>, tensor<2x3x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x8x3xf32>)
  return
}

// -----

// z must be rank 3
func.func @scan_z_rank(%u: tensor<2x4x8xf32>, %delta: tensor<2x4x8xf32>, %A: tensor<8x3xf32>, %B: tensor<2x4x2x3xf32>, %C: tensor<2x4x2x3xf32>, %D: tensor<8xf32>, %z: tensor<8xf32>) {
  // expected-error @+1 {{operand 'z' must have rank 3 with shape [B, T, Dm]}}
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C D(%D : tensor<8xf32>) z(%z : tensor<8xf32>) : tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<8x3xf32>, tensor<2x4x2x3xf32>, tensor<2x4x2x3xf32> -> tensor<2x4x8xf32>, tensor<2x8x3xf32>
  return
}

// -----

// delta_bias must be [Dm] (generic form)
func.func @scan_delta_bias_shape(%u: tensor<2x4x8xf32>, %delta: tensor<2x4x8xf32>, %A: tensor<8x3xf32>, %B: tensor<2x4x2x3xf32>, %C: tensor<2x4x2x3xf32>, %dbias: tensor<16xf32>) {
  // expected-error @+1 {{operand 'delta_bias' dimension 0 (Dm) is 16, but Dm = 8 from operand 'u'}}
  %y, %h = "sessa.selective_scan"(%u, %delta, %A, %B, %C, %dbias) <{operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 0, 0, 1, 0>}> : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<8x3xf32>, tensor<2x4x2x3xf32>, tensor<2x4x2x3xf32>, tensor<16xf32>) -> (tensor<2x4x8xf32>, tensor<2x8x3xf32>)
  return
}

// -----

// delta_bias must be rank 1
func.func @scan_delta_bias_rank(%u: tensor<2x4x8xf32>, %delta: tensor<2x4x8xf32>, %A: tensor<8x3xf32>, %B: tensor<2x4x2x3xf32>, %C: tensor<2x4x2x3xf32>, %D: tensor<8xf32>, %z: tensor<2x4x8xf32>, %dbias: tensor<2x4x8xf32>) {
  // expected-error @+1 {{operand 'delta_bias' must have rank 1 with shape [Dm]}}
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C D(%D : tensor<8xf32>) z(%z : tensor<2x4x8xf32>) delta_bias(%dbias : tensor<2x4x8xf32>) : tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<8x3xf32>, tensor<2x4x2x3xf32>, tensor<2x4x2x3xf32> -> tensor<2x4x8xf32>, tensor<2x8x3xf32>
  return
}

// -----

// h0 must be [B, Dm, N] (generic form)
func.func @scan_h0_shape(%u: tensor<2x4x8xf32>, %delta: tensor<2x4x8xf32>, %A: tensor<8x3xf32>, %B: tensor<2x4x2x3xf32>, %C: tensor<2x4x2x3xf32>, %h0: tensor<2x8x4xf32>) {
  // expected-error @+1 {{operand 'h0' dimension 2 (N) is 4, but N = 3 from operand 'A'}}
  %y, %h = "sessa.selective_scan"(%u, %delta, %A, %B, %C, %h0) <{operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 0, 0, 0, 1>}> : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<8x3xf32>, tensor<2x4x2x3xf32>, tensor<2x4x2x3xf32>, tensor<2x8x4xf32>) -> (tensor<2x4x8xf32>, tensor<2x8x3xf32>)
  return
}

// -----

// h0 must be rank 3
func.func @scan_h0_rank(%u: tensor<2x4x8xf32>, %delta: tensor<2x4x8xf32>, %A: tensor<8x3xf32>, %B: tensor<2x4x2x3xf32>, %C: tensor<2x4x2x3xf32>, %D: tensor<8xf32>, %z: tensor<2x4x8xf32>, %dbias: tensor<8xf32>, %h0: tensor<8x3xf32>) {
  // expected-error @+1 {{operand 'h0' must have rank 3 with shape [B, Dm, N]}}
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C D(%D : tensor<8xf32>) z(%z : tensor<2x4x8xf32>) delta_bias(%dbias : tensor<8xf32>) h0(%h0 : tensor<8x3xf32>) : tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<8x3xf32>, tensor<2x4x2x3xf32>, tensor<2x4x2x3xf32> -> tensor<2x4x8xf32>, tensor<2x8x3xf32>
  return
}

// -----

// h0 batch differs
func.func @scan_h0_batch(%u: tensor<2x4x8xf32>, %delta: tensor<2x4x8xf32>, %A: tensor<8x3xf32>, %B: tensor<2x4x2x3xf32>, %C: tensor<2x4x2x3xf32>, %D: tensor<8xf32>, %z: tensor<2x4x8xf32>, %dbias: tensor<8xf32>, %h0: tensor<1x8x3xf32>) {
  // expected-error @+1 {{operand 'h0' dimension 0 (B) is 1, but B = 2 from operand 'u'}}
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C D(%D : tensor<8xf32>) z(%z : tensor<2x4x8xf32>) delta_bias(%dbias : tensor<8xf32>) h0(%h0 : tensor<1x8x3xf32>) : tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<8x3xf32>, tensor<2x4x2x3xf32>, tensor<2x4x2x3xf32> -> tensor<2x4x8xf32>, tensor<2x8x3xf32>
  return
}

// -----

// result y must be [B, T, Dm]
func.func @scan_y_shape(%u: tensor<2x4x8xf32>, %delta: tensor<2x4x8xf32>, %A: tensor<8x3xf32>, %B: tensor<2x4x2x3xf32>, %C: tensor<2x4x2x3xf32>) {
  // expected-error @+1 {{result 'y' dimension 1 (T) is 5, but T = 4 from operand 'u'}}
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C : tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<8x3xf32>, tensor<2x4x2x3xf32>, tensor<2x4x2x3xf32> -> tensor<2x5x8xf32>, tensor<2x8x3xf32>
  return
}

// -----

// result y must be rank 3
func.func @scan_y_rank(%u: tensor<2x4x8xf32>, %delta: tensor<2x4x8xf32>, %A: tensor<8x3xf32>, %B: tensor<2x4x2x3xf32>, %C: tensor<2x4x2x3xf32>) {
  // expected-error @+1 {{result 'y' must have rank 3 with shape [B, T, Dm]}}
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C : tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<8x3xf32>, tensor<2x4x2x3xf32>, tensor<2x4x2x3xf32> -> tensor<2x4x2x4xf32>, tensor<2x8x3xf32>
  return
}

// -----

// result last_state must be [B, Dm, N]
func.func @scan_last_state_shape(%u: tensor<2x4x8xf32>, %delta: tensor<2x4x8xf32>, %A: tensor<8x3xf32>, %B: tensor<2x4x2x3xf32>, %C: tensor<2x4x2x3xf32>) {
  // expected-error @+1 {{result 'last_state' dimension 2 (N) is 8, but N = 3 from operand 'A'}}
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C : tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<8x3xf32>, tensor<2x4x2x3xf32>, tensor<2x4x2x3xf32> -> tensor<2x4x8xf32>, tensor<2x8x8xf32>
  return
}

// -----

// result last_state must be rank 3
func.func @scan_last_state_rank(%u: tensor<2x4x8xf32>, %delta: tensor<2x4x8xf32>, %A: tensor<8x3xf32>, %B: tensor<2x4x2x3xf32>, %C: tensor<2x4x2x3xf32>) {
  // expected-error @+1 {{result 'last_state' must have rank 3 with shape [B, Dm, N]}}
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C : tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<8x3xf32>, tensor<2x4x2x3xf32>, tensor<2x4x2x3xf32> -> tensor<2x4x8xf32>, tensor<2x8xf32>
  return
}

// -----

// ln_weight element type differs from x
func.func @layer_ln_weight_element_type(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf16>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %b_in: tensor<16xf32>, %w_q: tensor<8x8xf32>, %b_q: tensor<8xf32>, %w_k: tensor<4x8xf32>, %b_k: tensor<4xf32>, %w_v: tensor<4x8xf32>, %b_v: tensor<4xf32>, %w_fb: tensor<16x8xf32>, %b_fb: tensor<16xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %b_out: tensor<8xf32>, %k_c: tensor<2x3x1x4xf32>, %v_c: tensor<2x3x1x4xf32>, %kb_c: tensor<2x3x1x8xf32>, %s_c: tensor<2x3x1x8xf32>) {
  // expected-error @+1 {{operand 'ln_weight' has element type 'f16', but the op's element type is 'f32' (from operand 'x')}}
  %y:5 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in, %b_in) q_proj(%w_q, %b_q) k_proj(%w_k, %b_k) v_proj(%w_v, %b_v) fb_proj(%w_fb, %b_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out, %b_out) cache(%k_c, %v_c, %kb_c, %s_c) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf16>, tensor<8xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x8xf32>, tensor<2x3x1x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x8xf32>, tensor<2x7x1x8xf32>)
  return
}

// -----

// w_in element type differs from x
func.func @layer_w_in_element_type(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf16>, %b_in: tensor<16xf32>, %w_q: tensor<8x8xf32>, %b_q: tensor<8xf32>, %w_k: tensor<4x8xf32>, %b_k: tensor<4xf32>, %w_v: tensor<4x8xf32>, %b_v: tensor<4xf32>, %w_fb: tensor<16x8xf32>, %b_fb: tensor<16xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %b_out: tensor<8xf32>, %k_c: tensor<2x3x1x4xf32>, %v_c: tensor<2x3x1x4xf32>, %kb_c: tensor<2x3x1x8xf32>, %s_c: tensor<2x3x1x8xf32>) {
  // expected-error @+1 {{operand 'w_in' has element type 'f16', but the op's element type is 'f32' (from operand 'x')}}
  %y:5 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in, %b_in) q_proj(%w_q, %b_q) k_proj(%w_k, %b_k) v_proj(%w_v, %b_v) fb_proj(%w_fb, %b_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out, %b_out) cache(%k_c, %v_c, %kb_c, %s_c) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf16>, tensor<16xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x8xf32>, tensor<2x3x1x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x8xf32>, tensor<2x7x1x8xf32>)
  return
}

// -----

// b_in element type differs from x
func.func @layer_b_in_element_type(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %b_in: tensor<16xf16>, %w_q: tensor<8x8xf32>, %b_q: tensor<8xf32>, %w_k: tensor<4x8xf32>, %b_k: tensor<4xf32>, %w_v: tensor<4x8xf32>, %b_v: tensor<4xf32>, %w_fb: tensor<16x8xf32>, %b_fb: tensor<16xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %b_out: tensor<8xf32>, %k_c: tensor<2x3x1x4xf32>, %v_c: tensor<2x3x1x4xf32>, %kb_c: tensor<2x3x1x8xf32>, %s_c: tensor<2x3x1x8xf32>) {
  // expected-error @+1 {{operand 'b_in' has element type 'f16', but the op's element type is 'f32' (from operand 'x')}}
  %y:5 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in, %b_in) q_proj(%w_q, %b_q) k_proj(%w_k, %b_k) v_proj(%w_v, %b_v) fb_proj(%w_fb, %b_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out, %b_out) cache(%k_c, %v_c, %kb_c, %s_c) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<16xf16>, tensor<8x8xf32>, tensor<8xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x8xf32>, tensor<2x3x1x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x8xf32>, tensor<2x7x1x8xf32>)
  return
}

// -----

// q_weight element type differs from x
func.func @layer_q_weight_element_type(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %b_in: tensor<16xf32>, %w_q: tensor<8x8xf16>, %b_q: tensor<8xf32>, %w_k: tensor<4x8xf32>, %b_k: tensor<4xf32>, %w_v: tensor<4x8xf32>, %b_v: tensor<4xf32>, %w_fb: tensor<16x8xf32>, %b_fb: tensor<16xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %b_out: tensor<8xf32>, %k_c: tensor<2x3x1x4xf32>, %v_c: tensor<2x3x1x4xf32>, %kb_c: tensor<2x3x1x8xf32>, %s_c: tensor<2x3x1x8xf32>) {
  // expected-error @+1 {{operand 'q_weight' has element type 'f16', but the op's element type is 'f32' (from operand 'x')}}
  %y:5 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in, %b_in) q_proj(%w_q, %b_q) k_proj(%w_k, %b_k) v_proj(%w_v, %b_v) fb_proj(%w_fb, %b_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out, %b_out) cache(%k_c, %v_c, %kb_c, %s_c) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf16>, tensor<8xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x8xf32>, tensor<2x3x1x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x8xf32>, tensor<2x7x1x8xf32>)
  return
}

// -----

// k_bias element type differs from x
func.func @layer_k_bias_element_type(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %b_in: tensor<16xf32>, %w_q: tensor<8x8xf32>, %b_q: tensor<8xf32>, %w_k: tensor<4x8xf32>, %b_k: tensor<4xf16>, %w_v: tensor<4x8xf32>, %b_v: tensor<4xf32>, %w_fb: tensor<16x8xf32>, %b_fb: tensor<16xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %b_out: tensor<8xf32>, %k_c: tensor<2x3x1x4xf32>, %v_c: tensor<2x3x1x4xf32>, %kb_c: tensor<2x3x1x8xf32>, %s_c: tensor<2x3x1x8xf32>) {
  // expected-error @+1 {{operand 'k_bias' has element type 'f16', but the op's element type is 'f32' (from operand 'x')}}
  %y:5 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in, %b_in) q_proj(%w_q, %b_q) k_proj(%w_k, %b_k) v_proj(%w_v, %b_v) fb_proj(%w_fb, %b_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out, %b_out) cache(%k_c, %v_c, %kb_c, %s_c) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<4x8xf32>, tensor<4xf16>, tensor<4x8xf32>, tensor<4xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x8xf32>, tensor<2x3x1x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x8xf32>, tensor<2x7x1x8xf32>)
  return
}

// -----

// v_weight element type differs from x
func.func @layer_v_weight_element_type(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %b_in: tensor<16xf32>, %w_q: tensor<8x8xf32>, %b_q: tensor<8xf32>, %w_k: tensor<4x8xf32>, %b_k: tensor<4xf32>, %w_v: tensor<4x8xf16>, %b_v: tensor<4xf32>, %w_fb: tensor<16x8xf32>, %b_fb: tensor<16xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %b_out: tensor<8xf32>, %k_c: tensor<2x3x1x4xf32>, %v_c: tensor<2x3x1x4xf32>, %kb_c: tensor<2x3x1x8xf32>, %s_c: tensor<2x3x1x8xf32>) {
  // expected-error @+1 {{operand 'v_weight' has element type 'f16', but the op's element type is 'f32' (from operand 'x')}}
  %y:5 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in, %b_in) q_proj(%w_q, %b_q) k_proj(%w_k, %b_k) v_proj(%w_v, %b_v) fb_proj(%w_fb, %b_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out, %b_out) cache(%k_c, %v_c, %kb_c, %s_c) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<4x8xf16>, tensor<4xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x8xf32>, tensor<2x3x1x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x8xf32>, tensor<2x7x1x8xf32>)
  return
}

// -----

// fb_bias element type differs from x
func.func @layer_fb_bias_element_type(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %b_in: tensor<16xf32>, %w_q: tensor<8x8xf32>, %b_q: tensor<8xf32>, %w_k: tensor<4x8xf32>, %b_k: tensor<4xf32>, %w_v: tensor<4x8xf32>, %b_v: tensor<4xf32>, %w_fb: tensor<16x8xf32>, %b_fb: tensor<16xf16>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %b_out: tensor<8xf32>, %k_c: tensor<2x3x1x4xf32>, %v_c: tensor<2x3x1x4xf32>, %kb_c: tensor<2x3x1x8xf32>, %s_c: tensor<2x3x1x8xf32>) {
  // expected-error @+1 {{operand 'fb_bias' has element type 'f16', but the op's element type is 'f32' (from operand 'x')}}
  %y:5 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in, %b_in) q_proj(%w_q, %b_q) k_proj(%w_k, %b_k) v_proj(%w_v, %b_v) fb_proj(%w_fb, %b_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out, %b_out) cache(%k_c, %v_c, %kb_c, %s_c) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<16x8xf32>, tensor<16xf16>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x8xf32>, tensor<2x3x1x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x8xf32>, tensor<2x7x1x8xf32>)
  return
}

// -----

// out_proj element type differs from x
func.func @layer_out_proj_element_type(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %b_in: tensor<16xf32>, %w_q: tensor<8x8xf32>, %b_q: tensor<8xf32>, %w_k: tensor<4x8xf32>, %b_k: tensor<4xf32>, %w_v: tensor<4x8xf32>, %b_v: tensor<4xf32>, %w_fb: tensor<16x8xf32>, %b_fb: tensor<16xf32>, %w_o: tensor<8x8xf16>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %b_out: tensor<8xf32>, %k_c: tensor<2x3x1x4xf32>, %v_c: tensor<2x3x1x4xf32>, %kb_c: tensor<2x3x1x8xf32>, %s_c: tensor<2x3x1x8xf32>) {
  // expected-error @+1 {{operand 'out_proj' has element type 'f16', but the op's element type is 'f32' (from operand 'x')}}
  %y:5 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in, %b_in) q_proj(%w_q, %b_q) k_proj(%w_k, %b_k) v_proj(%w_v, %b_v) fb_proj(%w_fb, %b_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out, %b_out) cache(%k_c, %v_c, %kb_c, %s_c) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf16>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x8xf32>, tensor<2x3x1x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x8xf32>, tensor<2x7x1x8xf32>)
  return
}

// -----

// gamma_bias element type differs from x
func.func @layer_gamma_bias_element_type(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %b_in: tensor<16xf32>, %w_q: tensor<8x8xf32>, %b_q: tensor<8xf32>, %w_k: tensor<4x8xf32>, %b_k: tensor<4xf32>, %w_v: tensor<4x8xf32>, %b_v: tensor<4xf32>, %w_fb: tensor<16x8xf32>, %b_fb: tensor<16xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf16>, %w_out: tensor<8x8xf32>, %b_out: tensor<8xf32>, %k_c: tensor<2x3x1x4xf32>, %v_c: tensor<2x3x1x4xf32>, %kb_c: tensor<2x3x1x8xf32>, %s_c: tensor<2x3x1x8xf32>) {
  // expected-error @+1 {{operand 'gamma_bias' has element type 'f16', but the op's element type is 'f32' (from operand 'x')}}
  %y:5 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in, %b_in) q_proj(%w_q, %b_q) k_proj(%w_k, %b_k) v_proj(%w_v, %b_v) fb_proj(%w_fb, %b_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out, %b_out) cache(%k_c, %v_c, %kb_c, %s_c) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf16>, tensor<8x8xf32>, tensor<8xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x8xf32>, tensor<2x3x1x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x8xf32>, tensor<2x7x1x8xf32>)
  return
}

// -----

// b_out element type differs from x
func.func @layer_b_out_element_type(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %b_in: tensor<16xf32>, %w_q: tensor<8x8xf32>, %b_q: tensor<8xf32>, %w_k: tensor<4x8xf32>, %b_k: tensor<4xf32>, %w_v: tensor<4x8xf32>, %b_v: tensor<4xf32>, %w_fb: tensor<16x8xf32>, %b_fb: tensor<16xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %b_out: tensor<8xf16>, %k_c: tensor<2x3x1x4xf32>, %v_c: tensor<2x3x1x4xf32>, %kb_c: tensor<2x3x1x8xf32>, %s_c: tensor<2x3x1x8xf32>) {
  // expected-error @+1 {{operand 'b_out' has element type 'f16', but the op's element type is 'f32' (from operand 'x')}}
  %y:5 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in, %b_in) q_proj(%w_q, %b_q) k_proj(%w_k, %b_k) v_proj(%w_v, %b_v) fb_proj(%w_fb, %b_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out, %b_out) cache(%k_c, %v_c, %kb_c, %s_c) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<8xf16>, tensor<2x3x1x4xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x8xf32>, tensor<2x3x1x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x8xf32>, tensor<2x7x1x8xf32>)
  return
}

// -----

// s_cache element type differs from x
func.func @layer_s_cache_element_type(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %b_in: tensor<16xf32>, %w_q: tensor<8x8xf32>, %b_q: tensor<8xf32>, %w_k: tensor<4x8xf32>, %b_k: tensor<4xf32>, %w_v: tensor<4x8xf32>, %b_v: tensor<4xf32>, %w_fb: tensor<16x8xf32>, %b_fb: tensor<16xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %b_out: tensor<8xf32>, %k_c: tensor<2x3x1x4xf32>, %v_c: tensor<2x3x1x4xf32>, %kb_c: tensor<2x3x1x8xf32>, %s_c: tensor<2x3x1x8xf16>) {
  // expected-error @+1 {{operand 's_cache' has element type 'f16', but the op's element type is 'f32' (from operand 'x')}}
  %y:5 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in, %b_in) q_proj(%w_q, %b_q) k_proj(%w_k, %b_k) v_proj(%w_v, %b_v) fb_proj(%w_fb, %b_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out, %b_out) cache(%k_c, %v_c, %kb_c, %s_c) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x8xf32>, tensor<2x3x1x8xf16>) -> (tensor<2x4x8xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x8xf32>, tensor<2x7x1x8xf32>)
  return
}

// -----

// result y element type differs from x
func.func @layer_y_element_type(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>) {
  // expected-error @+1 {{result 'y' has element type 'bf16', but the op's element type is 'f32' (from operand 'x')}}
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>) -> tensor<2x4x8xbf16>
  return
}

// -----

// a cache result element type differs from x
func.func @layer_cache_out_element_type(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %k_c: tensor<2x3x1x4xf32>, %v_c: tensor<2x3x1x4xf32>, %kb_c: tensor<2x3x1x8xf32>, %s_c: tensor<2x3x1x8xf32>) {
  // expected-error @+1 {{result 's_cache_out' has element type 'f16', but the op's element type is 'f32' (from operand 'x')}}
  %y:5 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) cache(%k_c, %v_c, %kb_c, %s_c) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x8xf32>, tensor<2x3x1x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x8xf32>, tensor<2x7x1x8xf16>)
  return
}

// -----

// element type of a cache result when their count is wrong
func.func @layer_extra_cache_result_element_type(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %k_c: tensor<2x3x1x4xf32>, %v_c: tensor<2x3x1x4xf32>, %kb_c: tensor<2x3x1x8xf32>, %s_c: tensor<2x3x1x8xf32>) {
  // expected-error @+1 {{result 'cache_out' has element type 'bf16', but the op's element type is 'f32' (from operand 'x')}}
  %y:4 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) cache(%k_c, %v_c, %kb_c, %s_c) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x8xf32>, tensor<2x3x1x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x8xbf16>)
  return
}

// -----

// x must be rank 3
func.func @layer_x_rank(%x: tensor<2x4x2x4xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>) {
  // expected-error @+1 {{operand 'x' must have rank 3 with shape [B, T, D]}}
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x2x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// D must be static
func.func @layer_dynamic_width(%x: tensor<2x4x?xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>) {
  // expected-error @+1 {{operand 'x' dimension 2 (D) must be static, but has 'tensor<2x4x?xf32>'}}
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x?xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>) -> tensor<2x4x?xf32>
  return
}

// -----

// num_heads must be positive
func.func @layer_num_heads_zero(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>) {
  // expected-error @+1 {{attribute 'num_heads' = 0 must be positive and divide the model width D = 8}}
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) {num_heads = 0 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// num_heads must be positive
func.func @layer_num_heads_negative(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>) {
  // expected-error @+1 {{attribute 'num_heads' = -2 must be positive and divide the model width D = 8}}
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) {num_heads = -2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// num_heads must divide D
func.func @layer_num_heads_not_dividing(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>) {
  // expected-error @+1 {{attribute 'num_heads' = 3 must be positive and divide the model width D = 8}}
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) {num_heads = 3 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// num_kv_heads must be positive
func.func @layer_num_kv_heads_zero(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>) {
  // expected-error @+1 {{attribute 'num_kv_heads' = 0 must be positive and divide num_heads = 2}}
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) {num_heads = 2 : i64, num_kv_heads = 0 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// num_kv_heads must divide num_heads
func.func @layer_num_kv_heads_not_dividing(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>) {
  // expected-error @+1 {{attribute 'num_kv_heads' = 3 must be positive and divide num_heads = 2}}
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) {num_heads = 2 : i64, num_kv_heads = 3 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// d = D / num_heads must be even with rope (D = 12, H = 4, d = 3)
func.func @layer_odd_head_dim_with_rope(%x: tensor<2x4x12xf32>, %ln_w: tensor<12xf32>, %ln_b: tensor<12xf32>, %w_in: tensor<24x12xf32>, %w_q: tensor<12x12xf32>, %w_k: tensor<6x12xf32>, %w_v: tensor<6x12xf32>, %w_fb: tensor<24x12xf32>, %w_o: tensor<12x12xf32>, %g_ctx: tensor<1x12xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<12x12xf32>) {
  // expected-error @+1 {{head dimension d = D / num_heads = 3 must be even when 'rope' is on}}
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) {num_heads = 4 : i64, num_kv_heads = 2 : i64} : (tensor<2x4x12xf32>, tensor<12xf32>, tensor<12xf32>, tensor<24x12xf32>, tensor<12x12xf32>, tensor<6x12xf32>, tensor<6x12xf32>, tensor<24x12xf32>, tensor<12x12xf32>, tensor<1x12xf32>, tensor<1xf32>, tensor<12x12xf32>) -> tensor<2x4x12xf32>
  return
}

// -----

// eps must be positive
func.func @layer_eps_zero(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>) {
  // expected-error @+1 {{attribute 'eps' must be finite and positive, but is 0.000000e+00}}
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) {num_heads = 2 : i64, num_kv_heads = 1 : i64, eps = 0.0 : f64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// eps must be positive
func.func @layer_eps_negative(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>) {
  // expected-error @+1 {{attribute 'eps' must be finite and positive, but is -1.000000e-05}}
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) {num_heads = 2 : i64, num_kv_heads = 1 : i64, eps = -1.0e-05 : f64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// eps must be finite
func.func @layer_eps_inf(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>) {
  // expected-error @+1 {{attribute 'eps' must be finite and positive, but is INF}}
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) {num_heads = 2 : i64, num_kv_heads = 1 : i64, eps = 0x7FF0000000000000 : f64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// gamma_max must be > 0
func.func @layer_gamma_max_zero(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>) {
  // expected-error @+1 {{attribute 'gamma_max' must lie in (0, 1), but is 0.000000e+00}}
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) {num_heads = 2 : i64, num_kv_heads = 1 : i64, gamma_max = 0.0 : f64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// gamma_max must be < 1
func.func @layer_gamma_max_one(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>) {
  // expected-error @+1 {{attribute 'gamma_max' must lie in (0, 1), but is 1.000000e+00}}
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) {num_heads = 2 : i64, num_kv_heads = 1 : i64, gamma_max = 1.0 : f64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// gamma_max must be > 0
func.func @layer_gamma_max_negative(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>) {
  // expected-error @+1 {{attribute 'gamma_max' must lie in (0, 1), but is -5.000000e-01}}
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) {num_heads = 2 : i64, num_kv_heads = 1 : i64, gamma_max = -0.5 : f64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// gamma_max must not be NaN
func.func @layer_gamma_max_nan(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>) {
  // expected-error @+1 {{attribute 'gamma_max' must lie in (0, 1), but is nan}}
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) {num_heads = 2 : i64, num_kv_heads = 1 : i64, gamma_max = 0x7FF8000000000000 : f64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// rope_base must be positive
func.func @layer_rope_base_zero(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>) {
  // expected-error @+1 {{attribute 'rope_base' must be finite and positive, but is 0.000000e+00}}
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) {num_heads = 2 : i64, num_kv_heads = 1 : i64, rope_base = 0.0 : f64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// rope_base must be finite
func.func @layer_rope_base_inf(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>) {
  // expected-error @+1 {{attribute 'rope_base' must be finite and positive, but is INF}}
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) {num_heads = 2 : i64, num_kv_heads = 1 : i64, rope_base = 0x7FF0000000000000 : f64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// shape of ln_weight
func.func @layer_ln_weight_shape(%x: tensor<2x4x8xf32>, %ln_w: tensor<4xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %b_in: tensor<16xf32>, %w_q: tensor<8x8xf32>, %b_q: tensor<8xf32>, %w_k: tensor<4x8xf32>, %b_k: tensor<4xf32>, %w_v: tensor<4x8xf32>, %b_v: tensor<4xf32>, %w_fb: tensor<16x8xf32>, %b_fb: tensor<16xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %b_out: tensor<8xf32>) {
  // expected-error @+1 {{operand 'ln_weight' dimension 0 (D) is 4, but D = 8 from operand 'x'}}
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in, %b_in) q_proj(%w_q, %b_q) k_proj(%w_k, %b_k) v_proj(%w_v, %b_v) fb_proj(%w_fb, %b_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out, %b_out) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<4xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// shape of ln_bias
func.func @layer_ln_bias_shape(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8x1xf32>, %w_in: tensor<16x8xf32>, %b_in: tensor<16xf32>, %w_q: tensor<8x8xf32>, %b_q: tensor<8xf32>, %w_k: tensor<4x8xf32>, %b_k: tensor<4xf32>, %w_v: tensor<4x8xf32>, %b_v: tensor<4xf32>, %w_fb: tensor<16x8xf32>, %b_fb: tensor<16xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %b_out: tensor<8xf32>) {
  // expected-error @+1 {{operand 'ln_bias' must have rank 1 with shape [D]}}
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in, %b_in) q_proj(%w_q, %b_q) k_proj(%w_k, %b_k) v_proj(%w_v, %b_v) fb_proj(%w_fb, %b_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out, %b_out) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8x1xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// shape of w_in
func.func @layer_w_in_shape(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<8x8xf32>, %b_in: tensor<16xf32>, %w_q: tensor<8x8xf32>, %b_q: tensor<8xf32>, %w_k: tensor<4x8xf32>, %b_k: tensor<4xf32>, %w_v: tensor<4x8xf32>, %b_v: tensor<4xf32>, %w_fb: tensor<16x8xf32>, %b_fb: tensor<16xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %b_out: tensor<8xf32>) {
  // expected-error @+1 {{operand 'w_in' dimension 0 (2*D) is 8, but 2*D = 16 from the model width D}}
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in, %b_in) q_proj(%w_q, %b_q) k_proj(%w_k, %b_k) v_proj(%w_v, %b_v) fb_proj(%w_fb, %b_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out, %b_out) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// shape of w_in_transposed
func.func @layer_w_in_transposed_shape(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<8x16xf32>, %b_in: tensor<16xf32>, %w_q: tensor<8x8xf32>, %b_q: tensor<8xf32>, %w_k: tensor<4x8xf32>, %b_k: tensor<4xf32>, %w_v: tensor<4x8xf32>, %b_v: tensor<4xf32>, %w_fb: tensor<16x8xf32>, %b_fb: tensor<16xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %b_out: tensor<8xf32>) {
  // expected-error @+1 {{operand 'w_in' dimension 0 (2*D) is 8, but 2*D = 16 from the model width D}}
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in, %b_in) q_proj(%w_q, %b_q) k_proj(%w_k, %b_k) v_proj(%w_v, %b_v) fb_proj(%w_fb, %b_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out, %b_out) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8x16xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// shape of b_in
func.func @layer_b_in_shape(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %b_in: tensor<8xf32>, %w_q: tensor<8x8xf32>, %b_q: tensor<8xf32>, %w_k: tensor<4x8xf32>, %b_k: tensor<4xf32>, %w_v: tensor<4x8xf32>, %b_v: tensor<4xf32>, %w_fb: tensor<16x8xf32>, %b_fb: tensor<16xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %b_out: tensor<8xf32>) {
  // expected-error @+1 {{operand 'b_in' dimension 0 (2*D) is 8, but 2*D = 16 from the model width D}}
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in, %b_in) q_proj(%w_q, %b_q) k_proj(%w_k, %b_k) v_proj(%w_v, %b_v) fb_proj(%w_fb, %b_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out, %b_out) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// shape of q_weight
func.func @layer_q_weight_shape(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %b_in: tensor<16xf32>, %w_q: tensor<8x4xf32>, %b_q: tensor<8xf32>, %w_k: tensor<4x8xf32>, %b_k: tensor<4xf32>, %w_v: tensor<4x8xf32>, %b_v: tensor<4xf32>, %w_fb: tensor<16x8xf32>, %b_fb: tensor<16xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %b_out: tensor<8xf32>) {
  // expected-error @+1 {{operand 'q_weight' dimension 1 (D) is 4, but D = 8 from operand 'x'}}
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in, %b_in) q_proj(%w_q, %b_q) k_proj(%w_k, %b_k) v_proj(%w_v, %b_v) fb_proj(%w_fb, %b_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out, %b_out) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x4xf32>, tensor<8xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// shape of q_bias
func.func @layer_q_bias_shape(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %b_in: tensor<16xf32>, %w_q: tensor<8x8xf32>, %b_q: tensor<4xf32>, %w_k: tensor<4x8xf32>, %b_k: tensor<4xf32>, %w_v: tensor<4x8xf32>, %b_v: tensor<4xf32>, %w_fb: tensor<16x8xf32>, %b_fb: tensor<16xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %b_out: tensor<8xf32>) {
  // expected-error @+1 {{operand 'q_bias' dimension 0 (D) is 4, but D = 8 from operand 'x'}}
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in, %b_in) q_proj(%w_q, %b_q) k_proj(%w_k, %b_k) v_proj(%w_v, %b_v) fb_proj(%w_fb, %b_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out, %b_out) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<4xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// shape of k_weight
func.func @layer_k_weight_shape(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %b_in: tensor<16xf32>, %w_q: tensor<8x8xf32>, %b_q: tensor<8xf32>, %w_k: tensor<8x8xf32>, %b_k: tensor<4xf32>, %w_v: tensor<4x8xf32>, %b_v: tensor<4xf32>, %w_fb: tensor<16x8xf32>, %b_fb: tensor<16xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %b_out: tensor<8xf32>) {
  // expected-error @+1 {{operand 'k_weight' dimension 0 (Hk*d) is 8, but Hk*d = 4 from num_kv_heads * d}}
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in, %b_in) q_proj(%w_q, %b_q) k_proj(%w_k, %b_k) v_proj(%w_v, %b_v) fb_proj(%w_fb, %b_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out, %b_out) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<8x8xf32>, tensor<4xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// shape of k_bias
func.func @layer_k_bias_shape(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %b_in: tensor<16xf32>, %w_q: tensor<8x8xf32>, %b_q: tensor<8xf32>, %w_k: tensor<4x8xf32>, %b_k: tensor<8xf32>, %w_v: tensor<4x8xf32>, %b_v: tensor<4xf32>, %w_fb: tensor<16x8xf32>, %b_fb: tensor<16xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %b_out: tensor<8xf32>) {
  // expected-error @+1 {{operand 'k_bias' dimension 0 (Hk*d) is 8, but Hk*d = 4 from num_kv_heads * d}}
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in, %b_in) q_proj(%w_q, %b_q) k_proj(%w_k, %b_k) v_proj(%w_v, %b_v) fb_proj(%w_fb, %b_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out, %b_out) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<4x8xf32>, tensor<8xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// shape of v_weight
func.func @layer_v_weight_shape(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %b_in: tensor<16xf32>, %w_q: tensor<8x8xf32>, %b_q: tensor<8xf32>, %w_k: tensor<4x8xf32>, %b_k: tensor<4xf32>, %w_v: tensor<4xf32>, %b_v: tensor<4xf32>, %w_fb: tensor<16x8xf32>, %b_fb: tensor<16xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %b_out: tensor<8xf32>) {
  // expected-error @+1 {{operand 'v_weight' must have rank 2 with shape [Hk*d, D]}}
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in, %b_in) q_proj(%w_q, %b_q) k_proj(%w_k, %b_k) v_proj(%w_v, %b_v) fb_proj(%w_fb, %b_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out, %b_out) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// shape of v_bias
func.func @layer_v_bias_shape(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %b_in: tensor<16xf32>, %w_q: tensor<8x8xf32>, %b_q: tensor<8xf32>, %w_k: tensor<4x8xf32>, %b_k: tensor<4xf32>, %w_v: tensor<4x8xf32>, %b_v: tensor<2xf32>, %w_fb: tensor<16x8xf32>, %b_fb: tensor<16xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %b_out: tensor<8xf32>) {
  // expected-error @+1 {{operand 'v_bias' dimension 0 (Hk*d) is 2, but Hk*d = 4 from num_kv_heads * d}}
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in, %b_in) q_proj(%w_q, %b_q) k_proj(%w_k, %b_k) v_proj(%w_v, %b_v) fb_proj(%w_fb, %b_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out, %b_out) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<4x8xf32>, tensor<2xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// shape of fb_weight
func.func @layer_fb_weight_shape(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %b_in: tensor<16xf32>, %w_q: tensor<8x8xf32>, %b_q: tensor<8xf32>, %w_k: tensor<4x8xf32>, %b_k: tensor<4xf32>, %w_v: tensor<4x8xf32>, %b_v: tensor<4xf32>, %w_fb: tensor<8x8xf32>, %b_fb: tensor<16xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %b_out: tensor<8xf32>) {
  // expected-error @+1 {{operand 'fb_weight' dimension 0 (2*D) is 8, but 2*D = 16 from the model width D}}
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in, %b_in) q_proj(%w_q, %b_q) k_proj(%w_k, %b_k) v_proj(%w_v, %b_v) fb_proj(%w_fb, %b_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out, %b_out) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<8x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// shape of fb_bias
func.func @layer_fb_bias_shape(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %b_in: tensor<16xf32>, %w_q: tensor<8x8xf32>, %b_q: tensor<8xf32>, %w_k: tensor<4x8xf32>, %b_k: tensor<4xf32>, %w_v: tensor<4x8xf32>, %b_v: tensor<4xf32>, %w_fb: tensor<16x8xf32>, %b_fb: tensor<8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %b_out: tensor<8xf32>) {
  // expected-error @+1 {{operand 'fb_bias' dimension 0 (2*D) is 8, but 2*D = 16 from the model width D}}
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in, %b_in) q_proj(%w_q, %b_q) k_proj(%w_k, %b_k) v_proj(%w_v, %b_v) fb_proj(%w_fb, %b_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out, %b_out) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<16x8xf32>, tensor<8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// shape of gamma_ctx
func.func @layer_gamma_ctx_shape(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %b_in: tensor<16xf32>, %w_q: tensor<8x8xf32>, %b_q: tensor<8xf32>, %w_k: tensor<4x8xf32>, %b_k: tensor<4xf32>, %w_v: tensor<4x8xf32>, %b_v: tensor<4xf32>, %w_fb: tensor<16x8xf32>, %b_fb: tensor<16xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %b_out: tensor<8xf32>) {
  // expected-error @+1 {{operand 'gamma_ctx' must have rank 2 with shape [1, D]}}
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in, %b_in) q_proj(%w_q, %b_q) k_proj(%w_k, %b_k) v_proj(%w_v, %b_v) fb_proj(%w_fb, %b_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out, %b_out) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// shape of gamma_ctx_rows
func.func @layer_gamma_ctx_rows_shape(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %b_in: tensor<16xf32>, %w_q: tensor<8x8xf32>, %b_q: tensor<8xf32>, %w_k: tensor<4x8xf32>, %b_k: tensor<4xf32>, %w_v: tensor<4x8xf32>, %b_v: tensor<4xf32>, %w_fb: tensor<16x8xf32>, %b_fb: tensor<16xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<2x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %b_out: tensor<8xf32>) {
  // expected-error @+1 {{operand 'gamma_ctx' dimension 0 (1) is 2, but 1 = 1 from the single feedback head}}
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in, %b_in) q_proj(%w_q, %b_q) k_proj(%w_k, %b_k) v_proj(%w_v, %b_v) fb_proj(%w_fb, %b_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out, %b_out) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<2x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// shape of gamma_bias
func.func @layer_gamma_bias_shape(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %b_in: tensor<16xf32>, %w_q: tensor<8x8xf32>, %b_q: tensor<8xf32>, %w_k: tensor<4x8xf32>, %b_k: tensor<4xf32>, %w_v: tensor<4x8xf32>, %b_v: tensor<4xf32>, %w_fb: tensor<16x8xf32>, %b_fb: tensor<16xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<f32>, %w_out: tensor<8x8xf32>, %b_out: tensor<8xf32>) {
  // expected-error @+1 {{operand 'gamma_bias' must have rank 1 with shape [1]}}
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in, %b_in) q_proj(%w_q, %b_q) k_proj(%w_k, %b_k) v_proj(%w_v, %b_v) fb_proj(%w_fb, %b_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out, %b_out) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<f32>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// shape of gamma_bias_size
func.func @layer_gamma_bias_size_shape(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %b_in: tensor<16xf32>, %w_q: tensor<8x8xf32>, %b_q: tensor<8xf32>, %w_k: tensor<4x8xf32>, %b_k: tensor<4xf32>, %w_v: tensor<4x8xf32>, %b_v: tensor<4xf32>, %w_fb: tensor<16x8xf32>, %b_fb: tensor<16xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<8xf32>, %w_out: tensor<8x8xf32>, %b_out: tensor<8xf32>) {
  // expected-error @+1 {{operand 'gamma_bias' dimension 0 (1) is 8, but 1 = 1 from the single feedback head}}
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in, %b_in) q_proj(%w_q, %b_q) k_proj(%w_k, %b_k) v_proj(%w_v, %b_v) fb_proj(%w_fb, %b_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out, %b_out) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<8xf32>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// shape of w_out
func.func @layer_w_out_shape(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %b_in: tensor<16xf32>, %w_q: tensor<8x8xf32>, %b_q: tensor<8xf32>, %w_k: tensor<4x8xf32>, %b_k: tensor<4xf32>, %w_v: tensor<4x8xf32>, %b_v: tensor<4xf32>, %w_fb: tensor<16x8xf32>, %b_fb: tensor<16xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<16x8xf32>, %b_out: tensor<8xf32>) {
  // expected-error @+1 {{operand 'w_out' dimension 0 (D) is 16, but D = 8 from operand 'x'}}
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in, %b_in) q_proj(%w_q, %b_q) k_proj(%w_k, %b_k) v_proj(%w_v, %b_v) fb_proj(%w_fb, %b_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out, %b_out) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<16x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// shape of b_out
func.func @layer_b_out_shape(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %b_in: tensor<16xf32>, %w_q: tensor<8x8xf32>, %b_q: tensor<8xf32>, %w_k: tensor<4x8xf32>, %b_k: tensor<4xf32>, %w_v: tensor<4x8xf32>, %b_v: tensor<4xf32>, %w_fb: tensor<16x8xf32>, %b_fb: tensor<16xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %b_out: tensor<16xf32>) {
  // expected-error @+1 {{operand 'b_out' dimension 0 (D) is 16, but D = 8 from operand 'x'}}
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in, %b_in) q_proj(%w_q, %b_q) k_proj(%w_k, %b_k) v_proj(%w_v, %b_v) fb_proj(%w_fb, %b_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out, %b_out) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<16xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// shape of out_proj
func.func @layer_out_proj_shape(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %b_in: tensor<16xf32>, %w_q: tensor<8x8xf32>, %b_q: tensor<8xf32>, %w_k: tensor<4x8xf32>, %b_k: tensor<4xf32>, %w_v: tensor<4x8xf32>, %b_v: tensor<4xf32>, %w_fb: tensor<16x8xf32>, %b_fb: tensor<16xf32>, %w_o: tensor<8x16xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %b_out: tensor<8xf32>) {
  // expected-error @+1 {{operand 'out_proj' dimension 1 (D) is 16, but D = 8 from operand 'x'}}
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in, %b_in) q_proj(%w_q, %b_q) k_proj(%w_k, %b_k) v_proj(%w_v, %b_v) fb_proj(%w_fb, %b_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out, %b_out) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x16xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// k_weight rows follow num_kv_heads * d (Hk = 2, d = 2)
func.func @layer_k_weight_gqa(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<8x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>) {
  // expected-error @+1 {{operand 'k_weight' dimension 0 (Hk*d) is 8, but Hk*d = 4 from num_kv_heads * d}}
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) {num_heads = 4 : i64, num_kv_heads = 2 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// out_proj is required with num_heads > 1
func.func @layer_out_proj_required(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>) {
  // expected-error @+1 {{operand 'out_proj' is required when num_heads = 2 > 1}}
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) gate(%g_ctx, %g_bias) out(%w_out) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// out_proj must be absent with num_heads = 1
func.func @layer_out_proj_forbidden(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<8x8xf32>, %w_v: tensor<8x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>) {
  // expected-error @+1 {{operand 'out_proj' must be absent when num_heads = 1 (the forward branch has no output projection)}}
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) {num_heads = 1 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<8x8xf32>, tensor<8x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// only k_cache (generic form)
func.func @layer_one_cache(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %k_c: tensor<2x3x1x4xf32>) {
  // expected-error @+1 {{cache operands 'k_cache', 'v_cache', 'kb_cache' and 's_cache' must be given all together, but 1 of 4 are given}}
  %y = "sessa.layer"(%x, %ln_w, %ln_b, %w_in, %w_q, %w_k, %w_v, %w_fb, %w_o, %g_ctx, %g_bias, %w_out, %k_c) <{num_heads = 2 : i64, num_kv_heads = 1 : i64, operandSegmentSizes = array<i32: 1, 1, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 0, 1, 0, 0, 0>}> : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<2x3x1x4xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// only k_cache and v_cache (generic form)
func.func @layer_two_caches(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %k_c: tensor<2x3x1x4xf32>, %v_c: tensor<2x3x1x4xf32>) {
  // expected-error @+1 {{cache operands 'k_cache', 'v_cache', 'kb_cache' and 's_cache' must be given all together, but 2 of 4 are given}}
  %y = "sessa.layer"(%x, %ln_w, %ln_b, %w_in, %w_q, %w_k, %w_v, %w_fb, %w_o, %g_ctx, %g_bias, %w_out, %k_c, %v_c) <{num_heads = 2 : i64, num_kv_heads = 1 : i64, operandSegmentSizes = array<i32: 1, 1, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 0, 1, 1, 0, 0>}> : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x4xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// s_cache missing (generic form)
func.func @layer_three_caches(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %k_c: tensor<2x3x1x4xf32>, %v_c: tensor<2x3x1x4xf32>, %kb_c: tensor<2x3x1x8xf32>) {
  // expected-error @+1 {{cache operands 'k_cache', 'v_cache', 'kb_cache' and 's_cache' must be given all together, but 3 of 4 are given}}
  %y = "sessa.layer"(%x, %ln_w, %ln_b, %w_in, %w_q, %w_k, %w_v, %w_fb, %w_o, %g_ctx, %g_bias, %w_out, %k_c, %v_c, %kb_c) <{num_heads = 2 : i64, num_kv_heads = 1 : i64, operandSegmentSizes = array<i32: 1, 1, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 0, 1, 1, 1, 0>}> : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// only the feedback caches (generic form)
func.func @layer_feedback_cache_only(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %kb_c: tensor<2x3x1x8xf32>, %s_c: tensor<2x3x1x8xf32>) {
  // expected-error @+1 {{cache operands 'k_cache', 'v_cache', 'kb_cache' and 's_cache' must be given all together, but 2 of 4 are given}}
  %y = "sessa.layer"(%x, %ln_w, %ln_b, %w_in, %w_q, %w_k, %w_v, %w_fb, %w_o, %g_ctx, %g_bias, %w_out, %kb_c, %s_c) <{num_heads = 2 : i64, num_kv_heads = 1 : i64, operandSegmentSizes = array<i32: 1, 1, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 0, 0, 0, 1, 1>}> : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<2x3x1x8xf32>, tensor<2x3x1x8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// result y must have the shape of x
func.func @layer_y_shape(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>) {
  // expected-error @+1 {{result 'y' dimension 1 (T) is 5, but T = 4 from operand 'x'}}
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>) -> tensor<2x5x8xf32>
  return
}

// -----

// result y must be rank 3
func.func @layer_y_rank(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>) {
  // expected-error @+1 {{result 'y' must have rank 3 with shape [B, T, D]}}
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>) -> tensor<2x4x2x4xf32>
  return
}

// -----

// cache results but no cache operands
func.func @layer_cache_results_without_caches(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>) {
  // expected-error @+1 {{has 4 cache results but no cache operands; expected only the result 'y'}}
  %y:5 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x4x1x4xf32>, tensor<2x4x1x4xf32>, tensor<2x4x1x8xf32>, tensor<2x4x1x8xf32>)
  return
}

// -----

// one extra result but no cache operands
func.func @layer_one_cache_result_without_caches(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>) {
  // expected-error @+1 {{has 1 cache results but no cache operands; expected only the result 'y'}}
  %y:2 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x4x1x4xf32>)
  return
}

// -----

// caches but only the result y
func.func @layer_caches_without_cache_results(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %k_c: tensor<2x3x1x4xf32>, %v_c: tensor<2x3x1x4xf32>, %kb_c: tensor<2x3x1x8xf32>, %s_c: tensor<2x3x1x8xf32>) {
  // expected-error @+1 {{with cache operands expects 4 cache results (k, v, kb, s extended by T rows), but has 0}}
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) cache(%k_c, %v_c, %kb_c, %s_c) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x8xf32>, tensor<2x3x1x8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// caches but only three cache results
func.func @layer_caches_three_results(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %k_c: tensor<2x3x1x4xf32>, %v_c: tensor<2x3x1x4xf32>, %kb_c: tensor<2x3x1x8xf32>, %s_c: tensor<2x3x1x8xf32>) {
  // expected-error @+1 {{with cache operands expects 4 cache results (k, v, kb, s extended by T rows), but has 3}}
  %y:4 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) cache(%k_c, %v_c, %kb_c, %s_c) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x8xf32>, tensor<2x3x1x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x8xf32>)
  return
}

// -----

// caches but five cache results
func.func @layer_caches_five_results(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %k_c: tensor<2x3x1x4xf32>, %v_c: tensor<2x3x1x4xf32>, %kb_c: tensor<2x3x1x8xf32>, %s_c: tensor<2x3x1x8xf32>) {
  // expected-error @+1 {{with cache operands expects 4 cache results (k, v, kb, s extended by T rows), but has 5}}
  %y:6 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) cache(%k_c, %v_c, %kb_c, %s_c) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x8xf32>, tensor<2x3x1x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x8xf32>, tensor<2x7x1x8xf32>, tensor<2x7x1x8xf32>)
  return
}

// -----

// shape of k_cache
func.func @layer_k_cache_shape(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %k_c: tensor<2x3x2x4xf32>, %v_c: tensor<2x3x1x4xf32>, %kb_c: tensor<2x3x1x8xf32>, %s_c: tensor<2x3x1x8xf32>) {
  // expected-error @+1 {{operand 'k_cache' dimension 2 (Hk) is 2, but Hk = 1 from attribute 'num_kv_heads'}}
  %y:5 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) cache(%k_c, %v_c, %kb_c, %s_c) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<2x3x2x4xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x8xf32>, tensor<2x3x1x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x8xf32>, tensor<2x7x1x8xf32>)
  return
}

// -----

// shape of k_cache_head_dim
func.func @layer_k_cache_head_dim_shape(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %k_c: tensor<2x3x1x8xf32>, %v_c: tensor<2x3x1x4xf32>, %kb_c: tensor<2x3x1x8xf32>, %s_c: tensor<2x3x1x8xf32>) {
  // expected-error @+1 {{operand 'k_cache' dimension 3 (d) is 8, but d = 4 from D / num_heads}}
  %y:5 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) cache(%k_c, %v_c, %kb_c, %s_c) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<2x3x1x8xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x8xf32>, tensor<2x3x1x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x8xf32>, tensor<2x7x1x8xf32>)
  return
}

// -----

// shape of k_cache_batch
func.func @layer_k_cache_batch_shape(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %k_c: tensor<1x3x1x4xf32>, %v_c: tensor<2x3x1x4xf32>, %kb_c: tensor<2x3x1x8xf32>, %s_c: tensor<2x3x1x8xf32>) {
  // expected-error @+1 {{operand 'k_cache' dimension 0 (B) is 1, but B = 2 from operand 'x'}}
  %y:5 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) cache(%k_c, %v_c, %kb_c, %s_c) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<1x3x1x4xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x8xf32>, tensor<2x3x1x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x8xf32>, tensor<2x7x1x8xf32>)
  return
}

// -----

// shape of k_cache_rank
func.func @layer_k_cache_rank_shape(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %k_c: tensor<2x3x4xf32>, %v_c: tensor<2x3x1x4xf32>, %kb_c: tensor<2x3x1x8xf32>, %s_c: tensor<2x3x1x8xf32>) {
  // expected-error @+1 {{operand 'k_cache' must have rank 4 with shape [B, P, Hk, d]}}
  %y:5 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) cache(%k_c, %v_c, %kb_c, %s_c) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<2x3x4xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x8xf32>, tensor<2x3x1x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x8xf32>, tensor<2x7x1x8xf32>)
  return
}

// -----

// shape of v_cache_rows
func.func @layer_v_cache_rows_shape(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %k_c: tensor<2x3x1x4xf32>, %v_c: tensor<2x5x1x4xf32>, %kb_c: tensor<2x3x1x8xf32>, %s_c: tensor<2x3x1x8xf32>) {
  // expected-error @+1 {{operand 'v_cache' dimension 1 (P) is 5, but P = 3 from operand 'k_cache'}}
  %y:5 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) cache(%k_c, %v_c, %kb_c, %s_c) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<2x3x1x4xf32>, tensor<2x5x1x4xf32>, tensor<2x3x1x8xf32>, tensor<2x3x1x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x8xf32>, tensor<2x7x1x8xf32>)
  return
}

// -----

// shape of v_cache_head_dim
func.func @layer_v_cache_head_dim_shape(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %k_c: tensor<2x3x1x4xf32>, %v_c: tensor<2x3x1x2xf32>, %kb_c: tensor<2x3x1x8xf32>, %s_c: tensor<2x3x1x8xf32>) {
  // expected-error @+1 {{operand 'v_cache' dimension 3 (d) is 2, but d = 4 from D / num_heads}}
  %y:5 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) cache(%k_c, %v_c, %kb_c, %s_c) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x2xf32>, tensor<2x3x1x8xf32>, tensor<2x3x1x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x8xf32>, tensor<2x7x1x8xf32>)
  return
}

// -----

// shape of kb_cache_heads
func.func @layer_kb_cache_heads_shape(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %k_c: tensor<2x3x1x4xf32>, %v_c: tensor<2x3x1x4xf32>, %kb_c: tensor<2x3x2x8xf32>, %s_c: tensor<2x3x1x8xf32>) {
  // expected-error @+1 {{operand 'kb_cache' dimension 2 (1) is 2, but 1 = 1 from the single feedback head}}
  %y:5 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) cache(%k_c, %v_c, %kb_c, %s_c) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x4xf32>, tensor<2x3x2x8xf32>, tensor<2x3x1x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x8xf32>, tensor<2x7x1x8xf32>)
  return
}

// -----

// shape of kb_cache_width
func.func @layer_kb_cache_width_shape(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %k_c: tensor<2x3x1x4xf32>, %v_c: tensor<2x3x1x4xf32>, %kb_c: tensor<2x3x1x4xf32>, %s_c: tensor<2x3x1x8xf32>) {
  // expected-error @+1 {{operand 'kb_cache' dimension 3 (D) is 4, but D = 8 from operand 'x'}}
  %y:5 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) cache(%k_c, %v_c, %kb_c, %s_c) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x8xf32>, tensor<2x7x1x8xf32>)
  return
}

// -----

// shape of kb_cache_rows
func.func @layer_kb_cache_rows_shape(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %k_c: tensor<2x3x1x4xf32>, %v_c: tensor<2x3x1x4xf32>, %kb_c: tensor<2x4x1x8xf32>, %s_c: tensor<2x3x1x8xf32>) {
  // expected-error @+1 {{operand 'kb_cache' dimension 1 (P) is 4, but P = 3 from operand 'k_cache'}}
  %y:5 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) cache(%k_c, %v_c, %kb_c, %s_c) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x4xf32>, tensor<2x4x1x8xf32>, tensor<2x3x1x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x8xf32>, tensor<2x7x1x8xf32>)
  return
}

// -----

// shape of s_cache_rows
func.func @layer_s_cache_rows_shape(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %k_c: tensor<2x3x1x4xf32>, %v_c: tensor<2x3x1x4xf32>, %kb_c: tensor<2x3x1x8xf32>, %s_c: tensor<2x2x1x8xf32>) {
  // expected-error @+1 {{operand 's_cache' dimension 1 (P) is 2, but P = 3 from operand 'k_cache'}}
  %y:5 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) cache(%k_c, %v_c, %kb_c, %s_c) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x8xf32>, tensor<2x2x1x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x8xf32>, tensor<2x7x1x8xf32>)
  return
}

// -----

// shape of s_cache_rank
func.func @layer_s_cache_rank_shape(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %k_c: tensor<2x3x1x4xf32>, %v_c: tensor<2x3x1x4xf32>, %kb_c: tensor<2x3x1x8xf32>, %s_c: tensor<2x3x8xf32>) {
  // expected-error @+1 {{operand 's_cache' must have rank 4 with shape [B, P, 1, D]}}
  %y:5 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) cache(%k_c, %v_c, %kb_c, %s_c) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x8xf32>, tensor<2x3x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x8xf32>, tensor<2x7x1x8xf32>)
  return
}

// -----

// shape of result k_cache_out
func.func @layer_k_cache_out_shape(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %k_c: tensor<2x3x1x4xf32>, %v_c: tensor<2x3x1x4xf32>, %kb_c: tensor<2x3x1x8xf32>, %s_c: tensor<2x3x1x8xf32>) {
  // expected-error @+1 {{result 'k_cache_out' dimension 1 (P+T) is 3, but P+T = 7 from P + T}}
  %y:5 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) cache(%k_c, %v_c, %kb_c, %s_c) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x8xf32>, tensor<2x3x1x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x3x1x4xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x8xf32>, tensor<2x7x1x8xf32>)
  return
}

// -----

// shape of result k_cache_out_heads
func.func @layer_k_cache_out_heads_shape(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %k_c: tensor<2x3x1x4xf32>, %v_c: tensor<2x3x1x4xf32>, %kb_c: tensor<2x3x1x8xf32>, %s_c: tensor<2x3x1x8xf32>) {
  // expected-error @+1 {{result 'k_cache_out' dimension 2 (Hk) is 2, but Hk = 1 from attribute 'num_kv_heads'}}
  %y:5 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) cache(%k_c, %v_c, %kb_c, %s_c) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x8xf32>, tensor<2x3x1x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x7x2x4xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x8xf32>, tensor<2x7x1x8xf32>)
  return
}

// -----

// shape of result v_cache_out
func.func @layer_v_cache_out_shape(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %k_c: tensor<2x3x1x4xf32>, %v_c: tensor<2x3x1x4xf32>, %kb_c: tensor<2x3x1x8xf32>, %s_c: tensor<2x3x1x8xf32>) {
  // expected-error @+1 {{result 'v_cache_out' dimension 1 (P+T) is 4, but P+T = 7 from P + T}}
  %y:5 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) cache(%k_c, %v_c, %kb_c, %s_c) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x8xf32>, tensor<2x3x1x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x7x1x4xf32>, tensor<2x4x1x4xf32>, tensor<2x7x1x8xf32>, tensor<2x7x1x8xf32>)
  return
}

// -----

// shape of result v_cache_out_batch
func.func @layer_v_cache_out_batch_shape(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %k_c: tensor<2x3x1x4xf32>, %v_c: tensor<2x3x1x4xf32>, %kb_c: tensor<2x3x1x8xf32>, %s_c: tensor<2x3x1x8xf32>) {
  // expected-error @+1 {{result 'v_cache_out' dimension 0 (B) is 1, but B = 2 from operand 'x'}}
  %y:5 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) cache(%k_c, %v_c, %kb_c, %s_c) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x8xf32>, tensor<2x3x1x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x7x1x4xf32>, tensor<1x7x1x4xf32>, tensor<2x7x1x8xf32>, tensor<2x7x1x8xf32>)
  return
}

// -----

// shape of result kb_cache_out
func.func @layer_kb_cache_out_shape(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %k_c: tensor<2x3x1x4xf32>, %v_c: tensor<2x3x1x4xf32>, %kb_c: tensor<2x3x1x8xf32>, %s_c: tensor<2x3x1x8xf32>) {
  // expected-error @+1 {{result 'kb_cache_out' dimension 1 (P+T) is 8, but P+T = 7 from P + T}}
  %y:5 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) cache(%k_c, %v_c, %kb_c, %s_c) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x8xf32>, tensor<2x3x1x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x4xf32>, tensor<2x8x1x8xf32>, tensor<2x7x1x8xf32>)
  return
}

// -----

// shape of result kb_cache_out_width
func.func @layer_kb_cache_out_width_shape(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %k_c: tensor<2x3x1x4xf32>, %v_c: tensor<2x3x1x4xf32>, %kb_c: tensor<2x3x1x8xf32>, %s_c: tensor<2x3x1x8xf32>) {
  // expected-error @+1 {{result 'kb_cache_out' dimension 3 (D) is 4, but D = 8 from operand 'x'}}
  %y:5 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) cache(%k_c, %v_c, %kb_c, %s_c) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x8xf32>, tensor<2x3x1x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x8xf32>)
  return
}

// -----

// shape of result s_cache_out
func.func @layer_s_cache_out_shape(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %k_c: tensor<2x3x1x4xf32>, %v_c: tensor<2x3x1x4xf32>, %kb_c: tensor<2x3x1x8xf32>, %s_c: tensor<2x3x1x8xf32>) {
  // expected-error @+1 {{result 's_cache_out' dimension 1 (P+T) is 3, but P+T = 7 from P + T}}
  %y:5 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) cache(%k_c, %v_c, %kb_c, %s_c) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x8xf32>, tensor<2x3x1x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x8xf32>, tensor<2x3x1x8xf32>)
  return
}

// -----

// shape of result s_cache_out_rank
func.func @layer_s_cache_out_rank_shape(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %k_c: tensor<2x3x1x4xf32>, %v_c: tensor<2x3x1x4xf32>, %kb_c: tensor<2x3x1x8xf32>, %s_c: tensor<2x3x1x8xf32>) {
  // expected-error @+1 {{result 's_cache_out' must have rank 4 with shape [B, P+T, 1, D]}}
  %y:5 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) cache(%k_c, %v_c, %kb_c, %s_c) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x8xf32>, tensor<2x3x1x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x4xf32>, tensor<2x7x1x8xf32>, tensor<2x7x8xf32>)
  return
}

// -----

// with dynamic P, P+T is unknown but the other dims still checked
func.func @layer_cache_out_dynamic_p_decode(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %k_c: tensor<2x?x1x4xf32>, %v_c: tensor<2x?x1x4xf32>, %kb_c: tensor<2x?x1x8xf32>, %s_c: tensor<2x?x1x8xf32>) {
  // expected-error @+1 {{result 's_cache_out' dimension 3 (D) is 16, but D = 8 from operand 'x'}}
  %y:5 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) cache(%k_c, %v_c, %kb_c, %s_c) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<2x?x1x4xf32>, tensor<2x?x1x4xf32>, tensor<2x?x1x8xf32>, tensor<2x?x1x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x?x1x4xf32>, tensor<2x9x1x4xf32>, tensor<2x?x1x8xf32>, tensor<2x?x1x16xf32>)
  return
}

// -----

// with dynamic P the four cache results still share one length
func.func @layer_cache_out_disagree_dynamic_p(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %k_c: tensor<2x?x1x4xf32>, %v_c: tensor<2x?x1x4xf32>, %kb_c: tensor<2x?x1x8xf32>, %s_c: tensor<2x?x1x8xf32>) {
  // expected-error @+1 {{result 'kb_cache_out' dimension 1 (P+T) is 5, but P+T = 9 from result 'k_cache_out'}}
  %y:5 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) cache(%k_c, %v_c, %kb_c, %s_c) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<2x?x1x4xf32>, tensor<2x?x1x4xf32>, tensor<2x?x1x8xf32>, tensor<2x?x1x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x9x1x4xf32>, tensor<2x9x1x4xf32>, tensor<2x5x1x8xf32>, tensor<2x9x1x8xf32>)
  return
}

// -----

// with a dynamic cache length P, an extended cache still needs the T new rows
func.func @layer_cache_out_fewer_than_t(%x: tensor<2x4x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %w_q: tensor<8x8xf32>, %w_k: tensor<4x8xf32>, %w_v: tensor<4x8xf32>, %w_fb: tensor<16x8xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %k_c: tensor<2x?x1x4xf32>, %v_c: tensor<2x?x1x4xf32>, %kb_c: tensor<2x?x1x8xf32>, %s_c: tensor<2x?x1x8xf32>) {
  // expected-error @+1 {{cache result has 2 rows, fewer than the T = 4 new rows it must append; expected P + T rows}}
  %y:5 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) cache(%k_c, %v_c, %kb_c, %s_c) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<2x?x1x4xf32>, tensor<2x?x1x4xf32>, tensor<2x?x1x8xf32>, tensor<2x?x1x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x2x1x4xf32>, tensor<2x?x1x4xf32>, tensor<2x?x1x8xf32>, tensor<2x?x1x8xf32>)
  return
}
