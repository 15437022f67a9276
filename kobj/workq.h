/* Address-space work on its way to processes (DESIGN.md section 11): one FIFO per process, so
 * its work runs in the order the calls were made, one item at a time. A later unmap can never
 * be overtaken by an earlier map still in flight, and every change has reached Linux before the
 * call that asked for it returns. This is the ordering alone; the host carries the work
 * (platform_proc_ops.work_deliver, work_send) and reports the answers (kworkq_reply, work_done).
 *  - Work on the caller's own process goes back to the calling thread: the call is answered
 *    ZUM_STATUS_WORK with the ops in its work block, and its work_done finishes it.
 *  - Work on another process goes to that process's agent, and the call waits for the answer.
 *    Work queued behind it for the same agent rides in the same message while there is room.
 *  - A change of a shared region is one item per live member, all in one group: the call
 *    finishes when the last member has applied it.
 *  - SEAL and START_THREAD records for a pure process's stub wait behind pending work, so a
 *    thread never runs before the mappings asked for ahead of it.
 *  - A write protection from outside (kobj/cow.c) needs the mappings in place: it takes
 *    its turn like the rest and is applied through platform_proc_ops.uffd_wp when it comes.
 * Queued work owns duplicates of the memory fds of its ops (platform_mem_ops.dup): the VMO may be
 * closed before the work is delivered. A process whose work cannot be applied is killed: its
 * address space could no longer match the tree. */
#ifndef ZUM_KOBJ_WORKQ_H_
#define ZUM_KOBJ_WORKQ_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <zircon/types.h>
#include <zum/abi-private.h>

struct kcall;
struct kproc;
struct kthread;
struct kthread_regs;

/* How long a process may take over the work at the head of its queue while it holds up anybody
 * else (other processes' calls, a shared region's other members, work queued behind), in
 * nanoseconds; <= 0: forever. Past it the process is killed as unresponsive
 * (ZX_TASK_RETCODE_EXCEPTION_KILL) and the calls waiting on its queue finish with their status.
 * A process stopped (SIGSTOP, a debugger) while it does its own work holds up nobody and is left
 * alone. Set by the supervisor (zum run --work-deadline). */
#define KWORKQ_DEFAULT_DEADLINE ((int64_t)30 * 1000000000)
extern int64_t kworkq_deadline;

/* Sets up p's empty queue and its deadline (kproc_create). */
void kworkq_init(struct kproc* p);
/* Kills p, which kept others waiting past kworkq_deadline for `what`, with a line saying so. */
void kworkq_unresponsive(struct kproc* p, const char* what);

/* kcall_mm_apply for a process whose host carries work (platform_proc_ops.work_send). */
int64_t kworkq_apply(struct kcall* c, struct kproc* p, const zum_work_op_t* ops, size_t n,
                     zx_status_t status);
/* The same change for several processes (a shared region's live members); finishes with
 * `status` once every one of them has applied it. */
int64_t kworkq_apply_many(struct kcall* c, struct kproc* const* targets, size_t ntargets,
                          const zum_work_op_t* ops, size_t n, zx_status_t status);
/* Pure processes: starts t's Linux thread with regs (platform_proc_ops.thread_started follows the
 * stub's answer), the first one (seal) after restricting the process's system calls to the
 * stub and Zircon calls to [code_start, code_end). Returns what the handler returns. */
int64_t kworkq_start_thread(struct kcall* c, struct kthread* t, const struct kthread_regs* regs,
                            bool seal, uint64_t code_start, uint64_t code_end);
/* work_done: c's thread ran the batch it was handed in its work block at work_addr (error: 0, or
 * the errno of the first op that failed). Returns the call's final status, ZUM_STATUS_WORK with
 * the next batch, or KCALL_PARKED while other members of its group still work. */
int64_t kworkq_done(struct kcall* c, uint64_t work_addr, int error);
/* p's agent answered the record with `token` (error: 0 or an errno; tid: a started thread's). */
void kworkq_reply(struct kproc* p, uint64_t token, int error, pid_t tid);
/* Whether work is still queued for p. */
bool kworkq_busy(const struct kproc* p);
/* Queues a write protection (platform_proc_ops.uffd_wp) behind p's pending work; done(arg, 0 or
 * an errno) follows once it ran, done(arg, ECANCELED) if p dies first. 0, or ENOMEM. */
int kworkq_uffd_wp(struct kproc* p, uint64_t addr, uint64_t len, bool missing,
                   void (*done)(void* arg, int err), void* arg);
/* p's Linux process is gone: its queue is dropped (callers in other processes get their
 * status; calls of p's own threads are abandoned with them). */
void kworkq_proc_exit(struct kproc* p);

#endif
