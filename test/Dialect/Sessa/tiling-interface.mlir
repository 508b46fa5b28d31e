// The sessa ops implement TilingInterface: upstream transforms tile them.
// RUN: sessa-opt %s --transform-interpreter --canonicalize --split-input-file | FileCheck %s

// Attention: domain (B, T, Hk). A tile of 8 query rows and one kv head reads
// query heads [4 k, 4 k + 4) and the keys visible to its rows: P + t0 + 8.
// CHECK-LABEL: func.func @attention
//  CHECK-SAME: (%[[Q:.*]]: tensor<2x16x8x32xf32>, %[[K:.*]]: tensor<2x20x2x32xf32>, %[[V:.*]]: tensor<2x20x2x32xf32>)
//   CHECK-DAG: %[[C12:.*]] = arith.constant 12 : index
//       CHECK: scf.forall (%[[B:.*]], %[[T:.*]], %[[H:.*]]) in (2, 2, 2)
//       CHECK:   %[[T0:.*]] = affine.apply #{{.*}}(%[[T]])
//       CHECK:   %[[KEYS:.*]] = arith.addi %[[T0]], %[[C12]]
//       CHECK:   %[[QH:.*]] = arith.muli %[[H]], %{{.*}}
//       CHECK:   %[[QS:.*]] = tensor.extract_slice %[[Q]][%[[B]], %[[T0]], %[[QH]], 0] [1, 8, 4, 32]
//       CHECK:   %[[KS:.*]] = tensor.extract_slice %[[K]][%[[B]], 0, %[[H]], 0] [1, %[[KEYS]], 1, 32]
//       CHECK:   %[[VS:.*]] = tensor.extract_slice %[[V]][%[[B]], 0, %[[H]], 0] [1, %[[KEYS]], 1, 32]
//       CHECK:   sessa.attention %[[QS]], %[[KS]], %[[VS]] {scale = 0.17677669529663687 : f64}
//       CHECK:   tensor.parallel_insert_slice %{{.*}} into %{{.*}}[%[[B]], %[[T0]], %{{.*}}, 0] [1, 8, 4, 32]
func.func @attention(%q: tensor<2x16x8x32xf32>, %k: tensor<2x20x2x32xf32>, %v: tensor<2x20x2x32xf32>) -> tensor<2x16x8x32xf32> {
  %0 = sessa.attention %q, %k, %v : tensor<2x16x8x32xf32>, tensor<2x20x2x32xf32>, tensor<2x20x2x32xf32>
  return %0 : tensor<2x16x8x32xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["sessa.attention"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %forall = transform.structured.tile_using_forall %op tile_sizes [1, 8, 1] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// Rope: domain (B, T, H); a row tile starting at t0 rotates from position
// static_offset + t0.
// CHECK-LABEL: func.func @rope
//       CHECK: scf.forall (%{{.*}}, %[[T:.*]]) in (2, 4)
//       CHECK:   %[[T0:.*]] = affine.apply #{{.*}}(%[[T]])
//       CHECK:   %[[POS:.*]] = arith.addi %[[T0]], %{{.*}} : index
//       CHECK:   sessa.rope %{{.*}} offset(%[[POS]]) : tensor<1x4x4x16xf32>
func.func @rope(%x: tensor<2x16x4x16xf32>) -> tensor<2x16x4x16xf32> {
  %0 = sessa.rope %x {static_offset = 5} : tensor<2x16x4x16xf32>
  return %0 : tensor<2x16x4x16xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["sessa.rope"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %forall = transform.structured.tile_using_forall %op tile_sizes [1, 4, 0] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// Feedback attention: domain (B, Hb); time is never tiled.
// CHECK-LABEL: func.func @feedback
//       CHECK: scf.forall (%[[B:.*]], %[[H:.*]]) in (2, 3)
//       CHECK:   tensor.extract_slice %{{.*}}[%[[B]], 0, %[[H]], 0] [1, 9, 1, 8]
//       CHECK:   tensor.extract_slice %{{.*}}[%[[B]], 0, %[[H]]] [1, 9, 1]
//       CHECK:   tensor.extract_slice %{{.*}}[%[[B]], 0, %[[H]], 0] [1, 5, 1, 4]
//       CHECK:   sessa.feedback_attention {{.*}} cache(
//  CHECK-SAME:     : tensor<1x9x1x8xf32>, tensor<1x9x1x4xf32>, tensor<1x9x1x4xf32>, tensor<1x9x1xf32>, tensor<1x5x1x4xf32>, tensor<1x5x1x8xf32>
func.func @feedback(%f: tensor<2x9x3x8xf32>, %q: tensor<2x9x3x4xf32>, %g: tensor<2x9x3xf32>, %kp: tensor<2x5x3x4xf32>, %sp: tensor<2x5x3x8xf32>) -> tensor<2x9x3x8xf32> {
  %0 = sessa.feedback_attention %f, %q, %q, %g cache(%kp, %sp) : tensor<2x9x3x8xf32>, tensor<2x9x3x4xf32>, tensor<2x9x3x4xf32>, tensor<2x9x3xf32>, tensor<2x5x3x4xf32>, tensor<2x5x3x8xf32>
  return %0 : tensor<2x9x3x8xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["sessa.feedback_attention"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %forall = transform.structured.tile_using_forall %op tile_sizes [1, 1] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// Selective scan: domain (B, Dm). A channel tile of 8 inside groups of 16
// channels uses one group of B and C: group = d0 / 16.
// CHECK-LABEL: func.func @scan
//       CHECK: scf.forall (%[[B:.*]], %[[D:.*]]) in (2, 4)
//       CHECK:   %[[D0:.*]] = affine.apply #{{.*}}(%[[D]])
//       CHECK:   %[[G:.*]] = arith.divui %[[D0]], %{{.*}} : index
//       CHECK:   tensor.extract_slice %{{.*}}[%[[B]], 0, %[[G]], 0] [1, 5, 1, 4]
//       CHECK:   sessa.selective_scan {{.*}} D({{.*}} : tensor<8xf32>) {delta_softplus} : tensor<1x5x8xf32>, tensor<1x5x8xf32>, tensor<8x4xf32>, tensor<1x5x1x4xf32>, tensor<1x5x1x4xf32> -> tensor<1x5x8xf32>, tensor<1x8x4xf32>
func.func @scan(%u: tensor<2x5x32xf32>, %A: tensor<32x4xf32>, %B: tensor<2x5x2x4xf32>, %D: tensor<32xf32>) -> (tensor<2x5x32xf32>, tensor<2x32x4xf32>) {
  %y, %h = sessa.selective_scan %u, %u, %A, %B, %B D(%D : tensor<32xf32>) {delta_softplus} : tensor<2x5x32xf32>, tensor<2x5x32xf32>, tensor<32x4xf32>, tensor<2x5x2x4xf32>, tensor<2x5x2x4xf32> -> tensor<2x5x32xf32>, tensor<2x32x4xf32>
  return %y, %h : tensor<2x5x32xf32>, tensor<2x32x4xf32>
}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["sessa.selective_scan"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %forall = transform.structured.tile_using_forall %op tile_sizes [1, 8] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}
