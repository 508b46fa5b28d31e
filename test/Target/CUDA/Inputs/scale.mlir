// The module of the CUDA target's tests (test/Target/CUDA, test/Python/
// test_cuda.py): small, with GPU work written by hand (a launch with 64 KiB
// of dynamic shared memory, a launch whose grid follows the input) beside
// linalg that sessa-gpu-pipeline maps to a kernel, so that the runtime's
// paths (images, launches, temporaries, copies, errors) are all exercised.
//
// @scale: y = 2 * (x + 1). x is copied (gpu.memcpy) into a gpu.alloc
// temporary; a hand-written gpu.launch adds 1 through 64 KiB of dynamic
// shared memory (each thread writes slot 16383 - tid, so the launch needs
// more than the default 48 KiB); a linalg.generic doubles it into y; the
// temporary is freed (gpu.dealloc).
func.func @scale(%x: tensor<?xf32> {sessa.name = "x"}) -> (tensor<?xf32> {sessa.name = "y"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c256 = arith.constant 256 : index
  %c255 = arith.constant 255 : index
  %last = arith.constant 16383 : index
  %smem = arith.constant 65536 : i32
  %one = arith.constant 1.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %xm = bufferization.to_buffer %x read_only : tensor<?xf32> to memref<?xf32>
  %tmp = gpu.alloc (%n) : memref<?xf32>
  gpu.memcpy %tmp, %xm : memref<?xf32>, memref<?xf32>
  %nb0 = arith.addi %n, %c255 : index
  %nb = arith.divui %nb0, %c256 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %nb, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c256, %sy = %c1, %sz = %c1)
             dynamic_shared_memory_size %smem {
    %base = arith.muli %bx, %c256 : index
    %i = arith.addi %base, %tx : index
    %in = arith.cmpi ult, %i, %n : index
    %sh = gpu.dynamic_shared_memory : memref<?xi8, #gpu.address_space<workgroup>>
    %view = memref.view %sh[%c0][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<16384xf32, #gpu.address_space<workgroup>>
    %slot = arith.subi %last, %tx : index
    scf.if %in {
      %v = memref.load %tmp[%i] : memref<?xf32>
      %w = arith.addf %v, %one : f32
      memref.store %w, %view[%slot] : memref<16384xf32, #gpu.address_space<workgroup>>
    }
    gpu.barrier
    scf.if %in {
      %w = memref.load %view[%slot] : memref<16384xf32, #gpu.address_space<workgroup>>
      memref.store %w, %tmp[%i] : memref<?xf32>
    }
    gpu.terminator
  }
  %t = bufferization.to_tensor %tmp restrict : memref<?xf32> to tensor<?xf32>
  %e = tensor.empty(%n) : tensor<?xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>],
                       iterator_types = ["parallel"]}
      ins(%t : tensor<?xf32>) outs(%e : tensor<?xf32>) {
  ^bb0(%a: f32, %o: f32):
    %d = arith.addf %a, %a : f32
    linalg.yield %d : f32
  } -> tensor<?xf32>
  gpu.dealloc %tmp : memref<?xf32>
  return %y : tensor<?xf32>
}

// @twice: y = 2 * x, one hand-written launch of one block per element (a
// large x gives a grid the driver rejects: the launch-error tests use it).
func.func @twice(%x: tensor<?xf32> {sessa.name = "x"}) -> (tensor<?xf32> {sessa.name = "y"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %xm = bufferization.to_buffer %x read_only : tensor<?xf32> to memref<?xf32>
  %ym = memref.alloc(%n) : memref<?xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %n, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %v = memref.load %xm[%bx] : memref<?xf32>
    %d = arith.addf %v, %v : f32
    memref.store %d, %ym[%bx] : memref<?xf32>
    gpu.terminator
  }
  %y = bufferization.to_tensor %ym restrict writable : memref<?xf32> to tensor<?xf32>
  return %y : tensor<?xf32>
}
