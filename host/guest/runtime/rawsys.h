/* Linux system calls without libc, for zum's code that runs inside guests (the pure-process stub,
 * and the parts of libzum it shares with the stub): one inline `syscall` instruction, so the call
 * is made from the caller's own text (the stub's seal allows Linux calls only from there). */
#ifndef ZUM_ABI_RUNTIME_RAWSYS_H_
#define ZUM_ABI_RUNTIME_RAWSYS_H_

static inline long zum_rawsys6(long n, long a, long b, long c, long d, long e, long f) {
  register long r10 __asm__("r10") = d;
  register long r8 __asm__("r8") = e;
  register long r9 __asm__("r9") = f;
  long ret;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                   : "rcx", "r11", "memory");
  return ret;
}

#endif
