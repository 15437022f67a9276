/* Built by tests/install-test.sh against an installed (and then moved) zum tree, with nothing but
 * `pkg-config --cflags --libs zum`: proves the installed headers, libraries and vDSO work for a
 * hosted program, under the installed `zum run` and bare. Prints "install-hello: ok". */
#include <stdio.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zum/zum.h>

#define CHECK(c)                                                  \
  do {                                                            \
    if (!(c)) {                                                   \
      fprintf(stderr, "install-hello: failed: %s\n", #c);         \
      return 1;                                                   \
    }                                                             \
  } while (0)

int main(void) {
  CHECK(zx_process_self() != ZX_HANDLE_INVALID);
  CHECK(zx_job_default() != ZX_HANDLE_INVALID);
  zx_handle_t ev, dup;
  CHECK(zx_event_create(0, &ev) == ZX_OK);
  CHECK(zx_handle_duplicate(ev, ZX_RIGHT_SAME_RIGHTS, &dup) == ZX_OK);
  CHECK(dup != ev);
  CHECK(zx_object_signal(dup, 0, ZX_EVENT_SIGNALED) == ZX_OK);
  zx_signals_t seen = 0;
  CHECK(zx_object_wait_one(ev, ZX_EVENT_SIGNALED, ZX_TIME_INFINITE, &seen) == ZX_OK);
  CHECK(seen & ZX_EVENT_SIGNALED);
  CHECK(zx_object_wait_one(ev, ZX_USER_SIGNAL_0, zx_deadline_after(ZX_MSEC(1)), &seen) ==
        ZX_ERR_TIMED_OUT);
  CHECK(zx_handle_close(dup) == ZX_OK);
  CHECK(zx_handle_close(ev) == ZX_OK);
  CHECK(zx_handle_close(ev) == ZX_ERR_BAD_HANDLE);
  CHECK(zx_clock_get_monotonic() > 0);
  printf("install-hello: ok\n");
  return 0;
}
