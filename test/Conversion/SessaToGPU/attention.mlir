// Structure of the sessa.attention GPU kernels (SPEC section 2): a
// FlashAttention-2 style launch over (row tiles x key splits, Hk, B) with 128
// threads, K/V tiles staged in workgroup memory, an unmasked then a masked
// (diagonal) loop over the key tiles carrying the online-softmax state, the
// split partials in f32 buffers and a combine launch; the result is a fresh
// buffer returned as a tensor.

// RUN: sessa-opt %s --split-input-file --convert-sessa-to-gpu --cse | FileCheck %s

// f32: the SIMT body. GQA (H = 4 over Hk = 2): rows are (t, h in group),
// T*g of them per kv head, in tiles of 16 (4 warps x 4 rows); Q tile 16 x d,
// K tile 32 x (d+1) (padded), V tile 32 x d, all f32.
// CHECK-LABEL: func.func @attention_f32_gqa(
// CHECK-SAME: %[[Q:[^ ,:]+]]: tensor<2x?x4x64xf32>, %[[K:[^ ,:]+]]: tensor<2x?x2x64xf32>, %[[V:[^ ,:]+]]: tensor<2x?x2x64xf32>)
// CHECK-NOT: sessa.
// CHECK-DAG: %[[QB:.+]] = bufferization.to_buffer %[[Q]] read_only
// Keys and values may be batch-strided cache views: strided layouts.
// CHECK-DAG: %[[KB:.+]] = bufferization.to_buffer %[[K]] read_only : tensor<{{.+}}> to memref<{{.+}}, strided<[?, ?, ?, 1], offset: ?>>
// CHECK-DAG: %[[VB:.+]] = bufferization.to_buffer %[[V]] read_only : tensor<{{.+}}> to memref<{{.+}}, strided<[?, ?, ?, 1], offset: ?>>
// CHECK: %[[OUT:.+]] = memref.alloc(%{{.+}}) : memref<2x?x4x64xf32>
// Key splits: floor(396 / blocks), at most one per 4 key tiles, at least 1.
// CHECK: %[[C396:.+]] = arith.constant 396 : index
// CHECK: arith.divui %[[C396]], %{{.+}} : index
// CHECK: %[[SPLITS:.+]] = arith.maxui %{{.+}}, %{{.+}} : index
// CHECK: %[[PO:.+]] = memref.alloc(%[[SPLITS]], %{{.+}}, %{{.+}}) : memref<?x?x?x4x64xf32>
// CHECK: %[[PML:.+]] = memref.alloc(%[[SPLITS]], %{{.+}}, %{{.+}}) : memref<?x?x?x4x2xf32>
// CHECK: %[[GX:.+]] = arith.muli %{{.+}}, %[[SPLITS]] : index
// CHECK: gpu.launch blocks(%{{[^,]+}}, %{{[^,]+}}, %{{[^)]+}}) in (%{{[^ ]+}} = %[[GX]], %{{[^ ]+}} = %[[C2:[^,]+]], %{{[^ ]+}} = %{{[^)]+}}) threads(%{{[^,]+}}, %{{[^,]+}}, %{{[^)]+}}) in (%{{[^ ]+}} = %[[C128:[^,]+]], %{{[^ ]+}} = %{{[^,]+}}, %{{[^ ]+}} = %{{[^)]+}}) workgroup(%[[QS:[^ ]+]] : memref<16x64xf32, #gpu.address_space<workgroup>>, %[[KS:[^ ]+]] : memref<32x65xf32, #gpu.address_space<workgroup>>, %[[VS:[^ ]+]] : memref<32x64xf32, #gpu.address_space<workgroup>>) {
// The Q tile is staged once (pre-scaled), then the block synchronises.
// CHECK: memref.store %{{.+}}, %[[QS]][
// The unmasked key tiles: m, l for 4 rows and 4 x 2 accumulator columns.
// CHECK: %[[FULL:.+]]:16 = scf.for %{{.+}} = %{{.+}} to %{{.+}} step %{{.+}} iter_args(
// CHECK: gpu.barrier
// CHECK: memref.store %{{.+}}, %[[KS]][
// CHECK: memref.store %{{.+}}, %[[VS]][
// CHECK: gpu.barrier
// Scores: a loop over d, 4 rows at a time.
// CHECK: scf.for %{{.+}} = %{{.+}} to %{{.+}} step %{{.+}} iter_args({{.+}}) -> (f32, f32, f32, f32)
// CHECK: memref.load %[[KS]]
// CHECK: memref.load %[[QS]]
// CHECK: math.fma
// Warp max/sum (xor shuffles), exp2, and P V with P broadcast by lane.
// CHECK: gpu.shuffle  xor
// CHECK: math.exp2
// CHECK: scf.for %{{.+}} = %{{.+}} to %{{.+}} step %{{.+}} iter_args({{.+}}) -> (f32, f32, f32, f32, f32, f32, f32, f32)
// CHECK: memref.load %[[VS]]
// CHECK: gpu.shuffle  idx
// The masked (diagonal) key tiles continue the state; the mask selects -inf.
// CHECK: %[[MASKED:.+]]:16 = scf.for %{{.+}} = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%{{.+}} = %[[FULL]]#0,
// CHECK: arith.cmpi ule
// CHECK: arith.select %{{.+}}, %{{.+}}, %cst
// One split: o / l into the output; several: o, m, l into the partials.
// CHECK: arith.cmpi eq, %{{.+}}, %{{.+}} : index
// CHECK: scf.if
// CHECK: arith.divf
// CHECK: memref.store %{{.+}}, %[[OUT]]
// CHECK: } else {
// CHECK: memref.store %{{.+}}, %[[PO]]
// CHECK: memref.store %{{.+}}, %[[PML]]
// The combine launch: one block of 64 threads per (t*H + h, b) row.
// CHECK: gpu.launch {{.+}} threads({{.+}}) in (%{{[^ ]+}} = %c64,
// CHECK: memref.load %[[PML]]
// CHECK: memref.load %[[PO]]
// CHECK: memref.store %{{.+}}, %[[OUT]]
// CHECK: memref.dealloc %[[PO]]
// CHECK: memref.dealloc %[[PML]]
// CHECK: %[[R:.+]] = bufferization.to_tensor %[[OUT]] restrict writable
// CHECK: return %[[R]]
func.func @attention_f32_gqa(%q: tensor<2x?x4x64xf32>, %k: tensor<2x?x2x64xf32>, %v: tensor<2x?x2x64xf32>) -> tensor<2x?x4x64xf32> {
  %o = sessa.attention %q, %k, %v : tensor<2x?x4x64xf32>, tensor<2x?x2x64xf32>, tensor<2x?x2x64xf32>
  return %o : tensor<2x?x4x64xf32>
}

// -----

// bf16, d = 64: the tensor-core body. Tiles of 128 rows (4 warps x two
// 16-row m-tiles, the default for d <= 64 when T is dynamic) and 64 keys;
// the K buffer holds the Q tile first, then two K stages; two V stages
// (cp.async double buffering), rows padded to d + 8.
// CHECK-LABEL: func.func @attention_bf16
// CHECK: gpu.launch {{.+}} workgroup(%[[KQ:[^ ]+]] : memref<128x72xbf16, #gpu.address_space<workgroup>>, %[[VS:[^ ]+]] : memref<128x72xbf16, #gpu.address_space<workgroup>>) {
// Q: 16-byte vector copies into the K buffer, then A fragments.
// CHECK: vector.load {{.+}} {alignment = 16 : i64} : memref<?x?x4x64xbf16>, vector<8xbf16>
// CHECK: vector.store %{{.+}}, %[[KQ]]{{.+}} {alignment = 16 : i64}
// CHECK: gpu.barrier
// CHECK: nvgpu.ldmatrix %[[KQ]][{{.+}}] {numTiles = 4 : i32, transpose = false}
// The first key tile of the block's split is issued before the loop.
// CHECK: gpu.barrier
// CHECK: nvgpu.device_async_copy %{{.+}}, %[[KQ]][{{.+}}], 8, %{{.+}} {bypassL1}
// CHECK: nvgpu.device_async_copy %{{.+}}, %[[VS]][{{.+}}], 8, %{{.+}} {bypassL1}
// CHECK: nvgpu.device_async_create_group
// Unmasked tiles: m, l for 4 rows and 2 m-tiles x 8 n-tiles x 4
// accumulators.
// CHECK: %[[FULL:.+]]:72 = scf.for {{.+}} iter_args(
// Prefetch tile kt+1, wait for tile kt.
// CHECK: nvgpu.device_async_copy
// CHECK: %[[G:.+]] = nvgpu.device_async_create_group
// CHECK: nvgpu.device_async_wait %[[G]] {numGroups = 1 : i32}
// CHECK: gpu.barrier
// S = Q K^T on tensor cores, bf16 in, f32 accumulators.
// CHECK: nvgpu.ldmatrix %[[KQ]][{{.+}}] {numTiles = 4 : i32, transpose = false}
// CHECK: nvvm.mma.sync A[{{.+}}]  B[{{.+}}]  C[{{.+}}]  {layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>, multiplicandAPtxType = #nvvm.mma_type<bf16>, multiplicandBPtxType = #nvvm.mma_type<bf16>, shape = #nvvm.shape<m = 16, n = 8, k = 16>}
// Online softmax: quad reductions, exponents as one fma and one
// ex2.approx.ftz.
// CHECK: gpu.shuffle  xor
// CHECK: math.fma
// CHECK: llvm.inline_asm asm_dialect = att "ex2.approx.ftz.f32 $0, $1;", "=f,f"
// P to bf16 in registers, O += P V with V through ldmatrix.trans.
// CHECK: arith.truncf %{{.+}} : vector<2xf32> to vector<2xbf16>
// CHECK: nvgpu.ldmatrix %[[VS]][{{.+}}] {numTiles = 4 : i32, transpose = true}
// CHECK: nvvm.mma.sync
// CHECK: gpu.barrier
// CHECK: scf.yield
// The masked (diagonal) tiles.
// CHECK: scf.for {{.+}} iter_args(%{{.+}} = %[[FULL]]#0,
// CHECK: arith.cmpi ule
// CHECK: nvvm.cp.async.wait.group 0
// CHECK: gpu.launch
func.func @attention_bf16(%q: tensor<?x?x4x64xbf16>, %k: tensor<?x?x2x64xbf16>, %v: tensor<?x?x2x64xbf16>) -> tensor<?x?x4x64xbf16> {
  %o = sessa.attention %q, %k, %v : tensor<?x?x4x64xbf16>, tensor<?x?x2x64xbf16>, tensor<?x?x2x64xbf16>
  return %o : tensor<?x?x4x64xbf16>
}

// -----

// f16, d = 128: key tiles of 32 so that two stages fit 48 KB of static
// workgroup memory (64 x 136 halves each); f16 operands in mma.sync.
// CHECK-LABEL: func.func @attention_f16_d128
// CHECK: gpu.launch {{.+}} workgroup(%{{[^ ]+}} : memref<64x136xf16, #gpu.address_space<workgroup>>, %{{[^ ]+}} : memref<64x136xf16, #gpu.address_space<workgroup>>)
// CHECK: nvvm.mma.sync {{.+}} shape = #nvvm.shape<m = 16, n = 8, k = 16>} : (vector<2xf16>, vector<2xf16>, f32) -> !llvm.struct<(f32, f32, f32, f32)>
func.func @attention_f16_d128(%q: tensor<1x?x2x128xf16>, %k: tensor<1x?x2x128xf16>, %v: tensor<1x?x2x128xf16>) -> tensor<1x?x2x128xf16> {
  %o = sessa.attention %q, %k, %v {scale = 0.5 : f64} : tensor<1x?x2x128xf16>, tensor<1x?x2x128xf16>, tensor<1x?x2x128xf16>
  return %o : tensor<1x?x2x128xf16>
}

// -----

// bf16 with d = 40 (not a multiple of 16): the SIMT body with f32 tiles;
// loads widened to f32, the result rounded to bf16.
// CHECK-LABEL: func.func @attention_bf16_simt
// CHECK: gpu.launch {{.+}} workgroup(%{{[^ ]+}} : memref<16x40xf32, #gpu.address_space<workgroup>>, %{{[^ ]+}} : memref<32x41xf32, #gpu.address_space<workgroup>>, %{{[^ ]+}} : memref<32x40xf32, #gpu.address_space<workgroup>>)
// CHECK: arith.extf %{{.+}} : bf16 to f32
// CHECK-NOT: nvvm.mma.sync
// CHECK: arith.truncf %{{.+}} : f32 to bf16
func.func @attention_bf16_simt(%q: tensor<1x8x2x40xbf16>, %k: tensor<1x8x1x40xbf16>, %v: tensor<1x8x1x40xbf16>) -> tensor<1x8x2x40xbf16> {
  %o = sessa.attention %q, %k, %v : tensor<1x8x2x40xbf16>, tensor<1x8x1x40xbf16>, tensor<1x8x1x40xbf16>
  return %o : tensor<1x8x2x40xbf16>
}
