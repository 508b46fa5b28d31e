// The GEMM kernels of sessa-gpu-matmul lower through the upstream NVVM
// pipeline to sm_90 PTX with the intended instructions: tensor-core
// mma.sync m16n8k16 (bf16, f32 accumulation) fed by ldmatrix.x4, 16-byte
// cp.async copies with a 3-stage pipeline (wait_group 1), and 16-byte
// shared loads with FFMA for f32.

// The NVVM pipeline runs in upstream mlir-opt (sessa-opt registers no LLVM
// IR translations for gpu-module-to-binary).
// RUN: sessa-opt %s --sessa-gpu-matmul --gpu-launch-sink-index-computations \
// RUN:   --gpu-kernel-outlining \
// RUN: | mlir-opt --gpu-lower-to-nvvm-pipeline="cubin-chip=sm_90 cubin-features=+ptx80 cubin-format=isa" \
// RUN: | FileCheck %s

// CHECK: gpu.binary @bf16_kernel
// CHECK-SAME: .shared .align 16
// CHECK-SAME: cp.async.cg.shared.global
// CHECK-SAME: cp.async.wait_group \091
// CHECK-SAME: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// CHECK-SAME: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// CHECK: gpu.binary @f32_kernel
// CHECK-SAME: ld.shared.v4.b32
// CHECK-SAME: fma.rn.f32

#mA = affine_map<(m, n, k) -> (m, k)>
#mBt = affine_map<(m, n, k) -> (n, k)>
#mC = affine_map<(m, n, k) -> (m, n)>

func.func @bf16(%x: memref<?x?xbf16>, %w: memref<?x?xbf16>, %y: memref<?x?xf32>) {
  linalg.generic {indexing_maps = [#mA, #mBt, #mC],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<?x?xbf16>, memref<?x?xbf16>) outs(%y : memref<?x?xf32>) {
  ^bb0(%a: bf16, %b: bf16, %c: f32):
    %ae = arith.extf %a : bf16 to f32
    %be = arith.extf %b : bf16 to f32
    %p = arith.mulf %ae, %be : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  }
  return
}

func.func @f32(%x: memref<?x?xf32>, %w: memref<?x?xf32>, %y: memref<?x?xf32>) {
  linalg.generic {indexing_maps = [#mA, #mBt, #mC],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<?x?xf32>, memref<?x?xf32>) outs(%y : memref<?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  }
  return
}
