/* SCM_RIGHTS control messages: building one that carries N fds, and taking the fds out of a
 * received one. Shared by the supervisor (host/sv, launcher, tests) and the code inside guests,
 * the freestanding pure-process stub included: header-only, over the kernel's own cmsg layout
 * (kmsg.h), with raw system calls (rawsys.h), so it works the same with struct msghdr and with
 * struct k_msghdr.
 *
 * Sending:   ZUM_SCM_BUF(N) u; msg.control = u.buf; msg.controllen = zum_scm_put(u.buf,
 *            sizeof(u.buf), fds, n);
 * Receiving: ZUM_SCM_BUF(N) u; msg.control = u.buf; msg.controllen = sizeof(u.buf); recvmsg;
 *            n = zum_scm_take(u.buf, msg.controllen, fds, max);
 * Every fd a received message carried is either handed to the caller or closed, so a peer that
 * sends more than expected cannot make the receiver leak (what did not fit the control buffer
 * the kernel never installs: it only sets MSG_CTRUNC). */
#ifndef ZUM_HOST_SCM_H_
#define ZUM_HOST_SCM_H_

#include <stddef.h>

#include <asm/unistd.h>

#include "host/common/kmsg.h"
#include "host/common/rawsys.h"

#define ZUM_SCM_ALIGN(len) (((size_t)(len) + sizeof(size_t) - 1) & ~(sizeof(size_t) - 1))
/* CMSG_LEN and CMSG_SPACE of a message carrying n fds. */
#define ZUM_SCM_LEN(n) (sizeof(struct k_cmsghdr) + (size_t)(n) * sizeof(int))
#define ZUM_SCM_SPACE(n) (sizeof(struct k_cmsghdr) + ZUM_SCM_ALIGN((size_t)(n) * sizeof(int)))
/* The type of a control buffer with room for n fds, aligned for its header. */
#define ZUM_SCM_BUF(n)             \
  union {                          \
    char buf[ZUM_SCM_SPACE(n)];    \
    struct k_cmsghdr align;        \
  }

/* Writes one SCM_RIGHTS message carrying fds[0..n) to buf (cap bytes, aligned for a cmsg header)
 * and returns its length, the control length to send. Returns 0, meaning no control data, when
 * n is 0 or the message does not fit. */
static inline size_t zum_scm_put(void* buf, size_t cap, const int* fds, size_t n) {
  if (n == 0 || cap < ZUM_SCM_SPACE(n)) return 0;
  struct k_cmsghdr* cm = (struct k_cmsghdr*)buf;
  cm->len = ZUM_SCM_LEN(n);
  cm->level = K_SOL_SOCKET;
  cm->type = K_SCM_RIGHTS;
  unsigned char* data = (unsigned char*)buf + sizeof(*cm);
  for (size_t i = 0; i < n; i++) __builtin_memcpy(data + i * sizeof(int), &fds[i], sizeof(int));
  for (size_t i = ZUM_SCM_LEN(n); i < ZUM_SCM_SPACE(n); i++) ((unsigned char*)buf)[i] = 0;
  return ZUM_SCM_SPACE(n);
}

/* Takes the fds of received control data (control, len: the control length recvmsg returned):
 * the first `max` of every SCM_RIGHTS message, in order, go to fds; the rest are closed. Walks
 * no further than len and stops at a malformed header. Returns how many fds were stored. */
static inline size_t zum_scm_take(const void* control, size_t len, int* fds, size_t max) {
  const unsigned char* p = (const unsigned char*)control;
  size_t got = 0, off = 0;
  while (control && len - off >= sizeof(struct k_cmsghdr)) {
    const struct k_cmsghdr* cm = (const struct k_cmsghdr*)(const void*)(p + off);
    if (cm->len < sizeof(*cm) || cm->len > len - off) break;
    if (cm->level == K_SOL_SOCKET && cm->type == K_SCM_RIGHTS) {
      size_t n = (cm->len - sizeof(*cm)) / sizeof(int);
      for (size_t i = 0; i < n; i++) {
        int fd;
        __builtin_memcpy(&fd, p + off + sizeof(*cm) + i * sizeof(int), sizeof(int));
        if (got < max) fds[got++] = fd;
        else zum_rawsys6(__NR_close, fd, 0, 0, 0, 0, 0);
      }
    }
    size_t step = ZUM_SCM_ALIGN(cm->len);
    if (step > len - off) break;
    off += step;
  }
  return got;
}

#endif
