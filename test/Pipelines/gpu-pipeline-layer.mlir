// The Sessa layer (examples/cpp/layer.mlir: D = 64, 4 heads over 2
// key/value heads, caches), f32 and bf16, through sessa-gpu-pipeline
// (format=isa: no toolkit needed; gpu-pipeline-cubin.mlir runs ptxas on it):
// the sessa ops become convert-sessa-to-gpu kernels, the projections
// sessa-gpu-matmul GEMMs, the rest sessa-gpu-map-linalg kernels; with
// merge-kernel-modules all kernels of an entry point are in one image. The
// host is LLVM only: no host code touches device memory.
// RUN: sessa-opt %s --split-input-file --sessa-entry-point-abi --sessa-gpu-pipeline="format=isa merge-kernel-modules=true" | FileCheck %s
// RUN: sessa-opt %s --split-input-file --sessa-entry-point-abi --sessa-gpu-pipeline="format=isa merge-kernel-modules=true" | FileCheck %s --check-prefix=ONLY-LLVM
// CHECK-LABEL: llvm.func @layer_step(
// CHECK: llvm.call @mgpuStreamCreate()
// CHECK: llvm.call @mgpuMemAlloc(
// CHECK: gpu.launch_func <%{{.+}} : !llvm.ptr> @layer_step_kernels::@layer_step_kernel
// CHECK: llvm.call @mgpuMemFree(
// CHECK: llvm.call @mgpuStreamSynchronize(
// CHECK: gpu.binary @layer_step_kernels  [#gpu.object<#nvvm.target<O = 3, chip = "sm_90a", features = "+ptx80">, {{.*}}assembly = "{{.*}}.target sm_90
// CHECK-NOT: gpu.binary
// CHECK-LABEL: llvm.func @layer_step_bf16(
// CHECK: gpu.launch_func <%{{.+}} : !llvm.ptr> @layer_step_bf16_kernels::@layer_step_bf16_kernel
// CHECK: gpu.binary @layer_step_bf16_kernels  [#gpu.object<#nvvm.target<O = 3, chip = "sm_90a", features = "+ptx80">, {{.*}}assembly = "{{.*}}.target sm_90
// CHECK-NOT: gpu.binary
// ONLY-LLVM-NOT: {{= sessa\.|^ *sessa\.}}
// ONLY-LLVM-NOT: linalg.
// ONLY-LLVM-NOT: scf.
// ONLY-LLVM-NOT: memref.
// ONLY-LLVM-NOT: tensor.
// ONLY-LLVM-NOT: bufferization.
// ONLY-LLVM-NOT: arith.
// ONLY-LLVM-NOT: gpu.module
// ONLY-LLVM-NOT: unrealized_conversion_cast

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
