/* `zum run`'s look at PROGRAM: is it a Fuchsia-ABI ELF that zum-launch must start? */
#ifndef ZUM_LAUNCHER_ELF_KIND_H_
#define ZUM_LAUNCHER_ELF_KIND_H_

#include <stdbool.h>

/* True if `path` is an x86-64 ELF of type ET_DYN that is not a Linux program: either it has no
 * PT_INTERP and no GNU ABI-tag note (a Linux static-pie has one), or its PT_INTERP is Fuchsia's
 * "ld.so.1" (zum-launch starts those through a Fuchsia sysroot's ld.so.1). Unreadable files are
 * not. */
bool elf_kind_is_fuchsia(const char* path);

/* If argv[0] is a Fuchsia-ABI ELF, returns {zum-launch, opts..., "--", argv[0], argv[1], ...,
 * NULL} to run instead (opts: zum-launch's options, host/guest/launch/options.h); NULL
 * otherwise. zum-launch is found through ZUM_LAUNCH, next to the running program
 * (/proc/self/exe), in ../libexec/zum/ from it, or in the configured pkglibexecdir; if it is
 * nowhere, prints why and exits with status 127. The array lives until exit. */
char** elf_kind_launch_argv(char** argv, char** opts, int nopts);

#endif
