/* Clock objects: a synthetic timeline defined as an affine function of the monotonic or boot
 * timeline, set and slewed by zx_clock_update. */
#ifndef ZUM_KOBJ_CLOCK_H_
#define ZUM_KOBJ_CLOCK_H_

#include <zircon/syscalls/clock.h>

#include "kobj/object.h"

/* y = b + (x - a) * num / den, saturating. */
struct kaffine {
  int64_t a, b;
  uint32_t num, den;
};

struct kclock {
  struct kobj base;
  uint64_t options;
  int64_t backstop;
  bool started;
  struct kaffine ticks_to_synthetic, ref_to_synthetic;
  int32_t ppm;
  uint64_t error_bound;
  int64_t last_value_update, last_rate_update, last_error_update; /* ticks */
  uint32_t generation;
};

extern const struct kobj_ops kclock_ops;

static inline struct kclock* to_kclock(struct kobj* o) { return (struct kclock*)o; }

int64_t kaffine_apply(const struct kaffine* t, int64_t x);

/* options without the argument version; statuses as ClockDispatcher::Create. */
zx_status_t kclock_create(uint64_t options, int64_t backstop, struct kobj** out);
int64_t kclock_read(const struct kclock* c);
void kclock_details(const struct kclock* c, zx_clock_details_v1_t* d);
/* An update with v2's fields (v1 has no reference value: v2 false there). options without the
 * version. */
zx_status_t kclock_update(struct kclock* c, uint64_t options, bool v2, int32_t rate_adjust,
                          int64_t synthetic, int64_t reference, uint64_t error_bound);

#endif
