// The Sessa layer (examples/cpp/layer.mlir: D = 64, 4 heads over 2
// key/value heads, caches), f32 and bf16, through sessa-gpu-pipeline.
//
// Until the GPU kernels of the sessa ops land (convert-sessa-to-gpu:
// lib/Conversion/SessaToGPU/*Kernel.cpp), the pipeline stops at a located
// error on the first primitive op left after sessa-decompose-layer.
// RUN: not sessa-opt %s --split-input-file --sessa-entry-point-abi --sessa-gpu-pipeline 2>&1 | FileCheck %s --check-prefix=UNLOWERED
// UNLOWERED: gpu-pipeline-layer.mlir:[[#@LINE+42]]:{{[0-9]+}}: error: 'sessa.rope' op was not lowered by convert-sessa-to-gpu
// UNLOWERED: gpu-pipeline-layer.mlir:[[#@LINE+76]]:{{[0-9]+}}: error: 'sessa.rope' op was not lowered by convert-sessa-to-gpu
//
// Everything after that point runs on the whole layer when the sessa ops
// are first lowered to linalg and loops (convert-sessa-to-linalg, the CPU
// lowering, standing in for the kernels): every linalg op becomes a kernel,
// host loops only launch kernels, no host code touches device memory, and
// everything lands in one gpu.module / gpu.binary (PTX here: no toolkit
// needed; gpu-pipeline-cubin.mlir runs ptxas).
// RUN: sessa-opt %s --split-input-file --sessa-decompose-layer --convert-sessa-to-linalg --sessa-entry-point-abi --sessa-gpu-pipeline="format=isa" | FileCheck %s --check-prefix=STANDIN
// STANDIN-LABEL: llvm.func @layer_step(
// STANDIN: llvm.call @mgpuStreamCreate()
// STANDIN: gpu.launch_func <%{{.+}} : !llvm.ptr> @sessa_kernels::@layer_step_kernel
// STANDIN: gpu.binary @sessa_kernels  [#gpu.object<#nvvm.target<O = 3, chip = "sm_90", features = "+ptx80">, {{.*}}assembly = "{{.*}}.target sm_90
// STANDIN-NOT: gpu.binary
// STANDIN-LABEL: llvm.func @layer_step_bf16(
// STANDIN: gpu.launch_func <%{{.+}} : !llvm.ptr> @sessa_kernels::@layer_step_bf16_kernel
// STANDIN: gpu.binary @sessa_kernels  [#gpu.object<#nvvm.target<O = 3, chip = "sm_90", features = "+ptx80">, {{.*}}assembly = "{{.*}}.target sm_90
// STANDIN-NOT: gpu.binary

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

// -----

func.func @layer_step_bf16(
    %x: tensor<1x?x64xbf16> {sessa.name = "x"},
    %ln_weight: tensor<64xbf16> {sessa.name = "ln_weight"},
    %ln_bias: tensor<64xbf16> {sessa.name = "ln_bias"},
    %w_in: tensor<128x64xbf16> {sessa.name = "w_in"},
    %q_weight: tensor<64x64xbf16> {sessa.name = "q_weight"},
    %k_weight: tensor<32x64xbf16> {sessa.name = "k_weight"},
    %v_weight: tensor<32x64xbf16> {sessa.name = "v_weight"},
    %fb_weight: tensor<128x64xbf16> {sessa.name = "fb_weight"},
    %out_proj: tensor<64x64xbf16> {sessa.name = "out_proj"},
    %gamma_ctx: tensor<1x64xbf16> {sessa.name = "gamma_ctx"},
    %gamma_bias: tensor<1xbf16> {sessa.name = "gamma_bias"},
    %w_out: tensor<64x64xbf16> {sessa.name = "w_out"},
    %k_cache: tensor<1x?x2x16xbf16> {sessa.name = "k_cache"},
    %v_cache: tensor<1x?x2x16xbf16> {sessa.name = "v_cache"},
    %kb_cache: tensor<1x?x1x64xbf16> {sessa.name = "kb_cache"},
    %s_cache: tensor<1x?x1x64xbf16> {sessa.name = "s_cache"})
    -> (tensor<1x?x64xbf16> {sessa.name = "y"},
    tensor<1x?x2x16xbf16> {sessa.name = "k_cache_out"},
    tensor<1x?x2x16xbf16> {sessa.name = "v_cache_out"},
    tensor<1x?x1x64xbf16> {sessa.name = "kb_cache_out"},
    tensor<1x?x1x64xbf16> {sessa.name = "s_cache_out"}) {
  %y, %k, %v, %kb, %s = sessa.layer %x norm(%ln_weight, %ln_bias) in_proj(%w_in)
      q_proj(%q_weight) k_proj(%k_weight) v_proj(%v_weight) fb_proj(%fb_weight)
      out_proj(%out_proj) gate(%gamma_ctx, %gamma_bias) out(%w_out)
      cache(%k_cache, %v_cache, %kb_cache, %s_cache)
      {num_heads = 4 : i64, num_kv_heads = 2 : i64}
      : (tensor<1x?x64xbf16>, tensor<64xbf16>, tensor<64xbf16>, tensor<128x64xbf16>, tensor<64x64xbf16>, tensor<32x64xbf16>, tensor<32x64xbf16>, tensor<128x64xbf16>, tensor<64x64xbf16>, tensor<1x64xbf16>, tensor<1xbf16>, tensor<64x64xbf16>, tensor<1x?x2x16xbf16>, tensor<1x?x2x16xbf16>, tensor<1x?x1x64xbf16>, tensor<1x?x1x64xbf16>)
      -> (tensor<1x?x64xbf16>, tensor<1x?x2x16xbf16>, tensor<1x?x2x16xbf16>, tensor<1x?x1x64xbf16>, tensor<1x?x1x64xbf16>)
  return %y, %k, %v, %kb, %s
      : tensor<1x?x64xbf16>, tensor<1x?x2x16xbf16>, tensor<1x?x2x16xbf16>, tensor<1x?x1x64xbf16>, tensor<1x?x1x64xbf16>
}
