// sessa-gpu-matmul rejects tile options its kernels cannot be built with.

// RUN: sessa-opt %s --sessa-gpu-matmul="block-k=24" -verify-diagnostics
// RUN: not sessa-opt %s --sessa-gpu-matmul="stages=1" 2>&1 | FileCheck %s --check-prefix=STAGES
// RUN: not sessa-opt %s --sessa-gpu-matmul="block-k=256" 2>&1 | FileCheck %s --check-prefix=LARGE
// RUN: not sessa-opt %s --sessa-gpu-matmul="small-m=-1" 2>&1 | FileCheck %s --check-prefix=SMALLM

// STAGES: error: sessa-gpu-matmul: stages must be 0 (default) or between 2 and 8
// SMALLM: error: sessa-gpu-matmul: small-m must be 0 (off) or positive
// LARGE: error: sessa-gpu-matmul: block-k must be 0 (default) or a multiple of 16 up to 128

// expected-error @below {{sessa-gpu-matmul: block-k must be 0 (default) or a multiple of 16 up to 128}}
module {
}
