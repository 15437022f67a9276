/* Helper for tests/guests/channel.c (not a test itself): serves one channel, claimed as startup
 * handle PA_HND(PA_USER0, 0). Each message starts with a 4-byte txid and a command byte:
 *   'e'  echo: reply with the same bytes and the same handles
 *   's'  signal: assert ZX_USER_SIGNAL_0 on every handle received, then echo
 *   'w'  write: send an unsolicited message (txid 0, "hello") before the echo
 *   'q'  quit: exit(0) without replying (the caller sees PEER_CLOSED)
 * It exits 0 when the peer closes, and with 2 on any unexpected failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/processargs.h>
#include <zircon/syscalls.h>

static uint8_t buf[ZX_CHANNEL_MAX_MSG_BYTES];
static zx_handle_t handles[ZX_CHANNEL_MAX_MSG_HANDLES];

static void fail(const char* what, zx_status_t s) {
  fprintf(stderr, "channel_echo: %s: %s\n", what, zx_status_get_string(s));
  exit(2);
}

int main(void) {
  zx_handle_t ch = zx_take_startup_handle(PA_HND(PA_USER0, 0));
  if (ch == ZX_HANDLE_INVALID) fail("no startup channel", ZX_ERR_BAD_HANDLE);
  for (;;) {
    zx_signals_t obs = 0;
    zx_status_t s = zx_object_wait_one(ch, ZX_CHANNEL_READABLE | ZX_CHANNEL_PEER_CLOSED,
                                       ZX_TIME_INFINITE, &obs);
    if (s != ZX_OK) fail("wait", s);
    uint32_t nb = 0, nh = 0;
    s = zx_channel_read(ch, 0, buf, handles, sizeof(buf), ZX_CHANNEL_MAX_MSG_HANDLES, &nb, &nh);
    if (s == ZX_ERR_PEER_CLOSED) return 0;
    if (s != ZX_OK) fail("read", s);
    char cmd = nb > 4 ? (char)buf[4] : 'e';
    if (cmd == 'q') return 0;
    if (cmd == 's') {
      for (uint32_t i = 0; i < nh; i++) {
        s = zx_object_signal(handles[i], 0, ZX_USER_SIGNAL_0);
        if (s != ZX_OK) fail("signal", s);
      }
    }
    if (cmd == 'w') {
      uint8_t hello[9] = {0, 0, 0, 0, 'h', 'e', 'l', 'l', 'o'};
      s = zx_channel_write(ch, 0, hello, sizeof(hello), NULL, 0);
      if (s != ZX_OK) fail("write hello", s);
    }
    s = zx_channel_write(ch, 0, buf, nb, handles, nh);
    if (s != ZX_OK && s != ZX_ERR_PEER_CLOSED) fail("write", s);
  }
}
