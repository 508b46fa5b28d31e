// REQUIRES: cuda-toolkit
// sessa-gpu-pipeline with ptxas: the default format is a fatbin holding the
// sm_90 cubin (ptxas) and the PTX (for the driver to JIT on GPUs the cubin
// does not fit), built by the toolkit's fatbinary; format=bin embeds the
// cubin alone. The module constructor loads the image with mgpuModuleLoad.

// RUN: sessa-opt %s --sessa-entry-point-abi --sessa-gpu-pipeline | FileCheck %s --check-prefix=FATBIN
// RUN: sessa-opt %s --sessa-entry-point-abi --sessa-gpu-pipeline="format=bin opt-level=2" | FileCheck %s --check-prefix=CUBIN
// RUN: sessa-opt %s --sessa-entry-point-abi --sessa-gpu-pipeline | mlir-translate --mlir-to-llvmir | FileCheck %s --check-prefix=LLVMIR
// The layer of examples/cpp (every kernel in one image): ptxas accepts it.
// RUN: sessa-opt %sessa_src/examples/cpp/layer.mlir --sessa-entry-point-abi --sessa-gpu-pipeline="merge-kernel-modules=true" | FileCheck %s --check-prefix=LAYER

#id2 = affine_map<(i, j) -> (i, j)>
#row = affine_map<(i, j) -> (i)>
func.func @row_softmax_denominator(%x: tensor<?x128xbf16>) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x128xbf16>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty(%n) : tensor<?xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?xf32>) -> tensor<?xf32>
  %s = linalg.generic {indexing_maps = [#id2, #row], iterator_types = ["parallel", "reduction"]}
    ins(%x : tensor<?x128xbf16>) outs(%z : tensor<?xf32>) {
  ^bb0(%a: bf16, %o: f32):
    %af = arith.extf %a : bf16 to f32
    %ex = math.exp %af : f32
    %r = arith.addf %o, %ex : f32
    linalg.yield %r : f32
  } -> tensor<?xf32>
  return %s : tensor<?xf32>
}

// A fatbin (magic 0xBA55ED50) with an ELF cubin inside.
// FATBIN: gpu.binary @row_softmax_denominator_kernel  [#gpu.object<#nvvm.target<O = 3, chip = "sm_90a", features = "+ptx80">, properties = {{{.*}}}, "P\EDU\BA{{.*}}\7FELF
// CUBIN: gpu.binary @row_softmax_denominator_kernel  [#gpu.object<#nvvm.target<chip = "sm_90a", features = "+ptx80">, properties = {{{.*}}}, bin = "\7FELF
// LLVMIR: @row_softmax_denominator_kernel_binary = internal constant [{{[0-9]+}} x i8] c"P\ED
// LLVMIR: call ptr @mgpuModuleLoad(ptr @row_softmax_denominator_kernel_binary, i64 {{[0-9]+}})
// LLVMIR: call void @mgpuModuleUnload(
// LAYER-LABEL: llvm.func @layer_step(
// LAYER: gpu.binary @layer_step_kernels  [#gpu.object<#nvvm.target<O = 3, chip = "sm_90a", features = "+ptx80">, properties = {{{.*}}}, "P\EDU\BA
// LAYER-NOT: gpu.binary
