/* Port syscalls and object_wait_async, with the checks in the order of Zircon's
 * lib/syscalls/port.cc and object_wait.cc. */
#include "kobj/port.h"
#include "kobj/sysutil.h"
#include "sys-decls.h"

int64_t sys_port_create(struct kcall* c, uint32_t options, zum_uaddr_t out) {
  /* Zircon checks the ZX_POL_NEW_PORT job policy first, before the options.
   * ZX_PORT_BIND_TO_INTERRUPT makes a port that interrupts can be bound to (kobj/interrupt.c). */
  int64_t pol = kpolicy_enforce(c->proc, ZX_POL_NEW_PORT);
  if (pol != ZX_OK) return pol;
  if (options != 0 && options != ZX_PORT_BIND_TO_INTERRUPT) return ZX_ERR_INVALID_ARGS;
  struct kobj* o = kport_create(options);
  if (!o) return ZX_ERR_NO_MEMORY;
  zx_status_t s = kcall_out_handle(c, o, ZX_DEFAULT_PORT_RIGHTS, out);
  kobj_unref(o);
  return s;
}

int64_t sys_port_queue(struct kcall* c, zx_handle_t handle, zum_uaddr_t packet) {
  struct kobj* o;
  zx_status_t s = kcall_object(c, handle, ZX_OBJ_TYPE_PORT, ZX_RIGHT_WRITE, &o);
  if (s != ZX_OK) return s;
  zx_port_packet_t pkt;
  if (kcall_copy_in(c, &pkt, packet, sizeof(pkt)) != ZX_OK) return ZX_ERR_INVALID_ARGS;
  return kport_queue_user(c->proc->job, o, &pkt);
}

int64_t sys_port_wait(struct kcall* c, zx_handle_t handle, zx_instant_mono_t deadline,
                      zum_uaddr_t packet) {
  struct kobj* o;
  zx_status_t s = kcall_object(c, handle, ZX_OBJ_TYPE_PORT, ZX_RIGHT_READ, &o);
  if (s != ZX_OK) return s;
  /* Zircon applies the job's timer slack policy to the deadline; zum waits for the deadline
   * itself. The packet pointer is only used when a packet is delivered (a NULL or faulting
   * pointer then gives INVALID_ARGS and the packet is consumed, as in Zircon). */
  return kport_wait(c, o, deadline, packet);
}

int64_t sys_port_cancel(struct kcall* c, zx_handle_t handle, zx_handle_t source, uint64_t key) {
  struct kobj* o;
  zx_status_t s = kcall_object(c, handle, ZX_OBJ_TYPE_PORT, ZX_RIGHT_WRITE, &o);
  if (s != ZX_OK) return s;
  struct khandle* h;
  s = kcall_handle(c, source, &h);
  if (s != ZX_OK) return s;
  if (!(h->rights & ZX_RIGHT_WAIT)) return ZX_ERR_ACCESS_DENIED;
  if (h->obj->ops->not_waitable) return ZX_ERR_NOT_SUPPORTED;
  return kport_cancel(o, h, key);
}

int64_t sys_port_cancel_key(struct kcall* c, zx_handle_t handle, uint32_t options, uint64_t key) {
  if (options != 0) return ZX_ERR_INVALID_ARGS;
  struct kobj* o;
  zx_status_t s = kcall_object(c, handle, ZX_OBJ_TYPE_PORT, ZX_RIGHT_WRITE, &o);
  if (s != ZX_OK) return s;
  return kport_cancel(o, NULL, key);
}

int64_t sys_object_wait_async(struct kcall* c, zx_handle_t handle, zx_handle_t port, uint64_t key,
                              zx_signals_t signals, uint32_t options) {
  const uint32_t known =
      ZX_WAIT_ASYNC_TIMESTAMP | ZX_WAIT_ASYNC_BOOT_TIMESTAMP | ZX_WAIT_ASYNC_EDGE;
  if (options & ~known) return ZX_ERR_INVALID_ARGS;
  /* A packet has one timestamp: asking for both clocks is INVALID_ARGS. */
  if ((options & ZX_WAIT_ASYNC_TIMESTAMP) && (options & ZX_WAIT_ASYNC_BOOT_TIMESTAMP))
    return ZX_ERR_INVALID_ARGS;
  /* The port first (BAD_HANDLE, WRONG_TYPE, ACCESS_DENIED without WRITE), then the object. */
  struct kobj* p;
  zx_status_t s = kcall_object(c, port, ZX_OBJ_TYPE_PORT, ZX_RIGHT_WRITE, &p);
  if (s != ZX_OK) return s;
  struct khandle* h;
  s = kcall_handle(c, handle, &h);
  if (s != ZX_OK) return s;
  if (!(h->rights & ZX_RIGHT_WAIT)) return ZX_ERR_ACCESS_DENIED;
  return kport_wait_async(c->proc->job, p, h, key, signals, options);
}
