/* A hosted guest (run under `zum run`) timing a channel ping-pong between two Zircon processes:
 * this process writes 8 bytes, the peer (this program again, started with zum_spawn and given
 * the other end as its PA_USER0 start-up handle) waits for readability with zx_object_wait_one,
 * reads and writes the message back, and this process waits, reads it, and goes again.
 *
 * Prints `channel_pingpong_ns <median ns per round trip>`. A round trip is six trapped calls
 * (write, wait_one, read on each side), two of which park and are completed by the peer's write;
 * tests/bench/run.sh compares it with two bare seccomp round trips, the least any exchange between
 * two trapped processes can cost. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zircon/process.h>
#include <zircon/processargs.h>
#include <zircon/syscalls.h>
#include <zum/zum.h>

#include "tests/bench/bench.h"

static int fail(const char* what, zx_status_t s) {
  fprintf(stderr, "pingpong: %s: %s\n", what, zx_status_get_string(s));
  return 1;
}

/* Waits until `ch` is readable and reads one 8-byte message. */
static zx_status_t recv_msg(zx_handle_t ch, uint64_t* msg) {
  zx_signals_t obs = 0;
  zx_status_t s =
      zx_object_wait_one(ch, ZX_CHANNEL_READABLE | ZX_CHANNEL_PEER_CLOSED, ZX_TIME_INFINITE, &obs);
  if (s != ZX_OK) return s;
  if (!(obs & ZX_CHANNEL_READABLE)) return ZX_ERR_PEER_CLOSED;
  uint32_t nb = 0, nh = 0;
  return zx_channel_read(ch, 0, msg, NULL, sizeof(*msg), 0, &nb, &nh);
}

static int peer(void) {
  zx_handle_t ch = zx_take_startup_handle(PA_HND(PA_USER0, 0));
  if (ch == ZX_HANDLE_INVALID) return fail("no channel handle", ZX_ERR_BAD_HANDLE);
  for (;;) {
    uint64_t msg;
    zx_status_t s = recv_msg(ch, &msg);
    if (s == ZX_ERR_PEER_CLOSED) return 0;
    if (s != ZX_OK) return fail("peer read", s);
    msg++;
    if ((s = zx_channel_write(ch, 0, &msg, sizeof(msg), NULL, 0)) != ZX_OK)
      return fail("peer write", s);
  }
}

int main(int argc, char** argv) {
  if (argc > 1 && strcmp(argv[1], "--peer") == 0) return peer();
  int iters = 5000;
  if (argc > 1 && strcmp(argv[1], "--quick") == 0) iters = 500;

  zx_handle_t ch[2];
  zx_status_t s = zx_channel_create(0, &ch[0], &ch[1]);
  if (s != ZX_OK) return fail("zx_channel_create", s);
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (n <= 0) return fail("readlink /proc/self/exe", ZX_ERR_NOT_FOUND);
  self[n] = 0;
  const char* args[] = {self, "--peer", NULL};
  uint32_t info = PA_HND(PA_USER0, 0);
  zx_handle_t proc;
  s = zum_spawn(zx_job_default(), self, args, &ch[1], &info, 1, &proc);
  if (s != ZX_OK) return fail("zum_spawn", s);

  uint64_t msg = 0;
  double per[BENCH_REPS];
  for (int r = -1; r < BENCH_REPS; r++) { /* r == -1: warm-up */
    int64_t t0 = bench_now_ns();
    for (int i = 0; i < iters; i++) {
      uint64_t sent = msg;
      if ((s = zx_channel_write(ch[0], 0, &msg, sizeof(msg), NULL, 0)) != ZX_OK)
        return fail("zx_channel_write", s);
      if ((s = recv_msg(ch[0], &msg)) != ZX_OK) return fail("read reply", s);
      if (msg != sent + 1) return fail("wrong reply", ZX_ERR_INTERNAL);
    }
    if (r >= 0) per[r] = (double)(bench_now_ns() - t0) / iters;
  }
  zx_handle_close(ch[0]);
  zx_signals_t obs = 0;
  s = zx_object_wait_one(proc, ZX_PROCESS_TERMINATED, zx_deadline_after(ZX_SEC(10)), &obs);
  if (s != ZX_OK) return fail("waiting for the peer to exit", s);
  zx_handle_close(proc);
  printf("channel_pingpong_ns %.1f\n", bench_median(per, BENCH_REPS));
  return 0;
}
