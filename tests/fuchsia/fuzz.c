/* The syscall fuzzer (tests/fuzz/fuzz-engine.h) in a pure Zircon process: no libc, no Linux
 * call, only the vDSO, as a hostile Fuchsia program would be.
 *   zum run fuzz.elf CALLS SEED
 * Returns 0 if the supervisor answered correctly after every batch. */
#include "fx.h"
#include "../fuzz/fuzz-engine.h"

static void say(const char* s) {
  fx_puts(s);
  fx_putc('\n');
}

static struct fz f;

void _start(zx_handle_t bootstrap, uintptr_t vdso_base) {
  fx_read_bootstrap(bootstrap, vdso_base);
  uint64_t calls = fx_start.argc > 1 ? (uint64_t)fx_atoi(fx_start.argv[1]) : 100000;
  uint64_t seed = fx_start.argc > 2 ? (uint64_t)fx_atoi(fx_start.argv[2]) : 1;
  fx_puts("fuzz-pure: seed ");
  fx_dec((int64_t)seed);
  fx_puts(", ");
  fx_dec((int64_t)calls);
  fx_puts(" calls\n");
  f.say = say;
  /* Every handle the process started with is its own: never an argument. */
  fz_protect(&f, bootstrap);
  for (uint32_t i = 0; i < fx_start.num_handles; i++) fz_protect(&f, fx_start.handles[i]);
  zx_handle_t root = fx_take(PA_HND(PA_VMAR_ROOT, 0));
  f.self = fx_take(PA_HND(PA_PROC_SELF, 0));
  f.parent_job = fx_take(PA_HND(PA_JOB_DEFAULT, 0));
  FX_CHECK(root != ZX_HANDLE_INVALID && f.parent_job != ZX_HANDLE_INVALID);
  FX_CHECK(fz_setup(&f, root));
  zx_instant_mono_t t0 = zx_clock_get_monotonic();
  int r = fz_run(&f, seed, calls);
  zx_duration_t ms = (zx_clock_get_monotonic() - t0) / 1000000;
  fx_puts("fuzz-pure: ");
  fx_dec(ms);
  fx_puts(" ms, ");
  fx_dec((int64_t)f.calls);
  fx_puts(" calls made, ");
  fx_dec((int64_t)f.skipped);
  fx_puts(" draws skipped\n");
  zx_process_exit(r);
}
