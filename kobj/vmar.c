#include "kobj/vmar.h"

#include <stdlib.h>

#include "host/platform.h"
#include "kobj/task.h"
#include "kobj/vmo.h"
#include "mm/vmar.h"

/* Mappings hold their VMO: a reference, and its mapping count (num_mappings, share_count, which
 * counts distinct address spaces). */
static void mapping_added(void* obj, const struct mm_aspace* as) {
  struct kobj* o = obj;
  kobj_ref(o);
  kvmo_mapping_added_in(to_kvmo(o), as);
}

static void mapping_removed(void* obj, const struct mm_aspace* as) {
  struct kobj* o = obj;
  kvmo_mapping_removed_in(to_kvmo(o), as);
  kobj_unref(o);
}

/* A MAP op maps the VMO's memfd (a slice: its parent's, at the slice's offset). */
static int mapping_backing(void* obj, uint64_t* fd_offset) {
  const struct kvmo* v = to_kvmo(obj);
  *fd_offset = kvmo_fd_offset(v);
  return kvmo_fd(v);
}

static const struct mm_hooks kvmar_hooks = {mapping_added, mapping_removed, mapping_backing};

static void vmar_destroy(struct kobj* o) {
  struct kvmar* v = to_kvmar(o);
  /* The last reference to a root VMAR whose process never died (a test's, or the supervisor
   * going down): its address space goes with it. */
  if (mm_region_is_root(v->region) && mm_region_alive(v->region))
    mm_aspace_destroy(mm_region_aspace(v->region));
  mm_region_unref(v->region);
  free(v);
}

/* VMAR handles lack ZX_RIGHT_WAIT: they cannot be waited on or signalled. */
const struct kobj_ops kvmar_ops = {
    .type = ZX_OBJ_TYPE_VMAR,
    .name = "vmar",
    .default_rights = ZX_DEFAULT_VMAR_RIGHTS,
    .not_waitable = true,
    .destroy = vmar_destroy,
};

struct kvmar* kvmar_create_root(uint64_t addr, uint64_t size) {
  uint64_t seed = 0;
  if (platform && platform->random_fill) platform->random_fill(&seed, sizeof(seed));
  struct mm_aspace* as = mm_aspace_create(addr, size, seed, &kvmar_hooks);
  if (!as) return NULL;
  struct kvmar* v = calloc(1, sizeof(*v));
  if (!v) {
    mm_aspace_destroy(as);
    return NULL;
  }
  kobj_init(&v->base, &kvmar_ops, 0);
  kobj_set_name(&v->base, "root", 4);
  v->region = mm_aspace_root(as);
  mm_region_ref(v->region);
  v->addr = addr;
  v->size = size;
  return v;
}

void kvmar_bind_process(struct kvmar* root, struct kproc* p) {
  struct mm_aspace* as = mm_region_aspace(root->region);
  if (as) mm_aspace_set_owner(as, p);
}

void kvmar_process_exit(struct kproc* p) {
  if (!p->root_vmar) return;
  struct mm_region* r = to_kvmar(p->root_vmar)->region;
  if (mm_region_alive(r)) mm_aspace_destroy(mm_region_aspace(r));
}

zx_rights_t kvmar_rights(uint32_t flags) {
  zx_rights_t r = ZX_DEFAULT_VMAR_RIGHTS;
  if (flags & MM_CAN_MAP_READ) r |= ZX_RIGHT_READ;
  if (flags & MM_CAN_MAP_WRITE) r |= ZX_RIGHT_WRITE;
  if (flags & MM_CAN_MAP_EXECUTE) r |= ZX_RIGHT_EXECUTE;
  return r;
}

struct kvmar* kvmar_wrap(struct mm_region* r) {
  struct kvmar* v = calloc(1, sizeof(*v));
  if (!v) return NULL;
  kobj_init(&v->base, &kvmar_ops, 0);
  kobj_set_name(&v->base, mm_region_name(r), MM_NAME_LEN);
  v->region = r;
  mm_region_ref(r);
  v->addr = mm_region_base(r);
  v->size = mm_region_size(r);
  return v;
}
