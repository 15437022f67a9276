#include "kobj/object.h"

#include <string.h>

static zx_koid_t next_koid = ZX_KOID_FIRST;

zx_koid_t kobj_next_koid(void) { return next_koid++; }

void kobj_init(struct kobj* o, const struct kobj_ops* ops, zx_signals_t initial_signals) {
  o->ops = ops;
  o->koid = kobj_next_koid();
  o->refs = 1;
  o->handle_count = 0;
  o->signals = initial_signals;
  list_init(&o->observers);
  memset(o->name, 0, sizeof(o->name));
}

void kobj_unref(struct kobj* o) {
  if (--o->refs == 0) o->ops->destroy(o);
}

void kobj_signal(struct kobj* o, zx_signals_t clear, zx_signals_t set) {
  kobj_signal_pulse(o, clear, set, 0);
}

void kobj_signal_pulse(struct kobj* o, zx_signals_t clear, zx_signals_t set, zx_signals_t pulse) {
  zx_signals_t before = o->signals;
  o->signals = (before & ~clear) | set;
  /* As Zircon's UpdateState: only a signal becoming active notifies observers (then every one
   * whose watched signals are asserted); clearing, or setting what was set, notifies no one.
   * Edge-triggered waits (wait_async EDGE) depend on this. A pulsed signal is active for this
   * walk only: observers see it, the state keeps nothing of it. */
  zx_signals_t seen = o->signals | pulse;
  if ((seen & ~before) == 0) return;
  /* Observers may complete waits that drop the last reference to o; hold one meanwhile. */
  kobj_ref(o);
  struct list_node *pos, *tmp;
  list_for_each_safe(pos, tmp, &o->observers) {
    struct kobserver* ob = list_entry(pos, struct kobserver, node);
    if ((ob->watched & seen) == 0) continue;
    /* Unlinked during the callback, which may free the observer when it returns true; put back
     * in place when it stays. */
    struct list_node* prev = ob->node.prev;
    list_del(&ob->node);
    if (!ob->on_signals(ob, seen)) {
      ob->node.prev = prev;
      ob->node.next = prev->next;
      prev->next->prev = &ob->node;
      prev->next = &ob->node;
    }
  }
  kobj_unref(o);
}

bool kobj_observe(struct kobj* o, struct kobserver* ob) {
  ob->obj = o;
  list_init(&ob->node);
  if ((ob->watched & o->signals) && ob->on_signals(ob, o->signals)) return false;
  list_add_tail(&o->observers, &ob->node);
  return true;
}

void kobj_unobserve(struct kobserver* ob) { list_del(&ob->node); }

void kobj_cancel_handle_observers(struct kobj* o, const struct khandle* handle) {
  struct list_node *pos, *tmp;
  kobj_ref(o);
  list_for_each_safe(pos, tmp, &o->observers) {
    struct kobserver* ob = list_entry(pos, struct kobserver, node);
    if (ob->handle != handle) continue;
    list_del(&ob->node);
    ob->on_cancel(ob);
  }
  kobj_unref(o);
}

void kobj_set_name(struct kobj* o, const char* name, size_t len) {
  if (len > ZX_MAX_NAME_LEN - 1) len = ZX_MAX_NAME_LEN - 1;
  size_t n = strnlen(name, len);
  memset(o->name, 0, sizeof(o->name));
  memcpy(o->name, name, n);
}

static struct list_node deferred = LIST_INIT(deferred);

void kobj_defer(struct kdeferred* d) {
  if (d->node.next && list_linked(&d->node)) return;
  list_add_tail(&deferred, &d->node);
}

void kobj_undefer(struct kdeferred* d) {
  if (d->node.next) list_del(&d->node);
}

void kobj_run_deferred(void) {
  while (!list_empty(&deferred)) {
    struct kdeferred* d = list_first(&deferred, struct kdeferred, node);
    list_del(&d->node);
    d->run(d);
  }
}
