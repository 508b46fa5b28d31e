// sessa-gpu-matmul with wgmma and TMA (sm_90a, the default with wgmma=1) for
// rank-2 products with B[n, k]: on the host, tensor maps of A (128 x 64
// boxes) and B (256 x 64) from the runtime's sessa_cuda_tensor_map_2d
// (declared once); when both exist a persistent, warp-specialised kernel of
// 384 threads (at most tma-blocks blocks over the 128 x 256 output tiles;
// 4 stages of 48 KiB + 1 KiB alignment + full/empty mbarriers of 8 bytes),
// else the cp.async wgmma kernel. In the kernel: thread 0 initialises
// full[s] (1 arrival) and empty[s] (8 arrivals: one per consumer warp);
// warpgroup 2 gives up registers (setmaxnreg 40) and its thread 256 loops
// over the block's tiles and k tiles: wait for empty[s] (the parity of the
// previous pass), arrive.expect_tx of the stage's 49152 bytes on full[s],
// two TMA copies into the shared::cluster window; the consumer warpgroups
// take registers (setmaxnreg 232) and per k tile wait for full[s], issue
// four m64n256k16 wgmma (the tile's first with scale-d 0), keep one group in
// flight and release the previous stage on empty[s]; after the last k tile
// they drain, release, and store the tile through the epilogue (here
// bf16 pairs). That is the cooperative schedule (tma-pingpong=0); by
// default each consumer warpgroup owns whole 128 x 128 tiles in turn
// (ping-pong, PP), also for epilogues that evaluate a math function such as
// GELU's erf. tma=0 gives only the cp.async kernel
// (gpu-matmul-wgmma.mlir).

// RUN: sessa-opt %s --sessa-gpu-matmul="wgmma=1 small-m=0 tma-pingpong=0" | FileCheck %s
// RUN: sessa-opt %s --sessa-gpu-matmul="wgmma=1 small-m=0 tma-blocks=7" | FileCheck %s --check-prefix=BLOCKS
// RUN: sessa-opt %s --sessa-gpu-matmul="wgmma=1 tma=0 small-m=0" | FileCheck %s --check-prefix=NOTMA
// RUN: sessa-opt %s --sessa-gpu-matmul="wgmma=1 small-m=0" | FileCheck %s --check-prefixes=PP,GELU
// RUN: sessa-opt %s --sessa-gpu-matmul="wgmma=1 small-m=0" --sessa-gpu-tma-math-cooperative | FileCheck %s --check-prefix=GELUCOOP
// RUN: sessa-opt %s --sessa-gpu-matmul="wgmma=1 small-m=0 tma-pingpong=0" \
// RUN:   --gpu-launch-sink-index-computations --gpu-kernel-outlining \
// RUN: | mlir-opt --gpu-lower-to-nvvm-pipeline="cubin-chip=sm_90a cubin-features=+ptx80 cubin-format=isa" \
// RUN: | FileCheck %s --check-prefix=PTX

// CHECK: llvm.func @sessa_cuda_tensor_map_2d(!llvm.ptr, i64, i64, i64, i64, i32, i32, i32) -> !llvm.ptr
// CHECK-NOT: llvm.func @sessa_cuda_tensor_map_2d
// CHECK-LABEL: func.func @bf16
//       CHECK: %[[MA:.*]] = llvm.call @sessa_cuda_tensor_map_2d(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %c2_i32, %c128_i32, %c64_i32)
//       CHECK: %[[A:.*]] = llvm.ptrtoint %[[MA]] : !llvm.ptr to i64
//       CHECK: %[[MB:.*]] = llvm.call @sessa_cuda_tensor_map_2d(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %c2_i32{{.*}}, %c256_i32, %c64_i32{{.*}})
//       CHECK: %[[B:.*]] = llvm.ptrtoint %[[MB]] : !llvm.ptr to i64
//       CHECK: arith.cmpi ne, %[[A]], %c0_i64
//       CHECK: arith.cmpi ne, %[[B]], %c0_i64
//       CHECK: scf.if
//       CHECK: %[[T:.*]] = arith.muli
//       CHECK: %[[G:.*]] = arith.minsi %[[T]], %c132
//       CHECK: gpu.launch blocks({{.*}}) in ({{.*}} = %[[G]], {{.*}}) threads({{.*}}) in ({{.*}} = %c384, {{.*}}) dynamic_shared_memory_size %c197696_i32
// CHECK-COUNT-4: nvvm.mbarrier.init %{{.*}}, %c1_i32{{.*}} : !llvm.ptr<3>, i32
//       CHECK:   nvvm.fence.mbarrier.init
//       CHECK:   gpu.barrier
//       CHECK:   nvvm.setmaxregister  decrease 40
//       CHECK:   llvm.inttoptr %[[A]] : i64 to !llvm.ptr
//       CHECK:   llvm.inttoptr %[[B]] : i64 to !llvm.ptr
//       CHECK:   scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args
//       CHECK:     scf.for
//       CHECK:       arith.xori %{{.*}}, %c1_i32
//       CHECK:       nvvm.mbarrier.try_wait.parity
//       CHECK:       nvvm.mbarrier.arrive.expect_tx %[[FULL:.*]], %c49152_i32 : !llvm.ptr<3>, i32
//       CHECK:       nvvm.cp.async.bulk.tensor.shared.cluster.global %{{.*}}, %{{.*}}, %[[FULL]], box[%{{.*}}, %{{.*}}] : !llvm.ptr<7>, !llvm.ptr
//       CHECK:       nvvm.cp.async.bulk.tensor.shared.cluster.global %{{.*}}, %{{.*}}, %[[FULL]], box[%{{.*}}, %{{.*}}] : !llvm.ptr<7>, !llvm.ptr
//       CHECK: } else {
//       CHECK:   nvvm.setmaxregister  increase 232
//       CHECK:   scf.for
//       CHECK:     nvvm.mbarrier.try_wait.parity
//       CHECK:     nvvm.wgmma.fence.aligned
//       CHECK:     nvvm.wgmma.mma_async {{.*}}, <m = 64, n = 256, k = 16>, D[<f32>, <zero>], A[<bf16>, <one>, <row>], B[<bf16>, <one>, <col>]
// CHECK-COUNT-3:     nvvm.wgmma.mma_async {{.*}} D[<f32>, <one>]
//       CHECK:     nvvm.wgmma.commit.group.sync.aligned
//       CHECK:     nvvm.wgmma.wait.group.sync.aligned 1
//       CHECK:     scf.for
//       CHECK:       nvvm.mbarrier.try_wait.parity
//       CHECK:       nvvm.wgmma.mma_async {{.*}} D[<f32>, <one>]
//       CHECK:       nvvm.wgmma.wait.group.sync.aligned 1
//       CHECK:       nvvm.mbarrier.arrive %{{.*}} : !llvm.ptr<3>
//       CHECK:     nvvm.wgmma.wait.group.sync.aligned 0
//       CHECK:     nvvm.mbarrier.arrive %{{.*}} : !llvm.ptr<3>
//       CHECK:     vector.store %{{.*}} : memref<?xbf16>, vector<2xbf16>
//       CHECK: } {sessa.gpu_kernel = "gemm_wgmma_tma"}
//       CHECK: } else {
//       CHECK:   gpu.launch
//       CHECK:   nvvm.cp.async.shared.global
//       CHECK:   } {sessa.gpu_kernel = "gemm_wgmma"}

// BLOCKS: arith.minsi %{{.*}}, %c7
// BLOCKS: threads({{.*}}) in ({{.*}} = %c384

// Ping-pong: B boxes of 128 rows, 6 stages of 32 KiB, empty[s] of 4
// arrivals (one warpgroup reads a stage), each consumer warpgroup takes
// every other tile of the block (step 2 x grid) and keeps two m64n128
// accumulators (rows 0-63 and 64-127 of its 128 x 128 tile), interleaved
// per k16 step; two epilogues per tile.
// PP-LABEL: func.func @bf16
//      PP: llvm.call @sessa_cuda_tensor_map_2d({{.*}}, %c128_i32, %c64_i32)
//      PP: llvm.call @sessa_cuda_tensor_map_2d({{.*}}, %c128_i32{{.*}}, %c64_i32{{.*}})
//      PP: gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c384, {{.*}}) dynamic_shared_memory_size %c197744_i32
//      PP: nvvm.mbarrier.init %{{.*}}, %c4_i32{{.*}} : !llvm.ptr<3>, i32
// Two order barriers (4 arrivals) after the 6 x 2 stage barriers.
// PP-COUNT-2: nvvm.mbarrier.init %{{.*}}, %c1_i32{{.*}} : !llvm.ptr<3>, i32
//      PP: nvvm.mbarrier.arrive.expect_tx %{{.*}}, %c32768_i32
//      PP: } else {
//      PP:   nvvm.setmaxregister  increase 232
//      PP:   %[[STEP:.*]] = arith.muli %{{.*}}, %c2
//      PP:   scf.for %{{.*}} = %{{.*}} to %{{.*}} step %[[STEP]] {
//      PP:     scf.if
//      PP:       nvvm.mbarrier.try_wait.parity
//      PP:     nvvm.mbarrier.try_wait.parity
//      PP:     nvvm.wgmma.mma_async {{.*}}, <m = 64, n = 128, k = 16>, D[<f32>, <zero>]
//      PP:     nvvm.wgmma.mma_async {{.*}}, <m = 64, n = 128, k = 16>, D[<f32>, <zero>]
//      PP:     scf.for
//      PP:       nvvm.wgmma.mma_async {{.*}}, <m = 64, n = 128, k = 16>, D[<f32>, <one>]
//      PP:       nvvm.mbarrier.arrive
//      PP:     nvvm.wgmma.wait.group.sync.aligned 0
//      PP:     nvvm.mbarrier.arrive
//      PP:     arith.subi %c1_i32{{.*}}, %{{.*}} : i32
//      PP:     nvvm.mbarrier.arrive
//      PP:     vector.store
//      PP:     vector.store
//      PP: } {sessa.gpu_kernel = "gemm_wgmma_tma"}

// NOTMA-NOT: sessa_cuda_tensor_map_2d
// NOTMA-NOT: gemm_wgmma_tma
// NOTMA: sessa.gpu_kernel = "gemm_wgmma"
// NOTMA-NOT: gemm_wgmma_tma

// PTX: gpu.binary @bf16_kernel
// PTX-SAME: .target sm_90a
// PTX-SAME: .maxntid 384, 1, 1
// PTX-SAME: mbarrier.init.shared
// PTX-SAME: fence.mbarrier_init.release.cluster
// PTX-SAME: setmaxnreg.dec.sync.aligned.u32 \0940
// PTX-SAME: mbarrier.try_wait.parity
// PTX-SAME: mbarrier.arrive.expect_tx
// PTX-SAME: cp.async.bulk.tensor.2d.shared::cluster.global.tile.mbarrier::complete_tx::bytes
// PTX-SAME: setmaxnreg.inc.sync.aligned.u32 \09232
// PTX-SAME: wgmma.mma_async.sync.aligned.m64n256k16.f32.bf16.bf16
// PTX-SAME: mbarrier.arrive

#mA = affine_map<(m, n, k) -> (m, k)>
#mBt = affine_map<(m, n, k) -> (n, k)>
#mC = affine_map<(m, n, k) -> (m, n)>

func.func @bf16(%x: memref<?x?xbf16>, %w: memref<?x?xbf16>, %y: memref<?x?xbf16>) {
  %z = arith.constant 0.0 : bf16
  linalg.fill ins(%z : bf16) outs(%y : memref<?x?xbf16>)
  linalg.generic {indexing_maps = [#mA, #mBt, #mC],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<?x?xbf16>, memref<?x?xbf16>) outs(%y : memref<?x?xbf16>) {
  ^bb0(%a: bf16, %b: bf16, %c: bf16):
    %ae = arith.extf %a : bf16 to f32
    %be = arith.extf %b : bf16 to f32
    %ce = arith.extf %c : bf16 to f32
    %p = arith.mulf %ae, %be : f32
    %s = arith.addf %ce, %p : f32
    %r = arith.truncf %s : f32 to bf16
    linalg.yield %r : bf16
  }
  return
}

// A second product reuses the declaration.
func.func @again(%x: memref<?x?xbf16>, %w: memref<?x?xbf16>, %y: memref<?x?xf32>) {
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

// A GELU epilogue (math.erf) runs ping-pong too (cooperative before stop
// 12; --sessa-gpu-tma-math-cooperative keeps that, GELUCOOP): B's boxes are
// 128 rows and the products m64n128k16. The epilogue computes all the
// values of a 64 x 128 half a thread stores (64, one erf each) before the
// first guarded store (straight-line code; inside a branch per pair the
// dependent chains of the erfs ran one after the other).

// GELU-LABEL: func.func @gelu
//       GELU: llvm.call @sessa_cuda_tensor_map_2d({{.*}}, %c128_i32, %c64_i32)
//       GELU: llvm.call @sessa_cuda_tensor_map_2d({{.*}}, %c128_i32{{.*}}, %c64_i32{{.*}})
//   GELU-NOT: <m = 64, n = 256, k = 16>
//       GELU: nvvm.wgmma.mma_async {{.*}}, <m = 64, n = 128, k = 16>
//   GELU-NOT: vector.store
//       GELU: math.erf
//   GELU-NOT: vector.store
//       GELU: math.erf
//   GELU-NOT: vector.store
//       GELU: math.erf
// GELU-COUNT-61: math.erf
//   GELU-NOT: math.erf
//       GELU: vector.store %{{.*}} : memref<?xbf16>, vector<2xbf16>
//       GELU: } {sessa.gpu_kernel = "gemm_wgmma_tma"}

// GELUCOOP-LABEL: func.func @gelu
//       GELUCOOP: llvm.call @sessa_cuda_tensor_map_2d({{.*}}, %c256_i32, %c64_i32{{.*}})
//   GELUCOOP-NOT: <m = 64, n = 128, k = 16>
//       GELUCOOP: nvvm.wgmma.mma_async {{.*}}, <m = 64, n = 256, k = 16>
//       GELUCOOP: math.erf
//       GELUCOOP: } {sessa.gpu_kernel = "gemm_wgmma_tma"}
#id = affine_map<(m, n) -> (m, n)>
func.func @gelu(%x: memref<?x?xbf16>, %w: memref<?x?xbf16>, %y: memref<?x?xbf16> {llvm.noalias}) {
  %c0 = arith.constant 0 : index
  %m = memref.dim %x, %c0 : memref<?x?xbf16>
  %n = memref.dim %w, %c0 : memref<?x?xbf16>
  %t = memref.alloc(%m, %n) : memref<?x?xf32>
  %z = arith.constant 0.0 : f32
  linalg.fill ins(%z : f32) outs(%t : memref<?x?xf32>)
  linalg.generic {indexing_maps = [#mA, #mBt, #mC],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<?x?xbf16>, memref<?x?xbf16>) outs(%t : memref<?x?xf32>) {
  ^bb0(%a: bf16, %b: bf16, %c: f32):
    %ae = arith.extf %a : bf16 to f32
    %be = arith.extf %b : bf16 to f32
    %p = arith.mulf %ae, %be : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%t : memref<?x?xf32>) outs(%y : memref<?x?xbf16>) {
  ^bb0(%v: f32, %o: bf16):
    %e = math.erf %v : f32
    %r = arith.truncf %e : f32 to bf16
    linalg.yield %r : bf16
  }
  memref.dealloc %t : memref<?x?xf32>
  return
}
