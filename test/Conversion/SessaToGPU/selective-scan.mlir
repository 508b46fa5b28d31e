// Launch structure of the sessa.selective_scan GPU lowering: one gpu.launch,
// grid (channel blocks, B), 128 threads; L lanes per channel carry N / L
// states each in registers (f32). When the staged kernel's blocks tile each
// group (4 lanes per channel and 32-channel blocks when N % 4 == 0, else 2
// and 64) and rows of N are 16 bytes, u, delta, z, B and C are staged by
// cp.async through 16-byte aligned dynamic shared memory (16 f32 / 32 bf16
// time steps per stage, rows padded by 32 bytes), the whole stage unrolled:
// in each round of L steps, lane k computes the per-channel work (softplus,
// gate) of step k and shares dt, dt u through index shuffles, B and C come
// as one vector load per row, the decays are ex2.approx.ftz, and y is
// reduce-scattered over the L lanes (log2 L xor shuffles per L steps);
// otherwise a direct kernel with 4 time steps of loads in flight per
// iteration and y = C . h reduced with xor shuffles.

// RUN: sessa-opt %s --split-input-file --convert-sessa-to-gpu --cse | FileCheck %s
// Tuning knobs (hidden): 16 steps per stage, 2 lanes per channel.
// RUN: sessa-opt %s --split-input-file --sessa-gpu-scan-steps=16 --sessa-gpu-scan-lanes=2 --convert-sessa-to-gpu --cse | FileCheck %s --check-prefix=KNOBS

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

// Staged kernel with every option: Dm / G = 32 (two groups, one block each),
// D, z, delta_bias, softplus, h0; three channel tiles (u, delta, z) per
// stage, 2 stages. The per-channel work with MUFU approximations: exp as
// ex2.approx.ftz, the gate's division as rcp.approx.ftz; log1p libdevice's.
// CHECK-LABEL: func.func @staged_options
// CHECK:       gpu.launch blocks({{.*}}) in ({{.*}} = %c2, {{.*}}, {{.*}} = %c1) threads({{.*}}) in ({{.*}} = %c128, {{.*}} = %c1, {{.*}} = %c1) dynamic_shared_memory_size %c38912_i32 {
// CHECK-COUNT-2: memref.view {{.*}} to memref<2x32x40xf32, #gpu.address_space<workgroup>>
// CHECK-COUNT-2: memref.view {{.*}} to memref<2x32x16xf32, #gpu.address_space<workgroup>>
// CHECK:         memref.view {{.*}} to memref<2x32x40xf32, #gpu.address_space<workgroup>>
// The initial state: 4 states of this lane from h0.
// CHECK-COUNT-4: memref.load %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}] : memref<?x64x16xf32>
// CHECK:         scf.for {{.*}} iter_args({{.*}}) -> (f32, f32, f32, f32) {
// softplus(delta + bias) of this lane's first step, zero past T; the gate.
// CHECK:           arith.addf
// CHECK:           llvm.call_intrinsic "llvm.nvvm.ex2.approx.ftz.f32"
// CHECK:           math.log1p
// CHECK:           arith.select
// CHECK:           arith.select
// CHECK:           arith.select
// CHECK:           arith.negf
// CHECK:           llvm.call_intrinsic "llvm.nvvm.ex2.approx.ftz.f32"
// CHECK:           llvm.call_intrinsic "llvm.nvvm.rcp.approx.ftz.f"
// CHECK-NOT:       arith.divf
// CHECK:           gpu.shuffle  idx
// CHECK-COUNT-4:   llvm.call_intrinsic "llvm.nvvm.ex2.approx.ftz.f32"
// CHECK:           gpu.shuffle  xor %{{.*}}, %c1_i32, %c32_i32
// After the barrier: y + D u, times the gate, stored.
// CHECK:           gpu.barrier
// CHECK:           math.fma
// CHECK:           arith.mulf
// CHECK:           scf.if
// CHECK-NEXT:        memref.store
// CHECK:         gpu.terminator
func.func @staged_options(%u: tensor<?x?x64xf32>, %dt: tensor<?x?x64xf32>, %A: tensor<64x16xf32>, %B: tensor<?x?x2x16xf32>, %C: tensor<?x?x2x16xf32>, %D: tensor<64xf32>, %z: tensor<?x?x64xf32>, %bias: tensor<64xf32>, %h0: tensor<?x64x16xf32>) -> (tensor<?x?x64xf32>, tensor<?x64x16xf32>) {
  %y, %h = sessa.selective_scan %u, %dt, %A, %B, %C D(%D : tensor<64xf32>) z(%z : tensor<?x?x64xf32>) delta_bias(%bias : tensor<64xf32>) h0(%h0 : tensor<?x64x16xf32>) {delta_softplus}
    : tensor<?x?x64xf32>, tensor<?x?x64xf32>, tensor<64x16xf32>, tensor<?x?x2x16xf32>, tensor<?x?x2x16xf32> -> tensor<?x?x64xf32>, tensor<?x64x16xf32>
  return %y, %h : tensor<?x?x64xf32>, tensor<?x64x16xf32>
}


// -----

// Staged kernel: Dm = 128 in one group, N = 16 (4 lanes x 4), no options.
// 3 stages of u, delta (32 x (32 + 8) f32) and B, C (32 x 16 f32).
// CHECK-LABEL: func.func @staged
// CHECK:       gpu.launch blocks({{.*}}) in ({{.*}} = %c4, {{.*}}, {{.*}} = %c1) threads({{.*}}) in ({{.*}} = %c128, {{.*}} = %c1, {{.*}} = %c1) dynamic_shared_memory_size %c43008_i32 {
// CHECK:         gpu.dynamic_shared_memory
// CHECK-COUNT-2: memref.view {{.*}} to memref<3x32x40xf32, #gpu.address_space<workgroup>>
// CHECK-COUNT-2: memref.view {{.*}} to memref<3x32x16xf32, #gpu.address_space<workgroup>>
// CHECK:         nvgpu.device_async_copy {{.*}}, 4, %{{.*}} {bypassL1} : memref<?x?x128xf32> to memref<3x32x40xf32, #gpu.address_space<workgroup>>
// CHECK:         nvgpu.device_async_create_group
// CHECK:         scf.for {{.*}} iter_args({{.*}}) -> (f32, f32, f32, f32) {
// CHECK:           nvgpu.device_async_copy
// CHECK:           nvgpu.device_async_wait %{{.*}} {numGroups = 2 : i32}
// CHECK:           gpu.barrier
// The whole stage is straight-line code: (1) this lane's own step of each
// of the 8 rounds of 4 steps (u and delta from shared memory, dt = 0 past T).
// CHECK-NOT:       scf.for
// CHECK-NOT:       gpu.shuffle
// CHECK-COUNT-8:   arith.select
// CHECK-NOT:       scf.if
// (2) Step 0: dt and dt u of lane 0, B and C of row 0 as vector<4xf32>
// loads, 4 decays.
// CHECK:           gpu.shuffle  idx
// CHECK:           gpu.shuffle  idx
// CHECK:           vector.load %{{.*}}[%{{.*}}, %c0, %{{.*}}] {alignment = 16 : i64} : memref<3x32x16xf32, #gpu.address_space<workgroup>>, vector<4xf32>
// CHECK:           vector.load %{{.*}}[%{{.*}}, %c0, %{{.*}}] {alignment = 16 : i64} : memref<3x32x16xf32, #gpu.address_space<workgroup>>, vector<4xf32>
// CHECK-COUNT-4:   llvm.call_intrinsic "llvm.nvvm.ex2.approx.ftz.f32"
// CHECK:           vector.load %{{.*}}[%{{.*}}, %c3, %{{.*}}]
// Reduce-scatter of the first round's y: 2 + 1 xor shuffles.
// CHECK-COUNT-2:   gpu.shuffle  xor %{{.*}}, %c2_i32, %c32_i32
// CHECK:           gpu.shuffle  xor %{{.*}}, %c1_i32, %c32_i32
// CHECK-NOT:       scf.if
// CHECK:           vector.load %{{.*}}[%{{.*}}, %c31, %{{.*}}]
// CHECK-COUNT-2:   gpu.shuffle  xor %{{.*}}, %c2_i32, %c32_i32
// CHECK:           gpu.shuffle  xor %{{.*}}, %c1_i32, %c32_i32
// (3) After the barrier that frees the stage, the 8 stores of this lane.
// CHECK-NOT:       gpu.shuffle
// CHECK:           gpu.barrier
// CHECK-COUNT-8:   memref.store
// CHECK-NOT:       memref.store
// CHECK:           scf.yield
// CHECK:         nvvm.cp.async.wait.group 0
// CHECK:         gpu.terminator
// KNOBS-LABEL: func.func @staged(
// KNOBS:       gpu.launch blocks({{.*}}) in ({{.*}} = %c2, {{.*}}) threads({{.*}}) in ({{.*}} = %c128, {{.*}}) dynamic_shared_memory_size %c{{[0-9]+}}_i32 {
// KNOBS-COUNT-2: memref.view {{.*}} to memref<4x16x72xf32, #gpu.address_space<workgroup>>
// KNOBS:         scf.for {{.*}} -> (f32, f32, f32, f32, f32, f32, f32, f32) {
// KNOBS-COUNT-8:   llvm.call_intrinsic "llvm.nvvm.ex2.approx.ftz.f32"
// KNOBS:           gpu.shuffle  xor %{{.*}}, %c1_i32, %c32_i32
// KNOBS-NOT:       gpu.shuffle  xor %{{.*}}, %c2_i32
// KNOBS:           gpu.barrier
func.func @staged(%u: tensor<?x?x128xf32>, %dt: tensor<?x?x128xf32>, %A: tensor<128x16xf32>, %B: tensor<?x?x1x16xf32>, %C: tensor<?x?x1x16xf32>) -> (tensor<?x?x128xf32>, tensor<?x128x16xf32>) {
  %y, %h = sessa.selective_scan %u, %dt, %A, %B, %C : tensor<?x?x128xf32>, tensor<?x?x128xf32>, tensor<128x16xf32>, tensor<?x?x1x16xf32>, tensor<?x?x1x16xf32> -> tensor<?x?x128xf32>, tensor<?x128x16xf32>
  return %y, %h : tensor<?x?x128xf32>, tensor<?x128x16xf32>
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
