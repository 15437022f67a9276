/* Suspension (DESIGN.md section 6): the handler of ZUM_SUSPEND_SIGNAL reports the interrupted
 * registers to the supervisor, whose answer comes once the thread is resumed, with the registers
 * zx_thread_write_state may have changed; returning through rt_sigreturn applies them. */
#include <asm/prctl.h>
#include <asm/siginfo.h>
#include <zircon/syscalls/debug.h>
#include <zum/sysno.h>
#include <zum/trap.h>

#include "host/guest/stub/private.h"

static void on_suspend(int sig, siginfo_t* si, void* ctx) {
  (void)sig, (void)si;
  struct sigcontext* m = (struct sigcontext*)&((struct ucontext*)ctx)->uc_mcontext;
  zx_thread_state_general_regs_t r = {
      .rax = m->rax, .rbx = m->rbx, .rcx = m->rcx, .rdx = m->rdx, .rsi = m->rsi,
      .rdi = m->rdi, .rbp = m->rbp, .rsp = m->rsp, .r8 = m->r8,   .r9 = m->r9,
      .r10 = m->r10, .r11 = m->r11, .r12 = m->r12, .r13 = m->r13, .r14 = m->r14,
      .r15 = m->r15, .rip = m->rip, .rflags = m->eflags,
  };
  sys2(__NR_arch_prctl, ARCH_GET_FS, &r.fs_base);
  sys2(__NR_arch_prctl, ARCH_GET_GS, &r.gs_base);
  uint64_t fs = r.fs_base, gs = r.gs_base;
  /* Anything but ZX_OK: the thread goes on as it was. */
  if (zum_call5(ZUM_SYS_thread_suspended, (uint64_t)(uintptr_t)&r, 0, 0, 0, 0) != ZX_OK) return;
  m->rax = r.rax, m->rbx = r.rbx, m->rcx = r.rcx, m->rdx = r.rdx, m->rsi = r.rsi;
  m->rdi = r.rdi, m->rbp = r.rbp, m->rsp = r.rsp, m->r8 = r.r8, m->r9 = r.r9;
  m->r10 = r.r10, m->r11 = r.r11, m->r12 = r.r12, m->r13 = r.r13, m->r14 = r.r14;
  m->r15 = r.r15, m->rip = r.rip;
  /* The supervisor kept the flags a thread may not change (kobj/sys_suspend.c). */
  m->eflags = r.rflags;
  if (r.fs_base != fs) sys2(__NR_arch_prctl, ARCH_SET_FS, r.fs_base);
  if (r.gs_base != gs) sys2(__NR_arch_prctl, ARCH_SET_GS, r.gs_base);
}

/* The kernel's struct sigaction for rt_sigaction on x86-64. */
struct k_sigaction {
  void (*handler)(int, siginfo_t*, void*);
  unsigned long flags;
  void (*restorer)(void);
  unsigned long mask;
};

/* On the alternate stack (the guest's stack may be anything), every signal blocked. */
int stub_install_suspend_handler(void) {
  struct k_sigaction sa = {
      .handler = on_suspend,
      .flags = SA_SIGINFO | SA_ONSTACK | SA_RESTORER,
      .restorer = stub_restorer,
      .mask = ~0ul,
  };
  long r = sys4(__NR_rt_sigaction, ZUM_SUSPEND_SIGNAL, &sa, 0, sizeof(sa.mask));
  return r < 0 ? (int)-r : 0;
}
