/* Ports: a queue of packets that threads wait on (port_wait), fed by port_queue (user packets)
 * and by object_wait_async (a signal packet when a watched object's signals match). Like
 * Zircon's PortDispatcher and PortObserver. */
#ifndef ZUM_KOBJ_PORT_H_
#define ZUM_KOBJ_PORT_H_

#include <stdbool.h>
#include <stdint.h>
#include <zircon/syscalls/port.h>
#include <zircon/types.h>

#include "kobj/handle.h"
#include "kobj/kcall.h"
#include "kobj/object.h"

/* Zircon's kMaxAllocatedPacketCountPerPort. Its check is `count > limit` before queueing, so a
 * port holds at most limit + 1 user packets; the next port_queue fails with SHOULD_WAIT. */
#define KPORT_MAX_USER_PACKETS 4096u

extern const struct kobj_ops kport_ops;

/* A new port (options already checked) with one reference, or NULL when out of memory. */
struct kobj* kport_create(uint32_t options);

struct kjob;
/* Queues a user packet: its type becomes ZX_PKT_TYPE_USER, key, status and payload are kept
 * (Zircon's QueueUser). ZX_ERR_SHOULD_WAIT when the port is full, ZX_ERR_BAD_HANDLE when the
 * port has no handles left, ZX_ERR_NO_MEMORY when job (charged while it is queued; NULL: none)
 * may hold no more (kobj/quota.h). */
zx_status_t kport_queue_user(struct kjob* job, struct kobj* port, const zx_port_packet_t* packet);

/* Registers an async wait of `signals` on the object of `h`, reported to `port` with `key`
 * (options already checked), charged to job like a user packet. Level-triggered unless
 * ZX_WAIT_ASYNC_EDGE: if a signal is already asserted the packet is queued now.
 * ZX_ERR_NOT_SUPPORTED for objects that cannot be waited on. */
zx_status_t kport_wait_async(struct kjob* job, struct kobj* port, struct khandle* h, uint64_t key,
                             zx_signals_t signals, uint32_t options);

/* Takes the oldest packet into *out, or parks c until one comes or the deadline passes
 * (TIMED_OUT). `out_addr` is where the packet is written (a faulting write is INVALID_ARGS and
 * the packet is gone, as in Zircon). Returns the status, or KCALL_PARKED. */
int64_t kport_wait(struct kcall* c, struct kobj* port, zx_instant_mono_t deadline,
                   zum_uaddr_t out_addr);

/* zx_port_cancel: drops the waits made through `source` with `key` and the signal packets they
 * already queued. zx_port_cancel_key (source NULL): every wait and every packet (user packets
 * too) with `key`. ZX_ERR_NOT_FOUND when nothing matched. */
zx_status_t kport_cancel(struct kobj* port, const struct khandle* source, uint64_t key);

/* For tests and diagnostics. */
/* A packet on behalf of kernel object `owner` (an interrupt): at most one queued per owner
 * (false if one is, or the port lost its last handle), not counted against the user packets. */
bool kport_queue_owned(struct kobj* port, const void* owner, const zx_port_packet_t* packet);
/* Takes owner's packet off the queue; false if none was queued. */
bool kport_remove_owned(struct kobj* port, const void* owner);
/* The options the port was created with (ZX_PORT_BIND_TO_INTERRUPT). */
uint32_t kport_options(struct kobj* port);
uint32_t kport_queued_count(struct kobj* port);
uint32_t kport_wait_count(struct kobj* port);

#endif
