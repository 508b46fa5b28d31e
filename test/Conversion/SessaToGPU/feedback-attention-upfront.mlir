// The up-front path of the bf16/f16 feedback attention on sm_90a
// (convert-sessa-to-gpu `wgmma-feedback`, no cache): before the strip loop,
// pass 1 (a wgmma logits GEMM per head over the lower block tiles only,
// whose epilogue writes per-(row, key tile) max m_t / sum-of-exp statistics
// and the tile-relative exponentials exp(c x - m_t): f16 bits into each
// strip's 16-bit prob and its own earlier-chunk keys, 16 bytes a lane after a
// transpose in the quad, f32 pairs into the diagonal chunk blocks), one
// rescale launch (per row the max M and gamma / max(L, 1), then the row's
// stored values in place times that factor and exp(m_t - M), 16-byte
// accesses) and all diagonal-block inverses (one launch, in place).
// -sessa-gpu-feedback-one-pass=0 (TWO below) restores the row statistics
// launch and pass 2 (the same GEMM again, its epilogue writing gamma * prob).
// 256-key tiles when T >= 4096, else 128. The strip loop then runs the cross-strip wgmma
// product (none on the first strip) and the intra-strip kernel: 2 launches
// a strip. prob lives in s's memory when it fits (the intra-strip kernel
// then writes s rows for the last strip only, sT for the others, which a
// last launch transposes into s). -sessa-gpu-feedback-strip-inverse=1 (off by
// default) adds the strips' whole inverses up front and an intra-strip kernel
// without the chunk chain (YINV below).

// The default also builds the overlapped strip loop (a run-time choice:
// feedback-attention-overlap.mlir); CHECK follows the two-launches-a-strip
// loop alone.
// RUN: sessa-opt %s --split-input-file --convert-sessa-to-gpu="wgmma-feedback=1" -sessa-gpu-feedback-overlap=0 --cse | FileCheck %s --check-prefixes=CHECK,ONE
// RUN: sessa-opt %s --split-input-file --convert-sessa-to-gpu="wgmma-feedback=1" -sessa-gpu-feedback-one-pass=0 -sessa-gpu-feedback-overlap=0 --cse | FileCheck %s --check-prefixes=CHECK,TWO
// RUN: sessa-opt %s --split-input-file --convert-sessa-to-gpu="wgmma-feedback=1" -sessa-gpu-feedback-one-pass-f16=0 --cse | FileCheck %s --check-prefix=EBF16
// RUN: sessa-opt %s --split-input-file --convert-sessa-to-gpu="wgmma-feedback=1" -sessa-gpu-feedback-one-pass-wide=0 --cse | FileCheck %s --check-prefix=NARROW
// RUN: sessa-opt %s --split-input-file --convert-sessa-to-gpu="wgmma-feedback=1" -sessa-gpu-feedback-pass-n=64 --cse | FileCheck %s --check-prefix=N64
// RUN: sessa-opt %s --split-input-file --convert-sessa-to-gpu="wgmma-feedback=1" -sessa-gpu-feedback-upfront=0 --cse | FileCheck %s --check-prefix=STRIPS
// RUN: sessa-opt %s --split-input-file --convert-sessa-to-gpu="wgmma-feedback=1" -sessa-gpu-feedback-strip-inverse=1 --cse | FileCheck %s --check-prefix=YINV
// The default (strip-inverse off) never allocates the strip inverses.
// RUN: sessa-opt %s --split-input-file --convert-sessa-to-gpu="wgmma-feedback=1" --cse | FileCheck %s --check-prefix=NOYINV

// NOYINV-LABEL: func.func @bf16_upfront
// NOYINV-NOT:   x6x64x64xf32>
// NOYINV:       return

// -sessa-gpu-feedback-strip-inverse=1 (off by default: correct on the H100
// but slower): after the inverses, the off-diagonal blocks Y[c][t] of every
// strip's whole inverse (one launch, grid (chunks - 1, nS, B * Hb), f32 SIMT
// tiles), the own-key blocks freed before the loop, and an intra-strip
// kernel reading the ten blocks of Y_i (staged in shared memory) with no
// chain between the chunks.
// YINV-LABEL: func.func @bf16_upfront
// YINV:       %[[R:.*]] = arith.muli %{{.*}}, %c64 : index
// YINV:       %[[CPS:.*]] = arith.ceildivui %[[R]], %c64 : index
// YINV:       %[[NS:.*]] = arith.ceildivui %{{.*}}, %[[R]] : index
// YINV:       %[[D16:.*]] = memref.alloc(%{{.*}}) : memref<?xi8>
// YINV:       %[[D32:.*]] = memref.alloc(%{{.*}}) : memref<?xi8>
// YINV:       %[[D32ALL:.*]] = memref.view %[[D32]][%c0][%[[NS]], %c2, %c1, %[[CPS]]] : memref<?xi8> to memref<?x?x?x?x64x64xf32>
// YINV:       gpu.launch {{.*}} threads({{.*}}) in (%{{.*}} = %c64,
// YINV:       %[[Y:.*]] = memref.alloc(%{{.*}}) : memref<?xi8>
// YINV:       %[[YALL:.*]] = memref.view %[[Y]][%c0][%[[NS]], %c2, %c1] : memref<?xi8> to memref<?x?x?x6x64x64xf32>
// YINV:       %[[D16ALL:.*]] = memref.view %[[D16]][%c0][%[[NS]], %c2, %c1, %[[R]], %[[R]]] : memref<?xi8> to memref<?x?x?x?x?xbf16>
// YINV:       %[[COLS:.*]] = arith.subi %[[CPS]], %c1 : index
// YINV:       %[[MULTI:.*]] = arith.cmpi ult, %c1, %[[CPS]] : index
// YINV:       scf.if %[[MULTI]] {
// YINV:         gpu.launch blocks({{.*}}) in (%{{.*}} = %[[COLS]], %{{.*}} = %[[NS]], %{{.*}} = %{{.*}}) threads({{.*}}) in (%{{.*}} = %c256, %{{.*}} = %c1, %{{.*}} = %c1) dynamic_shared_memory_size %c104448_i32
// YINV:           nvgpu.device_async_copy %[[D32ALL]]
// YINV:           scf.for
// YINV:             scf.for
// YINV:               memref.load %[[D16ALL]]
// YINV:               math.fma
// YINV:           vector.store %{{.*}}, %[[YALL]][{{.*}}] {alignment = 16 : i64} : memref<?x?x?x6x64x64xf32>, vector<4xf32>
// YINV:       }
// YINV:       memref.dealloc %[[D16]]
// YINV:       scf.for %{{.*}} = %c0 to %{{.*}} step %[[R]] {
// YINV-NOT:     memref.view %[[D16]]
// YINV:         %[[YS:.*]] = memref.view %[[Y]][%{{.*}}][%c2, %c1] : memref<?xi8> to memref<?x?x6x64x64xf32>
// Intra-strip with Y_i: 8, 16 or 32 columns a block (ten 64 x 68 f32
// blocks and the rhs in shared memory).
// YINV:         dynamic_shared_memory_size %c186368_i32
// YINV:           nvgpu.device_async_copy %[[YS]]
// YINV:           nvvm.mma.sync
// YINV:         dynamic_shared_memory_size %c194560_i32
// YINV:         dynamic_shared_memory_size %c210944_i32
// YINV:           memref.view %{{.*}}[%c36864][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<10x64x68xf32, #gpu.address_space<workgroup>>
// YINV:           nvgpu.device_async_copy %[[YS]]
// YINV:           nvvm.mma.sync
// YINV:       }
// YINV:       memref.dealloc %[[D32]]
// YINV:       memref.dealloc %[[Y]]
// YINV-NOT:   memref.dealloc %[[D16]]
// YINV:       return
// RUN: sessa-opt %s --split-input-file --convert-sessa-to-gpu="wgmma-feedback=1" -sessa-gpu-feedback-pass-tma=0 --cse | FileCheck %s --check-prefix=NOTMA
// RUN: sessa-opt %s --split-input-file --convert-sessa-to-gpu="wgmma-feedback=1" -sessa-gpu-feedback-pass-pingpong=0 --cse | FileCheck %s --check-prefix=COOP

// -sessa-gpu-feedback-pass-tma=0: the passes on the cp.async kernel only.
// NOTMA-LABEL: func.func @bf16_upfront
// NOTMA-NOT:   sessa_cuda_tensor_map_2d
// NOTMA-NOT:   gemm_wgmma_tma
// NOTMA:       return

// -sessa-gpu-feedback-pass-pingpong=0: 128-key TMA passes cooperative (the
// passes' 5 stages: 5 x 256 x 128 + 1024 + 80 bytes).
// COOP-LABEL: func.func @bf16_upfront
// COOP:       } else {
// COOP:         gpu.launch {{.*}} threads({{.*}}) in (%{{.*}} = %c384, %{{.*}} = %c1, %{{.*}} = %c1) dynamic_shared_memory_size %c164944_i32
// COOP:         } {sessa.gpu_kernel = "gemm_wgmma_tma"}

// -sessa-gpu-feedback-one-pass-f16=0: the exponentials stored as bf16 (no
// f16 bits), read back as bf16.
// EBF16-LABEL: func.func @bf16_upfront
// EBF16-NOT:   xf16>
// EBF16:       arith.truncf %{{.*}} : vector<2xf32> to vector<2xbf16>
// EBF16:       vector.bitcast %{{.*}} : vector<2xbf16> to vector<1xi32>
// EBF16:       vector.store %{{.*}} {alignment = 16 : i64} : memref<?xbf16>, vector<8xbf16>
// EBF16-NOT:   xf16>
// EBF16:       vector.load %{{.*}} {alignment = 16 : i64} : memref<?xbf16>, vector<8xbf16>
// EBF16-NOT:   xf16>
// EBF16:       arith.extf %{{.*}} : vector<8xbf16> to vector<8xf32>
// EBF16:       return

// -sessa-gpu-feedback-one-pass-wide=0: pass 1 stores each key pair (4 bytes
// of f16 bits), no transpose.
// NARROW-LABEL: func.func @bf16_upfront
// NARROW-NOT:   vector<1xi32>
// NARROW:       %[[E16:.*]] = arith.truncf %{{.*}} : vector<2xf32> to vector<2xf16>
// NARROW:       %[[EB:.*]] = vector.bitcast %[[E16]] : vector<2xf16> to vector<2xbf16>
// NARROW:       vector.store %[[EB]], %{{.*}}[%{{.*}}] {alignment = 4 : i64} : memref<?xbf16>, vector<2xbf16>
// NARROW:       vector.store %{{.*}}, %{{.*}}[%{{.*}}] {alignment = 8 : i64} : memref<?xf32>, vector<2xf32>
// NARROW:       vector.bitcast %{{.*}} : vector<2xf16> to vector<2xbf16>
// NARROW:       vector.store %{{.*}}, %{{.*}}[%{{.*}}] {alignment = 4 : i64} : memref<?xbf16>, vector<2xbf16>
// NARROW-NOT:   vector<4xi32>
// NARROW:       } {sessa.gpu_kernel = "gemm_wgmma_tma"}

// STRIPS-LABEL: func.func @bf16_upfront
// STRIPS-NOT:   gpu.shuffle
// STRIPS:       scf.for
// STRIPS:       return

// One pass width when forced: 64-key tiles (6 stages), no run-time choice.
// N64-LABEL: func.func @bf16_upfront
// N64:         %[[T:.*]] = tensor.dim %arg0, %c1
// N64:         %[[TILES:.*]] = arith.ceildivui %[[T]], %c64 : index
// N64:         memref.alloc(%c1, %[[TILES]], %c2, %{{.*}}) : memref<?x?x?x?xf32>
// N64-NOT:     %c4095
// N64:         dynamic_shared_memory_size %c148480_i32
// N64:         nvvm.wgmma.mma_async {{.*}} <m = 64, n = 64, k = 16>

// CHECK-LABEL: func.func @bf16_upfront
// CHECK:       %[[T:.*]] = tensor.dim %arg0, %c1
// CHECK:       %[[S:.*]] = memref.alloc(%[[T]]) : memref<2x?x1x64xbf16>
// Strip slots of R = min(256, T) rounded up to 64 rows; nS strips.
// CHECK:       %[[R:.*]] = arith.muli %{{.*}}, %c64 : index
// CHECK:       %[[CPS:.*]] = arith.ceildivui %[[R]], %c64 : index
// CHECK:       %[[NS:.*]] = arith.ceildivui %[[T]], %[[R]] : index
// Statistics [Hb, ceil(T / 128), B, T] f32 (max and sum).
// CHECK:       %[[TILES:.*]] = arith.ceildivui %[[T]], %c128 : index
// CHECK:       %[[MAX:.*]] = memref.alloc(%c1, %[[TILES]], %c2, %[[T]]) : memref<?x?x?x?xf32>
// CHECK:       %[[SUM:.*]] = memref.alloc(%c1, %[[TILES]], %c2, %[[T]]) : memref<?x?x?x?xf32>
// prob (B Hb R^2 nS (nS - 1) / 2 elements) in s's memory when it fits.
// CHECK:       %[[FITS:.*]] = arith.cmpi ule, %[[PE:.*]], %[[SE:.*]] : index
// CHECK:       %[[OWNN:.*]] = arith.select %[[FITS]], %c8, %[[PE]] : index
// CHECK:       %[[OWN:.*]] = memref.alloc(%[[OWNN]]) : memref<?xbf16>
// CHECK:       %[[SFLAT:.*]] = memref.reinterpret_cast %[[S]] to offset: [0], sizes: [%[[SE]]], strides: [1]
// CHECK:       %[[PROB:.*]] = arith.select %[[FITS]], %[[SFLAT]], %[[OWN]] : memref<?xbf16>
// The strips' own-key blocks (16-bit) and diagonal chunk blocks (f32).
// CHECK:       %[[D16:.*]] = memref.alloc(%{{.*}}) : memref<?xi8>
// CHECK:       %[[D32:.*]] = memref.alloc(%{{.*}}) : memref<?xi8>
// CHECK:       %[[D16F:.*]] = memref.view %[[D16]][%c0][%{{.*}}] : memref<?xi8> to memref<?xbf16>
// CHECK:       %[[D32F:.*]] = memref.view %[[D32]][%c0][%{{.*}}] : memref<?xi8> to memref<?xf32>
// CHECK:       %[[D32ALL:.*]] = memref.view %[[D32]][%c0][%[[NS]], %c2, %c1, %[[CPS]]] : memref<?xi8> to memref<?x?x?x?x64x64xf32>
// sT: the rows before the last strip, rounded up to 8.
// CHECK:       %[[ST:.*]] = memref.alloc(%c2, %c1, %c64, %{{.*}}) : memref<?x?x?x?xbf16>
// CHECK:       %[[PART:.*]] = memref.alloc(%{{.*}}, %c2, %c1, %[[R]], %c64) : memref<?x?x?x?x?xf32>
// CHECK:       %[[FROMT:.*]] = arith.select %[[FITS]], %c1, %c0 : index
// T >= 4096: 256-key tiles (4 stages: 4 x 384 x 128 + 1024 bytes), else
// 128 (5 stages). Each pass: the TMA warp-specialised kernel when the runtime
// makes the tensor maps, else the cp.async kernel.
// CHECK:       %[[BIGT:.*]] = arith.cmpi ult, %c4095, %[[T]] : index
// CHECK:       scf.if %[[BIGT]] {
// Pass 1: qb x kb^T per head, C only sizing the launch (B x T x T).
// CHECK:         scf.for %[[H:.*]] = %c0 to %c1 step %c1 {
// CHECK:           %[[QV:.*]] = memref.subview %{{.*}}[%c0, %c0, %[[H]], %c0] [%c2, %[[T]], 1, %c32]
// CHECK:           %[[KV:.*]] = memref.subview %{{.*}}[%c0, %c0, %[[H]], %c0] [%c2, %[[T]], 1, %c32]
// CHECK:           %[[CV:.*]] = memref.reinterpret_cast %[[MAX]] to offset: [%c0], sizes: [%c2, %[[T]], %[[T]]]
// TMA kernel: each operand's batch folded into the rows of its tensor map
// ([B T, dk], row stride Hb dk; when the batch stride is T rows, or B = 1),
// boxes of 128 query rows and 256 keys; M == N for the lower-tile schedule.
// CHECK:           %[[CM:.*]] = memref.dim %[[CV]], %c1
// CHECK:           %[[CN:.*]] = memref.dim %[[CV]], %c2
// CHECK:           %{{.*}}, %{{.*}}, %[[QS:.*]]:3, %[[QST:.*]]:3 = memref.extract_strided_metadata %[[QV]]
// CHECK:           %[[QROWS:.*]] = arith.muli %[[QS]]#1, %[[QST]]#1 : index
// CHECK:           arith.cmpi eq, %[[QST]]#0, %[[QROWS]] : index
// CHECK:           %[[QF:.*]] = memref.reinterpret_cast %[[QV]] to offset: [%{{.*}}], sizes: [%{{.*}}, %[[QS]]#2], strides: [%[[QST]]#1, %[[QST]]#2]
// CHECK:           %[[MAPQ:.*]] = llvm.call @sessa_cuda_tensor_map_2d({{.*}}, %c2_i32, %c128_i32, %c64_i32)
// CHECK:           memref.reinterpret_cast %[[KV]]
// CHECK:           %[[MAPK:.*]] = llvm.call @sessa_cuda_tensor_map_2d({{.*}}, %c2_i32, %c256_i32, %c64_i32)
// CHECK:           arith.cmpi eq, %[[CM]], %[[CN]] : index
// CHECK:           scf.if
// Persistent: at most 132 blocks of 384 threads over B x the lower tiles
// (row block pairs p of p + 1 tiles each), cooperative (4 stages).
// CHECK:             arith.ceildivui %[[CM]], %c128 : index
// CHECK:             %[[GRID:.*]] = arith.minsi %{{.*}}, %c132 : index
// CHECK:             gpu.launch blocks({{.*}}) in (%{{.*}} = %[[GRID]], %{{.*}} = %c1, %{{.*}} = %c1) threads({{.*}}) in (%{{.*}} = %c384, %{{.*}} = %c1, %{{.*}} = %c1) dynamic_shared_memory_size %c197696_i32
// The producer decodes its tiles (sqrt of 4 t + 1), loads rows b T + m0
// and b T + n0.
// CHECK:               math.sqrt
// CHECK:               nvvm.cp.async.bulk.tensor.shared.cluster.global
// CHECK:               nvvm.cp.async.bulk.tensor.shared.cluster.global
// CHECK:             } else {
// CHECK:               math.sqrt
// CHECK:               nvvm.wgmma.mma_async {{.*}} <m = 64, n = 256, k = 16>
// CHECK:               gpu.shuffle  xor %{{.*}}, %c2_i32, %c32_i32 : f32
// CHECK:               gpu.shuffle  xor %{{.*}}, %c1_i32, %c32_i32 : f32
// CHECK:               math.exp
// CHECK:               memref.store %{{.*}}, %[[MAX]][%[[H]], %{{.*}}, %{{.*}}, %{{.*}}] : memref<?x?x?x?xf32>
// CHECK:               memref.store %{{.*}}, %[[SUM]][%[[H]], %{{.*}}, %{{.*}}, %{{.*}}] : memref<?x?x?x?xf32>
// One pass: the tile-relative exponentials of each 32-key group of a row:
// four key pairs a lane as f16 bits packed in i32, transposed in the quad
// (xor shuffles 1 and 2), so that each lane stores 8 keys at once: 16 bytes
// into prob or the own-key blocks, or the f32 pairs into the diagonal blocks.
// ONE:                 %[[E16:.*]] = arith.truncf %{{.*}} : vector<2xf32> to vector<2xf16>
// ONE:                 %[[EI:.*]] = vector.bitcast %[[E16]] : vector<2xf16> to vector<1xi32>
// ONE:                 gpu.shuffle  xor %{{.*}}, %c1_i32, %c32_i32 : i32
// ONE:                 gpu.shuffle  xor %{{.*}}, %c1_i32, %c32_i32 : i32
// ONE:                 gpu.shuffle  xor %{{.*}}, %c2_i32, %c32_i32 : i32
// ONE:                 gpu.shuffle  xor %{{.*}}, %c2_i32, %c32_i32 : i32
// ONE:                 %[[W4:.*]] = vector.from_elements %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : vector<4xi32>
// ONE:                 %[[E8:.*]] = vector.bitcast %[[W4]] : vector<4xi32> to vector<8xbf16>
// ONE:                 vector.store %[[E8]], %[[PROB]][%{{.*}}] {alignment = 16 : i64} : memref<?xbf16>, vector<8xbf16>
// ONE:                 vector.store %{{.*}}, %[[D32F]][%{{.*}}] {alignment = 8 : i64} : memref<?xf32>, vector<2xf32>
// ONE:                 vector.store %{{.*}}, %[[D32F]][%{{.*}}] {alignment = 8 : i64} : memref<?xf32>, vector<2xf32>
// ONE:                 vector.store %{{.*}}, %[[D32F]][%{{.*}}] {alignment = 8 : i64} : memref<?xf32>, vector<2xf32>
// ONE:                 vector.store %{{.*}}, %[[D32F]][%{{.*}}] {alignment = 8 : i64} : memref<?xf32>, vector<2xf32>
// ONE:                 vector.store %[[E8]], %[[D16F]][%{{.*}}] {alignment = 16 : i64} : memref<?xbf16>, vector<8xbf16>
// ONE-NOT:             vector<2xbf16>
// TWO-NOT:             vector.store
// CHECK:           } {sessa.gpu_kernel = "gemm_wgmma_tma"}
// Without tensor maps (SESSA_CUDA_TMA=0, strides that do not fold): the
// cp.async wgmma kernel.
// CHECK:           } else {
// CHECK:           gpu.launch {{.*}} dynamic_shared_memory_size %c197632_i32
// Block tiles with no column < row compute nothing.
// CHECK:             %[[N0:.*]] = arith.muli %{{.*}}, %c256 : index
// CHECK:             %[[M0:.*]] = arith.muli %{{.*}}, %c128 : index
// CHECK:             %[[LAST:.*]] = arith.addi %[[M0]], %c127 : index
// CHECK:             %[[LOWER:.*]] = arith.cmpi slt, %[[N0]], %[[LAST]] : index
// CHECK:             scf.if %[[LOWER]] {
// CHECK:               nvvm.wgmma.mma_async {{.*}} <m = 64, n = 256, k = 16>
// Quad reductions of the row max and sum, stored by lane 0 of the quad.
// CHECK:               gpu.shuffle  xor %{{.*}}, %c2_i32, %c32_i32 : f32
// CHECK:               gpu.shuffle  xor %{{.*}}, %c1_i32, %c32_i32 : f32
// CHECK:               math.exp
// CHECK:               memref.store %{{.*}}, %[[MAX]][%[[H]], %{{.*}}, %{{.*}}, %{{.*}}] : memref<?x?x?x?xf32>
// CHECK:               memref.store %{{.*}}, %[[SUM]][%[[H]], %{{.*}}, %{{.*}}, %{{.*}}] : memref<?x?x?x?xf32>
// ONE:                 vector.bitcast %{{.*}} : vector<4xi32> to vector<8xbf16>
// ONE:                 vector.store %{{.*}}, %[[PROB]][%{{.*}}] {alignment = 16 : i64} : memref<?xbf16>, vector<8xbf16>
// ONE:                 vector.store %{{.*}}, %[[D32F]][%{{.*}}] {alignment = 8 : i64} : memref<?xf32>, vector<2xf32>
// ONE:                 vector.store %{{.*}}, %[[D16F]][%{{.*}}] {alignment = 16 : i64} : memref<?xbf16>, vector<8xbf16>
// TWO-NOT:             vector.store
// CHECK:           } {sessa.gpu_kernel = "gemm_wgmma"}
// One pass: the rescale launch, grid (ceil(T / 8), Hb, B) of 256 threads, a
// warp a row, the last row block first. The row's max and sum over its
// tiles (lanes strided over the tiles, then warp shuffles), gamma / max(L,
// 1); then the prob run in steps of 1024 keys a warp (four 16-byte loads a
// lane in flight), each 8-key vector times factor * exp(m_t - M) of its
// 256-key tile, f16 bits to f32 to bf16; then single 256-key steps; the
// same for the own-key run; the f32 diagonal block row by 16 lanes (scale 0
// when its tile is not one of the row's: every value there is 0).
// ONE:         %[[RB8:.*]] = arith.ceildivui %[[T]], %c8 : index
// ONE:         gpu.launch blocks(%[[BX:.*]], %[[BY:.*]], %[[BZ:.*]]) in (%{{.*}} = %[[RB8]], %{{.*}} = %c1, %{{.*}} = %c2) threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c256, %{{.*}} = %c1, %{{.*}} = %c1) {
// ONE:           %[[LANE:.*]] = arith.remui %[[TX]], %c32 : index
// ONE:           %[[WARP:.*]] = arith.divui %[[TX]], %c32 : index
// ONE:           %[[LASTRB:.*]] = arith.subi %[[RB8]], %c1 : index
// ONE:           %[[RBI:.*]] = arith.subi %[[LASTRB]], %[[BX]] : index
// ONE:           %[[RB0:.*]] = arith.muli %[[RBI]], %c8 : index
// ONE:           %[[ROW:.*]] = arith.addi %[[RB0]], %[[WARP]] : index
// ONE:           %[[RIN:.*]] = arith.cmpi ult, %[[ROW]], %[[T]] : index
// ONE:           scf.if %[[RIN]] {
// ONE:             %[[NT:.*]] = arith.ceildivui %[[ROW]], %c256 : index
// ONE:             %[[MS:.*]]:2 = scf.for %[[TT:.*]] = %[[LANE]] to %[[NT]] step %c32 iter_args(
// ONE:               memref.load %[[MAX]][%[[BY]], %[[TT]], %[[BZ]], %[[ROW]]]
// ONE:               memref.load %[[SUM]][%[[BY]], %[[TT]], %[[BZ]], %[[ROW]]]
// ONE:             gpu.shuffle  xor %[[MS]]#0, %c16_i32, %c32_i32 : f32
// ONE:             %[[GAMMA:.*]] = arith.extf %{{.*}} : bf16 to f32
// ONE:             %[[FACTOR:.*]] = arith.divf %[[GAMMA]], %{{.*}} : f32
// ONE:             scf.for %{{.*}} = %c0 to %{{.*}} step %c1024 {
// ONE:               vector.load %[[PROB]][%{{.*}}] {alignment = 16 : i64} : memref<?xbf16>, vector<8xbf16>
// ONE:               vector.load %[[PROB]][%{{.*}}] {alignment = 16 : i64} : memref<?xbf16>, vector<8xbf16>
// ONE:               vector.load %[[PROB]][%{{.*}}] {alignment = 16 : i64} : memref<?xbf16>, vector<8xbf16>
// ONE:               vector.load %[[PROB]][%{{.*}}] {alignment = 16 : i64} : memref<?xbf16>, vector<8xbf16>
// ONE:               %[[KT:.*]] = arith.divui %{{.*}}, %c256 : index
// ONE:               %[[MT:.*]] = memref.load %[[MAX]][%[[BY]], %[[KT]], %[[BZ]], %[[ROW]]]
// ONE:               %[[D:.*]] = arith.subf %[[MT]], %{{.*}} : f32
// ONE:               %[[X:.*]] = math.exp %[[D]] : f32
// ONE:               %[[SC:.*]] = arith.mulf %[[FACTOR]], %[[X]] : f32
// ONE:               %[[F16:.*]] = vector.bitcast %{{.*}} : vector<8xbf16> to vector<8xf16>
// ONE:               %[[F32:.*]] = arith.extf %[[F16]] : vector<8xf16> to vector<8xf32>
// ONE:               %[[SCV:.*]] = vector.broadcast %[[SC]] : f32 to vector<8xf32>
// ONE:               %[[P:.*]] = arith.mulf %[[F32]], %[[SCV]] : vector<8xf32>
// ONE:               %[[PB:.*]] = arith.truncf %[[P]] : vector<8xf32> to vector<8xbf16>
// ONE:               vector.store %[[PB]], %[[PROB]][%{{.*}}] {alignment = 16 : i64} : memref<?xbf16>, vector<8xbf16>
// ONE:             }
// ONE:             scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c256 {
// ONE:                 vector.load %[[PROB]]
// ONE:                 vector.store %{{.*}}, %[[PROB]]
// ONE:             scf.for %{{.*}} = %c0 to %{{.*}} step %c1024 {
// ONE:               vector.load %[[D16F]][%{{.*}}] {alignment = 16 : i64} : memref<?xbf16>, vector<8xbf16>
// ONE:               vector.store %{{.*}}, %[[D16F]][%{{.*}}] {alignment = 16 : i64} : memref<?xbf16>, vector<8xbf16>
// ONE:             scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c256 {
// ONE:                 vector.store %{{.*}}, %[[D16F]]
// ONE:             %[[HALF:.*]] = arith.cmpi ult, %[[LANE]], %c16 : index
// ONE:             scf.if %[[HALF]] {
// ONE:               vector.load %[[D32F]][%{{.*}}] {alignment = 16 : i64} : memref<?xf32>, vector<4xf32>
// ONE:               %[[CT:.*]] = arith.divui %{{.*}}, %c256 : index
// ONE:               %[[OWNT:.*]] = arith.cmpi ult, %[[CT]], %[[NT]] : index
// ONE:               arith.select %[[OWNT]], %{{.*}}, %{{.*}} : f32
// ONE:               vector.store %{{.*}}, %[[D32F]][%{{.*}}] {alignment = 16 : i64} : memref<?xf32>, vector<4xf32>
// No second pass.
// ONE-NOT:       nvvm.wgmma.mma_async
// Two passes (-sessa-gpu-feedback-one-pass=0): row statistics, four threads
// a row (64 rows a block), into tile 0.
// TWO:         %[[RB:.*]] = arith.ceildivui %[[T]], %c64 : index
// TWO:         gpu.launch blocks({{.*}}) in (%{{.*}} = %[[RB]], %{{.*}} = %c1, %{{.*}} = %c2) threads({{.*}}) in (%{{.*}} = %c256,
// TWO:           scf.for
// TWO:           gpu.shuffle  xor
// TWO:           memref.store %{{.*}}, %[[MAX]][%{{.*}}, %c0, %{{.*}}, %{{.*}}]
// TWO:           memref.store %{{.*}}, %[[SUM]][%{{.*}}, %c0, %{{.*}}, %{{.*}}]
// Pass 2: pairs into prob (16-bit), the diagonal blocks (f32) or the own
// earlier-chunk keys (16-bit).
// TWO:         scf.for
// TWO:           llvm.call @sessa_cuda_tensor_map_2d
// TWO:           llvm.call @sessa_cuda_tensor_map_2d
// TWO:           gpu.launch {{.*}} dynamic_shared_memory_size %c197696_i32
// TWO:             nvvm.wgmma.mma_async {{.*}} <m = 64, n = 256, k = 16>
// TWO:             memref.load %[[MAX]]
// TWO:             memref.load %[[SUM]]
// TWO-NOT:         vector.bitcast
// TWO:             vector.store %{{.*}}, %[[PROB]][%{{.*}}] {alignment = 4 : i64} : memref<?xbf16>, vector<2xbf16>
// TWO:             vector.store %{{.*}}, %[[D32F]][%{{.*}}] {alignment = 8 : i64} : memref<?xf32>, vector<2xf32>
// TWO:             vector.store %{{.*}}, %[[D16F]][%{{.*}}] {alignment = 4 : i64} : memref<?xbf16>, vector<2xbf16>
// TWO:           } {sessa.gpu_kernel = "gemm_wgmma_tma"}
// TWO:           gpu.launch {{.*}} dynamic_shared_memory_size %c197632_i32
// TWO:             nvvm.wgmma.mma_async {{.*}} <m = 64, n = 256, k = 16>
// TWO:             memref.load %[[MAX]]
// TWO:             memref.load %[[SUM]]
// TWO:             vector.store %{{.*}}, %[[PROB]][%{{.*}}] {alignment = 4 : i64} : memref<?xbf16>, vector<2xbf16>
// TWO:             vector.store %{{.*}}, %[[D32F]][%{{.*}}] {alignment = 8 : i64} : memref<?xf32>, vector<2xf32>
// TWO:             vector.store %{{.*}}, %[[D16F]][%{{.*}}] {alignment = 4 : i64} : memref<?xbf16>, vector<2xbf16>
// TWO:           } {sessa.gpu_kernel = "gemm_wgmma"}
// TWO-NOT:       vector<8xbf16>
// T < 4096, 128 keys: the TMA kernel ping-pong (two 128 x 128 tiles in
// flight, one a consumer warpgroup, each as two m64n128 halves; 6 stages),
// the cp.async one with 5 stages.
// CHECK:       } else {
// CHECK:           llvm.call @sessa_cuda_tensor_map_2d({{.*}}, %c2_i32, %c128_i32, %c64_i32)
// CHECK:           llvm.call @sessa_cuda_tensor_map_2d({{.*}}, %c2_i32, %c128_i32, %c64_i32)
// CHECK:           gpu.launch {{.*}} threads({{.*}}) in (%{{.*}} = %c384, %{{.*}} = %c1, %{{.*}} = %c1) dynamic_shared_memory_size %c197744_i32
// CHECK:             math.sqrt
// CHECK:             math.sqrt
// CHECK:             nvvm.wgmma.mma_async {{.*}} <m = 64, n = 128, k = 16>
// CHECK:             nvvm.wgmma.mma_async {{.*}} <m = 64, n = 128, k = 16>
// CHECK:           } {sessa.gpu_kernel = "gemm_wgmma_tma"}
// CHECK:           gpu.launch {{.*}} dynamic_shared_memory_size %c164864_i32
// CHECK:             nvvm.wgmma.mma_async {{.*}} <m = 64, n = 128, k = 16>
// One pass: the rescale launch with 128-key tiles.
// ONE:         gpu.launch blocks({{.*}}) in (%{{.*}} = %[[RB8]], %{{.*}} = %c1, %{{.*}} = %c2) threads({{.*}}) in (%{{.*}} = %c256,
// ONE:             arith.ceildivui %{{.*}}, %c128 : index
// ONE:               arith.divui %{{.*}}, %c128 : index
// ONE:               vector.store %{{.*}}, %[[PROB]][%{{.*}}] {alignment = 16 : i64} : memref<?xbf16>, vector<8xbf16>
// ONE-NOT:       nvvm.wgmma.mma_async
// TWO:             nvvm.wgmma.mma_async {{.*}} <m = 64, n = 128, k = 16>
// TWO:             nvvm.wgmma.mma_async {{.*}} <m = 64, n = 128, k = 16>
// CHECK:       }
// CHECK:       memref.dealloc %[[SUM]]
// CHECK:       memref.dealloc %[[MAX]]
// All inverses: grid (nS * chunks a strip, Hb, B) of 64 threads, in place.
// CHECK:       %[[NCH:.*]] = arith.muli %[[NS]], %[[CPS]] : index
// CHECK:       gpu.launch blocks({{.*}}) in (%{{.*}} = %[[NCH]], %{{.*}} = %c1, %{{.*}} = %c2) threads({{.*}}) in (%{{.*}} = %c64,
// CHECK:         nvgpu.device_async_copy %[[D32ALL]]
// CHECK:         memref.store %{{.*}}, %[[D32ALL]]
// The strip loop: views of strip i's prob, own-key block and inverses.
// CHECK:       scf.for %[[R0:.*]] = %c0 to %[[T]] step %[[R]] {
// CHECK:         %[[ROWS:.*]] = arith.minui %[[R]], %{{.*}} : index
// CHECK:         %[[I:.*]] = arith.divui %[[R0]], %[[R]] : index
// CHECK:         %[[PV:.*]] = memref.reinterpret_cast %[[PROB]] to offset: [%{{.*}}], sizes: [%c2, %c1, %[[R]], %[[R0]]]
// CHECK:         memref.view %[[D16]][%{{.*}}][%c2, %c1, %[[R]], %[[R]]] : memref<?xi8> to memref<?x?x?x?xbf16>
// CHECK:         memref.view %[[D32]][%{{.*}}][%c2, %c1, %[[CPS]]] : memref<?xi8> to memref<?x?x?x64x64xf32>
// Cross-strip wgmma product over sT (none on the first strip), no inverse
// launch of its own.
// CHECK:         scf.for
// CHECK:           memref.subview %[[PV]]
// CHECK:           memref.subview %[[ST]]
// CHECK:           %[[SOLVED:.*]] = arith.cmpi ult, %c0, %[[R0]] : index
// CHECK:           scf.if %[[SOLVED]] {
// CHECK-NOT:         threads({{.*}}) in (%{{.*}} = %c64,
// CHECK:             nvvm.wgmma.mma_async
// CHECK:           } {sessa.gpu_kernel = "gemm_wgmma"}
// Intra-strip: s rows only for the last strip when prob lived in s; sT
// for the others.
// CHECK:         gpu.launch
// CHECK:           %[[NOT:.*]] = arith.cmpi eq, %[[FROMT]], %c0 : index
// CHECK:           arith.ori %[[NOT]], %{{.*}} : i1
// CHECK:           memref.store %{{.*}}, %[[ST]]
// CHECK:           gpu.terminator
// CHECK:       }
// The transpose of sT into s's rows before the last strip.
// CHECK:       scf.if %{{.*}} {
// CHECK:         gpu.launch {{.*}} workgroup(%{{.*}} : memref<32x33xf32, #gpu.address_space<workgroup>>)
// CHECK:           memref.load %[[ST]]
// CHECK:           memref.store %{{.*}}, %[[S]]
// CHECK:       }
// CHECK:       memref.dealloc %[[PART]]
// CHECK:       memref.dealloc %[[ST]]
// CHECK:       memref.dealloc %[[D32]]
// CHECK:       memref.dealloc %[[D16]]
// CHECK:       memref.dealloc %[[OWN]]
func.func @bf16_upfront(%f: tensor<2x?x1x64xbf16>, %q: tensor<2x?x1x32xbf16>, %k: tensor<2x?x1x32xbf16>, %g: tensor<2x?x1xbf16>) -> tensor<2x?x1x64xbf16> {
  %s = sessa.feedback_attention %f, %q, %k, %g : tensor<2x?x1x64xbf16>, tensor<2x?x1x32xbf16>, tensor<2x?x1x32xbf16>, tensor<2x?x1xbf16>
  return %s : tensor<2x?x1x64xbf16>
}

// -----

// A cache (decoding steps, prefill with a cache entry) keeps the strip path.
// CHECK-LABEL: func.func @bf16_cache_strips
// CHECK-NOT:   gpu.shuffle  xor %{{.*}}, %c2_i32, %c32_i32
// CHECK:       scf.for
// CHECK:       return
// N64-LABEL:   func.func @bf16_cache_strips
// YINV-LABEL:  func.func @bf16_cache_strips
// YINV-NOT:    x6x64x64xf32>
// YINV:        return
// NOYINV-LABEL: func.func @bf16_cache_strips
// STRIPS-LABEL: func.func @bf16_cache_strips
func.func @bf16_cache_strips(%f: tensor<2x?x1x64xbf16>, %q: tensor<2x?x1x32xbf16>, %k: tensor<2x?x1x32xbf16>, %g: tensor<2x?x1xbf16>, %kp: tensor<2x?x1x32xbf16>, %sp: tensor<2x?x1x64xbf16>) -> tensor<2x?x1x64xbf16> {
  %s = sessa.feedback_attention %f, %q, %k, %g cache(%kp, %sp) : tensor<2x?x1x64xbf16>, tensor<2x?x1x32xbf16>, tensor<2x?x1x32xbf16>, tensor<2x?x1xbf16>, tensor<2x?x1x32xbf16>, tensor<2x?x1x64xbf16>
  return %s : tensor<2x?x1x64xbf16>
}

// -----

// f16 storage: the exponentials stored in the storage type itself (no
// bitcast), read back as f16.
// ONE-LABEL:   func.func @f16_upfront
// ONE-NOT:     bf16
// ONE:         arith.truncf %{{.*}} : vector<2xf32> to vector<2xf16>
// ONE:         vector.bitcast %{{.*}} : vector<4xi32> to vector<8xf16>
// ONE:         vector.store %{{.*}}, %{{.*}}[%{{.*}}] {alignment = 16 : i64} : memref<?xf16>, vector<8xf16>
// ONE-NOT:     bf16
// ONE:         vector.load %{{.*}}[%{{.*}}] {alignment = 16 : i64} : memref<?xf16>, vector<8xf16>
// ONE-NOT:     bf16
// ONE:         arith.extf %{{.*}} : vector<8xf16> to vector<8xf32>
// ONE-NOT:     bf16
// ONE:         return
func.func @f16_upfront(%f: tensor<1x?x1x64xf16>, %q: tensor<1x?x1x32xf16>, %k: tensor<1x?x1x32xf16>, %g: tensor<1x?x1xf16>) -> tensor<1x?x1x64xf16> {
  %s = sessa.feedback_attention %f, %q, %k, %g : tensor<1x?x1x64xf16>, tensor<1x?x1x32xf16>, tensor<1x?x1x32xf16>, tensor<1x?x1xf16>
  return %s : tensor<1x?x1x64xf16>
}
