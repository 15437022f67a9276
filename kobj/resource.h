/* Resource objects (Zircon's ResourceDispatcher) and the checks other calls make with them
 * (Zircon's validate_resource* helpers, object/resource.cc). */
#ifndef ZUM_KOBJ_RESOURCE_H_
#define ZUM_KOBJ_RESOURCE_H_

#include <zircon/syscalls/object.h>
#include <zircon/syscalls/resource.h>

#include "kobj/kcall.h"
#include "kobj/list.h"
#include "kobj/object.h"

struct kresource {
  struct kobj base;
  zx_rsrc_kind_t kind;
  uint32_t flags;
  uint64_t base_addr;
  uint64_t size;
  struct list_node node; /* in the list of live resources of its kind */
};

static inline struct kresource* to_kresource(struct kobj* o) { return (struct kresource*)o; }

/* ResourceDispatcher::Create: a child resource of `kind` over [base, base + size) (checked
 * against zum's address spaces and the live exclusive resources). flags: ZX_RSRC_FLAG_*. */
zx_status_t kresource_create(zx_rsrc_kind_t kind, uint64_t base, uint64_t size, uint32_t flags,
                             const char* name, size_t name_len, struct kresource** out);
/* The resources the kernel makes at boot: the root resource and the ranged root of each kind
 * that has an address space here (Zircon's CreateRangedRoot; NULL for SMC, which x86 lacks). */
struct kresource* kresource_root(void);
struct kresource* kresource_ranged_root(zx_rsrc_kind_t kind);

/* A ranged root: the kernel-made resource of `kind` that stands for all of its space. */
bool kresource_is_ranged_root(const struct kresource* r, zx_rsrc_kind_t kind);
void kresource_info(const struct kresource* r, zx_info_resource_t* info);

/* validate_ranged_resource on an object already looked up. */
zx_status_t kresource_check_range(const struct kresource* r, zx_rsrc_kind_t kind, uint64_t base,
                                  uint64_t size);

/* Zircon's helpers, with their statuses: BAD_HANDLE (no such handle), WRONG_TYPE (not a
 * resource, or not of the kind), ACCESS_DENIED (root over a range Zircon's root resource filter
 * forbids), OUT_OF_RANGE (the range is not within the resource). No right is asked. */
zx_status_t kcall_resource(struct kcall* c, zx_handle_t h, zx_rsrc_kind_t kind);
zx_status_t kcall_resource_kind_base(struct kcall* c, zx_handle_t h, zx_rsrc_kind_t kind,
                                     uint64_t base);
zx_status_t kcall_resource_ranged(struct kcall* c, zx_handle_t h, zx_rsrc_kind_t kind,
                                  uint64_t base, uint64_t size);
/* validate_ranged_resource(h, ZX_RSRC_KIND_SYSTEM, base, 1): the common form. */
static inline zx_status_t kcall_resource_system(struct kcall* c, zx_handle_t h, uint64_t base) {
  return kcall_resource_ranged(c, h, ZX_RSRC_KIND_SYSTEM, base, 1);
}

#endif
