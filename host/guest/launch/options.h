/* zum-launch's command line: the options `zum run` passes on for Fuchsia programs, and the
 * environment the program gets. */
#ifndef ZUM_LAUNCH_OPTIONS_H_
#define ZUM_LAUNCH_OPTIONS_H_

#include <stdbool.h>
#include <stddef.h>

struct launch_options {
  const char* sysroot;     /* --sysroot=DIR, or NULL */
  const char** lib_paths;  /* --lib-path=DIR[:DIR...] values, in order */
  size_t nlib_paths;
  char** environ;          /* the program's environment (NULL-terminated) */
  size_t nenviron;
  int argc;                /* the program and its arguments, exactly as given */
  char** argv;
};

/* Parses `zum-launch [OPTIONS] [--] PROG [ARGS...]`:
 *   --sysroot=DIR        the Fuchsia sysroot whose lib/ld.so.1 starts PT_INTERP programs
 *   --lib-path=DIRS      colon-separated directories the loader service searches first
 *   --env=K=V            set K in the program's environment
 *   --unset-env=K        remove K
 *   --clear-env          start from an empty environment instead of zum-launch's own
 * The environment options apply in the order given. On a usage error prints why and returns
 * false. */
bool launch_options_parse(int argc, char** argv, struct launch_options* o);

#endif
