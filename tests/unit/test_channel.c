/* Unit tests: channels. Create, read/write (+_etc), handle transfer and consumption, signals,
 * peer closing, queue limit, lifetime and cycle collection, zx_channel_call (replies, txids,
 * timeouts, cancellation). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zum/sysno.h>

#include "kobj/channel.h"
#include "kobj/deadline.h"
#include "kobj/handle.h"
#include "kobj/sysutil.h"
#include "tests/unit/fake_host.h"

static struct kproc* P;
static struct kthread* T;
static uint32_t live_at_start;

static int setup(void** state) {
  fake_boot();
  live_at_start = khandle_live_count();
  P = fake_process(NULL);
  T = fake_thread(P);
  return 0;
}

static int teardown(void** state) {
  kproc_on_exit(P, 0);
  kobj_unref(&P->base);
  kobj_run_deferred();
  /* Everything a test made is gone: no message, no handle left behind. */
  assert_int_equal(kchannel_live_messages(), 0);
  assert_int_equal(khandle_live_count(), live_at_start);
  return 0;
}

/* ---- helpers */

static void mkchan(struct kthread* t, zx_handle_t* a, zx_handle_t* b) {
  assert_int_equal(FAKE(t, channel_create, 0, U(a), U(b)), ZX_OK);
}

static zx_handle_t mkevent(struct kthread* t) {
  zx_handle_t h = 0;
  assert_int_equal(FAKE(t, event_create, 0, U(&h)), ZX_OK);
  return h;
}

static struct khandle* H(struct kproc* p, zx_handle_t v) { return khandle_lookup(p->table, v); }
static struct kobj* OBJ(zx_handle_t v) { return H(P, v)->obj; }
static bool valid(zx_handle_t v) { return H(P, v) != NULL; }

static int64_t wr(zx_handle_t ch, const void* bytes, uint32_t nb, const zx_handle_t* hs,
                  uint32_t nh) {
  return FAKE(T, channel_write, ch, 0, U(bytes), nb, U(hs), nh);
}

static int64_t rd(zx_handle_t ch, uint32_t opts, void* bytes, uint32_t nb, zx_handle_t* hs,
                  uint32_t nh, uint32_t* ab, uint32_t* ah) {
  return FAKE(T, channel_read, ch, opts, U(bytes), U(hs), nb, nh, U(ab), U(ah));
}

static int64_t call_park(struct kthread* t, zx_handle_t ch, zx_instant_mono_t deadline,
                         const zx_channel_call_args_t* args, uint32_t* ab, uint32_t* ah,
                         struct kcall** parked) {
  uint64_t a[] = {ch, 0, (uint64_t)deadline, U(args), U(ab), U(ah)};
  return fake_run(t, ZUM_SYS_channel_call, a, 6, parked);
}

/* ---- create, signals */

static void test_create(void** state) {
  zx_handle_t a = 0, b = 0;
  assert_int_equal(FAKE(T, channel_create, 1, U(&a), U(&b)), ZX_ERR_INVALID_ARGS);
  /* A faulting out pointer keeps no handle. */
  uint32_t live = khandle_live_count();
  assert_int_equal(FAKE(T, channel_create, 0, U(&a), 16), ZX_ERR_INVALID_ARGS);
  assert_int_equal(khandle_live_count(), live);
  mkchan(T, &a, &b);
  assert_int_not_equal(a, b);
  assert_int_equal(H(P, a)->rights, ZX_DEFAULT_CHANNEL_RIGHTS);
  assert_int_equal(H(P, b)->rights, ZX_DEFAULT_CHANNEL_RIGHTS);
  assert_int_equal(OBJ(a)->ops->type, ZX_OBJ_TYPE_CHANNEL);
  assert_int_equal(OBJ(a)->signals, ZX_CHANNEL_WRITABLE);
  assert_int_equal(OBJ(a)->ops->related_koid(OBJ(a)), OBJ(b)->koid);
  assert_int_equal(OBJ(b)->ops->related_koid(OBJ(b)), OBJ(a)->koid);
  /* User signals on the peer work (SIGNAL_PEER is in the default rights). */
  assert_int_equal(FAKE(T, object_signal_peer, a, 0, ZX_USER_SIGNAL_2), ZX_OK);
  assert_true(OBJ(b)->signals & ZX_USER_SIGNAL_2);
  FAKE(T, handle_close, a);
  FAKE(T, handle_close, b);
}

static void test_write_read(void** state) {
  zx_handle_t a, b;
  mkchan(T, &a, &b);
  char buf[64];
  uint32_t ab = 99, ah = 99;
  assert_int_equal(rd(b, 0, buf, sizeof(buf), NULL, 0, &ab, &ah), ZX_ERR_SHOULD_WAIT);
  assert_int_equal(ab, 99); /* nothing reported when there is nothing */
  assert_int_equal(wr(a, "hello", 5, NULL, 0), ZX_OK);
  assert_int_equal(wr(a, "", 0, NULL, 0), ZX_OK); /* empty messages are messages */
  assert_int_equal(wr(a, "world!", 6, NULL, 0), ZX_OK);
  assert_true(OBJ(b)->signals & ZX_CHANNEL_READABLE);
  assert_false(OBJ(a)->signals & ZX_CHANNEL_READABLE);
  assert_int_equal(rd(b, 0, buf, sizeof(buf), NULL, 0, &ab, &ah), ZX_OK);
  assert_int_equal(ab, 5);
  assert_int_equal(ah, 0);
  assert_memory_equal(buf, "hello", 5);
  assert_int_equal(rd(b, 0, NULL, 0, NULL, 0, &ab, NULL), ZX_OK);
  assert_int_equal(ab, 0);
  assert_true(OBJ(b)->signals & ZX_CHANNEL_READABLE);
  /* Actual pointers are optional. */
  assert_int_equal(rd(b, 0, buf, sizeof(buf), NULL, 0, NULL, NULL), ZX_OK);
  assert_memory_equal(buf, "world!", 6);
  assert_false(OBJ(b)->signals & ZX_CHANNEL_READABLE);
  /* Both directions. */
  assert_int_equal(wr(b, "x", 1, NULL, 0), ZX_OK);
  assert_int_equal(rd(a, 0, buf, 1, NULL, 0, &ab, &ah), ZX_OK);
  assert_int_equal(buf[0], 'x');
  FAKE(T, handle_close, a);
  FAKE(T, handle_close, b);
}

static void test_read_errors(void** state) {
  zx_handle_t a, b, e = mkevent(T), ro = 0, wo = 0, c1, c2;
  mkchan(T, &a, &b);
  mkchan(T, &c1, &c2);
  char buf[8];
  assert_int_equal(rd(0x1233, 0, buf, 8, NULL, 0, NULL, NULL), ZX_ERR_BAD_HANDLE);
  assert_int_equal(rd(e, 0, buf, 8, NULL, 0, NULL, NULL), ZX_ERR_WRONG_TYPE);
  assert_int_equal(FAKE(T, handle_replace, c1, ZX_RIGHT_WRITE | ZX_RIGHT_TRANSFER, U(&wo)), ZX_OK);
  assert_int_equal(rd(wo, 0, buf, 8, NULL, 0, NULL, NULL), ZX_ERR_ACCESS_DENIED);
  /* Rights are checked before options. */
  assert_int_equal(rd(wo, 2, buf, 8, NULL, 0, NULL, NULL), ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(T, handle_replace, b, ZX_RIGHT_READ | ZX_RIGHT_WRITE, U(&ro)), ZX_OK);
  assert_int_equal(rd(ro, 2, buf, 8, NULL, 0, NULL, NULL), ZX_ERR_NOT_SUPPORTED);
  assert_int_equal(rd(ro, ~1u, buf, 8, NULL, 0, NULL, NULL), ZX_ERR_NOT_SUPPORTED);
  /* A faulting actual pointer fails the read after the message was taken. */
  zx_handle_t ev = mkevent(T);
  assert_int_equal(wr(a, "abc", 3, &ev, 1), ZX_OK);
  uint32_t live = khandle_live_count();
  assert_int_equal(rd(ro, 0, buf, 8, (zx_handle_t[1]){0}, 1, (uint32_t*)16, NULL),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(khandle_live_count(), live - 1);
  /* Too small with a faulting actual pointer: the message stays. */
  assert_int_equal(wr(a, "abc", 3, NULL, 0), ZX_OK);
  assert_int_equal(wr(a, "def", 3, NULL, 0), ZX_OK);
  assert_int_equal(rd(ro, 0, buf, 1, NULL, 0, (uint32_t*)16, NULL), ZX_ERR_INVALID_ARGS);
  assert_int_equal(rd(ro, 0, buf, 8, NULL, 0, NULL, NULL), ZX_OK);
  assert_memory_equal(buf, "abc", 3);
  assert_int_equal(rd(ro, 0, buf, 8, NULL, 0, NULL, NULL), ZX_OK);
  assert_memory_equal(buf, "def", 3);
  /* A faulting bytes buffer loses the message, and its handles are closed. */
  ev = mkevent(T);
  live = khandle_live_count();
  assert_int_equal(wr(a, "abc", 3, &ev, 1), ZX_OK);
  assert_int_equal(khandle_live_count(), live);
  assert_int_equal(rd(ro, 0, (void*)32, 8, (zx_handle_t[1]){0}, 1, NULL, NULL), ZX_ERR_INVALID_ARGS);
  assert_int_equal(khandle_live_count(), live - 1);
  /* So does a faulting handle buffer (bytes are written first). */
  ev = mkevent(T);
  assert_int_equal(wr(a, "xyz", 3, &ev, 1), ZX_OK);
  memset(buf, 0, sizeof(buf));
  assert_int_equal(rd(ro, 0, buf, 8, (zx_handle_t*)64, 1, NULL, NULL), ZX_ERR_INVALID_ARGS);
  assert_memory_equal(buf, "xyz", 3);
  assert_int_equal(khandle_live_count(), live - 1);
  assert_int_equal(rd(ro, 0, buf, 8, NULL, 0, NULL, NULL), ZX_ERR_SHOULD_WAIT);
  zx_handle_t all[] = {a, ro, e, wo, c2};
  assert_int_equal(FAKE(T, handle_close_many, U(all), 5), ZX_OK);
}

static void test_buffer_too_small(void** state) {
  zx_handle_t a, b, ev = mkevent(T);
  mkchan(T, &a, &b);
  assert_int_equal(wr(a, "0123456789", 10, &ev, 1), ZX_OK);
  char buf[16];
  zx_handle_t hs[2];
  uint32_t ab = 0, ah = 0;
  assert_int_equal(rd(b, 0, buf, 4, hs, 2, &ab, &ah), ZX_ERR_BUFFER_TOO_SMALL);
  assert_int_equal(ab, 10);
  assert_int_equal(ah, 1);
  assert_int_equal(rd(b, 0, buf, 16, hs, 0, &ab, &ah), ZX_ERR_BUFFER_TOO_SMALL);
  assert_true(OBJ(b)->signals & ZX_CHANNEL_READABLE); /* still queued */
  assert_int_equal(rd(b, 0, buf, 10, hs, 1, &ab, &ah), ZX_OK);
  assert_memory_equal(buf, "0123456789", 10);
  assert_true(valid(hs[0]));
  assert_int_equal(OBJ(hs[0])->ops->type, ZX_OBJ_TYPE_EVENT);
  /* MAY_DISCARD: too small drops the message and closes its handles. */
  assert_int_equal(wr(a, "0123456789", 10, &hs[0], 1), ZX_OK);
  assert_int_equal(wr(a, "next", 4, NULL, 0), ZX_OK);
  uint32_t live = khandle_live_count();
  ab = ah = 0;
  assert_int_equal(rd(b, ZX_CHANNEL_READ_MAY_DISCARD, buf, 4, hs, 0, &ab, &ah),
                   ZX_ERR_BUFFER_TOO_SMALL);
  assert_int_equal(ab, 10);
  assert_int_equal(ah, 1);
  assert_int_equal(khandle_live_count(), live - 1);
  assert_int_equal(rd(b, ZX_CHANNEL_READ_MAY_DISCARD, buf, 4, hs, 0, &ab, &ah), ZX_OK);
  assert_memory_equal(buf, "next", 4);
  assert_false(OBJ(b)->signals & ZX_CHANNEL_READABLE);
  FAKE(T, handle_close, a);
  FAKE(T, handle_close, b);
}

/* ---- write: errors and consumption */

static void test_write_errors(void** state) {
  zx_handle_t a, b, e = mkevent(T);
  mkchan(T, &a, &b);
  zx_handle_t ev;
  /* Bad options: INVALID_ARGS, and the handles are consumed. */
  ev = mkevent(T);
  assert_int_equal(FAKE(T, channel_write, a, 4, U("x"), 1, U(&ev), 1), ZX_ERR_INVALID_ARGS);
  assert_false(valid(ev));
  ev = mkevent(T);
  assert_int_equal(wr(0x1233, "x", 1, &ev, 1), ZX_ERR_BAD_HANDLE);
  assert_false(valid(ev));
  ev = mkevent(T);
  assert_int_equal(wr(e, "x", 1, &ev, 1), ZX_ERR_WRONG_TYPE);
  assert_false(valid(ev));
  zx_handle_t ro = 0;
  assert_int_equal(FAKE(T, handle_duplicate, e, ZX_RIGHT_SAME_RIGHTS, U(&ev)), ZX_OK);
  zx_handle_t a2 = 0;
  mkchan(T, &ro, &a2);
  assert_int_equal(FAKE(T, handle_replace, ro, ZX_RIGHT_READ, U(&ro)), ZX_OK);
  assert_int_equal(wr(ro, "x", 1, &ev, 1), ZX_ERR_ACCESS_DENIED);
  assert_false(valid(ev));
  /* Limits. */
  static uint8_t big[ZX_CHANNEL_MAX_MSG_BYTES + 1];
  assert_int_equal(wr(a, big, ZX_CHANNEL_MAX_MSG_BYTES, NULL, 0), ZX_OK);
  ev = mkevent(T);
  assert_int_equal(wr(a, big, ZX_CHANNEL_MAX_MSG_BYTES + 1, &ev, 1), ZX_ERR_OUT_OF_RANGE);
  assert_false(valid(ev));
  /* Too many handles: all of them are consumed, even past 64, as Zircon's RemoveUserHandles. */
  zx_handle_t many[70];
  for (int i = 0; i < 70; i++) many[i] = mkevent(T);
  assert_int_equal(wr(a, "x", 1, many, 65), ZX_ERR_OUT_OF_RANGE);
  for (int i = 0; i < 65; i++) assert_false(valid(many[i]));
  for (int i = 65; i < 70; i++) assert_true(valid(many[i]));
  /* However long the list claims to be: read up to KHANDLE_ARENA_SIZE entries (a 2^32 list is
   * cut there; every entry past 64 is still looked at). */
  zx_handle_t* huge = calloc(KHANDLE_ARENA_SIZE + 64, sizeof(*huge));
  assert_non_null(huge);
  huge[0] = mkevent(T);
  huge[100000] = mkevent(T);
  zx_handle_t beyond = mkevent(T);
  huge[KHANDLE_ARENA_SIZE] = beyond;
  assert_int_equal(wr(a, "x", 1, huge, UINT32_MAX), ZX_ERR_OUT_OF_RANGE);
  assert_false(valid(huge[0]));
  assert_false(valid(huge[100000]));
  assert_true(valid(beyond));
  free(huge);
  assert_int_equal(wr(a, "x", 1, &many[65], 5), ZX_OK);
  assert_int_equal(FAKE(T, handle_close, beyond), ZX_OK);
  /* A faulting byte buffer. */
  ev = mkevent(T);
  assert_int_equal(wr(a, (void*)16, 4, &ev, 1), ZX_ERR_INVALID_ARGS);
  assert_false(valid(ev));
  /* A faulting handle list consumes nothing (it cannot be read). */
  assert_int_equal(wr(a, "x", 1, (zx_handle_t*)16, 1), ZX_ERR_INVALID_ARGS);
  /* Without TRANSFER: ACCESS_DENIED, and the whole list is consumed, good entries too. */
  zx_handle_t nt = 0, good = mkevent(T);
  assert_int_equal(FAKE(T, handle_duplicate, e, ZX_RIGHT_WAIT, U(&nt)), ZX_OK);
  zx_handle_t list[2] = {good, nt};
  uint32_t msgs = (uint32_t)kchannel_live_messages();
  assert_int_equal(wr(a, "x", 1, list, 2), ZX_ERR_ACCESS_DENIED);
  assert_false(valid(good));
  assert_false(valid(nt));
  assert_int_equal(kchannel_live_messages(), msgs);
  /* A channel cannot carry its own handle: NOT_SUPPORTED (Zircon's user_handles.cc); the handle
   * is consumed all the same. The peer's handle may travel. */
  zx_handle_t c1, c2;
  mkchan(T, &c1, &c2);
  assert_int_equal(wr(c1, "x", 1, &c1, 1), ZX_ERR_NOT_SUPPORTED);
  assert_false(valid(c1));
  assert_true(OBJ(c2)->signals & ZX_CHANNEL_PEER_CLOSED);
  /* A bad value among good ones: BAD_HANDLE, the good ones are closed. */
  good = mkevent(T);
  zx_handle_t list2[2] = {good, 0x1233};
  assert_int_equal(wr(a, "x", 1, list2, 2), ZX_ERR_BAD_HANDLE);
  assert_false(valid(good));
  /* The same value twice: the second lookup fails. */
  good = mkevent(T);
  zx_handle_t list3[2] = {good, good};
  assert_int_equal(wr(a, "x", 1, list3, 2), ZX_ERR_BAD_HANDLE);
  assert_false(valid(good));
  /* Drain what was written: the 64 KiB message and the five handles. */
  static uint8_t rbuf[ZX_CHANNEL_MAX_MSG_BYTES];
  zx_handle_t hs[5];
  uint32_t ab, ah;
  assert_int_equal(rd(b, 0, rbuf, sizeof(rbuf), NULL, 0, &ab, &ah), ZX_OK);
  assert_int_equal(ab, ZX_CHANNEL_MAX_MSG_BYTES);
  assert_int_equal(rd(b, 0, rbuf, 1, hs, 5, &ab, &ah), ZX_OK);
  assert_int_equal(ah, 5);
  for (int i = 0; i < 5; i++) assert_true(valid(hs[i]));
  assert_int_equal(rd(b, 0, rbuf, 1, hs, 5, &ab, &ah), ZX_ERR_SHOULD_WAIT);
  zx_handle_t all[] = {a, b, e, ro, a2, c2, hs[0], hs[1], hs[2], hs[3], hs[4]};
  assert_int_equal(FAKE(T, handle_close_many, U(all), sizeof(all) / sizeof(all[0])), ZX_OK);
}

static void test_transfer(void** state) {
  zx_handle_t a, b, e = mkevent(T), low = 0;
  mkchan(T, &a, &b);
  assert_int_equal(FAKE(T, handle_duplicate, e, ZX_RIGHT_TRANSFER | ZX_RIGHT_WAIT, U(&low)), ZX_OK);
  struct kobj* eo = OBJ(e);
  kobj_ref(eo);
  zx_handle_t send[2] = {e, low};
  assert_int_equal(wr(a, "hi", 2, send, 2), ZX_OK);
  assert_false(valid(e));
  assert_false(valid(low));
  assert_int_equal(eo->handle_count, 2); /* in flight, still counted */
  /* Read back: new values in the reader's table, with the rights they were sent with. */
  zx_handle_t got[2] = {0, 0};
  char buf[4];
  uint32_t ab = 0, ah = 0;
  assert_int_equal(rd(b, 0, buf, 4, got, 2, &ab, &ah), ZX_OK);
  assert_int_equal(ah, 2);
  assert_ptr_equal(OBJ(got[0]), eo);
  assert_int_equal(H(P, got[0])->rights, ZX_DEFAULT_EVENT_RIGHTS);
  assert_int_equal(H(P, got[1])->rights, ZX_RIGHT_TRANSFER | ZX_RIGHT_WAIT);
  /* Sent again and never read: closing the reader's end closes them. */
  assert_int_equal(wr(a, "again", 5, got, 2), ZX_OK);
  assert_int_equal(eo->handle_count, 2);
  FAKE(T, handle_close, b);
  assert_int_equal(eo->handle_count, 0);
  kobj_unref(eo);
  FAKE(T, handle_close, a);
}

static void test_transfer_between_processes(void** state) {
  struct kproc* q = fake_process(NULL);
  struct kthread* tq = fake_thread(q);
  zx_handle_t a, b, e = mkevent(T), low = 0;
  mkchan(T, &a, &b);
  /* Hand b to q through a start-up style transfer: write it through another channel. */
  zx_handle_t x, y;
  mkchan(T, &x, &y);
  assert_int_equal(wr(x, "b", 1, &b, 1), ZX_OK);
  zx_handle_t yq = 0;
  {
    struct khandle* hy = H(P, y);
    khandle_detach(hy);
    yq = khandle_attach(q->table, hy);
  }
  zx_handle_t bq = 0;
  char c;
  assert_int_equal(FAKE(tq, channel_read, yq, 0, U(&c), U(&bq), 1, 1, 0, 0), ZX_OK);
  assert_non_null(H(q, bq));
  assert_int_equal(FAKE(T, handle_duplicate, e, ZX_RIGHT_TRANSFER | ZX_RIGHT_WAIT, U(&low)), ZX_OK);
  struct kobj* eo = OBJ(e);
  zx_handle_t send[2] = {e, low};
  assert_int_equal(wr(a, "hi", 2, send, 2), ZX_OK);
  assert_false(valid(e));
  assert_false(valid(low));
  assert_int_equal(eo->handle_count, 2); /* in flight, still counted */
  zx_handle_info_t info[2];
  char buf[4];
  uint32_t ab = 0, ah = 0;
  assert_int_equal(FAKE(tq, channel_read_etc, bq, 0, U(buf), U(info), 4, 2, U(&ab), U(&ah)), ZX_OK);
  assert_int_equal(ab, 2);
  assert_int_equal(ah, 2);
  assert_int_equal(info[0].type, ZX_OBJ_TYPE_EVENT);
  assert_int_equal(info[0].rights, ZX_DEFAULT_EVENT_RIGHTS);
  assert_int_equal(info[0].unused, 0);
  assert_int_equal(info[1].type, ZX_OBJ_TYPE_EVENT);
  assert_int_equal(info[1].rights, ZX_RIGHT_TRANSFER | ZX_RIGHT_WAIT);
  assert_ptr_equal(H(q, info[0].handle)->obj, eo);
  assert_ptr_equal(H(q, info[1].handle)->obj, eo);
  assert_int_equal(H(q, info[1].handle)->rights, ZX_RIGHT_TRANSFER | ZX_RIGHT_WAIT);
  assert_null(H(P, info[0].handle)); /* the values mean nothing in the sender */
  /* q signals the event it received; P sees it through a handle sent back. */
  assert_int_equal(FAKE(tq, object_signal, info[0].handle, 0, ZX_EVENT_SIGNALED), ZX_OK);
  assert_int_equal(FAKE(tq, channel_write, bq, 0, U("r"), 1, U(&info[0].handle), 1), ZX_OK);
  zx_handle_t back = 0;
  assert_int_equal(FAKE(T, channel_read, a, 0, U(buf), U(&back), 4, 1, 0, 0), ZX_OK);
  assert_ptr_equal(OBJ(back), eo);
  assert_true(eo->signals & ZX_EVENT_SIGNALED);
  /* q dies: its end closes, a sees PEER_CLOSED. */
  kproc_on_exit(q, 0);
  kobj_unref(&q->base);
  assert_true(OBJ(a)->signals & ZX_CHANNEL_PEER_CLOSED);
  assert_false(OBJ(a)->signals & ZX_CHANNEL_WRITABLE);
  zx_handle_t all[] = {a, back, x};
  assert_int_equal(FAKE(T, handle_close_many, U(all), 3), ZX_OK);
}

static void test_write_etc(void** state) {
  zx_handle_t a, b, e = mkevent(T);
  mkchan(T, &a, &b);
  /* MOVE with fewer rights, DUPLICATE keeping the source. */
  zx_handle_t e2 = 0;
  assert_int_equal(FAKE(T, handle_duplicate, e, ZX_RIGHT_SAME_RIGHTS, U(&e2)), ZX_OK);
  zx_handle_disposition_t d[2] = {
      {ZX_HANDLE_OP_MOVE, e2, ZX_OBJ_TYPE_EVENT, ZX_RIGHT_TRANSFER | ZX_RIGHT_SIGNAL, ZX_OK},
      {ZX_HANDLE_OP_DUPLICATE, e, ZX_OBJ_TYPE_NONE, ZX_RIGHT_SAME_RIGHTS, ZX_OK},
  };
  assert_int_equal(FAKE(T, channel_write_etc, a, 0, U("m"), 1, U(d), 2), ZX_OK);
  assert_false(valid(e2));
  assert_true(valid(e));
  zx_handle_info_t info[2];
  uint32_t ab, ah;
  char buf[4];
  assert_int_equal(FAKE(T, channel_read_etc, b, 0, U(buf), U(info), 4, 2, U(&ab), U(&ah)), ZX_OK);
  assert_int_equal(info[0].rights, ZX_RIGHT_TRANSFER | ZX_RIGHT_SIGNAL);
  assert_int_equal(info[1].rights, ZX_DEFAULT_EVENT_RIGHTS);
  assert_ptr_equal(OBJ(info[0].handle), OBJ(e));
  assert_ptr_equal(OBJ(info[1].handle), OBJ(e));
  FAKE(T, handle_close, info[0].handle);
  FAKE(T, handle_close, info[1].handle);

  /* Failures: each entry gets its own result; MOVE entries are consumed, DUPLICATE ones stay. */
  zx_handle_t m1 = 0, m2 = 0, m3 = 0, nodup = 0, m4 = 0;
  assert_int_equal(FAKE(T, handle_duplicate, e, ZX_RIGHT_SAME_RIGHTS, U(&m1)), ZX_OK);
  assert_int_equal(FAKE(T, handle_duplicate, e, ZX_RIGHT_SAME_RIGHTS, U(&m2)), ZX_OK);
  assert_int_equal(FAKE(T, handle_duplicate, e, ZX_RIGHT_SAME_RIGHTS, U(&m3)), ZX_OK);
  assert_int_equal(FAKE(T, handle_duplicate, e, ZX_RIGHT_SAME_RIGHTS, U(&m4)), ZX_OK);
  assert_int_equal(FAKE(T, handle_duplicate, e, ZX_RIGHT_TRANSFER | ZX_RIGHT_WAIT, U(&nodup)),
                   ZX_OK);
  zx_handle_disposition_t f[7] = {
      {ZX_HANDLE_OP_MOVE, m1, ZX_OBJ_TYPE_NONE, ZX_RIGHT_SAME_RIGHTS, ZX_OK},      /* fine */
      {ZX_HANDLE_OP_MOVE, m2, ZX_OBJ_TYPE_VMO, ZX_RIGHT_SAME_RIGHTS, ZX_OK},       /* type */
      {ZX_HANDLE_OP_MOVE, m3, ZX_OBJ_TYPE_EVENT, ZX_RIGHT_WRITE, ZX_OK},           /* rights */
      {ZX_HANDLE_OP_DUPLICATE, nodup, ZX_OBJ_TYPE_NONE, ZX_RIGHT_SAME_RIGHTS, ZX_OK}, /* DUP */
      {7, m4, ZX_OBJ_TYPE_NONE, ZX_RIGHT_SAME_RIGHTS, ZX_OK},                      /* bad op */
      {ZX_HANDLE_OP_DUPLICATE, 0x1233, ZX_OBJ_TYPE_NONE, ZX_RIGHT_SAME_RIGHTS, ZX_OK},
      {ZX_HANDLE_OP_DUPLICATE, e, ZX_OBJ_TYPE_EVENT, ZX_RIGHT_SAME_RIGHTS, ZX_OK},  /* fine */
  };
  assert_int_equal(FAKE(T, channel_write_etc, a, 0, U("m"), 1, U(f), 7), ZX_ERR_WRONG_TYPE);
  assert_int_equal(f[0].result, ZX_OK);
  assert_int_equal(f[1].result, ZX_ERR_WRONG_TYPE);
  assert_int_equal(f[2].result, ZX_ERR_INVALID_ARGS);
  assert_int_equal(f[3].result, ZX_ERR_ACCESS_DENIED);
  assert_int_equal(f[4].result, ZX_ERR_INVALID_ARGS);
  assert_int_equal(f[5].result, ZX_ERR_BAD_HANDLE);
  assert_int_equal(f[6].result, ZX_OK);
  assert_false(valid(m1));
  assert_false(valid(m2));
  assert_false(valid(m3));
  assert_false(valid(m4));
  assert_true(valid(nodup));
  assert_true(valid(e));
  assert_false(OBJ(b)->signals & ZX_CHANNEL_READABLE);
  assert_int_equal(OBJ(e)->handle_count, 2); /* e and nodup: nothing left in flight */
  /* Early failure (bad options): MOVE entries are consumed, DUPLICATE entries are not. */
  assert_int_equal(FAKE(T, handle_duplicate, e, ZX_RIGHT_SAME_RIGHTS, U(&m1)), ZX_OK);
  zx_handle_disposition_t g[2] = {
      {ZX_HANDLE_OP_MOVE, m1, ZX_OBJ_TYPE_NONE, ZX_RIGHT_SAME_RIGHTS, ZX_OK},
      {ZX_HANDLE_OP_DUPLICATE, nodup, ZX_OBJ_TYPE_NONE, ZX_RIGHT_SAME_RIGHTS, ZX_OK},
  };
  assert_int_equal(FAKE(T, channel_write_etc, a, 1, U("m"), 1, U(g), 2), ZX_ERR_INVALID_ARGS);
  assert_false(valid(m1));
  assert_true(valid(nodup));
  /* A channel cannot duplicate itself into itself either. */
  zx_handle_disposition_t s = {ZX_HANDLE_OP_DUPLICATE, a, ZX_OBJ_TYPE_NONE, ZX_RIGHT_SAME_RIGHTS,
                               ZX_OK};
  assert_int_equal(FAKE(T, channel_write_etc, a, 0, U("m"), 1, U(&s), 1), ZX_ERR_NOT_SUPPORTED);
  assert_int_equal(s.result, ZX_ERR_NOT_SUPPORTED);
  assert_true(valid(a));
  zx_handle_t all[] = {a, b, e, nodup};
  assert_int_equal(FAKE(T, handle_close_many, U(all), 4), ZX_OK);
}

static void test_iovec(void** state) {
  zx_handle_t a, b;
  mkchan(T, &a, &b);
  zx_channel_iovec_t v[3] = {{"ab", 2, 0}, {"", 0, 0}, {"cde", 3, 0}};
  assert_int_equal(FAKE(T, channel_write, a, ZX_CHANNEL_WRITE_USE_IOVEC, U(v), 3, 0, 0), ZX_OK);
  char buf[32];
  uint32_t ab, ah;
  assert_int_equal(rd(b, 0, buf, sizeof(buf), NULL, 0, &ab, &ah), ZX_OK);
  assert_int_equal(ab, 5);
  assert_memory_equal(buf, "abcde", 5);
  /* Many iovecs (past the 16 checked up front). */
  static zx_channel_iovec_t many[40];
  for (int i = 0; i < 40; i++) many[i] = (zx_channel_iovec_t){"0123456789" + (i % 10), 1, 0};
  assert_int_equal(FAKE(T, channel_write, a, ZX_CHANNEL_WRITE_USE_IOVEC, U(many), 40, 0, 0), ZX_OK);
  assert_int_equal(rd(b, 0, buf, sizeof(buf), NULL, 0, &ab, &ah), ZX_ERR_BUFFER_TOO_SMALL);
  assert_int_equal(ab, 40);
  static char rb[64];
  assert_int_equal(rd(b, 0, rb, sizeof(rb), NULL, 0, &ab, &ah), ZX_OK);
  assert_memory_equal(rb, "0123456789012345678901234567890123456789", 40);
  /* Errors. */
  zx_handle_t ev = mkevent(T);
  v[1].reserved = 1;
  assert_int_equal(FAKE(T, channel_write, a, ZX_CHANNEL_WRITE_USE_IOVEC, U(v), 3, U(&ev), 1),
                   ZX_ERR_INVALID_ARGS);
  assert_false(valid(ev));
  v[1].reserved = 0;
  static uint8_t big[40000];
  zx_channel_iovec_t bigv[2] = {{big, 40000, 0}, {big, 40000, 0}};
  assert_int_equal(FAKE(T, channel_write, a, ZX_CHANNEL_WRITE_USE_IOVEC, U(bigv), 2, 0, 0),
                   ZX_ERR_OUT_OF_RANGE);
  many[20] = (zx_channel_iovec_t){big, 40000, 0};
  many[30] = (zx_channel_iovec_t){big, 40000, 0};
  assert_int_equal(FAKE(T, channel_write, a, ZX_CHANNEL_WRITE_USE_IOVEC, U(many), 40, 0, 0),
                   ZX_ERR_OUT_OF_RANGE);
  many[31].reserved = 5; /* long lists are checked in order: the size fails first (at 30) */
  assert_int_equal(FAKE(T, channel_write, a, ZX_CHANNEL_WRITE_USE_IOVEC, U(many), 40, 0, 0),
                   ZX_ERR_OUT_OF_RANGE);
  many[20].capacity = 1;
  assert_int_equal(FAKE(T, channel_write, a, ZX_CHANNEL_WRITE_USE_IOVEC, U(many), 40, 0, 0),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, channel_write, a, ZX_CHANNEL_WRITE_USE_IOVEC, U(many), 8193, 0, 0),
                   ZX_ERR_OUT_OF_RANGE);
  zx_channel_iovec_t badp = {(void*)16, 4, 0};
  assert_int_equal(FAKE(T, channel_write, a, ZX_CHANNEL_WRITE_USE_IOVEC, U(&badp), 1, 0, 0),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, channel_write, a, ZX_CHANNEL_WRITE_USE_IOVEC, 16, 1, 0, 0),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(rd(b, 0, buf, sizeof(buf), NULL, 0, &ab, &ah), ZX_ERR_SHOULD_WAIT);
  FAKE(T, handle_close, a);
  FAKE(T, handle_close, b);
}

static void test_queue_limit(void** state) {
  zx_handle_t a, b;
  mkchan(T, &a, &b);
  for (uint32_t i = 0; i < KCHANNEL_MAX_PENDING; i++) assert_int_equal(wr(a, &i, 4, NULL, 0), ZX_OK);
  zx_handle_t ev = mkevent(T);
  assert_int_equal(wr(a, "x", 1, &ev, 1), ZX_ERR_SHOULD_WAIT);
  assert_false(valid(ev));
  /* Still writable (the limit is not a signal), and reading makes room. */
  assert_true(OBJ(a)->signals & ZX_CHANNEL_WRITABLE);
  uint32_t v;
  assert_int_equal(rd(b, 0, &v, 4, NULL, 0, NULL, NULL), ZX_OK);
  assert_int_equal(v, 0);
  assert_int_equal(wr(a, "x", 1, NULL, 0), ZX_OK);
  /* Closing the reader frees them all. */
  FAKE(T, handle_close, b);
  assert_int_equal(kchannel_live_messages(), 0);
  FAKE(T, handle_close, a);
}

/* ---- lifetime */

static void test_peer_closed(void** state) {
  zx_handle_t a, b;
  mkchan(T, &a, &b);
  assert_int_equal(wr(a, "one", 3, NULL, 0), ZX_OK);
  assert_int_equal(wr(a, "two", 3, NULL, 0), ZX_OK);
  /* A wait for PEER_CLOSED wakes when a closes. */
  zx_signals_t obs = 0;
  struct kcall* w;
  uint64_t wargs[] = {b, ZX_CHANNEL_PEER_CLOSED, INT64_MAX, U(&obs)};
  assert_true(fake_run(T, ZUM_SYS_object_wait_one, wargs, 4, &w) == KCALL_PARKED);
  assert_int_equal(FAKE(T, handle_close, a), ZX_OK);
  int64_t r;
  assert_true(fake_completed(w, &r));
  assert_int_equal(r, ZX_OK);
  assert_int_equal(obs, ZX_CHANNEL_PEER_CLOSED | ZX_CHANNEL_READABLE);
  assert_int_equal(OBJ(b)->ops->related_koid(OBJ(b)), 0);
  /* Writing fails; the handles go anyway. */
  zx_handle_t ev = mkevent(T);
  assert_int_equal(wr(b, "x", 1, &ev, 1), ZX_ERR_PEER_CLOSED);
  assert_false(valid(ev));
  /* Queued messages are still read, then PEER_CLOSED. */
  char buf[8];
  assert_int_equal(rd(b, 0, buf, 8, NULL, 0, NULL, NULL), ZX_OK);
  assert_int_equal(rd(b, 0, buf, 8, NULL, 0, NULL, NULL), ZX_OK);
  assert_memory_equal(buf, "two", 3);
  assert_int_equal(rd(b, 0, buf, 8, NULL, 0, NULL, NULL), ZX_ERR_PEER_CLOSED);
  assert_false(OBJ(b)->signals & ZX_CHANNEL_READABLE);
  FAKE(T, handle_close, b);
}

static void test_close_frees_queue(void** state) {
  uint32_t live = khandle_live_count();
  zx_handle_t a, b;
  mkchan(T, &a, &b);
  for (int i = 0; i < 10; i++) {
    zx_handle_t ev = mkevent(T);
    assert_int_equal(wr(a, "x", 1, &ev, 1), ZX_OK);
  }
  /* b's queue holds ten events; closing b closes them (a has nothing queued). */
  assert_int_equal(kchannel_live_messages(), 10);
  FAKE(T, handle_close, b);
  assert_int_equal(kchannel_live_messages(), 0);
  assert_int_equal(khandle_live_count(), live + 1);
  FAKE(T, handle_close, a);
  assert_int_equal(khandle_live_count(), live);
}

/* A channel whose queue holds the last handle of a channel holding ... : closing the head
 * unwinds the whole chain without deep recursion. */
static void test_long_chain(void** state) {
  uint32_t live = khandle_live_count();
  zx_handle_t head_a, head_b;
  mkchan(T, &head_a, &head_b);
  zx_handle_t cur = head_a;
  for (int i = 0; i < 20000; i++) {
    zx_handle_t x, y;
    mkchan(T, &x, &y);
    /* y travels in cur's peer's queue; x is the next link. */
    assert_int_equal(wr(cur, "l", 1, &y, 1), ZX_OK);
    if (cur != head_a) FAKE(T, handle_close, cur);
    cur = x;
  }
  FAKE(T, handle_close, cur);
  assert_int_equal(kchannel_live_messages(), 20000);
  FAKE(T, handle_close, head_b);
  FAKE(T, handle_close, head_a);
  assert_int_equal(kchannel_live_messages(), 0);
  assert_int_equal(khandle_live_count(), live);
}

/* An endpoint carried in its own queue (sent through its peer), the peer then closed: nobody can
 * ever read it. Zircon leaks it; zum collects it once no other handle remains. */
static void test_self_cycle(void** state) {
  uint32_t live = khandle_live_count();
  zx_handle_t a, b, ev = mkevent(T);
  mkchan(T, &a, &b);
  /* a (with an event) travels through b into a's own queue. */
  zx_handle_t send[2] = {a, ev};
  assert_int_equal(wr(b, "self", 4, send, 2), ZX_OK);
  assert_false(valid(a));
  assert_int_equal(kchannel_live_messages(), 1);
  FAKE(T, handle_close, b); /* deferred work runs after the call */
  assert_int_equal(kchannel_live_messages(), 0);
  assert_int_equal(khandle_live_count(), live);
}

static void test_cycle_reachable_then_collected(void** state) {
  uint32_t live = khandle_live_count();
  /* Two channels, each carrying the other's endpoint, both peers closed; one endpoint is also
   * held in the table, so both are reachable until that handle goes. */
  zx_handle_t a1, b1, a2, b2;
  mkchan(T, &a1, &b1);
  mkchan(T, &a2, &b2);
  /* a1 stays in the table; a2 travels into a1's queue; both peers close. */
  assert_int_equal(wr(b1, "a2", 2, &a2, 1), ZX_OK);
  assert_int_equal(wr(b2, "x", 1, NULL, 0), ZX_OK); /* a2's queue: plain data */
  FAKE(T, handle_close, b1);
  FAKE(T, handle_close, b2);
  /* a1 is held in the table: reachable, and so is a2 in its queue. */
  assert_int_equal(kchannel_live_messages(), 2);
  char buf[4];
  zx_handle_t got = 0;
  assert_int_equal(rd(a1, 0, buf, 4, &got, 1, NULL, NULL), ZX_OK);
  assert_int_equal(rd(got, 0, buf, 4, NULL, 0, NULL, NULL), ZX_OK);
  assert_int_equal(buf[0], 'x');
  FAKE(T, handle_close, got);
  FAKE(T, handle_close, a1);
  assert_int_equal(kchannel_live_messages(), 0);

  /* A real two-way cycle: c1's queue carries c2 and c2's queue carries c1. */
  zx_handle_t c1, e1, c2, e2;
  mkchan(T, &c1, &e1);
  mkchan(T, &c2, &e2);
  assert_int_equal(wr(e2, "c1", 2, &c1, 1), ZX_OK); /* c1 now in c2's queue */
  assert_int_equal(wr(e1, "c2", 2, &c2, 1), ZX_OK); /* c2 now in c1's queue */
  FAKE(T, handle_close, e1);
  assert_int_equal(kchannel_live_messages(), 2); /* e2 still holds c2's peer: all reachable */
  FAKE(T, handle_close, e2);
  assert_int_equal(kchannel_live_messages(), 0);
  assert_int_equal(khandle_live_count(), live);
}

static void test_self_cycle_with_table_handle(void** state) {
  /* x travels in its own queue while x is also held in the table. Channel handles have no
   * DUPLICATE right; the test grants it directly to get a second handle via write_etc. */
  uint32_t live = khandle_live_count();
  zx_handle_t x, y;
  mkchan(T, &x, &y);
  H(P, x)->rights |= ZX_RIGHT_DUPLICATE;
  zx_handle_disposition_t d = {ZX_HANDLE_OP_DUPLICATE, x, ZX_OBJ_TYPE_NONE, ZX_RIGHT_SAME_RIGHTS,
                               ZX_OK};
  assert_int_equal(FAKE(T, channel_write_etc, y, 0, U("d"), 1, U(&d), 1), ZX_OK);
  assert_true(valid(x));
  FAKE(T, handle_close, y);
  /* x still open here: its queue (holding its own duplicate) must survive. */
  assert_int_equal(kchannel_live_messages(), 1);
  assert_true(OBJ(x)->signals & ZX_CHANNEL_READABLE);
  /* Closing the table handle leaves only the one inside: collected. */
  FAKE(T, handle_close, x);
  assert_int_equal(kchannel_live_messages(), 0);
  assert_int_equal(khandle_live_count(), live);
}

/* A wait made through a handle before it was sent ends (CANCELED) when the handle is read. */
static void test_wait_through_sent_handle(void** state) {
  zx_handle_t a, b, e = mkevent(T);
  mkchan(T, &a, &b);
  struct kcall* w;
  zx_signals_t obs = 0;
  uint64_t wargs[] = {e, ZX_EVENT_SIGNALED, INT64_MAX, U(&obs)};
  assert_true(fake_run(T, ZUM_SYS_object_wait_one, wargs, 4, &w) == KCALL_PARKED);
  struct kthread* t2 = fake_thread(P);
  assert_int_equal(FAKE(t2, channel_write, a, 0, U("e"), 1, U(&e), 1), ZX_OK);
  int64_t r;
  assert_false(fake_completed(w, &r)); /* in flight: still waiting, as in Zircon */
  zx_handle_t got;
  char c;
  assert_int_equal(FAKE(t2, channel_read, b, 0, U(&c), U(&got), 1, 1, 0, 0), ZX_OK);
  assert_true(fake_completed(w, &r));
  assert_int_equal(r, ZX_ERR_CANCELED);
  zx_handle_t all[] = {a, b, got};
  assert_int_equal(FAKE(t2, handle_close_many, U(all), 3), ZX_OK);
}

/* ---- call */

static zx_txid_t serve_read(zx_handle_t end, char* buf, uint32_t cap, uint32_t* n) {
  zx_txid_t txid;
  assert_int_equal(rd(end, 0, buf, cap, NULL, 0, n, NULL), ZX_OK);
  memcpy(&txid, buf, 4);
  return txid;
}

static void test_call(void** state) {
  zx_handle_t a, b;
  mkchan(T, &a, &b);
  struct kthread* t2 = fake_thread(P);
  char req[8] = {0, 0, 0, 0, 'p', 'i', 'n', 'g'};
  char rep[16];
  zx_handle_t rh[2] = {0, 0};
  zx_handle_t ev = mkevent(T);
  zx_channel_call_args_t args = {req, &ev, rep, rh, 8, 1, sizeof(rep), 2};
  uint32_t ab = 0, ah = 0;
  struct kcall* c;
  assert_true(call_park(t2, a, INT64_MAX, &args, &ab, &ah, &c) == KCALL_PARKED);
  assert_false(valid(ev));
  assert_ptr_equal(t2->parked, c);
  assert_int_equal(t2->blocked_state, ZX_THREAD_STATE_BLOCKED_CHANNEL);
  /* The server sees the request with a kernel txid (top bit set) and the event. */
  char buf[16];
  zx_handle_t got = 0;
  uint32_t n = 0, nh = 0;
  assert_int_equal(rd(b, 0, buf, sizeof(buf), &got, 1, &n, &nh), ZX_OK);
  assert_int_equal(n, 8);
  assert_int_equal(nh, 1);
  zx_txid_t txid;
  memcpy(&txid, buf, 4);
  assert_true(txid >= 0x80000000u);
  assert_memory_equal(buf + 4, "ping", 4);
  /* A message with another txid, and one with a user txid, are not the reply. */
  zx_txid_t other = txid ^ 1, user = 5;
  memcpy(buf, &other, 4);
  assert_int_equal(wr(b, buf, 8, NULL, 0), ZX_OK);
  memcpy(buf, &user, 4);
  assert_int_equal(wr(b, buf, 4, NULL, 0), ZX_OK);
  int64_t r;
  assert_false(fake_completed(c, &r));
  assert_true(OBJ(a)->signals & ZX_CHANNEL_READABLE);
  /* The reply: bytes and the event sent back. */
  memcpy(buf, &txid, 4);
  memcpy(buf + 4, "pong!", 5);
  assert_int_equal(wr(b, buf, 9, &got, 1), ZX_OK);
  assert_true(fake_completed(c, &r));
  assert_int_equal(r, ZX_OK);
  assert_int_equal(t2->parked, NULL);
  assert_int_equal(ab, 9);
  assert_int_equal(ah, 1);
  assert_memory_equal(rep + 4, "pong!", 5);
  assert_true(valid(rh[0]));
  assert_int_equal(OBJ(rh[0])->ops->type, ZX_OBJ_TYPE_EVENT);
  /* The two non-replies wait in the queue. */
  assert_int_equal(rd(a, 0, buf, sizeof(buf), NULL, 0, &n, NULL), ZX_OK);
  assert_int_equal(n, 8);
  assert_int_equal(rd(a, 0, buf, sizeof(buf), NULL, 0, &n, NULL), ZX_OK);
  assert_int_equal(n, 4);
  /* txids advance per call. */
  args = (zx_channel_call_args_t){req, NULL, rep, NULL, 8, 0, sizeof(rep), 0};
  assert_true(call_park(t2, a, INT64_MAX, &args, &ab, &ah, &c) == KCALL_PARKED);
  zx_txid_t t2id = serve_read(b, buf, sizeof(buf), &n);
  assert_int_not_equal(t2id, txid);
  assert_true(t2id >= 0x80000000u);
  assert_int_equal(wr(b, buf, 4, NULL, 0), ZX_OK);
  assert_true(fake_completed(c, &r));
  assert_int_equal(r, ZX_OK);
  assert_int_equal(ab, 4);
  assert_int_equal(ah, 0);
  zx_handle_t all[] = {a, b, rh[0]};
  assert_int_equal(FAKE(T, handle_close_many, U(all), 3), ZX_OK);
}

static void test_call_concurrent(void** state) {
  zx_handle_t a, b;
  mkchan(T, &a, &b);
  struct kthread* t1 = fake_thread(P);
  struct kthread* t2 = fake_thread(P);
  char r1[8], r2[8], buf[8];
  uint32_t ab1, ah1, ab2, ah2, n;
  zx_channel_call_args_t x1 = {"\0\0\0\0one", NULL, r1, NULL, 7, 0, 8, 0};
  zx_channel_call_args_t x2 = {"\0\0\0\0two", NULL, r2, NULL, 7, 0, 8, 0};
  struct kcall *c1, *c2;
  assert_true(call_park(t1, a, INT64_MAX, &x1, &ab1, &ah1, &c1) == KCALL_PARKED);
  assert_true(call_park(t2, a, INT64_MAX, &x2, &ab2, &ah2, &c2) == KCALL_PARKED);
  char q1[8], q2[8];
  zx_txid_t id1 = serve_read(b, q1, 8, &n), id2 = serve_read(b, q2, 8, &n);
  assert_int_not_equal(id1, id2);
  assert_memory_equal(q1 + 4, "one", 3);
  /* Replies out of order reach the right callers. */
  memcpy(buf, &id2, 4);
  memcpy(buf + 4, "TWO", 3);
  assert_int_equal(wr(b, buf, 7, NULL, 0), ZX_OK);
  int64_t r;
  assert_false(fake_completed(c1, &r));
  assert_true(fake_completed(c2, &r));
  assert_memory_equal(r2 + 4, "TWO", 3);
  memcpy(buf, &id1, 4);
  memcpy(buf + 4, "ONE", 3);
  assert_int_equal(wr(b, buf, 7, NULL, 0), ZX_OK);
  assert_true(fake_completed(c1, &r));
  assert_int_equal(r, ZX_OK);
  assert_memory_equal(r1 + 4, "ONE", 3);
  assert_false(OBJ(a)->signals & ZX_CHANNEL_READABLE);
  FAKE(T, handle_close, a);
  FAKE(T, handle_close, b);
}

static void test_call_errors(void** state) {
  zx_handle_t a, b, e = mkevent(T);
  mkchan(T, &a, &b);
  char rep[8];
  uint32_t ab, ah;
  zx_handle_t ev = mkevent(T);
  zx_channel_call_args_t args = {"abc", &ev, rep, NULL, 3, 1, 8, 0};
  /* Faulting args: nothing is read, nothing consumed. */
  assert_int_equal(FAKE(T, channel_call, a, 0, INT64_MAX, 16, U(&ab), U(&ah)), ZX_ERR_INVALID_ARGS);
  /* Less than a txid: INVALID_ARGS, handles consumed. */
  assert_int_equal(FAKE(T, channel_call, a, 0, INT64_MAX, U(&args), U(&ab), U(&ah)),
                   ZX_ERR_INVALID_ARGS);
  assert_false(valid(ev));
  /* Bad options. */
  ev = mkevent(T);
  args = (zx_channel_call_args_t){"abcd", &ev, rep, NULL, 4, 1, 8, 0};
  assert_int_equal(FAKE(T, channel_call, a, 1, INT64_MAX, U(&args), U(&ab), U(&ah)),
                   ZX_ERR_INVALID_ARGS);
  assert_false(valid(ev));
  /* READ and WRITE are both needed. */
  zx_handle_t wo = 0, c1, c2;
  mkchan(T, &c1, &c2);
  assert_int_equal(FAKE(T, handle_replace, c1, ZX_RIGHT_WRITE, U(&wo)), ZX_OK);
  ev = mkevent(T);
  assert_int_equal(FAKE(T, channel_call, wo, 0, INT64_MAX, U(&args), U(&ab), U(&ah)),
                   ZX_ERR_ACCESS_DENIED);
  assert_false(valid(ev));
  ev = mkevent(T);
  assert_int_equal(FAKE(T, channel_call, e, 0, INT64_MAX, U(&args), U(&ab), U(&ah)),
                   ZX_ERR_WRONG_TYPE);
  assert_false(valid(ev));
  /* Too big. */
  ev = mkevent(T);
  args.wr_num_bytes = ZX_CHANNEL_MAX_MSG_BYTES + 1;
  assert_int_equal(FAKE(T, channel_call, a, 0, INT64_MAX, U(&args), U(&ab), U(&ah)),
                   ZX_ERR_OUT_OF_RANGE);
  assert_false(valid(ev));
  /* Rights are checked before the peer: a write-only end of a closed channel is ACCESS_DENIED. */
  ev = mkevent(T);
  args.wr_num_bytes = 4;
  FAKE(T, handle_close, c2);
  assert_int_equal(FAKE(T, channel_call, wo, 0, INT64_MAX, U(&args), U(&ab), U(&ah)),
                   ZX_ERR_ACCESS_DENIED);
  assert_false(valid(ev));
  /* Peer closed: PEER_CLOSED, handles consumed. */
  zx_handle_t rw = 0, p1;
  mkchan(T, &rw, &p1);
  FAKE(T, handle_close, p1);
  ev = mkevent(T);
  assert_int_equal(FAKE(T, channel_call, rw, 0, INT64_MAX, U(&args), U(&ab), U(&ah)),
                   ZX_ERR_PEER_CLOSED);
  assert_false(valid(ev));
  /* A deadline already past: the request is sent, then TIMED_OUT at once. */
  args = (zx_channel_call_args_t){"abcd", NULL, rep, NULL, 4, 0, 8, 0};
  assert_int_equal(FAKE(T, channel_call, a, 0, 0, U(&args), U(&ab), U(&ah)), ZX_ERR_TIMED_OUT);
  assert_true(OBJ(b)->signals & ZX_CHANNEL_READABLE);
  zx_handle_t all[] = {a, b, e, wo, rw};
  assert_int_equal(FAKE(T, handle_close_many, U(all), 5), ZX_OK);
}

static void test_call_etc(void** state) {
  zx_handle_t a, b, e = mkevent(T);
  mkchan(T, &a, &b);
  zx_handle_disposition_t d = {ZX_HANDLE_OP_DUPLICATE, e, ZX_OBJ_TYPE_EVENT,
                               ZX_RIGHT_TRANSFER | ZX_RIGHT_WAIT, ZX_OK};
  char rep[8];
  zx_handle_info_t info[1];
  zx_channel_call_etc_args_t args = {"\0\0\0\0", &d, rep, info, 4, 1, 8, 1};
  uint32_t ab, ah;
  struct kcall* c;
  uint64_t cargs[] = {a, 0, INT64_MAX, U(&args), U(&ab), U(&ah)};
  assert_true(fake_run(T, ZUM_SYS_channel_call_etc, cargs, 6, &c) == KCALL_PARKED);
  assert_true(valid(e)); /* duplicated, not moved */
  char buf[8];
  zx_handle_t got;
  uint32_t n;
  assert_int_equal(rd(b, 0, buf, 8, &got, 1, &n, NULL), ZX_OK);
  assert_int_equal(H(P, got)->rights, ZX_RIGHT_TRANSFER | ZX_RIGHT_WAIT);
  assert_int_equal(wr(b, buf, 4, &got, 1), ZX_OK);
  int64_t r;
  assert_true(fake_completed(c, &r));
  assert_int_equal(r, ZX_OK);
  assert_int_equal(ah, 1);
  assert_int_equal(info[0].type, ZX_OBJ_TYPE_EVENT);
  assert_int_equal(info[0].rights, ZX_RIGHT_TRANSFER | ZX_RIGHT_WAIT);
  /* A failing disposition: its result is written back, and the call fails. */
  d = (zx_handle_disposition_t){ZX_HANDLE_OP_MOVE, info[0].handle, ZX_OBJ_TYPE_PORT,
                                ZX_RIGHT_SAME_RIGHTS, ZX_OK};
  assert_int_equal(FAKE(T, channel_call_etc, a, 0, INT64_MAX, U(&args), U(&ab), U(&ah)),
                   ZX_ERR_WRONG_TYPE);
  assert_int_equal(d.result, ZX_ERR_WRONG_TYPE);
  assert_false(valid(info[0].handle));
  assert_false(OBJ(b)->signals & ZX_CHANNEL_READABLE);
  zx_handle_t all[] = {a, b, e};
  assert_int_equal(FAKE(T, handle_close_many, U(all), 3), ZX_OK);
}

static void test_call_timeout(void** state) {
  zx_handle_t a, b;
  mkchan(T, &a, &b);
  char rep[8];
  uint32_t ab = 77, ah = 77;
  zx_channel_call_args_t args = {"\0\0\0\0", NULL, rep, NULL, 4, 0, 8, 0};
  struct kcall* c;
  assert_true(call_park(T, a, fake_now + 1000, &args, &ab, &ah, &c) == KCALL_PARKED);
  fake_advance(999);
  int64_t r;
  assert_false(fake_completed(c, &r));
  fake_advance(1);
  assert_true(fake_completed(c, &r));
  assert_int_equal(r, ZX_ERR_TIMED_OUT);
  assert_int_equal(ab, 77);
  /* A late reply is an ordinary message. */
  char buf[8];
  uint32_t n;
  serve_read(b, buf, 8, &n);
  assert_int_equal(wr(b, buf, 4, NULL, 0), ZX_OK);
  assert_true(OBJ(a)->signals & ZX_CHANNEL_READABLE);
  assert_int_equal(rd(a, 0, buf, 8, NULL, 0, &n, NULL), ZX_OK);
  FAKE(T, handle_close, a);
  FAKE(T, handle_close, b);
}

static void test_call_reply_too_small(void** state) {
  zx_handle_t a, b;
  mkchan(T, &a, &b);
  char rep[4];
  uint32_t ab = 77, ah = 77;
  zx_channel_call_args_t args = {"\0\0\0\0", NULL, rep, NULL, 4, 0, 4, 0};
  struct kcall* c;
  assert_true(call_park(T, a, INT64_MAX, &args, &ab, &ah, &c) == KCALL_PARKED);
  char buf[8];
  uint32_t n;
  serve_read(b, buf, 8, &n);
  zx_handle_t ev = mkevent(T);
  uint32_t live = khandle_live_count();
  assert_int_equal(wr(b, buf, 8, &ev, 1), ZX_OK);
  int64_t r;
  assert_true(fake_completed(c, &r));
  assert_int_equal(r, ZX_ERR_BUFFER_TOO_SMALL);
  /* As in Zircon: the reply is dropped (its handle closed) and no size is reported. */
  assert_int_equal(ab, 77);
  assert_int_equal(ah, 77);
  assert_int_equal(khandle_live_count(), live - 1);
  assert_false(OBJ(a)->signals & ZX_CHANNEL_READABLE);
  /* Faulting actual pointers on the reply: INVALID_ARGS. */
  args.rd_num_bytes = 4;
  assert_true(call_park(T, a, INT64_MAX, &args, (uint32_t*)16, &ah, &c) == KCALL_PARKED);
  serve_read(b, buf, 8, &n);
  assert_int_equal(wr(b, buf, 4, NULL, 0), ZX_OK);
  assert_true(fake_completed(c, &r));
  assert_int_equal(r, ZX_ERR_INVALID_ARGS);
  FAKE(T, handle_close, a);
  FAKE(T, handle_close, b);
}

static void test_call_peer_closes(void** state) {
  zx_handle_t a, b;
  mkchan(T, &a, &b);
  char rep[4];
  uint32_t ab, ah;
  zx_channel_call_args_t args = {"\0\0\0\0", NULL, rep, NULL, 4, 0, 4, 0};
  struct kcall* c;
  assert_true(call_park(T, a, fake_now + 1000000, &args, &ab, &ah, &c) == KCALL_PARKED);
  FAKE(T, handle_close, b);
  int64_t r;
  assert_true(fake_completed(c, &r));
  assert_int_equal(r, ZX_ERR_PEER_CLOSED);
  fake_advance(2000000); /* the deadline is gone with the call */
  FAKE(T, handle_close, a);
}

static void test_call_own_handle_closed(void** state) {
  zx_handle_t a, b;
  mkchan(T, &a, &b);
  char rep[4];
  uint32_t ab, ah;
  zx_channel_call_args_t args = {"\0\0\0\0", NULL, rep, NULL, 4, 0, 4, 0};
  struct kcall* c;
  struct kthread* t2 = fake_thread(P);
  assert_true(call_park(t2, a, INT64_MAX, &args, &ab, &ah, &c) == KCALL_PARKED);
  /* Another thread closes the handle the call was made through: CANCELED. */
  FAKE(T, handle_close, a);
  int64_t r;
  assert_true(fake_completed(c, &r));
  assert_int_equal(r, ZX_ERR_CANCELED);
  assert_true(OBJ(b)->signals & ZX_CHANNEL_PEER_CLOSED);
  FAKE(T, handle_close, b);
}

static void test_call_caller_dies(void** state) {
  struct kproc* q = fake_process(NULL);
  struct kthread* tq = fake_thread(q);
  zx_handle_t aq, bq;
  mkchan(tq, &aq, &bq);
  /* Move bq into P (the server). */
  struct khandle* hb = H(q, bq);
  khandle_detach(hb);
  zx_handle_t b = khandle_attach(P->table, hb);
  static char rep[8];
  static uint32_t ab, ah;
  static zx_channel_call_args_t args = {"\0\0\0\0", NULL, rep, NULL, 4, 0, 8, 0};
  struct kcall* c;
  assert_true(call_park(tq, aq, fake_now + 1000, &args, &ab, &ah, &c) == KCALL_PARKED);
  uint32_t deadlines = (uint32_t)kdeadline_count();
  kproc_on_exit(q, 3);
  assert_true(fake_completed(c, NULL)); /* released, no reply */
  assert_int_equal(kdeadline_count(), deadlines - 1);
  /* The server's reply finds nobody: PEER_CLOSED (q's end closed with the process). */
  char buf[8];
  uint32_t n;
  serve_read(b, buf, 8, &n);
  assert_int_equal(wr(b, buf, 4, NULL, 0), ZX_ERR_PEER_CLOSED);
  fake_advance(2000);
  kobj_unref(&q->base);
  FAKE(T, handle_close, b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_create, setup, teardown),
      cmocka_unit_test_setup_teardown(test_write_read, setup, teardown),
      cmocka_unit_test_setup_teardown(test_read_errors, setup, teardown),
      cmocka_unit_test_setup_teardown(test_buffer_too_small, setup, teardown),
      cmocka_unit_test_setup_teardown(test_write_errors, setup, teardown),
      cmocka_unit_test_setup_teardown(test_transfer, setup, teardown),
      cmocka_unit_test_setup_teardown(test_transfer_between_processes, setup, teardown),
      cmocka_unit_test_setup_teardown(test_write_etc, setup, teardown),
      cmocka_unit_test_setup_teardown(test_iovec, setup, teardown),
      cmocka_unit_test_setup_teardown(test_queue_limit, setup, teardown),
      cmocka_unit_test_setup_teardown(test_peer_closed, setup, teardown),
      cmocka_unit_test_setup_teardown(test_close_frees_queue, setup, teardown),
      cmocka_unit_test_setup_teardown(test_long_chain, setup, teardown),
      cmocka_unit_test_setup_teardown(test_self_cycle, setup, teardown),
      cmocka_unit_test_setup_teardown(test_cycle_reachable_then_collected, setup, teardown),
      cmocka_unit_test_setup_teardown(test_self_cycle_with_table_handle, setup, teardown),
      cmocka_unit_test_setup_teardown(test_wait_through_sent_handle, setup, teardown),
      cmocka_unit_test_setup_teardown(test_call, setup, teardown),
      cmocka_unit_test_setup_teardown(test_call_concurrent, setup, teardown),
      cmocka_unit_test_setup_teardown(test_call_errors, setup, teardown),
      cmocka_unit_test_setup_teardown(test_call_etc, setup, teardown),
      cmocka_unit_test_setup_teardown(test_call_timeout, setup, teardown),
      cmocka_unit_test_setup_teardown(test_call_reply_too_small, setup, teardown),
      cmocka_unit_test_setup_teardown(test_call_peer_closes, setup, teardown),
      cmocka_unit_test_setup_teardown(test_call_own_handle_closed, setup, teardown),
      cmocka_unit_test_setup_teardown(test_call_caller_dies, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
