/* The zx_stream_* calls, after Zircon's lib/syscalls/stream.cc: options, then a NULL vector,
 * then the handle (BAD_HANDLE, WRONG_TYPE, ACCESS_DENIED); the stream's rules are
 * kobj/stream.c. The actual count is written, when asked for, only when the call succeeds.
 *
 * Vectors. As Zircon's user_iovec, the vector is read twice: once to add up the capacities
 * (an entry that cannot be read, or a sum past SIZE_MAX, is INVALID_ARGS before anything
 * moves), and again entry by entry while the bytes move, so a vector changed meanwhile changes
 * what moves, which Zircon leaves unspecified too. Each entry moves through kobj/vmo_io.c, as
 * zx_vmo_read/write do; an entry whose buffer faults ends the transfer with NOT_FOUND, and the
 * call then reports the bytes moved before it as a success (a short transfer), or NOT_FOUND if
 * there were none. One deliberate difference: Zircon reads as many entries as the caller names;
 * zum reads at most KSTREAM_MAX_IOVECS and says INVALID_ARGS beyond, as if the vector ran into
 * unreadable memory there: entries of capacity 0 move nothing, and without a bound a guest could
 * keep the single-threaded supervisor reading its vector for as long as it has memory to name. */
#include <zircon/syscalls/object.h>

#include "kobj/stream.h"
#include "kobj/sysutil.h"
#include "kobj/vmo.h"
#include "kobj/vmo_io.h"
#include "mm/vmo.h"
#include "sys-decls.h"

/* 1 MiB of vector: far more entries than any program passes (POSIX's IOV_MAX is 1024). */
#define KSTREAM_MAX_IOVECS ((size_t)64 * 1024)
/* Entries read from the guest at a time. */
#define IOV_BATCH 64

int64_t sys_stream_create(struct kcall* c, uint32_t options, zx_handle_t vmo, zx_off_t seek,
                          zum_uaddr_t out_stream) {
  uint32_t mode;
  zx_rights_t vmo_rights;
  zx_status_t s = kstream_parse_options(options, &mode, &vmo_rights);
  if (s != ZX_OK) return s;
  struct khandle* h;
  s = kcall_object_h(c, vmo, ZX_OBJ_TYPE_VMO, vmo_rights, &h);
  if (s != ZX_OK) return s;
  /* Zircon refuses physical and contiguous VMOs (WRONG_TYPE); zum has only paged ones. Whether
   * the stream may grow the VMO is decided once, by the handle it was made from. */
  if (h->rights & ZX_RIGHT_RESIZE) mode |= KSTREAM_CAN_RESIZE;
  struct kstream* st;
  zx_rights_t rights;
  s = kstream_create(mode, to_kvmo(h->obj), seek, &st, &rights);
  if (s != ZX_OK) return s;
  s = kcall_out_handle(c, &st->base, rights, out_stream);
  kobj_unref(&st->base);
  return s;
}

/* The capacities of the guest's vector added up, as Zircon's GetTotalCapacity. */
static zx_status_t total_capacity(struct kcall* c, zum_uaddr_t vectors, size_t count,
                                  size_t* total) {
  if (count > KSTREAM_MAX_IOVECS) return ZX_ERR_INVALID_ARGS;
  *total = 0;
  zx_iovec_t batch[IOV_BATCH];
  for (size_t i = 0; i < count; i += IOV_BATCH) {
    size_t n = count - i < IOV_BATCH ? count - i : IOV_BATCH;
    if (kcall_copy_in(c, batch, vectors + i * sizeof(zx_iovec_t), n * sizeof(zx_iovec_t)) != ZX_OK)
      return ZX_ERR_INVALID_ARGS;
    for (size_t j = 0; j < n; j++)
      if (__builtin_add_overflow(*total, batch[j].capacity, total)) return ZX_ERR_INVALID_ARGS;
  }
  return ZX_OK;
}

/* Moves op's bytes between the VMO and the buffers of the vector, in order, each entry taking
 * what it can hold of what is left. *done counts the bytes moved; the status says why the
 * transfer stopped early (ZX_OK: it did not). */
static zx_status_t transfer(struct kcall* c, struct kstream* st, const struct kstream_op* op,
                            bool write, zum_uaddr_t vectors, size_t count, size_t* done) {
  struct mm_vmo* m = kvmo_mm(st->vmo);
  *done = 0;
  zx_iovec_t batch[IOV_BATCH];
  for (size_t i = 0; i < count && *done < op->length; i += IOV_BATCH) {
    size_t n = count - i < IOV_BATCH ? count - i : IOV_BATCH;
    if (kcall_copy_in(c, batch, vectors + i * sizeof(zx_iovec_t), n * sizeof(zx_iovec_t)) != ZX_OK)
      return ZX_ERR_INVALID_ARGS;
    for (size_t j = 0; j < n && *done < op->length; j++) {
      size_t len = batch[j].capacity;
      if (len > op->length - *done) len = (size_t)(op->length - *done);
      if (len == 0) continue;
      uint64_t off = op->offset + *done;
      /* Each entry is one VMO transfer with its own range check, as Zircon's ReadUser: the
       * content size may lie beyond the VMO (the legacy ZX_PROP_VMO_CONTENT_SIZE). */
      zx_status_t s = mm_vmo_check_rw(m, off, len);
      if (s != ZX_OK) return s;
      size_t moved;
      s = kvmo_io(c, m, !write, off, (zum_uaddr_t)(uintptr_t)batch[j].buffer, len, &moved);
      *done += moved;
      if (s != ZX_OK) return s;
    }
  }
  return ZX_OK;
}

static int64_t finish(struct kcall* c, zx_status_t s, size_t actual, zum_uaddr_t out_actual) {
  if (s == ZX_OK && out_actual) s = kcall_copy_out(c, out_actual, &actual, sizeof(actual));
  return s;
}

/* Zircon's checks before the dispatcher: options, a NULL vector, the handle and its right. */
static zx_status_t stream_of(struct kcall* c, zx_handle_t handle, zum_uaddr_t vectors,
                             zx_rights_t right, struct kstream** out) {
  if (!vectors) return ZX_ERR_INVALID_ARGS;
  struct kobj* o;
  zx_status_t s = kcall_object(c, handle, ZX_OBJ_TYPE_STREAM, right, &o);
  if (s == ZX_OK) *out = to_kstream(o);
  return s;
}

static int64_t do_read(struct kcall* c, zx_handle_t handle, bool at_seek, zx_off_t offset,
                       zum_uaddr_t vectors, size_t num_vectors, zum_uaddr_t out_actual) {
  struct kstream* st;
  zx_status_t s = stream_of(c, handle, vectors, ZX_RIGHT_READ, &st);
  if (s != ZX_OK) return s;
  size_t total;
  s = total_capacity(c, vectors, num_vectors, &total);
  if (s != ZX_OK) return s;
  struct kstream_op op;
  kstream_begin_read(st, at_seek, offset, total, &op);
  size_t done = 0;
  if (total > 0 && op.length > 0) {
    s = transfer(c, st, &op, false, vectors, num_vectors, &done);
    s = kstream_end(st, &op, false, done, s);
  }
  return finish(c, s, done, out_actual);
}

/* A write through `st` (already checked for WRITE). */
static int64_t do_write(struct kcall* c, struct kstream* st, bool append, bool at_seek,
                        zx_off_t offset, zum_uaddr_t vectors, size_t num_vectors,
                        zum_uaddr_t out_actual) {
  size_t total;
  zx_status_t s = total_capacity(c, vectors, num_vectors, &total);
  if (s != ZX_OK) return s;
  size_t done = 0;
  if (total > 0) { /* writing nothing changes nothing, not even in append mode */
    struct kstream_op op;
    s = append ? kstream_begin_append(st, total, &op)
               : kstream_begin_write(st, at_seek, offset, total, &op);
    if (s != ZX_OK) return s;
    s = transfer(c, st, &op, true, vectors, num_vectors, &done);
    s = kstream_end(st, &op, true, done, s);
  }
  return finish(c, s, done, out_actual);
}

int64_t sys_stream_writev(struct kcall* c, zx_handle_t handle, uint32_t options,
                          zum_uaddr_t vectors, size_t num_vectors, zum_uaddr_t actual) {
  if (options & ~ZX_STREAM_APPEND) return ZX_ERR_INVALID_ARGS;
  struct kstream* st;
  zx_status_t s = stream_of(c, handle, vectors, ZX_RIGHT_WRITE, &st);
  if (s != ZX_OK) return s;
  /* ZX_STREAM_APPEND appends once; a stream in append mode appends every write. */
  bool append = (options & ZX_STREAM_APPEND) || kstream_append_mode(st);
  return do_write(c, st, append, true, 0, vectors, num_vectors, actual);
}

int64_t sys_stream_writev_at(struct kcall* c, zx_handle_t handle, uint32_t options,
                             zx_off_t offset, zum_uaddr_t vectors, size_t num_vectors,
                             zum_uaddr_t actual) {
  if (options != 0) return ZX_ERR_INVALID_ARGS;
  struct kstream* st;
  zx_status_t s = stream_of(c, handle, vectors, ZX_RIGHT_WRITE, &st);
  if (s != ZX_OK) return s;
  /* At the offset even in append mode: Zircon's WriteVectorAt does not look at the mode. */
  return do_write(c, st, false, false, offset, vectors, num_vectors, actual);
}

int64_t sys_stream_readv(struct kcall* c, zx_handle_t handle, uint32_t options,
                         zum_uaddr_t vectors, size_t num_vectors, zum_uaddr_t actual) {
  if (options != 0) return ZX_ERR_INVALID_ARGS;
  return do_read(c, handle, true, 0, vectors, num_vectors, actual);
}

int64_t sys_stream_readv_at(struct kcall* c, zx_handle_t handle, uint32_t options,
                            zx_off_t offset, zum_uaddr_t vectors, size_t num_vectors,
                            zum_uaddr_t actual) {
  if (options != 0) return ZX_ERR_INVALID_ARGS;
  return do_read(c, handle, false, offset, vectors, num_vectors, actual);
}

/* Any stream handle that may read or write may seek. */
int64_t sys_stream_seek(struct kcall* c, zx_handle_t handle, zx_stream_seek_origin_t whence,
                        int64_t offset, zum_uaddr_t out_seek) {
  struct khandle* h;
  zx_status_t s = kcall_object_h(c, handle, ZX_OBJ_TYPE_STREAM, ZX_RIGHT_NONE, &h);
  if (s != ZX_OK) return s;
  if (!(h->rights & (ZX_RIGHT_READ | ZX_RIGHT_WRITE))) return ZX_ERR_ACCESS_DENIED;
  uint64_t seek;
  s = kstream_seek(to_kstream(h->obj), whence, offset, &seek);
  if (s == ZX_OK && out_seek) s = kcall_copy_out(c, out_seek, &seek, sizeof(seek));
  return s;
}
