/* A Fuchsia-ABI program whose PT_INTERP is ld.so.1, started by zum-launch through a sysroot's
 * dynamic linker (the tests use tests/fuchsia/ldso.c as that linker). It needs libfxdep.so
 * (DT_NEEDED), which comes from zum-launch's loader service.
 *
 *   dyn.elf [ARGS...]   checks libc's bootstrap message (the second one: THREAD_SELF,
 *                       PROC_SELF, VMAR_ROOT, JOB_DEFAULT, VMO_VDSO, VMO_STACK, and nothing for
 *                       the linker), calls into the library, prints its argv and the ZT_*
 *                       entries of its environment; an argument exit=N makes it exit with N
 *   dyn.elf ldsvc       makes loader-service requests, well-formed and hostile, on the
 *                       loader channel the test linker passes as the third argument */
#include "fx.h"

int fxdep_answer(void);
const char* fxdep_greeting(void);
uint64_t fxdep_ticks(void);

#define LOAD_OBJECT 0x48c5a151d6df2853ull
#define CONFIG 0x6a8a1a1464632841ull
#define CLONE 0x57e643a9ab6e4c29ull
#define DONE 0x63ba6b76d3671001ull

struct req {
  uint32_t txid;
  uint8_t flags[3], magic;
  uint64_t ordinal, size, present;
  char name[4096];
};
struct rsp {
  uint8_t header[16];
  int32_t rv;
  uint32_t present;
};

static struct req rq;

/* Sends a request with the string `name` (`len` bytes; the size field says `size`) in
 * `nbytes` bytes (0: the right size); returns the call's status, the reply's rv in *rv. */
static zx_status_t request(zx_handle_t ch, uint64_t ordinal, const char* name, uint64_t len,
                           uint64_t size, uint32_t nbytes, zx_status_t* rv, zx_handle_t* vmo) {
  memset(&rq, 0, sizeof(rq));
  rq.magic = 1;
  rq.ordinal = ordinal;
  rq.size = size;
  rq.present = UINT64_MAX;
  memcpy(rq.name, name, len);
  struct rsp r;
  zx_handle_t h = ZX_HANDLE_INVALID;
  zx_channel_call_args_t a = {
      .wr_bytes = &rq,
      .wr_num_bytes = nbytes ? nbytes : (uint32_t)((32 + len + 7) & ~7ull),
      .rd_bytes = &r,
      .rd_handles = &h,
      .rd_num_bytes = sizeof(r),
      .rd_num_handles = 1,
  };
  uint32_t nb = 0, nh = 0;
  zx_status_t s = zx_channel_call(ch, 0, zx_deadline_after(ZX_SEC(20)), &a, &nb, &nh);
  if (s == ZX_OK) {
    FX_CHECK_EQ(nb, sizeof(r));
    *rv = r.rv;
    FX_CHECK_EQ(r.present, nh ? UINT32_MAX : 0u);
    if (vmo) *vmo = h;
    else zx_handle_close(h);
  }
  return s;
}

static zx_status_t load(zx_handle_t ch, const char* name, zx_handle_t* vmo) {
  zx_status_t rv = ZX_ERR_INTERNAL;
  size_t n = fx_strlen(name);
  FX_CHECK_EQ(request(ch, LOAD_OBJECT, name, n, n, 0, &rv, vmo), ZX_OK);
  return rv;
}

static zx_status_t config(zx_handle_t ch, const char* name) {
  zx_status_t rv = ZX_ERR_INTERNAL;
  size_t n = fx_strlen(name);
  FX_CHECK_EQ(request(ch, CONFIG, name, n, n, 0, &rv, 0), ZX_OK);
  return rv;
}

/* A new connection through Clone. */
static zx_handle_t clone(zx_handle_t ch) {
  zx_handle_t a, b;
  FX_CHECK_EQ(zx_channel_create(0, &a, &b), ZX_OK);
  struct {
    uint32_t txid;
    uint8_t flags[3], magic;
    uint64_t ordinal;
    uint32_t handle, pad;
  } m = {.magic = 1, .ordinal = CLONE, .handle = UINT32_MAX};
  struct rsp r;
  zx_channel_call_args_t args = {.wr_bytes = &m, .wr_handles = &b, .wr_num_bytes = sizeof(m),
                                 .wr_num_handles = 1, .rd_bytes = &r, .rd_num_bytes = sizeof(r)};
  uint32_t nb, nh;
  FX_CHECK_EQ(zx_channel_call(ch, 0, ZX_TIME_INFINITE, &args, &nb, &nh), ZX_OK);
  FX_CHECK_EQ(r.rv, ZX_OK);
  return a;
}

static void ldsvc_checks(zx_handle_t loader) {
  FX_CHECK(loader != ZX_HANDLE_INVALID);
  zx_handle_t vmo = ZX_HANDLE_INVALID;
  FX_CHECK_EQ(load(loader, "libfxdep.so", &vmo), ZX_OK);
  char name[ZX_MAX_NAME_LEN] = {0};
  FX_CHECK_EQ(zx_object_get_property(vmo, ZX_PROP_NAME, name, sizeof(name)), ZX_OK);
  FX_CHECK(fx_streq(name, "libfxdep.so"));
  zx_info_handle_basic_t b;
  FX_CHECK_EQ(zx_object_get_info(vmo, ZX_INFO_HANDLE_BASIC, &b, sizeof(b), 0, 0), ZX_OK);
  FX_CHECK_EQ(b.type, ZX_OBJ_TYPE_VMO);
  FX_CHECK(b.rights & ZX_RIGHT_EXECUTE);
  zx_handle_close(vmo);
  fx_puts("ldsvc: LoadObject libfxdep.so: ZX_OK, an executable VMO named libfxdep.so\n");

  static const char* const bad[] = {"../fuchsia/libfxdep.so", "..", ".", "/etc/passwd",
                                    "sub/libfxdep.so", ""};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    FX_CHECK_EQ(load(loader, bad[i], 0), ZX_ERR_INVALID_ARGS);
  zx_status_t rv;
  FX_CHECK_EQ(request(loader, LOAD_OBJECT, "libfxdep.so\0x", 13, 13, 0, &rv, 0), ZX_OK);
  FX_CHECK_EQ(rv, ZX_ERR_INVALID_ARGS);
  fx_puts("ldsvc: names with '/', '.', '..', NUL or nothing: ZX_ERR_INVALID_ARGS\n");

  FX_CHECK_EQ(load(loader, "libnonexistent.so", 0), ZX_ERR_NOT_FOUND);
  static char longname[992];
  memset(longname, 'a', 991);
  FX_CHECK_EQ(load(loader, longname, 0), ZX_ERR_NOT_FOUND);
  fx_puts("ldsvc: unknown names: ZX_ERR_NOT_FOUND\n");

  /* Config on a clone: the first connection keeps its own (empty) prefix. */
  zx_handle_t c = clone(loader);
  FX_CHECK_EQ(config(c, ".."), ZX_ERR_INVALID_ARGS);
  FX_CHECK_EQ(config(c, "../x"), ZX_ERR_INVALID_ARGS);
  FX_CHECK_EQ(config(c, "x/"), ZX_ERR_INVALID_ARGS);
  FX_CHECK_EQ(config(c, "..!"), ZX_ERR_INVALID_ARGS);
  FX_CHECK_EQ(config(c, "sub"), ZX_OK);
  FX_CHECK_EQ(load(c, "libfxdep.so", 0), ZX_OK);
  FX_CHECK_EQ(config(c, "sub!"), ZX_OK);
  FX_CHECK_EQ(load(c, "libfxdep.so", 0), ZX_ERR_NOT_FOUND);
  FX_CHECK_EQ(load(loader, "libfxdep.so", 0), ZX_OK);
  fx_puts("ldsvc: Config: bad prefixes refused, prefix then fallback, exclusive prefix\n");

  /* Requests that break the format close their connection (as a FIDL server does). */
  FX_CHECK_EQ(request(c, LOAD_OBJECT, "libfxdep.so", 11, 5000, 0, &rv, 0), ZX_ERR_PEER_CLOSED);
  c = clone(loader);
  FX_CHECK_EQ(request(c, LOAD_OBJECT, "libfxdep.so", 11, UINT64_MAX, 0, &rv, 0),
              ZX_ERR_PEER_CLOSED);
  c = clone(loader);
  memset(longname, 'b', sizeof(longname));
  FX_CHECK_EQ(request(c, LOAD_OBJECT, longname, sizeof(longname), sizeof(longname), 0, &rv, 0),
              ZX_ERR_PEER_CLOSED);
  c = clone(loader);
  FX_CHECK_EQ(request(c, LOAD_OBJECT, "x", 1, 1, 4000, &rv, 0), ZX_ERR_PEER_CLOSED);
  c = clone(loader);
  FX_CHECK_EQ(request(c, 0x1234, "x", 1, 1, 0, &rv, 0), ZX_ERR_PEER_CLOSED);
  c = clone(loader);
  FX_CHECK_EQ(request(c, LOAD_OBJECT, "x", 1, 1, 12, &rv, 0), ZX_ERR_PEER_CLOSED);
  fx_puts("ldsvc: huge, short, oversized and unknown requests close their connection\n");

  /* Connections are bounded: Clone answers ZX_ERR_NO_RESOURCES past the limit. */
  zx_handle_t many[40];
  int nmany = 0;
  zx_status_t crv = ZX_OK;
  while (nmany < 40) {
    zx_handle_t a, bb;
    FX_CHECK_EQ(zx_channel_create(0, &a, &bb), ZX_OK);
    struct {
      uint32_t txid;
      uint8_t flags[3], magic;
      uint64_t ordinal;
      uint32_t handle, pad;
    } m = {.magic = 1, .ordinal = CLONE, .handle = UINT32_MAX};
    struct rsp r;
    zx_channel_call_args_t args = {.wr_bytes = &m, .wr_handles = &bb, .wr_num_bytes = sizeof(m),
                                   .wr_num_handles = 1, .rd_bytes = &r,
                                   .rd_num_bytes = sizeof(r)};
    uint32_t nb, nh;
    FX_CHECK_EQ(zx_channel_call(loader, 0, ZX_TIME_INFINITE, &args, &nb, &nh), ZX_OK);
    many[nmany++] = a;
    crv = r.rv;
    if (crv != ZX_OK) break;
  }
  FX_CHECK_EQ(crv, ZX_ERR_NO_RESOURCES);
  FX_CHECK(nmany <= 32);
  for (int i = 0; i < nmany; i++) zx_handle_close(many[i]);
  fx_puts("ldsvc: Clone past the connection limit: ZX_ERR_NO_RESOURCES\n");

  /* Done ends a connection without a reply. */
  c = clone(loader);
  uint8_t done[16] = {0};
  done[7] = 1;
  uint64_t ord = DONE;
  memcpy(done + 8, &ord, 8);
  FX_CHECK_EQ(zx_channel_write(c, 0, done, sizeof(done), 0, 0), ZX_OK);
  FX_CHECK_EQ(zx_object_wait_one(c, ZX_CHANNEL_PEER_CLOSED, zx_deadline_after(ZX_SEC(20)), 0),
              ZX_OK);
  zx_handle_close(c);
  FX_CHECK_EQ(load(loader, "libfxdep.so", 0), ZX_OK);
  fx_puts("ldsvc: Done closes; the first connection still serves\n");
}

static void check_handles(void) {
  static const struct {
    uint32_t info; /* the handle-info word: type and argument */
    zx_obj_type_t obj;
  } want[] = {{PA_THREAD_SELF, ZX_OBJ_TYPE_THREAD}, {PA_PROC_SELF, ZX_OBJ_TYPE_PROCESS},
              {PA_VMAR_ROOT, ZX_OBJ_TYPE_VMAR},     {PA_JOB_DEFAULT, ZX_OBJ_TYPE_JOB},
              {PA_VMO_VDSO, ZX_OBJ_TYPE_VMO},       {PA_VMO_STACK, ZX_OBJ_TYPE_VMO},
              /* stdio sockets and the UTC clock go to libc too (fdio and time() use them) */
              {PA_HND(PA_FD, 0), ZX_OBJ_TYPE_SOCKET}, {PA_HND(PA_FD, 1), ZX_OBJ_TYPE_SOCKET},
              {PA_HND(PA_FD, 2), ZX_OBJ_TYPE_SOCKET}, {PA_CLOCK_UTC, ZX_OBJ_TYPE_CLOCK}};
  for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
    zx_handle_t h = fx_take(want[i].info);
    FX_CHECK(h != ZX_HANDLE_INVALID);
    FX_CHECK_EQ(fx_type(h), want[i].obj);
  }
  /* Everything left over is unexpected (the linker's handles went to the first message). */
  for (uint32_t i = 0; i < fx_start.num_handles; i++)
    FX_CHECK_EQ(fx_start.handles[i], ZX_HANDLE_INVALID);
}

__attribute__((noreturn)) void _start(zx_handle_t bootstrap, uintptr_t vdso_base,
                                      zx_handle_t loader) {
  fx_read_bootstrap(bootstrap, vdso_base);
  check_handles();
  fx_puts("dyn: handles ok\n");
  FX_CHECK_EQ(fxdep_answer(), 42);
  FX_CHECK(fxdep_ticks() != 0);
  fx_puts("dyn: library says ");
  fx_puts(fxdep_greeting());
  fx_putc('\n');
  int code = 0;
  for (int i = 0; i < fx_start.argc; i++) {
    const char* a = fx_start.argv[i];
    fx_puts("dyn: argv[");
    fx_dec(i);
    fx_puts("]=");
    fx_puts(a);
    fx_putc('\n');
    if (memcmp(a, "exit=", 5) == 0) code = (int)fx_atoi(a + 5);
  }
  fx_puts("dyn: argc=");
  fx_dec(fx_start.argc);
  fx_puts(" envc=");
  fx_dec(fx_start.envc);
  fx_putc('\n');
  for (int i = 0; i < fx_start.envc; i++) {
    if (memcmp(fx_start.envp[i], "ZT_", 3) != 0) continue;
    fx_puts("dyn: env ");
    fx_puts(fx_start.envp[i]);
    fx_putc('\n');
  }
  if (fx_start.argc > 1 && fx_streq(fx_start.argv[1], "ldsvc")) ldsvc_checks(loader);
  fx_flush();
  zx_process_exit(code);
}
