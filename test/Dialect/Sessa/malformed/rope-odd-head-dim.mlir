// Malformed input: odd head dimension (verifier).
// sessa-opt must exit with 1 and a located error, never crash.
// RUN: not sessa-opt %s 2>&1 | FileCheck %s
// CHECK: {{.*}}rope-odd-head-dim.mlir:[[@LINE+3]]:8: error: 'sessa.rope' op operand 'input' must have an even head dimension d (rotary pairs), but d = 63
// CHECK-NOT: {{Stack dump|Assertion|PLEASE submit}}
func.func @f(%x: tensor<1x4x8x63xbf16>) -> tensor<1x4x8x63xbf16> {
  %0 = sessa.rope %x : tensor<1x4x8x63xbf16>
  return %0 : tensor<1x4x8x63xbf16>
}
