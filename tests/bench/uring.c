/* Would io_uring make the supervisor's data path cheaper? A plain Linux program (no zum in it)
 * timing the copies the supervisor makes per call, done with ordinary system calls (the
 * baseline: what zum does) and through io_uring (liburing, one io_uring_submit_and_wait per batch):
 *
 *   uring_vmo_read_4x64   zx_vmo_read/write: 4 reads of 64 bytes at different offsets of a memfd;
 *                         4 preads vs 4 IORING_OP_READ in one submit
 *   uring_vmo_read_4k     one 4 KiB read of a memfd: pread vs one IORING_OP_READ
 *   uring_guest_read_4x64 guest memory (the arguments and buffers of one call): 4 reads of 64 bytes
 *                         from another process; 4 process_vm_readv vs 4 IORING_OP_READ of a
 *                         kept-open /proc/PID/mem in one submit (io_uring has no
 *                         process_vm_readv; /proc/PID/mem is how it reaches another process)
 *   guest_read_4x64_one_readv  the same 4 reads as one process_vm_readv with 4 remote iovecs
 *                         vs 4 process_vm_readv: batching without io_uring
 *
 * The ring is set up the fastest way for one thread that submits and waits (SINGLE_ISSUER +
 * DEFER_TASKRUN when the kernel has them) with the files registered. Prints `key value` lines
 * (ns per operation group, median of BENCH_REPS) for tests/bench/run.sh. */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/bench/bench.h"

#define SMALL 64
#define NSMALL 4
#define PAGE 4096

static struct io_uring ring;
static long iters = 20000;
/* Offsets of the four small reads: spread over four pages, as a call's arguments, handle array
 * and buffers are. */
static const off_t small_off[NSMALL] = {0, PAGE + 128, 2 * PAGE + 256, 3 * PAGE + 512};
static char buf[NSMALL * PAGE];
/* The other process's copy of this array is what the guest-memory lines read. */
static char guest_mem[NSMALL * PAGE];

static void die(const char* what, int err) {
  fprintf(stderr, "uring: %s: %s\n", what, strerror(err));
  exit(1);
}

/* Submits the SQEs prepared so far, waits for n completions and checks each. */
static void ring_wait(unsigned n, int want) {
  int r = io_uring_submit_and_wait(&ring, n);
  if (r < 0) die("io_uring_submit_and_wait", -r);
  struct io_uring_cqe* cqe;
  unsigned head, seen = 0;
  io_uring_for_each_cqe(&ring, head, cqe) {
    if (cqe->res != want) die("io_uring read", cqe->res < 0 ? -cqe->res : EIO);
    seen++;
  }
  io_uring_cq_advance(&ring, seen);
  if (seen != n) die("io_uring completions", EIO);
}

/* Reads with fixed file index `fidx` at the given offsets, len bytes each, in one submit. */
static void ring_reads(int fidx, const off_t* offs, unsigned n, unsigned len, off_t base) {
  for (unsigned i = 0; i < n; i++) {
    struct io_uring_sqe* sqe = io_uring_get_sqe(&ring);
    io_uring_prep_read(sqe, fidx, buf + i * PAGE, len, (uint64_t)(base + offs[i]));
    sqe->flags |= IOSQE_FIXED_FILE;
  }
  ring_wait(n, (int)len);
}

enum op { PREAD_4, URING_4, PREAD_4K, URING_4K, VMREADV_4, URING_MEM_4, VMREADV_1X4 };

static int memfd, memfile;
static pid_t peer;

static void run_op(enum op op) {
  switch (op) {
    case PREAD_4:
      for (int i = 0; i < NSMALL; i++)
        if (pread(memfd, buf + i * PAGE, SMALL, small_off[i]) != SMALL) die("pread", errno);
      break;
    case URING_4:
      ring_reads(0, small_off, NSMALL, SMALL, 0);
      break;
    case PREAD_4K:
      if (pread(memfd, buf, PAGE, PAGE) != PAGE) die("pread", errno);
      break;
    case URING_4K: {
      static const off_t one[1] = {PAGE};
      ring_reads(0, one, 1, PAGE, 0);
      break;
    }
    case VMREADV_4:
      for (int i = 0; i < NSMALL; i++) {
        struct iovec l = {buf + i * PAGE, SMALL}, r = {guest_mem + small_off[i], SMALL};
        if (process_vm_readv(peer, &l, 1, &r, 1, 0) != SMALL) die("process_vm_readv", errno);
      }
      break;
    case URING_MEM_4:
      ring_reads(1, small_off, NSMALL, SMALL, (off_t)(uintptr_t)guest_mem);
      break;
    case VMREADV_1X4: {
      struct iovec l[NSMALL], r[NSMALL];
      for (int i = 0; i < NSMALL; i++) {
        l[i] = (struct iovec){buf + i * PAGE, SMALL};
        r[i] = (struct iovec){guest_mem + small_off[i], SMALL};
      }
      if (process_vm_readv(peer, l, NSMALL, r, NSMALL, 0) != NSMALL * SMALL)
        die("process_vm_readv", errno);
      break;
    }
  }
}

/* Median over BENCH_REPS of the mean ns per run_op(op). */
static double measure(enum op op) {
  double v[BENCH_REPS];
  for (long i = 0; i < iters / 10; i++) run_op(op); /* warm up */
  for (int r = 0; r < BENCH_REPS; r++) {
    int64_t t0 = bench_now_ns();
    for (long i = 0; i < iters; i++) run_op(op);
    v[r] = (double)(bench_now_ns() - t0) / (double)iters;
  }
  return bench_median(v, BENCH_REPS);
}

int main(int argc, char** argv) {
  if (argc > 1 && strcmp(argv[1], "--quick") == 0) iters = 1000;

  memfd = memfd_create("zum-bench-uring", 0);
  if (memfd < 0) die("memfd_create", errno);
  if (ftruncate(memfd, 2 * NSMALL * PAGE) != 0) die("ftruncate", errno);
  memset(buf, 0x5a, sizeof(buf));
  if (pwrite(memfd, buf, sizeof(buf), 0) != (ssize_t)sizeof(buf)) die("pwrite", errno);

  /* The "guest": a child with this program's layout (so guest_mem is at the same address there)
   * that waits to be killed. */
  memset(guest_mem, 0xa5, sizeof(guest_mem));
  peer = fork();
  if (peer < 0) die("fork", errno);
  if (peer == 0) {
    for (;;) pause();
  }
  char path[64];
  snprintf(path, sizeof(path), "/proc/%d/mem", (int)peer);
  memfile = open(path, O_RDONLY | O_CLOEXEC);
  if (memfile < 0) die("open /proc/PID/mem", errno);

  struct io_uring_params p = {.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN};
  int r = io_uring_queue_init_params(8, &ring, &p);
  if (r == -EINVAL) r = io_uring_queue_init(8, &ring, 0); /* kernels before 6.1 */
  if (r < 0) {
    /* No io_uring here (kernel config, or a seccomp profile such as Docker's): nothing to say. */
    fprintf(stderr, "uring: io_uring unavailable: %s\n", strerror(-r));
    kill(peer, SIGKILL);
    waitpid(peer, NULL, 0);
    return 0;
  }
  int files[2] = {memfd, memfile};
  r = io_uring_register_files(&ring, files, 2);
  if (r < 0) die("io_uring_register_files", -r);

  printf("uring_pread_4x64_ns %.1f\n", measure(PREAD_4));
  printf("uring_ring_4x64_ns %.1f\n", measure(URING_4));
  printf("uring_pread_4k_ns %.1f\n", measure(PREAD_4K));
  printf("uring_ring_4k_ns %.1f\n", measure(URING_4K));
  printf("uring_vmreadv_4x64_ns %.1f\n", measure(VMREADV_4));
  printf("uring_ring_mem_4x64_ns %.1f\n", measure(URING_MEM_4));
  printf("uring_vmreadv_1x4_ns %.1f\n", measure(VMREADV_1X4));

  io_uring_queue_exit(&ring);
  kill(peer, SIGKILL);
  waitpid(peer, NULL, 0);
  return 0;
}
