/* Shared by the copy-on-write guests (vmo_cow_*.c): page patterns, which copy-on-write path the
 * supervisor is expected to take, and memory figures that a leak would move. Include after
 * guest_test.h.
 *
 * The two paths (DESIGN.md section 5): with a userfaultfd in the guest, mapping a snapshot copies
 * nothing and a first touch copies the touched page (up to a 16-page batch); with ZUM_NO_UFFD set
 * (or without userfaultfd on the host) mapping copies every page of the mapped range that holds
 * data in an ancestor. cow_expect_uffd() says which one this run must see: no ZUM_NO_UFFD, and
 * this process can itself open a userfaultfd with the features the runtime needs. */
#ifndef ZUM_TESTS_GUESTS_COW_UTIL_H_
#define ZUM_TESTS_GUESTS_COW_UTIL_H_

#include <dirent.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>

#define PG 4096u
#define RW (ZX_VM_PERM_READ | ZX_VM_PERM_WRITE)
/* The largest batch one fault copies (the fault path's readahead limit). */
#define COW_MAX_BATCH (16u * PG)

/* Byte i of page `page` of a buffer tagged `tag`: every page of every tag differs, and a page
 * half filled or shifted by a few bytes does not match. */
static inline uint8_t pat_byte(uint32_t tag, uint64_t page, uint32_t i) {
  return (uint8_t)(tag * 131u + page * 29u + i * 7u + (i >> 8) * 3u + 1u);
}

static inline void pat_fill(uint8_t* p, uint32_t tag, uint64_t page) {
  for (uint32_t i = 0; i < PG; i++) p[i] = pat_byte(tag, page, i);
}

/* Whether the PG bytes at p are page `page` of `tag` (tag 0: zeros). */
static inline bool pat_is(const volatile uint8_t* p, uint32_t tag, uint64_t page) {
  for (uint32_t i = 0; i < PG; i++)
    if (p[i] != (tag ? pat_byte(tag, page, i) : 0)) return false;
  return true;
}

/* Writes page `page` of `tag` at VMO offset page * PG with zx_vmo_write. */
static inline zx_status_t pat_vmo_write(zx_handle_t vmo, uint32_t tag, uint64_t page) {
  uint8_t buf[PG];
  pat_fill(buf, tag, page);
  return zx_vmo_write(vmo, buf, page * PG, PG);
}

/* Whether the VMO's page `page` reads (zx_vmo_read) as page `page` of `tag`. */
static inline bool pat_vmo_is(zx_handle_t vmo, uint32_t tag, uint64_t page) {
  uint8_t buf[PG];
  if (zx_vmo_read(vmo, buf, page * PG, PG) != ZX_OK) return false;
  return pat_is(buf, tag, page);
}

static inline bool cow_forced_fallback(void) {
  const char* e = getenv("ZUM_NO_UFFD");
  return e && *e && strcmp(e, "0") != 0;
}

/* Whether this run must take the userfaultfd path (see the top of this file). */
static inline bool cow_expect_uffd(void) {
  static int known = -1;
  if (known >= 0) return known;
  known = 0;
  if (cow_forced_fallback()) return false;
  int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
  if (fd < 0) return false;
  struct uffdio_api api = {.api = UFFD_API,
                           .features = UFFD_FEATURE_SIGBUS | UFFD_FEATURE_MISSING_SHMEM};
  known = ioctl(fd, UFFDIO_API, &api) == 0;
  close(fd);
  return known;
}

static inline zx_info_vmo_t cow_info(zx_handle_t h) {
  zx_info_vmo_t i;
  memset(&i, 0, sizeof(i));
  CHECK_EQ(zx_object_get_info(h, ZX_INFO_VMO, &i, sizeof(i), NULL, NULL), ZX_OK);
  return i;
}

static inline uint64_t cow_committed(zx_handle_t h) { return cow_info(h).committed_bytes; }

static inline zx_handle_t cow_child(zx_handle_t parent, uint32_t opts, uint64_t off,
                                    uint64_t size) {
  zx_handle_t c = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_vmo_create_child(parent, opts, off, size, &c), ZX_OK);
  return c;
}

static inline uint8_t* cow_map(zx_handle_t vmar, uint32_t perm, zx_handle_t vmo, uint64_t off,
                               uint64_t len) {
  zx_vaddr_t a = 0;
  zx_status_t s = zx_vmar_map(vmar, perm, 0, vmo, off, len, &a);
  CHECK_EQ(s, ZX_OK);
  return s == ZX_OK ? (uint8_t*)a : NULL;
}

static inline void cow_unmap(void* p, uint64_t len) {
  if (p) CHECK_EQ(zx_vmar_unmap(zx_vmar_root_self(), (zx_vaddr_t)p, len), ZX_OK);
}

/* Shmem in /proc/meminfo, in bytes: where every memfd page of the machine is counted (a VMO
 * store leaked by the supervisor or the runtime stays there). -1 if unreadable. */
static inline int64_t cow_shmem_bytes(void) {
  FILE* f = fopen("/proc/meminfo", "re");
  if (!f) return -1;
  char line[128];
  int64_t kb = -1;
  while (fgets(line, sizeof(line), f))
    if (sscanf(line, "Shmem: %" SCNd64 " kB", &kb) == 1) break;
  fclose(f);
  return kb < 0 ? -1 : kb * 1024;
}

/* How many of this process's fds are memfds (a fault source the runtime forgot to close). */
static inline int cow_memfd_count(void) {
  DIR* d = opendir("/proc/self/fd");
  if (!d) return -1;
  int n = 0;
  struct dirent* e;
  while ((e = readdir(d))) {
    char path[300], target[256];
    snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
    ssize_t len = readlink(path, target, sizeof(target) - 1);
    if (len <= 0) continue;
    target[len] = 0;
    if (strncmp(target, "/memfd:", 7) == 0) n++;
  }
  closedir(d);
  return n;
}

#endif
