/* A fake platform (host/platform.h) for unit tests: guest memory is this process's memory (guest
 * addresses are host pointers, 0 and addresses below 4096 fault), time is a counter the test
 * moves, calls complete into a record the test inspects. VMO memory is the real memfd store
 * (host/sv/memfd.c, compiled into each test): it needs nothing of the supervisor. */
#ifndef ZUM_TESTS_FAKE_HOST_H_
#define ZUM_TESTS_FAKE_HOST_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kobj/kcall.h"
#include "kobj/kmm.h"
#include "kobj/task.h"

extern int64_t fake_now;

/* The platform fake_boot installs: clock fake_now, a console that drops everything, "random"
 * bytes that are all 0x5a, memfd memory, spawn_hosted making a fake process. A test that needs
 * another host copies it, changes hooks and installs the copy (platform = &copy). */
extern const struct platform_ops fake_platform;

/* A call as the fake transport owns it. */
struct platform_call {
  struct kcall k;
  bool done;
};

/* The address-space operations processes were asked to apply, oldest first. */
#define FAKE_MM_MAX_OPS 64
extern zum_work_op_t fake_mm_ops[FAKE_MM_MAX_OPS];
extern size_t fake_mm_nops;

/* ---- pieces for tests that build their own host (platform_proc_ops / platform_ops) */

/* Guest memory as this process's memory: fails (-1) below 4096 and for any range that touches
 * [fake_unreachable_lo, fake_unreachable_hi) (empty unless a test sets it), else copies. The
 * default fake process uses these too. */
extern uint64_t fake_unreachable_lo, fake_unreachable_hi;
int fake_mem_read(void* host, uint64_t addr, void* buf, size_t len);
int fake_mem_write(void* host, uint64_t addr, const void* buf, size_t len);
void fake_no_kill(void* host);
/* mem_stats that reports nothing mapped. */
int fake_zero_stats(void* host, uint64_t* mapped, uint64_t* priv, uint64_t* shared);
/* platform_ops pieces: a console that drops everything, "random" bytes that are all 0x5a. */
void fake_debug_write(const char* buf, size_t len);
int fake_random(void* buf, size_t len);

/* A recording host: every address-space operation it is asked to apply, oldest first, with the
 * host tag (kproc_create's `host`) of the process it was for. Unlike fake_mm_ops it does not
 * wrap: more than FAKE_REC_MAX operations fail the test. */
struct fake_rec {
  void* host;
  zum_work_op_t op;
  uint64_t ino; /* ops with a memory fd: its inode (queued work holds a duplicate of the fd) */
  int accmode;  /* ... and its access (O_RDONLY, O_RDWR); -1 without one */
};
#define FAKE_REC_MAX 512
extern struct fake_rec fake_recs[FAKE_REC_MAX];
extern size_t fake_nrec;
/* What the guest's userfaultfd was asked to do (fake_rec_uffd_ops), oldest first: write-protect
 * (wp) or release; each call returns fake_uffd_err. */
struct fake_uffd_call {
  bool wp;
  bool missing;
  uint64_t addr, len;
};
#define FAKE_UFFD_MAX 16
extern struct fake_uffd_call fake_uffd[FAKE_UFFD_MAX];
extern size_t fake_nuffd;
extern int fake_uffd_err;
/* Forgets every record (fake_sent too), sets fake_uffd_err back to 0 and fake_settle to NULL. */
void fake_rec_reset(void);
/* Records ops as applied to the process with host tag `host`. */
void fake_rec_add(void* host, const zum_work_op_t* ops, size_t n);
/* mm_apply that records (fake_rec_add) and returns status. */
int64_t fake_rec_mm_apply(void* host, struct platform_call* c, const zum_work_op_t* ops, size_t n,
                          zx_status_t status);
/* fake_mem_read/write, fake_no_kill, fake_zero_stats, fake_rec_mm_apply; the second also records
 * uffd_wp and uffd_release. */
extern const struct platform_proc_ops fake_rec_ops;
extern const struct platform_proc_ops fake_rec_uffd_ops;

/* A host that carries work (kobj/workq.h): fake_agent_ops are fake_rec_uffd_ops with a
 * transport. Every record sent to a process's agent is recorded (work ops also with
 * fake_rec_add) and kept until fake_agent_answer. No call of the fake is its own thread's work
 * (they pass no work block), so all work goes to agents. */
extern const struct platform_proc_ops fake_agent_ops;
struct fake_sent {
  void* host;
  zum_agent_msg_t m;
  bool answered;
};
#define FAKE_SENT_MAX 128
extern struct fake_sent fake_sent[FAKE_SENT_MAX];
extern size_t fake_nsent;
/* Answers (kworkq_reply) the oldest record sent to p's agent not answered yet, with `error`;
 * false if there is none. */
bool fake_agent_answer(struct kproc* p, int error);
/* Run by fake_run after each call (NULL: nothing): a test's agents answering. A parked call
 * that has completed by then is returned as if it had not parked. */
extern void (*fake_settle)(void);

/* Process p's Linux process is gone with `code` (kproc_on_exit), and the test's reference with it. */
void fake_end(struct kproc* p, int64_t code);

/* A new handle in p's table to o with rights r. */
zx_handle_t fake_give(struct kproc* p, struct kobj* o, zx_rights_t r);

/* Installs fake_platform and boots the kernel side (root job). Call from each test's setup. */
void fake_boot(void);
/* A fresh running process in `job` (root job if NULL), with one thread. */
struct kproc* fake_process(struct kjob* job);
struct kthread* fake_thread(struct kproc* p);

/* The usual fixture of a test: fake_boot, then process fake_p with thread fake_t. fake_fixture_end
 * ends the process and checks (cmocka) that every handle made since fake_fixture_start is gone.
 * As cmocka setup and teardown functions: */
extern struct kproc* fake_p;
extern struct kthread* fake_t;
int fake_fixture_start(void** state);
int fake_fixture_end(void** state);

/* A heap-allocated call by `t` of syscall ZUM_SYS_<name> (pass the ZUM_SYS_ value) with args.
 * Calls of six values or more pass some in a block shared by all calls: dispatch a call before
 * making the next. */
struct kcall* fake_call(struct kthread* t, uint32_t sysno, const uint64_t* args, unsigned nargs);
/* The same with the trap's tag chosen (fake_call gives every call a new one): a call made again
 * with its tag is what a restart after a Linux signal looks like (kobj/restart.h). */
struct kcall* fake_call_tagged(struct kthread* t, uint32_t sysno, const uint64_t* args,
                               unsigned nargs, uint64_t tag);

/* Runs one call. If it completed at once, returns its result and frees it. If it parked,
 * returns KCALL_PARKED and *parked (if not NULL) receives the call, which the test later checks
 * with fake_completed(). */
int64_t fake_run(struct kthread* t, uint32_t sysno, const uint64_t* args, unsigned nargs,
                 struct kcall** parked);
/* True (and *result set, and the call freed) once a parked call has completed. */
bool fake_completed(struct kcall* c, int64_t* result);
/* Moves time and fires due deadlines, then deferred work. */
void fake_advance(int64_t ns);

/* Shorthand: zx calls by name. */
#define FAKE(t, name, ...)                                                                      \
  fake_run((t), ZUM_SYS_##name, (const uint64_t[]){__VA_ARGS__},                                \
           sizeof((const uint64_t[]){__VA_ARGS__}) / sizeof(uint64_t), NULL)
#define U(p) ((uint64_t)(uintptr_t)(p))

#endif
