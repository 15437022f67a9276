/* Test helper for tests/signals-blocked.sh: prints its pid, then blocks in zx_object_wait_one on
 * an event with no deadline. Its SIGUSR1 handler (without SA_RESTART) signals that event with a
 * Zircon call of its own, which completes the very wait it interrupted: the wait must still
 * return ZX_OK, once. Prints "woken: ok" and exits 0. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zircon/syscalls.h>

static zx_handle_t ev;
static volatile sig_atomic_t handler_status = 1;

static void on_usr1(int sig) {
  (void)sig;
  handler_status = zx_object_signal(ev, 0, ZX_EVENT_SIGNALED);
}

int main(void) {
  if (zx_event_create(0, &ev) != ZX_OK) return 1;
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_usr1;
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGUSR1, &sa, NULL) != 0) return 1;
  printf("%d\n", (int)getpid());
  fflush(stdout);
  zx_signals_t seen = 0;
  zx_status_t s = zx_object_wait_one(ev, ZX_EVENT_SIGNALED, ZX_TIME_INFINITE, &seen);
  printf("wait: %s, signals 0x%x, handler: %s\n", zx_status_get_string(s), seen,
         zx_status_get_string(handler_status));
  if (s != ZX_OK || !(seen & ZX_EVENT_SIGNALED) || handler_status != ZX_OK) return 1;
  printf("woken: ok\n");
  return 0;
}
