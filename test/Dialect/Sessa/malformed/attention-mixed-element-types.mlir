// Malformed input: f16 keys with f32 queries (verifier).
// sessa-opt must exit with 1 and a located error, never crash.
// RUN: not sessa-opt %s 2>&1 | FileCheck %s
// CHECK: {{.*}}attention-mixed-element-types.mlir:[[@LINE+3]]:8: error: 'sessa.attention' op operand 'key' has element type 'f16', but the op's element type is 'f32' (from operand 'query')
// CHECK-NOT: {{Stack dump|Assertion|PLEASE submit}}
func.func @f(%q: tensor<1x4x8x64xf32>, %k: tensor<1x4x8x64xf16>) -> tensor<1x4x8x64xf32> {
  %0 = sessa.attention %q, %k, %k : tensor<1x4x8x64xf32>, tensor<1x4x8x64xf16>, tensor<1x4x8x64xf16>
  return %0 : tensor<1x4x8x64xf32>
}
