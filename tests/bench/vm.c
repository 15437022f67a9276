/* A hosted guest (run under `zum run`) timing VMO and VMAR work against Linux doing the same:
 *
 *   vmo_cycle_ns / native_vmo_cycle_ns
 *       zx_vmo_create(4 KiB) + zx_vmar_map(RW) + touch one page + zx_vmar_unmap + zx_handle_close,
 *       vs memfd_create + ftruncate + mmap(MAP_SHARED) + touch + munmap + close in this process.
 *   ro_map_ns / rw_map_ns
 *       zx_vmar_map(READ) + zx_vmar_unmap of a 4 KiB VMO through a handle without ZX_RIGHT_WRITE
 *       (its memfd reaches the guest reopened O_RDONLY) vs the same through a handle with it.
 *   remote_map_ns / native_remote_map_ns
 *       mapping a VMO into ANOTHER process's VMAR and unmapping it again (zum sends the work to
 *       that process's agent and waits), vs the bare mechanism: the memfd sent with SCM_RIGHTS to
 *       a thread of another process that maps it, replies, then unmaps on a second message.
 *
 * Prints `key value` lines (median ns per iteration); tests/bench/run.sh turns them into
 * ratio lines. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zircon/process.h>
#include <zircon/processargs.h>
#include <zircon/syscalls.h>
#include <zum/zum.h>

#include "host/common/scm.h"
#include "tests/bench/bench.h"

static int fail(const char* what, zx_status_t s) {
  fprintf(stderr, "vm bench: %s: %s\n", what, zx_status_get_string(s));
  return 1;
}

/* ---- zum: create + map + touch + unmap + close */
static zx_status_t vmo_cycle(void) {
  zx_handle_t vmo;
  zx_vaddr_t addr;
  zx_status_t s = zx_vmo_create(4096, 0, &vmo);
  if (s != ZX_OK) return s;
  s = zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, 4096, &addr);
  if (s == ZX_OK) {
    *(volatile char*)addr = 1;
    s = zx_vmar_unmap(zx_vmar_root_self(), addr, 4096);
  }
  zx_handle_close(vmo);
  return s;
}

static int native_cycle(void) {
  int fd = memfd_create("bench", MFD_CLOEXEC);
  if (fd < 0 || ftruncate(fd, 4096) != 0) return -1;
  char* p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) return -1;
  *(volatile char*)p = 1;
  munmap(p, 4096);
  close(fd);
  return 0;
}

/* ---- zum: a read-only mapping of vmo made and removed */
static zx_status_t map_unmap(zx_handle_t vmo) {
  zx_vaddr_t addr;
  zx_status_t s = zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, vmo, 0, 4096, &addr);
  return s == ZX_OK ? zx_vmar_unmap(zx_vmar_root_self(), addr, 4096) : s;
}

/* ---- the peer process: hands its root VMAR over and waits to be told to go */
static int peer(void) {
  zx_handle_t ch = zx_take_startup_handle(PA_HND(PA_USER0, 0));
  zx_handle_t vmar;
  zx_status_t s = zx_handle_duplicate(zx_vmar_root_self(), ZX_RIGHT_SAME_RIGHTS, &vmar);
  if (s != ZX_OK) return fail("peer duplicate", s);
  if ((s = zx_channel_write(ch, 0, "v", 1, &vmar, 1)) != ZX_OK) return fail("peer write", s);
  zx_signals_t obs;
  zx_object_wait_one(ch, ZX_CHANNEL_PEER_CLOSED, ZX_TIME_INFINITE, &obs);
  return 0;
}

/* ---- the bare mechanism: a Linux process that maps what it is sent */
static void native_agent(int sock) {
  for (;;) {
    char op;
    uint64_t addr = 0;
    struct iovec iov[2] = {{&op, 1}, {&addr, sizeof(addr)}};
    ZUM_SCM_BUF(1) u;
    struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2, .msg_control = u.buf,
                         .msg_controllen = sizeof(u.buf)};
    if (recvmsg(sock, &msg, 0) <= 0) _exit(0);
    int fd = -1;
    zum_scm_take(u.buf, msg.msg_controllen, &fd, 1);
    if (op == 'm') {
      void* p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
      close(fd);
      addr = (uint64_t)(uintptr_t)p;
    } else {
      munmap((void*)(uintptr_t)addr, 4096);
    }
    if (write(sock, &addr, sizeof(addr)) != sizeof(addr)) _exit(1);
  }
}

static int native_remote(int sock, int memfd) {
  char op = 'm';
  uint64_t addr = 0;
  struct iovec iov[2] = {{&op, 1}, {&addr, sizeof(addr)}};
  ZUM_SCM_BUF(1) u;
  struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2, .msg_control = u.buf};
  msg.msg_controllen = zum_scm_put(u.buf, sizeof(u.buf), &memfd, 1);
  if (sendmsg(sock, &msg, 0) < 0 || read(sock, &addr, sizeof(addr)) != sizeof(addr)) return -1;
  op = 'u';
  struct msghdr m2 = {.msg_iov = iov, .msg_iovlen = 2};
  if (sendmsg(sock, &m2, 0) < 0 || read(sock, &addr, sizeof(addr)) != sizeof(addr)) return -1;
  return 0;
}

int main(int argc, char** argv) {
  if (argc > 1 && strcmp(argv[1], "--peer") == 0) return peer();
  int iters = 3000;
  if (argc > 1 && strcmp(argv[1], "--quick") == 0) iters = 300;

  /* A peer Zircon process whose root VMAR this one maps into. */
  zx_handle_t ch[2];
  zx_status_t s = zx_channel_create(0, &ch[0], &ch[1]);
  if (s != ZX_OK) return fail("zx_channel_create", s);
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (n <= 0) return fail("readlink", ZX_ERR_NOT_FOUND);
  self[n] = 0;
  const char* args[] = {self, "--peer", NULL};
  uint32_t info = PA_HND(PA_USER0, 0);
  zx_handle_t proc, peer_vmar;
  if ((s = zum_spawn(zx_job_default(), self, args, &ch[1], &info, 1, &proc)) != ZX_OK)
    return fail("zum_spawn", s);
  zx_signals_t obs;
  zx_object_wait_one(ch[0], ZX_CHANNEL_READABLE, ZX_TIME_INFINITE, &obs);
  char b;
  uint32_t nb, nh;
  if ((s = zx_channel_read(ch[0], 0, &b, &peer_vmar, 1, 1, &nb, &nh)) != ZX_OK)
    return fail("read peer vmar", s);
  zx_handle_t vmo;
  if ((s = zx_vmo_create(4096, 0, &vmo)) != ZX_OK) return fail("zx_vmo_create", s);

  /* The bare mechanism's peer. */
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) != 0) return fail("socketpair", ZX_ERR_IO);
  pid_t child = fork();
  if (child == 0) {
    close(sv[0]);
    native_agent(sv[1]);
  }
  close(sv[1]);
  int memfd = memfd_create("bench", MFD_CLOEXEC);
  if (memfd < 0 || ftruncate(memfd, 4096) != 0) return fail("memfd", ZX_ERR_IO);

  zx_handle_t ro;
  if ((s = zx_handle_duplicate(vmo, ZX_RIGHTS_BASIC | ZX_RIGHT_READ | ZX_RIGHT_MAP, &ro)) != ZX_OK)
    return fail("zx_handle_duplicate", s);
  double zc[BENCH_REPS], nc[BENCH_REPS], zr[BENCH_REPS], nr[BENCH_REPS];
  double ro_t[BENCH_REPS], rw_t[BENCH_REPS];
  for (int r = -1; r < BENCH_REPS; r++) { /* r == -1: warm-up */
    int64_t t0 = bench_now_ns();
    for (int i = 0; i < iters; i++)
      if ((s = vmo_cycle()) != ZX_OK) return fail("vmo cycle", s);
    int64_t t1 = bench_now_ns();
    for (int i = 0; i < iters; i++)
      if (native_cycle() != 0) return fail("native cycle", ZX_ERR_IO);
    int64_t t2 = bench_now_ns();
    for (int i = 0; i < iters; i++) {
      zx_vaddr_t addr;
      if ((s = zx_vmar_map(peer_vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, 4096,
                           &addr)) != ZX_OK)
        return fail("remote map", s);
      if ((s = zx_vmar_unmap(peer_vmar, addr, 4096)) != ZX_OK) return fail("remote unmap", s);
    }
    int64_t t3 = bench_now_ns();
    for (int i = 0; i < iters; i++)
      if (native_remote(sv[0], memfd) != 0) return fail("native remote", ZX_ERR_IO);
    int64_t t4 = bench_now_ns();
    for (int i = 0; i < iters; i++)
      if ((s = map_unmap(ro)) != ZX_OK) return fail("read-only map", s);
    int64_t t5 = bench_now_ns();
    for (int i = 0; i < iters; i++)
      if ((s = map_unmap(vmo)) != ZX_OK) return fail("read-write map", s);
    int64_t t6 = bench_now_ns();
    if (r < 0) continue;
    ro_t[r] = (double)(t5 - t4) / iters;
    rw_t[r] = (double)(t6 - t5) / iters;
    zc[r] = (double)(t1 - t0) / iters;
    nc[r] = (double)(t2 - t1) / iters;
    zr[r] = (double)(t3 - t2) / iters;
    nr[r] = (double)(t4 - t3) / iters;
  }
  close(sv[0]);
  waitpid(child, NULL, 0);
  zx_handle_close(ch[0]);
  printf("vmo_cycle_ns %.1f\n", bench_median(zc, BENCH_REPS));
  printf("native_vmo_cycle_ns %.1f\n", bench_median(nc, BENCH_REPS));
  printf("ro_map_ns %.1f\n", bench_median(ro_t, BENCH_REPS));
  printf("rw_map_ns %.1f\n", bench_median(rw_t, BENCH_REPS));
  printf("remote_map_ns %.1f\n", bench_median(zr, BENCH_REPS));
  printf("native_remote_map_ns %.1f\n", bench_median(nr, BENCH_REPS));
  return 0;
}
