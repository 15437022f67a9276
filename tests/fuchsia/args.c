/* Prints its arguments, one per line, as "argv[i]=<arg>", so the test script can compare them
 * with what it passed; then "argc=<n>". */
#include "fx.h"

void _start(zx_handle_t bootstrap, uintptr_t vdso_base) {
  fx_read_bootstrap(bootstrap, vdso_base);
  for (int i = 0; i < fx_start.argc; i++) {
    fx_puts("argv[");
    fx_dec(i);
    fx_puts("]=");
    fx_puts(fx_start.argv[i]);
    fx_putc('\n');
  }
  fx_puts("argc=");
  fx_dec(fx_start.argc);
  fx_putc('\n');
  zx_process_exit(0);
}
