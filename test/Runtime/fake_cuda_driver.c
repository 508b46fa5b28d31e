/*===- fake_cuda_driver.c - A host-only stand-in for libcuda.so.1 --------===*
 *
 * For cuda_runtime_unittest.c: the driver API functions that
 * libSessaCudaRuntime loads, implemented on host memory, so that the runtime
 * (streams, module loading, caching, launches, errors) is tested without a
 * GPU. The test finds it through $SESSA_CUDA_DRIVER.
 *
 * A "kernel image" is a fake_image: a table of named host functions; a
 * "kernel" runs on the host when launched, over gridX * blockX threads.
 * Every call is counted in fake_state (read by the test with dlsym), and
 * failures can be planted there.
 *===----------------------------------------------------------------------===*/
#define _POSIX_C_SOURCE 200809L

#include "fake_cuda_driver.h"

#include <stdlib.h>
#include <string.h>

static fake_cuda_state g_state;
static _Thread_local void *g_current_ctx;

fake_cuda_state *fake_cuda_get_state(void) { return &g_state; }

/* Device allocations, to answer cuPointerGetAttribute. */
#define MAX_ALLOCS 256
static struct {
  char *base;
  size_t size;
} g_allocs[MAX_ALLOCS];

static int find_alloc(unsigned long long p) {
  for (int i = 0; i < MAX_ALLOCS; ++i)
    if (g_allocs[i].base && (char *)(uintptr_t)p >= g_allocs[i].base &&
        (char *)(uintptr_t)p < g_allocs[i].base + g_allocs[i].size)
      return i;
  return -1;
}

void *fake_cuda_device_alloc(size_t size) {
  for (int i = 0; i < MAX_ALLOCS; ++i)
    if (!g_allocs[i].base) {
      /* 256-byte aligned, as cuMemAlloc's blocks. */
      void *p = NULL;
      if (posix_memalign(&p, 256, size ? size : 1) != 0)
        return NULL;
      memset(p, 0, size ? size : 1);
      g_allocs[i].base = p;
      g_allocs[i].size = size ? size : 1;
      return g_allocs[i].base;
    }
  return NULL;
}

void fake_cuda_device_free(void *p) {
  for (int i = 0; i < MAX_ALLOCS; ++i)
    if (g_allocs[i].base == p) {
      free(p);
      g_allocs[i].base = NULL;
      return;
    }
}

int cuInit(unsigned flags) {
  (void)flags;
  ++g_state.init_calls;
  return g_state.fail_init;
}

int cuGetErrorName(int r, const char **name) {
  switch (r) {
  case 0: *name = "CUDA_SUCCESS"; return 0;
  case 1: *name = "CUDA_ERROR_INVALID_VALUE"; return 0;
  case 2: *name = "CUDA_ERROR_OUT_OF_MEMORY"; return 0;
  case 100: *name = "CUDA_ERROR_NO_DEVICE"; return 0;
  case 500: *name = "CUDA_ERROR_NOT_FOUND"; return 0;
  case 700: *name = "CUDA_ERROR_ILLEGAL_ADDRESS"; return 0;
  default: *name = NULL; return 1;
  }
}

int cuGetErrorString(int r, const char **text) {
  switch (r) {
  case 0: *text = "no error"; return 0;
  case 1: *text = "invalid argument"; return 0;
  case 2: *text = "out of memory"; return 0;
  case 100: *text = "no CUDA-capable device is detected"; return 0;
  case 500: *text = "named symbol not found"; return 0;
  case 700: *text = "an illegal memory access was encountered"; return 0;
  default: *text = NULL; return 1;
  }
}

int cuCtxGetCurrent(void **ctx) {
  *ctx = g_current_ctx;
  return 0;
}

int cuCtxSetCurrent(void *ctx) {
  g_current_ctx = ctx;
  return 0;
}

int cuCtxGetDevice(int *dev) {
  *dev = 0;
  return g_current_ctx ? 0 : 201;
}

int cuDeviceGet(int *dev, int ordinal) {
  *dev = ordinal;
  return 0;
}

int cuDevicePrimaryCtxRetain(void **ctx, int dev) {
  ++g_state.retain_calls;
  *ctx = (void *)(uintptr_t)(0xC0 + dev);
  return 0;
}

int cuPointerGetAttribute(void *out, int attribute, unsigned long long p) {
  ++g_state.pointer_queries;
  int i = find_alloc(p);
  if (i < 0)
    return 1; /* CUDA_ERROR_INVALID_VALUE, as for unregistered host memory */
  if (attribute == 2) /* MEMORY_TYPE */
    *(unsigned *)out = 2; /* DEVICE */
  else if (attribute == 9) /* DEVICE_ORDINAL */
    *(int *)out = 0;
  else
    return 1;
  return 0;
}

/* Like the real driver: CUDA_SUCCESS with default values (memory type 0,
 * device ordinal -2) for a pointer the driver does not know. */
int cuPointerGetAttributes(unsigned count, int *attributes, void **data,
                           unsigned long long p) {
  ++g_state.pointer_queries;
  int i = find_alloc(p);
  for (unsigned a = 0; a < count; ++a) {
    if (attributes[a] == 2) /* MEMORY_TYPE */
      *(unsigned *)data[a] = i < 0 ? 0 : 2;
    else if (attributes[a] == 9) /* DEVICE_ORDINAL */
      *(int *)data[a] = i < 0 ? -2 : 0;
    else
      return 1;
  }
  return 0;
}

/* The modules of real images (one a load, as the driver: each has its own
 * functions and attributes), functions made on demand. */
#define MAX_REAL_MODULES 256
#define MAX_REAL_KERNELS 8
static fake_kernel g_real_kernels[MAX_REAL_MODULES][MAX_REAL_KERNELS];
static fake_image g_real_modules[MAX_REAL_MODULES];
static int g_num_real_modules;

static int is_real_module(const fake_image *image) {
  return image >= g_real_modules && image < g_real_modules + MAX_REAL_MODULES;
}

static int is_real_image(const void *image) {
  const unsigned char *b = image;
  return (b[0] == 0x7F && b[1] == 'E' && b[2] == 'L' && b[3] == 'F') ||
         (b[0] == 0x50 && b[1] == 0xED && b[2] == 0x55 && b[3] == 0xBA) ||
         b[0] == '/' || b[0] == '.';
}

int cuModuleLoadData(void **module, const void *image) {
  ++g_state.module_loads;
  if (is_real_image(image)) {
    if (g_num_real_modules == MAX_REAL_MODULES)
      return 2; /* CUDA_ERROR_OUT_OF_MEMORY */
    ++g_state.real_image_loads;
    fake_image *m = &g_real_modules[g_num_real_modules];
    m->num_kernels = 0;
    m->kernels = g_real_kernels[g_num_real_modules++];
    *module = m;
    return 0;
  }
  *module = (void *)(uintptr_t)image;
  return 0;
}

int cuModuleUnload(void *module) {
  (void)module;
  ++g_state.module_unloads;
  return 0;
}

int cuModuleGetFunction(void **fn, void *module, const char *name) {
  ++g_state.get_function_calls;
  fake_image *image = module;
  for (int i = 0; i < image->num_kernels; ++i)
    if (strcmp(image->kernels[i].name, name) == 0) {
      *fn = (void *)&image->kernels[i];
      return 0;
    }
  if (is_real_module(image) && image->num_kernels < MAX_REAL_KERNELS) {
    fake_kernel *k = &image->kernels[image->num_kernels++];
    size_t len = strlen(name);
    char *copy = malloc(len + 1);
    memcpy(copy, name, len + 1);
    k->name = copy;
    k->run = NULL;
    k->max_dynamic_shared = 49152;
    *fn = k;
    return 0;
  }
  return 500;
}

int cuFuncGetAttribute(int *value, int attribute, void *fn) {
  fake_kernel *k = fn;
  if (attribute != 1) /* CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES */
    return 1;
  *value = k->static_shared;
  return 0;
}

int cuFuncSetAttribute(void *fn, int attribute, int value) {
  fake_kernel *k = fn;
  ++g_state.set_attribute_calls;
  if (attribute != 8)
    return 1;
  k->max_dynamic_shared = value;
  return 0;
}

int cuLaunchKernel(void *fn, unsigned gx, unsigned gy, unsigned gz,
                   unsigned bx, unsigned by, unsigned bz, unsigned smem,
                   void *stream, void **params, void **extra) {
  (void)extra;
  fake_kernel *k = fn;
  ++g_state.launches;
  g_state.last_launch_pdl = 0;
  g_state.last_cluster[0] = g_state.last_cluster[1] = g_state.last_cluster[2] = 0;
  g_state.last_stream = stream;
  g_state.last_smem = smem;
  g_state.last_kernel = k->name;
  g_state.last_grid[0] = gx, g_state.last_grid[1] = gy, g_state.last_grid[2] = gz;
  g_state.last_block[0] = bx, g_state.last_block[1] = by, g_state.last_block[2] = bz;
  if (g_state.fail_kernel && strcmp(g_state.fail_kernel, k->name) == 0)
    return g_state.fail_kernel_code;
  if ((int)smem > k->max_dynamic_shared)
    return 1; /* as the driver: too much shared memory without opt-in */
  if (k->run)
    k->run(params, (int64_t)gx * gy * gz * bx * by * bz);
  return 0;
}

/* cuLaunchKernelEx's configuration (cuda.h, CUDA 12). */
typedef struct fake_launch_attribute {
  int id;
  char pad[4];
  union {
    char pad[64];
    int value;
    unsigned cluster[3];
  } value;
} fake_launch_attribute;

typedef struct fake_launch_config {
  unsigned gx, gy, gz, bx, by, bz, smem;
  void *stream;
  fake_launch_attribute *attrs;
  unsigned num_attrs;
} fake_launch_config;

int cuLaunchKernelEx(const fake_launch_config *config, void *fn,
                     void **params, void **extra) {
  int pdl = 0;
  unsigned cluster[3] = {0, 0, 0};
  for (unsigned i = 0; i < config->num_attrs; ++i) {
    if (config->attrs[i].id == 6) { /* PROGRAMMATIC_STREAM_SERIALIZATION */
      pdl = config->attrs[i].value.value != 0;
    } else if (config->attrs[i].id == 4) { /* CLUSTER_DIMENSION */
      memcpy(cluster, config->attrs[i].value.cluster, sizeof cluster);
      /* As the driver: the grid must be a multiple of the cluster. */
      if (!cluster[0] || !cluster[1] || !cluster[2] ||
          config->gx % cluster[0] || config->gy % cluster[1] ||
          config->gz % cluster[2])
        return 1;
    } else {
      return 1;
    }
  }
  if (g_state.fail_launch_ex)
    return g_state.fail_launch_ex;
  int r = cuLaunchKernel(fn, config->gx, config->gy, config->gz, config->bx,
                         config->by, config->bz, config->smem, config->stream,
                         params, extra);
  if (r == 0) {
    ++g_state.launches_ex;
    g_state.pdl_launches += pdl;
    g_state.last_launch_pdl = pdl;
    g_state.cluster_launches += cluster[0] != 0;
    memcpy(g_state.last_cluster, cluster, sizeof cluster);
  }
  return r;
}

int cuModuleGetGlobal_v2(unsigned long long *p, size_t *bytes, void *module,
                         const char *name) {
  ++g_state.global_lookups;
  fake_image *image = module;
  if (image->grid_dependency_marker &&
      strcmp(name, "__sessa_grid_dependency_wait") == 0) {
    static int marker = 1;
    *p = (unsigned long long)(uintptr_t)&marker;
    *bytes = sizeof marker;
    return 0;
  }
  return 500; /* CUDA_ERROR_NOT_FOUND */
}

int cuStreamCreate(void **s, unsigned flags) {
  (void)flags;
  ++g_state.stream_creates;
  *s = (void *)(uintptr_t)0x5100;
  return 0;
}

int cuStreamSynchronize(void *s) {
  (void)s;
  ++g_state.stream_syncs;
  return g_state.fail_sync;
}

int cuStreamDestroy_v2(void *s) {
  (void)s;
  ++g_state.stream_destroys;
  return 0;
}

int cuStreamWaitEvent(void *s, void *e, unsigned flags) {
  (void)s, (void)e, (void)flags;
  return 0;
}

int cuEventCreate(void **e, unsigned flags) {
  (void)flags;
  ++g_state.event_creates;
  *e = (void *)(uintptr_t)0xE0;
  return 0;
}

int cuEventDestroy_v2(void *e) {
  (void)e;
  ++g_state.event_destroys;
  return 0;
}

int cuEventSynchronize(void *e) {
  (void)e;
  return 0;
}

int cuEventRecord(void *e, void *s) {
  (void)e, (void)s;
  return 0;
}

int cuMemAllocAsync(unsigned long long *p, size_t size, void *stream) {
  (void)stream;
  if (g_state.fail_alloc_over && size > g_state.fail_alloc_over)
    return 2;
  void *q = fake_cuda_device_alloc(size);
  if (!q)
    return 2;
  ++g_state.allocs;
  *p = (unsigned long long)(uintptr_t)q;
  return 0;
}

int cuMemFreeAsync(unsigned long long p, void *stream) {
  (void)stream;
  ++g_state.frees;
  fake_cuda_device_free((void *)(uintptr_t)p);
  return 0;
}

int cuMemcpyAsync(unsigned long long dst, unsigned long long src, size_t size,
                  void *stream) {
  (void)stream;
  ++g_state.copies;
  memcpy((void *)(uintptr_t)dst, (const void *)(uintptr_t)src, size);
  return 0;
}

int cuMemsetD32Async(unsigned long long dst, unsigned value, size_t count,
                     void *stream) {
  (void)stream;
  for (size_t i = 0; i < count; ++i)
    memcpy((char *)(uintptr_t)dst + 4 * i, &value, 4);
  return 0;
}

int cuMemsetD16Async(unsigned long long dst, unsigned short value,
                     size_t count, void *stream) {
  (void)stream;
  for (size_t i = 0; i < count; ++i)
    memcpy((char *)(uintptr_t)dst + 2 * i, &value, 2);
  return 0;
}

/* TMA tensor maps: the "map" written is the arguments in its first words,
 * so that the test can read them back from the device slot. */
int cuTensorMapEncodeTiled(void *map, int type, unsigned rank, void *addr,
                           const unsigned long long *dims,
                           const unsigned long long *strides,
                           const unsigned *box, const unsigned *elementStrides,
                           int interleave, int swizzle, int l2, int oob) {
  (void)elementStrides, (void)interleave, (void)l2;
  ++g_state.tensor_map_encodes;
  if (g_state.fail_tensor_map)
    return g_state.fail_tensor_map;
  g_state.last_map_type = type;
  g_state.last_map_rank = (int)rank;
  g_state.last_map_swizzle = swizzle;
  g_state.last_map_oob = oob;
  g_state.last_map_dims[0] = dims[0];
  g_state.last_map_dims[1] = dims[1];
  g_state.last_map_stride = strides[0];
  g_state.last_map_box[0] = box[0];
  g_state.last_map_box[1] = box[1];
  unsigned long long words[16] = {(unsigned long long)(uintptr_t)addr, dims[0],
                                  dims[1], strides[0], box[0], box[1]};
  memcpy(map, words, sizeof words);
  return 0;
}

int cuMemAlloc_v2(unsigned long long *p, size_t size) {
  void *q = fake_cuda_device_alloc(size);
  if (!q)
    return 2;
  ++g_state.sync_allocs;
  *p = (unsigned long long)(uintptr_t)q;
  return 0;
}

int cuMemcpyHtoD_v2(unsigned long long dst, const void *src, size_t size) {
  ++g_state.sync_copies;
  memcpy((void *)(uintptr_t)dst, src, size);
  return 0;
}
