/* Timers, after Zircon's TimerDispatcher (object/timer_dispatcher.cc). */
#include "kobj/timer.h"

#include <stdlib.h>
#include <string.h>

#include "kobj/deadline.h"

struct ktimer {
  struct kobj base;
  uint32_t options; /* slack mode */
  zx_clock_t clock_id;
  int64_t deadline; /* in clock_id's time; 0 when not armed */
  int64_t slack;
  struct kdeadline fire;
};

static struct ktimer* to_ktimer(struct kobj* o) { return (struct ktimer*)o; }

static int64_t clock_now(const struct ktimer* t) {
  return t->clock_id == ZX_CLOCK_BOOT ? kobj_boot_now() : kobj_now();
}

static void timer_fire(struct kdeadline* d) {
  struct ktimer* t = container_of(d, struct ktimer, fire);
  t->deadline = 0;
  t->slack = 0;
  kobj_signal(&t->base, 0, ZX_TIMER_SIGNALED);
}

/* Zircon's CancelTimerLocked: always clears the signal, then disarms. */
static void timer_disarm(struct ktimer* t) {
  kobj_signal(&t->base, ZX_TIMER_SIGNALED, 0);
  kdeadline_cancel(&t->fire);
  t->deadline = 0;
  t->slack = 0;
}

zx_status_t ktimer_set(struct kobj* timer, zx_instant_mono_t deadline, zx_duration_mono_t slack) {
  struct ktimer* t = to_ktimer(timer);
  timer_disarm(t);
  int64_t now = clock_now(t);
  if (deadline == 0 || deadline <= now) {
    /* Already due: signal without arming (the reported deadline stays 0, as in Zircon). */
    kobj_signal(&t->base, 0, ZX_TIMER_SIGNALED);
    return ZX_OK;
  }
  /* The slack (and its mode) would let Zircon coalesce the timer within [deadline - slack,
   * deadline + slack]; zum fires at the deadline, which every mode allows. */
  if (deadline != ZX_TIME_INFINITE) {
    int64_t when = deadline;
    if (t->clock_id == ZX_CLOCK_BOOT) {
      /* Armed on the monotonic heap: the boot deadline minus boot's current lead. Time the host
       * spends suspended from now on delays the timer by as much. */
      int64_t mono = kobj_now();
      int64_t ahead = deadline - now; /* > 0 */
      when = mono > INT64_MAX - ahead ? INT64_MAX : mono + ahead;
    }
    if (!kdeadline_arm(&t->fire, when)) return ZX_ERR_NO_MEMORY;
  }
  t->deadline = deadline;
  t->slack = slack;
  return ZX_OK;
}

void ktimer_cancel(struct kobj* timer) { timer_disarm(to_ktimer(timer)); }

void ktimer_get_info(struct kobj* timer, zx_info_timer_t* out) {
  struct ktimer* t = to_ktimer(timer);
  memset(out, 0, sizeof(*out));
  out->options = t->options;
  out->clock_id = t->clock_id;
  out->deadline = t->deadline;
  out->slack = t->slack;
}

/* No handle can set it again: disarm (the object may live on through other references). */
static void timer_zero_handles(struct kobj* o) { timer_disarm(to_ktimer(o)); }

static void timer_destroy(struct kobj* o) {
  kdeadline_cancel(&to_ktimer(o)->fire);
  free(o);
}

const struct kobj_ops ktimer_ops = {
    .type = ZX_OBJ_TYPE_TIMER,
    .name = "timer",
    .default_rights = ZX_DEFAULT_TIMER_RIGHTS,
    .allowed_signals = 0, /* user signals only: ZX_TIMER_SIGNALED belongs to the timer */
    .on_zero_handles = timer_zero_handles,
    .destroy = timer_destroy,
};

struct kobj* ktimer_create(uint32_t options, zx_clock_t clock_id) {
  struct ktimer* t = calloc(1, sizeof(*t));
  if (!t) return NULL;
  kobj_init(&t->base, &ktimer_ops, 0);
  t->options = options;
  t->clock_id = clock_id;
  kdeadline_init(&t->fire, timer_fire);
  return &t->base;
}
