/* Which zum executable a bare program starts as its supervisor (host/guest/libzum/bare.c). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "host/common/paths.h"
#include "host/guest/libzum/runtime.h"

/* Relative to libzum.so: an installed tree ($prefix/lib, or a multiarch $prefix/lib/<triplet>)
 * keeps zum in $prefix/bin; a build tree has libzum in build/.libs and zum in build. */
static const char* const beside_library[] = {"../bin/zum", "../zum", "../../bin/zum", NULL};
/* Relative to an executable libzum is linked into (zum-launch): build/zum-launch beside
 * build/zum, or $prefix/libexec/zum/zum-launch. */
static const char* const beside_executable[] = {"zum", "../../bin/zum", NULL};

static __attribute__((noreturn)) void not_found(void) {
  fprintf(stderr,
          "zum: this program runs bare (not under `zum run`) and needs the zum executable as its "
          "supervisor, but found none beside libzum or in %s; set ZUM_SUPERVISOR=/path/to/zum\n",
          ZUM_BINDIR);
  _exit(127);
}

/* $ZUM_SUPERVISOR, else beside libzum's own file, else (libzum linked statically) beside the
 * executable, else configure's $(bindir). The lookup is relative so that an installed tree
 * still works after it is moved. */
void zum_hosted_supervisor_path(char* out, size_t len) {
  const char* env = getenv("ZUM_SUPERVISOR");
  if (env && *env) {
    snprintf(out, len, "%s", env);
    if (access(out, X_OK) == 0) return;
    fprintf(stderr, "zum: ZUM_SUPERVISOR=%s is not an executable zum\n", env);
    _exit(127);
  }
  char dir[4096];
  if (zum_path_object_dir(dir, sizeof(dir), (const void*)&zum_hosted_supervisor_path)) {
    if (zum_path_first(out, len, dir, beside_library, X_OK)) return;
  } else if (zum_path_exe_dir(dir, sizeof(dir)) &&
             zum_path_first(out, len, dir, beside_executable, X_OK)) {
    return;
  }
  if (zum_path_in(out, len, ZUM_BINDIR, "zum", X_OK)) return;
  not_found();
}
