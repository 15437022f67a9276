/* The supervisor: owns every kernel object, receives trapped calls from every guest, dispatches
 * them to kobj/ and replies. Single-threaded; blocking calls are parked, never block it. */
#ifndef ZUM_LAUNCHER_SUPERVISOR_H_
#define ZUM_LAUNCHER_SUPERVISOR_H_

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "kobj/quota.h"

struct sv_options {
  FILE* trace;         /* non-NULL: one line per Zircon call */
  const char* argv0;
  /* Layout randomisation: with `seeded`, VMAR placement is reproducible from `seed`. */
  bool seeded;
  uint64_t seed;
  /* Bare mode: the program (the supervisor's parent), killed with its descendants by the reaper
   * if the supervisor dies first (host/sv/reaper.c); 0 under `zum run`. */
  pid_t bare_guest;
  /* `zum run --root-resource`: the first process gets the root resource (PA_RESOURCE) and the
   * ranged root resources (PA_MMIO_RESOURCE...) as Zircon's userboot does. Off by default. */
  bool root_resource;
  /* Where debuglog lines go (NULL: stderr). */
  FILE* debuglog;
  /* zum run --limit-*: what guests may hold (kobj/quota.h; zeros: the defaults). */
  struct kquota_options quota;
  /* zum run --work-deadline: kworkq_deadline in ns, when work_deadline_set (kobj/workq.h). */
  bool work_deadline_set;
  int64_t work_deadline;
};

/* Sets up the loop, installs the platform (launcher/sv_platform.c) and makes the root job.
 * Returns 0 or -errno. */
int sv_init(const struct sv_options* opts);

/* zum run: starts `path` as the first process (root job -> its job -> it), serves every guest
 * until it exits, kills what is left, and returns its Zircon return code. On a start failure
 * returns INT64_MIN and prints why. */
int64_t sv_run_first(const char* path, char* const argv[]);

/* Bare mode: the calling program's parent `guest` installed the filter and sent its listener over
 * `sock`; serve it until it exits. Never returns. */
__attribute__((noreturn)) void sv_serve_bare(int sock, pid_t guest);

#endif
