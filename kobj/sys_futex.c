/* The futex calls: wait, wake, requeue, their single-owner variants and get_owner, with
 * Zircon's check order and statuses (FutexContext in kernel/object/futex_context.cc). The table
 * is kobj/futex.c.
 *
 * Atomicity: zx_futex_wait must compare the value and join the queue as one step against every
 * wake, or a mutex built on futexes could miss a wake-up. Zircon takes the futex's lock for
 * that; here the supervisor runs one call at a time, so the value read and the enqueue in
 * sys_futex_wait happen with no other call in between, and a wake that the guest issues after
 * changing the value always finds the waiter queued. */
#include <stdlib.h>
#include <zircon/syscalls/policy.h>

#include "kobj/deadline.h"
#include "kobj/futex.h"
#include "kobj/policy.h"
#include "kobj/share.h"
#include "kobj/sysutil.h"
#include "sys-decls.h"

/* Zircon's ValidateFutexPointer: NULL or misaligned is INVALID_ARGS; whether the memory is
 * there is learnt only by the calls that read the value. */
static bool bad_pointer(zum_uaddr_t p) { return p == 0 || p % sizeof(int32_t) != 0; }

/* The futex context of an address: a shared region's addresses belong to the whole group (its
 * members map the same memory there), every other address to the process alone. Zircon keeps
 * one context for the whole group, keyed by address only; zum keeps members' restricted regions
 * apart, since the same private address holds unrelated memory in each member. */
static const void* context_of(const struct kproc* p, zum_uaddr_t addr) {
  if (p->share && addr >= ZUM_SHARED_BASE) return p->share;
  return p;
}

/* Whether threads of a and b may own each other's futexes: Zircon asks that they share a futex
 * context, i.e. the same process or the same group of shared processes. */
static bool same_context(const struct kproc* a, const struct kproc* b) {
  return a == b || (a->share && a->share == b->share);
}

static bool dying_or_dead(const struct kthread* t) {
  if (t->state == KTHREAD_DYING || t->state == KTHREAD_DEAD) return true;
  return t->proc->state == KPROC_DYING || t->proc->state == KPROC_DEAD;
}

/* Zircon's ValidateFutexOwner, run before the value is read; its status is reported only after
 * the value matched (a BAD_HANDLE must not beat a BAD_STATE, or mutexes with priority
 * inheritance would trip the bad-handle policy in a race). The handle needs no rights. A thread
 * that is dying or dead is accepted, as no owner. */
static zx_status_t owner_lookup(struct kcall* c, zx_handle_t h, struct kthread** out) {
  *out = NULL;
  if (h == ZX_HANDLE_INVALID) return ZX_OK;
  struct khandle* kh = khandle_lookup(kcall_table_of(c), h);
  if (!kh) return ZX_ERR_BAD_HANDLE;
  if (kh->obj->ops->type != ZX_OBJ_TYPE_THREAD) return ZX_ERR_WRONG_TYPE;
  struct kthread* t = to_kthread(kh->obj);
  if (!same_context(t->proc, c->proc) || t->state == KTHREAD_NEW) return ZX_ERR_INVALID_ARGS;
  if (!dying_or_dead(t)) *out = t;
  return ZX_OK;
}

/* The owner's status, now that the value matched; BAD_HANDLE applies the caller's policy. */
static zx_status_t owner_status(struct kcall* c, zx_status_t s) {
  if (s == ZX_ERR_BAD_HANDLE) (void)kpolicy_enforce(c->proc, ZX_POL_BAD_HANDLE);
  return s;
}

static zx_status_t read_value(struct kcall* c, zum_uaddr_t p, int32_t* v) {
  return kcall_copy_in(c, v, p, sizeof(*v)) == ZX_OK ? ZX_OK : ZX_ERR_INVALID_ARGS;
}

/* ---- wait */

struct futex_wait {
  struct kcall* call;
  struct kfutex_waiter waiter;
  struct kdeadline deadline;
};

static void wait_abandon(struct kcall* c);

/* The futex t is blocked in, or NULL (Zircon's blocking_futex_id_): t's parked call, if it is a
 * futex wait. */
static struct kfutex* blocking_futex(const struct kthread* t) {
  const struct kcall* p = t->parked;
  if (!p || p->cancel != wait_abandon) return NULL;
  return ((const struct futex_wait*)p->park_state)->waiter.futex;
}

static void wait_woken(struct kfutex_waiter* fw) {
  struct futex_wait* w = container_of(fw, struct futex_wait, waiter);
  struct kcall* c = w->call;
  kdeadline_cancel(&w->deadline);
  free(w);
  kcall_complete(c, ZX_OK);
}

static void wait_timeout(struct kdeadline* d) {
  struct futex_wait* w = container_of(d, struct futex_wait, deadline);
  struct kcall* c = w->call;
  kfutex_leave(&w->waiter);
  free(w);
  kcall_complete(c, ZX_ERR_TIMED_OUT);
}

/* The waiter's thread or process died (or the call was abandoned): it leaves the queue it is
 * in now, which a requeue may have changed. */
static void wait_abandon(struct kcall* c) {
  struct futex_wait* w = c->park_state;
  kdeadline_cancel(&w->deadline);
  kfutex_leave(&w->waiter);
  free(w);
}

int64_t sys_futex_wait(struct kcall* c, zum_uaddr_t value_ptr, int32_t current_value,
                       zx_handle_t new_futex_owner, zx_instant_mono_t deadline) {
  if (bad_pointer(value_ptr)) return ZX_ERR_INVALID_ARGS;
  struct kthread* owner;
  zx_status_t os = owner_lookup(c, new_futex_owner, &owner);
  int32_t value;
  if (read_value(c, value_ptr, &value) != ZX_OK) return ZX_ERR_INVALID_ARGS;
  if (value != current_value) return ZX_ERR_BAD_STATE;
  if (os != ZX_OK) return owner_status(c, os);
  const void* ctx = context_of(c->proc, value_ptr);
  struct kfutex* f = kfutex_find(ctx, value_ptr);
  if (owner) {
    /* The waiter may not name itself, nor a thread already waiting in this futex. */
    if (owner == c->thread) return ZX_ERR_INVALID_ARGS;
    if (f && blocking_futex(owner) == f) return ZX_ERR_INVALID_ARGS;
  }
  /* A deadline already past still hands the futex over, as Zircon blocks (assigning the owner)
   * and times out at once; with no other waiter the futex then has none. */
  if (deadline <= kobj_now()) {
    if (f) kfutex_set_owner(f, owner);
    return ZX_ERR_TIMED_OUT;
  }
  struct futex_wait* w = calloc(1, sizeof(*w));
  if (!w) return ZX_ERR_NO_MEMORY;
  w->call = c;
  w->waiter.thread = c->thread;
  w->waiter.woken = wait_woken;
  kdeadline_init(&w->deadline, wait_timeout);
  if (deadline != ZX_TIME_INFINITE && !kdeadline_arm(&w->deadline, deadline)) {
    free(w);
    return ZX_ERR_NO_MEMORY;
  }
  if (kfutex_wait(ctx, value_ptr, &w->waiter, owner) != ZX_OK) {
    kdeadline_cancel(&w->deadline);
    free(w);
    return ZX_ERR_NO_MEMORY;
  }
  if (c->thread) c->thread->blocked_state = ZX_THREAD_STATE_BLOCKED_FUTEX;
  return kcall_park(c, wait_abandon, w);
}

/* ---- wake */

static int64_t wake(struct kcall* c, zum_uaddr_t value_ptr, uint32_t count, bool assign_woken) {
  if (bad_pointer(value_ptr)) return ZX_ERR_INVALID_ARGS;
  /* No futex there: nobody to wake and no owner to clear. */
  struct kfutex* f = kfutex_find(context_of(c->proc, value_ptr), value_ptr);
  if (!f) return ZX_OK;
  return kfutex_requeue(f, count, assign_woken, NULL, 0, 0, NULL);
}

/* Wakes wake_count waiters (UINT32_MAX: all); the futex has no owner afterwards, whatever the
 * count. */
int64_t sys_futex_wake(struct kcall* c, zum_uaddr_t value_ptr, uint32_t wake_count) {
  return wake(c, value_ptr, wake_count, false);
}

/* Wakes one waiter, which owns the futex if others still wait. */
int64_t sys_futex_wake_single_owner(struct kcall* c, zum_uaddr_t value_ptr) {
  return wake(c, value_ptr, 1, true);
}

/* ---- requeue */

static int64_t requeue(struct kcall* c, zum_uaddr_t value_ptr, uint32_t wake_count,
                       int32_t current_value, zum_uaddr_t requeue_ptr, uint32_t requeue_count,
                       zx_handle_t new_requeue_owner, bool assign_woken) {
  if (bad_pointer(value_ptr) || bad_pointer(requeue_ptr)) return ZX_ERR_INVALID_ARGS;
  if (value_ptr == requeue_ptr) return ZX_ERR_INVALID_ARGS;
  struct kthread* owner;
  zx_status_t os = owner_lookup(c, new_requeue_owner, &owner);
  int32_t value;
  if (read_value(c, value_ptr, &value) != ZX_OK) return ZX_ERR_INVALID_ARGS;
  if (value != current_value) return ZX_ERR_BAD_STATE;
  if (os != ZX_OK) return owner_status(c, os);
  struct kfutex* from = kfutex_find(context_of(c->proc, value_ptr), value_ptr);
  const void* to_ctx = context_of(c->proc, requeue_ptr);
  struct kfutex* to = kfutex_find(to_ctx, requeue_ptr);
  /* The new owner of the target may not be waiting in either futex. */
  if (owner) {
    struct kfutex* b = blocking_futex(owner);
    if (b && (b == from || b == to)) return ZX_ERR_INVALID_ARGS;
  }
  return kfutex_requeue(from, wake_count, assign_woken, to_ctx, requeue_ptr, requeue_count,
                        owner);
}

int64_t sys_futex_requeue(struct kcall* c, zum_uaddr_t value_ptr, uint32_t wake_count,
                          int32_t current_value, zum_uaddr_t requeue_ptr, uint32_t requeue_count,
                          zx_handle_t new_requeue_owner) {
  return requeue(c, value_ptr, wake_count, current_value, requeue_ptr, requeue_count,
                 new_requeue_owner, false);
}

int64_t sys_futex_requeue_single_owner(struct kcall* c, zum_uaddr_t value_ptr,
                                       int32_t current_value, zum_uaddr_t requeue_ptr,
                                       uint32_t requeue_count, zx_handle_t new_requeue_owner) {
  return requeue(c, value_ptr, 1, current_value, requeue_ptr, requeue_count, new_requeue_owner,
                 true);
}

/* ---- get_owner */

int64_t sys_futex_get_owner(struct kcall* c, zum_uaddr_t value_ptr, zum_uaddr_t koid) {
  if (bad_pointer(value_ptr)) return ZX_ERR_INVALID_ARGS;
  struct kfutex* f = kfutex_find(context_of(c->proc, value_ptr), value_ptr);
  zx_koid_t k = f && f->owner ? f->owner->base.koid : ZX_KOID_INVALID;
  return kcall_copy_out(c, koid, &k, sizeof(k));
}

/* ---- a thread's last calls (abi/vdso/vdso-exit.c) */

/* zx_futex_wake_handle_close_thread_exit, all but the exit: store new_value, wake, close the
 * handle, mark the thread dying (as zx_thread_exit's private call). Zircon traps the thread
 * when a step fails; the vDSO does that on any status but ZX_OK, so a failed step after the
 * store leaves the store and the wake done, as there. */
int64_t sys_futex_wake_thread_exiting(struct kcall* c, zum_uaddr_t value_ptr, uint32_t wake_count,
                                      int32_t new_value, zx_handle_t close_handle) {
  if (bad_pointer(value_ptr)) return ZX_ERR_INVALID_ARGS;
  if (kcall_copy_out(c, value_ptr, &new_value, sizeof(new_value)) != ZX_OK)
    return ZX_ERR_INVALID_ARGS;
  int64_t r = wake(c, value_ptr, wake_count, false);
  if (r != ZX_OK) return r;
  r = sys_handle_close(c, close_handle);
  if (r != ZX_OK) return r;
  return sys_thread_exiting(c);
}

/* zx_vmar_unmap_handle_close_thread_exit's unmap: zx_vmar_unmap without a work block, so the
 * process's agent unmaps (perhaps the caller's own stack) while the caller waits in the trap. */
int64_t sys_vmar_unmap_by_agent(struct kcall* c, zx_handle_t vmar_handle, zx_vaddr_t addr,
                                size_t size) {
  c->work_addr = 0;
  return sys_vmar_unmap(c, vmar_handle, addr, size);
}

/* Its last steps: close the handle, mark the thread dying. */
int64_t sys_handle_close_thread_exiting(struct kcall* c, zx_handle_t close_handle) {
  int64_t r = sys_handle_close(c, close_handle);
  if (r != ZX_OK) return r;
  return sys_thread_exiting(c);
}
