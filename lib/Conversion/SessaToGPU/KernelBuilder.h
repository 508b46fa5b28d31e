//===- KernelBuilder.h - Helpers to build gpu.launch kernels ----*- C++ -*-===//
//
// Small helpers shared by the GPU kernels of convert-sessa-to-gpu: device
// buffers for tensor operands and results, a gpu.launch with its ids and
// workgroup (shared) memory, f32 loads/stores of any storage type, and warp
// reductions.
//
//===----------------------------------------------------------------------===//
#ifndef SESSA_LIB_CONVERSION_SESSATOGPU_KERNELBUILDER_H
#define SESSA_LIB_CONVERSION_SESSATOGPU_KERNELBUILDER_H

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/STLFunctionalExtras.h"

namespace mlir::sessa::gpukernels {

/// `arith.constant N : index`.
Value cst(OpBuilder &b, Location loc, int64_t value);
/// `arith.constant V : f32`.
Value cstF32(OpBuilder &b, Location loc, double value);
/// Size `i` of a tensor or memref value (static sizes fold to constants).
Value dim(OpBuilder &b, Location loc, Value shaped, int64_t i);
/// ceil(a / b) for non-negative index values.
Value ceilDiv(OpBuilder &b, Location loc, Value a, Value bv);
Value minIndex(OpBuilder &b, Location loc, Value a, Value bv);

/// The device buffer holding tensor operand `tensor` (read only, identity
/// layout): `bufferization.to_buffer ... read_only`.
Value readBuffer(OpBuilder &b, Location loc, Value tensor);
/// Like readBuffer, for an operand that may be a view with outer strides of
/// its own (the caches of sessa.layer are batch-strided entry buffers): the
/// memref has a `strided<[?, ..., ?, 1], offset: ?>` layout, so kernels
/// index it through its descriptor's strides (rows stay contiguous).
Value readStridedBuffer(OpBuilder &b, Location loc, Value tensor);
/// A new buffer for a result of `type` (dynamic sizes taken from
/// `dynamicSizes`, in order). The GPU pipeline makes it device memory.
Value allocBuffer(OpBuilder &b, Location loc, RankedTensorType type,
                  ValueRange dynamicSizes);
/// The tensor whose contents the kernels wrote into `buffer`
/// (`bufferization.to_tensor ... restrict writable`).
Value toTensor(OpBuilder &b, Location loc, Value buffer);

/// Static memref type in workgroup (shared) memory.
MemRefType workgroupMemRefType(ArrayRef<int64_t> shape, Type elementType);

/// Ids of the current thread inside a kernel body.
struct LaunchIds {
  Value blockId[3];
  Value threadId[3];
  Value gridDim[3];
  Value blockDim[3];
  /// One value per requested workgroup buffer, in order.
  SmallVector<Value> workgroup;
  /// The dynamic shared memory (memref<?xi8, workgroup>, 16-byte aligned)
  /// when the launch asked for some, else null.
  Value dynamicShared;
};

/// Builds `gpu.launch` with `grid` and `block` sizes (1 to 3 index values
/// each; missing ones are 1), workgroup buffers of the given static types,
/// and a body filled by `body` (the terminator is added after it).
/// With `dynamicSharedBytes` (an i32 value), the launch also gets that much
/// dynamic shared memory, available as `LaunchIds::dynamicShared`: unlike
/// workgroup buffers (aligned to their element type only), it is 16-byte
/// aligned, as cp.async and vector accesses need.
gpu::LaunchOp
buildLaunch(OpBuilder &b, Location loc, ArrayRef<Value> grid,
            ArrayRef<Value> block, ArrayRef<MemRefType> workgroupBuffers,
            llvm::function_ref<void(OpBuilder &, Location, const LaunchIds &)>
                body,
            Value dynamicSharedBytes = nullptr);
/// `memref.view` of `type` (static, workgroup space) at `byteOffset` of the
/// dynamic shared memory `pool`.
Value sharedView(OpBuilder &b, Location loc, Value pool, int64_t byteOffset,
                 MemRefType type);
/// Bytes of a static memref type.
int64_t staticBytes(MemRefType type);

/// Loads `buffer[indices]` and extends it to f32 (f16/bf16/f32 storage).
Value loadF32(OpBuilder &b, Location loc, Value buffer, ValueRange indices);
/// Stores f32 `value` into `buffer[indices]`, truncating to its storage type.
void storeF32(OpBuilder &b, Location loc, Value value, Value buffer,
              ValueRange indices);
/// Converts an f32 value to `type` (f32, f16, bf16) and back.
Value fromF32(OpBuilder &b, Location loc, Value value, Type type);
Value toF32(OpBuilder &b, Location loc, Value value);

/// Butterfly reductions over the `width` lanes of a warp (gpu.shuffle xor);
/// every participating lane gets the result.
Value warpReduceSum(OpBuilder &b, Location loc, Value value, int width = 32);
Value warpReduceMax(OpBuilder &b, Location loc, Value value, int width = 32);

/// Butterfly reductions over aligned groups of `group` consecutive lanes
/// (a power of two <= 32): xor shuffles of offsets group/2 .. 1 issued by the
/// whole warp (shuffle width 32, so every lane is in the shuffle's mask).
Value laneGroupReduceSum(OpBuilder &b, Location loc, Value value, int group);
Value laneGroupReduceMax(OpBuilder &b, Location loc, Value value, int group);

/// `scf.if (cond) { then }` with no results.
void buildIf(OpBuilder &b, Location loc, Value cond,
             llvm::function_ref<void(OpBuilder &, Location)> thenBody);
/// `scf.for %i = lb to ub step s { body(%i) }` with no iteration values.
void buildFor(OpBuilder &b, Location loc, Value lb, Value ub, Value step,
              llvm::function_ref<void(OpBuilder &, Location, Value)> body);
/// `scf.for` carrying `inits` (registers of a kernel: running states,
/// accumulators); `body(iv, current)` returns the values yielded. Returns the
/// loop's results.
SmallVector<Value> buildForWithValues(
    OpBuilder &b, Location loc, Value lb, Value ub, Value step,
    ValueRange inits,
    llvm::function_ref<SmallVector<Value>(OpBuilder &, Location, Value,
                                          ValueRange)>
        body);

/// `scf.if (cond) -> type { then } else { else }`: the value of the taken
/// branch (each callback returns the value it yields).
Value buildIfElse(OpBuilder &b, Location loc, Value cond, Type type,
                  llvm::function_ref<Value(OpBuilder &, Location)> thenBody,
                  llvm::function_ref<Value(OpBuilder &, Location)> elseBody);
/// `cond ? loadF32(buffer[indices]) : 0.0`, loading only when `cond` holds
/// (out-of-bounds indices are never read).
Value loadF32OrZero(OpBuilder &b, Location loc, Value cond, Value buffer,
                    ValueRange indices);
/// `gpu.barrier` (all threads of the block; orders workgroup memory).
void barrier(OpBuilder &b, Location loc);
/// Index comparisons and arithmetic (unsigned; indices are non-negative).
Value ult(OpBuilder &b, Location loc, Value a, Value bv);
Value addIdx(OpBuilder &b, Location loc, Value a, Value bv);
Value subIdx(OpBuilder &b, Location loc, Value a, Value bv);
Value mulIdx(OpBuilder &b, Location loc, Value a, Value bv);
Value divIdx(OpBuilder &b, Location loc, Value a, Value bv);
Value remIdx(OpBuilder &b, Location loc, Value a, Value bv);
Value maxIndex(OpBuilder &b, Location loc, Value a, Value bv);
Value andI1(OpBuilder &b, Location loc, Value a, Value bv);

/// A loop over `iterations` steps whose operands are staged through
/// `stages` shared-memory buffers by asynchronous copies (cp.async):
/// `issue(b, loc, it, stage)` starts the copies of step `it` into buffer
/// `stage` (steps past the end must copy nothing or zero-fill), one commit
/// group per step; `compute(b, loc, it, stage, carried)` runs once the
/// step's group has landed (after a barrier) and returns the new carried
/// values. A barrier after each step protects the buffer refilled next.
/// Returns the final carried values.
SmallVector<Value> buildAsyncPipeline(
    OpBuilder &b, Location loc, Value iterations, int64_t stages,
    ValueRange init,
    llvm::function_ref<void(OpBuilder &, Location, Value, Value)> issue,
    llvm::function_ref<SmallVector<Value>(OpBuilder &, Location, Value, Value,
                                          ValueRange)>
        compute);
/// One 16-byte (or `elements` < 16 bytes, zero-filled to 16) asynchronous
/// copy `src[srcIdx...] -> dst[dstIdx...]` along the last dimension; `valid`
/// is the number of elements actually read (index), the rest zero-filled.
void asyncCopy16(OpBuilder &b, Location loc, Value dst, ValueRange dstIdx,
                 Value src, ValueRange srcIdx, Value valid);
/// Two consecutive 16-bit elements of `buffer[idx]` (last dim) as one i32.
Value loadPairI32(OpBuilder &b, Location loc, Value buffer, ValueRange idx);

} // namespace mlir::sessa::gpukernels

#endif // SESSA_LIB_CONVERSION_SESSATOGPU_KERNELBUILDER_H
