// sessa-gpu-matmul rejects tile options its kernels cannot be built with.

// RUN: sessa-opt %s --sessa-gpu-matmul="block-k=24" -verify-diagnostics
// RUN: not sessa-opt %s --sessa-gpu-matmul="stages=1" 2>&1 | FileCheck %s --check-prefix=STAGES
// RUN: not sessa-opt %s --sessa-gpu-matmul="block-k=256" 2>&1 | FileCheck %s --check-prefix=LARGE
// RUN: not sessa-opt %s --sessa-gpu-matmul="small-m=-1" 2>&1 | FileCheck %s --check-prefix=SMALLM
// RUN: not sessa-opt %s --sessa-gpu-matmul="block-m=96" 2>&1 | FileCheck %s --check-prefix=TILE
// RUN: not sessa-opt %s --sessa-gpu-matmul="warps=6" 2>&1 | FileCheck %s --check-prefix=WARPS
// RUN: not sessa-opt %s --sessa-gpu-matmul="block-m=256 block-n=256 warps=4" 2>&1 | FileCheck %s --check-prefix=WARPTILE
// RUN: not sessa-opt %s --sessa-gpu-matmul="block-n=256 block-k=128 stages=4" 2>&1 | FileCheck %s --check-prefix=SMEM
// RUN: not sessa-opt %s --sessa-gpu-matmul="wgmma=1 block-k=32" 2>&1 | FileCheck %s --check-prefix=WGMMA
// RUN: not sessa-opt %s --sessa-gpu-matmul="wgmma=1 stages=6" 2>&1 | FileCheck %s --check-prefix=SMEM
// RUN: not sessa-opt %s --sessa-gpu-matmul="wgmma=1 tma-blocks=0" 2>&1 | FileCheck %s --check-prefix=TMABLOCKS
// RUN: not sessa-opt %s --sessa-gpu-matmul="wgmma=1 tma-cluster=3" 2>&1 | FileCheck %s --check-prefix=TMACLUSTER

// STAGES: error: sessa-gpu-matmul: stages must be 0 (default) or between 2 and 8
// SMALLM: error: sessa-gpu-matmul: small-m must be 0 (off) or positive
// TILE: error: sessa-gpu-matmul: block-m and block-n must be 0 (default), 64, 128 or 256
// WARPS: error: sessa-gpu-matmul: warps must be 0 (default), 4 or 8
// WARPTILE: error: sessa-gpu-matmul: block-m / 64 must divide warps and each warp's block-n share must be 16, 32, 48 or 64 columns
// SMEM: error: sessa-gpu-matmul: tiles need more than 227 KiB of shared memory
// WGMMA: error: sessa-gpu-matmul: wgmma tiles are 128 x (64, 128 or 256) x 64 with 8 warps
// TMABLOCKS: error: sessa-gpu-matmul: tma-blocks must be positive
// TMACLUSTER: error: sessa-gpu-matmul: tma-cluster must be 0 (auto), 1 or 2
// LARGE: error: sessa-gpu-matmul: block-k must be 0 (default) or a multiple of 16 up to 128

// expected-error @below {{sessa-gpu-matmul: block-k must be 0 (default) or a multiple of 16 up to 128}}
module {
}
