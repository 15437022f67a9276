/* The debuglog: Zircon's DLog ring (lib/debuglog/debuglog.cc) and its readers. Records keep the
 * wire layout Zircon's ring uses (a preamble word with the padded and true sizes, then the rest
 * of the header and the data), so capacity and the dropping of old records match Zircon's. */
#include "kobj/debuglog.h"

#include <stdlib.h>
#include <string.h>

#define MASK (KDLOG_SIZE - 1u)
#define ALIGN4(n) (((n) + 3u) & ~(size_t)3u)
#define PREAMBLE(fifo, read) ((((uint32_t)(read)&0xFFFu) << 12) | ((uint32_t)(fifo)&0xFFFu))
#define PREAMBLE_FIFOLEN(p) ((p)&0xFFFu)

static unsigned char ring[KDLOG_SIZE];
static uint64_t head, tail, sequence;
static struct list_node readers = {&readers, &readers};

_Static_assert(sizeof(zx_log_record_t) == KDLOG_HEADER, "zx_log_record_t is Zircon's 40 bytes");

static void put(uint64_t at, const void* src, size_t len) {
  size_t off = at & MASK, room = KDLOG_SIZE - off;
  if (len <= room) {
    memcpy(ring + off, src, len);
  } else {
    memcpy(ring + off, src, room);
    memcpy(ring, (const unsigned char*)src + room, len - room);
  }
}

static void get(uint64_t at, void* dst, size_t len) {
  size_t off = at & MASK, room = KDLOG_SIZE - off;
  if (len <= room) {
    memcpy(dst, ring + off, len);
  } else {
    memcpy(dst, ring + off, room);
    memcpy((unsigned char*)dst + room, ring, len - room);
  }
}

void kdlog_write(uint8_t severity, uint8_t flags, const void* data, size_t len, uint64_t pid,
                 uint64_t tid, int64_t timestamp) {
  if (len > KDLOG_MAX_DATA) len = KDLOG_MAX_DATA;
  size_t wire = KDLOG_HEADER + ALIGN4(len);
  zx_log_record_t h;
  memset(&h, 0, sizeof(h));
  /* In the ring a record starts with a preamble word holding its padded and true sizes. */
  uint32_t pre = PREAMBLE(wire, KDLOG_HEADER + len);
  h.sequence = sequence++;
  h.datalen = (uint16_t)len;
  h.severity = severity;
  h.flags = flags;
  h.timestamp = timestamp;
  h.pid = pid;
  h.tid = tid;
  /* Drop the oldest records until the new one fits. */
  while (head - tail > KDLOG_SIZE - wire) {
    uint32_t p;
    get(tail, &p, sizeof(p));
    tail += PREAMBLE_FIFOLEN(p);
  }
  /* Wire layout: preamble (4 bytes), then the record header from padding1 on (zx_log_record_t
   * without its sequence, 32 bytes), then the sequence (8), then the data. */
  put(head, &pre, sizeof(pre));
  put(head + 4, (const unsigned char*)&h + 12, KDLOG_HEADER - 12);
  put(head + 4 + (KDLOG_HEADER - 12), &h.sequence, 8);
  if (len) put(head + KDLOG_HEADER, data, len);
  head += wire;
  struct list_node* pos;
  list_for_each(pos, &readers) {
    struct kdebuglog* l = list_entry(pos, struct kdebuglog, node);
    /* Kept set until a read finds nothing (LogDispatcher::Signal, then Read's SHOULD_WAIT). */
    if (!(l->base.signals & ZX_LOG_READABLE)) kobj_signal(&l->base, 0, ZX_LOG_READABLE);
  }
}

zx_status_t kdlog_read(uint64_t* rtail, struct kdlog_record* rec) {
  uint64_t t = *rtail;
  if (head - tail < head - t) t = tail; /* lapped: start again at the oldest */
  if (t == head) {
    *rtail = t;
    return ZX_ERR_SHOULD_WAIT;
  }
  uint32_t pre;
  get(t, &pre, sizeof(pre));
  memset(rec, 0, sizeof(*rec));
  get(t + 4, (unsigned char*)&rec->hdr + 12, KDLOG_HEADER - 12);
  get(t + 4 + (KDLOG_HEADER - 12), &rec->hdr.sequence, 8);
  size_t len = rec->hdr.datalen;
  if (len > KDLOG_MAX_DATA) len = KDLOG_MAX_DATA;
  if (len) get(t + KDLOG_HEADER, rec->data, len);
  *rtail = t + PREAMBLE_FIFOLEN(pre);
  return ZX_OK;
}

uint64_t kdlog_oldest(void) { return tail; }

void kdlog_reset(void) { head = tail = sequence = 0; }

static void debuglog_destroy(struct kobj* o) {
  struct kdebuglog* l = to_kdebuglog(o);
  if (l->readable) list_del(&l->node);
  free(l);
}

static const struct kobj_ops kdebuglog_ops = {
    .type = ZX_OBJ_TYPE_DEBUGLOG,
    .name = "debuglog",
    .default_rights = ZX_DEFAULT_LOG_RIGHTS,
    .destroy = debuglog_destroy,
};

struct kdebuglog* kdebuglog_create(bool readable) {
  struct kdebuglog* l = calloc(1, sizeof(*l));
  if (!l) return NULL;
  /* A reader joins with the records already there to read (DlogReader::Initialize). */
  zx_signals_t initial = (readable && head != tail) ? ZX_LOG_READABLE : 0;
  kobj_init(&l->base, &kdebuglog_ops, initial);
  l->readable = readable;
  l->tail = kdlog_oldest();
  if (readable) list_add_tail(&readers, &l->node);
  return l;
}
