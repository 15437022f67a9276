/* Placeholder until the VMO implementation lands (owned by the VMO work). */
#include "kobj/sysutil.h"
#include "sys-decls.h"

int64_t sys_vmo_create(struct kcall* c, uint64_t size, uint32_t options, zum_uaddr_t out) { return ZX_ERR_NOT_SUPPORTED; }
int64_t sys_vmo_read(struct kcall* c, zx_handle_t handle, zum_uaddr_t buffer, uint64_t offset, size_t buffer_size) { return ZX_ERR_NOT_SUPPORTED; }
int64_t sys_vmo_write(struct kcall* c, zx_handle_t handle, zum_uaddr_t buffer, uint64_t offset, size_t buffer_size) { return ZX_ERR_NOT_SUPPORTED; }
int64_t sys_vmo_get_size(struct kcall* c, zx_handle_t handle, zum_uaddr_t size) { return ZX_ERR_NOT_SUPPORTED; }
int64_t sys_vmo_set_size(struct kcall* c, zx_handle_t handle, uint64_t size) { return ZX_ERR_NOT_SUPPORTED; }
int64_t sys_vmo_get_stream_size(struct kcall* c, zx_handle_t handle, zum_uaddr_t size) { return ZX_ERR_NOT_SUPPORTED; }
int64_t sys_vmo_set_stream_size(struct kcall* c, zx_handle_t handle, uint64_t size) { return ZX_ERR_NOT_SUPPORTED; }
int64_t sys_vmo_op_range(struct kcall* c, zx_handle_t handle, uint32_t op, uint64_t offset, uint64_t size, zum_uaddr_t buffer, size_t buffer_size) { return ZX_ERR_NOT_SUPPORTED; }
int64_t sys_vmo_set_cache_policy(struct kcall* c, zx_handle_t handle, uint32_t cache_policy) { return ZX_ERR_NOT_SUPPORTED; }
int64_t sys_vmo_replace_as_executable(struct kcall* c, zx_handle_t handle, zx_handle_t vmex, zum_uaddr_t out) { return ZX_ERR_NOT_SUPPORTED; }
