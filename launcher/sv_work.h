/* Applying address-space work to guests (see zum_work_t in <zum/abi-private.h>). */
#ifndef ZUM_LAUNCHER_SV_WORK_H_
#define ZUM_LAUNCHER_SV_WORK_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zircon/types.h>
#include <zum/abi-private.h>

struct kcall;
struct sv_proc;

void sv_work_init(struct sv_proc* p);
/* The process is gone: drops its queue (callers in other processes get their status). */
void sv_work_proc_exited(struct sv_proc* p);
/* kproc_host_ops.mm_apply. */
int64_t sv_work_mm_apply(void* host, struct kcall* c, const zum_work_op_t* ops, size_t n,
                         zx_status_t status);
/* khost_ops.mm_apply_many: one change for several processes (a shared region's members). */
struct kproc;
int64_t sv_work_mm_apply_many(struct kcall* c, struct kproc* const* targets, size_t ntargets,
                              const zum_work_op_t* ops, size_t n, zx_status_t status);
/* kproc_host_ops.start_thread (pure processes). */
struct kthread;
struct kthread_regs;
int64_t sv_work_start_thread(void* host, struct kcall* c, struct kthread* t,
                             const struct kthread_regs* regs, bool seal, uint64_t code_start,
                             uint64_t code_end);
/* khost_ops.work_done. */
int64_t sv_work_done(struct kcall* c, uint64_t work_addr);
/* Reads the agent's greeting if it is still queued (its thread id is then known). */
void sv_work_learn_agent(struct sv_proc* p);
/* The same for kproc_host_ops.learn_caps: true while the hello is still to come (on_agent then
 * tells kproc_caps_learnt). */
bool sv_work_learn_caps(struct sv_proc* p);
/* kproc_host_ops.uffd_wp: write-protects through p's userfaultfd now if nothing is queued for
 * p, else queues it behind that work (the mappings must be in place) and returns EINPROGRESS. */
int sv_work_uffd_wp(struct sv_proc* p, uint64_t addr, uint64_t len, bool missing,
                    void (*done)(void* arg, int err), void* arg);
/* khost attach_work_channel: the calling process's work channel (ZUM_WORK_FD_CHANNEL). */
int sv_work_attach_work_channel(struct kcall* c);
/* Serves p's agent on `fd` (a pure process's stub). */
int sv_work_adopt_agent(struct sv_proc* p, int fd);
/* khost_ops.attach_agent: makes the caller's agent socket; returns its fd in the caller. */
int sv_work_attach_agent(struct kcall* c);

#endif
