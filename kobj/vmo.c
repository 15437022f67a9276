/* VMO objects, after Zircon's VmObjectDispatcher (object/vm_object_dispatcher.cc). The memory
 * and its range logic are mm/vmo.c; this adds the kernel-object side: koid, name (the kobj
 * name, set through ZX_PROP_NAME), signals, mapping counts and the ZX_INFO_VMO record. */
#include "kobj/vmo.h"

#include <stdlib.h>
#include <string.h>

#include "kobj/cow.h"
#include "kobj/quota.h"
#include "kobj/task.h"
#include "mm/vmo.h"

/* Mappings counted per address space (share_count). */
struct kvmo_aspace {
  const void* aspace;
  uint32_t count;
};

struct kvmo {
  struct kobj base;
  struct mm_vmo mm;
  uint32_t num_mappings;
  struct kvmo_aspace* aspaces;
  uint32_t naspaces;
  uint32_t cap_aspaces;
  /* A child holds its parent (and so every ancestor's memory) while it lives. */
  struct kvmo* parent;
  /* Live children of every kind (ZX_INFO_VMO num_children, ZX_VMO_ZERO_CHILDREN). */
  uint32_t nchildren;
  /* The memory: &mm, or for a reference child the memory of the VMO it refers to. */
  struct mm_vmo* m;
  /* ZX_INFO_VMO_IMMUTABLE: a NO_WRITE snapshot. */
  bool immutable;
  /* The job its own store (a memfd) is charged to, referenced (kobj/quota.h); NULL: none (the
   * supervisor's own VMOs, slices and references, which have no store of their own). */
  struct kjob* charged;
};

/* A VMO with a store of its own costs the supervisor a descriptor: charged to the job of the
 * process that made it, for as long as the VMO lives. */
static zx_status_t vmo_charge(struct kvmo* v, struct kjob* job) {
  if (!job) return ZX_OK;
  zx_status_t s = kquota_charge(job, KRES_FDS, kquota_costs.store_fds);
  if (s != ZX_OK) return s;
  v->charged = job;
  kobj_ref(&job->base);
  return ZX_OK;
}

static void vmo_uncharge(struct kvmo* v) {
  struct kjob* job = v->charged;
  if (!job) return;
  v->charged = NULL;
  kquota_release(job, KRES_FDS, kquota_costs.store_fds);
  kobj_unref(&job->base);
}

void kvmo_set_immutable(struct kvmo* v) { v->immutable = true; }

/* A child holds its parent: the last reference to the deepest of a long chain (of slices, say)
 * frees the whole chain here, in a loop rather than by recursion through kobj_unref. */
static void vmo_destroy(struct kobj* o) {
  struct kvmo* v = to_kvmo(o);
  while (v) {
    struct kvmo* parent = v->parent;
    /* The memfd goes with the last reference; a child leaves its parent. A reference has none. */
    if (v->m == &v->mm) mm_vmo_fini(&v->mm);
    vmo_uncharge(v);
    free(v->aspaces);
    free(v);
    v = NULL;
    if (!parent) break;
    /* The last child gone (closed and unmapped: mappings hold references). */
    if (--parent->nchildren == 0) kobj_signal(&parent->base, 0, ZX_VMO_ZERO_CHILDREN);
    if (--parent->base.refs == 0) v = parent; /* kobj_unref without the recursion */
  }
}

/* ZX_VMO_ZERO_CHILDREN belongs to the kernel: object_signal may set user signals only. */
const struct kobj_ops kvmo_ops = {
    .type = ZX_OBJ_TYPE_VMO,
    .name = "vmo",
    .default_rights = ZX_DEFAULT_VMO_RIGHTS,
    .allowed_signals = 0,
    .destroy = vmo_destroy,
};

zx_status_t kvmo_create(struct kjob* job, uint32_t flags, uint64_t size, uint64_t content_size,
                        struct kvmo** out) {
  struct kvmo* v = calloc(1, sizeof(*v));
  if (!v) return ZX_ERR_NO_MEMORY;
  v->m = &v->mm;
  zx_status_t s = vmo_charge(v, job);
  if (s == ZX_OK) {
    s = mm_vmo_init(&v->mm, flags, size, content_size);
    if (s != ZX_OK) vmo_uncharge(v);
  }
  if (s != ZX_OK) {
    free(v);
    return s;
  }
  /* A new VMO has no children. */
  kobj_init(&v->base, &kvmo_ops, ZX_VMO_ZERO_CHILDREN);
  *out = v;
  return ZX_OK;
}

zx_status_t kvmo_create_child(struct kjob* job, struct kvmo* parent, uint32_t kind,
                              bool resizable, uint64_t offset, uint64_t size,
                              uint64_t content_size, struct kvmo** out,
                              struct kguard_wait** wait) {
  struct kvmo* v = calloc(1, sizeof(*v));
  if (!v) return ZX_ERR_NO_MEMORY;
  zx_status_t s = ZX_OK;
  if (kind == MM_VMO_REFERENCE) {
    /* The same memory, content size and resizability under another koid and name. */
    v->m = parent->m;
  } else {
    v->m = &v->mm;
    /* Only a snapshot has a store of its own. */
    if (kind == MM_VMO_SNAPSHOT) s = vmo_charge(v, job);
    if (s == ZX_OK)
      s = mm_vmo_init_child(&v->mm, parent->m, kind, resizable, offset, size, content_size);
    if (s == ZX_OK && kind == MM_VMO_SNAPSHOT) {
      s = kcow_snapshot_guard(parent, wait);
      if (s != ZX_OK) mm_vmo_fini(&v->mm);
    }
  }
  if (s != ZX_OK) {
    vmo_uncharge(v);
    free(v);
    return s;
  }
  kobj_init(&v->base, &kvmo_ops, ZX_VMO_ZERO_CHILDREN);
  v->parent = parent;
  kobj_ref(&parent->base);
  if (++parent->nchildren == 1) kobj_signal(&parent->base, ZX_VMO_ZERO_CHILDREN, 0);
  *out = v;
  return ZX_OK;
}

struct kvmo* kvmo_parent(const struct kvmo* v) { return v->parent; }
uint64_t kvmo_fd_offset(const struct kvmo* v) { return mm_vmo_fd_offset(v->m); }

struct mm_vmo* kvmo_mm(struct kvmo* v) { return v->m; }
int kvmo_fd(const struct kvmo* v) { return v->m->fd; }
uint64_t kvmo_size(const struct kvmo* v) { return v->m->size; }
bool kvmo_resizable(const struct kvmo* v) { return (v->m->flags & MM_VMO_RESIZABLE) != 0; }
bool kvmo_discardable(const struct kvmo* v) { return (v->m->flags & MM_VMO_DISCARDABLE) != 0; }
uint32_t kvmo_cache_policy(const struct kvmo* v) { return v->m->cache_policy; }
uint64_t kvmo_stream_size(const struct kvmo* v) { return v->m->stream_size; }
uint32_t kvmo_num_mappings(const struct kvmo* v) { return v->num_mappings; }

uint64_t kvmo_committed_range(const struct kvmo* v, uint64_t off, uint64_t len) {
  return mm_vmo_committed_range(v->m, off, len);
}

void kvmo_mapping_added_in(struct kvmo* v, const void* aspace) {
  v->num_mappings++;
  mm_vmo_store_mapped(v->m, +1);
  for (uint32_t i = 0; i < v->naspaces; i++) {
    if (v->aspaces[i].aspace == aspace) {
      v->aspaces[i].count++;
      return;
    }
  }
  if (v->naspaces == v->cap_aspaces) {
    uint32_t cap = v->cap_aspaces ? v->cap_aspaces * 2 : 4;
    struct kvmo_aspace* a = realloc(v->aspaces, cap * sizeof(*a));
    if (!a) {
      /* Out of memory: count it with the first address space (share_count may then be low). */
      if (v->naspaces > 0) v->aspaces[0].count++;
      return;
    }
    v->aspaces = a;
    v->cap_aspaces = cap;
  }
  v->aspaces[v->naspaces].aspace = aspace;
  v->aspaces[v->naspaces].count = 1;
  v->naspaces++;
}

void kvmo_mapping_removed_in(struct kvmo* v, const void* aspace) {
  if (v->num_mappings > 0) v->num_mappings--;
  mm_vmo_store_mapped(v->m, -1);
  uint32_t i = 0;
  while (i < v->naspaces && v->aspaces[i].aspace != aspace) i++;
  if (i == v->naspaces) i = 0; /* one counted with the first (see above) */
  if (i < v->naspaces && --v->aspaces[i].count == 0) v->aspaces[i] = v->aspaces[--v->naspaces];
}

void kvmo_mapping_added(struct kvmo* v) { kvmo_mapping_added_in(v, NULL); }
void kvmo_mapping_removed(struct kvmo* v) { kvmo_mapping_removed_in(v, NULL); }

/* VmoToInfoEntry. zum's VMOs are paged, private and uncompressed, never pager-backed or
 * contiguous. A snapshot child's committed bytes are the pages it holds itself (the ones it
 * still shares with its parent are the parent's); a slice's are its window's pages. */
void kvmo_get_info(struct kvmo* v, uint32_t via, zx_rights_t rights, zx_info_vmo_t* out) {
  memset(out, 0, sizeof(*out));
  out->koid = v->base.koid;
  memcpy(out->name, v->base.name, strnlen(v->base.name, ZX_MAX_NAME_LEN - 1));
  out->size_bytes = v->m->size;
  out->parent_koid = v->parent ? v->parent->base.koid : 0;
  out->num_children = v->nchildren;
  out->num_mappings = v->num_mappings;
  /* Zircon: fewer than two mappings report 1, else the number of distinct address spaces. */
  out->share_count = v->num_mappings < 2 ? 1 : v->naspaces;
  out->flags = ZX_INFO_VMO_TYPE_PAGED | via;
  if (v->m->flags & MM_VMO_RESIZABLE) out->flags |= ZX_INFO_VMO_RESIZABLE;
  if (v->m->flags & MM_VMO_DISCARDABLE) out->flags |= ZX_INFO_VMO_DISCARDABLE;
  if (v->m == &v->mm && v->mm.kind == MM_VMO_SNAPSHOT) out->flags |= ZX_INFO_VMO_IS_COW_CLONE;
  if (v->immutable) out->flags |= ZX_INFO_VMO_IMMUTABLE;
  /* References report none (their memory is counted with the VMO they refer to). */
  uint64_t committed = v->m == &v->mm ? mm_vmo_committed(v->m) : 0;
  out->committed_bytes = committed;
  out->populated_bytes = committed;
  out->committed_private_bytes = committed;
  out->populated_private_bytes = committed;
  out->committed_scaled_bytes = committed;
  out->populated_scaled_bytes = committed;
  out->handle_rights = (via & ZX_INFO_VMO_VIA_MAPPING) ? 0 : rights;
  out->cache_policy = v->m->cache_policy;
  /* The kernel heap Zircon spends on page lists has no counterpart (the host holds the pages),
   * and zum never reclaims VMO memory by itself. */
  out->metadata_bytes = 0;
  out->committed_change_events = 0;
}

zx_status_t kvmo_set_cache_policy(struct kvmo* v, uint32_t policy) {
  /* Mappings, children and being a child are obstacles (VmObjectPaged::SetMappingCachePolicy). */
  bool busy = v->num_mappings != 0 || v->nchildren != 0 || v->parent != NULL;
  return mm_vmo_set_cache_policy(v->m, policy, busy);
}

zx_status_t kvmo_set_content_size(struct kvmo* v, uint64_t size) {
  return mm_vmo_set_content_size(v->m, size);
}
