/* The platform the supervisor installs (host/platform.h): the Linux-only hooks of
 * host/sv/platform.c, and those that need the supervisor's own records of guests (struct
 * sv_proc: spawning and adopting, threads, the work transport of launcher/sv_work.c), adapted
 * here from the platform's types to the records'. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "host/platform.h"
#include "host/sv/loop.h"
#include "host/sv/memfd.h"
#include "host/sv/platform.h"
#include "host/sv/spawn.h"
#include "host/sv/uffd.h"
#include "kobj/task.h"
#include "launcher/sv_internal.h"
#include "launcher/sv_paths.h"
#include "launcher/sv_work.h"

extern char** environ;

static struct sv_proc* proc_of_host(void* host) {
  return container_of((struct host_guest*)host, struct sv_proc, g);
}

struct sv_proc* sv_proc_new(void) {
  struct sv_proc* p = calloc(1, sizeof(*p));
  if (!p) return NULL;
  p->g.pidfd = p->g.listener = -1;
  p->spawn_agent = -1;
  list_init(&p->threads);
  list_init(&p->node);
  sv_work_init(p);
  return p;
}

/* ---- one guest process */

static void hp_release(void* host) {
  struct sv_proc* p = proc_of_host(host);
  p->kp = NULL;
  if (!p->adopted) {
    /* Its process object could not be made: nothing else knows of it. */
    host_guest_kill(&p->g);
    host_guest_close(&p->g);
    if (p->spawn_agent >= 0) close(p->spawn_agent);
    if (p->work_chan >= 0) close(p->work_chan);
    free(p);
    return;
  }
  if (p->exited) sv_proc_discard(p);
}

/* Meets every Linux thread of a guest, so thread lists show threads that made no call yet. */
static void hp_sync_threads(void* host) {
  struct sv_proc* p = proc_of_host(host);
  if (p->exited || !p->kp) return;
  sv_work_learn_agent(p);
  char path[64];
  snprintf(path, sizeof(path), "/proc/%d/task", (int)p->g.pid);
  DIR* d = opendir(path);
  if (!d) return;
  struct dirent* e;
  while ((e = readdir(d)) != NULL) {
    char* end;
    long tid = strtol(e->d_name, &end, 10);
    if (*end || tid <= 0) continue;
    if ((pid_t)tid == p->agent_tid) continue; /* zum's own agent is no Zircon thread */
    sv_thread_of(p, (pid_t)tid, NULL);
  }
  closedir(d);
}

static int hp_uffd_wp(void* host, uint64_t addr, uint64_t len, bool missing) {
  struct sv_proc* p = proc_of_host(host);
  if (p->uffd_fd < 0) return ENOSYS;
  return host_uffd_write_protect(p->uffd_fd, addr, len, missing);
}

static int hp_uffd_release(void* host, uint64_t addr, uint64_t len) {
  return host_uffd_release(proc_of_host(host)->uffd_fd, addr, len);
}

static bool hp_learn_caps(void* host) { return sv_work_learn_caps(proc_of_host(host)); }

/* A pure process's stub started the thread with koid `thread` as Linux thread tid. */
static void hp_thread_started(void* host, zx_koid_t thread, pid_t tid) {
  struct sv_proc* p = proc_of_host(host);
  struct kthread* t = p->kp ? kproc_find_thread_koid(p->kp, thread) : NULL;
  if (t) sv_bind_thread(p, t, tid);
}

/* Suspension: the stub's handler of ZUM_SUSPEND_SIGNAL reports and waits in a parked call, so
 * letting the thread go needs nothing of Linux (kobj/suspend.c completes that call). Only pure
 * processes are asked (their stub has the handler). */
static int hp_thread_suspend(void* host, pid_t tid, bool stop) {
  if (!stop) return 0;
  struct sv_proc* p = proc_of_host(host);
  return syscall(SYS_tgkill, p->g.pid, tid, ZUM_SUSPEND_SIGNAL) == 0 ? 0 : -errno;
}

const struct platform_proc_ops sv_proc_ops = {
    .read = host_platform_read,
    .write = host_platform_write,
    .kill = host_platform_kill,
    .mem_stats = host_platform_mem_stats,
    .release = hp_release,
    .thread_info = host_platform_thread_info,
    .sync_threads = hp_sync_threads,
    .work_deliver = sv_work_deliver,
    .work_send = sv_work_send,
    .work_agent = sv_work_has_agent,
    .thread_started = hp_thread_started,
    .uffd_wp = hp_uffd_wp,
    .uffd_release = hp_uffd_release,
    .learn_caps = hp_learn_caps,
    .thread_sched = host_platform_thread_sched,
    .thread_suspend = hp_thread_suspend,
};

/* ---- making processes */

static zx_status_t pl_spawn_hosted(const char* path, char* const argv[], void** host,
                                   const struct platform_proc_ops** ops) {
  struct sv_proc* p = sv_proc_new();
  if (!p) return ZX_ERR_NO_MEMORY;
  char* empty[] = {(char*)path, NULL};
  int r = host_spawn_hosted(path, argv && argv[0] ? argv : empty, environ, &p->g);
  if (r != 0) {
    free(p);
    return r == -ENOENT ? ZX_ERR_NOT_FOUND : r == -EACCES ? ZX_ERR_ACCESS_DENIED : ZX_ERR_IO;
  }
  *host = &p->g;
  *ops = &sv_proc_ops;
  return ZX_OK;
}

/* zum-stub: next to zum (a build tree), in ../libexec/zum (an installed tree), or where
 * configure said; ZUM_STUB overrides. */
static const char* stub_path(void) {
  return sv_find_file("ZUM_STUB", "zum-stub",
                      (const char* const[]){"zum-stub", "../libexec/zum/zum-stub", NULL},
                      ZUM_PKGLIBEXECDIR);
}

static zx_status_t pl_spawn_pure(const char* name, void** host,
                                 const struct platform_proc_ops** ops) {
  const char* stub = stub_path();
  if (!stub) {
    fprintf(stderr, "zum: cannot find zum-stub (set ZUM_STUB): pure processes are unavailable\n");
    return ZX_ERR_NOT_SUPPORTED;
  }
  struct sv_proc* p = sv_proc_new();
  if (!p) return ZX_ERR_NO_MEMORY;
  int agent = -1, work = -1;
  int r = host_spawn_pure(stub, name, &p->g, &agent, &work);
  if (r != 0) {
    free(p);
    return r == -ENOMEM ? ZX_ERR_NO_MEMORY : ZX_ERR_NO_RESOURCES;
  }
  p->work_chan = work;
  p->spawn_agent = agent;
  *host = &p->g;
  *ops = &sv_proc_ops;
  return ZX_OK;
}

static zx_status_t pl_adopt(void* host, void* kproc) {
  struct sv_proc* p = proc_of_host(host);
  zx_status_t s = sv_serve(p, kproc);
  int agent = p->spawn_agent;
  p->spawn_agent = -1;
  if (agent >= 0) {
    if (s == ZX_OK && sv_work_adopt_agent(p, agent) != 0) s = ZX_ERR_NO_RESOURCES;
    else if (s != ZX_OK) close(agent);
  }
  return s;
}

FILE* sv_debuglog_file;

/* As libzum counts them for zx_system_get_num_cpus (the vDSO's answer). */
static uint32_t pl_num_cpus(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? (uint32_t)n : 1;
}

/* Debuglog lines: to the chosen file, else to stderr with the kernel console's other lines. */
static void pl_debuglog_write(const char* buf, size_t len) {
  if (!sv_debuglog_file) {
    host_platform_debug_write(buf, len);
    return;
  }
  fwrite(buf, 1, len, sv_debuglog_file);
  fflush(sv_debuglog_file);
}

/* What the supervisor holds per object: a VMO's memfd; a process's pidfd, seccomp listener,
 * agent socket, work channel and userfaultfd (host/sv/guest.h, launcher/sv_internal.h); a
 * thread's pidfd (sv_threads.c). */
static const struct platform_costs sv_costs = {.store_fds = 1, .proc_fds = 5, .thread_fds = 1};

const struct platform_ops sv_platform = {
    .now = host_clock_monotonic,
    .boot_now = host_clock_boot,
    .utc_now = host_clock_utc,
    .random32 = host_random32,
    .random_fill = host_random_fill,
    .debug_write = host_platform_debug_write,
    .debuglog_write = pl_debuglog_write,
    .num_cpus = pl_num_cpus,
    .mem = &host_memfd_mem_ops,
    .fd_budget = host_fd_budget,
    .costs = &sv_costs,
    .spawn_hosted = pl_spawn_hosted,
    .spawn_pure = pl_spawn_pure,
    .adopt = pl_adopt,
    .attach_agent = sv_work_attach_agent,
    .attach_work_channel = sv_work_attach_work_channel,
    .report_fault = host_platform_report_fault,
};
