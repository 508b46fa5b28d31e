// A selective-scan channel tile must lie inside one group of B/C or cover
// whole groups; other tile sizes are refused with an error, not miscompiled.
// RUN: sessa-opt %s --transform-interpreter --verify-diagnostics

func.func @scan(%u: tensor<2x5x32xf32>, %A: tensor<32x4xf32>, %B: tensor<2x5x2x4xf32>) -> (tensor<2x5x32xf32>, tensor<2x32x4xf32>) {
  // expected-note @+4 {{when applied to this op}}
  // expected-error @+3 {{channel tiles must have a static size that divides Dm / G = 16 or is a multiple of it}}
  // expected-error @+2 {{faild to tile operation}}
  // expected-error @+1 {{failed to generate tiling loops}}
  %y, %h = sessa.selective_scan %u, %u, %A, %B, %B : tensor<2x5x32xf32>, tensor<2x5x32xf32>, tensor<32x4xf32>, tensor<2x5x2x4xf32>, tensor<2x5x2x4xf32> -> tensor<2x5x32xf32>, tensor<2x32x4xf32>
  return %y, %h : tensor<2x5x32xf32>, tensor<2x32x4xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["sessa.selective_scan"]} in %root : (!transform.any_op) -> !transform.any_op
    // expected-error @+1 {{transform.structured.tile_using_forall failed to apply}}
    %tiled, %forall = transform.structured.tile_using_forall %op tile_sizes [1, 12] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}
