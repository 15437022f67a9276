/* A fake host for unit tests: guest memory is this process's memory (guest addresses are host
 * pointers, 0 and addresses below 4096 fault), time is a counter the test moves, calls complete
 * into a record the test inspects. */
#ifndef ZUM_TESTS_FAKE_HOST_H_
#define ZUM_TESTS_FAKE_HOST_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kobj/kcall.h"
#include "kobj/kmm.h"
#include "kobj/task.h"

extern int64_t fake_now;

/* The address-space operations processes were asked to apply, oldest first (kobj/kmm.h). */
#define FAKE_MM_MAX_OPS 64
extern struct kmm_op fake_mm_ops[FAKE_MM_MAX_OPS];
extern size_t fake_mm_nops;

/* Boots the kernel side: root job, clock, host hooks. Call from each test's setup. */
void fake_boot(void);
/* A fresh running process in `job` (root job if NULL), with one thread. */
struct kproc* fake_process(struct kjob* job);
struct kthread* fake_thread(struct kproc* p);

/* A heap-allocated call by `t` of syscall ZUM_SYS_<name> (pass the ZUM_SYS_ value) with args. */
struct kcall* fake_call(struct kthread* t, uint32_t sysno, const uint64_t* args, unsigned nargs);

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
