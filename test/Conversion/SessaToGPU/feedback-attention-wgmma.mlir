// The sm_90a strip path of the bf16/f16 feedback attention (convert-sessa-to-gpu
// `wgmma-feedback`, set by --sessa-gpu-pipeline for sm_90a) as it runs with a
// cache, and without one under -sessa-gpu-feedback-upfront=0 (by default a
// call without a cache takes the up-front path: feedback-attention-upfront.mlir):
// a strip of more than 64 rows computes its logits, unscaled, as wgmma GEMM
// launches per head (qb rows x keys, K-major views of qb, kb and W; a second
// launch over the cached keys when there is a cache), the softmax applies the
// scale then; without a cache its cross-strip product prob @ S is a wgmma
// GEMM over a transposed 16-bit copy sT [B, Hb, dv, T rounded up to 8] of the
// solved rows (written by the intra-strip kernel of each strip but the last),
// split over the keys into the partial buffer viewed as [splits * B, rows,
// dv], after the strip's inverses in a launch of their own (grid (chunks, Hb,
// B) of 64 threads); with -sessa-gpu-feedback-wgmma-inverse-launch=0 one
// more column of the product's blocks computes them instead. Smaller
// strips (decoding steps, T <= 64) and strips with a cache keep the
// mma.sync kernels; f32 is unchanged.

// RUN: sessa-opt %s --split-input-file --convert-sessa-to-gpu="wgmma-feedback=1" -sessa-gpu-feedback-upfront=0 --cse | FileCheck %s
// RUN: sessa-opt %s --split-input-file --convert-sessa-to-gpu --cse | FileCheck %s --check-prefix=SM90
// RUN: sessa-opt %s --split-input-file --convert-sessa-to-gpu="wgmma-feedback=1" -sessa-gpu-feedback-upfront=0 -sessa-gpu-feedback-wgmma-inverse-launch=0 --cse | FileCheck %s --check-prefix=EXTRA

// SM90-NOT: gemm_wgmma
// SM90-NOT: nvvm.wgmma

// Inverses in extra blocks of the product: one more column of blocks when
// the strip has more rows than one; those run the forward substitution of
// the chunk inverses into INV.
// EXTRA-LABEL: func.func @bf16_wgmma
// EXTRA:         scf.if %{{.*}} {
// EXTRA:           scf.for
// EXTRA:             memref.reinterpret_cast
// EXTRA:             %[[MANY:.*]] = arith.cmpi ult, %c1, %{{.*}} : index
// EXTRA:             %[[EXTRA:.*]] = arith.select %[[MANY]], %c1, %c0 : index
// EXTRA:             %[[TX:.*]] = arith.ceildivui %{{.*}}, %c64 : index
// EXTRA:             %[[GX:.*]] = arith.addi %[[TX]], %[[EXTRA]] : index
// EXTRA:             gpu.launch blocks({{.*}}) in (%{{.*}} = %[[GX]], {{.*}} dynamic_shared_memory_size %c148480_i32
// EXTRA:               nvvm.wgmma.mma_async
// EXTRA:             } else {
// EXTRA:               nvvm.cp.async.wait.group 0
// EXTRA:             } {sessa.gpu_kernel = "gemm_wgmma"}

// CHECK-LABEL: func.func @bf16_wgmma
// CHECK:       %[[RAW:.*]] = memref.alloc(%{{.*}}) : memref<?xi8>
// CHECK:       %[[W:.*]] = memref.view %[[RAW]][%c0][%c2, %c1, %{{.*}}, %{{.*}}] : memref<?xi8> to memref<?x?x?x?xf32>
// CHECK:       %[[PROB:.*]] = memref.view %[[RAW]][%c0][%c2, %c1, %{{.*}}, %{{.*}}] : memref<?xi8> to memref<?x?x?x?xbf16>
// sT: [B, Hb, dv, T rounded up to 8].
// CHECK:       %[[TP:.*]] = arith.muli %{{.*}}, %c8 : index
// CHECK:       %[[ST:.*]] = memref.alloc(%c2, %c1, %c64, %[[TP]]) : memref<?x?x?x?xbf16>
// CHECK:       %[[PART:.*]] = memref.alloc(%{{.*}}, %c2, %c1, %{{.*}}, %c64) : memref<?x?x?x?x?xf32>
// CHECK:       scf.for %[[R0:.*]] = %c0 to %{{.*}} step %c256 {
// CHECK:         %[[ROWS:.*]] = arith.minui %c256,
// CHECK:         %[[BIG:.*]] = arith.cmpi ult, %c64, %[[ROWS]]
// Kernel 1: wgmma logits (128 x 64 tiles, 6 stages: 6 x 192 x 128 + 1024
// bytes), per head, into W unscaled.
// CHECK:         scf.if %[[BIG]] {
// CHECK:           scf.for %[[H:.*]] = %c0 to %c1 step %c1 {
// CHECK:             %[[QV:.*]] = memref.subview %{{.*}}[%c0, %[[R0]], %[[H]], %c0] [%c2, %[[ROWS]], 1, %c32] [1, 1, 1, 1] : memref<2x?x1x32xbf16> to memref<?x?x?xbf16, strided<[?, 32, 1], offset: ?>>
// CHECK:             %[[KV:.*]] = memref.subview %{{.*}}[%c0, %c0, %[[H]], %c0] [%c2, %{{.*}}, 1, %c32] [1, 1, 1, 1]
// CHECK:             %[[WV:.*]] = memref.subview %[[W]][%c0, %[[H]], %c0, %c0] [%c2, 1, %[[ROWS]], %{{.*}}] [1, 1, 1, 1] : memref<?x?x?x?xf32> to memref<?x?x?xf32, strided<[?, ?, 1], offset: ?>>
// CHECK:             gpu.launch {{.*}} dynamic_shared_memory_size %c148480_i32
// CHECK:               nvvm.wgmma.mma_async {{.*}} <m = 64, n = 64, k = 16>, D[<f32>, <zero>], A[<bf16>, <one>, <row>], B[<bf16>, <one>, <col>]
// CHECK:             } {sessa.gpu_kernel = "gemm_wgmma"}
// CHECK:         } else {
// CHECK:           nvvm.mma.sync
// CHECK:         }
// Kernel 2: the softmax scales W by c on the wgmma path (1 otherwise).
// CHECK:         %[[SCALE:.*]] = arith.select %[[BIG]], %cst{{.*}}, %cst{{.*}} : f32
// CHECK:         gpu.launch
// CHECK:           arith.mulf %{{.*}}, %[[SCALE]] : f32
// CHECK:           math.exp
// CHECK:           gpu.barrier
// CHECK:           memref.store %{{.*}}, %[[PROB]]
// CHECK:           gpu.terminator
// Kernel 3: wgmma prob @ sT^T without a cache, key splits of >= 512 keys.
// CHECK:         %[[NOCACHE:.*]] = arith.cmpi eq, %c0, %c0 : index
// CHECK:         %[[USEWG:.*]] = arith.andi %[[BIG]], %[[NOCACHE]] : i1
// CHECK:         %[[NS:.*]] = arith.ceildivui %{{.*}}, %c512 : index
// CHECK:         %[[SPLITS:.*]] = arith.minui %{{.*}}, %{{.*}} : index
// CHECK:         scf.if %[[USEWG]] {
// Kernel 4 first: the inverses, grid (chunks, Hb, B) of 64 threads.
// CHECK:           %[[NCH:.*]] = arith.ceildivui %[[ROWS]], %c64 : index
// CHECK:           gpu.launch blocks({{.*}}) in (%{{.*}} = %[[NCH]], %{{.*}} = %c1, %{{.*}} = %c2) threads({{.*}}) in (%{{.*}} = %c64,
// CHECK:           scf.for %[[H2:.*]] = %c0 to %c1 step %c1 {
// CHECK:             %[[PV:.*]] = memref.subview %[[PROB]][%c0, %[[H2]], %c0, %c0] [%c2, 1, %[[ROWS]], %{{.*}}] [1, 1, 1, 1]
// CHECK:             %[[SV:.*]] = memref.subview %[[ST]][%c0, %[[H2]], %c0, %c0] [%c2, 1, %c64, %{{.*}}] [1, 1, 1, 1]
// CHECK:             %[[ZB:.*]] = arith.muli %[[SPLITS]], %c2 : index
// CHECK:             memref.reinterpret_cast %[[PART]] to offset: [%{{.*}}], sizes: [%[[ZB]], %[[ROWS]], %c64], strides: [%{{.*}}, %c64, 1]
// No product on the first strip (nothing solved).
// CHECK:             %[[SOLVED:.*]] = arith.cmpi ult, %c0, %{{.*}} : index
// CHECK:             scf.if %[[SOLVED]] {
// CHECK:             %[[TX:.*]] = arith.ceildivui %{{.*}}, %c64 : index
// CHECK:             gpu.launch blocks({{.*}}) in (%{{.*}} = %[[TX]], {{.*}} dynamic_shared_memory_size %c148480_i32
// Split k: batch z % B, split z / B.
// CHECK:               arith.remui
// CHECK:               arith.divui
// CHECK:               nvvm.wgmma.mma_async
// CHECK:             } {sessa.gpu_kernel = "gemm_wgmma"}
// CHECK:         } else {
// CHECK:           nvvm.mma.sync
// CHECK:         }
// The intra-strip kernel reads no partial on the first strip (no solved
// key) and writes sT for every strip but the last (no cache).
// CHECK:         %[[S0:.*]] = arith.select %{{.*}}, %c0, %[[SPLITS]] : index
// CHECK:         arith.select %[[USEWG]], %[[S0]], %{{.*}} : index
// CHECK:         gpu.launch
// CHECK:           memref.store %{{.*}}, %[[ST]]
// CHECK:           gpu.terminator
// CHECK:       memref.dealloc %[[ST]]
// CHECK:       memref.dealloc %[[RAW]]
func.func @bf16_wgmma(%f: tensor<2x?x1x64xbf16>, %q: tensor<2x?x1x32xbf16>, %k: tensor<2x?x1x32xbf16>, %g: tensor<2x?x1xbf16>) -> tensor<2x?x1x64xbf16> {
  %s = sessa.feedback_attention %f, %q, %k, %g : tensor<2x?x1x64xbf16>, tensor<2x?x1x32xbf16>, tensor<2x?x1x32xbf16>, tensor<2x?x1xbf16>
  return %s : tensor<2x?x1x64xbf16>
}

// -----

// With a cache: two logits launches per head (cached keys into W's first P
// columns, new keys after them); the cross-strip product takes the wgmma
// path only when P == 0 at run time.
// CHECK-LABEL: func.func @bf16_wgmma_cache
// CHECK:       %[[P:.*]] = tensor.dim %arg4, %c1 : tensor<2x?x1x32xbf16>
// CHECK:         scf.if %{{.*}} {
// CHECK:           scf.for
// CHECK:             gpu.launch
// CHECK:             } {sessa.gpu_kernel = "gemm_wgmma"}
// CHECK:             gpu.launch
// CHECK:             } {sessa.gpu_kernel = "gemm_wgmma"}
// CHECK:           }
// CHECK:         } else {
// CHECK:         %[[NOCACHE:.*]] = arith.cmpi eq, %[[P]], %c0 : index
// CHECK:         arith.andi %{{.*}}, %[[NOCACHE]] : i1
func.func @bf16_wgmma_cache(%f: tensor<2x?x1x64xbf16>, %q: tensor<2x?x1x32xbf16>, %k: tensor<2x?x1x32xbf16>, %g: tensor<2x?x1xbf16>, %kp: tensor<2x?x1x32xbf16>, %sp: tensor<2x?x1x64xbf16>) -> tensor<2x?x1x64xbf16> {
  %s = sessa.feedback_attention %f, %q, %k, %g cache(%kp, %sp) : tensor<2x?x1x64xbf16>, tensor<2x?x1x32xbf16>, tensor<2x?x1x32xbf16>, tensor<2x?x1xbf16>, tensor<2x?x1x32xbf16>, tensor<2x?x1x64xbf16>
  return %s : tensor<2x?x1x64xbf16>
}

// -----

// f32 storage: no wgmma (SIMT kernels as without the option).
// CHECK-LABEL: func.func @f32_no_wgmma
// CHECK-NOT:   gemm_wgmma
// CHECK:       return
func.func @f32_no_wgmma(%f: tensor<2x?x1x64xf32>, %q: tensor<2x?x1x32xf32>, %k: tensor<2x?x1x32xf32>, %g: tensor<2x?x1xf32>) -> tensor<2x?x1x64xf32> {
  %s = sessa.feedback_attention %f, %q, %k, %g : tensor<2x?x1x64xf32>, tensor<2x?x1x32xf32>, tensor<2x?x1x32xf32>, tensor<2x?x1xf32>
  return %s : tensor<2x?x1x64xf32>
}
