/* zum's pure-process stub (DESIGN.md sections 1, 4 and 6): a static, freestanding program linked
 * below the Zircon user base. It empties the Zircon user range, publishes the zum page, and then
 * serves its supervisor on fd 3 (the agent socket, see zum_agent_msg_t): address-space work,
 * thread starts with Zircon's register contract, and the stub_seal that takes Linux system calls away
 * from guest code. Hardware faults and trapped system calls of any thread are reported with
 * zum's private `fault` call.
 *
 * Copy-on-write faults (host/guest/runtime/cow.c, shared with the hosted library): the stub creates the
 * process's userfaultfd before its hello (and says so in it, ZUM_AGENT_CAP_UFFD |
 * ZUM_AGENT_CAP_VM_FAULT, handing the supervisor the userfaultfd with it); mappings made with
 * ZUM_MAP_UFFD are registered with it, and a missing page of one raises SIGBUS in the faulting
 * thread, whose handler copies the page in from the mapping's fault source. What it cannot
 * resolve so (no source; a write to a page the supervisor write-protected) goes to the
 * supervisor's zum_vm_fault before it counts as a fault.
 *
 * No libc: only Linux's uapi headers. Every Linux system call the stub makes, and when:
 *   startup:      prctl(PR_SET_NAME), munmap, arch_prctl(ARCH_MAP_VDSO_64), mincore, mmap,
 *                 mprotect, sysinfo, sched_getaffinity, rt_sigaction, sigaltstack, fcntl(F_GETFD
 *                 of the work channel), userfaultfd, ioctl(UFFDIO_API), close, getpid, sendmsg
 *   agent:        recvmsg, sendmsg, close, mmap, munmap, mprotect, madvise, ioctl(UFFDIO_REGISTER,
 *                 UFFDIO_COPY), pread64, rt_sigprocmask, sched_yield (WORK),
 *                 clone (START_THREAD), seccomp (SEAL), stub_exit_group (the supervisor is gone)
 *   new threads:  arch_prctl(ARCH_SET_GS), rt_sigreturn (entering the guest's code)
 *   registers:    arch_prctl(ARCH_SET_FS/GS, ARCH_GET_FS/GS) for ZX_PROP_REGISTER_FS/GS work
 *   guest threads, through the zum page: the agent's WORK calls and recvmsg on the work channel
 *                 (stub_do_work), exit (stub_exit_thread),
 *                 clock_gettime (only without a usable Linux vDSO)
 *   fault handler: pread64, ioctl(UFFDIO_COPY), sched_yield, zum's vm_fault call, rt_sigreturn
 *                 (a copy-on-write fault, resolved); zum's fault call, exit_group (anything else)
 * After the seal only the numbers of the last four groups are allowed from the stub's text, with
 * their arguments checked as far as the filter can (see seal.c: sendmsg/recvmsg only on the agent
 * socket and work channel, mmap only MAP_SHARED | MAP_FIXED above the Zircon user base, ioctl
 * only on the userfaultfd: REGISTER, COPY...); anything else from there kills the
 * process (a stub bug, or guest code jumping into the stub).
 *
 * The stub's files: main.c (start-up), agent.c (the agent loop), work.c (address-space work),
 * thread.c (thread slots and thread start), seal.c (the seccomp seal), fault.c (fault reporting),
 * vdso.c (Linux's vDSO), zumpage.c (the zum page), libc.c (what the compiler may call), start.S
 * (entry, clone, signal return); private.h declares what they share. */

#include <asm/signal.h>
#include <linux/auxvec.h>
#include <linux/prctl.h>

#include "host/guest/runtime/cow.h"

#include "host/guest/stub/private.h"

static char agent_altstack[STUB_AGENT_ALTSTACK] __attribute__((aligned(64)));

static NORETURN void die(int code) {
  /* Before the hello: the supervisor sees the socket close and the process exit. */
  stub_exit_group(code);
}

NORETURN void stub_main(uint64_t* sp);
NORETURN void stub_main(uint64_t* sp) {
  /* Read what is needed from the kernel's stack before it goes away. */
  uint64_t argc = sp[0];
  const char* const* argv = (const char* const*)(sp + 1);
  const uint64_t* p = sp + 1 + argc + 1;
  while (*p) p++; /* envp */
  uint64_t vdso = 0;
  for (p++; p[0] != AT_NULL; p += 2)
    if (p[0] == AT_SYSINFO_EHDR) vdso = p[1];
  static char name[16];
  if (argc >= 2) {
    const char* s = argv[1];
    for (unsigned i = 0; i < sizeof(name) - 1 && s[i]; i++) name[i] = s[i];
  }
  if ((uint64_t)(uintptr_t)__stub_end > STUB_VDSO_WINDOW) die(126);

  sys2(__NR_prctl, PR_SET_NAME, name);

  /* Empty the Zircon user range: the Linux stack, vDSO and vvar go. stub_map_vdso unmaps first. */
  uint64_t clock_fn = stub_map_vdso(vdso);
  if (!clock_fn) sys2(__NR_munmap, ZUM_USER_BASE, USER_SPACE_END - ZUM_USER_BASE);

  if (stub_map_zum_page(clock_fn) != 0) die(125);

  stack_t ss = {.ss_sp = agent_altstack, .ss_flags = 0, .ss_size = sizeof(agent_altstack)};
  if (sys2(__NR_sigaltstack, &ss, 0) != 0) die(124);
  if (stub_install_fault_handlers() != 0) die(123);
  if (stub_install_suspend_handler() != 0) die(123);

  /* Copy-on-write faults: the userfaultfd, if this host lets the process have one (the hello
   * says so and hands it to the supervisor, which write-protects through it; without it the
   * supervisor copies pages in up front). Faults without a source go to the supervisor. */
  int caps = 0;
  /* The work channel, if the supervisor gave one (fd 4). */
  if (sys3(__NR_fcntl, WORK_FD, 1 /* F_GETFD */, 0) >= 0) {
    stub_work_channel = 1;
    caps |= ZUM_AGENT_CAP_WORK_FDS;
  }
  if (zum_cow_init() == 0) {
    caps |= ZUM_AGENT_CAP_UFFD | ZUM_AGENT_CAP_VM_FAULT |
           (zum_cow_write_protect() ? ZUM_AGENT_CAP_WP : 0);
    stub_vm_fault_cap = 1;
    zum_cow_set_fallback(true);
  }

  stub_agent_reply_fd(0, caps, (int)sys0(__NR_getpid),
                 (caps & ZUM_AGENT_CAP_UFFD) ? zum_cow_uffd() : -1);
  stub_agent_loop();
}
