/* Sockets as Zircon's SocketDispatcher has them: the signal rules for the buffers, thresholds
 * and dispositions follow the kernel's, step by step. */
#include "kobj/socket.h"

#include <stdlib.h>
#include <string.h>

#include "kobj/task.h"

static void socket_destroy(struct kobj* o) {
  struct kjob* job = to_ksocket(o)->data.job;
  kmbuf_free(&to_ksocket(o)->data);
  free(o);
  if (job) kobj_unref(&job->base);
}

/* The survivor can no longer write; what was queued for it stays readable. */
static void socket_zero_handles(struct kobj* o) {
  struct ksocket* s = to_ksocket(o);
  struct ksocket* p = s->peer;
  if (!p) return;
  s->peer = NULL;
  p->peer = NULL;
  kobj_signal(&p->base, ZX_SOCKET_WRITABLE, ZX_SOCKET_PEER_CLOSED);
}

static zx_koid_t socket_related(struct kobj* o) {
  struct ksocket* s = to_ksocket(o);
  return s->peer ? s->peer->base.koid : 0;
}

static struct kobj* socket_peer(struct kobj* o) {
  struct ksocket* s = to_ksocket(o);
  return s->peer ? &s->peer->base : NULL;
}

const struct kobj_ops ksocket_ops = {
    .type = ZX_OBJ_TYPE_SOCKET,
    .name = "socket",
    .default_rights = ZX_DEFAULT_SOCKET_RIGHTS,
    .allowed_signals = 0, /* user signals only */
    .on_zero_handles = socket_zero_handles,
    .destroy = socket_destroy,
    .related_koid = socket_related,
    .peer = socket_peer,
};

zx_status_t ksocket_create(uint32_t flags, struct kjob* job, struct kobj** a, struct kobj** b) {
  if (flags & ~ZX_SOCKET_DATAGRAM) return ZX_ERR_INVALID_ARGS;
  struct ksocket* x = calloc(1, sizeof(*x));
  struct ksocket* y = calloc(1, sizeof(*y));
  if (!x || !y) {
    free(x);
    free(y);
    return ZX_ERR_NO_MEMORY;
  }
  kobj_init(&x->base, &ksocket_ops, ZX_SOCKET_WRITABLE);
  kobj_init(&y->base, &ksocket_ops, ZX_SOCKET_WRITABLE);
  x->flags = y->flags = flags;
  x->data.job = y->data.job = job;
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

static bool is_datagram(const struct ksocket* s) { return s->flags & ZX_SOCKET_DATAGRAM; }

/* r receives what its peer w writes. */
static zx_status_t write_into(struct ksocket* r, struct ksocket* w, const struct kmbuf_user* u,
                              size_t len, size_t* written) {
  if (kmbuf_full(&r->data)) return ZX_ERR_SHOULD_WAIT;
  bool was_empty = kmbuf_empty(&r->data);
  size_t st = 0;
  zx_status_t status = is_datagram(r) ? kmbuf_write_datagram(&r->data, u, len, &st)
                                      : kmbuf_write_stream(&r->data, u, len, &st);
  /* Whatever the status, bytes may have gone in: the signals follow the buffer. */
  zx_signals_t set = 0, clear = 0;
  if (st > 0) {
    if (was_empty) set |= ZX_SOCKET_READABLE;
    if (r->read_threshold > 0 && r->data.size >= r->read_threshold)
      set |= ZX_SOCKET_READ_THRESHOLD;
    if (set) kobj_signal(&r->base, 0, set);
    if (w->write_threshold > 0 && KMBUF_SIZE_MAX - r->data.size < w->write_threshold)
      clear |= ZX_SOCKET_WRITE_THRESHOLD;
  }
  if (kmbuf_full(&r->data)) clear |= ZX_SOCKET_WRITABLE;
  if (clear) kobj_signal(&w->base, clear, 0);
  if (status == ZX_OK) *written = st;
  return status;
}

zx_status_t ksocket_write(struct ksocket* s, const struct kmbuf_user* u, size_t len,
                          size_t* written) {
  if (!s->peer) return ZX_ERR_PEER_CLOSED;
  if (s->base.signals & ZX_SOCKET_WRITE_DISABLED) return ZX_ERR_BAD_STATE;
  if (len == 0) {
    *written = 0;
    return ZX_OK;
  }
  if (len != (size_t)(uint32_t)len) return ZX_ERR_INVALID_ARGS;
  return write_into(s->peer, s, u, len, written);
}

zx_status_t ksocket_read(struct ksocket* s, const struct kmbuf_user* u, size_t len, bool peek,
                         size_t* actual) {
  if (len != (size_t)(uint32_t)len) return ZX_ERR_INVALID_ARGS;
  if (kmbuf_empty(&s->data)) {
    if (!s->peer) return ZX_ERR_PEER_CLOSED;
    /* Empty with the peer's writes disabled: never readable again, which Zircon tells apart. */
    if (s->read_disabled) return ZX_ERR_BAD_STATE;
    return ZX_ERR_SHOULD_WAIT;
  }
  size_t n = 0;
  if (peek) {
    zx_status_t st = kmbuf_read(&s->data, u, len, is_datagram(s), true, &n);
    if (st != ZX_OK) return st;
    *actual = n;
    return ZX_OK;
  }
  bool was_full = kmbuf_full(&s->data);
  zx_status_t st = kmbuf_read(&s->data, u, len, is_datagram(s), false, &n);
  /* Whatever the status, bytes may have gone: the signals follow the buffer. */
  zx_signals_t clear = 0, set = 0;
  if (s->read_threshold > 0 && s->data.size < s->read_threshold) clear |= ZX_SOCKET_READ_THRESHOLD;
  if (kmbuf_empty(&s->data)) clear |= ZX_SOCKET_READABLE;
  if (clear) kobj_signal(&s->base, clear, 0);
  if (s->peer) {
    size_t wt = s->peer->write_threshold;
    if (wt > 0 && KMBUF_SIZE_MAX - s->data.size >= wt) set |= ZX_SOCKET_WRITE_THRESHOLD;
    if (was_full && n > 0) set |= ZX_SOCKET_WRITABLE;
    if (set) kobj_signal(&s->peer->base, 0, set);
  }
  if (st != ZX_OK) return st;
  *actual = n;
  return ZX_OK;
}

/* What a disposition does to the signals of the endpoint it is for and of that one's peer. */
static void disposition_masks(uint32_t d, zx_signals_t* clear, zx_signals_t* set,
                              zx_signals_t* clear_peer, zx_signals_t* set_peer) {
  if (d == ZX_SOCKET_DISPOSITION_WRITE_DISABLED) {
    *clear |= ZX_SOCKET_WRITABLE;
    *set |= ZX_SOCKET_WRITE_DISABLED;
    *set_peer |= ZX_SOCKET_PEER_WRITE_DISABLED;
  } else if (d == ZX_SOCKET_DISPOSITION_WRITE_ENABLED) {
    *clear |= ZX_SOCKET_WRITE_DISABLED;
    *set |= ZX_SOCKET_WRITABLE;
    *clear_peer |= ZX_SOCKET_PEER_WRITE_DISABLED;
  }
}

static void update_read_status(struct ksocket* s, uint32_t disposition_of_peer) {
  if (disposition_of_peer == ZX_SOCKET_DISPOSITION_WRITE_DISABLED) s->read_disabled = true;
  else if (disposition_of_peer == ZX_SOCKET_DISPOSITION_WRITE_ENABLED) s->read_disabled = false;
}

/* The peer's writes may be enabled again only once s has read all they wrote. */
static bool disposition_valid(const struct ksocket* s, uint32_t disposition_of_peer) {
  return !(disposition_of_peer == ZX_SOCKET_DISPOSITION_WRITE_ENABLED &&
           !kmbuf_empty(&s->data) && (s->base.signals & ZX_SOCKET_PEER_WRITE_DISABLED));
}

zx_status_t ksocket_set_disposition(struct ksocket* s, uint32_t disposition,
                                    uint32_t disposition_peer) {
  if (disposition == 0 && disposition_peer == 0) return ZX_OK;
  zx_signals_t clear = 0, set = 0, clear_peer = 0, set_peer = 0;
  disposition_masks(disposition, &clear, &set, &clear_peer, &set_peer);
  if (!disposition_valid(s, disposition_peer)) return ZX_ERR_BAD_STATE;
  struct ksocket* p = s->peer;
  if (p) {
    if (!disposition_valid(p, disposition)) return ZX_ERR_BAD_STATE;
    disposition_masks(disposition_peer, &clear_peer, &set_peer, &clear, &set);
    update_read_status(p, disposition);
    kobj_signal(&p->base, clear_peer, set_peer);
  }
  update_read_status(s, disposition_peer);
  kobj_signal(&s->base, clear, set);
  return ZX_OK;
}

zx_status_t ksocket_shutdown(struct ksocket* s, uint32_t how) {
  bool rd = how & ZX_SOCKET_SHUTDOWN_READ, wr = how & ZX_SOCKET_SHUTDOWN_WRITE;
  /* Already shut down exactly so: nothing to do. */
  zx_signals_t want = (rd ? ZX_SOCKET_PEER_WRITE_DISABLED : 0) | (wr ? ZX_SOCKET_WRITE_DISABLED : 0);
  if ((s->base.signals & (ZX_SOCKET_PEER_WRITE_DISABLED | ZX_SOCKET_WRITE_DISABLED)) == want)
    return ZX_OK;
  zx_signals_t clear = 0, set = 0;
  if (rd) {
    s->read_disabled = true;
    set |= ZX_SOCKET_PEER_WRITE_DISABLED;
  }
  if (wr) {
    clear |= ZX_SOCKET_WRITABLE;
    set |= ZX_SOCKET_WRITE_DISABLED;
  }
  kobj_signal(&s->base, clear, set);
  struct ksocket* p = s->peer;
  if (!p) return ZX_OK;
  clear = set = 0;
  if (rd) {
    clear |= ZX_SOCKET_WRITABLE;
    set |= ZX_SOCKET_WRITE_DISABLED;
  }
  if (wr) {
    p->read_disabled = true;
    set |= ZX_SOCKET_PEER_WRITE_DISABLED;
  }
  kobj_signal(&p->base, clear, set);
  return ZX_OK;
}

zx_status_t ksocket_set_read_threshold(struct ksocket* s, size_t value) {
  if (value > KMBUF_SIZE_MAX) return ZX_ERR_INVALID_ARGS;
  s->read_threshold = value;
  /* 0 turns the threshold off. */
  if (value > 0 && s->data.size >= value) kobj_signal(&s->base, 0, ZX_SOCKET_READ_THRESHOLD);
  else kobj_signal(&s->base, ZX_SOCKET_READ_THRESHOLD, 0);
  return ZX_OK;
}

zx_status_t ksocket_set_write_threshold(struct ksocket* s, size_t value) {
  if (!s->peer) return ZX_ERR_PEER_CLOSED;
  if (value > KMBUF_SIZE_MAX) return ZX_ERR_INVALID_ARGS;
  s->write_threshold = value;
  if (value > 0 && KMBUF_SIZE_MAX - s->peer->data.size >= value)
    kobj_signal(&s->base, 0, ZX_SOCKET_WRITE_THRESHOLD);
  else
    kobj_signal(&s->base, ZX_SOCKET_WRITE_THRESHOLD, 0);
  return ZX_OK;
}

void ksocket_info(const struct ksocket* s, zx_info_socket_t* info) {
  memset(info, 0, sizeof(*info));
  info->options = s->flags;
  info->rx_buf_max = KMBUF_SIZE_MAX;
  info->rx_buf_size = s->data.size;
  info->rx_buf_available = kmbuf_size(&s->data, is_datagram(s));
  if (s->peer) {
    info->tx_buf_max = KMBUF_SIZE_MAX;
    info->tx_buf_size = s->peer->data.size;
  }
}
