/* VMAR objects (the dispatcher side). The address-space tree itself, placement and splits are
 * mm/vmar.h; a VMAR object is a handle-able view of one region of it. Mappings hold a reference
 * on their VMO.
 *
 * Lifetime: a process holds its root VMAR; the address space (mm_aspace) knows its process only
 * by a plain pointer, cleared when the process dies (kvmar_process_exit destroys the whole tree
 * then), so there is no reference cycle. VMAR objects of a dead address space stay valid, dead:
 * every operation on them is BAD_STATE, ZX_INFO_VMAR still answers. */
#ifndef ZUM_KOBJ_VMAR_H_
#define ZUM_KOBJ_VMAR_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kobj/kcall.h"
#include "kobj/object.h"

struct mm_region;
struct kproc;

struct kvmar {
  struct kobj base;
  uint64_t addr; /* the region's bounds, which never change */
  uint64_t size;
  struct mm_region* region;
};

extern const struct kobj_ops kvmar_ops;

static inline struct kvmar* to_kvmar(struct kobj* o) { return (struct kvmar*)o; }

/* A new address space covering [addr, addr + size) and its root VMAR ("root", CAN_MAP_SPECIFIC
 * and CAN_MAP_READ/WRITE/EXECUTE). NULL if out of memory or the range is not page aligned. */
struct kvmar* kvmar_create_root(uint64_t addr, uint64_t size);
/* The process whose address space `root` is: mapping changes are applied to it. */
void kvmar_bind_process(struct kvmar* root, struct kproc* p);
/* The process p is dead: its whole address space goes (mappings dropped without touching Linux,
 * the process is gone). */
void kvmar_process_exit(struct kproc* p);

/* The rights of a new handle to a VMAR with region flags `flags`: default VMAR rights plus
 * READ/WRITE/EXECUTE for each CAN_MAP flag. */
zx_rights_t kvmar_rights(uint32_t flags);

/* A VMAR object for region r (which it references). NULL if out of memory. */
struct kvmar* kvmar_wrap(struct mm_region* r);

/* zx_object_get_info for ZX_INFO_VMAR_MAPS, ZX_INFO_PROCESS_MAPS (and _V1, _V2) and
 * ZX_INFO_PROCESS_VMOS (and _V1.._V3), from the handle lookup on. */
int64_t kvmar_get_info(struct kcall* c, zx_handle_t handle, uint32_t topic, zum_uaddr_t buffer,
                       size_t buffer_size, zum_uaddr_t actual, zum_uaddr_t avail);

#endif
