// sessa-gpu-device-memory: host buffers become device memory. memref.alloc
// and memref.alloca -> gpu.alloc; memref.dealloc -> gpu.dealloc; a buffer
// without dealloc that does not escape is freed right after its last use
// in its block (a use inside a kernel or a loop counts at that op);
// contiguous copies -> gpu.memcpy, strided ones -> a copy kernel; constant
// globals are copied into device buffers. Kernels are left alone.

// RUN: sessa-opt %s --split-input-file --sessa-gpu-device-memory | FileCheck %s
// RUN: sessa-opt %s --split-input-file --sessa-gpu-device-memory --sessa-gpu-check-host-access | FileCheck %s --check-prefix=HOST
// HOST-NOT: memref.alloc(
// HOST-NOT: memref.copy

// CHECK-LABEL: func.func @allocs(
// CHECK-SAME: %[[N:[^:]+]]: index, %[[OUT:[^:]+]]: memref<?xf32>)
// CHECK: %[[A:.+]] = gpu.alloc (%[[N]]) : memref<?xf32>
// CHECK: %[[B:.+]] = gpu.alloc () : memref<16xbf16>
// CHECK: %[[T:.+]] = gpu.alloc () : memref<4xf32>
// CHECK: gpu.launch
// CHECK: memref.alloca() : memref<2xf32, #gpu.address_space<private>>
// CHECK: memref.store %{{.+}}, %[[A]]
// CHECK: gpu.memcpy  %[[OUT]], %[[A]] : memref<?xf32>, memref<?xf32>
// CHECK-NEXT: gpu.dealloc  %[[A]] : memref<?xf32>
// CHECK-NEXT: gpu.dealloc  %[[B]] : memref<16xbf16>
// CHECK-NEXT: gpu.dealloc  %[[T]] : memref<4xf32>
// CHECK-NEXT: return
// CHECK-NOT: memref.alloc
func.func @allocs(%n: index, %out: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %one = arith.constant 1.0 : f32
  %a = memref.alloc(%n) {alignment = 64 : i64} : memref<?xf32>
  %b = memref.alloc() : memref<16xbf16>
  %t = memref.alloca() : memref<4xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %p = memref.alloca() : memref<2xf32, #gpu.address_space<private>>
    memref.store %one, %a[%c0] : memref<?xf32>
    gpu.terminator
  }
  memref.copy %a, %out : memref<?xf32> to memref<?xf32>
  memref.dealloc %b : memref<16xbf16>
  return
}

// -----

// A returned buffer escapes: no dealloc. A buffer whose view is yielded by
// a loop escapes too.
// CHECK-LABEL: func.func @escaping(
// CHECK: %[[A:.+]] = gpu.alloc () : memref<8xf32>
// CHECK: scf.for
// CHECK: %[[B:.+]] = gpu.alloc () : memref<8xf32>
// CHECK: %[[V:.+]] = memref.subview %[[B]]
// CHECK: scf.yield %[[V]]
// CHECK-NOT: gpu.dealloc
// CHECK: return %[[A]]
func.func @escaping(%n: index) -> memref<8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %a = memref.alloc() : memref<8xf32>
  %init = memref.subview %a[0] [4] [1] : memref<8xf32> to memref<4xf32, strided<[1]>>
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%it = %init) -> memref<4xf32, strided<[1]>> {
    %b = memref.alloc() : memref<8xf32>
    %v = memref.subview %b[0] [4] [1] : memref<8xf32> to memref<4xf32, strided<[1]>>
    scf.yield %v : memref<4xf32, strided<[1]>>
  }
  return %a : memref<8xf32>
}

// -----

// A cache slice is a strided view: copying into it takes a kernel. Its two
// inner dimensions are contiguous in both memrefs, so it copies 2 rows of 12
// elements (grid y = 2), 16 bytes a thread when the run-time alignment check
// passes, else element by element.
// CHECK-LABEL: func.func @strided_copy(
// CHECK-SAME: %[[SRC:[^:]+]]: memref<2x3x4xf32>, %[[DST:[^:]+]]: memref<2x5x4xf32>)
// CHECK: %[[VIEW:.+]] = memref.subview %[[DST]][0, 2, 0] [2, 3, 4] [1, 1, 1]
// CHECK-NOT: gpu.memcpy
// CHECK: %[[GY0:.+]] = arith.ceildivui %c2, %c1{{.*}} : index
// CHECK: %[[GY1:.+]] = arith.maxui %[[GY0]], %c1{{.*}} : index
// CHECK: %[[GY:.+]] = arith.minui %[[GY1]], %c65535 : index
// CHECK: gpu.launch blocks({{.*}}) in ({{.*}}, {{.*}} = %[[GY]], {{.*}}) threads({{.*}}) in ({{.*}} = %c256
// CHECK: %[[SB:[^,]+]], %{{.+}} = memref.extract_strided_metadata %[[SRC]]
// CHECK: %[[S:.+]] = memref.reinterpret_cast %[[SB]] to offset: [0], sizes: [%{{.+}}], strides: [1] : memref<f32> to memref<?xf32>
// CHECK: %[[DB:[^,]+]], %{{.+}} = memref.extract_strided_metadata %[[VIEW]]
// CHECK: %[[D:.+]] = memref.reinterpret_cast %[[DB]] to offset: [0], sizes: [%{{.+}}], strides: [1] : memref<f32> to memref<?xf32>
// CHECK: scf.if
// CHECK: scf.for
// CHECK: scf.for
// CHECK: %[[V:.+]] = vector.load %[[S]][%{{.+}}] {alignment = 16 : i64} : memref<?xf32>, vector<4xf32>
// CHECK: vector.store %[[V]], %[[D]][%{{.+}}] {alignment = 16 : i64} : memref<?xf32>, vector<4xf32>
// CHECK: } else {
// CHECK: %[[E:.+]] = memref.load %[[S]]
// CHECK: memref.store %[[E]], %[[D]]
// CHECK: {sessa.gpu_kernel = "row_copy"}
// CHECK-NOT: memref.copy
func.func @strided_copy(%src: memref<2x3x4xf32>, %dst: memref<2x5x4xf32>) {
  %view = memref.subview %dst[0, 2, 0] [2, 3, 4] [1, 1, 1] : memref<2x5x4xf32> to memref<2x3x4xf32, strided<[20, 4, 1], offset: 8>>
  memref.copy %src, %view : memref<2x3x4xf32> to memref<2x3x4xf32, strided<[20, 4, 1], offset: 8>>
  return
}

// -----

// The functional cache ABI: a [B, P, H, d] bf16 cache into the first P rows
// of a [B, P + T, H, d] result (dynamic B, P, T): rows of P * H * d
// contiguous elements, one per batch (grid y), 8 elements a thread.
// CHECK-LABEL: func.func @cache_extension(
// CHECK-SAME: %[[SRC:[^:]+]]: memref<?x?x16x64xbf16>, %[[DST:[^:]+]]: memref<?x?x16x64xbf16>
// CHECK: memref.subview
// CHECK: %[[P:.+]] = memref.dim %[[SRC]], %c1
// CHECK: %[[L0:.+]] = arith.muli %[[P]], %c16
// CHECK: %[[LEN:.+]] = arith.muli %[[L0]], %c64
// CHECK: %[[CHUNKS:.+]] = arith.ceildivui %[[LEN]], %c8
// CHECK: %[[GX0:.+]] = arith.ceildivui %[[CHUNKS]], %c256
// CHECK: %[[GX1:.+]] = arith.maxui %[[GX0]], %c1
// CHECK: %[[GX:.+]] = arith.minui %[[GX1]], %c65536
// CHECK: %[[GY0:.+]] = arith.ceildivui %{{.+}}, %c1
// CHECK: %[[GY1:.+]] = arith.maxui %[[GY0]], %c1
// CHECK: %[[GY:.+]] = arith.minui %[[GY1]], %c65535
// CHECK: gpu.launch blocks({{.*}}) in ({{.*}} = %[[GX]], {{.*}} = %[[GY]], {{.*}})
// CHECK: vector.load {{.*}} {alignment = 16 : i64} : memref<?xbf16>, vector<8xbf16>
// CHECK: vector.store
// CHECK: {sessa.gpu_kernel = "row_copy"}
// CHECK-NOT: memref.copy
func.func @cache_extension(%src: memref<?x?x16x64xbf16>, %dst: memref<?x?x16x64xbf16>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %b = memref.dim %src, %c0 : memref<?x?x16x64xbf16>
  %p = memref.dim %src, %c1 : memref<?x?x16x64xbf16>
  %view = memref.subview %dst[0, 0, 0, 0] [%b, %p, 16, 64] [1, 1, 1, 1] : memref<?x?x16x64xbf16> to memref<?x?x16x64xbf16, strided<[?, 1024, 64, 1]>>
  memref.copy %src, %view : memref<?x?x16x64xbf16> to memref<?x?x16x64xbf16, strided<[?, 1024, 64, 1]>>
  return
}

// -----

// Innermost dimension not contiguous in the target (a column slice): no row
// copy, the elementwise kernel.
// CHECK-LABEL: func.func @column_copy(
// CHECK: gpu.launch
// CHECK: memref.load
// CHECK: memref.store
// CHECK: {sessa.gpu_kernel = "elementwise"}
func.func @column_copy(%src: memref<4x2xf32>, %dst: memref<4x4xf32>) {
  %view = memref.subview %dst[0, 0] [4, 2] [1, 2] : memref<4x4xf32> to memref<4x2xf32, strided<[4, 2]>>
  memref.copy %src, %view : memref<4x2xf32> to memref<4x2xf32, strided<[4, 2]>>
  return
}

// -----

// A constant tensor (bufferized to a global) is copied to the device.
memref.global "private" constant @table : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>
// CHECK-LABEL: func.func @constant_global(
// CHECK-SAME: %[[OUT:[^:]+]]: memref<4xf32>)
// CHECK: %[[G:.+]] = memref.get_global @table : memref<4xf32>
// CHECK: %[[D:.+]] = gpu.alloc () : memref<4xf32>
// CHECK: gpu.memcpy  %[[D]], %[[G]]
// CHECK: gpu.launch
// CHECK: memref.load %[[D]]
// CHECK: gpu.dealloc  %[[D]]
// CHECK-NEXT: return
func.func @constant_global(%out: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %g = memref.get_global @table : memref<4xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %v = memref.load %g[%tx] : memref<4xf32>
    memref.store %v, %out[%tx] : memref<4xf32>
    gpu.terminator
  }
  return
}

// -----

// Temporaries are freed after their last use, not at the end of the
// function: the first is gone before the second is used.
// CHECK-LABEL: func.func @last_use(
// CHECK: %[[P:.+]] = gpu.alloc () : memref<64xf32>
// CHECK: %[[Q:.+]] = gpu.alloc () : memref<64xf32>
// CHECK: gpu.launch
// CHECK: memref.store %{{.+}}, %[[P]]
// CHECK: gpu.dealloc  %[[P]] : memref<64xf32>
// CHECK-NEXT: gpu.launch
// CHECK: memref.store %{{.+}}, %[[Q]]
// CHECK: gpu.memcpy  %{{.+}}, %[[Q]]
// CHECK-NEXT: gpu.dealloc  %[[Q]] : memref<64xf32>
// CHECK-NEXT: return
func.func @last_use(%out: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %one = arith.constant 1.0 : f32
  %p = memref.alloc() : memref<64xf32>
  %q = memref.alloc() : memref<64xf32>
  %pv = memref.subview %p[0] [32] [1] : memref<64xf32> to memref<32xf32, strided<[1]>>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    memref.store %one, %p[%c0] : memref<64xf32>
    %v = memref.load %pv[%c0] : memref<32xf32, strided<[1]>>
    gpu.terminator
  }
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    memref.store %one, %q[%c0] : memref<64xf32>
    gpu.terminator
  }
  memref.copy %q, %out : memref<64xf32> to memref<64xf32>
  return
}
