/* VMO objects (dispatcher side). The memory itself is a memfd (DESIGN.md section 5), so every
 * mapping and zx_vmo_read/write see the same bytes. Owned by the VMO work; the VMAR work uses
 * only the functions below. */
#ifndef ZUM_KOBJ_VMO_H_
#define ZUM_KOBJ_VMO_H_

#include <stdbool.h>
#include <stdint.h>

#include "kobj/object.h"

struct kvmo;

extern const struct kobj_ops kvmo_ops;

static inline struct kvmo* to_kvmo(struct kobj* o) { return (struct kvmo*)o; }

/* The host fd of the VMO's memory (a memfd), for mapping it. Owned by the VMO. */
int kvmo_fd(const struct kvmo* v);
/* Current size in bytes (page-rounded). */
uint64_t kvmo_size(const struct kvmo* v);
bool kvmo_resizable(const struct kvmo* v);
/* Mapping bookkeeping for ZX_INFO_VMO num_mappings (and, later, ZX_VMO_ZERO_CHILDREN). */
void kvmo_mapping_added(struct kvmo* v);
void kvmo_mapping_removed(struct kvmo* v);

#endif
