// The rope and attention kernels lower through NVVM to PTX for sm_90 (upstream
// gpu-lower-to-nvvm-pipeline, PTX kept as text): the tensor-core attention
// uses mma.sync m16n8k16 (bf16 in, f32 accumulators), ldmatrix (plain for Q
// and K, .trans for V), cp.async with zero-fill and its group waits (the PTX
// text is escaped: \09 is a tab); the
// exponentials are ex2 (libdevice's __nv_exp2f where the toolkit's libdevice
// is not found, as under lit); rope reduces its angles in f64 (round to
// even, fused multiply-adds: libdevice's __nv_rint / __nv_fma under lit),
// takes an f32 cos/sin of the remainder and moves 16 bytes a load and store.

// REQUIRES: cuda-toolkit
// RUN: sessa-opt %s --split-input-file --convert-sessa-to-gpu \
// RUN:   --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" \
// RUN:   --gpu-kernel-outlining \
// RUN: | mlir-opt --split-input-file \
// RUN:   --gpu-lower-to-nvvm-pipeline="cubin-chip=sm_90 cubin-features=+ptx80 cubin-format=isa" \
// RUN: | FileCheck %s

// CHECK-LABEL: gpu.binary @attention_bf16_kernel
// CHECK-SAME: .target sm_90
// CHECK-SAME: .visible .entry attention_bf16_kernel(
// CHECK-SAME: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// CHECK-SAME: cp.async.cg.shared.global [{{[^]]+}}], [{{[^]]+}}], 16, %r
// CHECK-SAME: cp.async.wait_group \091;
// CHECK-SAME: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// CHECK-SAME: {{ex2.approx|__nv_exp2f}}
// CHECK-SAME: ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16
// CHECK-SAME: cp.async.wait_group \090;
// The split combination kernel.
// CHECK-LABEL: gpu.binary @attention_bf16_kernel_0
// CHECK-SAME: {{ex2.approx|__nv_exp2f}}
func.func @attention_bf16(%q: tensor<?x?x4x64xbf16>, %k: tensor<?x?x2x64xbf16>, %v: tensor<?x?x2x64xbf16>) -> tensor<?x?x4x64xbf16> {
  %o = sessa.attention %q, %k, %v : tensor<?x?x4x64xbf16>, tensor<?x?x2x64xbf16>, tensor<?x?x2x64xbf16>
  return %o : tensor<?x?x4x64xbf16>
}

// -----

// CHECK-LABEL: gpu.binary @attention_f32_kernel
// CHECK-SAME: shfl.sync.bfly.b32
// CHECK-SAME: shfl.sync.idx.b32
// CHECK-NOT: mma.sync
func.func @attention_f32(%q: tensor<?x?x2x64xf32>, %k: tensor<?x?x2x64xf32>, %v: tensor<?x?x2x64xf32>) -> tensor<?x?x2x64xf32> {
  %o = sessa.attention %q, %k, %v : tensor<?x?x2x64xf32>, tensor<?x?x2x64xf32>, tensor<?x?x2x64xf32>
  return %o : tensor<?x?x2x64xf32>
}

// -----

// CHECK-LABEL: gpu.binary @rope_kernel
// CHECK-SAME: {{cvt.rni.f64.f64|__nv_rint}}
// CHECK-SAME: {{fma.rn.f64|__nv_fma}}
// CHECK-SAME: ld.global.v4.b32
// CHECK-SAME: st.global.v4.b32
func.func @rope(%x: tensor<?x?x4x64xbf16>, %p: index) -> tensor<?x?x4x64xbf16> {
  %o = sessa.rope %x offset(%p) : tensor<?x?x4x64xbf16>
  return %o : tensor<?x?x4x64xbf16>
}
