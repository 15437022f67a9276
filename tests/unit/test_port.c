/* Unit tests: ports (create, queue, wait), object_wait_async (level, edge, timestamps,
 * one-shot, cancellation by handle close, port_cancel, port_cancel_key), teardown. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zum/sysno.h>

#include "kobj/deadline.h"
#include "kobj/handle.h"
#include "kobj/kcall_table.h"
#include "kobj/port.h"
#include "kobj/sysutil.h"
#include "tests/unit/fake_host.h"

static struct kproc* P;
static struct kthread* T;

static int64_t fake_boot_clock(void) { return fake_now + 5000000000ll; }

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

static zx_handle_t make_port(void) {
  zx_handle_t h = 0;
  assert_int_equal(FAKE(T, port_create, 0, U(&h)), ZX_OK);
  return h;
}

static zx_handle_t make_event(void) {
  zx_handle_t h = 0;
  assert_int_equal(FAKE(T, event_create, 0, U(&h)), ZX_OK);
  return h;
}

static zx_handle_t dup(zx_handle_t h, zx_rights_t rights) {
  zx_handle_t d = 0;
  assert_int_equal(FAKE(T, handle_duplicate, h, rights, U(&d)), ZX_OK);
  return d;
}

static struct kobj* obj_of(zx_handle_t h) {
  struct khandle* kh = khandle_lookup(P->table, h);
  assert_non_null(kh);
  return kh->obj;
}

/* A handle with rights no syscall would give (white box). */
static zx_handle_t forge(struct kproc* p, struct kobj* o, zx_rights_t rights) {
  return fake_give(p, o, rights);
}

static zx_port_packet_t user_packet(uint64_t key, uint64_t a) {
  zx_port_packet_t pk;
  memset(&pk, 0, sizeof(pk));
  pk.key = key;
  pk.type = ZX_PKT_TYPE_USER;
  pk.user.u64[0] = a;
  pk.user.u64[3] = ~a;
  return pk;
}

static zx_status_t queue(zx_handle_t port, uint64_t key, uint64_t a) {
  zx_port_packet_t pk = user_packet(key, a);
  return (zx_status_t)FAKE(T, port_queue, port, U(&pk));
}

/* Takes one packet now (deadline 0). */
static zx_status_t take(zx_handle_t port, zx_port_packet_t* out) {
  memset(out, 0xcc, sizeof(*out));
  return (zx_status_t)FAKE(T, port_wait, port, 0, U(out));
}

static void test_create(void** state) {
  zx_handle_t h = 0;
  assert_int_equal(FAKE(T, port_create, 0, U(&h)), ZX_OK);
  struct khandle* kh = khandle_lookup(P->table, h);
  assert_non_null(kh);
  assert_int_equal(kh->rights, ZX_DEFAULT_PORT_RIGHTS);
  assert_int_equal(kh->obj->ops->type, ZX_OBJ_TYPE_PORT);
  assert_false(kh->rights & ZX_RIGHT_WAIT);
  /* BIND_TO_INTERRUPT is accepted (there are no interrupts: it is a plain port). */
  zx_handle_t hi = 0;
  assert_int_equal(FAKE(T, port_create, ZX_PORT_BIND_TO_INTERRUPT, U(&hi)), ZX_OK);
  assert_int_equal(queue(hi, 1, 2), ZX_OK);
  zx_port_packet_t pk;
  assert_int_equal(take(hi, &pk), ZX_OK);
  assert_int_equal(pk.key, 1);
  /* Any other option bit. */
  zx_handle_t bad = 0;
  assert_int_equal(FAKE(T, port_create, 2, U(&bad)), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, port_create, ZX_PORT_BIND_TO_INTERRUPT | 4, U(&bad)),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(bad, 0);
  /* A faulting out pointer leaves no handle behind. */
  uint32_t before = P->table->count;
  assert_int_equal(FAKE(T, port_create, 0, 8), ZX_ERR_INVALID_ARGS);
  kobj_run_deferred();
  assert_int_equal(P->table->count, before);
  /* Ports cannot be waited on or signaled. */
  zx_handle_t w = forge(P, kh->obj, ZX_RIGHT_WAIT | ZX_RIGHT_SIGNAL);
  assert_int_equal(FAKE(T, object_wait_one, w, 1, 0, 0), ZX_ERR_NOT_SUPPORTED);
  assert_int_equal(FAKE(T, object_signal, w, 0, ZX_USER_SIGNAL_0), ZX_ERR_NOT_SUPPORTED);
  assert_int_equal(FAKE(T, handle_close, w), ZX_OK);
  assert_int_equal(FAKE(T, handle_close, h), ZX_OK);
  assert_int_equal(FAKE(T, handle_close, hi), ZX_OK);
}

static void test_queue_errors(void** state) {
  zx_handle_t port = make_port(), ev = make_event();
  zx_port_packet_t pk = user_packet(1, 1);
  assert_int_equal(FAKE(T, port_queue, 0x1233, U(&pk)), ZX_ERR_BAD_HANDLE);
  assert_int_equal(FAKE(T, port_queue, ev, U(&pk)), ZX_ERR_WRONG_TYPE);
  zx_handle_t ro = dup(port, ZX_RIGHT_READ | ZX_RIGHT_TRANSFER);
  assert_int_equal(FAKE(T, port_queue, ro, U(&pk)), ZX_ERR_ACCESS_DENIED);
  /* Rights are checked before the packet is read. */
  assert_int_equal(FAKE(T, port_queue, ro, 0), ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(T, port_queue, port, 0), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, port_queue, port, 16), ZX_ERR_INVALID_ARGS);
  assert_int_equal(kport_queued_count(obj_of(port)), 0);
  FAKE(T, handle_close, ro);
  FAKE(T, handle_close, ev);
  FAKE(T, handle_close, port);
}

static void test_queue_type_and_status(void** state) {
  zx_handle_t port = make_port();
  /* Zircon overwrites the type with USER and keeps key, status and payload. */
  zx_port_packet_t in = user_packet(42, 0x1122334455667788ull);
  in.type = ZX_PKT_TYPE_SIGNAL_ONE;
  in.status = ZX_ERR_IO;
  assert_int_equal(FAKE(T, port_queue, port, U(&in)), ZX_OK);
  in.type = 0x7777;
  in.key = 43;
  assert_int_equal(FAKE(T, port_queue, port, U(&in)), ZX_OK);
  zx_port_packet_t out;
  assert_int_equal(take(port, &out), ZX_OK);
  assert_int_equal(out.key, 42);
  assert_int_equal(out.type, ZX_PKT_TYPE_USER);
  assert_int_equal(out.status, ZX_ERR_IO);
  assert_int_equal(out.user.u64[0], 0x1122334455667788ull);
  assert_int_equal(out.user.u64[3], ~0x1122334455667788ull);
  assert_int_equal(take(port, &out), ZX_OK);
  assert_int_equal(out.key, 43);
  assert_int_equal(out.type, ZX_PKT_TYPE_USER);
  assert_int_equal(take(port, &out), ZX_ERR_TIMED_OUT);
  FAKE(T, handle_close, port);
}

static void test_wait_errors(void** state) {
  zx_handle_t port = make_port(), ev = make_event();
  zx_port_packet_t out;
  assert_int_equal(FAKE(T, port_wait, 0x1233, 0, U(&out)), ZX_ERR_BAD_HANDLE);
  assert_int_equal(FAKE(T, port_wait, ev, 0, U(&out)), ZX_ERR_WRONG_TYPE);
  zx_handle_t wo = dup(port, ZX_RIGHT_WRITE);
  assert_int_equal(FAKE(T, port_wait, wo, 0, U(&out)), ZX_ERR_ACCESS_DENIED);
  /* Empty with a past deadline: TIMED_OUT, with any pointer (it is not used). */
  assert_int_equal(FAKE(T, port_wait, port, 0, 0), ZX_ERR_TIMED_OUT);
  assert_int_equal(FAKE(T, port_wait, port, fake_now, U(&out)), ZX_ERR_TIMED_OUT);
  assert_int_equal(FAKE(T, port_wait, port, -5, U(&out)), ZX_ERR_TIMED_OUT);
  /* A NULL or faulting packet pointer: INVALID_ARGS, and the packet is consumed (Zircon
   * dequeues before it copies out). */
  assert_int_equal(queue(port, 1, 1), ZX_OK);
  assert_int_equal(queue(port, 2, 2), ZX_OK);
  assert_int_equal(FAKE(T, port_wait, port, 0, 0), ZX_ERR_INVALID_ARGS);
  assert_int_equal(kport_queued_count(obj_of(port)), 1);
  assert_int_equal(FAKE(T, port_wait, port, ZX_TIME_INFINITE, 8), ZX_ERR_INVALID_ARGS);
  assert_int_equal(kport_queued_count(obj_of(port)), 0);
  /* The same for a parked reader woken by a packet. */
  struct kcall* c;
  assert_true(fake_run(T, ZUM_SYS_port_wait, (uint64_t[]){port, ZX_TIME_INFINITE, 0}, 3, &c) ==
              KCALL_PARKED);
  assert_int_equal(queue(port, 3, 3), ZX_OK);
  int64_t r;
  assert_true(fake_completed(c, &r));
  assert_int_equal(r, ZX_ERR_INVALID_ARGS);
  assert_int_equal(kport_queued_count(obj_of(port)), 0);
  FAKE(T, handle_close, wo);
  FAKE(T, handle_close, ev);
  FAKE(T, handle_close, port);
}

static void test_fifo_and_past_deadline(void** state) {
  zx_handle_t port = make_port();
  for (uint64_t i = 0; i < 5; i++) assert_int_equal(queue(port, 100 + i, i), ZX_OK);
  zx_port_packet_t out;
  for (uint64_t i = 0; i < 5; i++) {
    /* A queued packet is returned whatever the deadline. */
    assert_int_equal(FAKE(T, port_wait, port, i == 0 ? -1 : 0, U(&out)), ZX_OK);
    assert_int_equal(out.key, 100 + i);
    assert_int_equal(out.user.u64[0], i);
  }
  assert_int_equal(take(port, &out), ZX_ERR_TIMED_OUT);
  FAKE(T, handle_close, port);
}

static void test_park_and_timeout(void** state) {
  zx_handle_t port = make_port();
  zx_port_packet_t out;
  struct kcall* c;
  int64_t r;
  assert_true(fake_run(T, ZUM_SYS_port_wait, (uint64_t[]){port, fake_now + 1000, U(&out)}, 3,
                       &c) == KCALL_PARKED);
  assert_ptr_equal(T->parked, c);
  assert_int_equal(T->blocked_state, ZX_THREAD_STATE_BLOCKED_PORT);
  fake_advance(999);
  assert_false(fake_completed(c, &r));
  fake_advance(1);
  assert_true(fake_completed(c, &r));
  assert_int_equal(r, ZX_ERR_TIMED_OUT);
  assert_null(T->parked);
  assert_int_equal(T->blocked_state, 0);
  /* Woken by a packet: the deadline is disarmed. */
  size_t armed = kdeadline_count();
  assert_true(fake_run(T, ZUM_SYS_port_wait, (uint64_t[]){port, fake_now + 1000, U(&out)}, 3,
                       &c) == KCALL_PARKED);
  assert_int_equal(kdeadline_count(), armed + 1);
  assert_int_equal(queue(port, 9, 99), ZX_OK);
  assert_true(fake_completed(c, &r));
  assert_int_equal(r, ZX_OK);
  assert_int_equal(out.key, 9);
  assert_int_equal(out.user.u64[0], 99);
  assert_int_equal(kdeadline_count(), armed);
  assert_int_equal(kport_queued_count(obj_of(port)), 0);
  fake_advance(2000);
  FAKE(T, handle_close, port);
}

static void test_several_waiters(void** state) {
  zx_handle_t port = make_port();
  struct kthread* t2 = fake_thread(P);
  struct kthread* t3 = fake_thread(P);
  zx_port_packet_t o1, o2, o3;
  struct kcall *c1, *c2, *c3;
  int64_t r;
  assert_true(fake_run(T, ZUM_SYS_port_wait, (uint64_t[]){port, ZX_TIME_INFINITE, U(&o1)}, 3,
                       &c1) == KCALL_PARKED);
  assert_true(fake_run(t2, ZUM_SYS_port_wait, (uint64_t[]){port, ZX_TIME_INFINITE, U(&o2)}, 3,
                       &c2) == KCALL_PARKED);
  assert_true(fake_run(t3, ZUM_SYS_port_wait, (uint64_t[]){port, fake_now + 50, U(&o3)}, 3,
                       &c3) == KCALL_PARKED);
  /* Each packet wakes one waiter, the oldest first. */
  assert_int_equal(queue(port, 1, 0), ZX_OK);
  assert_true(fake_completed(c1, &r));
  assert_int_equal(r, ZX_OK);
  assert_int_equal(o1.key, 1);
  assert_false(fake_completed(c2, NULL));
  assert_false(fake_completed(c3, NULL));
  assert_int_equal(queue(port, 2, 0), ZX_OK);
  assert_true(fake_completed(c2, &r));
  assert_int_equal(r, ZX_OK);
  assert_int_equal(o2.key, 2);
  assert_false(fake_completed(c3, NULL));
  fake_advance(50);
  assert_true(fake_completed(c3, &r));
  assert_int_equal(r, ZX_ERR_TIMED_OUT);
  FAKE(T, handle_close, port);
}

static void test_queue_limit(void** state) {
  zx_handle_t port = make_port(), ev = make_event();
  /* Zircon refuses a user packet once more than KPORT_MAX_USER_PACKETS are queued. */
  for (uint32_t i = 0; i <= KPORT_MAX_USER_PACKETS; i++) assert_int_equal(queue(port, i, i), ZX_OK);
  assert_int_equal(queue(port, 1, 1), ZX_ERR_SHOULD_WAIT);
  assert_int_equal(kport_queued_count(obj_of(port)), KPORT_MAX_USER_PACKETS + 1);
  /* Signal packets do not count against it. */
  assert_int_equal(FAKE(T, object_signal, ev, 0, ZX_EVENT_SIGNALED), ZX_OK);
  assert_int_equal(FAKE(T, object_wait_async, ev, port, 7, ZX_EVENT_SIGNALED, 0), ZX_OK);
  assert_int_equal(kport_queued_count(obj_of(port)), KPORT_MAX_USER_PACKETS + 2);
  /* Taking one makes room for one. */
  zx_port_packet_t out;
  assert_int_equal(take(port, &out), ZX_OK);
  assert_int_equal(out.key, 0);
  assert_int_equal(queue(port, 1, 1), ZX_OK);
  assert_int_equal(queue(port, 1, 1), ZX_ERR_SHOULD_WAIT);
  /* The packets are freed with the port (ASan checks). */
  FAKE(T, handle_close, ev);
  FAKE(T, handle_close, port);
}

static void test_wait_async_errors(void** state) {
  zx_handle_t port = make_port(), ev = make_event();
  assert_int_equal(FAKE(T, object_wait_async, ev, port, 1, 1, 8), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, object_wait_async, ev, port, 1, 1, 0x80000000u), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, object_wait_async, ev, port, 1, 1,
                        ZX_WAIT_ASYNC_TIMESTAMP | ZX_WAIT_ASYNC_BOOT_TIMESTAMP),
                   ZX_ERR_INVALID_ARGS);
  /* Options are checked before handles. */
  assert_int_equal(FAKE(T, object_wait_async, 0x1233, 0x1233, 1, 1, 8), ZX_ERR_INVALID_ARGS);
  /* The port handle first. */
  assert_int_equal(FAKE(T, object_wait_async, ev, 0x1233, 1, 1, 0), ZX_ERR_BAD_HANDLE);
  assert_int_equal(FAKE(T, object_wait_async, 0x1233, ev, 1, 1, 0), ZX_ERR_WRONG_TYPE);
  zx_handle_t pr = dup(port, ZX_RIGHT_READ);
  assert_int_equal(FAKE(T, object_wait_async, 0x1233, pr, 1, 1, 0), ZX_ERR_ACCESS_DENIED);
  /* Then the object. */
  assert_int_equal(FAKE(T, object_wait_async, 0x1233, port, 1, 1, 0), ZX_ERR_BAD_HANDLE);
  zx_handle_t nowait = dup(ev, ZX_RIGHT_SIGNAL);
  assert_int_equal(FAKE(T, object_wait_async, nowait, port, 1, 1, 0), ZX_ERR_ACCESS_DENIED);
  /* A port cannot be waited on (normally its handles lack WAIT, which comes first). */
  assert_int_equal(FAKE(T, object_wait_async, port, port, 1, 1, 0), ZX_ERR_ACCESS_DENIED);
  zx_handle_t pw = forge(P, obj_of(port), ZX_RIGHT_WAIT);
  assert_int_equal(FAKE(T, object_wait_async, pw, port, 1, 1, 0), ZX_ERR_NOT_SUPPORTED);
  assert_int_equal(kport_wait_count(obj_of(port)), 0);
  assert_int_equal(kport_queued_count(obj_of(port)), 0);
  FAKE(T, handle_close, pw);
  FAKE(T, handle_close, pr);
  FAKE(T, handle_close, nowait);
  FAKE(T, handle_close, ev);
  FAKE(T, handle_close, port);
}

static void test_level_already_asserted(void** state) {
  zx_handle_t port = make_port(), ev = make_event();
  assert_int_equal(FAKE(T, object_signal, ev, 0, ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_2), ZX_OK);
  assert_int_equal(
      FAKE(T, object_wait_async, ev, port, 0xabcdef, ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_0, 0),
      ZX_OK);
  /* Queued at once; the wait is over. */
  assert_int_equal(kport_wait_count(obj_of(port)), 0);
  zx_port_packet_t out;
  assert_int_equal(take(port, &out), ZX_OK);
  assert_int_equal(out.key, 0xabcdef);
  assert_int_equal(out.type, ZX_PKT_TYPE_SIGNAL_ONE);
  assert_int_equal(out.status, ZX_OK);
  assert_int_equal(out.signal.trigger, ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_0);
  assert_int_equal(out.signal.observed, ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_2);
  assert_int_equal(out.signal.count, 1);
  assert_int_equal(out.signal.timestamp, 0); /* not asked for */
  assert_int_equal(out.signal.reserved1, 0);
  /* One-shot: later changes queue nothing. */
  FAKE(T, object_signal, ev, ZX_EVENT_SIGNALED, 0);
  FAKE(T, object_signal, ev, 0, ZX_EVENT_SIGNALED);
  assert_int_equal(take(port, &out), ZX_ERR_TIMED_OUT);
  FAKE(T, handle_close, ev);
  FAKE(T, handle_close, port);
}

static void test_level_later(void** state) {
  zx_handle_t port = make_port(), ev = make_event();
  assert_int_equal(FAKE(T, object_wait_async, ev, port, 5, ZX_USER_SIGNAL_1, 0), ZX_OK);
  assert_int_equal(kport_wait_count(obj_of(port)), 1);
  zx_port_packet_t out;
  assert_int_equal(take(port, &out), ZX_ERR_TIMED_OUT);
  /* A signal it does not watch changes nothing. */
  FAKE(T, object_signal, ev, 0, ZX_USER_SIGNAL_0);
  assert_int_equal(take(port, &out), ZX_ERR_TIMED_OUT);
  FAKE(T, object_signal, ev, 0, ZX_USER_SIGNAL_1);
  assert_int_equal(kport_wait_count(obj_of(port)), 0);
  assert_int_equal(take(port, &out), ZX_OK);
  assert_int_equal(out.key, 5);
  assert_int_equal(out.signal.trigger, ZX_USER_SIGNAL_1);
  assert_int_equal(out.signal.observed, ZX_USER_SIGNAL_0 | ZX_USER_SIGNAL_1);
  assert_int_equal(out.signal.count, 1);
  /* Exactly one packet. */
  FAKE(T, object_signal, ev, ZX_USER_SIGNAL_1, 0);
  FAKE(T, object_signal, ev, 0, ZX_USER_SIGNAL_1);
  assert_int_equal(take(port, &out), ZX_ERR_TIMED_OUT);
  FAKE(T, handle_close, ev);
  FAKE(T, handle_close, port);
}

static void test_edge(void** state) {
  zx_handle_t port = make_port(), ev = make_event();
  zx_port_packet_t out;
  FAKE(T, object_signal, ev, 0, ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_0);
  assert_int_equal(FAKE(T, object_wait_async, ev, port, 1, ZX_EVENT_SIGNALED, ZX_WAIT_ASYNC_EDGE),
                   ZX_OK);
  /* Already asserted: nothing yet. */
  assert_int_equal(kport_wait_count(obj_of(port)), 1);
  assert_int_equal(take(port, &out), ZX_ERR_TIMED_OUT);
  /* Clearing never reports, nor does setting what is already set. */
  FAKE(T, object_signal, ev, ZX_USER_SIGNAL_0, 0);
  FAKE(T, object_signal, ev, 0, ZX_EVENT_SIGNALED);
  assert_int_equal(take(port, &out), ZX_ERR_TIMED_OUT);
  FAKE(T, object_signal, ev, ZX_EVENT_SIGNALED, 0);
  assert_int_equal(take(port, &out), ZX_ERR_TIMED_OUT);
  /* The transition to active reports. */
  FAKE(T, object_signal, ev, 0, ZX_EVENT_SIGNALED);
  assert_int_equal(take(port, &out), ZX_OK);
  assert_int_equal(out.key, 1);
  assert_int_equal(out.signal.observed, ZX_EVENT_SIGNALED);
  assert_int_equal(kport_wait_count(obj_of(port)), 0);

  /* As Zircon's UpdateState: any signal becoming active reports an edge wait whose watched
   * signals are asserted at that moment. */
  assert_int_equal(FAKE(T, object_wait_async, ev, port, 2, ZX_EVENT_SIGNALED, ZX_WAIT_ASYNC_EDGE),
                   ZX_OK);
  FAKE(T, object_signal, ev, 0, ZX_USER_SIGNAL_3);
  assert_int_equal(take(port, &out), ZX_OK);
  assert_int_equal(out.key, 2);
  assert_int_equal(out.signal.observed, ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_3);
  FAKE(T, handle_close, ev);
  FAKE(T, handle_close, port);
}

static void test_timestamps(void** state) {
  zx_handle_t port = make_port(), ev = make_event();
  assert_int_equal(FAKE(T, object_wait_async, ev, port, 1, ZX_USER_SIGNAL_0,
                        ZX_WAIT_ASYNC_TIMESTAMP),
                   ZX_OK);
  assert_int_equal(FAKE(T, object_wait_async, ev, port, 2, ZX_USER_SIGNAL_0,
                        ZX_WAIT_ASYNC_BOOT_TIMESTAMP | ZX_WAIT_ASYNC_EDGE),
                   ZX_OK);
  fake_advance(12345);
  int64_t when = fake_now;
  FAKE(T, object_signal, ev, 0, ZX_USER_SIGNAL_0);
  fake_advance(100);
  zx_port_packet_t out;
  assert_int_equal(take(port, &out), ZX_OK);
  assert_int_equal(out.key, 1);
  assert_int_equal(out.signal.timestamp, when);
  assert_int_equal(take(port, &out), ZX_OK);
  assert_int_equal(out.key, 2);
  assert_int_equal(out.signal.timestamp, when + 5000000000ll);
  /* Level and already asserted: the time of the wait_async call. */
  assert_int_equal(FAKE(T, object_wait_async, ev, port, 3, ZX_USER_SIGNAL_0,
                        ZX_WAIT_ASYNC_TIMESTAMP),
                   ZX_OK);
  assert_int_equal(take(port, &out), ZX_OK);
  assert_int_equal(out.signal.timestamp, fake_now);
  FAKE(T, handle_close, ev);
  FAKE(T, handle_close, port);
}

static void test_packet_to_parked_reader(void** state) {
  zx_handle_t port = make_port(), ev = make_event();
  zx_port_packet_t out;
  struct kcall* c;
  int64_t r;
  assert_int_equal(FAKE(T, object_wait_async, ev, port, 77, ZX_EVENT_SIGNALED, 0), ZX_OK);
  assert_true(fake_run(T, ZUM_SYS_port_wait, (uint64_t[]){port, ZX_TIME_INFINITE, U(&out)}, 3,
                       &c) == KCALL_PARKED);
  struct kthread* t2 = fake_thread(P);
  assert_int_equal(FAKE(t2, object_signal, ev, 0, ZX_EVENT_SIGNALED), ZX_OK);
  assert_true(fake_completed(c, &r));
  assert_int_equal(r, ZX_OK);
  assert_int_equal(out.key, 77);
  assert_int_equal(out.type, ZX_PKT_TYPE_SIGNAL_ONE);
  assert_int_equal(kport_queued_count(obj_of(port)), 0);
  FAKE(T, handle_close, ev);
  FAKE(T, handle_close, port);
}

static void test_many_waits_one_signal(void** state) {
  zx_handle_t port = make_port(), ev = make_event(), ev2 = dup(ev, ZX_RIGHT_SAME_RIGHTS);
  assert_int_equal(FAKE(T, object_wait_async, ev, port, 1, ZX_USER_SIGNAL_0, 0), ZX_OK);
  assert_int_equal(FAKE(T, object_wait_async, ev2, port, 2, ZX_USER_SIGNAL_0, 0), ZX_OK);
  assert_int_equal(FAKE(T, object_wait_async, ev, port, 3, ZX_USER_SIGNAL_1, 0), ZX_OK);
  assert_int_equal(kport_wait_count(obj_of(port)), 3);
  FAKE(T, object_signal, ev, 0, ZX_USER_SIGNAL_0);
  assert_int_equal(kport_queued_count(obj_of(port)), 2);
  assert_int_equal(kport_wait_count(obj_of(port)), 1);
  zx_port_packet_t a, b, x;
  assert_int_equal(take(port, &a), ZX_OK);
  assert_int_equal(take(port, &b), ZX_OK);
  assert_int_equal(take(port, &x), ZX_ERR_TIMED_OUT);
  assert_int_equal(a.key + b.key, 3);
  assert_int_not_equal(a.key, b.key);
  FAKE(T, handle_close, ev2);
  FAKE(T, handle_close, ev);
  assert_int_equal(kport_wait_count(obj_of(port)), 0);
  FAKE(T, handle_close, port);
}

static void test_close_cancels(void** state) {
  zx_handle_t port = make_port(), ev = make_event(), d = dup(ev, ZX_RIGHT_SAME_RIGHTS);
  assert_int_equal(FAKE(T, object_wait_async, d, port, 1, ZX_EVENT_SIGNALED, 0), ZX_OK);
  assert_int_equal(FAKE(T, object_wait_async, ev, port, 2, ZX_EVENT_SIGNALED, 0), ZX_OK);
  assert_int_equal(kport_wait_count(obj_of(port)), 2);
  /* Closing the handle a wait was made through ends it without a packet. */
  assert_int_equal(FAKE(T, handle_close, d), ZX_OK);
  assert_int_equal(kport_wait_count(obj_of(port)), 1);
  zx_port_packet_t out;
  assert_int_equal(take(port, &out), ZX_ERR_TIMED_OUT);
  FAKE(T, object_signal, ev, 0, ZX_EVENT_SIGNALED);
  assert_int_equal(take(port, &out), ZX_OK);
  assert_int_equal(out.key, 2);
  assert_int_equal(take(port, &out), ZX_ERR_TIMED_OUT);
  /* A packet already queued outlives the handle. */
  d = dup(ev, ZX_RIGHT_SAME_RIGHTS);
  assert_int_equal(FAKE(T, object_wait_async, d, port, 3, ZX_EVENT_SIGNALED, 0), ZX_OK);
  assert_int_equal(FAKE(T, handle_close, d), ZX_OK);
  assert_int_equal(take(port, &out), ZX_OK);
  assert_int_equal(out.key, 3);
  /* Closing the last handle of the object cancels too. */
  assert_int_equal(FAKE(T, object_wait_async, ev, port, 4, ZX_USER_SIGNAL_5, 0), ZX_OK);
  assert_int_equal(FAKE(T, handle_close, ev), ZX_OK);
  assert_int_equal(kport_wait_count(obj_of(port)), 0);
  assert_int_equal(take(port, &out), ZX_ERR_TIMED_OUT);
  FAKE(T, handle_close, port);
}

static void test_port_cancel(void** state) {
  zx_handle_t port = make_port(), ev = make_event(), other = dup(ev, ZX_RIGHT_SAME_RIGHTS);
  zx_port_packet_t out;
  /* Errors, in Zircon's order: the port (BAD_HANDLE, WRONG_TYPE, WRITE), then the source. */
  assert_int_equal(FAKE(T, port_cancel, 0x1233, ev, 1), ZX_ERR_BAD_HANDLE);
  assert_int_equal(FAKE(T, port_cancel, ev, ev, 1), ZX_ERR_WRONG_TYPE);
  zx_handle_t pr = dup(port, ZX_RIGHT_READ);
  assert_int_equal(FAKE(T, port_cancel, pr, 0x1233, 1), ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(T, port_cancel, port, 0x1233, 1), ZX_ERR_BAD_HANDLE);
  zx_handle_t nowait = dup(ev, ZX_RIGHT_SIGNAL);
  assert_int_equal(FAKE(T, port_cancel, port, nowait, 1), ZX_ERR_ACCESS_DENIED);
  zx_handle_t pw = forge(P, obj_of(port), ZX_RIGHT_WAIT);
  assert_int_equal(FAKE(T, port_cancel, port, pw, 1), ZX_ERR_NOT_SUPPORTED);
  /* Nothing to cancel. */
  assert_int_equal(FAKE(T, port_cancel, port, ev, 1), ZX_ERR_NOT_FOUND);

  /* A pending wait: removed; only that handle's, only that key. */
  assert_int_equal(FAKE(T, object_wait_async, ev, port, 1, ZX_USER_SIGNAL_0, 0), ZX_OK);
  assert_int_equal(FAKE(T, object_wait_async, ev, port, 1, ZX_USER_SIGNAL_1, 0), ZX_OK);
  assert_int_equal(FAKE(T, object_wait_async, ev, port, 2, ZX_USER_SIGNAL_0, 0), ZX_OK);
  assert_int_equal(FAKE(T, object_wait_async, other, port, 1, ZX_USER_SIGNAL_0, 0), ZX_OK);
  assert_int_equal(FAKE(T, port_cancel, port, ev, 1), ZX_OK);
  assert_int_equal(kport_wait_count(obj_of(port)), 2);
  assert_int_equal(FAKE(T, port_cancel, port, ev, 1), ZX_ERR_NOT_FOUND);
  FAKE(T, object_signal, ev, 0, ZX_USER_SIGNAL_0 | ZX_USER_SIGNAL_1);
  assert_int_equal(take(port, &out), ZX_OK);
  assert_int_equal(out.key, 2);
  assert_int_equal(take(port, &out), ZX_OK);
  assert_int_equal(out.key, 1); /* through `other` */
  assert_int_equal(take(port, &out), ZX_ERR_TIMED_OUT);

  /* Queued signal packets of that handle and key are removed too; user packets with the key
   * and other handles' packets stay. */
  assert_int_equal(queue(port, 5, 0), ZX_OK);
  assert_int_equal(FAKE(T, object_wait_async, ev, port, 5, ZX_USER_SIGNAL_0, 0), ZX_OK);
  assert_int_equal(FAKE(T, object_wait_async, other, port, 5, ZX_USER_SIGNAL_0, 0), ZX_OK);
  assert_int_equal(FAKE(T, object_wait_async, ev, port, 6, ZX_USER_SIGNAL_0, 0), ZX_OK);
  assert_int_equal(kport_queued_count(obj_of(port)), 4);
  assert_int_equal(FAKE(T, port_cancel, port, ev, 5), ZX_OK);
  assert_int_equal(kport_queued_count(obj_of(port)), 3);
  assert_int_equal(take(port, &out), ZX_OK);
  assert_int_equal(out.type, ZX_PKT_TYPE_USER);
  assert_int_equal(out.key, 5);
  assert_int_equal(take(port, &out), ZX_OK);
  assert_int_equal(out.type, ZX_PKT_TYPE_SIGNAL_ONE);
  assert_int_equal(out.key, 5);
  assert_int_equal(take(port, &out), ZX_OK);
  assert_int_equal(out.key, 6);
  assert_int_equal(FAKE(T, port_cancel, port, ev, 5), ZX_ERR_NOT_FOUND);
  /* Another port's waits are not touched. */
  zx_handle_t port2 = make_port();
  assert_int_equal(FAKE(T, object_wait_async, ev, port2, 8, ZX_USER_SIGNAL_7, 0), ZX_OK);
  assert_int_equal(FAKE(T, port_cancel, port, ev, 8), ZX_ERR_NOT_FOUND);
  assert_int_equal(kport_wait_count(obj_of(port2)), 1);
  assert_int_equal(FAKE(T, port_cancel, port2, ev, 8), ZX_OK);
  assert_int_equal(kport_wait_count(obj_of(port2)), 0);
  FAKE(T, handle_close, port2);
  FAKE(T, handle_close, pw);
  FAKE(T, handle_close, pr);
  FAKE(T, handle_close, nowait);
  FAKE(T, handle_close, other);
  FAKE(T, handle_close, ev);
  FAKE(T, handle_close, port);
}

static void test_port_cancel_key(void** state) {
  zx_handle_t port = make_port(), ev = make_event(), other = dup(ev, ZX_RIGHT_SAME_RIGHTS);
  zx_port_packet_t out;
  assert_int_equal(FAKE(T, port_cancel_key, port, 1, 5), ZX_ERR_INVALID_ARGS);
  /* Options are checked before the handle. */
  assert_int_equal(FAKE(T, port_cancel_key, 0x1233, 1, 5), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, port_cancel_key, 0x1233, 0, 5), ZX_ERR_BAD_HANDLE);
  assert_int_equal(FAKE(T, port_cancel_key, ev, 0, 5), ZX_ERR_WRONG_TYPE);
  zx_handle_t pr = dup(port, ZX_RIGHT_READ);
  assert_int_equal(FAKE(T, port_cancel_key, pr, 0, 5), ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(T, port_cancel_key, port, 0, 5), ZX_ERR_NOT_FOUND);
  /* Every wait with the key (whatever the handle) and every packet with it, user ones too. */
  assert_int_equal(queue(port, 5, 0), ZX_OK);
  assert_int_equal(queue(port, 6, 0), ZX_OK);
  assert_int_equal(FAKE(T, object_wait_async, ev, port, 5, ZX_USER_SIGNAL_0, 0), ZX_OK);
  assert_int_equal(FAKE(T, object_wait_async, other, port, 5, ZX_USER_SIGNAL_1, 0), ZX_OK);
  assert_int_equal(FAKE(T, object_wait_async, other, port, 6, ZX_USER_SIGNAL_1, 0), ZX_OK);
  FAKE(T, object_signal, ev, 0, ZX_USER_SIGNAL_0);
  assert_int_equal(kport_queued_count(obj_of(port)), 3);
  assert_int_equal(kport_wait_count(obj_of(port)), 2);
  assert_int_equal(FAKE(T, port_cancel_key, port, 0, 5), ZX_OK);
  assert_int_equal(kport_queued_count(obj_of(port)), 1);
  assert_int_equal(kport_wait_count(obj_of(port)), 1);
  FAKE(T, object_signal, ev, 0, ZX_USER_SIGNAL_1);
  assert_int_equal(take(port, &out), ZX_OK);
  assert_int_equal(out.key, 6);
  assert_int_equal(out.type, ZX_PKT_TYPE_USER);
  assert_int_equal(take(port, &out), ZX_OK);
  assert_int_equal(out.key, 6);
  assert_int_equal(out.type, ZX_PKT_TYPE_SIGNAL_ONE);
  assert_int_equal(take(port, &out), ZX_ERR_TIMED_OUT);
  assert_int_equal(FAKE(T, port_cancel_key, port, 0, 5), ZX_ERR_NOT_FOUND);
  FAKE(T, handle_close, pr);
  FAKE(T, handle_close, other);
  FAKE(T, handle_close, ev);
  FAKE(T, handle_close, port);
}

static void test_port_destroyed_with_waits(void** state) {
  zx_handle_t port = make_port(), ev = make_event();
  for (uint64_t k = 0; k < 4; k++)
    assert_int_equal(FAKE(T, object_wait_async, ev, port, k, ZX_USER_SIGNAL_0, 0), ZX_OK);
  FAKE(T, object_signal, ev, 0, ZX_EVENT_SIGNALED);
  assert_int_equal(FAKE(T, object_wait_async, ev, port, 9, ZX_EVENT_SIGNALED, 0), ZX_OK);
  assert_int_equal(queue(port, 10, 0), ZX_OK);
  struct kobj* evo = obj_of(ev);
  assert_int_equal(list_length(&evo->observers), 4);
  /* The last port handle goes: packets freed, waits detached from the event. */
  assert_int_equal(FAKE(T, handle_close, port), ZX_OK);
  assert_true(list_empty(&evo->observers));
  /* The event works on. */
  assert_int_equal(FAKE(T, object_signal, ev, 0, ZX_USER_SIGNAL_0), ZX_OK);
  FAKE(T, handle_close, ev);
}

static void test_port_closed_under_signal_before_reap(void** state) {
  /* A wait that fires after the last port handle is gone but before the deferred detach runs
   * frees itself: no packet, no leak. */
  zx_handle_t port = make_port(), ev = make_event();
  assert_int_equal(FAKE(T, object_wait_async, ev, port, 1, ZX_USER_SIGNAL_0, 0), ZX_OK);
  assert_int_equal(FAKE(T, object_wait_async, ev, port, 2, ZX_USER_SIGNAL_1, 0), ZX_OK);
  struct kcall* c = fake_call(T, ZUM_SYS_handle_close, (uint64_t[]){port}, 1);
  assert_int_equal(kcall_dispatch(c), ZX_OK);
  free(c);
  struct kobj* evo = obj_of(ev);
  assert_int_equal(list_length(&evo->observers), 2);
  /* Not yet reaped: one fires, one is cancelled by closing the event. */
  kobj_signal(evo, 0, ZX_USER_SIGNAL_0);
  assert_int_equal(list_length(&evo->observers), 1);
  assert_int_equal(FAKE(T, handle_close, ev), ZX_OK); /* runs the reap too */
}

static void test_reader_survives_port_close(void** state) {
  /* As Zircon: closing the port's last handle does not wake a port_wait in progress; it ends at
   * its deadline. */
  zx_handle_t port = make_port();
  struct kthread* t2 = fake_thread(P);
  zx_port_packet_t out;
  struct kcall* c;
  int64_t r;
  assert_true(fake_run(t2, ZUM_SYS_port_wait, (uint64_t[]){port, fake_now + 100, U(&out)}, 3,
                       &c) == KCALL_PARKED);
  assert_int_equal(FAKE(T, handle_close, port), ZX_OK);
  assert_false(fake_completed(c, &r));
  fake_advance(100);
  assert_true(fake_completed(c, &r));
  assert_int_equal(r, ZX_ERR_TIMED_OUT);
}

static void test_waiter_process_dies(void** state) {
  struct kproc* q = fake_process(NULL);
  struct kthread* tq = fake_thread(q);
  struct kthread* tq2 = fake_thread(q);
  zx_handle_t qport = 0;
  assert_int_equal(FAKE(tq, port_create, 0, U(&qport)), ZX_OK);
  /* q waits on an event of P's through its own handle, and blocks in port_wait. */
  zx_handle_t ev = make_event();
  struct kobj* evo = obj_of(ev);
  zx_handle_t qev = forge(q, evo, ZX_DEFAULT_EVENT_RIGHTS);
  assert_int_equal(FAKE(tq, object_wait_async, qev, qport, 1, ZX_USER_SIGNAL_0, 0), ZX_OK);
  assert_int_equal(FAKE(tq, object_wait_async, qev, qport, 2, ZX_USER_SIGNAL_0, ZX_WAIT_ASYNC_EDGE),
                   ZX_OK);
  assert_int_equal(FAKE(tq, port_queue, qport, U(&(zx_port_packet_t){.key = 3})), ZX_OK);
  zx_port_packet_t out;
  assert_int_equal(FAKE(tq, port_wait, qport, 0, U(&out)), ZX_OK);
  struct kcall* c;
  assert_true(fake_run(tq2, ZUM_SYS_port_wait, (uint64_t[]){qport, fake_now + 1000, U(&out)}, 3,
                       &c) == KCALL_PARKED);
  assert_int_equal(list_length(&evo->observers), 2);
  size_t armed = kdeadline_count();
  kproc_on_exit(q, 0);
  kobj_run_deferred();
  /* The parked call is released, its deadline gone, the waits detached. */
  assert_true(fake_completed(c, NULL));
  assert_int_equal(kdeadline_count(), armed - 1);
  assert_true(list_empty(&evo->observers));
  assert_int_equal(FAKE(T, object_signal, ev, 0, ZX_USER_SIGNAL_0), ZX_OK);
  kobj_unref(&q->base);
  FAKE(T, handle_close, ev);
}

static void test_queue_to_reader_of_other_process(void** state) {
  /* A port handle in two processes: P queues, q's thread receives. */
  zx_handle_t port = make_port();
  struct kproc* q = fake_process(NULL);
  struct kthread* tq = fake_thread(q);
  zx_handle_t qport = forge(q, obj_of(port), ZX_DEFAULT_PORT_RIGHTS);
  zx_port_packet_t out;
  struct kcall* c;
  int64_t r;
  assert_true(fake_run(tq, ZUM_SYS_port_wait, (uint64_t[]){qport, ZX_TIME_INFINITE, U(&out)}, 3,
                       &c) == KCALL_PARKED);
  assert_int_equal(queue(port, 31, 41), ZX_OK);
  assert_true(fake_completed(c, &r));
  assert_int_equal(r, ZX_OK);
  assert_int_equal(out.key, 31);
  assert_int_equal(out.user.u64[0], 41);
  kproc_on_exit(q, 0);
  kobj_run_deferred();
  kobj_unref(&q->base);
  FAKE(T, handle_close, port);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_create, setup, teardown),
      cmocka_unit_test_setup_teardown(test_queue_errors, setup, teardown),
      cmocka_unit_test_setup_teardown(test_queue_type_and_status, setup, teardown),
      cmocka_unit_test_setup_teardown(test_wait_errors, setup, teardown),
      cmocka_unit_test_setup_teardown(test_fifo_and_past_deadline, setup, teardown),
      cmocka_unit_test_setup_teardown(test_park_and_timeout, setup, teardown),
      cmocka_unit_test_setup_teardown(test_several_waiters, setup, teardown),
      cmocka_unit_test_setup_teardown(test_queue_limit, setup, teardown),
      cmocka_unit_test_setup_teardown(test_wait_async_errors, setup, teardown),
      cmocka_unit_test_setup_teardown(test_level_already_asserted, setup, teardown),
      cmocka_unit_test_setup_teardown(test_level_later, setup, teardown),
      cmocka_unit_test_setup_teardown(test_edge, setup, teardown),
      cmocka_unit_test_setup_teardown(test_timestamps, setup, teardown),
      cmocka_unit_test_setup_teardown(test_packet_to_parked_reader, setup, teardown),
      cmocka_unit_test_setup_teardown(test_many_waits_one_signal, setup, teardown),
      cmocka_unit_test_setup_teardown(test_close_cancels, setup, teardown),
      cmocka_unit_test_setup_teardown(test_port_cancel, setup, teardown),
      cmocka_unit_test_setup_teardown(test_port_cancel_key, setup, teardown),
      cmocka_unit_test_setup_teardown(test_port_destroyed_with_waits, setup, teardown),
      cmocka_unit_test_setup_teardown(test_port_closed_under_signal_before_reap, setup, teardown),
      cmocka_unit_test_setup_teardown(test_reader_survives_port_close, setup, teardown),
      cmocka_unit_test_setup_teardown(test_waiter_process_dies, setup, teardown),
      cmocka_unit_test_setup_teardown(test_queue_to_reader_of_other_process, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
