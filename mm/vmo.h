/* VMO memory: sizes, content (stream) size, ranges and their operations, with the checks and
 * statuses of Zircon's VM layer (vm_object_paged.cc, vm_cow_pages.cc, and the size parts of
 * vm_object_dispatcher.cc). Pure logic: the bytes live in a backing store reached only through
 * the platform (platform_ops.mem, host/platform.h: a memfd per VMO in the real system). No
 * handles, rights or signals here: that is kobj/vmo.c.
 *
 * Sizes. A VMO's size is a multiple of the page size, at most MM_VMO_MAX_SIZE (Zircon's
 * VmPageList::MAX_SIZE). Linux caps a memfd at 2^63 - 4096 (platform_mem_ops.max_size), so the
 * backing store covers min(size, max_size) bytes: the rest (only reachable with ZX_VMO_UNBOUNDED
 * or a resize beyond 2^63) reads as zeros and cannot be written or committed (NO_MEMORY, as if the
 * memory ran out there). This is a deliberate gap. */
#ifndef ZUM_MM_VMO_H_
#define ZUM_MM_VMO_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zircon/types.h>

#include "host/platform.h"

#define MM_PAGE_SIZE 4096u
#define MM_VMO_MAX_SIZE 0xFFFFFFFFFFFE0000ull

/* mm_vmo.flags */
#define MM_VMO_RESIZABLE 0x1u
#define MM_VMO_DISCARDABLE 0x2u

/* mm_vmo.kind: what a VMO is to its parent (zx_vmo_create_child). */
#define MM_VMO_PLAIN 0u    /* no parent */
#define MM_VMO_SLICE 1u    /* a window onto the parent: the same store at an offset */
#define MM_VMO_SNAPSHOT 2u /* copy-on-write: its own sparse store over the parent's pages */
#define MM_VMO_REFERENCE 3u /* the parent's very memory (kobj/vmo.c; never an mm_vmo's kind) */

struct mm_vmo {
  const struct platform_mem_ops* ops;
  int fd;
  uint32_t flags;
  uint32_t cache_policy; /* ZX_CACHE_POLICY_* */
  uint64_t size;         /* page aligned */
  /* The content size (ZX_PROP_VMO_CONTENT_SIZE, zx_vmo_get_stream_size). */
  uint64_t stream_size;
  /* Discardable VMOs: outstanding ZX_VMO_OP_LOCKs. */
  uint32_t lock_count;
  /* Children (zx_vmo_create_child). A slice's fd is its nearest non-slice ancestor's (not
   * owned), fd_off where the window starts there. A snapshot owns its fd: a page present in it
   * (SEEK_DATA) is the child's; a missing one reads as the parent's page at parent_off + offset
   * while offset < parent_limit, else as zeros. The caller keeps the parent alive while children
   * exist (kobj/vmo.c holds a reference). */
  uint32_t kind;
  uint32_t num_children;
  uint64_t fd_off;
  uint64_t parent_off;
  uint64_t parent_limit;
  struct mm_vmo* parent;
  struct mm_vmo* first_child;
  struct mm_vmo* next_sibling;
  struct mm_vmo* prev_sibling;
  /* A guest fills this snapshot's missing pages itself from a fault source (see
   * mm_vmo_fault_source): parent_limit must never change any more. */
  bool has_fault_sources;
  /* Mappings of this store (of the VMO, its slices and references): kept by the caller with
   * mm_vmo_store_mapped, so that a new snapshot knows whether writable mappings may exist. */
  uint32_t store_mappings;
};

/* zx_vmo_create's option parsing and size limits: on success *flags (MM_VMO_*) and *vmo_size
 * (the page-rounded size, or MM_VMO_MAX_SIZE for ZX_VMO_UNBOUNDED). */
zx_status_t mm_vmo_parse_create(uint32_t options, uint64_t size, uint32_t* flags,
                                uint64_t* vmo_size);
/* A VMO of vmo_size bytes, all zeros, with the given content size (<= vmo_size). */
zx_status_t mm_vmo_init(struct mm_vmo* v, uint32_t flags, uint64_t vmo_size,
                        uint64_t stream_size);
/* Unlinks a child from its parent and frees the VMO's store (unless it is a slice's). */
void mm_vmo_fini(struct mm_vmo* v);

/* zx_vmo_create_child's option parsing and checks past the handle checks (NO_WRITE already
 * taken out), in Zircon's order (VmObjectDispatcher::CreateChildInternal). On success *kind
 * (MM_VMO_SLICE / MM_VMO_SNAPSHOT / MM_VMO_REFERENCE), *resizable (for a reference: whether
 * RESIZABLE was asked for), and the page-rounded *child_size. */
zx_status_t mm_vmo_check_child(const struct mm_vmo* parent, uint32_t options, uint64_t offset,
                               uint64_t size, uint32_t* kind, bool* resizable,
                               uint64_t* child_size);
/* Makes `child` (uninitialised) a child of `parent` of the given kind; O(1) in the sizes: a
 * snapshot gets a new empty sparse store, a slice none. content_size is the unrounded size. */
zx_status_t mm_vmo_init_child(struct mm_vmo* child, struct mm_vmo* parent, uint32_t kind,
                              bool resizable, uint64_t offset, uint64_t child_size,
                              uint64_t content_size);
/* Where a mapping of [off, ...) of the VMO goes in the host: the fd (v->fd) at off + this. */
static inline uint64_t mm_vmo_fd_offset(const struct mm_vmo* v) { return v->fd_off; }
/* Before mapping [off, off+len) of v: a snapshot (or a slice of one) copies into its own store
 * every page of the range it lacks, so that the host mapping of its fd shows the right bytes.
 * O(len): the eager path, for mappings whose pages cannot be filled on demand (no fault source,
 * see mm_vmo_fault_source below, or ZUM_NO_UFFD=1). */
zx_status_t mm_vmo_prepare_map(struct mm_vmo* v, uint64_t off, uint64_t len);

/* Where a guest mapping of [off, off+len) of v can fill a missing page by itself (the
 * userfaultfd path, DESIGN.md section 5): true when v's store is a snapshot's whose pages it
 * lacks come straight from one store that never changes size or shape (the nearest non-slice
 * ancestor is a plain, non-resizable VMO, and the snapshot itself is not resizable). Then the
 * page at off + x reads as *src_fd at *src_off + x while x < *src_len, and as zeros after.
 * Marks the snapshot (has_fault_sources). False: the mapping must be prepared (prepare_map). */
bool mm_vmo_fault_source(struct mm_vmo* v, uint64_t off, uint64_t len, int* src_fd,
                         uint64_t* src_off, uint64_t* src_len);
/* Gives v's snapshot store its own copy of every page of [off, off+len) it lacks, zero pages
 * included (a mapped page the guest could not fill itself: zum_vm_fault). Nothing for other
 * VMOs. */
zx_status_t mm_vmo_fill(struct mm_vmo* v, uint64_t off, uint64_t len);
/* Whether v's store has ever handed out a fault source (mm_vmo_fault_source). */
bool mm_vmo_has_fault_sources(const struct mm_vmo* v);
/* Whether v's store has snapshot children (directly or under its slices). */
bool mm_vmo_store_has_snapshots(const struct mm_vmo* v);
/* Whether mapping v needs anything of the above (its store is a snapshot's). */
bool mm_vmo_is_cow(const struct mm_vmo* v);

/* A store whose pages may be written through a Linux mapping of [off, off+len) (zum cannot see
 * those writes): every snapshot below that still reads a page of the range from it takes its own
 * copy first, zero pages included, so that the writes never show there (Zircon's snapshot
 * semantics). Called when such a mapping is made and when a snapshot of a store mapped so is
 * created. O(len) in pages. */
zx_status_t mm_vmo_guard_window(struct mm_vmo* v, uint64_t off, uint64_t len);

/* A mapping of v (delta +1) or its end (-1), counted on the store that holds v's bytes. */
void mm_vmo_store_mapped(struct mm_vmo* v, int delta);
/* Whether anything maps the store that holds v's bytes. */
bool mm_vmo_store_is_mapped(const struct mm_vmo* v);
/* Whether a and b keep their bytes in the same store. */
bool mm_vmo_same_store(const struct mm_vmo* a, const struct mm_vmo* b);
/* The offset in v's store of v's offset off. */
uint64_t mm_vmo_store_offset(const struct mm_vmo* v, uint64_t off);

/* The checks of a read or write of [off, off+len), in Zircon's order. */
zx_status_t mm_vmo_check_rw(const struct mm_vmo* v, uint64_t off, uint64_t len);
/* Transfers of a range that passed mm_vmo_check_rw. */
zx_status_t mm_vmo_read(const struct mm_vmo* v, uint64_t off, void* buf, size_t len);
zx_status_t mm_vmo_write(struct mm_vmo* v, uint64_t off, const void* buf, size_t len);

/* zx_vmo_set_size past the rights checks. */
zx_status_t mm_vmo_set_size(struct mm_vmo* v, uint64_t size);
/* A stream's write needs `requested` bytes (VmObjectDispatcher::ExpandIfNecessary): a VMO
 * smaller than that rounded to pages grows to it when can_resize (the stream's VMO handle had
 * ZX_RIGHT_RESIZE), else NOT_SUPPORTED; OUT_OF_RANGE when the rounding overflows; a failed resize
 * gives its status. *out_size is the VMO's size afterwards in every case. The content size is
 * left alone. */
zx_status_t mm_vmo_expand(struct mm_vmo* v, uint64_t requested, bool can_resize,
                          uint64_t* out_size);
/* zx_vmo_set_stream_size past the rights check. */
zx_status_t mm_vmo_set_stream_size(struct mm_vmo* v, uint64_t size);
/* Setting ZX_PROP_VMO_CONTENT_SIZE: the legacy setter, see mm/vmo.c. */
zx_status_t mm_vmo_set_content_size(struct mm_vmo* v, uint64_t size);

/* zx_vmo_op_range operations past their rights checks. */
zx_status_t mm_vmo_commit(struct mm_vmo* v, uint64_t off, uint64_t len);
zx_status_t mm_vmo_decommit(struct mm_vmo* v, uint64_t off, uint64_t len);
zx_status_t mm_vmo_zero(struct mm_vmo* v, uint64_t off, uint64_t len);
zx_status_t mm_vmo_lock(struct mm_vmo* v, uint64_t off, uint64_t len, zx_vmo_lock_state_t* out);
zx_status_t mm_vmo_try_lock(struct mm_vmo* v, uint64_t off, uint64_t len);
zx_status_t mm_vmo_unlock(struct mm_vmo* v, uint64_t off, uint64_t len);
zx_status_t mm_vmo_cache_op(const struct mm_vmo* v, uint64_t off, uint64_t len);
zx_status_t mm_vmo_prefetch(const struct mm_vmo* v, uint64_t off, uint64_t len);

/* zx_vmo_set_cache_policy past the rights check; `busy`: the VMO has mappings or children. */
zx_status_t mm_vmo_set_cache_policy(struct mm_vmo* v, uint32_t policy, bool busy);

/* Bytes of memory the VMO holds, in all and in [off, off+len). */
uint64_t mm_vmo_committed(const struct mm_vmo* v);
uint64_t mm_vmo_committed_range(const struct mm_vmo* v, uint64_t off, uint64_t len);

#endif
