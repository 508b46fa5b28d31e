// sessa-gpu-matmul with wgmma (sm_90a): bf16 products on two warpgroups per
// 128 x 256 block tile, k tiles of 64 in 4 stages of 128-byte-swizzled
// shared rows (+1 KiB to align the tiles to 1024 bytes), cp.async copies,
// fence.proxy.async before the barrier, matrix descriptors of the stage,
// four m64n256k16 wgmma per k tile (the first tile's first with scale-d 0,
// which zeroes the accumulators), one group left in flight across k tiles,
// drained before the epilogue (the mma.sync fragment layout per warp; here
// C accumulates: no zero fill). tma=0: the cp.async kernel (the TMA one is
// gpu-matmul-wgmma-tma.mlir).

// RUN: sessa-opt %s --sessa-gpu-matmul="wgmma=1 tma=0 small-m=0" | FileCheck %s
// RUN: sessa-opt %s --sessa-gpu-matmul="wgmma=1 tma=0 small-m=0" \
// RUN:   --gpu-launch-sink-index-computations --gpu-kernel-outlining \
// RUN: | mlir-opt --gpu-lower-to-nvvm-pipeline="cubin-chip=sm_90a cubin-features=+ptx80 cubin-format=isa" \
// RUN: | FileCheck %s --check-prefix=PTX

// CHECK-LABEL: func.func @bf16
//       CHECK: %[[GX:.*]] = arith.ceildivui %{{.*}}, %c256
//       CHECK: %[[GY:.*]] = arith.ceildivui %{{.*}}, %c128
//       CHECK: gpu.launch blocks({{.*}}) in ({{.*}} = %[[GX]], {{.*}} = %[[GY]], {{.*}}) threads({{.*}}) in ({{.*}} = %c256{{.*}}, {{.*}}, {{.*}}) dynamic_shared_memory_size %c197632_i32
//       CHECK:   llvm.inttoptr %{{.*}} : i64 to !llvm.ptr<3>
//       CHECK:   arith.andi %{{.*}}, %c1023_i32
//       CHECK:   scf.if %{{.*}} -> (!llvm.struct<(f32,
//       CHECK:     arith.xori
//       CHECK:     nvvm.cp.async.shared.global %{{.*}}, %{{.*}}, 16, cache =  cg, %{{.*}} : !llvm.ptr<3>, !llvm.ptr<1>, i32
//       CHECK:     nvvm.cp.async.commit.group
//       CHECK:     nvvm.cp.async.wait.group 1
//       CHECK:     nvvm.fence.proxy {kind = #nvvm.proxy_kind<async.shared>, space = #nvvm.shared_space<cta>}
//       CHECK:     gpu.barrier
//       CHECK:     arith.ori %{{.*}}, %c4611686293305360384_i64
//       CHECK:     nvvm.wgmma.fence.aligned
//       CHECK:     nvvm.wgmma.mma_async {{.*}}, <m = 64, n = 256, k = 16>, D[<f32>, <zero>], A[<bf16>, <one>, <row>], B[<bf16>, <one>, <col>]
// CHECK-COUNT-3:     nvvm.wgmma.mma_async {{.*}} D[<f32>, <one>]
//       CHECK:     nvvm.wgmma.commit.group.sync.aligned
//       CHECK:     nvvm.wgmma.wait.group.sync.aligned 1
//       CHECK:     scf.for
//       CHECK:       nvvm.wgmma.mma_async {{.*}} D[<f32>, <one>]
//       CHECK:       nvvm.wgmma.wait.group.sync.aligned 1
//       CHECK:     nvvm.wgmma.wait.group.sync.aligned 0
//       CHECK:   } else {
//       CHECK:     memref.store {{.*}} : memref<98816xbf16, #gpu.address_space<workgroup>>
//       CHECK:   llvm.extractvalue
//       CHECK:   arith.addf
//       CHECK:   memref.store {{.*}} : memref<?xf32>
//       CHECK:   } {sessa.gpu_kernel = "gemm_wgmma"}

// PTX: gpu.binary @bf16_kernel
// PTX-SAME: .target sm_90a
// PTX-SAME: cp.async.cg.shared.global
// PTX-SAME: fence.proxy.async.shared::cta
// PTX-SAME: wgmma.fence.sync.aligned
// PTX-SAME: wgmma.mma_async.sync.aligned.m64n256k16.f32.bf16.bf16
// PTX-SAME: wgmma.commit_group.sync.aligned
// PTX-SAME: wgmma.wait_group.sync.aligned \091

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
