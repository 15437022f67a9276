/* Timers through the real trap: create/set/cancel errors, firing, re-set, the boot clock, and
 * an async wait with ZX_WAIT_ASYNC_TIMESTAMP. */
#include <zircon/syscalls.h>
#include <zircon/syscalls/port.h>

#include "guest_test.h"

int main(void) {
  zx_handle_t t, bad = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_timer_create(3, ZX_CLOCK_MONOTONIC, &bad), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_timer_create(0, 2, &bad), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(bad, ZX_HANDLE_INVALID);
  CHECK_EQ(zx_timer_create(0, ZX_CLOCK_MONOTONIC, (zx_handle_t*)8), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_timer_create(ZX_TIMER_SLACK_LATE, ZX_CLOCK_MONOTONIC, &t), ZX_OK);
  CHECK_EQ(zx_timer_set(t, zx_deadline_after(ZX_MSEC(1)), -1), ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_timer_set(t ^ 0x100, zx_deadline_after(ZX_MSEC(1)), 0), ZX_ERR_BAD_HANDLE);
  zx_handle_t ro;
  CHECK_EQ(zx_handle_duplicate(t, ZX_RIGHT_WAIT, &ro), ZX_OK);
  CHECK_EQ(zx_timer_set(ro, zx_deadline_after(ZX_MSEC(1)), 0), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_timer_cancel(ro), ZX_ERR_ACCESS_DENIED);

  /* Fires at its deadline. */
  zx_signals_t obs = 0;
  zx_time_t dl = zx_deadline_after(ZX_MSEC(3));
  CHECK_EQ(zx_timer_set(t, dl, 0), ZX_OK);
  CHECK_EQ(zx_object_wait_one(ro, ZX_TIMER_SIGNALED, ZX_TIME_INFINITE, &obs), ZX_OK);
  CHECK(obs & ZX_TIMER_SIGNALED);
  CHECK(zx_clock_get_monotonic() >= dl);
  /* Setting again clears the signal. */
  CHECK_EQ(zx_timer_set(t, zx_deadline_after(ZX_SEC(3600)), 0), ZX_OK);
  CHECK_EQ(zx_object_wait_one(t, ZX_TIMER_SIGNALED, 0, &obs), ZX_ERR_TIMED_OUT);
  CHECK(!(obs & ZX_TIMER_SIGNALED));
  /* A deadline in the past fires at once; cancel clears it. */
  CHECK_EQ(zx_timer_set(t, 0, 0), ZX_OK);
  CHECK_EQ(zx_object_wait_one(t, ZX_TIMER_SIGNALED, 0, &obs), ZX_OK);
  CHECK_EQ(zx_timer_cancel(t), ZX_OK);
  CHECK_EQ(zx_object_wait_one(t, ZX_TIMER_SIGNALED, 0, &obs), ZX_ERR_TIMED_OUT);
  /* A cancelled timer does not fire. */
  CHECK_EQ(zx_timer_set(t, zx_deadline_after(ZX_MSEC(1)), 0), ZX_OK);
  CHECK_EQ(zx_timer_cancel(t), ZX_OK);
  CHECK_EQ(zx_object_wait_one(t, ZX_TIMER_SIGNALED, zx_deadline_after(ZX_MSEC(5)), &obs),
           ZX_ERR_TIMED_OUT);

  /* wait_async with a timestamp: the packet says when the signal was seen, not before the
   * deadline. */
  zx_handle_t port;
  CHECK_EQ(zx_port_create(0, &port), ZX_OK);
  dl = zx_deadline_after(ZX_MSEC(4));
  CHECK_EQ(zx_timer_set(t, dl, ZX_USEC(10)), ZX_OK);
  CHECK_EQ(zx_object_wait_async(t, port, 42, ZX_TIMER_SIGNALED, ZX_WAIT_ASYNC_TIMESTAMP), ZX_OK);
  zx_port_packet_t pk;
  CHECK_EQ(zx_port_wait(port, ZX_TIME_INFINITE, &pk), ZX_OK);
  CHECK_EQ(pk.key, 42);
  CHECK_EQ(pk.type, ZX_PKT_TYPE_SIGNAL_ONE);
  CHECK_EQ(pk.signal.trigger, ZX_TIMER_SIGNALED);
  CHECK(pk.signal.observed & ZX_TIMER_SIGNALED);
  CHECK(pk.signal.timestamp >= dl);
  CHECK(pk.signal.timestamp <= zx_clock_get_monotonic());

  /* A boot-clock timer, with a boot timestamp. */
  zx_handle_t bt;
  CHECK_EQ(zx_timer_create(0, ZX_CLOCK_BOOT, &bt), ZX_OK);
  zx_instant_boot_t bdl = zx_clock_get_boot() + ZX_MSEC(3);
  CHECK_EQ(zx_timer_set(bt, bdl, 0), ZX_OK);
  CHECK_EQ(zx_object_wait_async(bt, port, 43, ZX_TIMER_SIGNALED, ZX_WAIT_ASYNC_BOOT_TIMESTAMP),
           ZX_OK);
  CHECK_EQ(zx_port_wait(port, ZX_TIME_INFINITE, &pk), ZX_OK);
  CHECK_EQ(pk.key, 43);
  CHECK(pk.signal.timestamp >= bdl);
  CHECK(zx_clock_get_boot() >= bdl);

  /* Closing an armed timer. */
  CHECK_EQ(zx_timer_set(bt, zx_clock_get_boot() + ZX_SEC(3600), 0), ZX_OK);
  CHECK_EQ(zx_handle_close(bt), ZX_OK);
  CHECK_EQ(zx_handle_close(port), ZX_OK);
  CHECK_EQ(zx_handle_close(ro), ZX_OK);
  CHECK_EQ(zx_handle_close(t), ZX_OK);
  return GUEST_RESULT();
}
