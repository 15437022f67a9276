/* Enough ELF for the Fuchsia-ABI test programs to find the vDSO's segments from its headers in
 * memory (they have no libc and no <elf.h>). */
#ifndef ZUM_TESTS_FUCHSIA_FX_ELF_H_
#define ZUM_TESTS_FUCHSIA_FX_ELF_H_

#include <stdint.h>

typedef struct {
  unsigned char e_ident[16];
  uint16_t e_type, e_machine;
  uint32_t e_version;
  uint64_t e_entry, e_phoff, e_shoff;
  uint32_t e_flags;
  uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
} ehdr_t;
typedef struct {
  uint32_t p_type, p_flags;
  uint64_t p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
} phdr_t;

#endif
