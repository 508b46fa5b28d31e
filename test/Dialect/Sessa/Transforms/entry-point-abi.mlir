// sessa-entry-point-abi gives every public function the destination-passing
// ABI: tensor arguments become identity-layout memrefs (inputs first, then
// one output memref per result), inputs are read with
// bufferization.to_tensor restrict, each returned value is written with
// bufferization.materialize_in_destination ... restrict writable, the
// function returns nothing and gets llvm.emit_c_interface. Private
// functions and declarations are left untouched. The caches of a sessa.layer
// (arguments used only as its cache operands, results that are its extended
// caches) get dense rows but a dynamic batch stride, strided<[?, ...]>, so a
// caller can pass views of a larger [B, capacity, ...] buffer. Every output
// argument is marked `sessa.output` (what the runtime ABI says about its
// memory, for the GPU passes; dropped before LLVM IR).

// RUN: sessa-opt %s --split-input-file --sessa-entry-point-abi | FileCheck %s
// RUN: sessa-opt %s --split-input-file --sessa-entry-point-abi --sessa-drop-output-marks \
// RUN: | FileCheck %s --check-prefix=DROP
// DROP-LABEL: func.func @two_results(
//  DROP-SAME: {test.res = "y"}
//   DROP-NOT: sessa.output

// CHECK-LABEL: func.func @two_results(
// CHECK-SAME: %[[A:[^ ,:]+]]: memref<2x3xf32> {test.name = "a"}, %[[B:[^ ,:]+]]: memref<?x4xbf16>, %[[Y0:[^ ,:]+]]: memref<2x3xf32> {sessa.output, test.res = "y"}, %[[Y1:[^ ,:]+]]: memref<?x4xbf16> {sessa.output})
// CHECK-SAME: attributes {llvm.emit_c_interface} {
// CHECK-NEXT: %[[TA:.+]] = bufferization.to_tensor %[[A]] restrict : memref<2x3xf32> to tensor<2x3xf32>
// CHECK-NEXT: %[[TB:.+]] = bufferization.to_tensor %[[B]] restrict : memref<?x4xbf16> to tensor<?x4xbf16>
// CHECK-NEXT: %[[SUM:.+]] = arith.addf %[[TA]], %[[TA]] : tensor<2x3xf32>
// CHECK-NEXT: bufferization.materialize_in_destination %[[SUM]] in restrict writable %[[Y0]] : (tensor<2x3xf32>, memref<2x3xf32>) -> ()
// CHECK-NEXT: bufferization.materialize_in_destination %[[TB]] in restrict writable %[[Y1]] : (tensor<?x4xbf16>, memref<?x4xbf16>) -> ()
// CHECK-NEXT: return{{$}}
// CHECK-NEXT: }
func.func @two_results(%a: tensor<2x3xf32> {test.name = "a"}, %b: tensor<?x4xbf16>) -> (tensor<2x3xf32> {test.res = "y"}, tensor<?x4xbf16>) {
  %s = arith.addf %a, %a : tensor<2x3xf32>
  return %s, %b : tensor<2x3xf32>, tensor<?x4xbf16>
}

// Private functions (definitions and declarations) keep their tensor types
// and get no C interface; calls to them keep working on tensors.
// CHECK-LABEL: func.func private @helper(
// CHECK-SAME: %{{[^ ,:]+}}: tensor<4xf32>) -> tensor<4xf32> {
// CHECK-NOT: bufferization
// CHECK: return %{{.+}} : tensor<4xf32>
func.func private @helper(%a: tensor<4xf32>) -> tensor<4xf32> {
  return %a : tensor<4xf32>
}

// CHECK: func.func private @external(tensor<4xf32>) -> tensor<4xf32>{{$}}
func.func private @external(tensor<4xf32>) -> tensor<4xf32>

// Every return of a multi-block function writes the destination.
// CHECK-LABEL: func.func @branches(
// CHECK-SAME: %[[C:[^ ,:]+]]: memref<i1>, %[[A:[^ ,:]+]]: memref<4xf32>, %[[OUT:[^ ,:]+]]: memref<4xf32> {sessa.output}) attributes {llvm.emit_c_interface} {
// CHECK-NEXT: %[[TC:.+]] = bufferization.to_tensor %[[C]] restrict : memref<i1> to tensor<i1>
// CHECK-NEXT: %[[TA:.+]] = bufferization.to_tensor %[[A]] restrict : memref<4xf32> to tensor<4xf32>
// CHECK: cf.cond_br
// CHECK: ^bb1:
// CHECK-NEXT: bufferization.materialize_in_destination %[[TA]] in restrict writable %[[OUT]] : (tensor<4xf32>, memref<4xf32>) -> ()
// CHECK-NEXT: return{{$}}
// CHECK: ^bb2:
// CHECK-NEXT: %[[R:.+]] = call @helper(%[[TA]]) : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: bufferization.materialize_in_destination %[[R]] in restrict writable %[[OUT]] : (tensor<4xf32>, memref<4xf32>) -> ()
// CHECK-NEXT: return{{$}}
func.func @branches(%c: tensor<i1>, %a: tensor<4xf32>) -> tensor<4xf32> {
  %p = tensor.extract %c[] : tensor<i1>
  cf.cond_br %p, ^bb1, ^bb2
^bb1:
  return %a : tensor<4xf32>
^bb2:
  %r = call @helper(%a) : (tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// A sessa op inside an entry point: the op itself is unchanged, its operands
// come from to_tensor and its result goes to the output memref.
// CHECK-LABEL: func.func @rope_entry(
// CHECK-SAME: %[[X:[^ ,:]+]]: memref<1x4x2x8xf16>, %[[OUT:[^ ,:]+]]: memref<1x4x2x8xf16> {sessa.output}) attributes {llvm.emit_c_interface} {
// CHECK-NEXT: %[[TX:.+]] = bufferization.to_tensor %[[X]] restrict : memref<1x4x2x8xf16> to tensor<1x4x2x8xf16>
// CHECK-NEXT: %[[R:.+]] = sessa.rope %[[TX]] : tensor<1x4x2x8xf16>
// CHECK-NEXT: bufferization.materialize_in_destination %[[R]] in restrict writable %[[OUT]]
// CHECK-NEXT: return{{$}}
func.func @rope_entry(%x: tensor<1x4x2x8xf16>) -> tensor<1x4x2x8xf16> {
  %r = sessa.rope %x : tensor<1x4x2x8xf16>
  return %r : tensor<1x4x2x8xf16>
}

// -----

// No results: inputs only, still a C interface.
// CHECK-LABEL: func.func @no_results(
// CHECK-SAME: %[[A:[^ ,:]+]]: memref<8xi32>) attributes {llvm.emit_c_interface} {
// CHECK-NEXT: bufferization.to_tensor %[[A]] restrict : memref<8xi32> to tensor<8xi32>
// CHECK-NEXT: return{{$}}
func.func @no_results(%a: tensor<8xi32>) {
  return
}

// -----

// A decoding step: the four cache arguments and the four extended caches are
// batch-strided; x, the weights and y stay dense.
// CHECK-LABEL: func.func @step(
// CHECK-SAME: %{{[^ ,:]+}}: memref<?x1x8xf32>,
// CHECK-SAME: %[[KC:[^ ,:]+]]: memref<?x?x1x4xf32, strided<[?, 4, 4, 1]>>, %[[VC:[^ ,:]+]]: memref<?x?x1x4xf32, strided<[?, 4, 4, 1]>>, %[[KBC:[^ ,:]+]]: memref<?x?x1x8xf32, strided<[?, 8, 8, 1]>>, %[[SC:[^ ,:]+]]: memref<?x?x1x8xf32, strided<[?, 8, 8, 1]>>,
// CHECK-SAME: %[[Y:[^ ,:]+]]: memref<?x1x8xf32> {sessa.output}, %[[K1:[^ ,:]+]]: memref<?x?x1x4xf32, strided<[?, 4, 4, 1]>> {sessa.output}, %[[V1:[^ ,:]+]]: memref<?x?x1x4xf32, strided<[?, 4, 4, 1]>> {sessa.output}, %[[KB1:[^ ,:]+]]: memref<?x?x1x8xf32, strided<[?, 8, 8, 1]>> {sessa.output}, %[[S1:[^ ,:]+]]: memref<?x?x1x8xf32, strided<[?, 8, 8, 1]>> {sessa.output})
// CHECK: bufferization.to_tensor %[[KC]] restrict : memref<?x?x1x4xf32, strided<[?, 4, 4, 1]>> to tensor<?x?x1x4xf32>
// CHECK: bufferization.materialize_in_destination %{{.+}} in restrict writable %[[K1]] : (tensor<?x?x1x4xf32>, memref<?x?x1x4xf32, strided<[?, 4, 4, 1]>>) -> ()
func.func @step(%x: tensor<?x1x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %b_in: tensor<16xf32>, %w_q: tensor<8x8xf32>, %b_q: tensor<8xf32>, %w_k: tensor<4x8xf32>, %b_k: tensor<4xf32>, %w_v: tensor<4x8xf32>, %b_v: tensor<4xf32>, %w_fb: tensor<16x8xf32>, %b_fb: tensor<16xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %b_out: tensor<8xf32>, %kc: tensor<?x?x1x4xf32>, %vc: tensor<?x?x1x4xf32>, %kbc: tensor<?x?x1x8xf32>, %sc: tensor<?x?x1x8xf32>) -> (tensor<?x1x8xf32>, tensor<?x?x1x4xf32>, tensor<?x?x1x4xf32>, tensor<?x?x1x8xf32>, tensor<?x?x1x8xf32>) {
  %y, %k1, %v1, %kb1, %s1 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in, %b_in) q_proj(%w_q, %b_q) k_proj(%w_k, %b_k) v_proj(%w_v, %b_v) fb_proj(%w_fb, %b_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out, %b_out) cache(%kc, %vc, %kbc, %sc) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<?x1x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<?x?x1x4xf32>, tensor<?x?x1x4xf32>, tensor<?x?x1x8xf32>, tensor<?x?x1x8xf32>) -> (tensor<?x1x8xf32>, tensor<?x?x1x4xf32>, tensor<?x?x1x4xf32>, tensor<?x?x1x8xf32>, tensor<?x?x1x8xf32>)
  return %y, %k1, %v1, %kb1, %s1 : tensor<?x1x8xf32>, tensor<?x?x1x4xf32>, tensor<?x?x1x4xf32>, tensor<?x?x1x8xf32>, tensor<?x?x1x8xf32>
}

// -----

// A tensor that is also used outside the layer's cache operands stays dense,
// and so does a result that is not (only) an extended cache.
// CHECK-LABEL: func.func @not_only_cache(
// CHECK-SAME: %{{[^ ,:]+}}: memref<8xf32>, %{{[^ ,:]+}}: memref<?x?x1x4xf32>, %{{[^ ,:]+}}: memref<?x?x1x4xf32, strided<[?, 4, 4, 1]>>,
// CHECK-SAME: %{{[^ ,:]+}}: memref<?x?x1x8xf32, strided<[?, 8, 8, 1]>> {sessa.output}, %{{[^ ,:]+}}: memref<?x?x1x4xf32> {sessa.output}) attributes
func.func @not_only_cache(%x: tensor<?x1x8xf32>, %ln_w: tensor<8xf32>, %ln_b: tensor<8xf32>, %w_in: tensor<16x8xf32>, %b_in: tensor<16xf32>, %w_q: tensor<8x8xf32>, %b_q: tensor<8xf32>, %w_k: tensor<4x8xf32>, %b_k: tensor<4xf32>, %w_v: tensor<4x8xf32>, %b_v: tensor<4xf32>, %w_fb: tensor<16x8xf32>, %b_fb: tensor<16xf32>, %w_o: tensor<8x8xf32>, %g_ctx: tensor<1x8xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<8x8xf32>, %b_out: tensor<8xf32>, %kc: tensor<?x?x1x4xf32>, %vc: tensor<?x?x1x4xf32>, %kbc: tensor<?x?x1x8xf32>, %sc: tensor<?x?x1x8xf32>) -> (tensor<?x1x8xf32>, tensor<?x?x1x4xf32>, tensor<?x?x1x4xf32>, tensor<?x?x1x8xf32>, tensor<?x?x1x8xf32>, tensor<?x?x1x4xf32>) {
  %y, %k1, %v1, %kb1, %s1 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in, %b_in) q_proj(%w_q, %b_q) k_proj(%w_k, %b_k) v_proj(%w_v, %b_v) fb_proj(%w_fb, %b_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out, %b_out) cache(%kc, %vc, %kbc, %sc) {num_heads = 2 : i64, num_kv_heads = 1 : i64} : (tensor<?x1x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<8x8xf32>, tensor<1x8xf32>, tensor<1xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<?x?x1x4xf32>, tensor<?x?x1x4xf32>, tensor<?x?x1x8xf32>, tensor<?x?x1x8xf32>) -> (tensor<?x1x8xf32>, tensor<?x?x1x4xf32>, tensor<?x?x1x4xf32>, tensor<?x?x1x8xf32>, tensor<?x?x1x8xf32>)
  %e = arith.addf %kc, %kc : tensor<?x?x1x4xf32>
  return %y, %k1, %v1, %kb1, %s1, %e : tensor<?x1x8xf32>, tensor<?x?x1x4xf32>, tensor<?x?x1x4xf32>, tensor<?x?x1x8xf32>, tensor<?x?x1x8xf32>, tensor<?x?x1x4xf32>
}
