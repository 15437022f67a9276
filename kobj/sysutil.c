#include "kobj/sysutil.h"

#include <string.h>

zx_status_t kcall_handle(struct kcall* c, zx_handle_t v, struct khandle** out) {
  struct khandle* h = khandle_lookup(kcall_table_of(c), v);
  if (!h) {
    /* Zircon applies the caller's ZX_POL_BAD_HANDLE policy to every failed lookup (ALLOW and
     * DENY alike give BAD_HANDLE). If it killed the caller the status is still returned: the
     * process is being killed and never sees it. */
    (void)kpolicy_enforce(c->proc, ZX_POL_BAD_HANDLE);
    return ZX_ERR_BAD_HANDLE;
  }
  *out = h;
  return ZX_OK;
}

zx_status_t kcall_object_h(struct kcall* c, zx_handle_t v, zx_obj_type_t type, zx_rights_t rights,
                           struct khandle** out) {
  struct khandle* h;
  zx_status_t s = kcall_handle(c, v, &h);
  if (s != ZX_OK) return s;
  if (type != ZX_OBJ_TYPE_NONE && h->obj->ops->type != type) return ZX_ERR_WRONG_TYPE;
  if ((h->rights & rights) != rights) return ZX_ERR_ACCESS_DENIED;
  *out = h;
  return ZX_OK;
}

zx_status_t kcall_object(struct kcall* c, zx_handle_t v, zx_obj_type_t type, zx_rights_t rights,
                         struct kobj** out) {
  struct khandle* h;
  zx_status_t s = kcall_object_h(c, v, type, rights, &h);
  if (s == ZX_OK) *out = h->obj;
  return s;
}

zx_status_t kcall_out_handles(struct kcall* c, unsigned n, struct kobj* const* objs,
                              const zx_rights_t* rights, const zum_uaddr_t* outs) {
  struct khandle* hs[8];
  if (n > 8) return ZX_ERR_INTERNAL;
  for (unsigned i = 0; i < n; i++) {
    hs[i] = khandle_create_charged(c->proc->job, objs[i], rights[i]);
    if (!hs[i]) {
      while (i--) khandle_destroy(hs[i]);
      return ZX_ERR_NO_RESOURCES;
    }
  }
  zx_status_t s = ZX_OK;
  for (unsigned i = 0; i < n && s == ZX_OK; i++) {
    zx_handle_t v = khandle_attach(kcall_table_of(c), hs[i]);
    s = kcall_copy_out(c, outs[i], &v, sizeof(v));
  }
  if (s != ZX_OK) {
    for (unsigned i = 0; i < n; i++) khandle_destroy(hs[i]);
    return ZX_ERR_INVALID_ARGS;
  }
  return ZX_OK;
}

zx_status_t kcall_copy_name(struct kcall* c, zum_uaddr_t name, size_t size, char* buf) {
  memset(buf, 0, ZX_MAX_NAME_LEN);
  if (name == 0) return ZX_ERR_INVALID_ARGS;
  if (size > ZX_MAX_NAME_LEN) size = ZX_MAX_NAME_LEN;
  if (kcall_copy_in(c, buf, name, size) != ZX_OK) return ZX_ERR_INVALID_ARGS;
  buf[ZX_MAX_NAME_LEN - 1] = 0;
  return ZX_OK;
}

zx_status_t kcall_out_pair(struct kcall* c, struct kobj* a, struct kobj* b, zx_rights_t rights,
                           zum_uaddr_t out0, zum_uaddr_t out1) {
  struct kobj* objs[2] = {a, b};
  zx_rights_t r[2] = {rights, rights};
  zum_uaddr_t outs[2] = {out0, out1};
  zx_status_t s = kcall_out_handles(c, 2, objs, r, outs);
  kobj_unref(a);
  kobj_unref(b);
  return s;
}
