// sessa-entry-point-abi gives every public function the destination-passing
// ABI: tensor arguments become identity-layout memrefs (inputs first, then
// one output memref per result), inputs are read with
// bufferization.to_tensor restrict, each returned value is written with
// bufferization.materialize_in_destination ... restrict writable, the
// function returns nothing and gets llvm.emit_c_interface. Private
// functions and declarations are left untouched.

// RUN: sessa-opt %s --split-input-file --sessa-entry-point-abi | FileCheck %s

// CHECK-LABEL: func.func @two_results(
// CHECK-SAME: %[[A:[^ ,:]+]]: memref<2x3xf32> {test.name = "a"}, %[[B:[^ ,:]+]]: memref<?x4xbf16>, %[[Y0:[^ ,:]+]]: memref<2x3xf32> {test.res = "y"}, %[[Y1:[^ ,:]+]]: memref<?x4xbf16>)
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
// CHECK-SAME: %[[C:[^ ,:]+]]: memref<i1>, %[[A:[^ ,:]+]]: memref<4xf32>, %[[OUT:[^ ,:]+]]: memref<4xf32>) attributes {llvm.emit_c_interface} {
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
// CHECK-SAME: %[[X:[^ ,:]+]]: memref<1x4x2x8xf16>, %[[OUT:[^ ,:]+]]: memref<1x4x2x8xf16>) attributes {llvm.emit_c_interface} {
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
