// sessa-gpu-map-linalg fuses a chain of generics over the same [M, W] rows
// (row reductions over the innermost dimension with a fill as starting
// value, elementwise ops on the rows, on per-row values and on per-column
// vectors) into one kernel: one block a row (grid-stride over the rows),
// W / T columns per thread (column = tid + k*T; or, when W is a multiple of
// 32 V for V = 16 bytes of the widest element the chain moves through
// memory by columns, runs of V consecutive columns moved as one vector when
// the buffers are aligned at run time), intermediates in registers,
// each reduction a shuffle-xor butterfly plus one shared-memory step across
// the warps. Only intermediates used after the chain are stored.

// RUN: sessa-opt %s --split-input-file --sessa-gpu-map-linalg --canonicalize --cse | FileCheck %s
// RUN: sessa-opt %s --split-input-file --sessa-gpu-map-linalg="fuse-rows=false" --canonicalize | FileCheck %s --check-prefix=NOFUSE
// RUN: sessa-opt %s --split-input-file --sessa-gpu-map-linalg="block-size=32" --canonicalize --cse | FileCheck %s --check-prefix=ONEWARP

#id2 = affine_map<(i, j) -> (i, j)>
#id3 = affine_map<(b, t, j) -> (b, t, j)>
#row = affine_map<(i, j) -> (i)>
#col = affine_map<(i, j) -> (j)>
#id1 = affine_map<(i) -> (i)>
// LayerNorm of bf16 rows of W = 64 (T = 64 threads, one column each, 2 warps):
// x is widened once, the sum, the mean, the centered sum of squares and the
// normalized, scaled, shifted, narrowed row are one kernel; x in f32, the
// sums and the mean never reach memory (their buffers are gone).
// CHECK-LABEL: func.func @layer_norm(
// CHECK-SAME: %[[X:[^:]+]]: memref<?x?x64xbf16>, %[[W:[^:]+]]: memref<64xbf16>, %[[B:[^:]+]]: memref<64xbf16>, %[[U:[^:]+]]: memref<?x64xbf16> {llvm.noalias})
// CHECK-NOT: memref.alloc
// CHECK: %[[ROWS:.+]] = arith.muli
// CHECK: %[[GRID:.+]] = arith.minui
// CHECK: gpu.launch blocks(%[[BX:[^,]+]], %{{.+}}, %{{.+}}) in (%[[GX:[^ ]+]] = %[[GRID]], %{{.+}}) threads(%[[TX:[^,]+]], %{{.+}}, %{{.+}}) in (%{{.+}} = %c64, %{{.+}}) workgroup(%[[SMEM:.+]] : memref<4xf32, #gpu.address_space<workgroup>>)
// CHECK: %[[LANE:.+]] = arith.remui %[[TX]], %c32
// CHECK: %[[WID:.+]] = arith.divui %[[TX]], %c32
// CHECK: scf.for %[[R:.+]] = %[[BX]] to %[[ROWS]] step %[[GX]] {
// CHECK: %[[XB:.+]] = memref.load %[[X]][%{{.+}}, %{{.+}}, %[[TX]]] : memref<?x?x64xbf16>
// CHECK: %[[XF:.+]] = arith.extf %[[XB]] : bf16 to f32
// CHECK-NOT: memref.store
// CHECK: gpu.shuffle  xor %{{.+}}, %c16_i32, %c32_i32 : f32
// CHECK-COUNT-4: gpu.shuffle  xor
// CHECK: %[[FIRST:.+]] = arith.cmpi eq, %[[LANE]], %c0
// CHECK: scf.if %[[FIRST]] {
// CHECK: memref.store %{{.+}}, %[[SMEM]][%[[WID]]]
// CHECK: gpu.barrier
// CHECK: memref.load %[[SMEM]][%c0]
// CHECK: memref.load %[[SMEM]][%c1]
// CHECK: %[[MEAN:.+]] = arith.mulf %{{.+}}, %cst
// CHECK: %[[D:.+]] = arith.subf %[[XF]], %[[MEAN]] : f32
// CHECK: arith.mulf %[[D]], %[[D]]
// CHECK-COUNT-5: gpu.shuffle  xor
// CHECK: gpu.barrier
// CHECK: memref.load %[[SMEM]][%c2]
// CHECK: memref.load %[[SMEM]][%c3]
// CHECK: math.rsqrt
// CHECK: %[[OUT:.+]] = arith.truncf %{{.+}} : f32 to bf16
// CHECK: memref.store %[[OUT]], %[[U]][%[[R]], %[[TX]]] : memref<?x64xbf16>
// CHECK: gpu.barrier
// CHECK: } {sessa.gpu_kernel = "row_fusion"}
// CHECK-NOT: gpu.launch
// CHECK-NOT: linalg.
// Without fuse-rows: widen, fill-and-sum, mean, fill-and-square-sum,
// normalize: five kernels.
// NOFUSE-LABEL: func.func @layer_norm(
// NOFUSE-COUNT-5: gpu.launch
// NOFUSE-NOT: gpu.launch
// NOFUSE-NOT: row_fusion
// One warp a block: no shared memory, no barrier.
// ONEWARP-LABEL: func.func @layer_norm(
// ONEWARP: gpu.launch
// ONEWARP-SAME: in (%{{.+}} = %c32, %{{.+}})
// ONEWARP-NOT: workgroup
// ONEWARP-NOT: gpu.barrier
// ONEWARP: memref.load %{{.+}}[%{{.+}}, %{{.+}}, %{{.+}}] : memref<?x?x64xbf16>
// ONEWARP: memref.load %{{.+}}[%{{.+}}, %{{.+}}, %{{.+}}] : memref<?x?x64xbf16>
// ONEWARP-NOT: gpu.barrier
// ONEWARP: } {sessa.gpu_kernel = "row_fusion"}
func.func @layer_norm(%x: memref<?x?x64xbf16>, %w: memref<64xbf16>, %b: memref<64xbf16>, %u: memref<?x64xbf16> {llvm.noalias}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %inv = arith.constant 0.015625 : f32
  %eps = arith.constant 1.0e-5 : f32
  %d0 = memref.dim %x, %c0 : memref<?x?x64xbf16>
  %d1 = memref.dim %x, %c1 : memref<?x?x64xbf16>
  %xf = memref.alloc(%d0, %d1) : memref<?x?x64xf32>
  linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
    ins(%x : memref<?x?x64xbf16>) outs(%xf : memref<?x?x64xf32>) {
  ^bb0(%in: bf16, %o: f32):
    %e = arith.extf %in : bf16 to f32
    linalg.yield %e : f32
  }
  %rows = memref.collapse_shape %xf [[0, 1], [2]] : memref<?x?x64xf32> into memref<?x64xf32>
  %m = memref.dim %u, %c0 : memref<?x64xbf16>
  %sum = memref.alloc(%m) : memref<?xf32>
  linalg.fill ins(%zero : f32) outs(%sum : memref<?xf32>)
  linalg.generic {indexing_maps = [#id2, #row], iterator_types = ["parallel", "reduction"]}
    ins(%rows : memref<?x64xf32>) outs(%sum : memref<?xf32>) {
  ^bb0(%in: f32, %o: f32):
    %s = arith.addf %o, %in : f32
    linalg.yield %s : f32
  }
  %mean = memref.alloc(%m) : memref<?xf32>
  linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]}
    ins(%sum : memref<?xf32>) outs(%mean : memref<?xf32>) {
  ^bb0(%in: f32, %o: f32):
    %s = arith.mulf %in, %inv : f32
    linalg.yield %s : f32
  }
  %var = memref.alloc(%m) : memref<?xf32>
  linalg.fill ins(%zero : f32) outs(%var : memref<?xf32>)
  linalg.generic {indexing_maps = [#id2, #row, #row], iterator_types = ["parallel", "reduction"]}
    ins(%rows, %mean : memref<?x64xf32>, memref<?xf32>) outs(%var : memref<?xf32>) {
  ^bb0(%in: f32, %mu: f32, %o: f32):
    %d = arith.subf %in, %mu : f32
    %sq = arith.mulf %d, %d : f32
    %s = arith.addf %o, %sq : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#id2, #row, #row, #col, #col, #id2], iterator_types = ["parallel", "parallel"]}
    ins(%rows, %mean, %var, %w, %b : memref<?x64xf32>, memref<?xf32>, memref<?xf32>, memref<64xbf16>, memref<64xbf16>)
    outs(%u : memref<?x64xbf16>) {
  ^bb0(%in: f32, %mu: f32, %v: f32, %wi: bf16, %bi: bf16, %o: bf16):
    %we = arith.extf %wi : bf16 to f32
    %be = arith.extf %bi : bf16 to f32
    %vm = arith.mulf %v, %inv : f32
    %ve = arith.addf %vm, %eps : f32
    %r = math.rsqrt %ve : f32
    %d = arith.subf %in, %mu : f32
    %n = arith.mulf %d, %r : f32
    %sc = arith.mulf %n, %we : f32
    %sh = arith.addf %sc, %be : f32
    %t = arith.truncf %sh : f32 to bf16
    linalg.yield %t : bf16
  }
  return
}

// -----

#id2 = affine_map<(i, j) -> (i, j)>
#row = affine_map<(i, j) -> (i)>
#col = affine_map<(i, j) -> (j)>
#id1 = affine_map<(i) -> (i)>
#first = affine_map<(i) -> (0)>
#id3 = affine_map<(b, t, j) -> (b, t, j)>
// The gate gamma = 0.999 tanh(bias + a . ctx) on W = 1024 bf16 columns:
// one warp a row (32 lanes of 32 columns: no shared memory, no barrier),
// a lane's columns in 4 runs of 8 (run j at column (lane + 32 j) * 8), so
// that the bf16 rows in memory move as 16-byte vectors, 4 loads in flight a
// lane, when both buffers are 16-byte aligned at run time (otherwise the
// same kernel with scalar loads). The widened context vector (a column
// vector) is computed once before the rows, the dot product, tanh and the
// cast to bf16 (through an expand_shape) are one kernel; lane 0 stores the
// gate.
// CHECK-LABEL: func.func @gate(
// CHECK-SAME: %[[A:[^:]+]]: memref<?x1024xbf16>, %[[CTX:[^:]+]]: memref<1x1024xbf16>, %[[BIAS:[^:]+]]: memref<1xbf16>, %[[G:[^:]+]]: memref<?x?x1xbf16> {llvm.noalias})
// CHECK-NOT: memref.alloc
// CHECK: gpu.launch
// CHECK-SAME: in (%{{.+}} = %c32, %{{.+}}) {
// CHECK: %[[C0:.+]] = arith.muli %[[TX:.+]], %c8
// CHECK: %[[C1:.+]] = arith.addi %[[C0]], %c1
// CHECK: %[[RUN1:.+]] = arith.addi %[[TX]], %c32
// CHECK: %[[C8:.+]] = arith.muli %[[RUN1]], %c8
// CHECK: %[[RUN3:.+]] = arith.addi %[[TX]], %c96
// CHECK: %[[C24:.+]] = arith.muli %[[RUN3]], %c8
// CHECK: %[[C31:.+]] = arith.addi %[[C24]], %c7
// CHECK: memref.extract_aligned_pointer_as_index %[[CTX]]
// CHECK: memref.extract_aligned_pointer_as_index %[[A]]
// CHECK: %[[OK:.+]] = arith.andi
// CHECK: scf.if %[[OK]] {
// CHECK: vector.load %[[CTX]][%c0, %[[C0]]] {alignment = 16 : i64} : memref<1x1024xbf16>, vector<8xbf16>
// CHECK: vector.load %[[CTX]][%c0, %[[C8]]] {alignment = 16 : i64} : memref<1x1024xbf16>, vector<8xbf16>
// CHECK: scf.for %[[R:.+]] = %{{.+}} to %{{.+}} step %{{.+}} {
// CHECK: vector.load %[[A]][%[[R]], %[[C0]]] {alignment = 16 : i64} : memref<?x1024xbf16>, vector<8xbf16>
// CHECK: vector.load %[[A]][%[[R]], %[[C8]]] {alignment = 16 : i64} : memref<?x1024xbf16>, vector<8xbf16>
// CHECK-COUNT-2: vector.load %[[A]]
// CHECK-NOT: vector.load
// CHECK-NOT: gpu.barrier
// CHECK-COUNT-5: gpu.shuffle  xor
// CHECK-NOT: gpu.barrier
// CHECK: memref.load %[[BIAS]][%c0]
// CHECK: math.tanh
// CHECK: %[[GB:.+]] = arith.truncf %{{.+}} : f32 to bf16
// CHECK: %[[T0:.+]] = arith.cmpi eq, %[[TX]], %c0
// CHECK: scf.if %[[T0]] {
// CHECK: memref.store %[[GB]], %[[G]][%{{.+}}, %{{.+}}, %c0] : memref<?x?x1xbf16>
// CHECK: } else {
// CHECK: memref.load %[[CTX]][%c0, %[[C0]]]
// CHECK: memref.load %[[CTX]][%c0, %[[C1]]]
// CHECK: scf.for %[[R2:.+]] = %{{.+}} to %{{.+}} step %{{.+}} {
// CHECK: memref.load %[[A]][%[[R2]], %[[C0]]]
// CHECK: memref.load %[[A]][%[[R2]], %[[C31]]]
// CHECK-NOT: memref.load %[[A]]
// CHECK: math.tanh
// CHECK: } {sessa.gpu_kernel = "row_fusion"}
// CHECK-NOT: gpu.launch
// Without fuse-rows: widen, fill-and-dot, tanh, cast: four kernels.
// NOFUSE-LABEL: func.func @gate(
// NOFUSE-COUNT-4: gpu.launch
// NOFUSE-NOT: gpu.launch
// NOFUSE-LABEL: func.func @stored_and_ended(
func.func @gate(%a: memref<?x1024xbf16>, %ctx: memref<1x1024xbf16>, %bias: memref<1xbf16>, %g: memref<?x?x1xbf16> {llvm.noalias}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %gmax = arith.constant 0.999 : f32
  %ctxf = memref.alloc() : memref<1x1024xf32>
  linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
    ins(%ctx : memref<1x1024xbf16>) outs(%ctxf : memref<1x1024xf32>) {
  ^bb0(%in: bf16, %o: f32):
    %e = arith.extf %in : bf16 to f32
    linalg.yield %e : f32
  }
  %vec = memref.subview %ctxf[0, 0] [1, 1024] [1, 1] : memref<1x1024xf32> to memref<1024xf32, strided<[1]>>
  %m = memref.dim %a, %c0 : memref<?x1024xbf16>
  %dot = memref.alloc(%m) : memref<?xf32>
  linalg.fill ins(%zero : f32) outs(%dot : memref<?xf32>)
  linalg.generic {indexing_maps = [#id2, #col, #row], iterator_types = ["parallel", "reduction"]}
    ins(%a, %vec : memref<?x1024xbf16>, memref<1024xf32, strided<[1]>>) outs(%dot : memref<?xf32>) {
  ^bb0(%in: bf16, %k: f32, %o: f32):
    %e = arith.extf %in : bf16 to f32
    %p = arith.mulf %e, %k : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  %gf = memref.alloc(%m) : memref<?xf32>
  linalg.generic {indexing_maps = [#id1, #first, #id1], iterator_types = ["parallel"]}
    ins(%dot, %bias : memref<?xf32>, memref<1xbf16>) outs(%gf : memref<?xf32>) {
  ^bb0(%in: f32, %bi: bf16, %o: f32):
    %be = arith.extf %bi : bf16 to f32
    %s = arith.addf %in, %be : f32
    %t = math.tanh %s : f32
    %r = arith.mulf %t, %gmax : f32
    linalg.yield %r : f32
  }
  %b0 = memref.dim %g, %c0 : memref<?x?x1xbf16>
  %b1 = memref.dim %g, %c1 : memref<?x?x1xbf16>
  %g3 = memref.expand_shape %gf [[0, 1, 2]] output_shape [%b0, %b1, 1] : memref<?xf32> into memref<?x?x1xf32>
  linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
    ins(%g3 : memref<?x?x1xf32>) outs(%g : memref<?x?x1xbf16>) {
  ^bb0(%in: f32, %o: bf16):
    %t = arith.truncf %in : f32 to bf16
    linalg.yield %t : bf16
  }
  return
}

// -----

#id2 = affine_map<(i, j) -> (i, j)>
#row = affine_map<(i, j) -> (i)>
// An intermediate used after the chain is stored by the chain's kernel
// (each thread its columns); a copy (here: to the host) ends the chain.
// CHECK-LABEL: func.func @stored_and_ended(
// CHECK-SAME: %[[X:[^:]+]]: memref<?x64xf32>, %[[S:[^:]+]]: memref<?xf32>, %[[Y:[^:]+]]: memref<?x64xf32>, %[[Z:[^:]+]]: memref<?x64xf32>)
// CHECK: %[[SQ:.+]] = memref.alloc
// CHECK: %[[ACC:.+]] = memref.alloc
// CHECK: gpu.launch
// CHECK: memref.store %{{.+}}, %[[SQ]][%{{.+}}, %{{.+}}]
// CHECK: memref.store %{{.+}}, %[[ACC]][%{{.+}}]
// CHECK: } {sessa.gpu_kernel = "row_fusion"}
// CHECK: memref.copy %[[SQ]], %[[Y]]
// CHECK: memref.copy %[[ACC]], %[[S]]
// CHECK: gpu.launch
// CHECK: } {sessa.gpu_kernel = "elementwise_vector"}
func.func @stored_and_ended(%x: memref<?x64xf32>, %s: memref<?xf32>, %y: memref<?x64xf32>, %z: memref<?x64xf32>) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %m = memref.dim %x, %c0 : memref<?x64xf32>
  %sq = memref.alloc(%m) : memref<?x64xf32>
  linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
    ins(%x : memref<?x64xf32>) outs(%sq : memref<?x64xf32>) {
  ^bb0(%in: f32, %o: f32):
    %p = arith.mulf %in, %in : f32
    linalg.yield %p : f32
  }
  %acc = memref.alloc(%m) : memref<?xf32>
  linalg.fill ins(%zero : f32) outs(%acc : memref<?xf32>)
  linalg.generic {indexing_maps = [#id2, #row], iterator_types = ["parallel", "reduction"]}
    ins(%sq : memref<?x64xf32>) outs(%acc : memref<?xf32>) {
  ^bb0(%in: f32, %o: f32):
    %a = arith.addf %o, %in : f32
    linalg.yield %a : f32
  }
  memref.copy %sq, %y : memref<?x64xf32> to memref<?x64xf32>
  memref.copy %acc, %s : memref<?xf32> to memref<?xf32>
  linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
    ins(%sq : memref<?x64xf32>) outs(%z : memref<?x64xf32>) {
  ^bb0(%in: f32, %o: f32):
    %p = arith.addf %in, %in : f32
    linalg.yield %p : f32
  }
  return
}

// -----

#id2 = affine_map<(i, j) -> (i, j)>
#row = affine_map<(i, j) -> (i)>
#id1 = affine_map<(i) -> (i)>
// Not fused: rows of 48 columns (not a multiple of 32); an op over rows
// that reads no intermediate of the chain (nothing proves it has the same
// rows); a reduction that writes a function argument (it could alias an
// input of the chain).
// CHECK-LABEL: func.func @not_fused(
// CHECK-NOT: row_fusion
// CHECK: return
func.func @not_fused(%x: memref<?x48xf32>, %s: memref<?xf32>, %x2: memref<?x64xf32>, %t: memref<?xf32>, %o: memref<?xf32>, %p: memref<?xf32>) {
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  linalg.fill ins(%zero : f32) outs(%s : memref<?xf32>)
  linalg.generic {indexing_maps = [#id2, #row], iterator_types = ["parallel", "reduction"]}
    ins(%x : memref<?x48xf32>) outs(%s : memref<?xf32>) {
  ^bb0(%in: f32, %a: f32):
    %r = arith.addf %a, %in : f32
    linalg.yield %r : f32
  }
  %m = memref.dim %x2, %c0 : memref<?x64xf32>
  %t2 = memref.alloc(%m) : memref<?xf32>
  linalg.fill ins(%zero : f32) outs(%t2 : memref<?xf32>)
  linalg.generic {indexing_maps = [#id2, #row], iterator_types = ["parallel", "reduction"]}
    ins(%x2 : memref<?x64xf32>) outs(%t2 : memref<?xf32>) {
  ^bb0(%in: f32, %a: f32):
    %r = arith.addf %a, %in : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]}
    ins(%o : memref<?xf32>) outs(%p : memref<?xf32>) {
  ^bb0(%in: f32, %a: f32):
    %r = arith.mulf %in, %in : f32
    linalg.yield %r : f32
  }
  linalg.fill ins(%zero : f32) outs(%t : memref<?xf32>)
  linalg.generic {indexing_maps = [#id2, #row], iterator_types = ["parallel", "reduction"]}
    ins(%x2 : memref<?x64xf32>) outs(%t : memref<?xf32>) {
  ^bb0(%in: f32, %a: f32):
    %r = arith.addf %a, %in : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]}
    ins(%t : memref<?xf32>) outs(%p : memref<?xf32>) {
  ^bb0(%in: f32, %a: f32):
    %r = arith.mulf %in, %in : f32
    linalg.yield %r : f32
  }
  return
}

// -----

#id2 = affine_map<(i, j) -> (i, j)>
#row = affine_map<(i, j) -> (i)>
// W = 1088 = 34 warps: the most threads up to 256 that divide it are 64
// (17 columns each); with 32-thread blocks a thread would hold 34 columns,
// more than 32: the ops stay apart.
// CHECK-LABEL: func.func @wide_rows(
// CHECK: gpu.launch
// CHECK-SAME: in (%{{.+}} = %c64, %{{.+}})
// CHECK: } {sessa.gpu_kernel = "row_fusion"}
// ONEWARP-LABEL: func.func @wide_rows(
// ONEWARP-NOT: row_fusion
// ONEWARP: sessa.gpu_kernel = "elementwise_vector"
// ONEWARP: sessa.gpu_kernel = "warp_reduction"
// ONEWARP-NOT: row_fusion
func.func @wide_rows(%x: memref<?x1088xf32>, %s: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %m = memref.dim %x, %c0 : memref<?x1088xf32>
  %sq = memref.alloc(%m) : memref<?x1088xf32>
  linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
    ins(%x : memref<?x1088xf32>) outs(%sq : memref<?x1088xf32>) {
  ^bb0(%in: f32, %o: f32):
    %p = arith.mulf %in, %in : f32
    linalg.yield %p : f32
  }
  %acc = memref.alloc(%m) : memref<?xf32>
  linalg.fill ins(%zero : f32) outs(%acc : memref<?xf32>)
  linalg.generic {indexing_maps = [#id2, #row], iterator_types = ["parallel", "reduction"]}
    ins(%sq : memref<?x1088xf32>) outs(%acc : memref<?xf32>) {
  ^bb0(%in: f32, %o: f32):
    %a = arith.maximumf %o, %in : f32
    linalg.yield %a : f32
  }
  memref.copy %acc, %s : memref<?xf32> to memref<?xf32>
  return
}

// -----

#id2 = affine_map<(i, j) -> (i, j)>
#id3 = affine_map<(b, t, j) -> (b, t, j)>
// Elementwise ops over the same rows through a reshape (a residual add on
// [B*T, D], then the cast of the [B, T, D] result): one kernel, the sum in
// registers. The widest element accessed in memory is f32: runs of 4
// columns (16 bytes of f32, 8 of bf16), 32 threads a row.
// CHECK-LABEL: func.func @elementwise_through_reshape(
// CHECK-SAME: %[[A:[^:]+]]: memref<?x128xf32>, %[[X:[^:]+]]: memref<?x128xbf16>, %[[Y:[^:]+]]: memref<?x?x128xbf16> {llvm.noalias})
// CHECK-NOT: memref.alloc
// CHECK: gpu.launch
// CHECK-SAME: in (%{{.+}} = %c32, %{{.+}})
// CHECK-NOT: workgroup
// CHECK: %[[C0:.+]] = arith.muli %[[TX:.+]], %c4
// CHECK: scf.if
// CHECK: vector.load %[[A]][%{{.+}}, %[[C0]]] {alignment = 16 : i64} : memref<?x128xf32>, vector<4xf32>
// CHECK: vector.load %[[X]][%{{.+}}, %[[C0]]] {alignment = 8 : i64} : memref<?x128xbf16>, vector<4xbf16>
// CHECK: %[[S:.+]] = arith.addf
// CHECK: %[[T:.+]] = arith.truncf %[[S]]
// CHECK: %[[V:.+]] = vector.from_elements %[[T]], %{{.+}}, %{{.+}}, %{{.+}} : vector<4xbf16>
// CHECK: vector.store %[[V]], %[[Y]][%{{.+}}, %{{.+}}, %[[C0]]] {alignment = 8 : i64}
// CHECK: } else {
// CHECK: memref.load %[[A]]
// CHECK: memref.store %{{.+}}, %[[Y]]
// CHECK-NOT: gpu.barrier
// CHECK: } {sessa.gpu_kernel = "row_fusion"}
// CHECK-NOT: gpu.launch
// ONEWARP-LABEL: func.func @elementwise_through_reshape(
func.func @elementwise_through_reshape(%a: memref<?x128xf32>, %x: memref<?x128xbf16>, %y: memref<?x?x128xbf16> {llvm.noalias}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m = memref.dim %a, %c0 : memref<?x128xf32>
  %sum = memref.alloc(%m) : memref<?x128xf32>
  linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
    ins(%a, %x : memref<?x128xf32>, memref<?x128xbf16>) outs(%sum : memref<?x128xf32>) {
  ^bb0(%in: f32, %r: bf16, %o: f32):
    %e = arith.extf %r : bf16 to f32
    %s = arith.addf %in, %e : f32
    linalg.yield %s : f32
  }
  %b = memref.dim %y, %c0 : memref<?x?x128xbf16>
  %t = memref.dim %y, %c1 : memref<?x?x128xbf16>
  %s3 = memref.expand_shape %sum [[0, 1], [2]] output_shape [%b, %t, 128] : memref<?x128xf32> into memref<?x?x128xf32>
  linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
    ins(%s3 : memref<?x?x128xf32>) outs(%y : memref<?x?x128xbf16>) {
  ^bb0(%in: f32, %o: bf16):
    %tr = arith.truncf %in : f32 to bf16
    linalg.yield %tr : bf16
  }
  return
}
