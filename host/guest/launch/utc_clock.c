/* The UTC clock (utc_clock.h). */
#include "host/guest/launch/utc_clock.h"

#include <time.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/clock.h>

zx_status_t utc_clock_create(zx_handle_t* out) {
  /* Monotonic and continuous, as Fuchsia's UTC clock is: it is set once here and then only
   * runs. The first update starts it. */
  zx_handle_t c;
  zx_status_t s = zx_clock_create(ZX_CLOCK_OPT_MONOTONIC | ZX_CLOCK_OPT_CONTINUOUS, NULL, &c);
  if (s != ZX_OK) return s;
  struct timespec ts;
  if (clock_gettime(CLOCK_REALTIME, &ts) != 0) {
    zx_handle_close(c);
    return ZX_ERR_INTERNAL;
  }
  zx_clock_update_args_v1_t up = {.value = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec};
  s = zx_clock_update(c, ZX_CLOCK_ARGS_VERSION(1) | ZX_CLOCK_UPDATE_OPTION_VALUE_VALID, &up);
  if (s == ZX_OK)
    s = zx_handle_replace(c, ZX_RIGHT_DUPLICATE | ZX_RIGHT_TRANSFER | ZX_RIGHT_INSPECT | ZX_RIGHT_READ |
                                 ZX_RIGHT_WAIT,
                          out);
  else
    zx_handle_close(c);
  return s;
}
