// Structure of the sessa.rope lowering (SPEC section 1): f64 angle tables
// [T, d/2] built from a dense f64 constant of the frequencies w_i, x viewed as
// [B, T, H, d/2, 2], one generic over the pairs, collapse back; f16/bf16
// storage is widened to f32 around the computation.

// RUN: sessa-opt %s --split-input-file --convert-sessa-to-linalg --canonicalize --cse | FileCheck %s

// d = 8, base 1e4: w_i = 1e4^(-2i/8) = 1, 0.1, 0.01, 0.001 (exact in f64
// print form), offset 0 (so positions are just the row index).

// CHECK-DAG: #[[FREQ:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[ID2:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[EVEN:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, 0)>
// CHECK-DAG: #[[ODD:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, 1)>
// CHECK-DAG: #[[TAB:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d3)>
// CHECK-DAG: #[[ID5:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>

// CHECK-LABEL: func.func @rope_f32(
// CHECK-SAME: %[[X:[^ ,:]+]]: tensor<2x16x8x8xf32>) -> tensor<2x16x8x8xf32>
// CHECK-NOT: sessa.
// CHECK-DAG: %[[W:.+]] = arith.constant dense<[1.000000e+00, 1.000000e-01, 1.000000e-02, 1.000000e-03]> : tensor<4xf64>
// CHECK-DAG: %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG: %[[TE:.+]] = tensor.empty() : tensor<16x4xf32>
// The f32 path has no conversion of x (the return follows the collapse).
// CHECK-NOT: arith.extf
// The cos table [T, d/2]: phi = f64(t) * w_i, cos in f64, rounded to f32.
// CHECK: %[[COS:.+]] = linalg.generic {indexing_maps = [#[[FREQ]], #[[ID2]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[W]] : tensor<4xf64>) outs(%[[TE]] : tensor<16x4xf32>)
// CHECK-NEXT: ^bb0(%[[WI:.+]]: f64, %{{.+}}: f32):
// CHECK-NEXT: %[[T:.+]] = linalg.index 0 : index
// CHECK-NEXT: %[[TI:.+]] = arith.index_cast %[[T]] : index to i64
// CHECK-NEXT: %[[TF:.+]] = arith.sitofp %[[TI]] : i64 to f64
// CHECK-NEXT: %[[PHI:.+]] = arith.mulf %[[TF]], %[[WI]] : f64
// CHECK-NEXT: %[[CV:.+]] = math.cos %[[PHI]] : f64
// CHECK-NEXT: %[[CR:.+]] = arith.truncf %[[CV]] : f64 to f32
// CHECK-NEXT: linalg.yield %[[CR]] : f32
// CHECK-NEXT: } -> tensor<16x4xf32>
// The sin table, same shape.
// CHECK: %[[SIN:.+]] = linalg.generic {indexing_maps = [#[[FREQ]], #[[ID2]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[W]] : tensor<4xf64>) outs(%[[TE]] : tensor<16x4xf32>)
// CHECK: math.sin %{{.+}} : f64
// CHECK: arith.truncf %{{.+}} : f64 to f32
// CHECK: } -> tensor<16x4xf32>
// x as interleaved pairs.
// CHECK: %[[PAIRS:.+]] = tensor.expand_shape %[[X]] {{\[}}[0], [1], [2], [3, 4]] output_shape [2, 16, 8, 4, 2] : tensor<2x16x8x8xf32> into tensor<2x16x8x4x2xf32>
// CHECK: %[[OE:.+]] = tensor.empty() : tensor<2x16x8x4x2xf32>
// One generic over [B, T, H, d/2, 2]: x[.., 2i], x[.., 2i+1], cos[t, i], sin[t, i].
// CHECK: %[[ROT:.+]] = linalg.generic {indexing_maps = [#[[EVEN]], #[[ODD]], #[[TAB]], #[[TAB]], #[[ID5]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
// CHECK-SAME: ins(%[[PAIRS]], %[[PAIRS]], %[[COS]], %[[SIN]] : tensor<2x16x8x4x2xf32>, tensor<2x16x8x4x2xf32>, tensor<16x4xf32>, tensor<16x4xf32>) outs(%[[OE]] : tensor<2x16x8x4x2xf32>)
// CHECK-NEXT: ^bb0(%[[X0:[^:]+]]: f32, %[[X1:[^:]+]]: f32, %[[C:[^:]+]]: f32, %[[S:[^:]+]]: f32, %{{.+}}: f32):
// CHECK-NEXT: %[[P:.+]] = linalg.index 4 : index
// CHECK-NEXT: %[[ISEVEN:.+]] = arith.cmpi eq, %[[P]], %[[C0]] : index
// CHECK-NEXT: %[[A:.+]] = arith.mulf %[[X0]], %[[C]] : f32
// CHECK-NEXT: %[[B:.+]] = arith.mulf %[[X1]], %[[S]] : f32
// CHECK-NEXT: %[[EV:.+]] = arith.subf %[[A]], %[[B]] : f32
// CHECK-NEXT: %[[D:.+]] = arith.mulf %[[X0]], %[[S]] : f32
// CHECK-NEXT: %[[E:.+]] = arith.mulf %[[X1]], %[[C]] : f32
// CHECK-NEXT: %[[OD:.+]] = arith.addf %[[D]], %[[E]] : f32
// CHECK-NEXT: %[[SEL:.+]] = arith.select %[[ISEVEN]], %[[EV]], %[[OD]] : f32
// CHECK-NEXT: linalg.yield %[[SEL]] : f32
// CHECK-NEXT: } -> tensor<2x16x8x4x2xf32>
// CHECK: %[[OUT:.+]] = tensor.collapse_shape %[[ROT]] {{\[}}[0], [1], [2], [3, 4]] : tensor<2x16x8x4x2xf32> into tensor<2x16x8x8xf32>
// CHECK-NEXT: return %[[OUT]] : tensor<2x16x8x8xf32>
func.func @rope_f32(%x: tensor<2x16x8x8xf32>) -> tensor<2x16x8x8xf32> {
  %r = sessa.rope %x : tensor<2x16x8x8xf32>
  return %r : tensor<2x16x8x8xf32>
}

// -----

// bf16 storage, dynamic T, a dynamic offset operand and base 5e5 (d = 4:
// w = 1, 5e5^-1/2): the tables add the offset to the row index before the
// f64 conversion; x is widened with extf and the result rounded with truncf.

// CHECK-LABEL: func.func @rope_bf16_dynamic_offset(
// CHECK-SAME: %[[X:[^ ,:]+]]: tensor<1x?x2x4xbf16>, %[[OFF:[^ ,:]+]]: index) -> tensor<1x?x2x4xbf16>
// CHECK-NOT: sessa.
// CHECK-DAG: %[[W:.+]] = arith.constant dense<[1.000000e+00, 0.001414213562373095]> : tensor<2xf64>
// CHECK-DAG: %[[C1:.+]] = arith.constant 1 : index
// CHECK: %[[T:.+]] = tensor.dim %[[X]], %[[C1]] : tensor<1x?x2x4xbf16>
// CHECK: %[[X32:.+]] = linalg.generic
// CHECK-SAME: ins(%[[X]] : tensor<1x?x2x4xbf16>) outs(%{{.+}} : tensor<1x?x2x4xf32>)
// CHECK-NEXT: ^bb0(%[[IN:[^:]+]]: bf16, %{{.+}}: f32):
// CHECK-NEXT: %[[EXT:.+]] = arith.extf %[[IN]] : bf16 to f32
// CHECK-NEXT: linalg.yield %[[EXT]] : f32
// CHECK: %[[TE:.+]] = tensor.empty(%[[T]]) : tensor<?x2xf32>
// CHECK: %[[COS:.+]] = linalg.generic
// CHECK-SAME: ins(%[[W]] : tensor<2xf64>) outs(%[[TE]] : tensor<?x2xf32>)
// CHECK-NEXT: ^bb0(%[[WI:.+]]: f64, %{{.+}}: f32):
// CHECK-NEXT: %[[R:.+]] = linalg.index 0 : index
// CHECK-NEXT: %[[POS:.+]] = arith.addi %[[R]], %[[OFF]] : index
// CHECK-NEXT: %[[PI:.+]] = arith.index_cast %[[POS]] : index to i64
// CHECK-NEXT: %[[PF:.+]] = arith.sitofp %[[PI]] : i64 to f64
// CHECK-NEXT: %[[PHI:.+]] = arith.mulf %[[PF]], %[[WI]] : f64
// CHECK-NEXT: math.cos %[[PHI]] : f64
// CHECK: %[[SIN:.+]] = linalg.generic
// CHECK-SAME: ins(%[[W]] : tensor<2xf64>) outs(%[[TE]] : tensor<?x2xf32>)
// CHECK: arith.addi %{{.+}}, %[[OFF]] : index
// CHECK: math.sin %{{.+}} : f64
// CHECK: %[[PAIRS:.+]] = tensor.expand_shape %[[X32]] {{\[}}[0], [1], [2], [3, 4]] output_shape [1, %[[T]], 2, 2, 2] : tensor<1x?x2x4xf32> into tensor<1x?x2x2x2xf32>
// CHECK: %[[ROT:.+]] = linalg.generic
// CHECK-SAME: ins(%[[PAIRS]], %[[PAIRS]], %[[COS]], %[[SIN]] : tensor<1x?x2x2x2xf32>, tensor<1x?x2x2x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>)
// CHECK: } -> tensor<1x?x2x2x2xf32>
// CHECK: %[[COL:.+]] = tensor.collapse_shape %[[ROT]] {{\[}}[0], [1], [2], [3, 4]] : tensor<1x?x2x2x2xf32> into tensor<1x?x2x4xf32>
// CHECK: %[[OUT:.+]] = linalg.generic
// CHECK-SAME: ins(%[[COL]] : tensor<1x?x2x4xf32>) outs(%{{.+}} : tensor<1x?x2x4xbf16>)
// CHECK-NEXT: ^bb0(%[[V:[^:]+]]: f32, %{{.+}}: bf16):
// CHECK-NEXT: %[[TR:.+]] = arith.truncf %[[V]] : f32 to bf16
// CHECK-NEXT: linalg.yield %[[TR]] : bf16
// CHECK: return %[[OUT]] : tensor<1x?x2x4xbf16>
func.func @rope_bf16_dynamic_offset(%x: tensor<1x?x2x4xbf16>, %p: index) -> tensor<1x?x2x4xbf16> {
  %r = sessa.rope %x offset(%p) {base = 5.0e+05 : f64} : tensor<1x?x2x4xbf16>
  return %r : tensor<1x?x2x4xbf16>
}

// -----

// A static offset becomes an index constant added to the row index.

// CHECK-LABEL: func.func @rope_static_offset(
// CHECK-DAG: %[[C7:.+]] = arith.constant 7 : index
// CHECK-DAG: arith.constant dense<[1.000000e+00, 1.000000e-02]> : tensor<2xf64>
// CHECK: linalg.generic
// CHECK: %[[R:.+]] = linalg.index 0 : index
// CHECK-NEXT: arith.addi %[[R]], %[[C7]] : index
// CHECK: math.cos
// CHECK: linalg.generic
// CHECK: %[[R2:.+]] = linalg.index 0 : index
// CHECK-NEXT: arith.addi %[[R2]], %[[C7]] : index
// CHECK: math.sin
// CHECK: tensor.expand_shape {{.+}} into tensor<1x3x1x2x2xf32>
// CHECK: tensor.collapse_shape {{.+}} into tensor<1x3x1x4xf32>
func.func @rope_static_offset(%x: tensor<1x3x1x4xf32>) -> tensor<1x3x1x4xf32> {
  %r = sessa.rope %x {static_offset = 7} : tensor<1x3x1x4xf32>
  return %r : tensor<1x3x1x4xf32>
}
