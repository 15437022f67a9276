/* See host/guest/runtime/agent.h. Built without libc for the stub: the kernel's own message
 * structures (host/common/kmsg.h). */
#include "host/guest/runtime/agent.h"

#include <asm/unistd.h>
#include <linux/errno.h>

#include "host/common/kmsg.h"
#include "host/common/rawsys.h"
#include "host/common/scm.h"

#define K_MSG_TRUNC 0x20

long zum_agent_recv(int fd, zum_agent_msg_t* m, int* fds, size_t* nfds) {
  ZUM_SCM_BUF(ZUM_WORK_MAX_OPS) u;
  struct k_iovec iov = {m, sizeof(*m)};
  struct k_msghdr msg = {.iov = &iov, .iovlen = 1, .control = u.buf, .controllen = sizeof(u.buf)};
  long n;
  do n = zum_rawsys6(__NR_recvmsg, fd, (long)&msg, K_MSG_CMSG_CLOEXEC, 0, 0, 0);
  while (n == -EINTR);
  *nfds = n > 0 ? zum_scm_take(u.buf, msg.controllen, fds, ZUM_WORK_MAX_OPS) : 0;
  if (n == (long)sizeof(*m) && (msg.flags & K_MSG_TRUNC)) n = (long)sizeof(*m) + 1;
  return n;
}

bool zum_agent_reply(int fd, uint64_t token, int error, int tid, int pass_fd) {
  zum_agent_reply_t r = {.token = token, .error = error, .tid = tid};
  struct k_iovec iov = {&r, sizeof(r)};
  ZUM_SCM_BUF(1) u;
  struct k_msghdr msg = {.iov = &iov, .iovlen = 1};
  if (pass_fd >= 0) {
    msg.control = u.buf;
    msg.controllen = zum_scm_put(u.buf, sizeof(u.buf), &pass_fd, 1);
  }
  long n;
  do n = zum_rawsys6(__NR_sendmsg, fd, (long)&msg, K_MSG_NOSIGNAL, 0, 0, 0);
  while (n == -EINTR);
  return n == (long)sizeof(r);
}
