/* Structures shared by zum's vDSO, client library and supervisor. Private to zum. */
#ifndef ZUM_ABI_PRIVATE_H_
#define ZUM_ABI_PRIVATE_H_

#include <stdint.h>
#include <zircon/types.h>

/* A guest address as the supervisor sees it: a number, never a host pointer. */
typedef uint64_t zum_uaddr_t;

/* The zum page: one read-only page at a fixed address below the Zircon user base in every guest,
 * filled by the guest-side runtime before any Zircon code runs. The vDSO's local calls read it;
 * because its address is a constant, the vDSO needs no relocations. */
#define ZUM_PAGE_ADDR 0x1ff000ul
#define ZUM_PAGE_MAGIC 0x7a756d50616765ull /* "zumPage" */

typedef struct zum_page {
  uint64_t magic;
  /* int clock_gettime(clockid_t, struct timespec*), Linux's vDSO or libc: reads CLOCK_MONOTONIC
   * and CLOCK_BOOTTIME without a system call. */
  uint64_t clock_gettime_fn;
  uint64_t physmem;
  uint32_t num_cpus;
  uint32_t dcache_line_size;
  uint32_t page_size;
  uint32_t reserved;
  /* void do_work(zum_work_t*): runs every op in the block, sets work->error. */
  uint64_t do_work_fn;
  /* noreturn void exit_thread(void): ends the calling Linux thread (after zx_thread_exit). */
  uint64_t exit_thread_fn;
} zum_page_t;

/* Pure processes: everything of zum's lies below the Zircon user base (0x200000). */
#define ZUM_USER_BASE 0x200000ul
#define ZUM_USER_TOP 0x7ffffffff000ul
/* Shared processes (Zircon's layout for ZX_PROCESS_SHARED groups): each member's private
 * (restricted) region is [ZUM_USER_BASE, ZUM_RESTRICTED_TOP); one guard page; the shared region
 * [ZUM_SHARED_BASE, ZUM_USER_TOP) is common to the group (a ZX_PROCESS_SHARED process has only
 * that one). */
#define ZUM_RESTRICTED_TOP 0x400000000000ul
#define ZUM_SHARED_BASE 0x400000001000ul

/* ---- Address-space work.
 * The supervisor cannot call mmap in a guest. When a call changes the caller's own address space
 * (vmar_map, unmap, protect, destroy, op_range), the supervisor updates its VMAR tree, writes the
 * Linux operations into the work block the vDSO stub passed, and answers ZUM_STATUS_WORK. The
 * stub then runs the work through the zum page's do_work hook (guest-side runtime code: the hosted
 * library or the pure-process stub; the vDSO itself makes no Linux call) and reports with the
 * private work_done call, whose answer is the call's real status (or more work). Memory fds for
 * ZUM_WORK_MAP were put into the caller's fd table by the supervisor (SECCOMP_IOCTL_NOTIF_ADDFD);
 * the runtime closes them after mapping. */
#define ZUM_STATUS_WORK 0x7a756d57 /* "zumW": never a Zircon status (those are <= 0) */
#define ZUM_WORK_MAX_OPS 8u

enum zum_work_kind {
  ZUM_WORK_MAP = 1,     /* mmap(addr, len, prot, MAP_SHARED|MAP_FIXED, fd, offset); close(fd) */
  ZUM_WORK_RESERVE = 2, /* back to a PROT_NONE, MAP_NORESERVE reservation (unmap, destroy) */
  ZUM_WORK_PROTECT = 3, /* mprotect(addr, len, prot) */
  ZUM_WORK_POPULATE = 4, /* prefault [addr, addr+len) (MAP_RANGE / COMMIT on a mapping) */
  /* The calling thread's own registers (ZX_PROP_REGISTER_FS/GS, pure processes only): */
  ZUM_WORK_SET_FS = 5,   /* FS base = addr */
  ZUM_WORK_SET_GS = 6,   /* GS base = addr */
  ZUM_WORK_GET_FS = 7,   /* *(uint64_t*)addr = FS base */
  ZUM_WORK_GET_GS = 8,   /* *(uint64_t*)addr = GS base */
  /* Copy-on-write fault source (DESIGN.md section 5), right after a MAP with ZUM_MAP_UFFD of the
   * same range: while [addr, addr+len) stays mapped, a page of it missing from the mapped memfd
   * is filled by the faulting thread itself (SIGBUS from the userfaultfd, pread, UFFDIO_COPY)
   * with the bytes of fd at offset + (page - addr); from addr + src_len on the source reads as
   * zeros. The runtime keeps fd (it owns it) until the range is unmapped or mapped over. The fd
   * is always opened O_RDONLY: a child can read its ancestor's store, never write it. */
  ZUM_WORK_FAULT_SOURCE = 9,
};

/* zum_work_op_t.flags of a ZUM_WORK_MAP op. */
#define ZUM_MAP_UFFD 0x1u /* register the new mapping with the process's userfaultfd (MISSING) */
/* Register it for write-protect faults too and write-protect all of it (snapshots of the store
 * still read its pages): a first write to each page goes to zum_vm_fault. Hosted runtimes only:
 * a pure process's seal refuses UFFDIO_WRITEPROTECT (guest code could clear the protection). */
#define ZUM_MAP_WP 0x2u
/* The mapping can never become writable (its handles lacked ZX_RIGHT_WRITE when it was made, and
 * Zircon's zx_vmar_protect caps a mapping by those rights): the supervisor hands its fd over
 * opened O_RDONLY, so Linux itself refuses MAP_SHARED with PROT_WRITE and any mprotect adding
 * write, whoever makes the call. Such a mapping is never registered with a userfaultfd (Linux
 * refuses that too, for want of VM_MAYWRITE): copy-on-write pages are copied in beforehand. */
#define ZUM_MAP_READONLY 0x4u

/* A self-work op's fd when it waits in the process's *work channel* (a SOCK_SEQPACKET socket
 * whose other end the supervisor holds): before answering ZUM_STATUS_WORK the supervisor sends
 * one message, the work's token (uint64_t) with the batch's fds (SCM_RIGHTS, in op order); the
 * runtime reads it (messages with another token are stale: their fds are closed) and gives the
 * fds to the ops that say ZUM_WORK_FD_CHANNEL. Putting fds in with SECCOMP_IOCTL_NOTIF_ADDFD
 * instead costs two wake-ups that are not on the current CPU (the trapped thread installs the
 * fd, then wakes the supervisor): on an idle machine ~60 us and a migration per map. */
#define ZUM_WORK_FD_CHANNEL (-2)

/* Ops whose fd field carries a memory fd (put into the guest by the supervisor). */
static inline int zum_work_op_has_fd(uint32_t kind) {
  return kind == ZUM_WORK_MAP || kind == ZUM_WORK_FAULT_SOURCE;
}

/* prot: ZX_VM_PERM_READ/WRITE/EXECUTE bits. */
typedef struct zum_work_op {
  uint32_t kind;
  uint32_t prot;
  int32_t fd;
  uint32_t flags; /* ZUM_MAP_* (MAP ops) */
  uint64_t addr;
  uint64_t len;
  uint64_t offset;
  uint64_t src_len; /* FAULT_SOURCE ops */
} zum_work_op_t;

typedef struct zum_work {
  uint32_t num_ops;
  int32_t error; /* set by the runtime: 0, or the errno of the first failed op */
  uint64_t token; /* set by the supervisor, returned with work_done */
  zum_work_op_t ops[ZUM_WORK_MAX_OPS];
} zum_work_t;

/* Work asked by another process goes to the target's agent (a thread of the hosted runtime, or
 * the pure-process stub) over a SOCK_SEQPACKET socket: the supervisor sends zum_agent_msg_t
 * records; a ZUM_AGENT_WORK record carries one SCM_RIGHTS fd per op that has one
 * (zum_work_op_has_fd, in op order; their fd fields are ignored). The agent answers every record
 * with a zum_agent_reply_t carrying the same token. Its first message is a reply with token 0,
 * its own thread id, and in `error` the ZUM_AGENT_CAP_* bits of the process. The hosted
 * agent understands only ZUM_AGENT_WORK; the pure-process stub all of them. */
enum zum_agent_kind {
  ZUM_AGENT_WORK = 1,
  /* Start a Linux thread with Zircon's register contract: rip = pc, rsp = sp, rdi = arg1,
   * rsi = arg2, every other register 0, FS and GS base as given (0 on zx_process_start). The
   * reply's tid is the new thread's. */
  ZUM_AGENT_START_THREAD = 2,
  /* Before the first thread starts: from now on only the stub's own code may make Linux system
   * calls, and Zircon calls only from [code_start, code_end) (the vDSO's code; an empty range:
   * none). Anything else is trapped (SIGSYS) and reported as a policy exception. */
  ZUM_AGENT_SEAL = 3,
};

typedef struct zum_agent_msg {
  uint32_t kind;
  uint32_t reserved;
  uint64_t token;
  union {
    zum_work_t work;
    struct {
      uint64_t pc, sp, arg1, arg2, fs_base, gs_base;
    } start;
    struct {
      uint64_t code_start, code_end;
    } seal;
  } u;
} zum_agent_msg_t;

/* What a process can do, told in the agent's first message. */
#define ZUM_AGENT_CAP_UFFD 0x1 /* it has a userfaultfd (SIGBUS mode, shmem missing faults) and
                                  takes ZUM_MAP_UFFD and ZUM_WORK_FAULT_SOURCE */
#define ZUM_AGENT_CAP_VM_FAULT 0x2 /* a SIGBUS it cannot resolve itself goes to the supervisor
                                      (zum_vm_fault) before it counts as a fault; with it the
                                      hello may carry the userfaultfd (one SCM_RIGHTS fd), with
                                      which the supervisor write-protects and releases pages */
#define ZUM_AGENT_CAP_WP 0x4 /* its userfaultfd write-protects shared memory (ZUM_MAP_WP) */
#define ZUM_AGENT_CAP_WORK_FDS 0x8 /* do_work takes ZUM_WORK_FD_CHANNEL fds from its work channel */

/* zum_vm_fault flags. */
#define ZUM_VM_FAULT_WRITE 0x1u /* the access was a write (page-fault error code bit 1) */

typedef struct zum_agent_reply {
  uint64_t token;
  int32_t error; /* 0 or an errno */
  int32_t tid;
} zum_agent_reply_t;

/* Filled in by the private hosted_init call for a hosted program. */
#define ZUM_HOSTED_MAX_STARTUP 64u
typedef struct zum_hosted_info {
  zx_handle_t process_self;
  zx_handle_t vmar_root_self;
  zx_handle_t job_default;
  zx_handle_t thread_self;
  uint32_t num_startup;
  int32_t agent_fd; /* the agent's socket in this process, or -1 */
  int32_t work_fd;  /* the work channel's end in this process (ZUM_WORK_FD_CHANNEL), or -1 */
  zx_handle_t startup_handles[ZUM_HOSTED_MAX_STARTUP];
  uint32_t startup_info[ZUM_HOSTED_MAX_STARTUP];
} zum_hosted_info_t;

/* Arguments of the private spawn call (see zum_spawn in <zum/zum.h>). */
typedef struct zum_spawn_args {
  uint64_t path;        /* const char*, NUL-terminated */
  uint64_t argv;        /* const char* const*, NULL-terminated */
  uint64_t handles;     /* const zx_handle_t* */
  uint64_t handle_info; /* const uint32_t* */
  uint32_t num_handles;
  uint32_t reserved;
} zum_spawn_args_t;

/* The Linux signal (a real-time one, which pure programs never see otherwise) the supervisor
 * sends a pure process's thread to suspend it: the stub's handler reports the thread's registers
 * with the private call thread_suspended and returns when it is resumed (kobj/suspend.h). */
#define ZUM_SUSPEND_SIGNAL 40

#endif
