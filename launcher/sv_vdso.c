/* Loads zum's vDSO image (libzircon.so) into a VMO at start-up, as Zircon's kernel keeps its
 * vDSO in a read-only VMO, here a sealed memfd. */
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/sv/memfd.h"
#include "kobj/vdso.h"
#include "kobj/vmo.h"
#include "launcher/sv_paths.h"

/* Finds the code segment: the one executable PT_LOAD. Returns 0 or -1. */
static int code_segment(const unsigned char* img, size_t len, uint64_t* off, uint64_t* size) {
  if (len < sizeof(Elf64_Ehdr) || memcmp(img, ELFMAG, SELFMAG) != 0) return -1;
  const Elf64_Ehdr* eh = (const Elf64_Ehdr*)img;
  if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phoff > len ||
      eh->e_phnum > (len - eh->e_phoff) / sizeof(Elf64_Phdr))
    return -1;
  const Elf64_Phdr* ph = (const Elf64_Phdr*)(img + eh->e_phoff);
  int found = 0;
  for (unsigned i = 0; i < eh->e_phnum; i++) {
    if (ph[i].p_type != PT_LOAD || !(ph[i].p_flags & PF_X)) continue;
    if (ph[i].p_offset != ph[i].p_vaddr || (ph[i].p_offset & 4095)) return -1;
    *off = ph[i].p_offset;
    *size = (ph[i].p_memsz + 4095) & ~4095ull;
    found++;
  }
  return found == 1 ? 0 : -1;
}

int sv_vdso_load(void) {
  const char* path =
      sv_find_file("ZUM_VDSO", "libzircon.so",
                   (const char* const[]){"libzircon.so", "../lib/libzircon.so", NULL}, ZUM_LIBDIR);
  if (!path) return -1;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  struct stat st;
  unsigned char* img = NULL;
  int ok = -1;
  if (fstat(fd, &st) == 0 && st.st_size > 0 && st.st_size < (64 << 20)) {
    img = malloc((size_t)st.st_size);
    if (img && pread(fd, img, (size_t)st.st_size, 0) == st.st_size) ok = 0;
  }
  close(fd);
  uint64_t off = 0, size = 0;
  if (ok == 0) ok = code_segment(img, (size_t)st.st_size, &off, &size);
  struct kvmo* v = NULL;
  if (ok == 0) {
    uint64_t rounded = ((uint64_t)st.st_size + 4095) & ~4095ull;
    if (rounded < off + size) rounded = off + size;
    ok = kvmo_create(NULL, 0, rounded, rounded, &v) == ZX_OK ? 0 : -1;
  }
  if (ok == 0 && pwrite(kvmo_fd(v), img, (size_t)st.st_size, 0) != st.st_size) ok = -1;
  /* One memfd holds the vDSO of every process: sealed, no guest can make its mapping writable
   * (an mprotect of the shared mapping, a writable mmap or a write to a descriptor it holds all
   * fail with EPERM), so none can change the code another process runs. The VMO handle's
   * rights (KVDSO_RIGHTS, no WRITE) keep zx_vmo_write and the like out already. */
  if (ok == 0 && host_memfd_seal(kvmo_fd(v)) != ZX_OK) ok = -1;
  if (ok == 0) {
    kobj_set_name((struct kobj*)v, "vdso/next", 9);
    kvdso_set(v, off, size);
  }
  if (v) kobj_unref((struct kobj*)v);
  free(img);
  if (ok != 0) fprintf(stderr, "zum: cannot load the vDSO image %s\n", path);
  return ok;
}
