/* The hosted runtime's side of address-space work (see zum_work_t in <zum/abi-private.h>): the
 * calling thread runs work on its way back from a trapped call, and the agent thread runs work
 * that other processes asked for. Copy-on-write mappings (ZUM_MAP_UFFD, ZUM_WORK_FAULT_SOURCE)
 * go through host/guest/runtime/cow.c, shared with the pure-process stub; a missing page of one raises
 * SIGBUS in the thread that touched it, and the handler here copies it in, or asks the
 * supervisor (zum_vm_fault) when it cannot. */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>
#include <zircon/types.h>
#include <zum/sysno.h>
#include <zum/trap.h>

#include "host/guest/libzum/runtime.h"
#include "host/guest/runtime/workfd.h"
#include "host/guest/runtime/cow.h"

static int linux_prot(uint32_t zx) {
  int p = PROT_NONE;
  if (zx & ZX_VM_PERM_READ) p |= PROT_READ;
  if (zx & ZX_VM_PERM_WRITE) p |= PROT_WRITE;
  if (zx & ZX_VM_PERM_EXECUTE) p |= PROT_EXEC;
  return p;
}

static int map_op(void* arg) {
  const zum_work_op_t* op = arg;
  return mmap((void*)(uintptr_t)op->addr, op->len, linux_prot(op->prot), MAP_SHARED | MAP_FIXED,
              op->fd, (off_t)op->offset) == MAP_FAILED
             ? errno
             : 0;
}

/* Back to reserved address space: nothing else may be placed there. */
static int reserve_op(void* arg) {
  const zum_work_op_t* op = arg;
  return mmap((void*)(uintptr_t)op->addr, op->len, PROT_NONE,
              MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0) == MAP_FAILED
             ? errno
             : 0;
}

/* The fd of a MAP or FAULT_SOURCE op is always taken: a MAP's is closed, a FAULT_SOURCE's kept
 * by the fault source until MAP or RESERVE over its range forgets it. */
static int run_op(zum_work_op_t* op) {
  void* addr = (void*)(uintptr_t)op->addr;
  switch (op->kind) {
    case ZUM_WORK_MAP: {
      int e = zum_cow_remap(op->addr, op->len, op->flags & (ZUM_MAP_UFFD | ZUM_MAP_WP), map_op, op);
      close(op->fd);
      return e;
    }
    case ZUM_WORK_RESERVE:
      return zum_cow_remap(op->addr, op->len, 0, reserve_op, op);
    case ZUM_WORK_FAULT_SOURCE:
      return zum_cow_add_source(op->addr, op->len, op->fd, op->offset, op->src_len);
    case ZUM_WORK_PROTECT:
      return mprotect(addr, op->len, linux_prot(op->prot)) == 0 ? 0 : errno;
    case ZUM_WORK_POPULATE: {
      /* Pages only a copy-on-write fault brings are copied in first (MADV_POPULATE_* fails on
       * them: the userfaultfd is in SIGBUS mode). */
      int e = zum_cow_fill(op->addr, op->len);
      if (e) return e;
      return madvise(addr, op->len, (op->prot & ZX_VM_PERM_WRITE) ? MADV_POPULATE_WRITE
                                                                   : MADV_POPULATE_READ) == 0
                 ? 0
                 : errno;
    }
    default:
      return EINVAL;
  }
}


void zum_hosted_do_work(zum_work_t* w) {
  w->error = 0;
  int saved = errno;
  zum_take_work_fds(zum_hosted_info.work_fd, w);
  errno = saved;
  uint32_t n = w->num_ops < ZUM_WORK_MAX_OPS ? w->num_ops : ZUM_WORK_MAX_OPS;
  for (uint32_t i = 0; i < n; i++) {
    int e = run_op(&w->ops[i]);
    if (e && !w->error) w->error = e;
  }
}

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
  if (si->si_code == BUS_ADRERR) {
    uint64_t addr = (uint64_t)(uintptr_t)si->si_addr;
    /* Page-fault error code bit 1: a write. */
    uint32_t flags =
        (((const ucontext_t*)ctx)->uc_mcontext.gregs[REG_ERR] & 2) ? ZUM_VM_FAULT_WRITE : 0;
    if (zum_cow_fault(addr) ||
        ((agent_caps & ZUM_AGENT_CAP_VM_FAULT) &&
         zum_trap(ZUM_SYS_vm_fault, addr, flags, 0, 0, 0, 0) == ZX_OK)) {
      errno = saved;
      return;
    }
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
  zum_agent_reply_t hello = {
      .token = 0,
      .error = agent_caps | (zum_hosted_info.work_fd >= 0 ? ZUM_AGENT_CAP_WORK_FDS : 0),
      .tid = (int32_t)gettid()};
  /* With ZUM_AGENT_CAP_VM_FAULT it carries the userfaultfd. */
  struct iovec hiov = {&hello, sizeof(hello)};
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } hu;
  memset(&hu, 0, sizeof(hu));
  struct msghdr hmsg = {.msg_iov = &hiov, .msg_iovlen = 1};
  int uffd = zum_cow_uffd();
  if ((agent_caps & ZUM_AGENT_CAP_VM_FAULT) && uffd >= 0) {
    hmsg.msg_control = hu.buf;
    hmsg.msg_controllen = sizeof(hu.buf);
    struct cmsghdr* cm = CMSG_FIRSTHDR(&hmsg);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &uffd, sizeof(int));
  }
  ssize_t sent = sendmsg(fd, &hmsg, MSG_NOSIGNAL);
  sem_post(&agent_ready);
  if (sent != sizeof(hello)) return NULL;
  for (;;) {
    zum_agent_msg_t m;
    struct iovec iov = {&m, sizeof(m)};
    union {
      char buf[CMSG_SPACE(sizeof(int) * ZUM_WORK_MAX_OPS)];
      struct cmsghdr align;
    } u;
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                         .msg_controllen = sizeof(u.buf)};
    ssize_t n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
    if (n < 0 && errno == EINTR) continue;
    if (n != (ssize_t)sizeof(m)) return NULL; /* the supervisor is gone */
    int fds[ZUM_WORK_MAX_OPS];
    int nfds = 0;
    for (struct cmsghdr* cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
      if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS) continue;
      nfds = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
      if (nfds > (int)ZUM_WORK_MAX_OPS) nfds = ZUM_WORK_MAX_OPS;
      memcpy(fds, CMSG_DATA(cm), sizeof(int) * (size_t)nfds);
    }
    int used = 0;
    zum_agent_reply_t r = {.token = m.token, .error = 0, .tid = (int32_t)gettid()};
    if (m.kind != ZUM_AGENT_WORK) r.error = ENOTSUP; /* threads start only in pure processes */
    uint32_t nops = m.kind != ZUM_AGENT_WORK ? 0
                    : m.u.work.num_ops < ZUM_WORK_MAX_OPS ? m.u.work.num_ops : ZUM_WORK_MAX_OPS;
    for (uint32_t i = 0; i < nops; i++) {
      zum_work_op_t* op = &m.u.work.ops[i];
      if (zum_work_op_has_fd(op->kind)) {
        if (used >= nfds) {
          r.error = EBADF;
          break;
        }
        op->fd = fds[used++];
      }
      int e = run_op(op);
      if (e && !r.error) r.error = e;
    }
    while (used < nfds) close(fds[used++]);
    if (send(fd, &r, sizeof(r), MSG_NOSIGNAL) != sizeof(r)) return NULL;
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
  if (started)
    while (sem_wait(&agent_ready) != 0 && errno == EINTR) {
    }
}

void zum_hosted_exit_thread(void) {
  for (;;) syscall(SYS_exit, 0);
}
