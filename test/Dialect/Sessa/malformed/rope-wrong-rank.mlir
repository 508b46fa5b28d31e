// Malformed input: sessa.rope on a rank-3 tensor (verifier).
// sessa-opt must exit with 1 and a located error, never crash.
// RUN: not sessa-opt %s 2>&1 | FileCheck %s
// CHECK: {{.*}}rope-wrong-rank.mlir:[[@LINE+3]]:8: error: 'sessa.rope' op operand 'input' must have rank 4 with shape [B, T, H, d]
// CHECK-NOT: {{Stack dump|Assertion|PLEASE submit}}
func.func @f(%x: tensor<2x16x64xf32>) -> tensor<2x16x64xf32> {
  %0 = sessa.rope %x : tensor<2x16x64xf32>
  return %0 : tensor<2x16x64xf32>
}
