//===- ShapeChecker.h - Symbolic shape checks for verifiers -----*- C++ -*-===//
//
// Verifiers describe each operand as a list of symbolic dimensions
// ("B", "T", "Hk", "2*D", ...). The checker binds every symbol to the first
// static size it sees and reports any later disagreement, naming the operand,
// the dimension, where the symbol was bound and the full expected shape.
//
//===----------------------------------------------------------------------===//
#ifndef SESSA_LIB_DIALECT_SESSA_IR_SHAPECHECKER_H
#define SESSA_LIB_DIALECT_SESSA_IR_SHAPECHECKER_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Operation.h"
#include "sessa/Dialect/Sessa/IR/ShapeSpec.h"
#include "llvm/ADT/StringMap.h"

#include <string>

namespace mlir::sessa::detail {

class ShapeChecker {
public:
  explicit ShapeChecker(Operation *op) : op(op) {}

  /// Binds `sym` to `size` (e.g. from an attribute); `origin` says where from.
  void bind(llvm::StringRef sym, int64_t size, llvm::StringRef origin);

  /// Checks rank and dimensions of `value`'s type against `dims`, binding
  /// unbound symbols. `label` names the value ("operand 'key'").
  LogicalResult check(Value value, llvm::StringRef label,
                      llvm::ArrayRef<llvm::StringRef> dims);

  /// Checks every entry of `spec` in order (see ShapeSpec.h).
  LogicalResult checkAll(llvm::ArrayRef<ShapeSpecEntry> spec);

  /// Requires dimension `dim` of `value` to be static.
  LogicalResult requireStatic(Value value, llvm::StringRef label,
                              unsigned dim, llvm::StringRef sym);

  /// Requires `value` to have element type `elementType` (from `origin`).
  LogicalResult checkElementType(Value value, llvm::StringRef label,
                                 Type elementType, llvm::StringRef origin);

  /// The static size bound to `sym`, or ShapedType::kDynamic.
  int64_t lookup(llvm::StringRef sym) const;

  /// "[B, T, H, d] = [2, ?, 8, 64]".
  std::string render(llvm::ArrayRef<llvm::StringRef> dims) const;

private:
  struct Binding {
    int64_t size;
    std::string origin;
  };
  Operation *op;
  llvm::StringMap<Binding> bindings;
};

/// Verifies that an optional `scale` attribute is finite and non-zero.
LogicalResult verifyScale(Operation *op, std::optional<double> scale);

} // namespace mlir::sessa::detail

#endif // SESSA_LIB_DIALECT_SESSA_IR_SHAPECHECKER_H
