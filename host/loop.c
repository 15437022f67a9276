#include "host/loop.h"

#include <errno.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static int epfd = -1;
static int tfd = -1;
static int64_t armed = INT64_MAX;

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

void host_loop_remove(struct host_loop_source* s) {
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

int host_loop_run_once(void (*on_timer)(void)) {
  struct epoll_event evs[32];
  int n = epoll_wait(epfd, evs, 32, -1);
  if (n < 0) return errno == EINTR ? 0 : -errno;
  for (int i = 0; i < n; i++) {
    struct host_loop_source* s = evs[i].data.ptr;
    if (!s) {
      uint64_t ticks;
      ssize_t r = read(tfd, &ticks, sizeof(ticks));
      (void)r;
      armed = INT64_MAX;
      on_timer();
      continue;
    }
    s->ready(s, evs[i].events);
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
