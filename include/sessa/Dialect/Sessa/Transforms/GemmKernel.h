//===- GemmKernel.h - Tiled GEMM kernels as gpu.launch ----------*- C++ -*-===//
//
// Builds a `gpu.launch` that computes a matrix product on memrefs:
//
//   C[b, m, n] (+)= sum_k A[b, m, k] * B[b, n, k]   (transposeB)
//   C[b, m, n] (+)= sum_k A[b, m, k] * B[b, k, n]   (!transposeB)
//
// with f32 accumulation (the batch dimension b is optional: rank-2 operands,
// or rank-3 ones whose dimension 0 is the batch). Operands may have any
// strides and offsets (subviews of weights): the kernel reads each memref's
// descriptor. Storage types:
//   - A, B f32: SIMT FFMA kernel, 128x128x32 block tile, 256 threads with
//     an 8x8 register tile each (110.6 KB of shared memory).
//   - A, B both bf16 or both f16: tensor cores (mma.sync m16n8k16 through
//     nvvm.mma.sync, fragments from padded shared memory with ldmatrix),
//     128x256x64 block tile, 8 warps of 64x64 (165.9 KB); i32 shared and
//     global offsets in the cp.async loop (GemmOptions selects other
//     tiles).
//   Both pipeline tiles through 3-stage dynamic shared memory (GemmOptions
//   changes k tile and depth); above 48 KiB the launcher must opt the
//   kernel in (CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES), which
//   Sessa's and upstream's mgpuLaunchKernel do.
//   - bf16/f16 with wgmma (sm_90a): 128 x 256 x 64 tiles on two
//     warpgroups; for rank-2 B[n, k] products, when the runtime makes TMA
//     tensor maps of A and B (sessa_cuda_tensor_map_2d, called by the host
//     code before the launch), a persistent warp-specialised kernel: a
//     producer warpgroup loads the tiles with TMA, two consumer warpgroups
//     run wgmma, stages handed over with mbarriers (GemmKernel.cpp).
//   - C f32, bf16 or f16 (rounded once from the f32 accumulator).
// Tiles are loaded with cp.async (16-byte copies, zero fill at the edges)
// when, at run time, the k stride is 1 and rows, offsets and the base
// pointer are 16-byte aligned; otherwise with guarded scalar loads. Any M, N,
// K is correct (edges guarded); nothing is launched when M, N or the batch is
// 0. For B[n, k] and at most GemmOptions::smallM rows (decode: M = batch x
// new tokens), a small-M kernel is launched instead (chosen on the host
// from C's row count): blocks of 4 warps cover 8 rows and 8 columns of C,
// each warp streams its 2 rows of B along all of k with 16-byte loads and
// reduces over its lanes; the same epilogue. The launch captures only A, B and C (the kernel recomputes sizes and
// strides from their descriptors), so an outlined kernel takes the three
// expanded memref descriptors.
//
//===----------------------------------------------------------------------===//
#ifndef SESSA_DIALECT_SESSA_TRANSFORMS_GEMMKERNEL_H
#define SESSA_DIALECT_SESSA_TRANSFORMS_GEMMKERNEL_H

#include "mlir/IR/AffineMap.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"
#include "mlir/Support/LLVM.h"

#include <functional>
#include <string>

namespace mlir::sessa {

/// Tuning knobs; 0 means the default for the operand type.
struct GemmOptions {
  /// k extent of a block tile: a multiple of 16 up to 128 (default 64 for
  /// bf16/f16, 32 for f32).
  int64_t blockK = 0;
  /// Shared memory stages, 2 to 8: stages-1 tiles are in flight while one
  /// is computed (default 3).
  int64_t stages = 0;
  /// Products C[m, n] = A[m, k] * B[n, k] whose M (rows of C; a run-time
  /// value when dynamic) is at most this use the small-M kernel (a warp per
  /// kSkinnyCols columns streaming B along k, see GemmKernel.cpp), others
  /// the tiled one; 0: always the tiled kernel.
  int64_t smallM = 16;
  /// bf16/f16 block tile (64, 128 or 256 rows / columns; default 128 x
  /// 256) and warps per block (4 or 8; default 8). Warp tiles are 64 rows
  /// by block-n / (warps / (block-m / 64)) columns (16 to 64). The f32
  /// kernel is always 128 x 128 with 256 threads.
  int64_t blockM = 0, blockN = 0, warps = 0;
  /// bf16/f16 with sm_90a's wgmma.mma_async (two warpgroups per 128 x
  /// block-n tile, block-n 64, 128 or 256 (default), block-k 64, 4 stages by
  /// default) instead of mma.sync. The kernel needs an sm_90a target.
  bool wgmma = false;
  /// wgmma with rank-3 operands only: a split of the k range over C's
  /// batch. C's batch extent is `splits` times A's (and B's): block z
  /// computes batch z % batchA over the k range [split * per, min(K, (split
  /// + 1) * per)), split = z / batchA, per = ceil(K / splits) rounded up to
  /// block-k, into C[z] (overwritten; zero for an empty range). The caller
  /// sums the splits (deterministic partial sums).
  bool splitK = false;
  /// With wgmma, rank-2 products with B[n, k]: a warp-specialised
  /// persistent kernel fed by TMA (tensor maps made at run time by the
  /// runtime's sessa_cuda_tensor_map_2d; the cp.async wgmma kernel runs
  /// when it returns none), launched with at most `tmaBlocks` blocks (one
  /// per SM of an H100 SXM by default).
  bool tma = true;
  int64_t tmaBlocks = 132;
  /// TMA kernel schedule: ping-pong (each consumer warpgroup owns whole
  /// 128 x 128 tiles, alternating with the other, 6 stages) instead of
  /// cooperative (both on one 128 x block-n tile).
  bool tmaPingpong = true;
  /// TMA kernel (not with fragment epilogues): thread-block clusters of
  /// 2 CTAs along M (2: every TMA launch; 1: none; 0, auto: grouped
  /// launches whose epilogues evaluate no math function, the case measured
  /// faster). The CTAs of a cluster compute vertically adjacent tiles of
  /// one column block and each loads half of the shared B tile, multicast
  /// to both (TMA multicast: half of B's L2 -> SM traffic); the launch
  /// carries the cluster size (gpu.launch clusters, mgpuLaunchClusterKernel).
  int64_t tmaCluster = 0;
};

/// Blocks of other work appended to a wgmma GEMM launch (so that they run
/// beside its tiles instead of in a launch of their own): grid x gets
/// `columns` more block columns; a block of those calls `body` with the
/// launch's dynamic shared memory (memref<?xi8, workgroup>, at least
/// `sharedBytes`, 16-byte aligned), its thread id (256 threads) and its
/// block ids (x counted from the first extra column). Nothing runs when C
/// is empty.
struct GemmExtraBlocks {
  Value columns;
  int64_t sharedBytes = 0;
  std::function<void(OpBuilder &, Location, Value dynamicShared, Value tid,
                     Value blockX, Value blockY, Value blockZ)>
      body;
};

/// wgmma with rank-3 operands and B[b, n, k] only: the product's f32
/// accumulators go to `body` instead of being stored into C (C then only
/// gives the launch's sizes and is never written). The thread's fragment:
/// element i of `acc` (block-n / 2 of them) is row `row0` + 8 ((i % 4) / 2)
/// and column `col0` + 8 (i / 4) + i % 2 of C[batch]; the four lanes of a
/// quad (lanes 4 g .. 4 g + 3) hold the same two rows, and every warp that
/// computed the tile calls `body` (warp-wide shuffles are allowed; no block
/// barriers). Elements of rows >= M or columns >= N are unspecified. With
/// `lowerOnly`, a block tile none of whose elements has column < row
/// (n0 >= m0 + 127) computes nothing (strictly causal products). With
/// GemmOptions::tma, block-n 128 or 256 (any without `lowerOnly`), the host
/// code launches the TMA kernel when each operand's batch folds into its
/// rows (batch stride = M (N) rows, or one batch), the runtime makes the
/// tensor maps of the folded [batch x rows, k] matrices and, for
/// `lowerOnly`, M == N: its persistent scheduler enumerates only the lower
/// tiles (ping-pong when block-n is 128 and tmaPingpong); otherwise the
/// cp.async kernel.
struct GemmFragmentEpilogue {
  bool lowerOnly = false;
  std::function<void(OpBuilder &, Location, Value batch, Value row0,
                     Value col0, ValueRange acc)>
      body;
};

/// Declares, in `module`, the runtime functions that the host code of the
/// TMA kernels calls (sessa_cuda_tensor_map_2d). buildGemmLaunch does so
/// itself, except when it builds inside an operation not yet attached to
/// the module (a body-builder callback of scf.for / scf.if): the caller
/// declares them first then.
void declareGemmRuntimeFunctions(ModuleOp module);

/// Block tile, block size and dynamic shared memory of the kernels (for
/// callers that compute the launch configuration, e.g. tests).
struct GemmTiling {
  int64_t blockM, blockN, blockK, threads, stages;
  int64_t smemBytes = 0;
};
GemmTiling getGemmTiling(Type operandElementType,
                         const GemmOptions &options = {});

/// Whether `options` are valid; otherwise sets `message`.
LogicalResult verifyGemmOptions(const GemmOptions &options,
                                std::string &message);

/// Whether buildGemmLaunch supports these memref operands (ranks 2 or 3,
/// matching element types as described above).
bool isSupportedGemm(Value a, Value b, Value c, bool transposeB);

/// A memref read by an epilogue stage: element `map(b, m, n)` (or
/// `map(m, n)` unbatched) of `memref` is block argument `arg` of the body.
/// The map's results are dimensions or constants, and they include m only
/// when the map is the identity (row broadcasts like a bias `(m, n) -> (n)`,
/// or full matrices).
struct GemmEpilogueInput {
  Value memref;
  AffineMap map;
  unsigned arg;
};

/// One elementwise step applied, in registers, to each element of the
/// product before it is stored: the body of an all-parallel linalg.generic
/// (pure arith/math ops, one linalg.yield; the output's block argument
/// unused) whose block argument `carriedArg` receives the running value
/// (the f32 accumulator rounded to the product's C type for the first step;
/// the previous step's result after that).
struct GemmEpilogueStage {
  Block *body = nullptr;
  unsigned carriedArg = 0;
  Type carriedType;
  SmallVector<GemmEpilogueInput> inputs;
};

/// Whether buildGemmLaunch can apply `stages` (see GemmEpilogueStage) to a
/// product whose output has `rank`; otherwise sets `message`.
LogicalResult verifyGemmEpilogue(ArrayRef<GemmEpilogueStage> stages,
                                 int64_t rank, std::string &message);

/// Builds the GEMM launch at the insertion point of `builder` (host code).
/// With `accumulate`, C's contents are added to; otherwise C is overwritten
/// (a zero fill before the product folds into this). With `epilogue`
/// stages, C is the last stage's output and receives the stages applied to
/// each element of the product (no accumulate). Fails, with nothing built,
/// when !isSupportedGemm or the epilogue is invalid.
LogicalResult buildGemmLaunch(OpBuilder &builder, Location loc, Value a,
                              Value b, Value c, bool transposeB,
                              bool accumulate,
                              const GemmOptions &options = {},
                              ArrayRef<GemmEpilogueStage> epilogue = {},
                              const GemmExtraBlocks *extra = nullptr,
                              const GemmFragmentEpilogue *fragment = nullptr);

/// One product of a grouped launch (buildGroupedGemmLaunch): C = the
/// epilogue applied to A * B^T, C overwritten.
struct GemmGroupMember {
  Value b, c;
  SmallVector<GemmEpilogueStage> epilogue;
};

/// Whether buildGroupedGemmLaunch supports products of `a` with these
/// members under `options`: wgmma with TMA, rank-2 bf16/f16 operands with
/// B[n, k], every B of the same static shape, C rank 2 with valid epilogues.
bool isGroupableGemm(Value a, ArrayRef<GemmGroupMember> members,
                     const GemmOptions &options);

/// Builds, at the insertion point of `builder` (host code), the products
/// C_i = epilogue_i(A * B_i^T) of products sharing A as one launch: the
/// persistent TMA kernel runs over the tiles of every member (member
/// after member; n fastest within one), each tile's producer
/// loading from its member's B and its consumers storing through its
/// member's epilogue. Where that kernel does not apply at run time (no
/// tensor maps, small M), each member runs as buildGemmLaunch would run
/// it. Fails, with nothing built, when !isGroupableGemm.
LogicalResult buildGroupedGemmLaunch(OpBuilder &builder, Location loc,
                                     Value a,
                                     ArrayRef<GemmGroupMember> members,
                                     const GemmOptions &options = {});

/// One sm_90a `wgmma.mma_async` m64nNk16 (N = `n`) of two K-major operands
/// in shared memory (i64 descriptors `descA`, `descB`; bf16 or f16, f32
/// accumulation): returns the accumulator struct `accType` acc + A B^T, or
/// A B^T when `zeroAcc`. Shared by the GEMM and attention kernels.
Value buildWgmmaKMajor(OpBuilder &b, Location loc, Type accType, Value acc,
                       Value descA, Value descB, int64_t n, bool bf16,
                       bool zeroAcc);

} // namespace mlir::sessa

#endif // SESSA_DIALECT_SESSA_TRANSFORMS_GEMMKERNEL_H
