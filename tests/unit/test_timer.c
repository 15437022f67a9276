/* Unit tests: timers (create, set, cancel, re-set, boot clock, info, waits on timers). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <zum/sysno.h>

#include "kobj/deadline.h"
#include "kobj/handle.h"
#include "kobj/sysutil.h"
#include "kobj/timer.h"
#include "tests/unit/fake_host.h"

static struct kproc* P;
static struct kthread* T;

#define BOOT_LEAD 7000000000ll /* the fake boot clock runs this far ahead of monotonic */
static int64_t fake_boot_clock(void) { return fake_now + BOOT_LEAD; }

static struct platform_ops boot_platform;

static int setup(void** state) {
  fake_boot();
  boot_platform = fake_platform;
  boot_platform.boot_now = fake_boot_clock;
  platform = &boot_platform;
  P = fake_process(NULL);
  T = fake_thread(P);
  return 0;
}

static int teardown(void** state) {
  kproc_on_exit(P, 0);
  kobj_run_deferred();
  kobj_unref(&P->base);
  platform = &fake_platform;
  assert_int_equal(kdeadline_count(), 0);
  return 0;
}

static zx_handle_t make_timer(uint32_t options, zx_clock_t clock) {
  zx_handle_t h = 0;
  assert_int_equal(FAKE(T, timer_create, options, clock, U(&h)), ZX_OK);
  return h;
}

static struct kobj* obj_of(zx_handle_t h) {
  struct khandle* kh = khandle_lookup(P->table, h);
  assert_non_null(kh);
  return kh->obj;
}

static bool signaled(zx_handle_t t) { return obj_of(t)->signals & ZX_TIMER_SIGNALED; }

static zx_info_timer_t info(zx_handle_t t) {
  zx_info_timer_t i;
  memset(&i, 0xcc, sizeof(i));
  ktimer_get_info(obj_of(t), &i);
  return i;
}

static void test_create(void** state) {
  zx_handle_t h = 0;
  for (uint32_t opt = ZX_TIMER_SLACK_CENTER; opt <= ZX_TIMER_SLACK_LATE; opt++) {
    assert_int_equal(FAKE(T, timer_create, opt, ZX_CLOCK_MONOTONIC, U(&h)), ZX_OK);
    struct khandle* kh = khandle_lookup(P->table, h);
    assert_non_null(kh);
    assert_int_equal(kh->rights, ZX_DEFAULT_TIMER_RIGHTS);
    assert_int_equal(kh->obj->ops->type, ZX_OBJ_TYPE_TIMER);
    assert_int_equal(kh->obj->signals, 0);
    zx_info_timer_t i = info(h);
    assert_int_equal(i.options, opt);
    assert_int_equal(i.clock_id, ZX_CLOCK_MONOTONIC);
    assert_int_equal(i.deadline, 0);
    assert_int_equal(i.slack, 0);
    assert_int_equal(FAKE(T, handle_close, h), ZX_OK);
  }
  assert_int_equal(FAKE(T, timer_create, 0, ZX_CLOCK_BOOT, U(&h)), ZX_OK);
  assert_int_equal(info(h).clock_id, ZX_CLOCK_BOOT);
  assert_int_equal(FAKE(T, handle_close, h), ZX_OK);
  zx_handle_t bad = 0;
  assert_int_equal(FAKE(T, timer_create, 3, ZX_CLOCK_MONOTONIC, U(&bad)), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, timer_create, 0x100, ZX_CLOCK_MONOTONIC, U(&bad)), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, timer_create, 0, 2, U(&bad)), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, timer_create, 0, 0xffffffffu, U(&bad)), ZX_ERR_INVALID_ARGS);
  assert_int_equal(bad, 0);
  /* A faulting out pointer leaves no handle. */
  uint32_t before = P->table->count;
  assert_int_equal(FAKE(T, timer_create, 0, ZX_CLOCK_MONOTONIC, 8), ZX_ERR_INVALID_ARGS);
  assert_int_equal(P->table->count, before);
}

static void test_set_errors(void** state) {
  zx_handle_t t = make_timer(0, ZX_CLOCK_MONOTONIC), ev = 0, ro = 0;
  assert_int_equal(FAKE(T, event_create, 0, U(&ev)), ZX_OK);
  /* Negative slack is checked before the handle. */
  assert_int_equal(FAKE(T, timer_set, 0x1233, fake_now + 10, -1), ZX_ERR_OUT_OF_RANGE);
  assert_int_equal(FAKE(T, timer_set, t, fake_now + 10, INT64_MIN), ZX_ERR_OUT_OF_RANGE);
  assert_int_equal(FAKE(T, timer_set, 0x1233, fake_now + 10, 0), ZX_ERR_BAD_HANDLE);
  assert_int_equal(FAKE(T, timer_set, ev, fake_now + 10, 0), ZX_ERR_WRONG_TYPE);
  assert_int_equal(FAKE(T, handle_duplicate, t, ZX_RIGHT_WAIT | ZX_RIGHT_INSPECT, U(&ro)), ZX_OK);
  assert_int_equal(FAKE(T, timer_set, ro, fake_now + 10, 0), ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(T, timer_cancel, ro), ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(T, timer_cancel, 0x1233), ZX_ERR_BAD_HANDLE);
  assert_int_equal(FAKE(T, timer_cancel, ev), ZX_ERR_WRONG_TYPE);
  assert_int_equal(kdeadline_count(), 0);
  assert_int_equal(info(t).deadline, 0);
  /* Only user signals may be set by hand: SIGNALED is the timer's. */
  assert_int_equal(FAKE(T, object_signal, t, 0, ZX_TIMER_SIGNALED), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, object_signal, t, 0, ZX_USER_SIGNAL_0), ZX_OK);
  FAKE(T, handle_close, ro);
  FAKE(T, handle_close, ev);
  FAKE(T, handle_close, t);
}

static void test_fires_at_deadline(void** state) {
  zx_handle_t t = make_timer(ZX_TIMER_SLACK_LATE, ZX_CLOCK_MONOTONIC);
  int64_t dl = fake_now + 1000;
  assert_int_equal(FAKE(T, timer_set, t, dl, 30), ZX_OK);
  assert_false(signaled(t));
  zx_info_timer_t i = info(t);
  assert_int_equal(i.options, ZX_TIMER_SLACK_LATE);
  assert_int_equal(i.deadline, dl);
  assert_int_equal(i.slack, 30);
  fake_advance(999);
  assert_false(signaled(t));
  fake_advance(1);
  assert_true(signaled(t));
  /* Fired: no pending deadline any more; the signal stays. */
  i = info(t);
  assert_int_equal(i.deadline, 0);
  assert_int_equal(i.slack, 0);
  fake_advance(10000);
  assert_true(signaled(t));
  FAKE(T, handle_close, t);
}

static void test_set_due_now(void** state) {
  zx_handle_t t = make_timer(0, ZX_CLOCK_MONOTONIC);
  /* 0, the past and now: signaled at once, nothing armed, deadline reported 0. */
  int64_t deadlines[] = {0, fake_now - 1, fake_now, INT64_MIN, -1};
  for (size_t k = 0; k < sizeof(deadlines) / sizeof(deadlines[0]); k++) {
    assert_int_equal(FAKE(T, timer_cancel, t), ZX_OK);
    assert_false(signaled(t));
    assert_int_equal(FAKE(T, timer_set, t, deadlines[k], 5), ZX_OK);
    assert_true(signaled(t));
    assert_int_equal(kdeadline_count(), 0);
    assert_int_equal(info(t).deadline, 0);
    assert_int_equal(info(t).slack, 0);
  }
  FAKE(T, handle_close, t);
}

static void test_set_clears_and_reset(void** state) {
  zx_handle_t t = make_timer(0, ZX_CLOCK_MONOTONIC);
  assert_int_equal(FAKE(T, timer_set, t, 0, 0), ZX_OK);
  assert_true(signaled(t));
  /* Setting clears ZX_TIMER_SIGNALED. */
  assert_int_equal(FAKE(T, timer_set, t, fake_now + 100, 0), ZX_OK);
  assert_false(signaled(t));
  /* Re-setting replaces the deadline (later or earlier). */
  assert_int_equal(FAKE(T, timer_set, t, fake_now + 200, 0), ZX_OK);
  assert_int_equal(kdeadline_count(), 1);
  fake_advance(150);
  assert_false(signaled(t));
  fake_advance(50);
  assert_true(signaled(t));
  assert_int_equal(FAKE(T, timer_set, t, fake_now + 500, 0), ZX_OK);
  assert_int_equal(FAKE(T, timer_set, t, fake_now + 10, 0), ZX_OK);
  fake_advance(10);
  assert_true(signaled(t));
  assert_int_equal(kdeadline_count(), 0);
  fake_advance(1000);
  assert_true(signaled(t));
  /* An infinite deadline never fires. */
  assert_int_equal(FAKE(T, timer_set, t, ZX_TIME_INFINITE, 0), ZX_OK);
  assert_false(signaled(t));
  assert_int_equal(info(t).deadline, ZX_TIME_INFINITE);
  fake_advance(1000000000);
  assert_false(signaled(t));
  FAKE(T, handle_close, t);
}

static void test_cancel(void** state) {
  zx_handle_t t = make_timer(0, ZX_CLOCK_MONOTONIC);
  /* Cancel with nothing set is fine. */
  assert_int_equal(FAKE(T, timer_cancel, t), ZX_OK);
  assert_int_equal(FAKE(T, timer_set, t, fake_now + 100, 0), ZX_OK);
  assert_int_equal(FAKE(T, timer_cancel, t), ZX_OK);
  assert_int_equal(kdeadline_count(), 0);
  assert_int_equal(info(t).deadline, 0);
  fake_advance(200);
  assert_false(signaled(t));
  /* Cancel clears the signal of a fired timer. */
  assert_int_equal(FAKE(T, timer_set, t, fake_now + 1, 0), ZX_OK);
  fake_advance(1);
  assert_true(signaled(t));
  assert_int_equal(FAKE(T, timer_cancel, t), ZX_OK);
  assert_false(signaled(t));
  FAKE(T, handle_close, t);
}

static void test_boot_clock(void** state) {
  zx_handle_t t = make_timer(0, ZX_CLOCK_BOOT);
  int64_t boot = fake_boot_clock();
  /* The deadline is read on the boot clock (7 s ahead here), not the monotonic one. */
  assert_int_equal(FAKE(T, timer_set, t, boot + 300, 0), ZX_OK);
  assert_false(signaled(t));
  assert_int_equal(info(t).deadline, boot + 300);
  fake_advance(299);
  assert_false(signaled(t));
  fake_advance(1);
  assert_true(signaled(t));
  /* A boot deadline in the boot past fires at once even though it is a future monotonic time. */
  assert_int_equal(FAKE(T, timer_set, t, fake_boot_clock() - 1, 0), ZX_OK);
  assert_true(signaled(t));
  FAKE(T, handle_close, t);
}

static void test_wait_one_on_timer(void** state) {
  zx_handle_t t = make_timer(0, ZX_CLOCK_MONOTONIC);
  assert_int_equal(FAKE(T, timer_set, t, fake_now + 500, 0), ZX_OK);
  zx_signals_t obs = 0;
  struct kcall* c;
  int64_t r;
  assert_true(fake_run(T, ZUM_SYS_object_wait_one,
                       (uint64_t[]){t, ZX_TIMER_SIGNALED, ZX_TIME_INFINITE, U(&obs)}, 4,
                       &c) == KCALL_PARKED);
  fake_advance(499);
  assert_false(fake_completed(c, &r));
  fake_advance(1);
  assert_true(fake_completed(c, &r));
  assert_int_equal(r, ZX_OK);
  assert_int_equal(obs, ZX_TIMER_SIGNALED);
  FAKE(T, handle_close, t);
}

static void test_wait_async_timestamp(void** state) {
  zx_handle_t t = make_timer(0, ZX_CLOCK_MONOTONIC), port = 0;
  assert_int_equal(FAKE(T, port_create, 0, U(&port)), ZX_OK);
  int64_t dl = fake_now + 700;
  assert_int_equal(FAKE(T, timer_set, t, dl, 0), ZX_OK);
  assert_int_equal(
      FAKE(T, object_wait_async, t, port, 9, ZX_TIMER_SIGNALED, ZX_WAIT_ASYNC_TIMESTAMP), ZX_OK);
  zx_port_packet_t pk;
  assert_int_equal(FAKE(T, port_wait, port, 0, U(&pk)), ZX_ERR_TIMED_OUT);
  fake_advance(1000); /* the deadline is run late: the timestamp is when it was observed */
  assert_int_equal(FAKE(T, port_wait, port, 0, U(&pk)), ZX_OK);
  assert_int_equal(pk.key, 9);
  assert_int_equal(pk.type, ZX_PKT_TYPE_SIGNAL_ONE);
  assert_int_equal(pk.signal.trigger, ZX_TIMER_SIGNALED);
  assert_int_equal(pk.signal.observed, ZX_TIMER_SIGNALED);
  assert_true(pk.signal.timestamp >= dl);
  assert_int_equal(pk.signal.timestamp, fake_now);
  /* Cancel then re-set: a new edge for a new wait. */
  assert_int_equal(FAKE(T, timer_set, t, fake_now + 5, 0), ZX_OK);
  assert_int_equal(
      FAKE(T, object_wait_async, t, port, 10, ZX_TIMER_SIGNALED, ZX_WAIT_ASYNC_EDGE), ZX_OK);
  fake_advance(5);
  assert_int_equal(FAKE(T, port_wait, port, 0, U(&pk)), ZX_OK);
  assert_int_equal(pk.key, 10);
  assert_int_equal(pk.signal.timestamp, 0);
  FAKE(T, handle_close, port);
  FAKE(T, handle_close, t);
}

static void test_close_while_armed(void** state) {
  zx_handle_t t = make_timer(0, ZX_CLOCK_MONOTONIC), d = 0;
  assert_int_equal(FAKE(T, handle_duplicate, t, ZX_RIGHT_SAME_RIGHTS, U(&d)), ZX_OK);
  assert_int_equal(FAKE(T, timer_set, t, fake_now + 100, 0), ZX_OK);
  /* Another handle keeps it armed. */
  assert_int_equal(FAKE(T, handle_close, t), ZX_OK);
  assert_int_equal(kdeadline_count(), 1);
  fake_advance(100);
  assert_true(signaled(d));
  assert_int_equal(FAKE(T, timer_set, d, fake_now + 100, 0), ZX_OK);
  /* The last handle disarms and frees it (ASan checks). */
  assert_int_equal(FAKE(T, handle_close, d), ZX_OK);
  assert_int_equal(kdeadline_count(), 0);
  fake_advance(200);
}

static void test_timer_in_dying_process(void** state) {
  struct kproc* q = fake_process(NULL);
  struct kthread* tq = fake_thread(q);
  zx_handle_t t = 0;
  assert_int_equal(FAKE(tq, timer_create, 0, ZX_CLOCK_MONOTONIC, U(&t)), ZX_OK);
  assert_int_equal(FAKE(tq, timer_set, t, fake_now + 100, 0), ZX_OK);
  struct kcall* c;
  assert_true(fake_run(tq, ZUM_SYS_object_wait_one,
                       (uint64_t[]){t, ZX_TIMER_SIGNALED, ZX_TIME_INFINITE, 0}, 4,
                       &c) == KCALL_PARKED);
  kproc_on_exit(q, 0);
  kobj_run_deferred();
  assert_true(fake_completed(c, NULL));
  assert_int_equal(kdeadline_count(), 0);
  kobj_unref(&q->base);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_create, setup, teardown),
      cmocka_unit_test_setup_teardown(test_set_errors, setup, teardown),
      cmocka_unit_test_setup_teardown(test_fires_at_deadline, setup, teardown),
      cmocka_unit_test_setup_teardown(test_set_due_now, setup, teardown),
      cmocka_unit_test_setup_teardown(test_set_clears_and_reset, setup, teardown),
      cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
      cmocka_unit_test_setup_teardown(test_boot_clock, setup, teardown),
      cmocka_unit_test_setup_teardown(test_wait_one_on_timer, setup, teardown),
      cmocka_unit_test_setup_teardown(test_wait_async_timestamp, setup, teardown),
      cmocka_unit_test_setup_teardown(test_close_while_armed, setup, teardown),
      cmocka_unit_test_setup_teardown(test_timer_in_dying_process, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
