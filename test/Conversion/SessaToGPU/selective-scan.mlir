// Launch structure of the sessa.selective_scan GPU lowering: one gpu.launch,
// grid (channel blocks, B), 128 threads; L lanes per channel carry N / L
// states each in registers (f32). When the staged kernel's blocks tile each
// group and rows of N are 16 bytes, u, delta, z, B and C are staged by
// cp.async through 16-byte aligned dynamic shared memory, the whole stage
// unrolled: in each round of L steps, lane k computes the per-channel work
// (softplus, gate) of step k and shares dt, dt u through index shuffles, the
// decays are ex2.approx.ftz, and y is reduce-scattered over the L lanes
// (log2 L xor shuffles per L steps). Shapes: f32 with N = 16 takes 2 lanes
// (8 states each, 64-channel blocks; 2 stages, above 48 KB with z) where
// 64-channel blocks tile a group, else 4 lanes when N % 4 == 0 (32-channel
// blocks), else 2. f32 (stop 10): channel rows unpadded with an XOR swizzle,
// softplus as max(x, 0) + log1p(exp(-|x|)) with a polynomial log1p, stages
// wholly inside T without checks (a second copy of the stage behind a
// uniform branch), y + D u and the gate before the barrier that frees the
// stage, and an occupancy request (`sessa.min_blocks_per_sm`, made
// nvvm.minctasm by sessa-gpu-kernel-occupancy). 16-bit storage keeps the
// previous kernel (rows padded by 32 bytes, libdevice log1p, checked
// stages). Otherwise a direct kernel with 4 time steps of loads in flight
// per iteration and y = C . h reduced with xor shuffles.

// RUN: sessa-opt %s --split-input-file --convert-sessa-to-gpu --cse | FileCheck %s
// Tuning knobs (hidden): 16 steps per stage, 2 lanes per channel; the
// stop-10 changes off (the previous f32 kernel).
// RUN: sessa-opt %s --split-input-file --sessa-gpu-scan-steps=16 --sessa-gpu-scan-lanes=2 --convert-sessa-to-gpu --cse | FileCheck %s --check-prefix=KNOBS
// RUN: sessa-opt %s --split-input-file --sessa-gpu-scan-lanes=4 --sessa-gpu-scan-swizzle=false --sessa-gpu-scan-fast-softplus=false --sessa-gpu-scan-full-chunks=false --sessa-gpu-scan-late-gate=false --sessa-gpu-scan-min-blocks=-1 --convert-sessa-to-gpu --cse | FileCheck %s --check-prefix=PREV

// Direct kernel: Dm / G = 48 channels per group (not a multiple of
// the staged 32-channel blocks), N = 16 (4 lanes x 4).
// CHECK-LABEL: func.func @direct
// CHECK-DAG:   %[[B:.*]] = tensor.dim %{{.*}}, %c0 : tensor<?x?x96xf32>
// CHECK-DAG:   %[[Y:.*]] = memref.alloc(%{{.*}}, %{{.*}}) : memref<?x?x96xf32>
// CHECK-DAG:   %[[H:.*]] = memref.alloc(%{{.*}}) : memref<?x96x16xf32>
// CHECK:       gpu.launch blocks({{.*}}) in ({{.*}} = %c3, {{.*}} = %[[B]], {{.*}} = %c1) threads({{.*}}) in ({{.*}} = %c128, {{.*}} = %c1, {{.*}} = %c1) {
// CHECK-NOT:     nvgpu.device_async_copy
// Main loop: 4 steps per iteration, 4 states per lane carried.
// CHECK:         scf.for {{.*}} step %c4 iter_args({{.*}}) -> (f32, f32, f32, f32) {
// CHECK-COUNT-4:   math.exp2
// CHECK:           gpu.shuffle  xor %{{.*}}, %c1_i32, %c32_i32
// CHECK:           gpu.shuffle  xor %{{.*}}, %c2_i32, %c32_i32
// CHECK:           memref.store %{{.*}}, %[[Y]]
// Tail loop: one step at a time.
// CHECK:         scf.for {{.*}} step %c1 iter_args({{.*}}) -> (f32, f32, f32, f32) {
// CHECK:         memref.store %{{.*}}, %[[H]]
// CHECK:         gpu.terminator
// CHECK:       bufferization.to_tensor %[[Y]] restrict writable
// CHECK:       bufferization.to_tensor %[[H]] restrict writable
func.func @direct(%u: tensor<?x?x96xf32>, %dt: tensor<?x?x96xf32>, %A: tensor<96x16xf32>, %B: tensor<?x?x2x16xf32>, %C: tensor<?x?x2x16xf32>, %D: tensor<96xf32>, %z: tensor<?x?x96xf32>, %bias: tensor<96xf32>, %h0: tensor<?x96x16xf32>) -> (tensor<?x?x96xf32>, tensor<?x96x16xf32>) {
  %y, %h = sessa.selective_scan %u, %dt, %A, %B, %C D(%D : tensor<96xf32>) z(%z : tensor<?x?x96xf32>) delta_bias(%bias : tensor<96xf32>) h0(%h0 : tensor<?x96x16xf32>) {delta_softplus}
    : tensor<?x?x96xf32>, tensor<?x?x96xf32>, tensor<96x16xf32>, tensor<?x?x2x16xf32>, tensor<?x?x2x16xf32> -> tensor<?x?x96xf32>, tensor<?x96x16xf32>
  return %y, %h : tensor<?x?x96xf32>, tensor<?x96x16xf32>
}

// -----

// Staged kernel with every option: Dm / G = 32 (two groups, one block
// each: 4 lanes, as 64-channel blocks do not tile a group), D, z,
// delta_bias, softplus, h0; three channel tiles (u, delta, z; 32 x 32 f32,
// swizzled) per stage, 2 stages.
// CHECK-LABEL: func.func @staged_options
// CHECK:       gpu.launch blocks({{.*}}) in ({{.*}} = %c2, {{.*}}, {{.*}} = %c1) threads({{.*}}) in ({{.*}} = %c128, {{.*}} = %c1, {{.*}} = %c1) dynamic_shared_memory_size %c32768_i32 {
// CHECK-COUNT-2: memref.view {{.*}} to memref<2x32x32xf32, #gpu.address_space<workgroup>>
// CHECK-COUNT-2: memref.view {{.*}} to memref<2x32x16xf32, #gpu.address_space<workgroup>>
// CHECK:         memref.view {{.*}} to memref<2x32x32xf32, #gpu.address_space<workgroup>>
// The initial state: 4 states of this lane from h0.
// CHECK-COUNT-4: memref.load %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}] : memref<?x64x16xf32>
// Swizzled columns of the cp.async copies.
// CHECK:         arith.xori
// CHECK:         nvgpu.device_async_copy
// CHECK:         scf.for {{.*}} iter_args({{.*}}) -> (f32, f32, f32, f32) {
// CHECK:           nvgpu.device_async_wait %{{.*}} {numGroups = 1 : i32}
// CHECK:           gpu.barrier
// A stage wholly inside T: no checks against T.
// CHECK:           %[[FULL:.*]] = arith.cmpi ule
// CHECK:           scf.if %[[FULL]] -> (f32, f32, f32, f32) {
// CHECK-NOT:         arith.cmpi ult
// softplus(delta + bias) = max(x, 0) + log1p(exp(-|x|)), log1p(e) = e + e^2 q(e).
// CHECK:             arith.addf
// CHECK:             math.absf
// CHECK-NEXT:        arith.negf
// CHECK-NEXT:        arith.mulf
// CHECK-NEXT:        llvm.call_intrinsic "llvm.nvvm.ex2.approx.ftz.f32"
// CHECK-COUNT-7:     math.fma
// CHECK-NEXT:        arith.mulf
// CHECK-NEXT:        math.fma
// CHECK-NEXT:        arith.maximumf
// CHECK-NEXT:        arith.addf
// CHECK-NOT:         math.log1p
// CHECK-NOT:         arith.cmpi ult
// CHECK:             gpu.shuffle  idx
// CHECK-COUNT-4:     llvm.call_intrinsic "llvm.nvvm.ex2.approx.ftz.f32"
// CHECK:             gpu.shuffle  xor %{{.*}}, %c2_i32, %c32_i32
// Before the barrier: y + D u (u read again), the gate of z (read again,
// rcp.approx), stored without a check.
// CHECK-NOT:         gpu.barrier
// CHECK:             memref.load {{.*}} : memref<2x32x32xf32, #gpu.address_space<workgroup>>
// CHECK-NEXT:        math.fma
// CHECK-NEXT:        memref.load {{.*}} : memref<2x32x32xf32, #gpu.address_space<workgroup>>
// CHECK-NEXT:        arith.negf
// CHECK:             llvm.call_intrinsic "llvm.nvvm.rcp.approx.ftz.f"
// CHECK-NEXT:        arith.mulf
// CHECK-NEXT:        arith.mulf
// CHECK-NEXT:        memref.store
// CHECK:             gpu.barrier
// CHECK-NEXT:        scf.yield
// The last stage: dt = 0 past T, stores checked.
// CHECK-NEXT:      } else {
// CHECK:             arith.cmpi ult
// CHECK:             arith.select
// CHECK:             scf.if
// CHECK-NEXT:          memref.store
// CHECK:             gpu.barrier
// CHECK:         } {sessa.min_blocks_per_sm = 4 : i64}
// CHECK:         gpu.terminator
// The previous f32 kernel (knobs off): padded rows, libdevice log1p and
// range selects, one checked stage, the gate before (2), stores after the
// barrier.
// PREV-LABEL: func.func @staged_options
// PREV:       dynamic_shared_memory_size %c38912_i32 {
// PREV-COUNT-2: memref.view {{.*}} to memref<2x32x40xf32, #gpu.address_space<workgroup>>
// PREV:         scf.for {{.*}} iter_args({{.*}}) -> (f32, f32, f32, f32) {
// PREV-NOT:       scf.if {{.*}} -> (f32
// PREV:           llvm.call_intrinsic "llvm.nvvm.ex2.approx.ftz.f32"
// PREV:           math.log1p
// PREV:           arith.select
// PREV:           arith.select
// PREV:           arith.select
// PREV:           llvm.call_intrinsic "llvm.nvvm.rcp.approx.ftz.f"
// PREV:           gpu.shuffle  idx
// PREV:           gpu.barrier
// PREV:           math.fma
// PREV:           arith.mulf
// PREV:           scf.if
// PREV-NEXT:        memref.store
// PREV:         }
// PREV-NOT:     sessa.min_blocks_per_sm
// PREV:         gpu.terminator
func.func @staged_options(%u: tensor<?x?x64xf32>, %dt: tensor<?x?x64xf32>, %A: tensor<64x16xf32>, %B: tensor<?x?x2x16xf32>, %C: tensor<?x?x2x16xf32>, %D: tensor<64xf32>, %z: tensor<?x?x64xf32>, %bias: tensor<64xf32>, %h0: tensor<?x64x16xf32>) -> (tensor<?x?x64xf32>, tensor<?x64x16xf32>) {
  %y, %h = sessa.selective_scan %u, %dt, %A, %B, %C D(%D : tensor<64xf32>) z(%z : tensor<?x?x64xf32>) delta_bias(%bias : tensor<64xf32>) h0(%h0 : tensor<?x64x16xf32>) {delta_softplus}
    : tensor<?x?x64xf32>, tensor<?x?x64xf32>, tensor<64x16xf32>, tensor<?x?x2x16xf32>, tensor<?x?x2x16xf32> -> tensor<?x?x64xf32>, tensor<?x64x16xf32>
  return %y, %h : tensor<?x?x64xf32>, tensor<?x64x16xf32>
}


// -----

// Staged kernel: Dm = 128 in one group, N = 16 f32, no options: the wide
// shape (2 lanes x 8 states, 64-channel blocks), 2 stages of u, delta
// (32 x 64 f32, swizzled) and B, C (32 x 16 f32).
// CHECK-LABEL: func.func @staged
// CHECK:       gpu.launch blocks({{.*}}) in ({{.*}} = %c2, {{.*}}, {{.*}} = %c1) threads({{.*}}) in ({{.*}} = %c128, {{.*}} = %c1, {{.*}} = %c1) dynamic_shared_memory_size %c40960_i32 {
// CHECK:         gpu.dynamic_shared_memory
// CHECK-COUNT-2: memref.view {{.*}} to memref<2x32x64xf32, #gpu.address_space<workgroup>>
// CHECK-COUNT-2: memref.view {{.*}} to memref<2x32x16xf32, #gpu.address_space<workgroup>>
// CHECK:         nvgpu.device_async_copy {{.*}}, 4, %{{.*}} {bypassL1} : memref<?x?x128xf32> to memref<2x32x64xf32, #gpu.address_space<workgroup>>
// CHECK:         nvgpu.device_async_create_group
// CHECK:         scf.for {{.*}} iter_args({{.*}}) -> (f32, f32, f32, f32, f32, f32, f32, f32) {
// CHECK:           nvgpu.device_async_copy
// CHECK:           nvgpu.device_async_wait %{{.*}} {numGroups = 1 : i32}
// CHECK:           gpu.barrier
// CHECK:           scf.if %{{.*}} -> (f32, f32, f32, f32, f32, f32, f32, f32) {
// The whole stage is straight-line code: (1) this lane's own step of each
// of the 16 rounds of 2 steps (dt u).
// CHECK-NOT:         scf.for
// CHECK-NOT:         gpu.shuffle
// CHECK-COUNT-16:    arith.mulf
// (2) Steps 0 and 1: dt and dt u of lanes 0 and 1, 8 decays each; y
// reduce-scattered with one xor shuffle per round.
// CHECK:             gpu.shuffle  idx
// CHECK:             gpu.shuffle  idx
// CHECK-COUNT-8:     llvm.call_intrinsic "llvm.nvvm.ex2.approx.ftz.f32"
// CHECK:             gpu.shuffle  idx
// CHECK:             gpu.shuffle  idx
// CHECK-COUNT-8:     llvm.call_intrinsic "llvm.nvvm.ex2.approx.ftz.f32"
// CHECK:             gpu.shuffle  xor %{{.*}}, %c1_i32, %c32_i32
// CHECK-NOT:         gpu.shuffle  xor %{{.*}}, %c2_i32
// (3) The 16 stores of this lane, then the barrier that frees the stage.
// CHECK-COUNT-16:    memref.store
// CHECK-NEXT:        gpu.barrier
// CHECK:           } else {
// CHECK:         } {sessa.min_blocks_per_sm = 2 : i64}
// CHECK:         nvvm.cp.async.wait.group 0
// CHECK:         gpu.terminator
// KNOBS-LABEL: func.func @staged(
// KNOBS:       gpu.launch blocks({{.*}}) in ({{.*}} = %c2, {{.*}}) threads({{.*}}) in ({{.*}} = %c128, {{.*}}) dynamic_shared_memory_size %c{{[0-9]+}}_i32 {
// KNOBS-COUNT-2: memref.view {{.*}} to memref<4x16x64xf32, #gpu.address_space<workgroup>>
// KNOBS:         scf.for {{.*}} -> (f32, f32, f32, f32, f32, f32, f32, f32) {
// KNOBS:           llvm.call_intrinsic "llvm.nvvm.ex2.approx.ftz.f32"
// KNOBS:           gpu.shuffle  xor %{{.*}}, %c1_i32, %c32_i32
// KNOBS-NOT:       gpu.shuffle  xor %{{.*}}, %c2_i32
// KNOBS:           gpu.barrier
func.func @staged(%u: tensor<?x?x128xf32>, %dt: tensor<?x?x128xf32>, %A: tensor<128x16xf32>, %B: tensor<?x?x1x16xf32>, %C: tensor<?x?x1x16xf32>) -> (tensor<?x?x128xf32>, tensor<?x128x16xf32>) {
  %y, %h = sessa.selective_scan %u, %dt, %A, %B, %C : tensor<?x?x128xf32>, tensor<?x?x128xf32>, tensor<128x16xf32>, tensor<?x?x1x16xf32>, tensor<?x?x1x16xf32> -> tensor<?x?x128xf32>, tensor<?x128x16xf32>
  return %y, %h : tensor<?x?x128xf32>, tensor<?x128x16xf32>
}

// -----

// The wide shape with z: 3 channel tiles of 32 x 64 f32 and B, C a stage,
// 2 stages = 56 KB of dynamic shared memory (the launcher opts in above
// 48 KB), 2 blocks per SM requested.
// CHECK-LABEL: func.func @staged_wide_z
// CHECK:       gpu.launch blocks({{.*}}) in ({{.*}} = %c2, {{.*}}, {{.*}} = %c1) threads({{.*}}) in ({{.*}} = %c128, {{.*}} = %c1, {{.*}} = %c1) dynamic_shared_memory_size %c57344_i32 {
// CHECK-COUNT-2: memref.view {{.*}} to memref<2x32x64xf32, #gpu.address_space<workgroup>>
// CHECK-COUNT-2: memref.view {{.*}} to memref<2x32x16xf32, #gpu.address_space<workgroup>>
// CHECK:         memref.view {{.*}} to memref<2x32x64xf32, #gpu.address_space<workgroup>>
// CHECK:         scf.for {{.*}} -> (f32, f32, f32, f32, f32, f32, f32, f32) {
// CHECK:         } {sessa.min_blocks_per_sm = 2 : i64}
func.func @staged_wide_z(%u: tensor<?x?x128xf32>, %dt: tensor<?x?x128xf32>, %A: tensor<128x16xf32>, %B: tensor<?x?x1x16xf32>, %C: tensor<?x?x1x16xf32>, %z: tensor<?x?x128xf32>) -> (tensor<?x?x128xf32>, tensor<?x128x16xf32>) {
  %y, %h = sessa.selective_scan %u, %dt, %A, %B, %C z(%z : tensor<?x?x128xf32>) {delta_softplus} : tensor<?x?x128xf32>, tensor<?x?x128xf32>, tensor<128x16xf32>, tensor<?x?x1x16xf32>, tensor<?x?x1x16xf32> -> tensor<?x?x128xf32>, tensor<?x128x16xf32>
  return %y, %h : tensor<?x?x128xf32>, tensor<?x128x16xf32>
}

// -----

// 16-bit storage keeps the previous staged kernel: 4 lanes, rows padded by
// 32 bytes (32 + 16 bf16), 4 stages in 46 KB, libdevice log1p, one checked
// stage, no occupancy request.
// CHECK-LABEL: func.func @staged_bf16
// CHECK:       gpu.launch {{.*}} dynamic_shared_memory_size %c45056_i32 {
// CHECK-COUNT-2: memref.view {{.*}} to memref<4x32x48xbf16, #gpu.address_space<workgroup>>
// CHECK:         scf.for {{.*}} -> (f32, f32, f32, f32) {
// CHECK-NOT:       scf.if {{.*}} -> (f32
// CHECK-NOT:       math.absf
// CHECK:           math.log1p
// CHECK:           gpu.barrier
// CHECK:         }
// CHECK-NOT:     sessa.min_blocks_per_sm
// CHECK:         gpu.terminator
func.func @staged_bf16(%u: tensor<?x?x64xbf16>, %dt: tensor<?x?x64xbf16>, %A: tensor<64x16xbf16>, %B: tensor<?x?x1x16xbf16>, %C: tensor<?x?x1x16xbf16>, %z: tensor<?x?x64xbf16>) -> (tensor<?x?x64xbf16>, tensor<?x64x16xbf16>) {
  %y, %h = sessa.selective_scan %u, %dt, %A, %B, %C z(%z : tensor<?x?x64xbf16>) {delta_softplus} : tensor<?x?x64xbf16>, tensor<?x?x64xbf16>, tensor<64x16xbf16>, tensor<?x?x1x16xbf16>, tensor<?x?x1x16xbf16> -> tensor<?x?x64xbf16>, tensor<?x64x16xbf16>
  return %y, %h : tensor<?x?x64xbf16>, tensor<?x64x16xbf16>
}

// -----

// N = 5 (odd): one lane per channel carrying all 5 states, no shuffles.
// CHECK-LABEL: func.func @odd_state
// CHECK:       gpu.launch
// CHECK-NOT:     gpu.shuffle
// CHECK:         scf.for {{.*}} step %c4 iter_args({{.*}}) -> (f32, f32, f32, f32, f32) {
// CHECK-NOT:     gpu.shuffle
// CHECK:         gpu.terminator
func.func @odd_state(%u: tensor<2x9x48xbf16>, %dt: tensor<2x9x48xbf16>, %A: tensor<48x5xbf16>, %B: tensor<2x9x3x5xbf16>, %C: tensor<2x9x3x5xbf16>) -> (tensor<2x9x48xbf16>, tensor<2x48x5xbf16>) {
  %y, %h = sessa.selective_scan %u, %dt, %A, %B, %C : tensor<2x9x48xbf16>, tensor<2x9x48xbf16>, tensor<48x5xbf16>, tensor<2x9x3x5xbf16>, tensor<2x9x3x5xbf16> -> tensor<2x9x48xbf16>, tensor<2x48x5xbf16>
  return %y, %h : tensor<2x9x48xbf16>, tensor<2x48x5xbf16>
}
