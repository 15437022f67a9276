/* How many fds the test process has open (a leak check for code that passes fds around).
 * Include after <cmocka.h>. */
#ifndef ZUM_TESTS_UNIT_OPEN_FDS_H_
#define ZUM_TESTS_UNIT_OPEN_FDS_H_

#include <dirent.h>

__attribute__((noinline)) static int open_fds(void) {
  DIR* d = opendir("/proc/self/fd");
  assert_non_null(d);
  int n = 0;
  while (readdir(d)) n++;
  closedir(d);
  return n;
}

#endif
