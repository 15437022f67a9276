/* Copy-on-write fault sources, the guest side: see cow.h. Freestanding: raw system calls only
 * (no libc, no errno), so that the pure-process stub, built without libc, links the same file
 * as the hosted library.
 *
 * State: one table of sources (no two overlap: adding or remapping a range forgets what was
 * there first), a place for the source of a mapping whose FAULT_SOURCE op is still to come, a
 * ring of ranges forgotten lately, and one 64 KiB bounce buffer. A process-wide spinlock guards
 * all of it; it is held across pread + UFFDIO_COPY (a fault) and across forget + mmap + register
 * (a remap), never while touching guest memory. */
#include "host/guest/runtime/cow.h"
#include "host/common/rawsys.h"

#include <stddef.h>
#include <stdint.h>

#include <asm/unistd.h>
#include <linux/errno.h>
#include <linux/fcntl.h>
#include <linux/ioctl.h>
#include <linux/userfaultfd.h>
#include <zircon/errors.h>
#include <zum/abi-private.h>
#include <zum/sysno.h>
#include <zum/trap.h>

#define PAGE ZUM_COW_PAGE
#define MAX_BATCH ((uint64_t)ZUM_COW_MAX_BATCH_PAGES)
#define FEATURES (UFFD_FEATURE_SIGBUS | UFFD_FEATURE_MISSING_SHMEM)

/* ---------------------------------------------------------------- system calls */
#define cow_sys6 zum_rawsys6
#define sys1(n, a) cow_sys6(n, (long)(a), 0, 0, 0, 0, 0)
#define sys3(n, a, b, c) cow_sys6(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define sys4(n, a, b, c, d) cow_sys6(n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)

static void cow_close(int fd) {
  if (fd >= 0) sys1(__NR_close, fd);
}

/* ---------------------------------------------------------------- state */
struct src {
  uint64_t addr, len; /* page-aligned, len > 0 */
  uint64_t off;       /* the source's offset for addr */
  uint64_t src_len;   /* bytes from addr on that come from fd; zeros after */
  uint64_t next;      /* the page after the last batch copied (sequential detection) */
  uint32_t batch;     /* pages of the last batch, 0: none yet */
  int fd;             /* -1: a place held by zum_cow_remap for the FAULT_SOURCE to come */
};

static int uffd = -1;
static bool user_mode_only, write_protect, fallback;
static int lock_word;
static struct src table[ZUM_COW_MAX_SOURCES];
static unsigned nsrc;
static unsigned hint; /* where the last lookup hit */
/* fds of forgotten sources, closed once no source uses them (under the lock). */
static int closing[ZUM_COW_MAX_SOURCES];
static unsigned nclosing;
static unsigned char bounce[MAX_BATCH * PAGE] __attribute__((aligned(4096)));

/* Ranges forgotten lately. A thread may take its SIGBUS on a mapping just before another thread
 * forgets and replaces it: when it finds no source, the access is retried (it then meets the new
 * mapping), a few times per range, so that a real bus error there is still reported. */
#define GONE_RING 16
#define GONE_RETRIES 8
static struct gone {
  uint64_t addr, end;
  uint32_t retries;
} gone[GONE_RING];
static unsigned gone_next;

/* ---------------------------------------------------------------- the lock
 * Held in signal handlers (the fault path), so it is a spinlock; a waiter spins with `pause` and
 * then yields the CPU. The fault path runs with the other signals blocked (the handlers' masks);
 * the other entry points block them here, so that no handler can interrupt a holder and then
 * wait for it on the same thread. The synchronous signals stay open: blocking them would turn a
 * fault into death. */
static void relax(unsigned* spins) {
  if (++*spins < 128) __asm__ volatile("pause" ::: "memory");
  else sys1(__NR_sched_yield, 0);
}

static void cow_lock(void) {
  unsigned spins = 0;
  while (__atomic_exchange_n(&lock_word, 1, __ATOMIC_ACQUIRE))
    while (__atomic_load_n(&lock_word, __ATOMIC_RELAXED)) relax(&spins);
}

static void cow_unlock(void) { __atomic_store_n(&lock_word, 0, __ATOMIC_RELEASE); }

#define SIGBIT(s) (1ul << ((s) - 1))
#define SYNC_SIGNALS (SIGBIT(4) | SIGBIT(5) | SIGBIT(7) | SIGBIT(8) | SIGBIT(11) | SIGBIT(31))
/* SIGILL, SIGTRAP, SIGBUS, SIGFPE, SIGSEGV, SIGSYS */

static uint64_t lock_blocking(void) {
  uint64_t all = ~(uint64_t)SYNC_SIGNALS, old = 0;
  sys4(__NR_rt_sigprocmask, 0 /* SIG_BLOCK */, &all, &old, sizeof(all));
  cow_lock();
  return old;
}

static void unlock_blocking(uint64_t old) {
  cow_unlock();
  sys4(__NR_rt_sigprocmask, 2 /* SIG_SETMASK */, &old, 0, sizeof(old));
}

/* ---------------------------------------------------------------- set-up */
int zum_cow_init(void) {
  if (uffd >= 0) return 0;
  bool umo = false;
  long fd = sys1(__NR_userfaultfd, O_CLOEXEC);
  if (fd < 0) {
    /* Unprivileged without vm.unprivileged_userfaultfd: faults from user mode only. */
    long fd2 = sys1(__NR_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);
    if (fd2 >= 0) {
      fd = fd2;
      umo = true;
    }
  }
  if (fd < 0) return (int)-fd;
  /* Write protection of shared memory when the host has it (an unknown feature: EINVAL, and the
   * API may be asked again). */
  struct uffdio_api api = {.api = UFFD_API, .features = FEATURES | UFFD_FEATURE_WP_HUGETLBFS_SHMEM};
  long r = sys3(__NR_ioctl, fd, UFFDIO_API, &api);
  if (r == -EINVAL) {
    api = (struct uffdio_api){.api = UFFD_API, .features = FEATURES};
    r = sys3(__NR_ioctl, fd, UFFDIO_API, &api);
  }
  if (r == 0 && ((api.features & FEATURES) != FEATURES ||
                 !(api.ioctls & (1ull << _UFFDIO_REGISTER))))
    r = -EOPNOTSUPP;
  if (r < 0) {
    cow_close((int)fd);
    return (int)-r;
  }
  uffd = (int)fd;
  user_mode_only = umo;
  write_protect = (api.features & UFFD_FEATURE_WP_HUGETLBFS_SHMEM) != 0;
  return 0;
}

bool zum_cow_available(void) { return uffd >= 0; }
int zum_cow_uffd(void) { return uffd; }
bool zum_cow_user_mode_only(void) { return user_mode_only; }
bool zum_cow_write_protect(void) { return write_protect; }
void zum_cow_set_fallback(bool on) { __atomic_store_n(&fallback, on, __ATOMIC_RELAXED); }

static int register_modes(uint64_t addr, uint64_t len, uint64_t modes) {
  if (uffd < 0) return EOPNOTSUPP;
  struct uffdio_register reg = {.range = {.start = addr, .len = len}, .mode = modes};
  long r = sys3(__NR_ioctl, uffd, UFFDIO_REGISTER, &reg);
  return r < 0 ? (int)-r : 0;
}

int zum_cow_register(uint64_t addr, uint64_t len) {
  return register_modes(addr, len, UFFDIO_REGISTER_MODE_MISSING);
}

/* Write-protects [addr, addr+len), registered for it (holes too: shared memory keeps markers). */
static int protect(uint64_t addr, uint64_t len) {
  struct uffdio_writeprotect wp = {.range = {.start = addr, .len = len},
                                   .mode = UFFDIO_WRITEPROTECT_MODE_WP};
  long r;
  do r = sys3(__NR_ioctl, uffd, UFFDIO_WRITEPROTECT, &wp);
  while (r == -EAGAIN);
  return r < 0 ? (int)-r : 0;
}

/* ---------------------------------------------------------------- the table (locked) */
static bool contains(const struct src* s, uint64_t a) { return a >= s->addr && a - s->addr < s->len; }

static struct src* find(uint64_t a) {
  if (hint < nsrc && contains(&table[hint], a)) return &table[hint];
  for (unsigned i = 0; i < nsrc; i++)
    if (contains(&table[i], a)) {
      hint = i;
      return &table[i];
    }
  return NULL;
}

/* Closes the fds of forgotten sources that no source uses any more. */
static void flush_closing(void) {
  for (unsigned k = 0; k < nclosing; k++) {
    int fd = closing[k];
    bool used = false;
    for (unsigned i = 0; i < nsrc && !used; i++) used = table[i].fd == fd;
    for (unsigned j = 0; j < k && !used; j++) used = closing[j] == fd; /* closed already */
    if (!used) cow_close(fd);
  }
  nclosing = 0;
}

static void drop_fd(int fd) {
  if (fd >= 0 && nclosing < ZUM_COW_MAX_SOURCES) closing[nclosing++] = fd;
}

/* Forgets [a, e) with room left for `reserve` more sources afterwards; ENOMEM and nothing
 * changed if there is not. The fds of removed sources go to `closing`. */
static int forget_locked(uint64_t a, uint64_t e, unsigned reserve) {
  unsigned removed = 0, splits = 0;
  for (unsigned i = 0; i < nsrc; i++) {
    const struct src* s = &table[i];
    uint64_t se = s->addr + s->len;
    if (se <= a || s->addr >= e) continue;
    if (s->addr >= a && se <= e) removed++;
    else if (s->addr < a && se > e) splits++;
  }
  if (nsrc - removed + splits + reserve > ZUM_COW_MAX_SOURCES) return ENOMEM;
  bool changed = false;
  for (unsigned i = 0; i < nsrc;) {
    struct src* s = &table[i];
    uint64_t se = s->addr + s->len;
    if (se <= a || s->addr >= e) {
      i++;
      continue;
    }
    changed = true;
    if (s->addr >= a && se <= e) {
      drop_fd(s->fd);
      *s = table[--nsrc]; /* look at the moved one next */
      continue;
    }
    if (s->addr < a && se > e) {
      /* A split: the tail [e, se) becomes a source of its own, sharing the fd. */
      struct src t = *s;
      uint64_t d = e - s->addr;
      t.addr = e;
      t.len = se - e;
      t.off = s->off + d;
      t.src_len = s->src_len > d ? s->src_len - d : 0;
      t.batch = 0;
      table[nsrc++] = t;
      s = &table[i];
    }
    if (s->addr < a) {
      /* Keep the head [s->addr, a). */
      s->len = a - s->addr;
      if (s->src_len > s->len) s->src_len = s->len;
    } else {
      /* Keep the tail [e, se). */
      uint64_t d = e - s->addr;
      s->addr = e;
      s->len = se - e;
      s->off += d;
      s->src_len = s->src_len > d ? s->src_len - d : 0;
      s->batch = 0;
    }
    i++;
  }
  if (changed) {
    gone[gone_next % GONE_RING] = (struct gone){a, e, GONE_RETRIES};
    gone_next++;
  }
  return 0;
}

/* Copies npages from page on (within s) into place: *copied is what went in. 1: the access may
 * retry; 0: the copy failed (not a copy-on-write fault after all). */
static int copy_locked(const struct src* s, uint64_t page, uint64_t npages, uint64_t* copied) {
  uint64_t rel = page - s->addr, bytes = npages * PAGE;
  uint64_t want = rel < s->src_len ? s->src_len - rel : 0;
  if (want > bytes) want = bytes;
  uint64_t got = 0;
  while (got < want) {
    long r = sys4(__NR_pread64, s->fd, bounce + got, want - got, (long)(s->off + rel + got));
    if (r == -EINTR) continue;
    if (r < 0) return 0;
    if (r == 0) break; /* the source is shorter: zeros */
    got += (uint64_t)r;
  }
  if (got < bytes) __builtin_memset(bounce + got, 0, bytes - got); /* the stub has memset */
  struct uffdio_copy c = {.dst = page, .src = (uint64_t)(uintptr_t)bounce, .len = bytes, .mode = 0};
  long r = sys3(__NR_ioctl, uffd, UFFDIO_COPY, &c);
  *copied = 0;
  if (r == 0) {
    *copied = bytes;
    return 1;
  }
  /* EAGAIN: part copied (it stopped at a page that is there already) or the mm is changing;
   * EEXIST: the first page is there (another thread filled it); EINTR: a signal is pending.
   * Either way the access retries. Anything else (EFAULT: past the end of the mapped memfd;
   * ENOENT: no registered mapping there any more) is not ours. */
  if (r == -EAGAIN) {
    if (c.copy > 0) *copied = (uint64_t)c.copy & ~(PAGE - 1);
    return 1;
  }
  return r == -EEXIST || r == -EINTR;
}

/* ---------------------------------------------------------------- sources */
static bool range_ok(uint64_t addr, uint64_t len) {
  return len != 0 && !(addr & (PAGE - 1)) && !(len & (PAGE - 1)) && addr + len > addr;
}

int zum_cow_add_source(uint64_t addr, uint64_t len, int fd, uint64_t off, uint64_t src_len) {
  if (uffd < 0) {
    cow_close(fd);
    return EOPNOTSUPP;
  }
  if (fd < 0 || !range_ok(addr, len) || off > (uint64_t)INT64_MAX - len) {
    cow_close(fd);
    return EINVAL;
  }
  if (src_len > len) src_len = len;
  struct src n = {.addr = addr, .len = len, .off = off, .src_len = src_len, .fd = fd};
  uint64_t mask = lock_blocking();
  int err = 0;
  struct src* held = find(addr);
  if (held && held->fd < 0 && held->addr == addr && held->len == len) {
    *held = n; /* the place zum_cow_remap kept for it */
  } else {
    err = forget_locked(addr, addr + len, 1);
    if (!err) table[nsrc++] = n;
  }
  flush_closing();
  unlock_blocking(mask);
  if (err) cow_close(fd);
  return err;
}

int zum_cow_forget(uint64_t addr, uint64_t len) {
  if (len == 0) return 0;
  uint64_t end = addr + len < addr ? UINT64_MAX : addr + len;
  uint64_t mask = lock_blocking();
  int err = forget_locked(addr, end, 0);
  flush_closing();
  unlock_blocking(mask);
  return err;
}

int zum_cow_remap(uint64_t addr, uint64_t len, uint32_t map_flags, int (*change)(void* ctx),
                  void* ctx) {
  bool use_uffd = (map_flags & ZUM_MAP_UFFD) != 0, wp = (map_flags & ZUM_MAP_WP) != 0;
  if ((use_uffd || wp) && uffd < 0) return EOPNOTSUPP;
  if (wp && !write_protect) return EOPNOTSUPP;
  if (wp && !range_ok(addr, len)) return EINVAL;
  if (use_uffd && !range_ok(addr, len)) return EINVAL;
  uint64_t end = addr + len < addr ? UINT64_MAX : addr + len;
  uint64_t mask = lock_blocking();
  int err = len ? forget_locked(addr, end, use_uffd ? 1 : 0) : 0;
  if (!err) err = change(ctx);
  if (!err && (use_uffd || wp)) {
    err = register_modes(addr, len,
                         (use_uffd ? UFFDIO_REGISTER_MODE_MISSING : 0) |
                             (wp ? UFFDIO_REGISTER_MODE_WP : 0));
    /* Before any other thread learns the address (the map call has not returned yet). */
    if (!err && wp) err = protect(addr, len);
    if (!err && use_uffd && !fallback)
      table[nsrc++] = (struct src){.addr = addr, .len = len, .fd = -1};
  }
  flush_closing();
  unlock_blocking(mask);
  return err;
}

/* ---------------------------------------------------------------- faults */
int zum_cow_fault(uint64_t addr) {
  if (uffd < 0) return 0;
  uint64_t page = addr & ~(PAGE - 1);
  unsigned spins = 0;
  for (;;) {
    cow_lock();
    struct src* s = find(page);
    if (!s) {
      int retry = 0;
      for (unsigned i = 0; i < GONE_RING && !retry && !fallback; i++) {
        struct gone* g = &gone[i];
        if (page >= g->addr && page < g->end && g->retries > 0) {
          g->retries--;
          retry = 1;
        }
      }
      cow_unlock();
      return retry;
    }
    if (s->fd < 0) {
      /* Mapped, its source still to come (the next work op): wait for it. */
      cow_unlock();
      relax(&spins);
      continue;
    }
    /* One page for an isolated fault; a fault at the page right after the previous batch
     * doubles it (readahead), up to MAX_BATCH, within the source. */
    uint64_t n = 1;
    if (s->batch && page == s->next) n = 2 * (uint64_t)s->batch;
    if (n > MAX_BATCH) n = MAX_BATCH;
    uint64_t left = (s->addr + s->len - page) / PAGE;
    if (n > left) n = left;
    uint64_t copied;
    int r = copy_locked(s, page, n, &copied);
    if (r && copied) {
      s->next = page + copied;
      s->batch = (uint32_t)n;
    }
    cow_unlock();
    return r;
  }
}

int zum_cow_resolve(uint64_t addr, bool write, bool ask_supervisor) {
  if (zum_cow_fault(addr)) return 1;
  return ask_supervisor &&
         zum_trap_status(zum_call5(ZUM_SYS_vm_fault, addr, write ? ZUM_VM_FAULT_WRITE : 0, 0, 0,
                                   0)) == ZX_OK;
}

int zum_cow_fill(uint64_t addr, uint64_t len) {
  if (uffd < 0 || len == 0) return 0;
  uint64_t page = addr & ~(PAGE - 1);
  uint64_t end = addr + len < addr ? UINT64_MAX : addr + len;
  unsigned spins = 0;
  int err = 0;
  while (page < end && !err) {
    uint64_t mask = lock_blocking();
    /* The first source at or after page that starts before end. */
    struct src* s = NULL;
    for (unsigned i = 0; i < nsrc; i++) {
      struct src* t = &table[i];
      if (t->addr + t->len > page && t->addr < end && (!s || t->addr < s->addr)) s = t;
    }
    if (!s) {
      unlock_blocking(mask);
      break;
    }
    if (s->fd < 0) {
      unlock_blocking(mask);
      relax(&spins);
      continue;
    }
    if (s->addr > page) page = s->addr;
    uint64_t stop = s->addr + s->len < end ? s->addr + s->len : end;
    uint64_t n = (stop - page + PAGE - 1) / PAGE;
    if (n > MAX_BATCH) n = MAX_BATCH;
    uint64_t copied;
    if (!copy_locked(s, page, n, &copied)) {
      /* Not a missing page of a registered mapping: nothing to copy in here (pages beyond
       * the end of the mapped memfd fault as they would anyway). */
      err = EFAULT;
    }
    page += copied ? copied : PAGE; /* a page that is there already is skipped */
    unlock_blocking(mask);
  }
  return err;
}

/* ---------------------------------------------------------------- queries */
int zum_cow_lookup(uint64_t addr, struct zum_cow_source* out) {
  uint64_t mask = lock_blocking();
  const struct src* s = find(addr);
  if (s && out) *out = (struct zum_cow_source){s->addr, s->len, s->off, s->src_len, s->fd};
  unlock_blocking(mask);
  return s != NULL;
}

unsigned zum_cow_count(void) {
  uint64_t mask = lock_blocking();
  unsigned n = nsrc;
  unlock_blocking(mask);
  return n;
}
