/* work_done: the caller ran the address-space work it was handed (see zum_work_t); its queue
 * (kobj/workq.h) moves on. */
#include <errno.h>

#include "kobj/sysutil.h"
#include "kobj/workq.h"
#include "sys-decls.h"

int64_t sys_work_done(struct kcall* c, zum_uaddr_t work) {
  struct {
    uint32_t num_ops;
    int32_t error;
  } hdr;
  /* A block the thread cannot show is as bad as work it could not do. */
  if (kcall_copy_in(c, &hdr, work, sizeof(hdr)) != ZX_OK) hdr.error = EFAULT;
  return kworkq_done(c, work, hdr.error);
}
