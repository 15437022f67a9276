#include "kobj/event.h"

#include <stdlib.h>

#include "kobj/sysutil.h"
#include "sys-decls.h"

static void plain_destroy(struct kobj* o) { free(o); }

const struct kobj_ops kevent_ops = {
    .type = ZX_OBJ_TYPE_EVENT,
    .name = "event",
    .default_rights = ZX_DEFAULT_EVENT_RIGHTS,
    .allowed_signals = ZX_EVENT_SIGNALED,
    .destroy = plain_destroy,
};

struct kobj* kevent_create(void) {
  struct kobj* o = calloc(1, sizeof(*o));
  if (o) kobj_init(o, &kevent_ops, 0);
  return o;
}

static void pair_zero_handles(struct kobj* o) {
  struct keventpair* e = (struct keventpair*)o;
  struct keventpair* p = e->peer;
  if (!p) return;
  e->peer = NULL;
  p->peer = NULL;
  kobj_signal(&p->base, 0, ZX_EVENTPAIR_PEER_CLOSED);
}

static zx_koid_t pair_related(struct kobj* o) {
  struct keventpair* e = (struct keventpair*)o;
  return e->peer ? e->peer->base.koid : 0;
}

static struct kobj* pair_peer(struct kobj* o) {
  struct keventpair* e = (struct keventpair*)o;
  return e->peer ? &e->peer->base : NULL;
}

const struct kobj_ops keventpair_ops = {
    .type = ZX_OBJ_TYPE_EVENTPAIR,
    .name = "eventpair",
    .default_rights = ZX_DEFAULT_EVENTPAIR_RIGHTS,
    .allowed_signals = ZX_EVENTPAIR_SIGNALED,
    .on_zero_handles = pair_zero_handles,
    .destroy = plain_destroy,
    .related_koid = pair_related,
    .peer = pair_peer,
};

int keventpair_create(struct kobj** a, struct kobj** b) {
  struct keventpair* x = calloc(1, sizeof(*x));
  struct keventpair* y = calloc(1, sizeof(*y));
  if (!x || !y) {
    free(x);
    free(y);
    return -1;
  }
  kobj_init(&x->base, &keventpair_ops, 0);
  kobj_init(&y->base, &keventpair_ops, 0);
  x->peer = y;
  y->peer = x;
  *a = &x->base;
  *b = &y->base;
  return 0;
}

int64_t sys_event_create(struct kcall* c, uint32_t options, zum_uaddr_t out) {
  if (options != 0) return ZX_ERR_INVALID_ARGS;
  int64_t pol = kpolicy_enforce(c->proc, ZX_POL_NEW_EVENT);
  if (pol != ZX_OK) return pol;
  struct kobj* o = kevent_create();
  if (!o) return ZX_ERR_NO_MEMORY;
  zx_status_t s = kcall_out_handle(c, o, ZX_DEFAULT_EVENT_RIGHTS, out);
  kobj_unref(o);
  return s;
}

int64_t sys_eventpair_create(struct kcall* c, uint32_t options, zum_uaddr_t out0,
                             zum_uaddr_t out1) {
  if (options != 0) return ZX_ERR_NOT_SUPPORTED; /* Zircon's eventpair_create says so */
  int64_t pol = kpolicy_enforce(c->proc, ZX_POL_NEW_EVENTPAIR);
  if (pol != ZX_OK) return pol;
  struct kobj *a, *b;
  if (keventpair_create(&a, &b) != 0) return ZX_ERR_NO_MEMORY;
  return kcall_out_pair(c, a, b, ZX_DEFAULT_EVENTPAIR_RIGHTS, out0, out1);
}
