// Malformed input: the same attribute given twice.
// sessa-opt must exit with 1 and a located error, never crash.
// RUN: not sessa-opt %s 2>&1 | FileCheck %s
// CHECK: {{.*}}duplicate-attribute.mlir:[[@LINE+3]]:49: error: duplicate key 'scale' in dictionary attribute
// CHECK-NOT: {{Stack dump|Assertion|PLEASE submit}}
func.func @f(%q: tensor<1x4x8x64xf32>) -> tensor<1x4x8x64xf32> {
  %0 = sessa.attention %q, %q, %q {scale = 1.0, scale = 2.0} : tensor<1x4x8x64xf32>, tensor<1x4x8x64xf32>, tensor<1x4x8x64xf32>
  return %0 : tensor<1x4x8x64xf32>
}
