/* Channel endpoints: message queues, signals, call waiters, and lifetime.
 *
 * Lifetime, as in Zircon: when an endpoint's last handle goes away its peer gets PEER_CLOSED
 * (WRITABLE cleared), calls pending on the peer end with PEER_CLOSED and calls pending on the
 * endpoint itself end with CANCELED; the two are unlinked, and the endpoint's own queue is
 * discarded (nobody can read it any more), which closes the handles in it. That breaks every
 * handle cycle that goes through the closed endpoint.
 *
 * Cycles Zircon does not break: a peerless endpoint whose remaining handles all sit in queues
 * that can never be read, e.g. endpoint A written into its own queue through its peer B and then
 * B closed, or two peerless endpoints holding each other. Zircon leaks those; zum collects them:
 * peerless endpoints that still have handles are kept on a list, and when one loses a handle or
 * a new one appears, a deferred pass (trial deletion, as in reference-counting collectors)
 * discards the queues of those that no handle outside such queues can reach. Endpoints that still
 * have a peer always count as reachable.
 *
 * Messages discarded while others are being discarded are queued and freed iteratively, so a
 * long chain of channels inside channels cannot overflow the supervisor's stack. */
#include "kobj/channel.h"

#include <stdlib.h>
#include <string.h>

#include "kobj/quota.h"
#include "kobj/task.h"

static uint64_t live_messages;
uint64_t kchannel_live_messages(void) { return live_messages; }

/* ---- messages */

struct kmsg* kmsg_alloc(struct kjob* job, uint32_t num_bytes, uint32_t num_handles) {
  size_t hsize = (size_t)num_handles * sizeof(struct khandle*);
  size_t size = sizeof(struct kmsg) + hsize + num_bytes;
  /* Queued messages are the supervisor's memory that guests size: charged to the writer's job
   * until the message is read or dropped. */
  if (kquota_charge(job, KRES_MEM, size) != ZX_OK) return NULL;
  struct kmsg* m = calloc(1, size);
  if (!m) {
    kquota_release(job, KRES_MEM, size);
    return NULL;
  }
  if (job) {
    m->charged = job;
    m->charged_bytes = size;
    kobj_ref(&job->base);
  }
  list_init(&m->node);
  m->num_bytes = num_bytes;
  m->num_handles = num_handles;
  m->handles = (struct khandle**)(m + 1);
  m->data = (uint8_t*)(m + 1) + hsize;
  live_messages++;
  return m;
}

void kmsg_free(struct kmsg* m) {
  for (uint32_t i = 0; i < m->num_handles; i++) {
    struct khandle* h = m->handles[i];
    m->handles[i] = NULL;
    if (h) khandle_destroy(h);
  }
  live_messages--;
  struct kjob* job = m->charged;
  if (job) {
    kquota_release(job, KRES_MEM, m->charged_bytes);
    kobj_unref(&job->base);
  }
  free(m);
}

zx_txid_t kmsg_txid(const struct kmsg* m) {
  zx_txid_t txid = 0;
  if (m->num_bytes >= sizeof(txid)) memcpy(&txid, m->data, sizeof(txid));
  return txid;
}

static bool is_channel(const struct kobj* o) { return o->ops == &kchannel_ops; }

static uint32_t count_channel_handles(const struct kmsg* m) {
  uint32_t n = 0;
  for (uint32_t i = 0; i < m->num_handles; i++)
    if (m->handles[i] && is_channel(m->handles[i]->obj)) n++;
  return n;
}

/* Messages waiting to be freed; drained by the outermost discard. */
static struct list_node dying = LIST_INIT(dying);
static bool draining;

static void drain_dying(void) {
  if (draining) return;
  draining = true;
  while (!list_empty(&dying)) {
    struct kmsg* m = list_first(&dying, struct kmsg, node);
    list_del(&m->node);
    kmsg_free(m); /* may discard more queues: they land on `dying` */
  }
  draining = false;
}

/* Moves ch's queue to the dying list (freed by the next drain_dying). */
static void unqueue_all(struct kchannel* ch) {
  while (!list_empty(&ch->messages)) {
    struct kmsg* m = list_first(&ch->messages, struct kmsg, node);
    list_del(&m->node);
    list_add_tail(&dying, &m->node);
  }
  ch->num_messages = 0;
  ch->queued_channel_handles = 0;
  kobj_signal(&ch->base, ZX_CHANNEL_READABLE, 0);
}

/* ---- cycle collection */

static struct list_node dead = LIST_INIT(dead); /* peerless endpoints with handles */
static void gc_run(struct kdeferred* d);
static struct kdeferred gc_work = {.run = gc_run};

static void gc_schedule(void) { kobj_defer(&gc_work); }

static bool in_dead_list(const struct kchannel* ch) { return list_linked(&ch->dead_node); }

#define FOR_EACH_CHANNEL_HANDLE(ch, y, body)                                  \
  do {                                                                        \
    struct list_node* mpos_;                                                  \
    list_for_each(mpos_, &(ch)->messages) {                                   \
      struct kmsg* m_ = list_entry(mpos_, struct kmsg, node);                 \
      for (uint32_t i_ = 0; i_ < m_->num_handles; i_++) {                     \
        struct khandle* h_ = m_->handles[i_];                                 \
        if (!h_ || !is_channel(h_->obj)) continue;                            \
        struct kchannel* y = to_kchannel(h_->obj);                            \
        if (!in_dead_list(y)) continue;                                       \
        body;                                                                 \
      }                                                                       \
    }                                                                         \
  } while (0)

static void gc_run(struct kdeferred* d) {
  (void)d;
  uint64_t inside = 0;
  struct list_node* pos;
  list_for_each(pos, &dead) {
    struct kchannel* c = list_entry(pos, struct kchannel, dead_node);
    inside += c->queued_channel_handles;
    c->gc_refs = c->base.handle_count;
    c->gc_reachable = false;
    c->gc_next = NULL;
  }
  if (inside == 0) return; /* no peerless queue holds an endpoint: nothing can be a cycle */
  /* Handles held inside candidates' own queues do not make anything reachable. */
  list_for_each(pos, &dead) {
    struct kchannel* c = list_entry(pos, struct kchannel, dead_node);
    FOR_EACH_CHANNEL_HANDLE(c, y, y->gc_refs--);
  }
  /* Anything with a handle elsewhere is reachable, and so is what its queue holds. */
  struct kchannel* work = NULL;
  list_for_each(pos, &dead) {
    struct kchannel* c = list_entry(pos, struct kchannel, dead_node);
    if (c->gc_refs > 0) {
      c->gc_reachable = true;
      c->gc_next = work;
      work = c;
    }
  }
  while (work) {
    struct kchannel* c = work;
    work = c->gc_next;
    FOR_EACH_CHANNEL_HANDLE(c, y, {
      if (!y->gc_reachable) {
        y->gc_reachable = true;
        y->gc_next = work;
        work = y;
      }
    });
  }
  /* The rest is garbage: discard its queues (closing the handles that kept it alive). */
  struct kchannel* garbage = NULL;
  list_for_each(pos, &dead) {
    struct kchannel* c = list_entry(pos, struct kchannel, dead_node);
    if (!c->gc_reachable) {
      kobj_ref(&c->base);
      c->gc_next = garbage;
      garbage = c;
    }
  }
  for (struct kchannel* c = garbage; c; c = c->gc_next) unqueue_all(c);
  drain_dying();
  while (garbage) {
    struct kchannel* c = garbage;
    garbage = c->gc_next;
    kobj_unref(&c->base);
  }
}

/* ---- the object */

static void cancel_waiters(struct kchannel* ch, zx_status_t status) {
  while (!list_empty(&ch->waiters)) {
    struct kchannel_waiter* w = list_first(&ch->waiters, struct kchannel_waiter, node);
    list_del(&w->node);
    w->cancel(w, status);
  }
}

static void channel_zero_handles(struct kobj* o) {
  struct kchannel* ch = to_kchannel(o);
  struct kchannel* p = ch->peer;
  if (p) {
    kobj_ref(&p->base);
    ch->peer = NULL;
    p->peer = NULL;
    kobj_signal(&p->base, ZX_CHANNEL_WRITABLE, ZX_CHANNEL_PEER_CLOSED);
    cancel_waiters(p, ZX_ERR_PEER_CLOSED);
    if (p->base.handle_count > 0 && !in_dead_list(p)) {
      list_add_tail(&dead, &p->dead_node);
      gc_schedule();
    }
    kobj_unref(&p->base);
  }
  cancel_waiters(ch, ZX_ERR_CANCELED);
  list_del(&ch->dead_node);
  unqueue_all(ch);
  drain_dying();
}

static void channel_handle_removed(struct kobj* o) {
  if (in_dead_list(to_kchannel(o))) gc_schedule();
}

static void channel_destroy(struct kobj* o) {
  struct kchannel* ch = to_kchannel(o);
  /* Only an endpoint that never had a handle can still be linked here. */
  if (ch->peer) ch->peer->peer = NULL;
  list_del(&ch->dead_node);
  unqueue_all(ch);
  drain_dying();
  free(ch);
}

static zx_koid_t channel_related(struct kobj* o) {
  struct kchannel* ch = to_kchannel(o);
  return ch->peer ? ch->peer->base.koid : 0;
}

static struct kobj* channel_peer(struct kobj* o) {
  struct kchannel* ch = to_kchannel(o);
  return ch->peer ? &ch->peer->base : NULL;
}

const struct kobj_ops kchannel_ops = {
    .type = ZX_OBJ_TYPE_CHANNEL,
    .name = "channel",
    .default_rights = ZX_DEFAULT_CHANNEL_RIGHTS,
    .allowed_signals = 0,
    .on_zero_handles = channel_zero_handles,
    .on_handle_removed = channel_handle_removed,
    .destroy = channel_destroy,
    .related_koid = channel_related,
    .peer = channel_peer,
};

static struct kchannel* channel_new(void) {
  struct kchannel* ch = calloc(1, sizeof(*ch));
  if (!ch) return NULL;
  kobj_init(&ch->base, &kchannel_ops, ZX_CHANNEL_WRITABLE);
  list_init(&ch->messages);
  list_init(&ch->waiters);
  list_init(&ch->dead_node);
  return ch;
}

zx_status_t kchannel_create(struct kchannel** a, struct kchannel** b) {
  struct kchannel* x = channel_new();
  struct kchannel* y = channel_new();
  if (!x || !y) {
    free(x);
    free(y);
    return ZX_ERR_NO_MEMORY;
  }
  x->peer = y;
  y->peer = x;
  *a = x;
  *b = y;
  return ZX_OK;
}

/* ---- queues */

static void enqueue(struct kchannel* ch, struct kmsg* m) {
  list_add_tail(&ch->messages, &m->node);
  ch->num_messages++;
  ch->queued_channel_handles += count_channel_handles(m);
  kobj_signal(&ch->base, 0, ZX_CHANNEL_READABLE);
}

static void dequeue(struct kchannel* ch, struct kmsg* m) {
  list_del(&m->node);
  ch->num_messages--;
  ch->queued_channel_handles -= count_channel_handles(m);
  if (list_empty(&ch->messages)) kobj_signal(&ch->base, ZX_CHANNEL_READABLE, 0);
}

/* A message carrying a kernel txid goes to the call on `to` waiting for it, if any. */
static bool try_deliver(struct kchannel* to, struct kmsg* m) {
  if (list_empty(&to->waiters)) return false;
  zx_txid_t txid = kmsg_txid(m);
  if (txid < KCHANNEL_MIN_KERNEL_TXID) return false;
  struct list_node* pos;
  list_for_each(pos, &to->waiters) {
    struct kchannel_waiter* w = list_entry(pos, struct kchannel_waiter, node);
    if (w->txid == txid) {
      list_del(&w->node);
      w->deliver(w, m);
      return true;
    }
  }
  return false;
}

/* Frees m (closing its handles) and returns status. */
static zx_status_t drop(struct kmsg* m, zx_status_t status) {
  list_add_tail(&dying, &m->node);
  drain_dying();
  return status;
}

zx_status_t kchannel_write(struct kchannel* ch, struct kmsg* m) {
  struct kchannel* p = ch->peer;
  if (!p) return drop(m, ZX_ERR_PEER_CLOSED);
  if (try_deliver(p, m)) return ZX_OK;
  if (p->num_messages >= KCHANNEL_MAX_PENDING) return drop(m, ZX_ERR_SHOULD_WAIT);
  enqueue(p, m);
  return ZX_OK;
}

zx_status_t kchannel_read(struct kchannel* ch, uint32_t* num_bytes, uint32_t* num_handles,
                          bool may_discard, struct kmsg** out) {
  if (list_empty(&ch->messages)) return ch->peer ? ZX_ERR_SHOULD_WAIT : ZX_ERR_PEER_CLOSED;
  struct kmsg* m = list_first(&ch->messages, struct kmsg, node);
  uint32_t max_bytes = *num_bytes, max_handles = *num_handles;
  *num_bytes = m->num_bytes;
  *num_handles = m->num_handles;
  zx_status_t status = ZX_OK;
  if (m->num_bytes > max_bytes || m->num_handles > max_handles) {
    if (!may_discard) return ZX_ERR_BUFFER_TOO_SMALL;
    status = ZX_ERR_BUFFER_TOO_SMALL;
  }
  dequeue(ch, m);
  *out = m;
  return status;
}

static bool txid_in_use(const struct kchannel* ch, zx_txid_t txid) {
  const struct list_node* pos;
  list_for_each(pos, &ch->waiters) {
    if (list_entry(pos, const struct kchannel_waiter, node)->txid == txid) return true;
  }
  return false;
}

zx_status_t kchannel_call(struct kchannel* ch, struct kmsg* m, struct kchannel_waiter* w) {
  list_init(&w->node);
  struct kchannel* p = ch->peer;
  if (!p) return drop(m, ZX_ERR_PEER_CLOSED);
  if (p->num_messages >= KCHANNEL_MAX_PENDING) return drop(m, ZX_ERR_SHOULD_WAIT);
  /* As Zircon's GenerateTxid: a per-endpoint counter with the top bit set, skipping any txid a
   * call on this endpoint still waits for. */
  zx_txid_t txid;
  do {
    txid = ++ch->txid | KCHANNEL_MIN_KERNEL_TXID;
  } while (txid_in_use(ch, txid));
  memcpy(m->data, &txid, sizeof(txid));
  w->txid = txid;
  list_add_tail(&ch->waiters, &w->node);
  /* The request itself is never taken as a reply by calls pending on the peer (Zircon writes
   * it with WriteSelf, not through TryWriteToMessageWaiter). */
  enqueue(p, m);
  return ZX_OK;
}

void kchannel_call_abandon(struct kchannel_waiter* w) { list_del(&w->node); }
