// A Sessa layer (D = 64, 4 heads over 2 key/value heads) with its caches:
// one entry point serves prefill (P = 0), chunked prefill and decoding
// (T = 1). Compile with:  sessa-compile layer.mlir -o out/
func.func @layer_step(
    %x: tensor<1x?x64xf32> {sessa.name = "x"},
    %ln_weight: tensor<64xf32> {sessa.name = "ln_weight"},
    %ln_bias: tensor<64xf32> {sessa.name = "ln_bias"},
    %w_in: tensor<128x64xf32> {sessa.name = "w_in"},
    %q_weight: tensor<64x64xf32> {sessa.name = "q_weight"},
    %k_weight: tensor<32x64xf32> {sessa.name = "k_weight"},
    %v_weight: tensor<32x64xf32> {sessa.name = "v_weight"},
    %fb_weight: tensor<128x64xf32> {sessa.name = "fb_weight"},
    %out_proj: tensor<64x64xf32> {sessa.name = "out_proj"},
    %gamma_ctx: tensor<1x64xf32> {sessa.name = "gamma_ctx"},
    %gamma_bias: tensor<1xf32> {sessa.name = "gamma_bias"},
    %w_out: tensor<64x64xf32> {sessa.name = "w_out"},
    %k_cache: tensor<1x?x2x16xf32> {sessa.name = "k_cache"},
    %v_cache: tensor<1x?x2x16xf32> {sessa.name = "v_cache"},
    %kb_cache: tensor<1x?x1x64xf32> {sessa.name = "kb_cache"},
    %s_cache: tensor<1x?x1x64xf32> {sessa.name = "s_cache"})
    -> (tensor<1x?x64xf32> {sessa.name = "y"},
    tensor<1x?x2x16xf32> {sessa.name = "k_cache_out"},
    tensor<1x?x2x16xf32> {sessa.name = "v_cache_out"},
    tensor<1x?x1x64xf32> {sessa.name = "kb_cache_out"},
    tensor<1x?x1x64xf32> {sessa.name = "s_cache_out"}) {
  %y, %k, %v, %kb, %s = sessa.layer %x norm(%ln_weight, %ln_bias) in_proj(%w_in)
      q_proj(%q_weight) k_proj(%k_weight) v_proj(%v_weight) fb_proj(%fb_weight)
      out_proj(%out_proj) gate(%gamma_ctx, %gamma_bias) out(%w_out)
      cache(%k_cache, %v_cache, %kb_cache, %s_cache)
      {num_heads = 4 : i64, num_kv_heads = 2 : i64}
      : (tensor<1x?x64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<128x64xf32>, tensor<64x64xf32>, tensor<32x64xf32>, tensor<32x64xf32>, tensor<128x64xf32>, tensor<64x64xf32>, tensor<1x64xf32>, tensor<1xf32>, tensor<64x64xf32>, tensor<1x?x2x16xf32>, tensor<1x?x2x16xf32>, tensor<1x?x1x64xf32>, tensor<1x?x1x64xf32>)
      -> (tensor<1x?x64xf32>, tensor<1x?x2x16xf32>, tensor<1x?x2x16xf32>, tensor<1x?x1x64xf32>, tensor<1x?x1x64xf32>)
  return %y, %k, %v, %kb, %s
      : tensor<1x?x64xf32>, tensor<1x?x2x16xf32>, tensor<1x?x2x16xf32>, tensor<1x?x1x64xf32>, tensor<1x?x1x64xf32>
}
