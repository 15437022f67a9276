/* zum-launch's stdio bridge (stdio_bridge.h). */
#include "host/guest/launch/stdio_bridge.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

zx_status_t stdio_bridge_init(struct stdio_bridge* b, zx_handle_t theirs[STDIO_BRIDGE_STREAMS]) {
  /* A host stdout whose reader went away must end that stream, not zum-launch: write() then
   * fails with EPIPE instead of raising SIGPIPE. */
  signal(SIGPIPE, SIG_IGN);
  for (unsigned fd = 0; fd < STDIO_BRIDGE_STREAMS; fd++) {
    struct stdio_stream* s = &b->s[fd];
    s->host_fd = (int)fd;
    s->to_host = fd != 0;
    s->host_done = false;
    s->off = s->len = 0;
    zx_status_t st = zx_socket_create(ZX_SOCKET_STREAM, &s->sock, &theirs[fd]);
    if (st != ZX_OK) {
      for (unsigned i = 0; i < fd; i++) {
        zx_handle_close(b->s[i].sock);
        zx_handle_close(theirs[i]);
      }
      return st;
    }
  }
  return ZX_OK;
}

static void finish(struct stdio_stream* s) {
  if (s->sock != ZX_HANDLE_INVALID) zx_handle_close(s->sock);
  s->sock = ZX_HANDLE_INVALID;
  s->off = s->len = 0;
}

size_t stdio_bridge_wait_items(struct stdio_bridge* b, zx_wait_item_t* items) {
  size_t n = 0;
  for (unsigned i = 0; i < STDIO_BRIDGE_STREAMS; i++) {
    struct stdio_stream* s = &b->s[i];
    if (s->sock == ZX_HANDLE_INVALID) continue;
    zx_signals_t want = ZX_SOCKET_PEER_CLOSED;
    if (s->to_host && s->len == 0) want |= ZX_SOCKET_READABLE;
    if (!s->to_host && s->len > 0) want |= ZX_SOCKET_WRITABLE;
    items[n++] = (zx_wait_item_t){.handle = s->sock, .waitfor = want};
  }
  return n;
}

bool stdio_bridge_host_pending(const struct stdio_bridge* b) {
  for (unsigned i = 0; i < STDIO_BRIDGE_STREAMS; i++) {
    const struct stdio_stream* s = &b->s[i];
    if (s->sock == ZX_HANDLE_INVALID) continue;
    if (s->to_host ? s->len > 0 : s->len == 0 && !s->host_done) return true;
  }
  return false;
}

/* poll() on one host fd: 1 ready (or in a state where the operation will not block: error,
 * hang-up), 0 not yet. */
static int host_ready(int fd, short events, int timeout_ms) {
  struct pollfd p = {.fd = fd, .events = events};
  int r;
  do r = poll(&p, 1, timeout_ms); while (r < 0 && errno == EINTR);
  return r > 0;
}

/* Program -> host: one write of at most PIPE_BUF bytes once the host fd is ready. Returns
 * whether bytes moved. */
static bool write_host(struct stdio_stream* s, int timeout_ms) {
  if (s->len == 0 || !host_ready(s->host_fd, POLLOUT, timeout_ms)) return false;
  size_t n = s->len < PIPE_BUF ? s->len : PIPE_BUF;
  /* A long run is cut after its last newline that fits, so a line stays one write and zum's own
   * messages on the same fd fall between lines, not inside one. */
  if (n < s->len) {
    const char* nl = memrchr(s->buf + s->off, '\n', n);
    if (nl) n = (size_t)(nl - (s->buf + s->off)) + 1;
  }
  ssize_t w = write(s->host_fd, s->buf + s->off, n);
  if (w < 0 && (errno == EINTR || errno == EAGAIN)) return false;
  if (w <= 0) {
    /* The host side is gone (EPIPE, a closed fd): the program's later writes fail with
     * ZX_ERR_PEER_CLOSED, as writes to a broken pipe do. */
    s->host_done = true;
    finish(s);
    return false;
  }
  s->off += (size_t)w;
  s->len -= (size_t)w;
  if (s->len == 0) s->off = 0;
  return true;
}

/* Program -> host: refills the empty buffer from the socket. */
static bool read_socket(struct stdio_stream* s) {
  if (s->sock == ZX_HANDLE_INVALID || s->len != 0) return false;
  size_t got = 0;
  zx_status_t st = zx_socket_read(s->sock, 0, s->buf, sizeof(s->buf), &got);
  if (st == ZX_ERR_SHOULD_WAIT) return false;
  if (st != ZX_OK) {
    finish(s); /* the program closed its end and everything it wrote has been read */
    return false;
  }
  s->off = 0;
  s->len = got;
  return got > 0;
}

static bool pump_out(struct stdio_stream* s) {
  bool moved = read_socket(s);
  if (s->sock != ZX_HANDLE_INVALID) moved |= write_host(s, 0);
  return moved;
}

/* Host -> program: reads stdin when it is ready and the buffer is empty; writes the buffer to
 * the socket as far as the socket takes it; host EOF closes our end once all is written, so the
 * program reads what is left and then sees ZX_ERR_PEER_CLOSED. */
static bool pump_in(struct stdio_stream* s) {
  bool moved = false;
  /* A program that closed its stdin gets nothing more: do not take input (a terminal's next
   * line) from the host only to drop it. */
  zx_signals_t seen = 0;
  zx_object_wait_one(s->sock, ZX_SOCKET_PEER_CLOSED, 0, &seen);
  if (seen & ZX_SOCKET_PEER_CLOSED) {
    finish(s);
    return false;
  }
  if (s->len == 0 && !s->host_done && host_ready(s->host_fd, POLLIN, 0)) {
    ssize_t r = read(s->host_fd, s->buf, sizeof(s->buf));
    if (r > 0) {
      s->off = 0;
      s->len = (size_t)r;
      moved = true;
    } else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
      s->host_done = true; /* EOF, or no usable stdin (closed fd): both end the stream */
    }
  }
  if (s->len > 0) {
    size_t put = 0;
    zx_status_t st = zx_socket_write(s->sock, 0, s->buf + s->off, s->len, &put);
    if (st == ZX_OK) {
      s->off += put;
      s->len -= put;
      moved |= put > 0;
    } else if (st != ZX_ERR_SHOULD_WAIT) {
      s->host_done = true; /* the program closed its stdin */
      finish(s);
      return moved;
    }
  }
  if (s->len == 0 && s->host_done) finish(s);
  return moved;
}

bool stdio_bridge_pump(struct stdio_bridge* b) {
  bool any = false;
  /* Bounded rounds: a program writing without pause must not keep the loop from noticing that
   * it ended or from serving its loader requests. */
  for (int round = 0; round < 16; round++) {
    bool moved = false;
    for (unsigned i = 0; i < STDIO_BRIDGE_STREAMS; i++) {
      struct stdio_stream* s = &b->s[i];
      if (s->sock == ZX_HANDLE_INVALID) continue;
      moved |= s->to_host ? pump_out(s) : pump_in(s);
    }
    if (!moved) break;
    any = true;
  }
  return any;
}

void stdio_bridge_drain(struct stdio_bridge* b) {
  for (unsigned i = 0; i < STDIO_BRIDGE_STREAMS; i++) {
    struct stdio_stream* s = &b->s[i];
    if (!s->to_host) {
      finish(s);
      continue;
    }
    while (s->sock != ZX_HANDLE_INVALID) {
      while (s->len > 0 && s->sock != ZX_HANDLE_INVALID) write_host(s, -1);
      if (s->sock == ZX_HANDLE_INVALID) break;
      size_t got = 0;
      zx_status_t st = zx_socket_read(s->sock, 0, s->buf, sizeof(s->buf), &got);
      if (st != ZX_OK || got == 0) break;
      s->off = 0;
      s->len = got;
    }
    finish(s);
  }
}
