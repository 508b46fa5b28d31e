// Structure of the sessa.rope GPU kernel (SPEC section 1): one gpu.launch,
// grid (T, row groups), block (pair groups, rows); the angles of a thread's
// pairs in f64 (w_i = base^(-2i/d), phi = (P + t) w_i), cos/sin rounded to
// f32, then those pairs rotated in every (b, h) row the thread owns, 4 rows
// loaded (16-byte vectors) before any is stored; f32 arithmetic, stores in
// the storage type into a fresh buffer returned as a tensor.

// RUN: sessa-opt %s --split-input-file --convert-sessa-to-gpu --cse | FileCheck %s

// f32, d = 64: 2 pairs (16 bytes) a thread, 16 groups x 8 rows a block;
// grid x = T = 16, y = ceil(B*H / (8 rows x 8 rows a thread)).
// CHECK-LABEL: func.func @rope_f32(
// CHECK-SAME: %[[X:[^ ,:]+]]: tensor<2x16x8x64xf32>) -> tensor<2x16x8x64xf32>
// CHECK-NOT: sessa.
// CHECK: %[[IN:.+]] = bufferization.to_buffer %[[X]] read_only : tensor<2x16x8x64xf32> to memref<2x16x8x64xf32>
// CHECK: %[[OUT:.+]] = memref.alloc() : memref<2x16x8x64xf32>
// CHECK: %[[C16:.+]] = arith.constant 16 : index
// CHECK: %[[C8:.+]] = arith.constant 8 : index
// CHECK: %[[BH:.+]] = arith.muli %{{.+}}, %[[C8]] : index
// CHECK: %[[C64:.+]] = arith.constant 64 : index
// CHECK: %[[GY0:.+]] = arith.ceildivui %[[BH]], %[[C64]] : index
// CHECK: %[[GY:.+]] = arith.maxui %[[GY0]], %[[C1:.+]] : index
// CHECK: %[[GX:.+]] = arith.maxui %[[C16]], %[[C1]] : index
// CHECK: gpu.launch blocks(%[[BX:[^,]+]], %{{[^,]+}}, %{{[^)]+}}) in (%{{[^ ]+}} = %[[GX]], %{{[^ ]+}} = %[[GY]], %{{[^ ]+}} = %[[C1]]) threads(%[[TX:[^,]+]], %{{[^,]+}}, %{{[^)]+}}) in (%{{[^ ]+}} = %[[C16]], %{{[^ ]+}} = %[[C8]], %{{[^ ]+}} = %[[C1]]) {
// CHECK-NOT: workgroup
// Static offset 0: position = 0 + blockIdx.x, in f64.
// CHECK: %[[P0:.+]] = arith.constant 0 : index
// CHECK: %[[POS:.+]] = arith.addi %[[P0]], %[[BX]] : index
// CHECK: %[[POSI:.+]] = arith.index_cast %[[POS]] : index to i64
// CHECK: %[[POSF:.+]] = arith.sitofp %[[POSI]] : i64 to f64
// CHECK: scf.if
// The pair groups of a row, strided by blockDim.x; two angles each.
// CHECK: scf.for %{{.+}} = %[[TX]] to %[[C16]] step
// CHECK: arith.constant -3.125000e-02 : f64
// CHECK: %[[W:.+]] = math.powf %{{.+}}, %{{.+}} : f64
// CHECK: %[[PHI:.+]] = arith.mulf %[[POSF]], %[[W]] : f64
// CHECK: %[[COS:.+]] = math.cos %[[PHI]] : f64
// CHECK: %[[C:.+]] = arith.truncf %[[COS]] : f64 to f32
// CHECK: %[[SIN:.+]] = math.sin %[[PHI]] : f64
// CHECK: %[[S:.+]] = arith.truncf %[[SIN]] : f64 to f32
// CHECK: math.powf
// CHECK: math.cos
// CHECK: math.sin
// The (b, h) rows of this thread, 4 loads (clamped rows) before the stores.
// CHECK: scf.for
// CHECK: %[[V0:.+]] = vector.load %[[IN]]{{.+}} {alignment = 16 : i64} : memref<2x16x8x64xf32>, vector<4xf32>
// CHECK: vector.load %[[IN]]
// CHECK: vector.load %[[IN]]
// CHECK: vector.load %[[IN]]
// CHECK: scf.if
// CHECK: %[[X0:.+]] = vector.extract %[[V0]][0] : f32 from vector<4xf32>
// CHECK: %[[X1:.+]] = vector.extract %[[V0]][1] : f32 from vector<4xf32>
// CHECK: %[[A:.+]] = arith.mulf %[[X0]], %[[C]] : f32
// CHECK: %[[B:.+]] = arith.mulf %[[X1]], %[[S]] : f32
// CHECK: %[[E:.+]] = arith.subf %[[A]], %[[B]] : f32
// CHECK: %[[A2:.+]] = arith.mulf %[[X0]], %[[S]] : f32
// CHECK: %[[B2:.+]] = arith.mulf %[[X1]], %[[C]] : f32
// CHECK: %[[O:.+]] = arith.addf %[[A2]], %[[B2]] : f32
// CHECK: %[[R:.+]] = vector.from_elements %[[E]], %[[O]], %{{.+}}, %{{.+}} : vector<4xf32>
// CHECK: vector.store %[[R]], %[[OUT]]{{.+}} {alignment = 16 : i64} : memref<2x16x8x64xf32>, vector<4xf32>
// CHECK: gpu.terminator
// CHECK: %[[T:.+]] = bufferization.to_tensor %[[OUT]] restrict writable : memref<2x16x8x64xf32> to tensor<2x16x8x64xf32>
// CHECK: return %[[T]]
func.func @rope_f32(%x: tensor<2x16x8x64xf32>) -> tensor<2x16x8x64xf32> {
  %o = sessa.rope %x : tensor<2x16x8x64xf32>
  return %o : tensor<2x16x8x64xf32>
}

// -----

// bf16 storage, dynamic T and offset: 4 pairs (16 bytes) a thread; the grid
// follows T, the offset operand enters the position, elements are widened
// to f32 and the results rounded to bf16.
// CHECK-LABEL: func.func @rope_bf16_offset(
// CHECK-SAME: %[[X:[^ ,:]+]]: tensor<1x?x4x128xbf16>, %[[P:[^ ,:]+]]: index)
// CHECK: %[[IN:.+]] = bufferization.to_buffer %[[X]] read_only
// CHECK: %[[T:.+]] = memref.dim %[[IN]], %{{.+}} : memref<1x?x4x128xbf16>
// CHECK: %[[OUT:.+]] = memref.alloc(%[[T]]) : memref<1x?x4x128xbf16>
// CHECK: %[[GX:.+]] = arith.maxui %[[T]], %{{.+}} : index
// CHECK: gpu.launch blocks(%[[BX:[^,]+]], %{{[^,]+}}, %{{[^)]+}}) in (%{{[^ ]+}} = %[[GX]],
// CHECK: arith.addi %[[P]], %[[BX]] : index
// CHECK-COUNT-4: math.cos %{{.+}} : f64
// CHECK: %[[L:.+]] = vector.load %[[IN]]{{.+}} : memref<1x?x4x128xbf16>, vector<8xbf16>
// CHECK: %[[E:.+]] = vector.extract %[[L]][0] : bf16 from vector<8xbf16>
// CHECK: arith.extf %[[E]] : bf16 to f32
// CHECK: %[[TR:.+]] = arith.truncf %{{.+}} : f32 to bf16
// CHECK: %[[V:.+]] = vector.from_elements %[[TR]],
// CHECK: vector.store %[[V]], %[[OUT]]
func.func @rope_bf16_offset(%x: tensor<1x?x4x128xbf16>, %p: index) -> tensor<1x?x4x128xbf16> {
  %o = sessa.rope %x offset(%p) : tensor<1x?x4x128xbf16>
  return %o : tensor<1x?x4x128xbf16>
}

// -----

// d = 10, f32: 5 pairs do not split into 16-byte groups: one pair (8 bytes)
// a thread.
// CHECK-LABEL: func.func @rope_odd_pairs(
// CHECK: vector.load {{.+}} {alignment = 8 : i64} : memref<3x5x2x10xf32>, vector<2xf32>
func.func @rope_odd_pairs(%x: tensor<3x5x2x10xf32>) -> tensor<3x5x2x10xf32> {
  %o = sessa.rope %x {base = 5.0e+05 : f64} : tensor<3x5x2x10xf32>
  return %o : tensor<3x5x2x10xf32>
}
