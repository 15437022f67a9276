/* Copy-on-write: the kernel's decisions, which know processes and what their runtimes can do.
 * The story, in order, and which function makes each decision, is at the top of kobj/cow.c;
 * the page-level mechanics are mm/vmo.c's (DESIGN.md section 5). */
#ifndef ZUM_KOBJ_COW_H_
#define ZUM_KOBJ_COW_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zircon/types.h>

struct kcall;
struct kproc;
struct kvmo;
struct mm_ops;
struct mm_region;

/* Protections of existing mappings a call queued behind work still on its way to their
 * processes: the call returns only once they are applied (kguard_wait_finish). */
struct kguard_wait;

/* ---- what a process's runtime can do */

/* Decisions by p->uffd / vm_fault / wp need what p's runtime can do, which it says once it is
 * up (a stub or libzum constructor still starting has not yet). A handler that makes them asks
 * first, before it changes anything: true means known (or never to be known: p has no runtime
 * to say it, or is gone); false means c is parked until the host has read it, and the handler
 * returns KCALL_PARKED. The call then runs again from its start (kcall_rerun), so it happens
 * once, with the capabilities known. The supervisor never waits for a runtime. */
bool kproc_caps_wait(struct kcall* c, struct kproc* p);
/* Sets up p's (empty) list of such calls and the deadline that bounds their wait
 * (kworkq_deadline: past it p is killed as unresponsive and they run again without it). */
void kproc_caps_init(struct kproc* p);
/* The host has read p's capabilities, or they can no longer come: the calls waiting for them
 * run again (deferred: kobj_run_deferred). */
void kproc_caps_learnt(struct kproc* p);

/* ---- creating a snapshot (zx_vmo_create_child) */

/* Before a snapshot of v is made: kproc_caps_wait for every process that maps v's store
 * writable (kcow_snapshot_guard decides by what they can do). */
bool kcow_snapshot_ready(struct kcall* c, struct kvmo* v);
/* A snapshot of v was just linked under it: the store's writable mappings are write-protected
 * or guarded now. Protections queued behind pending work are counted in *wait (allocated here,
 * NULL until needed); the handler then ends with kguard_wait_finish. */
zx_status_t kcow_snapshot_guard(struct kvmo* v, struct kguard_wait** wait);
/* What a handler that passed *wait returns for `result`: result itself when nothing is pending
 * (or result is an error), else c parks until the last protection is applied. */
int64_t kguard_wait_finish(struct kguard_wait* w, struct kcall* c, int64_t result);

/* ---- mapping (zx_vmar_map, a new shared-region member) */

/* Whether kcow_map can decide for a mapping of vmo in target: what every process that gets the
 * mapping can do is known, or c is parked until it is (kproc_caps_wait). */
bool kcow_map_ready(struct kcall* c, struct kproc* target, struct kvmo* vmo);
/* How the new mapping m (at base, of [vmo_offset, ...) of vmo, in target; NULL: no process) of
 * a copy-on-write setting reaches Linux: flags on its MAP op in ops (ZUM_MAP_UFFD, ZUM_MAP_WP),
 * a fault source op after it, or pages copied or guarded now. NO_MEMORY when out of memory. */
zx_status_t kcow_map(struct kproc* target, struct kvmo* vmo, struct mm_region* m, uint64_t base,
                     uint64_t vmo_offset, bool writable, struct mm_ops* ops);
/* A new member of a shared-process group gets the existing mapping of [off, off+len) of vmo
 * before its runtime has said what it can do: the fallback. */
zx_status_t kcow_map_replica(struct kvmo* vmo, uint64_t off, uint64_t len);

/* ---- making mappings writable (zx_vmar_protect) */

/* Before a protection `prot` (MM_PROT_*) is applied in target: false parks c (kproc_caps_wait). */
bool kcow_protect_ready(struct kcall* c, struct kproc* target, uint32_t prot);
/* The PROTECT ops of ops made ranges of vmar (a region of target's) writable: the snapshots of
 * what they map are kept out of the writes to come. A protection queued behind earlier work
 * comes before the call's own work, so nothing waits. */
zx_status_t kcow_protect(struct kproc* target, struct mm_region* vmar, const struct mm_ops* ops);

/* ---- faults the guest cannot resolve (zum_vm_fault) */

/* A SIGBUS at addr in p (write: a write access): OK when the retried access will find the page
 * (filled, or its write protection lifted); an error for a real fault. */
zx_status_t kcow_vm_fault(struct kproc* p, uint64_t addr, bool write);

/* ---- the supervisor's own user copies */

/* The guest memory [addr, addr+len) of p that a host read or write could not reach in one go,
 * page by page, through the VMOs the mappings show where the host is refused (kcall_copy_in,
 * kcall_copy_out). INVALID_ARGS where the access really faults. */
zx_status_t kcow_user_copy(struct kproc* p, uint64_t addr, uint8_t* buf, size_t len, bool write);

#endif
