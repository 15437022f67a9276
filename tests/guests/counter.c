/* Counters through the real trap: the sign signals, add's overflow and rights, read and write,
 * the user-settable SIGNALED. */
#include <zircon/syscalls.h>

#include "guest_test.h"

static zx_signals_t sig(zx_handle_t h) {
  zx_signals_t s = 0;
  zx_object_wait_one(h, ZX_SIGNAL_NONE, 0, &s);
  return s & (ZX_COUNTER_SIGNALED | ZX_COUNTER_POSITIVE | ZX_COUNTER_NON_POSITIVE);
}

int main(void) {
  zx_handle_t c, ro, wo;
  int64_t v = 99;
  CHECK_EQ(zx_counter_create(1, &c), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_counter_create(0, &c), ZX_OK);
  zx_info_handle_basic_t info;
  CHECK_EQ(zx_object_get_info(c, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL), ZX_OK);
  CHECK_EQ(info.type, ZX_OBJ_TYPE_COUNTER);
  CHECK_EQ(info.rights, ZX_DEFAULT_COUNTER_RIGHTS);
  CHECK_EQ(sig(c), ZX_COUNTER_NON_POSITIVE);
  CHECK_EQ(zx_counter_read(c, &v), ZX_OK);
  CHECK_EQ(v, 0);
  CHECK_EQ(zx_counter_add(c, 5), ZX_OK);
  CHECK_EQ(sig(c), ZX_COUNTER_POSITIVE);
  CHECK_EQ(zx_counter_add(c, -5), ZX_OK);
  CHECK_EQ(sig(c), ZX_COUNTER_NON_POSITIVE);
  CHECK_EQ(zx_counter_write(c, INT64_MAX), ZX_OK);
  CHECK_EQ(zx_counter_add(c, 1), ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_counter_read(c, &v), ZX_OK);
  CHECK_EQ(v, INT64_MAX);
  CHECK_EQ(zx_counter_write(c, INT64_MIN), ZX_OK);
  CHECK_EQ(zx_counter_add(c, -1), ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(sig(c), ZX_COUNTER_NON_POSITIVE);
  CHECK_EQ(zx_counter_read(c, (int64_t*)8), ZX_ERR_INVALID_ARGS);
  /* add needs READ and WRITE; read READ; write WRITE. */
  CHECK_EQ(zx_handle_duplicate(c, ZX_RIGHT_READ | ZX_RIGHT_WAIT, &ro), ZX_OK);
  CHECK_EQ(zx_handle_duplicate(c, ZX_RIGHT_WRITE, &wo), ZX_OK);
  CHECK_EQ(zx_counter_add(ro, 1), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_counter_add(wo, 1), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_counter_write(ro, 1), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_counter_read(wo, &v), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_counter_write(wo, 7), ZX_OK);
  CHECK_EQ(zx_counter_read(ro, &v), ZX_OK);
  CHECK_EQ(v, 7);
  /* SIGNALED and user signals are the user's; the sign signals are not. */
  CHECK_EQ(zx_object_signal(c, 0, ZX_COUNTER_SIGNALED), ZX_OK);
  CHECK_EQ(sig(c), ZX_COUNTER_SIGNALED | ZX_COUNTER_POSITIVE);
  CHECK_EQ(zx_object_signal(c, 0, ZX_COUNTER_NON_POSITIVE), ZX_ERR_INVALID_ARGS);
  zx_handle_t ev;
  CHECK_EQ(zx_event_create(0, &ev), ZX_OK);
  CHECK_EQ(zx_counter_write(ev, 1), ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_handle_close(ev), ZX_OK);
  CHECK_EQ(zx_handle_close(wo), ZX_OK);
  CHECK_EQ(zx_handle_close(ro), ZX_OK);
  CHECK_EQ(zx_handle_close(c), ZX_OK);
  return GUEST_RESULT();
}
