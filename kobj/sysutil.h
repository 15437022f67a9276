/* Helpers for the syscall layer: handle lookup with the kernel's check order, and handing new
 * handles out to guest memory. */
#ifndef ZUM_KOBJ_SYSUTIL_H_
#define ZUM_KOBJ_SYSUTIL_H_

#include <zircon/syscalls/object.h>
#include <zircon/syscalls/port.h>
#include <zircon/types.h>

#include "kobj/handle.h"
#include "kobj/kcall.h"
#include "kobj/object.h"
#include "kobj/task.h"

static inline struct khtable* kcall_table_of(struct kcall* c) { return c->proc->table; }

/* The caller's handle `v`, or ZX_ERR_BAD_HANDLE (after applying the caller's ZX_POL_BAD_HANDLE
 * job policy, which may kill it). */
zx_status_t kcall_handle(struct kcall* c, zx_handle_t v, struct khandle** out);

/* The object behind `v`, checked as Zircon checks: BAD_HANDLE, then WRONG_TYPE (if type is not
 * ZX_OBJ_TYPE_NONE), then ACCESS_DENIED if `rights` are not all present. */
zx_status_t kcall_object(struct kcall* c, zx_handle_t v, zx_obj_type_t type, zx_rights_t rights,
                         struct kobj** out);
zx_status_t kcall_object_h(struct kcall* c, zx_handle_t v, zx_obj_type_t type, zx_rights_t rights,
                           struct khandle** out);

/* Gives the caller new handles to objs[i] with rights[i], writing each value to outs[i]. If any
 * write faults none of the handles is kept and the result is ZX_ERR_INVALID_ARGS; if the arena is
 * full, ZX_ERR_NO_RESOURCES. */
zx_status_t kcall_out_handles(struct kcall* c, unsigned n, struct kobj* const* objs,
                              const zx_rights_t* rights, const zum_uaddr_t* outs);
static inline zx_status_t kcall_out_handle(struct kcall* c, struct kobj* o, zx_rights_t r,
                                           zum_uaddr_t out) {
  return kcall_out_handles(c, 1, &o, &r, &out);
}
/* The two ends of a new peered object (channel, event pair, socket, FIFO), both with `rights`, to
 * out0 and out1 as kcall_out_handles does; the creator's references to a and b are dropped. */
zx_status_t kcall_out_pair(struct kcall* c, struct kobj* a, struct kobj* b, zx_rights_t rights,
                           zum_uaddr_t out0, zum_uaddr_t out1);

/* Reads a name argument with Zircon's rules (clamped to ZX_MAX_NAME_LEN, a NULL pointer is
 * INVALID_ARGS even with size 0, cut at the first NUL). buf has ZX_MAX_NAME_LEN bytes. */
zx_status_t kcall_copy_name(struct kcall* c, zum_uaddr_t name, size_t size, char* buf);

#endif
