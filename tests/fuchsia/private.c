/* zum's hosted-only private calls must be out of a pure process's reach: it may not run a Linux
 * program (spawn), nor get a hosted process's start-up state (hosted_init, thread_self).
 *   syms              the vDSO's dynamic symbols name none of them (prints "syms: ok")
 *   trap CALL MARKER  a raw trap with zum's number for CALL from this program's code (the seal
 *                     stops it: BAD_SYSCALL)
 *   vdsotrap CALL MARKER
 *                     the same trap through a syscall instruction inside the vDSO's code, which
 *                     the seal lets through: the supervisor must refuse it (BAD_SYSCALL)
 * CALL is spawn, hosted_init or thread_self; spawn asks for `/bin/sh -c ': > MARKER'`, which
 * must never run. Each trap mode must kill the process with ZX_TASK_RETCODE_EXCEPTION_KILL;
 * "private: survived" says it did not. */
#include <zum/abi-private.h>
#include <zum/sysno.h>

#include "fx.h"
#include "fx_elf.h"

static const phdr_t* phdrs(uintptr_t base, unsigned* n) {
  const ehdr_t* eh = (const ehdr_t*)base;
  *n = eh->e_phnum;
  return (const phdr_t*)(base + eh->e_phoff);
}

static int has_prefix(const char* s, const char* p) {
  while (*p)
    if (*s++ != *p++) return 0;
  return 1;
}

/* Walks the vDSO's .dynsym (DT_SYMTAB up to DT_STRTAB, which follows it in zum's layout, as in
 * every GNU/LLVM link) and fails on any name of a hosted-only call. */
static void syms(uintptr_t base) {
  unsigned n;
  const phdr_t* ph = phdrs(base, &n);
  const dyn_t* dyn = 0;
  for (unsigned i = 0; i < n; i++)
    if (ph[i].p_type == 2 /* PT_DYNAMIC */) dyn = (const dyn_t*)(base + ph[i].p_vaddr);
  FX_CHECK(dyn != 0);
  uint64_t symtab = 0, strtab = 0;
  for (; dyn->d_tag; dyn++) {
    if (dyn->d_tag == 6) symtab = dyn->d_val;
    if (dyn->d_tag == 5) strtab = dyn->d_val;
  }
  FX_CHECK(symtab != 0 && strtab > symtab);
  const sym_t* s = (const sym_t*)(base + symtab);
  const sym_t* end = (const sym_t*)(base + strtab);
  const char* str = (const char*)(base + strtab);
  int count = 0, zx = 0;
  for (; s < end; s++, count++) {
    const char* name = str + s->st_name;
    if (has_prefix(name, "_zx_")) zx++;
    if (fx_streq(name, "_zum_spawn") || fx_streq(name, "_zum_hosted_init") ||
        fx_streq(name, "_zum_thread_self") || fx_streq(name, "_zum_fault")) {
      fx_puts("syms: the vDSO exports ");
      fx_puts(name);
      fx_putc('\n');
      zx_process_exit(1);
    }
  }
  FX_CHECK(zx > 20); /* the walk did see the table */
  fx_puts("syms: ok\n");
}

/* A syscall instruction (0f 05) in the vDSO's executable segment. */
static uintptr_t vdso_syscall_insn(uintptr_t base) {
  unsigned n;
  const phdr_t* ph = phdrs(base, &n);
  for (unsigned i = 0; i < n; i++) {
    if (ph[i].p_type != 1 || !(ph[i].p_flags & 1)) continue;
    const unsigned char* p = (const unsigned char*)(base + ph[i].p_vaddr);
    for (uint64_t j = 0; j + 1 < ph[i].p_filesz; j++)
      if (p[j] == 0x0f && p[j + 1] == 0x05) return (uintptr_t)(p + j);
  }
  return 0;
}

static zx_handle_t out_handle;
static zx_handle_t no_handles[1];
static uint32_t no_info[1];
static const char* sh_argv[4];
static zum_spawn_args_t spawn_args;
static zum_hosted_info_t hosted_info;

void _start(zx_handle_t bootstrap, uintptr_t vdso_base) {
  fx_read_bootstrap(bootstrap, vdso_base);
  FX_CHECK(fx_start.argc >= 2);
  const char* mode = fx_start.argv[1];
  fx_puts("private: ");
  fx_puts(mode);
  fx_putc('\n');
  if (fx_streq(mode, "syms")) {
    syms(vdso_base);
    zx_process_exit(0);
  }
  FX_CHECK(fx_start.argc == 4);
  const char* call = fx_start.argv[2];
  static char script[600];
  const char* pre = ": > ";
  size_t k = 0;
  for (const char* q = pre; *q; q++) script[k++] = *q;
  for (const char* q = fx_start.argv[3]; *q && k + 1 < sizeof(script); q++) script[k++] = *q;
  script[k] = 0;
  sh_argv[0] = "/bin/sh";
  sh_argv[1] = "-c";
  sh_argv[2] = script;
  sh_argv[3] = 0;
  spawn_args.path = (uint64_t)(uintptr_t)"/bin/sh";
  spawn_args.argv = (uint64_t)(uintptr_t)sh_argv;
  spawn_args.handles = (uint64_t)(uintptr_t)no_handles;
  spawn_args.handle_info = (uint64_t)(uintptr_t)no_info;

  uint64_t nr, a0, a1, a2;
  if (fx_streq(call, "spawn")) {
    zx_handle_t job = fx_take(PA_HND(PA_JOB_DEFAULT, 0));
    FX_CHECK(job != ZX_HANDLE_INVALID);
    nr = ZUM_SYS_spawn;
    a0 = job;
    a1 = (uint64_t)(uintptr_t)&spawn_args;
    a2 = (uint64_t)(uintptr_t)&out_handle;
  } else if (fx_streq(call, "hosted_init")) {
    nr = ZUM_SYS_hosted_init;
    a0 = (uint64_t)(uintptr_t)&hosted_info;
    a1 = 0x10000000000ull;
    a2 = 0x1000000;
  } else if (fx_streq(call, "thread_self")) {
    nr = ZUM_SYS_thread_self;
    a0 = (uint64_t)(uintptr_t)&out_handle;
    a1 = a2 = 0;
  } else {
    fx_puts("private: unknown call\n");
    zx_process_exit(2);
  }
  int64_t r = (int64_t)nr;
  if (fx_streq(mode, "trap")) {
    __asm__ volatile("syscall" : "+a"(r) : "D"(a0), "S"(a1), "d"(a2) : "rcx", "r11", "memory");
  } else if (fx_streq(mode, "vdsotrap")) {
    uintptr_t insn = vdso_syscall_insn(vdso_base);
    FX_CHECK(insn != 0);
    /* Jump to the vDSO's syscall instruction with our own registers. Should the supervisor
     * answer, the vDSO code after it runs on our frame: whatever happens then, the output lacks
     * the supervisor's BAD_SYSCALL line, and the marker may appear. */
    __asm__ volatile("call *%[insn]"
                     : "+a"(r)
                     : [insn] "r"(insn), "D"(a0), "S"(a1), "d"(a2)
                     : "rcx", "r8", "r9", "r10", "r11", "memory");
  } else {
    fx_puts("private: unknown mode\n");
    zx_process_exit(2);
  }
  fx_puts("private: survived, status ");
  fx_dec(r);
  fx_putc('\n');
  zx_process_exit(3);
}
