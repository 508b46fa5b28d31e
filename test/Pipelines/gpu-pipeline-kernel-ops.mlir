// Kernels written directly as gpu.launch on buffers (what convert-sessa-to-gpu
// and sessa-gpu-matmul build) go through sessa-gpu-pipeline untouched up to
// NVVM: NVVM ops with PTX-builder lowering (wgmma fences, here) become inline
// PTX, vector loads/stores lower in the kernel, and chip=sm_90a reaches the
// PTX target (wgmma needs the "a" variant). Vector transfers on global and
// workgroup memory lower too. No toolkit needed (format=isa).

// RUN: sessa-opt %s --sessa-gpu-pipeline="format=isa chip=sm_90a" | FileCheck %s
// CHECK: gpu.binary @tc_kernel  [#gpu.object<#nvvm.target<O = 3, chip = "sm_90a", features = "+ptx80">, {{.*}}assembly = "{{.*}}.target sm_90a{{.*}}.visible .entry tc_kernel({{.*}}wgmma.fence.sync.aligned{{.*}}ld.global.b16{{.*}}st.global.b16
// CHECK: gpu.binary @transfers_kernel  [#gpu.object<#nvvm.target<O = 3, chip = "sm_90a", features = "+ptx80">, {{.*}}assembly = "{{.*}}.visible .entry transfers_kernel({{.*}}st.shared.v4.b32{{.*}}bar.sync{{.*}}ld.shared.v4.b32

func.func @tc(%a: memref<16x16xf16>, %o: memref<16x16xf16>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c16, %sy = %c1, %sz = %c1) {
    nvvm.wgmma.fence.aligned
    %v = vector.load %a[%tx, %c0] : memref<16x16xf16>, vector<8xf16>
    %w = arith.addf %v, %v : vector<8xf16>
    vector.store %w, %o[%tx, %c0] : memref<16x16xf16>, vector<8xf16>
    gpu.terminator
  }
  return
}

func.func @transfers(%a: memref<16x16xf16>, %o: memref<?x?xf16>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %p = arith.constant 0.0 : f16
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c16, %sy = %c1, %sz = %c1)
             workgroup(%smem : memref<16x16xf16, #gpu.address_space<workgroup>>) {
    %v = vector.transfer_read %a[%tx, %c0], %p {in_bounds = [true]} : memref<16x16xf16>, vector<8xf16>
    vector.transfer_write %v, %smem[%tx, %c0] {in_bounds = [true]} : vector<8xf16>, memref<16x16xf16, #gpu.address_space<workgroup>>
    gpu.barrier
    %w = vector.transfer_read %smem[%tx, %c0], %p : memref<16x16xf16, #gpu.address_space<workgroup>>, vector<8xf16>
    vector.transfer_write %w, %o[%tx, %c0] : vector<8xf16>, memref<?x?xf16>
    gpu.terminator
  }
  return
}
