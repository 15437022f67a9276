/* The supervisor's records of guests, shared by launcher/ files. Private to the supervisor. */
#ifndef ZUM_LAUNCHER_SV_INTERNAL_H_
#define ZUM_LAUNCHER_SV_INTERNAL_H_

#include <stdbool.h>
#include <stdio.h>

#include "host/sv/guest.h"
#include "host/sv/loop.h"
#include "host/sv/seccomp.h"
#include "kobj/kcall.h"
#include "kobj/list.h"
#include "kobj/task.h"

struct sv_proc;

#define SV_MAX_PENDING 16

/* A Linux thread of a guest that is not its main thread: watched so its exit is noticed. */
struct sv_thread {
  struct host_loop_source src;
  struct kthread* kt;
  struct sv_proc* p;
  struct list_node node;
};

struct sv_proc {
  struct host_guest g;
  struct kproc* kp;
  /* Its process object exists and the loop serves it (sv_serve); until then the agent socket
   * a pure process was spawned with waits in spawn_agent (-1: none). */
  bool adopted;
  int spawn_agent;
  struct host_loop_source listener_src;
  struct host_loop_source pidfd_src;
  struct list_node threads;
  struct list_node node;
  bool exited;
  /* The process's agent (a thread of the hosted runtime) for work asked by other processes. */
  int agent_fd;
  pid_t agent_tid;
  /* The process's userfaultfd, from its agent's hello (-1: none; host/sv/uffd.h). */
  int uffd_fd;
  /* The supervisor's end of the process's work channel (ZUM_WORK_FD_CHANNEL; -1: none), and
   * whether its runtime takes fds from it (ZUM_AGENT_CAP_WORK_FDS). */
  int work_chan;
  bool work_fds;
  struct host_loop_source agent_src;
  /* Requests from pure-process threads that trapped before their start was confirmed. */
  uint32_t num_pending;
  struct host_notif pending[SV_MAX_PENDING];
};

/* A trapped call, as the platform's hooks see it: the kcall and where to reply. */
struct platform_call {
  struct kcall k;
  struct sv_proc* p;
  int listener;
};

static inline struct sv_proc* sv_proc_of(struct kproc* kp) {
  return container_of((struct host_guest*)kp->host, struct sv_proc, g);
}

/* supervisor.c: serves a guest whose Linux process and listener exist, with process object kp
 * (platform_ops.adopt, bare mode); frees a record after the current loop iteration. */
zx_status_t sv_serve(struct sv_proc* p, struct kproc* kp);
void sv_proc_discard(struct sv_proc* p);

/* sv_threads.c: the kthread for Linux thread tid of p (NULL if it is none of p's, or, with *err
 * (may be NULL) set, if its job may hold no more threads: kobj/quota.h); stops watching p's
 * threads (p is gone). */
struct kthread* sv_thread_of(struct sv_proc* p, pid_t tid, zx_status_t* err);
void sv_threads_forget(struct sv_proc* p);

/* sv_platform.c: the platform the supervisor installs, its guests' operations, a fresh record. */
extern const struct platform_ops sv_platform;
/* Where debuglog lines go (`zum run --debuglog-file`); NULL: stderr. */
extern FILE* sv_debuglog_file;
extern const struct platform_proc_ops sv_proc_ops;
struct sv_proc* sv_proc_new(void);

/* A pure process's thread t now runs as Linux thread tid (sv_threads.c). */
void sv_bind_thread(struct sv_proc* p, struct kthread* t, pid_t tid);
/* Serves requests kept while their threads were not yet bound. */
void sv_retry_pending(struct sv_proc* p);

#endif
