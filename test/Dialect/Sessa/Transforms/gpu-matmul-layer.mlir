// On the decomposed and bufferized example layer, sessa-gpu-matmul takes all
// nine projections (in_proj's two row halves of W_in as strided subviews,
// q/k/v, feedback, output and out projections) and folds their zero fills;
// the row reductions of LayerNorm and the gate stay linalg. M (= T) is
// dynamic, so each product gets both kernels: the tiled one for M > 16 and
// the small-M one (marked gemm_small_m) otherwise.

// RUN: sessa-opt %sessa_src/examples/cpp/layer.mlir --sessa-decompose-layer \
// RUN:   --one-shot-bufferize="allow-unknown-ops bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" \
// RUN: | sessa-opt --sessa-gpu-matmul | FileCheck %s

// CHECK-LABEL: func.func @layer_step
// CHECK-COUNT-9: sessa.gpu_kernel = "gemm_small_m"
// CHECK-NOT: gpu.launch blocks
// CHECK-NOT: iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: return
