/* A shared library for the test dynamic linker (ldso.c): the test programs need it (DT_NEEDED)
 * and get it from zum-launch's loader service. Its data holds a pointer (a relative
 * relocation) and it calls the vDSO (a symbol relocation), so both must be right. */
#include <zircon/syscalls.h>

static const char greeting[] = "hello from libfxdep.so";
const char* fxdep_greeting_ptr = greeting;

int fxdep_answer(void) { return 42; }

const char* fxdep_greeting(void) { return fxdep_greeting_ptr; }

/* A vDSO call made from the library. */
uint64_t fxdep_ticks(void) { return zx_ticks_get(); }
