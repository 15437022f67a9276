/* vDSO calls built on other calls: status strings, cprng_draw, handle_check_valid. */
#include "vdso-private.h"

/* A switch of string literals compiles to RIP-relative loads: no relocations, unlike a table of
 * pointers. */
const char* _zx_status_get_string(zx_status_t status) {
  switch (status) {
#define X(name) \
  case name:    \
    return #name;
#include "status-list.inc"
#undef X
    default:
      return "(UNKNOWN)";
  }
}
ZUM_VDSO_ALIAS(_zx_status_get_string, zx_status_get_string);

/* Zircon loops over an internal call in ZX_CPRNG_DRAW_MAX_LEN pieces; zum does the same. A failure
 * of the internal call means the buffer is not the caller's: Zircon kills the process there, zum
 * traps (SIGILL) rather than return with unfilled random bytes. */
void _zx_cprng_draw(void* buffer, size_t buffer_size) {
  char* p = buffer;
  while (buffer_size > 0) {
    size_t n = buffer_size < ZX_CPRNG_DRAW_MAX_LEN ? buffer_size : ZX_CPRNG_DRAW_MAX_LEN;
    if (_zum_cprng_draw_once(p, n) != ZX_OK) zum_vdso_fatal();
    p += n;
    buffer_size -= n;
  }
}
ZUM_VDSO_ALIAS(_zx_cprng_draw, zx_cprng_draw);

zx_status_t _zx_handle_check_valid(zx_handle_t handle) {
  if (handle == ZX_HANDLE_INVALID) return ZX_ERR_INVALID_ARGS;
  if ((handle & ZX_HANDLE_FIXED_BITS_MASK) != ZX_HANDLE_FIXED_BITS_MASK) return ZX_ERR_OUT_OF_RANGE;
  zx_status_t s = _zx_object_get_info(handle, ZX_INFO_HANDLE_VALID, 0, 0, 0, 0);
  return s == ZX_OK ? ZX_OK : ZX_ERR_NOT_FOUND;
}
ZUM_VDSO_ALIAS(_zx_handle_check_valid, zx_handle_check_valid);

/* The supervisor marks the thread dying, then the guest runtime's hook ends the Linux thread (the
 * vDSO makes no Linux call itself). */
__attribute__((noreturn)) void _zx_thread_exit(void) {
  _zum_thread_exiting();
  ((void (*)(void))zum_page()->exit_thread_fn)();
  zum_vdso_fatal();
}
ZUM_VDSO_ALIAS(_zx_thread_exit, zx_thread_exit);
