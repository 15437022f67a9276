#include "kobj/mbuf.h"

#include <stdlib.h>

#include "kobj/quota.h"

struct kmbuf {
  struct kmbuf* next;
  uint32_t len;
  uint32_t pkt_len; /* datagrams: the whole datagram's length in its first buffer, else 0 */
  char data[KMBUF_PAYLOAD];
};

size_t kmbuf_cost(void) { return sizeof(struct kmbuf); }

size_t kmbuf_size(const struct kmbuf_chain* c, bool datagram) {
  if (datagram && c->size) return c->head->pkt_len;
  return c->size;
}

static size_t min_sz(size_t a, size_t b) { return a < b ? a : b; }

/* Frees a buffer of c (in it or not yet) and gives back its charge. */
static void free_buf(struct kmbuf_chain* c, struct kmbuf* b) {
  free(b);
  kquota_release(c->job, KRES_MEM, sizeof(*b));
}

/* n fresh buffers linked together, charged to c's job, or NULL (all or nothing, as Zircon's
 * AllocMBufs) with *refused set when the job may not hold them. */
static struct kmbuf* alloc_bufs(struct kmbuf_chain* c, size_t n, struct kmbuf** last,
                                bool* refused) {
  struct kmbuf *first = NULL, *prev = NULL;
  *refused = kquota_charge(c->job, KRES_MEM, n * sizeof(struct kmbuf)) != ZX_OK;
  if (*refused) return NULL;
  for (size_t i = 0; i < n; i++) {
    struct kmbuf* b = malloc(sizeof(*b));
    if (!b) {
      kquota_release(c->job, KRES_MEM, (n - i) * sizeof(struct kmbuf));
      while (first) {
        struct kmbuf* next = first->next;
        free_buf(c, first);
        first = next;
      }
      return NULL;
    }
    b->next = NULL;
    b->len = b->pkt_len = 0;
    if (prev) prev->next = b;
    else first = b;
    prev = b;
  }
  *last = prev;
  return first;
}

static void append(struct kmbuf_chain* c, struct kmbuf* first, struct kmbuf* last) {
  if (c->tail) c->tail->next = first;
  else c->head = first;
  c->tail = last;
}

static size_t bufs_for(size_t payload) { return 1 + (payload - 1) / KMBUF_PAYLOAD; }

zx_status_t kmbuf_write_stream(struct kmbuf_chain* c, const struct kmbuf_user* u, size_t len,
                               size_t* written) {
  len = min_sz(KMBUF_SIZE_MAX - c->size, len);
  size_t pos = 0;
  /* The space left in the last buffer first, then new buffers. */
  if (c->tail && c->tail->len < KMBUF_PAYLOAD && pos < len) {
    size_t n = min_sz(KMBUF_PAYLOAD - c->tail->len, len - pos);
    zx_status_t s = u->in(u->ctx, pos, c->tail->data + c->tail->len, n);
    if (s != ZX_OK) {
      *written = pos;
      return s;
    }
    c->tail->len += (uint32_t)n;
    c->size += n;
    pos += n;
  }
  struct kmbuf* last;
  bool refused = false;
  struct kmbuf* b = pos < len ? alloc_bufs(c, bufs_for(len - pos), &last, &refused) : NULL;
  while (b) {
    struct kmbuf* next = b->next;
    size_t n = min_sz(KMBUF_PAYLOAD, len - pos);
    zx_status_t s = u->in(u->ctx, pos, b->data, n);
    if (s != ZX_OK) {
      while (b) {
        next = b->next;
        free_buf(c, b);
        b = next;
      }
      *written = pos;
      return s;
    }
    b->len = (uint32_t)n;
    b->next = NULL;
    append(c, b, b);
    c->size += n;
    pos += n;
    b = next;
  }
  *written = pos;
  if (pos == 0) return refused ? ZX_ERR_NO_MEMORY : ZX_ERR_SHOULD_WAIT;
  return ZX_OK;
}

zx_status_t kmbuf_write_datagram(struct kmbuf_chain* c, const struct kmbuf_user* u, size_t len,
                                 size_t* written) {
  *written = 0;
  if (len == 0) return ZX_ERR_INVALID_ARGS;
  if (len > KMBUF_SIZE_MAX) return ZX_ERR_OUT_OF_RANGE;
  if (len + c->size > KMBUF_SIZE_MAX) return ZX_ERR_SHOULD_WAIT;
  struct kmbuf* last;
  bool refused;
  struct kmbuf* first = alloc_bufs(c, bufs_for(len), &last, &refused);
  /* SHOULD_WAIT is Zircon's answer when its pages run out; a job's limit is zum's (quota.h). */
  if (!first) return refused ? ZX_ERR_NO_MEMORY : ZX_ERR_SHOULD_WAIT;
  size_t pos = 0;
  for (struct kmbuf* b = first; b; b = b->next) {
    size_t n = min_sz(KMBUF_PAYLOAD, len - pos);
    if (u->in(u->ctx, pos, b->data, n) != ZX_OK) {
      while (first) {
        struct kmbuf* next = first->next;
        free_buf(c, first);
        first = next;
      }
      return ZX_ERR_INVALID_ARGS;
    }
    b->len = (uint32_t)n;
    pos += n;
  }
  first->pkt_len = (uint32_t)len;
  append(c, first, last);
  c->size += len;
  *written = len;
  return ZX_OK;
}

static void pop_head(struct kmbuf_chain* c) {
  struct kmbuf* b = c->head;
  c->head = b->next;
  if (!c->head) c->tail = NULL;
  free_buf(c, b);
}

zx_status_t kmbuf_read(struct kmbuf_chain* c, const struct kmbuf_user* u, size_t len,
                       bool datagram, bool peek, size_t* actual) {
  *actual = 0;
  if (c->size == 0) return ZX_OK;
  if (datagram && len > c->head->pkt_len) len = c->head->pkt_len;
  size_t pos = 0;
  uint32_t off = c->read_off;
  struct kmbuf* b = c->head;
  zx_status_t s = ZX_OK;
  while (pos < len && b && s == ZX_OK) {
    size_t n = min_sz(b->len - off, len - pos);
    s = u->out(u->ctx, pos, b->data + off, n);
    if (s == ZX_OK) pos += n;
    if (peek) {
      off = 0;
      b = b->next;
      continue;
    }
    if (s == ZX_OK) {
      off += (uint32_t)n;
      c->size -= n;
    }
    if (off == b->len || datagram) {
      /* A datagram's unread rest goes with its buffer. */
      if (datagram) c->size -= b->len - off;
      pop_head(c);
      b = c->head;
      off = 0;
    }
  }
  if (!peek) {
    /* The rest of a datagram read in part (or not at all, after a fault) is dropped. */
    while (datagram && c->head && c->head->pkt_len == 0) {
      c->size -= c->head->len - off;
      pop_head(c);
      off = 0;
    }
    c->read_off = off;
  }
  *actual = pos;
  return s;
}

void kmbuf_free(struct kmbuf_chain* c) {
  while (c->head) pop_head(c);
  c->size = 0;
  c->read_off = 0;
}
