/* Futexes in a hosted program: its pthreads are Zircon threads to the supervisor (each known by
 * its Linux thread), so they meet in futexes as a pure process's threads do
 * (tests/fuchsia/futex.c has the full set of checks). Checked here: a ping-pong between two
 * pthreads, wake counts with three waiters, owners named by a waiter and cleared by a wake, a
 * timed-out wait returning no earlier than its deadline. */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>

#include "guest_test.h"

static zx_futex_t turn;

static void* partner(void* arg) {
  (void)arg;
  for (;;) {
    int v = atomic_load(&turn);
    if (v == -1) break;
    if (v == 0) {
      zx_status_t s = zx_futex_wait(&turn, 0, ZX_HANDLE_INVALID, ZX_TIME_INFINITE);
      CHECK(s == ZX_OK || s == ZX_ERR_BAD_STATE);
      continue;
    }
    atomic_store(&turn, 0);
    CHECK_EQ(zx_futex_wake(&turn, 1), ZX_OK);
  }
  return NULL;
}

static void pingpong(void) {
  pthread_t t;
  atomic_store(&turn, 0);
  CHECK_EQ(pthread_create(&t, NULL, partner, NULL), 0);
  for (int i = 0; i < 500; i++) {
    atomic_store(&turn, 1);
    CHECK_EQ(zx_futex_wake(&turn, 1), ZX_OK);
    while (atomic_load(&turn) == 1) {
      zx_status_t s = zx_futex_wait(&turn, 1, ZX_HANDLE_INVALID, ZX_TIME_INFINITE);
      CHECK(s == ZX_OK || s == ZX_ERR_BAD_STATE);
    }
  }
  atomic_store(&turn, -1);
  CHECK_EQ(zx_futex_wake(&turn, UINT32_MAX), ZX_OK);
  CHECK_EQ(pthread_join(t, NULL), 0);
}

struct waiter {
  zx_futex_t* f;
  zx_handle_t owner;
  zx_handle_t self; /* the waiting thread's own handle, for its state */
  atomic_int ready, returned;
  zx_status_t status;
};

static void* wait_main(void* arg) {
  struct waiter* w = arg;
  w->self = zx_thread_self();
  atomic_store(&w->ready, 1);
  w->status = zx_futex_wait(w->f, 0, w->owner, ZX_TIME_INFINITE);
  atomic_store(&w->returned, 1);
  return NULL;
}

static void until_blocked(struct waiter* w) {
  while (!atomic_load(&w->ready)) zx_nanosleep(zx_deadline_after(ZX_MSEC(1)));
  zx_info_thread_t info;
  for (int i = 0; i < 20000; i++) {
    memset(&info, 0, sizeof(info));
    CHECK_EQ(zx_object_get_info(w->self, ZX_INFO_THREAD, &info, sizeof(info), NULL, NULL), ZX_OK);
    if (info.state == ZX_THREAD_STATE_BLOCKED_FUTEX) return;
    zx_nanosleep(zx_deadline_after(ZX_MSEC(1)));
  }
  CHECK_EQ(info.state, ZX_THREAD_STATE_BLOCKED_FUTEX);
}

static int count_returned(struct waiter* w, int n) {
  int r = 0;
  for (int i = 0; i < n; i++) r += atomic_load(&w[i].returned);
  return r;
}

static void expect_returned(struct waiter* w, int n, int want) {
  for (int i = 0; i < 20000 && count_returned(w, n) < want; i++)
    zx_nanosleep(zx_deadline_after(ZX_MSEC(1)));
  zx_nanosleep(zx_deadline_after(ZX_MSEC(100)));
  CHECK_EQ(count_returned(w, n), want);
}

static zx_koid_t koid_of(zx_handle_t h) {
  zx_info_handle_basic_t b;
  memset(&b, 0, sizeof(b));
  CHECK_EQ(zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &b, sizeof(b), NULL, NULL), ZX_OK);
  return b.koid;
}

static void waiters(void) {
  static zx_futex_t f = 0;
  struct waiter w[3];
  pthread_t t[3];
  memset(w, 0, sizeof(w));
  for (int i = 0; i < 3; i++) {
    w[i].f = &f;
    w[i].owner = zx_thread_self();
    CHECK_EQ(pthread_create(&t[i], NULL, wait_main, &w[i]), 0);
    until_blocked(&w[i]);
  }
  zx_koid_t k = 0;
  CHECK_EQ(zx_futex_get_owner(&f, &k), ZX_OK);
  CHECK_EQ(k, koid_of(zx_thread_self()));
  CHECK_EQ(zx_futex_wake(&f, 2), ZX_OK);
  expect_returned(w, 3, 2);
  CHECK_EQ(zx_futex_get_owner(&f, &k), ZX_OK);
  CHECK_EQ(k, ZX_KOID_INVALID);
  CHECK_EQ(zx_futex_wake(&f, UINT32_MAX), ZX_OK);
  expect_returned(w, 3, 3);
  for (int i = 0; i < 3; i++) {
    CHECK_EQ(w[i].status, ZX_OK);
    CHECK_EQ(pthread_join(t[i], NULL), 0);
  }
}

int main(void) {
  static zx_futex_t f = 3;
  CHECK_EQ(zx_futex_wait(&f, 2, ZX_HANDLE_INVALID, ZX_TIME_INFINITE), ZX_ERR_BAD_STATE);
  zx_instant_mono_t d = zx_deadline_after(ZX_MSEC(20));
  CHECK_EQ(zx_futex_wait(&f, 3, ZX_HANDLE_INVALID, d), ZX_ERR_TIMED_OUT);
  CHECK(zx_clock_get_monotonic() >= d);
  pingpong();
  waiters();
  return GUEST_RESULT();
}
