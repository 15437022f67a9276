/* Exits with return code 42, or with the number given as its first argument (negative numbers
 * too: zum run then reports the code and exits 255). */
#include "fx.h"

void _start(zx_handle_t bootstrap, uintptr_t vdso_base) {
  fx_read_bootstrap(bootstrap, vdso_base);
  zx_process_exit(fx_start.argc > 1 ? fx_atoi(fx_start.argv[1]) : 42);
}
