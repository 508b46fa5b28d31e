/*===- fake_cuda_driver.h - What the fake driver exposes to its test -----===*/
#ifndef SESSA_TEST_RUNTIME_FAKE_CUDA_DRIVER_H
#define SESSA_TEST_RUNTIME_FAKE_CUDA_DRIVER_H

#include <stddef.h>
#include <stdint.h>

/* A kernel: runs on the host over `threads` = grid * block threads. */
typedef struct fake_kernel {
  const char *name;
  void (*run)(void **params, int64_t threads);
  int max_dynamic_shared; /* set by cuFuncSetAttribute (48 KiB - static) */
  int static_shared;      /* what cuFuncGetAttribute(SHARED_SIZE_BYTES) says */
} fake_kernel;

/* A kernel image, as mgpuModuleLoad receives it. */
typedef struct fake_image {
  int num_kernels;
  fake_kernel *kernels;
  /* Defines __sessa_grid_dependency_wait (cuModuleGetGlobal finds it). */
  int grid_dependency_marker;
} fake_image;

/* Call counts, and failures to plant. */
typedef struct fake_cuda_state {
  int init_calls, retain_calls, module_loads, module_unloads;
  int get_function_calls, set_attribute_calls, launches;
  int stream_creates, stream_syncs, stream_destroys;
  int event_creates, event_destroys, allocs, frees, copies;
  void *last_stream;
  unsigned last_smem;
  int fail_init;              /* cuInit's result */
  const char *fail_kernel;    /* cuLaunchKernel of this kernel fails */
  int fail_kernel_code;       /* ... with this result */
  size_t fail_alloc_over;     /* cuMemAllocAsync above this many bytes: OOM */
  int fail_sync;              /* cuStreamSynchronize's result */
  /* Real kernel images (cubin, fatbin, PTX) as compiled artifacts embed
   * them: loaded as a module whose every function is a kernel that does
   * nothing when launched (only recorded). */
  int real_image_loads;
  const char *last_kernel;
  unsigned last_grid[3], last_block[3];
  int pointer_queries; /* cuPointerGetAttribute(s) calls */
  /* TMA tensor maps: cuTensorMapEncodeTiled calls and the last one's
   * arguments; sync allocations (cuMemAlloc_v2) and copies (cuMemcpyHtoD_v2);
   * fail_tensor_map: the encoding's result. */
  int tensor_map_encodes, sync_allocs, sync_copies;
  int fail_tensor_map;
  int last_map_type, last_map_rank, last_map_swizzle, last_map_oob;
  unsigned long long last_map_dims[2], last_map_stride;
  unsigned last_map_box[2];
  /* cuLaunchKernelEx: its launches (counted in `launches` too), those with
   * PROGRAMMATIC_STREAM_SERIALIZATION allowed, whether the last launch of
   * either kind had it, and a result to plant (the launch then fails
   * without running). */
  int launches_ex, pdl_launches, last_launch_pdl;
  int fail_launch_ex;
  /* cuLaunchKernelEx with CLUSTER_DIMENSION: such launches, and the
   * cluster of the last launch of either kind (0s when it had none). */
  int cluster_launches;
  unsigned last_cluster[3];
  int global_lookups; /* cuModuleGetGlobal_v2 calls */
} fake_cuda_state;

typedef fake_cuda_state *(*fake_cuda_get_state_fn)(void);
typedef void *(*fake_cuda_device_alloc_fn)(size_t);

#endif
