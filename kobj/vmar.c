#include "kobj/vmar.h"

#include <stdlib.h>

static void vmar_destroy(struct kobj* o) { free(o); }

/* VMAR handles lack ZX_RIGHT_WAIT: they cannot be waited on or signalled. */
const struct kobj_ops kvmar_ops = {
    .type = ZX_OBJ_TYPE_VMAR,
    .name = "vmar",
    .default_rights = ZX_DEFAULT_VMAR_RIGHTS,
    .not_waitable = true,
    .destroy = vmar_destroy,
};

struct kvmar* kvmar_create_root(uint64_t addr, uint64_t size) {
  struct kvmar* v = calloc(1, sizeof(*v));
  if (!v) return NULL;
  kobj_init(&v->base, &kvmar_ops, 0);
  kobj_set_name(&v->base, "root", 4);
  v->addr = addr;
  v->size = size;
  return v;
}
