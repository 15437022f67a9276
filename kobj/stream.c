/* Streams, after Zircon's StreamDispatcher (object/stream_dispatcher.cc) and the parts of
 * VmObjectDispatcher and ContentSizeManager it uses. See kobj/stream.h. */
#include "kobj/stream.h"

#include <stdlib.h>
#include <zircon/rights.h>

#include "kobj/vmo.h"
#include "mm/vmo.h"

static void stream_destroy(struct kobj* o) {
  struct kstream* s = to_kstream(o);
  kobj_unref((struct kobj*)s->vmo);
  free(s);
}

/* Streams have no signals of their own: object_signal may set user signals only. */
const struct kobj_ops kstream_ops = {
    .type = ZX_OBJ_TYPE_STREAM,
    .name = "stream",
    .default_rights = ZX_DEFAULT_STREAM_RIGHTS,
    .allowed_signals = 0,
    .destroy = stream_destroy,
};

zx_status_t kstream_parse_options(uint32_t options, uint32_t* mode, zx_rights_t* vmo_rights) {
  if (options & ~ZX_STREAM_CREATE_MASK) return ZX_ERR_INVALID_ARGS;
  *mode = 0;
  *vmo_rights = ZX_RIGHT_NONE;
  if (options & ZX_STREAM_MODE_READ) *mode |= KSTREAM_READ, *vmo_rights |= ZX_RIGHT_READ;
  if (options & ZX_STREAM_MODE_WRITE) *mode |= KSTREAM_WRITE, *vmo_rights |= ZX_RIGHT_WRITE;
  if (options & ZX_STREAM_MODE_APPEND) *mode |= KSTREAM_APPEND;
  return ZX_OK;
}

zx_status_t kstream_create(uint32_t mode, struct kvmo* vmo, uint64_t seek, struct kstream** out,
                           zx_rights_t* rights) {
  struct kstream* s = calloc(1, sizeof(*s));
  if (!s) return ZX_ERR_NO_MEMORY;
  kobj_init(&s->base, &kstream_ops, 0);
  kobj_ref((struct kobj*)vmo);
  s->vmo = vmo;
  s->mode = mode;
  s->seek = seek; /* any value: Zircon checks none */
  *rights = ZX_DEFAULT_STREAM_RIGHTS | ((mode & KSTREAM_READ) ? ZX_RIGHT_READ : 0) |
            ((mode & KSTREAM_WRITE) ? ZX_RIGHT_WRITE : 0);
  *out = s;
  return ZX_OK;
}

static struct mm_vmo* mem(const struct kstream* s) { return kvmo_mm(s->vmo); }

uint64_t kstream_content_size(const struct kstream* s) { return mem(s)->stream_size; }

void kstream_info(const struct kstream* s, zx_info_stream_t* out) {
  *out = (zx_info_stream_t){
      .options = ((s->mode & KSTREAM_READ) ? ZX_STREAM_MODE_READ : 0) |
                 ((s->mode & KSTREAM_WRITE) ? ZX_STREAM_MODE_WRITE : 0) |
                 ((s->mode & KSTREAM_APPEND) ? ZX_STREAM_MODE_APPEND : 0),
      .seek = s->seek,
      .content_size = kstream_content_size(s),
  };
}

bool kstream_append_mode(const struct kstream* s) { return (s->mode & KSTREAM_APPEND) != 0; }

void kstream_set_append_mode(struct kstream* s, bool on) {
  s->mode = (s->mode & ~KSTREAM_APPEND) | (on ? KSTREAM_APPEND : 0);
}

zx_status_t kstream_seek(struct kstream* s, uint32_t whence, int64_t offset, uint64_t* out) {
  uint64_t target;
  switch (whence) {
    case ZX_STREAM_SEEK_ORIGIN_START:
      if (offset < 0) return ZX_ERR_INVALID_ARGS;
      target = (uint64_t)offset;
      break;
    /* The sum of an unsigned base and a signed offset must be representable as a uint64_t:
     * below 0 and past UINT64_MAX are both refused. */
    case ZX_STREAM_SEEK_ORIGIN_CURRENT:
      if (__builtin_add_overflow(s->seek, offset, &target)) return ZX_ERR_INVALID_ARGS;
      break;
    case ZX_STREAM_SEEK_ORIGIN_END:
      if (__builtin_add_overflow(kstream_content_size(s), offset, &target))
        return ZX_ERR_INVALID_ARGS;
      break;
    default:
      return ZX_ERR_INVALID_ARGS;
  }
  s->seek = target;
  *out = target;
  return ZX_OK;
}

void kstream_begin_read(const struct kstream* s, bool at_seek, uint64_t offset, size_t capacity,
                        struct kstream_op* op) {
  if (at_seek) offset = s->seek;
  *op = (struct kstream_op){.offset = offset, .move_seek = at_seek};
  /* Zircon limits the read to min(offset + capacity, content size) with the sum wrapping
   * around 2^64 (ContentSizeManager::BeginReadLocked gets it unchecked): a capacity that wraps
   * reads nothing, as there. */
  uint64_t limit = offset + capacity;
  uint64_t content = kstream_content_size(s);
  if (content < limit) limit = content;
  if (limit <= offset) return;
  op->length = limit - offset;
}

/* StreamDispatcher::CreateWriteOpAndExpandVmo past the end's overflow check, and the
 * matching part of AppendVector: the VMO grows to `end` if it must and may, the write is cut at
 * the VMO's end. `zero_from`: the content size when the write starts beyond it (the gap reads
 * as zeros afterwards), else UINT64_MAX. */
static zx_status_t plan_write(struct kstream* s, uint64_t offset, uint64_t end, uint64_t zero_from,
                              struct kstream_op* op) {
  struct mm_vmo* m = mem(s);
  uint64_t vmo_size;
  zx_status_t st = mm_vmo_expand(m, end, (s->mode & KSTREAM_CAN_RESIZE) != 0, &vmo_size);
  /* A failed growth still leaves what the VMO already holds for a partial write; callers are
   * told NO_SPACE for any failure of the resize but an overflowing size. */
  if (st != ZX_OK && vmo_size <= offset)
    return st == ZX_ERR_OUT_OF_RANGE ? ZX_ERR_OUT_OF_RANGE : ZX_ERR_NO_SPACE;
  op->offset = offset;
  op->length = (vmo_size < end ? vmo_size : end) - offset;
  if (zero_from < offset) {
    st = mm_vmo_zero(m, zero_from, offset - zero_from);
    if (st != ZX_OK) return st;
  }
  return ZX_OK;
}

zx_status_t kstream_begin_write(struct kstream* s, bool at_seek, uint64_t offset, size_t capacity,
                                struct kstream_op* op) {
  if (at_seek) offset = s->seek;
  *op = (struct kstream_op){.offset = offset, .move_seek = at_seek};
  uint64_t end;
  if (__builtin_add_overflow(offset, capacity, &end)) return ZX_ERR_FILE_BIG;
  uint64_t content = kstream_content_size(s);
  return plan_write(s, offset, end, end > content ? content : UINT64_MAX, op);
}

zx_status_t kstream_begin_append(struct kstream* s, size_t capacity, struct kstream_op* op) {
  uint64_t offset = kstream_content_size(s);
  *op = (struct kstream_op){.offset = offset, .append = true, .move_seek = true};
  uint64_t end;
  if (__builtin_add_overflow(offset, capacity, &end)) return ZX_ERR_OUT_OF_RANGE;
  return plan_write(s, offset, end, UINT64_MAX, op);
}

zx_status_t kstream_end(struct kstream* s, const struct kstream_op* op, bool write, size_t done,
                        zx_status_t status) {
  /* An append moves the seek offset to the end of what it wrote, even when that is nothing
   * (it was the content size it started from). */
  if (op->append) s->seek = op->offset + done;
  if (done == 0) return status; /* nothing moved: content size and seek offset stay */
  if (op->move_seek && !op->append) s->seek += done;
  if (write) {
    struct mm_vmo* m = mem(s);
    uint64_t end = op->offset + done;
    if (end > m->stream_size) m->stream_size = end;
  }
  return ZX_OK;
}
