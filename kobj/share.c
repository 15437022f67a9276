/* Shared processes (see share.h). */
#include "kobj/share.h"

#include <stdlib.h>
#include <string.h>
#include <zum/abi-private.h>

#include "kobj/cow.h"
#include "kobj/handle.h"
#include "kobj/kmm.h"
#include "kobj/task.h"
#include "kobj/vmar.h"
#include "kobj/vmo.h"
#include "kobj/workq.h"
#include "mm/vmar.h"

static struct mm_aspace* shared_aspace(const struct kshare* s) {
  struct mm_region* r = s->root->region;
  return mm_region_alive(r) ? mm_region_aspace(r) : NULL;
}

zx_status_t kshare_create(struct kproc* p) {
  struct kshare* s = calloc(1, sizeof(*s));
  if (!s) return ZX_ERR_NO_MEMORY;
  struct kvmar* v = kvmar_create_root(ZUM_SHARED_BASE, ZUM_USER_TOP - ZUM_SHARED_BASE);
  if (!v) {
    free(s);
    return ZX_ERR_NO_MEMORY;
  }
  s->refs = 1;
  s->live = 1;
  list_init(&s->members);
  list_add_tail(&s->members, &p->share_node);
  s->root = v; /* the creation reference */
  s->first_koid = p->base.koid;
  kobj_ref(&v->base);
  p->root_vmar = &v->base;
  kvmar_bind_process(v, p);
  p->share = s;
  return ZX_OK;
}

zx_status_t kshare_join(struct kshare* s, struct kproc* p, struct kvmar* restricted) {
  /* Zircon's IncrementShareCount fails once the count has reached zero. */
  if (s->live == 0) return ZX_ERR_BAD_STATE;
  struct kproc* any = list_first(&s->members, struct kproc, share_node);
  khtable_ref(any->table);
  khtable_unref(p->table); /* its own, still empty */
  p->table = any->table;
  kobj_ref(&s->root->base);
  p->root_vmar = &s->root->base;
  p->restricted_vmar = &restricted->base;
  kvmar_bind_process(restricted, p);
  p->vdso_code_start = s->vdso_code_start;
  p->vdso_code_end = s->vdso_code_end;
  p->vdso_base = s->vdso_base;
  s->refs++;
  s->live++;
  list_add_tail(&s->members, &p->share_node);
  p->share = s;
  return ZX_OK;
}

/* ---- replicating the shared region into a new member */

struct replica {
  zum_work_op_t* v;
  size_t n, cap;
  bool oom;
};

static void replica_push(struct replica* r, const zum_work_op_t* op) {
  if (r->n == r->cap) {
    size_t cap = r->cap ? r->cap * 2 : 16;
    zum_work_op_t* v = realloc(r->v, cap * sizeof(*v));
    if (!v) {
      r->oom = true;
      return;
    }
    r->v = v;
    r->cap = cap;
  }
  r->v[r->n++] = *op;
}

static zx_status_t replica_visit(void* ctx, struct mm_region* m, unsigned depth) {
  (void)depth;
  struct replica* r = ctx;
  if (!mm_region_is_mapping(m)) return ZX_OK;
  /* The new member has not said what it can do yet (kcow_map_replica). */
  if (kcow_map_replica(to_kvmo(mm_mapping_obj(m)), mm_mapping_vmo_offset(m), mm_region_size(m)) !=
      ZX_OK)
    r->oom = true;
  int fd = kvmo_fd(to_kvmo(mm_mapping_obj(m)));
  for (size_t i = 0; i < mm_mapping_nranges(m); i++) {
    uint64_t base, size;
    uint32_t prot;
    mm_mapping_range(m, i, &base, &size, &prot);
    zum_work_op_t op = {.kind = ZUM_WORK_MAP,
                        .prot = prot,
                        .addr = base,
                        .len = size,
                        .offset = mm_mapping_vmo_offset(m) + (base - mm_region_base(m)) +
                                  kvmo_fd_offset(to_kvmo(mm_mapping_obj(m))),
                        .fd = fd,
                        .flags = mm_mapping_map_flags(m)};
    replica_push(r, &op);
  }
  return r->oom ? ZX_ERR_NO_MEMORY : ZX_OK;
}

size_t kshare_replica_ops(struct kshare* s, zum_work_op_t** ops) {
  *ops = NULL;
  struct replica r = {0};
  if (!shared_aspace(s)) return 0;
  zx_status_t st = mm_enumerate(s->root->region, 0, replica_visit, &r);
  if (st != ZX_OK || r.oom) {
    free(r.v);
    return SIZE_MAX;
  }
  *ops = r.v;
  return r.n;
}

/* ---- changes of the shared region */

static bool address_space_op(uint32_t kind) {
  return kind == ZUM_WORK_MAP || kind == ZUM_WORK_RESERVE || kind == ZUM_WORK_PROTECT ||
         kind == ZUM_WORK_POPULATE;
}

bool kshare_ops_shared(const zum_work_op_t* ops, size_t n) {
  /* One change comes from one address space: its first operation says which. */
  return n > 0 && address_space_op(ops[0].kind) && ops[0].addr >= ZUM_SHARED_BASE;
}

/* The fan-out decision: a change of the shared region goes to every member, any other change to
 * the target alone (kobj/kmm.h). */
int64_t kcall_mm_apply(struct kcall* c, struct kproc* target, const zum_work_op_t* ops, size_t n,
                       zx_status_t status) {
  if (target->share && kshare_ops_shared(ops, n))
    return kshare_mm_apply(c, target->share, ops, n, status);
  return kcall_mm_apply_one(c, target, ops, n, status);
}

int64_t kshare_mm_apply(struct kcall* c, struct kshare* s, const zum_work_op_t* ops, size_t n,
                        zx_status_t status) {
  struct kproc* local[16];
  size_t cap = s->live;
  struct kproc** t = cap <= 16 ? local : malloc(cap * sizeof(*t));
  if (!t) return ZX_ERR_NO_MEMORY;
  size_t k = 0;
  struct list_node* pos;
  list_for_each(pos, &s->members) {
    struct kproc* p = list_entry(pos, struct kproc, share_node);
    if (k < cap && p->state != KPROC_DEAD && p->host_ops &&
        (p->host_ops->work_send || p->host_ops->mm_apply))
      t[k++] = p;
  }
  int64_t r = status;
  if (k == 1) {
    /* One live member: the single-process path, with its shortcuts (work for a process not
     * started yet does not make the caller wait; see kobj/workq.h). */
    r = kcall_mm_apply_one(c, t[0], ops, n, status);
  } else if (k > 1 && t[0]->host_ops->work_send) {
    /* Queued in every member's FIFO; the call waits for the last of them. */
    r = kworkq_apply_many(c, t, k, ops, n, status);
  } else {
    /* A host that applies work at once (unit tests): one member after the other. */
    for (size_t i = 0; i < k; i++) {
      int64_t ri = kcall_mm_apply_one(c, t[i], ops, n, status);
      if (ri != status && r == status) r = ri;
    }
  }
  if (t != local) free(t);
  return r;
}

void kshare_vdso_mapped(struct kproc* target, const struct mm_aspace* as) {
  struct kshare* s = target->share;
  if (as != shared_aspace(s)) {
    /* A vDSO mapping in a restricted region: the group's facts stand. */
    target->vdso_code_start = s->vdso_code_start;
    target->vdso_code_end = s->vdso_code_end;
    target->vdso_base = s->vdso_base;
    return;
  }
  s->vdso_code_start = target->vdso_code_start;
  s->vdso_code_end = target->vdso_code_end;
  s->vdso_base = target->vdso_base;
  struct list_node* pos;
  list_for_each(pos, &s->members) {
    struct kproc* p = list_entry(pos, struct kproc, share_node);
    p->vdso_code_start = s->vdso_code_start;
    p->vdso_code_end = s->vdso_code_end;
    p->vdso_base = s->vdso_base;
  }
}

bool kshare_caps_wait(struct kcall* c, struct kshare* s) {
  struct list_node* pos;
  list_for_each(pos, &s->members) {
    if (!kproc_caps_wait(c, list_entry(pos, struct kproc, share_node))) return false;
  }
  return true;
}

bool kshare_all_uffd(const struct kshare* s) {
  const struct list_node* pos;
  list_for_each(pos, &s->members) {
    const struct kproc* p = list_entry(pos, struct kproc, share_node);
    if (p->state != KPROC_DEAD && !p->uffd) return false;
  }
  return true;
}

bool kshare_all_vm_fault(const struct kshare* s) {
  const struct list_node* pos;
  list_for_each(pos, &s->members) {
    const struct kproc* p = list_entry(pos, struct kproc, share_node);
    if (p->state != KPROC_DEAD && !p->vm_fault) return false;
  }
  return true;
}

struct kobj* kshare_vmar_at(const struct kproc* p, uint64_t addr) {
  if (p->restricted_vmar) {
    const struct kvmar* v = to_kvmar(p->restricted_vmar);
    if (addr >= v->addr && addr - v->addr < v->size) return p->restricted_vmar;
  }
  return p->root_vmar;
}

/* ---- lifetime */

void kshare_process_exit(struct kproc* p) {
  struct kshare* s = p->share;
  list_del(&p->share_node);
  s->live--;
  if (p->restricted_vmar) {
    struct mm_region* r = to_kvmar(p->restricted_vmar)->region;
    if (mm_region_alive(r)) mm_aspace_destroy(mm_region_aspace(r));
  }
  struct mm_aspace* as = shared_aspace(s);
  if (s->live == 0) {
    /* Zircon's DecrementShareCount to zero: the handle table is cleaned, the aspace destroyed. */
    khtable_close_all(p->table);
    as = shared_aspace(s); /* closing handles cannot end the region, but look again */
    if (as) mm_aspace_destroy(as);
  } else if (as && mm_aspace_owner(as) == p) {
    /* Changes of the shared region now reach the group through another member. */
    kvmar_bind_process(s->root, list_first(&s->members, struct kproc, share_node));
  }
}

void kshare_release(struct kproc* p) {
  struct kshare* s = p->share;
  if (p->restricted_vmar) kobj_unref(p->restricted_vmar);
  p->restricted_vmar = NULL;
  p->share = NULL;
  if (--s->refs) return;
  kobj_unref(&s->root->base);
  free(s);
}
