#mA = affine_map<(m, n, k) -> (m, k)>
#mB = affine_map<(m, n, k) -> (n, k)>
#mC = affine_map<(m, n, k) -> (m, n)>
#id = affine_map<(m, n) -> (m, n)>
#row = affine_map<(m, n) -> (n)>
func.func @mm(%a: tensor<?x1000xbf16> {sessa.name = "a"}, %b: tensor<200x1000xbf16> {sessa.name = "b"},
              %bias: tensor<200xbf16> {sessa.name = "bias"}, %b2: tensor<200x1000xbf16> {sessa.name = "b2"})
    -> (tensor<?x200xbf16> {sessa.name = "c"}, tensor<?x200xf32> {sessa.name = "c2"}) {
  %c0 = arith.constant 0 : index
  %m = tensor.dim %a, %c0 : tensor<?x1000xbf16>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty(%m) : tensor<?x200xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<?x200xf32>) -> tensor<?x200xf32>
  %p = linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<?x1000xbf16>, tensor<200x1000xbf16>) outs(%f : tensor<?x200xf32>) {
  ^bb0(%x: bf16, %y: bf16, %acc: f32):
    %xf = arith.extf %x : bf16 to f32
    %yf = arith.extf %y : bf16 to f32
    %pr = arith.mulf %xf, %yf : f32
    %s = arith.addf %acc, %pr : f32
    linalg.yield %s : f32
  } -> tensor<?x200xf32>
  %e2 = tensor.empty(%m) : tensor<?x200xbf16>
  %r = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%p, %bias : tensor<?x200xf32>, tensor<200xbf16>) outs(%e2 : tensor<?x200xbf16>) {
  ^bb0(%x: f32, %bb: bf16, %o: bf16):
    %bf = arith.extf %bb : bf16 to f32
    %s = arith.addf %x, %bf : f32
    %t = arith.truncf %s : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<?x200xbf16>
  %e3 = tensor.empty(%m) : tensor<?x200xf32>
  %f3 = linalg.fill ins(%z : f32) outs(%e3 : tensor<?x200xf32>) -> tensor<?x200xf32>
  %p2 = linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b2 : tensor<?x1000xbf16>, tensor<200x1000xbf16>) outs(%f3 : tensor<?x200xf32>) {
  ^bb0(%x: bf16, %y: bf16, %acc: f32):
    %xf = arith.extf %x : bf16 to f32
    %yf = arith.extf %y : bf16 to f32
    %pr = arith.mulf %xf, %yf : f32
    %s = arith.addf %acc, %pr : f32
    linalg.yield %s : f32
  } -> tensor<?x200xf32>
  return %r, %p2 : tensor<?x200xbf16>, tensor<?x200xf32>
}
