// sessa-gpu-matmul with `tma-cluster=2` (or the hidden override
// -sessa-gpu-tma-cluster=2): the TMA kernel runs in thread-block clusters of
// two CTAs along M. On the host: B's tensor map has boxes of half the tile's
// rows (64 of 128 in ping-pong, 128 of 256 cooperative); the scheduler
// walks units of two row blocks (ceil(ceil(M / 128) / 2) x column blocks),
// grid = 2 x min(units, tma-blocks / 2), launched with `clusters` (2, 1, 1)
// (gpu.launch_func clusters -> mgpuLaunchClusterKernel). In the kernel:
// empty[s] expects the consumer warps of both CTAs (8 ping-pong, 16
// cooperative), a cluster barrier (relaxed arrive + wait, aligned) after
// the mbarrier init; the producer copies A's 128 rows for itself and its half
// of B (rows n0 + 64 rank, at byte 8192 rank of the stage) with
// multicast_mask 3 into both CTAs (full[s] still expects the whole 32 KiB);
// CTA rank r (block id % 2) of cluster c (block id / 2) computes row block
// 2 unit + r; a consumer warp's lane 0 releases a stage on its own empty[s]
// and, through mapa, on the peer's (rank + 1) % 2 (default .release.cta
// semantics: with .release.cluster ptxas emits MEMBAR.ALL.GPU before each
// arrive, 2x slower on the H100); a cluster barrier (release arrive, not
// aligned) before exit. tma-cluster=1 is the kernel without clusters
// (gpu-matmul-wgmma-tma.mlir); the default tma-cluster=0 (auto) clusters
// only grouped launches whose epilogues evaluate no math function (the case
// measured faster on the H100; AUTO); fragment epilogues (the feedback's
// passes) never get clusters.

// RUN: sessa-opt %s --sessa-gpu-matmul="wgmma=1 small-m=0 tma-cluster=2" | FileCheck %s
// RUN: sessa-opt %s --sessa-gpu-matmul="wgmma=1 small-m=0" -sessa-gpu-tma-cluster=2 | FileCheck %s
// RUN: sessa-opt %s --sessa-gpu-matmul="wgmma=1 small-m=0 tma-cluster=2 tma-pingpong=0" | FileCheck %s --check-prefix=COOP
// RUN: sessa-opt %s --sessa-gpu-matmul="wgmma=1 small-m=0 tma-cluster=2" -sessa-gpu-tma-cluster=1 | FileCheck %s --check-prefix=ONE
// RUN: sessa-opt %s --sessa-gpu-matmul="wgmma=1 small-m=0 tma-cluster=1" | FileCheck %s --check-prefix=ONE
// RUN: sessa-opt %s --sessa-gpu-matmul="wgmma=1 small-m=0" | FileCheck %s --check-prefix=AUTO
// RUN: sessa-opt %s --sessa-gpu-matmul="wgmma=1 small-m=0" -sessa-gpu-tma-cluster=1 | FileCheck %s --check-prefix=ONE
// RUN: sessa-opt %s --sessa-gpu-matmul="wgmma=1 small-m=0 tma-cluster=2" \
// RUN:   --gpu-launch-sink-index-computations --gpu-kernel-outlining \
// RUN: | FileCheck %s --check-prefix=OUTLINED
// RUN: sessa-opt %s --sessa-gpu-matmul="wgmma=1 small-m=0 tma-cluster=2" \
// RUN:   --gpu-launch-sink-index-computations --gpu-kernel-outlining \
// RUN: | mlir-opt --gpu-lower-to-nvvm-pipeline="cubin-chip=sm_90a cubin-features=+ptx80 cubin-format=isa" \
// RUN: | FileCheck %s --check-prefix=PTX
// RUN: sessa-opt %S/../../../Conversion/SessaToGPU/feedback-attention-upfront.mlir --split-input-file \
// RUN:   --convert-sessa-to-gpu="wgmma-feedback=1" -sessa-gpu-tma-cluster=2 \
// RUN: | FileCheck %s --check-prefix=FRAGMENT

// CHECK-LABEL: func.func @single
//       CHECK: llvm.call @sessa_cuda_tensor_map_2d({{.*}}, %c2_i32, %c128_i32, %c64_i32)
//       CHECK: llvm.call @sessa_cuda_tensor_map_2d({{.*}}, %c2_i32{{.*}}, %c64_i32{{.*}}, %c64_i32{{.*}})
//       CHECK: %[[TN:.*]] = arith.ceildivui %{{.*}}, %c128{{.*}} : index
//       CHECK: %[[TM:.*]] = arith.ceildivui %{{.*}}, %c128{{.*}} : index
//       CHECK: %[[UM:.*]] = arith.ceildivui %[[TM]], %c2{{.*}} : index
//       CHECK: %[[U:.*]] = arith.muli %[[UM]], %[[TN]] : index
//       CHECK: %[[C:.*]] = arith.minsi %[[U]], %c66 : index
//       CHECK: %[[G:.*]] = arith.muli %[[C]], %c2{{.*}} : index
//       CHECK: gpu.launch clusters({{.*}}) in ({{.*}} = %c2{{.*}}, {{.*}} = %c1{{.*}}, {{.*}} = %c1{{.*}}) blocks(%[[BX:[^,]*]], {{.*}}) in (%[[GX:[^ ]*]] = %[[G]], {{.*}}) threads({{.*}}) in ({{.*}} = %c384
//       CHECK:   %[[FIRST:.*]] = arith.divui %[[BX]], %c2{{.*}} : index
//       CHECK:   %[[STRIDE:.*]] = arith.divui %[[GX]], %c2{{.*}} : index
//       CHECK:   %[[RANK:.*]] = arith.remui %[[BX]], %c2{{.*}} : index
// Six stages: full[s] 1 arrival, empty[s] 8 (4 consumer warps of each CTA).
// CHECK-COUNT-6: nvvm.mbarrier.init %{{.*}}, %c8_i32{{.*}} : !llvm.ptr<3>, i32
//       CHECK:   nvvm.fence.mbarrier.init
//       CHECK:   gpu.barrier
//  CHECK-NEXT:   nvvm.cluster.arrive.relaxed {aligned}
//  CHECK-NEXT:   nvvm.cluster.wait {aligned}
//       CHECK:   nvvm.setmaxregister  decrease 40
//       CHECK:   scf.for %{{.*}} = %[[FIRST]] to %{{.*}} step %[[STRIDE]] iter_args
// The tile's row block: 2 unit + rank.
//       CHECK:     %[[UNIT:.*]] = arith.divui
//       CHECK:     %[[U2:.*]] = arith.muli %[[UNIT]], %c2{{.*}} : index
//       CHECK:     arith.addi %[[U2]], %[[RANK]] : index
//       CHECK:       nvvm.mbarrier.arrive.expect_tx %[[FULL:.*]], %c32768_i32 : !llvm.ptr<3>, i32
//       CHECK:       nvvm.cp.async.bulk.tensor.shared.cluster.global %{{.*}}, %{{.*}}, %[[FULL]], box[%{{.*}}, %{{.*}}] : !llvm.ptr<7>, !llvm.ptr
//       CHECK:       %[[R32:.*]] = arith.index_castui %[[RANK]] : index to i32
//       CHECK:       %[[NOFF:.*]] = arith.muli %[[R32]], %c64_i32{{.*}} : i32
//       CHECK:       %[[NB:.*]] = arith.addi %{{.*}}, %[[NOFF]] : i32
//       CHECK:       arith.muli %[[R32]], %c8192_i32 : i32
//       CHECK:       nvvm.cp.async.bulk.tensor.shared.cluster.global %{{.*}}, %{{.*}}, %[[FULL]], box[%{{.*}}, %[[NB]]] multicast_mask = %c3_i16 : !llvm.ptr<7>, !llvm.ptr
//       CHECK:   nvvm.setmaxregister  increase 232
//       CHECK:   scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} {
//       CHECK:     arith.subi %{{.*}}, %[[FIRST]] : index
//       CHECK:     arith.divui %{{.*}}, %[[STRIDE]] : index
//       CHECK:     nvvm.wgmma.mma_async
//       CHECK:     nvvm.mbarrier.arrive %[[EMPTY:[^ ]*]] : !llvm.ptr<3>
//       CHECK:     %[[PR:.*]] = arith.index_castui %[[RANK]] : index to i32
//       CHECK:     %[[P1:.*]] = arith.addi %[[PR]], %c1_i32{{.*}} : i32
//       CHECK:     %[[PEER:.*]] = arith.remui %[[P1]], %c2_i32{{.*}} : i32
//       CHECK:     %[[REMOTE:.*]] = nvvm.mapa %[[EMPTY]], %[[PEER]] : !llvm.ptr<3> -> !llvm.ptr<7>
//       CHECK:     nvvm.mbarrier.arrive %[[REMOTE]] : !llvm.ptr<7>
//       CHECK:   nvvm.cluster.arrive
//   CHECK-NOT:   aligned
//  CHECK-NEXT:   nvvm.cluster.wait
//  CHECK-NEXT:   gpu.terminator
//       CHECK: } {sessa.gpu_kernel = "gemm_wgmma_tma"}

// Grouped (two products of %x): one clustered launch over 2 x units x column
// blocks; both B maps with 64-row boxes, selected by the tile's member.
// CHECK-LABEL: func.func @group
//       CHECK: llvm.call @sessa_cuda_tensor_map_2d({{.*}}, %c128_i32{{.*}}, %c64_i32{{.*}})
//       CHECK: llvm.call @sessa_cuda_tensor_map_2d({{.*}}, %c64_i32{{.*}}, %c64_i32{{.*}})
//       CHECK: llvm.call @sessa_cuda_tensor_map_2d({{.*}}, %c64_i32{{.*}}, %c64_i32{{.*}})
//       CHECK: gpu.launch clusters({{.*}}) in ({{.*}} = %c2
//       CHECK:   arith.select %{{.*}}, %{{.*}}, %{{.*}} : i64
//       CHECK:   multicast_mask = %c3_i16
//       CHECK:   nvvm.mapa
//       CHECK: } {sessa.gpu_kernel = "gemm_wgmma_tma"}

// COOP-LABEL: func.func @single
//       COOP: llvm.call @sessa_cuda_tensor_map_2d({{.*}}, %c2_i32{{.*}}, %c128_i32{{.*}}, %c64_i32{{.*}})
//       COOP: llvm.call @sessa_cuda_tensor_map_2d({{.*}}, %c2_i32{{.*}}, %c128_i32{{.*}}, %c64_i32{{.*}})
//       COOP: gpu.launch clusters({{.*}}) in ({{.*}} = %c2
// COOP-COUNT-4: nvvm.mbarrier.init %{{.*}}, %c16_i32{{.*}} : !llvm.ptr<3>, i32
//       COOP: nvvm.mbarrier.arrive.expect_tx %{{.*}}, %c49152_i32
//       COOP: arith.muli %{{.*}}, %c128_i32{{.*}} : i32
//       COOP: arith.muli %{{.*}}, %c16384_i32{{.*}} : i32
//       COOP: multicast_mask = %c3_i16

// ONE-LABEL: func.func @single
//   ONE-NOT: clusters
//   ONE-NOT: multicast_mask
//   ONE-NOT: nvvm.mapa
//   ONE-NOT: nvvm.cluster

// AUTO-LABEL: func.func @single
//   AUTO-NOT: clusters
//       AUTO: func.func @group
//       AUTO: gpu.launch clusters({{.*}}) in ({{.*}} = %c2
//       AUTO: multicast_mask = %c3_i16
//       AUTO: func.func @gelu_group
//   AUTO-NOT: clusters
//   AUTO-NOT: multicast_mask

// OUTLINED: gpu.launch_func @single_kernel::@single_kernel clusters in (%{{.*}}, %{{.*}}, %{{.*}}) blocks in
// OUTLINED: gpu.launch_func @group_kernel::@group_kernel clusters in (%{{.*}}, %{{.*}}, %{{.*}}) blocks in

// PTX: barrier.cluster.arrive.relaxed.aligned
// PTX-SAME: barrier.cluster.wait.aligned
// PTX-SAME: cp.async.bulk.tensor.2d.shared::cluster.global.tile.mbarrier::complete_tx::bytes.multicast::cluster
// PTX-SAME: mapa.shared::cluster
// PTX-NOT: mbarrier.arrive.release.cluster
// PTX-SAME: mbarrier.arrive.shared::cluster.b64
// PTX-SAME: barrier.cluster.arrive;
// PTX-SAME: barrier.cluster.wait;

// A group with a math.erf epilogue: with tma-cluster=2 clustered too.
// CHECK-LABEL: func.func @gelu_group
//       CHECK: gpu.launch clusters

// FRAGMENT-NOT: gpu.launch clusters
// FRAGMENT-NOT: multicast_mask

#mA = affine_map<(m, n, k) -> (m, k)>
#mBt = affine_map<(m, n, k) -> (n, k)>
#mC = affine_map<(m, n, k) -> (m, n)>
#id = affine_map<(m, n) -> (m, n)>
#row = affine_map<(m, n) -> (n)>

func.func @single(%x: memref<?x?xbf16>, %w: memref<?x?xbf16>, %y: memref<?x?xbf16>) {
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

func.func @group(%x: memref<?x128xbf16>, %wq: memref<256x128xbf16>,
                 %bq: memref<256xbf16>, %wk: memref<256x128xbf16>,
                 %yq: memref<?x256xbf16> {llvm.noalias},
                 %yk: memref<?x256xf32> {llvm.noalias}) {
  %c0 = arith.constant 0 : index
  %z = arith.constant 0.0 : f32
  %m = memref.dim %x, %c0 : memref<?x128xbf16>
  %tq = memref.alloc(%m) : memref<?x256xf32>
  linalg.fill ins(%z : f32) outs(%tq : memref<?x256xf32>)
  linalg.generic {indexing_maps = [#mA, #mBt, #mC],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %wq : memref<?x128xbf16>, memref<256x128xbf16>) outs(%tq : memref<?x256xf32>) {
  ^bb0(%a: bf16, %b: bf16, %c: f32):
    %ae = arith.extf %a : bf16 to f32
    %be = arith.extf %b : bf16 to f32
    %p = arith.mulf %ae, %be : f32
    %r = arith.addf %c, %p : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%tq, %bq : memref<?x256xf32>, memref<256xbf16>) outs(%yq : memref<?x256xbf16>) {
  ^bb0(%v: f32, %bb: bf16, %o: bf16):
    %be = arith.extf %bb : bf16 to f32
    %r = arith.addf %v, %be : f32
    %t = arith.truncf %r : f32 to bf16
    linalg.yield %t : bf16
  }
  memref.dealloc %tq : memref<?x256xf32>
  linalg.fill ins(%z : f32) outs(%yk : memref<?x256xf32>)
  linalg.generic {indexing_maps = [#mA, #mBt, #mC],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %wk : memref<?x128xbf16>, memref<256x128xbf16>) outs(%yk : memref<?x256xf32>) {
  ^bb0(%a: bf16, %b: bf16, %c: f32):
    %ae = arith.extf %a : bf16 to f32
    %be = arith.extf %b : bf16 to f32
    %p = arith.mulf %ae, %be : f32
    %r = arith.addf %c, %p : f32
    linalg.yield %r : f32
  }
  return
}

func.func @gelu_group(%x: memref<?x128xbf16>, %wq: memref<256x128xbf16>,
                      %wk: memref<256x128xbf16>,
                      %yq: memref<?x256xbf16> {llvm.noalias},
                      %yk: memref<?x256xf32> {llvm.noalias}) {
  %c0 = arith.constant 0 : index
  %z = arith.constant 0.0 : f32
  %m = memref.dim %x, %c0 : memref<?x128xbf16>
  %tq = memref.alloc(%m) : memref<?x256xf32>
  linalg.fill ins(%z : f32) outs(%tq : memref<?x256xf32>)
  linalg.generic {indexing_maps = [#mA, #mBt, #mC],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %wq : memref<?x128xbf16>, memref<256x128xbf16>) outs(%tq : memref<?x256xf32>) {
  ^bb0(%a: bf16, %b: bf16, %c: f32):
    %ae = arith.extf %a : bf16 to f32
    %be = arith.extf %b : bf16 to f32
    %p = arith.mulf %ae, %be : f32
    %r = arith.addf %c, %p : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%tq : memref<?x256xf32>) outs(%yq : memref<?x256xbf16>) {
  ^bb0(%v: f32, %o: bf16):
    %e = math.erf %v : f32
    %t = arith.truncf %e : f32 to bf16
    linalg.yield %t : bf16
  }
  memref.dealloc %tq : memref<?x256xf32>
  linalg.fill ins(%z : f32) outs(%yk : memref<?x256xf32>)
  linalg.generic {indexing_maps = [#mA, #mBt, #mC],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %wk : memref<?x128xbf16>, memref<256x128xbf16>) outs(%yk : memref<?x256xf32>) {
  ^bb0(%a: bf16, %b: bf16, %c: f32):
    %ae = arith.extf %a : bf16 to f32
    %be = arith.extf %b : bf16 to f32
    %p = arith.mulf %ae, %be : f32
    %r = arith.addf %c, %p : f32
    linalg.yield %r : f32
  }
  return
}
