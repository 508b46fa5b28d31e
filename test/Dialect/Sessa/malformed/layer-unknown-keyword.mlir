// Malformed input: in_projection( instead of in_proj(.
// sessa-opt must exit with 1 and a located error, never crash.
// RUN: not sessa-opt %s 2>&1 | FileCheck %s
// CHECK: {{.*}}layer-unknown-keyword.mlir:[[@LINE+3]]:36: error: custom op 'sessa.layer' expected 'in_proj'
// CHECK-NOT: {{Stack dump|Assertion|PLEASE submit}}
func.func @f(%x: tensor<1x4x8xf32>, %n: tensor<8xf32>, %w2: tensor<16x8xf32>, %w: tensor<8x8xf32>, %ctx: tensor<1x8xf32>, %gb: tensor<1xf32>) -> tensor<1x4x8xf32> {
  %y = sessa.layer %x norm(%n, %n) in_projection(%w2) q_proj(%w) k_proj(%w) v_proj(%w) fb_proj(%w2) gate(%ctx, %gb) out(%w) {num_heads = 1, num_kv_heads = 1} : (tensor<1x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<8x8xf32>, tensor<8x8xf32>, tensor<16x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>) -> tensor<1x4x8xf32>
  return %y : tensor<1x4x8xf32>
}
