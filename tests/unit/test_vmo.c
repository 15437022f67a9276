/* Unit tests: VMOs (kobj/vmo.c, kobj/sys_vmo.c, mm/vmo.c over real memfds, host/sv/memfd.c), their
 * properties and ZX_INFO_VMO. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <zircon/syscalls/object.h>
#include <zum/sysno.h>

#include "kobj/handle.h"
#include "kobj/sysutil.h"
#include "kobj/vmo.h"
#include "mm/vmo.h"
#include "tests/unit/fake_host.h"

/* The ABI records, checked against Zircon's layout. */
_Static_assert(sizeof(zx_info_vmo_t) == 176, "zx_info_vmo_t");
_Static_assert(sizeof(zx_info_vmo_v1_t) == 104, "zx_info_vmo_v1_t");
_Static_assert(sizeof(zx_info_vmo_v2_t) == 120, "zx_info_vmo_v2_t");
_Static_assert(sizeof(zx_info_vmo_v3_t) == 128, "zx_info_vmo_v3_t");
_Static_assert(offsetof(zx_info_vmo_t, flags) == 80, "flags");
_Static_assert(offsetof(zx_info_vmo_t, committed_bytes) == 88, "committed_bytes");
_Static_assert(offsetof(zx_info_vmo_t, handle_rights) == 96, "handle_rights");
_Static_assert(offsetof(zx_info_vmo_t, cache_policy) == 100, "cache_policy");
_Static_assert(offsetof(zx_info_vmo_t, populated_bytes) == 120, "populated_bytes");
_Static_assert(offsetof(zx_info_vmo_t, populated_fractional_scaled_bytes) == 168, "last");
_Static_assert(sizeof(zx_vmo_lock_state_t) == 32, "zx_vmo_lock_state_t");

#define PG 4096u

static struct kproc* P;
static struct kthread* T;

static int setup(void** state) {
  fake_boot();
  P = fake_process(NULL);
  T = fake_thread(P);
  return 0;
}

static int teardown(void** state) {
  kproc_on_exit(P, 0);
  kobj_unref(&P->base);
  assert_int_equal(khandle_live_count(), 0);
  return 0;
}

static zx_handle_t make_vmo(uint64_t size, uint32_t options) {
  zx_handle_t h = 0;
  assert_int_equal(FAKE(T, vmo_create, size, options, U(&h)), ZX_OK);
  return h;
}

static struct khandle* hnd(zx_handle_t h) {
  struct khandle* k = khandle_lookup(P->table, h);
  assert_non_null(k);
  return k;
}

static struct kvmo* vmo(zx_handle_t h) { return to_kvmo(hnd(h)->obj); }

static zx_handle_t dup_h(zx_handle_t h, zx_rights_t rights) {
  zx_handle_t d = 0;
  assert_int_equal(FAKE(T, handle_duplicate, h, rights, U(&d)), ZX_OK);
  return d;
}

static uint64_t get_size(zx_handle_t h) {
  uint64_t s = 0xdead;
  assert_int_equal(FAKE(T, vmo_get_size, h, U(&s)), ZX_OK);
  return s;
}

static uint64_t stream_size(zx_handle_t h) {
  uint64_t s = 0xdead;
  assert_int_equal(FAKE(T, vmo_get_stream_size, h, U(&s)), ZX_OK);
  return s;
}

static zx_info_vmo_t info(zx_handle_t h) {
  zx_info_vmo_t i;
  memset(&i, 0xcc, sizeof(i));
  assert_int_equal(FAKE(T, object_get_info, h, ZX_INFO_VMO, U(&i), sizeof(i), 0, 0), ZX_OK);
  return i;
}

static void fill(zx_handle_t h, uint64_t off, size_t len, uint8_t byte) {
  uint8_t* b = malloc(len);
  memset(b, byte, len);
  assert_int_equal(FAKE(T, vmo_write, h, U(b), off, len), ZX_OK);
  free(b);
}

/* True when [off, off+len) of the VMO holds `byte` everywhere. */
static bool all(zx_handle_t h, uint64_t off, size_t len, uint8_t byte) {
  uint8_t* b = malloc(len);
  memset(b, byte ^ 0x5a, len);
  assert_int_equal(FAKE(T, vmo_read, h, U(b), off, len), ZX_OK);
  bool ok = true;
  for (size_t i = 0; i < len; i++) ok = ok && b[i] == byte;
  free(b);
  return ok;
}

static int64_t op(zx_handle_t h, uint32_t o, uint64_t off, uint64_t len) {
  return FAKE(T, vmo_op_range, h, o, off, len, 0, 0);
}

/* ---- creation */

static void test_create_sizes(void** state) {
  zx_handle_t h = make_vmo(0, 0);
  assert_int_equal(get_size(h), 0);
  assert_int_equal(stream_size(h), 0);
  assert_int_equal(FAKE(T, handle_close, h), ZX_OK);

  h = make_vmo(1, 0);
  assert_int_equal(get_size(h), PG);
  assert_int_equal(stream_size(h), 1); /* the unrounded size */
  assert_int_equal(FAKE(T, handle_close, h), ZX_OK);

  h = make_vmo(3 * PG, 0);
  assert_int_equal(get_size(h), 3 * PG);
  assert_int_equal(stream_size(h), 3 * PG);
  assert_int_equal(FAKE(T, handle_close, h), ZX_OK);

  /* Rounding overflows: OUT_OF_RANGE, even before a bad option is noticed. */
  zx_handle_t x = 0;
  assert_int_equal(FAKE(T, vmo_create, UINT64_MAX, 0, U(&x)), ZX_ERR_OUT_OF_RANGE);
  assert_int_equal(FAKE(T, vmo_create, UINT64_MAX - 100, 1u << 0, U(&x)), ZX_ERR_OUT_OF_RANGE);
  /* Rounds fine but exceeds Zircon's largest VMO. */
  assert_int_equal(FAKE(T, vmo_create, MM_VMO_MAX_SIZE + 1, 0, U(&x)), ZX_ERR_OUT_OF_RANGE);
  assert_int_equal(FAKE(T, vmo_create, 0xFFFFFFFFFFFF0000ull, 0, U(&x)), ZX_ERR_OUT_OF_RANGE);
  assert_int_equal(x, 0);
  assert_int_equal(P->table->count, 0);
}

static void test_create_options(void** state) {
  zx_handle_t x = 0;
  assert_int_equal(FAKE(T, vmo_create, PG, 1u << 0, U(&x)), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, vmo_create, PG, ZX_VMO_TRAP_DIRTY, U(&x)), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, vmo_create, PG, 1u << 5, U(&x)), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, vmo_create, PG, ZX_VMO_RESIZABLE | ZX_VMO_UNBOUNDED, U(&x)),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(P->table->count, 0);

  /* Plain: default rights, no RESIZE; ZX_VMO_ZERO_CHILDREN asserted. */
  zx_handle_t h = make_vmo(PG, 0);
  assert_int_equal(hnd(h)->rights, ZX_DEFAULT_VMO_RIGHTS);
  assert_int_equal(hnd(h)->rights & ZX_RIGHT_EXECUTE, 0);
  assert_true(hnd(h)->obj->signals & ZX_VMO_ZERO_CHILDREN);
  /* The signal is the kernel's: object_signal may not touch it. */
  assert_int_equal(FAKE(T, object_signal, h, ZX_VMO_ZERO_CHILDREN, 0), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, object_signal, h, 0, ZX_USER_SIGNAL_0), ZX_OK);
  assert_int_equal(FAKE(T, handle_close, h), ZX_OK);

  h = make_vmo(PG, ZX_VMO_RESIZABLE);
  assert_int_equal(hnd(h)->rights, ZX_DEFAULT_VMO_RIGHTS | ZX_RIGHT_RESIZE);
  assert_true(kvmo_resizable(vmo(h)));
  assert_int_equal(FAKE(T, handle_close, h), ZX_OK);

  h = make_vmo(PG, ZX_VMO_DISCARDABLE | ZX_VMO_RESIZABLE);
  assert_true(kvmo_discardable(vmo(h)));
  assert_int_equal(FAKE(T, handle_close, h), ZX_OK);

  /* UNBOUNDED: the largest size, the argument as content size. */
  h = make_vmo(100, ZX_VMO_UNBOUNDED);
  assert_int_equal(get_size(h), MM_VMO_MAX_SIZE);
  assert_int_equal(stream_size(h), 100);
  assert_int_equal(hnd(h)->rights, ZX_DEFAULT_VMO_RIGHTS);
  /* Far beyond what a memfd can hold: reads zeros, writes run out of memory. */
  uint8_t b[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  assert_int_equal(FAKE(T, vmo_read, h, U(b), MM_VMO_MAX_SIZE - 8, 8), ZX_OK);
  assert_int_equal(b[0] | b[7], 0);
  assert_int_equal(FAKE(T, vmo_write, h, U(b), MM_VMO_MAX_SIZE - 8, 8), ZX_ERR_NO_MEMORY);
  assert_int_equal(FAKE(T, vmo_write, h, U(b), 1ull << 40, 8), ZX_OK);
  assert_true(all(h, (1ull << 40), 8, 0));
  assert_int_equal(FAKE(T, handle_close, h), ZX_OK);
  /* A content size beyond the largest VMO. */
  assert_int_equal(FAKE(T, vmo_create, MM_VMO_MAX_SIZE + 1, ZX_VMO_UNBOUNDED, U(&x)),
                   ZX_ERR_OUT_OF_RANGE);

  /* A faulting out pointer leaves no handle behind. */
  assert_int_equal(FAKE(T, vmo_create, PG, 0, 8), ZX_ERR_INVALID_ARGS);
  assert_int_equal(P->table->count, 0);
}

/* ---- the backing store */

static zx_status_t failing_create(uint64_t size, int* fd) { return ZX_ERR_IO; }

static void test_backing(void** state) {
  /* Every VMO holds its memfd until its last reference goes. */
  zx_handle_t h = make_vmo(PG, 0);
  struct kvmo* v = vmo(h);
  int fd = kvmo_fd(v);
  assert_true(fd >= 0);
  assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
  kobj_ref((struct kobj*)v);
  assert_int_equal(FAKE(T, handle_close, h), ZX_OK);
  assert_true(fcntl(fd, F_GETFD) >= 0);
  kobj_unref((struct kobj*)v);
  assert_int_equal(fcntl(fd, F_GETFD), -1);
  assert_int_equal(errno, EBADF);

  /* A store that cannot be made is NO_MEMORY, with nothing left behind. */
  struct platform_mem_ops failing = *fake_platform.mem;
  failing.create = failing_create;
  struct platform_ops failing_platform = fake_platform;
  failing_platform.mem = &failing;
  platform = &failing_platform;
  zx_handle_t x = 0;
  assert_int_equal(FAKE(T, vmo_create, PG, 0, U(&x)), ZX_ERR_NO_MEMORY);
  platform = &fake_platform;
  assert_int_equal(P->table->count, 0);
}

/* ---- read and write */

static void test_read_write(void** state) {
  zx_handle_t h = make_vmo(2 * PG, 0);
  /* Never written: zeros. */
  assert_true(all(h, 0, 2 * PG, 0));
  const char msg[] = "hello, vmo";
  assert_int_equal(FAKE(T, vmo_write, h, U(msg), PG - 3, sizeof(msg)), ZX_OK);
  char got[sizeof(msg)] = {0};
  assert_int_equal(FAKE(T, vmo_read, h, U(got), PG - 3, sizeof(got)), ZX_OK);
  assert_memory_equal(got, msg, sizeof(msg));
  /* The memfd holds the same bytes (what a mapping sees). */
  char direct[sizeof(msg)] = {0};
  assert_int_equal(pread(kvmo_fd(vmo(h)), direct, sizeof(direct), PG - 3), sizeof(direct));
  assert_memory_equal(direct, msg, sizeof(msg));

  /* Bounds: nothing moves when the range does not fit. */
  char b[16];
  memset(b, 0x77, sizeof(b));
  assert_int_equal(FAKE(T, vmo_write, h, U(b), 2 * PG - 8, 16), ZX_ERR_OUT_OF_RANGE);
  assert_true(all(h, 2 * PG - 8, 8, 0));
  assert_int_equal(FAKE(T, vmo_read, h, U(b), 2 * PG - 8, 16), ZX_ERR_OUT_OF_RANGE);
  assert_int_equal(b[0], 0x77);
  assert_int_equal(FAKE(T, vmo_read, h, U(b), 2 * PG, 0), ZX_OK);
  assert_int_equal(FAKE(T, vmo_read, h, U(b), 2 * PG + 1, 0), ZX_ERR_OUT_OF_RANGE);
  assert_int_equal(FAKE(T, vmo_write, h, U(b), 2 * PG + 1, 0), ZX_ERR_OUT_OF_RANGE);
  assert_int_equal(FAKE(T, vmo_read, h, U(b), UINT64_MAX, 2), ZX_ERR_OUT_OF_RANGE);
  assert_int_equal(FAKE(T, vmo_write, h, U(b), UINT64_MAX - 1, 4), ZX_ERR_OUT_OF_RANGE);
  /* Length zero needs no buffer. */
  assert_int_equal(FAKE(T, vmo_read, h, 0, 0, 0), ZX_OK);

  /* Rights and types. */
  zx_handle_t ro = dup_h(h, ZX_RIGHT_READ);
  zx_handle_t wo = dup_h(h, ZX_RIGHT_WRITE);
  assert_int_equal(FAKE(T, vmo_write, ro, U(b), 0, 1), ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(T, vmo_read, wo, U(b), 0, 1), ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(T, vmo_read, ro, U(b), 0, 1), ZX_OK);
  assert_int_equal(FAKE(T, vmo_write, wo, U(b), 0, 1), ZX_OK);
  /* The rights check comes before the range check. */
  assert_int_equal(FAKE(T, vmo_write, ro, U(b), UINT64_MAX, 2), ZX_ERR_ACCESS_DENIED);
  zx_handle_t e = 0;
  assert_int_equal(FAKE(T, event_create, 0, U(&e)), ZX_OK);
  assert_int_equal(FAKE(T, vmo_read, e, U(b), 0, 1), ZX_ERR_WRONG_TYPE);
  assert_int_equal(FAKE(T, vmo_write, e, U(b), 0, 1), ZX_ERR_WRONG_TYPE);
  assert_int_equal(FAKE(T, vmo_read, 0x12345677, U(b), 0, 1), ZX_ERR_BAD_HANDLE);
  FAKE(T, handle_close, e);
  FAKE(T, handle_close, ro);
  FAKE(T, handle_close, wo);
  FAKE(T, handle_close, h);
}

static void test_large_transfer(void** state) {
  /* Several bounce-buffer chunks, starting mid-page. */
  size_t len = 300 * 1024 + 123;
  zx_handle_t h = make_vmo(len + PG, 0);
  uint8_t* src = malloc(len);
  uint8_t* dst = malloc(len);
  for (size_t i = 0; i < len; i++) src[i] = (uint8_t)(i * 7 + (i >> 12));
  assert_int_equal(FAKE(T, vmo_write, h, U(src), 1000, len), ZX_OK);
  memset(dst, 0, len);
  assert_int_equal(FAKE(T, vmo_read, h, U(dst), 1000, len), ZX_OK);
  assert_memory_equal(src, dst, len);
  free(src);
  free(dst);
  FAKE(T, handle_close, h);
}

/* A process whose guest memory faults in [poison_lo, poison_hi). */
static uint64_t poison_lo, poison_hi;
static bool poisoned(uint64_t addr, size_t len) {
  return addr < 4096 || (addr < poison_hi && addr + len > poison_lo);
}
static int poison_read(void* host, uint64_t addr, void* buf, size_t len) {
  if (poisoned(addr, len)) return -1;
  memcpy(buf, (void*)(uintptr_t)addr, len);
  return 0;
}
static int poison_write(void* host, uint64_t addr, const void* buf, size_t len) {
  if (poisoned(addr, len)) return -1;
  memcpy((void*)(uintptr_t)addr, buf, len);
  return 0;
}
static void poison_kill(void* host) {}
static const struct platform_proc_ops poison_ops = {
    .read = poison_read, .write = poison_write, .kill = poison_kill};

static void test_faulting_buffer(void** state) {
  zx_handle_t h = make_vmo(4 * PG, 0);
  /* NULL and low addresses: NOT_FOUND, the status of an unresolvable user fault. */
  assert_int_equal(FAKE(T, vmo_read, h, 0, 0, 16), ZX_ERR_NOT_FOUND);
  assert_int_equal(FAKE(T, vmo_write, h, 8, 0, 16), ZX_ERR_NOT_FOUND);
  assert_true(all(h, 0, 16, 0));
  FAKE(T, handle_close, h);

  /* A buffer that faults part way: the bytes before the faulting page are transferred. */
  zx_status_t s;
  struct kproc* q = kproc_create(kroot_job, "poison", 6, NULL, &poison_ops, &s);
  assert_non_null(q);
  struct kthread* tq = fake_thread(q);
  zx_handle_t v = 0;
  assert_int_equal(FAKE(tq, vmo_create, 4 * PG, 0, U(&v)), ZX_OK);
  uint8_t* buf = aligned_alloc(PG, 4 * PG);
  memset(buf, 0xab, 4 * PG);
  poison_lo = (uint64_t)(uintptr_t)buf + 2 * PG + 100;
  poison_hi = poison_lo + 1;
  /* Write from offset 0: VMO pages 0 and 1 arrive, page 2 (holding the poison) does not. */
  assert_int_equal(FAKE(tq, vmo_write, v, U(buf), 0, 4 * PG), ZX_ERR_NOT_FOUND);
  poison_lo = poison_hi = 0;
  assert_int_equal(FAKE(tq, vmo_read, v, U(buf), 0, 4 * PG), ZX_OK);
  for (size_t i = 0; i < 4 * PG; i++) {
    if (buf[i] != (i < 2 * PG ? 0xab : 0)) fail_msg("byte %zu is %#x", i, buf[i]);
  }
  /* Read into a buffer poisoned in its third page: the first two are filled. */
  assert_int_equal(FAKE(tq, vmo_write, v, U((uint8_t[]){1}), 0, 1), ZX_OK);
  memset(buf, 0xee, 4 * PG);
  poison_lo = (uint64_t)(uintptr_t)buf + 2 * PG + 5;
  poison_hi = poison_lo + 10;
  assert_int_equal(FAKE(tq, vmo_read, v, U(buf), 0, 4 * PG), ZX_ERR_NOT_FOUND);
  poison_lo = poison_hi = 0;
  assert_int_equal(buf[0], 1);
  for (size_t i = 1; i < 2 * PG; i++) {
    if (buf[i] != 0xab) fail_msg("byte %zu is %#x", i, buf[i]);
  }
  assert_int_equal(buf[2 * PG], 0xee);
  free(buf);
  assert_int_equal(FAKE(tq, handle_close, v), ZX_OK);
  kproc_on_exit(q, 0);
  kobj_unref(&q->base);
}

/* ---- sizes */

static void test_get_set_size(void** state) {
  zx_handle_t h = make_vmo(2 * PG, 0);
  assert_int_equal(FAKE(T, vmo_get_size, h, 8), ZX_ERR_INVALID_ARGS);
  /* No rights needed to ask. */
  zx_handle_t none = dup_h(h, ZX_RIGHT_NONE);
  assert_int_equal(get_size(none), 2 * PG);
  assert_int_equal(stream_size(none), 2 * PG);
  /* Not resizable: UNAVAILABLE whatever the rights (but WRITE first). */
  assert_int_equal(FAKE(T, vmo_set_size, h, PG), ZX_ERR_UNAVAILABLE);
  zx_handle_t w = dup_h(h, ZX_RIGHT_WRITE);
  assert_int_equal(FAKE(T, vmo_set_size, w, PG), ZX_ERR_UNAVAILABLE);
  assert_int_equal(FAKE(T, vmo_set_size, none, PG), ZX_ERR_ACCESS_DENIED);
  /* Rounding overflow is checked before resizability. */
  assert_int_equal(FAKE(T, vmo_set_size, h, UINT64_MAX), ZX_ERR_OUT_OF_RANGE);
  FAKE(T, handle_close, w);
  FAKE(T, handle_close, none);
  FAKE(T, handle_close, h);

  h = make_vmo(2 * PG, ZX_VMO_RESIZABLE);
  w = dup_h(h, ZX_RIGHT_WRITE);
  assert_int_equal(FAKE(T, vmo_set_size, w, PG), ZX_ERR_ACCESS_DENIED); /* RESIZE needed */
  zx_handle_t r = dup_h(h, ZX_RIGHT_RESIZE);
  assert_int_equal(FAKE(T, vmo_set_size, r, PG), ZX_ERR_ACCESS_DENIED); /* WRITE needed */
  assert_int_equal(FAKE(T, vmo_set_size, h, MM_VMO_MAX_SIZE + 1), ZX_ERR_OUT_OF_RANGE);
  assert_int_equal(FAKE(T, vmo_set_size, h, UINT64_MAX - 5), ZX_ERR_OUT_OF_RANGE);
  assert_int_equal(get_size(h), 2 * PG);

  /* Shrink to an unaligned size: the tail of the last page reads zeros; the content size is
   * the unrounded size. */
  fill(h, 0, 2 * PG, 0xff);
  assert_int_equal(FAKE(T, vmo_set_size, h, PG + 100), ZX_OK);
  assert_int_equal(get_size(h), 2 * PG);
  assert_int_equal(stream_size(h), PG + 100);
  assert_true(all(h, 0, PG + 100, 0xff));
  assert_true(all(h, PG + 100, PG - 100, 0));
  /* Shrink below, grow back: what was cut off is gone. */
  assert_int_equal(FAKE(T, vmo_set_size, h, 10), ZX_OK);
  assert_int_equal(get_size(h), PG);
  assert_int_equal(FAKE(T, vmo_set_size, h, 3 * PG), ZX_OK);
  assert_int_equal(get_size(h), 3 * PG);
  assert_int_equal(stream_size(h), 3 * PG);
  assert_true(all(h, 0, 10, 0xff));
  assert_true(all(h, 10, 3 * PG - 10, 0));
  uint8_t b[4];
  assert_int_equal(FAKE(T, vmo_read, h, U(b), 3 * PG, 4), ZX_ERR_OUT_OF_RANGE);
  assert_int_equal(FAKE(T, vmo_set_size, h, 0), ZX_OK);
  assert_int_equal(get_size(h), 0);
  assert_int_equal(FAKE(T, vmo_read, h, U(b), 0, 1), ZX_ERR_OUT_OF_RANGE);
  assert_int_equal(mm_vmo_committed(kvmo_mm(vmo(h))), 0);
  FAKE(T, handle_close, r);
  FAKE(T, handle_close, w);
  FAKE(T, handle_close, h);
}

static void test_stream_size(void** state) {
  zx_handle_t h = make_vmo(3 * PG, 0);
  fill(h, 0, 3 * PG, 0x11);
  zx_handle_t ro = dup_h(h, ZX_RIGHT_READ);
  assert_int_equal(FAKE(T, vmo_set_stream_size, ro, 5), ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(T, vmo_get_stream_size, h, 8), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, vmo_set_stream_size, h, 3 * PG + 1), ZX_ERR_OUT_OF_RANGE);
  assert_int_equal(FAKE(T, vmo_set_stream_size, h, 3 * PG), ZX_OK); /* unchanged */
  assert_true(all(h, 0, 3 * PG, 0x11));
  /* Shrinking the stream zeros everything past it. */
  assert_int_equal(FAKE(T, vmo_set_stream_size, h, 100), ZX_OK);
  assert_int_equal(stream_size(h), 100);
  assert_int_equal(get_size(h), 3 * PG);
  assert_true(all(h, 0, 100, 0x11));
  assert_true(all(h, 100, 3 * PG - 100, 0));
  assert_int_equal(mm_vmo_committed(kvmo_mm(vmo(h))), PG);
  /* Growing it exposes zeros. */
  fill(h, 0, 3 * PG, 0x22);
  assert_int_equal(FAKE(T, vmo_set_stream_size, h, 50), ZX_OK);
  assert_int_equal(FAKE(T, vmo_set_stream_size, h, 2 * PG), ZX_OK);
  assert_true(all(h, 0, 50, 0x22));
  assert_true(all(h, 50, 3 * PG - 50, 0));
  FAKE(T, handle_close, ro);
  FAKE(T, handle_close, h);
}

static void test_content_size_property(void** state) {
  zx_handle_t h = make_vmo(2 * PG, 0);
  uint64_t v = 0;
  assert_int_equal(FAKE(T, object_get_property, h, ZX_PROP_VMO_CONTENT_SIZE, 0, 8),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, object_get_property, h, ZX_PROP_VMO_CONTENT_SIZE, U(&v), 7),
                   ZX_ERR_BUFFER_TOO_SMALL);
  assert_int_equal(FAKE(T, object_get_property, h, ZX_PROP_VMO_CONTENT_SIZE, U(&v), 8), ZX_OK);
  assert_int_equal(v, 2 * PG);
  assert_int_equal(FAKE(T, object_get_property, h, ZX_PROP_VMO_CONTENT_SIZE, 8, 8),
                   ZX_ERR_INVALID_ARGS);
  zx_handle_t nogp = dup_h(h, ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_GET_PROPERTY);
  assert_int_equal(FAKE(T, object_get_property, nogp, ZX_PROP_VMO_CONTENT_SIZE, U(&v), 8),
                   ZX_ERR_ACCESS_DENIED);

  /* set: SET_PROPERTY, then WRITE, then size, then type, then the value. */
  fill(h, 0, 2 * PG, 0x33);
  v = PG + 10;
  zx_handle_t nowrite = dup_h(h, ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_WRITE);
  assert_int_equal(FAKE(T, object_set_property, nowrite, ZX_PROP_VMO_CONTENT_SIZE, U(&v), 8),
                   ZX_ERR_ACCESS_DENIED);
  zx_handle_t nosp = dup_h(h, ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_SET_PROPERTY);
  assert_int_equal(FAKE(T, object_set_property, nosp, ZX_PROP_VMO_CONTENT_SIZE, U(&v), 8),
                   ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(T, object_set_property, h, ZX_PROP_VMO_CONTENT_SIZE, U(&v), 4),
                   ZX_ERR_BUFFER_TOO_SMALL);
  assert_int_equal(FAKE(T, object_set_property, h, ZX_PROP_VMO_CONTENT_SIZE, 8, 8),
                   ZX_ERR_INVALID_ARGS);
  assert_true(all(h, 0, 2 * PG, 0x33)); /* nothing happened */
  assert_int_equal(FAKE(T, object_set_property, h, ZX_PROP_VMO_CONTENT_SIZE, U(&v), 8), ZX_OK);
  assert_int_equal(stream_size(h), PG + 10);
  assert_true(all(h, 0, PG + 10, 0x33));
  assert_true(all(h, PG + 10, PG - 10, 0));
  /* The legacy setter takes a value past the VMO's end. */
  v = 5 * PG;
  assert_int_equal(FAKE(T, object_set_property, h, ZX_PROP_VMO_CONTENT_SIZE, U(&v), 8), ZX_OK);
  v = 0;
  assert_int_equal(FAKE(T, object_get_property, h, ZX_PROP_VMO_CONTENT_SIZE, U(&v), 8), ZX_OK);
  assert_int_equal(v, 5 * PG);
  assert_int_equal(stream_size(h), 5 * PG);
  FAKE(T, handle_close, nogp);
  FAKE(T, handle_close, nowrite);
  FAKE(T, handle_close, nosp);
  FAKE(T, handle_close, h);
}

static void test_content_size_wrong_type(void** state) {
  /* A process handle has GET/SET_PROPERTY and WRITE: the type check answers. */
  zx_handle_t proc = 0;
  struct khandle* ph = khandle_create(&P->base, ZX_DEFAULT_PROCESS_RIGHTS);
  assert_non_null(ph);
  proc = khandle_attach(P->table, ph);
  uint64_t v = 0;
  assert_int_equal(FAKE(T, object_get_property, proc, ZX_PROP_VMO_CONTENT_SIZE, U(&v), 8),
                   ZX_ERR_WRONG_TYPE);
  assert_int_equal(FAKE(T, object_get_property, proc, ZX_PROP_VMO_CONTENT_SIZE, U(&v), 4),
                   ZX_ERR_BUFFER_TOO_SMALL);
  assert_int_equal(FAKE(T, object_set_property, proc, ZX_PROP_VMO_CONTENT_SIZE, U(&v), 8),
                   ZX_ERR_WRONG_TYPE);
  assert_int_equal(FAKE(T, handle_close, proc), ZX_OK);
}

static void test_name(void** state) {
  zx_handle_t h = make_vmo(PG, 0);
  char name[ZX_MAX_NAME_LEN];
  memset(name, 'x', sizeof(name));
  assert_int_equal(FAKE(T, object_get_property, h, ZX_PROP_NAME, U(name), sizeof(name)), ZX_OK);
  assert_int_equal(name[0], 0);
  const char* n = "a-vmo-with-a-name-longer-than-31-chars";
  assert_int_equal(FAKE(T, object_set_property, h, ZX_PROP_NAME, U(n), strlen(n)), ZX_OK);
  assert_int_equal(FAKE(T, object_get_property, h, ZX_PROP_NAME, U(name), sizeof(name)), ZX_OK);
  assert_int_equal(strlen(name), ZX_MAX_NAME_LEN - 1);
  assert_memory_equal(name, n, ZX_MAX_NAME_LEN - 1);
  zx_info_vmo_t i = info(h);
  assert_string_equal(i.name, name);
  FAKE(T, handle_close, h);
}

/* ---- op_range */

static void test_commit_decommit(void** state) {
  zx_handle_t h = make_vmo(4 * PG, 0);
  struct mm_vmo* m = kvmo_mm(vmo(h));
  assert_int_equal(mm_vmo_committed(m), 0);
  zx_handle_t ro = dup_h(h, ZX_RIGHT_READ);
  assert_int_equal(op(ro, ZX_VMO_OP_COMMIT, 0, PG), ZX_ERR_ACCESS_DENIED);
  assert_int_equal(op(ro, ZX_VMO_OP_DECOMMIT, 0, PG), ZX_ERR_ACCESS_DENIED);
  /* Rights before range. */
  assert_int_equal(op(ro, ZX_VMO_OP_COMMIT, UINT64_MAX, 2), ZX_ERR_ACCESS_DENIED);

  /* COMMIT rounds outwards to pages. */
  assert_int_equal(op(h, ZX_VMO_OP_COMMIT, 100, PG), ZX_OK);
  assert_int_equal(mm_vmo_committed(m), 2 * PG);
  assert_int_equal(info(h).committed_bytes, 2 * PG);
  assert_true(all(h, 0, 4 * PG, 0)); /* contents unchanged */
  assert_int_equal(op(h, ZX_VMO_OP_COMMIT, 0, 0), ZX_OK);
  assert_int_equal(op(h, ZX_VMO_OP_COMMIT, 4 * PG, 0), ZX_OK);
  assert_int_equal(op(h, ZX_VMO_OP_COMMIT, 4 * PG + 1, 0), ZX_ERR_OUT_OF_RANGE);
  assert_int_equal(op(h, ZX_VMO_OP_COMMIT, 3 * PG, PG + 1), ZX_ERR_OUT_OF_RANGE);
  assert_int_equal(op(h, ZX_VMO_OP_COMMIT, UINT64_MAX, 2), ZX_ERR_OUT_OF_RANGE);
  assert_int_equal(op(h, ZX_VMO_OP_COMMIT, UINT64_MAX - 10, 5), ZX_ERR_OUT_OF_RANGE);
  assert_int_equal(mm_vmo_committed(m), 2 * PG);
  /* Data kept across a commit. */
  fill(h, 3 * PG, PG, 0x44);
  assert_int_equal(op(h, ZX_VMO_OP_COMMIT, 0, 4 * PG), ZX_OK);
  assert_int_equal(mm_vmo_committed(m), 4 * PG);
  assert_true(all(h, 3 * PG, PG, 0x44));
  assert_int_equal(kvmo_committed_range(vmo(h), PG, 2 * PG), 2 * PG);

  /* DECOMMIT: range, then emptiness, then alignment. */
  assert_int_equal(op(h, ZX_VMO_OP_DECOMMIT, 3 * PG, 2 * PG), ZX_ERR_OUT_OF_RANGE);
  assert_int_equal(op(h, ZX_VMO_OP_DECOMMIT, 3 * PG + 1, PG), ZX_ERR_OUT_OF_RANGE);
  assert_int_equal(op(h, ZX_VMO_OP_DECOMMIT, UINT64_MAX, 2), ZX_ERR_OUT_OF_RANGE);
  assert_int_equal(op(h, ZX_VMO_OP_DECOMMIT, 5 * PG, 0), ZX_ERR_OUT_OF_RANGE);
  assert_int_equal(op(h, ZX_VMO_OP_DECOMMIT, 1, 0), ZX_OK);
  assert_int_equal(op(h, ZX_VMO_OP_DECOMMIT, 1, PG), ZX_ERR_INVALID_ARGS);
  assert_int_equal(op(h, ZX_VMO_OP_DECOMMIT, 0, PG + 1), ZX_ERR_INVALID_ARGS);
  assert_int_equal(mm_vmo_committed(m), 4 * PG);
  assert_int_equal(op(h, ZX_VMO_OP_DECOMMIT, 2 * PG, 2 * PG), ZX_OK);
  assert_int_equal(mm_vmo_committed(m), 2 * PG);
  assert_int_equal(kvmo_committed_range(vmo(h), PG, 2 * PG), PG);
  assert_true(all(h, 2 * PG, 2 * PG, 0));
  FAKE(T, handle_close, ro);
  FAKE(T, handle_close, h);
}

static void test_zero(void** state) {
  zx_handle_t h = make_vmo(4 * PG, 0);
  struct mm_vmo* m = kvmo_mm(vmo(h));
  zx_handle_t ro = dup_h(h, ZX_RIGHT_READ);
  assert_int_equal(op(ro, ZX_VMO_OP_ZERO, 0, PG), ZX_ERR_ACCESS_DENIED);
  /* Empty: nothing is checked. */
  assert_int_equal(op(h, ZX_VMO_OP_ZERO, UINT64_MAX, 0), ZX_OK);

  fill(h, 0, 4 * PG, 0x55);
  assert_int_equal(mm_vmo_committed(m), 4 * PG);
  /* Partial head and tail are written, whole pages between are freed. */
  assert_int_equal(op(h, ZX_VMO_OP_ZERO, 100, 3 * PG - 200), ZX_OK);
  assert_true(all(h, 0, 100, 0x55));
  assert_true(all(h, 100, 3 * PG - 200, 0));
  assert_true(all(h, 3 * PG - 100, PG + 100, 0x55));
  assert_int_equal(mm_vmo_committed(m), 3 * PG);

  /* A partial page that holds nothing stays uncommitted. */
  assert_int_equal(op(h, ZX_VMO_OP_DECOMMIT, 0, 4 * PG), ZX_OK);
  assert_int_equal(op(h, ZX_VMO_OP_ZERO, 10, 20), ZX_OK);
  assert_int_equal(mm_vmo_committed(m), 0);

  /* Out of range: OUT_OF_RANGE, the unaligned head already zeroed. */
  fill(h, 0, 4 * PG, 0x66);
  assert_int_equal(op(h, ZX_VMO_OP_ZERO, 3 * PG + 10, PG), ZX_ERR_OUT_OF_RANGE);
  assert_true(all(h, 3 * PG, 10, 0x66));
  assert_true(all(h, 3 * PG + 10, PG - 10, 0));
  assert_int_equal(op(h, ZX_VMO_OP_ZERO, 2 * PG, 3 * PG), ZX_ERR_OUT_OF_RANGE);
  assert_true(all(h, 2 * PG, PG, 0x66)); /* whole-page part refused entirely */
  assert_int_equal(op(h, ZX_VMO_OP_ZERO, 4 * PG, 1), ZX_ERR_OUT_OF_RANGE);
  assert_int_equal(op(h, ZX_VMO_OP_ZERO, UINT64_MAX - PG, 2 * PG), ZX_ERR_OUT_OF_RANGE);
  FAKE(T, handle_close, ro);
  FAKE(T, handle_close, h);
}

static void test_op_range_other(void** state) {
  zx_handle_t h = make_vmo(2 * PG, 0);
  zx_handle_t none = dup_h(h, ZX_RIGHT_NONE);
  zx_handle_t wo = dup_h(h, ZX_RIGHT_WRITE);
  /* Cache maintenance: READ, a non-empty range inside the VMO; nothing to do. */
  static const uint32_t cache_ops[] = {ZX_VMO_OP_CACHE_SYNC, ZX_VMO_OP_CACHE_CLEAN,
                                       ZX_VMO_OP_CACHE_CLEAN_INVALIDATE};
  for (size_t i = 0; i < 3; i++) {
    assert_int_equal(op(wo, cache_ops[i], 0, PG), ZX_ERR_ACCESS_DENIED);
    assert_int_equal(op(h, cache_ops[i], 0, 0), ZX_ERR_INVALID_ARGS);
    assert_int_equal(op(h, cache_ops[i], PG, PG + 1), ZX_ERR_OUT_OF_RANGE);
    assert_int_equal(op(h, cache_ops[i], UINT64_MAX, 2), ZX_ERR_OUT_OF_RANGE);
    assert_int_equal(op(h, cache_ops[i], 10, 20), ZX_OK);
  }
  /* Invalidate needs the debugging syscalls, even before rights. */
  assert_int_equal(op(h, ZX_VMO_OP_CACHE_INVALIDATE, 0, PG), ZX_ERR_NOT_SUPPORTED);
  assert_int_equal(op(none, ZX_VMO_OP_CACHE_INVALIDATE, 0, PG), ZX_ERR_NOT_SUPPORTED);
  /* Hints: no rights, no range check. */
  assert_int_equal(op(none, ZX_VMO_OP_DONT_NEED, UINT64_MAX, 100), ZX_OK);
  assert_int_equal(op(none, ZX_VMO_OP_ALWAYS_NEED, 0, 1ull << 50), ZX_OK);
  /* Prefetch: READ, rounding overflow, range. */
  assert_int_equal(op(wo, ZX_VMO_OP_PREFETCH, 0, PG), ZX_ERR_ACCESS_DENIED);
  assert_int_equal(op(h, ZX_VMO_OP_PREFETCH, UINT64_MAX - 10, 5), ZX_ERR_OUT_OF_RANGE);
  assert_int_equal(op(h, ZX_VMO_OP_PREFETCH, 0, 2 * PG + 1), ZX_ERR_OUT_OF_RANGE);
  assert_int_equal(op(h, ZX_VMO_OP_PREFETCH, 5, 2 * PG - 5), ZX_OK);
  /* Locking a VMO that is not discardable. */
  assert_int_equal(op(none, ZX_VMO_OP_LOCK, 0, 2 * PG), ZX_ERR_ACCESS_DENIED);
  assert_int_equal(op(none, ZX_VMO_OP_TRY_LOCK, 0, 2 * PG), ZX_ERR_ACCESS_DENIED);
  assert_int_equal(op(none, ZX_VMO_OP_UNLOCK, 0, 2 * PG), ZX_ERR_ACCESS_DENIED);
  assert_int_equal(op(wo, ZX_VMO_OP_LOCK, 0, 2 * PG), ZX_ERR_NOT_SUPPORTED);
  assert_int_equal(op(h, ZX_VMO_OP_TRY_LOCK, 0, 2 * PG), ZX_ERR_NOT_SUPPORTED);
  assert_int_equal(op(h, ZX_VMO_OP_UNLOCK, 0, 2 * PG), ZX_ERR_NOT_SUPPORTED);
  /* Unknown operations. */
  assert_int_equal(op(h, 0, 0, PG), ZX_ERR_INVALID_ARGS);
  assert_int_equal(op(h, 5, 0, PG), ZX_ERR_INVALID_ARGS);
  assert_int_equal(op(h, 15, 0, PG), ZX_ERR_INVALID_ARGS);
  assert_int_equal(op(none, 0xffffffffu, 0, PG), ZX_ERR_INVALID_ARGS);
  /* Handles. */
  zx_handle_t e = 0;
  assert_int_equal(FAKE(T, event_create, 0, U(&e)), ZX_OK);
  assert_int_equal(op(e, ZX_VMO_OP_COMMIT, 0, PG), ZX_ERR_WRONG_TYPE);
  assert_int_equal(op(0x12345677, ZX_VMO_OP_COMMIT, 0, PG), ZX_ERR_BAD_HANDLE);
  FAKE(T, handle_close, e);
  FAKE(T, handle_close, none);
  FAKE(T, handle_close, wo);
  FAKE(T, handle_close, h);
}

static void test_discardable_lock(void** state) {
  zx_handle_t h = make_vmo(2 * PG, ZX_VMO_DISCARDABLE);
  zx_vmo_lock_state_t st;
  memset(&st, 0xcc, sizeof(st));
  /* Only the whole VMO. */
  assert_int_equal(FAKE(T, vmo_op_range, h, ZX_VMO_OP_LOCK, 0, PG, U(&st), sizeof(st)),
                   ZX_ERR_OUT_OF_RANGE);
  assert_int_equal(FAKE(T, vmo_op_range, h, ZX_VMO_OP_LOCK, PG, PG, U(&st), sizeof(st)),
                   ZX_ERR_OUT_OF_RANGE);
  assert_int_equal(op(h, ZX_VMO_OP_TRY_LOCK, 0, 3 * PG), ZX_ERR_OUT_OF_RANGE);
  assert_int_equal(op(h, ZX_VMO_OP_UNLOCK, UINT64_MAX, 2), ZX_ERR_OUT_OF_RANGE);
  /* A short or faulting buffer undoes the lock. */
  assert_int_equal(FAKE(T, vmo_op_range, h, ZX_VMO_OP_LOCK, 0, 2 * PG, U(&st), sizeof(st) - 1),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, vmo_op_range, h, ZX_VMO_OP_LOCK, 0, 2 * PG, 8, sizeof(st)),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(op(h, ZX_VMO_OP_UNLOCK, 0, 2 * PG), ZX_ERR_BAD_STATE);
  /* Locks nest; zum never discards. */
  assert_int_equal(FAKE(T, vmo_op_range, h, ZX_VMO_OP_LOCK, 0, 2 * PG, U(&st), sizeof(st)),
                   ZX_OK);
  assert_int_equal(st.offset, 0);
  assert_int_equal(st.size, 2 * PG);
  assert_int_equal(st.discarded_offset, 0);
  assert_int_equal(st.discarded_size, 0);
  zx_handle_t ro = dup_h(h, ZX_RIGHT_READ);
  assert_int_equal(op(ro, ZX_VMO_OP_TRY_LOCK, 0, 2 * PG), ZX_OK);
  assert_int_equal(op(ro, ZX_VMO_OP_UNLOCK, 0, 2 * PG), ZX_OK);
  assert_int_equal(op(h, ZX_VMO_OP_UNLOCK, 0, 2 * PG), ZX_OK);
  assert_int_equal(op(h, ZX_VMO_OP_UNLOCK, 0, 2 * PG), ZX_ERR_BAD_STATE);
  /* Only the cached policy. */
  assert_int_equal(FAKE(T, vmo_set_cache_policy, h, ZX_CACHE_POLICY_UNCACHED), ZX_ERR_BAD_STATE);
  assert_int_equal(FAKE(T, vmo_set_cache_policy, h, ZX_CACHE_POLICY_CACHED), ZX_OK);
  zx_info_vmo_t i = info(h);
  assert_int_equal(i.flags, ZX_INFO_VMO_TYPE_PAGED | ZX_INFO_VMO_VIA_HANDLE |
                                ZX_INFO_VMO_DISCARDABLE);
  FAKE(T, handle_close, ro);
  FAKE(T, handle_close, h);
}

static void test_cache_policy(void** state) {
  zx_handle_t h = make_vmo(2 * PG, 0);
  fill(h, 0, 10, 0x77);
  /* The policy is checked before the handle. */
  assert_int_equal(FAKE(T, vmo_set_cache_policy, 0x12345677, 4), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, vmo_set_cache_policy, 0x12345677, 0), ZX_ERR_BAD_HANDLE);
  zx_handle_t nomap = dup_h(h, ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_MAP);
  assert_int_equal(FAKE(T, vmo_set_cache_policy, nomap, ZX_CACHE_POLICY_UNCACHED),
                   ZX_ERR_ACCESS_DENIED);
  /* A mapped VMO keeps its policy. */
  kvmo_mapping_added(vmo(h));
  assert_int_equal(FAKE(T, vmo_set_cache_policy, h, ZX_CACHE_POLICY_UNCACHED), ZX_ERR_BAD_STATE);
  kvmo_mapping_removed(vmo(h));
  assert_int_equal(FAKE(T, vmo_set_cache_policy, h, ZX_CACHE_POLICY_WRITE_COMBINING), ZX_OK);
  assert_int_equal(info(h).cache_policy, ZX_CACHE_POLICY_WRITE_COMBINING);
  /* Uncached: no reads, writes or zeroing of data through the kernel. */
  uint8_t b[4];
  assert_int_equal(FAKE(T, vmo_read, h, U(b), 0, 4), ZX_ERR_BAD_STATE);
  assert_int_equal(FAKE(T, vmo_write, h, U(b), 0, 4), ZX_ERR_BAD_STATE);
  assert_int_equal(FAKE(T, vmo_read, h, U(b), 0, 0), ZX_ERR_BAD_STATE);
  /* Overflow is noticed first. */
  assert_int_equal(FAKE(T, vmo_read, h, U(b), UINT64_MAX, 4), ZX_ERR_OUT_OF_RANGE);
  /* Committed pages never go back to cached, nor to another uncached policy (as Zircon). */
  assert_int_equal(FAKE(T, vmo_set_cache_policy, h, ZX_CACHE_POLICY_CACHED), ZX_ERR_BAD_STATE);
  assert_int_equal(FAKE(T, vmo_set_cache_policy, h, ZX_CACHE_POLICY_UNCACHED), ZX_ERR_BAD_STATE);
  assert_int_equal(op(h, ZX_VMO_OP_ZERO, 2, 4), ZX_ERR_BAD_STATE);
  /* A partial page that holds nothing needs no write; whole pages are freed. */
  assert_int_equal(op(h, ZX_VMO_OP_ZERO, PG + 2, 4), ZX_OK);
  assert_int_equal(op(h, ZX_VMO_OP_ZERO, 0, PG), ZX_OK);
  assert_int_equal(op(h, ZX_VMO_OP_ZERO, PG, 2 * PG), ZX_ERR_BAD_STATE);
  assert_int_equal(FAKE(T, vmo_set_cache_policy, h, ZX_CACHE_POLICY_CACHED), ZX_OK);
  assert_true(all(h, 0, 2 * PG, 0));
  FAKE(T, handle_close, nomap);
  FAKE(T, handle_close, h);
}

/* ---- replace_as_executable */

static void test_replace_as_executable(void** state) {
  zx_handle_t h = make_vmo(PG, 0), x = 0;
  zx_rights_t r = hnd(h)->rights;
  zx_koid_t koid = hnd(h)->obj->koid;
  assert_int_equal(FAKE(T, vmo_replace_as_executable, h, ZX_HANDLE_INVALID, U(&x)), ZX_OK);
  assert_null(khandle_lookup(P->table, h));
  assert_int_equal(hnd(x)->rights, r | ZX_RIGHT_EXECUTE);
  assert_int_equal(hnd(x)->obj->koid, koid);

  /* A vmex that is not a resource: WRONG_TYPE, the VMO handle consumed all the same. */
  zx_handle_t e = 0, y = 0;
  assert_int_equal(FAKE(T, event_create, 0, U(&e)), ZX_OK);
  assert_int_equal(FAKE(T, vmo_replace_as_executable, x, e, U(&y)), ZX_ERR_WRONG_TYPE);
  assert_null(khandle_lookup(P->table, x));
  assert_int_equal(y, 0);
  assert_non_null(khandle_lookup(P->table, e));
  /* A vmex that is no handle: BAD_HANDLE, consumed too. */
  h = make_vmo(PG, 0);
  assert_int_equal(FAKE(T, vmo_replace_as_executable, h, 0x12345677, U(&y)), ZX_ERR_BAD_HANDLE);
  assert_null(khandle_lookup(P->table, h));
  /* Not a VMO: BAD_HANDLE (not WRONG_TYPE), and that handle is gone. */
  assert_int_equal(FAKE(T, vmo_replace_as_executable, e, ZX_HANDLE_INVALID, U(&y)),
                   ZX_ERR_BAD_HANDLE);
  assert_null(khandle_lookup(P->table, e));
  assert_int_equal(FAKE(T, vmo_replace_as_executable, 0x12345677, ZX_HANDLE_INVALID, U(&y)),
                   ZX_ERR_BAD_HANDLE);
  /* A faulting out pointer: consumed, and no new handle. */
  h = make_vmo(PG, 0);
  assert_int_equal(FAKE(T, vmo_replace_as_executable, h, ZX_HANDLE_INVALID, 8),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(P->table->count, 0);
}

/* ---- ZX_INFO_VMO */

static void test_info(void** state) {
  zx_handle_t h = make_vmo(3 * PG - 5, ZX_VMO_RESIZABLE);
  fill(h, PG, 10, 1);
  zx_info_vmo_t i = info(h);
  assert_int_equal(i.koid, hnd(h)->obj->koid);
  assert_int_equal(i.size_bytes, 3 * PG);
  assert_int_equal(i.parent_koid, 0);
  assert_int_equal(i.num_children, 0);
  assert_int_equal(i.num_mappings, 0);
  assert_int_equal(i.share_count, 1);
  assert_int_equal(i.flags, 0xB); /* paged, resizable, via handle */
  assert_int_equal(i.committed_bytes, PG);
  assert_int_equal(i.populated_bytes, PG);
  assert_int_equal(i.committed_private_bytes, PG);
  assert_int_equal(i.committed_scaled_bytes, PG);
  assert_int_equal(i.committed_fractional_scaled_bytes, 0);
  assert_int_equal(i.handle_rights, ZX_DEFAULT_VMO_RIGHTS | ZX_RIGHT_RESIZE);
  assert_int_equal(i.cache_policy, ZX_CACHE_POLICY_CACHED);
  assert_int_equal(i.metadata_bytes, 0);
  assert_int_equal(i.name[0], 0);

  /* No rights needed; the rights reported are the handle's. */
  zx_handle_t none = dup_h(h, ZX_RIGHT_NONE);
  i = info(none);
  assert_int_equal(i.handle_rights, 0);
  zx_handle_t plain = make_vmo(PG, 0);
  assert_int_equal(info(plain).flags, 0x9);

  /* Mappings: share_count is 1 below two mappings, then the number of address spaces. */
  struct kvmo* v = vmo(h);
  int a1, a2;
  kvmo_mapping_added_in(v, &a1);
  assert_int_equal(info(h).num_mappings, 1);
  assert_int_equal(info(h).share_count, 1);
  kvmo_mapping_added_in(v, &a1);
  assert_int_equal(info(h).num_mappings, 2);
  assert_int_equal(info(h).share_count, 1);
  kvmo_mapping_added_in(v, &a2);
  assert_int_equal(info(h).num_mappings, 3);
  assert_int_equal(info(h).share_count, 2);
  kvmo_mapping_removed_in(v, &a1);
  kvmo_mapping_removed_in(v, &a1);
  assert_int_equal(info(h).num_mappings, 1);
  assert_int_equal(info(h).share_count, 1);
  kvmo_mapping_removed_in(v, &a2);
  assert_int_equal(kvmo_num_mappings(v), 0);
  /* Via a mapping (ZX_INFO_PROCESS_VMOS): no rights reported. */
  kvmo_get_info(v, ZX_INFO_VMO_VIA_MAPPING, ZX_RIGHT_READ, &i);
  assert_int_equal(i.flags, ZX_INFO_VMO_TYPE_PAGED | ZX_INFO_VMO_RESIZABLE |
                                ZX_INFO_VMO_VIA_MAPPING);
  assert_int_equal(i.handle_rights, 0);

  /* The older topics get the prefixes. */
  uint8_t buf[sizeof(zx_info_vmo_t) + 8];
  static const struct {
    uint32_t topic;
    size_t size;
  } topics[] = {{ZX_INFO_VMO_V1, 104}, {ZX_INFO_VMO_V2, 120}, {ZX_INFO_VMO_V3, 128},
                {ZX_INFO_VMO, 176}};
  zx_info_vmo_t full = info(h);
  for (size_t t = 0; t < 4; t++) {
    size_t actual = 9, avail = 9;
    memset(buf, 0xee, sizeof(buf));
    assert_int_equal(FAKE(T, object_get_info, h, topics[t].topic, U(buf), topics[t].size,
                          U(&actual), U(&avail)),
                     ZX_OK);
    assert_int_equal(actual, 1);
    assert_int_equal(avail, 1);
    assert_memory_equal(buf, &full, topics[t].size);
    assert_int_equal(buf[topics[t].size], 0xee);
    /* One byte short. */
    assert_int_equal(FAKE(T, object_get_info, h, topics[t].topic, U(buf), topics[t].size - 1,
                          U(&actual), U(&avail)),
                     ZX_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(actual, 0);
    assert_int_equal(avail, 1);
  }
  assert_int_equal(FAKE(T, object_get_info, h, ZX_INFO_VMO, 8, sizeof(zx_info_vmo_t), 0, 0),
                   ZX_ERR_INVALID_ARGS);
  zx_handle_t e = 0;
  assert_int_equal(FAKE(T, event_create, 0, U(&e)), ZX_OK);
  assert_int_equal(FAKE(T, object_get_info, e, ZX_INFO_VMO, U(buf), sizeof(zx_info_vmo_t), 0, 0),
                   ZX_ERR_WRONG_TYPE);
  FAKE(T, handle_close, e);
  FAKE(T, handle_close, plain);
  FAKE(T, handle_close, none);
  FAKE(T, handle_close, h);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_create_sizes, setup, teardown),
      cmocka_unit_test_setup_teardown(test_create_options, setup, teardown),
      cmocka_unit_test_setup_teardown(test_backing, setup, teardown),
      cmocka_unit_test_setup_teardown(test_read_write, setup, teardown),
      cmocka_unit_test_setup_teardown(test_large_transfer, setup, teardown),
      cmocka_unit_test_setup_teardown(test_faulting_buffer, setup, teardown),
      cmocka_unit_test_setup_teardown(test_get_set_size, setup, teardown),
      cmocka_unit_test_setup_teardown(test_stream_size, setup, teardown),
      cmocka_unit_test_setup_teardown(test_content_size_property, setup, teardown),
      cmocka_unit_test_setup_teardown(test_content_size_wrong_type, setup, teardown),
      cmocka_unit_test_setup_teardown(test_name, setup, teardown),
      cmocka_unit_test_setup_teardown(test_commit_decommit, setup, teardown),
      cmocka_unit_test_setup_teardown(test_zero, setup, teardown),
      cmocka_unit_test_setup_teardown(test_op_range_other, setup, teardown),
      cmocka_unit_test_setup_teardown(test_discardable_lock, setup, teardown),
      cmocka_unit_test_setup_teardown(test_cache_policy, setup, teardown),
      cmocka_unit_test_setup_teardown(test_replace_as_executable, setup, teardown),
      cmocka_unit_test_setup_teardown(test_info, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
