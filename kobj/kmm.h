/* How kernel objects change a process's Linux address space. mm/ decides what the VMAR tree
 * looks like; the resulting Linux operations are applied through here, by whatever the host has
 * in that process (the calling thread itself, or the process's agent). */
#ifndef ZUM_KOBJ_KMM_H_
#define ZUM_KOBJ_KMM_H_

#include <stddef.h>
#include <stdint.h>
#include <zircon/types.h>
#include <zum/abi-private.h>

struct kcall;
struct kproc;

/* One Linux operation on a guest address space is a zum_work_op_t (<zum/abi-private.h>), the
 * record the guest runs, from mm/ where it is planned to the wire: kind is a ZUM_WORK_* value,
 * prot ZX_VM_PERM_* bits; fd is a host memory fd (ops with zum_work_op_has_fd), which stays
 * owned by its VMO (queued work holds a duplicate, which the host puts into the guest). */

/* Applies ops, in order, to `target`'s address space and then finishes the call with `status`:
 * the handler returns whatever this returns (status itself, KCALL_PARKED, or ZUM_STATUS_WORK for
 * work handed back to the calling thread). Mapping changes reach the process before the call
 * returns, as on Zircon. With n == 0, or a target that is already dead, returns status. If target
 * is in a shared-process group and ops change its shared region, they are applied to every live
 * member of the group before the call finishes (kobj/share.h). Defined with the fan-out it decides,
 * in kobj/share.c. */
int64_t kcall_mm_apply(struct kcall* c, struct kproc* target, const zum_work_op_t* ops, size_t n,
                       zx_status_t status);
/* The same for target alone, whatever region the ops change (a new member of a shared-process
 * group getting the shared region's existing mappings). Defined in kobj/workq.c: the process's
 * work queue, or the host at once. */
int64_t kcall_mm_apply_one(struct kcall* c, struct kproc* target, const zum_work_op_t* ops,
                           size_t n, zx_status_t status);

#endif
