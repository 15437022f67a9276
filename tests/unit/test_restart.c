/* Unit tests: calls a Linux signal interrupted (kobj/restart.c). A call made again with its tag
 * gets the answer it was given without running again, or takes over its parked call; an
 * identical call with a new tag runs; a handler's call leaves the parked call it interrupted
 * waiting; what a thread may make the supervisor keep is bounded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zircon/syscalls/object.h>
#include <zircon/syscalls/port.h>
#include <zum/sysno.h>

#include "kobj/deadline.h"
#include "kobj/kcall_table.h"
#include "kobj/task.h"
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
  kobj_run_deferred();
  kobj_unref(&P->base);
  assert_int_equal(kdeadline_count(), 0);
  return 0;
}

/* One trap as the supervisor serves it: dispatch, then (unless it parked or was adopted) the
 * answer recorded as the transport does, `lost` when NOTIF_SEND said the thread was gone. */
static int64_t trap(uint32_t sysno, const uint64_t* args, unsigned n, uint64_t tag, bool lost,
                    struct kcall** out) {
  struct kcall* c = fake_call_tagged(T, sysno, args, n, tag);
  int64_t r = kcall_dispatch(c);
  if (r == KCALL_PARKED) {
    *out = c;
    return r;
  }
  if (r != KCALL_ADOPTED) {
    c->result = r;
    krestart_record(c, lost);
  }
  free(c);
  return r;
}

static zx_handle_t channel_pair(zx_handle_t* b) {
  zx_handle_t a = 0;
  assert_int_equal(FAKE(T, channel_create, 0, U(&a), U(b)), ZX_OK);
  return a;
}

static int64_t write_tagged(zx_handle_t ch, const uint32_t* v, uint64_t tag, bool lost) {
  uint64_t args[] = {ch, 0, U(v), sizeof(*v), 0, 0};
  return trap(ZUM_SYS_channel_write, args, 6, tag, lost, NULL);
}

static unsigned messages(zx_handle_t ch) {
  unsigned n = 0;
  uint32_t v, nb, nh;
  while (FAKE(T, channel_read, ch, 0, U(&v), 0, sizeof(v), 0, U(&nb), U(&nh)) == ZX_OK) n++;
  return n;
}

static void test_restart_gets_the_answer(void** state) {
  zx_handle_t b, a = channel_pair(&b);
  uint32_t v = 1;
  /* Answered (as far as NOTIF_SEND knows), then the same trap again: not written twice. */
  assert_int_equal(write_tagged(a, &v, 100, false), ZX_OK);
  assert_int_equal(write_tagged(a, &v, 100, false), ZX_OK);
  assert_int_equal(messages(b), 1);
  /* An identical call with a new tag is a new call. */
  assert_int_equal(write_tagged(a, &v, 101, false), ZX_OK);
  assert_int_equal(messages(b), 1);
  /* A failing call's restart gets the failure, even once the failure's cause is gone. */
  uint64_t bad[] = {a, 0, 0, 8, 0, 0};
  assert_int_equal(trap(ZUM_SYS_channel_write, bad, 6, 102, true, NULL), ZX_ERR_INVALID_ARGS);
  assert_int_equal(trap(ZUM_SYS_channel_write, bad, 6, 102, false, NULL), ZX_ERR_INVALID_ARGS);
  /* The same tag with other registers is not the same call. */
  uint32_t w = 2;
  assert_int_equal(write_tagged(a, &w, 100, false), ZX_OK);
  assert_int_equal(messages(b), 1);
  FAKE(T, handle_close, a);
  FAKE(T, handle_close, b);
}

static void test_handler_calls_between(void** state) {
  zx_handle_t b, a = channel_pair(&b);
  uint32_t v = 1;
  /* The answer to A found the thread in a handler, which made calls B and C. */
  assert_int_equal(write_tagged(a, &v, 200, true), ZX_OK);
  assert_int_equal(write_tagged(a, &v, 201, false), ZX_OK);
  assert_int_equal(write_tagged(a, &v, 202, false), ZX_OK);
  assert_int_equal(messages(b), 3);
  /* The handler returned and A is issued again: its answer, no fourth message. */
  assert_int_equal(write_tagged(a, &v, 200, false), ZX_OK);
  assert_int_equal(messages(b), 0);
  /* B's and C's answers went with their handler. */
  for (unsigned i = 0; i < KTHREAD_ANSWERS; i++)
    if (T->answers[i].valid) assert_true(T->answers[i].tag < 201);
  FAKE(T, handle_close, a);
  FAKE(T, handle_close, b);
}

static void test_parked_call_taken_over(void** state) {
  zx_handle_t port = 0;
  assert_int_equal(FAKE(T, port_create, 0, U(&port)), ZX_OK);
  zx_port_packet_t out;
  uint64_t wait[] = {port, ZX_TIME_INFINITE, U(&out)};
  struct kcall* c = NULL;
  assert_true(trap(ZUM_SYS_port_wait, wait, 3, 300, false, &c) == KCALL_PARKED);
  uint64_t first_id = c->id;
  /* Linux restarted it (SIGSTOP/SIGCONT): the parked call answers under the new id. */
  struct kcall* again = fake_call_tagged(T, ZUM_SYS_port_wait, wait, 3, 300);
  again->id = first_id + 1;
  assert_true(kcall_dispatch(again) == KCALL_ADOPTED);
  free(again);
  assert_ptr_equal(T->parked, c);
  assert_int_equal(c->id, first_id + 1);
  /* A handler's call while it waits: runs, and leaves the wait parked. */
  zx_handle_t ev = 0;
  uint64_t ec[] = {0, U(&ev)};
  assert_int_equal(trap(ZUM_SYS_event_create, ec, 2, 301, false, NULL), ZX_OK);
  assert_null(T->parked);
  assert_int_equal(T->num_interrupted, 1);
  assert_ptr_equal(T->interrupted[0], c);
  /* Running its handler, the thread is not blocked. */
  assert_int_equal(T->blocked_state, 0u);
  /* The handler returned: the restart takes the wait back. */
  again = fake_call_tagged(T, ZUM_SYS_port_wait, wait, 3, 300);
  assert_true(kcall_dispatch(again) == KCALL_ADOPTED);
  free(again);
  assert_ptr_equal(T->parked, c);
  assert_int_equal(T->num_interrupted, 0);
  assert_int_equal(T->blocked_state, ZX_THREAD_STATE_BLOCKED_PORT); /* blocked again */
  zx_port_packet_t p = {.key = 7, .type = ZX_PKT_TYPE_USER};
  assert_int_equal(FAKE(T, port_queue, port, U(&p)), ZX_OK);
  int64_t r;
  assert_true(fake_completed(c, &r));
  assert_int_equal(r, ZX_OK);
  assert_int_equal(out.key, 7);
  assert_null(T->parked);
  FAKE(T, handle_close, ev);
  FAKE(T, handle_close, port);
}

static void test_bounds(void** state) {
  zx_handle_t b, a = channel_pair(&b);
  uint32_t v = 1;
  /* A lost answer outlives any number of delivered ones after it. */
  assert_int_equal(write_tagged(a, &v, 400, true), ZX_OK);
  for (uint64_t i = 0; i < 3 * KTHREAD_ANSWERS; i++)
    assert_int_equal(write_tagged(a, &v, 401 + i, false), ZX_OK);
  unsigned kept = 0;
  for (unsigned i = 0; i < KTHREAD_ANSWERS; i++) kept += T->answers[i].valid;
  assert_int_equal(kept, KTHREAD_ANSWERS);
  messages(b);
  assert_int_equal(write_tagged(a, &v, 400, false), ZX_OK);
  assert_int_equal(messages(b), 0);
  /* Blocking calls nested in handlers: the oldest beyond the bound is abandoned. */
  zx_handle_t port = 0;
  assert_int_equal(FAKE(T, port_create, 0, U(&port)), ZX_OK);
  zx_port_packet_t out;
  uint64_t wait[] = {port, ZX_TIME_INFINITE, U(&out)};
  struct kcall* c[KTHREAD_INTERRUPTED + 2];
  for (unsigned i = 0; i < KTHREAD_INTERRUPTED + 2; i++)
    assert_true(trap(ZUM_SYS_port_wait, wait, 3, 500 + i, false, &c[i]) == KCALL_PARKED);
  assert_int_equal(T->num_interrupted, KTHREAD_INTERRUPTED);
  assert_true(fake_completed(c[0], NULL)); /* abandoned: released without an answer */
  assert_ptr_equal(T->interrupted[0], c[1]);
  assert_ptr_equal(T->parked, c[KTHREAD_INTERRUPTED + 1]);
  FAKE(T, handle_close, a);
  FAKE(T, handle_close, b);
  FAKE(T, handle_close, port);
  /* The thread ends: every call it left parked goes. */
  kthread_on_exit(T);
  for (unsigned i = 1; i < KTHREAD_INTERRUPTED + 2; i++) assert_true(fake_completed(c[i], NULL));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_restart_gets_the_answer, setup, teardown),
      cmocka_unit_test_setup_teardown(test_handler_calls_between, setup, teardown),
      cmocka_unit_test_setup_teardown(test_parked_call_taken_over, setup, teardown),
      cmocka_unit_test_setup_teardown(test_bounds, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
