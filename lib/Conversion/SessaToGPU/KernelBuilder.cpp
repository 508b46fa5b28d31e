//===- KernelBuilder.cpp - Helpers to build gpu.launch kernels ------------===//
#include "KernelBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::sessa::gpukernels;

Value mlir::sessa::gpukernels::cst(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}

Value mlir::sessa::gpukernels::cstF32(OpBuilder &b, Location loc,
                                      double value) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(value));
}

Value mlir::sessa::gpukernels::dim(OpBuilder &b, Location loc, Value shaped,
                                   int64_t i) {
  auto type = cast<ShapedType>(shaped.getType());
  if (!type.isDynamicDim(i))
    return cst(b, loc, type.getDimSize(i));
  if (isa<MemRefType>(type))
    return memref::DimOp::create(b, loc, shaped, i);
  return tensor::DimOp::create(b, loc, shaped, i);
}

Value mlir::sessa::gpukernels::ceilDiv(OpBuilder &b, Location loc, Value a,
                                       Value bv) {
  return arith::CeilDivUIOp::create(b, loc, a, bv);
}

Value mlir::sessa::gpukernels::minIndex(OpBuilder &b, Location loc, Value a,
                                        Value bv) {
  return arith::MinUIOp::create(b, loc, a, bv);
}

/// A read-only buffer of `tensor` with `layout` (identity when null).
static Value toReadOnlyBuffer(OpBuilder &b, Location loc, Value tensor,
                              MemRefLayoutAttrInterface layout) {
  auto type = cast<RankedTensorType>(tensor.getType());
  auto memrefType =
      MemRefType::get(type.getShape(), type.getElementType(), layout);
  return bufferization::ToBufferOp::create(b, loc, memrefType, tensor,
                                           /*readOnly=*/true);
}

Value mlir::sessa::gpukernels::readBuffer(OpBuilder &b, Location loc,
                                          Value tensor) {
  return toReadOnlyBuffer(b, loc, tensor, MemRefLayoutAttrInterface());
}

Value mlir::sessa::gpukernels::readStridedBuffer(OpBuilder &b, Location loc,
                                                 Value tensor) {
  int64_t rank = cast<RankedTensorType>(tensor.getType()).getRank();
  SmallVector<int64_t> strides(rank, ShapedType::kDynamic);
  if (!strides.empty())
    strides.back() = 1;
  return toReadOnlyBuffer(
      b, loc, tensor,
      StridedLayoutAttr::get(b.getContext(), ShapedType::kDynamic, strides));
}

Value mlir::sessa::gpukernels::allocBuffer(OpBuilder &b, Location loc,
                                           RankedTensorType type,
                                           ValueRange dynamicSizes) {
  auto memrefType = MemRefType::get(type.getShape(), type.getElementType());
  return memref::AllocOp::create(b, loc, memrefType, dynamicSizes);
}

Value mlir::sessa::gpukernels::toTensor(OpBuilder &b, Location loc,
                                        Value buffer) {
  auto memrefType = cast<MemRefType>(buffer.getType());
  auto tensorType = RankedTensorType::get(memrefType.getShape(),
                                          memrefType.getElementType());
  return bufferization::ToTensorOp::create(b, loc, tensorType, buffer,
                                           /*restrict=*/true,
                                           /*writable=*/true);
}

MemRefType mlir::sessa::gpukernels::workgroupMemRefType(ArrayRef<int64_t> shape,
                                                        Type elementType) {
  MLIRContext *ctx = elementType.getContext();
  auto space =
      gpu::AddressSpaceAttr::get(ctx, gpu::GPUDialect::getWorkgroupAddressSpace());
  return MemRefType::get(shape, elementType, MemRefLayoutAttrInterface(),
                         space);
}

gpu::LaunchOp mlir::sessa::gpukernels::buildLaunch(
    OpBuilder &b, Location loc, ArrayRef<Value> grid, ArrayRef<Value> block,
    ArrayRef<MemRefType> workgroupBuffers,
    llvm::function_ref<void(OpBuilder &, Location, const LaunchIds &)> body,
    Value dynamicSharedBytes) {
  Value one = cst(b, loc, 1);
  auto pick = [&](ArrayRef<Value> sizes, unsigned i) {
    return i < sizes.size() ? sizes[i] : one;
  };
  SmallVector<Type> wgTypes(workgroupBuffers.begin(), workgroupBuffers.end());
  auto launch = gpu::LaunchOp::create(
      b, loc, pick(grid, 0), pick(grid, 1), pick(grid, 2), pick(block, 0),
      pick(block, 1), pick(block, 2), dynamicSharedBytes,
      /*asyncTokenType=*/nullptr, /*asyncDependencies=*/{}, wgTypes);
  OpBuilder::InsertionGuard guard(b);
  Block &entry = launch.getBody().front();
  b.setInsertionPointToStart(&entry);
  LaunchIds ids;
  gpu::KernelDim3 blockIds = launch.getBlockIds();
  gpu::KernelDim3 threadIds = launch.getThreadIds();
  gpu::KernelDim3 gridSize = launch.getGridSize();
  gpu::KernelDim3 blockSize = launch.getBlockSize();
  ids.blockId[0] = blockIds.x;
  ids.blockId[1] = blockIds.y;
  ids.blockId[2] = blockIds.z;
  ids.threadId[0] = threadIds.x;
  ids.threadId[1] = threadIds.y;
  ids.threadId[2] = threadIds.z;
  ids.gridDim[0] = gridSize.x;
  ids.gridDim[1] = gridSize.y;
  ids.gridDim[2] = gridSize.z;
  ids.blockDim[0] = blockSize.x;
  ids.blockDim[1] = blockSize.y;
  ids.blockDim[2] = blockSize.z;
  for (BlockArgument arg : launch.getWorkgroupAttributions())
    ids.workgroup.push_back(arg);
  if (dynamicSharedBytes) {
    auto poolType = MemRefType::get(
        {ShapedType::kDynamic}, b.getI8Type(), MemRefLayoutAttrInterface(),
        gpu::AddressSpaceAttr::get(b.getContext(),
                                   gpu::GPUDialect::getWorkgroupAddressSpace()));
    ids.dynamicShared = gpu::DynamicSharedMemoryOp::create(b, loc, poolType);
  }
  body(b, loc, ids);
  gpu::TerminatorOp::create(b, loc);
  return launch;
}

Value mlir::sessa::gpukernels::toF32(OpBuilder &b, Location loc, Value value) {
  Type f32 = b.getF32Type();
  if (value.getType() == f32)
    return value;
  return arith::ExtFOp::create(b, loc, f32, value);
}

Value mlir::sessa::gpukernels::fromF32(OpBuilder &b, Location loc, Value value,
                                       Type type) {
  if (value.getType() == type)
    return value;
  return arith::TruncFOp::create(b, loc, type, value);
}

Value mlir::sessa::gpukernels::loadF32(OpBuilder &b, Location loc, Value buffer,
                                       ValueRange indices) {
  return toF32(b, loc, memref::LoadOp::create(b, loc, buffer, indices));
}

void mlir::sessa::gpukernels::storeF32(OpBuilder &b, Location loc, Value value,
                                       Value buffer, ValueRange indices) {
  Type type = cast<MemRefType>(buffer.getType()).getElementType();
  memref::StoreOp::create(b, loc, fromF32(b, loc, value, type), buffer,
                          indices);
}

static Value warpReduce(OpBuilder &b, Location loc, Value value, int width,
                        bool isMax, int group = 0) {
  if (group == 0)
    group = width;
  for (int offset = group / 2; offset > 0; offset /= 2) {
    auto shuffle = gpu::ShuffleOp::create(b, loc, value, offset, width,
                                          gpu::ShuffleMode::XOR);
    Value other = shuffle.getShuffleResult();
    value = isMax ? arith::MaximumFOp::create(b, loc, value, other).getResult()
                  : arith::AddFOp::create(b, loc, value, other).getResult();
  }
  return value;
}

Value mlir::sessa::gpukernels::warpReduceSum(OpBuilder &b, Location loc,
                                             Value value, int width) {
  return warpReduce(b, loc, value, width, /*isMax=*/false);
}

Value mlir::sessa::gpukernels::warpReduceMax(OpBuilder &b, Location loc,
                                             Value value, int width) {
  return warpReduce(b, loc, value, width, /*isMax=*/true);
}

Value mlir::sessa::gpukernels::laneGroupReduceSum(OpBuilder &b, Location loc,
                                                  Value value, int group) {
  return warpReduce(b, loc, value, /*width=*/32, /*isMax=*/false, group);
}

Value mlir::sessa::gpukernels::laneGroupReduceMax(OpBuilder &b, Location loc,
                                                  Value value, int group) {
  return warpReduce(b, loc, value, /*width=*/32, /*isMax=*/true, group);
}

void mlir::sessa::gpukernels::buildIf(
    OpBuilder &b, Location loc, Value cond,
    llvm::function_ref<void(OpBuilder &, Location)> thenBody) {
  scf::IfOp::create(b, loc, cond, [&](OpBuilder &nb, Location nloc) {
    thenBody(nb, nloc);
    scf::YieldOp::create(nb, nloc);
  });
}

void mlir::sessa::gpukernels::buildFor(
    OpBuilder &b, Location loc, Value lb, Value ub, Value step,
    llvm::function_ref<void(OpBuilder &, Location, Value)> body) {
  scf::ForOp::create(b, loc, lb, ub, step, ValueRange{},
                     [&](OpBuilder &nb, Location nloc, Value iv, ValueRange) {
                       body(nb, nloc, iv);
                       scf::YieldOp::create(nb, nloc);
                     });
}

SmallVector<Value> mlir::sessa::gpukernels::buildForWithValues(
    OpBuilder &b, Location loc, Value lb, Value ub, Value step,
    ValueRange inits,
    llvm::function_ref<SmallVector<Value>(OpBuilder &, Location, Value,
                                          ValueRange)>
        body) {
  auto loop = scf::ForOp::create(
      b, loc, lb, ub, step, inits,
      [&](OpBuilder &nb, Location nloc, Value iv, ValueRange args) {
        scf::YieldOp::create(nb, nloc, body(nb, nloc, iv, args));
      });
  return SmallVector<Value>(loop.getResults());
}

Value mlir::sessa::gpukernels::buildIfElse(
    OpBuilder &b, Location loc, Value cond, Type type,
    llvm::function_ref<Value(OpBuilder &, Location)> thenBody,
    llvm::function_ref<Value(OpBuilder &, Location)> elseBody) {
  auto ifOp = scf::IfOp::create(
      b, loc, cond,
      [&](OpBuilder &nb, Location nloc) {
        scf::YieldOp::create(nb, nloc, thenBody(nb, nloc));
      },
      [&](OpBuilder &nb, Location nloc) {
        scf::YieldOp::create(nb, nloc, elseBody(nb, nloc));
      });
  assert(ifOp.getResult(0).getType() == type && "branch type mismatch");
  (void)type;
  return ifOp.getResult(0);
}

Value mlir::sessa::gpukernels::loadF32OrZero(OpBuilder &b, Location loc,
                                             Value cond, Value buffer,
                                             ValueRange indices) {
  return buildIfElse(
      b, loc, cond, b.getF32Type(),
      [&](OpBuilder &nb, Location nloc) {
        return loadF32(nb, nloc, buffer, indices);
      },
      [&](OpBuilder &nb, Location nloc) { return cstF32(nb, nloc, 0.0); });
}

void mlir::sessa::gpukernels::barrier(OpBuilder &b, Location loc) {
  gpu::BarrierOp::create(b, loc);
}

Value mlir::sessa::gpukernels::ult(OpBuilder &b, Location loc, Value a,
                                   Value bv) {
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, a, bv);
}
Value mlir::sessa::gpukernels::addIdx(OpBuilder &b, Location loc, Value a,
                                      Value bv) {
  return arith::AddIOp::create(b, loc, a, bv);
}
Value mlir::sessa::gpukernels::subIdx(OpBuilder &b, Location loc, Value a,
                                      Value bv) {
  return arith::SubIOp::create(b, loc, a, bv);
}
Value mlir::sessa::gpukernels::mulIdx(OpBuilder &b, Location loc, Value a,
                                      Value bv) {
  return arith::MulIOp::create(b, loc, a, bv);
}
Value mlir::sessa::gpukernels::divIdx(OpBuilder &b, Location loc, Value a,
                                      Value bv) {
  return arith::DivUIOp::create(b, loc, a, bv);
}
Value mlir::sessa::gpukernels::remIdx(OpBuilder &b, Location loc, Value a,
                                      Value bv) {
  return arith::RemUIOp::create(b, loc, a, bv);
}
Value mlir::sessa::gpukernels::maxIndex(OpBuilder &b, Location loc, Value a,
                                        Value bv) {
  return arith::MaxUIOp::create(b, loc, a, bv);
}
Value mlir::sessa::gpukernels::andI1(OpBuilder &b, Location loc, Value a,
                                     Value bv) {
  return arith::AndIOp::create(b, loc, a, bv);
}

SmallVector<Value> mlir::sessa::gpukernels::buildAsyncPipeline(
    OpBuilder &b, Location loc, Value iterations, int64_t stages,
    ValueRange init,
    llvm::function_ref<void(OpBuilder &, Location, Value, Value)> issue,
    llvm::function_ref<SmallVector<Value>(OpBuilder &, Location, Value, Value,
                                          ValueRange)>
        compute) {
  // Commit and wait as NVVM ops: they need no tokens (an nvgpu group of no
  // tokens does not round-trip through the printer).
  auto commit = [](OpBuilder &b, Location loc) {
    NVVM::CpAsyncCommitGroupOp::create(b, loc);
  };
  auto wait = [](OpBuilder &b, Location loc, int64_t n) {
    NVVM::CpAsyncWaitGroupOp::create(b, loc, b.getI32IntegerAttr(n));
  };
  for (int64_t s = 0; s + 1 < stages; ++s) {
    issue(b, loc, cst(b, loc, s), cst(b, loc, s));
    commit(b, loc);
  }
  auto loop = scf::ForOp::create(
      b, loc, cst(b, loc, 0), iterations, cst(b, loc, 1), init,
      [&](OpBuilder &b, Location loc, Value it, ValueRange carried) {
        Value ahead = arith::AddIOp::create(b, loc, it, cst(b, loc, stages - 1));
        issue(b, loc, ahead,
              arith::RemUIOp::create(b, loc, ahead, cst(b, loc, stages)));
        commit(b, loc);
        wait(b, loc, stages - 1);
        gpu::BarrierOp::create(b, loc);
        SmallVector<Value> next =
            compute(b, loc, it, arith::RemUIOp::create(b, loc, it, cst(b, loc, stages)),
                    carried);
        gpu::BarrierOp::create(b, loc);
        scf::YieldOp::create(b, loc, next);
      });
  // Nothing may still be landing in shared memory after the loop (the
  // buffers may be reused), in any thread.
  wait(b, loc, 0);
  gpu::BarrierOp::create(b, loc);
  return SmallVector<Value>(loop.getResults().begin(), loop.getResults().end());
}

void mlir::sessa::gpukernels::asyncCopy16(OpBuilder &b, Location loc, Value dst,
                                          ValueRange dstIdx, Value src,
                                          ValueRange srcIdx, Value valid) {
  Type et = cast<MemRefType>(dst.getType()).getElementType();
  int64_t elements = 128 / et.getIntOrFloatBitWidth();
  nvgpu::DeviceAsyncCopyOp::create(b, loc, dst, dstIdx, src, srcIdx,
                                   b.getIndexAttr(elements), valid,
                                   b.getUnitAttr());
}

Value mlir::sessa::gpukernels::loadPairI32(OpBuilder &b, Location loc,
                                           Value buffer, ValueRange idx) {
  Type et = cast<MemRefType>(buffer.getType()).getElementType();
  Value v = vector::LoadOp::create(b, loc, VectorType::get({2}, et), buffer,
                                   idx, /*nontemporal=*/false,
                                   llvm::MaybeAlign(4));
  Value i = vector::BitCastOp::create(
      b, loc, VectorType::get({1}, b.getI32Type()), v);
  return vector::ExtractOp::create(b, loc, i, ArrayRef<int64_t>{0});
}

Value mlir::sessa::gpukernels::sharedView(OpBuilder &b, Location loc, Value pool,
                                          int64_t byteOffset, MemRefType type) {
  return memref::ViewOp::create(b, loc, type, pool, cst(b, loc, byteOffset),
                                ValueRange{});
}

int64_t mlir::sessa::gpukernels::staticBytes(MemRefType type) {
  return type.getNumElements() * type.getElementTypeBitWidth() / 8;
}
