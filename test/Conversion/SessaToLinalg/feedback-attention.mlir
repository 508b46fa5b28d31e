// Structure of the sessa.feedback_attention lowering (SPEC section 3):
// scf.forall over (batch, feedback head); per (b, h) the cache's keys kb_prev
// and this call's keys kb are each transposed once where they are (no
// concatenation: linalg.transpose to [dk, P] and [dk, T]; every logits
// product q kT reads columns with the plain (m, k), (k, n) -> (m, n) maps),
// then an scf.for over chunks of rows (step = feedback-chunk) carries this
// call's solved rows S [T, dv];
// per chunk: (1) a flash pass over all earlier rows -- the P cache rows
// (values s_prev read in place), then this call's rows j < c0 (values S) --
// run by a nested scf.forall over blocks of feedback-row-block of the
// chunk's rows (each block starts from a fresh softmax state and
// parallel_insert_slice's its m, l and acc into shared outputs), (2) the
// chunk's strictly lower in-chunk logits (cmpi ult), the coefficient
// gamma / l guarded by l > 0 (s = f for a row that sees no key), and (3) a
// forward substitution scf.for. No T x T (or (P+T) x (P+T)) matrix exists,
// and no copy of the cache. A call with few rows known statically (decoding)
// keeps the keys as stored and multiplies by them transposed.

// RUN: sessa-opt %s --split-input-file --convert-sessa-to-linalg="feedback-chunk=32 feedback-row-block=16 key-tile=64" --canonicalize --cse | FileCheck %s
// RUN: sessa-opt %s --split-input-file --convert-sessa-to-linalg --canonicalize --cse | FileCheck %s --check-prefix=NOTS
// RUN: sessa-opt %s --split-input-file --convert-sessa-to-linalg="feedback-chunk=8 key-tile=16" --canonicalize --cse | FileCheck %s --check-prefix=CHUNK
// RUN: sessa-opt %s --split-input-file --convert-sessa-to-linalg="feedback-chunk=8 key-tile=16" --canonicalize --cse | FileCheck %s --check-prefix=NOTS
// RUN: sessa-opt %s --split-input-file --convert-sessa-to-linalg="feedback-chunk=32 feedback-row-block=4 key-tile=64" --canonicalize --cse | FileCheck %s --check-prefixes=ROWB4,NOTS

// NOTS-NOT: sessa.
// NOTS-NOT: tensor<100x100x
// NOTS-NOT: tensor<109x109x
// NOTS-NOT: tensor<100x109x

// With a cache: B = 2, T = 100, P = 9, Hb = 2, dk = 16 (scale 1/4), dv = 24;
// chunk 32 and row block 16 pinned, default key tile 64.

// CHECK-DAG: #[[ID2:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[COL:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[ID1:.+]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[QM:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// The B operand map (k, n) of the products (q kT and p v).
// CHECK-DAG: #[[KNM:.+]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[OM:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>

// CHECK-LABEL: func.func @feedback_cache(
// CHECK-SAME: %[[F:[^ ,:]+]]: tensor<2x100x2x24xf32>, %[[QB:[^ ,:]+]]: tensor<2x100x2x16xf32>, %[[KB:[^ ,:]+]]: tensor<2x100x2x16xf32>, %[[G:[^ ,:]+]]: tensor<2x100x2xf32>, %[[KBP:[^ ,:]+]]: tensor<2x9x2x16xf32>, %[[SP:[^ ,:]+]]: tensor<2x9x2x24xf32>)
// CHECK-DAG: %[[C1:.+]] = arith.constant 1 : index
// CHECK-DAG: %[[SCALE:.+]] = arith.constant 2.500000e-01 : f32
// CHECK-DAG: %[[C64:.+]] = arith.constant 64 : index
// CHECK-DAG: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[NEGINF:.+]] = arith.constant 0xFF800000 : f32
// CHECK-DAG: %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG: %[[C32:.+]] = arith.constant 32 : index
// CHECK-DAG: %[[C100:.+]] = arith.constant 100 : index
// CHECK-DAG: %[[RB:.+]] = arith.constant 16 : index
// CHECK: %[[INIT:.+]] = tensor.empty() : tensor<2x100x2x24xf32>
// CHECK: %[[RES:.+]] = scf.forall (%[[B:.+]], %[[H:.+]]) in (2, 2) shared_outs(%[[OUT:.+]] = %[[INIT]]) -> (tensor<2x100x2x24xf32>) {
// This call's keys and the cache's keys, each transposed once per (b, h);
// the cache's solved rows are only sliced.
// CHECK-NOT: tensor.insert_slice
// CHECK: %[[KNEW:.+]] = tensor.extract_slice %[[KB]][%[[B]], 0, %[[H]], 0] [1, 100, 1, 16] [1, 1, 1, 1] : tensor<2x100x2x16xf32> to tensor<100x16xf32>
// CHECK: %[[KNEWT:.+]] = linalg.transpose ins(%[[KNEW]] : tensor<100x16xf32>) outs(%{{.+}} : tensor<16x100xf32>) permutation = [1, 0]
// CHECK: %[[KOLD:.+]] = tensor.extract_slice %[[KBP]][%[[B]], 0, %[[H]], 0] [1, 9, 1, 16] [1, 1, 1, 1] : tensor<2x9x2x16xf32> to tensor<9x16xf32>
// CHECK: %[[KOLDT:.+]] = linalg.transpose ins(%[[KOLD]] : tensor<9x16xf32>) outs(%{{.+}} : tensor<16x9xf32>) permutation = [1, 0]
// CHECK: %[[SOLD:.+]] = tensor.extract_slice %[[SP]][%[[B]], 0, %[[H]], 0] [1, 9, 1, 24] [1, 1, 1, 1] : tensor<2x9x2x24xf32> to tensor<9x24xf32>
// CHECK-DAG: %[[QALL:.+]] = tensor.extract_slice %[[QB]][%[[B]], 0, %[[H]], 0] [1, 100, 1, 16] [1, 1, 1, 1] : tensor<2x100x2x16xf32> to tensor<100x16xf32>
// CHECK-DAG: %[[FALL:.+]] = tensor.extract_slice %[[F]][%[[B]], 0, %[[H]], 0] [1, 100, 1, 24] [1, 1, 1, 1] : tensor<2x100x2x24xf32> to tensor<100x24xf32>
// CHECK-DAG: %[[GALL:.+]] = tensor.extract_slice %[[G]][%[[B]], 0, %[[H]]] [1, 100, 1] [1, 1, 1] : tensor<2x100x2xf32> to tensor<100xf32>
// CHECK: %[[SEMPTY:.+]] = tensor.empty() : tensor<100x24xf32>
// The chunk loop carries this call's solved rows.
// CHECK-NOT: linalg.transpose
// CHECK-NOT: tensor.insert_slice
// CHECK: %[[SOLVED:.+]] = scf.for %[[C0I:.+]] = %[[C0]] to %[[C100]] step %[[C32]] iter_args(%[[S:.+]] = %[[SEMPTY]]) -> (tensor<100x24xf32>) {
// CHECK: %[[REST:.+]] = arith.subi %[[C100]], %[[C0I]] : index
// CHECK: %[[CN:.+]] = arith.minsi %[[REST]], %[[C32]] : index
// CHECK-DAG: %[[QC:.+]] = tensor.extract_slice %[[QALL]][%[[C0I]], 0] [%[[CN]], 16] [1, 1] : tensor<100x16xf32> to tensor<?x16xf32>
// CHECK-DAG: %[[FC:.+]] = tensor.extract_slice %[[FALL]][%[[C0I]], 0] [%[[CN]], 24] [1, 1] : tensor<100x24xf32> to tensor<?x24xf32>
// CHECK-DAG: %[[GC:.+]] = tensor.extract_slice %[[GALL]][%[[C0I]]] [%[[CN]]] [1] : tensor<100xf32> to tensor<?xf32>
// (1) Flash pass over every earlier row: an scf.forall over ceil(cn / 16)
// blocks of rows [r0, r0 + rn), rn = min(16, cn - r0); each block starts
// from a fresh state (m = -inf, l = 0, acc = 0), folds in the 9 cache rows
// (one key tile: the loop is folded away) and then loops over this call's
// rows [0, c0), and writes its rows of m [cn], l [cn] and acc [cn, 24] into
// the shared outputs.
// CHECK: %[[NB:.+]] = arith.ceildivsi %[[CN]], %[[RB]] : index
// CHECK-DAG: %[[VE1:.+]] = tensor.empty(%[[CN]]) : tensor<?xf32>
// CHECK-DAG: %[[AE1:.+]] = tensor.empty(%[[CN]]) : tensor<?x24xf32>
// CHECK: %[[FL:.+]]:3 = scf.forall (%[[RBI:.+]]) in (%[[NB]]) shared_outs(%[[MOUT:.+]] = %[[VE1]], %[[LOUT:.+]] = %[[VE1]], %[[AOUT:.+]] = %[[AE1]]) -> (tensor<?xf32>, tensor<?xf32>, tensor<?x24xf32>) {
// CHECK-NEXT: %[[R0:.+]] = arith.muli %[[RBI]], %[[RB]] : index
// CHECK-NEXT: %[[RLEFT:.+]] = arith.subi %[[CN]], %[[R0]] : index
// CHECK-NEXT: %[[RN:.+]] = arith.minsi %[[RLEFT]], %[[RB]] : index
// CHECK-NEXT: %[[QR:.+]] = tensor.extract_slice %[[QC]][%[[R0]], 0] [%[[RN]], 16] [1, 1] : tensor<?x16xf32> to tensor<?x16xf32>
// CHECK-NEXT: %[[BE:.+]] = tensor.empty(%[[RN]]) : tensor<?xf32>
// CHECK-NEXT: %[[M0:.+]] = linalg.fill ins(%[[NEGINF]] : f32) outs(%[[BE]] : tensor<?xf32>) -> tensor<?xf32>
// CHECK-NEXT: %[[L0:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[BE]] : tensor<?xf32>) -> tensor<?xf32>
// CHECK-NEXT: %[[BAE:.+]] = tensor.empty(%[[RN]]) : tensor<?x24xf32>
// CHECK-NEXT: %[[A0:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[BAE]] : tensor<?x24xf32>) -> tensor<?x24xf32>
// The cache's keys (columns of kb_prev transposed) and solved rows s_prev.
// CHECK: linalg.generic {indexing_maps = [#[[QM]], #[[KNM]], #[[OM]]], {{.+}} ins(%[[QR]], %[[KOLDT]] : tensor<?x16xf32>, tensor<16x9xf32>) outs(%{{.+}} : tensor<?x9xf32>)
// CHECK: math.exp
// CHECK: %[[OLDACC:.+]] = linalg.generic {indexing_maps = [#[[QM]], #[[KNM]], #[[OM]]], {{.+}} ins(%{{.+}}, %[[SOLD]] : tensor<?x9xf32>, tensor<9x24xf32>) outs(%{{.+}} : tensor<?x24xf32>)
// This call's rows [0, c0), in tiles of 64, continuing that state.
// CHECK: %[[BL:.+]]:3 = scf.for %[[J0:.+]] = %[[C0]] to %[[C0I]] step %[[C64]] iter_args(%{{.+}} = %{{.+}}, %{{.+}} = %{{.+}}, %{{.+}} = %[[OLDACC]]) -> (tensor<?xf32>, tensor<?xf32>, tensor<?x24xf32>) {
// CHECK: %[[KT:.+]] = tensor.extract_slice %[[KNEWT]][0, %[[J0]]] [16, %{{.+}}] [1, 1] : tensor<16x100xf32> to tensor<16x?xf32>
// CHECK-NOT: linalg.transpose
// CHECK: %[[VT:.+]] = tensor.extract_slice %[[S]][%[[J0]], 0] [%{{.+}}, 24] [1, 1] : tensor<100x24xf32> to tensor<?x24xf32>
// CHECK-NOT: linalg.transpose
// CHECK: linalg.generic {indexing_maps = [#[[QM]], #[[KNM]], #[[OM]]], {{.+}} ins(%[[QR]], %[[KT]] : tensor<?x16xf32>, tensor<16x?xf32>) outs(%{{.+}} : tensor<?x?xf32>)
// CHECK: arith.mulf %{{.+}}, %[[SCALE]] : f32
// CHECK-NOT: arith.cmpi
// CHECK: math.exp
// CHECK: linalg.generic {indexing_maps = [#[[QM]], #[[KNM]], #[[OM]]], {{.+}} ins(%{{.+}}, %[[VT]] : tensor<?x?xf32>, tensor<?x24xf32>) outs(%{{.+}} : tensor<?x24xf32>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.mulf
// CHECK-NEXT: arith.addf
// CHECK-NEXT: linalg.yield
// CHECK-NEXT: } -> tensor<?x24xf32>
// CHECK-NEXT: scf.yield %{{.+}}, %{{.+}}, %{{.+}} : tensor<?xf32>, tensor<?xf32>, tensor<?x24xf32>
// CHECK-NEXT: }
// CHECK-NEXT: scf.forall.in_parallel {
// CHECK-NEXT: tensor.parallel_insert_slice %[[BL]]#0 into %[[MOUT]][%[[R0]]] [%[[RN]]] [1] : tensor<?xf32> into tensor<?xf32>
// CHECK-NEXT: tensor.parallel_insert_slice %[[BL]]#1 into %[[LOUT]][%[[R0]]] [%[[RN]]] [1] : tensor<?xf32> into tensor<?xf32>
// CHECK-NEXT: tensor.parallel_insert_slice %[[BL]]#2 into %[[AOUT]][%[[R0]], 0] [%[[RN]], 24] [1, 1] : tensor<?x24xf32> into tensor<?x24xf32>
// CHECK-NEXT: }
// CHECK-NEXT: }
// (2) The chunk's own keys: columns [c0, c0 + cn) of kb transposed, a
// [cn x cn] strictly lower block.
// CHECK: %[[KC:.+]] = tensor.extract_slice %[[KNEWT]][0, %[[C0I]]] [16, %[[CN]]] [1, 1] : tensor<16x100xf32> to tensor<16x?xf32>
// CHECK-NOT: linalg.transpose
// CHECK: %[[CE:.+]] = tensor.empty(%[[CN]], %[[CN]]) : tensor<?x?xf32>
// CHECK-NOT: linalg.transpose
// CHECK: %[[DOTS:.+]] = linalg.generic {indexing_maps = [#[[QM]], #[[KNM]], #[[OM]]], {{.+}} ins(%[[QC]], %[[KC]] : tensor<?x16xf32>, tensor<16x?xf32>)
// CHECK: %[[LOGITS:.+]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[DOTS]] : tensor<?x?xf32>) outs(%[[CE]] : tensor<?x?xf32>)
// CHECK-NEXT: ^bb0(%[[D:[^:]+]]: f32, %{{.+}}: f32):
// CHECK-NEXT: %[[SC:.+]] = arith.mulf %[[D]], %[[SCALE]] : f32
// CHECK-NEXT: %[[I:.+]] = linalg.index 0 : index
// CHECK-NEXT: %[[J:.+]] = linalg.index 1 : index
// CHECK-NEXT: %[[LOWER:.+]] = arith.cmpi ult, %[[J]], %[[I]] : index
// CHECK-NEXT: %[[SEL:.+]] = arith.select %[[LOWER]], %[[SC]], %[[NEGINF]] : f32
// CHECK-NEXT: linalg.yield %[[SEL]] : f32
// Row max over earlier rows and the block: the block's max reduces into a
// fresh -inf vector and is combined with m by an elementwise maximumf (m is
// not reduced into in place: corr below still reads it). Then p, corr, l.
// CHECK-NOT: outs(%[[FL]]#0
// CHECK: %[[MFRESH:.+]] = linalg.fill ins(%[[NEGINF]] : f32) outs(%[[VE1]] : tensor<?xf32>) -> tensor<?xf32>
// CHECK-NEXT: %[[MBLK:.+]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ROW]]], iterator_types = ["parallel", "reduction"]} ins(%[[LOGITS]] : tensor<?x?xf32>) outs(%[[MFRESH]] : tensor<?xf32>)
// CHECK-NEXT: ^bb0(%[[XL:[^:]+]]: f32, %[[XM:[^:]+]]: f32):
// CHECK-NEXT: %[[MX:.+]] = arith.maximumf %[[XM]], %[[XL]] fastmath<reassoc> : f32
// CHECK-NEXT: linalg.yield %[[MX]] : f32
// CHECK: %[[MTOT:.+]] = linalg.generic {indexing_maps = [#[[ID1]], #[[ID1]], #[[ID1]]], iterator_types = ["parallel"]} ins(%[[FL]]#0, %[[MBLK]] : tensor<?xf32>, tensor<?xf32>) outs(%[[VE1]] : tensor<?xf32>)
// CHECK-NEXT: ^bb0(%[[MOLD:[^:]+]]: f32, %[[MB:[^:]+]]: f32, %{{.+}}: f32):
// CHECK-NEXT: %[[MM:.+]] = arith.maximumf %[[MOLD]], %[[MB]] : f32
// CHECK-NEXT: linalg.yield %[[MM]] : f32
// CHECK-NOT: outs(%[[FL]]#0
// CHECK: %[[PIN:.+]] = linalg.generic {{.+}} ins(%[[LOGITS]], %[[MTOT]] : tensor<?x?xf32>, tensor<?xf32>)
// CHECK: math.exp
// CHECK: %[[CORR:.+]] = linalg.generic {{.+}} ins(%[[FL]]#0, %[[MTOT]] : tensor<?xf32>, tensor<?xf32>)
// CHECK: math.exp
// CHECK: %[[LSC:.+]] = linalg.generic {{.+}} ins(%[[FL]]#1, %[[CORR]] : tensor<?xf32>, tensor<?xf32>)
// CHECK: %[[LTOT:.+]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ROW]]], iterator_types = ["parallel", "reduction"]} ins(%[[PIN]] : tensor<?x?xf32>) outs(%[[LSC]] : tensor<?xf32>)
// coef = l > 0 ? gamma / l : 0 (s = f for a row with no visible key).
// CHECK: %[[COEF:.+]] = linalg.generic {{.+}} ins(%[[GC]], %[[LTOT]] : tensor<?xf32>, tensor<?xf32>)
// CHECK-NEXT: ^bb0(%[[GAM:[^:]+]]: f32, %[[LV:[^:]+]]: f32, %{{.+}}: f32):
// CHECK-NEXT: %[[POS:.+]] = arith.cmpf ogt, %[[LV]], %[[ZERO]] : f32
// CHECK-NEXT: %[[QUOT:.+]] = arith.divf %[[GAM]], %[[LV]] : f32
// CHECK-NEXT: %[[CO:.+]] = arith.select %[[POS]], %[[QUOT]], %[[ZERO]] : f32
// CHECK-NEXT: linalg.yield %[[CO]] : f32
// rhs = f + coef * corr * acc ; A = coef * p.
// CHECK: %[[RHS:.+]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ID2]], #[[ROW]], #[[ROW]], #[[ID2]]], {{.+}} ins(%[[FC]], %[[FL]]#2, %[[COEF]], %[[CORR]] : tensor<?x24xf32>, tensor<?x24xf32>, tensor<?xf32>, tensor<?xf32>)
// CHECK: %[[AMAT:.+]] = linalg.generic {{.+}} ins(%[[PIN]], %[[COEF]] : tensor<?x?xf32>, tensor<?xf32>) outs(%[[CE]] : tensor<?x?xf32>)
// (3) Forward substitution s_i = rhs_i + sum_{k<i} A_ik s_k: the sum
// accumulates into a fresh zero [24] vector with loops (k, e) (k reduction
// outermost, e parallel innermost: one contiguous axpy per k), and a second
// generic adds it to row i; s is only written by the insert_slice.
// CHECK: %[[SC2:.+]] = scf.for %[[IV:.+]] = %[[C0]] to %[[CN]] step %[[C1]] iter_args(%[[SS:.+]] = %[[RHS]]) -> (tensor<?x24xf32>) {
// CHECK-NEXT: %[[AROW:.+]] = tensor.extract_slice %[[AMAT]][%[[IV]], 0] [1, %[[IV]]] [1, 1] : tensor<?x?xf32> to tensor<?xf32>
// CHECK-NEXT: %[[PREV:.+]] = tensor.extract_slice %[[SS]][0, 0] [%[[IV]], 24] [1, 1] : tensor<?x24xf32> to tensor<?x24xf32>
// CHECK-NEXT: %[[VE:.+]] = tensor.empty() : tensor<24xf32>
// CHECK-NEXT: %[[ZV:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[VE]] : tensor<24xf32>) -> tensor<24xf32>
// CHECK-NEXT: %[[SUM:.+]] = linalg.generic {indexing_maps = [#[[ROW]], #[[ID2]], #[[COL]]], iterator_types = ["reduction", "parallel"]} ins(%[[AROW]], %[[PREV]] : tensor<?xf32>, tensor<?x24xf32>) outs(%[[ZV]] : tensor<24xf32>) {
// CHECK-NEXT: ^bb0(%[[AK:[^:]+]]: f32, %[[SKE:[^:]+]]: f32, %[[SUMO:[^:]+]]: f32):
// CHECK-NEXT: %[[PROD:.+]] = arith.mulf %[[AK]], %[[SKE]] : f32
// CHECK-NEXT: %[[ACCV:.+]] = arith.addf %[[SUMO]], %[[PROD]] : f32
// CHECK-NEXT: linalg.yield %[[ACCV]] : f32
// CHECK-NEXT: } -> tensor<24xf32>
// CHECK-NEXT: %[[CUR:.+]] = tensor.extract_slice %[[SS]][%[[IV]], 0] [1, 24] [1, 1] : tensor<?x24xf32> to tensor<24xf32>
// CHECK-NEXT: %[[UPD:.+]] = linalg.generic {indexing_maps = [#[[ID1]], #[[ID1]], #[[ID1]]], iterator_types = ["parallel"]} ins(%[[CUR]], %[[SUM]] : tensor<24xf32>, tensor<24xf32>) outs(%[[VE]] : tensor<24xf32>) {
// CHECK-NEXT: ^bb0(%[[RI:[^:]+]]: f32, %[[SI:[^:]+]]: f32, %{{.+}}: f32):
// CHECK-NEXT: %[[NEWV:.+]] = arith.addf %[[RI]], %[[SI]] : f32
// CHECK-NEXT: linalg.yield %[[NEWV]] : f32
// CHECK-NEXT: } -> tensor<24xf32>
// CHECK-NEXT: %[[INS:.+]] = tensor.insert_slice %[[UPD]] into %[[SS]][%[[IV]], 0] [1, 24] [1, 1] : tensor<24xf32> into tensor<?x24xf32>
// CHECK-NEXT: scf.yield %[[INS]] : tensor<?x24xf32>
// CHECK-NEXT: }
// The solved chunk becomes rows [c0, c0 + cn) of S.
// CHECK-NEXT: %[[NEXT:.+]] = tensor.insert_slice %[[SC2]] into %[[S]][%[[C0I]], 0] [%[[CN]], 24] [1, 1] : tensor<?x24xf32> into tensor<100x24xf32>
// CHECK-NEXT: scf.yield %[[NEXT]] : tensor<100x24xf32>
// CHECK-NEXT: }
// The solved rows go to the result.
// CHECK-NEXT: scf.forall.in_parallel {
// CHECK-NEXT: tensor.parallel_insert_slice %[[SOLVED]] into %[[OUT]][%[[B]], 0, %[[H]], 0] [1, 100, 1, 24] [1, 1, 1, 1] : tensor<100x24xf32> into tensor<2x100x2x24xf32>
// CHECK-NEXT: }
// CHECK-NEXT: }
// CHECK-NEXT: return %[[RES]] : tensor<2x100x2x24xf32>
// The next function's maps (printed before it).
// CHECK-DAG: #[[QM2:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[KNM2:.+]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[OM2:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>

// CHUNK-LABEL: func.func @feedback_cache(
// CHUNK-DAG: %[[C8:.+]] = arith.constant 8 : index
// CHUNK-DAG: %[[C16:.+]] = arith.constant 16 : index
// CHUNK-DAG: %[[C100:.+]] = arith.constant 100 : index
// CHUNK: scf.forall (%{{.+}}, %{{.+}}) in (2, 2)
// CHUNK: scf.for %[[C0I:.+]] = %{{.+}} to %[[C100]] step %[[C8]] iter_args(
// CHUNK: scf.for %{{.+}} = %{{.+}} to %[[C0I]] step %[[C16]] iter_args(

// Row block 4 (chunk pinned to 32, apart from the 64-row key tile): the same
// nested forall, stepping by 4 rows.
// ROWB4-LABEL: func.func @feedback_cache(
// ROWB4-DAG: %[[C4:.+]] = arith.constant 4 : index
// ROWB4-DAG: %[[C32:.+]] = arith.constant 32 : index
// ROWB4-DAG: %[[C64:.+]] = arith.constant 64 : index
// ROWB4: scf.forall (%{{.+}}, %{{.+}}) in (2, 2)
// ROWB4: scf.for %[[C0I:.+]] = %{{.+}} to %{{.+}} step %[[C32]] iter_args(
// ROWB4: %[[CN:.+]] = arith.minsi %{{.+}}, %[[C32]] : index
// ROWB4: %[[NB:.+]] = arith.ceildivsi %[[CN]], %[[C4]] : index
// ROWB4: scf.forall (%[[RBI:.+]]) in (%[[NB]]) shared_outs(%[[MOUT:.+]] = %{{.+}}, %[[LOUT:.+]] = %{{.+}}, %[[AOUT:.+]] = %{{.+}}) -> (tensor<?xf32>, tensor<?xf32>, tensor<?x24xf32>) {
// ROWB4-NEXT: %[[R0:.+]] = arith.muli %[[RBI]], %[[C4]] : index
// ROWB4-NEXT: %[[RLEFT:.+]] = arith.subi %[[CN]], %[[R0]] : index
// ROWB4-NEXT: %[[RN:.+]] = arith.minsi %[[RLEFT]], %[[C4]] : index
// ROWB4: %[[BL:.+]]:3 = scf.for %{{.+}} = %{{.+}} to %[[C0I]] step %[[C64]] iter_args(
// ROWB4: scf.forall.in_parallel {
// ROWB4-NEXT: tensor.parallel_insert_slice %[[BL]]#0 into %[[MOUT]][%[[R0]]] [%[[RN]]] [1] : tensor<?xf32> into tensor<?xf32>
// ROWB4-NEXT: tensor.parallel_insert_slice %[[BL]]#1 into %[[LOUT]][%[[R0]]] [%[[RN]]] [1] : tensor<?xf32> into tensor<?xf32>
// ROWB4-NEXT: tensor.parallel_insert_slice %[[BL]]#2 into %[[AOUT]][%[[R0]], 0] [%[[RN]], 24] [1, 1] : tensor<?x24xf32> into tensor<?x24xf32>
// ROWB4-NEXT: }
// ROWB4-NEXT: }
func.func @feedback_cache(%f: tensor<2x100x2x24xf32>, %qb: tensor<2x100x2x16xf32>, %kb: tensor<2x100x2x16xf32>, %gamma: tensor<2x100x2xf32>, %kb_prev: tensor<2x9x2x16xf32>, %s_prev: tensor<2x9x2x24xf32>) -> tensor<2x100x2x24xf32> {
  %s = sessa.feedback_attention %f, %qb, %kb, %gamma cache(%kb_prev, %s_prev) : tensor<2x100x2x24xf32>, tensor<2x100x2x16xf32>, tensor<2x100x2x16xf32>, tensor<2x100x2xf32>, tensor<2x9x2x16xf32>, tensor<2x9x2x24xf32>
  return %s : tensor<2x100x2x24xf32>
}

// -----

// No cache (P = 0), dynamic B and T, f16 storage, Hb = 1 (the forall over
// (B, 1) keeps only the batch), explicit scale: the flash pass over earlier
// rows ends at c0, no insert_slice of a cache, f16 widened and rounded back.

// CHECK-LABEL: func.func @feedback_dynamic_f16(
// CHECK-SAME: %[[F:[^ ,:]+]]: tensor<?x?x1x32xf16>, %[[QB:[^ ,:]+]]: tensor<?x?x1x32xf16>, %[[KB:[^ ,:]+]]: tensor<?x?x1x32xf16>
// CHECK-DAG: %[[SCALE:.+]] = arith.constant 5.000000e-01 : f32
// CHECK-DAG: %[[C32:.+]] = arith.constant 32 : index
// CHECK-DAG: %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.+]] = arith.constant 1 : index
// CHECK-DAG: %[[RB:.+]] = arith.constant 16 : index
// CHECK: %[[BATCH:.+]] = tensor.dim %[[F]], %[[C0]] : tensor<?x?x1x32xf16>
// CHECK: %[[T:.+]] = tensor.dim %[[F]], %[[C1]] : tensor<?x?x1x32xf16>
// CHECK: arith.extf %{{.+}} : f16 to f32
// CHECK: arith.extf %{{.+}} : f16 to f32
// CHECK: %[[K32:.+]] = linalg.generic {{.+}} ins(%[[KB]] : tensor<?x?x1x32xf16>)
// CHECK: arith.extf %{{.+}} : f16 to f32
// CHECK: arith.extf %{{.+}} : f16 to f32
// CHECK: %[[RES:.+]] = scf.forall (%[[BI:.+]]) in (%[[BATCH]])
// CHECK-NOT: tensor.insert_slice
// With no cache K is kb's rows, transposed once per (b, h): kAllT [32, T].
// CHECK: %[[KALL:.+]] = tensor.extract_slice %[[K32]][%[[BI]], 0, 0, 0] [1, %[[T]], 1, 32] [1, 1, 1, 1] : tensor<?x?x1x32xf32> to tensor<?x32xf32>
// CHECK-NOT: tensor.insert_slice
// CHECK: %[[KALLT:.+]] = linalg.transpose ins(%[[KALL]] : tensor<?x32xf32>) outs(%{{.+}} : tensor<32x?xf32>) permutation = [1, 0]
// CHECK-NOT: tensor.insert_slice
// CHECK-NOT: linalg.transpose
// CHECK: scf.for %[[C0I:.+]] = %[[C0]] to %[[T]] step %[[C32]] iter_args(
// CHECK: %[[CN:.+]] = arith.minsi %{{.+}}, %[[C32]] : index
// CHECK: %[[NB:.+]] = arith.ceildivsi %[[CN]], %[[RB]] : index
// CHECK: scf.forall (%[[RBI:.+]]) in (%[[NB]]) shared_outs(
// CHECK-NEXT: %[[R0:.+]] = arith.muli %[[RBI]], %[[RB]] : index
// CHECK: scf.for %[[J0:.+]] = %[[C0]] to %[[C0I]] step %{{.+}} iter_args(
// CHECK: %[[KT:.+]] = tensor.extract_slice %[[KALLT]][0, %[[J0]]] [32, %{{.+}}] [1, 1] : tensor<32x?xf32> to tensor<32x?xf32>
// CHECK-NOT: linalg.transpose
// CHECK: linalg.generic {indexing_maps = [#[[QM2]], #[[KNM2]], #[[OM2]]], {{.+}} ins(%{{.+}}, %[[KT]] : tensor<?x32xf32>, tensor<32x?xf32>) outs(%{{.+}} : tensor<?x?xf32>)
// CHECK: arith.mulf %{{.+}}, %[[SCALE]] : f32
// CHECK: scf.forall.in_parallel {
// CHECK-NEXT: tensor.parallel_insert_slice %{{.+}}#0 into %{{.+}}[%[[R0]]]
// CHECK-NEXT: tensor.parallel_insert_slice %{{.+}}#1 into %{{.+}}[%[[R0]]]
// CHECK-NEXT: tensor.parallel_insert_slice %{{.+}}#2 into %{{.+}}[%[[R0]], 0]
// In-chunk keys: columns [c0, c0 + cn) of kAllT (P = 0).
// CHECK: %[[KC:.+]] = tensor.extract_slice %[[KALLT]][0, %[[C0I]]] [32, %[[CN]]] [1, 1] : tensor<32x?xf32> to tensor<32x?xf32>
// CHECK-NOT: linalg.transpose
// CHECK: linalg.generic {indexing_maps = [#[[QM2]], #[[KNM2]], #[[OM2]]], {{.+}} ins(%{{.+}}, %[[KC]] : tensor<?x32xf32>, tensor<32x?xf32>) outs(%{{.+}} : tensor<?x?xf32>)
// CHECK: arith.cmpi ult
// CHECK: arith.cmpf ogt
// CHECK: scf.for %{{.+}} = %[[C0]] to %[[CN]] step %[[C1]] iter_args(
// CHECK: tensor.parallel_insert_slice %{{.+}} into %{{.+}}[%{{.+}}, 0, 0, 0] [1, %[[T]], 1, 32] [1, 1, 1, 1] : tensor<?x32xf32> into tensor<?x?x1x32xf32>
// CHECK: %[[OUT:.+]] = linalg.generic {{.+}} ins(%[[RES]] : tensor<?x?x1x32xf32>) outs(%{{.+}} : tensor<?x?x1x32xf16>)
// CHECK: arith.truncf %{{.+}} : f32 to f16
// CHECK: return %[[OUT]] : tensor<?x?x1x32xf16>

// CHUNK-LABEL: func.func @feedback_dynamic_f16(
// CHUNK-DAG: %[[C8:.+]] = arith.constant 8 : index
// CHUNK-DAG: %[[C16:.+]] = arith.constant 16 : index
// CHUNK: scf.for %[[C0I:.+]] = %{{.+}} to %{{.+}} step %[[C8]] iter_args(
// CHUNK: arith.minsi %{{.+}}, %[[C8]] : index
// CHUNK: scf.for %{{.+}} = %{{.+}} to %[[C0I]] step %[[C16]] iter_args(

// ROWB4-LABEL: func.func @feedback_dynamic_f16(
// ROWB4-DAG: %[[C4:.+]] = arith.constant 4 : index
// ROWB4-DAG: %[[C32:.+]] = arith.constant 32 : index
// ROWB4: %[[CN:.+]] = arith.minsi %{{.+}}, %[[C32]] : index
// ROWB4: %[[NB:.+]] = arith.ceildivsi %[[CN]], %[[C4]] : index
// ROWB4: scf.forall (%[[RBI:.+]]) in (%[[NB]]) shared_outs(
// ROWB4-NEXT: %[[R0:.+]] = arith.muli %[[RBI]], %[[C4]] : index
// ROWB4-NEXT: %[[RLEFT:.+]] = arith.subi %[[CN]], %[[R0]] : index
// ROWB4-NEXT: arith.minsi %[[RLEFT]], %[[C4]] : index
func.func @feedback_dynamic_f16(%f: tensor<?x?x1x32xf16>, %qb: tensor<?x?x1x32xf16>, %kb: tensor<?x?x1x32xf16>, %gamma: tensor<?x?x1xf16>) -> tensor<?x?x1x32xf16> {
  %s = sessa.feedback_attention %f, %qb, %kb, %gamma {scale = 5.000000e-01 : f64} : tensor<?x?x1x32xf16>, tensor<?x?x1x32xf16>, tensor<?x?x1x32xf16>, tensor<?x?x1xf16>
  return %s : tensor<?x?x1x32xf16>
}

// -----

// Decoding: T = 1 (static) after a dynamic cache of P rows. The keys are not
// transposed (the transpose would cost as much as the product): q . key_j
// is a product with the keys as a transposed operand, (m, k), (n, k) ->
// (m, n), reading kb_prev and s_prev in place (no copy of the cache).

// CHECK-DAG: #[[QMD:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[NKD:.+]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[OMD:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[KND:.+]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-LABEL: func.func @feedback_decode(
// CHECK-SAME: %[[KBP:[^ ,:]+]]: tensor<2x?x2x16xf32>, %[[SP:[^ ,:]+]]: tensor<2x?x2x24xf32>)
// CHECK-NOT: linalg.transpose
// CHECK-NOT: tensor.insert_slice
// CHECK: %[[P:.+]] = tensor.dim %[[KBP]], %{{.+}} : tensor<2x?x2x16xf32>
// CHECK: scf.forall (%[[B:.+]], %[[H:.+]]) in (2, 2)
// CHECK: %[[KOLD:.+]] = tensor.extract_slice %[[KBP]][%[[B]], 0, %[[H]], 0] [1, %[[P]], 1, 16] [1, 1, 1, 1] : tensor<2x?x2x16xf32> to tensor<?x16xf32>
// CHECK: %[[SOLD:.+]] = tensor.extract_slice %[[SP]][%[[B]], 0, %[[H]], 0] [1, %[[P]], 1, 24] [1, 1, 1, 1] : tensor<2x?x2x24xf32> to tensor<?x24xf32>
// CHECK: scf.for %[[J0:.+]] = %{{.+}} to %[[P]] step %{{.+}} iter_args(
// CHECK: %[[KT:.+]] = tensor.extract_slice %[[KOLD]][%[[J0]], 0] [%{{.+}}, 16] [1, 1] : tensor<?x16xf32> to tensor<?x16xf32>
// CHECK: %[[VT:.+]] = tensor.extract_slice %[[SOLD]][%[[J0]], 0] [%{{.+}}, 24] [1, 1] : tensor<?x24xf32> to tensor<?x24xf32>
// CHECK: linalg.generic {indexing_maps = [#[[QMD]], #[[NKD]], #[[OMD]]], {{.+}} ins(%{{.+}}, %[[KT]] : tensor<1x16xf32>, tensor<?x16xf32>) outs(%{{.+}} : tensor<1x?xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[QMD]], #[[KND]], #[[OMD]]], {{.+}} ins(%{{.+}}, %[[VT]] : tensor<1x?xf32>, tensor<?x24xf32>) outs(%{{.+}} : tensor<1x24xf32>)
// CHECK-NOT: linalg.transpose
// CHECK: return
func.func @feedback_decode(%f: tensor<2x1x2x24xf32>, %qb: tensor<2x1x2x16xf32>, %kb: tensor<2x1x2x16xf32>, %gamma: tensor<2x1x2xf32>, %kb_prev: tensor<2x?x2x16xf32>, %s_prev: tensor<2x?x2x24xf32>) -> tensor<2x1x2x24xf32> {
  %s = sessa.feedback_attention %f, %qb, %kb, %gamma cache(%kb_prev, %s_prev) : tensor<2x1x2x24xf32>, tensor<2x1x2x16xf32>, tensor<2x1x2x16xf32>, tensor<2x1x2xf32>, tensor<2x?x2x16xf32>, tensor<2x?x2x24xf32>
  return %s : tensor<2x1x2x24xf32>
}
