/* Virtual interrupts through the real trap, as Zircon's interrupt core-tests use them: trigger
 * and wait (the timestamp, a trigger remembered while one is handled), a wait blocked until
 * another thread triggers or destroys, port binding with its packets and acks, unbinding, and
 * the statuses of each call in each state. Physical interrupts need an IRQ resource and a wired
 * vector, which zum's machine has none of (tests/guests/resource.c). */
#include <pthread.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/port.h>

#include "guest_test.h"

struct waiter {
  zx_handle_t irq;
  zx_status_t status;
  zx_time_t ts;
};

static void* wait_main(void* arg) {
  struct waiter* w = arg;
  w->status = zx_interrupt_wait(w->irq, &w->ts);
  return NULL;
}

static void blocked_wait(zx_handle_t irq, int destroy) {
  struct waiter w = {.irq = irq, .status = 99};
  pthread_t th;
  CHECK_EQ(pthread_create(&th, NULL, wait_main, &w), 0);
  zx_nanosleep(zx_deadline_after(ZX_MSEC(50)));
  if (destroy) CHECK_EQ(zx_interrupt_destroy(irq), ZX_OK);
  else CHECK_EQ(zx_interrupt_trigger(irq, 0, 777), ZX_OK);
  CHECK_EQ(pthread_join(th, NULL), 0);
  CHECK_EQ(w.status, destroy ? ZX_ERR_CANCELED : ZX_OK);
  if (!destroy) CHECK_EQ(w.ts, 777);
}

int main(void) {
  zx_handle_t irq, port, plain, ev;
  zx_time_t ts = -1;
  CHECK_EQ(zx_event_create(0, &ev), ZX_OK);
  /* A virtual interrupt needs no resource; unknown options do not pass. */
  CHECK_EQ(zx_interrupt_create(ZX_HANDLE_INVALID, 0, ZX_INTERRUPT_VIRTUAL | 0x100, &irq),
           ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_interrupt_create(ZX_HANDLE_INVALID, 0, 0, &irq), ZX_ERR_BAD_HANDLE);
  CHECK_EQ(zx_interrupt_create(ZX_HANDLE_INVALID, 0, ZX_INTERRUPT_VIRTUAL | ZX_INTERRUPT_WAKE_VECTOR,
                               &irq),
           ZX_ERR_BAD_HANDLE);
  CHECK_EQ(zx_interrupt_create(ZX_HANDLE_INVALID, 0, ZX_INTERRUPT_VIRTUAL, &irq), ZX_OK);
  zx_info_handle_basic_t info;
  CHECK_EQ(zx_object_get_info(irq, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL), ZX_OK);
  CHECK_EQ(info.type, ZX_OBJ_TYPE_INTERRUPT);
  CHECK_EQ(info.rights, ZX_DEFAULT_INTERRUPT_RIGHTS);

  /* Trigger, then wait: the first timestamp since the last delivery. */
  CHECK_EQ(zx_interrupt_trigger(irq, 1, 5), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_interrupt_trigger(ev, 0, 5), ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_interrupt_trigger(irq, 0, 5), ZX_OK);
  CHECK_EQ(zx_interrupt_trigger(irq, 0, 6), ZX_OK);
  CHECK_EQ(zx_interrupt_wait(irq, &ts), ZX_OK);
  CHECK_EQ(ts, 5);
  /* Triggered again while handled: the next wait takes it at once. */
  CHECK_EQ(zx_interrupt_trigger(irq, 0, 9), ZX_OK);
  CHECK_EQ(zx_interrupt_wait(irq, &ts), ZX_OK);
  CHECK_EQ(ts, 9);
  /* Ack needs a port. */
  CHECK_EQ(zx_interrupt_ack(irq), ZX_ERR_BAD_STATE);
  /* Blocked waits end with a trigger from another thread, or with the destruction. */
  blocked_wait(irq, 0);
  zx_handle_t ro;
  CHECK_EQ(zx_handle_duplicate(irq, ZX_RIGHT_READ, &ro), ZX_OK);
  CHECK_EQ(zx_interrupt_wait(ro, &ts), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_interrupt_trigger(ro, 0, 1), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_interrupt_ack(ro), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_handle_close(ro), ZX_OK);
  blocked_wait(irq, 1);
  CHECK_EQ(zx_interrupt_wait(irq, &ts), ZX_ERR_CANCELED);
  CHECK_EQ(zx_interrupt_trigger(irq, 0, 1), ZX_ERR_CANCELED);
  CHECK_EQ(zx_handle_close(irq), ZX_OK);

  /* Bound to a port: packets instead of waits, one at a time until acked. */
  CHECK_EQ(zx_port_create(ZX_PORT_BIND_TO_INTERRUPT, &port), ZX_OK);
  CHECK_EQ(zx_port_create(0, &plain), ZX_OK);
  CHECK_EQ(zx_interrupt_create(ZX_HANDLE_INVALID, 0, ZX_INTERRUPT_VIRTUAL, &irq), ZX_OK);
  CHECK_EQ(zx_interrupt_bind(irq, port, 42, 2), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_interrupt_bind(irq, plain, 42, ZX_INTERRUPT_BIND), ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_interrupt_bind(irq, ev, 42, ZX_INTERRUPT_BIND), ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_interrupt_trigger(irq, 0, 11), ZX_OK); /* before the bind: sent by the bind */
  CHECK_EQ(zx_interrupt_bind(irq, port, 42, ZX_INTERRUPT_BIND), ZX_OK);
  CHECK_EQ(zx_interrupt_bind(irq, port, 42, ZX_INTERRUPT_BIND), ZX_ERR_ALREADY_BOUND);
  CHECK_EQ(zx_interrupt_wait(irq, &ts), ZX_ERR_BAD_STATE);
  zx_port_packet_t pkt;
  CHECK_EQ(zx_port_wait(port, 0, &pkt), ZX_OK);
  CHECK_EQ(pkt.key, 42);
  CHECK_EQ(pkt.type, ZX_PKT_TYPE_INTERRUPT);
  CHECK_EQ(pkt.interrupt.timestamp, 11);
  CHECK_EQ(zx_interrupt_trigger(irq, 0, 12), ZX_OK); /* NEEDACK: kept for the ack */
  CHECK_EQ(zx_port_wait(port, 0, &pkt), ZX_ERR_TIMED_OUT);
  CHECK_EQ(zx_interrupt_ack(irq), ZX_OK);
  CHECK_EQ(zx_port_wait(port, 0, &pkt), ZX_OK);
  CHECK_EQ(pkt.interrupt.timestamp, 12);
  CHECK_EQ(zx_interrupt_ack(irq), ZX_OK); /* nothing pending: idle again */
  CHECK_EQ(zx_port_wait(port, 0, &pkt), ZX_ERR_TIMED_OUT);
  /* Unbinding: from another port is NOT_FOUND; the queued packet goes with it. */
  CHECK_EQ(zx_interrupt_trigger(irq, 0, 13), ZX_OK);
  zx_handle_t port2;
  CHECK_EQ(zx_port_create(ZX_PORT_BIND_TO_INTERRUPT, &port2), ZX_OK);
  CHECK_EQ(zx_interrupt_bind(irq, port2, 0, ZX_INTERRUPT_UNBIND), ZX_ERR_NOT_FOUND);
  CHECK_EQ(zx_interrupt_bind(irq, port, 0, ZX_INTERRUPT_UNBIND), ZX_OK);
  CHECK_EQ(zx_port_wait(port, 0, &pkt), ZX_ERR_TIMED_OUT);
  CHECK_EQ(zx_interrupt_ack(irq), ZX_ERR_BAD_STATE);
  /* Destroying a bound interrupt whose packet was taken but not acked: NOT_FOUND. */
  CHECK_EQ(zx_interrupt_bind(irq, port2, 7, ZX_INTERRUPT_BIND), ZX_OK);
  CHECK_EQ(zx_interrupt_ack(irq), ZX_OK);
  CHECK_EQ(zx_interrupt_trigger(irq, 0, 14), ZX_OK);
  CHECK_EQ(zx_port_wait(port2, 0, &pkt), ZX_OK);
  CHECK_EQ(pkt.key, 7);
  CHECK_EQ(zx_interrupt_destroy(irq), ZX_ERR_NOT_FOUND);
  CHECK_EQ(zx_interrupt_ack(irq), ZX_ERR_CANCELED);
  CHECK_EQ(zx_interrupt_bind(irq, port, 0, ZX_INTERRUPT_BIND), ZX_ERR_CANCELED);
  CHECK_EQ(zx_handle_close(irq), ZX_OK);
  /* A queued packet goes when the interrupt is destroyed. */
  CHECK_EQ(zx_interrupt_create(ZX_HANDLE_INVALID, 0, ZX_INTERRUPT_VIRTUAL, &irq), ZX_OK);
  CHECK_EQ(zx_interrupt_bind(irq, port, 1, ZX_INTERRUPT_BIND), ZX_OK);
  CHECK_EQ(zx_interrupt_trigger(irq, 0, 15), ZX_OK);
  CHECK_EQ(zx_interrupt_destroy(irq), ZX_OK);
  CHECK_EQ(zx_port_wait(port, 0, &pkt), ZX_ERR_TIMED_OUT);
  CHECK_EQ(zx_handle_close(irq), ZX_OK);
  /* Closing a port an interrupt is bound to, with its packet queued. */
  CHECK_EQ(zx_interrupt_create(ZX_HANDLE_INVALID, 0, ZX_INTERRUPT_VIRTUAL, &irq), ZX_OK);
  CHECK_EQ(zx_interrupt_bind(irq, port2, 1, ZX_INTERRUPT_BIND), ZX_OK);
  CHECK_EQ(zx_interrupt_trigger(irq, 0, 16), ZX_OK);
  CHECK_EQ(zx_handle_close(port2), ZX_OK);
  CHECK_EQ(zx_interrupt_ack(irq), ZX_OK);
  CHECK_EQ(zx_handle_close(irq), ZX_OK);
  CHECK_EQ(zx_handle_close(port), ZX_OK);
  CHECK_EQ(zx_handle_close(plain), ZX_OK);
  CHECK_EQ(zx_handle_close(ev), ZX_OK);
  return GUEST_RESULT();
}
