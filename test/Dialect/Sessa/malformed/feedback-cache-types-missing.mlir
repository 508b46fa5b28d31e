// Malformed input: cache operands given but their types left out.
// sessa-opt must exit with 1 and a located error, never crash.
// RUN: not sessa-opt %s 2>&1 | FileCheck %s
// CHECK: {{.*}}feedback-cache-types-missing.mlir:[[@LINE+3]]:54: error: custom op 'sessa.feedback_attention' number of operands and types do not match: got 1 operands and 0 types
// CHECK-NOT: {{Stack dump|Assertion|PLEASE submit}}
func.func @f(%f: tensor<1x4x1x32xf32>, %g: tensor<1x4x1xf32>, %p: tensor<1x9x1x32xf32>) -> tensor<1x4x1x32xf32> {
  %s = sessa.feedback_attention %f, %f, %f, %g cache(%p, %p) : tensor<1x4x1x32xf32>, tensor<1x4x1x32xf32>, tensor<1x4x1x32xf32>, tensor<1x4x1xf32>
  return %s : tensor<1x4x1x32xf32>
}
