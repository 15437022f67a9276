/* One Zircon call in flight: who made it, its arguments, and how to answer it. The transport
 * (platform_transport, host/platform.h) fills it in, kobj/ runs it. A call that cannot finish now is parked: its handler
 * returns KCALL_PARKED, keeps the kcall, and later calls kcall_complete(). */
#ifndef ZUM_KOBJ_KCALL_H_
#define ZUM_KOBJ_KCALL_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zircon/types.h>
#include <zum/abi-private.h>

#include "host/platform.h"

#define KCALL_PARKED INT64_MIN
/* The handler ended the caller (process_exit): nothing is sent back; the transport frees c. */
#define KCALL_NOREPLY (INT64_MIN + 1)

struct kcall;
struct kproc;
struct kthread;

struct kcall {
  /* Who answers the call (platform_transport), and its reference for it: the transport sets
   * both when it makes the call; hooks acting for the call get `ref`. */
  const struct platform_transport* transport;
  struct platform_call* ref;
  struct kproc* proc;
  struct kthread* thread;
  uint64_t id;      /* the transport's request id */
  uint32_t nr;      /* index into kcall_table */
  uint64_t args[8];
  uint64_t regs[6]; /* the registers as trapped, before arguments 7-8 were fetched */
  /* The trap's tag (kobj/restart.h): the same for a restart of one call, new for each call. */
  uint64_t tag;
  bool tagged; /* the tag was read (a call whose block cannot be read has none) */
  /* Its thread's ZX_THREAD_STATE_BLOCKED_* while a signal handler interrupted it (kept here so
   * the restart that adopts it blocks the thread again, kobj/restart.c). */
  uint32_t blocked_state;
  int64_t result;
  int64_t start_ns; /* for tracing */
  /* W calls: the guest address of the caller's work block (0 if none). */
  zum_uaddr_t work_addr;
  /* While parked: how to abandon the wait when the caller dies or is killed. */
  void (*cancel)(struct kcall* c);
  void* park_state;
};

/* Copies between guest memory and the supervisor. Any failure (unmapped, protected, NULL) is
 * ZX_ERR_INVALID_ARGS, as a faulting user copy is in Zircon. */
zx_status_t kcall_copy_in(struct kcall* c, void* dst, zum_uaddr_t src, size_t len);
zx_status_t kcall_copy_out(struct kcall* c, zum_uaddr_t dst, const void* src, size_t len);

/* Parks c: the handler returns KCALL_PARKED right after. `cancel` undoes the wait's
 * registrations (it must not complete c). */
int64_t kcall_park(struct kcall* c, void (*cancel)(struct kcall*), void* state);
/* Finishes a parked call with `result`. */
void kcall_complete(struct kcall* c, int64_t result);
/* Runs a parked call's handler again from its start (its arguments are kept), and completes
 * it unless it parks again: for a call parked before it changed anything (kproc_caps_wait). */
void kcall_rerun(struct kcall* c);
/* Abandons a parked call (its thread is gone): runs its cancel hook, no reply. */
void kcall_abandon(struct kcall* c);

#endif
