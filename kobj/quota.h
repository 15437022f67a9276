/* What guests may hold of the supervisor's scarce resources, counted per job (DESIGN.md section
 * 14, "Limits"). Every guest-made object that costs the supervisor a file descriptor, a Linux
 * process or memory sized by the guest is charged, when it is made, to a job and all of that
 * job's ancestors, and released when it is destroyed or its Linux resources go (one charge and
 * one release per object type, in kobj/vmo.c vmo_charge and vmo_uncharge, kobj/task.c
 * proc_charge and proc_uncharge, kthread_create and thread_uncharge, kobj/channel.c kmsg_alloc
 * and kmsg_free, kobj/port.c charged_alloc and charged_free, kobj/mbuf.c alloc_bufs and
 * free_buf (socket buffers), kobj/fifo.c kfifo_create and fifo_destroy, kobj/handle.c
 * khandle_create_charged and khandle_destroy). A charge is refused when it would take
 *  - the root job (all guests together) past the global budget, which the supervisor sets below
 *    what it has, keeping a reserve for its own needs (replies, reaping, other jobs'
 *    listeners), or
 *  - any job a guest made (every job below the root job's children: the root job and the job
 *    zum made for the first program are the whole system) past the per-job cap, so one job
 *    tree cannot take everything from its siblings.
 * Exhaustion fails the call that asked (never another guest's), with the status Zircon gives
 * when its kernel runs out: ZX_ERR_NO_RESOURCES for descriptors, processes and handles (as its
 * handle arena), ZX_ERR_NO_MEMORY for memory (as its kernel heap). */
#ifndef ZUM_KOBJ_QUOTA_H_
#define ZUM_KOBJ_QUOTA_H_

#include <stdbool.h>
#include <stdint.h>
#include <zircon/types.h>

#include "host/platform.h"

struct kjob;

enum kres {
  KRES_FDS,   /* supervisor file descriptors (platform_ops.costs) */
  KRES_PROCS, /* Linux processes */
  KRES_MEM,   /* supervisor memory held for guests (queued messages), bytes */
  KRES_HANDLES, /* slots of the system-wide handle arena (KHANDLE_ARENA_SIZE) */
  KRES_COUNT
};

/* The limits in force; UINT64_MAX: none. */
struct kquota_limits {
  uint64_t total[KRES_COUNT]; /* all guests together (the root job) */
  uint64_t job[KRES_COUNT];   /* each job tree a guest made */
};

/* Set by kquota_configure (tests may set them directly): at first no limit, and nothing costs a
 * descriptor. */
extern struct kquota_limits kquota_limits;
extern struct platform_costs kquota_costs;

/* Defaults: descriptors, the platform's fd_budget; processes, KQUOTA_DEFAULT_PROCS; memory,
 * KQUOTA_DEFAULT_MEM; handles, the arena less a sixteenth the supervisor keeps for the handles
 * it hands out itself (startup handles); each guest-made job tree, half of the total. */
#define KQUOTA_DEFAULT_PROCS 4096u
#define KQUOTA_DEFAULT_MEM ((uint64_t)512 << 20)
/* The supervisor's choices (zum run --limit-*); 0 takes the default. A total above the
 * platform's descriptor budget is lowered to it: past it the supervisor itself would fail. */
struct kquota_options {
  uint64_t total[KRES_COUNT];
  uint64_t job[KRES_COUNT];
};
/* Sets kquota_limits and kquota_costs from the installed platform and o (NULL: defaults). */
void kquota_configure(const struct kquota_options* o);
/* The option names' resource words ("fds", "procs", "mem", "handles"), for parsing and
 * messages. */
extern const char* const kquota_names[KRES_COUNT];

/* Charges n of r to j and its ancestors: ZX_OK, or the status above (nothing charged). j NULL:
 * the supervisor's own, never charged. */
zx_status_t kquota_charge(struct kjob* j, enum kres r, uint64_t n);
/* Gives back what kquota_charge(j, r, n) took. */
void kquota_release(struct kjob* j, enum kres r, uint64_t n);
/* What j and everything below it hold of r. */
uint64_t kquota_used(const struct kjob* j, enum kres r);
/* Whether the per-job cap applies to j. */
bool kquota_capped(const struct kjob* j);

#endif
