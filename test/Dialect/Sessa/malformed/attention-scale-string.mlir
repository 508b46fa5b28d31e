// Malformed input: attribute 'scale' of the wrong attribute kind (a string).
// sessa-opt must exit with 1 and a located error, never crash.
// RUN: not sessa-opt %s 2>&1 | FileCheck %s
// CHECK: {{.*}}attention-scale-string.mlir:[[@LINE+3]]:35: error: custom op 'sessa.attention' 'sessa.attention' op attribute 'scale' failed to satisfy constraint: 64-bit float attribute
// CHECK-NOT: {{Stack dump|Assertion|PLEASE submit}}
func.func @f(%q: tensor<1x4x8x64xf32>) -> tensor<1x4x8x64xf32> {
  %0 = sessa.attention %q, %q, %q {scale = "big"} : tensor<1x4x8x64xf32>, tensor<1x4x8x64xf32>, tensor<1x4x8x64xf32>
  return %0 : tensor<1x4x8x64xf32>
}
