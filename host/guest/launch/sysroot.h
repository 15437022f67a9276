/* Where zum-launch finds a Fuchsia sysroot's dynamic linker and the shared libraries its loader
 * service hands out. */
#ifndef ZUM_LAUNCH_SYSROOT_H_
#define ZUM_LAUNCH_SYSROOT_H_

#include <stdbool.h>
#include <stddef.h>

#include "host/guest/launch/options.h"

/* At most this many library directories are searched (the rest are ignored, with a warning). */
#define SYSROOT_MAX_DIRS 32

struct sysroot {
  char* interp_path;  /* the dynamic linker's file, NULL until sysroot_find_interp succeeds */
  char* dirs[SYSROOT_MAX_DIRS];  /* the loader service's search path, in order */
  size_t ndirs;
};

/* Collects the loader service's search path, in this order: --lib-path values, ZUM_LIBRARY_PATH
 * (both colon-separated), the program's own directory, the sysroot's lib/ and dist/lib/, and,
 * for an SDK (FUCHSIA_SDK, or a sysroot named .../arch/x64/sysroot), its arch/x64/dist and
 * arch/x64/lib. Directories that do not exist are left out. */
void sysroot_collect_dirs(const struct launch_options* o, const char* prog, struct sysroot* s);

/* Finds the file of the dynamic linker `interp` (PT_INTERP, e.g. "ld.so.1") as lib/INTERP or
 * dist/lib/INTERP under the sysroot: --sysroot, else ZUM_SYSROOT, else
 * $FUCHSIA_SDK/arch/x64/sysroot. On failure writes why (naming those three) into `why` and
 * returns false. */
bool sysroot_find_interp(const struct launch_options* o, const char* interp, struct sysroot* s,
                         char* why, size_t why_size);

#endif
