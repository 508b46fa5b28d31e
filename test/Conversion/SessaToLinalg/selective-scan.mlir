// Structure of the sessa.selective_scan lowering (SPEC section 4):
// scf.forall over (batch, channel tile) with a channel tile that divides
// Dm / G (a tile never straddles a group), an scf.for over time carrying the
// state h [tile, N] and the output rows, h = exp(dt A) h + dt B u per step,
// softplus only with delta_softplus, the z gate only with z, and the last
// state written to the second result.

// RUN: sessa-opt %s --split-input-file --convert-sessa-to-linalg --canonicalize --cse | FileCheck %s
// RUN: sessa-opt %s --split-input-file --convert-sessa-to-linalg="scan-channel-tile=16" --canonicalize --cse | FileCheck %s --check-prefix=TILE

// Every optional operand: Dm = 48, G = 2 (24 channels per group), N = 4,
// T = 10; the default tile 64 is clamped to 24 = Dm / G.

// CHECK-DAG: #[[ID1:.+]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[ID2:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[DM:.+]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[NM:.+]] = affine_map<(d0, d1) -> (d1)>

// CHECK-LABEL: func.func @scan_all_options(
// CHECK-SAME: %[[U:[^ ,:]+]]: tensor<2x10x48xf32>, %[[DELTA:[^ ,:]+]]: tensor<2x10x48xf32>, %[[A:[^ ,:]+]]: tensor<48x4xf32>, %[[BM:[^ ,:]+]]: tensor<2x10x2x4xf32>, %[[CM:[^ ,:]+]]: tensor<2x10x2x4xf32>, %[[D:[^ ,:]+]]: tensor<48xf32>, %[[Z:[^ ,:]+]]: tensor<2x10x48xf32>, %[[BIAS:[^ ,:]+]]: tensor<48xf32>, %[[H0:[^ ,:]+]]: tensor<2x48x4xf32>)
// CHECK-DAG: %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
// CHECK-DAG: %[[TWENTY:.+]] = arith.constant 2.000000e+01 : f32
// CHECK-DAG: %[[MFIFTEEN:.+]] = arith.constant -1.500000e+01 : f32
// CHECK-DAG: %[[C1:.+]] = arith.constant 1 : index
// CHECK-DAG: %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG: %[[C24:.+]] = arith.constant 24 : index
// CHECK-DAG: %[[C10:.+]] = arith.constant 10 : index
// CHECK-DAG: %[[YINIT:.+]] = tensor.empty() : tensor<2x10x48xf32>
// CHECK-DAG: %[[HINIT:.+]] = tensor.empty() : tensor<2x48x4xf32>
// CHECK: %[[RES:.+]]:2 = scf.forall (%[[B:.+]], %[[CT:.+]]) in (2, 2) shared_outs(%[[YOUT:.+]] = %[[YINIT]], %[[HOUT:.+]] = %[[HINIT]]) -> (tensor<2x10x48xf32>, tensor<2x48x4xf32>) {
// CHECK: %[[D0:.+]] = arith.muli %[[CT]], %[[C24]] : index
// Group of the tile: d0 / (Dm / G).
// CHECK: %[[GRP:.+]] = arith.divui %[[D0]], %[[C24]] : index
// CHECK-DAG: %[[ATILE:.+]] = tensor.extract_slice %[[A]][%[[D0]], 0] [24, 4] [1, 1] : tensor<48x4xf32> to tensor<24x4xf32>
// CHECK-DAG: %[[BTILE:.+]] = tensor.extract_slice %[[BIAS]][%[[D0]]] [24] [1] : tensor<48xf32> to tensor<24xf32>
// CHECK-DAG: %[[DTILE:.+]] = tensor.extract_slice %[[D]][%[[D0]]] [24] [1] : tensor<48xf32> to tensor<24xf32>
// The state starts from h0.
// CHECK-DAG: %[[HSTART:.+]] = tensor.extract_slice %[[H0]][%[[B]], %[[D0]], 0] [1, 24, 4] [1, 1, 1] : tensor<2x48x4xf32> to tensor<24x4xf32>
// CHECK: %[[LOOP:.+]]:2 = scf.for %[[T:.+]] = %[[C0]] to %[[C10]] step %[[C1]] iter_args(%[[H:.+]] = %[[HSTART]], %[[YROWS:.+]] = %{{.+}}) -> (tensor<24x4xf32>, tensor<10x24xf32>) {
// CHECK-DAG: %[[UT:.+]] = tensor.extract_slice %[[U]][%[[B]], %[[T]], %[[D0]]] [1, 1, 24] [1, 1, 1] : tensor<2x10x48xf32> to tensor<24xf32>
// CHECK-DAG: %[[DT0:.+]] = tensor.extract_slice %[[DELTA]][%[[B]], %[[T]], %[[D0]]] [1, 1, 24] [1, 1, 1] : tensor<2x10x48xf32> to tensor<24xf32>
// CHECK-DAG: %[[BT:.+]] = tensor.extract_slice %[[BM]][%[[B]], %[[T]], %[[GRP]], 0] [1, 1, 1, 4] [1, 1, 1, 1] : tensor<2x10x2x4xf32> to tensor<4xf32>
// CHECK-DAG: %[[CTT:.+]] = tensor.extract_slice %[[CM]][%[[B]], %[[T]], %[[GRP]], 0] [1, 1, 1, 4] [1, 1, 1, 1] : tensor<2x10x2x4xf32> to tensor<4xf32>
// dt = softplus(delta + bias) = log1p(exp(x)), x itself beyond 20 and
// exp(x) below -15: x > 20 ? x : (x < -15 ? exp(x) : log1p(exp(x))).
// CHECK: %[[DT:.+]] = linalg.generic {indexing_maps = [#[[ID1]], #[[ID1]], #[[ID1]]], iterator_types = ["parallel"]} ins(%[[DT0]], %[[BTILE]] : tensor<24xf32>, tensor<24xf32>)
// CHECK-NEXT: ^bb0(%[[DV:[^:]+]]: f32, %[[BV:[^:]+]]: f32, %{{.+}}: f32):
// CHECK-NEXT: %[[X:.+]] = arith.addf %[[DV]], %[[BV]] : f32
// CHECK-NEXT: %[[E:.+]] = math.exp %[[X]] : f32
// CHECK-NEXT: %[[SP:.+]] = math.log1p %[[E]] : f32
// CHECK-NEXT: %[[BIG:.+]] = arith.cmpf ogt, %[[X]], %[[TWENTY]] : f32
// CHECK-NEXT: %[[SMALL:.+]] = arith.cmpf olt, %[[X]], %[[MFIFTEEN]] : f32
// CHECK-NEXT: %[[TAIL:.+]] = arith.select %[[SMALL]], %[[E]], %[[SP]] : f32
// CHECK-NEXT: %[[SEL:.+]] = arith.select %[[BIG]], %[[X]], %[[TAIL]] : f32
// CHECK-NEXT: linalg.yield %[[SEL]] : f32
// h = exp(dt A) h + dt B u, in place on the carried state.
// CHECK: %[[HNEW:.+]] = linalg.generic {indexing_maps = [#[[ID2]], #[[DM]], #[[NM]], #[[DM]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[ATILE]], %[[DT]], %[[BT]], %[[UT]] : tensor<24x4xf32>, tensor<24xf32>, tensor<4xf32>, tensor<24xf32>) outs(%[[H]] : tensor<24x4xf32>)
// CHECK-NEXT: ^bb0(%[[AV:[^:]+]]: f32, %[[DTV:[^:]+]]: f32, %[[BTV:[^:]+]]: f32, %[[UV:[^:]+]]: f32, %[[HV:[^:]+]]: f32):
// CHECK-NEXT: %[[DTA:.+]] = arith.mulf %[[DTV]], %[[AV]] : f32
// CHECK-NEXT: %[[DECAY:.+]] = math.exp %[[DTA]] : f32
// CHECK-NEXT: %[[DTB:.+]] = arith.mulf %[[DTV]], %[[BTV]] : f32
// CHECK-NEXT: %[[INJ:.+]] = arith.mulf %[[DTB]], %[[UV]] : f32
// CHECK-NEXT: %[[DH:.+]] = arith.mulf %[[DECAY]], %[[HV]] : f32
// CHECK-NEXT: %[[HN:.+]] = arith.addf %[[DH]], %[[INJ]] : f32
// CHECK-NEXT: linalg.yield %[[HN]] : f32
// y = D u + sum_n C h.
// CHECK: %[[DU:.+]] = linalg.generic {{.+}} ins(%[[DTILE]], %[[UT]] : tensor<24xf32>, tensor<24xf32>)
// CHECK: %[[Y:.+]] = linalg.generic {indexing_maps = [#[[ID2]], #[[NM]], #[[DM]]], iterator_types = ["parallel", "reduction"]} ins(%[[HNEW]], %[[CTT]] : tensor<24x4xf32>, tensor<4xf32>) outs(%[[DU]] : tensor<24xf32>)
// The gate y * z * sigmoid(z) = y * z / (1 + exp(-z)).
// CHECK: %[[ZT:.+]] = tensor.extract_slice %[[Z]][%[[B]], %[[T]], %[[D0]]] [1, 1, 24] [1, 1, 1] : tensor<2x10x48xf32> to tensor<24xf32>
// CHECK: %[[YG:.+]] = linalg.generic {{.+}} ins(%[[Y]], %[[ZT]] : tensor<24xf32>, tensor<24xf32>)
// CHECK-NEXT: ^bb0(%[[YV:[^:]+]]: f32, %[[ZV:[^:]+]]: f32, %{{.+}}: f32):
// CHECK-NEXT: %[[NZ:.+]] = arith.negf %[[ZV]] : f32
// CHECK-NEXT: %[[EZ:.+]] = math.exp %[[NZ]] : f32
// CHECK-NEXT: %[[DEN:.+]] = arith.addf %[[EZ]], %[[ONE]] : f32
// CHECK-NEXT: %[[SILU:.+]] = arith.divf %[[ZV]], %[[DEN]] : f32
// CHECK-NEXT: %[[GATED:.+]] = arith.mulf %[[YV]], %[[SILU]] : f32
// CHECK-NEXT: linalg.yield %[[GATED]] : f32
// CHECK: %[[YR:.+]] = tensor.insert_slice %[[YG]] into %[[YROWS]][%[[T]], 0] [1, 24] [1, 1] : tensor<24xf32> into tensor<10x24xf32>
// CHECK-NEXT: scf.yield %[[HNEW]], %[[YR]] : tensor<24x4xf32>, tensor<10x24xf32>
// CHECK-NEXT: }
// y rows and the last state go to the two results.
// CHECK-NEXT: scf.forall.in_parallel {
// CHECK-NEXT: tensor.parallel_insert_slice %[[LOOP]]#1 into %[[YOUT]][%[[B]], 0, %[[D0]]] [1, 10, 24] [1, 1, 1] : tensor<10x24xf32> into tensor<2x10x48xf32>
// CHECK-NEXT: tensor.parallel_insert_slice %[[LOOP]]#0 into %[[HOUT]][%[[B]], %[[D0]], 0] [1, 24, 4] [1, 1, 1] : tensor<24x4xf32> into tensor<2x48x4xf32>
// CHECK-NEXT: }
// CHECK-NEXT: }
// CHECK-NEXT: return %[[RES]]#0, %[[RES]]#1 : tensor<2x10x48xf32>, tensor<2x48x4xf32>

// scan-channel-tile=16 does not divide 24: the tile becomes 12, 4 tiles.
// TILE-LABEL: func.func @scan_all_options(
// TILE-DAG: %[[C12:.+]] = arith.constant 12 : index
// TILE-DAG: %[[C24:.+]] = arith.constant 24 : index
// TILE: scf.forall (%{{.+}}, %[[CT:.+]]) in (2, 4)
// TILE: %[[D0:.+]] = arith.muli %[[CT]], %[[C12]] : index
// TILE: arith.divui %[[D0]], %[[C24]] : index
// TILE: tensor.extract_slice %{{.+}}[%[[D0]], 0] [12, 4] [1, 1] : tensor<48x4xf32> to tensor<12x4xf32>
// TILE: scf.for
// TILE: tensor.parallel_insert_slice %{{.+}} into %{{.+}}[%{{.+}}, 0, %[[D0]]] [1, 10, 12] [1, 1, 1] : tensor<10x12xf32> into tensor<2x10x48xf32>
// TILE-NEXT: tensor.parallel_insert_slice %{{.+}} into %{{.+}}[%{{.+}}, %[[D0]], 0] [1, 12, 4] [1, 1, 1] : tensor<12x4xf32> into tensor<2x48x4xf32>
func.func @scan_all_options(%u: tensor<2x10x48xf32>, %delta: tensor<2x10x48xf32>, %A: tensor<48x4xf32>, %B: tensor<2x10x2x4xf32>, %C: tensor<2x10x2x4xf32>, %D: tensor<48xf32>, %z: tensor<2x10x48xf32>, %dbias: tensor<48xf32>, %h0: tensor<2x48x4xf32>) -> (tensor<2x10x48xf32>, tensor<2x48x4xf32>) {
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C D(%D : tensor<48xf32>) z(%z : tensor<2x10x48xf32>) delta_bias(%dbias : tensor<48xf32>) h0(%h0 : tensor<2x48x4xf32>) {delta_softplus} : tensor<2x10x48xf32>, tensor<2x10x48xf32>, tensor<48x4xf32>, tensor<2x10x2x4xf32>, tensor<2x10x2x4xf32> -> tensor<2x10x48xf32>, tensor<2x48x4xf32>
  return %y, %h : tensor<2x10x48xf32>, tensor<2x48x4xf32>
}

// -----

// No optional operand: no softplus (no log1p, no tail select), dt = delta
// as it is, the state starts at zero, y starts at zero, and no gate.

// CHECK-LABEL: func.func @scan_minimal(
// CHECK-SAME: %[[U:[^ ,:]+]]: tensor<2x10x48xf32>, %[[DELTA:[^ ,:]+]]: tensor<2x10x48xf32>
// CHECK-NOT: math.log1p
// CHECK-NOT: arith.select
// CHECK-NOT: arith.negf
// CHECK: scf.forall (%[[B:.+]], %[[CT:.+]]) in (2, 2)
// CHECK: %[[D0:.+]] = arith.muli %[[CT]]
// CHECK: %[[H0:.+]] = linalg.fill ins(%[[ZERO:.+]] : f32) outs(%{{.+}} : tensor<24x4xf32>) -> tensor<24x4xf32>
// CHECK: scf.for %[[T:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[H:.+]] = %[[H0]], %{{.+}} = %{{.+}}) -> (tensor<24x4xf32>, tensor<10x24xf32>)
// CHECK: %[[DT:.+]] = tensor.extract_slice %[[DELTA]][%[[B]], %[[T]], %[[D0]]] [1, 1, 24] [1, 1, 1] : tensor<2x10x48xf32> to tensor<24xf32>
// CHECK: %[[HNEW:.+]] = linalg.generic {{.+}} ins(%{{.+}}, %[[DT]], %{{.+}}, %{{.+}} : tensor<24x4xf32>, tensor<24xf32>, tensor<4xf32>, tensor<24xf32>) outs(%[[H]] : tensor<24x4xf32>)
// CHECK: math.exp
// CHECK: %[[Y0:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.+}} : tensor<24xf32>) -> tensor<24xf32>
// CHECK: %[[Y:.+]] = linalg.generic {{.+}} ins(%[[HNEW]], %{{.+}} : tensor<24x4xf32>, tensor<4xf32>) outs(%[[Y0]] : tensor<24xf32>)
// CHECK-NOT: linalg.generic
// CHECK: tensor.insert_slice %[[Y]] into
// CHECK-NEXT: scf.yield %[[HNEW]],
// CHECK-NOT: math.log1p
// CHECK-NOT: arith.select
// CHECK-NOT: arith.negf
// CHECK: return
func.func @scan_minimal(%u: tensor<2x10x48xf32>, %delta: tensor<2x10x48xf32>, %A: tensor<48x4xf32>, %B: tensor<2x10x2x4xf32>, %C: tensor<2x10x2x4xf32>) -> (tensor<2x10x48xf32>, tensor<2x48x4xf32>) {
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C : tensor<2x10x48xf32>, tensor<2x10x48xf32>, tensor<48x4xf32>, tensor<2x10x2x4xf32>, tensor<2x10x2x4xf32> -> tensor<2x10x48xf32>, tensor<2x48x4xf32>
  return %y, %h : tensor<2x10x48xf32>, tensor<2x48x4xf32>
}

// -----

// Softplus with a bias but no z, dynamic T, f16 storage: log1p present,
// no gate, both results rounded back to f16. One channel tile of 32: the
// forall keeps only the batch dimension.

// CHECK-LABEL: func.func @scan_softplus_no_z_f16(
// CHECK-DAG: %[[MFIFTEEN:.+]] = arith.constant -1.500000e+01 : f32
// CHECK-DAG: %[[TWENTY:.+]] = arith.constant 2.000000e+01 : f32
// CHECK: arith.extf %{{.+}} : f16 to f32
// CHECK: scf.forall (%{{.+}}) in (2)
// CHECK: scf.for
// The softplus (with both tails) is computed in f32.
// CHECK: %[[SP:.+]] = math.log1p %[[E:.+]] : f32
// CHECK-NEXT: %[[BIG:.+]] = arith.cmpf ogt, %[[X:.+]], %[[TWENTY]] : f32
// CHECK-NEXT: %[[SMALL:.+]] = arith.cmpf olt, %[[X]], %[[MFIFTEEN]] : f32
// CHECK-NEXT: %[[TAIL:.+]] = arith.select %[[SMALL]], %[[E]], %[[SP]] : f32
// CHECK-NEXT: arith.select %[[BIG]], %[[X]], %[[TAIL]] : f32
// CHECK-NOT: arith.negf
// CHECK: scf.yield
// CHECK: scf.forall.in_parallel
// CHECK: arith.truncf %{{.+}} : f32 to f16
// CHECK: arith.truncf %{{.+}} : f32 to f16
// CHECK: return %{{.+}}, %{{.+}} : tensor<2x?x32xf16>, tensor<2x32x8xf16>
func.func @scan_softplus_no_z_f16(%u: tensor<2x?x32xf16>, %delta: tensor<2x?x32xf16>, %A: tensor<32x8xf16>, %B: tensor<2x?x1x8xf16>, %C: tensor<2x?x1x8xf16>, %dbias: tensor<32xf16>) -> (tensor<2x?x32xf16>, tensor<2x32x8xf16>) {
  %y, %h = sessa.selective_scan %u, %delta, %A, %B, %C delta_bias(%dbias : tensor<32xf16>) {delta_softplus} : tensor<2x?x32xf16>, tensor<2x?x32xf16>, tensor<32x8xf16>, tensor<2x?x1x8xf16>, tensor<2x?x1x8xf16> -> tensor<2x?x32xf16>, tensor<2x32x8xf16>
  return %y, %h : tensor<2x?x32xf16>, tensor<2x32x8xf16>
}
