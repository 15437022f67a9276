/* Starting hosted guests: Linux processes that run under zum's seccomp filter. */
#ifndef ZUM_HOST_SPAWN_H_
#define ZUM_HOST_SPAWN_H_

#include "host/guest.h"

/* Forks and execs `path` as a hosted guest. The child dies with the supervisor (PDEATHSIG),
 * installs the filter and hands its listener to the supervisor before exec. On success fills g
 * (pid, pidfd, listener, is_child) and returns 0; returns -errno if fork, the filter or exec
 * failed (exec's errno is reported back by the child). */
int host_spawn_hosted(const char* path, char* const argv[], char* const envp[],
                      struct host_guest* g);

/* Sends / receives one fd over a unix socket (SCM_RIGHTS). */
int host_send_fd(int sock, int fd);
int host_recv_fd(int sock);

/* Marks every fd from `from` upwards close-on-exec. */
void host_cloexec_from(int from);

#endif
