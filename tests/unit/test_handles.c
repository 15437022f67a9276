/* Unit tests: handle tables, rights, events and event pairs, signals, wait_one, wait_many. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <zum/sysno.h>

#include "kobj/handle.h"
#include "kobj/sysutil.h"
#include "tests/unit/fake_host.h"

static struct kproc* P;
static struct kthread* T;

static int setup(void** state) {
  fake_boot();
  P = fake_process(NULL);
  T = fake_thread(P);
  return 0;
}

static int teardown(void** state) {
  kproc_on_exit(P, 0);
  kobj_unref(&P->base);
  return 0;
}

static zx_handle_t make_event(void) {
  zx_handle_t h = 0;
  assert_int_equal(FAKE(T, event_create, 0, U(&h)), ZX_OK);
  return h;
}

static void test_handle_values(void** state) {
  zx_handle_t a = make_event(), b = make_event();
  assert_int_equal(a & 3, 3);
  assert_int_equal(b & 3, 3);
  assert_int_not_equal(a, b);
  /* The same value means nothing in another process's table. */
  struct kproc* q = fake_process(NULL);
  struct kthread* tq = fake_thread(q);
  assert_int_equal(FAKE(tq, handle_close, a), ZX_ERR_BAD_HANDLE);
  /* Low bits cleared: never a handle. */
  assert_int_equal(FAKE(T, handle_close, a & ~3u), ZX_ERR_BAD_HANDLE);
  assert_int_equal(FAKE(T, handle_close, a), ZX_OK);
  assert_int_equal(FAKE(T, handle_close, a), ZX_ERR_BAD_HANDLE);
  assert_int_equal(FAKE(T, handle_close, 0), ZX_OK);
  assert_int_equal(FAKE(T, handle_close, b), ZX_OK);
  kproc_on_exit(q, 0);
  kobj_unref(&q->base);
}

static void test_duplicate_rights(void** state) {
  zx_handle_t e = make_event(), d = 0, r = 0;
  assert_int_equal(FAKE(T, handle_duplicate, e, ZX_RIGHT_SAME_RIGHTS, U(&d)), ZX_OK);
  struct khandle* hd = khandle_lookup(P->table, d);
  assert_non_null(hd);
  assert_int_equal(hd->rights, ZX_DEFAULT_EVENT_RIGHTS);
  /* Asking for a right the source lacks is INVALID_ARGS. */
  assert_int_equal(FAKE(T, handle_duplicate, e, ZX_RIGHT_WRITE, U(&r)), ZX_ERR_INVALID_ARGS);
  /* A handle without DUPLICATE cannot be duplicated. */
  assert_int_equal(FAKE(T, handle_replace, d, ZX_RIGHT_WAIT, U(&r)), ZX_OK);
  assert_int_equal(FAKE(T, handle_close, d), ZX_ERR_BAD_HANDLE); /* replaced */
  assert_int_equal(FAKE(T, handle_duplicate, r, ZX_RIGHT_SAME_RIGHTS, U(&d)), ZX_ERR_ACCESS_DENIED);
  /* Replace with rights not held: fails, and the source is gone anyway. */
  zx_handle_t r2 = 0;
  assert_int_equal(FAKE(T, handle_replace, r, ZX_RIGHT_SIGNAL, U(&r2)), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, handle_close, r), ZX_ERR_BAD_HANDLE);
  /* A bad out pointer: no handle is left behind. */
  uint32_t before = P->table->count;
  assert_int_equal(FAKE(T, handle_duplicate, e, ZX_RIGHT_SAME_RIGHTS, 8), ZX_ERR_INVALID_ARGS);
  assert_int_equal(P->table->count, before);
  assert_int_equal(FAKE(T, handle_close, e), ZX_OK);
}

static void test_close_many(void** state) {
  zx_handle_t hs[4] = {make_event(), 0, 0x12345677, make_event()};
  assert_int_equal(FAKE(T, handle_close_many, U(hs), 4), ZX_ERR_BAD_HANDLE);
  assert_int_equal(FAKE(T, handle_close, hs[0]), ZX_ERR_BAD_HANDLE);
  assert_int_equal(FAKE(T, handle_close, hs[3]), ZX_ERR_BAD_HANDLE);
  assert_int_equal(FAKE(T, handle_close_many, 16, 1), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, handle_close_many, 0, 0), ZX_OK);
}

static void test_event_signals(void** state) {
  zx_handle_t e = make_event();
  assert_int_equal(FAKE(T, object_signal, e, 0, ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_3), ZX_OK);
  struct khandle* h = khandle_lookup(P->table, e);
  assert_int_equal(h->obj->signals, ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_3);
  /* Only user signals and SIGNALED may be set on an event. */
  assert_int_equal(FAKE(T, object_signal, e, 0, ZX_CHANNEL_READABLE), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, object_signal_peer, e, 0, ZX_USER_SIGNAL_0), ZX_ERR_ACCESS_DENIED);
  zx_handle_t nosig = 0;
  assert_int_equal(FAKE(T, handle_duplicate, e, ZX_RIGHT_WAIT, U(&nosig)), ZX_OK);
  assert_int_equal(FAKE(T, object_signal, nosig, 0, ZX_USER_SIGNAL_0), ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(T, event_create, 1, U(&nosig)), ZX_ERR_INVALID_ARGS);
  FAKE(T, handle_close, e);
}

static void test_eventpair(void** state) {
  zx_handle_t a = 0, b = 0;
  assert_int_equal(FAKE(T, eventpair_create, 0, U(&a), U(&b)), ZX_OK);
  assert_int_equal(FAKE(T, object_signal_peer, a, 0, ZX_EVENTPAIR_SIGNALED), ZX_OK);
  struct khandle* hb = khandle_lookup(P->table, b);
  assert_int_equal(hb->obj->signals, ZX_EVENTPAIR_SIGNALED);
  struct kobj* ob = hb->obj;
  kobj_ref(ob);
  assert_int_equal(FAKE(T, handle_close, a), ZX_OK);
  assert_true(ob->signals & ZX_EVENTPAIR_PEER_CLOSED);
  assert_int_equal(FAKE(T, object_signal_peer, b, 0, ZX_USER_SIGNAL_0), ZX_ERR_PEER_CLOSED);
  kobj_unref(ob);
  FAKE(T, handle_close, b);
  assert_int_equal(FAKE(T, eventpair_create, 1, U(&a), U(&b)), ZX_ERR_NOT_SUPPORTED);
}

static void test_wait_one(void** state) {
  zx_handle_t e = make_event();
  zx_signals_t obs = 0;
  /* Past deadline, nothing asserted: TIMED_OUT with the state reported. */
  assert_int_equal(FAKE(T, object_wait_one, e, ZX_EVENT_SIGNALED, 0, U(&obs)), ZX_ERR_TIMED_OUT);
  assert_int_equal(obs, 0);
  /* Parks, then a signal wakes it. */
  struct kcall* c;
  uint64_t args[] = {e, ZX_EVENT_SIGNALED, fake_now + 1000, U(&obs)};
  assert_true(fake_run(T, ZUM_SYS_object_wait_one, args, 4, &c) == KCALL_PARKED);
  assert_ptr_equal(T->parked, c);
  FAKE(T, object_signal, e, 0, ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_1);
  int64_t r;
  assert_true(fake_completed(c, &r));
  assert_int_equal(r, ZX_OK);
  assert_int_equal(obs, ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_1);
  /* Times out. */
  FAKE(T, object_signal, e, ZX_EVENT_SIGNALED, 0);
  uint64_t args2[] = {e, ZX_EVENT_SIGNALED, fake_now + 1000, U(&obs)};
  assert_true(fake_run(T, ZUM_SYS_object_wait_one, args2, 4, &c) == KCALL_PARKED);
  fake_advance(999);
  assert_false(fake_completed(c, &r));
  fake_advance(1);
  assert_true(fake_completed(c, &r));
  assert_int_equal(r, ZX_ERR_TIMED_OUT);
  /* Closing the handle cancels the wait. */
  uint64_t args3[] = {e, ZX_EVENT_SIGNALED, INT64_MAX, U(&obs)};
  assert_true(fake_run(T, ZUM_SYS_object_wait_one, args3, 4, &c) == KCALL_PARKED);
  assert_int_equal(FAKE(T, handle_close, e), ZX_OK);
  assert_true(fake_completed(c, &r));
  assert_int_equal(r, ZX_ERR_CANCELED);
  assert_true(obs & ZX_SIGNAL_HANDLE_CLOSED);
}

static void test_wait_one_errors(void** state) {
  zx_handle_t e = make_event(), w = 0;
  assert_int_equal(FAKE(T, object_wait_one, 0x1233, 1, 0, 0), ZX_ERR_BAD_HANDLE);
  assert_int_equal(FAKE(T, handle_duplicate, e, ZX_RIGHT_INSPECT, U(&w)), ZX_OK);
  assert_int_equal(FAKE(T, object_wait_one, w, 1, 0, 0), ZX_ERR_ACCESS_DENIED);
  /* A faulting observed pointer is INVALID_ARGS. */
  assert_int_equal(FAKE(T, object_wait_one, e, ZX_EVENT_SIGNALED, 0, 16), ZX_ERR_INVALID_ARGS);
  FAKE(T, handle_close, e);
  FAKE(T, handle_close, w);
}

static void test_wait_many(void** state) {
  zx_handle_t a = make_event(), b = make_event();
  zx_wait_item_t items[3] = {{a, ZX_EVENT_SIGNALED, 0}, {b, ZX_USER_SIGNAL_0, 0}, {a, ZX_USER_SIGNAL_1, 0}};
  struct kcall* c;
  uint64_t args[] = {U(items), 3, INT64_MAX};
  assert_true(fake_run(T, ZUM_SYS_object_wait_many, args, 3, &c) == KCALL_PARKED);
  /* Two items on the same object both see the change; the wait completes once. */
  FAKE(T, object_signal, a, 0, ZX_USER_SIGNAL_1 | ZX_EVENT_SIGNALED);
  int64_t r;
  assert_true(fake_completed(c, &r));
  assert_int_equal(r, ZX_OK);
  assert_int_equal(items[0].pending, ZX_USER_SIGNAL_1 | ZX_EVENT_SIGNALED);
  assert_int_equal(items[1].pending, 0);
  assert_int_equal(items[2].pending, ZX_USER_SIGNAL_1 | ZX_EVENT_SIGNALED);
  /* Too many items. */
  zx_wait_item_t many[65];
  assert_int_equal(FAKE(T, object_wait_many, U(many), 65, 0), ZX_ERR_OUT_OF_RANGE);
  /* A bad handle among them. */
  items[1].handle = 0x777;
  assert_int_equal(FAKE(T, object_wait_many, U(items), 3, 0), ZX_ERR_BAD_HANDLE);
  /* Zero items: a plain sleep until the deadline. */
  assert_true(fake_run(T, ZUM_SYS_object_wait_many, (uint64_t[]){U(items), 0, fake_now + 10}, 3, &c) ==
              KCALL_PARKED);
  fake_advance(10);
  assert_true(fake_completed(c, &r));
  assert_int_equal(r, ZX_ERR_TIMED_OUT);
  FAKE(T, handle_close, a);
  FAKE(T, handle_close, b);
}

static void test_process_death_cancels_waits(void** state) {
  struct kproc* q = fake_process(NULL);
  struct kthread* tq = fake_thread(q);
  zx_handle_t e = 0;
  assert_int_equal(FAKE(tq, event_create, 0, U(&e)), ZX_OK);
  struct kcall* c;
  uint64_t args[] = {e, ZX_EVENT_SIGNALED, INT64_MAX, 0};
  assert_true(fake_run(tq, ZUM_SYS_object_wait_one, args, 4, &c) == KCALL_PARKED);
  uint32_t live = khandle_live_count();
  kproc_on_exit(q, 7);
  assert_true(fake_completed(c, NULL));
  assert_int_equal(khandle_live_count(), live - 1);
  assert_int_equal(q->state, KPROC_DEAD);
  assert_int_equal(q->return_code, 7);
  assert_true(q->base.signals & ZX_PROCESS_TERMINATED);
  kobj_unref(&q->base);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_handle_values, setup, teardown),
      cmocka_unit_test_setup_teardown(test_duplicate_rights, setup, teardown),
      cmocka_unit_test_setup_teardown(test_close_many, setup, teardown),
      cmocka_unit_test_setup_teardown(test_event_signals, setup, teardown),
      cmocka_unit_test_setup_teardown(test_eventpair, setup, teardown),
      cmocka_unit_test_setup_teardown(test_wait_one, setup, teardown),
      cmocka_unit_test_setup_teardown(test_wait_one_errors, setup, teardown),
      cmocka_unit_test_setup_teardown(test_wait_many, setup, teardown),
      cmocka_unit_test_setup_teardown(test_process_death_cancels_waits, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
