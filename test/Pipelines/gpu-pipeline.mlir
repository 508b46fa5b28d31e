// sessa-gpu-pipeline on linalg-only modules (after sessa-entry-point-abi, as
// sessa-compile runs it): LayerNorm-style row reductions, a projection
// x W^T with f32 accumulation, exact-erf GELU and a residual, in f32 and
// with bf16 storage. The projections become sessa-gpu-matmul GEMMs, every
// other linalg op a kernel of sessa-gpu-map-linalg (the row reduction and
// the normalization that reads it one kernel a row, grid-stride loops for
// the elementwise ops), one gpu.module per
// function (@<function>_kernels) with merge-kernel-modules, one per kernel
// by default; buffers are gpu.alloc'ed and
// freed, the host is LLVM only and launches on one stream per call.
// format=isa (PTX from LLVM's NVPTX backend) needs no CUDA toolkit;
// gpu-pipeline-cubin.mlir checks the cubin / fatbin (ptxas).

// RUN: sessa-opt %s --sessa-entry-point-abi --sessa-gpu-pipeline="format=isa merge-kernel-modules=true" --mlir-print-ir-after=sessa-gpu-merge-modules -o /dev/null 2>&1 | FileCheck %s --check-prefix=KERNELS
// RUN: sessa-opt %s --sessa-entry-point-abi --sessa-gpu-pipeline="format=isa merge-kernel-modules=true" | FileCheck %s --check-prefix=HOST
// RUN: sessa-opt %s --sessa-entry-point-abi --sessa-gpu-pipeline="format=isa merge-kernel-modules=true" | FileCheck %s --check-prefix=ONLY-LLVM
// RUN: sessa-opt %s --sessa-entry-point-abi --sessa-gpu-pipeline="format=isa merge-kernel-modules=true" | mlir-translate --mlir-to-llvmir | FileCheck %s --check-prefix=LLVMIR
// RUN: sessa-opt %s --sessa-entry-point-abi --sessa-gpu-pipeline="format=isa chip=sm_80 features=+ptx70" | FileCheck %s --check-prefix=SM80
// By default each kernel keeps its own gpu.module / image.
// RUN: sessa-opt %s --sessa-entry-point-abi --sessa-gpu-pipeline="format=isa" | FileCheck %s --check-prefix=DEFAULT
// DEFAULT-LABEL: llvm.func @_mlir_ciface_block_f32(
// DEFAULT-COUNT-4: gpu.binary @block_f32_kernel{{(_[0-9])?}}  [#gpu.object<#nvvm.target<O = 3, chip = "sm_90", features = "+ptx80">
// DEFAULT-NOT: gpu.binary
// DEFAULT-LABEL: llvm.func @_mlir_ciface_proj_bf16(
// DEFAULT-COUNT-2: gpu.binary @proj_bf16_kernel{{(_[0-9])?}}  [#gpu.object<#nvvm.target<O = 3, chip = "sm_90", features = "+ptx80">
// DEFAULT-NOT: gpu.binary

#id2 = affine_map<(i, j) -> (i, j)>
#row = affine_map<(i, j) -> (i)>
#col = affine_map<(i, j) -> (j)>
#ma = affine_map<(m, n, k) -> (m, k)>
#mb = affine_map<(m, n, k) -> (n, k)>
#mc = affine_map<(m, n, k) -> (m, n)>

// y = x + gelu(((x - mean(x)) * w) W^T), x: [N, 64], W: [64, 64].
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

// bf16 storage, f32 arithmetic: y = bf16(x W^T).
func.func @proj_bf16(%x: tensor<?x64xbf16>, %w: tensor<32x64xbf16>) -> tensor<?x32xbf16> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x64xbf16>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty(%n) : tensor<?x32xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x32xf32>) -> tensor<?x32xf32>
  %p = linalg.generic {indexing_maps = [#ma, #mb, #mc], iterator_types = ["parallel", "parallel", "reduction"]}
    ins(%x, %w : tensor<?x64xbf16>, tensor<32x64xbf16>) outs(%z : tensor<?x32xf32>) {
  ^bb0(%a: bf16, %b: bf16, %acc: f32):
    %af = arith.extf %a : bf16 to f32
    %bf = arith.extf %b : bf16 to f32
    %m = arith.mulf %af, %bf : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<?x32xf32>
  %eb = tensor.empty(%n) : tensor<?x32xbf16>
  %y = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
    ins(%p : tensor<?x32xf32>) outs(%eb : tensor<?x32xbf16>) {
  ^bb0(%a: f32, %o: bf16):
    %t = arith.truncf %a : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<?x32xbf16>
  return %y : tensor<?x32xbf16>
}

// After outlining: host code only moves descriptors and launches; the
// kernels of each function are in one gpu.module. The projections are
// sessa-gpu-matmul's GEMM kernels; sessa-gpu-map-linalg makes the rest.
// KERNELS-LABEL: func.func @block_f32(
// KERNELS-SAME: %[[X:[^:]+]]: memref<?x64xf32>, %[[W:[^:]+]]: memref<64x64xf32>, %[[LNW:[^:]+]]: memref<64xf32>, %[[Y:[^:]+]]: memref<?x64xf32>)
// KERNELS-NOT: memref.load
// KERNELS-NOT: memref.store
// KERNELS-NOT: memref.alloc
// The row sum and the normalization are one kernel (sessa-gpu-map-linalg's
// row fusion: one block a row, the sum in registers; no buffer for it).
// KERNELS: %[[P:.+]] = gpu.alloc (%{{.+}}) : memref<?x64xf32>
// KERNELS: %[[U:.+]] = gpu.alloc (%{{.+}}) : memref<?x64xf32>
// KERNELS-NOT: gpu.launch_func
// KERNELS: gpu.launch_func @block_f32_kernels::@block_f32_kernel blocks {{.+}} threads in (%c64, %c1, %c1) args(%[[X]] : memref<?x64xf32>, %[[LNW]] : memref<64xf32>, %[[U]] : memref<?x64xf32>)
// M > 16: the tiled GEMM; else the small-M one (8 column blocks of 128
// threads for N = 64).
// KERNELS: gpu.launch_func @block_f32_kernels::@block_f32_kernel_0 {{.+}} dynamic_shared_memory_size
// KERNELS: } else {
// KERNELS: gpu.launch_func @block_f32_kernels::@block_f32_kernel_1 blocks in (%c8, %{{.+}}, %c1) threads in (%c128, %c1, %c1) args(%[[U]] : memref<?x64xf32>, %[[W]] : memref<64x64xf32>, %[[P]] : memref<?x64xf32>)
// KERNELS: gpu.launch_func @block_f32_kernels::@block_f32_kernel_2 {{.+}} %[[Y]] : memref<?x64xf32>
// KERNELS: gpu.dealloc
// KERNELS: return
// KERNELS: gpu.module @block_f32_kernels {
// The rows: 64 threads, one column each; the sum a shuffle butterfly and
// one shared-memory step over the 2 warps; constants sunk into the kernel.
// KERNELS: gpu.func @block_f32_kernel(%{{.+}}: memref<?x64xf32>, %{{.+}}: memref<64xf32>, %[[OUT:.+]]: memref<?x64xf32>) workgroup(%[[SMEM:.+]] : memref<2xf32, #gpu.address_space<workgroup>>) kernel attributes {known_block_size = array<i32: 64, 1, 1>}
// KERNELS: arith.constant 1.562500e-02 : f32
// KERNELS: gpu.shuffle xor
// KERNELS: memref.store %{{.+}}, %[[SMEM]]
// KERNELS: gpu.barrier
// KERNELS: memref.store %{{.+}}, %[[OUT]]
// KERNELS: gpu.return
// KERNELS: gpu.func @block_f32_kernel_0(
// KERNELS: gpu.func @block_f32_kernel_1(
// KERNELS: gpu.shuffle xor
// KERNELS: gpu.func @block_f32_kernel_2(
// KERNELS: math.erf
// The cast to bf16 runs in the GEMM's epilogue, which writes the entry
// output y directly (marked sessa.output: by the ABI it shares no memory with
// the weights, of another type): the tiled kernel, or the small-M one for
// M <= 16, and no other.
// KERNELS-LABEL: func.func @proj_bf16(
// KERNELS-NOT: memref.load
// KERNELS: gpu.launch_func @proj_bf16_kernels::@proj_bf16_kernel blocks {{.+}} args(%{{.+}} : memref<?x64xbf16>, %{{.+}} : memref<32x64xbf16>, %{{.+}} : memref<?x32xbf16>)
// KERNELS: gpu.launch_func @proj_bf16_kernels::@proj_bf16_kernel_{{[0-9]+}} blocks {{.+}} args(%{{.+}} : memref<?x64xbf16>, %{{.+}} : memref<32x64xbf16>, %{{.+}} : memref<?x32xbf16>)
// KERNELS-NOT: gpu.launch_func
// KERNELS: return
// KERNELS: gpu.module @proj_bf16_kernels {
// KERNELS: gpu.func @proj_bf16_kernel(%{{.+}}: memref<?x64xbf16>, %{{.+}}: memref<32x64xbf16>, %{{.+}}: memref<?x32xbf16>) kernel
// KERNELS: nvvm.mma.sync
// KERNELS: arith.truncf %{{.+}} : f32 to bf16
// KERNELS-NOT: gpu.module

// The host: one stream per call, device allocations, launches, frees.
// HOST-LABEL: llvm.func @block_f32(
// HOST: llvm.call @mgpuStreamCreate()
// HOST: llvm.call @mgpuMemAlloc(
// HOST: gpu.launch_func <%{{.+}} : !llvm.ptr> @block_f32_kernels::@block_f32_kernel blocks
// HOST: gpu.launch_func <%{{.+}} : !llvm.ptr> @block_f32_kernels::@block_f32_kernel_2 blocks
// HOST: llvm.call @mgpuMemFree(
// HOST: llvm.call @mgpuStreamSynchronize(
// HOST: llvm.call @mgpuStreamDestroy(
// HOST: llvm.return
// HOST-LABEL: llvm.func @_mlir_ciface_block_f32(
// The kernels as PTX for sm_90 with PTX ISA 8.0.
// HOST: gpu.binary @block_f32_kernels  [#gpu.object<#nvvm.target<O = 3, chip = "sm_90", features = "+ptx80">, {{.*}}assembly = "{{.*}}.version 8.0{{.*}}.target sm_90{{.*}}.visible .entry block_f32_kernel({{.*}}.visible .entry block_f32_kernel_2(
// HOST-LABEL: llvm.func @proj_bf16(
// SM80: #nvvm.target<O = 3, chip = "sm_80", features = "+ptx70">
// SM80-SAME: .target sm_80

// ONLY-LLVM-NOT: linalg.
// ONLY-LLVM-NOT: scf.
// ONLY-LLVM-NOT: memref.
// ONLY-LLVM-NOT: tensor.
// ONLY-LLVM-NOT: bufferization.
// ONLY-LLVM-NOT: arith.
// ONLY-LLVM-NOT: math.
// ONLY-LLVM-NOT: cf.
// ONLY-LLVM-NOT: func.func
// ONLY-LLVM-NOT: gpu.launch {{.*}}blocks(
// ONLY-LLVM-NOT: gpu.module
// ONLY-LLVM-NOT: gpu.alloc
// ONLY-LLVM-NOT: unrealized_conversion_cast

// The module constructor loads the one kernel image (PTX: JIT-compiled by
// the driver at opt level 3); launches go through the mgpu* runtime.
// LLVMIR-DAG: call ptr @mgpuModuleLoadJIT(ptr @block_f32_kernels_binary, i32 3)
// LLVMIR-DAG: call ptr @mgpuModuleGetFunction(ptr %{{.+}}, ptr @block_f32_kernels_block_f32_kernel_name)
// LLVMIR-DAG: call void @mgpuLaunchKernel(
// LLVMIR-DAG: call void @mgpuModuleUnload(
