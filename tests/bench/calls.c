/* A hosted guest (run under `zum run`) timing single Zircon calls:
 *
 *   null_call_ns   zx_handle_duplicate + zx_handle_close on an event, divided by 2: the cheapest
 *                  calls that trap, so this is zum's per-call overhead over the transport floor
 *                  (tests/bench/transport.c) measured with the same loop;
 *   vdso_zx_ns     zx_clock_get_monotonic, which runs in the vDSO without trapping;
 *   vdso_linux_ns  clock_gettime(CLOCK_MONOTONIC) through glibc and Linux's vDSO, in the same
 *                  process, as its baseline.
 *
 * Prints `key value` lines with medians of BENCH_REPS repetitions. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <zircon/syscalls.h>

#include "tests/bench/bench.h"

static int fail(const char* what, zx_status_t s) {
  fprintf(stderr, "calls: %s: %s\n", what, zx_status_get_string(s));
  return 1;
}

int main(int argc, char** argv) {
  int null_iters = 20000, vdso_iters = 1000000;
  if (argc > 1 && strcmp(argv[1], "--quick") == 0) null_iters = 2000, vdso_iters = 100000;

  zx_handle_t ev;
  zx_status_t s = zx_event_create(0, &ev);
  if (s != ZX_OK) return fail("zx_event_create", s);
  double per[BENCH_REPS];
  for (int i = 0; i < 200; i++) {
    zx_handle_t h;
    if ((s = zx_handle_duplicate(ev, ZX_RIGHT_SAME_RIGHTS, &h)) != ZX_OK)
      return fail("zx_handle_duplicate", s);
    if ((s = zx_handle_close(h)) != ZX_OK) return fail("zx_handle_close", s);
  }
  for (int r = 0; r < BENCH_REPS; r++) {
    int64_t t0 = bench_now_ns();
    for (int i = 0; i < null_iters; i++) {
      zx_handle_t h;
      if ((s = zx_handle_duplicate(ev, ZX_RIGHT_SAME_RIGHTS, &h)) != ZX_OK)
        return fail("zx_handle_duplicate", s);
      if ((s = zx_handle_close(h)) != ZX_OK) return fail("zx_handle_close", s);
    }
    per[r] = (double)(bench_now_ns() - t0) / (2.0 * null_iters);
  }
  printf("null_call_ns %.1f\n", bench_median(per, BENCH_REPS));
  zx_handle_close(ev);

  /* Interleave the two clocks so drift hits both alike. */
  double zx[BENCH_REPS], lx[BENCH_REPS];
  for (int r = 0; r < BENCH_REPS; r++) {
    int64_t t0 = bench_now_ns();
    for (int i = 0; i < vdso_iters; i++) bench_sink(zx_clock_get_monotonic());
    int64_t t1 = bench_now_ns();
    for (int i = 0; i < vdso_iters; i++) {
      struct timespec ts;
      clock_gettime(CLOCK_MONOTONIC, &ts);
      bench_sink(ts.tv_nsec);
    }
    int64_t t2 = bench_now_ns();
    zx[r] = (double)(t1 - t0) / vdso_iters;
    lx[r] = (double)(t2 - t1) / vdso_iters;
  }
  printf("vdso_zx_ns %.2f\n", bench_median(zx, BENCH_REPS));
  printf("vdso_linux_ns %.2f\n", bench_median(lx, BENCH_REPS));
  return 0;
}
