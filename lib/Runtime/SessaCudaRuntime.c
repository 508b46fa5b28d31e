/*===- SessaCudaRuntime.c - CUDA runtime of `--target=cuda` artifacts -----===*
 *
 * libSessaCudaRuntime: what a CUDA artifact links besides libSessaRuntime.
 *
 *   - sessa_cuda_invoke, called by every exported entry point (see
 *     SessaRuntime.h): the checks of sessa_invoke, then the driver, the
 *     context, device-accessible data pointers, and the compiled code run on
 *     the caller's stream with every CUDA error returned as a status.
 *   - The `mgpu*` functions that MLIR's host lowering (`gpu-to-llvm` and the
 *     LLVM translation of gpu.binary / gpu.launch_func) calls, implemented
 *     over the CUDA driver API. Same signatures as MLIR's
 *     CudaRuntimeWrappers, different semantics inside an invoke:
 *       * Stream: sessa_cuda_invoke sets a thread-local "ambient" stream, the
 *         caller's. mgpuStreamCreate returns it and mgpuStreamSynchronize /
 *         mgpuStreamDestroy do nothing on it, so an entry point only enqueues
 *         work (asynchronous, like a cuBLAS call). Outside an invoke (no
 *         ambient stream) they create, synchronize and destroy real streams,
 *         as upstream.
 *       * Modules: the artifact's global constructor calls mgpuModuleLoad;
 *         it only records the image (no driver call while the library
 *         loads, so loading works without a GPU). The first
 *         mgpuModuleGetFunction in a context loads the image into that
 *         context (cuModuleLoadData, cached per context) and functions are
 *         cached by (context, name). mgpuModuleUnload (global destructor)
 *         unloads what was loaded, ignoring errors (the driver may be shut
 *         down at exit).
 *       * Memory: mgpuMemAlloc / mgpuMemFree are stream-ordered
 *         (cuMemAllocAsync / cuMemFreeAsync on the stream), mgpuMemcpy is
 *         cuMemcpyAsync, mgpuMemset32/16 cuMemsetD32Async/D16Async.
 *       * Launch: kernels of images that define
 *         `__sessa_grid_dependency_wait` (sessa-gpu-grid-dependency-control:
 *         every kernel executes griddepcontrol.wait before touching memory)
 *         are launched with cuLaunchKernelEx and
 *         CU_LAUNCH_ATTRIBUTE_PROGRAMMATIC_STREAM_SERIALIZATION
 *         (programmatic dependent launch, sm_90+: the launch may begin while
 *         the previous kernel on the stream finishes); every other kernel,
 *         with SESSA_CUDA_PDL=0, or with a driver without cuLaunchKernelEx,
 *         through cuLaunchKernel. A driver that rejects the attribute gets
 *         plain launches from then on (sessa_cuda_launch_stats says so).
 *         mgpuLaunchClusterKernel (what the LLVM translation of a
 *         gpu.launch_func with cluster sizes calls: thread-block clusters,
 *         sm_90+) always goes through cuLaunchKernelEx with
 *         CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION, plus the PDL attribute as
 *         above; a driver without cuLaunchKernelEx, a grid that is not a
 *         multiple of the cluster, or a refused launch is a reported error
 *         (a clustered kernel cannot run without its cluster).
 *         mgpuLaunchKernel raises the function's
 *         CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES when a launch asks
 *         for more dynamic shared memory than fits in 48 KiB beside the
 *         kernel's static shared memory; grid and block
 *         sizes that do not fit the driver's unsigned int are an error; a
 *         launch with an empty grid (an empty tensor) does nothing.
 *       * TMA: sessa_cuda_tensor_map_2d, called by the host code of the
 *         sm_90a GEMM kernels, makes (and caches) CUtensorMaps in device
 *         memory, or returns NULL for the cp.async kernel (see below).
 *       * Errors: the first failing call is recorded in thread-local state
 *         (CUresult, the call, the kernel name, cuGetErrorName/String);
 *         inside an invoke every later mgpu call does nothing and returns
 *         NULL, except those that release resources (mgpuMemFree,
 *         mgpuEventDestroy), which still release them. Nothing is printed
 *         and nothing aborts.
 *
 * The driver (libcuda.so.1, or the library named by $SESSA_CUDA_DRIVER) is
 * opened with dlopen on first use and cuInit(0) runs once: artifacts have no
 * link-time CUDA dependency and load on machines without a GPU. The few
 * driver types, constants and functions used are declared here (values and
 * signatures of cuda.h; `_v2` entry points where the driver has them).
 *===----------------------------------------------------------------------===*/

#define _POSIX_C_SOURCE 200809L

#include "SessaRuntimeInternal.h"

#include <dlfcn.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ----- The part of the CUDA driver API used here (cuda.h) ---------------- */

typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;
typedef struct CUctx_st *CUcontext;
typedef struct CUmod_st *CUmodule;
typedef struct CUfunc_st *CUfunction;
typedef struct CUstream_st *CUstream;
typedef struct CUevent_st *CUevent;

#define CUDA_SUCCESS 0
#define CUDA_ERROR_INVALID_VALUE 1
#define CU_POINTER_ATTRIBUTE_MEMORY_TYPE 2
#define CU_POINTER_ATTRIBUTE_DEVICE_POINTER 3
#define CU_POINTER_ATTRIBUTE_DEVICE_ORDINAL 9
#define CU_MEMORYTYPE_HOST 1
#define CU_MEMORYTYPE_DEVICE 2
#define CU_MEMORYTYPE_UNIFIED 4
#define CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES 1
#define CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES 8
#define CU_STREAM_NON_BLOCKING 1
#define CU_EVENT_DISABLE_TIMING 2
#define CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION 4
#define CU_LAUNCH_ATTRIBUTE_PROGRAMMATIC_STREAM_SERIALIZATION 6

/* cuLaunchKernelEx's configuration (cuda.h, CUDA 12). */
typedef struct CUlaunchAttribute_st {
  int id;
  char pad[8 - sizeof(int)];
  union {
    char pad[64];
    int programmaticStreamSerializationAllowed;
    struct {
      unsigned x, y, z;
    } clusterDim;
  } value;
} CUlaunchAttribute;

typedef struct CUlaunchConfig_st {
  unsigned gridDimX, gridDimY, gridDimZ;
  unsigned blockDimX, blockDimY, blockDimZ;
  unsigned sharedMemBytes;
  CUstream hStream;
  CUlaunchAttribute *attrs;
  unsigned numAttrs;
} CUlaunchConfig;

/* The symbol of images whose kernels all wait for the previous grid. */
#define GRID_DEPENDENCY_MARKER "__sessa_grid_dependency_wait"

/* Shared memory (static plus dynamic) a kernel may use without opting in. */
#define DEFAULT_MAX_DYNAMIC_SHARED 49152

typedef struct cuda_driver {
  CUresult (*cuInit)(unsigned);
  CUresult (*cuGetErrorName)(CUresult, const char **);
  CUresult (*cuGetErrorString)(CUresult, const char **);
  CUresult (*cuCtxGetCurrent)(CUcontext *);
  CUresult (*cuCtxSetCurrent)(CUcontext);
  CUresult (*cuCtxGetDevice)(CUdevice *);
  CUresult (*cuDeviceGet)(CUdevice *, int);
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*cuPointerGetAttribute)(void *, int, CUdeviceptr);
  CUresult (*cuModuleLoadData)(CUmodule *, const void *);
  CUresult (*cuModuleUnload)(CUmodule);
  CUresult (*cuModuleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*cuFuncSetAttribute)(CUfunction, int, int);
  CUresult (*cuLaunchKernel)(CUfunction, unsigned, unsigned, unsigned,
                             unsigned, unsigned, unsigned, unsigned, CUstream,
                             void **, void **);
  CUresult (*cuStreamCreate)(CUstream *, unsigned);
  CUresult (*cuStreamSynchronize)(CUstream);
  CUresult (*cuStreamDestroy)(CUstream);
  CUresult (*cuStreamWaitEvent)(CUstream, CUevent, unsigned);
  CUresult (*cuEventCreate)(CUevent *, unsigned);
  CUresult (*cuEventDestroy)(CUevent);
  CUresult (*cuEventSynchronize)(CUevent);
  CUresult (*cuEventRecord)(CUevent, CUstream);
  CUresult (*cuMemAllocAsync)(CUdeviceptr *, size_t, CUstream);
  CUresult (*cuMemFreeAsync)(CUdeviceptr, CUstream);
  CUresult (*cuMemcpyAsync)(CUdeviceptr, CUdeviceptr, size_t, CUstream);
  CUresult (*cuMemsetD32Async)(CUdeviceptr, unsigned, size_t, CUstream);
  CUresult (*cuMemsetD16Async)(CUdeviceptr, unsigned short, size_t, CUstream);
  /* Optional (looked up apart): several attributes of a pointer in one
   * call, CUDA_SUCCESS with default values for a non-CUDA pointer. */
  CUresult (*cuPointerGetAttributes)(unsigned, int *, void **, CUdeviceptr);
  /* Optional: a function's static shared memory (for the opt-in above). */
  CUresult (*cuFuncGetAttribute)(int *, int, CUfunction);
  /* Optional (CUDA 12 drivers): TMA tensor maps (sessa_cuda_tensor_map_2d)
   * and the synchronous allocation and copy that place them on the
   * device. */
  CUresult (*cuTensorMapEncodeTiled)(void *, int, unsigned, void *,
                                     const uint64_t *, const uint64_t *,
                                     const unsigned *, const unsigned *, int,
                                     int, int, int);
  CUresult (*cuMemAlloc)(CUdeviceptr *, size_t);
  CUresult (*cuMemcpyHtoD)(CUdeviceptr, const void *, size_t);
  /* Optional (CUDA 12): programmatic dependent launch. */
  CUresult (*cuLaunchKernelEx)(const CUlaunchConfig *, CUfunction, void **,
                               void **);
  CUresult (*cuModuleGetGlobal)(CUdeviceptr *, size_t *, CUmodule,
                                const char *);
} cuda_driver;

/* Exported symbol of each entry of cuda_driver. */
static const struct {
  const char *symbol;
  size_t offset;
} k_symbols[] = {
#define SYM(field, symbol) {symbol, offsetof(cuda_driver, field)}
    SYM(cuInit, "cuInit"),
    SYM(cuGetErrorName, "cuGetErrorName"),
    SYM(cuGetErrorString, "cuGetErrorString"),
    SYM(cuCtxGetCurrent, "cuCtxGetCurrent"),
    SYM(cuCtxSetCurrent, "cuCtxSetCurrent"),
    SYM(cuCtxGetDevice, "cuCtxGetDevice"),
    SYM(cuDeviceGet, "cuDeviceGet"),
    SYM(cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain"),
    SYM(cuPointerGetAttribute, "cuPointerGetAttribute"),
    SYM(cuModuleLoadData, "cuModuleLoadData"),
    SYM(cuModuleUnload, "cuModuleUnload"),
    SYM(cuModuleGetFunction, "cuModuleGetFunction"),
    SYM(cuFuncSetAttribute, "cuFuncSetAttribute"),
    SYM(cuLaunchKernel, "cuLaunchKernel"),
    SYM(cuStreamCreate, "cuStreamCreate"),
    SYM(cuStreamSynchronize, "cuStreamSynchronize"),
    SYM(cuStreamDestroy, "cuStreamDestroy_v2"),
    SYM(cuStreamWaitEvent, "cuStreamWaitEvent"),
    SYM(cuEventCreate, "cuEventCreate"),
    SYM(cuEventDestroy, "cuEventDestroy_v2"),
    SYM(cuEventSynchronize, "cuEventSynchronize"),
    SYM(cuEventRecord, "cuEventRecord"),
    SYM(cuMemAllocAsync, "cuMemAllocAsync"),
    SYM(cuMemFreeAsync, "cuMemFreeAsync"),
    SYM(cuMemcpyAsync, "cuMemcpyAsync"),
    SYM(cuMemsetD32Async, "cuMemsetD32Async"),
    SYM(cuMemsetD16Async, "cuMemsetD16Async"),
#undef SYM
};

/* ----- Process-wide state: the driver ------------------------------------ */

static cuda_driver g_cu;
static pthread_once_t g_driver_once = PTHREAD_ONCE_INIT;
static bool g_driver_ok;
static char g_driver_error[SESSA_STATUS_MESSAGE_SIZE];
/* mgpuSetDefaultDevice: the device whose primary context is used when a
 * thread has no current context. */
static int g_default_device;

static const char *driver_path(void) {
  const char *env = getenv("SESSA_CUDA_DRIVER");
  return env && *env ? env : "libcuda.so.1";
}

/* "CUDA_ERROR_X: text" of `r` into buf. */
static void describe_result(CUresult r, char *buf, size_t size) {
  const char *name = NULL, *text = NULL;
  if (g_cu.cuGetErrorName && g_cu.cuGetErrorName(r, &name) != CUDA_SUCCESS)
    name = NULL;
  if (g_cu.cuGetErrorString && g_cu.cuGetErrorString(r, &text) != CUDA_SUCCESS)
    text = NULL;
  if (name)
    snprintf(buf, size, "%s: %s", name, text ? text : "(no description)");
  else
    snprintf(buf, size, "CUDA error %d", r);
}

static void load_driver(void) {
  const char *path = driver_path();
  void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    const char *why = dlerror();
    snprintf(g_driver_error, sizeof g_driver_error,
             "CUDA driver %s not found: %s (CUDA artifacts need the NVIDIA "
             "driver; no CUDA toolkit is needed)",
             path, why ? why : "dlopen failed");
    return;
  }
  cuda_driver table;
  memset(&table, 0, sizeof table);
  for (size_t i = 0; i < sizeof k_symbols / sizeof k_symbols[0]; ++i) {
    void *sym = dlsym(lib, k_symbols[i].symbol);
    if (!sym) {
      snprintf(g_driver_error, sizeof g_driver_error,
               "CUDA driver %s lacks %s (a driver for CUDA 11.2 or newer is "
               "needed)",
               path, k_symbols[i].symbol);
      return; /* the library stays open: harmless, and it may be in use */
    }
    memcpy((char *)&table + k_symbols[i].offset, &sym, sizeof sym);
  }
  *(void **)&table.cuPointerGetAttributes =
      dlsym(lib, "cuPointerGetAttributes");
  *(void **)&table.cuFuncGetAttribute = dlsym(lib, "cuFuncGetAttribute");
  *(void **)&table.cuTensorMapEncodeTiled =
      dlsym(lib, "cuTensorMapEncodeTiled");
  *(void **)&table.cuMemAlloc = dlsym(lib, "cuMemAlloc_v2");
  *(void **)&table.cuMemcpyHtoD = dlsym(lib, "cuMemcpyHtoD_v2");
  *(void **)&table.cuLaunchKernelEx = dlsym(lib, "cuLaunchKernelEx");
  *(void **)&table.cuModuleGetGlobal = dlsym(lib, "cuModuleGetGlobal_v2");

  g_cu = table;
  CUresult r = g_cu.cuInit(0);
  if (r != CUDA_SUCCESS) {
    char what[SESSA_STATUS_MESSAGE_SIZE];
    describe_result(r, what, sizeof what);
    snprintf(g_driver_error, sizeof g_driver_error, "cuInit failed: %s",
             what);
    return;
  }
  g_driver_ok = true;
}

static bool driver_ready(void) {
  pthread_once(&g_driver_once, load_driver);
  return g_driver_ok;
}

/* ----- Thread-local state: the ambient stream and the first error -------- */

typedef struct cuda_thread_state {
  bool in_invoke;  /* inside sessa_cuda_invoke */
  bool pdl;        /* its SESSA_CUDA_PDL setting (read once a call) */
  CUstream stream; /* its stream (the ambient stream) */
  CUresult error;  /* the first failure (CUDA_SUCCESS: none) */
  char message[SESSA_STATUS_MESSAGE_SIZE];
} cuda_thread_state;

static _Thread_local cuda_thread_state g_tls;

/* Records the first failure: "call(kernel): CUDA_ERROR_X: text". */
static void record_error(CUresult r, const char *call, const char *kernel) {
  if (g_tls.error != CUDA_SUCCESS)
    return;
  g_tls.error = r;
  char what[SESSA_STATUS_MESSAGE_SIZE];
  describe_result(r, what, sizeof what);
  if (kernel)
    snprintf(g_tls.message, sizeof g_tls.message, "%s(%s): %s", call, kernel,
             what);
  else
    snprintf(g_tls.message, sizeof g_tls.message, "%s: %s", call, what);
}

/* A failure that is not a driver call's result (the message says why). */
static void record_message(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static void record_message(const char *fmt, ...) {
  if (g_tls.error != CUDA_SUCCESS)
    return;
  g_tls.error = CUDA_ERROR_INVALID_VALUE;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(g_tls.message, sizeof g_tls.message, fmt, ap);
  va_end(ap);
}

static bool check(CUresult r, const char *call, const char *kernel) {
  if (r == CUDA_SUCCESS)
    return true;
  record_error(r, call, kernel);
  return false;
}

/* Whether an mgpu call should do its work: not after a failure inside an
 * invoke, and only with a usable driver. */
static bool should_run(void) {
  if (g_tls.in_invoke && g_tls.error != CUDA_SUCCESS)
    return false;
  if (!driver_ready()) {
    if (g_tls.error == CUDA_SUCCESS) {
      g_tls.error = CUDA_ERROR_INVALID_VALUE;
      snprintf(g_tls.message, sizeof g_tls.message, "%s", g_driver_error);
    }
    return false;
  }
  return true;
}

/* Makes sure the thread has a current context: the primary context of the
 * default device when it has none. Returns it (NULL on failure, recorded). */
static CUcontext current_context(void) {
  CUcontext ctx = NULL;
  if (!check(g_cu.cuCtxGetCurrent(&ctx), "cuCtxGetCurrent", NULL))
    return NULL;
  if (ctx)
    return ctx;
  CUdevice dev;
  if (!check(g_cu.cuDeviceGet(&dev, g_default_device), "cuDeviceGet", NULL) ||
      !check(g_cu.cuDevicePrimaryCtxRetain(&ctx, dev),
             "cuDevicePrimaryCtxRetain", NULL) ||
      !check(g_cu.cuCtxSetCurrent(ctx), "cuCtxSetCurrent", NULL))
    return NULL;
  return ctx;
}

/* ----- Modules and functions --------------------------------------------- */

typedef struct cuda_module cuda_module;

/* What mgpuModuleGetFunction returns: a function of the image loaded in
 * one context, with its name (for error messages). */
typedef struct cuda_function {
  struct cuda_function *next;
  cuda_module *module;
  CUcontext ctx;
  CUfunction fn;
  int default_dynamic_shared; /* without opting in: 48 KiB - static */
  int max_dynamic_shared;     /* the attribute as last set */
  bool grid_dependency;       /* its image marks every kernel as waiting */
  const char *name_ptr;   /* the caller's string (compiled code passes the
                             same constant at every launch: a fast match) */
  char name[];
} cuda_function;

typedef struct cuda_loaded {
  struct cuda_loaded *next;
  CUcontext ctx;
  CUmodule module;
  bool grid_dependency; /* the image defines GRID_DEPENDENCY_MARKER */
} cuda_loaded;

/* What mgpuModuleLoad returns: the image, and where it was loaded. */
struct cuda_module {
  const void *image;
  size_t size; /* 0 when unknown (mgpuModuleLoadJIT) */
  pthread_mutex_t lock;
  cuda_loaded *loaded;
  cuda_function *functions;
};

void *mgpuModuleLoad(void *data, size_t size) {
  cuda_module *m = calloc(1, sizeof *m);
  if (!m)
    return NULL; /* mgpuModuleGetFunction reports it */
  m->image = data;
  m->size = size;
  pthread_mutex_init(&m->lock, NULL);
  return m;
}

/* PTX (the image is NUL-terminated text): the driver compiles it for the
 * device when it is first used. */
void *mgpuModuleLoadJIT(void *data, int32_t optLevel) {
  (void)optLevel; /* the driver's default JIT optimization level */
  return mgpuModuleLoad(data, 0);
}

void mgpuModuleUnload(void *module) {
  cuda_module *m = module;
  if (!m)
    return;
  pthread_mutex_lock(&m->lock);
  /* Only a driver that was loaded can hold modules; errors are ignored
   * (at process exit the driver may be shut down already). */
  if (m->loaded && g_driver_ok) {
    CUcontext previous = NULL;
    bool have_previous = g_cu.cuCtxGetCurrent(&previous) == CUDA_SUCCESS;
    for (cuda_loaded *l = m->loaded; l; l = l->next)
      if (g_cu.cuCtxSetCurrent(l->ctx) == CUDA_SUCCESS)
        (void)g_cu.cuModuleUnload(l->module);
    if (have_previous)
      (void)g_cu.cuCtxSetCurrent(previous);
  }
  for (cuda_loaded *l = m->loaded, *next; l; l = next) {
    next = l->next;
    free(l);
  }
  for (cuda_function *f = m->functions, *next; f; f = next) {
    next = f->next;
    free(f);
  }
  pthread_mutex_unlock(&m->lock);
  pthread_mutex_destroy(&m->lock);
  free(m);
}

void *mgpuModuleGetFunction(void *module, const char *name) {
  if (!should_run())
    return NULL;
  cuda_module *m = module;
  if (!m) {
    record_message("mgpuModuleGetFunction(%s): the kernel image was not "
                   "registered (out of host memory while loading the library)",
                   name ? name : "?");
    return NULL;
  }
  CUcontext ctx = current_context();
  if (!ctx)
    return NULL;
  pthread_mutex_lock(&m->lock);
  cuda_function *found = NULL;
  for (cuda_function *f = m->functions; f && !found; f = f->next)
    if (f->ctx == ctx && f->name_ptr == name)
      found = f;
  for (cuda_function *f = m->functions; f && !found; f = f->next)
    if (f->ctx == ctx && strcmp(f->name, name) == 0)
      found = f;
  if (!found) {
    cuda_loaded *loaded = NULL;
    for (cuda_loaded *l = m->loaded; l && !loaded; l = l->next)
      if (l->ctx == ctx)
        loaded = l;
    if (!loaded) {
      CUmodule mod = NULL;
      if (check(g_cu.cuModuleLoadData(&mod, m->image),
                "cuModuleLoadData (the kernel image of)", name)) {
        loaded = calloc(1, sizeof *loaded);
        if (loaded) {
          loaded->ctx = ctx;
          loaded->module = mod;
          /* Not found (CUDA_ERROR_NOT_FOUND) is the usual answer: no
           * error is recorded. */
          CUdeviceptr marker = 0;
          size_t marker_bytes = 0;
          loaded->grid_dependency =
              g_cu.cuModuleGetGlobal &&
              g_cu.cuModuleGetGlobal(&marker, &marker_bytes, mod,
                                     GRID_DEPENDENCY_MARKER) == CUDA_SUCCESS;
          loaded->next = m->loaded;
          m->loaded = loaded;
        } else {
          (void)g_cu.cuModuleUnload(mod);
          record_message("mgpuModuleGetFunction(%s): out of host memory",
                         name);
        }
      }
    }
    CUfunction fn = NULL;
    if (loaded && check(g_cu.cuModuleGetFunction(&fn, loaded->module, name),
                        "cuModuleGetFunction", name)) {
      size_t len = strlen(name);
      found = calloc(1, sizeof *found + len + 1);
      if (found) {
        memcpy(found->name, name, len + 1);
        found->name_ptr = name;
        found->module = m;
        found->ctx = ctx;
        found->fn = fn;
        found->grid_dependency = loaded->grid_dependency;
        /* Static and dynamic shared memory share the 48 KiB a kernel may
         * use without opting in. */
        int static_bytes = 0;
        if (!g_cu.cuFuncGetAttribute ||
            g_cu.cuFuncGetAttribute(&static_bytes,
                                    CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES,
                                    fn) != CUDA_SUCCESS ||
            static_bytes < 0 || static_bytes > DEFAULT_MAX_DYNAMIC_SHARED)
          static_bytes = 0;
        found->default_dynamic_shared =
            DEFAULT_MAX_DYNAMIC_SHARED - static_bytes;
        found->max_dynamic_shared = found->default_dynamic_shared;
        found->next = m->functions;
        m->functions = found;
      } else {
        record_message("mgpuModuleGetFunction(%s): out of host memory", name);
      }
    }
  }
  pthread_mutex_unlock(&m->lock);
  return found;
}

/* Launch counts (sessa_cuda_launch_stats), and the driver's answer when
 * it rejected the programmatic-serialization attribute (0: never). */
static struct {
  int64_t launches, pdl_launches;
  int32_t pdl_rejected;
} g_launch;

/* SESSA_CUDA_PDL=0 turns programmatic dependent launch off. */
static bool pdl_requested(void) {
  const char *env = getenv("SESSA_CUDA_PDL");
  return !(env && env[0] == '0' && env[1] == '\0');
}

/* One launch: clusters of cluster[0..2] blocks when `cluster` is non-null
 * (cuLaunchKernelEx with CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION), else a
 * plain one; both with programmatic stream serialization when the image
 * asked for it (see the header). */
static void launch(void *function, const intptr_t *cluster, intptr_t gridX,
                   intptr_t gridY, intptr_t gridZ, intptr_t blockX,
                   intptr_t blockY, intptr_t blockZ, int32_t smem,
                   void *stream, void **params, void **extra) {
  const char *call = cluster ? "cuLaunchKernelEx" : "cuLaunchKernel";
  if (!should_run())
    return;
  cuda_function *f = function;
  if (!f) {
    record_message("%s: no kernel function (its lookup failed)", call);
    return;
  }
  intptr_t dims[6] = {gridX, gridY, gridZ, blockX, blockY, blockZ};
  for (int i = 0; i < 6; ++i) {
    if (dims[i] == 0 && i < 3)
      return; /* an empty grid: nothing to do */
    if (dims[i] < 1 || (uintmax_t)dims[i] > UINT_MAX || smem < 0) {
      record_message("%s(%s): CUDA_ERROR_INVALID_VALUE: grid "
                     "(%" PRIdPTR ", %" PRIdPTR ", %" PRIdPTR ") / block (%" PRIdPTR
                     ", %" PRIdPTR ", %" PRIdPTR ") / %" PRId32
                     " bytes of shared memory out of range",
                     call, f->name, gridX, gridY, gridZ, blockX, blockY, blockZ,
                     smem);
      return;
    }
  }
  if (cluster) {
    for (int i = 0; i < 3; ++i) {
      if (cluster[i] < 1 || cluster[i] > 16 || dims[i] % cluster[i]) {
        record_message("%s(%s): CUDA_ERROR_INVALID_VALUE: cluster (%" PRIdPTR
                       ", %" PRIdPTR ", %" PRIdPTR ") does not divide grid (%"
                       PRIdPTR ", %" PRIdPTR ", %" PRIdPTR ")",
                       call, f->name, cluster[0], cluster[1], cluster[2], gridX,
                       gridY, gridZ);
        return;
      }
    }
    if (!g_cu.cuLaunchKernelEx) {
      record_message("%s(%s): the CUDA driver has no cuLaunchKernelEx (needed "
                     "for thread-block clusters)",
                     call, f->name);
      return;
    }
  }
  if (smem > f->default_dynamic_shared) {
    pthread_mutex_lock(&f->module->lock);
    bool ok = true;
    if (smem > f->max_dynamic_shared) {
      ok = check(g_cu.cuFuncSetAttribute(
                     f->fn, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                     smem),
                 "cuFuncSetAttribute(MAX_DYNAMIC_SHARED_SIZE_BYTES)", f->name);
      if (ok)
        f->max_dynamic_shared = smem;
    }
    pthread_mutex_unlock(&f->module->lock);
    if (!ok)
      return;
  }
  bool pdl = f->grid_dependency && g_cu.cuLaunchKernelEx &&
             !__atomic_load_n(&g_launch.pdl_rejected, __ATOMIC_RELAXED) &&
             (g_tls.in_invoke ? g_tls.pdl : pdl_requested());
  /* attrs[0]: the cluster (if any), then PDL (if asked for). */
  CUlaunchAttribute attrs[2];
  memset(attrs, 0, sizeof attrs);
  unsigned numAttrs = 0;
  if (cluster) {
    attrs[numAttrs].id = CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION;
    attrs[numAttrs].value.clusterDim.x = (unsigned)cluster[0];
    attrs[numAttrs].value.clusterDim.y = (unsigned)cluster[1];
    attrs[numAttrs].value.clusterDim.z = (unsigned)cluster[2];
    ++numAttrs;
  }
  unsigned withoutPdl = numAttrs;
  if (pdl) {
    attrs[numAttrs].id = CU_LAUNCH_ATTRIBUTE_PROGRAMMATIC_STREAM_SERIALIZATION;
    attrs[numAttrs].value.programmaticStreamSerializationAllowed = 1;
    ++numAttrs;
  }
  CUlaunchConfig config = {(unsigned)gridX,  (unsigned)gridY,
                           (unsigned)gridZ,  (unsigned)blockX,
                           (unsigned)blockY, (unsigned)blockZ,
                           (unsigned)smem,   (CUstream)stream,
                           attrs,            numAttrs};
  CUresult rejected = CUDA_SUCCESS; /* the PDL launch, if refused */
  if (pdl) {
    rejected = g_cu.cuLaunchKernelEx(&config, f->fn, params, extra);
    if (rejected == CUDA_SUCCESS) {
      __atomic_add_fetch(&g_launch.launches, 1, __ATOMIC_RELAXED);
      __atomic_add_fetch(&g_launch.pdl_launches, 1, __ATOMIC_RELAXED);
      return;
    }
  }
  /* Without the PDL attribute; after a rejected one, this launch tells
   * whether the attribute was the cause (then it is not asked for again)
   * or the launch itself fails (that error is reported, as without it). */
  CUresult plain;
  if (cluster) {
    config.numAttrs = withoutPdl;
    plain = g_cu.cuLaunchKernelEx(&config, f->fn, params, extra);
  } else {
    plain = g_cu.cuLaunchKernel(
        f->fn, (unsigned)gridX, (unsigned)gridY, (unsigned)gridZ,
        (unsigned)blockX, (unsigned)blockY, (unsigned)blockZ, (unsigned)smem,
        stream, params, extra);
  }
  if (!check(plain, call, f->name))
    return;
  if (rejected != CUDA_SUCCESS)
    __atomic_store_n(&g_launch.pdl_rejected, rejected, __ATOMIC_RELAXED);
  __atomic_add_fetch(&g_launch.launches, 1, __ATOMIC_RELAXED);
}

void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t smem, void *stream,
                      void **params, void **extra, size_t paramsCount) {
  (void)paramsCount;
  launch(function, NULL, gridX, gridY, gridZ, blockX, blockY, blockZ, smem,
         stream, params, extra);
}

/* MLIR 22's translation of gpu.launch_func with `clusters in (x, y, z)`
 * (SelectObjectAttr): the cluster's extents first, grid in blocks. */
void mgpuLaunchClusterKernel(void *function, intptr_t clusterX,
                             intptr_t clusterY, intptr_t clusterZ,
                             intptr_t gridX, intptr_t gridY, intptr_t gridZ,
                             intptr_t blockX, intptr_t blockY, intptr_t blockZ,
                             int32_t smem, void *stream, void **params,
                             void **extra) {
  intptr_t cluster[3] = {clusterX, clusterY, clusterZ};
  launch(function, cluster, gridX, gridY, gridZ, blockX, blockY, blockZ, smem,
         stream, params, extra);
}

void sessa_cuda_launch_stats(int64_t *launches, int64_t *pdl_launches,
                             int32_t *pdl_rejected, int32_t reset) {
  if (launches)
    *launches = __atomic_load_n(&g_launch.launches, __ATOMIC_RELAXED);
  if (pdl_launches)
    *pdl_launches = __atomic_load_n(&g_launch.pdl_launches, __ATOMIC_RELAXED);
  if (pdl_rejected)
    *pdl_rejected = __atomic_load_n(&g_launch.pdl_rejected, __ATOMIC_RELAXED);
  if (reset) {
    __atomic_store_n(&g_launch.launches, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&g_launch.pdl_launches, 0, __ATOMIC_RELAXED);
  }
}

/* ----- Streams and events ------------------------------------------------ */

static bool is_ambient(void *stream) {
  return g_tls.in_invoke && (CUstream)stream == g_tls.stream;
}

void *mgpuStreamCreate(void) {
  if (g_tls.in_invoke)
    return g_tls.stream;
  if (!should_run() || !current_context())
    return NULL;
  CUstream s = NULL;
  check(g_cu.cuStreamCreate(&s, CU_STREAM_NON_BLOCKING), "cuStreamCreate",
        NULL);
  return s;
}

void mgpuStreamDestroy(void *stream) {
  if (is_ambient(stream) || !driver_ready())
    return;
  /* A stream this code created: always destroyed, errors or not. */
  check(g_cu.cuStreamDestroy(stream), "cuStreamDestroy", NULL);
}

void mgpuStreamSynchronize(void *stream) {
  if (is_ambient(stream) || !should_run())
    return;
  check(g_cu.cuStreamSynchronize(stream), "cuStreamSynchronize", NULL);
}

void mgpuStreamWaitEvent(void *stream, void *event) {
  if (!should_run())
    return;
  check(g_cu.cuStreamWaitEvent(stream, event, 0), "cuStreamWaitEvent", NULL);
}

void *mgpuEventCreate(void) {
  if (!should_run())
    return NULL;
  CUevent e = NULL;
  check(g_cu.cuEventCreate(&e, CU_EVENT_DISABLE_TIMING), "cuEventCreate",
        NULL);
  return e;
}

void mgpuEventDestroy(void *event) {
  if (!event || !driver_ready())
    return;
  check(g_cu.cuEventDestroy(event), "cuEventDestroy", NULL);
}

void mgpuEventSynchronize(void *event) {
  if (!should_run())
    return;
  check(g_cu.cuEventSynchronize(event), "cuEventSynchronize", NULL);
}

void mgpuEventRecord(void *event, void *stream) {
  if (!should_run())
    return;
  check(g_cu.cuEventRecord(event, stream), "cuEventRecord", NULL);
}

/* ----- Memory ------------------------------------------------------------ */

/* ----- Temporary device memory accounting -------------------------------
 * Bytes of the temporaries the compiled code holds (mgpuMemAlloc minus
 * mgpuMemFree), process-wide, and the largest value since the last reset:
 * stream order on the one stream of a call is enqueue order, so this is the
 * call's peak of extra device memory (sessa_cuda_memory_stats). */
typedef struct mem_block {
  void *ptr;
  int64_t bytes;
} mem_block;

static struct {
  pthread_mutex_t lock;
  mem_block *blocks;
  size_t count, capacity;
  int64_t live, peak;
} g_mem = {PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0, 0, 0};

static void track_alloc(void *ptr, int64_t bytes) {
  pthread_mutex_lock(&g_mem.lock);
  if (g_mem.count == g_mem.capacity) {
    size_t cap = g_mem.capacity ? 2 * g_mem.capacity : 64;
    mem_block *grown = realloc(g_mem.blocks, cap * sizeof(mem_block));
    if (!grown) { /* accounting only: never fail the allocation for it */
      pthread_mutex_unlock(&g_mem.lock);
      return;
    }
    g_mem.blocks = grown;
    g_mem.capacity = cap;
  }
  g_mem.blocks[g_mem.count++] = (mem_block){ptr, bytes};
  g_mem.live += bytes;
  if (g_mem.live > g_mem.peak)
    g_mem.peak = g_mem.live;
  pthread_mutex_unlock(&g_mem.lock);
}

/* Forgets `ptr`; returns its size (0 if it was not tracked). */
static int64_t track_free(void *ptr) {
  int64_t bytes = 0;
  pthread_mutex_lock(&g_mem.lock);
  for (size_t i = g_mem.count; i-- > 0;)
    if (g_mem.blocks[i].ptr == ptr) {
      bytes = g_mem.blocks[i].bytes;
      g_mem.live -= bytes;
      g_mem.blocks[i] = g_mem.blocks[--g_mem.count];
      break;
    }
  pthread_mutex_unlock(&g_mem.lock);
  return bytes;
}

/* ----- Cached temporaries ------------------------------------------------
 * A call allocates and frees its temporaries in stream order (tens of them
 * for a layer: one cuMemAllocAsync and one cuMemFreeAsync each, a driver
 * call every microsecond or two, which is most of a decoding step's host
 * time). A freed temporary is kept instead, up to SESSA_CUDA_CACHE_MB
 * (default 256) MB in all, and handed out again to a later allocation of at
 * least its size and at most 1/8 more, in the same context and on the same
 * stream: stream order makes that safe (the later use runs after every
 * earlier use on that stream; with programmatic dependent launch too, as
 * every kernel launched that way waits for the previous grid before it
 * touches memory). SESSA_CUDA_CACHE_MB=0 turns it off. Cached
 * blocks are not temporaries in use (sessa_cuda_memory_stats counts those)
 * and stay with the process. */
typedef struct cached_block {
  void *ptr;
  int64_t bytes;
  CUstream stream;
  CUcontext ctx;
} cached_block;

static struct {
  pthread_mutex_t lock;
  cached_block *blocks;
  size_t count, capacity;
  int64_t bytes, limit; /* limit < 0: not read yet */
} g_cache = {PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0, 0, -1};

static int64_t cache_limit(void) {
  if (g_cache.limit < 0) {
    const char *env = getenv("SESSA_CUDA_CACHE_MB");
    char *end = NULL;
    long long mb = env && *env ? strtoll(env, &end, 10) : 256;
    if (env && *env && (*end != '\0' || mb < 0))
      mb = 256; /* not a number: the default */
    g_cache.limit = (int64_t)mb << 20;
  }
  return g_cache.limit;
}

/* A cached block for `bytes` on `stream` in `ctx` (removed from the
 * cache), or NULL. */
static void *cache_take(int64_t bytes, CUstream stream, CUcontext ctx,
                        int64_t *got) {
  void *ptr = NULL;
  pthread_mutex_lock(&g_cache.lock);
  /* The smallest fitting block, the lowest address among equal sizes: a
   * choice that depends on the set of cached blocks only (not on the order
   * they were freed in), so that a call that starts with the same cache
   * gets the same buffers as the previous one -- and finds the TMA maps of
   * those buffers cached instead of encoding (and synchronously copying)
   * new ones. */
  size_t best = g_cache.count;
  for (size_t i = 0; i < g_cache.count; ++i) {
    const cached_block *c = &g_cache.blocks[i];
    if (c->stream != stream || c->ctx != ctx || c->bytes < bytes ||
        c->bytes > bytes + bytes / 8)
      continue;
    if (best == g_cache.count || c->bytes < g_cache.blocks[best].bytes ||
        (c->bytes == g_cache.blocks[best].bytes &&
         (uintptr_t)c->ptr < (uintptr_t)g_cache.blocks[best].ptr))
      best = i;
  }
  if (best < g_cache.count) {
    ptr = g_cache.blocks[best].ptr;
    *got = g_cache.blocks[best].bytes;
    g_cache.bytes -= *got;
    g_cache.blocks[best] = g_cache.blocks[--g_cache.count];
  }
  pthread_mutex_unlock(&g_cache.lock);
  return ptr;
}

/* Keeps a freed block for reuse; returns 0 when the cache is full. */
static int cache_put(void *ptr, int64_t bytes, CUstream stream,
                     CUcontext ctx) {
  int kept = 0;
  pthread_mutex_lock(&g_cache.lock);
  if (bytes > 0 && g_cache.bytes + bytes <= cache_limit()) {
    if (g_cache.count == g_cache.capacity) {
      size_t cap = g_cache.capacity ? 2 * g_cache.capacity : 64;
      cached_block *grown = realloc(g_cache.blocks, cap * sizeof *grown);
      if (grown) {
        g_cache.blocks = grown;
        g_cache.capacity = cap;
      }
    }
    if (g_cache.count < g_cache.capacity) {
      g_cache.blocks[g_cache.count++] =
          (cached_block){ptr, bytes, stream, ctx};
      g_cache.bytes += bytes;
      kept = 1;
    }
  }
  pthread_mutex_unlock(&g_cache.lock);
  return kept;
}

int64_t sessa_cuda_cached_bytes(void) {
  pthread_mutex_lock(&g_cache.lock);
  int64_t bytes = g_cache.bytes;
  pthread_mutex_unlock(&g_cache.lock);
  return bytes;
}

void *mgpuMemAlloc(uint64_t sizeBytes, void *stream, bool isHostShared) {
  if (!should_run())
    return NULL;
  if (isHostShared) {
    record_message("mgpuMemAlloc: host-shared (managed) allocations are not "
                   "supported by the Sessa CUDA runtime");
    return NULL;
  }
  if (sizeBytes == 0)
    return NULL;
  CUcontext ctx = current_context();
  if (!ctx)
    return NULL;
  /* Sizes rounded to 512 bytes: repeated calls with nearby shapes reuse. */
  int64_t bytes = (int64_t)((sizeBytes + 511) & ~(uint64_t)511), got = 0;
  void *cached = cache_take(bytes, stream, ctx, &got);
  if (cached) {
    track_alloc(cached, got);
    return cached;
  }
  CUdeviceptr p = 0;
  if (!check(g_cu.cuMemAllocAsync(&p, (size_t)bytes, stream),
             "cuMemAllocAsync", NULL))
    return NULL;
  track_alloc((void *)(uintptr_t)p, bytes);
  return (void *)(uintptr_t)p;
}

void mgpuMemFree(void *ptr, void *stream) {
  /* Also after an error: memory allocated before it is released. */
  if (!ptr || !driver_ready())
    return;
  int64_t bytes = track_free(ptr);
  CUcontext ctx = NULL;
  if (bytes > 0 && g_cu.cuCtxGetCurrent(&ctx) == CUDA_SUCCESS && ctx &&
      cache_put(ptr, bytes, stream, ctx))
    return;
  check(g_cu.cuMemFreeAsync((CUdeviceptr)(uintptr_t)ptr, stream),
        "cuMemFreeAsync", NULL);
}

void sessa_cuda_memory_stats(int64_t *live_bytes, int64_t *peak_bytes,
                             int32_t reset_peak) {
  pthread_mutex_lock(&g_mem.lock);
  if (live_bytes)
    *live_bytes = g_mem.live;
  if (peak_bytes)
    *peak_bytes = g_mem.peak;
  if (reset_peak)
    g_mem.peak = g_mem.live;
  pthread_mutex_unlock(&g_mem.lock);
}

void mgpuMemcpy(void *dst, void *src, size_t sizeBytes, void *stream) {
  if (sizeBytes == 0 || !should_run())
    return;
  check(g_cu.cuMemcpyAsync((CUdeviceptr)(uintptr_t)dst,
                           (CUdeviceptr)(uintptr_t)src, sizeBytes, stream),
        "cuMemcpyAsync", NULL);
}

void mgpuMemset32(void *dst, unsigned int value, size_t count, void *stream) {
  if (count == 0 || !should_run())
    return;
  check(g_cu.cuMemsetD32Async((CUdeviceptr)(uintptr_t)dst, value, count,
                              stream),
        "cuMemsetD32Async", NULL);
}

void mgpuMemset16(void *dst, unsigned short value, size_t count,
                  void *stream) {
  if (count == 0 || !should_run())
    return;
  check(g_cu.cuMemsetD16Async((CUdeviceptr)(uintptr_t)dst, value, count,
                              stream),
        "cuMemsetD16Async", NULL);
}

void mgpuSetDefaultDevice(int32_t device) { g_default_device = device; }

/* ----- TMA tensor maps ----------------------------------------------------
 * sessa_cuda_tensor_map_2d: the device address of a CUtensorMap (128 bytes,
 * 128-byte aligned) describing a row-major matrix of 2-byte elements for
 * cp.async.bulk.tensor loads of box_rows x box_cols tiles with the 128-byte
 * swizzle (the inner box is 128 bytes: 64 elements), zero fill outside the
 * matrix. The kernels of --sessa-gpu-matmul (wgmma with TMA) read it through
 * that address; the compiled host code calls this before each such launch
 * and launches the cp.async kernel instead when it returns NULL.
 *
 * Maps are encoded on the host (cuTensorMapEncodeTiled) and copied once
 * (cuMemcpyHtoD, synchronous) into device slots that are never reused for
 * another map: a map is cached by (context, base, sizes, stride, box), so
 * repeated calls on the same buffers cost a table lookup and no driver
 * call, and a kernel still in flight never sees its map change. Slots come
 * in pages of kMapsPerPage (cuMemAlloc), at most SESSA_CUDA_TMA_MAPS (default
 * 4096) maps per process; beyond that, NULL.
 *
 * NULL (the cp.async kernel runs) without an error when: SESSA_CUDA_TMA=0;
 * the driver lacks cuTensorMapEncodeTiled, cuMemAlloc_v2 or
 * cuMemcpyHtoD_v2; the matrix is not expressible (element size other than
 * 2, a column stride other than 1, base or row pitch not 16-byte aligned,
 * an empty or too large extent, a box other than 1..256 rows x 64 columns);
 * the driver rejects the encoding; the slots are used up. NULL with the
 * error recorded (reported by the entry point like every CUDA failure) when
 * the allocation or the copy of a slot fails. */
enum { kMapBytes = 128, kMapsPerPage = 64 };

typedef struct tensor_map_key {
  CUcontext ctx;
  uint64_t base, rows, cols, row_stride;
  uint32_t elem_bytes, box_rows, box_cols;
} tensor_map_key;

typedef struct tensor_map_entry {
  tensor_map_key key;
  CUdeviceptr slot;
} tensor_map_entry;

static struct {
  pthread_mutex_t lock;
  tensor_map_entry *entries;
  size_t count, capacity;
  CUdeviceptr page;   /* current page of slots */
  CUcontext page_ctx; /* its context */
  int page_used;      /* slots used in it */
  long long limit;    /* < 0: not read yet */
} g_maps = {PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0, 0, NULL, kMapsPerPage, -1};

static bool tma_enabled(void) {
  const char *env = getenv("SESSA_CUDA_TMA");
  return !(env && env[0] == '0' && env[1] == '\0');
}

static long long tensor_map_limit(void) {
  if (g_maps.limit < 0) {
    const char *env = getenv("SESSA_CUDA_TMA_MAPS");
    char *end = NULL;
    long long n = env && *env ? strtoll(env, &end, 10) : 4096;
    if (env && *env && (*end != '\0' || n < 0))
      n = 4096;
    g_maps.limit = n;
  }
  return g_maps.limit;
}

/* A new device slot (lock held); 0 when none can be had (recorded when a
 * driver call failed). */
static CUdeviceptr tensor_map_slot(CUcontext ctx) {
  if ((long long)g_maps.count >= tensor_map_limit())
    return 0;
  if (g_maps.page_used == kMapsPerPage || g_maps.page_ctx != ctx) {
    CUdeviceptr page = 0;
    if (!check(g_cu.cuMemAlloc(&page, (size_t)kMapBytes * kMapsPerPage),
               "cuMemAlloc (TMA tensor maps)", NULL))
      return 0;
    g_maps.page = page;
    g_maps.page_ctx = ctx;
    g_maps.page_used = 0;
  }
  return g_maps.page + (CUdeviceptr)kMapBytes * (CUdeviceptr)g_maps.page_used++;
}

void *sessa_cuda_tensor_map_2d(const void *base, int64_t rows, int64_t cols,
                               int64_t row_stride, int64_t col_stride,
                               int32_t elem_bytes, int32_t box_rows,
                               int32_t box_cols) {
  uint64_t addr = (uint64_t)(uintptr_t)base;
  if (elem_bytes != 2 || col_stride != 1 || rows < 1 || cols < 1 ||
      rows > (int64_t)UINT32_MAX || cols > (int64_t)UINT32_MAX ||
      row_stride < cols || (row_stride * elem_bytes) % 16 != 0 ||
      row_stride * elem_bytes >= ((int64_t)1 << 40) || addr % 16 != 0 ||
      box_rows < 1 || box_rows > 256 || box_cols * elem_bytes != 128)
    return NULL;
  if (!tma_enabled() || !should_run() || !g_cu.cuTensorMapEncodeTiled ||
      !g_cu.cuMemAlloc || !g_cu.cuMemcpyHtoD)
    return NULL;
  CUcontext ctx = current_context();
  if (!ctx)
    return NULL;
  tensor_map_key key;
  memset(&key, 0, sizeof key); /* padding compared with memcmp */
  key.ctx = ctx;
  key.base = addr;
  key.rows = (uint64_t)rows;
  key.cols = (uint64_t)cols;
  key.row_stride = (uint64_t)row_stride;
  key.elem_bytes = (uint32_t)elem_bytes;
  key.box_rows = (uint32_t)box_rows;
  key.box_cols = (uint32_t)box_cols;
  CUdeviceptr found = 0;
  pthread_mutex_lock(&g_maps.lock);
  for (size_t i = g_maps.count; i-- > 0 && !found;)
    if (memcmp(&g_maps.entries[i].key, &key, sizeof key) == 0)
      found = g_maps.entries[i].slot;
  if (!found) {
    /* CU_TENSOR_MAP_DATA_TYPE_UINT16 (a 2-byte copy), no interleave,
     * CU_TENSOR_MAP_SWIZZLE_128B, CU_TENSOR_MAP_L2_PROMOTION_L2_128B,
     * CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE (zeros). */
    _Alignas(128) uint64_t map[kMapBytes / 8];
    memset(map, 0, sizeof map);
    uint64_t dims[2] = {(uint64_t)cols, (uint64_t)rows};
    uint64_t strides[1] = {(uint64_t)(row_stride * elem_bytes)};
    unsigned box[2] = {(unsigned)box_cols, (unsigned)box_rows};
    unsigned unit[2] = {1, 1};
    bool grown = true;
    if (g_maps.count == g_maps.capacity) {
      size_t cap = g_maps.capacity ? 2 * g_maps.capacity : 64;
      tensor_map_entry *e = realloc(g_maps.entries, cap * sizeof *e);
      if (e) {
        g_maps.entries = e;
        g_maps.capacity = cap;
      } else {
        grown = false;
      }
    }
    if (grown &&
        g_cu.cuTensorMapEncodeTiled(map, 1, 2, (void *)(uintptr_t)addr, dims,
                                    strides, box, unit, 0, 3, 2,
                                    0) == CUDA_SUCCESS) {
      CUdeviceptr slot = tensor_map_slot(ctx);
      if (slot && check(g_cu.cuMemcpyHtoD(slot, map, sizeof map),
                        "cuMemcpyHtoD (a TMA tensor map)", NULL)) {
        g_maps.entries[g_maps.count++] = (tensor_map_entry){key, slot};
        found = slot;
      }
    }
  }
  pthread_mutex_unlock(&g_maps.lock);
  return (void *)(uintptr_t)found;
}

/* ----- sessa_cuda_invoke ------------------------------------------------- */

/* Checks that tensor `pos` lives in memory the current device can address. */
static int32_t check_pointer(const sessa_entry_desc *entry, int32_t pos,
                             const void *data, CUdevice device,
                             sessa_status *status) {
  char who[SESSA_STATUS_MESSAGE_SIZE]; /* formatted only for a message */
  CUdeviceptr p = (CUdeviceptr)(uintptr_t)data;
  unsigned int type = 0;
  int ordinal = -1;
  bool have_ordinal = false;
  CUresult r;
  if (g_cu.cuPointerGetAttributes) {
    /* One driver call a tensor: the memory type and the device. */
    int attrs[2] = {CU_POINTER_ATTRIBUTE_MEMORY_TYPE,
                    CU_POINTER_ATTRIBUTE_DEVICE_ORDINAL};
    void *values[2] = {&type, &ordinal};
    r = g_cu.cuPointerGetAttributes(2, attrs, values, p);
    if (r == CUDA_SUCCESS && type == 0)
      r = CUDA_ERROR_INVALID_VALUE; /* not CUDA memory: plain host memory */
    have_ordinal = true;
  } else {
    r = g_cu.cuPointerGetAttribute(&type, CU_POINTER_ATTRIBUTE_MEMORY_TYPE, p);
  }
  if (r == CUDA_SUCCESS && type == CU_MEMORYTYPE_HOST) {
    /* Pinned host memory: usable when it is mapped into the device. */
    CUdeviceptr mapped = 0;
    if (g_cu.cuPointerGetAttribute(&mapped,
                                   CU_POINTER_ATTRIBUTE_DEVICE_POINTER,
                                   p) == CUDA_SUCCESS &&
        mapped == p)
      return SESSA_OK;
    r = CUDA_ERROR_INVALID_VALUE;
  }
  if (r != CUDA_SUCCESS)
    sessa_runtime_describe(who, sizeof who, entry, pos);
  if (r == CUDA_ERROR_INVALID_VALUE)
    return sessa_runtime_report(
        status, SESSA_ERROR_INVALID_ARGUMENT,
        "entry '%s': %s: data %p is host memory, not device memory (CUDA "
        "artifacts take device pointers, e.g. torch CUDA tensors)",
        entry->name ? entry->name : "?", who, data);
  if (r != CUDA_SUCCESS) {
    char what[SESSA_STATUS_MESSAGE_SIZE];
    describe_result(r, what, sizeof what);
    return sessa_runtime_report(status, SESSA_ERROR_CUDA,
                                "entry '%s': %s: cuPointerGetAttribute: %s",
                                entry->name ? entry->name : "?", who, what);
  }
  if (type == CU_MEMORYTYPE_DEVICE) {
    if (!have_ordinal &&
        g_cu.cuPointerGetAttribute(&ordinal,
                                   CU_POINTER_ATTRIBUTE_DEVICE_ORDINAL,
                                   p) != CUDA_SUCCESS)
      ordinal = device;
    if (ordinal >= 0 && ordinal != device) {
      sessa_runtime_describe(who, sizeof who, entry, pos);
      return sessa_runtime_report(
          status, SESSA_ERROR_INVALID_ARGUMENT,
          "entry '%s': %s: data %p is memory of device %d, but the current "
          "context is on device %d",
          entry->name ? entry->name : "?", who, data, ordinal,
          (int)device);
    }
  }
  return SESSA_OK;
}

static bool sync_requested(void) {
  const char *env = getenv("SESSA_CUDA_SYNC");
  return env && env[0] == '1' && env[1] == '\0';
}

int32_t sessa_cuda_invoke(const sessa_entry_desc *entry,
                          const sessa_tensor *inputs, int32_t num_inputs,
                          sessa_tensor *outputs, int32_t num_outputs,
                          void *stream, sessa_status *status) {
  sessa_call_frame frame;
  int32_t rc = sessa_runtime_check_call(entry, inputs, num_inputs, outputs,
                                        num_outputs, &frame, status);
  if (rc != SESSA_OK)
    return rc;
  const char *name = entry->name ? entry->name : "?";
  if (!driver_ready())
    return sessa_runtime_report(status, SESSA_ERROR_CUDA_UNAVAILABLE,
                                "entry '%s': %s", name, g_driver_error);

  /* The context and the pointers, with this thread's error state saved
   * (an invoke may run inside another's compute, or after mgpu calls made
   * outside of any invoke). */
  cuda_thread_state saved = g_tls;
  g_tls.in_invoke = false;
  g_tls.error = CUDA_SUCCESS;
  g_tls.message[0] = '\0';
  CUcontext ctx = current_context();
  CUdevice device = 0;
  if (ctx)
    check(g_cu.cuCtxGetDevice(&device), "cuCtxGetDevice", NULL);
  if (g_tls.error != CUDA_SUCCESS) {
    rc = sessa_runtime_report(status, SESSA_ERROR_CUDA, "entry '%s': %s",
                              name, g_tls.message);
    g_tls = saved;
    return rc;
  }
  for (int32_t pos = 0; pos < num_inputs + num_outputs; ++pos) {
    const sessa_tensor *t =
        pos < num_inputs ? &inputs[pos] : &outputs[pos - num_inputs];
    int64_t count = 1;
    for (int32_t d = 0; d < t->rank; ++d)
      count *= t->shape[d]; /* no overflow: checked above */
    if (count == 0)
      continue;
    rc = check_pointer(entry, pos, t->data, device, status);
    if (rc != SESSA_OK) {
      g_tls = saved;
      return rc;
    }
  }

  g_tls.in_invoke = true;
  g_tls.pdl = pdl_requested();
  g_tls.stream = (CUstream)stream;
  entry->compute(frame.args);
  if (g_tls.error == CUDA_SUCCESS && sync_requested())
    check(g_cu.cuStreamSynchronize((CUstream)stream),
          "cuStreamSynchronize (SESSA_CUDA_SYNC=1)", NULL);
  if (g_tls.error != CUDA_SUCCESS)
    rc = sessa_runtime_report(status, SESSA_ERROR_CUDA, "entry '%s': %s",
                              name, g_tls.message);
  else
    rc = sessa_runtime_report(status, SESSA_OK, "ok");
  g_tls = saved;
  return rc;
}
