/* `make bench`'s Linux baseline for a futex ping-pong: two threads of one process take turns
 * through one word with FUTEX_WAIT_PRIVATE / FUTEX_WAKE_PRIVATE, exactly as tests/fuchsia/futex.c
 * does with zx_futex_wait / zx_futex_wake between two threads of a pure process ("bench" mode).
 *
 * Prints `native_futex_pingpong_ns <median ns per round trip>`. */
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tests/bench/bench.h"

static atomic_int turn; /* 0: the main thread's turn, 1: the partner's; -1 ends */

static void fwait(int expected) {
  syscall(SYS_futex, &turn, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
}
static void fwake(int n) { syscall(SYS_futex, &turn, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0); }

static void* partner(void* arg) {
  (void)arg;
  for (;;) {
    int v = atomic_load(&turn);
    if (v == -1) break;
    if (v == 0) {
      fwait(0);
      continue;
    }
    atomic_store(&turn, 0);
    fwake(1);
  }
  return NULL;
}

static double pingpong(long n) {
  pthread_t t;
  atomic_store(&turn, 0);
  if (pthread_create(&t, NULL, partner, NULL) != 0) return -1;
  int64_t t0 = bench_now_ns();
  for (long i = 0; i < n; i++) {
    atomic_store(&turn, 1);
    fwake(1);
    while (atomic_load(&turn) == 1) fwait(1);
  }
  int64_t took = bench_now_ns() - t0;
  atomic_store(&turn, -1);
  fwake(1);
  pthread_join(t, NULL);
  return (double)took / (double)n;
}

int main(int argc, char** argv) {
  long n = argc > 1 && strcmp(argv[1], "--quick") == 0 ? 2000 : 20000;
  double v[BENCH_REPS];
  for (int i = 0; i < BENCH_REPS; i++) v[i] = pingpong(n);
  printf("native_futex_pingpong_ns %.1f\n", bench_median(v, BENCH_REPS));
  return 0;
}
