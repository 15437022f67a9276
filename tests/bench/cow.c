/* A hosted guest (run under `zum run`) timing copy-on-write VMO children against Linux. Every
 * parent is written with zx_vmo_write (never through a mapping still mapped when it is cloned:
 * then the supervisor guards the parent's mapped window, which is not what these lines measure);
 * every native baseline is measured in the same run.
 *
 *   clone_mib_ns / clone_gib_ns
 *       zx_vmo_create_child(SNAPSHOT) + zx_handle_close of a 1 MiB and of a 1 GiB VMO (the
 *       parent's pages all written), vs native_memfd_ns: memfd_create + ftruncate + close.
 *       Creation copies nothing, so the two must not differ with the size.
 *   cow_fault_ns / native_cow_fault_ns
 *       one first-touch write fault on a page of a mapped child (of a written 1 MiB parent):
 *       every other page of the mapping written once, so each fault is an isolated one (no
 *       sequential batch); only the writes are timed, not the map or unmap. vs the same writes
 *       to a MAP_PRIVATE mapping of a written memfd (copy-on-write faults).
 *   cow_page_ns / native_cow_page_ns
 *       per page: map a fresh 64-page clone (RW), write one byte in every page, unmap, vs
 *       mmap(MAP_PRIVATE) of a written memfd, the same writes, munmap.
 *   cow_seq_ns / native_cow_seq_ns
 *       per page, the same over a 256 MiB clone (64 MiB with --quick).
 *
 * Which path the supervisor takes: with a userfaultfd in this process, mapping a child copies
 * nothing and each fault copies; with ZUM_NO_UFFD=1 (or no userfaultfd) mapping copies every page
 * that holds data first. The program finds out (a fresh mapping's committed bytes), says so on
 * stderr, and on the fallback prefixes the mapping keys with fb_. The clone lines, which do not
 * map, are measured only when ZUM_NO_UFFD is not set. Prints `key value` lines (median ns); tests/bench/run.sh turns them into ratio
 * lines. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>

#include "tests/bench/bench.h"

#define PG 4096u
#define RW (ZX_VM_PERM_READ | ZX_VM_PERM_WRITE)

static const char* prefix = "";

static int fail(const char* what, zx_status_t s) {
  fprintf(stderr, "cow bench: %s: %s\n", what, zx_status_get_string(s));
  return 1;
}

static void put(const char* key, double v) { printf("%s%s %.1f\n", prefix, key, v); }

static zx_status_t filled_vmo(uint64_t size, zx_handle_t* out) {
  zx_status_t s = zx_vmo_create(size, 0, out);
  if (s != ZX_OK) return s;
  static char chunk[1 << 20];
  memset(chunk, 0x5a, sizeof(chunk));
  for (uint64_t off = 0; off < size && s == ZX_OK; off += sizeof(chunk))
    s = zx_vmo_write(*out, chunk, off, size - off < sizeof(chunk) ? size - off : sizeof(chunk));
  return s;
}

static int filled_memfd(uint64_t size) {
  int fd = memfd_create("bench", MFD_CLOEXEC);
  if (fd < 0 || ftruncate(fd, (off_t)size) != 0) return -1;
  char* p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) return -1;
  memset(p, 0x5a, size);
  munmap(p, size);
  return fd;
}

/* Whether mapping a child of parent copies pages up front (the fallback). */
static bool maps_eagerly(zx_handle_t parent, uint64_t size, zx_status_t* st) {
  zx_handle_t c;
  zx_vaddr_t a = 0;
  zx_info_vmo_t info;
  memset(&info, 0, sizeof(info));
  zx_status_t s = zx_vmo_create_child(parent, ZX_VMO_CHILD_SNAPSHOT, 0, size, &c);
  if (s != ZX_OK) {
    *st = s;
    return false;
  }
  s = zx_vmar_map(zx_vmar_root_self(), RW, 0, c, 0, size, &a);
  if (s == ZX_OK) s = zx_object_get_info(c, ZX_INFO_VMO, &info, sizeof(info), NULL, NULL);
  if (a) zx_vmar_unmap(zx_vmar_root_self(), a, size);
  zx_handle_close(c);
  if (s != ZX_OK) *st = s;
  return info.committed_bytes != 0;
}

/* Median over BENCH_REPS of the mean ns of `iters` clones of parent. */
static double time_clone(zx_handle_t parent, uint64_t size, int iters, zx_status_t* st) {
  double v[BENCH_REPS];
  for (int r = 0; r < BENCH_REPS; r++) {
    int64_t t0 = bench_now_ns();
    for (int i = 0; i < iters; i++) {
      zx_handle_t c;
      zx_status_t s = zx_vmo_create_child(parent, ZX_VMO_CHILD_SNAPSHOT, 0, size, &c);
      if (s != ZX_OK) *st = s;
      zx_handle_close(c);
    }
    v[r] = (double)(bench_now_ns() - t0) / iters;
  }
  return bench_median(v, BENCH_REPS);
}

/* Writes one byte in every other page of [p, p + size): isolated first touches. */
static int64_t touch_every_other(volatile char* p, uint64_t size) {
  int64_t t0 = bench_now_ns();
  for (uint64_t off = 0; off < size; off += 2 * PG) p[off] = 1;
  return bench_now_ns() - t0;
}

/* Per fault: a fresh child of parent mapped (untimed), every other page written (timed). */
static double time_fault(zx_handle_t parent, uint64_t size, int reps, zx_status_t* st) {
  double v[BENCH_REPS];
  for (int r = 0; r < BENCH_REPS; r++) {
    int64_t total = 0;
    for (int i = 0; i < reps; i++) {
      zx_handle_t c;
      zx_vaddr_t a = 0;
      zx_status_t s = zx_vmo_create_child(parent, ZX_VMO_CHILD_SNAPSHOT, 0, size, &c);
      if (s == ZX_OK) s = zx_vmar_map(zx_vmar_root_self(), RW, 0, c, 0, size, &a);
      if (s == ZX_OK) {
        total += touch_every_other((volatile char*)a, size);
        s = zx_vmar_unmap(zx_vmar_root_self(), a, size);
      }
      if (s != ZX_OK) *st = s;
      zx_handle_close(c);
    }
    v[r] = (double)total / reps / (double)(size / PG / 2);
  }
  return bench_median(v, BENCH_REPS);
}

static double time_native_fault(int fd, uint64_t size, int reps) {
  double v[BENCH_REPS];
  for (int r = 0; r < BENCH_REPS; r++) {
    int64_t total = 0;
    for (int i = 0; i < reps; i++) {
      char* p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
      if (p == MAP_FAILED) return -1;
      total += touch_every_other(p, size);
      munmap(p, size);
    }
    v[r] = (double)total / reps / (double)(size / PG / 2);
  }
  return bench_median(v, BENCH_REPS);
}

/* Per page: map a clone of parent, write every page, unmap, close. */
static double time_cow(zx_handle_t parent, uint64_t size, int reps, zx_status_t* st) {
  double v[BENCH_REPS];
  for (int r = 0; r < BENCH_REPS; r++) {
    int64_t total = 0;
    for (int i = 0; i < reps; i++) {
      zx_handle_t c;
      zx_vaddr_t a = 0;
      zx_status_t s = zx_vmo_create_child(parent, ZX_VMO_CHILD_SNAPSHOT, 0, size, &c);
      int64_t t0 = bench_now_ns();
      if (s == ZX_OK) s = zx_vmar_map(zx_vmar_root_self(), RW, 0, c, 0, size, &a);
      if (s == ZX_OK) {
        for (uint64_t off = 0; off < size; off += PG) ((volatile char*)a)[off] = 1;
        s = zx_vmar_unmap(zx_vmar_root_self(), a, size);
      }
      total += bench_now_ns() - t0;
      if (s != ZX_OK) *st = s;
      zx_handle_close(c);
    }
    v[r] = (double)total / reps / (double)(size / PG);
  }
  return bench_median(v, BENCH_REPS);
}

static double time_native_cow(int fd, uint64_t size, int reps) {
  double v[BENCH_REPS];
  for (int r = 0; r < BENCH_REPS; r++) {
    int64_t total = 0;
    for (int i = 0; i < reps; i++) {
      int64_t t0 = bench_now_ns();
      char* p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
      if (p == MAP_FAILED) return -1;
      for (uint64_t off = 0; off < size; off += PG) ((volatile char*)p)[off] = 1;
      munmap(p, size);
      total += bench_now_ns() - t0;
    }
    v[r] = (double)total / reps / (double)(size / PG);
  }
  return bench_median(v, BENCH_REPS);
}

static double time_native_memfd(int iters) {
  double v[BENCH_REPS];
  for (int r = 0; r < BENCH_REPS; r++) {
    int64_t t0 = bench_now_ns();
    for (int i = 0; i < iters; i++) {
      int fd = memfd_create("bench", MFD_CLOEXEC);
      if (fd >= 0 && ftruncate(fd, 1 << 20) == 0) bench_sink(fd);
      close(fd);
    }
    v[r] = (double)(bench_now_ns() - t0) / iters;
  }
  return bench_median(v, BENCH_REPS);
}

int main(int argc, char** argv) {
  int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
  int iters = quick ? 100 : 2000;
  uint64_t mib = 1 << 20, seq = quick ? (64ull << 20) : (256ull << 20);
  zx_status_t st = ZX_OK;
  zx_handle_t small, big;
  zx_status_t s = filled_vmo(mib, &small);
  if (s != ZX_OK) return fail("1 MiB parent", s);
  bool eager = maps_eagerly(small, mib, &st);
  if (st != ZX_OK) return fail("mapping a child", st);
  const char* forced = getenv("ZUM_NO_UFFD");
  bool asked_fallback = forced && *forced && strcmp(forced, "0") != 0;
  fprintf(stderr, "cow bench: %s path%s\n", eager ? "fallback (eager copy)" : "userfaultfd",
          eager && !asked_fallback ? " (userfaultfd unavailable: lines labelled fallback)" : "");
  if (!asked_fallback) { /* the same on both paths: measured once */
    s = filled_vmo(quick ? (256ull << 20) : (1ull << 30), &big);
    if (s != ZX_OK) return fail("1 GiB parent", s);
    put("clone_mib_ns", time_clone(small, mib, iters, &st));
    put("clone_gib_ns", time_clone(big, 1ull << 30, iters, &st));
    put("native_memfd_ns", time_native_memfd(iters));
    if (st != ZX_OK) return fail("clone", st);
    zx_handle_close(big);
  }
  if (eager) prefix = "fb_";
  int fd = filled_memfd(seq);
  if (fd < 0) return fail("memfd", ZX_ERR_NO_MEMORY);
  int reps = quick ? 4 : 40;
  put("cow_fault_ns", time_fault(small, mib, reps, &st));
  put("native_cow_fault_ns", time_native_fault(fd, mib, reps));
  put("cow_page_ns", time_cow(small, 64 * PG, quick ? 5 : 50, &st));
  put("native_cow_page_ns", time_native_cow(fd, 64 * PG, quick ? 5 : 50));
  if (st != ZX_OK) return fail("cow", st);
  zx_handle_t seqp;
  s = filled_vmo(seq, &seqp);
  if (s != ZX_OK) return fail("256 MiB parent", s);
  put("cow_seq_ns", time_cow(seqp, seq, 1, &st));
  put("native_cow_seq_ns", time_native_cow(fd, seq, 1));
  if (st != ZX_OK) return fail("cow", st);
  zx_handle_close(seqp);
  zx_handle_close(small);
  close(fd);
  return 0;
}
