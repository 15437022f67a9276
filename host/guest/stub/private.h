/* What the pure-process stub's files share (host/guest/stub/main.c describes the stub). Built
 * without libc: only Linux's uapi headers and zum's own. */
#ifndef ZUM_HOST_STUB_PRIVATE_H_
#define ZUM_HOST_STUB_PRIVATE_H_

#include <stddef.h>
#include <stdint.h>

#include <asm/sigcontext.h>
#include <asm/signal.h>
#include <asm/ucontext.h>
#include <asm/unistd.h>
#include <linux/errno.h>
#include <linux/sched.h>
#include <zircon/types.h>
#include <zum/abi-private.h>

#include "host/common/rawsys.h"
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

static inline NORETURN void stub_exit_group(int code) {
  for (;;) sys1(__NR_exit_group, code);
}

/* libc.c: the compiler may emit calls to these for structure copies and clears. */
void* memset(void* d, int c, size_t n);
void* memcpy(void* d, const void* s, size_t n);

/* From start.S. */
long stub_clone(unsigned long flags, void* stack_top, int* ptid, int* ctid, unsigned long tls,
                void (*fn)(void*), void* arg);
void stub_restorer(void);
NORETURN void stub_enter(struct ucontext* uc);
/* From the linker script. */
extern const char __stub_text_start[], __stub_text_end[], __stub_end[];

/* fault.c: hardware faults, trapped system calls, copy-on-write faults. */
extern int stub_vm_fault_cap; /* the supervisor resolves what zum_cow_fault cannot */
int stub_install_fault_handlers(void);

/* suspend.c: the handler of ZUM_SUSPEND_SIGNAL (suspension). */
int stub_install_suspend_handler(void);

/* vdso.c: Linux's vDSO, moved into STUB_VDSO_WINDOW. */
extern uint64_t stub_vdso_text_start, stub_vdso_text_end; /* 0 when there is none */
uint64_t stub_map_vdso(uint64_t orig_base);

/* zumpage.c: the zum page. */
int stub_map_zum_page(uint64_t clock_fn);

/* work.c: address-space work. */
#define WORK_FD 4 /* the work channel (host_spawn_pure), when stub_work_channel says so */
extern int stub_work_channel;
extern const struct zum_ops_policy stub_ops_policy;
void stub_do_work(zum_work_t* w);

/* thread.c: Zircon threads on the stub's slots. */
#define THREAD_CLONE_FLAGS                                                              \
  (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |   \
   CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID)
int stub_start_thread(uint64_t pc, uint64_t sp, uint64_t arg1, uint64_t arg2, uint64_t fs_base,
                      uint64_t gs_base, int* tid);
NORETURN void stub_exit_thread(void);

/* seal.c: the second seccomp filter. */
int stub_seal(uint64_t code_start, uint64_t code_end);

/* agent.c: serving the supervisor on the agent socket (fd 3). */
#define AGENT_FD 3
void stub_agent_reply_fd(uint64_t token, int error, int tid, int fd);
NORETURN void stub_agent_loop(void);

#endif
