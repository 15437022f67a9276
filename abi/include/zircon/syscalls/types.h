#ifndef ZIRCON_SYSCALLS_TYPES_H_
#define ZIRCON_SYSCALLS_TYPES_H_

#include <zircon/types.h>

/* zx_system_get_features kinds */
#define ZX_FEATURE_KIND_CPU ((uint32_t)0)
#define ZX_FEATURE_KIND_HW_BREAKPOINT_COUNT ((uint32_t)1)
#define ZX_FEATURE_KIND_HW_WATCHPOINT_COUNT ((uint32_t)2)
#define ZX_FEATURE_KIND_ADDRESS_TAGGING ((uint32_t)3)
#define ZX_FEATURE_KIND_VM ((uint32_t)4)
#define ZX_VM_FEATURE_CAN_MAP_XOM ((uint32_t)1u << 0)

/* zx_system_get_event kinds */
#define ZX_SYSTEM_EVENT_OUT_OF_MEMORY ((uint32_t)1u)
#define ZX_SYSTEM_EVENT_MEMORY_PRESSURE_CRITICAL ((uint32_t)2u)
#define ZX_SYSTEM_EVENT_MEMORY_PRESSURE_WARNING ((uint32_t)3u)
#define ZX_SYSTEM_EVENT_MEMORY_PRESSURE_NORMAL ((uint32_t)4u)
#define ZX_SYSTEM_EVENT_IMMINENT_OUT_OF_MEMORY ((uint32_t)5u)

#endif
