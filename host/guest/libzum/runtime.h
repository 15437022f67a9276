/* The hosted client library's start-up state (libzum). */
#ifndef ZUM_HOSTED_RUNTIME_H_
#define ZUM_HOSTED_RUNTIME_H_

#include <stddef.h>
#include <zum/abi-private.h>

extern zum_hosted_info_t zum_hosted_info;

/* A hosted-only zum call (H in abi/syscalls.txt: not in the vDSO, so no pure process finds it
 * there). Like the vDSO's stubs, a trap no supervisor answered ends in ud2 (SIGILL). */
int64_t zum_hosted_call(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2);

/* Runs address-space work handed back with ZUM_STATUS_WORK (the zum page's do_work hook). */
void zum_hosted_do_work(zum_work_t* w);
/* Ends the calling Linux thread at once, as zx_thread_exit does on Zircon (no libc cleanup). */
__attribute__((noreturn)) void zum_hosted_exit_thread(void);
/* Creates the process's userfaultfd and installs the SIGBUS handler that resolves copy-on-write
 * faults (host/guest/runtime/cow.c); returns the ZUM_AGENT_CAP_* bits the agent's hello tells. Before
 * the agent starts. */
int zum_hosted_cow_start(void);
/* Starts the agent thread serving work other processes ask for, on socket fd. */
void zum_hosted_start_agent(int fd);

/* Prints "zum: what: strerror(err)" and ends the process (start-up cannot go on). */
__attribute__((noreturn)) void zum_hosted_die(const char* what, int err);
/* Bare mode: starts a supervisor for this process and hands it the listener (bare.c). */
void zum_hosted_start_supervisor(void);
/* The zum executable to start as that supervisor, into out; exits with a message naming
 * ZUM_SUPERVISOR if there is none. */
void zum_hosted_supervisor_path(char* out, size_t len);

#endif
