/* check-sdk rung 5: printf to stdout (libc's stdio, through fdio's PA_FD handles). */
#include <stdio.h>

int main(void) {
  printf("hello from an SDK-built program\n");
  return 0;
}
