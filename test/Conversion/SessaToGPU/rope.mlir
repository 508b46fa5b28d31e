// Structure of the sessa.rope GPU kernel (SPEC section 1): one gpu.launch,
// grid (T, row groups), block (pairs, rows); the angle of a (t, i) pair in
// f64 (w_i = base^(-2i/d), phi = (P + t) w_i), cos/sin rounded to f32, then
// the pair rotated in every (b, h) row the thread owns; f32 arithmetic,
// stores in the storage type into a fresh buffer returned as a tensor.

// RUN: sessa-opt %s --split-input-file --convert-sessa-to-gpu --cse | FileCheck %s

// CHECK-LABEL: func.func @rope_f32(
// CHECK-SAME: %[[X:[^ ,:]+]]: tensor<2x16x8x64xf32>) -> tensor<2x16x8x64xf32>
// CHECK-NOT: sessa.
// CHECK: %[[IN:.+]] = bufferization.to_buffer %[[X]] read_only : tensor<2x16x8x64xf32> to memref<2x16x8x64xf32>
// CHECK: %[[OUT:.+]] = memref.alloc() : memref<2x16x8x64xf32>
// d/2 = 32 pairs: 32 x 8 threads; grid x = T = 16, y = ceil(2*8 / (8*8)).
// CHECK: %[[C16:.+]] = arith.constant 16 : index
// CHECK: %[[C8:.+]] = arith.constant 8 : index
// CHECK: %[[BH:.+]] = arith.muli %{{.+}}, %[[C8]] : index
// CHECK: %[[C64:.+]] = arith.constant 64 : index
// CHECK: %[[GY0:.+]] = arith.ceildivui %[[BH]], %[[C64]] : index
// CHECK: %[[GY:.+]] = arith.maxui %[[GY0]], %[[C1:.+]] : index
// CHECK: %[[GX:.+]] = arith.maxui %[[C16]], %[[C1]] : index
// CHECK: %[[C32:.+]] = arith.constant 32 : index
// CHECK: gpu.launch blocks(%[[BX:[^,]+]], %{{[^,]+}}, %{{[^)]+}}) in (%{{[^ ]+}} = %[[GX]], %{{[^ ]+}} = %[[GY]], %{{[^ ]+}} = %[[C1]]) threads(%[[TX:[^,]+]], %{{[^,]+}}, %{{[^)]+}}) in (%{{[^ ]+}} = %[[C32]], %{{[^ ]+}} = %[[C8]], %{{[^ ]+}} = %[[C1]]) {
// CHECK-NOT: workgroup
// Static offset 0: position = 0 + blockIdx.x, in f64.
// CHECK: %[[P0:.+]] = arith.constant 0 : index
// CHECK: %[[POS:.+]] = arith.addi %[[P0]], %[[BX]] : index
// CHECK: %[[POSI:.+]] = arith.index_cast %[[POS]] : index to i64
// CHECK: %[[POSF:.+]] = arith.sitofp %[[POSI]] : i64 to f64
// CHECK: scf.if
// The pairs i of a row, strided by blockDim.x.
// CHECK: scf.for %[[I:.+]] = %[[TX]] to %{{.+}} step
// CHECK: arith.constant -3.125000e-02 : f64
// CHECK: %[[W:.+]] = math.powf %{{.+}}, %{{.+}} : f64
// CHECK: %[[PHI:.+]] = arith.mulf %[[POSF]], %[[W]] : f64
// CHECK: %[[COS:.+]] = math.cos %[[PHI]] : f64
// CHECK: %[[C:.+]] = arith.truncf %[[COS]] : f64 to f32
// CHECK: %[[SIN:.+]] = math.sin %[[PHI]] : f64
// CHECK: %[[S:.+]] = arith.truncf %[[SIN]] : f64 to f32
// The (b, h) rows of this thread.
// CHECK: scf.for
// CHECK: %[[X0:.+]] = memref.load %[[IN]]
// CHECK: %[[X1:.+]] = memref.load %[[IN]]
// CHECK: %[[A:.+]] = arith.mulf %[[X0]], %[[C]] : f32
// CHECK: %[[B:.+]] = arith.mulf %[[X1]], %[[S]] : f32
// CHECK: %[[E:.+]] = arith.subf %[[A]], %[[B]] : f32
// CHECK: %[[A2:.+]] = arith.mulf %[[X0]], %[[S]] : f32
// CHECK: %[[B2:.+]] = arith.mulf %[[X1]], %[[C]] : f32
// CHECK: %[[O:.+]] = arith.addf %[[A2]], %[[B2]] : f32
// CHECK: memref.store %[[E]], %[[OUT]]
// CHECK: memref.store %[[O]], %[[OUT]]
// CHECK: gpu.terminator
// CHECK: %[[R:.+]] = bufferization.to_tensor %[[OUT]] restrict writable : memref<2x16x8x64xf32> to tensor<2x16x8x64xf32>
// CHECK: return %[[R]]
func.func @rope_f32(%x: tensor<2x16x8x64xf32>) -> tensor<2x16x8x64xf32> {
  %o = sessa.rope %x : tensor<2x16x8x64xf32>
  return %o : tensor<2x16x8x64xf32>
}

// -----

// bf16 storage, dynamic T and offset: the grid follows T, the offset operand
// enters the position, loads are widened to f32 and stores rounded to bf16.
// CHECK-LABEL: func.func @rope_bf16_offset(
// CHECK-SAME: %[[X:[^ ,:]+]]: tensor<1x?x4x128xbf16>, %[[P:[^ ,:]+]]: index)
// CHECK: %[[IN:.+]] = bufferization.to_buffer %[[X]] read_only
// CHECK: %[[T:.+]] = memref.dim %[[IN]], %{{.+}} : memref<1x?x4x128xbf16>
// CHECK: %[[OUT:.+]] = memref.alloc(%[[T]]) : memref<1x?x4x128xbf16>
// CHECK: %[[GX:.+]] = arith.maxui %[[T]], %{{.+}} : index
// CHECK: gpu.launch blocks(%[[BX:[^,]+]], %{{[^,]+}}, %{{[^)]+}}) in (%{{[^ ]+}} = %[[GX]],
// CHECK: arith.addi %[[P]], %[[BX]] : index
// CHECK: math.cos %{{.+}} : f64
// CHECK: math.sin %{{.+}} : f64
// CHECK: %[[L:.+]] = memref.load %[[IN]]{{.+}} : memref<1x?x4x128xbf16>
// CHECK: arith.extf %[[L]] : bf16 to f32
// CHECK: %[[TR:.+]] = arith.truncf %{{.+}} : f32 to bf16
// CHECK: memref.store %[[TR]], %[[OUT]]
func.func @rope_bf16_offset(%x: tensor<1x?x4x128xbf16>, %p: index) -> tensor<1x?x4x128xbf16> {
  %o = sessa.rope %x offset(%p) : tensor<1x?x4x128xbf16>
  return %o : tensor<1x?x4x128xbf16>
}
