// sessa-guard-in-place-copies wraps a memref.copy between views of two
// different function arguments in an scf.if that skips it when both views
// are the same memory (same aligned base pointer, offset and strides of the
// dimensions whose size is not 1): a
// cache output passed as the same buffer as its cache input (decoding in
// place). Copies from or into local buffers, and copies within one argument,
// are left alone.

// RUN: sessa-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(sessa-guard-in-place-copies))" | FileCheck %s

// CHECK-LABEL: func.func @extend_cache(
// CHECK-SAME: %[[IN:[^ ,:]+]]: memref<?x?x4xf32, strided<[?, 4, 1]>>, %[[NEW:[^ ,:]+]]: memref<?x1x4xf32>, %[[OUT:[^ ,:]+]]: memref<?x?x4xf32, strided<[?, 4, 1]>>)
// CHECK: %[[VIEW:.+]] = memref.subview %[[OUT]][0, 0, 0] [%{{.+}}, %{{.+}}, 4] [1, 1, 1]
// CHECK-NEXT: %{{.+}}, %[[OFF_A:.+]], %[[SIZE_A:.+]]:3, %[[STR_A:.+]]:3 = memref.extract_strided_metadata %[[IN]]
// CHECK-NEXT: %{{.+}}, %[[OFF_B:.+]], %{{.+}}:3, %[[STR_B:.+]]:3 = memref.extract_strided_metadata %[[VIEW]]
// CHECK-NEXT: %[[PA:.+]] = memref.extract_aligned_pointer_as_index %[[IN]]
// CHECK-NEXT: %[[PB:.+]] = memref.extract_aligned_pointer_as_index %[[VIEW]]
// CHECK-NEXT: %[[D0:.+]] = arith.cmpi ne, %[[PA]], %[[PB]] : index
// CHECK-NEXT: %[[D1:.+]] = arith.cmpi ne, %[[OFF_A]], %[[OFF_B]] : index
// CHECK-NEXT: %[[O1:.+]] = arith.ori %[[D0]], %[[D1]] : i1
// A dynamic dimension's stride counts only when its size is not 1.
// CHECK-NEXT: %[[D2:.+]] = arith.cmpi ne, %[[STR_A]]#0, %[[STR_B]]#0 : index
// CHECK-NEXT: %[[ONE:.+]] = arith.constant 1 : index
// CHECK-NEXT: %[[N0:.+]] = arith.cmpi ne, %[[SIZE_A]]#0, %[[ONE]] : index
// CHECK-NEXT: %[[A0:.+]] = arith.andi %[[D2]], %[[N0]] : i1
// CHECK-NEXT: %[[O2:.+]] = arith.ori %[[O1]], %[[A0]] : i1
// CHECK-NEXT: %[[D3:.+]] = arith.cmpi ne, %[[STR_A]]#1, %[[STR_B]]#1 : index
// CHECK-NEXT: %[[N1:.+]] = arith.cmpi ne, %[[SIZE_A]]#1, %[[ONE]] : index
// CHECK-NEXT: %[[A1:.+]] = arith.andi %[[D3]], %[[N1]] : i1
// CHECK-NEXT: %[[O3:.+]] = arith.ori %[[O2]], %[[A1]] : i1
// CHECK-NEXT: %[[D4:.+]] = arith.cmpi ne, %[[STR_A]]#2, %[[STR_B]]#2 : index
// CHECK-NEXT: %[[O4:.+]] = arith.ori %[[O3]], %[[D4]] : i1
// CHECK-NEXT: scf.if %[[O4]] {
// CHECK-NEXT: memref.copy %[[IN]], %[[VIEW]]
// CHECK-NEXT: }
// The new row comes from another argument too: guarded the same way.
// CHECK: %[[ROW:.+]] = memref.subview %[[OUT]][0, %{{.+}}, 0] [%{{.+}}, 1, 4] [1, 1, 1]
// CHECK: scf.if
// CHECK-NEXT: memref.copy %[[NEW]], %[[ROW]]
// CHECK-NEXT: }
// CHECK-NEXT: return
func.func @extend_cache(%in: memref<?x?x4xf32, strided<[?, 4, 1]>>, %new: memref<?x1x4xf32>, %out: memref<?x?x4xf32, strided<[?, 4, 1]>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %b = memref.dim %in, %c0 : memref<?x?x4xf32, strided<[?, 4, 1]>>
  %p = memref.dim %in, %c1 : memref<?x?x4xf32, strided<[?, 4, 1]>>
  %view = memref.subview %out[0, 0, 0] [%b, %p, 4] [1, 1, 1] : memref<?x?x4xf32, strided<[?, 4, 1]>> to memref<?x?x4xf32, strided<[?, 4, 1]>>
  memref.copy %in, %view : memref<?x?x4xf32, strided<[?, 4, 1]>> to memref<?x?x4xf32, strided<[?, 4, 1]>>
  %row = memref.subview %out[0, %p, 0] [%b, 1, 4] [1, 1, 1] : memref<?x?x4xf32, strided<[?, 4, 1]>> to memref<?x1x4xf32, strided<[?, 4, 1], offset: ?>>
  memref.copy %new, %row : memref<?x1x4xf32> to memref<?x1x4xf32, strided<[?, 4, 1], offset: ?>>
  return
}

// -----

// A local buffer, a cast of an argument onto a view of the same argument:
// no guard.
// CHECK-LABEL: func.func @unguarded(
// CHECK-NOT: scf.if
// CHECK: memref.copy
// CHECK-NOT: scf.if
// CHECK: memref.copy
// CHECK-NOT: scf.if
// CHECK: return
func.func @unguarded(%a: memref<8xf32>, %out: memref<8xf32>) {
  %tmp = memref.alloc() : memref<8xf32>
  memref.copy %tmp, %out : memref<8xf32> to memref<8xf32>
  %cast = memref.cast %a : memref<8xf32> to memref<?xf32>
  %half = memref.subview %a[4] [4] [1] : memref<8xf32> to memref<4xf32, strided<[1], offset: 4>>
  %lo = memref.subview %cast[0] [4] [1] : memref<?xf32> to memref<4xf32, strided<[1]>>
  memref.copy %lo, %half : memref<4xf32, strided<[1]>> to memref<4xf32, strided<[1], offset: 4>>
  memref.dealloc %tmp : memref<8xf32>
  return
}

// -----

// One batch (a static size 1): its stride is not compared, so a dense
// one-batch cache (batch stride P rows in, P + 1 rows out) is recognized as
// the same memory.
// CHECK-LABEL: func.func @one_batch(
// CHECK: %{{.+}}, %{{.+}}, %{{.+}}:2, %[[STR_A:.+]]:2 = memref.extract_strided_metadata
// CHECK: %{{.+}}, %{{.+}}, %{{.+}}:2, %[[STR_B:.+]]:2 = memref.extract_strided_metadata
// CHECK-NOT: %[[STR_A]]#0
// CHECK: arith.cmpi ne, %[[STR_A]]#1, %[[STR_B]]#1 : index
// CHECK: scf.if
// CHECK-NEXT: memref.copy
func.func @one_batch(%in: memref<1x?xf32, strided<[?, 1]>>, %out: memref<1x?xf32, strided<[?, 1]>>) {
  %c1 = arith.constant 1 : index
  %p = memref.dim %in, %c1 : memref<1x?xf32, strided<[?, 1]>>
  %view = memref.subview %out[0, 0] [1, %p] [1, 1] : memref<1x?xf32, strided<[?, 1]>> to memref<1x?xf32, strided<[?, 1]>>
  memref.copy %in, %view : memref<1x?xf32, strided<[?, 1]>> to memref<1x?xf32, strided<[?, 1]>>
  return
}
