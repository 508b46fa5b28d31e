// sessa-gpu-kernel-occupancy: a `sessa.min_blocks_per_sm` marker on an op
// of an outlined kernel (left by a kernel builder on its gpu.launch body)
// becomes nvvm.minctasm on the kernel (the largest of several markers and
// an existing nvvm.minctasm) and is removed. Kernels without a marker and
// non-kernel functions are left alone.

// RUN: sessa-opt %s --sessa-gpu-kernel-occupancy | FileCheck %s
// From outlining to PTX: the request reaches ptxas as .minnctapersm.
// RUN: sessa-opt %s --sessa-gpu-kernel-occupancy --convert-gpu-to-nvvm | FileCheck %s --check-prefix=NVVM

// CHECK-LABEL: gpu.module @m
// CHECK:       gpu.func @marked(%{{.*}}: memref<4xf32>) kernel attributes {known_block_size = array<i32: 4, 1, 1>, nvvm.minctasm = 4 : i32}
// CHECK-NOT:     sessa.min_blocks_per_sm
// CHECK:         gpu.return
// CHECK:       gpu.func @two_markers() kernel attributes {nvvm.minctasm = 3 : i32}
// CHECK-NOT:     sessa.min_blocks_per_sm
// CHECK:       gpu.func @has_larger() kernel attributes {nvvm.minctasm = 6 : i32}
// CHECK:       gpu.func @unmarked() kernel {
// CHECK:       gpu.func @not_kernel()
// CHECK-NOT:     nvvm.minctasm
// CHECK:         sessa.min_blocks_per_sm = 2
// NVVM:        llvm.func @marked({{.*}}) attributes {gpu.kernel, {{.*}}nvvm.minctasm = 4 : i32
module attributes {gpu.container_module} {
  gpu.module @m {
    gpu.func @marked(%a: memref<4xf32>) kernel attributes {known_block_size = array<i32: 4, 1, 1>} {
      %c0 = arith.constant 0 : index
      %c4 = arith.constant 4 : index
      %c1 = arith.constant 1 : index
      %f = arith.constant 1.0 : f32
      scf.for %i = %c0 to %c4 step %c1 {
        memref.store %f, %a[%i] : memref<4xf32>
      } {sessa.min_blocks_per_sm = 4 : i64}
      gpu.return
    }
    gpu.func @two_markers() kernel {
      %c0 = arith.constant {sessa.min_blocks_per_sm = 2 : i64} 0 : index
      %c1 = arith.constant {sessa.min_blocks_per_sm = 3 : i64} 1 : index
      gpu.return
    }
    gpu.func @has_larger() kernel attributes {nvvm.minctasm = 6 : i32} {
      %c0 = arith.constant {sessa.min_blocks_per_sm = 2 : i64} 0 : index
      gpu.return
    }
    gpu.func @unmarked() kernel {
      gpu.return
    }
    gpu.func @not_kernel() {
      %c0 = arith.constant {sessa.min_blocks_per_sm = 2 : i64} 0 : index
      gpu.return
    }
  }
}
