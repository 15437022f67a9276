/* Placeholder until object_get_info lands (owned by the info/property work). */
#include <zircon/syscalls/object.h>

#include "kobj/sysutil.h"
#include "sys-decls.h"

int64_t sys_object_get_info(struct kcall* c, zx_handle_t handle, uint32_t topic, zum_uaddr_t buffer, size_t buffer_size, zum_uaddr_t actual, zum_uaddr_t avail) {
  struct khandle* h;
  if (topic == ZX_INFO_HANDLE_VALID) return kcall_handle(c, handle, &h);
  return ZX_ERR_NOT_SUPPORTED;
}
int64_t sys_object_get_property(struct kcall* c, zx_handle_t handle, uint32_t property, zum_uaddr_t value, size_t value_size) { return ZX_ERR_NOT_SUPPORTED; }
int64_t sys_object_set_property(struct kcall* c, zx_handle_t handle, uint32_t property, zum_uaddr_t value, size_t value_size) { return ZX_ERR_NOT_SUPPORTED; }
int64_t sys_object_get_child(struct kcall* c, zx_handle_t handle, uint64_t koid, zx_rights_t rights, zum_uaddr_t out) { return ZX_ERR_NOT_SUPPORTED; }
