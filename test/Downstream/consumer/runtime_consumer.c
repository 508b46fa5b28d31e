/* A downstream C program linked against the installed Sessa::Runtime. */
#include <stdio.h>
#include <string.h>

#include "sessa/Runtime/SessaRuntime.h"

int main(void) {
  const int32_t dtypes[] = {SESSA_DTYPE_F32, SESSA_DTYPE_BF16, SESSA_DTYPE_I64};
  size_t i;
  for (i = 0; i < sizeof(dtypes) / sizeof(dtypes[0]); ++i)
    printf("dtype %d: %s, %zu bytes\n", (int)dtypes[i],
           sessa_dtype_name(dtypes[i]), sessa_dtype_size(dtypes[i]));
  printf("dtype 99: %s\n", sessa_dtype_name(99));
  printf("abi version %d\n", SESSA_ABI_VERSION);
  return strcmp(sessa_dtype_name(SESSA_DTYPE_F32), "f32") == 0 ? 0 : 1;
}
