/* Shared processes (Zircon's ShareableProcessState): ZX_PROCESS_SHARED and
 * zx_process_create_shared.
 *
 * A group is made by zx_process_create(..., ZX_PROCESS_SHARED, ...): that process's root VMAR is
 * the shared region [ZUM_SHARED_BASE, ZUM_USER_TOP) alone. zx_process_create_shared adds a
 * process to the group: it gets a private restricted region [ZUM_USER_BASE, ZUM_RESTRICTED_TOP)
 * of its own and shares with the group the shared region's VMAR tree, the handle table and the
 * futexes at shared addresses (the group is their context, kobj/sys_futex.c).
 *
 * In zum every member is its own Linux process, so the shared region exists once in the
 * supervisor (one mm_aspace) and in every member's Linux address space: each mapping there is
 * the VMO's memfd mapped MAP_SHARED at the same address in every member. A change to the shared
 * tree (by a member, or by any process holding a VMAR handle) is applied in every live member
 * before the call returns (kcall_mm_apply -> kshare_mm_apply); a new member gets every existing
 * shared mapping before it can run. The Linux operations of a change are told apart by address:
 * in a group, operations at or above ZUM_SHARED_BASE are the shared region's, the others the
 * restricted region of the process they were asked for (Zircon's aspace_at).
 *
 * Lifetime: the share count (`live`) counts the members not yet dead. When the last one dies the
 * handle table is closed and the shared tree destroyed; until then a member's death leaves both
 * alone (its restricted region goes with it). A dead member keeps its `share` pointer (a
 * reference) so zx_process_create_shared can still name it while others live. */
#ifndef ZUM_KOBJ_SHARE_H_
#define ZUM_KOBJ_SHARE_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zircon/types.h>
#include <zum/abi-private.h>

#include "kobj/list.h"

struct kcall;
struct kproc;
struct kvmar;
struct mm_aspace;

struct kshare {
  uint32_t refs;            /* one per process that ever joined, dropped when it is destroyed */
  uint32_t live;            /* Zircon's share count: members not yet dead */
  struct list_node members; /* the live members (kproc.share_node), oldest first */
  struct kvmar* root;       /* the shared region's root VMAR (referenced) */
  zx_koid_t first_koid;     /* the creating process: the address space is "proc:<koid>" */
  /* The vDSO code mapping in the shared region (0 until made): every member's vdso_code_* and
   * vdso_base are these (Zircon reads them from the shared address space). */
  uint64_t vdso_code_start, vdso_code_end, vdso_base;
};

/* Makes p (just spawned, no address space yet) the first process of a new group, with a new
 * shared region as its root VMAR (p->root_vmar, bound to p). NO_MEMORY on failure (p unchanged). */
zx_status_t kshare_create(struct kproc* p);

/* Adds p (just spawned, INITIAL, with nothing in its table) to s with `restricted` (a new root
 * VMAR over the restricted region, whose reference p takes over): p's table becomes the group's,
 * its root VMAR the shared region's, its vDSO facts the group's. BAD_STATE if every member has
 * died. */
zx_status_t kshare_join(struct kshare* s, struct kproc* p, struct kvmar* restricted);

/* The Linux operations that put every mapping of the shared region into a new member, in
 * address order (one MAP per piece of uniform protection). *ops is malloc'ed (NULL when there
 * is nothing); returns the count, or SIZE_MAX when out of memory. */
size_t kshare_replica_ops(struct kshare* s, zum_work_op_t** ops);

/* True if ops (one change to one address space of a process in a group) are the shared
 * region's: address-space operations at or above ZUM_SHARED_BASE. */
bool kshare_ops_shared(const zum_work_op_t* ops, size_t n);

/* Applies a change of the shared region to every live member of s and finishes the call with
 * `status` once all have applied it (kworkq_apply_many; a host that applies work at once, as
 * unit-test hosts do, gets each member's mm_apply in turn). Returns what the handler returns,
 * as kcall_mm_apply. */
int64_t kshare_mm_apply(struct kcall* c, struct kshare* s, const zum_work_op_t* ops, size_t n,
                        zx_status_t status);

/* The vDSO code mapping was just made in address space `as`, recorded as target's (target is in
 * a group): in the shared region it becomes every member's; in target's restricted region it
 * does not count (Zircon takes the vDSO facts from the shared address space), so target's
 * values are put back. */
void kshare_vdso_mapped(struct kproc* target, const struct mm_aspace* as);

/* kproc_caps_wait for every member. */
bool kshare_caps_wait(struct kcall* c, struct kshare* s);
/* Whether every live member has a userfaultfd (kproc.uffd). */
bool kshare_all_uffd(const struct kshare* s);
/* Whether every live member sends faults it cannot resolve to zum_vm_fault (kproc.vm_fault). */
bool kshare_all_vm_fault(const struct kshare* s);

/* The root VMAR object of p's address space that covers addr: the restricted region's for a
 * member's private addresses, else p->root_vmar (may be NULL). */
struct kobj* kshare_vmar_at(const struct kproc* p, uint64_t addr);

/* kproc_on_exit for a process in a group (before its table reference is dropped): p leaves the
 * live members; its restricted region is destroyed; if it was the last, the group's handle
 * table is closed and the shared region destroyed, otherwise the shared region's Linux changes
 * go on to the remaining members. */
void kshare_process_exit(struct kproc* p);

/* proc_destroy for a process in a group: drops its restricted VMAR and its group reference. */
void kshare_release(struct kproc* p);

#endif
