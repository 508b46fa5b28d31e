// sessa-entry-point-abi accepts only ranked tensor arguments and results on
// public functions; anything else is an error at the function.

// RUN: sessa-opt %s --split-input-file --sessa-entry-point-abi -verify-diagnostics

// expected-error @below {{entry point @scalar_arg: argument #1 has type 'index'; artifact entry points take ranked tensors}}
func.func @scalar_arg(%a: tensor<2xf32>, %n: index) -> tensor<2xf32> {
  return %a : tensor<2xf32>
}

// -----

// expected-error @below {{entry point @unranked_arg: argument #0 has type 'tensor<*xf32>'; artifact entry points take ranked tensors}}
func.func @unranked_arg(%a: tensor<*xf32>) -> tensor<2xf32> {
  %c = tensor.cast %a : tensor<*xf32> to tensor<2xf32>
  return %c : tensor<2xf32>
}

// -----

// expected-error @below {{entry point @memref_arg: argument #0 has type 'memref<2xf32>'; artifact entry points take ranked tensors}}
func.func @memref_arg(%a: memref<2xf32>) -> tensor<2xf32> {
  %t = bufferization.to_tensor %a : memref<2xf32> to tensor<2xf32>
  return %t : tensor<2xf32>
}

// -----

// expected-error @below {{entry point @scalar_result: result #0 has type 'f32'; artifact entry points return ranked tensors}}
func.func @scalar_result(%a: tensor<2xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %e = tensor.extract %a[%c0] : tensor<2xf32>
  return %e : f32
}

// -----

// A private function with a non-tensor argument is not an entry point: no
// error.
func.func private @private_scalar(%a: tensor<2xf32>, %n: index) -> tensor<2xf32> {
  return %a : tensor<2xf32>
}
