/* stopper PID [MAX]: stops and continues process PID (SIGSTOP, SIGCONT) as fast as it can until
 * PID is gone or MAX times (default 200000: a bound on the storm, so a loaded machine still lets
 * PID finish soon), then prints how many times. A plain Linux program (no libzum): used by
 * tests/signals-pure.sh, where a shell loop would be too slow to catch the narrow moments. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  if (argc != 2 && argc != 3) {
    fprintf(stderr, "usage: stopper PID [MAX]\n");
    return 2;
  }
  pid_t pid = (pid_t)atoi(argv[1]);
  if (pid <= 0) return 2;
  unsigned long max = argc == 3 ? strtoul(argv[2], NULL, 10) : 200000, n = 0;
  while (n < max && kill(pid, SIGSTOP) == 0) {
    kill(pid, SIGCONT);
    n++;
  }
  int err = n < max ? errno : 0;
  kill(pid, SIGCONT);
  printf("%lu\n", n);
  return err == 0 || err == ESRCH ? 0 : 1;
}
