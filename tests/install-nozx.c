/* Built by tests/install-test.sh with `pkg-config --cflags --libs zum` and --as-needed: a hosted
 * program that makes no zx_ call, so its link drops libzircon.so and only libzum's own
 * dependency (found through libzum's RUNPATH $ORIGIN) loads it. libzum's constructor must still
 * run: it puts the process under zum's seccomp filter (a bare run starts a supervisor for that).
 * Prints "install-nozx: ok". */
#include <stdio.h>
#include <string.h>

int main(void) {
  FILE* f = fopen("/proc/self/status", "r");
  if (!f) return 2;
  char line[256];
  int filtered = 0;
  while (fgets(line, sizeof(line), f))
    if (strcmp(line, "Seccomp:\t2\n") == 0) filtered = 1;
  fclose(f);
  if (!filtered) {
    fprintf(stderr, "install-nozx: not under zum's filter: libzum's constructor did not run\n");
    return 1;
  }
  puts("install-nozx: ok");
  return 0;
}
