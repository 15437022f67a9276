/* See host/guest/runtime/workfd.h. Built without libc for the stub: the kernel's own message
 * structures (host/common/kmsg.h). */
#include "host/guest/runtime/workfd.h"

#include <stddef.h>
#include <stdint.h>

#include <asm/unistd.h>
#include <linux/errno.h>

#include "host/common/kmsg.h"
#include "host/common/rawsys.h"
#include "host/common/scm.h"

static void close_fd(int fd) { zum_rawsys6(__NR_close, fd, 0, 0, 0, 0, 0); }

void zum_take_work_fds(int chan, zum_work_t* w) {
  uint32_t n = w->num_ops < ZUM_WORK_MAX_OPS ? w->num_ops : ZUM_WORK_MAX_OPS;
  unsigned want = 0;
  for (uint32_t i = 0; i < n; i++)
    if (w->ops[i].fd == ZUM_WORK_FD_CHANNEL) want++;
  if (want == 0) return;
  int fds[ZUM_WORK_MAX_OPS];
  int nfds = 0;
  while (chan >= 0) {
    uint64_t token = 0;
    ZUM_SCM_BUF(ZUM_WORK_MAX_OPS) u;
    struct k_iovec iov = {&token, sizeof(token)};
    struct k_msghdr msg = {.iov = &iov, .iovlen = 1, .control = u.buf, .controllen = sizeof(u.buf)};
    long r = zum_rawsys6(__NR_recvmsg, chan, (long)&msg, K_MSG_CMSG_CLOEXEC | K_MSG_DONTWAIT, 0,
                         0, 0);
    if (r == -EINTR) continue;
    if (r != (long)sizeof(token)) break; /* nothing there: the supervisor sent none */
    if (token != w->token) {
      zum_scm_take(u.buf, msg.controllen, fds, 0); /* stale: closes them all */
      continue;
    }
    nfds = (int)zum_scm_take(u.buf, msg.controllen, fds, ZUM_WORK_MAX_OPS);
    break;
  }
  int used = 0;
  for (uint32_t i = 0; i < n; i++)
    if (w->ops[i].fd == ZUM_WORK_FD_CHANNEL) w->ops[i].fd = used < nfds ? fds[used++] : -1;
  while (used < nfds) close_fd(fds[used++]);
}
