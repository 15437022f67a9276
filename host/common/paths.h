/* Finding zum's own files (the supervisor executable, the stub, the vDSO image) from wherever the
 * code asking runs: a build tree, an installed tree at any prefix (also after it was moved), or a
 * bare program linked with libzum. Shared by the supervisor and libzum. */
#ifndef ZUM_HOST_COMMON_PATHS_H_
#define ZUM_HOST_COMMON_PATHS_H_

#include <stdbool.h>
#include <stddef.h>

/* The directory part of `file` into out ("" when it has none). */
void zum_path_dir_of(char* out, size_t len, const char* file);

/* The directory of the running executable (/proc/self/exe). False if unknown. */
bool zum_path_exe_dir(char* out, size_t len);

/* The directory of the shared object whose code holds `code`. False when `code` is linked into
 * the executable itself (a static link) or its object has no path. */
bool zum_path_object_dir(char* out, size_t len, const void* code);

/* The first `dir`/rel[i] (rel NULL-terminated) that access() allows with `mode`, into out.
 * False if none. */
bool zum_path_first(char* out, size_t len, const char* dir, const char* const* rel, int mode);

/* `dir`/`name` into out if access() allows it with `mode`. */
bool zum_path_in(char* out, size_t len, const char* dir, const char* name, int mode);

#endif
