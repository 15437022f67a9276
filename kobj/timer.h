/* Timers: an object that asserts ZX_TIMER_SIGNALED when its deadline passes (Zircon's
 * TimerDispatcher). The deadline is kept in the timer's clock (monotonic or boot) and armed on
 * the kernel side's deadline heap (kobj/deadline.h, monotonic). */
#ifndef ZUM_KOBJ_TIMER_H_
#define ZUM_KOBJ_TIMER_H_

#include <zircon/syscalls/object.h>
#include <zircon/types.h>

#include "kobj/object.h"

extern const struct kobj_ops ktimer_ops;

/* A new timer (options = slack mode and clock already checked) with one reference, or NULL. */
struct kobj* ktimer_create(uint32_t options, zx_clock_t clock_id);

/* zx_timer_set: cancels, then signals now if the deadline is 0 or not in the future, else arms
 * it. Slack is recorded (ZX_INFO_TIMER) but zum fires at the deadline itself. */
zx_status_t ktimer_set(struct kobj* timer, zx_instant_mono_t deadline, zx_duration_mono_t slack);
/* zx_timer_cancel: disarms and clears ZX_TIMER_SIGNALED. */
void ktimer_cancel(struct kobj* timer);

/* Fills the ZX_INFO_TIMER record of a timer object (o->ops == &ktimer_ops): options, clock_id,
 * the pending deadline and slack (both 0 when the timer is not armed). */
void ktimer_get_info(struct kobj* timer, zx_info_timer_t* out);

#endif
