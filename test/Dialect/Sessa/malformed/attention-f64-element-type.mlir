// Malformed input: an f64 tensor (only f32, f16, bf16).
// sessa-opt must exit with 1 and a located error, never crash.
// RUN: not sessa-opt %s 2>&1 | FileCheck %s
// CHECK: {{.*}}attention-f64-element-type.mlir:[[@LINE+3]]:8: error: 'sessa.attention' op operand #0 must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values, but got 'tensor<1x4x8x64xf64>'
// CHECK-NOT: {{Stack dump|Assertion|PLEASE submit}}
func.func @f(%q: tensor<1x4x8x64xf64>) -> tensor<1x4x8x64xf64> {
  %0 = sessa.attention %q, %q, %q : tensor<1x4x8x64xf64>, tensor<1x4x8x64xf64>, tensor<1x4x8x64xf64>
  return %0 : tensor<1x4x8x64xf64>
}
