// sessa-cpu-pipeline after sessa-entry-point-abi: a module on tensors becomes
// the LLVM dialect only (plus omp.parallel / omp.wsloop with OpenMP, which
// mlir-translate turns into __kmpc_* runtime calls), every public function
// takes memref descriptors (inputs, then outputs), returns nothing and has a
// _mlir_ciface_ wrapper taking one descriptor pointer per memref; the result
// translates to LLVM IR.

// RUN: sessa-opt %s --sessa-entry-point-abi --sessa-cpu-pipeline | FileCheck %s
// RUN: sessa-opt %s --sessa-entry-point-abi --sessa-cpu-pipeline | FileCheck %s --check-prefix=ONLY-LLVM
// RUN: sessa-opt %s --sessa-entry-point-abi --sessa-cpu-pipeline | mlir-translate --mlir-to-llvmir | FileCheck %s --check-prefix=LLVMIR
// RUN: sessa-opt %s --sessa-entry-point-abi --sessa-cpu-pipeline="openmp=false" | FileCheck %s --check-prefix=SEQ
// RUN: sessa-opt %s --sessa-entry-point-abi --sessa-cpu-pipeline="openmp=false" | FileCheck %s --check-prefix=ONLY-LLVM
// RUN: sessa-opt %s --sessa-entry-point-abi --sessa-cpu-pipeline="openmp=false" | mlir-translate --mlir-to-llvmir | FileCheck %s --check-prefix=SEQ-LLVMIR
// Tile options reach convert-sessa-to-linalg through the pipeline.
// RUN: sessa-opt %s --sessa-entry-point-abi --sessa-cpu-pipeline="attention-query-tile=4 key-tile=4 scan-channel-tile=8" | mlir-translate --mlir-to-llvmir | FileCheck %s --check-prefix=LLVMIR

// No dialect other than llvm (and omp) is left.
// ONLY-LLVM-NOT: sessa.
// ONLY-LLVM-NOT: linalg.
// ONLY-LLVM-NOT: scf.
// ONLY-LLVM-NOT: memref.
// ONLY-LLVM-NOT: tensor.
// ONLY-LLVM-NOT: bufferization.
// ONLY-LLVM-NOT: arith.
// ONLY-LLVM-NOT: math.
// ONLY-LLVM-NOT: affine.
// ONLY-LLVM-NOT: cf.
// ONLY-LLVM-NOT: func.func
// ONLY-LLVM-NOT: func.return
// ONLY-LLVM-NOT: unrealized_conversion_cast

// With OpenMP (the default): the (batch, head, query tile) forall of the
// attention runs as an omp.parallel worksharing loop.
// CHECK-LABEL: llvm.func @rope_attention(
// CHECK-SAME: ) attributes {llvm.emit_c_interface} {
// CHECK: llvm.intr.cos
// CHECK: llvm.intr.sin
// CHECK: omp.parallel {
// CHECK: omp.wsloop {
// CHECK: omp.loop_nest
// CHECK: omp.yield
// CHECK: omp.terminator
// CHECK: llvm.return{{$}}
// Three inputs and one output: four descriptor pointers, no result.
// CHECK-LABEL: llvm.func @_mlir_ciface_rope_attention(
// CHECK-SAME: %{{[^:]+}}: !llvm.ptr, %{{[^:]+}}: !llvm.ptr, %{{[^:]+}}: !llvm.ptr, %{{[^:]+}}: !llvm.ptr) attributes {llvm.emit_c_interface} {
// CHECK: llvm.call @rope_attention(
// CHECK: llvm.return{{$}}
// CHECK-LABEL: llvm.func @scan(
// CHECK-SAME: ) attributes {llvm.emit_c_interface} {
// CHECK: omp.parallel {
// CHECK: omp.wsloop {
// CHECK: llvm.return{{$}}
// Five inputs and two outputs.
// CHECK-LABEL: llvm.func @_mlir_ciface_scan(
// CHECK-SAME: %{{[^:]+}}: !llvm.ptr, %{{[^:]+}}: !llvm.ptr, %{{[^:]+}}: !llvm.ptr, %{{[^:]+}}: !llvm.ptr, %{{[^:]+}}: !llvm.ptr, %{{[^:]+}}: !llvm.ptr, %{{[^:]+}}: !llvm.ptr) attributes {llvm.emit_c_interface} {
// CHECK: llvm.call @scan(

// The parallel regions are outlined and forked through the OpenMP runtime.
// LLVMIR-LABEL: define void @rope_attention(ptr
// LLVMIR: call double @llvm.cos.f64(
// LLVMIR: call void (ptr, i32, ptr, ...) @__kmpc_fork_call(ptr @{{[0-9]+}}, i32 1, ptr @rope_attention..omp_par,
// LLVMIR: define internal void @rope_attention..omp_par(
// LLVMIR: call void @__kmpc_for_static_init_8u(
// LLVMIR-LABEL: define void @_mlir_ciface_rope_attention(ptr %0, ptr %1, ptr %2, ptr %3) {
// LLVMIR: call void @rope_attention(
// LLVMIR-LABEL: define void @scan(ptr
// LLVMIR: call void (ptr, i32, ptr, ...) @__kmpc_fork_call(ptr @{{[0-9]+}}, i32 1, ptr @scan..omp_par,
// LLVMIR: define internal void @scan..omp_par(
// LLVMIR-LABEL: define void @_mlir_ciface_scan(ptr %0, ptr %1, ptr %2, ptr %3, ptr %4, ptr %5, ptr %6) {
// LLVMIR: call void @scan(
// LLVMIR: declare {{.*}}void @__kmpc_fork_call(ptr, i32, ptr, ...)

// openmp=false: the same functions, sequential loops, no OpenMP at all.
// SEQ-NOT: omp.
// SEQ-LABEL: llvm.func @rope_attention(
// SEQ-SAME: ) attributes {llvm.emit_c_interface} {
// SEQ-NOT: omp.
// SEQ-LABEL: llvm.func @_mlir_ciface_rope_attention(
// SEQ-SAME: %{{[^:]+}}: !llvm.ptr, %{{[^:]+}}: !llvm.ptr, %{{[^:]+}}: !llvm.ptr, %{{[^:]+}}: !llvm.ptr) attributes {llvm.emit_c_interface} {
// SEQ-NOT: omp.
// SEQ-LABEL: llvm.func @scan(
// SEQ-NOT: omp.
// SEQ-LABEL: llvm.func @_mlir_ciface_scan(
// SEQ-NOT: omp.

// SEQ-LLVMIR-NOT: __kmpc
// SEQ-LLVMIR-NOT: omp_par
// SEQ-LLVMIR: define void @rope_attention(ptr
// SEQ-LLVMIR-NOT: __kmpc
// SEQ-LLVMIR: define void @_mlir_ciface_rope_attention(ptr %0, ptr %1, ptr %2, ptr %3) {
// SEQ-LLVMIR-NOT: __kmpc
// SEQ-LLVMIR: define void @scan(ptr
// SEQ-LLVMIR-NOT: __kmpc
// SEQ-LLVMIR: define void @_mlir_ciface_scan(ptr %0, ptr %1, ptr %2, ptr %3, ptr %4, ptr %5, ptr %6) {
// SEQ-LLVMIR-NOT: __kmpc
// SEQ-LLVMIR-NOT: omp_par

func.func @rope_attention(%q: tensor<2x8x2x8xf32>, %k: tensor<2x8x2x8xf32>, %v: tensor<2x8x2x8xf32>) -> tensor<2x8x2x8xf32> {
  %qr = sessa.rope %q : tensor<2x8x2x8xf32>
  %kr = sessa.rope %k : tensor<2x8x2x8xf32>
  %o = sessa.attention %qr, %kr, %v : tensor<2x8x2x8xf32>, tensor<2x8x2x8xf32>, tensor<2x8x2x8xf32>
  return %o : tensor<2x8x2x8xf32>
}

func.func @scan(%u: tensor<2x6x16xf32>, %delta: tensor<2x6x16xf32>, %A: tensor<16x4xf32>, %B: tensor<2x6x1x4xf32>, %C: tensor<2x6x1x4xf32>) -> (tensor<2x6x16xf32>, tensor<2x16x4xf32>) {
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C {delta_softplus} : tensor<2x6x16xf32>, tensor<2x6x16xf32>, tensor<16x4xf32>, tensor<2x6x1x4xf32>, tensor<2x6x1x4xf32> -> tensor<2x6x16xf32>, tensor<2x16x4xf32>
  return %y, %h : tensor<2x6x16xf32>, tensor<2x16x4xf32>
}
