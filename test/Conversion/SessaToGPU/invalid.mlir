// What convert-sessa-to-gpu refuses, with its diagnostics.

// RUN: sessa-opt %s --split-input-file --convert-sessa-to-gpu --verify-diagnostics

// The SIMT attention kernel stages Q, K and V tiles in f32: d = 256 needs
// more than the 48 KB of static workgroup memory.
func.func @attention_head_dim_too_large(%q: tensor<1x4x2x256xf32>, %k: tensor<1x4x2x256xf32>) -> tensor<1x4x2x256xf32> {
  // expected-error@+2 {{'sessa.attention' op GPU lowering: head dim 256 needs 82048 bytes of workgroup memory in the SIMT kernel (at most 49152)}}
  // expected-error@+1 {{'sessa.attention' op was not lowered by convert-sessa-to-gpu}}
  %o = sessa.attention %q, %k, %k : tensor<1x4x2x256xf32>, tensor<1x4x2x256xf32>, tensor<1x4x2x256xf32>
  return %o : tensor<1x4x2x256xf32>
}

// -----

// bf16 with d = 256 is past the tensor-core kernel (d <= 128) and the SIMT
// kernel alike.
func.func @attention_bf16_head_dim_too_large(%q: tensor<1x4x2x256xbf16>, %k: tensor<1x4x2x256xbf16>) -> tensor<1x4x2x256xbf16> {
  // expected-error@+2 {{GPU lowering: head dim 256 needs 82048 bytes of workgroup memory}}
  // expected-error@+1 {{was not lowered by convert-sessa-to-gpu}}
  %o = sessa.attention %q, %k, %k : tensor<1x4x2x256xbf16>, tensor<1x4x2x256xbf16>, tensor<1x4x2x256xbf16>
  return %o : tensor<1x4x2x256xbf16>
}

// -----

// rope with a dynamic number of heads: the kernel's rows (b, h) need H.
func.func @rope_dynamic_heads(%x: tensor<1x4x?x8xf32>) -> tensor<1x4x?x8xf32> {
  // expected-error@+2 {{'sessa.rope' op GPU lowering needs a static, even head dimension and static heads}}
  // expected-error@+1 {{'sessa.rope' op was not lowered by convert-sessa-to-gpu}}
  %o = sessa.rope %x : tensor<1x4x?x8xf32>
  return %o : tensor<1x4x?x8xf32>
}

// -----

// The state of a channel is kept in registers: at most 64 states per lane,
// 4 lanes per channel (N = 260 would need 65 per lane).
func.func @scan_state_too_large(%u: tensor<1x4x8xf32>, %A: tensor<8x260xf32>, %B: tensor<1x4x1x260xf32>) -> tensor<1x4x8xf32> {
  // expected-error @+2 {{'sessa.selective_scan' op state size N = 260 is too large for the GPU scan (at most 256 states per channel are kept in registers)}}
  // expected-error @+1 {{'sessa.selective_scan' op was not lowered by convert-sessa-to-gpu}}
  %y, %h = sessa.selective_scan %u, %u, %A, %B, %B : tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<8x260xf32>, tensor<1x4x1x260xf32>, tensor<1x4x1x260xf32> -> tensor<1x4x8xf32>, tensor<1x8x260xf32>
  return %y : tensor<1x4x8xf32>
}
