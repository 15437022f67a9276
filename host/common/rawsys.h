/* Linux system calls without libc, for zum's code that runs inside guests (the pure-process stub,
 * the runtime it shares with libzum) and for the helpers both sides use (scm.h). The instruction
 * is zum's trap (abi/include/zum/trap.h): a Linux call is the same `syscall` with a Linux number
 * in rax and the same argument registers. Both are always inlined, so the call is made from the
 * caller's own text (the stub's seal allows Linux calls only from there). */
#ifndef ZUM_HOST_COMMON_RAWSYS_H_
#define ZUM_HOST_COMMON_RAWSYS_H_

#include <stdint.h>

#include <zum/trap.h>

static inline __attribute__((always_inline)) long zum_rawsys6(long n, long a, long b, long c,
                                                              long d, long e, long f) {
  return (long)zum_trap((uint64_t)n, (uint64_t)a, (uint64_t)b, (uint64_t)c, (uint64_t)d,
                        (uint64_t)e, (uint64_t)f);
}

#endif
