//===- Passes.td - Sessa conversion passes -----------------*- tablegen -*-===//
#ifndef SESSA_CONVERSION_PASSES_TD
#define SESSA_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertSessaToLinalg : Pass<"convert-sessa-to-linalg"> {
  let summary = "Lower sessa primitive ops to linalg/tensor/scf on tensors";
  let description = [{
    Rewrites `sessa.rope`, `sessa.attention`, `sessa.feedback_attention` and
    `sessa.selective_scan` into linalg, tensor, scf, arith and math on
    tensors, computing in f32 whatever the storage type:

    - attention: `scf.forall` over (batch, head, query tile); each tile runs
      an online softmax over the key tiles it can see (fully masked tiles are
      never visited), so only `query-tile x key-tile` logits exist at once;
    - feedback_attention: `scf.forall` over (batch, head); rows are solved in
      chunks: a flash pass over all earlier rows, the chunk's strictly lower
      block, and a forward substitution. No `T x T` matrix is built; a row
      with no visible key gives `s = f`;
    - selective_scan: `scf.forall` over (batch, channel tile) with a loop
      over time carrying the state;
    - rope: f64 angle tables `[T, d/2]` and one generic over the pairs.

    `sessa.layer` must be decomposed first (`--sessa-decompose-layer`).
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect", "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect"
  ];
  let options = [
    Option<"attentionQueryTile", "attention-query-tile", "int64_t", "::mlir::sessa::SessaTilingOptions().attentionQueryTile",
           "Query rows per tile of sessa.attention">,
    Option<"keyTile", "key-tile", "int64_t", "::mlir::sessa::SessaTilingOptions().keyTile",
           "Key rows per online-softmax step">,
    Option<"feedbackChunk", "feedback-chunk", "int64_t", "::mlir::sessa::SessaTilingOptions().feedbackChunk",
           "Rows per chunk of the feedback solve">,
    Option<"feedbackRowBlock", "feedback-row-block", "int64_t", "::mlir::sessa::SessaTilingOptions().feedbackRowBlock",
           "Rows of a feedback chunk per parallel flash task">,
    Option<"scanChannelTile", "scan-channel-tile", "int64_t", "::mlir::sessa::SessaTilingOptions().scanChannelTile",
           "Channels per tile of sessa.selective_scan">
  ];
}


def ConvertSessaToGPU : Pass<"convert-sessa-to-gpu"> {
  let summary = "Lower sessa primitive ops to GPU kernels (gpu.launch on buffers)";
  let description = [{
    Rewrites `sessa.rope`, `sessa.attention`, `sessa.feedback_attention` and
    `sessa.selective_scan` (on tensors) into `gpu.launch` kernels that read
    their operands through `bufferization.to_buffer` and write freshly
    allocated buffers, returned through `bufferization.to_tensor`
    (`restrict`). Storage may be f32, f16 or bf16; arithmetic and the
    recurrent states are f32. The kernels are thread-block tiled versions of
    the CPU lowering's blocked algorithms (same tiles, same numerics): online
    softmax attention over key tiles with fully masked tiles skipped, the
    chunked feedback solve with no `T x T` buffer, and a time loop scan with
    the state in registers. Buffers are device memory: the GPU pipeline turns
    `memref.alloc` into `gpu.alloc` after bufferization.

    With `share-rope-launches`, ropes that follow each other in a block with
    the same storage type, none of whose results is used before the last of
    them (the ropes of q and k of a layer), share one launch: grid z selects
    the rope. Off by default: measured on an H100 (bench/RESULTS.md, run of
    17:42 UTC) it takes a decode step from 25 to 24 launches (0.192 ->
    0.187 ms in a loop of C-level calls) but keeps the inputs and outputs
    of both ropes alive at once: the (4, 2048) layer's temporaries peak at
    128 MB instead of 112 MB.

    With `wgmma-attention` (the GPU pipeline sets it for chip sm_90a),
    bf16/f16 attention with head dim 64 runs a FlashAttention-3 style kernel:
    one warpgroup of 64 query rows per block, S = Q K^T and O += P V with
    `wgmma.mma_async` (Q, K, V in 128-byte swizzled dynamic shared memory,
    P from registers, V as a transposed operand). A static T with at most
    64 query rows per kv head (decoding) keeps the mma.sync kernel.

    With `wgmma-feedback` (the GPU pipeline sets it for sm_90a), a bf16/f16
    feedback attention computes the logits of its strips of more than 64
    rows, and without a cache also their cross-strip products (over a
    transposed 16-bit copy of the solved rows), with the wgmma GEMM kernels
    of `--sessa-gpu-matmul` (split over the keys into partial sums).

    `sessa.layer` must be decomposed first (`--sessa-decompose-layer`).
  }];
  let dependentDialects = [
    "::mlir::LLVM::LLVMDialect",
    "::mlir::arith::ArithDialect", "::mlir::bufferization::BufferizationDialect",
    "::mlir::gpu::GPUDialect", "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect", "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect", "::mlir::nvgpu::NVGPUDialect",
    "::mlir::NVVM::NVVMDialect"
  ];
  let options = [
    Option<"shareRopeLaunches", "share-rope-launches", "bool", "false",
           "Consecutive ropes of one storage type share one launch">,
    Option<"wgmmaAttention", "wgmma-attention", "bool", "false",
           "bf16/f16 attention with head dim 64 on sm_90a's wgmma (the "
           "module must target sm_90a)">,
    Option<"wgmmaFeedback", "wgmma-feedback", "bool", "false",
           "sm_90a: the bf16/f16 feedback attention's logits and cross-strip "
           "products as wgmma GEMM kernels (needs an sm_90a target)">
  ];
}

#endif // SESSA_CONVERSION_PASSES_TD
