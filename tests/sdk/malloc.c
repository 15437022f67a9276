/* check-sdk rung 3: the SDK's allocator (scudo: large reservations, VMO-backed heap). */
#include <stdlib.h>
#include <string.h>

int main(void) {
  enum { N = 64 };
  unsigned char* p[N];
  for (int i = 0; i < N; i++) {
    p[i] = malloc((size_t)(i + 1) * 4096);
    if (!p[i]) return 1;
    memset(p[i], i, (size_t)(i + 1) * 4096);
  }
  for (int i = 0; i < N; i++) {
    if (p[i][(size_t)i * 4096] != i) return 2;
    free(p[i]);
  }
  return 7;
}
