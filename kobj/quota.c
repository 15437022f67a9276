/* Per-job accounting of the supervisor's scarce resources (see kobj/quota.h). */
#include "kobj/quota.h"

#include "kobj/handle.h"
#include "kobj/task.h"

struct kquota_limits kquota_limits = {
    .total = {UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX},
    .job = {UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX},
};
struct platform_costs kquota_costs;

const char* const kquota_names[KRES_COUNT] = {"fds", "procs", "mem", "handles"};

void kquota_configure(const struct kquota_options* o) {
  static const struct kquota_options none;
  if (!o) o = &none;
  kquota_costs = platform->costs ? *platform->costs : (struct platform_costs){0, 0, 0};
  uint64_t budget = platform->fd_budget ? platform->fd_budget() : UINT64_MAX;
  const uint64_t defaults[KRES_COUNT] = {budget, KQUOTA_DEFAULT_PROCS, KQUOTA_DEFAULT_MEM,
                                         KHANDLE_ARENA_SIZE - KHANDLE_ARENA_SIZE / 16};
  for (int r = 0; r < KRES_COUNT; r++) {
    uint64_t total = o->total[r] ? o->total[r] : defaults[r];
    if (r == KRES_FDS && total > budget) total = budget;
    kquota_limits.total[r] = total;
    kquota_limits.job[r] = o->job[r] ? o->job[r] : total == UINT64_MAX ? UINT64_MAX : total / 2;
  }
}

bool kquota_capped(const struct kjob* j) { return j->parent && j->parent->parent; }

static uint64_t limit_of(const struct kjob* j, enum kres r) {
  if (!j->parent) return kquota_limits.total[r];
  return kquota_capped(j) ? kquota_limits.job[r] : UINT64_MAX;
}

zx_status_t kquota_charge(struct kjob* j, enum kres r, uint64_t n) {
  if (!j || n == 0) return ZX_OK;
  for (const struct kjob* a = j; a; a = a->parent) {
    uint64_t limit = limit_of(a, r);
    if (a->quota_used[r] > limit || n > limit - a->quota_used[r])
      return r == KRES_MEM ? ZX_ERR_NO_MEMORY : ZX_ERR_NO_RESOURCES;
  }
  for (struct kjob* a = j; a; a = a->parent) a->quota_used[r] += n;
  return ZX_OK;
}

void kquota_release(struct kjob* j, enum kres r, uint64_t n) {
  if (!j) return;
  for (struct kjob* a = j; a; a = a->parent) a->quota_used[r] -= n;
}

uint64_t kquota_used(const struct kjob* j, enum kres r) { return j->quota_used[r]; }
