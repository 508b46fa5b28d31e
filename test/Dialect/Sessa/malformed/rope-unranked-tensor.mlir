// Malformed input: an unranked tensor.
// sessa-opt must exit with 1 and a located error, never crash.
// RUN: not sessa-opt %s 2>&1 | FileCheck %s
// CHECK: {{.*}}rope-unranked-tensor.mlir:[[@LINE+3]]:24: error: custom op 'sessa.rope' invalid kind of type specified: expected builtin.tensor, but found 'tensor<*xf32>'
// CHECK-NOT: {{Stack dump|Assertion|PLEASE submit}}
func.func @f(%x: tensor<*xf32>) -> tensor<*xf32> {
  %0 = sessa.rope %x : tensor<*xf32>
  return %0 : tensor<*xf32>
}
