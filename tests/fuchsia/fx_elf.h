/* Enough ELF for the Fuchsia-ABI test programs to find the vDSO's segments from its headers in
 * memory, and for the test dynamic linker (ldso.c) to load and relocate modules (they have no
 * libc and no <elf.h>). */
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

typedef struct {
  int64_t d_tag;
  uint64_t d_val;
} dyn_t;
typedef struct {
  uint32_t st_name;
  unsigned char st_info, st_other;
  uint16_t st_shndx;
  uint64_t st_value, st_size;
} sym_t;
typedef struct {
  uint64_t r_offset, r_info;
  int64_t r_addend;
} rela_t;
typedef struct {
  uint64_t r_offset, r_info;
} rel_t;

#define FX_PT_LOAD 1
#define FX_PT_DYNAMIC 2
#define FX_PF_X 1
#define FX_PF_W 2
#define FX_DT_NULL 0
#define FX_DT_NEEDED 1
#define FX_DT_PLTRELSZ 2
#define FX_DT_STRTAB 5
#define FX_DT_SYMTAB 6
#define FX_DT_RELA 7
#define FX_DT_RELASZ 8
#define FX_DT_REL 17
#define FX_DT_RELSZ 18
#define FX_DT_PLTREL 20
#define FX_DT_JMPREL 23
#define FX_DT_RELRSZ 35
#define FX_DT_RELR 36
#define FX_DT_GNU_HASH 0x6ffffef5
#define FX_R_X86_64_64 1
#define FX_R_X86_64_GLOB_DAT 6
#define FX_R_X86_64_JUMP_SLOT 7
#define FX_R_X86_64_RELATIVE 8

#endif
