// sessa-gpu-matmul replaces the matrix products on memrefs (linalg.generic
// with mulf + addf in f32, optionally with extf/truncf of bf16/f16 storage;
// linalg.matmul; linalg.batch_matmul) by a gpu.launch of a tiled GEMM kernel:
// f32 operands on FFMA, bf16/f16 operands on mma.sync with ldmatrix. A fill
// of +0 into C right before the product folds into the kernel. Other
// generics, products on tensors and mixed operand types are left alone.

// The tiled kernels (small-m=0: no small-M variant; gpu-matmul-small-m.mlir
// checks that one and the run-time choice).
// RUN: sessa-opt %s --split-input-file --sessa-gpu-matmul=small-m=0 | FileCheck %s

#mA = affine_map<(m, n, k) -> (m, k)>
#mBt = affine_map<(m, n, k) -> (n, k)>
#mB = affine_map<(m, n, k) -> (k, n)>
#mC = affine_map<(m, n, k) -> (m, n)>

// The layer's projection form: B[n, k] (a row half of a weight, strided
// subview), f32, zero fill folded: C is overwritten, the fill disappears.
// CHECK-LABEL: func.func @f32_transposed_b
//  CHECK-SAME: (%[[X:.*]]: memref<?x64xf32>, %[[W:.*]]: memref<128x64xf32>, %[[Y:.*]]: memref<?x64xf32>)
//   CHECK-NOT: linalg.fill
//       CHECK: %[[HALF:.*]] = memref.subview %[[W]][64, 0] [64, 64] [1, 1]
//       CHECK: %[[M:.*]] = memref.dim %[[Y]], %c0
//       CHECK: scf.if
//       CHECK: %[[GX:.*]] = arith.ceildivui %c64, %c128
//       CHECK: %[[GY:.*]] = arith.ceildivui %{{.*}}, %c128
//       CHECK: gpu.launch blocks({{.*}}) in ({{.*}} = %[[GX]], {{.*}} = %[[GY]], {{.*}}) threads({{.*}}) in ({{.*}} = %c256{{.*}}, {{.*}}, {{.*}}) dynamic_shared_memory_size %c110592_i32
//       CHECK:   gpu.dynamic_shared_memory : memref<?xi8, #gpu.address_space<workgroup>>
//       CHECK:   memref.view {{.*}} to memref<3x128x36xf32, #gpu.address_space<workgroup>>
//       CHECK:   memref.extract_strided_metadata %[[X]]
//       CHECK:   memref.extract_strided_metadata %[[HALF]]
//       CHECK:   memref.extract_strided_metadata %[[Y]]
// Both operands dense along k and aligned: a loop with cp.async only.
//       CHECK:   scf.if
//       CHECK:     nvgpu.device_async_copy {{.*}}, 4, %{{.*}} {bypassL1}
//       CHECK:     nvvm.cp.async.commit.group
//       CHECK:     scf.for
//       CHECK:       nvvm.cp.async.wait.group 1
//       CHECK:       gpu.barrier
//       CHECK:       vector.load {{.*}} {alignment = 16 : i64} : memref<3x128x36xf32, #gpu.address_space<workgroup>>, vector<4xf32>
//       CHECK:       llvm.intr.fma
// Else: the run-time choice between cp.async and guarded scalar loads.
//       CHECK:   } else {
//       CHECK:       memref.load
//       CHECK:       memref.store {{.*}} : memref<3x128x36xf32, #gpu.address_space<workgroup>>
// Epilogue: guarded stores, no read of C.
//   CHECK-NOT:   arith.addf %{{.*}}, %{{[0-9]+}}#0
//       CHECK:   gpu.terminator
//   CHECK-NOT: linalg.generic
//       CHECK: return
func.func @f32_transposed_b(%x: memref<?x64xf32>, %w: memref<128x64xf32>,
                            %y: memref<?x64xf32>) {
  %half = memref.subview %w[64, 0] [64, 64] [1, 1]
      : memref<128x64xf32> to memref<64x64xf32, strided<[64, 1], offset: 4096>>
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%y : memref<?x64xf32>)
  linalg.generic {indexing_maps = [#mA, #mBt, #mC],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %half : memref<?x64xf32>, memref<64x64xf32, strided<[64, 1], offset: 4096>>)
      outs(%y : memref<?x64xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

#mA = affine_map<(m, n, k) -> (m, k)>
#mBt = affine_map<(m, n, k) -> (n, k)>
#mC = affine_map<(m, n, k) -> (m, n)>

// bf16 storage, f32 accumulation, bf16 result: tensor cores, 128x256 block
// tiles of 8 warps; the cp.async loop (operands dense along k, aligned, i32
// offsets) addresses shared memory through !llvm.ptr<3> and global memory
// through !llvm.ptr<1>; otherwise a rolled loop of guarded scalar loads.
// CHECK-LABEL: func.func @bf16_tensor_cores
//   CHECK-NOT: linalg.fill
//       CHECK: %[[GX:.*]] = arith.ceildivui %c2048, %c256
//       CHECK: %[[GY:.*]] = arith.ceildivui %{{.*}}, %c128
//       CHECK: gpu.launch blocks({{.*}}) in ({{.*}} = %[[GX]], {{.*}} = %[[GY]], {{.*}}) threads({{.*}}) in ({{.*}} = %c256{{.*}}, {{.*}}, {{.*}}) dynamic_shared_memory_size %c165888_i32
//       CHECK:   memref.view {{.*}} to memref<3x128x72xbf16, #gpu.address_space<workgroup>>
//       CHECK:   memref.view {{.*}} to memref<3x256x72xbf16, #gpu.address_space<workgroup>>
//       CHECK:   arith.cmpi slt, %{{.*}}, %c2147483648
//       CHECK:   llvm.inttoptr %{{.*}} : i64 to !llvm.ptr<3>
//       CHECK:   scf.if %{{.*}} -> (f32
//       CHECK:     llvm.addrspacecast %{{.*}} : !llvm.ptr to !llvm.ptr<1>
//       CHECK:     nvvm.cp.async.shared.global %{{.*}}, %{{.*}}, 16, cache =  cg, %{{.*}} : !llvm.ptr<3>, !llvm.ptr<1>, i32
//       CHECK:     nvvm.cp.async.commit.group
//       CHECK:     scf.for {{.*}} -> (f32
//       CHECK:       nvvm.cp.async.wait.group 1
//       CHECK:       gpu.barrier
//       CHECK:       nvvm.cp.async.shared.global
//       CHECK:       nvvm.ldmatrix %{{.*}} {eltType = #nvvm.ld_st_matrix_elt_type<b16>, layout = #nvvm.mma_layout<row>, num = 4 : i32, shape = #nvvm.ld_st_matrix_shape<m = 8, n = 8>} : (!llvm.ptr<3>) -> !llvm.struct<(i32, i32, i32, i32)>
//       CHECK:       nvvm.mma.sync A[{{.*}}] B[{{.*}}] C[{{.*}}] {layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>, multiplicandAPtxType = #nvvm.mma_type<bf16>, multiplicandBPtxType = #nvvm.mma_type<bf16>, shape = #nvvm.shape<m = 16, n = 8, k = 16>} : (i32, i32, f32) -> !llvm.struct<(f32, f32, f32, f32)>
// CHECK-COUNT-127:   nvvm.mma.sync
//   CHECK-NOT:       nvvm.mma.sync
//       CHECK:     scf.yield
//       CHECK:   } else {
//       CHECK:     scf.for
//       CHECK:       scf.for
//       CHECK:         memref.load {{.*}} : memref<?xbf16>
//       CHECK:         memref.store {{.*}} : memref<3x128x72xbf16, #gpu.address_space<workgroup>>
//       CHECK:   arith.truncf {{.*}} : f32 to bf16
//       CHECK:   vector.store {{.*}} : memref<?xbf16>, vector<2xbf16>
//   CHECK-NOT: linalg.generic
func.func @bf16_tensor_cores(%x: memref<?x1024xbf16>, %w: memref<2048x1024xbf16>,
                             %y: memref<?x2048xbf16>) {
  %zero = arith.constant 0.0 : bf16
  linalg.fill ins(%zero : bf16) outs(%y : memref<?x2048xbf16>)
  linalg.generic {indexing_maps = [#mA, #mBt, #mC],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<?x1024xbf16>, memref<2048x1024xbf16>)
      outs(%y : memref<?x2048xbf16>) {
  ^bb0(%a: bf16, %b: bf16, %c: bf16):
    %ae = arith.extf %a : bf16 to f32
    %be = arith.extf %b : bf16 to f32
    %ce = arith.extf %c : bf16 to f32
    %p = arith.mulf %ae, %be : f32
    %s = arith.addf %ce, %p : f32
    %t = arith.truncf %s : f32 to bf16
    linalg.yield %t : bf16
  }
  return
}

// -----

#mA = affine_map<(m, n, k) -> (m, k)>
#mBt = affine_map<(m, n, k) -> (n, k)>
#mC = affine_map<(m, n, k) -> (m, n)>

// f16 operands with an f32 result use f16 fragments directly.
// CHECK-LABEL: func.func @f16_operands
//       CHECK: nvvm.mma.sync {{.*}} : (vector<2xf16>, vector<2xf16>, f32) -> !llvm.struct<(f32, f32, f32, f32)>
func.func @f16_operands(%x: memref<?x?xf16>, %w: memref<?x?xf16>,
                        %y: memref<?x?xf32>) {
  linalg.generic {indexing_maps = [#mA, #mBt, #mC],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<?x?xf16>, memref<?x?xf16>)
      outs(%y : memref<?x?xf32>) {
  ^bb0(%a: f16, %b: f16, %c: f32):
    %ae = arith.extf %a : f16 to f32
    %be = arith.extf %b : f16 to f32
    %p = arith.mulf %be, %ae : f32
    %s = arith.addf %p, %c : f32
    linalg.yield %s : f32
  }
  return
}

// -----

#mA = affine_map<(m, n, k) -> (m, k)>
#mB = affine_map<(m, n, k) -> (k, n)>
#mC = affine_map<(m, n, k) -> (m, n)>

// Plain B[k, n] without a fill: the kernel adds to C (reads it in the
// epilogue); the copy between the fill and the product keeps the fill.
// CHECK-LABEL: func.func @accumulate
//       CHECK: linalg.fill
//       CHECK: memref.copy
//       CHECK: gpu.launch
//       CHECK:   scf.for
//       CHECK:   arith.addf %{{.*}}, %{{[0-9]+}}#0 : f32
//  CHECK-NEXT:   memref.store
//   CHECK-NOT: linalg.generic
func.func @accumulate(%x: memref<?x?xf32>, %v: memref<?x?xf32>,
                      %y: memref<?x?xf32>, %init: memref<?x?xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%y : memref<?x?xf32>)
  memref.copy %init, %y : memref<?x?xf32> to memref<?x?xf32>
  linalg.generic {indexing_maps = [#mA, #mB, #mC],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %v : memref<?x?xf32>, memref<?x?xf32>)
      outs(%y : memref<?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Named ops: linalg.matmul, and linalg.batch_matmul on the grid's z.
// CHECK-LABEL: func.func @named_ops
//   CHECK-NOT: linalg.fill
//       CHECK: gpu.launch
//       CHECK: %[[B:.*]] = memref.dim %{{.*}}, %c0{{.*}} : memref<?x?x?xbf16>
//       CHECK: gpu.launch blocks({{.*}}) in ({{.*}}, {{.*}}, {{.*}} = %[[B]])
//       CHECK:   nvvm.mma.sync
//   CHECK-NOT: linalg.
func.func @named_ops(%a: memref<?x?xf32>, %b: memref<?x?xf32>, %c: memref<?x?xf32>,
                     %x: memref<?x?x?xbf16>, %y: memref<?x?x?xbf16>,
                     %z: memref<?x?x?xbf16>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<?x?xf32>)
  linalg.matmul ins(%a, %b : memref<?x?xf32>, memref<?x?xf32>)
                outs(%c : memref<?x?xf32>)
  linalg.batch_matmul ins(%x, %y : memref<?x?x?xbf16>, memref<?x?x?xbf16>)
                      outs(%z : memref<?x?x?xbf16>)
  return
}

// -----

#mA = affine_map<(m, n, k) -> (m, k)>
#mAt = affine_map<(m, n, k) -> (k, m)>
#mBt = affine_map<(m, n, k) -> (n, k)>
#mC = affine_map<(m, n, k) -> (m, n)>

// Left alone: mixed operand types, another body, a transposed A, tensors,
// and a bf16 product accumulated in bf16.
// CHECK-LABEL: func.func @not_products
//   CHECK-NOT: gpu.launch
//       CHECK: linalg.fill
// CHECK-COUNT-5: linalg.generic
//   CHECK-NOT: gpu.launch
func.func @not_products(%x: memref<?x?xf32>, %wb: memref<?x?xbf16>,
                        %w: memref<?x?xf32>, %y: memref<?x?xf32>,
                        %t: tensor<?x?xf32>, %u: tensor<?x?xf32>,
                        %xb: memref<?x?xbf16>, %yb: memref<?x?xbf16>) -> tensor<?x?xf32> {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%y : memref<?x?xf32>)
  linalg.generic {indexing_maps = [#mA, #mBt, #mC],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %wb : memref<?x?xf32>, memref<?x?xbf16>) outs(%y : memref<?x?xf32>) {
  ^bb0(%a: f32, %b: bf16, %c: f32):
    %be = arith.extf %b : bf16 to f32
    %p = arith.mulf %a, %be : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#mA, #mBt, #mC],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<?x?xf32>, memref<?x?xf32>) outs(%y : memref<?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.subf %a, %b : f32
    %q = arith.mulf %p, %p : f32
    %s = arith.addf %c, %q : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#mAt, #mBt, #mC],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<?x?xf32>, memref<?x?xf32>) outs(%y : memref<?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  }
  %r = linalg.generic {indexing_maps = [#mA, #mBt, #mC],
                       iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%t, %t : tensor<?x?xf32>, tensor<?x?xf32>) outs(%u : tensor<?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<?x?xf32>
  linalg.generic {indexing_maps = [#mA, #mBt, #mC],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%xb, %xb : memref<?x?xbf16>, memref<?x?xbf16>) outs(%yb : memref<?x?xbf16>) {
  ^bb0(%a: bf16, %b: bf16, %c: bf16):
    %p = arith.mulf %a, %b : bf16
    %s = arith.addf %c, %p : bf16
    linalg.yield %s : bf16
  }
  return %r : tensor<?x?xf32>
}
