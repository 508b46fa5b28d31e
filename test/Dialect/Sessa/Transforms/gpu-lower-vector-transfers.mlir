// sessa-gpu-lower-vector-transfers: 1-D minor-identity transfers become
// vector.load / vector.store when in bounds, vector.maskedload /
// vector.maskedstore with a materialized mask otherwise, on global and
// workgroup memory alike (convert-gpu-to-nvvm lowers those, not transfers).

// RUN: sessa-opt %s --sessa-gpu-lower-vector-transfers | FileCheck %s

// CHECK-LABEL: func.func @transfers(
// CHECK-SAME: %[[A:[^:]+]]: memref<?x16xf16>, %[[O:[^:]+]]: memref<?x?xf16>)
// CHECK: gpu.launch
// CHECK: %[[V:.+]] = vector.load %[[A]][%[[T:[^,]+]], %{{.+}}] : memref<?x16xf16>, vector<8xf16>
// CHECK: vector.store %[[V]], %[[S:[^\[]+]][%[[T]], %{{.+}}] : memref<16x16xf16, #gpu.address_space<workgroup>>, vector<8xf16>
// CHECK: gpu.barrier
// CHECK: %[[W:.+]] = vector.load %[[S]][%[[T]], %{{.+}}] : memref<16x16xf16, #gpu.address_space<workgroup>>, vector<8xf16>
// CHECK: %[[MASK:.+]] = arith.cmpi sgt, %{{.+}}, %{{.+}} : vector<8xi32>
// CHECK: vector.maskedstore %[[O]][%[[T]], %{{.+}}], %[[MASK]], %[[W]] : memref<?x?xf16>, vector<8xi1>, vector<8xf16>
// CHECK-NOT: vector.transfer_
func.func @transfers(%a: memref<?x16xf16>, %o: memref<?x?xf16>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %p = arith.constant 0.0 : f16
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c16, %sy = %c1, %sz = %c1)
             workgroup(%smem : memref<16x16xf16, #gpu.address_space<workgroup>>) {
    %v = vector.transfer_read %a[%tx, %c0], %p {in_bounds = [true]} : memref<?x16xf16>, vector<8xf16>
    vector.transfer_write %v, %smem[%tx, %c0] {in_bounds = [true]} : vector<8xf16>, memref<16x16xf16, #gpu.address_space<workgroup>>
    gpu.barrier
    %w = vector.transfer_read %smem[%tx, %c0], %p : memref<16x16xf16, #gpu.address_space<workgroup>>, vector<8xf16>
    vector.transfer_write %w, %o[%tx, %c0] : vector<8xf16>, memref<?x?xf16>
    gpu.terminator
  }
  return
}
