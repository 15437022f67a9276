/* FIFOs as Zircon's FifoDispatcher has them: each endpoint owns the ring its peer writes into;
 * reads and writes move as many whole elements as fit (a short count is not an error), and
 * READABLE/WRITABLE follow the rings. The sizes and statuses follow the kernel (newer trees:
 * the element count need not be a power of two, only count * elem_size <= 4096). */
#include "kobj/fifo.h"

#include <stdlib.h>

#include "kobj/policy.h"
#include "kobj/quota.h"
#include "kobj/sysutil.h"
#include "kobj/task.h"
#include "sys-decls.h"

struct kfifo {
  struct kobj base;
  struct kfifo* peer; /* NULL once the peer's last handle is gone */
  uint32_t count, elem_size;
  /* Elements written into this endpoint's ring and read from it, since creation: 64 bits never
   * wrap, so head - tail is always the number queued. */
  uint64_t head, tail;
  struct kjob* job; /* charged for this endpoint's memory (kobj/quota.h), referenced; or NULL */
  uint8_t data[];
};

static struct kfifo* fifo_of(struct kobj* o) { return (struct kfifo*)o; }

static size_t fifo_bytes(uint32_t count, uint32_t elem_size) {
  return sizeof(struct kfifo) + (size_t)count * elem_size;
}

static void fifo_destroy(struct kobj* o) {
  struct kfifo* f = fifo_of(o);
  struct kjob* job = f->job;
  size_t bytes = fifo_bytes(f->count, f->elem_size);
  free(f);
  if (job) {
    kquota_release(job, KRES_MEM, bytes);
    kobj_unref(&job->base);
  }
}

/* Zircon: the survivor can no longer write, and learns the peer is gone; what is queued for it
 * stays readable. */
static void fifo_zero_handles(struct kobj* o) {
  struct kfifo* f = fifo_of(o);
  struct kfifo* p = f->peer;
  if (!p) return;
  f->peer = NULL;
  p->peer = NULL;
  kobj_signal(&p->base, ZX_FIFO_WRITABLE, ZX_FIFO_PEER_CLOSED);
}

static zx_koid_t fifo_related(struct kobj* o) {
  struct kfifo* f = fifo_of(o);
  return f->peer ? f->peer->base.koid : 0;
}

static struct kobj* fifo_peer(struct kobj* o) {
  struct kfifo* f = fifo_of(o);
  return f->peer ? &f->peer->base : NULL;
}

const struct kobj_ops kfifo_ops = {
    .type = ZX_OBJ_TYPE_FIFO,
    .name = "fifo",
    .default_rights = ZX_DEFAULT_FIFO_RIGHTS,
    .allowed_signals = 0, /* user signals only */
    .on_zero_handles = fifo_zero_handles,
    .destroy = fifo_destroy,
    .related_koid = fifo_related,
    .peer = fifo_peer,
};

static struct kfifo* fifo_new(uint32_t count, uint32_t elem_size) {
  struct kfifo* f = calloc(1, sizeof(*f) + (size_t)count * elem_size);
  if (!f) return NULL;
  kobj_init(&f->base, &kfifo_ops, ZX_FIFO_WRITABLE);
  f->count = count;
  f->elem_size = elem_size;
  return f;
}

zx_status_t kfifo_create(size_t count, size_t elem_size, struct kjob* job, struct kobj** a,
                         struct kobj** b) {
  /* Each factor is bounded first, so the product cannot overflow. */
  if (count == 0 || elem_size == 0 || count > ZX_FIFO_MAX_SIZE_BYTES ||
      elem_size > ZX_FIFO_MAX_SIZE_BYTES || count * elem_size > ZX_FIFO_MAX_SIZE_BYTES)
    return ZX_ERR_OUT_OF_RANGE;
  size_t bytes = fifo_bytes((uint32_t)count, (uint32_t)elem_size);
  if (kquota_charge(job, KRES_MEM, 2 * bytes) != ZX_OK) return ZX_ERR_NO_MEMORY;
  struct kfifo* x = fifo_new((uint32_t)count, (uint32_t)elem_size);
  struct kfifo* y = x ? fifo_new((uint32_t)count, (uint32_t)elem_size) : NULL;
  if (!y) {
    free(x);
    kquota_release(job, KRES_MEM, 2 * bytes);
    return ZX_ERR_NO_MEMORY;
  }
  x->job = y->job = job;
  if (job) {
    kobj_ref(&job->base);
    kobj_ref(&job->base);
  }
  x->peer = y;
  y->peer = x;
  *a = &x->base;
  *b = &y->base;
  return ZX_OK;
}

/* Copies n elements between the guest and ring f starting at element index `at`, in at most two
 * pieces (the ring wraps once). */
static zx_status_t ring_copy(struct kcall* c, struct kfifo* f, uint64_t at, zum_uaddr_t user,
                             uint64_t n, bool in) {
  while (n > 0) {
    uint32_t off = (uint32_t)(at % f->count);
    uint64_t piece = f->count - off < n ? f->count - off : n;
    uint8_t* ring = f->data + (size_t)off * f->elem_size;
    size_t bytes = (size_t)piece * f->elem_size;
    zx_status_t s = in ? kcall_copy_in(c, ring, user, bytes) : kcall_copy_out(c, user, ring, bytes);
    if (s != ZX_OK) return ZX_ERR_INVALID_ARGS;
    at += piece;
    user += bytes;
    n -= piece;
  }
  return ZX_OK;
}

int64_t sys_fifo_create(struct kcall* c, size_t elem_count, size_t elem_size, uint32_t options,
                        zum_uaddr_t out0, zum_uaddr_t out1) {
  /* Zircon ignores `options` (FifoDispatcher takes and drops it) and asks the policy first. */
  (void)options;
  int64_t pol = kpolicy_enforce(c->proc, ZX_POL_NEW_FIFO);
  if (pol != ZX_OK) return pol;
  struct kobj *a, *b;
  zx_status_t s = kfifo_create(elem_count, elem_size, c->proc->job, &a, &b);
  if (s != ZX_OK) return s;
  return kcall_out_pair(c, a, b, ZX_DEFAULT_FIFO_RIGHTS, out0, out1);
}

int64_t sys_fifo_write(struct kcall* c, zx_handle_t handle, size_t elem_size, zum_uaddr_t data,
                       size_t count, zum_uaddr_t actual_count) {
  struct kobj* o;
  zx_status_t s = kcall_object(c, handle, ZX_OBJ_TYPE_FIFO, ZX_RIGHT_WRITE, &o);
  if (s != ZX_OK) return s;
  struct kfifo* p = fifo_of(o)->peer;
  if (!p) return ZX_ERR_PEER_CLOSED;
  /* The ring written is the peer's, and so are the size checks. */
  if (elem_size != p->elem_size || count == 0) return ZX_ERR_OUT_OF_RANGE;
  uint64_t avail = p->count - (p->head - p->tail);
  if (avail == 0) return ZX_ERR_SHOULD_WAIT;
  uint64_t n = count < avail ? count : avail;
  /* Nothing is queued unless every byte was read: a fault leaves the ring as it was. */
  if (ring_copy(c, p, p->head, data, n, true) != ZX_OK) return ZX_ERR_INVALID_ARGS;
  bool was_empty = p->head == p->tail;
  p->head += n;
  if (was_empty) kobj_signal(&p->base, 0, ZX_FIFO_READABLE);
  if (p->head - p->tail == p->count) kobj_signal(o, ZX_FIFO_WRITABLE, 0);
  /* As in Zircon, the elements stay written when the count cannot be stored. */
  size_t actual = (size_t)n;
  if (actual_count && kcall_copy_out(c, actual_count, &actual, sizeof(actual)) != ZX_OK)
    return ZX_ERR_INVALID_ARGS;
  return ZX_OK;
}

int64_t sys_fifo_read(struct kcall* c, zx_handle_t handle, size_t elem_size, zum_uaddr_t data,
                      size_t data_size, zum_uaddr_t actual_count) {
  struct kobj* o;
  zx_status_t s = kcall_object(c, handle, ZX_OBJ_TYPE_FIFO, ZX_RIGHT_READ, &o);
  if (s != ZX_OK) return s;
  struct kfifo* f = fifo_of(o);
  /* data_size counts elements, whatever its name says (zx_fifo_read's documentation agrees). */
  if (elem_size != f->elem_size || data_size == 0) return ZX_ERR_OUT_OF_RANGE;
  uint64_t avail = f->head - f->tail;
  if (avail == 0) return f->peer ? ZX_ERR_SHOULD_WAIT : ZX_ERR_PEER_CLOSED;
  uint64_t n = data_size < avail ? data_size : avail;
  /* A fault consumes nothing (the elements copied before it stay queued). */
  if (ring_copy(c, f, f->tail, data, n, false) != ZX_OK) return ZX_ERR_INVALID_ARGS;
  bool was_full = avail == f->count;
  f->tail += n;
  if (was_full && f->peer) kobj_signal(&f->peer->base, 0, ZX_FIFO_WRITABLE);
  if (f->head == f->tail) kobj_signal(o, ZX_FIFO_READABLE, 0);
  size_t actual = (size_t)n;
  if (actual_count && kcall_copy_out(c, actual_count, &actual, sizeof(actual)) != ZX_OK)
    return ZX_ERR_INVALID_ARGS;
  return ZX_OK;
}
