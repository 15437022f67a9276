/* zum-launch's command line (options.h). */
#include "host/guest/launch/options.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char** environ;

static bool oom(void) {
  fprintf(stderr, "zum-launch: out of memory\n");
  return false;
}

/* Removes every entry for `key` (an entry "key=..." or a bare "key"). */
static void env_unset(struct launch_options* o, const char* key, size_t klen) {
  size_t j = 0;
  for (size_t i = 0; i < o->nenviron; i++) {
    const char* e = o->environ[i];
    bool match = strncmp(e, key, klen) == 0 && (e[klen] == '=' || e[klen] == '\0');
    if (!match) o->environ[j++] = o->environ[i];
  }
  o->nenviron = j;
  o->environ[j] = NULL;
}

static bool env_set(struct launch_options* o, char* kv) {
  env_unset(o, kv, strcspn(kv, "="));
  char** e = realloc(o->environ, (o->nenviron + 2) * sizeof(char*));
  if (!e) return oom();
  o->environ = e;
  e[o->nenviron++] = kv;
  e[o->nenviron] = NULL;
  return true;
}

/* A usage error: nothing parsed is kept. */
static bool give_up(struct launch_options* o) {
  free(o->environ);
  free(o->lib_paths);
  memset(o, 0, sizeof(*o));
  return false;
}

bool launch_options_parse(int argc, char** argv, struct launch_options* o) {
  memset(o, 0, sizeof(*o));
  size_t n = 0;
  while (environ && environ[n]) n++;
  o->environ = calloc(n + 1, sizeof(char*));
  o->lib_paths = calloc((size_t)argc + 1, sizeof(char*));
  if (!o->environ || !o->lib_paths) return oom() || give_up(o);
  memcpy(o->environ, environ, n * sizeof(char*));
  o->nenviron = n;
  int i = 1;
  for (; i < argc; i++) {
    char* a = argv[i];
    if (strcmp(a, "--") == 0) {
      i++;
      break;
    }
    if (strncmp(a, "--", 2) != 0) break;
    if (strncmp(a, "--sysroot=", 10) == 0 && a[10]) {
      o->sysroot = a + 10;
    } else if (strncmp(a, "--lib-path=", 11) == 0) {
      o->lib_paths[o->nlib_paths++] = a + 11;
    } else if (strncmp(a, "--env=", 6) == 0 && a[6] && a[6] != '=' && strchr(a + 6, '=')) {
      if (!env_set(o, a + 6)) return give_up(o);
    } else if (strncmp(a, "--unset-env=", 12) == 0 && a[12] && !strchr(a + 12, '=')) {
      env_unset(o, a + 12, strlen(a + 12));
    } else if (strcmp(a, "--clear-env") == 0) {
      o->nenviron = 0;
      o->environ[0] = NULL;
    } else {
      fprintf(stderr, "zum-launch: bad option %s\n", a);
      return give_up(o);
    }
  }
  if (i >= argc || argv[i][0] == '\0') {
    fprintf(stderr,
            "usage: zum-launch [--sysroot=DIR] [--lib-path=DIRS] [--env=K=V] [--unset-env=K] "
            "[--clear-env] [--] PROG [ARGS...]\n"
            "Starts PROG, a Fuchsia-ABI ELF program, as a pure Zircon process and exits with its "
            "return code. A program without PT_INTERP is loaded by zum-launch (linked against "
            "libzircon.so only); one whose PT_INTERP is ld.so.1 is started through the Fuchsia "
            "sysroot's ld.so.1 (--sysroot, ZUM_SYSROOT or FUCHSIA_SDK), with a loader service for "
            "its shared libraries (--lib-path, ZUM_LIBRARY_PATH, PROG's directory, the sysroot).\n");
    return give_up(o);
  }
  o->argc = argc - i;
  o->argv = argv + i;
  return true;
}
