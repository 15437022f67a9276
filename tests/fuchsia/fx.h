/* A tiny freestanding runtime for zum's Fuchsia-ABI test programs (the .c files beside it).
 *
 * These programs are built with clang --target=x86_64-unknown-fuchsia, no libc, no Fuchsia
 * sysroot, linked only against zum's vDSO (libzircon.so), and started by zum-launch as pure
 * Zircon processes: _start(bootstrap, vdso_base) reads the processargs message and everything
 * else is zx_* calls. Output goes through zx_debug_write. Include this header from exactly one
 * file per program. */
#ifndef ZUM_TESTS_FUCHSIA_FX_H_
#define ZUM_TESTS_FUCHSIA_FX_H_

#include <stddef.h>
#include <stdint.h>
#include <zircon/processargs.h>
#include <zircon/syscalls.h>

/* The compiler may emit calls to these even in freestanding code. */
__attribute__((used)) void* memset(void* d, int c, size_t n) {
  volatile unsigned char* p = d;
  while (n--) *p++ = (unsigned char)c;
  return d;
}
__attribute__((used)) void* memcpy(void* d, const void* s, size_t n) {
  volatile unsigned char* p = d;
  const unsigned char* q = s;
  while (n--) *p++ = *q++;
  return d;
}
__attribute__((used)) int memcmp(const void* a, const void* b, size_t n) {
  const unsigned char *p = a, *q = b;
  for (; n; n--, p++, q++)
    if (*p != *q) return *p - *q;
  return 0;
}
static inline size_t fx_strlen(const char* s) {
  size_t n = 0;
  while (s[n]) n++;
  return n;
}
static inline int fx_streq(const char* a, const char* b) {
  while (*a && *a == *b) a++, b++;
  return *a == *b;
}

/* ---- output: a line buffer flushed with zx_debug_write */
static char fx_line[512];
static size_t fx_len;

static inline void fx_flush(void) {
  if (fx_len) zx_debug_write(fx_line, fx_len);
  fx_len = 0;
}
static inline void fx_putc(char c) {
  if (fx_len == sizeof(fx_line)) fx_flush();
  fx_line[fx_len++] = c;
  if (c == '\n') fx_flush();
}
static inline void fx_puts(const char* s) {
  while (*s) fx_putc(*s++);
}
static inline void fx_hex(uint64_t v) {
  fx_puts("0x");
  int started = 0;
  for (int i = 60; i >= 0; i -= 4) {
    unsigned d = (v >> i) & 15;
    if (d || started || i == 0) {
      fx_putc("0123456789abcdef"[d]);
      started = 1;
    }
  }
}
static inline void fx_dec(int64_t v) {
  char b[24];
  int n = 0;
  uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  do b[n++] = (char)('0' + u % 10); while (u /= 10);
  if (v < 0) fx_putc('-');
  while (n) fx_putc(b[--n]);
}

/* ---- checks: a failure prints the line and ends the process with return code 1 */
static __attribute__((noreturn)) void fx_fail(const char* file, int line, const char* what,
                                              int64_t a, int64_t b) {
  fx_flush();
  fx_puts(file);
  fx_putc(':');
  fx_dec(line);
  fx_puts(": CHECK failed: ");
  fx_puts(what);
  fx_puts(" (");
  fx_dec(a);
  fx_puts(" vs ");
  fx_dec(b);
  fx_puts(")\n");
  zx_process_exit(1);
}
#define FX_CHECK(c) \
  do {              \
    if (!(c)) fx_fail(__FILE__, __LINE__, #c, 0, 0); \
  } while (0)
#define FX_CHECK_EQ(a, b)                                                     \
  do {                                                                        \
    int64_t a_ = (int64_t)(a), b_ = (int64_t)(b);                             \
    if (a_ != b_) fx_fail(__FILE__, __LINE__, #a " == " #b, a_, b_);          \
  } while (0)

/* ---- the processargs bootstrap message */
#define FX_MAX_HANDLES 16
#define FX_MAX_ARGS 32
/* A message is at most ZX_CHANNEL_MAX_MSG_BYTES; an environment entry takes at least 2 bytes. */
#define FX_MAX_ENV (ZX_CHANNEL_MAX_MSG_BYTES / 2)

struct fx_startup {
  zx_handle_t bootstrap;
  uintptr_t vdso_base;
  zx_handle_t handles[FX_MAX_HANDLES];
  uint32_t info[FX_MAX_HANDLES];
  uint32_t num_handles;
  int argc;
  const char* argv[FX_MAX_ARGS];
  int envc;
  const char* envp[FX_MAX_ENV];
  char bytes[ZX_CHANNEL_MAX_MSG_BYTES];
};

static struct fx_startup fx_start;

/* Points out[0..num) at the NUL-terminated strings at bytes[off...], all inside [0, size). */
static inline void fx_strings(const char* bytes, uint32_t size, uint32_t off, uint32_t num,
                              const char** out) {
  FX_CHECK(num == 0 || off <= size);
  for (uint32_t i = 0; i < num; i++) {
    FX_CHECK(off < size);
    out[i] = bytes + off;
    while (off < size && bytes[off]) off++;
    FX_CHECK(off < size); /* NUL-terminated inside the message */
    off++;
  }
}

/* Reads the bootstrap message the Zircon way: first with no buffers, which must fail with
 * ZX_ERR_BUFFER_TOO_SMALL, report the sizes and leave the message queued; then for real. */
static inline void fx_read_bootstrap(zx_handle_t bootstrap, uintptr_t vdso_base) {
  struct fx_startup* s = &fx_start;
  s->bootstrap = bootstrap;
  s->vdso_base = vdso_base;
  FX_CHECK(bootstrap != ZX_HANDLE_INVALID);
  uint32_t nbytes = 0, nhandles = 0;
  FX_CHECK_EQ(zx_channel_read(bootstrap, 0, NULL, NULL, 0, 0, &nbytes, &nhandles),
              ZX_ERR_BUFFER_TOO_SMALL);
  FX_CHECK(nbytes >= sizeof(zx_proc_args_t) && nbytes <= sizeof(s->bytes));
  FX_CHECK(nhandles >= 1 && nhandles <= FX_MAX_HANDLES);
  uint32_t got_bytes = 0, got_handles = 0;
  FX_CHECK_EQ(zx_channel_read(bootstrap, 0, s->bytes, s->handles, sizeof(s->bytes),
                              FX_MAX_HANDLES, &got_bytes, &got_handles),
              ZX_OK);
  FX_CHECK_EQ(got_bytes, nbytes);
  FX_CHECK_EQ(got_handles, nhandles);
  s->num_handles = got_handles;
  /* One message only: the channel is empty now. */
  FX_CHECK_EQ(zx_channel_read(bootstrap, 0, NULL, NULL, 0, 0, NULL, NULL), ZX_ERR_PEER_CLOSED);

  zx_proc_args_t h;
  memcpy(&h, s->bytes, sizeof(h));
  FX_CHECK_EQ(h.protocol, ZX_PROCARGS_PROTOCOL);
  FX_CHECK_EQ(h.version, ZX_PROCARGS_VERSION);
  FX_CHECK(h.handle_info_off >= sizeof(h) && h.handle_info_off % 4 == 0 &&
           h.handle_info_off + 4 * got_handles <= got_bytes);
  memcpy(s->info, s->bytes + h.handle_info_off, 4 * got_handles);
  FX_CHECK(h.args_num <= FX_MAX_ARGS && h.environ_num <= FX_MAX_ENV);
  fx_strings(s->bytes, got_bytes, h.args_off, h.args_num, s->argv);
  fx_strings(s->bytes, got_bytes, h.environ_off, h.environ_num, s->envp);
  s->argc = (int)h.args_num;
  s->envc = (int)h.environ_num;
}

/* The value of environment variable `name` the bootstrap message carried, or NULL. */
static inline const char* fx_getenv(const char* name) {
  size_t n = fx_strlen(name);
  for (int i = 0; i < fx_start.envc; i++) {
    const char* e = fx_start.envp[i];
    if (memcmp(e, name, n) == 0 && e[n] == '=') return e + n + 1;
  }
  return 0;
}

/* Takes the startup handle tagged exactly `info` (ZX_HANDLE_INVALID if none). */
static inline zx_handle_t fx_take(uint32_t info) {
  for (uint32_t i = 0; i < fx_start.num_handles; i++) {
    if (fx_start.info[i] == info && fx_start.handles[i] != ZX_HANDLE_INVALID) {
      zx_handle_t h = fx_start.handles[i];
      fx_start.handles[i] = ZX_HANDLE_INVALID;
      return h;
    }
  }
  return ZX_HANDLE_INVALID;
}

static inline zx_obj_type_t fx_type(zx_handle_t h) {
  zx_info_handle_basic_t b;
  if (zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &b, sizeof(b), NULL, NULL) != ZX_OK) return 0;
  return b.type;
}

static inline int64_t fx_atoi(const char* s) {
  int neg = *s == '-';
  if (neg) s++;
  int64_t v = 0;
  while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0');
  return neg ? -v : v;
}

#endif
