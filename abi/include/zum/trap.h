/* The trap instruction sequence: zum's syscall number in rax, Zircon's argument registers. Shared
 * by the vDSO, the hosted client library, the pure-process stub and (for the answer's encoding)
 * the supervisor. Private to zum.
 *
 * Signals. A Linux signal can take a thread out of a trap at any moment, and the thread then
 * issues the same trap again: Linux restarts it itself (no handler, or SA_RESTART), or the trap
 * returns -EINTR (a handler without SA_RESTART) and zum_call below issues it again. Each call
 * carries a *tag*, taken fresh for every new call and kept for its repetitions, so the
 * supervisor can tell "the same call again" (it hands back the answer it gave, or keeps the
 * parked call waiting) from "an identical new call" (it runs it). And so that -EINTR can never
 * be read as a status, the supervisor answers every status zero-extended from 32 bits: Zircon's
 * ZX_ERR_NO_MEMORY (-4) arrives as 0x00000000fffffffc, Linux's -EINTR is 0xfffffffffffffffc. */
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
/* Linux's -EINTR: a signal handler without SA_RESTART ran; the call must be issued again. */
#define ZUM_TRAP_INTERRUPTED (-4)

/* A new call's tag: the time-stamp counter, which no two calls of one thread share (a call
 * takes a round trip through the supervisor, thousands of cycles). No Linux call, so the vDSO
 * and a sealed pure process may take it. (A hosted program that forbids itself rdtsc with
 * prctl(PR_SET_TSC, PR_TSC_SIGSEGV) can make no Zircon call.) */
static inline __attribute__((always_inline)) uint64_t zum_trap_tag(void) {
  uint32_t lo, hi;
  __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
  return ((uint64_t)hi << 32) | lo;
}

/* One call: the trap, issued again with the same registers (its tag among them) for as long as
 * a signal handler interrupts it. */
static inline __attribute__((always_inline)) int64_t zum_call(uint64_t nr, uint64_t a0, uint64_t a1,
                                                             uint64_t a2, uint64_t a3, uint64_t a4,
                                                             uint64_t a5) {
  int64_t r;
  do r = zum_trap(nr, a0, a1, a2, a3, a4, a5);
  while (__builtin_expect(r == ZUM_TRAP_INTERRUPTED, 0));
  return r;
}

/* A call of at most five values with a fresh tag as the sixth register. */
#define zum_call5(nr, a0, a1, a2, a3, a4) zum_call(nr, a0, a1, a2, a3, a4, zum_trap_tag())

/* The supervisor's encoding of a status (or of any 32-bit answer, such as ZUM_STATUS_WORK) and
 * the trap site's decoding. */
static inline int64_t zum_trap_answer(int32_t status) { return (int64_t)(uint32_t)status; }
static inline int32_t zum_trap_status(int64_t r) { return (int32_t)r; }

#endif
