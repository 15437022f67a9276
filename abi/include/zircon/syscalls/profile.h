/* Scheduler profiles (Zircon's zircon/syscalls/profile.h and scheduler.h). */
#ifndef ZIRCON_SYSCALLS_PROFILE_H_
#define ZIRCON_SYSCALLS_PROFILE_H_

#include <zircon/compiler.h>
#include <zircon/syscalls/object.h>
#include <zircon/types.h>

__BEGIN_CDECLS

#define ZX_PRIORITY_LOWEST 0
#define ZX_PRIORITY_LOW 8
#define ZX_PRIORITY_DEFAULT 16
#define ZX_PRIORITY_HIGH 24
#define ZX_PRIORITY_HIGHEST 31

#define ZX_PROFILE_INFO_FLAG_PRIORITY (1 << 0)
#define ZX_PROFILE_INFO_FLAG_CPU_MASK (1 << 1)
#define ZX_PROFILE_INFO_FLAG_DEADLINE (1 << 2)
#define ZX_PROFILE_INFO_FLAG_NO_INHERIT (1 << 3)
#define ZX_PROFILE_INFO_FLAG_MEMORY_PRIORITY (1 << 4)

typedef struct zx_sched_deadline_params {
  zx_duration_t capacity;
  zx_duration_t relative_deadline;
  zx_duration_t period;
} zx_sched_deadline_params_t;

typedef struct zx_profile_info {
  /* ZX_PROFILE_INFO_FLAG_*: which of the fields below are set. */
  uint32_t flags;
  uint8_t padding1[4];
  union {
    struct {
      int32_t priority;
      uint8_t padding2[20];
    };
    zx_sched_deadline_params_t deadline_params;
  };
  zx_cpu_set_t cpu_affinity_mask;
} zx_profile_info_t;

__END_CDECLS

#endif
