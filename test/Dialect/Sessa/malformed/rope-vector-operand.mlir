// Malformed input: a vector operand instead of a tensor.
// sessa-opt must exit with 1 and a located error, never crash.
// RUN: not sessa-opt %s 2>&1 | FileCheck %s
// CHECK: {{.*}}rope-vector-operand.mlir:[[@LINE+3]]:24: error: custom op 'sessa.rope' invalid kind of type specified: expected builtin.tensor, but found 'vector<1x4x8x64xf32>'
// CHECK-NOT: {{Stack dump|Assertion|PLEASE submit}}
func.func @f(%x: vector<1x4x8x64xf32>) {
  %0 = sessa.rope %x : vector<1x4x8x64xf32>
  return
}
