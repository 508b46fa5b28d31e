/*===- Alloc.c - heap memory of compiled CPU code ------------------------===*
 *
 * The CPU pipeline lowers memref.alloc / memref.dealloc to the generic
 * allocation functions of MLIR's LLVM lowering, defined here:
 *
 *   _mlir_memref_to_llvm_alloc(size), _mlir_memref_to_llvm_aligned_alloc(
 *   alignment, size), _mlir_memref_to_llvm_free(ptr)
 *
 * A layer's temporaries are megabytes each. From malloc they come as fresh
 * mappings on every call, and the kernel zeroes every page on first touch
 * (about 5% of a (1, 2048, 512) layer's time). Here a freed block of at
 * least kCacheMin bytes is kept in a small per-thread cache and handed to
 * the next allocation of a size it fits (at most twice as large), so calls
 * after the first reuse the same memory. At most kCacheBlocks blocks are
 * kept per thread; a thread's cache is freed when the thread exits.
 * SESSA_KEEP_TEMPORARIES=0 in the environment turns the cache off (every
 * block goes back to malloc's free at once).
 *
 * Every block carries a 64-byte header (its usable size and the offset of
 * the malloc'd address), so blocks are 64-byte aligned and any of them may
 * be freed from any thread.
 *
 *===----------------------------------------------------------------------===*/
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum {
  kHeader = 64,              /* bytes before every block (and its alignment) */
  kCacheBlocks = 16,         /* freed blocks kept per thread */
  kCacheMin = 128 * 1024,    /* smaller blocks are left to malloc */
  kRound = 64 * 1024,        /* cached sizes are rounded up to this */
};

typedef struct {
  size_t usable; /* bytes the caller may use */
  size_t offset; /* from the malloc'd address to the block */
} header_t;

typedef struct {
  void *block[kCacheBlocks];
  size_t usable[kCacheBlocks];
  int count;
} cache_t;

static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;
static int cache_enabled = 1;

static void raw_free(void *block) {
  header_t h;
  memcpy(&h, (char *)block - kHeader, sizeof h);
  free((char *)block - h.offset);
}

static void cache_destroy(void *p) {
  cache_t *c = (cache_t *)p;
  for (int i = 0; i < c->count; ++i)
    raw_free(c->block[i]);
  free(c);
}

static void cache_init(void) {
  const char *env = getenv("SESSA_KEEP_TEMPORARIES");
  if (env && env[0] == '0' && env[1] == '\0')
    cache_enabled = 0;
  if (pthread_key_create(&cache_key, cache_destroy) != 0)
    cache_enabled = 0;
}

static cache_t *thread_cache(int create) {
  pthread_once(&cache_once, cache_init);
  if (!cache_enabled)
    return NULL;
  cache_t *c = (cache_t *)pthread_getspecific(cache_key);
  if (!c && create) {
    c = (cache_t *)calloc(1, sizeof *c);
    if (c && pthread_setspecific(cache_key, c) != 0) {
      free(c);
      c = NULL;
    }
  }
  return c;
}

/* A block of `size` usable bytes aligned to `alignment` (a power of two). */
static void *raw_alloc(size_t size, size_t alignment) {
  if (alignment < kHeader)
    alignment = kHeader;
  /* The header sits right before the block, inside the alignment slack. */
  size_t slack = alignment > kHeader ? alignment : kHeader;
  if (size > SIZE_MAX - slack - alignment)
    return NULL;
  char *raw = (char *)malloc(size + slack + alignment);
  if (!raw)
    return NULL;
  uintptr_t start = (uintptr_t)raw + kHeader;
  uintptr_t block = (start + alignment - 1) & ~(uintptr_t)(alignment - 1);
  header_t h = {size, (size_t)(block - (uintptr_t)raw)};
  memcpy((char *)block - kHeader, &h, sizeof h);
  return (void *)block;
}

/* The library may be unloaded while threads live on: delete the key (no
 * destructor will then point into unloaded code) and free this thread's
 * cache; other threads' caches are left to the process. */
__attribute__((destructor)) static void cache_unload(void) {
  if (!cache_enabled)
    return;
  pthread_once(&cache_once, cache_init);
  if (!cache_enabled)
    return;
  cache_t *c = (cache_t *)pthread_getspecific(cache_key);
  pthread_key_delete(cache_key);
  cache_enabled = 0;
  if (c)
    cache_destroy(c);
}

static void *cached_alloc(size_t size, size_t alignment) {
  if (size >= kCacheMin && alignment <= kHeader) {
    cache_t *c = thread_cache(0);
    if (c) {
      int best = -1;
      for (int i = 0; i < c->count; ++i)
        if (c->usable[i] >= size && c->usable[i] / 2 <= size &&
            (best < 0 || c->usable[i] < c->usable[best]))
          best = i;
      if (best >= 0) {
        void *block = c->block[best];
        --c->count;
        c->block[best] = c->block[c->count];
        c->usable[best] = c->usable[c->count];
        return block;
      }
    }
    size = (size + kRound - 1) / kRound * kRound;
  }
  return raw_alloc(size, alignment);
}

void *_mlir_memref_to_llvm_alloc(size_t size) {
  return cached_alloc(size, kHeader);
}

void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t size) {
  return cached_alloc(size, alignment);
}

void _mlir_memref_to_llvm_free(void *block) {
  if (!block)
    return;
  header_t h;
  memcpy(&h, (char *)block - kHeader, sizeof h);
  if (h.usable >= kCacheMin) {
    cache_t *c = thread_cache(1);
    if (c) {
      if (c->count == kCacheBlocks) {
        /* Full: drop the smallest block kept. */
        int smallest = 0;
        for (int i = 1; i < c->count; ++i)
          if (c->usable[i] < c->usable[smallest])
            smallest = i;
        if (c->usable[smallest] > h.usable) {
          raw_free(block);
          return;
        }
        raw_free(c->block[smallest]);
        c->block[smallest] = c->block[--c->count];
        c->usable[smallest] = c->usable[c->count];
      }
      c->block[c->count] = block;
      c->usable[c->count] = h.usable;
      ++c->count;
      return;
    }
  }
  raw_free(block);
}
