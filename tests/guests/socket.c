/* Sockets through the real trap: stream and datagram writes and reads (short writes, datagram
 * truncation, peeking), signals and thresholds, dispositions and the older shutdown, ZX_INFO_SOCKET,
 * argument checks in Zircon's order, and faulting buffers on either side. */
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>

#include "guest_test.h"

#define ALL_SIGNALS                                                                        \
  (ZX_SOCKET_READABLE | ZX_SOCKET_WRITABLE | ZX_SOCKET_PEER_CLOSED |                       \
   ZX_SOCKET_PEER_WRITE_DISABLED | ZX_SOCKET_WRITE_DISABLED | ZX_SOCKET_READ_THRESHOLD |   \
   ZX_SOCKET_WRITE_THRESHOLD | ZX_USER_SIGNAL_1)

static zx_signals_t sig(zx_handle_t h) {
  zx_signals_t s = 0;
  zx_object_wait_one(h, ZX_SIGNAL_NONE, 0, &s);
  return s & ALL_SIGNALS;
}

static zx_info_socket_t info_of(zx_handle_t h) {
  zx_info_socket_t i;
  memset(&i, 0xff, sizeof(i));
  CHECK_EQ(zx_object_get_info(h, ZX_INFO_SOCKET, &i, sizeof(i), NULL, NULL), ZX_OK);
  return i;
}

static char big[600 * 1024];

static void stream(void) {
  zx_handle_t a, b;
  size_t n = 99;
  char buf[64];
  CHECK_EQ(zx_socket_create(2, &a, &b), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_socket_create(0, &a, &b), ZX_OK);
  zx_info_handle_basic_t ia, ib;
  CHECK_EQ(zx_object_get_info(a, ZX_INFO_HANDLE_BASIC, &ia, sizeof(ia), NULL, NULL), ZX_OK);
  CHECK_EQ(zx_object_get_info(b, ZX_INFO_HANDLE_BASIC, &ib, sizeof(ib), NULL, NULL), ZX_OK);
  CHECK_EQ(ia.type, ZX_OBJ_TYPE_SOCKET);
  CHECK_EQ(ia.rights, ZX_DEFAULT_SOCKET_RIGHTS);
  CHECK_EQ(ia.related_koid, ib.koid);
  CHECK_EQ(sig(a), ZX_SOCKET_WRITABLE);

  /* Argument checks come before the handle. */
  CHECK_EQ(zx_socket_write(ZX_HANDLE_INVALID, 0, NULL, 1, &n), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_socket_write(ZX_HANDLE_INVALID, 1, "x", 1, &n), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_socket_read(ZX_HANDLE_INVALID, 0, NULL, 1, &n), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_socket_read(ZX_HANDLE_INVALID, 1, buf, 1, &n), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_socket_read(ZX_HANDLE_INVALID, ZX_SOCKET_PEEK, buf, 1, &n), ZX_ERR_BAD_HANDLE);

  CHECK_EQ(zx_socket_read(b, 0, buf, sizeof(buf), &n), ZX_ERR_SHOULD_WAIT);
  CHECK_EQ(zx_socket_read(b, 0, buf, 0, &n), ZX_ERR_SHOULD_WAIT);
  CHECK_EQ(zx_socket_write(a, 0, NULL, 0, &n), ZX_OK);
  CHECK_EQ(n, 0);
  CHECK_EQ(zx_socket_write(a, 0, "hello ", 6, &n), ZX_OK);
  CHECK_EQ(n, 6);
  CHECK_EQ(zx_socket_write(a, 0, "world", 5, NULL), ZX_OK);
  CHECK_EQ(sig(b), ZX_SOCKET_WRITABLE | ZX_SOCKET_READABLE);
  CHECK_EQ(info_of(b).rx_buf_available, 11);
  CHECK_EQ(info_of(a).tx_buf_size, 11);
  /* Peeking leaves the bytes; a stream read runs across writes. */
  CHECK_EQ(zx_socket_read(b, ZX_SOCKET_PEEK, buf, 8, &n), ZX_OK);
  CHECK_EQ(n, 8);
  CHECK(memcmp(buf, "hello wo", 8) == 0);
  CHECK_EQ(zx_socket_read(b, 0, buf, 0, &n), ZX_OK);
  CHECK_EQ(zx_socket_read(b, 0, buf, sizeof(buf), &n), ZX_OK);
  CHECK_EQ(n, 11);
  CHECK(memcmp(buf, "hello world", 11) == 0);
  CHECK_EQ(sig(b), ZX_SOCKET_WRITABLE);

  /* A short write fills the buffer; reading makes the writer writable again. */
  zx_info_socket_t i = info_of(a);
  CHECK_EQ(i.options, 0);
  CHECK_EQ(i.rx_buf_max, 264160); /* 256 KiB rounded up to Zircon's 4064-byte buffers */
  CHECK_EQ(i.tx_buf_max, i.rx_buf_max);
  CHECK_EQ(zx_socket_write(a, 0, big, i.tx_buf_max + 1, &n), ZX_OK);
  CHECK_EQ(n, i.tx_buf_max);
  CHECK_EQ(sig(a), 0);
  CHECK_EQ(zx_socket_write(a, 0, "x", 1, &n), ZX_ERR_SHOULD_WAIT);
  CHECK_EQ(zx_socket_read(b, 0, buf, 1, &n), ZX_OK);
  CHECK_EQ(sig(a), ZX_SOCKET_WRITABLE);
  CHECK_EQ(zx_socket_read(b, 0, big, sizeof(big), &n), ZX_OK);
  CHECK_EQ(n, i.tx_buf_max - 1);

  /* Rights and types. */
  zx_handle_t ro, ev;
  CHECK_EQ(zx_handle_duplicate(a, ZX_RIGHT_READ | ZX_RIGHT_WAIT, &ro), ZX_OK);
  CHECK_EQ(zx_socket_write(ro, 0, "x", 1, &n), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_socket_set_disposition(ro, ZX_SOCKET_DISPOSITION_WRITE_DISABLED, 0),
           ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_handle_close(ro), ZX_OK);
  CHECK_EQ(zx_vmo_create(4096, 0, &ev), ZX_OK);
  CHECK_EQ(zx_socket_read(ev, 0, buf, 1, &n), ZX_ERR_WRONG_TYPE);
  size_t t = 1;
  CHECK_EQ(zx_object_set_property(ev, ZX_PROP_SOCKET_RX_THRESHOLD, &t, sizeof(t)),
           ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_handle_close(ev), ZX_OK);

  /* User signals, and not the socket's own. */
  CHECK_EQ(zx_object_signal_peer(a, ZX_SOCKET_WRITABLE, 0), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_object_signal_peer(a, 0, ZX_USER_SIGNAL_1), ZX_OK);
  CHECK_EQ(sig(b), ZX_SOCKET_WRITABLE | ZX_USER_SIGNAL_1);
  CHECK_EQ(zx_object_signal_peer(a, ZX_USER_SIGNAL_1, 0), ZX_OK);

  /* The peer goes: queued bytes stay readable, then PEER_CLOSED. */
  CHECK_EQ(zx_socket_write(b, 0, "bye", 3, &n), ZX_OK);
  CHECK_EQ(zx_object_set_property(a, ZX_PROP_SOCKET_TX_THRESHOLD, &t, sizeof(t)), ZX_OK);
  CHECK_EQ(zx_handle_close(b), ZX_OK);
  CHECK_EQ(sig(a), ZX_SOCKET_READABLE | ZX_SOCKET_PEER_CLOSED | ZX_SOCKET_WRITE_THRESHOLD);
  CHECK_EQ(zx_socket_write(a, 0, "x", 1, &n), ZX_ERR_PEER_CLOSED);
  CHECK_EQ(zx_object_set_property(a, ZX_PROP_SOCKET_TX_THRESHOLD, &t, sizeof(t)),
           ZX_ERR_PEER_CLOSED);
  CHECK_EQ(info_of(a).tx_buf_max, 0);
  CHECK_EQ(zx_socket_read(a, 0, buf, sizeof(buf), &n), ZX_OK);
  CHECK_EQ(n, 3);
  CHECK_EQ(zx_socket_read(a, 0, buf, sizeof(buf), &n), ZX_ERR_PEER_CLOSED);
  CHECK_EQ(zx_object_signal_peer(a, 0, ZX_USER_SIGNAL_1), ZX_ERR_PEER_CLOSED);
  CHECK_EQ(zx_handle_close(a), ZX_OK);
}

static void datagram(void) {
  zx_handle_t a, b;
  size_t n;
  char buf[5000];
  CHECK_EQ(zx_socket_create(ZX_SOCKET_DATAGRAM, &a, &b), ZX_OK);
  CHECK_EQ(info_of(a).options, ZX_SOCKET_DATAGRAM);
  CHECK_EQ(zx_socket_write(a, 0, "12345", 5, &n), ZX_OK);
  CHECK_EQ(zx_socket_write(a, 0, "abcdef", 6, &n), ZX_OK);
  for (size_t i = 0; i < 4096; i++) big[i] = (char)i;
  CHECK_EQ(zx_socket_write(a, 0, big, 4096, &n), ZX_OK); /* spans two buffers */
  CHECK_EQ(n, 4096);
  CHECK_EQ(info_of(b).rx_buf_available, 5);
  CHECK_EQ(info_of(b).rx_buf_size, 5 + 6 + 4096);
  /* Peeks see the first datagram, short or whole. */
  CHECK_EQ(zx_socket_read(b, ZX_SOCKET_PEEK, buf, 4, &n), ZX_OK);
  CHECK_EQ(n, 4);
  CHECK_EQ(zx_socket_read(b, ZX_SOCKET_PEEK, buf, sizeof(buf), &n), ZX_OK);
  CHECK_EQ(n, 5);
  CHECK_EQ(zx_socket_read(b, 0, buf, 0, &n), ZX_OK); /* reads nothing, drops nothing */
  CHECK_EQ(n, 0);
  /* A short read drops the datagram's rest. */
  CHECK_EQ(zx_socket_read(b, 0, buf, 4, &n), ZX_OK);
  CHECK_EQ(n, 4);
  CHECK(memcmp(buf, "1234", 4) == 0);
  CHECK_EQ(info_of(b).rx_buf_available, 6);
  CHECK_EQ(zx_socket_read(b, 0, buf, sizeof(buf), &n), ZX_OK);
  CHECK_EQ(n, 6);
  CHECK_EQ(zx_socket_read(b, 0, buf, 1, &n), ZX_OK);
  CHECK_EQ(n, 1);
  CHECK_EQ(info_of(b).rx_buf_available, 0);
  CHECK_EQ(sig(b), ZX_SOCKET_WRITABLE);
  /* No short datagrams: too big ever is OUT_OF_RANGE, too big now SHOULD_WAIT. */
  n = 77;
  CHECK_EQ(zx_socket_write(a, 0, big, 264161, &n), ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(n, 77);
  CHECK_EQ(zx_socket_write(a, 0, big, 264160, &n), ZX_OK);
  CHECK_EQ(zx_socket_write(a, 0, big, 1, &n), ZX_ERR_SHOULD_WAIT);
  CHECK_EQ(zx_handle_close(a), ZX_OK);
  CHECK_EQ(zx_handle_close(b), ZX_OK);
}

static void thresholds(void) {
  zx_handle_t a, b;
  size_t v, n;
  CHECK_EQ(zx_socket_create(0, &a, &b), ZX_OK);
  v = 0xefffffff;
  CHECK_EQ(zx_object_set_property(a, ZX_PROP_SOCKET_RX_THRESHOLD, &v, sizeof(v)),
           ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_object_set_property(a, ZX_PROP_SOCKET_TX_THRESHOLD, &v, sizeof(v)),
           ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_object_set_property(a, ZX_PROP_SOCKET_RX_THRESHOLD, &v, 4), ZX_ERR_BUFFER_TOO_SMALL);
  v = 10;
  CHECK_EQ(zx_object_set_property(a, ZX_PROP_SOCKET_RX_THRESHOLD, &v, sizeof(v)), ZX_OK);
  v = 264160 - 20;
  CHECK_EQ(zx_object_set_property(b, ZX_PROP_SOCKET_TX_THRESHOLD, &v, sizeof(v)), ZX_OK);
  CHECK_EQ(zx_object_get_property(a, ZX_PROP_SOCKET_RX_THRESHOLD, &v, sizeof(v)), ZX_OK);
  CHECK_EQ(v, 10);
  CHECK_EQ(sig(b), ZX_SOCKET_WRITABLE | ZX_SOCKET_WRITE_THRESHOLD);
  CHECK_EQ(zx_socket_write(b, 0, big, 9, &n), ZX_OK);
  CHECK_EQ(sig(a), ZX_SOCKET_WRITABLE | ZX_SOCKET_READABLE);
  CHECK_EQ(zx_socket_write(b, 0, big, 1, &n), ZX_OK);
  CHECK_EQ(sig(a), ZX_SOCKET_WRITABLE | ZX_SOCKET_READABLE | ZX_SOCKET_READ_THRESHOLD);
  CHECK_EQ(sig(b), ZX_SOCKET_WRITABLE | ZX_SOCKET_WRITE_THRESHOLD);
  CHECK_EQ(zx_socket_write(b, 0, big, 11, &n), ZX_OK); /* 21 queued: less than 20 free */
  CHECK_EQ(sig(b), ZX_SOCKET_WRITABLE);
  CHECK_EQ(zx_socket_read(a, 0, big, 15, &n), ZX_OK);
  CHECK_EQ(sig(a), ZX_SOCKET_WRITABLE | ZX_SOCKET_READABLE);
  CHECK_EQ(sig(b), ZX_SOCKET_WRITABLE | ZX_SOCKET_WRITE_THRESHOLD);
  v = 0; /* off */
  CHECK_EQ(zx_object_set_property(b, ZX_PROP_SOCKET_TX_THRESHOLD, &v, sizeof(v)), ZX_OK);
  CHECK_EQ(sig(b), ZX_SOCKET_WRITABLE);
  CHECK_EQ(zx_handle_close(a), ZX_OK);
  CHECK_EQ(zx_handle_close(b), ZX_OK);
}

static void dispositions(void) {
  zx_handle_t a, b;
  size_t n;
  char buf[16];
  CHECK_EQ(zx_socket_create(0, &a, &b), ZX_OK);
  CHECK_EQ(zx_socket_set_disposition(a, 3, 0), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_socket_set_disposition(ZX_HANDLE_INVALID, 0, 4), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_socket_write(a, 0, "abc", 3, &n), ZX_OK);
  CHECK_EQ(zx_socket_set_disposition(a, ZX_SOCKET_DISPOSITION_WRITE_DISABLED, 0), ZX_OK);
  CHECK_EQ(sig(a), ZX_SOCKET_WRITE_DISABLED);
  CHECK_EQ(sig(b), ZX_SOCKET_WRITABLE | ZX_SOCKET_READABLE | ZX_SOCKET_PEER_WRITE_DISABLED);
  CHECK_EQ(zx_socket_write(a, 0, "x", 1, &n), ZX_ERR_BAD_STATE);
  /* Not again until the peer has read what was written. */
  CHECK_EQ(zx_socket_set_disposition(a, ZX_SOCKET_DISPOSITION_WRITE_ENABLED, 0), ZX_ERR_BAD_STATE);
  CHECK_EQ(zx_socket_write(b, 0, "ok", 2, &n), ZX_OK); /* the other way still works */
  CHECK_EQ(zx_socket_read(b, 0, buf, sizeof(buf), &n), ZX_OK);
  CHECK_EQ(n, 3);
  CHECK_EQ(zx_socket_read(b, 0, buf, 1, &n), ZX_ERR_BAD_STATE); /* never readable again */
  CHECK_EQ(zx_socket_set_disposition(a, ZX_SOCKET_DISPOSITION_WRITE_ENABLED, 0), ZX_OK);
  CHECK_EQ(sig(a), ZX_SOCKET_WRITABLE | ZX_SOCKET_READABLE);
  CHECK_EQ(sig(b), ZX_SOCKET_WRITABLE);
  CHECK_EQ(zx_socket_read(b, 0, buf, 1, &n), ZX_ERR_SHOULD_WAIT);

  /* The older shutdown: READ disables the peer's writes, WRITE one's own. */
  CHECK_EQ(zx_socket_shutdown(a, 4), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_socket_shutdown(a, ZX_SOCKET_SHUTDOWN_WRITE), ZX_OK);
  CHECK_EQ(sig(a), ZX_SOCKET_WRITE_DISABLED | ZX_SOCKET_READABLE);
  CHECK_EQ(sig(b), ZX_SOCKET_WRITABLE | ZX_SOCKET_PEER_WRITE_DISABLED);
  CHECK_EQ(zx_socket_read(b, 0, buf, 1, &n), ZX_ERR_BAD_STATE);
  CHECK_EQ(zx_socket_shutdown(b, ZX_SOCKET_SHUTDOWN_READ), ZX_OK);
  CHECK_EQ(zx_socket_write(a, 0, "x", 1, &n), ZX_ERR_BAD_STATE);
  CHECK_EQ(zx_handle_close(a), ZX_OK);
  CHECK_EQ(zx_handle_close(b), ZX_OK);
}

static void faults(void) {
  zx_handle_t a, b, vmar, vmo;
  size_t n = 99;
  uintptr_t base, at;
  /* 16 KiB mapped, then 16 KiB that is not, inside a VMAR of our own. */
  CHECK_EQ(zx_vmar_allocate(zx_vmar_root_self(),
                            ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_SPECIFIC, 0,
                            32768, &vmar, &base),
           ZX_OK);
  CHECK_EQ(zx_vmo_create(16384, 0, &vmo), ZX_OK);
  CHECK_EQ(zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_SPECIFIC, 0, vmo, 0, 16384,
                       &at),
           ZX_OK);
  char* p = (char*)at;
  memset(p, 'q', 16384);
  CHECK_EQ(zx_socket_create(0, &a, &b), ZX_OK);
  /* A write that runs off the mapping: what was copied before the fault stays queued, and the
   * signals say so. */
  CHECK_EQ(zx_socket_write(a, 0, p, 32768, &n), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(n, 99);
  size_t queued = info_of(b).rx_buf_size;
  CHECK(queued > 0 && queued <= 16384);
  CHECK_EQ(!!(sig(b) & ZX_SOCKET_READABLE), 1);
  /* A read that runs off it: the bytes before the fault are consumed, the count untouched. */
  CHECK_EQ(zx_socket_read(b, 0, (void*)8, 1, &n), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(info_of(b).rx_buf_size, queued);
  /* Zircon's buffers hold 4064 bytes: the first piece lands, the second faults. */
  CHECK_EQ(zx_socket_read(b, 0, p + 16384 - 4064 - 10, 5000, &n), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(n, 99);
  CHECK_EQ(info_of(b).rx_buf_size, queued - 4064);
  CHECK_EQ(zx_socket_write(a, 0, (void*)8, 1, &n), ZX_ERR_INVALID_ARGS);
  /* Datagrams go whole or not at all. */
  zx_handle_t c, d;
  CHECK_EQ(zx_socket_create(ZX_SOCKET_DATAGRAM, &c, &d), ZX_OK);
  CHECK_EQ(zx_socket_write(c, 0, p, 32768, &n), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(info_of(d).rx_buf_size, 0);
  CHECK_EQ(sig(d), ZX_SOCKET_WRITABLE);
  /* A datagram whose read faults is dropped. */
  CHECK_EQ(zx_socket_write(c, 0, p, 100, &n), ZX_OK);
  CHECK_EQ(zx_socket_read(d, 0, (void*)8, 100, &n), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(info_of(d).rx_buf_size, 0);
  CHECK_EQ(sig(d), ZX_SOCKET_WRITABLE);
  CHECK_EQ(zx_handle_close(c), ZX_OK);
  CHECK_EQ(zx_handle_close(d), ZX_OK);
  CHECK_EQ(zx_handle_close(a), ZX_OK);
  CHECK_EQ(zx_handle_close(b), ZX_OK);
  CHECK_EQ(zx_vmar_destroy(vmar), ZX_OK);
  CHECK_EQ(zx_handle_close(vmar), ZX_OK);
  CHECK_EQ(zx_handle_close(vmo), ZX_OK);
}

int main(void) {
  stream();
  datagram();
  thresholds();
  dispositions();
  faults();
  return GUEST_RESULT();
}
