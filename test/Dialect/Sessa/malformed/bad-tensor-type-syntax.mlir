// Malformed input: a malformed tensor type.
// sessa-opt must exit with 1 and a located error, never crash.
// RUN: not sessa-opt %s 2>&1 | FileCheck %s
// CHECK: {{.*}}bad-tensor-type-syntax.mlir:[[@LINE+2]]:33: error: expected 'x' in dimension list
// CHECK-NOT: {{Stack dump|Assertion|PLEASE submit}}
func.func @f(%x: tensor<1x4x8x64f32>) -> tensor<1x4x8x64xf32> {
  %0 = sessa.rope %x : tensor<1x4x8x64xf32>
  return %0 : tensor<1x4x8x64xf32>
}
