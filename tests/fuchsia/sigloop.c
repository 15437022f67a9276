/* A pure process whose calls are interrupted from outside: tests/signals-pure.sh stops and
 * continues it (SIGSTOP/SIGCONT) while it runs. Pure processes have no signal handlers, so
 * Linux restarts every interrupted trap, sometimes one whose answer was already sent; each call
 * must still run exactly once. Prints "ready" and parks in a wait (the script starts then), then
 * runs 22,500 calls: channel write+read, port queue+wait, map+unmap at a fixed address (two traps each, with
 * address-space work), a blocking wait and duplicate+close, checking every status and that
 * every message and packet arrives once, in order. Prints "sigloop: ok" and exits 0. */
#include <zircon/syscalls/port.h>

#include "fx.h"

#define ITERATIONS 12500
#define PAGE 4096u

void _start(zx_handle_t bootstrap, uintptr_t vdso_base) {
  fx_read_bootstrap(bootstrap, vdso_base);
  zx_handle_t root = fx_take(PA_HND(PA_VMAR_ROOT, 0));
  FX_CHECK(root);
  zx_handle_t a, b, port, ev, vmo, vmar;
  zx_vaddr_t base;
  FX_CHECK_EQ(zx_channel_create(0, &a, &b), ZX_OK);
  FX_CHECK_EQ(zx_port_create(0, &port), ZX_OK);
  FX_CHECK_EQ(zx_event_create(0, &ev), ZX_OK);
  FX_CHECK_EQ(zx_vmo_create(PAGE, 0, &vmo), ZX_OK);
  FX_CHECK_EQ(zx_vmar_allocate(root, ZX_VM_CAN_MAP_SPECIFIC | ZX_VM_CAN_MAP_READ |
                                         ZX_VM_CAN_MAP_WRITE,
                               0, PAGE, &vmar, &base),
              ZX_OK);
  fx_puts("ready\n");
  /* A parked call under the storm: keeps its deadline across restarts, times out once. */
  FX_CHECK_EQ(zx_object_wait_one(ev, ZX_EVENT_SIGNALED, zx_deadline_after(ZX_MSEC(300)), NULL),
              ZX_ERR_TIMED_OUT);
  FX_CHECK_EQ(zx_object_signal(ev, 0, ZX_EVENT_SIGNALED), ZX_OK);
  for (uint32_t i = 0; i < ITERATIONS; i++) {
    switch (i % 5) {
      case 0: {
        FX_CHECK_EQ(zx_channel_write(a, 0, &i, sizeof(i), NULL, 0), ZX_OK);
        uint32_t got = ~0u, nb = 0, nh = 0;
        FX_CHECK_EQ(zx_channel_read(b, 0, &got, NULL, sizeof(got), 0, &nb, &nh), ZX_OK);
        FX_CHECK_EQ(got, i);
        break;
      }
      case 1: {
        zx_port_packet_t p = {.key = i, .type = ZX_PKT_TYPE_USER};
        FX_CHECK_EQ(zx_port_queue(port, &p), ZX_OK);
        zx_port_packet_t got = {.key = ~0ull};
        FX_CHECK_EQ(zx_port_wait(port, ZX_TIME_INFINITE, &got), ZX_OK);
        FX_CHECK_EQ(got.key, i);
        break;
      }
      case 2: {
        zx_vaddr_t addr = 0;
        FX_CHECK_EQ(zx_vmar_map(vmar, ZX_VM_SPECIFIC | ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0,
                                vmo, 0, PAGE, &addr),
                    ZX_OK);
        FX_CHECK_EQ(addr, base);
        *(volatile uint32_t*)addr = i;
        FX_CHECK_EQ(zx_vmar_unmap(vmar, base, PAGE), ZX_OK);
        break;
      }
      case 3:
        FX_CHECK_EQ(zx_object_wait_one(ev, ZX_EVENT_SIGNALED, ZX_TIME_INFINITE, NULL), ZX_OK);
        break;
      default: {
        zx_handle_t d;
        FX_CHECK_EQ(zx_handle_duplicate(ev, ZX_RIGHT_SAME_RIGHTS, &d), ZX_OK);
        FX_CHECK_EQ(zx_handle_close(d), ZX_OK);
        break;
      }
    }
  }
  /* Nothing left over: a call that ran twice would have queued a message or a packet. */
  uint32_t got, nb, nh;
  FX_CHECK_EQ(zx_channel_read(b, 0, &got, NULL, sizeof(got), 0, &nb, &nh), ZX_ERR_SHOULD_WAIT);
  zx_port_packet_t p;
  FX_CHECK_EQ(zx_port_wait(port, 0, &p), ZX_ERR_TIMED_OUT);
  uint32_t value = 0;
  FX_CHECK_EQ(zx_vmo_read(vmo, &value, 0, sizeof(value)), ZX_OK);
  FX_CHECK_EQ(value, ITERATIONS - 3); /* the last map (i % 5 == 2) wrote its i */
  fx_puts("sigloop: ok\n");
  zx_process_exit(0);
}
