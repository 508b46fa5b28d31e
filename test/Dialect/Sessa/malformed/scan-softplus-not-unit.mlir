// Malformed input: delta_softplus given a value instead of being a unit attribute.
// sessa-opt must exit with 1 and a located error, never crash.
// RUN: not sessa-opt %s 2>&1 | FileCheck %s
// CHECK: {{.*}}scan-softplus-not-unit.mlir:[[@LINE+3]]:52: error: custom op 'sessa.selective_scan' 'sessa.selective_scan' op attribute 'delta_softplus' failed to satisfy constraint: unit attribute
// CHECK-NOT: {{Stack dump|Assertion|PLEASE submit}}
func.func @f(%u: tensor<2x4x8xf32>, %A: tensor<8x2xf32>, %B: tensor<2x4x1x2xf32>) {
  %y, %h = sessa.selective_scan %u, %u, %A, %B, %B {delta_softplus = 3 : i64} : tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<8x2xf32>, tensor<2x4x1x2xf32>, tensor<2x4x1x2xf32> -> tensor<2x4x8xf32>, tensor<2x8x2xf32>
  return
}
