#include "launcher/sv_paths.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct found {
  const char* key;
  char path[8400];
};

static struct found cache[4];

static void dir_of(char* buf, size_t len, const char* file) {
  snprintf(buf, len, "%s", file);
  char* slash = strrchr(buf, '/');
  if (slash) *slash = 0;
  else buf[0] = 0;
}

const char* sv_find_file(const char* env_var, const char* name, const char* const* rel,
                         const char* fallback_dir) {
  struct found* f = NULL;
  for (size_t i = 0; i < sizeof(cache) / sizeof(cache[0]); i++) {
    if (cache[i].key == env_var || !cache[i].key) {
      f = &cache[i];
      break;
    }
  }
  if (!f) f = &cache[0];
  f->key = env_var;
  const char* env = getenv(env_var);
  if (env && *env) {
    snprintf(f->path, sizeof(f->path), "%s", env);
    return access(f->path, R_OK) == 0 ? f->path : NULL;
  }
  char dirs[2][4096] = {{0}, {0}};
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n > 0) {
    exe[n] = 0;
    dir_of(dirs[0], sizeof(dirs[0]), exe);
  }
  Dl_info info;
  if (dladdr((void*)sv_find_file, &info) && info.dli_fname && strchr(info.dli_fname, '/'))
    dir_of(dirs[1], sizeof(dirs[1]), info.dli_fname);
  for (int d = 0; d < 2; d++) {
    if (!dirs[d][0]) continue;
    for (const char* const* r = rel; *r; r++) {
      snprintf(f->path, sizeof(f->path), "%s/%s", dirs[d], *r);
      if (access(f->path, R_OK) == 0) return f->path;
    }
  }
  snprintf(f->path, sizeof(f->path), "%s/%s", fallback_dir, name);
  return access(f->path, R_OK) == 0 ? f->path : NULL;
}
