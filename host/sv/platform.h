/* The Linux implementation of the platform's pieces that need nothing but Linux
 * (host/platform.h): guest memory and statistics of a struct host_guest, the console, fault
 * reports (VMO memory is host_memfd_mem_ops, host/sv/memfd.h). The supervisor's composition
 * (launcher/sv_platform.c) puts them into the tables it installs, next to the hooks that need
 * its own records. */
#ifndef ZUM_HOST_SV_PLATFORM_H_
#define ZUM_HOST_SV_PLATFORM_H_

#include "host/platform.h"

/* platform_proc_ops hooks whose `host` is a struct host_guest*. */
int host_platform_read(void* host, uint64_t addr, void* buf, size_t len);
int host_platform_write(void* host, uint64_t addr, const void* buf, size_t len);
void host_platform_kill(void* host);
int host_platform_mem_stats(void* host, uint64_t* mapped, uint64_t* private_bytes,
                            uint64_t* shared);
/* Allowed CPUs, run time and last CPU of a guest thread, from /proc and sched_getaffinity. */
int host_platform_thread_info(void* host, pid_t tid, struct platform_thread_info* out);
void host_platform_thread_sched(void* host, pid_t tid, bool set_nice, int nice,
                                const uint64_t* mask, size_t mask_words);

/* platform_ops hooks: the console is the supervisor's stderr; an unhandled exception is told
 * there as Zircon's crash logger would, so the user sees more than a return code. */
void host_platform_debug_write(const char* buf, size_t len);
void host_platform_report_fault(const char* proc_name, zx_koid_t proc, zx_koid_t thread,
                                uint32_t signo, uint32_t code, uint64_t addr, uint64_t pc);

#endif
