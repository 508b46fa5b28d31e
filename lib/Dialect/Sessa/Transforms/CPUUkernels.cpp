//===- CPUUkernels.cpp - f32 matrix products as sgemm kernel calls --------===//
#include "sessa/Dialect/Sessa/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir::sessa {
#define GEN_PASS_DEF_SESSACPUUKERNELS
#include "sessa/Dialect/Sessa/Transforms/Passes.h.inc"
} // namespace mlir::sessa

using namespace mlir;

namespace {
constexpr StringLiteral kSgemm = "sessa_ukernel_sgemm";
constexpr StringLiteral kTranspose = "sessa_ukernel_transpose";

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

/// Declares `name` (private, i64 arguments, no results) once in `module`.
void declareKernel(ModuleOp module, StringRef name, unsigned numArgs) {
  if (module.lookupSymbol<func::FuncOp>(name))
    return;
  OpBuilder mb = OpBuilder::atBlockBegin(module.getBody());
  auto fnType =
      mb.getFunctionType(SmallVector<Type>(numArgs, mb.getI64Type()), {});
  func::FuncOp::create(mb, module.getLoc(), name, fnType).setPrivate();
}

/// Whether `op` is a transpose of f32 memrefs that moves the innermost
/// dimension (a plain copy along contiguous rows otherwise).
bool isInnerTranspose(linalg::TransposeOp op) {
  if (!op.hasPureBufferSemantics())
    return false;
  auto in = dyn_cast<MemRefType>(op.getInput().getType());
  auto out = dyn_cast<MemRefType>(op.getInit().getType());
  if (!in || !out || !in.getElementType().isF32() ||
      !out.getElementType().isF32() || in.getRank() < 2)
    return false;
  ArrayRef<int64_t> perm = op.getPermutation();
  return perm.back() != static_cast<int64_t>(perm.size()) - 1;
}

/// out[i_0, .., i_{r-1}] = in[i_perm(0), .., i_perm(r-1)] as loops over the
/// output dimensions other than the two that hold the input's and the
/// output's innermost dimensions, each iteration one 2-D transpose call.
void lowerTranspose(linalg::TransposeOp op) {
  ImplicitLocOpBuilder b(op.getLoc(), op);
  Value in = op.getInput(), out = op.getInit();
  ArrayRef<int64_t> perm = op.getPermutation();
  int64_t rank = perm.size();
  // Output dimension q reads the input's innermost dimension.
  int64_t q = llvm::find(perm, rank - 1) - perm.begin();
  auto inMeta = memref::ExtractStridedMetadataOp::create(b, in);
  auto outMeta = memref::ExtractStridedMetadataOp::create(b, out);
  Value inBase = memref::ExtractAlignedPointerAsIndexOp::create(b, in);
  Value outBase = memref::ExtractAlignedPointerAsIndexOp::create(b, out);
  Value inOff = inMeta.getOffset(), outOff = outMeta.getOffset();
  // Nested loops over the outer output dimensions, accumulating offsets.
  Value c0 = arith::ConstantIndexOp::create(b, 0);
  Value c1 = arith::ConstantIndexOp::create(b, 1);
  for (int64_t i = 0; i < rank; ++i) {
    if (i == q || i == rank - 1)
      continue;
    Value size = memref::DimOp::create(b, out, i);
    auto loop = scf::ForOp::create(b, c0, size, c1);
    b.setInsertionPointToStart(loop.getBody());
    Value iv = loop.getInductionVar();
    inOff = arith::AddIOp::create(
        b, inOff,
        arith::MulIOp::create(b, iv, inMeta.getStrides()[perm[i]]));
    outOff = arith::AddIOp::create(
        b, outOff, arith::MulIOp::create(b, iv, outMeta.getStrides()[i]));
  }
  Value four = arith::ConstantIndexOp::create(b, 4);
  auto i64 = [&](Value v) {
    return arith::IndexCastOp::create(b, b.getI64Type(), v).getResult();
  };
  auto addr = [&](Value base, Value offset) {
    return i64(arith::AddIOp::create(
        b, base, arith::MulIOp::create(b, offset, four)));
  };
  // Source rows run along input dimension perm[r-1] (the output's innermost),
  // columns along the input's innermost dimension (output dimension q).
  int64_t rowDim = perm[rank - 1];
  func::CallOp::create(
      b, kTranspose, TypeRange{},
      ValueRange{i64(memref::DimOp::create(b, in, rowDim)),
                 i64(memref::DimOp::create(b, in, rank - 1)),
                 addr(inBase, inOff), i64(inMeta.getStrides()[rowDim]),
                 i64(inMeta.getStrides()[rank - 1]), addr(outBase, outOff),
                 i64(outMeta.getStrides()[q]),
                 i64(outMeta.getStrides()[rank - 1])});
  op.erase();
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
    SmallVector<linalg::TransposeOp> transposes;
    module.walk([&](linalg::TransposeOp op) {
      if (isInnerTranspose(op))
        transposes.push_back(op);
    });
    if (!transposes.empty())
      declareKernel(module, kTranspose, 8);
    for (linalg::TransposeOp op : transposes)
      lowerTranspose(op);
    if (products.empty())
      return;
    declareKernel(module, kSgemm, 12);
    auto i64 = IntegerType::get(module.getContext(), 64);
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
