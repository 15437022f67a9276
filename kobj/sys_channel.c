/* Placeholder until the channel implementation lands (owned by the channel work). */
#include "kobj/sysutil.h"
#include "sys-decls.h"

int64_t sys_channel_create(struct kcall* c, uint32_t options, zum_uaddr_t out0, zum_uaddr_t out1) { return ZX_ERR_NOT_SUPPORTED; }
int64_t sys_channel_read(struct kcall* c, zx_handle_t handle, uint32_t options, zum_uaddr_t bytes, zum_uaddr_t handles, uint32_t num_bytes, uint32_t num_handles, zum_uaddr_t actual_bytes, zum_uaddr_t actual_handles) { return ZX_ERR_NOT_SUPPORTED; }
int64_t sys_channel_read_etc(struct kcall* c, zx_handle_t handle, uint32_t options, zum_uaddr_t bytes, zum_uaddr_t handles, uint32_t num_bytes, uint32_t num_handles, zum_uaddr_t actual_bytes, zum_uaddr_t actual_handles) { return ZX_ERR_NOT_SUPPORTED; }
int64_t sys_channel_write(struct kcall* c, zx_handle_t handle, uint32_t options, zum_uaddr_t bytes, uint32_t num_bytes, zum_uaddr_t handles, uint32_t num_handles) { return ZX_ERR_NOT_SUPPORTED; }
int64_t sys_channel_write_etc(struct kcall* c, zx_handle_t handle, uint32_t options, zum_uaddr_t bytes, uint32_t num_bytes, zum_uaddr_t handles, uint32_t num_handles) { return ZX_ERR_NOT_SUPPORTED; }
int64_t sys_channel_call(struct kcall* c, zx_handle_t handle, uint32_t options, zx_instant_mono_t deadline, zum_uaddr_t args, zum_uaddr_t actual_bytes, zum_uaddr_t actual_handles) { return ZX_ERR_NOT_SUPPORTED; }
int64_t sys_channel_call_etc(struct kcall* c, zx_handle_t handle, uint32_t options, zx_instant_mono_t deadline, zum_uaddr_t args, zum_uaddr_t actual_bytes, zum_uaddr_t actual_handles) { return ZX_ERR_NOT_SUPPORTED; }
