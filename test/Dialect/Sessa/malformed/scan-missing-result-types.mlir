// Malformed input: selective_scan without `-> y, last_state` types.
// sessa-opt must exit with 1 and a located error, never crash.
// RUN: not sessa-opt %s 2>&1 | FileCheck %s
// CHECK: {{.*}}scan-missing-result-types.mlir:[[@LINE+3]]:149: error: expected '->'
// CHECK-NOT: {{Stack dump|Assertion|PLEASE submit}}
func.func @f(%u: tensor<2x4x8xf32>, %A: tensor<8x2xf32>, %B: tensor<2x4x1x2xf32>) {
  %y, %h = sessa.selective_scan %u, %u, %A, %B, %B : tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<8x2xf32>, tensor<2x4x1x2xf32>, tensor<2x4x1x2xf32>
  return
}
