/* zum-launch: starts a Fuchsia-ABI ELF program as a pure Zircon process.
 *
 *   zum-launch [OPTIONS] [--] PROG.elf [ARGS...]     (options: options.h)
 *
 * A hosted Zircon program (`zum run` runs it for such ELFs). A program whose PT_INTERP is a
 * Fuchsia dynamic linker (ld.so.1) is started the way Fuchsia's process builder does it
 * (DESIGN.md section 12): the sysroot's ld.so.1 is mapped as it is in the file (it relocates
 * itself), the program goes to it as a VMO (PA_VMO_EXECUTABLE) in a first processargs message,
 * with a loader-service channel (PA_LDSVC_LOADER) for its libraries, which zum-launch serves
 * until the process ends (ldsvc.h); libc's message follows; the process starts at ld.so's entry.
 * A program without PT_INTERP is loaded by zum-launch itself, the way Fuchsia's process builder
 * loads such a program:
 *   1. zx_process_create in the default job;
 *   2. maps the vDSO (from the PA_VMO_VDSO startup handle): its read-only segment, then its code
 *      segment at the same relative offset, exactly, as Zircon's vDSO mapping rule requires;
 *   3. allocates a randomly placed sub-VMAR for the program's image (it becomes PA_VMAR_LOADED),
 *      copies each PT_LOAD segment into a VMO (zero-filled past the file bytes), applies its
 *      relative relocations and binds its symbol relocations against the vDSO's dynamic symbols
 *      (DT_GNU_HASH), maps the segments with their permissions and RELRO read-only;
 *   4. maps a stack VMO; initial sp = ((base + size) & ~15) - 8;
 *   5. writes one processargs message (PROC_SELF, THREAD_SELF, VMAR_ROOT, VMAR_LOADED,
 *      JOB_DEFAULT, VMO_VDSO, VMO_STACK, the stdio sockets as FD 0-2, CLOCK_UTC, argv and
 *      environ) on a new channel and calls
 *      zx_process_start(proc, thread, entry, sp, bootstrap, vdso_base);
 *   6. bridges the stdio sockets to its own fds 0-2 (stdio_bridge.h) until ZX_PROCESS_TERMINATED,
 *      drains them, and exits with the process's return code (exit() for 0-255,
 *      zx_process_exit for the rest).
 *
 * The file is read with ordinary Linux I/O. Every error names the file and what is wrong, and
 * exits with status 127. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zircon/process.h>
#include <zircon/processargs.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>

#include "host/guest/launch/elf_image.h"
#include "host/guest/launch/file_vmo.h"
#include "host/guest/launch/ldsvc.h"
#include "host/guest/launch/options.h"
#include "host/guest/launch/procargs.h"
#include "host/guest/launch/stdio_bridge.h"
#include "host/guest/launch/sysroot.h"
#include "host/guest/launch/utc_clock.h"

/* Limits for hostile or absurd files. */
#define MAX_INTERP_LEN 255
#define MAX_FILE_SIZE (1ull << 30)
#define MAX_IMAGE_SPAN (1ull << 36)
#define MAX_VDSO_SIZE (16ull << 20)
#define MAX_STACK_SIZE (1ull << 30)
/* Zircon's default main-thread stack when PT_GNU_STACK gives no size. */
#define DEFAULT_STACK_SIZE (256ull << 10)
#define VMO_WRITE_CHUNK (4ull << 20)

static const char* prog = "zum-launch";

static __attribute__((noreturn, format(printf, 1, 2))) void fail(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "zum-launch: %s: ", prog);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(127);
}

static void check(zx_status_t s, const char* what) {
  if (s != ZX_OK) fail("%s failed: %s", what, zx_status_get_string(s));
}

/* ---- the vDSO */

struct vdso {
  zx_handle_t vmo;
  uint8_t* img; /* the VMO's contents: the image laid out as in memory */
  struct elf_buf mem;
  struct elf_dyn dyn;
  uint64_t ro_len;    /* the read-only segment: [0, ro_len) */
  uint64_t code_off;  /* the code segment: [code_off, code_off + code_len) */
  uint64_t code_len;
  uint64_t base;      /* where it is mapped in the new process */
};

static void vdso_read(struct vdso* v) {
  v->vmo = zx_take_startup_handle(PA_HND(PA_VMO_VDSO, 0));
  if (v->vmo == ZX_HANDLE_INVALID)
    fail("zum-launch got no vDSO VMO among its startup handles (PA_VMO_VDSO): this zum cannot "
         "start pure processes");
  uint64_t size = 0;
  zx_status_t s = zx_vmo_get_size(v->vmo, &size);
  if (s != ZX_OK) fail("cannot get the vDSO VMO's size: %s", zx_status_get_string(s));
  if (size < sizeof(Elf64_Ehdr) || size > MAX_VDSO_SIZE)
    fail("the vDSO VMO has an implausible size (%" PRIu64 " bytes)", size);
  v->img = malloc(size);
  if (!v->img) fail("out of memory reading the vDSO");
  s = zx_vmo_read(v->vmo, v->img, 0, size);
  if (s != ZX_OK) fail("cannot read the vDSO VMO: %s", zx_status_get_string(s));
  v->mem = (struct elf_buf){.data = v->img, .size = size, .base = 0};

  const Elf64_Ehdr* eh;
  const char* why = elf_check_header(v->mem, &eh);
  if (why) fail("the vDSO: %s", why);
  const Elf64_Phdr* ph = elf_phdrs(v->mem, eh);
  const Elf64_Phdr *ro = NULL, *code = NULL, *dyn = NULL;
  for (unsigned i = 0; i < eh->e_phnum; i++) {
    if (ph[i].p_type == PT_DYNAMIC) dyn = &ph[i];
    if (ph[i].p_type != PT_LOAD) continue;
    if (!ro) ro = &ph[i];
    else if (!code) code = &ph[i];
    else fail("the vDSO has more than two PT_LOAD segments");
  }
  if (!ro || !code || !dyn) fail("the vDSO lacks its read-only, code or dynamic segment");
  if (ro->p_vaddr != 0 || ro->p_offset != 0 || (ro->p_flags & (PF_W | PF_X)) ||
      code->p_vaddr != code->p_offset || code->p_vaddr % ELF_PAGE != 0 ||
      (code->p_flags & (PF_W | PF_X)) != PF_X)
    fail("the vDSO's segments are not laid out as in memory (read-only at 0, then code)");
  /* VMO sizes are whole pages: the mappings may cover the last page's tail. */
  uint64_t vmo_size = 0;
  if (!elf_page_ceil(ro->p_memsz, &v->ro_len) || !elf_page_ceil(code->p_memsz, &v->code_len) ||
      !elf_page_ceil(size, &vmo_size) || v->ro_len > code->p_vaddr || code->p_vaddr > vmo_size ||
      v->code_len > vmo_size - code->p_vaddr || code->p_filesz > code->p_memsz)
    fail("the vDSO's segments do not fit its VMO");
  v->code_off = code->p_vaddr;
  why = elf_read_dynamic(v->mem, dyn->p_vaddr, dyn->p_filesz, &v->dyn);
  if (why) fail("the vDSO: %s", why);
  if (!v->dyn.gnu_hash || !v->dyn.symtab || !v->dyn.strtab)
    fail("the vDSO has no DT_GNU_HASH, DT_SYMTAB or DT_STRTAB");
}

/* Maps the vDSO into the new process: a VMAR spanning it, the read-only segment at its start
 * and the code segment at code_off, which covers the code segment exactly. */
static void vdso_map(struct vdso* v, zx_handle_t root_vmar) {
  zx_handle_t vmar;
  zx_status_t s = zx_vmar_allocate(root_vmar,
                                   ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_EXECUTE | ZX_VM_CAN_MAP_SPECIFIC,
                                   0, v->code_off + v->code_len, &vmar, &v->base);
  check(s, "allocating the vDSO's VMAR (zx_vmar_allocate)");
  zx_vaddr_t a;
  s = zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, 0, v->vmo, 0, v->ro_len, &a);
  check(s, "mapping the vDSO's read-only segment (zx_vmar_map)");
  s = zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE | ZX_VM_SPECIFIC, v->code_off, v->vmo,
                  v->code_off, v->code_len, &a);
  check(s, "mapping the vDSO's code segment (zx_vmar_map)");
  zx_handle_close(vmar);
}

/* ---- the program */

struct seg {
  uint64_t vaddr, memsz, filesz, offset;
  uint32_t flags;
  uint64_t start, end;  /* page-rounded link-time range */
  uint64_t dirty_end;   /* bytes past vaddr+filesz changed by relocations end here */
};

struct image {
  struct elf_buf file;
  const Elf64_Ehdr* eh;
  struct seg* segs;
  unsigned nsegs;
  uint64_t min, span;   /* link-time [min, min+span) */
  uint8_t* buf;         /* the image as in memory: buf[i] is link-time address min + i */
  struct elf_buf mem;
  struct elf_dyn dyn;
  uint64_t bias;        /* run-time address - link-time address */
  zx_handle_t vmar;     /* the image's sub-VMAR (PA_VMAR_LOADED) */
  uint64_t stack_size;
  const Elf64_Phdr* relro;
  char interp[MAX_INTERP_LEN + 1];  /* PT_INTERP, "" when there is none */
};

/* A dynamic linker's name is looked up under the sysroot: a relative path without "." or ".."
 * components ("ld.so.1", "asan/ld.so.1"). */
static bool interp_name_ok(const char* s) {
  if (!*s || *s == '/') return false;
  for (const char* c = s; *c;) {
    size_t n = strcspn(c, "/");
    if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.')) return false;
    c += n;
    if (*c == '/') c++;
  }
  return true;
}

static void read_file(struct image* im, const char* path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail("cannot open: %s", strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0) fail("cannot stat: %s", strerror(errno));
  if (!S_ISREG(st.st_mode)) fail("not a regular file");
  if ((uint64_t)st.st_size > MAX_FILE_SIZE) fail("too large (%lld bytes)", (long long)st.st_size);
  uint8_t* data = malloc(st.st_size ? (size_t)st.st_size : 1);
  if (!data) fail("out of memory reading the file");
  size_t got = 0;
  while (got < (size_t)st.st_size) {
    ssize_t n = pread(fd, data + got, (size_t)st.st_size - got, (off_t)got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("cannot read: %s", strerror(errno));
    if (n == 0) fail("the file shrank while being read");
    got += (size_t)n;
  }
  close(fd);
  im->file = (struct elf_buf){.data = data, .size = got, .base = 0};
}

/* Checks that the file is a Fuchsia-ABI program zum-launch can load, and collects its
 * segments. */
static void parse(struct image* im) {
  const char* why = elf_check_header(im->file, &im->eh);
  if (why) fail("%s", why);
  const Elf64_Ehdr* eh = im->eh;
  if (eh->e_type != ET_DYN)
    fail("not a position-independent executable (ELF type %u, expected ET_DYN): Fuchsia programs "
         "are PIEs", eh->e_type);
  const Elf64_Phdr* ph = elf_phdrs(im->file, eh);
  for (unsigned i = 0; i < eh->e_phnum; i++) {
    if (ph[i].p_type != PT_INTERP) continue;
    const char* interp = elf_at(im->file, ph[i].p_offset, ph[i].p_filesz);
    size_t len = interp ? strnlen(interp, ph[i].p_filesz) : 0;
    if (!interp || len == ph[i].p_filesz || len > MAX_INTERP_LEN)
      fail("its PT_INTERP is not a NUL-terminated name of at most %d bytes inside the file",
           MAX_INTERP_LEN);
    memcpy(im->interp, interp, len + 1);
    if (!interp_name_ok(im->interp))
      fail("asks for the dynamic linker '%s' (PT_INTERP): zum-launch looks dynamic linkers up in "
           "the sysroot, by relative names without '.' or '..' components",
           im->interp);
  }
  if (elf_has_gnu_abi_tag(im->file, eh))
    fail("is a Linux program (it has a GNU ABI-tag note), not a Fuchsia one");

  im->segs = calloc(eh->e_phnum, sizeof(struct seg));
  if (!im->segs) fail("out of memory");
  im->stack_size = DEFAULT_STACK_SIZE;
  for (unsigned i = 0; i < eh->e_phnum; i++) {
    const Elf64_Phdr* p = &ph[i];
    if (p->p_type == PT_GNU_STACK && p->p_memsz != 0) {
      if (p->p_memsz > MAX_STACK_SIZE) fail("PT_GNU_STACK asks for a %" PRIu64 "-byte stack", p->p_memsz);
      elf_page_ceil(p->p_memsz, &im->stack_size);
    }
    if (p->p_type == PT_GNU_RELRO) im->relro = p;
    if (p->p_type != PT_LOAD || p->p_memsz == 0) continue;
    if (p->p_filesz > p->p_memsz) fail("PT_LOAD segment %u has more file bytes than memory bytes", i);
    if (!elf_at(im->file, p->p_offset, p->p_filesz))
      fail("PT_LOAD segment %u lies outside the file", i);
    struct seg* s = &im->segs[im->nsegs];
    s->vaddr = p->p_vaddr;
    s->memsz = p->p_memsz;
    s->filesz = p->p_filesz;
    s->offset = p->p_offset;
    s->flags = p->p_flags;
    s->start = elf_page_floor(p->p_vaddr);
    if (p->p_vaddr > UINT64_MAX - p->p_memsz || !elf_page_ceil(p->p_vaddr + p->p_memsz, &s->end))
      fail("PT_LOAD segment %u wraps around the address space", i);
    s->dirty_end = s->vaddr + s->filesz;
    if (im->nsegs > 0 && s->start < im->segs[im->nsegs - 1].end)
      fail("PT_LOAD segment %u overlaps or shares a page with the one before it (segments must "
           "be sorted and page-separated)", i);
    im->nsegs++;
  }
  if (im->nsegs == 0) fail("no loadable (PT_LOAD) segments");
  im->min = im->segs[0].start;
  im->span = im->segs[im->nsegs - 1].end - im->min;
  if (im->span > MAX_IMAGE_SPAN) fail("the image spans %" PRIu64 " bytes, too many", im->span);
  bool entry_ok = false;
  for (unsigned i = 0; i < im->nsegs; i++) {
    const struct seg* s = &im->segs[i];
    if ((s->flags & PF_X) && eh->e_entry >= s->vaddr && eh->e_entry - s->vaddr < s->memsz)
      entry_ok = true;
  }
  if (!entry_ok)
    fail("its entry point 0x%" PRIx64 " is not in an executable segment", (uint64_t)eh->e_entry);
}

/* Lays the segments out in memory (a host buffer: file bytes, zeros after them) and reads the
 * dynamic section. */
static void build_image(struct image* im) {
  im->buf = mmap(NULL, im->span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                 -1, 0);
  if (im->buf == MAP_FAILED) fail("cannot reserve %" PRIu64 " bytes for the image", im->span);
  for (unsigned i = 0; i < im->nsegs; i++) {
    const struct seg* s = &im->segs[i];
    memcpy(im->buf + (s->vaddr - im->min), im->file.data + s->offset, s->filesz);
  }
  im->mem = (struct elf_buf){.data = im->buf, .size = im->span, .base = im->min};
  const Elf64_Phdr* ph = elf_phdrs(im->file, im->eh);
  for (unsigned i = 0; i < im->eh->e_phnum; i++) {
    if (ph[i].p_type != PT_DYNAMIC) continue;
    const char* why = elf_read_dynamic(im->mem, ph[i].p_vaddr, ph[i].p_memsz, &im->dyn);
    if (why) fail("%s", why);
  }
}

/* Without ld.so only the vDSO satisfies DT_NEEDED: zum-launch loads no other shared library. */
static void check_needed(struct image* im) {
  const Elf64_Phdr* ph = elf_phdrs(im->file, im->eh);
  for (unsigned i = 0; i < im->eh->e_phnum; i++) {
    if (ph[i].p_type != PT_DYNAMIC) continue;
    const uint8_t* p = elf_at(im->mem, ph[i].p_vaddr, ph[i].p_memsz);
    for (uint64_t off = 0; p && ph[i].p_memsz - off >= sizeof(Elf64_Dyn); off += sizeof(Elf64_Dyn)) {
      Elf64_Dyn e;
      memcpy(&e, p + off, sizeof(e));
      if (e.d_tag == DT_NULL) break;
      if (e.d_tag != DT_NEEDED) continue;
      const char* tab = elf_at(im->mem, im->dyn.strtab, im->dyn.strsz);
      if (!tab || e.d_un.d_val >= im->dyn.strsz || !memchr(tab + e.d_un.d_val, 0, im->dyn.strsz - e.d_un.d_val))
        fail("a DT_NEEDED entry's name lies outside its string table");
      const char* name = tab + e.d_un.d_val;
      if (strcmp(name, "libzircon.so") != 0)
        fail("needs the shared library '%s' (DT_NEEDED): zum-launch provides only the vDSO "
             "(libzircon.so) and loads no other libraries", name);
    }
  }
}

/* ---- relocations */

/* The 8 bytes at link-time address `where`, which must lie in a PT_LOAD segment. */
static uint8_t* reloc_target(struct image* im, uint64_t where) {
  for (unsigned i = 0; i < im->nsegs; i++) {
    struct seg* s = &im->segs[i];
    if (where >= s->vaddr && where - s->vaddr < s->memsz && s->memsz - (where - s->vaddr) >= 8) {
      if (where + 8 > s->dirty_end) s->dirty_end = where + 8;
      return im->buf + (where - im->min);
    }
  }
  fail("a relocation at 0x%" PRIx64 " lies outside every PT_LOAD segment", where);
}

static uint64_t symbol_value(struct image* im, const struct vdso* v, uint32_t symi, uint64_t where) {
  if (symi == 0) return 0;
  const Elf64_Sym* s = elf_sym(im->mem, &im->dyn, symi);
  if (!s) fail("a relocation at 0x%" PRIx64 " names symbol %u, outside the symbol table", where, symi);
  if (ELF64_ST_TYPE(s->st_info) == STT_TLS)
    fail("a relocation at 0x%" PRIx64 " refers to a thread-local symbol: not supported", where);
  if (s->st_shndx == SHN_ABS) return s->st_value;
  if (s->st_shndx != SHN_UNDEF) return im->bias + s->st_value;
  const char* name = elf_sym_name(im->mem, &im->dyn, s);
  if (!name) fail("symbol %u's name lies outside the string table", symi);
  const Elf64_Sym* d = elf_lookup(v->mem, &v->dyn, name);
  if (d) return v->base + d->st_value;
  if (ELF64_ST_BIND(s->st_info) == STB_WEAK) return 0;
  fail("undefined symbol '%s': zum's vDSO (libzircon.so) does not define it", name);
}

static void apply_reloc(struct image* im, const struct vdso* v, uint64_t where, uint32_t type,
                        uint32_t symi, bool has_addend, int64_t addend) {
  if (type == R_X86_64_NONE) return;
  uint8_t* t = reloc_target(im, where);
  uint64_t old;
  memcpy(&old, t, 8);
  /* REL entries keep their addend in place. */
  uint64_t a = has_addend ? (uint64_t)addend : old, val;
  switch (type) {
    case R_X86_64_RELATIVE: val = im->bias + a; break;
    case R_X86_64_64: val = symbol_value(im, v, symi, where) + a; break;
    /* The in-place value of a REL JUMP_SLOT is its lazy-binding PLT stub: ignored (bind now). */
    case R_X86_64_GLOB_DAT:
    case R_X86_64_JUMP_SLOT: val = symbol_value(im, v, symi, where); break;
    default: fail("unsupported relocation type %u at 0x%" PRIx64, type, where);
  }
  memcpy(t, &val, 8);
}

static const uint8_t* reloc_table(struct image* im, uint64_t addr, uint64_t size, uint64_t ent,
                                  uint64_t want_ent, const char* what) {
  if (ent && ent != want_ent) fail("%s entries are %" PRIu64 " bytes, expected %" PRIu64, what, ent, want_ent);
  if (size % want_ent) fail("the %s table's size is not a whole number of entries", what);
  const uint8_t* p = elf_at(im->mem, addr, size);
  if (!p) fail("the %s table lies outside the image", what);
  return p;
}

static void relocate_rel(struct image* im, const struct vdso* v, uint64_t addr, uint64_t size,
                         const char* what) {
  if (!size) return;
  const uint8_t* p = reloc_table(im, addr, size, im->dyn.relent, sizeof(Elf64_Rel), what);
  for (uint64_t off = 0; off < size; off += sizeof(Elf64_Rel)) {
    Elf64_Rel r;
    memcpy(&r, p + off, sizeof(r));
    apply_reloc(im, v, r.r_offset, ELF64_R_TYPE(r.r_info), ELF64_R_SYM(r.r_info), false, 0);
  }
}

static void relocate_rela(struct image* im, const struct vdso* v, uint64_t addr, uint64_t size,
                          const char* what) {
  if (!size) return;
  const uint8_t* p = reloc_table(im, addr, size, im->dyn.relaent, sizeof(Elf64_Rela), what);
  for (uint64_t off = 0; off < size; off += sizeof(Elf64_Rela)) {
    Elf64_Rela r;
    memcpy(&r, p + off, sizeof(r));
    apply_reloc(im, v, r.r_offset, ELF64_R_TYPE(r.r_info), ELF64_R_SYM(r.r_info), true, r.r_addend);
  }
}

/* DT_RELR: an address word (even) relocates one place and sets the cursor past it; a bitmap word
 * (odd) relocates up to 63 following places. */
static void relocate_relr(struct image* im, const struct vdso* v) {
  uint64_t size = im->dyn.relrsz;
  if (!size) return;
  const uint8_t* p = reloc_table(im, im->dyn.relr, size, im->dyn.relrent, 8, "DT_RELR");
  uint64_t where = 0;
  bool have_where = false;
  for (uint64_t off = 0; off < size; off += 8) {
    uint64_t w;
    memcpy(&w, p + off, 8);
    if ((w & 1) == 0) {
      apply_reloc(im, v, w, R_X86_64_RELATIVE, 0, false, 0);
      where = w + 8;
      have_where = true;
      continue;
    }
    if (!have_where) fail("the DT_RELR table starts with a bitmap");
    for (unsigned bit = 1; bit < 64; bit++)
      if (w & (1ull << bit)) apply_reloc(im, v, where + (bit - 1) * 8, R_X86_64_RELATIVE, 0, false, 0);
    where += 63 * 8;
  }
}

static void relocate(struct image* im, const struct vdso* v) {
  if (!im->dyn.present) return;
  relocate_relr(im, v);
  relocate_rel(im, v, im->dyn.rel, im->dyn.relsz, "DT_REL");
  relocate_rela(im, v, im->dyn.rela, im->dyn.relasz, "DT_RELA");
  if (im->dyn.pltrelsz) {
    if (im->dyn.pltrel == DT_REL) relocate_rel(im, v, im->dyn.jmprel, im->dyn.pltrelsz, "DT_JMPREL");
    else if (im->dyn.pltrel == DT_RELA)
      relocate_rela(im, v, im->dyn.jmprel, im->dyn.pltrelsz, "DT_JMPREL");
    else fail("DT_PLTREL is %" PRIu64 ", neither DT_REL nor DT_RELA", im->dyn.pltrel);
  }
}

/* ---- mapping the program */

static zx_vm_option_t seg_perms(uint32_t flags) {
  /* x86-64 has no execute-only or write-only pages: every mapping is readable. */
  zx_vm_option_t o = ZX_VM_PERM_READ;
  if (flags & PF_W) o |= ZX_VM_PERM_WRITE;
  if (flags & PF_X) o |= ZX_VM_PERM_EXECUTE;
  return o;
}

/* relro: make PT_GNU_RELRO read-only now (a dynamic linker does that itself, after relocating
 * itself). */
static void map_segments(struct image* im, bool relro) {
  for (unsigned i = 0; i < im->nsegs; i++) {
    const struct seg* s = &im->segs[i];
    uint64_t len = s->end - s->start;
    zx_handle_t vmo;
    zx_status_t st = zx_vmo_create(len, 0, &vmo);
    check(st, "creating a segment's VMO (zx_vmo_create)");
    /* The file bytes and every page relocations touched; the rest of the VMO stays zero. */
    uint64_t wend;
    if (!elf_page_ceil(s->dirty_end, &wend) || wend > s->end) wend = s->end;
    for (uint64_t off = 0; off < wend - s->start; off += VMO_WRITE_CHUNK) {
      uint64_t n = wend - s->start - off;
      if (n > VMO_WRITE_CHUNK) n = VMO_WRITE_CHUNK;
      st = zx_vmo_write(vmo, im->buf + (s->start - im->min) + off, off, n);
      check(st, "writing a segment into its VMO (zx_vmo_write)");
    }
    if (s->flags & PF_X) {
      st = zx_vmo_replace_as_executable(vmo, ZX_HANDLE_INVALID, &vmo);
      check(st, "making a code segment's VMO executable (zx_vmo_replace_as_executable)");
    }
    zx_vaddr_t addr;
    st = zx_vmar_map(im->vmar, seg_perms(s->flags) | ZX_VM_SPECIFIC, s->start - im->min, vmo, 0, len,
                     &addr);
    check(st, "mapping a segment (zx_vmar_map)");
    zx_handle_close(vmo);
  }
  /* PT_GNU_RELRO: the pages it covers in writable segments become read-only, as ld.so does. */
  if (!relro || !im->relro) return;
  uint64_t rs = elf_page_floor(im->relro->p_vaddr);
  uint64_t re = im->relro->p_vaddr > UINT64_MAX - im->relro->p_memsz
                    ? 0 : elf_page_floor(im->relro->p_vaddr + im->relro->p_memsz);
  for (unsigned i = 0; i < im->nsegs; i++) {
    const struct seg* s = &im->segs[i];
    if (!(s->flags & PF_W)) continue;
    uint64_t a = rs > s->start ? rs : s->start, b = re < s->end ? re : s->end;
    if (a >= b) continue;
    zx_status_t st = zx_vmar_protect(im->vmar, ZX_VM_PERM_READ, im->bias + a, b - a);
    check(st, "making the RELRO pages read-only (zx_vmar_protect)");
  }
}

/* ---- the bootstrap message */

/* The most handles one bootstrap message carries here. */
#define MAX_HANDLES 16

struct message {
  zx_handle_t handles[MAX_HANDLES];
  uint32_t info[MAX_HANDLES];
  uint32_t n;
};

static void add(struct message* m, zx_handle_t h, uint32_t info) {
  m->handles[m->n] = h;
  m->info[m->n++] = info;
}

static zx_handle_t dup_handle(zx_handle_t h, const char* what) {
  zx_handle_t d;
  zx_status_t s = zx_handle_duplicate(h, ZX_RIGHT_SAME_RIGHTS, &d);
  if (s != ZX_OK)
    fail("duplicating the %s handle (zx_handle_duplicate) failed: %s", what,
         zx_status_get_string(s));
  return d;
}

static void send(zx_handle_t ch, struct message* m, const struct launch_options* o) {
  size_t len;
  uint8_t* bytes = procargs_build(m->info, m->n, o->argc, o->argv, o->nenviron, o->environ, &len);
  if (!bytes)
    fail("the arguments and environment are too long for a bootstrap message (at most %u bytes)",
         (unsigned)ZX_CHANNEL_MAX_MSG_BYTES);
  zx_status_t s = zx_channel_write(ch, 0, bytes, (uint32_t)len, m->handles, m->n);
  check(s, "writing a bootstrap message (zx_channel_write)");
  free(bytes);
}

static const char* base_name(const char* path) {
  const char* s = strrchr(path, '/');
  return s && s[1] ? s + 1 : path;
}

/* Maps the stack VMO; returns the initial sp: 16-byte aligned minus 8, as after a call. */
static uint64_t map_stack(zx_handle_t root_vmar, uint64_t size, zx_handle_t* vmo) {
  zx_status_t s = zx_vmo_create(size, 0, vmo);
  check(s, "creating the stack VMO (zx_vmo_create)");
  zx_vaddr_t base;
  s = zx_vmar_map(root_vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, *vmo, 0, size, &base);
  check(s, "mapping the stack (zx_vmar_map)");
  return ((base + size) & ~15ull) - 8;
}

/* Places a loaded image's VMAR in the process. */
static void allocate_image(struct image* im, zx_handle_t root_vmar) {
  zx_vaddr_t base;
  zx_status_t s = zx_vmar_allocate(root_vmar,
                                   ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE |
                                       ZX_VM_CAN_MAP_EXECUTE | ZX_VM_CAN_MAP_SPECIFIC,
                                   0, im->span, &im->vmar, &base);
  check(s, "allocating the image's VMAR (zx_vmar_allocate)");
  im->bias = base - im->min;
}

/* While the program runs: its loader requests (when it has a dynamic linker) and its stdio, in
 * one zx_object_wait_many loop. The Linux side of stdio cannot join a Zircon wait, so while a
 * host fd has something to do the wait ends after HOST_POLL_MS and the host fds are polled. */
#define HOST_POLL_MS 10
static void serve_until_terminated(zx_handle_t proc, struct ldsvc* ldsvc,
                                   struct stdio_bridge* io) {
  bool moved = false;
  for (;;) {
    zx_wait_item_t items[1 + LDSVC_MAX_CONNECTIONS + STDIO_BRIDGE_STREAMS];
    items[0] = (zx_wait_item_t){.handle = proc, .waitfor = ZX_PROCESS_TERMINATED};
    size_t nl = ldsvc ? ldsvc_wait_items(ldsvc, items + 1) : 0;
    size_t ni = stdio_bridge_wait_items(io, items + 1 + nl);
    /* After progress, only a look (deadline 0): a fast stream is not held to the poll tick. */
    zx_time_t deadline = moved                            ? 0
                         : stdio_bridge_host_pending(io) ? zx_deadline_after(ZX_MSEC(HOST_POLL_MS))
                                                         : ZX_TIME_INFINITE;
    zx_status_t s = zx_object_wait_many(items, 1 + nl + ni, deadline);
    if (s != ZX_OK && s != ZX_ERR_TIMED_OUT)
      check(s, "waiting for the process (zx_object_wait_many)");
    if (s == ZX_OK && (items[0].pending & ZX_PROCESS_TERMINATED)) break;
    if (ldsvc && s == ZX_OK) ldsvc_handle(ldsvc, items + 1, nl);
    moved = stdio_bridge_pump(io);
  }
  if (ldsvc) ldsvc_close(ldsvc);
  /* Whatever it printed right before it ended is still in the sockets. */
  stdio_bridge_drain(io);
}

static void free_image(struct image* im) {
  if (im->buf) munmap(im->buf, im->span);
  free((void*)im->file.data);
  free(im->segs);
}

int main(int argc, char** argv) {
  struct launch_options o;
  if (!launch_options_parse(argc, argv, &o)) return 2;
  prog = o.argv[0];
  struct image im = {0};
  read_file(&im, prog);
  parse(&im);
  build_image(&im);

  /* A program with PT_INTERP: the sysroot's dynamic linker, mapped but not relocated. */
  bool dynamic = im.interp[0] != '\0';
  struct sysroot sr = {0};
  struct image ld = {0};
  if (dynamic) {
    char why[1024];
    if (!sysroot_find_interp(&o, im.interp, &sr, why, sizeof(why))) fail("%s", why);
    const char* program = prog;
    prog = sr.interp_path; /* errors about the dynamic linker name its file */
    read_file(&ld, sr.interp_path);
    parse(&ld);
    if (ld.interp[0]) fail("a dynamic linker must not ask for another one (PT_INTERP)");
    build_image(&ld);
    prog = program;
    sysroot_collect_dirs(&o, prog, &sr);
  } else {
    check_needed(&im);
  }

  struct vdso v = {0};
  vdso_read(&v);

  const char* name = base_name(prog);
  zx_handle_t job = zx_job_default(), proc, root_vmar;
  if (job == ZX_HANDLE_INVALID) fail("zum-launch has no default job to create the process in");
  zx_status_t s = zx_process_create(job, name, strlen(name), 0, &proc, &root_vmar);
  check(s, "creating the process (zx_process_create)");

  vdso_map(&v, root_vmar);

  uint64_t entry;
  struct message first = {0}, second = {0};
  struct ldsvc ldsvc;
  if (dynamic) {
    allocate_image(&ld, root_vmar);
    map_segments(&ld, false);
    entry = ld.bias + ld.eh->e_entry;
    zx_handle_t exe, loader;
    s = file_vmo_from_bytes(im.file.data, im.file.size, name, &exe);
    check(s, "putting the program into a VMO");
    ldsvc_init(&ldsvc, &sr);
    s = ldsvc_connect(&ldsvc, &loader);
    check(s, "creating the loader service's channel (zx_channel_create)");
    add(&first, exe, PA_HND(PA_VMO_EXECUTABLE, 0));
    add(&first, dup_handle(proc, "process"), PA_HND(PA_PROC_SELF, 0));
    add(&first, dup_handle(root_vmar, "root VMAR"), PA_HND(PA_VMAR_ROOT, 0));
    add(&first, ld.vmar, PA_HND(PA_VMAR_LOADED, 0));
    add(&first, loader, PA_HND(PA_LDSVC_LOADER, 0));
  } else {
    allocate_image(&im, root_vmar);
    relocate(&im, &v);
    map_segments(&im, true);
    entry = im.bias + im.eh->e_entry;
    add(&second, im.vmar, PA_HND(PA_VMAR_LOADED, 0));
  }

  zx_handle_t stack_vmo;
  uint64_t sp = map_stack(root_vmar, im.stack_size, &stack_vmo);

  zx_handle_t thread;
  s = zx_thread_create(proc, "initial-thread", strlen("initial-thread"), 0, &thread);
  check(s, "creating the first thread (zx_thread_create)");

  add(&second, dup_handle(proc, "process"), PA_HND(PA_PROC_SELF, 0));
  add(&second, dup_handle(thread, "thread"), PA_HND(PA_THREAD_SELF, 0));
  add(&second, root_vmar, PA_HND(PA_VMAR_ROOT, 0));
  add(&second, dup_handle(job, "default job"), PA_HND(PA_JOB_DEFAULT, 0));
  add(&second, v.vmo, PA_HND(PA_VMO_VDSO, 0));
  add(&second, stack_vmo, PA_HND(PA_VMO_STACK, 0));

  /* stdio: one socket per fd, each its own PA_FD (fdio's FDIO_FLAG_USE_FOR_STDIO is for one
   * handle standing in for all three, which separate streams are not). */
  struct stdio_bridge* io = malloc(sizeof(*io));
  if (!io) fail("out of memory");
  zx_handle_t fds[STDIO_BRIDGE_STREAMS];
  s = stdio_bridge_init(io, fds);
  check(s, "creating the stdio sockets (zx_socket_create)");
  for (unsigned fd = 0; fd < STDIO_BRIDGE_STREAMS; fd++) add(&second, fds[fd], PA_HND(PA_FD, fd));
  zx_handle_t utc;
  s = utc_clock_create(&utc);
  check(s, "creating the UTC clock (zx_clock_create)");
  add(&second, utc, PA_HND(PA_CLOCK_UTC, 0));

  /* ld.so reads the first message, libc the second. */
  zx_handle_t ours, theirs;
  s = zx_channel_create(0, &ours, &theirs);
  check(s, "creating the bootstrap channel (zx_channel_create)");
  if (dynamic) send(ours, &first, &o);
  send(ours, &second, &o);
  zx_handle_close(ours);

  s = zx_process_start(proc, thread, entry, sp, theirs, v.base);
  check(s, "starting the process (zx_process_start)");
  zx_handle_close(thread);
  free_image(&im);
  free_image(&ld);
  free(v.img);

  serve_until_terminated(proc, dynamic ? &ldsvc : NULL, io);
  free(io);
  zx_info_process_t pi;
  s = zx_object_get_info(proc, ZX_INFO_PROCESS, &pi, sizeof(pi), NULL, NULL);
  check(s, "reading the process's return code (ZX_INFO_PROCESS)");
  zx_handle_close(proc);
  /* A code Linux can carry ends this process the ordinary way (so a bare run exits with it too);
   * others (negative, ZX_TASK_RETCODE_*) only through zx_process_exit, for zum run to report. */
  if (pi.return_code >= 0 && pi.return_code <= 255) exit((int)pi.return_code);
  fflush(NULL);
  zx_process_exit(pi.return_code);
}
