/* A socket's receive buffer, shaped as Zircon's MBufChain: a list of page-sized buffers, so that
 * what a guest can observe (the buffer's capacity, where a write that faults stops, what a
 * truncated datagram leaves) is what Zircon gives. Guest memory is reached only through the
 * caller's copy functions. */
#ifndef ZUM_KOBJ_MBUF_H_
#define ZUM_KOBJ_MBUF_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zircon/types.h>

/* A page less the 32 bytes of Zircon's MBuf header. */
#define KMBUF_PAYLOAD 4064u
/* 256 KiB rounded up to whole buffers, as Zircon's kSizeMax: 65 * 4064 = 264160. */
#define KMBUF_SIZE_MAX (((256u * 1024 + KMBUF_PAYLOAD - 1) / KMBUF_PAYLOAD) * KMBUF_PAYLOAD)

struct kmbuf;
struct kjob;

struct kmbuf_chain {
  struct kmbuf *head, *tail;
  uint32_t read_off; /* into head */
  size_t size;       /* bytes queued */
  /* Charged (kobj/quota.h, KRES_MEM) for each buffer while it exists; NULL: nobody. The owner
   * of the chain holds a reference to it. */
  struct kjob* job;
};

/* Copies between the guest (at byte `off` of its buffer) and `k`; a fault is any non-OK status. */
struct kmbuf_user {
  zx_status_t (*in)(void* ctx, size_t off, void* k, size_t len);
  zx_status_t (*out)(void* ctx, size_t off, const void* k, size_t len);
  void* ctx;
};

static inline bool kmbuf_full(const struct kmbuf_chain* c) { return c->size >= KMBUF_SIZE_MAX; }
static inline bool kmbuf_empty(const struct kmbuf_chain* c) { return c->size == 0; }
/* Bytes queued; for datagrams, the first datagram's length. */
size_t kmbuf_size(const struct kmbuf_chain* c, bool datagram);

/* What one buffer costs its chain's job. */
size_t kmbuf_cost(void);

/* Appends up to len bytes (as many as fit): *written says how many went in, even on a fault
 * (then the status is the copy's). SHOULD_WAIT if nothing fit; NO_MEMORY if nothing went in
 * because the chain's job may not hold another buffer (kobj/quota.h). */
zx_status_t kmbuf_write_stream(struct kmbuf_chain* c, const struct kmbuf_user* u, size_t len,
                               size_t* written);
/* Appends one datagram of len bytes, whole or not at all: INVALID_ARGS for 0 bytes or a fault,
 * OUT_OF_RANGE if it can never fit, SHOULD_WAIT if it does not fit now or memory is short,
 * NO_MEMORY if the chain's job may not hold its buffers. */
zx_status_t kmbuf_write_datagram(struct kmbuf_chain* c, const struct kmbuf_user* u, size_t len,
                                 size_t* written);
/* Reads up to len bytes (one datagram at most, the rest of which is dropped unless peeking).
 * *actual is what reached the guest, also when a copy faults (the status is then the copy's:
 * the bytes before the fault are consumed, and a faulting datagram is dropped, as in Zircon). */
zx_status_t kmbuf_read(struct kmbuf_chain* c, const struct kmbuf_user* u, size_t len,
                       bool datagram, bool peek, size_t* actual);
void kmbuf_free(struct kmbuf_chain* c);

#endif
