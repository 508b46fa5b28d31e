//===- ShapeChecker.cpp - Symbolic shape checks for verifiers -------------===//
#include "ShapeChecker.h"

#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace mlir;
using namespace mlir::sessa::detail;

void ShapeChecker::bind(StringRef sym, int64_t size, StringRef origin) {
  bindings[sym] = Binding{size, origin.str()};
}

int64_t ShapeChecker::lookup(StringRef sym) const {
  auto it = bindings.find(sym);
  return it == bindings.end() ? ShapedType::kDynamic : it->second.size;
}

std::string ShapeChecker::render(ArrayRef<StringRef> dims) const {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "[";
  llvm::interleaveComma(dims, os);
  os << "] = [";
  llvm::interleaveComma(dims, os, [&](StringRef sym) {
    int64_t size = lookup(sym);
    if (ShapedType::isDynamic(size))
      os << "?";
    else
      os << size;
  });
  os << "]";
  return s;
}

LogicalResult ShapeChecker::check(Value value, StringRef label,
                                  ArrayRef<StringRef> dims) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getRank() != static_cast<int64_t>(dims.size()))
    return op->emitOpError() << label << " must have rank " << dims.size()
                             << " with shape " << render(dims) << ", but has "
                             << type;
  for (auto [i, sym] : llvm::enumerate(dims)) {
    int64_t size = type.getDimSize(i);
    if (ShapedType::isDynamic(size))
      continue;
    // A sum "X+Y" is known once both terms are.
    auto [lhs, rhs] = sym.split('+');
    if (!rhs.empty() && !bindings.count(sym) &&
        !ShapedType::isDynamic(lookup(lhs)) &&
        !ShapedType::isDynamic(lookup(rhs)))
      bind(sym, lookup(lhs) + lookup(rhs),
           (lhs + " + " + rhs).str());
    auto it = bindings.find(sym);
    if (it == bindings.end()) {
      bind(sym, size, label);
      continue;
    }
    if (it->second.size != size)
      return op->emitOpError()
             << label << " dimension " << i << " (" << sym << ") is " << size
             << ", but " << sym << " = " << it->second.size << " from "
             << it->second.origin << "; expected shape " << render(dims)
             << ", got " << type;
  }
  return success();
}

LogicalResult ShapeChecker::checkAll(ArrayRef<ShapeSpecEntry> spec) {
  for (const ShapeSpecEntry &e : spec) {
    SmallVector<StringRef> dims(e.dims.begin(), e.dims.end());
    if (failed(check(e.value, e.label, dims)))
      return failure();
  }
  return success();
}

LogicalResult ShapeChecker::requireStatic(Value value, StringRef label,
                                          unsigned dim, StringRef sym) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.isDynamicDim(dim))
    return op->emitOpError() << label << " dimension " << dim << " (" << sym
                             << ") must be static, but has " << type;
  return success();
}

LogicalResult ShapeChecker::checkElementType(Value value, StringRef label,
                                             Type elementType,
                                             StringRef origin) {
  Type actual = cast<ShapedType>(value.getType()).getElementType();
  if (actual != elementType)
    return op->emitOpError() << label << " has element type " << actual
                             << ", but the op's element type is "
                             << elementType << " (from " << origin << ")";
  return success();
}

LogicalResult mlir::sessa::detail::verifyScale(Operation *op,
                                               std::optional<double> scale) {
  if (scale && (!std::isfinite(*scale) || *scale == 0.0))
    return op->emitOpError() << "attribute 'scale' must be finite and "
                                "non-zero, but is "
                             << *scale;
  return success();
}
