// Round-trip tests for every sessa op in all of its forms: each optional
// operand and attribute present and absent, static and dynamic shapes, and
// the element types f32, f16 and bf16. The second RUN line goes through the
// generic form (explicit properties, operandSegmentSizes) and must print the
// same custom form. Attributes equal to their defaults are elided.

// RUN: sessa-opt %s | sessa-opt | FileCheck %s
// RUN: sessa-opt %s --mlir-print-op-generic | sessa-opt | FileCheck %s

// CHECK-LABEL: func.func @rope_f32(
// CHECK-SAME: %[[X:[^ ,:#]+]]: tensor<2x16x8x64xf32>) -> tensor<2x16x8x64xf32> {
// CHECK-NEXT: %[[R:[^ ,:#]+]] = sessa.rope %[[X]] : tensor<2x16x8x64xf32>
// CHECK-NEXT: return %[[R]] : tensor<2x16x8x64xf32>
func.func @rope_f32(%x: tensor<2x16x8x64xf32>) -> tensor<2x16x8x64xf32> {
  %r = sessa.rope %x : tensor<2x16x8x64xf32>
  return %r : tensor<2x16x8x64xf32>
}

// CHECK-LABEL: func.func @rope_offset_operand(
// CHECK-SAME: %[[X:[^ ,:#]+]]: tensor<1x1x8x64xf32>, %[[P:[^ ,:#]+]]: index) -> tensor<1x1x8x64xf32> {
// CHECK-NEXT: %[[R:[^ ,:#]+]] = sessa.rope %[[X]] offset(%[[P]]) : tensor<1x1x8x64xf32>
// CHECK-NEXT: return %[[R]] : tensor<1x1x8x64xf32>
func.func @rope_offset_operand(%x: tensor<1x1x8x64xf32>, %p: index) -> tensor<1x1x8x64xf32> {
  %r = sessa.rope %x offset(%p) : tensor<1x1x8x64xf32>
  return %r : tensor<1x1x8x64xf32>
}

// CHECK-LABEL: func.func @rope_base(
// CHECK-SAME: %[[X:[^ ,:#]+]]: tensor<2x16x8x64xf32>) -> tensor<2x16x8x64xf32> {
// CHECK-NEXT: %[[R:[^ ,:#]+]] = sessa.rope %[[X]] {base = 5.000000e+05 : f64} : tensor<2x16x8x64xf32>
// CHECK-NEXT: return %[[R]] : tensor<2x16x8x64xf32>
func.func @rope_base(%x: tensor<2x16x8x64xf32>) -> tensor<2x16x8x64xf32> {
  %r = sessa.rope %x {base = 5.0e+05 : f64} : tensor<2x16x8x64xf32>
  return %r : tensor<2x16x8x64xf32>
}

// CHECK-LABEL: func.func @rope_static_offset(
// CHECK-SAME: %[[X:[^ ,:#]+]]: tensor<1x4x2x16xf32>) -> tensor<1x4x2x16xf32> {
// CHECK-NEXT: %[[R:[^ ,:#]+]] = sessa.rope %[[X]] {static_offset = 7 : i64} : tensor<1x4x2x16xf32>
// CHECK-NEXT: return %[[R]] : tensor<1x4x2x16xf32>
func.func @rope_static_offset(%x: tensor<1x4x2x16xf32>) -> tensor<1x4x2x16xf32> {
  %r = sessa.rope %x {static_offset = 7} : tensor<1x4x2x16xf32>
  return %r : tensor<1x4x2x16xf32>
}

// CHECK-LABEL: func.func @rope_offset_operand_and_base(
// CHECK-SAME: %[[X:[^ ,:#]+]]: tensor<1x?x8x64xbf16>, %[[P:[^ ,:#]+]]: index) -> tensor<1x?x8x64xbf16> {
// CHECK-NEXT: %[[R:[^ ,:#]+]] = sessa.rope %[[X]] offset(%[[P]]) {base = 5.000000e+05 : f64} : tensor<1x?x8x64xbf16>
// CHECK-NEXT: return %[[R]] : tensor<1x?x8x64xbf16>
func.func @rope_offset_operand_and_base(%x: tensor<1x?x8x64xbf16>, %p: index) -> tensor<1x?x8x64xbf16> {
  %r = sessa.rope %x offset(%p) {base = 5.0e+05 : f64} : tensor<1x?x8x64xbf16>
  return %r : tensor<1x?x8x64xbf16>
}

// CHECK-LABEL: func.func @rope_static_offset_and_base(
// CHECK-SAME: %[[X:[^ ,:#]+]]: tensor<3x5x4x8xf16>) -> tensor<3x5x4x8xf16> {
// CHECK-NEXT: %[[R:[^ ,:#]+]] = sessa.rope %[[X]] {base = 1.000000e+06 : f64, static_offset = 12 : i64} : tensor<3x5x4x8xf16>
// CHECK-NEXT: return %[[R]] : tensor<3x5x4x8xf16>
func.func @rope_static_offset_and_base(%x: tensor<3x5x4x8xf16>) -> tensor<3x5x4x8xf16> {
  %r = sessa.rope %x {base = 1.0e+06 : f64, static_offset = 12} : tensor<3x5x4x8xf16>
  return %r : tensor<3x5x4x8xf16>
}

// CHECK-LABEL: func.func @rope_explicit_defaults(
// CHECK-SAME: %[[X:[^ ,:#]+]]: tensor<2x3x4x8xf32>) -> tensor<2x3x4x8xf32> {
// CHECK-NEXT: %[[R:[^ ,:#]+]] = sessa.rope %[[X]] : tensor<2x3x4x8xf32>
// CHECK-NEXT: return %[[R]] : tensor<2x3x4x8xf32>
func.func @rope_explicit_defaults(%x: tensor<2x3x4x8xf32>) -> tensor<2x3x4x8xf32> {
  %r = sessa.rope %x {base = 1.0e+04 : f64, static_offset = 0} : tensor<2x3x4x8xf32>
  return %r : tensor<2x3x4x8xf32>
}

// CHECK-LABEL: func.func @rope_dynamic_b_t_f16(
// CHECK-SAME: %[[X:[^ ,:#]+]]: tensor<?x?x4x32xf16>) -> tensor<?x?x4x32xf16> {
// CHECK-NEXT: %[[R:[^ ,:#]+]] = sessa.rope %[[X]] : tensor<?x?x4x32xf16>
// CHECK-NEXT: return %[[R]] : tensor<?x?x4x32xf16>
func.func @rope_dynamic_b_t_f16(%x: tensor<?x?x4x32xf16>) -> tensor<?x?x4x32xf16> {
  %r = sessa.rope %x : tensor<?x?x4x32xf16>
  return %r : tensor<?x?x4x32xf16>
}

// CHECK-LABEL: func.func @rope_dynamic_b_bf16(
// CHECK-SAME: %[[X:[^ ,:#]+]]: tensor<?x16x2x2xbf16>) -> tensor<?x16x2x2xbf16> {
// CHECK-NEXT: %[[R:[^ ,:#]+]] = sessa.rope %[[X]] : tensor<?x16x2x2xbf16>
// CHECK-NEXT: return %[[R]] : tensor<?x16x2x2xbf16>
func.func @rope_dynamic_b_bf16(%x: tensor<?x16x2x2xbf16>) -> tensor<?x16x2x2xbf16> {
  %r = sessa.rope %x : tensor<?x16x2x2xbf16>
  return %r : tensor<?x16x2x2xbf16>
}

// CHECK-LABEL: func.func @attention_mha_f32(
// CHECK-SAME: %[[Q:[^ ,:#]+]]: tensor<2x16x8x64xf32>, %[[K:[^ ,:#]+]]: tensor<2x16x8x64xf32>, %[[V:[^ ,:#]+]]: tensor<2x16x8x64xf32>) -> tensor<2x16x8x64xf32> {
// CHECK-NEXT: %[[R:[^ ,:#]+]] = sessa.attention %[[Q]], %[[K]], %[[V]] : tensor<2x16x8x64xf32>, tensor<2x16x8x64xf32>, tensor<2x16x8x64xf32>
// CHECK-NEXT: return %[[R]] : tensor<2x16x8x64xf32>
func.func @attention_mha_f32(%q: tensor<2x16x8x64xf32>, %k: tensor<2x16x8x64xf32>, %v: tensor<2x16x8x64xf32>) -> tensor<2x16x8x64xf32> {
  %o = sessa.attention %q, %k, %v : tensor<2x16x8x64xf32>, tensor<2x16x8x64xf32>, tensor<2x16x8x64xf32>
  return %o : tensor<2x16x8x64xf32>
}

// CHECK-LABEL: func.func @attention_scale(
// CHECK-SAME: %[[Q:[^ ,:#]+]]: tensor<2x16x8x64xf32>, %[[K:[^ ,:#]+]]: tensor<2x16x8x64xf32>, %[[V:[^ ,:#]+]]: tensor<2x16x8x64xf32>) -> tensor<2x16x8x64xf32> {
// CHECK-NEXT: %[[R:[^ ,:#]+]] = sessa.attention %[[Q]], %[[K]], %[[V]] {scale = 1.250000e-01 : f64} : tensor<2x16x8x64xf32>, tensor<2x16x8x64xf32>, tensor<2x16x8x64xf32>
// CHECK-NEXT: return %[[R]] : tensor<2x16x8x64xf32>
func.func @attention_scale(%q: tensor<2x16x8x64xf32>, %k: tensor<2x16x8x64xf32>, %v: tensor<2x16x8x64xf32>) -> tensor<2x16x8x64xf32> {
  %o = sessa.attention %q, %k, %v {scale = 1.250000e-01 : f64} : tensor<2x16x8x64xf32>, tensor<2x16x8x64xf32>, tensor<2x16x8x64xf32>
  return %o : tensor<2x16x8x64xf32>
}

// CHECK-LABEL: func.func @attention_negative_scale(
// CHECK-SAME: %[[Q:[^ ,:#]+]]: tensor<1x4x2x8xf32>, %[[K:[^ ,:#]+]]: tensor<1x4x2x8xf32>, %[[V:[^ ,:#]+]]: tensor<1x4x2x8xf32>) -> tensor<1x4x2x8xf32> {
// CHECK-NEXT: %[[R:[^ ,:#]+]] = sessa.attention %[[Q]], %[[K]], %[[V]] {scale = -2.000000e+00 : f64} : tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>
// CHECK-NEXT: return %[[R]] : tensor<1x4x2x8xf32>
func.func @attention_negative_scale(%q: tensor<1x4x2x8xf32>, %k: tensor<1x4x2x8xf32>, %v: tensor<1x4x2x8xf32>) -> tensor<1x4x2x8xf32> {
  %o = sessa.attention %q, %k, %v {scale = -2.000000e+00 : f64} : tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>
  return %o : tensor<1x4x2x8xf32>
}

// CHECK-LABEL: func.func @attention_gqa(
// CHECK-SAME: %[[Q:[^ ,:#]+]]: tensor<1x16x8x64xf32>, %[[K:[^ ,:#]+]]: tensor<1x16x2x64xf32>, %[[V:[^ ,:#]+]]: tensor<1x16x2x64xf32>) -> tensor<1x16x8x64xf32> {
// CHECK-NEXT: %[[R:[^ ,:#]+]] = sessa.attention %[[Q]], %[[K]], %[[V]] : tensor<1x16x8x64xf32>, tensor<1x16x2x64xf32>, tensor<1x16x2x64xf32>
// CHECK-NEXT: return %[[R]] : tensor<1x16x8x64xf32>
func.func @attention_gqa(%q: tensor<1x16x8x64xf32>, %k: tensor<1x16x2x64xf32>, %v: tensor<1x16x2x64xf32>) -> tensor<1x16x8x64xf32> {
  %o = sessa.attention %q, %k, %v : tensor<1x16x8x64xf32>, tensor<1x16x2x64xf32>, tensor<1x16x2x64xf32>
  return %o : tensor<1x16x8x64xf32>
}

// CHECK-LABEL: func.func @attention_mqa_f16(
// CHECK-SAME: %[[Q:[^ ,:#]+]]: tensor<2x4x4x16xf16>, %[[K:[^ ,:#]+]]: tensor<2x4x1x16xf16>, %[[V:[^ ,:#]+]]: tensor<2x4x1x16xf16>) -> tensor<2x4x4x16xf16> {
// CHECK-NEXT: %[[R:[^ ,:#]+]] = sessa.attention %[[Q]], %[[K]], %[[V]] : tensor<2x4x4x16xf16>, tensor<2x4x1x16xf16>, tensor<2x4x1x16xf16>
// CHECK-NEXT: return %[[R]] : tensor<2x4x4x16xf16>
func.func @attention_mqa_f16(%q: tensor<2x4x4x16xf16>, %k: tensor<2x4x1x16xf16>, %v: tensor<2x4x1x16xf16>) -> tensor<2x4x4x16xf16> {
  %o = sessa.attention %q, %k, %v : tensor<2x4x4x16xf16>, tensor<2x4x1x16xf16>, tensor<2x4x1x16xf16>
  return %o : tensor<2x4x4x16xf16>
}

// CHECK-LABEL: func.func @attention_cache_prefix(
// CHECK-SAME: %[[Q:[^ ,:#]+]]: tensor<1x3x8x64xf32>, %[[K:[^ ,:#]+]]: tensor<1x8x2x64xf32>, %[[V:[^ ,:#]+]]: tensor<1x8x2x64xf32>) -> tensor<1x3x8x64xf32> {
// CHECK-NEXT: %[[R:[^ ,:#]+]] = sessa.attention %[[Q]], %[[K]], %[[V]] : tensor<1x3x8x64xf32>, tensor<1x8x2x64xf32>, tensor<1x8x2x64xf32>
// CHECK-NEXT: return %[[R]] : tensor<1x3x8x64xf32>
func.func @attention_cache_prefix(%q: tensor<1x3x8x64xf32>, %k: tensor<1x8x2x64xf32>, %v: tensor<1x8x2x64xf32>) -> tensor<1x3x8x64xf32> {
  %o = sessa.attention %q, %k, %v : tensor<1x3x8x64xf32>, tensor<1x8x2x64xf32>, tensor<1x8x2x64xf32>
  return %o : tensor<1x3x8x64xf32>
}

// CHECK-LABEL: func.func @attention_decode_bf16(
// CHECK-SAME: %[[Q:[^ ,:#]+]]: tensor<4x1x8x64xbf16>, %[[K:[^ ,:#]+]]: tensor<4x129x8x64xbf16>, %[[V:[^ ,:#]+]]: tensor<4x129x8x64xbf16>) -> tensor<4x1x8x64xbf16> {
// CHECK-NEXT: %[[R:[^ ,:#]+]] = sessa.attention %[[Q]], %[[K]], %[[V]] {scale = 1.250000e-01 : f64} : tensor<4x1x8x64xbf16>, tensor<4x129x8x64xbf16>, tensor<4x129x8x64xbf16>
// CHECK-NEXT: return %[[R]] : tensor<4x1x8x64xbf16>
func.func @attention_decode_bf16(%q: tensor<4x1x8x64xbf16>, %k: tensor<4x129x8x64xbf16>, %v: tensor<4x129x8x64xbf16>) -> tensor<4x1x8x64xbf16> {
  %o = sessa.attention %q, %k, %v {scale = 1.250000e-01 : f64} : tensor<4x1x8x64xbf16>, tensor<4x129x8x64xbf16>, tensor<4x129x8x64xbf16>
  return %o : tensor<4x1x8x64xbf16>
}

// CHECK-LABEL: func.func @attention_dynamic_b_t_s_f16(
// CHECK-SAME: %[[Q:[^ ,:#]+]]: tensor<?x?x8x64xf16>, %[[K:[^ ,:#]+]]: tensor<?x?x2x64xf16>, %[[V:[^ ,:#]+]]: tensor<?x?x2x64xf16>) -> tensor<?x?x8x64xf16> {
// CHECK-NEXT: %[[R:[^ ,:#]+]] = sessa.attention %[[Q]], %[[K]], %[[V]] : tensor<?x?x8x64xf16>, tensor<?x?x2x64xf16>, tensor<?x?x2x64xf16>
// CHECK-NEXT: return %[[R]] : tensor<?x?x8x64xf16>
func.func @attention_dynamic_b_t_s_f16(%q: tensor<?x?x8x64xf16>, %k: tensor<?x?x2x64xf16>, %v: tensor<?x?x2x64xf16>) -> tensor<?x?x8x64xf16> {
  %o = sessa.attention %q, %k, %v : tensor<?x?x8x64xf16>, tensor<?x?x2x64xf16>, tensor<?x?x2x64xf16>
  return %o : tensor<?x?x8x64xf16>
}

// CHECK-LABEL: func.func @attention_dynamic_s_bf16(
// CHECK-SAME: %[[Q:[^ ,:#]+]]: tensor<2x1x4x32xbf16>, %[[K:[^ ,:#]+]]: tensor<2x?x4x32xbf16>, %[[V:[^ ,:#]+]]: tensor<2x?x4x32xbf16>) -> tensor<2x1x4x32xbf16> {
// CHECK-NEXT: %[[R:[^ ,:#]+]] = sessa.attention %[[Q]], %[[K]], %[[V]] : tensor<2x1x4x32xbf16>, tensor<2x?x4x32xbf16>, tensor<2x?x4x32xbf16>
// CHECK-NEXT: return %[[R]] : tensor<2x1x4x32xbf16>
func.func @attention_dynamic_s_bf16(%q: tensor<2x1x4x32xbf16>, %k: tensor<2x?x4x32xbf16>, %v: tensor<2x?x4x32xbf16>) -> tensor<2x1x4x32xbf16> {
  %o = sessa.attention %q, %k, %v : tensor<2x1x4x32xbf16>, tensor<2x?x4x32xbf16>, tensor<2x?x4x32xbf16>
  return %o : tensor<2x1x4x32xbf16>
}

// CHECK-LABEL: func.func @attention_dynamic_t_static_s(
// CHECK-SAME: %[[Q:[^ ,:#]+]]: tensor<2x?x4x32xf32>, %[[K:[^ ,:#]+]]: tensor<2x64x4x32xf32>, %[[V:[^ ,:#]+]]: tensor<2x64x4x32xf32>) -> tensor<2x?x4x32xf32> {
// CHECK-NEXT: %[[R:[^ ,:#]+]] = sessa.attention %[[Q]], %[[K]], %[[V]] : tensor<2x?x4x32xf32>, tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32>
// CHECK-NEXT: return %[[R]] : tensor<2x?x4x32xf32>
func.func @attention_dynamic_t_static_s(%q: tensor<2x?x4x32xf32>, %k: tensor<2x64x4x32xf32>, %v: tensor<2x64x4x32xf32>) -> tensor<2x?x4x32xf32> {
  %o = sessa.attention %q, %k, %v : tensor<2x?x4x32xf32>, tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32>
  return %o : tensor<2x?x4x32xf32>
}

// CHECK-LABEL: func.func @feedback_f32(
// CHECK-SAME: %[[F:[^ ,:#]+]]: tensor<2x16x1x32xf32>, %[[QB:[^ ,:#]+]]: tensor<2x16x1x32xf32>, %[[KB:[^ ,:#]+]]: tensor<2x16x1x32xf32>, %[[GAMMA:[^ ,:#]+]]: tensor<2x16x1xf32>) -> tensor<2x16x1x32xf32> {
// CHECK-NEXT: %[[R:[^ ,:#]+]] = sessa.feedback_attention %[[F]], %[[QB]], %[[KB]], %[[GAMMA]] : tensor<2x16x1x32xf32>, tensor<2x16x1x32xf32>, tensor<2x16x1x32xf32>, tensor<2x16x1xf32>
// CHECK-NEXT: return %[[R]] : tensor<2x16x1x32xf32>
func.func @feedback_f32(%f: tensor<2x16x1x32xf32>, %qb: tensor<2x16x1x32xf32>, %kb: tensor<2x16x1x32xf32>, %gamma: tensor<2x16x1xf32>) -> tensor<2x16x1x32xf32> {
  %s = sessa.feedback_attention %f, %qb, %kb, %gamma : tensor<2x16x1x32xf32>, tensor<2x16x1x32xf32>, tensor<2x16x1x32xf32>, tensor<2x16x1xf32>
  return %s : tensor<2x16x1x32xf32>
}

// CHECK-LABEL: func.func @feedback_scale(
// CHECK-SAME: %[[F:[^ ,:#]+]]: tensor<2x16x1x32xf32>, %[[QB:[^ ,:#]+]]: tensor<2x16x1x32xf32>, %[[KB:[^ ,:#]+]]: tensor<2x16x1x32xf32>, %[[GAMMA:[^ ,:#]+]]: tensor<2x16x1xf32>) -> tensor<2x16x1x32xf32> {
// CHECK-NEXT: %[[R:[^ ,:#]+]] = sessa.feedback_attention %[[F]], %[[QB]], %[[KB]], %[[GAMMA]] {scale = 2.500000e-01 : f64} : tensor<2x16x1x32xf32>, tensor<2x16x1x32xf32>, tensor<2x16x1x32xf32>, tensor<2x16x1xf32>
// CHECK-NEXT: return %[[R]] : tensor<2x16x1x32xf32>
func.func @feedback_scale(%f: tensor<2x16x1x32xf32>, %qb: tensor<2x16x1x32xf32>, %kb: tensor<2x16x1x32xf32>, %gamma: tensor<2x16x1xf32>) -> tensor<2x16x1x32xf32> {
  %s = sessa.feedback_attention %f, %qb, %kb, %gamma {scale = 2.500000e-01 : f64} : tensor<2x16x1x32xf32>, tensor<2x16x1x32xf32>, tensor<2x16x1x32xf32>, tensor<2x16x1xf32>
  return %s : tensor<2x16x1x32xf32>
}

// CHECK-LABEL: func.func @feedback_cache(
// CHECK-SAME: %[[F:[^ ,:#]+]]: tensor<1x4x1x32xf32>, %[[QB:[^ ,:#]+]]: tensor<1x4x1x32xf32>, %[[KB:[^ ,:#]+]]: tensor<1x4x1x32xf32>, %[[GAMMA:[^ ,:#]+]]: tensor<1x4x1xf32>, %[[KB_PREV:[^ ,:#]+]]: tensor<1x9x1x32xf32>, %[[S_PREV:[^ ,:#]+]]: tensor<1x9x1x32xf32>) -> tensor<1x4x1x32xf32> {
// CHECK-NEXT: %[[R:[^ ,:#]+]] = sessa.feedback_attention %[[F]], %[[QB]], %[[KB]], %[[GAMMA]] cache(%[[KB_PREV]], %[[S_PREV]]) : tensor<1x4x1x32xf32>, tensor<1x4x1x32xf32>, tensor<1x4x1x32xf32>, tensor<1x4x1xf32>, tensor<1x9x1x32xf32>, tensor<1x9x1x32xf32>
// CHECK-NEXT: return %[[R]] : tensor<1x4x1x32xf32>
func.func @feedback_cache(%f: tensor<1x4x1x32xf32>, %qb: tensor<1x4x1x32xf32>, %kb: tensor<1x4x1x32xf32>, %gamma: tensor<1x4x1xf32>, %kb_prev: tensor<1x9x1x32xf32>, %s_prev: tensor<1x9x1x32xf32>) -> tensor<1x4x1x32xf32> {
  %s = sessa.feedback_attention %f, %qb, %kb, %gamma cache(%kb_prev, %s_prev) : tensor<1x4x1x32xf32>, tensor<1x4x1x32xf32>, tensor<1x4x1x32xf32>, tensor<1x4x1xf32>, tensor<1x9x1x32xf32>, tensor<1x9x1x32xf32>
  return %s : tensor<1x4x1x32xf32>
}

// CHECK-LABEL: func.func @feedback_cache_scale(
// CHECK-SAME: %[[F:[^ ,:#]+]]: tensor<1x4x1x32xf32>, %[[QB:[^ ,:#]+]]: tensor<1x4x1x32xf32>, %[[KB:[^ ,:#]+]]: tensor<1x4x1x32xf32>, %[[GAMMA:[^ ,:#]+]]: tensor<1x4x1xf32>, %[[KB_PREV:[^ ,:#]+]]: tensor<1x9x1x32xf32>, %[[S_PREV:[^ ,:#]+]]: tensor<1x9x1x32xf32>) -> tensor<1x4x1x32xf32> {
// CHECK-NEXT: %[[R:[^ ,:#]+]] = sessa.feedback_attention %[[F]], %[[QB]], %[[KB]], %[[GAMMA]] cache(%[[KB_PREV]], %[[S_PREV]]) {scale = 2.500000e-01 : f64} : tensor<1x4x1x32xf32>, tensor<1x4x1x32xf32>, tensor<1x4x1x32xf32>, tensor<1x4x1xf32>, tensor<1x9x1x32xf32>, tensor<1x9x1x32xf32>
// CHECK-NEXT: return %[[R]] : tensor<1x4x1x32xf32>
func.func @feedback_cache_scale(%f: tensor<1x4x1x32xf32>, %qb: tensor<1x4x1x32xf32>, %kb: tensor<1x4x1x32xf32>, %gamma: tensor<1x4x1xf32>, %kb_prev: tensor<1x9x1x32xf32>, %s_prev: tensor<1x9x1x32xf32>) -> tensor<1x4x1x32xf32> {
  %s = sessa.feedback_attention %f, %qb, %kb, %gamma cache(%kb_prev, %s_prev) {scale = 2.500000e-01 : f64} : tensor<1x4x1x32xf32>, tensor<1x4x1x32xf32>, tensor<1x4x1x32xf32>, tensor<1x4x1xf32>, tensor<1x9x1x32xf32>, tensor<1x9x1x32xf32>
  return %s : tensor<1x4x1x32xf32>
}

// CHECK-LABEL: func.func @feedback_multihead_dk_ne_dv(
// CHECK-SAME: %[[F:[^ ,:#]+]]: tensor<2x8x4x48xf32>, %[[QB:[^ ,:#]+]]: tensor<2x8x4x16xf32>, %[[KB:[^ ,:#]+]]: tensor<2x8x4x16xf32>, %[[GAMMA:[^ ,:#]+]]: tensor<2x8x4xf32>) -> tensor<2x8x4x48xf32> {
// CHECK-NEXT: %[[R:[^ ,:#]+]] = sessa.feedback_attention %[[F]], %[[QB]], %[[KB]], %[[GAMMA]] : tensor<2x8x4x48xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4xf32>
// CHECK-NEXT: return %[[R]] : tensor<2x8x4x48xf32>
func.func @feedback_multihead_dk_ne_dv(%f: tensor<2x8x4x48xf32>, %qb: tensor<2x8x4x16xf32>, %kb: tensor<2x8x4x16xf32>, %gamma: tensor<2x8x4xf32>) -> tensor<2x8x4x48xf32> {
  %s = sessa.feedback_attention %f, %qb, %kb, %gamma : tensor<2x8x4x48xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4xf32>
  return %s : tensor<2x8x4x48xf32>
}

// CHECK-LABEL: func.func @feedback_multihead_cache_f16(
// CHECK-SAME: %[[F:[^ ,:#]+]]: tensor<2x1x3x24xf16>, %[[QB:[^ ,:#]+]]: tensor<2x1x3x8xf16>, %[[KB:[^ ,:#]+]]: tensor<2x1x3x8xf16>, %[[GAMMA:[^ ,:#]+]]: tensor<2x1x3xf16>, %[[KB_PREV:[^ ,:#]+]]: tensor<2x31x3x8xf16>, %[[S_PREV:[^ ,:#]+]]: tensor<2x31x3x24xf16>) -> tensor<2x1x3x24xf16> {
// CHECK-NEXT: %[[R:[^ ,:#]+]] = sessa.feedback_attention %[[F]], %[[QB]], %[[KB]], %[[GAMMA]] cache(%[[KB_PREV]], %[[S_PREV]]) {scale = 5.000000e-01 : f64} : tensor<2x1x3x24xf16>, tensor<2x1x3x8xf16>, tensor<2x1x3x8xf16>, tensor<2x1x3xf16>, tensor<2x31x3x8xf16>, tensor<2x31x3x24xf16>
// CHECK-NEXT: return %[[R]] : tensor<2x1x3x24xf16>
func.func @feedback_multihead_cache_f16(%f: tensor<2x1x3x24xf16>, %qb: tensor<2x1x3x8xf16>, %kb: tensor<2x1x3x8xf16>, %gamma: tensor<2x1x3xf16>, %kb_prev: tensor<2x31x3x8xf16>, %s_prev: tensor<2x31x3x24xf16>) -> tensor<2x1x3x24xf16> {
  %s = sessa.feedback_attention %f, %qb, %kb, %gamma cache(%kb_prev, %s_prev) {scale = 5.000000e-01 : f64} : tensor<2x1x3x24xf16>, tensor<2x1x3x8xf16>, tensor<2x1x3x8xf16>, tensor<2x1x3xf16>, tensor<2x31x3x8xf16>, tensor<2x31x3x24xf16>
  return %s : tensor<2x1x3x24xf16>
}

// CHECK-LABEL: func.func @feedback_empty_cache_bf16(
// CHECK-SAME: %[[F:[^ ,:#]+]]: tensor<1x4x1x16xbf16>, %[[QB:[^ ,:#]+]]: tensor<1x4x1x16xbf16>, %[[KB:[^ ,:#]+]]: tensor<1x4x1x16xbf16>, %[[GAMMA:[^ ,:#]+]]: tensor<1x4x1xbf16>, %[[KB_PREV:[^ ,:#]+]]: tensor<1x0x1x16xbf16>, %[[S_PREV:[^ ,:#]+]]: tensor<1x0x1x16xbf16>) -> tensor<1x4x1x16xbf16> {
// CHECK-NEXT: %[[R:[^ ,:#]+]] = sessa.feedback_attention %[[F]], %[[QB]], %[[KB]], %[[GAMMA]] cache(%[[KB_PREV]], %[[S_PREV]]) : tensor<1x4x1x16xbf16>, tensor<1x4x1x16xbf16>, tensor<1x4x1x16xbf16>, tensor<1x4x1xbf16>, tensor<1x0x1x16xbf16>, tensor<1x0x1x16xbf16>
// CHECK-NEXT: return %[[R]] : tensor<1x4x1x16xbf16>
func.func @feedback_empty_cache_bf16(%f: tensor<1x4x1x16xbf16>, %qb: tensor<1x4x1x16xbf16>, %kb: tensor<1x4x1x16xbf16>, %gamma: tensor<1x4x1xbf16>, %kb_prev: tensor<1x0x1x16xbf16>, %s_prev: tensor<1x0x1x16xbf16>) -> tensor<1x4x1x16xbf16> {
  %s = sessa.feedback_attention %f, %qb, %kb, %gamma cache(%kb_prev, %s_prev) : tensor<1x4x1x16xbf16>, tensor<1x4x1x16xbf16>, tensor<1x4x1x16xbf16>, tensor<1x4x1xbf16>, tensor<1x0x1x16xbf16>, tensor<1x0x1x16xbf16>
  return %s : tensor<1x4x1x16xbf16>
}

// CHECK-LABEL: func.func @feedback_dynamic_b_t_f16(
// CHECK-SAME: %[[F:[^ ,:#]+]]: tensor<?x?x2x16xf16>, %[[QB:[^ ,:#]+]]: tensor<?x?x2x16xf16>, %[[KB:[^ ,:#]+]]: tensor<?x?x2x16xf16>, %[[GAMMA:[^ ,:#]+]]: tensor<?x?x2xf16>) -> tensor<?x?x2x16xf16> {
// CHECK-NEXT: %[[R:[^ ,:#]+]] = sessa.feedback_attention %[[F]], %[[QB]], %[[KB]], %[[GAMMA]] : tensor<?x?x2x16xf16>, tensor<?x?x2x16xf16>, tensor<?x?x2x16xf16>, tensor<?x?x2xf16>
// CHECK-NEXT: return %[[R]] : tensor<?x?x2x16xf16>
func.func @feedback_dynamic_b_t_f16(%f: tensor<?x?x2x16xf16>, %qb: tensor<?x?x2x16xf16>, %kb: tensor<?x?x2x16xf16>, %gamma: tensor<?x?x2xf16>) -> tensor<?x?x2x16xf16> {
  %s = sessa.feedback_attention %f, %qb, %kb, %gamma : tensor<?x?x2x16xf16>, tensor<?x?x2x16xf16>, tensor<?x?x2x16xf16>, tensor<?x?x2xf16>
  return %s : tensor<?x?x2x16xf16>
}

// CHECK-LABEL: func.func @feedback_dynamic_b_t_p_bf16(
// CHECK-SAME: %[[F:[^ ,:#]+]]: tensor<?x?x1x32xbf16>, %[[QB:[^ ,:#]+]]: tensor<?x?x1x64xbf16>, %[[KB:[^ ,:#]+]]: tensor<?x?x1x64xbf16>, %[[GAMMA:[^ ,:#]+]]: tensor<?x?x1xbf16>, %[[KB_PREV:[^ ,:#]+]]: tensor<?x?x1x64xbf16>, %[[S_PREV:[^ ,:#]+]]: tensor<?x?x1x32xbf16>) -> tensor<?x?x1x32xbf16> {
// CHECK-NEXT: %[[R:[^ ,:#]+]] = sessa.feedback_attention %[[F]], %[[QB]], %[[KB]], %[[GAMMA]] cache(%[[KB_PREV]], %[[S_PREV]]) : tensor<?x?x1x32xbf16>, tensor<?x?x1x64xbf16>, tensor<?x?x1x64xbf16>, tensor<?x?x1xbf16>, tensor<?x?x1x64xbf16>, tensor<?x?x1x32xbf16>
// CHECK-NEXT: return %[[R]] : tensor<?x?x1x32xbf16>
func.func @feedback_dynamic_b_t_p_bf16(%f: tensor<?x?x1x32xbf16>, %qb: tensor<?x?x1x64xbf16>, %kb: tensor<?x?x1x64xbf16>, %gamma: tensor<?x?x1xbf16>, %kb_prev: tensor<?x?x1x64xbf16>, %s_prev: tensor<?x?x1x32xbf16>) -> tensor<?x?x1x32xbf16> {
  %s = sessa.feedback_attention %f, %qb, %kb, %gamma cache(%kb_prev, %s_prev) : tensor<?x?x1x32xbf16>, tensor<?x?x1x64xbf16>, tensor<?x?x1x64xbf16>, tensor<?x?x1xbf16>, tensor<?x?x1x64xbf16>, tensor<?x?x1x32xbf16>
  return %s : tensor<?x?x1x32xbf16>
}

// CHECK-LABEL: func.func @scan_f32(
// CHECK-SAME: %[[U:[^ ,:#]+]]: tensor<2x32x64xf32>, %[[DELTA:[^ ,:#]+]]: tensor<2x32x64xf32>, %[[A:[^ ,:#]+]]: tensor<64x16xf32>, %[[B:[^ ,:#]+]]: tensor<2x32x1x16xf32>, %[[C:[^ ,:#]+]]: tensor<2x32x1x16xf32>) -> (tensor<2x32x64xf32>, tensor<2x64x16xf32>) {
// CHECK-NEXT: %[[Y:[^ ,:#]+]], %[[H:[^ ,:#]+]] = sessa.selective_scan %[[U]], %[[DELTA]], %[[A]], %[[B]], %[[C]] : tensor<2x32x64xf32>, tensor<2x32x64xf32>, tensor<64x16xf32>, tensor<2x32x1x16xf32>, tensor<2x32x1x16xf32> -> tensor<2x32x64xf32>, tensor<2x64x16xf32>
// CHECK-NEXT: return %[[Y]], %[[H]] : tensor<2x32x64xf32>, tensor<2x64x16xf32>
func.func @scan_f32(%u: tensor<2x32x64xf32>, %delta: tensor<2x32x64xf32>, %A: tensor<64x16xf32>, %B: tensor<2x32x1x16xf32>, %C: tensor<2x32x1x16xf32>) -> (tensor<2x32x64xf32>, tensor<2x64x16xf32>) {
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C : tensor<2x32x64xf32>, tensor<2x32x64xf32>, tensor<64x16xf32>, tensor<2x32x1x16xf32>, tensor<2x32x1x16xf32> -> tensor<2x32x64xf32>, tensor<2x64x16xf32>
  return %y, %h : tensor<2x32x64xf32>, tensor<2x64x16xf32>
}

// CHECK-LABEL: func.func @scan_D(
// CHECK-SAME: %[[U:[^ ,:#]+]]: tensor<2x32x64xf32>, %[[DELTA:[^ ,:#]+]]: tensor<2x32x64xf32>, %[[A:[^ ,:#]+]]: tensor<64x16xf32>, %[[B:[^ ,:#]+]]: tensor<2x32x1x16xf32>, %[[C:[^ ,:#]+]]: tensor<2x32x1x16xf32>, %[[D:[^ ,:#]+]]: tensor<64xf32>) -> (tensor<2x32x64xf32>, tensor<2x64x16xf32>) {
// CHECK-NEXT: %[[Y:[^ ,:#]+]], %[[H:[^ ,:#]+]] = sessa.selective_scan %[[U]], %[[DELTA]], %[[A]], %[[B]], %[[C]] D(%[[D]] : tensor<64xf32>) : tensor<2x32x64xf32>, tensor<2x32x64xf32>, tensor<64x16xf32>, tensor<2x32x1x16xf32>, tensor<2x32x1x16xf32> -> tensor<2x32x64xf32>, tensor<2x64x16xf32>
// CHECK-NEXT: return %[[Y]], %[[H]] : tensor<2x32x64xf32>, tensor<2x64x16xf32>
func.func @scan_D(%u: tensor<2x32x64xf32>, %delta: tensor<2x32x64xf32>, %A: tensor<64x16xf32>, %B: tensor<2x32x1x16xf32>, %C: tensor<2x32x1x16xf32>, %D: tensor<64xf32>) -> (tensor<2x32x64xf32>, tensor<2x64x16xf32>) {
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C D(%D : tensor<64xf32>) : tensor<2x32x64xf32>, tensor<2x32x64xf32>, tensor<64x16xf32>, tensor<2x32x1x16xf32>, tensor<2x32x1x16xf32> -> tensor<2x32x64xf32>, tensor<2x64x16xf32>
  return %y, %h : tensor<2x32x64xf32>, tensor<2x64x16xf32>
}

// CHECK-LABEL: func.func @scan_D_z(
// CHECK-SAME: %[[U:[^ ,:#]+]]: tensor<2x32x64xf32>, %[[DELTA:[^ ,:#]+]]: tensor<2x32x64xf32>, %[[A:[^ ,:#]+]]: tensor<64x16xf32>, %[[B:[^ ,:#]+]]: tensor<2x32x1x16xf32>, %[[C:[^ ,:#]+]]: tensor<2x32x1x16xf32>, %[[D:[^ ,:#]+]]: tensor<64xf32>, %[[Z:[^ ,:#]+]]: tensor<2x32x64xf32>) -> (tensor<2x32x64xf32>, tensor<2x64x16xf32>) {
// CHECK-NEXT: %[[Y:[^ ,:#]+]], %[[H:[^ ,:#]+]] = sessa.selective_scan %[[U]], %[[DELTA]], %[[A]], %[[B]], %[[C]] D(%[[D]] : tensor<64xf32>) z(%[[Z]] : tensor<2x32x64xf32>) : tensor<2x32x64xf32>, tensor<2x32x64xf32>, tensor<64x16xf32>, tensor<2x32x1x16xf32>, tensor<2x32x1x16xf32> -> tensor<2x32x64xf32>, tensor<2x64x16xf32>
// CHECK-NEXT: return %[[Y]], %[[H]] : tensor<2x32x64xf32>, tensor<2x64x16xf32>
func.func @scan_D_z(%u: tensor<2x32x64xf32>, %delta: tensor<2x32x64xf32>, %A: tensor<64x16xf32>, %B: tensor<2x32x1x16xf32>, %C: tensor<2x32x1x16xf32>, %D: tensor<64xf32>, %z: tensor<2x32x64xf32>) -> (tensor<2x32x64xf32>, tensor<2x64x16xf32>) {
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C D(%D : tensor<64xf32>) z(%z : tensor<2x32x64xf32>) : tensor<2x32x64xf32>, tensor<2x32x64xf32>, tensor<64x16xf32>, tensor<2x32x1x16xf32>, tensor<2x32x1x16xf32> -> tensor<2x32x64xf32>, tensor<2x64x16xf32>
  return %y, %h : tensor<2x32x64xf32>, tensor<2x64x16xf32>
}

// CHECK-LABEL: func.func @scan_D_z_delta_bias(
// CHECK-SAME: %[[U:[^ ,:#]+]]: tensor<2x32x64xf32>, %[[DELTA:[^ ,:#]+]]: tensor<2x32x64xf32>, %[[A:[^ ,:#]+]]: tensor<64x16xf32>, %[[B:[^ ,:#]+]]: tensor<2x32x1x16xf32>, %[[C:[^ ,:#]+]]: tensor<2x32x1x16xf32>, %[[D:[^ ,:#]+]]: tensor<64xf32>, %[[Z:[^ ,:#]+]]: tensor<2x32x64xf32>, %[[DBIAS:[^ ,:#]+]]: tensor<64xf32>) -> (tensor<2x32x64xf32>, tensor<2x64x16xf32>) {
// CHECK-NEXT: %[[Y:[^ ,:#]+]], %[[H:[^ ,:#]+]] = sessa.selective_scan %[[U]], %[[DELTA]], %[[A]], %[[B]], %[[C]] D(%[[D]] : tensor<64xf32>) z(%[[Z]] : tensor<2x32x64xf32>) delta_bias(%[[DBIAS]] : tensor<64xf32>) : tensor<2x32x64xf32>, tensor<2x32x64xf32>, tensor<64x16xf32>, tensor<2x32x1x16xf32>, tensor<2x32x1x16xf32> -> tensor<2x32x64xf32>, tensor<2x64x16xf32>
// CHECK-NEXT: return %[[Y]], %[[H]] : tensor<2x32x64xf32>, tensor<2x64x16xf32>
func.func @scan_D_z_delta_bias(%u: tensor<2x32x64xf32>, %delta: tensor<2x32x64xf32>, %A: tensor<64x16xf32>, %B: tensor<2x32x1x16xf32>, %C: tensor<2x32x1x16xf32>, %D: tensor<64xf32>, %z: tensor<2x32x64xf32>, %dbias: tensor<64xf32>) -> (tensor<2x32x64xf32>, tensor<2x64x16xf32>) {
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C D(%D : tensor<64xf32>) z(%z : tensor<2x32x64xf32>) delta_bias(%dbias : tensor<64xf32>) : tensor<2x32x64xf32>, tensor<2x32x64xf32>, tensor<64x16xf32>, tensor<2x32x1x16xf32>, tensor<2x32x1x16xf32> -> tensor<2x32x64xf32>, tensor<2x64x16xf32>
  return %y, %h : tensor<2x32x64xf32>, tensor<2x64x16xf32>
}

// CHECK-LABEL: func.func @scan_softplus(
// CHECK-SAME: %[[U:[^ ,:#]+]]: tensor<2x32x64xf32>, %[[DELTA:[^ ,:#]+]]: tensor<2x32x64xf32>, %[[A:[^ ,:#]+]]: tensor<64x16xf32>, %[[B:[^ ,:#]+]]: tensor<2x32x1x16xf32>, %[[C:[^ ,:#]+]]: tensor<2x32x1x16xf32>) -> (tensor<2x32x64xf32>, tensor<2x64x16xf32>) {
// CHECK-NEXT: %[[Y:[^ ,:#]+]], %[[H:[^ ,:#]+]] = sessa.selective_scan %[[U]], %[[DELTA]], %[[A]], %[[B]], %[[C]] {delta_softplus} : tensor<2x32x64xf32>, tensor<2x32x64xf32>, tensor<64x16xf32>, tensor<2x32x1x16xf32>, tensor<2x32x1x16xf32> -> tensor<2x32x64xf32>, tensor<2x64x16xf32>
// CHECK-NEXT: return %[[Y]], %[[H]] : tensor<2x32x64xf32>, tensor<2x64x16xf32>
func.func @scan_softplus(%u: tensor<2x32x64xf32>, %delta: tensor<2x32x64xf32>, %A: tensor<64x16xf32>, %B: tensor<2x32x1x16xf32>, %C: tensor<2x32x1x16xf32>) -> (tensor<2x32x64xf32>, tensor<2x64x16xf32>) {
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C {delta_softplus} : tensor<2x32x64xf32>, tensor<2x32x64xf32>, tensor<64x16xf32>, tensor<2x32x1x16xf32>, tensor<2x32x1x16xf32> -> tensor<2x32x64xf32>, tensor<2x64x16xf32>
  return %y, %h : tensor<2x32x64xf32>, tensor<2x64x16xf32>
}

// CHECK-LABEL: func.func @scan_all_groups(
// CHECK-SAME: %[[U:[^ ,:#]+]]: tensor<2x32x64xf32>, %[[DELTA:[^ ,:#]+]]: tensor<2x32x64xf32>, %[[A:[^ ,:#]+]]: tensor<64x16xf32>, %[[B:[^ ,:#]+]]: tensor<2x32x4x16xf32>, %[[C:[^ ,:#]+]]: tensor<2x32x4x16xf32>, %[[D:[^ ,:#]+]]: tensor<64xf32>, %[[Z:[^ ,:#]+]]: tensor<2x32x64xf32>, %[[DBIAS:[^ ,:#]+]]: tensor<64xf32>, %[[H0:[^ ,:#]+]]: tensor<2x64x16xf32>) -> (tensor<2x32x64xf32>, tensor<2x64x16xf32>) {
// CHECK-NEXT: %[[Y:[^ ,:#]+]], %[[H:[^ ,:#]+]] = sessa.selective_scan %[[U]], %[[DELTA]], %[[A]], %[[B]], %[[C]] D(%[[D]] : tensor<64xf32>) z(%[[Z]] : tensor<2x32x64xf32>) delta_bias(%[[DBIAS]] : tensor<64xf32>) h0(%[[H0]] : tensor<2x64x16xf32>) {delta_softplus} : tensor<2x32x64xf32>, tensor<2x32x64xf32>, tensor<64x16xf32>, tensor<2x32x4x16xf32>, tensor<2x32x4x16xf32> -> tensor<2x32x64xf32>, tensor<2x64x16xf32>
// CHECK-NEXT: return %[[Y]], %[[H]] : tensor<2x32x64xf32>, tensor<2x64x16xf32>
func.func @scan_all_groups(%u: tensor<2x32x64xf32>, %delta: tensor<2x32x64xf32>, %A: tensor<64x16xf32>, %B: tensor<2x32x4x16xf32>, %C: tensor<2x32x4x16xf32>, %D: tensor<64xf32>, %z: tensor<2x32x64xf32>, %dbias: tensor<64xf32>, %h0: tensor<2x64x16xf32>) -> (tensor<2x32x64xf32>, tensor<2x64x16xf32>) {
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C D(%D : tensor<64xf32>) z(%z : tensor<2x32x64xf32>) delta_bias(%dbias : tensor<64xf32>) h0(%h0 : tensor<2x64x16xf32>) {delta_softplus} : tensor<2x32x64xf32>, tensor<2x32x64xf32>, tensor<64x16xf32>, tensor<2x32x4x16xf32>, tensor<2x32x4x16xf32> -> tensor<2x32x64xf32>, tensor<2x64x16xf32>
  return %y, %h : tensor<2x32x64xf32>, tensor<2x64x16xf32>
}

// CHECK-LABEL: func.func @scan_D_z_softplus_dynamic_f16(
// CHECK-SAME: %[[U:[^ ,:#]+]]: tensor<2x?x64xf16>, %[[DELTA:[^ ,:#]+]]: tensor<2x?x64xf16>, %[[A:[^ ,:#]+]]: tensor<64x16xf16>, %[[B:[^ ,:#]+]]: tensor<2x?x1x16xf16>, %[[C:[^ ,:#]+]]: tensor<2x?x1x16xf16>, %[[D:[^ ,:#]+]]: tensor<64xf16>, %[[Z:[^ ,:#]+]]: tensor<2x?x64xf16>) -> (tensor<2x?x64xf16>, tensor<2x64x16xf16>) {
// CHECK-NEXT: %[[Y:[^ ,:#]+]], %[[H:[^ ,:#]+]] = sessa.selective_scan %[[U]], %[[DELTA]], %[[A]], %[[B]], %[[C]] D(%[[D]] : tensor<64xf16>) z(%[[Z]] : tensor<2x?x64xf16>) {delta_softplus} : tensor<2x?x64xf16>, tensor<2x?x64xf16>, tensor<64x16xf16>, tensor<2x?x1x16xf16>, tensor<2x?x1x16xf16> -> tensor<2x?x64xf16>, tensor<2x64x16xf16>
// CHECK-NEXT: return %[[Y]], %[[H]] : tensor<2x?x64xf16>, tensor<2x64x16xf16>
func.func @scan_D_z_softplus_dynamic_f16(%u: tensor<2x?x64xf16>, %delta: tensor<2x?x64xf16>, %A: tensor<64x16xf16>, %B: tensor<2x?x1x16xf16>, %C: tensor<2x?x1x16xf16>, %D: tensor<64xf16>, %z: tensor<2x?x64xf16>) -> (tensor<2x?x64xf16>, tensor<2x64x16xf16>) {
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C D(%D : tensor<64xf16>) z(%z : tensor<2x?x64xf16>) {delta_softplus} : tensor<2x?x64xf16>, tensor<2x?x64xf16>, tensor<64x16xf16>, tensor<2x?x1x16xf16>, tensor<2x?x1x16xf16> -> tensor<2x?x64xf16>, tensor<2x64x16xf16>
  return %y, %h : tensor<2x?x64xf16>, tensor<2x64x16xf16>
}

// CHECK-LABEL: func.func @scan_dynamic_b_t_bf16_D(
// CHECK-SAME: %[[U:[^ ,:#]+]]: tensor<?x?x32xbf16>, %[[DELTA:[^ ,:#]+]]: tensor<?x?x32xbf16>, %[[A:[^ ,:#]+]]: tensor<32x8xbf16>, %[[B:[^ ,:#]+]]: tensor<?x?x2x8xbf16>, %[[C:[^ ,:#]+]]: tensor<?x?x2x8xbf16>, %[[D:[^ ,:#]+]]: tensor<32xbf16>) -> (tensor<?x?x32xbf16>, tensor<?x32x8xbf16>) {
// CHECK-NEXT: %[[Y:[^ ,:#]+]], %[[H:[^ ,:#]+]] = sessa.selective_scan %[[U]], %[[DELTA]], %[[A]], %[[B]], %[[C]] D(%[[D]] : tensor<32xbf16>) : tensor<?x?x32xbf16>, tensor<?x?x32xbf16>, tensor<32x8xbf16>, tensor<?x?x2x8xbf16>, tensor<?x?x2x8xbf16> -> tensor<?x?x32xbf16>, tensor<?x32x8xbf16>
// CHECK-NEXT: return %[[Y]], %[[H]] : tensor<?x?x32xbf16>, tensor<?x32x8xbf16>
func.func @scan_dynamic_b_t_bf16_D(%u: tensor<?x?x32xbf16>, %delta: tensor<?x?x32xbf16>, %A: tensor<32x8xbf16>, %B: tensor<?x?x2x8xbf16>, %C: tensor<?x?x2x8xbf16>, %D: tensor<32xbf16>) -> (tensor<?x?x32xbf16>, tensor<?x32x8xbf16>) {
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C D(%D : tensor<32xbf16>) : tensor<?x?x32xbf16>, tensor<?x?x32xbf16>, tensor<32x8xbf16>, tensor<?x?x2x8xbf16>, tensor<?x?x2x8xbf16> -> tensor<?x?x32xbf16>, tensor<?x32x8xbf16>
  return %y, %h : tensor<?x?x32xbf16>, tensor<?x32x8xbf16>
}

// CHECK-LABEL: func.func @scan_groups_per_channel_f16(
// CHECK-SAME: %[[U:[^ ,:#]+]]: tensor<1x5x8xf16>, %[[DELTA:[^ ,:#]+]]: tensor<1x5x8xf16>, %[[A:[^ ,:#]+]]: tensor<8x4xf16>, %[[B:[^ ,:#]+]]: tensor<1x5x8x4xf16>, %[[C:[^ ,:#]+]]: tensor<1x5x8x4xf16>, %[[D:[^ ,:#]+]]: tensor<8xf16>, %[[Z:[^ ,:#]+]]: tensor<1x5x8xf16>, %[[DBIAS:[^ ,:#]+]]: tensor<8xf16>, %[[H0:[^ ,:#]+]]: tensor<1x8x4xf16>) -> (tensor<1x5x8xf16>, tensor<1x8x4xf16>) {
// CHECK-NEXT: %[[Y:[^ ,:#]+]], %[[H:[^ ,:#]+]] = sessa.selective_scan %[[U]], %[[DELTA]], %[[A]], %[[B]], %[[C]] D(%[[D]] : tensor<8xf16>) z(%[[Z]] : tensor<1x5x8xf16>) delta_bias(%[[DBIAS]] : tensor<8xf16>) h0(%[[H0]] : tensor<1x8x4xf16>) : tensor<1x5x8xf16>, tensor<1x5x8xf16>, tensor<8x4xf16>, tensor<1x5x8x4xf16>, tensor<1x5x8x4xf16> -> tensor<1x5x8xf16>, tensor<1x8x4xf16>
// CHECK-NEXT: return %[[Y]], %[[H]] : tensor<1x5x8xf16>, tensor<1x8x4xf16>
func.func @scan_groups_per_channel_f16(%u: tensor<1x5x8xf16>, %delta: tensor<1x5x8xf16>, %A: tensor<8x4xf16>, %B: tensor<1x5x8x4xf16>, %C: tensor<1x5x8x4xf16>, %D: tensor<8xf16>, %z: tensor<1x5x8xf16>, %dbias: tensor<8xf16>, %h0: tensor<1x8x4xf16>) -> (tensor<1x5x8xf16>, tensor<1x8x4xf16>) {
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C D(%D : tensor<8xf16>) z(%z : tensor<1x5x8xf16>) delta_bias(%dbias : tensor<8xf16>) h0(%h0 : tensor<1x8x4xf16>) : tensor<1x5x8xf16>, tensor<1x5x8xf16>, tensor<8x4xf16>, tensor<1x5x8x4xf16>, tensor<1x5x8x4xf16> -> tensor<1x5x8xf16>, tensor<1x8x4xf16>
  return %y, %h : tensor<1x5x8xf16>, tensor<1x8x4xf16>
}

// CHECK-LABEL: func.func @layer_single_head_f32(
// CHECK-SAME: %[[X:[^ ,:#]+]]: tensor<2x16x32xf32>, %[[LN_W:[^ ,:#]+]]: tensor<32xf32>, %[[LN_B:[^ ,:#]+]]: tensor<32xf32>, %[[W_IN:[^ ,:#]+]]: tensor<64x32xf32>, %[[W_Q:[^ ,:#]+]]: tensor<32x32xf32>, %[[W_K:[^ ,:#]+]]: tensor<32x32xf32>, %[[W_V:[^ ,:#]+]]: tensor<32x32xf32>, %[[W_FB:[^ ,:#]+]]: tensor<64x32xf32>, %[[G_CTX:[^ ,:#]+]]: tensor<1x32xf32>, %[[G_BIAS:[^ ,:#]+]]: tensor<1xf32>, %[[W_OUT:[^ ,:#]+]]: tensor<32x32xf32>) -> tensor<2x16x32xf32> {
// CHECK-NEXT: %[[Y:[^ ,:#]+]] = sessa.layer %[[X]] norm(%[[LN_W]], %[[LN_B]]) in_proj(%[[W_IN]]) q_proj(%[[W_Q]]) k_proj(%[[W_K]]) v_proj(%[[W_V]]) fb_proj(%[[W_FB]]) gate(%[[G_CTX]], %[[G_BIAS]]) out(%[[W_OUT]]) {num_heads = 1 : i64, num_kv_heads = 1 : i64} : (tensor<2x16x32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<64x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<64x32xf32>, tensor<1x32xf32>, tensor<1xf32>, tensor<32x32xf32>) -> tensor<2x16x32xf32>
// CHECK-NEXT: return %[[Y]] : tensor<2x16x32xf32>
func.func @layer_single_head_f32(%x: tensor<2x16x32xf32>, %ln_w: tensor<32xf32>, %ln_b: tensor<32xf32>, %w_in: tensor<64x32xf32>, %w_q: tensor<32x32xf32>, %w_k: tensor<32x32xf32>, %w_v: tensor<32x32xf32>, %w_fb: tensor<64x32xf32>, %g_ctx: tensor<1x32xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<32x32xf32>) -> tensor<2x16x32xf32> {
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) gate(%g_ctx, %g_bias) out(%w_out) {num_heads = 1, num_kv_heads = 1} : (tensor<2x16x32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<64x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<64x32xf32>, tensor<1x32xf32>, tensor<1xf32>, tensor<32x32xf32>) -> tensor<2x16x32xf32>
  return %y : tensor<2x16x32xf32>
}

// CHECK-LABEL: func.func @layer_multihead_out_proj(
// CHECK-SAME: %[[X:[^ ,:#]+]]: tensor<2x16x32xf32>, %[[LN_W:[^ ,:#]+]]: tensor<32xf32>, %[[LN_B:[^ ,:#]+]]: tensor<32xf32>, %[[W_IN:[^ ,:#]+]]: tensor<64x32xf32>, %[[W_Q:[^ ,:#]+]]: tensor<32x32xf32>, %[[W_K:[^ ,:#]+]]: tensor<32x32xf32>, %[[W_V:[^ ,:#]+]]: tensor<32x32xf32>, %[[W_FB:[^ ,:#]+]]: tensor<64x32xf32>, %[[W_O:[^ ,:#]+]]: tensor<32x32xf32>, %[[G_CTX:[^ ,:#]+]]: tensor<1x32xf32>, %[[G_BIAS:[^ ,:#]+]]: tensor<1xf32>, %[[W_OUT:[^ ,:#]+]]: tensor<32x32xf32>) -> tensor<2x16x32xf32> {
// CHECK-NEXT: %[[Y:[^ ,:#]+]] = sessa.layer %[[X]] norm(%[[LN_W]], %[[LN_B]]) in_proj(%[[W_IN]]) q_proj(%[[W_Q]]) k_proj(%[[W_K]]) v_proj(%[[W_V]]) fb_proj(%[[W_FB]]) out_proj(%[[W_O]]) gate(%[[G_CTX]], %[[G_BIAS]]) out(%[[W_OUT]]) {num_heads = 4 : i64, num_kv_heads = 4 : i64} : (tensor<2x16x32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<64x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<64x32xf32>, tensor<32x32xf32>, tensor<1x32xf32>, tensor<1xf32>, tensor<32x32xf32>) -> tensor<2x16x32xf32>
// CHECK-NEXT: return %[[Y]] : tensor<2x16x32xf32>
func.func @layer_multihead_out_proj(%x: tensor<2x16x32xf32>, %ln_w: tensor<32xf32>, %ln_b: tensor<32xf32>, %w_in: tensor<64x32xf32>, %w_q: tensor<32x32xf32>, %w_k: tensor<32x32xf32>, %w_v: tensor<32x32xf32>, %w_fb: tensor<64x32xf32>, %w_o: tensor<32x32xf32>, %g_ctx: tensor<1x32xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<32x32xf32>) -> tensor<2x16x32xf32> {
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) {num_heads = 4, num_kv_heads = 4} : (tensor<2x16x32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<64x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<64x32xf32>, tensor<32x32xf32>, tensor<1x32xf32>, tensor<1xf32>, tensor<32x32xf32>) -> tensor<2x16x32xf32>
  return %y : tensor<2x16x32xf32>
}

// CHECK-LABEL: func.func @layer_gqa_all_biases(
// CHECK-SAME: %[[X:[^ ,:#]+]]: tensor<2x16x32xf32>, %[[LN_W:[^ ,:#]+]]: tensor<32xf32>, %[[LN_B:[^ ,:#]+]]: tensor<32xf32>, %[[W_IN:[^ ,:#]+]]: tensor<64x32xf32>, %[[B_IN:[^ ,:#]+]]: tensor<64xf32>, %[[W_Q:[^ ,:#]+]]: tensor<32x32xf32>, %[[B_Q:[^ ,:#]+]]: tensor<32xf32>, %[[W_K:[^ ,:#]+]]: tensor<16x32xf32>, %[[B_K:[^ ,:#]+]]: tensor<16xf32>, %[[W_V:[^ ,:#]+]]: tensor<16x32xf32>, %[[B_V:[^ ,:#]+]]: tensor<16xf32>, %[[W_FB:[^ ,:#]+]]: tensor<64x32xf32>, %[[B_FB:[^ ,:#]+]]: tensor<64xf32>, %[[W_O:[^ ,:#]+]]: tensor<32x32xf32>, %[[G_CTX:[^ ,:#]+]]: tensor<1x32xf32>, %[[G_BIAS:[^ ,:#]+]]: tensor<1xf32>, %[[W_OUT:[^ ,:#]+]]: tensor<32x32xf32>, %[[B_OUT:[^ ,:#]+]]: tensor<32xf32>) -> tensor<2x16x32xf32> {
// CHECK-NEXT: %[[Y:[^ ,:#]+]] = sessa.layer %[[X]] norm(%[[LN_W]], %[[LN_B]]) in_proj(%[[W_IN]], %[[B_IN]]) q_proj(%[[W_Q]], %[[B_Q]]) k_proj(%[[W_K]], %[[B_K]]) v_proj(%[[W_V]], %[[B_V]]) fb_proj(%[[W_FB]], %[[B_FB]]) out_proj(%[[W_O]]) gate(%[[G_CTX]], %[[G_BIAS]]) out(%[[W_OUT]], %[[B_OUT]]) {num_heads = 4 : i64, num_kv_heads = 2 : i64} : (tensor<2x16x32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<64x32xf32>, tensor<64xf32>, tensor<32x32xf32>, tensor<32xf32>, tensor<16x32xf32>, tensor<16xf32>, tensor<16x32xf32>, tensor<16xf32>, tensor<64x32xf32>, tensor<64xf32>, tensor<32x32xf32>, tensor<1x32xf32>, tensor<1xf32>, tensor<32x32xf32>, tensor<32xf32>) -> tensor<2x16x32xf32>
// CHECK-NEXT: return %[[Y]] : tensor<2x16x32xf32>
func.func @layer_gqa_all_biases(%x: tensor<2x16x32xf32>, %ln_w: tensor<32xf32>, %ln_b: tensor<32xf32>, %w_in: tensor<64x32xf32>, %b_in: tensor<64xf32>, %w_q: tensor<32x32xf32>, %b_q: tensor<32xf32>, %w_k: tensor<16x32xf32>, %b_k: tensor<16xf32>, %w_v: tensor<16x32xf32>, %b_v: tensor<16xf32>, %w_fb: tensor<64x32xf32>, %b_fb: tensor<64xf32>, %w_o: tensor<32x32xf32>, %g_ctx: tensor<1x32xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<32x32xf32>, %b_out: tensor<32xf32>) -> tensor<2x16x32xf32> {
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in, %b_in) q_proj(%w_q, %b_q) k_proj(%w_k, %b_k) v_proj(%w_v, %b_v) fb_proj(%w_fb, %b_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out, %b_out) {num_heads = 4, num_kv_heads = 2} : (tensor<2x16x32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<64x32xf32>, tensor<64xf32>, tensor<32x32xf32>, tensor<32xf32>, tensor<16x32xf32>, tensor<16xf32>, tensor<16x32xf32>, tensor<16xf32>, tensor<64x32xf32>, tensor<64xf32>, tensor<32x32xf32>, tensor<1x32xf32>, tensor<1xf32>, tensor<32x32xf32>, tensor<32xf32>) -> tensor<2x16x32xf32>
  return %y : tensor<2x16x32xf32>
}

// CHECK-LABEL: func.func @layer_bias_in_only(
// CHECK-SAME: %[[X:[^ ,:#]+]]: tensor<1x8x16xf32>, %[[LN_W:[^ ,:#]+]]: tensor<16xf32>, %[[LN_B:[^ ,:#]+]]: tensor<16xf32>, %[[W_IN:[^ ,:#]+]]: tensor<32x16xf32>, %[[B_IN:[^ ,:#]+]]: tensor<32xf32>, %[[W_Q:[^ ,:#]+]]: tensor<16x16xf32>, %[[W_K:[^ ,:#]+]]: tensor<8x16xf32>, %[[W_V:[^ ,:#]+]]: tensor<8x16xf32>, %[[W_FB:[^ ,:#]+]]: tensor<32x16xf32>, %[[W_O:[^ ,:#]+]]: tensor<16x16xf32>, %[[G_CTX:[^ ,:#]+]]: tensor<1x16xf32>, %[[G_BIAS:[^ ,:#]+]]: tensor<1xf32>, %[[W_OUT:[^ ,:#]+]]: tensor<16x16xf32>) -> tensor<1x8x16xf32> {
// CHECK-NEXT: %[[Y:[^ ,:#]+]] = sessa.layer %[[X]] norm(%[[LN_W]], %[[LN_B]]) in_proj(%[[W_IN]], %[[B_IN]]) q_proj(%[[W_Q]]) k_proj(%[[W_K]]) v_proj(%[[W_V]]) fb_proj(%[[W_FB]]) out_proj(%[[W_O]]) gate(%[[G_CTX]], %[[G_BIAS]]) out(%[[W_OUT]]) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<1x8x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32x16xf32>, tensor<32xf32>, tensor<16x16xf32>, tensor<8x16xf32>, tensor<8x16xf32>, tensor<32x16xf32>, tensor<16x16xf32>, tensor<1x16xf32>, tensor<1xf32>, tensor<16x16xf32>) -> tensor<1x8x16xf32>
// CHECK-NEXT: return %[[Y]] : tensor<1x8x16xf32>
func.func @layer_bias_in_only(%x: tensor<1x8x16xf32>, %ln_w: tensor<16xf32>, %ln_b: tensor<16xf32>, %w_in: tensor<32x16xf32>, %b_in: tensor<32xf32>, %w_q: tensor<16x16xf32>, %w_k: tensor<8x16xf32>, %w_v: tensor<8x16xf32>, %w_fb: tensor<32x16xf32>, %w_o: tensor<16x16xf32>, %g_ctx: tensor<1x16xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<16x16xf32>) -> tensor<1x8x16xf32> {
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in, %b_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) {num_heads = 2, num_kv_heads = 1} : (tensor<1x8x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32x16xf32>, tensor<32xf32>, tensor<16x16xf32>, tensor<8x16xf32>, tensor<8x16xf32>, tensor<32x16xf32>, tensor<16x16xf32>, tensor<1x16xf32>, tensor<1xf32>, tensor<16x16xf32>) -> tensor<1x8x16xf32>
  return %y : tensor<1x8x16xf32>
}

// CHECK-LABEL: func.func @layer_bias_q_only(
// CHECK-SAME: %[[X:[^ ,:#]+]]: tensor<1x8x16xf32>, %[[LN_W:[^ ,:#]+]]: tensor<16xf32>, %[[LN_B:[^ ,:#]+]]: tensor<16xf32>, %[[W_IN:[^ ,:#]+]]: tensor<32x16xf32>, %[[W_Q:[^ ,:#]+]]: tensor<16x16xf32>, %[[B_Q:[^ ,:#]+]]: tensor<16xf32>, %[[W_K:[^ ,:#]+]]: tensor<8x16xf32>, %[[W_V:[^ ,:#]+]]: tensor<8x16xf32>, %[[W_FB:[^ ,:#]+]]: tensor<32x16xf32>, %[[W_O:[^ ,:#]+]]: tensor<16x16xf32>, %[[G_CTX:[^ ,:#]+]]: tensor<1x16xf32>, %[[G_BIAS:[^ ,:#]+]]: tensor<1xf32>, %[[W_OUT:[^ ,:#]+]]: tensor<16x16xf32>) -> tensor<1x8x16xf32> {
// CHECK-NEXT: %[[Y:[^ ,:#]+]] = sessa.layer %[[X]] norm(%[[LN_W]], %[[LN_B]]) in_proj(%[[W_IN]]) q_proj(%[[W_Q]], %[[B_Q]]) k_proj(%[[W_K]]) v_proj(%[[W_V]]) fb_proj(%[[W_FB]]) out_proj(%[[W_O]]) gate(%[[G_CTX]], %[[G_BIAS]]) out(%[[W_OUT]]) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<1x8x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32x16xf32>, tensor<16x16xf32>, tensor<16xf32>, tensor<8x16xf32>, tensor<8x16xf32>, tensor<32x16xf32>, tensor<16x16xf32>, tensor<1x16xf32>, tensor<1xf32>, tensor<16x16xf32>) -> tensor<1x8x16xf32>
// CHECK-NEXT: return %[[Y]] : tensor<1x8x16xf32>
func.func @layer_bias_q_only(%x: tensor<1x8x16xf32>, %ln_w: tensor<16xf32>, %ln_b: tensor<16xf32>, %w_in: tensor<32x16xf32>, %w_q: tensor<16x16xf32>, %b_q: tensor<16xf32>, %w_k: tensor<8x16xf32>, %w_v: tensor<8x16xf32>, %w_fb: tensor<32x16xf32>, %w_o: tensor<16x16xf32>, %g_ctx: tensor<1x16xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<16x16xf32>) -> tensor<1x8x16xf32> {
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q, %b_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) {num_heads = 2, num_kv_heads = 1} : (tensor<1x8x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32x16xf32>, tensor<16x16xf32>, tensor<16xf32>, tensor<8x16xf32>, tensor<8x16xf32>, tensor<32x16xf32>, tensor<16x16xf32>, tensor<1x16xf32>, tensor<1xf32>, tensor<16x16xf32>) -> tensor<1x8x16xf32>
  return %y : tensor<1x8x16xf32>
}

// CHECK-LABEL: func.func @layer_bias_k_only(
// CHECK-SAME: %[[X:[^ ,:#]+]]: tensor<1x8x16xf32>, %[[LN_W:[^ ,:#]+]]: tensor<16xf32>, %[[LN_B:[^ ,:#]+]]: tensor<16xf32>, %[[W_IN:[^ ,:#]+]]: tensor<32x16xf32>, %[[W_Q:[^ ,:#]+]]: tensor<16x16xf32>, %[[W_K:[^ ,:#]+]]: tensor<8x16xf32>, %[[B_K:[^ ,:#]+]]: tensor<8xf32>, %[[W_V:[^ ,:#]+]]: tensor<8x16xf32>, %[[W_FB:[^ ,:#]+]]: tensor<32x16xf32>, %[[W_O:[^ ,:#]+]]: tensor<16x16xf32>, %[[G_CTX:[^ ,:#]+]]: tensor<1x16xf32>, %[[G_BIAS:[^ ,:#]+]]: tensor<1xf32>, %[[W_OUT:[^ ,:#]+]]: tensor<16x16xf32>) -> tensor<1x8x16xf32> {
// CHECK-NEXT: %[[Y:[^ ,:#]+]] = sessa.layer %[[X]] norm(%[[LN_W]], %[[LN_B]]) in_proj(%[[W_IN]]) q_proj(%[[W_Q]]) k_proj(%[[W_K]], %[[B_K]]) v_proj(%[[W_V]]) fb_proj(%[[W_FB]]) out_proj(%[[W_O]]) gate(%[[G_CTX]], %[[G_BIAS]]) out(%[[W_OUT]]) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<1x8x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32x16xf32>, tensor<16x16xf32>, tensor<8x16xf32>, tensor<8xf32>, tensor<8x16xf32>, tensor<32x16xf32>, tensor<16x16xf32>, tensor<1x16xf32>, tensor<1xf32>, tensor<16x16xf32>) -> tensor<1x8x16xf32>
// CHECK-NEXT: return %[[Y]] : tensor<1x8x16xf32>
func.func @layer_bias_k_only(%x: tensor<1x8x16xf32>, %ln_w: tensor<16xf32>, %ln_b: tensor<16xf32>, %w_in: tensor<32x16xf32>, %w_q: tensor<16x16xf32>, %w_k: tensor<8x16xf32>, %b_k: tensor<8xf32>, %w_v: tensor<8x16xf32>, %w_fb: tensor<32x16xf32>, %w_o: tensor<16x16xf32>, %g_ctx: tensor<1x16xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<16x16xf32>) -> tensor<1x8x16xf32> {
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k, %b_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) {num_heads = 2, num_kv_heads = 1} : (tensor<1x8x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32x16xf32>, tensor<16x16xf32>, tensor<8x16xf32>, tensor<8xf32>, tensor<8x16xf32>, tensor<32x16xf32>, tensor<16x16xf32>, tensor<1x16xf32>, tensor<1xf32>, tensor<16x16xf32>) -> tensor<1x8x16xf32>
  return %y : tensor<1x8x16xf32>
}

// CHECK-LABEL: func.func @layer_bias_v_only(
// CHECK-SAME: %[[X:[^ ,:#]+]]: tensor<1x8x16xf32>, %[[LN_W:[^ ,:#]+]]: tensor<16xf32>, %[[LN_B:[^ ,:#]+]]: tensor<16xf32>, %[[W_IN:[^ ,:#]+]]: tensor<32x16xf32>, %[[W_Q:[^ ,:#]+]]: tensor<16x16xf32>, %[[W_K:[^ ,:#]+]]: tensor<8x16xf32>, %[[W_V:[^ ,:#]+]]: tensor<8x16xf32>, %[[B_V:[^ ,:#]+]]: tensor<8xf32>, %[[W_FB:[^ ,:#]+]]: tensor<32x16xf32>, %[[W_O:[^ ,:#]+]]: tensor<16x16xf32>, %[[G_CTX:[^ ,:#]+]]: tensor<1x16xf32>, %[[G_BIAS:[^ ,:#]+]]: tensor<1xf32>, %[[W_OUT:[^ ,:#]+]]: tensor<16x16xf32>) -> tensor<1x8x16xf32> {
// CHECK-NEXT: %[[Y:[^ ,:#]+]] = sessa.layer %[[X]] norm(%[[LN_W]], %[[LN_B]]) in_proj(%[[W_IN]]) q_proj(%[[W_Q]]) k_proj(%[[W_K]]) v_proj(%[[W_V]], %[[B_V]]) fb_proj(%[[W_FB]]) out_proj(%[[W_O]]) gate(%[[G_CTX]], %[[G_BIAS]]) out(%[[W_OUT]]) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<1x8x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32x16xf32>, tensor<16x16xf32>, tensor<8x16xf32>, tensor<8x16xf32>, tensor<8xf32>, tensor<32x16xf32>, tensor<16x16xf32>, tensor<1x16xf32>, tensor<1xf32>, tensor<16x16xf32>) -> tensor<1x8x16xf32>
// CHECK-NEXT: return %[[Y]] : tensor<1x8x16xf32>
func.func @layer_bias_v_only(%x: tensor<1x8x16xf32>, %ln_w: tensor<16xf32>, %ln_b: tensor<16xf32>, %w_in: tensor<32x16xf32>, %w_q: tensor<16x16xf32>, %w_k: tensor<8x16xf32>, %w_v: tensor<8x16xf32>, %b_v: tensor<8xf32>, %w_fb: tensor<32x16xf32>, %w_o: tensor<16x16xf32>, %g_ctx: tensor<1x16xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<16x16xf32>) -> tensor<1x8x16xf32> {
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v, %b_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) {num_heads = 2, num_kv_heads = 1} : (tensor<1x8x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32x16xf32>, tensor<16x16xf32>, tensor<8x16xf32>, tensor<8x16xf32>, tensor<8xf32>, tensor<32x16xf32>, tensor<16x16xf32>, tensor<1x16xf32>, tensor<1xf32>, tensor<16x16xf32>) -> tensor<1x8x16xf32>
  return %y : tensor<1x8x16xf32>
}

// CHECK-LABEL: func.func @layer_bias_fb_only(
// CHECK-SAME: %[[X:[^ ,:#]+]]: tensor<1x8x16xf32>, %[[LN_W:[^ ,:#]+]]: tensor<16xf32>, %[[LN_B:[^ ,:#]+]]: tensor<16xf32>, %[[W_IN:[^ ,:#]+]]: tensor<32x16xf32>, %[[W_Q:[^ ,:#]+]]: tensor<16x16xf32>, %[[W_K:[^ ,:#]+]]: tensor<8x16xf32>, %[[W_V:[^ ,:#]+]]: tensor<8x16xf32>, %[[W_FB:[^ ,:#]+]]: tensor<32x16xf32>, %[[B_FB:[^ ,:#]+]]: tensor<32xf32>, %[[W_O:[^ ,:#]+]]: tensor<16x16xf32>, %[[G_CTX:[^ ,:#]+]]: tensor<1x16xf32>, %[[G_BIAS:[^ ,:#]+]]: tensor<1xf32>, %[[W_OUT:[^ ,:#]+]]: tensor<16x16xf32>) -> tensor<1x8x16xf32> {
// CHECK-NEXT: %[[Y:[^ ,:#]+]] = sessa.layer %[[X]] norm(%[[LN_W]], %[[LN_B]]) in_proj(%[[W_IN]]) q_proj(%[[W_Q]]) k_proj(%[[W_K]]) v_proj(%[[W_V]]) fb_proj(%[[W_FB]], %[[B_FB]]) out_proj(%[[W_O]]) gate(%[[G_CTX]], %[[G_BIAS]]) out(%[[W_OUT]]) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<1x8x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32x16xf32>, tensor<16x16xf32>, tensor<8x16xf32>, tensor<8x16xf32>, tensor<32x16xf32>, tensor<32xf32>, tensor<16x16xf32>, tensor<1x16xf32>, tensor<1xf32>, tensor<16x16xf32>) -> tensor<1x8x16xf32>
// CHECK-NEXT: return %[[Y]] : tensor<1x8x16xf32>
func.func @layer_bias_fb_only(%x: tensor<1x8x16xf32>, %ln_w: tensor<16xf32>, %ln_b: tensor<16xf32>, %w_in: tensor<32x16xf32>, %w_q: tensor<16x16xf32>, %w_k: tensor<8x16xf32>, %w_v: tensor<8x16xf32>, %w_fb: tensor<32x16xf32>, %b_fb: tensor<32xf32>, %w_o: tensor<16x16xf32>, %g_ctx: tensor<1x16xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<16x16xf32>) -> tensor<1x8x16xf32> {
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb, %b_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) {num_heads = 2, num_kv_heads = 1} : (tensor<1x8x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32x16xf32>, tensor<16x16xf32>, tensor<8x16xf32>, tensor<8x16xf32>, tensor<32x16xf32>, tensor<32xf32>, tensor<16x16xf32>, tensor<1x16xf32>, tensor<1xf32>, tensor<16x16xf32>) -> tensor<1x8x16xf32>
  return %y : tensor<1x8x16xf32>
}

// CHECK-LABEL: func.func @layer_bias_out_only(
// CHECK-SAME: %[[X:[^ ,:#]+]]: tensor<1x8x16xf32>, %[[LN_W:[^ ,:#]+]]: tensor<16xf32>, %[[LN_B:[^ ,:#]+]]: tensor<16xf32>, %[[W_IN:[^ ,:#]+]]: tensor<32x16xf32>, %[[W_Q:[^ ,:#]+]]: tensor<16x16xf32>, %[[W_K:[^ ,:#]+]]: tensor<8x16xf32>, %[[W_V:[^ ,:#]+]]: tensor<8x16xf32>, %[[W_FB:[^ ,:#]+]]: tensor<32x16xf32>, %[[W_O:[^ ,:#]+]]: tensor<16x16xf32>, %[[G_CTX:[^ ,:#]+]]: tensor<1x16xf32>, %[[G_BIAS:[^ ,:#]+]]: tensor<1xf32>, %[[W_OUT:[^ ,:#]+]]: tensor<16x16xf32>, %[[B_OUT:[^ ,:#]+]]: tensor<16xf32>) -> tensor<1x8x16xf32> {
// CHECK-NEXT: %[[Y:[^ ,:#]+]] = sessa.layer %[[X]] norm(%[[LN_W]], %[[LN_B]]) in_proj(%[[W_IN]]) q_proj(%[[W_Q]]) k_proj(%[[W_K]]) v_proj(%[[W_V]]) fb_proj(%[[W_FB]]) out_proj(%[[W_O]]) gate(%[[G_CTX]], %[[G_BIAS]]) out(%[[W_OUT]], %[[B_OUT]]) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<1x8x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32x16xf32>, tensor<16x16xf32>, tensor<8x16xf32>, tensor<8x16xf32>, tensor<32x16xf32>, tensor<16x16xf32>, tensor<1x16xf32>, tensor<1xf32>, tensor<16x16xf32>, tensor<16xf32>) -> tensor<1x8x16xf32>
// CHECK-NEXT: return %[[Y]] : tensor<1x8x16xf32>
func.func @layer_bias_out_only(%x: tensor<1x8x16xf32>, %ln_w: tensor<16xf32>, %ln_b: tensor<16xf32>, %w_in: tensor<32x16xf32>, %w_q: tensor<16x16xf32>, %w_k: tensor<8x16xf32>, %w_v: tensor<8x16xf32>, %w_fb: tensor<32x16xf32>, %w_o: tensor<16x16xf32>, %g_ctx: tensor<1x16xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<16x16xf32>, %b_out: tensor<16xf32>) -> tensor<1x8x16xf32> {
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out, %b_out) {num_heads = 2, num_kv_heads = 1} : (tensor<1x8x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32x16xf32>, tensor<16x16xf32>, tensor<8x16xf32>, tensor<8x16xf32>, tensor<32x16xf32>, tensor<16x16xf32>, tensor<1x16xf32>, tensor<1xf32>, tensor<16x16xf32>, tensor<16xf32>) -> tensor<1x8x16xf32>
  return %y : tensor<1x8x16xf32>
}

// CHECK-LABEL: func.func @layer_no_rope_odd_head_dim(
// CHECK-SAME: %[[X:[^ ,:#]+]]: tensor<1x8x12xf32>, %[[LN_W:[^ ,:#]+]]: tensor<12xf32>, %[[LN_B:[^ ,:#]+]]: tensor<12xf32>, %[[W_IN:[^ ,:#]+]]: tensor<24x12xf32>, %[[W_Q:[^ ,:#]+]]: tensor<12x12xf32>, %[[W_K:[^ ,:#]+]]: tensor<6x12xf32>, %[[W_V:[^ ,:#]+]]: tensor<6x12xf32>, %[[W_FB:[^ ,:#]+]]: tensor<24x12xf32>, %[[W_O:[^ ,:#]+]]: tensor<12x12xf32>, %[[G_CTX:[^ ,:#]+]]: tensor<1x12xf32>, %[[G_BIAS:[^ ,:#]+]]: tensor<1xf32>, %[[W_OUT:[^ ,:#]+]]: tensor<12x12xf32>) -> tensor<1x8x12xf32> {
// CHECK-NEXT: %[[Y:[^ ,:#]+]] = sessa.layer %[[X]] norm(%[[LN_W]], %[[LN_B]]) in_proj(%[[W_IN]]) q_proj(%[[W_Q]]) k_proj(%[[W_K]]) v_proj(%[[W_V]]) fb_proj(%[[W_FB]]) out_proj(%[[W_O]]) gate(%[[G_CTX]], %[[G_BIAS]]) out(%[[W_OUT]]) {num_heads = 4 : i64, num_kv_heads = 2 : i64, rope = false} : (tensor<1x8x12xf32>, tensor<12xf32>, tensor<12xf32>, tensor<24x12xf32>, tensor<12x12xf32>, tensor<6x12xf32>, tensor<6x12xf32>, tensor<24x12xf32>, tensor<12x12xf32>, tensor<1x12xf32>, tensor<1xf32>, tensor<12x12xf32>) -> tensor<1x8x12xf32>
// CHECK-NEXT: return %[[Y]] : tensor<1x8x12xf32>
func.func @layer_no_rope_odd_head_dim(%x: tensor<1x8x12xf32>, %ln_w: tensor<12xf32>, %ln_b: tensor<12xf32>, %w_in: tensor<24x12xf32>, %w_q: tensor<12x12xf32>, %w_k: tensor<6x12xf32>, %w_v: tensor<6x12xf32>, %w_fb: tensor<24x12xf32>, %w_o: tensor<12x12xf32>, %g_ctx: tensor<1x12xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<12x12xf32>) -> tensor<1x8x12xf32> {
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) {num_heads = 4, num_kv_heads = 2, rope = false} : (tensor<1x8x12xf32>, tensor<12xf32>, tensor<12xf32>, tensor<24x12xf32>, tensor<12x12xf32>, tensor<6x12xf32>, tensor<6x12xf32>, tensor<24x12xf32>, tensor<12x12xf32>, tensor<1x12xf32>, tensor<1xf32>, tensor<12x12xf32>) -> tensor<1x8x12xf32>
  return %y : tensor<1x8x12xf32>
}

// CHECK-LABEL: func.func @layer_custom_attrs(
// CHECK-SAME: %[[X:[^ ,:#]+]]: tensor<1x8x16xf32>, %[[LN_W:[^ ,:#]+]]: tensor<16xf32>, %[[LN_B:[^ ,:#]+]]: tensor<16xf32>, %[[W_IN:[^ ,:#]+]]: tensor<32x16xf32>, %[[W_Q:[^ ,:#]+]]: tensor<16x16xf32>, %[[W_K:[^ ,:#]+]]: tensor<16x16xf32>, %[[W_V:[^ ,:#]+]]: tensor<16x16xf32>, %[[W_FB:[^ ,:#]+]]: tensor<32x16xf32>, %[[W_O:[^ ,:#]+]]: tensor<16x16xf32>, %[[G_CTX:[^ ,:#]+]]: tensor<1x16xf32>, %[[G_BIAS:[^ ,:#]+]]: tensor<1xf32>, %[[W_OUT:[^ ,:#]+]]: tensor<16x16xf32>) -> tensor<1x8x16xf32> {
// CHECK-NEXT: %[[Y:[^ ,:#]+]] = sessa.layer %[[X]] norm(%[[LN_W]], %[[LN_B]]) in_proj(%[[W_IN]]) q_proj(%[[W_Q]]) k_proj(%[[W_K]]) v_proj(%[[W_V]]) fb_proj(%[[W_FB]]) out_proj(%[[W_O]]) gate(%[[G_CTX]], %[[G_BIAS]]) out(%[[W_OUT]]) {eps = 9.9999999999999995E-7 : f64, gamma_max = 5.000000e-01 : f64, num_heads = 2 : i64, num_kv_heads = 2 : i64, rope_base = 5.000000e+05 : f64} : (tensor<1x8x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32x16xf32>, tensor<16x16xf32>, tensor<16x16xf32>, tensor<16x16xf32>, tensor<32x16xf32>, tensor<16x16xf32>, tensor<1x16xf32>, tensor<1xf32>, tensor<16x16xf32>) -> tensor<1x8x16xf32>
// CHECK-NEXT: return %[[Y]] : tensor<1x8x16xf32>
func.func @layer_custom_attrs(%x: tensor<1x8x16xf32>, %ln_w: tensor<16xf32>, %ln_b: tensor<16xf32>, %w_in: tensor<32x16xf32>, %w_q: tensor<16x16xf32>, %w_k: tensor<16x16xf32>, %w_v: tensor<16x16xf32>, %w_fb: tensor<32x16xf32>, %w_o: tensor<16x16xf32>, %g_ctx: tensor<1x16xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<16x16xf32>) -> tensor<1x8x16xf32> {
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) {num_heads = 2, num_kv_heads = 2, eps = 1.0e-06 : f64, gamma_max = 0.5 : f64, rope_base = 5.0e+05 : f64} : (tensor<1x8x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32x16xf32>, tensor<16x16xf32>, tensor<16x16xf32>, tensor<16x16xf32>, tensor<32x16xf32>, tensor<16x16xf32>, tensor<1x16xf32>, tensor<1xf32>, tensor<16x16xf32>) -> tensor<1x8x16xf32>
  return %y : tensor<1x8x16xf32>
}

// CHECK-LABEL: func.func @layer_explicit_defaults(
// CHECK-SAME: %[[X:[^ ,:#]+]]: tensor<1x8x16xf32>, %[[LN_W:[^ ,:#]+]]: tensor<16xf32>, %[[LN_B:[^ ,:#]+]]: tensor<16xf32>, %[[W_IN:[^ ,:#]+]]: tensor<32x16xf32>, %[[W_Q:[^ ,:#]+]]: tensor<16x16xf32>, %[[W_K:[^ ,:#]+]]: tensor<16x16xf32>, %[[W_V:[^ ,:#]+]]: tensor<16x16xf32>, %[[W_FB:[^ ,:#]+]]: tensor<32x16xf32>, %[[G_CTX:[^ ,:#]+]]: tensor<1x16xf32>, %[[G_BIAS:[^ ,:#]+]]: tensor<1xf32>, %[[W_OUT:[^ ,:#]+]]: tensor<16x16xf32>) -> tensor<1x8x16xf32> {
// CHECK-NEXT: %[[Y:[^ ,:#]+]] = sessa.layer %[[X]] norm(%[[LN_W]], %[[LN_B]]) in_proj(%[[W_IN]]) q_proj(%[[W_Q]]) k_proj(%[[W_K]]) v_proj(%[[W_V]]) fb_proj(%[[W_FB]]) gate(%[[G_CTX]], %[[G_BIAS]]) out(%[[W_OUT]]) {num_heads = 1 : i64, num_kv_heads = 1 : i64} : (tensor<1x8x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32x16xf32>, tensor<16x16xf32>, tensor<16x16xf32>, tensor<16x16xf32>, tensor<32x16xf32>, tensor<1x16xf32>, tensor<1xf32>, tensor<16x16xf32>) -> tensor<1x8x16xf32>
// CHECK-NEXT: return %[[Y]] : tensor<1x8x16xf32>
func.func @layer_explicit_defaults(%x: tensor<1x8x16xf32>, %ln_w: tensor<16xf32>, %ln_b: tensor<16xf32>, %w_in: tensor<32x16xf32>, %w_q: tensor<16x16xf32>, %w_k: tensor<16x16xf32>, %w_v: tensor<16x16xf32>, %w_fb: tensor<32x16xf32>, %g_ctx: tensor<1x16xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<16x16xf32>) -> tensor<1x8x16xf32> {
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) gate(%g_ctx, %g_bias) out(%w_out) {num_heads = 1, num_kv_heads = 1, eps = 1.0e-05 : f64, gamma_max = 0.999 : f64, rope = true, rope_base = 1.0e+04 : f64} : (tensor<1x8x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32x16xf32>, tensor<16x16xf32>, tensor<16x16xf32>, tensor<16x16xf32>, tensor<32x16xf32>, tensor<1x16xf32>, tensor<1xf32>, tensor<16x16xf32>) -> tensor<1x8x16xf32>
  return %y : tensor<1x8x16xf32>
}

// CHECK-LABEL: func.func @layer_prefill_empty_cache(
// CHECK-SAME: %[[X:[^ ,:#]+]]: tensor<2x16x32xf32>, %[[LN_W:[^ ,:#]+]]: tensor<32xf32>, %[[LN_B:[^ ,:#]+]]: tensor<32xf32>, %[[W_IN:[^ ,:#]+]]: tensor<64x32xf32>, %[[W_Q:[^ ,:#]+]]: tensor<32x32xf32>, %[[W_K:[^ ,:#]+]]: tensor<16x32xf32>, %[[W_V:[^ ,:#]+]]: tensor<16x32xf32>, %[[W_FB:[^ ,:#]+]]: tensor<64x32xf32>, %[[W_O:[^ ,:#]+]]: tensor<32x32xf32>, %[[G_CTX:[^ ,:#]+]]: tensor<1x32xf32>, %[[G_BIAS:[^ ,:#]+]]: tensor<1xf32>, %[[W_OUT:[^ ,:#]+]]: tensor<32x32xf32>, %[[K_C:[^ ,:#]+]]: tensor<2x0x2x8xf32>, %[[V_C:[^ ,:#]+]]: tensor<2x0x2x8xf32>, %[[KB_C:[^ ,:#]+]]: tensor<2x0x1x32xf32>, %[[S_C:[^ ,:#]+]]: tensor<2x0x1x32xf32>) -> (tensor<2x16x32xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x1x32xf32>, tensor<2x16x1x32xf32>) {
// CHECK-NEXT: %[[Y:[^ ,:#]+]], %[[CACHE:[^ ,:#]+]]:4 = sessa.layer %[[X]] norm(%[[LN_W]], %[[LN_B]]) in_proj(%[[W_IN]]) q_proj(%[[W_Q]]) k_proj(%[[W_K]]) v_proj(%[[W_V]]) fb_proj(%[[W_FB]]) out_proj(%[[W_O]]) gate(%[[G_CTX]], %[[G_BIAS]]) out(%[[W_OUT]]) cache(%[[K_C]], %[[V_C]], %[[KB_C]], %[[S_C]]) {num_heads = 4 : i64, num_kv_heads = 2 : i64} : (tensor<2x16x32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<64x32xf32>, tensor<32x32xf32>, tensor<16x32xf32>, tensor<16x32xf32>, tensor<64x32xf32>, tensor<32x32xf32>, tensor<1x32xf32>, tensor<1xf32>, tensor<32x32xf32>, tensor<2x0x2x8xf32>, tensor<2x0x2x8xf32>, tensor<2x0x1x32xf32>, tensor<2x0x1x32xf32>) -> (tensor<2x16x32xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x1x32xf32>, tensor<2x16x1x32xf32>)
// CHECK-NEXT: return %[[Y]], %[[CACHE]]#0, %[[CACHE]]#1, %[[CACHE]]#2, %[[CACHE]]#3 : tensor<2x16x32xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x1x32xf32>, tensor<2x16x1x32xf32>
func.func @layer_prefill_empty_cache(%x: tensor<2x16x32xf32>, %ln_w: tensor<32xf32>, %ln_b: tensor<32xf32>, %w_in: tensor<64x32xf32>, %w_q: tensor<32x32xf32>, %w_k: tensor<16x32xf32>, %w_v: tensor<16x32xf32>, %w_fb: tensor<64x32xf32>, %w_o: tensor<32x32xf32>, %g_ctx: tensor<1x32xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<32x32xf32>, %k_c: tensor<2x0x2x8xf32>, %v_c: tensor<2x0x2x8xf32>, %kb_c: tensor<2x0x1x32xf32>, %s_c: tensor<2x0x1x32xf32>) -> (tensor<2x16x32xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x1x32xf32>, tensor<2x16x1x32xf32>) {
  %y, %k1, %v1, %kb1, %s1 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) cache(%k_c, %v_c, %kb_c, %s_c) {num_heads = 4, num_kv_heads = 2} : (tensor<2x16x32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<64x32xf32>, tensor<32x32xf32>, tensor<16x32xf32>, tensor<16x32xf32>, tensor<64x32xf32>, tensor<32x32xf32>, tensor<1x32xf32>, tensor<1xf32>, tensor<32x32xf32>, tensor<2x0x2x8xf32>, tensor<2x0x2x8xf32>, tensor<2x0x1x32xf32>, tensor<2x0x1x32xf32>) -> (tensor<2x16x32xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x1x32xf32>, tensor<2x16x1x32xf32>)
  return %y, %k1, %v1, %kb1, %s1 : tensor<2x16x32xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x1x32xf32>, tensor<2x16x1x32xf32>
}

// CHECK-LABEL: func.func @layer_decode_cache(
// CHECK-SAME: %[[X:[^ ,:#]+]]: tensor<2x1x32xf32>, %[[LN_W:[^ ,:#]+]]: tensor<32xf32>, %[[LN_B:[^ ,:#]+]]: tensor<32xf32>, %[[W_IN:[^ ,:#]+]]: tensor<64x32xf32>, %[[B_IN:[^ ,:#]+]]: tensor<64xf32>, %[[W_Q:[^ ,:#]+]]: tensor<32x32xf32>, %[[B_Q:[^ ,:#]+]]: tensor<32xf32>, %[[W_K:[^ ,:#]+]]: tensor<16x32xf32>, %[[B_K:[^ ,:#]+]]: tensor<16xf32>, %[[W_V:[^ ,:#]+]]: tensor<16x32xf32>, %[[B_V:[^ ,:#]+]]: tensor<16xf32>, %[[W_FB:[^ ,:#]+]]: tensor<64x32xf32>, %[[B_FB:[^ ,:#]+]]: tensor<64xf32>, %[[W_O:[^ ,:#]+]]: tensor<32x32xf32>, %[[G_CTX:[^ ,:#]+]]: tensor<1x32xf32>, %[[G_BIAS:[^ ,:#]+]]: tensor<1xf32>, %[[W_OUT:[^ ,:#]+]]: tensor<32x32xf32>, %[[B_OUT:[^ ,:#]+]]: tensor<32xf32>, %[[K_C:[^ ,:#]+]]: tensor<2x15x2x8xf32>, %[[V_C:[^ ,:#]+]]: tensor<2x15x2x8xf32>, %[[KB_C:[^ ,:#]+]]: tensor<2x15x1x32xf32>, %[[S_C:[^ ,:#]+]]: tensor<2x15x1x32xf32>) -> (tensor<2x1x32xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x1x32xf32>, tensor<2x16x1x32xf32>) {
// CHECK-NEXT: %[[Y:[^ ,:#]+]], %[[CACHE:[^ ,:#]+]]:4 = sessa.layer %[[X]] norm(%[[LN_W]], %[[LN_B]]) in_proj(%[[W_IN]], %[[B_IN]]) q_proj(%[[W_Q]], %[[B_Q]]) k_proj(%[[W_K]], %[[B_K]]) v_proj(%[[W_V]], %[[B_V]]) fb_proj(%[[W_FB]], %[[B_FB]]) out_proj(%[[W_O]]) gate(%[[G_CTX]], %[[G_BIAS]]) out(%[[W_OUT]], %[[B_OUT]]) cache(%[[K_C]], %[[V_C]], %[[KB_C]], %[[S_C]]) {num_heads = 4 : i64, num_kv_heads = 2 : i64} : (tensor<2x1x32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<64x32xf32>, tensor<64xf32>, tensor<32x32xf32>, tensor<32xf32>, tensor<16x32xf32>, tensor<16xf32>, tensor<16x32xf32>, tensor<16xf32>, tensor<64x32xf32>, tensor<64xf32>, tensor<32x32xf32>, tensor<1x32xf32>, tensor<1xf32>, tensor<32x32xf32>, tensor<32xf32>, tensor<2x15x2x8xf32>, tensor<2x15x2x8xf32>, tensor<2x15x1x32xf32>, tensor<2x15x1x32xf32>) -> (tensor<2x1x32xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x1x32xf32>, tensor<2x16x1x32xf32>)
// CHECK-NEXT: return %[[Y]], %[[CACHE]]#0, %[[CACHE]]#1, %[[CACHE]]#2, %[[CACHE]]#3 : tensor<2x1x32xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x1x32xf32>, tensor<2x16x1x32xf32>
func.func @layer_decode_cache(%x: tensor<2x1x32xf32>, %ln_w: tensor<32xf32>, %ln_b: tensor<32xf32>, %w_in: tensor<64x32xf32>, %b_in: tensor<64xf32>, %w_q: tensor<32x32xf32>, %b_q: tensor<32xf32>, %w_k: tensor<16x32xf32>, %b_k: tensor<16xf32>, %w_v: tensor<16x32xf32>, %b_v: tensor<16xf32>, %w_fb: tensor<64x32xf32>, %b_fb: tensor<64xf32>, %w_o: tensor<32x32xf32>, %g_ctx: tensor<1x32xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<32x32xf32>, %b_out: tensor<32xf32>, %k_c: tensor<2x15x2x8xf32>, %v_c: tensor<2x15x2x8xf32>, %kb_c: tensor<2x15x1x32xf32>, %s_c: tensor<2x15x1x32xf32>) -> (tensor<2x1x32xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x1x32xf32>, tensor<2x16x1x32xf32>) {
  %y, %k1, %v1, %kb1, %s1 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in, %b_in) q_proj(%w_q, %b_q) k_proj(%w_k, %b_k) v_proj(%w_v, %b_v) fb_proj(%w_fb, %b_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out, %b_out) cache(%k_c, %v_c, %kb_c, %s_c) {num_heads = 4, num_kv_heads = 2} : (tensor<2x1x32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<64x32xf32>, tensor<64xf32>, tensor<32x32xf32>, tensor<32xf32>, tensor<16x32xf32>, tensor<16xf32>, tensor<16x32xf32>, tensor<16xf32>, tensor<64x32xf32>, tensor<64xf32>, tensor<32x32xf32>, tensor<1x32xf32>, tensor<1xf32>, tensor<32x32xf32>, tensor<32xf32>, tensor<2x15x2x8xf32>, tensor<2x15x2x8xf32>, tensor<2x15x1x32xf32>, tensor<2x15x1x32xf32>) -> (tensor<2x1x32xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x1x32xf32>, tensor<2x16x1x32xf32>)
  return %y, %k1, %v1, %kb1, %s1 : tensor<2x1x32xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x1x32xf32>, tensor<2x16x1x32xf32>
}

// CHECK-LABEL: func.func @layer_single_head_cache_f16(
// CHECK-SAME: %[[X:[^ ,:#]+]]: tensor<1x3x16xf16>, %[[LN_W:[^ ,:#]+]]: tensor<16xf16>, %[[LN_B:[^ ,:#]+]]: tensor<16xf16>, %[[W_IN:[^ ,:#]+]]: tensor<32x16xf16>, %[[W_Q:[^ ,:#]+]]: tensor<16x16xf16>, %[[W_K:[^ ,:#]+]]: tensor<16x16xf16>, %[[W_V:[^ ,:#]+]]: tensor<16x16xf16>, %[[W_FB:[^ ,:#]+]]: tensor<32x16xf16>, %[[G_CTX:[^ ,:#]+]]: tensor<1x16xf16>, %[[G_BIAS:[^ ,:#]+]]: tensor<1xf16>, %[[W_OUT:[^ ,:#]+]]: tensor<16x16xf16>, %[[K_C:[^ ,:#]+]]: tensor<1x5x1x16xf16>, %[[V_C:[^ ,:#]+]]: tensor<1x5x1x16xf16>, %[[KB_C:[^ ,:#]+]]: tensor<1x5x1x16xf16>, %[[S_C:[^ ,:#]+]]: tensor<1x5x1x16xf16>) -> (tensor<1x3x16xf16>, tensor<1x8x1x16xf16>, tensor<1x8x1x16xf16>, tensor<1x8x1x16xf16>, tensor<1x8x1x16xf16>) {
// CHECK-NEXT: %[[Y:[^ ,:#]+]], %[[CACHE:[^ ,:#]+]]:4 = sessa.layer %[[X]] norm(%[[LN_W]], %[[LN_B]]) in_proj(%[[W_IN]]) q_proj(%[[W_Q]]) k_proj(%[[W_K]]) v_proj(%[[W_V]]) fb_proj(%[[W_FB]]) gate(%[[G_CTX]], %[[G_BIAS]]) out(%[[W_OUT]]) cache(%[[K_C]], %[[V_C]], %[[KB_C]], %[[S_C]]) {num_heads = 1 : i64, num_kv_heads = 1 : i64} : (tensor<1x3x16xf16>, tensor<16xf16>, tensor<16xf16>, tensor<32x16xf16>, tensor<16x16xf16>, tensor<16x16xf16>, tensor<16x16xf16>, tensor<32x16xf16>, tensor<1x16xf16>, tensor<1xf16>, tensor<16x16xf16>, tensor<1x5x1x16xf16>, tensor<1x5x1x16xf16>, tensor<1x5x1x16xf16>, tensor<1x5x1x16xf16>) -> (tensor<1x3x16xf16>, tensor<1x8x1x16xf16>, tensor<1x8x1x16xf16>, tensor<1x8x1x16xf16>, tensor<1x8x1x16xf16>)
// CHECK-NEXT: return %[[Y]], %[[CACHE]]#0, %[[CACHE]]#1, %[[CACHE]]#2, %[[CACHE]]#3 : tensor<1x3x16xf16>, tensor<1x8x1x16xf16>, tensor<1x8x1x16xf16>, tensor<1x8x1x16xf16>, tensor<1x8x1x16xf16>
func.func @layer_single_head_cache_f16(%x: tensor<1x3x16xf16>, %ln_w: tensor<16xf16>, %ln_b: tensor<16xf16>, %w_in: tensor<32x16xf16>, %w_q: tensor<16x16xf16>, %w_k: tensor<16x16xf16>, %w_v: tensor<16x16xf16>, %w_fb: tensor<32x16xf16>, %g_ctx: tensor<1x16xf16>, %g_bias: tensor<1xf16>, %w_out: tensor<16x16xf16>, %k_c: tensor<1x5x1x16xf16>, %v_c: tensor<1x5x1x16xf16>, %kb_c: tensor<1x5x1x16xf16>, %s_c: tensor<1x5x1x16xf16>) -> (tensor<1x3x16xf16>, tensor<1x8x1x16xf16>, tensor<1x8x1x16xf16>, tensor<1x8x1x16xf16>, tensor<1x8x1x16xf16>) {
  %y, %k1, %v1, %kb1, %s1 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) gate(%g_ctx, %g_bias) out(%w_out) cache(%k_c, %v_c, %kb_c, %s_c) {num_heads = 1, num_kv_heads = 1} : (tensor<1x3x16xf16>, tensor<16xf16>, tensor<16xf16>, tensor<32x16xf16>, tensor<16x16xf16>, tensor<16x16xf16>, tensor<16x16xf16>, tensor<32x16xf16>, tensor<1x16xf16>, tensor<1xf16>, tensor<16x16xf16>, tensor<1x5x1x16xf16>, tensor<1x5x1x16xf16>, tensor<1x5x1x16xf16>, tensor<1x5x1x16xf16>) -> (tensor<1x3x16xf16>, tensor<1x8x1x16xf16>, tensor<1x8x1x16xf16>, tensor<1x8x1x16xf16>, tensor<1x8x1x16xf16>)
  return %y, %k1, %v1, %kb1, %s1 : tensor<1x3x16xf16>, tensor<1x8x1x16xf16>, tensor<1x8x1x16xf16>, tensor<1x8x1x16xf16>, tensor<1x8x1x16xf16>
}

// CHECK-LABEL: func.func @layer_dynamic_b_t_p_cache_f16(
// CHECK-SAME: %[[X:[^ ,:#]+]]: tensor<?x?x32xf16>, %[[LN_W:[^ ,:#]+]]: tensor<32xf16>, %[[LN_B:[^ ,:#]+]]: tensor<32xf16>, %[[W_IN:[^ ,:#]+]]: tensor<64x32xf16>, %[[W_Q:[^ ,:#]+]]: tensor<32x32xf16>, %[[W_K:[^ ,:#]+]]: tensor<8x32xf16>, %[[W_V:[^ ,:#]+]]: tensor<8x32xf16>, %[[W_FB:[^ ,:#]+]]: tensor<64x32xf16>, %[[W_O:[^ ,:#]+]]: tensor<32x32xf16>, %[[G_CTX:[^ ,:#]+]]: tensor<1x32xf16>, %[[G_BIAS:[^ ,:#]+]]: tensor<1xf16>, %[[W_OUT:[^ ,:#]+]]: tensor<32x32xf16>, %[[K_C:[^ ,:#]+]]: tensor<?x?x1x8xf16>, %[[V_C:[^ ,:#]+]]: tensor<?x?x1x8xf16>, %[[KB_C:[^ ,:#]+]]: tensor<?x?x1x32xf16>, %[[S_C:[^ ,:#]+]]: tensor<?x?x1x32xf16>) -> (tensor<?x?x32xf16>, tensor<?x?x1x8xf16>, tensor<?x?x1x8xf16>, tensor<?x?x1x32xf16>, tensor<?x?x1x32xf16>) {
// CHECK-NEXT: %[[Y:[^ ,:#]+]], %[[CACHE:[^ ,:#]+]]:4 = sessa.layer %[[X]] norm(%[[LN_W]], %[[LN_B]]) in_proj(%[[W_IN]]) q_proj(%[[W_Q]]) k_proj(%[[W_K]]) v_proj(%[[W_V]]) fb_proj(%[[W_FB]]) out_proj(%[[W_O]]) gate(%[[G_CTX]], %[[G_BIAS]]) out(%[[W_OUT]]) cache(%[[K_C]], %[[V_C]], %[[KB_C]], %[[S_C]]) {num_heads = 4 : i64, num_kv_heads = 1 : i64} : (tensor<?x?x32xf16>, tensor<32xf16>, tensor<32xf16>, tensor<64x32xf16>, tensor<32x32xf16>, tensor<8x32xf16>, tensor<8x32xf16>, tensor<64x32xf16>, tensor<32x32xf16>, tensor<1x32xf16>, tensor<1xf16>, tensor<32x32xf16>, tensor<?x?x1x8xf16>, tensor<?x?x1x8xf16>, tensor<?x?x1x32xf16>, tensor<?x?x1x32xf16>) -> (tensor<?x?x32xf16>, tensor<?x?x1x8xf16>, tensor<?x?x1x8xf16>, tensor<?x?x1x32xf16>, tensor<?x?x1x32xf16>)
// CHECK-NEXT: return %[[Y]], %[[CACHE]]#0, %[[CACHE]]#1, %[[CACHE]]#2, %[[CACHE]]#3 : tensor<?x?x32xf16>, tensor<?x?x1x8xf16>, tensor<?x?x1x8xf16>, tensor<?x?x1x32xf16>, tensor<?x?x1x32xf16>
func.func @layer_dynamic_b_t_p_cache_f16(%x: tensor<?x?x32xf16>, %ln_w: tensor<32xf16>, %ln_b: tensor<32xf16>, %w_in: tensor<64x32xf16>, %w_q: tensor<32x32xf16>, %w_k: tensor<8x32xf16>, %w_v: tensor<8x32xf16>, %w_fb: tensor<64x32xf16>, %w_o: tensor<32x32xf16>, %g_ctx: tensor<1x32xf16>, %g_bias: tensor<1xf16>, %w_out: tensor<32x32xf16>, %k_c: tensor<?x?x1x8xf16>, %v_c: tensor<?x?x1x8xf16>, %kb_c: tensor<?x?x1x32xf16>, %s_c: tensor<?x?x1x32xf16>) -> (tensor<?x?x32xf16>, tensor<?x?x1x8xf16>, tensor<?x?x1x8xf16>, tensor<?x?x1x32xf16>, tensor<?x?x1x32xf16>) {
  %y, %k1, %v1, %kb1, %s1 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) cache(%k_c, %v_c, %kb_c, %s_c) {num_heads = 4, num_kv_heads = 1} : (tensor<?x?x32xf16>, tensor<32xf16>, tensor<32xf16>, tensor<64x32xf16>, tensor<32x32xf16>, tensor<8x32xf16>, tensor<8x32xf16>, tensor<64x32xf16>, tensor<32x32xf16>, tensor<1x32xf16>, tensor<1xf16>, tensor<32x32xf16>, tensor<?x?x1x8xf16>, tensor<?x?x1x8xf16>, tensor<?x?x1x32xf16>, tensor<?x?x1x32xf16>) -> (tensor<?x?x32xf16>, tensor<?x?x1x8xf16>, tensor<?x?x1x8xf16>, tensor<?x?x1x32xf16>, tensor<?x?x1x32xf16>)
  return %y, %k1, %v1, %kb1, %s1 : tensor<?x?x32xf16>, tensor<?x?x1x8xf16>, tensor<?x?x1x8xf16>, tensor<?x?x1x32xf16>, tensor<?x?x1x32xf16>
}

// CHECK-LABEL: func.func @layer_dynamic_p_decode_bf16(
// CHECK-SAME: %[[X:[^ ,:#]+]]: tensor<4x1x64xbf16>, %[[LN_W:[^ ,:#]+]]: tensor<64xbf16>, %[[LN_B:[^ ,:#]+]]: tensor<64xbf16>, %[[W_IN:[^ ,:#]+]]: tensor<128x64xbf16>, %[[B_IN:[^ ,:#]+]]: tensor<128xbf16>, %[[W_Q:[^ ,:#]+]]: tensor<64x64xbf16>, %[[W_K:[^ ,:#]+]]: tensor<16x64xbf16>, %[[W_V:[^ ,:#]+]]: tensor<16x64xbf16>, %[[W_FB:[^ ,:#]+]]: tensor<128x64xbf16>, %[[B_FB:[^ ,:#]+]]: tensor<128xbf16>, %[[W_O:[^ ,:#]+]]: tensor<64x64xbf16>, %[[G_CTX:[^ ,:#]+]]: tensor<1x64xbf16>, %[[G_BIAS:[^ ,:#]+]]: tensor<1xbf16>, %[[W_OUT:[^ ,:#]+]]: tensor<64x64xbf16>, %[[K_C:[^ ,:#]+]]: tensor<4x?x2x8xbf16>, %[[V_C:[^ ,:#]+]]: tensor<4x?x2x8xbf16>, %[[KB_C:[^ ,:#]+]]: tensor<4x?x1x64xbf16>, %[[S_C:[^ ,:#]+]]: tensor<4x?x1x64xbf16>) -> (tensor<4x1x64xbf16>, tensor<4x?x2x8xbf16>, tensor<4x?x2x8xbf16>, tensor<4x?x1x64xbf16>, tensor<4x?x1x64xbf16>) {
// CHECK-NEXT: %[[Y:[^ ,:#]+]], %[[CACHE:[^ ,:#]+]]:4 = sessa.layer %[[X]] norm(%[[LN_W]], %[[LN_B]]) in_proj(%[[W_IN]], %[[B_IN]]) q_proj(%[[W_Q]]) k_proj(%[[W_K]]) v_proj(%[[W_V]]) fb_proj(%[[W_FB]], %[[B_FB]]) out_proj(%[[W_O]]) gate(%[[G_CTX]], %[[G_BIAS]]) out(%[[W_OUT]]) cache(%[[K_C]], %[[V_C]], %[[KB_C]], %[[S_C]]) {num_heads = 8 : i64, num_kv_heads = 2 : i64, rope_base = 5.000000e+05 : f64} : (tensor<4x1x64xbf16>, tensor<64xbf16>, tensor<64xbf16>, tensor<128x64xbf16>, tensor<128xbf16>, tensor<64x64xbf16>, tensor<16x64xbf16>, tensor<16x64xbf16>, tensor<128x64xbf16>, tensor<128xbf16>, tensor<64x64xbf16>, tensor<1x64xbf16>, tensor<1xbf16>, tensor<64x64xbf16>, tensor<4x?x2x8xbf16>, tensor<4x?x2x8xbf16>, tensor<4x?x1x64xbf16>, tensor<4x?x1x64xbf16>) -> (tensor<4x1x64xbf16>, tensor<4x?x2x8xbf16>, tensor<4x?x2x8xbf16>, tensor<4x?x1x64xbf16>, tensor<4x?x1x64xbf16>)
// CHECK-NEXT: return %[[Y]], %[[CACHE]]#0, %[[CACHE]]#1, %[[CACHE]]#2, %[[CACHE]]#3 : tensor<4x1x64xbf16>, tensor<4x?x2x8xbf16>, tensor<4x?x2x8xbf16>, tensor<4x?x1x64xbf16>, tensor<4x?x1x64xbf16>
func.func @layer_dynamic_p_decode_bf16(%x: tensor<4x1x64xbf16>, %ln_w: tensor<64xbf16>, %ln_b: tensor<64xbf16>, %w_in: tensor<128x64xbf16>, %b_in: tensor<128xbf16>, %w_q: tensor<64x64xbf16>, %w_k: tensor<16x64xbf16>, %w_v: tensor<16x64xbf16>, %w_fb: tensor<128x64xbf16>, %b_fb: tensor<128xbf16>, %w_o: tensor<64x64xbf16>, %g_ctx: tensor<1x64xbf16>, %g_bias: tensor<1xbf16>, %w_out: tensor<64x64xbf16>, %k_c: tensor<4x?x2x8xbf16>, %v_c: tensor<4x?x2x8xbf16>, %kb_c: tensor<4x?x1x64xbf16>, %s_c: tensor<4x?x1x64xbf16>) -> (tensor<4x1x64xbf16>, tensor<4x?x2x8xbf16>, tensor<4x?x2x8xbf16>, tensor<4x?x1x64xbf16>, tensor<4x?x1x64xbf16>) {
  %y, %k1, %v1, %kb1, %s1 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in, %b_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb, %b_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) cache(%k_c, %v_c, %kb_c, %s_c) {num_heads = 8, num_kv_heads = 2, rope_base = 5.0e+05 : f64} : (tensor<4x1x64xbf16>, tensor<64xbf16>, tensor<64xbf16>, tensor<128x64xbf16>, tensor<128xbf16>, tensor<64x64xbf16>, tensor<16x64xbf16>, tensor<16x64xbf16>, tensor<128x64xbf16>, tensor<128xbf16>, tensor<64x64xbf16>, tensor<1x64xbf16>, tensor<1xbf16>, tensor<64x64xbf16>, tensor<4x?x2x8xbf16>, tensor<4x?x2x8xbf16>, tensor<4x?x1x64xbf16>, tensor<4x?x1x64xbf16>) -> (tensor<4x1x64xbf16>, tensor<4x?x2x8xbf16>, tensor<4x?x2x8xbf16>, tensor<4x?x1x64xbf16>, tensor<4x?x1x64xbf16>)
  return %y, %k1, %v1, %kb1, %s1 : tensor<4x1x64xbf16>, tensor<4x?x2x8xbf16>, tensor<4x?x2x8xbf16>, tensor<4x?x1x64xbf16>, tensor<4x?x1x64xbf16>
}

// CHECK-LABEL: func.func @layer_dynamic_b_t_bf16(
// CHECK-SAME: %[[X:[^ ,:#]+]]: tensor<?x?x64xbf16>, %[[LN_W:[^ ,:#]+]]: tensor<64xbf16>, %[[LN_B:[^ ,:#]+]]: tensor<64xbf16>, %[[W_IN:[^ ,:#]+]]: tensor<128x64xbf16>, %[[B_IN:[^ ,:#]+]]: tensor<128xbf16>, %[[W_Q:[^ ,:#]+]]: tensor<64x64xbf16>, %[[B_Q:[^ ,:#]+]]: tensor<64xbf16>, %[[W_K:[^ ,:#]+]]: tensor<64x64xbf16>, %[[B_K:[^ ,:#]+]]: tensor<64xbf16>, %[[W_V:[^ ,:#]+]]: tensor<64x64xbf16>, %[[B_V:[^ ,:#]+]]: tensor<64xbf16>, %[[W_FB:[^ ,:#]+]]: tensor<128x64xbf16>, %[[B_FB:[^ ,:#]+]]: tensor<128xbf16>, %[[W_O:[^ ,:#]+]]: tensor<64x64xbf16>, %[[G_CTX:[^ ,:#]+]]: tensor<1x64xbf16>, %[[G_BIAS:[^ ,:#]+]]: tensor<1xbf16>, %[[W_OUT:[^ ,:#]+]]: tensor<64x64xbf16>, %[[B_OUT:[^ ,:#]+]]: tensor<64xbf16>) -> tensor<?x?x64xbf16> {
// CHECK-NEXT: %[[Y:[^ ,:#]+]] = sessa.layer %[[X]] norm(%[[LN_W]], %[[LN_B]]) in_proj(%[[W_IN]], %[[B_IN]]) q_proj(%[[W_Q]], %[[B_Q]]) k_proj(%[[W_K]], %[[B_K]]) v_proj(%[[W_V]], %[[B_V]]) fb_proj(%[[W_FB]], %[[B_FB]]) out_proj(%[[W_O]]) gate(%[[G_CTX]], %[[G_BIAS]]) out(%[[W_OUT]], %[[B_OUT]]) {num_heads = 8 : i64, num_kv_heads = 8 : i64} : (tensor<?x?x64xbf16>, tensor<64xbf16>, tensor<64xbf16>, tensor<128x64xbf16>, tensor<128xbf16>, tensor<64x64xbf16>, tensor<64xbf16>, tensor<64x64xbf16>, tensor<64xbf16>, tensor<64x64xbf16>, tensor<64xbf16>, tensor<128x64xbf16>, tensor<128xbf16>, tensor<64x64xbf16>, tensor<1x64xbf16>, tensor<1xbf16>, tensor<64x64xbf16>, tensor<64xbf16>) -> tensor<?x?x64xbf16>
// CHECK-NEXT: return %[[Y]] : tensor<?x?x64xbf16>
func.func @layer_dynamic_b_t_bf16(%x: tensor<?x?x64xbf16>, %ln_w: tensor<64xbf16>, %ln_b: tensor<64xbf16>, %w_in: tensor<128x64xbf16>, %b_in: tensor<128xbf16>, %w_q: tensor<64x64xbf16>, %b_q: tensor<64xbf16>, %w_k: tensor<64x64xbf16>, %b_k: tensor<64xbf16>, %w_v: tensor<64x64xbf16>, %b_v: tensor<64xbf16>, %w_fb: tensor<128x64xbf16>, %b_fb: tensor<128xbf16>, %w_o: tensor<64x64xbf16>, %g_ctx: tensor<1x64xbf16>, %g_bias: tensor<1xbf16>, %w_out: tensor<64x64xbf16>, %b_out: tensor<64xbf16>) -> tensor<?x?x64xbf16> {
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in, %b_in) q_proj(%w_q, %b_q) k_proj(%w_k, %b_k) v_proj(%w_v, %b_v) fb_proj(%w_fb, %b_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out, %b_out) {num_heads = 8, num_kv_heads = 8} : (tensor<?x?x64xbf16>, tensor<64xbf16>, tensor<64xbf16>, tensor<128x64xbf16>, tensor<128xbf16>, tensor<64x64xbf16>, tensor<64xbf16>, tensor<64x64xbf16>, tensor<64xbf16>, tensor<64x64xbf16>, tensor<64xbf16>, tensor<128x64xbf16>, tensor<128xbf16>, tensor<64x64xbf16>, tensor<1x64xbf16>, tensor<1xbf16>, tensor<64x64xbf16>, tensor<64xbf16>) -> tensor<?x?x64xbf16>
  return %y : tensor<?x?x64xbf16>
}

// CHECK-LABEL: func.func @layer_all_options(
// CHECK-SAME: %[[X:[^ ,:#]+]]: tensor<?x1x32xbf16>, %[[LN_W:[^ ,:#]+]]: tensor<32xbf16>, %[[LN_B:[^ ,:#]+]]: tensor<32xbf16>, %[[W_IN:[^ ,:#]+]]: tensor<64x32xbf16>, %[[B_IN:[^ ,:#]+]]: tensor<64xbf16>, %[[W_Q:[^ ,:#]+]]: tensor<32x32xbf16>, %[[B_Q:[^ ,:#]+]]: tensor<32xbf16>, %[[W_K:[^ ,:#]+]]: tensor<16x32xbf16>, %[[B_K:[^ ,:#]+]]: tensor<16xbf16>, %[[W_V:[^ ,:#]+]]: tensor<16x32xbf16>, %[[B_V:[^ ,:#]+]]: tensor<16xbf16>, %[[W_FB:[^ ,:#]+]]: tensor<64x32xbf16>, %[[B_FB:[^ ,:#]+]]: tensor<64xbf16>, %[[W_O:[^ ,:#]+]]: tensor<32x32xbf16>, %[[G_CTX:[^ ,:#]+]]: tensor<1x32xbf16>, %[[G_BIAS:[^ ,:#]+]]: tensor<1xbf16>, %[[W_OUT:[^ ,:#]+]]: tensor<32x32xbf16>, %[[B_OUT:[^ ,:#]+]]: tensor<32xbf16>, %[[K_C:[^ ,:#]+]]: tensor<?x7x2x8xbf16>, %[[V_C:[^ ,:#]+]]: tensor<?x7x2x8xbf16>, %[[KB_C:[^ ,:#]+]]: tensor<?x7x1x32xbf16>, %[[S_C:[^ ,:#]+]]: tensor<?x7x1x32xbf16>) -> (tensor<?x1x32xbf16>, tensor<?x8x2x8xbf16>, tensor<?x8x2x8xbf16>, tensor<?x8x1x32xbf16>, tensor<?x8x1x32xbf16>) {
// CHECK-NEXT: %[[Y:[^ ,:#]+]], %[[CACHE:[^ ,:#]+]]:4 = sessa.layer %[[X]] norm(%[[LN_W]], %[[LN_B]]) in_proj(%[[W_IN]], %[[B_IN]]) q_proj(%[[W_Q]], %[[B_Q]]) k_proj(%[[W_K]], %[[B_K]]) v_proj(%[[W_V]], %[[B_V]]) fb_proj(%[[W_FB]], %[[B_FB]]) out_proj(%[[W_O]]) gate(%[[G_CTX]], %[[G_BIAS]]) out(%[[W_OUT]], %[[B_OUT]]) cache(%[[K_C]], %[[V_C]], %[[KB_C]], %[[S_C]]) {eps = 9.9999999999999995E-7 : f64, gamma_max = 9.000000e-01 : f64, num_heads = 4 : i64, num_kv_heads = 2 : i64, rope = false, rope_base = 5.000000e+05 : f64} : (tensor<?x1x32xbf16>, tensor<32xbf16>, tensor<32xbf16>, tensor<64x32xbf16>, tensor<64xbf16>, tensor<32x32xbf16>, tensor<32xbf16>, tensor<16x32xbf16>, tensor<16xbf16>, tensor<16x32xbf16>, tensor<16xbf16>, tensor<64x32xbf16>, tensor<64xbf16>, tensor<32x32xbf16>, tensor<1x32xbf16>, tensor<1xbf16>, tensor<32x32xbf16>, tensor<32xbf16>, tensor<?x7x2x8xbf16>, tensor<?x7x2x8xbf16>, tensor<?x7x1x32xbf16>, tensor<?x7x1x32xbf16>) -> (tensor<?x1x32xbf16>, tensor<?x8x2x8xbf16>, tensor<?x8x2x8xbf16>, tensor<?x8x1x32xbf16>, tensor<?x8x1x32xbf16>)
// CHECK-NEXT: return %[[Y]], %[[CACHE]]#0, %[[CACHE]]#1, %[[CACHE]]#2, %[[CACHE]]#3 : tensor<?x1x32xbf16>, tensor<?x8x2x8xbf16>, tensor<?x8x2x8xbf16>, tensor<?x8x1x32xbf16>, tensor<?x8x1x32xbf16>
func.func @layer_all_options(%x: tensor<?x1x32xbf16>, %ln_w: tensor<32xbf16>, %ln_b: tensor<32xbf16>, %w_in: tensor<64x32xbf16>, %b_in: tensor<64xbf16>, %w_q: tensor<32x32xbf16>, %b_q: tensor<32xbf16>, %w_k: tensor<16x32xbf16>, %b_k: tensor<16xbf16>, %w_v: tensor<16x32xbf16>, %b_v: tensor<16xbf16>, %w_fb: tensor<64x32xbf16>, %b_fb: tensor<64xbf16>, %w_o: tensor<32x32xbf16>, %g_ctx: tensor<1x32xbf16>, %g_bias: tensor<1xbf16>, %w_out: tensor<32x32xbf16>, %b_out: tensor<32xbf16>, %k_c: tensor<?x7x2x8xbf16>, %v_c: tensor<?x7x2x8xbf16>, %kb_c: tensor<?x7x1x32xbf16>, %s_c: tensor<?x7x1x32xbf16>) -> (tensor<?x1x32xbf16>, tensor<?x8x2x8xbf16>, tensor<?x8x2x8xbf16>, tensor<?x8x1x32xbf16>, tensor<?x8x1x32xbf16>) {
  %y, %k1, %v1, %kb1, %s1 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in, %b_in) q_proj(%w_q, %b_q) k_proj(%w_k, %b_k) v_proj(%w_v, %b_v) fb_proj(%w_fb, %b_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out, %b_out) cache(%k_c, %v_c, %kb_c, %s_c) {num_heads = 4, num_kv_heads = 2, eps = 1.0e-06 : f64, gamma_max = 9.0e-01 : f64, rope = false, rope_base = 5.0e+05 : f64} : (tensor<?x1x32xbf16>, tensor<32xbf16>, tensor<32xbf16>, tensor<64x32xbf16>, tensor<64xbf16>, tensor<32x32xbf16>, tensor<32xbf16>, tensor<16x32xbf16>, tensor<16xbf16>, tensor<16x32xbf16>, tensor<16xbf16>, tensor<64x32xbf16>, tensor<64xbf16>, tensor<32x32xbf16>, tensor<1x32xbf16>, tensor<1xbf16>, tensor<32x32xbf16>, tensor<32xbf16>, tensor<?x7x2x8xbf16>, tensor<?x7x2x8xbf16>, tensor<?x7x1x32xbf16>, tensor<?x7x1x32xbf16>) -> (tensor<?x1x32xbf16>, tensor<?x8x2x8xbf16>, tensor<?x8x2x8xbf16>, tensor<?x8x1x32xbf16>, tensor<?x8x1x32xbf16>)
  return %y, %k1, %v1, %kb1, %s1 : tensor<?x1x32xbf16>, tensor<?x8x2x8xbf16>, tensor<?x8x2x8xbf16>, tensor<?x8x1x32xbf16>, tensor<?x8x1x32xbf16>
}
