#include "host/common/fdpass.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "host/common/scm.h"

int host_send_fd(int sock, int fd) {
  char byte = 0;
  struct iovec iov = {&byte, 1};
  ZUM_SCM_BUF(1) u;
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf};
  msg.msg_controllen = zum_scm_put(u.buf, sizeof(u.buf), &fd, 1);
  return sendmsg(sock, &msg, MSG_NOSIGNAL) == 1 ? 0 : -errno;
}

int host_recv_fd(int sock) {
  char byte;
  struct iovec iov = {&byte, 1};
  ZUM_SCM_BUF(1) u;
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                       .msg_controllen = sizeof(u.buf)};
  ssize_t n;
  do n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n != 1) return n < 0 ? -errno : -EPIPE;
  int fd;
  return zum_scm_take(msg.msg_control, msg.msg_controllen, &fd, 1) == 1 ? fd : -EPROTO;
}

void host_cloexec_from(int from) {
  if (syscall(SYS_close_range, from, ~0u, CLOSE_RANGE_CLOEXEC) == 0) return;
  for (int fd = from; fd < 1024; fd++) fcntl(fd, F_SETFD, FD_CLOEXEC);
}
