/* object_signal and object_signal_peer. */
#include "kobj/sysutil.h"
#include "sys-decls.h"

static zx_status_t user_signal(struct kobj* o, zx_signals_t clear, zx_signals_t set) {
  if (o->ops->not_waitable) return ZX_ERR_NOT_SUPPORTED;
  zx_signals_t allowed = ZX_USER_SIGNAL_ALL | o->ops->allowed_signals;
  if ((set & ~allowed) || (clear & ~allowed)) return ZX_ERR_INVALID_ARGS;
  kobj_signal(o, clear, set);
  return ZX_OK;
}

int64_t sys_object_signal(struct kcall* c, zx_handle_t handle, zx_signals_t clear_mask,
                          zx_signals_t set_mask) {
  struct kobj* o;
  zx_status_t s = kcall_object(c, handle, ZX_OBJ_TYPE_NONE, ZX_RIGHT_SIGNAL, &o);
  if (s != ZX_OK) return s;
  return user_signal(o, clear_mask, set_mask);
}

int64_t sys_object_signal_peer(struct kcall* c, zx_handle_t handle, zx_signals_t clear_mask,
                               zx_signals_t set_mask) {
  struct kobj* o;
  zx_status_t s = kcall_object(c, handle, ZX_OBJ_TYPE_NONE, ZX_RIGHT_SIGNAL_PEER, &o);
  if (s != ZX_OK) return s;
  if (!o->ops->peer) return ZX_ERR_NOT_SUPPORTED;
  struct kobj* peer = o->ops->peer(o);
  if (!peer) return ZX_ERR_PEER_CLOSED;
  return user_signal(peer, clear_mask, set_mask);
}
