#include "host/sv/loop.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static int epfd = -1;
static int tfd = -1;
static int64_t armed = INT64_MAX;

/* Direct sources (seccomp listeners): polled with poll() together with the epoll fd, never put
 * in the epoll set. A seccomp notification sent with SYNC_WAKE_UP wakes its waiters on the
 * current CPU (WF_CURRENT_CPU); poll's wake-up function passes that on, epoll's callback does
 * not (it wakes the epoll waiter afresh, and the scheduler then often picks the idle CPU). With
 * listeners in epoll, under address-space work the supervisor and a guest ended up waking each
 * other on the other CPU at every trap (perf: two migrations per call; a map/unmap loop ran at
 * 57-76 us an iteration, 26 us this way). */
static struct host_loop_source** direct;
static size_t ndirect, capdirect;
static struct pollfd* pfds; /* the direct sources in order, then epfd; rebuilt when they change */
static struct host_loop_source** pollsrcs;
static size_t npfds;
static bool dirty = true;
static size_t next_first; /* where the next round starts looking (fairness) */
static int poll_off = -1; /* ZUM_LOOP=epoll: every source in epoll, as before */

static bool direct_off(void) {
  if (poll_off < 0) {
    const char* e = getenv("ZUM_LOOP");
    poll_off = e && e[0] == 'e';
  }
  return poll_off;
}

int host_loop_init(void) {
  epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) return -errno;
  tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
  if (tfd < 0) return -errno;
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, tfd, &ev) != 0) return -errno;
  return 0;
}

int host_loop_add(struct host_loop_source* s) {
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = s};
  return epoll_ctl(epfd, EPOLL_CTL_ADD, s->fd, &ev) == 0 ? 0 : -errno;
}

/* poll() scans every direct source at each wake-up: past this many, listeners go to epoll. */
#define MAX_DIRECT 128

int host_loop_add_direct(struct host_loop_source* s) {
  if (direct_off() || ndirect >= MAX_DIRECT) return host_loop_add(s);
  if (ndirect == capdirect) {
    size_t cap = capdirect ? capdirect * 2 : 16;
    struct host_loop_source** v = realloc(direct, cap * sizeof(*v));
    if (!v) return -ENOMEM;
    direct = v;
    capdirect = cap;
  }
  direct[ndirect++] = s;
  dirty = true;
  return 0;
}

void host_loop_remove(struct host_loop_source* s) {
  for (size_t i = 0; i < ndirect; i++) {
    if (direct[i] != s) continue;
    direct[i] = direct[--ndirect];
    dirty = true;
    return;
  }
  if (s->fd >= 0) epoll_ctl(epfd, EPOLL_CTL_DEL, s->fd, NULL);
}

void host_loop_set_timer(int64_t when) {
  if (when == armed) return;
  armed = when;
  struct itimerspec its = {0};
  if (when != INT64_MAX) {
    if (when <= 0) when = 1; /* 0 would disarm */
    its.it_value.tv_sec = when / 1000000000;
    its.it_value.tv_nsec = when % 1000000000;
  }
  timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void timer_fired(void (*on_timer)(void)) {
  uint64_t ticks;
  ssize_t r = read(tfd, &ticks, sizeof(ticks));
  (void)r;
  armed = INT64_MAX;
  on_timer();
}

static int run_epoll(void (*on_timer)(void), int timeout) {
  struct epoll_event evs[32];
  int n = epoll_wait(epfd, evs, 32, timeout);
  if (n < 0) return errno == EINTR ? 0 : -errno;
  for (int i = 0; i < n; i++) {
    struct host_loop_source* s = evs[i].data.ptr;
    if (!s) {
      timer_fired(on_timer);
      continue;
    }
    s->ready(s, evs[i].events);
  }
  return 0;
}

int host_loop_run_once(void (*on_timer)(void)) {
  if (ndirect == 0) return run_epoll(on_timer, -1);
  if (dirty) {
    size_t n = ndirect + 1;
    struct pollfd* p = realloc(pfds, n * sizeof(*p));
    if (p) pfds = p;
    struct host_loop_source** q = realloc(pollsrcs, n * sizeof(*q));
    if (q) pollsrcs = q;
    if (!p || !q) return -ENOMEM;
    for (size_t i = 0; i < ndirect; i++) {
      pfds[i] = (struct pollfd){.fd = direct[i]->fd, .events = POLLIN};
      pollsrcs[i] = direct[i];
    }
    pfds[ndirect] = (struct pollfd){.fd = epfd, .events = POLLIN};
    npfds = n;
    dirty = false;
  }
  int n = poll(pfds, npfds, -1);
  if (n < 0) return errno == EINTR ? 0 : -errno;
  if (pfds[npfds - 1].revents) {
    int r = run_epoll(on_timer, 0);
    /* Callbacks may have removed (and freed) direct sources: look again next round. */
    if (r != 0 || dirty) return r;
  }
  /* One direct source per round, in turn (a callback may remove, and free, others). */
  for (size_t k = 0; k + 1 < npfds; k++) {
    size_t i = (next_first + k) % (npfds - 1);
    short re = pfds[i].revents;
    if (!re) continue;
    next_first = i + 1;
    uint32_t ev = ((re & POLLIN) ? HOST_EV_IN : 0) | ((re & POLLERR) ? HOST_EV_ERR : 0) |
                  ((re & (POLLHUP | POLLNVAL)) ? HOST_EV_HUP : 0);
    pollsrcs[i]->ready(pollsrcs[i], ev);
    return 0;
  }
  return 0;
}

int64_t host_clock_monotonic(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t host_clock_boot(void) {
  struct timespec ts;
  clock_gettime(CLOCK_BOOTTIME, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t host_clock_utc(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

uint32_t host_random32(void) {
  uint32_t v = 0;
  host_random_fill(&v, sizeof(v));
  return v;
}

int host_random_fill(void* buf, size_t len) {
  char* p = buf;
  while (len > 0) {
    ssize_t n = getrandom(p, len, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    p += n;
    len -= (size_t)n;
  }
  return 0;
}
