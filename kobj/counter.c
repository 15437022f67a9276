/* Counters (newer Zircon's CounterDispatcher): a signed 64-bit value with POSITIVE and
 * NON_POSITIVE following its sign, and SIGNALED left to the user, as an event's. */
#include <stdlib.h>

#include "kobj/sysutil.h"
#include "sys-decls.h"

struct kcounter {
  struct kobj base;
  int64_t value;
};

static void counter_destroy(struct kobj* o) { free(o); }

static const struct kobj_ops kcounter_ops = {
    .type = ZX_OBJ_TYPE_COUNTER,
    .name = "counter",
    .default_rights = ZX_DEFAULT_COUNTER_RIGHTS,
    .allowed_signals = ZX_COUNTER_SIGNALED,
    .destroy = counter_destroy,
};

/* The sign signals change only when the sign does. */
static void set_value(struct kcounter* k, int64_t v) {
  int64_t old = k->value;
  k->value = v;
  if (old <= 0 && v > 0) kobj_signal(&k->base, ZX_COUNTER_NON_POSITIVE, ZX_COUNTER_POSITIVE);
  else if (old > 0 && v <= 0) kobj_signal(&k->base, ZX_COUNTER_POSITIVE, ZX_COUNTER_NON_POSITIVE);
}

int64_t sys_counter_create(struct kcall* c, uint32_t options, zum_uaddr_t out) {
  /* Zircon has no ZX_POL_NEW_COUNTER yet, so no policy is asked. */
  if (options != 0) return ZX_ERR_INVALID_ARGS;
  struct kcounter* k = calloc(1, sizeof(*k));
  if (!k) return ZX_ERR_NO_MEMORY;
  kobj_init(&k->base, &kcounter_ops, ZX_COUNTER_NON_POSITIVE);
  zx_status_t s = kcall_out_handle(c, &k->base, ZX_DEFAULT_COUNTER_RIGHTS, out);
  kobj_unref(&k->base);
  return s;
}

int64_t sys_counter_add(struct kcall* c, zx_handle_t handle, int64_t value) {
  /* READ as well as WRITE: the status and the signals tell the value. */
  struct kobj* o;
  zx_status_t s = kcall_object(c, handle, ZX_OBJ_TYPE_COUNTER, ZX_RIGHT_READ | ZX_RIGHT_WRITE, &o);
  if (s != ZX_OK) return s;
  struct kcounter* k = (struct kcounter*)o;
  int64_t v;
  if (__builtin_add_overflow(k->value, value, &v)) return ZX_ERR_OUT_OF_RANGE;
  set_value(k, v);
  return ZX_OK;
}

int64_t sys_counter_read(struct kcall* c, zx_handle_t handle, zum_uaddr_t out) {
  struct kobj* o;
  zx_status_t s = kcall_object(c, handle, ZX_OBJ_TYPE_COUNTER, ZX_RIGHT_READ, &o);
  if (s != ZX_OK) return s;
  int64_t v = ((struct kcounter*)o)->value;
  return kcall_copy_out(c, out, &v, sizeof(v)) == ZX_OK ? ZX_OK : ZX_ERR_INVALID_ARGS;
}

int64_t sys_counter_write(struct kcall* c, zx_handle_t handle, int64_t value) {
  struct kobj* o;
  zx_status_t s = kcall_object(c, handle, ZX_OBJ_TYPE_COUNTER, ZX_RIGHT_WRITE, &o);
  if (s != ZX_OK) return s;
  set_value((struct kcounter*)o, value);
  return ZX_OK;
}
