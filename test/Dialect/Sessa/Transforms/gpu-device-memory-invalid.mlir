// sessa-gpu-device-memory diagnostics: bufferization.dealloc (from
// buffer-deallocation-pipeline) and host allocations in another memory space
// are rejected.

// RUN: sessa-opt %s --split-input-file --sessa-gpu-device-memory --verify-diagnostics

func.func @dealloc_op(%m: memref<4xf32>, %c: i1) {
  // expected-error @below {{bufferization.dealloc in GPU host code: sessa-gpu-device-memory frees device buffers itself; do not run buffer-deallocation-pipeline}}
  bufferization.dealloc (%m : memref<4xf32>) if (%c)
  return
}

// -----

func.func @memory_space() {
  // expected-error @below {{host allocation in memory space #gpu.address_space<workgroup>; the GPU path allocates global device memory}}
  %a = memref.alloc() : memref<4xf32, #gpu.address_space<workgroup>>
  return
}
