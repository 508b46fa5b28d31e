//===- CPUUkernels.cpp - f32 matrix products as sgemm kernel calls --------===//
#include "sessa/Dialect/Sessa/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir::sessa {
#define GEN_PASS_DEF_SESSACPUUKERNELS
#include "sessa/Dialect/Sessa/Transforms/Passes.h.inc"
} // namespace mlir::sessa

using namespace mlir;

namespace {
constexpr StringLiteral kSgemm = "sessa_ukernel_sgemm";

/// Whether `op` is C[m,n] += A[m,k] * B[k,n] (or B[n,k]) on f32 memrefs;
/// sets `transposedB` for the B[n,k] form.
bool isF32Product(linalg::GenericOp op, bool &transposedB) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      op.getNumLoops() != 3 || !op.hasPureBufferSemantics())
    return false;
  for (Value v : op->getOperands()) {
    auto type = dyn_cast<MemRefType>(v.getType());
    if (!type || type.getRank() != 2 || !type.getElementType().isF32())
      return false;
  }
  auto iters = op.getIteratorTypesArray();
  if (iters[0] != utils::IteratorType::parallel ||
      iters[1] != utils::IteratorType::parallel ||
      iters[2] != utils::IteratorType::reduction)
    return false;
  MLIRContext *ctx = op.getContext();
  AffineExpr m, n, k;
  bindDims(ctx, m, n, k);
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (maps[0] != AffineMap::get(3, 0, {m, k}, ctx) ||
      maps[2] != AffineMap::get(3, 0, {m, n}, ctx))
    return false;
  if (maps[1] == AffineMap::get(3, 0, {n, k}, ctx))
    transposedB = true;
  else if (maps[1] == AffineMap::get(3, 0, {k, n}, ctx))
    transposedB = false;
  else
    return false;
  // Body: yield (out + a * b).
  Block &body = op.getRegion().front();
  if (body.getOperations().size() != 3)
    return false;
  auto mul = dyn_cast<arith::MulFOp>(&body.front());
  auto add = dyn_cast<arith::AddFOp>(mul ? mul->getNextNode() : nullptr);
  auto yield = dyn_cast<linalg::YieldOp>(body.getTerminator());
  if (!mul || !add || !yield || yield.getValues().front() != add.getResult())
    return false;
  Value a = body.getArgument(0), b = body.getArgument(1),
        c = body.getArgument(2);
  bool mulOk = (mul.getLhs() == a && mul.getRhs() == b) ||
               (mul.getLhs() == b && mul.getRhs() == a);
  bool addOk = (add.getLhs() == c && add.getRhs() == mul.getResult()) ||
               (add.getRhs() == c && add.getLhs() == mul.getResult());
  return mulOk && addOk;
}

/// (address of element [0, 0], stride of dim 0, stride of dim 1) as i64.
std::array<Value, 3> describe(ImplicitLocOpBuilder &b, Value memref) {
  auto meta = memref::ExtractStridedMetadataOp::create(b, memref);
  Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, memref);
  Value bytes = arith::MulIOp::create(b, meta.getOffset(),
                                      arith::ConstantIndexOp::create(b, 4));
  Value addr = arith::AddIOp::create(b, base, bytes);
  auto i64 = [&](Value v) {
    return arith::IndexCastOp::create(b, b.getI64Type(), v).getResult();
  };
  return {i64(addr), i64(meta.getStrides()[0]), i64(meta.getStrides()[1])};
}

struct SessaCPUUkernelsPass
    : mlir::sessa::impl::SessaCPUUkernelsBase<SessaCPUUkernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<std::pair<linalg::GenericOp, bool>> products;
    module.walk([&](linalg::GenericOp op) {
      bool transposedB = false;
      if (isF32Product(op, transposedB))
        products.push_back({op, transposedB});
    });
    if (products.empty())
      return;
    OpBuilder mb = OpBuilder::atBlockBegin(module.getBody());
    auto i64 = mb.getI64Type();
    auto fnType = mb.getFunctionType(SmallVector<Type>(12, i64), {});
    if (!module.lookupSymbol<func::FuncOp>(kSgemm)) {
      auto decl = func::FuncOp::create(mb, module.getLoc(), kSgemm, fnType);
      decl.setPrivate();
    }
    for (auto [op, transposedB] : products) {
      ImplicitLocOpBuilder b(op.getLoc(), op);
      Value a = op.getDpsInputs()[0], bm = op.getDpsInputs()[1];
      Value c = op.getDpsInits()[0];
      auto dim = [&](Value v, int64_t i) {
        return arith::IndexCastOp::create(
                   b, i64, memref::DimOp::create(b, v, i).getResult())
            .getResult();
      };
      auto [pa, sam, sak] = describe(b, a);
      auto [pb, sb0, sb1] = describe(b, bm);
      auto [pc, scm, scn] = describe(b, c);
      // B[n, k]: stride over k is dim 1's; B[k, n]: dim 0's.
      Value sbk = transposedB ? sb1 : sb0, sbn = transposedB ? sb0 : sb1;
      func::CallOp::create(b, kSgemm, TypeRange{},
                           ValueRange{dim(c, 0), dim(c, 1), dim(a, 1), pa, sam,
                                      sak, pb, sbk, sbn, pc, scm, scn});
      op.erase();
    }
  }
};
} // namespace
