/* task_suspend, task_suspend_token, thread_read_state, thread_write_state (DESIGN.md section 6,
 * "Suspension"). Every check Zircon makes before it suspends is made here in Zircon's order; a
 * thread's suspension is kobj/suspend.c's (a pure process's only), a process's is zum's gap
 * (NOT_SUPPORTED). The thread-state calls read and write the registers a suspended thread's stub
 * reported. */
#include "kobj/suspend.h"
#include "kobj/sysutil.h"
#include "sys-decls.h"

/* Zircon: WRITE on the task; a thread or a process, never the caller's own (NOT_SUPPORTED); a
 * thread or process on its way out is BAD_STATE; anything else (jobs included) WRONG_TYPE. */
static zx_status_t suspend(struct kcall* c, zx_handle_t handle, zum_uaddr_t token) {
  struct kobj* o;
  zx_status_t s = kcall_object(c, handle, ZX_OBJ_TYPE_NONE, ZX_RIGHT_WRITE, &o);
  if (s != ZX_OK) return s;
  switch (o->ops->type) {
    case ZX_OBJ_TYPE_THREAD: {
      struct kthread* t = to_kthread(o);
      if (t == c->thread) return ZX_ERR_NOT_SUPPORTED;
      if (t->state == KTHREAD_DYING || t->state == KTHREAD_DEAD) return ZX_ERR_BAD_STATE;
      struct kobj* k = ksuspend_thread(t, &s);
      if (!k) return s;
      /* A token the caller cannot receive is closed at once: the thread goes on. */
      s = kcall_out_handle(c, k, ZX_DEFAULT_SUSPEND_TOKEN_RIGHTS, token);
      kobj_unref(k);
      return s;
    }
    case ZX_OBJ_TYPE_PROCESS: {
      struct kproc* p = to_kproc(o);
      if (p == c->proc) return ZX_ERR_NOT_SUPPORTED;
      if (p->state == KPROC_DYING || p->state == KPROC_DEAD) return ZX_ERR_BAD_STATE;
      break;
    }
    default:
      return ZX_ERR_WRONG_TYPE;
  }
  /* zum's gap: a process's threads, present and future, are not suspended together. */
  return ZX_ERR_NOT_SUPPORTED;
}

int64_t sys_task_suspend(struct kcall* c, zx_handle_t handle, zum_uaddr_t token) {
  return suspend(c, handle, token);
}

int64_t sys_task_suspend_token(struct kcall* c, zx_handle_t handle, zum_uaddr_t token) {
  return suspend(c, handle, token);
}

/* The thread behind `handle` if it is suspended (its registers reported), else BAD_STATE, as
 * Zircon answers for a thread neither suspended nor in an exception (there are no exceptions
 * yet). Zircon checks the handle (READ to read, WRITE to write, a thread) first. */
static zx_status_t suspended_thread(struct kcall* c, zx_handle_t handle, zx_rights_t rights,
                                    struct kthread** out) {
  struct kobj* o;
  zx_status_t s = kcall_object(c, handle, ZX_OBJ_TYPE_THREAD, rights, &o);
  if (s != ZX_OK) return s;
  struct kthread* t = to_kthread(o);
  if (!t->suspended_call) return ZX_ERR_BAD_STATE;
  *out = t;
  return ZX_OK;
}

/* The topics Zircon has on x86-64 that zum cannot give: the stub reports only the general
 * registers (FP, vector and debug registers and single-stepping are zum's gap). */
static bool topic_unsupported(uint32_t kind) {
  return kind == ZX_THREAD_STATE_FP_REGS || kind == ZX_THREAD_STATE_VECTOR_REGS ||
         kind == ZX_THREAD_STATE_DEBUG_REGS || kind == ZX_THREAD_STATE_SINGLE_STEP;
}

int64_t sys_thread_read_state(struct kcall* c, zx_handle_t handle, uint32_t kind,
                              zum_uaddr_t buffer, size_t buffer_size) {
  struct kthread* t;
  zx_status_t s = suspended_thread(c, handle, ZX_RIGHT_READ, &t);
  if (s != ZX_OK) return s;
  if (topic_unsupported(kind)) return ZX_ERR_NOT_SUPPORTED;
  if (kind != ZX_THREAD_STATE_GENERAL_REGS) return ZX_ERR_INVALID_ARGS;
  if (buffer_size < sizeof(t->regs)) return ZX_ERR_BUFFER_TOO_SMALL;
  return kcall_copy_out(c, buffer, &t->regs, sizeof(t->regs));
}

/* The rflags a thread may change: Zircon's x86-64 set (CF PF AF ZF SF TF DF OF NT AC) without
 * TF, as single-stepping is not done (a trap would be reported as a fault). */
#define USER_RFLAGS 0x44cd5ull

int64_t sys_thread_write_state(struct kcall* c, zx_handle_t handle, uint32_t kind,
                               zum_uaddr_t buffer, size_t buffer_size) {
  struct kthread* t;
  zx_status_t s = suspended_thread(c, handle, ZX_RIGHT_WRITE, &t);
  if (s != ZX_OK) return s;
  if (topic_unsupported(kind)) return ZX_ERR_NOT_SUPPORTED;
  if (kind != ZX_THREAD_STATE_GENERAL_REGS) return ZX_ERR_INVALID_ARGS;
  if (buffer_size < sizeof(t->regs)) return ZX_ERR_BUFFER_TOO_SMALL;
  zx_thread_state_general_regs_t r;
  s = kcall_copy_in(c, &r, buffer, sizeof(r));
  if (s != ZX_OK) return s;
  r.rflags = (t->regs.rflags & ~USER_RFLAGS) | (r.rflags & USER_RFLAGS);
  t->regs = r;
  return ZX_OK;
}
