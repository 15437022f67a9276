/* object_wait_one and object_wait_many: check now, else park the caller with an observer per
 * object and an optional deadline. Closing a handle a wait uses ends it with ZX_ERR_CANCELED. */
#include <stdlib.h>

#include "kobj/deadline.h"
#include "kobj/sysutil.h"
#include "sys-decls.h"

static int64_t now_ns(void) { return kobj_now(); }

/* ---- wait_one */

struct wait_one {
  struct kcall* call;
  struct kobserver ob;
  struct kdeadline deadline;
  zum_uaddr_t observed;
  zx_signals_t watched;
};

static void wait_one_finish(struct wait_one* w, zx_status_t status, zx_signals_t observed) {
  kdeadline_cancel(&w->deadline);
  struct kcall* c = w->call;
  if (w->observed && kcall_copy_out(c, w->observed, &observed, sizeof(observed)) != ZX_OK)
    status = ZX_ERR_INVALID_ARGS;
  kobj_unref(w->ob.obj);
  free(w);
  kcall_complete(c, status);
}

static bool wait_one_signals(struct kobserver* ob, zx_signals_t signals) {
  struct wait_one* w = container_of(ob, struct wait_one, ob);
  wait_one_finish(w, ZX_OK, signals);
  return true;
}

static void wait_one_cancelled(struct kobserver* ob) {
  struct wait_one* w = container_of(ob, struct wait_one, ob);
  wait_one_finish(w, ZX_ERR_CANCELED, ob->obj->signals | ZX_SIGNAL_HANDLE_CLOSED);
}

static void wait_one_timeout(struct kdeadline* d) {
  struct wait_one* w = container_of(d, struct wait_one, deadline);
  kobj_unobserve(&w->ob);
  wait_one_finish(w, ZX_ERR_TIMED_OUT, w->ob.obj->signals);
}

static void wait_one_abandon(struct kcall* c) {
  struct wait_one* w = c->park_state;
  kdeadline_cancel(&w->deadline);
  kobj_unobserve(&w->ob);
  kobj_unref(w->ob.obj);
  free(w);
}

int64_t sys_object_wait_one(struct kcall* c, zx_handle_t handle, zx_signals_t signals,
                            zx_instant_mono_t deadline, zum_uaddr_t observed) {
  struct khandle* h;
  zx_status_t s = kcall_handle(c, handle, &h);
  if (s != ZX_OK) return s;
  if (!(h->rights & ZX_RIGHT_WAIT)) return ZX_ERR_ACCESS_DENIED;
  struct kobj* o = h->obj;
  if (o->ops->not_waitable) return ZX_ERR_NOT_SUPPORTED;
  zx_signals_t now_signals = o->signals;
  if ((now_signals & signals) || deadline <= now_ns()) {
    s = (now_signals & signals) ? ZX_OK : ZX_ERR_TIMED_OUT;
    if (observed && kcall_copy_out(c, observed, &now_signals, sizeof(now_signals)) != ZX_OK)
      return ZX_ERR_INVALID_ARGS;
    return s;
  }
  struct wait_one* w = calloc(1, sizeof(*w));
  if (!w) return ZX_ERR_NO_MEMORY;
  w->call = c;
  w->observed = observed;
  w->ob.handle = h;
  w->ob.watched = signals;
  w->ob.on_signals = wait_one_signals;
  w->ob.on_cancel = wait_one_cancelled;
  kdeadline_init(&w->deadline, wait_one_timeout);
  kobj_ref(o);
  kobj_observe(o, &w->ob); /* nothing asserted yet: stays attached */
  if (deadline != ZX_TIME_INFINITE && !kdeadline_arm(&w->deadline, deadline)) {
    kobj_unobserve(&w->ob);
    kobj_unref(o);
    free(w);
    return ZX_ERR_NO_MEMORY;
  }
  if (c->thread) c->thread->blocked_state = ZX_THREAD_STATE_BLOCKED_WAIT_ONE;
  return kcall_park(c, wait_one_abandon, w);
}

/* ---- wait_many */

struct wait_many;
struct wait_item {
  struct kobserver ob;
  struct wait_many* w;
  bool attached;
};

struct wait_many {
  struct kcall* call;
  zum_uaddr_t items_addr;
  size_t n;
  zx_wait_item_t* items;
  struct wait_item* obs;
  struct kdeadline deadline;
  struct kdeferred done_work;
  zx_status_t status;
  bool done;
};

static void wait_many_detach(struct wait_many* w) {
  kdeadline_cancel(&w->deadline);
  kobj_undefer(&w->done_work);
  for (size_t i = 0; i < w->n; i++) {
    if (w->obs[i].attached) kobj_unobserve(&w->obs[i].ob);
    w->obs[i].attached = false;
  }
}

static void wait_many_free(struct wait_many* w) {
  for (size_t i = 0; i < w->n; i++) kobj_unref(w->obs[i].ob.obj);
  free(w->items);
  free(w->obs);
  free(w);
}

/* Runs outside any signal walk: reports every item's current signals and replies. */
static void wait_many_done(struct kdeferred* d) {
  struct wait_many* w = container_of(d, struct wait_many, done_work);
  wait_many_detach(w);
  zx_status_t status = w->status;
  for (size_t i = 0; i < w->n; i++) {
    w->items[i].pending = w->obs[i].ob.obj->signals;
    if (w->status == ZX_ERR_CANCELED && w->obs[i].ob.handle == NULL)
      w->items[i].pending |= ZX_SIGNAL_HANDLE_CLOSED;
  }
  struct kcall* c = w->call;
  if (kcall_copy_out(c, w->items_addr, w->items, w->n * sizeof(*w->items)) != ZX_OK)
    status = ZX_ERR_INVALID_ARGS;
  wait_many_free(w);
  kcall_complete(c, status);
}

static void wait_many_finish(struct wait_many* w, zx_status_t status) {
  if (w->done) return;
  w->done = true;
  w->status = status;
  kobj_defer(&w->done_work);
}

static bool wait_many_signals(struct kobserver* ob, zx_signals_t signals) {
  struct wait_item* it = container_of(ob, struct wait_item, ob);
  wait_many_finish(it->w, ZX_OK);
  return false; /* detached by wait_many_done */
}

static void wait_many_cancelled(struct kobserver* ob) {
  struct wait_item* it = container_of(ob, struct wait_item, ob);
  it->attached = false;
  ob->handle = NULL; /* marks the item whose handle went away */
  wait_many_finish(it->w, ZX_ERR_CANCELED);
}

static void wait_many_timeout(struct kdeadline* d) {
  struct wait_many* w = container_of(d, struct wait_many, deadline);
  wait_many_finish(w, ZX_ERR_TIMED_OUT);
}

static void wait_many_abandon(struct kcall* c) {
  struct wait_many* w = c->park_state;
  wait_many_detach(w);
  wait_many_free(w);
}

int64_t sys_object_wait_many(struct kcall* c, zum_uaddr_t items, size_t num_items,
                             zx_instant_mono_t deadline) {
  if (num_items > ZX_WAIT_MANY_MAX_ITEMS) return ZX_ERR_OUT_OF_RANGE;
  struct wait_many* w = calloc(1, sizeof(*w));
  if (!w) return ZX_ERR_NO_MEMORY;
  w->call = c;
  w->items_addr = items;
  w->items = calloc(num_items ? num_items : 1, sizeof(*w->items));
  w->obs = calloc(num_items ? num_items : 1, sizeof(*w->obs));
  kdeadline_init(&w->deadline, wait_many_timeout);
  w->done_work.run = wait_many_done;
  list_init(&w->done_work.node);
  if (!w->items || !w->obs) {
    wait_many_free(w);
    return ZX_ERR_NO_MEMORY;
  }
  zx_status_t s = kcall_copy_in(c, w->items, items, num_items * sizeof(*w->items));
  if (s != ZX_OK) {
    wait_many_free(w);
    return s;
  }
  bool satisfied = false;
  for (size_t i = 0; i < num_items; i++) {
    struct khandle* h;
    s = kcall_handle(c, w->items[i].handle, &h);
    if (s == ZX_OK && !(h->rights & ZX_RIGHT_WAIT)) s = ZX_ERR_ACCESS_DENIED;
    if (s == ZX_OK && h->obj->ops->not_waitable) s = ZX_ERR_NOT_SUPPORTED;
    if (s != ZX_OK) {
      w->n = i;
      wait_many_free(w);
      return s;
    }
    w->obs[i].w = w;
    w->obs[i].ob.obj = h->obj;
    w->obs[i].ob.handle = h;
    w->obs[i].ob.watched = w->items[i].waitfor;
    w->obs[i].ob.on_signals = wait_many_signals;
    w->obs[i].ob.on_cancel = wait_many_cancelled;
    kobj_ref(h->obj);
    w->n = i + 1;
    if (h->obj->signals & w->items[i].waitfor) satisfied = true;
  }
  if (satisfied || deadline <= now_ns()) {
    zx_status_t status = satisfied ? ZX_OK : ZX_ERR_TIMED_OUT;
    for (size_t i = 0; i < w->n; i++) w->items[i].pending = w->obs[i].ob.obj->signals;
    if (kcall_copy_out(c, items, w->items, w->n * sizeof(*w->items)) != ZX_OK)
      status = ZX_ERR_INVALID_ARGS;
    wait_many_free(w);
    return status;
  }
  for (size_t i = 0; i < w->n; i++) {
    kobj_observe(w->obs[i].ob.obj, &w->obs[i].ob);
    w->obs[i].attached = true;
  }
  if (deadline != ZX_TIME_INFINITE && !kdeadline_arm(&w->deadline, deadline)) {
    wait_many_detach(w);
    wait_many_free(w);
    return ZX_ERR_NO_MEMORY;
  }
  if (c->thread) c->thread->blocked_state = ZX_THREAD_STATE_BLOCKED_WAIT_MANY;
  return kcall_park(c, wait_many_abandon, w);
}
