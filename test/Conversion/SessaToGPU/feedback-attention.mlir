// Launch structure of the sessa.feedback_attention GPU lowering: a host
// scf.for over chunks of 64 rows launches, per chunk, (1) the logits of the
// chunk against its visible keys into the chunk-row buffer W
// [B, Hb, 64, P + T rounded up to 8] (f32; never T x T), (2) the row
// softmax times gamma (in place; with tensor cores also into a 16-bit copy
// of W), (3a) the rhs products over the solved rows, split over the keys:
// grid (value-column tiles, splits, B * Hb), partial sums into a
// [maxSplits, B, Hb, 64, dv] f32 buffer, (3b) rhs = f + the partials summed
// in split order, then the in-chunk forward substitution. f32 runs on SIMT
// FMAs (no TF32); bf16/f16 storage with dk and dv multiples of 8 runs the
// products on tensor cores (nvvm.mma.sync m16n8k16, f32 accumulators) fed by
// cp.async stages in 16-byte aligned dynamic shared memory.

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
// CHECK-DAG:   bufferization.to_buffer %[[F]] read_only
// CHECK-DAG:   bufferization.to_buffer %[[KP]] read_only : tensor<{{.+}}> to memref<{{.+}}, strided<[?, ?, ?, 1], offset: ?>>
// CHECK-DAG:   bufferization.to_buffer %[[SP]] read_only : tensor<{{.+}}> to memref<{{.+}}, strided<[?, ?, ?, 1], offset: ?>>
// CHECK-DAG:   %[[T:.*]] = tensor.dim %[[F]], %c1
// CHECK-DAG:   %[[P:.*]] = tensor.dim %[[KP]], %c1
// CHECK:       %[[S:.*]] = memref.alloc(%[[T]]) : memref<2x?x3x24xf32>
// CHECK:       %[[W:.*]] = memref.alloc(%c2, %c3, %{{.*}}) : memref<?x?x64x?xf32>
// CHECK:       %[[PART:.*]] = memref.alloc(%{{.*}}, %c2, %c3, %c24) : memref<?x?x?x64x?xf32>
// CHECK:       scf.for %[[R0:.*]] = %c0 to %[[T]] step %c64 {
// Kernel 1: grid (key tiles, Hb, B), dk staged 16 at a time.
// CHECK:         gpu.launch blocks({{.*}}) in ({{.*}} = %{{.*}}, {{.*}} = %c3, {{.*}} = %c2) threads({{.*}}) in ({{.*}} = %c256, {{.*}} = %c1, {{.*}} = %c1) workgroup({{.*}} : memref<16x68xf32, #gpu.address_space<workgroup>>, {{.*}} : memref<16x68xf32, #gpu.address_space<workgroup>>)
// CHECK:           math.fma
// CHECK:           memref.store %{{.*}}, %[[W]]
// CHECK:           gpu.terminator
// Kernel 2: one block per row of the chunk, block-wide max and sum.
// CHECK:         gpu.launch {{.*}} workgroup({{.*}} : memref<8xf32, #gpu.address_space<workgroup>>)
// CHECK:           gpu.shuffle  xor
// CHECK:           math.exp
// CHECK:           gpu.terminator
// Kernel 3a: grid (32-column tiles, key splits, B * Hb); W and S tiles of
// 32 keys; blockIdx.z is split into (b, h); the 64 x 32 partial sums are
// stored per split.
// CHECK:         gpu.launch blocks({{.*}}) in ({{.*}} = %{{.*}}, {{.*}} = %[[SPLITS:[0-9a-z_]+]], {{.*}} = %{{.*}}) threads({{.*}}) in ({{.*}} = %c256, {{.*}} = %c1, {{.*}} = %c1) workgroup({{.*}} : memref<64x33xf32, #gpu.address_space<workgroup>>, {{.*}} : memref<32x32xf32, #gpu.address_space<workgroup>>)
// CHECK:           arith.divui %{{.*}}, %c3
// CHECK:           arith.remui %{{.*}}, %c3
// CHECK:           math.fma
// CHECK:           memref.store %{{.*}}, %[[PART]]
// CHECK:           gpu.terminator
// Kernel 3b: grid (32-column tiles, Hb, B); rhs = f + the partials summed
// in split order; rhs and the diagonal block in shared memory; the chunk's
// rows of s are stored.
// CHECK:         gpu.launch blocks({{.*}}) in ({{.*}} = %{{.*}}, {{.*}} = %c3, {{.*}} = %c2) threads({{.*}}) in ({{.*}} = %c256, {{.*}} = %c1, {{.*}} = %c1) workgroup({{.*}} : memref<64x32xf32, #gpu.address_space<workgroup>>, {{.*}} : memref<64x65xf32, #gpu.address_space<workgroup>>)
// CHECK:           scf.for %{{.*}} = %c0 to %[[SPLITS]] step %c1
// CHECK:             memref.load %[[PART]]
// CHECK:           gpu.barrier
// CHECK:           memref.store %{{.*}}, %[[S]]
// CHECK:           gpu.terminator
// CHECK:       }
// CHECK:       memref.dealloc %[[PART]]
// CHECK:       memref.dealloc %[[W]]
// CHECK:       %[[R:.*]] = bufferization.to_tensor %[[S]] restrict writable
// CHECK:       return %[[R]]
func.func @f32_cache(%f: tensor<2x?x3x24xf32>, %q: tensor<2x?x3x40xf32>, %k: tensor<2x?x3x40xf32>, %g: tensor<2x?x3xf32>, %kp: tensor<2x?x3x40xf32>, %sp: tensor<2x?x3x24xf32>) -> tensor<2x?x3x24xf32> {
  %s = sessa.feedback_attention %f, %q, %k, %g cache(%kp, %sp) : tensor<2x?x3x24xf32>, tensor<2x?x3x40xf32>, tensor<2x?x3x40xf32>, tensor<2x?x3xf32>, tensor<2x?x3x40xf32>, tensor<2x?x3x24xf32>
  return %s : tensor<2x?x3x24xf32>
}

// -----

// bf16: both products on tensor cores; the normalised probabilities are
// also written in bf16 for the rhs products.
// CHECK-LABEL: func.func @bf16_tensor_cores
// CHECK:       %[[W:.*]] = memref.alloc(%c2, %c1, %{{.*}}) : memref<?x?x64x?xf32>
// CHECK:       %[[PROB:.*]] = memref.alloc(%c2, %c1, %{{.*}}) : memref<?x?x64x?xbf16>
// CHECK:       %[[PART:.*]] = memref.alloc(%{{.*}}, %c2, %c1, %c64) : memref<?x?x?x64x?xf32>
// CHECK:       scf.for
// Kernel 1: 4-stage cp.async pipeline (2 x 4 x 64 x 40 bf16 = 40960 bytes).
// CHECK:         gpu.launch {{.*}} dynamic_shared_memory_size %c40960_i32
// CHECK:           gpu.dynamic_shared_memory
// CHECK:           memref.view {{.*}} to memref<4x64x40xbf16, #gpu.address_space<workgroup>>
// CHECK:           nvgpu.device_async_copy {{.*}}, 8, %{{.*}} {bypassL1}
// CHECK:           nvvm.cp.async.commit.group
// CHECK:           scf.for
// CHECK:             nvvm.cp.async.wait.group 3
// CHECK:             nvvm.mma.sync {{.*}}multiplicandAPtxType = #nvvm.mma_type<bf16>, multiplicandBPtxType = #nvvm.mma_type<bf16>, shape = #nvvm.shape<m = 16, n = 8, k = 16>}
// CHECK:           nvvm.cp.async.wait.group 0
// CHECK:           gpu.terminator
// Kernel 2: the softmax stores bf16 probabilities, and f32 ones for the
// in-chunk block (keys >= P + r0).
// CHECK:         gpu.launch {{.*}} workgroup({{.*}} : memref<8xf32, #gpu.address_space<workgroup>>)
// CHECK:           arith.truncf {{.*}} : f32 to bf16
// CHECK:           memref.store %{{.*}}, %[[PROB]]
// CHECK:           arith.cmpi uge
// CHECK:           memref.store %{{.*}}, %[[W]]
// CHECK:           gpu.terminator
// Kernel 3a: 64-column tiles x key splits x B * Hb; 4 stages of bf16
// probabilities [64][40] and S [32][72] (4 x (5120 + 4608) = 38912 bytes).
// CHECK:         gpu.launch blocks({{.*}}) in ({{.*}} = %{{.*}}, {{.*}} = %[[SPLITS:[0-9a-z_]+]], {{.*}} = %{{.*}}) {{.*}} dynamic_shared_memory_size %c38912_i32
// CHECK:           memref.view {{.*}} to memref<4x64x40xbf16, #gpu.address_space<workgroup>>
// CHECK:           memref.view {{.*}} to memref<4x32x72xbf16, #gpu.address_space<workgroup>>
// CHECK:           nvgpu.device_async_copy %[[PROB]]
// CHECK:           nvvm.cp.async.wait.group 3
// CHECK:           nvvm.mma.sync
// CHECK:           memref.store %{{.*}}, %[[PART]]
// CHECK:           gpu.terminator
// Kernel 3b: the partial sums, then the solve on the f32 diagonal block.
// CHECK:         gpu.launch {{.*}} workgroup({{.*}} : memref<64x32xf32, #gpu.address_space<workgroup>>, {{.*}} : memref<64x65xf32, #gpu.address_space<workgroup>>)
// CHECK:           scf.for %{{.*}} = %c0 to %[[SPLITS]] step %c1
// CHECK:             memref.load %[[PART]]
// CHECK:           memref.load %[[W]]
// CHECK:           gpu.terminator
// CHECK:       memref.dealloc %[[PART]]
// CHECK:       memref.dealloc %[[PROB]]
// CHECK:       memref.dealloc %[[W]]
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
