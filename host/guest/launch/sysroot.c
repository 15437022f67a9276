/* Finding the sysroot and the library search path (sysroot.h). */
#include "host/guest/launch/sysroot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SDK_ARCH "arch/x64"

static bool is_dir(const char* p) {
  struct stat st;
  return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_file(const char* p) {
  struct stat st;
  return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* A malloc'd "a/b", or NULL. */
static char* join(const char* a, const char* b) {
  size_t la = strlen(a), lb = strlen(b);
  char* p = malloc(la + lb + 2);
  if (!p) return NULL;
  memcpy(p, a, la);
  p[la] = '/';
  memcpy(p + la + 1, b, lb + 1);
  return p;
}

static void add_dir(struct sysroot* s, char* dir) {
  if (!dir) return;
  if (!is_dir(dir)) {
    free(dir);
    return;
  }
  for (size_t i = 0; i < s->ndirs; i++) {
    if (strcmp(s->dirs[i], dir) == 0) {
      free(dir);
      return;
    }
  }
  if (s->ndirs == SYSROOT_MAX_DIRS) {
    fprintf(stderr, "zum-launch: more than %d library directories: ignoring %s\n",
            SYSROOT_MAX_DIRS, dir);
    free(dir);
    return;
  }
  s->dirs[s->ndirs++] = dir;
}

static void add_path_list(struct sysroot* s, const char* list) {
  while (list && *list) {
    size_t n = strcspn(list, ":");
    if (n) add_dir(s, strndup(list, n));
    list += n;
    if (*list == ':') list++;
  }
}

/* The sysroot the user named, or NULL: --sysroot, ZUM_SYSROOT, FUCHSIA_SDK's. `*from` says
 * which. The string is malloc'd. */
static char* sysroot_dir(const struct launch_options* o, const char** from) {
  const char* e;
  if (o->sysroot) {
    *from = "--sysroot";
    return strdup(o->sysroot);
  }
  if ((e = getenv("ZUM_SYSROOT")) && *e) {
    *from = "ZUM_SYSROOT";
    return strdup(e);
  }
  if ((e = getenv("FUCHSIA_SDK")) && *e) {
    *from = "FUCHSIA_SDK";
    return join(e, SDK_ARCH "/sysroot");
  }
  return NULL;
}

/* The SDK's arch/x64 directory holding the sysroot `root`, or NULL. */
static char* sdk_arch_dir(const char* root) {
  const char* e = getenv("FUCHSIA_SDK");
  if (e && *e) return join(e, SDK_ARCH);
  size_t n = strlen(root);
  while (n > 1 && root[n - 1] == '/') n--;
  const char* tail = "/sysroot";
  size_t lt = strlen(tail);
  if (n <= lt || strncmp(root + n - lt, tail, lt) != 0) return NULL;
  return strndup(root, n - lt);
}

void sysroot_collect_dirs(const struct launch_options* o, const char* prog, struct sysroot* s) {
  for (size_t i = 0; i < o->nlib_paths; i++) add_path_list(s, o->lib_paths[i]);
  add_path_list(s, getenv("ZUM_LIBRARY_PATH"));
  const char* slash = strrchr(prog, '/');
  add_dir(s, slash ? strndup(prog, (size_t)(slash - prog) + (slash == prog)) : strdup("."));
  const char* from;
  char* root = sysroot_dir(o, &from);
  if (!root) return;
  add_dir(s, join(root, "lib"));
  add_dir(s, join(root, "dist/lib"));
  char* arch = sdk_arch_dir(root);
  if (arch) {
    add_dir(s, join(arch, "dist"));
    add_dir(s, join(arch, "lib"));
  }
  free(arch);
  free(root);
}

bool sysroot_find_interp(const struct launch_options* o, const char* interp, struct sysroot* s,
                         char* why, size_t why_size) {
  const char* from = NULL;
  char* root = sysroot_dir(o, &from);
  if (!root) {
    snprintf(why, why_size,
             "asks for the dynamic linker '%s' (PT_INTERP), which comes from a Fuchsia sysroot, "
             "and none is given: pass --sysroot=DIR to zum run (DIR holding lib/%s or "
             "dist/lib/%s), or set ZUM_SYSROOT=DIR, or FUCHSIA_SDK=the root of a Fuchsia SDK "
             "(which has " SDK_ARCH "/sysroot)",
             interp, interp, interp);
    return false;
  }
  const char* sub[] = {"lib", "dist/lib"};
  for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
    char* d = join(root, sub[i]);
    char* p = d ? join(d, interp) : NULL;
    free(d);
    if (p && is_file(p)) {
      s->interp_path = p;
      free(root);
      return true;
    }
    free(p);
  }
  snprintf(why, why_size,
           "asks for the dynamic linker '%s' (PT_INTERP), but the sysroot %s (from %s) has "
           "neither lib/%s nor dist/lib/%s",
           interp, root, from, interp, interp);
  free(root);
  return false;
}
