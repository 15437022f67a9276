#include "launcher/sv_paths.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "host/common/paths.h"

struct found {
  const char* key;
  char path[8400];
};

static struct found cache[4];

static struct found* slot_for(const char* env_var) {
  for (size_t i = 0; i < sizeof(cache) / sizeof(cache[0]); i++)
    if (cache[i].key == env_var || !cache[i].key) return &cache[i];
  return &cache[0];
}

const char* sv_find_file(const char* env_var, const char* name, const char* const* rel,
                         const char* fallback_dir) {
  struct found* f = slot_for(env_var);
  f->key = env_var;
  const char* env = getenv(env_var);
  if (env && *env) {
    snprintf(f->path, sizeof(f->path), "%s", env);
    return access(f->path, R_OK) == 0 ? f->path : NULL;
  }
  char dir[4096];
  if (zum_path_exe_dir(dir, sizeof(dir)) &&
      zum_path_first(f->path, sizeof(f->path), dir, rel, R_OK))
    return f->path;
  return zum_path_in(f->path, sizeof(f->path), fallback_dir, name, R_OK) ? f->path : NULL;
}
