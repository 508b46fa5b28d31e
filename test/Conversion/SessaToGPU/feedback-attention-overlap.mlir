// The overlapped strip chain of the up-front feedback path (sm_90a,
// `wgmma-feedback`, 16-bit storage, no cache): -sessa-gpu-feedback-overlap
// = 1 (default) chooses at run time, when the intra-strip blocks of 16
// columns are at most 64 (-sessa-gpu-feedback-overlap-intra-max), a strip
// loop with one launch a strip: launch i is strip i + 1's cross-strip wgmma
// product over the keys of strips < i (prob of strip i + 1, sT, partial slot
// (i + 1) % 2; 128 x 128 tiles, 197632 bytes of shared memory) with strip
// i's intra-strip kernel as its extra blocks (150528 bytes at 16 columns;
// the launch takes the larger); the first and the last strip (no such
// product) run the
// intra-strip kernel alone. The intra-strip kernel of strip i >= 1 adds the
// previous strip's keys itself (prob fragments and sT fragments loaded from
// global memory, mma.sync). The partials are double buffered; when prob
// lives in s's memory, sT holds all rows and the last transpose all of them.
// Otherwise (and with =0) the two-launches-a-strip loop. =2: always.

// RUN: sessa-opt %s --convert-sessa-to-gpu="wgmma-feedback=1" --cse | FileCheck %s
// RUN: sessa-opt %s --convert-sessa-to-gpu="wgmma-feedback=1" -sessa-gpu-feedback-overlap=0 --cse | FileCheck %s --check-prefix=OFF
// RUN: sessa-opt %s --convert-sessa-to-gpu="wgmma-feedback=1" -sessa-gpu-feedback-overlap=2 --cse | FileCheck %s --check-prefix=ALWAYS
// RUN: sessa-opt %s --convert-sessa-to-gpu="wgmma-feedback=1" -sessa-gpu-feedback-overlap-nc=32 -sessa-gpu-feedback-overlap-rhs-n=64 --cse | FileCheck %s --check-prefix=NC32
// The strip inverses keep the two-launches-a-strip loop.
// RUN: sessa-opt %s --convert-sessa-to-gpu="wgmma-feedback=1" -sessa-gpu-feedback-strip-inverse=1 --cse | FileCheck %s --check-prefix=OFF

// CHECK-LABEL: func.func @bf16_overlap
// CHECK:       %[[T:.*]] = tensor.dim %{{.*}}, %c1 : tensor<2x?x1x64xbf16>
// CHECK:       %[[FITS:.*]] = arith.cmpi ule,
// The run-time choice: intra-strip blocks (dv / 16 x B Hb) <= 64.
// CHECK:       %[[NCT:.*]] = arith.ceildivui %c64, %c16 : index
// CHECK:       %[[IB:.*]] = arith.muli %[[NCT]], %{{.*}} : index
// CHECK:       %[[FEW:.*]] = arith.cmpi ult, %[[IB]], %c65 : index
// CHECK:       %[[ON:.*]] = arith.select %[[FEW]], %c1, %c0 : index
// CHECK:       %[[ONB:.*]] = arith.cmpi ult, %c0, %[[ON]] : index
// sT: all T rows when prob lives in s's memory and the chain is overlapped.
// CHECK:       %[[BOTH:.*]] = arith.andi %[[FITS]], %[[ONB]] : i1
// CHECK:       %[[STROWS:.*]] = arith.select %[[BOTH]], %[[T]], %{{.*}} : index
// CHECK:       %[[ST:.*]] = memref.alloc(%c2, %c1, %c64, %{{.*}}) : memref<?x?x?x?xbf16>
// Splits of the overlapped product: the room the intra-strip blocks leave in
// 132 blocks; the partial buffer has two slots then.
// CHECK:       %[[MAXS:.*]] = arith.maxui %{{.*}}, %c1 : index
// CHECK:       %[[ROOM0:.*]] = arith.maxui %c132, %[[IB]] : index
// CHECK:       arith.subi %[[ROOM0]], %[[IB]] : index
// CHECK:       %[[SLOTS:.*]] = arith.addi %[[ON]], %c1 : index
// CHECK:       %[[PARTN:.*]] = arith.muli %[[MAXS]], %[[SLOTS]] : index
// CHECK:       %[[PART:.*]] = memref.alloc(%[[PARTN]], %c2, %c1, %{{.*}}, %c64) : memref<?x?x?x?x?xf32>
// CHECK:       scf.if %[[ONB]] {
// CHECK:         scf.for %[[R0:.*]] = %c0 to %[[T]] step %[[R:.*]] {
// CHECK:           %[[I:.*]] = arith.divui %[[R0]], %[[R]] : index
// CHECK:           %[[PROBI:.*]] = memref.reinterpret_cast %{{.*}} to offset: [%{{.*}}], sizes: [%c2, %c1, %[[R]], %[[R0]]]
// CHECK:           %[[PAR:.*]] = arith.remui %[[I]], %c2 : index
// CHECK:           memref.reinterpret_cast %[[PART]] to offset: [%{{.*}}], sizes: [%[[MAXS]], %c2, %c1, %[[R]], %c64]
// CHECK:           %[[NOTFIRST:.*]] = arith.cmpi ult, %c0, %[[I]] : index
// CHECK:           %[[R1:.*]] = arith.addi %[[R0]], %[[R]] : index
// CHECK:           %[[HASNEXT:.*]] = arith.cmpi ult, %[[R1]], %[[T]] : index
// CHECK:           %[[COMB:.*]] = arith.andi %[[NOTFIRST]], %[[HASNEXT]] : i1
// CHECK:           scf.if %[[COMB]] {
// Strip i + 1's prob (keys before it: R1), restricted to the keys before
// strip i (R0), against sT, into the other partial slot.
// CHECK:             %[[PROBN:.*]] = memref.reinterpret_cast %{{.*}} to offset: [%{{.*}}], sizes: [%c2, %c1, %[[R]], %[[R1]]]
// CHECK:             %[[OTHER:.*]] = arith.subi %c1, %[[PAR]] : index
// CHECK:             memref.subview %[[PROBN]][%c0, %c0, %c0, %c0] [%c2, 1, %{{.*}}, %[[R0]]]
// CHECK:             memref.subview %[[ST]][%c0, %c0, %c0, %c0] [%c2, 1, %c64, %[[R0]]]
// CHECK:             memref.reinterpret_cast %[[PART]]
// CHECK:             gpu.launch {{.*}} threads({{.*}}) in (%{{.*}} = %c256, %{{.*}} = %c1, %{{.*}} = %c1) dynamic_shared_memory_size %c197632_i32
// CHECK:               nvvm.wgmma.mma_async {{.*}} <m = 64, n = 128, k = 16>
// The extra blocks: strip i's intra-strip kernel, the previous strip's keys
// first (8 keys of prob and sT at a time, mma.sync), then the chunks.
// CHECK:             } else {
// CHECK:               vector.load %[[PROBI]][{{.*}}] {alignment = 16 : i64} : memref<?x?x?x?xbf16, strided<[?, ?, ?, 1], offset: ?>>, vector<8xbf16>
// CHECK:               vector.load %[[ST]][{{.*}}] {alignment = 16 : i64} : memref<?x?x?x?xbf16>, vector<8xbf16>
// CHECK:               nvvm.mma.sync
// CHECK:               nvgpu.ldmatrix
// CHECK:             } {sessa.gpu_kernel = "gemm_wgmma"}
// Products of the other heads: plain.
// CHECK:             scf.for %{{.*}} = %c1 to %c1 step %c1 {
// CHECK:               gpu.launch {{.*}} dynamic_shared_memory_size %c197632_i32
// CHECK:           } else {
// CHECK:             gpu.launch {{.*}} dynamic_shared_memory_size %c150528_i32 {
// CHECK:               vector.load %[[PROBI]]
// CHECK:               nvvm.mma.sync
// CHECK:       } else {
// CHECK:         scf.for
// CHECK:           gpu.launch {{.*}} dynamic_shared_memory_size %c148480_i32
// CHECK:           gpu.launch {{.*}} dynamic_shared_memory_size %c140288_i32
// CHECK:       %[[TR:.*]] = arith.cmpi ult, %c0, %[[STROWS]] : index
// CHECK:       arith.andi %[[FITS]], %[[TR]] : i1
// CHECK:       memref.dealloc %[[PART]]
// CHECK:       memref.dealloc %[[ST]]

// One slot of partials, never viewed as slots.
// OFF-LABEL:   func.func @bf16_overlap
// OFF:         %[[PART:.*]] = memref.alloc(%[[MAXS:[0-9]+]], %c2, %c1, %{{.*}}, %c64) : memref<?x?x?x?x?xf32>
// OFF-NOT:     memref.reinterpret_cast %[[PART]] to offset: [%{{.*}}], sizes: [%[[MAXS]],
// OFF:         memref.dealloc %[[PART]]

// ALWAYS-LABEL: func.func @bf16_overlap
// ALWAYS-NOT:   %c65 = arith.constant 65 : index
// ALWAYS:       scf.for
// ALWAYS:         arith.remui %{{.*}}, %c2 : index
// ALWAYS:         gpu.launch {{.*}} dynamic_shared_memory_size %c197632_i32
// ALWAYS:         } {sessa.gpu_kernel = "gemm_wgmma"}
// ALWAYS-NOT:   dynamic_shared_memory_size %c140288_i32
// ALWAYS:       return

// 32 columns a block, 128 x 64 product tiles: the intra-strip kernel's
// shared memory is the larger.
// NC32-LABEL:  func.func @bf16_overlap
// NC32:        arith.ceildivui %c64, %c32 : index
// NC32:        gpu.launch {{.*}} dynamic_shared_memory_size %c171008_i32
// NC32:          nvvm.wgmma.mma_async {{.*}} <m = 64, n = 64, k = 16>
// NC32:        } {sessa.gpu_kernel = "gemm_wgmma"}
func.func @bf16_overlap(%f: tensor<2x?x1x64xbf16>, %q: tensor<2x?x1x32xbf16>, %k: tensor<2x?x1x32xbf16>, %g: tensor<2x?x1xbf16>) -> tensor<2x?x1x64xbf16> {
  %s = sessa.feedback_attention %f, %q, %k, %g : tensor<2x?x1x64xbf16>, tensor<2x?x1x32xbf16>, tensor<2x?x1x32xbf16>, tensor<2x?x1xbf16>
  return %s : tensor<2x?x1x64xbf16>
}
