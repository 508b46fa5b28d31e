// Malformed input: the file ends in the middle of an op.
// sessa-opt must exit with 1 and a located error, never crash.
// RUN: not sessa-opt %s 2>&1 | FileCheck %s
// CHECK: {{.*}}truncated.mlir:[[@LINE+3]]:69: error: expected non-function type
// CHECK-NOT: {{Stack dump|Assertion|PLEASE submit}}
func.func @f(%q: tensor<1x4x8x64xf32>) -> tensor<1x4x8x64xf32> {
  %0 = sessa.attention %q, %q, %q : tensor<1x4x8x64xf32>, tensor<1x4x