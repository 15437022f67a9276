#include "host/sv/spawn.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host/sv/reaper.h"
#include "host/sv/seccomp.h"
#include "host/common/hosted_filter.h"

static struct rlimit original_nofile = {RLIM_INFINITY, RLIM_INFINITY};

void host_raise_fd_limit(void) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  original_nofile = rl;
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

void host_original_nofile(struct rlimit* out) { *out = original_nofile; }

uint64_t host_fd_budget(void) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return UINT64_MAX;
  uint64_t limit = rl.rlim_cur;
  /* What the supervisor holds already (the loop, the reaper's pipe, the first guest's records,
   * the vDSO...), counted once at start. */
  uint64_t open_now = 0;
  DIR* d = opendir("/proc/self/fd");
  if (d) {
    while (readdir(d)) open_now++;
    closedir(d);
  }
  uint64_t reserve = limit / 8 > HOST_FD_RESERVE_MIN ? limit / 8 : HOST_FD_RESERVE_MIN;
  return limit > open_now + reserve ? limit - open_now - reserve : 0;
}

static __attribute__((noreturn)) void child_fail(int sock, int err) {
  int e = err;
  ssize_t r = write(sock, &e, sizeof(e));
  (void)r;
  _exit(127);
}

/* Forks a guest: the child installs the filter, hands over its listener and runs `exec_child`
 * (which returns only on failure, with an errno). */
static int spawn_guest(int (*exec_child)(const void* arg), const void* arg, struct host_guest* g);

struct hosted_exec {
  const char* path;
  char* const* argv;
  char* const* envp;
};

static int exec_hosted(const void* arg) {
  const struct hosted_exec* e = arg;
  execve(e->path, e->argv, e->envp);
  return errno;
}

int host_spawn_hosted(const char* path, char* const argv[], char* const envp[],
                      struct host_guest* g) {
  struct hosted_exec e = {path, argv, envp};
  return spawn_guest(exec_hosted, &e, g);
}

struct pure_exec {
  const char* stub_path;
  const char* name;
  int agent_fd;
  int work_fd; /* -1: none */
};

/* fd becomes `want` in the stub, kept across exec. */
static int place_fd(int fd, int want) {
  if (fd != want) return dup2(fd, want) == want ? 0 : errno;
  return fcntl(want, F_SETFD, 0) == 0 ? 0 : errno;
}

static int exec_pure(const void* arg) {
  const struct pure_exec* e = arg;
  int work = e->work_fd;
  if (work == 3) { /* out of the agent's way first */
    work = fcntl(work, F_DUPFD_CLOEXEC, 5);
    if (work < 0) return errno;
  }
  int err = place_fd(e->agent_fd, 3);
  if (!err && work >= 0) err = place_fd(work, 4);
  if (err) return err;
  /* The stub writes to no stdio, and guest code can make its Linux calls (mmap of any fd): a
   * file zum's user opened read-write there must not reach the guest. Stdio is /dev/null, read
   * only (closed if even that cannot be opened). */
  int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
  for (int fd = 0; fd < 3; fd++)
    if (null < 0 || place_fd(null, fd) != 0) close(fd);
  if (null > 2) close(null);
  char* argv[] = {(char*)"zum-stub", (char*)e->name, NULL};
  char* envp[] = {NULL};
  execve(e->stub_path, argv, envp);
  return errno;
}

int host_spawn_pure(const char* stub_path, const char* name, struct host_guest* g, int* agent_fd,
                    int* work_fd) {
  int sv[2], wv[2] = {-1, -1};
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) return -errno;
  if (work_fd && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, wv) != 0) {
    int e = errno;
    close(sv[0]);
    close(sv[1]);
    return -e;
  }
  struct pure_exec e = {stub_path, name, sv[1], wv[1]};
  int r = spawn_guest(exec_pure, &e, g);
  close(sv[1]);
  if (wv[1] >= 0) close(wv[1]);
  if (r != 0) {
    close(sv[0]);
    if (wv[0] >= 0) close(wv[0]);
    return r;
  }
  *agent_fd = sv[0];
  if (work_fd) *work_fd = wv[0];
  return 0;
}

struct child_args {
  int (*exec_child)(const void* arg);
  const void* arg;
  int sock;
  pid_t parent;
  sigset_t mask; /* the parent's signal mask, restored just before exec */
  struct rlimit nofile;
};

/* The child of spawn_guest. It runs with CLONE_VM|CLONE_VFORK: in the supervisor's memory,
 * on its own stack, while the supervisor waits, so it only makes system calls and touches
 * nothing but its stack (no malloc, no stdio), as posix_spawn's child does. Not copying the
 * supervisor's page tables is what makes this cheaper than fork. */
static int spawn_child(void* p) {
  struct child_args* a = p;
  /* No orphans: the guest dies with its supervisor. */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != a->parent) _exit(127);
  /* Its own session, which everything it starts inherits: what the reaper kills (reaper.c). */
  if (setsid() < 0) _exit(127);
  /* The supervisor raised its own descriptor limit; a guest gets the one zum was started with. */
  if (a->nofile.rlim_cur != RLIM_INFINITY) setrlimit(RLIMIT_NOFILE, &a->nofile);
  struct sigaction dfl = {.sa_handler = SIG_DFL};
  sigaction(SIGPIPE, &dfl, NULL);
  host_cloexec_from(3);
  int listener = host_seccomp_install_hosted_filter();
  if (listener < 0) child_fail(a->sock, -listener);
  if (host_send_fd(a->sock, listener) != 0) _exit(127);
  close(listener);
  sigprocmask(SIG_SETMASK, &a->mask, NULL);
  child_fail(a->sock, a->exec_child(a->arg));
}

static int spawn_guest(int (*exec_child)(const void* arg), const void* arg, struct host_guest* g) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return -errno;
  enum { STACK = 64 * 1024 };
  char* stack = malloc(STACK);
  if (!stack) {
    close(sv[0]);
    close(sv[1]);
    return -ENOMEM;
  }
  struct child_args a = {.exec_child = exec_child, .arg = arg, .sock = sv[1], .parent = getpid()};
  host_original_nofile(&a.nofile);
  /* No signal handler may run in the child while it shares the supervisor's memory. */
  sigset_t all;
  sigfillset(&all);
  sigprocmask(SIG_SETMASK, &all, &a.mask);
  pid_t pid = clone(spawn_child, stack + STACK, CLONE_VM | CLONE_VFORK | SIGCHLD, &a);
  int clone_errno = errno;
  sigprocmask(SIG_SETMASK, &a.mask, NULL);
  free(stack);
  if (pid < 0) {
    close(sv[0]);
    close(sv[1]);
    return -clone_errno;
  }
  close(sv[1]);
  int listener = host_recv_fd(sv[0]);
  int err = 0;
  if (listener < 0) {
    ssize_t n = read(sv[0], &err, sizeof(err));
    if (n != sizeof(err)) err = EPROTO;
  } else {
    ssize_t n = read(sv[0], &err, sizeof(err));
    if (n == 0) err = 0;  /* exec succeeded: the close-on-exec socket closed */
    else if (n != sizeof(err)) err = EPROTO;
  }
  close(sv[0]);
  if (err != 0) {
    if (listener >= 0) close(listener);
    waitpid(pid, NULL, 0);
    return -err;
  }
  int pidfd = host_pidfd_open(pid, false);
  if (pidfd < 0) {
    int e = errno;
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    close(listener);
    return -e;
  }
  host_reaper_add_session(pid);
  g->pid = pid;
  g->pidfd = pidfd;
  g->listener = listener;
  g->is_child = true;
  g->killed = false;
  return 0;
}
