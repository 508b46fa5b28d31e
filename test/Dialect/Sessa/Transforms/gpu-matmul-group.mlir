// sessa-gpu-matmul groups products that read the same A (wgmma with TMA,
// rank 2, B[n, k] of one static shape, C overwritten): one launch of the
// persistent TMA kernel over the tiles of all members, placed where the
// first one ran. On the host: A's tensor map and one per member's B; the
// grouped kernel when all exist, else one cp.async wgmma kernel per member.
// In the kernel the producer picks the tile's B map (selects on the member)
// and the consumers store through the tile's member's epilogue. A later
// product joins when nothing between uses what it reads or writes; the
// allocation and views it needs move up. By default only allocations, pure
// ops and the frees of the members' fused temporaries may lie between the
// members (no output is allocated earlier, so the memory peak stays; ADJ);
// with group-past-kernels=1 a product also moves above other work (the
// memref.copy below). Without wgmma (the default sm_90 path), with group=0
// or with --sessa-gpu-no-group every product keeps its own launch.

// RUN: sessa-opt %s --sessa-gpu-matmul="wgmma=1 group-past-kernels=1" | FileCheck %s
// RUN: sessa-opt %s --sessa-gpu-matmul="wgmma=1" | FileCheck %s --check-prefix=ADJ
// RUN: sessa-opt %s --sessa-gpu-matmul="wgmma=1 group=0" | FileCheck %s --check-prefix=NOGROUP
// RUN: sessa-opt %s --sessa-gpu-matmul="wgmma=1" --sessa-gpu-no-group | FileCheck %s --check-prefix=NOGROUP
// RUN: sessa-opt %s --sessa-gpu-matmul | FileCheck %s --check-prefix=SM90
// RUN: sessa-opt %s --sessa-gpu-matmul="wgmma=1" \
// RUN:   --gpu-launch-sink-index-computations --gpu-kernel-outlining \
// RUN: | mlir-opt --gpu-lower-to-nvvm-pipeline="cubin-chip=sm_90a cubin-features=+ptx80 cubin-format=isa" \
// RUN: | FileCheck %s --check-prefix=PTX

#mA = affine_map<(m, n, k) -> (m, k)>
#mBt = affine_map<(m, n, k) -> (n, k)>
#mC = affine_map<(m, n, k) -> (m, n)>
#id = affine_map<(m, n) -> (m, n)>
#row = affine_map<(m, n) -> (n)>

// Three products of %x: q and k (bias epilogues), then an unrelated op, then
// the two halves of %wf (subviews defined after it; the second member's
// output allocated there too) -- all four in one launch at q's place.
// CHECK-LABEL: func.func @group
//   CHECK-DAG: %[[SV0:.*]] = memref.subview %{{.*}}[0, 0] [256, 128]
//   CHECK-DAG: %[[SV1:.*]] = memref.subview %{{.*}}[256, 0] [256, 128]
//       CHECK: %[[MA:.*]] = llvm.call @sessa_cuda_tensor_map_2d({{.*}}, %c128_i32, %c64_i32)
// No member evaluates a math function: 2-CTA clusters (tma-cluster=0,
// auto; gpu-matmul-wgmma-tma-cluster.mlir), so B's boxes are 64 rows.
// CHECK-COUNT-4: llvm.call @sessa_cuda_tensor_map_2d({{.*}}, %c64_i32{{.*}}, %c64_i32{{.*}})
//   CHECK-NOT: llvm.call @sessa_cuda_tensor_map_2d
//       CHECK: gpu.launch clusters({{.*}}) in ({{.*}} = %c2{{.*}}) blocks({{.*}}) threads({{.*}}) in ({{.*}} = %c384
//       CHECK:   nvvm.setmaxregister  decrease 40
//       CHECK:   arith.select %{{.*}}, %{{.*}}, %{{.*}} : i64
//       CHECK:   arith.select %{{.*}}, %{{.*}}, %{{.*}} : i64
//       CHECK:   arith.select %{{.*}}, %{{.*}}, %{{.*}} : i64
//       CHECK:   nvvm.cp.async.bulk.tensor.shared.cluster.global
//       CHECK:   nvvm.setmaxregister  increase 232
//       CHECK:   nvvm.wgmma.mma_async
// The member's epilogue (paired bf16 stores), chosen by the tile's member.
//       CHECK:   arith.cmpi eq, %{{.*}}, %c0
//       CHECK:   scf.if
//       CHECK:   vector.store %{{.*}} : memref<?xbf16>, vector<2xbf16>
//       CHECK: } {sessa.gpu_kernel = "gemm_wgmma_tma"}
//       CHECK: } else {
// CHECK-COUNT-4: sessa.gpu_kernel = "gemm_wgmma"
//       CHECK: gemm_small_m
//       CHECK: gemm_small_m
//       CHECK: gemm_small_m
//       CHECK: gemm_small_m
//   CHECK-NOT: gpu.launch
//       CHECK: memref.copy
//   CHECK-NOT: gpu.launch
//   CHECK-NOT: linalg.generic
//       CHECK: return

// q and k (only the free of q's fused temporary between them) in one
// launch; the copy then keeps the halves of %wf after it, in a launch of
// their own.
// ADJ-LABEL: func.func @group
// ADJ-COUNT-3: llvm.call @sessa_cuda_tensor_map_2d
//   ADJ-NOT: llvm.call @sessa_cuda_tensor_map_2d
//       ADJ: sessa.gpu_kernel = "gemm_wgmma_tma"
//       ADJ: memref.copy
// ADJ-COUNT-3: llvm.call @sessa_cuda_tensor_map_2d
//   ADJ-NOT: llvm.call @sessa_cuda_tensor_map_2d
//       ADJ: sessa.gpu_kernel = "gemm_wgmma_tma"
//   ADJ-NOT: sessa.gpu_kernel = "gemm_wgmma_tma"
//       ADJ: func.func @blocked

// NOGROUP-LABEL: func.func @group
// NOGROUP-COUNT-4: sessa.gpu_kernel = "gemm_wgmma_tma"
// SM90-LABEL: func.func @group
// SM90-NOT: gemm_wgmma
// SM90-COUNT-4: sessa.gpu_kernel = "gemm_small_m"
// SM90-LABEL: func.func @blocked

// PTX: .maxntid 384, 1, 1
// PTX: cp.async.bulk.tensor.2d
// PTX: wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16
func.func @group(%x: memref<?x128xbf16>, %wq: memref<256x128xbf16>,
                 %bq: memref<256xbf16>, %wk: memref<256x128xbf16>,
                 %bk: memref<256xbf16>, %wf: memref<512x128xbf16>,
                 %bf: memref<512xbf16>, %yq: memref<?x256xbf16> {llvm.noalias},
                 %yk: memref<?x256xbf16> {llvm.noalias},
                 %s: memref<4xf32>, %sd: memref<4xf32> {llvm.noalias},
                 %yf0: memref<?x256xbf16> {llvm.noalias})
    -> memref<?x256xbf16> {
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
  %tk = memref.alloc(%m) : memref<?x256xf32>
  linalg.fill ins(%z : f32) outs(%tk : memref<?x256xf32>)
  linalg.generic {indexing_maps = [#mA, #mBt, #mC],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %wk : memref<?x128xbf16>, memref<256x128xbf16>) outs(%tk : memref<?x256xf32>) {
  ^bb0(%a: bf16, %b: bf16, %c: f32):
    %ae = arith.extf %a : bf16 to f32
    %be = arith.extf %b : bf16 to f32
    %p = arith.mulf %ae, %be : f32
    %r = arith.addf %c, %p : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%tk, %bk : memref<?x256xf32>, memref<256xbf16>) outs(%yk : memref<?x256xbf16>) {
  ^bb0(%v: f32, %bb: bf16, %o: bf16):
    %be = arith.extf %bb : bf16 to f32
    %r = arith.addf %v, %be : f32
    %t = arith.truncf %r : f32 to bf16
    linalg.yield %t : bf16
  }
  memref.dealloc %tk : memref<?x256xf32>
  // Something else in between (touches none of the later members' memory).
  memref.copy %s, %sd : memref<4xf32> to memref<4xf32>
  %wf0 = memref.subview %wf[0, 0] [256, 128] [1, 1] : memref<512x128xbf16> to memref<256x128xbf16, strided<[128, 1]>>
  %bf0 = memref.subview %bf[0] [256] [1] : memref<512xbf16> to memref<256xbf16, strided<[1]>>
  %tf0 = memref.alloc(%m) : memref<?x256xf32>
  linalg.fill ins(%z : f32) outs(%tf0 : memref<?x256xf32>)
  linalg.generic {indexing_maps = [#mA, #mBt, #mC],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %wf0 : memref<?x128xbf16>, memref<256x128xbf16, strided<[128, 1]>>) outs(%tf0 : memref<?x256xf32>) {
  ^bb0(%a: bf16, %b: bf16, %c: f32):
    %ae = arith.extf %a : bf16 to f32
    %be = arith.extf %b : bf16 to f32
    %p = arith.mulf %ae, %be : f32
    %r = arith.addf %c, %p : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%tf0, %bf0 : memref<?x256xf32>, memref<256xbf16, strided<[1]>>) outs(%yf0 : memref<?x256xbf16>) {
  ^bb0(%v: f32, %bb: bf16, %o: bf16):
    %be = arith.extf %bb : bf16 to f32
    %r = arith.addf %v, %be : f32
    %t = arith.truncf %r : f32 to bf16
    linalg.yield %t : bf16
  }
  memref.dealloc %tf0 : memref<?x256xf32>
  %wf1 = memref.subview %wf[256, 0] [256, 128] [1, 1] : memref<512x128xbf16> to memref<256x128xbf16, strided<[128, 1], offset: 32768>>
  %tf1 = memref.alloc(%m) : memref<?x256xf32>
  %yf1 = memref.alloc(%m) : memref<?x256xbf16>
  linalg.fill ins(%z : f32) outs(%tf1 : memref<?x256xf32>)
  linalg.generic {indexing_maps = [#mA, #mBt, #mC],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %wf1 : memref<?x128xbf16>, memref<256x128xbf16, strided<[128, 1], offset: 32768>>) outs(%tf1 : memref<?x256xf32>) {
  ^bb0(%a: bf16, %b: bf16, %c: f32):
    %ae = arith.extf %a : bf16 to f32
    %be = arith.extf %b : bf16 to f32
    %p = arith.mulf %ae, %be : f32
    %r = arith.addf %c, %p : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%tf1 : memref<?x256xf32>) outs(%yf1 : memref<?x256xbf16>) {
  ^bb0(%v: f32, %o: bf16):
    %t = arith.truncf %v : f32 to bf16
    linalg.yield %t : bf16
  }
  memref.dealloc %tf1 : memref<?x256xf32>
  return %yf1 : memref<?x256xbf16>
}

// The second product's B is written in between (a copy into %w2): it may
// not move above that, so each product keeps its own launch.
// CHECK-LABEL: func.func @blocked
// CHECK-COUNT-1: sessa.gpu_kernel = "gemm_wgmma_tma"
//       CHECK: memref.copy
//       CHECK: sessa.gpu_kernel = "gemm_wgmma_tma"
func.func @blocked(%x: memref<?x128xbf16>, %w1: memref<256x128xbf16>,
                   %w2: memref<256x128xbf16>, %src: memref<256x128xbf16>,
                   %y1: memref<?x256xf32> {llvm.noalias},
                   %y2: memref<?x256xf32> {llvm.noalias}) {
  %z = arith.constant 0.0 : f32
  linalg.fill ins(%z : f32) outs(%y1 : memref<?x256xf32>)
  linalg.generic {indexing_maps = [#mA, #mBt, #mC],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w1 : memref<?x128xbf16>, memref<256x128xbf16>) outs(%y1 : memref<?x256xf32>) {
  ^bb0(%a: bf16, %b: bf16, %c: f32):
    %ae = arith.extf %a : bf16 to f32
    %be = arith.extf %b : bf16 to f32
    %p = arith.mulf %ae, %be : f32
    %r = arith.addf %c, %p : f32
    linalg.yield %r : f32
  }
  memref.copy %src, %w2 : memref<256x128xbf16> to memref<256x128xbf16>
  linalg.fill ins(%z : f32) outs(%y2 : memref<?x256xf32>)
  linalg.generic {indexing_maps = [#mA, #mBt, #mC],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w2 : memref<?x128xbf16>, memref<256x128xbf16>) outs(%y2 : memref<?x256xf32>) {
  ^bb0(%a: bf16, %b: bf16, %c: f32):
    %ae = arith.extf %a : bf16 to f32
    %be = arith.extf %b : bf16 to f32
    %p = arith.mulf %ae, %be : f32
    %r = arith.addf %c, %p : f32
    linalg.yield %r : f32
  }
  return
}
