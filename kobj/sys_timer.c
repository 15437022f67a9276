/* Timer syscalls, with the checks in the order of Zircon's lib/syscalls/timer.cc. */
#include "kobj/sysutil.h"
#include "kobj/timer.h"
#include "sys-decls.h"

int64_t sys_timer_create(struct kcall* c, uint32_t options, zx_clock_t clock_id, zum_uaddr_t out) {
  /* Both of Zircon's timer clocks: monotonic (CLOCK_MONOTONIC) and boot (CLOCK_BOOTTIME). */
  if (clock_id != ZX_CLOCK_MONOTONIC && clock_id != ZX_CLOCK_BOOT) return ZX_ERR_INVALID_ARGS;
  /* Zircon checks the ZX_POL_NEW_TIMER job policy here, between the clock and the options. */
  int64_t pol = kpolicy_enforce(c->proc, ZX_POL_NEW_TIMER);
  if (pol != ZX_OK) return pol;
  if (options != ZX_TIMER_SLACK_CENTER && options != ZX_TIMER_SLACK_EARLY &&
      options != ZX_TIMER_SLACK_LATE)
    return ZX_ERR_INVALID_ARGS;
  struct kobj* o = ktimer_create(options, clock_id);
  if (!o) return ZX_ERR_NO_MEMORY;
  zx_status_t s = kcall_out_handle(c, o, ZX_DEFAULT_TIMER_RIGHTS, out);
  kobj_unref(o);
  return s;
}

int64_t sys_timer_set(struct kcall* c, zx_handle_t handle, zx_instant_mono_t deadline,
                      zx_duration_mono_t slack) {
  /* Before the handle is looked at. */
  if (slack < 0) return ZX_ERR_OUT_OF_RANGE;
  struct kobj* o;
  zx_status_t s = kcall_object(c, handle, ZX_OBJ_TYPE_TIMER, ZX_RIGHT_WRITE, &o);
  if (s != ZX_OK) return s;
  /* Zircon raises the slack to the caller's timer slack policy (ZX_JOB_POL_TIMER_SLACK). */
  zx_duration_t min_slack = kpolicy_timer_slack(c->proc);
  return ktimer_set(o, deadline, slack > min_slack ? slack : min_slack);
}

int64_t sys_timer_cancel(struct kcall* c, zx_handle_t handle) {
  struct kobj* o;
  zx_status_t s = kcall_object(c, handle, ZX_OBJ_TYPE_TIMER, ZX_RIGHT_WRITE, &o);
  if (s != ZX_OK) return s;
  ktimer_cancel(o);
  return ZX_OK;
}
