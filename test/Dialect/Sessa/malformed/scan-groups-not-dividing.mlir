// Malformed input: Dm = 8 channels over G = 3 groups (verifier).
// sessa-opt must exit with 1 and a located error, never crash.
// RUN: not sessa-opt %s 2>&1 | FileCheck %s
// CHECK: {{.*}}scan-groups-not-dividing.mlir:[[@LINE+3]]:12: error: 'sessa.selective_scan' op channels Dm = 8 must be a multiple of the number of groups G = 3 of operands 'B' and 'C'
// CHECK-NOT: {{Stack dump|Assertion|PLEASE submit}}
func.func @f(%u: tensor<2x4x8xf32>, %A: tensor<8x2xf32>, %B: tensor<2x4x3x2xf32>) {
  %y, %h = sessa.selective_scan %u, %u, %A, %B, %B : tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<8x2xf32>, tensor<2x4x3x2xf32>, tensor<2x4x3x2xf32> -> tensor<2x4x8xf32>, tensor<2x8x2xf32>
  return
}
