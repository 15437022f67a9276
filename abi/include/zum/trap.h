/* The trap instruction sequence: zum's syscall number in rax, Zircon's argument registers. Shared
 * by the vDSO and the hosted client library. Private to zum. */
#ifndef ZUM_TRAP_H_
#define ZUM_TRAP_H_

#include <stdint.h>

static inline __attribute__((always_inline)) int64_t zum_trap(uint64_t nr, uint64_t a0, uint64_t a1,
                                                             uint64_t a2, uint64_t a3, uint64_t a4,
                                                             uint64_t a5) {
  register uint64_t r10 __asm__("r10") = a3;
  register uint64_t r8 __asm__("r8") = a4;
  register uint64_t r9 __asm__("r9") = a5;
  int64_t ret;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "0"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8), "r"(r9)
                   : "rcx", "r11", "memory");
  return ret;
}

/* What a trap returns when no supervisor listens: Linux's -ENOSYS. */
#define ZUM_TRAP_NO_SUPERVISOR (-38)

#endif
