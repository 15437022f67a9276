/* Applying address-space work to guests.
 *
 * kobj/ decides what a process's address space must look like and hands the Linux operations
 * here (kcall_mm_apply). The supervisor cannot call mmap in another process, so:
 *  - work on the caller's own process is handed back to the calling thread: the call is answered
 *    ZUM_STATUS_WORK with the operations in the work block its vDSO stub passed, the thread runs
 *    them through the runtime's do_work hook and reports with work_done (no wake-up of anyone
 *    else: the cheapest path, and the common one);
 *  - work on another process goes to that process's agent over a socket, and the call waits.
 * Each process has one queue: its work runs in the order the calls were made, one item at a
 * time, so a later unmap can never be overtaken by an earlier map still in flight, and every
 * change has reached Linux before the call that asked for it returns. A write protection made
 * from outside (through the process's userfaultfd) needs the mappings in place, so it takes its
 * turn in the queue too, and the supervisor applies it when the work before it is done: nothing
 * here ever waits for a guest. */
#include "launcher/sv_work.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "host/sv/loop.h"
#include "host/sv/seccomp.h"
#include "host/sv/spawn.h"
#include "host/sv/uffd.h"
#include "kobj/kmm.h"
#include "launcher/sv_internal.h"

/* A write protection from outside (kproc_host_ops.uffd_wp) behind work still on its way: it
 * needs the mappings in place. The supervisor applies it itself when its turn comes. */
#define SV_WORK_WP 0x100u

struct sv_work_item {
  struct list_node node;
  struct sv_proc* target;
  uint32_t kind;          /* ZUM_AGENT_WORK, _START_THREAD, _SEAL or SV_WORK_WP */
  struct {
    uint64_t addr, len;
    bool missing;
    void (*done)(void* arg, int err); /* NULL once called */
    void* arg;
  } wp;                   /* SV_WORK_WP */
  struct kthread* start;  /* START_THREAD: the thread to bind (referenced) */
  zum_agent_msg_t record; /* START_THREAD / SEAL: the record to send */
  struct kthread* thread; /* self work: the thread that runs it (referenced) */
  struct kcall* call;     /* the call to finish, while it waits (NULL otherwise) */
  bool self;
  bool started;
  size_t n, next;
  zum_work_op_t* ops;
  zx_status_t status;
  zum_uaddr_t work_addr;
  uint64_t token;
  struct sv_group* group; /* one change applied to several processes (NULL: this one only) */
  uint64_t carrier;       /* sent inside the message of the item with this token (0: own) */
};

/* One change of a shared region, applied to every member of a shared-process group: one item
 * per member, each in its member's queue; the call finishes once the last item is done. */
struct sv_group {
  struct kcall* call; /* the call waiting for all of it (NULL: none, or not waiting yet) */
  size_t pending;     /* items not finished yet */
  zx_status_t status; /* the call's result */
};

static uint64_t next_token = 1;

static void group_cancel(struct kcall* c) {
  struct sv_group* g = c->park_state;
  g->call = NULL; /* the items still run, in order; nobody waits for them */
}

/* One of g's items is finished (applied, or dropped with its process). */
static void group_item_done(struct sv_group* g) {
  if (--g->pending) return;
  struct kcall* c = g->call;
  zx_status_t status = g->status;
  free(g);
  if (c) kcall_complete(c, status);
}

static void item_free(struct sv_work_item* it) {
  /* The memory fds were duplicated when the work was queued (see sv_work_apply). */
  for (size_t i = 0; it->ops && i < it->n; i++)
    if (zum_work_op_has_fd(it->ops[i].kind) && it->ops[i].fd >= 0) close(it->ops[i].fd);
  if (it->thread) kobj_unref(&it->thread->base);
  if (it->start) kobj_unref(&it->start->base);
  if (it->wp.done) it->wp.done(it->wp.arg, ECANCELED); /* dropped with its process */
  struct sv_group* g = it->group;
  free(it->ops);
  free(it);
  if (g) group_item_done(g);
}

static struct sv_work_item* head_of(struct sv_proc* p) {
  return list_first(&p->work_queue, struct sv_work_item, node);
}

/* The guest's address space no longer matches the supervisor's tree and cannot be repaired:
 * end the process, as Zircon would a process whose page tables it could not update. */
static void work_failed(struct sv_proc* p, const char* what, int err) {
  fprintf(stderr, "zum: address-space work failed in process %s (pid %d): %s: %s\n",
          p->kp ? p->kp->base.name : "?", (int)p->g.pid, what, strerror(err));
  if (p->kp) kproc_kill(p->kp, ZX_TASK_RETCODE_EXCEPTION_KILL);
}

/* op as it goes to the guest: the fd is the supervisor's own (the queue's duplicate); the number
 * the guest sees depends on how it is sent (work channel, ADDFD, or the agent's SCM_RIGHTS). */
static void fill_op(zum_work_op_t* w, const zum_work_op_t* op) {
  *w = *op;
  w->fd = -1;
}

/* Writes the next batch of it's operations into the calling thread's work block; memory fds
 * go into the caller's fd table through the pending request `notif_id`. */
/* Sends the batch's memory fds down p's work channel, tagged with the work's token (see
 * ZUM_WORK_FD_CHANNEL); 0 or -errno. */
static int send_work_fds(struct sv_proc* p, uint64_t token, const int* fds, int nfds) {
  struct iovec iov = {&token, sizeof(token)};
  union {
    char buf[CMSG_SPACE(sizeof(int) * ZUM_WORK_MAX_OPS)];
    struct cmsghdr align;
  } u;
  memset(&u, 0, sizeof(u));
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                       .msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds)};
  struct cmsghdr* cm = CMSG_FIRSTHDR(&msg);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
  memcpy(CMSG_DATA(cm), fds, sizeof(int) * (size_t)nfds);
  ssize_t r = sendmsg(p->work_chan, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
  return r == (ssize_t)sizeof(token) ? 0 : -(r < 0 ? errno : EPROTO);
}

static int64_t deliver_self(struct sv_proc* p, struct sv_work_item* it, uint64_t notif_id) {
  zum_work_t w;
  memset(&w, 0, sizeof(w));
  w.token = it->token;
  int fds[ZUM_WORK_MAX_OPS];
  int nfds = 0;
  while (it->next < it->n && w.num_ops < ZUM_WORK_MAX_OPS) {
    const zum_work_op_t* op = &it->ops[it->next];
    zum_work_op_t* wo = &w.ops[w.num_ops];
    fill_op(wo, op);
    if (zum_work_op_has_fd(op->kind)) {
      if (p->work_fds) {
        fds[nfds++] = op->fd;
        wo->fd = ZUM_WORK_FD_CHANNEL;
      } else {
        int fd = host_seccomp_addfd(p->g.listener, notif_id, op->fd);
        if (fd < 0) {
          work_failed(p, "passing the memory fd", -fd);
          return ZX_ERR_BAD_STATE;
        }
        wo->fd = fd;
      }
    }
    w.num_ops++;
    it->next++;
  }
  if (nfds > 0) {
    int e = send_work_fds(p, w.token, fds, nfds);
    if (e != 0) {
      work_failed(p, "passing the memory fds", -e);
      return ZX_ERR_BAD_STATE;
    }
  }
  if (host_guest_write(&p->g, it->work_addr, &w, sizeof(w)) != 0) {
    work_failed(p, "writing the work block", EFAULT);
    return ZX_ERR_BAD_STATE;
  }
  it->started = true;
  return ZUM_STATUS_WORK;
}

static int send_agent(struct sv_proc* p, struct sv_work_item* it) {
  if (it->kind != ZUM_AGENT_WORK) {
    it->record.token = it->token;
    it->started = true;
    ssize_t r = send(p->agent_fd, &it->record, sizeof(it->record), MSG_NOSIGNAL | MSG_DONTWAIT);
    return r == (ssize_t)sizeof(it->record) ? 0 : -(r < 0 ? errno : EPROTO);
  }
  zum_agent_msg_t m;
  memset(&m, 0, sizeof(m));
  m.kind = ZUM_AGENT_WORK;
  m.token = it->token;
  int fds[ZUM_WORK_MAX_OPS];
  int nfds = 0;
  while (it->next < it->n && m.u.work.num_ops < ZUM_WORK_MAX_OPS) {
    const zum_work_op_t* op = &it->ops[it->next];
    fill_op(&m.u.work.ops[m.u.work.num_ops++], op);
    if (zum_work_op_has_fd(op->kind)) fds[nfds++] = op->fd;
    it->next++;
  }
  /* Work queued behind it for the same agent rides along while the message has room (a loader
   * mapping a new process queues several): one round trip instead of one each. The agent runs
   * the ops in order, so the queue's order is kept. */
  for (struct list_node* pos = it->node.next; it->next == it->n && pos != &p->work_queue;
       pos = pos->next) {
    struct sv_work_item* r = list_entry(pos, struct sv_work_item, node);
    if (r->started || r->self || r->kind != ZUM_AGENT_WORK ||
        r->n > ZUM_WORK_MAX_OPS - m.u.work.num_ops)
      break;
    for (; r->next < r->n; r->next++) {
      const zum_work_op_t* op = &r->ops[r->next];
      fill_op(&m.u.work.ops[m.u.work.num_ops++], op);
      if (zum_work_op_has_fd(op->kind)) fds[nfds++] = op->fd;
    }
    r->started = true;
    r->carrier = it->token;
  }
  struct iovec iov = {&m, sizeof(m)};
  union {
    char buf[CMSG_SPACE(sizeof(int) * ZUM_WORK_MAX_OPS)];
    struct cmsghdr align;
  } u;
  memset(&u, 0, sizeof(u));
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
  if (nfds) {
    msg.msg_control = u.buf;
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
    struct cmsghdr* cm = CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
    memcpy(CMSG_DATA(cm), fds, sizeof(int) * (size_t)nfds);
  }
  it->started = true;
  ssize_t r = sendmsg(p->agent_fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
  return r == (ssize_t)sizeof(m) ? 0 : -(r < 0 ? errno : EPROTO);
}

static void finish(struct sv_work_item* it, int64_t result) {
  struct kcall* c = it->call;
  it->call = NULL;
  if (c) kcall_complete(c, result);
}

static void start_next(struct sv_proc* p);

/* Drops the head item once its work is done and moves on. */
static void pop_done(struct sv_proc* p, struct sv_work_item* it) {
  list_del(&it->node);
  item_free(it);
  start_next(p);
}

static void start_next(struct sv_proc* p) {
  struct sv_work_item* it;
  while ((it = head_of(p)) && !it->started) {
    if (it->kind == SV_WORK_WP) {
      /* Everything queued before it has reached Linux. */
      void (*done)(void*, int) = it->wp.done;
      void* arg = it->wp.arg;
      it->wp.done = NULL;
      int e = host_uffd_write_protect(p->uffd_fd, it->wp.addr, it->wp.len, it->wp.missing);
      list_del(&it->node);
      item_free(it);
      done(arg, e);
      continue;
    }
    if (it->self) {
      /* The caller waits parked in its own call; answer it with the work. */
      int64_t r = it->call ? deliver_self(p, it, it->call->id) : ZX_ERR_BAD_STATE;
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
  struct sv_work_item* it = c->park_state;
  it->call = NULL; /* the work still runs, in order; nobody waits for it */
}

/* Whether c's own thread applies work for p (the caller's own process, on its way back). */
static bool is_self(struct sv_proc* p, struct kcall* c) {
  return c->proc == p->kp && c->thread && c->work_addr;
}

/* A new work item for p (not queued) with a copy of ops; NULL with *err on failure. */
static struct sv_work_item* work_item_new(struct sv_proc* p, struct kcall* c,
                                          const zum_work_op_t* ops, size_t n, zx_status_t status,
                                          zx_status_t* err) {
  struct sv_work_item* it = calloc(1, sizeof(*it));
  zum_work_op_t* copy = malloc(n * sizeof(*copy));
  if (!it || !copy) {
    free(it);
    free(copy);
    *err = ZX_ERR_NO_MEMORY;
    return NULL;
  }
  memcpy(copy, ops, n * sizeof(*copy));
  /* Own the memory fds: the VMO may be closed and freed before queued work is delivered. */
  for (size_t i = 0; i < n; i++) {
    if (!zum_work_op_has_fd(copy[i].kind)) continue;
    copy[i].fd = fcntl(ops[i].fd, F_DUPFD_CLOEXEC, 0);
    if (copy[i].fd < 0) {
      int e = errno;
      for (size_t k = 0; k < i; k++)
        if (zum_work_op_has_fd(copy[k].kind)) close(copy[k].fd);
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

static int64_t sv_work_apply(void* host, struct kcall* c, const zum_work_op_t* ops, size_t n,
                             zx_status_t status) {
  struct sv_proc* p = container_of((struct host_guest*)host, struct sv_proc, g);
  if (p->exited) return status;
  bool self = is_self(p, c);
  if (!self && p->agent_fd < 0) {
    /* Nobody in the target can change its address space. Not reached for hosted processes
     * (their runtime always starts an agent) once they have run hosted_init. */
    work_failed(p, "no agent for work asked by another process", ENOSYS);
    return status;
  }
  zx_status_t err;
  struct sv_work_item* it = work_item_new(p, c, ops, n, status, &err);
  if (!it) return err;
  bool first = list_empty(&p->work_queue);
  list_add_tail(&p->work_queue, &it->node);
  if (first && self) return deliver_self(p, it, c->id);
  /* A pure process that has not started runs no code: nobody can observe its Linux address
   * space before its first thread, and that thread's start is queued behind this work. So the
   * caller (a loader mapping a new process) need not wait for each mapping's round trip. */
  bool deferred = !self && p->kp && p->kp->pure && p->kp->state == KPROC_INITIAL;
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
  return deferred ? status : kcall_park(c, work_cancel, it);
}

/* Queues a SEAL or START_THREAD record for p's stub behind any pending work, so a thread never
 * starts before the mappings asked for ahead of it are in place. c waits for the reply (c may
 * be NULL for a record nobody waits for). */
static int64_t queue_record(struct sv_proc* p, struct kcall* c, const zum_agent_msg_t* rec,
                            struct kthread* t) {
  if (p->agent_fd < 0) return ZX_ERR_BAD_STATE;
  struct sv_work_item* it = calloc(1, sizeof(*it));
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
    struct sv_work_item* q = list_entry(pos, struct sv_work_item, node);
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
  return c ? kcall_park(c, work_cancel, it) : ZX_OK;
}

int64_t sv_work_start_thread(void* host, struct kcall* c, struct kthread* t,
                             const struct kthread_regs* regs, bool seal, uint64_t code_start,
                             uint64_t code_end) {
  struct sv_proc* p = container_of((struct host_guest*)host, struct sv_proc, g);
  if (p->exited) return ZX_ERR_BAD_STATE;
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

int64_t sv_work_done(struct kcall* c, uint64_t work_addr) {
  struct sv_proc* p = sv_proc_of(c->proc);
  struct sv_work_item* it = head_of(p);
  if (!it || !it->self || !it->started || it->thread != c->thread || it->work_addr != work_addr)
    return ZX_ERR_BAD_STATE;
  struct {
    uint32_t num_ops;
    int32_t error;
  } hdr;
  if (host_guest_read(&p->g, work_addr, &hdr, sizeof(hdr)) != 0) {
    work_failed(p, "reading the work block", EFAULT);
    return ZX_ERR_BAD_STATE;
  }
  if (hdr.error != 0) {
    work_failed(p, "mmap/mprotect in the guest", hdr.error);
    return ZX_ERR_BAD_STATE;
  }
  if (it->next < it->n) return deliver_self(p, it, c->id);
  zx_status_t status = it->status;
  struct sv_group* g = it->group;
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

/* Whether a process whose agent reported has_uffd fills copy-on-write pages on demand:
 * ZUM_NO_UFFD=1 forces the fallback everywhere (the test suite runs both paths); a process
 * without a userfaultfd (seccomp profiles such as Docker's refuse the call) gets the fallback,
 * which is said once. */
static bool sv_uffd_usable(bool has_uffd) {
  static int forced_off = -1;
  static bool told;
  if (forced_off < 0) {
    const char* e = getenv("ZUM_NO_UFFD");
    forced_off = e && *e && strcmp(e, "0") != 0;
  }
  if (forced_off) return false;
  if (!has_uffd && !told) {
    told = true;
    fprintf(stderr,
            "zum: userfaultfd is not available here: mappings of copy-on-write VMO children are "
            "copied when they are made (correct, but not on demand)\n");
  }
  return has_uffd;
}

static void on_agent(struct host_loop_source* s, uint32_t events) {
  struct sv_proc* p = container_of(s, struct sv_proc, agent_src);
  zum_agent_reply_t r;
  /* The hello may carry the process's userfaultfd; no other message carries an fd. */
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } u;
  struct iovec iov = {&r, sizeof(r)};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                       .msg_controllen = sizeof(u.buf)};
  ssize_t n = (events & HOST_EV_IN) ? recvmsg(p->agent_fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC)
                                    : 0;
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  int fd = -1;
  for (struct cmsghdr* cm = n > 0 ? CMSG_FIRSTHDR(&msg) : NULL; cm; cm = CMSG_NXTHDR(&msg, cm)) {
    if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS) continue;
    size_t nfds = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < nfds; i++) {
      int f;
      memcpy(&f, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
      if (fd < 0 && n == (ssize_t)sizeof(r) && r.token == 0 && p->uffd_fd < 0) fd = f;
      else close(f);
    }
  }
  if (n != (ssize_t)sizeof(r)) {
    /* The agent is gone (its process is exiting) or spoke nonsense. */
    if (fd >= 0) close(fd);
    host_loop_remove(&p->agent_src);
    close(p->agent_fd);
    p->agent_fd = -1;
    if (p->kp && p->agent_tid == 0) kproc_caps_learnt(p->kp); /* no hello will come */
    return;
  }
  if (r.token == 0) {
    p->agent_tid = r.tid;
    bool uffd = sv_uffd_usable((r.error & ZUM_AGENT_CAP_UFFD) != 0);
    if (p->kp) {
      p->kp->uffd = uffd;
      p->kp->vm_fault = uffd && (r.error & ZUM_AGENT_CAP_VM_FAULT) != 0;
      p->kp->wp = p->kp->vm_fault && (r.error & ZUM_AGENT_CAP_WP) != 0;
    }
    p->work_fds = p->work_chan >= 0 && (r.error & ZUM_AGENT_CAP_WORK_FDS) != 0;
    if (uffd && fd >= 0) p->uffd_fd = fd;
    else if (fd >= 0) close(fd);
    if (p->kp) kproc_caps_learnt(p->kp); /* the calls that waited for it run again */
    return;
  }
  struct sv_work_item* it = head_of(p);
  if (!it || it->self || !it->started || it->token != r.token) return;
  if (it->kind == ZUM_AGENT_START_THREAD || it->kind == ZUM_AGENT_SEAL) {
    int64_t result = it->status;
    if (r.error != 0) {
      /* EAGAIN: the stub has no room for another thread. */
      result = r.error == EAGAIN ? ZX_ERR_NO_RESOURCES : ZX_ERR_BAD_STATE;
      if (it->kind == ZUM_AGENT_SEAL) work_failed(p, "sealing the process's system calls", r.error);
    } else if (it->start) {
      sv_bind_thread(p, it->start, r.tid);
    }
    if (r.error != 0 && it->start) kthread_on_exit(it->start);
    finish(it, result);
    pop_done(p, it);
    sv_retry_pending(p);
    return;
  }
  if (r.error != 0) {
    work_failed(p, "mmap/mprotect in the agent", r.error);
  } else if (it->next < it->n) {
    int e = send_agent(p, it);
    if (e == 0) return;
    work_failed(p, "sending work to the agent", -e);
  }
  /* The items that rode in this message are done with it. */
  struct sv_work_item* r2;
  while ((r2 = list_first(&it->node, struct sv_work_item, node)) && &r2->node != &p->work_queue &&
         r2->carrier == it->token) {
    finish(r2, r2->status);
    list_del(&r2->node);
    item_free(r2);
  }
  finish(it, it->status);
  pop_done(p, it);
}

int sv_work_uffd_wp(struct sv_proc* p, uint64_t addr, uint64_t len, bool missing,
                    void (*done)(void* arg, int err), void* arg) {
  if (p->uffd_fd < 0) return ENOSYS;
  if (list_empty(&p->work_queue)) return host_uffd_write_protect(p->uffd_fd, addr, len, missing);
  struct sv_work_item* it = calloc(1, sizeof(*it));
  if (!it) return ENOMEM;
  it->target = p;
  it->kind = SV_WORK_WP;
  it->token = next_token++;
  it->wp.addr = addr;
  it->wp.len = len;
  it->wp.missing = missing;
  it->wp.done = done;
  it->wp.arg = arg;
  list_add_tail(&p->work_queue, &it->node);
  return EINPROGRESS;
}

bool sv_work_learn_caps(struct sv_proc* p) {
  /* The hello comes first on the agent's socket, as soon as the runtime is up (the stub's
   * start-up, libzum's constructor); on_agent reads it when it comes. */
  sv_work_learn_agent(p);
  return p->agent_fd >= 0 && p->agent_tid == 0;
}

void sv_work_learn_agent(struct sv_proc* p) {
  if (p->agent_fd >= 0 && p->agent_tid == 0) on_agent(&p->agent_src, HOST_EV_IN);
}

int sv_work_adopt_agent(struct sv_proc* p, int fd) {
  p->agent_fd = fd;
  p->agent_src.fd = fd;
  p->agent_src.ready = on_agent;
  if (host_loop_add(&p->agent_src) != 0) {
    close(fd);
    p->agent_fd = -1;
    return -EIO;
  }
  return 0;
}

/* A SOCK_SEQPACKET pair with one end put into the calling guest (its fd number there is
 * returned, or -errno) and the other in *ours. */
static int socket_into_caller(struct kcall* c, int* ours) {
  struct sv_proc* p = sv_proc_of(c->proc);
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) return -errno;
  int guest_fd = host_seccomp_addfd(p->g.listener, c->id, sv[1]);
  close(sv[1]);
  if (guest_fd < 0) {
    close(sv[0]);
    return guest_fd;
  }
  *ours = sv[0];
  return guest_fd;
}

int sv_work_attach_agent(struct kcall* c) {
  struct sv_proc* p = sv_proc_of(c->proc);
  if (p->agent_fd >= 0) return -EBUSY;
  int ours;
  int guest_fd = socket_into_caller(c, &ours);
  if (guest_fd < 0) return guest_fd;
  p->agent_fd = ours;
  p->agent_src.fd = ours;
  p->agent_src.ready = on_agent;
  if (host_loop_add(&p->agent_src) != 0) {
    close(ours);
    p->agent_fd = -1;
    return -EIO;
  }
  return guest_fd;
}

int sv_work_attach_work_channel(struct kcall* c) {
  struct sv_proc* p = sv_proc_of(c->proc);
  if (p->work_chan >= 0) return -EBUSY;
  return socket_into_caller(c, &p->work_chan);
}

void sv_work_init(struct sv_proc* p) {
  list_init(&p->work_queue);
  p->uffd_fd = -1;
  p->work_chan = -1;
  p->work_fds = false;
  p->agent_fd = -1;
  p->agent_tid = 0;
}

void sv_work_proc_exited(struct sv_proc* p) {
  struct sv_work_item* it;
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
  if (p->agent_fd >= 0) {
    host_loop_remove(&p->agent_src);
    close(p->agent_fd);
    p->agent_fd = -1;
  }
  if (p->uffd_fd >= 0) close(p->uffd_fd);
  p->uffd_fd = -1;
  if (p->work_chan >= 0) close(p->work_chan);
  p->work_chan = -1;
}

int64_t sv_work_mm_apply(void* host, struct kcall* c, const zum_work_op_t* ops, size_t n,
                         zx_status_t status) {
  return sv_work_apply(host, c, ops, n, status);
}

/* One change for several processes: an item in each one's queue, all sharing a group. The
 * caller's own part (if it is one of them) goes the fast way, handed back to its thread, whose
 * work_done then waits for the rest; the others go to their agents at once, so the members
 * apply the change in parallel. Every queue gets its item now, in call order, so all members
 * see the group's changes in the same order. A member that cannot take the item (no agent, a
 * failed send, no memory) is killed: its address space could no longer match the tree. */
int64_t sv_work_mm_apply_many(struct kcall* c, struct kproc* const* targets, size_t ntargets,
                              const zum_work_op_t* ops, size_t n, zx_status_t status) {
  struct sv_group* g = calloc(1, sizeof(*g));
  if (!g) return ZX_ERR_NO_MEMORY;
  g->status = status;
  g->pending = 1; /* held while the items are queued */
  struct sv_work_item* self_it = NULL;
  bool self_first = false;
  for (size_t i = 0; i < ntargets; i++) {
    if (!targets[i]->host) continue;
    struct sv_proc* p = sv_proc_of(targets[i]);
    if (p->exited) continue;
    bool self = is_self(p, c);
    if (!self && p->agent_fd < 0) {
      /* A member on its way out (its stub gone before its exit is reaped) needs nothing. */
      if (p->kp->state == KPROC_INITIAL || p->kp->state == KPROC_RUNNING)
        work_failed(p, "no agent for work on a shared region", ENOSYS);
      continue;
    }
    zx_status_t err;
    struct sv_work_item* it = work_item_new(p, c, ops, n, status, &err);
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
  if (self_it) {
    struct sv_proc* p = self_it->target;
    if (self_first) return deliver_self(p, self_it, c->id);
    self_it->call = c;
    return kcall_park(c, work_cancel, self_it);
  }
  if (g->pending == 0) {
    free(g);
    return status;
  }
  g->call = c;
  return kcall_park(c, group_cancel, g);
}
