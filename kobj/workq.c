/* Address-space work on its way to processes: the per-process FIFO (see kobj/workq.h). */
#include "kobj/workq.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/platform.h"
#include "kobj/kcall.h"
#include "kobj/kmm.h"
#include "kobj/list.h"
#include "kobj/task.h"

/* A write protection from outside (platform_proc_ops.uffd_wp): the kernel runs it when its turn
 * comes, no message involved. */
#define KWORK_WP 0x100u

struct kwork_item {
  struct list_node node;
  struct kproc* target;
  uint32_t kind;          /* ZUM_AGENT_WORK, _START_THREAD, _SEAL or KWORK_WP */
  struct kthread* start;  /* START_THREAD: the thread to bind (referenced) */
  zum_agent_msg_t record; /* START_THREAD / SEAL: the record to send */
  struct kthread* thread; /* self work: the thread that runs it (referenced) */
  struct kcall* call;     /* the call to finish, while it waits (NULL otherwise) */
  bool self;
  bool started;
  size_t n, next;
  zum_work_op_t* ops;     /* owned: their memory fds are duplicates */
  zx_status_t status;
  zum_uaddr_t work_addr;
  uint64_t token;
  struct kwork_group* group; /* one change applied to several processes (NULL: this one only) */
  uint64_t carrier;       /* sent inside the message of the item with this token (0: own) */
  struct {
    uint64_t addr, len;
    bool missing;
    void (*done)(void* arg, int err); /* NULL once called */
    void* arg;
  } wp;                   /* KWORK_WP */
};

/* One change of a shared region, applied to every member of a shared-process group: one item
 * per member, each in its member's queue; the call finishes once the last item is done. */
struct kwork_group {
  struct kcall* call; /* the call waiting for all of it (NULL: none, or not waiting yet) */
  size_t pending;     /* items not finished yet */
  zx_status_t status; /* the call's result */
};

static uint64_t next_token = 1;

int64_t kworkq_deadline = KWORKQ_DEFAULT_DEADLINE;

static void deadline_fire(struct kdeadline* d);

void kworkq_init(struct kproc* p) {
  list_init(&p->work_queue);
  kdeadline_init(&p->work_deadline, deadline_fire);
}

static void group_cancel(struct kcall* c) {
  struct kwork_group* g = c->park_state;
  g->call = NULL; /* the items still run, in order; nobody waits for them */
}

/* One of g's items is finished (applied, or dropped with its process). */
static void group_item_done(struct kwork_group* g) {
  if (--g->pending) return;
  struct kcall* c = g->call;
  zx_status_t status = g->status;
  free(g);
  if (c) kcall_complete(c, status);
}

static void close_fds(zum_work_op_t* ops, size_t n) {
  for (size_t i = 0; ops && i < n; i++)
    if (zum_work_op_has_fd(ops[i].kind) && ops[i].fd >= 0) platform->mem->close(ops[i].fd);
}

static void item_free(struct kwork_item* it) {
  close_fds(it->ops, it->n);
  if (it->thread) kobj_unref(&it->thread->base);
  if (it->start) kobj_unref(&it->start->base);
  if (it->wp.done) it->wp.done(it->wp.arg, ECANCELED); /* dropped with its process */
  struct kwork_group* g = it->group;
  free(it->ops);
  free(it);
  if (g) group_item_done(g);
}

static struct kwork_item* head_of(struct kproc* p) {
  return list_first(&p->work_queue, struct kwork_item, node);
}

/* The guest's address space no longer matches the tree and cannot be repaired: end the
 * process, as Zircon would a process whose page tables it could not update. */
static void work_failed(struct kproc* p, const char* what, int err) {
  char line[256];
  int len = snprintf(line, sizeof(line),
                     "zum: address-space work failed in process %s (pid %d): %s: errno %d\n",
                     p->base.name, (int)p->pid, what, err);
  if (len > 0) platform->debug_write(line, strnlen(line, sizeof(line)));
  kproc_kill(p, ZX_TASK_RETCODE_EXCEPTION_KILL);
}

/* Takes ops from it (from it->next on) into ws (at most ZUM_WORK_MAX_OPS in all), their memory
 * fds into fds (in op order); the fd fields are the host's to fill. */
static void take_ops(struct kwork_item* it, zum_work_t* w, int* fds, size_t* nfds) {
  while (it->next < it->n && w->num_ops < ZUM_WORK_MAX_OPS) {
    const zum_work_op_t* op = &it->ops[it->next++];
    zum_work_op_t* wo = &w->ops[w->num_ops++];
    *wo = *op;
    wo->fd = -1;
    if (zum_work_op_has_fd(op->kind)) fds[(*nfds)++] = op->fd;
  }
}

/* Hands the next batch of it's ops to the calling thread (its work block at it->work_addr),
 * through call c. */
static int64_t deliver_self(struct kproc* p, struct kwork_item* it, struct kcall* c) {
  zum_work_t w;
  memset(&w, 0, sizeof(w));
  w.token = it->token;
  int fds[ZUM_WORK_MAX_OPS];
  size_t nfds = 0;
  take_ops(it, &w, fds, &nfds);
  int e = p->host_ops->work_deliver(p->host, c->ref, it->work_addr, &w, fds, nfds);
  if (e != 0) {
    work_failed(p, "handing work to the calling thread", -e);
    return ZX_ERR_BAD_STATE;
  }
  it->started = true;
  return ZUM_STATUS_WORK;
}

static int send_agent(struct kproc* p, struct kwork_item* it) {
  if (it->kind != ZUM_AGENT_WORK) {
    it->record.token = it->token;
    it->started = true;
    return p->host_ops->work_send(p->host, &it->record, NULL, 0);
  }
  zum_agent_msg_t m;
  memset(&m, 0, sizeof(m));
  m.kind = ZUM_AGENT_WORK;
  m.token = it->token;
  int fds[ZUM_WORK_MAX_OPS];
  size_t nfds = 0;
  take_ops(it, &m.u.work, fds, &nfds);
  /* Work queued behind it for the same agent rides along while the message has room (a loader
   * mapping a new process queues several): one round trip instead of one each. The agent runs
   * the ops in order, so the queue's order is kept. */
  for (struct list_node* pos = it->node.next; it->next == it->n && pos != &p->work_queue;
       pos = pos->next) {
    struct kwork_item* r = list_entry(pos, struct kwork_item, node);
    if (r->started || r->self || r->kind != ZUM_AGENT_WORK ||
        r->n > ZUM_WORK_MAX_OPS - m.u.work.num_ops)
      break;
    take_ops(r, &m.u.work, fds, &nfds);
    r->started = true;
    r->carrier = it->token;
  }
  it->started = true;
  return p->host_ops->work_send(p->host, &m, fds, nfds);
}

/* Whether another process may be waiting for item it: a call from another process, a shared
 * region's change made by another process or member (one p makes itself is waited for by its
 * own thread only), a write protection (a snapshot's caller). */
static bool foreign(struct kproc* p, const struct kwork_item* it) {
  return (it->group && !it->self) || it->kind == KWORK_WP || (it->call && it->call->proc != p);
}

/* Whether anybody but p's own threads is held up by p's queue (what the deadline is for): work
 * its agent runs (asked by other processes, or by nobody), or p's own work while another process
 * waits behind it. p's own threads doing and waiting for their own work hold up nobody else: a
 * process stopped in a debugger there may stay stopped as long as it likes. The walk behind is
 * bounded by the calls waiting (one per thread) and the deferred items (MAX_DEFERRED). */
static bool holds_up_others(struct kproc* p, struct kwork_item* head) {
  if (!head->self || foreign(p, head)) return true;
  for (struct list_node* pos = head->node.next; pos != &p->work_queue; pos = pos->next)
    if (foreign(p, list_entry(pos, struct kwork_item, node))) return true;
  return false;
}

/* Keeps p's deadline on its head item: armed when the head started and holds up others (anew
 * for each head), cancelled otherwise. */
static void watch(struct kproc* p) {
  struct kwork_item* head = head_of(p);
  if (!head || !head->started || !holds_up_others(p, head) || kworkq_deadline <= 0 ||
      p->state == KPROC_DEAD) {
    kdeadline_cancel(&p->work_deadline);
    return;
  }
  if (kdeadline_armed(&p->work_deadline) && p->work_watched == head->token) return;
  p->work_watched = head->token;
  int64_t now = kobj_now();
  int64_t when = now > INT64_MAX - kworkq_deadline ? INT64_MAX : now + kworkq_deadline;
  /* Without memory for the heap the work is simply not watched. */
  (void)kdeadline_arm(&p->work_deadline, when);
}

void kworkq_unresponsive(struct kproc* p, const char* what) {
  char line[256];
  int len = snprintf(line, sizeof(line),
                     "zum: process %s (pid %d) did not %s within %lld ms: killed\n",
                     p->base.name, (int)p->pid, what, (long long)(kworkq_deadline / 1000000));
  if (len > 0) platform->debug_write(line, strnlen(line, sizeof(line)));
  /* As Zircon ends a process that broke its contract with the kernel (an unhandled exception):
   * ZX_TASK_RETCODE_EXCEPTION_KILL. */
  kproc_kill(p, ZX_TASK_RETCODE_EXCEPTION_KILL);
}

/* p's head item got no answer in time: p is killed, and everybody waiting on its queue gets
 * their status now rather than when Linux reports the death. */
static void deadline_fire(struct kdeadline* d) {
  struct kproc* p = container_of(d, struct kproc, work_deadline);
  struct kwork_item* head = head_of(p);
  /* Those who waited may have gone meanwhile (a cancelled call): then nobody is held up. */
  if (!head || head->token != p->work_watched || !holds_up_others(p, head)) return;
  kobj_ref(&p->base);
  kworkq_unresponsive(p, "finish its address-space work");
  kworkq_proc_exit(p);
  kobj_unref(&p->base);
}

static void finish(struct kwork_item* it, int64_t result) {
  struct kcall* c = it->call;
  it->call = NULL;
  if (c) kcall_complete(c, result);
}

static void start_next(struct kproc* p);

/* Drops the head item once its work is done and moves on. */
static void pop_done(struct kproc* p, struct kwork_item* it) {
  list_del(&it->node);
  item_free(it);
  start_next(p);
}

static void start_next_item(struct kproc* p);

static void start_next(struct kproc* p) {
  start_next_item(p);
  watch(p);
}

static void start_next_item(struct kproc* p) {
  struct kwork_item* it;
  while ((it = head_of(p)) && !it->started) {
    if (it->kind == KWORK_WP) {
      /* Everything queued before it has reached Linux. */
      void (*done)(void*, int) = it->wp.done;
      void* arg = it->wp.arg;
      it->wp.done = NULL;
      int e = p->host_ops->uffd_wp ? p->host_ops->uffd_wp(p->host, it->wp.addr, it->wp.len,
                                                          it->wp.missing)
                                   : ENOSYS;
      list_del(&it->node);
      item_free(it);
      done(arg, e);
      continue;
    }
    if (it->self) {
      /* The caller waits parked in its own call; answer it with the work. */
      int64_t r = it->call ? deliver_self(p, it, it->call) : ZX_ERR_BAD_STATE;
      finish(it, r);
      if (r == ZUM_STATUS_WORK) return;
      list_del(&it->node);
      item_free(it);
      continue;
    }
    int e = send_agent(p, it);
    if (e == 0) return;
    work_failed(p, "sending work to the agent", -e);
    finish(it, it->status);
    list_del(&it->node);
    item_free(it);
  }
}

static void work_cancel(struct kcall* c) {
  struct kwork_item* it = c->park_state;
  it->call = NULL; /* the work still runs, in order; nobody waits for it */
}

/* Whether c's own thread applies work for p (the caller's own process, on its way back). */
static bool is_self(struct kproc* p, struct kcall* c) {
  return c->proc == p && c->thread && c->work_addr && p->host_ops->work_deliver;
}

static bool has_agent(struct kproc* p) {
  return p->host_ops->work_agent && p->host_ops->work_agent(p->host);
}

/* Whether op's fd goes to the guest read-only. */
static bool readonly_fd(const zum_work_op_t* op) {
  return op->kind == ZUM_WORK_FAULT_SOURCE ||
         (op->kind == ZUM_WORK_MAP && (op->flags & ZUM_MAP_READONLY));
}

/* Work nobody waits for (a loader mapping a process that has not started) owns duplicates of
 * memory fds that nobody has been charged for; past this many items in the queue the caller
 * waits like any other, so what one process's queue holds is bounded by the calls waiting on it
 * (each thread one) and this. */
#define MAX_DEFERRED 64u

static bool queue_longer(const struct kproc* p, size_t n) {
  const struct list_node* pos = p->work_queue.next;
  for (size_t i = 0; i <= n; i++, pos = pos->next)
    if (pos == &p->work_queue) return false;
  return true;
}

/* A new work item for p (not queued) with a copy of ops; NULL with *err on failure. */
static struct kwork_item* work_item_new(struct kproc* p, struct kcall* c,
                                        const zum_work_op_t* ops, size_t n, zx_status_t status,
                                        zx_status_t* err) {
  struct kwork_item* it = calloc(1, sizeof(*it));
  zum_work_op_t* copy = malloc(n * sizeof(*copy));
  if (!it || !copy) {
    free(it);
    free(copy);
    *err = ZX_ERR_NO_MEMORY;
    return NULL;
  }
  memcpy(copy, ops, n * sizeof(*copy));
  /* Own the memory fds: the VMO may be closed and freed before queued work is delivered. The
   * guest gets them with only the access it may use (a hostile one can reach any fd it holds
   * with any Linux call its stub may make): a fault source and a mapping that can never become
   * writable get read-only ones. */
  for (size_t i = 0; i < n; i++) {
    if (!zum_work_op_has_fd(copy[i].kind)) continue;
    copy[i].fd = readonly_fd(&copy[i]) && platform->mem->dup_readonly
                     ? platform->mem->dup_readonly(ops[i].fd)
                     : platform->mem->dup(ops[i].fd);
    if (copy[i].fd < 0) {
      int e = -copy[i].fd;
      close_fds(copy, i);
      free(it);
      free(copy);
      *err = e == EMFILE || e == ENFILE ? ZX_ERR_NO_RESOURCES : ZX_ERR_NO_MEMORY;
      return NULL;
    }
  }
  bool self = is_self(p, c);
  it->target = p;
  it->kind = ZUM_AGENT_WORK;
  it->ops = copy;
  it->n = n;
  it->status = status;
  it->self = self;
  it->token = next_token++;
  it->work_addr = c->work_addr;
  if (self) {
    it->thread = c->thread;
    kobj_ref(&c->thread->base);
  }
  return it;
}

int64_t kworkq_apply(struct kcall* c, struct kproc* p, const zum_work_op_t* ops, size_t n,
                     zx_status_t status) {
  if (p->state == KPROC_DEAD) return status;
  bool self = is_self(p, c);
  if (!self && !has_agent(p)) {
    /* Nobody in the target can change its address space. Not reached for hosted processes
     * (their runtime always starts an agent) once they have run hosted_init. */
    work_failed(p, "no agent for work asked by another process", ENOSYS);
    return status;
  }
  zx_status_t err;
  struct kwork_item* it = work_item_new(p, c, ops, n, status, &err);
  if (!it) return err;
  bool first = list_empty(&p->work_queue);
  list_add_tail(&p->work_queue, &it->node);
  if (first && self) {
    int64_t r = deliver_self(p, it, c);
    watch(p);
    return r;
  }
  /* A pure process that has not started runs no code: nobody can observe its Linux address
   * space before its first thread, and that thread's start is queued behind this work. So the
   * caller (a loader mapping a new process) need not wait for each mapping's round trip. */
  bool deferred = !self && p->pure && p->state == KPROC_INITIAL && !queue_longer(p, MAX_DEFERRED);
  it->call = deferred ? NULL : c;
  if (first) {
    int e = send_agent(p, it);
    if (e != 0) {
      it->call = NULL;
      list_del(&it->node);
      item_free(it);
      work_failed(p, "sending work to the agent", -e);
      return status;
    }
  }
  watch(p);
  return deferred ? status : kcall_park(c, work_cancel, it);
}

/* Queues a SEAL or START_THREAD record for p's stub behind any pending work, so a thread never
 * starts before the mappings asked for ahead of it are in place. c waits for the reply (c may
 * be NULL for a record nobody waits for). */
static int64_t queue_record(struct kproc* p, struct kcall* c, const zum_agent_msg_t* rec,
                            struct kthread* t) {
  if (!has_agent(p)) return ZX_ERR_BAD_STATE;
  struct kwork_item* it = calloc(1, sizeof(*it));
  if (!it) return ZX_ERR_NO_MEMORY;
  it->target = p;
  it->kind = rec->kind;
  it->record = *rec;
  it->status = ZX_OK;
  it->token = next_token++;
  if (t) {
    it->start = t;
    kobj_ref(&t->base);
  }
  /* Behind records and work already sent in full to the agent, this one can go at once: the
   * agent answers in order (the seal and the start of a new process, one round trip). */
  bool send_now = true;
  struct list_node* pos;
  list_for_each(pos, &p->work_queue) {
    struct kwork_item* q = list_entry(pos, struct kwork_item, node);
    if (!q->started || q->self || (q->kind == ZUM_AGENT_WORK && q->next < q->n)) send_now = false;
  }
  list_add_tail(&p->work_queue, &it->node);
  it->call = c;
  if (send_now) {
    int e = send_agent(p, it);
    if (e != 0) {
      it->call = NULL;
      list_del(&it->node);
      item_free(it);
      return ZX_ERR_BAD_STATE;
    }
  }
  watch(p);
  return c ? kcall_park(c, work_cancel, it) : ZX_OK;
}

int64_t kworkq_start_thread(struct kcall* c, struct kthread* t, const struct kthread_regs* regs,
                            bool seal, uint64_t code_start, uint64_t code_end) {
  struct kproc* p = t->proc;
  /* The stub starts threads: a host that carries no records to it cannot (host/platform.h). */
  if (!p->host_ops || !p->host_ops->work_send) return ZX_ERR_NOT_SUPPORTED;
  if (p->state == KPROC_DEAD) return ZX_ERR_BAD_STATE;
  zum_agent_msg_t rec;
  if (seal) {
    memset(&rec, 0, sizeof(rec));
    rec.kind = ZUM_AGENT_SEAL;
    rec.u.seal.code_start = code_start;
    rec.u.seal.code_end = code_end;
    int64_t r = queue_record(p, NULL, &rec, NULL);
    if (r != ZX_OK) return r;
  }
  memset(&rec, 0, sizeof(rec));
  rec.kind = ZUM_AGENT_START_THREAD;
  rec.u.start.pc = regs->pc;
  rec.u.start.sp = regs->sp;
  rec.u.start.arg1 = regs->arg1;
  rec.u.start.arg2 = regs->arg2;
  rec.u.start.fs_base = regs->fs_base;
  rec.u.start.gs_base = regs->gs_base;
  return queue_record(p, c, &rec, t);
}

int64_t kworkq_done(struct kcall* c, uint64_t work_addr, int error) {
  struct kproc* p = c->proc;
  struct kwork_item* it = head_of(p);
  if (!it || !it->self || !it->started || it->thread != c->thread || it->work_addr != work_addr)
    return ZX_ERR_BAD_STATE;
  if (error != 0) {
    work_failed(p, "mmap/mprotect in the guest", error);
    return ZX_ERR_BAD_STATE;
  }
  if (it->next < it->n) return deliver_self(p, it, c);
  zx_status_t status = it->status;
  struct kwork_group* g = it->group;
  it->group = NULL; /* counted below, once the queue has moved on */
  pop_done(p, it);
  if (!g || --g->pending == 0) {
    free(g);
    return status;
  }
  /* The other members of the group have not all applied the change yet: wait for them. */
  g->call = c;
  return kcall_park(c, group_cancel, g);
}

void kworkq_reply(struct kproc* p, uint64_t token, int error, pid_t tid) {
  struct kwork_item* it = head_of(p);
  if (!it || it->self || !it->started || it->token != token) return;
  if (it->kind == ZUM_AGENT_START_THREAD || it->kind == ZUM_AGENT_SEAL) {
    int64_t result = it->status;
    if (error != 0) {
      /* EAGAIN: the stub has no room for another thread. */
      result = error == EAGAIN ? ZX_ERR_NO_RESOURCES : ZX_ERR_BAD_STATE;
      if (it->kind == ZUM_AGENT_SEAL) work_failed(p, "sealing the process's system calls", error);
    } else if (it->start && p->host_ops->thread_started) {
      p->host_ops->thread_started(p->host, it->start->base.koid, tid);
    }
    if (error != 0 && it->start) kthread_on_exit(it->start);
    finish(it, result);
    pop_done(p, it);
    return;
  }
  if (error != 0) {
    work_failed(p, "mmap/mprotect in the agent", error);
  } else if (it->next < it->n) {
    int e = send_agent(p, it);
    if (e == 0) return;
    work_failed(p, "sending work to the agent", -e);
  }
  /* The items that rode in this message are done with it. */
  struct kwork_item* r;
  while ((r = list_first(&it->node, struct kwork_item, node)) && &r->node != &p->work_queue &&
         r->carrier == it->token) {
    finish(r, r->status);
    list_del(&r->node);
    item_free(r);
  }
  finish(it, it->status);
  pop_done(p, it);
}

bool kworkq_busy(const struct kproc* p) { return !list_empty(&p->work_queue); }

int kworkq_uffd_wp(struct kproc* p, uint64_t addr, uint64_t len, bool missing,
                   void (*done)(void* arg, int err), void* arg) {
  struct kwork_item* it = calloc(1, sizeof(*it));
  if (!it) return ENOMEM;
  it->target = p;
  it->kind = KWORK_WP;
  it->token = next_token++;
  it->wp.addr = addr;
  it->wp.len = len;
  it->wp.missing = missing;
  it->wp.done = done;
  it->wp.arg = arg;
  list_add_tail(&p->work_queue, &it->node);
  watch(p);
  return 0;
}

void kworkq_proc_exit(struct kproc* p) {
  struct kwork_item* it;
  while ((it = head_of(p))) {
    /* Callers in other processes get their status: their part (the tree) is done, and the
     * target's address space is gone anyway. */
    if (!it->self) {
      finish(it, it->status);
    } else if (it->call) {
      /* The caller is a thread of the dying process: its call is abandoned with it. */
      it->call->cancel = NULL;
      it->call = NULL;
    }
    list_del(&it->node);
    item_free(it);
  }
  kdeadline_cancel(&p->work_deadline);
}

/* One change for several processes: an item in each one's queue, all sharing a group. The
 * caller's own part (if it is one of them) goes the fast way, handed back to its thread, whose
 * work_done then waits for the rest; the others go to their agents at once, so the members
 * apply the change in parallel. Every queue gets its item now, in call order, so all members
 * see the group's changes in the same order. A member that cannot take the item (no agent, a
 * failed send, no memory) is killed: its address space could no longer match the tree. */
int64_t kworkq_apply_many(struct kcall* c, struct kproc* const* targets, size_t ntargets,
                          const zum_work_op_t* ops, size_t n, zx_status_t status) {
  struct kwork_group* g = calloc(1, sizeof(*g));
  if (!g) return ZX_ERR_NO_MEMORY;
  g->status = status;
  g->pending = 1; /* held while the items are queued */
  struct kwork_item* self_it = NULL;
  bool self_first = false;
  for (size_t i = 0; i < ntargets; i++) {
    struct kproc* p = targets[i];
    if (p->state == KPROC_DEAD) continue;
    bool self = is_self(p, c);
    if (!self && !has_agent(p)) {
      /* A member on its way out (its stub gone before its exit is reaped) needs nothing. */
      if (p->state == KPROC_INITIAL || p->state == KPROC_RUNNING)
        work_failed(p, "no agent for work on a shared region", ENOSYS);
      continue;
    }
    zx_status_t err;
    struct kwork_item* it = work_item_new(p, c, ops, n, status, &err);
    if (!it) {
      work_failed(p, "queueing work on a shared region", err == ZX_ERR_NO_MEMORY ? ENOMEM : EMFILE);
      continue;
    }
    it->group = g;
    g->pending++;
    bool first = list_empty(&p->work_queue);
    list_add_tail(&p->work_queue, &it->node);
    if (self) {
      self_it = it;
      self_first = first;
    } else if (first) {
      int e = send_agent(p, it);
      if (e != 0) {
        list_del(&it->node);
        item_free(it);
        work_failed(p, "sending work to the agent", -e);
      }
    }
  }
  g->pending--; /* the hold; the items queued keep it above zero */
  int64_t r = KCALL_PARKED;
  if (self_it && self_first) {
    r = deliver_self(self_it->target, self_it, c);
  } else if (self_it) {
    self_it->call = c;
    r = kcall_park(c, work_cancel, self_it);
  }
  for (size_t i = 0; i < ntargets; i++) watch(targets[i]);
  if (self_it) return r;
  if (g->pending == 0) {
    free(g);
    return status;
  }
  g->call = c;
  return kcall_park(c, group_cancel, g);
}

/* Address-space work for one process: through its queue where the host carries work, else by
 * the host at once (unit-test hosts). */
int64_t kcall_mm_apply_one(struct kcall* c, struct kproc* target, const zum_work_op_t* ops,
                           size_t n, zx_status_t status) {
  if (n == 0 || target->state == KPROC_DEAD || !target->host_ops) return status;
  if (target->host_ops->work_send) return kworkq_apply(c, target, ops, n, status);
  if (!target->host_ops->mm_apply) return status;
  return target->host_ops->mm_apply(target->host, c->ref, ops, n, status);
}
