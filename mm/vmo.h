/* VMO memory: sizes, content (stream) size, ranges and their operations, with the checks and
 * statuses of Zircon's VM layer (vm_object_paged.cc, vm_cow_pages.cc, and the size parts of
 * vm_object_dispatcher.cc). Pure logic: the bytes live in a backing store reached only through
 * mm_backing (a memfd per VMO in the real system, host/memfd.h). No handles, rights or
 * signals here: that is kobj/vmo.c.
 *
 * Sizes. A VMO's size is a multiple of the page size, at most MM_VMO_MAX_SIZE (Zircon's
 * VmPageList::MAX_SIZE). Linux caps a memfd at HOST_MEMFD_MAX_SIZE (2^63 - 4096), so the backing
 * store covers min(size, max_size) bytes: the rest (only reachable with ZX_VMO_UNBOUNDED or a
 * resize beyond 2^63) reads as zeros and cannot be written or committed (NO_MEMORY, as if the
 * memory ran out there). This is a deliberate gap. */
#ifndef ZUM_MM_VMO_H_
#define ZUM_MM_VMO_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zircon/types.h>

#define MM_PAGE_SIZE 4096u
#define MM_VMO_MAX_SIZE 0xFFFFFFFFFFFE0000ull

/* Where VMO bytes live. Every call takes the store's descriptor; statuses are Zircon's. */
struct mm_backing_ops {
  zx_status_t (*create)(uint64_t size, int* out_fd);
  void (*close)(int fd);
  zx_status_t (*resize)(int fd, uint64_t size);
  /* Exactly len bytes; holes read as zeros. */
  zx_status_t (*read)(int fd, uint64_t off, void* buf, size_t len);
  zx_status_t (*write)(int fd, uint64_t off, const void* buf, size_t len);
  /* Page aligned ranges: allocate without changing contents / free (reads zeros again). */
  zx_status_t (*commit)(int fd, uint64_t off, uint64_t len);
  zx_status_t (*decommit)(int fd, uint64_t off, uint64_t len);
  /* False only when the page certainly reads as zeros. */
  bool (*page_has_data)(int fd, uint64_t off);
  uint64_t (*committed)(int fd);
  uint64_t (*committed_range)(int fd, uint64_t off, uint64_t len);
  /* The longest store create/resize accept (page aligned). */
  uint64_t max_size;
};

/* The backing store new VMOs use; the memfd implementation unless a test replaces it. */
extern const struct mm_backing_ops* mm_backing;

/* mm_vmo.flags */
#define MM_VMO_RESIZABLE 0x1u
#define MM_VMO_DISCARDABLE 0x2u

struct mm_vmo {
  const struct mm_backing_ops* ops;
  int fd;
  uint32_t flags;
  uint32_t cache_policy; /* ZX_CACHE_POLICY_* */
  uint64_t size;         /* page aligned */
  /* The content size (ZX_PROP_VMO_CONTENT_SIZE, zx_vmo_get_stream_size). */
  uint64_t stream_size;
  /* Discardable VMOs: outstanding ZX_VMO_OP_LOCKs. */
  uint32_t lock_count;
};

/* zx_vmo_create's option parsing and size limits: on success *flags (MM_VMO_*) and *vmo_size
 * (the page-rounded size, or MM_VMO_MAX_SIZE for ZX_VMO_UNBOUNDED). */
zx_status_t mm_vmo_parse_create(uint32_t options, uint64_t size, uint32_t* flags,
                                uint64_t* vmo_size);
/* A VMO of vmo_size bytes, all zeros, with the given content size (<= vmo_size). */
zx_status_t mm_vmo_init(struct mm_vmo* v, uint32_t flags, uint64_t vmo_size,
                        uint64_t stream_size);
void mm_vmo_fini(struct mm_vmo* v);

/* The checks of a read or write of [off, off+len), in Zircon's order. */
zx_status_t mm_vmo_check_rw(const struct mm_vmo* v, uint64_t off, uint64_t len);
/* Transfers of a range that passed mm_vmo_check_rw. */
zx_status_t mm_vmo_read(const struct mm_vmo* v, uint64_t off, void* buf, size_t len);
zx_status_t mm_vmo_write(struct mm_vmo* v, uint64_t off, const void* buf, size_t len);

/* zx_vmo_set_size past the rights checks. */
zx_status_t mm_vmo_set_size(struct mm_vmo* v, uint64_t size);
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
