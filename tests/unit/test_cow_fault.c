/* The guest side of copy-on-write faults (host/guest/runtime/cow.c) in a plain Linux process: a
 * "parent" memfd with data, a "child" memfd mapped MAP_SHARED and registered with the process's
 * userfaultfd, and a SIGBUS handler that calls zum_cow_fault, as the stub and the hosted library
 * do. Checks what the mapping shows, what the child memfd holds afterwards (the pages touched,
 * in batches for sequential touch), concurrent faults on one page, forgetting (trim, split, fds
 * closed), the place held between a remap and its source, and "not ours". Ends with a
 * measurement (printed, not asserted) against native MAP_PRIVATE copy-on-write faults. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "tests/unit/open_fds.h"

#include "host/guest/runtime/cow.h"

#define P 4096ul

/* ---------------------------------------------------------------- helpers */
static uint8_t pattern(uint64_t off) { return (uint8_t)((off >> 12) * 31 + (off & 0xfff) * 7 + 1); }

static int parent_fd = -1;
#define PARENT_PAGES 64ul

static volatile int faults;
static volatile int not_ours;
static sigjmp_buf not_ours_jmp;
static volatile int jmp_armed;

static void on_bus(int sig, siginfo_t* si, void* ctx) {
  (void)sig;
  (void)ctx;
  if (si->si_code == BUS_ADRERR && zum_cow_fault((uint64_t)(uintptr_t)si->si_addr)) {
    __atomic_add_fetch(&faults, 1, __ATOMIC_RELAXED);
    return;
  }
  __atomic_add_fetch(&not_ours, 1, __ATOMIC_RELAXED);
  if (jmp_armed) {
    jmp_armed = 0;
    siglongjmp(not_ours_jmp, 1);
  }
  /* Unexpected: the access faults again and the default action ends the test. */
  signal(SIGBUS, SIG_DFL);
}

/* cmocka installs its own SIGBUS handler for every test: install ours in each. */
static void install_handler(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_sigaction = on_bus;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigfillset(&sa.sa_mask);
  sigdelset(&sa.sa_mask, SIGBUS);
  sigdelset(&sa.sa_mask, SIGSEGV);
  assert_int_equal(sigaction(SIGBUS, &sa, NULL), 0);
  faults = 0;
  not_ours = 0;
}


/* Pages the memfd holds (tmpfs counts st_blocks in 512-byte units). */
__attribute__((noinline)) static long held_pages(int fd) {
  struct stat st;
  assert_int_equal(fstat(fd, &st), 0);
  return (long)(st.st_blocks / 8);
}

static bool holds(int fd, uint64_t page) {
  off_t o = lseek(fd, (off_t)(page * P), SEEK_DATA);
  return o == (off_t)(page * P);
}

struct child {
  int fd;
  uint8_t* p;
  uint64_t len;
};

/* A child of `pages` pages mapped shared and registered; its source is the parent at src_off
 * for src_len bytes. */
static void child_map(struct child* c, uint64_t pages, uint64_t src_off, uint64_t src_len) {
  c->len = pages * P;
  c->fd = memfd_create("child", MFD_CLOEXEC);
  assert_true(c->fd >= 0);
  assert_int_equal(ftruncate(c->fd, (off_t)c->len), 0);
  void* p = mmap(NULL, c->len, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, 0);
  assert_true(p != MAP_FAILED);
  c->p = p;
  assert_int_equal(zum_cow_register((uint64_t)(uintptr_t)p, c->len), 0);
  int src = dup(parent_fd);
  assert_true(src >= 0);
  assert_int_equal(zum_cow_add_source((uint64_t)(uintptr_t)p, c->len, src, src_off, src_len), 0);
}

static void child_unmap(struct child* c) {
  assert_int_equal(zum_cow_forget((uint64_t)(uintptr_t)c->p, c->len), 0);
  munmap(c->p, c->len);
  close(c->fd);
}

static uint8_t touch_read(const uint8_t* p) { return *(const volatile uint8_t*)p; }
static void touch_write(uint8_t* p, uint8_t v) { *(volatile uint8_t*)p = v; }

static int setup(void** state) {
  (void)state;
  int e = zum_cow_init();
  if (e != 0) {
    fprintf(stderr, "no userfaultfd (%s): skipped\n", strerror(e));
    return 0;
  }
  parent_fd = memfd_create("parent", MFD_CLOEXEC);
  if (parent_fd < 0) return -1;
  static uint8_t buf[PARENT_PAGES * P];
  for (uint64_t i = 0; i < sizeof(buf); i++) buf[i] = pattern(i);
  if (pwrite(parent_fd, buf, sizeof(buf), 0) != (ssize_t)sizeof(buf)) return -1;
  return 0;
}

#define NEED_UFFD()                        \
  do {                                     \
    if (!zum_cow_available()) skip();      \
    install_handler();                     \
    assert_int_equal(zum_cow_count(), 0);  \
  } while (0)

/* ---------------------------------------------------------------- tests */
static void test_init(void** state) {
  (void)state;
  if (!zum_cow_available()) skip();
  int fd = zum_cow_uffd();
  assert_true(fd >= 0);
  char path[64], link[64] = "";
  snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
  assert_true(readlink(path, link, sizeof(link) - 1) > 0);
  assert_string_equal(link, "anon_inode:[userfaultfd]");
  assert_int_equal(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
  /* A second init keeps the one there is. */
  assert_int_equal(zum_cow_init(), 0);
  assert_int_equal(zum_cow_uffd(), fd);
  fprintf(stderr, "userfaultfd %d%s%s\n", fd,
          zum_cow_user_mode_only() ? " (UFFD_USER_MODE_ONLY)" : "",
          zum_cow_write_protect() ? ", shmem write protection" : "");
}

/* Reads and writes see the parent's bytes; zeros past src_len. */
static void test_read_write(void** state) {
  (void)state;
  NEED_UFFD();
  struct child c;
  uint64_t off = 3 * P, src_len = 5 * P + 100;
  child_map(&c, 8, off, src_len);
  for (uint64_t o = 0; o < c.len; o++) {
    uint8_t want = o < src_len ? pattern(off + o) : 0;
    if (c.p[o] != want) fail_msg("byte %#lx: %#x != %#x", (unsigned long)o, c.p[o], want);
  }
  /* Sequential: batches of 1, 2 and 4 pages, then the last page. */
  assert_int_equal(faults, 4);
  assert_int_equal(held_pages(c.fd), 8);
  touch_write(c.p + 6 * P + 5, 0xab);
  uint8_t b = 0;
  assert_int_equal(pread(c.fd, &b, 1, 6 * P + 5), 1);
  assert_int_equal(b, 0xab);
  assert_int_equal(pread(parent_fd, &b, 1, (off_t)(off + 6 * P + 5)), 1);
  assert_int_equal(b, pattern(off + 6 * P + 5));
  child_unmap(&c);

  /* A write as the first touch of a page: the rest of the page is the parent's. */
  child_map(&c, 4, 0, 4 * P);
  faults = 0;
  touch_write(c.p + 2 * P + 100, 0x55);
  assert_int_equal(faults, 1);
  assert_int_equal(held_pages(c.fd), 1);
  assert_true(holds(c.fd, 2));
  assert_int_equal(c.p[2 * P + 100], 0x55);
  assert_int_equal(c.p[2 * P + 99], pattern(2 * P + 99));
  assert_int_equal(c.p[2 * P + 101], pattern(2 * P + 101));
  assert_int_equal(pread(c.fd, &b, 1, 2 * P + 100), 1);
  assert_int_equal(b, 0x55);
  child_unmap(&c);

  /* A source shorter than src_len says: zeros after its end. */
  int small = memfd_create("small", MFD_CLOEXEC);
  assert_true(small >= 0);
  assert_int_equal(pwrite(small, "abc", 3, P + 10), 3);
  child_map(&c, 2, 0, 0);
  assert_int_equal(zum_cow_add_source((uint64_t)(uintptr_t)c.p, c.len, small, 0, 2 * P), 0);
  assert_int_equal(zum_cow_count(), 1);
  assert_int_equal(c.p[0], 0);
  assert_int_equal(c.p[P + 10], 'a');
  assert_int_equal(c.p[P + 12], 'c');
  assert_int_equal(c.p[P + 13], 0);
  child_unmap(&c);
}

/* An isolated fault copies one page; sequential faults copy growing batches. */
static void test_batches(void** state) {
  (void)state;
  NEED_UFFD();
  struct child c;
  child_map(&c, 64, 0, 64 * P);
  touch_read(c.p + 10 * P + 1);
  assert_int_equal(held_pages(c.fd), 1);
  assert_true(holds(c.fd, 10));
  touch_read(c.p + 20 * P);
  assert_int_equal(held_pages(c.fd), 2);
  touch_write(c.p + 40 * P + 4095, 1);
  assert_int_equal(held_pages(c.fd), 3);
  assert_true(holds(c.fd, 40));
  assert_int_equal(faults, 3);
  child_unmap(&c);

  child_map(&c, 64, 0, 64 * P);
  faults = 0;
  /* Pages held after touching page i, every page from 0 on in order: batches 1, 2, 4, 8, 16,
   * 16, 16, then the one page left. */
  static const long after[64] = {
      [0] = 1, [1] = 3, [3] = 7, [7] = 15, [15] = 31, [31] = 47, [47] = 63, [63] = 64,
  };
  long held = 0;
  for (uint64_t i = 0; i < 64; i++) {
    assert_int_equal(touch_read(c.p + i * P + 7), pattern(i * P + 7));
    if (after[i]) held = after[i];
    assert_int_equal(held_pages(c.fd), held);
  }
  assert_int_equal(faults, 8);
  child_unmap(&c);

  /* A jump starts over at one page. */
  child_map(&c, 64, 0, 64 * P);
  touch_read(c.p);
  touch_read(c.p + P);
  assert_int_equal(held_pages(c.fd), 3);
  touch_read(c.p + 10 * P);
  assert_int_equal(held_pages(c.fd), 4);
  touch_read(c.p + 11 * P);
  assert_int_equal(held_pages(c.fd), 6);
  assert_true(holds(c.fd, 12) && !holds(c.fd, 13));
  /* A batch stops at a page the child has already (it is never overwritten). */
  touch_write(c.p + 30 * P, 0x77);
  assert_int_equal(held_pages(c.fd), 7);
  touch_read(c.p + 26 * P); /* 26 */
  touch_read(c.p + 27 * P); /* 27, 28 */
  assert_int_equal(held_pages(c.fd), 10);
  touch_read(c.p + 29 * P); /* 29 of 29..32: 30 is there */
  assert_int_equal(held_pages(c.fd), 11);
  assert_true(!holds(c.fd, 31));
  touch_read(c.p + 31 * P); /* isolated again: one page */
  assert_int_equal(held_pages(c.fd), 12);
  assert_true(!holds(c.fd, 32));
  assert_int_equal(c.p[30 * P], 0x77);
  assert_int_equal(c.p[30 * P + 1], pattern(30 * P + 1));
  assert_int_equal(c.p[29 * P + 1], pattern(29 * P + 1));
  child_unmap(&c);
}

/* Two threads fault on the same page at once: both see the page, filled once. */
struct race {
  pthread_barrier_t* barrier;
  uint8_t* p;
  int writer;
  uint8_t seen;
};

static void* race_thread(void* arg) {
  struct race* r = arg;
  pthread_barrier_wait(r->barrier);
  if (r->writer) touch_write(r->p + 8, 0xee);
  r->seen = touch_read(r->p);
  return NULL;
}

static void test_concurrent(void** state) {
  (void)state;
  NEED_UFFD();
  pthread_barrier_t barrier;
  pthread_barrier_init(&barrier, NULL, 2);
  for (int round = 0; round < 300; round++) {
    struct child c;
    child_map(&c, 2, (uint64_t)(round % 8) * P, 2 * P);
    struct race r[2] = {{&barrier, c.p, round & 1, 0}, {&barrier, c.p, 0, 0}};
    pthread_t t[2];
    assert_int_equal(pthread_create(&t[0], NULL, race_thread, &r[0]), 0);
    assert_int_equal(pthread_create(&t[1], NULL, race_thread, &r[1]), 0);
    pthread_join(t[0], NULL);
    pthread_join(t[1], NULL);
    uint8_t want = pattern((uint64_t)(round % 8) * P);
    assert_int_equal(r[0].seen, want);
    assert_int_equal(r[1].seen, want);
    assert_int_equal(held_pages(c.fd), 1);
    assert_int_equal(c.p[8], (round & 1) ? 0xee : pattern((uint64_t)(round % 8) * P + 8));
    assert_int_equal(c.p[9], pattern((uint64_t)(round % 8) * P + 9));
    child_unmap(&c);
  }
  pthread_barrier_destroy(&barrier);
  assert_int_equal(not_ours, 0);
}

/* Forgetting trims, splits and removes sources and closes their fd once none uses it. */
static void test_forget(void** state) {
  (void)state;
  NEED_UFFD();
  int fds0 = open_fds();
  struct child c;
  child_map(&c, 16, 4 * P, 10 * P);
  assert_int_equal(open_fds(), fds0 + 2);
  uint64_t a = (uint64_t)(uintptr_t)c.p;
  struct zum_cow_source s, s2;

  /* A split: [a, a+4P) and [a+8P, a+16P), one fd for both. */
  assert_int_equal(zum_cow_forget(a + 4 * P, 4 * P), 0);
  assert_int_equal(zum_cow_count(), 2);
  assert_int_equal(open_fds(), fds0 + 2);
  assert_true(zum_cow_lookup(a + 3 * P, &s));
  assert_int_equal(s.addr, a);
  assert_int_equal(s.len, 4 * P);
  assert_int_equal(s.off, 4 * P);
  assert_int_equal(s.src_len, 4 * P);
  assert_false(zum_cow_lookup(a + 4 * P, NULL));
  assert_false(zum_cow_lookup(a + 7 * P + 4095, NULL));
  assert_true(zum_cow_lookup(a + 8 * P, &s2));
  assert_int_equal(s2.addr, a + 8 * P);
  assert_int_equal(s2.len, 8 * P);
  assert_int_equal(s2.off, 12 * P);
  assert_int_equal(s2.src_len, 2 * P);
  assert_int_equal(s2.fd, s.fd);
  /* The tail still reads the right bytes: offset and src_len moved with it. */
  assert_int_equal(touch_read(c.p + 9 * P + 5), pattern(13 * P + 5));
  assert_int_equal(touch_read(c.p + 12 * P), 0);
  assert_int_equal(touch_read(c.p + 2 * P + 1), pattern(6 * P + 1));

  /* A head trim of the tail, and the head removed whole (with more around it). */
  assert_int_equal(zum_cow_forget(a + 8 * P, P), 0);
  assert_true(zum_cow_lookup(a + 9 * P, &s2));
  assert_int_equal(s2.addr, a + 9 * P);
  assert_int_equal(s2.off, 13 * P);
  assert_int_equal(s2.src_len, P);
  assert_int_equal(zum_cow_forget(a - P, 6 * P), 0);
  assert_int_equal(zum_cow_count(), 1);
  assert_int_equal(open_fds(), fds0 + 2);
  /* A split of what is left, then a tail trim. */
  assert_int_equal(zum_cow_forget(a + 11 * P, 2 * P), 0);
  assert_int_equal(zum_cow_count(), 2);
  assert_int_equal(zum_cow_forget(a + 15 * P, 8 * P), 0);
  assert_true(zum_cow_lookup(a + 14 * P, &s2));
  assert_int_equal(s2.addr, a + 13 * P);
  assert_int_equal(s2.len, 2 * P);
  assert_int_equal(s2.off, 17 * P);
  assert_int_equal(s2.src_len, 0);
  assert_int_equal(touch_read(c.p + 14 * P), 0);
  assert_int_equal(open_fds(), fds0 + 2);
  /* Everything: the fd is closed. */
  assert_int_equal(zum_cow_forget(a, 16 * P), 0);
  assert_int_equal(zum_cow_count(), 0);
  assert_int_equal(open_fds(), fds0 + 1);

  /* A fault in a range just forgotten retries a few times (the mapping may have been replaced
   * under it), then it is not ours. */
  int retries = 0;
  while (zum_cow_fault(a + 6 * P) == 1 && retries < 1000) retries++;
  assert_true(retries >= 1 && retries < 100);
  assert_int_equal(zum_cow_fault(a + 6 * P), 0);
  /* And a real access there (still registered, no source) ends up not ours. */
  jmp_armed = 1;
  if (sigsetjmp(not_ours_jmp, 1) == 0) {
    touch_read(c.p + 7 * P);
    fail_msg("read a missing page without a source");
  }
  assert_int_equal(not_ours, 1);
  munmap(c.p, c.len);
  close(c.fd);
  assert_int_equal(open_fds(), fds0);

  /* Two sources on one fd number are one fd: it closes with the last of them. */
  int fd = dup(parent_fd);
  assert_int_equal(zum_cow_add_source(0x100000000, P, fd, 0, P), 0);
  assert_int_equal(zum_cow_add_source(0x100002000, P, fd, 0, P), 0);
  assert_int_equal(zum_cow_forget(0x100000000, P), 0);
  assert_int_equal(open_fds(), fds0 + 1);
  /* Adding over a range replaces what was there. */
  int fd2 = dup(parent_fd);
  assert_int_equal(zum_cow_add_source(0x100001000, 2 * P, fd2, 5 * P, P), 0);
  assert_int_equal(open_fds(), fds0 + 1);
  assert_int_equal(zum_cow_count(), 1);
  assert_true(zum_cow_lookup(0x100002000, &s));
  assert_int_equal(s.fd, fd2);
  assert_int_equal(s.off, 5 * P);
  assert_int_equal(zum_cow_forget(0, UINT64_MAX), 0);
  assert_int_equal(open_fds(), fds0);
}

/* Bad arguments and a full table: refused, and the fd is closed all the same. */
static void test_limits(void** state) {
  (void)state;
  NEED_UFFD();
  int fds0 = open_fds();
  assert_int_equal(zum_cow_add_source(0x100000000, 0, dup(parent_fd), 0, 0), EINVAL);
  assert_int_equal(zum_cow_add_source(0x100000001, P, dup(parent_fd), 0, 0), EINVAL);
  assert_int_equal(zum_cow_add_source(0x100000000, P + 1, dup(parent_fd), 0, 0), EINVAL);
  assert_int_equal(zum_cow_add_source(~0ul - P + 1, 2 * P, dup(parent_fd), 0, 0), EINVAL);
  assert_int_equal(zum_cow_add_source(0x100000000, P, dup(parent_fd), ~0ul, 0), EINVAL);
  assert_int_equal(zum_cow_add_source(0x100000000, P, -1, 0, 0), EINVAL);
  assert_int_equal(open_fds(), fds0);
  int fd = dup(parent_fd);
  for (uint64_t i = 0; i < ZUM_COW_MAX_SOURCES; i++)
    assert_int_equal(zum_cow_add_source(0x100000000 + i * 4 * P, 2 * P, fd, 0, P), 0);
  assert_int_equal(zum_cow_count(), ZUM_COW_MAX_SOURCES);
  assert_int_equal(zum_cow_add_source(0x900000000, P, dup(parent_fd), 0, P), ENOMEM);
  /* A split needs a slot: refused, nothing changed. */
  assert_int_equal(zum_cow_forget(0x100000000 + P, 1), ENOMEM);
  assert_int_equal(zum_cow_count(), ZUM_COW_MAX_SOURCES);
  /* Replacing a whole source needs none. */
  assert_int_equal(zum_cow_add_source(0x100000000, 2 * P, dup(parent_fd), 0, P), 0);
  assert_int_equal(open_fds(), fds0 + 2);
  assert_int_equal(zum_cow_forget(0x100000000, 0x10000000), 0);
  assert_int_equal(zum_cow_count(), 0);
  assert_int_equal(open_fds(), fds0);
  /* Without a registered mapping a fault copies nothing: not ours. */
  assert_int_equal(zum_cow_add_source(0x100000000, P, dup(parent_fd), 0, P), 0);
  assert_int_equal(zum_cow_fault(0x100000000), 0);
  assert_int_equal(zum_cow_forget(0x100000000, P), 0);
  assert_int_equal(open_fds(), fds0);
}

/* Past the end of the child memfd (shrunk after the mapping): not ours. */
static void test_shrunk(void** state) {
  (void)state;
  NEED_UFFD();
  struct child c;
  child_map(&c, 4, 0, 4 * P);
  assert_int_equal(ftruncate(c.fd, (off_t)P), 0);
  assert_int_equal(touch_read(c.p + 5), pattern(5));
  jmp_armed = 1;
  if (sigsetjmp(not_ours_jmp, 1) == 0) {
    touch_read(c.p + 2 * P);
    fail_msg("read past the end of the child memfd");
  }
  assert_int_equal(not_ours, 1);
  assert_int_equal(zum_cow_fault((uint64_t)(uintptr_t)c.p + 3 * P), 0);
  assert_int_equal(held_pages(c.fd), 1);
  child_unmap(&c);
}

/* zum_cow_resolve, as the runtimes' handlers call it: a page with a source is copied in; an
 * address no mapping registered is a real fault, also when the supervisor is asked (there is
 * none here: the trap gets Linux's ENOSYS). */
static void test_resolve(void** state) {
  (void)state;
  NEED_UFFD();
  struct child c;
  child_map(&c, 2, 0, 2 * P);
  uint64_t a = (uint64_t)(uintptr_t)c.p;
  assert_int_equal(zum_cow_resolve(a, false, false), 1);
  assert_true(holds(c.fd, 0));
  assert_int_equal(zum_cow_resolve(a + P, true, true), 1);
  assert_true(holds(c.fd, 1));
  assert_int_equal(touch_read(c.p + P + 9), pattern(P + 9));
  child_unmap(&c);
  /* A range forgotten just now is retried a few times first (test_forget). */
  uint64_t elsewhere = (uint64_t)(uintptr_t)&parent_fd;
  int retries = 0;
  while (zum_cow_fault(elsewhere) == 1 && retries < 1000) retries++;
  assert_int_equal(zum_cow_resolve(elsewhere, false, false), 0);
  assert_int_equal(zum_cow_resolve(elsewhere, true, true), 0);
  assert_int_equal(faults, 0);
}

/* zum_cow_remap holds a place for the source: a fault there waits for it. */
struct waiter {
  const uint8_t* p;
  volatile int done;
  uint8_t seen;
};

static void* wait_thread(void* arg) {
  struct waiter* w = arg;
  w->seen = touch_read(w->p);
  __atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
  return NULL;
}

struct remap_ctx {
  void* addr;
  size_t len;
  int fd;
};

static int do_map(void* arg) {
  struct remap_ctx* m = arg;
  void* r = mmap(m->addr, m->len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, m->fd, 0);
  return r == MAP_FAILED ? errno : 0;
}

static int do_reserve(void* arg) {
  struct remap_ctx* m = arg;
  void* r = mmap(m->addr, m->len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  return r == MAP_FAILED ? errno : 0;
}

static void test_remap(void** state) {
  (void)state;
  NEED_UFFD();
  int fds0 = open_fds();
  struct child c;
  child_map(&c, 4, 0, 4 * P);
  uint64_t a = (uint64_t)(uintptr_t)c.p;
  /* Over the old mapping: the old source goes, a place is held. */
  int child2 = memfd_create("child2", MFD_CLOEXEC);
  assert_int_equal(ftruncate(child2, (off_t)(4 * P)), 0);
  struct remap_ctx m = {c.p, c.len, child2};
  assert_int_equal(zum_cow_remap(a, c.len, ZUM_MAP_UFFD, do_map, &m), 0);
  assert_int_equal(open_fds(), fds0 + 2); /* the old source's fd is closed */
  struct zum_cow_source s;
  assert_true(zum_cow_lookup(a, &s));
  assert_int_equal(s.fd, -1);
  struct waiter w = {c.p + 2 * P, 0, 0};
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, wait_thread, &w), 0);
  struct timespec ts = {0, 20 * 1000 * 1000};
  nanosleep(&ts, NULL);
  /* It cannot have read anything yet: there is no source. */
  assert_int_equal(__atomic_load_n(&w.done, __ATOMIC_ACQUIRE), 0);
  assert_int_equal(zum_cow_add_source(a, c.len, dup(parent_fd), 8 * P, 4 * P), 0);
  pthread_join(t, NULL);
  assert_int_equal(w.seen, pattern(10 * P));
  assert_true(holds(child2, 2));
  assert_int_equal(held_pages(c.fd), 0);

  /* Back to a reservation: forgotten, nothing held. */
  assert_int_equal(zum_cow_remap(a, c.len, 0, do_reserve, &m), 0);
  assert_int_equal(zum_cow_count(), 0);
  assert_int_equal(open_fds(), fds0 + 2);
  /* A remap that fails keeps no place. */
  m.fd = -1;
  assert_int_equal(zum_cow_remap(a, c.len, ZUM_MAP_UFFD, do_map, &m), EBADF);
  assert_int_equal(zum_cow_count(), 0);

  /* With a fallback (the supervisor's zum_vm_fault) no place is held and nothing is retried
   * here: what has no source goes on at once. */
  zum_cow_set_fallback(true);
  m.fd = child2;
  assert_int_equal(zum_cow_remap(a, c.len, ZUM_MAP_UFFD, do_map, &m), 0);
  assert_int_equal(zum_cow_count(), 0);
  assert_int_equal(zum_cow_fault(a + P), 0);
  assert_int_equal(zum_cow_add_source(a, c.len, dup(parent_fd), 0, 4 * P), 0);
  assert_int_equal(touch_read(c.p + P + 3), pattern(P + 3));
  assert_int_equal(zum_cow_forget(a, c.len), 0);
  assert_int_equal(zum_cow_fault(a + 3 * P), 0);
  zum_cow_set_fallback(false);
  munmap(c.p, c.len);
  close(c.fd);
  close(child2);
  assert_int_equal(open_fds(), fds0);
}

/* zum_cow_fill copies in a range ahead of MADV_POPULATE_*. */
static void test_fill(void** state) {
  (void)state;
  NEED_UFFD();
  struct child c;
  child_map(&c, 40, 0, 40 * P);
  touch_write(c.p + 10 * P, 9);
  assert_int_equal(madvise(c.p, c.len, MADV_POPULATE_READ), -1);
  assert_int_equal(errno, EFAULT);
  assert_int_equal(zum_cow_fill((uint64_t)(uintptr_t)c.p + 3 * P + 5, 30 * P - 5), 0);
  assert_int_equal(held_pages(c.fd), 30);
  assert_true(!holds(c.fd, 2) && holds(c.fd, 3) && holds(c.fd, 32));
  assert_int_equal(lseek(c.fd, 33 * P, SEEK_DATA), -1);
  assert_int_equal(madvise(c.p + 3 * P, 30 * P, MADV_POPULATE_WRITE), 0);
  assert_int_equal(c.p[10 * P], 9);
  assert_int_equal(c.p[32 * P + 1], pattern(32 * P + 1));
  assert_int_equal(faults, 1);
  /* Nothing to do outside sources. */
  assert_int_equal(zum_cow_fill(0x100000000, 1ul << 40), 0);
  child_unmap(&c);
}

/* ---------------------------------------------------------------- measurement */
static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ns per touched page: a write to every `stride`-th page of n pages. */
static double touch(uint8_t* p, uint64_t pages, uint64_t stride) {
  uint64_t t0 = now_ns();
  for (uint64_t i = 0; i < pages; i += stride) p[i * P] = 1;
  uint64_t t1 = now_ns();
  return (double)(t1 - t0) / (double)((pages + stride - 1) / stride);
}

static void test_measure(void** state) {
  (void)state;
  NEED_UFFD();
  const uint64_t pages = 8192; /* 32 MiB */
  int big = memfd_create("bench-parent", MFD_CLOEXEC);
  assert_true(big >= 0);
  assert_int_equal(ftruncate(big, (off_t)(pages * P)), 0);
  uint8_t* w = mmap(NULL, pages * P, PROT_READ | PROT_WRITE, MAP_SHARED, big, 0);
  assert_true(w != MAP_FAILED);
  for (uint64_t i = 0; i < pages * P; i += 64) w[i] = (uint8_t)i;
  munmap(w, pages * P);
  double r[4][3];
  for (int rep = 0; rep < 3; rep++) {
    for (int seq = 0; seq < 2; seq++) {
      uint64_t stride = seq ? 1 : 2; /* every other page: each fault is isolated */
      uint8_t* n = mmap(NULL, pages * P, PROT_READ | PROT_WRITE, MAP_PRIVATE, big, 0);
      assert_true(n != MAP_FAILED);
      r[seq * 2][rep] = touch(n, pages, stride);
      munmap(n, pages * P);
      int child = memfd_create("bench-child", MFD_CLOEXEC);
      assert_int_equal(ftruncate(child, (off_t)(pages * P)), 0);
      uint8_t* cp = mmap(NULL, pages * P, PROT_READ | PROT_WRITE, MAP_SHARED, child, 0);
      assert_true(cp != MAP_FAILED);
      uint64_t a = (uint64_t)(uintptr_t)cp;
      assert_int_equal(zum_cow_register(a, pages * P), 0);
      assert_int_equal(zum_cow_add_source(a, pages * P, dup(big), 0, pages * P), 0);
      r[seq * 2 + 1][rep] = touch(cp, pages, stride);
      assert_int_equal(zum_cow_forget(a, pages * P), 0);
      munmap(cp, pages * P);
      close(child);
    }
  }
  close(big);
  static const char* what[4] = {
      "isolated write fault, native MAP_PRIVATE", "isolated write fault, zum cow (1 page)",
      "sequential write touch, native MAP_PRIVATE", "sequential write touch, zum cow (batches)"};
  for (int i = 0; i < 4; i++) {
    double best = r[i][0];
    for (int rep = 1; rep < 3; rep++)
      if (r[i][rep] < best) best = r[i][rep];
    printf("bench: %-44s %8.0f ns/page (best of 3, 32 MiB)\n", what[i], best);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_init),     cmocka_unit_test(test_read_write),
      cmocka_unit_test(test_batches),  cmocka_unit_test(test_concurrent),
      cmocka_unit_test(test_forget),   cmocka_unit_test(test_limits),
      cmocka_unit_test(test_shrunk),   cmocka_unit_test(test_resolve),
      cmocka_unit_test(test_remap),    cmocka_unit_test(test_fill),
      cmocka_unit_test(test_measure),
  };
  return cmocka_run_group_tests(tests, setup, NULL);
}
