/* The Linux threads of guests: each Zircon thread of a hosted program is met on its first call,
 * each is watched (a thread pidfd) so its end marks the kernel thread dead. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/sv/guest.h"
#include "host/sv/loop.h"
#include "kobj/task.h"
#include "launcher/sv_internal.h"

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
struct kthread* sv_thread_of(struct sv_proc* p, pid_t tid, zx_status_t* err) {
  if (err) *err = ZX_OK;
  struct kthread* t = kproc_find_thread(p->kp, tid);
  if (t || p->kp->pure) return t;
  if (tid != p->g.pid && host_tgid_of(tid) != p->g.pid) return NULL;
  char name[ZX_MAX_NAME_LEN];
  host_thread_comm(tid, name, sizeof(name));
  t = kthread_create(p->kp, tid, name, strlen(name), err);
  if (!t) return NULL;
  if (!watch_thread(p, t)) {
    /* It ended between the check above and now (thread lists race with exits). */
    kthread_on_exit(t);
    return NULL;
  }
  return t;
}

void sv_bind_thread(struct sv_proc* p, struct kthread* t, pid_t tid) {
  /* The tid comes from the guest's stub, which the guest's own code can drive: it must name a
   * Linux thread of this process that is no other Zircon thread (nor the stub's agent), or the
   * thread counts as never started (it ends at once). */
  if (tid <= 0 || tid == p->g.pid || host_tgid_of(tid) != p->g.pid ||
      kproc_find_thread(p->kp, tid)) {
    kthread_on_exit(t);
    return;
  }
  t->tid = tid;
  if (!watch_thread(p, t)) kthread_on_exit(t);
}


void sv_threads_forget(struct sv_proc* p) {
  struct list_node *pos, *tmp;
  list_for_each_safe(pos, tmp, &p->threads) {
    struct sv_thread* t = list_entry(pos, struct sv_thread, node);
    host_loop_remove(&t->src);
    close(t->src.fd);
    list_del(&t->node);
    kobj_unref(&t->kt->base);
    free(t);
  }
}
