/* The hosted runtime's side of address-space work (see zum_work_t in <zum/abi-private.h>): the
 * calling thread runs work on its way back from a trapped call, and the agent thread runs work
 * that other processes asked for. Copy-on-write mappings (ZUM_MAP_UFFD, ZUM_WORK_FAULT_SOURCE)
 * go through host/guest/runtime/cow.c, shared with the pure-process stub; a missing page of one raises
 * SIGBUS in the thread that touched it, and the handler here copies it in, or asks the
 * supervisor (zum_vm_fault) when it cannot. */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdint.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>
#include <zircon/types.h>

#include "host/guest/libzum/runtime.h"
#include "host/guest/runtime/agent.h"
#include "host/guest/runtime/cow.h"
#include "host/guest/runtime/ops.h"

/* A hosted process shares its address space with libc: what work takes away stays reserved. */
static const zum_ops_policy_t ops_policy = {.lo = 0, .hi = UINT64_MAX, .unmap_reserved = false};

void zum_hosted_do_work(zum_work_t* w) { zum_run_work(w, zum_hosted_info.work_fd, &ops_policy); }

static int agent_fd = -1;
static sem_t agent_ready;
static int agent_caps; /* ZUM_AGENT_CAP_*, told in the hello */

/* ---- copy-on-write faults */
static struct sigaction prev_sigbus;

/* SIGBUS: a missing page of a copy-on-write mapping is copied in, or what the supervisor
 * resolves (a page without a source here, a write to a page it write-protected), and the access
 * retried. Anything else goes to the handler installed before this one; without one, the
 * previous disposition comes back and the fault, retried, does what it would have done without
 * zum. */
static void on_sigbus(int sig, siginfo_t* si, void* ctx) {
  int saved = errno;
  /* Page-fault error code bit 1: a write. */
  if (si->si_code == BUS_ADRERR &&
      zum_cow_resolve((uint64_t)(uintptr_t)si->si_addr,
                      ((const ucontext_t*)ctx)->uc_mcontext.gregs[REG_ERR] & 2,
                      agent_caps & ZUM_AGENT_CAP_VM_FAULT)) {
    errno = saved;
    return;
  }
  if (prev_sigbus.sa_flags & SA_SIGINFO) {
    if (prev_sigbus.sa_sigaction) prev_sigbus.sa_sigaction(sig, si, ctx);
  } else if (prev_sigbus.sa_handler != SIG_DFL && prev_sigbus.sa_handler != SIG_IGN) {
    prev_sigbus.sa_handler(sig);
  } else if (si->si_code > 0) {
    /* A fault: it happens again on return, now with the old disposition. */
    sigaction(SIGBUS, &prev_sigbus, NULL);
  } else if (prev_sigbus.sa_handler == SIG_DFL) {
    /* Sent (kill, tgkill): what SIG_DFL would have done. */
    sigaction(SIGBUS, &prev_sigbus, NULL);
    raise(SIGBUS);
  }
  errno = saved;
}

int zum_hosted_cow_start(void) {
  if (zum_cow_init() != 0) return 0;
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_sigaction = on_sigbus;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  /* Other handlers wait while a fault is resolved (one of them touching a copy-on-write page
   * would wait for a lock its own thread holds); the synchronous signals stay open (blocked,
   * they would kill). */
  sigfillset(&sa.sa_mask);
  static const int sync_signals[] = {SIGBUS, SIGSEGV, SIGILL, SIGFPE, SIGTRAP, SIGSYS};
  for (unsigned i = 0; i < sizeof(sync_signals) / sizeof(sync_signals[0]); i++)
    sigdelset(&sa.sa_mask, sync_signals[i]);
  struct sigaction cur;
  if (sigaction(SIGBUS, &sa, &prev_sigbus) != 0 || sigaction(SIGBUS, NULL, &cur) != 0 ||
      !(cur.sa_flags & SA_SIGINFO) || cur.sa_sigaction != on_sigbus)
    return 0; /* not ours to handle (a sanitizer keeps SIGBUS to itself): no copy-on-write */
  /* What has no source here the supervisor fills (and it write-protects through the
   * userfaultfd, which the hello hands over). */
  zum_cow_set_fallback(true);
  __atomic_store_n(&agent_caps,
                   ZUM_AGENT_CAP_UFFD | ZUM_AGENT_CAP_VM_FAULT |
                       (zum_cow_write_protect() ? ZUM_AGENT_CAP_WP : 0),
                   __ATOMIC_RELEASE);
  return agent_caps;
}

static void* agent_main(void* arg) {
  int fd = agent_fd;
  prctl(PR_SET_NAME, "zum-agent");
  /* The supervisor must know this thread before the program runs, so that it never counts it
   * as one of the program's Zircon threads. */
  int caps = agent_caps | (zum_hosted_info.work_fd >= 0 ? ZUM_AGENT_CAP_WORK_FDS : 0);
  /* With ZUM_AGENT_CAP_VM_FAULT it carries the userfaultfd. */
  int uffd = zum_cow_uffd();
  bool sent = zum_agent_reply(fd, 0, caps, (int)gettid(),
                              (agent_caps & ZUM_AGENT_CAP_VM_FAULT) && uffd >= 0 ? uffd : -1);
  sem_post(&agent_ready);
  if (!sent) return NULL;
  for (;;) {
    zum_agent_msg_t m;
    int fds[ZUM_WORK_MAX_OPS];
    size_t nfds;
    if (zum_agent_recv(fd, &m, fds, &nfds) != (long)sizeof(m)) {
      zum_close_fds(fds, nfds);
      return NULL; /* the supervisor is gone */
    }
    int error;
    if (m.kind == ZUM_AGENT_WORK) {
      error = zum_run_agent_work(&m.u.work, fds, nfds, &ops_policy);
    } else {
      error = ENOTSUP; /* threads start only in pure processes */
      zum_close_fds(fds, nfds);
    }
    if (!zum_agent_reply(fd, m.token, error, (int32_t)gettid(), -1)) return NULL;
  }
}

void zum_hosted_start_agent(int fd) {
  if (fd < 0) return;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, 64 * 1024);
  /* The agent takes no signals: they belong to the program's own threads. */
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pthread_t t;
  agent_fd = fd;
  sem_init(&agent_ready, 0, 0);
  int started = pthread_create(&t, &attr, agent_main, NULL) == 0;
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  pthread_attr_destroy(&attr);
  if (!started) {
    /* No agent: closing its socket tells the supervisor at once, so calls waiting for the
     * hello go on without it instead of waiting for the process to end. */
    sem_destroy(&agent_ready);
    agent_fd = -1;
    close(fd);
    return;
  }
  while (sem_wait(&agent_ready) != 0 && errno == EINTR) {
  }
}

void zum_hosted_exit_thread(void) {
  for (;;) syscall(SYS_exit, 0);
}
