/* zum_vm_fault: memory faults a guest's runtime could not resolve itself (DESIGN.md section 5).
 *
 * Two kinds reach here, both from a SIGBUS the guest's userfaultfd raised:
 *  - a page of a copy-on-write child missing from its memfd, where the guest has no fault source
 *    (a clone of a clone, a resizable VMO): the page, and on sequential faults the ones after it,
 *    get their copies in the child's memfd, and the retried access finds them;
 *  - a write to a page the supervisor write-protected because snapshots of the store still read
 *    it (kvmo_guard_piece): the snapshots take their copy first, then the protection of that page
 *    is lifted in the faulting process.
 * Anything else (no mapping, an access the mapping does not allow, past the VMO's end) is a real
 * fault: the answer is an error and the guest reports the fault as before. */
#include <errno.h>
#include <zum/abi-private.h>

#include "kobj/share.h"
#include "kobj/sysutil.h"
#include "kobj/task.h"
#include "kobj/vmar.h"
#include "kobj/vmo.h"
#include "mm/vmar.h"
#include "mm/vmo.h"
#include "sys-decls.h"

#define PAGE ((uint64_t)MM_PAGE_SIZE)
#define MAX_BATCH 16u

int64_t sys_vm_fault(struct kcall* c, uint64_t addr, uint32_t flags) {
  if (flags & ~ZUM_VM_FAULT_WRITE) return ZX_ERR_INVALID_ARGS;
  struct kproc* p = c->proc;
  uint64_t page = addr & ~(PAGE - 1);
  struct kobj* root = kshare_vmar_at(p, page);
  if (!root || !mm_region_alive(to_kvmar(root)->region)) return ZX_ERR_BAD_STATE;
  struct mm_region* m = mm_find_mapping(to_kvmar(root)->region, page);
  if (!m) return ZX_ERR_NOT_FOUND;
  bool write = flags & ZUM_VM_FAULT_WRITE;
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
    if (kvmo_guard_window(v, off, PAGE) != ZX_OK) return ZX_ERR_NO_MEMORY;
    if (p->host_ops && p->host_ops->uffd_release) {
      int e = p->host_ops->uffd_release(p->host, page, PAGE);
      /* ENOSYS: no userfaultfd here, so nothing was protected; ENOENT: unmapped meanwhile (the
       * retried access faults for real). */
      if (e != 0 && e != ENOSYS && e != ENOENT) return ZX_ERR_BAD_STATE;
    }
  }
  return ZX_OK;
}
