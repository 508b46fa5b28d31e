// The sm_90a attention kernel (convert-sessa-to-gpu{wgmma-attention}): bf16
// and f16 attention with head dim 64 run one warpgroup (128 threads, 64
// query rows) with S = Q K^T and O += P V on wgmma.mma_async; Q, K and V
// move by cp.async into 128-byte swizzled dynamic shared memory (Q 8 KB,
// K and V 2 x 8 KB for 64-key tiles: 40 KB + 1 KB for the 1024-byte
// alignment). Blocks run longest-first over all heads (the row tile is the
// slowest part of the linear block index); one barrier a tile; O is
// rescaled only when some row's running max of the warp grew by more than
// 2^8 (lazy rescaling). Without the option (the default sm_90 chip), or for
// f32, d != 64 and a static T of at most 64 rows per kv head (decoding),
// the mma.sync / SIMT kernels stay. The hidden knobs select two warpgroups
// (128 rows), 128-key tiles, the stop-11 loop (two barriers a tile, eager
// rescaling), 3 stages, the intra-warpgroup overlap of the softmax with
// the previous tile's P V, and the head-after-head block order.

// RUN: sessa-opt %s --split-input-file --convert-sessa-to-gpu=wgmma-attention=true --cse | FileCheck %s
// RUN: sessa-opt %s --split-input-file --convert-sessa-to-gpu --cse | FileCheck %s --check-prefix=SM90
// RUN: sessa-opt %s --split-input-file --sessa-gpu-attention-wgmma-warpgroups=2 --convert-sessa-to-gpu=wgmma-attention=true --cse | FileCheck %s --check-prefix=WG2
// RUN: sessa-opt %s --split-input-file --sessa-gpu-pipeline="format=isa chip=sm_90a" | FileCheck %s --check-prefix=PTX
// RUN: sessa-opt %s --split-input-file --sessa-gpu-attention-wgmma-pipeline=0 --sessa-gpu-attention-wgmma-bc=128 --sessa-gpu-attention-wgmma-lazy-rescale=0 --convert-sessa-to-gpu=wgmma-attention=true --cse | FileCheck %s --check-prefix=TWOBAR
// RUN: sessa-opt %s --split-input-file --sessa-gpu-attention-wgmma-pipeline=0 --sessa-gpu-attention-wgmma-bc=128 --sessa-gpu-attention-wgmma-stages=3 --convert-sessa-to-gpu=wgmma-attention=true --cse | FileCheck %s --check-prefix=S3
// RUN: sessa-opt %s --split-input-file --sessa-gpu-attention-wgmma-pipeline=2 --convert-sessa-to-gpu=wgmma-attention=true --cse | FileCheck %s --check-prefix=OVL
// RUN: sessa-opt %s --split-input-file --sessa-gpu-attention-lpt=false --convert-sessa-to-gpu=wgmma-attention=true --cse | FileCheck %s --check-prefix=NOLPT

// CHECK-LABEL: func.func @attention_bf16_gqa(
// Row tiles of 64 rows (T*g rows per kv head).
// CHECK: %[[C64:.+]] = arith.constant 64 : index
// CHECK: arith.ceildivui %{{.+}}, %[[C64]] : index
// CHECK: gpu.launch blocks(%[[BX:[a-z0-9]+]], %[[BY:[a-z0-9]+]], %[[BZ:[a-z0-9]+]]) in (%[[GX:[a-z0-9]+]] = %{{.+}}, %{{.+}} = %c2, %[[GZ:[a-z0-9]+]] = %{{.+}}) threads({{.+}}) in (%{{[^ ]+}} = %c128, {{.+}}) dynamic_shared_memory_size %c41984_i32 {
// CHECK-NEXT: %[[POOL:.+]] = gpu.dynamic_shared_memory : memref<?xi8, #gpu.address_space<workgroup>>
// Longest first: linear block index x + X (y + Hk z), divided by splits *
// Hk * B: the row tile (counted from the last) is its slowest part.
// CHECK: %[[T1:.+]] = arith.muli %c2, %[[BZ]] : index
// CHECK: %[[T2:.+]] = arith.addi %[[BY]], %[[T1]] : index
// CHECK: %[[T3:.+]] = arith.muli %[[GX]], %[[T2]] : index
// CHECK: %[[LIN:.+]] = arith.addi %[[BX]], %[[T3]] : index
// CHECK: %[[T4:.+]] = arith.muli %c2, %[[GZ]] : index
// CHECK: %[[PER:.+]] = arith.muli %{{.+}}, %[[T4]] : index
// CHECK: arith.divui %[[LIN]], %[[PER]] : index
// CHECK: memref.extract_aligned_pointer_as_index %[[POOL]]
// CHECK: %[[VIEW:.+]] = memref.view %[[POOL]][%{{.+}}][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<20480xbf16, #gpu.address_space<workgroup>>
// The Q tile (rows of (t, h) by GQA row), 16 bytes a copy.
// CHECK: nvgpu.device_async_copy %{{.+}}, %[[VIEW]][%{{.+}}], 8, %{{.+}} {bypassL1} : memref<?x?x4x64xbf16> to memref<20480xbf16, #gpu.address_space<workgroup>>
// The first K/V tile: raw cp.async with zero fill past the visible keys,
// committed with Q as one group.
// CHECK: nvvm.cp.async.shared.global %{{.+}}, %{{.+}}, 16, cache = cg, %{{.+}} : !llvm.ptr<3>, !llvm.ptr<1>, i32
// CHECK: nvvm.cp.async.commit.group
// The unmasked key tiles: m, l of 2 rows and 32 accumulators a thread.
// CHECK: scf.for {{.+}} -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32) {
// Tile kt landed (the only group in flight); generic-proxy writes fenced
// before the tensor cores read them; past the barrier every thread is done
// with tile kt - 1, whose stages tile kt + 1 (8 copies a thread) takes.
// CHECK-NEXT: nvvm.cp.async.wait.group 0
// CHECK-NEXT: nvvm.fence.proxy {kind = #nvvm.proxy_kind<async.shared>, space = #nvvm.shared_space<cta>}
// CHECK-NEXT: gpu.barrier
// CHECK-COUNT-8: nvvm.cp.async.shared.global
// CHECK: nvvm.cp.async.commit.group
// S = Q K^T: 4 k16 steps of m64n64k16, both operands K-major descriptors.
// CHECK: nvvm.wgmma.fence.aligned
// CHECK-NEXT: %{{.+}} = llvm.mlir.undef
// CHECK-NEXT: nvvm.wgmma.mma_async {{.+}} <m = 64, n = 64, k = 16>, D[<f32>, <zero>], A[<bf16>, <one>, <row>], B[<bf16>, <one>, <col>]
// CHECK-COUNT-3: nvvm.wgmma.mma_async {{.+}} <m = 64, n = 64, k = 16>, D[<f32>, <one>], A[<bf16>, <one>, <row>], B[<bf16>, <one>, <col>]
// CHECK: nvvm.wgmma.commit.group.sync.aligned
// CHECK: nvvm.wgmma.wait.group.sync.aligned 0
// The online softmax: the running max moves only when a row of the warp
// grew by more than 2^8; one fma and ex2 per score; O rescaled only then.
// CHECK: %[[ANY:.+]] = nvvm.vote.sync any %{{.+}}, %{{.+}} -> i1
// CHECK: math.fma
// CHECK: llvm.inline_asm asm_dialect = att "ex2.approx.ftz.f32 $0, $1;", "=f,f"
// CHECK: scf.if %[[ANY]] -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32) {
// CHECK-COUNT-32: arith.mulf
// CHECK: } else {
// O += P V: 4 k16 steps with P from registers and V transposed (imm-trans-b 1).
// CHECK: nvvm.wgmma.fence.aligned
// CHECK-COUNT-4: llvm.inline_asm has_side_effects asm_dialect = att "{\0A.reg .pred p;\0Asetp.ne.b32 p, $69, 0;\0Awgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16 {{.+}}, {$64, $65, $66, $67}, $68, p, 1, 1, 1;
// CHECK: nvvm.wgmma.commit.group.sync.aligned
// CHECK-NEXT: nvvm.wgmma.wait.group.sync.aligned 0
// CHECK-NEXT: scf.yield
// The masked (diagonal) tiles: a second loop.
// CHECK: scf.for
// CHECK: nvvm.wgmma.mma_async
// CHECK: arith.cmpi ule
// CHECK: llvm.inline_asm has_side_effects
// CHECK: nvvm.cp.async.wait.group 0
// Epilogue: one split: o * (1 / l), two adjacent columns a 4-byte store;
// several: unnormalised o, m, l partials.
// CHECK: scf.if
// CHECK: arith.divf
// CHECK: vector.store %{{.+}}, %{{.+}}[%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}] {alignment = 4 : i64} : memref<?x?x4x64xbf16>, vector<2xbf16>
// CHECK: } else {
// CHECK: memref.store %{{.+}} : memref<?x?x?x4x64xf32>
// CHECK: gpu.launch
// SM90-LABEL: func.func @attention_bf16_gqa(
// SM90-NOT: wgmma
// SM90: nvvm.mma.sync
// SM90-NOT: wgmma
// The stop-11 loop (knobs): 128-key tiles (K and V 2 x 16 KB), tile kt + 1
// issued before the wait for tile kt, a second barrier at the end of a tile
// (stage kt % 2 read before tile kt + 2 lands), O rescaled every tile.
// TWOBAR-LABEL: func.func @attention_bf16_gqa(
// TWOBAR: gpu.launch {{.+}} dynamic_shared_memory_size %c74752_i32 {
// TWOBAR: scf.for {{.+}} -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32) {
// TWOBAR-COUNT-16: nvvm.cp.async.shared.global
// TWOBAR: nvvm.cp.async.commit.group
// TWOBAR-NEXT: nvvm.cp.async.wait.group 1
// TWOBAR-NEXT: nvvm.fence.proxy {kind = #nvvm.proxy_kind<async.shared>, space = #nvvm.shared_space<cta>}
// TWOBAR-NEXT: gpu.barrier
// TWOBAR: nvvm.wgmma.mma_async {{.+}} <m = 64, n = 128, k = 16>, D[<f32>, <zero>], A[<bf16>, <one>, <row>], B[<bf16>, <one>, <col>]
// TWOBAR-COUNT-3: nvvm.wgmma.mma_async {{.+}} <m = 64, n = 128, k = 16>, D[<f32>, <one>], A[<bf16>, <one>, <row>], B[<bf16>, <one>, <col>]
// TWOBAR-NOT: nvvm.vote.sync
// TWOBAR-NOT: scf.if
// TWOBAR: nvvm.wgmma.fence.aligned
// TWOBAR-COUNT-8: llvm.inline_asm has_side_effects asm_dialect = att "{\0A.reg .pred p;\0Asetp.ne.b32 p, $69, 0;\0Awgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16
// TWOBAR: nvvm.wgmma.commit.group.sync.aligned
// TWOBAR-NEXT: nvvm.wgmma.wait.group.sync.aligned 0
// TWOBAR-NEXT: gpu.barrier
// TWOBAR-NEXT: scf.yield
// Three stages (knob, with the stop-11 loop): 3 x 2 x 16 KB of K/V; the P V
// group is committed but not waited inside the tile (the next tile's wait
// completes it), and once after the loops.
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
// Intra-warpgroup overlap (knob): V in 3 stages (Q 8 + K 16 + V 24 KB), the
// stage of "tile lo - 1" zeroed (P = 0 there); per tile S = Q K(kt)^T and
// O += P(kt-1) V(kt-1) are issued together, the softmax waits for S only,
// then the P V group is waited with O and P(kt-1) as tied operands; the
// last tile's P V after the loops. State: m, l, O and P (16 x i32).
// OVL-LABEL: func.func @attention_bf16_gqa(
// OVL: gpu.launch {{.+}} dynamic_shared_memory_size %c50176_i32 {
// OVL: %[[VIEW:.+]] = memref.view {{.+}} to memref<24576xbf16, #gpu.address_space<workgroup>>
// OVL-COUNT-4: vector.store %{{.+}}, %[[VIEW]][%{{.+}}] {alignment = 16 : i64} : memref<24576xbf16, #gpu.address_space<workgroup>>, vector<8xbf16>
// OVL-NEXT: nvvm.fence.proxy
// OVL-NEXT: gpu.barrier
// OVL: scf.for {{.+}} -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32) {
// OVL: nvvm.wgmma.fence.aligned
// OVL-COUNT-4: nvvm.wgmma.mma_async
// OVL-NEXT: nvvm.wgmma.commit.group.sync.aligned
// OVL-COUNT-4: llvm.inline_asm has_side_effects {{.+}}m64n64k16
// OVL: nvvm.wgmma.commit.group.sync.aligned
// OVL-NEXT: nvvm.wgmma.wait.group.sync.aligned 1
// OVL: math.fma
// OVL: llvm.inline_asm has_side_effects asm_dialect = att "wgmma.wait_group.sync.aligned 0;"
// OVL: scf.yield
// OVL: scf.for
// OVL: nvvm.wgmma.wait.group.sync.aligned 1
// OVL: scf.yield
// OVL: nvvm.wgmma.fence.aligned
// OVL-COUNT-4: llvm.inline_asm has_side_effects {{.+}}m64n64k16
// OVL: nvvm.wgmma.commit.group.sync.aligned
// OVL-NEXT: llvm.inline_asm has_side_effects asm_dialect = att "wgmma.wait_group.sync.aligned 0;"
// OVL: nvvm.cp.async.wait.group 0
// Head-after-head block order (knob): blockIdx.x / splits is the row tile.
// NOLPT-LABEL: func.func @attention_bf16_gqa(
// NOLPT: gpu.launch blocks(%[[BX:[a-z0-9]+]], %{{.+}}) in
// NOLPT-NOT: arith.addi %[[BX]],
// NOLPT: arith.divui %[[BX]], %{{.+}} : index
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
// PTX-SAME: .minnctapersm 4
// PTX-SAME: wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16
// PTX-SAME: vote.sync.any.pred
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
