/* The agent: the stub's main thread serving the supervisor on fd 3 (zum_agent_msg_t). */
#include "host/guest/runtime/kmsg.h"

#include "host/guest/stub/private.h"

static int sealed; /* guest code runs only after the seal */

#define AGENT_FD 3

/* A reply; with fd >= 0 (the hello) carrying that fd too. */
void stub_agent_reply_fd(uint64_t token, int error, int tid, int fd) {
  zum_agent_reply_t r = {.token = token, .error = error, .tid = tid};
  struct k_iovec iov = {&r, sizeof(r)};
  struct k_msghdr msg = {.iov = &iov, .iovlen = 1};
  union {
    char buf[sizeof(struct k_cmsghdr) + 8];
    struct k_cmsghdr align;
  } u;
  if (fd >= 0) {
    u.align = (struct k_cmsghdr){.len = sizeof(struct k_cmsghdr) + sizeof(int),
                                 .level = K_SOL_SOCKET, .type = K_SCM_RIGHTS};
    memcpy(u.buf + sizeof(struct k_cmsghdr), &fd, sizeof(int));
    msg.control = u.buf;
    msg.controllen = sizeof(u.buf);
  }
  long n;
  do n = sys3(__NR_sendmsg, AGENT_FD, &msg, K_MSG_NOSIGNAL);
  while (n == -EINTR);
  if (n != (long)sizeof(r)) stub_exit_group(0); /* the supervisor is gone */
}

static void agent_reply(uint64_t token, int error, int tid) { stub_agent_reply_fd(token, error, tid, -1); }

NORETURN void stub_agent_loop(void) {
  static zum_agent_msg_t m;
  static union {
    char buf[sizeof(struct k_cmsghdr) + sizeof(int) * ZUM_WORK_MAX_OPS];
    struct k_cmsghdr align;
  } u;
  for (;;) {
    struct k_iovec iov = {&m, sizeof(m)};
    struct k_msghdr msg = {.iov = &iov, .iovlen = 1, .control = u.buf, .controllen = sizeof(u.buf)};
    long n = sys3(__NR_recvmsg, AGENT_FD, &msg, K_MSG_CMSG_CLOEXEC);
    if (n == -EINTR) continue;
    if (n <= 0) stub_exit_group(0); /* the supervisor is gone */
    int fds[ZUM_WORK_MAX_OPS];
    int nfds = 0;
    if (msg.controllen >= sizeof(struct k_cmsghdr)) {
      const struct k_cmsghdr* cm = &u.align;
      if (cm->level == K_SOL_SOCKET && cm->type == K_SCM_RIGHTS && cm->len >= sizeof(*cm) &&
          cm->len <= msg.controllen) {
        nfds = (int)((cm->len - sizeof(*cm)) / sizeof(int));
        if (nfds > (int)ZUM_WORK_MAX_OPS) nfds = ZUM_WORK_MAX_OPS;
        memcpy(fds, u.buf + sizeof(*cm), sizeof(int) * (size_t)nfds);
      }
    }
    int used = 0, error = 0, tid = 0;
    uint64_t token = n >= 16 ? m.token : 0;
    if (n != (long)sizeof(m) || (msg.flags & 0x20 /* MSG_TRUNC */)) {
      error = EINVAL;
    } else if (m.kind == ZUM_AGENT_WORK) {
      uint32_t nops = m.u.work.num_ops < ZUM_WORK_MAX_OPS ? m.u.work.num_ops : ZUM_WORK_MAX_OPS;
      for (uint32_t i = 0; i < nops; i++) {
        zum_work_op_t* op = &m.u.work.ops[i];
        if (zum_work_op_has_fd(op->kind)) {
          if (used >= nfds) {
            if (!error) error = EBADF;
            break;
          }
          op->fd = fds[used++];
        }
        int e = stub_run_op(op);
        if (e && !error) error = e;
      }
    } else if (m.kind == ZUM_AGENT_START_THREAD) {
      /* Guest code never runs unsealed. */
      error = !sealed ? EPERM
                      : stub_start_thread(m.u.start.pc, m.u.start.sp, m.u.start.arg1, m.u.start.arg2,
                                     m.u.start.fs_base, m.u.start.gs_base, &tid);
    } else if (m.kind == ZUM_AGENT_SEAL) {
      error = sealed ? EALREADY : stub_seal(m.u.seal.code_start, m.u.seal.code_end);
      if (!error) sealed = 1;
    } else {
      error = EINVAL;
    }
    while (used < nfds) sys1(__NR_close, fds[used++]);
    agent_reply(token, error, tid);
  }
}
