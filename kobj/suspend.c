/* Suspend tokens. The count lives in the thread (kthread.suspend_count) so that several tokens
 * stop it once and the last one lets it go. The host stops a pure process's thread
 * asynchronously (a signal its stub handles): the thread is SUSPENDED once its stub reports,
 * through the parked call thread_suspended, with its registers; resuming completes that call.
 * The kernel never waits for the guest. */
#include "kobj/suspend.h"

#include <stdlib.h>

#include <zircon/rights.h>

#include "kobj/kcall.h"
#include "sys-decls.h"

struct ksuspend_token {
  struct kobj base;
  struct kthread* thread; /* a reference; NULL once it has let the thread go */
};

static int host_suspend(struct kthread* t, bool stop) {
  struct kproc* p = t->proc;
  if (!p || !p->host_ops || !p->host_ops->thread_suspend) return -1;
  return p->host_ops->thread_suspend(p->host, t->tid, stop);
}

/* Completes the stub's report with the registers as they are now (zx_thread_write_state may
 * have changed them): the thread goes on from there. */
static void let_go(struct kthread* t) {
  struct kcall* c = t->suspended_call;
  if (c) {
    t->suspended_call = NULL;
    zx_status_t s = kcall_copy_out(c, c->args[0], &t->regs, sizeof(t->regs));
    kcall_complete(c, s);
  }
  kobj_signal(&t->base, ZX_THREAD_SUSPENDED, ZX_THREAD_RUNNING);
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
    let_go(t);
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
   * cannot stop threads or a hosted process (its threads run Linux code zum cannot stop). */
  struct kproc* p = t->proc;
  if (t->state != KTHREAD_RUNNING || !p || !p->pure || !p->host_ops ||
      !p->host_ops->thread_suspend) {
    *err = ZX_ERR_NOT_SUPPORTED;
    return NULL;
  }
  struct ksuspend_token* k = calloc(1, sizeof(*k));
  if (!k) {
    *err = ZX_ERR_NO_MEMORY;
    return NULL;
  }
  if (t->suspend_count == 0 && host_suspend(t, true) != 0) {
    free(k);
    *err = ZX_ERR_BAD_STATE;
    return NULL;
  }
  t->suspend_count++;
  kobj_init(&k->base, &ksuspend_token_ops, 0);
  kobj_ref(&t->base);
  k->thread = t;
  return &k->base;
}

static void cancel_report(struct kcall* c) {
  if (c->thread && c->thread->suspended_call == c) c->thread->suspended_call = NULL;
}

/* The stub took the suspend signal. A thread resumed before its signal arrived goes on at once
 * (its registers untouched); otherwise it is SUSPENDED until the last token goes. */
int64_t sys_thread_suspended(struct kcall* c, zum_uaddr_t regs) {
  struct kthread* t = c->thread;
  if (!t || t->suspend_count == 0 || t->suspended_call) return ZX_OK;
  zx_status_t s = kcall_copy_in(c, &t->regs, regs, sizeof(t->regs));
  if (s != ZX_OK) return s;
  t->suspended_call = c;
  kobj_signal(&t->base, ZX_THREAD_RUNNING, ZX_THREAD_SUSPENDED);
  return kcall_park(c, cancel_report, NULL);
}
