/* Resource kinds, flags and system sub-ranges (Zircon's zircon/syscalls/resource.h). ROOT is
 * older Zircon's kind 3, which newer public headers no longer name; zum keeps it because the
 * root resource is what `zum run --root-resource` hands out. */
#ifndef ZIRCON_SYSCALLS_RESOURCE_H_
#define ZIRCON_SYSCALLS_RESOURCE_H_

#include <stdint.h>
#include <zircon/compiler.h>

typedef uint32_t zx_rsrc_kind_t;
#define ZX_RSRC_KIND_MMIO ((zx_rsrc_kind_t)0u)
#define ZX_RSRC_KIND_IRQ ((zx_rsrc_kind_t)1u)
#define ZX_RSRC_KIND_IOPORT ((zx_rsrc_kind_t)2u)
#define ZX_RSRC_KIND_ROOT ((zx_rsrc_kind_t)3u)
#define ZX_RSRC_KIND_SMC ((zx_rsrc_kind_t)4u)
#define ZX_RSRC_KIND_SYSTEM ((zx_rsrc_kind_t)5u)
#define ZX_RSRC_KIND_COUNT ((zx_rsrc_kind_t)6u)

typedef uint32_t zx_rsrc_flags_t;
#define ZX_RSRC_FLAG_EXCLUSIVE ((zx_rsrc_flags_t)0x00010000u)
#define ZX_RSRC_FLAGS_MASK ((zx_rsrc_flags_t)ZX_RSRC_FLAG_EXCLUSIVE)

#define ZX_RSRC_EXTRACT_KIND(x) ((x) & 0x0000FFFF)
#define ZX_RSRC_EXTRACT_FLAGS(x) ((x) & 0xFFFF0000)

typedef uint64_t zx_rsrc_system_base_t;
#define ZX_RSRC_SYSTEM_HYPERVISOR_BASE ((zx_rsrc_system_base_t)0u)
#define ZX_RSRC_SYSTEM_VMEX_BASE ((zx_rsrc_system_base_t)1u)
#define ZX_RSRC_SYSTEM_DEBUG_BASE ((zx_rsrc_system_base_t)2u)
#define ZX_RSRC_SYSTEM_INFO_BASE ((zx_rsrc_system_base_t)3u)
#define ZX_RSRC_SYSTEM_CPU_BASE ((zx_rsrc_system_base_t)4u)
#define ZX_RSRC_SYSTEM_POWER_BASE ((zx_rsrc_system_base_t)5u)
#define ZX_RSRC_SYSTEM_MEXEC_BASE ((zx_rsrc_system_base_t)6u)
#define ZX_RSRC_SYSTEM_ENERGY_INFO_BASE ((zx_rsrc_system_base_t)7u)
#define ZX_RSRC_SYSTEM_IOMMU_BASE ((zx_rsrc_system_base_t)8u)
#define ZX_RSRC_SYSTEM_PROFILE_BASE ((zx_rsrc_system_base_t)10u)
#define ZX_RSRC_SYSTEM_MSI_BASE ((zx_rsrc_system_base_t)11u)
#define ZX_RSRC_SYSTEM_DEBUGLOG_BASE ((zx_rsrc_system_base_t)12u)
#define ZX_RSRC_SYSTEM_STALL_BASE ((zx_rsrc_system_base_t)13u)
#define ZX_RSRC_SYSTEM_TRACING_BASE ((zx_rsrc_system_base_t)14u)
#define ZX_RSRC_SYSTEM_SAMPLING_BASE ((zx_rsrc_system_base_t)15u)
#define ZX_RSRC_SYSTEM_COUNT ((zx_rsrc_system_base_t)16u)

#endif
