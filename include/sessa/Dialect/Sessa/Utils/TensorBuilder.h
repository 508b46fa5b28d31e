//===- TensorBuilder.h - Tensor-level building blocks -----------*- C++ -*-===//
//
// Small builders for the linalg-on-tensors code the sessa lowerings emit:
// elementwise/reduction generics, transposed matmuls, slices with rank
// reduction, and the online-softmax update shared by `sessa.attention` and
// `sessa.feedback_attention`. All arithmetic is f32.
//
//===----------------------------------------------------------------------===//
#ifndef SESSA_DIALECT_SESSA_UTILS_TENSORBUILDER_H
#define SESSA_DIALECT_SESSA_UTILS_TENSORBUILDER_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

#include <functional>

namespace mlir::sessa::lowering {

using BodyFn = std::function<Value(ImplicitLocOpBuilder &, ValueRange)>;

/// Builds linalg-on-tensors code at one location.
class TensorBuilder {
public:
  TensorBuilder(OpBuilder &builder, Location loc) : b(loc, builder) {}

  ImplicitLocOpBuilder &builder() { return b; }
  Type f32() { return b.getF32Type(); }

  Value f32Const(double v);
  Value indexConst(int64_t v);
  Value index(OpFoldResult ofr);
  OpFoldResult dim(Value tensor, int64_t i);
  SmallVector<OpFoldResult> dims(Value tensor);

  Value empty(ArrayRef<OpFoldResult> sizes, Type elementType = nullptr);
  Value full(ArrayRef<OpFoldResult> sizes, double value);

  /// Converts a float tensor to f32 (no-op for f32) or back to `elementType`.
  Value toF32(Value tensor);
  Value castTo(Value tensor, Type elementType);

  /// A generic with all-parallel loops over `init`'s shape whose inputs are
  /// read through `maps` (one per input, over the loops of `init`).
  Value map(ValueRange inputs, ArrayRef<AffineMap> maps, Value init,
            const BodyFn &body);
  /// Same, every input read with the identity map.
  Value mapIdentity(ValueRange inputs, Value init, const BodyFn &body);

  /// A generic over `loops` iterators with explicit maps (inputs then init).
  /// `body` receives input elements then the current output element.
  Value generic(ValueRange inputs, Value init, ArrayRef<AffineMap> maps,
                ArrayRef<utils::IteratorType> iterators, const BodyFn &body);

  /// Reduces the last dimension of `input` into `init` (rank - 1) with
  /// `combine(acc, x)`.
  Value reduceLast(Value input, Value init,
                   const std::function<Value(ImplicitLocOpBuilder &, Value,
                                             Value)> &combine);

  /// init[m, n] += sum_k a[m, k] * w[n, k]   (a times w transposed).
  Value matmulTransposeB(Value a, Value w, Value init);
  /// init[m, n] += sum_k a[m, k] * v[k, n].
  Value matmul(Value a, Value v, Value init);

  /// Slice with unit dimensions dropped from the result (rank-reduced to
  /// `resultRank`).
  Value extract(Value source, ArrayRef<OpFoldResult> offsets,
                ArrayRef<OpFoldResult> sizes, int64_t resultRank);
  /// Inserts `source` (possibly rank-reduced) at `offsets`/`sizes` of `dest`.
  Value insert(Value source, Value dest, ArrayRef<OpFoldResult> offsets,
               ArrayRef<OpFoldResult> sizes);

  Value minIndex(Value a, Value b);

  /// The transpose of a [r, c] matrix.
  Value transpose(Value matrix);

private:
  ImplicitLocOpBuilder b;
};

/// Running state of an online softmax over key tiles for `rows` query rows:
/// row maximum `m [rows]`, row sum `l [rows]`, accumulator `acc [rows, dv]`.
struct SoftmaxState {
  Value m, l, acc;
};

/// A row maximum `m` (f32 scalar) with -inf replaced by 0, so that
/// exp(y - safeMax(m)) is 0 for y = -inf instead of NaN.
Value safeMax(ImplicitLocOpBuilder &b, Value m);

/// Initial state: m = -inf, l = 0, acc = 0.
SoftmaxState initSoftmaxState(TensorBuilder &tb, OpFoldResult rows,
                              OpFoldResult dv);

/// Folds a tile of `logits [rows, cols]` (scaled; hidden entries -inf) with
/// its `values [cols, dv]` into `state`. Rows whose maximum is still -inf
/// contribute nothing (no NaN).
SoftmaxState updateSoftmaxState(TensorBuilder &tb, const SoftmaxState &state,
                                Value logits, Value values);

/// The keys of an attention-like product: `[cols, dk]` rows as stored, or
/// transposed once up front to `[dk, cols]` so that a product with many
/// query rows reads both operands along contiguous rows. With few query rows
/// (decoding) the transpose would cost more than the product: the keys stay
/// as stored and the product reads them as a transposed operand.
enum class KeyLayout { Rows, Transposed };

/// Query rows up to which the lowerings keep the keys as stored
/// (KeyLayout::Rows); chosen from the static number of query rows.
constexpr int64_t kMaxRowsForUntransposedKeys = 8;

/// logits[i, j] = scale * q[i, :] . key_j, set to -inf where
/// `visible(i, j)` (built from the tile-local indices) is false. `keys` is
/// `[cols, dk]` or, with KeyLayout::Transposed, `[dk, cols]`.
Value maskedLogits(TensorBuilder &tb, Value q, Value keys, KeyLayout layout,
                   double scale,
                   const std::function<Value(ImplicitLocOpBuilder &, Value,
                                             Value)> &visible);

/// Runs the online softmax of `q [rows, dk]` over key rows [0, keyEnd) of
/// `keys` (laid out as `layout` says) / `values [*, dv]` in tiles of
/// `keyTile`, masking with `visible(i, jAbs)` (jAbs the absolute key row)
/// when given. Starts from `init` when given (a second run continues the
/// softmax of a first one over another set of keys), else from the empty
/// state.
SoftmaxState
flashLoop(TensorBuilder &tb, Value q, Value keys, KeyLayout layout,
          Value values, Value keyEnd, int64_t keyTile, double scale,
          const std::function<Value(ImplicitLocOpBuilder &, Value, Value)>
              &visible,
          const SoftmaxState *init = nullptr);

} // namespace mlir::sessa::lowering

#endif // SESSA_DIALECT_SESSA_UTILS_TENSORBUILDER_H
