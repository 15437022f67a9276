/* Test helper: a hosted guest that starts Linux processes zum knows nothing of, then waits
 * without making any Zircon call. It forks a child that moves to a process group of its own and
 * forks a grandchild, which execs `sleep` (a program without libzum). Each prints
 * "<role> <pid>" on stdout once it is running, the guest last. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zircon/syscalls.h>

static void say(const char* role) {
  char line[64];
  int n = snprintf(line, sizeof(line), "%s %d\n", role, (int)getpid());
  if (write(1, line, (size_t)n) != n) _exit(1);
}

int main(void) {
  /* Be a Zircon process for certain before forking. */
  zx_handle_t ev;
  if (zx_event_create(0, &ev) != ZX_OK) return 1;
  int ready[2];
  if (pipe(ready) != 0) return 1;
  pid_t child = fork();
  if (child < 0) return 1;
  if (child == 0) {
    close(ready[0]);
    setpgid(0, 0);
    say("child");
    pid_t grandchild = fork();
    if (grandchild == 0) {
      say("grandchild");
      close(ready[1]);
      execlp("sleep", "sleep", "1000", (char*)NULL);
      _exit(127);
    }
    close(ready[1]);
    for (;;) pause();
  }
  close(ready[1]);
  char c;
  while (read(ready[0], &c, 1) > 0) {
  } /* EOF: both have printed */
  say("guest");
  for (;;) pause();
}
