/* zum extensions for hosted Zircon programs. Not part of Zircon's ABI. */
#ifndef ZUM_ZUM_H_
#define ZUM_ZUM_H_

#include <zircon/compiler.h>
#include <zircon/types.h>

__BEGIN_CDECLS

/* Starts the hosted Linux executable `path` as a new Zircon process in `job`, with `argv`
 * (NULL-terminated) as its arguments. The new process receives handles[i] (moved out of the
 * caller's table, whatever the outcome) as startup handles tagged handle_info[i] (PA_HND values),
 * which it claims with zx_take_startup_handle(). On success *proc_out is a process handle with
 * ZX_DEFAULT_PROCESS_RIGHTS. The job handle needs ZX_RIGHT_MANAGE_PROCESS. */
zx_status_t zum_spawn(zx_handle_t job, const char* path, const char* const* argv,
                      const zx_handle_t* handles, const uint32_t* handle_info, uint32_t num_handles,
                      zx_handle_t* proc_out);

/* The most startup handles zum_spawn passes. */
#define ZUM_SPAWN_MAX_HANDLES 64u
#define ZUM_SPAWN_MAX_ARGS 256u
#define ZUM_SPAWN_MAX_ARG_BYTES 65536u

__END_CDECLS

#endif
