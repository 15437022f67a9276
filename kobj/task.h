/* Jobs, processes and threads: the task tree. */
#ifndef ZUM_KOBJ_TASK_H_
#define ZUM_KOBJ_TASK_H_

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <zircon/types.h>
#include <zum/abi-private.h>

#include "kobj/handle.h"
#include "kobj/list.h"
#include "kobj/object.h"
#include "kobj/policy.h"

struct kcall;
struct kshare;
struct kthread;

/* What the host knows about one Linux thread (kproc_host_ops.thread_info). */
struct kthread_host_info {
  uint64_t cpu_mask[8];      /* allowed CPUs (sched_getaffinity), bit n = CPU n */
  int64_t runtime_ns;        /* time spent running */
  uint32_t last_cpu;         /* CPU it last ran on */
};

/* The registers a pure-process thread starts with (every other register is 0). */
struct kthread_regs {
  uint64_t pc, sp, arg1, arg2, fs_base, gs_base;
};

/* What kobj/ needs from the host side of a process (host/ implements it; tests fake it). */
struct kproc_host_ops {
  /* Reads or writes guest memory; returns 0 or -1 (fault). */
  int (*read)(void* host, uint64_t addr, void* buf, size_t len);
  int (*write)(void* host, uint64_t addr, const void* buf, size_t len);
  /* Ends the Linux process now (task_kill, process_exit). The death is reported back later
   * through kproc_on_exit. */
  void (*kill)(void* host);
  /* Memory statistics for ZX_INFO_TASK_STATS; returns 0 or -1. */
  int (*mem_stats)(void* host, uint64_t* mapped, uint64_t* private_bytes, uint64_t* shared);
  /* Drops the host record (the process object is being destroyed). */
  void (*release)(void* host);
  /* Optional (NULL: unknown). Scheduling facts about Linux thread `tid` of the process for
   * ZX_INFO_THREAD / ZX_INFO_THREAD_STATS; returns 0, or -1 if the thread is gone. */
  int (*thread_info)(void* host, pid_t tid, struct kthread_host_info* out);
  /* Optional. Gives every live Linux thread of the process its kthread now (threads are
   * otherwise met on their first call), so thread lists and koid lookups see them all. */
  void (*sync_threads)(void* host);
  /* The transport of address-space work (kobj/workq.h orders it, the host carries it).
   * work_deliver hands batch w (token set) to c's own thread: its fd fields are the host's to
   * set for the ops with memory fds (fds, in op order; the host passes them into the guest, the
   * queue keeps owning them), then w goes into the work block at work_addr. work_send sends one
   * record to the process's agent, with the memory fds of its ops by SCM_RIGHTS. Both return 0
   * or -errno. work_agent: whether the process has an agent to send to. thread_started: the
   * stub started t (START_THREAD) as Linux thread tid. NULL work_send: see mm_apply. */
  int (*work_deliver)(void* host, struct kcall* c, uint64_t work_addr, zum_work_t* w,
                      const int* fds, size_t nfds);
  int (*work_send)(void* host, const zum_agent_msg_t* m, const int* fds, size_t nfds);
  bool (*work_agent)(void* host);
  void (*thread_started)(void* host, struct kthread* t, pid_t tid);
  /* A host without that transport applies operations at once, in order, returning `status` or
   * an error (unit-test hosts). NULL as well: the process has no Linux address space to change
   * (kcall_mm_apply then just returns the status). */
  int64_t (*mm_apply)(void* host, struct kcall* c, const zum_work_op_t* ops, size_t n,
                      zx_status_t status);
  /* Optional: the process's userfaultfd, held by the host (see ZUM_AGENT_CAP_UFFD). `wp`
   * registers [addr, addr+len) for write-protect faults (also for missing-page faults when
   * `missing`, as the guest registered a copy-on-write mapping) and write-protects it; `release`
   * lifts the protection. Return 0 or an errno (ENOENT: nothing mapped there any more). `wp`
   * needs the mapping in place: kobj calls it once work queued before it is done. */
  int (*uffd_wp)(void* host, uint64_t addr, uint64_t len, bool missing);
  int (*uffd_release)(void* host, uint64_t addr, uint64_t len);
  /* Optional: reads what the guest's runtime says it can do (uffd, vm_fault, wp below) if it
   * has said so, without waiting. Returns true while that is still to come: the host then calls
   * kproc_caps_learnt once it has read it, or once it can no longer come. */
  bool (*learn_caps)(void* host);
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
  const struct kproc_host_ops* host_ops;
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
  /* Calls parked until they are (kproc_caps_wait). */
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
};

enum kthread_state { KTHREAD_NEW, KTHREAD_RUNNING, KTHREAD_DYING, KTHREAD_DEAD };

struct kthread {
  struct kobj base;
  struct kproc* proc;
  struct list_node proc_node;
  enum kthread_state state;
  pid_t tid;
  uint32_t blocked_state;    /* ZX_THREAD_STATE_BLOCKED_* while parked, else 0 */
  struct kcall* parked;      /* the call this thread is blocked in, if any */
  /* The answer to a call whose reply found the thread interrupted by a Linux signal: Linux
   * restarts the identical call, which then gets this answer instead of running twice. */
  struct {
    bool valid;
    uint32_t nr;
    uint64_t args[6];
    int64_t result;
  } lost;
};

extern const struct kobj_ops kjob_ops, kproc_ops, kthread_ops;

static inline struct kjob* to_kjob(struct kobj* o) { return (struct kjob*)o; }
static inline struct kproc* to_kproc(struct kobj* o) { return (struct kproc*)o; }
static inline struct kthread* to_kthread(struct kobj* o) { return (struct kthread*)o; }

struct kjob* kjob_create(struct kjob* parent);
/* Makes a running process (hosted programs start running) in `job`; NULL on no memory or if the
 * job is dead (*err says which). */
struct kproc* kproc_create(struct kjob* job, const char* name, size_t name_len, void* host,
                           const struct kproc_host_ops* host_ops, zx_status_t* err);
struct kthread* kthread_create(struct kproc* p, pid_t tid, const char* name, size_t name_len);
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

/* Decisions by p->uffd / vm_fault / wp need what p's runtime can do, which it says once it is
 * up (a stub or libzum constructor still starting has not yet). A handler that makes them asks
 * first, before it changes anything: true means known (or never to be known: p has no runtime
 * to say it, or is gone); false means c is parked until the host has read it, and the handler
 * returns KCALL_PARKED. The call then runs again from its start (kcall_rerun), so it happens
 * once, with the capabilities known. The supervisor never waits for a runtime. */
bool kproc_caps_wait(struct kcall* c, struct kproc* p);
/* The host has read p's capabilities, or they can no longer come: the calls waiting for them
 * run again (deferred: kobj_run_deferred). */
void kproc_caps_learnt(struct kproc* p);

#endif
