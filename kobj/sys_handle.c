/* handle_close, handle_close_many, handle_duplicate, handle_replace. */
#include <stdlib.h>

#include "kobj/sysutil.h"
#include "sys-decls.h"

int64_t sys_handle_close(struct kcall* c, zx_handle_t handle) {
  if (handle == ZX_HANDLE_INVALID) return ZX_OK; /* like free(NULL) */
  struct khandle* h;
  zx_status_t s = kcall_handle(c, handle, &h);
  if (s != ZX_OK) return s;
  khandle_destroy(h);
  return ZX_OK;
}

/* Zircon skips ZX_HANDLE_INVALID entries and, when some value is bad, still closes every valid
 * one and reports ZX_ERR_BAD_HANDLE. */
int64_t sys_handle_close_many(struct kcall* c, zum_uaddr_t handles, size_t num_handles) {
  if (num_handles == 0) return ZX_OK;
  if (num_handles > KHANDLE_ARENA_SIZE) return ZX_ERR_OUT_OF_RANGE;
  zx_handle_t* vals = malloc(num_handles * sizeof(*vals));
  if (!vals) return ZX_ERR_NO_MEMORY;
  zx_status_t s = kcall_copy_in(c, vals, handles, num_handles * sizeof(*vals));
  if (s == ZX_OK) {
    for (size_t i = 0; i < num_handles; i++) {
      if (vals[i] == ZX_HANDLE_INVALID) continue;
      struct khandle* h = khandle_lookup(kcall_table_of(c), vals[i]);
      if (!h) {
        s = ZX_ERR_BAD_HANDLE;
        continue;
      }
      khandle_destroy(h);
    }
  }
  free(vals);
  return s;
}

static zx_status_t new_rights(zx_rights_t have, zx_rights_t asked, zx_rights_t* out) {
  if (asked == ZX_RIGHT_SAME_RIGHTS) {
    *out = have;
    return ZX_OK;
  }
  if ((have & asked) != asked) return ZX_ERR_INVALID_ARGS;
  *out = asked;
  return ZX_OK;
}

int64_t sys_handle_duplicate(struct kcall* c, zx_handle_t handle, zx_rights_t rights,
                             zum_uaddr_t out) {
  struct khandle* h;
  zx_status_t s = kcall_handle(c, handle, &h);
  if (s != ZX_OK) return s;
  if (!(h->rights & ZX_RIGHT_DUPLICATE)) return ZX_ERR_ACCESS_DENIED;
  zx_rights_t r;
  s = new_rights(h->rights, rights, &r);
  if (s != ZX_OK) return s;
  return kcall_out_handle(c, h->obj, r, out);
}

/* The source handle goes away even when the new rights are refused, as in Zircon. */
int64_t sys_handle_replace(struct kcall* c, zx_handle_t handle, zx_rights_t rights,
                           zum_uaddr_t out) {
  struct khandle* h;
  zx_status_t s = kcall_handle(c, handle, &h);
  if (s != ZX_OK) return s;
  struct kobj* o = h->obj;
  kobj_ref(o);
  zx_rights_t r;
  s = new_rights(h->rights, rights, &r);
  if (s == ZX_OK) {
    /* Make the new handle first, so the object never sees zero handles in between. */
    struct khandle* n = khandle_create_charged(c->proc->job, o, r);
    if (!n) {
      s = ZX_ERR_NO_RESOURCES;
    } else {
      zx_handle_t v = khandle_attach(kcall_table_of(c), n);
      if (kcall_copy_out(c, out, &v, sizeof(v)) != ZX_OK) {
        khandle_destroy(n);
        s = ZX_ERR_INVALID_ARGS;
      }
    }
  }
  khandle_destroy(h);
  kobj_unref(o);
  return s;
}
