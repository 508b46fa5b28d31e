// Malformed input: gamma_max = 2.0 (verifier).
// sessa-opt must exit with 1 and a located error, never crash.
// RUN: not sessa-opt %s 2>&1 | FileCheck %s
// CHECK: {{.*}}layer-gamma-max-out-of-range.mlir:[[@LINE+3]]:8: error: 'sessa.layer' op attribute 'gamma_max' must lie in (0, 1), but is 2.000000e+00
// CHECK-NOT: {{Stack dump|Assertion|PLEASE submit}}
func.func @f(%x: tensor<1x4x8xf32>, %n: tensor<8xf32>, %w2: tensor<16x8xf32>, %w: tensor<8x8xf32>, %ctx: tensor<1x8xf32>, %gb: tensor<1xf32>) -> tensor<1x4x8xf32> {
  %y = sessa.layer %x norm(%n, %n) in_proj(%w2) q_proj(%w) k_proj(%w) v_proj(%w) fb_proj(%w2) gate(%ctx, %gb) out(%w) {num_heads = 1, num_kv_heads = 1, gamma_max = 2.0} : (tensor<1x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<8x8xf32>, tensor<8x8xf32>, tensor<16x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>) -> tensor<1x4x8xf32>
  return %y : tensor<1x4x8xf32>
}
