// sessa-gpu-matmul fuses the elementwise consumer of a product's temporary C
// (bias add + cast, GELU then cast, bias + ReLU) into the GEMM kernel's
// epilogue: the kernel writes the consumer's output, the consumer generic
// and C's temporary (alloc, fill, dealloc) disappear. Not fused: a C with
// two readers, a non-elementwise reader, a column-broadcast input, a
// full-matrix input (residual), an
// output that may overlap the product's operands, fuse-epilogue=false.

// RUN: sessa-opt %s --split-input-file --sessa-gpu-matmul | FileCheck %s
// RUN: sessa-opt %s --split-input-file --sessa-gpu-matmul=fuse-epilogue=false \
// RUN: | FileCheck %s --check-prefix=NOFUSE

#mA = affine_map<(m, n, k) -> (m, k)>
#mB = affine_map<(m, n, k) -> (n, k)>
#mC = affine_map<(m, n, k) -> (m, n)>
#id = affine_map<(m, n) -> (m, n)>
#row = affine_map<(m, n) -> (n)>

// The layer's projection: bf16 product into an f32 temporary, then bias add
// and cast to bf16. The kernel loads bias[n] once per column it owns,
// applies the body per accumulator and stores bf16 pairs (one 4-byte store
// when D is dense and aligned, else scalar stores).
// CHECK-LABEL: func.func @bias_cast
//  CHECK-SAME: (%[[X:.*]]: memref<?x64xbf16>, %[[W:.*]]: memref<32x64xbf16>, %[[BIAS:.*]]: memref<32xbf16>, %[[Y:.*]]: memref<?x32xbf16> {llvm.noalias})
//   CHECK-NOT: memref.alloc
//   CHECK-NOT: linalg.fill
//       CHECK: memref.dim %[[Y]]
//       CHECK: gpu.launch
//       CHECK:   memref.extract_strided_metadata %[[X]]
//       CHECK:   memref.extract_strided_metadata %[[W]]
//       CHECK:   memref.extract_strided_metadata %[[Y]]
//       CHECK:   nvvm.mma.sync
//       CHECK:   memref.load %[[BIAS]][%{{.*}}] : memref<32xbf16>
//       CHECK:   scf.if
//       CHECK:     arith.extf %{{.*}} : bf16 to f32
//       CHECK:     arith.addf
//       CHECK:     arith.truncf %{{.*}} : f32 to bf16
//       CHECK:     vector.from_elements {{.*}} : vector<2xbf16>
//       CHECK:     vector.store {{.*}} {alignment = 4 : i64} : memref<?xbf16>, vector<2xbf16>
//       CHECK:   } else {
//       CHECK:     memref.store {{.*}} : memref<?xbf16>
//       CHECK:   gpu.terminator
//   CHECK-NOT: linalg.generic
//   CHECK-NOT: memref.dealloc
//       CHECK: return
// NOFUSE-LABEL: func.func @bias_cast
//       NOFUSE: memref.alloc
//       NOFUSE: gpu.launch
//       NOFUSE: linalg.generic
//       NOFUSE: memref.dealloc
func.func @bias_cast(%x: memref<?x64xbf16>, %w: memref<32x64xbf16>,
                     %bias: memref<32xbf16>, %y: memref<?x32xbf16> {llvm.noalias}) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %m = memref.dim %x, %c0 : memref<?x64xbf16>
  %c = memref.alloc(%m) : memref<?x32xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<?x32xf32>)
  linalg.generic {indexing_maps = [#mA, #mB, #mC],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<?x64xbf16>, memref<32x64xbf16>)
      outs(%c : memref<?x32xf32>) {
  ^bb0(%a: bf16, %b: bf16, %o: f32):
    %ae = arith.extf %a : bf16 to f32
    %be = arith.extf %b : bf16 to f32
    %p = arith.mulf %ae, %be : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#id, #row, #id],
                  iterator_types = ["parallel", "parallel"]}
      ins(%c, %bias : memref<?x32xf32>, memref<32xbf16>)
      outs(%y : memref<?x32xbf16>) {
  ^bb0(%v: f32, %bv: bf16, %unused: bf16):
    %bf = arith.extf %bv : bf16 to f32
    %r = arith.addf %v, %bf : f32
    %t = arith.truncf %r : f32 to bf16
    linalg.yield %t : bf16
  }
  memref.dealloc %c : memref<?x32xf32>
  return
}

// -----

#mA = affine_map<(m, n, k) -> (m, k)>
#mB = affine_map<(m, n, k) -> (n, k)>
#mC = affine_map<(m, n, k) -> (m, n)>
#id = affine_map<(m, n) -> (m, n)>

// A chain: GELU (f32 -> f32 temporary) then a cast to bf16 into a fresh
// buffer; both fuse, both temporaries disappear; the constants of the body
// are cloned into the kernel.
// CHECK-LABEL: func.func @gelu_then_cast
//       CHECK: %[[Y:.*]] = memref.alloc(%{{.*}}) : memref<?x128xbf16>
//   CHECK-NOT: memref.alloc
//       CHECK: gpu.launch
//       CHECK:   memref.extract_strided_metadata %[[Y]]
//       CHECK:   math.erf
//       CHECK:   arith.truncf %{{.*}} : f32 to bf16
//       CHECK:   vector.store
//       CHECK:   gpu.terminator
//   CHECK-NOT: linalg.generic
//       CHECK: return %[[Y]]
func.func @gelu_then_cast(%x: memref<?x64xbf16>, %w: memref<128x64xbf16>)
    -> memref<?x128xbf16> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %half = arith.constant 0.5 : f32
  %one = arith.constant 1.0 : f32
  %rs2 = arith.constant 0.707106769 : f32
  %m = memref.dim %x, %c0 : memref<?x64xbf16>
  %c = memref.alloc(%m) : memref<?x128xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<?x128xf32>)
  linalg.generic {indexing_maps = [#mA, #mB, #mC],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<?x64xbf16>, memref<128x64xbf16>)
      outs(%c : memref<?x128xf32>) {
  ^bb0(%a: bf16, %b: bf16, %o: f32):
    %ae = arith.extf %a : bf16 to f32
    %be = arith.extf %b : bf16 to f32
    %p = arith.mulf %ae, %be : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  %g = memref.alloc(%m) : memref<?x128xf32>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c : memref<?x128xf32>) outs(%g : memref<?x128xf32>) {
  ^bb0(%v: f32, %unused: f32):
    %0 = arith.mulf %v, %rs2 : f32
    %1 = math.erf %0 : f32
    %2 = arith.mulf %v, %half : f32
    %3 = arith.addf %1, %one : f32
    %4 = arith.mulf %2, %3 : f32
    linalg.yield %4 : f32
  }
  %y = memref.alloc(%m) : memref<?x128xbf16>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%g : memref<?x128xf32>) outs(%y : memref<?x128xbf16>) {
  ^bb0(%v: f32, %unused: bf16):
    %t = arith.truncf %v : f32 to bf16
    linalg.yield %t : bf16
  }
  return %y : memref<?x128xbf16>
}

// -----

#mA = affine_map<(m, n, k) -> (m, k)>
#mB = affine_map<(m, n, k) -> (n, k)>
#mC = affine_map<(m, n, k) -> (m, n)>
#id = affine_map<(m, n) -> (m, n)>

// f32 SIMT kernel with a bias and ReLU into an llvm.noalias output argument.
// CHECK-LABEL: func.func @f32_bias_relu
//  CHECK-SAME: %[[BIAS:[a-z0-9]+]]: memref<64xf32>, %[[Y:[a-z0-9]+]]: memref<?x64xf32> {llvm.noalias})
//   CHECK-NOT: memref.alloc
//       CHECK: gpu.launch
//       CHECK:   llvm.intr.fma
//       CHECK:   memref.load %[[BIAS]]
//       CHECK:   arith.addf
//       CHECK:   arith.maximumf
//       CHECK:   memref.store
//       CHECK:   gpu.terminator
//   CHECK-NOT: linalg.generic
func.func @f32_bias_relu(%x: memref<?x64xf32>, %w: memref<64x64xf32>,
                         %bias: memref<64xf32>,
                         %y: memref<?x64xf32> {llvm.noalias}) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %m = memref.dim %x, %c0 : memref<?x64xf32>
  %c = memref.alloc(%m) : memref<?x64xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<?x64xf32>)
  linalg.generic {indexing_maps = [#mA, #mB, #mC],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<?x64xf32>, memref<64x64xf32>)
      outs(%c : memref<?x64xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#id, affine_map<(m, n) -> (n)>, #id],
                  iterator_types = ["parallel", "parallel"]}
      ins(%c, %bias : memref<?x64xf32>, memref<64xf32>) outs(%y : memref<?x64xf32>) {
  ^bb0(%v: f32, %bv: f32, %unused: f32):
    %s = arith.addf %v, %bv : f32
    %r = arith.maximumf %s, %zero : f32
    linalg.yield %r : f32
  }
  return
}

// -----

#mA = affine_map<(m, n, k) -> (m, k)>
#mB = affine_map<(m, n, k) -> (n, k)>
#mC = affine_map<(m, n, k) -> (m, n)>
#id = affine_map<(m, n) -> (m, n)>

// A full-matrix input (a residual, read per element) is not fused: measured
// slower than the separate elementwise kernel.
// CHECK-LABEL: func.func @f32_residual
//       CHECK: %[[C:.*]] = memref.alloc
//       CHECK: gpu.launch
//       CHECK:   memref.extract_strided_metadata %[[C]]
//       CHECK: linalg.generic {{.*}} ins(%[[C]]
func.func @f32_residual(%x: memref<?x64xf32>, %w: memref<64x64xf32>,
                        %res: memref<?x64xf32>,
                        %y: memref<?x64xf32> {llvm.noalias}) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %m = memref.dim %x, %c0 : memref<?x64xf32>
  %c = memref.alloc(%m) : memref<?x64xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<?x64xf32>)
  linalg.generic {indexing_maps = [#mA, #mB, #mC],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<?x64xf32>, memref<64x64xf32>)
      outs(%c : memref<?x64xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c, %res : memref<?x64xf32>, memref<?x64xf32>) outs(%y : memref<?x64xf32>) {
  ^bb0(%v: f32, %r: f32, %unused: f32):
    %s = arith.addf %v, %r : f32
    linalg.yield %s : f32
  }
  return
}

// -----

#mA = affine_map<(m, n, k) -> (m, k)>
#mB = affine_map<(m, n, k) -> (n, k)>
#mC = affine_map<(m, n, k) -> (m, n)>
#id = affine_map<(m, n) -> (m, n)>

// C read by two generics: the product writes C, both readers stay.
// CHECK-LABEL: func.func @two_readers
//       CHECK: %[[C:.*]] = memref.alloc
//       CHECK: gpu.launch
//       CHECK:   memref.extract_strided_metadata %[[C]]
//       CHECK: linalg.generic {{.*}} ins(%[[C]]
//       CHECK: linalg.generic {{.*}} ins(%[[C]]
func.func @two_readers(%x: memref<?x64xbf16>, %w: memref<32x64xbf16>)
    -> (memref<?x32xbf16>, memref<?x32xbf16>) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %m = memref.dim %x, %c0 : memref<?x64xbf16>
  %c = memref.alloc(%m) : memref<?x32xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<?x32xf32>)
  linalg.generic {indexing_maps = [#mA, #mB, #mC],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<?x64xbf16>, memref<32x64xbf16>)
      outs(%c : memref<?x32xf32>) {
  ^bb0(%a: bf16, %b: bf16, %o: f32):
    %ae = arith.extf %a : bf16 to f32
    %be = arith.extf %b : bf16 to f32
    %p = arith.mulf %ae, %be : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  %y = memref.alloc(%m) : memref<?x32xbf16>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c : memref<?x32xf32>) outs(%y : memref<?x32xbf16>) {
  ^bb0(%v: f32, %unused: bf16):
    %t = arith.truncf %v : f32 to bf16
    linalg.yield %t : bf16
  }
  %z = memref.alloc(%m) : memref<?x32xbf16>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c : memref<?x32xf32>) outs(%z : memref<?x32xbf16>) {
  ^bb0(%v: f32, %unused: bf16):
    %n = arith.negf %v : f32
    %t = arith.truncf %n : f32 to bf16
    linalg.yield %t : bf16
  }
  return %y, %z : memref<?x32xbf16>, memref<?x32xbf16>
}

// -----

#mA = affine_map<(m, n, k) -> (m, k)>
#mB = affine_map<(m, n, k) -> (n, k)>
#mC = affine_map<(m, n, k) -> (m, n)>
#id = affine_map<(m, n) -> (m, n)>
#rowsum = affine_map<(m, n) -> (m)>

// A row reduction over C is not elementwise: not fused.
// CHECK-LABEL: func.func @reduction_reader
//       CHECK: %[[C:.*]] = memref.alloc
//       CHECK: gpu.launch
//       CHECK:   memref.extract_strided_metadata %[[C]]
//       CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]{{.*}} ins(%[[C]]
func.func @reduction_reader(%x: memref<?x64xbf16>, %w: memref<32x64xbf16>,
                            %sum: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %m = memref.dim %x, %c0 : memref<?x64xbf16>
  %c = memref.alloc(%m) : memref<?x32xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<?x32xf32>)
  linalg.generic {indexing_maps = [#mA, #mB, #mC],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<?x64xbf16>, memref<32x64xbf16>)
      outs(%c : memref<?x32xf32>) {
  ^bb0(%a: bf16, %b: bf16, %o: f32):
    %ae = arith.extf %a : bf16 to f32
    %be = arith.extf %b : bf16 to f32
    %p = arith.mulf %ae, %be : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#id, #rowsum], iterator_types = ["parallel", "reduction"]}
      ins(%c : memref<?x32xf32>) outs(%sum : memref<?xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %s = arith.addf %acc, %v : f32
    linalg.yield %s : f32
  }
  return
}

// -----

#mA = affine_map<(m, n, k) -> (m, k)>
#mB = affine_map<(m, n, k) -> (n, k)>
#mC = affine_map<(m, n, k) -> (m, n)>
#id = affine_map<(m, n) -> (m, n)>
#col = affine_map<(m, n) -> (m)>

// A column-broadcast input (one value per row, (m, n) -> (m)): not fused.
// CHECK-LABEL: func.func @column_broadcast
//       CHECK: %[[C:.*]] = memref.alloc
//       CHECK: gpu.launch
//       CHECK:   memref.extract_strided_metadata %[[C]]
//       CHECK: linalg.generic {{.*}} ins(%[[C]], %{{.*}} : memref<?x32xf32>, memref<?xf32>)
func.func @column_broadcast(%x: memref<?x64xbf16>, %w: memref<32x64xbf16>,
                            %scale: memref<?xf32>) -> memref<?x32xbf16> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %m = memref.dim %x, %c0 : memref<?x64xbf16>
  %c = memref.alloc(%m) : memref<?x32xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<?x32xf32>)
  linalg.generic {indexing_maps = [#mA, #mB, #mC],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<?x64xbf16>, memref<32x64xbf16>)
      outs(%c : memref<?x32xf32>) {
  ^bb0(%a: bf16, %b: bf16, %o: f32):
    %ae = arith.extf %a : bf16 to f32
    %be = arith.extf %b : bf16 to f32
    %p = arith.mulf %ae, %be : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  %y = memref.alloc(%m) : memref<?x32xbf16>
  linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c, %scale : memref<?x32xf32>, memref<?xf32>) outs(%y : memref<?x32xbf16>) {
  ^bb0(%v: f32, %sv: f32, %unused: bf16):
    %r = arith.mulf %v, %sv : f32
    %t = arith.truncf %r : f32 to bf16
    linalg.yield %t : bf16
  }
  return %y : memref<?x32xbf16>
}

// -----

#mA = affine_map<(m, n, k) -> (m, k)>
#mB = affine_map<(m, n, k) -> (n, k)>
#mC = affine_map<(m, n, k) -> (m, n)>
#id = affine_map<(m, n) -> (m, n)>

// The output is an argument that may overlap the product's operand %x (no
// llvm.noalias): fusing would let one block overwrite what another still
// reads. Not fused.
// CHECK-LABEL: func.func @output_may_alias
//       CHECK: %[[C:.*]] = memref.alloc
//       CHECK: gpu.launch
//       CHECK:   memref.extract_strided_metadata %[[C]]
//       CHECK: linalg.generic {{.*}} ins(%[[C]]
func.func @output_may_alias(%x: memref<?x64xbf16>, %w: memref<32x64xbf16>,
                            %y: memref<?x32xbf16>) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %m = memref.dim %x, %c0 : memref<?x64xbf16>
  %c = memref.alloc(%m) : memref<?x32xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<?x32xf32>)
  linalg.generic {indexing_maps = [#mA, #mB, #mC],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<?x64xbf16>, memref<32x64xbf16>)
      outs(%c : memref<?x32xf32>) {
  ^bb0(%a: bf16, %b: bf16, %o: f32):
    %ae = arith.extf %a : bf16 to f32
    %be = arith.extf %b : bf16 to f32
    %p = arith.mulf %ae, %be : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c : memref<?x32xf32>) outs(%y : memref<?x32xbf16>) {
  ^bb0(%v: f32, %unused: bf16):
    %t = arith.truncf %v : f32 to bf16
    linalg.yield %t : bf16
  }
  return
}

// -----

#mA = affine_map<(m, n, k) -> (m, k)>
#mB = affine_map<(m, n, k) -> (n, k)>
#mC = affine_map<(m, n, k) -> (m, n)>
#id = affine_map<(m, n) -> (m, n)>

// A consumer that writes C in place is not fused (its output is the
// temporary itself).
// CHECK-LABEL: func.func @in_place_consumer
//       CHECK: %[[C:.*]] = memref.alloc
//       CHECK: gpu.launch
//       CHECK: linalg.generic {{.*}} ins(%[[C]] : memref<?x32xf32>) outs(%[[C]] : memref<?x32xf32>)
func.func @in_place_consumer(%x: memref<?x64xbf16>, %w: memref<32x64xbf16>)
    -> memref<?x32xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %m = memref.dim %x, %c0 : memref<?x64xbf16>
  %c = memref.alloc(%m) : memref<?x32xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<?x32xf32>)
  linalg.generic {indexing_maps = [#mA, #mB, #mC],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<?x64xbf16>, memref<32x64xbf16>)
      outs(%c : memref<?x32xf32>) {
  ^bb0(%a: bf16, %b: bf16, %o: f32):
    %ae = arith.extf %a : bf16 to f32
    %be = arith.extf %b : bf16 to f32
    %p = arith.mulf %ae, %be : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c : memref<?x32xf32>) outs(%c : memref<?x32xf32>) {
  ^bb0(%v: f32, %unused: f32):
    %n = arith.negf %v : f32
    linalg.yield %n : f32
  }
  return %c : memref<?x32xf32>
}
