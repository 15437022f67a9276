/* Address-space work (zum_work_t in <zum/abi-private.h>) inside a guest: one implementation for
 * the pure-process stub and libzum. Freestanding (raw system calls, no errno), so the stub links
 * the same file as the hosted library. */
#ifndef ZUM_HOST_GUEST_RUNTIME_OPS_H_
#define ZUM_HOST_GUEST_RUNTIME_OPS_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zum/abi-private.h>

/* What differs between the two kinds of process. */
typedef struct zum_ops_policy {
  /* Ops on a range outside [lo, hi) fail with EINVAL (so that no work can touch the stub). */
  uint64_t lo, hi;
  /* What RESERVE leaves behind. A pure process unmaps: it keeps no reservations (nothing there
   * maps without MAP_FIXED), and PROT_NONE mappings left behind would pile up until
   * vm.max_map_count. A hosted process maps the range back PROT_NONE, so that libc places
   * nothing there. */
  bool unmap_reserved;
  /* SET_FS/GS and GET_FS/GS (ZX_PROP_REGISTER_FS/GS) are served; otherwise they fail with
   * EINVAL. Only a pure process's threads have Zircon's registers. */
  bool thread_regs;
} zum_ops_policy_t;

/* Runs one op; returns 0 or a positive errno. The fd of a MAP or FAULT_SOURCE op is always
 * taken: a MAP's is closed, a FAULT_SOURCE's kept by the fault source until it is forgotten (MAP
 * and RESERVE forget the sources of their range), or closed when the op fails its range check. */
int zum_run_op(zum_work_op_t* op, const zum_ops_policy_t* p);

/* The zum page's do_work (and libzum's): the ops of w, after taking the fds of those that say
 * ZUM_WORK_FD_CHANNEL from the work channel `chan` (< 0: none); w->error is the first error. */
void zum_run_work(zum_work_t* w, int chan, const zum_ops_policy_t* p);

/* The ops of an agent's WORK message, given the fds that came with it, in the order of the ops
 * that carry one (zum_work_op_has_fd). An op that needs an fd when none is left fails with
 * EBADF and stops the work; fds left over are closed. Returns the first error. */
int zum_run_agent_work(zum_work_t* w, const int* fds, size_t nfds, const zum_ops_policy_t* p);

/* Closes fds[0..n): the fds of a message that carried some it had no use for. */
void zum_close_fds(const int* fds, size_t n);

#endif
