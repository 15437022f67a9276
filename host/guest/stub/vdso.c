/* Linux's vDSO: parsed, looked up, and moved below the Zircon user base. */
#include <asm/prctl.h>
#include <linux/elf.h>

#include "host/guest/stub/private.h"

static int str_eq(const char* a, const char* b) {
  while (*a && *a == *b) a++, b++;
  return *a == *b;
}

/* ---------------------------------------------------------------- the Linux vDSO */
uint64_t stub_vdso_text_start, stub_vdso_text_end; /* 0 when there is none */

struct vdso_info {
  uint64_t bias;      /* load address minus link address */
  uint64_t image_len; /* page-rounded extent of the PT_LOAD segments */
  const Elf64_Dyn* dyn;
};

static int vdso_parse(uint64_t base, struct vdso_info* vi) {
  const Elf64_Ehdr* eh = (const Elf64_Ehdr*)base;
  if (eh->e_ident[EI_MAG0] != ELFMAG0 || eh->e_ident[EI_MAG1] != ELFMAG1 ||
      eh->e_ident[EI_MAG2] != ELFMAG2 || eh->e_ident[EI_MAG3] != ELFMAG3 ||
      eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_phentsize != sizeof(Elf64_Phdr) ||
      eh->e_phoff > PAGE || eh->e_phnum > 16)
    return -1;
  const Elf64_Phdr* ph = (const Elf64_Phdr*)(base + eh->e_phoff);
  uint64_t lo = ~0ul, hi = 0;
  const Elf64_Phdr* dyn = 0;
  int have_bias = 0;
  for (unsigned i = 0; i < eh->e_phnum; i++) {
    if (ph[i].p_type == PT_LOAD) {
      if (ph[i].p_offset == 0) {
        vi->bias = base - ph[i].p_vaddr;
        have_bias = 1;
      }
      if (ph[i].p_vaddr < lo) lo = ph[i].p_vaddr;
      if (ph[i].p_vaddr + ph[i].p_memsz > hi) hi = ph[i].p_vaddr + ph[i].p_memsz;
    } else if (ph[i].p_type == PT_DYNAMIC) {
      dyn = &ph[i];
    }
  }
  if (!have_bias || !dyn || hi <= lo || hi - lo > 64 * PAGE) return -1;
  vi->image_len = (hi - lo + PAGE - 1) & ~(PAGE - 1);
  vi->dyn = (const Elf64_Dyn*)(vi->bias + dyn->p_vaddr);
  return 0;
}

/* Looks `name` up in the dynamic symbol table of the vDSO mapped at `base` (length len). */
static uint64_t vdso_lookup(uint64_t base, uint64_t len, const char* name) {
  struct vdso_info vi;
  if (vdso_parse(base, &vi) != 0 || vi.image_len > len) return 0;
#define IN_IMAGE(a) ((uint64_t)(a) >= base && (uint64_t)(a) < base + len)
  const Elf64_Sym* symtab = 0;
  const char* strtab = 0;
  const uint32_t* hash = 0;
  const uint32_t* gnu_hash = 0;
  for (const Elf64_Dyn* d = vi.dyn; IN_IMAGE(d + 1) && d->d_tag != DT_NULL; d++) {
    uint64_t p = vi.bias + d->d_un.d_ptr;
    switch (d->d_tag) {
      case DT_SYMTAB: symtab = (const Elf64_Sym*)p; break;
      case DT_STRTAB: strtab = (const char*)p; break;
      case DT_HASH: hash = (const uint32_t*)p; break;
      case 0x6ffffef5: /* DT_GNU_HASH */ gnu_hash = (const uint32_t*)p; break;
    }
  }
  if (!IN_IMAGE(symtab) || !IN_IMAGE(strtab)) return 0;
  uint32_t nsyms = 0;
  if (hash && IN_IMAGE(hash + 2)) {
    nsyms = hash[1];
  } else if (gnu_hash && IN_IMAGE(gnu_hash + 4)) {
    /* The highest symbol in any bucket, then to the end of its chain. */
    uint32_t nbuckets = gnu_hash[0], symoffset = gnu_hash[1], bloom = gnu_hash[2];
    const uint32_t* buckets = gnu_hash + 4 + 2 * bloom;
    const uint32_t* chain = buckets + nbuckets;
    if (!IN_IMAGE(chain)) return 0;
    for (uint32_t b = 0; b < nbuckets; b++)
      if (buckets[b] > nsyms) nsyms = buckets[b];
    if (nsyms >= symoffset) {
      while (IN_IMAGE(chain + (nsyms - symoffset)) && !(chain[nsyms - symoffset] & 1)) nsyms++;
      nsyms++;
    }
  }
  for (uint32_t i = 0; i < nsyms && IN_IMAGE(symtab + i + 1); i++) {
    const Elf64_Sym* s = &symtab[i];
    if (s->st_shndx == SHN_UNDEF || ELF64_ST_TYPE(s->st_info) != STT_FUNC) continue;
    if (!IN_IMAGE(strtab + s->st_name)) continue;
    uint64_t fn = vi.bias + s->st_value;
    if (str_eq(strtab + s->st_name, name) && IN_IMAGE(fn)) return fn;
  }
#undef IN_IMAGE
  return 0;
}

/* Maps Linux's vDSO into the window below the Zircon user base (the original went with the rest
 * of the user range) and returns its clock_gettime, or the raw system call. The kernel places
 * its [vvar] pages first and the vDSO text after them; how many vvar pages there are depends on
 * the kernel version, so the text is found from the end of what was mapped. */
uint64_t stub_map_vdso(uint64_t orig_base) {
  struct vdso_info vi;
  if (orig_base == 0 || vdso_parse(orig_base, &vi) != 0) return 0;
  uint64_t len = vi.image_len;
  sys6(__NR_munmap, ZUM_USER_BASE, USER_SPACE_END - ZUM_USER_BASE, 0, 0, 0, 0);
  /* Success is 0 on most kernels; some return a positive value. Where it went is checked below. */
  long r = sys2(__NR_arch_prctl, ARCH_MAP_VDSO_64, STUB_VDSO_WINDOW);
  if (r < 0 && r > -4096) return 0;
  unsigned char vec;
  uint64_t end = STUB_VDSO_WINDOW;
  while (end < ZUM_USER_BASE && sys3(__NR_mincore, end, PAGE, &vec) == 0) end += PAGE;
  if (end == STUB_VDSO_WINDOW || end > STUB_VDSO_WINDOW_END || end - STUB_VDSO_WINDOW < len) {
    /* Not where asked (then above the user base) or too large for the window. */
    sys2(__NR_munmap, STUB_VDSO_WINDOW, USER_SPACE_END - STUB_VDSO_WINDOW);
    return 0;
  }
  uint64_t text = end - len;
  uint64_t fn = vdso_lookup(text, len, "__vdso_clock_gettime");
  if (!fn) fn = vdso_lookup(text, len, "clock_gettime");
  if (fn) {
    stub_vdso_text_start = text;
    stub_vdso_text_end = end;
  }
  return fn;
}
