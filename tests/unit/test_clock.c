/* Unit tests: clock objects against the fake clock. Create's checks, stopped and auto-started
 * clocks, sets and rate changes (v1 and v2), the monotonic and backstop rules, details, the
 * STARTED signal and the UPDATED pulse, and older Zircon's zx_clock_get. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zircon/syscalls/clock.h>
#include <zum/sysno.h>

#include "kobj/clock.h"
#include "kobj/handle.h"
#include "kobj/sysutil.h"
#include "tests/unit/fake_host.h"

#define P fake_p
#define T fake_t

/* The fixture, with the clock well past zero so backstops below it are easy to name. */
static int setup(void** state) {
  int r = fake_fixture_start(state);
  fake_now = 1000000000;
  return r;
}

static zx_handle_t mk(uint64_t options, const void* args) {
  zx_handle_t h = 0;
  assert_int_equal(FAKE(T, clock_create, options, U(args), U(&h)), ZX_OK);
  return h;
}

static int64_t rd(zx_handle_t h) {
  int64_t v = 0;
  assert_int_equal(FAKE(T, clock_read, h, U(&v)), ZX_OK);
  return v;
}

static int64_t upd1(zx_handle_t h, uint64_t opts, int32_t rate, int64_t value, uint64_t err) {
  zx_clock_update_args_v1_t a = {.rate_adjust = rate, .value = value, .error_bound = err};
  return FAKE(T, clock_update, h, ZX_CLOCK_ARGS_VERSION(1) | opts, U(&a));
}

static int64_t upd2(zx_handle_t h, uint64_t opts, int32_t rate, int64_t synth, int64_t ref) {
  zx_clock_update_args_v2_t a = {.rate_adjust = rate, .synthetic_value = synth,
                                 .reference_value = ref};
  return FAKE(T, clock_update, h, ZX_CLOCK_ARGS_VERSION(2) | opts, U(&a));
}

static zx_signals_t sig(zx_handle_t h) { return khandle_lookup(P->table, h)->obj->signals; }

static void test_create(void** state) {
  (void)state;
  zx_handle_t h = 0;
  zx_clock_create_args_v1_t args = {.backstop_time = 5};
  assert_int_equal(FAKE(T, clock_create, 0, U(&args), U(&h)), ZX_ERR_INVALID_ARGS); /* v0 + args */
  assert_int_equal(FAKE(T, clock_create, ZX_CLOCK_ARGS_VERSION(2), U(&args), U(&h)),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, clock_create, ZX_CLOCK_ARGS_VERSION(1), 8, U(&h)), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, clock_create, 1u << 5, 0, U(&h)), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, clock_create, ZX_CLOCK_OPT_CONTINUOUS, 0, U(&h)), ZX_ERR_INVALID_ARGS);
  args.backstop_time = -1;
  assert_int_equal(FAKE(T, clock_create, ZX_CLOCK_ARGS_VERSION(1), U(&args), U(&h)),
                   ZX_ERR_INVALID_ARGS);
  args.backstop_time = fake_now + 1; /* later than an auto-started clock's first reading */
  assert_int_equal(FAKE(T, clock_create, ZX_CLOCK_ARGS_VERSION(1) | ZX_CLOCK_OPT_AUTO_START,
                        U(&args), U(&h)),
                   ZX_ERR_INVALID_ARGS);
  /* A stopped clock reads its backstop, forever. */
  h = mk(ZX_CLOCK_ARGS_VERSION(1), &args);
  assert_int_equal(rd(h), fake_now + 1);
  fake_now += 1000;
  assert_int_equal(rd(h), fake_now - 999);
  assert_int_equal(sig(h) & ZX_CLOCK_STARTED, 0);
  /* Not started: the first update must set it. */
  assert_int_equal(upd1(h, ZX_CLOCK_UPDATE_OPTION_RATE_ADJUST_VALID, 10, 0, 0), ZX_ERR_BAD_STATE);
  assert_int_equal(FAKE(T, handle_close, h), ZX_OK);
  /* Auto-started: the monotonic clock itself. */
  h = mk(ZX_CLOCK_OPT_AUTO_START | ZX_CLOCK_OPT_MONOTONIC, NULL);
  assert_int_equal(rd(h), fake_now);
  assert_int_not_equal(sig(h) & ZX_CLOCK_STARTED, 0);
  zx_clock_details_v1_t d;
  assert_int_equal(FAKE(T, clock_get_details, h, 0, U(&d)), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, clock_get_details, h, ZX_CLOCK_ARGS_VERSION(1), 0), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, clock_get_details, h, ZX_CLOCK_ARGS_VERSION(1), U(&d)), ZX_OK);
  assert_int_equal(d.options, ZX_CLOCK_OPT_AUTO_START | ZX_CLOCK_OPT_MONOTONIC);
  assert_int_equal(d.reference_ticks_to_synthetic.rate.synthetic_ticks, 1);
  assert_int_equal(d.reference_ticks_to_synthetic.rate.reference_ticks, 1);
  assert_int_equal(d.error_bound, ZX_CLOCK_UNKNOWN_ERROR);
  assert_int_equal(d.query_ticks, fake_now);
  assert_int_equal(d.last_value_update_ticks, fake_now);
  assert_int_equal(FAKE(T, handle_close, h), ZX_OK);
}

static void test_set_and_slew(void** state) {
  (void)state;
  zx_handle_t h = mk(ZX_CLOCK_OPT_MONOTONIC, NULL);
  /* Update checks before the handle: no args, bad version, no or unknown options, rate range. */
  assert_int_equal(FAKE(T, clock_update, h, ZX_CLOCK_ARGS_VERSION(1) | 1, 0), ZX_ERR_INVALID_ARGS);
  assert_int_equal(upd1(h, 0, 0, 0, 0), ZX_ERR_INVALID_ARGS);
  assert_int_equal(upd1(h, 1u << 9, 0, 0, 0), ZX_ERR_INVALID_ARGS);
  assert_int_equal(upd1(h, ZX_CLOCK_UPDATE_OPTION_RATE_ADJUST_VALID, 1001, 0, 0),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(upd1(0x1234, ZX_CLOCK_UPDATE_OPTION_VALUE_VALID, 0, 5, 0), ZX_ERR_BAD_HANDLE);
  /* v1 has no reference value. */
  assert_int_equal(upd1(h, ZX_CLOCK_UPDATE_OPTION_VALUE_VALID |
                               ZX_CLOCK_UPDATE_OPTION_REFERENCE_VALUE_VALID, 0, 5, 0),
                   ZX_ERR_INVALID_ARGS);
  /* The first set starts it, and pulses UPDATED to a waiter without keeping it. */
  assert_int_equal(upd1(h, ZX_CLOCK_UPDATE_OPTION_VALUE_VALID | ZX_CLOCK_UPDATE_OPTION_ERROR_BOUND_VALID,
                        0, 5000000000, 77),
                   ZX_OK);
  assert_int_not_equal(sig(h) & ZX_CLOCK_STARTED, 0);
  assert_int_equal(sig(h) & ZX_CLOCK_UPDATED, 0);
  assert_int_equal(rd(h), 5000000000);
  fake_now += 1000;
  assert_int_equal(rd(h), 5000001000);
  zx_clock_details_v1_t d;
  assert_int_equal(FAKE(T, clock_get_details, h, ZX_CLOCK_ARGS_VERSION(1), U(&d)), ZX_OK);
  assert_int_equal(d.error_bound, 77);
  assert_int_equal(d.generation_counter, 1);
  /* A monotonic clock cannot go back... */
  assert_int_equal(upd1(h, ZX_CLOCK_UPDATE_OPTION_VALUE_VALID, 0, 4000000000, 0),
                   ZX_ERR_INVALID_ARGS);
  /* ...but can jump forward, and slew: +1000 ppm from now on. */
  assert_int_equal(upd1(h, ZX_CLOCK_UPDATE_OPTION_VALUE_VALID, 0, 6000000000, 0), ZX_OK);
  assert_int_equal(upd1(h, ZX_CLOCK_UPDATE_OPTION_RATE_ADJUST_VALID, 1000, 0, 0), ZX_OK);
  fake_now += 1000000;
  assert_int_equal(rd(h), 6000000000 + 1001000);
  assert_int_equal(FAKE(T, clock_get_details, h, ZX_CLOCK_ARGS_VERSION(1), U(&d)), ZX_OK);
  assert_int_equal(d.reference_to_synthetic.rate.synthetic_ticks, 1001000);
  assert_int_equal(d.reference_to_synthetic.rate.reference_ticks, 1000000);
  assert_int_equal(d.reference_ticks_to_synthetic.rate.synthetic_ticks, 1001);
  assert_int_equal(d.reference_ticks_to_synthetic.rate.reference_ticks, 1000);
  /* v2 on a running monotonic clock: a set names its reference time, and not with a rate. */
  assert_int_equal(upd2(h, ZX_CLOCK_UPDATE_OPTION_SYNTHETIC_VALUE_VALID, 0, 7000000000, 0),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(upd2(h, ZX_CLOCK_UPDATE_OPTION_SYNTHETIC_VALUE_VALID |
                               ZX_CLOCK_UPDATE_OPTION_REFERENCE_VALUE_VALID |
                               ZX_CLOCK_UPDATE_OPTION_RATE_ADJUST_VALID,
                        0, 7000000000, fake_now),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(upd2(h, ZX_CLOCK_UPDATE_OPTION_REFERENCE_VALUE_VALID, 0, 0, fake_now),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(upd2(h, ZX_CLOCK_UPDATE_OPTION_SYNTHETIC_VALUE_VALID |
                               ZX_CLOCK_UPDATE_OPTION_REFERENCE_VALUE_VALID,
                        0, 7000000000, fake_now - 500),
                   ZX_OK);
  assert_int_equal(rd(h), 7000000000 + 500 + 500 / 1000); /* the kept rate: 1001/1000 */
  assert_int_equal(FAKE(T, handle_close, h), ZX_OK);

  /* A continuous clock is set once. */
  h = mk(ZX_CLOCK_OPT_MONOTONIC | ZX_CLOCK_OPT_CONTINUOUS, NULL);
  assert_int_equal(upd1(h, ZX_CLOCK_UPDATE_OPTION_VALUE_VALID, 0, 100, 0), ZX_OK);
  assert_int_equal(upd1(h, ZX_CLOCK_UPDATE_OPTION_VALUE_VALID, 0, 200, 0), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, handle_close, h), ZX_OK);

  /* No clock goes before its backstop. */
  zx_clock_create_args_v1_t args = {.backstop_time = 1000};
  h = mk(ZX_CLOCK_ARGS_VERSION(1), &args);
  assert_int_equal(upd1(h, ZX_CLOCK_UPDATE_OPTION_VALUE_VALID, 0, 999, 0), ZX_ERR_INVALID_ARGS);
  assert_int_equal(upd1(h, ZX_CLOCK_UPDATE_OPTION_VALUE_VALID, 0, 1000, 0), ZX_OK);
  /* Not monotonic: it may go back, to its backstop. */
  assert_int_equal(upd1(h, ZX_CLOCK_UPDATE_OPTION_VALUE_VALID, 0, 1000, 0), ZX_OK);
  assert_int_equal(FAKE(T, handle_close, h), ZX_OK);
}

static void test_rights_and_legacy(void** state) {
  (void)state;
  zx_handle_t h = mk(ZX_CLOCK_OPT_AUTO_START, NULL), ro = 0;
  assert_int_equal(FAKE(T, handle_duplicate, h, ZX_RIGHT_READ, U(&ro)), ZX_OK);
  assert_int_equal(upd1(ro, ZX_CLOCK_UPDATE_OPTION_VALUE_VALID, 0, fake_now, 0),
                   ZX_ERR_ACCESS_DENIED);
  int64_t v = 0;
  assert_int_equal(FAKE(T, clock_read, ro, U(&v)), ZX_OK);
  assert_int_equal(FAKE(T, clock_read, ro, 8), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, handle_close, ro), ZX_OK);
  assert_int_equal(FAKE(T, handle_close, h), ZX_OK);
  assert_int_equal(FAKE(T, clock_get, ZX_CLOCK_MONOTONIC, U(&v)), ZX_OK);
  assert_int_equal(v, fake_now);
  assert_int_equal(FAKE(T, clock_get, ZX_CLOCK_UTC, U(&v)), ZX_OK);
  assert_int_equal(FAKE(T, clock_get, 3, U(&v)), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, clock_get, ZX_CLOCK_MONOTONIC, 8), ZX_ERR_INVALID_ARGS);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_create, setup, fake_fixture_end),
      cmocka_unit_test_setup_teardown(test_set_and_slew, setup, fake_fixture_end),
      cmocka_unit_test_setup_teardown(test_rights_and_legacy, setup, fake_fixture_end),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
