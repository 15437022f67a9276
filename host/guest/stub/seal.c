/* The seal: the stub's seccomp filter that takes Linux system calls away from guest code. */
#include <asm/prctl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/ioctl.h>
#include <linux/mman.h>
#include <linux/seccomp.h>
#include <linux/userfaultfd.h>
#include <zum/sysno.h>

#include "host/guest/runtime/cow.h"

#include "host/guest/stub/private.h"

/* A small cBPF assembler with forward labels. */
struct bpf {
  struct sock_filter f[256];
  unsigned n;
  unsigned nlabels;
  unsigned label[64];
  struct bpf_fix {
    unsigned insn, label, field; /* field: 0 jt, 1 jf, 2 k (BPF_JA) */
  } fix[192];
  unsigned nfix;
  int overflow;
};

static int new_label(struct bpf* b) {
  if (b->nlabels >= sizeof(b->label) / sizeof(b->label[0])) {
    b->overflow = 1;
    return 0;
  }
  return (int)b->nlabels++;
}
static void emit(struct bpf* b, uint16_t code, uint32_t k) {
  if (b->n >= sizeof(b->f) / sizeof(b->f[0])) {
    b->overflow = 1;
    return;
  }
  b->f[b->n++] = (struct sock_filter){code, 0, 0, k};
}
static void fix(struct bpf* b, int l, unsigned field) {
  if (b->nfix >= sizeof(b->fix) / sizeof(b->fix[0]) || b->n == 0) {
    b->overflow = 1;
    return;
  }
  b->fix[b->nfix++] = (struct bpf_fix){b->n - 1, (unsigned)l, field};
}
/* A conditional jump to labels; -1: fall through. */
static void jump(struct bpf* b, uint16_t op, uint32_t k, int lt, int lf) {
  emit(b, BPF_JMP | op | BPF_K, k);
  if (lt >= 0) fix(b, lt, 0);
  if (lf >= 0) fix(b, lf, 1);
}
static void ja(struct bpf* b, int l) {
  emit(b, BPF_JMP | BPF_JA, 0);
  fix(b, l, 2);
}
static void here(struct bpf* b, int l) { b->label[l] = b->n; }
static void load(struct bpf* b, size_t offset) { emit(b, BPF_LD | BPF_W | BPF_ABS, (uint32_t)offset); }
static int bpf_finish(struct bpf* b) {
  if (b->overflow) return -1;
  for (unsigned i = 0; i < b->nfix; i++) {
    unsigned from = b->fix[i].insn, to = b->label[b->fix[i].label];
    if (to <= from) return -1;
    unsigned off = to - from - 1;
    if (b->fix[i].field == 2) {
      b->f[from].k = off;
    } else {
      if (off > 255) return -1;
      if (b->fix[i].field == 1) b->f[from].jf = (uint8_t)off;
      else b->f[from].jt = (uint8_t)off;
    }
  }
  return 0;
}

#define DATA(field) offsetof(struct seccomp_data, field)
#define IP_LO DATA(instruction_pointer)
#define IP_HI (DATA(instruction_pointer) + 4)

/* Jumps to `ok` if the system call instruction lies in [start, end): the instruction pointer
 * the filter sees is the address after the two-byte `syscall`, so ip must be in
 * [start + 2, end + 1). Otherwise jumps to `fail`. */
static void ip_range(struct bpf* b, uint64_t start, uint64_t end, int ok, int fail) {
  if (end <= start || end - start < 2) {
    ja(b, fail);
    return;
  }
  uint64_t lo = start + 2, hi = end == ~0ul ? end : end + 1;
  int upper = new_label(b);
  /* ip >= lo */
  load(b, IP_HI);
  jump(b, BPF_JGT, (uint32_t)(lo >> 32), upper, -1);
  jump(b, BPF_JEQ, (uint32_t)(lo >> 32), -1, fail);
  load(b, IP_LO);
  jump(b, BPF_JGE, (uint32_t)lo, upper, fail);
  /* ip < hi */
  here(b, upper);
  load(b, IP_HI);
  jump(b, BPF_JGT, (uint32_t)(hi >> 32), fail, -1);
  jump(b, BPF_JEQ, (uint32_t)(hi >> 32), -1, ok);
  load(b, IP_LO);
  jump(b, BPF_JGE, (uint32_t)hi, fail, ok);
}

/* Installs the second filter (the first, from the supervisor, sends zum's numbers to its
 * listener and allows the rest; the kernel applies the most restrictive answer of the two):
 *   the stub's text:       its own post-stub_seal system calls, with their arguments as tight
 *                          as the filter can check them -> ALLOW, anything else -> KILL_PROCESS
 *   the Linux vDSO's text: clock_gettime, gettimeofday, time, getcpu -> ALLOW (its fallbacks)
 *   zum's numbers from a `syscall` inside [code_start, code_end) -> ALLOW (so: the supervisor)
 *   everything else -> TRAP: SIGSYS, reported through `fault` as a policy error.
 * The instruction pointer only tells honest code apart: guest code can jump to any `syscall`
 * in the stub with registers of its choosing. So what the stub's text may do is allowed only as
 * far as it harms nobody but the process itself (DESIGN.md section 14): Linux calls on the
 * agent socket and the work channel only, fd-based mappings only MAP_SHARED | MAP_FIXED, no
 * mapping, protection or advice below the Zircon user base (the stub, its stacks, the zum
 * page), only the advice the work uses, threads only as the stub makes them, no write
 * protection it could also clear, and what the fds it may hold allow (read-only where the
 * handle grants no write: kobj/workq.c, host/sv/memfd_ro.c). */
int stub_seal(uint64_t code_start, uint64_t code_end) {
  static struct bpf prog;
  struct bpf* b = &prog;
  memset(b, 0, sizeof(*b));
  int allow = new_label(b), trap = new_label(b), kill = new_label(b), guest = new_label(b);
  int vdso = new_label(b), stub = new_label(b), stub_clone_l = new_label(b);
  int stub_arch_prctl = new_label(b), stub_ioctl = new_label(b);
  int recv_l = new_label(b), send_l = new_label(b), mmap_l = new_label(b);
  int mprotect_l = new_label(b), madvise_l = new_label(b), user_addr = new_label(b);
  load(b, DATA(arch));
  jump(b, BPF_JEQ, AUDIT_ARCH_X86_64, -1, trap);

  /* The stub's own text. */
  ip_range(b, (uint64_t)(uintptr_t)__stub_text_start, (uint64_t)(uintptr_t)__stub_text_end, stub,
           vdso);
  here(b, stub);
  load(b, DATA(nr));
  /* Harmless whatever the arguments: they act on the calling thread or the process, or go to
   * the supervisor, which checks every value of a zum call. pread64 reads only fds the process
   * holds, which mmap could map as well; the supervisor gives a pure process no fault source
   * (kobj/cow.c), but the runtime's fault path (host/guest/runtime/cow.c) stays whole. */
  static const uint32_t allowed[] = {
      __NR_close, __NR_rt_sigreturn, __NR_exit, __NR_exit_group, __NR_clock_gettime,
      ZUM_SYS_fault, ZUM_SYS_thread_suspended,
      /* copy-on-write faults (host/guest/runtime/cow.c) */
      __NR_pread64, __NR_sched_yield, __NR_rt_sigprocmask, ZUM_SYS_vm_fault,
  };
  for (unsigned i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
    jump(b, BPF_JEQ, allowed[i], allow, -1);
  jump(b, BPF_JEQ, __NR_recvmsg, recv_l, -1);
  jump(b, BPF_JEQ, __NR_sendmsg, send_l, -1);
  jump(b, BPF_JEQ, __NR_mmap, mmap_l, -1);
  jump(b, BPF_JEQ, __NR_munmap, user_addr, -1);
  jump(b, BPF_JEQ, __NR_mprotect, mprotect_l, -1);
  jump(b, BPF_JEQ, __NR_madvise, madvise_l, -1);
  jump(b, BPF_JEQ, __NR_ioctl, stub_ioctl, -1);
  jump(b, BPF_JEQ, __NR_clone, stub_clone_l, -1);
  jump(b, BPF_JEQ, __NR_arch_prctl, stub_arch_prctl, kill);

  /* recvmsg: the agent socket (agent.c) and the work channel (workfd.c); fds are ints, so the
   * low word is what Linux uses. */
  here(b, recv_l);
  load(b, DATA(args[0]));
  jump(b, BPF_JEQ, AGENT_FD, allow, -1);
  jump(b, BPF_JEQ, WORK_FD, allow, kill);
  /* sendmsg: the agent's replies only. What it says is the guest's word, which the supervisor
   * reads as hostile (launcher/sv_work.c, kobj/workq.c). */
  here(b, send_l);
  load(b, DATA(args[0]));
  jump(b, BPF_JEQ, AGENT_FD, allow, kill);
  /* mmap: only as run_op's map_op makes them (MAP_SHARED | MAP_FIXED of a memfd; a pure
   * process's unmap is munmap, never an anonymous reservation), protections R/W/X only, at or
   * above the Zircon user base. No MAP_GROWSDOWN, MAP_HUGETLB, MAP_ANONYMOUS... */
  here(b, mmap_l);
  load(b, DATA(args[3]) + 4);
  jump(b, BPF_JEQ, 0, -1, kill);
  load(b, DATA(args[3]));
  jump(b, BPF_JEQ, MAP_SHARED | MAP_FIXED, mprotect_l, kill);
  /* mprotect (and mmap's protection): R/W/X bits only (no PROT_GROWSDOWN/UP, PROT_SEM). */
  here(b, mprotect_l);
  load(b, DATA(args[2]) + 4);
  jump(b, BPF_JEQ, 0, -1, kill);
  load(b, DATA(args[2]));
  jump(b, BPF_JSET, ~(uint32_t)(PROT_READ | PROT_WRITE | PROT_EXEC), kill, user_addr);
  /* madvise: the POPULATE advice ops.c gives (nothing that drops or punches pages). */
  here(b, madvise_l);
  load(b, DATA(args[2]));
  jump(b, BPF_JEQ, MADV_POPULATE_READ, user_addr, -1);
  jump(b, BPF_JEQ, MADV_POPULATE_WRITE, user_addr, kill);
  /* The address: at or above the Zircon user base, so the stub's image, stacks and the zum
   * page stay as they are. (Linux bounds the top.) */
  here(b, user_addr);
  int addr_lo = new_label(b);
  load(b, DATA(args[0]) + 4);
  jump(b, BPF_JEQ, 0, addr_lo, allow);
  here(b, addr_lo);
  load(b, DATA(args[0]));
  jump(b, BPF_JGE, ZUM_USER_BASE, allow, kill);

  /* ioctl: the userfaultfd's REGISTER and COPY (32 bits to Linux). Not WRITEPROTECT: with
   * mode 0 it would clear protections the supervisor set for snapshots (kobj/cow.c never asks a
   * pure process to protect itself); registering again leaves them in place. */
  here(b, stub_ioctl);
  int uffd = zum_cow_uffd();
  if (uffd >= 0) {
    int ioctl_cmd = new_label(b);
    load(b, DATA(args[0]));
    jump(b, BPF_JEQ, (uint32_t)uffd, ioctl_cmd, kill);
    here(b, ioctl_cmd);
    load(b, DATA(args[1]));
    jump(b, BPF_JEQ, (uint32_t)UFFDIO_COPY, allow, -1);
    jump(b, BPF_JEQ, (uint32_t)UFFDIO_REGISTER, allow, kill);
  } else {
    ja(b, kill);
  }
  here(b, stub_clone_l); /* only threads, exactly as stub_start_thread makes them */
  load(b, DATA(args[0]));
  jump(b, BPF_JEQ, (uint32_t)THREAD_CLONE_FLAGS, -1, kill);
  load(b, DATA(args[0]) + 4);
  jump(b, BPF_JEQ, 0, allow, kill);
  here(b, stub_arch_prctl); /* FS/GS base only: new threads, ZX_PROP_REGISTER_FS/GS work */
  int arch_ok = new_label(b);
  load(b, DATA(args[0]));
  jump(b, BPF_JEQ, ARCH_SET_GS, arch_ok, -1);
  jump(b, BPF_JEQ, ARCH_SET_FS, arch_ok, -1);
  jump(b, BPF_JEQ, ARCH_GET_FS, arch_ok, -1);
  jump(b, BPF_JEQ, ARCH_GET_GS, arch_ok, kill);
  here(b, arch_ok);
  load(b, DATA(args[0]) + 4);
  jump(b, BPF_JEQ, 0, allow, kill);

  /* The Linux vDSO's text: the real system calls its time functions fall back to. */
  here(b, vdso);
  if (stub_vdso_text_end > stub_vdso_text_start) {
    int vdso_call = new_label(b);
    ip_range(b, stub_vdso_text_start, stub_vdso_text_end, vdso_call, guest);
    here(b, vdso_call);
    load(b, DATA(nr));
    jump(b, BPF_JEQ, __NR_clock_gettime, allow, -1);
    jump(b, BPF_JEQ, __NR_gettimeofday, allow, -1);
    jump(b, BPF_JEQ, __NR_time, allow, -1);
    jump(b, BPF_JEQ, __NR_getcpu, allow, trap);
  }

  /* Guest code: only zum's calls, and only from the given code. */
  here(b, guest);
  load(b, DATA(nr));
  jump(b, BPF_JGE, ZUM_SYSCALL_BASE, -1, trap);
  jump(b, BPF_JGE, ZUM_SYSCALL_BASE + ZUM_SYS_COUNT, trap, -1);
  ip_range(b, code_start, code_end, allow, trap);

  here(b, trap);
  emit(b, BPF_RET | BPF_K, SECCOMP_RET_TRAP);
  here(b, allow);
  emit(b, BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  here(b, kill);
  emit(b, BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
  if (bpf_finish(b) != 0) return ENOMEM;
  struct sock_fprog fp = {.len = (unsigned short)b->n, .filter = b->f};
  long r = sys3(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp);
  return r < 0 ? (int)-r : 0;
}
