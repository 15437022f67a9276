#include "launcher/supervisor.h"

#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zircon/processargs.h>

#include "host/sv/guest.h"
#include "host/sv/loop.h"
#include "host/sv/seccomp.h"
#include "host/sv/spawn.h"
#include "host/sv/uffd.h"
#include "kobj/deadline.h"
#include "mm/vmar.h"
#include "kobj/kcall_table.h"
#include "kobj/khost.h"
#include "kobj/task.h"
#include "launcher/sv_internal.h"
#include "launcher/sv_paths.h"
#include "launcher/sv_work.h"
#include "launcher/trace.h"

extern char** environ;

static struct sv_options opts;
static struct list_node procs = LIST_INIT(procs);
/* Records freed after the current loop iteration: epoll may still report their fds. */
static struct list_node graveyard = LIST_INIT(graveyard);
static struct sv_proc* first_proc;
static bool first_done;
static int64_t first_code;
static bool sync_wakeup_ok = true;

static void on_listener(struct host_loop_source* s, uint32_t events);
static void on_pidfd(struct host_loop_source* s, uint32_t events);

/* ---- the transport */

static void call_reply(struct sv_call* sc) {
  struct kcall* c = &sc->k;
  if (opts.trace) trace_call(opts.trace, c, host_clock_monotonic());
  int r = host_seccomp_reply(sc->listener, c->id, c->result);
  if (r == -ENOENT && c->thread && !(kcall_table[c->nr].flags & KCALL_NORETURN)) {
    /* The thread was interrupted by a signal after the call ran; Linux will restart the same
     * call. Remember the answer so the restart gets it instead of running twice. */
    struct kthread* t = c->thread;
    t->lost.valid = true;
    t->lost.nr = c->nr;
    memcpy(t->lost.args, c->regs, sizeof(t->lost.args));
    t->lost.result = c->result;
  }
}

static void sv_call_free(struct sv_call* sc) {
  if (sc->k.thread) kobj_unref(&sc->k.thread->base);
  kobj_unref(&sc->k.proc->base);
  free(sc);
}

static void transport_complete(struct kcall* c) {
  struct sv_call* sc = (struct sv_call*)c;
  call_reply(sc);
  sv_call_free(sc);
}

static void transport_release(struct kcall* c) { sv_call_free((struct sv_call*)c); }

static const struct kcall_transport transport = {transport_complete, transport_release};

/* ---- host hooks for kobj */

static int hp_read(void* host, uint64_t a, void* b, size_t n) { return host_guest_read(host, a, b, n); }
static int hp_write(void* host, uint64_t a, const void* b, size_t n) {
  return host_guest_write(host, a, b, n);
}
static void hp_kill(void* host) { host_guest_kill(host); }
static int hp_stats(void* host, uint64_t* m, uint64_t* p, uint64_t* s) {
  return host_guest_mem_stats(host, m, p, s);
}
static void hp_release(void* host) {
  struct sv_proc* p = container_of((struct host_guest*)host, struct sv_proc, g);
  p->kp = NULL;
  if (p->exited) list_add_tail(&graveyard, &p->node);
}

/* ZX_INFO_THREAD / THREAD_STATS: allowed CPUs, run time and last CPU of a guest thread. */
static int hp_thread_info(void* host, pid_t tid, struct kthread_host_info* out) {
  struct host_guest* g = host;
  char path[96];
  snprintf(path, sizeof(path), "/proc/%d/task/%d/schedstat", (int)g->pid, (int)tid);
  FILE* f = fopen(path, "re");
  if (!f) return -1;
  long long run = 0;
  int n = fscanf(f, "%lld", &run);
  fclose(f);
  if (n != 1) return -1;
  out->runtime_ns = run;
  /* The CPU it last ran on is field 39 of stat, counted after the ")" that ends the name. */
  snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)g->pid, (int)tid);
  f = fopen(path, "re");
  if (!f) return -1;
  char buf[1024];
  size_t len = fread(buf, 1, sizeof(buf) - 1, f);
  fclose(f);
  buf[len] = 0;
  char* q = strrchr(buf, ')');
  for (int field = 2; q && field < 39; field++) q = strchr(q + 1, ' ');
  out->last_cpu = q ? (uint32_t)strtoul(q + 1, NULL, 10) : 0;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(tid, sizeof(set), &set) != 0) return -1;
  for (unsigned i = 0; i < CPU_SETSIZE && i < 64 * 8; i++)
    if (CPU_ISSET(i, &set)) out->cpu_mask[i / 64] |= 1ull << (i % 64);
  return 0;
}

static struct kthread* thread_of(struct sv_proc* p, pid_t tid);

/* Meets every Linux thread of a guest, so thread lists show threads that made no call yet. */
static void hp_sync_threads(void* host) {
  struct sv_proc* p = container_of((struct host_guest*)host, struct sv_proc, g);
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
    thread_of(p, (pid_t)tid);
  }
  closedir(d);
}

static int hp_uffd_wp(void* host, uint64_t addr, uint64_t len, bool missing) {
  struct sv_proc* p = container_of((struct host_guest*)host, struct sv_proc, g);
  if (p->uffd_fd < 0) return ENOSYS;
  return host_uffd_write_protect(p->uffd_fd, addr, len, missing);
}
static int hp_uffd_release(void* host, uint64_t addr, uint64_t len) {
  struct sv_proc* p = container_of((struct host_guest*)host, struct sv_proc, g);
  return host_uffd_release(p->uffd_fd, addr, len);
}

static void hp_thread_started(void* host, struct kthread* t, pid_t tid) {
  sv_bind_thread(container_of((struct host_guest*)host, struct sv_proc, g), t, tid);
}

static bool hp_learn_caps(void* host) {
  return sv_work_learn_caps(container_of((struct host_guest*)host, struct sv_proc, g));
}

static const struct kproc_host_ops proc_ops = {
    .read = hp_read,
    .write = hp_write,
    .kill = hp_kill,
    .mem_stats = hp_stats,
    .release = hp_release,
    .thread_info = hp_thread_info,
    .sync_threads = hp_sync_threads,
    .work_deliver = sv_work_deliver,
    .work_send = sv_work_send,
    .work_agent = sv_work_has_agent,
    .thread_started = hp_thread_started,
    .uffd_wp = hp_uffd_wp,
    .uffd_release = hp_uffd_release,
    .learn_caps = hp_learn_caps,
};

static struct sv_proc* sv_proc_new(void) {
  struct sv_proc* p = calloc(1, sizeof(*p));
  if (!p) return NULL;
  p->g.pidfd = p->g.listener = -1;
  list_init(&p->threads);
  list_init(&p->node);
  sv_work_init(p);
  return p;
}

/* Registers a guest whose Linux process and listener exist. */
static zx_status_t sv_adopt(struct sv_proc* p, struct kjob* job, const char* name) {
  zx_status_t s;
  p->kp = kproc_create(job, name, strlen(name), &p->g, &proc_ops, &s);
  if (!p->kp) return s;
  p->kp->pid = p->g.pid;
  p->g.owner = p->kp;
  if (!host_seccomp_set_sync_wakeup(p->g.listener) && sync_wakeup_ok) {
    sync_wakeup_ok = false;
    fprintf(stderr, "zum: this kernel lacks SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (Linux 6.6+); "
                    "Zircon calls will be slower\n");
  }
  p->listener_src.fd = p->g.listener;
  p->listener_src.ready = on_listener;
  p->pidfd_src.fd = p->g.pidfd;
  p->pidfd_src.ready = on_pidfd;
  if (host_loop_add_direct(&p->listener_src) != 0 || host_loop_add(&p->pidfd_src) != 0) {
    kproc_kill(p->kp, ZX_TASK_RETCODE_SYSCALL_KILL);
    return ZX_ERR_NO_RESOURCES;
  }
  list_add_tail(&procs, &p->node);
  return ZX_OK;
}

static const char* base_name(const char* path) {
  const char* s = strrchr(path, '/');
  return s ? s + 1 : path;
}

static zx_status_t kh_spawn(struct kjob* job, const char* path, char* const argv[],
                            struct kproc** out) {
  if (job->state != KJOB_ALIVE) return ZX_ERR_BAD_STATE;
  struct sv_proc* p = sv_proc_new();
  if (!p) return ZX_ERR_NO_MEMORY;
  char* empty[] = {(char*)path, NULL};
  int r = host_spawn_hosted(path, argv && argv[0] ? argv : empty, environ, &p->g);
  if (r != 0) {
    free(p);
    return r == -ENOENT ? ZX_ERR_NOT_FOUND : r == -EACCES ? ZX_ERR_ACCESS_DENIED : ZX_ERR_IO;
  }
  zx_status_t s = sv_adopt(p, job, base_name(path));
  if (s != ZX_OK) {
    host_guest_kill(&p->g);
    host_guest_close(&p->g);
    free(p);
    return s;
  }
  kobj_ref(&p->kp->base);
  *out = p->kp;
  return ZX_OK;
}

/* zum-stub: next to zum (a build tree), in ../libexec/zum (an installed tree), near the library
 * holding this code (bare programs), or where configure said; ZUM_STUB overrides. */
static const char* stub_path(void) {
  return sv_find_file("ZUM_STUB", "zum-stub",
                      (const char* const[]){"zum-stub", "../libexec/zum/zum-stub", "../zum-stub",
                                            NULL},
                      ZUM_PKGLIBEXECDIR);
}

static zx_status_t kh_spawn_pure(struct kjob* job, const char* name, struct kproc** out) {
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
  zx_status_t s = sv_adopt(p, job, name);
  if (s != ZX_OK) {
    close(agent);
    if (work >= 0) close(work);
    p->work_chan = -1;
    host_guest_kill(&p->g);
    host_guest_close(&p->g);
    free(p);
    return s;
  }
  struct kproc* kp = p->kp;
  kp->pure = true;
  kp->state = KPROC_INITIAL;
  kp->start_time = 0;
  if (sv_work_adopt_agent(p, agent) != 0) {
    kproc_kill(kp, ZX_TASK_RETCODE_SYSCALL_KILL);
    return ZX_ERR_NO_RESOURCES;
  }
  kobj_ref(&kp->base);
  *out = kp;
  return ZX_OK;
}

static void kh_debug_write(const char* buf, size_t len) {
  while (len > 0) {
    ssize_t n = write(STDERR_FILENO, buf, len);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      return;
    }
    buf += n;
    len -= (size_t)n;
  }
}

static int kh_random(void* buf, size_t len) { return host_random_fill(buf, len); }

/* An unhandled exception is about to kill a process: say what happened, as Zircon's crash
 * logger would, so the user sees more than a return code. */
static void kh_report_fault(struct kcall* c, uint32_t signo, uint32_t code, uint64_t addr,
                            uint64_t pc) {
  if (signo == SIGSYS)
    fprintf(stderr, "zum: process %s (koid %llu) thread %llu: policy exception: system call %u "
                    "made outside the vDSO at pc 0x%llx (ZX_EXCP_POLICY_CODE_BAD_SYSCALL)\n",
            c->proc->base.name, (unsigned long long)c->proc->base.koid,
            (unsigned long long)(c->thread ? c->thread->base.koid : 0), code,
            (unsigned long long)pc);
  else
    fprintf(stderr, "zum: process %s (koid %llu) thread %llu: unhandled exception: %s at pc 0x%llx"
                    " (address 0x%llx)\n",
            c->proc->base.name, (unsigned long long)c->proc->base.koid,
            (unsigned long long)(c->thread ? c->thread->base.koid : 0), strsignal((int)signo),
            (unsigned long long)pc, (unsigned long long)addr);
}

static const struct khost_ops khost_impl = {.spawn_hosted = kh_spawn,
                                            .spawn_pure = kh_spawn_pure,
                                            .debug_write = kh_debug_write,
                                            .random_fill = kh_random,
                                            .attach_agent = sv_work_attach_agent,
                                            .attach_work_channel = sv_work_attach_work_channel,
                                            .report_fault = kh_report_fault};

/* ---- threads */

static void on_thread_exit(struct host_loop_source* s, uint32_t events) {
  struct sv_thread* t = container_of(s, struct sv_thread, src);
  host_loop_remove(&t->src);
  close(t->src.fd);
  t->src.fd = -1;
  kthread_on_exit(t->kt);
  list_del(&t->node);
  kobj_unref(&t->kt->base);
  free(t);
}

/* Watches Linux thread t->tid so its exit marks t dead. Returns false if it is already gone. */
static bool watch_thread(struct sv_proc* p, struct kthread* t) {
  if (t->tid == p->g.pid) return true; /* the main thread ends with the process's pidfd */
  int fd = host_pidfd_open(t->tid, true);
  if (fd < 0 && errno == ESRCH) return false;
  struct sv_thread* w = fd >= 0 ? calloc(1, sizeof(*w)) : NULL;
  if (!w) {
    /* Kernels before 6.9 have no thread pidfds: the thread is seen dead with its process. */
    if (fd >= 0) close(fd);
    return true;
  }
  w->src.fd = fd;
  w->src.ready = on_thread_exit;
  w->kt = t;
  w->p = p;
  kobj_ref(&t->base);
  list_add_tail(&p->threads, &w->node);
  if (host_loop_add(&w->src) != 0) {
    list_del(&w->node);
    kobj_unref(&t->base);
    close(fd);
    free(w);
  }
  return true;
}

/* The kthread for Linux thread `tid` of p. Hosted programs' threads are met on their first
 * call; pure processes' threads are bound when their stub reports them started. NULL if tid is
 * not (yet) a thread of p (a Linux child a hosted guest forked inherits the filter but is no
 * Zircon process). */
static struct kthread* thread_of(struct sv_proc* p, pid_t tid) {
  struct kthread* t = kproc_find_thread(p->kp, tid);
  if (t || p->kp->pure) return t;
  if (tid != p->g.pid && host_tgid_of(tid) != p->g.pid) return NULL;
  char name[ZX_MAX_NAME_LEN];
  host_thread_comm(tid, name, sizeof(name));
  t = kthread_create(p->kp, tid, name, strlen(name));
  if (!t) return NULL;
  if (!watch_thread(p, t)) {
    /* It ended between the check above and now (thread lists race with exits). */
    kthread_on_exit(t);
    return NULL;
  }
  return t;
}

void sv_bind_thread(struct sv_proc* p, struct kthread* t, pid_t tid) {
  t->tid = tid;
  if (!watch_thread(p, t)) kthread_on_exit(t);
}

/* ---- calls */

static void handle_request(struct sv_proc* p, const struct host_notif* n) {
  uint32_t idx = (uint32_t)n->nr - ZUM_SYSCALL_BASE;
  if (n->nr < ZUM_SYSCALL_BASE || idx >= ZUM_SYS_COUNT || !p->kp || p->kp->state == KPROC_DEAD) {
    host_seccomp_reply_errno(p->g.listener, n->id, ENOSYS);
    return;
  }
  struct kthread* t = thread_of(p, n->tid);
  if (!t && p->kp->pure && p->num_pending < SV_MAX_PENDING) {
    /* A thread of a pure process can trap before its stub's "started" reply is read: keep the
     * request until the thread is bound (sv_retry_pending). */
    sv_work_learn_agent(p);
    t = thread_of(p, n->tid);
    if (!t) {
      p->pending[p->num_pending++] = *n;
      return;
    }
  }
  if (!t) {
    host_seccomp_reply_errno(p->g.listener, n->id, ENOSYS);
    return;
  }
  if (t->lost.valid) {
    bool same = t->lost.nr == idx && memcmp(t->lost.args, n->args, sizeof(n->args)) == 0;
    t->lost.valid = false;
    if (same) {
      host_seccomp_reply(p->g.listener, n->id, t->lost.result);
      return;
    }
  }
  if (t->parked) {
    struct kcall* old = t->parked;
    if (old->nr == idx && memcmp(old->regs, n->args, sizeof(n->args)) == 0) {
      /* A signal interrupted the parked call and Linux restarted it: keep waiting under the new
       * request id rather than running it again (channel_call must not write twice). */
      old->id = n->id;
      return;
    }
    kcall_abandon(old);
  }
  struct sv_call* sc = calloc(1, sizeof(*sc));
  if (!sc) {
    host_seccomp_reply(p->g.listener, n->id, ZX_ERR_NO_MEMORY);
    return;
  }
  struct kcall* c = &sc->k;
  sc->p = p;
  sc->listener = p->g.listener;
  c->transport = &transport;
  c->proc = p->kp;
  c->thread = t;
  kobj_ref(&p->kp->base);
  kobj_ref(&t->base);
  c->id = n->id;
  c->nr = idx;
  memcpy(c->args, n->args, sizeof(n->args));
  memcpy(c->regs, n->args, sizeof(n->args));
  if (opts.trace) c->start_ns = host_clock_monotonic();
  int64_t r = kcall_dispatch(c);
  if (r == KCALL_NOREPLY) {
    if (opts.trace) trace_noreturn(opts.trace, c);
    sv_call_free(sc);
    return;
  }
  if (r == KCALL_PARKED) {
    if (opts.trace) trace_parked(opts.trace, c);
    return;
  }
  c->result = r;
  call_reply(sc);
  sv_call_free(sc);
}

void sv_retry_pending(struct sv_proc* p) {
  uint32_t n = p->num_pending;
  struct host_notif copy[SV_MAX_PENDING];
  memcpy(copy, p->pending, n * sizeof(copy[0]));
  p->num_pending = 0;
  for (uint32_t i = 0; i < n; i++) {
    if (p->exited || !p->kp) break;
    if (kproc_find_thread(p->kp, copy[i].tid)) handle_request(p, &copy[i]);
    else p->pending[p->num_pending++] = copy[i];
  }
}

static void on_listener(struct host_loop_source* s, uint32_t events) {
  struct sv_proc* p = container_of(s, struct sv_proc, listener_src);
  if (events & HOST_EV_IN) {
    struct host_notif n;
    int r = host_seccomp_recv(p->g.listener, &n);
    if (r == 1) handle_request(p, &n);
  }
  if ((events & ~HOST_EV_IN) && !(events & HOST_EV_IN)) {
    /* Every user of the filter is gone; the pidfd reports the exit itself. */
    host_loop_remove(&p->listener_src);
  }
}

static void sv_proc_exited(struct sv_proc* p) {
  if (p->exited) return;
  p->exited = true;
  int sig = 0;
  int64_t code = host_guest_reap(&p->g, ZX_TASK_RETCODE_EXCEPTION_KILL, &sig);
  host_loop_remove(&p->listener_src);
  host_loop_remove(&p->pidfd_src);
  struct list_node *pos, *tmp;
  list_for_each_safe(pos, tmp, &p->threads) {
    struct sv_thread* t = list_entry(pos, struct sv_thread, node);
    host_loop_remove(&t->src);
    close(t->src.fd);
    list_del(&t->node);
    kobj_unref(&t->kt->base);
    free(t);
  }
  list_del(&p->node);
  sv_work_proc_exited(p);
  struct kproc* kp = p->kp;
  if (p == first_proc) {
    first_done = true;
    first_code = kp->return_code_set ? kp->return_code : code;
    if (sig && !kp->return_code_set && opts.trace)
      fprintf(opts.trace, "zum: process %s died of signal %d\n", kp->base.name, sig);
  }
  host_guest_close(&p->g);
  kproc_on_exit(kp, code);
  /* The job's reference is gone; the supervisor's goes now. If it was the last, hp_release
   * queues p for freeing; otherwise handles to the process remain and p stays until they go. */
  kobj_unref(&kp->base);
}

static void on_pidfd(struct host_loop_source* s, uint32_t events) {
  struct sv_proc* p = container_of(s, struct sv_proc, pidfd_src);
  sv_proc_exited(p);
}

static void on_timer(void) { kdeadline_run(host_clock_monotonic()); }

static void flush_graveyard(void) {
  while (!list_empty(&graveyard)) {
    struct sv_proc* p = list_first(&graveyard, struct sv_proc, node);
    list_del(&p->node);
    free(p);
  }
}

static int run_loop_until_first_done(void) {
  while (!first_done) {
    kobj_run_deferred();
    host_loop_set_timer(kdeadline_next());
    int r = host_loop_run_once(on_timer);
    kobj_run_deferred();
    flush_graveyard();
    if (r < 0) return r;
  }
  return 0;
}

/* Ends every remaining guest: the system goes down with its first process. */
static void kill_all(void) {
  struct list_node *pos, *tmp;
  list_for_each_safe(pos, tmp, &procs) {
    struct sv_proc* p = list_entry(pos, struct sv_proc, node);
    host_guest_kill(&p->g);
  }
  list_for_each_safe(pos, tmp, &procs) {
    struct sv_proc* p = list_entry(pos, struct sv_proc, node);
    sv_proc_exited(p);
  }
  kobj_run_deferred();
  flush_graveyard();
}

static uint32_t rnd32(void) { return host_random32(); }

int sv_init(const struct sv_options* o) {
  opts = *o;
  signal(SIGPIPE, SIG_IGN);
  int r = host_seccomp_check_sizes();
  if (r != 0) {
    fprintf(stderr, "zum: seccomp user notifications are unavailable here (%s)\n", strerror(-r));
    return r;
  }
  r = host_loop_init();
  if (r != 0) return r;
  kobj_now = host_clock_monotonic;
  if (opts.seeded) mm_set_seed(opts.seed);
  kobj_boot_now = host_clock_boot;
  khandle_random32 = rnd32;
  khost = &khost_impl;
  kroot_job = kjob_create(NULL);
  if (!kroot_job) return -ENOMEM;
  /* Without its image zum still runs hosted programs; only the vDSO VMO is missing. */
  sv_vdso_load();
  kobj_set_name(&kroot_job->base, "root", 4);
  return 0;
}

int64_t sv_run_first(const char* path, char* const argv[]) {
  struct kjob* job = kjob_create(kroot_job);
  if (!job) return INT64_MIN;
  struct kproc* kp;
  zx_status_t s = kh_spawn(job, path, argv, &kp);
  if (s != ZX_OK) {
    fprintf(stderr, "zum: cannot start %s: %s\n", path,
            s == ZX_ERR_NOT_FOUND ? "no such file" : s == ZX_ERR_ACCESS_DENIED ? "permission denied"
                                                                               : "start failed");
    return INT64_MIN;
  }
  first_proc = container_of((struct host_guest*)kp->host, struct sv_proc, g);
  /* The first process gets its job as the default job. */
  struct khandle* jh = khandle_create(&job->base, ZX_DEFAULT_JOB_RIGHTS);
  if (jh) {
    kp->startup[kp->num_startup] = jh;
    kp->startup_info[kp->num_startup++] = PA_HND(PA_JOB_DEFAULT, 0);
  }
  kobj_unref(&kp->base);
  kobj_unref(&job->base); /* the root job's list holds it */
  int r = run_loop_until_first_done();
  if (r < 0) fprintf(stderr, "zum: supervisor loop failed: %s\n", strerror(-r));
  kill_all();
  return first_code;
}

void sv_serve_bare(int sock, pid_t guest) {
  int listener = host_recv_fd(sock);
  close(sock);
  if (listener < 0) _exit(127);
  struct sv_proc* p = sv_proc_new();
  if (!p) _exit(127);
  p->g.pid = guest;
  p->g.listener = listener;
  p->g.pidfd = host_pidfd_open(guest, false);
  p->g.is_child = false;
  if (p->g.pidfd < 0) _exit(127);
  struct kjob* job = kjob_create(kroot_job);
  char name[ZX_MAX_NAME_LEN];
  host_thread_comm(guest, name, sizeof(name));
  if (!job || sv_adopt(p, job, name) != ZX_OK) _exit(127);
  first_proc = p;
  struct khandle* jh = khandle_create(&job->base, ZX_DEFAULT_JOB_RIGHTS);
  if (jh) {
    p->kp->startup[p->kp->num_startup] = jh;
    p->kp->startup_info[p->kp->num_startup++] = PA_HND(PA_JOB_DEFAULT, 0);
  }
  kobj_unref(&job->base);
  run_loop_until_first_done();
  kill_all();
  _exit(0);
}
