/* Exceptions (current Zircon exception.h): types, reports, channel options. */
#ifndef ZIRCON_SYSCALLS_EXCEPTION_H_
#define ZIRCON_SYSCALLS_EXCEPTION_H_

#include <zircon/types.h>

typedef uint32_t zx_excp_type_t;

#define ZX_EXCP_SYNTH ((uint32_t)0x8000)
#define ZX_EXCP_IS_ARCH(excp) (((excp)&ZX_EXCP_SYNTH) == 0)

#define ZX_EXCP_GENERAL ((zx_excp_type_t)0x008u)
#define ZX_EXCP_FATAL_PAGE_FAULT ((zx_excp_type_t)0x108u)
#define ZX_EXCP_UNDEFINED_INSTRUCTION ((zx_excp_type_t)0x208u)
#define ZX_EXCP_SW_BREAKPOINT ((zx_excp_type_t)0x308u)
#define ZX_EXCP_HW_BREAKPOINT ((zx_excp_type_t)0x408u)
#define ZX_EXCP_UNALIGNED_ACCESS ((zx_excp_type_t)0x508u)
#define ZX_EXCP_THREAD_STARTING ((zx_excp_type_t)0x8008u)
#define ZX_EXCP_THREAD_EXITING ((zx_excp_type_t)0x8108u)
#define ZX_EXCP_POLICY_ERROR ((zx_excp_type_t)0x8208u)
#define ZX_EXCP_PROCESS_STARTING ((zx_excp_type_t)0x8308u)
#define ZX_EXCP_USER ((zx_excp_type_t)0x8309u)

#define ZX_EXCP_USER_CODE_PROCESS_NAME_CHANGED ((uint32_t)0x0001u)
#define ZX_EXCP_USER_CODE_USER0 ((uint32_t)0xF000u)
#define ZX_EXCP_USER_CODE_USER1 ((uint32_t)0xF001u)
#define ZX_EXCP_USER_CODE_USER2 ((uint32_t)0xF002u)

#define ZX_EXCP_POLICY_CODE_BAD_HANDLE 0u
#define ZX_EXCP_POLICY_CODE_WRONG_OBJECT 1u
#define ZX_EXCP_POLICY_CODE_VMAR_WX 2u
#define ZX_EXCP_POLICY_CODE_NEW_ANY 3u
#define ZX_EXCP_POLICY_CODE_NEW_VMO 4u
#define ZX_EXCP_POLICY_CODE_NEW_CHANNEL 5u
#define ZX_EXCP_POLICY_CODE_NEW_EVENT 6u
#define ZX_EXCP_POLICY_CODE_NEW_EVENTPAIR 7u
#define ZX_EXCP_POLICY_CODE_NEW_PORT 8u
#define ZX_EXCP_POLICY_CODE_NEW_SOCKET 9u
#define ZX_EXCP_POLICY_CODE_NEW_FIFO 10u
#define ZX_EXCP_POLICY_CODE_NEW_TIMER 11u
#define ZX_EXCP_POLICY_CODE_NEW_PROCESS 12u
#define ZX_EXCP_POLICY_CODE_NEW_PROFILE 13u
#define ZX_EXCP_POLICY_CODE_NEW_PAGER 14u
#define ZX_EXCP_POLICY_CODE_AMBIENT_MARK_VMO_EXEC 15u
#define ZX_EXCP_POLICY_CODE_CHANNEL_FULL_WRITE 16u
#define ZX_EXCP_POLICY_CODE_PORT_TOO_MANY_PACKETS 17u
#define ZX_EXCP_POLICY_CODE_BAD_SYSCALL 18u
#define ZX_EXCP_POLICY_CODE_PORT_TOO_MANY_OBSERVERS 19u
#define ZX_EXCP_POLICY_CODE_HANDLE_LEAK 20u
#define ZX_EXCP_POLICY_CODE_NEW_IOB 21u
#define ZX_EXCP_POLICY_CODE_NEW_SAMPLER 22u

typedef struct zx_x86_64_exc_data {
  uint64_t vector;
  uint64_t err_code;
  uint64_t cr2;
} zx_x86_64_exc_data_t;

typedef struct zx_arm64_exc_data {
  uint32_t esr;
  uint8_t padding1[4];
  uint64_t far;
  uint8_t padding2[8];
} zx_arm64_exc_data_t;

typedef struct zx_riscv64_exc_data {
  uint64_t cause;
  uint64_t tval;
  uint8_t padding1[8];
} zx_riscv64_exc_data_t;

typedef struct zx_exception_context {
  struct {
    union {
      zx_x86_64_exc_data_t x86_64;
      zx_arm64_exc_data_t arm_64;
      zx_riscv64_exc_data_t riscv_64;
    } u;
  } arch;
  uint32_t synth_code;
  uint32_t synth_data;
} zx_exception_context_t;

typedef struct zx_exception_header {
  uint32_t size;
  zx_excp_type_t type;
} zx_exception_header_t;

typedef struct zx_exception_report {
  zx_exception_header_t header;
  zx_exception_context_t context;
} zx_exception_report_t;

typedef struct zx_exception_info {
  zx_koid_t pid;
  zx_koid_t tid;
  zx_excp_type_t type;
  uint8_t padding1[4];
} zx_exception_info_t;

#define ZX_EXCEPTION_STATE_TRY_NEXT 0u
#define ZX_EXCEPTION_STATE_HANDLED 1u
#define ZX_EXCEPTION_STATE_THREAD_EXIT 2u
#define ZX_EXCEPTION_STRATEGY_FIRST_CHANCE 0u
#define ZX_EXCEPTION_STRATEGY_SECOND_CHANCE 1u

#endif
