/* Address-space work (zum_work_t) in a pure process: host/guest/runtime/ops.c, confined to the
 * Zircon user range so that no work can touch the stub. */
#include "host/guest/runtime/ops.h"

#include "host/guest/stub/private.h"

int stub_work_channel;

const zum_ops_policy_t stub_ops_policy = {
    .lo = ZUM_USER_BASE,
    .hi = ZUM_USER_TOP,
    .unmap_reserved = true,
    .thread_regs = true,
};

/* The zum page's do_work hook, called by the vDSO on a guest thread. */
void stub_do_work(zum_work_t* w) {
  zum_run_work(w, stub_work_channel ? WORK_FD : -1, &stub_ops_policy);
}
