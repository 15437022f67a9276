/* Applying address-space work to guests (see zum_work_t in <zum/abi-private.h>). */
#ifndef ZUM_LAUNCHER_SV_WORK_H_
#define ZUM_LAUNCHER_SV_WORK_H_

#include <stdint.h>

struct kcall;

/* khost_ops.work_done. */
int64_t sv_work_done(struct kcall* c, uint64_t work_addr);

#endif
