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
};

/// Builds `gpu.launch` with `grid` and `block` sizes (1 to 3 index values
/// each; missing ones are 1), workgroup buffers of the given static types,
/// and a body filled by `body` (the terminator is added after it).
gpu::LaunchOp
buildLaunch(OpBuilder &b, Location loc, ArrayRef<Value> grid,
            ArrayRef<Value> block, ArrayRef<MemRefType> workgroupBuffers,
            llvm::function_ref<void(OpBuilder &, Location, const LaunchIds &)>
                body);

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
/// Index arithmetic shorthands (unsigned division and remainder).
Value addIndex(OpBuilder &b, Location loc, Value a, Value bv);
Value mulIndex(OpBuilder &b, Location loc, Value a, Value bv);
Value divIndex(OpBuilder &b, Location loc, Value a, Value bv);
Value remIndex(OpBuilder &b, Location loc, Value a, Value bv);
/// `gpu.barrier` (all threads of the block; orders workgroup memory).
void blockBarrier(OpBuilder &b, Location loc);

/// `scf.if (cond) -> type { then } else { else }`: the value of the taken
/// branch (each callback returns the value it yields).
Value buildIfElse(OpBuilder &b, Location loc, Value cond, Type type,
                  llvm::function_ref<Value(OpBuilder &, Location)> thenBody,
                  llvm::function_ref<Value(OpBuilder &, Location)> elseBody);
/// `cond ? loadF32(buffer[indices]) : 0.0`, loading only when `cond` holds
/// (out-of-bounds indices are never read).
Value loadF32OrZero(OpBuilder &b, Location loc, Value cond, Value buffer,
                    ValueRange indices);
/// `gpu.barrier`.
void barrier(OpBuilder &b, Location loc);
/// Index comparisons and arithmetic (unsigned; indices are non-negative).
Value ult(OpBuilder &b, Location loc, Value a, Value bv);
Value addIdx(OpBuilder &b, Location loc, Value a, Value bv);
Value subIdx(OpBuilder &b, Location loc, Value a, Value bv);
Value mulIdx(OpBuilder &b, Location loc, Value a, Value bv);
Value maxIndex(OpBuilder &b, Location loc, Value a, Value bv);
Value andI1(OpBuilder &b, Location loc, Value a, Value bv);

} // namespace mlir::sessa::gpukernels

#endif // SESSA_LIB_CONVERSION_SESSATOGPU_KERNELBUILDER_H
