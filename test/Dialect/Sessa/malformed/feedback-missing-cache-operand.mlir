// Malformed input: cache( with only kb_prev in the custom syntax.
// sessa-opt must exit with 1 and a located error, never crash.
// RUN: not sessa-opt %s 2>&1 | FileCheck %s
// CHECK: {{.*}}feedback-missing-cache-operand.mlir:[[@LINE+3]]:56: error: expected ','
// CHECK-NOT: {{Stack dump|Assertion|PLEASE submit}}
func.func @f(%f: tensor<1x4x1x32xf32>, %g: tensor<1x4x1xf32>, %p: tensor<1x9x1x32xf32>) -> tensor<1x4x1x32xf32> {
  %s = sessa.feedback_attention %f, %f, %f, %g cache(%p) : tensor<1x4x1x32xf32>, tensor<1x4x1x32xf32>, tensor<1x4x1x32xf32>, tensor<1x4x1xf32>, tensor<1x9x1x32xf32>
  return %s : tensor<1x4x1x32xf32>
}
