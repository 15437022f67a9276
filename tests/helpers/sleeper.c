/* Test helper: prints its pid, then keeps making Zircon calls (10 ms sleeps) until killed. Used to
 * check that guests die with their supervisor. */
#include <stdio.h>
#include <unistd.h>
#include <zircon/syscalls.h>

int main(void) {
  printf("%d\n", (int)getpid());
  fflush(stdout);
  for (;;) zx_nanosleep(zx_deadline_after(ZX_MSEC(10)));
}
