/* Structures shared by zum's vDSO, client library and supervisor. Private to zum. */
#ifndef ZUM_ABI_PRIVATE_H_
#define ZUM_ABI_PRIVATE_H_

#include <stdint.h>
#include <zircon/types.h>

/* A guest address as the supervisor sees it: a number, never a host pointer. */
typedef uint64_t zum_uaddr_t;

/* The zum page: one read-only page at a fixed address below the Zircon user base in every guest,
 * filled by the guest-side runtime before any Zircon code runs. The vDSO's local calls read it;
 * because its address is a constant, the vDSO needs no relocations. */
#define ZUM_PAGE_ADDR 0x1ff000ul
#define ZUM_PAGE_MAGIC 0x7a756d50616765ull /* "zumPage" */

typedef struct zum_page {
  uint64_t magic;
  /* int clock_gettime(clockid_t, struct timespec*), Linux's vDSO or libc: reads CLOCK_MONOTONIC
   * and CLOCK_BOOTTIME without a system call. */
  uint64_t clock_gettime_fn;
  uint64_t physmem;
  uint32_t num_cpus;
  uint32_t dcache_line_size;
  uint32_t page_size;
  uint32_t reserved;
} zum_page_t;

/* Filled in by the private hosted_init call for a hosted program. */
#define ZUM_HOSTED_MAX_STARTUP 64u
typedef struct zum_hosted_info {
  zx_handle_t process_self;
  zx_handle_t vmar_root_self;
  zx_handle_t job_default;
  zx_handle_t thread_self;
  uint32_t num_startup;
  uint32_t reserved;
  zx_handle_t startup_handles[ZUM_HOSTED_MAX_STARTUP];
  uint32_t startup_info[ZUM_HOSTED_MAX_STARTUP];
} zum_hosted_info_t;

/* Arguments of the private spawn call (see zum_spawn in <zum/zum.h>). */
typedef struct zum_spawn_args {
  uint64_t path;        /* const char*, NUL-terminated */
  uint64_t argv;        /* const char* const*, NULL-terminated */
  uint64_t handles;     /* const zx_handle_t* */
  uint64_t handle_info; /* const uint32_t* */
  uint32_t num_handles;
  uint32_t reserved;
} zum_spawn_args_t;

#endif
