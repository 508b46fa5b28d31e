// sessa-gpu-map-linalg diagnostics: linalg on tensors (not bufferized) and
// an output written through a reduction loop have no GPU kernel; the launch
// options are checked.

// RUN: sessa-opt %s --split-input-file --sessa-gpu-map-linalg --verify-diagnostics
// RUN: not sessa-opt %s --split-input-file --sessa-gpu-map-linalg="block-size=100" 2>&1 | FileCheck %s --check-prefix=OPTS
// OPTS: error: sessa-gpu-map-linalg: block-size must be a multiple of 32 in [32, 1024] and max-blocks positive (got 100, 65536)

func.func @on_tensors(%t: tensor<4xf32>) -> tensor<4xf32> {
  %z = arith.constant 0.0 : f32
  // expected-error @below {{'linalg.fill' op has tensor operands; a GPU kernel needs buffers (bufferize first)}}
  %r = linalg.fill ins(%z : f32) outs(%t : tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

func.func @output_through_reduction(%x: memref<4x4xf32>, %o: memref<4x4xf32>) {
  // expected-error @below {{'linalg.generic' op writes its output #0 through reduction loop d1; no GPU kernel for that}}
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j, i)>],
                  iterator_types = ["parallel", "reduction"]}
    ins(%x : memref<4x4xf32>) outs(%o : memref<4x4xf32>) {
  ^bb0(%a: f32, %b: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  }
  return
}
