/* Clocks as Zircon's ClockDispatcher has them (newer trees: a monotonic or boot reference,
 * ZX_CLOCK_UPDATED pulsed on every update). zum's ticks are nanoseconds of the reference
 * timeline (zx_ticks_per_second is 1e9), so ticks and reference time share one transform. */
#include "kobj/clock.h"

#include <stdlib.h>
#include <string.h>

static void clock_destroy(struct kobj* o) { free(o); }

const struct kobj_ops kclock_ops = {
    .type = ZX_OBJ_TYPE_CLOCK,
    .name = "clock",
    .default_rights = ZX_DEFAULT_CLOCK_RIGHTS,
    .allowed_signals = 0, /* user signals only */
    .destroy = clock_destroy,
};

int64_t kaffine_apply(const struct kaffine* t, int64_t x) {
  __int128 y = (__int128)t->b + ((__int128)x - t->a) * t->num / t->den;
  if (y > INT64_MAX) return INT64_MAX;
  if (y < INT64_MIN) return INT64_MIN;
  return (int64_t)y;
}

static uint32_t gcd32(uint32_t a, uint32_t b) {
  while (b) {
    uint32_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}

static bool is_boot(const struct kclock* c) { return c->options & ZX_CLOCK_OPT_BOOT; }
static int64_t ref_now(bool boot) { return boot ? kobj_boot_now() : kobj_now(); }

zx_status_t kclock_create(uint64_t options, int64_t backstop, struct kobj** out) {
  if (options & ~ZX_CLOCK_OPTS_ALL) return ZX_ERR_INVALID_ARGS;
  /* A continuous clock must also be monotonic. */
  if ((options & ZX_CLOCK_OPT_CONTINUOUS) && !(options & ZX_CLOCK_OPT_MONOTONIC))
    return ZX_ERR_INVALID_ARGS;
  /* An auto-started clock begins as its reference timeline, so its backstop cannot be later. */
  int64_t now = ref_now(options & ZX_CLOCK_OPT_BOOT);
  if (((options & ZX_CLOCK_OPT_AUTO_START) && backstop > now) || backstop < 0)
    return ZX_ERR_INVALID_ARGS;
  struct kclock* c = calloc(1, sizeof(*c));
  if (!c) return ZX_ERR_NO_MEMORY;
  c->options = options;
  c->backstop = backstop;
  c->error_bound = ZX_CLOCK_UNKNOWN_ERROR;
  if (options & ZX_CLOCK_OPT_AUTO_START) {
    c->started = true;
    c->ticks_to_synthetic = (struct kaffine){0, 0, 1, 1};
    c->ref_to_synthetic = (struct kaffine){0, 0, 1, 1};
    c->last_value_update = c->last_rate_update = now;
  } else {
    /* Stopped: every reading is the backstop. */
    c->ticks_to_synthetic = (struct kaffine){0, backstop, 0, 1};
    c->ref_to_synthetic = (struct kaffine){0, backstop, 0, 1};
  }
  kobj_init(&c->base, &kclock_ops, c->started ? ZX_CLOCK_STARTED : 0);
  *out = &c->base;
  return ZX_OK;
}

int64_t kclock_read(const struct kclock* c) {
  return kaffine_apply(&c->ticks_to_synthetic, ref_now(is_boot(c)));
}

static zx_clock_transformation_t copy_transform(const struct kaffine* t) {
  return (zx_clock_transformation_t){t->a, t->b, {t->num, t->den}};
}

void kclock_details(const struct kclock* c, zx_clock_details_v1_t* d) {
  memset(d, 0, sizeof(*d));
  d->options = c->options;
  d->backstop_time = c->backstop;
  d->reference_ticks_to_synthetic = copy_transform(&c->ticks_to_synthetic);
  d->reference_to_synthetic = copy_transform(&c->ref_to_synthetic);
  d->error_bound = c->error_bound;
  d->query_ticks = ref_now(is_boot(c));
  d->last_value_update_ticks = c->last_value_update;
  d->last_rate_adjust_update_ticks = c->last_rate_update;
  d->last_error_bounds_update_ticks = c->last_error_update;
  d->generation_counter = c->generation;
}

zx_status_t kclock_update(struct kclock* c, uint64_t options, bool v2, int32_t rate_adjust,
                          int64_t synthetic, int64_t reference, uint64_t error_bound) {
  bool do_set = options & ZX_CLOCK_UPDATE_OPTION_SYNTHETIC_VALUE_VALID;
  bool do_rate = options & ZX_CLOCK_UPDATE_OPTION_RATE_ADJUST_VALID;
  bool ref_valid = options & ZX_CLOCK_UPDATE_OPTION_REFERENCE_VALUE_VALID;
  /* v1 has no reference value; in v2 it goes only with a set or a rate change. */
  if (!v2 && ref_valid) return ZX_ERR_INVALID_ARGS;
  if (v2 && ref_valid && !do_set && !do_rate) return ZX_ERR_INVALID_ARGS;
  /* The first update starts the clock, and must set it. */
  if (!do_set && !c->started) return ZX_ERR_BAD_STATE;
  /* A continuous clock is set once: when it starts. */
  bool monotonic = c->options & ZX_CLOCK_OPT_MONOTONIC;
  if (do_set && (c->options & ZX_CLOCK_OPT_CONTINUOUS) && c->started) return ZX_ERR_INVALID_ARGS;
  if (v2 && c->started && monotonic) {
    /* v2 sets of a running monotonic clock name their reference time, and neither a set nor an
     * explicit reference time goes with a rate change there. */
    if (do_set && !ref_valid) return ZX_ERR_INVALID_ARGS;
    if ((do_set || ref_valid) && do_rate) return ZX_ERR_INVALID_ARGS;
  }
  struct kaffine t2s = c->ticks_to_synthetic, m2s = c->ref_to_synthetic;
  int64_t now = ref_now(is_boot(c));
  /* Nothing to recompute for a rate-only change to the rate already in use. */
  bool skip = !do_set && (!do_rate || (!ref_valid && rate_adjust == c->ppm));
  if (!skip) {
    int64_t ref = ref_valid ? reference : now;
    int64_t target = do_set ? synthetic
                            : (ref_valid ? kaffine_apply(&m2s, ref) : kaffine_apply(&t2s, ref));
    uint32_t m_num, m_den, t_num, t_den;
    if (do_rate) {
      m_num = (uint32_t)(1000000 + rate_adjust);
      m_den = 1000000;
      /* ticks_to_reference is 1/1 here, so the product is the rate, reduced as affine::Ratio's
       * product is. */
      uint32_t g = gcd32(m_num, m_den);
      t_num = m_num / g;
      t_den = m_den / g;
    } else if (c->started) {
      m_num = m2s.num, m_den = m2s.den, t_num = t2s.num, t_den = t2s.den;
    } else {
      m_num = m_den = t_num = t_den = 1;
    }
    struct kaffine old_t2s = t2s;
    m2s = (struct kaffine){ref, target, m_num, m_den};
    t2s = (struct kaffine){ref, target, t_num, t_den};
    /* A monotonic clock never goes back, and no clock goes before its backstop. */
    int64_t synth_now = kaffine_apply(&t2s, now);
    if (monotonic && synth_now < kaffine_apply(&old_t2s, now)) return ZX_ERR_INVALID_ARGS;
    if (synth_now < c->backstop) return ZX_ERR_INVALID_ARGS;
  }
  bool starting = !c->started;
  if (do_set) c->last_value_update = now;
  if (do_rate || starting) {
    c->last_rate_update = now;
    c->ppm = do_rate ? rate_adjust : 0;
  }
  if (options & ZX_CLOCK_UPDATE_OPTION_ERROR_BOUND_VALID) {
    c->last_error_update = now;
    c->error_bound = error_bound;
  }
  c->ticks_to_synthetic = t2s;
  c->ref_to_synthetic = m2s;
  c->generation++;
  c->started = true;
  kobj_signal_pulse(&c->base, 0, starting ? ZX_CLOCK_STARTED : 0, ZX_CLOCK_UPDATED);
  return ZX_OK;
}
