/* A Fuchsia-ABI program that exercises the loader's work and common calls from a pure process:
 * relocations (relative, symbolic, GOT), zero-filled bss, channels with handle transfer,
 * events and waits, VMOs, VMAR map/unmap/allocate/destroy, the vDSO's mapping rules and its
 * base-address property, and process and thread info. Prints "calls: ok" and exits 0. */
#include "fx.h"
#include "fx_elf.h"

/* Relative relocations (DT_RELR / R_X86_64_RELATIVE). */
/* volatile keeps the optimizer from folding them away. */
static const char* words[] = {"zero", "one", "two", "three"};
static const char* const* volatile words_ptr = words;
/* A symbolic relocation against the vDSO. */
static zx_status_t (*volatile debug_write_ptr)(const char*, size_t) = zx_debug_write;
/* bss: must be zero, and writable. */
static unsigned char big_bss[1 << 20];
/* A weak reference the vDSO does not satisfy resolves to 0. */
extern void zx_weak_and_missing(void) __attribute__((weak));
/* Writable data. */
static int counter = 5;


void _start(zx_handle_t bootstrap, uintptr_t vdso_base) {
  fx_read_bootstrap(bootstrap, vdso_base);
  zx_handle_t proc = fx_take(PA_HND(PA_PROC_SELF, 0));
  zx_handle_t thread = fx_take(PA_HND(PA_THREAD_SELF, 0));
  zx_handle_t root = fx_take(PA_HND(PA_VMAR_ROOT, 0));
  zx_handle_t loaded = fx_take(PA_HND(PA_VMAR_LOADED, 0));
  FX_CHECK(proc && thread && root && loaded);

  /* ---- what the loader did */
  FX_CHECK(fx_streq(words_ptr[2], "two"));
  FX_CHECK(fx_streq(((const char* volatile*)words)[3], "three"));
  FX_CHECK_EQ(debug_write_ptr("calls: relocations ok\n", 22), ZX_OK);
  /* An address taken in code: a GOT entry (R_X86_64_GLOB_DAT). */
  zx_status_t (*volatile close_fn)(zx_handle_t) = zx_handle_close;
  FX_CHECK_EQ(close_fn(ZX_HANDLE_INVALID), ZX_OK);
  void (*volatile weak_fn)(void) = zx_weak_and_missing;
  FX_CHECK(weak_fn == 0);
  FX_CHECK_EQ(counter, 5);
  counter++;
  FX_CHECK_EQ(counter, 6);
  for (size_t i = 0; i < sizeof(big_bss); i += 4096 - 1) FX_CHECK_EQ(big_bss[i], 0);
  big_bss[sizeof(big_bss) - 1] = 7;
  FX_CHECK_EQ(big_bss[sizeof(big_bss) - 1], 7);

  /* ---- the thread pointer: ZX_PROP_REGISTER_FS/GS on the caller's own thread (libc's TLS) */
  {
    static uint64_t tls_block[4] = {0x1122334455667788ull, 0, 0, 0};
    uintptr_t fs = 0, want = (uintptr_t)tls_block;
    FX_CHECK_EQ(zx_object_get_property(thread, ZX_PROP_REGISTER_FS, &fs, sizeof(fs)), ZX_OK);
    FX_CHECK_EQ(fs, 0); /* threads start with FS base 0 */
    FX_CHECK_EQ(zx_object_set_property(thread, ZX_PROP_REGISTER_FS, &want, sizeof(want)), ZX_OK);
    FX_CHECK_EQ(zx_object_get_property(thread, ZX_PROP_REGISTER_FS, &fs, sizeof(fs)), ZX_OK);
    FX_CHECK_EQ(fs, want);
    uint64_t through_fs;
    __asm__ volatile("mov %%fs:0, %0" : "=r"(through_fs));
    FX_CHECK_EQ(through_fs, 0x1122334455667788ull);
    uintptr_t gs = want + 8;
    FX_CHECK_EQ(zx_object_set_property(thread, ZX_PROP_REGISTER_GS, &gs, sizeof(gs)), ZX_OK);
    gs = 0;
    FX_CHECK_EQ(zx_object_get_property(thread, ZX_PROP_REGISTER_GS, &gs, sizeof(gs)), ZX_OK);
    FX_CHECK_EQ(gs, want + 8);
    uintptr_t bad = 0x800000000000ull; /* not canonical */
    FX_CHECK_EQ(zx_object_set_property(thread, ZX_PROP_REGISTER_FS, &bad, sizeof(bad)),
                ZX_ERR_INVALID_ARGS);
    bad = 0xffff800000000000ull; /* canonical, but the kernel's half */
    FX_CHECK_EQ(zx_object_set_property(thread, ZX_PROP_REGISTER_GS, &bad, sizeof(bad)),
                ZX_ERR_INVALID_ARGS);
    FX_CHECK_EQ(zx_object_set_property(thread, ZX_PROP_REGISTER_FS, &want, 4),
                ZX_ERR_BUFFER_TOO_SMALL);
    /* Only the caller's own thread. */
    FX_CHECK_EQ(zx_object_set_property(proc, ZX_PROP_REGISTER_FS, &want, sizeof(want)),
                ZX_ERR_WRONG_TYPE);
    FX_CHECK_EQ(debug_write_ptr("calls: fs/gs ok\n", 16), ZX_OK);
  }

  /* ---- channels: bytes and a handle travel */
  zx_handle_t c0, c1, ev;
  FX_CHECK_EQ(zx_channel_create(0, &c0, &c1), ZX_OK);
  FX_CHECK_EQ(zx_event_create(0, &ev), ZX_OK);
  FX_CHECK_EQ(zx_channel_write(c0, 0, "ping", 4, &ev, 1), ZX_OK);
  FX_CHECK_EQ(zx_handle_close(ev), ZX_ERR_BAD_HANDLE); /* it moved into the channel */
  char buf[16];
  zx_handle_t got = 0;
  uint32_t nb = 0, nh = 0;
  FX_CHECK_EQ(zx_channel_read(c1, 0, buf, &got, sizeof(buf), 1, &nb, &nh), ZX_OK);
  FX_CHECK_EQ(nb, 4);
  FX_CHECK_EQ(nh, 1);
  FX_CHECK(memcmp(buf, "ping", 4) == 0);
  FX_CHECK_EQ(fx_type(got), ZX_OBJ_TYPE_EVENT);

  /* ---- events and waits */
  zx_signals_t obs = 0;
  FX_CHECK_EQ(zx_object_wait_one(got, ZX_EVENT_SIGNALED, 0, &obs), ZX_ERR_TIMED_OUT);
  FX_CHECK_EQ(zx_object_signal(got, 0, ZX_EVENT_SIGNALED), ZX_OK);
  FX_CHECK_EQ(zx_object_wait_one(got, ZX_EVENT_SIGNALED, ZX_TIME_INFINITE, &obs), ZX_OK);
  FX_CHECK(obs & ZX_EVENT_SIGNALED);
  FX_CHECK_EQ(zx_handle_close(got), ZX_OK);
  FX_CHECK_EQ(zx_handle_close(c0), ZX_OK);
  FX_CHECK_EQ(zx_object_wait_one(c1, ZX_CHANNEL_PEER_CLOSED, ZX_TIME_INFINITE, &obs), ZX_OK);
  FX_CHECK_EQ(zx_handle_close(c1), ZX_OK);

  /* ---- VMOs */
  zx_handle_t vmo;
  FX_CHECK_EQ(zx_vmo_create(3 * 4096, 0, &vmo), ZX_OK);
  uint64_t size = 0;
  FX_CHECK_EQ(zx_vmo_get_size(vmo, &size), ZX_OK);
  FX_CHECK_EQ(size, 3 * 4096);
  FX_CHECK_EQ(zx_vmo_write(vmo, "abcdef", 4096, 6), ZX_OK);
  FX_CHECK_EQ(zx_vmo_read(vmo, buf, 4097, 3), ZX_OK);
  FX_CHECK(memcmp(buf, "bcd", 3) == 0);

  /* ---- VMARs: map, see the bytes, write through the mapping, unmap */
  zx_vaddr_t addr = 0;
  FX_CHECK_EQ(zx_vmar_map(root, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, 3 * 4096, &addr),
              ZX_OK);
  volatile char* p = (volatile char*)addr;
  FX_CHECK_EQ(p[4096], 'a');
  FX_CHECK_EQ(p[0], 0);
  p[8192] = 'Z';
  FX_CHECK_EQ(zx_vmo_read(vmo, buf, 8192, 1), ZX_OK);
  FX_CHECK_EQ(buf[0], 'Z');
  FX_CHECK_EQ(zx_vmar_unmap(root, addr, 3 * 4096), ZX_OK);
  /* A sub-VMAR, a specific mapping in it, and its destruction. */
  zx_handle_t sub;
  zx_vaddr_t sub_addr;
  FX_CHECK_EQ(zx_vmar_allocate(root, ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_SPECIFIC, 0, 16 * 4096,
                               &sub, &sub_addr),
              ZX_OK);
  FX_CHECK_EQ(zx_vmar_map(sub, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, 4 * 4096, vmo, 4096, 4096, &addr),
              ZX_OK);
  FX_CHECK_EQ(addr, sub_addr + 4 * 4096);
  FX_CHECK_EQ(((volatile char*)addr)[2], 'c');
  FX_CHECK_EQ(zx_vmar_map(sub, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, 4096, &addr),
              ZX_ERR_ACCESS_DENIED);
  FX_CHECK_EQ(zx_vmar_destroy(sub), ZX_OK);
  FX_CHECK_EQ(zx_handle_close(sub), ZX_OK);
  FX_CHECK_EQ(zx_handle_close(vmo), ZX_OK);

  /* ---- the vDSO: where arg2 says, and its code mapping can never be removed */
  uintptr_t prop = 0;
  FX_CHECK_EQ(zx_object_get_property(proc, ZX_PROP_PROCESS_VDSO_BASE_ADDRESS, &prop, sizeof(prop)),
              ZX_OK);
  FX_CHECK_EQ(prop, vdso_base);
  const ehdr_t* eh = (const ehdr_t*)vdso_base;
  FX_CHECK(memcmp(eh->e_ident, "\177ELF", 4) == 0);
  const phdr_t* ph = (const phdr_t*)(vdso_base + eh->e_phoff);
  uint64_t code_off = 0, code_len = 0;
  for (unsigned i = 0; i < eh->e_phnum; i++)
    if (ph[i].p_type == 1 /* PT_LOAD */ && (ph[i].p_flags & 1 /* PF_X */)) {
      code_off = ph[i].p_vaddr;
      code_len = (ph[i].p_memsz + 4095) & ~4095ull;
    }
  FX_CHECK(code_off != 0 && code_len != 0);
  FX_CHECK_EQ(zx_vmar_unmap(root, vdso_base + code_off, code_len), ZX_ERR_ACCESS_DENIED);
  /* A second executable mapping of the vDSO's code is refused. */
  zx_handle_t vdso_vmo = fx_take(PA_HND(PA_VMO_VDSO, 0));
  FX_CHECK(vdso_vmo != ZX_HANDLE_INVALID);
  FX_CHECK_EQ(zx_vmar_map(root, ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE, 0, vdso_vmo, code_off,
                          code_len, &addr),
              ZX_ERR_ACCESS_DENIED);
  /* The code still runs. */
  FX_CHECK(zx_clock_get_monotonic() > 0);
  FX_CHECK_EQ(zx_nanosleep(zx_deadline_after(ZX_MSEC(1))), ZX_OK);
  uint64_t rnd[4] = {0, 0, 0, 0};
  zx_cprng_draw(rnd, sizeof(rnd));
  FX_CHECK(rnd[0] | rnd[1] | rnd[2] | rnd[3]);

  /* ---- process and thread info */
  zx_info_process_t pi;
  FX_CHECK_EQ(zx_object_get_info(proc, ZX_INFO_PROCESS, &pi, sizeof(pi), NULL, NULL), ZX_OK);
  FX_CHECK(pi.flags & ZX_INFO_PROCESS_FLAG_STARTED);
  FX_CHECK(!(pi.flags & ZX_INFO_PROCESS_FLAG_EXITED));
  FX_CHECK(pi.start_time > 0);
  zx_info_thread_t ti;
  FX_CHECK_EQ(zx_object_get_info(thread, ZX_INFO_THREAD, &ti, sizeof(ti), NULL, NULL), ZX_OK);
  FX_CHECK_EQ(ti.state, ZX_THREAD_STATE_RUNNING);
  char name[ZX_MAX_NAME_LEN];
  FX_CHECK_EQ(zx_object_get_property(proc, ZX_PROP_NAME, name, sizeof(name)), ZX_OK);
  FX_CHECK(fx_streq(name, "calls.elf"));

  fx_puts("calls: ok\n");
  zx_process_exit(0);
}
