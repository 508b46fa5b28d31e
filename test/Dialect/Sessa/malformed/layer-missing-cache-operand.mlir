// Malformed input: cache( with three of the four cache operands.
// sessa-opt must exit with 1 and a located error, never crash.
// RUN: not sessa-opt %s 2>&1 | FileCheck %s
// CHECK: {{.*}}layer-missing-cache-operand.mlir:[[@LINE+3]]:140: error: expected ','
// CHECK-NOT: {{Stack dump|Assertion|PLEASE submit}}
func.func @f(%x: tensor<1x1x8xf32>, %n: tensor<8xf32>, %w2: tensor<16x8xf32>, %w: tensor<8x8xf32>, %ctx: tensor<1x8xf32>, %gb: tensor<1xf32>, %kc: tensor<1x3x1x8xf32>) -> tensor<1x1x8xf32> {
  %y:4 = sessa.layer %x norm(%n, %n) in_proj(%w2) q_proj(%w) k_proj(%w) v_proj(%w) fb_proj(%w2) gate(%ctx, %gb) out(%w) cache(%kc, %kc, %kc) {num_heads = 1, num_kv_heads = 1} : (tensor<1x1x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<8x8xf32>, tensor<8x8xf32>, tensor<8x8xf32>, tensor<16x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<1x3x1x8xf32>, tensor<1x3x1x8xf32>, tensor<1x3x1x8xf32>) -> (tensor<1x1x8xf32>, tensor<1x4x1x8xf32>, tensor<1x4x1x8xf32>, tensor<1x4x1x8xf32>)
  return %y#0 : tensor<1x1x8xf32>
}
