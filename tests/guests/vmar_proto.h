/* Requests tests/guests/vmar.c sends to tests/helpers/vmar_helper.c, and the fault probe both
 * sides use. */
#ifndef ZUM_TESTS_GUESTS_VMAR_PROTO_H_
#define ZUM_TESTS_GUESTS_VMAR_PROTO_H_

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

enum { VMAR_REQ_READ = 1, VMAR_REQ_WRITE, VMAR_REQ_PROBE_R, VMAR_REQ_PROBE_W, VMAR_REQ_EXIT };
#define VMAR_PROTO_MAX 256u

struct vmar_req {
  uint32_t op;
  uint32_t reserved;
  uint64_t addr;
  uint64_t len;
};

/* 1 if touching addr (a write, or a read) faults (SIGSEGV or SIGBUS) in a forked child, 0 if
 * not, -1 if the probe itself failed. */
static inline int vmar_access_faults(uintptr_t addr, int write) {
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    signal(SIGSEGV, SIG_DFL);
    signal(SIGBUS, SIG_DFL);
    volatile uint8_t* p = (volatile uint8_t*)addr;
    if (write)
      *p = *p;
    else
      (void)*p;
    _exit(0);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFSIGNALED(status) && (WTERMSIG(status) == SIGSEGV || WTERMSIG(status) == SIGBUS);
}

#endif
