/* Streams: a seek offset and a mode over a VMO, after Zircon's StreamDispatcher. The bytes are
 * the VMO's (its memfd, so mappings and zx_vmo_read/write see what a stream wrote and the other
 * way round); the content size is the VMO's own (zx_vmo_get_stream_size,
 * ZX_PROP_VMO_CONTENT_SIZE), shared by every stream on it.
 *
 * This is the dispatcher's arithmetic, with no guest memory: a read or write is planned
 * (kstream_begin_*), the caller moves the bytes through the VMO, and reports how many moved
 * (kstream_end_*), which decides the content size and the seek offset as Zircon does. The
 * supervisor is single-threaded, so Zircon's ContentSizeManager queue (concurrent writers
 * waiting for the one ahead) has nothing to order: every plan runs to its end before the next
 * call. */
#ifndef ZUM_KOBJ_STREAM_H_
#define ZUM_KOBJ_STREAM_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zircon/syscalls/object.h>
#include <zircon/types.h>

#include "kobj/object.h"

struct kvmo;

/* kstream.mode */
#define KSTREAM_READ 0x1u
#define KSTREAM_WRITE 0x2u
#define KSTREAM_APPEND 0x4u
#define KSTREAM_CAN_RESIZE 0x8u /* the VMO handle had ZX_RIGHT_RESIZE */

struct kstream {
  struct kobj base;
  struct kvmo* vmo; /* held */
  uint32_t mode;
  uint64_t seek;
};

extern const struct kobj_ops kstream_ops;
static inline struct kstream* to_kstream(struct kobj* o) { return (struct kstream*)o; }

/* zx_stream_create's options (ZX_STREAM_MODE_*): the stream's mode and the rights the VMO
 * handle must have (READ for reading, WRITE for writing; APPEND needs none). INVALID_ARGS for
 * unknown bits. */
zx_status_t kstream_parse_options(uint32_t options, uint32_t* mode, zx_rights_t* vmo_rights);
/* A stream on `vmo` (which it holds) with one reference and no handle; *rights are those of its
 * first handle: ZX_DEFAULT_STREAM_RIGHTS with READ and WRITE as the mode says. */
zx_status_t kstream_create(uint32_t mode, struct kvmo* vmo, uint64_t seek, struct kstream** out,
                           zx_rights_t* rights);

uint64_t kstream_content_size(const struct kstream* s);
/* ZX_INFO_STREAM: options are ZX_STREAM_MODE_* (never the resize bit). */
void kstream_info(const struct kstream* s, zx_info_stream_t* out);
/* ZX_PROP_STREAM_MODE_APPEND. */
bool kstream_append_mode(const struct kstream* s);
void kstream_set_append_mode(struct kstream* s, bool on);

/* zx_stream_seek: ZX_STREAM_SEEK_ORIGIN_START, _CURRENT or _END (the content size) plus
 * `offset`; INVALID_ARGS for another origin, a negative offset from the start, or a result
 * below 0 or above UINT64_MAX (then the seek offset stays). */
zx_status_t kstream_seek(struct kstream* s, uint32_t whence, int64_t offset, uint64_t* out);

/* A transfer in progress: where the bytes go and how many at most. */
struct kstream_op {
  uint64_t offset;
  uint64_t length;
  bool append;
  bool move_seek; /* readv and writev move the seek offset; the _at calls do not */
};

/* Plans a read of up to `capacity` bytes at `offset` (at_seek: the seek offset instead): up to
 * the content size. op->length 0: nothing to read (ZX_OK with 0 bytes). Never fails. */
void kstream_begin_read(const struct kstream* s, bool at_seek, uint64_t offset, size_t capacity,
                        struct kstream_op* op);
/* Plans a write of `capacity` (> 0) bytes at `offset` (at_seek: the seek offset): FILE_BIG when
 * the end overflows; the VMO grows to hold it when it must and may (kstream mode
 * CAN_RESIZE), else the write is cut at the VMO's end, and with nothing left of it the status is
 * OUT_OF_RANGE (the end rounded to pages overflows) or NO_SPACE. A write starting beyond the
 * content size zeroes the gap first. */
zx_status_t kstream_begin_write(struct kstream* s, bool at_seek, uint64_t offset, size_t capacity,
                                struct kstream_op* op);
/* Plans an append of `capacity` (> 0) bytes at the content size: OUT_OF_RANGE when the new
 * content size overflows, then as kstream_begin_write. */
zx_status_t kstream_begin_append(struct kstream* s, size_t capacity, struct kstream_op* op);
/* `done` bytes of op moved, and the transfer ended with `status` (ZX_OK or why it stopped).
 * Sets the content size and the seek offset, and returns the call's status: ZX_OK when any
 * byte moved, else `status`. */
zx_status_t kstream_end(struct kstream* s, const struct kstream_op* op, bool write, size_t done,
                        zx_status_t status);

#endif
