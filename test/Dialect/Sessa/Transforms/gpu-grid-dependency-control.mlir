// sessa-gpu-grid-dependency-control: in a gpu.module whose NVVM targets are
// all sm_90 or later, every kernel starts with griddepcontrol.wait (before
// any memory access), then launch_dependents with launch-dependents=true,
// and the module gets the marker constant that
// lets the runtime launch its kernels with programmatic stream
// serialization. Older chips, modules without targets and non-kernel
// functions are left alone; a second run changes nothing.

// RUN: sessa-opt %s --pass-pipeline='builtin.module(gpu.module(sessa-gpu-grid-dependency-control{launch-dependents=true}))' | FileCheck %s
// RUN: sessa-opt %s --pass-pipeline='builtin.module(gpu.module(sessa-gpu-grid-dependency-control))' | FileCheck %s --check-prefix=WAIT
// RUN: sessa-opt %s --pass-pipeline='builtin.module(gpu.module(sessa-gpu-grid-dependency-control{launch-dependents=true},sessa-gpu-grid-dependency-control{launch-dependents=true}))' | FileCheck %s --check-prefix=TWICE
// To NVVM and LLVM IR: the intrinsics and a visible global.
// RUN: sessa-opt %s --pass-pipeline='builtin.module(gpu.module(sessa-gpu-grid-dependency-control{launch-dependents=true},convert-gpu-to-nvvm,reconcile-unrealized-casts))' | FileCheck %s --check-prefix=NVVM

// CHECK-LABEL: gpu.module @hopper [#nvvm.target<chip = "sm_90">]
// CHECK:         llvm.mlir.global external constant @__sessa_grid_dependency_wait(1 : i32) {addr_space = 1 : i32, alignment = 4 : i64} : i32
// CHECK:         gpu.func @copy(%[[A:.*]]: memref<4xf32>, %[[B:.*]]: memref<4xf32>) kernel
// CHECK-NEXT:      nvvm.griddepcontrol wait
// CHECK-NEXT:      nvvm.griddepcontrol launch_dependents
// CHECK-NEXT:      %{{.*}} = gpu.thread_id x
// CHECK:           memref.load %[[A]]
// CHECK:         gpu.func @empty() kernel
// CHECK-NEXT:      nvvm.griddepcontrol wait
// CHECK-NEXT:      nvvm.griddepcontrol launch_dependents
// CHECK-NEXT:      gpu.return
// CHECK:         gpu.func @helper()
// CHECK-NOT:       nvvm.griddepcontrol
// CHECK:           gpu.return
// CHECK-LABEL: gpu.module @hopper_a [#nvvm.target<chip = "sm_90a">]
// CHECK:         llvm.mlir.global external constant @__sessa_grid_dependency_wait
// CHECK:         gpu.func @k() kernel
// CHECK-NEXT:      nvvm.griddepcontrol wait
// CHECK-LABEL: gpu.module @ampere
// CHECK-NOT:     nvvm.griddepcontrol
// CHECK-NOT:     __sessa_grid_dependency_wait
// CHECK-LABEL: gpu.module @mixed
// CHECK-NOT:     nvvm.griddepcontrol
// CHECK-NOT:     __sessa_grid_dependency_wait
// CHECK-LABEL: gpu.module @unknown_chip
// CHECK-NOT:     nvvm.griddepcontrol
// CHECK-NOT:     __sessa_grid_dependency_wait
// CHECK-LABEL: gpu.module @blackwell [#nvvm.target<chip = "sm_100a">]
// CHECK:         @__sessa_grid_dependency_wait
// CHECK:           nvvm.griddepcontrol wait
// CHECK-LABEL: gpu.module @no_target
// CHECK-NOT:     nvvm.griddepcontrol
// CHECK-NOT:     __sessa_grid_dependency_wait
// CHECK:       }

// WAIT-LABEL:  gpu.func @copy
// WAIT-NEXT:     nvvm.griddepcontrol wait
// WAIT-NOT:      launch_dependents
// WAIT:        gpu.func @empty

// TWICE-LABEL: gpu.module @hopper
// TWICE-COUNT-1: @__sessa_grid_dependency_wait
// TWICE:       gpu.func @copy
// TWICE-NEXT:    nvvm.griddepcontrol wait
// TWICE-NEXT:    nvvm.griddepcontrol launch_dependents
// TWICE-NEXT:    gpu.thread_id

// NVVM-LABEL:  gpu.module @hopper
// NVVM:          llvm.mlir.global external constant @__sessa_grid_dependency_wait(1 : i32)
// NVVM:          llvm.func @copy({{.*}}) attributes {gpu.kernel
// NVVM-NOT:        llvm.load
// NVVM-NOT:        llvm.store
// NVVM:            nvvm.griddepcontrol wait
// NVVM-NEXT:       nvvm.griddepcontrol launch_dependents
// NVVM:            llvm.load
// NVVM:            llvm.store

module attributes {gpu.container_module} {
  gpu.module @hopper [#nvvm.target<chip = "sm_90">] {
    gpu.func @copy(%a: memref<4xf32>, %b: memref<4xf32>) kernel {
      %i = gpu.thread_id x
      %v = memref.load %a[%i] : memref<4xf32>
      memref.store %v, %b[%i] : memref<4xf32>
      gpu.return
    }
    gpu.func @empty() kernel {
      gpu.return
    }
    gpu.func @helper() {
      gpu.return
    }
  }
  gpu.module @hopper_a [#nvvm.target<chip = "sm_90a">] {
    gpu.func @k() kernel {
      gpu.return
    }
  }
  gpu.module @ampere [#nvvm.target<chip = "sm_80">] {
    gpu.func @k() kernel {
      gpu.return
    }
  }
  gpu.module @mixed [#nvvm.target<chip = "sm_90">, #nvvm.target<chip = "sm_86">] {
    gpu.func @k() kernel {
      gpu.return
    }
  }
  gpu.module @unknown_chip [#nvvm.target<chip = "sm_12345">] {
    gpu.func @k() kernel {
      gpu.return
    }
  }
  gpu.module @blackwell [#nvvm.target<chip = "sm_100a">] {
    gpu.func @k() kernel {
      gpu.return
    }
  }
  gpu.module @no_target {
    gpu.func @k() kernel {
      gpu.return
    }
  }
}
