// sessa-forward-result-buffers: a result written into its own buffer and
// copied into an output argument at the end is written into the argument.

// RUN: sessa-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(sessa-forward-result-buffers))" | FileCheck %s

// The kernel's buffer becomes the output argument: no alloc, no copy.
// CHECK-LABEL: func.func @forwarded
// CHECK-SAME:    (%[[IN:.*]]: memref<?x8xf32>, %[[OUT:.*]]: memref<?x8xf32>)
// CHECK-NOT:     memref.alloc
// CHECK:         gpu.launch
// CHECK:           memref.store %{{.*}}, %[[OUT]][
// CHECK:         memref.subview %[[OUT]]
// CHECK-NOT:     memref.copy
// CHECK:         return
func.func @forwarded(%in: memref<?x8xf32>, %out: memref<?x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %in, %c0 : memref<?x8xf32>
  %buf = memref.alloc(%n) : memref<?x8xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %v = memref.load %in[%c0, %c0] : memref<?x8xf32>
    memref.store %v, %buf[%c0, %c0] : memref<?x8xf32>
    gpu.terminator
  }
  %row = memref.subview %buf[0, 0] [1, 8] [1, 1] : memref<?x8xf32> to memref<1x8xf32, strided<[8, 1]>>
  %x = memref.load %row[%c0, %c0] : memref<1x8xf32, strided<[8, 1]>>
  memref.copy %buf, %out : memref<?x8xf32> to memref<?x8xf32>
  return
}

// -----

// Kept: a use of the buffer after the copy (a later write would not reach
// the output), an output used twice, a private function, a type mismatch.
// CHECK-LABEL: func.func @used_after
// CHECK:         %[[A:.*]] = memref.alloc
// CHECK:         memref.copy %[[A]], %{{.*}}
// CHECK:         memref.store %{{.*}}, %[[A]]
func.func @used_after(%out: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %f = arith.constant 1.0 : f32
  %buf = memref.alloc() : memref<4xf32>
  memref.store %f, %buf[%c0] : memref<4xf32>
  memref.copy %buf, %out : memref<4xf32> to memref<4xf32>
  memref.store %f, %buf[%c0] : memref<4xf32>
  return
}

// CHECK-LABEL: func.func @output_read
// CHECK:         memref.alloc
// CHECK:         memref.copy
func.func @output_read(%out: memref<4xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %f = arith.constant 1.0 : f32
  %buf = memref.alloc() : memref<4xf32>
  memref.store %f, %buf[%c0] : memref<4xf32>
  memref.copy %buf, %out : memref<4xf32> to memref<4xf32>
  %r = memref.load %out[%c0] : memref<4xf32>
  return %r : f32
}

// CHECK-LABEL: func.func private @internal
// CHECK:         memref.alloc
// CHECK:         memref.copy
func.func private @internal(%out: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %f = arith.constant 1.0 : f32
  %buf = memref.alloc() : memref<4xf32>
  memref.store %f, %buf[%c0] : memref<4xf32>
  memref.copy %buf, %out : memref<4xf32> to memref<4xf32>
  return
}

// CHECK-LABEL: func.func @freed
// CHECK:         memref.alloc
// CHECK:         memref.copy
func.func @freed(%out: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %f = arith.constant 1.0 : f32
  %buf = memref.alloc() : memref<4xf32>
  memref.store %f, %buf[%c0] : memref<4xf32>
  memref.copy %buf, %out : memref<4xf32> to memref<4xf32>
  memref.dealloc %buf : memref<4xf32>
  return
}

// -----

// A result computed on collapsed rows and returned through a reshape: the
// kernel writes a collapse of the output argument (no alloc, no copy).
// CHECK-LABEL: func.func @forwarded_reshape
// CHECK-SAME:    (%[[IN:.*]]: memref<?x8xf32>, %[[OUT:.*]]: memref<?x2x8xf32>)
// CHECK-NOT:     memref.alloc
// CHECK:         %[[ROWS:.*]] = memref.collapse_shape %[[OUT]] {{\[}}[0, 1], [2]] : memref<?x2x8xf32> into memref<?x8xf32>
// CHECK:         gpu.launch
// CHECK:           memref.store %{{.*}}, %[[ROWS]][
// CHECK-NOT:     memref.copy
// CHECK:         return
func.func @forwarded_reshape(%in: memref<?x8xf32>, %out: memref<?x2x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %n = memref.dim %in, %c0 : memref<?x8xf32>
  %b = arith.divui %n, %c2 : index
  %buf = memref.alloc(%n) : memref<?x8xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %v = memref.load %in[%c0, %c0] : memref<?x8xf32>
    memref.store %v, %buf[%c0, %c0] : memref<?x8xf32>
    gpu.terminator
  }
  %e = memref.expand_shape %buf [[0, 1], [2]] output_shape [%b, 2, 8] : memref<?x8xf32> into memref<?x2x8xf32>
  memref.copy %e, %out : memref<?x2x8xf32> to memref<?x2x8xf32>
  return
}

// The other direction: a buffer of [B, T, D] returned as [B*T, D] rows.
// CHECK-LABEL: func.func @forwarded_collapse
// CHECK-SAME:    (%[[IN:.*]]: memref<?x2x8xf32>, %[[OUT:.*]]: memref<?x8xf32>)
// CHECK-NOT:     memref.alloc
// CHECK:         %[[E:.*]] = memref.expand_shape %[[OUT]] {{\[}}[0, 1], [2]] output_shape [%{{.*}}, 2, 8] : memref<?x8xf32> into memref<?x2x8xf32>
// CHECK:         memref.store %{{.*}}, %[[E]][
// CHECK-NOT:     memref.copy
func.func @forwarded_collapse(%in: memref<?x2x8xf32>, %out: memref<?x8xf32>) {
  %c0 = arith.constant 0 : index
  %f = arith.constant 1.0 : f32
  %n = memref.dim %in, %c0 : memref<?x2x8xf32>
  %buf = memref.alloc(%n) : memref<?x2x8xf32>
  memref.store %f, %buf[%c0, %c0, %c0] : memref<?x2x8xf32>
  %c = memref.collapse_shape %buf [[0, 1], [2]] : memref<?x2x8xf32> into memref<?x8xf32>
  memref.copy %c, %out : memref<?x8xf32> to memref<?x8xf32>
  return
}

// Kept: a reshape whose result type is not the output's.
// CHECK-LABEL: func.func @reshape_mismatch
// CHECK:         memref.alloc
// CHECK:         memref.copy
func.func @reshape_mismatch(%out: memref<2x4xf32, strided<[8, 1]>>) {
  %c0 = arith.constant 0 : index
  %f = arith.constant 1.0 : f32
  %buf = memref.alloc() : memref<8xf32>
  memref.store %f, %buf[%c0] : memref<8xf32>
  %e = memref.expand_shape %buf [[0, 1]] output_shape [2, 4] : memref<8xf32> into memref<2x4xf32>
  memref.copy %e, %out : memref<2x4xf32> to memref<2x4xf32, strided<[8, 1]>>
  return
}
