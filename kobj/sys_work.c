/* work_done: the caller ran the address-space work it was handed (see zum_work_t). The host side
 * keeps the pending work; this only forwards. */
#include "host/platform.h"
#include "kobj/sysutil.h"
#include "sys-decls.h"

int64_t sys_work_done(struct kcall* c, zum_uaddr_t work) {
  if (!platform->work_done) return ZX_ERR_BAD_STATE;
  return platform->work_done(c->ref, work);
}
