/* The platform: everything the kernel (kobj/ and mm/) may ask of Linux, in one table. The kernel
 * includes this header and calls through `platform`; a platform implementation (the supervisor:
 * host/sv/platform.c composed with launcher/sv_platform.c; the unit tests: tests/unit/fake_host.c)
 * fills in the tables and installs them before the kernel runs. Nothing here names a kernel type:
 * the host's records are opaque to the kernel (`void* host`), the kernel's are opaque to the host
 * (`void* kproc`, handed back through the kernel's own back-calls: kproc_on_exit, kcall_complete...
 * declared in kobj/ headers), and address-space work travels as the ABI's zum_work_op_t. What the
 * host tells the kernel (a process died, a thread ended, work finished) are kernel functions the
 * host's composition calls, never hooks here.
 *
 * Conventions: platform_ops.now, random_fill, debug_write and mem, and each process's read and
 * write, must be set; every other hook may be NULL, with the effect its comment gives (a NULL
 * kill, release or mem_stats: nothing to do, statistics unknown). Statuses are Zircon's (Linux
 * errors are turned into statuses inside the platform), except where a hook says it returns
 * 0/-1 or an errno. */
#ifndef ZUM_HOST_PLATFORM_H_
#define ZUM_HOST_PLATFORM_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <zircon/types.h>
#include <zum/abi-private.h>

/* One trapped Zircon call, owned by the transport that received it. The kernel keeps a
 * reference while the call runs or is parked and gives it to every hook acting for the call;
 * only the transport knows what is behind it. */
struct platform_call;

/* How a parked call is answered. The kernel calls exactly one of them, once, for every call
 * whose dispatch returned KCALL_PARKED; a call dispatch answered at once (a result, or
 * KCALL_NOREPLY) stays the transport's to answer or drop. */
struct platform_transport {
  /* Sends the call's result (set by the kernel) to the guest and releases the call. */
  void (*complete)(struct platform_call* c);
  /* Releases the call without replying (its thread is gone). */
  void (*release)(struct platform_call* c);
};

/* What the host knows about one Linux thread (platform_proc_ops.thread_info). */
struct platform_thread_info {
  uint64_t cpu_mask[8]; /* allowed CPUs (sched_getaffinity), bit n = CPU n */
  int64_t runtime_ns;   /* time spent running */
  uint32_t last_cpu;    /* CPU it last ran on */
};

/* The host side of one guest process. `host` is the host's record of it, given to the kernel
 * when the process was made (platform_ops.spawn_*, or kproc_create by a host that found the
 * process already running: bare mode). */
struct platform_proc_ops {
  /* Reads or writes guest memory; 0 or -1 (fault: unmapped, protected, process gone). */
  int (*read)(void* host, uint64_t addr, void* buf, size_t len);
  int (*write)(void* host, uint64_t addr, const void* buf, size_t len);
  /* Ends the Linux process now (task_kill, process_exit). The host reports the death later
   * through kproc_on_exit. */
  void (*kill)(void* host);
  /* Memory statistics for ZX_INFO_TASK_STATS; 0 or -1. */
  int (*mem_stats)(void* host, uint64_t* mapped, uint64_t* private_bytes, uint64_t* shared);
  /* The kernel's process object is being destroyed: the host drops its record. */
  void (*release)(void* host);
  /* Optional. Scheduling facts about Linux thread `tid` of the process (ZX_INFO_THREAD,
   * ZX_INFO_THREAD_STATS); 0, or -1 if the thread is gone. */
  int (*thread_info)(void* host, pid_t tid, struct platform_thread_info* out);
  /* Optional. Stops Linux thread `tid` of a pure process (stop: its stub then reports through
   * thread_suspended, kobj/suspend.h) or lets it go on; asynchronous (the kernel never waits for
   * the guest). 0 or -errno. Without it threads cannot be suspended (ZX_ERR_NOT_SUPPORTED). */
  int (*thread_suspend)(void* host, pid_t tid, bool stop);
  /* Optional. Gives every live Linux thread of the process its kernel thread now (threads are
   * otherwise met on their first call), so thread lists and koid lookups see them all. */
  void (*sync_threads)(void* host);
  /* Optional: the transport of address-space work (kobj/workq.h orders the work, the host
   * carries it). work_send, with work_agent, makes the host a carrier: it sends one record to
   * the process's agent, with the memory fds of its ops (in op order), and passes each answer
   * to kworkq_reply; work_agent says whether the process has an agent to send to. work_deliver
   * (optional even then: without it the agent does that work too) hands batch w (token set) to
   * c's own thread: the host sets the fd fields of the ops with memory fds (fds: their stores,
   * in op order; the host puts them into the guest, the kernel keeps owning them), then writes
   * w into the caller's work block at work_addr. Both return 0 or -errno. A pure process's
   * threads are started by its stub through the same records (SEAL, START_THREAD), so without
   * work_send zx_process_start and zx_thread_start answer ZX_ERR_NOT_SUPPORTED (only unit-test
   * hosts lack it; the supervisor sets it for every process). */
  int (*work_deliver)(void* host, struct platform_call* c, uint64_t work_addr, zum_work_t* w,
                      const int* fds, size_t nfds);
  int (*work_send)(void* host, const zum_agent_msg_t* m, const int* fds, size_t nfds);
  bool (*work_agent)(void* host);
  /* Optional: the process's stub started the kernel thread with koid `thread`
   * (ZUM_AGENT_START_THREAD) as Linux thread tid: the host binds the two. */
  void (*thread_started)(void* host, zx_koid_t thread, pid_t tid);
  /* Optional, for a host without work_send that applies work at once (unit-test hosts):
   * applies ops, in order, to the process's address space on behalf of call c, returning
   * `status` or an error. NULL as well: the process has no Linux address space to change. */
  int64_t (*mm_apply)(void* host, struct platform_call* c, const zum_work_op_t* ops, size_t n,
                      zx_status_t status);
  /* Optional: the process's userfaultfd (see ZUM_AGENT_CAP_UFFD). uffd_wp registers
   * [addr, addr+len) for write-protect faults (also for missing-page faults when `missing`) and
   * write-protects it; uffd_release lifts the protection. 0 or an errno (ENOENT: nothing mapped
   * there any more). uffd_wp needs the mapping in place: the kernel calls it only once the work
   * queued before it is done. */
  int (*uffd_wp)(void* host, uint64_t addr, uint64_t len, bool missing);
  int (*uffd_release)(void* host, uint64_t addr, uint64_t len);
  /* Optional: reads what the guest's runtime says it can do (uffd, vm_fault, wp) if it has said
   * so, never waiting for it. The host records the answer in the kernel's process object and
   * calls kproc_caps_learnt: at once, or, when this returns true (still to come), once it has
   * read it or it can no longer come. NULL: nothing to learn (the kernel decides without). */
  bool (*learn_caps)(void* host);
  /* Optional: applies a scheduler profile to the process's Linux thread tid as far as an
   * unprivileged process may: a nice value (when set_nice) and a CPU affinity (mask: mask_words
   * 64-bit words, NULL for none). What Linux refuses is left as it was. */
  void (*thread_sched)(void* host, pid_t tid, bool set_nice, int nice, const uint64_t* mask,
                       size_t mask_words);
};

/* Where VMO bytes live (mm/vmo.c): one store per VMO, named by a descriptor. */
struct platform_mem_ops {
  /* A new store of `size` bytes, all zeros; NO_MEMORY when the host has no room. */
  zx_status_t (*create)(uint64_t size, int* out_fd);
  void (*close)(int fd);
  /* Another descriptor of the same store, the caller's to close (work queued for a process
   * outlives the VMO it maps): >= 0, or -errno. */
  int (*dup)(int fd);
  /* Optional (NULL: dup): the same, but the new descriptor may only read (an open file of its
   * own, O_RDONLY): a guest that gets it can neither write the store nor map it writable. */
  int (*dup_readonly)(int fd);
  /* Sets the length; shrinking frees what lies beyond it. */
  zx_status_t (*resize)(int fd, uint64_t size);
  /* Exactly len bytes; holes read as zeros. */
  zx_status_t (*read)(int fd, uint64_t off, void* buf, size_t len);
  zx_status_t (*write)(int fd, uint64_t off, const void* buf, size_t len);
  /* Whole pages, put in only where the store has none yet (a guest may be filling the same
   * page at the same moment: its page wins, with whatever it wrote). */
  zx_status_t (*insert)(int fd, uint64_t off, const void* buf, size_t len);
  /* Page aligned ranges: allocate without changing contents / free (reads zeros again). */
  zx_status_t (*commit)(int fd, uint64_t off, uint64_t len);
  zx_status_t (*decommit)(int fd, uint64_t off, uint64_t len);
  /* False only when the page certainly reads as zeros. */
  bool (*page_has_data)(int fd, uint64_t off);
  /* The first offset >= off (page aligned) from which the store may hold data: *out, true; or
   * false when nothing from off on can. */
  bool (*next_data)(int fd, uint64_t off, uint64_t* out);
  /* Bytes held, in all of the store / in a page aligned range. */
  uint64_t (*committed)(int fd);
  uint64_t (*committed_range)(int fd, uint64_t off, uint64_t len);
  /* The longest store create/resize accept (page aligned). */
  uint64_t max_size;
};

/* What the supervisor's descriptors cost per kernel object, as the host counts its own records:
 * the kernel charges these to the guest's job (kobj/quota.h). */
struct platform_costs {
  uint32_t store_fds;  /* a VMO with a store of its own */
  uint32_t proc_fds;   /* a process, whatever its kind (pidfd, listener, agent, work channel...) */
  uint32_t thread_fds; /* a thread */
};

/* The machine-wide services. */
struct platform_ops {
  /* Clocks, nanoseconds: Zircon's monotonic clock (CLOCK_MONOTONIC) and boot clock
   * (CLOCK_BOOTTIME; optional: NULL reads the monotonic clock). */
  int64_t (*now)(void);
  int64_t (*boot_now)(void);
  /* Optional: UTC (CLOCK_REALTIME) for older Zircon's zx_clock_get(ZX_CLOCK_UTC); NULL: that
   * clock reads as the monotonic one, as Zircon's did until something set its UTC offset. */
  int64_t (*utc_now)(void);
  /* Optional: a random word for handle-table secrets (NULL: libc's random()). */
  uint32_t (*random32)(void);
  /* Fills buf with cryptographically strong random bytes (zx_cprng_draw, ASLR seeds); 0 or -1. */
  int (*random_fill)(void* buf, size_t len);
  /* zx_debug_write: the kernel console. */
  void (*debug_write)(const char* buf, size_t len);
  /* Optional (NULL: 1): the number of CPUs guests see (zx_system_get_num_cpus). */
  uint32_t (*num_cpus)(void);
  /* Optional (NULL: debug_write): where debuglog lines go, each a whole line. */
  void (*debuglog_write)(const char* buf, size_t len);
  /* VMO memory. */
  const struct platform_mem_ops* mem;
  /* Optional (NULL: no limit, nothing costs a descriptor). How many more descriptors guests'
   * objects may hold without the host running out of those it needs itself (its hard limit,
   * less what it holds now and a reserve for replies, reaping and new listeners), and what each
   * object costs. */
  uint64_t (*fd_budget)(void);
  const struct platform_costs* costs;

  /* Optional (NULL: zum_spawn is NOT_SUPPORTED; the supervisor always sets it, unit-test
   * platforms that start no processes leave it NULL). Starts hosted executable `path` (argv; NULL
   * or empty: just the path) as a new Linux process, not yet serving calls. On ZX_OK, *host and
   * *ops are its record and operations; the kernel makes its process object and then calls
   * adopt, or, if it cannot, ops->kill and ops->release (the record must then go entirely).
   * NOT_FOUND / ACCESS_DENIED / IO as the executable allows. */
  zx_status_t (*spawn_hosted)(const char* path, char* const argv[], void** host,
                              const struct platform_proc_ops** ops);
  /* Optional (NULL: zx_process_create and zx_process_create_shared are NOT_SUPPORTED; the
   * supervisor always sets it, and its own answer is NOT_SUPPORTED, with a line on stderr, when
   * zum-stub cannot be found): starts an empty pure process (zum-stub) named `name`, as
   * spawn_hosted. */
  zx_status_t (*spawn_pure)(const char* name, void** host, const struct platform_proc_ops** ops);
  /* Optional. The kernel's process object for a spawned `host` exists (kproc: the struct kproc*
   * the host hands back to the kernel's back-calls, kproc_on_exit and the like): serve the
   * process's calls from now on. kproc_create's reference to it is the host's, dropped after
   * the host reported the death. On failure the kernel kills the process; the host reports the
   * death as for any other process. */
  zx_status_t (*adopt)(void* host, void* kproc);

  /* Optional: gives the calling process an agent socket for address-space work asked by other
   * processes; its fd number in the caller, or -errno. */
  int (*attach_agent)(struct platform_call* c);
  /* Optional: gives the calling process a work channel (ZUM_WORK_FD_CHANNEL); its fd number in
   * the caller, or -errno. */
  int (*attach_work_channel)(struct platform_call* c);
  /* Optional: tells the user about an exception that is about to kill a process (its name and
   * koid, the thread's koid or 0): signo/code as the stub reported them, the faulting address,
   * the pc. signo 0: the kernel refused a zum call (code: its number) the process may not make,
   * an invalid system call (ZX_EXCP_POLICY_CODE_BAD_SYSCALL). */
  void (*report_fault)(const char* proc_name, zx_koid_t proc, zx_koid_t thread, uint32_t signo,
                       uint32_t code, uint64_t addr, uint64_t pc);
};

/* The installed platform. The kernel reads it; the supervisor or the fake host sets it before
 * the first kernel call and never while calls are in flight. */
extern const struct platform_ops* platform;

#endif
