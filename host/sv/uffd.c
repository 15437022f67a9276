/* See host/sv/uffd.h. */
#include "host/sv/uffd.h"

#include <errno.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>

int host_uffd_write_protect(int uffd, uint64_t addr, uint64_t len, bool missing) {
  if (uffd < 0) return ENOSYS;
  /* Registering again with the same userfaultfd replaces the range's modes: a copy-on-write
   * mapping the guest registered for missing pages keeps that mode. */
  struct uffdio_register reg = {
      .range = {.start = addr, .len = len},
      .mode = UFFDIO_REGISTER_MODE_WP | (missing ? UFFDIO_REGISTER_MODE_MISSING : 0),
  };
  if (ioctl(uffd, UFFDIO_REGISTER, &reg) != 0) return errno;
  struct uffdio_writeprotect wp = {.range = {.start = addr, .len = len},
                                   .mode = UFFDIO_WRITEPROTECT_MODE_WP};
  for (;;) {
    if (ioctl(uffd, UFFDIO_WRITEPROTECT, &wp) == 0) return 0;
    if (errno != EAGAIN) return errno; /* EAGAIN: the address space was changing; again */
  }
}

int host_uffd_release(int uffd, uint64_t addr, uint64_t len) {
  if (uffd < 0) return ENOSYS;
  struct uffdio_writeprotect wp = {.range = {.start = addr, .len = len}, .mode = 0};
  for (;;) {
    if (ioctl(uffd, UFFDIO_WRITEPROTECT, &wp) == 0) return 0;
    if (errno != EAGAIN) return errno;
  }
}
