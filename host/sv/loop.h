/* The supervisor's event loop: the seccomp listeners (up to 128) polled directly with poll(),
 * together with an epoll set that holds everything else (pidfds, agents, one timerfd);
 * host/sv/loop.c says why. ZUM_LOOP=epoll puts everything in epoll. io_uring is not used for
 * this: as a wake-up channel it is no faster than epoll here (DESIGN.md section 3) and Docker's default
 * profile blocks it. */
#ifndef ZUM_HOST_LOOP_H_
#define ZUM_HOST_LOOP_H_

#include <stddef.h>
#include <stdint.h>

/* Event bits passed to ready() (epoll's values). */
#define HOST_EV_IN 0x001u
#define HOST_EV_ERR 0x008u
#define HOST_EV_HUP 0x010u

struct host_loop_source {
  int fd;
  void (*ready)(struct host_loop_source* s, uint32_t events);
};

int host_loop_init(void);
int host_loop_add(struct host_loop_source* s);
/* The same for a seccomp listener: polled directly rather than through epoll, so that a
 * notification's current-CPU wake-up reaches the supervisor (host/sv/loop.c). */
int host_loop_add_direct(struct host_loop_source* s);
void host_loop_remove(struct host_loop_source* s);
/* Arms the loop's timer for an absolute CLOCK_MONOTONIC time in ns (INT64_MAX: disarm). */
void host_loop_set_timer(int64_t when_ns);
/* Waits for and dispatches events once; `on_timer` runs when the timer fired. Returns -errno on a
 * loop failure. */
int host_loop_run_once(void (*on_timer)(void));

int64_t host_clock_monotonic(void);
int64_t host_clock_boot(void); /* CLOCK_BOOTTIME, Zircon's boot clock */
int64_t host_clock_utc(void);  /* CLOCK_REALTIME */
uint32_t host_random32(void);
/* Fills buf from the kernel's CSPRNG. */
int host_random_fill(void* buf, size_t len);

#endif
