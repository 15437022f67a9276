/* A Fuchsia-ABI program that suspends one of its threads (a pure process): a thread spinning in
 * a loop of its own that only a register change ends is suspended (ZX_THREAD_SUSPENDED, state
 * SUSPENDED), its rip read (inside the loop), r12 written, and resumed: it leaves the loop and
 * stores what r12 held. Two tokens: closing the first leaves it suspended. Error paths of
 * task_suspend_token, thread_read_state and thread_write_state. A thread blocked in
 * zx_object_wait_one suspended and resumed: its wait goes on and completes exactly once.
 * "suspend: ok" on success. */
#include <zircon/syscalls/debug.h>

#include "fx.h"

#define SEC 1000000000ll

static zx_handle_t self_proc, self_thread;
static volatile uint64_t result;
/* Set by the spinner just before its loop: suspended earlier, its rip would be elsewhere (the
 * stub starting it, or spin_entry). */
__attribute__((used, visibility("hidden"))) volatile uint32_t spinning;

__attribute__((used, noreturn, visibility("hidden"))) void spin_done(void) { zx_thread_exit(); }

/* spin_entry(out): r12 = 0; spinning = 1; loop while r12 == 0; *out = r12; then spin_done. */
extern char spin_entry[], spin_loop[], spin_loop_end[];
__asm__(".text\n"
        ".globl spin_entry\n.hidden spin_entry\nspin_entry:\n"
        "  xor %r12d, %r12d\n"
        "  movl $1, spinning(%rip)\n"
        ".globl spin_loop\n.hidden spin_loop\nspin_loop:\n"
        "  test %r12, %r12\n"
        "  jz spin_loop\n"
        ".globl spin_loop_end\n.hidden spin_loop_end\nspin_loop_end:\n"
        "  mov %r12, (%rdi)\n"
        "  and $-16, %rsp\n"
        "  call spin_done\n"
        "  ud2\n");

#define STACK_SIZE 16384
static char stack[STACK_SIZE] __attribute__((aligned(16)));

static zx_thread_state_t thread_state(zx_handle_t t) {
  zx_info_thread_t info;
  FX_CHECK_EQ(zx_object_get_info(t, ZX_INFO_THREAD, &info, sizeof(info), NULL, NULL), ZX_OK);
  return info.state;
}

static void errors(void) {
  zx_handle_t tok = ZX_HANDLE_INVALID;
  zx_thread_state_general_regs_t r;
  FX_CHECK_EQ(zx_task_suspend_token(self_thread, &tok), ZX_ERR_NOT_SUPPORTED);
  FX_CHECK_EQ(zx_task_suspend_token(self_proc, &tok), ZX_ERR_NOT_SUPPORTED);
  FX_CHECK_EQ(zx_thread_read_state(self_thread, ZX_THREAD_STATE_GENERAL_REGS, &r, sizeof(r)),
              ZX_ERR_BAD_STATE);
  FX_CHECK_EQ(zx_thread_write_state(self_thread, ZX_THREAD_STATE_GENERAL_REGS, &r, sizeof(r)),
              ZX_ERR_BAD_STATE);
  FX_CHECK_EQ(zx_thread_read_state(self_proc, ZX_THREAD_STATE_GENERAL_REGS, &r, sizeof(r)),
              ZX_ERR_WRONG_TYPE);
  FX_CHECK_EQ(tok, ZX_HANDLE_INVALID);
}

static void suspend_spinner(void) {
  zx_handle_t t;
  FX_CHECK_EQ(zx_thread_create(self_proc, "spinner", 7, 0, &t), ZX_OK);
  FX_CHECK_EQ(zx_thread_start(t, (uintptr_t)spin_entry, (uintptr_t)&stack[STACK_SIZE] - 8,
                              (uintptr_t)&result, 0),
              ZX_OK);
  zx_handle_t tok1 = ZX_HANDLE_INVALID, tok2 = ZX_HANDLE_INVALID;
  for (int i = 0; i < 20000 && !spinning; i++) zx_nanosleep(zx_deadline_after(SEC / 1000));
  FX_CHECK_EQ(spinning, 1);
  FX_CHECK_EQ(zx_task_suspend_token(t, &tok1), ZX_OK);
  FX_CHECK_EQ(zx_object_wait_one(t, ZX_THREAD_SUSPENDED, zx_deadline_after(20 * SEC), NULL),
              ZX_OK);
  FX_CHECK_EQ(thread_state(t), ZX_THREAD_STATE_SUSPENDED);
  zx_info_handle_basic_t b;
  FX_CHECK_EQ(zx_object_get_info(tok1, ZX_INFO_HANDLE_BASIC, &b, sizeof(b), NULL, NULL), ZX_OK);
  FX_CHECK_EQ(b.type, ZX_OBJ_TYPE_SUSPEND_TOKEN);
  FX_CHECK_EQ(b.rights, ZX_DEFAULT_SUSPEND_TOKEN_RIGHTS);

  zx_thread_state_general_regs_t r;
  FX_CHECK_EQ(zx_thread_read_state(t, ZX_THREAD_STATE_GENERAL_REGS, &r, sizeof(r) - 1),
              ZX_ERR_BUFFER_TOO_SMALL);
  FX_CHECK_EQ(zx_thread_read_state(t, 3, &r, sizeof(r)), ZX_ERR_INVALID_ARGS);
  FX_CHECK_EQ(zx_thread_read_state(t, ZX_THREAD_STATE_FP_REGS, &r, sizeof(r)),
              ZX_ERR_NOT_SUPPORTED);
  FX_CHECK_EQ(zx_thread_read_state(t, ZX_THREAD_STATE_GENERAL_REGS, &r, sizeof(r)), ZX_OK);
  FX_CHECK(r.rip >= (uintptr_t)spin_loop && r.rip <= (uintptr_t)spin_loop_end);
  FX_CHECK_EQ(r.r12, 0);
  FX_CHECK_EQ(r.rdi, (uintptr_t)&result);
  r.r12 = 42;
  FX_CHECK_EQ(zx_thread_write_state(t, ZX_THREAD_STATE_GENERAL_REGS, &r, sizeof(r) - 1),
              ZX_ERR_BUFFER_TOO_SMALL);
  FX_CHECK_EQ(zx_thread_write_state(t, ZX_THREAD_STATE_GENERAL_REGS, &r, sizeof(r)), ZX_OK);
  zx_thread_state_general_regs_t again;
  FX_CHECK_EQ(zx_thread_read_state(t, ZX_THREAD_STATE_GENERAL_REGS, &again, sizeof(again)), ZX_OK);
  FX_CHECK_EQ(again.r12, 42);

  /* A second token: closing the first leaves the thread suspended. */
  FX_CHECK_EQ(zx_task_suspend(t, &tok2), ZX_OK);
  FX_CHECK_EQ(zx_handle_close(tok1), ZX_OK);
  zx_nanosleep(zx_deadline_after(SEC / 20));
  FX_CHECK_EQ(thread_state(t), ZX_THREAD_STATE_SUSPENDED);
  FX_CHECK_EQ(result, 0);
  FX_CHECK_EQ(zx_handle_close(tok2), ZX_OK);
  /* Resumed with r12 = 42: it leaves the loop, stores it and exits. */
  FX_CHECK_EQ(zx_object_wait_one(t, ZX_THREAD_TERMINATED, zx_deadline_after(20 * SEC), NULL),
              ZX_OK);
  FX_CHECK_EQ(result, 42);
  FX_CHECK_EQ(zx_task_suspend_token(t, &tok1), ZX_ERR_BAD_STATE);
  FX_CHECK_EQ(zx_handle_close(t), ZX_OK);
}

/* A thread blocked in zx_object_wait_one on an event: counts the waits that returned. */
static char blk_stack[STACK_SIZE] __attribute__((aligned(16)));
static zx_handle_t blk_event;
static volatile uint64_t blk_returns;
static volatile zx_status_t blk_status = 1;

static void blocker(uintptr_t a, uintptr_t b) {
  (void)a, (void)b;
  zx_status_t s = zx_object_wait_one(blk_event, ZX_USER_SIGNAL_0, ZX_TIME_INFINITE, NULL);
  __atomic_add_fetch(&blk_returns, 1, __ATOMIC_SEQ_CST);
  blk_status = s;
  zx_thread_exit();
}

/* Polls (bounded) until t's state is `want`; a macro so that a failure names its caller. */
#define wait_state(t, want)                                                 \
  do {                                                                      \
    for (int i_ = 0; i_ < 2000 && thread_state(t) != (want); i_++)          \
      zx_nanosleep(zx_deadline_after(SEC / 1000));                          \
    FX_CHECK_EQ(thread_state(t), (want));                                   \
  } while (0)

static void suspend_blocked(void) {
  zx_handle_t t, tok = ZX_HANDLE_INVALID;
  FX_CHECK_EQ(zx_event_create(0, &blk_event), ZX_OK);
  FX_CHECK_EQ(zx_thread_create(self_proc, "blocker", 7, 0, &t), ZX_OK);
  FX_CHECK_EQ(zx_thread_start(t, (uintptr_t)blocker, (uintptr_t)&blk_stack[STACK_SIZE] - 8, 0, 0),
              ZX_OK);
  wait_state(t, ZX_THREAD_STATE_BLOCKED_WAIT_ONE);
  FX_CHECK_EQ(zx_task_suspend_token(t, &tok), ZX_OK);
  FX_CHECK_EQ(zx_object_wait_one(t, ZX_THREAD_SUSPENDED, zx_deadline_after(20 * SEC), NULL),
              ZX_OK);
  FX_CHECK_EQ(thread_state(t), ZX_THREAD_STATE_SUSPENDED);
  zx_thread_state_general_regs_t r;
  FX_CHECK_EQ(zx_thread_read_state(t, ZX_THREAD_STATE_GENERAL_REGS, &r, sizeof(r)), ZX_OK);
  FX_CHECK(r.rip != 0);
  FX_CHECK(r.rsp > (uintptr_t)blk_stack && r.rsp <= (uintptr_t)&blk_stack[STACK_SIZE]);
  FX_CHECK_EQ(blk_returns, 0);
  FX_CHECK_EQ(zx_handle_close(tok), ZX_OK);
  /* Resumed: back in its wait, which has not returned. */
  wait_state(t, ZX_THREAD_STATE_BLOCKED_WAIT_ONE);
  FX_CHECK_EQ(blk_returns, 0);
  FX_CHECK_EQ(zx_object_signal(blk_event, 0, ZX_USER_SIGNAL_0), ZX_OK);
  FX_CHECK_EQ(zx_object_wait_one(t, ZX_THREAD_TERMINATED, zx_deadline_after(20 * SEC), NULL),
              ZX_OK);
  FX_CHECK_EQ(blk_returns, 1);
  FX_CHECK_EQ(blk_status, ZX_OK);
  FX_CHECK_EQ(zx_handle_close(t), ZX_OK);
  FX_CHECK_EQ(zx_handle_close(blk_event), ZX_OK);
}

void _start(zx_handle_t bootstrap, uintptr_t vdso_base) {
  fx_read_bootstrap(bootstrap, vdso_base);
  self_proc = fx_take(PA_HND(PA_PROC_SELF, 0));
  self_thread = fx_take(PA_HND(PA_THREAD_SELF, 0));
  FX_CHECK(self_proc && self_thread);
  errors();
  fx_puts("suspend: errors ok\n");
  suspend_spinner();
  suspend_blocked();
  fx_puts("suspend: blocked ok\n");
  fx_puts("suspend: ok\n");
  fx_flush();
  zx_process_exit(0);
}
