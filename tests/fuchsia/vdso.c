/* A pure process that tries to rewrite the vDSO, which every process of the system maps from the
 * same memory (tests/guests/vdso_seal.c runs it and then checks the vDSO is intact):
 *   - zx_vmo_write to the vDSO VMO and a writable zx_vmar_map of it: ACCESS_DENIED by rights;
 *   - zx_vmar_protect of its vDSO code mapping to READ|WRITE|EXECUTE: ACCESS_DENIED, as on
 *     Zircon (the mapping came from a handle without ZX_RIGHT_WRITE);
 *   - Linux's mprotect, reached through a `syscall; ret` sequence in zum's stub (a hostile
 *     program can jump into the stub's code): the memory is sealed, so Linux refuses (EPERM).
 * Should the mprotect succeed, it writes int3 over the code page and says "vdso: WROTE".
 * Prints "vdso: mprotect RESULT" and "vdso: done", exits 0 unless a check fails. */
#include "fx.h"
#include "fx_elf.h"


/* Where zum's stub is linked (DESIGN.md section 12); its code comes first. */
#define STUB_BASE 0x10000u
#define STUB_END 0x200000u

static uintptr_t stub_gadget(void) {
  const volatile unsigned char* p = (const volatile unsigned char*)(uintptr_t)STUB_BASE;
  for (uintptr_t i = 0; STUB_BASE + i + 2 < STUB_END; i++)
    if (p[i] == 0x0f && p[i + 1] == 0x05 && p[i + 2] == 0xc3) return STUB_BASE + i;
  return 0;
}

void _start(zx_handle_t bootstrap, uintptr_t vdso_base) {
  fx_read_bootstrap(bootstrap, vdso_base);
  zx_handle_t vmo = fx_take(PA_HND(PA_VMO_VDSO, 0));
  zx_handle_t root = fx_take(PA_HND(PA_VMAR_ROOT, 0));
  FX_CHECK(vmo != ZX_HANDLE_INVALID && root != ZX_HANDLE_INVALID);

  /* The code segment as mapped. */
  const ehdr_t* eh = (const ehdr_t*)vdso_base;
  const phdr_t* ph = (const phdr_t*)(vdso_base + eh->e_phoff);
  uintptr_t code = 0;
  uint64_t code_len = 0;
  for (unsigned i = 0; i < eh->e_phnum; i++)
    if (ph[i].p_type == 1 && (ph[i].p_flags & 1)) {
      code = vdso_base + ph[i].p_vaddr;
      code_len = (ph[i].p_memsz + 4095) & ~4095ull;
    }
  FX_CHECK(code != 0 && code_len != 0);

  char byte = (char)0xcc;
  FX_CHECK_EQ(zx_vmo_write(vmo, &byte, 0, 1), ZX_ERR_ACCESS_DENIED);
  zx_vaddr_t addr = 0;
  FX_CHECK_EQ(zx_vmar_map(root, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, 4096, &addr),
              ZX_ERR_ACCESS_DENIED);
  FX_CHECK_EQ(zx_vmar_protect(root, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_PERM_EXECUTE,
                              code, code_len),
              ZX_ERR_ACCESS_DENIED);

  uintptr_t gadget = stub_gadget();
  FX_CHECK(gadget != 0);
  int64_t r = 10; /* mprotect(code, 4096, PROT_READ | PROT_WRITE | PROT_EXEC) */
  __asm__ volatile("call *%[g]"
                   : "+a"(r)
                   : [g] "r"(gadget), "D"(code), "S"(4096), "d"(7)
                   : "rcx", "r8", "r9", "r10", "r11", "memory");
  fx_puts("vdso: mprotect ");
  fx_dec(r);
  fx_putc('\n');
  if (r == 0) {
    volatile unsigned char* p = (volatile unsigned char*)code;
    for (unsigned i = 0; i < 4096; i++) p[i] = 0xcc;
    fx_puts("vdso: WROTE\n");
  }
  fx_puts("vdso: done\n");
  zx_process_exit(0);
}
