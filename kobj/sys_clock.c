/* The clock calls, with Zircon's check order (lib/syscalls/clock.cc), and older Zircon's
 * zx_clock_get, which Fuchsia SDKs of 2020 import. */
#include <string.h>
#include <zircon/syscalls/clock.h>

#include "kobj/clock.h"
#include "kobj/sysutil.h"
#include "sys-decls.h"

static uint64_t args_version(uint64_t options) {
  return (options & ZX_CLOCK_ARGS_VERSION_MASK) >> ZX_CLOCK_ARGS_VERSION_SHIFT;
}

int64_t sys_clock_create(struct kcall* c, uint64_t options, zum_uaddr_t args, zum_uaddr_t out) {
  zx_clock_create_args_v1_t a = {0};
  switch (args_version(options)) {
    case 0: /* the defaults: no structure */
      if (args) return ZX_ERR_INVALID_ARGS;
      break;
    case 1:
      if (kcall_copy_in(c, &a, args, sizeof(a)) != ZX_OK) return ZX_ERR_INVALID_ARGS;
      break;
    default:
      return ZX_ERR_INVALID_ARGS;
  }
  options &= ~ZX_CLOCK_ARGS_VERSION_MASK;
  struct kobj* o;
  zx_status_t s = kclock_create(options, a.backstop_time, &o);
  if (s != ZX_OK) return s;
  /* A mappable clock's handle also has MAP (zx_vmar_map_clock is not in zum yet). */
  zx_rights_t rights = ZX_DEFAULT_CLOCK_RIGHTS | ((options & ZX_CLOCK_OPT_MAPPABLE) ? ZX_RIGHT_MAP : 0);
  s = kcall_out_handle(c, o, rights, out);
  kobj_unref(o);
  return s;
}

int64_t sys_clock_read(struct kcall* c, zx_handle_t handle, zum_uaddr_t now) {
  struct kobj* o;
  zx_status_t s = kcall_object(c, handle, ZX_OBJ_TYPE_CLOCK, ZX_RIGHT_READ, &o);
  if (s != ZX_OK) return s;
  int64_t v = kclock_read(to_kclock(o));
  return kcall_copy_out(c, now, &v, sizeof(v)) == ZX_OK ? ZX_OK : ZX_ERR_INVALID_ARGS;
}

int64_t sys_clock_get_details(struct kcall* c, zx_handle_t handle, uint64_t options,
                              zum_uaddr_t details) {
  /* Version 1 is the only structure, and it is not optional. */
  if (options != ZX_CLOCK_ARGS_VERSION(1) || !details) return ZX_ERR_INVALID_ARGS;
  struct kobj* o;
  zx_status_t s = kcall_object(c, handle, ZX_OBJ_TYPE_CLOCK, ZX_RIGHT_READ, &o);
  if (s != ZX_OK) return s;
  zx_clock_details_v1_t d;
  kclock_details(to_kclock(o), &d);
  return kcall_copy_out(c, details, &d, sizeof(d)) == ZX_OK ? ZX_OK : ZX_ERR_INVALID_ARGS;
}

int64_t sys_clock_update(struct kcall* c, zx_handle_t handle, uint64_t options,
                         zum_uaddr_t args) {
  if (!args) return ZX_ERR_INVALID_ARGS;
  uint64_t version = args_version(options);
  int32_t rate;
  int64_t synthetic, reference = 0;
  uint64_t error_bound;
  if (version == 1) {
    zx_clock_update_args_v1_t a;
    if (kcall_copy_in(c, &a, args, sizeof(a)) != ZX_OK) return ZX_ERR_INVALID_ARGS;
    rate = a.rate_adjust, synthetic = a.value, error_bound = a.error_bound;
  } else if (version == 2) {
    zx_clock_update_args_v2_t a;
    if (kcall_copy_in(c, &a, args, sizeof(a)) != ZX_OK) return ZX_ERR_INVALID_ARGS;
    rate = a.rate_adjust, synthetic = a.synthetic_value, reference = a.reference_value;
    error_bound = a.error_bound;
  } else {
    return ZX_ERR_INVALID_ARGS;
  }
  /* Only known options, at least one of them, and a rate within range: before the handle. */
  options &= ~ZX_CLOCK_ARGS_VERSION_MASK;
  if ((options & ~ZX_CLOCK_UPDATE_OPTIONS_ALL) || !(options & ZX_CLOCK_UPDATE_OPTIONS_ALL))
    return ZX_ERR_INVALID_ARGS;
  if ((options & ZX_CLOCK_UPDATE_OPTION_RATE_ADJUST_VALID) &&
      (rate < ZX_CLOCK_UPDATE_MIN_RATE_ADJUST || rate > ZX_CLOCK_UPDATE_MAX_RATE_ADJUST))
    return ZX_ERR_INVALID_ARGS;
  struct kobj* o;
  zx_status_t s = kcall_object(c, handle, ZX_OBJ_TYPE_CLOCK, ZX_RIGHT_WRITE, &o);
  if (s != ZX_OK) return s;
  return kclock_update(to_kclock(o), options, version == 2, rate, synthetic, reference,
                       error_bound);
}

int64_t sys_clock_get(struct kcall* c, zx_clock_t clock_id, zum_uaddr_t out) {
  int64_t t;
  switch (clock_id) {
    case ZX_CLOCK_MONOTONIC:
      t = kobj_now();
      break;
    case ZX_CLOCK_UTC:
      t = platform->utc_now ? platform->utc_now() : kobj_now();
      break;
    case ZX_CLOCK_THREAD: {
      /* The calling thread's running time, as the host counts it. */
      struct platform_thread_info hi;
      memset(&hi, 0, sizeof(hi));
      struct kproc* p = c->proc;
      t = 0;
      if (c->thread && p->host_ops && p->host_ops->thread_info &&
          p->host_ops->thread_info(p->host, c->thread->tid, &hi) == 0)
        t = hi.runtime_ns;
      break;
    }
    default:
      return ZX_ERR_INVALID_ARGS;
  }
  return kcall_copy_out(c, out, &t, sizeof(t)) == ZX_OK ? ZX_OK : ZX_ERR_INVALID_ARGS;
}
