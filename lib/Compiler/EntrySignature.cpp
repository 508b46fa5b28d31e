//===- EntrySignature.cpp - Symbolic shapes of entry points ---------------===//
#include "sessa/Compiler/EntrySignature.h"
#include "sessa/Dialect/Sessa/IR/ShapeSpec.h"
#include "sessa/Dialect/Sessa/Transforms/EntryPointABI.h"
#include "sessa/Runtime/SessaRuntime.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/EquivalenceClasses.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace mlir::sessa;

int32_t mlir::sessa::dtypeOf(Type t) {
  if (t.isF32())
    return 0;
  if (t.isF16())
    return 1;
  if (t.isBF16())
    return 2;
  if (t.isF64())
    return 3;
  if (t.isSignlessInteger(32))
    return 4;
  if (t.isSignlessInteger(64))
    return 5;
  return -1;
}

StringRef mlir::sessa::dtypeName(int32_t dtype) {
  static const char *names[] = {"f32", "f16", "bf16", "f64", "i32", "i64"};
  return dtype >= 0 && dtype < 6 ? names[dtype] : "unknown";
}

namespace {
/// A dimension of a tensor value inside the function.
using DimKey = std::pair<Value, unsigned>;

/// Union-find over dynamic dimensions, with a preferred name per class and
/// sum relations (dim = a + b + c) for derived sizes.
class DimClasses {
public:
  unsigned node(Value v, unsigned dim) {
    auto [it, inserted] = ids.try_emplace(DimKey{v, dim}, parent.size());
    if (inserted) {
      parent.push_back(parent.size());
      names.emplace_back();
    }
    return it->second;
  }
  unsigned find(unsigned n) {
    while (parent[n] != n)
      n = parent[n] = parent[parent[n]];
    return n;
  }
  void unite(unsigned a, unsigned b) {
    a = find(a);
    b = find(b);
    if (a == b)
      return;
    parent[b] = a;
    if (names[a].empty())
      names[a] = names[b];
  }
  void nameIfUnnamed(unsigned n, StringRef name) {
    unsigned r = find(n);
    if (names[r].empty())
      names[r] = name.str();
  }
  std::string &name(unsigned n) { return names[find(n)]; }

  struct Sum {
    unsigned node;
    // Each term is a node (dynamic) or a constant.
    std::optional<unsigned> lhs, rhs;
    int64_t constant = 0;
  };
  SmallVector<Sum> sums;

private:
  DenseMap<DimKey, unsigned> ids;
  SmallVector<unsigned> parent;
  SmallVector<std::string> names;
};

bool isDynamicDim(Value v, unsigned d) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t && t.isDynamicDim(d);
}

/// The dynamic dimension node a size value stands for: `tensor.dim` of a
/// dynamic dimension at a constant index, possibly multiplied by a constant
/// 1 (`arith.muli`, as written for a flattened batch of one).
std::optional<unsigned> nodeOfSize(Value size, DimClasses &classes) {
  while (auto mul = size.getDefiningOp<arith::MulIOp>()) {
    auto isOne = [](Value v) {
      std::optional<int64_t> c = getConstantIntValue(v);
      return c && *c == 1;
    };
    if (isOne(mul.getRhs()))
      size = mul.getLhs();
    else if (isOne(mul.getLhs()))
      size = mul.getRhs();
    else
      return std::nullopt;
  }
  auto dim = size.getDefiningOp<tensor::DimOp>();
  if (!dim)
    return std::nullopt;
  std::optional<int64_t> index = dim.getConstantIndex();
  if (!index || *index < 0 || !isDynamicDim(dim.getSource(), *index))
    return std::nullopt;
  return classes.node(dim.getSource(), *index);
}

/// Ties the one dynamic dimension of each reassociation group to the
/// dimension it becomes when the group's other sizes are all 1
/// (tensor.expand_shape / tensor.collapse_shape of a unit batch).
void tieReshape(Value collapsed, Value expanded,
                ArrayRef<ReassociationIndices> groups, DimClasses &classes) {
  auto small = cast<RankedTensorType>(collapsed.getType());
  auto big = cast<RankedTensorType>(expanded.getType());
  for (auto [g, group] : llvm::enumerate(groups)) {
    if (!small.isDynamicDim(g))
      continue;
    std::optional<int64_t> dynamic;
    bool unitRest = true;
    for (int64_t d : group) {
      if (big.isDynamicDim(d)) {
        if (dynamic)
          unitRest = false;
        dynamic = d;
      } else if (big.getDimSize(d) != 1) {
        unitRest = false;
      }
    }
    if (dynamic && unitRest)
      classes.unite(classes.node(collapsed, g),
                    classes.node(expanded, *dynamic));
  }
}

/// Ties dimensions through upstream ops: tensor.empty sizes taken from
/// tensor.dim, destination-style results and their inits, reshapes of unit
/// dimensions, and the loops of linalg ops (operand dimensions indexed by
/// the same loop are equal).
void addUpstreamRelations(Operation *op, DimClasses &classes) {
  auto tie = [&](Value a, unsigned da, Value b, unsigned db) {
    if (isDynamicDim(a, da) && isDynamicDim(b, db))
      classes.unite(classes.node(a, da), classes.node(b, db));
  };
  // A fresh tensor (tensor.empty, or a buffer allocated for kernels that
  // write it: to_tensor(memref.alloc)) has the sizes it was created with.
  auto tieCreated = [&](Value result, ShapedType type, auto dynamicSize) {
    for (unsigned d = 0; d < type.getRank(); ++d) {
      if (!type.isDynamicDim(d))
        continue;
      if (std::optional<unsigned> n = nodeOfSize(dynamicSize(d), classes))
        classes.unite(*n, classes.node(result, d));
    }
  };
  if (auto empty = dyn_cast<tensor::EmptyOp>(op)) {
    tieCreated(empty.getResult(), empty.getType(),
               [&](unsigned d) { return empty.getDynamicSize(d); });
    return;
  }
  if (auto expand = dyn_cast<tensor::ExpandShapeOp>(op)) {
    tieReshape(expand.getSrc(), expand.getResult(),
               expand.getReassociationIndices(), classes);
    SmallVector<OpFoldResult> shape = expand.getMixedOutputShape();
    for (auto [d, size] : llvm::enumerate(shape))
      if (auto v = dyn_cast<Value>(size); v && isDynamicDim(expand, d))
        if (std::optional<unsigned> n = nodeOfSize(v, classes))
          classes.unite(*n, classes.node(expand.getResult(), d));
    return;
  }
  if (auto collapse = dyn_cast<tensor::CollapseShapeOp>(op)) {
    tieReshape(collapse.getResult(), collapse.getSrc(),
               collapse.getReassociationIndices(), classes);
    return;
  }
  if (auto toTensor = dyn_cast<bufferization::ToTensorOp>(op)) {
    if (auto alloc = toTensor.getBuffer().getDefiningOp<memref::AllocOp>())
      tieCreated(toTensor.getResult(), alloc.getType(),
                 [&](unsigned d) -> Value {
                   return alloc.getDynamicSizes()[alloc.getType()
                                                      .getDynamicDimIndex(d)];
                 });
    return;
  }
  if (auto dps = dyn_cast<DestinationStyleOpInterface>(op)) {
    for (OpResult r : op->getResults()) {
      OpOperand *init = dps.getTiedOpOperand(r);
      auto type = dyn_cast<RankedTensorType>(r.getType());
      if (init && type)
        for (unsigned d = 0; d < type.getRank(); ++d)
          tie(r, d, init->get(), d);
    }
  }
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
    // Loop k -> the first (operand, dim) indexed by exactly d_k.
    DenseMap<unsigned, std::pair<Value, unsigned>> loops;
    for (OpOperand &operand : op->getOpOperands()) {
      if (!isa<RankedTensorType>(operand.get().getType()))
        continue;
      AffineMap map = linalgOp.getMatchingIndexingMap(&operand);
      for (auto [d, expr] : llvm::enumerate(map.getResults())) {
        auto dimExpr = dyn_cast<AffineDimExpr>(expr);
        if (!dimExpr)
          continue;
        auto [it, inserted] = loops.try_emplace(
            dimExpr.getPosition(), std::make_pair(operand.get(), d));
        if (!inserted)
          tie(it->second.first, it->second.second, operand.get(), d);
      }
    }
  }
}

/// Ties the dynamic dimensions of one op's operands/results together.
void addOpRelations(Operation *op, DimClasses &classes) {
  addUpstreamRelations(op, classes);
  if (auto cast = dyn_cast<tensor::CastOp>(op)) {
    auto src = dyn_cast<RankedTensorType>(cast.getSource().getType());
    auto dst = dyn_cast<RankedTensorType>(cast.getType());
    if (src && dst)
      for (unsigned d = 0; d < dst.getRank(); ++d)
        if (src.isDynamicDim(d) && dst.isDynamicDim(d))
          classes.unite(classes.node(cast.getSource(), d),
                        classes.node(cast.getResult(), d));
    return;
  }
  SmallVector<ShapeSpecEntry> spec = getShapeSpec(op);
  if (spec.empty())
    return;
  // Symbol -> a dynamic node, or its static size.
  llvm::StringMap<unsigned> nodes;
  llvm::StringMap<int64_t> sizes;
  for (const ShapeSpecEntry &e : spec) {
    auto type = cast<RankedTensorType>(e.value.getType());
    for (auto [d, sym] : llvm::enumerate(e.dims)) {
      if (!type.isDynamicDim(d)) {
        sizes[sym] = type.getDimSize(d);
        continue;
      }
      unsigned n = classes.node(e.value, d);
      classes.nameIfUnnamed(n, sym);
      auto [it, inserted] = nodes.try_emplace(sym, n);
      if (!inserted)
        classes.unite(it->second, n);
    }
  }
  // Sums "X+Y" on dynamic dims.
  for (const ShapeSpecEntry &e : spec)
    for (auto [d, sym] : llvm::enumerate(e.dims)) {
      auto [lhs, rhs] = StringRef(sym).split('+');
      if (rhs.empty() || !isDynamicDim(e.value, d))
        continue;
      DimClasses::Sum sum{classes.node(e.value, d), std::nullopt, std::nullopt,
                          0};
      for (StringRef term : {lhs, rhs}) {
        if (nodes.count(term)) {
          (sum.lhs ? sum.rhs : sum.lhs) = nodes[term];
        } else if (sizes.count(term)) {
          sum.constant += sizes[term];
        } else {
          sum.lhs.reset(); // unknown term: no relation
          sum.constant = -1;
          break;
        }
      }
      if (sum.lhs)
        classes.sums.push_back(sum);
    }
}
} // namespace

FailureOr<EntrySignature> mlir::sessa::inferEntrySignature(func::FuncOp func) {
  EntrySignature sig;
  sig.name = func.getSymName().str();
  FunctionType type = func.getFunctionType();
  auto check = [&](Type t, StringRef what, unsigned i) -> LogicalResult {
    auto tensor = dyn_cast<RankedTensorType>(t);
    if (!tensor)
      return func.emitError() << "entry point @" << sig.name << ": " << what
                              << " #" << i << " has type " << t
                              << "; entry points take and return ranked "
                                 "tensors";
    if (dtypeOf(tensor.getElementType()) < 0)
      return func.emitError() << "entry point @" << sig.name << ": " << what
                              << " #" << i << " has unsupported element type "
                              << tensor.getElementType()
                              << " (supported: f32, f16, bf16, f64, i32, i64)";
    if (tensor.getRank() > 8)
      return func.emitError() << "entry point @" << sig.name << ": " << what
                              << " #" << i << " has rank " << tensor.getRank()
                              << "; at most 8 is supported";
    return success();
  };
  for (auto [i, t] : llvm::enumerate(type.getInputs()))
    if (failed(check(t, "argument", i)))
      return failure();
  for (auto [i, t] : llvm::enumerate(type.getResults()))
    if (failed(check(t, "result", i)))
      return failure();
  if (func.isExternal())
    return func.emitError() << "entry point @" << sig.name << " has no body";

  DimClasses classes;
  func.walk([&](Operation *op) { addOpRelations(op, classes); });
  SmallVector<Value> returned;
  func.walk([&](func::ReturnOp ret) {
    if (ret->getParentOp() == func)
      returned.assign(ret.getOperands().begin(), ret.getOperands().end());
  });

  auto nameOf = [&](StringRef attrName, DictionaryAttr attrs, StringRef dflt) {
    if (attrs)
      if (auto s = attrs.getAs<StringAttr>("sessa.name"))
        return s.getValue().str();
    return dflt.str();
  };

  // Symbols: one per class that holds a dynamic input dimension.
  DenseMap<unsigned, int32_t> symbolOfRoot;
  llvm::StringSet<> usedNames;
  auto symbolFor = [&](unsigned node, StringRef fallback) -> int32_t {
    unsigned root = classes.find(node);
    auto it = symbolOfRoot.find(root);
    if (it != symbolOfRoot.end())
      return it->second;
    std::string base = classes.name(root).empty() ? fallback.str()
                                                  : classes.name(root);
    std::string name = base;
    for (int k = 2; usedNames.contains(name); ++k)
      name = base + "_" + std::to_string(k);
    usedNames.insert(name);
    int32_t id = sig.symbols.size();
    sig.symbols.push_back(name);
    symbolOfRoot[root] = id;
    return id;
  };

  // Must match what sessa-entry-point-abi gives these buffers.
  constexpr int32_t kBatchStrided = SESSA_ARG_BATCH_STRIDED;
  SmallVector<bool> stridedIn = batchStridedInputs(func);
  SmallVector<bool> stridedOut = batchStridedResults(func);
  Block &entry = func.getBody().front();
  for (auto [i, arg] : llvm::enumerate(entry.getArguments())) {
    auto t = cast<RankedTensorType>(arg.getType());
    TensorSignature ts;
    ts.flags = stridedIn[i] ? kBatchStrided : 0;
    ts.name = nameOf("sessa.name", func.getArgAttrDict(i),
                     "arg" + std::to_string(i));
    ts.dtype = dtypeOf(t.getElementType());
    for (unsigned d = 0; d < t.getRank(); ++d) {
      if (!t.isDynamicDim(d)) {
        ts.dims.push_back(t.getDimSize(d));
        continue;
      }
      int32_t s = symbolFor(classes.node(arg, d),
                            ts.name + "_d" + std::to_string(d));
      ts.dims.push_back(-int64_t(s) - 1);
    }
    sig.inputs.push_back(std::move(ts));
  }
  size_t inputSymbols = sig.symbols.size();

  // Derived symbols for sums of input symbols.
  auto inputSymbolOf = [&](unsigned node) -> std::optional<int32_t> {
    auto it = symbolOfRoot.find(classes.find(node));
    if (it == symbolOfRoot.end() || it->second >= int32_t(inputSymbols))
      return std::nullopt;
    return it->second;
  };
  DenseMap<unsigned, int32_t> derivedOfRoot;
  for (const DimClasses::Sum &sum : classes.sums) {
    unsigned root = classes.find(sum.node);
    if (symbolOfRoot.count(root) || derivedOfRoot.count(root))
      continue;
    std::optional<int32_t> l = inputSymbolOf(*sum.lhs);
    std::optional<int32_t> r =
        sum.rhs ? inputSymbolOf(*sum.rhs) : std::optional<int32_t>(-1);
    if (!l || !r)
      continue;
    std::string name = sig.symbols[*l];
    if (*r >= 0)
      name += "+" + sig.symbols[*r];
    if (sum.constant)
      name += "+" + std::to_string(sum.constant);
    // Named after its terms ("P+T", "P+1"), not after the op's symbol.
    classes.name(sum.node) = name;
    int32_t id = symbolFor(sum.node, name);
    sig.derived.push_back({id, *l, *r, sum.constant});
    derivedOfRoot[root] = id;
  }

  for (auto [i, value] : llvm::enumerate(returned)) {
    auto t = cast<RankedTensorType>(func.getFunctionType().getResult(i));
    TensorSignature ts;
    ts.flags = stridedOut[i] ? kBatchStrided : 0;
    ts.name = nameOf("sessa.name", func.getResultAttrDict(i),
                     "result" + std::to_string(i));
    ts.dtype = dtypeOf(t.getElementType());
    for (unsigned d = 0; d < t.getRank(); ++d) {
      if (!t.isDynamicDim(d)) {
        ts.dims.push_back(t.getDimSize(d));
        continue;
      }
      unsigned root = classes.find(classes.node(value, d));
      auto it = symbolOfRoot.find(root);
      if (it == symbolOfRoot.end())
        return func.emitError()
               << "entry point @" << sig.name << ": dimension " << d
               << " of result #" << i << " ('" << ts.name
               << "') is dynamic but not determined by the inputs; give it a "
                  "static size or derive it from an input dimension";
      ts.dims.push_back(-int64_t(it->second) - 1);
    }
    sig.outputs.push_back(std::move(ts));
  }
  return sig;
}
