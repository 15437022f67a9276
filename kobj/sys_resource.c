/* zx_resource_create, with Zircon's check order (lib/syscalls/resource.cc). */
#include "kobj/resource.h"
#include "kobj/sysutil.h"
#include "sys-decls.h"

int64_t sys_resource_create(struct kcall* c, zx_handle_t parent_rsrc, uint32_t options,
                            uint64_t base, size_t size, zum_uaddr_t name, size_t name_size,
                            zum_uaddr_t resource_out) {
  /* WRITE on the parent is what lets a holder mint children. */
  struct kobj* o;
  zx_status_t s = kcall_object(c, parent_rsrc, ZX_OBJ_TYPE_RESOURCE, ZX_RIGHT_WRITE, &o);
  if (s != ZX_OK) return s;
  struct kresource* parent = to_kresource(o);
  uint32_t kind = ZX_RSRC_EXTRACT_KIND(options);
  uint32_t flags = ZX_RSRC_EXTRACT_FLAGS(options);
  if (kind >= ZX_RSRC_KIND_COUNT || (flags & ~ZX_RSRC_FLAGS_MASK)) return ZX_ERR_INVALID_ARGS;
  /* The parent is checked as any call checks a resource, and any failure is ACCESS_DENIED. */
  if (kresource_check_range(parent, kind, base, size) != ZX_OK) return ZX_ERR_ACCESS_DENIED;
  /* A slice of a non-root resource can be exclusive on neither side. */
  if (parent->kind != ZX_RSRC_KIND_ROOT && !kresource_is_ranged_root(parent, kind) &&
      ((parent->flags & ZX_RSRC_FLAG_EXCLUSIVE) || (flags & ZX_RSRC_FLAG_EXCLUSIVE)))
    return ZX_ERR_INVALID_ARGS;
  /* The name: at most ZX_MAX_NAME_LEN - 1 bytes, read only when name_size is not 0. */
  char buf[ZX_MAX_NAME_LEN] = {0};
  size_t n = name_size < ZX_MAX_NAME_LEN - 1 ? name_size : ZX_MAX_NAME_LEN - 1;
  if (name_size > 0 && kcall_copy_in(c, buf, name, n) != ZX_OK) return ZX_ERR_INVALID_ARGS;
  struct kresource* r;
  s = kresource_create(kind, base, size, flags, buf, n, &r);
  if (s != ZX_OK) return s;
  s = kcall_out_handle(c, &r->base, ZX_DEFAULT_RESOURCE_RIGHTS, resource_out);
  kobj_unref(&r->base);
  return s;
}
