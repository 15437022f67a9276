/* Unit tests: suspend tokens (kobj/suspend.c) over a host that records what it is asked to stop
 * and let go: one stop however many tokens, SUSPENDED once the stub reports (thread_suspended,
 * parked), the last close completes the report with the registers as written, signals and
 * ZX_INFO_THREAD follow, and the error paths of task_suspend_token and thread_*_state. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <zircon/syscalls/object.h>
#include <zum/sysno.h>

#include "kobj/handle.h"
#include "kobj/sysutil.h"
#include "tests/unit/fake_host.h"

static struct kproc* P;
static struct kthread *T, *U; /* the caller, and the thread it suspends */

static int stops, goes, fail_with;
static pid_t last_tid;
static int rec_suspend(void* host, pid_t tid, bool stop) {
  (void)host;
  if (fail_with) return fail_with;
  last_tid = tid;
  if (stop) stops++;
  else goes++;
  return 0;
}
static const struct platform_proc_ops suspend_ops = {
    .read = fake_mem_read,
    .write = fake_mem_write,
    .kill = fake_no_kill,
    .thread_suspend = rec_suspend,
};

static int setup(void** state) {
  (void)state;
  fake_boot();
  stops = goes = fail_with = 0;
  last_tid = 0;
  zx_status_t s;
  P = kproc_create(kroot_job, "test", 4, NULL, &suspend_ops, &s);
  assert_non_null(P);
  P->pure = true; /* only a pure process's stub has the handler */
  T = fake_thread(P);
  U = fake_thread(P);
  assert_non_null(T);
  assert_non_null(U);
  return 0;
}

static int teardown(void** state) {
  (void)state;
  fake_end(P, 0);
  return 0;
}

static int64_t suspend_token(struct kthread* caller, zx_handle_t h, zx_handle_t* out) {
  uint64_t a[] = {h, (uint64_t)(uintptr_t)out};
  return fake_run(caller, ZUM_SYS_task_suspend_token, a, 2, NULL);
}

static int64_t close_handle(zx_handle_t h) {
  uint64_t a[] = {h};
  return fake_run(T, ZUM_SYS_handle_close, a, 1, NULL);
}

/* U's stub took the signal and reports regs: the call parks while U is suspended. */
static zx_thread_state_general_regs_t report;
static struct kcall* stub_reports(void) {
  struct kcall* c = NULL;
  uint64_t a[] = {(uint64_t)(uintptr_t)&report};
  assert_int_equal(fake_run(U, ZUM_SYS_thread_suspended, a, 1, &c), KCALL_PARKED);
  return c;
}

static int64_t rw_state(uint32_t sysno, zx_handle_t h, uint32_t kind, void* buf, size_t len) {
  uint64_t a[] = {h, kind, (uint64_t)(uintptr_t)buf, len};
  return fake_run(T, sysno, a, 4, NULL);
}

static uint32_t state_of(zx_handle_t h) {
  zx_info_thread_t info;
  uint64_t a[] = {h, ZX_INFO_THREAD, (uint64_t)(uintptr_t)&info, sizeof(info), 0, 0};
  assert_int_equal(fake_run(T, ZUM_SYS_object_get_info, a, 6, NULL), ZX_OK);
  return info.state;
}

static void test_tokens_count(void** state) {
  (void)state;
  zx_handle_t u = fake_give(P, &U->base, ZX_DEFAULT_THREAD_RIGHTS);
  zx_handle_t k1 = ZX_HANDLE_INVALID, k2 = ZX_HANDLE_INVALID;
  assert_int_equal(suspend_token(T, u, &k1), ZX_OK);
  assert_int_equal(stops, 1);
  assert_int_equal(last_tid, U->tid);
  struct khandle* kh = khandle_lookup(P->table, k1);
  assert_non_null(kh);
  assert_int_equal(kh->obj->ops->type, ZX_OBJ_TYPE_SUSPEND_TOKEN);
  assert_int_equal(kh->rights, ZX_DEFAULT_SUSPEND_TOKEN_RIGHTS);
  /* Not suspended until the stub reports: still running, no registers. */
  zx_thread_state_general_regs_t r;
  assert_int_equal(state_of(u), ZX_THREAD_STATE_RUNNING);
  assert_int_equal(rw_state(ZUM_SYS_thread_read_state, u, 0, &r, sizeof(r)), ZX_ERR_BAD_STATE);
  memset(&report, 0, sizeof(report));
  report.rip = 0x1234;
  report.r12 = 7;
  report.rflags = 0x202; /* IF set */
  struct kcall* c = stub_reports();
  assert_int_equal(U->base.signals & (ZX_THREAD_SUSPENDED | ZX_THREAD_RUNNING),
                   ZX_THREAD_SUSPENDED);
  assert_int_equal(state_of(u), ZX_THREAD_STATE_SUSPENDED);
  /* The registers as reported; a write keeps the flags a thread may not change. */
  assert_int_equal(rw_state(ZUM_SYS_thread_read_state, u, ZX_THREAD_STATE_GENERAL_REGS, &r,
                            sizeof(r) - 1),
                   ZX_ERR_BUFFER_TOO_SMALL);
  assert_int_equal(rw_state(ZUM_SYS_thread_read_state, u, 3, &r, sizeof(r)), ZX_ERR_INVALID_ARGS);
  assert_int_equal(rw_state(ZUM_SYS_thread_read_state, u, ZX_THREAD_STATE_VECTOR_REGS, &r,
                            sizeof(r)),
                   ZX_ERR_NOT_SUPPORTED);
  assert_int_equal(rw_state(ZUM_SYS_thread_read_state, u, ZX_THREAD_STATE_GENERAL_REGS, &r,
                            sizeof(r)),
                   ZX_OK);
  assert_int_equal(r.rip, 0x1234);
  assert_int_equal(r.r12, 7);
  r.r12 = 42;
  r.rflags = 0x1; /* CF set, IF cleared: only CF is taken */
  assert_int_equal(rw_state(ZUM_SYS_thread_write_state, u, ZX_THREAD_STATE_GENERAL_REGS, &r,
                            sizeof(r)),
                   ZX_OK);
  assert_int_equal(rw_state(ZUM_SYS_thread_write_state, u, ZX_THREAD_STATE_GENERAL_REGS,
                            (void*)8, sizeof(r)),
                   ZX_ERR_INVALID_ARGS);
  /* A second token does not stop it again; the first close does not let it go. */
  uint64_t a[] = {u, (uint64_t)(uintptr_t)&k2};
  assert_int_equal(fake_run(T, ZUM_SYS_task_suspend, a, 2, NULL), ZX_OK);
  assert_int_equal(stops, 1);
  assert_int_equal(close_handle(k1), ZX_OK);
  assert_int_equal(goes, 0);
  int64_t res;
  assert_false(fake_completed(c, &res));
  assert_int_equal(state_of(u), ZX_THREAD_STATE_SUSPENDED);
  assert_int_equal(close_handle(k2), ZX_OK);
  assert_int_equal(goes, 1);
  assert_true(fake_completed(c, &res));
  assert_int_equal(res, ZX_OK);
  assert_int_equal(report.r12, 42);
  assert_int_equal(report.rflags, 0x203);
  assert_int_equal(U->base.signals & (ZX_THREAD_SUSPENDED | ZX_THREAD_RUNNING), ZX_THREAD_RUNNING);
  assert_int_equal(state_of(u), ZX_THREAD_STATE_RUNNING);
  /* A signal that arrives after the resume: the stub goes on at once. */
  uint64_t ra[] = {(uint64_t)(uintptr_t)&report};
  assert_int_equal(fake_run(U, ZUM_SYS_thread_suspended, ra, 1, NULL), ZX_OK);
  assert_int_equal(close_handle(u), ZX_OK);
}

static void test_errors(void** state) {
  (void)state;
  zx_handle_t k = ZX_HANDLE_INVALID;
  zx_handle_t self = fake_give(P, &T->base, ZX_DEFAULT_THREAD_RIGHTS);
  assert_int_equal(suspend_token(T, self, &k), ZX_ERR_NOT_SUPPORTED);
  zx_handle_t u = fake_give(P, &U->base, ZX_DEFAULT_THREAD_RIGHTS);
  zx_handle_t weak = fake_give(P, &U->base, ZX_RIGHT_READ);
  assert_int_equal(suspend_token(T, weak, &k), ZX_ERR_ACCESS_DENIED);
  /* An out pointer that faults: no token is kept and the thread goes on. */
  assert_int_equal(suspend_token(T, u, (zx_handle_t*)8), ZX_ERR_INVALID_ARGS);
  assert_int_equal(stops, 1);
  assert_int_equal(goes, 1);
  assert_int_equal(U->suspend_count, 0u);
  assert_int_equal(U->base.signals & ZX_THREAD_SUSPENDED, 0);
  /* The host cannot stop it (gone): BAD_STATE, nothing recorded. */
  fail_with = -3;
  assert_int_equal(suspend_token(T, u, &k), ZX_ERR_BAD_STATE);
  assert_int_equal(U->suspend_count, 0u);
  fail_with = 0;
  assert_int_equal(k, ZX_HANDLE_INVALID);
  /* A process is not suspended (zum's gap); jobs are WRONG_TYPE as in Zircon. */
  zx_handle_t p = fake_give(P, &P->base, ZX_DEFAULT_PROCESS_RIGHTS);
  assert_int_equal(suspend_token(T, p, &k), ZX_ERR_NOT_SUPPORTED);
  zx_handle_t j = fake_give(P, &kroot_job->base, ZX_DEFAULT_JOB_RIGHTS);
  assert_int_equal(suspend_token(T, j, &k), ZX_ERR_WRONG_TYPE);
  close_handle(self), close_handle(u), close_handle(weak), close_handle(p), close_handle(j);
}

/* A thread that dies suspended is TERMINATED, not SUSPENDED; its token's close asks nothing. */
static void test_death_while_suspended(void** state) {
  (void)state;
  zx_handle_t u = fake_give(P, &U->base, ZX_DEFAULT_THREAD_RIGHTS);
  zx_handle_t k = ZX_HANDLE_INVALID;
  assert_int_equal(suspend_token(T, u, &k), ZX_OK);
  struct kcall* c = stub_reports(); /* abandoned with the thread */
  kthread_on_exit(U);
  int64_t res;
  assert_true(fake_completed(c, &res)); /* released, and freed here */
  assert_int_equal(U->base.signals & (ZX_THREAD_SUSPENDED | ZX_THREAD_RUNNING |
                                      ZX_THREAD_TERMINATED),
                   ZX_THREAD_TERMINATED);
  assert_int_equal(close_handle(k), ZX_OK);
  assert_int_equal(goes, 0);
  assert_int_equal(suspend_token(T, u, &k), ZX_ERR_BAD_STATE);
  assert_int_equal(close_handle(u), ZX_OK);
}

/* A host without the hook, or a hosted process: NOT_SUPPORTED, nothing held. */
static void test_host_without_hook(void** state) {
  (void)state;
  struct kproc* q = fake_process(NULL);
  struct kthread* a = fake_thread(q);
  struct kthread* b = fake_thread(q);
  assert_non_null(a);
  assert_non_null(b);
  zx_handle_t h = fake_give(q, &b->base, ZX_DEFAULT_THREAD_RIGHTS);
  zx_handle_t k = ZX_HANDLE_INVALID;
  assert_int_equal(suspend_token(a, h, &k), ZX_ERR_NOT_SUPPORTED);
  assert_int_equal(b->suspend_count, 0u);
  fake_end(q, 0);
  P->pure = false;
  zx_handle_t u = fake_give(P, &U->base, ZX_DEFAULT_THREAD_RIGHTS);
  assert_int_equal(suspend_token(T, u, &k), ZX_ERR_NOT_SUPPORTED);
  assert_int_equal(stops, 0);
  assert_int_equal(close_handle(u), ZX_OK);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_tokens_count, setup, teardown),
      cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
      cmocka_unit_test_setup_teardown(test_death_while_suspended, setup, teardown),
      cmocka_unit_test_setup_teardown(test_host_without_hook, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
