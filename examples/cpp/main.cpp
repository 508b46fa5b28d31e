// Calls the compiled Sessa layer of layer.mlir from C++:
//   1. prefill a prompt of 12 tokens into cache buffers with room for 18
//      rows (caches of P = 0 rows),
//   2. decode 6 more tokens one at a time in place: each call gets views of
//      the first P rows of the buffers as its caches and writes the views of
//      the first P + 1 rows of the same buffers (only the new row is written),
//   3. check that the decoded outputs equal one forward pass over all 18
//      tokens (the caches make decoding exact), and
//   4. show the error a call with a wrong shape gets.
//
//   sessa-compile layer.mlir -o out
//   c++ -std=c++17 main.cpp -Iout -Lout -llayer -Wl,-rpath,$PWD/out -o demo
#include "layer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {
constexpr int64_t D = 64, KvHeads = 2, HeadDim = 16;

/// A dense row-major f32 tensor that owns its data.
struct Tensor {
  std::vector<int64_t> shape;
  std::vector<float> data;
  explicit Tensor(std::vector<int64_t> s, float fill = 0.0f) : shape(std::move(s)) {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    data.assign(n, fill);
  }
  sessa_tensor view() {
    sessa_tensor t{};
    t.data = data.data();
    t.dtype = SESSA_DTYPE_F32;
    t.rank = static_cast<int32_t>(shape.size());
    std::copy(shape.begin(), shape.end(), t.shape);
    return t;
  }
};

/// Deterministic pseudo-random numbers in [-scale, scale).
void fillRandom(Tensor &t, float scale, uint32_t seed) {
  for (float &v : t.data) {
    seed = seed * 1664525u + 1013904223u;
    v = scale * (static_cast<float>(seed >> 8) / 8388608.0f - 1.0f);
  }
}

struct Layer {
  std::vector<Tensor> weights; // in the order of layer.h

  Layer() {
    float w = 1.0f / std::sqrt(static_cast<float>(D));
    const std::vector<std::vector<int64_t>> shapes = {
        {D}, {D}, {2 * D, D}, {D, D}, {KvHeads * HeadDim, D},
        {KvHeads * HeadDim, D}, {2 * D, D}, {D, D}, {1, D}, {1}, {D, D}};
    for (size_t i = 0; i < shapes.size(); ++i) {
      weights.emplace_back(shapes[i]);
      fillRandom(weights.back(), i == 0 ? 0.1f : w, 17u + 31u * i);
    }
    for (float &v : weights[0].data) // LayerNorm weight around 1
      v += 1.0f;
  }

  /// One call: x [1, T, D] and caches `in` ([1, P, ...]) -> y [1, T, D]
  /// and the extended caches `out` ([1, P + T, ...]).
  int call(Tensor &x, const std::vector<sessa_tensor> &in,
           const std::vector<sessa_tensor> &out, Tensor &y) {
    y = Tensor({1, x.shape[1], D});
    std::vector<sessa_tensor> ins = {x.view()};
    for (Tensor &w : weights)
      ins.push_back(w.view());
    ins.insert(ins.end(), in.begin(), in.end());
    std::vector<sessa_tensor> outs = {y.view()};
    outs.insert(outs.end(), out.begin(), out.end());
    sessa_status status;
    int rc = layer_step(ins.data(), static_cast<int32_t>(ins.size()),
                        outs.data(), static_cast<int32_t>(outs.size()),
                        &status);
    if (rc != SESSA_OK)
      std::printf("layer_step failed (code %d): %s\n", rc, status.message);
    return rc;
  }

  /// A call with fresh caches: new dense buffers of P + T rows.
  int step(Tensor &x, std::vector<Tensor> &caches, Tensor &y) {
    int64_t T = x.shape[1], P = caches[0].shape[1];
    std::vector<Tensor> next = {Tensor({1, P + T, KvHeads, HeadDim}),
                                Tensor({1, P + T, KvHeads, HeadDim}),
                                Tensor({1, P + T, 1, D}),
                                Tensor({1, P + T, 1, D})};
    std::vector<sessa_tensor> in, out;
    for (Tensor &c : caches)
      in.push_back(c.view());
    for (Tensor &c : next)
      out.push_back(c.view());
    if (int rc = call(x, in, out, y))
      return rc;
    caches = std::move(next);
    return 0;
  }
};

/// Cache buffers [B, capacity, ...] holding `rows` rows: a call extends them
/// in place (the layer's caches are batch-strided arguments, see layer.h).
struct CacheBuffers {
  std::vector<Tensor> buffers;
  int64_t rows = 0;
  explicit CacheBuffers(int64_t capacity)
      : buffers{Tensor({1, capacity, KvHeads, HeadDim}),
                Tensor({1, capacity, KvHeads, HeadDim}),
                Tensor({1, capacity, 1, D}), Tensor({1, capacity, 1, D})} {}
  /// Views of the first `n` rows: shape [1, n, ...], the buffer's strides.
  std::vector<sessa_tensor> views(int64_t n) {
    std::vector<sessa_tensor> v;
    for (Tensor &b : buffers) {
      sessa_tensor t = b.view();
      t.shape[1] = n;
      t.strides[3] = 1;
      t.strides[2] = b.shape[3];
      t.strides[1] = b.shape[2] * b.shape[3];
      t.strides[0] = b.shape[1] * t.strides[1]; // the capacity, not n
      v.push_back(t);
    }
    return v;
  }
  int extend(Layer &layer, Tensor &x, Tensor &y) {
    int64_t T = x.shape[1];
    if (int rc = layer.call(x, views(rows), views(rows + T), y))
      return rc;
    rows += T;
    return 0;
  }
};

std::vector<Tensor> emptyCaches() {
  return {Tensor({1, 0, KvHeads, HeadDim}), Tensor({1, 0, KvHeads, HeadDim}),
          Tensor({1, 0, 1, D}), Tensor({1, 0, 1, D})};
}
} // namespace

int main() {
  constexpr int64_t Prompt = 12, Decode = 6, Total = Prompt + Decode;
  Layer layer;
  Tensor tokens({1, Total, D});
  fillRandom(tokens, 1.0f, 7u);

  // Reference: one forward pass over the whole sequence.
  std::vector<Tensor> fullCaches = emptyCaches();
  Tensor full({1, Total, D});
  if (layer.step(tokens, fullCaches, full) != 0)
    return 1;

  // Prefill, then decode one token at a time, the caches in place.
  CacheBuffers caches(Total);
  Tensor prompt({1, Prompt, D}), y({1, 0, D});
  std::copy_n(tokens.data.begin(), Prompt * D, prompt.data.begin());
  if (caches.extend(layer, prompt, y) != 0)
    return 1;
  std::printf("prefill: %lld tokens, caches now hold %lld rows\n",
              static_cast<long long>(Prompt),
              static_cast<long long>(caches.rows));
  double maxDiff = 0.0;
  for (int64_t t = Prompt; t < Total; ++t) {
    Tensor x({1, 1, D});
    std::copy_n(tokens.data.begin() + t * D, D, x.data.begin());
    if (caches.extend(layer, x, y) != 0)
      return 1;
    for (int64_t i = 0; i < D; ++i)
      maxDiff = std::max(maxDiff, std::fabs(static_cast<double>(
                                      y.data[i] - full.data[t * D + i])));
    std::printf("decode: token %lld, y[0..3] = %.5f %.5f %.5f %.5f\n",
                static_cast<long long>(t), y.data[0], y.data[1], y.data[2],
                y.data[3]);
  }
  std::printf("decode vs. full forward: max |difference| = %.3g\n", maxDiff);

  // A wrong shape is reported, and nothing is written.
  Tensor bad({1, 1, D + 1});
  std::vector<Tensor> badCaches = emptyCaches();
  int rc = layer.step(bad, badCaches, y);
  std::printf("wrong shape -> error code %d\n", rc);
  return maxDiff < 1e-4 && rc == SESSA_ERROR_SHAPE_MISMATCH ? 0 : 1;
}
