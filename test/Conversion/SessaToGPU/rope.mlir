// Structure of the sessa.rope GPU kernel (SPEC section 1): one gpu.launch,
// a 1-D grid over the position rows b*T + t (Tb of them a block), a thread
// a chunk of 16 bytes (V elements, V/2 pairs) of a head in HL heads lanes.
// A thread forms the angles of its V/2 pairs once (after issuing its loads
// when all its heads are loaded at once): w_i as a product of f64
// constants picked by the bits of its chunk, phi = (P + t) w_i in f64,
// reduced modulo 2pi in f64 (round to even, two fused multiply-adds with
// 2pi split into two constants), then f32 cos/sin of the remainder; no f64
// transcendental. It then loads its chunk of several heads (16-byte vector
// loads when both buffers are 16-byte aligned, scalar ones otherwise),
// rotates the pairs in f32 and stores in the storage type into a fresh
// buffer returned as a tensor.

// RUN: sessa-opt %s --split-input-file --convert-sessa-to-gpu --cse | FileCheck %s

// f32, H = 8, d = 64: V = 4 (2 pairs), C = 16 chunks, HL = 2 head lanes
// (a warp: 2 heads x 16 chunks), Tb = 256 / 32 = 8 position rows a block,
// U = 8 / 2 = 4 heads a thread, all 4 loaded before the stores.
// CHECK-LABEL: func.func @rope_f32(
// CHECK-SAME: %[[X:[^ ,:]+]]: tensor<2x16x8x64xf32>) -> tensor<2x16x8x64xf32>
// CHECK-NOT: sessa.
// CHECK: %[[IN:.+]] = bufferization.to_buffer %[[X]] read_only : tensor<2x16x8x64xf32> to memref<2x16x8x64xf32>
// CHECK: %[[OUT:.+]] = memref.alloc() : memref<2x16x8x64xf32>
// CHECK: %[[C2:.+]] = arith.constant 2 : index
// CHECK: %[[C16:.+]] = arith.constant 16 : index
// CHECK: %[[ROWS:.+]] = arith.muli %[[C2]], %[[C16]] : index
// CHECK: %[[C8:.+]] = arith.constant 8 : index
// CHECK: %[[GX0:.+]] = arith.ceildivui %[[ROWS]], %[[C8]] : index
// CHECK: %[[GX:.+]] = arith.maxui %[[GX0]], %[[C1:.+]] : index
// CHECK: %[[C256:.+]] = arith.constant 256 : index
// CHECK: gpu.launch blocks(%[[BX:[^,]+]], %{{[^,]+}}, %{{[^)]+}}) in (%{{[^ ]+}} = %[[GX]], %{{[^ ]+}} = %[[C1]], %{{[^ ]+}} = %[[C1]]) threads(%[[TX:[^,]+]], %{{[^,]+}}, %{{[^)]+}}) in (%{{[^ ]+}} = %[[C256]], %{{[^ ]+}} = %[[C1]], %{{[^ ]+}} = %[[C1]]) {
// CHECK-NOT: workgroup
// chunk = tid % 16, head lane = (tid / 16) % 2, position row = bid * 8 + tid / 32.
// CHECK: %[[CHUNK:.+]] = arith.remui %[[TX]], %[[C16]] : index
// CHECK: %[[REST:.+]] = arith.divui %[[TX]], %[[C16]] : index
// CHECK: %[[HL:.+]] = arith.remui %[[REST]], %[[C2]] : index
// CHECK: %[[TL:.+]] = arith.divui %[[REST]], %[[C2]] : index
// CHECK: %[[P0:.+]] = arith.muli %[[BX]], %[[C8]] : index
// CHECK: %[[P:.+]] = arith.addi %[[P0]], %[[TL]] : index
// CHECK: %[[IN_ROWS:.+]] = arith.cmpi ult, %[[P]], %[[ROWS]] : index
// CHECK: scf.if %[[IN_ROWS]] {
// CHECK: %[[T:.+]] = arith.remui %[[P]], %[[C16]] : index
// CHECK: %[[B:.+]] = arith.divui %[[P]], %[[C16]] : index
// Static offset 0: position = 0 + t, in f64.
// CHECK: %[[POS:.+]] = arith.addi %{{.+}}, %[[T]] : index
// CHECK: %[[POSI:.+]] = arith.index_cast %[[POS]] : index to i64
// CHECK: %[[POSF:.+]] = arith.sitofp %[[POSI]] : i64 to f64
// Both buffers 16-byte aligned: vector path. The thread's 4 heads are one
// group: their 16-byte loads are issued first, the angles formed while they
// are in flight.
// CHECK: memref.extract_aligned_pointer_as_index %[[IN]]
// CHECK: memref.extract_aligned_pointer_as_index %[[OUT]]
// CHECK: %[[ALIGNED:.+]] = arith.andi
// CHECK: scf.if %[[ALIGNED]] {
// CHECK: scf.for
// CHECK-NOT: math.cos
// CHECK-COUNT-4: vector.load %[[IN]][%[[B]], %[[T]], %{{.+}}, %{{.+}}] {alignment = 16 : i64} : memref<2x16x8x64xf32>, vector<4xf32>
// w_{2c} = prod of 10000^(-4 * 2^k / 64) over the set bits k of c (4 bits).
// CHECK: %[[CI:.+]] = arith.index_cast %[[CHUNK]] : index to i64
// CHECK: arith.shrui %[[CI]]
// CHECK: arith.constant 0.56234132519034907 : f64
// CHECK: arith.select
// CHECK: arith.constant 0.31622776601683794 : f64
// CHECK: arith.constant 1.000000e-01 : f64
// CHECK: arith.constant 1.000000e-02 : f64
// CHECK: %[[W:.+]] = arith.select
// Pair 0: phi, n = roundeven(phi / 2pi), r = phi - n C1 - n C2, f32 cos/sin.
// CHECK: %[[PHI:.+]] = arith.mulf %[[POSF]], %[[W]] : f64
// CHECK: %[[INV:.+]] = arith.constant 0.15915494309189535 : f64
// CHECK: %[[Q:.+]] = arith.mulf %[[PHI]], %[[INV]] : f64
// CHECK: %[[N:.+]] = math.roundeven %[[Q]] : f64
// CHECK: %[[NN:.+]] = arith.negf %[[N]] : f64
// CHECK: %[[HI:.+]] = arith.constant 6.2831853071795862 : f64
// CHECK: %[[R0:.+]] = math.fma %[[NN]], %[[HI]], %[[PHI]] : f64
// CHECK: %[[LO:.+]] = arith.constant 2.4492935982947064E-16 : f64
// CHECK: %[[R:.+]] = math.fma %[[NN]], %[[LO]], %[[R0]] : f64
// CHECK: %[[RF:.+]] = arith.truncf %[[R]] : f64 to f32
// CHECK: %[[COS:.+]] = math.cos %[[RF]] : f32
// CHECK: %[[SIN:.+]] = math.sin %[[RF]] : f32
// Pair 1: w_{2c+1} = w_{2c} * 10000^(-2/64).
// CHECK: %[[W1:.+]] = arith.mulf %[[W]], %{{.+}} : f64
// CHECK: arith.mulf %[[POSF]], %[[W1]] : f64
// CHECK: math.cos %{{.+}} : f32
// CHECK: math.sin %{{.+}} : f32
// CHECK-NOT: math.{{(sin|cos|powf)}} %{{.+}} : f64
// CHECK-NOT: vector.load
// Each head's pairs rotated with the thread's cos/sin and stored as one
// vector.
// CHECK: %[[A:.+]] = arith.mulf %{{.+}}, %[[COS]] : f32
// CHECK: %[[BB:.+]] = arith.mulf %{{.+}}, %[[SIN]] : f32
// CHECK: %[[E:.+]] = arith.subf %[[A]], %[[BB]] : f32
// CHECK: %[[A2:.+]] = arith.mulf %{{.+}}, %[[SIN]] : f32
// CHECK: %[[B2:.+]] = arith.mulf %{{.+}}, %[[COS]] : f32
// CHECK: %[[O:.+]] = arith.addf %[[A2]], %[[B2]] : f32
// CHECK: %[[V:.+]] = vector.from_elements %[[E]], %[[O]], %{{.+}}, %{{.+}} : vector<4xf32>
// CHECK: vector.store %[[V]], %[[OUT]][%[[B]], %[[T]], %{{.+}}, %{{.+}}] {alignment = 16 : i64}
// CHECK: } else {
// Otherwise scalar loads and stores (and the same angles).
// CHECK: scf.for
// CHECK: memref.load %[[IN]]
// CHECK: math.cos %{{.+}} : f32
// CHECK: memref.store %{{.+}}, %[[OUT]]
// CHECK: gpu.terminator
// CHECK: %[[RES:.+]] = bufferization.to_tensor %[[OUT]] restrict writable : memref<2x16x8x64xf32> to tensor<2x16x8x64xf32>
// CHECK: return %[[RES]]
func.func @rope_f32(%x: tensor<2x16x8x64xf32>) -> tensor<2x16x8x64xf32> {
  %o = sessa.rope %x : tensor<2x16x8x64xf32>
  return %o : tensor<2x16x8x64xf32>
}

// -----

// bf16 storage, dynamic T and offset: V = 8 (4 pairs), the grid follows
// B*T, the offset operand enters the position, 16-byte loads of 8 bf16 are
// widened to f32 and the results rounded to bf16 before the 16-byte store.
// CHECK-LABEL: func.func @rope_bf16_offset(
// CHECK-SAME: %[[X:[^ ,:]+]]: tensor<1x?x4x128xbf16>, %[[P:[^ ,:]+]]: index)
// CHECK: %[[IN:.+]] = bufferization.to_buffer %[[X]] read_only
// CHECK: %[[T:.+]] = memref.dim %[[IN]], %{{.+}} : memref<1x?x4x128xbf16>
// CHECK: %[[OUT:.+]] = memref.alloc(%[[T]]) : memref<1x?x4x128xbf16>
// CHECK: %[[ROWS:.+]] = arith.muli %{{.+}}, %[[T]] : index
// CHECK: %[[GX0:.+]] = arith.ceildivui %[[ROWS]], %{{.+}} : index
// CHECK: %[[GX:.+]] = arith.maxui %[[GX0]], %{{.+}} : index
// CHECK: gpu.launch blocks(%{{[^,]+}}, %{{[^,]+}}, %{{[^)]+}}) in (%{{[^ ]+}} = %[[GX]],
// CHECK: %[[TT:.+]] = arith.remui %{{.+}}, %[[T]] : index
// CHECK: arith.addi %[[P]], %[[TT]] : index
// CHECK: scf.if
// CHECK: %[[L:.+]] = vector.load %[[IN]]{{.+}} {alignment = 16 : i64} : memref<1x?x4x128xbf16>, vector<8xbf16>
// CHECK: %[[E:.+]] = vector.extract %[[L]][0] : bf16 from vector<8xbf16>
// CHECK: arith.extf %[[E]] : bf16 to f32
// CHECK-COUNT-4: math.sin %{{.+}} : f32
// CHECK: %[[TR:.+]] = arith.truncf %{{.+}} : f32 to bf16
// CHECK: %[[V:.+]] = vector.from_elements %[[TR]], {{.+}} : vector<8xbf16>
// CHECK: vector.store %[[V]], %[[OUT]]{{.+}} {alignment = 16 : i64} : memref<1x?x4x128xbf16>, vector<8xbf16>
// CHECK: } else {
// CHECK: %[[SL:.+]] = memref.load %[[IN]]{{.+}} : memref<1x?x4x128xbf16>
// CHECK: arith.extf %[[SL]] : bf16 to f32
func.func @rope_bf16_offset(%x: tensor<1x?x4x128xbf16>, %p: index) -> tensor<1x?x4x128xbf16> {
  %o = sessa.rope %x offset(%p) : tensor<1x?x4x128xbf16>
  return %o : tensor<1x?x4x128xbf16>
}

// -----

// d = 6 (f16): V = 2 (the largest power of two dividing d), one pair a
// thread, 3 chunks; 5 heads (odd): one head lane, 5 heads a thread, loaded
// in groups of the largest divisor <= 4 (1 here).
// CHECK-LABEL: func.func @rope_f16_odd_shapes(
// CHECK: gpu.launch
// CHECK-COUNT-1: math.sin %{{.+}} : f32
// CHECK-NOT: math.sin
// CHECK: vector.load %{{.+}} {alignment = 4 : i64} : memref<2x3x5x6xf16>, vector<2xf16>
// CHECK-NOT: vector.load
// CHECK: vector.store %{{.+}} {alignment = 4 : i64} : memref<2x3x5x6xf16>, vector<2xf16>
func.func @rope_f16_odd_shapes(%x: tensor<2x3x5x6xf16>) -> tensor<2x3x5x6xf16> {
  %o = sessa.rope %x : tensor<2x3x5x6xf16>
  return %o : tensor<2x3x5x6xf16>
}
