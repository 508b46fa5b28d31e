// convert-sessa-to-linalg lowers only the primitive ops: a sessa.layer left
// in the input is reported (with the pass to run first) and fails the pass.

// RUN: sessa-opt %s -split-input-file -verify-diagnostics --convert-sessa-to-linalg

func.func @layer_not_decomposed(%x: tensor<1x8x16xf32>, %ln_w: tensor<16xf32>, %ln_b: tensor<16xf32>, %w_in: tensor<32x16xf32>, %w_q: tensor<16x16xf32>, %w_k: tensor<16x16xf32>, %w_v: tensor<16x16xf32>, %w_fb: tensor<32x16xf32>, %g_ctx: tensor<1x16xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<16x16xf32>) -> tensor<1x8x16xf32> {
  // expected-error @below {{'sessa.layer' op was not lowered by convert-sessa-to-linalg (run --sessa-decompose-layer first)}}
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) gate(%g_ctx, %g_bias) out(%w_out) {num_heads = 1, num_kv_heads = 1} : (tensor<1x8x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32x16xf32>, tensor<16x16xf32>, tensor<16x16xf32>, tensor<16x16xf32>, tensor<32x16xf32>, tensor<1x16xf32>, tensor<1xf32>, tensor<16x16xf32>) -> tensor<1x8x16xf32>
  return %y : tensor<1x8x16xf32>
}

// -----

// The primitive ops around the layer are lowered; the layer is still reported.
func.func @layer_after_rope(%q: tensor<1x8x1x16xf32>, %x: tensor<1x8x16xf32>, %ln_w: tensor<16xf32>, %ln_b: tensor<16xf32>, %w_in: tensor<32x16xf32>, %w_q: tensor<16x16xf32>, %w_k: tensor<16x16xf32>, %w_v: tensor<16x16xf32>, %w_fb: tensor<32x16xf32>, %g_ctx: tensor<1x16xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<16x16xf32>) -> (tensor<1x8x1x16xf32>, tensor<1x8x16xf32>) {
  %r = sessa.rope %q : tensor<1x8x1x16xf32>
  // expected-error @below {{'sessa.layer' op was not lowered by convert-sessa-to-linalg (run --sessa-decompose-layer first)}}
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) gate(%g_ctx, %g_bias) out(%w_out) {num_heads = 1, num_kv_heads = 1, rope = false} : (tensor<1x8x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32x16xf32>, tensor<16x16xf32>, tensor<16x16xf32>, tensor<16x16xf32>, tensor<32x16xf32>, tensor<1x16xf32>, tensor<1xf32>, tensor<16x16xf32>) -> tensor<1x8x16xf32>
  return %r, %y : tensor<1x8x1x16xf32>, tensor<1x8x16xf32>
}
