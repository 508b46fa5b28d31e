// With share-rope-launches, ropes that follow each other in a block (the
// rope of q and the rope of k of a layer) share one kernel launch: grid z selects the rope, x
// covers the position rows of the largest of them, each rope keeps its own
// bounds, offset, heads and thread mapping. A rope whose result is used before the next rope, or of another
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
// The larger of the two block counts (B*T / 8 position rows a block), at
// least 1.
// CHECK: %[[MX:.+]] = arith.maxui %{{.+}}, %{{.+}} : index
// CHECK: %[[GX:.+]] = arith.maxui %[[MX]], %c1 : index
// CHECK: gpu.launch blocks(%{{[^,]+}}, %{{[^,]+}}, %[[BZ:[^)]+]]) in (%{{[^ ]+}} = %[[GX]], %{{[^ ]+}} = %c1, %{{[^ ]+}} = %c2)
// CHECK: %[[IS0:.+]] = arith.cmpi eq, %[[BZ]], %c0
// CHECK: scf.if %[[IS0]] {
// q: 8 chunks x 4 head lanes (of 8 heads) x 8 position rows.
// CHECK: arith.remui %{{.+}}, %c4 : index
// CHECK: arith.addi %[[P]], %{{.+}} : index
// CHECK: vector.load %[[QB]]
// CHECK: math.cos %{{.+}} : f32
// CHECK: vector.store %{{.+}}, %[[QO]]
// CHECK: %[[IS1:.+]] = arith.cmpi eq, %[[BZ]], %c1
// CHECK: scf.if %[[IS1]] {
// k: 8 chunks x 4 head lanes (all of its 4 heads) x 8 position rows.
// CHECK: arith.remui %{{.+}}, %c4 : index
// CHECK: arith.addi %[[P]], %{{.+}} : index
// CHECK: vector.load %[[KB]]
// CHECK: math.cos %{{.+}} : f32
// CHECK: vector.store %{{.+}}, %[[KO]]
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
// CHECK: gpu.launch blocks(%{{[^,]+}}, %{{[^,]+}}, %[[BZ:[^)]+]]) in (%{{[^ ]+}} = %{{.+}}, %{{[^ ]+}} = %{{.+}}, %{{[^ ]+}} = %c1)
// CHECK-NOT: arith.cmpi eq, %[[BZ]]
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
