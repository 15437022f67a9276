/* Read-only descriptors of memfds for guests (host_memfd_dup_readonly, see host/sv/memfd.h).
 *
 * A dup shares the memfd's read-write open file; a read-only one must be a new open file, made
 * through /proc/self/fd/N. That open costs 10-25 us on the project's machine (a dup: 1.4 us), so
 * the first one made for a memfd is kept, by fd number, and later ones are dups of it. The kept
 * one is closed with its memfd (host_memfd_forget_readonly, from host_memfd_close and wherever the
 * fd number changes what it names), and a hit is checked against the memfd's inode, so a number
 * reused behind this file's back is never served the old memory. Cost: one fd per VMO that has
 * been mapped read-only, until it is closed. */
#include "host/sv/memfd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static int* kept; /* by memfd fd number: its read-only open file, or -1 */
static size_t nkept;

static bool same_file(int a, int b) {
  struct stat sa, sb;
  return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_ino == sb.st_ino &&
         sa.st_dev == sb.st_dev;
}

static int open_readonly(int fd) {
  char path[40];
  snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
  int r = open(path, O_RDONLY | O_CLOEXEC);
  return r >= 0 ? r : -errno;
}

int host_memfd_dup_readonly(int fd) {
  if (fd < 0) return -EBADF;
  size_t i = (size_t)fd;
  if (i < nkept && kept[i] >= 0) {
    if (same_file(kept[i], fd)) {
      int r = fcntl(kept[i], F_DUPFD_CLOEXEC, 0);
      return r >= 0 ? r : -errno;
    }
    close(kept[i]);
    kept[i] = -1;
  }
  int ro = open_readonly(fd);
  if (ro < 0) return ro;
  if (i >= nkept) {
    size_t n = nkept ? nkept : 64;
    while (n <= i) n *= 2;
    int* k = realloc(kept, n * sizeof(*k));
    if (!k) return ro; /* not kept: the caller's own */
    for (size_t j = nkept; j < n; j++) k[j] = -1;
    kept = k;
    nkept = n;
  }
  int r = fcntl(ro, F_DUPFD_CLOEXEC, 0);
  if (r < 0) return ro; /* out of fds: hand over the only one */
  kept[i] = ro;
  return r;
}

void host_memfd_forget_readonly(int fd) {
  if (fd < 0 || (size_t)fd >= nkept || kept[fd] < 0) return;
  close(kept[fd]);
  kept[fd] = -1;
}
