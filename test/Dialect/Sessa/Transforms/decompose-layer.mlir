// sessa-decompose-layer rewrites sessa.layer into SPEC section 5: LayerNorm
// generics (biased variance), the Linear projections as matmul-like generics
// x W^T (+ bias), with in_proj and fb_proj as two products each on the
// weight's (and bias's) row halves [0, D) and [D, 2D), exact erf GELU,
// sessa.rope (offset = cache length), sessa.attention over the concatenated
// key/value caches, out_proj only when num_heads > 1, the tanh gate,
// sessa.feedback_attention with the feedback cache, s * g, W_out and the
// residual; caches are extended with tensor.insert_slice (static lengths add
// statically; a statically empty cache is not concatenated).

// RUN: sessa-opt %s --split-input-file --sessa-decompose-layer --canonicalize --cse | FileCheck %s
// RUN: sessa-opt %s --split-input-file --sessa-decompose-layer | FileCheck %s --check-prefix=RAW
// No scalar is read from a tensor on the host (GPU buffers live on the device).
// RUN: sessa-opt %s --split-input-file --sessa-decompose-layer --canonicalize --cse | FileCheck %s --check-prefix=NOEXTRACT
// NOEXTRACT-NOT: tensor.extract {{%}}

// CHECK-DAG: #[[ID2:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[COL:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[ID1:.+]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[AT0:.+]] = affine_map<(d0) -> (0)>
// CHECK-DAG: #[[MA:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[MB:.+]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[MC:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>

// Decode step with a cache of P = 15 rows: B = 2, T = 1, D = 32, H = 4,
// Hk = 2, d = 8, every bias present.

// CHECK-LABEL: func.func @layer_decode_cache(
// CHECK-SAME: %[[X:[^ ,:]+]]: tensor<2x1x32xf32>, %[[LNW:[^ ,:]+]]: tensor<32xf32>, %[[LNB:[^ ,:]+]]: tensor<32xf32>, %[[WIN:[^ ,:]+]]: tensor<64x32xf32>, %[[BIN:[^ ,:]+]]: tensor<64xf32>, %[[WQ:[^ ,:]+]]: tensor<32x32xf32>, %[[BQ:[^ ,:]+]]: tensor<32xf32>, %[[WK:[^ ,:]+]]: tensor<16x32xf32>, %[[BK:[^ ,:]+]]: tensor<16xf32>, %[[WV:[^ ,:]+]]: tensor<16x32xf32>, %[[BV:[^ ,:]+]]: tensor<16xf32>, %[[WFB:[^ ,:]+]]: tensor<64x32xf32>, %[[BFB:[^ ,:]+]]: tensor<64xf32>, %[[WO:[^ ,:]+]]: tensor<32x32xf32>, %[[GCTX:[^ ,:]+]]: tensor<1x32xf32>, %[[GBIAS:[^ ,:]+]]: tensor<1xf32>, %[[WOUT:[^ ,:]+]]: tensor<32x32xf32>, %[[BOUT:[^ ,:]+]]: tensor<32xf32>, %[[KC:[^ ,:]+]]: tensor<2x15x2x8xf32>, %[[VC:[^ ,:]+]]: tensor<2x15x2x8xf32>, %[[KBC:[^ ,:]+]]: tensor<2x15x1x32xf32>, %[[SC:[^ ,:]+]]: tensor<2x15x1x32xf32>)
// CHECK-NOT: sessa.layer
// CHECK-DAG: %[[GMAX:.+]] = arith.constant 9.990000e-01 : f32
// CHECK-DAG: %[[INVSQRT2:.+]] = arith.constant 0.707106769 : f32
// CHECK-DAG: %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
// CHECK-DAG: %[[HALF:.+]] = arith.constant 5.000000e-01 : f32
// CHECK-DAG: %[[EPS:.+]] = arith.constant 9.99999974E-6 : f32
// CHECK-DAG: %[[INVD:.+]] = arith.constant 3.125000e-02 : f32
// x as [N = B*T, D] rows.
// CHECK: %[[X2:.+]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1], [2]] : tensor<2x1x32xf32> into tensor<2x32xf32>
// LayerNorm: mean, biased variance, rsqrt(var + eps), (x - mean) rstd w + b.
// CHECK: %[[SUM:.+]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ROW]]], iterator_types = ["parallel", "reduction"]} ins(%[[X2]] : tensor<2x32xf32>)
// CHECK: %[[MEAN:.+]] = linalg.generic {indexing_maps = [#[[ID1]], #[[ID1]]], iterator_types = ["parallel"]} ins(%[[SUM]] : tensor<2xf32>)
// CHECK: arith.mulf %{{.+}}, %[[INVD]] : f32
// CHECK: %[[SQ:.+]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ROW]], #[[ROW]]], iterator_types = ["parallel", "reduction"]} ins(%[[X2]], %[[MEAN]] : tensor<2x32xf32>, tensor<2xf32>)
// CHECK-NEXT: ^bb0(%[[XV:[^:]+]]: f32, %[[MV:[^:]+]]: f32, %[[ACC:[^:]+]]: f32):
// CHECK-NEXT: %[[CEN:.+]] = arith.subf %[[XV]], %[[MV]] : f32
// CHECK-NEXT: %[[SQV:.+]] = arith.mulf %[[CEN]], %[[CEN]] : f32
// CHECK-NEXT: arith.addf %[[ACC]], %[[SQV]] : f32
// CHECK: %[[RSTD:.+]] = linalg.generic {indexing_maps = [#[[ID1]], #[[ID1]]], iterator_types = ["parallel"]} ins(%[[SQ]] : tensor<2xf32>)
// CHECK-NEXT: ^bb0(%[[SV:[^:]+]]: f32, %{{.+}}: f32):
// CHECK-NEXT: %[[VAR:.+]] = arith.mulf %[[SV]], %[[INVD]] : f32
// CHECK-NEXT: %[[VE:.+]] = arith.addf %[[VAR]], %[[EPS]] : f32
// CHECK-NEXT: math.rsqrt %[[VE]] : f32
// CHECK: %[[U:.+]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ROW]], #[[ROW]], #[[COL]], #[[COL]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[X2]], %[[MEAN]], %[[RSTD]], %[[LNW]], %[[LNB]] : tensor<2x32xf32>, tensor<2xf32>, tensor<2xf32>, tensor<32xf32>, tensor<32xf32>)
// [a | g] = u W_in^T + b_in as two products on the row halves of W_in and
// b_in (no [N, 2D] product, no column slices): a = u W_in[0:D]^T + b_in[0:D];
// the bias half broadcast is the matmul's init.
// CHECK-DAG: %[[WINA:.+]] = tensor.extract_slice %[[WIN]][0, 0] [32, 32] [1, 1] : tensor<64x32xf32> to tensor<32x32xf32>
// CHECK-DAG: %[[BINA:.+]] = tensor.extract_slice %[[BIN]][0] [32] [1] : tensor<64xf32> to tensor<32xf32>
// CHECK: %[[BINAB:.+]] = linalg.generic {indexing_maps = [#[[COL]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[BINA]] : tensor<32xf32>) outs(%{{.+}} : tensor<2x32xf32>)
// CHECK: %[[A:.+]] = linalg.generic {indexing_maps = [#[[MA]], #[[MB]], #[[MC]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[U]], %[[WINA]] : tensor<2x32xf32>, tensor<32x32xf32>) outs(%[[BINAB]] : tensor<2x32xf32>)
// Exact GELU: 0.5 a (1 + erf(a / sqrt 2)).
// CHECK: %[[ABAR:.+]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[A]] : tensor<2x32xf32>)
// CHECK-NEXT: ^bb0(%[[AV:[^:]+]]: f32, %{{.+}}: f32):
// CHECK-NEXT: %[[AS:.+]] = arith.mulf %[[AV]], %[[INVSQRT2]] : f32
// CHECK-NEXT: %[[ERF:.+]] = math.erf %[[AS]] : f32
// CHECK-NEXT: %[[AH:.+]] = arith.mulf %[[AV]], %[[HALF]] : f32
// CHECK-NEXT: %[[E1:.+]] = arith.addf %[[ERF]], %[[ONE]] : f32
// CHECK-NEXT: %[[GV:.+]] = arith.mulf %[[AH]], %[[E1]] : f32
// CHECK-NEXT: linalg.yield %[[GV]] : f32
// g = u W_in[D:2D]^T + b_in[D:2D].
// CHECK-DAG: %[[WING:.+]] = tensor.extract_slice %[[WIN]][32, 0] [32, 32] [1, 1] : tensor<64x32xf32> to tensor<32x32xf32>
// CHECK-DAG: %[[BING:.+]] = tensor.extract_slice %[[BIN]][32] [32] [1] : tensor<64xf32> to tensor<32xf32>
// CHECK: %[[BINGB:.+]] = linalg.generic {indexing_maps = [#[[COL]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[BING]] : tensor<32xf32>) outs(%{{.+}} : tensor<2x32xf32>)
// CHECK: %[[G:.+]] = linalg.generic {indexing_maps = [#[[MA]], #[[MB]], #[[MC]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[U]], %[[WING]] : tensor<2x32xf32>, tensor<32x32xf32>) outs(%[[BINGB]] : tensor<2x32xf32>)
// q, k, v projections, unflattened to [B, T, heads, d].
// CHECK: %[[BQB:.+]] = linalg.generic {{.+}} ins(%[[BQ]] : tensor<32xf32>)
// CHECK: %[[Q2:.+]] = linalg.generic {indexing_maps = [#[[MA]], #[[MB]], #[[MC]]], {{.+}} ins(%[[ABAR]], %[[WQ]] : tensor<2x32xf32>, tensor<32x32xf32>) outs(%[[BQB]] : tensor<2x32xf32>)
// CHECK: %[[Q:.+]] = tensor.expand_shape %[[Q2]] {{\[}}[0, 1], [2, 3]] output_shape [2, 1, 4, 8] : tensor<2x32xf32> into tensor<2x1x4x8xf32>
// CHECK: %[[BKB:.+]] = linalg.generic {{.+}} ins(%[[BK]] : tensor<16xf32>)
// CHECK: %[[K2:.+]] = linalg.generic {indexing_maps = [#[[MA]], #[[MB]], #[[MC]]], {{.+}} ins(%[[ABAR]], %[[WK]] : tensor<2x32xf32>, tensor<16x32xf32>) outs(%[[BKB]] : tensor<2x16xf32>)
// CHECK: %[[K:.+]] = tensor.expand_shape %[[K2]] {{\[}}[0, 1], [2, 3]] output_shape [2, 1, 2, 8] : tensor<2x16xf32> into tensor<2x1x2x8xf32>
// CHECK: %[[BVB:.+]] = linalg.generic {{.+}} ins(%[[BV]] : tensor<16xf32>)
// CHECK: %[[V2:.+]] = linalg.generic {indexing_maps = [#[[MA]], #[[MB]], #[[MC]]], {{.+}} ins(%[[ABAR]], %[[WV]] : tensor<2x32xf32>, tensor<16x32xf32>) outs(%[[BVB]] : tensor<2x16xf32>)
// CHECK: %[[V:.+]] = tensor.expand_shape %[[V2]] {{\[}}[0, 1], [2, 3]] output_shape [2, 1, 2, 8] : tensor<2x16xf32> into tensor<2x1x2x8xf32>
// RoPE on q and k, positions continuing after the 15 cached rows.
// CHECK: %[[QR:.+]] = sessa.rope %[[Q]] {static_offset = 15 : i64} : tensor<2x1x4x8xf32>
// CHECK: %[[KR:.+]] = sessa.rope %[[K]] {static_offset = 15 : i64} : tensor<2x1x2x8xf32>
// K = [k_cache; rope(k)], V = [v_cache; v], of the static length 15 + 1
// (no tensor.cast to a dynamic length).
// CHECK: %[[KVE:.+]] = tensor.empty() : tensor<2x16x2x8xf32>
// CHECK: %[[KA0:.+]] = tensor.insert_slice %[[KC]] into %[[KVE]][0, 0, 0, 0] [2, 15, 2, 8] [1, 1, 1, 1] : tensor<2x15x2x8xf32> into tensor<2x16x2x8xf32>
// CHECK: %[[KALL:.+]] = tensor.insert_slice %[[KR]] into %[[KA0]][0, 15, 0, 0] [2, 1, 2, 8] [1, 1, 1, 1] : tensor<2x1x2x8xf32> into tensor<2x16x2x8xf32>
// CHECK: %[[VA0:.+]] = tensor.insert_slice %[[VC]] into %[[KVE]][0, 0, 0, 0] [2, 15, 2, 8] [1, 1, 1, 1] : tensor<2x15x2x8xf32> into tensor<2x16x2x8xf32>
// CHECK: %[[VALL:.+]] = tensor.insert_slice %[[V]] into %[[VA0]][0, 15, 0, 0] [2, 1, 2, 8] [1, 1, 1, 1] : tensor<2x1x2x8xf32> into tensor<2x16x2x8xf32>
// CHECK-NOT: tensor.cast
// CHECK: %[[ATT:.+]] = sessa.attention %[[QR]], %[[KALL]], %[[VALL]] : tensor<2x1x4x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x8xf32>
// f = attention out_proj^T (H > 1, no bias: a zero-filled init).
// CHECK: %[[F2:.+]] = tensor.collapse_shape %[[ATT]] {{\[}}[0, 1], [2, 3]] : tensor<2x1x4x8xf32> into tensor<2x32xf32>
// CHECK: %[[ZINIT:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<2x32xf32>) -> tensor<2x32xf32>
// CHECK: %[[F:.+]] = linalg.generic {indexing_maps = [#[[MA]], #[[MB]], #[[MC]]], {{.+}} ins(%[[F2]], %[[WO]] : tensor<2x32xf32>, tensor<32x32xf32>) outs(%[[ZINIT]] : tensor<2x32xf32>)
// [qb | kb] = abar proj_fb^T + b_fb, one feedback head of D, as two products
// on the row halves of W_fb and b_fb: qb from rows [0, D), kb from [D, 2D).
// CHECK-DAG: %[[WFBQ:.+]] = tensor.extract_slice %[[WFB]][0, 0] [32, 32] [1, 1] : tensor<64x32xf32> to tensor<32x32xf32>
// CHECK-DAG: %[[BFBQ:.+]] = tensor.extract_slice %[[BFB]][0] [32] [1] : tensor<64xf32> to tensor<32xf32>
// CHECK: %[[BFBQB:.+]] = linalg.generic {indexing_maps = [#[[COL]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[BFBQ]] : tensor<32xf32>) outs(%{{.+}} : tensor<2x32xf32>)
// CHECK: %[[QB2:.+]] = linalg.generic {indexing_maps = [#[[MA]], #[[MB]], #[[MC]]], {{.+}} ins(%[[ABAR]], %[[WFBQ]] : tensor<2x32xf32>, tensor<32x32xf32>) outs(%[[BFBQB]] : tensor<2x32xf32>)
// CHECK: %[[QB:.+]] = tensor.expand_shape %[[QB2]] {{\[}}[0, 1], [2, 3]] output_shape [2, 1, 1, 32] : tensor<2x32xf32> into tensor<2x1x1x32xf32>
// CHECK-DAG: %[[WFBK:.+]] = tensor.extract_slice %[[WFB]][32, 0] [32, 32] [1, 1] : tensor<64x32xf32> to tensor<32x32xf32>
// CHECK-DAG: %[[BFBK:.+]] = tensor.extract_slice %[[BFB]][32] [32] [1] : tensor<64xf32> to tensor<32xf32>
// CHECK: %[[BFBKB:.+]] = linalg.generic {indexing_maps = [#[[COL]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[BFBK]] : tensor<32xf32>) outs(%{{.+}} : tensor<2x32xf32>)
// CHECK: %[[KB2:.+]] = linalg.generic {indexing_maps = [#[[MA]], #[[MB]], #[[MC]]], {{.+}} ins(%[[ABAR]], %[[WFBK]] : tensor<2x32xf32>, tensor<32x32xf32>) outs(%[[BFBKB]] : tensor<2x32xf32>)
// CHECK: %[[KB:.+]] = tensor.expand_shape %[[KB2]] {{\[}}[0, 1], [2, 3]] output_shape [2, 1, 1, 32] : tensor<2x32xf32> into tensor<2x1x1x32xf32>
// gamma = gamma_max tanh(gamma_bias + abar . gamma_ctx).
// CHECK: %[[CTXROW:.+]] = tensor.extract_slice %[[GCTX]][0, 0] [1, 32] [1, 1] : tensor<1x32xf32> to tensor<32xf32>
// CHECK: %[[DOTS:.+]] = linalg.generic {indexing_maps = [#[[ID2]], #[[COL]], #[[ROW]]], iterator_types = ["parallel", "reduction"]} ins(%[[ABAR]], %[[CTXROW]] : tensor<2x32xf32>, tensor<32xf32>)
// gamma_bias is a generic input read at [0] (never extracted on the host).
// CHECK: %[[GAMMA:.+]] = linalg.generic {indexing_maps = [#[[ID1]], #[[AT0]], #[[ID1]]], iterator_types = ["parallel"]} ins(%[[DOTS]], %[[GBIAS]] : tensor<2xf32>, tensor<1xf32>)
// CHECK-NEXT: ^bb0(%[[DV:[^:]+]]: f32, %[[GB:[^:]+]]: f32, %{{.+}}: f32):
// CHECK-NEXT: %[[PRE:.+]] = arith.addf %[[DV]], %[[GB]] : f32
// CHECK-NEXT: %[[TANH:.+]] = math.tanh %[[PRE]] : f32
// CHECK-NEXT: %[[GM:.+]] = arith.mulf %[[TANH]], %[[GMAX]] : f32
// CHECK-NEXT: linalg.yield %[[GM]] : f32
// CHECK: %[[GAMMA3:.+]] = tensor.expand_shape %[[GAMMA]] {{\[}}[0, 1, 2]] output_shape [2, 1, 1] : tensor<2xf32> into tensor<2x1x1xf32>
// CHECK: %[[F4:.+]] = tensor.expand_shape %[[F]] {{\[}}[0, 1], [2, 3]] output_shape [2, 1, 1, 32] : tensor<2x32xf32> into tensor<2x1x1x32xf32>
// The feedback branch reads the kb / s caches as they are.
// CHECK: %[[S:.+]] = sessa.feedback_attention %[[F4]], %[[QB]], %[[KB]], %[[GAMMA3]] cache(%[[KBC]], %[[SC]]) : tensor<2x1x1x32xf32>, tensor<2x1x1x32xf32>, tensor<2x1x1x32xf32>, tensor<2x1x1xf32>, tensor<2x15x1x32xf32>, tensor<2x15x1x32xf32>
// y = x + (s * g) W_out^T + b_out.
// CHECK: %[[S2:.+]] = tensor.collapse_shape %[[S]] {{\[}}[0, 1], [2, 3]] : tensor<2x1x1x32xf32> into tensor<2x32xf32>
// CHECK: %[[SG:.+]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ID2]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[S2]], %[[G]] : tensor<2x32xf32>, tensor<2x32xf32>)
// CHECK: arith.mulf
// CHECK: %[[BOUTB:.+]] = linalg.generic {{.+}} ins(%[[BOUT]] : tensor<32xf32>)
// CHECK: %[[OUT:.+]] = linalg.generic {indexing_maps = [#[[MA]], #[[MB]], #[[MC]]], {{.+}} ins(%[[SG]], %[[WOUT]] : tensor<2x32xf32>, tensor<32x32xf32>) outs(%[[BOUTB]] : tensor<2x32xf32>)
// CHECK: %[[Y2:.+]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ID2]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[OUT]], %[[X2]] : tensor<2x32xf32>, tensor<2x32xf32>)
// CHECK: arith.addf
// CHECK: %[[Y:.+]] = tensor.expand_shape %[[Y2]] {{\[}}[0, 1], [2]] output_shape [2, 1, 32] : tensor<2x32xf32> into tensor<2x1x32xf32>
// Extended feedback caches: [kb_cache; kb] and [s_cache; s].
// CHECK: %[[FBE:.+]] = tensor.empty() : tensor<2x16x1x32xf32>
// CHECK: %[[KB0:.+]] = tensor.insert_slice %[[KBC]] into %[[FBE]][0, 0, 0, 0] [2, 15, 1, 32] [1, 1, 1, 1] : tensor<2x15x1x32xf32> into tensor<2x16x1x32xf32>
// CHECK: %[[KBALL:.+]] = tensor.insert_slice %[[KB]] into %[[KB0]][0, 15, 0, 0] [2, 1, 1, 32] [1, 1, 1, 1] : tensor<2x1x1x32xf32> into tensor<2x16x1x32xf32>
// CHECK: %[[S0:.+]] = tensor.insert_slice %[[SC]] into %[[FBE]][0, 0, 0, 0] [2, 15, 1, 32] [1, 1, 1, 1] : tensor<2x15x1x32xf32> into tensor<2x16x1x32xf32>
// CHECK: %[[SALL:.+]] = tensor.insert_slice %[[S]] into %[[S0]][0, 15, 0, 0] [2, 1, 1, 32] [1, 1, 1, 1] : tensor<2x1x1x32xf32> into tensor<2x16x1x32xf32>
// CHECK: return %[[Y]], %[[KALL]], %[[VALL]], %[[KBALL]], %[[SALL]] : tensor<2x1x32xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x1x32xf32>, tensor<2x16x1x32xf32>

// The pass alone (no canonicalization) already produces the primitive ops.
// RAW-LABEL: func.func @layer_decode_cache(
// RAW-NOT: sessa.layer
// RAW: sessa.rope %{{.+}} {static_offset = 15 : i64} : tensor<2x1x4x8xf32>
// RAW: sessa.rope %{{.+}} {static_offset = 15 : i64} : tensor<2x1x2x8xf32>
// RAW: tensor.insert_slice
// RAW: sessa.attention
// RAW: sessa.feedback_attention {{.+}} cache(
func.func @layer_decode_cache(%x: tensor<2x1x32xf32>, %ln_w: tensor<32xf32>, %ln_b: tensor<32xf32>, %w_in: tensor<64x32xf32>, %b_in: tensor<64xf32>, %w_q: tensor<32x32xf32>, %b_q: tensor<32xf32>, %w_k: tensor<16x32xf32>, %b_k: tensor<16xf32>, %w_v: tensor<16x32xf32>, %b_v: tensor<16xf32>, %w_fb: tensor<64x32xf32>, %b_fb: tensor<64xf32>, %w_o: tensor<32x32xf32>, %g_ctx: tensor<1x32xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<32x32xf32>, %b_out: tensor<32xf32>, %k_c: tensor<2x15x2x8xf32>, %v_c: tensor<2x15x2x8xf32>, %kb_c: tensor<2x15x1x32xf32>, %s_c: tensor<2x15x1x32xf32>) -> (tensor<2x1x32xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x1x32xf32>, tensor<2x16x1x32xf32>) {
  %y, %k1, %v1, %kb1, %s1 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in, %b_in) q_proj(%w_q, %b_q) k_proj(%w_k, %b_k) v_proj(%w_v, %b_v) fb_proj(%w_fb, %b_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out, %b_out) cache(%k_c, %v_c, %kb_c, %s_c) {num_heads = 4, num_kv_heads = 2} : (tensor<2x1x32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<64x32xf32>, tensor<64xf32>, tensor<32x32xf32>, tensor<32xf32>, tensor<16x32xf32>, tensor<16xf32>, tensor<16x32xf32>, tensor<16xf32>, tensor<64x32xf32>, tensor<64xf32>, tensor<32x32xf32>, tensor<1x32xf32>, tensor<1xf32>, tensor<32x32xf32>, tensor<32xf32>, tensor<2x15x2x8xf32>, tensor<2x15x2x8xf32>, tensor<2x15x1x32xf32>, tensor<2x15x1x32xf32>) -> (tensor<2x1x32xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x1x32xf32>, tensor<2x16x1x32xf32>)
  return %y, %k1, %v1, %kb1, %s1 : tensor<2x1x32xf32>, tensor<2x16x2x8xf32>, tensor<2x16x2x8xf32>, tensor<2x16x1x32xf32>, tensor<2x16x1x32xf32>
}

// -----

// One head, rope = false, no cache, no biases, custom eps and gamma_max:
// no sessa.rope (q, k, v reach the attention as projected), no out_proj
// (f is the attention output itself), no insert_slice, and the projections
// start from zero-filled inits.

// CHECK-LABEL: func.func @layer_single_head_no_rope(
// CHECK-SAME: %[[X:[^ ,:]+]]: tensor<1x8x16xf32>, %{{[^ ,:]+}}: tensor<16xf32>, %{{[^ ,:]+}}: tensor<16xf32>, %[[WIN:[^ ,:]+]]: tensor<32x16xf32>, %[[WQ:[^ ,:]+]]: tensor<16x16xf32>, %[[WK:[^ ,:]+]]: tensor<16x16xf32>, %[[WV:[^ ,:]+]]: tensor<16x16xf32>, %[[WFB:[^ ,:]+]]: tensor<32x16xf32>
// CHECK-NOT: sessa.rope
// CHECK-NOT: tensor.insert_slice
// CHECK-DAG: %[[HALF:.+]] = arith.constant 5.000000e-01 : f32
// CHECK-DAG: %[[EPS:.+]] = arith.constant 9.99999997E-7 : f32
// CHECK-DAG: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: math.rsqrt
// a and g: two products on the row halves of W_in, from the one zero init.
// CHECK: %[[WINA:.+]] = tensor.extract_slice %[[WIN]][0, 0] [16, 16] [1, 1] : tensor<32x16xf32> to tensor<16x16xf32>
// CHECK: %[[ZIN:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.+}} : tensor<8x16xf32>) -> tensor<8x16xf32>
// CHECK: %[[A:.+]] = linalg.generic {{.+}} ins(%[[U:[^ ,]+]], %[[WINA]] : tensor<8x16xf32>, tensor<16x16xf32>) outs(%[[ZIN]] : tensor<8x16xf32>)
// CHECK: %[[ABAR:.+]] = linalg.generic {{.+}} ins(%[[A]] : tensor<8x16xf32>)
// CHECK: math.erf
// CHECK: %[[WING:.+]] = tensor.extract_slice %[[WIN]][16, 0] [16, 16] [1, 1] : tensor<32x16xf32> to tensor<16x16xf32>
// CHECK: %[[G:.+]] = linalg.generic {{.+}} ins(%[[U]], %[[WING]] : tensor<8x16xf32>, tensor<16x16xf32>) outs(%[[ZIN]] : tensor<8x16xf32>)
// CHECK: %[[Q2:.+]] = linalg.generic {{.+}} ins(%[[ABAR]], %[[WQ]] : tensor<8x16xf32>, tensor<16x16xf32>)
// CHECK: %[[Q:.+]] = tensor.expand_shape %[[Q2]] {{\[}}[0, 1], [2, 3]] output_shape [1, 8, 1, 16] : tensor<8x16xf32> into tensor<1x8x1x16xf32>
// CHECK: %[[K2:.+]] = linalg.generic {{.+}} ins(%[[ABAR]], %[[WK]] : tensor<8x16xf32>, tensor<16x16xf32>)
// CHECK: %[[K:.+]] = tensor.expand_shape %[[K2]]
// CHECK: %[[V2:.+]] = linalg.generic {{.+}} ins(%[[ABAR]], %[[WV]] : tensor<8x16xf32>, tensor<16x16xf32>)
// CHECK: %[[V:.+]] = tensor.expand_shape %[[V2]]
// CHECK: %[[ATT:.+]] = sessa.attention %[[Q]], %[[K]], %[[V]] : tensor<1x8x1x16xf32>, tensor<1x8x1x16xf32>, tensor<1x8x1x16xf32>
// qb and kb: two products on the row halves of W_fb.
// CHECK: %[[WFBQ:.+]] = tensor.extract_slice %[[WFB]][0, 0] [16, 16] [1, 1] : tensor<32x16xf32> to tensor<16x16xf32>
// CHECK: %[[QB2:.+]] = linalg.generic {{.+}} ins(%[[ABAR]], %[[WFBQ]] : tensor<8x16xf32>, tensor<16x16xf32>) outs(%[[ZIN]] : tensor<8x16xf32>)
// CHECK: %[[QB:.+]] = tensor.expand_shape %[[QB2]]
// CHECK: %[[WFBK:.+]] = tensor.extract_slice %[[WFB]][16, 0] [16, 16] [1, 1] : tensor<32x16xf32> to tensor<16x16xf32>
// CHECK: %[[KB2:.+]] = linalg.generic {{.+}} ins(%[[ABAR]], %[[WFBK]] : tensor<8x16xf32>, tensor<16x16xf32>) outs(%[[ZIN]] : tensor<8x16xf32>)
// CHECK: %[[KB:.+]] = tensor.expand_shape %[[KB2]]
// CHECK: math.tanh
// CHECK-NEXT: arith.mulf %{{.+}}, %[[HALF]] : f32
// CHECK: %[[S:.+]] = sessa.feedback_attention %[[ATT]], %[[QB]], %[[KB]], %{{.+}} : tensor<1x8x1x16xf32>, tensor<1x8x1x16xf32>, tensor<1x8x1x16xf32>, tensor<1x8x1xf32>
// CHECK-NOT: cache(
// CHECK: %[[S2:.+]] = tensor.collapse_shape %[[S]]
// CHECK: linalg.generic {{.+}} ins(%[[S2]], %[[G]] : tensor<8x16xf32>, tensor<8x16xf32>)
// CHECK: return %{{.+}} : tensor<1x8x16xf32>

// In the raw output (before folding) H = 1 also has no out_proj matmul
// between the attention and the feedback projection.
// RAW-LABEL: func.func @layer_single_head_no_rope(
// RAW-NOT: sessa.rope
// RAW: %[[ATT:.+]] = sessa.attention
// RAW-NEXT: %[[F2:.+]] = tensor.collapse_shape %[[ATT]]
// RAW-NOT: ins(%[[F2]]
// RAW: sessa.feedback_attention
func.func @layer_single_head_no_rope(%x: tensor<1x8x16xf32>, %ln_w: tensor<16xf32>, %ln_b: tensor<16xf32>, %w_in: tensor<32x16xf32>, %w_q: tensor<16x16xf32>, %w_k: tensor<16x16xf32>, %w_v: tensor<16x16xf32>, %w_fb: tensor<32x16xf32>, %g_ctx: tensor<1x16xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<16x16xf32>) -> tensor<1x8x16xf32> {
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) gate(%g_ctx, %g_bias) out(%w_out) {num_heads = 1, num_kv_heads = 1, rope = false, gamma_max = 0.5 : f64, eps = 1.0e-06 : f64} : (tensor<1x8x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32x16xf32>, tensor<16x16xf32>, tensor<16x16xf32>, tensor<16x16xf32>, tensor<32x16xf32>, tensor<1x16xf32>, tensor<1xf32>, tensor<16x16xf32>) -> tensor<1x8x16xf32>
  return %y : tensor<1x8x16xf32>
}

// -----

// Two heads, no cache, RoPE on: the rope has offset 0 (elided), the
// attention reads q, k, v directly, and out_proj is applied.

// CHECK-LABEL: func.func @layer_multihead_prefill(
// CHECK-SAME: %[[WO:[^ ,:]+]]: tensor<16x16xf32>, %{{[^ ,:]+}}: tensor<1x16xf32>
// CHECK-NOT: tensor.insert_slice
// CHECK: %[[QR:.+]] = sessa.rope %{{.+}} : tensor<1x8x2x8xf32>
// CHECK: %[[KR:.+]] = sessa.rope %{{.+}} : tensor<1x8x2x8xf32>
// CHECK: %[[ATT:.+]] = sessa.attention %[[QR]], %[[KR]], %{{.+}} : tensor<1x8x2x8xf32>, tensor<1x8x2x8xf32>, tensor<1x8x2x8xf32>
// CHECK: %[[F2:.+]] = tensor.collapse_shape %[[ATT]] {{\[}}[0, 1], [2, 3]] : tensor<1x8x2x8xf32> into tensor<8x16xf32>
// CHECK: %[[F:.+]] = linalg.generic {{.+}} ins(%[[F2]], %[[WO]] : tensor<8x16xf32>, tensor<16x16xf32>)
// CHECK: %[[F4:.+]] = tensor.expand_shape %[[F]] {{\[}}[0, 1], [2, 3]] output_shape [1, 8, 1, 16]
// CHECK: sessa.feedback_attention %[[F4]],
func.func @layer_multihead_prefill(%x: tensor<1x8x16xf32>, %ln_w: tensor<16xf32>, %ln_b: tensor<16xf32>, %w_in: tensor<32x16xf32>, %w_q: tensor<16x16xf32>, %w_k: tensor<16x16xf32>, %w_v: tensor<16x16xf32>, %w_fb: tensor<32x16xf32>, %w_o: tensor<16x16xf32>, %g_ctx: tensor<1x16xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<16x16xf32>) -> tensor<1x8x16xf32> {
  %y = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) {num_heads = 2, num_kv_heads = 2} : (tensor<1x8x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32x16xf32>, tensor<16x16xf32>, tensor<16x16xf32>, tensor<16x16xf32>, tensor<32x16xf32>, tensor<16x16xf32>, tensor<1x16xf32>, tensor<1xf32>, tensor<16x16xf32>) -> tensor<1x8x16xf32>
  return %y : tensor<1x8x16xf32>
}

// RAW-LABEL: func.func @layer_multihead_prefill(
// RAW: %[[ATT:.+]] = sessa.attention
// RAW-NEXT: %[[F2:.+]] = tensor.collapse_shape %[[ATT]]
// RAW: linalg.generic {{.+}} ins(%[[F2]], %{{.+}} : tensor<8x16xf32>, tensor<16x16xf32>)

// -----

// bf16 decode with a dynamic cache length P: the operands are widened to f32,
// the rope offset is the runtime cache length (tensor.dim of k_cache), the
// caches are extended to P + 1 rows, and all five results are rounded back.

// CHECK-LABEL: func.func @layer_dynamic_p_bf16(
// CHECK-SAME: %[[WIN:[^ ,:]+]]: tensor<128x64xbf16>, %[[BIN:[^ ,:]+]]: tensor<128xbf16>,
// CHECK-SAME: %[[KC:[^ ,:]+]]: tensor<4x?x2x8xbf16>, %[[VC:[^ ,:]+]]: tensor<4x?x2x8xbf16>, %[[KBC:[^ ,:]+]]: tensor<4x?x1x64xbf16>, %[[SC:[^ ,:]+]]: tensor<4x?x1x64xbf16>)
// CHECK-DAG: %[[C1:.+]] = arith.constant 1 : index
// CHECK: arith.extf %{{.+}} : bf16 to f32
// W_in is widened once, then split into row halves; b_in is split first and
// each half widened on its own (one use each: it fuses into its bias add).
// CHECK: %[[WIN32:.+]] = linalg.generic {{.+}} ins(%[[WIN]] : tensor<128x64xbf16>) outs(%{{.+}} : tensor<128x64xf32>)
// CHECK-DAG: tensor.extract_slice %[[WIN32]][0, 0] [64, 64] [1, 1] : tensor<128x64xf32> to tensor<64x64xf32>
// CHECK-DAG: %[[BLO:.+]] = tensor.extract_slice %[[BIN]][0] [64] [1] : tensor<128xbf16> to tensor<64xbf16>
// CHECK-DAG: linalg.generic {{.+}} ins(%[[BLO]] : tensor<64xbf16>) outs(%{{.+}} : tensor<64xf32>)
// CHECK-DAG: tensor.extract_slice %[[WIN32]][64, 0] [64, 64] [1, 1] : tensor<128x64xf32> to tensor<64x64xf32>
// CHECK-DAG: %[[BHI:.+]] = tensor.extract_slice %[[BIN]][64] [64] [1] : tensor<128xbf16> to tensor<64xbf16>
// CHECK-DAG: linalg.generic {{.+}} ins(%[[BHI]] : tensor<64xbf16>) outs(%{{.+}} : tensor<64xf32>)
// CHECK: %[[P:.+]] = tensor.dim %[[KC]], %[[C1]] : tensor<4x?x2x8xbf16>
// CHECK: %[[KC32:.+]] = linalg.generic {{.+}} ins(%[[KC]] : tensor<4x?x2x8xbf16>) outs(%{{.+}} : tensor<4x?x2x8xf32>)
// CHECK: %[[KBC32:.+]] = linalg.generic {{.+}} ins(%[[KBC]] : tensor<4x?x1x64xbf16>) outs(%{{.+}} : tensor<4x?x1x64xf32>)
// CHECK: %[[SC32:.+]] = linalg.generic {{.+}} ins(%[[SC]] : tensor<4x?x1x64xbf16>) outs(%{{.+}} : tensor<4x?x1x64xf32>)
// CHECK: %[[QR:.+]] = sessa.rope %{{.+}} offset(%[[P]]) {base = 5.000000e+05 : f64} : tensor<4x1x8x8xf32>
// CHECK: %[[KR:.+]] = sessa.rope %{{.+}} offset(%[[P]]) {base = 5.000000e+05 : f64} : tensor<4x1x2x8xf32>
// CHECK: %[[S1:.+]] = arith.addi %[[P]], %[[C1]] : index
// CHECK: %[[KE:.+]] = tensor.empty(%[[S1]]) : tensor<4x?x2x8xf32>
// CHECK: %[[KA0:.+]] = tensor.insert_slice %[[KC32]] into %[[KE]][0, 0, 0, 0] [4, %[[P]], 2, 8] [1, 1, 1, 1] : tensor<4x?x2x8xf32> into tensor<4x?x2x8xf32>
// CHECK: %[[KALL:.+]] = tensor.insert_slice %[[KR]] into %[[KA0]][0, %[[P]], 0, 0] [4, 1, 2, 8] [1, 1, 1, 1] : tensor<4x1x2x8xf32> into tensor<4x?x2x8xf32>
// CHECK: %[[ATT:.+]] = sessa.attention %[[QR]], %[[KALL]], %{{.+}} : tensor<4x1x8x8xf32>, tensor<4x?x2x8xf32>, tensor<4x?x2x8xf32>
// CHECK: sessa.feedback_attention {{.+}} cache(%[[KBC32]], %[[SC32]]) : tensor<4x1x1x64xf32>, tensor<4x1x1x64xf32>, tensor<4x1x1x64xf32>, tensor<4x1x1xf32>, tensor<4x?x1x64xf32>, tensor<4x?x1x64xf32>
// CHECK: arith.truncf %{{.+}} : f32 to bf16
// CHECK: arith.truncf %{{.+}} : f32 to bf16
// CHECK: arith.truncf %{{.+}} : f32 to bf16
// CHECK: arith.truncf %{{.+}} : f32 to bf16
// CHECK: arith.truncf %{{.+}} : f32 to bf16
// CHECK: return %{{.+}} : tensor<4x1x64xbf16>, tensor<4x?x2x8xbf16>, tensor<4x?x2x8xbf16>, tensor<4x?x1x64xbf16>, tensor<4x?x1x64xbf16>
func.func @layer_dynamic_p_bf16(%x: tensor<4x1x64xbf16>, %ln_w: tensor<64xbf16>, %ln_b: tensor<64xbf16>, %w_in: tensor<128x64xbf16>, %b_in: tensor<128xbf16>, %w_q: tensor<64x64xbf16>, %w_k: tensor<16x64xbf16>, %w_v: tensor<16x64xbf16>, %w_fb: tensor<128x64xbf16>, %b_fb: tensor<128xbf16>, %w_o: tensor<64x64xbf16>, %g_ctx: tensor<1x64xbf16>, %g_bias: tensor<1xbf16>, %w_out: tensor<64x64xbf16>, %k_c: tensor<4x?x2x8xbf16>, %v_c: tensor<4x?x2x8xbf16>, %kb_c: tensor<4x?x1x64xbf16>, %s_c: tensor<4x?x1x64xbf16>) -> (tensor<4x1x64xbf16>, tensor<4x?x2x8xbf16>, tensor<4x?x2x8xbf16>, tensor<4x?x1x64xbf16>, tensor<4x?x1x64xbf16>) {
  %y, %k1, %v1, %kb1, %s1 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in, %b_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb, %b_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) cache(%k_c, %v_c, %kb_c, %s_c) {num_heads = 8, num_kv_heads = 2, rope_base = 5.0e+05 : f64} : (tensor<4x1x64xbf16>, tensor<64xbf16>, tensor<64xbf16>, tensor<128x64xbf16>, tensor<128xbf16>, tensor<64x64xbf16>, tensor<16x64xbf16>, tensor<16x64xbf16>, tensor<128x64xbf16>, tensor<128xbf16>, tensor<64x64xbf16>, tensor<1x64xbf16>, tensor<1xbf16>, tensor<64x64xbf16>, tensor<4x?x2x8xbf16>, tensor<4x?x2x8xbf16>, tensor<4x?x1x64xbf16>, tensor<4x?x1x64xbf16>) -> (tensor<4x1x64xbf16>, tensor<4x?x2x8xbf16>, tensor<4x?x2x8xbf16>, tensor<4x?x1x64xbf16>, tensor<4x?x1x64xbf16>)
  return %y, %k1, %v1, %kb1, %s1 : tensor<4x1x64xbf16>, tensor<4x?x2x8xbf16>, tensor<4x?x2x8xbf16>, tensor<4x?x1x64xbf16>, tensor<4x?x1x64xbf16>
}

// -----

// A statically empty cache (P = 0 in the type), T = 3: treated as no cache
// for the key/value/feedback concatenation (no insert_slice; the extended
// caches are the new rows themselves) and the rope offset is 0 (elided).

// CHECK-LABEL: func.func @layer_empty_cache(
// CHECK-SAME: %[[WV:[^ ,:]+]]: tensor<16x32xf32>, %[[WFB:[^ ,:]+]]: tensor<64x32xf32>,
// CHECK-SAME: %[[KBC:[^ ,:]+]]: tensor<2x0x1x32xf32>, %[[SC:[^ ,:]+]]: tensor<2x0x1x32xf32>)
// CHECK-NOT: tensor.insert_slice
// CHECK: %[[V2:.+]] = linalg.generic {{.+}} ins(%{{[^ ,]+}}, %[[WV]] : tensor<6x32xf32>, tensor<16x32xf32>)
// CHECK: %[[V:.+]] = tensor.expand_shape %[[V2]] {{\[}}[0, 1], [2, 3]] output_shape [2, 3, 2, 8] : tensor<6x16xf32> into tensor<2x3x2x8xf32>
// CHECK: %[[QR:.+]] = sessa.rope %{{[^ ]+}} : tensor<2x3x4x8xf32>
// CHECK: %[[KR:.+]] = sessa.rope %{{[^ ]+}} : tensor<2x3x2x8xf32>
// CHECK-NOT: tensor.insert_slice
// CHECK: sessa.attention %[[QR]], %[[KR]], %[[V]] : tensor<2x3x4x8xf32>, tensor<2x3x2x8xf32>, tensor<2x3x2x8xf32>
// CHECK: %[[WFBK:.+]] = tensor.extract_slice %[[WFB]][32, 0] [32, 32] [1, 1] : tensor<64x32xf32> to tensor<32x32xf32>
// CHECK: %[[KB2:.+]] = linalg.generic {{.+}} ins(%{{[^ ,]+}}, %[[WFBK]] : tensor<6x32xf32>, tensor<32x32xf32>)
// CHECK: %[[KB:.+]] = tensor.expand_shape %[[KB2]] {{\[}}[0, 1], [2, 3]] output_shape [2, 3, 1, 32] : tensor<6x32xf32> into tensor<2x3x1x32xf32>
// The feedback attention still receives the (empty) feedback caches.
// CHECK: %[[S:.+]] = sessa.feedback_attention %{{.+}}, %{{.+}}, %[[KB]], %{{.+}} cache(%[[KBC]], %[[SC]]) : tensor<2x3x1x32xf32>, tensor<2x3x1x32xf32>, tensor<2x3x1x32xf32>, tensor<2x3x1xf32>, tensor<2x0x1x32xf32>, tensor<2x0x1x32xf32>
// CHECK-NOT: tensor.insert_slice
// CHECK: return %{{.+}}, %[[KR]], %[[V]], %[[KB]], %[[S]] : tensor<2x3x32xf32>, tensor<2x3x2x8xf32>, tensor<2x3x2x8xf32>, tensor<2x3x1x32xf32>, tensor<2x3x1x32xf32>
func.func @layer_empty_cache(%x: tensor<2x3x32xf32>, %ln_w: tensor<32xf32>, %ln_b: tensor<32xf32>, %w_in: tensor<64x32xf32>, %w_q: tensor<32x32xf32>, %w_k: tensor<16x32xf32>, %w_v: tensor<16x32xf32>, %w_fb: tensor<64x32xf32>, %w_o: tensor<32x32xf32>, %g_ctx: tensor<1x32xf32>, %g_bias: tensor<1xf32>, %w_out: tensor<32x32xf32>, %k_c: tensor<2x0x2x8xf32>, %v_c: tensor<2x0x2x8xf32>, %kb_c: tensor<2x0x1x32xf32>, %s_c: tensor<2x0x1x32xf32>) -> (tensor<2x3x32xf32>, tensor<2x3x2x8xf32>, tensor<2x3x2x8xf32>, tensor<2x3x1x32xf32>, tensor<2x3x1x32xf32>) {
  %y, %k1, %v1, %kb1, %s1 = sessa.layer %x norm(%ln_w, %ln_b) in_proj(%w_in) q_proj(%w_q) k_proj(%w_k) v_proj(%w_v) fb_proj(%w_fb) out_proj(%w_o) gate(%g_ctx, %g_bias) out(%w_out) cache(%k_c, %v_c, %kb_c, %s_c) {num_heads = 4, num_kv_heads = 2} : (tensor<2x3x32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<64x32xf32>, tensor<32x32xf32>, tensor<16x32xf32>, tensor<16x32xf32>, tensor<64x32xf32>, tensor<32x32xf32>, tensor<1x32xf32>, tensor<1xf32>, tensor<32x32xf32>, tensor<2x0x2x8xf32>, tensor<2x0x2x8xf32>, tensor<2x0x1x32xf32>, tensor<2x0x1x32xf32>) -> (tensor<2x3x32xf32>, tensor<2x3x2x8xf32>, tensor<2x3x2x8xf32>, tensor<2x3x1x32xf32>, tensor<2x3x1x32xf32>)
  return %y, %k1, %v1, %kb1, %s1 : tensor<2x3x32xf32>, tensor<2x3x2x8xf32>, tensor<2x3x2x8xf32>, tensor<2x3x1x32xf32>, tensor<2x3x1x32xf32>
}
