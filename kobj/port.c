/* Ports, after Zircon's PortDispatcher/PortObserver (object/port_dispatcher.cc):
 * - a FIFO of packets; user packets are allocated per port_queue and count against the per-port
 *   limit, a signal packet lives inside its async wait (kport_wait) and does not;
 * - pending async waits, each an observer on the waited object, listed on the port so that
 *   port_cancel, port_cancel_key and the port's last handle can find them;
 * - readers: port_wait calls parked until a packet comes or their deadline passes. A reader
 *   only waits while the queue is empty, so a new packet goes straight to the oldest reader.
 * No async wait holds a reference to the waited object: it is attached through a handle, and
 * closing that handle cancels it (as Zircon's observers hold only a raw dispatcher pointer). */
#include "kobj/port.h"

#include <stdlib.h>
#include <string.h>
#include <zircon/syscalls/object.h>

#include "kobj/deadline.h"
#include "kobj/task.h"

struct kport {
  struct kobj base;
  uint32_t options;
  bool zero_handles;
  uint32_t num_user;  /* queued user packets */
  uint32_t num_waits; /* pending async waits */
  struct list_node packets;
  struct list_node waits;
  struct list_node readers;
  struct kdeferred reap; /* detaches the pending waits once the last handle is gone */
};

struct kpacket {
  struct list_node node; /* in port->packets while queued */
  zx_port_packet_t pkt;
  /* For signal packets the handle the wait was made through (compared, never used: it may be
   * closed by now); NULL for user packets. */
  const struct khandle* source;
  bool user; /* allocated (port_queue, kport_queue_owned); else embedded in a kport_wait */
  /* The kernel object a kport_queue_owned packet is for (an interrupt); NULL otherwise. */
  const void* owner;
  struct kjob* charged; /* user packets: the job charged for it (kobj/quota.h), referenced */
};

struct kport_wait {
  struct kobserver ob;
  struct kport* port;
  struct list_node port_node; /* in port->waits while pending */
  uint32_t options;
  struct kpacket packet;
  struct kjob* charged; /* the job charged for it (kobj/quota.h), referenced; NULL: none */
};

struct kport_reader {
  struct list_node node; /* in port->readers */
  struct kcall* call;
  struct kport* port;    /* holds a reference */
  struct kdeadline deadline;
  zum_uaddr_t out;
};

static struct kport* to_kport(struct kobj* o) { return (struct kport*)o; }

/* User packets and async waits are supervisor memory a guest asks for: each is charged to the
 * job of the process that made it (as KRES_MEM, its size) until it is freed, here only. */
static void* charged_alloc(struct kjob* job, size_t size, struct kjob** charged) {
  if (kquota_charge(job, KRES_MEM, size) != ZX_OK) return NULL;
  void* m = calloc(1, size);
  if (!m) {
    kquota_release(job, KRES_MEM, size);
    return NULL;
  }
  *charged = job;
  if (job) kobj_ref(&job->base);
  return m;
}

static void charged_free(void* m, size_t size, struct kjob* charged) {
  free(m);
  if (!charged) return;
  kquota_release(charged, KRES_MEM, size);
  kobj_unref(&charged->base);
}

static void wait_free(struct kport_wait* w) { charged_free(w, sizeof(*w), w->charged); }

static void packet_free(struct kpacket* k) {
  if (k->user)
    charged_free(k, sizeof(*k), k->charged);
  else
    wait_free(container_of(k, struct kport_wait, packet));
}

/* Takes k off the queue. */
static void packet_unqueue(struct kport* p, struct kpacket* k) {
  list_del(&k->node);
  if (k->user && !k->owner) p->num_user--;
}

/* ---- readers (port_wait) */

static void reader_finish(struct kport_reader* r, zx_status_t status, const zx_port_packet_t* pkt) {
  struct kcall* c = r->call;
  struct kport* p = r->port;
  list_del(&r->node);
  kdeadline_cancel(&r->deadline);
  /* As Zircon: the packet is taken before it is copied out; a faulting copy loses it. */
  if (pkt && kcall_copy_out(c, r->out, pkt, sizeof(*pkt)) != ZX_OK) status = ZX_ERR_INVALID_ARGS;
  free(r);
  kcall_complete(c, status);
  kobj_unref(&p->base);
}

static void reader_timeout(struct kdeadline* d) {
  reader_finish(container_of(d, struct kport_reader, deadline), ZX_ERR_TIMED_OUT, NULL);
}

static void reader_abandon(struct kcall* c) {
  struct kport_reader* r = c->park_state;
  struct kport* p = r->port;
  list_del(&r->node);
  kdeadline_cancel(&r->deadline);
  free(r);
  kobj_unref(&p->base);
}

/* Hands k to the oldest reader, or queues it. */
static void port_push(struct kport* p, struct kpacket* k) {
  struct kport_reader* r = list_first(&p->readers, struct kport_reader, node);
  if (r) {
    zx_port_packet_t pkt = k->pkt;
    packet_free(k);
    reader_finish(r, ZX_OK, &pkt);
    return;
  }
  list_add_tail(&p->packets, &k->node);
  if (k->user && !k->owner) p->num_user++;
}

int64_t kport_wait(struct kcall* c, struct kobj* port, zx_instant_mono_t deadline,
                   zum_uaddr_t out_addr) {
  struct kport* p = to_kport(port);
  struct kpacket* k = list_first(&p->packets, struct kpacket, node);
  if (k) {
    /* A queued packet is returned even when the deadline has passed, as Zircon's semaphore. */
    packet_unqueue(p, k);
    zx_port_packet_t pkt = k->pkt;
    packet_free(k);
    return kcall_copy_out(c, out_addr, &pkt, sizeof(pkt)) == ZX_OK ? ZX_OK : ZX_ERR_INVALID_ARGS;
  }
  if (deadline <= kobj_now()) return ZX_ERR_TIMED_OUT;
  struct kport_reader* r = calloc(1, sizeof(*r));
  if (!r) return ZX_ERR_NO_MEMORY;
  r->call = c;
  r->port = p;
  r->out = out_addr;
  kdeadline_init(&r->deadline, reader_timeout);
  if (deadline != ZX_TIME_INFINITE && !kdeadline_arm(&r->deadline, deadline)) {
    free(r);
    return ZX_ERR_NO_MEMORY;
  }
  kobj_ref(port);
  list_add_tail(&p->readers, &r->node);
  if (c->thread) c->thread->blocked_state = ZX_THREAD_STATE_BLOCKED_PORT;
  return kcall_park(c, reader_abandon, r);
}

/* ---- user packets */

zx_status_t kport_queue_user(struct kjob* job, struct kobj* port, const zx_port_packet_t* packet) {
  struct kport* p = to_kport(port);
  if (p->zero_handles) return ZX_ERR_BAD_HANDLE;
  /* Zircon raises a ZX_EXCP_POLICY_CODE_PORT_TOO_MANY_PACKETS policy exception here as well (the
   * caller normally sees the exception, not the status); zum has no exceptions for this yet and
   * only returns the status. */
  if (p->num_user > KPORT_MAX_USER_PACKETS) return ZX_ERR_SHOULD_WAIT;
  struct kjob* charged = NULL;
  struct kpacket* k = charged_alloc(job, sizeof(*k), &charged);
  if (!k) return ZX_ERR_NO_MEMORY;
  k->charged = charged;
  k->pkt = *packet;
  /* Zircon does not check the type: it overwrites it. Key, status and payload are the caller's. */
  k->pkt.type = ZX_PKT_TYPE_USER;
  k->user = true;
  list_init(&k->node);
  port_push(p, k);
  return ZX_OK;
}

/* ---- packets of kernel objects (Zircon's QueueInterruptPacket / RemoveInterruptPacket) */

static struct kpacket* owned_packet(struct kport* p, const void* owner) {
  struct list_node* pos;
  list_for_each(pos, &p->packets) {
    struct kpacket* k = list_entry(pos, struct kpacket, node);
    if (k->owner == owner) return k;
  }
  return NULL;
}

bool kport_queue_owned(struct kobj* port, const void* owner, const zx_port_packet_t* packet) {
  struct kport* p = to_kport(port);
  if (p->zero_handles || owned_packet(p, owner)) return false;
  struct kpacket* k = calloc(1, sizeof(*k));
  if (!k) return false;
  k->pkt = *packet;
  k->user = true;
  k->owner = owner;
  list_init(&k->node);
  port_push(p, k);
  return true;
}

bool kport_remove_owned(struct kobj* port, const void* owner) {
  struct kport* p = to_kport(port);
  struct kpacket* k = owned_packet(p, owner);
  if (!k) return false;
  packet_unqueue(p, k);
  packet_free(k);
  return true;
}

uint32_t kport_options(struct kobj* port) { return to_kport(port)->options; }

/* ---- async waits */

static void wait_unlink(struct kport_wait* w) {
  list_del(&w->port_node);
  w->port->num_waits--;
}

static bool wait_on_signals(struct kobserver* ob, zx_signals_t signals) {
  struct kport_wait* w = container_of(ob, struct kport_wait, ob);
  struct kport* p = w->port;
  wait_unlink(w);
  if (p->zero_handles) {
    /* The port is going away and its reap has not run yet: nothing to report to. */
    wait_free(w);
    return true;
  }
  zx_packet_signal_t* s = &w->packet.pkt.signal;
  s->observed = signals;
  s->count = 1; /* deprecated; Zircon sets 1 */
  if (w->options & ZX_WAIT_ASYNC_TIMESTAMP)
    s->timestamp = kobj_now();
  else if (w->options & ZX_WAIT_ASYNC_BOOT_TIMESTAMP)
    s->timestamp = kobj_boot_now();
  port_push(p, &w->packet);
  return true;
}

/* The waited handle was closed: the wait ends without a packet. */
static void wait_on_cancel(struct kobserver* ob) {
  struct kport_wait* w = container_of(ob, struct kport_wait, ob);
  wait_unlink(w);
  wait_free(w);
}

zx_status_t kport_wait_async(struct kjob* job, struct kobj* port, struct khandle* h, uint64_t key,
                             zx_signals_t signals, uint32_t options) {
  struct kport* p = to_kport(port);
  struct kobj* o = h->obj;
  if (o->ops->not_waitable) return ZX_ERR_NOT_SUPPORTED;
  if (p->zero_handles) return ZX_ERR_BAD_HANDLE;
  /* Zircon raises ZX_EXCP_POLICY_CODE_PORT_TOO_MANY_OBSERVERS past the max_port_observers boot
   * option (and still adds the wait); zum has no such exception and no limit. */
  struct kjob* charged = NULL;
  struct kport_wait* w = charged_alloc(job, sizeof(*w), &charged);
  if (!w) return ZX_ERR_NO_MEMORY;
  w->charged = charged;
  w->port = p;
  w->options = options;
  w->ob.handle = h;
  w->ob.on_signals = wait_on_signals;
  w->ob.on_cancel = wait_on_cancel;
  w->packet.source = h;
  w->packet.pkt.key = key;
  w->packet.pkt.type = ZX_PKT_TYPE_SIGNAL_ONE;
  w->packet.pkt.status = ZX_OK;
  w->packet.pkt.signal.trigger = signals;
  list_init(&w->packet.node);
  list_add_tail(&p->waits, &w->port_node);
  p->num_waits++;
  if (options & ZX_WAIT_ASYNC_EDGE) {
    /* Edge-triggered: the current state is not looked at; only a later activation reports.
     * kobj_observe checks the state on entry, so attach with nothing watched yet. */
    w->ob.watched = 0;
    kobj_observe(o, &w->ob);
    w->ob.watched = signals;
  } else {
    /* Level-triggered: an asserted signal queues the packet right now. */
    w->ob.watched = signals;
    kobj_observe(o, &w->ob);
  }
  return ZX_OK;
}

/* ---- cancellation */

zx_status_t kport_cancel(struct kobj* port, const struct khandle* source, uint64_t key) {
  struct kport* p = to_kport(port);
  bool found = false;
  struct list_node *pos, *tmp;
  list_for_each_safe(pos, tmp, &p->waits) {
    struct kport_wait* w = list_entry(pos, struct kport_wait, port_node);
    if (w->packet.pkt.key != key || (source && w->ob.handle != source)) continue;
    wait_unlink(w);
    kobj_unobserve(&w->ob);
    wait_free(w);
    found = true;
  }
  /* port_cancel removes only signal packets of that handle (a user packet has no handle);
   * port_cancel_key removes every packet with the key, user packets included. */
  list_for_each_safe(pos, tmp, &p->packets) {
    struct kpacket* k = list_entry(pos, struct kpacket, node);
    if (k->pkt.key != key || (source && k->source != source)) continue;
    packet_unqueue(p, k);
    packet_free(k);
    found = true;
  }
  return found ? ZX_OK : ZX_ERR_NOT_FOUND;
}

/* ---- the object */

static void port_reap(struct kdeferred* d) {
  struct kport* p = container_of(d, struct kport, reap);
  while (!list_empty(&p->waits)) {
    struct kport_wait* w = list_first(&p->waits, struct kport_wait, port_node);
    wait_unlink(w);
    kobj_unobserve(&w->ob);
    wait_free(w);
  }
  kobj_unref(&p->base);
}

/* The last handle is gone: queued packets are freed and pending waits detached. Readers still
 * parked stay parked until their deadline, as in Zircon (nothing can be queued any more). */
static void port_zero_handles(struct kobj* o) {
  struct kport* p = to_kport(o);
  p->zero_handles = true;
  while (!list_empty(&p->packets)) {
    struct kpacket* k = list_first(&p->packets, struct kpacket, node);
    packet_unqueue(p, k);
    packet_free(k);
  }
  /* Detaching unlinks observers of other objects, which must not happen inside a signal walk of
   * one of them (a handle can be closed from there): do it once the current work is over. A wait
   * that fires or is cancelled meanwhile frees itself. */
  if (!list_empty(&p->waits)) {
    kobj_ref(o);
    kobj_defer(&p->reap);
  }
}

static void port_destroy(struct kobj* o) {
  struct kport* p = to_kport(o);
  /* Normally empty by now: the last handle's teardown freed the packets and the reap (which
   * holds a reference) detached the waits. A port that never had a handle has neither. */
  while (!list_empty(&p->packets)) {
    struct kpacket* k = list_first(&p->packets, struct kpacket, node);
    packet_unqueue(p, k);
    packet_free(k);
  }
  while (!list_empty(&p->waits)) {
    struct kport_wait* w = list_first(&p->waits, struct kport_wait, port_node);
    wait_unlink(w);
    kobj_unobserve(&w->ob);
    wait_free(w);
  }
  free(p);
}

const struct kobj_ops kport_ops = {
    .type = ZX_OBJ_TYPE_PORT,
    .name = "port",
    .default_rights = ZX_DEFAULT_PORT_RIGHTS,
    .allowed_signals = 0,
    .not_waitable = true,
    .on_zero_handles = port_zero_handles,
    .destroy = port_destroy,
};

struct kobj* kport_create(uint32_t options) {
  struct kport* p = calloc(1, sizeof(*p));
  if (!p) return NULL;
  kobj_init(&p->base, &kport_ops, 0);
  p->options = options;
  list_init(&p->packets);
  list_init(&p->waits);
  list_init(&p->readers);
  list_init(&p->reap.node);
  p->reap.run = port_reap;
  return &p->base;
}

uint32_t kport_queued_count(struct kobj* port) {
  return (uint32_t)list_length(&to_kport(port)->packets);
}

uint32_t kport_wait_count(struct kobj* port) { return to_kport(port)->num_waits; }
