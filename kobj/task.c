/* The task tree: jobs contain jobs and processes, processes contain threads. Lifetimes follow
 * Zircon: a process is DEAD once its Linux process is gone, which asserts ZX_PROCESS_TERMINATED,
 * closes its handle table and removes it from its job; a killed job terminates once everything
 * under it has. */
#include "kobj/task.h"

#include <stdlib.h>
#include <string.h>

#include "kobj/cow.h"
#include "kobj/futex.h"
#include "kobj/kcall.h"
#include "kobj/share.h"
#include "kobj/vmar.h"
#include "kobj/workq.h"

struct kjob* kroot_job;

static void job_maybe_finish(struct kjob* j);

/* ---- jobs */

static zx_koid_t job_related(struct kobj* o) {
  struct kjob* j = to_kjob(o);
  return j->parent ? j->parent->base.koid : 0;
}

/* A job holds a reference on its parent (its related koid stays valid after it left the
 * tree), as Zircon's parent_ RefPtr. */
static void job_destroy(struct kobj* o) {
  struct kjob* j = to_kjob(o);
  struct kjob* parent = j->parent;
  free(j);
  if (parent) kobj_unref(&parent->base);
}

/* Zircon's kernel also keeps ZX_JOB_NO_CHILDREN (signal 6) on a job with neither child jobs nor
 * processes; it is not in the public headers, but waiters observe it, so zum keeps it too. */
#define KJOB_NO_CHILDREN ((zx_signals_t)1u << 6)

static void job_update_signals(struct kjob* j) {
  zx_signals_t set = 0, clear = 0;
  if (list_empty(&j->children)) set |= ZX_JOB_NO_JOBS;
  else clear |= ZX_JOB_NO_JOBS;
  if (list_empty(&j->procs)) set |= ZX_JOB_NO_PROCESSES;
  else clear |= ZX_JOB_NO_PROCESSES;
  if (list_empty(&j->children) && list_empty(&j->procs)) set |= KJOB_NO_CHILDREN;
  else clear |= KJOB_NO_CHILDREN;
  kobj_signal(&j->base, clear, set);
}

static void job_maybe_release(struct kjob* j);

/* Takes j out of its parent's list, as Zircon's RemoveFromJobTrees: a job leaves the tree when
 * nobody holds it and it holds nothing, or when it is dead. The parent may then finish dying
 * or be released in turn. */
static void job_unlink(struct kjob* j) {
  struct kjob* parent = j->parent;
  if (!parent || !list_linked(&j->node)) return;
  kobj_ref(&parent->base);
  list_del(&j->node);
  job_update_signals(parent);
  kobj_unref(&j->base); /* the parent's list's reference; may free j */
  job_maybe_finish(parent);
  job_maybe_release(parent);
  kobj_unref(&parent->base);
}

/* A job nobody holds and that holds nothing goes away, as in Zircon. */
static void job_maybe_release(struct kjob* j) {
  if (j->base.handle_count || !list_empty(&j->children) || !list_empty(&j->procs) || !j->parent)
    return;
  job_unlink(j);
}

static void job_zero_handles(struct kobj* o) { job_maybe_release(to_kjob(o)); }

const struct kobj_ops kjob_ops = {
    .type = ZX_OBJ_TYPE_JOB,
    .name = "job",
    .default_rights = ZX_DEFAULT_JOB_RIGHTS,
    .on_zero_handles = job_zero_handles,
    .destroy = job_destroy,
    .related_koid = job_related,
};

struct kjob* kjob_create(struct kjob* parent) {
  struct kjob* j = calloc(1, sizeof(*j));
  if (!j) return NULL;
  kobj_init(&j->base, &kjob_ops, ZX_JOB_NO_JOBS | ZX_JOB_NO_PROCESSES | KJOB_NO_CHILDREN);
  list_init(&j->children);
  list_init(&j->procs);
  list_init(&j->node);
  j->parent = parent;
  if (parent) {
    j->policy = parent->policy; /* inherited, as Zircon's JobDispatcher::Create */
    kobj_ref(&parent->base);
    kobj_ref(&j->base); /* held by the parent's children list */
    list_add_tail(&parent->children, &j->node);
    job_update_signals(parent);
  }
  return j;
}

/* A killed job is DEAD once it has no children left; then it leaves its parent's list at once
 * (even while handles to it remain), which may let the parent finish dying too. */
static void job_maybe_finish(struct kjob* j) {
  if (j->state != KJOB_KILLING || !list_empty(&j->children) || !list_empty(&j->procs)) return;
  j->state = KJOB_DEAD;
  kobj_ref(&j->base);
  kobj_signal(&j->base, 0, ZX_JOB_TERMINATED);
  job_unlink(j);
  kobj_unref(&j->base);
}

void kjob_kill(struct kjob* j, int64_t retcode) {
  if (j->state != KJOB_ALIVE) return;
  j->state = KJOB_KILLING;
  j->return_code = retcode;
  kobj_ref(&j->base);
  struct list_node *pos, *tmp;
  list_for_each_safe(pos, tmp, &j->children) kjob_kill(list_entry(pos, struct kjob, node), retcode);
  list_for_each_safe(pos, tmp, &j->procs) kproc_kill(list_entry(pos, struct kproc, job_node), retcode);
  job_maybe_finish(j);
  kobj_unref(&j->base);
}

/* ---- processes */

static zx_koid_t proc_related(struct kobj* o) {
  struct kproc* p = to_kproc(o);
  return p->job ? p->job->base.koid : 0;
}

/* A process's Linux process and the supervisor's descriptors for it go with its death (the
 * host closes them then), or with the object if it never died (a failed start). */
static void proc_uncharge(struct kproc* p) {
  if (!p->charged) return;
  p->charged = false;
  kquota_release(p->job, KRES_PROCS, 1);
  kquota_release(p->job, KRES_FDS, kquota_costs.proc_fds);
}

/* Charges a process about to be started in job (released by proc_uncharge). */
static zx_status_t proc_charge(struct kjob* job) {
  zx_status_t s = kquota_charge(job, KRES_PROCS, 1);
  if (s != ZX_OK) return s;
  s = kquota_charge(job, KRES_FDS, kquota_costs.proc_fds);
  if (s != ZX_OK) kquota_release(job, KRES_PROCS, 1);
  return s;
}

static void proc_destroy(struct kobj* o) {
  struct kproc* p = to_kproc(o);
  struct kjob* job = p->job;
  proc_uncharge(p);
  kdeadline_cancel(&p->work_deadline);
  kdeadline_cancel(&p->caps_deadline);
  if (p->host_ops && p->host_ops->release) p->host_ops->release(p->host);
  if (p->table) khtable_unref(p->table);
  if (p->share) kshare_release(p);
  if (p->root_vmar) kobj_unref(p->root_vmar);
  if (p->critical_to) kobj_unref(&p->critical_to->base);
  free(p);
  if (job) kobj_unref(&job->base); /* taken in kproc_create */
}

/* Closing the last handle of a process that never started destroys it (and its Linux
 * process); a started process lives on without handles. */
static void proc_zero_handles(struct kobj* o) {
  struct kproc* p = to_kproc(o);
  /* Zircon moves it straight to DEAD with its return code left at 0. */
  if (p->pure && p->state == KPROC_INITIAL) kproc_kill(p, 0);
}

const struct kobj_ops kproc_ops = {
    .type = ZX_OBJ_TYPE_PROCESS,
    .name = "process",
    .default_rights = ZX_DEFAULT_PROCESS_RIGHTS,
    .on_zero_handles = proc_zero_handles,
    .destroy = proc_destroy,
    .related_koid = proc_related,
};

struct kproc* kproc_create(struct kjob* job, const char* name, size_t name_len, void* host,
                           const struct platform_proc_ops* host_ops, zx_status_t* err) {
  if (job->state != KJOB_ALIVE) {
    *err = ZX_ERR_BAD_STATE;
    return NULL;
  }
  struct kproc* p = calloc(1, sizeof(*p));
  if (!p) {
    *err = ZX_ERR_NO_MEMORY;
    return NULL;
  }
  p->table = khtable_create();
  if (!p->table) {
    free(p);
    *err = ZX_ERR_NO_MEMORY;
    return NULL;
  }
  kobj_init(&p->base, &kproc_ops, 0);
  kobj_set_name(&p->base, name, name_len);
  list_init(&p->threads);
  kproc_caps_init(p);
  kworkq_init(p);
  p->host = host;
  p->host_ops = host_ops;
  p->job = job;
  p->policy = job->policy; /* fixed for the process's life */
  kobj_ref(&job->base);
  kobj_ref(&p->base); /* held by the job's list until the process is dead */
  list_add_tail(&job->procs, &p->job_node);
  job_update_signals(job);
  p->state = KPROC_RUNNING;
  p->start_time = kobj_now();
  *err = ZX_OK;
  return p;
}

/* A process the platform started: its object, then the host serves it. */
static zx_status_t adopt(struct kjob* job, const char* name, void* host,
                         const struct platform_proc_ops* ops, bool pure, struct kproc** out) {
  zx_status_t s;
  struct kproc* p = kproc_create(job, name, strlen(name), host, ops, &s);
  if (!p) {
    /* No process object will report its death: it ends here, with its record. */
    if (ops->kill) ops->kill(host);
    if (ops->release) ops->release(host);
    kquota_release(job, KRES_PROCS, 1);
    kquota_release(job, KRES_FDS, kquota_costs.proc_fds);
    return s;
  }
  p->charged = true; /* by kproc_spawn_*, before the Linux process was started */
  if (pure) {
    p->pure = true;
    p->state = KPROC_INITIAL;
    p->start_time = 0;
  }
  /* The host's reference is kproc_create's (dropped once it reports the death); on failure the
   * process is killed and its death reported as any other. */
  s = platform->adopt ? platform->adopt(host, p) : ZX_OK;
  if (s != ZX_OK) {
    kproc_kill(p, ZX_TASK_RETCODE_SYSCALL_KILL);
    return s;
  }
  kobj_ref(&p->base);
  *out = p;
  return ZX_OK;
}

zx_status_t kproc_spawn_hosted(struct kjob* job, const char* path, char* const argv[],
                               struct kproc** out) {
  if (job->state != KJOB_ALIVE) return ZX_ERR_BAD_STATE;
  if (!platform->spawn_hosted) return ZX_ERR_NOT_SUPPORTED;
  void* host;
  const struct platform_proc_ops* ops;
  zx_status_t s = proc_charge(job);
  if (s != ZX_OK) return s;
  s = platform->spawn_hosted(path, argv, &host, &ops);
  if (s != ZX_OK) {
    kquota_release(job, KRES_PROCS, 1);
    kquota_release(job, KRES_FDS, kquota_costs.proc_fds);
    return s;
  }
  const char* name = strrchr(path, '/');
  return adopt(job, name ? name + 1 : path, host, ops, false, out);
}

zx_status_t kproc_spawn_pure(struct kjob* job, const char* name, struct kproc** out) {
  if (job->state != KJOB_ALIVE) return ZX_ERR_BAD_STATE;
  if (!platform->spawn_pure) return ZX_ERR_NOT_SUPPORTED;
  void* host;
  const struct platform_proc_ops* ops;
  zx_status_t s = proc_charge(job);
  if (s != ZX_OK) return s;
  s = platform->spawn_pure(name, &host, &ops);
  if (s != ZX_OK) {
    kquota_release(job, KRES_PROCS, 1);
    kquota_release(job, KRES_FDS, kquota_costs.proc_fds);
    return s;
  }
  return adopt(job, name, host, ops, true, out);
}

struct kthread* kproc_find_thread_koid(struct kproc* p, zx_koid_t koid) {
  struct list_node* pos;
  list_for_each(pos, &p->threads) {
    struct kthread* t = list_entry(pos, struct kthread, proc_node);
    if (t->base.koid == koid) return t;
  }
  return NULL;
}

struct kthread* kproc_find_thread(struct kproc* p, pid_t tid) {
  struct list_node* pos;
  list_for_each(pos, &p->threads) {
    struct kthread* t = list_entry(pos, struct kthread, proc_node);
    if (t->tid == tid && t->state != KTHREAD_DEAD) return t;
  }
  return NULL;
}

void kproc_kill(struct kproc* p, int64_t retcode) {
  if (p->state == KPROC_DYING || p->state == KPROC_DEAD) return;
  p->state = KPROC_DYING;
  if (!p->return_code_set) {
    p->return_code = retcode;
    p->return_code_set = true;
  }
  /* Threads blocked in calls will never see a reply. */
  struct list_node* pos;
  list_for_each(pos, &p->threads) {
    struct kthread* t = list_entry(pos, struct kthread, proc_node);
    krestart_abandon_all(t);
  }
  if (p->host_ops && p->host_ops->kill) p->host_ops->kill(p->host);
}

void kproc_on_exit(struct kproc* p, int64_t retcode) {
  if (p->state == KPROC_DEAD) return;
  kobj_ref(&p->base);
  /* Its work goes first: calls of its own threads waiting in it are abandoned with them. */
  kworkq_proc_exit(p);
  p->state = KPROC_DEAD;
  proc_uncharge(p);
  if (!p->return_code_set) {
    p->return_code = retcode;
    p->return_code_set = true;
  }
  struct list_node *pos, *tmp;
  list_for_each_safe(pos, tmp, &p->threads) {
    struct kthread* t = list_entry(pos, struct kthread, proc_node);
    kthread_on_exit(t);
  }
  /* Other processes' calls waiting to learn what p could do go on without it. */
  kproc_caps_learnt(p);
  for (uint32_t i = 0; i < p->num_startup; i++)
    if (p->startup[i]) khandle_destroy(p->startup[i]);
  p->num_startup = 0;
  /* A shared process's table and shared region go only with the last process sharing them. */
  if (p->share)
    kshare_process_exit(p);
  else
    khtable_close_all(p->table);
  khtable_unref(p->table);
  p->table = khtable_create(); /* an empty table for late lookups; freed with the process */
  /* The address space goes with the process (no Linux operations). */
  if (!p->share) kvmar_process_exit(p);
  kobj_signal(&p->base, 0, ZX_PROCESS_TERMINATED);
  struct kjob* job = p->job;
  list_del(&p->job_node);
  job_update_signals(job);
  kobj_unref(&p->base); /* the job's reference */
  job_maybe_finish(job);
  job_maybe_release(job);
  kproc_critical_dead(p); /* after leaving the job, as Zircon's FinishDeadTransition */
  kobj_unref(&p->base);
}

/* ---- threads */

static zx_koid_t thread_related(struct kobj* o) {
  struct kthread* t = to_kthread(o);
  return t->proc ? t->proc->base.koid : 0;
}

/* A thread's descriptor goes with its Linux thread, or with the object if it never ran. */
static void thread_uncharge(struct kthread* t) {
  if (!t->charged) return;
  t->charged = false;
  kquota_release(t->proc->job, KRES_FDS, kquota_costs.thread_fds);
}

static void thread_destroy(struct kobj* o) {
  struct kthread* t = to_kthread(o);
  thread_uncharge(t);
  if (t->proc) kobj_unref(&t->proc->base);
  free(t);
}

const struct kobj_ops kthread_ops = {
    .type = ZX_OBJ_TYPE_THREAD,
    .name = "thread",
    .default_rights = ZX_DEFAULT_THREAD_RIGHTS,
    .destroy = thread_destroy,
    .related_koid = thread_related,
};

struct kthread* kthread_create(struct kproc* p, pid_t tid, const char* name, size_t name_len,
                               zx_status_t* err) {
  zx_status_t s = kquota_charge(p->job, KRES_FDS, kquota_costs.thread_fds);
  struct kthread* t = s == ZX_OK ? calloc(1, sizeof(*t)) : NULL;
  if (!t) {
    if (s == ZX_OK) {
      kquota_release(p->job, KRES_FDS, kquota_costs.thread_fds);
      s = ZX_ERR_NO_MEMORY;
    }
    if (err) *err = s;
    return NULL;
  }
  t->charged = true;
  kobj_init(&t->base, &kthread_ops, ZX_THREAD_RUNNING);
  kobj_set_name(&t->base, name, name_len);
  t->proc = p;
  kobj_ref(&p->base);
  t->tid = tid;
  t->state = KTHREAD_RUNNING;
  list_init(&t->futexes_owned);
  /* The creation reference is the process's list's, dropped when the thread is dead: callers
   * that keep the pointer longer take their own. */
  list_add_tail(&p->threads, &t->proc_node);
  return t;
}

/* A pure process ends when its last thread does (return code 0 unless one was set). A last
 * thread that ended without zx_thread_exit (`announced` false) was killed by a Linux signal (the
 * stub reports every fault itself), which kills its whole Linux process: that death's code
 * (ZUM_TASK_RETCODE_SIGNAL_KILL, from the process's reaping) is the true one, not 0, so the
 * process is only made sure to die here. */
static void proc_maybe_last_thread(struct kproc* p, bool announced) {
  if (!p->pure || p->state != KPROC_RUNNING) return;
  struct list_node* pos;
  list_for_each(pos, &p->threads) {
    struct kthread* t = list_entry(pos, struct kthread, proc_node);
    if (t->state != KTHREAD_DEAD) return;
  }
  if (announced)
    kproc_kill(p, 0);
  else if (p->host_ops && p->host_ops->kill)
    p->host_ops->kill(p->host);
}

void kthread_on_exit(struct kthread* t) {
  if (t->state == KTHREAD_DEAD) return;
  bool announced = t->state == KTHREAD_DYING;
  krestart_abandon_all(t);
  kfutex_thread_exit(t);
  t->state = KTHREAD_DEAD;
  thread_uncharge(t);
  /* A dead thread is neither running nor suspended, whatever tokens remain. */
  kobj_signal(&t->base, ZX_THREAD_RUNNING | ZX_THREAD_SUSPENDED, ZX_THREAD_TERMINATED);
  struct kproc* p = t->proc;
  list_del(&t->proc_node);
  kobj_ref(&p->base);
  kobj_unref(&t->base);
  proc_maybe_last_thread(p, announced);
  kobj_unref(&p->base);
}
