/* zx_vmo_transfer_data (lib/syscalls/vmo.cc): moves the pages of a source range into a
 * destination range, leaving the source range zero. Zircon hands the physical pages over; on
 * zum's memfds the same outcome is a copy of the pages that hold data, a hole punched over the
 * rest of the destination, and the source range decommitted. The work is bounded by the pages
 * with data (found by halving the range), never by the length the caller names. */
#include "kobj/sysutil.h"
#include "mm/vmar.h"
#include "kobj/vmo.h"
#include "mm/vmo.h"
#include "sys-decls.h"

static uint8_t page_buf[MM_PAGE_SIZE];

/* Copies the pages of src [soff, soff + len) that hold data to dst at doff. */
static zx_status_t copy_data(struct mm_vmo* dst, uint64_t doff, const struct mm_vmo* src,
                             uint64_t soff, uint64_t len) {
  if (mm_vmo_committed_range(src, soff, len) == 0) return ZX_OK;
  if (len == MM_PAGE_SIZE) {
    zx_status_t s = mm_vmo_read(src, soff, page_buf, MM_PAGE_SIZE);
    return s != ZX_OK ? s : mm_vmo_write(dst, doff, page_buf, MM_PAGE_SIZE);
  }
  uint64_t half = (len / MM_PAGE_SIZE / 2) * MM_PAGE_SIZE;
  zx_status_t s = copy_data(dst, doff, src, soff, half);
  return s != ZX_OK ? s : copy_data(dst, doff + half, src, soff + half, len - half);
}

int64_t sys_vmo_transfer_data(struct kcall* c, zx_handle_t dst_vmo, uint32_t options,
                              uint64_t offset, uint64_t length, zx_handle_t src_vmo,
                              uint64_t src_offset) {
  if (options != 0) return ZX_ERR_INVALID_ARGS;
  if ((offset | length | src_offset) & (MM_PAGE_SIZE - 1)) return ZX_ERR_INVALID_ARGS;
  struct kobj *d, *s;
  zx_status_t st = kcall_object(c, dst_vmo, ZX_OBJ_TYPE_VMO, ZX_RIGHT_WRITE, &d);
  if (st != ZX_OK) return st;
  /* The source gives its pages away: it needs WRITE as well as READ. */
  st = kcall_object(c, src_vmo, ZX_OBJ_TYPE_VMO, ZX_RIGHT_READ | ZX_RIGHT_WRITE, &s);
  if (st != ZX_OK) return st;
  if (d == s && offset == src_offset) return ZX_OK; /* nothing moves */
  struct mm_vmo *dm = kvmo_mm(to_kvmo(d)), *sm = kvmo_mm(to_kvmo(s));
  if (length == 0) return ZX_OK;
  st = mm_vmo_check_rw(dm, offset, length);
  if (st != ZX_OK) return st;
  st = mm_vmo_check_rw(sm, src_offset, length);
  if (st != ZX_OK) return st;
  /* Deliberate differences, both answered before anything changes: a copy-on-write child's
   * pages may still be its parent's, which a copy of its own data would miss (NOT_SUPPORTED);
   * and overlapping ranges of one VMO, which a page-by-page move would scramble (INVALID_ARGS). */
  if (mm_vmo_is_cow(sm)) return ZX_ERR_NOT_SUPPORTED;
  if (mm_vmo_same_store(dm, sm)) {
    uint64_t a = mm_vmo_store_offset(dm, offset), b = mm_vmo_store_offset(sm, src_offset);
    if (a < b + length && b < a + length) return ZX_ERR_INVALID_ARGS;
  }
  st = mm_vmo_zero(dm, offset, length);
  if (st == ZX_OK) st = copy_data(dm, offset, sm, src_offset, length);
  if (st == ZX_OK) st = mm_vmo_zero(sm, src_offset, length);
  return st;
}
