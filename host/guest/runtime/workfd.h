/* The runtime's side of the work channel (ZUM_WORK_FD_CHANNEL in <zum/abi-private.h>), shared by
 * the pure-process stub and libzum. */
#ifndef ZUM_ABI_RUNTIME_WORKFD_H_
#define ZUM_ABI_RUNTIME_WORKFD_H_

#include <zum/abi-private.h>

/* Gives the ops of w that say ZUM_WORK_FD_CHANNEL their fds: the message carrying w's token on
 * the work channel `chan` (older messages are stale: their fds are closed). An op left without
 * one gets -1, so its mmap fails with EBADF. chan < 0: no channel. Freestanding. */
void zum_take_work_fds(int chan, zum_work_t* w);

#endif
