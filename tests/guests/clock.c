/* Clock objects through the real trap: an auto-started clock follows the monotonic clock, a set
 * starts a stopped one, STARTED stays while UPDATED is only pulsed (a port sees it, a later wait
 * does not), details, and older Zircon's zx_clock_get (UTC is the host's real time). */
#include <time.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/clock.h>
#include <zircon/syscalls/port.h>

#include "guest_test.h"

int main(void) {
  zx_handle_t mono, c, port;
  int64_t v, before, after;
  CHECK_EQ(zx_clock_create(ZX_CLOCK_OPT_AUTO_START | ZX_CLOCK_OPT_MONOTONIC, NULL, &mono), ZX_OK);
  before = zx_clock_get_monotonic();
  CHECK_EQ(zx_clock_read(mono, &v), ZX_OK);
  after = zx_clock_get_monotonic();
  CHECK(v >= before && v <= after);
  zx_info_handle_basic_t info;
  CHECK_EQ(zx_object_get_info(mono, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL), ZX_OK);
  CHECK_EQ(info.type, ZX_OBJ_TYPE_CLOCK);
  CHECK_EQ(info.rights, ZX_DEFAULT_CLOCK_RIGHTS);

  zx_clock_create_args_v1_t args = {.backstop_time = 1000};
  CHECK_EQ(zx_clock_create(ZX_CLOCK_ARGS_VERSION(1), &args, &c), ZX_OK);
  CHECK_EQ(zx_clock_read(c, &v), ZX_OK);
  CHECK_EQ(v, 1000);
  zx_signals_t seen = 0;
  CHECK_EQ(zx_object_wait_one(c, ZX_CLOCK_STARTED, 0, &seen), ZX_ERR_TIMED_OUT);
  CHECK_EQ(zx_port_create(0, &port), ZX_OK);
  CHECK_EQ(zx_object_wait_async(c, port, 7, ZX_CLOCK_UPDATED, 0), ZX_OK);
  zx_clock_update_args_v2_t up = {.synthetic_value = 1000000};
  CHECK_EQ(zx_clock_update(c, ZX_CLOCK_ARGS_VERSION(2) | ZX_CLOCK_UPDATE_OPTION_SYNTHETIC_VALUE_VALID,
                           &up),
           ZX_OK);
  zx_port_packet_t pk;
  CHECK_EQ(zx_port_wait(port, 0, &pk), ZX_OK);
  CHECK_EQ(pk.key, 7);
  CHECK(pk.signal.observed & ZX_CLOCK_UPDATED);
  CHECK(pk.signal.observed & ZX_CLOCK_STARTED);
  CHECK_EQ(zx_object_wait_one(c, ZX_CLOCK_UPDATED, 0, &seen), ZX_ERR_TIMED_OUT);
  CHECK_EQ(zx_object_wait_one(c, ZX_CLOCK_STARTED, 0, &seen), ZX_OK);
  CHECK_EQ(zx_clock_read(c, &v), ZX_OK);
  CHECK(v >= 1000000);
  zx_clock_details_v1_t d;
  CHECK_EQ(zx_clock_get_details(c, ZX_CLOCK_ARGS_VERSION(1), &d), ZX_OK);
  CHECK_EQ(d.backstop_time, 1000);
  CHECK_EQ(d.generation_counter, 1);
  CHECK_EQ(zx_clock_get_details(c, ZX_CLOCK_ARGS_VERSION(1), (void*)8), ZX_ERR_INVALID_ARGS);
  /* A name, as newer Zircon gives clocks. */
  CHECK_EQ(zx_object_set_property(c, ZX_PROP_NAME, "utc", 3), ZX_OK);
  char name[ZX_MAX_NAME_LEN];
  CHECK_EQ(zx_object_get_property(c, ZX_PROP_NAME, name, sizeof(name)), ZX_OK);
  CHECK(strcmp(name, "utc") == 0);

  /* zx_clock_get: monotonic, UTC (the host's real time), the thread's running time. */
  CHECK_EQ(zx_clock_get(ZX_CLOCK_MONOTONIC, &v), ZX_OK);
  CHECK(v >= after);
  CHECK_EQ(zx_clock_get(ZX_CLOCK_UTC, &v), ZX_OK);
  int64_t host = (int64_t)time(NULL) * 1000000000;
  CHECK(v > host - 10 * (int64_t)1000000000 && v < host + 10 * (int64_t)1000000000);
  CHECK_EQ(zx_clock_get(ZX_CLOCK_THREAD, &v), ZX_OK);
  CHECK(v > 0);
  CHECK_EQ(zx_clock_get(9, &v), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_handle_close(port), ZX_OK);
  CHECK_EQ(zx_handle_close(c), ZX_OK);
  CHECK_EQ(zx_handle_close(mono), ZX_OK);
  return GUEST_RESULT();
}
