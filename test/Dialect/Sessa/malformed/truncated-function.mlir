// Malformed input: the file ends before the closing brace.
// sessa-opt must exit with 1 and a located error, never crash.
// RUN: not sessa-opt %s 2>&1 | FileCheck %s
// CHECK: {{.*}}truncated-function.mlir:[[@LINE+4]]:34: error: expected operation name in quotes
// CHECK-NOT: {{Stack dump|Assertion|PLEASE submit}}
func.func @f(%x: tensor<1x4x8x64xf32>) -> tensor<1x4x8x64xf32> {
  %0 = sessa.rope %x : tensor<1x4x8x64xf32>
  return %0 : tensor<1x4x8x64xf32>