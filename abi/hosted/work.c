/* The hosted runtime's side of address-space work (see zum_work_t in <zum/abi-private.h>): the
 * calling thread runs work on its way back from a trapped call, and the agent thread runs work
 * that other processes asked for. */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <zircon/types.h>

#include "abi/hosted/runtime.h"

static int linux_prot(uint32_t zx) {
  int p = PROT_NONE;
  if (zx & ZX_VM_PERM_READ) p |= PROT_READ;
  if (zx & ZX_VM_PERM_WRITE) p |= PROT_WRITE;
  if (zx & ZX_VM_PERM_EXECUTE) p |= PROT_EXEC;
  return p;
}

static int run_op(const zum_work_op_t* op) {
  void* addr = (void*)(uintptr_t)op->addr;
  switch (op->kind) {
    case ZUM_WORK_MAP: {
      void* r = mmap(addr, op->len, linux_prot(op->prot), MAP_SHARED | MAP_FIXED, op->fd,
                     (off_t)op->offset);
      int e = r == MAP_FAILED ? errno : 0;
      close(op->fd);
      return e;
    }
    case ZUM_WORK_RESERVE:
      /* Back to reserved address space: nothing else may be placed there. */
      return mmap(addr, op->len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE,
                  -1, 0) == MAP_FAILED
                 ? errno
                 : 0;
    case ZUM_WORK_PROTECT:
      return mprotect(addr, op->len, linux_prot(op->prot)) == 0 ? 0 : errno;
    case ZUM_WORK_POPULATE:
      return madvise(addr, op->len, (op->prot & ZX_VM_PERM_WRITE) ? MADV_POPULATE_WRITE
                                                                   : MADV_POPULATE_READ) == 0
                 ? 0
                 : errno;
    default:
      return EINVAL;
  }
}

void zum_hosted_do_work(zum_work_t* w) {
  w->error = 0;
  uint32_t n = w->num_ops < ZUM_WORK_MAX_OPS ? w->num_ops : ZUM_WORK_MAX_OPS;
  for (uint32_t i = 0; i < n; i++) {
    int e = run_op(&w->ops[i]);
    if (e && !w->error) w->error = e;
  }
}

static int agent_fd = -1;
static sem_t agent_ready;

static void* agent_main(void* arg) {
  int fd = agent_fd;
  prctl(PR_SET_NAME, "zum-agent");
  /* The supervisor must know this thread before the program runs, so that it never counts it
   * as one of the program's Zircon threads. */
  zum_agent_reply_t hello = {.token = 0, .error = 0, .tid = (int32_t)gettid()};
  ssize_t sent = send(fd, &hello, sizeof(hello), MSG_NOSIGNAL);
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
      if (op->kind == ZUM_WORK_MAP) {
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
