#include "host/sv/guest.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zum/zum.h>

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif

int host_pidfd_open(pid_t pid, bool thread) {
  return (int)syscall(SYS_pidfd_open, pid, thread ? PIDFD_THREAD : 0);
}

int host_guest_read(struct host_guest* g, uint64_t addr, void* buf, size_t len) {
  struct iovec local = {buf, len};
  struct iovec remote = {(void*)(uintptr_t)addr, len};
  ssize_t n = process_vm_readv(g->pid, &local, 1, &remote, 1, 0);
  return n == (ssize_t)len ? 0 : -1;
}

int host_guest_write(struct host_guest* g, uint64_t addr, const void* buf, size_t len) {
  struct iovec local = {(void*)buf, len};
  struct iovec remote = {(void*)(uintptr_t)addr, len};
  ssize_t n = process_vm_writev(g->pid, &local, 1, &remote, 1, 0);
  return n == (ssize_t)len ? 0 : -1;
}

void host_guest_kill(struct host_guest* g) {
  if (g->killed) return;
  g->killed = true;
  if (g->pidfd >= 0) syscall(SYS_pidfd_send_signal, g->pidfd, SIGKILL, NULL, 0);
}

int64_t host_guest_reap(struct host_guest* g, int64_t unknown_code, int* out_signal) {
  *out_signal = 0;
  if (!g->is_child) return unknown_code;
  siginfo_t si;
  memset(&si, 0, sizeof(si));
  if (waitid((idtype_t)P_PIDFD, (id_t)g->pidfd, &si, WEXITED) != 0) return unknown_code;
  if (si.si_code == CLD_EXITED) return si.si_status;
  /* CLD_KILLED or CLD_DUMPED. A death the kernel asked for (zx_task_kill, a policy or exception
   * kill) has its return code set already; this one is only for deaths it did not. A hosted
   * program's hardware fault (pure processes' stubs report theirs) is Zircon's unhandled
   * exception; any other signal, a kill from outside or a seccomp kill (SIGSYS) among them, gets
   * zum's own code. */
  *out_signal = si.si_status;
  switch (si.si_status) {
    case SIGSEGV:
    case SIGBUS:
    case SIGILL:
    case SIGFPE:
    case SIGTRAP:
      return ZX_TASK_RETCODE_EXCEPTION_KILL;
    default:
      return ZUM_TASK_RETCODE_SIGNAL_KILL(si.si_status);
  }
}

int host_guest_mem_stats(struct host_guest* g, uint64_t* mapped, uint64_t* private_bytes,
                         uint64_t* shared) {
  char path[64];
  snprintf(path, sizeof(path), "/proc/%d/statm", (int)g->pid);
  FILE* f = fopen(path, "re");
  if (!f) return -1;
  unsigned long size = 0, resident = 0, share = 0;
  int n = fscanf(f, "%lu %lu %lu", &size, &resident, &share);
  fclose(f);
  if (n != 3) return -1;
  uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
  *mapped = size * page;
  *shared = share * page;
  *private_bytes = resident > share ? (resident - share) * page : 0;
  return 0;
}

pid_t host_tgid_of(pid_t tid) {
  char path[64], line[128];
  snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
  FILE* f = fopen(path, "re");
  if (!f) return -1;
  pid_t tgid = -1;
  while (fgets(line, sizeof(line), f)) {
    if (strncmp(line, "Tgid:", 5) == 0) {
      tgid = (pid_t)atoi(line + 5);
      break;
    }
  }
  fclose(f);
  return tgid;
}

void host_thread_comm(pid_t tid, char* buf, size_t len) {
  char path[64];
  buf[0] = 0;
  snprintf(path, sizeof(path), "/proc/%d/comm", (int)tid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ssize_t n = read(fd, buf, len - 1);
  close(fd);
  if (n <= 0) {
    buf[0] = 0;
    return;
  }
  buf[n] = 0;
  char* nl = strchr(buf, '\n');
  if (nl) *nl = 0;
}

void host_guest_close(struct host_guest* g) {
  if (g->pidfd >= 0) close(g->pidfd);
  if (g->listener >= 0) close(g->listener);
  g->pidfd = g->listener = -1;
}
