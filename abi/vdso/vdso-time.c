/* Time calls that run in the vDSO. Zircon's monotonic clock is Linux's CLOCK_MONOTONIC (the
 * supervisor arms its deadlines on the same clock), its boot clock is CLOCK_BOOTTIME. zum's
 * ticks are nanoseconds: ticks_per_second is 1e9, which Zircon allows (the tick rate is only
 * promised to be constant), and it makes ticks and time agree exactly. */
#include "vdso-private.h"

struct zum_timespec {
  int64_t tv_sec;
  int64_t tv_nsec;
};

#define ZUM_CLOCK_MONOTONIC 1
#define ZUM_CLOCK_BOOTTIME 7

static int64_t read_clock(int id) {
  struct zum_timespec ts;
  int (*fn)(int, struct zum_timespec*) = (int (*)(int, struct zum_timespec*))zum_page()->clock_gettime_fn;
  if (fn(id, &ts) != 0) zum_vdso_fatal();
  return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

zx_instant_mono_t _zx_clock_get_monotonic(void) { return read_clock(ZUM_CLOCK_MONOTONIC); }
ZUM_VDSO_ALIAS(_zx_clock_get_monotonic, zx_clock_get_monotonic);

zx_instant_boot_t _zx_clock_get_boot(void) { return read_clock(ZUM_CLOCK_BOOTTIME); }
ZUM_VDSO_ALIAS(_zx_clock_get_boot, zx_clock_get_boot);

zx_instant_mono_ticks_t _zx_ticks_get(void) { return read_clock(ZUM_CLOCK_MONOTONIC); }
ZUM_VDSO_ALIAS(_zx_ticks_get, zx_ticks_get);

zx_instant_boot_ticks_t _zx_ticks_get_boot(void) { return read_clock(ZUM_CLOCK_BOOTTIME); }
ZUM_VDSO_ALIAS(_zx_ticks_get_boot, zx_ticks_get_boot);

zx_ticks_t _zx_ticks_per_second(void) { return 1000000000ll; }
ZUM_VDSO_ALIAS(_zx_ticks_per_second, zx_ticks_per_second);

/* Saturates at ZX_TIME_INFINITE (and ZX_TIME_INFINITE_PAST for large negative durations), as
 * Zircon's does: callers pass ZX_TIME_INFINITE-ish durations expecting "never". */
zx_instant_mono_t _zx_deadline_after(zx_duration_mono_t nanoseconds) {
  return zx_time_add_duration(_zx_clock_get_monotonic(), nanoseconds);
}
ZUM_VDSO_ALIAS(_zx_deadline_after, zx_deadline_after);
