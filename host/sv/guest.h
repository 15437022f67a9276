/* The Linux side of one guest process: its pid, pidfd, seccomp listener and memory access. */
#ifndef ZUM_HOST_GUEST_H_
#define ZUM_HOST_GUEST_H_

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct host_guest {
  pid_t pid;
  int pidfd;      /* readable when the process has exited */
  int listener;   /* seccomp notifications of its threads */
  bool is_child;  /* ours to reap with waitid */
  bool killed;
};

/* Reads or writes guest memory with process_vm_readv/writev, which honour the guest's page
 * protections (a read-only page cannot be written, unlike through /proc/PID/mem). The pid cannot
 * be reused while the supervisor holds the unreaped process, so no notification-id check is
 * needed after the access. Returns 0 or -1. */
int host_guest_read(struct host_guest* g, uint64_t addr, void* buf, size_t len);
int host_guest_write(struct host_guest* g, uint64_t addr, const void* buf, size_t len);
void host_guest_kill(struct host_guest* g);
/* After pidfd became readable: reaps a child and returns its Zircon-style return code: its exit
 * status; if a signal killed it (*out_signal = signo), ZX_TASK_RETCODE_EXCEPTION_KILL for a
 * hardware fault's signal (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP), else
 * ZUM_TASK_RETCODE_SIGNAL_KILL(signo) (<zum/zum.h>). Non-children, whose status only their parent learns, return `unknown_code`. */
int64_t host_guest_reap(struct host_guest* g, int64_t unknown_code, int* out_signal);
/* Reads VmSize, RSS and shared memory for ZX_INFO_TASK_STATS. */
int host_guest_mem_stats(struct host_guest* g, uint64_t* mapped, uint64_t* private_bytes,
                         uint64_t* shared);
/* Thread group id of a Linux thread, from /proc; -1 if gone. */
pid_t host_tgid_of(pid_t tid);
/* The comm name of a Linux thread (for thread names); empty on failure. */
void host_thread_comm(pid_t tid, char* buf, size_t len);
void host_guest_close(struct host_guest* g);

int host_pidfd_open(pid_t pid, bool thread);

#endif
