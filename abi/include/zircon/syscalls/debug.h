/* Thread state for zx_thread_read_state/write_state, x86-64 (current Zircon debug.h). */
#ifndef ZIRCON_SYSCALLS_DEBUG_H_
#define ZIRCON_SYSCALLS_DEBUG_H_

#include <zircon/types.h>

typedef struct zx_x86_64_thread_state_general_regs {
  uint64_t rax;
  uint64_t rbx;
  uint64_t rcx;
  uint64_t rdx;
  uint64_t rsi;
  uint64_t rdi;
  uint64_t rbp;
  uint64_t rsp;
  uint64_t r8;
  uint64_t r9;
  uint64_t r10;
  uint64_t r11;
  uint64_t r12;
  uint64_t r13;
  uint64_t r14;
  uint64_t r15;
  uint64_t rip;
  uint64_t rflags;
  uint64_t fs_base;
  uint64_t gs_base;
} zx_x86_64_thread_state_general_regs_t;

typedef zx_x86_64_thread_state_general_regs_t zx_thread_state_general_regs_t;

typedef uint32_t zx_thread_state_topic_t;
#define ZX_THREAD_STATE_GENERAL_REGS ((uint32_t)0)
#define ZX_THREAD_STATE_FP_REGS ((uint32_t)1)
#define ZX_THREAD_STATE_VECTOR_REGS ((uint32_t)2)
#define ZX_THREAD_STATE_DEBUG_REGS ((uint32_t)4)
#define ZX_THREAD_STATE_SINGLE_STEP ((uint32_t)5)

typedef uint32_t zx_thread_state_single_step_t;

#endif
