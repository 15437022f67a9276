/* Starting hosted guests: Linux processes that run under zum's seccomp filter. */
#ifndef ZUM_HOST_SPAWN_H_
#define ZUM_HOST_SPAWN_H_

#include <stdint.h>
#include <sys/resource.h>

#include "host/common/fdpass.h"
#include "host/sv/guest.h"

/* Forks and execs `path` as a hosted guest. The child dies with the supervisor (PDEATHSIG),
 * leads a session of its own (killed whole when the supervisor dies: host/sv/reaper.c), installs
 * the filter and hands its listener to the supervisor before exec. On success fills g (pid,
 * pidfd, listener, is_child) and returns 0; returns -errno if fork, the filter or exec failed
 * (exec's errno is reported back by the child). */
int host_spawn_hosted(const char* path, char* const argv[], char* const envp[],
                      struct host_guest* g);

/* Starts zum's stub (`stub_path`) as an empty pure Zircon process named `name`: the child dies
 * with the supervisor, installs the same filter as hosted guests (zum's numbers go to a new
 * listener), gets one end of a SOCK_SEQPACKET socket as fd 3 (the stub's agent channel, see
 * zum_agent_msg_t), with work_fd (may be NULL) one end of another as fd 4 (its work channel,
 * ZUM_WORK_FD_CHANNEL), and execs the stub with argv {"zum-stub", name} and an empty
 * environment. On success fills g (pid, pidfd, listener, is_child), sets *agent_fd (and
 * *work_fd) to the supervisor's ends and returns 0; returns -errno on failure. */
int host_spawn_pure(const char* stub_path, const char* name, struct host_guest* g, int* agent_fd,
                    int* work_fd);

/* Raises the supervisor's RLIMIT_NOFILE soft limit to the hard one, once, at start: every VMO,
 * listener and pidfd is a descriptor in the supervisor, so guests that exhaust VMOs or
 * processes must run out (ZX_ERR_NO_RESOURCES) before the supervisor itself has no descriptor
 * left for its own work. Guests are started with the limit zum was started with. */
void host_raise_fd_limit(void);
/* The descriptors the supervisor's guests may make it hold (platform_ops.fd_budget): its fd limit
 * less what it holds now and a reserve for its own needs (replies, reaping, new listeners, work
 * in flight), an eighth of the limit but at least HOST_FD_RESERVE_MIN. */
#define HOST_FD_RESERVE_MIN 256u
uint64_t host_fd_budget(void);
/* The limit before host_raise_fd_limit (RLIM_INFINITY both if it never ran). */
void host_original_nofile(struct rlimit* out);

#endif
