//===- Passes.td - Sessa dialect transforms ----------------*- tablegen -*-===//
#ifndef SESSA_DIALECT_SESSA_TRANSFORMS_PASSES_TD
#define SESSA_DIALECT_SESSA_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def SessaDecomposeLayer : Pass<"sessa-decompose-layer"> {
  let summary = "Decompose sessa.layer into primitive sessa ops and linalg";
  let description = [{
    Rewrites every `sessa.layer` into the computation of SPEC section 5:
    LayerNorm (biased variance), the `Linear` projections as transposed
    matmuls with f32 accumulation, exact erf GELU, `sessa.rope`,
    `sessa.attention` over the concatenated key/value cache,
    the optional output projection, the tanh gate, `sessa.feedback_attention`
    with the feedback cache, and the residual. With cache operands the
    extended caches are built by `tensor.insert_slice`.

    Arithmetic is f32. An f16/bf16 layer is by default converted to f32 once
    (the CPU's f32 kernels want that); with `mixed-precision` the
    activations between ops (LayerNorm output, GELU output, q/k/v, the
    attention output, qb/kb/gamma, s * g) and the weights stay in the
    storage type, each product accumulating in f32 (like autocast): this is
    what lets the GPU run the products and attention on tensor cores.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect", "::mlir::tensor::TensorDialect"
  ];
  let options = [
    Option<"mixedPrecision", "mixed-precision", "bool", "false",
           "Keep f16/bf16 activations and weights in their storage type "
           "between ops (f32 accumulation inside each op)">
  ];
}

def SessaFuseElementwise : Pass<"sessa-fuse-elementwise"> {
  let summary = "Fuse chains of elementwise linalg generics (no reshape propagation)";
  let description = [{
    Applies linalg's producer/consumer fusion of elementwise generics on
    tensors (a producer with a single use is inlined into its consumer), but
    not the reshape propagation of `--linalg-fuse-elementwise-ops`: reshapes
    stay where they are, so a matrix product's consumer still reads the
    product's own `[rows, cols]` layout. Bias add, GELU and the rounding to
    bf16 after a product become one generic.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def SessaEntryPointABI : Pass<"sessa-entry-point-abi", "::mlir::ModuleOp"> {
  let summary = "Give public functions the destination-passing ABI of artifacts";
  let description = [{
    Rewrites every public function on tensors,
    `func @f(%in: tensor<...>, ...) -> (tensor<...>, ...)`, into
    `func @f(%in: memref<...>, ..., %out: memref<...>, ...)` that reads its
    inputs through `bufferization.to_tensor restrict` and writes each result
    into the caller's buffer with `bufferization.materialize_in_destination`
    (after one-shot bufferization the computation writes there directly).
    The function gets `llvm.emit_c_interface`. Memref layouts are the
    identity (dense row-major), as the runtime ABI requires.
  }];
  let dependentDialects = ["::mlir::bufferization::BufferizationDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::memref::MemRefDialect"];
}

def SessaDropOutputMarks : Pass<"sessa-drop-output-marks", "::mlir::ModuleOp"> {
  let summary = "Remove the `sessa.output` marks of entry-point output arguments";
  let description = [{
    sessa-entry-point-abi marks each output argument `sessa.output`: what
    the runtime ABI says about its memory (it shares none with the other
    arguments, or is the very buffer of an argument of its type), which the
    GPU buffer passes use to prove that a kernel's output overlaps none of
    its inputs (sessa-gpu-matmul's epilogue fusion). Pipelines drop the
    marks where they have no further use for them: the CPU pipeline at its
    start (its code is what it was without them), the GPU pipeline before
    the host code becomes LLVM (LLVM IR has no such attribute).
  }];
}

def SessaCPUUkernels : Pass<"sessa-cpu-ukernels", "::mlir::ModuleOp"> {
  let summary = "Run f32 matrix products and transposes on memrefs as calls "
                "to runtime kernels";
  let description = [{
    After bufferization, every `linalg.generic` on f32 memrefs that computes
    `C[m, n] += A[m, k] * B[k, n]` or `C[m, n] += A[m, k] * B[n, k]` (the
    products the sessa lowerings build) becomes a call of
    `sessa_ukernel_sgemm(M, N, K, A, sam, sak, B, sbk, sbn, C, scm, scn)`
    from libSessaRuntime (addresses and element strides as i64): packed,
    register-blocked kernels for AVX-512, AVX2 or SSE2 chosen at run time,
    threaded with OpenMP for large products outside parallel regions.

    Every `linalg.transpose` of f32 memrefs that moves the innermost
    dimension (the keys laid out `[d, keys]` for the logits products) becomes
    loops over the other dimensions around calls of
    `sessa_ukernel_transpose(R, C, src, ssr, ssc, dst, sdc, sdr)`, which sets
    `dst[c*sdc + r*sdr] = src[r*ssr + c*ssc]` in register-transposed 8 x 8
    blocks (AVX2 where present) instead of a loop that gathers every element.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

def SessaCPUMathApproximation : Pass<"sessa-cpu-math-approximation"> {
  let summary = "Replace f32 exp, log1p, tanh and erf by polynomial approximations";
  let description = [{
    Rewrites f32 `math.exp`, `math.log1p`, `math.tanh` and `math.erf` into
    arithmetic (MLIR's polynomial approximations, a few ulp of error) so that
    the loops computing softmax, gates and GELU vectorize instead of calling
    libm one element at a time. f64 math (the RoPE angles) is left alone.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect"];
}

def SessaEraseSelfCopies : Pass<"sessa-erase-self-copies"> {
  let summary = "Erase memref.copy whose source and target are the same view";
  let description = [{
    One-shot bufferization writes an in-place `tensor.insert_slice` as a copy
    of a buffer onto itself; such copies do nothing but cost a pass over the
    data, so this erases every `memref.copy %a, %a` (the same SSA value, or
    two identical `memref.subview`s of one buffer).
  }];
}

def SessaGuardInPlaceCopies : Pass<"sessa-guard-in-place-copies", "::mlir::func::FuncOp"> {
  let summary = "Skip at run time a copy between entry-point buffers that are the same memory";
  let description = [{
    A decoding step may pass an extended cache output as the same memory as
    its cache input (views of one `[B, capacity, ...]` buffer, see
    SessaRuntime.h): the copy of the cache's P rows into the output is then
    a copy of a view onto itself. This wraps every `memref.copy` whose source
    and target are views (through `memref.subview` and `memref.cast`) of two
    different function arguments in an `scf.if` that runs it only when the
    two views differ: another base address, offset or stride. Sizes are
    equal by the copy's verifier. Any other overlap of an input and an
    output is outside the ABI.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

def SessaForwardResultBuffers
    : Pass<"sessa-forward-result-buffers", "::mlir::func::FuncOp"> {
  let summary = "Let kernels write results straight into the output arguments";
  let description = [{
    After bufferization of a destination-passing entry point, a result that a
    kernel wrote into its own buffer (`memref.alloc`, e.g. the outputs of the
    `convert-sessa-to-gpu` kernels) is copied into its output argument at the
    end: `memref.copy %alloc, %out`. In a public function, when `%alloc` is allocated in the entry
    block, has the output's type, is never freed or returned, every use of it
    (through views too) comes before that copy, and the copy is the only use
    of `%out`, this replaces `%alloc` by `%out` and erases the copy and the
    allocation. The copied value may also be a `memref.expand_shape` or
    `memref.collapse_shape` of `%alloc` (rows computed as `[B*T, D]`, the
    result `[B, T, D]`; identity layouts): `%alloc` becomes the inverse
    reshape of `%out`. Either way: one pass over the result and one allocation less (for the
    selective scan's y, a 268 MB copy). Output arguments are assumed not to
    alias inputs, as the artifact ABI states (its one exception, an extended
    cache that is the same memory as its cache input, is written by copies
    into views of the output, never through a forwarded buffer: such an
    output's only use is not one whole-buffer copy).
  }];
}

def SessaExpandShapeToReinterpretCast
    : Pass<"sessa-expand-shape-to-reinterpret-cast"> {
  let summary = "Rewrite dense memref.expand_shape with several dynamic sizes in a group";
  let description = [{
    `memref.expand_shape` of a dense (identity-layout) buffer into a shape
    with two or more dynamic sizes in one reassociation group (e.g.
    `[B*T, D] -> [B, T, D]` with dynamic B and T) becomes a
    `memref.reinterpret_cast` with row-major strides. MLIR 22's
    `expand-strided-metadata` crashes on such expand_shapes; the cast is
    equivalent and lowers directly.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

//===----------------------------------------------------------------------===//
// GPU path: generic linalg kernels, device memory, host-access check.
//===----------------------------------------------------------------------===//

def SessaGPUMapLinalg : Pass<"sessa-gpu-map-linalg"> {
  let summary = "Run every host linalg op on memrefs as a GPU kernel (gpu.launch)";
  let description = [{
    After bufferization, every linalg op on memrefs outside a `gpu.launch`
    becomes a `gpu.launch` computing it (the op's own body, inlined):

    - no reduction loop (elementwise generics, `linalg.fill`,
      `linalg.copy`, broadcasts, transposes): one thread per element of the
      iteration space, linearized with the innermost loop fastest (so that
      neighbouring threads touch neighbouring elements), 256 threads a block
      and a grid-stride loop over at most `max-blocks` blocks;
    - one reduction loop, the innermost, whose body combines with the output
      by `arith.addf` / `arith.maximumf` / `arith.maxnumf` (LayerNorm sums,
      the gate's dot product, matrix products with a transposed right
      operand): one warp per output element, each lane reducing a strided
      part of the row, then a `gpu.shuffle xor` butterfly; lane 0 combines
      with the output's initial value and stores;
    - anything else (other reductions, matrix products the GEMM pass did not
      take): one thread per output element with the reduction loops inside,
      carrying the outputs in registers.

    Loads and stores use the op's indexing maps, so strided views and
    broadcasts (constant or missing dimensions) are supported; scalar inputs
    are passed by value. Ops with tensor semantics or an unsupported region
    are an error.

    Before that (`fuse-rows`, on by default), a chain of consecutive
    generics over the same `[M, W]` rows (W static, a multiple of 32) --
    row reductions over the innermost dimension, with a `linalg.fill`
    folded in as the starting value, elementwise ops on the rows, on the
    per-row results and on per-column vectors, as a LayerNorm or the gate
    `gamma_max * tanh(bias + x . ctx)` decompose into -- becomes one kernel
    ("row_fusion"): one block a row (grid-stride), the columns spread over
    up to `block-size` threads, the chain's intermediate values in
    registers (each reduction a warp butterfly and one shared-memory step
    across warps), only the intermediates used after the chain stored.
    GPURowKernels.cpp states the exact conditions.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
  let options = [
    Option<"blockSize", "block-size", "int64_t", "256",
           "Threads per block (a multiple of 32)">,
    Option<"maxBlocks", "max-blocks", "int64_t", "65536",
           "Most blocks of a grid-stride launch">,
    Option<"fuseRows", "fuse-rows", "bool", "true",
           "Fuse chains of row reductions and elementwise ops over the same "
           "rows into one kernel (one block a row)">
  ];
}

def SessaGPUDeviceMemory : Pass<"sessa-gpu-device-memory"> {
  let summary = "Put host buffers in device memory: gpu.alloc, gpu.dealloc, gpu.memcpy";
  let description = [{
    Host code of the GPU path only moves pointers: every buffer is device
    memory. Outside `gpu.launch`:

    - `memref.alloc` / `memref.alloca` become `gpu.alloc` (the alignment is
      dropped: device allocations are 256-byte aligned);
    - `memref.dealloc` becomes `gpu.dealloc`; a buffer that has no dealloc
      and does not escape (returned, yielded, stored, passed to a call or a
      branch, through any chain of views) gets a `gpu.dealloc` right after
      its last use in its block (a use inside a kernel or a loop counts at
      that op; frees are stream-ordered), so the device memory peak is what
      is live at once. This replaces the buffer-deallocation pipeline, whose
      `bufferization.dealloc` lowers to host code on host memory; it is an
      error to run this pass on a module that contains
      `bufferization.dealloc`;
    - `memref.get_global` (a constant) is copied into a `gpu.alloc` buffer
      with `gpu.memcpy` (freed at the end of the block);
    - `memref.copy` between two contiguous (identity-layout) buffers becomes
      `gpu.memcpy`; any other copy (a strided view, such as a slice of a
      cache) becomes a copy kernel (as `sessa-gpu-map-linalg` builds it).
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
}

def SessaGPUMergeModules
    : Pass<"sessa-gpu-merge-modules", "::mlir::ModuleOp"> {
  let summary = "Put the outlined kernels of each function into one gpu.module";
  let description = [{
    gpu-kernel-outlining makes one `gpu.module` per kernel, so a layer of
    dozens of kernels would run ptxas that many times and load as many
    images at run time. This moves the `gpu.func` kernels of the
    `gpu.module`s launched from one function only (with equal attributes)
    into one `gpu.module @<function>_kernels`, each renamed after the
    (unique) module it came from, and retargets every `gpu.launch_func`:
    one image per entry point, loaded on its first call. Modules holding
    anything other than kernels, or launched from several functions, are
    left alone.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

def SessaGPUKernelOccupancy
    : Pass<"sessa-gpu-kernel-occupancy", "::mlir::ModuleOp"> {
  let summary = "Turn occupancy requests of kernel bodies into nvvm.minctasm";
  let description = [{
    A kernel builder that needs a number of resident blocks per SM (so that
    its whole grid fits in one wave, say) marks an op of its `gpu.launch`
    body with `sessa.min_blocks_per_sm = N : i64`; gpu-kernel-outlining
    copies the body, not the launch's attributes. After outlining, this
    pass sets `nvvm.minctasm = N` on each kernel `gpu.func` holding such a
    marker (the largest N, if several) and removes the markers;
    convert-gpu-to-nvvm keeps the attribute and ptxas receives
    `.minnctapersm N` (it then caps the registers per thread at what N
    blocks of the kernel's `.maxntid` threads leave). A kernel that already
    has `nvvm.minctasm` keeps the larger value.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::NVVM::NVVMDialect"];
}

def SessaGPUGridDependencyControl
    : Pass<"sessa-gpu-grid-dependency-control", "::mlir::gpu::GPUModuleOp"> {
  let summary = "Make the kernels of sm_90+ modules safe for programmatic "
                "dependent launch";
  let description = [{
    Programmatic dependent launch (Hopper, CUDA 12) lets the driver start a
    kernel launched with CU_LAUNCH_ATTRIBUTE_PROGRAMMATIC_STREAM_SERIALIZATION
    while the previous kernel on the stream is still running; such a kernel
    must execute `griddepcontrol.wait` (which returns once every
    prerequisite grid has completed and its memory is visible) before it
    touches memory that grid may write. This pass, run on a `gpu.module`
    whose NVVM targets are all sm_90 or later (after nvvm-attach-target,
    before convert-gpu-to-nvvm), inserts `nvvm.griddepcontrol wait` as the
    first op of every kernel `gpu.func`, before any memory access; with
    `launch-dependents=true`, `nvvm.griddepcontrol launch_dependents`
    follows it (the next programmatic launch may then be scheduled as soon
    as every block of this grid is running; it still waits for this grid to
    finish). Without it, the next launch begins when this grid's blocks
    exit (before its memory flush, which the wait covers).
    It then adds the external constant `__sessa_grid_dependency_wait`
    (i32 1) to the module: the Sessa CUDA runtime launches kernels with the
    attribute only from images that define it (cuModuleGetGlobal), so a
    kernel without the wait is never launched that way. Modules without
    targets, with a non-NVVM target, an older chip or one the NVPTX backend
    does not know (sm_90, 100, 101, 103, 110, 120, 121 with an optional `a`
    or `f` are known), and modules that already carry the marker are left
    alone; non-kernel functions too.
  }];
  let options = [
    Option<"launchDependents", "launch-dependents", "bool",
           /*default=*/"false",
           "Also insert griddepcontrol.launch_dependents after the wait "
           "(measured slower on an H100: bench/gpu/NOTES-launch.md)">,
  ];
  let dependentDialects = ["::mlir::NVVM::NVVMDialect",
                           "::mlir::LLVM::LLVMDialect"];
}

def SessaGPULowerVectorTransfers : Pass<"sessa-gpu-lower-vector-transfers"> {
  let summary = "Lower 1-D vector transfers in kernels to vector loads and stores";
  let description = [{
    convert-gpu-to-nvvm lowers `vector.load` / `vector.store` /
    `vector.maskedload` / `vector.maskedstore` but not
    `vector.transfer_read` / `vector.transfer_write`. This rewrites 1-D
    transfers with minor-identity maps (what convert-vector-to-scf leaves)
    into those ops (masked when not in bounds) and materializes
    `vector.create_mask`, so that kernels may use transfers on global and
    workgroup memory alike. Run it on the gpu.module before
    convert-gpu-to-nvvm.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::vector::VectorDialect"];
}

def SessaGPUCheckHostAccess : Pass<"sessa-gpu-check-host-access"> {
  let summary = "Reject host code that would read or write device memory";
  let description = [{
    Fails, with the location of the op, if code outside `gpu.launch` and
    `gpu.module` still loads or stores memref elements: `memref.load`,
    `memref.store`, `memref.copy`, atomic or generic read-modify-write ops,
    vector and affine loads/stores and transfers, linalg ops on memrefs,
    `bufferization.dealloc`, or host allocations (`memref.alloc`,
    `memref.alloca`) left after `sessa-gpu-device-memory`. Only descriptors
    (views, dims, casts) and `gpu.*` host ops may touch buffers on the host.
  }];
}

//===----------------------------------------------------------------------===//
// GPU matrix products
//===----------------------------------------------------------------------===//

def SessaGPUMatmul : Pass<"sessa-gpu-matmul", "::mlir::ModuleOp"> {
  let summary = "Run matrix products on memrefs as tiled GPU GEMM kernels";
  let description = [{
    After bufferization, in host code, every product
    `C[(b,) m, n] += A[(b,) m, k] * B[(b,) n, k]` (or `B[(b,) k, n]`)
    written as a `linalg.generic` (body `mulf` + `addf` in f32, possibly
    with `arith.extf` of the bf16/f16 operands and a final `arith.truncf`),
    `linalg.matmul` or `linalg.batch_matmul` becomes a `gpu.launch` of a
    tiled GEMM kernel (GemmKernel.h): f32 operands on a SIMT FFMA kernel
    (128x128 block tile, 8x8 register tile per thread), bf16/f16 operands on
    tensor cores with f32 accumulation: `mma.sync` m16n8k16 with `ldmatrix`
    (128x256 block tiles of 8 warps by default; `block-m`, `block-n`,
    `warps`), or with `wgmma=1` sm_90a's `wgmma.mma_async` (two warpgroups
    per 128 x 256 tile, 128-byte-swizzled shared tiles; the module must
    target sm_90a); C may be f32, bf16 or f16. With wgmma and `tma` (on by
    default), rank-2 products with `B[n, k]` get host code that asks the
    runtime for TMA tensor maps of A and B (`sessa_cuda_tensor_map_2d`) and
    launches a persistent, warp-specialised kernel (a producer warpgroup
    issuing `cp.async.bulk.tensor` copies, two consumer warpgroups, mbarrier
    full/empty handoff, setmaxnreg; at most `tma-blocks` blocks; with
    `tma-cluster` clusters of two CTAs on vertically adjacent tiles that
    share B's tile through TMA multicast: by default for grouped launches
    without math epilogues) when both
    exist, else the cp.async wgmma kernel. That host call needs Sessa's CUDA
    runtime (libSessaCudaRuntime); with another runtime (upstream's
    mgpu wrappers) use `tma=0`. Tiles move through
    multi-stage (default 3, 4 for wgmma) dynamic shared memory (above 48 KB:
    the launcher must allow more) with `cp.async` when the operands are
    dense along k, 16-byte aligned and below 2^31 elements, else with
    guarded loads; operands may be strided views. A
    `linalg.fill` of +0 into C right before the product (nothing touching
    memory in between) folds into the kernel. Products of other element
    types (mixed A/B types) are left as they are.

    Epilogue fusion (`fuse-epilogue`, on by default): when such a C is a
    temporary read only by one later elementwise `linalg.generic` (all
    parallel, identity maps on C and on its output, other inputs row
    broadcasts such as a bias `(m, n) -> (n)`, only
    allocations and pure ops in between), the kernel applies that generic's
    body to each accumulator in registers and writes the generic's output
    (e.g. bf16) directly; the generic and C's temporary are erased. Chains of
    such generics fuse one after the other. With `wgmma` and `tma`
    (`fuse-matrix-inputs`, on by default) an input may also be a full
    matrix read at the written element (a residual): the TMA kernel loads
    it as 2-element pairs before its stores. The output must not overlap
    A, B or the row-broadcast inputs (distinct roots: a `memref.alloc`, an
    `llvm.noalias` argument, or an entry output (`sessa.output`) and an
    argument of another type); a full-matrix input may in addition be the
    output's very memory (same views of the same buffer or of an entry
    output and an argument of its type), since each element is read by the
    thread that then overwrites it.

    Small M (`small-m`, default 16): for `B[(b,) n, k]`, products whose M
    is at most `small-m` (decode: batch x new tokens) launch a kernel that
    streams B instead: blocks of 4 warps own 8 rows and 8 columns of C, each
    warp reads its 2 rows of B along all of k in coalesced 16-byte chunks
    (guarded scalar loads when not dense and aligned), f32 partial sums per
    lane reduced with shuffles, the same epilogue. With a dynamic M both
    kernels are built, chosen on the host by `M > small-m`.

    Grouping (`group`, on by default; with `wgmma` and `tma` only): rank-2
    products with B[n, k] that overwrite their C, read the same A and have
    B of the same static shape (e.g. the q, k, v and feedback projections
    of a layer) run as one launch of the TMA kernel over the tiles of all of
    them (each member keeps its own fused epilogue). The launch runs where
    the first one ran; a later member joins when what it reads and writes
    is not used by the ops in between (other than other members) and the
    views and allocations it needs can move up (allocations, pure ops).
  }];
  let options = [
    Option<"blockK", "block-k", "int64_t", /*default=*/"0",
           "k extent of a block tile (multiple of 16; 0: 64 for bf16/f16, "
           "32 for f32)">,
    Option<"stages", "stages", "int64_t", /*default=*/"0",
           "shared memory pipeline stages (2 to 8; 0: 3)">,
    Option<"blockM", "block-m", "int64_t", /*default=*/"0",
           "bf16/f16 block tile rows (64, 128, 256; 0: 128)">,
    Option<"blockN", "block-n", "int64_t", /*default=*/"0",
           "bf16/f16 block tile columns (64, 128, 256; 0: 256)">,
    Option<"warps", "warps", "int64_t", /*default=*/"0",
           "bf16/f16 warps per block (4 or 8; 0: 8)">,
    Option<"wgmma", "wgmma", "bool", /*default=*/"false",
           "bf16/f16 products with sm_90a wgmma.mma_async (the module must "
           "target sm_90a)">,
    Option<"tma", "tma", "bool", /*default=*/"true",
           "with wgmma: rank-2 products with B[n, k] use the TMA "
           "warp-specialised persistent kernel when the runtime makes tensor "
           "maps (sessa_cuda_tensor_map_2d), else the cp.async kernel">,
    Option<"tmaBlocks", "tma-blocks", "int64_t", /*default=*/"132",
           "blocks of the persistent TMA kernel (at most; one per SM)">,
    Option<"tmaPingpong", "tma-pingpong", "bool", /*default=*/"true",
           "TMA kernel: ping-pong consumer warpgroups on 128 x 128 tiles "
           "(one's epilogue overlaps the other's products) instead of both "
           "on one 128 x block-n tile">,
    Option<"tmaCluster", "tma-cluster", "int64_t", /*default=*/"0",
           "TMA kernel: thread-block clusters of 2 CTAs along M, each "
           "loading half of the shared B tile and multicasting it to both "
           "(never for fragment epilogues): 2 for every TMA launch, 1 for "
           "none, 0 (auto) for grouped launches without math epilogues">,
    Option<"fuseEpilogue", "fuse-epilogue", "bool", /*default=*/"true",
           "apply elementwise consumers of the product in the kernel's "
           "epilogue">,
    Option<"fuseMatrixInputs", "fuse-matrix-inputs", "bool",
           /*default=*/"true",
           "with wgmma and tma and fuse-epilogue: consumers may also read "
           "full [M, N] inputs at the element they write (a residual add); "
           "the TMA kernel loads them as pairs before its stores, and the "
           "output may be that input's very memory (in place)">,
    Option<"smallM", "small-m", "int64_t", /*default=*/"16",
           "products with B[n, k] and at most this many rows (a run-time "
           "choice when M is dynamic) use the small-M kernel; 0: never">,
    Option<"group", "group", "bool", /*default=*/"true",
           "with wgmma and tma: products that read the same A (and B of one "
           "shape) run as one launch of the TMA kernel">,
    Option<"groupPastKernels", "group-past-kernels", "bool",
           /*default=*/"false",
           "with group: a product may also join a group launched before "
           "other kernels, frees or copies (its output then lives longer: "
           "the bf16 layer's temporaries at (4, 2048, 1024) rose from 105 "
           "to 128 MB with the feedback projections moved above the "
           "attention); by default only allocations and pure ops may lie "
           "between the members">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::NVVM::NVVMDialect",
                           "::mlir::nvgpu::NVGPUDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
}

#endif // SESSA_DIALECT_SESSA_TRANSFORMS_PASSES_TD
