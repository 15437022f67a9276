/* Zircon threads: one slot of the stub's per thread, entered with Zircon's register contract. */
#include <asm/prctl.h>
#include <asm/sigcontext.h>
#include <asm/signal.h>

#include "host/guest/stub/private.h"

#define STUB_STR_(x) #x
#define STUB_STR(x) STUB_STR_(x)

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

/* The new thread, on its slot's stack, with FS base already set by clone: sets GS base, then
 * loads Zircon's start registers with rt_sigreturn, which also installs the slot as its
 * alternate signal stack and resets the FPU/SSE state (no fpstate in the frame). Nothing is
 * written to the guest's stack. */
static NORETURN void thread_entry(void* arg) {
  struct slot* s = arg;
  if (s->gs_base) sys2(__NR_arch_prctl, ARCH_SET_GS, s->gs_base);
  stub_enter(&s->frame.uc);
}

int stub_start_thread(uint64_t pc, uint64_t sp, uint64_t arg1, uint64_t arg2, uint64_t fs_base,
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

/* The zum page's exit_thread hook: ends the calling Linux thread (its slot is free again when
 * the kernel clears the slot's tid). Written in assembly because it must not touch the stack:
 * the vDSO's zx_futex_wake_handle_close_thread_exit and zx_vmar_unmap_handle_close_thread_exit
 * jump here once the thread's stack may be gone. */
__asm__(".text\n"
        ".globl stub_exit_thread\n"
        ".type stub_exit_thread, @function\n"
        "stub_exit_thread:\n"
        "1:\n"
        "  mov $" STUB_STR(__NR_exit) ", %eax\n"
        "  xor %edi, %edi\n"
        "  syscall\n"
        "  jmp 1b\n"
        ".size stub_exit_thread, . - stub_exit_thread\n");
