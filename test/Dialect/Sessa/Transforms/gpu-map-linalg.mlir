// sessa-gpu-map-linalg: every host linalg op on memrefs becomes a 1-D
// gpu.launch of 256 threads running the op's own payload:
// - no reduction: one thread per point (innermost loop fastest), grid-stride;
//   with a static innermost size and contiguous operands, one thread per
//   chunk of 16 bytes (see @bias_residual_bf16);
// - one innermost contiguous reduction combined by addf / maximumf: one warp
//   per output element, lanes stride the row, shuffle-xor butterfly, lane 0
//   adds the initial value and stores;
// - other reductions (e.g. a plain matmul): one thread per output element,
//   the reduction loop inside.

// RUN: sessa-opt %s --split-input-file --sessa-gpu-map-linalg --canonicalize --cse | FileCheck %s
// RUN: sessa-opt %s --split-input-file --sessa-gpu-map-linalg="block-size=128 max-blocks=7" --canonicalize | FileCheck %s --check-prefix=OPTS
// Nothing is left on the host.
// RUN: sessa-opt %s --split-input-file --sessa-gpu-map-linalg --sessa-gpu-check-host-access | FileCheck %s --check-prefix=HOST
// HOST-NOT: linalg.generic
// HOST-NOT: linalg.matmul
// HOST-NOT: linalg.copy

#id2 = affine_map<(i, j) -> (i, j)>
#col = affine_map<(i, j) -> (j)>
// CHECK-LABEL: func.func @elementwise_bf16(
// CHECK-SAME: %[[A:[^:]+]]: memref<?x?xf32>, %[[B:[^:]+]]: memref<?xbf16>, %[[C:[^:]+]]: memref<?x?xbf16>)
// CHECK-DAG: %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.+]] = arith.constant 1 : index
// CHECK-DAG: %[[C256:.+]] = arith.constant 256 : index
// CHECK-DAG: %[[MAXB:.+]] = arith.constant 65536 : index
// CHECK-DAG: %[[N:.+]] = memref.dim %[[A]], %[[C0]]
// CHECK-DAG: %[[M:.+]] = memref.dim %[[A]], %[[C1]]
// CHECK: %[[WORK:.+]] = arith.muli %[[N]], %[[M]] : index
// CHECK: %[[NB:.+]] = arith.ceildivui %[[WORK]], %[[C256]]
// CHECK: %[[NB1:.+]] = arith.maxui %[[NB]], %[[C1]]
// CHECK: %[[GRID:.+]] = arith.minui %[[NB1]], %[[MAXB]]
// CHECK: gpu.launch blocks(%[[BX:[^,]+]], %{{.+}}, %{{.+}}) in (%[[GX:[^ ]+]] = %[[GRID]], %{{.+}} = %[[C1]], %{{.+}} = %[[C1]]) threads(%[[TX:[^,]+]], %{{.+}}, %{{.+}}) in (%[[BDX:[^ ]+]] = %[[C256]], %{{.+}} = %[[C1]], %{{.+}} = %[[C1]])
// CHECK: %[[BOFF:.+]] = arith.muli %[[BX]], %[[BDX]]
// CHECK: %[[START:.+]] = arith.addi %[[BOFF]], %[[TX]]
// CHECK: %[[STRIDE:.+]] = arith.muli %[[GX]], %[[BDX]]
// CHECK: scf.for %[[L:.+]] = %[[START]] to %[[WORK]] step %[[STRIDE]] {
// Innermost index fastest: neighbouring threads, neighbouring elements.
// CHECK: %[[J:.+]] = arith.remui %[[L]], %[[M]]
// CHECK: %[[I:.+]] = arith.divui %[[L]], %[[M]]
// CHECK: %[[X:.+]] = memref.load %[[A]][%[[I]], %[[J]]] : memref<?x?xf32>
// CHECK: %[[Y:.+]] = memref.load %[[B]][%[[J]]] : memref<?xbf16>
// CHECK: %[[YE:.+]] = arith.extf %[[Y]] : bf16 to f32
// CHECK: %[[S:.+]] = arith.addf %[[X]], %[[YE]] : f32
// CHECK: %[[ST:.+]] = arith.truncf %[[S]] : f32 to bf16
// CHECK: memref.store %[[ST]], %[[C]][%[[I]], %[[J]]] : memref<?x?xbf16>
// CHECK: gpu.terminator
// CHECK: } {sessa.gpu_kernel = "elementwise"}
// CHECK-NOT: linalg.generic
// OPTS-LABEL: func.func @elementwise_bf16(
// OPTS-DAG: arith.constant 128 : index
// OPTS-DAG: arith.constant 7 : index
// OPTS: gpu.launch
func.func @elementwise_bf16(%a: memref<?x?xf32>, %b: memref<?xbf16>, %c: memref<?x?xbf16>) {
  linalg.generic {indexing_maps = [#id2, #col, #id2], iterator_types = ["parallel", "parallel"]}
    ins(%a, %b : memref<?x?xf32>, memref<?xbf16>) outs(%c : memref<?x?xbf16>) {
  ^bb0(%x: f32, %y: bf16, %o: bf16):
    %e = arith.extf %y : bf16 to f32
    %s = arith.addf %x, %e : f32
    %t = arith.truncf %s : f32 to bf16
    linalg.yield %t : bf16
  }
  return
}

// -----

// The output bias and residual of the bf16 layer (y = x + (acc + b)): the
// innermost size is static (1024), every operand it indexes is an identity-
// layout buffer indexed by it last: one thread per chunk of 8 points
// (16 bytes of bf16; the f32 accumulator moves 32 bytes), each such operand
// one vector load, the payload 8 times in registers, one 16-byte store.
// A per-row scale (indexed by i only) is loaded once a chunk. Buffers not
// 16-byte aligned at run time take the one-point-a-thread loop.
#id2 = affine_map<(i, j) -> (i, j)>
#col = affine_map<(i, j) -> (j)>
#row = affine_map<(i, j) -> (i)>
// CHECK-LABEL: func.func @bias_residual_bf16(
// CHECK-SAME: %[[ACC:[^:]+]]: memref<?x1024xf32>, %[[B:[^:]+]]: memref<1024xbf16>, %[[X:[^:]+]]: memref<?x1024xbf16>, %[[R:[^:]+]]: memref<?xf32>, %[[Y:[^:]+]]: memref<?x1024xbf16>)
// CHECK-DAG: %[[C8:.+]] = arith.constant 8 : index
// CHECK-DAG: %[[C16:.+]] = arith.constant 16 : index
// CHECK-DAG: %[[C256:.+]] = arith.constant 256 : index
// CHECK: %[[WORK:.+]] = arith.muli %{{.+}}, %{{.+}} : index
// CHECK: %[[CHUNKS:.+]] = arith.divui %[[WORK]], %[[C8]] : index
// CHECK: %[[NB:.+]] = arith.ceildivui %[[CHUNKS]], %[[C256]]
// CHECK: gpu.launch
// CHECK: memref.extract_aligned_pointer_as_index %[[ACC]]
// CHECK: memref.extract_aligned_pointer_as_index %[[B]]
// CHECK: memref.extract_aligned_pointer_as_index %[[X]]
// CHECK: memref.extract_aligned_pointer_as_index %[[Y]]
// CHECK-NOT: extract_aligned_pointer_as_index %[[R]]
// CHECK: %[[OK:.+]] = arith.andi
// CHECK: scf.if %[[OK]] {
// CHECK: scf.for %[[Q:.+]] = %{{.+}} to %[[CHUNKS]] step
// CHECK: %[[FIRST:.+]] = arith.muli %[[Q]], %[[C8]] : index
// CHECK: %[[J:.+]] = arith.remui %[[FIRST]], %{{.+}} : index
// CHECK: %[[I:.+]] = arith.divui %[[FIRST]], %{{.+}} : index
// CHECK: %[[VA:.+]] = vector.load %[[ACC]][%[[I]], %[[J]]] {alignment = 16 : i64} : memref<?x1024xf32>, vector<8xf32>
// CHECK: %[[A0:.+]] = vector.extract %[[VA]][0] : f32 from vector<8xf32>
// CHECK: %[[VB:.+]] = vector.load %[[B]][%[[J]]] {alignment = 16 : i64} : memref<1024xbf16>, vector<8xbf16>
// CHECK: %[[B0:.+]] = vector.extract %[[VB]][0] : bf16 from vector<8xbf16>
// CHECK: %[[VX:.+]] = vector.load %[[X]][%[[I]], %[[J]]] {alignment = 16 : i64} : memref<?x1024xbf16>, vector<8xbf16>
// CHECK: %[[X0:.+]] = vector.extract %[[VX]][0] : bf16 from vector<8xbf16>
// CHECK: %[[SR:.+]] = memref.load %[[R]][%[[I]]] : memref<?xf32>
// CHECK-NOT: vector.load
// CHECK: %[[BE:.+]] = arith.extf %[[B0]] : bf16 to f32
// CHECK: %[[S0:.+]] = arith.addf %[[A0]], %[[BE]] : f32
// CHECK: %[[XE:.+]] = arith.extf %[[X0]] : bf16 to f32
// CHECK: %[[M0:.+]] = arith.mulf %[[XE]], %[[SR]] : f32
// CHECK: %[[Y0:.+]] = arith.addf %[[S0]], %[[M0]] : f32
// CHECK: %[[T0:.+]] = arith.truncf %[[Y0]] : f32 to bf16
// CHECK-COUNT-7: arith.truncf
// CHECK: %[[V:.+]] = vector.from_elements %[[T0]], %{{.+}} : vector<8xbf16>
// CHECK: vector.store %[[V]], %[[Y]][%[[I]], %[[J]]] {alignment = 16 : i64} : memref<?x1024xbf16>, vector<8xbf16>
// CHECK: } else {
// CHECK: scf.for %[[L:.+]] = %{{.+}} to %[[WORK]] step
// CHECK: memref.load %[[ACC]]
// CHECK: memref.store %{{.+}}, %[[Y]]
// CHECK: {sessa.gpu_kernel = "elementwise_vector"}
func.func @bias_residual_bf16(%acc: memref<?x1024xf32>, %b: memref<1024xbf16>, %x: memref<?x1024xbf16>, %r: memref<?xf32>, %y: memref<?x1024xbf16>) {
  linalg.generic {indexing_maps = [#id2, #col, #id2, #row, #id2], iterator_types = ["parallel", "parallel"]}
    ins(%acc, %b, %x, %r : memref<?x1024xf32>, memref<1024xbf16>, memref<?x1024xbf16>, memref<?xf32>) outs(%y : memref<?x1024xbf16>) {
  ^bb0(%a: f32, %bb: bf16, %xx: bf16, %rr: f32, %o: bf16):
    %be = arith.extf %bb : bf16 to f32
    %s = arith.addf %a, %be : f32
    %xe = arith.extf %xx : bf16 to f32
    %m = arith.mulf %xe, %rr : f32
    %t = arith.addf %s, %m : f32
    %tt = arith.truncf %t : f32 to bf16
    linalg.yield %tt : bf16
  }
  return
}

// -----

// Not vectorized: the innermost loop indexes an operand through a
// non-innermost position (a transpose), or the innermost size is not static.
// CHECK-LABEL: func.func @no_chunks(
// CHECK: {sessa.gpu_kernel = "elementwise"}
// CHECK: {sessa.gpu_kernel = "elementwise"}
// CHECK-NOT: vector.load
func.func @no_chunks(%a: memref<64x64xf32>, %o: memref<64x64xf32>, %d: memref<?x?xf32>, %e: memref<?x?xf32>) {
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (j, i)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}
    ins(%a : memref<64x64xf32>) outs(%o : memref<64x64xf32>) {
  ^bb0(%x: f32, %y: f32):
    linalg.yield %x : f32
  }
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}
    ins(%d : memref<?x?xf32>) outs(%e : memref<?x?xf32>) {
  ^bb0(%x: f32, %y: f32):
    %s = arith.mulf %x, %x : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A constant indexing map (gamma_bias in the decomposed layer), a scalar
// input by value, and linalg.index.
#id1 = affine_map<(i) -> (i)>
#at0 = affine_map<(i) -> (0)>
// CHECK-LABEL: func.func @constant_map_index(
// CHECK-SAME: %[[D:[^:]+]]: memref<?xf32>, %[[G:[^:]+]]: memref<1xf32>, %[[S:[^:]+]]: f32, %[[O:[^:]+]]: memref<?xf32>)
// CHECK: gpu.launch
// CHECK: scf.for %[[L:[^ ]+]] =
// CHECK-DAG: %[[DV:.+]] = memref.load %[[D]][%[[L]]] : memref<?xf32>
// CHECK-DAG: %[[GV:.+]] = memref.load %[[G]][%[[Z:.+]]] : memref<1xf32>
// CHECK: arith.addf %[[DV]], %[[GV]]
// CHECK: arith.index_cast %[[L]] : index to i64
// CHECK: arith.mulf %{{.+}}, %[[S]]
// CHECK: memref.store %{{.+}}, %[[O]][%[[L]]]
// CHECK: {sessa.gpu_kernel = "elementwise"}
func.func @constant_map_index(%d: memref<?xf32>, %g: memref<1xf32>, %s: f32, %o: memref<?xf32>) {
  linalg.generic {indexing_maps = [#id1, #at0, affine_map<(i) -> ()>, #id1], iterator_types = ["parallel"]}
    ins(%d, %g, %s : memref<?xf32>, memref<1xf32>, f32) outs(%o : memref<?xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32, %out: f32):
    %a = arith.addf %x, %y : f32
    %i = linalg.index 0 : index
    %ii = arith.index_cast %i : index to i64
    %f = arith.sitofp %ii : i64 to f32
    %m = arith.mulf %f, %z : f32
    %r = arith.addf %a, %m : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// A row sum (LayerNorm): one warp per row.
#id2 = affine_map<(i, j) -> (i, j)>
#row = affine_map<(i, j) -> (i)>
// CHECK-LABEL: func.func @row_sum(
// CHECK-SAME: %[[X:[^:]+]]: memref<?x?xf32>, %[[OUT:[^:]+]]: memref<?xf32>)
// CHECK-DAG: %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.+]] = arith.constant 1 : index
// CHECK-DAG: %[[C8:.+]] = arith.constant 8 : index
// CHECK-DAG: %[[C32:.+]] = arith.constant 32 : index
// CHECK-DAG: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[ROWS:.+]] = memref.dim %[[X]], %[[C0]]
// CHECK-DAG: %[[WIDTH:.+]] = memref.dim %[[X]], %[[C1]]
// Eight warps of a 256-thread block: rows / 8 blocks.
// CHECK: arith.ceildivui %[[ROWS]], %[[C8]]
// CHECK: gpu.launch blocks(%[[BX:[^,]+]], %{{.+}}, %{{.+}}) in (%[[GX:[^ ]+]] = %{{.+}}, %{{.+}} = %[[C1]], %{{.+}} = %[[C1]]) threads(%[[TX:[^,]+]], %{{.+}}, %{{.+}}) in (%[[BDX:[^ ]+]] = %{{.+}}, %{{.+}} = %[[C1]], %{{.+}} = %[[C1]])
// CHECK: %[[GT:.+]] = arith.addi %{{.+}}, %[[TX]]
// CHECK: %[[WARP:.+]] = arith.divui %[[GT]], %[[C32]]
// CHECK: %[[LANE:.+]] = arith.remui %[[TX]], %[[C32]]
// CHECK: %[[NW:.+]] = arith.divui %{{.+}}, %[[C32]]
// CHECK: scf.for %[[R:.+]] = %[[WARP]] to %[[ROWS]] step %[[NW]] {
// CHECK: %[[PART:.+]] = scf.for %[[K:.+]] = %[[LANE]] to %[[WIDTH]] step %[[C32]] iter_args(%[[ACC:.+]] = %[[ZERO]]) -> (f32) {
// CHECK: %[[V:.+]] = memref.load %[[X]][%[[R]], %[[K]]]
// CHECK: %[[NEXT:.+]] = arith.addf %[[ACC]], %[[V]] : f32
// CHECK: scf.yield %[[NEXT]] : f32
// CHECK: gpu.shuffle xor %[[PART]], %{{.+}}, %{{.+}} : f32
// CHECK-COUNT-4: gpu.shuffle xor
// CHECK: %[[TOT:.+]] = arith.addf
// CHECK: %[[FIRST:.+]] = arith.cmpi eq, %[[LANE]], %[[C0]]
// CHECK: scf.if %[[FIRST]] {
// CHECK: %[[OLD:.+]] = memref.load %[[OUT]][%[[R]]]
// CHECK: %[[NEW:.+]] = arith.addf %[[OLD]], %[[TOT]]
// CHECK: memref.store %[[NEW]], %[[OUT]][%[[R]]]
// CHECK: {sessa.gpu_kernel = "warp_reduction"}
func.func @row_sum(%x: memref<?x?xf32>, %out: memref<?xf32>) {
  linalg.generic {indexing_maps = [#id2, #row], iterator_types = ["parallel", "reduction"]}
    ins(%x : memref<?x?xf32>) outs(%out : memref<?xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %o, %a : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A row max and the decomposed layer's projection, x W^T (contiguous in k
// for both operands): warp reductions; the max starts from -inf.
#ma = affine_map<(m, n, k) -> (m, k)>
#mb = affine_map<(m, n, k) -> (n, k)>
#mc = affine_map<(m, n, k) -> (m, n)>
#id2 = affine_map<(i, j) -> (i, j)>
#row = affine_map<(i, j) -> (i)>
// CHECK-LABEL: func.func @row_max(
// CHECK: %[[NINF:.+]] = arith.constant 0xFF800000 : f32
// CHECK: scf.for {{.+}} iter_args(%{{.+}} = %[[NINF]]) -> (f32)
// CHECK: arith.maximumf
// CHECK: gpu.shuffle xor
// CHECK: {sessa.gpu_kernel = "warp_reduction"}
func.func @row_max(%x: memref<4x100xf32>, %out: memref<4xf32>) {
  linalg.generic {indexing_maps = [#id2, #row], iterator_types = ["parallel", "reduction"]}
    ins(%x : memref<4x100xf32>) outs(%out : memref<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.maximumf %a, %o : f32
    linalg.yield %s : f32
  }
  return
}
// CHECK-LABEL: func.func @matmul_transpose_b(
// CHECK-SAME: %[[A:[^:]+]]: memref<?x64xbf16>, %[[W:[^:]+]]: memref<32x64xbf16>, %[[C:[^:]+]]: memref<?x32xf32>)
// CHECK: gpu.launch
// CHECK: scf.for %[[ROW:[^ ]+]] =
// CHECK: %[[N:.+]] = arith.remui %[[ROW]], %{{.+}}
// CHECK: %[[M:.+]] = arith.divui %[[ROW]], %{{.+}}
// CHECK: scf.for %[[K:[^ ]+]] =
// CHECK-DAG: memref.load %[[A]][%[[M]], %[[K]]] : memref<?x64xbf16>
// CHECK-DAG: memref.load %[[W]][%[[N]], %[[K]]] : memref<32x64xbf16>
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: memref.store %{{.+}}, %[[C]][%[[M]], %[[N]]]
// CHECK: {sessa.gpu_kernel = "warp_reduction"}
func.func @matmul_transpose_b(%a: memref<?x64xbf16>, %w: memref<32x64xbf16>, %c: memref<?x32xf32>) {
  linalg.generic {indexing_maps = [#ma, #mb, #mc], iterator_types = ["parallel", "parallel", "reduction"]}
    ins(%a, %w : memref<?x64xbf16>, memref<32x64xbf16>) outs(%c : memref<?x32xf32>) {
  ^bb0(%x: bf16, %y: bf16, %acc: f32):
    %xe = arith.extf %x : bf16 to f32
    %ye = arith.extf %y : bf16 to f32
    %p = arith.mulf %xe, %ye : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A plain matmul (k is not the contiguous index of B) after the linalg.fill
// of its output, and a strided linalg.copy: the reduction runs inside one
// thread per output, starting from the fill's value (the fill, which the
// matmul overwrites entirely, gets no kernel of its own); the copy (rows
// contiguous in both) is a row copy.
// CHECK-LABEL: func.func @matmul_fill_copy(
// CHECK-SAME: %[[A:[^:]+]]: memref<8x16xf32>, %[[B:[^:]+]]: memref<16x4xf32>, %[[C:[^:]+]]: memref<8x4xf32>, %[[V:[^:]+]]: memref<2x4xf32, strided<[4, 1], offset: 4>>, %[[D:[^:]+]]: memref<2x4xf32>)
// CHECK-DAG: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.+]] = arith.constant 1 : index
// CHECK-DAG: %[[C16:.+]] = arith.constant 16 : index
// CHECK-NOT: linalg.fill
// CHECK-NOT: "elementwise"
// CHECK: gpu.launch
// CHECK: scf.for %[[L:[^ ]+]] =
// CHECK: %[[J:.+]] = arith.remui %[[L]]
// CHECK: %[[I:.+]] = arith.divui %[[L]]
// CHECK-NOT: memref.load %[[C]]
// CHECK: %[[SUM:.+]] = scf.for %[[K:.+]] = %[[C0]] to %[[C16]] step %[[C1]] iter_args(%[[ACC:.+]] = %[[ZERO]]) -> (f32) {
// CHECK-DAG: memref.load %[[A]][%[[I]], %[[K]]]
// CHECK-DAG: memref.load %[[B]][%[[K]], %[[J]]]
// CHECK: arith.mulf
// CHECK: %[[NEXT:.+]] = arith.addf %[[ACC]], %{{.+}}
// CHECK: scf.yield %[[NEXT]]
// CHECK: memref.store %[[SUM]], %[[C]][%[[I]], %[[J]]]
// CHECK: {sessa.gpu_kernel = "thread_per_output"}
// CHECK: gpu.launch
// CHECK: memref.reinterpret_cast %[[V]]
// CHECK: memref.reinterpret_cast %[[D]]
// CHECK: vector.load {{.*}} vector<4xf32>
// CHECK: vector.store
// CHECK: {sessa.gpu_kernel = "row_copy"}
func.func @matmul_fill_copy(%a: memref<8x16xf32>, %b: memref<16x4xf32>, %c: memref<8x4xf32>,
                            %v: memref<2x4xf32, strided<[4, 1], offset: 4>>, %d: memref<2x4xf32>) {
  %z = arith.constant 0.0 : f32
  linalg.fill ins(%z : f32) outs(%c : memref<8x4xf32>)
  linalg.matmul ins(%a, %b : memref<8x16xf32>, memref<16x4xf32>) outs(%c : memref<8x4xf32>)
  linalg.copy ins(%v : memref<2x4xf32, strided<[4, 1], offset: 4>>) outs(%d : memref<2x4xf32>)
  return
}

// -----

// A fill that the next op only reads (a copy out of it), or that is not
// right before the op writing its buffer, keeps its own kernel.
// CHECK-LABEL: func.func @fill_kept(
// CHECK-SAME: %[[C:[^:]+]]: memref<8x4xf32>, %[[D:[^:]+]]: memref<8x4xf32>, %[[E:[^:]+]]: memref<8x4xf32>)
// CHECK: gpu.launch
// CHECK: memref.store %{{.+}}, %[[C]]
// CHECK: {sessa.gpu_kernel = "elementwise"}
// CHECK: gpu.launch
// CHECK: {sessa.gpu_kernel = "row_copy"}
// CHECK: gpu.launch
// CHECK: memref.store %{{.+}}, %[[E]]
// CHECK: {sessa.gpu_kernel = "elementwise"}
// CHECK: gpu.launch
// CHECK: vector.load %[[E]]
// CHECK: memref.load %[[E]]
// CHECK: {sessa.gpu_kernel = "elementwise_vector"}
func.func @fill_kept(%c: memref<8x4xf32>, %d: memref<8x4xf32>, %e: memref<8x4xf32>) {
  %z = arith.constant 1.0 : f32
  linalg.fill ins(%z : f32) outs(%c : memref<8x4xf32>)
  linalg.copy ins(%c : memref<8x4xf32>) outs(%d : memref<8x4xf32>)
  linalg.fill ins(%z : f32) outs(%e : memref<8x4xf32>)
  %k = arith.constant 2.0 : f32
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}
    ins(%c : memref<8x4xf32>) outs(%e : memref<8x4xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %acc, %x : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Linalg already inside a kernel, and linalg on tensors in a function that
// has no buffers, are not touched (only host ops on memrefs are).
// CHECK-LABEL: func.func @inside_launch(
// CHECK: gpu.launch
// CHECK: linalg.fill
// CHECK-NOT: gpu.launch
func.func @inside_launch(%m: memref<4xf32>) {
  %c1 = arith.constant 1 : index
  %z = arith.constant 0.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    linalg.fill ins(%z : f32) outs(%m : memref<4xf32>)
    gpu.terminator
  }
  return
}

// -----

// A rank-0 fill (one point) and a generic with two outputs, two reduction
// loops and linalg.index: one thread per output, nested loops carrying both
// outputs.
// CHECK-LABEL: func.func @rank0(
// CHECK-SAME: %[[M:[^:]+]]: memref<f32>, %[[S:[^:]+]]: f32)
// CHECK: gpu.launch
// CHECK: scf.for
// CHECK: memref.store %[[S]], %[[M]][] : memref<f32>
// CHECK: {sessa.gpu_kernel = "elementwise"}
func.func @rank0(%m: memref<f32>, %s: f32) {
  linalg.fill ins(%s : f32) outs(%m : memref<f32>)
  return
}
// CHECK-LABEL: func.func @two_outputs(
// CHECK-SAME: %[[X:[^:]+]]: memref<?x?x?xf32>, %[[SUM:[^:]+]]: memref<?xf32>, %[[MAX:[^:]+]]: memref<?xf32>)
// CHECK: gpu.launch
// CHECK: scf.for %[[I:[^ ]+]] =
// CHECK-DAG: %[[S0:.+]] = memref.load %[[SUM]][%[[I]]]
// CHECK-DAG: %[[M0:.+]] = memref.load %[[MAX]][%[[I]]]
// CHECK: %[[R:.+]]:2 = scf.for %[[J:[^ ]+]] = {{.+}} iter_args(%[[A1:[^ ]+]] = %[[S0]], %[[B1:[^ ]+]] = %[[M0]]) -> (f32, f32) {
// CHECK: scf.for %[[K:[^ ]+]] = {{.+}} iter_args(%[[A2:[^ ]+]] = %[[A1]], %[[B2:[^ ]+]] = %[[B1]]) -> (f32, f32) {
// CHECK: %[[V:.+]] = memref.load %[[X]][%[[I]], %[[J]], %[[K]]]
// CHECK: arith.index_cast %[[J]] : index to i32
// CHECK: arith.addf %[[A2]],
// CHECK: arith.maximumf %[[B2]], %[[V]]
// CHECK: memref.store %[[R]]#0, %[[SUM]][%[[I]]]
// CHECK: memref.store %[[R]]#1, %[[MAX]][%[[I]]]
// CHECK: {sessa.gpu_kernel = "thread_per_output"}
func.func @two_outputs(%x: memref<?x?x?xf32>, %s: memref<?xf32>, %mx: memref<?xf32>) {
  linalg.generic {indexing_maps = [affine_map<(i, j, k) -> (i, j, k)>, affine_map<(i, j, k) -> (i)>, affine_map<(i, j, k) -> (i)>],
                  iterator_types = ["parallel", "reduction", "reduction"]}
    ins(%x : memref<?x?x?xf32>) outs(%s, %mx : memref<?xf32>, memref<?xf32>) {
  ^bb0(%a: f32, %o: f32, %p: f32):
    %j = linalg.index 1 : index
    %ji = arith.index_cast %j : index to i32
    %jf = arith.sitofp %ji : i32 to f32
    %t = arith.mulf %a, %jf : f32
    %r = arith.addf %o, %t : f32
    %q = arith.maximumf %p, %a : f32
    linalg.yield %r, %q : f32, f32
  }
  return
}
