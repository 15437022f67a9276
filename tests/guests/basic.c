/* Hosted basics: start-up handles, events, waits, vDSO-local calls, error paths. */
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>

#include "guest_test.h"

int main(int argc, char** argv) {
  /* Start-up handles exist and are distinct. */
  CHECK(zx_process_self() != ZX_HANDLE_INVALID);
  CHECK(zx_vmar_root_self() != ZX_HANDLE_INVALID);
  CHECK(zx_job_default() != ZX_HANDLE_INVALID);
  CHECK(zx_thread_self() != ZX_HANDLE_INVALID);
  CHECK((zx_process_self() & 3) == 3);

  /* vDSO-local calls. */
  zx_time_t t0 = zx_clock_get_monotonic();
  CHECK(t0 > 0);
  CHECK(zx_ticks_per_second() == 1000000000);
  CHECK(zx_deadline_after(ZX_TIME_INFINITE) == ZX_TIME_INFINITE);
  CHECK(zx_deadline_after(ZX_SEC(1)) >= t0 + ZX_SEC(1));
  CHECK(zx_system_get_page_size() == 4096);
  CHECK(zx_system_get_num_cpus() >= 1);
  CHECK(strcmp(zx_status_get_string(ZX_ERR_BAD_HANDLE), "ZX_ERR_BAD_HANDLE") == 0);
  CHECK(strcmp(zx_status_get_string(12345), "(UNKNOWN)") == 0);

  /* Events and waits. */
  zx_handle_t ev;
  CHECK_EQ(zx_event_create(0, &ev), ZX_OK);
  zx_signals_t obs = 0;
  CHECK_EQ(zx_object_wait_one(ev, ZX_EVENT_SIGNALED, zx_deadline_after(ZX_MSEC(5)), &obs),
           ZX_ERR_TIMED_OUT);
  CHECK(zx_clock_get_monotonic() - t0 >= ZX_MSEC(5));
  CHECK_EQ(zx_object_signal(ev, 0, ZX_EVENT_SIGNALED), ZX_OK);
  CHECK_EQ(zx_object_wait_one(ev, ZX_EVENT_SIGNALED, ZX_TIME_INFINITE, &obs), ZX_OK);
  CHECK_EQ(obs, ZX_EVENT_SIGNALED);

  /* Error paths through the real trap. */
  CHECK_EQ(zx_handle_close(ev ^ 0x100), ZX_ERR_BAD_HANDLE);
  CHECK_EQ(zx_event_create(0, (zx_handle_t*)8), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_object_wait_one(ev, ZX_EVENT_SIGNALED, 0, (zx_signals_t*)0x10), ZX_ERR_INVALID_ARGS);
  /* Read-only memory is not writable by the supervisor either. */
  static const zx_handle_t ro = 0;
  CHECK_EQ(zx_event_create(0, (zx_handle_t*)&ro), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_handle_close(ev), ZX_OK);
  CHECK_EQ(zx_handle_close(ev), ZX_ERR_BAD_HANDLE);
  CHECK_EQ(zx_nanosleep(zx_deadline_after(ZX_MSEC(1))), ZX_OK);

  uint8_t rnd[300] = {0};
  zx_cprng_draw(rnd, sizeof(rnd));
  int nonzero = 0;
  for (size_t i = 0; i < sizeof(rnd); i++) nonzero += rnd[i] != 0;
  CHECK(nonzero > 200);

  CHECK_EQ(zx_debug_write("debug_write works\n", 18), ZX_OK);
  return GUEST_RESULT();
}
