// Malformed input: an op the dialect does not define.
// sessa-opt must exit with 1 and a located error, never crash.
// RUN: not sessa-opt %s 2>&1 | FileCheck %s
// CHECK: {{.*}}unknown-op.mlir:[[@LINE+3]]:8: error: custom op 'sessa.foo' is unknown
// CHECK-NOT: {{Stack dump|Assertion|PLEASE submit}}
func.func @f(%x: tensor<1x4x8x64xf32>) -> tensor<1x4x8x64xf32> {
  %0 = sessa.foo %x : tensor<1x4x8x64xf32>
  return %0 : tensor<1x4x8x64xf32>
}
