// Malformed input: an i32 tensor.
// sessa-opt must exit with 1 and a located error, never crash.
// RUN: not sessa-opt %s 2>&1 | FileCheck %s
// CHECK: {{.*}}rope-integer-element-type.mlir:[[@LINE+3]]:8: error: 'sessa.rope' op operand #0 must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values, but got 'tensor<1x4x8x64xi32>'
// CHECK-NOT: {{Stack dump|Assertion|PLEASE submit}}
func.func @f(%x: tensor<1x4x8x64xi32>) -> tensor<1x4x8x64xi32> {
  %0 = sessa.rope %x : tensor<1x4x8x64xi32>
  return %0 : tensor<1x4x8x64xi32>
}
