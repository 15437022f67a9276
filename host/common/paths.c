#include "host/common/paths.h"

#include <dlfcn.h>
#include <link.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void zum_path_dir_of(char* out, size_t len, const char* file) {
  snprintf(out, len, "%s", file);
  char* slash = strrchr(out, '/');
  if (slash == out) slash[1] = 0;
  else if (slash) *slash = 0;
  else out[0] = 0;
}

bool zum_path_exe_dir(char* out, size_t len) {
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n <= 0) return false;
  exe[n] = 0;
  zum_path_dir_of(out, len, exe);
  return out[0] != 0;
}

/* The executable's link map has an empty name; a shared object's is the path it was loaded
 * from (absolute when found through an absolute or $ORIGIN run path). */
bool zum_path_object_dir(char* out, size_t len, const void* code) {
  Dl_info info;
  struct link_map* map = NULL;
  if (!dladdr1(code, &info, (void**)&map, RTLD_DL_LINKMAP) || !map || !map->l_name) return false;
  if (!map->l_name[0] || !strchr(map->l_name, '/')) return false;
  zum_path_dir_of(out, len, map->l_name);
  return out[0] != 0;
}

bool zum_path_in(char* out, size_t len, const char* dir, const char* name, int mode) {
  int n = snprintf(out, len, "%s/%s", dir, name);
  return n > 0 && (size_t)n < len && access(out, mode) == 0;
}

bool zum_path_first(char* out, size_t len, const char* dir, const char* const* rel, int mode) {
  for (const char* const* r = rel; *r; r++)
    if (zum_path_in(out, len, dir, *r, mode)) return true;
  return false;
}
