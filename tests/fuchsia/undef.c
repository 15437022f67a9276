/* Calls a function zum's vDSO does not define (linked with -z undefs): zum-launch must refuse to
 * start it, naming the symbol. */
#include "fx.h"

extern void zx_not_a_real_call(void);

void _start(zx_handle_t bootstrap, uintptr_t vdso_base) {
  fx_read_bootstrap(bootstrap, vdso_base);
  zx_not_a_real_call();
  zx_process_exit(0);
}
