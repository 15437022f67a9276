/* Suspend tokens. The count lives in the thread (kthread.suspend_count) so that several tokens
 * stop it once and the last one lets it go. The host stops and releases the Linux thread
 * asynchronously: the kernel marks the thread SUSPENDED at once, as Zircon does for a thread
 * blocked in a call (its call stays parked and completes after the resume). */
#include "kobj/suspend.h"

#include <stdlib.h>

#include <zircon/rights.h>

struct ksuspend_token {
  struct kobj base;
  struct kthread* thread; /* a reference; NULL once it has let the thread go */
};

static int host_suspend(struct kthread* t, bool stop) {
  struct kproc* p = t->proc;
  if (!p || !p->host_ops || !p->host_ops->thread_suspend) return -1;
  return p->host_ops->thread_suspend(p->host, t->tid, stop);
}

/* The token's last handle is gone: the thread goes on unless another token holds it. */
static void token_release(struct kobj* o) {
  struct ksuspend_token* k = (struct ksuspend_token*)o;
  struct kthread* t = k->thread;
  if (!t) return;
  k->thread = NULL;
  if (--t->suspend_count == 0 && t->state == KTHREAD_RUNNING) {
    /* A thread the host cannot wake is gone or going: its death is reported on its own. */
    (void)host_suspend(t, false);
    kobj_signal(&t->base, ZX_THREAD_SUSPENDED, ZX_THREAD_RUNNING);
  }
  kobj_unref(&t->base);
}

static void token_destroy(struct kobj* o) {
  token_release(o);
  free(o);
}

static const struct kobj_ops ksuspend_token_ops = {
    .type = ZX_OBJ_TYPE_SUSPEND_TOKEN,
    .name = "suspend-token",
    .default_rights = ZX_DEFAULT_SUSPEND_TOKEN_RIGHTS,
    .on_zero_handles = token_release,
    .destroy = token_destroy,
};

struct kobj* ksuspend_thread(struct kthread* t, zx_status_t* err) {
  /* A thread not started yet would have to start suspended: not done, as is a host that
   * cannot stop threads. */
  if (t->state != KTHREAD_RUNNING || !t->proc || !t->proc->host_ops ||
      !t->proc->host_ops->thread_suspend) {
    *err = ZX_ERR_NOT_SUPPORTED;
    return NULL;
  }
  struct ksuspend_token* k = calloc(1, sizeof(*k));
  if (!k) {
    *err = ZX_ERR_NO_MEMORY;
    return NULL;
  }
  if (t->suspend_count == 0) {
    if (host_suspend(t, true) != 0) {
      free(k);
      *err = ZX_ERR_BAD_STATE;
      return NULL;
    }
    kobj_signal(&t->base, ZX_THREAD_RUNNING, ZX_THREAD_SUSPENDED);
  }
  t->suspend_count++;
  kobj_init(&k->base, &ksuspend_token_ops, 0);
  kobj_ref(&t->base);
  k->thread = t;
  return &k->base;
}
