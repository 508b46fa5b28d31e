// Caches through sessa-gpu-pipeline (examples/cpp/layer.mlir): the cache
// arguments and extended caches are batch-strided buffers; every kernel
// reads them through their strides (never through an identity-layout cast,
// which would assume a batch stride of P rows); the copy of each cache's P
// rows into its extended output is skipped at run time when both are the
// same memory (sessa-guard-in-place-copies), so a step that passes views of
// one [B, capacity, ...] buffer writes only the new rows.
// RUN: sessa-opt %sessa_src/examples/cpp/layer.mlir --sessa-entry-point-abi --sessa-gpu-pipeline="format=isa" --mlir-print-ir-after=sessa-gpu-device-memory -o /dev/null 2>&1 | FileCheck %s

// CHECK-LABEL: IR Dump After SessaGPUDeviceMemory
// CHECK: func.func @layer_step(
// CHECK-SAME: %[[KC:[^ :]+]]: memref<1x?x2x16xf32, strided<[?, 32, 16, 1]>> {sessa.name = "k_cache"}
// CHECK-SAME: %[[KBC:[^ :]+]]: memref<1x?x1x64xf32, strided<[?, 64, 64, 1]>> {sessa.name = "kb_cache"}
// CHECK-SAME: %[[K1:[^ :]+]]: memref<1x?x2x16xf32, strided<[?, 32, 16, 1]>> {sessa.name = "k_cache_out", sessa.output}
// CHECK-NOT: memref.cast %{{[^ ]+}} : memref<{{[^>]+}}, strided<[?, {{[0-9]+}}, {{[0-9]+}}, 1]>> to memref<{{[0-9?x]+}}xf32>
// CHECK: memref.extract_strided_metadata %[[KC]]
// CHECK: arith.cmpi ne
// CHECK: scf.if
// CHECK-NOT: memref.cast %{{[^ ]+}} : memref<{{[^>]+}}, strided<[?, {{[0-9]+}}, {{[0-9]+}}, 1]>> to memref<{{[0-9?x]+}}xf32>
// CHECK: memref.extract_strided_metadata %[[KBC]]
// CHECK: scf.if
// CHECK-NOT: memref.cast %{{[^ ]+}} : memref<{{[^>]+}}, strided<[?, {{[0-9]+}}, {{[0-9]+}}, 1]>> to memref<{{[0-9?x]+}}xf32>
// CHECK: return
