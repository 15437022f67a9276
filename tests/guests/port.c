/* Ports through the real trap: queue/wait, error paths, object_wait_async (level, edge,
 * cancel), and threads blocked in port_wait woken by packets queued from other threads. */
#include <pthread.h>
#include <string.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/port.h>

#include "guest_test.h"

static zx_port_packet_t user_packet(uint64_t key, uint64_t a) {
  zx_port_packet_t p;
  memset(&p, 0, sizeof(p));
  p.key = key;
  p.type = ZX_PKT_TYPE_USER;
  p.user.u64[0] = a;
  return p;
}

static void basics(void) {
  zx_handle_t port;
  CHECK_EQ(zx_port_create(0, &port), ZX_OK);
  zx_handle_t bad = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_port_create(2, &bad), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(bad, ZX_HANDLE_INVALID);
  CHECK_EQ(zx_port_create(0, (zx_handle_t*)8), ZX_ERR_INVALID_ARGS);

  zx_port_packet_t out;
  CHECK_EQ(zx_port_wait(port, 0, &out), ZX_ERR_TIMED_OUT);
  CHECK_EQ(zx_port_wait(port, zx_deadline_after(ZX_MSEC(2)), &out), ZX_ERR_TIMED_OUT);

  /* FIFO; type forced to USER; status and payload kept. */
  for (uint64_t i = 0; i < 3; i++) {
    zx_port_packet_t p = user_packet(10 + i, i * 7);
    p.status = (zx_status_t)-(int)i;
    p.type = 0x55;
    CHECK_EQ(zx_port_queue(port, &p), ZX_OK);
  }
  for (uint64_t i = 0; i < 3; i++) {
    CHECK_EQ(zx_port_wait(port, ZX_TIME_INFINITE, &out), ZX_OK);
    CHECK_EQ(out.key, 10 + i);
    CHECK_EQ(out.type, ZX_PKT_TYPE_USER);
    CHECK_EQ(out.status, -(int)i);
    CHECK_EQ(out.user.u64[0], i * 7);
  }

  /* Bad pointers, handles and rights. */
  CHECK_EQ(zx_port_queue(port, NULL), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_port_queue(port ^ 0x100, &out), ZX_ERR_BAD_HANDLE);
  zx_port_packet_t p = user_packet(1, 1);
  CHECK_EQ(zx_port_queue(port, &p), ZX_OK);
  CHECK_EQ(zx_port_wait(port, 0, NULL), ZX_ERR_INVALID_ARGS); /* the packet is consumed */
  CHECK_EQ(zx_port_wait(port, 0, &out), ZX_ERR_TIMED_OUT);
  zx_handle_t ro;
  CHECK_EQ(zx_handle_duplicate(port, ZX_RIGHT_READ, &ro), ZX_OK);
  CHECK_EQ(zx_port_queue(ro, &p), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_port_cancel_key(ro, 0, 1), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_port_cancel_key(port, 1, 1), ZX_ERR_INVALID_ARGS);
  zx_handle_t ev;
  CHECK_EQ(zx_event_create(0, &ev), ZX_OK);
  CHECK_EQ(zx_port_queue(ev, &p), ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_port_wait(ev, 0, &out), ZX_ERR_WRONG_TYPE);
  /* Ports are not waitable: their handles have no WAIT right. */
  CHECK_EQ(zx_object_wait_one(port, 1, 0, NULL), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_object_wait_async(port, port, 0, 1, 0), ZX_ERR_ACCESS_DENIED);

  /* Queue limit: more than 4096 queued user packets is SHOULD_WAIT. */
  zx_status_t s = ZX_OK;
  int queued = 0;
  while ((s = zx_port_queue(port, &p)) == ZX_OK && queued < 100000) queued++;
  CHECK_EQ(s, ZX_ERR_SHOULD_WAIT);
  CHECK_EQ(queued, 4097);
  CHECK_EQ(zx_port_wait(port, 0, &out), ZX_OK);
  CHECK_EQ(zx_port_queue(port, &p), ZX_OK);
  /* Closing the port frees them. */
  CHECK_EQ(zx_handle_close(ro), ZX_OK);
  CHECK_EQ(zx_handle_close(ev), ZX_OK);
  CHECK_EQ(zx_handle_close(port), ZX_OK);
}

static void async_waits(void) {
  zx_handle_t port, ev;
  CHECK_EQ(zx_port_create(0, &port), ZX_OK);
  CHECK_EQ(zx_event_create(0, &ev), ZX_OK);
  zx_port_packet_t out;

  CHECK_EQ(zx_object_wait_async(ev, port, 1, ZX_EVENT_SIGNALED, 8), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_object_wait_async(ev, ev, 1, ZX_EVENT_SIGNALED, 0), ZX_ERR_WRONG_TYPE);

  /* Level: fires on the later signal, once. */
  CHECK_EQ(zx_object_wait_async(ev, port, 1, ZX_EVENT_SIGNALED, 0), ZX_OK);
  CHECK_EQ(zx_port_wait(port, 0, &out), ZX_ERR_TIMED_OUT);
  CHECK_EQ(zx_object_signal(ev, 0, ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_0), ZX_OK);
  CHECK_EQ(zx_port_wait(port, ZX_TIME_INFINITE, &out), ZX_OK);
  CHECK_EQ(out.key, 1);
  CHECK_EQ(out.type, ZX_PKT_TYPE_SIGNAL_ONE);
  CHECK_EQ(out.status, ZX_OK);
  CHECK_EQ(out.signal.trigger, ZX_EVENT_SIGNALED);
  CHECK_EQ(out.signal.observed, ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_0);
  CHECK_EQ(out.signal.count, 1);
  CHECK_EQ(zx_port_wait(port, 0, &out), ZX_ERR_TIMED_OUT);

  /* Level, already asserted: queued by the call itself. */
  CHECK_EQ(zx_object_wait_async(ev, port, 2, ZX_EVENT_SIGNALED, 0), ZX_OK);
  CHECK_EQ(zx_port_wait(port, 0, &out), ZX_OK);
  CHECK_EQ(out.key, 2);

  /* Edge: nothing for the current state, a packet on the next activation. */
  CHECK_EQ(zx_object_wait_async(ev, port, 3, ZX_EVENT_SIGNALED, ZX_WAIT_ASYNC_EDGE), ZX_OK);
  CHECK_EQ(zx_port_wait(port, 0, &out), ZX_ERR_TIMED_OUT);
  CHECK_EQ(zx_object_signal(ev, ZX_EVENT_SIGNALED, 0), ZX_OK);
  CHECK_EQ(zx_port_wait(port, 0, &out), ZX_ERR_TIMED_OUT);
  CHECK_EQ(zx_object_signal(ev, 0, ZX_EVENT_SIGNALED), ZX_OK);
  CHECK_EQ(zx_port_wait(port, 0, &out), ZX_OK);
  CHECK_EQ(out.key, 3);

  /* port_cancel: a pending wait, then a queued packet; NOT_FOUND when nothing is left. */
  CHECK_EQ(zx_object_wait_async(ev, port, 4, ZX_USER_SIGNAL_1, 0), ZX_OK);
  CHECK_EQ(zx_port_cancel(port, ev, 4), ZX_OK);
  CHECK_EQ(zx_port_cancel(port, ev, 4), ZX_ERR_NOT_FOUND);
  CHECK_EQ(zx_object_signal(ev, 0, ZX_USER_SIGNAL_1), ZX_OK);
  CHECK_EQ(zx_port_wait(port, 0, &out), ZX_ERR_TIMED_OUT);
  CHECK_EQ(zx_object_wait_async(ev, port, 5, ZX_USER_SIGNAL_1, 0), ZX_OK);
  CHECK_EQ(zx_port_cancel(port, ev, 5), ZX_OK);
  CHECK_EQ(zx_port_wait(port, 0, &out), ZX_ERR_TIMED_OUT);
  CHECK_EQ(zx_port_cancel(port, port, 5), ZX_ERR_ACCESS_DENIED);

  /* port_cancel_key takes user packets too. */
  zx_port_packet_t p = user_packet(6, 0);
  CHECK_EQ(zx_port_queue(port, &p), ZX_OK);
  CHECK_EQ(zx_port_cancel_key(port, 0, 6), ZX_OK);
  CHECK_EQ(zx_port_cancel_key(port, 0, 6), ZX_ERR_NOT_FOUND);
  CHECK_EQ(zx_port_wait(port, 0, &out), ZX_ERR_TIMED_OUT);

  /* Closing the waited handle cancels the wait. */
  zx_handle_t d;
  CHECK_EQ(zx_handle_duplicate(ev, ZX_RIGHT_SAME_RIGHTS, &d), ZX_OK);
  CHECK_EQ(zx_object_wait_async(d, port, 7, ZX_USER_SIGNAL_2, 0), ZX_OK);
  CHECK_EQ(zx_handle_close(d), ZX_OK);
  CHECK_EQ(zx_object_signal(ev, 0, ZX_USER_SIGNAL_2), ZX_OK);
  CHECK_EQ(zx_port_wait(port, 0, &out), ZX_ERR_TIMED_OUT);

  /* Closing the port with pending waits and queued packets. */
  CHECK_EQ(zx_object_wait_async(ev, port, 8, ZX_USER_SIGNAL_3, 0), ZX_OK);
  CHECK_EQ(zx_object_wait_async(ev, port, 9, ZX_EVENT_SIGNALED, 0), ZX_OK);
  CHECK_EQ(zx_handle_close(port), ZX_OK);
  CHECK_EQ(zx_object_signal(ev, 0, ZX_USER_SIGNAL_3), ZX_OK);
  CHECK_EQ(zx_handle_close(ev), ZX_OK);
}

/* ---- threads */

struct reader {
  zx_handle_t port;
  zx_status_t status;
  zx_port_packet_t packet;
};

static void* reader_main(void* arg) {
  struct reader* r = arg;
  r->status = zx_port_wait(r->port, ZX_TIME_INFINITE, &r->packet);
  return NULL;
}

static void threads(void) {
  zx_handle_t port;
  CHECK_EQ(zx_port_create(0, &port), ZX_OK);

  /* One thread blocks in port_wait; another queues. */
  struct reader r = {.port = port, .status = 1};
  pthread_t th;
  CHECK_EQ(pthread_create(&th, NULL, reader_main, &r), 0);
  zx_nanosleep(zx_deadline_after(ZX_MSEC(20))); /* most likely parked by now; either way works */
  zx_port_packet_t p = user_packet(0x1234, 0xfeed);
  CHECK_EQ(zx_port_queue(port, &p), ZX_OK);
  CHECK_EQ(pthread_join(th, NULL), 0);
  CHECK_EQ(r.status, ZX_OK);
  CHECK_EQ(r.packet.key, 0x1234);
  CHECK_EQ(r.packet.user.u64[0], 0xfeed);

  /* Several blocked threads: each gets exactly one packet, none is lost or duplicated. An
   * async wait's packet is one of them. */
  enum { N = 4 };
  struct reader rs[N];
  pthread_t ths[N];
  for (int i = 0; i < N; i++) {
    rs[i] = (struct reader){.port = port, .status = 1};
    CHECK_EQ(pthread_create(&ths[i], NULL, reader_main, &rs[i]), 0);
  }
  zx_nanosleep(zx_deadline_after(ZX_MSEC(20)));
  zx_handle_t ev;
  CHECK_EQ(zx_event_create(0, &ev), ZX_OK);
  CHECK_EQ(zx_object_wait_async(ev, port, 100, ZX_EVENT_SIGNALED, 0), ZX_OK);
  for (int i = 1; i < N; i++) {
    p = user_packet(100 + (uint64_t)i, 0);
    CHECK_EQ(zx_port_queue(port, &p), ZX_OK);
  }
  CHECK_EQ(zx_object_signal(ev, 0, ZX_EVENT_SIGNALED), ZX_OK);
  unsigned seen = 0;
  for (int i = 0; i < N; i++) {
    CHECK_EQ(pthread_join(ths[i], NULL), 0);
    CHECK_EQ(rs[i].status, ZX_OK);
    uint64_t k = rs[i].packet.key - 100;
    CHECK(k < N);
    if (k < N) {
      CHECK(!(seen & (1u << k)));
      seen |= 1u << k;
    }
  }
  CHECK_EQ(seen, (1u << N) - 1);
  zx_port_packet_t out;
  CHECK_EQ(zx_port_wait(port, 0, &out), ZX_ERR_TIMED_OUT);
  CHECK_EQ(zx_handle_close(ev), ZX_OK);
  CHECK_EQ(zx_handle_close(port), ZX_OK);
}

int main(void) {
  basics();
  async_waits();
  threads();
  return GUEST_RESULT();
}
