/* The UTC clock zum-launch hands a program (PA_CLOCK_UTC): libc's clock_gettime(CLOCK_REALTIME)
 * and time() read it with zx_clock_read. */
#ifndef ZUM_LAUNCH_UTC_CLOCK_H_
#define ZUM_LAUNCH_UTC_CLOCK_H_

#include <zircon/types.h>

/* A started clock set to the host's real time, with read rights only: the program may read the
 * time but not set it for anyone else holding the clock. */
zx_status_t utc_clock_create(zx_handle_t* out);

#endif
