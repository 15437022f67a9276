/* The zx_vmo_* calls, after Zircon's lib/syscalls/vmo.cc and
 * VmObjectDispatcher. Handles and rights are checked here, in the kernel's order; sizes and
 * ranges are mm/vmo.c.
 *
 * Job policies: ZX_POL_NEW_VMO is checked first in zx_vmo_create, and
 * ZX_POL_AMBIENT_MARK_VMO_EXEC decides zx_vmo_replace_as_executable with ZX_HANDLE_INVALID.
 *
 * Reads and writes go through the supervisor in bounded chunks (kobj/vmo_io.c). A guest buffer
 * that faults ends the call with ZX_ERR_NOT_FOUND, the status Zircon's fault resolution gives
 * for user memory it cannot fault in (and the one it squashes other user-copy failures into);
 * the bytes before the faulting page stay transferred. Linux does not say whether the buffer
 * was unmapped or only lacked the permission, so a write-protected buffer for zx_vmo_read also
 * gives NOT_FOUND (Zircon would say ACCESS_DENIED there). */
#include <string.h>

#include "kobj/cow.h"
#include "kobj/resource.h"
#include "kobj/sysutil.h"
#include "kobj/vmo.h"
#include "kobj/vmo_io.h"
#include "mm/vmo.h"
#include "sys-decls.h"

static zx_status_t vmo_of(struct kcall* c, zx_handle_t handle, zx_rights_t rights,
                          struct kvmo** out) {
  struct kobj* o;
  zx_status_t s = kcall_object(c, handle, ZX_OBJ_TYPE_VMO, rights, &o);
  if (s == ZX_OK) *out = to_kvmo(o);
  return s;
}

int64_t sys_vmo_create(struct kcall* c, uint64_t size, uint32_t options, zum_uaddr_t out) {
  int64_t pol = kpolicy_enforce(c->proc, ZX_POL_NEW_VMO); /* before the options */
  if (pol != ZX_OK) return pol;
  uint32_t flags;
  uint64_t vmo_size;
  zx_status_t s = mm_vmo_parse_create(options, size, &flags, &vmo_size);
  if (s != ZX_OK) return s;
  struct kvmo* v;
  /* The content size is the size asked for, unrounded. */
  s = kvmo_create(c->proc->job, flags, vmo_size, size, &v);
  if (s != ZX_OK) return s;
  zx_rights_t rights =
      ZX_DEFAULT_VMO_RIGHTS | ((flags & MM_VMO_RESIZABLE) ? ZX_RIGHT_RESIZE : 0);
  s = kcall_out_handle(c, (struct kobj*)v, rights, out);
  kobj_unref((struct kobj*)v);
  return s;
}

int64_t sys_vmo_read(struct kcall* c, zx_handle_t handle, zum_uaddr_t buffer, uint64_t offset,
                     size_t buffer_size) {
  struct kvmo* v;
  zx_status_t s = vmo_of(c, handle, ZX_RIGHT_READ, &v);
  if (s != ZX_OK) return s;
  struct mm_vmo* m = kvmo_mm(v);
  s = mm_vmo_check_rw(m, offset, buffer_size);
  if (s != ZX_OK) return s;
  size_t done;
  return kvmo_io(c, m, true, offset, buffer, buffer_size, &done);
}

int64_t sys_vmo_write(struct kcall* c, zx_handle_t handle, zum_uaddr_t buffer, uint64_t offset,
                      size_t buffer_size) {
  struct kvmo* v;
  zx_status_t s = vmo_of(c, handle, ZX_RIGHT_WRITE, &v);
  if (s != ZX_OK) return s;
  struct mm_vmo* m = kvmo_mm(v);
  s = mm_vmo_check_rw(m, offset, buffer_size);
  if (s != ZX_OK) return s;
  size_t done;
  return kvmo_io(c, m, false, offset, buffer, buffer_size, &done);
}

int64_t sys_vmo_get_size(struct kcall* c, zx_handle_t handle, zum_uaddr_t size) {
  struct kvmo* v;
  zx_status_t s = vmo_of(c, handle, ZX_RIGHT_NONE, &v); /* anyone may ask */
  if (s != ZX_OK) return s;
  uint64_t value = kvmo_size(v);
  return kcall_copy_out(c, size, &value, sizeof(value));
}

int64_t sys_vmo_set_size(struct kcall* c, zx_handle_t handle, uint64_t size) {
  struct khandle* h;
  zx_status_t s = kcall_object_h(c, handle, ZX_OBJ_TYPE_VMO, ZX_RIGHT_WRITE, &h);
  if (s != ZX_OK) return s;
  struct kvmo* v = to_kvmo(h->obj);
  /* RESIZE is required of resizable VMOs only: others fail later with UNAVAILABLE, for
   * compatibility, whatever the handle's rights. */
  if (kvmo_resizable(v) && !(h->rights & ZX_RIGHT_RESIZE)) return ZX_ERR_ACCESS_DENIED;
  return mm_vmo_set_size(kvmo_mm(v), size);
}

int64_t sys_vmo_get_stream_size(struct kcall* c, zx_handle_t handle, zum_uaddr_t size) {
  struct kvmo* v;
  zx_status_t s = vmo_of(c, handle, ZX_RIGHT_NONE, &v);
  if (s != ZX_OK) return s;
  uint64_t value = kvmo_stream_size(v);
  return kcall_copy_out(c, size, &value, sizeof(value));
}

int64_t sys_vmo_set_stream_size(struct kcall* c, zx_handle_t handle, uint64_t size) {
  struct kvmo* v;
  zx_status_t s = vmo_of(c, handle, ZX_RIGHT_WRITE, &v);
  if (s != ZX_OK) return s;
  return mm_vmo_set_stream_size(kvmo_mm(v), size);
}

/* VmObjectDispatcher::RangeOp: the handle needs no particular right; each operation checks its
 * own before looking at the range. */
int64_t sys_vmo_op_range(struct kcall* c, zx_handle_t handle, uint32_t op, uint64_t offset,
                         uint64_t size, zum_uaddr_t buffer, size_t buffer_size) {
  struct khandle* h;
  zx_status_t s = kcall_object_h(c, handle, ZX_OBJ_TYPE_VMO, ZX_RIGHT_NONE, &h);
  if (s != ZX_OK) return s;
  struct mm_vmo* m = kvmo_mm(to_kvmo(h->obj));
  zx_rights_t rights = h->rights;
  bool can_read = (rights & ZX_RIGHT_READ) != 0;
  bool can_write = (rights & ZX_RIGHT_WRITE) != 0;

  switch (op) {
    case ZX_VMO_OP_COMMIT:
      if (!can_write) return ZX_ERR_ACCESS_DENIED;
      return mm_vmo_commit(m, offset, size);
    case ZX_VMO_OP_DECOMMIT:
      if (!can_write) return ZX_ERR_ACCESS_DENIED;
      return mm_vmo_decommit(m, offset, size);
    case ZX_VMO_OP_LOCK: {
      if (!can_read && !can_write) return ZX_ERR_ACCESS_DENIED;
      zx_vmo_lock_state_t state;
      s = mm_vmo_lock(m, offset, size, &state);
      if (s != ZX_OK) return s;
      /* From here a failure undoes the lock. */
      if (buffer_size < sizeof(state)) s = ZX_ERR_INVALID_ARGS;
      else s = kcall_copy_out(c, buffer, &state, sizeof(state));
      if (s != ZX_OK) (void)mm_vmo_unlock(m, offset, size);
      return s;
    }
    case ZX_VMO_OP_TRY_LOCK:
      if (!can_read && !can_write) return ZX_ERR_ACCESS_DENIED;
      return mm_vmo_try_lock(m, offset, size);
    case ZX_VMO_OP_UNLOCK:
      if (!can_read && !can_write) return ZX_ERR_ACCESS_DENIED;
      return mm_vmo_unlock(m, offset, size);
    case ZX_VMO_OP_CACHE_SYNC:
    case ZX_VMO_OP_CACHE_CLEAN:
    case ZX_VMO_OP_CACHE_CLEAN_INVALIDATE:
      if (!can_read) return ZX_ERR_ACCESS_DENIED;
      return mm_vmo_cache_op(m, offset, size);
    case ZX_VMO_OP_CACHE_INVALIDATE:
      /* Zircon serves it only with kernel.enable-debugging-syscalls, which zum never has. */
      return ZX_ERR_NOT_SUPPORTED;
    case ZX_VMO_OP_ZERO:
      if (!can_write) return ZX_ERR_ACCESS_DENIED;
      return mm_vmo_zero(m, offset, size);
    case ZX_VMO_OP_ALWAYS_NEED:
    case ZX_VMO_OP_DONT_NEED:
      /* Hints; ignored for VMOs that are not pager-backed, without looking at the range. */
      return ZX_OK;
    case ZX_VMO_OP_PREFETCH:
      if (!can_read) return ZX_ERR_ACCESS_DENIED;
      return mm_vmo_prefetch(m, offset, size);
    default:
      /* Op 5 was ZX_VMO_OP_LOOKUP (physical addresses of committed pages, which older texts
       * still list for clones); current Zircon has retired it and answers INVALID_ARGS, as for
       * any unknown op. */
      return ZX_ERR_INVALID_ARGS;
  }
}

int64_t sys_vmo_set_cache_policy(struct kcall* c, zx_handle_t handle, uint32_t cache_policy) {
  if (cache_policy & ~ZX_CACHE_POLICY_MASK) return ZX_ERR_INVALID_ARGS; /* before the handle */
  struct kvmo* v;
  zx_status_t s = vmo_of(c, handle, ZX_RIGHT_MAP, &v);
  if (s != ZX_OK) return s;
  return kvmo_set_cache_policy(v, cache_policy);
}

int64_t sys_vmo_replace_as_executable(struct kcall* c, zx_handle_t handle, zx_handle_t vmex,
                                      zum_uaddr_t out) {
  /* The vmex check's result is kept and returned only after the handle was consumed. */
  zx_status_t vmex_status = ZX_OK;
  if (vmex != ZX_HANDLE_INVALID) {
    /* It must be a ZX_RSRC_KIND_SYSTEM resource covering ZX_RSRC_SYSTEM_VMEX_BASE (or the
     * root resource): validate_ranged_resource. */
    vmex_status = kcall_resource_system(c, vmex, ZX_RSRC_SYSTEM_VMEX_BASE);
  } else {
    /* The caller's ZX_POL_AMBIENT_MARK_VMO_EXEC policy. DENY is kept, like a vmex failure, and
     * returned after the handle is consumed; a killed caller gets no answer at all. */
    int64_t pol = kpolicy_enforce(c->proc, ZX_POL_AMBIENT_MARK_VMO_EXEC);
    if (pol == KCALL_NOREPLY) return pol;
    vmex_status = (zx_status_t)pol;
  }

  struct khandle* h;
  if (kcall_handle(c, handle, &h) != ZX_OK) return ZX_ERR_BAD_HANDLE;
  struct kobj* o = h->obj;
  bool is_vmo = o->ops->type == ZX_OBJ_TYPE_VMO;
  zx_rights_t rights = h->rights | ZX_RIGHT_EXECUTE;
  kobj_ref(o);
  khandle_destroy(h); /* consumed whatever happens next */
  zx_status_t s;
  if (!is_vmo) s = ZX_ERR_BAD_HANDLE; /* not WRONG_TYPE */
  else if (vmex_status != ZX_OK) s = vmex_status;
  else s = kcall_out_handle(c, o, rights, out);
  kobj_unref(o);
  return s;
}

/* zx_vmo_create_child (lib/syscalls/vmo.cc, VmObjectDispatcher::CreateChild): the size is
 * rounded first, NO_WRITE is a property of the new handle, the parent handle needs
 * DUPLICATE|READ, and the option checks are mm_vmo_check_child's. */
int64_t sys_vmo_create_child(struct kcall* c, zx_handle_t handle, uint32_t options,
                             uint64_t offset, uint64_t size, zum_uaddr_t out) {
  if (size > UINT64_MAX - (MM_PAGE_SIZE - 1)) return ZX_ERR_OUT_OF_RANGE;
  uint64_t rounded = (size + MM_PAGE_SIZE - 1) & ~(uint64_t)(MM_PAGE_SIZE - 1);
  bool no_write = (options & ZX_VMO_CHILD_NO_WRITE) != 0;
  if (no_write && (options & ZX_VMO_CHILD_RESIZABLE)) return ZX_ERR_INVALID_ARGS;
  options &= ~ZX_VMO_CHILD_NO_WRITE;
  struct khandle* h;
  zx_status_t s =
      kcall_object_h(c, handle, ZX_OBJ_TYPE_VMO, ZX_RIGHT_DUPLICATE | ZX_RIGHT_READ, &h);
  if (s != ZX_OK) return s;
  struct kvmo* parent = to_kvmo(h->obj);
  zx_rights_t parent_rights = h->rights;
  uint32_t kind;
  bool resizable;
  uint64_t child_size;
  s = mm_vmo_check_child(kvmo_mm(parent), options, offset, rounded, &kind, &resizable,
                         &child_size);
  if (s != ZX_OK) return s;
  /* Before anything changes: a snapshot guards the store's writable mappings by what the
   * processes mapping them can do. */
  if (kind == MM_VMO_SNAPSHOT && !kcow_snapshot_ready(c, parent)) return KCALL_PARKED;
  struct kvmo* v;
  struct kguard_wait* wait = NULL;
  /* The content size is the size asked for, unrounded. */
  s = kvmo_create_child(c->proc->job, parent, kind, resizable, offset, child_size, size, &v,
                        &wait);
  if (s != ZX_OK) return kguard_wait_finish(wait, c, s);
  struct kobj* pobj = (struct kobj*)parent;
  if (parent_rights & ZX_RIGHT_GET_PROPERTY)
    kobj_set_name((struct kobj*)v, pobj->name, strnlen(pobj->name, ZX_MAX_NAME_LEN));
  zx_rights_t rights = (parent_rights & ~ZX_RIGHT_RESIZE) | (resizable ? ZX_RIGHT_RESIZE : 0) |
                       ZX_RIGHT_GET_PROPERTY | ZX_RIGHT_SET_PROPERTY;
  if (no_write) {
    rights &= ~ZX_RIGHT_WRITE;
    if (options & ZX_VMO_CHILD_SNAPSHOT) kvmo_set_immutable(v);
  } else if (kind == MM_VMO_SNAPSHOT) {
    /* A copy-on-write child is writable, and not executable until made so again. */
    rights = (rights & ~ZX_RIGHT_EXECUTE) | ZX_RIGHT_WRITE;
  }
  s = kcall_out_handle(c, (struct kobj*)v, rights, out);
  kobj_unref((struct kobj*)v);
  /* The existing mappings' write protections are in place before the call returns. */
  return kguard_wait_finish(wait, c, s);
}
