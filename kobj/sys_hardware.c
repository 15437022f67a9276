/* Calls about hardware zum's machine does not have: interrupt lines, IOMMUs and bus masters,
 * I/O ports, a secure monitor, physical memory, MSI, virtualization, a boot framebuffer. Each
 * makes Zircon's checks in Zircon's order (lib/syscalls/ddk.cc, smc.cc, hypervisor.cc) and then
 * answers what Zircon answers on a machine without the device; the reason is given at each
 * answer (interrupts are in kobj/interrupt.c). The objects these calls would make (IOMMUs, BTIs,
 * PMTs, MSI allocations, guests, VCPUs) therefore never exist, and the calls that take them
 * answer BAD_HANDLE or WRONG_TYPE from their handle lookup, as Zircon's do for any other
 * handle. */
#include <zircon/syscalls/smc.h>

#include "kobj/policy.h"
#include "kobj/resource.h"
#include "kobj/sysutil.h"
#include "sys-decls.h"

/* Zircon's ZX_IOMMU_MAX_DESC_LEN (zircon/syscalls/iommu.h). */
#define IOMMU_MAX_DESC_LEN 4096u

/* The lookup every call on a never-made object makes: BAD_HANDLE, WRONG_TYPE, ACCESS_DENIED. */
static zx_status_t absent(struct kcall* c, zx_handle_t h, zx_obj_type_t type, zx_rights_t rights) {
  struct kobj* o;
  zx_status_t s = kcall_object(c, h, type, rights, &o);
  /* Unreachable: nothing makes an object of these types. */
  return s != ZX_OK ? s : ZX_ERR_BAD_STATE;
}

int64_t sys_iommu_create(struct kcall* c, zx_handle_t resource, uint32_t type, zum_uaddr_t desc,
                         size_t desc_size, zum_uaddr_t out) {
  (void)type, (void)out;
  zx_status_t s = kcall_resource_system(c, resource, ZX_RSRC_SYSTEM_IOMMU_BASE);
  if (s != ZX_OK) return s;
  if (desc_size > IOMMU_MAX_DESC_LEN) return ZX_ERR_INVALID_ARGS;
  unsigned char buf[IOMMU_MAX_DESC_LEN];
  if (desc_size && kcall_copy_in(c, buf, desc, desc_size) != ZX_OK) return ZX_ERR_INVALID_ARGS;
  /* IommuDispatcher::Create answers NOT_SUPPORTED for a type the platform has no IOMMU of.
   * zum has no bus to translate for, and gives no dummy IOMMU either: pinning through it would
   * owe the caller physical addresses of its pages, which zum cannot know. */
  return ZX_ERR_NOT_SUPPORTED;
}

int64_t sys_bti_create(struct kcall* c, zx_handle_t iommu, uint32_t options, uint64_t bti_id,
                       zum_uaddr_t out) {
  (void)bti_id, (void)out;
  if (options != 0) return ZX_ERR_INVALID_ARGS;
  return absent(c, iommu, ZX_OBJ_TYPE_IOMMU, ZX_RIGHT_NONE);
}

int64_t sys_bti_pin(struct kcall* c, zx_handle_t handle, uint32_t options, zx_handle_t vmo,
                    uint64_t offset, uint64_t size, zum_uaddr_t addrs, size_t num_addrs,
                    zum_uaddr_t pmt) {
  (void)options, (void)vmo, (void)offset, (void)size, (void)addrs, (void)num_addrs, (void)pmt;
  return absent(c, handle, ZX_OBJ_TYPE_BTI, ZX_RIGHT_MAP);
}

int64_t sys_bti_release_quarantine(struct kcall* c, zx_handle_t handle) {
  return absent(c, handle, ZX_OBJ_TYPE_BTI, ZX_RIGHT_WRITE);
}

int64_t sys_pmt_unpin(struct kcall* c, zx_handle_t handle) {
  /* Zircon removes the handle before it looks at the type: whatever it was, it is gone. */
  struct khandle* h;
  if (kcall_handle(c, handle, &h) != ZX_OK) return ZX_ERR_BAD_HANDLE;
  khandle_destroy(h);
  return ZX_ERR_WRONG_TYPE; /* no PMT exists */
}

int64_t sys_vmo_create_contiguous(struct kcall* c, zx_handle_t bti, size_t size,
                                  uint32_t alignment_log2, zum_uaddr_t out) {
  (void)out;
  if (size == 0) return ZX_ERR_INVALID_ARGS;
  if (alignment_log2 == 0) alignment_log2 = 12;
  if (alignment_log2 < 12 || alignment_log2 >= 64) return ZX_ERR_INVALID_ARGS;
  int64_t pol = kpolicy_enforce(c->proc, ZX_POL_NEW_VMO);
  if (pol != ZX_OK) return pol;
  return absent(c, bti, ZX_OBJ_TYPE_BTI, ZX_RIGHT_MAP);
}

int64_t sys_vmo_create_physical(struct kcall* c, zx_handle_t resource, zx_paddr_t paddr,
                                size_t size, zum_uaddr_t out) {
  (void)out;
  int64_t pol = kpolicy_enforce(c->proc, ZX_POL_NEW_VMO);
  if (pol != ZX_OK) return pol;
  /* validate_resource_mmio. zum's physical space is all forbidden to the root resource
   * (kobj/resource.c), so this ends in ACCESS_DENIED, WRONG_TYPE or BAD_HANDLE. */
  zx_status_t s = kcall_resource_ranged(c, resource, ZX_RSRC_KIND_MMIO, paddr, size);
  return s != ZX_OK ? s : ZX_ERR_ACCESS_DENIED;
}

int64_t sys_ioports_request(struct kcall* c, zx_handle_t resource, uint16_t io_addr,
                            uint32_t len) {
  zx_status_t s = kcall_resource_ranged(c, resource, ZX_RSRC_KIND_IOPORT, io_addr, len);
  if (s != ZX_OK) return s;
  /* Zircon's answer where port I/O cannot be granted (every architecture but x86). zum's
   * guests never get I/O privilege: Linux grants it only with CAP_SYS_RAWIO, and then to the
   * host's real devices. */
  return ZX_ERR_NOT_SUPPORTED;
}

int64_t sys_ioports_release(struct kcall* c, zx_handle_t resource, uint16_t io_addr,
                            uint32_t len) {
  zx_status_t s = kcall_resource_ranged(c, resource, ZX_RSRC_KIND_IOPORT, io_addr, len);
  if (s != ZX_OK) return s;
  return ZX_ERR_NOT_SUPPORTED; /* as ioports_request */
}

int64_t sys_smc_call(struct kcall* c, zx_handle_t handle, zum_uaddr_t parameters,
                     zum_uaddr_t out_smc_result) {
  if (!parameters || !out_smc_result) return ZX_ERR_INVALID_ARGS;
  zx_smc_parameters_t p;
  if (kcall_copy_in(c, &p, parameters, sizeof(p)) != ZX_OK) return ZX_ERR_INVALID_ARGS;
  /* validate_resource_smc: the service call number is bits 24-29 of the function id. */
  uint32_t service = (p.func_id >> 24) & 0x3F;
  zx_status_t s = kcall_resource_ranged(c, handle, ZX_RSRC_KIND_SMC, service, 1);
  if (s != ZX_OK) return s;
  /* x86 has no secure monitor: Zircon answered NOT_SUPPORTED there. */
  return ZX_ERR_NOT_SUPPORTED;
}

int64_t sys_msi_allocate(struct kcall* c, zx_handle_t handle, uint32_t count,
                         zum_uaddr_t out_allocation) {
  (void)count, (void)out_allocation;
  zx_status_t s = kcall_resource_system(c, handle, ZX_RSRC_SYSTEM_MSI_BASE);
  if (s != ZX_OK) return s;
  /* MsiAllocation::Create: NOT_SUPPORTED where the platform has no MSI controller. */
  return ZX_ERR_NOT_SUPPORTED;
}

int64_t sys_msi_create(struct kcall* c, zx_handle_t handle, uint32_t options, uint32_t msi_id,
                       zx_handle_t vmo, size_t vmo_offset, zum_uaddr_t out) {
  (void)options, (void)msi_id, (void)vmo, (void)vmo_offset, (void)out;
  return absent(c, handle, ZX_OBJ_TYPE_MSI, ZX_RIGHT_NONE);
}

int64_t sys_guest_create(struct kcall* c, zx_handle_t resource, uint32_t options,
                         zum_uaddr_t guest_handle, zum_uaddr_t vmar_handle) {
  (void)options, (void)guest_handle, (void)vmar_handle;
  zx_status_t s = kcall_resource_system(c, resource, ZX_RSRC_SYSTEM_HYPERVISOR_BASE);
  if (s != ZX_OK) return s;
  /* Guest::Create: NOT_SUPPORTED without VMX, which zum's guests do not have. */
  return ZX_ERR_NOT_SUPPORTED;
}

int64_t sys_guest_set_trap(struct kcall* c, zx_handle_t handle, uint32_t kind, zx_vaddr_t addr,
                           size_t size, zx_handle_t port_handle, uint64_t key) {
  (void)kind, (void)addr, (void)size, (void)port_handle, (void)key;
  return absent(c, handle, ZX_OBJ_TYPE_GUEST, ZX_RIGHT_WRITE);
}

int64_t sys_vcpu_create(struct kcall* c, zx_handle_t guest, uint32_t options, zx_vaddr_t entry,
                        zum_uaddr_t out) {
  (void)entry, (void)out;
  if (options != 0) return ZX_ERR_INVALID_ARGS;
  return absent(c, guest, ZX_OBJ_TYPE_GUEST, ZX_RIGHT_MANAGE_THREAD);
}

int64_t sys_vcpu_enter(struct kcall* c, zx_handle_t handle, zum_uaddr_t packet) {
  (void)packet;
  return absent(c, handle, ZX_OBJ_TYPE_VCPU, ZX_RIGHT_EXECUTE);
}

int64_t sys_vcpu_kick(struct kcall* c, zx_handle_t handle) {
  return absent(c, handle, ZX_OBJ_TYPE_VCPU, ZX_RIGHT_EXECUTE);
}

int64_t sys_vcpu_interrupt(struct kcall* c, zx_handle_t handle, uint32_t vector) {
  (void)vector;
  return absent(c, handle, ZX_OBJ_TYPE_VCPU, ZX_RIGHT_SIGNAL);
}

int64_t sys_vcpu_read_state(struct kcall* c, zx_handle_t handle, uint32_t kind,
                            zum_uaddr_t buffer, size_t buffer_size) {
  (void)kind, (void)buffer, (void)buffer_size;
  return absent(c, handle, ZX_OBJ_TYPE_VCPU, ZX_RIGHT_READ);
}

int64_t sys_vcpu_write_state(struct kcall* c, zx_handle_t handle, uint32_t kind,
                             zum_uaddr_t buffer, size_t buffer_size) {
  (void)kind, (void)buffer, (void)buffer_size;
  return absent(c, handle, ZX_OBJ_TYPE_VCPU, ZX_RIGHT_WRITE);
}

int64_t sys_framebuffer_get_info(struct kcall* c, zx_handle_t resource, zum_uaddr_t format,
                                 zum_uaddr_t width, zum_uaddr_t height, zum_uaddr_t stride) {
  (void)format, (void)width, (void)height, (void)stride;
  zx_status_t s = kcall_resource(c, resource, ZX_RSRC_KIND_ROOT);
  if (s != ZX_OK) return s;
  /* x86: the bootloader handed over no framebuffer (zum boots from no bootloader). */
  return ZX_ERR_INVALID_ARGS;
}

int64_t sys_framebuffer_set_range(struct kcall* c, zx_handle_t resource, zx_handle_t vmo,
                                  uint32_t len, uint32_t format, uint32_t width, uint32_t height,
                                  uint32_t stride) {
  (void)len, (void)format, (void)width, (void)height, (void)stride;
  zx_status_t s = kcall_resource(c, resource, ZX_RSRC_KIND_ROOT);
  if (s != ZX_OK) return s;
  if (vmo == ZX_HANDLE_INVALID) return ZX_OK; /* clearing the kernel's framebuffer */
  struct kobj* o;
  s = kcall_object(c, vmo, ZX_OBJ_TYPE_VMO, ZX_RIGHT_NONE, &o);
  /* Accepted as Zircon accepts it; zum's kernel has no graphics console to draw on it. */
  return s;
}
