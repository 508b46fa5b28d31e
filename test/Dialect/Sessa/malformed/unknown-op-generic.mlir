// Malformed input: an unregistered op in the generic form.
// sessa-opt must exit with 1 and a located error, never crash.
// RUN: not sessa-opt %s 2>&1 | FileCheck %s
// CHECK: {{.*}}unknown-op-generic.mlir:[[@LINE+3]]:8: error: unregistered operation 'sessa.rotary' found in dialect ('sessa') that does not allow unknown operations
// CHECK-NOT: {{Stack dump|Assertion|PLEASE submit}}
func.func @f(%x: tensor<1x4x8x64xf32>) -> tensor<1x4x8x64xf32> {
  %0 = "sessa.rotary"(%x) : (tensor<1x4x8x64xf32>) -> tensor<1x4x8x64xf32>
  return %0 : tensor<1x4x8x64xf32>
}
