/* System queries that run in the vDSO, from the zum page the guest runtime filled in. */
#include "vdso-private.h"

uint32_t _zx_system_get_dcache_line_size(void) { return zum_page()->dcache_line_size; }
ZUM_VDSO_ALIAS(_zx_system_get_dcache_line_size, zx_system_get_dcache_line_size);

uint32_t _zx_system_get_num_cpus(void) { return zum_page()->num_cpus; }
ZUM_VDSO_ALIAS(_zx_system_get_num_cpus, zx_system_get_num_cpus);

uint32_t _zx_system_get_page_size(void) { return zum_page()->page_size; }
ZUM_VDSO_ALIAS(_zx_system_get_page_size, zx_system_get_page_size);

uint64_t _zx_system_get_physmem(void) { return zum_page()->physmem; }
ZUM_VDSO_ALIAS(_zx_system_get_physmem, zx_system_get_physmem);

zx_string_view_t _zx_system_get_version_string(void) {
  static const char version[] = "zum " PACKAGE_VERSION " (Zircon in user mode on Linux)";
  zx_string_view_t v = {version, sizeof(version) - 1};
  return v;
}
ZUM_VDSO_ALIAS(_zx_system_get_version_string, zx_system_get_version_string);

/* x86 reports no CPU feature bits (programs use cpuid), no debug registers through zum, no
 * address tagging; VM: zum cannot map execute-only memory. Unknown kinds are NOT_SUPPORTED. */
zx_status_t _zx_system_get_features(uint32_t kind, uint32_t* features) {
  switch (kind) {
    case ZX_FEATURE_KIND_CPU:
    case ZX_FEATURE_KIND_HW_BREAKPOINT_COUNT:
    case ZX_FEATURE_KIND_HW_WATCHPOINT_COUNT:
    case ZX_FEATURE_KIND_ADDRESS_TAGGING:
    case ZX_FEATURE_KIND_VM:
      *features = 0;
      return ZX_OK;
    default:
      return ZX_ERR_NOT_SUPPORTED;
  }
}
ZUM_VDSO_ALIAS(_zx_system_get_features, zx_system_get_features);
