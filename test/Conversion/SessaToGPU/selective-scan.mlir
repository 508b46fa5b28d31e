// Launch structure of the sessa.selective_scan GPU lowering: one gpu.launch,
// grid (channel blocks, B), 128 threads; L lanes per channel carry N / L
// states each in registers (f32), y = C . h reduced over the lanes with xor
// shuffles. When the 64-channel blocks of the staged kernel tile each group
// (Dm / G a multiple of 64) and rows of N are 16 bytes, u, delta, z, B and C
// are staged by cp.async through 16-byte aligned dynamic shared memory,
// 16 time steps per stage, 2 lanes per channel sharing the per-channel work
// (softplus, gate) through index shuffles; otherwise a direct kernel with
// 4 time steps of loads in flight per iteration.

// RUN: sessa-opt %s --split-input-file --convert-sessa-to-gpu --cse | FileCheck %s

// Direct kernel: Dm / G = 32 channels per group, N = 16 (4 lanes x 4).
// CHECK-LABEL: func.func @direct
// CHECK-DAG:   %[[B:.*]] = tensor.dim %{{.*}}, %c0 : tensor<?x?x64xf32>
// CHECK-DAG:   %[[Y:.*]] = memref.alloc(%{{.*}}, %{{.*}}) : memref<?x?x64xf32>
// CHECK-DAG:   %[[H:.*]] = memref.alloc(%{{.*}}) : memref<?x64x16xf32>
// CHECK:       gpu.launch blocks({{.*}}) in ({{.*}} = %c2, {{.*}} = %[[B]], {{.*}} = %c1) threads({{.*}}) in ({{.*}} = %c128, {{.*}} = %c1, {{.*}} = %c1) {
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
func.func @direct(%u: tensor<?x?x64xf32>, %dt: tensor<?x?x64xf32>, %A: tensor<64x16xf32>, %B: tensor<?x?x2x16xf32>, %C: tensor<?x?x2x16xf32>, %D: tensor<64xf32>, %z: tensor<?x?x64xf32>, %bias: tensor<64xf32>, %h0: tensor<?x64x16xf32>) -> (tensor<?x?x64xf32>, tensor<?x64x16xf32>) {
  %y, %h = sessa.selective_scan %u, %dt, %A, %B, %C D(%D : tensor<64xf32>) z(%z : tensor<?x?x64xf32>) delta_bias(%bias : tensor<64xf32>) h0(%h0 : tensor<?x64x16xf32>) {delta_softplus}
    : tensor<?x?x64xf32>, tensor<?x?x64xf32>, tensor<64x16xf32>, tensor<?x?x2x16xf32>, tensor<?x?x2x16xf32> -> tensor<?x?x64xf32>, tensor<?x64x16xf32>
  return %y, %h : tensor<?x?x64xf32>, tensor<?x64x16xf32>
}

// -----

// Staged kernel: Dm = 128 in one group, N = 16 (2 lanes x 8), no options.
// 3 stages of u, delta (16 x (64 + 4) f32) and B, C (16 x 16 f32).
// CHECK-LABEL: func.func @staged
// CHECK:       gpu.launch blocks({{.*}}) in ({{.*}} = %c2, {{.*}}, {{.*}} = %c1) threads({{.*}}) in ({{.*}} = %c128, {{.*}} = %c1, {{.*}} = %c1) dynamic_shared_memory_size %c32256_i32 {
// CHECK:         gpu.dynamic_shared_memory
// CHECK-COUNT-2: memref.view {{.*}} to memref<3x16x68xf32, #gpu.address_space<workgroup>>
// CHECK-COUNT-2: memref.view {{.*}} to memref<3x16x16xf32, #gpu.address_space<workgroup>>
// CHECK:         nvgpu.device_async_copy {{.*}}, 4, %{{.*}} {bypassL1} : memref<?x?x128xf32> to memref<3x16x68xf32, #gpu.address_space<workgroup>>
// CHECK:         nvgpu.device_async_create_group
// CHECK:         scf.for {{.*}} iter_args({{.*}}) -> (f32, f32, f32, f32, f32, f32, f32, f32) {
// CHECK:           nvgpu.device_async_copy
// CHECK:           nvgpu.device_async_wait %{{.*}} {numGroups = 2 : i32}
// CHECK:           gpu.barrier
// CHECK:           scf.for {{.*}} = %c0 to %c16 step %c2
// CHECK:             gpu.shuffle  idx
// CHECK-COUNT-8:     math.exp2
// CHECK:             gpu.shuffle  xor %{{.*}}, %c1_i32, %c32_i32
// CHECK:           gpu.barrier
// CHECK:         nvvm.cp.async.wait.group 0
// CHECK:         gpu.terminator
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
