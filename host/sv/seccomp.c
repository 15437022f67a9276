#include "host/sv/seccomp.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

bool host_seccomp_set_sync_wakeup(int listener) {
  uint64_t flags = SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP;
  return ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS, flags) == 0;
}

int host_seccomp_recv(int listener, struct host_notif* n) {
  struct seccomp_notif req;
  memset(&req, 0, sizeof(req));
  if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) != 0) {
    /* ENOENT: the thread went away between poll and receive. */
    if (errno == ENOENT || errno == EINTR || errno == EAGAIN) return 0;
    return -errno;
  }
  n->id = req.id;
  n->tid = (pid_t)req.pid;
  n->nr = req.data.nr;
  n->ip = req.data.instruction_pointer;
  for (int i = 0; i < 6; i++) n->args[i] = req.data.args[i];
  return 1;
}

int host_seccomp_reply(int listener, uint64_t id, int64_t value) {
  struct seccomp_notif_resp resp = {.id = id, .val = value, .error = 0, .flags = 0};
  if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) != 0) return -errno;
  return 0;
}

int host_seccomp_reply_errno(int listener, uint64_t id, int error) {
  struct seccomp_notif_resp resp = {.id = id, .val = 0, .error = -error, .flags = 0};
  if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) != 0) return -errno;
  return 0;
}

#include <fcntl.h>
#include <seccomp.h>
#include <stdlib.h>

int host_seccomp_addfd(int listener, uint64_t id, int fd) {
  struct seccomp_notif_addfd a;
  memset(&a, 0, sizeof(a));
  a.id = id;
  a.srcfd = (uint32_t)fd;
  a.newfd_flags = O_CLOEXEC;
  int r = ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &a);
  return r < 0 ? -errno : r;
}

/* libseccomp asks the kernel how big its notification records are; zum's ioctls use the uapi
 * structs, so refuse to run on a kernel whose records are larger than them. */
int host_seccomp_check_sizes(void) {
  struct seccomp_notif* req = NULL;
  struct seccomp_notif_resp* resp = NULL;
  if (seccomp_notify_alloc(&req, &resp) != 0) return -ENOSYS;
  seccomp_notify_free(req, resp);
  struct seccomp_notif_sizes sizes;
  if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) != 0) return -errno;
  if (sizes.seccomp_notif > sizeof(struct seccomp_notif) ||
      sizes.seccomp_notif_resp > sizeof(struct seccomp_notif_resp))
    return -EPROTO;
  return 0;
}
