// RUN: sessa-opt %s --split-input-file --sessa-cpu-ukernels --canonicalize | FileCheck %s

// f32 products become sgemm calls with element strides: B[k, n] passes
// (sbk, sbn) = (16, 1); B[n, k] passes them swapped, (1, 4).

// CHECK-DAG: func.func private @sessa_ukernel_sgemm(i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64)
// CHECK-LABEL: func.func @products(
// CHECK-DAG: %[[C1:.+]] = arith.constant 1 : i64
// CHECK-DAG: %[[C4:.+]] = arith.constant 4 : i64
// CHECK-DAG: %[[C8:.+]] = arith.constant 8 : i64
// CHECK-DAG: %[[C16:.+]] = arith.constant 16 : i64
// CHECK-NOT: linalg.generic
// CHECK: call @sessa_ukernel_sgemm(%[[C8]], %[[C16]], %[[C4]], %{{.+}}, %[[C4]], %[[C1]], %{{.+}}, %[[C16]], %[[C1]], %{{.+}}, %[[C16]], %[[C1]])
// CHECK: call @sessa_ukernel_sgemm(%[[C8]], %[[C16]], %[[C4]], %{{.+}}, %[[C4]], %[[C1]], %{{.+}}, %[[C1]], %[[C4]], %{{.+}}, %[[C16]], %[[C1]])
// CHECK-NOT: linalg.generic
func.func @products(%a: memref<8x4xf32>, %b: memref<4x16xf32>, %bt: memref<16x4xf32>, %c: memref<8x16xf32>) {
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : memref<8x4xf32>, memref<4x16xf32>) outs(%c : memref<8x16xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %bt : memref<8x4xf32>, memref<16x4xf32>) outs(%c : memref<8x16xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// The attention keys [B, S, Hk, d] -> [B, Hk, d, S]: loops over (b, h), one
// 2-D transpose of [S = 300, d = 16] (source rows 48 apart) into [d, S]
// (destination rows 300 apart) each, at offsets b*14400 + h*16 (source) and
// b*14400 + h*4800 (destination).

// CHECK-DAG: func.func private @sessa_ukernel_transpose(i64, i64, i64, i64, i64, i64, i64, i64)
// CHECK-LABEL: func.func @keys(
// CHECK-DAG: %[[ONE:.+]] = arith.constant 1 : i64
// CHECK-DAG: %[[C48:.+]] = arith.constant 48 : i64
// CHECK-DAG: %[[C16:.+]] = arith.constant 16 : i64
// CHECK-DAG: %[[C300:.+]] = arith.constant 300 : i64
// CHECK-DAG: %[[C14400:.+]] = arith.constant 14400 : index
// CHECK-DAG: %[[C4800:.+]] = arith.constant 4800 : index
// CHECK-DAG: %[[C16I:.+]] = arith.constant 16 : index
// CHECK: scf.for %[[B:.+]] = %{{.+}} to %{{.+}} step
// CHECK: %[[SB:.+]] = arith.muli %[[B]], %[[C14400]] : index
// CHECK: %[[DB:.+]] = arith.muli %[[B]], %[[C14400]] : index
// CHECK: scf.for %[[H:.+]] = %{{.+}} to %{{.+}} step
// CHECK: arith.muli %[[H]], %[[C16I]] : index
// CHECK: arith.muli %[[H]], %[[C4800]] : index
// CHECK: func.call @sessa_ukernel_transpose(%[[C300]], %[[C16]], %{{.+}}, %[[C48]], %[[ONE]], %{{.+}}, %[[C300]], %[[ONE]])
// CHECK-NOT: linalg.transpose
func.func @keys(%k: memref<2x300x3x16xf32>, %kt: memref<2x3x16x300xf32>) {
  linalg.transpose ins(%k : memref<2x300x3x16xf32>) outs(%kt : memref<2x3x16x300xf32>) permutation = [0, 2, 3, 1]
  return
}

// -----

// A transpose that keeps the innermost dimension copies contiguous rows:
// left to the loop lowering.

// CHECK-LABEL: func.func @inner_kept(
// CHECK-NOT: sessa_ukernel_transpose
// CHECK: linalg.transpose
func.func @inner_kept(%a: memref<4x5x6xf32>, %b: memref<5x4x6xf32>) {
  linalg.transpose ins(%a : memref<4x5x6xf32>) outs(%b : memref<5x4x6xf32>) permutation = [1, 0, 2]
  return
}

// -----

// Only f32 has a kernel.

// CHECK-LABEL: func.func @not_f32(
// CHECK-NOT: sessa_ukernel_transpose
// CHECK: linalg.transpose
func.func @not_f32(%a: memref<4x6xf16>, %b: memref<6x4xf16>) {
  linalg.transpose ins(%a : memref<4x6xf16>) outs(%b : memref<6x4xf16>) permutation = [1, 0]
  return
}

// -----

// A strided source: its offset and row stride come from its metadata.

// CHECK-LABEL: func.func @strided(
// CHECK-DAG: %[[ONE:.+]] = arith.constant 1 : i64
// CHECK-DAG: %[[C9:.+]] = arith.constant 9 : i64
// CHECK-DAG: %[[C7:.+]] = arith.constant 7 : i64
// CHECK: %{{.+}}, %[[OFF:.+]], %{{.+}}:2, %[[STR:.+]]:2 = memref.extract_strided_metadata %{{.+}} : memref<7x9xf32, strided<[?, 1], offset: ?>>
// CHECK: %[[SROW:.+]] = arith.index_cast %[[STR]]#0 : index to i64
// CHECK: call @sessa_ukernel_transpose(%[[C7]], %[[C9]], %{{.+}}, %[[SROW]], %[[ONE]], %{{.+}}, %[[C7]], %[[ONE]])
func.func @strided(%a: memref<7x9xf32, strided<[?, 1], offset: ?>>, %b: memref<9x7xf32>) {
  linalg.transpose ins(%a : memref<7x9xf32, strided<[?, 1], offset: ?>>) outs(%b : memref<9x7xf32>) permutation = [1, 0]
  return
}
