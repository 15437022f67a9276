/* Faults on request, for the isolation tests: each mode must kill only this process, with
 * ZX_TASK_RETCODE_EXCEPTION_KILL.
 *   syscall    a raw Linux system call (getpid, rax=39) from guest code
 *   zxsyscall  a zum system call made outside the vDSO
 *   null       a read through a NULL pointer
 *   wrcode     a write into this program's own code
 *   int3 ud2 div0
 *   maps       prints the ranges it has mapped ("range START END"), then "ready", then sleeps
 *              until killed, so the test can inspect /proc/PID/maps
 */
#include "fx.h"
#include "fx_elf.h"

extern const char __ehdr_start[] __attribute__((visibility("hidden")));
extern const char _end[] __attribute__((visibility("hidden")));


static uint64_t page_ceil(uint64_t a) { return (a + 4095) & ~4095ull; }

static void range(uint64_t a, uint64_t b) {
  fx_puts("range ");
  fx_hex(a);
  fx_putc(' ');
  fx_hex(b);
  fx_putc('\n');
}

static __attribute__((noreturn)) void maps(uintptr_t vdso_base) {
  /* The image: its sub-VMAR starts at the ELF header (linked at 0). */
  range((uintptr_t)__ehdr_start, page_ceil((uintptr_t)_end));
  /* The vDSO: from its base to the end of its last segment. */
  const ehdr_t* eh = (const ehdr_t*)vdso_base;
  const phdr_t* ph = (const phdr_t*)(vdso_base + eh->e_phoff);
  uint64_t end = 0;
  for (unsigned i = 0; i < eh->e_phnum; i++)
    if (ph[i].p_type == 1 && page_ceil(ph[i].p_vaddr + ph[i].p_memsz) > end)
      end = page_ceil(ph[i].p_vaddr + ph[i].p_memsz);
  range(vdso_base, vdso_base + end);
  /* The stack: the whole stack VMO is mapped, ending just above the initial sp. */
  zx_handle_t stack = fx_take(PA_HND(PA_VMO_STACK, 0));
  uint64_t size = 0;
  FX_CHECK_EQ(zx_vmo_get_size(stack, &size), ZX_OK);
  int local = 0;
  uint64_t top = page_ceil((uintptr_t)&local);
  range(top - size, top);
  /* A VMO mapped by the program itself. */
  zx_handle_t vmo;
  zx_vaddr_t addr;
  FX_CHECK_EQ(zx_vmo_create(5 * 4096, 0, &vmo), ZX_OK);
  FX_CHECK_EQ(zx_vmar_map(fx_take(PA_HND(PA_VMAR_ROOT, 0)), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0,
                          vmo, 0, 5 * 4096, &addr),
              ZX_OK);
  range(addr, addr + 5 * 4096);
  fx_puts("ready\n");
  for (;;) zx_nanosleep(ZX_TIME_INFINITE);
}

void _start(zx_handle_t bootstrap, uintptr_t vdso_base) {
  fx_read_bootstrap(bootstrap, vdso_base);
  FX_CHECK(fx_start.argc == 2);
  const char* mode = fx_start.argv[1];
  fx_puts("fault: ");
  fx_puts(mode);
  fx_putc('\n');
  if (fx_streq(mode, "syscall")) {
    int64_t r = 39;
    __asm__ volatile("syscall" : "+a"(r) : : "rcx", "r11", "memory");
  } else if (fx_streq(mode, "zxsyscall")) {
    /* zum's numbers are 0x1F000000 + n; 0 is the first call in the table. */
    int64_t r = 0x1F000000;
    __asm__ volatile("syscall" : "+a"(r) : "D"(0) : "rcx", "r11", "memory");
  } else if (fx_streq(mode, "null")) {
    volatile int* np = 0;
    __asm__ volatile("" : "+r"(np)); /* hide the NULL from the optimizer */
    FX_CHECK_EQ(*np, 0);
  } else if (fx_streq(mode, "wrcode")) {
    *(volatile char*)(uintptr_t)&_start = 0;
  } else if (fx_streq(mode, "int3")) {
    __asm__ volatile("int3");
  } else if (fx_streq(mode, "ud2")) {
    __asm__ volatile("ud2");
  } else if (fx_streq(mode, "div0")) {
    volatile int a = 1, b = 0;
    a = a / b;
  } else if (fx_streq(mode, "maps")) {
    maps(vdso_base);
  } else {
    fx_puts("fault: unknown mode\n");
    zx_process_exit(2);
  }
  fx_puts("fault: survived\n");
  zx_process_exit(3);
}
