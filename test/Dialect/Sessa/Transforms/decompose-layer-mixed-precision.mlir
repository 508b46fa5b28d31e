// sessa-decompose-layer{mixed-precision}: a bf16 layer keeps its weights and
// the activations between ops in bf16 (products accumulate in f32 and are
// rounded once); by default the same layer is converted to f32 first.

// RUN: sessa-opt %s --sessa-decompose-layer=mixed-precision | FileCheck %s
// RUN: sessa-opt %s --sessa-decompose-layer | FileCheck %s --check-prefix=F32

// CHECK-LABEL: func.func @layer_bf16(
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x?x64xbf16>
// x is not converted to an f32 tensor: LayerNorm's first reduction reads
// the bf16 rows and widens each element (and so does the residual).
// CHECK: %[[XR:.+]] = tensor.collapse_shape %[[X]] {{.+}} : tensor<2x?x64xbf16> into tensor<?x64xbf16>
// CHECK: linalg.generic {{.+}} iterator_types = ["parallel", "reduction"]{{.*}} ins(%[[XR]] : tensor<?x64xbf16>)
// CHECK-NEXT: ^bb0(%[[XE:.+]]: bf16, %{{.+}}: f32):
// CHECK-NEXT: arith.extf %[[XE]] : bf16 to f32
// LayerNorm in f32, its output rounded to bf16.
// CHECK: arith.truncf %{{.+}} : f32 to bf16
// The W_in products read bf16 operands (extended in the body) into f32.
// CHECK: linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "reduction"]{{.*}} ins(%{{.+}}, %{{.+}} : tensor<?x64xbf16>, tensor<64x64xbf16>) outs(%{{.+}} : tensor<?x64xf32>)
// CHECK-NEXT: ^bb0(%[[A:.+]]: bf16, %[[W:.+]]: bf16, %[[ACC:.+]]: f32):
// CHECK-NEXT: %[[AE:.+]] = arith.extf %[[A]] : bf16 to f32
// CHECK-NEXT: %[[WE:.+]] = arith.extf %[[W]] : bf16 to f32
// CHECK-NEXT: %[[P:.+]] = arith.mulf %[[AE]], %[[WE]] : f32
// CHECK-NEXT: arith.addf %[[ACC]], %[[P]] : f32
// RoPE, attention and the feedback run on bf16 tensors.
// CHECK: sessa.rope %{{.+}} : tensor<2x?x4x16xbf16>
// CHECK: sessa.attention %{{.+}} : tensor<2x?x4x16xbf16>, tensor<2x?x2x16xbf16>, tensor<2x?x2x16xbf16>
// CHECK: sessa.feedback_attention %{{.+}} : tensor<2x?x1x64xbf16>, tensor<2x?x1x64xbf16>, tensor<2x?x1x64xbf16>, tensor<2x?x1xbf16>
// CHECK: linalg.generic {{.+}} ins(%{{.+}}, %[[XR]] : tensor<?x64xf32>, tensor<?x64xbf16>)
// CHECK: return %{{.+}} : tensor<2x?x64xbf16>

// F32-LABEL: func.func @layer_bf16(
// F32-NOT: tensor<?x64xbf16>, tensor<64x64xbf16>
// F32: sessa.attention %{{.+}} : tensor<2x?x4x16xf32>, tensor<2x?x2x16xf32>, tensor<2x?x2x16xf32>
// F32: sessa.feedback_attention %{{.+}} : tensor<2x?x1x64xf32>, tensor<2x?x1x64xf32>, tensor<2x?x1x64xf32>, tensor<2x?x1xf32>
func.func @layer_bf16(%x: tensor<2x?x64xbf16>, %lnw: tensor<64xbf16>, %lnb: tensor<64xbf16>,
    %win: tensor<128x64xbf16>, %wq: tensor<64x64xbf16>, %wk: tensor<32x64xbf16>,
    %wv: tensor<32x64xbf16>, %wfb: tensor<128x64xbf16>, %wo: tensor<64x64xbf16>,
    %gctx: tensor<1x64xbf16>, %gb: tensor<1xbf16>, %wout: tensor<64x64xbf16>) -> tensor<2x?x64xbf16> {
  %y = sessa.layer %x norm(%lnw, %lnb) in_proj(%win) q_proj(%wq) k_proj(%wk)
      v_proj(%wv) fb_proj(%wfb) out_proj(%wo) gate(%gctx, %gb) out(%wout)
      {num_heads = 4 : i64, num_kv_heads = 2 : i64}
      : (tensor<2x?x64xbf16>, tensor<64xbf16>, tensor<64xbf16>, tensor<128x64xbf16>,
         tensor<64x64xbf16>, tensor<32x64xbf16>, tensor<32x64xbf16>, tensor<128x64xbf16>,
         tensor<64x64xbf16>, tensor<1x64xbf16>, tensor<1xbf16>, tensor<64x64xbf16>)
      -> tensor<2x?x64xbf16>
  return %y : tensor<2x?x64xbf16>
}
