/* Carrying address-space work to guests (the order is kobj/workq.h's). The supervisor cannot
 * call mmap in another process, so:
 *  - work on the caller's own process goes back to the calling thread: its ops go into the work
 *    block its vDSO stub passed (memory fds down its work channel, or SECCOMP_IOCTL_NOTIF_ADDFD
 *    without one), the call is answered ZUM_STATUS_WORK, the thread runs them through the
 *    runtime's do_work hook and reports with work_done (no wake-up of anyone else: the cheapest
 *    path, and the common one);
 *  - work on another process goes to that process's agent over a socket (fds by SCM_RIGHTS),
 *    whose answers come back here (on_agent) and go to the queue (kworkq_reply).
 * The agent's first message, its hello, says what the process's runtime can do. */
#include "launcher/sv_work.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "host/common/scm.h"
#include "host/sv/loop.h"
#include "host/sv/seccomp.h"
#include "kobj/cow.h"
#include "kobj/workq.h"
#include "launcher/sv_internal.h"

/* Sends the batch's memory fds down p's work channel, tagged with the work's token (see
 * ZUM_WORK_FD_CHANNEL); 0 or -errno. */
static int send_work_fds(struct sv_proc* p, uint64_t token, const int* fds, size_t nfds) {
  struct iovec iov = {&token, sizeof(token)};
  ZUM_SCM_BUF(ZUM_WORK_MAX_OPS) u;
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf};
  msg.msg_controllen = zum_scm_put(u.buf, sizeof(u.buf), fds, nfds);
  ssize_t r = sendmsg(p->work_chan, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
  return r == (ssize_t)sizeof(token) ? 0 : -(r < 0 ? errno : EPROTO);
}

int sv_work_deliver(void* host, struct platform_call* c, uint64_t work_addr, zum_work_t* w,
                    const int* fds, size_t nfds) {
  struct sv_proc* p = container_of((struct host_guest*)host, struct sv_proc, g);
  size_t k = 0;
  for (uint32_t i = 0; i < w->num_ops && k < nfds; i++) {
    if (!zum_work_op_has_fd(w->ops[i].kind)) continue;
    if (p->work_fds) {
      w->ops[i].fd = ZUM_WORK_FD_CHANNEL;
    } else {
      int fd = host_seccomp_addfd(p->g.listener, c->k.id, fds[k]);
      if (fd < 0) return fd;
      w->ops[i].fd = fd;
    }
    k++;
  }
  if (p->work_fds && nfds > 0) {
    int e = send_work_fds(p, w->token, fds, nfds);
    if (e != 0) return e;
  }
  return host_guest_write(&p->g, work_addr, w, sizeof(*w)) == 0 ? 0 : -EFAULT;
}

int sv_work_send(void* host, const zum_agent_msg_t* m, const int* fds, size_t nfds) {
  struct sv_proc* p = container_of((struct host_guest*)host, struct sv_proc, g);
  if (p->agent_fd < 0) return -ENOTCONN;
  struct iovec iov = {(void*)m, sizeof(*m)};
  ZUM_SCM_BUF(ZUM_WORK_MAX_OPS) u;
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf};
  msg.msg_controllen = zum_scm_put(u.buf, sizeof(u.buf), fds, nfds);
  ssize_t r = sendmsg(p->agent_fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
  return r == (ssize_t)sizeof(*m) ? 0 : -(r < 0 ? errno : EPROTO);
}

bool sv_work_has_agent(void* host) {
  return container_of((struct host_guest*)host, struct sv_proc, g)->agent_fd >= 0;
}

/* Whether a process whose agent reported has_uffd fills copy-on-write pages on demand:
 * ZUM_NO_UFFD=1 forces the fallback everywhere (the test suite runs both paths); a process
 * without a userfaultfd (seccomp profiles such as Docker's refuse the call) gets the fallback,
 * which is said once. */
static bool sv_uffd_usable(bool has_uffd) {
  static int forced_off = -1;
  static bool told;
  if (forced_off < 0) {
    const char* e = getenv("ZUM_NO_UFFD");
    forced_off = e && *e && strcmp(e, "0") != 0;
  }
  if (forced_off) return false;
  if (!has_uffd && !told) {
    told = true;
    fprintf(stderr,
            "zum: userfaultfd is not available here: mappings of copy-on-write VMO children are "
            "copied when they are made (correct, but not on demand)\n");
  }
  return has_uffd;
}

static void on_agent(struct host_loop_source* s, uint32_t events) {
  struct sv_proc* p = container_of(s, struct sv_proc, agent_src);
  zum_agent_reply_t r;
  /* The hello may carry the process's userfaultfd; no other message carries an fd. */
  ZUM_SCM_BUF(1) u;
  struct iovec iov = {&r, sizeof(r)};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                       .msg_controllen = sizeof(u.buf)};
  ssize_t n = (events & HOST_EV_IN) ? recvmsg(p->agent_fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC)
                                    : 0;
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  int fd = -1;
  size_t got = n > 0 ? zum_scm_take(u.buf, msg.msg_controllen, &fd, 1) : 0;
  if (got && !(n == (ssize_t)sizeof(r) && r.token == 0 && p->uffd_fd < 0)) {
    close(fd);
    fd = -1;
  }
  /* A message of another size, one longer than a reply (cut to one by recvmsg) or a hello
   * naming no thread is nonsense: whatever the guest's threads can execute can send here. */
  bool nonsense = n > 0 && (n != (ssize_t)sizeof(r) || (msg.msg_flags & MSG_TRUNC) ||
                            (r.token == 0 && r.tid <= 0));
  if (nonsense || n != (ssize_t)sizeof(r)) {
    /* The agent is gone (its process is exiting) or spoke nonsense. */
    host_loop_remove(&p->agent_src);
    close(p->agent_fd);
    p->agent_fd = -1;
    if (fd >= 0) close(fd);
    if (p->kp && p->agent_tid == 0) kproc_caps_learnt(p->kp); /* no hello will come */
    /* Nonsense ends the process (before its stub sees the socket close and exits on its own):
     * its runtime is zum's code gone wrong, or guest code speaking for it, and no work can
     * reach it any more. */
    if (nonsense && p->kp && !p->exited) {
      fprintf(stderr, "zum: process %s (pid %d): its agent sent a malformed message\n",
              p->kp->base.name, (int)p->g.pid);
      kproc_kill(p->kp, ZX_TASK_RETCODE_EXCEPTION_KILL);
    }
    return;
  }
  if (r.token == 0) {
    /* Only the first hello counts: the capabilities decide how work is shaped from then on
     * (kproc_caps_learnt), and a guest that could change them later could make the kernel act
     * on a userfaultfd it no longer has. A repeated one is dropped. */
    if (p->agent_tid != 0) {
      if (fd >= 0) close(fd);
      return;
    }
    p->agent_tid = r.tid;
    bool uffd = sv_uffd_usable((r.error & ZUM_AGENT_CAP_UFFD) != 0);
    if (p->kp) {
      p->kp->uffd = uffd;
      p->kp->vm_fault = uffd && (r.error & ZUM_AGENT_CAP_VM_FAULT) != 0;
      p->kp->wp = p->kp->vm_fault && (r.error & ZUM_AGENT_CAP_WP) != 0;
    }
    p->work_fds = p->work_chan >= 0 && (r.error & ZUM_AGENT_CAP_WORK_FDS) != 0;
    if (uffd && fd >= 0) p->uffd_fd = fd;
    else if (fd >= 0) close(fd);
    if (p->kp) kproc_caps_learnt(p->kp); /* the calls that waited for it run again */
    return;
  }
  if (!p->kp) return;
  kworkq_reply(p->kp, r.token, r.error, r.tid);
  /* A thread it started may have trapped before this answer was read. */
  if (!p->exited && p->num_pending) sv_retry_pending(p);
}

bool sv_work_learn_caps(struct sv_proc* p) {
  /* The hello comes first on the agent's socket, as soon as the runtime is up (the stub's
   * start-up, libzum's constructor); on_agent reads it when it comes. */
  sv_work_learn_agent(p);
  return p->agent_fd >= 0 && p->agent_tid == 0;
}

void sv_work_learn_agent(struct sv_proc* p) {
  if (p->agent_fd >= 0 && p->agent_tid == 0) on_agent(&p->agent_src, HOST_EV_IN);
}

int sv_work_adopt_agent(struct sv_proc* p, int fd) {
  p->agent_fd = fd;
  p->agent_src.fd = fd;
  p->agent_src.ready = on_agent;
  if (host_loop_add(&p->agent_src) != 0) {
    close(fd);
    p->agent_fd = -1;
    return -EIO;
  }
  return 0;
}

/* A SOCK_SEQPACKET pair with one end put into the calling guest (its fd number there is
 * returned, or -errno) and the other in *ours. */
static int socket_into_caller(struct platform_call* c, int* ours) {
  struct sv_proc* p = c->p;
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) return -errno;
  int guest_fd = host_seccomp_addfd(p->g.listener, c->k.id, sv[1]);
  close(sv[1]);
  if (guest_fd < 0) {
    close(sv[0]);
    return guest_fd;
  }
  *ours = sv[0];
  return guest_fd;
}

int sv_work_attach_agent(struct platform_call* c) {
  struct sv_proc* p = c->p;
  if (p->agent_fd >= 0) return -EBUSY;
  int ours;
  int guest_fd = socket_into_caller(c, &ours);
  if (guest_fd < 0) return guest_fd;
  p->agent_fd = ours;
  p->agent_src.fd = ours;
  p->agent_src.ready = on_agent;
  if (host_loop_add(&p->agent_src) != 0) {
    close(ours);
    p->agent_fd = -1;
    return -EIO;
  }
  return guest_fd;
}

int sv_work_attach_work_channel(struct platform_call* c) {
  struct sv_proc* p = c->p;
  if (p->work_chan >= 0) return -EBUSY;
  return socket_into_caller(c, &p->work_chan);
}

void sv_work_init(struct sv_proc* p) {
  p->uffd_fd = -1;
  p->work_chan = -1;
  p->work_fds = false;
  p->agent_fd = -1;
  p->agent_tid = 0;
}

void sv_work_proc_exited(struct sv_proc* p) {
  if (p->agent_fd >= 0) {
    host_loop_remove(&p->agent_src);
    close(p->agent_fd);
    p->agent_fd = -1;
  }
  if (p->uffd_fd >= 0) close(p->uffd_fd);
  p->uffd_fd = -1;
  if (p->work_chan >= 0) close(p->work_chan);
  p->work_chan = -1;
}
