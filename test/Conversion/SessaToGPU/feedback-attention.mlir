// Launch structure of the sessa.feedback_attention GPU lowering: a host
// scf.for over strips of 256 rows launches, per strip, (1) the logits of all
// the strip's rows against their visible keys, grid (key tiles, 64-row tiles
// x Hb, B), into the strip-row buffer W [B, Hb, Rpad, P + T rounded up to 8]
// (f32; Rpad = min(256, T) rounded up to 64: never T x T), (2) the row
// softmax times gamma, one block per row: the keys before the strip into W
// in place (with tensor cores: into a 16-bit copy of W), the strip's own keys
// into the f32 block buffer DIAG [B, Hb, Rpad, Rpad], (3) the cross-strip
// rhs products over the solved rows, grid (value-column tiles, row tiles x
// key splits, B * Hb), partial sums into a [maxSplits, B, Hb, Rpad, dv] f32
// buffer, (4) the inverses X_c = (I - W_cc)^-1 of the strip's 64 x 64
// diagonal blocks, one block of 64 threads per chunk (forward substitution
// of one column per thread in registers, f32), into INV [B, Hb, Rpad / 64,
// 64, 64], (5) one sequential kernel per strip, grid (16-column tiles,
// B * Hb): rhs = f + the partials staged in shared memory, then per chunk
// rhs += DIAG tiles @ the strip's earlier s rows (f32 tiles by cp.async, s
// kept in shared memory) and s_c = X_c @ rhs (f32), with no barrier per
// row. f32 runs on SIMT FMAs (no TF32); bf16/f16 storage with dk and dv
// multiples of 8 runs the logits, cross-strip and intra-strip products (not
// X_c @ rhs) on tensor cores
// (nvvm.mma.sync m16n8k16, f32 accumulators) fed by cp.async stages in
// 16-byte aligned dynamic shared memory, their fragments read by
// ldmatrix.x4 (.trans for the k-major S tiles), in blocks of 128 rows when
// the strip has more than 64 rows (else 64: decoding steps). With tensor
// cores the softmax also writes a 16-bit copy DIAG16 of DIAG, the inverses
// run in extra blocks of kernel 3 (no launch of their own), and kernel 5 is
// a tensor-core kernel of 32, 16 or 8 columns a block fed by all of the
// strip's X_c and DIAG16 blocks at once (X_c @ rhs as hi/lo split mma).

// RUN: sessa-opt %s --split-input-file --convert-sessa-to-gpu --cse | FileCheck %s
// RUN: sessa-opt %s --split-input-file --convert-sessa-to-gpu --cse | FileCheck %s --check-prefix=SIMT

// No tensor cores (and so no TF32) anywhere in the f32 and the SIMT
// fallback functions; no T x T buffer (T = 7 in the fallback).
// SIMT-LABEL: func.func @f32_cache
// SIMT-NOT:   nvvm.mma.sync
// SIMT-LABEL: func.func @bf16_tensor_cores
// SIMT-LABEL: func.func @bf16_simt_fallback
// SIMT-NOT:   nvvm.mma.sync
// SIMT-NOT:   x7x7x

// f32 with a cache of P rows (P and T dynamic), Hb = 3, dk = 40 != dv = 24.
// CHECK-LABEL: func.func @f32_cache
// CHECK-SAME:    (%[[F:.*]]: tensor<2x?x3x24xf32>, %[[Q:.*]]: tensor<2x?x3x40xf32>, %[[K:.*]]: tensor<2x?x3x40xf32>, %[[G:.*]]: tensor<2x?x3xf32>, %[[KP:.*]]: tensor<2x?x3x40xf32>, %[[SP:.*]]: tensor<2x?x3x24xf32>)
// CHECK-DAG:   %[[FB:.*]] = bufferization.to_buffer %[[F]] read_only
// CHECK-DAG:   bufferization.to_buffer %[[KP]] read_only : tensor<{{.+}}> to memref<{{.+}}, strided<[?, ?, ?, 1], offset: ?>>
// CHECK-DAG:   bufferization.to_buffer %[[SP]] read_only : tensor<{{.+}}> to memref<{{.+}}, strided<[?, ?, ?, 1], offset: ?>>
// CHECK-DAG:   %[[T:.*]] = tensor.dim %[[F]], %c1
// CHECK-DAG:   %[[P:.*]] = tensor.dim %[[KP]], %c1
// CHECK:       %[[S:.*]] = memref.alloc(%[[T]]) : memref<2x?x3x24xf32>
// CHECK:       %[[RT:.*]] = arith.minui %[[T]], %c256
// CHECK:       %[[RC:.*]] = arith.ceildivui %[[RT]], %c64
// CHECK:       %[[RPAD:.*]] = arith.muli %[[RC]], %c64
// CHECK:       %[[CHUNKS:.*]] = arith.ceildivui %[[RPAD]], %c64
// CHECK:       %[[W:.*]] = memref.alloc(%c2, %c3, %[[RPAD]], %{{.*}}) : memref<?x?x?x?xf32>
// CHECK:       %[[DIAG:.*]] = memref.alloc(%c2, %c3, %[[RPAD]], %[[RPAD]]) : memref<?x?x?x?xf32>
// CHECK:       %[[INV:.*]] = memref.alloc(%c2, %c3, %[[CHUNKS]]) : memref<?x?x?x64x64xf32>
// CHECK:       %[[PART:.*]] = memref.alloc(%{{.*}}, %c2, %c3, %[[RPAD]], %c24) : memref<?x?x?x?x?xf32>
// CHECK:       scf.for %[[R0:.*]] = %c0 to %[[T]] step %c256 {
// Kernel 1: grid (key tiles, row tiles x Hb, B), dk staged 16 at a time;
// blockIdx.y is split into (row tile, h); blocks past the row tile's
// visible keys do nothing.
// CHECK:         gpu.launch blocks({{.*}}) in ({{.*}} = %{{.*}}, {{.*}} = %{{.*}}, {{.*}} = %c2) threads({{.*}}) in ({{.*}} = %c256, {{.*}} = %c1, {{.*}} = %c1) workgroup({{.*}} : memref<16x68xf32, #gpu.address_space<workgroup>>, {{.*}} : memref<16x68xf32, #gpu.address_space<workgroup>>)
// CHECK:           arith.remui %{{.*}}, %c3
// CHECK:           arith.divui %{{.*}}, %c3
// CHECK:           scf.if
// CHECK:             math.fma
// CHECK:             memref.store %{{.*}}, %[[W]]
// CHECK:           gpu.terminator
// Kernel 2: one block per row of the strip, block-wide max and sum; the
// keys before the strip in place in W, the strip's keys into DIAG.
// CHECK:         gpu.launch {{.*}} workgroup({{.*}} : memref<8xf32, #gpu.address_space<workgroup>>)
// CHECK:           gpu.shuffle  xor
// CHECK:           math.exp
// CHECK:           memref.store %{{.*}}, %[[W]]
// CHECK:           memref.store %{{.*}}, %[[DIAG]]
// CHECK:           gpu.terminator
// Kernel 3: grid (32-column tiles, row tiles x key splits, B * Hb); W and
// S tiles of 32 keys; the 64 x 32 partial sums are stored per split.
// CHECK:         gpu.launch blocks({{.*}}) in ({{.*}} = %{{.*}}, {{.*}} = %{{.*}}, {{.*}} = %{{.*}}) threads({{.*}}) in ({{.*}} = %c256, {{.*}} = %c1, {{.*}} = %c1) workgroup({{.*}} : memref<64x33xf32, #gpu.address_space<workgroup>>, {{.*}} : memref<32x32xf32, #gpu.address_space<workgroup>>)
// CHECK:           math.fma
// CHECK:           memref.store %{{.*}}, %[[PART]]
// CHECK:           gpu.terminator
// Kernel 4: grid (chunks of the strip, Hb, B), 64 threads; the diagonal
// block by cp.async, then straight-line forward substitution of one column
// per thread (4-vector loads of L from shared memory); a chunk of one row
// writes the identity.
// CHECK:         gpu.launch blocks({{.*}}) in ({{.*}} = %{{.*}}, {{.*}} = %c3, {{.*}} = %c2) threads({{.*}}) in ({{.*}} = %c64, {{.*}} = %c1, {{.*}} = %c1) dynamic_shared_memory_size %c17408_i32
// CHECK:           memref.view {{.*}} to memref<64x68xf32, #gpu.address_space<workgroup>>
// CHECK:           scf.if
// CHECK:             nvgpu.device_async_copy %[[DIAG]]
// CHECK:             nvvm.cp.async.wait.group 0
// CHECK:             gpu.barrier
// CHECK-NOT:         gpu.barrier
// CHECK:             vector.load {{.*}} : memref<64x68xf32, #gpu.address_space<workgroup>>, vector<4xf32>
// CHECK:             math.fma
// CHECK-NOT:         gpu.barrier
// CHECK:             memref.store %{{.*}}, %[[INV]][%{{.*}}, %{{.*}}, %{{.*}}, %c63, %{{.*}}]
// CHECK:           } else {
// CHECK:             memref.store %{{.*}}, %[[INV]]
// CHECK:           gpu.terminator
// Kernel 5: grid (16-column tiles, B * Hb), 256 threads; shared s of the
// strip [256][16], 2 stages of 64 x 64 DIAG tiles, X_c, rhs [64][16]
// (16384 + 34816 + 17408 + 4096 = 72704 bytes); rhs = f + the partials in
// split order, staged once; then the chunks in order: X_c prefetched,
// DIAG tiles of the earlier chunks through the pipeline, s_c = X_c @ rhs,
// the chunk's rows of s stored.
// CHECK:         gpu.launch blocks({{.*}}) in ({{.*}} = %{{.*}}, {{.*}} = %{{.*}}, {{.*}} = %c1) threads({{.*}}) in ({{.*}} = %c256, {{.*}} = %c1, {{.*}} = %c1) dynamic_shared_memory_size %c72704_i32
// CHECK:           memref.view {{.*}} to memref<256x16xf32, #gpu.address_space<workgroup>>
// CHECK:           memref.view {{.*}} to memref<2x64x68xf32, #gpu.address_space<workgroup>>
// CHECK:           memref.view {{.*}} to memref<64x68xf32, #gpu.address_space<workgroup>>
// CHECK:           memref.view {{.*}} to memref<64x16xf32, #gpu.address_space<workgroup>>
// CHECK:           memref.load %[[FB]]
// CHECK:           scf.for %{{.*}} = %c0 to %{{.*}} step %c1 iter_args
// CHECK:             memref.load %[[PART]]
// CHECK:           gpu.barrier
// CHECK:           scf.for %[[C:.*]] = %c0 to %{{.*}} step %c1 {
// CHECK:             nvgpu.device_async_copy %[[INV]][%{{.*}}, %{{.*}}, %[[C]], %{{.*}}, %{{.*}}]
// CHECK:             nvvm.cp.async.commit.group
// CHECK:             nvgpu.device_async_copy %[[DIAG]]
// CHECK:             scf.for %{{.*}} = %c0 to %[[C]] step %c1 iter_args
// CHECK:               nvvm.cp.async.wait.group 1
// CHECK:               math.fma
// CHECK:             scf.if %{{.*}} -> (f32, f32, f32, f32) {
// CHECK:               gpu.barrier
// CHECK:               math.fma
// CHECK:             memref.store %{{.*}}, %[[S]]
// CHECK:             gpu.barrier
// CHECK:           gpu.terminator
// CHECK:       }
// CHECK:       memref.dealloc %[[PART]]
// CHECK:       memref.dealloc %[[INV]]
// CHECK:       memref.dealloc %[[DIAG]]
// CHECK:       memref.dealloc %[[W]]
// CHECK:       %[[R:.*]] = bufferization.to_tensor %[[S]] restrict writable
// CHECK:       return %[[R]]
func.func @f32_cache(%f: tensor<2x?x3x24xf32>, %q: tensor<2x?x3x40xf32>, %k: tensor<2x?x3x40xf32>, %g: tensor<2x?x3xf32>, %kp: tensor<2x?x3x40xf32>, %sp: tensor<2x?x3x24xf32>) -> tensor<2x?x3x24xf32> {
  %s = sessa.feedback_attention %f, %q, %k, %g cache(%kp, %sp) : tensor<2x?x3x24xf32>, tensor<2x?x3x40xf32>, tensor<2x?x3x40xf32>, tensor<2x?x3xf32>, tensor<2x?x3x40xf32>, tensor<2x?x3x24xf32>
  return %s : tensor<2x?x3x24xf32>
}

// -----

// bf16: the logits, cross-strip and intra-strip products on tensor cores;
// the normalised probabilities of the keys before the strip in bf16 for the
// rhs products, the strip's own keys in f32 (DIAG, for the inverses) and in
// bf16 (DIAG16, the intra-strip operands). The bf16 probabilities share W's
// memory: each row's prob in the first half of its f32 W row (one byte
// buffer, two views; the prob view has twice W's keys per row).
// CHECK-LABEL: func.func @bf16_tensor_cores
// CHECK:       %[[KT:.*]] = arith.muli %{{.*}}, %c8 : index
// CHECK:       %[[BYTES:.*]] = arith.muli %{{.*}}, %c4 : index
// CHECK:       %[[RAW:.*]] = memref.alloc(%[[BYTES]]) : memref<?xi8>
// CHECK:       %[[W:.*]] = memref.view %[[RAW]][%c0][%c2, %c1, %{{.*}}, %[[KT]]] : memref<?xi8> to memref<?x?x?x?xf32>
// CHECK:       %[[KT2:.*]] = arith.muli %[[KT]], %c2 : index
// CHECK:       %[[PROB:.*]] = memref.view %[[RAW]][%c0][%c2, %c1, %{{.*}}, %[[KT2]]] : memref<?xi8> to memref<?x?x?x?xbf16>
// CHECK:       %[[DIAG:.*]] = memref.alloc(%c2, %c1, %{{.*}}) : memref<?x?x?x?xf32>
// CHECK:       %[[DIAG16:.*]] = memref.alloc(%c2, %c1, %{{.*}}) : memref<?x?x?x?xbf16>
// CHECK:       %[[INV:.*]] = memref.alloc(%c2, %c1, %{{.*}}) : memref<?x?x?x64x64xf32>
// CHECK:       %[[PART:.*]] = memref.alloc(%{{.*}}, %c2, %c1, %{{.*}}, %c64) : memref<?x?x?x?x?xf32>
// CHECK:       scf.for %{{.*}} = %c0 to %{{.*}} step %c256 {
// CHECK:         %[[ROWS:.*]] = arith.minui %c256,
// Kernels 1 and 3 in blocks of 128 rows when the strip has more than 64
// rows, else of 64 (a decoding step): Kernel 1 of 128-row blocks, 4 stages
// of Q [128][72] and K [64][72] (64 deep: 4 x (18432 + 9216) = 110592 bytes).
// Kernel 1 takes 128-row blocks only when there are at least 132 of them
// (key tiles x ceil(rows / 128) x B * Hb), else twice as many 64-row ones.
// CHECK:         %[[BIG:.*]] = arith.cmpi ult, %c64, %[[ROWS]]
// CHECK:         %[[N128:.*]] = arith.ceildivui %[[ROWS]], %c128
// CHECK:         %[[NB:.*]] = arith.muli %{{.*}}, %[[N128]] : index
// CHECK:         %[[FILL:.*]] = arith.cmpi ult, %c131, %[[NB]]
// CHECK:         %[[LBIG:.*]] = arith.andi %[[BIG]], %[[FILL]]
// CHECK:         scf.if %[[LBIG]] {
// CHECK:           gpu.launch {{.*}} dynamic_shared_memory_size %c110592_i32
// CHECK:             memref.view {{.*}} to memref<4x128x72xbf16, #gpu.address_space<workgroup>>
// CHECK:             memref.view {{.*}} to memref<4x64x72xbf16, #gpu.address_space<workgroup>>
// CHECK-COUNT-32:    nvvm.mma.sync
// CHECK-NOT:         nvvm.mma.sync
// CHECK:             memref.store %{{.*}}, %[[W]]
// CHECK:         } else {
// Kernel 1 of 64-row blocks: 4 stages of 2 x 64 x 72 bf16 = 73728 bytes.
// CHECK:           gpu.launch {{.*}} dynamic_shared_memory_size %c73728_i32
// CHECK:             gpu.dynamic_shared_memory
// CHECK:             memref.view {{.*}} to memref<4x64x72xbf16, #gpu.address_space<workgroup>>
// CHECK:             nvgpu.device_async_copy {{.*}}, 8, %{{.*}} {bypassL1}
// CHECK:             nvvm.cp.async.commit.group
// CHECK:             scf.for
// CHECK:               nvvm.cp.async.wait.group 3
// CHECK:               nvgpu.ldmatrix {{.*}} {numTiles = 4 : i32, transpose = false} : memref<4x64x72xbf16, #gpu.address_space<workgroup>> -> vector<4x2xbf16>
// CHECK:               nvvm.mma.sync {{.*}}multiplicandAPtxType = #nvvm.mma_type<bf16>, multiplicandBPtxType = #nvvm.mma_type<bf16>, shape = #nvvm.shape<m = 16, n = 8, k = 16>}
// CHECK-COUNT-15:      nvvm.mma.sync
// CHECK-NOT:           nvvm.mma.sync
// CHECK:             nvvm.cp.async.wait.group 0
// CHECK:             memref.store %{{.*}}, %[[W]]
// CHECK:             gpu.terminator
// CHECK:         }
// Kernel 2: the softmax stores bf16 probabilities for the keys before the
// strip (j < P + r0), f32 and bf16 ones for the strip's keys.
// CHECK:         gpu.launch {{.*}} workgroup({{.*}} : memref<8xf32, #gpu.address_space<workgroup>>)
// CHECK:           arith.truncf {{.*}} : f32 to bf16
// CHECK:           memref.store %{{.*}}, %[[PROB]]
// CHECK:         } else {
// CHECK:           memref.store %{{.*}}, %[[DIAG]]
// CHECK:           memref.store %{{.*}}, %[[DIAG16]]
// CHECK:           gpu.terminator
// Kernel 3: (64-column tiles + 1 when the strip has more than one row) x
// (row blocks x key splits) x B * Hb; 4 stages of bf16 probabilities
// [128][72] and S [64][72] (110592 bytes), or [64][72] and [64][72] (73728
// bytes) for 64-row blocks. The blocks of the extra column of row 0
// compute the inverses X_c = (I - L_c)^-1 of the strip's chunks (one
// column per thread, straight-line forward substitution in f32) into INV.
// CHECK:         scf.if %[[BIG]] {
// CHECK:           gpu.launch blocks({{.*}}) in ({{.*}} = %{{.*}}, {{.*}} = %{{.*}}, {{.*}} = %{{.*}}) {{.*}} dynamic_shared_memory_size %c110592_i32
// CHECK:             scf.if
// CHECK:               memref.view {{.*}} to memref<4x128x72xbf16, #gpu.address_space<workgroup>>
// CHECK:               memref.view {{.*}} to memref<4x64x72xbf16, #gpu.address_space<workgroup>>
// CHECK:             } else {
// CHECK:               memref.view {{.*}} to memref<4x64x68xf32, #gpu.address_space<workgroup>>
// CHECK:               nvgpu.device_async_copy %[[DIAG]]
// CHECK:               math.fma
// CHECK:               memref.store %{{.*}}, %[[INV]]
// CHECK:         } else {
// CHECK:           gpu.launch blocks({{.*}}) in ({{.*}} = %{{.*}}, {{.*}} = %{{.*}}, {{.*}} = %{{.*}}) {{.*}} dynamic_shared_memory_size %c73728_i32
// CHECK:               memref.view {{.*}} to memref<4x64x72xbf16, #gpu.address_space<workgroup>>
// CHECK:               memref.view {{.*}} to memref<4x64x72xbf16, #gpu.address_space<workgroup>>
// CHECK:               nvgpu.device_async_copy %[[PROB]]
// CHECK:               nvvm.cp.async.wait.group 3
// CHECK:               nvgpu.ldmatrix {{.*}} {numTiles = 4 : i32, transpose = false} : memref<4x64x72xbf16, #gpu.address_space<workgroup>>
// CHECK:               nvgpu.ldmatrix {{.*}} {numTiles = 4 : i32, transpose = true} : memref<4x64x72xbf16, #gpu.address_space<workgroup>>
// CHECK:               nvvm.mma.sync
// CHECK:               memref.store %{{.*}}, %[[PART]]
// CHECK:               memref.view {{.*}} to memref<1x64x68xf32, #gpu.address_space<workgroup>>
// CHECK:               memref.store %{{.*}}, %[[INV]]
// CHECK:             gpu.terminator
// CHECK:         }
// Kernel 5, strips of more than one row: the tensor-core intra-strip kernel
// of 32, 16 or 8 columns (the one giving enough blocks): X_c from INV and
// the bf16 DIAG16 blocks fetched at once (one cp.async group per chunk,
// waited for by that chunk), rhs staged, then per chunk the
// DIAG16 products (ldmatrix) and X_c @ rhs as three mma of hi/lo bf16
// parts. nc = 8: [256][12] + [4][64][68] + [6][64][72] bf16 + [64][12] =
// 12288 + 69632 + 55296 + 3072 = 140288 bytes; nc = 16: 150528; nc = 32:
// 171008.
// CHECK:         scf.if
// CHECK:           scf.if
// CHECK:             scf.if
// CHECK:               gpu.launch {{.*}} dynamic_shared_memory_size %c140288_i32
// CHECK:                 nvgpu.device_async_copy %[[INV]]
// CHECK:                 nvvm.cp.async.commit.group
// CHECK:                 nvgpu.device_async_copy %[[INV]]
// CHECK:                 nvgpu.device_async_copy %[[DIAG16]]
// CHECK:                 nvvm.cp.async.commit.group
// CHECK:                 nvvm.cp.async.commit.group
// CHECK:                 nvvm.cp.async.commit.group
// CHECK-NOT:             nvvm.cp.async.commit.group
// CHECK:                 memref.load %[[PART]]
// CHECK:                 nvvm.cp.async.wait.group 3
// CHECK:                 nvvm.cp.async.wait.group 2
// CHECK:                 nvgpu.ldmatrix {{.*}} : memref<6x64x72xbf16, #gpu.address_space<workgroup>>
// CHECK:                 nvvm.mma.sync
// CHECK:                 gpu.barrier
// CHECK:                 arith.extf {{.*}} : vector<2xbf16> to vector<2xf32>
// CHECK-COUNT-3:         nvvm.mma.sync
// CHECK:                 arith.truncf {{.*}} : f32 to bf16
// CHECK:                 gpu.terminator
// CHECK:             } else {
// CHECK:               gpu.launch {{.*}} dynamic_shared_memory_size %c150528_i32
// CHECK:           } else {
// CHECK:             gpu.launch {{.*}} dynamic_shared_memory_size %c171008_i32
// One row (a decoding step): the intra-strip kernel with X = I.
// CHECK:         } else {
// CHECK:           gpu.launch {{.*}} dynamic_shared_memory_size %c72704_i32
// CHECK:             memref.load %[[PART]]
// CHECK:             nvvm.mma.sync
// CHECK:             arith.truncf {{.*}} : f32 to bf16
// CHECK:             gpu.terminator
// CHECK:       memref.dealloc %[[PART]]
// CHECK:       memref.dealloc %[[INV]]
// CHECK:       memref.dealloc %[[DIAG]]
// CHECK:       memref.dealloc %[[DIAG16]]
// CHECK:       memref.dealloc %[[RAW]]
func.func @bf16_tensor_cores(%f: tensor<2x?x1x64xbf16>, %q: tensor<2x?x1x32xbf16>, %k: tensor<2x?x1x32xbf16>, %g: tensor<2x?x1xbf16>) -> tensor<2x?x1x64xbf16> {
  %s = sessa.feedback_attention %f, %q, %k, %g : tensor<2x?x1x64xbf16>, tensor<2x?x1x32xbf16>, tensor<2x?x1x32xbf16>, tensor<2x?x1xbf16>
  return %s : tensor<2x?x1x64xbf16>
}

// -----

// f16 storage: the same tensor-core path with f16 multiplicands.
// CHECK-LABEL: func.func @f16_tensor_cores
// CHECK:       nvvm.mma.sync {{.*}} : (vector<2xf16>, vector<2xf16>, f32) -> !llvm.struct<(f32, f32, f32, f32)>
func.func @f16_tensor_cores(%f: tensor<1x5x2x16xf16>, %q: tensor<1x5x2x8xf16>, %k: tensor<1x5x2x8xf16>, %g: tensor<1x5x2xf16>) -> tensor<1x5x2x16xf16> {
  %s = sessa.feedback_attention %f, %q, %k, %g {scale = 0.5 : f64} : tensor<1x5x2x16xf16>, tensor<1x5x2x8xf16>, tensor<1x5x2x8xf16>, tensor<1x5x2xf16>
  return %s : tensor<1x5x2x16xf16>
}

// -----

// bf16 with dk = 12 (not a multiple of 8: no 16-byte rows): SIMT kernels,
// f32 arithmetic on bf16 loads and stores.
// CHECK-LABEL: func.func @bf16_simt_fallback
// CHECK:       arith.extf {{.*}} : bf16 to f32
// CHECK:       arith.truncf {{.*}} : f32 to bf16
func.func @bf16_simt_fallback(%f: tensor<1x7x1x16xbf16>, %q: tensor<1x7x1x12xbf16>, %k: tensor<1x7x1x12xbf16>, %g: tensor<1x7x1xbf16>) -> tensor<1x7x1x16xbf16> {
  %s = sessa.feedback_attention %f, %q, %k, %g : tensor<1x7x1x16xbf16>, tensor<1x7x1x12xbf16>, tensor<1x7x1x12xbf16>, tensor<1x7x1xbf16>
  return %s : tensor<1x7x1x16xbf16>
}
