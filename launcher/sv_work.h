/* Carrying address-space work to guests: the transport of kobj/workq.h (see zum_work_t in
 * <zum/abi-private.h>). */
#ifndef ZUM_LAUNCHER_SV_WORK_H_
#define ZUM_LAUNCHER_SV_WORK_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zircon/types.h>
#include <zum/abi-private.h>

struct platform_call;
struct sv_proc;

void sv_work_init(struct sv_proc* p);
/* The process is gone: closes its agent socket, userfaultfd and work channel. */
void sv_work_proc_exited(struct sv_proc* p);
/* platform_proc_ops.work_deliver, work_send, work_agent: the transport of kobj/workq.h. */
int sv_work_deliver(void* host, struct platform_call* c, uint64_t work_addr, zum_work_t* w,
                    const int* fds, size_t nfds);
int sv_work_send(void* host, const zum_agent_msg_t* m, const int* fds, size_t nfds);
bool sv_work_has_agent(void* host);
/* Reads the agent's greeting if it is still queued (its thread id is then known). */
void sv_work_learn_agent(struct sv_proc* p);
/* The same for platform_proc_ops.learn_caps: true while the hello is still to come (on_agent
 * then tells kproc_caps_learnt). */
bool sv_work_learn_caps(struct sv_proc* p);
/* platform_ops.attach_work_channel: the calling process's work channel (ZUM_WORK_FD_CHANNEL). */
int sv_work_attach_work_channel(struct platform_call* c);
/* Serves p's agent on `fd` (a pure process's stub). */
int sv_work_adopt_agent(struct sv_proc* p, int fd);
/* platform_ops.attach_agent: makes the caller's agent socket; returns its fd in the caller. */
int sv_work_attach_agent(struct platform_call* c);

#endif
