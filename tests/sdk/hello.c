/* check-sdk rung 5: printf to stdout (libc's stdio, through fdio, which makes stdout from a PA_FD
 * handle). */
#include <stdio.h>

int main(void) {
  printf("hello from an SDK-built program\n");
  return 0;
}
