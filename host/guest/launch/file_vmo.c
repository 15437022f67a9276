/* Files as VMOs (file_vmo.h). */
#include "host/guest/launch/file_vmo.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zircon/syscalls.h>

#define WRITE_CHUNK (4ull << 20)

zx_status_t file_vmo_from_bytes(const void* data, uint64_t size, const char* name,
                                zx_handle_t* out) {
  zx_handle_t vmo;
  zx_status_t s = zx_vmo_create(size, 0, &vmo);
  if (s != ZX_OK) return s;
  for (uint64_t off = 0; off < size && s == ZX_OK; off += WRITE_CHUNK) {
    uint64_t n = size - off < WRITE_CHUNK ? size - off : WRITE_CHUNK;
    s = zx_vmo_write(vmo, (const uint8_t*)data + off, off, n);
  }
  char n[ZX_MAX_NAME_LEN] = {0};
  strncpy(n, name, sizeof(n) - 1);
  if (s == ZX_OK) s = zx_object_set_property(vmo, ZX_PROP_NAME, n, strlen(n));
  if (s == ZX_OK) s = zx_vmo_replace_as_executable(vmo, ZX_HANDLE_INVALID, &vmo);
  if (s != ZX_OK) {
    zx_handle_close(vmo);
    return s;
  }
  *out = vmo;
  return ZX_OK;
}

static zx_status_t errno_status(int e) {
  switch (e) {
    case EACCES:
    case EPERM: return ZX_ERR_ACCESS_DENIED;
    case ENOMEM: return ZX_ERR_NO_MEMORY;
    case EISDIR: return ZX_ERR_NOT_FILE;
    default: return ZX_ERR_NOT_FOUND; /* ENOENT, ENOTDIR, ENAMETOOLONG, ELOOP... */
  }
}

zx_status_t file_vmo_open(const char* path, const char* name, zx_handle_t* out) {
  /* O_NONBLOCK: a FIFO planted in a library directory must not hang the loader. */
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return errno_status(errno);
  struct stat st;
  zx_status_t s = ZX_OK;
  uint8_t* data = NULL;
  if (fstat(fd, &st) != 0) s = ZX_ERR_IO;
  else if (!S_ISREG(st.st_mode)) s = ZX_ERR_NOT_FILE;
  else if ((uint64_t)st.st_size > FILE_VMO_MAX_SIZE) s = ZX_ERR_FILE_BIG;
  else if (!(data = malloc(st.st_size ? (size_t)st.st_size : 1))) s = ZX_ERR_NO_MEMORY;
  size_t got = 0;
  while (s == ZX_OK && got < (size_t)st.st_size) {
    ssize_t n = pread(fd, data + got, (size_t)st.st_size - got, (off_t)got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) s = ZX_ERR_IO;
    else got += (size_t)n;
  }
  close(fd);
  if (s == ZX_OK) s = file_vmo_from_bytes(data, got, name, out);
  free(data);
  return s;
}
