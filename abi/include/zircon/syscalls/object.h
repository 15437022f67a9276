/* zx_object_get_info topics and records, and object properties (current Zircon object.h). */
#ifndef ZIRCON_SYSCALLS_OBJECT_H_
#define ZIRCON_SYSCALLS_OBJECT_H_

#include <zircon/types.h>

typedef uint32_t zx_object_info_topic_t;

#define __ZX_INFO_TOPIC(t, v) ((zx_object_info_topic_t)(t) | ((zx_object_info_topic_t)(v) << 28))

#define ZX_INFO_NONE ((zx_object_info_topic_t)0u)
#define ZX_INFO_HANDLE_VALID ((zx_object_info_topic_t)1u)
#define ZX_INFO_HANDLE_BASIC ((zx_object_info_topic_t)2u)
#define ZX_INFO_PROCESS __ZX_INFO_TOPIC(3u, 1)
#define ZX_INFO_PROCESS_THREADS ((zx_object_info_topic_t)4u)
#define ZX_INFO_VMAR ((zx_object_info_topic_t)7u)
#define ZX_INFO_JOB_CHILDREN ((zx_object_info_topic_t)8u)
#define ZX_INFO_JOB_PROCESSES ((zx_object_info_topic_t)9u)
#define ZX_INFO_THREAD ((zx_object_info_topic_t)10u)
#define ZX_INFO_THREAD_EXCEPTION_REPORT_V1 ((zx_object_info_topic_t)11u)
#define ZX_INFO_THREAD_EXCEPTION_REPORT __ZX_INFO_TOPIC(11u, 1)
#define ZX_INFO_TASK_STATS_V1 ((zx_object_info_topic_t)12u)
#define ZX_INFO_TASK_STATS __ZX_INFO_TOPIC(12u, 1)
#define ZX_INFO_PROCESS_MAPS_V1 ((zx_object_info_topic_t)13u)
#define ZX_INFO_PROCESS_MAPS_V2 __ZX_INFO_TOPIC(13u, 1)
#define ZX_INFO_PROCESS_MAPS __ZX_INFO_TOPIC(13u, 2)
#define ZX_INFO_PROCESS_VMOS_V1 ((zx_object_info_topic_t)14u)
#define ZX_INFO_PROCESS_VMOS_V2 __ZX_INFO_TOPIC(14u, 1)
#define ZX_INFO_PROCESS_VMOS_V3 __ZX_INFO_TOPIC(14u, 2)
#define ZX_INFO_PROCESS_VMOS __ZX_INFO_TOPIC(14u, 3)
#define ZX_INFO_THREAD_STATS ((zx_object_info_topic_t)15u)
#define ZX_INFO_CPU_STATS ((zx_object_info_topic_t)16u)
#define ZX_INFO_KMEM_STATS_V1 ((zx_object_info_topic_t)17u)
#define ZX_INFO_KMEM_STATS __ZX_INFO_TOPIC(17u, 1)
#define ZX_INFO_RESOURCE ((zx_object_info_topic_t)18u)
#define ZX_INFO_HANDLE_COUNT ((zx_object_info_topic_t)19u)
#define ZX_INFO_BTI ((zx_object_info_topic_t)20u)
#define ZX_INFO_PROCESS_HANDLE_STATS ((zx_object_info_topic_t)21u)
#define ZX_INFO_SOCKET ((zx_object_info_topic_t)22u)
#define ZX_INFO_VMO_V1 ((zx_object_info_topic_t)23u)
#define ZX_INFO_VMO_V2 __ZX_INFO_TOPIC(23u, 1)
#define ZX_INFO_VMO_V3 __ZX_INFO_TOPIC(23u, 2)
#define ZX_INFO_VMO __ZX_INFO_TOPIC(23u, 3)
#define ZX_INFO_JOB ((zx_object_info_topic_t)24u)
#define ZX_INFO_TIMER ((zx_object_info_topic_t)25u)
#define ZX_INFO_STREAM ((zx_object_info_topic_t)26u)
#define ZX_INFO_HANDLE_TABLE ((zx_object_info_topic_t)27u)
#define ZX_INFO_MSI ((zx_object_info_topic_t)28u)
#define ZX_INFO_GUEST_STATS ((zx_object_info_topic_t)29u)
#define ZX_INFO_TASK_RUNTIME_V1 ((zx_object_info_topic_t)30u)
#define ZX_INFO_TASK_RUNTIME __ZX_INFO_TOPIC(30u, 1)
#define ZX_INFO_KMEM_STATS_EXTENDED ((zx_object_info_topic_t)31u)
#define ZX_INFO_VCPU ((zx_object_info_topic_t)32u)
#define ZX_INFO_KMEM_STATS_COMPRESSION ((zx_object_info_topic_t)33u)
#define ZX_INFO_IOB ((zx_object_info_topic_t)34u)
#define ZX_INFO_IOB_REGIONS ((zx_object_info_topic_t)35u)
#define ZX_INFO_VMAR_MAPS ((zx_object_info_topic_t)36u)
#define ZX_INFO_POWER_DOMAINS ((zx_object_info_topic_t)37u)
#define ZX_INFO_MEMORY_STALL ((zx_object_info_topic_t)38u)
#define ZX_INFO_INTERRUPT ((zx_object_info_topic_t)39u)
#define ZX_INFO_CLOCK_MAPPED_SIZE ((zx_object_info_topic_t)40u)

#define ZX_INFO_INVALID_CPU ((uint32_t)0xFFFFFFFFu)

typedef struct zx_info_handle_basic {
  zx_koid_t koid;
  zx_rights_t rights;
  zx_obj_type_t type;
  zx_koid_t related_koid;
  uint32_t reserved;
  uint8_t padding1[4];
} zx_info_handle_basic_t;

typedef struct zx_info_handle_extended {
  zx_obj_type_t type;
  zx_handle_t handle_value;
  zx_rights_t rights;
  uint32_t reserved;
  zx_koid_t koid;
  zx_koid_t related_koid;
  zx_koid_t peer_owner_koid;
} zx_info_handle_extended_t;

typedef struct zx_info_handle_count {
  uint32_t handle_count;
} zx_info_handle_count_t;

typedef struct zx_info_process_handle_stats {
  uint32_t handle_count[ZX_OBJ_TYPE_UPPER_BOUND];
} zx_info_process_handle_stats_t;

#define ZX_INFO_PROCESS_FLAG_STARTED ((uint32_t)1u << 0)
#define ZX_INFO_PROCESS_FLAG_EXITED ((uint32_t)1u << 1)
#define ZX_INFO_PROCESS_FLAG_DEBUGGER_ATTACHED ((uint32_t)1u << 2)

typedef struct zx_info_process {
  int64_t return_code;
  zx_instant_mono_t start_time;
  uint32_t flags;
  uint8_t padding1[4];
} zx_info_process_t;

typedef struct zx_info_job {
  int64_t return_code;
  bool exited;
  bool kill_on_oom;
  bool debugger_attached;
  uint8_t padding1[5];
} zx_info_job_t;

typedef uint32_t zx_thread_state_t;
#define ZX_THREAD_STATE_NEW ((zx_thread_state_t)0x0000u)
#define ZX_THREAD_STATE_RUNNING ((zx_thread_state_t)0x0001u)
#define ZX_THREAD_STATE_SUSPENDED ((zx_thread_state_t)0x0002u)
#define ZX_THREAD_STATE_BLOCKED ((zx_thread_state_t)0x0003u)
#define ZX_THREAD_STATE_DYING ((zx_thread_state_t)0x0004u)
#define ZX_THREAD_STATE_DEAD ((zx_thread_state_t)0x0005u)
#define ZX_THREAD_STATE_BLOCKED_EXCEPTION ((zx_thread_state_t)0x0103u)
#define ZX_THREAD_STATE_BLOCKED_SLEEPING ((zx_thread_state_t)0x0203u)
#define ZX_THREAD_STATE_BLOCKED_FUTEX ((zx_thread_state_t)0x0303u)
#define ZX_THREAD_STATE_BLOCKED_PORT ((zx_thread_state_t)0x0403u)
#define ZX_THREAD_STATE_BLOCKED_CHANNEL ((zx_thread_state_t)0x0503u)
#define ZX_THREAD_STATE_BLOCKED_WAIT_ONE ((zx_thread_state_t)0x0603u)
#define ZX_THREAD_STATE_BLOCKED_WAIT_MANY ((zx_thread_state_t)0x0703u)
#define ZX_THREAD_STATE_BLOCKED_INTERRUPT ((zx_thread_state_t)0x0803u)
#define ZX_THREAD_STATE_BLOCKED_PAGER ((zx_thread_state_t)0x0903u)
#define ZX_THREAD_STATE_BASIC(n) ((n)&0xff)

#define ZX_EXCEPTION_CHANNEL_TYPE_NONE ((uint32_t)0u)
#define ZX_EXCEPTION_CHANNEL_TYPE_DEBUGGER ((uint32_t)1u)
#define ZX_EXCEPTION_CHANNEL_TYPE_THREAD ((uint32_t)2u)
#define ZX_EXCEPTION_CHANNEL_TYPE_PROCESS ((uint32_t)3u)
#define ZX_EXCEPTION_CHANNEL_TYPE_JOB ((uint32_t)4u)
#define ZX_EXCEPTION_CHANNEL_TYPE_JOB_DEBUGGER ((uint32_t)5u)

#define ZX_CPU_SET_MAX_CPUS 512
#define ZX_CPU_SET_BITS_PER_WORD 64
typedef struct zx_cpu_set {
  uint64_t mask[ZX_CPU_SET_MAX_CPUS / ZX_CPU_SET_BITS_PER_WORD];
} zx_cpu_set_t;

typedef struct zx_info_thread {
  zx_thread_state_t state;
  uint32_t wait_exception_channel_type;
  zx_cpu_set_t cpu_affinity_mask;
} zx_info_thread_t;

typedef struct zx_info_thread_stats {
  zx_duration_mono_t total_runtime;
  uint32_t last_scheduled_cpu;
  uint8_t padding1[4];
} zx_info_thread_stats_t;

typedef struct zx_info_task_stats {
  size_t mem_mapped_bytes;
  size_t mem_private_bytes;
  size_t mem_shared_bytes;
  size_t mem_scaled_shared_bytes;
  uint64_t mem_fractional_scaled_shared_bytes;
} zx_info_task_stats_t;

typedef struct zx_info_task_stats_v1 {
  size_t mem_mapped_bytes;
  size_t mem_private_bytes;
  size_t mem_shared_bytes;
  size_t mem_scaled_shared_bytes;
} zx_info_task_stats_v1_t;

typedef struct zx_info_task_runtime {
  zx_duration_mono_t cpu_time;
  zx_duration_mono_t queue_time;
  zx_duration_mono_t page_fault_time;
  zx_duration_mono_t lock_contention_time;
} zx_info_task_runtime_t;

typedef struct zx_info_timer {
  uint32_t options;
  zx_clock_t clock_id;
  zx_instant_mono_t deadline;
  zx_duration_mono_t slack;
} zx_info_timer_t;

typedef struct zx_info_vmar {
  uintptr_t base;
  size_t len;
} zx_info_vmar_t;

/* ZX_INFO_RESOURCE. */
typedef struct zx_info_resource {
  uint32_t kind;
  uint32_t flags;
  uint64_t base;
  size_t size;
  char name[ZX_MAX_NAME_LEN];
} zx_info_resource_t;

typedef struct zx_info_socket {
  uint32_t options;
  uint8_t padding1[4];
  size_t rx_buf_max;
  size_t rx_buf_size;
  size_t rx_buf_available;
  size_t tx_buf_max;
  size_t tx_buf_size;
} zx_info_socket_t;

typedef struct zx_info_stream {
  uint32_t options;
  uint8_t padding1[4];
  zx_off_t seek;
  uint64_t content_size;
} zx_info_stream_t;

/* ZX_INFO_PROCESS_MAPS and ZX_INFO_VMAR_MAPS: the aspace/VMAR/mapping tree in depth-first
 * pre-order. The current record (152 bytes) and the V2 (104) and V1 (96) layouts. */
typedef struct zx_info_maps_mapping {
  zx_vm_option_t mmu_flags;
  uint8_t padding1[4];
  zx_koid_t vmo_koid;
  uint64_t vmo_offset;
  size_t committed_bytes;
  size_t populated_bytes;
  size_t committed_private_bytes;
  size_t populated_private_bytes;
  size_t committed_scaled_bytes;
  size_t populated_scaled_bytes;
  uint64_t committed_fractional_scaled_bytes;
  uint64_t populated_fractional_scaled_bytes;
} zx_info_maps_mapping_t;

typedef struct zx_info_maps_mapping_v2 {
  zx_vm_option_t mmu_flags;
  uint8_t padding1[4];
  zx_koid_t vmo_koid;
  uint64_t vmo_offset;
  size_t committed_pages;
  size_t populated_pages;
} zx_info_maps_mapping_v2_t;

typedef struct zx_info_maps_mapping_v1 {
  zx_vm_option_t mmu_flags;
  uint8_t padding1[4];
  zx_koid_t vmo_koid;
  uint64_t vmo_offset;
  size_t committed_pages;
} zx_info_maps_mapping_v1_t;

typedef uint32_t zx_info_maps_type_t;
#define ZX_INFO_MAPS_TYPE_NONE ((zx_info_maps_type_t)0u)
#define ZX_INFO_MAPS_TYPE_ASPACE ((zx_info_maps_type_t)1u)
#define ZX_INFO_MAPS_TYPE_VMAR ((zx_info_maps_type_t)2u)
#define ZX_INFO_MAPS_TYPE_MAPPING ((zx_info_maps_type_t)3u)

typedef struct zx_info_maps {
  char name[ZX_MAX_NAME_LEN];
  zx_vaddr_t base;
  size_t size;
  size_t depth;
  zx_info_maps_type_t type;
  uint8_t padding1[4];
  union {
    zx_info_maps_mapping_t mapping;
  } u;
} zx_info_maps_t;

typedef struct zx_info_maps_v2 {
  char name[ZX_MAX_NAME_LEN];
  zx_vaddr_t base;
  size_t size;
  size_t depth;
  zx_info_maps_type_t type;
  uint8_t padding1[4];
  union {
    zx_info_maps_mapping_v2_t mapping;
  } u;
} zx_info_maps_v2_t;

typedef struct zx_info_maps_v1 {
  char name[ZX_MAX_NAME_LEN];
  zx_vaddr_t base;
  size_t size;
  size_t depth;
  zx_info_maps_type_t type;
  uint8_t padding1[4];
  union {
    zx_info_maps_mapping_v1_t mapping;
  } u;
} zx_info_maps_v1_t;

/* ZX_INFO_VMO records and flags (also the element of ZX_INFO_PROCESS_VMOS). */
#define ZX_INFO_VMO_TYPE_PAGED ((uint32_t)1u << 0)
#define ZX_INFO_VMO_TYPE_PHYSICAL ((uint32_t)0u << 0)
#define ZX_INFO_VMO_TYPE(flags) ((flags) & ((uint32_t)1u << 0))
#define ZX_INFO_VMO_RESIZABLE ((uint32_t)1u << 1)
#define ZX_INFO_VMO_IS_COW_CLONE ((uint32_t)1u << 2)
#define ZX_INFO_VMO_VIA_HANDLE ((uint32_t)1u << 3)
#define ZX_INFO_VMO_VIA_MAPPING ((uint32_t)1u << 4)
#define ZX_INFO_VMO_PAGER_BACKED ((uint32_t)1u << 5)
#define ZX_INFO_VMO_CONTIGUOUS ((uint32_t)1u << 6)
#define ZX_INFO_VMO_DISCARDABLE ((uint32_t)1u << 7)
#define ZX_INFO_VMO_IMMUTABLE ((uint32_t)1u << 8)
#define ZX_INFO_VMO_VIA_IOB_HANDLE ((uint32_t)1u << 9)

typedef struct zx_info_vmo {
  zx_koid_t koid;
  char name[ZX_MAX_NAME_LEN];
  uint64_t size_bytes;
  zx_koid_t parent_koid;
  size_t num_children;
  size_t num_mappings;
  size_t share_count;
  uint32_t flags;
  uint8_t padding1[4];
  uint64_t committed_bytes;
  zx_rights_t handle_rights;
  uint32_t cache_policy;
  uint64_t metadata_bytes;
  uint64_t committed_change_events;
  uint64_t populated_bytes;
  uint64_t committed_private_bytes;
  uint64_t populated_private_bytes;
  uint64_t committed_scaled_bytes;
  uint64_t populated_scaled_bytes;
  uint64_t committed_fractional_scaled_bytes;
  uint64_t populated_fractional_scaled_bytes;
} zx_info_vmo_t;

/* The older records are prefixes of the current one. */
typedef struct zx_info_vmo_v3 {
  zx_koid_t koid;
  char name[ZX_MAX_NAME_LEN];
  uint64_t size_bytes;
  zx_koid_t parent_koid;
  size_t num_children;
  size_t num_mappings;
  size_t share_count;
  uint32_t flags;
  uint8_t padding1[4];
  uint64_t committed_bytes;
  zx_rights_t handle_rights;
  uint32_t cache_policy;
  uint64_t metadata_bytes;
  uint64_t committed_change_events;
  uint64_t populated_bytes;
} zx_info_vmo_v3_t;

typedef struct zx_info_vmo_v2 {
  zx_koid_t koid;
  char name[ZX_MAX_NAME_LEN];
  uint64_t size_bytes;
  zx_koid_t parent_koid;
  size_t num_children;
  size_t num_mappings;
  size_t share_count;
  uint32_t flags;
  uint8_t padding1[4];
  uint64_t committed_bytes;
  zx_rights_t handle_rights;
  uint32_t cache_policy;
  uint64_t metadata_bytes;
  uint64_t committed_change_events;
} zx_info_vmo_v2_t;

typedef struct zx_info_vmo_v1 {
  zx_koid_t koid;
  char name[ZX_MAX_NAME_LEN];
  uint64_t size_bytes;
  zx_koid_t parent_koid;
  size_t num_children;
  size_t num_mappings;
  size_t share_count;
  uint32_t flags;
  uint8_t padding1[4];
  uint64_t committed_bytes;
  zx_rights_t handle_rights;
  uint32_t cache_policy;
} zx_info_vmo_v1_t;

/* Object properties */
#define ZX_PROP_REGISTER_GS ((uint32_t)2u)
#define ZX_PROP_NAME ((uint32_t)3u)
#define ZX_PROP_REGISTER_FS ((uint32_t)4u)
#define ZX_PROP_PROCESS_DEBUG_ADDR ((uint32_t)5u)
#define ZX_PROP_PROCESS_VDSO_BASE_ADDRESS ((uint32_t)6u)
#define ZX_PROP_PROCESS_BREAK_ON_LOAD ((uint32_t)7u)
#define ZX_PROP_PROCESS_HW_TRACE_CONTEXT_ID ((uint32_t)8u)
#define ZX_PROP_SOCKET_RX_THRESHOLD ((uint32_t)12u)
#define ZX_PROP_SOCKET_TX_THRESHOLD ((uint32_t)13u)
#define ZX_PROP_JOB_KILL_ON_OOM ((uint32_t)15u)
#define ZX_PROP_EXCEPTION_STATE ((uint32_t)16u)
#define ZX_PROP_VMO_CONTENT_SIZE ((uint32_t)17u)
#define ZX_PROP_EXCEPTION_STRATEGY ((uint32_t)18u)
#define ZX_PROP_STREAM_MODE_APPEND ((uint32_t)19u)

#define ZX_MAX_NAME_LEN_PROP ZX_MAX_NAME_LEN

#endif
