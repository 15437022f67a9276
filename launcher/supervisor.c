/* The supervisor's main loop, its composition root: a trapped call is received from a guest's
 * listener, dispatched to the kernel (kcall_dispatch) and answered through the transport below;
 * guests' deaths and deadlines come from the same loop. The platform the kernel runs on is
 * launcher/sv_platform.c, guests' threads launcher/sv_threads.c, the transport of address-space
 * work launcher/sv_work.c. */
#include "launcher/supervisor.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zircon/processargs.h>
#include <zum/trap.h>

#include "host/sv/guest.h"
#include "host/sv/loop.h"
#include "host/sv/reaper.h"
#include "host/sv/seccomp.h"
#include "host/sv/spawn.h"
#include "kobj/deadline.h"
#include "kobj/kcall_table.h"
#include "kobj/resource.h"
#include "kobj/restart.h"
#include "kobj/task.h"
#include "kobj/workq.h"
#include "launcher/sv_internal.h"
#include "launcher/sv_paths.h"
#include "launcher/sv_work.h"
#include "launcher/trace.h"
#include "mm/vmar.h"

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

static void call_reply(struct platform_call* sc) {
  struct kcall* c = &sc->k;
  if (opts.trace) trace_call(opts.trace, c, host_clock_monotonic());
  int r = host_seccomp_reply(sc->listener, c->id, zum_trap_answer((int32_t)c->result));
  /* Kept whether or not it arrived: a signal can take the thread off its wait even as the
   * answer is written (kobj/restart.h). ENOENT: it certainly did not. */
  krestart_record(c, r == -ENOENT);
}

static void sv_call_free(struct platform_call* sc) {
  if (sc->k.thread) kobj_unref(&sc->k.thread->base);
  kobj_unref(&sc->k.proc->base);
  free(sc);
}

static void transport_complete(struct platform_call* sc) {
  call_reply(sc);
  sv_call_free(sc);
}

static void transport_release(struct platform_call* sc) { sv_call_free(sc); }

static const struct platform_transport transport = {transport_complete, transport_release};

/* ---- guests */

void sv_proc_discard(struct sv_proc* p) { list_add_tail(&graveyard, &p->node); }

zx_status_t sv_serve(struct sv_proc* p, struct kproc* kp) {
  p->kp = kp;
  p->adopted = true;
  kp->pid = p->g.pid;
  if (!host_seccomp_set_sync_wakeup(p->g.listener) && sync_wakeup_ok) {
    sync_wakeup_ok = false;
    fprintf(stderr, "zum: this kernel lacks SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (Linux 6.6+); "
                    "Zircon calls will be slower\n");
  }
  p->listener_src.fd = p->g.listener;
  p->listener_src.ready = on_listener;
  p->pidfd_src.fd = p->g.pidfd;
  p->pidfd_src.ready = on_pidfd;
  if (host_loop_add_direct(&p->listener_src) != 0 || host_loop_add(&p->pidfd_src) != 0)
    return ZX_ERR_NO_RESOURCES;
  list_add_tail(&procs, &p->node);
  return ZX_OK;
}

/* ---- calls */

static void handle_request(struct sv_proc* p, const struct host_notif* n) {
  uint32_t idx = (uint32_t)n->nr - ZUM_SYSCALL_BASE;
  if (n->nr < ZUM_SYSCALL_BASE || idx >= ZUM_SYS_COUNT || !p->kp || p->kp->state == KPROC_DEAD) {
    host_seccomp_reply_errno(p->g.listener, n->id, ENOSYS);
    return;
  }
  zx_status_t why;
  struct kthread* t = sv_thread_of(p, n->tid, &why);
  if (!t && p->kp->pure && p->num_pending < SV_MAX_PENDING) {
    /* A thread of a pure process can trap before its stub's "started" reply is read: keep the
     * request until the thread is bound (sv_retry_pending). */
    sv_work_learn_agent(p);
    t = sv_thread_of(p, n->tid, &why);
    if (!t) {
      p->pending[p->num_pending++] = *n;
      return;
    }
  }
  if (!t && why != ZX_OK) {
    /* A hosted program's new thread its job has no room for: its calls fail with the status
     * (NO_RESOURCES) until there is room, the process itself goes on. */
    host_seccomp_reply(p->g.listener, n->id, why);
    return;
  }
  if (!t) {
    host_seccomp_reply_errno(p->g.listener, n->id, ENOSYS);
    return;
  }
  struct platform_call* sc = calloc(1, sizeof(*sc));
  if (!sc) {
    host_seccomp_reply(p->g.listener, n->id, zum_trap_answer(ZX_ERR_NO_MEMORY));
    return;
  }
  struct kcall* c = &sc->k;
  sc->p = p;
  sc->listener = p->g.listener;
  c->transport = &transport;
  c->ref = sc;
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
  if (r == KCALL_NOREPLY || r == KCALL_ADOPTED) {
    /* ADOPTED: a restart of a parked call, which answers under this request's id. */
    if (opts.trace && r == KCALL_NOREPLY) trace_noreturn(opts.trace, c);
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
  sv_threads_forget(p);
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
  /* The job's reference is gone; the supervisor's goes now. If it was the last, the release hook
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

int sv_init(const struct sv_options* o) {
  opts = *o;
  sv_debuglog_file = o->debuglog;
  signal(SIGPIPE, SIG_IGN);
  int r = host_seccomp_check_sizes();
  if (r != 0) {
    fprintf(stderr, "zum: seccomp user notifications are unavailable here (%s)\n", strerror(-r));
    return r;
  }
  host_raise_fd_limit();
  r = host_loop_init();
  if (r != 0) return r;
  /* Before any guest: the reaper must know every session from the first. */
  r = host_reaper_start(opts.bare_guest);
  if (r != 0) fprintf(stderr, "zum: cannot start the reaper (%s)\n", strerror(-r));
  platform = &sv_platform;
  /* After the fd limit was raised and the loop and reaper hold theirs: the budget is what is
   * left. */
  kquota_configure(&opts.quota);
  if (opts.work_deadline_set) kworkq_deadline = opts.work_deadline;
  if (opts.seeded) mm_set_seed(opts.seed);
  kroot_job = kjob_create(NULL);
  if (!kroot_job) return -ENOMEM;
  /* Without its image zum still runs hosted programs; only the vDSO VMO is missing. */
  sv_vdso_load();
  kobj_set_name(&kroot_job->base, "root", 4);
  return 0;
}

/* The privileged startup handles of `--root-resource`, tagged as Fuchsia tags them. */
static void give_resources(struct kproc* kp) {
  static const struct {
    uint32_t pa;
    zx_rsrc_kind_t kind;
  } ranged[] = {{PA_MMIO_RESOURCE, ZX_RSRC_KIND_MMIO},
                {PA_IRQ_RESOURCE, ZX_RSRC_KIND_IRQ},
                {PA_IOPORT_RESOURCE, ZX_RSRC_KIND_IOPORT},
                {PA_SMC_RESOURCE, ZX_RSRC_KIND_SMC},
                {PA_SYSTEM_RESOURCE, ZX_RSRC_KIND_SYSTEM}};
  if (!opts.root_resource) return;
  struct kresource* all[1 + sizeof(ranged) / sizeof(ranged[0])];
  uint32_t info[sizeof(all) / sizeof(all[0])];
  unsigned n = 0;
  all[n] = kresource_root(), info[n++] = PA_HND(PA_RESOURCE, 0);
  for (size_t i = 0; i < sizeof(ranged) / sizeof(ranged[0]); i++) {
    struct kresource* r = kresource_ranged_root(ranged[i].kind);
    if (r) all[n] = r, info[n++] = PA_HND(ranged[i].pa, 0);
  }
  for (unsigned i = 0; i < n; i++) {
    if (!all[i] || kp->num_startup >= sizeof(kp->startup) / sizeof(kp->startup[0])) continue;
    struct khandle* h = khandle_create(&all[i]->base, ZX_DEFAULT_RESOURCE_RIGHTS);
    if (!h) continue;
    kp->startup[kp->num_startup] = h;
    kp->startup_info[kp->num_startup++] = info[i];
  }
}

int64_t sv_run_first(const char* path, char* const argv[]) {
  struct kjob* job = kjob_create(kroot_job);
  if (!job) return INT64_MIN;
  struct kproc* kp;
  zx_status_t s = kproc_spawn_hosted(job, path, argv, &kp);
  if (s != ZX_OK) {
    fprintf(stderr, "zum: cannot start %s: %s\n", path,
            s == ZX_ERR_NOT_FOUND           ? "no such file"
            : s == ZX_ERR_ACCESS_DENIED     ? "permission denied"
            : s == ZX_ERR_NO_RESOURCES      ? "the limits (--limit-*) leave no room for it"
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
  give_resources(kp);
  kobj_unref(&kp->base);
  kobj_unref(&job->base); /* the root job's list holds it */
  int r = run_loop_until_first_done();
  if (r < 0) fprintf(stderr, "zum: supervisor loop failed: %s\n", strerror(-r));
  kill_all();
  host_reaper_finish();
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
  zx_status_t s;
  struct kproc* kp = job ? kproc_create(job, name, strlen(name), &p->g, &sv_proc_ops, &s) : NULL;
  if (!kp || sv_serve(p, kp) != ZX_OK) _exit(127);
  first_proc = p;
  struct khandle* jh = khandle_create(&job->base, ZX_DEFAULT_JOB_RIGHTS);
  if (jh) {
    p->kp->startup[p->kp->num_startup] = jh;
    p->kp->startup_info[p->kp->num_startup++] = PA_HND(PA_JOB_DEFAULT, 0);
  }
  give_resources(p->kp);
  kobj_unref(&job->base);
  run_loop_until_first_done();
  kill_all();
  host_reaper_finish();
  _exit(0);
}
