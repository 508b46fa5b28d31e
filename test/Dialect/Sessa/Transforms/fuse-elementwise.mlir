// sessa-fuse-elementwise: an elementwise producer with one use is fused into
// its elementwise consumer; products and reductions keep materialized
// operands; a rounding of a full-size operand to a narrower type stays
// materialized; reshapes are not moved.

// RUN: sessa-opt %s --sessa-fuse-elementwise | FileCheck %s

#id = affine_map<(m, n) -> (m, n)>
#row = affine_map<(m, n) -> (n)>
#mk = affine_map<(m, n, k) -> (m, k)>
#nk = affine_map<(m, n, k) -> (n, k)>
#mn = affine_map<(m, n, k) -> (m, n)>

// Bias add -> GELU-like -> rounding to bf16: one generic, reading the
// product and the bias.
// CHECK-LABEL: func.func @bias_act_round(
// CHECK-SAME: %[[P:[^:]+]]: tensor<8x16xf32>, %[[B:[^:]+]]: tensor<16xf32>)
// CHECK: %[[R:.+]] = linalg.generic {{.+}} ins(%[[P]], %[[B]] : tensor<8x16xf32>, tensor<16xf32>) outs(%{{.+}} : tensor<8x16xbf16>)
// CHECK: arith.addf
// CHECK: math.tanh
// CHECK: arith.truncf
// CHECK-NOT: linalg.generic
// CHECK: return %[[R]]
func.func @bias_act_round(%p: tensor<8x16xf32>, %b: tensor<16xf32>) -> tensor<8x16xbf16> {
  %e = tensor.empty() : tensor<8x16xf32>
  %add = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%p, %b : tensor<8x16xf32>, tensor<16xf32>) outs(%e : tensor<8x16xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<8x16xf32>
  %e2 = tensor.empty() : tensor<8x16xf32>
  %act = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%add : tensor<8x16xf32>) outs(%e2 : tensor<8x16xf32>) {
  ^bb0(%x: f32, %o: f32):
    %t = math.tanh %x : f32
    linalg.yield %t : f32
  } -> tensor<8x16xf32>
  %eb = tensor.empty() : tensor<8x16xbf16>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%act : tensor<8x16xf32>) outs(%eb : tensor<8x16xbf16>) {
  ^bb0(%x: f32, %o: bf16):
    %t = arith.truncf %x : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<8x16xbf16>
  return %r : tensor<8x16xbf16>
}


// The rounding before a product stays a separate generic: the product (a
// reduction) keeps reading a materialized bf16 operand.
// CHECK-LABEL: func.func @not_into_products(
// CHECK: %[[A:.+]] = linalg.generic {{.+}} iterator_types = ["parallel", "parallel"]
// CHECK: arith.truncf
// CHECK: linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "reduction"]{{.*}} ins(%[[A]], %{{.+}} : tensor<8x32xbf16>, tensor<16x32xbf16>)
func.func @not_into_products(%u: tensor<8x32xf32>, %w: tensor<16x32xbf16>, %acc: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %eb = tensor.empty() : tensor<8x32xbf16>
  %a = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%u : tensor<8x32xf32>) outs(%eb : tensor<8x32xbf16>) {
  ^bb0(%x: f32, %o: bf16):
    %t = arith.truncf %x : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<8x32xbf16>
  %p = linalg.generic {indexing_maps = [#mk, #nk, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %w : tensor<8x32xbf16>, tensor<16x32xbf16>) outs(%acc : tensor<8x16xf32>) {
  ^bb0(%x: bf16, %y: bf16, %o: f32):
    %xe = arith.extf %x : bf16 to f32
    %ye = arith.extf %y : bf16 to f32
    %m = arith.mulf %xe, %ye : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<8x16xf32>
  return %p : tensor<8x16xf32>
}


// A producer with two users is not duplicated into each of them.
// CHECK-LABEL: func.func @two_users(
// CHECK-COUNT-3: linalg.generic
// CHECK-NOT: linalg.generic
func.func @two_users(%u: tensor<8x16xf32>) -> (tensor<8x16xf32>, tensor<8x16xf32>) {
  %e = tensor.empty() : tensor<8x16xf32>
  %a = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%u : tensor<8x16xf32>) outs(%e : tensor<8x16xf32>) {
  ^bb0(%x: f32, %o: f32):
    %t = math.tanh %x : f32
    linalg.yield %t : f32
  } -> tensor<8x16xf32>
  %b = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<8x16xf32>) outs(%e : tensor<8x16xf32>) {
  ^bb0(%x: f32, %o: f32):
    %t = arith.addf %x, %x : f32
    linalg.yield %t : f32
  } -> tensor<8x16xf32>
  %c = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<8x16xf32>) outs(%e : tensor<8x16xf32>) {
  ^bb0(%x: f32, %o: f32):
    %t = arith.mulf %x, %x : f32
    linalg.yield %t : f32
  } -> tensor<8x16xf32>
  return %b, %c : tensor<8x16xf32>, tensor<8x16xf32>
}


// A product's f32 result plus bias, rounded to bf16, consumed much later by
// an elementwise op (the layer's gate g, used only after the feedback): the
// rounding stays its own generic, so the bf16 tensor is what is kept alive
// (not the f32 product), and the product's epilogue can absorb it.
// CHECK-LABEL: func.func @rounding_kept(
// CHECK-SAME: %[[P:[^:]+]]: tensor<8x16xf32>, %[[B:[^:]+]]: tensor<16xf32>, %[[S:[^:]+]]: tensor<8x16xbf16>)
// CHECK: %[[G:.+]] = linalg.generic {{.+}} ins(%[[P]], %[[B]] : tensor<8x16xf32>, tensor<16xf32>) outs(%{{.+}} : tensor<8x16xbf16>)
// CHECK: arith.addf
// CHECK: arith.truncf
// CHECK: linalg.generic {{.+}} ins(%[[S]], %[[G]] : tensor<8x16xbf16>, tensor<8x16xbf16>)
func.func @rounding_kept(%p: tensor<8x16xf32>, %b: tensor<16xf32>, %s: tensor<8x16xbf16>) -> tensor<8x16xbf16> {
  %e = tensor.empty() : tensor<8x16xf32>
  %add = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%p, %b : tensor<8x16xf32>, tensor<16xf32>) outs(%e : tensor<8x16xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %r = arith.addf %x, %y : f32
    linalg.yield %r : f32
  } -> tensor<8x16xf32>
  %eb = tensor.empty() : tensor<8x16xbf16>
  %g = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%add : tensor<8x16xf32>) outs(%eb : tensor<8x16xbf16>) {
  ^bb0(%x: f32, %o: bf16):
    %t = arith.truncf %x : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<8x16xbf16>
  %eo = tensor.empty() : tensor<8x16xbf16>
  %sg = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%s, %g : tensor<8x16xbf16>, tensor<8x16xbf16>) outs(%eo : tensor<8x16xbf16>) {
  ^bb0(%x: bf16, %y: bf16, %o: bf16):
    %xe = arith.extf %x : bf16 to f32
    %ye = arith.extf %y : bf16 to f32
    %m = arith.mulf %xe, %ye : f32
    %t = arith.truncf %m : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<8x16xbf16>
  return %sg : tensor<8x16xbf16>
}
