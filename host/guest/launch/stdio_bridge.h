/* zum-launch's stdio bridge: fds 0, 1 and 2 of the program are Zircon stream sockets (PA_FD
 * startup handles, which fdio turns into pipe-like fds); zum-launch keeps the other ends and
 * copies between them and its own stdin, stdout and stderr inside its one wait loop.
 *
 * The program is hostile and the host fds may be slow, so nothing here ever blocks while the
 * program runs: a host fd is read or written only after poll() says it is ready, one operation
 * at a time (at most PIPE_BUF bytes per write, so a pipe's readiness covers all of it), and the
 * host fds' file status flags are left alone (setting O_NONBLOCK would change them for the
 * shell that shares them). Each stream buffers at most STDIO_BRIDGE_BUF bytes. */
#ifndef ZUM_LAUNCH_STDIO_BRIDGE_H_
#define ZUM_LAUNCH_STDIO_BRIDGE_H_

#include <stdbool.h>
#include <stddef.h>
#include <zircon/syscalls.h>

#define STDIO_BRIDGE_BUF 65536u
#define STDIO_BRIDGE_STREAMS 3u

struct stdio_stream {
  int host_fd;
  zx_handle_t sock;  /* our end; ZX_HANDLE_INVALID once this stream is done */
  bool to_host;      /* 1 and 2: program -> host; 0: host -> program */
  bool host_done;    /* stdin: EOF or error; output: the host fd is broken (EPIPE) */
  size_t off, len;   /* buf[off, off + len) is waiting to go on */
  char buf[STDIO_BRIDGE_BUF];
};

struct stdio_bridge {
  struct stdio_stream s[STDIO_BRIDGE_STREAMS];
};

/* Creates the three socket pairs; theirs[fd] goes to the program as PA_HND(PA_FD, fd). */
zx_status_t stdio_bridge_init(struct stdio_bridge* b, zx_handle_t theirs[STDIO_BRIDGE_STREAMS]);

/* Adds the sockets to wait on to items (at most STDIO_BRIDGE_STREAMS); returns how many. */
size_t stdio_bridge_wait_items(struct stdio_bridge* b, zx_wait_item_t* items);

/* Whether a host fd needs polling: a wait on Zircon handles cannot include Linux fds, so the
 * loop then waits with a short deadline and calls stdio_bridge_pump again. */
bool stdio_bridge_host_pending(const struct stdio_bridge* b);

/* Moves whatever can move now without blocking; returns whether anything moved (then more may
 * be ready at once, and the loop should not sleep before pumping again). */
bool stdio_bridge_pump(struct stdio_bridge* b);

/* After the program ended: everything its sockets still hold goes to the host (waiting for the
 * host fds as long as they need), then every socket is closed. Reads only until a socket is
 * empty, so a handle the program passed on to another process cannot keep zum-launch here. */
void stdio_bridge_drain(struct stdio_bridge* b);

#endif
