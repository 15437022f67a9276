/* Sockets: a pair of endpoints, stream or datagram, each with the receive buffer its peer
 * writes into (kobj/mbuf.h). */
#ifndef ZUM_KOBJ_SOCKET_H_
#define ZUM_KOBJ_SOCKET_H_

#include <zircon/syscalls/object.h>

#include "kobj/mbuf.h"
#include "kobj/object.h"

struct ksocket {
  struct kobj base;
  struct ksocket* peer; /* NULL once the peer's last handle is gone */
  uint32_t flags;       /* ZX_SOCKET_DATAGRAM or not */
  size_t read_threshold, write_threshold;
  bool read_disabled; /* the peer disabled its writes: empty then means never readable again */
  struct kmbuf_chain data;
};

extern const struct kobj_ops ksocket_ops;

static inline struct ksocket* to_ksocket(struct kobj* o) { return (struct ksocket*)o; }

/* A connected pair with one reference each; INVALID_ARGS for unknown flags, NO_MEMORY. What is
 * buffered in either end is charged to `job` (the maker's; NULL: nobody), as the memory of a
 * queued channel message is to its writer's. */
zx_status_t ksocket_create(uint32_t flags, struct kjob* job, struct kobj** a, struct kobj** b);

zx_status_t ksocket_write(struct ksocket* s, const struct kmbuf_user* u, size_t len,
                          size_t* written);
zx_status_t ksocket_read(struct ksocket* s, const struct kmbuf_user* u, size_t len, bool peek,
                         size_t* actual);
/* dispositions: 0, ZX_SOCKET_DISPOSITION_WRITE_DISABLED or _ENABLED (checked by the caller). */
zx_status_t ksocket_set_disposition(struct ksocket* s, uint32_t disposition,
                                    uint32_t disposition_peer);
/* The shutdown of older Zircon (ZX_SOCKET_SHUTDOWN_READ/WRITE bits, checked by the caller). */
zx_status_t ksocket_shutdown(struct ksocket* s, uint32_t how);
zx_status_t ksocket_set_read_threshold(struct ksocket* s, size_t value);
zx_status_t ksocket_set_write_threshold(struct ksocket* s, size_t value);
void ksocket_info(const struct ksocket* s, zx_info_socket_t* info);

#endif
