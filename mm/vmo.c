/* VMO memory over a backing store. See mm/vmo.h.
 *
 * Every check below names the Zircon function whose order it follows (current kernel,
 * vm_object_paged.cc / vm_cow_pages.cc / vm_object_dispatcher.cc).
 *
 * Children (zx_vmo_create_child). A slice shares its parent's store at an offset; a snapshot has
 * its own sparse store, and a page missing there reads as the nearest ancestor's (see the
 * "children" section below and DESIGN.md section 5). On snapshots, op_range follows current
 * Zircon: COMMIT takes private copies of the parent's pages, DECOMMIT is NOT_SUPPORTED (after
 * the range checks), ZERO leaves zero pages the child owns (a hole would show the parent's page
 * again), and a shrink of a parent cuts what its children see of it for good. Older texts (the
 * project's seed among them) describe DECOMMIT freeing a clone's private pages and
 * ZX_VMO_OP_LOOKUP on clones; current Zircon refuses the first for every non-slice child and has
 * retired the second (op 5: INVALID_ARGS, kobj/sys_vmo.c). Writes made through host mappings
 * bypass this file: kobj/cow.c keeps them out of snapshots (write protection, or
 * mm_vmo_guard_window), and copies into snapshots go in insert-if-absent (ops->insert), as
 * guests fill the same stores. */
#include "mm/vmo.h"

#include <string.h>

#define PAGE ((uint64_t)MM_PAGE_SIZE)

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
  v->ops = platform->mem;
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
  /* A child leaves its parent's list. */
  if (v->parent) {
    if (v->prev_sibling) v->prev_sibling->next_sibling = v->next_sibling;
    else v->parent->first_child = v->next_sibling;
    if (v->next_sibling) v->next_sibling->prev_sibling = v->prev_sibling;
    v->parent->num_children--;
    v->parent = NULL;
  }
  if (v->fd >= 0 && v->kind != MM_VMO_SLICE) v->ops->close(v->fd); /* a slice's is borrowed */
  v->fd = -1;
}

/* ---- children (copy-on-write snapshots and slices) */

/* The non-slice VMO whose store holds v's bytes; *off is moved there. */
static struct mm_vmo* owner_of(const struct mm_vmo* v, uint64_t* off) {
  while (v->kind == MM_VMO_SLICE) {
    *off += v->parent_off;
    v = v->parent;
  }
  return (struct mm_vmo*)v;
}

/* Whether non-slice o holds the page at `page` in its own store. */
static bool owns_page(const struct mm_vmo* o, uint64_t page) {
  return page < store_len(o) && o->ops->page_has_data(o->fd, page);
}

/* The store that holds the page at `page` of non-slice o as it reads now: o's own, else the
 * nearest ancestor's that has it (a snapshot sees its parent below parent_limit only), else
 * NULL (zeros). */
static const struct mm_vmo* resolve_page(const struct mm_vmo* o, uint64_t* page) {
  for (;;) {
    if (owns_page(o, *page)) return o;
    if (o->kind != MM_VMO_SNAPSHOT || *page >= o->parent_limit) return NULL;
    *page += o->parent_off;
    o = owner_of(o->parent, page);
  }
}

static zx_status_t read_page(const struct mm_vmo* o, uint64_t page, uint8_t* buf) {
  const struct mm_vmo* src = resolve_page(o, &page);
  if (!src) {
    memset(buf, 0, PAGE);
    return ZX_OK;
  }
  return src->ops->read(src->fd, page, buf, PAGE);
}

/* Scratch pages: the supervisor is single-threaded. */
static uint8_t push_buf[MM_PAGE_SIZE];
static uint8_t copy_buf[MM_PAGE_SIZE];

struct push_ctx {
  const struct mm_vmo* owner; /* whose page is about to change */
  uint64_t page;
  bool have; /* push_buf holds its current bytes */
};

/* Before page `page` of v (owner or a slice below it) changes: every snapshot below that still
 * reads the page from above gets its own copy of the current bytes first, so that a write to
 * a parent never shows in a snapshot. SNAPSHOT_AT_LEAST_ON_WRITE children get the same (Zircon
 * may give them snapshot semantics). */
static zx_status_t push_down(const struct mm_vmo* v, uint64_t page, struct push_ctx* ctx) {
  for (struct mm_vmo* c = v->first_child; c; c = c->next_sibling) {
    if (page < c->parent_off) continue;
    uint64_t in = page - c->parent_off;
    zx_status_t s;
    if (c->kind == MM_VMO_SLICE) {
      if (in < c->size && (s = push_down(c, in, ctx)) != ZX_OK) return s;
      continue;
    }
    if (in >= c->parent_limit || in >= store_len(c) || owns_page(c, in)) continue;
    if (!ctx->have) {
      if ((s = read_page(ctx->owner, ctx->page, push_buf)) != ZX_OK) return s;
      ctx->have = true;
    }
    if ((s = c->ops->insert(c->fd, in, push_buf, PAGE)) != ZX_OK) return s;
  }
  return ZX_OK;
}

static bool next_chain_data(const struct mm_vmo* o, uint64_t page, uint64_t end, uint64_t* out);

/* Before [off, off+len) of non-slice o changes: pushes the pages to o's snapshots, and with
 * copy_up, makes a snapshot o own every page the change covers only in part (the first and the
 * last: at most two).
 *
 * A write (copy_up) changes every page it covers, a page that reads as zeros included, so each
 * one goes down: the walk is as long as the bytes the caller already holds. A zeroing or a
 * decommit (!copy_up) changes only the pages that do not read as zeros yet, that is those o or
 * one of its ancestors holds data for; a snapshot that lacks a page reading as zeros all the way
 * up still reads zeros after. The walk seeks from data page to data page (next_chain_data), so
 * its work is bounded by the pages that exist, never by the range a guest names (a hole of 2^51
 * pages costs one seek per level). */
static zx_status_t before_change(struct mm_vmo* o, uint64_t off, uint64_t len, bool copy_up) {
  if (len == 0 || (!o->first_child && o->kind != MM_VMO_SNAPSHOT)) return ZX_OK;
  uint64_t end = off + len; /* callers clip to the store: no overflow */
  uint64_t first = round_down_page(off);
  uint64_t end_page = round_down_page(end - 1) + PAGE;
  for (uint64_t page = first; o->first_child && page < end_page; page += PAGE) {
    if (!copy_up && !next_chain_data(o, page, end_page, &page)) break;
    struct push_ctx ctx = {o, page, false};
    zx_status_t s = push_down(o, page, &ctx);
    if (s != ZX_OK) return s;
  }
  if (!copy_up || o->kind != MM_VMO_SNAPSHOT) return ZX_OK;
  uint64_t partial[2] = {off > first ? first : UINT64_MAX,
                         end < end_page ? end_page - PAGE : UINT64_MAX};
  for (int i = 0; i < 2; i++) {
    uint64_t page = partial[i];
    if (page == UINT64_MAX || (i == 1 && page == partial[0])) continue;
    if (page >= store_len(o) || owns_page(o, page)) continue;
    zx_status_t s = read_page(o, page, copy_buf);
    if (s == ZX_OK) s = o->ops->insert(o->fd, page, copy_buf, PAGE);
    if (s != ZX_OK) return s;
  }
  return ZX_OK;
}

/* VmObjectDispatcher::CreateChildInternal past the handle checks. */
zx_status_t mm_vmo_check_child(const struct mm_vmo* parent, uint32_t options, uint64_t offset,
                               uint64_t size, uint32_t* kind, bool* resizable,
                               uint64_t* child_size) {
  if (parent->flags & MM_VMO_DISCARDABLE) return ZX_ERR_NOT_SUPPORTED;
  *resizable = false;
  if (options & ZX_VMO_CHILD_SLICE) {
    if (options & ~ZX_VMO_CHILD_SLICE) return ZX_ERR_INVALID_ARGS;
    if (offset & (PAGE - 1)) return ZX_ERR_INVALID_ARGS;
    if (size > MM_VMO_MAX_SIZE) return ZX_ERR_OUT_OF_RANGE;
    if (!in_range(offset, size, parent->size)) return ZX_ERR_INVALID_ARGS;
    if (parent->flags & MM_VMO_RESIZABLE) return ZX_ERR_NOT_SUPPORTED;
    if (parent->cache_policy != ZX_CACHE_POLICY_CACHED) return ZX_ERR_BAD_STATE;
    *kind = MM_VMO_SLICE;
    *child_size = size;
    return ZX_OK;
  }
  if (options & ZX_VMO_CHILD_REFERENCE) {
    if (options & ~(ZX_VMO_CHILD_REFERENCE | ZX_VMO_CHILD_RESIZABLE)) return ZX_ERR_INVALID_ARGS;
    if (offset != 0 || size != 0) return ZX_ERR_INVALID_ARGS;
    if (parent->kind == MM_VMO_SLICE) return ZX_ERR_NOT_SUPPORTED;
    if ((options & ZX_VMO_CHILD_RESIZABLE) && !(parent->flags & MM_VMO_RESIZABLE))
      return ZX_ERR_NOT_SUPPORTED;
    if (parent->cache_policy != ZX_CACHE_POLICY_CACHED) return ZX_ERR_BAD_STATE;
    *kind = MM_VMO_REFERENCE;
    *resizable = (options & ZX_VMO_CHILD_RESIZABLE) != 0;
    *child_size = parent->size;
    return ZX_OK;
  }
  /* Exactly one snapshot type, taken in Zircon's priority order; a second one is a leftover. */
  uint32_t type;
  if (options & ZX_VMO_CHILD_SNAPSHOT) type = ZX_VMO_CHILD_SNAPSHOT;
  else if (options & ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE)
    type = ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE;
  else if (options & ZX_VMO_CHILD_SNAPSHOT_MODIFIED) type = ZX_VMO_CHILD_SNAPSHOT_MODIFIED;
  else return ZX_ERR_INVALID_ARGS;
  options &= ~type;
  if (options & ZX_VMO_CHILD_RESIZABLE) {
    *resizable = true;
    options &= ~ZX_VMO_CHILD_RESIZABLE;
  }
  if (options) return ZX_ERR_INVALID_ARGS;
  if (offset & (PAGE - 1)) return ZX_ERR_INVALID_ARGS;
  if (size > MM_VMO_MAX_SIZE) return ZX_ERR_OUT_OF_RANGE;
  uint64_t end;
  if (__builtin_add_overflow(offset, size, &end)) return ZX_ERR_OUT_OF_RANGE;
  if (parent->cache_policy != ZX_CACHE_POLICY_CACHED) return ZX_ERR_BAD_STATE;
  /* SNAPSHOT_MODIFIED of an anonymous VMO is a snapshot. */
  *kind = MM_VMO_SNAPSHOT;
  *child_size = size;
  return ZX_OK;
}

zx_status_t mm_vmo_init_child(struct mm_vmo* child, struct mm_vmo* parent, uint32_t kind,
                              bool resizable, uint64_t offset, uint64_t child_size,
                              uint64_t content_size) {
  if (kind == MM_VMO_SLICE) {
    /* A slice of a slice is a window onto the same store: linked under the nearest non-slice
     * ancestor, so no walk below ever recurses through slices. */
    while (parent->kind == MM_VMO_SLICE) {
      offset += parent->parent_off;
      parent = parent->parent;
    }
    memset(child, 0, sizeof(*child));
    child->ops = parent->ops;
    child->fd = parent->fd;
    child->fd_off = parent->fd_off + offset;
    child->cache_policy = parent->cache_policy;
    child->size = child_size;
    child->stream_size = content_size;
  } else {
    /* A new sparse store: nothing is copied (O(1) in either size). */
    zx_status_t s =
        mm_vmo_init(child, resizable ? MM_VMO_RESIZABLE : 0, child_size, content_size);
    if (s != ZX_OK) return s;
    /* What lies beyond the parent's current size reads as zeros, also if the parent grows. */
    child->parent_limit = offset >= parent->size ? 0 : min_u64(child_size, parent->size - offset);
  }
  child->kind = kind;
  child->parent = parent;
  child->parent_off = offset;
  child->next_sibling = parent->first_child;
  if (parent->first_child) parent->first_child->prev_sibling = child;
  parent->first_child = child;
  parent->num_children++;
  return ZX_OK;
}

/* The first page >= page (below end) of snapshot o that some ancestor may hold data for, found
 * with one seek per ancestor instead of a look at every page: false if there is none. Limits
 * are left to resolve_page (this may only say too much). */
static bool next_ancestor_data(const struct mm_vmo* o, uint64_t page, uint64_t end,
                               uint64_t* out) {
  uint64_t best = end;
  uint64_t x = page; /* page, in a's offsets */
  const struct mm_vmo* a = o;
  while (a->kind == MM_VMO_SNAPSHOT && x < a->parent_limit) {
    x += a->parent_off;
    a = owner_of(a->parent, &x);
    uint64_t found;
    if (x < store_len(a) && a->ops->next_data(a->fd, x, &found) && found >= x &&
        found - x < best - page)
      best = page + (found - x);
  }
  *out = best;
  return best < end;
}

/* The first page >= page (below end) of non-slice o that o itself or an ancestor may hold data
 * for: every page before it reads as zeros in o. One seek per level. */
static bool next_chain_data(const struct mm_vmo* o, uint64_t page, uint64_t end, uint64_t* out) {
  uint64_t best = end, found;
  if (page < store_len(o) && o->ops->next_data(o->fd, page, &found) && found < best)
    best = found < page ? page : found;
  if (o->kind == MM_VMO_SNAPSHOT && best > page && next_ancestor_data(o, page, best, &found))
    best = found;
  *out = best;
  return best < end;
}

zx_status_t mm_vmo_prepare_map(struct mm_vmo* v, uint64_t off, uint64_t len) {
  if (off >= v->size) return ZX_OK;
  len = min_u64(len, v->size - off);
  struct mm_vmo* o = owner_of(v, &off);
  if (o->kind != MM_VMO_SNAPSHOT) return ZX_OK;
  uint64_t end = min_u64(off + len, min_u64(o->parent_limit, store_len(o)));
  for (uint64_t page = round_down_page(off); page < end; page += PAGE) {
    /* Only pages some ancestor has data for can need a copy. */
    uint64_t next;
    if (!next_ancestor_data(o, page, end, &next)) break;
    page = next;
    if (owns_page(o, page)) continue;
    uint64_t at = page;
    const struct mm_vmo* src = resolve_page(o, &at);
    /* A page that reads as zeros all the way up may stay a hole: a write to an ancestor pushes
     * the old (zero) page into it first, like any page the snapshot lacks. */
    if (!src) continue;
    zx_status_t s = src->ops->read(src->fd, at, copy_buf, PAGE);
    if (s == ZX_OK) s = o->ops->insert(o->fd, page, copy_buf, PAGE);
    if (s != ZX_OK) return s;
  }
  return ZX_OK;
}

void mm_vmo_store_mapped(struct mm_vmo* v, int delta) {
  uint64_t off = 0;
  struct mm_vmo* o = owner_of(v, &off);
  if (delta > 0) o->store_mappings++;
  else if (o->store_mappings > 0) o->store_mappings--;
}

bool mm_vmo_store_is_mapped(const struct mm_vmo* v) {
  uint64_t off = 0;
  return owner_of(v, &off)->store_mappings > 0;
}

bool mm_vmo_same_store(const struct mm_vmo* a, const struct mm_vmo* b) {
  uint64_t ao = 0, bo = 0;
  return owner_of(a, &ao) == owner_of(b, &bo);
}

uint64_t mm_vmo_store_offset(const struct mm_vmo* v, uint64_t off) {
  owner_of(v, &off);
  return off;
}

bool mm_vmo_is_cow(const struct mm_vmo* v) {
  uint64_t off = 0;
  return owner_of(v, &off)->kind == MM_VMO_SNAPSHOT;
}

bool mm_vmo_fault_source(struct mm_vmo* v, uint64_t off, uint64_t len, int* src_fd,
                         uint64_t* src_off, uint64_t* src_len) {
  struct mm_vmo* o = owner_of(v, &off);
  if (o->kind != MM_VMO_SNAPSHOT || (o->flags & MM_VMO_RESIZABLE)) return false;
  uint64_t at = o->parent_off;
  const struct mm_vmo* p = owner_of(o->parent, &at);
  /* A snapshot parent's own pages change hands (pushes) and a resizable one's size moves: the
   * guest could not follow either, so those mappings are prepared up front instead. */
  if (p->kind == MM_VMO_SNAPSHOT || (p->flags & MM_VMO_RESIZABLE)) return false;
  if (__builtin_add_overflow(at, off, src_off)) return false;
  *src_fd = p->fd;
  *src_len = off >= o->parent_limit ? 0 : min_u64(len, o->parent_limit - off);
  o->has_fault_sources = true;
  return true;
}

zx_status_t mm_vmo_fill(struct mm_vmo* v, uint64_t off, uint64_t len) {
  if (off >= v->size) return ZX_OK;
  len = min_u64(len, v->size - off);
  struct mm_vmo* o = owner_of(v, &off);
  if (o->kind != MM_VMO_SNAPSHOT) return ZX_OK;
  uint64_t end = min_u64(off + len, store_len(o));
  for (uint64_t page = round_down_page(off); page < end; page += PAGE) {
    if (owns_page(o, page)) continue;
    zx_status_t s = read_page(o, page, copy_buf);
    if (s == ZX_OK) s = o->ops->insert(o->fd, page, copy_buf, PAGE);
    if (s != ZX_OK) return s;
  }
  return ZX_OK;
}

static bool has_snapshots(const struct mm_vmo* o) {
  for (const struct mm_vmo* c = o->first_child; c; c = c->next_sibling)
    if (c->kind == MM_VMO_SNAPSHOT || (c->kind == MM_VMO_SLICE && has_snapshots(c))) return true;
  return false;
}

bool mm_vmo_store_has_snapshots(const struct mm_vmo* v) {
  uint64_t off = 0;
  return has_snapshots(owner_of(v, &off));
}

bool mm_vmo_has_fault_sources(const struct mm_vmo* v) {
  uint64_t off = 0;
  return owner_of(v, &off)->has_fault_sources;
}

zx_status_t mm_vmo_guard_window(struct mm_vmo* v, uint64_t off, uint64_t len) {
  if (off >= v->size) return ZX_OK;
  len = min_u64(len, v->size - off);
  struct mm_vmo* o = owner_of(v, &off);
  if (!o->first_child || len == 0) return ZX_OK;
  uint64_t end = min_u64(off + len, store_len(o));
  for (uint64_t page = round_down_page(off); page < end; page += PAGE) {
    struct push_ctx ctx = {o, page, false};
    zx_status_t s = push_down(o, page, &ctx);
    if (s != ZX_OK) return s;
  }
  return ZX_OK;
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

/* A snapshot reads page by page: each page from its own store or the nearest ancestor's. */
static zx_status_t read_snapshot(const struct mm_vmo* o, uint64_t off, uint8_t* buf, size_t len) {
  while (len > 0) {
    uint64_t page = round_down_page(off);
    size_t in = (size_t)(off - page);
    size_t n = (size_t)min_u64(len, PAGE - in);
    zx_status_t s;
    if (owns_page(o, page)) {
      s = o->ops->read(o->fd, off, buf, n);
    } else {
      s = read_page(o, page, copy_buf);
      if (s == ZX_OK) memcpy(buf, copy_buf + in, n);
    }
    if (s != ZX_OK) return s;
    off += n;
    buf += n;
    len -= n;
  }
  return ZX_OK;
}

zx_status_t mm_vmo_read(const struct mm_vmo* v, uint64_t off, void* buf, size_t len) {
  const struct mm_vmo* o = owner_of(v, &off);
  uint64_t stored = store_len(o);
  size_t n = off >= stored ? 0 : (size_t)min_u64(len, stored - off);
  if (n > 0) {
    zx_status_t s = o->kind == MM_VMO_SNAPSHOT ? read_snapshot(o, off, buf, n)
                                               : o->ops->read(o->fd, off, buf, n);
    if (s != ZX_OK) return s;
  }
  memset((uint8_t*)buf + n, 0, len - n);
  return ZX_OK;
}

zx_status_t mm_vmo_write(struct mm_vmo* v, uint64_t off, const void* buf, size_t len) {
  struct mm_vmo* o = owner_of(v, &off);
  uint64_t stored = store_len(o);
  size_t n = off >= stored ? 0 : (size_t)min_u64(len, stored - off);
  if (n > 0) {
    /* Snapshots below see the old bytes; a snapshot takes its pages before writing them. */
    zx_status_t s = before_change(o, off, n, true);
    if (s == ZX_OK) s = o->ops->write(o->fd, off, buf, n);
    if (s != ZX_OK) return s;
  }
  return n == len ? ZX_OK : ZX_ERR_NO_MEMORY; /* beyond what Linux can store */
}

/* ---- decommit and zero */

/* VmObjectPaged::DecommitRange for an anonymous VMO: range first, then emptiness, then (a
 * snapshot child refuses: its pages would show the parent's again) alignment. A slice decommits
 * its parent's pages. Snapshots below get the pages first. */
zx_status_t mm_vmo_decommit(struct mm_vmo* v, uint64_t off, uint64_t len) {
  if (!in_range(off, len, v->size)) return ZX_ERR_OUT_OF_RANGE;
  if (len == 0) return ZX_OK;
  struct mm_vmo* o = owner_of(v, &off);
  if (o->kind == MM_VMO_SNAPSHOT) return ZX_ERR_NOT_SUPPORTED;
  if ((off | len) & (PAGE - 1)) return ZX_ERR_INVALID_ARGS;
  uint64_t stored = store_len(o);
  if (off >= stored) return ZX_OK; /* nothing stored there: already zero */
  uint64_t n = min_u64(off + len, stored) - off;
  zx_status_t s = before_change(o, off, n, false);
  if (s != ZX_OK) return s;
  return o->ops->decommit(o->fd, off, n);
}

/* Zeroing [off, off+len) (inside v) of a VMO whose store is a snapshot's: pages the snapshot
 * sees from its parent are written with zeros (a hole would show the parent's again), pages
 * beyond parent_limit are freed. A range that runs to the end of the snapshot itself instead
 * lowers parent_limit, so a tail is zeroed without writing it. The whole pages are found by
 * seeking from data page to data page (a page that reads as zeros all the way up stays a hole:
 * a later change above pushes the old zeros into it first), so the work is bounded by the pages
 * that exist, not by len. */
static zx_status_t zero_snapshot(struct mm_vmo* v, uint64_t off, uint64_t len) {
  if (!in_range(off, len, v->size)) return ZX_ERR_OUT_OF_RANGE;
  if (v->cache_policy != ZX_CACHE_POLICY_CACHED) return ZX_ERR_BAD_STATE;
  if (len == 0) return ZX_OK;
  uint64_t voff = off;
  struct mm_vmo* o = owner_of(v, &off);
  /* Not once a guest fills pages from the parent by itself: it would not see the new limit. */
  if (v == o && off + len == v->size && !o->has_fault_sources) {
    uint64_t first = round_down_page(off + PAGE - 1);
    if (first < o->parent_limit) {
      zx_status_t s = before_change(o, first, o->parent_limit - first, false);
      if (s != ZX_OK) return s;
      o->parent_limit = first;
    }
  }
  uint64_t stored = store_len(o); /* beyond it everything reads as zeros already */
  uint64_t end = off + len;
  uint64_t head_end = round_down_page(off + PAGE - 1); /* first whole page */
  uint64_t tail = round_down_page(end);                /* end of the whole pages */
  if (head_end > tail) head_end = tail = end;          /* inside one page */
  /* The parts of the first and the last page: written with zeros. */
  if (off < head_end && off < stored) {
    zx_status_t s = mm_vmo_write(v, voff, zero_page, (size_t)(head_end - off));
    if (s != ZX_OK) return s;
  }
  if (tail < end && tail < stored && tail >= head_end) {
    zx_status_t s = mm_vmo_write(v, voff + (tail - off), zero_page, (size_t)(end - tail));
    if (s != ZX_OK) return s;
  }
  uint64_t whole_end = min_u64(tail, stored);
  if (head_end >= whole_end) return ZX_OK;
  /* The snapshots below keep what they see now. */
  zx_status_t s = before_change(o, head_end, whole_end - head_end, false);
  if (s != ZX_OK) return s;
  /* Beyond parent_limit a hole reads as zeros: free. */
  uint64_t limit = o->parent_limit < head_end ? head_end : min_u64(o->parent_limit, whole_end);
  if (limit < whole_end && (s = o->ops->decommit(o->fd, limit, whole_end - limit)) != ZX_OK)
    return s;
  /* Below it, a zero page of its own where the snapshot or an ancestor has data. */
  for (uint64_t page = head_end; page < limit; page += PAGE) {
    if (!next_chain_data(o, page, limit, &page)) break;
    uint64_t at = page;
    if (!resolve_page(o, &at)) continue; /* zeros all the way up */
    if ((s = o->ops->write(o->fd, page, zero_page, PAGE)) != ZX_OK) return s;
  }
  return ZX_OK;
}

/* VmObjectPaged::ZeroPartialPage: zeroes [start, end) of the page at page_base, leaving a page
 * that already reads as zeros alone (it stays uncommitted). */
static zx_status_t zero_partial(struct mm_vmo* v, uint64_t page_base, uint64_t start,
                                uint64_t end) {
  if (page_base >= v->size) return ZX_ERR_OUT_OF_RANGE;
  if (page_base >= store_len(v) || !v->ops->page_has_data(v->fd, v->fd_off + page_base))
    return ZX_OK;
  zx_status_t s = mm_vmo_check_rw(v, page_base + start, end - start);
  if (s != ZX_OK) return s;
  return mm_vmo_write(v, page_base + start, zero_page, end - start);
}

/* VmObjectPaged::ZeroRangeInternal: an unaligned head and tail are written with zeros, whole
 * pages in between are decommitted. A failure stops the walk with what was zeroed so far kept. */
zx_status_t mm_vmo_zero(struct mm_vmo* v, uint64_t off, uint64_t len) {
  uint64_t at = off;
  if (owner_of(v, &at)->kind == MM_VMO_SNAPSHOT) return zero_snapshot(v, off, len);
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

/* VmObjectPaged::Resize to a page-aligned size: the content size is not its business. */
static zx_status_t resize(struct mm_vmo* v, uint64_t aligned) {
  if (!(v->flags & MM_VMO_RESIZABLE)) return ZX_ERR_UNAVAILABLE;
  if (aligned > MM_VMO_MAX_SIZE) return ZX_ERR_OUT_OF_RANGE;
  /* Shrinking frees what lies beyond (mappings of it then fault, as after Zircon unmaps it);
   * growing exposes zeros. */
  zx_status_t s = v->ops->resize(v->fd, min_u64(aligned, v->ops->max_size));
  if (s != ZX_OK) return ZX_ERR_NO_MEMORY;
  if (aligned < v->size) {
    /* What a shrink cuts off reads as zeros in the children too, also after a regrowth, and a
     * snapshot that shrinks no longer sees its parent there. */
    for (struct mm_vmo* c = v->first_child; c; c = c->next_sibling) {
      if (c->kind != MM_VMO_SNAPSHOT) continue;
      c->parent_limit =
          c->parent_off >= aligned ? 0 : min_u64(c->parent_limit, aligned - c->parent_off);
    }
    if (v->kind == MM_VMO_SNAPSHOT) v->parent_limit = min_u64(v->parent_limit, aligned);
  }
  v->size = aligned;
  return ZX_OK;
}

/* VmObjectDispatcher::SetSize then VmObjectPaged::Resize. */
zx_status_t mm_vmo_set_size(struct mm_vmo* v, uint64_t size) {
  uint64_t aligned;
  if (!round_up_page(size, &aligned)) return ZX_ERR_OUT_OF_RANGE;
  zx_status_t s = resize(v, aligned);
  if (s != ZX_OK) return s;
  /* The tail of the last page reads as zeros; Zircon ignores a failure here too. */
  if (aligned > size) (void)mm_vmo_zero(v, size, aligned - size);
  v->stream_size = size;
  return ZX_OK;
}

/* VmObjectDispatcher::ExpandIfNecessary: the VMO grows to hold `requested` bytes when it must
 * and may; its content size stays as it is (the stream that asked sets it). */
zx_status_t mm_vmo_expand(struct mm_vmo* v, uint64_t requested, bool can_resize,
                          uint64_t* out_size) {
  *out_size = v->size;
  uint64_t required;
  if (!round_up_page(requested, &required)) return ZX_ERR_OUT_OF_RANGE;
  if (required <= v->size) return ZX_OK;
  if (!can_resize) return ZX_ERR_NOT_SUPPORTED;
  zx_status_t s = resize(v, required);
  if (s != ZX_OK) return s; /* what the VMO holds already can still be used */
  *out_size = required;
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
  if (s == ZX_OK) s = mm_vmo_zero(v, aligned, v->size - aligned); /* whole pages: decommit */
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
  uint64_t at = off;
  struct mm_vmo* o = owner_of(v, &at);
  if (o->kind == MM_VMO_SNAPSHOT && off < stored) {
    /* A snapshot commits by taking its own copy of each page it lacks. */
    for (uint64_t page = at; page < at + (min_u64(end_page, stored) - off); page += PAGE) {
      if (page >= store_len(o) || owns_page(o, page)) continue;
      zx_status_t s = read_page(o, page, copy_buf);
      if (s == ZX_OK) s = o->ops->insert(o->fd, page, copy_buf, PAGE);
      if (s != ZX_OK) return ZX_ERR_NO_MEMORY;
    }
  } else if (off < stored) {
    zx_status_t s = v->ops->commit(v->fd, v->fd_off + off, min_u64(end_page, stored) - off);
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
  /* Committed pages may leave the cached policy but never go back to it (VmObjectPaged: there is
   * no story for speculative loads made through the cached physmap meanwhile). */
  if (v->cache_policy != ZX_CACHE_POLICY_CACHED && mm_vmo_committed(v) != 0)
    return ZX_ERR_BAD_STATE;
  if (v->flags & MM_VMO_DISCARDABLE)
    return policy == ZX_CACHE_POLICY_CACHED ? ZX_OK : ZX_ERR_BAD_STATE;
  v->cache_policy = policy;
  return ZX_OK;
}

uint64_t mm_vmo_committed(const struct mm_vmo* v) {
  /* A slice's are its window's pages of its parent's store. */
  if (v->kind == MM_VMO_SLICE) return mm_vmo_committed_range(v, 0, v->size);
  return v->ops->committed(v->fd);
}

uint64_t mm_vmo_committed_range(const struct mm_vmo* v, uint64_t off, uint64_t len) {
  uint64_t stored = store_len(v);
  if (off >= stored) return 0;
  return v->ops->committed_range(v->fd, v->fd_off + off, min_u64(len, stored - off));
}
