/* Finding zum's own files (the stub, the vDSO image, zum-launch) from wherever zum runs: a build
 * tree or an installed tree at any prefix. A bare program's supervisor is zum too. */
#ifndef ZUM_LAUNCHER_SV_PATHS_H_
#define ZUM_LAUNCHER_SV_PATHS_H_

/* Returns the first existing file among: $env_var; each of `rel` (NULL-terminated) relative to
 * the directory of the running executable; finally `fallback_dir`/`name`. NULL if none exists.
 * The result lives until the next call with the same env_var. */
const char* sv_find_file(const char* env_var, const char* name, const char* const* rel,
                         const char* fallback_dir);

int sv_vdso_load(void);

#endif
