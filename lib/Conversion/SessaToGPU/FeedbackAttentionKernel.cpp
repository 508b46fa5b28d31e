//===- FeedbackAttentionKernel.cpp - sessa.feedback_attention on the GPU --===//
//
// The blocked (DeltaFormer-style) solve of s = f + gamma * A s, A the strictly
// causal row-softmax of c * qb K^T. (On sm_90a with 16-bit storage and no
// cache, the up-front path below replaces kernels 1, 2 and 4.) Rows are
// solved in strips of R = 256 rows, each strip in chunks of C = 64 rows; a
// host-side scf.for over the strips launches, per strip, in stream order
// (strip rows [r0, r0 + Rs),
// Rs = min(R, T - r0); row r sees keys j < P + r0 + r):
//
//   1. logits   grid (key tiles, row tiles x Hb, B): c * Q_tile K_tile^T
//               for all the strip's rows at once, into the strip-row buffer
//               W[b, h, 0:Rpad, 0:P+T] (f32; Rpad = min(R, T) rounded up to
//               64, never T x T); tiles no row of the row tile sees are
//               skipped.
//   2. softmax  grid (Rs, Hb, B): per row, max and sum over its visible
//               keys, then gamma_r * exp(W - max) / sum: the keys before the
//               strip into `prob` (in place in W, or a 16-bit copy for the
//               tensor cores), the strip's own keys (and 0 past the visible
//               ones) into the f32 block buffer DIAG [b, h, 0:Rpad, 0:Rpad]
//               (and its 16-bit copy DIAG16 with tensor cores). Empty rows
//               (P + r0 + r == 0) become all zero, so s = f there.
//   3. rhs      grid (value-column tiles, row tiles x key splits, B * Hb):
//               partial[split] = prob[:, keys of the split] @ S[keys of the
//               split] over the P + r0 solved keys (S is s_prev then the
//               rows of s already solved).
//   4. inverses X_c = (I - L_c)^-1 for each chunk's strictly lower 64 x 64
//               diagonal block L_c of DIAG, by forward substitution of one
//               column per thread in registers (f32, no barriers; rows sum
//               to |gamma| < 1, so X_c is well conditioned), into INV. f32:
//               its own launch, grid (chunks, Hb, B) of 64 threads; tensor
//               cores: extra blocks of kernel 3 (one more column of blocks,
//               those of row 0: one block of 4 x 64 threads per (b, h)),
//               which run under its products. No inverse for a strip of
//               one row (decoding: X = I).
//   5. intra    one sequential kernel per strip, grid (value-column tiles,
//               B * Hb), 256 threads: rhs = f + the partials of all the
//               strip's rows staged in shared memory, then chunk after
//               chunk rhs_c += DIAG[c rows, earlier chunks] @ s[earlier
//               chunk rows] (the strip's s rows kept in shared memory) and
//               s_c = X_c @ rhs_c; no barrier per row.
//               f32: 16-column tiles, 64 x 64 f32 tiles staged by cp.async
//               (2 stages), SIMT FMAs. Tensor cores (strips of more than
//               one row): 32, 16 or 8 columns a block, whichever gives
//               about 96 blocks or more; all of X_c and the six DIAG16
//               blocks fetched at the start, one cp.async group per chunk
//               (about 171 KB of shared memory at 32 columns);
//               DIAG16 @ s by mma (s rounded to the storage type), X_c @
//               rhs_c by three mma on hi + lo storage-type parts of both
//               (about 16 mantissa bits). A strip of one row: the f32-tile
//               kernel with X = I, its earlier-chunk products on tensor
//               cores.
//
// All arithmetic in f32; f16/bf16 storage is converted on load and store.
// f32 runs SIMT kernels throughout (no TF32). With f16/bf16 storage and dk,
// dv multiples of 8, kernels 1, 3 and 5 run their products on tensor cores
// (nvvm.mma.sync m16n8k16, f32 accumulators, fragments by ldmatrix; W
// rounded to the storage type for the rhs product), kernels 1 and 3 with
// their operands staged by cp.async pipelines (by default 4 stages of 64
// deep; hidden knobs -sessa-gpu-feedback-gemm-{n,depth,stages}) in 16-byte
// aligned dynamic shared memory; their blocks cover 128 rows (warps of
// 32 x 32) when the strip has more than 64 rows, else 64 (warps of 16 x 32;
// decoding steps), chosen on the host. -sessa-gpu-feedback-fused-intra=0
// keeps the separate inverse launch and the f32-tile intra kernel for
// 16-bit storage too (for comparisons). With 16-bit storage the 16-bit
// prob rows share W's memory (first half of each f32 row; the softmax's
// last pass reads a step's W values before a barrier, then writes).
//
// sm_90a (the pass's `wgmma-feedback` option, set by the GPU pipeline for
// sm_90a), 16-bit storage, no cache: the up-front path. The logits, the
// strictly causal softmax and the diagonal-block inverses depend only on qb,
// kb and gamma, never on s, so they are computed for all strips before the
// strip loop in three fully parallel launches (four with
// -sessa-gpu-feedback-one-pass=0; passes per head):
//
//   U1. pass 1  a wgmma GEMM qb K^T per head (GemmKernel.cpp, 128 x N
//               tiles; N = 256 keys when T >= 4096, else 128) over the lower
//               block tiles only (GemmFragmentEpilogue lowerOnly): the TMA
//               warp-specialised persistent kernel (B folded into the rows
//               of the tensor maps, only the lower tiles in its scheduler;
//               ping-pong at N = 128, cooperative at 256) when the runtime
//               makes the maps, else (SESSA_CUDA_TMA=0; knob
//               -sessa-gpu-feedback-pass-tma=0) the cp.async kernel. Its
//               epilogue takes the accumulators: per row
//               and N-key tile, max and sum of exp(c x - max) over the keys
//               j < row (quad shuffles), into statMax / statSum [Hb,
//               ceil(T / N), B, T] f32.
//               By default (-sessa-gpu-feedback-one-pass) the epilogue also
//               stores the tile-relative exponentials e = exp(c x - m_t)
//               (m_t the tile max it computes; 0 for j >= r) where U3 below
//               stores p, 16-bit slots as f16 bits (e in (0, 1]; bf16
//               storage rounds twice otherwise: -one-pass-f16=0), each
//               32-key group of a row transposed in its quad by xor
//               shuffles and stored as one 16-byte vector a lane
//               (-one-pass-wide=0: 4-byte key pairs); then
//   U2'. rescale grid (ceil(T / 8), Hb, B) of 256 threads, a warp a row
//               (the longest rows first): M_r and gamma_r / max(L_r, 1) as
//               U2, then every stored value of the row, in place, times
//               gamma_r / max(L_r, 1) exp(m_t - M_r) (t: the key's tile):
//               the prob and own-key runs by 16-byte loads and stores (four
//               a lane in flight), the f32 diagonal row by 16 lanes. This
//               replaces U2 and U3 (-sessa-gpu-feedback-one-pass=0 restores
//               them):
//   U2. stats   grid (T / 64, Hb, B), four threads a row: the row's max M
//               and gamma / max(L, 1) (L = sum_t S_t exp(M_t - M)), into
//               tile 0 of the statistics.
//   U3. pass 2  the same GEMM again; element (r, j) becomes p = gamma_r
//               exp(c x - M_r) / L_r (0 for j >= r), stored by key pairs:
//               keys before r's strip into the strip's 16-bit prob [B, Hb,
//               R, i R] (strip i at element B Hb R^2 i (i - 1) / 2 of one
//               flat buffer), keys of the strip's earlier chunks into its
//               16-bit own-key block DIAG16 [nS][B, Hb, R, R], keys of the
//               row's own chunk into the f32 diagonal blocks [nS][B, Hb,
//               R / 64, 64, 64].
//   U4. inverses grid (nS R / 64, Hb, B) of 64 threads: X_c = (I - L_c)^-1
//               of every chunk, in place in the diagonal blocks (staged in
//               shared memory first).
//
// The strip loop then launches, per strip, only kernel 3 (a wgmma GEMM per head
// of the strip's prob against sT, split over the keys; none on the first strip)
// and kernel 5 (the tensor-core intra-strip kernel, reading the strip's DIAG16
// and X_c through memref.views of the up-front buffers): 2 launches a strip
// instead of 5 (19 a call at B = 4, T = 2048; 66 at B = 1, T = 8192 with one
// pass, against 39 and 159). Memory: when prob fits in s's memory (B Hb R^2 nS
// (nS - 1) / 2 <= B T Hb dv: (T - R) / 2 <= dv, e.g. T = 2048, dv = 1024), it
// lives there (s is unused until the end): the intra-strip kernel writes s rows
// for the last strip only and sT (only the rows before the last strip) for the
// others, and a last launch transposes sT into s's earlier rows; otherwise prob
// gets a buffer of its own and s rows are written directly. Hidden knobs:
// -sessa-gpu-feedback-upfront=0 (the strip path below),
// -sessa-gpu-feedback-pass-{n,stages},
// -sessa-gpu-feedback-one-pass{,-f16,-wide}.
//
// The overlapped strip chain (-sessa-gpu-feedback-overlap, default 1: chosen
// at run time when the intra-strip blocks of 16 columns number at most 64,
// i.e. B Hb = 1 at dv = 1024; buildOverlapStrips): one launch a strip. Only
// the keys of strip i in strip i + 1's cross product depend on strip i's
// solve, so launch i runs strip i + 1's cross-strip wgmma product over the
// keys of strips < i (128 x 128 tiles, key splits sized so that about 132
// blocks run at once) with strip i's intra-strip kernel as extra blocks of
// the same launch; the intra-strip kernel of strip i >= 1 adds prob_i[:,
// keys of strip i - 1] @ s_{i-1} itself (IntraTail: K = 256, mma.sync
// fragments loaded from prob and sT in global memory, before its rhs is
// staged). The partials are double buffered; when prob lives in s's memory,
// the last strip goes to sT as well (its launch reads its own prob rows).
// B = 1, T = 8192: 36 launches instead of 67, strip chain 644 -> 495 us
// (H100, NOTES-feedback-strips.md, stop 13).
//
// -sessa-gpu-feedback-strip-inverse=1 (off by default: correct on the H100,
// bf16 rel 2.34e-3 as before, but slower: intra-strip 127 / 407 us against
// 108 / 353 at B = 4, T = 2048 / B = 1, T = 8192, plus 25 us up front):
//
//   U5. strip inverses  grid (R / 64 - 1, nS, B * Hb) of 256 threads, after
//               U4: the strictly lower blocks of every strip's whole
//               inverse Y_i = (I - L_i)^-1, Y[c][t] = X_c sum_{t <= u < c}
//               L[c][u] Y[u][t] (L from the 16-bit own-key blocks), f32
//               SIMT 64 x 64 tiles, column t of blocks per block, into
//               [nS, B, Hb, 6, 64, 64] f32 (3.1 MB at B = 4, T = 2048); the
//               own-key blocks are freed before the loop.
//
// and kernel 5 becomes s_i = Y_i (f + partials) (buildIntraStripY): the ten
// 64 x 64 blocks of Y_i staged in shared memory (174 KB), each warp two
// 16-row tiles (chunks w / 4 and 3 - w / 4), hi / lo mma, no chain between
// the chunks. The chain was not what took the time: the kernel is bound by
// every column block staging the strip's matrices (160 KB of f32 Y against
// 112 KB of X_c and DIAG16 a block, 128 blocks a strip).
//
// The strip path on sm_90a (with a cache, or -sessa-gpu-feedback-upfront=0),
// strips of more than 64 rows: kernel 1 is a wgmma GEMM
// launch per head (GemmKernel.cpp: 128 x 64 tiles, 6 stages) of qb's strip
// rows against all the strip's keys (cached keys in a launch of their own),
// unscaled (the softmax multiplies by c). Without a cache, kernel 3 is a
// wgmma GEMM per head of prob against sT, a transposed 16-bit copy of the
// solved rows of s [B, Hb, dv, T rounded up to 8] that kernel 5 writes for
// every strip but the last; its keys are split (GemmOptions::splitK: at
// least 512 keys a split, splits up to about 128 blocks, which also sizes
// the partial buffer) and kernel 4 (the inverses) is its own launch again.
// Hidden knobs -sessa-gpu-feedback-wgmma-*. Decoding steps, T <= 64 and
// strips with a cache keep the mma.sync kernels.
//
//===----------------------------------------------------------------------===//
#include "KernelBuilder.h"
#include "Lowerings.h"
#include "sessa/Dialect/Sessa/Transforms/GemmKernel.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include "llvm/Support/CommandLine.h"

#include <algorithm>
#include <limits>

using namespace mlir;
using namespace mlir::sessa;
using namespace mlir::sessa::gpukernels;

namespace {
// Tuning knobs (hidden; for measurements, see bench/gpu): the tensor-core
// logits / cross-strip rhs block tile and staging, and the fused
// intra-strip kernel.
llvm::cl::opt<int64_t> clGemmN(
    "sessa-gpu-feedback-gemm-n", llvm::cl::init(64), llvm::cl::Hidden,
    llvm::cl::desc("Keys (logits) / value columns (rhs) per tensor-core "
                   "block of the feedback attention (64 or 128)"));
llvm::cl::opt<int64_t> clGemmDepth(
    "sessa-gpu-feedback-gemm-depth", llvm::cl::init(64), llvm::cl::Hidden,
    llvm::cl::desc("Depth staged per pipeline step of the feedback "
                   "tensor-core products (32 or 64)"));
llvm::cl::opt<int64_t> clGemmStages(
    "sessa-gpu-feedback-gemm-stages", llvm::cl::init(4), llvm::cl::Hidden,
    llvm::cl::desc("cp.async stages of the feedback tensor-core products"));
llvm::cl::opt<int64_t> clLogitFill(
    "sessa-gpu-feedback-logit-fill", llvm::cl::init(132), llvm::cl::Hidden,
    llvm::cl::desc("Tensor-core logits blocks of 128 rows only when there "
                   "are at least this many (else 64-row blocks; 0: always "
                   "128 rows for strips of more than 64 rows)"));
llvm::cl::opt<bool> clChunkGroups(
    "sessa-gpu-feedback-chunk-groups", llvm::cl::init(true), llvm::cl::Hidden,
    llvm::cl::desc("One cp.async group per chunk in the tensor-core "
                   "intra-strip kernel (else one for the whole strip)"));
llvm::cl::opt<bool> clFusedIntra(
    "sessa-gpu-feedback-fused-intra", llvm::cl::init(true), llvm::cl::Hidden,
    llvm::cl::desc("Fuse the inverses into the intra-strip kernel (16-bit "
                   "storage)"));

llvm::cl::opt<int64_t> clIntraBlocks(
    "sessa-gpu-feedback-intra-blocks", llvm::cl::init(96), llvm::cl::Hidden,
    llvm::cl::desc("Blocks wanted of the tensor-core intra-strip kernel: "
                   "the widest of 32, 16, 8 columns a block giving as many"));

// sm_90a (the pass's `wgmma` option): logits and cross-strip products as
// wgmma GEMM kernels (GemmKernel.cpp); hidden knobs for measurements.
llvm::cl::opt<bool> clWgmmaLogits(
    "sessa-gpu-feedback-wgmma-logits", llvm::cl::init(true), llvm::cl::Hidden,
    llvm::cl::desc("wgmma logits for strips of more than 64 rows (sm_90a)"));
llvm::cl::opt<bool> clWgmmaRhs(
    "sessa-gpu-feedback-wgmma-rhs", llvm::cl::init(true), llvm::cl::Hidden,
    llvm::cl::desc("wgmma cross-strip products over a transposed copy of s "
                   "for strips of more than 64 rows without a cache "
                   "(sm_90a)"));
llvm::cl::opt<int64_t> clWgmmaLogitsN(
    "sessa-gpu-feedback-wgmma-logits-n", llvm::cl::init(64), llvm::cl::Hidden,
    llvm::cl::desc("Keys per wgmma logits block (64, 128 or 256)"));
llvm::cl::opt<int64_t> clWgmmaRhsN(
    "sessa-gpu-feedback-wgmma-rhs-n", llvm::cl::init(64), llvm::cl::Hidden,
    llvm::cl::desc("Value columns per wgmma cross-strip block (64, 128 or "
                   "256)"));
llvm::cl::opt<int64_t> clWgmmaRhsBlocks(
    "sessa-gpu-feedback-wgmma-rhs-blocks", llvm::cl::init(128),
    llvm::cl::Hidden,
    llvm::cl::desc("wgmma cross-strip blocks wanted (key splits up to this "
                   "many blocks; sizes the partial-sum buffer)"));
llvm::cl::opt<int64_t> clWgmmaSplitKeys(
    "sessa-gpu-feedback-wgmma-split-keys", llvm::cl::init(512),
    llvm::cl::Hidden,
    llvm::cl::desc("Solved keys per key split of the wgmma cross-strip "
                   "product, at least"));

// Defaults measured on an H100 (NOTES-feedback-strips.md, run 2 of
// gpu11-fb): 6 stages for both products, the inverses in their own launch
// (inside the wgmma product's extra blocks they took 13-17 us a strip
// against 5.4 us alone).
llvm::cl::opt<int64_t> clWgmmaLogitsStages(
    "sessa-gpu-feedback-wgmma-logits-stages", llvm::cl::init(6),
    llvm::cl::Hidden,
    llvm::cl::desc("Shared memory stages of the wgmma logits (2 to 8)"));
llvm::cl::opt<int64_t> clWgmmaRhsStages(
    "sessa-gpu-feedback-wgmma-rhs-stages", llvm::cl::init(6),
    llvm::cl::Hidden,
    llvm::cl::desc("Shared memory stages of the wgmma cross-strip product "
                   "(2 to 8)"));
llvm::cl::opt<bool> clWgmmaInverseLaunch(
    "sessa-gpu-feedback-wgmma-inverse-launch", llvm::cl::init(true),
    llvm::cl::Hidden,
    llvm::cl::desc("With the wgmma cross-strip product, the inverses in a "
                   "launch of their own (grid (chunks, Hb, B) of 64 "
                   "threads) instead of extra blocks of the product"));

llvm::cl::opt<bool> clUpfront(
    "sessa-gpu-feedback-upfront", llvm::cl::init(true), llvm::cl::Hidden,
    llvm::cl::desc("sm_90a, 16-bit storage, no cache: probabilities and "
                   "diagonal-block inverses of all strips before the strip "
                   "loop (two wgmma logits passes), 2 launches a strip"));

// Correct on the H100 but slower (NOTES-feedback-strips.md, stop 12,
// gpu12-fbchain: intra 127 / 407 us against 108 / 353 at B=4 T=2048 / B=1
// T=8192, plus 25 us for the strip inverses), hence off by default.
llvm::cl::opt<bool> clStripInverse(
    "sessa-gpu-feedback-strip-inverse", llvm::cl::init(false), llvm::cl::Hidden,
    llvm::cl::desc("Up-front path: also the off-diagonal blocks of every "
                   "strip's inverse (I - L_i)^-1 before the strip loop; the "
                   "intra-strip kernel is then one product per chunk with "
                   "no chain between the chunks"));

// Measured on an H100 (NOTES-feedback-strips.md, stop 12): busy us at
// B=4 T=2048 / B=1 T=8192 for 64, 128, 256 keys: 338 / 1120, 328 / 1040,
// 342 / 996.
llvm::cl::opt<int64_t> clPassN(
    "sessa-gpu-feedback-pass-n", llvm::cl::init(0), llvm::cl::Hidden,
    llvm::cl::desc("Keys per block of the up-front logits passes (64, 128 "
                   "or 256; also the key tile of the row statistics; 0: 256 "
                   "when T >= 4096, else 128)"));
llvm::cl::opt<int64_t> clPassStages(
    "sessa-gpu-feedback-pass-stages", llvm::cl::init(0), llvm::cl::Hidden,
    llvm::cl::desc("Shared memory stages of the up-front logits passes (0: "
                   "6, 5, 4 for 64, 128, 256 keys)"));

llvm::cl::opt<bool> clPassTma(
    "sessa-gpu-feedback-pass-tma", llvm::cl::init(true), llvm::cl::Hidden,
    llvm::cl::desc("Up-front logits passes on the TMA warp-specialised "
                   "persistent GEMM kernel (lower tiles only in its tile "
                   "scheduler) when the runtime makes tensor maps; the "
                   "cp.async wgmma kernel otherwise or when off"));
llvm::cl::opt<bool> clPassPingpong(
    "sessa-gpu-feedback-pass-pingpong", llvm::cl::init(true),
    llvm::cl::Hidden,
    llvm::cl::desc("TMA logits passes with 128 keys a tile: ping-pong "
                   "consumer warpgroups (else cooperative)"));

llvm::cl::opt<bool> clOnePass(
    "sessa-gpu-feedback-one-pass", llvm::cl::init(true), llvm::cl::Hidden,
    llvm::cl::desc("Up-front path: one logits pass whose epilogue also "
                   "stores the tile-relative exponentials, then one rescale "
                   "launch (row statistics and the final probabilities in "
                   "place); else the row statistics launch and a second "
                   "logits pass"));
llvm::cl::opt<bool> clOnePassF16(
    "sessa-gpu-feedback-one-pass-f16", llvm::cl::init(true), llvm::cl::Hidden,
    llvm::cl::desc("One-pass path with bf16 storage: the tile-relative "
                   "exponentials (in (0, 1]) go to the 16-bit slots as f16 "
                   "bits (11-bit significand), else as bf16"));

llvm::cl::opt<bool> clOnePassWide(
    "sessa-gpu-feedback-one-pass-wide", llvm::cl::init(true), llvm::cl::Hidden,
    llvm::cl::desc("One-pass path: pass 1 stores the 16-bit exponentials of "
                   "32 keys of a row as one 16-byte store a lane (a 4 x 4 "
                   "transpose of the quad's key pairs by xor shuffles), else "
                   "by 4-byte key pairs"));

// The overlapped strip chain of the up-front path (NOTES-feedback-strips.md,
// stop 13): one launch a strip running strip i's intra-strip solve beside
// strip i + 1's cross-strip product over the keys of strips < i.
llvm::cl::opt<int64_t> clOverlap(
    "sessa-gpu-feedback-overlap", llvm::cl::init(1), llvm::cl::Hidden,
    llvm::cl::desc("Up-front path: strip i's intra-strip kernel as extra "
                   "blocks of strip i + 1's cross-strip product over the keys "
                   "before strip i (strip i + 1's intra-strip kernel adds "
                   "strip i's keys itself): one launch a strip. 0: off (two "
                   "launches a strip), 1: when the intra-strip blocks are at "
                   "most -sessa-gpu-feedback-overlap-intra-max (a run-time "
                   "choice), 2: always"));
llvm::cl::opt<int64_t> clOverlapNc(
    "sessa-gpu-feedback-overlap-nc", llvm::cl::init(16), llvm::cl::Hidden,
    llvm::cl::desc("Value columns per intra-strip block of the overlapped "
                   "strip chain (8, 16 or 32)"));
llvm::cl::opt<int64_t> clOverlapRhsN(
    "sessa-gpu-feedback-overlap-rhs-n", llvm::cl::init(128), llvm::cl::Hidden,
    llvm::cl::desc("Value columns per block of the overlapped strip chain's "
                   "cross-strip product (64, 128 or 256)"));
llvm::cl::opt<int64_t> clOverlapIntraMax(
    "sessa-gpu-feedback-overlap-intra-max", llvm::cl::init(64),
    llvm::cl::Hidden,
    llvm::cl::desc("-sessa-gpu-feedback-overlap=1: overlap the strip chain "
                   "when it has at most this many intra-strip blocks"));
llvm::cl::opt<int64_t> clOverlapBlocks(
    "sessa-gpu-feedback-overlap-blocks", llvm::cl::init(132),
    llvm::cl::Hidden,
    llvm::cl::desc("Blocks wanted of an overlapped strip launch (intra-strip "
                   "plus cross-strip; sizes the cross-strip key splits)"));

int64_t wgmmaN(int64_t n) { return n == 128 || n == 256 ? n : 64; }
int64_t overlapNc() {
  return clOverlapNc == 8 || clOverlapNc == 32 ? clOverlapNc : 16;
}
int64_t wgmmaStages(int64_t s) { return std::clamp<int64_t>(s, 2, 8); }

/// The tensor-core product configuration (from the knobs).
struct GemmConfig {
  int64_t n = 64, depth = 32, stages = 4;
};
GemmConfig gemmConfig() {
  GemmConfig c;
  c.n = clGemmN == 128 ? 128 : 64;
  c.depth = clGemmDepth == 64 ? 64 : 32;
  c.stages = std::clamp<int64_t>(clGemmStages, 2, 6);
  return c;
}

constexpr int64_t kChunk = 64;    // rows per chunk (C): one diagonal block
constexpr int64_t kStrip = 256;   // rows per strip (R), a multiple of kChunk
constexpr int64_t kARow = kChunk + 4; // f32 per staged tile row (16 bytes + 64)
constexpr int64_t kKeyTile = 64;  // keys per logits block
constexpr int64_t kDepth = 16;    // dk staged per step of the logits kernel
constexpr int64_t kColTile = 32;  // value columns per solve block
constexpr int64_t kSolveKeys = 32; // keys staged per step of the solve
constexpr int64_t kThreads = 256;
constexpr int64_t kWarps = kThreads / 32;
constexpr int64_t kTargetBlocks = 396; // 3 x 132 SMs for the rhs products
constexpr int64_t kMinSplitKeys = 64;

/// The operands of one feedback attention, as buffers, and its sizes.
struct Operands {
  Value f, qb, kb, gamma, kbPrev, sPrev; // kbPrev/sPrev null without cache
  Value s;                               // result buffer
  Value work;    // W: [B, Hb, Rpad, P + T rounded up to 8] f32 logits
  Value prob;    // normalised W of the keys before the strip, in the mma
                 // storage type (else == work)
  Value diag;    // [B, Hb, Rpad, Rpad] f32: normalised W of the strip's
                 // own keys (key index relative to the strip)
  Value diag16;  // the same in the mma storage type (tensor cores only)
  Value inv;     // [B, Hb, Rpad / 64, 64, 64] f32: (I - W_cc)^-1 per chunk
  Value partial; // [maxSplits, B, Hb, Rpad, dv] f32 partial rhs sums
  Value keysTotal; // size 3 of work/prob (P + T rounded up to 8)
  Value stripPad;  // size 2 of work/prob/diag: min(kStrip, T) rounded up to 64
  bool probInWork = false; // prob rows share the memory of W's rows
  Value sRowsFromT; // up-front path (index 0 / 1, else null): when 1 the
                    // intra-strip kernel writes s rows for the last strip
                    // only (the others go to sT and are transposed into s
                    // at the end: s's memory holds prob until then)
  Value sTLast;    // overlapped strip chain (index 0 / 1, else null): when
                   // 1 the last strip goes to sT too and no s row is
                   // written (its prob rows, in s's memory, are read by
                   // the same launch)
  Value sT;        // [B, Hb, dv, T rounded up to 8] storage type: s
                   // transposed (wgmma cross-strip products), else null
  Value batch, rows, heads, dk, dv, cache;
  double scale;
};

/// The rows of one strip: [r0, r0 + rows) of the T new rows; `solved` =
/// P + r0 keys come before it, and its last row sees `keys` = solved +
/// rows - 1 keys.
struct Strip {
  Value r0, rows, solved, keys;
};

/// The row tile `rt` of `height` rows of a strip: its first strip row, its
/// row count (min(height, rows - height rt)) and the keys its last row sees.
struct RowTile {
  Value base, rows, keys;
};
RowTile rowTile(OpBuilder &b, Location loc, const Strip &s, Value rt,
                int64_t height = kChunk) {
  RowTile t;
  t.base = mulIdx(b, loc, rt, cst(b, loc, height));
  t.rows = minIndex(b, loc, cst(b, loc, height), subIdx(b, loc, s.rows, t.base));
  t.keys = subIdx(b, loc, addIdx(b, loc, addIdx(b, loc, s.solved, t.base), t.rows),
                  cst(b, loc, 1));
  return t;
}

/// Four 8 x 8 matrices of 16-bit elements from shared memory by one
/// ldmatrix.x4 (`transpose`: .trans), each lane giving the address `idx` of
/// one matrix row (lanes 8 i .. 8 i + 7: matrix i); returns the lane's four
/// registers (two elements each) as i32, as the mma operands take them.
SmallVector<Value> ldmatrixX4(OpBuilder &b, Location loc, Value smem,
                              ValueRange idx, bool transpose) {
  Type et = cast<MemRefType>(smem.getType()).getElementType();
  auto resType = VectorType::get({4, 2}, et);
  Value v = nvgpu::LdMatrixOp::create(b, loc, resType, smem, idx,
                                      b.getBoolAttr(transpose),
                                      b.getI32IntegerAttr(4));
  SmallVector<Value> regs;
  for (int64_t i = 0; i < 4; ++i) {
    Value pair = vector::ExtractOp::create(b, loc, v, ArrayRef<int64_t>{i});
    Value w = vector::BitCastOp::create(
        b, loc, VectorType::get({1}, b.getI32Type()), pair);
    regs.push_back(vector::ExtractOp::create(b, loc, w, ArrayRef<int64_t>{0}));
  }
  return regs;
}

/// Element [b, j, h, k] of concat(prev, cur) along time (j < P: prev).
Value loadConcat(OpBuilder &b, Location loc, const Operands &o, Value prev,
                 Value cur, Value bi, Value j, Value h, Value k) {
  if (!prev)
    return loadF32(b, loc, cur, {bi, j, h, k});
  return buildIfElse(
      b, loc, ult(b, loc, j, o.cache), b.getF32Type(),
      [&](OpBuilder &b, Location loc) {
        return loadF32(b, loc, prev, {bi, j, h, k});
      },
      [&](OpBuilder &b, Location loc) {
        return loadF32(b, loc, cur, {bi, subIdx(b, loc, j, o.cache), h, k});
      });
}

/// `cond ? loadConcat(...) : 0`, loading only when `cond` holds.
Value loadConcatOrZero(OpBuilder &b, Location loc, Value cond,
                       const Operands &o, Value prev, Value cur, Value bi,
                       Value j, Value h, Value k) {
  return buildIfElse(
      b, loc, cond, b.getF32Type(),
      [&](OpBuilder &b, Location loc) {
        return loadConcat(b, loc, o, prev, cur, bi, j, h, k);
      },
      [&](OpBuilder &b, Location loc) { return cstF32(b, loc, 0.0); });
}

/// Kernel 1: W[b, h, r, j] = c * qb[b, r0 + r, h, :] . K[b, j, h, :] for
/// the strip's rows r and the keys j row r sees. Grid (key tiles, row tiles
/// x Hb, B); a block whose keys no row of its row tile sees does nothing.
void buildLogits(OpBuilder &b, Location loc, const Operands &o,
                 const Strip &strip) {
  Value grid[] = {maxIndex(b, loc, ceilDiv(b, loc, strip.keys, cst(b, loc, kKeyTile)),
                           cst(b, loc, 1)),
                  mulIdx(b, loc, ceilDiv(b, loc, strip.rows, cst(b, loc, kChunk)),
                         o.heads),
                  o.batch};
  Value block[] = {cst(b, loc, kThreads)};
  Type f32 = b.getF32Type();
  // k-major tiles, padded against bank conflicts on the transposed stores.
  MemRefType qTile = workgroupMemRefType({kDepth, kChunk + 4}, f32);
  MemRefType kTile = workgroupMemRefType({kDepth, kKeyTile + 4}, f32);
  buildLaunch(
      b, loc, grid, block, {qTile, kTile},
      [&](OpBuilder &b, Location loc, const LaunchIds &ids) {
        Value qs = ids.workgroup[0], ks = ids.workgroup[1];
        Value tid = ids.threadId[0];
        Value h = remIdx(b, loc, ids.blockId[1], o.heads), bi = ids.blockId[2];
        RowTile rt = rowTile(b, loc, strip, divIdx(b, loc, ids.blockId[1], o.heads));
        Value j0 = mulIdx(b, loc, ids.blockId[0], cst(b, loc, kKeyTile));
        Value chunkRows = rt.rows, keys = rt.keys;
        Value r0 = addIdx(b, loc, strip.r0, rt.base);
        buildIf(b, loc, ult(b, loc, j0, keys), [&](OpBuilder &b, Location loc) {
        Value tx = arith::RemUIOp::create(b, loc, tid, cst(b, loc, 16));
        Value ty = arith::DivUIOp::create(b, loc, tid, cst(b, loc, 16));
        // Thread (ty, tx) owns rows ty + 16 i and keys tx + 16 j, i, j < 4.
        constexpr int64_t kPer = 4;
        Value zero = cstF32(b, loc, 0.0);
        SmallVector<Value> init(kPer * kPer, zero);
        auto loop = scf::ForOp::create(
            b, loc, cst(b, loc, 0), o.dk, cst(b, loc, kDepth), init,
            [&](OpBuilder &b, Location loc, Value k0, ValueRange acc) {
              // Stage Q[0:64, k0:k0+16] and K[j0:j0+64, k0:k0+16]: 1024
              // elements each, 4 per thread, 16 consecutive k per row.
              for (int64_t m = 0; m < (kChunk * kDepth) / kThreads; ++m) {
                Value e = addIdx(b, loc, tid, cst(b, loc, m * kThreads));
                Value row = arith::DivUIOp::create(b, loc, e, cst(b, loc, kDepth));
                Value kk = arith::RemUIOp::create(b, loc, e, cst(b, loc, kDepth));
                Value k = addIdx(b, loc, k0, kk);
                Value kIn = ult(b, loc, k, o.dk);
                Value q = loadF32OrZero(
                    b, loc, andI1(b, loc, kIn, ult(b, loc, row, chunkRows)),
                    o.qb, {bi, addIdx(b, loc, r0, row), h, k});
                memref::StoreOp::create(b, loc, q, qs, ValueRange{kk, row});
                Value j = addIdx(b, loc, j0, row);
                Value kv = loadConcatOrZero(
                    b, loc, andI1(b, loc, kIn, ult(b, loc, j, keys)), o,
                    o.kbPrev, o.kb, bi, j, h, k);
                memref::StoreOp::create(b, loc, kv, ks, ValueRange{kk, row});
              }
              barrier(b, loc);
              auto inner = scf::ForOp::create(
                  b, loc, cst(b, loc, 0), cst(b, loc, kDepth), cst(b, loc, 1),
                  acc,
                  [&](OpBuilder &b, Location loc, Value kk, ValueRange acc) {
                    SmallVector<Value> qv, kv;
                    for (int64_t i = 0; i < kPer; ++i) {
                      qv.push_back(memref::LoadOp::create(
                          b, loc, qs,
                          ValueRange{kk, addIdx(b, loc, ty,
                                                cst(b, loc, 16 * i))}));
                      kv.push_back(memref::LoadOp::create(
                          b, loc, ks,
                          ValueRange{kk, addIdx(b, loc, tx,
                                                cst(b, loc, 16 * i))}));
                    }
                    SmallVector<Value> next;
                    for (int64_t i = 0; i < kPer; ++i)
                      for (int64_t jj = 0; jj < kPer; ++jj)
                        next.push_back(math::FmaOp::create(
                            b, loc, qv[i], kv[jj], acc[i * kPer + jj]));
                    scf::YieldOp::create(b, loc, next);
                  });
              barrier(b, loc);
              scf::YieldOp::create(b, loc, inner.getResults());
            });
        Value scale = cstF32(b, loc, o.scale);
        for (int64_t i = 0; i < kPer; ++i)
          for (int64_t jj = 0; jj < kPer; ++jj) {
            Value row = addIdx(b, loc, ty, cst(b, loc, 16 * i));
            Value j = addIdx(b, loc, j0, addIdx(b, loc, tx, cst(b, loc, 16 * jj)));
            buildIf(b, loc,
                    andI1(b, loc, ult(b, loc, row, chunkRows),
                          ult(b, loc, j, keys)),
                    [&](OpBuilder &b, Location loc) {
                      Value v = arith::MulFOp::create(
                          b, loc, loop.getResult(i * kPer + jj), scale);
                      memref::StoreOp::create(
                          b, loc, v, o.work,
                          ValueRange{bi, h, addIdx(b, loc, rt.base, row), j});
                    });
          }
        });
      });
}

//===----------------------------------------------------------------------===//
// Tensor-core path (bf16/f16 storage): mma.sync m16n8k16, f32 accumulators.
// Fragments (PTX ISA, m16n8k16 .row.col), g = lane / 4, q = lane % 4:
//   A (16 x 16): a0 = (g, 2q..2q+1), a1 = (g + 8, 2q..), a2 = (g, 2q + 8..),
//                a3 = (g + 8, 2q + 8..), each i32 = two 16-bit elements
//   B (16 x 8):  b0 = (k = 2q..2q+1, n = g), b1 = (k = 2q + 8.., n = g)
//   C (16 x 8):  c0, c1 = (g, 2q), (g, 2q + 1); c2, c3 = (g + 8, 2q..)
// Shared tiles hold element pairs along k packed in i32, rows padded to 20
// words (conflict-free fragment loads, 16-byte aligned rows).
//===----------------------------------------------------------------------===//

/// D = A B + C on one 16 x 8 x 16 tile; returns the 4 accumulator values.
SmallVector<Value> mma(OpBuilder &b, Location loc, ArrayRef<Value> a,
                       ArrayRef<Value> bv, ArrayRef<Value> c, Type type) {
  Type f32 = b.getF32Type();
  auto resultType =
      LLVM::LLVMStructType::getLiteral(b.getContext(), {f32, f32, f32, f32});
  NVVM::MMATypes t =
      type.isBF16() ? NVVM::MMATypes::bf16 : NVVM::MMATypes::f16;
  // bf16 operands travel as i32; f16 ones as vector<2xf16>.
  SmallVector<Value> av(a.begin(), a.end()), bw(bv.begin(), bv.end());
  if (!type.isBF16()) {
    auto v2 = VectorType::get({2}, type);
    for (Value &x : av)
      x = LLVM::BitcastOp::create(b, loc, v2, x);
    for (Value &x : bw)
      x = LLVM::BitcastOp::create(b, loc, v2, x);
  }
  auto op = NVVM::MmaOp::create(
      b, loc, resultType, av, bw, c, ArrayRef<int64_t>{16, 8, 16},
      std::nullopt, std::nullopt, std::array<NVVM::MMATypes, 2>{t, t},
      std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                      NVVM::MMALayout::col});
  SmallVector<Value> out;
  for (int64_t i = 0; i < 4; ++i)
    out.push_back(LLVM::ExtractValueOp::create(b, loc, op.getRes(), i));
  return out;
}

/// Kernel 1 on tensor cores: 256 threads, warp w computes rows
/// 16 (w % 4) .. + 16 and keys 32 (w / 4) .. + 32 of the 64 x 64 tile. dk is
/// staged 32 at a time through a 4-stage cp.async pipeline (16-byte copies:
/// requires dk % 8 == 0); rows and dk past the end are zero-filled.
void buildLogitsMma(OpBuilder &b, Location loc, const Operands &o,
                    const Strip &strip, Type et, int64_t mRows) {
  const GemmConfig cfg = gemmConfig();
  const int64_t kMmaDepth = cfg.depth, kLogitStages = cfg.stages;
  const int64_t kRowElems = kMmaDepth + 8; // 16-bit elements per shared row
  const int64_t keyTile = cfg.n;
  const int64_t cpr = kMmaDepth / 8;       // 16-byte copies per staged row
  const int64_t rpp = kThreads / cpr;      // rows staged per copy pass
  const int64_t mTiles = mRows / 64; // m-tiles of 16 rows per warp
  Value grid[] = {maxIndex(b, loc, ceilDiv(b, loc, strip.keys, cst(b, loc, keyTile)),
                           cst(b, loc, 1)),
                  mulIdx(b, loc, ceilDiv(b, loc, strip.rows, cst(b, loc, mRows)),
                         o.heads),
                  o.batch};
  Value block[] = {cst(b, loc, kThreads)};
  MemRefType qTile = workgroupMemRefType({kLogitStages, mRows, kRowElems}, et);
  MemRefType kTile = workgroupMemRefType({kLogitStages, keyTile, kRowElems}, et);
  Value poolBytes = arith::ConstantOp::create(
      b, loc, b.getI32IntegerAttr(staticBytes(qTile) + staticBytes(kTile)));
  buildLaunch(
      b, loc, grid, block, {},
      [&](OpBuilder &b, Location loc, const LaunchIds &ids) {
        Value qs = sharedView(b, loc, ids.dynamicShared, 0, qTile);
        Value ks = sharedView(b, loc, ids.dynamicShared, staticBytes(qTile), kTile);
        Value tid = ids.threadId[0];
        Value h = remIdx(b, loc, ids.blockId[1], o.heads), bi = ids.blockId[2];
        RowTile rt = rowTile(b, loc, strip, divIdx(b, loc, ids.blockId[1], o.heads),
                             mRows);
        Value j0 = mulIdx(b, loc, ids.blockId[0], cst(b, loc, keyTile));
        Value chunkRows = rt.rows, keys = rt.keys;
        Value r0 = addIdx(b, loc, strip.r0, rt.base);
        buildIf(b, loc, ult(b, loc, j0, keys), [&](OpBuilder &b, Location loc) {
        Value lane = arith::RemUIOp::create(b, loc, tid, cst(b, loc, 32));
        Value warp = arith::DivUIOp::create(b, loc, tid, cst(b, loc, 32));
        Value g = arith::DivUIOp::create(b, loc, lane, cst(b, loc, 4));
        Value q = arith::RemUIOp::create(b, loc, lane, cst(b, loc, 4));
        Value rw = mulIdx(b, loc, arith::RemUIOp::create(b, loc, warp, cst(b, loc, 4)),
                          cst(b, loc, 16 * mTiles));
        Value kw = mulIdx(b, loc, arith::DivUIOp::create(b, loc, warp, cst(b, loc, 4)),
                          cst(b, loc, keyTile / 2));
        // Copies: thread -> (rows tid / cpr + rpp i, 8 elements at 8 (tid %
        // cpr)).
        Value srow = arith::DivUIOp::create(b, loc, tid, cst(b, loc, cpr));
        Value scol = mulIdx(b, loc, arith::RemUIOp::create(b, loc, tid, cst(b, loc, cpr)),
                            cst(b, loc, 8));
        Value lastRow = subIdx(b, loc, o.rows, cst(b, loc, 1));
        Value lastK = subIdx(b, loc, o.dk, cst(b, loc, 8));
        Value eight = cst(b, loc, 8), zero = cst(b, loc, 0);
        SmallVector<Value> qRowIn, qt, qRow;
        for (int64_t i = 0; i < mRows / rpp; ++i) {
          Value r = addIdx(b, loc, srow, cst(b, loc, rpp * i));
          qRow.push_back(r);
          qRowIn.push_back(ult(b, loc, r, chunkRows));
          qt.push_back(minIndex(b, loc, addIdx(b, loc, r0, r), lastRow));
        }
        SmallVector<Value> kRow, sjs, keyIns;
        for (int64_t i = 0; i < keyTile / rpp; ++i) {
          Value r = addIdx(b, loc, srow, cst(b, loc, rpp * i));
          kRow.push_back(r);
          sjs.push_back(addIdx(b, loc, j0, r));
          keyIns.push_back(ult(b, loc, sjs.back(), keys));
        }
        auto issue = [&](OpBuilder &b, Location loc, Value it, Value st) {
          Value k = addIdx(b, loc, mulIdx(b, loc, it, cst(b, loc, kMmaDepth)), scol);
          Value kIn = ult(b, loc, k, o.dk);
          Value kc = minIndex(b, loc, k, lastK);
          auto n = [&](Value cond) {
            return arith::SelectOp::create(b, loc, cond, eight, zero).getResult();
          };
          for (size_t i = 0; i < qRow.size(); ++i)
            asyncCopy16(b, loc, qs, {st, qRow[i], scol}, o.qb, {bi, qt[i], h, kc},
                        n(andI1(b, loc, kIn, qRowIn[i])));
          for (size_t i = 0; i < kRow.size(); ++i) {
            Value sj = sjs[i], srow = kRow[i], keyIn = keyIns[i];
            auto fromCur = [&](OpBuilder &b, Location loc) {
              Value jc = minIndex(
                  b, loc, subIdx(b, loc, maxIndex(b, loc, sj, o.cache), o.cache),
                  lastRow);
              asyncCopy16(b, loc, ks, {st, srow, scol}, o.kb, {bi, jc, h, kc},
                          n(andI1(b, loc, kIn, keyIn)));
            };
            if (!o.kbPrev) {
              fromCur(b, loc);
              continue;
            }
            scf::IfOp::create(
                b, loc, ult(b, loc, sj, o.cache),
                [&](OpBuilder &b, Location loc) {
                  asyncCopy16(b, loc, ks, {st, srow, scol}, o.kbPrev,
                              {bi, sj, h, kc}, n(kIn));
                  scf::YieldOp::create(b, loc);
                },
                [&](OpBuilder &b, Location loc) {
                  fromCur(b, loc);
                  scf::YieldOp::create(b, loc);
                });
          }
        };
        const int64_t kTiles = keyTile / 16; // n-tiles of 8 keys per warp
        // ldmatrix row addresses: A (16 x 16 of Q) lane -> row rw + lane %
        // 16, columns + 8 (lane / 16); B (two n-tiles of K) lane -> key
        // kw + lane % 8 + 8 (lane / 16), columns + 8 ((lane / 8) % 2).
        Value aRow = addIdx(b, loc, rw, remIdx(b, loc, lane, cst(b, loc, 16)));
        Value aCol = mulIdx(b, loc, divIdx(b, loc, lane, cst(b, loc, 16)), eight);
        Value bKey = addIdx(
            b, loc, kw,
            addIdx(b, loc, remIdx(b, loc, lane, eight),
                   mulIdx(b, loc, divIdx(b, loc, lane, cst(b, loc, 16)), eight)));
        Value bCol = mulIdx(
            b, loc, remIdx(b, loc, divIdx(b, loc, lane, eight), cst(b, loc, 2)),
            eight);
        SmallVector<Value> init(mTiles * kTiles * 4, cstF32(b, loc, 0.0));
        SmallVector<Value> acc = buildAsyncPipeline(
            b, loc, ceilDiv(b, loc, o.dk, cst(b, loc, kMmaDepth)), kLogitStages,
            init, issue,
            [&](OpBuilder &b, Location loc, Value, Value st, ValueRange acc) {
              SmallVector<Value> c(acc.begin(), acc.end());
              for (int64_t kk = 0; kk < kMmaDepth / 16; ++kk) {
                Value kOff = cst(b, loc, kk * 16);
                SmallVector<SmallVector<Value>> as;
                for (int64_t mt = 0; mt < mTiles; ++mt)
                  as.push_back(ldmatrixX4(
                      b, loc, qs,
                      {st, addIdx(b, loc, aRow, cst(b, loc, 16 * mt)),
                       addIdx(b, loc, aCol, kOff)},
                      false));
                for (int64_t np = 0; np < kTiles / 2; ++np) {
                  // Keys of n-tiles 2 np and 2 np + 1: b0, b1 of each.
                  SmallVector<Value> r = ldmatrixX4(
                      b, loc, ks,
                      {st, addIdx(b, loc, bKey, cst(b, loc, np * 16)),
                       addIdx(b, loc, bCol, kOff)},
                      false);
                  for (int64_t half = 0; half < 2; ++half)
                    for (int64_t mt = 0; mt < mTiles; ++mt) {
                      int64_t t = mt * kTiles + 2 * np + half;
                      SmallVector<Value> bv = {r[2 * half], r[2 * half + 1]};
                      SmallVector<Value> d =
                          mma(b, loc, as[mt], bv, ArrayRef<Value>(c).slice(t * 4, 4), et);
                      for (int64_t e = 0; e < 4; ++e)
                        c[t * 4 + e] = d[e];
                    }
                }
              }
              return c;
            });
        Value scale = cstF32(b, loc, o.scale);
        for (int64_t mt = 0; mt < mTiles; ++mt)
        for (int64_t nt = 0; nt < kTiles; ++nt)
          for (int64_t e = 0; e < 4; ++e) {
            Value row = addIdx(b, loc, addIdx(b, loc, rw, g),
                               cst(b, loc, 16 * mt + (e >= 2 ? 8 : 0)));
            Value j = addIdx(
                b, loc, j0,
                addIdx(b, loc, kw,
                       addIdx(b, loc, mulIdx(b, loc, q, cst(b, loc, 2)),
                              cst(b, loc, nt * 8 + (e & 1)))));
            buildIf(b, loc,
                    andI1(b, loc, ult(b, loc, row, chunkRows), ult(b, loc, j, keys)),
                    [&](OpBuilder &b, Location loc) {
                      Value v = arith::MulFOp::create(
                          b, loc, acc[(mt * kTiles + nt) * 4 + e], scale);
                      memref::StoreOp::create(
                          b, loc, v, o.work,
                          ValueRange{bi, h, addIdx(b, loc, rt.base, row), j});
                    });
          }
        });
      },
      poolBytes);
}

/// Block-wide reduction of one f32 per thread (sum or max) through the
/// `kWarps`-element workgroup buffer `scratch`; every thread gets the result.
Value blockReduce(OpBuilder &b, Location loc, Value value, Value scratch,
                  Value tid, bool isMax) {
  value = isMax ? warpReduceMax(b, loc, value) : warpReduceSum(b, loc, value);
  Value lane = arith::RemUIOp::create(b, loc, tid, cst(b, loc, 32));
  Value warp = arith::DivUIOp::create(b, loc, tid, cst(b, loc, 32));
  buildIf(b, loc,
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, lane,
                                cst(b, loc, 0)),
          [&](OpBuilder &b, Location loc) {
            memref::StoreOp::create(b, loc, value, scratch, ValueRange{warp});
          });
  barrier(b, loc);
  Value total = memref::LoadOp::create(b, loc, scratch, ValueRange{cst(b, loc, 0)});
  for (int64_t w = 1; w < kWarps; ++w) {
    Value v = memref::LoadOp::create(b, loc, scratch, ValueRange{cst(b, loc, w)});
    total = isMax ? arith::MaximumFOp::create(b, loc, total, v).getResult()
                  : arith::AddFOp::create(b, loc, total, v).getResult();
  }
  barrier(b, loc); // scratch may be reused right after
  return total;
}

/// Kernel 2: row softmax over the visible keys, times gamma: the keys
/// before the strip into `prob` (16-bit for the tensor cores, else in place
/// in W), the strip's own keys into the f32 `diag` buffer.
void buildSoftmax(OpBuilder &b, Location loc, const Operands &o,
                  const Strip &strip, Value wScale) {
  Value r0 = strip.r0, keys = strip.keys, solved = strip.solved;
  Value grid[] = {strip.rows, o.heads, o.batch};
  Value block[] = {cst(b, loc, kThreads)};
  Type f32 = b.getF32Type();
  MemRefType scratchType = workgroupMemRefType({kWarps}, f32);
  buildLaunch(
      b, loc, grid, block, {scratchType},
      [&](OpBuilder &b, Location loc, const LaunchIds &ids) {
        Value scratch = ids.workgroup[0];
        Value tid = ids.threadId[0];
        Value row = ids.blockId[0], h = ids.blockId[1], bi = ids.blockId[2];
        Value visible = addIdx(b, loc, addIdx(b, loc, o.cache, r0), row);
        Value step = cst(b, loc, kThreads);
        Value negInf =
            cstF32(b, loc, -std::numeric_limits<double>::infinity());
        // W times wScale (1, or the scale when the logits kernel left
        // it out).
        auto loadW = [&](OpBuilder &b, Location loc, Value j) -> Value {
          Value x = memref::LoadOp::create(b, loc, o.work,
                                           ValueRange{bi, h, row, j});
          return arith::MulFOp::create(b, loc, x, wScale);
        };
        auto maxLoop = scf::ForOp::create(
            b, loc, tid, visible, step, ValueRange{negInf},
            [&](OpBuilder &b, Location loc, Value j, ValueRange acc) {
              Value x = loadW(b, loc, j);
              scf::YieldOp::create(
                  b, loc,
                  ValueRange{arith::MaximumFOp::create(b, loc, acc[0], x)});
            });
        Value rowMax =
            blockReduce(b, loc, maxLoop.getResult(0), scratch, tid, true);
        // Empty rows: max = -inf; use 0 so no inf - inf appears (the sum
        // loop is empty there anyway).
        Value isInf = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ,
                                            rowMax, negInf);
        rowMax = arith::SelectOp::create(b, loc, isInf, cstF32(b, loc, 0.0),
                                         rowMax);
        auto sumLoop = scf::ForOp::create(
            b, loc, tid, visible, step, ValueRange{cstF32(b, loc, 0.0)},
            [&](OpBuilder &b, Location loc, Value j, ValueRange acc) {
              Value x = loadW(b, loc, j);
              Value e = math::ExpOp::create(
                  b, loc, arith::SubFOp::create(b, loc, x, rowMax));
              scf::YieldOp::create(
                  b, loc, ValueRange{arith::AddFOp::create(b, loc, acc[0], e)});
            });
        Value rowSum =
            blockReduce(b, loc, sumLoop.getResult(0), scratch, tid, false);
        Value gamma =
            loadF32(b, loc, o.gamma, {bi, addIdx(b, loc, r0, row), h});
        // gamma / sum (a visible row has sum >= 1; an empty row never uses it).
        Value factor = arith::DivFOp::create(
            b, loc, gamma,
            arith::MaximumFOp::create(b, loc, rowSum, cstF32(b, loc, 1.0)));
        // With 16-bit `prob` in W's memory (each prob row in the first
        // half of its W row), the block's writes of keys [256 i, 256 i +
        // 256) land on W keys [128 i, 128 i + 128), read in step i (i = 0)
        // or earlier: a uniform loop with a barrier between the step's
        // reads and writes keeps every W value read before it is
        // overwritten.
        Value iters = ceilDiv(b, loc, keys, step);
        buildFor(b, loc, cst(b, loc, 0), iters, cst(b, loc, 1),
                 [&](OpBuilder &b, Location loc, Value it) {
          Value j = addIdx(b, loc, mulIdx(b, loc, it, step), tid);
          Value inRange = ult(b, loc, j, visible);
          Value w = buildIfElse(
              b, loc, inRange, f32,
              [&](OpBuilder &b, Location loc) {
                Value x = loadW(b, loc, j);
                Value e = math::ExpOp::create(
                    b, loc, arith::SubFOp::create(b, loc, x, rowMax));
                return arith::MulFOp::create(b, loc, e, factor).getResult();
              },
              [&](OpBuilder &b, Location loc) { return cstF32(b, loc, 0.0); });
          if (o.probInWork)
            barrier(b, loc);
          buildIf(b, loc, ult(b, loc, j, keys), [&](OpBuilder &b, Location loc) {
          scf::IfOp::create(
              b, loc, ult(b, loc, j, solved),
              [&](OpBuilder &b, Location loc) {
                storeF32(b, loc, w, o.prob, {bi, h, row, j});
                scf::YieldOp::create(b, loc);
              },
              [&](OpBuilder &b, Location loc) {
                Value jd = subIdx(b, loc, j, solved);
                memref::StoreOp::create(b, loc, w, o.diag,
                                        ValueRange{bi, h, row, jd});
                if (o.diag16)
                  storeF32(b, loc, w, o.diag16, {bi, h, row, jd});
                scf::YieldOp::create(b, loc);
              });
          });
        });
      });
}

/// The key range of split `split`: [begin, end) with begin = split *
/// perSplit, end = min(begin + perSplit, solved).
std::pair<Value, Value> splitRange(OpBuilder &b, Location loc, Value split,
                                   Value perSplit, Value solved) {
  Value begin = mulIdx(b, loc, split, perSplit);
  Value end = minIndex(b, loc, addIdx(b, loc, begin, perSplit), solved);
  end = maxIndex(b, loc, end, begin);
  return {begin, end};
}

/// Kernel 3 on tensor cores: partial[split, b, h, rows of the tile] =
/// prob[b, h, rows, keys of the split] @ S[keys of the split, 64 columns]
/// for each 64-row tile of the strip. Grid (ceil(dv / 64), row tiles x
/// splits, B * Hb), 256 threads; warp w computes rows 16 (w % 4) .. + 16 and
/// columns 32 (w / 4) .. + 32 (4 n-tiles), 32 keys per step through a
/// 4-stage cp.async pipeline: the probabilities (16-bit, rows padded to 8
/// keys) as [64][40], S as [32 keys][72] (requires dv % 8 == 0). Rows past
/// the chunk and keys past the split are zero-filled, so every element of
/// the block's 64 x 64 partial tile is written.

void buildInverseBlock(OpBuilder &b, Location loc, const Operands &o,
                       const Strip &strip, Value pool, Value tid, Value bi,
                       Value h, int64_t invChunks);

void buildRhsPartialMma(OpBuilder &b, Location loc, const Operands &o,
                        const Strip &strip, Value splits, Value perSplit,
                        Type et, int64_t mRows, bool withInverse) {
  const GemmConfig cfg = gemmConfig();
  const int64_t kPartCols = cfg.n, kPartStages = cfg.stages;
  const int64_t kSolveKeys = cfg.depth;     // keys staged per step
  const int64_t kPRow = kSolveKeys + 8; // 16-bit per staged W row
  const int64_t kSRow = kPartCols + 8;  // 16-bit per staged S row
  const int64_t cpr = kSolveKeys / 8;   // W copies per row
  const int64_t rpp = kThreads / cpr;   // W rows per copy pass
  const int64_t spr = kPartCols / 8;    // S copies per key
  const int64_t kpp = kThreads / spr;   // S keys per copy pass
  const int64_t mTiles = mRows / 64; // m-tiles of 16 rows per warp
  Value solved = strip.solved;
  Value colTiles = ceilDiv(b, loc, o.dv, cst(b, loc, kPartCols));
  // With `withInverse`, a strip of more than one row gets one more column
  // of blocks: those of row 0 compute X_c = (I - L_c)^-1 for their (b, h)
  // (at most 4 chunks, 64 threads each) into INV, under the products.
  Value gridX = colTiles;
  if (withInverse)
    gridX = addIdx(b, loc, colTiles,
                   arith::SelectOp::create(b, loc,
                                           ult(b, loc, cst(b, loc, 1), strip.rows),
                                           cst(b, loc, 1), cst(b, loc, 0)));
  Value grid[] = {gridX,
                  mulIdx(b, loc, ceilDiv(b, loc, strip.rows, cst(b, loc, mRows)),
                         splits),
                  mulIdx(b, loc, o.batch, o.heads)};
  Value block[] = {cst(b, loc, kThreads)};
  auto wType = workgroupMemRefType({kPartStages, mRows, kPRow}, et);
  auto sType = workgroupMemRefType({kPartStages, kSolveKeys, kSRow}, et);
  // A strip of more than 64 rows (128-row blocks) has up to 4 chunks.
  const int64_t invChunks = mRows > kChunk ? kStrip / kChunk : 1;
  int64_t gemmBytes = staticBytes(wType) + staticBytes(sType);
  int64_t invBytes = invChunks * kChunk * kARow * 4;
  Value poolBytes = arith::ConstantOp::create(
      b, loc,
      b.getI32IntegerAttr(withInverse ? std::max(gemmBytes, invBytes) : gemmBytes));
  auto gemmBody = [&](OpBuilder &b, Location loc, const LaunchIds &ids) {
        Value ws = sharedView(b, loc, ids.dynamicShared, 0, wType);
        Value ss = sharedView(b, loc, ids.dynamicShared, staticBytes(wType),
                              sType);
        Value tid = ids.threadId[0];
        Value split = remIdx(b, loc, ids.blockId[1], splits);
        RowTile rt = rowTile(b, loc, strip, divIdx(b, loc, ids.blockId[1], splits),
                             mRows);
        Value chunkRows = rt.rows;
        Value bi = arith::DivUIOp::create(b, loc, ids.blockId[2], o.heads);
        Value h = arith::RemUIOp::create(b, loc, ids.blockId[2], o.heads);
        std::pair<Value, Value> range = splitRange(b, loc, split, perSplit, solved);
        Value kBegin = range.first, kEnd = range.second;
        Value colBase = mulIdx(b, loc, ids.blockId[0], cst(b, loc, kPartCols));
        Value lane = arith::RemUIOp::create(b, loc, tid, cst(b, loc, 32));
        Value warp = arith::DivUIOp::create(b, loc, tid, cst(b, loc, 32));
        Value g = arith::DivUIOp::create(b, loc, lane, cst(b, loc, 4));
        Value q = arith::RemUIOp::create(b, loc, lane, cst(b, loc, 4));
        Value rw = mulIdx(b, loc, arith::RemUIOp::create(b, loc, warp, cst(b, loc, 4)),
                          cst(b, loc, 16 * mTiles));
        Value cw = mulIdx(b, loc, arith::DivUIOp::create(b, loc, warp, cst(b, loc, 4)),
                          cst(b, loc, kPartCols / 2));
        Value zero = cst(b, loc, 0);
        Value lastRow = subIdx(b, loc, o.rows, cst(b, loc, 1));
        auto clampCount = [&](OpBuilder &b, Location loc, Value avail, int64_t n) {
          // min(max(avail, 0), n) for a signed difference held in an index.
          Value pos = arith::MaxSIOp::create(b, loc, avail, zero);
          return arith::MinSIOp::create(b, loc, pos, cst(b, loc, n)).getResult();
        };
        // W copies: row tid / 4, 8 keys at 8 (tid % 4); S copies: key
        // tid / 8, 8 columns at 8 (tid % 8). One of each per thread.
        Value wr = arith::DivUIOp::create(b, loc, tid, cst(b, loc, cpr));
        Value wc = mulIdx(b, loc, arith::RemUIOp::create(b, loc, tid, cst(b, loc, cpr)),
                          cst(b, loc, 8));
        // Rows wr + rpp i of the tile; buffer rows clamped inside Rpad (the
        // rows past the strip copy nothing).
        SmallVector<Value> wRow, wRowIn, wBufRow;
        for (int64_t i = 0; i < mRows / rpp; ++i) {
          Value r = addIdx(b, loc, wr, cst(b, loc, rpp * i));
          wRow.push_back(r);
          wRowIn.push_back(ult(b, loc, r, chunkRows));
          wBufRow.push_back(minIndex(b, loc, addIdx(b, loc, rt.base, r),
                                     subIdx(b, loc, o.stripPad, cst(b, loc, 1))));
        }
        Value sk0 = arith::DivUIOp::create(b, loc, tid, cst(b, loc, spr));
        Value sc = mulIdx(b, loc, arith::RemUIOp::create(b, loc, tid, cst(b, loc, spr)),
                          cst(b, loc, 8));
        Value col = addIdx(b, loc, colBase, sc);
        Value colCount = clampCount(b, loc, subIdx(b, loc, o.dv, col), 8);
        Value colc = minIndex(b, loc, col, subIdx(b, loc, o.dv, cst(b, loc, 8)));
        Value lastKey = subIdx(b, loc, o.keysTotal, cst(b, loc, 8));
        auto issue = [&](OpBuilder &b, Location loc, Value it, Value st) {
          Value j0 = addIdx(b, loc, kBegin, mulIdx(b, loc, it, cst(b, loc, kSolveKeys)));
          Value j = addIdx(b, loc, j0, wc);
          Value n = clampCount(b, loc, subIdx(b, loc, kEnd, j), 8);
          for (size_t i = 0; i < wRow.size(); ++i)
            asyncCopy16(b, loc, ws, {st, wRow[i], wc}, o.prob,
                        {bi, h, wBufRow[i], minIndex(b, loc, j, lastKey)},
                        arith::SelectOp::create(b, loc, wRowIn[i], n, zero));
          for (int64_t p = 0; p < kSolveKeys / kpp; ++p) {
            Value sk = addIdx(b, loc, sk0, cst(b, loc, kpp * p));
            Value js = addIdx(b, loc, j0, sk);
            Value ns = arith::SelectOp::create(b, loc, ult(b, loc, js, kEnd),
                                               colCount, zero);
            auto fromCur = [&](OpBuilder &b, Location loc) {
              Value jc = minIndex(
                  b, loc, subIdx(b, loc, maxIndex(b, loc, js, o.cache), o.cache),
                  lastRow);
              asyncCopy16(b, loc, ss, {st, sk, sc}, o.s, {bi, jc, h, colc}, ns);
            };
            if (!o.sPrev) {
              fromCur(b, loc);
              continue;
            }
            scf::IfOp::create(
                b, loc, ult(b, loc, js, o.cache),
                [&](OpBuilder &b, Location loc) {
                  asyncCopy16(b, loc, ss, {st, sk, sc}, o.sPrev,
                              {bi, js, h, colc}, ns);
                  scf::YieldOp::create(b, loc);
                },
                [&](OpBuilder &b, Location loc) {
                  fromCur(b, loc);
                  scf::YieldOp::create(b, loc);
                });
          }
        };
        const int64_t kTiles = kPartCols / 16;
        // ldmatrix row addresses: A (16 x 16 of W) lane -> row rw + lane %
        // 16, keys + 8 (lane / 16); B (.trans, 16 keys x two n-tiles of S)
        // lane -> key lane % 8 + 8 ((lane / 8) % 2), columns cw + 8 (lane / 16).
        Value eight8 = cst(b, loc, 8);
        Value aRow = addIdx(b, loc, rw, remIdx(b, loc, lane, cst(b, loc, 16)));
        Value aCol = mulIdx(b, loc, divIdx(b, loc, lane, cst(b, loc, 16)), eight8);
        Value bK = addIdx(
            b, loc, remIdx(b, loc, lane, eight8),
            mulIdx(b, loc, remIdx(b, loc, divIdx(b, loc, lane, eight8), cst(b, loc, 2)),
                   eight8));
        Value bN = addIdx(
            b, loc, cw, mulIdx(b, loc, divIdx(b, loc, lane, cst(b, loc, 16)), eight8));
        SmallVector<Value> init(mTiles * kTiles * 4, cstF32(b, loc, 0.0));
        Value iterations = ceilDiv(b, loc, subIdx(b, loc, kEnd, kBegin),
                                   cst(b, loc, kSolveKeys));
        SmallVector<Value> acc = buildAsyncPipeline(
            b, loc, iterations, kPartStages, init, issue,
            [&](OpBuilder &b, Location loc, Value, Value st, ValueRange acc) {
              SmallVector<Value> c(acc.begin(), acc.end());
              for (int64_t kk = 0; kk < kSolveKeys / 16; ++kk) {
                Value kOff = cst(b, loc, kk * 16);
                SmallVector<SmallVector<Value>> as;
                for (int64_t mt = 0; mt < mTiles; ++mt)
                  as.push_back(ldmatrixX4(
                      b, loc, ws,
                      {st, addIdx(b, loc, aRow, cst(b, loc, 16 * mt)),
                       addIdx(b, loc, aCol, kOff)},
                      false));
                for (int64_t np = 0; np < kTiles / 2; ++np) {
                  // S is stored k-major: ldmatrix.trans gives b0, b1 of
                  // n-tiles 2 np and 2 np + 1.
                  SmallVector<Value> r = ldmatrixX4(
                      b, loc, ss,
                      {st, addIdx(b, loc, bK, kOff),
                       addIdx(b, loc, bN, cst(b, loc, np * 16))},
                      true);
                  for (int64_t half = 0; half < 2; ++half)
                    for (int64_t mt = 0; mt < mTiles; ++mt) {
                      int64_t t = mt * kTiles + 2 * np + half;
                      SmallVector<Value> bv = {r[2 * half], r[2 * half + 1]};
                      SmallVector<Value> d =
                          mma(b, loc, as[mt], bv, ArrayRef<Value>(c).slice(t * 4, 4), et);
                      for (int64_t e = 0; e < 4; ++e)
                        c[t * 4 + e] = d[e];
                    }
                }
              }
              return c;
            });
        for (int64_t mt = 0; mt < mTiles; ++mt)
        for (int64_t nt = 0; nt < kTiles; ++nt)
          for (int64_t e = 0; e < 4; ++e) {
            Value row = addIdx(b, loc, addIdx(b, loc, rw, g),
                               cst(b, loc, 16 * mt + (e >= 2 ? 8 : 0)));
            Value c = addIdx(
                b, loc, colBase,
                addIdx(b, loc, cw,
                       addIdx(b, loc, mulIdx(b, loc, q, cst(b, loc, 2)),
                              cst(b, loc, nt * 8 + (e & 1)))));
            // Rows past the strip are zeros; those past Rpad are not stored.
            buildIf(b, loc,
                    andI1(b, loc, ult(b, loc, c, o.dv),
                          ult(b, loc, addIdx(b, loc, rt.base, row), o.stripPad)),
                    [&](OpBuilder &b, Location loc) {
              memref::StoreOp::create(
                  b, loc, acc[(mt * kTiles + nt) * 4 + e], o.partial,
                  ValueRange{split, bi, h, addIdx(b, loc, rt.base, row), c});
            });
          }
      };
  buildLaunch(
      b, loc, grid, block, {},
      [&](OpBuilder &b, Location loc, const LaunchIds &ids) {
        if (!withInverse) {
          gemmBody(b, loc, ids);
          return;
        }
        scf::IfOp::create(
            b, loc, ult(b, loc, ids.blockId[0], colTiles),
            [&](OpBuilder &b, Location loc) {
              gemmBody(b, loc, ids);
              scf::YieldOp::create(b, loc);
            },
            [&](OpBuilder &b, Location loc) {
              Value first = arith::CmpIOp::create(
                  b, loc, arith::CmpIPredicate::eq, ids.blockId[1], cst(b, loc, 0));
              buildIf(b, loc, first, [&](OpBuilder &b, Location loc) {
                Value bi = arith::DivUIOp::create(b, loc, ids.blockId[2], o.heads);
                Value h = arith::RemUIOp::create(b, loc, ids.blockId[2], o.heads);
                buildInverseBlock(b, loc, o, strip, ids.dynamicShared,
                                  ids.threadId[0], bi, h, invChunks);
              });
              scf::YieldOp::create(b, loc);
            });
      },
      poolBytes);
}

/// Kernel 3a, SIMT (f32 and the fallback): grid (ceil(dv / 32), splits,
/// B * Hb), 256 threads, 64 rows x 32 columns per block; W and S staged 32
/// keys at a time in shared memory; thread (warp, lane) owns rows warp + 8 i
/// of column `lane`.
constexpr int64_t kRowsPerThread = kChunk / kWarps; // 8

void buildRhsPartialSimt(OpBuilder &b, Location loc, const Operands &o,
                         const Strip &strip, Value splits, Value perSplit) {
  Value solved = strip.solved;
  Value grid[] = {ceilDiv(b, loc, o.dv, cst(b, loc, kColTile)),
                  mulIdx(b, loc, ceilDiv(b, loc, strip.rows, cst(b, loc, kChunk)),
                         splits),
                  mulIdx(b, loc, o.batch, o.heads)};
  Value block[] = {cst(b, loc, kThreads)};
  Type f32 = b.getF32Type();
  MemRefType wTile = workgroupMemRefType({kChunk, kSolveKeys + 1}, f32);
  MemRefType sTile = workgroupMemRefType({kSolveKeys, kColTile}, f32);
  buildLaunch(
      b, loc, grid, block, {wTile, sTile},
      [&](OpBuilder &b, Location loc, const LaunchIds &ids) {
        Value ws = ids.workgroup[0], ss = ids.workgroup[1];
        Value tid = ids.threadId[0];
        Value split = remIdx(b, loc, ids.blockId[1], splits);
        RowTile rt = rowTile(b, loc, strip, divIdx(b, loc, ids.blockId[1], splits));
        Value chunkRows = rt.rows;
        Value bi = arith::DivUIOp::create(b, loc, ids.blockId[2], o.heads);
        Value h = arith::RemUIOp::create(b, loc, ids.blockId[2], o.heads);
        std::pair<Value, Value> range = splitRange(b, loc, split, perSplit, solved);
        Value kBegin = range.first, kEnd = range.second;
        Value lane = arith::RemUIOp::create(b, loc, tid, cst(b, loc, 32));
        Value warp = arith::DivUIOp::create(b, loc, tid, cst(b, loc, 32));
        Value col = addIdx(b, loc, mulIdx(b, loc, ids.blockId[0],
                                          cst(b, loc, kColTile)),
                           lane);
        Value colIn = ult(b, loc, col, o.dv);
        SmallVector<Value> myRows;
        for (int64_t i = 0; i < kRowsPerThread; ++i)
          myRows.push_back(addIdx(b, loc, warp, cst(b, loc, kWarps * i)));
        SmallVector<Value> init(kRowsPerThread, cstF32(b, loc, 0.0));
        auto loop = scf::ForOp::create(
            b, loc, kBegin, kEnd, cst(b, loc, kSolveKeys), init,
            [&](OpBuilder &b, Location loc, Value j0, ValueRange acc) {
              // W[0:64, j0:j0+32]: 2048 elements, 8 per thread.
              for (int64_t m = 0; m < (kChunk * kSolveKeys) / kThreads; ++m) {
                Value e = addIdx(b, loc, tid, cst(b, loc, m * kThreads));
                Value r = arith::DivUIOp::create(b, loc, e, cst(b, loc, kSolveKeys));
                Value jj = arith::RemUIOp::create(b, loc, e, cst(b, loc, kSolveKeys));
                Value j = addIdx(b, loc, j0, jj);
                Value w = buildIfElse(
                    b, loc,
                    andI1(b, loc, ult(b, loc, r, chunkRows), ult(b, loc, j, kEnd)),
                    f32,
                    [&](OpBuilder &b, Location loc) {
                      return memref::LoadOp::create(
                                 b, loc, o.work,
                                 ValueRange{bi, h, addIdx(b, loc, rt.base, r), j})
                          .getResult();
                    },
                    [&](OpBuilder &b, Location loc) {
                      return cstF32(b, loc, 0.0);
                    });
                memref::StoreOp::create(b, loc, w, ws, ValueRange{r, jj});
              }
              // S[j0:j0+32, cols]: 1024 elements, 4 per thread.
              for (int64_t m = 0; m < (kSolveKeys * kColTile) / kThreads; ++m) {
                Value jj = addIdx(b, loc, warp, cst(b, loc, m * kWarps));
                Value j = addIdx(b, loc, j0, jj);
                Value v = loadConcatOrZero(
                    b, loc, andI1(b, loc, colIn, ult(b, loc, j, kEnd)), o,
                    o.sPrev, o.s, bi, j, h, col);
                memref::StoreOp::create(b, loc, v, ss, ValueRange{jj, lane});
              }
              barrier(b, loc);
              auto inner = scf::ForOp::create(
                  b, loc, cst(b, loc, 0), cst(b, loc, kSolveKeys),
                  cst(b, loc, 1), acc,
                  [&](OpBuilder &b, Location loc, Value jj, ValueRange acc) {
                    Value sv = memref::LoadOp::create(b, loc, ss,
                                                      ValueRange{jj, lane});
                    SmallVector<Value> next;
                    for (int64_t i = 0; i < kRowsPerThread; ++i) {
                      Value w = memref::LoadOp::create(
                          b, loc, ws, ValueRange{myRows[i], jj});
                      next.push_back(
                          math::FmaOp::create(b, loc, w, sv, acc[i]));
                    }
                    scf::YieldOp::create(b, loc, next);
                  });
              barrier(b, loc);
              scf::YieldOp::create(b, loc, inner.getResults());
            });
        buildIf(b, loc, colIn, [&](OpBuilder &b, Location loc) {
          for (int64_t i = 0; i < kRowsPerThread; ++i)
            memref::StoreOp::create(
                b, loc, loop.getResult(i), o.partial,
                ValueRange{split, bi, h, addIdx(b, loc, rt.base, myRows[i]), col});
        });
      });
}

/// A 64 x 64 f32 tile copied into shared memory `dst[stage]` (rows of
/// kARow f32) by 16-byte cp.async copies: 1024 copies, 1024 / `threads` per
/// thread;
/// `src(b, loc, r, k)` gives the source indices of tile element (r, k) and
/// `valid(b, loc, r)` the number of elements (0 or 4) read for row r.

void copyTile(OpBuilder &b, Location loc, Value tid, Value dst,
              ValueRange dstPrefix, Value src,
              llvm::function_ref<SmallVector<Value>(OpBuilder &, Location,
                                                    Value, Value)>
                  srcIndices,
              llvm::function_ref<Value(OpBuilder &, Location, Value)> valid,
              int64_t threads = kThreads) {
  for (int64_t m = 0; m < (kChunk * kChunk / 4) / threads; ++m) {
    Value e = addIdx(b, loc, tid, cst(b, loc, m * threads));
    Value r = divIdx(b, loc, e, cst(b, loc, kChunk / 4));
    Value k = mulIdx(b, loc, remIdx(b, loc, e, cst(b, loc, kChunk / 4)),
                     cst(b, loc, 4));
    SmallVector<Value> dstIdx(dstPrefix.begin(), dstPrefix.end());
    dstIdx.append({r, k});
    asyncCopy16(b, loc, dst, dstIdx, src, srcIndices(b, loc, r, k),
                valid(b, loc, r));
  }
}

/// acc[i] += sum_k A[row, k] * B[bRow0 + k, col0 + i] for k < 64, i < 4:
/// A a staged 64 x 64 tile (`aPrefix` selects the stage), B a shared
/// [*, 16] f32 buffer; 4-vector loads (A along k, B along the columns).
SmallVector<Value> tileProduct(OpBuilder &b, Location loc, Value a,
                               ValueRange aPrefix, Value row, Value bm,
                               Value bRow0, Value col0, ValueRange acc) {
  Type f32 = b.getF32Type();
  auto v4 = VectorType::get({4}, f32);
  SmallVector<Value> next(acc.begin(), acc.end());
  // Unrolled: constant offsets into shared memory, no loop overhead.
  for (int64_t k = 0; k < kChunk; k += 4) {
        Value k0 = cst(b, loc, k);
        SmallVector<Value> aIdx(aPrefix.begin(), aPrefix.end());
        aIdx.append({row, k0});
        Value av = vector::LoadOp::create(b, loc, v4, a, aIdx,
                                          /*nontemporal=*/false,
                                          llvm::MaybeAlign(16));
        for (int64_t kk = 0; kk < 4; ++kk) {
          Value ak = vector::ExtractOp::create(b, loc, av, ArrayRef<int64_t>{kk});
          Value bv = vector::LoadOp::create(
              b, loc, v4, bm,
              ValueRange{addIdx(b, loc, bRow0, addIdx(b, loc, k0, cst(b, loc, kk))),
                         col0},
              /*nontemporal=*/false, llvm::MaybeAlign(16));
          for (int64_t i = 0; i < 4; ++i) {
            Value be = vector::ExtractOp::create(b, loc, bv, ArrayRef<int64_t>{i});
            next[i] = math::FmaOp::create(b, loc, ak, be, next[i]);
          }
        }
  }
  return next;
}

/// The same product on tensor cores for 16-bit storage: acc (the 16 x 8
/// mma accumulator tile of the warp) += A[stage][mRow-tile, 0:64] @
/// B[bRow0 + 0:64, n-tile], both f32 in shared memory, rounded to `et` as
/// mma operands (m16n8k16, f32 accumulation): a0..a3 at rows mRow (+8),
/// columns aCol (+8) of each k16 step; b0, b1 at rows bRow (+8), column bCol.
SmallVector<Value> tileProductMma(OpBuilder &b, Location loc, Value a,
                                  Value stage, Value bm, Value bRow0,
                                  Value mRow, Value aCol, Value bRow,
                                  Value bCol, ValueRange acc, Type et) {
  Type f32 = b.getF32Type();
  auto v2 = VectorType::get({2}, f32);
  auto pack = [&](Value v) {
    Value t = arith::TruncFOp::create(b, loc, VectorType::get({2}, et), v);
    Value i = vector::BitCastOp::create(
        b, loc, VectorType::get({1}, b.getI32Type()), t);
    return vector::ExtractOp::create(b, loc, i, ArrayRef<int64_t>{0})
        .getResult();
  };
  SmallVector<Value> c(acc.begin(), acc.end());
  for (int64_t ks = 0; ks < kChunk / 16; ++ks) {
    SmallVector<Value> av;
    for (int64_t reg = 0; reg < 4; ++reg) {
      Value r = addIdx(b, loc, mRow, cst(b, loc, (reg & 1) ? 8 : 0));
      Value k = addIdx(b, loc, aCol, cst(b, loc, 16 * ks + ((reg & 2) ? 8 : 0)));
      av.push_back(pack(vector::LoadOp::create(b, loc, v2, a,
                                               ValueRange{stage, r, k},
                                               /*nontemporal=*/false,
                                               llvm::MaybeAlign(8))));
    }
    SmallVector<Value> bv;
    for (int64_t reg = 0; reg < 2; ++reg) {
      Value k = addIdx(b, loc, bRow0,
                       addIdx(b, loc, bRow, cst(b, loc, 16 * ks + 8 * reg)));
      Value lo = memref::LoadOp::create(b, loc, bm, ValueRange{k, bCol});
      Value hi = memref::LoadOp::create(
          b, loc, bm, ValueRange{addIdx(b, loc, k, cst(b, loc, 1)), bCol});
      bv.push_back(pack(vector::FromElementsOp::create(b, loc, v2,
                                                       ValueRange{lo, hi})));
    }
    c = mma(b, loc, av, bv, c, et);
  }
  return c;
}

/// Kernel 4: X_c = (I - L_c)^-1 for each 64-row chunk c of the strip, L_c
/// the strictly lower part of the chunk's diagonal block of `diag` (0 past
/// the strip's rows, so X_c is the identity there). Grid (chunks, Hb, B), 64
/// threads: thread k forward-substitutes column k of X_c in registers,
/// x_r = [r == k] + sum_{j < r} L[r, j] x_j (straight-line code; the sum as
/// four independent partial sums over j mod 4; L read as 4-vectors from
/// shared memory, one address across the warp), f32 throughout. A chunk of
/// one row just writes the identity; a strip of one row (a decoding step)
/// launches no inverse at all.
constexpr int64_t kInvThreads = kChunk;

/// Column k of X = (I - L)^-1 for the strictly lower part of the 64 x 64 f32
/// tile `l[prefix..., r, j]` (rows of kARow f32, only j < r read): x_r =
/// [r == k] + sum_{j < r} L[r, j] x_j, straight-line code, the sum as four
/// independent partial sums over j mod 4, L read as 4-vectors (one address
/// across the warp). Returns x_0 .. x_63.
SmallVector<Value> forwardSubstituteColumn(OpBuilder &b, Location loc, Value l,
                                           ValueRange prefix, Value k) {
  Type f32 = b.getF32Type();
  auto v4 = VectorType::get({4}, f32);
  Value zero = cstF32(b, loc, 0.0), one = cstF32(b, loc, 1.0);
  SmallVector<Value> x;
  for (int64_t r = 0; r < kChunk; ++r) {
    SmallVector<Value> part(4);
    Value isDiag = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, k,
                                         cst(b, loc, r));
    part[0] = arith::SelectOp::create(b, loc, isDiag, one, zero);
    for (int64_t j0 = 0; j0 < r; j0 += 4) {
      SmallVector<Value> idx(prefix.begin(), prefix.end());
      idx.append({cst(b, loc, r), cst(b, loc, j0)});
      Value lv = vector::LoadOp::create(b, loc, v4, l, idx,
                                        /*nontemporal=*/false,
                                        llvm::MaybeAlign(16));
      for (int64_t j = j0; j < std::min(j0 + 4, r); ++j) {
        Value lj = vector::ExtractOp::create(b, loc, lv,
                                             ArrayRef<int64_t>{j - j0});
        Value &p = part[j - j0];
        p = p ? math::FmaOp::create(b, loc, lj, x[j], p).getResult()
              : arith::MulFOp::create(b, loc, lj, x[j]).getResult();
      }
    }
    auto add = [&](Value a, Value c) -> Value {
      if (!a)
        return c;
      if (!c)
        return a;
      return arith::AddFOp::create(b, loc, a, c);
    };
    x.push_back(add(add(part[0], part[1]), add(part[2], part[3])));
  }
  return x;
}

void buildInverse(OpBuilder &b, Location loc, const Operands &o,
                  const Strip &strip) {
  Value grid[] = {ceilDiv(b, loc, strip.rows, cst(b, loc, kChunk)), o.heads,
                  o.batch};
  Value block[] = {cst(b, loc, kInvThreads)};
  Type f32 = b.getF32Type();
  MemRefType lType = workgroupMemRefType({kChunk, kARow}, f32);
  Value poolBytes =
      arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(staticBytes(lType)));
  buildLaunch(
      b, loc, grid, block, {},
      [&](OpBuilder &b, Location loc, const LaunchIds &ids) {
        Value ls = sharedView(b, loc, ids.dynamicShared, 0, lType);
        Value k = ids.threadId[0];
        Value c = ids.blockId[0], h = ids.blockId[1], bi = ids.blockId[2];
        RowTile rt = rowTile(b, loc, strip, c);
        Value zero = cstF32(b, loc, 0.0), one = cstF32(b, loc, 1.0);
        auto storeX = [&](OpBuilder &b, Location loc, int64_t r, Value v) {
          memref::StoreOp::create(b, loc, v, o.inv,
                                  ValueRange{bi, h, c, cst(b, loc, r), k});
        };
        auto delta = [&](OpBuilder &b, Location loc, int64_t r) {
          Value isDiag = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                               k, cst(b, loc, r));
          return arith::SelectOp::create(b, loc, isDiag, one, zero).getResult();
        };
        scf::IfOp::create(
            b, loc, ult(b, loc, cst(b, loc, 1), rt.rows),
            [&](OpBuilder &b, Location loc) {
              // The diagonal block by cp.async (rows past the strip
              // zero-filled); only its strictly lower part j < r is used.
              Value four = cst(b, loc, 4), none = cst(b, loc, 0);
              copyTile(
                  b, loc, k, ls, {}, o.diag,
                  [&](OpBuilder &b, Location loc, Value r, Value j) {
                    return SmallVector<Value>{bi, h, addIdx(b, loc, rt.base, r),
                                              addIdx(b, loc, rt.base, j)};
                  },
                  [&](OpBuilder &b, Location loc, Value r) {
                    return arith::SelectOp::create(b, loc, ult(b, loc, r, rt.rows),
                                                   four, none)
                        .getResult();
                  },
                  kInvThreads);
              NVVM::CpAsyncCommitGroupOp::create(b, loc);
              NVVM::CpAsyncWaitGroupOp::create(b, loc, b.getI32IntegerAttr(0));
              barrier(b, loc);
              SmallVector<Value> x = forwardSubstituteColumn(b, loc, ls, {}, k);
              for (int64_t r = 0; r < kChunk; ++r)
                storeX(b, loc, r, x[r]);
              scf::YieldOp::create(b, loc);
            },
            [&](OpBuilder &b, Location loc) {
              for (int64_t r = 0; r < kChunk; ++r)
                storeX(b, loc, r, delta(b, loc, r));
              scf::YieldOp::create(b, loc);
            });
      },
      poolBytes);
}

/// The inverses of a strip's chunks inside another kernel's block (256
/// threads, dynamic shared memory `pool` of at least invChunks x 64 x 68
/// f32): thread tid forward-substitutes column tid % 64 of X_c, c = tid /
/// 64 < invChunks, from L_c staged by its 64 threads; X_c into INV
/// (identity for a chunk of one row; chunks past the strip untouched).
void buildInverseBlock(OpBuilder &b, Location loc, const Operands &o,
                       const Strip &strip, Value pool, Value tid, Value bi,
                       Value h, int64_t invChunks) {
  Type f32 = b.getF32Type();
  auto lType = workgroupMemRefType({invChunks, kChunk, kARow}, f32);
  Value ls = sharedView(b, loc, pool, 0, lType);
  Value ci = divIdx(b, loc, tid, cst(b, loc, kChunk));
  Value kc = remIdx(b, loc, tid, cst(b, loc, kChunk));
  Value base = mulIdx(b, loc, ci, cst(b, loc, kChunk));
  Value in = andI1(b, loc, ult(b, loc, ci, cst(b, loc, invChunks)),
                   ult(b, loc, base, strip.rows));
  Value rowsC = minIndex(
      b, loc, cst(b, loc, kChunk),
      subIdx(b, loc, strip.rows, minIndex(b, loc, base, strip.rows)));
  Value cs = minIndex(b, loc, ci, cst(b, loc, invChunks - 1));
  Value four = cst(b, loc, 4), none = cst(b, loc, 0);
  buildIf(b, loc, in, [&](OpBuilder &b, Location loc) {
    copyTile(
        b, loc, kc, ls, {cs}, o.diag,
        [&](OpBuilder &b, Location loc, Value r, Value k) {
          return SmallVector<Value>{bi, h, addIdx(b, loc, base, r),
                                    addIdx(b, loc, base, k)};
        },
        [&](OpBuilder &b, Location loc, Value r) {
          return arith::SelectOp::create(b, loc, ult(b, loc, r, rowsC), four, none)
              .getResult();
        },
        kInvThreads);
  });
  NVVM::CpAsyncCommitGroupOp::create(b, loc);
  NVVM::CpAsyncWaitGroupOp::create(b, loc, b.getI32IntegerAttr(0));
  barrier(b, loc);
  Value need = andI1(b, loc, in, ult(b, loc, cst(b, loc, 1), rowsC));
  auto x = scf::IfOp::create(
      b, loc, need,
      [&](OpBuilder &b, Location loc) {
        scf::YieldOp::create(b, loc, forwardSubstituteColumn(b, loc, ls, {cs}, kc));
      },
      [&](OpBuilder &b, Location loc) {
        SmallVector<Value> d;
        for (int64_t r = 0; r < kChunk; ++r) {
          Value isDiag = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                               kc, cst(b, loc, r));
          d.push_back(arith::SelectOp::create(b, loc, isDiag, cstF32(b, loc, 1.0),
                                              cstF32(b, loc, 0.0)));
        }
        scf::YieldOp::create(b, loc, d);
      });
  buildIf(b, loc, in, [&](OpBuilder &b, Location loc) {
    for (int64_t r = 0; r < kChunk; ++r)
      memref::StoreOp::create(b, loc, x.getResult(r), o.inv,
                              ValueRange{bi, h, ci, cst(b, loc, r), kc});
  });
}

/// rhs = f + the cross-strip partials (summed in split order) of all the
/// strip's rows and the `cols` columns at colBase, into shared `ss[row][col]`
/// (0 past the strip's rows and dv); element e = tid + 256 m is (row e /
/// cols, column e % cols); loads clamped in bounds (always issued, so they
/// are independent), masked after. Ends with a barrier.
void stageRhs(OpBuilder &b, Location loc, const Operands &o, const Strip &strip,
              Value splits, Value ss, Value tid, Value bi, Value h,
              Value colBase, int64_t cols) {
  Value one = cst(b, loc, 1);
  Value zeroF = cstF32(b, loc, 0.0);
  const int64_t kPer = kStrip * cols / kThreads;
  Value lastRow = subIdx(b, loc, o.rows, one);
  Value lastCol = subIdx(b, loc, o.dv, one);
  SmallVector<Value> rows, cc, masks, init;
  for (int64_t m = 0; m < kPer; ++m) {
    Value e = addIdx(b, loc, tid, cst(b, loc, m * kThreads));
    Value r = divIdx(b, loc, e, cst(b, loc, cols));
    Value c = remIdx(b, loc, e, cst(b, loc, cols));
    Value col = addIdx(b, loc, colBase, c);
    rows.push_back(r);
    cc.push_back(c);
    masks.push_back(andI1(b, loc, ult(b, loc, r, strip.rows), ult(b, loc, col, o.dv)));
    Value colc = minIndex(b, loc, col, lastCol);
    Value abs = minIndex(b, loc, addIdx(b, loc, strip.r0, r), lastRow);
    init.push_back(loadF32(b, loc, o.f, {bi, abs, h, colc}));
  }
  SmallVector<Value> sum = buildForWithValues(
      b, loc, cst(b, loc, 0), splits, one, init,
      [&](OpBuilder &b, Location loc, Value sp, ValueRange acc) {
        SmallVector<Value> next;
        for (int64_t m = 0; m < kPer; ++m) {
          Value col = minIndex(b, loc, addIdx(b, loc, colBase, cc[m]), lastCol);
          Value r = minIndex(b, loc, rows[m], subIdx(b, loc, o.stripPad, one));
          next.push_back(arith::AddFOp::create(
              b, loc, acc[m],
              memref::LoadOp::create(b, loc, o.partial, ValueRange{sp, bi, h, r, col})));
        }
        return next;
      });
  for (int64_t m = 0; m < kPer; ++m) {
    Value v = arith::SelectOp::create(b, loc, masks[m], sum[m], zeroF);
    memref::StoreOp::create(b, loc, v, ss, ValueRange{rows[m], cc[m]});
  }
  barrier(b, loc);
}

/// Kernel 5: the strip's rows, chunk after chunk, with no barrier per row.
/// Grid (ceil(dv / 16), B * Hb), 256 threads. First the block stages
/// rhs = f + the cross-strip partials (summed in split order) of all the
/// strip's rows and its 16 columns in shared memory (independent loads,
/// issued together). Then thread (row = tid / 4, g = tid % 4) owns row
/// `row` of the chunk and columns 4 g .. 4 g + 3; for chunk c:
///   rhs += diag[chunk c rows, chunk t keys] @ s[chunk t rows] for t < c
///          (64 x 64 f32 tiles through a 2-stage cp.async pipeline; the
///          strip's s rows of the block's columns stay in shared memory,
///          where they replace the rhs rows),
///   s_c  = X_c @ rhs (X_c prefetched at the chunk's start; a chunk of one
///          row, as in a decoding step, has X_c = I and skips it),
/// all in f32, except that with `mmaType` (16-bit storage) the products over
/// the earlier chunks run on tensor cores (warp w: rows 16 (w % 4), columns
/// 8 (w / 4); DIAG and s rounded to mmaType as operands, f32 accumulators;
/// rhs then changes layout through shared memory); s_c goes to shared
/// memory and to the result.
constexpr int64_t kIntraCols = 16;

void buildIntraStrip(OpBuilder &b, Location loc, const Operands &o,
                     const Strip &strip, Value splits, Type mmaType) {
  Value grid[] = {ceilDiv(b, loc, o.dv, cst(b, loc, kIntraCols)),
                  mulIdx(b, loc, o.batch, o.heads)};
  Value block[] = {cst(b, loc, kThreads)};
  Type f32 = b.getF32Type();
  auto sType = workgroupMemRefType({kStrip, kIntraCols}, f32);
  auto aType = workgroupMemRefType({2, kChunk, kARow}, f32);
  auto xType = workgroupMemRefType({kChunk, kARow}, f32);
  auto rType = workgroupMemRefType({kChunk, kIntraCols}, f32);
  int64_t aOff = staticBytes(sType), xOff = aOff + staticBytes(aType),
          rOff = xOff + staticBytes(xType), total = rOff + staticBytes(rType);
  Value poolBytes =
      arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(total));
  buildLaunch(
      b, loc, grid, block, {},
      [&](OpBuilder &b, Location loc, const LaunchIds &ids) {
        Value ss = sharedView(b, loc, ids.dynamicShared, 0, sType);
        Value as = sharedView(b, loc, ids.dynamicShared, aOff, aType);
        Value xs = sharedView(b, loc, ids.dynamicShared, xOff, xType);
        Value rs = sharedView(b, loc, ids.dynamicShared, rOff, rType);
        Value tid = ids.threadId[0];
        Value bi = divIdx(b, loc, ids.blockId[1], o.heads);
        Value h = remIdx(b, loc, ids.blockId[1], o.heads);
        Value colBase = mulIdx(b, loc, ids.blockId[0], cst(b, loc, kIntraCols));
        Value one = cst(b, loc, 1);
        Value zeroF = cstF32(b, loc, 0.0);
        stageRhs(b, loc, o, strip, splits, ss, tid, bi, h, colBase, kIntraCols);
        Value row = divIdx(b, loc, tid, cst(b, loc, 4));
        Value col0 = mulIdx(b, loc, remIdx(b, loc, tid, cst(b, loc, 4)),
                            cst(b, loc, 4));
        SmallVector<Value> cols, colIn;
        for (int64_t i = 0; i < 4; ++i) {
          cols.push_back(addIdx(b, loc, colBase, addIdx(b, loc, col0, cst(b, loc, i))));
          colIn.push_back(ult(b, loc, cols.back(), o.dv));
        }
        Value four = cst(b, loc, 4), none = cst(b, loc, 0);
        auto v4 = VectorType::get({4}, f32);
        auto v2 = VectorType::get({2}, f32);
        // Tensor cores: warp w computes rows 16 (w % 4) .. + 16 and columns
        // 8 (w / 4) .. + 8 of the chunk's 64 x 16 rhs; g = lane / 4, q = lane % 4.
        Value lane = remIdx(b, loc, tid, cst(b, loc, 32));
        Value warp = divIdx(b, loc, tid, cst(b, loc, 32));
        Value gq = divIdx(b, loc, lane, cst(b, loc, 4));
        Value qq = remIdx(b, loc, lane, cst(b, loc, 4));
        Value mRow = addIdx(b, loc, mulIdx(b, loc, remIdx(b, loc, warp, four),
                                           cst(b, loc, 16)),
                            gq);
        Value nBase = mulIdx(b, loc, divIdx(b, loc, warp, four), cst(b, loc, 8));
        Value nCol = addIdx(b, loc, nBase, mulIdx(b, loc, qq, cst(b, loc, 2)));
        Value aCol = mulIdx(b, loc, qq, cst(b, loc, 2));
        Value bRow = mulIdx(b, loc, qq, cst(b, loc, 2));
        Value bCol = addIdx(b, loc, nBase, gq);
        buildFor(
            b, loc, cst(b, loc, 0), ceilDiv(b, loc, strip.rows, cst(b, loc, kChunk)),
            one, [&](OpBuilder &b, Location loc, Value c) {
              RowTile rt = rowTile(b, loc, strip, c);
              Value needX = ult(b, loc, one, rt.rows);
              // X_c: its own commit group, the oldest one in flight, so the
              // first wait of the pipeline below covers it.
              buildIf(b, loc, needX, [&](OpBuilder &b, Location loc) {
                copyTile(
                    b, loc, tid, xs, {}, o.inv,
                    [&](OpBuilder &b, Location loc, Value r, Value k) {
                      return SmallVector<Value>{bi, h, c, r, k};
                    },
                    [&](OpBuilder &, Location, Value) { return four; });
              });
              NVVM::CpAsyncCommitGroupOp::create(b, loc);
              Value rowIn = ult(b, loc, row, rt.rows);
              Value absRow = addIdx(b, loc, addIdx(b, loc, strip.r0, rt.base), row);
              Value stripRow = addIdx(b, loc, rt.base, row);
              SmallVector<Value> init;
              if (mmaType) {
                // Accumulator layout of the warp's 16 x 8 mma tile: (mRow,
                // nCol), (mRow, nCol + 1), (mRow + 8, nCol), (mRow + 8, nCol + 1).
                for (int64_t hi = 0; hi < 2; ++hi) {
                  Value v = vector::LoadOp::create(
                      b, loc, v2, ss,
                      ValueRange{addIdx(b, loc, rt.base,
                                        addIdx(b, loc, mRow, cst(b, loc, 8 * hi))),
                                 nCol},
                      /*nontemporal=*/false, llvm::MaybeAlign(8));
                  for (int64_t i = 0; i < 2; ++i)
                    init.push_back(
                        vector::ExtractOp::create(b, loc, v, ArrayRef<int64_t>{i}));
                }
              } else {
                Value rv0 = vector::LoadOp::create(b, loc, v4, ss,
                                                   ValueRange{stripRow, col0},
                                                   /*nontemporal=*/false,
                                                   llvm::MaybeAlign(16));
                for (int64_t i = 0; i < 4; ++i)
                  init.push_back(
                      vector::ExtractOp::create(b, loc, rv0, ArrayRef<int64_t>{i}));
              }
              // The strip's earlier chunks t < c (tiles past c copy nothing).
              SmallVector<Value> rhs = buildAsyncPipeline(
                  b, loc, c, 2, init,
                  [&](OpBuilder &b, Location loc, Value t, Value st) {
                    Value tIn = ult(b, loc, t, c);
                    Value keyBase = mulIdx(b, loc, t, cst(b, loc, kChunk));
                    copyTile(
                        b, loc, tid, as, {st}, o.diag,
                        [&](OpBuilder &b, Location loc, Value r, Value k) {
                          return SmallVector<Value>{bi, h, addIdx(b, loc, rt.base, r),
                                                    addIdx(b, loc, keyBase, k)};
                        },
                        [&](OpBuilder &b, Location loc, Value r) {
                          return arith::SelectOp::create(
                                     b, loc, andI1(b, loc, tIn, ult(b, loc, r, rt.rows)),
                                     four, none)
                              .getResult();
                        });
                  },
                  [&](OpBuilder &b, Location loc, Value t, Value st, ValueRange acc) {
                    if (mmaType)
                      return tileProductMma(b, loc, as, st, ss,
                                            mulIdx(b, loc, t, cst(b, loc, kChunk)),
                                            mRow, aCol, bRow, bCol, acc, mmaType);
                    return tileProduct(b, loc, as, {st}, row, ss,
                                       mulIdx(b, loc, t, cst(b, loc, kChunk)), col0,
                                       acc);
                  });
              SmallVector<Value> sv;
              if (mmaType) {
                // rhs from the mma layout into shared memory, then s_c =
                // X_c @ rhs in the SIMT layout (rhs itself for one row).
                for (int64_t hi = 0; hi < 2; ++hi) {
                  Value v = vector::FromElementsOp::create(
                      b, loc, v2, ValueRange{rhs[2 * hi], rhs[2 * hi + 1]});
                  vector::StoreOp::create(
                      b, loc, v, rs,
                      ValueRange{addIdx(b, loc, mRow, cst(b, loc, 8 * hi)), nCol},
                      /*nontemporal=*/false, llvm::MaybeAlign(8));
                }
                barrier(b, loc);
                auto xIf = scf::IfOp::create(
                    b, loc, needX,
                    [&](OpBuilder &b, Location loc) {
                      SmallVector<Value> zero4(4, zeroF);
                      scf::YieldOp::create(
                          b, loc,
                          tileProduct(b, loc, xs, {}, row, rs, cst(b, loc, 0), col0,
                                      zero4));
                    },
                    [&](OpBuilder &b, Location loc) {
                      Value v = vector::LoadOp::create(b, loc, v4, rs,
                                                       ValueRange{row, col0},
                                                       /*nontemporal=*/false,
                                                       llvm::MaybeAlign(16));
                      SmallVector<Value> r;
                      for (int64_t i = 0; i < 4; ++i)
                        r.push_back(vector::ExtractOp::create(b, loc, v,
                                                              ArrayRef<int64_t>{i}));
                      scf::YieldOp::create(b, loc, r);
                    });
                sv.assign(xIf.getResults().begin(), xIf.getResults().end());
              } else {
              // s_c = X_c @ rhs (rhs itself for a chunk of one row).
              auto xIf = scf::IfOp::create(
                  b, loc, needX,
                  [&](OpBuilder &b, Location loc) {
                    Value rv = vector::FromElementsOp::create(b, loc, v4, rhs);
                    vector::StoreOp::create(b, loc, rv, rs, ValueRange{row, col0},
                                            /*nontemporal=*/false,
                                            llvm::MaybeAlign(16));
                    barrier(b, loc);
                    SmallVector<Value> zero4(4, zeroF);
                    scf::YieldOp::create(
                        b, loc,
                        tileProduct(b, loc, xs, {}, row, rs, cst(b, loc, 0), col0,
                                    zero4));
                  },
                  [&](OpBuilder &b, Location loc) {
                    scf::YieldOp::create(b, loc, rhs);
                  });
              sv.assign(xIf.getResults().begin(), xIf.getResults().end());
              }
              Value svec = vector::FromElementsOp::create(b, loc, v4, sv);
              vector::StoreOp::create(b, loc, svec, ss, ValueRange{stripRow, col0},
                                      /*nontemporal=*/false, llvm::MaybeAlign(16));
              for (int64_t i = 0; i < 4; ++i)
                buildIf(b, loc, andI1(b, loc, rowIn, colIn[i]),
                        [&](OpBuilder &b, Location loc) {
                          storeF32(b, loc, sv[i], o.s, {bi, absRow, h, cols[i]});
                        });
              // X_c, rhs and the stages are refilled by the next chunk.
              barrier(b, loc);
            });
      },
      poolBytes);
}

/// Kernel 5 on tensor cores, for 16-bit storage and strips of more than one
/// row (the inverses X_c come from the extra blocks of kernel 3): grid
/// (ceil(dv / nc), B * Hb), 256 threads, nc = 8, 16 or 32 value columns a
/// block (chosen on the host so that the grid fills the GPU). Everything the
/// sequential part reads is fetched at the start, one cp.async group per
/// chunk c (its f32 X_c and its 16-bit off-diagonal DIAG16[c, t < c]
/// blocks; chunk c waits for groups 0..c only); while they land, rhs = f +
/// the partials is staged (stageRhs). The chunks then run from shared
/// memory only (unrolled, one if per chunk); warp w owns rows 16 (w % 4) + 0..15
/// and n-tiles of 8 columns from (w / 4):
///   rhs_c += DIAG16[c, t] @ s_t for t < c (ldmatrix A, s rounded to the
///            storage type, f32 accumulators), into shared rhs,
///   s_c = X_c @ rhs_c as three mma per tile on a split of both operands
///         into storage-type hi + lo parts (X_hi rhs_hi + X_hi rhs_lo +
///         X_lo rhs_hi: about 16 mantissa bits, f32 accumulators),
/// s_c into shared memory and to the result.
constexpr int64_t kChunks = kStrip / kChunk;             // 4
constexpr int64_t kOffTiles = kChunks * (kChunks - 1) / 2; // 6
constexpr int64_t kD16Row = kChunk + 8; // 16-bit per staged DIAG16 row

/// The previous strip's term of a strip's rhs, added by the intra-strip
/// kernel itself (overlapped strip chain, clOverlap): rhs += prob[:, keys
/// keyBase .. keyBase + R) @ s[those keys], prob the strip's 16-bit prob
/// view [B, Hb, R, >= keyBase + R], s read from sT. Only when `on` (index,
/// 1) at run time.
struct IntraTail {
  Value prob, keyBase, on;
};

/// Bytes of dynamic shared memory of the tensor-core intra-strip kernel.
int64_t intraStripMmaBytes(Type et, int64_t nc) {
  const int64_t sRow = nc + 4;
  Builder b(et.getContext());
  Type f32 = b.getF32Type();
  return staticBytes(workgroupMemRefType({kStrip, sRow}, f32)) +
         staticBytes(workgroupMemRefType({kChunks, kChunk, kARow}, f32)) +
         staticBytes(workgroupMemRefType({kOffTiles, kChunk, kD16Row}, et)) +
         staticBytes(workgroupMemRefType({kChunk, sRow}, f32));
}

/// The tail term (IntraTail) of the block's `nc` columns: a 256-row x nc x
/// 256-key product on tensor cores with its fragments loaded straight from
/// global memory, into registers (returned: the accumulators, zero when the
/// tail is off), built before stageRhs so that its loads do not wait behind
/// stageRhs's barrier; buildIntraTailAdd adds them to the staged rhs. Warp w
/// owns the 16-row tiles w and w + 8, all n-tiles. The keys are taken 32 at
/// a time in an order permuted alike for both operands (the product sums
/// over them): lane (g, q) loads 16 bytes, keys 8 q .. 8 q + 7 of the 32, of
/// each of its prob rows and sT columns, and k-step s of the two uses keys
/// 8 q + 4 s + 0, 1 as mma k 2 q, 2 q + 1 and 8 q + 4 s + 2, 3 as k 2 q + 8,
/// 2 q + 9. The loads of -sessa-gpu-feedback-overlap-tail-group such 32-key
/// blocks are issued before their products.
llvm::cl::opt<int64_t> clOverlapTailGroup(
    "sessa-gpu-feedback-overlap-tail-group", llvm::cl::init(4),
    llvm::cl::Hidden,
    llvm::cl::desc("Overlapped strip chain: 32-key blocks of the previous "
                   "strip's term whose loads are issued together (1, 2, 4 "
                   "or 8)"));
SmallVector<Value> buildIntraTail(OpBuilder &b, Location loc, const Operands &o,
                                  const IntraTail &tail, Value tid, Value bi,
                                  Value h, Value colBase, Type et, int64_t nc) {
  const int64_t nTiles = nc / 8;
  const int64_t kTailGroup =
      llvm::is_contained({1, 2, 8}, clOverlapTailGroup) ? clOverlapTailGroup : 4;
  Type f32 = b.getF32Type();
  auto v8e = VectorType::get({8}, et);
  auto v4i = VectorType::get({4}, b.getI32Type());
  Value four = cst(b, loc, 4);
  Value lane = remIdx(b, loc, tid, cst(b, loc, 32));
  Value warp = divIdx(b, loc, tid, cst(b, loc, 32));
  Value g = divIdx(b, loc, lane, four);
  Value q8 = mulIdx(b, loc, remIdx(b, loc, lane, four), cst(b, loc, 8));
  Value lastCol = subIdx(b, loc, o.dv, cst(b, loc, 1));
  // Four i32 (pairs of keys) from 8 contiguous 16-bit elements.
  auto load4 = [&](OpBuilder &b, Location loc, Value m, ValueRange idx) {
    Value v = vector::LoadOp::create(b, loc, v8e, m, idx,
                                     /*nontemporal=*/false,
                                     llvm::MaybeAlign(16));
    Value w = vector::BitCastOp::create(b, loc, v4i, v);
    SmallVector<Value> r;
    for (int64_t i = 0; i < 4; ++i)
      r.push_back(vector::ExtractOp::create(b, loc, w, ArrayRef<int64_t>{i}));
    return r;
  };
  SmallVector<Type> types(2 * nTiles * 4, f32);
  auto ifOp = scf::IfOp::create(
      b, loc,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, tail.on,
                            cst(b, loc, 0)),
      [&](OpBuilder &b, Location loc) {
        SmallVector<Value> mRows, nCols;
        for (int64_t mt = 0; mt < 2; ++mt)
          mRows.push_back(addIdx(
              b, loc,
              mulIdx(b, loc, addIdx(b, loc, warp, cst(b, loc, 8 * mt)),
                     cst(b, loc, 16)),
              g));
        for (int64_t j = 0; j < nTiles; ++j)
          nCols.push_back(minIndex(
              b, loc,
              addIdx(b, loc, colBase, addIdx(b, loc, g, cst(b, loc, 8 * j))),
              lastCol));
        SmallVector<SmallVector<Value>> acc(
            2 * nTiles, SmallVector<Value>(4, cstF32(b, loc, 0.0)));
        for (int64_t kg = 0; kg < kStrip / 32; kg += kTailGroup) {
          // a[kb][mt][hi]: row mRows[mt] + 8 hi; bw[kb][j]: nCols[j].
          SmallVector<SmallVector<SmallVector<SmallVector<Value>>>> a(kTailGroup);
          SmallVector<SmallVector<SmallVector<Value>>> bw(kTailGroup);
          for (int64_t kb = 0; kb < kTailGroup; ++kb) {
            Value k = addIdx(b, loc, tail.keyBase,
                             addIdx(b, loc, q8, cst(b, loc, 32 * (kg + kb))));
            a[kb].resize(2);
            for (int64_t mt = 0; mt < 2; ++mt)
              for (int64_t hi = 0; hi < 2; ++hi)
                a[kb][mt].push_back(load4(
                    b, loc, tail.prob,
                    {bi, h, addIdx(b, loc, mRows[mt], cst(b, loc, 8 * hi)), k}));
            for (int64_t j = 0; j < nTiles; ++j)
              bw[kb].push_back(load4(b, loc, o.sT, {bi, h, nCols[j], k}));
          }
          for (int64_t kb = 0; kb < kTailGroup; ++kb)
            for (int64_t st = 0; st < 2; ++st)
              for (int64_t j = 0; j < nTiles; ++j) {
                SmallVector<Value> bv = {bw[kb][j][2 * st], bw[kb][j][2 * st + 1]};
                for (int64_t mt = 0; mt < 2; ++mt) {
                  auto &am = a[kb][mt];
                  SmallVector<Value> av = {am[0][2 * st], am[1][2 * st],
                                           am[0][2 * st + 1], am[1][2 * st + 1]};
                  acc[mt * nTiles + j] =
                      mma(b, loc, av, bv, acc[mt * nTiles + j], et);
                }
              }
        }
        SmallVector<Value> flat;
        for (auto &t : acc)
          flat.append(t.begin(), t.end());
        scf::YieldOp::create(b, loc, flat);
      },
      [&](OpBuilder &b, Location loc) {
        SmallVector<Value> zeros(2 * nTiles * 4, cstF32(b, loc, 0.0));
        scf::YieldOp::create(b, loc, zeros);
      });
  (void)types;
  return SmallVector<Value>(ifOp.getResults().begin(), ifOp.getResults().end());
}

/// Adds the tail accumulators `acc` (buildIntraTail) to the staged rhs `ss`
/// (after stageRhs's barrier); rows past the strip add nothing. The next
/// barrier (chunk 0's) orders it before any read.
void buildIntraTailAdd(OpBuilder &b, Location loc, const Strip &strip,
                       ValueRange acc, Value ss, Value tid, int64_t nc) {
  const int64_t nTiles = nc / 8;
  Type f32 = b.getF32Type();
  auto v2 = VectorType::get({2}, f32);
  Value four = cst(b, loc, 4);
  Value lane = remIdx(b, loc, tid, cst(b, loc, 32));
  Value warp = divIdx(b, loc, tid, cst(b, loc, 32));
  Value g = divIdx(b, loc, lane, four);
  Value q2 = mulIdx(b, loc, remIdx(b, loc, lane, four), cst(b, loc, 2));
  Value zeroF = cstF32(b, loc, 0.0);
  for (int64_t mt = 0; mt < 2; ++mt)
    for (int64_t hi = 0; hi < 2; ++hi) {
      Value row = addIdx(
          b, loc,
          mulIdx(b, loc, addIdx(b, loc, warp, cst(b, loc, 8 * mt)),
                 cst(b, loc, 16)),
          addIdx(b, loc, g, cst(b, loc, 8 * hi)));
      Value rowIn = ult(b, loc, row, strip.rows);
      for (int64_t j = 0; j < nTiles; ++j) {
        Value col = addIdx(b, loc, q2, cst(b, loc, 8 * j));
        Value old = vector::LoadOp::create(b, loc, v2, ss, ValueRange{row, col},
                                           /*nontemporal=*/false,
                                           llvm::MaybeAlign(8));
        SmallVector<Value> sum;
        for (int64_t i = 0; i < 2; ++i) {
          Value x = arith::SelectOp::create(
              b, loc, rowIn, acc[(mt * nTiles + j) * 4 + 2 * hi + i], zeroF);
          sum.push_back(arith::AddFOp::create(
              b, loc,
              vector::ExtractOp::create(b, loc, old, ArrayRef<int64_t>{i}), x));
        }
        vector::StoreOp::create(
            b, loc, vector::FromElementsOp::create(b, loc, v2, sum), ss,
            ValueRange{row, col}, /*nontemporal=*/false, llvm::MaybeAlign(8));
      }
    }
}

/// The body of the tensor-core intra-strip kernel for the column tile
/// `colTile` of (b, h) = `bhIdx` (both < the grid of buildIntraStripMma),
/// in a block of 256 threads with the dynamic shared memory `pool` (at
/// least intraStripMmaBytes).
void buildIntraStripMmaBody(OpBuilder &b, Location loc, const Operands &o,
                            const Strip &strip, Value splits, Type et,
                            int64_t nc, Value pool, Value tid, Value colTile,
                            Value bhIdx, const IntraTail *tail) {
  const int64_t sRow = nc + 4;            // f32 per shared s / rhs row
  const int64_t nTiles = nc / 8;          // n-tiles of the chunk's rhs
  const int64_t nPerWarp = std::max<int64_t>(1, nTiles / 2);
  const int64_t activeWarps = 4 * nTiles / nPerWarp; // 4 or 8
  Type f32 = b.getF32Type();
  auto sType = workgroupMemRefType({kStrip, sRow}, f32);
  auto xType = workgroupMemRefType({kChunks, kChunk, kARow}, f32);
  auto dType = workgroupMemRefType({kOffTiles, kChunk, kD16Row}, et);
  auto rType = workgroupMemRefType({kChunk, sRow}, f32);
  int64_t xOff = staticBytes(sType), dOff = xOff + staticBytes(xType),
          rOff = dOff + staticBytes(dType);
  auto offTile = [](int64_t c, int64_t t) { return c * (c - 1) / 2 + t; };
  {
    {
        Value ss = sharedView(b, loc, pool, 0, sType);
        Value xs = sharedView(b, loc, pool, xOff, xType);
        Value ds = sharedView(b, loc, pool, dOff, dType);
        Value rs = sharedView(b, loc, pool, rOff, rType);
        Value bi = divIdx(b, loc, bhIdx, o.heads);
        Value h = remIdx(b, loc, bhIdx, o.heads);
        Value colBase = mulIdx(b, loc, colTile, cst(b, loc, nc));
        Value four = cst(b, loc, 4), eight = cst(b, loc, 8), none = cst(b, loc, 0);
        auto chunkIn = [&](OpBuilder &b, Location loc, int64_t c) {
          return ult(b, loc, cst(b, loc, c * kChunk), strip.rows);
        };
        // Group c (or one group): X_c (f32, from INV) and DIAG16[c, t],
        // t < c; chunk c waits for its own group only.
        const bool groups = clChunkGroups;
        for (int64_t c = 0; c < kChunks; ++c) {
          buildIf(b, loc, chunkIn(b, loc, c), [&](OpBuilder &b, Location loc) {
            Value cc = cst(b, loc, c);
            copyTile(
                b, loc, tid, xs, {cc}, o.inv,
                [&](OpBuilder &b, Location loc, Value r, Value k) {
                  return SmallVector<Value>{bi, h, cc, r, k};
                },
                [&](OpBuilder &, Location, Value) { return four; });
            for (int64_t t = 0; t < c; ++t)
              for (int64_t m = 0; m < (kChunk * kChunk / 8) / kThreads; ++m) {
                Value e = addIdx(b, loc, tid, cst(b, loc, m * kThreads));
                Value r = divIdx(b, loc, e, eight);
                Value k = mulIdx(b, loc, remIdx(b, loc, e, eight), eight);
                Value rowIn = ult(b, loc, addIdx(b, loc, cst(b, loc, c * kChunk), r),
                                  strip.rows);
                asyncCopy16(b, loc, ds, {cst(b, loc, offTile(c, t)), r, k},
                            o.diag16,
                            {bi, h, addIdx(b, loc, cst(b, loc, c * kChunk), r),
                             addIdx(b, loc, cst(b, loc, t * kChunk), k)},
                            arith::SelectOp::create(b, loc, rowIn, eight, none));
              }
          });
          if (groups || c + 1 == kChunks)
            NVVM::CpAsyncCommitGroupOp::create(b, loc);
        }
        SmallVector<Value> tailAcc;
        if (tail)
          tailAcc = buildIntraTail(b, loc, o, *tail, tid, bi, h, colBase, et,
                                   nc);
        stageRhs(b, loc, o, strip, splits, ss, tid, bi, h, colBase, nc);
        if (tail)
          buildIntraTailAdd(b, loc, strip, tailAcc, ss, tid, nc);
        // Fragment coordinates: g = lane / 4, q = lane % 4; warp w: rows
        // 16 (w % 4) + g (+ 8), n-tiles nPerWarp (w / 4) + j.
        Value lane = remIdx(b, loc, tid, cst(b, loc, 32));
        Value warp = divIdx(b, loc, tid, cst(b, loc, 32));
        Value g = divIdx(b, loc, lane, four);
        Value q = remIdx(b, loc, lane, four);
        Value mBase = mulIdx(b, loc, remIdx(b, loc, warp, four), cst(b, loc, 16));
        Value mRow = addIdx(b, loc, mBase, g);
        Value nBase = mulIdx(b, loc, divIdx(b, loc, warp, four),
                             cst(b, loc, 8 * nPerWarp));
        Value q2 = mulIdx(b, loc, q, cst(b, loc, 2));
        Value aRow = addIdx(b, loc, mBase, remIdx(b, loc, lane, cst(b, loc, 16)));
        Value aCol = mulIdx(b, loc, divIdx(b, loc, lane, cst(b, loc, 16)), eight);
        auto v2 = VectorType::get({2}, f32);
        auto v2e = VectorType::get({2}, et);
        auto asI32 = [&](OpBuilder &b, Location loc, Value t) {
          Value i = vector::BitCastOp::create(
              b, loc, VectorType::get({1}, b.getI32Type()), t);
          return vector::ExtractOp::create(b, loc, i, ArrayRef<int64_t>{0})
              .getResult();
        };
        // (hi, lo) storage-type pairs of two f32: hi = round(v), lo =
        // round(v - hi).
        auto split = [&](OpBuilder &b, Location loc, Value v) {
          Value hi = arith::TruncFOp::create(b, loc, v2e, v);
          Value rest = arith::SubFOp::create(
              b, loc, v, arith::ExtFOp::create(b, loc, v2, hi));
          Value lo = arith::TruncFOp::create(b, loc, v2e, rest);
          return std::make_pair(asI32(b, loc, hi), asI32(b, loc, lo));
        };
        auto pair = [&](OpBuilder &b, Location loc, Value m, ValueRange idx0,
                        ValueRange idx1) {
          Value lo = memref::LoadOp::create(b, loc, m, idx0);
          Value hi = memref::LoadOp::create(b, loc, m, idx1);
          return vector::FromElementsOp::create(b, loc, v2, ValueRange{lo, hi})
              .getResult();
        };
        auto whenActive = [&](OpBuilder &b, Location loc,
                              llvm::function_ref<void(OpBuilder &, Location)> f) {
          if (activeWarps < kWarps)
            buildIf(b, loc, ult(b, loc, warp, cst(b, loc, activeWarps)), f);
          else
            f(b, loc);
        };
        for (int64_t c = 0; c < kChunks; ++c)
          buildIf(b, loc, chunkIn(b, loc, c), [&](OpBuilder &b, Location loc) {
            Value base = cst(b, loc, c * kChunk);
            // The chunk's tiles have landed (groups c + 1.. may not have).
            if (groups || c == 0) {
              NVVM::CpAsyncWaitGroupOp::create(
                  b, loc, b.getI32IntegerAttr(groups ? kChunks - 1 - c : 0));
              barrier(b, loc);
            }
            // rhs_c += DIAG16[c, t] @ s_t on tensor cores, into rs.
            whenActive(b, loc, [&](OpBuilder &b, Location loc) {
              for (int64_t j = 0; j < nPerWarp; ++j) {
                Value nCol = addIdx(b, loc, nBase, addIdx(b, loc, q2, cst(b, loc, 8 * j)));
                SmallVector<Value> acc;
                for (int64_t hi = 0; hi < 2; ++hi) {
                  Value v = vector::LoadOp::create(
                      b, loc, v2, ss,
                      ValueRange{addIdx(b, loc, base,
                                        addIdx(b, loc, mRow, cst(b, loc, 8 * hi))),
                                 nCol},
                      /*nontemporal=*/false, llvm::MaybeAlign(8));
                  for (int64_t i = 0; i < 2; ++i)
                    acc.push_back(vector::ExtractOp::create(b, loc, v,
                                                            ArrayRef<int64_t>{i}));
                }
                Value bCol = addIdx(b, loc, nBase, addIdx(b, loc, g, cst(b, loc, 8 * j)));
                for (int64_t t = 0; t < c; ++t)
                  for (int64_t ks = 0; ks < kChunk / 16; ++ks) {
                    SmallVector<Value> a = ldmatrixX4(
                        b, loc, ds,
                        {cst(b, loc, offTile(c, t)), aRow,
                         addIdx(b, loc, aCol, cst(b, loc, 16 * ks))},
                        false);
                    SmallVector<Value> bv;
                    for (int64_t reg = 0; reg < 2; ++reg) {
                      Value k = addIdx(b, loc, q2,
                                       cst(b, loc, t * kChunk + 16 * ks + 8 * reg));
                      Value p = pair(b, loc, ss, ValueRange{k, bCol},
                                     ValueRange{addIdx(b, loc, k, cst(b, loc, 1)), bCol});
                      bv.push_back(asI32(b, loc, arith::TruncFOp::create(b, loc, v2e, p)));
                    }
                    acc = mma(b, loc, a, bv, acc, et);
                  }
                for (int64_t hi = 0; hi < 2; ++hi) {
                  Value v = vector::FromElementsOp::create(
                      b, loc, v2, ValueRange{acc[2 * hi], acc[2 * hi + 1]});
                  vector::StoreOp::create(
                      b, loc, v, rs,
                      ValueRange{addIdx(b, loc, mRow, cst(b, loc, 8 * hi)), nCol},
                      /*nontemporal=*/false, llvm::MaybeAlign(8));
                }
              }
            });
            barrier(b, loc);
            // s_c = X_c @ rhs_c, split-precision mma; into ss and s.
            Value cc = cst(b, loc, c);
            whenActive(b, loc, [&](OpBuilder &b, Location loc) {
              SmallVector<SmallVector<Value>> acc(
                  nPerWarp, SmallVector<Value>(4, cstF32(b, loc, 0.0)));
              for (int64_t ks = 0; ks < kChunk / 16; ++ks) {
                SmallVector<Value> ahi, alo;
                for (int64_t reg = 0; reg < 4; ++reg) {
                  Value r = addIdx(b, loc, mRow, cst(b, loc, (reg & 1) ? 8 : 0));
                  Value k = addIdx(b, loc, q2,
                                   cst(b, loc, 16 * ks + ((reg & 2) ? 8 : 0)));
                  Value v = vector::LoadOp::create(b, loc, v2, xs, ValueRange{cc, r, k},
                                                   /*nontemporal=*/false,
                                                   llvm::MaybeAlign(8));
                  auto [h2, l2] = split(b, loc, v);
                  ahi.push_back(h2);
                  alo.push_back(l2);
                }
                for (int64_t j = 0; j < nPerWarp; ++j) {
                  Value bCol = addIdx(b, loc, nBase, addIdx(b, loc, g, cst(b, loc, 8 * j)));
                  SmallVector<Value> bhi, blo;
                  for (int64_t reg = 0; reg < 2; ++reg) {
                    Value k = addIdx(b, loc, q2, cst(b, loc, 16 * ks + 8 * reg));
                    Value p = pair(b, loc, rs, ValueRange{k, bCol},
                                   ValueRange{addIdx(b, loc, k, cst(b, loc, 1)), bCol});
                    auto [h2, l2] = split(b, loc, p);
                    bhi.push_back(h2);
                    blo.push_back(l2);
                  }
                  // Small terms first.
                  acc[j] = mma(b, loc, alo, bhi, acc[j], et);
                  acc[j] = mma(b, loc, ahi, blo, acc[j], et);
                  acc[j] = mma(b, loc, ahi, bhi, acc[j], et);
                }
              }
              for (int64_t j = 0; j < nPerWarp; ++j) {
                Value nCol = addIdx(b, loc, nBase, addIdx(b, loc, q2, cst(b, loc, 8 * j)));
                for (int64_t hi = 0; hi < 2; ++hi) {
                  Value stripRow = addIdx(b, loc, base,
                                          addIdx(b, loc, mRow, cst(b, loc, 8 * hi)));
                  Value v = vector::FromElementsOp::create(
                      b, loc, v2, ValueRange{acc[j][2 * hi], acc[j][2 * hi + 1]});
                  vector::StoreOp::create(b, loc, v, ss, ValueRange{stripRow, nCol},
                                          /*nontemporal=*/false, llvm::MaybeAlign(8));
                  Value rowIn = ult(b, loc, stripRow, strip.rows);
                  if (o.sRowsFromT) {
                    Value sAll = arith::CmpIOp::create(
                        b, loc, arith::CmpIPredicate::eq, o.sRowsFromT,
                        cst(b, loc, 0));
                    Value isLast = arith::CmpIOp::create(
                        b, loc, arith::CmpIPredicate::uge,
                        addIdx(b, loc, strip.r0, strip.rows), o.rows);
                    if (o.sTLast)
                      isLast = andI1(
                          b, loc, isLast,
                          arith::CmpIOp::create(b, loc,
                                                arith::CmpIPredicate::eq,
                                                o.sTLast, cst(b, loc, 0)));
                    rowIn = andI1(b, loc, rowIn,
                                  arith::OrIOp::create(b, loc, sAll, isLast));
                  }
                  Value absRow = addIdx(b, loc, strip.r0, stripRow);
                  for (int64_t i = 0; i < 2; ++i) {
                    Value col = addIdx(b, loc, colBase,
                                       addIdx(b, loc, nCol, cst(b, loc, i)));
                    buildIf(b, loc, andI1(b, loc, rowIn, ult(b, loc, col, o.dv)),
                            [&](OpBuilder &b, Location loc) {
                              storeF32(b, loc, acc[j][2 * hi + i], o.s,
                                       {bi, absRow, h, col});
                            });
                  }
                }
              }
            });
            // ss rows of the chunk and rs are read by the next chunk.
            barrier(b, loc);
          });
        // s transposed into sT for the later strips' wgmma cross-strip
        // products (not for the last strip, nor with a cache): column after
        // column, thread tid writes strip row tid (256 consecutive 16-bit
        // elements a column), the same rounding as s.
        if (o.sT) {
          Value notLast =
              ult(b, loc, addIdx(b, loc, strip.r0, strip.rows), o.rows);
          if (o.sTLast)
            notLast = arith::OrIOp::create(
                b, loc, notLast,
                arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne,
                                      o.sTLast, cst(b, loc, 0)));
          Value writeT = andI1(
              b, loc, notLast,
              arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, o.cache,
                                    cst(b, loc, 0)));
          buildIf(b, loc, andI1(b, loc, writeT, ult(b, loc, tid, strip.rows)),
                  [&](OpBuilder &b, Location loc) {
            Value absRow = addIdx(b, loc, strip.r0, tid);
            for (int64_t i = 0; i < nc; ++i) {
              Value col = addIdx(b, loc, colBase, cst(b, loc, i));
              buildIf(b, loc, ult(b, loc, col, o.dv),
                      [&](OpBuilder &b, Location loc) {
                Value v = memref::LoadOp::create(
                    b, loc, ss, ValueRange{tid, cst(b, loc, i)});
                storeF32(b, loc, v, o.sT, {bi, h, col, absRow});
              });
            }
          });
        }
    }
  }
}

/// Kernel 5 on tensor cores as a launch of its own (see above).
void buildIntraStripMma(OpBuilder &b, Location loc, const Operands &o,
                        const Strip &strip, Value splits, Type et, int64_t nc,
                        const IntraTail *tail = nullptr) {
  Value grid[] = {ceilDiv(b, loc, o.dv, cst(b, loc, nc)),
                  mulIdx(b, loc, o.batch, o.heads)};
  Value block[] = {cst(b, loc, kThreads)};
  Value poolBytes = arith::ConstantOp::create(
      b, loc, b.getI32IntegerAttr(intraStripMmaBytes(et, nc)));
  buildLaunch(
      b, loc, grid, block, {},
      [&](OpBuilder &b, Location loc, const LaunchIds &ids) {
        buildIntraStripMmaBody(b, loc, o, strip, splits, et, nc,
                               ids.dynamicShared, ids.threadId[0],
                               ids.blockId[0], ids.blockId[1], tail);
      },
      poolBytes);
}

/// Kernel 5 with the strip's whole inverse known (clStripInverse, up-front
/// path): s_i = Y_i rhs, rhs = f + the partials, Y_i's blocks Y[c][t], t <=
/// c, being X_c (o.inv) and the strictly lower blocks of `yStrip` [B, Hb,
/// 6, 64, 64] f32. No chain between the chunks: grid (ceil(dv / nc), B *
/// Hb), 256 threads, nc = 8, 16 or 32 value columns a block; all ten
/// blocks of the strip fetched at the start (one cp.async group) while rhs
/// is staged (stageRhs); warp w computes the 16-row tiles w and 15 - w of
/// the strip (chunks w / 4 and 3 - w / 4: five blocks of products for
/// every warp) for all the block's columns, s_rows = sum_{t <= c} Y[c][t]
/// rhs_t as three mma per tile on storage-type hi + lo parts of both
/// operands (about 16 mantissa bits; the small terms in accumulators of
/// their own). After a barrier s goes to shared memory (for sT), and to the
/// result as in buildIntraStripMma.
void buildIntraStripY(OpBuilder &b, Location loc, const Operands &o,
                      const Strip &strip, Value splits, Type et, int64_t nc,
                      Value yStrip) {
  const int64_t sRow = nc + 4;   // f32 per shared rhs / s row
  const int64_t nTiles = nc / 8; // n-tiles of a warp (all the columns)
  constexpr int64_t kYTiles = kChunks * (kChunks + 1) / 2; // 10
  Value grid[] = {ceilDiv(b, loc, o.dv, cst(b, loc, nc)),
                  mulIdx(b, loc, o.batch, o.heads)};
  Value block[] = {cst(b, loc, kThreads)};
  Type f32 = b.getF32Type();
  auto sType = workgroupMemRefType({kStrip, sRow}, f32);
  auto yType = workgroupMemRefType({kYTiles, kChunk, kARow}, f32);
  int64_t yOff = staticBytes(sType), total = yOff + staticBytes(yType);
  Value poolBytes = arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(total));
  buildLaunch(
      b, loc, grid, block, {},
      [&](OpBuilder &b, Location loc, const LaunchIds &ids) {
        Value ss = sharedView(b, loc, ids.dynamicShared, 0, sType);
        Value ys = sharedView(b, loc, ids.dynamicShared, yOff, yType);
        Value tid = ids.threadId[0];
        Value bi = divIdx(b, loc, ids.blockId[1], o.heads);
        Value h = remIdx(b, loc, ids.blockId[1], o.heads);
        Value colBase = mulIdx(b, loc, ids.blockId[0], cst(b, loc, nc));
        Value four = cst(b, loc, 4), one = cst(b, loc, 1);
        Value c64 = cst(b, loc, kChunk);
        // Block (c, t) of Y_i at ys[c (c + 1) / 2 + t].
        for (int64_t c = 0; c < kChunks; ++c) {
          buildIf(b, loc, ult(b, loc, cst(b, loc, c * kChunk), strip.rows),
                  [&](OpBuilder &b, Location loc) {
            Value cc = cst(b, loc, c);
            copyTile(
                b, loc, tid, ys, {cst(b, loc, c * (c + 1) / 2 + c)}, o.inv,
                [&](OpBuilder &b, Location loc, Value r, Value k) {
                  return SmallVector<Value>{bi, h, cc, r, k};
                },
                [&](OpBuilder &, Location, Value) { return four; });
            for (int64_t t = 0; t < c; ++t) {
              Value tile = cst(b, loc, c * (c - 1) / 2 + t);
              copyTile(
                  b, loc, tid, ys, {cst(b, loc, c * (c + 1) / 2 + t)}, yStrip,
                  [&](OpBuilder &b, Location loc, Value r, Value k) {
                    return SmallVector<Value>{bi, h, tile, r, k};
                  },
                  [&](OpBuilder &, Location, Value) { return four; });
            }
          });
        }
        NVVM::CpAsyncCommitGroupOp::create(b, loc);
        stageRhs(b, loc, o, strip, splits, ss, tid, bi, h, colBase, nc);
        NVVM::CpAsyncWaitGroupOp::create(b, loc, b.getI32IntegerAttr(0));
        barrier(b, loc);
        Value lane = remIdx(b, loc, tid, cst(b, loc, 32));
        Value warp = divIdx(b, loc, tid, cst(b, loc, 32));
        Value g = divIdx(b, loc, lane, four);
        Value q2 = mulIdx(b, loc, remIdx(b, loc, lane, four), cst(b, loc, 2));
        auto v2 = VectorType::get({2}, f32);
        auto v2e = VectorType::get({2}, et);
        auto asI32 = [&](OpBuilder &b, Location loc, Value t) {
          Value i = vector::BitCastOp::create(
              b, loc, VectorType::get({1}, b.getI32Type()), t);
          return vector::ExtractOp::create(b, loc, i, ArrayRef<int64_t>{0})
              .getResult();
        };
        auto split = [&](OpBuilder &b, Location loc, Value v) {
          Value hi = arith::TruncFOp::create(b, loc, v2e, v);
          Value rest = arith::SubFOp::create(
              b, loc, v, arith::ExtFOp::create(b, loc, v2, hi));
          Value lo = arith::TruncFOp::create(b, loc, v2e, rest);
          return std::make_pair(asI32(b, loc, hi), asI32(b, loc, lo));
        };
        // The warp's two row tiles: strip rows 16 rt .. 16 rt + 15.
        Value rts[2] = {warp, subIdx(b, loc, cst(b, loc, 15), warp)};
        SmallVector<SmallVector<Value>> results;
        for (Value rt : rts) {
          Value c = divIdx(b, loc, rt, four);
          Value mRow = addIdx(b, loc, mulIdx(b, loc, remIdx(b, loc, rt, four),
                                              cst(b, loc, 16)),
                              g);
          Value tileBase = divIdx(b, loc, mulIdx(b, loc, c, addIdx(b, loc, c, one)),
                                  cst(b, loc, 2));
          // Chunks past the strip's rows run no product.
          Value tEnd = arith::SelectOp::create(
              b, loc, ult(b, loc, mulIdx(b, loc, c, c64), strip.rows),
              addIdx(b, loc, c, one), cst(b, loc, 0));
          // acc: [big (hi hi) | small (lo hi, hi lo)] x nTiles x 4.
          SmallVector<Value> init(2 * nTiles * 4, cstF32(b, loc, 0.0));
          SmallVector<Value> acc = buildForWithValues(
              b, loc, cst(b, loc, 0), tEnd, one, init,
              [&](OpBuilder &b, Location loc, Value t, ValueRange accIn) {
                SmallVector<Value> next(accIn.begin(), accIn.end());
                Value yt = addIdx(b, loc, tileBase, t);
                Value kBase = mulIdx(b, loc, t, c64);
                for (int64_t ks = 0; ks < kChunk / 16; ++ks) {
                  SmallVector<Value> ahi, alo;
                  for (int64_t reg = 0; reg < 4; ++reg) {
                    Value r = addIdx(b, loc, mRow, cst(b, loc, (reg & 1) ? 8 : 0));
                    Value k = addIdx(b, loc, q2,
                                     cst(b, loc, 16 * ks + ((reg & 2) ? 8 : 0)));
                    Value v = vector::LoadOp::create(
                        b, loc, v2, ys, ValueRange{yt, r, k},
                        /*nontemporal=*/false, llvm::MaybeAlign(8));
                    auto [h2, l2] = split(b, loc, v);
                    ahi.push_back(h2);
                    alo.push_back(l2);
                  }
                  for (int64_t j = 0; j < nTiles; ++j) {
                    Value bCol = addIdx(b, loc, g, cst(b, loc, 8 * j));
                    SmallVector<Value> bhi, blo;
                    for (int64_t reg = 0; reg < 2; ++reg) {
                      Value k = addIdx(
                          b, loc, kBase,
                          addIdx(b, loc, q2, cst(b, loc, 16 * ks + 8 * reg)));
                      Value lo = memref::LoadOp::create(b, loc, ss,
                                                        ValueRange{k, bCol});
                      Value hi = memref::LoadOp::create(
                          b, loc, ss,
                          ValueRange{addIdx(b, loc, k, one), bCol});
                      Value p = vector::FromElementsOp::create(
                          b, loc, v2, ValueRange{lo, hi});
                      auto [h2, l2] = split(b, loc, p);
                      bhi.push_back(h2);
                      blo.push_back(l2);
                    }
                    ArrayRef<Value> big(next.data() + 4 * j, 4);
                    ArrayRef<Value> small(next.data() + 4 * (nTiles + j), 4);
                    SmallVector<Value> nb = mma(b, loc, ahi, bhi, big, et);
                    SmallVector<Value> ns = mma(b, loc, alo, bhi, small, et);
                    ns = mma(b, loc, ahi, blo, ns, et);
                    for (int64_t e = 0; e < 4; ++e) {
                      next[4 * j + e] = nb[e];
                      next[4 * (nTiles + j) + e] = ns[e];
                    }
                  }
                }
                return next;
              });
          SmallVector<Value> sum;
          for (int64_t e = 0; e < nTiles * 4; ++e)
            sum.push_back(arith::AddFOp::create(b, loc, acc[nTiles * 4 + e],
                                                acc[e]));
          results.push_back(sum);
        }
        // Every warp has read rhs: s replaces it in shared memory.
        barrier(b, loc);
        for (int64_t w = 0; w < 2; ++w) {
          Value rt = rts[w];
          Value rowBase = addIdx(b, loc, mulIdx(b, loc, rt, cst(b, loc, 16)), g);
          for (int64_t j = 0; j < nTiles; ++j) {
            Value nCol = addIdx(b, loc, q2, cst(b, loc, 8 * j));
            for (int64_t hi = 0; hi < 2; ++hi) {
              Value stripRow = addIdx(b, loc, rowBase, cst(b, loc, 8 * hi));
              Value x0 = results[w][4 * j + 2 * hi];
              Value x1 = results[w][4 * j + 2 * hi + 1];
              Value v = vector::FromElementsOp::create(b, loc, v2,
                                                       ValueRange{x0, x1});
              vector::StoreOp::create(b, loc, v, ss, ValueRange{stripRow, nCol},
                                      /*nontemporal=*/false,
                                      llvm::MaybeAlign(8));
              Value rowIn = ult(b, loc, stripRow, strip.rows);
              if (o.sRowsFromT)
                rowIn = andI1(
                    b, loc, rowIn,
                    arith::OrIOp::create(
                        b, loc,
                        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                              o.sRowsFromT, cst(b, loc, 0)),
                        arith::CmpIOp::create(
                            b, loc, arith::CmpIPredicate::uge,
                            addIdx(b, loc, strip.r0, strip.rows), o.rows)));
              Value absRow = addIdx(b, loc, strip.r0, stripRow);
              Value xs[2] = {x0, x1};
              for (int64_t i = 0; i < 2; ++i) {
                Value col = addIdx(b, loc, colBase,
                                   addIdx(b, loc, nCol, cst(b, loc, i)));
                buildIf(b, loc, andI1(b, loc, rowIn, ult(b, loc, col, o.dv)),
                        [&](OpBuilder &b, Location loc) {
                          storeF32(b, loc, xs[i], o.s, {bi, absRow, h, col});
                        });
              }
            }
          }
        }
        barrier(b, loc);
        // sT for the later strips' products (not for the last strip).
        Value writeT =
            ult(b, loc, addIdx(b, loc, strip.r0, strip.rows), o.rows);
        buildIf(b, loc, andI1(b, loc, writeT, ult(b, loc, tid, strip.rows)),
                [&](OpBuilder &b, Location loc) {
          Value absRow = addIdx(b, loc, strip.r0, tid);
          for (int64_t i = 0; i < nc; ++i) {
            Value col = addIdx(b, loc, colBase, cst(b, loc, i));
            buildIf(b, loc, ult(b, loc, col, o.dv),
                    [&](OpBuilder &b, Location loc) {
              Value v = memref::LoadOp::create(
                  b, loc, ss, ValueRange{tid, cst(b, loc, i)});
              storeF32(b, loc, v, o.sT, {bi, h, col, absRow});
            });
          }
        });
      },
      poolBytes);
}

/// `scf.if (cond) { then } else { else }` with no results (host code).
void ifElse(OpBuilder &b, Location loc, Value cond,
            llvm::function_ref<void(OpBuilder &, Location)> thenBody,
            llvm::function_ref<void(OpBuilder &, Location)> elseBody) {
  scf::IfOp::create(
      b, loc, cond,
      [&](OpBuilder &b, Location loc) {
        thenBody(b, loc);
        scf::YieldOp::create(b, loc);
      },
      [&](OpBuilder &b, Location loc) {
        elseBody(b, loc);
        scf::YieldOp::create(b, loc);
      });
}

/// `src` restricted to [offsets, offsets + sizes) (unit strides) with
/// dimension `drop` (of size 1) dropped.
Value dropDimView(OpBuilder &b, Location loc, Value src,
                  ArrayRef<Value> offsets, ArrayRef<Value> sizes,
                  int64_t drop) {
  auto srcType = cast<MemRefType>(src.getType());
  SmallVector<OpFoldResult> offs, szs, strides;
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < srcType.getRank(); ++i) {
    offs.push_back(offsets[i]);
    strides.push_back(b.getIndexAttr(1));
    if (i == drop) {
      szs.push_back(b.getIndexAttr(1));
      continue;
    }
    szs.push_back(sizes[i]);
    shape.push_back(ShapedType::kDynamic);
  }
  MemRefType type = memref::SubViewOp::inferRankReducedResultType(
      shape, srcType, offs, szs, strides);
  return memref::SubViewOp::create(b, loc, type, src, offs, szs, strides);
}

/// Kernel 1 on sm_90a: W[b, h, 0:rows, 0:keys] = qb[b, strip rows, h, :]
/// K[b, 0:keys, h, :]^T, unscaled (the softmax applies c), as wgmma GEMM
/// launches per head: one over the cached keys (if any), one over the new
/// ones. Every row gets all of the strip's keys (the softmax reads only the
/// visible ones).
void buildLogitsWgmma(OpBuilder &b, Location loc, const Operands &o,
                      const Strip &strip) {
  GemmOptions opts;
  opts.wgmma = true;
  opts.blockN = wgmmaN(clWgmmaLogitsN);
  opts.stages = wgmmaStages(clWgmmaLogitsStages);
  opts.smallM = 0;
  // Batched (rank-3) products: the cp.async wgmma kernel, not TMA.
  opts.tma = false;
  Value zero = cst(b, loc, 0), one = cst(b, loc, 1);
  Value curKeys = subIdx(b, loc, strip.keys, o.cache);
  buildFor(b, loc, zero, o.heads, one, [&](OpBuilder &b, Location loc, Value h) {
    Value a = dropDimView(b, loc, o.qb, {zero, strip.r0, h, zero},
                          {o.batch, strip.rows, one, o.dk}, 2);
    auto product = [&](Value keysBuf, Value keyBase, Value n, Value cBase) {
      Value k = dropDimView(b, loc, keysBuf, {zero, keyBase, h, zero},
                            {o.batch, n, one, o.dk}, 2);
      Value c = dropDimView(b, loc, o.work, {zero, h, zero, cBase},
                            {o.batch, one, strip.rows, n}, 1);
      LogicalResult ok = buildGemmLaunch(b, loc, a, k, c, /*transposeB=*/true,
                                         /*accumulate=*/false, opts);
      assert(succeeded(ok) && "wgmma logits product not supported");
      (void)ok;
    };
    if (o.kbPrev)
      product(o.kbPrev, zero, o.cache, zero);
    product(o.kb, zero, curKeys, o.cache);
  });
}

/// Kernel 3 on sm_90a (no cache; strips after the first solved from sT):
/// partial[split, b, h, 0:rows, :] = prob[b, h, 0:rows, keys of the split]
/// sT[b, h, :, keys of the split]^T as one wgmma GEMM launch per head, its
/// k range split into `splits` (GemmOptions::splitK). The strip's inverses
/// X_c run first in a launch of their own (kernel 4, grid (chunks, Hb, B));
/// with -sessa-gpu-feedback-wgmma-inverse-launch=0 in one more column of
/// the product's blocks instead (those of block row 0 and split 0, one per
/// batch; GemmExtraBlocks). With no solved key (the first strip) the
/// intra-strip kernel reads no partial: no product is launched (with the
/// extra blocks, one over 8 keys of no meaning, for the inverses).
void buildRhsWgmma(OpBuilder &b, Location loc, const Operands &o,
                   const Strip &strip, Value splits, bool inverses = true) {
  GemmOptions opts;
  opts.wgmma = true;
  opts.blockN = wgmmaN(clWgmmaRhsN);
  opts.stages = wgmmaStages(clWgmmaRhsStages);
  opts.smallM = 0;
  // Batched (rank-3) products: the cp.async wgmma kernel, not TMA.
  opts.tma = false;
  opts.splitK = true;
  Value zero = cst(b, loc, 0), one = cst(b, loc, 1);
  Value kUsed = maxIndex(b, loc, strip.solved, cst(b, loc, 8));
  Type f32 = b.getF32Type();
  int64_t dyn = ShapedType::kDynamic;
  auto cType = MemRefType::get(
      {dyn, dyn, dyn}, f32,
      StridedLayoutAttr::get(b.getContext(), dyn, {dyn, dyn, 1}));
  Value rowsDv = mulIdx(b, loc, o.stripPad, o.dv);
  const bool inverseLaunch = clWgmmaInverseLaunch || !inverses;
  if (clWgmmaInverseLaunch && inverses)
    buildInverse(b, loc, o, strip);
  buildFor(b, loc, zero, o.heads, one, [&](OpBuilder &b, Location loc, Value h) {
    Value a = dropDimView(b, loc, o.prob, {zero, h, zero, zero},
                          {o.batch, one, strip.rows, kUsed}, 1);
    Value bm = dropDimView(b, loc, o.sT, {zero, h, zero, zero},
                           {o.batch, one, o.dv, kUsed}, 1);
    SmallVector<OpFoldResult> sizes = {mulIdx(b, loc, splits, o.batch),
                                       strip.rows, o.dv};
    SmallVector<OpFoldResult> strides = {mulIdx(b, loc, o.heads, rowsDv), o.dv,
                                         b.getIndexAttr(1)};
    Value c = memref::ReinterpretCastOp::create(
        b, loc, cType, o.partial, OpFoldResult(mulIdx(b, loc, h, rowsDv)),
        sizes, strides);
    GemmExtraBlocks extra;
    extra.columns = arith::SelectOp::create(
        b, loc, ult(b, loc, one, strip.rows), one, zero);
    extra.sharedBytes = (kStrip / kChunk) * kChunk * kARow * 4;
    extra.body = [&o, &strip, h](OpBuilder &b, Location loc, Value pool,
                                 Value tid, Value, Value by, Value bz) {
      Value first = andI1(
          b, loc,
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, by,
                                cst(b, loc, 0)),
          ult(b, loc, bz, o.batch));
      buildIf(b, loc, first, [&](OpBuilder &b, Location loc) {
        buildInverseBlock(b, loc, o, strip, pool, tid, bz, h, kStrip / kChunk);
      });
    };
    auto product = [&](OpBuilder &b, Location loc) {
      LogicalResult ok = buildGemmLaunch(
          b, loc, a, bm, c, /*transposeB=*/true, /*accumulate=*/false, opts,
          {}, inverseLaunch ? nullptr : &extra);
      assert(succeeded(ok) && "wgmma cross-strip product not supported");
      (void)ok;
    };
    // With the inverses launched apart, the first strip (nothing solved,
    // its partials never read) launches no product.
    if (inverseLaunch)
      buildIf(b, loc, ult(b, loc, zero, strip.solved), product);
    else
      product(b, loc);
  });
}

//===----------------------------------------------------------------------===//
// The up-front path (sm_90a, 16-bit storage, no cache): see the header.
//===----------------------------------------------------------------------===//

/// Buffers and sizes of the up-front path.
struct Upfront {
  int64_t passN;  // keys per block of the passes and per statistics tile
  Value R;        // rows of a strip slot: min(kStrip, T) rounded up to 64
  Value cps;      // chunks a strip slot: R / 64
  Value nS;       // strips: ceil(T / R)
  Value lastR0;   // first row of the last strip
  Value slot;     // elements of one [B, Hb, R, R] block
  Value statMax;  // [Hb, key tiles, B, T] f32: per-tile row max (tile 0:
                  // the row's max after the combine)
  Value statSum;  // same: per-tile sum of exp (tile 0: gamma / sum after)
  Value probFlat; // memref<?xST>: strip i's prob [B, Hb, R, i R] (keys
                  // before the strip) at element slot * i (i - 1) / 2
  Value d16Raw;   // i8: [nS, B, Hb, R, R] ST, the strips' own-key blocks
  Value d32Raw;   // i8: [nS, B, Hb, cps, 64, 64] f32, the diagonal chunk
                  // blocks, then (in place) their inverses X_c
  Value d16Flat, d32Flat;
  Value yRaw;     // i8 (clStripInverse): [nS, B, Hb, 6, 64, 64] f32, the
                  // strictly lower blocks Y[c][t] (t < c) of the strips'
                  // inverses (I - L_i)^-1, block c (c - 1) / 2 + t
};

/// The (T, T) product qb K^T of one head on wgmma (64-key tiles, the
/// strictly upper block tiles skipped), its accumulators handed to `body`
/// (GemmFragmentEpilogue) with the head index.
void buildLogitsPass(
    OpBuilder &b, Location loc, const Operands &o, const Upfront &u,
    llvm::function_ref<void(OpBuilder &, Location, Value h, Value bi,
                            Value row0, Value col0, ValueRange acc)>
        body) {
  GemmOptions opts;
  opts.wgmma = true;
  opts.blockN = u.passN;
  opts.stages = clPassStages > 0 ? wgmmaStages(clPassStages)
                : u.passN == 64  ? 6
                : u.passN == 128 ? 5
                                 : 4;
  opts.smallM = 0;
  // TMA (GemmKernel.cpp: batch folded into the maps' rows, the lower tiles
  // enumerated by the persistent scheduler; cp.async fallback without maps).
  opts.tma = clPassTma;
  opts.tmaPingpong = clPassPingpong;
  Value zero = cst(b, loc, 0), one = cst(b, loc, 1);
  int64_t dyn = ShapedType::kDynamic;
  auto cType = MemRefType::get(
      {dyn, dyn, dyn}, b.getF32Type(),
      StridedLayoutAttr::get(b.getContext(), dyn, {dyn, dyn, 1}));
  buildFor(b, loc, zero, o.heads, one, [&](OpBuilder &b, Location loc, Value h) {
    Value a = dropDimView(b, loc, o.qb, {zero, zero, h, zero},
                          {o.batch, o.rows, one, o.dk}, 2);
    Value k = dropDimView(b, loc, o.kb, {zero, zero, h, zero},
                          {o.batch, o.rows, one, o.dk}, 2);
    // C only sizes the launch (B x T x T); the fragment body stores.
    SmallVector<OpFoldResult> sizes = {o.batch, o.rows, o.rows};
    SmallVector<OpFoldResult> strides = {mulIdx(b, loc, o.rows, o.rows), o.rows,
                                         b.getIndexAttr(1)};
    Value c = memref::ReinterpretCastOp::create(b, loc, cType, u.statMax,
                                                OpFoldResult(zero), sizes,
                                                strides);
    GemmFragmentEpilogue frag;
    frag.lowerOnly = true;
    frag.body = [&](OpBuilder &b, Location loc, Value bi, Value row0,
                    Value col0, ValueRange acc) {
      body(b, loc, h, bi, row0, col0, acc);
    };
    LogicalResult ok = buildGemmLaunch(b, loc, a, k, c, /*transposeB=*/true,
                                       /*accumulate=*/false, opts, {}, nullptr,
                                       &frag);
    assert(succeeded(ok) && "wgmma logits pass not supported");
    (void)ok;
  });
}

/// Where row r's keys go (pass 2, and pass 1 of the one-pass path): strip
/// i = r / R (rows [r0, r0 + R)), chunk cr of the strip; keys j < r0 to the
/// strip's 16-bit prob row (r0 keys at probRow), keys of the strip's earlier
/// chunks to its 16-bit own-key block row (64 cr keys at d16Row), keys of
/// the row's own chunk to its f32 diagonal block row (64 keys at d32Row).
struct RowDest {
  Value r0, cr, probRow, d16Row, d32Row;
};
RowDest rowDest(OpBuilder &b, Location loc, const Operands &o,
                const Upfront &u, Value h, Value bi, Value rc) {
  Value one = cst(b, loc, 1), c64 = cst(b, loc, kChunk);
  RowDest d;
  Value i = divIdx(b, loc, rc, u.R);
  d.r0 = mulIdx(b, loc, i, u.R);
  Value rr = subIdx(b, loc, rc, d.r0);
  d.cr = divIdx(b, loc, rr, c64);
  Value bhIdx = addIdx(b, loc, mulIdx(b, loc, bi, o.heads), h);
  Value ibh = addIdx(b, loc, mulIdx(b, loc, mulIdx(b, loc, i, o.batch), o.heads),
                     bhIdx);
  Value tri = divIdx(b, loc, mulIdx(b, loc, i, subIdx(b, loc, i, one)),
                     cst(b, loc, 2));
  d.probRow = addIdx(
      b, loc, mulIdx(b, loc, u.slot, tri),
      mulIdx(b, loc, addIdx(b, loc, mulIdx(b, loc, bhIdx, u.R), rr), d.r0));
  d.d16Row = addIdx(b, loc, mulIdx(b, loc, ibh, mulIdx(b, loc, u.R, u.R)),
                    mulIdx(b, loc, rr, u.R));
  d.d32Row = mulIdx(
      b, loc,
      addIdx(b, loc,
             mulIdx(b, loc, addIdx(b, loc, mulIdx(b, loc, ibh, u.cps), d.cr),
                    c64),
             remIdx(b, loc, rr, c64)),
      c64);
  return d;
}

/// Stores the f32 pair `pair32` of keys j, j + 1 (j even; 64-key chunks
/// never split a pair) of a row with destinations `d`: 16-bit into prob or
/// the own-key block (as f16 bits when `f16Bits`, else in the storage type
/// `et`), f32 into the diagonal block; keys of later chunks are dropped.
void storeKeyPair(OpBuilder &b, Location loc, const Upfront &u,
                  const RowDest &d, Value j, Value pair32, Type et,
                  bool f16Bits) {
  Value c64 = cst(b, loc, kChunk);
  auto store16 = [&](OpBuilder &b, Location loc, Value mem, Value idx) {
    Value v;
    if (f16Bits && !et.isF16()) {
      v = arith::TruncFOp::create(b, loc, VectorType::get({2}, b.getF16Type()),
                                  pair32);
      v = vector::BitCastOp::create(b, loc, VectorType::get({2}, et), v);
    } else {
      v = arith::TruncFOp::create(b, loc, VectorType::get({2}, et), pair32);
    }
    vector::StoreOp::create(b, loc, v, mem, ValueRange{idx},
                            /*nontemporal=*/false, llvm::MaybeAlign(4));
  };
  ifElse(
      b, loc, ult(b, loc, j, d.r0),
      [&](OpBuilder &b, Location loc) {
        store16(b, loc, u.probFlat, addIdx(b, loc, d.probRow, j));
      },
      [&](OpBuilder &b, Location loc) {
        Value jj = subIdx(b, loc, j, d.r0);
        Value cj = divIdx(b, loc, jj, c64);
        ifElse(
            b, loc,
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, cj, d.cr),
            [&](OpBuilder &b, Location loc) {
              vector::StoreOp::create(
                  b, loc, pair32, u.d32Flat,
                  ValueRange{addIdx(b, loc, d.d32Row, remIdx(b, loc, jj, c64))},
                  /*nontemporal=*/false, llvm::MaybeAlign(8));
            },
            [&](OpBuilder &b, Location loc) {
              buildIf(b, loc, ult(b, loc, cj, d.cr),
                      [&](OpBuilder &b, Location loc) {
                        store16(b, loc, u.d16Flat, addIdx(b, loc, d.d16Row, jj));
                      });
            });
      });
}

/// The exponentials of one row's 32-key group (keys g0 .. g0 + 31, g0 a
/// multiple of 32; the quad's lane q holds keys g0 + 8 k + 2 q, + 1 as
/// `pairs[k]`, k < 4): the quad transposes its 16-bit pairs (two xor-shuffle
/// stages, all lanes; packed as i32) so that lane q holds keys g0 + 8 q ..
/// g0 + 8 q + 7, then, where `rIn`, stores them as one 16-byte vector into
/// prob or the own-key block, or the f32 pairs into the diagonal block (a
/// 64-key chunk never splits a group). `q`: the lane's index in its quad.
void storeKeyGroup(OpBuilder &b, Location loc, const Upfront &u,
                   const RowDest &d, Value g0, Value q, Value rIn,
                   ArrayRef<Value> pairs, Type et, bool f16Bits) {
  Type i32 = b.getI32Type();
  Type h16 = f16Bits ? b.getF16Type() : et;
  SmallVector<Value> w;
  for (Value pair : pairs) {
    Value v = arith::TruncFOp::create(b, loc, VectorType::get({2}, h16), pair);
    v = vector::BitCastOp::create(b, loc, VectorType::get({1}, i32), v);
    w.push_back(vector::ExtractOp::create(b, loc, v, ArrayRef<int64_t>{0}));
  }
  // Stage m: of each slot pair {k, k ^ m}, the slot whose bit m differs from
  // q's goes to the partner lane q ^ m, which puts it in the same place.
  for (int64_t m : {1, 2}) {
    Value bit = arith::CmpIOp::create(
        b, loc, arith::CmpIPredicate::ne,
        arith::AndIOp::create(b, loc, q, cst(b, loc, m)), cst(b, loc, 0));
    for (int64_t k = 0; k < 4; ++k) {
      if (k & m)
        continue;
      Value send = arith::SelectOp::create(b, loc, bit, w[k], w[k ^ m]);
      Value recv = gpu::ShuffleOp::create(b, loc, send, m, 32,
                                          gpu::ShuffleMode::XOR)
                       .getShuffleResult();
      Value lo = arith::SelectOp::create(b, loc, bit, recv, w[k]);
      Value hi = arith::SelectOp::create(b, loc, bit, w[k ^ m], recv);
      w[k] = lo;
      w[k ^ m] = hi;
    }
  }
  Value vec = vector::FromElementsOp::create(
      b, loc, VectorType::get({4}, i32), w);
  vec = vector::BitCastOp::create(b, loc, VectorType::get({8}, et), vec);
  Value c64 = cst(b, loc, kChunk);
  Value q8 = mulIdx(b, loc, q, cst(b, loc, 8));
  auto store16 = [&](OpBuilder &b, Location loc, Value mem, Value idx) {
    vector::StoreOp::create(b, loc, vec, mem, ValueRange{idx},
                            /*nontemporal=*/false, llvm::MaybeAlign(16));
  };
  buildIf(b, loc, rIn, [&](OpBuilder &b, Location loc) {
    ifElse(
        b, loc, ult(b, loc, g0, d.r0),
        [&](OpBuilder &b, Location loc) {
          store16(b, loc, u.probFlat,
                  addIdx(b, loc, d.probRow, addIdx(b, loc, g0, q8)));
        },
        [&](OpBuilder &b, Location loc) {
          Value jj = subIdx(b, loc, g0, d.r0);
          Value cj = divIdx(b, loc, jj, c64);
          ifElse(
              b, loc,
              arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, cj, d.cr),
              [&](OpBuilder &b, Location loc) {
                Value base = addIdx(
                    b, loc, addIdx(b, loc, d.d32Row, remIdx(b, loc, jj, c64)),
                    mulIdx(b, loc, q, cst(b, loc, 2)));
                for (int64_t k = 0; k < 4; ++k)
                  vector::StoreOp::create(
                      b, loc, pairs[k], u.d32Flat,
                      ValueRange{addIdx(b, loc, base, cst(b, loc, 8 * k))},
                      /*nontemporal=*/false, llvm::MaybeAlign(8));
              },
              [&](OpBuilder &b, Location loc) {
                buildIf(b, loc, ult(b, loc, cj, d.cr),
                        [&](OpBuilder &b, Location loc) {
                          store16(b, loc, u.d16Flat,
                                  addIdx(b, loc, d.d16Row, addIdx(b, loc, jj, q8)));
                        });
              });
        });
  });
}

/// Pass 1: per (row, key tile) max m_t and sum of exp(c x - m_t) over the
/// keys j < row (a quad's four lanes share a row: xor shuffles), into
/// statMax / statSum [h, tile, b, row]. With `expType` (the one-pass path),
/// the tile-relative exponentials e = exp(c x - m_t) (0 for j >= row) too,
/// by key pairs where pass 2 would store the probabilities (storeKeyPair:
/// 16-bit slots as f16 bits when `f16Bits`, else in `expType`); the rescale
/// launch (buildRescale) turns them into probabilities in place.
void buildStatsPass(OpBuilder &b, Location loc, const Operands &o,
                    const Upfront &u, Type expType = Type(),
                    bool f16Bits = false) {
  buildLogitsPass(b, loc, o, u, [&](OpBuilder &b, Location loc, Value h,
                                    Value bi, Value row0, Value col0,
                                    ValueRange acc) {
    // 32-key groups of 16-bit stores (the passes' tiles are multiples of 32
    // keys wide).
    const bool wide = expType && clOnePassWide && u.passN % 32 == 0;
    Value cS = cstF32(b, loc, o.scale);
    Value tile = divIdx(b, loc, col0, cst(b, loc, u.passN));
    Value lead = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                       remIdx(b, loc, col0, cst(b, loc, 8)),
                                       cst(b, loc, 0));
    Value zeroF = cstF32(b, loc, 0.0);
    for (int64_t hh = 0; hh < 2; ++hh) {
      Value r = addIdx(b, loc, row0, cst(b, loc, 8 * hh));
      SmallVector<Value> xs, vis, es;
      Value m = cstF32(b, loc, -1.0e30);
      for (int64_t nt = 0; nt < u.passN / 8; ++nt)
        for (int64_t e = 0; e < 2; ++e) {
          Value j = addIdx(b, loc, col0, cst(b, loc, 8 * nt + e));
          Value x = arith::MulFOp::create(b, loc, acc[nt * 4 + 2 * hh + e], cS);
          Value v = ult(b, loc, j, r);
          xs.push_back(x);
          vis.push_back(v);
          m = arith::SelectOp::create(
              b, loc, v, arith::MaximumFOp::create(b, loc, m, x), m);
        }
      m = laneGroupReduceMax(b, loc, m, 4);
      // One pass: each exponential pair stored as soon as computed (holding
      // all of them until after the sum spills at 256 keys).
      Value rIn, q, two;
      RowDest d;
      SmallVector<Value, 4> pairs;
      if (wide) {
        two = cst(b, loc, 2);
        q = divIdx(b, loc, remIdx(b, loc, col0, cst(b, loc, 8)), two);
      }
      if (expType) {
        rIn = ult(b, loc, r, o.rows);
        d = rowDest(b, loc, o, u, h, bi,
                    minIndex(b, loc, r, subIdx(b, loc, o.rows, cst(b, loc, 1))));
      }
      Value sum = zeroF;
      for (size_t i = 0; i < xs.size(); ++i) {
        Value e = math::ExpOp::create(b, loc,
                                      arith::SubFOp::create(b, loc, xs[i], m));
        es.push_back(arith::SelectOp::create(b, loc, vis[i], e, zeroF));
        sum = arith::AddFOp::create(b, loc, sum, es.back());
        if (!expType || i % 2 == 0)
          continue;
        Value pair32 = vector::FromElementsOp::create(
            b, loc, VectorType::get({2}, b.getF32Type()),
            ValueRange{es[i - 1], es[i]});
        if (wide) {
          // Every fourth key pair: the 32-key group, transposed in the quad.
          pairs.push_back(pair32);
          if (pairs.size() < 4)
            continue;
          Value g0 = addIdx(b, loc, subIdx(b, loc, col0, mulIdx(b, loc, q, two)),
                            cst(b, loc, 32 * (i / 8)));
          storeKeyGroup(b, loc, u, d, g0, q, rIn, pairs, expType, f16Bits);
          pairs.clear();
          continue;
        }
        Value j = addIdx(b, loc, col0, cst(b, loc, 8 * (i / 2)));
        buildIf(b, loc, rIn, [&](OpBuilder &b, Location loc) {
          storeKeyPair(b, loc, u, d, j, pair32, expType, f16Bits);
        });
      }
      sum = laneGroupReduceSum(b, loc, sum, 4);
      if (!expType)
        rIn = ult(b, loc, r, o.rows);
      buildIf(b, loc, andI1(b, loc, lead, rIn),
              [&](OpBuilder &b, Location loc) {
                memref::StoreOp::create(b, loc, m, u.statMax,
                                        ValueRange{h, tile, bi, r});
                memref::StoreOp::create(b, loc, sum, u.statSum,
                                        ValueRange{h, tile, bi, r});
              });
    }
  });
}

/// Row r's softmax statistics from its key tiles' (statMax / statSum of
/// pass 1): this thread merges tiles t = first, first + step, ... < end
/// into a running max m and sum l = sum_t S_t exp(m_t - m); `reduceMax` /
/// `reduceSum` combine the threads sharing the row. Returns M_r and L_r =
/// sum_t S_t exp(m_t - M_r).
std::pair<Value, Value> mergeTileStats(
    OpBuilder &b, Location loc, const Upfront &u, Value h, Value bi, Value r,
    Value first, Value end, Value step,
    llvm::function_ref<Value(OpBuilder &, Location, Value)> reduceMax,
    llvm::function_ref<Value(OpBuilder &, Location, Value)> reduceSum) {
  SmallVector<Value> ms = buildForWithValues(
      b, loc, first, end, step,
      ValueRange{cstF32(b, loc, -3.0e38), cstF32(b, loc, 0.0)},
      [&](OpBuilder &b, Location loc, Value t, ValueRange acc) {
        Value mt =
            memref::LoadOp::create(b, loc, u.statMax, ValueRange{h, t, bi, r});
        Value st =
            memref::LoadOp::create(b, loc, u.statSum, ValueRange{h, t, bi, r});
        Value m = arith::MaximumFOp::create(b, loc, acc[0], mt);
        Value l = arith::AddFOp::create(
            b, loc,
            arith::MulFOp::create(
                b, loc, acc[1],
                math::ExpOp::create(b, loc,
                                    arith::SubFOp::create(b, loc, acc[0], m))),
            arith::MulFOp::create(
                b, loc, st,
                math::ExpOp::create(b, loc,
                                    arith::SubFOp::create(b, loc, mt, m))));
        return SmallVector<Value>{m, l};
      });
  Value mx = reduceMax(b, loc, ms[0]);
  Value part = arith::MulFOp::create(
      b, loc, ms[1],
      math::ExpOp::create(b, loc, arith::SubFOp::create(b, loc, ms[0], mx)));
  return {mx, reduceSum(b, loc, part)};
}

/// Combine: row r's max M over its tiles t < ceil(r / passN) and its sum
/// L = sum_t S_t exp(M_t - M), four threads a row (tiles t = q, q + 4, ...
/// each with a running max and sum, then merged across the quad by
/// shuffles); M into statMax[h, 0, b, r], gamma_r / max(L, 1) into
/// statSum[h, 0, b, r] (an empty row gets gamma_r and is never used).
void buildRowStats(OpBuilder &b, Location loc, const Operands &o,
                   const Upfront &u) {
  constexpr int64_t kPerRow = 4;
  Value grid[] = {ceilDiv(b, loc, o.rows, cst(b, loc, kThreads / kPerRow)),
                  o.heads, o.batch};
  Value block[] = {cst(b, loc, kThreads)};
  buildLaunch(b, loc, grid, block, {},
              [&](OpBuilder &b, Location loc, const LaunchIds &ids) {
    Value tid = ids.threadId[0];
    Value q = remIdx(b, loc, tid, cst(b, loc, kPerRow));
    Value r = addIdx(
        b, loc, mulIdx(b, loc, ids.blockId[0], cst(b, loc, kThreads / kPerRow)),
        divIdx(b, loc, tid, cst(b, loc, kPerRow)));
    Value h = ids.blockId[1], bi = ids.blockId[2];
    Value rIn = ult(b, loc, r, o.rows);
    Value rc = minIndex(b, loc, r, subIdx(b, loc, o.rows, cst(b, loc, 1)));
    // Rows past T run no tile (their lanes still shuffle).
    Value nt = arith::SelectOp::create(
        b, loc, rIn, ceilDiv(b, loc, r, cst(b, loc, u.passN)), cst(b, loc, 0));
    auto [mxV, sumV] = mergeTileStats(
        b, loc, u, h, bi, rc, q, nt, cst(b, loc, kPerRow),
        [](OpBuilder &b, Location loc, Value v) {
          return laneGroupReduceMax(b, loc, v, kPerRow);
        },
        [](OpBuilder &b, Location loc, Value v) {
          return laneGroupReduceSum(b, loc, v, kPerRow);
        });
    Value mx = mxV, sum = sumV;
    Value lead = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, q,
                                       cst(b, loc, 0));
    buildIf(b, loc, andI1(b, loc, rIn, lead), [&](OpBuilder &b, Location loc) {
      Value zero = cst(b, loc, 0);
      Value gamma = loadF32(b, loc, o.gamma, {bi, r, h});
      Value factor = arith::DivFOp::create(
          b, loc, gamma,
          arith::MaximumFOp::create(b, loc, sum, cstF32(b, loc, 1.0)));
      memref::StoreOp::create(b, loc, mx, u.statMax, ValueRange{h, zero, bi, r});
      memref::StoreOp::create(b, loc, factor, u.statSum,
                              ValueRange{h, zero, bi, r});
    });
  });
}

/// Pass 2: the same product again; element (r, j), j < r, becomes p =
/// gamma_r exp(c x - M_r) / L_r (0 for j >= r), stored by pairs of keys
/// (64-key tiles never straddle a region) into strip i = r / R's prob (j <
/// i R; 16-bit), its diagonal chunk block (f32, for the inverses) or its
/// own earlier-chunk keys (16-bit, for the intra-strip products).
void buildProbPass(OpBuilder &b, Location loc, const Operands &o,
                   const Upfront &u, Type et) {
  buildLogitsPass(b, loc, o, u, [&](OpBuilder &b, Location loc, Value h,
                                    Value bi, Value row0, Value col0,
                                    ValueRange acc) {
    Type f32 = b.getF32Type();
    Value cS = cstF32(b, loc, o.scale);
    Value zeroF = cstF32(b, loc, 0.0);
    Value one = cst(b, loc, 1);
    Value lastRow = subIdx(b, loc, o.rows, one);
    for (int64_t hh = 0; hh < 2; ++hh) {
      Value r = addIdx(b, loc, row0, cst(b, loc, 8 * hh));
      Value rc = minIndex(b, loc, r, lastRow);
      Value mx = memref::LoadOp::create(b, loc, u.statMax,
                                        ValueRange{h, cst(b, loc, 0), bi, rc});
      Value factor = memref::LoadOp::create(
          b, loc, u.statSum, ValueRange{h, cst(b, loc, 0), bi, rc});
      RowDest d = rowDest(b, loc, o, u, h, bi, rc);
      buildIf(b, loc, ult(b, loc, r, o.rows), [&](OpBuilder &b, Location loc) {
        for (int64_t nt = 0; nt < u.passN / 8; ++nt) {
          Value j = addIdx(b, loc, col0, cst(b, loc, 8 * nt));
          SmallVector<Value> p;
          for (int64_t e = 0; e < 2; ++e) {
            Value x = arith::MulFOp::create(b, loc, acc[nt * 4 + 2 * hh + e], cS);
            Value w = arith::MulFOp::create(
                b, loc,
                math::ExpOp::create(b, loc, arith::SubFOp::create(b, loc, x, mx)),
                factor);
            p.push_back(arith::SelectOp::create(
                b, loc, ult(b, loc, addIdx(b, loc, j, cst(b, loc, e)), r), w,
                zeroF));
          }
          Value pair32 = vector::FromElementsOp::create(
              b, loc, VectorType::get({2}, f32), p);
          storeKeyPair(b, loc, u, d, j, pair32, et, /*f16Bits=*/false);
        }
      });
    }
  });
}

/// The one-pass path's second launch (after pass 1 stored the
/// tile-relative exponentials e = exp(c x - m_t)): per row r, M_r = max_t
/// m_t and L_r = sum_t S_t exp(m_t - M_r) over its key tiles t <
/// ceil(r / passN) (as buildRowStats), then every stored value of the row
/// in place times gamma_r / max(L_r, 1) exp(m_t - M_r), t the key's tile:
/// the 16-bit prob and own-key runs (e read as f16 bits when `f16Bits`,
/// written in the storage type `et`) and the f32 diagonal block row, i.e.
/// exactly what pass 2 writes. Grid (ceil(T / 8), Hb, B) of 256 threads, a
/// warp a row (the longest rows in the first blocks); the runs are
/// contiguous and start 16-byte aligned (multiples of 64 keys): 16-byte
/// loads and stores, four a lane in flight (1024 keys a warp step).
void buildRescale(OpBuilder &b, Location loc, const Operands &o,
                  const Upfront &u, Type et, bool f16Bits) {
  constexpr int64_t kRowsPerBlock = kThreads / 32;
  constexpr int64_t kVec = 8;             // 16-bit elements a 16-byte access
  constexpr int64_t kWarpKeys = 32 * kVec; // 256
  constexpr int64_t kUnroll = 4;
  Type f32 = b.getF32Type();
  Value rowBlocks = ceilDiv(b, loc, o.rows, cst(b, loc, kRowsPerBlock));
  Value grid[] = {rowBlocks, o.heads, o.batch};
  Value block[] = {cst(b, loc, kThreads)};
  buildLaunch(b, loc, grid, block, {},
              [&](OpBuilder &b, Location loc, const LaunchIds &ids) {
    Value zero = cst(b, loc, 0), one = cst(b, loc, 1);
    Value tid = ids.threadId[0];
    Value lane = remIdx(b, loc, tid, cst(b, loc, 32));
    Value warp = divIdx(b, loc, tid, cst(b, loc, 32));
    Value rb = subIdx(b, loc, subIdx(b, loc, rowBlocks, one), ids.blockId[0]);
    Value r = addIdx(b, loc, mulIdx(b, loc, rb, cst(b, loc, kRowsPerBlock)),
                     warp);
    Value h = ids.blockId[1], bi = ids.blockId[2];
    Value passN = cst(b, loc, u.passN);
    // Warp-uniform: a row past T does nothing.
    buildIf(b, loc, ult(b, loc, r, o.rows), [&](OpBuilder &b, Location loc) {
      Value nt = ceilDiv(b, loc, r, passN);
      auto [mxV, sumV] = mergeTileStats(
          b, loc, u, h, bi, r, lane, nt, cst(b, loc, 32),
          [](OpBuilder &b, Location loc, Value v) {
            return warpReduceMax(b, loc, v);
          },
          [](OpBuilder &b, Location loc, Value v) {
            return warpReduceSum(b, loc, v);
          });
      Value mx = mxV, sum = sumV;
      Value gamma = loadF32(b, loc, o.gamma, {bi, r, h});
      Value factor = arith::DivFOp::create(
          b, loc, gamma,
          arith::MaximumFOp::create(b, loc, sum, cstF32(b, loc, 1.0)));
      // The factor of key j's tile t (< nt for every stored nonzero e).
      auto scaleOf = [&](OpBuilder &b, Location loc, Value j) {
        Value t = divIdx(b, loc, j, passN);
        Value mt = memref::LoadOp::create(b, loc, u.statMax,
                                          ValueRange{h, t, bi, r});
        return arith::MulFOp::create(
                   b, loc, factor,
                   math::ExpOp::create(b, loc,
                                       arith::SubFOp::create(b, loc, mt, mx)))
            .getResult();
      };
      RowDest d = rowDest(b, loc, o, u, h, bi, r);
      auto v16 = VectorType::get({kVec}, et);
      auto vIn = VectorType::get({kVec}, f16Bits ? b.getF16Type() : et);
      auto v32 = VectorType::get({kVec}, f32);
      auto load16 = [&](OpBuilder &b, Location loc, Value mem, Value idx) {
        return vector::LoadOp::create(b, loc, v16, mem, ValueRange{idx},
                                      /*nontemporal=*/false,
                                      llvm::MaybeAlign(16))
            .getResult();
      };
      auto scaleStore16 = [&](OpBuilder &b, Location loc, Value mem, Value idx,
                              Value raw, Value s) {
        Value x = raw;
        if (vIn != v16)
          x = vector::BitCastOp::create(b, loc, vIn, x);
        x = arith::ExtFOp::create(b, loc, v32, x);
        x = arith::MulFOp::create(
            b, loc, x, vector::BroadcastOp::create(b, loc, v32, s));
        vector::StoreOp::create(b, loc, arith::TruncFOp::create(b, loc, v16, x),
                                mem, ValueRange{idx}, /*nontemporal=*/false,
                                llvm::MaybeAlign(16));
      };
      Value laneOff = mulIdx(b, loc, lane, cst(b, loc, kVec));
      // A 16-bit run of n keys (a multiple of 8) at mem[base..], key j0 + k
      // at element k: kUnroll whole warp steps at a time, then single ones.
      auto run16 = [&](Value mem, Value base, Value n, Value j0) {
        Value whole = mulIdx(
            b, loc, divIdx(b, loc, n, cst(b, loc, kUnroll * kWarpKeys)),
            cst(b, loc, kUnroll * kWarpKeys));
        buildFor(b, loc, zero, whole, cst(b, loc, kUnroll * kWarpKeys),
                 [&](OpBuilder &b, Location loc, Value k0) {
          SmallVector<Value> ks, raws;
          for (int64_t u2 = 0; u2 < kUnroll; ++u2) {
            ks.push_back(addIdx(b, loc, k0,
                                addIdx(b, loc, laneOff,
                                       cst(b, loc, u2 * kWarpKeys))));
            raws.push_back(load16(b, loc, mem, addIdx(b, loc, base, ks.back())));
          }
          for (int64_t u2 = 0; u2 < kUnroll; ++u2)
            scaleStore16(b, loc, mem, addIdx(b, loc, base, ks[u2]), raws[u2],
                         scaleOf(b, loc, addIdx(b, loc, j0, ks[u2])));
        });
        buildFor(b, loc, whole, n, cst(b, loc, kWarpKeys),
                 [&](OpBuilder &b, Location loc, Value k0) {
          Value k = addIdx(b, loc, k0, laneOff);
          buildIf(b, loc, ult(b, loc, k, n), [&](OpBuilder &b, Location loc) {
            Value idx = addIdx(b, loc, base, k);
            scaleStore16(b, loc, mem, idx, load16(b, loc, mem, idx),
                         scaleOf(b, loc, addIdx(b, loc, j0, k)));
          });
        });
      };
      // Keys before the strip, then the strip's earlier chunks.
      run16(u.probFlat, d.probRow, d.r0, zero);
      run16(u.d16Flat, d.d16Row, mulIdx(b, loc, d.cr, cst(b, loc, kChunk)),
            d.r0);
      // The row's own chunk (f32, 0 from key r on): lanes 0..15, four keys
      // each. Its tile may be tile nt (no key < r in it): scale 0 there.
      Value jc = addIdx(b, loc, d.r0, mulIdx(b, loc, d.cr, cst(b, loc, kChunk)));
      buildIf(b, loc, ult(b, loc, lane, cst(b, loc, kChunk / 4)),
              [&](OpBuilder &b, Location loc) {
        auto v4 = VectorType::get({4}, f32);
        Value idx = addIdx(b, loc, d.d32Row, mulIdx(b, loc, lane, cst(b, loc, 4)));
        Value x = vector::LoadOp::create(b, loc, v4, u.d32Flat, ValueRange{idx},
                                         /*nontemporal=*/false,
                                         llvm::MaybeAlign(16));
        Value s = arith::SelectOp::create(
            b, loc, ult(b, loc, divIdx(b, loc, jc, passN), nt),
            scaleOf(b, loc, jc), cstF32(b, loc, 0.0));
        x = arith::MulFOp::create(b, loc, x,
                                  vector::BroadcastOp::create(b, loc, v4, s));
        vector::StoreOp::create(b, loc, x, u.d32Flat, ValueRange{idx},
                                /*nontemporal=*/false, llvm::MaybeAlign(16));
      });
    });
  });
}

/// X_c = (I - L_c)^-1 of every chunk of every strip in one launch, grid
/// (nS * cps, Hb, B) of 64 threads (a column each), in place in d32 (the
/// block is staged in shared memory first); identity for chunks of at most
/// one row (also chunks past T, never read).
void buildInverseAll(OpBuilder &b, Location loc, const Operands &o,
                     const Upfront &u, Value d32All) {
  Value grid[] = {mulIdx(b, loc, u.nS, u.cps), o.heads, o.batch};
  Value block[] = {cst(b, loc, kInvThreads)};
  Type f32 = b.getF32Type();
  MemRefType lType = workgroupMemRefType({kChunk, kARow}, f32);
  Value poolBytes =
      arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(staticBytes(lType)));
  buildLaunch(
      b, loc, grid, block, {},
      [&](OpBuilder &b, Location loc, const LaunchIds &ids) {
        Value ls = sharedView(b, loc, ids.dynamicShared, 0, lType);
        Value k = ids.threadId[0];
        Value g = ids.blockId[0], h = ids.blockId[1], bi = ids.blockId[2];
        Value i = divIdx(b, loc, g, u.cps), c = remIdx(b, loc, g, u.cps);
        Value start = addIdx(b, loc, mulIdx(b, loc, i, u.R),
                             mulIdx(b, loc, c, cst(b, loc, kChunk)));
        Value rowsC = minIndex(
            b, loc, cst(b, loc, kChunk),
            subIdx(b, loc, o.rows, minIndex(b, loc, start, o.rows)));
        Value zero = cstF32(b, loc, 0.0), one = cstF32(b, loc, 1.0);
        auto storeX = [&](OpBuilder &b, Location loc, int64_t r, Value v) {
          memref::StoreOp::create(b, loc, v, d32All,
                                  ValueRange{i, bi, h, c, cst(b, loc, r), k});
        };
        scf::IfOp::create(
            b, loc, ult(b, loc, cst(b, loc, 1), rowsC),
            [&](OpBuilder &b, Location loc) {
              Value four = cst(b, loc, 4), none = cst(b, loc, 0);
              copyTile(
                  b, loc, k, ls, {}, d32All,
                  [&](OpBuilder &b, Location loc, Value r, Value j) {
                    return SmallVector<Value>{i, bi, h, c, r, j};
                  },
                  [&](OpBuilder &b, Location loc, Value r) {
                    return arith::SelectOp::create(b, loc, ult(b, loc, r, rowsC),
                                                   four, none)
                        .getResult();
                  },
                  kInvThreads);
              NVVM::CpAsyncCommitGroupOp::create(b, loc);
              NVVM::CpAsyncWaitGroupOp::create(b, loc, b.getI32IntegerAttr(0));
              barrier(b, loc);
              SmallVector<Value> x = forwardSubstituteColumn(b, loc, ls, {}, k);
              for (int64_t r = 0; r < kChunk; ++r)
                storeX(b, loc, r, x[r]);
              scf::YieldOp::create(b, loc);
            },
            [&](OpBuilder &b, Location loc) {
              for (int64_t r = 0; r < kChunk; ++r) {
                Value isDiag = arith::CmpIOp::create(
                    b, loc, arith::CmpIPredicate::eq, k, cst(b, loc, r));
                storeX(b, loc, r,
                       arith::SelectOp::create(b, loc, isDiag, one, zero));
              }
              scf::YieldOp::create(b, loc);
            });
      },
      poolBytes);
}

/// The strictly lower blocks of every strip's inverse Y_i = (I - L_i)^-1,
/// L_i the strip's gamma-scaled own-key block (chunks c, t of 64 rows):
/// Y[t][t] = X_t and, for t < c, Y[c][t] = X_c (sum_{t <= u < c} L[c][u]
/// Y[u][t]) (L[c][u], u < c, from the 16-bit own-key blocks, as the
/// intra-strip products read them; X_c from the inverses). One launch, grid
/// (chunks - 1, nS, B * Hb) of 256 threads: block (t, i, b h) computes
/// column t of strip i's blocks, c after c, f32 SIMT (64 x 64 tiles, 4 x 4
/// a thread), keeping Y[u][t] in shared memory; into yAll[i, b, h, c (c -
/// 1) / 2 + t]. Rows past T read L as 0 (their Y rows are never used);
/// chunks past the strip's rows compute nothing.
void buildStripInverseAll(OpBuilder &b, Location loc, const Operands &o,
                          const Upfront &u, Value d32All, Value d16All,
                          Value yAll) {
  Type f32 = b.getF32Type();
  Value one = cst(b, loc, 1);
  Value grid[] = {subIdx(b, loc, u.cps, one), u.nS,
                  mulIdx(b, loc, o.batch, o.heads)};
  Value block[] = {cst(b, loc, kThreads)};
  // ys: Y[u][t] at rows 64 u; as: the staged A operand (L[c][u] or X_c);
  // ws: W = sum_u L[c][u] Y[u][t].
  auto yType = workgroupMemRefType({kStrip, kARow}, f32);
  auto tType = workgroupMemRefType({kChunk, kARow}, f32);
  int64_t aOff = staticBytes(yType), wOff = aOff + staticBytes(tType),
          total = wOff + staticBytes(tType);
  Value poolBytes =
      arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(total));
  buildIf(b, loc, ult(b, loc, one, u.cps), [&](OpBuilder &b, Location loc) {
    buildLaunch(
        b, loc, grid, block, {},
        [&](OpBuilder &b, Location loc, const LaunchIds &ids) {
          Value ys = sharedView(b, loc, ids.dynamicShared, 0, yType);
          Value as = sharedView(b, loc, ids.dynamicShared, aOff, tType);
          Value ws = sharedView(b, loc, ids.dynamicShared, wOff, tType);
          Value tid = ids.threadId[0];
          Value t = ids.blockId[0], i = ids.blockId[1];
          Value bi = divIdx(b, loc, ids.blockId[2], o.heads);
          Value h = remIdx(b, loc, ids.blockId[2], o.heads);
          Value c64 = cst(b, loc, kChunk), four = cst(b, loc, 4);
          Value r0 = mulIdx(b, loc, i, u.R);
          Value stripRows = minIndex(b, loc, u.R, subIdx(b, loc, o.rows, r0));
          Value nIn = ceilDiv(b, loc, stripRows, c64);
          // Thread: rows rowT + 16 j (j < 4), columns col0 .. col0 + 3.
          Value rowT = divIdx(b, loc, tid, cst(b, loc, 16));
          Value col0 = mulIdx(b, loc, remIdx(b, loc, tid, cst(b, loc, 16)), four);
          auto stageX = [&](OpBuilder &b, Location loc, Value c, Value dst,
                            Value dstRow0) {
            for (int64_t m = 0; m < (kChunk * kChunk / 4) / kThreads; ++m) {
              Value e = addIdx(b, loc, tid, cst(b, loc, m * kThreads));
              Value r = divIdx(b, loc, e, cst(b, loc, kChunk / 4));
              Value k = mulIdx(b, loc, remIdx(b, loc, e, cst(b, loc, kChunk / 4)),
                               four);
              asyncCopy16(b, loc, dst, {addIdx(b, loc, dstRow0, r), k}, d32All,
                          {i, bi, h, c, r, k}, four);
            }
            NVVM::CpAsyncCommitGroupOp::create(b, loc);
            NVVM::CpAsyncWaitGroupOp::create(b, loc, b.getI32IntegerAttr(0));
            barrier(b, loc);
          };
          auto product = [&](OpBuilder &b, Location loc, Value bm, Value bRow0,
                             ValueRange acc) {
            SmallVector<Value> next;
            for (int64_t j = 0; j < 4; ++j) {
              Value row = addIdx(b, loc, rowT, cst(b, loc, 16 * j));
              SmallVector<Value> part = tileProduct(
                  b, loc, as, {}, row, bm, bRow0, col0, acc.slice(4 * j, 4));
              next.append(part.begin(), part.end());
            }
            return next;
          };
          auto storeTile = [&](OpBuilder &b, Location loc, Value dst,
                               Value dstRow0, ValueRange acc) {
            auto v4 = VectorType::get({4}, f32);
            for (int64_t j = 0; j < 4; ++j) {
              Value row = addIdx(b, loc, dstRow0,
                                 addIdx(b, loc, rowT, cst(b, loc, 16 * j)));
              Value v = vector::FromElementsOp::create(b, loc, v4,
                                                       acc.slice(4 * j, 4));
              vector::StoreOp::create(b, loc, v, dst, ValueRange{row, col0},
                                      /*nontemporal=*/false,
                                      llvm::MaybeAlign(16));
            }
          };
          buildIf(b, loc, ult(b, loc, addIdx(b, loc, t, one), nIn),
                  [&](OpBuilder &b, Location loc) {
            stageX(b, loc, t, ys, mulIdx(b, loc, t, c64));
            SmallVector<Value> zeros(16, cstF32(b, loc, 0.0));
            buildFor(b, loc, addIdx(b, loc, t, one), nIn, one,
                     [&](OpBuilder &b, Location loc, Value c) {
              SmallVector<Value> w = buildForWithValues(
                  b, loc, t, c, one, zeros,
                  [&](OpBuilder &b, Location loc, Value uu, ValueRange acc) {
                    // L[c][uu] (16-bit) into as as f32; rows past T as 0.
                    for (int64_t m = 0; m < kChunk * kChunk / kThreads; ++m) {
                      Value e = addIdx(b, loc, tid, cst(b, loc, m * kThreads));
                      Value r = divIdx(b, loc, e, c64);
                      Value k = remIdx(b, loc, e, c64);
                      Value row = addIdx(b, loc, mulIdx(b, loc, c, c64), r);
                      Value rowIn = ult(b, loc, row, stripRows);
                      Value v = loadF32(
                          b, loc, d16All,
                          {i, bi, h,
                           minIndex(b, loc, row,
                                    subIdx(b, loc, stripRows, one)),
                           addIdx(b, loc, mulIdx(b, loc, uu, c64), k)});
                      memref::StoreOp::create(
                          b, loc,
                          arith::SelectOp::create(b, loc, rowIn, v,
                                                  cstF32(b, loc, 0.0)),
                          as, ValueRange{r, k});
                    }
                    barrier(b, loc);
                    SmallVector<Value> next =
                        product(b, loc, ys, mulIdx(b, loc, uu, c64), acc);
                    barrier(b, loc);
                    return next;
                  });
              storeTile(b, loc, ws, cst(b, loc, 0), w);
              stageX(b, loc, c, as, cst(b, loc, 0));
              SmallVector<Value> y = product(b, loc, ws, cst(b, loc, 0), zeros);
              storeTile(b, loc, ys, mulIdx(b, loc, c, c64), y);
              Value tile = addIdx(
                  b, loc,
                  divIdx(b, loc, mulIdx(b, loc, c, subIdx(b, loc, c, one)),
                         cst(b, loc, 2)),
                  t);
              auto v4 = VectorType::get({4}, f32);
              for (int64_t j = 0; j < 4; ++j) {
                Value row = addIdx(b, loc, rowT, cst(b, loc, 16 * j));
                Value v = vector::FromElementsOp::create(b, loc, v4,
                                                         ValueRange(y).slice(4 * j, 4));
                vector::StoreOp::create(b, loc, v, yAll,
                                        ValueRange{i, bi, h, tile, row, col0},
                                        /*nontemporal=*/false,
                                        llvm::MaybeAlign(16));
              }
              // as and ws are rewritten by the next c.
              barrier(b, loc);
            });
          });
        },
        poolBytes);
  });
}

/// s[b, r, h, :] = sT[b, h, :, r] for the rows r < rows (all strips but
/// the last), 32 x 32 tiles through shared memory; grid (row tiles, column
/// tiles, B * Hb) of 256 threads.
void buildTransposeOut(OpBuilder &b, Location loc, const Operands &o,
                       Value rows) {
  Value grid[] = {ceilDiv(b, loc, rows, cst(b, loc, 32)),
                  ceilDiv(b, loc, o.dv, cst(b, loc, 32)),
                  mulIdx(b, loc, o.batch, o.heads)};
  Value block[] = {cst(b, loc, kThreads)};
  MemRefType tType = workgroupMemRefType({32, 33}, b.getF32Type());
  buildLaunch(b, loc, grid, block, {tType},
              [&](OpBuilder &b, Location loc, const LaunchIds &ids) {
    Value tile = ids.workgroup[0];
    Value tid = ids.threadId[0];
    Value tx = remIdx(b, loc, tid, cst(b, loc, 32));
    Value ty = divIdx(b, loc, tid, cst(b, loc, 32));
    Value rBase = mulIdx(b, loc, ids.blockId[0], cst(b, loc, 32));
    Value vBase = mulIdx(b, loc, ids.blockId[1], cst(b, loc, 32));
    Value bi = divIdx(b, loc, ids.blockId[2], o.heads);
    Value h = remIdx(b, loc, ids.blockId[2], o.heads);
    for (int64_t k = 0; k < 4; ++k) {
      Value vy = addIdx(b, loc, ty, cst(b, loc, 8 * k));
      Value v = addIdx(b, loc, vBase, vy);
      Value r = addIdx(b, loc, rBase, tx);
      buildIf(b, loc, andI1(b, loc, ult(b, loc, v, o.dv), ult(b, loc, r, rows)),
              [&](OpBuilder &b, Location loc) {
                memref::StoreOp::create(b, loc,
                                        loadF32(b, loc, o.sT, {bi, h, v, r}),
                                        tile, ValueRange{vy, tx});
              });
    }
    barrier(b, loc);
    for (int64_t k = 0; k < 4; ++k) {
      Value ry = addIdx(b, loc, ty, cst(b, loc, 8 * k));
      Value r = addIdx(b, loc, rBase, ry);
      Value v = addIdx(b, loc, vBase, tx);
      buildIf(b, loc, andI1(b, loc, ult(b, loc, v, o.dv), ult(b, loc, r, rows)),
              [&](OpBuilder &b, Location loc) {
                Value x = memref::LoadOp::create(b, loc, tile, ValueRange{tx, ry});
                storeF32(b, loc, x, o.s, {bi, r, h, v});
              });
    }
  });
}

/// Strip i = r0 / R of the up-front path: rows [r0, r0 + min(R, T - r0)),
/// after the r0 rows solved before it.
Strip upfrontStrip(OpBuilder &b, Location loc, const Operands &o,
                   const Upfront &u, Value r0) {
  Strip strip;
  strip.r0 = r0;
  strip.rows = minIndex(b, loc, u.R, subIdx(b, loc, o.rows, r0));
  strip.solved = r0;
  strip.keys = subIdx(b, loc, addIdx(b, loc, r0, strip.rows), cst(b, loc, 1));
  return strip;
}

/// Strip i's 16-bit probabilities of the keys before it (r0 = i R of them),
/// [B, Hb, R, r0], at element slot * i (i - 1) / 2 of u.probFlat.
Value stripProb(OpBuilder &b, Location loc, const Operands &o,
                const Upfront &u, Type et, Value i, Value r0) {
  int64_t dyn = ShapedType::kDynamic;
  Value tri = divIdx(b, loc, mulIdx(b, loc, i, subIdx(b, loc, i, cst(b, loc, 1))),
                     cst(b, loc, 2));
  auto probType = MemRefType::get(
      {dyn, dyn, dyn, dyn}, et,
      StridedLayoutAttr::get(b.getContext(), dyn, {dyn, dyn, dyn, 1}));
  Value rowElems = mulIdx(b, loc, u.R, r0);
  SmallVector<OpFoldResult> sizes = {o.batch, o.heads, u.R, r0};
  SmallVector<OpFoldResult> strides = {mulIdx(b, loc, o.heads, rowElems),
                                       rowElems, r0, b.getIndexAttr(1)};
  return memref::ReinterpretCastOp::create(
             b, loc, probType, u.probFlat,
             OpFoldResult(mulIdx(b, loc, u.slot, tri)), sizes, strides)
      .getResult();
}

/// Strip i's own-key 16-bit block DIAG16[i] ([B, Hb, R, R]) in u.d16Raw.
Value stripDiag16(OpBuilder &b, Location loc, const Operands &o,
                  const Upfront &u, Type et, Value i) {
  int64_t dyn = ShapedType::kDynamic;
  return memref::ViewOp::create(
             b, loc, MemRefType::get({dyn, dyn, dyn, dyn}, et), u.d16Raw,
             mulIdx(b, loc, mulIdx(b, loc, i, u.slot), cst(b, loc, 2)),
             ValueRange{o.batch, o.heads, u.R, u.R})
      .getResult();
}

/// Strip i's chunk inverses X_c ([B, Hb, cps, 64, 64] f32) in u.d32Raw; `bh`
/// = B Hb.
Value stripInverses(OpBuilder &b, Location loc, const Operands &o,
                    const Upfront &u, Value i, Value bh) {
  int64_t dyn = ShapedType::kDynamic;
  return memref::ViewOp::create(
             b, loc,
             MemRefType::get({dyn, dyn, dyn, kChunk, kChunk}, b.getF32Type()),
             u.d32Raw,
             mulIdx(b, loc, mulIdx(b, loc, mulIdx(b, loc, i, bh), u.cps),
                    cst(b, loc, kChunk * kChunk * 4)),
             ValueRange{o.batch, o.heads, u.cps})
      .getResult();
}

/// The strip loop of the up-front path with the chain overlapped
/// (clOverlap): launch i runs strip i's intra-strip kernel (nc columns a
/// block) as extra blocks of the cross-strip wgmma product of strip i + 1
/// over the keys of strips < i, which depends only on earlier launches;
/// strip i + 1's intra-strip kernel adds the term of strip i's keys itself
/// (IntraTail). Launches 0 and nS - 1 (no such product) are the intra-strip
/// kernel alone. The partials are double buffered: strip i reads slot i % 2
/// of `partialAll` ([2 maxSplits, B, Hb, R, dv] f32) while launch i writes
/// slot (i + 1) % 2. `maxSplits`: the slot's splits; the product uses at most
/// `splitsMax` of them.
void buildOverlapStrips(OpBuilder &b, Location loc, const Operands &o,
                        const Upfront &u, Type et, Value partialAll,
                        Value maxSplits, Value splitsMax) {
  Type f32 = b.getF32Type();
  int64_t dyn = ShapedType::kDynamic;
  Value zero = cst(b, loc, 0), one = cst(b, loc, 1), two = cst(b, loc, 2);
  const int64_t nc = overlapNc();
  Value bh = mulIdx(b, loc, o.batch, o.heads);
  Value nct = ceilDiv(b, loc, o.dv, cst(b, loc, nc));
  Value intraBlocks = mulIdx(b, loc, nct, bh);
  Value rowsDv = mulIdx(b, loc, u.R, o.dv);
  Value sliceElems = mulIdx(b, loc, mulIdx(b, loc, maxSplits, bh), rowsDv);
  Value splitKeys = cst(b, loc, std::max<int64_t>(clWgmmaSplitKeys, 64));
  auto splitsOf = [&](OpBuilder &b, Location loc, Value keys) {
    return minIndex(b, loc, maxIndex(b, loc, ceilDiv(b, loc, keys, splitKeys), one),
                    splitsMax);
  };
  buildFor(b, loc, zero, o.rows, u.R, [&](OpBuilder &b, Location loc, Value r0) {
    Operands so = o;
    // prob in s's memory: the last strip's rows go to sT as well (its launch
    // reads its prob rows).
    so.sTLast = o.sRowsFromT;
    Strip strip = upfrontStrip(b, loc, o, u, r0);
    Value i = divIdx(b, loc, r0, u.R);
    so.prob = stripProb(b, loc, o, u, et, i, r0);
    so.diag16 = stripDiag16(b, loc, o, u, et, i);
    so.inv = stripInverses(b, loc, o, u, i, bh);
    Value par = remIdx(b, loc, i, two);
    auto partType = MemRefType::get(
        {dyn, dyn, dyn, dyn, dyn}, f32,
        StridedLayoutAttr::get(b.getContext(), dyn, {dyn, dyn, dyn, dyn, 1}));
    SmallVector<OpFoldResult> pSizes = {maxSplits, o.batch, o.heads, u.R, o.dv};
    SmallVector<OpFoldResult> pStrides = {mulIdx(b, loc, bh, rowsDv),
                                          mulIdx(b, loc, o.heads, rowsDv),
                                          rowsDv, o.dv, b.getIndexAttr(1)};
    so.partial = memref::ReinterpretCastOp::create(
        b, loc, partType, partialAll,
        OpFoldResult(mulIdx(b, loc, par, sliceElems)), pSizes, pStrides);
    // Strip i's partials (keys before strip i - 1) came from launch i - 1.
    Value prevR0 = subIdx(b, loc, maxIndex(b, loc, r0, u.R), u.R);
    Value splits = arith::SelectOp::create(
        b, loc, ult(b, loc, one, i), splitsOf(b, loc, prevR0), zero);
    IntraTail tail;
    tail.prob = so.prob;
    tail.keyBase = prevR0;
    tail.on = arith::SelectOp::create(b, loc, ult(b, loc, zero, i), one, zero);
    Value r1 = addIdx(b, loc, r0, u.R);
    Value combined = andI1(b, loc, ult(b, loc, zero, i), ult(b, loc, r1, o.rows));
    ifElse(
        b, loc, combined,
        [&](OpBuilder &b, Location loc) {
          // Strip i + 1's product over the keys before strip i (r0 of them).
          Value rowsN = minIndex(b, loc, u.R, subIdx(b, loc, o.rows, r1));
          Value probN = stripProb(b, loc, o, u, et, addIdx(b, loc, i, one), r1);
          Value splitsN = splitsOf(b, loc, r0);
          GemmOptions opts;
          opts.wgmma = true;
          opts.blockN = wgmmaN(clOverlapRhsN);
          opts.stages = wgmmaStages(clWgmmaRhsStages);
          opts.smallM = 0;
          opts.tma = false;
          opts.splitK = true;
          auto cType = MemRefType::get(
              {dyn, dyn, dyn}, f32,
              StridedLayoutAttr::get(b.getContext(), dyn, {dyn, dyn, 1}));
          Value cOff = mulIdx(b, loc, subIdx(b, loc, one, par), sliceElems);
          Value gy = ceilDiv(b, loc, rowsN, cst(b, loc, 2 * kChunk));
          Value gyz = mulIdx(b, loc, gy, mulIdx(b, loc, splitsN, o.batch));
          GemmExtraBlocks extra;
          extra.columns = ceilDiv(b, loc, intraBlocks, gyz);
          extra.sharedBytes = intraStripMmaBytes(et, nc);
          extra.body = [&](OpBuilder &b, Location loc, Value pool, Value tid,
                           Value bx, Value by, Value bz) {
            Value e = addIdx(
                b, loc, bx,
                mulIdx(b, loc, extra.columns,
                       addIdx(b, loc, by, mulIdx(b, loc, gy, bz))));
            buildIf(b, loc, ult(b, loc, e, intraBlocks),
                    [&](OpBuilder &b, Location loc) {
              buildIntraStripMmaBody(b, loc, so, strip, splits, et, nc, pool,
                                     tid, remIdx(b, loc, e, nct),
                                     divIdx(b, loc, e, nct), &tail);
            });
          };
          auto product = [&](OpBuilder &b, Location loc, Value h,
                             const GemmExtraBlocks *x) {
            Value a = dropDimView(b, loc, probN, {zero, h, zero, zero},
                                  {o.batch, one, rowsN, r0}, 1);
            Value bm = dropDimView(b, loc, o.sT, {zero, h, zero, zero},
                                   {o.batch, one, o.dv, r0}, 1);
            SmallVector<OpFoldResult> sizes = {mulIdx(b, loc, splitsN, o.batch),
                                               rowsN, o.dv};
            SmallVector<OpFoldResult> strides = {
                mulIdx(b, loc, o.heads, rowsDv), o.dv, b.getIndexAttr(1)};
            Value c = memref::ReinterpretCastOp::create(
                b, loc, cType, partialAll,
                OpFoldResult(addIdx(b, loc, cOff, mulIdx(b, loc, h, rowsDv))),
                sizes, strides);
            LogicalResult ok = buildGemmLaunch(
                b, loc, a, bm, c, /*transposeB=*/true, /*accumulate=*/false,
                opts, {}, x);
            assert(succeeded(ok) && "wgmma cross-strip product not supported");
            (void)ok;
          };
          // Head 0's product carries every (b, h)'s intra-strip blocks.
          product(b, loc, zero, &extra);
          buildFor(b, loc, one, o.heads, one,
                   [&](OpBuilder &b, Location loc, Value h) {
                     product(b, loc, h, nullptr);
                   });
        },
        [&](OpBuilder &b, Location loc) {
          buildIntraStripMma(b, loc, so, strip, splits, et, nc, &tail);
        });
  });
}

/// The up-front path: passes 1 and 2, the row statistics between them and
/// all inverses before the strip loop, whose strips run the cross-strip
/// wgmma product and the tensor-core intra-strip kernel only.
void buildUpfrontPath(OpBuilder &b, Location loc, Operands o, Type et) {
  Type f32 = b.getF32Type(), i8 = b.getI8Type();
  int64_t dyn = ShapedType::kDynamic;
  Value zero = cst(b, loc, 0), one = cst(b, loc, 1);
  Value chunk = cst(b, loc, kChunk);
  Upfront u;
  u.R = mulIdx(b, loc,
               ceilDiv(b, loc, minIndex(b, loc, o.rows, cst(b, loc, kStrip)), chunk),
               chunk);
  u.cps = ceilDiv(b, loc, u.R, chunk);
  u.nS = ceilDiv(b, loc, o.rows, u.R);
  u.lastR0 = mulIdx(b, loc, subIdx(b, loc, u.nS, one), u.R);
  Value bh = mulIdx(b, loc, o.batch, o.heads);
  u.slot = mulIdx(b, loc, bh, mulIdx(b, loc, u.R, u.R));
  const int64_t fixedN =
      clPassN == 64 || clPassN == 128 || clPassN == 256 ? clPassN : 0;
  u.passN = fixedN ? fixedN : 128; // the narrowest sizes the statistics
  Value tiles = ceilDiv(b, loc, o.rows, cst(b, loc, u.passN));
  auto statType = MemRefType::get({dyn, dyn, dyn, dyn}, f32);
  u.statMax = memref::AllocOp::create(b, loc, statType,
                                      ValueRange{o.heads, tiles, o.batch, o.rows});
  u.statSum = memref::AllocOp::create(b, loc, statType,
                                      ValueRange{o.heads, tiles, o.batch, o.rows});
  // prob: slot * nS (nS - 1) / 2 elements; in s's memory (unused until the
  // last strip: the other strips' rows go to sT and come back at the end)
  // when it fits, else a buffer of its own.
  auto flatType = MemRefType::get({dyn}, et);
  Value probElems = mulIdx(
      b, loc, u.slot,
      divIdx(b, loc, mulIdx(b, loc, u.nS, subIdx(b, loc, u.nS, one)), cst(b, loc, 2)));
  Value sElems = mulIdx(b, loc, mulIdx(b, loc, bh, o.rows), o.dv);
  Value fits = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ule,
                                     probElems, sElems);
  Value own = memref::AllocOp::create(
      b, loc, flatType,
      ValueRange{arith::SelectOp::create(b, loc, fits, cst(b, loc, 8), probElems)});
  Value sFlat = memref::ReinterpretCastOp::create(
      b, loc, flatType, o.s, OpFoldResult(b.getIndexAttr(0)),
      ArrayRef<OpFoldResult>{OpFoldResult(sElems)},
      ArrayRef<OpFoldResult>{OpFoldResult(b.getIndexAttr(1))});
  u.probFlat = arith::SelectOp::create(b, loc, fits, sFlat, own);
  Value d16Elems = mulIdx(b, loc, u.nS, u.slot);
  Value d32Elems = mulIdx(b, loc, mulIdx(b, loc, mulIdx(b, loc, u.nS, bh), u.cps),
                          cst(b, loc, kChunk * kChunk));
  auto rawType = MemRefType::get({dyn}, i8);
  u.d16Raw = memref::AllocOp::create(
      b, loc, rawType, ValueRange{mulIdx(b, loc, d16Elems, cst(b, loc, 2))});
  u.d32Raw = memref::AllocOp::create(
      b, loc, rawType, ValueRange{mulIdx(b, loc, d32Elems, cst(b, loc, 4))});
  u.d16Flat = memref::ViewOp::create(b, loc, flatType, u.d16Raw, zero,
                                     ValueRange{d16Elems});
  u.d32Flat = memref::ViewOp::create(b, loc, MemRefType::get({dyn}, f32),
                                     u.d32Raw, zero, ValueRange{d32Elems});
  Value d32All = memref::ViewOp::create(
      b, loc, MemRefType::get({dyn, dyn, dyn, dyn, kChunk, kChunk}, f32),
      u.d32Raw, zero, ValueRange{u.nS, o.batch, o.heads, u.cps});
  // The overlapped strip chain (clOverlap; not with the strip inverses):
  // on at run time when the intra-strip blocks are few enough (mode 1).
  const bool stripInverse = clStripInverse;
  const int64_t overlapMode = stripInverse ? 0 : clOverlap;
  const int64_t onc = overlapNc();
  Value intraBlocks =
      overlapMode ? mulIdx(b, loc, ceilDiv(b, loc, o.dv, cst(b, loc, onc)), bh)
                  : Value();
  Value overlapOn = zero;
  if (overlapMode == 2)
    overlapOn = one;
  else if (overlapMode == 1)
    overlapOn = arith::SelectOp::create(
        b, loc, ult(b, loc, intraBlocks, cst(b, loc, clOverlapIntraMax + 1)),
        one, zero);
  // sT: the rows of all strips but the last (all rows when the chain is
  // overlapped and prob lives in s's memory: see Operands::sTLast).
  Value sTRows = u.lastR0;
  if (overlapMode)
    sTRows = arith::SelectOp::create(
        b, loc, andI1(b, loc, fits, ult(b, loc, zero, overlapOn)), o.rows,
        u.lastR0);
  o.sT = memref::AllocOp::create(
      b, loc, MemRefType::get({dyn, dyn, dyn, dyn}, et),
      ValueRange{o.batch, o.heads, o.dv,
                 mulIdx(b, loc,
                        ceilDiv(b, loc, maxIndex(b, loc, sTRows, one),
                                cst(b, loc, 8)),
                        cst(b, loc, 8))});
  // Key splits of the cross-strip product: up to about clWgmmaRhsBlocks
  // blocks of 128 rows x wgmmaN columns.
  Value wgTiles = mulIdx(
      b, loc,
      mulIdx(b, loc, ceilDiv(b, loc, o.dv, cst(b, loc, wgmmaN(clWgmmaRhsN))),
             ceilDiv(b, loc, u.R, cst(b, loc, 2 * kChunk))),
      bh);
  Value maxSplits = maxIndex(
      b, loc,
      ceilDiv(b, loc, cst(b, loc, std::max<int64_t>(clWgmmaRhsBlocks, 1)),
              wgTiles),
      one);
  // The overlapped strip chain (clOverlap; not with the strip inverses):
  // two slots of partials, the cross-strip product sized to leave room for
  // the intra-strip blocks in one launch of about clOverlapBlocks blocks.
  Value splitsMaxO = maxSplits;
  if (overlapMode) {
    Value room = subIdx(
        b, loc,
        maxIndex(b, loc, cst(b, loc, clOverlapBlocks), intraBlocks),
        intraBlocks);
    Value wgTilesO = mulIdx(
        b, loc,
        mulIdx(b, loc,
               ceilDiv(b, loc, o.dv, cst(b, loc, wgmmaN(clOverlapRhsN))),
               ceilDiv(b, loc, u.R, cst(b, loc, 2 * kChunk))),
        bh);
    splitsMaxO = minIndex(
        b, loc, maxIndex(b, loc, divIdx(b, loc, room, wgTilesO), one),
        maxSplits);
  }
  o.partial = memref::AllocOp::create(
      b, loc, MemRefType::get({dyn, dyn, dyn, dyn, dyn}, f32),
      ValueRange{overlapMode ? mulIdx(b, loc, maxSplits,
                                      addIdx(b, loc, overlapOn, one))
                             : maxSplits,
                 o.batch, o.heads, u.R, o.dv});
  o.stripPad = u.R;
  o.sRowsFromT = arith::SelectOp::create(b, loc, fits, one, zero);

  auto passes = [&](int64_t n) {
    return [&, n](OpBuilder &b, Location loc) {
      Upfront v = u;
      v.passN = n;
      if (clOnePass) {
        const bool f16Bits = clOnePassF16 && !et.isF16();
        buildStatsPass(b, loc, o, v, et, f16Bits);
        buildRescale(b, loc, o, v, et, f16Bits);
        return;
      }
      buildStatsPass(b, loc, o, v);
      buildRowStats(b, loc, o, v);
      buildProbPass(b, loc, o, v, et);
    };
  };
  if (fixedN)
    passes(fixedN)(b, loc);
  else
    ifElse(b, loc, ult(b, loc, cst(b, loc, 4095), o.rows), passes(256),
           passes(128));
  memref::DeallocOp::create(b, loc, u.statSum);
  memref::DeallocOp::create(b, loc, u.statMax);
  buildInverseAll(b, loc, o, u, d32All);
  // The strips' whole inverses: the intra-strip kernel then reads them
  // instead of the own-key blocks, which go.
  Value ySlot;
  if (stripInverse) {
    ySlot = mulIdx(b, loc, bh, cst(b, loc, kOffTiles * kChunk * kChunk));
    u.yRaw = memref::AllocOp::create(
        b, loc, rawType,
        ValueRange{mulIdx(b, loc, mulIdx(b, loc, u.nS, ySlot), cst(b, loc, 4))});
    Value yAll = memref::ViewOp::create(
        b, loc, MemRefType::get({dyn, dyn, dyn, kOffTiles, kChunk, kChunk}, f32),
        u.yRaw, zero, ValueRange{u.nS, o.batch, o.heads});
    Value d16All = memref::ViewOp::create(
        b, loc, MemRefType::get({dyn, dyn, dyn, dyn, dyn}, et), u.d16Raw, zero,
        ValueRange{u.nS, o.batch, o.heads, u.R, u.R});
    buildStripInverseAll(b, loc, o, u, d32All, d16All, yAll);
    memref::DeallocOp::create(b, loc, u.d16Raw);
  }

  auto stripLoop = [&](OpBuilder &b, Location loc) {
  buildFor(b, loc, zero, o.rows, u.R, [&](OpBuilder &b, Location loc, Value r0) {
    Operands so = o;
    Strip strip = upfrontStrip(b, loc, o, u, r0);
    Value i = divIdx(b, loc, r0, u.R);
    so.prob = stripProb(b, loc, o, u, et, i, r0);
    if (!stripInverse)
      so.diag16 = stripDiag16(b, loc, o, u, et, i);
    so.inv = stripInverses(b, loc, o, u, i, bh);
    Value wgSplits = minIndex(
        b, loc,
        maxIndex(b, loc,
                 ceilDiv(b, loc, strip.solved,
                         cst(b, loc, std::max<int64_t>(clWgmmaSplitKeys, 64))),
                 one),
        maxSplits);
    buildRhsWgmma(b, loc, so, strip, wgSplits, /*inverses=*/false);
    Value splits = arith::SelectOp::create(
        b, loc,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, strip.solved, zero),
        zero, wgSplits);
    auto blocksOf = [&](int64_t nc) {
      return mulIdx(b, loc, bh, ceilDiv(b, loc, o.dv, cst(b, loc, nc)));
    };
    Value yStrip;
    if (stripInverse)
      yStrip = memref::ViewOp::create(
          b, loc, MemRefType::get({dyn, dyn, kOffTiles, kChunk, kChunk}, f32),
          u.yRaw, mulIdx(b, loc, mulIdx(b, loc, i, ySlot), cst(b, loc, 4)),
          ValueRange{o.batch, o.heads});
    auto fused = [&](int64_t nc) {
      return [&, nc](OpBuilder &b, Location loc) {
        if (stripInverse)
          buildIntraStripY(b, loc, so, strip, splits, et, nc, yStrip);
        else
          buildIntraStripMma(b, loc, so, strip, splits, et, nc);
        scf::YieldOp::create(b, loc);
      };
    };
    Value target = cst(b, loc, std::max<int64_t>(clIntraBlocks, 1));
    scf::IfOp::create(
        b, loc, ult(b, loc, blocksOf(32), target),
        [&](OpBuilder &b, Location loc) {
          scf::IfOp::create(b, loc, ult(b, loc, blocksOf(16), target), fused(8),
                            fused(16));
          scf::YieldOp::create(b, loc);
        },
        fused(32));
  });
  };
  if (overlapMode == 0) {
    stripLoop(b, loc);
  } else {
    auto overlapLoop = [&](OpBuilder &b, Location loc) {
      buildOverlapStrips(b, loc, o, u, et, o.partial, maxSplits, splitsMaxO);
    };
    if (overlapMode == 2)
      overlapLoop(b, loc);
    else
      ifElse(b, loc, ult(b, loc, zero, overlapOn), overlapLoop, stripLoop);
  }
  buildIf(b, loc, andI1(b, loc, fits, ult(b, loc, zero, sTRows)),
          [&](OpBuilder &b, Location loc) {
            buildTransposeOut(b, loc, o, sTRows);
          });
  memref::DeallocOp::create(b, loc, o.partial);
  memref::DeallocOp::create(b, loc, o.sT);
  memref::DeallocOp::create(b, loc, u.d32Raw);
  if (stripInverse)
    memref::DeallocOp::create(b, loc, u.yRaw);
  else
    memref::DeallocOp::create(b, loc, u.d16Raw);
  memref::DeallocOp::create(b, loc, own);
}
} // namespace

FailureOr<SmallVector<Value>>
mlir::sessa::gpulowering::lowerFeedbackAttention(RewriterBase &rewriter,
                                                 FeedbackAttentionOp op,
                                                 bool wgmma) {
  Location loc = op.getLoc();
  OpBuilder &b = rewriter;
  auto fType = cast<RankedTensorType>(op.getF().getType());
  Operands o;
  o.scale = op.getEffectiveScale();
  o.f = readBuffer(b, loc, op.getF());
  o.qb = readBuffer(b, loc, op.getQb());
  o.kb = readBuffer(b, loc, op.getKb());
  o.gamma = readBuffer(b, loc, op.getGamma());
  if (op.hasCache()) {
    // The cache operands are batch-strided entry buffers in a decoding step.
    o.kbPrev = readStridedBuffer(b, loc, op.getKbPrev());
    o.sPrev = readStridedBuffer(b, loc, op.getSPrev());
  }
  o.batch = dim(b, loc, op.getF(), 0);
  o.rows = dim(b, loc, op.getF(), 1);
  o.heads = dim(b, loc, op.getF(), 2);
  o.dv = dim(b, loc, op.getF(), 3);
  o.dk = dim(b, loc, op.getQb(), 3);
  o.cache = op.hasCache() ? dim(b, loc, op.getKbPrev(), 1) : cst(b, loc, 0);

  // Tensor cores for 16-bit storage when dk allows 16-byte row loads.
  Type et = fType.getElementType();
  int64_t dkStatic = cast<RankedTensorType>(op.getQb().getType()).getDimSize(3);
  int64_t dvStatic = fType.getDimSize(3);
  Type mmaType = (et.isBF16() || et.isF16()) && !ShapedType::isDynamic(dkStatic) &&
                         dkStatic % 8 == 0 && !ShapedType::isDynamic(dvStatic) &&
                         dvStatic % 8 == 0
                     ? et
                     : Type();

  SmallVector<Value> sDyn;
  for (int64_t i = 0; i < 4; ++i)
    if (fType.isDynamicDim(i))
      sDyn.push_back(dim(b, loc, op.getF(), i));
  o.s = allocBuffer(b, loc, fType, sDyn);
  if (wgmma && mmaType && !op.hasCache() && clUpfront) {
    // The passes' TMA host code is built inside scf bodies under
    // construction: declare its runtime function here.
    if (clPassTma)
      declareGemmRuntimeFunctions(op->getParentOfType<ModuleOp>());
    buildUpfrontPath(b, loc, o, mmaType);
    return SmallVector<Value>{toTensor(b, loc, o.s)};
  }
  // Rows of the strip buffers: min(kStrip, T) rounded up to whole chunks.
  Value chunk = cst(b, loc, kChunk);
  Value stripPad = mulIdx(
      b, loc, ceilDiv(b, loc, minIndex(b, loc, o.rows, cst(b, loc, kStrip)), chunk),
      chunk);
  Value chunksPad = ceilDiv(b, loc, stripPad, chunk);
  // Keys per row of W, padded to a multiple of 8 (16-byte rows for cp.async).
  Value keysTotal = mulIdx(
      b, loc, ceilDiv(b, loc, addIdx(b, loc, o.cache, o.rows), cst(b, loc, 8)),
      cst(b, loc, 8));
  Type f32 = b.getF32Type();
  int64_t dyn = ShapedType::kDynamic;
  auto workType = MemRefType::get({dyn, dyn, dyn, dyn}, f32);
  // wgmma paths (sm_90a, 16-bit storage).
  const bool wgLogits = wgmma && mmaType && clWgmmaLogits;
  const bool wgRhs = wgmma && mmaType && clWgmmaRhs;
  Value raw;
  if (mmaType) {
    // 16-bit prob rows live in the first half of W's f32 rows (the softmax
    // reads each W value before its row's prob overwrites it): one buffer.
    Value bytes = mulIdx(
        b, loc,
        mulIdx(b, loc, mulIdx(b, loc, o.batch, o.heads),
               mulIdx(b, loc, stripPad, keysTotal)),
        cst(b, loc, 4));
    raw = memref::AllocOp::create(
        b, loc, MemRefType::get({dyn}, b.getI8Type()), ValueRange{bytes});
    Value zero = cst(b, loc, 0);
    o.work = memref::ViewOp::create(
        b, loc, workType, raw, zero,
        ValueRange{o.batch, o.heads, stripPad, keysTotal});
    o.prob = memref::ViewOp::create(
        b, loc, MemRefType::get({dyn, dyn, dyn, dyn}, mmaType), raw, zero,
        ValueRange{o.batch, o.heads, stripPad,
                   mulIdx(b, loc, keysTotal, cst(b, loc, 2))});
    o.probInWork = true;
  } else {
    o.work = memref::AllocOp::create(
        b, loc, workType, ValueRange{o.batch, o.heads, stripPad, keysTotal});
    o.prob = o.work;
  }
  o.keysTotal = keysTotal;
  o.stripPad = stripPad;
  if (wgRhs)
    o.sT = memref::AllocOp::create(
        b, loc, MemRefType::get({dyn, dyn, dyn, dyn}, mmaType),
        ValueRange{o.batch, o.heads, o.dv,
                   mulIdx(b, loc, ceilDiv(b, loc, o.rows, cst(b, loc, 8)),
                          cst(b, loc, 8))});
  o.diag = memref::AllocOp::create(
      b, loc, workType, ValueRange{o.batch, o.heads, stripPad, stripPad});
  if (mmaType)
    o.diag16 = memref::AllocOp::create(
        b, loc, MemRefType::get({dyn, dyn, dyn, dyn}, mmaType),
        ValueRange{o.batch, o.heads, stripPad, stripPad});
  o.inv = memref::AllocOp::create(
      b, loc, MemRefType::get({dyn, dyn, dyn, kChunk, kChunk}, f32),
      ValueRange{o.batch, o.heads, chunksPad});
  // Split of the cross-strip rhs product over the keys: at most maxSplits
  // splits, so that column tiles x row tiles x splits x B x Hb reaches
  // about kTargetBlocks blocks; each split covers a multiple of 32 keys, at
  // least kMinSplitKeys.
  Value bh = mulIdx(b, loc, o.batch, o.heads);
  Value colTiles =
      ceilDiv(b, loc, o.dv, cst(b, loc, mmaType ? gemmConfig().n : kColTile));
  Value maxSplits = maxIndex(
      b, loc,
      ceilDiv(b, loc, cst(b, loc, kTargetBlocks),
              mulIdx(b, loc, mulIdx(b, loc, colTiles, bh), chunksPad)),
      cst(b, loc, 1));
  if (wgRhs) {
    // The wgmma product's blocks (128 rows x wgmmaN columns) times the
    // splits reach about clWgmmaRhsBlocks; the older kernels then split
    // over as many.
    Value wgTiles = mulIdx(
        b, loc,
        mulIdx(b, loc, ceilDiv(b, loc, o.dv, cst(b, loc, wgmmaN(clWgmmaRhsN))),
               ceilDiv(b, loc, stripPad, cst(b, loc, 2 * kChunk))),
        bh);
    maxSplits = maxIndex(
        b, loc,
        ceilDiv(b, loc, cst(b, loc, std::max<int64_t>(clWgmmaRhsBlocks, 1)),
                wgTiles),
        cst(b, loc, 1));
  }
  o.partial = memref::AllocOp::create(
      b, loc, MemRefType::get({dyn, dyn, dyn, dyn, dyn}, f32),
      ValueRange{maxSplits, o.batch, o.heads, stripPad, o.dv});

  buildFor(b, loc, cst(b, loc, 0), o.rows, cst(b, loc, kStrip),
           [&](OpBuilder &b, Location loc, Value r0) {
             Strip strip;
             strip.r0 = r0;
             strip.rows =
                 minIndex(b, loc, cst(b, loc, kStrip), subIdx(b, loc, o.rows, r0));
             strip.solved = addIdx(b, loc, o.cache, r0);
             // Keys visible to the strip's last row: P + r0 + rows - 1.
             strip.keys = subIdx(b, loc, addIdx(b, loc, strip.solved, strip.rows),
                                 cst(b, loc, 1));
             Value key32 = cst(b, loc, kSolveKeys);
             Value perSplit = maxIndex(
                 b, loc,
                 mulIdx(b, loc,
                        ceilDiv(b, loc, ceilDiv(b, loc, strip.solved, maxSplits),
                                key32),
                        key32),
                 cst(b, loc, kMinSplitKeys));
             Value splits = maxIndex(b, loc, ceilDiv(b, loc, strip.solved, perSplit),
                                     cst(b, loc, 1));
             // Tensor cores: blocks of 128 rows when the strip has more
             // than 64 (twice the work per staged key tile), else 64.
             Value big = ult(b, loc, cst(b, loc, kChunk), strip.rows);
             auto byRows = [&](llvm::function_ref<void(OpBuilder &, Location,
                                                       int64_t)>
                                   build,
                               Value cond) {
               scf::IfOp::create(
                   b, loc, cond,
                   [&](OpBuilder &b, Location loc) {
                     build(b, loc, 2 * kChunk);
                     scf::YieldOp::create(b, loc);
                   },
                   [&](OpBuilder &b, Location loc) {
                     build(b, loc, kChunk);
                     scf::YieldOp::create(b, loc);
                   });
             };
             // Logits: 128-row blocks only when they fill the GPU at least
             // once (kLogitFill blocks); the first strips (few keys, causal)
             // get twice as many 64-row blocks, each one's k loop twice as
             // short in mma work.
             Value logitBig = big;
             if (clLogitFill > 0) {
               Value keyTiles = maxIndex(
                   b, loc, ceilDiv(b, loc, strip.keys, cst(b, loc, gemmConfig().n)),
                   cst(b, loc, 1));
               Value blocks128 = mulIdx(
                   b, loc, mulIdx(b, loc, keyTiles, bh),
                   ceilDiv(b, loc, strip.rows, cst(b, loc, 2 * kChunk)));
               logitBig = andI1(b, loc, big,
                                ult(b, loc, cst(b, loc, clLogitFill - 1), blocks128));
             }
             auto logitsMma = [&](OpBuilder &, Location) {
               byRows(
                   [&](OpBuilder &b, Location loc, int64_t m) {
                     buildLogitsMma(b, loc, o, strip, mmaType, m);
                   },
                   logitBig);
             };
             Value wScale = cstF32(b, loc, 1.0);
             if (wgLogits) {
               // sm_90a: strips of more than 64 rows get wgmma logits,
               // unscaled.
               ifElse(b, loc, big,
                      [&](OpBuilder &b, Location loc) {
                        buildLogitsWgmma(b, loc, o, strip);
                      },
                      logitsMma);
               wScale = arith::SelectOp::create(
                   b, loc, big, cstF32(b, loc, o.scale), wScale);
             } else if (mmaType) {
               logitsMma(b, loc);
             } else {
               buildLogits(b, loc, o, strip);
             }
             buildSoftmax(b, loc, o, strip, wScale);
             auto rhsMma = [&](OpBuilder &, Location) {
               byRows([&](OpBuilder &b, Location loc, int64_t m) {
                 buildRhsPartialMma(b, loc, o, strip, splits, perSplit, mmaType, m,
                                    /*withInverse=*/clFusedIntra);
               }, big);
             };
             if (wgRhs) {
               // sm_90a without a cache: strips of more than 64 rows (all
               // earlier strips had kStrip rows and wrote sT) take the
               // wgmma product with key splits of at least
               // clWgmmaSplitKeys keys; the first strip's partials are
               // never read.
               Value useWg = andI1(
                   b, loc, big,
                   arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                         o.cache, cst(b, loc, 0)));
               Value wgSplits = minIndex(
                   b, loc,
                   maxIndex(b, loc,
                            ceilDiv(b, loc, strip.solved,
                                    cst(b, loc, std::max<int64_t>(
                                                    clWgmmaSplitKeys, 64))),
                            cst(b, loc, 1)),
                   maxSplits);
               ifElse(b, loc, useWg,
                      [&](OpBuilder &b, Location loc) {
                        buildRhsWgmma(b, loc, o, strip, wgSplits);
                      },
                      rhsMma);
               Value noKeys = arith::CmpIOp::create(
                   b, loc, arith::CmpIPredicate::eq, strip.solved, cst(b, loc, 0));
               splits = arith::SelectOp::create(
                   b, loc, useWg,
                   arith::SelectOp::create(b, loc, noKeys, cst(b, loc, 0),
                                           wgSplits),
                   splits);
             } else if (mmaType) {
               rhsMma(b, loc);
             } else {
               buildRhsPartialSimt(b, loc, o, strip, splits, perSplit);
             }
             Value manyRows = ult(b, loc, cst(b, loc, 1), strip.rows);
             if (mmaType && clFusedIntra) {
               // The inverses ran in kernel 3's extra blocks; the
               // tensor-core intra-strip kernel's width (32, 16 or 8
               // columns) gives at least clIntraBlocks blocks where dv
               // allows; a strip of one row (a decoding step) has X = I:
               // the SIMT-X kernel, which then reads no X.
               auto blocksOf = [&](int64_t nc) {
                 return mulIdx(b, loc, bh, ceilDiv(b, loc, o.dv, cst(b, loc, nc)));
               };
               auto fused = [&](int64_t nc) {
                 return [&, nc](OpBuilder &b, Location loc) {
                   buildIntraStripMma(b, loc, o, strip, splits, mmaType, nc);
                   scf::YieldOp::create(b, loc);
                 };
               };
               Value target = cst(b, loc, std::max<int64_t>(clIntraBlocks, 1));
               scf::IfOp::create(
                   b, loc, manyRows,
                   [&](OpBuilder &b, Location loc) {
                     scf::IfOp::create(
                         b, loc, ult(b, loc, blocksOf(32), target),
                         [&](OpBuilder &b, Location loc) {
                           scf::IfOp::create(b, loc,
                                             ult(b, loc, blocksOf(16), target),
                                             fused(8), fused(16));
                           scf::YieldOp::create(b, loc);
                         },
                         fused(32));
                     scf::YieldOp::create(b, loc);
                   },
                   [&](OpBuilder &b, Location loc) {
                     buildIntraStrip(b, loc, o, strip, splits, mmaType);
                     scf::YieldOp::create(b, loc);
                   });
             } else {
               // A strip of one row (a decoding step) has X = I and never
               // reads it: no launch.
               buildIf(b, loc, manyRows, [&](OpBuilder &b, Location loc) {
                 buildInverse(b, loc, o, strip);
               });
               buildIntraStrip(b, loc, o, strip, splits, mmaType);
             }
           });
  memref::DeallocOp::create(b, loc, o.partial);
  memref::DeallocOp::create(b, loc, o.inv);
  memref::DeallocOp::create(b, loc, o.diag);
  if (o.diag16)
    memref::DeallocOp::create(b, loc, o.diag16);
  if (o.sT)
    memref::DeallocOp::create(b, loc, o.sT);
  memref::DeallocOp::create(b, loc, raw ? raw : o.work);
  return SmallVector<Value>{toTensor(b, loc, o.s)};
}
