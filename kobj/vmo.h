/* VMO objects (dispatcher side). The memory itself is a memfd (DESIGN.md section 5), so every
 * mapping and zx_vmo_read/write see the same bytes; sizes and range operations are mm/vmo.h.
 * The VMAR syscalls (kobj/sys_vmar.c) map VMOs through the functions below; what copy-on-write
 * settings need of mappings is decided in kobj/cow.c. */
#ifndef ZUM_KOBJ_VMO_H_
#define ZUM_KOBJ_VMO_H_

#include <stdbool.h>
#include <stdint.h>
#include <zircon/syscalls/object.h>

#include "kobj/object.h"

struct kvmo;
struct mm_vmo;

extern const struct kobj_ops kvmo_ops;

static inline struct kvmo* to_kvmo(struct kobj* o) { return (struct kvmo*)o; }

struct kjob;
/* A new VMO (one reference, no handle, ZX_VMO_ZERO_CHILDREN asserted): flags MM_VMO_*, a
 * page-aligned size and the initial content size, its store charged to job (NULL: the
 * supervisor's own; kobj/quota.h). NO_MEMORY when the host has no room, NO_RESOURCES when the
 * job may hold no more. */
zx_status_t kvmo_create(struct kjob* job, uint32_t flags, uint64_t size, uint64_t content_size,
                        struct kvmo** out);
/* A child of `parent` (zx_vmo_create_child past its checks; kind MM_VMO_SLICE or
 * MM_VMO_SNAPSHOT): one reference, no handle, holding its parent; clears the parent's
 * ZX_VMO_ZERO_CHILDREN, which comes back when the parent's last child is destroyed. A snapshot
 * guards the store's writable mappings first (kcow_snapshot_guard, *wait). */
struct kguard_wait;
zx_status_t kvmo_create_child(struct kjob* job, struct kvmo* parent, uint32_t kind,
                              bool resizable, uint64_t offset, uint64_t size,
                              uint64_t content_size, struct kvmo** out,
                              struct kguard_wait** wait);
struct kvmo* kvmo_parent(const struct kvmo* v);
/* Marks the VMO ZX_INFO_VMO_IMMUTABLE. */
void kvmo_set_immutable(struct kvmo* v);
/* A mapping of VMO offset off maps kvmo_fd() at off + kvmo_fd_offset() (a slice's window). */
uint64_t kvmo_fd_offset(const struct kvmo* v);
/* The VMO's memory (sizes, ranges). */
struct mm_vmo* kvmo_mm(struct kvmo* v);

/* The host fd of the VMO's memory (a memfd), for mapping it. Owned by the VMO. */
int kvmo_fd(const struct kvmo* v);
/* Current size in bytes (page-rounded). */
uint64_t kvmo_size(const struct kvmo* v);
bool kvmo_resizable(const struct kvmo* v);
bool kvmo_discardable(const struct kvmo* v);
uint32_t kvmo_cache_policy(const struct kvmo* v);
/* The content size (zx_vmo_get_stream_size, ZX_PROP_VMO_CONTENT_SIZE). */
uint64_t kvmo_stream_size(const struct kvmo* v);
/* Bytes of memory held by [off, off+len) of the VMO (ZX_INFO_*MAPS). */
uint64_t kvmo_committed_range(const struct kvmo* v, uint64_t off, uint64_t len);

/* Mapping bookkeeping for ZX_INFO_VMO num_mappings and share_count, and the BAD_STATE of
 * zx_vmo_set_cache_policy. The _in variants name the address space the mapping lives in (any
 * stable pointer, e.g. the process or its root VMAR): share_count counts distinct ones. The
 * plain variants are the _in variants with NULL (one anonymous address space). */
void kvmo_mapping_added(struct kvmo* v);
void kvmo_mapping_removed(struct kvmo* v);
void kvmo_mapping_added_in(struct kvmo* v, const void* aspace);
void kvmo_mapping_removed_in(struct kvmo* v, const void* aspace);
uint32_t kvmo_num_mappings(const struct kvmo* v);

/* The ZX_INFO_VMO record of the VMO as seen through a handle with `rights` (flags get
 * ZX_INFO_VMO_VIA_HANDLE), or, with via = ZX_INFO_VMO_VIA_MAPPING, through a mapping (rights
 * 0), for ZX_INFO_PROCESS_VMOS. */
void kvmo_get_info(struct kvmo* v, uint32_t via, zx_rights_t rights, zx_info_vmo_t* out);

/* zx_vmo_set_cache_policy past the handle checks. */
zx_status_t kvmo_set_cache_policy(struct kvmo* v, uint32_t policy);
/* Setting ZX_PROP_VMO_CONTENT_SIZE past the handle and size checks. */
zx_status_t kvmo_set_content_size(struct kvmo* v, uint64_t size);

#endif
