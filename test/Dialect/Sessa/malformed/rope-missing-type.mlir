// Malformed input: no trailing `: type`.
// sessa-opt must exit with 1 and a located error, never crash.
// RUN: not sessa-opt %s 2>&1 | FileCheck %s
// CHECK: {{.*}}rope-missing-type.mlir:[[@LINE+3]]:21: error: expected ':'
// CHECK-NOT: {{Stack dump|Assertion|PLEASE submit}}
func.func @f(%x: tensor<1x4x8x64xf32>) -> tensor<1x4x8x64xf32> {
  %0 = sessa.rope %x
  return %0 : tensor<1x4x8x64xf32>
}
