/* memfds as VMO memory. See host/sv/memfd.h. */
#include "host/sv/memfd.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PAGE 4096u

static zx_status_t status_of(int err) {
  switch (err) {
    case ENOMEM:
    case ENOSPC:
    case EMFILE:
    case ENFILE:
    case EDQUOT:
      return ZX_ERR_NO_MEMORY;
    case EFBIG:
    case EINVAL:
      return ZX_ERR_OUT_OF_RANGE;
    case EPERM: /* a sealed memfd (the vDSO) */
      return ZX_ERR_ACCESS_DENIED;
    default:
      return ZX_ERR_IO;
  }
}

zx_status_t host_memfd_create(uint64_t size, int* out_fd) {
  if (size > HOST_MEMFD_MAX_SIZE) return ZX_ERR_OUT_OF_RANGE;
  int fd = memfd_create("zum-vmo", MFD_CLOEXEC);
  if (fd < 0) return status_of(errno);
  if (ftruncate(fd, (off_t)size) != 0) {
    zx_status_t s = status_of(errno);
    close(fd);
    return s;
  }
  *out_fd = fd;
  return ZX_OK;
}

zx_status_t host_memfd_seal(int fd) {
  /* Sealing needs MFD_ALLOW_SEALING at creation, which ordinary VMO memfds do without (a guest
   * holding one could seal it under the supervisor): copy into one that allows it. */
  struct stat st;
  if (fstat(fd, &st) != 0) return status_of(errno);
  int s = memfd_create("zum-vmo", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (s < 0) return status_of(errno);
  zx_status_t r = ZX_OK;
  if (ftruncate(s, st.st_size) != 0) r = status_of(errno);
  char buf[65536];
  for (off_t off = 0; r == ZX_OK && off < st.st_size;) {
    size_t n = st.st_size - off < (off_t)sizeof(buf) ? (size_t)(st.st_size - off) : sizeof(buf);
    r = host_memfd_read(fd, (uint64_t)off, buf, n);
    if (r == ZX_OK) r = host_memfd_write(s, (uint64_t)off, buf, n);
    off += (off_t)n;
  }
  if (r == ZX_OK &&
      fcntl(s, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0)
    r = status_of(errno);
  if (r == ZX_OK) {
    host_memfd_forget_window(fd);
    host_memfd_forget_readonly(fd);
    if (dup3(s, fd, O_CLOEXEC) < 0) r = status_of(errno);
  }
  close(s);
  return r;
}

int host_memfd_dup(int fd) {
  int r = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  return r >= 0 ? r : -errno;
}

void host_memfd_close(int fd) {
  if (fd < 0) return;
  host_memfd_forget_window(fd);
  host_memfd_forget_readonly(fd);
  close(fd);
}

zx_status_t host_memfd_resize(int fd, uint64_t size) {
  if (size > HOST_MEMFD_MAX_SIZE) return ZX_ERR_OUT_OF_RANGE;
  while (ftruncate(fd, (off_t)size) != 0) {
    if (errno != EINTR) return status_of(errno);
  }
  return ZX_OK;
}

zx_status_t host_memfd_read(int fd, uint64_t off, void* buf, size_t len) {
  uint8_t* p = buf;
  while (len > 0) {
    ssize_t n = pread(fd, p, len, (off_t)off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return status_of(errno);
    }
    if (n == 0) {
      /* Past the end: zeros, as the part of a VMO the memfd does not cover. */
      memset(p, 0, len);
      return ZX_OK;
    }
    p += n;
    off += (uint64_t)n;
    len -= (size_t)n;
  }
  return ZX_OK;
}

zx_status_t host_memfd_write(int fd, uint64_t off, const void* buf, size_t len) {
  const uint8_t* p = buf;
  while (len > 0) {
    ssize_t n = pwrite(fd, p, len, (off_t)off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return status_of(errno);
    }
    if (n == 0) return ZX_ERR_IO;
    p += n;
    off += (uint64_t)n;
    len -= (size_t)n;
  }
  return ZX_OK;
}

static const uint8_t zeros[64 * 1024];

/* Writes zeros over every hole of [off, end). */
static zx_status_t fill_holes(int fd, uint64_t off, uint64_t end) {
  while (off < end) {
    off_t hole = lseek(fd, (off_t)off, SEEK_HOLE);
    if (hole < 0) return errno == ENXIO ? ZX_OK : status_of(errno);
    if ((uint64_t)hole >= end) return ZX_OK;
    off_t data = lseek(fd, hole, SEEK_DATA);
    uint64_t stop = (data < 0 || (uint64_t)data > end) ? end : (uint64_t)data;
    for (uint64_t o = (uint64_t)hole; o < stop;) {
      size_t n = stop - o < sizeof(zeros) ? (size_t)(stop - o) : sizeof(zeros);
      zx_status_t s = host_memfd_write(fd, o, zeros, n);
      if (s != ZX_OK) return s;
      o += n;
    }
    off = stop;
  }
  return ZX_OK;
}

zx_status_t host_memfd_commit(int fd, uint64_t off, uint64_t len) {
  if (len == 0) return ZX_OK;
  /* fallocate reserves every page or fails with nothing gained. Pages it allocates stay
   * "unwritten" to Linux (SEEK_DATA and mincore do not see them), so they are then written with
   * zeros: committed pages are then exactly the memfd's data, which is how committed ranges are
   * counted (host_memfd_committed_range). */
  while (fallocate(fd, 0, (off_t)off, (off_t)len) != 0) {
    if (errno != EINTR) return status_of(errno);
  }
  return fill_holes(fd, off, off + len);
}

zx_status_t host_memfd_decommit(int fd, uint64_t off, uint64_t len) {
  if (len == 0) return ZX_OK;
  while (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)len) != 0) {
    if (errno != EINTR) return status_of(errno);
  }
  return ZX_OK;
}

bool host_memfd_page_has_data(int fd, uint64_t off) {
  off_t data = lseek(fd, (off_t)off, SEEK_DATA);
  if (data < 0) return errno != ENXIO; /* unsure: say it may hold data */
  return (uint64_t)data < off + PAGE;
}

bool host_memfd_next_data(int fd, uint64_t off, uint64_t* out) {
  off_t data = lseek(fd, (off_t)off, SEEK_DATA);
  if (data < 0) {
    if (errno == ENXIO) return false;
    *out = off; /* unsure: from here on */
    return true;
  }
  *out = (uint64_t)data & ~(uint64_t)(PAGE - 1);
  return true;
}

uint64_t host_memfd_committed(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0) return 0;
  return (uint64_t)st.st_blocks * 512u;
}

uint64_t host_memfd_committed_range(int fd, uint64_t off, uint64_t len) {
  uint64_t end = off + len < off ? UINT64_MAX : off + len;
  uint64_t total = 0;
  while (off < end) {
    off_t data = lseek(fd, (off_t)off, SEEK_DATA);
    if (data < 0 || (uint64_t)data >= end) break;
    off_t hole = lseek(fd, data, SEEK_HOLE);
    uint64_t stop = (hole < 0 || (uint64_t)hole > end) ? end : (uint64_t)hole;
    total += stop - (uint64_t)data;
    off = stop;
  }
  return total;
}

const struct platform_mem_ops host_memfd_mem_ops = {
    .create = host_memfd_create,
    .close = host_memfd_close,
    .dup = host_memfd_dup,
    .dup_readonly = host_memfd_dup_readonly,
    .resize = host_memfd_resize,
    .read = host_memfd_read,
    .write = host_memfd_write,
    .insert = host_memfd_insert,
    .commit = host_memfd_commit,
    .decommit = host_memfd_decommit,
    .page_has_data = host_memfd_page_has_data,
    .next_data = host_memfd_next_data,
    .committed = host_memfd_committed,
    .committed_range = host_memfd_committed_range,
    .max_size = HOST_MEMFD_MAX_SIZE,
};
