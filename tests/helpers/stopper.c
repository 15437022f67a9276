/* stopper PID: stops and continues process PID (SIGSTOP, SIGCONT) as fast as it can until PID
 * is gone, then prints how many times. A plain Linux program (no libzum): used by
 * tests/signals-pure.sh, where a shell loop would be too slow to catch the narrow moments. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: stopper PID\n");
    return 2;
  }
  pid_t pid = (pid_t)atoi(argv[1]);
  if (pid <= 0) return 2;
  unsigned long n = 0;
  while (kill(pid, SIGSTOP) == 0) {
    kill(pid, SIGCONT);
    n++;
  }
  kill(pid, SIGCONT);
  printf("%lu\n", n);
  return errno == ESRCH ? 0 : 1;
}
