/* Placeholder until the VMAR implementation lands (owned by the VMAR work). */
#include "kobj/sysutil.h"
#include "sys-decls.h"

int64_t sys_vmar_allocate(struct kcall* c, zx_handle_t parent_vmar, zx_vm_option_t options, size_t offset, size_t size, zum_uaddr_t child_vmar, zum_uaddr_t child_addr) { return ZX_ERR_NOT_SUPPORTED; }
int64_t sys_vmar_destroy(struct kcall* c, zx_handle_t handle) { return ZX_ERR_NOT_SUPPORTED; }
int64_t sys_vmar_map(struct kcall* c, zx_handle_t handle, zx_vm_option_t options, size_t vmar_offset, zx_handle_t vmo, uint64_t vmo_offset, size_t len, zum_uaddr_t mapped_addr) { return ZX_ERR_NOT_SUPPORTED; }
int64_t sys_vmar_unmap(struct kcall* c, zx_handle_t handle, zx_vaddr_t addr, size_t len) { return ZX_ERR_NOT_SUPPORTED; }
int64_t sys_vmar_protect(struct kcall* c, zx_handle_t handle, zx_vm_option_t options, zx_vaddr_t addr, size_t len) { return ZX_ERR_NOT_SUPPORTED; }
int64_t sys_vmar_op_range(struct kcall* c, zx_handle_t handle, uint32_t op, zx_vaddr_t address, size_t size, zum_uaddr_t buffer, size_t buffer_size) { return ZX_ERR_NOT_SUPPORTED; }
int64_t sys_process_read_memory(struct kcall* c, zx_handle_t handle, zx_vaddr_t vaddr, zum_uaddr_t buffer, size_t buffer_size, zum_uaddr_t actual) { return ZX_ERR_NOT_SUPPORTED; }
int64_t sys_process_write_memory(struct kcall* c, zx_handle_t handle, zx_vaddr_t vaddr, zum_uaddr_t buffer, size_t buffer_size, zum_uaddr_t actual) { return ZX_ERR_NOT_SUPPORTED; }
