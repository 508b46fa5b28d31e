// Ops the GPU lowering refuses, with the reason.
// RUN: sessa-opt %s --split-input-file --convert-sessa-to-gpu -verify-diagnostics

// The state of a channel is kept in registers: at most 64 states per lane,
// 4 lanes per channel (N = 260 would need 65 per lane).
func.func @scan_state_too_large(%u: tensor<1x4x8xf32>, %A: tensor<8x260xf32>, %B: tensor<1x4x1x260xf32>) -> tensor<1x4x8xf32> {
  // expected-error @+2 {{'sessa.selective_scan' op state size N = 260 is too large for the GPU scan (at most 256 states per channel are kept in registers)}}
  // expected-error @+1 {{'sessa.selective_scan' op was not lowered by convert-sessa-to-gpu}}
  %y, %h = sessa.selective_scan %u, %u, %A, %B, %B : tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<8x260xf32>, tensor<1x4x1x260xf32>, tensor<1x4x1x260xf32> -> tensor<1x4x8xf32>, tensor<1x8x260xf32>
  return %y : tensor<1x4x8xf32>
}
