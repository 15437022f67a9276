/* Interrupt objects and their calls (Zircon's InterruptDispatcher, VirtualInterruptDispatcher,
 * lib/syscalls/interrupt.cc). Only virtual interrupts can exist here: zum's machine wires no
 * interrupt line, so a physical one is refused at creation (INVALID_ARGS, Zircon's answer for a
 * vector that is not there). A virtual interrupt is Zircon's state machine: IDLE, TRIGGERED
 * (no port, nobody waiting), NEEDACK (delivered, by a wait or a port packet), WAITING (a thread
 * blocked in interrupt_wait), DESTROYED; a trigger while NEEDACK is remembered by its timestamp
 * and delivered by the next wait or ack. */
#include <stdlib.h>
#include <string.h>
#include <zircon/syscalls/port.h>

#include "kobj/port.h"
#include "kobj/resource.h"
#include "kobj/sysutil.h"
#include "sys-decls.h"

enum istate { I_IDLE, I_TRIGGERED, I_NEEDACK, I_WAITING, I_DESTROYED };

struct kinterrupt;

struct kint_waiter {
  struct list_node node; /* in the interrupt's waiters */
  struct kcall* call;
  struct kinterrupt* irq; /* holds a reference */
  zum_uaddr_t out;
};

struct kinterrupt {
  struct kobj base;
  uint32_t options;
  enum istate state;
  int64_t timestamp; /* a pending trigger's, 0 if none */
  struct kobj* port; /* bound port (a reference), or NULL */
  uint64_t key;
  struct list_node waiters;
};

static struct kinterrupt* to_kint(struct kobj* o) { return (struct kinterrupt*)o; }

static void waiter_finish(struct kint_waiter* w, zx_status_t s, int64_t ts) {
  struct kcall* c = w->call;
  struct kinterrupt* irq = w->irq;
  list_del(&w->node);
  if (s == ZX_OK && w->out && kcall_copy_out(c, w->out, &ts, sizeof(ts)) != ZX_OK)
    s = ZX_ERR_INVALID_ARGS;
  free(w);
  kcall_complete(c, s);
  kobj_unref(&irq->base);
}

/* A parked wait whose thread went away: as Zircon's interrupted wait, WAITING falls back to
 * IDLE once nobody waits. */
static void waiter_abandon(struct kcall* c) {
  struct kint_waiter* w = c->park_state;
  struct kinterrupt* irq = w->irq;
  list_del(&w->node);
  free(w);
  if (irq->state == I_WAITING && list_empty(&irq->waiters)) irq->state = I_IDLE;
  kobj_unref(&irq->base);
}

/* The event was signaled: the oldest waiter takes a pending trigger, or every waiter learns of
 * the destruction. */
static void wake(struct kinterrupt* irq) {
  if (irq->state == I_DESTROYED) {
    while (!list_empty(&irq->waiters))
      waiter_finish(list_first(&irq->waiters, struct kint_waiter, node), ZX_ERR_CANCELED, 0);
    return;
  }
  struct kint_waiter* w = list_first(&irq->waiters, struct kint_waiter, node);
  if (!w || irq->state != I_TRIGGERED) return;
  int64_t ts = irq->timestamp;
  irq->timestamp = 0;
  irq->state = I_NEEDACK;
  waiter_finish(w, ZX_OK, ts);
}

static bool send_packet(struct kinterrupt* irq, int64_t ts) {
  zx_port_packet_t pkt;
  memset(&pkt, 0, sizeof(pkt));
  pkt.key = irq->key;
  pkt.type = ZX_PKT_TYPE_INTERRUPT;
  pkt.interrupt.timestamp = ts;
  bool queued = kport_queue_owned(irq->port, irq, &pkt);
  irq->timestamp = 0;
  return queued;
}

static zx_status_t destroy(struct kinterrupt* irq) {
  if (irq->port) {
    bool was_queued = kport_remove_owned(irq->port, irq);
    if (irq->state == I_NEEDACK && !was_queued) {
      irq->state = I_DESTROYED;
      return ZX_ERR_NOT_FOUND;
    }
    if (irq->state == I_IDLE || irq->state == I_NEEDACK) irq->state = I_DESTROYED;
    return ZX_OK;
  }
  irq->state = I_DESTROYED;
  wake(irq);
  return ZX_OK;
}

static void interrupt_zero_handles(struct kobj* o) { (void)destroy(to_kint(o)); }

static void interrupt_destroy_obj(struct kobj* o) {
  struct kinterrupt* irq = to_kint(o);
  if (irq->port) {
    kport_remove_owned(irq->port, irq);
    kobj_unref(irq->port);
  }
  free(irq);
}

static const struct kobj_ops kinterrupt_ops = {
    .type = ZX_OBJ_TYPE_INTERRUPT,
    .name = "interrupt",
    .default_rights = ZX_DEFAULT_INTERRUPT_RIGHTS,
    .on_zero_handles = interrupt_zero_handles,
    .destroy = interrupt_destroy_obj,
};

static zx_status_t lookup(struct kcall* c, zx_handle_t h, zx_rights_t rights,
                          struct kinterrupt** out) {
  struct kobj* o;
  zx_status_t s = kcall_object(c, h, ZX_OBJ_TYPE_INTERRUPT, rights, &o);
  if (s == ZX_OK) *out = to_kint(o);
  return s;
}

int64_t sys_interrupt_create(struct kcall* c, zx_handle_t src_obj, uint32_t src_num,
                             uint32_t options, zum_uaddr_t out_handle) {
  /* The IRQ resource is asked for every physical interrupt and every wake vector. */
  if (!(options & ZX_INTERRUPT_VIRTUAL) || (options & ZX_INTERRUPT_WAKE_VECTOR)) {
    zx_status_t s = kcall_resource_ranged(c, src_obj, ZX_RSRC_KIND_IRQ, src_num, 1);
    if (s != ZX_OK) return s;
  }
  /* InterruptEventDispatcher::Create: no vector is wired to anything here. */
  if (!(options & ZX_INTERRUPT_VIRTUAL)) return ZX_ERR_INVALID_ARGS;
  const uint32_t known = ZX_INTERRUPT_VIRTUAL | ZX_INTERRUPT_TIMESTAMP_MONO |
                         ZX_INTERRUPT_WAKE_VECTOR;
  if (options & ~known) return ZX_ERR_INVALID_ARGS;
  struct kinterrupt* irq = calloc(1, sizeof(*irq));
  if (!irq) return ZX_ERR_NO_MEMORY;
  kobj_init(&irq->base, &kinterrupt_ops, 0);
  irq->options = options;
  list_init(&irq->waiters);
  zx_status_t s = kcall_out_handle(c, &irq->base, ZX_DEFAULT_INTERRUPT_RIGHTS, out_handle);
  kobj_unref(&irq->base);
  return s;
}

int64_t sys_interrupt_bind(struct kcall* c, zx_handle_t handle, zx_handle_t port_handle,
                           uint64_t key, uint32_t options) {
  if (options != ZX_INTERRUPT_BIND && options != ZX_INTERRUPT_UNBIND) return ZX_ERR_INVALID_ARGS;
  struct kinterrupt* irq;
  zx_status_t s = lookup(c, handle, ZX_RIGHT_READ, &irq);
  if (s != ZX_OK) return s;
  struct kobj* port;
  s = kcall_object(c, port_handle, ZX_OBJ_TYPE_PORT, ZX_RIGHT_WRITE, &port);
  if (s != ZX_OK) return s;
  if (!(kport_options(port) & ZX_PORT_BIND_TO_INTERRUPT)) return ZX_ERR_WRONG_TYPE;
  if (options == ZX_INTERRUPT_UNBIND) {
    if (irq->port != port) return ZX_ERR_NOT_FOUND;
    if (irq->state == I_DESTROYED) return ZX_ERR_CANCELED;
    kport_remove_owned(port, irq);
    irq->port = NULL;
    kobj_unref(port);
    return ZX_OK;
  }
  if (irq->state == I_DESTROYED) return ZX_ERR_CANCELED;
  if (irq->state == I_WAITING) return ZX_ERR_BAD_STATE;
  if (irq->port) return ZX_ERR_ALREADY_BOUND;
  kobj_ref(port);
  irq->port = port;
  irq->key = key;
  if (irq->state == I_TRIGGERED) {
    send_packet(irq, irq->timestamp);
    irq->state = I_NEEDACK;
  }
  return ZX_OK;
}

int64_t sys_interrupt_wait(struct kcall* c, zx_handle_t handle, zum_uaddr_t out_timestamp) {
  struct kinterrupt* irq;
  zx_status_t s = lookup(c, handle, ZX_RIGHT_WAIT, &irq);
  if (s != ZX_OK) return s;
  if (irq->port) return ZX_ERR_BAD_STATE;
  int64_t ts;
  switch (irq->state) {
    case I_DESTROYED:
      return ZX_ERR_CANCELED;
    case I_TRIGGERED:
      irq->state = I_NEEDACK;
      ts = irq->timestamp;
      irq->timestamp = 0;
      goto done;
    case I_NEEDACK:
      /* A trigger that came while the last one was being handled. */
      if (irq->timestamp) {
        ts = irq->timestamp;
        irq->timestamp = 0;
        goto done;
      }
      break;
    default:
      break;
  }
  irq->state = I_WAITING;
  struct kint_waiter* w = calloc(1, sizeof(*w));
  if (!w) return ZX_ERR_NO_MEMORY;
  w->call = c;
  w->irq = irq;
  w->out = out_timestamp;
  kobj_ref(&irq->base);
  list_add_tail(&irq->waiters, &w->node);
  if (c->thread) c->thread->blocked_state = ZX_THREAD_STATE_BLOCKED_INTERRUPT;
  return kcall_park(c, waiter_abandon, w);
done:
  if (out_timestamp && kcall_copy_out(c, out_timestamp, &ts, sizeof(ts)) != ZX_OK)
    return ZX_ERR_INVALID_ARGS;
  return ZX_OK;
}

int64_t sys_interrupt_destroy(struct kcall* c, zx_handle_t handle) {
  struct kinterrupt* irq;
  zx_status_t s = lookup(c, handle, ZX_RIGHT_NONE, &irq);
  return s != ZX_OK ? s : destroy(irq);
}

int64_t sys_interrupt_ack(struct kcall* c, zx_handle_t handle) {
  struct kinterrupt* irq;
  zx_status_t s = lookup(c, handle, ZX_RIGHT_WRITE, &irq);
  if (s != ZX_OK) return s;
  if (!irq->port) return ZX_ERR_BAD_STATE;
  if (irq->state == I_DESTROYED) return ZX_ERR_CANCELED;
  if (irq->state == I_NEEDACK) {
    if (irq->timestamp) {
      /* The trigger that came meanwhile goes out now; its packet must not still be queued. */
      if (!send_packet(irq, irq->timestamp)) return ZX_ERR_BAD_STATE;
    } else {
      irq->state = I_IDLE;
    }
  }
  return ZX_OK;
}

int64_t sys_interrupt_trigger(struct kcall* c, zx_handle_t handle, uint32_t options,
                              zx_time_t timestamp) {
  if (options) return ZX_ERR_INVALID_ARGS;
  struct kinterrupt* irq;
  zx_status_t s = lookup(c, handle, ZX_RIGHT_SIGNAL, &irq);
  if (s != ZX_OK) return s;
  if (irq->state == I_DESTROYED) return ZX_ERR_CANCELED;
  if (!irq->timestamp) irq->timestamp = timestamp;
  if (irq->port) {
    if (irq->state != I_NEEDACK) {
      send_packet(irq, timestamp);
      irq->state = I_NEEDACK;
    }
    return ZX_OK;
  }
  if (irq->state != I_NEEDACK) irq->state = I_TRIGGERED;
  wake(irq);
  return ZX_OK;
}
