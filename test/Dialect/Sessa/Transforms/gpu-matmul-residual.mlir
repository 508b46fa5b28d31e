// sessa-gpu-matmul with wgmma and TMA (fuse-matrix-inputs, on by default)
// fuses a consumer that reads a full [M, N] input at the element it writes
// (the layer's residual y = x + (acc + bias)) into the GEMM epilogue: the
// TMA kernel loads that input as 2-element pairs (vector<2xbf16>) for the
// whole fragment before it computes any value or stores anything, the
// consumer generic and C's temporary disappear.
//
// Aliasing rule: the output may not overlap A, B or a row-broadcast input
// (proved by distinct roots: an allocation, an llvm.noalias argument, or an
// entry output `sessa.output` against an argument of another type). A
// full-matrix input may be disjoint from the output or its very memory:
// the same views of the same buffer, or of an entry output and an argument
// of its type (the runtime ABI lets a caller pass `y` as `x`'s memory only
// for caches, but such a call stays correct: each element of x is read by
// the thread that then writes that element of y, before it does). A
// partial overlap (different views) is never fused.
//
// RUN: sessa-opt %s --split-input-file --sessa-gpu-matmul="wgmma=1 small-m=0" | FileCheck %s
// RUN: sessa-opt %s --split-input-file --sessa-gpu-matmul="wgmma=1 small-m=0 fuse-matrix-inputs=0" \
// RUN: | FileCheck %s --check-prefix=OFF
// RUN: sessa-opt %s --split-input-file --sessa-gpu-matmul="wgmma=1 tma=0 small-m=0" \
// RUN: | FileCheck %s --check-prefix=OFF
// RUN: sessa-opt %s --split-input-file --sessa-gpu-matmul="small-m=0" \
// RUN: | FileCheck %s --check-prefix=OFF
// RUN: sessa-opt %s --split-input-file --sessa-gpu-matmul="wgmma=1 small-m=0" \
// RUN:   --sessa-gpu-tma-prefetch-residual | FileCheck %s --check-prefix=PREFETCH
// RUN: sessa-opt %s --split-input-file --sessa-gpu-matmul="wgmma=1 small-m=0" \
// RUN: | FileCheck %s --check-prefix=NOPREFETCH

#mA = affine_map<(m, n, k) -> (m, k)>
#mB = affine_map<(m, n, k) -> (n, k)>
#mC = affine_map<(m, n, k) -> (m, n)>
#id = affine_map<(m, n) -> (m, n)>
#row = affine_map<(m, n) -> (n)>

// The layer's last product: s*g (a temporary) times W_out^T, + bias, + x,
// into the entry output y; x and y are viewed alike ([B, T, D] collapsed
// to [B*T, D]) and have one type, so y may be x's very memory: fused.
// CHECK-LABEL: func.func @layer_out
//  CHECK-SAME: (%[[X:[a-z0-9]+]]: memref<?x?x32xbf16>, %[[W:[a-z0-9]+]]: memref<32x64xbf16>, %[[BIAS:[a-z0-9]+]]: memref<32xbf16>, %[[Y:[a-z0-9]+]]: memref<?x?x32xbf16> {sessa.output})
//   CHECK-DAG: %[[XV:.*]] = memref.collapse_shape %[[X]]
//   CHECK-DAG: %[[YV:.*]] = memref.collapse_shape %[[Y]]
//   CHECK-NOT: memref.alloc(%{{.*}}) : memref<?x32xf32>
//       CHECK: gpu.launch
//       CHECK:   nvvm.wgmma.mma_async
//       CHECK:   memref.extract_strided_metadata %[[XV]]
//       CHECK:   scf.if
// The full fragment's residual pairs first (2 rows x 16 column pairs a
// 64-row half of a ping-pong tile), then the values, then the stores.
// CHECK-COUNT-32:  vector.load %{{.*}}[%{{.*}}] {alignment = 4 : i64} : memref<?xbf16>, vector<2xbf16>
//   CHECK-NOT:     vector.store
//       CHECK:     vector.extract %{{.*}}[0] : bf16 from vector<2xbf16>
//       CHECK:     arith.addf
//       CHECK:     vector.extract %{{.*}}[1] : bf16 from vector<2xbf16>
//       CHECK:     vector.store %{{.*}} {alignment = 4 : i64} : memref<?xbf16>, vector<2xbf16>
//       CHECK:   } else {
//       CHECK:     memref.load %[[XV]]
//       CHECK:     memref.store
//       CHECK: } {sessa.gpu_kernel = "gemm_wgmma_tma"}
//   CHECK-NOT: linalg.generic
//       CHECK: return
// OFF-LABEL: func.func @layer_out
//       OFF: gpu.launch
//       OFF: linalg.generic
// With --sessa-gpu-tma-prefetch-residual, each consumer thread prefetches
// its row of the tile's residual (two 128-byte lines of bf16) into L2
// before the tile's main loop.
// PREFETCH-LABEL: func.func @layer_out
//       PREFETCH: nvvm.setmaxregister  increase 232
// PREFETCH-COUNT-2: nvvm.prefetch level =  L2, %{{.*}} : !llvm.ptr<1>
//   PREFETCH-NOT: vector.store
//       PREFETCH: nvvm.wgmma.mma_async
// NOPREFETCH-NOT: nvvm.prefetch
func.func @layer_out(%x: memref<?x?x32xbf16>, %w: memref<32x64xbf16>,
                     %bias: memref<32xbf16>, %y: memref<?x?x32xbf16> {sessa.output}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %xv = memref.collapse_shape %x [[0, 1], [2]] : memref<?x?x32xbf16> into memref<?x32xbf16>
  %m = memref.dim %xv, %c0 : memref<?x32xbf16>
  %s = memref.alloc(%m) : memref<?x64xbf16>
  %c = memref.alloc(%m) : memref<?x32xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<?x32xf32>)
  linalg.generic {indexing_maps = [#mA, #mB, #mC],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%s, %w : memref<?x64xbf16>, memref<32x64xbf16>)
      outs(%c : memref<?x32xf32>) {
  ^bb0(%a: bf16, %b: bf16, %o: f32):
    %ae = arith.extf %a : bf16 to f32
    %be = arith.extf %b : bf16 to f32
    %p = arith.mulf %ae, %be : f32
    %r = arith.addf %o, %p : f32
    linalg.yield %r : f32
  }
  %yv = memref.collapse_shape %y [[0, 1], [2]] : memref<?x?x32xbf16> into memref<?x32xbf16>
  linalg.generic {indexing_maps = [#id, #row, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c, %bias, %xv : memref<?x32xf32>, memref<32xbf16>, memref<?x32xbf16>)
      outs(%yv : memref<?x32xbf16>) {
  ^bb0(%v: f32, %bv: bf16, %xe: bf16, %unused: bf16):
    %b32 = arith.extf %bv : bf16 to f32
    %t = arith.addf %v, %b32 : f32
    %x32 = arith.extf %xe : bf16 to f32
    %u = arith.addf %t, %x32 : f32
    %r = arith.truncf %u : f32 to bf16
    linalg.yield %r : bf16
  }
  memref.dealloc %c : memref<?x32xf32>
  memref.dealloc %s : memref<?x64xbf16>
  return
}

// -----

#mA = affine_map<(m, n, k) -> (m, k)>
#mB = affine_map<(m, n, k) -> (n, k)>
#mC = affine_map<(m, n, k) -> (m, n)>
#id = affine_map<(m, n) -> (m, n)>

// The residual is a temporary (disjoint from the output): fused.
// CHECK-LABEL: func.func @temporary_residual
//       CHECK: gpu.launch
//       CHECK:   vector.load %{{.*}} {alignment = 8 : i64} : memref<?xf32>, vector<2xf32>
//       CHECK: } {sessa.gpu_kernel = "gemm_wgmma_tma"}
//   CHECK-NOT: linalg.generic
// OFF-LABEL: func.func @temporary_residual
//       OFF: linalg.generic
func.func @temporary_residual(%a: memref<?x64xbf16>, %w: memref<32x64xbf16>,
                              %y: memref<?x32xbf16> {sessa.output}) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %m = memref.dim %a, %c0 : memref<?x64xbf16>
  %res = memref.alloc(%m) : memref<?x32xf32>
  linalg.fill ins(%zero : f32) outs(%res : memref<?x32xf32>)
  %c = memref.alloc(%m) : memref<?x32xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<?x32xf32>)
  linalg.generic {indexing_maps = [#mA, #mB, #mC],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %w : memref<?x64xbf16>, memref<32x64xbf16>)
      outs(%c : memref<?x32xf32>) {
  ^bb0(%x: bf16, %b: bf16, %o: f32):
    %xe = arith.extf %x : bf16 to f32
    %be = arith.extf %b : bf16 to f32
    %p = arith.mulf %xe, %be : f32
    %r = arith.addf %o, %p : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c, %res : memref<?x32xf32>, memref<?x32xf32>) outs(%y : memref<?x32xbf16>) {
  ^bb0(%v: f32, %r: f32, %unused: bf16):
    %u = arith.addf %v, %r : f32
    %t = arith.truncf %u : f32 to bf16
    linalg.yield %t : bf16
  }
  return
}

// -----

#mA = affine_map<(m, n, k) -> (m, k)>
#mB = affine_map<(m, n, k) -> (n, k)>
#mC = affine_map<(m, n, k) -> (m, n)>
#id = affine_map<(m, n) -> (m, n)>

// The residual is a view of x that starts one row later than the view of y
// (same buffer type: y may be x's memory, then the two overlap with a
// shift, and a block would overwrite rows another block still reads):
// not fused.
// CHECK-LABEL: func.func @shifted_residual
//       CHECK: %[[C:.*]] = memref.alloc
//       CHECK: gpu.launch
//       CHECK: linalg.generic {{.*}} ins(%[[C]]
func.func @shifted_residual(%a: memref<?x64xbf16>, %w: memref<32x64xbf16>,
                            %x: memref<?x32xbf16>,
                            %y: memref<?x32xbf16> {sessa.output}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %m = memref.dim %a, %c0 : memref<?x64xbf16>
  %xs = memref.subview %x[1, 0] [%m, 32] [1, 1] : memref<?x32xbf16> to memref<?x32xbf16, strided<[32, 1], offset: 32>>
  %ys = memref.subview %y[0, 0] [%m, 32] [1, 1] : memref<?x32xbf16> to memref<?x32xbf16, strided<[32, 1]>>
  %c = memref.alloc(%m) : memref<?x32xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<?x32xf32>)
  linalg.generic {indexing_maps = [#mA, #mB, #mC],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %w : memref<?x64xbf16>, memref<32x64xbf16>)
      outs(%c : memref<?x32xf32>) {
  ^bb0(%p0: bf16, %b: bf16, %o: f32):
    %pe = arith.extf %p0 : bf16 to f32
    %be = arith.extf %b : bf16 to f32
    %p = arith.mulf %pe, %be : f32
    %r = arith.addf %o, %p : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c, %xs : memref<?x32xf32>, memref<?x32xbf16, strided<[32, 1], offset: 32>>)
      outs(%ys : memref<?x32xbf16, strided<[32, 1]>>) {
  ^bb0(%v: f32, %r: bf16, %unused: bf16):
    %re = arith.extf %r : bf16 to f32
    %u = arith.addf %v, %re : f32
    %t = arith.truncf %u : f32 to bf16
    linalg.yield %t : bf16
  }
  return
}

// -----

#mA = affine_map<(m, n, k) -> (m, k)>
#mB = affine_map<(m, n, k) -> (n, k)>
#mC = affine_map<(m, n, k) -> (m, n)>
#id = affine_map<(m, n) -> (m, n)>

// The product's A has the output's type (y may be A's memory: other blocks
// still read A while this one stores): not fused. Same for an output that
// is not an entry output (%z: no sessa.output, may overlap W).
// CHECK-LABEL: func.func @output_may_be_a
//       CHECK: %[[C:.*]] = memref.alloc
//       CHECK: gpu.launch
//       CHECK: linalg.generic {{.*}} ins(%[[C]]
// CHECK-LABEL: func.func @output_not_entry_output
//       CHECK: %[[C:.*]] = memref.alloc
//       CHECK: gpu.launch
//       CHECK: linalg.generic {{.*}} ins(%[[C]]
func.func @output_may_be_a(%a: memref<?x32xbf16>, %w: memref<32x32xbf16>,
                           %x: memref<?x32xbf16>,
                           %y: memref<?x32xbf16> {sessa.output}) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %m = memref.dim %a, %c0 : memref<?x32xbf16>
  %c = memref.alloc(%m) : memref<?x32xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<?x32xf32>)
  linalg.generic {indexing_maps = [#mA, #mB, #mC],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %w : memref<?x32xbf16>, memref<32x32xbf16>)
      outs(%c : memref<?x32xf32>) {
  ^bb0(%p0: bf16, %b: bf16, %o: f32):
    %pe = arith.extf %p0 : bf16 to f32
    %be = arith.extf %b : bf16 to f32
    %p = arith.mulf %pe, %be : f32
    %r = arith.addf %o, %p : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c, %x : memref<?x32xf32>, memref<?x32xbf16>) outs(%y : memref<?x32xbf16>) {
  ^bb0(%v: f32, %r: bf16, %unused: bf16):
    %re = arith.extf %r : bf16 to f32
    %u = arith.addf %v, %re : f32
    %t = arith.truncf %u : f32 to bf16
    linalg.yield %t : bf16
  }
  return
}

func.func @output_not_entry_output(%a: memref<?x64xbf16>, %w: memref<32x64xbf16>,
                                   %x: memref<?x32xbf16>, %z: memref<?x32xbf16>) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %m = memref.dim %a, %c0 : memref<?x64xbf16>
  %c = memref.alloc(%m) : memref<?x32xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<?x32xf32>)
  linalg.generic {indexing_maps = [#mA, #mB, #mC],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %w : memref<?x64xbf16>, memref<32x64xbf16>)
      outs(%c : memref<?x32xf32>) {
  ^bb0(%p0: bf16, %b: bf16, %o: f32):
    %pe = arith.extf %p0 : bf16 to f32
    %be = arith.extf %b : bf16 to f32
    %p = arith.mulf %pe, %be : f32
    %r = arith.addf %o, %p : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c, %x : memref<?x32xf32>, memref<?x32xbf16>) outs(%z : memref<?x32xbf16>) {
  ^bb0(%v: f32, %r: bf16, %unused: bf16):
    %re = arith.extf %r : bf16 to f32
    %u = arith.addf %v, %re : f32
    %t = arith.truncf %u : f32 to bf16
    linalg.yield %t : bf16
  }
  return
}
