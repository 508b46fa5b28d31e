// Malformed input: selective_scan bound to a single result name.
// sessa-opt must exit with 1 and a located error, never crash.
// RUN: not sessa-opt %s 2>&1 | FileCheck %s
// CHECK: {{.*}}scan-one-result-name.mlir:[[@LINE+3]]:3: error: operation defines 2 results but was provided 1 to bind
// CHECK-NOT: {{Stack dump|Assertion|PLEASE submit}}
func.func @f(%u: tensor<2x4x8xf32>, %A: tensor<8x2xf32>, %B: tensor<2x4x1x2xf32>) {
  %y = sessa.selective_scan %u, %u, %A, %B, %B : tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<8x2xf32>, tensor<2x4x1x2xf32>, tensor<2x4x1x2xf32> -> tensor<2x4x8xf32>, tensor<2x8x2xf32>
  return
}
