/* Shared by the `make bench` programs: a monotonic clock and medians.
 *
 * Every bench program measures REPS repetitions of a loop and prints the median of the
 * per-repetition averages as `key value` lines on stdout; tests/bench/run.sh turns those into
 * `<metric> zum <v> <unit> baseline <v> <unit> ratio <r>` lines. Nothing here is pinned to a CPU:
 * zum's users do not pin, and the transport is chosen to be fast unpinned (DESIGN.md section 3). */
#ifndef ZUM_TESTS_BENCH_BENCH_H_
#define ZUM_TESTS_BENCH_BENCH_H_

#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#define BENCH_REPS 7

static inline int64_t bench_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int bench_cmp_double(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

/* Median of n values (sorts them in place). */
static inline double bench_median(double* v, int n) {
  qsort(v, (size_t)n, sizeof(*v), bench_cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Keeps the compiler from dropping a computed value. */
static inline void bench_sink(int64_t v) { __asm__ volatile("" : : "r"(v) : "memory"); }

#endif
