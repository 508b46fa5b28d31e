// sessa-gpu-grid-dependency-control to PTX: the kernel executes
// griddepcontrol.wait then launch_dependents, and the marker the runtime
// looks up with cuModuleGetGlobal is a visible global of the image.

// The PTX comes from upstream mlir-opt (sessa-opt registers no LLVM IR
// translations for gpu-module-to-binary); format=isa needs no ptxas.
// RUN: sessa-opt %s --pass-pipeline='builtin.module(gpu.module(sessa-gpu-grid-dependency-control{launch-dependents=true},convert-gpu-to-nvvm,reconcile-unrealized-casts))' \
// RUN: | mlir-opt --gpu-module-to-binary=format=isa | FileCheck %s

// The PTX is one escaped string: every check is on that line.
// CHECK: .target sm_90
// CHECK-SAME: .visible .global .align 4 .u32 __sessa_grid_dependency_wait = 1;
// CHECK-SAME: .visible .entry copy(
// CHECK-NOT: ld.global
// CHECK-SAME: griddepcontrol.wait;\0A\09griddepcontrol.launch_dependents;
// CHECK-SAME: ld.global
// CHECK-SAME: st.global

module attributes {gpu.container_module} {
  gpu.module @hopper [#nvvm.target<chip = "sm_90", features = "+ptx80">] {
    gpu.func @copy(%a: memref<4xf32>, %b: memref<4xf32>) kernel {
      %i = gpu.thread_id x
      %v = memref.load %a[%i] : memref<4xf32>
      memref.store %v, %b[%i] : memref<4xf32>
      gpu.return
    }
  }
}
