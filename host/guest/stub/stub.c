/* zum's pure-process stub (DESIGN.md sections 1, 4 and 6): a static, freestanding program linked
 * below the Zircon user base. It empties the Zircon user range, publishes the zum page, and then
 * serves its supervisor on fd 3 (the agent socket, see zum_agent_msg_t): address-space work,
 * thread starts with Zircon's register contract, and the seal that takes Linux system calls away
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
 *                 UFFDIO_COPY, UFFDIO_WRITEPROTECT), pread64, rt_sigprocmask, sched_yield (WORK),
 *                 clone (START_THREAD), seccomp (SEAL), exit_group (the supervisor is gone)
 *   new threads:  arch_prctl(ARCH_SET_GS), rt_sigreturn (entering the guest's code)
 *   registers:    arch_prctl(ARCH_SET_FS/GS, ARCH_GET_FS/GS) for ZX_PROP_REGISTER_FS/GS work
 *   guest threads, through the zum page: the agent's WORK calls and recvmsg on the work channel
 *                 (do_work), exit (exit_thread),
 *                 clock_gettime (only without a usable Linux vDSO)
 *   fault handler: pread64, ioctl(UFFDIO_COPY), sched_yield, zum's vm_fault call, rt_sigreturn
 *                 (a copy-on-write fault, resolved); zum's fault call, exit_group (anything else)
 * After the seal only the numbers of the last four groups are allowed from the stub's text (see
 * seal(); ioctl only on the userfaultfd: REGISTER, COPY, WRITEPROTECT); anything else from
 * there kills the process (a stub bug). */
#include <stddef.h>
#include <stdint.h>

#include <asm/prctl.h>
#include <asm/sigcontext.h>
#include <asm/siginfo.h>
#include <asm/signal.h>
#include <asm/ucontext.h>
#include <asm/unistd.h>
#include <linux/audit.h>
#include <linux/auxvec.h>
#include <linux/elf.h>
#include <linux/errno.h>
#include <linux/filter.h>
#include <linux/mman.h>
#include <linux/prctl.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <linux/sysinfo.h>
#include <linux/ioctl.h>
#include <linux/userfaultfd.h>
#include <zircon/types.h>
#include <zum/abi-private.h>
#include <zum/sysno.h>

#include "host/guest/runtime/cow.h"
#include "host/guest/runtime/kmsg.h"
#include "host/guest/runtime/rawsys.h"
#include "host/guest/runtime/workfd.h"
#include "host/guest/stub/stub.h"

#define NORETURN __attribute__((noreturn))
#define PAGE 4096ul
/* The end of the x86-64 user address space with 4-level paging (Linux's TASK_SIZE_MAX, which
 * is also Zircon's ZUM_USER_TOP); everything from the Zircon user base up to here is emptied at
 * startup. With 5-level paging Linux maps above it only where asked to. */
#define TASK_SIZE_MAX 0x7ffffffff000ul
#define USER_SPACE_END TASK_SIZE_MAX

/* ---------------------------------------------------------------- system calls */
#define sys6 zum_rawsys6
#define sys0(n) sys6(n, 0, 0, 0, 0, 0, 0)
#define sys1(n, a) sys6(n, (long)(a), 0, 0, 0, 0, 0)
#define sys2(n, a, b) sys6(n, (long)(a), (long)(b), 0, 0, 0, 0)
#define sys3(n, a, b, c) sys6(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define sys4(n, a, b, c, d) sys6(n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)

static NORETURN void exit_group(int code) {
  for (;;) sys1(__NR_exit_group, code);
}

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

static int str_eq(const char* a, const char* b) {
  while (*a && *a == *b) a++, b++;
  return *a == *b;
}

/* From start.S. */
long stub_clone(unsigned long flags, void* stack_top, int* ptid, int* ctid, unsigned long tls,
                void (*fn)(void*), void* arg);
void stub_restorer(void);
NORETURN void stub_enter(struct ucontext* uc);
/* From the linker script. */
extern const char __stub_text_start[], __stub_text_end[], __stub_end[];

/* ---------------------------------------------------------------- faults */
/* Reports a fault of the calling thread with zum's private call (the supervisor kills the
 * process) and never returns. */
static NORETURN void report_fault(uint64_t signo, uint64_t code, uint64_t addr, uint64_t pc) {
  register long r10 __asm__("r10") = (long)pc;
  long ret;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"((long)ZUM_SYS_fault), "D"(signo), "S"(code), "d"(addr), "r"(r10)
                   : "rcx", "r11", "memory");
  (void)ret;
  exit_group(127);
}

static int vm_fault_cap; /* the supervisor resolves what zum_cow_fault cannot */

/* zum's vm_fault call: ZX_OK when the access may retry. */
static long vm_fault(uint64_t addr, uint32_t flags) {
  long ret;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"((long)ZUM_SYS_vm_fault), "D"(addr), "S"((uint64_t)flags)
                   : "rcx", "r11", "memory");
  return ret;
}

static void on_fault(int sig, siginfo_t* si, void* ctx) {
  const struct ucontext* uc = ctx;
  /* A userfaultfd fault: a missing page of a copy-on-write mapping copied in from its source, or
   * what the supervisor resolves; the access retries. */
  if (sig == SIGBUS && si->si_code == BUS_ADRERR) {
    uint64_t addr = (uint64_t)(uintptr_t)si->si_addr;
    if (zum_cow_fault(addr)) return;
    /* Page-fault error code bit 1: a write. */
    if (vm_fault_cap &&
        vm_fault(addr, (uc->uc_mcontext.err & 2) ? ZUM_VM_FAULT_WRITE : 0) == ZX_OK)
      return;
  }
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
static int install_fault_handlers(void) {
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

/* ---------------------------------------------------------------- the Linux vDSO */
static uint64_t vdso_text_start, vdso_text_end; /* 0 when there is none */

struct vdso_info {
  uint64_t bias;      /* load address minus link address */
  uint64_t image_len; /* page-rounded extent of the PT_LOAD segments */
  const Elf64_Dyn* dyn;
};

static int vdso_parse(uint64_t base, struct vdso_info* vi) {
  const Elf64_Ehdr* eh = (const Elf64_Ehdr*)base;
  if (eh->e_ident[EI_MAG0] != ELFMAG0 || eh->e_ident[EI_MAG1] != ELFMAG1 ||
      eh->e_ident[EI_MAG2] != ELFMAG2 || eh->e_ident[EI_MAG3] != ELFMAG3 ||
      eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_phentsize != sizeof(Elf64_Phdr) ||
      eh->e_phoff > PAGE || eh->e_phnum > 16)
    return -1;
  const Elf64_Phdr* ph = (const Elf64_Phdr*)(base + eh->e_phoff);
  uint64_t lo = ~0ul, hi = 0;
  const Elf64_Phdr* dyn = 0;
  int have_bias = 0;
  for (unsigned i = 0; i < eh->e_phnum; i++) {
    if (ph[i].p_type == PT_LOAD) {
      if (ph[i].p_offset == 0) {
        vi->bias = base - ph[i].p_vaddr;
        have_bias = 1;
      }
      if (ph[i].p_vaddr < lo) lo = ph[i].p_vaddr;
      if (ph[i].p_vaddr + ph[i].p_memsz > hi) hi = ph[i].p_vaddr + ph[i].p_memsz;
    } else if (ph[i].p_type == PT_DYNAMIC) {
      dyn = &ph[i];
    }
  }
  if (!have_bias || !dyn || hi <= lo || hi - lo > 64 * PAGE) return -1;
  vi->image_len = (hi - lo + PAGE - 1) & ~(PAGE - 1);
  vi->dyn = (const Elf64_Dyn*)(vi->bias + dyn->p_vaddr);
  return 0;
}

/* Looks `name` up in the dynamic symbol table of the vDSO mapped at `base` (length len). */
static uint64_t vdso_lookup(uint64_t base, uint64_t len, const char* name) {
  struct vdso_info vi;
  if (vdso_parse(base, &vi) != 0 || vi.image_len > len) return 0;
#define IN_IMAGE(a) ((uint64_t)(a) >= base && (uint64_t)(a) < base + len)
  const Elf64_Sym* symtab = 0;
  const char* strtab = 0;
  const uint32_t* hash = 0;
  const uint32_t* gnu_hash = 0;
  for (const Elf64_Dyn* d = vi.dyn; IN_IMAGE(d + 1) && d->d_tag != DT_NULL; d++) {
    uint64_t p = vi.bias + d->d_un.d_ptr;
    switch (d->d_tag) {
      case DT_SYMTAB: symtab = (const Elf64_Sym*)p; break;
      case DT_STRTAB: strtab = (const char*)p; break;
      case DT_HASH: hash = (const uint32_t*)p; break;
      case 0x6ffffef5: /* DT_GNU_HASH */ gnu_hash = (const uint32_t*)p; break;
    }
  }
  if (!IN_IMAGE(symtab) || !IN_IMAGE(strtab)) return 0;
  uint32_t nsyms = 0;
  if (hash && IN_IMAGE(hash + 2)) {
    nsyms = hash[1];
  } else if (gnu_hash && IN_IMAGE(gnu_hash + 4)) {
    /* The highest symbol in any bucket, then to the end of its chain. */
    uint32_t nbuckets = gnu_hash[0], symoffset = gnu_hash[1], bloom = gnu_hash[2];
    const uint32_t* buckets = gnu_hash + 4 + 2 * bloom;
    const uint32_t* chain = buckets + nbuckets;
    if (!IN_IMAGE(chain)) return 0;
    for (uint32_t b = 0; b < nbuckets; b++)
      if (buckets[b] > nsyms) nsyms = buckets[b];
    if (nsyms >= symoffset) {
      while (IN_IMAGE(chain + (nsyms - symoffset)) && !(chain[nsyms - symoffset] & 1)) nsyms++;
      nsyms++;
    }
  }
  for (uint32_t i = 0; i < nsyms && IN_IMAGE(symtab + i + 1); i++) {
    const Elf64_Sym* s = &symtab[i];
    if (s->st_shndx == SHN_UNDEF || ELF64_ST_TYPE(s->st_info) != STT_FUNC) continue;
    if (!IN_IMAGE(strtab + s->st_name)) continue;
    uint64_t fn = vi.bias + s->st_value;
    if (str_eq(strtab + s->st_name, name) && IN_IMAGE(fn)) return fn;
  }
#undef IN_IMAGE
  return 0;
}

/* The fallback clock when there is no usable vDSO: a real system call from the stub's text. */
static int raw_clock_gettime(int clock, void* ts) {
  return (int)sys2(__NR_clock_gettime, clock, ts);
}

/* Maps Linux's vDSO into the window below the Zircon user base (the original went with the rest
 * of the user range) and returns its clock_gettime, or the raw system call. The kernel places
 * its [vvar] pages first and the vDSO text after them; how many vvar pages there are depends on
 * the kernel version, so the text is found from the end of what was mapped. */
static uint64_t map_vdso(uint64_t orig_base) {
  struct vdso_info vi;
  if (orig_base == 0 || vdso_parse(orig_base, &vi) != 0) return 0;
  uint64_t len = vi.image_len;
  sys6(__NR_munmap, ZUM_USER_BASE, USER_SPACE_END - ZUM_USER_BASE, 0, 0, 0, 0);
  /* Success is 0 on most kernels; some return a positive value. Where it went is checked below. */
  long r = sys2(__NR_arch_prctl, ARCH_MAP_VDSO_64, STUB_VDSO_WINDOW);
  if (r < 0 && r > -4096) return 0;
  unsigned char vec;
  uint64_t end = STUB_VDSO_WINDOW;
  while (end < ZUM_USER_BASE && sys3(__NR_mincore, end, PAGE, &vec) == 0) end += PAGE;
  if (end == STUB_VDSO_WINDOW || end > STUB_VDSO_WINDOW_END || end - STUB_VDSO_WINDOW < len) {
    /* Not where asked (then above the user base) or too large for the window. */
    sys2(__NR_munmap, STUB_VDSO_WINDOW, USER_SPACE_END - STUB_VDSO_WINDOW);
    return 0;
  }
  uint64_t text = end - len;
  uint64_t fn = vdso_lookup(text, len, "__vdso_clock_gettime");
  if (!fn) fn = vdso_lookup(text, len, "clock_gettime");
  if (fn) {
    vdso_text_start = text;
    vdso_text_end = end;
  }
  return fn;
}

/* ---------------------------------------------------------------- address-space work */
static int linux_prot(uint32_t zx) {
  int p = PROT_NONE;
  if (zx & ZX_VM_PERM_READ) p |= PROT_READ;
  if (zx & ZX_VM_PERM_WRITE) p |= PROT_WRITE;
  if (zx & ZX_VM_PERM_EXECUTE) p |= PROT_EXEC;
  return p;
}

static int map_op(void* arg) {
  const zum_work_op_t* op = arg;
  long r = sys6(__NR_mmap, (long)op->addr, (long)op->len, linux_prot(op->prot),
                MAP_SHARED | MAP_FIXED, op->fd, (long)op->offset);
  return r < 0 && r > -4096 ? (int)-r : 0;
}

/* A pure process has no reservation to keep (nothing here maps without MAP_FIXED), so an
 * unmapped range is simply unmapped: leaving PROT_NONE mappings behind would pile up until
 * vm.max_map_count. */
static int unmap_op(void* arg) {
  const zum_work_op_t* op = arg;
  long r = sys2(__NR_munmap, (long)op->addr, (long)op->len);
  return r < 0 ? (int)-r : 0;
}

/* The same operations as the hosted runtime (host/guest/libzum/work.c), confined to the Zircon user
 * range so that no work can touch the stub. The fd of a MAP or FAULT_SOURCE op is always taken:
 * a MAP's is closed, a FAULT_SOURCE's kept by the fault source until it is forgotten (MAP and
 * RESERVE forget the sources of their range). */
static int run_op(zum_work_op_t* op) {
  int in_range = op->addr >= ZUM_USER_BASE && op->addr < ZUM_USER_TOP &&
                 op->len <= ZUM_USER_TOP - op->addr;
  long r;
  switch (op->kind) {
    case ZUM_WORK_MAP:
      r = in_range ? -(long)zum_cow_remap(op->addr, op->len, op->flags & (ZUM_MAP_UFFD | ZUM_MAP_WP),
                                          map_op, op)
                   : -EINVAL;
      sys1(__NR_close, op->fd);
      break;
    case ZUM_WORK_RESERVE:
      r = in_range ? -(long)zum_cow_remap(op->addr, op->len, 0, unmap_op, op) : -EINVAL;
      break;
    case ZUM_WORK_FAULT_SOURCE:
      if (!in_range) {
        sys1(__NR_close, op->fd);
        r = -EINVAL;
        break;
      }
      r = -(long)zum_cow_add_source(op->addr, op->len, op->fd, op->offset, op->src_len);
      break;
    case ZUM_WORK_PROTECT:
      r = in_range ? sys3(__NR_mprotect, op->addr, op->len, linux_prot(op->prot)) : -EINVAL;
      break;
    case ZUM_WORK_POPULATE:
      /* Pages only a copy-on-write fault brings are copied in first (MADV_POPULATE_* fails on
       * them: the userfaultfd is in SIGBUS mode). */
      r = !in_range ? -EINVAL : -(long)zum_cow_fill(op->addr, op->len);
      if (r == 0)
        r = sys3(__NR_madvise, op->addr, op->len,
                 (op->prot & ZX_VM_PERM_WRITE) ? MADV_POPULATE_WRITE : MADV_POPULATE_READ);
      break;
    case ZUM_WORK_SET_FS:
    case ZUM_WORK_SET_GS:
      /* Zircon's ZX_PROP_REGISTER_FS/GS on the caller's own thread; the supervisor checked the
       * value is a canonical user address. */
      r = op->addr < ZUM_USER_TOP
              ? sys2(__NR_arch_prctl, op->kind == ZUM_WORK_SET_FS ? ARCH_SET_FS : ARCH_SET_GS,
                     (long)op->addr)
              : -EINVAL;
      break;
    case ZUM_WORK_GET_FS:
    case ZUM_WORK_GET_GS: {
      unsigned long base = 0;
      r = in_range && op->addr + 8 <= ZUM_USER_TOP
              ? sys2(__NR_arch_prctl, op->kind == ZUM_WORK_GET_FS ? ARCH_GET_FS : ARCH_GET_GS,
                     (long)&base)
              : -EINVAL;
      if (r == 0) *(volatile uint64_t*)(uintptr_t)op->addr = base;
      break;
    }
    default:
      /* An unknown op with an fd cannot carry one (zum_work_op_has_fd): nothing to close. */
      return EINVAL;
  }
  return r < 0 && r > -4096 ? (int)-r : 0;
}

static void take_work_fds(zum_work_t* w);

/* The zum page's do_work hook, called by the vDSO on a guest thread. */
static void do_work(zum_work_t* w) {
  w->error = 0;
  take_work_fds(w);
  uint32_t n = w->num_ops < ZUM_WORK_MAX_OPS ? w->num_ops : ZUM_WORK_MAX_OPS;
  for (uint32_t i = 0; i < n; i++) {
    int e = run_op(&w->ops[i]);
    if (e && !w->error) w->error = e;
  }
}

/* The zum page's exit_thread hook: ends the calling Linux thread (its slot is free again when
 * the kernel clears the slot's tid). */
static NORETURN void exit_thread(void) {
  for (;;) sys1(__NR_exit, 0);
}

/* ---------------------------------------------------------------- the zum page */
static int map_zum_page(uint64_t clock_fn) {
  long p = sys6(__NR_mmap, ZUM_PAGE_ADDR, PAGE, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (p != (long)ZUM_PAGE_ADDR) return p < 0 ? (int)-p : EEXIST;
  zum_page_t* page = (zum_page_t*)ZUM_PAGE_ADDR;
  page->magic = ZUM_PAGE_MAGIC;
  page->clock_gettime_fn = clock_fn ? clock_fn : (uint64_t)(uintptr_t)raw_clock_gettime;
  struct sysinfo si;
  if (sys1(__NR_sysinfo, &si) == 0)
    page->physmem = (uint64_t)si.totalram * (si.mem_unit ? si.mem_unit : 1);
  static uint64_t mask[1024 / 64];
  long n = sys3(__NR_sched_getaffinity, 0, sizeof(mask), mask);
  uint32_t cpus = 0;
  for (long i = 0; i < n / 8; i++)
    for (uint64_t bits = mask[i]; bits; bits &= bits - 1) cpus++;
  page->num_cpus = cpus ? cpus : 1;
  page->dcache_line_size = 64;
  page->page_size = PAGE;
  page->do_work_fn = (uint64_t)(uintptr_t)do_work;
  page->exit_thread_fn = (uint64_t)(uintptr_t)exit_thread;
  long r = sys3(__NR_mprotect, ZUM_PAGE_ADDR, PAGE, PROT_READ);
  return r < 0 ? (int)-r : 0;
}

/* ---------------------------------------------------------------- threads */
/* A signal frame as rt_sigreturn reads it: the return address slot, then the ucontext. */
struct entry_frame {
  uint64_t pretcode;
  struct ucontext uc;
};

struct slot {
  volatile int tid; /* 0: free; set by clone (PARENT_SETTID), cleared at exit (CHILD_CLEARTID) */
  uint64_t gs_base;
  struct entry_frame frame;
};

static struct slot slots[STUB_MAX_THREADS];
static char slot_stacks[STUB_MAX_THREADS][STUB_SLOT_STACK] __attribute__((aligned(64)));
static char agent_altstack[STUB_AGENT_ALTSTACK] __attribute__((aligned(64)));

#define THREAD_CLONE_FLAGS                                                              \
  (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |   \
   CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID)

/* The new thread, on its slot's stack, with FS base already set by clone: sets GS base, then
 * loads Zircon's start registers with rt_sigreturn, which also installs the slot as its
 * alternate signal stack and resets the FPU/SSE state (no fpstate in the frame). Nothing is
 * written to the guest's stack. */
static NORETURN void thread_entry(void* arg) {
  struct slot* s = arg;
  if (s->gs_base) sys2(__NR_arch_prctl, ARCH_SET_GS, s->gs_base);
  stub_enter(&s->frame.uc);
}

static int start_thread(uint64_t pc, uint64_t sp, uint64_t arg1, uint64_t arg2, uint64_t fs_base,
                        uint64_t gs_base, int* tid) {
  /* Linux refuses bases outside the user half; the supervisor checks Zircon's rules first. */
  if (fs_base >= TASK_SIZE_MAX || gs_base >= TASK_SIZE_MAX) return EINVAL;
  int i = 0;
  while (i < STUB_MAX_THREADS && slots[i].tid != 0) i++;
  if (i == STUB_MAX_THREADS) return EAGAIN;
  struct slot* s = &slots[i];
  char* stack = slot_stacks[i];
  s->gs_base = gs_base;
  memset(&s->frame, 0, sizeof(s->frame));
  struct ucontext* uc = &s->frame.uc;
  uc->uc_flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
  uc->uc_stack.ss_sp = stack;
  uc->uc_stack.ss_flags = 0;
  uc->uc_stack.ss_size = STUB_SLOT_STACK;
  struct sigcontext* mc = &uc->uc_mcontext;
  mc->rip = pc;
  mc->rsp = sp;
  mc->rdi = arg1;
  mc->rsi = arg2;
  mc->eflags = 0; /* the kernel keeps IF; every flag the frame can set is clear */
  mc->cs = 0x33;  /* __USER_CS */
  mc->ss = 0x2b;  /* __USER_DS */
  mc->fpstate = 0;
  uc->uc_sigmask = 0;
  long r = stub_clone(THREAD_CLONE_FLAGS, stack + STUB_SLOT_STACK, (int*)&s->tid, (int*)&s->tid,
                      fs_base, thread_entry, s);
  if (r < 0) return (int)-r;
  *tid = (int)r;
  return 0;
}

/* ---------------------------------------------------------------- the seal */
static int sealed;

/* A small cBPF assembler with forward labels. */
struct bpf {
  struct sock_filter f[192];
  unsigned n;
  unsigned nlabels;
  unsigned label[48];
  struct bpf_fix {
    unsigned insn, label, field; /* field: 0 jt, 1 jf, 2 k (BPF_JA) */
  } fix[128];
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
 *   the stub's text:       its own post-seal system calls -> ALLOW, anything else -> KILL_PROCESS
 *   the Linux vDSO's text: clock_gettime, gettimeofday, time, getcpu -> ALLOW (its fallbacks)
 *   zum's numbers from a `syscall` inside [code_start, code_end) -> ALLOW (so: the supervisor)
 *   everything else -> TRAP: SIGSYS, reported through `fault` as a policy error. */
static int seal(uint64_t code_start, uint64_t code_end) {
  static struct bpf prog;
  struct bpf* b = &prog;
  memset(b, 0, sizeof(*b));
  int allow = new_label(b), trap = new_label(b), kill = new_label(b), guest = new_label(b);
  int vdso = new_label(b), stub = new_label(b), stub_clone_l = new_label(b);
  int stub_arch_prctl = new_label(b), stub_ioctl = new_label(b);
  load(b, DATA(arch));
  jump(b, BPF_JEQ, AUDIT_ARCH_X86_64, -1, trap);

  /* The stub's own text. */
  ip_range(b, (uint64_t)(uintptr_t)__stub_text_start, (uint64_t)(uintptr_t)__stub_text_end, stub,
           vdso);
  here(b, stub);
  load(b, DATA(nr));
  static const uint32_t allowed[] = {
      __NR_recvmsg, __NR_sendmsg, __NR_close, __NR_mmap, __NR_munmap, __NR_mprotect, __NR_madvise,
      __NR_rt_sigreturn, __NR_exit, __NR_exit_group, __NR_clock_gettime, ZUM_SYS_fault,
      /* copy-on-write faults (host/guest/runtime/cow.c) */
      __NR_pread64, __NR_sched_yield, __NR_rt_sigprocmask, ZUM_SYS_vm_fault,
  };
  for (unsigned i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
    jump(b, BPF_JEQ, allowed[i], allow, -1);
  jump(b, BPF_JEQ, __NR_ioctl, stub_ioctl, -1);
  jump(b, BPF_JEQ, __NR_clone, stub_clone_l, -1);
  jump(b, BPF_JEQ, __NR_arch_prctl, stub_arch_prctl, kill);
  here(b, stub_ioctl); /* the userfaultfd's REGISTER, COPY, WRITEPROTECT (32 bits to Linux) */
  int uffd = zum_cow_uffd();
  if (uffd >= 0) {
    int ioctl_cmd = new_label(b);
    load(b, DATA(args[0]));
    jump(b, BPF_JEQ, (uint32_t)uffd, ioctl_cmd, kill);
    here(b, ioctl_cmd);
    load(b, DATA(args[1]));
    jump(b, BPF_JEQ, (uint32_t)UFFDIO_COPY, allow, -1);
    jump(b, BPF_JEQ, (uint32_t)UFFDIO_WRITEPROTECT, allow, -1);
    jump(b, BPF_JEQ, (uint32_t)UFFDIO_REGISTER, allow, kill);
  } else {
    ja(b, kill);
  }
  here(b, stub_clone_l); /* only threads, exactly as start_thread makes them */
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
  if (vdso_text_end > vdso_text_start) {
    int vdso_call = new_label(b);
    ip_range(b, vdso_text_start, vdso_text_end, vdso_call, guest);
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

/* ---------------------------------------------------------------- the agent */
#define WORK_FD 4 /* the work channel (host_spawn_pure), when work_channel says so */

static int work_channel;

static void take_work_fds(zum_work_t* w) { zum_take_work_fds(work_channel ? WORK_FD : -1, w); }
#define AGENT_FD 3

/* A reply; with fd >= 0 (the hello) carrying that fd too. */
static void agent_reply_fd(uint64_t token, int error, int tid, int fd) {
  zum_agent_reply_t r = {.token = token, .error = error, .tid = tid};
  struct k_iovec iov = {&r, sizeof(r)};
  struct k_msghdr msg = {.iov = &iov, .iovlen = 1};
  union {
    char buf[sizeof(struct k_cmsghdr) + 8];
    struct k_cmsghdr align;
  } u;
  if (fd >= 0) {
    u.align = (struct k_cmsghdr){.len = sizeof(struct k_cmsghdr) + sizeof(int),
                                 .level = K_SOL_SOCKET, .type = K_SCM_RIGHTS};
    memcpy(u.buf + sizeof(struct k_cmsghdr), &fd, sizeof(int));
    msg.control = u.buf;
    msg.controllen = sizeof(u.buf);
  }
  long n;
  do n = sys3(__NR_sendmsg, AGENT_FD, &msg, K_MSG_NOSIGNAL);
  while (n == -EINTR);
  if (n != (long)sizeof(r)) exit_group(0); /* the supervisor is gone */
}

static void agent_reply(uint64_t token, int error, int tid) { agent_reply_fd(token, error, tid, -1); }

static NORETURN void agent_loop(void) {
  static zum_agent_msg_t m;
  static union {
    char buf[sizeof(struct k_cmsghdr) + sizeof(int) * ZUM_WORK_MAX_OPS];
    struct k_cmsghdr align;
  } u;
  for (;;) {
    struct k_iovec iov = {&m, sizeof(m)};
    struct k_msghdr msg = {.iov = &iov, .iovlen = 1, .control = u.buf, .controllen = sizeof(u.buf)};
    long n = sys3(__NR_recvmsg, AGENT_FD, &msg, K_MSG_CMSG_CLOEXEC);
    if (n == -EINTR) continue;
    if (n <= 0) exit_group(0); /* the supervisor is gone */
    int fds[ZUM_WORK_MAX_OPS];
    int nfds = 0;
    if (msg.controllen >= sizeof(struct k_cmsghdr)) {
      const struct k_cmsghdr* cm = &u.align;
      if (cm->level == K_SOL_SOCKET && cm->type == K_SCM_RIGHTS && cm->len >= sizeof(*cm) &&
          cm->len <= msg.controllen) {
        nfds = (int)((cm->len - sizeof(*cm)) / sizeof(int));
        if (nfds > (int)ZUM_WORK_MAX_OPS) nfds = ZUM_WORK_MAX_OPS;
        memcpy(fds, u.buf + sizeof(*cm), sizeof(int) * (size_t)nfds);
      }
    }
    int used = 0, error = 0, tid = 0;
    uint64_t token = n >= 16 ? m.token : 0;
    if (n != (long)sizeof(m) || (msg.flags & 0x20 /* MSG_TRUNC */)) {
      error = EINVAL;
    } else if (m.kind == ZUM_AGENT_WORK) {
      uint32_t nops = m.u.work.num_ops < ZUM_WORK_MAX_OPS ? m.u.work.num_ops : ZUM_WORK_MAX_OPS;
      for (uint32_t i = 0; i < nops; i++) {
        zum_work_op_t* op = &m.u.work.ops[i];
        if (zum_work_op_has_fd(op->kind)) {
          if (used >= nfds) {
            if (!error) error = EBADF;
            break;
          }
          op->fd = fds[used++];
        }
        int e = run_op(op);
        if (e && !error) error = e;
      }
    } else if (m.kind == ZUM_AGENT_START_THREAD) {
      /* Guest code never runs unsealed. */
      error = !sealed ? EPERM
                      : start_thread(m.u.start.pc, m.u.start.sp, m.u.start.arg1, m.u.start.arg2,
                                     m.u.start.fs_base, m.u.start.gs_base, &tid);
    } else if (m.kind == ZUM_AGENT_SEAL) {
      error = sealed ? EALREADY : seal(m.u.seal.code_start, m.u.seal.code_end);
      if (!error) sealed = 1;
    } else {
      error = EINVAL;
    }
    while (used < nfds) sys1(__NR_close, fds[used++]);
    agent_reply(token, error, tid);
  }
}

/* ---------------------------------------------------------------- startup */
static NORETURN void die(int code) {
  /* Before the hello: the supervisor sees the socket close and the process exit. */
  exit_group(code);
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

  /* Empty the Zircon user range: the Linux stack, vDSO and vvar go. map_vdso unmaps first. */
  uint64_t clock_fn = map_vdso(vdso);
  if (!clock_fn) sys2(__NR_munmap, ZUM_USER_BASE, USER_SPACE_END - ZUM_USER_BASE);

  if (map_zum_page(clock_fn) != 0) die(125);

  stack_t ss = {.ss_sp = agent_altstack, .ss_flags = 0, .ss_size = sizeof(agent_altstack)};
  if (sys2(__NR_sigaltstack, &ss, 0) != 0) die(124);
  if (install_fault_handlers() != 0) die(123);

  /* Copy-on-write faults: the userfaultfd, if this host lets the process have one (the hello
   * says so and hands it to the supervisor, which write-protects through it; without it the
   * supervisor copies pages in up front). Faults without a source go to the supervisor. */
  int caps = 0;
  /* The work channel, if the supervisor gave one (fd 4). */
  if (sys3(__NR_fcntl, WORK_FD, 1 /* F_GETFD */, 0) >= 0) {
    work_channel = 1;
    caps |= ZUM_AGENT_CAP_WORK_FDS;
  }
  if (zum_cow_init() == 0) {
    caps |= ZUM_AGENT_CAP_UFFD | ZUM_AGENT_CAP_VM_FAULT |
           (zum_cow_write_protect() ? ZUM_AGENT_CAP_WP : 0);
    vm_fault_cap = 1;
    zum_cow_set_fallback(true);
  }

  agent_reply_fd(0, caps, (int)sys0(__NR_getpid),
                 (caps & ZUM_AGENT_CAP_UFFD) ? zum_cow_uffd() : -1);
  agent_loop();
}
