// Every tile option of convert-sessa-to-linalg must be positive; zero or a
// negative size fails the pass before anything is rewritten.

// RUN: not sessa-opt %s --convert-sessa-to-linalg="attention-query-tile=0" 2>&1 | FileCheck %s
// RUN: not sessa-opt %s --convert-sessa-to-linalg="key-tile=0" 2>&1 | FileCheck %s
// RUN: not sessa-opt %s --convert-sessa-to-linalg="feedback-chunk=0" 2>&1 | FileCheck %s
// RUN: not sessa-opt %s --convert-sessa-to-linalg="scan-channel-tile=0" 2>&1 | FileCheck %s
// RUN: not sessa-opt %s --convert-sessa-to-linalg="key-tile=-8" 2>&1 | FileCheck %s
// The same options through the CPU pipeline.
// RUN: not sessa-opt %s --sessa-cpu-pipeline="feedback-chunk=0" 2>&1 | FileCheck %s

// CHECK: error: convert-sessa-to-linalg: tile sizes must be positive
// CHECK-NOT: linalg.generic
// CHECK-NOT: llvm.func

func.func @rope(%x: tensor<1x4x2x8xf32>) -> tensor<1x4x2x8xf32> {
  %r = sessa.rope %x : tensor<1x4x2x8xf32>
  return %r : tensor<1x4x2x8xf32>
}
