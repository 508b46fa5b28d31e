// The generic kernels of sessa-gpu-pipeline (gpu-pipeline-execution.test):
// reductions (warp per row / per output), a plain matmul (thread per
// output), elementwise ops with broadcasts and a constant map, bf16 storage,
// strided cache concatenation, on dynamic shapes.

#id1 = affine_map<(i) -> (i)>
#at0 = affine_map<(i) -> (0)>
#id2 = affine_map<(i, j) -> (i, j)>
#row = affine_map<(i, j) -> (i)>
#col = affine_map<(i, j) -> (j)>
#ma = affine_map<(m, n, k) -> (m, k)>
#mb = affine_map<(m, n, k) -> (n, k)>
#mc = affine_map<(m, n, k) -> (m, n)>

func.func @block_f32(%x: tensor<?x64xf32>, %w: tensor<64x64xf32>, %lnw: tensor<64xf32>) -> tensor<?x64xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x64xf32>
  %zero = arith.constant 0.0 : f32
  %inv = arith.constant 0.015625 : f32
  %e1 = tensor.empty(%n) : tensor<?xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<?xf32>) -> tensor<?xf32>
  %sum = linalg.generic {indexing_maps = [#id2, #row], iterator_types = ["parallel", "reduction"]}
    ins(%x : tensor<?x64xf32>) outs(%z1 : tensor<?xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %o, %a : f32
    linalg.yield %s : f32
  } -> tensor<?xf32>
  %e2 = tensor.empty(%n) : tensor<?x64xf32>
  %u = linalg.generic {indexing_maps = [#id2, #row, #col, #id2], iterator_types = ["parallel", "parallel"]}
    ins(%x, %sum, %lnw : tensor<?x64xf32>, tensor<?xf32>, tensor<64xf32>) outs(%e2 : tensor<?x64xf32>) {
  ^bb0(%a: f32, %s: f32, %g: f32, %o: f32):
    %m = arith.mulf %s, %inv : f32
    %c = arith.subf %a, %m : f32
    %r = arith.mulf %c, %g : f32
    linalg.yield %r : f32
  } -> tensor<?x64xf32>
  %z2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<?x64xf32>) -> tensor<?x64xf32>
  %p = linalg.generic {indexing_maps = [#ma, #mb, #mc], iterator_types = ["parallel", "parallel", "reduction"]}
    ins(%u, %w : tensor<?x64xf32>, tensor<64x64xf32>) outs(%z2 : tensor<?x64xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<?x64xf32>
  %y = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
    ins(%p, %x : tensor<?x64xf32>, tensor<?x64xf32>) outs(%e2 : tensor<?x64xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %half = arith.constant 0.5 : f32
    %one = arith.constant 1.0 : f32
    %is2 = arith.constant 0.707106769 : f32
    %t = arith.mulf %a, %is2 : f32
    %e = math.erf %t : f32
    %g1 = arith.addf %one, %e : f32
    %g2 = arith.mulf %half, %a : f32
    %g = arith.mulf %g2, %g1 : f32
    %r = arith.addf %g, %b : f32
    linalg.yield %r : f32
  } -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

func.func @proj_bf16(%x: tensor<?x?xbf16>, %w: tensor<?x?xbf16>) -> tensor<?x?xbf16> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x?xbf16>
  %m = tensor.dim %w, %c0 : tensor<?x?xbf16>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty(%n, %m) : tensor<?x?xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x?xf32>) -> tensor<?x?xf32>
  %p = linalg.generic {indexing_maps = [#ma, #mb, #mc], iterator_types = ["parallel", "parallel", "reduction"]}
    ins(%x, %w : tensor<?x?xbf16>, tensor<?x?xbf16>) outs(%z : tensor<?x?xf32>) {
  ^bb0(%a: bf16, %b: bf16, %acc: f32):
    %af = arith.extf %a : bf16 to f32
    %bf = arith.extf %b : bf16 to f32
    %mm = arith.mulf %af, %bf : f32
    %s = arith.addf %acc, %mm : f32
    linalg.yield %s : f32
  } -> tensor<?x?xf32>
  %eb = tensor.empty(%n, %m) : tensor<?x?xbf16>
  %y = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
    ins(%p : tensor<?x?xf32>) outs(%eb : tensor<?x?xbf16>) {
  ^bb0(%a: f32, %o: bf16):
    %t = arith.truncf %a : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<?x?xbf16>
  return %y : tensor<?x?xbf16>
}

func.func @proj_f32(%x: tensor<?x?xf32>, %w: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x?xf32>
  %m = tensor.dim %w, %c0 : tensor<?x?xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty(%n, %m) : tensor<?x?xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x?xf32>) -> tensor<?x?xf32>
  %p = linalg.generic {indexing_maps = [#ma, #mb, #mc], iterator_types = ["parallel", "parallel", "reduction"]}
    ins(%x, %w : tensor<?x?xf32>, tensor<?x?xf32>) outs(%z : tensor<?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %mm = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %mm : f32
    linalg.yield %s : f32
  } -> tensor<?x?xf32>
  return %p : tensor<?x?xf32>
}

func.func @matmul(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m = tensor.dim %a, %c0 : tensor<?x?xf32>
  %n = tensor.dim %b, %c1 : tensor<?x?xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty(%m, %n) : tensor<?x?xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x?xf32>) -> tensor<?x?xf32>
  %c = linalg.matmul ins(%a, %b : tensor<?x?xf32>, tensor<?x?xf32>) outs(%z : tensor<?x?xf32>) -> tensor<?x?xf32>
  return %c : tensor<?x?xf32>
}

func.func @concat(%prefix: tensor<?x?x2x16xbf16>, %rows: tensor<?x?x2x16xbf16>) -> tensor<?x?x2x16xbf16> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %b = tensor.dim %prefix, %c0 : tensor<?x?x2x16xbf16>
  %p = tensor.dim %prefix, %c1 : tensor<?x?x2x16xbf16>
  %t = tensor.dim %rows, %c1 : tensor<?x?x2x16xbf16>
  %pt = arith.addi %p, %t : index
  %e = tensor.empty(%b, %pt) : tensor<?x?x2x16xbf16>
  %a = tensor.insert_slice %prefix into %e[0, 0, 0, 0] [%b, %p, 2, 16] [1, 1, 1, 1] : tensor<?x?x2x16xbf16> into tensor<?x?x2x16xbf16>
  %r = tensor.insert_slice %rows into %a[0, %p, 0, 0] [%b, %t, 2, 16] [1, 1, 1, 1] : tensor<?x?x2x16xbf16> into tensor<?x?x2x16xbf16>
  return %r : tensor<?x?x2x16xbf16>
}

func.func @rowmax(%x: tensor<?x?xf32>) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x?xf32>
  %ninf = arith.constant 0xFF800000 : f32
  %e = tensor.empty(%n) : tensor<?xf32>
  %z = linalg.fill ins(%ninf : f32) outs(%e : tensor<?xf32>) -> tensor<?xf32>
  %s = linalg.generic {indexing_maps = [#id2, #row], iterator_types = ["parallel", "reduction"]}
    ins(%x : tensor<?x?xf32>) outs(%z : tensor<?xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %o, %a : f32
    linalg.yield %r : f32
  } -> tensor<?xf32>
  return %s : tensor<?xf32>
}

func.func @gate(%dots: tensor<?xf32>, %gb: tensor<1xf32>) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %dots, %c0 : tensor<?xf32>
  %gmax = arith.constant 0.999 : f32
  %e = tensor.empty(%n) : tensor<?xf32>
  %g = linalg.generic {indexing_maps = [#id1, #at0, #id1], iterator_types = ["parallel"]}
    ins(%dots, %gb : tensor<?xf32>, tensor<1xf32>) outs(%e : tensor<?xf32>) {
  ^bb0(%d: f32, %b: f32, %o: f32):
    %s = arith.addf %d, %b : f32
    %t = math.tanh %s : f32
    %r = arith.mulf %gmax, %t : f32
    linalg.yield %r : f32
  } -> tensor<?xf32>
  return %g : tensor<?xf32>
}

func.func @add(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %a, %c0 : tensor<?xf32>
  %e = tensor.empty(%n) : tensor<?xf32>
  %r = linalg.generic {indexing_maps = [#id1, #id1, #id1], iterator_types = ["parallel"]}
    ins(%a, %b : tensor<?xf32>, tensor<?xf32>) outs(%e : tensor<?xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<?xf32>
  return %r : tensor<?xf32>
}
