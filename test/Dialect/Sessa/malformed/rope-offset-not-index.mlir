// Malformed input: offset operand of type i32 instead of index.
// sessa-opt must exit with 1 and a located error, never crash.
// RUN: not sessa-opt %s 2>&1 | FileCheck %s
// CHECK: {{.*}}rope-offset-not-index.mlir:[[@LINE+3]]:29: error: use of value '%p' expects different type than prior uses: 'index' vs 'i32'
// CHECK-NOT: {{Stack dump|Assertion|PLEASE submit}}
func.func @f(%x: tensor<1x4x8x64xf32>, %p: i32) -> tensor<1x4x8x64xf32> {
  %0 = sessa.rope %x offset(%p) : tensor<1x4x8x64xf32>
  return %0 : tensor<1x4x8x64xf32>
}
