/* The smallest Fuchsia-ABI program: reads its bootstrap message, checks the standard handles,
 * prints a line through zx_debug_write and exits 0. */
#include "fx.h"

void _start(zx_handle_t bootstrap, uintptr_t vdso_base) {
  fx_read_bootstrap(bootstrap, vdso_base);
  FX_CHECK_EQ(fx_start.num_handles, 11);
  FX_CHECK_EQ(fx_type(fx_take(PA_HND(PA_PROC_SELF, 0))), ZX_OBJ_TYPE_PROCESS);
  FX_CHECK_EQ(fx_type(fx_take(PA_HND(PA_THREAD_SELF, 0))), ZX_OBJ_TYPE_THREAD);
  FX_CHECK_EQ(fx_type(fx_take(PA_HND(PA_VMAR_ROOT, 0))), ZX_OBJ_TYPE_VMAR);
  FX_CHECK_EQ(fx_type(fx_take(PA_HND(PA_VMAR_LOADED, 0))), ZX_OBJ_TYPE_VMAR);
  FX_CHECK_EQ(fx_type(fx_take(PA_HND(PA_JOB_DEFAULT, 0))), ZX_OBJ_TYPE_JOB);
  FX_CHECK_EQ(fx_type(fx_take(PA_HND(PA_VMO_VDSO, 0))), ZX_OBJ_TYPE_VMO);
  FX_CHECK_EQ(fx_type(fx_take(PA_HND(PA_VMO_STACK, 0))), ZX_OBJ_TYPE_VMO);
  FX_CHECK_EQ(fx_start.argc, 1);
  /* The vDSO is mapped where arg2 says: its ELF header is readable there. */
  FX_CHECK(memcmp((const void*)vdso_base, "\177ELF", 4) == 0);
  fx_puts("hello from a pure Zircon process\n");
  zx_process_exit(0);
}
