/* A small Fuchsia-ABI dynamic linker for zum's tests of programs whose PT_INTERP is ld.so.1
 * (the SDK's own ld.so cannot be shipped). It does, in order, what Fuchsia's ld.so does at
 * start-up, in miniature:
 *   1. relocates itself (it is mapped as it is in the file: zum-launch must not relocate a
 *      dynamic linker), binding its zx_* calls to the vDSO whose base it got in %rsi;
 *   2. reads the first processargs message (PA_VMO_EXECUTABLE, PA_PROC_SELF, PA_VMAR_ROOT,
 *      PA_VMAR_LOADED, PA_LDSVC_LOADER, argv, environ) and checks that it has exactly those;
 *   3. maps the executable from its VMO, and each DT_NEEDED library but libzircon.so (the vDSO)
 *      from the VMO the loader service returns for LoadObject(name);
 *   4. relocates them (RELR, RELA, REL, JMPREL; symbols looked up in the executable, the libraries,
 *      then the vDSO, through DT_GNU_HASH) and jumps to the executable's entry with
 *      (bootstrap channel, vDSO base, loader channel): the second message stays queued for the
 *      program. Passing the loader channel on is this linker's own convention, so the test
 *      program can make loader-service requests of its own.
 * FXLD_DEBUG=1 in its environment prints what it does. A library the loader service cannot
 * provide ends the process with return code 127 after a line naming it and the status. */
#include "fx.h"
#include "fx_elf.h"

extern const ehdr_t __ehdr_start __attribute__((visibility("hidden")));
extern dyn_t _DYNAMIC[] __attribute__((visibility("hidden")));

#define MAX_MODULES 8

struct module {
  const char* name;
  uintptr_t base; /* run-time address - link-time address */
  const dyn_t* dyn;
  const sym_t* symtab;
  const char* strtab;
  const uint32_t* gnu_hash;
  uint64_t rela, relasz, rel, relsz, jmprel, pltrelsz, pltrel, relr, relrsz;
  uintptr_t entry;
};

static struct module modules[MAX_MODULES];
static int nmodules;
static int debug;

static void die(const char* what, const char* name, zx_status_t s) {
  fx_puts("fxld: ");
  fx_puts(what);
  fx_puts(" ");
  fx_puts(name);
  fx_puts(": ");
  fx_puts(zx_status_get_string(s));
  fx_putc('\n');
  zx_process_exit(127);
}

static void read_dynamic(struct module* m) {
  for (const dyn_t* d = m->dyn; d->d_tag != FX_DT_NULL; d++) {
    uint64_t v = d->d_val;
    switch (d->d_tag) {
      case FX_DT_SYMTAB: m->symtab = (const sym_t*)(m->base + v); break;
      case FX_DT_STRTAB: m->strtab = (const char*)(m->base + v); break;
      case FX_DT_GNU_HASH: m->gnu_hash = (const uint32_t*)(m->base + v); break;
      case FX_DT_RELA: m->rela = v; break;
      case FX_DT_RELASZ: m->relasz = v; break;
      case FX_DT_REL: m->rel = v; break;
      case FX_DT_RELSZ: m->relsz = v; break;
      case FX_DT_PLTREL: m->pltrel = v; break;
      case FX_DT_JMPREL: m->jmprel = v; break;
      case FX_DT_PLTRELSZ: m->pltrelsz = v; break;
      case FX_DT_RELR: m->relr = v; break;
      case FX_DT_RELRSZ: m->relrsz = v; break;
      default: break;
    }
  }
}

/* The PT_DYNAMIC of an image whose headers are mapped at base + 0. */
static const dyn_t* mapped_dynamic(uintptr_t base) {
  const ehdr_t* eh = (const ehdr_t*)base;
  const phdr_t* ph = (const phdr_t*)(base + eh->e_phoff);
  for (int i = 0; i < eh->e_phnum; i++)
    if (ph[i].p_type == FX_PT_DYNAMIC) return (const dyn_t*)(base + ph[i].p_vaddr);
  return 0;
}

static uint32_t gnu_hash(const char* s) {
  uint32_t h = 5381;
  for (; *s; s++) h = h * 33 + (unsigned char)*s;
  return h;
}

static const sym_t* module_lookup(const struct module* m, const char* name) {
  const uint32_t* ht = m->gnu_hash;
  if (!ht || !m->symtab || !m->strtab) return 0;
  uint32_t nbuckets = ht[0], symoffset = ht[1], bloom_size = ht[2];
  const uint32_t* buckets = ht + 4 + bloom_size * 2;
  const uint32_t* chains = buckets + nbuckets;
  uint32_t h = gnu_hash(name);
  uint32_t i = buckets[h % nbuckets];
  if (i < symoffset) return 0;
  for (;; i++) {
    uint32_t c = chains[i - symoffset];
    const sym_t* s = &m->symtab[i];
    if ((c | 1) == (h | 1) && s->st_shndx != 0 && fx_streq(m->strtab + s->st_name, name)) return s;
    if (c & 1) return 0;
  }
}

/* Global scope: the modules in load order (the executable first), then the vDSO (module 0). */
static uintptr_t resolve(const char* name) {
  for (int k = 1; k <= nmodules; k++) {
    const struct module* m = &modules[k % nmodules];
    const sym_t* s = module_lookup(m, name);
    if (s) return m->base + s->st_value;
  }
  die("undefined symbol", name, ZX_ERR_NOT_FOUND);
  return 0;
}

static void apply(struct module* m, uint64_t offset, uint64_t info, int has_addend,
                  int64_t addend, uintptr_t (*lookup)(const char*)) {
  uint64_t* where = (uint64_t*)(m->base + offset);
  uint32_t type = (uint32_t)info, symi = (uint32_t)(info >> 32);
  const sym_t* sym = &m->symtab[symi];
  uintptr_t value = 0;
  if (symi) value = sym->st_shndx ? m->base + sym->st_value : lookup(m->strtab + sym->st_name);
  /* REL entries keep their addend in place. */
  uint64_t a = has_addend ? (uint64_t)addend : *where;
  switch (type) {
    case FX_R_X86_64_RELATIVE: *where = m->base + a; break;
    case FX_R_X86_64_64: *where = value + a; break;
    case FX_R_X86_64_GLOB_DAT:
    case FX_R_X86_64_JUMP_SLOT: *where = value; break;
    default: die("unsupported relocation in", m->name, ZX_ERR_NOT_SUPPORTED);
  }
}

static void relocate_rela(struct module* m, uint64_t off, uint64_t size,
                          uintptr_t (*lookup)(const char*)) {
  const rela_t* r = (const rela_t*)(m->base + off);
  for (uint64_t i = 0; i < size / sizeof(rela_t); i++)
    apply(m, r[i].r_offset, r[i].r_info, 1, r[i].r_addend, lookup);
}

static void relocate_rel(struct module* m, uint64_t off, uint64_t size,
                         uintptr_t (*lookup)(const char*)) {
  const rel_t* r = (const rel_t*)(m->base + off);
  for (uint64_t i = 0; i < size / sizeof(rel_t); i++)
    apply(m, r[i].r_offset, r[i].r_info, 0, 0, lookup);
}

static void relocate_relr(struct module* m) {
  const uint64_t* p = (const uint64_t*)(m->base + m->relr);
  uint64_t* where = 0;
  for (uint64_t i = 0; i < m->relrsz / 8; i++) {
    if ((p[i] & 1) == 0) {
      where = (uint64_t*)(m->base + p[i]);
      *where++ += m->base;
      continue;
    }
    for (uint64_t bits = p[i] >> 1, k = 0; bits; bits >>= 1, k++)
      if (bits & 1) where[k] += m->base;
    where += 63;
  }
}

static void relocate(struct module* m, uintptr_t (*lookup)(const char*)) {
  relocate_relr(m);
  relocate_rela(m, m->rela, m->relasz, lookup);
  relocate_rel(m, m->rel, m->relsz, lookup);
  if (m->pltrel == FX_DT_RELA) relocate_rela(m, m->jmprel, m->pltrelsz, lookup);
  else relocate_rel(m, m->jmprel, m->pltrelsz, lookup);
}

/* Before this linker is relocated, its own undefined symbols can only be the vDSO's. */
static uintptr_t resolve_vdso(const char* name) {
  const sym_t* s = module_lookup(&modules[0], name);
  if (!s) zx_process_exit(126); /* no output is possible yet */
  return modules[0].base + s->st_value;
}

/* ---- loading a module from a VMO */

static zx_handle_t root_vmar;

static void load(struct module* m, zx_handle_t vmo) {
  static char hdr[4096];
  zx_status_t s = zx_vmo_read(vmo, hdr, 0, sizeof(hdr));
  if (s != ZX_OK) die("cannot read the headers of", m->name, s);
  const ehdr_t* eh = (const ehdr_t*)hdr;
  if (memcmp(eh->e_ident, "\177ELF", 4) != 0 || eh->e_phoff + eh->e_phnum * sizeof(phdr_t) > sizeof(hdr))
    die("not an ELF file with its headers in the first page:", m->name, ZX_ERR_INVALID_ARGS);
  const phdr_t* ph = (const phdr_t*)(hdr + eh->e_phoff);
  uint64_t lo = UINT64_MAX, hi = 0;
  for (int i = 0; i < eh->e_phnum; i++) {
    if (ph[i].p_type != FX_PT_LOAD) continue;
    if (ph[i].p_vaddr < lo) lo = ph[i].p_vaddr & ~4095ull;
    if (ph[i].p_vaddr + ph[i].p_memsz > hi) hi = (ph[i].p_vaddr + ph[i].p_memsz + 4095) & ~4095ull;
  }
  zx_handle_t vmar;
  uintptr_t addr;
  s = zx_vmar_allocate(root_vmar,
                       ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_EXECUTE |
                           ZX_VM_CAN_MAP_SPECIFIC,
                       0, hi - lo, &vmar, &addr);
  if (s != ZX_OK) die("cannot allocate a VMAR for", m->name, s);
  m->base = addr - lo;
  for (int i = 0; i < eh->e_phnum; i++) {
    const phdr_t* p = &ph[i];
    if (p->p_type != FX_PT_LOAD) continue;
    uint64_t start = p->p_vaddr & ~4095ull, end = (p->p_vaddr + p->p_memsz + 4095) & ~4095ull;
    zx_vm_option_t perm = ZX_VM_PERM_READ | ZX_VM_SPECIFIC;
    if (p->p_flags & FX_PF_X) perm |= ZX_VM_PERM_EXECUTE;
    uintptr_t got;
    if (!(p->p_flags & FX_PF_W)) {
      /* Read-only and code segments map the file's pages themselves. */
      s = zx_vmar_map(vmar, perm, start - lo, vmo, p->p_offset & ~4095ull, end - start, &got);
      if (s != ZX_OK) die("cannot map a segment of", m->name, s);
      continue;
    }
    /* Data: a fresh VMO (zero past the file bytes) the file bytes are read into. */
    zx_handle_t data;
    s = zx_vmo_create(end - start, 0, &data);
    if (s == ZX_OK) s = zx_vmar_map(vmar, perm | ZX_VM_PERM_WRITE, start - lo, data, 0, end - start, &got);
    if (s == ZX_OK) s = zx_vmo_read(vmo, (void*)(m->base + p->p_vaddr), p->p_offset, p->p_filesz);
    if (s != ZX_OK) die("cannot load a data segment of", m->name, s);
    zx_handle_close(data);
  }
  zx_handle_close(vmar);
  m->entry = m->base + eh->e_entry;
  for (int i = 0; i < eh->e_phnum; i++)
    if (ph[i].p_type == FX_PT_DYNAMIC) m->dyn = (const dyn_t*)(m->base + ph[i].p_vaddr);
  if (!m->dyn) die("no PT_DYNAMIC in", m->name, ZX_ERR_INVALID_ARGS);
  read_dynamic(m);
}

/* ---- the loader service */

static zx_handle_t loader;

static zx_handle_t load_object(const char* name) {
  struct {
    uint32_t txid;
    uint8_t flags[3], magic;
    uint64_t ordinal, size, present;
    char name[992];
  } req;
  memset(&req, 0, sizeof(req));
  size_t len = fx_strlen(name);
  if (len > 991) die("library name too long:", name, ZX_ERR_OUT_OF_RANGE);
  req.magic = 1;
  req.ordinal = 0x48c5a151d6df2853ull;
  req.size = len;
  req.present = UINT64_MAX;
  memcpy(req.name, name, len);
  struct {
    uint8_t header[16];
    int32_t rv;
    uint32_t present;
  } rsp;
  zx_handle_t vmo = ZX_HANDLE_INVALID;
  zx_channel_call_args_t args = {
      .wr_bytes = &req,
      .wr_num_bytes = (uint32_t)((32 + len + 7) & ~7ull),
      .rd_bytes = &rsp,
      .rd_handles = &vmo,
      .rd_num_bytes = sizeof(rsp),
      .rd_num_handles = 1,
  };
  uint32_t nb = 0, nh = 0;
  zx_status_t s = zx_channel_call(loader, 0, ZX_TIME_INFINITE, &args, &nb, &nh);
  if (s != ZX_OK) die("the loader service failed for", name, s);
  if (nb != sizeof(rsp)) die("a short loader-service reply for", name, ZX_ERR_IO);
  if (rsp.rv != ZX_OK) die("cannot load", name, rsp.rv);
  if (nh != 1) die("no VMO in the loader-service reply for", name, ZX_ERR_IO);
  return vmo;
}

static void load_needed(struct module* m) {
  for (const dyn_t* d = m->dyn; d->d_tag != FX_DT_NULL; d++) {
    if (d->d_tag != FX_DT_NEEDED) continue;
    const char* name = m->strtab + d->d_val;
    int known = fx_streq(name, "libzircon.so");
    for (int k = 1; k < nmodules; k++) known |= fx_streq(modules[k].name, name);
    if (known) continue;
    if (nmodules == MAX_MODULES) die("too many libraries at", name, ZX_ERR_NO_RESOURCES);
    struct module* lib = &modules[nmodules++];
    lib->name = name;
    if (debug) fx_puts("fxld: LoadObject "), fx_puts(name), fx_putc('\n');
    zx_handle_t vmo = load_object(name);
    load(lib, vmo);
    zx_handle_close(vmo);
    load_needed(lib);
  }
}

/* ---- start */

__attribute__((noreturn)) void _start(zx_handle_t bootstrap, uintptr_t vdso_base) {
  /* 1. The vDSO first (module 0), then this linker relocates itself. */
  modules[0] = (struct module){.name = "libzircon.so", .base = vdso_base};
  modules[0].dyn = mapped_dynamic(vdso_base);
  read_dynamic(&modules[0]);
  struct module self = {.name = "ld.so.1", .base = (uintptr_t)&__ehdr_start, .dyn = _DYNAMIC};
  read_dynamic(&self);
  relocate(&self, resolve_vdso);

  /* 2. The first message is this linker's. */
  static char bytes[ZX_CHANNEL_MAX_MSG_BYTES];
  zx_handle_t hs[8];
  uint32_t nb = 0, nh = 0;
  zx_status_t s = zx_channel_read(bootstrap, 0, bytes, hs, sizeof(bytes), 8, &nb, &nh);
  if (s != ZX_OK) die("cannot read", "the first bootstrap message", s);
  zx_proc_args_t h;
  memcpy(&h, bytes, sizeof(h));
  if (h.protocol != ZX_PROCARGS_PROTOCOL || h.handle_info_off + 4 * nh > nb)
    die("bad", "first bootstrap message", ZX_ERR_INVALID_ARGS);
  static const char* env[FX_MAX_ENV];
  if (h.environ_num > FX_MAX_ENV) die("too many", "environment entries", ZX_ERR_OUT_OF_RANGE);
  fx_strings(bytes, nb, h.environ_off, h.environ_num, env);
  for (uint32_t i = 0; i < h.environ_num; i++) debug |= fx_streq(env[i], "FXLD_DEBUG=1");
  static const uint32_t want[] = {PA_VMO_EXECUTABLE, PA_PROC_SELF, PA_VMAR_ROOT, PA_VMAR_LOADED,
                                  PA_LDSVC_LOADER};
  zx_handle_t got[5] = {0};
  for (uint32_t i = 0; i < nh; i++) {
    uint32_t info;
    memcpy(&info, bytes + h.handle_info_off + 4 * i, 4);
    int known = 0;
    for (int k = 0; k < 5; k++) {
      if (info == PA_HND(want[k], 0) && !got[k]) got[k] = hs[i], known = 1;
    }
    if (!known) die("unexpected handle in", "the first bootstrap message", ZX_ERR_INVALID_ARGS);
  }
  for (int k = 0; k < 5; k++)
    if (!got[k]) die("a handle is missing from", "the first bootstrap message", ZX_ERR_NOT_FOUND);
  root_vmar = got[2];
  loader = got[4];
  if (debug) {
    fx_puts("fxld: message 1: handles=");
    fx_dec(nh);
    fx_puts(" argc=");
    fx_dec(h.args_num);
    fx_puts(" envc=");
    fx_dec(h.environ_num);
    fx_putc('\n');
  }

  /* 3. The executable from its VMO, then its libraries through the loader service. */
  struct module* exe = &modules[1];
  *exe = (struct module){.name = "the executable"};
  nmodules = 2;
  load(exe, got[0]);
  load_needed(exe);
  /* 4. Relocate, last loaded first, and start the program. */
  for (int k = nmodules - 1; k >= 1; k--) relocate(&modules[k], resolve);
  if (debug) fx_puts("fxld: starting the executable\n");
  typedef void entry_fn(zx_handle_t, uintptr_t, zx_handle_t);
  ((entry_fn*)exe->entry)(bootstrap, vdso_base, loader);
  zx_process_exit(0);
}
