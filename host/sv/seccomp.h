/* The trap transport: zum's syscall numbers are routed to a seccomp user-notification listener
 * owned by the supervisor (DESIGN.md section 3). */
#ifndef ZUM_HOST_SECCOMP_H_
#define ZUM_HOST_SECCOMP_H_

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Asks the kernel to wake the trapped thread on the supervisor's CPU when it replies
 * (SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP, Linux 6.6+). Returns false when unsupported. */
bool host_seccomp_set_sync_wakeup(int listener);

/* One received request. */
struct host_notif {
  uint64_t id;
  pid_t tid;
  int32_t nr;
  uint64_t ip;
  uint64_t args[6];
};

/* Receives one pending request from `listener`: 1 on success, 0 if none was pending (or it
 * vanished), -errno on a listener error. */
int host_seccomp_recv(int listener, struct host_notif* n);
/* Answers request `id` with `value` in rax. Returns 0, or -ENOENT if the trapped thread is no
 * longer waiting (interrupted by a signal, or dead). */
int host_seccomp_reply(int listener, uint64_t id, int64_t value);
/* Answers with a Linux error (the caller sees -error). */
int host_seccomp_reply_errno(int listener, uint64_t id, int error);

/* Copies the supervisor's `fd` into the trapped process of request `id` (close-on-exec there);
 * returns its number in that process, or -errno. */
int host_seccomp_addfd(int listener, uint64_t id, int fd);

/* 0 if this kernel supports user notifications with the record sizes zum uses, else -errno. */
int host_seccomp_check_sizes(void);

#endif
