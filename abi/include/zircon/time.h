/* Zircon time types and helpers (time.h). All times are nanoseconds in int64_t. */
#ifndef ZIRCON_TIME_H_
#define ZIRCON_TIME_H_

#include <stdint.h>

typedef int64_t zx_time_t;
typedef int64_t zx_duration_t;
typedef int64_t zx_ticks_t;
typedef int64_t zx_instant_mono_t;
typedef int64_t zx_instant_boot_t;
typedef int64_t zx_duration_mono_t;
typedef int64_t zx_duration_boot_t;
typedef int64_t zx_instant_mono_ticks_t;
typedef int64_t zx_instant_boot_ticks_t;
typedef int64_t zx_duration_mono_ticks_t;
typedef int64_t zx_duration_boot_ticks_t;

#define ZX_TIME_INFINITE INT64_MAX
#define ZX_TIME_INFINITE_PAST INT64_MIN

static inline zx_time_t zx_time_add_duration(zx_time_t t, zx_duration_t d) {
  zx_time_t r;
  if (__builtin_add_overflow(t, d, &r)) return d < 0 ? ZX_TIME_INFINITE_PAST : ZX_TIME_INFINITE;
  return r;
}
static inline zx_time_t zx_time_sub_duration(zx_time_t t, zx_duration_t d) {
  zx_time_t r;
  if (__builtin_sub_overflow(t, d, &r)) return d < 0 ? ZX_TIME_INFINITE : ZX_TIME_INFINITE_PAST;
  return r;
}
static inline zx_duration_t zx_time_sub_time(zx_time_t a, zx_time_t b) {
  zx_duration_t r;
  if (__builtin_sub_overflow(a, b, &r)) return b < 0 ? ZX_TIME_INFINITE : ZX_TIME_INFINITE_PAST;
  return r;
}
static inline zx_duration_t zx_duration_add_duration(zx_duration_t a, zx_duration_t b) {
  return zx_time_add_duration(a, b);
}
static inline zx_duration_t zx_duration_mul_int64(zx_duration_t d, int64_t m) {
  zx_duration_t r;
  if (__builtin_mul_overflow(d, m, &r)) return ((d > 0) == (m > 0)) ? ZX_TIME_INFINITE : ZX_TIME_INFINITE_PAST;
  return r;
}
static inline zx_duration_t zx_nsec_from_duration(zx_duration_t n) { return n; }

#define ZX_NSEC(n) ((zx_duration_t)(1LL * (n)))
#define ZX_USEC(n) ((zx_duration_t)(1000LL * (n)))
#define ZX_MSEC(n) ((zx_duration_t)(1000000LL * (n)))
#define ZX_SEC(n) ((zx_duration_t)(1000000000LL * (n)))
#define ZX_MIN(n) (ZX_SEC(n) * 60LL)
#define ZX_HOUR(n) (ZX_MIN(n) * 60LL)

#endif
