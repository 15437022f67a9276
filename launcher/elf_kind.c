/* `zum run`'s check for Fuchsia-ABI programs (launcher/elf_kind.h). */
#include "launcher/elf_kind.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/guest/launch/elf_image.h"
#include "launcher/sv_paths.h"

/* Headers, program headers and notes sit at the start of any sane file. */
#define PEEK_BYTES (64u << 10)

bool elf_kind_is_fuchsia(const char* path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st;
  uint8_t* data = NULL;
  bool fuchsia = false;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) goto out;
  size_t want = st.st_size < (off_t)PEEK_BYTES ? (size_t)st.st_size : PEEK_BYTES;
  data = malloc(want ? want : 1);
  if (!data) goto out;
  ssize_t n = pread(fd, data, want, 0);
  if (n <= 0) goto out;
  struct elf_buf file = {.data = data, .size = (uint64_t)n, .base = 0};
  const Elf64_Ehdr* eh;
  if (elf_check_header(file, &eh) || eh->e_type != ET_DYN) goto out;
  const Elf64_Phdr* ph = elf_phdrs(file, eh);
  for (unsigned i = 0; i < eh->e_phnum; i++) {
    if (ph[i].p_type != PT_INTERP) continue;
    const char* interp = elf_at(file, ph[i].p_offset, ph[i].p_filesz);
    fuchsia = interp && ph[i].p_filesz == sizeof("ld.so.1") && memcmp(interp, "ld.so.1", 8) == 0;
    goto out;
  }
  fuchsia = !elf_has_gnu_abi_tag(file, eh);
out:
  free(data);
  close(fd);
  return fuchsia;
}

/* Kept reachable (volatile: the store must not be optimized away) so leak checkers see it. */
static char** volatile launch_argv;

char** elf_kind_launch_argv(char** argv, char** opts, int nopts) {
  if (!argv[0] || !elf_kind_is_fuchsia(argv[0])) return NULL;
  const char* launcher =
      sv_find_file("ZUM_LAUNCH", "zum-launch",
                   (const char* const[]){"zum-launch", "../libexec/zum/zum-launch", NULL},
                   ZUM_PKGLIBEXECDIR);
  if (!launcher) {
    fprintf(stderr, "zum: %s is a Fuchsia-ABI program, but zum-launch, which starts those, is "
                    "not installed next to zum, in ../libexec/zum or in %s (set ZUM_LAUNCH)\n",
            argv[0], ZUM_PKGLIBEXECDIR);
    exit(127);
  }
  size_t n = 0;
  while (argv[n]) n++;
  char** a = calloc(n + (size_t)nopts + 3, sizeof(char*));
  if (!a) {
    fprintf(stderr, "zum: out of memory\n");
    exit(127);
  }
  size_t k = 0;
  a[k++] = (char*)launcher; /* sv_find_file's static buffer */
  for (int i = 0; i < nopts; i++) a[k++] = opts[i];
  a[k++] = "--";
  for (size_t i = 0; i < n; i++) a[k++] = argv[i];
  launch_argv = a;
  return a;
}
