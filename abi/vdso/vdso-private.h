/* Shared by every vDSO source file: the trap, symbol aliases, the zum page. The vDSO is
 * freestanding: no libc, no relocations, no writable data, and no Linux call but its trap. */
#ifndef ZUM_VDSO_PRIVATE_H_
#define ZUM_VDSO_PRIVATE_H_

#include <zircon/syscalls.h>
#include <zum/abi-private.h>
#include <zum/private-cdecls.h>
#include <zum/sysno.h>
#include <zum/trap.h>

#define ZUM_VDSO_ALIAS(target, alias_name) \
  __typeof(target) alias_name __attribute__((weak, alias(#target), visibility("default")))

/* Any argument, widened the way the supervisor narrows it back. */
#define zum_arg(x) ((uint64_t)(x))

/* The calling program has no supervisor (its trap reached Linux, which said ENOSYS) or the
 * supervisor vanished: nothing sensible can continue. ud2 raises SIGILL in the caller. */
__attribute__((noreturn)) static inline void zum_vdso_fatal(void) {
  for (;;) __asm__ volatile("ud2");
}

static inline void zum_check_supervisor(int64_t r) {
  if (__builtin_expect(r == ZUM_TRAP_NO_SUPERVISOR, 0)) zum_vdso_fatal();
}

static inline const zum_page_t* zum_page(void) { return (const zum_page_t*)ZUM_PAGE_ADDR; }

/* While the supervisor hands out address-space work, run it and report (see zum_work_t). */
static inline int64_t zum_run_work(zum_work_t* work, int64_t r) {
  while (r == ZUM_STATUS_WORK) {
    ((void (*)(zum_work_t*))zum_page()->do_work_fn)(work);
    r = zum_call5(ZUM_SYS_work_done, (uint64_t)(uintptr_t)work, 0, 0, 0, 0);
    zum_check_supervisor(r);
    r = zum_trap_status(r);
  }
  return r;
}

#endif
