/* Placeholder until the port implementation lands (owned by the port work). */
#include "kobj/sysutil.h"
#include "sys-decls.h"

int64_t sys_port_create(struct kcall* c, uint32_t options, zum_uaddr_t out) { return ZX_ERR_NOT_SUPPORTED; }
int64_t sys_port_queue(struct kcall* c, zx_handle_t handle, zum_uaddr_t packet) { return ZX_ERR_NOT_SUPPORTED; }
int64_t sys_port_wait(struct kcall* c, zx_handle_t handle, zx_instant_mono_t deadline, zum_uaddr_t packet) { return ZX_ERR_NOT_SUPPORTED; }
int64_t sys_port_cancel(struct kcall* c, zx_handle_t handle, zx_handle_t source, uint64_t key) { return ZX_ERR_NOT_SUPPORTED; }
int64_t sys_port_cancel_key(struct kcall* c, zx_handle_t handle, uint32_t options, uint64_t key) { return ZX_ERR_NOT_SUPPORTED; }
int64_t sys_object_wait_async(struct kcall* c, zx_handle_t handle, zx_handle_t port, uint64_t key, zx_signals_t signals, uint32_t options) { return ZX_ERR_NOT_SUPPORTED; }
