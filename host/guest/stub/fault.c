/* Fault reporting: the stub's handler for the synchronous signals of every thread. */
#include <asm/siginfo.h>
#include <asm/signal.h>
#include <zum/sysno.h>
#include <zum/trap.h>

#include "host/guest/runtime/cow.h"

#include "host/guest/stub/private.h"

/* Reports a fault of the calling thread with zum's private call (the supervisor kills the
 * process) and never returns. */
static NORETURN void report_fault(uint64_t signo, uint64_t code, uint64_t addr, uint64_t pc) {
  zum_call5(ZUM_SYS_fault, signo, code, addr, pc, 0);
  stub_exit_group(127);
}

int stub_vm_fault_cap; /* the supervisor resolves what zum_cow_fault cannot */

static void on_fault(int sig, siginfo_t* si, void* ctx) {
  const struct ucontext* uc = ctx;
  /* A userfaultfd fault: a missing page of a copy-on-write mapping copied in from its source, or
   * what the supervisor resolves; the access retries. Page-fault error code bit 1: a write. */
  if (sig == SIGBUS && si->si_code == BUS_ADRERR &&
      zum_cow_resolve((uint64_t)(uintptr_t)si->si_addr, uc->uc_mcontext.err & 2,
                      stub_vm_fault_cap))
    return;
  /* A trapped system call (SIGSYS) reports its number; anything else its si_code. */
  uint64_t code = sig == SIGSYS ? (uint32_t)si->si_syscall : (uint32_t)si->si_code;
  report_fault((uint64_t)sig, code, (uint64_t)(uintptr_t)si->si_addr, uc->uc_mcontext.rip);
}

/* The kernel's struct sigaction for rt_sigaction on x86-64. */
struct k_sigaction {
  void (*handler)(int, siginfo_t*, void*);
  unsigned long flags;
  void (*restorer)(void);
  unsigned long mask;
};

/* Every handler runs with all signals blocked; only a resolved copy-on-write fault returns. */
int stub_install_fault_handlers(void) {
  static const int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS};
  struct k_sigaction sa = {
      .handler = on_fault,
      .flags = SA_SIGINFO | SA_ONSTACK | SA_RESTORER,
      .restorer = stub_restorer,
      .mask = ~0ul, /* every signal blocked while reporting */
  };
  for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
    long r = sys4(__NR_rt_sigaction, sigs[i], &sa, 0, sizeof(sa.mask));
    if (r < 0) return (int)-r;
  }
  return 0;
}
