// Malformed input: generic form with an operandSegmentSizes of the wrong length.
// sessa-opt must exit with 1 and a located error, never crash.
// RUN: not sessa-opt %s 2>&1 | FileCheck %s
// CHECK: {{.*}}feedback-bad-segment-sizes.mlir:[[@LINE+3]]:8: error: invalid properties {operandSegmentSizes = array<i32: 1, 1, 1, 1>} for op sessa.feedback_attention: size mismatch in attribute conversion: 4 vs 6
// CHECK-NOT: {{Stack dump|Assertion|PLEASE submit}}
func.func @f(%f: tensor<1x4x1x32xf32>, %g: tensor<1x4x1xf32>) -> tensor<1x4x1x32xf32> {
  %s = "sessa.feedback_attention"(%f, %f, %f, %g) <{operandSegmentSizes = array<i32: 1, 1, 1, 1>}> : (tensor<1x4x1x32xf32>, tensor<1x4x1x32xf32>, tensor<1x4x1x32xf32>, tensor<1x4x1xf32>) -> tensor<1x4x1x32xf32>
  return %s : tensor<1x4x1x32xf32>
}
