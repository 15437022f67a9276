/* The reaper: nothing started under zum outlives the supervisor.
 *
 * Guests themselves die with the supervisor through PR_SET_PDEATHSIG, but what a hosted guest
 * starts with fork, posix_spawn or a shell has no such tie: it is no Zircon process, and when its
 * parent dies it is reparented to init and keeps running. Nothing the supervisor does at its exit
 * can cover a SIGKILL, so the work is done by another process, which notices the supervisor's
 * death through the kernel closing a pipe:
 *
 *  - every guest the supervisor starts leads a session of its own (setsid in spawn.c), and each
 *    session id is written to the reaper. A session is inherited by every descendant however it
 *    is started (fork, vfork, posix_spawn, exec, a shell, setpgid) and survives reparenting, so
 *    it still names the whole tree after the guests' deaths have broken the parent links;
 *  - the reaper holds the only read end of a pipe whose write end only the supervisor holds
 *    (close-on-exec, and spawn.c closes every fd from 3 up in guests). However the supervisor
 *    ends, the kernel closes it and the reaper's read returns 0;
 *  - it then kills every process of those sessions, rescanning /proc until a scan finds none
 *    (a process forking meanwhile puts its child in the same session, so the next scan sees it);
 *  - in a bare run the program is the supervisor's parent and stays in the user's session. If it
 *    is still alive when the supervisor dies, the reaper stops the program and its descendants
 *    (found through their parent links, which are intact while the program lives; stopped, they
 *    cannot fork or reparent), then kills them all.
 * The reaper leads a process group of its own and ignores the terminal's signals, so what ends
 * zum's group or Ctrl-C does not end it too. What escapes it: a descendant that calls setsid()
 * itself (a daemon) while it is not a descendant of a live bare program, and anyone who kills
 * the reaper too. */
#include "host/sv/reaper.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int reaper_fd = -1;
static pid_t reaper_pid;

struct pids {
  pid_t* v;
  size_t n, cap;
};

static bool pids_has(const struct pids* s, pid_t p) {
  for (size_t i = 0; i < s->n; i++)
    if (s->v[i] == p) return true;
  return false;
}

static void pids_add(struct pids* s, pid_t p) {
  if (pids_has(s, p)) return;
  if (s->n == s->cap) {
    size_t cap = s->cap ? 2 * s->cap : 64;
    pid_t* v = realloc(s->v, cap * sizeof(*v));
    if (!v) return;
    s->v = v;
    s->cap = cap;
  }
  s->v[s->n++] = p;
}

struct proc_entry {
  pid_t pid, ppid, sid;
};

/* Every live process (zombies and the reaper left out): pid, parent and session. */
static size_t scan(struct proc_entry** out, size_t* cap) {
  DIR* d = opendir("/proc");
  if (!d) return 0;
  size_t n = 0;
  pid_t self = getpid();
  struct dirent* e;
  while ((e = readdir(d))) {
    if (!isdigit((unsigned char)e->d_name[0])) continue;
    char path[300], buf[512];
    snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    ssize_t len = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (len <= 0) continue;
    buf[len] = 0;
    char* r = strrchr(buf, ')'); /* the name may hold anything, ')' included */
    char state;
    int pid = atoi(buf), ppid, pgrp, sid;
    if (!r || sscanf(r + 1, " %c %d %d %d", &state, &ppid, &pgrp, &sid) != 4) continue;
    if (state == 'Z' || state == 'X' || pid == self) continue;
    if (n == *cap) {
      size_t c = *cap ? 2 * *cap : 512;
      struct proc_entry* v = realloc(*out, c * sizeof(*v));
      if (!v) break;
      *out = v;
      *cap = c;
    }
    (*out)[n++] = (struct proc_entry){pid, ppid, sid};
  }
  closedir(d);
  return n;
}

static void pause_ms(long ms) {
  struct timespec t = {0, ms * 1000000};
  nanosleep(&t, NULL);
}

static void sweep(const struct pids* sessions, pid_t bare_guest, int guest_pidfd) {
  struct proc_entry* ps = NULL;
  size_t cap = 0;
  struct pids tree = {0};
  struct pollfd pfd = {guest_pidfd, POLLIN, 0};
  if (guest_pidfd >= 0 && poll(&pfd, 1, 0) == 0) {
    /* The bare program outlived its supervisor: stop its tree until no scan finds more. */
    kill(bare_guest, SIGSTOP);
    pids_add(&tree, bare_guest);
    for (size_t before = 0; before != tree.n;) {
      before = tree.n;
      size_t n = scan(&ps, &cap);
      for (bool grew = true; grew;) {
        grew = false;
        for (size_t i = 0; i < n; i++)
          if (pids_has(&tree, ps[i].ppid) && !pids_has(&tree, ps[i].pid)) {
            kill(ps[i].pid, SIGSTOP);
            pids_add(&tree, ps[i].pid);
            grew = true;
          }
      }
    }
    for (size_t i = 0; i < tree.n; i++) kill(tree.v[i], SIGKILL);
  }
  /* Kill the sessions until they are empty; give up after ~10 s (an unkillable process). */
  for (int round = 0; round < 10000; round++) {
    size_t n = scan(&ps, &cap), hits = 0;
    for (size_t i = 0; i < n; i++)
      if (pids_has(sessions, ps[i].sid) || pids_has(&tree, ps[i].pid)) {
        kill(ps[i].pid, SIGKILL);
        hits++;
      }
    if (!hits) break;
    pause_ms(1);
  }
  free(ps);
  free(tree.v);
}

static __attribute__((noreturn)) void reaper_main(int rfd, pid_t bare_guest) {
  prctl(PR_SET_NAME, "zum-reaper");
  /* Out of zum's process group too, so a signal to the whole group (a job control kill, a
   * SIGKILL to -PGID) ends the supervisor but not the one that cleans up after it. */
  setpgid(0, 0);
  static const int ignored[] = {SIGINT, SIGQUIT, SIGHUP, SIGTERM, SIGPIPE, SIGTSTP, SIGTTIN,
                                SIGTTOU, SIGUSR1, SIGUSR2};
  for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++) signal(ignored[i], SIG_IGN);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  /* Keep nothing of the supervisor's open but the pipe: not its listeners, not a guest's memfd. */
  if (rfd > 3) syscall(SYS_close_range, 3u, (unsigned)rfd - 1, 0u);
  syscall(SYS_close_range, (unsigned)rfd + 1, ~0u, 0u);
  int guest_pidfd = -1;
  if (bare_guest > 0) guest_pidfd = (int)syscall(SYS_pidfd_open, bare_guest, 0);
  struct pids sessions = {0};
  for (;;) {
    pid_t buf[256];
    ssize_t r = read(rfd, buf, sizeof(buf));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    for (size_t i = 0; i < (size_t)r / sizeof(pid_t); i++) pids_add(&sessions, buf[i]);
  }
  sweep(&sessions, bare_guest, guest_pidfd);
  _exit(0);
}

int host_reaper_start(pid_t bare_guest) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) return -errno;
  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    close(p[0]);
    close(p[1]);
    return -e;
  }
  if (pid == 0) reaper_main(p[0], bare_guest);
  close(p[0]);
  reaper_fd = p[1];
  reaper_pid = pid;
  return 0;
}

void host_reaper_add_session(pid_t sid) {
  if (reaper_fd < 0) return;
  ssize_t r;
  do r = write(reaper_fd, &sid, sizeof(sid));
  while (r < 0 && errno == EINTR);
}

void host_reaper_finish(void) {
  if (reaper_fd < 0) return;
  close(reaper_fd);
  reaper_fd = -1;
  while (waitpid(reaper_pid, NULL, 0) < 0 && errno == EINTR) {
  }
}
