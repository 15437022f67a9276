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

/* The return code of a process that a Linux signal killed behind the kernel's back: kill -9 from
 * outside, Linux's OOM killer, a seccomp kill (SIGSYS), a fatal signal nobody handled (but not
 * a hosted program's own hardware fault, SIGSEGV, SIGBUS, SIGILL, SIGFPE or SIGTRAP: that is an
 * unhandled exception, ZX_TASK_RETCODE_EXCEPTION_KILL, as a pure process's). Zircon has
 * no such death (its processes end by exiting, by zx_task_kill: ZX_TASK_RETCODE_SYSCALL_KILL, or
 * by the kernel's ZX_TASK_RETCODE_* causes), and none of those codes would be true: not even
 * ZX_TASK_RETCODE_OOM_KILL, as a SIGKILL does not say who sent it. So zum adds one code per
 * signal, ZUM_TASK_RETCODE_SIGNAL_KILL(signo) = -4096 - signo (SIGKILL: -4105, SIGSYS: -4127):
 * never 0-255 (exit codes), never Zircon's -1024 downwards ZX_TASK_RETCODE_* range, and it
 * names the signal. `zum run` prints it with the signal's name and exits 255. */
#define ZUM_TASK_RETCODE_SIGNAL_BASE (-4096)
#define ZUM_TASK_RETCODE_SIGNAL_KILL(signo) (ZUM_TASK_RETCODE_SIGNAL_BASE - (int64_t)(signo))
/* Linux signal numbers are 1-64. */
#define ZUM_TASK_RETCODE_IS_SIGNAL_KILL(code) \
  ((code) < ZUM_TASK_RETCODE_SIGNAL_BASE && (code) >= ZUM_TASK_RETCODE_SIGNAL_BASE - 64)

/* The most startup handles zum_spawn passes. */
#define ZUM_SPAWN_MAX_HANDLES 64u
#define ZUM_SPAWN_MAX_ARGS 256u
#define ZUM_SPAWN_MAX_ARG_BYTES 65536u

__END_CDECLS

#endif
