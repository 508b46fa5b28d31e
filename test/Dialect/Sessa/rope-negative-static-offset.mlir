// Known verifier bug: RopeOp::verify checks `getStaticOffset() < 0`, but the
// accessor of an I64Attr returns uint64_t, so the comparison is always false
// and a negative `static_offset` is accepted (it reaches lowerings as a huge
// unsigned position). Fix: compare `static_cast<int64_t>(getStaticOffset())`

// RUN: sessa-opt %s -split-input-file -verify-diagnostics

// static_offset must be >= 0
func.func @rope_negative_static_offset(%x: tensor<2x4x2x8xf32>) {
  // expected-error @+1 {{attribute 'static_offset' must be >= 0, but is -1}}
  %r = sessa.rope %x {static_offset = -1} : tensor<2x4x2x8xf32>
  return
}
