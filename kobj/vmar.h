/* VMAR objects (the dispatcher side; the address-space logic belongs in mm/). For now only a process's root VMAR exists, as a region with bounds
 * (ZX_INFO_VMAR); mapping arrives with the VMO/VMAR work. */
#ifndef ZUM_KOBJ_VMAR_H_
#define ZUM_KOBJ_VMAR_H_

#include <stdint.h>

#include "kobj/object.h"

struct kvmar {
  struct kobj base;
  uint64_t addr;
  uint64_t size;
};

extern const struct kobj_ops kvmar_ops;

struct kvmar* kvmar_create_root(uint64_t addr, uint64_t size);

#endif
