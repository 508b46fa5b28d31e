// sessa-gpu-check-host-access: host code may only move descriptors and call
// gpu.* ops; anything that reads or writes buffer elements outside a kernel
// is an error at the op's location.

// RUN: sessa-opt %s --split-input-file --sessa-gpu-check-host-access --verify-diagnostics

// Allowed: views, dims, gpu.alloc / memcpy / dealloc, loads in kernels.
func.func @ok(%a: memref<?x8xf32>, %n: index) -> index {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %d = memref.dim %a, %c0 : memref<?x8xf32>
  %b = gpu.alloc (%n) : memref<?x8xf32>
  %v = memref.subview %b[0, 0] [%n, 4] [1, 1] : memref<?x8xf32> to memref<?x4xf32, strided<[8, 1]>>
  %e = memref.collapse_shape %b [[0, 1]] : memref<?x8xf32> into memref<?xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %x = memref.load %a[%c0, %c0] : memref<?x8xf32>
    memref.store %x, %v[%c0, %c0] : memref<?x4xf32, strided<[8, 1]>>
    gpu.terminator
  }
  gpu.memcpy %a, %b : memref<?x8xf32>, memref<?x8xf32>
  gpu.dealloc %b : memref<?x8xf32>
  return %d : index
}

// -----

func.func @host_load(%a: memref<4xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  // expected-error @below {{host code of the GPU path reads buffer elements on the host}}
  %x = memref.load %a[%c0] : memref<4xf32>
  return %x : f32
}

// -----

func.func @host_store(%a: memref<4xf32>, %x: f32) {
  %c0 = arith.constant 0 : index
  // expected-error @below {{host code of the GPU path writes buffer elements on the host}}
  memref.store %x, %a[%c0] : memref<4xf32>
  return
}

// -----

func.func @host_vector(%a: memref<8xf32>) -> vector<8xf32> {
  %c0 = arith.constant 0 : index
  %p = arith.constant 0.0 : f32
  // expected-error @below {{host code of the GPU path reads buffer elements on the host}}
  %v = vector.transfer_read %a[%c0], %p : memref<8xf32>, vector<8xf32>
  return %v : vector<8xf32>
}

// -----

func.func @host_linalg(%a: memref<8xf32>) {
  %z = arith.constant 0.0 : f32
  // expected-error @below {{host code of the GPU path runs a linalg op on buffers on the host (run sessa-gpu-map-linalg)}}
  linalg.fill ins(%z : f32) outs(%a : memref<8xf32>)
  return
}

// -----

func.func @host_alloc_copy(%a: memref<8xf32>) {
  // expected-error @below {{host code of the GPU path allocates host memory (run sessa-gpu-device-memory)}}
  %b = memref.alloc() : memref<8xf32>
  // expected-error @below {{host code of the GPU path copies buffers on the host (run sessa-gpu-device-memory)}}
  memref.copy %a, %b : memref<8xf32> to memref<8xf32>
  return
}

// -----

func.func @host_dealloc_op(%m: memref<4xf32>, %c: i1) {
  // expected-error @below {{host code of the GPU path lowers to host code (the GPU path frees buffers with gpu.dealloc; do not run buffer-deallocation-pipeline)}}
  bufferization.dealloc (%m : memref<4xf32>) if (%c)
  return
}

// -----

memref.global "private" constant @table : memref<4xf32> = dense<1.0>
func.func @host_global(%out: memref<4xf32>) {
  %c1 = arith.constant 1 : index
  // expected-error @below {{host code of the GPU path uses a host global other than as a gpu.memcpy source (run sessa-gpu-device-memory)}}
  %g = memref.get_global @table : memref<4xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %v = memref.load %g[%tx] : memref<4xf32>
    memref.store %v, %out[%tx] : memref<4xf32>
    gpu.terminator
  }
  return
}
