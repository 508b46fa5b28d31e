// Malformed input: h0( before D( (the format fixes the order).
// sessa-opt must exit with 1 and a located error, never crash.
// RUN: not sessa-opt %s 2>&1 | FileCheck %s
// CHECK: {{.*}}scan-keywords-out-of-order.mlir:[[@LINE+3]]:74: error: expected ':'
// CHECK-NOT: {{Stack dump|Assertion|PLEASE submit}}
func.func @f(%u: tensor<2x4x8xf32>, %A: tensor<8x2xf32>, %B: tensor<2x4x1x2xf32>, %D: tensor<8xf32>, %h: tensor<2x8x2xf32>) {
  %y, %s = sessa.selective_scan %u, %u, %A, %B, %B h0(%h : tensor<8xf32>) D(%D : tensor<2x8x2xf32>) : tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<8x2xf32>, tensor<2x4x1x2xf32>, tensor<2x4x1x2xf32> -> tensor<2x4x8xf32>, tensor<2x8x2xf32>
  return
}
