/* VMO memory over a backing store. See mm/vmo.h.
 *
 * Every check below names the Zircon function whose order it follows (current kernel,
 * vm_object_paged.cc / vm_cow_pages.cc / vm_object_dispatcher.cc, as digested in
 * vm-facts.md section 1). */
#include "mm/vmo.h"

#include <string.h>

#include "host/memfd.h"

#define PAGE ((uint64_t)MM_PAGE_SIZE)

static const struct mm_backing_ops memfd_backing = {
    .create = host_memfd_create,
    .close = host_memfd_close,
    .resize = host_memfd_resize,
    .read = host_memfd_read,
    .write = host_memfd_write,
    .commit = host_memfd_commit,
    .decommit = host_memfd_decommit,
    .page_has_data = host_memfd_page_has_data,
    .committed = host_memfd_committed,
    .committed_range = host_memfd_committed_range,
    .max_size = HOST_MEMFD_MAX_SIZE,
};

const struct mm_backing_ops* mm_backing = &memfd_backing;

static const uint8_t zero_page[MM_PAGE_SIZE];

static bool round_up_page(uint64_t x, uint64_t* out) {
  if (x > UINT64_MAX - (PAGE - 1)) return false;
  *out = (x + PAGE - 1) & ~(PAGE - 1);
  return true;
}

static uint64_t round_down_page(uint64_t x) { return x & ~(PAGE - 1); }

static uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }

/* How much of the VMO the backing store holds. */
static uint64_t store_len(const struct mm_vmo* v) { return min_u64(v->size, v->ops->max_size); }

/* Zircon's InRange: [off, off+len) inside [0, size), overflow-safe. */
static bool in_range(uint64_t off, uint64_t len, uint64_t size) {
  uint64_t end;
  if (__builtin_add_overflow(off, len, &end)) return false;
  return end <= size;
}

/* ---- creation (VmObjectDispatcher::parse_create_syscall_flags, VmObjectPaged::Create) */

zx_status_t mm_vmo_parse_create(uint32_t options, uint64_t size, uint32_t* flags,
                                uint64_t* vmo_size) {
  uint32_t f = 0;
  if (options & ZX_VMO_RESIZABLE) {
    if (options & ZX_VMO_UNBOUNDED) return ZX_ERR_INVALID_ARGS;
    f |= MM_VMO_RESIZABLE;
    options &= ~ZX_VMO_RESIZABLE;
  }
  /* Accepted as in Zircon. zum never discards (the kernel may, it need not), so a discardable
   * VMO behaves as one that memory pressure never reached: LOCK reports nothing discarded and
   * TRY_LOCK always succeeds. */
  if (options & ZX_VMO_DISCARDABLE) {
    f |= MM_VMO_DISCARDABLE;
    options &= ~ZX_VMO_DISCARDABLE;
  }
  uint64_t rounded;
  if (options & ZX_VMO_UNBOUNDED) {
    options &= ~ZX_VMO_UNBOUNDED;
    rounded = MM_VMO_MAX_SIZE;
  } else if (!round_up_page(size, &rounded)) {
    return ZX_ERR_OUT_OF_RANGE; /* before the leftover-option check, as in Zircon */
  }
  /* Anything else, ZX_VMO_TRAP_DIRTY (pager VMOs only) included. */
  if (options != 0) return ZX_ERR_INVALID_ARGS;
  /* The initial content size cannot exceed the VMO size (UNBOUNDED with a huge size). */
  if (size > rounded) return ZX_ERR_OUT_OF_RANGE;
  if (rounded > MM_VMO_MAX_SIZE) return ZX_ERR_OUT_OF_RANGE;
  *flags = f;
  *vmo_size = rounded;
  return ZX_OK;
}

zx_status_t mm_vmo_init(struct mm_vmo* v, uint32_t flags, uint64_t vmo_size,
                        uint64_t stream_size) {
  memset(v, 0, sizeof(*v));
  v->ops = mm_backing;
  v->fd = -1;
  v->flags = flags;
  v->cache_policy = ZX_CACHE_POLICY_CACHED;
  v->size = vmo_size;
  v->stream_size = stream_size;
  zx_status_t s = v->ops->create(store_len(v), &v->fd);
  if (s != ZX_OK) {
    v->fd = -1;
    return ZX_ERR_NO_MEMORY; /* the only way Zircon's allocation fails */
  }
  return ZX_OK;
}

void mm_vmo_fini(struct mm_vmo* v) {
  if (v->fd >= 0) v->ops->close(v->fd);
  v->fd = -1;
}

/* ---- reads and writes (VmObjectPaged::ReadWriteInternal) */

zx_status_t mm_vmo_check_rw(const struct mm_vmo* v, uint64_t off, uint64_t len) {
  uint64_t end;
  if (__builtin_add_overflow(off, len, &end)) return ZX_ERR_OUT_OF_RANGE;
  if (v->cache_policy != ZX_CACHE_POLICY_CACHED) return ZX_ERR_BAD_STATE;
  /* Before any byte moves: no partial transfer past the end. */
  if (end > v->size) return ZX_ERR_OUT_OF_RANGE;
  return ZX_OK;
}

zx_status_t mm_vmo_read(const struct mm_vmo* v, uint64_t off, void* buf, size_t len) {
  uint64_t stored = store_len(v);
  size_t n = off >= stored ? 0 : (size_t)min_u64(len, stored - off);
  if (n > 0) {
    zx_status_t s = v->ops->read(v->fd, off, buf, n);
    if (s != ZX_OK) return s;
  }
  memset((uint8_t*)buf + n, 0, len - n);
  return ZX_OK;
}

zx_status_t mm_vmo_write(struct mm_vmo* v, uint64_t off, const void* buf, size_t len) {
  uint64_t stored = store_len(v);
  size_t n = off >= stored ? 0 : (size_t)min_u64(len, stored - off);
  if (n > 0) {
    zx_status_t s = v->ops->write(v->fd, off, buf, n);
    if (s != ZX_OK) return s;
  }
  return n == len ? ZX_OK : ZX_ERR_NO_MEMORY; /* beyond what Linux can store */
}

/* ---- decommit and zero */

/* VmObjectPaged::DecommitRange for an anonymous VMO without children (the only kind zum has):
 * range first, then emptiness, then alignment. */
zx_status_t mm_vmo_decommit(struct mm_vmo* v, uint64_t off, uint64_t len) {
  if (!in_range(off, len, v->size)) return ZX_ERR_OUT_OF_RANGE;
  if (len == 0) return ZX_OK;
  if ((off | len) & (PAGE - 1)) return ZX_ERR_INVALID_ARGS;
  uint64_t stored = store_len(v);
  if (off >= stored) return ZX_OK; /* nothing stored there: already zero */
  return v->ops->decommit(v->fd, off, min_u64(off + len, stored) - off);
}

/* VmObjectPaged::ZeroPartialPage: zeroes [start, end) of the page at page_base, leaving a page
 * that already reads as zeros alone (it stays uncommitted). */
static zx_status_t zero_partial(struct mm_vmo* v, uint64_t page_base, uint64_t start,
                                uint64_t end) {
  if (page_base >= v->size) return ZX_ERR_OUT_OF_RANGE;
  if (page_base >= store_len(v) || !v->ops->page_has_data(v->fd, page_base)) return ZX_OK;
  zx_status_t s = mm_vmo_check_rw(v, page_base + start, end - start);
  if (s != ZX_OK) return s;
  return v->ops->write(v->fd, page_base + start, zero_page, end - start);
}

/* VmObjectPaged::ZeroRangeInternal: an unaligned head and tail are written with zeros, whole
 * pages in between are decommitted. A failure stops the walk with what was zeroed so far kept. */
zx_status_t mm_vmo_zero(struct mm_vmo* v, uint64_t off, uint64_t len) {
  while (len > 0) {
    if (off & (PAGE - 1)) {
      uint64_t base = round_down_page(off);
      uint64_t start = off - base;
      uint64_t n = min_u64(PAGE - start, len);
      zx_status_t s = zero_partial(v, base, start, start + n);
      if (s != ZX_OK) return s;
      off += n;
      len -= n;
      continue;
    }
    if (len < PAGE) return zero_partial(v, off, 0, len);
    uint64_t whole = round_down_page(len);
    uint64_t end;
    if (__builtin_add_overflow(off, whole, &end)) return ZX_ERR_OUT_OF_RANGE;
    zx_status_t s = mm_vmo_decommit(v, off, whole);
    if (s == ZX_OK) {
      off += whole;
      len -= whole;
      continue;
    }
    /* Decommit refused: Zircon falls back to writing zero pages, which checks the cache policy
     * and then the range. */
    if (v->cache_policy != ZX_CACHE_POLICY_CACHED) return ZX_ERR_BAD_STATE;
    if (end > v->size) return ZX_ERR_OUT_OF_RANGE;
    return s;
  }
  return ZX_OK;
}

/* ---- sizes */

/* VmObjectDispatcher::SetSize then VmObjectPaged::Resize. */
zx_status_t mm_vmo_set_size(struct mm_vmo* v, uint64_t size) {
  uint64_t aligned;
  if (!round_up_page(size, &aligned)) return ZX_ERR_OUT_OF_RANGE;
  if (!(v->flags & MM_VMO_RESIZABLE)) return ZX_ERR_UNAVAILABLE;
  if (aligned > MM_VMO_MAX_SIZE) return ZX_ERR_OUT_OF_RANGE;
  /* Shrinking frees what lies beyond (mappings of it then fault, as after Zircon unmaps it);
   * growing exposes zeros. */
  zx_status_t s = v->ops->resize(v->fd, min_u64(aligned, v->ops->max_size));
  if (s != ZX_OK) return ZX_ERR_NO_MEMORY;
  v->size = aligned;
  /* The tail of the last page reads as zeros; Zircon ignores a failure here too. */
  if (aligned > size) (void)mm_vmo_zero(v, size, aligned - size);
  v->stream_size = size;
  return ZX_OK;
}

/* VmObjectDispatcher::SetStreamSize. */
zx_status_t mm_vmo_set_stream_size(struct mm_vmo* v, uint64_t size) {
  if (size == v->stream_size) return ZX_OK;
  if (size > v->size) return ZX_ERR_OUT_OF_RANGE;
  uint64_t zero_start = min_u64(size, v->stream_size);
  uint64_t aligned = (size + PAGE - 1) & ~(PAGE - 1); /* size <= MM_VMO_MAX_SIZE: no overflow */
  /* Everything from the smaller of the two sizes to the end of the VMO reads as zeros after;
   * on failure the stream size stays as it was. */
  zx_status_t s = mm_vmo_zero(v, zero_start, aligned - zero_start);
  if (s == ZX_OK) s = mm_vmo_decommit(v, aligned, v->size - aligned);
  if (s != ZX_OK) return s;
  v->stream_size = size;
  return ZX_OK;
}

/* Setting ZX_PROP_VMO_CONTENT_SIZE. Current Zircon calls SetLegacyPropVmoContentSize, whose
 * code is not public in the sources available; its name and the previous setter
 * (VmObjectDispatcher::SetContentSize) say legacy semantics: any value is accepted (also one
 * beyond the VMO size), the bytes from it to the end of the VMO are zeroed (a failure there is
 * ignored), and the call succeeds. */
zx_status_t mm_vmo_set_content_size(struct mm_vmo* v, uint64_t size) {
  if (size < v->size) (void)mm_vmo_zero(v, size, v->size - size);
  v->stream_size = size;
  return ZX_OK;
}

/* ---- op_range operations */

/* VmObjectPaged::CommitRangeInternal (no pin): the range grows to whole pages, must lie inside
 * the VMO, and an empty one is fine. */
zx_status_t mm_vmo_commit(struct mm_vmo* v, uint64_t off, uint64_t len) {
  uint64_t end, end_page;
  if (__builtin_add_overflow(off, len, &end)) return ZX_ERR_OUT_OF_RANGE;
  if (!round_up_page(end, &end_page)) return ZX_ERR_OUT_OF_RANGE;
  off = round_down_page(off);
  if (end_page > v->size) return ZX_ERR_OUT_OF_RANGE;
  if (end_page == off) return ZX_OK;
  uint64_t stored = store_len(v);
  if (off < stored) {
    zx_status_t s = v->ops->commit(v->fd, off, min_u64(end_page, stored) - off);
    if (s != ZX_OK) return ZX_ERR_NO_MEMORY;
  }
  return end_page > stored ? ZX_ERR_NO_MEMORY : ZX_OK;
}

/* VmObjectPaged::LockRange / TryLockRange / UnlockRange and VmCowPages::IsLockRangeValidLocked:
 * only discardable VMOs, and only the whole VMO. */
static zx_status_t lock_checks(const struct mm_vmo* v, uint64_t off, uint64_t len) {
  if (!(v->flags & MM_VMO_DISCARDABLE)) return ZX_ERR_NOT_SUPPORTED;
  uint64_t end;
  if (__builtin_add_overflow(off, len, &end)) return ZX_ERR_OUT_OF_RANGE;
  if (off != 0 || len != v->size) return ZX_ERR_OUT_OF_RANGE;
  return ZX_OK;
}

zx_status_t mm_vmo_lock(struct mm_vmo* v, uint64_t off, uint64_t len, zx_vmo_lock_state_t* out) {
  zx_status_t s = lock_checks(v, off, len);
  if (s != ZX_OK) return s;
  v->lock_count++;
  /* Never discarded (see mm_vmo_parse_create). */
  out->offset = off;
  out->size = len;
  out->discarded_offset = 0;
  out->discarded_size = 0;
  return ZX_OK;
}

zx_status_t mm_vmo_try_lock(struct mm_vmo* v, uint64_t off, uint64_t len) {
  zx_status_t s = lock_checks(v, off, len);
  if (s != ZX_OK) return s;
  v->lock_count++;
  return ZX_OK;
}

zx_status_t mm_vmo_unlock(struct mm_vmo* v, uint64_t off, uint64_t len) {
  zx_status_t s = lock_checks(v, off, len);
  if (s != ZX_OK) return s;
  if (v->lock_count == 0) return ZX_ERR_BAD_STATE;
  v->lock_count--;
  return ZX_OK;
}

/* VmObjectPaged::CacheOp: a non-empty range inside the VMO. The operation itself has nothing
 * to do: the supervisor's copies and every mapping share one coherent page cache. */
zx_status_t mm_vmo_cache_op(const struct mm_vmo* v, uint64_t off, uint64_t len) {
  if (len == 0) return ZX_ERR_INVALID_ARGS;
  if (!in_range(off, len, v->size)) return ZX_ERR_OUT_OF_RANGE;
  return ZX_OK;
}

/* VmObjectPaged::PrefetchRange: whole pages, overflow-checked. For an anonymous VMO Zircon only
 * decompresses compressed pages, which zum never has; zum also requires the range to lie inside
 * the VMO (as every other range operation does). */
zx_status_t mm_vmo_prefetch(const struct mm_vmo* v, uint64_t off, uint64_t len) {
  uint64_t end, end_page;
  if (__builtin_add_overflow(off, len, &end)) return ZX_ERR_OUT_OF_RANGE;
  if (!round_up_page(end, &end_page)) return ZX_ERR_OUT_OF_RANGE;
  if (end_page > v->size) return ZX_ERR_OUT_OF_RANGE;
  return ZX_OK;
}

/* VmObjectPaged::SetMappingCachePolicy. zum never pins pages and has no references yet. A
 * non-cached policy is recorded and enforced on reads, writes and zeroing (BAD_STATE); Linux
 * mappings of the memfd stay cached, which no user-mode program can tell apart. */
zx_status_t mm_vmo_set_cache_policy(struct mm_vmo* v, uint32_t policy, bool busy) {
  if (policy & ~ZX_CACHE_POLICY_MASK) return ZX_ERR_INVALID_ARGS;
  if (busy) return ZX_ERR_BAD_STATE;
  if (v->flags & MM_VMO_DISCARDABLE)
    return policy == ZX_CACHE_POLICY_CACHED ? ZX_OK : ZX_ERR_BAD_STATE;
  v->cache_policy = policy;
  return ZX_OK;
}

uint64_t mm_vmo_committed(const struct mm_vmo* v) { return v->ops->committed(v->fd); }

uint64_t mm_vmo_committed_range(const struct mm_vmo* v, uint64_t off, uint64_t len) {
  uint64_t stored = store_len(v);
  if (off >= stored) return 0;
  return v->ops->committed_range(v->fd, off, min_u64(len, stored - off));
}
