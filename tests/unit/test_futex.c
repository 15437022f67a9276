/* Unit tests: futexes (kobj/futex.c, kobj/sys_futex.c) against the fake platform, where guest
 * memory is this process's memory: Zircon's check order and statuses, wait and wake, wake
 * counts, requeue, timeouts (also after a requeue), owners (assignment, hand-over, release on
 * wake, on the last waiter's departure and on the owner's death), cancellation when a waiter's
 * thread or process dies, private futexes of two processes kept apart, the table's memory
 * following its waiters, and the private call behind zx_futex_wake_handle_close_thread_exit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zum/sysno.h>

#include "kobj/deadline.h"
#include "kobj/futex.h"
#include "kobj/sysutil.h"
#include "tests/unit/fake_host.h"

static struct kproc* P;
static struct kthread *T, *T2, *T3;

static int setup(void** state) {
  (void)state;
  fake_boot();
  P = fake_process(NULL);
  T = fake_thread(P);
  T2 = fake_thread(P);
  T3 = fake_thread(P);
  return 0;
}

static int teardown(void** state) {
  (void)state;
  kproc_on_exit(P, 0);
  kobj_run_deferred();
  kobj_unref(&P->base);
  assert_int_equal(kfutex_count(), 0);
  assert_int_equal(kdeadline_count(), 0);
  return 0;
}

#define INF ZX_TIME_INFINITE

/* t waits on f for `value`, owner handle `owner`: must park; returns the call. */
static struct kcall* park(struct kthread* t, int32_t* f, int32_t value, zx_handle_t owner,
                          int64_t deadline) {
  struct kcall* c;
  assert_int_equal(fake_run(t, ZUM_SYS_futex_wait,
                            (uint64_t[]){U(f), (uint64_t)(int64_t)value, owner, (uint64_t)deadline},
                            4, &c),
                   KCALL_PARKED);
  assert_int_equal(t->blocked_state, ZX_THREAD_STATE_BLOCKED_FUTEX);
  return c;
}

static zx_koid_t owner_of(int32_t* f) {
  zx_koid_t k = 12345;
  assert_int_equal(FAKE(T, futex_get_owner, U(f), U(&k)), ZX_OK);
  return k;
}

static zx_handle_t handle_of(struct kthread* t) {
  return fake_give(P, &t->base, ZX_DEFAULT_THREAD_RIGHTS);
}

static bool done(struct kcall* c, int64_t want) {
  int64_t r;
  if (!fake_completed(c, &r)) return false;
  assert_int_equal(r, want);
  return true;
}

static void test_errors(void** state) {
  (void)state;
  static int32_t f[2] = {5, 6};
  uint64_t mis = U(f) + 1, unmapped = 8;
  zx_koid_t k;
  /* NULL and misaligned pointers, for every call. */
  assert_int_equal(FAKE(T, futex_wait, 0, 5, 0, INF), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, futex_wait, mis, 5, 0, INF), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, futex_wake, 0, 1), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, futex_wake, mis, 1), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, futex_wake_single_owner, mis), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, futex_requeue, mis, 1, 5, U(&f[1]), 1, 0), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, futex_requeue, U(f), 1, 5, mis + 4, 1, 0), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, futex_requeue, U(f), 1, 5, 0, 1, 0), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, futex_requeue_single_owner, 0, 5, U(&f[1]), 1, 0),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, futex_get_owner, mis, U(&k)), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, futex_get_owner, 0, U(&k)), ZX_ERR_INVALID_ARGS);
  /* Unmapped memory: only the calls that read the value notice. */
  assert_int_equal(FAKE(T, futex_wait, unmapped, 0, 0, INF), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, futex_requeue, unmapped, 1, 0, U(f), 1, 0), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, futex_wake, unmapped, 1), ZX_OK);
  assert_int_equal(FAKE(T, futex_get_owner, unmapped, U(&k)), ZX_OK);
  /* get_owner's koid pointer. */
  assert_int_equal(FAKE(T, futex_get_owner, U(f), 0), ZX_ERR_INVALID_ARGS);
  /* Value mismatch; the same futex twice. */
  assert_int_equal(FAKE(T, futex_wait, U(f), 4, 0, INF), ZX_ERR_BAD_STATE);
  assert_int_equal(FAKE(T, futex_requeue, U(f), 1, 4, U(&f[1]), 1, 0), ZX_ERR_BAD_STATE);
  assert_int_equal(FAKE(T, futex_requeue_single_owner, U(f), 4, U(&f[1]), 1, 0),
                   ZX_ERR_BAD_STATE);
  assert_int_equal(FAKE(T, futex_requeue, U(f), 1, 5, U(f), 1, 0), ZX_ERR_INVALID_ARGS);
  /* Owner handles: bad, wrong type, not started, another process, the waiter itself; a value
   * mismatch is reported before any of them. */
  zx_handle_t bad = 0x7ffffff3;
  assert_int_equal(FAKE(T, futex_wait, U(f), 5, bad, INF), ZX_ERR_BAD_HANDLE);
  assert_int_equal(FAKE(T, futex_wait, U(f), 4, bad, INF), ZX_ERR_BAD_STATE);
  assert_int_equal(FAKE(T, futex_requeue, U(f), 0, 5, U(&f[1]), 1, bad), ZX_ERR_BAD_HANDLE);
  assert_int_equal(FAKE(T, futex_requeue, U(f), 0, 4, U(&f[1]), 1, bad), ZX_ERR_BAD_STATE);
  zx_handle_t ev;
  assert_int_equal(FAKE(T, event_create, 0, U(&ev)), ZX_OK);
  assert_int_equal(FAKE(T, futex_wait, U(f), 5, ev, INF), ZX_ERR_WRONG_TYPE);
  assert_int_equal(FAKE(T, futex_requeue, U(f), 0, 5, U(&f[1]), 1, ev), ZX_ERR_WRONG_TYPE);
  struct kthread* unstarted = fake_thread(P);
  unstarted->state = KTHREAD_NEW;
  zx_handle_t hn = handle_of(unstarted);
  assert_int_equal(FAKE(T, futex_wait, U(f), 5, hn, fake_now + 10), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, futex_requeue, U(f), 0, 5, U(&f[1]), 1, hn), ZX_ERR_INVALID_ARGS);
  unstarted->state = KTHREAD_RUNNING;
  struct kproc* q = fake_process(NULL);
  struct kthread* tq = fake_thread(q);
  zx_handle_t hq = fake_give(P, &tq->base, ZX_DEFAULT_THREAD_RIGHTS);
  assert_int_equal(FAKE(T, futex_wait, U(f), 5, hq, INF), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, futex_requeue, U(f), 0, 5, U(&f[1]), 1, hq), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, futex_wait, U(f), 5, handle_of(T), INF), ZX_ERR_INVALID_ARGS);
  /* No rights are needed on the owner's handle. */
  zx_handle_t h0 = fake_give(P, &T2->base, 0);
  assert_int_equal(FAKE(T, futex_wait, U(f), 5, h0, fake_now), ZX_ERR_TIMED_OUT);
  assert_int_equal(kfutex_count(), 0);
  fake_end(q, 0);
}

static void test_wait_wake(void** state) {
  (void)state;
  static int32_t f = 1, g = 1;
  struct kcall* c = park(T2, &f, 1, 0, INF);
  assert_ptr_equal(T2->parked, c);
  assert_int_equal(kfutex_count(), 1);
  /* A wake elsewhere, or of nobody, is no error and wakes nobody. */
  assert_int_equal(FAKE(T, futex_wake, U(&g), UINT32_MAX), ZX_OK);
  assert_int_equal(FAKE(T, futex_wake, U(&f), 0), ZX_OK);
  assert_false(done(c, 0));
  assert_int_equal(FAKE(T, futex_wake, U(&f), 1), ZX_OK);
  assert_true(done(c, ZX_OK));
  assert_null(T2->parked);
  assert_int_equal(T2->blocked_state, 0);
  assert_int_equal(kfutex_count(), 0);
}

static void test_wake_counts(void** state) {
  (void)state;
  static int32_t f = 7;
  struct kthread* t[4] = {T2, T3, fake_thread(P), fake_thread(P)};
  struct kcall* c[4];
  for (int i = 0; i < 4; i++) c[i] = park(t[i], &f, 7, 0, INF);
  assert_int_equal(FAKE(T, futex_wake, U(&f), 2), ZX_OK);
  /* The oldest two. */
  assert_true(done(c[0], ZX_OK));
  assert_true(done(c[1], ZX_OK));
  assert_false(done(c[2], 0));
  assert_false(done(c[3], 0));
  assert_int_equal(FAKE(T, futex_wake_single_owner, U(&f)), ZX_OK);
  assert_true(done(c[2], ZX_OK));
  assert_false(done(c[3], 0));
  assert_int_equal(FAKE(T, futex_wake, U(&f), UINT32_MAX), ZX_OK);
  assert_true(done(c[3], ZX_OK));
  assert_int_equal(kfutex_count(), 0);
}

static void test_timeouts(void** state) {
  (void)state;
  static int32_t f = 3;
  /* Past deadlines time out at once, after the value check. */
  assert_int_equal(FAKE(T, futex_wait, U(&f), 3, 0, fake_now), ZX_ERR_TIMED_OUT);
  assert_int_equal(FAKE(T, futex_wait, U(&f), 3, 0, ZX_TIME_INFINITE_PAST), ZX_ERR_TIMED_OUT);
  assert_int_equal(FAKE(T, futex_wait, U(&f), 2, 0, fake_now), ZX_ERR_BAD_STATE);
  struct kcall* c1 = park(T2, &f, 3, 0, fake_now + 100);
  struct kcall* c2 = park(T3, &f, 3, 0, fake_now + 200);
  fake_advance(99);
  assert_false(done(c1, 0));
  fake_advance(1);
  assert_true(done(c1, ZX_ERR_TIMED_OUT));
  assert_null(T2->parked);
  /* The one that timed out is gone from the queue: one wake reaches the other. */
  assert_int_equal(FAKE(T, futex_wake, U(&f), 1), ZX_OK);
  assert_true(done(c2, ZX_OK));
  assert_int_equal(kdeadline_count(), 0);
  assert_int_equal(kfutex_count(), 0);
}

static void test_requeue(void** state) {
  (void)state;
  static int32_t a = 100, b = 200;
  struct kthread* t[6] = {T2, T3, fake_thread(P), fake_thread(P), fake_thread(P), fake_thread(P)};
  struct kcall* c[6];
  for (int i = 0; i < 6; i++) c[i] = park(t[i], &a, 100, 0, INF);
  assert_int_equal(FAKE(T, futex_requeue, U(&a), 3, 100, U(&b), 2, 0), ZX_OK);
  for (int i = 0; i < 3; i++) assert_true(done(c[i], ZX_OK));
  for (int i = 3; i < 6; i++) assert_false(done(c[i], 0));
  assert_int_equal(kfutex_count(), 2);
  /* Two moved to b, oldest first. */
  assert_int_equal(FAKE(T, futex_wake, U(&b), UINT32_MAX), ZX_OK);
  assert_true(done(c[3], ZX_OK));
  assert_true(done(c[4], ZX_OK));
  assert_false(done(c[5], 0));
  assert_int_equal(FAKE(T, futex_wake, U(&a), 1), ZX_OK);
  assert_true(done(c[5], ZX_OK));
  assert_int_equal(kfutex_count(), 0);
}

static void test_requeued_then_timeout(void** state) {
  (void)state;
  static int32_t a = 1, b = 2;
  struct kcall* c1 = park(T2, &a, 1, 0, fake_now + 50);
  assert_int_equal(FAKE(T, futex_requeue, U(&a), 0, 1, U(&b), UINT32_MAX, 0), ZX_OK);
  assert_int_equal(kfutex_count(), 1);
  struct kcall* c2 = park(T3, &b, 2, 0, INF);
  fake_advance(50);
  assert_true(done(c1, ZX_ERR_TIMED_OUT));
  /* It left b, where it was requeued to: one wake reaches T3. */
  assert_int_equal(FAKE(T, futex_wake, U(&b), 1), ZX_OK);
  assert_true(done(c2, ZX_OK));
  assert_int_equal(kfutex_count(), 0);
}

static void test_owner_wait(void** state) {
  (void)state;
  static int32_t f = 0, other = 0;
  zx_handle_t me = handle_of(T);
  assert_int_equal(owner_of(&f), ZX_KOID_INVALID);
  struct kcall* c1 = park(T2, &f, 0, me, INF);
  assert_int_equal(owner_of(&f), T->base.koid);
  /* Failed waits change nothing: a value mismatch, the waiter naming itself, a named owner
   * that already waits there. */
  assert_int_equal(FAKE(T3, futex_wait, U(&f), 1, 0, INF), ZX_ERR_BAD_STATE);
  assert_int_equal(FAKE(T3, futex_wait, U(&f), 0, handle_of(T3), INF), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T3, futex_wait, U(&f), 0, handle_of(T2), INF), ZX_ERR_INVALID_ARGS);
  assert_int_equal(owner_of(&f), T->base.koid);
  /* A wait that times out hands the futex over while others wait. */
  struct kthread* t4 = fake_thread(P);
  struct kcall* c4 = park(T3, &f, 0, handle_of(t4), fake_now + 10);
  assert_int_equal(owner_of(&f), t4->base.koid);
  fake_advance(10);
  assert_true(done(c4, ZX_ERR_TIMED_OUT));
  assert_int_equal(owner_of(&f), t4->base.koid);
  /* Even with a deadline already past. */
  assert_int_equal(FAKE(T3, futex_wait, U(&f), 0, me, fake_now), ZX_ERR_TIMED_OUT);
  assert_int_equal(owner_of(&f), T->base.koid);
  /* A dead thread is accepted, as no owner. */
  struct kthread* dead = fake_thread(P);
  zx_handle_t hd = handle_of(dead);
  kthread_on_exit(dead);
  assert_int_equal(FAKE(T3, futex_wait, U(&f), 0, hd, fake_now), ZX_ERR_TIMED_OUT);
  assert_int_equal(owner_of(&f), ZX_KOID_INVALID);
  /* A requeue that moves nobody still sets the target's owner, since it has waiters. */
  assert_int_equal(FAKE(T, futex_requeue, U(&other), 0, 0, U(&f), 1, handle_of(t4)), ZX_OK);
  assert_int_equal(owner_of(&f), t4->base.koid);
  /* The owner dies: the futex has none. */
  kthread_on_exit(t4);
  assert_int_equal(owner_of(&f), ZX_KOID_INVALID);
  /* A waiter naming no owner clears it. */
  assert_int_equal(FAKE(T3, futex_wait, U(&f), 0, me, fake_now), ZX_ERR_TIMED_OUT);
  assert_int_equal(owner_of(&f), T->base.koid);
  struct kcall* c3 = park(T3, &f, 0, 0, INF);
  assert_int_equal(owner_of(&f), ZX_KOID_INVALID);
  assert_int_equal(FAKE(T, futex_wake, U(&f), UINT32_MAX), ZX_OK);
  assert_true(done(c1, ZX_OK));
  assert_true(done(c3, ZX_OK));
  assert_int_equal(owner_of(&f), ZX_KOID_INVALID);
  /* The last waiter leaving takes the owner with it. */
  struct kcall* c5 = park(T2, &f, 0, me, fake_now + 5);
  assert_int_equal(owner_of(&f), T->base.koid);
  fake_advance(5);
  assert_true(done(c5, ZX_ERR_TIMED_OUT));
  assert_int_equal(owner_of(&f), ZX_KOID_INVALID);
  assert_int_equal(kfutex_count(), 0);
}

/* zx_futex_wake clears the owner whatever it wakes; zx_futex_wake_single_owner gives it to the
 * woken thread while others wait, and to nobody when it wakes the last. The requeue variants
 * do the same to the futex they wake. */
static void wake_ownership(bool by_requeue) {
  static int32_t f = 0, r = 9;
  zx_handle_t me = handle_of(T);
  struct kthread* t[3] = {T2, T3, fake_thread(P)};
  struct kcall* c[3];
  for (int pass = 0; pass < 2; pass++) {
    for (int i = 0; i < 3; i++) c[i] = park(t[i], &f, 0, me, INF);
    assert_int_equal(owner_of(&f), T->base.koid);
    if (by_requeue) {
      /* A value mismatch changes nothing. */
      assert_int_equal(FAKE(T, futex_requeue_single_owner, U(&f), 1, U(&r), 0, 0),
                       ZX_ERR_BAD_STATE);
      assert_int_equal(owner_of(&f), T->base.koid);
    }
    for (int i = 0; i < 3; i++) {
      if (pass == 0)
        assert_int_equal(by_requeue ? FAKE(T, futex_requeue, U(&f), 1, 0, U(&r), 0, 0)
                                    : FAKE(T, futex_wake, U(&f), 1),
                         ZX_OK);
      else
        assert_int_equal(by_requeue ? FAKE(T, futex_requeue_single_owner, U(&f), 0, U(&r), 0, 0)
                                    : FAKE(T, futex_wake_single_owner, U(&f)),
                         ZX_OK);
      assert_true(done(c[i], ZX_OK));
      zx_koid_t want = (pass == 0 || i == 2) ? ZX_KOID_INVALID : t[i]->base.koid;
      assert_int_equal(owner_of(&f), want);
    }
  }
  /* Waking zero threads clears the owner too. */
  c[0] = park(T2, &f, 0, me, INF);
  assert_int_equal(owner_of(&f), T->base.koid);
  assert_int_equal(by_requeue ? FAKE(T, futex_requeue, U(&f), 0, 0, U(&r), 0, 0)
                              : FAKE(T, futex_wake, U(&f), 0),
                   ZX_OK);
  assert_false(done(c[0], 0));
  assert_int_equal(owner_of(&f), ZX_KOID_INVALID);
  assert_int_equal(FAKE(T, futex_wake, U(&f), UINT32_MAX), ZX_OK);
  assert_true(done(c[0], ZX_OK));
  assert_int_equal(kfutex_count(), 0);
}

static void test_wake_ownership(void** state) {
  (void)state;
  wake_ownership(false);
}
static void test_requeue_wake_ownership(void** state) {
  (void)state;
  wake_ownership(true);
}

static void test_requeue_ownership(void** state) {
  (void)state;
  static int32_t w = 0, r = 1;
  zx_handle_t me = handle_of(T);
  struct kthread* t[5];
  struct kcall* c[5];
  for (int i = 0; i < 5; i++) {
    t[i] = fake_thread(P);
    c[i] = park(t[i], &w, 0, me, INF);
  }
  /* Wake one (it owns w), move one to r (owned by the caller). */
  assert_int_equal(FAKE(T, futex_requeue_single_owner, U(&w), 0, U(&r), 1, me), ZX_OK);
  assert_true(done(c[0], ZX_OK));
  assert_int_equal(owner_of(&w), t[0]->base.koid);
  assert_int_equal(owner_of(&r), T->base.koid);
  /* The target's new owner may not wait in either futex. */
  assert_int_equal(FAKE(T, futex_requeue, U(&w), 1, 0, U(&r), 1, handle_of(t[1])),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, futex_requeue, U(&w), 1, 0, U(&r), 1, handle_of(t[2])),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(owner_of(&w), t[0]->base.koid);
  assert_int_equal(owner_of(&r), T->base.koid);
  /* Move two more, the woken thread owning r; w loses its owner (a plain requeue). */
  assert_int_equal(FAKE(T, futex_requeue, U(&w), 0, 0, U(&r), 2, handle_of(t[0])), ZX_OK);
  assert_int_equal(owner_of(&w), ZX_KOID_INVALID);
  assert_int_equal(owner_of(&r), t[0]->base.koid);
  /* Wake everyone on r: the three moved, oldest first; r has no owner left. */
  assert_int_equal(FAKE(T, futex_wake, U(&r), UINT32_MAX), ZX_OK);
  for (int i = 1; i < 4; i++) assert_true(done(c[i], ZX_OK));
  assert_false(done(c[4], 0));
  assert_int_equal(owner_of(&r), ZX_KOID_INVALID);
  /* A requeue naming an owner for an empty target leaves it with none. */
  assert_int_equal(FAKE(T, futex_requeue, U(&w), 0, 0, U(&r), 0, me), ZX_OK);
  assert_int_equal(owner_of(&r), ZX_KOID_INVALID);
  assert_int_equal(FAKE(T, futex_wake, U(&w), UINT32_MAX), ZX_OK);
  assert_true(done(c[4], ZX_OK));
  assert_int_equal(kfutex_count(), 0);
}

static void test_waiter_dies(void** state) {
  (void)state;
  static int32_t f = 4;
  struct kcall* c1 = park(T2, &f, 4, handle_of(T), fake_now + 1000);
  struct kcall* c2 = park(T3, &f, 4, 0, INF);
  /* T2's Linux thread ends: its wait is abandoned and leaves the queue and its deadline. */
  kthread_on_exit(T2);
  assert_true(fake_completed(c1, NULL));
  assert_int_equal(kdeadline_count(), 0);
  assert_int_equal(kfutex_count(), 1);
  /* T3 is the only waiter left: a wake of one reaches it. */
  assert_int_equal(FAKE(T, futex_wake, U(&f), 1), ZX_OK);
  assert_true(done(c2, ZX_OK));
  /* A process killed with waiters and owners: nothing of it stays in the table. */
  struct kproc* q = fake_process(NULL);
  struct kthread* q1 = fake_thread(q);
  struct kthread* q2 = fake_thread(q);
  zx_handle_t hq1 = fake_give(q, &q1->base, ZX_DEFAULT_THREAD_RIGHTS);
  struct kcall* d;
  assert_int_equal(fake_run(q2, ZUM_SYS_futex_wait, (uint64_t[]){U(&f), 4, hq1, INF}, 4, &d),
                   KCALL_PARKED);
  assert_int_equal(kfutex_count(), 1);
  kproc_kill(q, ZX_TASK_RETCODE_SYSCALL_KILL);
  assert_true(fake_completed(d, NULL));
  assert_int_equal(kfutex_count(), 0);
  fake_end(q, 0);
}

static void test_private_per_process(void** state) {
  (void)state;
  /* One address, two processes: two futexes. */
  static int32_t f = 6;
  struct kproc* q = fake_process(NULL);
  struct kthread* tq = fake_thread(q);
  struct kcall* cq;
  assert_int_equal(fake_run(tq, ZUM_SYS_futex_wait, (uint64_t[]){U(&f), 6, 0, INF}, 4, &cq),
                   KCALL_PARKED);
  struct kcall* c = park(T2, &f, 6, 0, INF);
  assert_int_equal(kfutex_count(), 2);
  assert_int_equal(FAKE(T, futex_wake, U(&f), UINT32_MAX), ZX_OK);
  assert_true(done(c, ZX_OK));
  assert_false(done(cq, 0));
  assert_int_equal(FAKE(tq, futex_wake, U(&f), UINT32_MAX), ZX_OK);
  assert_true(done(cq, ZX_OK));
  fake_end(q, 0);
}

static void test_many_futexes(void** state) {
  (void)state;
  /* The table grows and shrinks with its futexes. */
  enum { N = 300 };
  static int32_t f[N];
  struct kthread* t[N];
  struct kcall* c[N];
  for (int i = 0; i < N; i++) {
    t[i] = fake_thread(P);
    c[i] = park(t[i], &f[i], 0, 0, INF);
  }
  assert_int_equal(kfutex_count(), N);
  for (int i = 0; i < N; i++) {
    assert_int_equal(FAKE(T, futex_wake, U(&f[i]), 1), ZX_OK);
    assert_true(done(c[i], ZX_OK));
    assert_int_equal(kfutex_count(), N - 1 - i);
  }
}

/* zx_futex_wake_handle_close_thread_exit's private call (pure processes only): the value is
 * stored, waiters woken, the handle closed, the thread dying; a bad handle fails after the
 * store and the wake, as the steps fail in order on Zircon (the vDSO then traps). */
static void test_wake_thread_exiting(void** state) {
  (void)state;
  static int32_t joined = 0;
  struct kproc* q = fake_process(NULL);
  q->pure = true;
  struct kthread* joiner = fake_thread(q);
  struct kthread* ending = fake_thread(q);
  struct kthread* ending2 = fake_thread(q);
  struct kcall* c;
  assert_int_equal(fake_run(joiner, ZUM_SYS_futex_wait, (uint64_t[]){U(&joined), 0, 0, INF}, 4, &c),
                   KCALL_PARKED);
  zx_handle_t self = fake_give(q, &ending->base, ZX_DEFAULT_THREAD_RIGHTS);
  assert_int_equal(FAKE(ending, futex_wake_thread_exiting, U(&joined), 1, 7, self), ZX_OK);
  assert_int_equal(joined, 7);
  assert_true(done(c, ZX_OK));
  assert_int_equal(ending->state, KTHREAD_DYING);
  assert_null(khandle_lookup(q->table, self));
  /* A bad handle: the store and the wake are done, the thread is not marked dying. */
  assert_int_equal(fake_run(joiner, ZUM_SYS_futex_wait, (uint64_t[]){U(&joined), 7, 0, INF}, 4, &c),
                   KCALL_PARKED);
  assert_int_equal(FAKE(ending2, futex_wake_thread_exiting, U(&joined), 1, 8, self),
                   ZX_ERR_BAD_HANDLE);
  assert_int_equal(joined, 8);
  assert_true(done(c, ZX_OK));
  assert_int_equal(ending2->state, KTHREAD_RUNNING);
  /* A bad pointer fails before anything. */
  assert_int_equal(FAKE(ending2, futex_wake_thread_exiting, U(&joined) + 1, 1, 9, 0),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(ending2, futex_wake_thread_exiting, 8, 1, 9, 0), ZX_ERR_INVALID_ARGS);
  assert_int_equal(joined, 8);
  fake_end(q, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
      cmocka_unit_test_setup_teardown(test_wait_wake, setup, teardown),
      cmocka_unit_test_setup_teardown(test_wake_counts, setup, teardown),
      cmocka_unit_test_setup_teardown(test_timeouts, setup, teardown),
      cmocka_unit_test_setup_teardown(test_requeue, setup, teardown),
      cmocka_unit_test_setup_teardown(test_requeued_then_timeout, setup, teardown),
      cmocka_unit_test_setup_teardown(test_owner_wait, setup, teardown),
      cmocka_unit_test_setup_teardown(test_wake_ownership, setup, teardown),
      cmocka_unit_test_setup_teardown(test_requeue_wake_ownership, setup, teardown),
      cmocka_unit_test_setup_teardown(test_requeue_ownership, setup, teardown),
      cmocka_unit_test_setup_teardown(test_waiter_dies, setup, teardown),
      cmocka_unit_test_setup_teardown(test_private_per_process, setup, teardown),
      cmocka_unit_test_setup_teardown(test_many_futexes, setup, teardown),
      cmocka_unit_test_setup_teardown(test_wake_thread_exiting, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
