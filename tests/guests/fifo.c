/* FIFOs through the real trap: create's size rules, short writes and reads, the ring wrapping
 * with a count that is not a power of two, signals, rights, faults that leave the ring as it
 * was, the peer's death, user signals. */
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>

#include "guest_test.h"

static zx_signals_t signals_of(zx_handle_t h) {
  zx_signals_t s = 0;
  zx_object_wait_one(h, ZX_SIGNAL_NONE, 0, &s);
  return s & (ZX_FIFO_READABLE | ZX_FIFO_WRITABLE | ZX_FIFO_PEER_CLOSED | ZX_USER_SIGNAL_0);
}

int main(void) {
  zx_handle_t a, b, bad = ZX_HANDLE_INVALID;
  size_t actual = 0;

  /* Sizes: both nonzero, each and their product at most 4096 bytes. */
  CHECK_EQ(zx_fifo_create(0, 8, 0, &a, &b), ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_fifo_create(8, 0, 0, &a, &b), ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_fifo_create(4097, 1, 0, &a, &b), ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_fifo_create(1, 4097, 0, &a, &b), ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_fifo_create(513, 8, 0, &a, &b), ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_fifo_create(SIZE_MAX / 2 + 2, 2, 0, &a, &b), ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_fifo_create(4, 8, 0, &bad, (zx_handle_t*)8), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_fifo_create(4096, 1, 0, &a, &b), ZX_OK);
  CHECK_EQ(zx_handle_close(a), ZX_OK);
  CHECK_EQ(zx_handle_close(b), ZX_OK);

  /* Three elements of 8 bytes: not a power of two, so the ring wraps mid-way. */
  CHECK_EQ(zx_fifo_create(3, 8, 0, &a, &b), ZX_OK);
  zx_info_handle_basic_t ia, ib;
  CHECK_EQ(zx_object_get_info(a, ZX_INFO_HANDLE_BASIC, &ia, sizeof(ia), NULL, NULL), ZX_OK);
  CHECK_EQ(zx_object_get_info(b, ZX_INFO_HANDLE_BASIC, &ib, sizeof(ib), NULL, NULL), ZX_OK);
  CHECK_EQ(ia.type, ZX_OBJ_TYPE_FIFO);
  CHECK_EQ(ia.rights, ZX_DEFAULT_FIFO_RIGHTS);
  CHECK_EQ(ia.related_koid, ib.koid);
  CHECK_EQ(ib.related_koid, ia.koid);
  CHECK_EQ(signals_of(a), ZX_FIFO_WRITABLE);
  CHECK_EQ(signals_of(b), ZX_FIFO_WRITABLE);

  uint64_t in[8] = {1, 2, 3, 4, 5, 6, 7, 8}, out[8] = {0};
  CHECK_EQ(zx_fifo_write(a, 4, in, 1, &actual), ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_fifo_write(a, 8, in, 0, &actual), ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_fifo_read(b, 8, out, 1, &actual), ZX_ERR_SHOULD_WAIT);
  CHECK_EQ(zx_fifo_write(a, 8, in, 2, &actual), ZX_OK);
  CHECK_EQ(actual, 2);
  CHECK_EQ(signals_of(b), ZX_FIFO_WRITABLE | ZX_FIFO_READABLE);
  CHECK_EQ(signals_of(a), ZX_FIFO_WRITABLE);
  /* A short write: only one slot is left. */
  CHECK_EQ(zx_fifo_write(a, 8, in + 2, 5, &actual), ZX_OK);
  CHECK_EQ(actual, 1);
  CHECK_EQ(signals_of(a), 0);
  CHECK_EQ(zx_fifo_write(a, 8, in, 1, &actual), ZX_ERR_SHOULD_WAIT);
  /* Reading makes the writer writable again; the reader stays readable until empty. */
  CHECK_EQ(zx_fifo_read(b, 4, out, 1, &actual), ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_fifo_read(b, 8, out, 0, &actual), ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_fifo_read(b, 8, out, 2, NULL), ZX_OK);
  CHECK_EQ(out[0], 1);
  CHECK_EQ(out[1], 2);
  CHECK_EQ(signals_of(a), ZX_FIFO_WRITABLE);
  CHECK_EQ(signals_of(b), ZX_FIFO_WRITABLE | ZX_FIFO_READABLE);
  /* These wrap around the ring's end. */
  CHECK_EQ(zx_fifo_write(a, 8, in + 3, 8, &actual), ZX_OK);
  CHECK_EQ(actual, 2);
  memset(out, 0, sizeof(out));
  CHECK_EQ(zx_fifo_read(b, 8, out, 8, &actual), ZX_OK);
  CHECK_EQ(actual, 3);
  CHECK_EQ(out[0], 3);
  CHECK_EQ(out[1], 4);
  CHECK_EQ(out[2], 5);
  CHECK_EQ(signals_of(b), ZX_FIFO_WRITABLE);
  CHECK_EQ(zx_fifo_read(b, 8, out, 1, &actual), ZX_ERR_SHOULD_WAIT);

  /* Each direction has its own ring. */
  CHECK_EQ(zx_fifo_write(b, 8, in + 7, 1, &actual), ZX_OK);
  CHECK_EQ(zx_fifo_read(a, 8, out, 3, &actual), ZX_OK);
  CHECK_EQ(actual, 1);
  CHECK_EQ(out[0], 8);

  /* Faults: nothing is queued or consumed. The write runs past the end of a mapping. */
  CHECK_EQ(zx_fifo_write(a, 8, NULL, 1, &actual), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_fifo_write(a, 8, (void*)8, 1, &actual), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(signals_of(b), ZX_FIFO_WRITABLE);
  CHECK_EQ(zx_fifo_write(a, 8, in, 2, &actual), ZX_OK);
  CHECK_EQ(zx_fifo_read(b, 8, (void*)8, 2, &actual), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_fifo_read(b, 8, out, 2, &actual), ZX_OK);
  CHECK_EQ(actual, 2);
  CHECK_EQ(out[0], 1);
  /* The count cannot be stored: the elements are still written, as in Zircon. */
  CHECK_EQ(zx_fifo_write(a, 8, in, 1, (size_t*)8), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_fifo_read(b, 8, out, 1, &actual), ZX_OK);
  CHECK_EQ(actual, 1);

  /* Rights and types. */
  zx_handle_t ro, wo, ev;
  CHECK_EQ(zx_handle_duplicate(a, ZX_RIGHT_READ | ZX_RIGHT_WAIT, &ro), ZX_OK);
  CHECK_EQ(zx_handle_duplicate(b, ZX_RIGHT_WRITE, &wo), ZX_OK);
  CHECK_EQ(zx_fifo_write(ro, 8, in, 1, &actual), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_fifo_read(wo, 8, out, 1, &actual), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_event_create(0, &ev), ZX_OK);
  CHECK_EQ(zx_fifo_write(ev, 8, in, 1, &actual), ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_fifo_read(ev, 8, out, 1, &actual), ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_fifo_read(ev ^ 0x100, 8, out, 1, &actual), ZX_ERR_BAD_HANDLE);

  /* User signals on either end and through the peer; others are not the user's to set. */
  CHECK_EQ(zx_object_signal(a, 0, ZX_FIFO_READABLE), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_object_signal_peer(a, 0, ZX_USER_SIGNAL_0), ZX_OK);
  CHECK_EQ(signals_of(b), ZX_FIFO_WRITABLE | ZX_USER_SIGNAL_0);
  CHECK_EQ(zx_object_signal_peer(a, ZX_USER_SIGNAL_0, 0), ZX_OK);

  /* The peer goes: what is queued stays readable, then PEER_CLOSED. */
  CHECK_EQ(zx_fifo_write(a, 8, in, 2, &actual), ZX_OK);
  CHECK_EQ(zx_handle_close(a), ZX_OK);
  CHECK_EQ(zx_handle_close(ro), ZX_OK);
  CHECK_EQ(signals_of(b), ZX_FIFO_READABLE | ZX_FIFO_PEER_CLOSED);
  CHECK_EQ(zx_fifo_write(b, 8, in, 1, &actual), ZX_ERR_PEER_CLOSED);
  CHECK_EQ(zx_object_get_info(b, ZX_INFO_HANDLE_BASIC, &ib, sizeof(ib), NULL, NULL), ZX_OK);
  CHECK_EQ(ib.related_koid, 0);
  CHECK_EQ(zx_fifo_read(b, 8, out, 8, &actual), ZX_OK);
  CHECK_EQ(actual, 2);
  CHECK_EQ(zx_fifo_read(b, 8, out, 8, &actual), ZX_ERR_PEER_CLOSED);
  CHECK_EQ(signals_of(b), ZX_FIFO_PEER_CLOSED);
  CHECK_EQ(zx_object_signal_peer(b, 0, ZX_USER_SIGNAL_0), ZX_ERR_PEER_CLOSED);
  CHECK_EQ(zx_handle_close(b), ZX_OK);
  CHECK_EQ(zx_handle_close(wo), ZX_OK);
  CHECK_EQ(zx_handle_close(ev), ZX_OK);
  return GUEST_RESULT();
}
