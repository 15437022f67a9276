/* zum_spawn: start another hosted program as a Zircon process (see <zum/zum.h>). */
#include <zircon/syscalls.h>
#include <zum/abi-private.h>
#include <zum/sysno.h>
#include <zum/zum.h>

#include "host/guest/libzum/runtime.h"

zx_status_t zum_spawn(zx_handle_t job, const char* path, const char* const* argv,
                      const zx_handle_t* handles, const uint32_t* handle_info, uint32_t num_handles,
                      zx_handle_t* proc_out) {
  static const char* const no_args[] = {NULL};
  zum_spawn_args_t a = {
      .path = (uint64_t)(uintptr_t)path,
      .argv = (uint64_t)(uintptr_t)(argv ? argv : no_args),
      .handles = (uint64_t)(uintptr_t)handles,
      .handle_info = (uint64_t)(uintptr_t)handle_info,
      .num_handles = num_handles,
  };
  return (zx_status_t)zum_hosted_call(ZUM_SYS_spawn, job, (uint64_t)(uintptr_t)&a,
                                     (uint64_t)(uintptr_t)proc_out);
}
