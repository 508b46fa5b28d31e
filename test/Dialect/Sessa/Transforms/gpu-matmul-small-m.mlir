// sessa-gpu-matmul's small-M kernel (decode: M = batch x new tokens): for
// products with B[n, k], C's row count picks the kernel on the host, the
// tiled GEMM for M > small-m (default 16), else a launch of
// ceil(N / 8) x ceil(M / 8) blocks of 128 threads in which each warp streams
// 2 rows of B along k in 16-byte chunks, reduces its lanes with shuffles and
// stores through the same fused epilogue. Static M picks one kernel at
// compile time; B[k, n] and small-m=0 keep the tiled kernel only.

// RUN: sessa-opt %s --split-input-file --sessa-gpu-matmul | FileCheck %s
// RUN: sessa-opt %s --split-input-file --sessa-gpu-matmul=small-m=0 | FileCheck %s --check-prefix=OFF
// RUN: sessa-opt %s --split-input-file --sessa-gpu-matmul=small-m=4 | FileCheck %s --check-prefix=FOUR

#mA = affine_map<(m, n, k) -> (m, k)>
#mBt = affine_map<(m, n, k) -> (n, k)>
#mC = affine_map<(m, n, k) -> (m, n)>
#row = affine_map<(m, n) -> (m, n)>
#bias = affine_map<(m, n) -> (n)>

// Dynamic M, bf16 with a bias epilogue (the decode projections' form).
// CHECK-LABEL: func.func @bf16_bias
//  CHECK-SAME: (%[[X:.*]]: memref<?x1024xbf16>, %[[W:.*]]: memref<2048x1024xbf16>, %[[BIAS:.*]]: memref<2048xf32>, %[[Y:.*]]: memref<?x2048xbf16> {llvm.noalias})
//       CHECK: %[[M:.*]] = memref.dim %[[Y]], %c0
//       CHECK: %[[BIG:.*]] = arith.cmpi sgt, %[[M]], %c16
//       CHECK: scf.if %[[BIG]] {
//       CHECK:   gpu.launch {{.*}} dynamic_shared_memory_size %c165888_i32
//       CHECK:     nvvm.mma.sync
//       CHECK: } else {
//       CHECK:   %[[M2:.*]] = memref.dim %[[Y]], %c0
//       CHECK:   %[[GX:.*]] = arith.ceildivui %c2048, %c8
//       CHECK:   %[[GY:.*]] = arith.ceildivui %[[M2]], %c8
//       CHECK:   gpu.launch blocks({{.*}}) in ({{.*}} = %[[GX]], {{.*}} = %[[GY]], {{.*}} = %c1{{.*}}) threads({{.*}}) in ({{.*}} = %c128{{.*}}, {{.*}}, {{.*}})
//   CHECK-NOT:     dynamic_shared_memory_size
//       CHECK:     memref.extract_strided_metadata %[[X]]
//       CHECK:     memref.extract_strided_metadata %[[W]]
//       CHECK:     memref.extract_strided_metadata %[[Y]]
// Dense along k, aligned and K a multiple of 8: 16-byte loads. Full steps
// of 2 chunks per lane without guards (the warp's 2 columns of B first, then
// A's 8 rows and the FMAs), then a guarded step for the chunks left.
//       CHECK:     %[[FULL:.*]] = arith.divui %{{.*}}, %c64
//       CHECK:     scf.if %{{.*}} -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32) {
//       CHECK:       %[[L:.*]]:16 = scf.for %{{.*}} = %c0{{.*}} to %[[FULL]] step %c1{{.*}} iter_args
//       CHECK-COUNT-4: vector.load {{.*}} {alignment = 16 : i64} : memref<?xbf16>, vector<8xbf16>
//   CHECK-NOT:         scf.if
//       CHECK:         vector.load {{.*}} {alignment = 16 : i64} : memref<?xbf16>, vector<8xbf16>
//       CHECK:         arith.extf {{.*}} : bf16 to f32
//       CHECK:         llvm.intr.fma
//       CHECK:       scf.for %{{.*}} = %[[FULL]] to %{{.*}} step %c1{{.*}} iter_args({{.*}} = %[[L]]#0,
//       CHECK:         scf.if
//       CHECK:           llvm.intr.fma
// Else: guarded scalar loads, zero beyond K.
//       CHECK:     } else {
//       CHECK:       memref.load {{.*}} : memref<?xbf16>
//       CHECK-COUNT-5: gpu.shuffle  xor
// Lane i < 16 stores element (m0 + i / 2, n0 + i % 2) through the epilogue,
// in one branch.
//       CHECK:     arith.select
//       CHECK:     %[[STORES:.*]] = arith.cmpi slt, %{{.*}}, %c16
//       CHECK:     scf.if %[[STORES]] {
//       CHECK:       memref.load %[[BIAS]]
//       CHECK:       arith.addf
//       CHECK:       arith.truncf {{.*}} : f32 to bf16
//       CHECK:       memref.store {{.*}} : memref<?xbf16>
//       CHECK:   } {sessa.gpu_kernel = "gemm_small_m"}
//   CHECK-NOT: linalg.generic
//       CHECK: return
// OFF-LABEL: func.func @bf16_bias
//   OFF-NOT: gemm_small_m
//       OFF: return
// FOUR-LABEL: func.func @bf16_bias
//       FOUR: arith.cmpi sgt, %{{.*}}, %c4
//       FOUR: gemm_small_m
func.func @bf16_bias(%x: memref<?x1024xbf16>, %w: memref<2048x1024xbf16>,
                     %bias: memref<2048xf32>, %y: memref<?x2048xbf16> {llvm.noalias}) {
  %c0 = arith.constant 0 : index
  %m = memref.dim %x, %c0 : memref<?x1024xbf16>
  %acc = memref.alloc(%m) : memref<?x2048xf32>
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%acc : memref<?x2048xf32>)
  linalg.generic {indexing_maps = [#mA, #mBt, #mC],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<?x1024xbf16>, memref<2048x1024xbf16>)
      outs(%acc : memref<?x2048xf32>) {
  ^bb0(%a: bf16, %b: bf16, %c: f32):
    %ae = arith.extf %a : bf16 to f32
    %be = arith.extf %b : bf16 to f32
    %p = arith.mulf %ae, %be : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#row, #bias, #row],
                  iterator_types = ["parallel", "parallel"]}
      ins(%acc, %bias : memref<?x2048xf32>, memref<2048xf32>)
      outs(%y : memref<?x2048xbf16>) {
  ^bb0(%a: f32, %b: f32, %o: bf16):
    %s = arith.addf %a, %b : f32
    %t = arith.truncf %s : f32 to bf16
    linalg.yield %t : bf16
  }
  memref.dealloc %acc : memref<?x2048xf32>
  return
}

// -----

#mA = affine_map<(m, n, k) -> (m, k)>
#mBt = affine_map<(m, n, k) -> (n, k)>
#mB = affine_map<(m, n, k) -> (k, n)>
#mC = affine_map<(m, n, k) -> (m, n)>

// Static M = 8 (f32: 4-element chunks): the small-M kernel alone. Static
// M = 64: the tiled kernel alone. B[k, n]: the tiled kernel alone.
// CHECK-LABEL: func.func @static_and_untransposed
//   CHECK-NOT: arith.cmpi sgt, %{{.*}}, %c16
//       CHECK: gpu.launch
//   CHECK-NOT: dynamic_shared_memory_size
//       CHECK:   vector.load {{.*}} {alignment = 16 : i64} : memref<?xf32>, vector<4xf32>
//       CHECK: } {sessa.gpu_kernel = "gemm_small_m"}
//   CHECK-NOT: gemm_small_m
//       CHECK: gpu.launch {{.*}} dynamic_shared_memory_size %c110592_i32
//   CHECK-NOT: gemm_small_m
//       CHECK: gpu.launch {{.*}} dynamic_shared_memory_size %c110592_i32
//   CHECK-NOT: gemm_small_m
//       CHECK: return
func.func @static_and_untransposed(%x8: memref<8x96xf32>, %x64: memref<64x96xf32>,
                                   %xd: memref<?x96xf32>, %w: memref<40x96xf32>,
                                   %wk: memref<96x40xf32>, %y8: memref<8x40xf32>,
                                   %y64: memref<64x40xf32>, %yd: memref<?x40xf32>) {
  linalg.generic {indexing_maps = [#mA, #mBt, #mC],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x8, %w : memref<8x96xf32>, memref<40x96xf32>) outs(%y8 : memref<8x40xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#mA, #mBt, #mC],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x64, %w : memref<64x96xf32>, memref<40x96xf32>) outs(%y64 : memref<64x40xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#mA, #mB, #mC],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%xd, %wk : memref<?x96xf32>, memref<96x40xf32>) outs(%yd : memref<?x40xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  }
  return
}
