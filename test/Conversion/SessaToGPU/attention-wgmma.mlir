// The sm_90a attention kernel (convert-sessa-to-gpu{wgmma-attention}): bf16
// and f16 attention with head dim 64 run one warpgroup (128 threads, 64
// query rows) with S = Q K^T and O += P V on wgmma.mma_async; Q, K and V
// move by cp.async into 128-byte swizzled dynamic shared memory (Q 8 KB,
// K and V 2 x 16 KB for 128-key tiles: 72 KB + 1 KB for the 1024-byte
// alignment). Without the option (the default sm_90 chip), or for f32,
// d != 64 and a static T of at most 64 rows per kv head (decoding), the
// mma.sync / SIMT kernels stay. The hidden knobs select two warpgroups
// (128 rows) and 64-key tiles.

// RUN: sessa-opt %s --split-input-file --convert-sessa-to-gpu=wgmma-attention=true --cse | FileCheck %s
// RUN: sessa-opt %s --split-input-file --convert-sessa-to-gpu --cse | FileCheck %s --check-prefix=SM90
// RUN: sessa-opt %s --split-input-file --sessa-gpu-attention-wgmma-bc=64 --sessa-gpu-attention-wgmma-warpgroups=2 --convert-sessa-to-gpu=wgmma-attention=true --cse | FileCheck %s --check-prefix=WG2
// RUN: sessa-opt %s --split-input-file --sessa-gpu-pipeline="format=isa chip=sm_90a" | FileCheck %s --check-prefix=PTX
// RUN: sessa-opt %s --split-input-file --sessa-gpu-attention-wgmma-stages=3 --convert-sessa-to-gpu=wgmma-attention=true --cse | FileCheck %s --check-prefix=S3

// CHECK-LABEL: func.func @attention_bf16_gqa(
// Row tiles of 64 rows (T*g rows per kv head).
// CHECK: %[[C64:.+]] = arith.constant 64 : index
// CHECK: arith.ceildivui %{{.+}}, %[[C64]] : index
// CHECK: gpu.launch {{.+}} threads({{.+}}) in (%{{[^ ]+}} = %c128, {{.+}}) dynamic_shared_memory_size %c74752_i32 {
// CHECK: %[[POOL:.+]] = gpu.dynamic_shared_memory : memref<?xi8, #gpu.address_space<workgroup>>
// CHECK: memref.extract_aligned_pointer_as_index %[[POOL]]
// CHECK: %[[VIEW:.+]] = memref.view %[[POOL]][%{{.+}}][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<36864xbf16, #gpu.address_space<workgroup>>
// The Q tile (rows of (t, h) by GQA row), 16 bytes a copy.
// CHECK: nvgpu.device_async_copy %{{.+}}, %[[VIEW]][%{{.+}}], 8, %{{.+}} {bypassL1} : memref<?x?x4x64xbf16> to memref<36864xbf16, #gpu.address_space<workgroup>>
// The first K/V tile: raw cp.async with zero fill past the visible keys,
// committed with Q as one group.
// CHECK: nvvm.cp.async.shared.global %{{.+}}, %{{.+}}, 16, cache = cg, %{{.+}} : !llvm.ptr<3>, !llvm.ptr<1>, i32
// CHECK: nvvm.cp.async.commit.group
// The unmasked key tiles: m, l of 2 rows and 32 accumulators a thread.
// CHECK: scf.for {{.+}} -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32) {
// Tile kt + 1 in flight, tile kt landed; generic-proxy writes fenced
// before the tensor cores read them.
// CHECK-COUNT-16: nvvm.cp.async.shared.global
// CHECK: nvvm.cp.async.commit.group
// CHECK: nvvm.cp.async.wait.group 1
// CHECK: nvvm.fence.proxy {kind = #nvvm.proxy_kind<async.shared>, space = #nvvm.shared_space<cta>}
// CHECK: gpu.barrier
// S = Q K^T: 4 k16 steps of m64n128k16, both operands K-major descriptors.
// CHECK: nvvm.wgmma.fence.aligned
// CHECK: nvvm.wgmma.mma_async {{.+}} <m = 64, n = 128, k = 16>, D[<f32>, <zero>], A[<bf16>, <one>, <row>], B[<bf16>, <one>, <col>]
// CHECK-COUNT-3: nvvm.wgmma.mma_async {{.+}} <m = 64, n = 128, k = 16>, D[<f32>, <one>], A[<bf16>, <one>, <row>], B[<bf16>, <one>, <col>]
// CHECK: nvvm.wgmma.commit.group.sync.aligned
// CHECK: nvvm.wgmma.wait.group.sync.aligned 0
// The online softmax: one fma and ex2 per score.
// CHECK: math.fma
// CHECK: llvm.inline_asm asm_dialect = att "ex2.approx.ftz.f32 $0, $1;", "=f,f"
// O += P V: 8 k16 steps with P from registers and V transposed (imm-trans-b 1).
// CHECK: nvvm.wgmma.fence.aligned
// CHECK-COUNT-8: llvm.inline_asm has_side_effects asm_dialect = att "{\0A.reg .pred p;\0Asetp.ne.b32 p, $69, 0;\0Awgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16 {{.+}}, {$64, $65, $66, $67}, $68, p, 1, 1, 1;
// CHECK: nvvm.wgmma.commit.group.sync.aligned
// CHECK: nvvm.wgmma.wait.group.sync.aligned 0
// CHECK: gpu.barrier
// The masked (diagonal) tiles: a second loop.
// CHECK: scf.for
// CHECK: nvvm.wgmma.mma_async
// CHECK: arith.cmpi ule
// CHECK: llvm.inline_asm has_side_effects
// CHECK: nvvm.cp.async.wait.group 0
// CHECK: gpu.launch
// SM90-LABEL: func.func @attention_bf16_gqa(
// SM90-NOT: wgmma
// SM90: nvvm.mma.sync
// SM90-NOT: wgmma
// Three stages (knob): 3 x 2 x 16 KB of K/V; the P V group is committed
// but not waited inside the tile (the next tile's wait completes it), and
// once after the loops.
// S3-LABEL: func.func @attention_bf16_gqa(
// S3: dynamic_shared_memory_size %c107520_i32
// S3: llvm.inline_asm has_side_effects {{.+}}m64n64k16
// S3: nvvm.wgmma.commit.group.sync.aligned
// S3-NEXT: gpu.barrier
// S3-NEXT: scf.yield
// S3: llvm.inline_asm has_side_effects {{.+}}m64n64k16
// S3: nvvm.wgmma.commit.group.sync.aligned
// S3-NEXT: gpu.barrier
// S3-NEXT: scf.yield
// S3-NEXT: }
// S3-NEXT: nvvm.wgmma.wait.group.sync.aligned 0
// S3-NEXT: nvvm.cp.async.wait.group 0
// S3-LABEL: func.func @attention_f16(
// S3-LABEL: func.func @attention_decode(
// WG2-LABEL: func.func @attention_bf16_gqa(
// WG2: %[[C128:.+]] = arith.constant 128 : index
// WG2: arith.ceildivui %{{.+}}, %[[C128]] : index
// WG2: gpu.launch {{.+}} threads({{.+}}) in (%{{[^ ]+}} = %c256, {{.+}}) dynamic_shared_memory_size %c50176_i32 {
// WG2: nvvm.wgmma.mma_async {{.+}} <m = 64, n = 64, k = 16>
// WG2-COUNT-4: llvm.inline_asm has_side_effects {{.+}}wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16
// WG2-NOT: llvm.inline_asm has_side_effects
// WG2: nvvm.wgmma.commit.group.sync.aligned
// PTX-LABEL: gpu.binary @attention_bf16_gqa_kernel
// PTX-SAME: .target sm_90a
// PTX-SAME: wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16
// PTX-SAME: wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16
func.func @attention_bf16_gqa(%q: tensor<?x?x4x64xbf16>, %k: tensor<?x?x2x64xbf16>, %v: tensor<?x?x2x64xbf16>) -> tensor<?x?x4x64xbf16> {
  %o = sessa.attention %q, %k, %v : tensor<?x?x4x64xbf16>, tensor<?x?x2x64xbf16>, tensor<?x?x2x64xbf16>
  return %o : tensor<?x?x4x64xbf16>
}

// -----

// f16: the same kernel with f16 operands.
// CHECK-LABEL: func.func @attention_f16(
// CHECK: wgmma.mma_async {{.+}} A[<f16>, <one>, <row>], B[<f16>, <one>, <col>]
// CHECK: wgmma.mma_async.sync.aligned.m64n64k16.f32.f16.f16
// SM90-LABEL: func.func @attention_f16(
// SM90-NOT: wgmma
// WG2-LABEL: func.func @attention_f16(
// PTX-LABEL: gpu.binary @attention_f16_kernel
// PTX-SAME: wgmma.mma_async.sync.aligned.m64n64k16.f32.f16.f16
func.func @attention_f16(%q: tensor<?x?x8x64xf16>, %k: tensor<?x?x8x64xf16>, %v: tensor<?x?x8x64xf16>) -> tensor<?x?x8x64xf16> {
  %o = sessa.attention %q, %k, %v : tensor<?x?x8x64xf16>, tensor<?x?x8x64xf16>, tensor<?x?x8x64xf16>
  return %o : tensor<?x?x8x64xf16>
}

// -----

// Decoding (static T = 1, g = 4 rows per kv head), d = 128 and f32 keep the
// mma.sync and SIMT kernels under the option.
// CHECK-LABEL: func.func @attention_decode(
// CHECK-NOT: wgmma
// CHECK: nvvm.mma.sync
// CHECK-NOT: wgmma
// CHECK-LABEL: func.func @attention_d128(
// CHECK-NOT: wgmma
// CHECK: nvvm.mma.sync
// CHECK-NOT: wgmma
// CHECK-LABEL: func.func @attention_f32(
// CHECK-NOT: wgmma
// CHECK-NOT: nvvm.mma.sync
// CHECK: return
// SM90-LABEL: func.func @attention_decode(
// WG2-LABEL: func.func @attention_decode(
// PTX-LABEL: gpu.binary @attention_decode_kernel
// PTX-NOT: wgmma.mma_async
// PTX: gpu.binary @attention_d128_kernel
// PTX-NOT: wgmma.mma_async
// PTX: gpu.binary @attention_f32_kernel
// PTX-NOT: wgmma.mma_async
func.func @attention_decode(%q: tensor<8x1x16x64xbf16>, %k: tensor<8x?x4x64xbf16>, %v: tensor<8x?x4x64xbf16>) -> tensor<8x1x16x64xbf16> {
  %o = sessa.attention %q, %k, %v : tensor<8x1x16x64xbf16>, tensor<8x?x4x64xbf16>, tensor<8x?x4x64xbf16>
  return %o : tensor<8x1x16x64xbf16>
}
func.func @attention_d128(%q: tensor<?x?x4x128xbf16>, %k: tensor<?x?x4x128xbf16>, %v: tensor<?x?x4x128xbf16>) -> tensor<?x?x4x128xbf16> {
  %o = sessa.attention %q, %k, %v : tensor<?x?x4x128xbf16>, tensor<?x?x4x128xbf16>, tensor<?x?x4x128xbf16>
  return %o : tensor<?x?x4x128xbf16>
}
func.func @attention_f32(%q: tensor<?x?x4x64xf32>, %k: tensor<?x?x4x64xf32>, %v: tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32> {
  %o = sessa.attention %q, %k, %v : tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>
  return %o : tensor<?x?x4x64xf32>
}
