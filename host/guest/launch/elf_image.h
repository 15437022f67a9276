/* Reading ELF images for the Fuchsia launcher (zum-launch), `zum run`'s ELF check and the
 * mini-process test. Header-only and allocation-free: every function works on a byte buffer it
 * is given and checks every offset against the buffer's size, so a hostile file can make these
 * functions fail but never read out of bounds.
 *
 * Two views of an image:
 *  - the FILE view (struct elf_buf over the file's bytes): headers, program headers, notes;
 *  - the MEMORY view (struct elf_buf whose byte i is the byte at link-time virtual address
 *    base + i): the dynamic section, symbols, hash tables and relocations are
 *    found by virtual address. zum's vDSO VMO is laid out as in memory, so its VMO contents are
 *    a memory view as they are. */
#ifndef ZUM_LAUNCHER_ELF_IMAGE_H_
#define ZUM_LAUNCHER_ELF_IMAGE_H_

#include <elf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define ELF_PAGE 4096ull

struct elf_buf {
  const uint8_t* data;
  uint64_t size;
  uint64_t base; /* the offset or address of data[0] (0 for files) */
};

/* A pointer to [off, off+len) inside b, or NULL when any of it lies outside. */
static inline const void* elf_at(struct elf_buf b, uint64_t off, uint64_t len) {
  if (off < b.base) return NULL;
  off -= b.base;
  if (off > b.size || len > b.size - off) return NULL;
  return b.data + off;
}

static inline uint64_t elf_page_floor(uint64_t a) { return a & ~(ELF_PAGE - 1); }
/* Page-rounds up; false on overflow. */
static inline bool elf_page_ceil(uint64_t a, uint64_t* out) {
  if (a > UINT64_MAX - (ELF_PAGE - 1)) return false;
  *out = (a + ELF_PAGE - 1) & ~(ELF_PAGE - 1);
  return true;
}

/* Checks the ELF header of an x86-64 image. Returns NULL if it is one (of any type), else why
 * not. */
static inline const char* elf_check_header(struct elf_buf file, const Elf64_Ehdr** out) {
  const Elf64_Ehdr* eh = elf_at(file, 0, sizeof(Elf64_Ehdr));
  if (!eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0) return "not an ELF file";
  if (eh->e_ident[EI_CLASS] != ELFCLASS64) return "not a 64-bit ELF file";
  if (eh->e_ident[EI_DATA] != ELFDATA2LSB) return "not a little-endian ELF file";
  if (eh->e_machine != EM_X86_64) return "not an x86-64 ELF file";
  if (eh->e_phentsize != sizeof(Elf64_Phdr)) return "bad program header size";
  if (eh->e_phnum == 0 || eh->e_phnum == PN_XNUM) return "no program headers";
  if (!elf_at(file, eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr)))
    return "program headers lie outside the file";
  *out = eh;
  return NULL;
}

/* The program headers of a header checked by elf_check_header (file view: they are in the file;
 * memory view of the vDSO: offsets equal addresses for its first segment). */
static inline const Elf64_Phdr* elf_phdrs(struct elf_buf b, const Elf64_Ehdr* eh) {
  return elf_at(b, eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr));
}

/* Whether a note area (file bytes of a PT_NOTE segment) holds a note named `name` of `type`. */
static inline bool elf_note_has(const uint8_t* p, uint64_t len, const char* name, uint32_t type) {
  uint64_t namesz_want = strlen(name) + 1, off = 0;
  while (len - off >= sizeof(Elf64_Nhdr)) {
    Elf64_Nhdr n;
    memcpy(&n, p + off, sizeof(n));
    off += sizeof(n);
    uint64_t nsz = ((uint64_t)n.n_namesz + 3) & ~3ull, dsz = ((uint64_t)n.n_descsz + 3) & ~3ull;
    if (nsz > len - off) return false;
    bool match = n.n_type == type && n.n_namesz == namesz_want &&
                 memcmp(p + off, name, namesz_want) == 0;
    if (match) return true;
    off += nsz;
    if (dsz > len - off) return false;
    off += dsz;
  }
  return false;
}

/* Whether the file has a GNU ABI-tag note (NT_GNU_ABI_TAG, "GNU"): glibc's start files put one
 * in every Linux program, Fuchsia programs have none. */
static inline bool elf_has_gnu_abi_tag(struct elf_buf file, const Elf64_Ehdr* eh) {
  const Elf64_Phdr* ph = elf_phdrs(file, eh);
  for (unsigned i = 0; i < eh->e_phnum; i++) {
    if (ph[i].p_type != PT_NOTE) continue;
    const uint8_t* p = elf_at(file, ph[i].p_offset, ph[i].p_filesz);
    if (p && elf_note_has(p, ph[i].p_filesz, "GNU", NT_GNU_ABI_TAG)) return true;
  }
  return false;
}

/* ---- dynamic section (memory view) */

struct elf_dyn {
  bool present;
  uint64_t symtab, strtab, strsz, gnu_hash;
  uint64_t rela, relasz, relaent;
  uint64_t rel, relsz, relent;
  uint64_t relr, relrsz, relrent;
  uint64_t jmprel, pltrelsz, pltrel;
  bool textrel;
};

/* Reads the dynamic section at [vaddr, vaddr+size) of the memory view. Every d_ptr is a
 * link-time address. Returns NULL or why not. */
static inline const char* elf_read_dynamic(struct elf_buf mem, uint64_t vaddr, uint64_t size,
                                           struct elf_dyn* d) {
  memset(d, 0, sizeof(*d));
  const uint8_t* p = elf_at(mem, vaddr, size);
  if (!p) return "the dynamic section lies outside the image";
  d->present = true;
  for (uint64_t off = 0; size - off >= sizeof(Elf64_Dyn); off += sizeof(Elf64_Dyn)) {
    Elf64_Dyn e;
    memcpy(&e, p + off, sizeof(e));
    uint64_t v = e.d_un.d_val;
    switch (e.d_tag) {
      case DT_NULL: return NULL;
      case DT_SYMTAB: d->symtab = v; break;
      case DT_STRTAB: d->strtab = v; break;
      case DT_STRSZ: d->strsz = v; break;
      case DT_GNU_HASH: d->gnu_hash = v; break;
      case DT_RELA: d->rela = v; break;
      case DT_RELASZ: d->relasz = v; break;
      case DT_RELAENT: d->relaent = v; break;
      case DT_REL: d->rel = v; break;
      case DT_RELSZ: d->relsz = v; break;
      case DT_RELENT: d->relent = v; break;
#ifdef DT_RELR
      case DT_RELR: d->relr = v; break;
      case DT_RELRSZ: d->relrsz = v; break;
      case DT_RELRENT: d->relrent = v; break;
#else
      case 36: d->relr = v; break;
      case 35: d->relrsz = v; break;
      case 37: d->relrent = v; break;
#endif
      case DT_JMPREL: d->jmprel = v; break;
      case DT_PLTRELSZ: d->pltrelsz = v; break;
      case DT_PLTREL: d->pltrel = v; break;
      case DT_TEXTREL: d->textrel = true; break;
      case DT_FLAGS:
        if (v & DF_TEXTREL) d->textrel = true;
        break;
      default: break;
    }
  }
  return "the dynamic section has no DT_NULL end";
}

/* A symbol table entry by index (memory view), or NULL when outside the image. */
static inline const Elf64_Sym* elf_sym(struct elf_buf mem, const struct elf_dyn* d, uint64_t i) {
  if (!d->symtab || i > UINT64_MAX / sizeof(Elf64_Sym)) return NULL;
  uint64_t off = d->symtab + i * sizeof(Elf64_Sym);
  if (off < d->symtab) return NULL;
  return elf_at(mem, off, sizeof(Elf64_Sym));
}

/* A symbol's NUL-terminated name, or NULL when it does not lie within DT_STRTAB/DT_STRSZ. */
static inline const char* elf_sym_name(struct elf_buf mem, const struct elf_dyn* d,
                                       const Elf64_Sym* s) {
  const char* tab = elf_at(mem, d->strtab, d->strsz);
  if (!tab || s->st_name >= d->strsz) return NULL;
  if (!memchr(tab + s->st_name, 0, d->strsz - s->st_name)) return NULL;
  return tab + s->st_name;
}

static inline uint32_t elf_gnu_hash(const char* s) {
  uint32_t h = 5381;
  for (; *s; s++) h = h * 33 + (uint8_t)*s;
  return h;
}

/* Looks up a defined symbol by name through DT_GNU_HASH (memory view). NULL if absent. */
static inline const Elf64_Sym* elf_lookup(struct elf_buf mem, const struct elf_dyn* d,
                                          const char* name) {
  const uint32_t* hdr = elf_at(mem, d->gnu_hash, 16);
  if (!d->gnu_hash || !hdr) return NULL;
  uint32_t nbuckets = hdr[0], symoffset = hdr[1], bloom_size = hdr[2];
  if (nbuckets == 0) return NULL;
  uint64_t buckets_off = d->gnu_hash + 16 + (uint64_t)bloom_size * 8;
  const uint32_t* buckets = elf_at(mem, buckets_off, (uint64_t)nbuckets * 4);
  if (!buckets) return NULL;
  uint64_t chains_off = buckets_off + (uint64_t)nbuckets * 4;
  uint32_t h = elf_gnu_hash(name);
  uint32_t i = buckets[h % nbuckets];
  if (i < symoffset) return NULL;
  /* The chain ends at an entry whose low bit is set; bound the walk by the buffer. */
  for (;; i++) {
    const uint32_t* ch = elf_at(mem, chains_off + (uint64_t)(i - symoffset) * 4, 4);
    if (!ch) return NULL;
    if ((*ch | 1u) == (h | 1u)) {
      const Elf64_Sym* s = elf_sym(mem, d, i);
      const char* n = s ? elf_sym_name(mem, d, s) : NULL;
      if (n && strcmp(n, name) == 0 && s->st_shndx != SHN_UNDEF) return s;
    }
    if (*ch & 1u) return NULL;
    if (i == UINT32_MAX) return NULL;
  }
}

#endif
