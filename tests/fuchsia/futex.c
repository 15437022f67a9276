/* A Fuchsia-ABI program whose threads meet in futexes (a pure process: zx_thread_create and
 * zx_thread_start). Checked, as Zircon's core futex tests do:
 *  - INVALID_ARGS for NULL, misaligned and unmapped pointers, BAD_STATE on a value mismatch,
 *    TIMED_OUT with a deadline (not early) and with one already past, requeue onto itself;
 *  - two threads ping-pong through one futex;
 *  - wake counts (2 of 4, then UINT32_MAX = all) and that a wake elsewhere wakes nobody;
 *  - requeue: some woken, some moved to another futex, the rest left;
 *  - owners: get_owner after a wait that names one, wake_single_owner hands the futex to the
 *    woken thread, zx_futex_wake clears it, an owner thread that exits owns nothing, a thread
 *    not started cannot own, a wait cannot name its own thread;
 *  - a thread's last calls: zx_futex_wake_handle_close_thread_exit (the joiner unmaps the
 *    stack as soon as it sees the value) and zx_vmar_unmap_handle_close_thread_exit (the thread
 *    unmaps its own stack) end the thread and close its handle; a failed unmap returns.
 * "futex: ok" and return code 0 on success. With argument "bench N", times N wait/wake round
 * trips between two threads 7 times instead and prints "futex_pingpong_ns <median ns per round
 * trip>" (make bench, tests/bench/futex_native.c is the Linux baseline). */
#include "fx.h"

#define SEC 1000000000ll
#define MSEC 1000000ll

static zx_handle_t self_proc, self_thread;

/* ---- worker threads: each waits once as its job says and records the outcome */

struct job {
  zx_futex_t* ptr;
  int32_t value;
  zx_handle_t owner;
  zx_instant_mono_t deadline;
  zx_futex_t state; /* 0 not yet, 1 about to wait, 2 returned */
  zx_futex_t status;
  zx_futex_t hold; /* while 1 after the wait, the thread stays (to own what it was handed) */
};

#define NSLOTS 8
#define STACK_SIZE 16384
static char stacks[NSLOTS][STACK_SIZE] __attribute__((aligned(16)));

static __attribute__((noreturn)) void worker(uintptr_t arg1, uintptr_t arg2) {
  (void)arg2;
  struct job* j = (struct job*)arg1;
  j->state = 1;
  j->status = zx_futex_wait(j->ptr, j->value, j->owner, j->deadline);
  j->state = 2;
  while (j->hold == 1) zx_futex_wait(&j->hold, 1, ZX_HANDLE_INVALID, ZX_TIME_INFINITE);
  zx_thread_exit();
}

static zx_handle_t start_thread(int slot, void (*entry)(uintptr_t, uintptr_t), uintptr_t arg) {
  zx_handle_t t;
  FX_CHECK_EQ(zx_thread_create(self_proc, "worker", 6, 0, &t), ZX_OK);
  /* As a call would leave it: 16-byte aligned before the return address. */
  uintptr_t sp = (uintptr_t)&stacks[slot][STACK_SIZE] - 8;
  FX_CHECK_EQ(zx_thread_start(t, (uintptr_t)entry, sp, arg, 0), ZX_OK);
  return t;
}

static void start_job(int slot, struct job* j, zx_handle_t* th) {
  j->state = 0;
  j->status = 1;
  *th = start_thread(slot, (void (*)(uintptr_t, uintptr_t))worker, (uintptr_t)j);
}

static zx_thread_state_t thread_state(zx_handle_t t) {
  zx_info_thread_t info;
  FX_CHECK_EQ(zx_object_get_info(t, ZX_INFO_THREAD, &info, sizeof(info), NULL, NULL), ZX_OK);
  return info.state;
}

static void sleep_ms(int64_t ms) { zx_nanosleep(zx_deadline_after(ms * MSEC)); }

/* Waits (up to 20 s) until t is blocked in a futex. */
static void until_blocked(zx_handle_t t) {
  for (int i = 0; i < 20000 && thread_state(t) != ZX_THREAD_STATE_BLOCKED_FUTEX; i++) sleep_ms(1);
  FX_CHECK_EQ(thread_state(t), ZX_THREAD_STATE_BLOCKED_FUTEX);
}

static int returned(struct job* j, int n) {
  int r = 0;
  for (int i = 0; i < n; i++) r += j[i].state == 2;
  return r;
}

/* Exactly `want` of the n jobs have returned, and no more do within 100 ms. */
static void expect_returned(struct job* j, int n, int want) {
  for (int i = 0; i < 20000 && returned(j, n) < want; i++) sleep_ms(1);
  sleep_ms(100);
  FX_CHECK_EQ(returned(j, n), want);
}

static void join(zx_handle_t t) {
  FX_CHECK_EQ(zx_object_wait_one(t, ZX_THREAD_TERMINATED, zx_deadline_after(20 * SEC), NULL),
              ZX_OK);
  FX_CHECK_EQ(zx_handle_close(t), ZX_OK);
}

static zx_koid_t koid_of(zx_handle_t h) {
  zx_info_handle_basic_t b;
  FX_CHECK_EQ(zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &b, sizeof(b), NULL, NULL), ZX_OK);
  return b.koid;
}

static zx_koid_t owner_of(zx_futex_t* f) {
  zx_koid_t k = 1;
  FX_CHECK_EQ(zx_futex_get_owner(f, &k), ZX_OK);
  return k;
}

/* ---- the checks */

static void errors(void) {
  static struct {
    char pad;
    zx_futex_t f[2];
  } __attribute__((packed, aligned(4))) mis;
  static zx_futex_t f = 5, g = 6;
  zx_koid_t k;
  FX_CHECK_EQ(zx_futex_wait(NULL, 0, ZX_HANDLE_INVALID, ZX_TIME_INFINITE), ZX_ERR_INVALID_ARGS);
  FX_CHECK_EQ(zx_futex_wait(&mis.f[0], 0, ZX_HANDLE_INVALID, ZX_TIME_INFINITE),
              ZX_ERR_INVALID_ARGS);
  FX_CHECK_EQ(zx_futex_wake(&mis.f[0], 1), ZX_ERR_INVALID_ARGS);
  FX_CHECK_EQ(zx_futex_wake(NULL, 1), ZX_ERR_INVALID_ARGS);
  FX_CHECK_EQ(zx_futex_requeue(&mis.f[0], 1, 0, &mis.f[1], 1, ZX_HANDLE_INVALID),
              ZX_ERR_INVALID_ARGS);
  FX_CHECK_EQ(zx_futex_requeue(&f, 1, 5, NULL, 1, ZX_HANDLE_INVALID), ZX_ERR_INVALID_ARGS);
  FX_CHECK_EQ(zx_futex_requeue(&f, 1, 5, &f, 1, ZX_HANDLE_INVALID), ZX_ERR_INVALID_ARGS);
  FX_CHECK_EQ(zx_futex_get_owner(&mis.f[1], &k), ZX_ERR_INVALID_ARGS);
  FX_CHECK_EQ(zx_futex_get_owner(&f, NULL), ZX_ERR_INVALID_ARGS);
  /* Unmapped: in the middle of the user range, far from anything the loader mapped. The calls
   * that read the value fail; a wake never reads it. */
  zx_futex_t* unmapped = (zx_futex_t*)0x100000000000ull;
  FX_CHECK_EQ(zx_futex_wait(unmapped, 0, ZX_HANDLE_INVALID, ZX_TIME_INFINITE),
              ZX_ERR_INVALID_ARGS);
  FX_CHECK_EQ(zx_futex_requeue(unmapped, 1, 0, &f, 1, ZX_HANDLE_INVALID), ZX_ERR_INVALID_ARGS);
  FX_CHECK_EQ(zx_futex_wake(unmapped, 1), ZX_OK);
  /* Values and deadlines. */
  FX_CHECK_EQ(zx_futex_wait(&f, 6, ZX_HANDLE_INVALID, ZX_TIME_INFINITE), ZX_ERR_BAD_STATE);
  FX_CHECK_EQ(zx_futex_requeue(&f, 1, 6, &g, 1, ZX_HANDLE_INVALID), ZX_ERR_BAD_STATE);
  FX_CHECK_EQ(zx_futex_wait(&f, 5, ZX_HANDLE_INVALID, 0), ZX_ERR_TIMED_OUT);
  for (int i = 0; i < 3; i++) {
    zx_instant_mono_t d = zx_deadline_after(20 * MSEC);
    FX_CHECK_EQ(zx_futex_wait(&f, 5, ZX_HANDLE_INVALID, d), ZX_ERR_TIMED_OUT);
    FX_CHECK(zx_clock_get_monotonic() >= d);
  }
  /* Owner handles: not a thread, the waiter itself, a thread not started; a value mismatch
   * is reported before a bad handle. */
  zx_handle_t ev;
  FX_CHECK_EQ(zx_event_create(0, &ev), ZX_OK);
  FX_CHECK_EQ(zx_futex_wait(&f, 5, ev, ZX_TIME_INFINITE), ZX_ERR_WRONG_TYPE);
  FX_CHECK_EQ(zx_futex_wait(&f, 5, self_thread, ZX_TIME_INFINITE), ZX_ERR_INVALID_ARGS);
  const zx_handle_t bad = (zx_handle_t)~ZX_HANDLE_FIXED_BITS_MASK;
  FX_CHECK_EQ(zx_futex_wait(&f, 5, bad, ZX_TIME_INFINITE), ZX_ERR_BAD_HANDLE);
  FX_CHECK_EQ(zx_futex_wait(&f, 4, bad, ZX_TIME_INFINITE), ZX_ERR_BAD_STATE);
  zx_handle_t unstarted;
  FX_CHECK_EQ(zx_thread_create(self_proc, "new", 3, 0, &unstarted), ZX_OK);
  FX_CHECK_EQ(zx_futex_wait(&f, 5, unstarted, zx_deadline_after(MSEC)), ZX_ERR_INVALID_ARGS);
  FX_CHECK_EQ(zx_futex_requeue(&f, 0, 5, &g, 1, unstarted), ZX_ERR_INVALID_ARGS);
  FX_CHECK_EQ(zx_handle_close(unstarted), ZX_OK);
  FX_CHECK_EQ(zx_handle_close(ev), ZX_OK);
  fx_puts("futex: errors ok\n");
}

/* ---- ping-pong: the main thread and a partner take turns through one futex */

static zx_futex_t turn; /* 0: the main thread's turn, 1: the partner's; -1 ends */
static int64_t partner_rounds;

static __attribute__((noreturn)) void partner(uintptr_t arg1, uintptr_t arg2) {
  (void)arg1, (void)arg2;
  for (;;) {
    int v = turn;
    if (v == -1) break;
    if (v == 0) {
      zx_status_t s = zx_futex_wait(&turn, 0, ZX_HANDLE_INVALID, ZX_TIME_INFINITE);
      if (s != ZX_OK && s != ZX_ERR_BAD_STATE) zx_process_exit(10);
      continue;
    }
    partner_rounds++;
    turn = 0;
    if (zx_futex_wake(&turn, 1) != ZX_OK) zx_process_exit(11);
  }
  zx_thread_exit();
}

/* n round trips; returns the nanoseconds they took. */
static int64_t pingpong(int64_t n) {
  turn = 0;
  partner_rounds = 0;
  zx_handle_t t = start_thread(0, (void (*)(uintptr_t, uintptr_t))partner, 0);
  zx_instant_mono_t t0 = zx_clock_get_monotonic();
  for (int64_t i = 0; i < n; i++) {
    turn = 1;
    FX_CHECK_EQ(zx_futex_wake(&turn, 1), ZX_OK);
    while (turn == 1) {
      zx_status_t s = zx_futex_wait(&turn, 1, ZX_HANDLE_INVALID, ZX_TIME_INFINITE);
      FX_CHECK(s == ZX_OK || s == ZX_ERR_BAD_STATE);
    }
  }
  int64_t took = zx_clock_get_monotonic() - t0;
  turn = -1;
  FX_CHECK_EQ(zx_futex_wake(&turn, UINT32_MAX), ZX_OK);
  join(t);
  FX_CHECK_EQ(partner_rounds, n);
  return took;
}

static void wake_counts(void) {
  static zx_futex_t gate = 0, elsewhere = 0;
  struct job j[4];
  zx_handle_t th[4];
  for (int i = 0; i < 4; i++) {
    j[i] = (struct job){.ptr = &gate, .value = 0, .deadline = ZX_TIME_INFINITE};
    start_job(i, &j[i], &th[i]);
    until_blocked(th[i]);
  }
  FX_CHECK_EQ(zx_futex_wake(&elsewhere, UINT32_MAX), ZX_OK);
  expect_returned(j, 4, 0);
  FX_CHECK_EQ(zx_futex_wake(&gate, 2), ZX_OK);
  expect_returned(j, 4, 2);
  FX_CHECK_EQ(zx_futex_wake(&gate, UINT32_MAX), ZX_OK);
  expect_returned(j, 4, 4);
  for (int i = 0; i < 4; i++) {
    FX_CHECK_EQ(j[i].status, ZX_OK);
    join(th[i]);
  }
  fx_puts("futex: wake counts ok\n");
}

static void requeue(void) {
  static zx_futex_t a = 100, b = 200;
  struct job j[5];
  zx_handle_t th[5];
  for (int i = 0; i < 5; i++) {
    j[i] = (struct job){.ptr = &a, .value = 100, .deadline = ZX_TIME_INFINITE};
    start_job(i, &j[i], &th[i]);
    until_blocked(th[i]);
  }
  FX_CHECK_EQ(zx_futex_requeue(&a, 2, 101, &b, 2, ZX_HANDLE_INVALID), ZX_ERR_BAD_STATE);
  FX_CHECK_EQ(zx_futex_requeue(&a, 2, 100, &b, 2, ZX_HANDLE_INVALID), ZX_OK);
  expect_returned(j, 5, 2);
  /* Two wait on b now, one is left on a. */
  FX_CHECK_EQ(zx_futex_wake(&b, UINT32_MAX), ZX_OK);
  expect_returned(j, 5, 4);
  FX_CHECK_EQ(zx_futex_wake(&a, UINT32_MAX), ZX_OK);
  expect_returned(j, 5, 5);
  for (int i = 0; i < 5; i++) join(th[i]);
  fx_puts("futex: requeue ok\n");
}

static void owners(void) {
  static zx_futex_t f = 0;
  zx_koid_t me = koid_of(self_thread);
  FX_CHECK_EQ(owner_of(&f), ZX_KOID_INVALID);
  struct job j[3];
  zx_handle_t th[3];
  for (int i = 0; i < 3; i++) {
    j[i] = (struct job){
        .ptr = &f, .value = 0, .owner = self_thread, .deadline = ZX_TIME_INFINITE, .hold = 1};
    start_job(i, &j[i], &th[i]);
    until_blocked(th[i]);
  }
  FX_CHECK_EQ(owner_of(&f), me);
  /* A waiter may not name a thread that already waits in the futex. */
  FX_CHECK_EQ(zx_futex_wait(&f, 0, th[0], 0), ZX_ERR_INVALID_ARGS);
  /* Hand-over to the woken thread while others wait. */
  FX_CHECK_EQ(zx_futex_wake_single_owner(&f), ZX_OK);
  expect_returned(j, 3, 1);
  int first = j[0].state == 2 ? 0 : j[1].state == 2 ? 1 : 2;
  FX_CHECK_EQ(owner_of(&f), koid_of(th[first]));
  /* Waits that time out still set the owner while others wait, even past their deadline. */
  FX_CHECK_EQ(zx_futex_wait(&f, 0, ZX_HANDLE_INVALID, 0), ZX_ERR_TIMED_OUT);
  FX_CHECK_EQ(owner_of(&f), ZX_KOID_INVALID);
  FX_CHECK_EQ(zx_futex_wait(&f, 0, th[first], zx_deadline_after(MSEC)), ZX_ERR_TIMED_OUT);
  FX_CHECK_EQ(owner_of(&f), koid_of(th[first]));
  /* Its thread exits: the futex has no owner any more. */
  j[first].hold = 0;
  FX_CHECK_EQ(zx_futex_wake(&j[first].hold, 1), ZX_OK);
  join(th[first]);
  FX_CHECK_EQ(owner_of(&f), ZX_KOID_INVALID);
  /* A requeue names the owner of its target (here moving nobody); zx_futex_wake clears it,
   * even waking nobody. */
  static zx_futex_t other = 0;
  FX_CHECK_EQ(zx_futex_requeue(&other, 0, 0, &f, 0, self_thread), ZX_OK);
  FX_CHECK_EQ(owner_of(&f), me);
  FX_CHECK_EQ(zx_futex_wake(&f, 0), ZX_OK);
  FX_CHECK_EQ(owner_of(&f), ZX_KOID_INVALID);
  FX_CHECK_EQ(zx_futex_wake(&f, UINT32_MAX), ZX_OK);
  expect_returned(j, 3, 3);
  for (int i = 0; i < 3; i++) {
    if (i == first) continue;
    j[i].hold = 0;
    FX_CHECK_EQ(zx_futex_wake(&j[i].hold, 1), ZX_OK);
    join(th[i]);
  }
  FX_CHECK_EQ(owner_of(&f), ZX_KOID_INVALID);
  fx_puts("futex: owners ok\n");
}

/* ---- a thread's last calls: the stack may go as soon as they have begun */

static zx_handle_t root_vmar;
static zx_futex_t joined;

struct last {
  zx_handle_t self;  /* a handle to the thread itself, closed by its last call */
  zx_vaddr_t stack;  /* its stack's mapping */
  size_t stack_size;
};

static __attribute__((noreturn)) void joinable(uintptr_t arg1, uintptr_t arg2) {
  (void)arg2;
  struct last* l = (struct last*)arg1;
  zx_futex_wake_handle_close_thread_exit(&joined, 1, 1, l->self);
}

static __attribute__((noreturn)) void detached(uintptr_t arg1, uintptr_t arg2) {
  (void)arg2;
  struct last* l = (struct last*)arg1;
  zx_vmar_unmap_handle_close_thread_exit(root_vmar, l->stack, l->stack_size, l->self);
  zx_process_exit(20); /* not reached: the unmap cannot fail */
}

/* A thread on a stack of its own mapping; *t gets a handle to wait on, l->self another. */
static void start_on_mapping(void (*entry)(uintptr_t, uintptr_t), struct last* l, zx_handle_t* t) {
  zx_handle_t vmo;
  l->stack_size = 4 * 4096;
  FX_CHECK_EQ(zx_vmo_create(l->stack_size, 0, &vmo), ZX_OK);
  FX_CHECK_EQ(zx_vmar_map(root_vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, l->stack_size,
                          &l->stack),
              ZX_OK);
  FX_CHECK_EQ(zx_handle_close(vmo), ZX_OK);
  FX_CHECK_EQ(zx_thread_create(self_proc, "last", 4, 0, t), ZX_OK);
  FX_CHECK_EQ(zx_handle_duplicate(*t, ZX_RIGHT_SAME_RIGHTS, &l->self), ZX_OK);
  FX_CHECK_EQ(zx_thread_start(*t, (uintptr_t)entry, l->stack + l->stack_size - 8, (uintptr_t)l, 0),
              ZX_OK);
}

static void last_calls(void) {
  /* Joinable: once `joined` is stored the joiner unmaps the stack at once. */
  static struct last l1, l2;
  zx_handle_t t;
  joined = 0;
  start_on_mapping((void (*)(uintptr_t, uintptr_t))joinable, &l1, &t);
  while (joined == 0) {
    zx_status_t s = zx_futex_wait(&joined, 0, ZX_HANDLE_INVALID, zx_deadline_after(20 * SEC));
    FX_CHECK(s == ZX_OK || s == ZX_ERR_BAD_STATE);
  }
  FX_CHECK_EQ(zx_vmar_unmap(root_vmar, l1.stack, l1.stack_size), ZX_OK);
  join(t);
  FX_CHECK_EQ(zx_handle_close(l1.self), ZX_ERR_BAD_HANDLE); /* closed by the thread */
  /* Detached: the thread unmaps its own stack. */
  start_on_mapping((void (*)(uintptr_t, uintptr_t))detached, &l2, &t);
  join(t);
  FX_CHECK_EQ(zx_handle_close(l2.self), ZX_ERR_BAD_HANDLE);
  zx_info_maps_t maps[64];
  size_t actual = 0, avail = 0;
  FX_CHECK_EQ(zx_object_get_info(self_proc, ZX_INFO_PROCESS_MAPS, maps, sizeof(maps), &actual,
                                 &avail),
              ZX_OK);
  for (size_t i = 0; i < actual; i++)
    FX_CHECK(maps[i].type != ZX_INFO_MAPS_TYPE_MAPPING || maps[i].base != l2.stack);
  /* A failed unmap returns, the thread alive and its handle open. */
  zx_handle_t h;
  FX_CHECK_EQ(zx_handle_duplicate(self_thread, ZX_RIGHT_SAME_RIGHTS, &h), ZX_OK);
  FX_CHECK_EQ(zx_vmar_unmap_handle_close_thread_exit(ZX_HANDLE_INVALID, l2.stack, 4096, h),
              ZX_ERR_BAD_HANDLE);
  FX_CHECK_EQ(zx_handle_close(h), ZX_OK);
  fx_puts("futex: last calls ok\n");
}

void _start(zx_handle_t bootstrap, uintptr_t vdso_base) {
  fx_read_bootstrap(bootstrap, vdso_base);
  self_proc = fx_take(PA_HND(PA_PROC_SELF, 0));
  self_thread = fx_take(PA_HND(PA_THREAD_SELF, 0));
  root_vmar = fx_take(PA_HND(PA_VMAR_ROOT, 0));
  FX_CHECK(self_proc && self_thread && root_vmar);
  if (fx_start.argc >= 3 && fx_streq(fx_start.argv[1], "bench")) {
    /* The median of 7 repetitions of n round trips, as tests/bench/bench.h does. */
    int64_t n = fx_atoi(fx_start.argv[2]), v[7];
    FX_CHECK(n > 0);
    for (int i = 0; i < 7; i++) v[i] = pingpong(n) / n;
    for (int i = 0; i < 7; i++)
      for (int k = i + 1; k < 7; k++)
        if (v[k] < v[i]) {
          int64_t t = v[i];
          v[i] = v[k];
          v[k] = t;
        }
    fx_puts("futex_pingpong_ns ");
    fx_dec(v[3]);
    fx_puts("\n");
    zx_process_exit(0);
  }
  errors();
  pingpong(1000);
  fx_puts("futex: ping-pong ok\n");
  wake_counts();
  requeue();
  owners();
  last_calls();
  fx_puts("futex: ok\n");
  zx_process_exit(0);
}
