// Structure of the sessa.attention lowering (SPEC section 2): the keys are
// transposed once for every query tile (linalg.transpose to kT [B, Hk, d, S]),
// then scf.forall over (batch, head, query tile); per tile the keys that the
// tile can see, [0, P + q0 + qn), are columns of its kv head's kT, and an
// scf.for over those key tiles (fully masked key tiles are never
// visited) runs an online softmax whose logits products q kT read columns
// of kT with the plain (m, k), (k, n) -> (m, n) maps; only [query tile x key
// tile] logits exist at a time, never a T x S matrix.

// The main checks pin 64 x 64 tiles explicitly (the defaults may change).
// RUN: sessa-opt %s --split-input-file --convert-sessa-to-linalg="attention-query-tile=64 key-tile=64" --canonicalize --cse | FileCheck %s
// The NOTS checks need tiles smaller than the problem (the default 128 x 256
// tiles cover all of test 2's 100 x 100 logits in one tile).
// RUN: sessa-opt %s --split-input-file --convert-sessa-to-linalg="attention-query-tile=64 key-tile=64" --canonicalize --cse | FileCheck %s --check-prefix=NOTS
// RUN: sessa-opt %s --split-input-file --convert-sessa-to-linalg="attention-query-tile=16 key-tile=8" --canonicalize --cse | FileCheck %s --check-prefix=TILE
// RUN: sessa-opt %s --split-input-file --convert-sessa-to-linalg="attention-query-tile=16 key-tile=8" --canonicalize --cse | FileCheck %s --check-prefix=NOTS

// No logits matrix over all queries and keys, in either tiling: no
// [T x S] = 257x300 (test 1), 100x100 (test 2) or [B x T x H x S] tensor.
// NOTS-NOT: sessa.
// NOTS-NOT: tensor<257x300x
// NOTS-NOT: tensor<300x257x
// NOTS-NOT: x257x4x300x
// NOTS-NOT: tensor<100x100x
// NOTS-NOT: tensor<2x100x2x100x

// GQA with a cache prefix: B = 2, T = 257, S = 300 (P = 43), H = 4, Hk = 2,
// d = 16 (scale 1/4); tiles 64 x 64: ceil(257 / 64) = 5 query tiles.

// CHECK-DAG: #[[QM:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[OM:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// The B operand map (k, n) of both products (q kT and p v).
// CHECK-DAG: #[[KNM:.+]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[ID2:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1) -> (d0)>

// CHECK-LABEL: func.func @attention_gqa_cache(
// CHECK-SAME: %[[Q:[^ ,:]+]]: tensor<2x257x4x16xf32>, %[[K:[^ ,:]+]]: tensor<2x300x2x16xf32>, %[[V:[^ ,:]+]]: tensor<2x300x2x16xf32>)
// CHECK-DAG: %[[SCALE:.+]] = arith.constant 2.500000e-01 : f32
// CHECK-DAG: %[[NEGINF:.+]] = arith.constant 0xFF800000 : f32
// CHECK-DAG: %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG: %[[C2:.+]] = arith.constant 2 : index
// CHECK-DAG: %[[C64:.+]] = arith.constant 64 : index
// CHECK-DAG: %[[C257:.+]] = arith.constant 257 : index
// CHECK-DAG: %[[P:.+]] = arith.constant 43 : index
// The keys are transposed once, for all query tiles: kT [B, Hk, d, S].
// CHECK: %[[KTE:.+]] = tensor.empty() : tensor<2x2x16x300xf32>
// CHECK: %[[KALLT:.+]] = linalg.transpose ins(%[[K]] : tensor<2x300x2x16xf32>) outs(%[[KTE]] : tensor<2x2x16x300xf32>) permutation = [0, 2, 3, 1]
// CHECK-NOT: linalg.transpose
// CHECK: %[[INIT:.+]] = tensor.empty() : tensor<2x257x4x16xf32>
// CHECK: %[[RES:.+]] = scf.forall (%[[B:.+]], %[[H:.+]], %[[QT:.+]]) in (2, 4, 5) shared_outs(%[[OUT:.+]] = %[[INIT]]) -> (tensor<2x257x4x16xf32>) {
// The query tile: rows [q0, q0 + qn), qn = min(64, T - q0).
// CHECK: %[[Q0:.+]] = arith.muli %[[QT]], %[[C64]] : index
// CHECK: %[[REST:.+]] = arith.subi %[[C257]], %[[Q0]] : index
// CHECK: %[[QN:.+]] = arith.minsi %[[REST]], %[[C64]] : index
// CHECK: %[[QS:.+]] = tensor.extract_slice %[[Q]][%[[B]], %[[Q0]], %[[H]], 0] [1, %[[QN]], 1, 16] [1, 1, 1, 1] : tensor<2x257x4x16xf32> to tensor<?x16xf32>
// Query head h reads kv head h / (H / Hk).
// CHECK: %[[KVH:.+]] = arith.divui %[[H]], %[[C2]] : index
// CHECK: %[[VS:.+]] = tensor.extract_slice %[[V]][%[[B]], 0, %[[KVH]], 0] [1, 300, 1, 16] [1, 1, 1, 1] : tensor<2x300x2x16xf32> to tensor<300x16xf32>
// Visible keys: [0, P + q0 + qn).
// CHECK: %[[ROWBASE:.+]] = arith.addi %[[Q0]], %[[P]] : index
// CHECK: %[[KEYEND:.+]] = arith.addi %[[ROWBASE]], %[[QN]] : index
// They are columns [0, keyEnd) of the kv head's kT: [16, keyEnd].
// CHECK: %[[KST:.+]] = tensor.extract_slice %[[KALLT]][%[[B]], %[[KVH]], 0, 0] [1, 1, 16, %[[KEYEND]]] [1, 1, 1, 1] : tensor<2x2x16x300xf32> to tensor<16x?xf32>
// CHECK-NOT: linalg.transpose
// Online-softmax state: m = -inf, l = 0, acc = 0 over the tile's rows.
// CHECK: %[[MINIT:.+]] = linalg.fill ins(%[[NEGINF]] : f32) outs(%{{.+}} : tensor<?xf32>) -> tensor<?xf32>
// CHECK: %[[LINIT:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<?xf32>) -> tensor<?xf32>
// CHECK: %[[AINIT:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<?x16xf32>) -> tensor<?x16xf32>
// CHECK: %[[LOOP:.+]]:3 = scf.for %[[J0:.+]] = %[[C0]] to %[[KEYEND]] step %[[C64]] iter_args(%[[M:.+]] = %[[MINIT]], %[[L:.+]] = %[[LINIT]], %[[ACC:.+]] = %[[AINIT]]) -> (tensor<?xf32>, tensor<?xf32>, tensor<?x16xf32>) {
// CHECK: %[[KLEFT:.+]] = arith.subi %[[KEYEND]], %[[J0]] : index
// CHECK: %[[KN:.+]] = arith.minsi %[[KLEFT]], %[[C64]] : index
// The key tile is columns [j0, j0 + kn) of kT (no transpose in the loop).
// CHECK: %[[KT:.+]] = tensor.extract_slice %[[KST]][0, %[[J0]]] [16, %[[KN]]] [1, 1] : tensor<16x?xf32> to tensor<16x?xf32>
// CHECK-NOT: linalg.transpose
// CHECK: %[[VT:.+]] = tensor.extract_slice %[[VS]][%[[J0]], 0] [%[[KN]], 16] [1, 1] : tensor<300x16xf32> to tensor<?x16xf32>
// CHECK-NOT: linalg.transpose
// The tile's logits q kT: [qn x kn], both at most 64, a plain matmul.
// CHECK: %[[DOTS:.+]] = linalg.generic {indexing_maps = [#[[QM]], #[[KNM]], #[[OM]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[QS]], %[[KT]] : tensor<?x16xf32>, tensor<16x?xf32>) outs(%{{.+}} : tensor<?x?xf32>)
// Scale and the inclusive causal mask j0 + j <= P + q0 + i.
// CHECK: %[[LOGITS:.+]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[DOTS]] : tensor<?x?xf32>)
// CHECK-NEXT: ^bb0(%[[D:[^:]+]]: f32, %{{.+}}: f32):
// CHECK-NEXT: %[[SC:.+]] = arith.mulf %[[D]], %[[SCALE]] : f32
// CHECK-NEXT: %[[I:.+]] = linalg.index 0 : index
// CHECK-NEXT: %[[J:.+]] = linalg.index 1 : index
// CHECK-NEXT: %[[KEYPOS:.+]] = arith.addi %[[J0]], %[[J]] : index
// CHECK-NEXT: %[[QPOS:.+]] = arith.addi %[[ROWBASE]], %[[I]] : index
// CHECK-NEXT: %[[VIS:.+]] = arith.cmpi ule, %[[KEYPOS]], %[[QPOS]] : index
// CHECK-NEXT: %[[SEL:.+]] = arith.select %[[VIS]], %[[SC]], %[[NEGINF]] : f32
// CHECK-NEXT: linalg.yield %[[SEL]] : f32
// CHECK-NEXT: } -> tensor<?x?xf32>
// Tile max, correction exp(m - max), new max, p = exp(logits - m).
// CHECK: %[[TMAX:.+]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ROW]]], iterator_types = ["parallel", "reduction"]} ins(%[[LOGITS]] : tensor<?x?xf32>)
// CHECK: arith.maximumf
// CHECK: %[[CORR:.+]] = linalg.generic {{.+}} ins(%[[M]], %[[TMAX]] : tensor<?xf32>, tensor<?xf32>)
// CHECK: math.exp
// CHECK: %[[MNEW:.+]] = linalg.generic {{.+}} ins(%[[TMAX]] : tensor<?xf32>) outs(%[[M]] : tensor<?xf32>)
// CHECK: arith.maximumf
// CHECK: %[[PT:.+]] = linalg.generic {indexing_maps = [#[[ROW]], #[[ID2]]], {{.+}} ins(%[[MNEW]] : tensor<?xf32>) outs(%[[LOGITS]] : tensor<?x?xf32>)
// CHECK: math.exp
// l = l * corr + rowsum(p).
// CHECK: %[[LSC:.+]] = linalg.generic {{.+}} ins(%[[CORR]] : tensor<?xf32>) outs(%[[L]] : tensor<?xf32>)
// CHECK: %[[LNEW:.+]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ROW]]], iterator_types = ["parallel", "reduction"]} ins(%[[PT]] : tensor<?x?xf32>) outs(%[[LSC]] : tensor<?xf32>)
// CHECK: arith.addf
// acc = acc * corr + p v.
// CHECK: %[[ASC:.+]] = linalg.generic {{.+}} ins(%[[CORR]] : tensor<?xf32>) outs(%[[ACC]] : tensor<?x16xf32>)
// CHECK: %[[ANEW:.+]] = linalg.generic {indexing_maps = [#[[QM]], #[[KNM]], #[[OM]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[PT]], %[[VT]] : tensor<?x?xf32>, tensor<?x16xf32>) outs(%[[ASC]] : tensor<?x16xf32>)
// CHECK: scf.yield %[[MNEW]], %[[LNEW]], %[[ANEW]] : tensor<?xf32>, tensor<?xf32>, tensor<?x16xf32>
// CHECK-NEXT: }
// out = acc / l, written back into the tile's rows.
// CHECK: %[[NORM:.+]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ROW]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[LOOP]]#2, %[[LOOP]]#1 : tensor<?x16xf32>, tensor<?xf32>)
// CHECK: arith.divf
// CHECK: scf.forall.in_parallel {
// CHECK-NEXT: tensor.parallel_insert_slice %[[NORM]] into %[[OUT]][%[[B]], %[[Q0]], %[[H]], 0] [1, %[[QN]], 1, 16] [1, 1, 1, 1] : tensor<?x16xf32> into tensor<2x257x4x16xf32>
// CHECK-NEXT: }
// CHECK-NEXT: }
// CHECK-NEXT: return %[[RES]] : tensor<2x257x4x16xf32>
// The next function's maps (printed before it).
// CHECK-DAG: #[[QM2:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[KNM2:.+]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[OM2:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>

// With 16-row query tiles and 8-row key tiles: 17 query tiles, key step 8.
// TILE-LABEL: func.func @attention_gqa_cache(
// TILE-DAG: %[[C8:.+]] = arith.constant 8 : index
// TILE-DAG: %[[C16:.+]] = arith.constant 16 : index
// TILE: scf.forall (%{{.+}}, %{{.+}}, %[[QT:.+]]) in (2, 4, 17)
// TILE: %[[Q0:.+]] = arith.muli %[[QT]], %[[C16]] : index
// TILE: arith.minsi %{{.+}}, %[[C16]] : index
// TILE: scf.for %{{.+}} = %{{.+}} to %{{.+}} step %[[C8]] iter_args(
// TILE: arith.minsi %{{.+}}, %[[C8]] : index
func.func @attention_gqa_cache(%q: tensor<2x257x4x16xf32>, %k: tensor<2x300x2x16xf32>, %v: tensor<2x300x2x16xf32>) -> tensor<2x257x4x16xf32> {
  %o = sessa.attention %q, %k, %v : tensor<2x257x4x16xf32>, tensor<2x300x2x16xf32>, tensor<2x300x2x16xf32>
  return %o : tensor<2x257x4x16xf32>
}

// -----

// No cache (P = 0), T = S = 100, H = Hk = 2, d = 8: the key loop ends at
// q0 + qn; ceil(100 / 64) = 2 query tiles of 64, 7 with 16-row tiles.

// CHECK-LABEL: func.func @attention_mha_no_cache(
// CHECK: %[[KALLT:.+]] = linalg.transpose ins(%{{.+}} : tensor<2x100x2x8xf32>) outs(%{{.+}} : tensor<2x2x8x100xf32>) permutation = [0, 2, 3, 1]
// CHECK: scf.forall (%[[B:.+]], %[[H:.+]], %[[QT:.+]]) in (2, 2, 2)
// CHECK: %[[QN:.+]] = arith.minsi
// CHECK: %[[END:.+]] = arith.addi %{{.+}}, %[[QN]] : index
// CHECK: %[[KST:.+]] = tensor.extract_slice %[[KALLT]][%[[B]], %[[H]], 0, 0] [1, 1, 8, %[[END]]] [1, 1, 1, 1] : tensor<2x2x8x100xf32> to tensor<8x?xf32>
// CHECK-NOT: linalg.transpose
// CHECK: scf.for %[[J0:.+]] = %{{.+}} to %[[END]] step %{{.+}} iter_args(
// CHECK: %[[KT:.+]] = tensor.extract_slice %[[KST]][0, %[[J0]]] [8, %{{.+}}] [1, 1] : tensor<8x?xf32> to tensor<8x?xf32>
// CHECK-NOT: linalg.transpose
// CHECK: tensor<?x?xf32>
// CHECK: linalg.generic {indexing_maps = [#[[QM2]], #[[KNM2]], #[[OM2]]], {{.+}} ins(%{{.+}}, %[[KT]] : tensor<?x8xf32>, tensor<8x?xf32>) outs(%{{.+}} : tensor<?x?xf32>)
// CHECK: arith.cmpi ule
// CHECK: scf.forall.in_parallel
// The next function's maps (printed before it).
// CHECK-DAG: #[[QM3:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[KNM3:.+]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[OM3:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>

// TILE-LABEL: func.func @attention_mha_no_cache(
// TILE-DAG: %[[C8:.+]] = arith.constant 8 : index
// TILE-DAG: %[[C16:.+]] = arith.constant 16 : index
// TILE-DAG: %[[C100:.+]] = arith.constant 100 : index
// TILE: %[[KALLT:.+]] = linalg.transpose ins(%{{.+}} : tensor<2x100x2x8xf32>) outs(%{{.+}} : tensor<2x2x8x100xf32>) permutation = [0, 2, 3, 1]
// TILE: scf.forall (%[[B:.+]], %[[H:.+]], %[[QT:.+]]) in (2, 2, 7)
// TILE: %[[Q0:.+]] = arith.muli %[[QT]], %[[C16]] : index
// TILE: %[[REST:.+]] = arith.subi %[[C100]], %[[Q0]] : index
// TILE: %[[QN:.+]] = arith.minsi %[[REST]], %[[C16]] : index
// TILE: %[[END:.+]] = arith.addi %[[Q0]], %[[QN]] : index
// TILE: %[[KST:.+]] = tensor.extract_slice %[[KALLT]][%[[B]], %[[H]], 0, 0] [1, 1, 8, %[[END]]] [1, 1, 1, 1] : tensor<2x2x8x100xf32> to tensor<8x?xf32>
// TILE: scf.for %[[J0:.+]] = %{{.+}} to %[[END]] step %[[C8]] iter_args(
// TILE: %[[KLEFT:.+]] = arith.subi %[[END]], %[[J0]] : index
// TILE: %[[KN:.+]] = arith.minsi %[[KLEFT]], %[[C8]] : index
// TILE: tensor.extract_slice %[[KST]][0, %[[J0]]] [8, %[[KN]]] [1, 1] : tensor<8x?xf32> to tensor<8x?xf32>
// TILE: tensor.empty(%{{.+}}, %[[KN]]) : tensor<?x?xf32>
// TILE: arith.cmpi ule
// TILE: scf.yield
// TILE: tensor.parallel_insert_slice %{{.+}} into %{{.+}}[%[[B]], %[[Q0]], %[[H]], 0] [1, %[[QN]], 1, 8] [1, 1, 1, 1] : tensor<?x8xf32> into tensor<2x100x2x8xf32>
func.func @attention_mha_no_cache(%q: tensor<2x100x2x8xf32>, %k: tensor<2x100x2x8xf32>, %v: tensor<2x100x2x8xf32>) -> tensor<2x100x2x8xf32> {
  %o = sessa.attention %q, %k, %v : tensor<2x100x2x8xf32>, tensor<2x100x2x8xf32>, tensor<2x100x2x8xf32>
  return %o : tensor<2x100x2x8xf32>
}

// -----

// Dynamic B, T, S in f16 with an explicit scale: the operands are widened to
// f32, the number of query tiles is ceil(T / 64), the prefix is P = S - T,
// and the result is rounded back to f16.

// CHECK-LABEL: func.func @attention_dynamic_f16(
// CHECK-SAME: %[[Q:[^ ,:]+]]: tensor<?x?x8x64xf16>, %[[K:[^ ,:]+]]: tensor<?x?x2x64xf16>, %[[V:[^ ,:]+]]: tensor<?x?x2x64xf16>)
// CHECK-DAG: %[[SCALE:.+]] = arith.constant 1.250000e-01 : f32
// CHECK-DAG: %[[C4:.+]] = arith.constant 4 : index
// CHECK-DAG: %[[C64:.+]] = arith.constant 64 : index
// CHECK-DAG: %[[C1:.+]] = arith.constant 1 : index
// CHECK-DAG: %[[C0:.+]] = arith.constant 0 : index
// CHECK: %[[BATCH:.+]] = tensor.dim %[[Q]], %[[C0]] : tensor<?x?x8x64xf16>
// CHECK: %[[T:.+]] = tensor.dim %[[Q]], %[[C1]] : tensor<?x?x8x64xf16>
// CHECK: %[[Q32:.+]] = linalg.generic {{.+}} ins(%[[Q]] : tensor<?x?x8x64xf16>)
// CHECK: arith.extf %{{.+}} : f16 to f32
// CHECK: %[[S:.+]] = tensor.dim %[[K]], %[[C1]] : tensor<?x?x2x64xf16>
// CHECK: %[[K32:.+]] = linalg.generic {{.+}} ins(%[[K]] : tensor<?x?x2x64xf16>)
// CHECK: arith.extf %{{.+}} : f16 to f32
// CHECK: %[[V32:.+]] = linalg.generic {{.+}} ins(%[[V]] : tensor<?x?x2x64xf16>)
// CHECK: arith.extf %{{.+}} : f16 to f32
// CHECK: %[[P:.+]] = arith.subi %[[S]], %[[T]] : index
// CHECK: %[[NT:.+]] = arith.ceildivsi %[[T]], %[[C64]] : index
// CHECK: %[[KTE:.+]] = tensor.empty(%{{.+}}, %[[S]]) : tensor<?x2x64x?xf32>
// CHECK: %[[KALLT:.+]] = linalg.transpose ins(%[[K32]] : tensor<?x?x2x64xf32>) outs(%[[KTE]] : tensor<?x2x64x?xf32>) permutation = [0, 2, 3, 1]
// CHECK: %[[RES:.+]] = scf.forall (%[[B:.+]], %[[H:.+]], %[[QT:.+]]) in (%[[BATCH]], 8, %[[NT]])
// CHECK: %[[Q0:.+]] = arith.muli %[[QT]], %[[C64]] : index
// CHECK: %[[QN:.+]] = arith.minsi %{{.+}}, %[[C64]] : index
// CHECK: tensor.extract_slice %[[Q32]][%[[B]], %[[Q0]], %[[H]], 0] [1, %[[QN]], 1, 64]
// CHECK: %[[KVH:.+]] = arith.divui %[[H]], %[[C4]] : index
// CHECK: tensor.extract_slice %[[V32]][%[[B]], 0, %[[KVH]], 0] [1, %[[S]], 1, 64]
// CHECK: %[[ROWBASE:.+]] = arith.addi %[[P]], %[[Q0]] : index
// CHECK: %[[END:.+]] = arith.addi %[[ROWBASE]], %[[QN]] : index
// CHECK: %[[KST:.+]] = tensor.extract_slice %[[KALLT]][%[[B]], %[[KVH]], 0, 0] [1, 1, 64, %[[END]]] [1, 1, 1, 1] : tensor<?x2x64x?xf32> to tensor<64x?xf32>
// CHECK-NOT: linalg.transpose
// CHECK: scf.for %[[J0:.+]] = %[[C0]] to %[[END]] step %[[C64]] iter_args(
// CHECK: %[[KT:.+]] = tensor.extract_slice %[[KST]][0, %[[J0]]] [64, %{{.+}}] [1, 1] : tensor<64x?xf32> to tensor<64x?xf32>
// CHECK-NOT: linalg.transpose
// CHECK: linalg.generic {indexing_maps = [#[[QM3]], #[[KNM3]], #[[OM3]]], {{.+}} ins(%{{.+}}, %[[KT]] : tensor<?x64xf32>, tensor<64x?xf32>) outs(%{{.+}} : tensor<?x?xf32>)
// CHECK: arith.mulf %{{.+}}, %[[SCALE]] : f32
// CHECK: arith.cmpi ule
// CHECK: scf.forall.in_parallel
// CHECK: %[[OUT:.+]] = linalg.generic {{.+}} ins(%[[RES]] : tensor<?x?x8x64xf32>) outs(%{{.+}} : tensor<?x?x8x64xf16>)
// CHECK: arith.truncf %{{.+}} : f32 to f16
// CHECK: return %[[OUT]] : tensor<?x?x8x64xf16>
func.func @attention_dynamic_f16(%q: tensor<?x?x8x64xf16>, %k: tensor<?x?x2x64xf16>, %v: tensor<?x?x2x64xf16>) -> tensor<?x?x8x64xf16> {
  %o = sessa.attention %q, %k, %v {scale = 1.250000e-01 : f64} : tensor<?x?x8x64xf16>, tensor<?x?x2x64xf16>, tensor<?x?x2x64xf16>
  return %o : tensor<?x?x8x64xf16>
}

// TILE-LABEL: func.func @attention_dynamic_f16(
// TILE: arith.ceildivsi %{{.+}}, %{{.+}} : index
// TILE: scf.forall
// TILE: scf.for

// -----

// Decoding: one query row (static) over a dynamic number of cached keys
// (GQA, 4 query heads over 2 key/value heads). The keys are not transposed:
// q . key_j reads them as a transposed operand, (m, k), (n, k) -> (m, n).

// CHECK-DAG: #[[QMD:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[NKD:.+]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[OMD:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[KND:.+]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-LABEL: func.func @attention_decode(
// CHECK-SAME: %[[Q:[^ ,:]+]]: tensor<3x1x4x16xf32>, %[[K:[^ ,:]+]]: tensor<3x?x2x16xf32>, %[[V:[^ ,:]+]]: tensor<3x?x2x16xf32>)
// CHECK-NOT: linalg.transpose
// CHECK: scf.forall (%[[B:.+]], %[[H:.+]]) in (3, 4)
// CHECK: %[[KS:.+]] = tensor.extract_slice %[[K]][%[[B]], 0, %{{.+}}, 0] [1, %[[S:.+]], 1, 16] [1, 1, 1, 1] : tensor<3x?x2x16xf32> to tensor<?x16xf32>
// CHECK: scf.for %[[J0:.+]] = %{{.+}} to %[[S]] step %{{.+}} iter_args(
// CHECK: linalg.generic {indexing_maps = [#[[QMD]], #[[NKD]], #[[OMD]]], {{.+}} ins(%{{.+}}, %{{.+}} : tensor<1x16xf32>, tensor<?x16xf32>) outs(%{{.+}} : tensor<1x?xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[QMD]], #[[KND]], #[[OMD]]], {{.+}} ins(%{{.+}}, %{{.+}} : tensor<1x?xf32>, tensor<?x16xf32>) outs(%{{.+}} : tensor<1x16xf32>)
// CHECK-NOT: linalg.transpose
// CHECK: return
func.func @attention_decode(%q: tensor<3x1x4x16xf32>, %k: tensor<3x?x2x16xf32>, %v: tensor<3x?x2x16xf32>) -> tensor<3x1x4x16xf32> {
  %o = sessa.attention %q, %k, %v : tensor<3x1x4x16xf32>, tensor<3x?x2x16xf32>, tensor<3x?x2x16xf32>
  return %o : tensor<3x1x4x16xf32>
}
