/* A hosted guest (run under `zum run`) timing copy-on-write VMO children against Linux:
 *
 *   clone_mib_ns / clone_gib_ns
 *       zx_vmo_create_child(SNAPSHOT) + zx_handle_close of a 1 MiB and of a 1 GiB VMO (the
 *       parent's pages all written), vs native_memfd_ns: memfd_create + ftruncate + close.
 *       Creation copies nothing, so the two must not differ with the size.
 *   cow_page_ns / native_cow_page_ns
 *       per page: map a fresh 64-page clone (RW) of a written parent, write one byte in every
 *       page, unmap, close, vs mmap(MAP_PRIVATE) of a written memfd, the same writes (copy-on-write
 *       faults), munmap. zum has no userfaultfd path yet: mapping a clone copies the mapped pages
 *       that hold data first, so this measures that fallback.
 *   cow_seq_ns / native_cow_seq_ns
 *       per page, the same over a 256 MiB clone (64 MiB with --quick).
 *
 * Prints `key value` lines (median ns); tests/bench/run.sh turns them into ratio lines. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>

#include "tests/bench/bench.h"

#define PG 4096u

static int fail(const char* what, zx_status_t s) {
  fprintf(stderr, "cow bench: %s: %s\n", what, zx_status_get_string(s));
  return 1;
}

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
      if (s == ZX_OK)
        s = zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, c, 0, size,
                        &a);
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
  uint64_t seq = quick ? (64ull << 20) : (256ull << 20);
  zx_status_t st = ZX_OK;
  zx_handle_t small, big;
  zx_status_t s = filled_vmo(1 << 20, &small);
  if (s != ZX_OK) return fail("1 MiB parent", s);
  s = filled_vmo(quick ? (256ull << 20) : (1ull << 30), &big);
  if (s != ZX_OK) return fail("1 GiB parent", s);
  printf("clone_mib_ns %.1f\n", time_clone(small, 1 << 20, iters, &st));
  printf("clone_gib_ns %.1f\n", time_clone(big, 1ull << 30, iters, &st));
  printf("native_memfd_ns %.1f\n", time_native_memfd(iters));
  if (st != ZX_OK) return fail("clone", st);
  zx_handle_close(big);
  int fd = filled_memfd(seq);
  if (fd < 0) return fail("memfd", ZX_ERR_NO_MEMORY);
  printf("cow_page_ns %.1f\n", time_cow(small, 64 * PG, quick ? 5 : 50, &st));
  printf("native_cow_page_ns %.1f\n", time_native_cow(fd, 64 * PG, quick ? 5 : 50));
  zx_handle_t seqp;
  s = filled_vmo(seq, &seqp);
  if (s != ZX_OK) return fail("256 MiB parent", s);
  printf("cow_seq_ns %.1f\n", time_cow(seqp, seq, 1, &st));
  printf("native_cow_seq_ns %.1f\n", time_native_cow(fd, seq, 1));
  if (st != ZX_OK) return fail("cow", st);
  zx_handle_close(seqp);
  zx_handle_close(small);
  close(fd);
  return 0;
}
