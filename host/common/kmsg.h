/* The kernel's message structures for sendmsg/recvmsg (x86-64), for zum's code built without
 * libc (the pure-process stub, host/guest/runtime/) and the helpers both sides use (scm.h). */
#ifndef ZUM_HOST_COMMON_KMSG_H_
#define ZUM_HOST_COMMON_KMSG_H_

#include <stddef.h>

struct k_iovec {
  void* base;
  size_t len;
};
struct k_msghdr {
  void* name;
  int namelen;
  struct k_iovec* iov;
  size_t iovlen;
  void* control;
  size_t controllen;
  unsigned flags;
};
struct k_cmsghdr {
  size_t len;
  int level;
  int type;
};
#define K_SOL_SOCKET 1
#define K_SCM_RIGHTS 1
#define K_MSG_DONTWAIT 0x40
#define K_MSG_NOSIGNAL 0x4000
#define K_MSG_CMSG_CLOEXEC 0x40000000

#endif
