// Malformed input: operands not separated by commas.
// sessa-opt must exit with 1 and a located error, never crash.
// RUN: not sessa-opt %s 2>&1 | FileCheck %s
// CHECK: {{.*}}attention-missing-comma.mlir:[[@LINE+3]]:26: error: expected ','
// CHECK-NOT: {{Stack dump|Assertion|PLEASE submit}}
func.func @f(%q: tensor<1x4x8x64xf32>) -> tensor<1x4x8x64xf32> {
  %0 = sessa.attention %q %q, %q : tensor<1x4x8x64xf32>, tensor<1x4x8x64xf32>, tensor<1x4x8x64xf32>
  return %0 : tensor<1x4x8x64xf32>
}
