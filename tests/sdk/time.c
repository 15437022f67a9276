/* check-sdk rung 6: time() and clock_gettime(CLOCK_REALTIME) read the UTC clock zum-launch hands
 * over as PA_CLOCK_UTC. argv[1] is the host's time in seconds when the rung started; the exit
 * code says how it went (0 within seconds of it, 1 no UTC time, 2 far from the host's). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char** argv) {
  if (argc < 2) return 3;
  long long host = atoll(argv[1]);
  struct timespec ts;
  if (clock_gettime(CLOCK_REALTIME, &ts) != 0) return 1;
  time_t t = time(NULL);
  if (t == (time_t)-1) return 1;
  printf("utc %lld host %lld\n", (long long)t, host);
  long long d = (long long)t - host;
  if (d < -5 || d > 60 || ts.tv_sec - t > 1 || t - ts.tv_sec > 1) return 2;
  return 0;
}
