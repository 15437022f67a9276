/* Copy-on-write, the kernel's decisions (DESIGN.md section 5). This file decides which path each
 * step takes, by what the processes involved can do; mm/vmo.c carries the steps out on pages and
 * never learns about processes; host/guest/runtime/cow.c is the guest's side of the faults.
 *
 *  1. Creating a snapshot is O(1): mm_vmo_init_child links an empty sparse store under its parent
 *     (kvmo_create_child). The store's existing writable mappings must then keep their writes
 *     out of it (step 4): kcow_snapshot_ready first waits until every process mapping the store
 *     writable has said what it can do, kcow_snapshot_guard then protects or guards each piece.
 *  2. Reading through ancestors is mm/'s alone: a page the snapshot's store lacks reads as the
 *     nearest ancestor's (mm_vmo_read), and every change made through zum (mm_vmo_write,
 *     mm_vmo_zero with its tail cut, mm_vmo_decommit) first pushes the old page into the
 *     snapshots that still lack it (before_change in mm/vmo.c), so a guest filling from the
 *     parent reads the old bytes or finds the page already there (EEXIST).
 *  3. Mapping a snapshot (kcow_map): where every process that gets the mapping has a
 *     userfaultfd, the MAP op gets ZUM_MAP_UFFD and, when the missing pages come from one store
 *     that cannot move (mm_vmo_fault_source), a FAULT_SOURCE op the guest fills from itself;
 *     without a source a guest that sends what it cannot resolve to zum_vm_fault has pages
 *     filled there (step 5). Anything else is the fallback: the pages are copied into the
 *     child's store now (mm_vmo_prepare_map), as for a new shared-region member
 *     (kcow_map_replica).
 *  4. Writes through mappings of a store with snapshots bypass zum. A writable piece is
 *     write-protected in the guest where its userfaultfd can (kcow_map: ZUM_MAP_WP in the MAP
 *     op, hosted programs only: a pure process's seal does not let it write-protect, since guest
 *     code could unprotect with the same call; kcow_protect and kcow_snapshot_guard:
 *     guard_piece from outside, queued behind the process's pending work, kworkq_uffd_wp), so
 *     the first write to each page comes to zum_vm_fault; otherwise the snapshots take every
 *     page of the piece now (mm_vmo_guard_window). A call that queued protections returns once
 *     they are applied (kguard_wait_finish).
 *  5. Faults the guest cannot resolve (kcow_vm_fault, the zum_vm_fault call): a missing page of
 *     a snapshot without a fault source is filled in its store (mm_vmo_fill, batched on
 *     sequential faults), and a write to a write-protected page first pushes it to the
 *     snapshots (mm_vmo_guard_window) and then lifts the protection (uffd_release).
 *  6. The supervisor's own user copies (kcow_user_copy): the guest's userfaultfd refuses the
 *     supervisor a page it has not filled, so kcall_copy_in/out go through the VMO the mapping
 *     shows (mm_vmo_read, mm_vmo_write), with the mapping's protection.
 * Every decision by what a process can do waits first, without blocking the supervisor, until
 * its runtime has said (kproc_caps_wait: the call parks and runs again from its start). */
#include "kobj/cow.h"

#include <errno.h>
#include <stdlib.h>
#include <zum/abi-private.h>

#include "host/platform.h"
#include "kobj/kcall.h"
#include "kobj/list.h"
#include "kobj/share.h"
#include "kobj/task.h"
#include "kobj/vmar.h"
#include "kobj/vmo.h"
#include "kobj/workq.h"
#include "mm/vmar.h"
#include "mm/vmo.h"

#define PAGE ((uint64_t)MM_PAGE_SIZE)
#define MAX_BATCH 16u

/* ---- what a process's runtime can do */

struct caps_waiter {
  struct list_node node; /* in the process's caps_waiters, until learnt */
  struct kdeferred rerun; /* then queued to run again */
  bool deferred;
  struct kcall* c;
};

static void caps_rerun(struct kdeferred* d) {
  struct caps_waiter* w = container_of(d, struct caps_waiter, rerun);
  struct kcall* c = w->c;
  free(w);
  kcall_rerun(c);
}

static void caps_cancel(struct kcall* c) {
  struct caps_waiter* w = c->park_state;
  if (w->deferred) kobj_undefer(&w->rerun);
  else list_del(&w->node);
  free(w);
}

/* Whether a call of another process waits for p's hello. */
static bool caps_foreign_waiter(struct kproc* p) {
  struct list_node* pos;
  list_for_each(pos, &p->caps_waiters) {
    if (list_entry(pos, struct caps_waiter, node)->c->proc != p) return true;
  }
  return false;
}

/* No other process waits forever on a runtime that never says hello (stopped, or broken before
 * it could): past kworkq_deadline from the first such call the process is killed as
 * unresponsive, and the calls run again, deciding without it. Its own calls alone may wait as
 * long as it takes (a process stopped in a debugger holds up nobody else). */
static void caps_deadline_fire(struct kdeadline* d) {
  struct kproc* p = container_of(d, struct kproc, caps_deadline);
  if (p->caps_known || !caps_foreign_waiter(p)) return;
  kobj_ref(&p->base);
  kworkq_unresponsive(p, "say what its runtime can do");
  kproc_caps_learnt(p);
  kobj_unref(&p->base);
}

void kproc_caps_init(struct kproc* p) {
  list_init(&p->caps_waiters);
  kdeadline_init(&p->caps_deadline, caps_deadline_fire);
}

bool kproc_caps_wait(struct kcall* c, struct kproc* p) {
  if (!p || p->caps_known || p->state == KPROC_DEAD || !p->host_ops || !p->host_ops->learn_caps)
    return true;
  if (!p->host_ops->learn_caps(p->host) || p->caps_known) return true;
  struct caps_waiter* w = calloc(1, sizeof(*w));
  /* Without memory to wait, decide without them: the choices made then are the slow, safe
   * ones (pages copied now rather than on demand). */
  if (!w) return true;
  w->c = c;
  w->rerun.run = caps_rerun;
  list_add_tail(&p->caps_waiters, &w->node);
  if (kworkq_deadline > 0 && c->proc != p && !kdeadline_armed(&p->caps_deadline)) {
    int64_t now = kobj_now();
    (void)kdeadline_arm(&p->caps_deadline,
                        now > INT64_MAX - kworkq_deadline ? INT64_MAX : now + kworkq_deadline);
  }
  kcall_park(c, caps_cancel, w);
  return false;
}

void kproc_caps_learnt(struct kproc* p) {
  p->caps_known = true;
  kdeadline_cancel(&p->caps_deadline);
  while (!list_empty(&p->caps_waiters)) {
    struct caps_waiter* w = list_first(&p->caps_waiters, struct caps_waiter, node);
    list_del(&w->node);
    w->deferred = true;
    kobj_defer(&w->rerun);
  }
}

/* ---- writes through mappings: write protection or guard windows */

/* Writes through Linux mappings never pass through zum, so a writable piece of a mapping of a
 * store that has snapshots must not let them reach the snapshots unseen. Where the guest can
 * take it (a userfaultfd the supervisor holds, faults it cannot resolve sent to zum_vm_fault), the
 * piece is write-protected in the guest: the first write to each page comes to zum_vm_fault,
 * which gives the snapshots their copy first (lazy, O(1) now). Otherwise the snapshots take every
 * page of the piece now (mm_vmo_guard_window). Shared-region mappings (one tree, many Linux
 * processes) and stores whose own pages guests fill from fault sources (their UFFDIO_COPY would
 * drop the protection) are always guarded now. */
static bool can_write_protect(struct kproc* p, struct kvmo* v, uint64_t base) {
  return p && p->state != KPROC_DEAD && p->vm_fault && p->wp &&
         !(p->share && base >= ZUM_SHARED_BASE) && !mm_vmo_has_fault_sources(kvmo_mm(v));
}

struct kguard_wait {
  struct kcall* c; /* parked until pending is 0 (NULL: not yet, or not any more) */
  size_t pending;
  int64_t result;
  bool armed; /* the handler is done with it: freed with the last protection */
};

/* A write protection queued behind work still on its way to the process (kworkq_uffd_wp). */
struct wp_pending {
  struct kproc* p;
  struct kvmo* v;
  uint64_t vmo_off, size;
  struct kguard_wait* w;
};

static void guard_wait_put(struct kguard_wait* w) {
  if (--w->pending > 0 || !w->armed) return;
  struct kcall* c = w->c;
  int64_t result = w->result;
  free(w);
  if (c) kcall_complete(c, result);
}

static void wp_done(void* arg, int err) {
  struct wp_pending* q = arg;
  /* Not protected after all (unmapped meanwhile, or the host could not): the snapshots take the
   * pages now. ECANCELED: the process is gone, and its mapping with it. A process whose writes
   * could then no longer be kept out of the snapshots is ended, as one whose mappings fail. */
  if (err != 0 && err != ECANCELED &&
      mm_vmo_guard_window(kvmo_mm(q->v), q->vmo_off, q->size) != ZX_OK)
    kproc_kill(q->p, ZX_TASK_RETCODE_EXCEPTION_KILL);
  if (q->w) guard_wait_put(q->w);
  kobj_unref((struct kobj*)q->v);
  kobj_unref(&q->p->base);
  free(q);
}

/* Queues the protection of [base, base+size) in p behind p's pending work (counted in *wait when
 * wait is not NULL); false without the memory to. */
static bool queue_wp(struct kproc* p, struct kvmo* v, uint64_t base, uint64_t size,
                     uint64_t vmo_off, bool missing, struct kguard_wait** wait) {
  if (wait && !*wait && !(*wait = calloc(1, sizeof(**wait)))) return false;
  struct wp_pending* q = calloc(1, sizeof(*q));
  if (!q) return false;
  *q = (struct wp_pending){p, v, vmo_off, size, wait ? *wait : NULL};
  if (kworkq_uffd_wp(p, base, size, missing, wp_done, q) != 0) {
    free(q);
    return false;
  }
  kobj_ref(&p->base);
  kobj_ref((struct kobj*)v);
  if (q->w) q->w->pending++;
  return true;
}

/* One writable piece [base, base+size) (at vmo_off of v) of a mapping in process p (NULL:
 * unknown), lazily where p's guest can take it. Protecting from outside needs the mapping in
 * place, so when work is still on its way to p the host queues the protection behind it: the
 * call must not return before it is applied. Work the call itself queues for p comes after it
 * anyway (zx_vmar_protect: wait NULL); otherwise *wait counts them. */
static zx_status_t guard_piece(struct kproc* p, struct kvmo* v, uint64_t base, uint64_t size,
                               uint64_t vmo_off, struct kguard_wait** wait) {
  if (!mm_vmo_store_has_snapshots(kvmo_mm(v))) return ZX_OK;
  if (can_write_protect(p, v, base) && p->host_ops && p->host_ops->uffd_wp) {
    bool missing = p->uffd && mm_vmo_is_cow(kvmo_mm(v));
    /* Protecting needs the mapping in place: behind work still on its way, it waits its turn
     * in the process's queue (wp_done follows). */
    if (kworkq_busy(p) ? queue_wp(p, v, base, size, vmo_off, missing, wait)
                       : p->host_ops->uffd_wp(p->host, base, size, missing) == 0)
      return ZX_OK;
  }
  return mm_vmo_guard_window(kvmo_mm(v), vmo_off, size);
}

static void guard_wait_cancel(struct kcall* c) {
  struct kguard_wait* w = c->park_state;
  w->c = NULL; /* the protections are still applied, in order; nobody waits for them */
}

int64_t kguard_wait_finish(struct kguard_wait* w, struct kcall* c, int64_t result) {
  if (!w) return result;
  w->armed = true;
  if (w->pending == 0) {
    free(w);
    return result;
  }
  if (result != ZX_OK) return result; /* freed with the last protection */
  w->c = c;
  w->result = result;
  return kcall_park(c, guard_wait_cancel, w);
}

/* ---- creating a snapshot */

/* The pieces of the store's mappings that are writable now, in every address space (walked
 * only when the store is mapped at all): `fn` is called for each until it returns an error,
 * which ends the walk. zx_vmar_protect guards what it makes writable later (kcow_protect). */
typedef zx_status_t (*writable_piece_fn)(void* ctx, struct kproc* owner, struct kvmo* v,
                                         uint64_t base, uint64_t size, uint64_t vmo_off);
struct writable_walk {
  const struct mm_vmo* store;
  struct kproc* owner;
  writable_piece_fn fn;
  void* ctx;
};

static zx_status_t writable_mapping(void* ctx, struct mm_region* m, unsigned depth) {
  (void)depth;
  const struct writable_walk* w = ctx;
  if (!mm_region_is_mapping(m)) return ZX_OK;
  struct kvmo* v = to_kvmo(mm_mapping_obj(m));
  if (!mm_vmo_same_store(kvmo_mm(v), w->store)) return ZX_OK;
  for (size_t i = 0; i < mm_mapping_nranges(m); i++) {
    uint64_t base, size;
    uint32_t prot;
    mm_mapping_range(m, i, &base, &size, &prot);
    if (!(prot & MM_PROT_WRITE)) continue;
    zx_status_t s =
        w->fn(w->ctx, w->owner, v, base, size, mm_mapping_vmo_offset(m) + (base - mm_region_base(m)));
    if (s != ZX_OK) return s;
  }
  return ZX_OK;
}

static zx_status_t writable_aspace(void* ctx, struct mm_aspace* as) {
  struct mm_region* root = mm_aspace_root(as);
  struct writable_walk* w = ctx;
  w->owner = mm_aspace_owner(as);
  return root ? mm_enumerate(root, 0, writable_mapping, ctx) : ZX_OK;
}

static zx_status_t for_each_writable_piece(struct kvmo* v, writable_piece_fn fn, void* ctx) {
  if (!mm_vmo_store_is_mapped(kvmo_mm(v))) return ZX_OK;
  struct writable_walk w = {kvmo_mm(v), NULL, fn, ctx};
  return mm_for_each_aspace(writable_aspace, &w);
}

/* kcow_snapshot_ready: the first process mapping the store writable whose capabilities are not
 * known yet parks the call (the walk stops there). */
static zx_status_t caps_piece(void* ctx, struct kproc* owner, struct kvmo* v, uint64_t base,
                              uint64_t size, uint64_t vmo_off) {
  return kproc_caps_wait(ctx, owner) ? ZX_OK : ZX_ERR_SHOULD_WAIT;
}

bool kcow_snapshot_ready(struct kcall* c, struct kvmo* v) {
  return for_each_writable_piece(v, caps_piece, c) != ZX_ERR_SHOULD_WAIT;
}

/* kcow_snapshot_guard: every writable piece is protected or copied now. */
static zx_status_t guard_each_piece(void* ctx, struct kproc* owner, struct kvmo* v,
                                    uint64_t base, uint64_t size, uint64_t vmo_off) {
  return guard_piece(owner, v, base, size, vmo_off, ctx);
}

zx_status_t kcow_snapshot_guard(struct kvmo* v, struct kguard_wait** wait) {
  return for_each_writable_piece(v, guard_each_piece, wait);
}

/* ---- mapping */

bool kcow_map_ready(struct kcall* c, struct kproc* target, struct kvmo* vmo) {
  if (!target || (!mm_vmo_is_cow(kvmo_mm(vmo)) && !mm_vmo_store_has_snapshots(kvmo_mm(vmo))))
    return true;
  return target->share ? kshare_caps_wait(c, target->share) : kproc_caps_wait(c, target);
}

/* How a new mapping of a copy-on-write setting reaches Linux:
 *  - a mapping of a snapshot child is filled on demand (its MAP op gets ZUM_MAP_UFFD, plus the
 *    fault source when there is one) when every process that gets the mapping has a
 *    userfaultfd and the mapping can become writable; otherwise (ZUM_MAP_READONLY included) its
 *    pages are copied into the child's memfd now (the fallback, mm_vmo_prepare_map);
 *  - a writable mapping bypasses zum on every write, so while its store has snapshots it is
 *    write-protected by the guest (ZUM_MAP_WP, where can_write_protect) or the snapshots take
 *    the pages it shows now (mm_vmo_guard_window); kcow_protect guards what zx_vmar_protect
 *    makes writable the same way. */
zx_status_t kcow_map(struct kproc* target, struct kvmo* vmo, struct mm_region* m, uint64_t base,
                     uint64_t vmo_offset, bool writable, struct mm_ops* ops) {
  uint64_t size = mm_region_size(m);
  /* mm_map's MAP of m is its last op (an index: ops->v may move as ops are added). */
  size_t map = ops->n;
  if (ops->n && ops->v[ops->n - 1].kind == ZUM_WORK_MAP && ops->v[ops->n - 1].addr == base)
    map = ops->n - 1;
  bool mapped = map < ops->n;
  /* A mapping that can never be writable has an O_RDONLY fd, which Linux will not register with
   * a userfaultfd (no VM_MAYWRITE): its pages are copied in now. */
  bool readonly = mapped && (ops->v[map].flags & ZUM_MAP_READONLY);
  if (mm_vmo_is_cow(kvmo_mm(vmo))) {
    bool uffd = target && target->uffd;
    bool vm_fault = uffd && target->vm_fault;
    if (uffd && target->share && base >= ZUM_SHARED_BASE) {
      uffd = kshare_all_uffd(target->share);
      vm_fault = uffd && kshare_all_vm_fault(target->share);
    }
    /* A pure process gets no fault source: the source's fd is all of the ancestor's store,
     * which guest code jumping into the stub could read (pread) beyond the child's window and
     * after the snapshot. Its missing pages come from zum_vm_fault instead. */
    bool sources = !(target && target->pure);
    int fd;
    uint64_t off, len;
    /* With a fault source the guest fills pages itself; without one (a clone of a clone, a
     * resizable VMO, a pure process) a guest that sends what it cannot resolve to zum_vm_fault
     * has them filled there; any other guest gets the pages now. */
    if (mapped && !readonly &&
        ((uffd && sources &&
          mm_vmo_fault_source(kvmo_mm(vmo), vmo_offset, size, &fd, &off, &len)) ||
         vm_fault)) {
      ops->v[map].flags |= ZUM_MAP_UFFD;
      /* The fault source, if there is one, follows its MAP (abi-private.h). */
      if (sources &&
          mm_vmo_fault_source(kvmo_mm(vmo), mm_mapping_vmo_offset(m), size, &fd, &off, &len)) {
        zum_work_op_t src = {.kind = ZUM_WORK_FAULT_SOURCE, .fd = fd, .addr = base, .len = size,
                             .offset = off, .src_len = len};
        mm_ops_add(ops, &src);
        if (ops->oom) return ZX_ERR_NO_MEMORY;
      }
    } else if (mm_vmo_prepare_map(kvmo_mm(vmo), vmo_offset, size) != ZX_OK)
      return ZX_ERR_NO_MEMORY;
  }
  if (writable && !readonly && mm_vmo_store_has_snapshots(kvmo_mm(vmo))) {
    /* The guest write-protects the new mapping before the call returns, or the snapshots take
     * its pages now. A pure process never protects itself: its seal refuses UFFDIO_WRITEPROTECT,
     * which guest code jumping into the stub could use to clear the protection (BPF cannot see
     * the ioctl's mode); protections from outside it cannot undo. */
    if (mapped && !(target && target->pure) && can_write_protect(target, vmo, base))
      ops->v[map].flags |= ZUM_MAP_WP;
    else if (mm_vmo_guard_window(kvmo_mm(vmo), vmo_offset, size) != ZX_OK)
      return ZX_ERR_NO_MEMORY;
  }
  return ZX_OK;
}

/* The new member has no userfaultfd yet: a copy-on-write child's pages go into its memfd before
 * it maps them (the members already there may fill on demand). */
zx_status_t kcow_map_replica(struct kvmo* vmo, uint64_t off, uint64_t len) {
  return mm_vmo_prepare_map(kvmo_mm(vmo), off, len);
}

/* ---- making mappings writable */

bool kcow_protect_ready(struct kcall* c, struct kproc* target, uint32_t prot) {
  /* Making memory writable can write-protect it (guard_piece). */
  return !(prot & MM_PROT_WRITE) || kproc_caps_wait(c, target);
}

/* Made writable: the snapshots of what the range maps take its pages first, as for a new
 * mapping. The protection stays in the tree either way, as after Zircon runs out of memory
 * midway. */
zx_status_t kcow_protect(struct kproc* target, struct mm_region* vmar, const struct mm_ops* ops) {
  zx_status_t s = ZX_OK;
  for (size_t i = 0; i < ops->n && s == ZX_OK; i++) {
    const zum_work_op_t* o = &ops->v[i];
    for (uint64_t a = o->addr, end = o->addr + o->len; o->kind == ZUM_WORK_PROTECT && a < end;) {
      struct mm_region* m = mm_find_mapping(vmar, a);
      if (!m) break;
      uint64_t stop = mm_region_base(m) + mm_region_size(m);
      if (stop > end) stop = end;
      uint64_t off = mm_mapping_vmo_offset(m) + (a - mm_region_base(m));
      /* A protection queued behind earlier work comes before this call's own work. */
      if (guard_piece(target, to_kvmo(mm_mapping_obj(m)), a, stop - a, off, NULL) != ZX_OK)
        s = ZX_ERR_NO_MEMORY;
      a = stop;
    }
  }
  return s;
}

/* ---- faults the guest cannot resolve (zum_vm_fault)
 *
 * Two kinds reach here, both from a SIGBUS the guest's userfaultfd raised:
 *  - a page of a copy-on-write child missing from its memfd, where the guest has no fault source
 *    (a clone of a clone, a resizable VMO): the page, and on sequential faults the ones after it,
 *    get their copies in the child's memfd, and the retried access finds them;
 *  - a write to a page the supervisor write-protected because snapshots of the store still read
 *    it (guard_piece): the snapshots take their copy first, then the protection of that page is
 *    lifted in the faulting process.
 * Anything else (no mapping, an access the mapping does not allow, past the VMO's end) is a real
 * fault: the answer is an error and the guest reports the fault as before. */

zx_status_t kcow_vm_fault(struct kproc* p, uint64_t addr, bool write) {
  uint64_t page = addr & ~(PAGE - 1);
  struct kobj* root = kshare_vmar_at(p, page);
  if (!root || !mm_region_alive(to_kvmar(root)->region)) return ZX_ERR_BAD_STATE;
  struct mm_region* m = mm_find_mapping(to_kvmar(root)->region, page);
  if (!m) return ZX_ERR_NOT_FOUND;
  uint32_t prot = mm_mapping_prot_at(m, page);
  if (write ? !(prot & MM_PROT_WRITE) : !(prot & (MM_PROT_READ | MM_PROT_EXECUTE)))
    return ZX_ERR_ACCESS_DENIED;
  struct kvmo* v = to_kvmo(mm_mapping_obj(m));
  uint64_t off = mm_mapping_vmo_offset(m) + (page - mm_region_base(m));
  if (off >= kvmo_size(v)) return ZX_ERR_OUT_OF_RANGE; /* a real bus error */
  struct mm_vmo* mv = kvmo_mm(v);
  if (mm_vmo_is_cow(mv)) {
    /* One page for an isolated fault; a run of faults, each just past the last fill, doubles the
     * batch (like the guests' own fault path and readahead). */
    uint32_t n = page == p->fault_next && p->fault_batch ? p->fault_batch * 2 : 1;
    if (n > MAX_BATCH) n = MAX_BATCH;
    uint64_t room = mm_region_base(m) + mm_region_size(m) - page;
    if ((uint64_t)n * PAGE > room) n = (uint32_t)(room / PAGE);
    if (mm_vmo_fill(mv, off, (uint64_t)n * PAGE) != ZX_OK) return ZX_ERR_NO_MEMORY;
    p->fault_next = page + (uint64_t)n * PAGE;
    p->fault_batch = n;
  }
  if (write) {
    /* The page's snapshots take their copy before the write can land. */
    if (mm_vmo_guard_window(mv, off, PAGE) != ZX_OK) return ZX_ERR_NO_MEMORY;
    if (p->host_ops && p->host_ops->uffd_release) {
      int e = p->host_ops->uffd_release(p->host, page, PAGE);
      /* ENOSYS: no userfaultfd here, so nothing was protected; ENOENT: unmapped meanwhile (the
       * retried access faults for real). */
      if (e != 0 && e != ENOSYS && e != ENOENT) return ZX_ERR_BAD_STATE;
    }
  }
  return ZX_OK;
}

/* ---- the supervisor's own user copies */

/* Guest memory the host could not reach in one go. A page of a copy-on-write child that the
 * guest has not touched yet is missing from the mapped memfd and registered with the guest's
 * userfaultfd, which refuses the host's access (EFAULT) instead of filling it: such a page is
 * reached through the VMO the mapping shows, with the mapping's protection, as Zircon's user
 * copies fault it in. Page by page, so memory the host can reach keeps going the fast way. */
zx_status_t kcow_user_copy(struct kproc* p, uint64_t addr, uint8_t* buf, size_t len, bool write) {
  while (len > 0) {
    size_t n = MM_PAGE_SIZE - (addr & (MM_PAGE_SIZE - 1));
    if (n > len) n = len;
    int r = write ? p->host_ops->write(p->host, addr, buf, n)
                  : p->host_ops->read(p->host, addr, buf, n);
    if (r != 0) {
      struct kobj* root = kshare_vmar_at(p, addr);
      if (!root || !mm_region_alive(to_kvmar(root)->region)) return ZX_ERR_INVALID_ARGS;
      struct mm_region* m = mm_find_mapping(to_kvmar(root)->region, addr);
      if (!m) return ZX_ERR_INVALID_ARGS;
      if (!(mm_mapping_prot_at(m, addr) & (write ? MM_PROT_WRITE : MM_PROT_READ)))
        return ZX_ERR_INVALID_ARGS;
      struct kvmo* v = to_kvmo(mm_mapping_obj(m));
      uint64_t off = mm_mapping_vmo_offset(m) + (addr - mm_region_base(m));
      /* Past the VMO's end the access really faults. */
      if (off >= kvmo_size(v) || kvmo_size(v) - off < n) return ZX_ERR_INVALID_ARGS;
      zx_status_t s = write ? mm_vmo_write(kvmo_mm(v), off, buf, n)
                            : mm_vmo_read(kvmo_mm(v), off, buf, n);
      if (s != ZX_OK) return ZX_ERR_INVALID_ARGS;
    }
    addr += n;
    buf += n;
    len -= n;
  }
  return ZX_OK;
}
