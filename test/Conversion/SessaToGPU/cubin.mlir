// The feedback-attention (bf16: tensor cores, cp.async) and the staged
// selective-scan kernels go through the upstream NVVM lowering and ptxas for
// sm_90: one cubin per kernel, tensor-core and cp.async instructions in the
// PTX (bench/gpu/mlir_to_cuda.py, which the H100 check uses).

// REQUIRES: cuda-toolkit
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %sessa_src/bench/gpu/mlir_to_cuda.py %s %t --sessa-opt sessa-opt --mlir-opt mlir-opt | FileCheck %s
// RUN: cat %t/fb_kernel.ptx | FileCheck %s --check-prefix=LOGITS
// RUN: cat %t/scan_kernel.ptx | FileCheck %s --check-prefix=SCAN
// RUN: ls %t | FileCheck %s --check-prefix=FILES

// CHECK-DAG: fb_kernel | {{.*}}0 bytes spill stores
// CHECK-DAG: fb_kernel_0 | {{.*}}0 bytes spill stores
// CHECK-DAG: fb_kernel_1 | {{.*}}0 bytes spill stores
// CHECK-DAG: scan_kernel | {{.*}}0 bytes spill stores

// LOGITS: .target sm_90
// LOGITS: cp.async.cg.shared.global
// LOGITS: cp.async.wait_group {{[[:space:]]*}}3;
// LOGITS: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32

// The scan's occupancy request (2 lanes per channel at N = 16 f32: 2 blocks
// per SM) reaches ptxas.
// SCAN: .target sm_90
// SCAN: .minnctapersm 2
// SCAN: cp.async.cg.shared.global
// SCAN: ex2.approx

// FILES-DAG: fb_kernel.cubin
// FILES-DAG: fb_kernel_0.cubin
// FILES-DAG: fb_kernel_1.cubin
// FILES-DAG: scan_kernel.cubin
// FILES-DAG: cubin.host.mlir

func.func @fb(%f: tensor<?x?x1x64xbf16>, %q: tensor<?x?x1x64xbf16>, %k: tensor<?x?x1x64xbf16>, %g: tensor<?x?x1xbf16>) -> tensor<?x?x1x64xbf16> {
  %s = sessa.feedback_attention %f, %q, %k, %g : tensor<?x?x1x64xbf16>, tensor<?x?x1x64xbf16>, tensor<?x?x1x64xbf16>, tensor<?x?x1xbf16>
  return %s : tensor<?x?x1x64xbf16>
}

func.func @scan(%u: tensor<?x?x128xf32>, %dt: tensor<?x?x128xf32>, %A: tensor<128x16xf32>, %B: tensor<?x?x1x16xf32>, %C: tensor<?x?x1x16xf32>) -> (tensor<?x?x128xf32>, tensor<?x128x16xf32>) {
  %y, %h = sessa.selective_scan %u, %dt, %A, %B, %C : tensor<?x?x128xf32>, tensor<?x?x128xf32>, tensor<128x16xf32>, tensor<?x?x1x16xf32>, tensor<?x?x1x16xf32> -> tensor<?x?x128xf32>, tensor<?x128x16xf32>
  return %y, %h : tensor<?x?x128xf32>, tensor<?x128x16xf32>
}
