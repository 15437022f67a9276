/* check-sdk rung 4: direct zx_* calls from an SDK program (bound to zum's vDSO by ld.so). */
#include <zircon/syscalls.h>

int main(void) {
  zx_handle_t ev;
  if (zx_event_create(0, &ev) != ZX_OK) return 1;
  if (zx_object_signal(ev, 0, ZX_USER_SIGNAL_0) != ZX_OK) return 2;
  zx_signals_t seen = 0;
  if (zx_object_wait_one(ev, ZX_USER_SIGNAL_0, 0, &seen) != ZX_OK) return 3;
  if (!(seen & ZX_USER_SIGNAL_0)) return 4;
  if (zx_handle_close(ev) != ZX_OK) return 5;
  return 9;
}
