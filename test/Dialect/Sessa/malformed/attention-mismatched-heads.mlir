// Malformed input: 8 query heads over 3 key/value heads (verifier).
// sessa-opt must exit with 1 and a located error, never crash.
// RUN: not sessa-opt %s 2>&1 | FileCheck %s
// CHECK: {{.*}}attention-mismatched-heads.mlir:[[@LINE+3]]:8: error: 'sessa.attention' op query heads H = 8 must be a positive multiple of key/value heads Hk = 3
// CHECK-NOT: {{Stack dump|Assertion|PLEASE submit}}
func.func @f(%q: tensor<1x4x8x64xf32>, %k: tensor<1x4x3x64xf32>) -> tensor<1x4x8x64xf32> {
  %0 = sessa.attention %q, %k, %k : tensor<1x4x8x64xf32>, tensor<1x4x3x64xf32>, tensor<1x4x3x64xf32>
  return %0 : tensor<1x4x8x64xf32>
}
