/* The transport floor: a bare seccomp user-notification round trip, with no zum in it.
 *
 * A child process installs the same filter zum's hosted guests get (host/sv/seccomp.c: zum's
 * syscall range goes to a listener, everything else is allowed) and traps one zum syscall number
 * in a loop; the parent answers every request with value 0. The child times the loop, exactly as
 * the bench guests time theirs. Four variants:
 *
 *   sync  / nosync   SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP set on the listener or not
 *                    (ioctl SECCOMP_IOCTL_NOTIF_SET_FLAGS, Linux 6.6+)
 *   recv  / epoll    the parent blocks in SECCOMP_IOCTL_NOTIF_RECV, or first waits in epoll_wait
 *                    on the listener as zum's supervisor loop does (host/sv/loop.c)
 *
 * Prints `usernotif_<sync|nosync>_<recv|epoll>_ns <median ns per round trip>` lines.
 *
 * Then `usernotif_exchange_ns`: the trap pattern of a channel ping-pong between two processes
 * (tests/bench/pingpong.c) on the bare transport, with a supervisor that does no Zircon work.
 * Two children, each with its own filter and listener as zum's guests have, and a parent waiting
 * in epoll on both with SYNC_WAKE_UP set. Per round trip, A traps "write" (answered at once),
 * "wait" (parked until B writes) and "read"; B does "wait" (parked until A writes), "read",
 * "write". A write first answers the peer's parked wait, then the writer, as zum does. That is the
 * least the exchange can cost with one trap per Zircon call, so pingpong over it is zum's own cost.
 *
 * Nothing is pinned: zum runs unpinned, and the point of SYNC_WAKE_UP is that it needs no
 * pinning. */
#include <errno.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zum/sysno.h>
#include <zum/trap.h>

#include "host/sv/seccomp.h"
#include "host/common/hosted_filter.h"
#include "host/sv/spawn.h"
#include "tests/bench/bench.h"

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

#define WARMUP 200

static __attribute__((noreturn)) void die(const char* what) {
  fprintf(stderr, "transport: %s: %s\n", what, strerror(errno));
  exit(1);
}

/* The guest side: trap `iters` times per repetition and report the per-trap averages. */
static __attribute__((noreturn)) void child(int sock, int iters) {
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) _exit(1);
  int listener = host_seccomp_install_hosted_filter();
  if (listener < 0) _exit(2);
  if (host_send_fd(sock, listener) != 0) _exit(3);
  close(listener);
  char go;
  if (read(sock, &go, 1) != 1) _exit(4);
  for (int i = 0; i < WARMUP; i++) bench_sink(zum_trap(ZUM_SYSCALL_BASE, 0, 0, 0, 0, 0, 0));
  double per[BENCH_REPS];
  for (int r = 0; r < BENCH_REPS; r++) {
    int64_t t0 = bench_now_ns();
    for (int i = 0; i < iters; i++) {
      if (zum_trap(ZUM_SYSCALL_BASE, 0, 0, 0, 0, 0, 0) != 0) _exit(5);
    }
    per[r] = (double)(bench_now_ns() - t0) / iters;
  }
  if (write(sock, per, sizeof(per)) != (ssize_t)sizeof(per)) _exit(6);
  _exit(0);
}

/* The supervisor side: answer exactly `count` requests. */
static void serve(int listener, bool use_epoll, long count) {
  int ep = -1;
  if (use_epoll) {
    ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN};
    if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev) != 0) die("epoll");
  }
  struct seccomp_notif req;
  struct seccomp_notif_resp resp;
  for (long n = 0; n < count;) {
    if (use_epoll) {
      struct epoll_event ev;
      int k = epoll_wait(ep, &ev, 1, -1);
      if (k < 0 && errno != EINTR) die("epoll_wait");
      if (k <= 0) continue;
    }
    memset(&req, 0, sizeof(req));
    if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) != 0) {
      if (errno == EINTR || errno == ENOENT) continue;
      die("SECCOMP_IOCTL_NOTIF_RECV");
    }
    resp = (struct seccomp_notif_resp){.id = req.id, .val = 0, .error = 0, .flags = 0};
    if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) != 0) die("SECCOMP_IOCTL_NOTIF_SEND");
    n++;
  }
  if (ep >= 0) close(ep);
}

/* Median ns per round trip, or -1 if the variant is unavailable. */
static double measure(bool sync, bool use_epoll, int iters) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) die("socketpair");
  pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) {
    close(sv[0]);
    child(sv[1], iters);
  }
  close(sv[1]);
  int listener = host_recv_fd(sv[0]);
  if (listener < 0) {
    fprintf(stderr, "transport: the child could not install a seccomp listener\n");
    exit(1);
  }
  double result = -1;
  uint64_t flags = SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP;
  if (sync && ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS, flags) != 0) {
    fprintf(stderr, "transport: SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP unsupported: %s\n",
            strerror(errno));
    kill(pid, SIGKILL);
  } else {
    if (write(sv[0], "g", 1) != 1) die("write");
    serve(listener, use_epoll, WARMUP + (long)BENCH_REPS * iters);
    double per[BENCH_REPS];
    size_t got = 0;
    while (got < sizeof(per)) {
      ssize_t k = read(sv[0], (char*)per + got, sizeof(per) - got);
      if (k <= 0) break;
      got += (size_t)k;
    }
    if (got == sizeof(per)) result = bench_median(per, BENCH_REPS);
  }
  close(listener);
  close(sv[0]);
  int st;
  waitpid(pid, &st, 0);
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    fprintf(stderr, "transport: child failed (status 0x%x)\n", st);
    result = -1;
  }
  return result;
}

/* ---- the two-process exchange */

enum { X_WRITE = 1, X_WAIT = 2, X_READ = 3 };

static int64_t xtrap(int op) { return zum_trap(ZUM_SYSCALL_BASE + op, 0, 0, 0, 0, 0, 0); }

/* One child of the exchange. A (first) writes then waits and reads; B waits, reads, writes. A
 * times its loop and reports; B just follows. */
static __attribute__((noreturn)) void xchild(int sock, bool is_a, int iters) {
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) _exit(1);
  int listener = host_seccomp_install_hosted_filter();
  if (listener < 0) _exit(2);
  if (host_send_fd(sock, listener) != 0) _exit(3);
  close(listener);
  char go;
  if (read(sock, &go, 1) != 1) _exit(4);
  double per[BENCH_REPS];
  long total = (long)(BENCH_REPS + 1) * iters; /* one repetition of warm-up */
  if (!is_a) {
    for (long i = 0; i < total; i++) {
      if (xtrap(X_WAIT) != 0 || xtrap(X_READ) != 0 || xtrap(X_WRITE) != 0) _exit(5);
    }
    _exit(0);
  }
  for (int r = -1; r < BENCH_REPS; r++) {
    int64_t t0 = bench_now_ns();
    for (int i = 0; i < iters; i++) {
      if (xtrap(X_WRITE) != 0 || xtrap(X_WAIT) != 0 || xtrap(X_READ) != 0) _exit(5);
    }
    if (r >= 0) per[r] = (double)(bench_now_ns() - t0) / iters;
  }
  if (write(sock, per, sizeof(per)) != (ssize_t)sizeof(per)) _exit(6);
  _exit(0);
}

struct xside {
  pid_t pid;
  int sock, listener;
  bool pending;  /* a message waits for this side */
  bool parked;   /* this side's wait is parked under `parked_id` */
  uint64_t parked_id;
};

static void xreply(int listener, uint64_t id) {
  struct seccomp_notif_resp resp = {.id = id, .val = 0, .error = 0, .flags = 0};
  if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) != 0) die("SECCOMP_IOCTL_NOTIF_SEND");
}

static double measure_exchange(int iters) {
  struct xside x[2];
  for (int k = 0; k < 2; k++) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) die("socketpair");
    pid_t pid = fork();
    if (pid < 0) die("fork");
    if (pid == 0) {
      close(sv[0]);
      if (k == 1) close(x[0].sock);
      xchild(sv[1], k == 0, iters);
    }
    close(sv[1]);
    x[k] = (struct xside){.pid = pid, .sock = sv[0], .listener = host_recv_fd(sv[0])};
    if (x[k].listener < 0) {
      fprintf(stderr, "transport: a child could not install a seccomp listener\n");
      exit(1);
    }
    uint64_t flags = SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP;
    if (ioctl(x[k].listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS, flags) != 0) {
      fprintf(stderr, "transport: SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP unsupported: %s\n",
              strerror(errno));
      kill(x[0].pid, SIGKILL);
      if (k == 1) kill(x[1].pid, SIGKILL);
      exit(1);
    }
  }
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) die("epoll_create1");
  for (int k = 0; k < 2; k++) {
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)k};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, x[k].listener, &ev) != 0) die("epoll_ctl");
  }
  for (int k = 0; k < 2; k++)
    if (write(x[k].sock, "g", 1) != 1) die("write");
  long left = 2 * 3 * (long)(BENCH_REPS + 1) * iters;
  while (left > 0) {
    struct epoll_event evs[2];
    int n = epoll_wait(ep, evs, 2, -1);
    if (n < 0 && errno != EINTR) die("epoll_wait");
    for (int e = 0; e < n; e++) {
      int k = (int)evs[e].data.u32;
      struct xside* me = &x[k];
      struct xside* peer = &x[!k];
      struct seccomp_notif req;
      memset(&req, 0, sizeof(req));
      if (ioctl(me->listener, SECCOMP_IOCTL_NOTIF_RECV, &req) != 0) {
        if (errno == EINTR || errno == ENOENT) continue;
        die("SECCOMP_IOCTL_NOTIF_RECV");
      }
      left--;
      switch (req.data.nr - ZUM_SYSCALL_BASE) {
        case X_WRITE:
          if (peer->parked) {
            peer->parked = false;
            xreply(peer->listener, peer->parked_id);
          }
          peer->pending = true;
          xreply(me->listener, req.id);
          break;
        case X_WAIT:
          if (me->pending) {
            xreply(me->listener, req.id);
          } else {
            me->parked = true;
            me->parked_id = req.id;
          }
          break;
        case X_READ:
          me->pending = false;
          xreply(me->listener, req.id);
          break;
        default:
          die("unexpected trap");
      }
    }
  }
  close(ep);
  double per[BENCH_REPS], result = -1;
  size_t got = 0;
  while (got < sizeof(per)) {
    ssize_t k = read(x[0].sock, (char*)per + got, sizeof(per) - got);
    if (k <= 0) break;
    got += (size_t)k;
  }
  if (got == sizeof(per)) result = bench_median(per, BENCH_REPS);
  for (int k = 0; k < 2; k++) {
    close(x[k].listener);
    close(x[k].sock);
    int st;
    waitpid(x[k].pid, &st, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
      fprintf(stderr, "transport: exchange child failed (status 0x%x)\n", st);
      result = -1;
    }
  }
  return result;
}

int main(int argc, char** argv) {
  /* A round trip takes ~2 us with SYNC_WAKE_UP and ~40 us without: size the loops to match. */
  int sync_iters = 20000, nosync_iters = 1500, exchange_iters = 5000;
  if (argc > 1 && strcmp(argv[1], "--quick") == 0)
    sync_iters = 2000, nosync_iters = 200, exchange_iters = 500;
  static const struct {
    const char* name;
    bool sync, use_epoll;
  } v[] = {
      {"usernotif_sync_recv_ns", true, false},
      {"usernotif_sync_epoll_ns", true, true},
      {"usernotif_nosync_recv_ns", false, false},
      {"usernotif_nosync_epoll_ns", false, true},
  };
  int status = 0;
  for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
    double ns = measure(v[i].sync, v[i].use_epoll, v[i].sync ? sync_iters : nosync_iters);
    if (ns < 0) {
      status = 1;
      continue;
    }
    printf("%s %.1f\n", v[i].name, ns);
    fflush(stdout);
  }
  double ns = measure_exchange(exchange_iters);
  if (ns < 0) status = 1;
  else printf("usernotif_exchange_ns %.1f\n", ns);
  return status;
}
