// Malformed input: static_offset given as a float.
// sessa-opt must exit with 1 and a located error, never crash.
// RUN: not sessa-opt %s 2>&1 | FileCheck %s
// CHECK: {{.*}}rope-static-offset-float.mlir:[[@LINE+3]]:22: error: custom op 'sessa.rope' 'sessa.rope' op attribute 'static_offset' failed to satisfy constraint: 64-bit signless integer attribute
// CHECK-NOT: {{Stack dump|Assertion|PLEASE submit}}
func.func @f(%x: tensor<1x4x8x64xf32>) -> tensor<1x4x8x64xf32> {
  %0 = sessa.rope %x {static_offset = 1.5} : tensor<1x4x8x64xf32>
  return %0 : tensor<1x4x8x64xf32>
}
