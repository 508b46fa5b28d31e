// The tuning knobs of the tensor-core attention kernel (hidden options, for
// measurements): synchronous K/V copies into one buffer per operand, and one
// or two 16-row m-tiles per warp (Br = 64 or 128; two share each K/V
// fragment). The default is two for d <= 64 unless T is static with at most
// 64 rows per kv head (decoding: one, Br = 64).

// RUN: sessa-opt %s --sessa-gpu-attention-stages=1 --sessa-gpu-attention-mtiles=1 --convert-sessa-to-gpu --cse | FileCheck %s --check-prefix=SYNC
// RUN: sessa-opt %s --sessa-gpu-attention-mtiles=1 --convert-sessa-to-gpu --cse | FileCheck %s --check-prefix=MT1
// RUN: sessa-opt %s --convert-sessa-to-gpu --cse | FileCheck %s --check-prefix=DEFAULT
// RUN: sessa-opt %s --sessa-gpu-attention-mtiles=2 --convert-sessa-to-gpu --cse | FileCheck %s --check-prefix=MT2

// One stage: Q, then each K tile, pass through a 64-row buffer; 16-byte
// vector copies between two barriers; no cp.async.
// SYNC: gpu.launch {{.+}} workgroup(%[[KQ:[^ ]+]] : memref<64x72xbf16, #gpu.address_space<workgroup>>, %[[VS:[^ ]+]] : memref<64x72xbf16, #gpu.address_space<workgroup>>)
// SYNC-NOT: nvgpu.device_async_copy
// SYNC: scf.for {{.+}} iter_args(
// SYNC: gpu.barrier
// SYNC: vector.store %{{.+}}, %[[KQ]]
// SYNC: vector.store %{{.+}}, %[[VS]]
// SYNC: gpu.barrier
// SYNC: nvvm.mma.sync
// SYNC-NOT: nvgpu.device_async_copy
// SYNC-NOT: nvvm.cp.async.wait.group

// Two m-tiles: grid x over ceil(T*g / 128) row tiles; the Q tile (128 rows)
// fills both K stages; the state holds 4 rows' m, l and 2 x 8 x 4
// accumulators; each K fragment feeds two mma.sync.
// MT2: %[[C128:.+]] = arith.constant 128 : index
// MT2: arith.ceildivui %{{.+}}, %[[C128]] : index
// MT2: gpu.launch {{.+}} workgroup(%[[KQ:[^ ]+]] : memref<128x72xbf16, #gpu.address_space<workgroup>>, %{{[^ ]+}} : memref<128x72xbf16, #gpu.address_space<workgroup>>)
// MT2: %{{.+}}:72 = scf.for {{.+}} iter_args(
// MT2: %[[B:.+]] = nvgpu.ldmatrix %[[KQ]]
// MT2: %[[B0:.+]] = vector.extract %[[B]][0]
// MT2: %[[BC:.+]] = vector.bitcast %[[B0]] : vector<2xbf16> to vector<1xi32>
// MT2: %[[BI:.+]] = vector.extract %[[BC]][0] : i32 from vector<1xi32>
// MT2: nvvm.mma.sync A[{{.+}}]  B[%[[BI]],
// MT2: nvvm.mma.sync A[{{.+}}]  B[%[[BI]],
// One m-tile: 64-row tiles, m, l of 2 rows and 8 x 4 accumulators (the
// buffers hold two 64-key stages).
// MT1-LABEL: func.func @attention(
// MT1: %[[C64:.+]] = arith.constant 64 : index
// MT1: arith.ceildivui %{{.+}}, %[[C64]] : index
// MT1: gpu.launch {{.+}} workgroup(%{{[^ ]+}} : memref<128x72xbf16, #gpu.address_space<workgroup>>, %{{[^ ]+}} : memref<128x72xbf16, #gpu.address_space<workgroup>>)
// MT1: %{{.+}}:36 = scf.for {{.+}} iter_args(
// Default: two m-tiles for a dynamic T, one for decoding (T = 1 static).
// DEFAULT-LABEL: func.func @attention(
// DEFAULT: %{{.+}}:72 = scf.for {{.+}} iter_args(
// DEFAULT-LABEL: func.func @attention_decode(
// DEFAULT: %{{.+}}:36 = scf.for {{.+}} iter_args(
func.func @attention(%q: tensor<?x?x4x64xbf16>, %k: tensor<?x?x2x64xbf16>, %v: tensor<?x?x2x64xbf16>) -> tensor<?x?x4x64xbf16> {
  %o = sessa.attention %q, %k, %v : tensor<?x?x4x64xbf16>, tensor<?x?x2x64xbf16>, tensor<?x?x2x64xbf16>
  return %o : tensor<?x?x4x64xbf16>
}
func.func @attention_decode(%q: tensor<8x1x4x64xbf16>, %k: tensor<8x?x2x64xbf16>, %v: tensor<8x?x2x64xbf16>) -> tensor<8x1x4x64xbf16> {
  %o = sessa.attention %q, %k, %v : tensor<8x1x4x64xbf16>, tensor<8x?x2x64xbf16>, tensor<8x?x2x64xbf16>
  return %o : tensor<8x1x4x64xbf16>
}
