// With share-rope-launches, ropes that follow each other in a block (the
// rope of q and the rope of k of a layer) share one kernel launch: grid z selects the rope, x and y
// cover the largest of them, each rope keeps its own bounds, offset and
// heads. A rope whose result is used before the next rope, or of another
// storage type, keeps its own launch.

// RUN: sessa-opt %s --split-input-file --convert-sessa-to-gpu="share-rope-launches=true" --cse | FileCheck %s
// By default each rope has its own launch.
// RUN: sessa-opt %s --split-input-file --convert-sessa-to-gpu --cse | FileCheck %s --check-prefix=DEFAULT
// DEFAULT-LABEL: func.func @q_and_k(
// DEFAULT-COUNT-2: gpu.launch blocks({{.+}}) in (%{{[^ ]+}} = %{{.+}}, %{{[^ ]+}} = %{{.+}}, %{{[^ ]+}} = %c1)
// DEFAULT-NOT: gpu.launch
// DEFAULT-LABEL: func.func @used_between(

// q with 8 heads, k with 4 (GQA), both at position offset %p.
// CHECK-LABEL: func.func @q_and_k(
// CHECK-SAME: %[[Q:[^:]+]]: tensor<2x?x8x64xbf16>, %[[K:[^:]+]]: tensor<2x?x4x64xbf16>, %[[P:[^:]+]]: index)
// CHECK-NOT: sessa.rope
// CHECK: %[[QB:.+]] = bufferization.to_buffer %[[Q]] read_only
// CHECK: %[[QO:.+]] = memref.alloc(
// CHECK: %[[KB:.+]] = bufferization.to_buffer %[[K]] read_only
// CHECK: %[[KO:.+]] = memref.alloc(
// The larger of the two row-group counts and of the two T, at least 1.
// CHECK: %[[MY:.+]] = arith.maxui %{{.+}}, %{{.+}} : index
// CHECK: %[[MX:.+]] = arith.maxui %{{.+}}, %{{.+}} : index
// CHECK: %[[GY:.+]] = arith.maxui %[[MY]], %c1 : index
// CHECK: %[[GX:.+]] = arith.maxui %[[MX]], %c1 : index
// CHECK: gpu.launch blocks(%{{[^,]+}}, %{{[^,]+}}, %[[BZ:[^)]+]]) in (%{{[^ ]+}} = %[[GX]], %{{[^ ]+}} = %[[GY]], %{{[^ ]+}} = %c2)
// CHECK: %[[IS0:.+]] = arith.cmpi eq, %[[BZ]], %c0
// CHECK: scf.if %[[IS0]] {
// CHECK: arith.addi %[[P]], %{{.+}} : index
// CHECK: math.cos
// CHECK: arith.divui %{{.+}}, %c8 : index
// CHECK: memref.load %[[QB]]
// CHECK: memref.store %{{.+}}, %[[QO]]
// CHECK: %[[IS1:.+]] = arith.cmpi eq, %[[BZ]], %c1
// CHECK: scf.if %[[IS1]] {
// CHECK: arith.addi %[[P]], %{{.+}} : index
// CHECK: math.cos
// CHECK: arith.divui %{{.+}}, %c4 : index
// CHECK: memref.load %[[KB]]
// CHECK: memref.store %{{.+}}, %[[KO]]
// CHECK: gpu.terminator
// CHECK-NOT: gpu.launch
// CHECK: bufferization.to_tensor %[[QO]]
// CHECK: bufferization.to_tensor %[[KO]]
// CHECK: return
func.func @q_and_k(%q: tensor<2x?x8x64xbf16>, %k: tensor<2x?x4x64xbf16>, %p: index) -> (tensor<2x?x8x64xbf16>, tensor<2x?x4x64xbf16>) {
  %qr = sessa.rope %q offset(%p) : tensor<2x?x8x64xbf16>
  %kr = sessa.rope %k offset(%p) : tensor<2x?x4x64xbf16>
  return %qr, %kr : tensor<2x?x8x64xbf16>, tensor<2x?x4x64xbf16>
}

// -----

// The first result is read before the second rope: two launches.
// CHECK-LABEL: func.func @used_between(
// CHECK: gpu.launch blocks({{.+}}) in (%{{[^ ]+}} = %{{.+}}, %{{[^ ]+}} = %{{.+}}, %{{[^ ]+}} = %c1)
// CHECK-NOT: arith.cmpi eq
// CHECK: gpu.terminator
// CHECK: tensor.extract
// CHECK: gpu.launch
// CHECK: gpu.terminator
func.func @used_between(%q: tensor<1x4x2x8xf32>, %k: tensor<1x4x2x8xf32>) -> (f32, tensor<1x4x2x8xf32>) {
  %c0 = arith.constant 0 : index
  %qr = sessa.rope %q : tensor<1x4x2x8xf32>
  %e = tensor.extract %qr[%c0, %c0, %c0, %c0] : tensor<1x4x2x8xf32>
  %kr = sessa.rope %k : tensor<1x4x2x8xf32>
  return %e, %kr : f32, tensor<1x4x2x8xf32>
}

// -----

// f32 and bf16 storage: two launches.
// CHECK-LABEL: func.func @two_types(
// CHECK-COUNT-2: gpu.launch
// CHECK-NOT: gpu.launch
func.func @two_types(%q: tensor<1x4x2x8xf32>, %k: tensor<1x4x2x8xbf16>) -> (tensor<1x4x2x8xf32>, tensor<1x4x2x8xbf16>) {
  %qr = sessa.rope %q : tensor<1x4x2x8xf32>
  %kr = sessa.rope %k : tensor<1x4x2x8xbf16>
  return %qr, %kr : tensor<1x4x2x8xf32>, tensor<1x4x2x8xbf16>
}
