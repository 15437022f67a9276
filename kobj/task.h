/* Jobs, processes and threads: the task tree. */
#ifndef ZUM_KOBJ_TASK_H_
#define ZUM_KOBJ_TASK_H_

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <zircon/syscalls/debug.h>
#include <zircon/types.h>
#include <zum/abi-private.h>

#include "kobj/deadline.h"
#include "kobj/handle.h"
#include "kobj/list.h"
#include "kobj/object.h"
#include "kobj/policy.h"
#include "kobj/restart.h"
#include "kobj/quota.h"
#include "host/platform.h"

struct kcall;
struct kshare;
struct kthread;

/* The registers a pure-process thread starts with (every other register is 0). */
struct kthread_regs {
  uint64_t pc, sp, arg1, arg2, fs_base, gs_base;
};

enum kjob_state { KJOB_ALIVE, KJOB_KILLING, KJOB_DEAD };

struct kjob {
  struct kobj base;
  struct kjob* parent;      /* NULL for the root job */
  struct list_node node;    /* in parent->children */
  struct list_node children;
  struct list_node procs;
  enum kjob_state state;
  int64_t return_code;
  bool kill_on_oom;
  struct kpolicy policy;     /* copied from the parent at creation (kobj/policy.h) */
  /* What this job and everything below it hold (kobj/quota.h). */
  uint64_t quota_used[KRES_COUNT];
};

enum kproc_state { KPROC_INITIAL, KPROC_RUNNING, KPROC_DYING, KPROC_DEAD };

struct kproc {
  struct kobj base;
  struct kjob* job;
  struct list_node job_node; /* in job->procs */
  struct khtable* table;
  struct list_node threads;
  enum kproc_state state;
  int64_t return_code;
  bool return_code_set;      /* set by process_exit / task_kill before the Linux exit */
  zx_instant_mono_t start_time;
  pid_t pid;                 /* for diagnostics; 0 if none */
  void* host;
  const struct platform_proc_ops* host_ops;
  struct kobj* root_vmar;
  /* ZX_PROP_PROCESS_DEBUG_ADDR / BREAK_ON_LOAD / VDSO_BASE_ADDRESS (0 for hosted programs,
   * whose vDSO is an ordinary shared library). */
  uintptr_t debug_addr;
  uintptr_t dyn_break_on_load;
  uintptr_t vdso_base;
  /* Made by zx_process_create: an empty address space that starts with zx_process_start. */
  bool pure;
  /* The guest has a userfaultfd (its agent said so): mappings of copy-on-write children fill
   * their pages on demand there instead of being copied when mapped (DESIGN.md section 5). */
  bool uffd;
  /* With uffd: faults the guest cannot resolve come to zum_vm_fault (ZUM_AGENT_CAP_VM_FAULT). */
  bool vm_fault;
  /* With vm_fault: its userfaultfd write-protects shared memory (ZUM_AGENT_CAP_WP). */
  bool wp;
  /* uffd, vm_fault and wp are known (the runtime's hello was read, or will never be). */
  bool caps_known;
  /* Calls parked until they are (kproc_caps_wait, kobj/cow.h). */
  struct list_node caps_waiters;
  /* Address-space work on its way to the process, oldest first (kobj/workq.h). */
  struct list_node work_queue;
  /* zum_vm_fault's batch: where the last fill ended and how many pages it took (sequential
   * faults double it, up to 16 pages, as the guests' own fault path does). */
  uint64_t fault_next;
  uint32_t fault_batch;
  /* Shared processes (kobj/share.h): the group whose shared region, handle table and futex
   * context this process shares (NULL if none; kept after death), its place among the group's
   * live processes, and its private restricted region (zx_process_create_shared; root_vmar is
   * then the shared region's root VMAR). */
  struct kshare* share;
  struct list_node share_node;
  struct kobj* restricted_vmar;
  /* The vDSO's code mapping, once made (pure processes; vdso_base is its ELF base). */
  uint64_t vdso_code_start, vdso_code_end;
  /* Startup handles not yet claimed by hosted_init (hosted programs). */
  struct khandle* startup[64];
  uint32_t startup_info[64];
  uint32_t num_startup;
  /* Job policy, copied from the job at creation and never changed (kobj/policy.h). */
  struct kpolicy policy;
  /* zx_job_set_critical: the job killed when this process dies (holds a reference). */
  struct kjob* critical_to;
  bool critical_retcode_nonzero;
  /* Its Linux process and descriptors are charged to job (kobj/quota.h; not for a process the
   * host found already running: bare mode's first). */
  bool charged;
  /* Address-space work answered by nobody in time (kobj/workq.c): the deadline that kills it. */
  struct kdeadline work_deadline;
  uint64_t work_watched; /* the token of the item it is armed for */
  /* Calls parked in kproc_caps_wait wait at most as long (kobj/cow.c). */
  struct kdeadline caps_deadline;
};

enum kthread_state { KTHREAD_NEW, KTHREAD_RUNNING, KTHREAD_DYING, KTHREAD_DEAD };

struct kthread {
  struct kobj base;
  struct kproc* proc;
  struct list_node proc_node;
  enum kthread_state state;
  pid_t tid;
  /* Charged to proc->job (kobj/quota.h). */
  bool charged;
  uint32_t blocked_state;    /* ZX_THREAD_STATE_BLOCKED_* while parked, else 0 */
  struct kcall* parked;      /* the call this thread is blocked in, if any */
  /* Open suspend tokens naming it (kobj/suspend.h): suspended while nonzero. */
  uint32_t suspend_count;
  /* Its stub's thread_suspended call, parked while it is suspended, and the registers that
   * call reported (written back when it completes). */
  struct kcall* suspended_call;
  zx_thread_state_general_regs_t regs;
  /* The futexes this thread owns (kfutex.owner_node, kobj/futex.h): released when it dies. */
  struct list_node futexes_owned;
  /* Parked calls its signal handlers interrupted, oldest first, and the answers it may still ask
   * for again (kobj/restart.h). */
  struct kcall* interrupted[KTHREAD_INTERRUPTED];
  uint32_t num_interrupted;
  struct kanswer answers[KTHREAD_ANSWERS];
  uint64_t answer_seq;
};

extern const struct kobj_ops kjob_ops, kproc_ops, kthread_ops;

static inline struct kjob* to_kjob(struct kobj* o) { return (struct kjob*)o; }
static inline struct kproc* to_kproc(struct kobj* o) { return (struct kproc*)o; }
static inline struct kthread* to_kthread(struct kobj* o) { return (struct kthread*)o; }

struct kjob* kjob_create(struct kjob* parent);
/* Makes a running process (hosted programs start running) in `job`; NULL on no memory or if the
 * job is dead (*err says which). */
struct kproc* kproc_create(struct kjob* job, const char* name, size_t name_len, void* host,
                           const struct platform_proc_ops* host_ops, zx_status_t* err);
/* A thread of p, charged to p's job; NULL with *err (may be NULL) NO_MEMORY or NO_RESOURCES. */
struct kthread* kthread_create(struct kproc* p, pid_t tid, const char* name, size_t name_len,
                               zx_status_t* err);
/* Start a new Linux process through the platform (spawn_hosted / spawn_pure) and make its
 * process object in `job`: hosted programs running, pure processes in state INITIAL with no
 * threads and no root VMAR yet (the caller adds it). Returns it with one reference for the
 * caller. */
zx_status_t kproc_spawn_hosted(struct kjob* job, const char* path, char* const argv[],
                               struct kproc** out);
zx_status_t kproc_spawn_pure(struct kjob* job, const char* name, struct kproc** out);
/* The thread with koid `koid` in p, or NULL. */
struct kthread* kproc_find_thread_koid(struct kproc* p, zx_koid_t koid);
/* The thread with Linux id tid in p, or NULL. */
struct kthread* kproc_find_thread(struct kproc* p, pid_t tid);

/* The Linux thread is gone. */
void kthread_on_exit(struct kthread* t);
/* The Linux process is gone: retcode is its exit code unless process_exit/task_kill set one. */
void kproc_on_exit(struct kproc* p, int64_t retcode);
/* Kill the process with `retcode` (task_kill: ZX_TASK_RETCODE_SYSCALL_KILL). */
void kproc_kill(struct kproc* p, int64_t retcode);
/* Kill every process and job below (and including) j. */
void kjob_kill(struct kjob* j, int64_t retcode);

/* The root job of the system, made by kobj_boot. */
extern struct kjob* kroot_job;

#endif
