/* check-sdk rung 2: argv and environ reach main (the answer is the exit code: argc * 10, plus
 * 1 when ZT_SDK=yes is in the environment, plus 2 when argv[2] is "two words"). */
#include <stdlib.h>
#include <string.h>

int main(int argc, char** argv) {
  const char* e = getenv("ZT_SDK");
  int code = argc * 10;
  if (e && strcmp(e, "yes") == 0) code += 1;
  if (argc > 2 && strcmp(argv[2], "two words") == 0) code += 2;
  return code;
}
