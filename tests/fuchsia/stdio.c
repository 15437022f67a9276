/* stdio and the UTC clock of a pure process started by zum-launch: fds 0, 1 and 2 are Zircon
 * stream sockets (PA_FD startup handles) that zum-launch bridges to its own stdin, stdout and
 * stderr, and PA_CLOCK_UTC is a running clock set from the host's real time
 * (tests/fuchsia-stdio.sh runs it).
 *   stdio.elf out        numbered lines on fd 1 and fd 2, then 200000 more bytes on fd 1, then
 *                        a last line on each, then exits at once;
 *   stdio.elf crash      a line on fd 1, then a fault (ud2): the line must still arrive;
 *   stdio.elf cat        copies fd 0 to fd 1 until its peer closes, then "eof N" on fd 2;
 *   stdio.elf noread     never reads fd 0; prints "done";
 *   stdio.elf closein    closes fd 0, waits a moment, prints "done";
 *   stdio.elf utc        checks the clock and prints its value in whole seconds on fd 1.
 * Writes that find the host end gone (ZX_ERR_PEER_CLOSED) stop that fd quietly, as a program
 * ignoring EPIPE would. */
#include "fx.h"

#include <zircon/syscalls/clock.h>

static zx_handle_t fd_sock[3];

/* Writes all of [p, p+n) to fd's socket, waiting while it is full. */
static void put(int fd, const char* p, size_t n) {
  while (n && fd_sock[fd] != ZX_HANDLE_INVALID) {
    size_t done = 0;
    zx_status_t s = zx_socket_write(fd_sock[fd], 0, p, n, &done);
    if (s == ZX_ERR_SHOULD_WAIT) {
      zx_signals_t seen = 0;
      FX_CHECK_EQ(zx_object_wait_one(fd_sock[fd], ZX_SOCKET_WRITABLE | ZX_SOCKET_PEER_CLOSED,
                                     ZX_TIME_INFINITE, &seen),
                  ZX_OK);
      continue;
    }
    if (s == ZX_ERR_PEER_CLOSED) {
      zx_handle_close(fd_sock[fd]);
      fd_sock[fd] = ZX_HANDLE_INVALID;
      return;
    }
    FX_CHECK_EQ(s, ZX_OK);
    p += done;
    n -= done;
  }
}
static void put_str(int fd, const char* s) { put(fd, s, fx_strlen(s)); }
static void put_dec(int fd, uint64_t v) {
  char b[24];
  int n = 0;
  do b[n++] = (char)('0' + v % 10); while (v /= 10);
  char r[24];
  for (int i = 0; i < n; i++) r[i] = b[n - 1 - i];
  put(fd, r, (size_t)n);
}

static void out(void) {
  for (int i = 1; i <= 5; i++) {
    put_str(1, "out ");
    put_dec(1, (uint64_t)i);
    put_str(1, "\n");
    put_str(2, "err ");
    put_dec(2, (uint64_t)i);
    put_str(2, "\n");
  }
  /* More than zum-launch's buffer and a socket's capacity: it must flow, not be cut. */
  static char block[1000];
  for (size_t i = 0; i < sizeof(block); i++) block[i] = i % 100 == 99 ? '\n' : 'x';
  for (int i = 0; i < 200; i++) put(1, block, sizeof(block));
  put_str(2, "err last\n");
  put_str(1, "out last\n");
}

static void cat(void) {
  uint64_t total = 0;
  static char buf[4096];
  for (;;) {
    size_t got = 0;
    zx_status_t s = zx_socket_read(fd_sock[0], 0, buf, sizeof(buf), &got);
    if (s == ZX_ERR_SHOULD_WAIT) {
      zx_signals_t seen = 0;
      FX_CHECK_EQ(zx_object_wait_one(fd_sock[0], ZX_SOCKET_READABLE | ZX_SOCKET_PEER_CLOSED,
                                     ZX_TIME_INFINITE, &seen),
                  ZX_OK);
      continue;
    }
    if (s == ZX_ERR_PEER_CLOSED) break;
    FX_CHECK_EQ(s, ZX_OK);
    put(1, buf, got);
    total += got;
  }
  put_str(2, "eof ");
  put_dec(2, total);
  put_str(2, "\n");
}

static void utc(void) {
  zx_handle_t c = fx_take(PA_HND(PA_CLOCK_UTC, 0));
  FX_CHECK_EQ(fx_type(c), ZX_OBJ_TYPE_CLOCK);
  zx_time_t a = 0, b = 0;
  FX_CHECK_EQ(zx_clock_read(c, &a), ZX_OK);
  FX_CHECK_EQ(zx_clock_read(c, &b), ZX_OK);
  FX_CHECK(a > 0 && b >= a); /* started, and running forward */
  /* Read-only: the program cannot set the time. */
  zx_clock_update_args_v1_t up = {.value = 0};
  FX_CHECK_EQ(zx_clock_update(c, ZX_CLOCK_ARGS_VERSION(1) | ZX_CLOCK_UPDATE_OPTION_VALUE_VALID, &up),
              ZX_ERR_ACCESS_DENIED);
  put_dec(1, (uint64_t)b / 1000000000u);
  put_str(1, "\n");
}

void _start(zx_handle_t bootstrap, uintptr_t vdso_base) {
  fx_read_bootstrap(bootstrap, vdso_base);
  for (int fd = 0; fd < 3; fd++) {
    fd_sock[fd] = fx_take(PA_HND(PA_FD, fd));
    FX_CHECK_EQ(fx_type(fd_sock[fd]), ZX_OBJ_TYPE_SOCKET);
  }
  const char* mode = fx_start.argc > 1 ? fx_start.argv[1] : "";
  if (fx_streq(mode, "out")) {
    out();
  } else if (fx_streq(mode, "crash")) {
    put_str(1, "before the crash\n");
    __builtin_trap();
  } else if (fx_streq(mode, "cat")) {
    cat();
  } else if (fx_streq(mode, "noread")) {
    put_str(1, "done\n");
  } else if (fx_streq(mode, "closein")) {
    zx_handle_close(fd_sock[0]);
    zx_nanosleep(zx_deadline_after(ZX_MSEC(100)));
    put_str(1, "done\n");
  } else if (fx_streq(mode, "utc")) {
    utc();
  } else {
    fx_puts("usage: stdio.elf out|crash|cat|noread|closein|utc\n");
    zx_process_exit(2);
  }
  zx_process_exit(0);
}
