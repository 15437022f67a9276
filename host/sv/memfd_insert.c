/* host_memfd_insert: whole pages into a memfd only where it has none (see host/sv/memfd.h).
 *
 * Guests fill pages of copy-on-write children themselves (UFFDIO_COPY through their own
 * userfaultfd) and may write them at once, while the supervisor gives the same children their
 * copies (pushes before a parent changes, fills, guards). A check-then-pwrite would overwrite a
 * page a guest filled and wrote in between. UFFDIO_COPY is the insert-if-absent Linux has: the
 * page goes into the file's page cache unless one is there (EEXIST). So the supervisor keeps its
 * own userfaultfd and a window onto each memfd it inserts into: the memfd mapped MAP_SHARED |
 * MAP_NORESERVE, up to 1 GiB at a time (no further than its length), registered for missing
 * pages and never touched (the ioctl alone fills it). Without a userfaultfd no guest has one either, so nobody else fills pages and
 * the plain check-then-write is exact. */
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "host/sv/memfd.h"

#define PAGE 4096ull
#define WINDOW (1ull << 30)

struct window {
  uint8_t* base; /* NULL: none */
  uint64_t off;  /* the file offset base shows */
  uint64_t len;  /* at most WINDOW; no further than the memfd's length when it was mapped */
};

/* Indexed by fd (the supervisor is single-threaded). */
static struct window* g_windows;
static size_t g_nwindows;
static int g_uffd = -2; /* -2: not tried yet; -1: none */

static int insert_uffd(void) {
  if (g_uffd != -2) return g_uffd;
  g_uffd = -1;
  int u = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
  if (u < 0) u = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
  if (u < 0) return -1;
  struct uffdio_api api = {.api = UFFD_API,
                           .features = UFFD_FEATURE_SIGBUS | UFFD_FEATURE_MISSING_SHMEM};
  if (ioctl(u, UFFDIO_API, &api) != 0) {
    close(u);
    return -1;
  }
  g_uffd = u;
  return u;
}

static void drop_window(int fd) {
  if (fd < 0 || (size_t)fd >= g_nwindows || !g_windows[fd].base) return;
  munmap(g_windows[fd].base, g_windows[fd].len);
  g_windows[fd].base = NULL;
}

/* Address space ran out (a great many stores): every window goes, they come back on use. */
static void drop_all_windows(void) {
  for (size_t fd = 0; fd < g_nwindows; fd++) drop_window((int)fd);
}

/* The window of fd showing `off`, mapped and registered as needed; NULL on failure. */
static struct window* window_for(int fd, uint64_t off) {
  if ((size_t)fd >= g_nwindows) {
    size_t n = g_nwindows ? g_nwindows : 64;
    while (n <= (size_t)fd) n *= 2;
    struct window* w = realloc(g_windows, n * sizeof(*w));
    if (!w) return NULL;
    for (size_t i = g_nwindows; i < n; i++) w[i].base = NULL;
    g_windows = w;
    g_nwindows = n;
  }
  struct window* w = &g_windows[fd];
  uint64_t start = off & ~(WINDOW - 1);
  if (w->base && off >= w->off && off - w->off < w->len) return w;
  drop_window(fd);
  /* Small stores get small windows; one that grew later gets a new one. */
  struct stat st;
  if (fstat(fd, &st) != 0 || (uint64_t)st.st_size <= off) return NULL;
  uint64_t len = ((uint64_t)st.st_size - start + PAGE - 1) & ~(PAGE - 1);
  if (len > WINDOW) len = WINDOW;
  void* p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd, (off_t)start);
  if (p == MAP_FAILED && errno == ENOMEM) {
    drop_all_windows();
    p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd, (off_t)start);
  }
  if (p == MAP_FAILED) return NULL;
  struct uffdio_register reg = {.range = {(uint64_t)(uintptr_t)p, len},
                                .mode = UFFDIO_REGISTER_MODE_MISSING};
  if (ioctl(g_uffd, UFFDIO_REGISTER, &reg) != 0) {
    munmap(p, len);
    return NULL;
  }
  w->base = p;
  w->off = start;
  w->len = len;
  return w;
}

void host_memfd_forget_window(int fd) { drop_window(fd); }

zx_status_t host_memfd_insert(int fd, uint64_t off, const void* buf, size_t len) {
  const uint8_t* src = buf;
  if (insert_uffd() < 0) {
    for (uint64_t done = 0; done < len; done += PAGE) {
      if (host_memfd_page_has_data(fd, off + done)) continue;
      zx_status_t s = host_memfd_write(fd, off + done, src + done, PAGE);
      if (s != ZX_OK) return s;
    }
    return ZX_OK;
  }
  while (len > 0) {
    struct window* w = window_for(fd, off);
    if (!w) return ZX_ERR_NO_MEMORY;
    uint64_t room = w->off + w->len - off;
    uint64_t n = len < room ? len : room;
    struct uffdio_copy c = {.dst = (uint64_t)(uintptr_t)(w->base + (off - w->off)),
                            .src = (uint64_t)(uintptr_t)src,
                            .len = n,
                            .mode = 0};
    if (ioctl(g_uffd, UFFDIO_COPY, &c) != 0) {
      if (errno == EEXIST) {
        /* Copied up to a page that is there already: that page stays as it is. */
        n = (c.copy > 0 ? (uint64_t)c.copy : 0) + PAGE;
      } else if (errno == EAGAIN) {
        if (c.copy <= 0) continue;
        n = (uint64_t)c.copy;
      } else {
        return errno == ENOMEM ? ZX_ERR_NO_MEMORY : ZX_ERR_IO;
      }
    }
    off += n;
    src += n;
    len -= n;
  }
  return ZX_OK;
}
