// sessa-gpu-merge-modules: the kernels gpu-kernel-outlining put in one
// gpu.module each move into one gpu.module @<function>_kernels per
// launching function, renamed after their old module (unique), and every
// gpu.launch_func follows. A module holding anything but kernels, or
// launched from two functions, stays where it is.

// RUN: sessa-opt %s --split-input-file --sessa-gpu-merge-modules | FileCheck %s

// CHECK-LABEL: module attributes {gpu.container_module}
// CHECK: func.func @f(%[[M:.+]]: memref<4xf32>)
// CHECK: gpu.launch_func @f_kernels::@f_kernel blocks
// CHECK-SAME: args(%[[M]] : memref<4xf32>)
// CHECK: gpu.launch_func @f_kernels::@f_kernel_0 blocks
// CHECK: gpu.module @f_kernels {
// CHECK: gpu.func @f_kernel(%{{.+}}: memref<4xf32>) kernel
// CHECK: gpu.func @f_kernel_0(%{{.+}}: memref<4xf32>) kernel
// CHECK: }
// CHECK-NOT: gpu.module
module attributes {gpu.container_module} {
  func.func @f(%m: memref<4xf32>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @f_kernel::@f_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%m : memref<4xf32>)
    gpu.launch_func @f_kernel_0::@f_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%m : memref<4xf32>)
    return
  }
  gpu.module @f_kernel {
    gpu.func @f_kernel(%arg0: memref<4xf32>) kernel {
      gpu.return
    }
  }
  gpu.module @f_kernel_0 {
    gpu.func @f_kernel(%arg0: memref<4xf32>) kernel {
      %c0 = arith.constant 0 : index
      %z = arith.constant 0.0 : f32
      memref.store %z, %arg0[%c0] : memref<4xf32>
      gpu.return
    }
  }
}

// -----

// A module with a device function (not a kernel) is left alone; the one
// other kernel module is then the only candidate: nothing to merge.
// CHECK-LABEL: module attributes {gpu.container_module}
// CHECK: gpu.launch_func @a::@a blocks
// CHECK: gpu.launch_func @b::@b blocks
// CHECK: gpu.module @a {
// CHECK: gpu.module @b {
// CHECK-NOT: _kernels
module attributes {gpu.container_module} {
  func.func @g(%m: memref<4xf32>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @a::@a blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%m : memref<4xf32>)
    gpu.launch_func @b::@b blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%m : memref<4xf32>)
    return
  }
  gpu.module @a {
    gpu.func @a(%arg0: memref<4xf32>) kernel {
      gpu.return
    }
  }
  gpu.module @b {
    gpu.func @helper() {
      gpu.return
    }
    gpu.func @b(%arg0: memref<4xf32>) kernel {
      gpu.return
    }
  }
}

// -----

// Two functions: one module each; a kernel launched from both stays alone.
// CHECK-LABEL: module attributes {gpu.container_module}
// CHECK: func.func @g(
// CHECK: gpu.launch_func @g_kernels::@g_kernel blocks
// CHECK: gpu.launch_func @g_kernels::@g_kernel_0 blocks
// CHECK: gpu.launch_func @shared::@shared blocks
// CHECK: gpu.module @g_kernels {
// CHECK-DAG: gpu.func @g_kernel(
// CHECK-DAG: gpu.func @g_kernel_0(
// CHECK: gpu.module @shared {
// CHECK: func.func @h(
// CHECK: gpu.launch_func @h_kernels::@h_kernel blocks
// CHECK: gpu.launch_func @h_kernels::@h_kernel_0 blocks
// CHECK: gpu.launch_func @shared::@shared blocks
// CHECK: gpu.module @h_kernels {
// CHECK-NOT: gpu.module
module attributes {gpu.container_module} {
  func.func @g() {
    %c1 = arith.constant 1 : index
    gpu.launch_func @g_kernel::@g_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
    gpu.launch_func @g_kernel_0::@g_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
    gpu.launch_func @shared::@shared blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
    return
  }
  gpu.module @g_kernel {
    gpu.func @g_kernel() kernel { gpu.return }
  }
  gpu.module @g_kernel_0 {
    gpu.func @g_kernel() kernel { gpu.return }
  }
  gpu.module @shared {
    gpu.func @shared() kernel { gpu.return }
  }
  func.func @h() {
    %c1 = arith.constant 1 : index
    gpu.launch_func @h_kernel::@h_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
    gpu.launch_func @h_kernel_0::@h_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
    gpu.launch_func @shared::@shared blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
    return
  }
  gpu.module @h_kernel {
    gpu.func @h_kernel() kernel { gpu.return }
  }
  gpu.module @h_kernel_0 {
    gpu.func @h_kernel() kernel { gpu.return }
  }
}
