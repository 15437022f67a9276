/* Per-process startup state (libc's <zircon/process.h>). In hosted programs libzum provides it. */
#ifndef ZIRCON_PROCESS_H_
#define ZIRCON_PROCESS_H_

#include <zircon/compiler.h>
#include <zircon/types.h>

__BEGIN_CDECLS

/* The calling thread's own handle. Do not close it. */
zx_handle_t _zx_thread_self(void);
zx_handle_t zx_thread_self(void);
/* The calling process's own handle. Do not close it. */
zx_handle_t _zx_process_self(void);
zx_handle_t zx_process_self(void);
/* The process's root VMAR. Do not close it. */
zx_handle_t _zx_vmar_root_self(void);
zx_handle_t zx_vmar_root_self(void);
/* The job new processes should go in by default (may be ZX_HANDLE_INVALID). */
zx_handle_t _zx_job_default(void);
zx_handle_t zx_job_default(void);
/* Claims the startup handle tagged exactly `hnd_info` (a PA_HND value); ZX_HANDLE_INVALID if none. */
zx_handle_t zx_take_startup_handle(uint32_t hnd_info);

__END_CDECLS

#endif
