/* Placeholder until the timer implementation lands (owned by the port/timer work). */
#include "kobj/sysutil.h"
#include "sys-decls.h"

int64_t sys_timer_create(struct kcall* c, uint32_t options, zx_clock_t clock_id, zum_uaddr_t out) { return ZX_ERR_NOT_SUPPORTED; }
int64_t sys_timer_set(struct kcall* c, zx_handle_t handle, zx_instant_mono_t deadline, zx_duration_mono_t slack) { return ZX_ERR_NOT_SUPPORTED; }
int64_t sys_timer_cancel(struct kcall* c, zx_handle_t handle) { return ZX_ERR_NOT_SUPPORTED; }
