// Round trip of sessa.selective_scan when an optional operand is present but
// an optional operand declared before it is absent (z, delta_bias or h0
// without D, ...). These ops print fine, but the printed custom form does not
// parse back: the format lists the optional types as
// `(`,` type($D)^)? (`,` type($z)^)? ...`, so the parser gives the first
// optional type to `D` whatever keyword introduced the operand, and reports
// "number of operands and types do not match: got 0 operands and 1 types".
// ops.mlir covers the forms that do round-trip (no optional operands, or a
// assembly format is fixed; the CHECK lines are the expected printed form.

// RUN: sessa-opt %s | sessa-opt | FileCheck %s
// RUN: sessa-opt %s --mlir-print-op-generic | sessa-opt | FileCheck %s

// CHECK-LABEL: func.func @scan_z(
// CHECK-SAME: %[[U:[^ ,:#]+]]: tensor<2x32x64xf32>, %[[DELTA:[^ ,:#]+]]: tensor<2x32x64xf32>, %[[A:[^ ,:#]+]]: tensor<64x16xf32>, %[[B:[^ ,:#]+]]: tensor<2x32x1x16xf32>, %[[C:[^ ,:#]+]]: tensor<2x32x1x16xf32>, %[[Z:[^ ,:#]+]]: tensor<2x32x64xf32>) -> (tensor<2x32x64xf32>, tensor<2x64x16xf32>) {
// CHECK-NEXT: %[[Y:[^ ,:#]+]], %[[H:[^ ,:#]+]] = sessa.selective_scan %[[U]], %[[DELTA]], %[[A]], %[[B]], %[[C]] z(%[[Z]] : tensor<2x32x64xf32>) : tensor<2x32x64xf32>, tensor<2x32x64xf32>, tensor<64x16xf32>, tensor<2x32x1x16xf32>, tensor<2x32x1x16xf32> -> tensor<2x32x64xf32>, tensor<2x64x16xf32>
// CHECK-NEXT: return %[[Y]], %[[H]] : tensor<2x32x64xf32>, tensor<2x64x16xf32>
func.func @scan_z(%u: tensor<2x32x64xf32>, %delta: tensor<2x32x64xf32>, %A: tensor<64x16xf32>, %B: tensor<2x32x1x16xf32>, %C: tensor<2x32x1x16xf32>, %z: tensor<2x32x64xf32>) -> (tensor<2x32x64xf32>, tensor<2x64x16xf32>) {
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C z(%z : tensor<2x32x64xf32>) : tensor<2x32x64xf32>, tensor<2x32x64xf32>, tensor<64x16xf32>, tensor<2x32x1x16xf32>, tensor<2x32x1x16xf32> -> tensor<2x32x64xf32>, tensor<2x64x16xf32>
  return %y, %h : tensor<2x32x64xf32>, tensor<2x64x16xf32>
}

// CHECK-LABEL: func.func @scan_delta_bias(
// CHECK-SAME: %[[U:[^ ,:#]+]]: tensor<2x32x64xf32>, %[[DELTA:[^ ,:#]+]]: tensor<2x32x64xf32>, %[[A:[^ ,:#]+]]: tensor<64x16xf32>, %[[B:[^ ,:#]+]]: tensor<2x32x1x16xf32>, %[[C:[^ ,:#]+]]: tensor<2x32x1x16xf32>, %[[DBIAS:[^ ,:#]+]]: tensor<64xf32>) -> (tensor<2x32x64xf32>, tensor<2x64x16xf32>) {
// CHECK-NEXT: %[[Y:[^ ,:#]+]], %[[H:[^ ,:#]+]] = sessa.selective_scan %[[U]], %[[DELTA]], %[[A]], %[[B]], %[[C]] delta_bias(%[[DBIAS]] : tensor<64xf32>) : tensor<2x32x64xf32>, tensor<2x32x64xf32>, tensor<64x16xf32>, tensor<2x32x1x16xf32>, tensor<2x32x1x16xf32> -> tensor<2x32x64xf32>, tensor<2x64x16xf32>
// CHECK-NEXT: return %[[Y]], %[[H]] : tensor<2x32x64xf32>, tensor<2x64x16xf32>
func.func @scan_delta_bias(%u: tensor<2x32x64xf32>, %delta: tensor<2x32x64xf32>, %A: tensor<64x16xf32>, %B: tensor<2x32x1x16xf32>, %C: tensor<2x32x1x16xf32>, %dbias: tensor<64xf32>) -> (tensor<2x32x64xf32>, tensor<2x64x16xf32>) {
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C delta_bias(%dbias : tensor<64xf32>) : tensor<2x32x64xf32>, tensor<2x32x64xf32>, tensor<64x16xf32>, tensor<2x32x1x16xf32>, tensor<2x32x1x16xf32> -> tensor<2x32x64xf32>, tensor<2x64x16xf32>
  return %y, %h : tensor<2x32x64xf32>, tensor<2x64x16xf32>
}

// CHECK-LABEL: func.func @scan_h0(
// CHECK-SAME: %[[U:[^ ,:#]+]]: tensor<2x32x64xf32>, %[[DELTA:[^ ,:#]+]]: tensor<2x32x64xf32>, %[[A:[^ ,:#]+]]: tensor<64x16xf32>, %[[B:[^ ,:#]+]]: tensor<2x32x1x16xf32>, %[[C:[^ ,:#]+]]: tensor<2x32x1x16xf32>, %[[H0:[^ ,:#]+]]: tensor<2x64x16xf32>) -> (tensor<2x32x64xf32>, tensor<2x64x16xf32>) {
// CHECK-NEXT: %[[Y:[^ ,:#]+]], %[[H:[^ ,:#]+]] = sessa.selective_scan %[[U]], %[[DELTA]], %[[A]], %[[B]], %[[C]] h0(%[[H0]] : tensor<2x64x16xf32>) : tensor<2x32x64xf32>, tensor<2x32x64xf32>, tensor<64x16xf32>, tensor<2x32x1x16xf32>, tensor<2x32x1x16xf32> -> tensor<2x32x64xf32>, tensor<2x64x16xf32>
// CHECK-NEXT: return %[[Y]], %[[H]] : tensor<2x32x64xf32>, tensor<2x64x16xf32>
func.func @scan_h0(%u: tensor<2x32x64xf32>, %delta: tensor<2x32x64xf32>, %A: tensor<64x16xf32>, %B: tensor<2x32x1x16xf32>, %C: tensor<2x32x1x16xf32>, %h0: tensor<2x64x16xf32>) -> (tensor<2x32x64xf32>, tensor<2x64x16xf32>) {
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C h0(%h0 : tensor<2x64x16xf32>) : tensor<2x32x64xf32>, tensor<2x32x64xf32>, tensor<64x16xf32>, tensor<2x32x1x16xf32>, tensor<2x32x1x16xf32> -> tensor<2x32x64xf32>, tensor<2x64x16xf32>
  return %y, %h : tensor<2x32x64xf32>, tensor<2x64x16xf32>
}

// CHECK-LABEL: func.func @scan_dynamic_b_t_bf16(
// CHECK-SAME: %[[U:[^ ,:#]+]]: tensor<?x?x32xbf16>, %[[DELTA:[^ ,:#]+]]: tensor<?x?x32xbf16>, %[[A:[^ ,:#]+]]: tensor<32x8xbf16>, %[[B:[^ ,:#]+]]: tensor<?x?x2x8xbf16>, %[[C:[^ ,:#]+]]: tensor<?x?x2x8xbf16>, %[[DBIAS:[^ ,:#]+]]: tensor<32xbf16>, %[[H0:[^ ,:#]+]]: tensor<?x32x8xbf16>) -> (tensor<?x?x32xbf16>, tensor<?x32x8xbf16>) {
// CHECK-NEXT: %[[Y:[^ ,:#]+]], %[[H:[^ ,:#]+]] = sessa.selective_scan %[[U]], %[[DELTA]], %[[A]], %[[B]], %[[C]] delta_bias(%[[DBIAS]] : tensor<32xbf16>) h0(%[[H0]] : tensor<?x32x8xbf16>) : tensor<?x?x32xbf16>, tensor<?x?x32xbf16>, tensor<32x8xbf16>, tensor<?x?x2x8xbf16>, tensor<?x?x2x8xbf16> -> tensor<?x?x32xbf16>, tensor<?x32x8xbf16>
// CHECK-NEXT: return %[[Y]], %[[H]] : tensor<?x?x32xbf16>, tensor<?x32x8xbf16>
func.func @scan_dynamic_b_t_bf16(%u: tensor<?x?x32xbf16>, %delta: tensor<?x?x32xbf16>, %A: tensor<32x8xbf16>, %B: tensor<?x?x2x8xbf16>, %C: tensor<?x?x2x8xbf16>, %dbias: tensor<32xbf16>, %h0: tensor<?x32x8xbf16>) -> (tensor<?x?x32xbf16>, tensor<?x32x8xbf16>) {
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C delta_bias(%dbias : tensor<32xbf16>) h0(%h0 : tensor<?x32x8xbf16>) : tensor<?x?x32xbf16>, tensor<?x?x32xbf16>, tensor<32x8xbf16>, tensor<?x?x2x8xbf16>, tensor<?x?x2x8xbf16> -> tensor<?x?x32xbf16>, tensor<?x32x8xbf16>
  return %y, %h : tensor<?x?x32xbf16>, tensor<?x32x8xbf16>
}

// CHECK-LABEL: func.func @scan_D_h0_softplus(
// CHECK-SAME: %[[U:[^ ,:#]+]]: tensor<1x7x16xf16>, %[[DELTA:[^ ,:#]+]]: tensor<1x7x16xf16>, %[[A:[^ ,:#]+]]: tensor<16x4xf16>, %[[B:[^ ,:#]+]]: tensor<1x7x2x4xf16>, %[[C:[^ ,:#]+]]: tensor<1x7x2x4xf16>, %[[D:[^ ,:#]+]]: tensor<16xf16>, %[[H0:[^ ,:#]+]]: tensor<1x16x4xf16>) -> (tensor<1x7x16xf16>, tensor<1x16x4xf16>) {
// CHECK-NEXT: %[[Y:[^ ,:#]+]], %[[H:[^ ,:#]+]] = sessa.selective_scan %[[U]], %[[DELTA]], %[[A]], %[[B]], %[[C]] D(%[[D]] : tensor<16xf16>) h0(%[[H0]] : tensor<1x16x4xf16>) {delta_softplus} : tensor<1x7x16xf16>, tensor<1x7x16xf16>, tensor<16x4xf16>, tensor<1x7x2x4xf16>, tensor<1x7x2x4xf16> -> tensor<1x7x16xf16>, tensor<1x16x4xf16>
// CHECK-NEXT: return %[[Y]], %[[H]] : tensor<1x7x16xf16>, tensor<1x16x4xf16>
func.func @scan_D_h0_softplus(%u: tensor<1x7x16xf16>, %delta: tensor<1x7x16xf16>, %A: tensor<16x4xf16>, %B: tensor<1x7x2x4xf16>, %C: tensor<1x7x2x4xf16>, %D: tensor<16xf16>, %h0: tensor<1x16x4xf16>) -> (tensor<1x7x16xf16>, tensor<1x16x4xf16>) {
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C D(%D : tensor<16xf16>) h0(%h0 : tensor<1x16x4xf16>) {delta_softplus} : tensor<1x7x16xf16>, tensor<1x7x16xf16>, tensor<16x4xf16>, tensor<1x7x2x4xf16>, tensor<1x7x2x4xf16> -> tensor<1x7x16xf16>, tensor<1x16x4xf16>
  return %y, %h : tensor<1x7x16xf16>, tensor<1x16x4xf16>
}

// CHECK-LABEL: func.func @scan_z_delta_bias_h0(
// CHECK-SAME: %[[U:[^ ,:#]+]]: tensor<1x7x16xf32>, %[[DELTA:[^ ,:#]+]]: tensor<1x7x16xf32>, %[[A:[^ ,:#]+]]: tensor<16x4xf32>, %[[B:[^ ,:#]+]]: tensor<1x7x2x4xf32>, %[[C:[^ ,:#]+]]: tensor<1x7x2x4xf32>, %[[Z:[^ ,:#]+]]: tensor<1x7x16xf32>, %[[DBIAS:[^ ,:#]+]]: tensor<16xf32>, %[[H0:[^ ,:#]+]]: tensor<1x16x4xf32>) -> (tensor<1x7x16xf32>, tensor<1x16x4xf32>) {
// CHECK-NEXT: %[[Y:[^ ,:#]+]], %[[H:[^ ,:#]+]] = sessa.selective_scan %[[U]], %[[DELTA]], %[[A]], %[[B]], %[[C]] z(%[[Z]] : tensor<1x7x16xf32>) delta_bias(%[[DBIAS]] : tensor<16xf32>) h0(%[[H0]] : tensor<1x16x4xf32>) : tensor<1x7x16xf32>, tensor<1x7x16xf32>, tensor<16x4xf32>, tensor<1x7x2x4xf32>, tensor<1x7x2x4xf32> -> tensor<1x7x16xf32>, tensor<1x16x4xf32>
// CHECK-NEXT: return %[[Y]], %[[H]] : tensor<1x7x16xf32>, tensor<1x16x4xf32>
func.func @scan_z_delta_bias_h0(%u: tensor<1x7x16xf32>, %delta: tensor<1x7x16xf32>, %A: tensor<16x4xf32>, %B: tensor<1x7x2x4xf32>, %C: tensor<1x7x2x4xf32>, %z: tensor<1x7x16xf32>, %dbias: tensor<16xf32>, %h0: tensor<1x16x4xf32>) -> (tensor<1x7x16xf32>, tensor<1x16x4xf32>) {
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C z(%z : tensor<1x7x16xf32>) delta_bias(%dbias : tensor<16xf32>) h0(%h0 : tensor<1x16x4xf32>) : tensor<1x7x16xf32>, tensor<1x7x16xf32>, tensor<16x4xf32>, tensor<1x7x2x4xf32>, tensor<1x7x2x4xf32> -> tensor<1x7x16xf32>, tensor<1x16x4xf32>
  return %y, %h : tensor<1x7x16xf32>, tensor<1x16x4xf32>
}
