/* The freestanding stub's own C library: what the compiler may call. */
#include <stddef.h>

#include "host/guest/stub/private.h"

/* The compiler may emit calls to these for structure copies and clears. */
void* memset(void* d, int c, size_t n) {
  void* r = d;
  __asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
  return r;
}
void* memcpy(void* d, const void* s, size_t n) {
  void* r = d;
  __asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
  return r;
}
