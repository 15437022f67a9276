/* Unit tests: streams. Create's options and rights, seek arithmetic, reads bounded by the
 * content size, writes that grow the content size (zeroing a gap) and the VMO (only with
 * RESIZE), append (the option, the mode and its property), ZX_INFO_STREAM, iovec handling
 * (sums that overflow, unreadable vectors, faulting buffers, short transfers, the entry limit),
 * and streams over copy-on-write children. The expected values are those of Zircon's
 * core-tests stream suite where it has them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zum/sysno.h>
#include <zircon/rights.h>
#include <zircon/syscalls/object.h>

#include "kobj/handle.h"
#include "kobj/sysutil.h"
#include "tests/unit/fake_host.h"

#define P fake_p
#define T fake_t

#define PAGE 4096u
static const char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz";

/* A VMO of `size` bytes holding the alphabet, with content size `content`. */
static zx_handle_t alphabet_vmo(uint64_t size, uint32_t options, uint64_t content) {
  zx_handle_t v = 0;
  assert_int_equal(FAKE(T, vmo_create, size, options, U(&v)), ZX_OK);
  assert_int_equal(FAKE(T, vmo_write, v, U(kAlphabet), 0, 26), ZX_OK);
  assert_int_equal(
      FAKE(T, object_set_property, v, ZX_PROP_VMO_CONTENT_SIZE, U(&content), sizeof(content)),
      ZX_OK);
  return v;
}

static uint64_t content_size(zx_handle_t v) {
  uint64_t n = 0;
  assert_int_equal(FAKE(T, vmo_get_stream_size, v, U(&n)), ZX_OK);
  return n;
}

static uint64_t vmo_size(zx_handle_t v) {
  uint64_t n = 0;
  assert_int_equal(FAKE(T, vmo_get_size, v, U(&n)), ZX_OK);
  return n;
}

static zx_handle_t stream(uint32_t options, zx_handle_t vmo, uint64_t seek) {
  zx_handle_t s = 0;
  assert_int_equal(FAKE(T, stream_create, options, vmo, seek, U(&s)), ZX_OK);
  return s;
}

static zx_rights_t rights_of(zx_handle_t h) {
  zx_info_handle_basic_t b;
  assert_int_equal(FAKE(T, object_get_info, h, ZX_INFO_HANDLE_BASIC, U(&b), sizeof(b), 0, 0),
                   ZX_OK);
  assert_int_equal(b.type, ZX_OBJ_TYPE_STREAM);
  return b.rights;
}

static zx_info_stream_t info_of(zx_handle_t s) {
  zx_info_stream_t i;
  assert_int_equal(FAKE(T, object_get_info, s, ZX_INFO_STREAM, U(&i), sizeof(i), 0, 0), ZX_OK);
  return i;
}

static void close_all(const zx_handle_t* hs, size_t n) {
  for (size_t i = 0; i < n; i++) assert_int_equal(FAKE(T, handle_close, hs[i]), ZX_OK);
}

static void test_create(void** state) {
  (void)state;
  zx_handle_t s = 0, e = 0;
  zx_handle_t v = alphabet_vmo(4 * PAGE, 0, 0);
  assert_int_equal(FAKE(T, stream_create, 0, ZX_HANDLE_INVALID, 0, U(&s)), ZX_ERR_BAD_HANDLE);
  assert_int_equal(FAKE(T, event_create, 0, U(&e)), ZX_OK);
  assert_int_equal(FAKE(T, stream_create, 0, e, 0, U(&s)), ZX_ERR_WRONG_TYPE);
  /* Unknown options first, before the handle. */
  assert_int_equal(FAKE(T, stream_create, 8, ZX_HANDLE_INVALID, 0, U(&s)), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, stream_create, (uint32_t)-42, v, 0, U(&s)), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, stream_create, 0, v, 0, 8), ZX_ERR_INVALID_ARGS);

  static const struct {
    uint32_t options;
    zx_rights_t extra;
  } modes[] = {
      {0, 0},
      {ZX_STREAM_MODE_READ, ZX_RIGHT_READ},
      {ZX_STREAM_MODE_WRITE, ZX_RIGHT_WRITE},
      {ZX_STREAM_MODE_READ | ZX_STREAM_MODE_WRITE, ZX_RIGHT_READ | ZX_RIGHT_WRITE},
      {ZX_STREAM_MODE_APPEND, 0},
      {ZX_STREAM_MODE_READ | ZX_STREAM_MODE_APPEND, ZX_RIGHT_READ},
      {ZX_STREAM_MODE_WRITE | ZX_STREAM_MODE_APPEND, ZX_RIGHT_WRITE},
      {ZX_STREAM_CREATE_MASK, ZX_RIGHT_READ | ZX_RIGHT_WRITE},
  };
  for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
    s = stream(modes[i].options, v, 0);
    assert_int_equal(rights_of(s), ZX_DEFAULT_STREAM_RIGHTS | modes[i].extra);
    assert_int_equal(info_of(s).options, modes[i].options);
    assert_int_equal(FAKE(T, handle_close, s), ZX_OK);
  }

  /* The VMO handle needs READ for a reading stream, WRITE for a writing one. */
  zx_handle_t ro = 0, wo = 0, none = 0;
  assert_int_equal(FAKE(T, handle_duplicate, v, ZX_RIGHT_READ, U(&ro)), ZX_OK);
  assert_int_equal(FAKE(T, handle_duplicate, v, ZX_RIGHT_WRITE, U(&wo)), ZX_OK);
  assert_int_equal(FAKE(T, handle_duplicate, v, 0, U(&none)), ZX_OK);
  s = stream(ZX_STREAM_MODE_READ, ro, 0);
  assert_int_equal(FAKE(T, handle_close, s), ZX_OK);
  assert_int_equal(FAKE(T, stream_create, ZX_STREAM_MODE_WRITE, ro, 0, U(&s)),
                   ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(T, stream_create, ZX_STREAM_MODE_READ, wo, 0, U(&s)),
                   ZX_ERR_ACCESS_DENIED);
  s = stream(ZX_STREAM_MODE_WRITE | ZX_STREAM_MODE_APPEND, wo, 0);
  assert_int_equal(FAKE(T, handle_close, s), ZX_OK);
  s = stream(0, none, 0);
  assert_int_equal(FAKE(T, handle_close, s), ZX_OK);
  assert_int_equal(FAKE(T, stream_create, ZX_STREAM_MODE_READ, none, 0, U(&s)),
                   ZX_ERR_ACCESS_DENIED);

  /* The stream holds the VMO: it outlives the handles. */
  s = stream(ZX_STREAM_MODE_READ, v, 3);
  zx_handle_t handles[] = {e, ro, wo, none, v};
  close_all(handles, 5);
  v = alphabet_vmo(PAGE, 0, 26);
  zx_handle_t s2 = stream(ZX_STREAM_MODE_READ, v, 1);
  assert_int_equal(FAKE(T, handle_close, v), ZX_OK);
  char buf[4] = {0};
  zx_iovec_t vec = {.buffer = buf, .capacity = 3};
  size_t actual = 0;
  assert_int_equal(FAKE(T, stream_readv, s2, 0, U(&vec), 1, U(&actual)), ZX_OK);
  assert_int_equal(actual, 3);
  assert_memory_equal(buf, "bcd", 3);
  zx_handle_t rest[] = {s, s2};
  close_all(rest, 2);
}

static void test_seek(void** state) {
  (void)state;
  zx_handle_t v = alphabet_vmo(4 * PAGE, 0, 42);
  zx_off_t r = 81;
  zx_handle_t s = stream(0, v, 0);
  assert_int_equal(FAKE(T, stream_seek, s, ZX_STREAM_SEEK_ORIGIN_START, 0, U(&r)),
                   ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(T, stream_seek, v, ZX_STREAM_SEEK_ORIGIN_START, 0, U(&r)),
                   ZX_ERR_WRONG_TYPE);
  assert_int_equal(FAKE(T, handle_close, s), ZX_OK);
  s = stream(ZX_STREAM_MODE_WRITE, v, 518);
  assert_int_equal(FAKE(T, stream_seek, s, ZX_STREAM_SEEK_ORIGIN_CURRENT, 0, U(&r)), ZX_OK);
  assert_int_equal(r, 518);
  assert_int_equal(FAKE(T, handle_close, s), ZX_OK);

  s = stream(ZX_STREAM_MODE_READ | ZX_STREAM_MODE_WRITE, v, 0);
  assert_int_equal(FAKE(T, stream_seek, s, 34893, 12, U(&r)), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, stream_seek, s, ZX_STREAM_SEEK_ORIGIN_START, (uint64_t)-10, U(&r)),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, stream_seek, s, ZX_STREAM_SEEK_ORIGIN_START, 12, U(&r)), ZX_OK);
  assert_int_equal(r, 12);
  assert_int_equal(FAKE(T, stream_seek, s, ZX_STREAM_SEEK_ORIGIN_CURRENT, (uint64_t)-21, U(&r)),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, stream_seek, s, ZX_STREAM_SEEK_ORIGIN_CURRENT, 3, U(&r)), ZX_OK);
  assert_int_equal(r, 15);
  assert_int_equal(FAKE(T, stream_seek, s, ZX_STREAM_SEEK_ORIGIN_CURRENT, (uint64_t)-15, U(&r)),
                   ZX_OK);
  assert_int_equal(r, 0);
  assert_int_equal(FAKE(T, stream_seek, s, ZX_STREAM_SEEK_ORIGIN_CURRENT, INT64_MAX, U(&r)),
                   ZX_OK);
  assert_int_equal(FAKE(T, stream_seek, s, ZX_STREAM_SEEK_ORIGIN_CURRENT, 1038, U(&r)), ZX_OK);
  assert_int_equal(r, (uint64_t)INT64_MAX + 1038);
  assert_int_equal(FAKE(T, stream_seek, s, ZX_STREAM_SEEK_ORIGIN_CURRENT, INT64_MAX, U(&r)),
                   ZX_ERR_INVALID_ARGS);
  /* A refused seek leaves the offset where it was. */
  assert_int_equal(FAKE(T, stream_seek, s, ZX_STREAM_SEEK_ORIGIN_CURRENT, 0, U(&r)), ZX_OK);
  assert_int_equal(r, (uint64_t)INT64_MAX + 1038);

  assert_int_equal(FAKE(T, stream_seek, s, ZX_STREAM_SEEK_ORIGIN_END, 0, U(&r)), ZX_OK);
  assert_int_equal(r, 42);
  assert_int_equal(FAKE(T, stream_seek, s, ZX_STREAM_SEEK_ORIGIN_END, (uint64_t)-13, U(&r)),
                   ZX_OK);
  assert_int_equal(r, 29);
  assert_int_equal(FAKE(T, stream_seek, s, ZX_STREAM_SEEK_ORIGIN_END, (uint64_t)-42, U(&r)),
                   ZX_OK);
  assert_int_equal(r, 0);
  assert_int_equal(FAKE(T, stream_seek, s, ZX_STREAM_SEEK_ORIGIN_END, 24, U(&r)), ZX_OK);
  assert_int_equal(r, 66);
  assert_int_equal(FAKE(T, stream_seek, s, ZX_STREAM_SEEK_ORIGIN_END, (uint64_t)-1238, U(&r)),
                   ZX_ERR_INVALID_ARGS);
  uint64_t huge = UINT64_MAX;
  assert_int_equal(
      FAKE(T, object_set_property, v, ZX_PROP_VMO_CONTENT_SIZE, U(&huge), sizeof(huge)), ZX_OK);
  assert_int_equal(FAKE(T, stream_seek, s, ZX_STREAM_SEEK_ORIGIN_END, (uint64_t)-11, U(&r)),
                   ZX_OK);
  assert_int_equal(r, UINT64_MAX - 11);
  assert_int_equal(FAKE(T, stream_seek, s, ZX_STREAM_SEEK_ORIGIN_END, 5, U(&r)),
                   ZX_ERR_INVALID_ARGS);
  /* No out pointer is fine; a bad one fails after the seek moved. */
  assert_int_equal(FAKE(T, stream_seek, s, ZX_STREAM_SEEK_ORIGIN_START, 7, 0), ZX_OK);
  assert_int_equal(FAKE(T, stream_seek, s, ZX_STREAM_SEEK_ORIGIN_START, 9, 8),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(info_of(s).seek, 9);
  zx_handle_t hs[] = {s, v};
  close_all(hs, 2);
}

static void test_readv(void** state) {
  (void)state;
  zx_handle_t v = alphabet_vmo(PAGE, 0, 26);
  char buf[16] = {0};
  zx_iovec_t vec = {.buffer = buf, .capacity = 7};
  size_t actual = 42;
  zx_handle_t s = stream(0, v, 0);
  assert_int_equal(FAKE(T, stream_readv, s, 0, U(&vec), 1, U(&actual)), ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(T, handle_close, s), ZX_OK);
  s = stream(ZX_STREAM_MODE_READ, v, 0);
  assert_int_equal(FAKE(T, stream_readv, s, 0, U(&vec), 1, U(&actual)), ZX_OK);
  assert_int_equal(actual, 7);
  assert_string_equal(buf, "abcdefg");
  memset(buf, 0, sizeof(buf));
  assert_int_equal(FAKE(T, stream_readv, s, 24098, U(&vec), 1, U(&actual)), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, stream_readv, s, 0, 0, 1, U(&actual)), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, stream_readv, s, 0, 0, 0, U(&actual)), ZX_ERR_INVALID_ARGS);
  /* A NULL vector is refused before the handle is looked at. */
  assert_int_equal(FAKE(T, stream_readv, 0, 0, 0, 1, U(&actual)), ZX_ERR_INVALID_ARGS);
  vec.capacity = 3;
  assert_int_equal(FAKE(T, stream_readv, s, 0, U(&vec), 1, 0), ZX_OK);
  assert_string_equal(buf, "hij");
  /* A buffer that faults: NOT_FOUND, nothing read, the seek offset stays. */
  vec.buffer = (void*)8;
  assert_int_equal(FAKE(T, stream_readv, s, 0, U(&vec), 1, U(&actual)), ZX_ERR_NOT_FOUND);
  assert_int_equal(info_of(s).seek, 10);
  vec.buffer = buf;
  /* Capacities that add up past SIZE_MAX, and a vector that cannot be read. */
  zx_iovec_t multi[7];
  for (int i = 0; i < 7; i++) multi[i] = (zx_iovec_t){.buffer = buf, .capacity = INT64_MAX};
  assert_int_equal(FAKE(T, stream_readv, s, 0, U(multi), 7, U(&actual)), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, stream_readv, s, 0, 8, 1, U(&actual)), ZX_ERR_INVALID_ARGS);
  /* An empty vector reads nothing, successfully. */
  actual = 42;
  assert_int_equal(FAKE(T, stream_readv, s, 0, U(&vec), 0, U(&actual)), ZX_OK);
  assert_int_equal(actual, 0);
  /* Past the content size there is nothing to read. */
  uint64_t six = 6;
  assert_int_equal(FAKE(T, object_set_property, v, ZX_PROP_VMO_CONTENT_SIZE, U(&six), 8), ZX_OK);
  actual = 42;
  assert_int_equal(FAKE(T, stream_readv, s, 0, U(&vec), 1, U(&actual)), ZX_OK);
  assert_int_equal(actual, 0);
  assert_int_equal(FAKE(T, stream_seek, s, ZX_STREAM_SEEK_ORIGIN_START, 0, 0), ZX_OK);
  memset(buf, 0, sizeof(buf));
  vec.capacity = 12;
  assert_int_equal(FAKE(T, stream_readv, s, 0, U(&vec), 1, U(&actual)), ZX_OK);
  assert_int_equal(actual, 6);
  assert_string_equal(buf, "abcdef");
  /* The vector is read in order, one byte into each entry here. (Setting the content size to 6
   * zeroed what followed: write the alphabet again.) */
  uint64_t n26 = 26;
  assert_int_equal(FAKE(T, object_set_property, v, ZX_PROP_VMO_CONTENT_SIZE, U(&n26), 8), ZX_OK);
  assert_int_equal(FAKE(T, vmo_write, v, U(kAlphabet), 0, 26), ZX_OK);
  memset(buf, 0, sizeof(buf));
  for (int i = 0; i < 7; i++) multi[i] = (zx_iovec_t){.buffer = &buf[i], .capacity = 1};
  assert_int_equal(FAKE(T, stream_seek, s, ZX_STREAM_SEEK_ORIGIN_START, 0, 0), ZX_OK);
  assert_int_equal(FAKE(T, stream_readv, s, 0, U(multi), 7, U(&actual)), ZX_OK);
  assert_int_equal(actual, 7);
  assert_string_equal(buf, "abcdefg");
  /* A short read: the third entry faults, the two before it count. */
  memset(buf, 0, sizeof(buf));
  multi[2].buffer = (void*)16;
  assert_int_equal(FAKE(T, stream_readv, s, 0, U(multi), 7, U(&actual)), ZX_OK);
  assert_int_equal(actual, 2);
  assert_string_equal(buf, "hi");
  assert_int_equal(info_of(s).seek, 9);
  /* A bad out pointer fails the call after the read (the seek offset has moved). */
  assert_int_equal(FAKE(T, stream_readv, s, 0, U(multi), 1, 8), ZX_ERR_INVALID_ARGS);
  assert_int_equal(info_of(s).seek, 10);
  /* readv_at reads where it is told and leaves the seek offset alone. */
  memset(buf, 0, sizeof(buf));
  vec.capacity = 7;
  assert_int_equal(FAKE(T, stream_readv_at, s, 0, 24, U(&vec), 1, U(&actual)), ZX_OK);
  assert_int_equal(actual, 2);
  assert_string_equal(buf, "yz");
  assert_int_equal(FAKE(T, stream_readv_at, s, 0, 36, U(&vec), 1, U(&actual)), ZX_OK);
  assert_int_equal(actual, 0);
  assert_int_equal(FAKE(T, stream_readv_at, s, 1, 0, U(&vec), 1, U(&actual)),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(info_of(s).seek, 10);
  /* An offset plus a capacity that wraps around 2^64 limits the read below the offset, so
   * nothing is read (Zircon's unchecked sum). */
  vec.capacity = UINT64_MAX;
  assert_int_equal(FAKE(T, stream_readv_at, s, 0, 7, U(&vec), 1, U(&actual)), ZX_OK);
  assert_int_equal(actual, 0);
  /* The content size beyond the VMO (the legacy property): an entry crossing the VMO's end
   * is refused whole. */
  uint64_t huge = UINT64_MAX;
  assert_int_equal(FAKE(T, object_set_property, v, ZX_PROP_VMO_CONTENT_SIZE, U(&huge), 8), ZX_OK);
  vec.capacity = 16;
  assert_int_equal(FAKE(T, stream_readv_at, s, 0, PAGE - 6, U(&vec), 1, U(&actual)),
                   ZX_ERR_OUT_OF_RANGE);
  /* Too many entries: refused as if the vector ran into unreadable memory. */
  size_t many = 64 * 1024 + 1;
  zx_iovec_t* big = calloc(many, sizeof(zx_iovec_t));
  assert_non_null(big);
  assert_int_equal(FAKE(T, stream_readv_at, s, 0, 0, U(big), many, U(&actual)),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, stream_readv_at, s, 0, 0, U(big), many - 1, U(&actual)), ZX_OK);
  assert_int_equal(actual, 0);
  free(big);
  zx_handle_t hs[] = {s, v};
  close_all(hs, 2);
}

static void vmo_text(zx_handle_t v, char* out, size_t n) {
  memset(out, 0, n);
  assert_int_equal(FAKE(T, vmo_read, v, U(out), 0, n - 1), ZX_OK);
}

static void test_writev(void** state) {
  (void)state;
  char data[64];
  zx_handle_t v = alphabet_vmo(PAGE, 0, 26);
  char buffer[32] = "0123456789ABCDEF"; /* room for the 26-byte appends below */
  zx_iovec_t vec = {.buffer = buffer, .capacity = 7};
  size_t actual = 42;
  zx_handle_t s = stream(ZX_STREAM_MODE_READ, v, 0);
  assert_int_equal(FAKE(T, stream_writev, s, 0, U(&vec), 1, U(&actual)), ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(T, handle_close, s), ZX_OK);
  s = stream(ZX_STREAM_MODE_WRITE, v, 0);
  assert_int_equal(FAKE(T, stream_writev, s, 0, U(&vec), 1, U(&actual)), ZX_OK);
  assert_int_equal(actual, 7);
  vmo_text(v, data, 27);
  assert_string_equal(data, "0123456hijklmnopqrstuvwxyz");
  assert_int_equal(FAKE(T, stream_writev, s, 24098, U(&vec), 1, U(&actual)), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, stream_writev, s, 0, 0, 1, U(&actual)), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, stream_writev_at, s, 1, 0, U(&vec), 1, U(&actual)),
                   ZX_ERR_INVALID_ARGS);
  vec.capacity = 3;
  assert_int_equal(FAKE(T, stream_writev, s, 0, U(&vec), 1, 0), ZX_OK);
  vmo_text(v, data, 27);
  assert_string_equal(data, "0123456012klmnopqrstuvwxyz");
  /* A buffer that faults: NOT_FOUND, nothing written, nothing moves. */
  vec.buffer = NULL;
  assert_int_equal(FAKE(T, stream_writev, s, 0, U(&vec), 1, U(&actual)), ZX_ERR_NOT_FOUND);
  assert_int_equal(info_of(s).seek, 10);
  vec.buffer = buffer;
  zx_iovec_t multi[7];
  for (int i = 0; i < 7; i++) multi[i] = (zx_iovec_t){.buffer = buffer, .capacity = INT64_MAX};
  assert_int_equal(FAKE(T, stream_writev, s, 0, U(multi), 7, U(&actual)), ZX_ERR_INVALID_ARGS);
  /* Entries are taken in order. */
  for (int i = 0; i < 7; i++) multi[6 - i] = (zx_iovec_t){.buffer = &buffer[i], .capacity = 1};
  assert_int_equal(FAKE(T, stream_seek, s, ZX_STREAM_SEEK_ORIGIN_START, 0, 0), ZX_OK);
  assert_int_equal(FAKE(T, stream_writev, s, 0, U(multi), 7, U(&actual)), ZX_OK);
  assert_int_equal(actual, 7);
  vmo_text(v, data, 27);
  assert_string_equal(data, "6543210012klmnopqrstuvwxyz");
  /* A short write: the third entry faults after two bytes went in. */
  multi[2].buffer = (void*)16;
  assert_int_equal(FAKE(T, stream_writev_at, s, 0, 20, U(multi), 7, U(&actual)), ZX_OK);
  assert_int_equal(actual, 2);
  vmo_text(v, data, 27);
  assert_string_equal(data, "6543210012klmnopqrst65wxyz");
  assert_int_equal(info_of(s).seek, 7);
  zx_handle_t hs[] = {s, v};
  close_all(hs, 2);
}

/* Writes past the content size grow it; a write starting beyond it zeroes the gap; a VMO that
 * cannot grow cuts the write at its end, and with nothing left says NO_SPACE. */
static void test_content_size(void** state) {
  (void)state;
  char data[64];
  zx_handle_t v = alphabet_vmo(PAGE, 0, 3);
  char buffer[32] = "0123456789ABCDEF"; /* room for the 26-byte appends below */
  zx_iovec_t vec = {.buffer = buffer, .capacity = 7};
  size_t actual = 0;
  zx_handle_t s = stream(ZX_STREAM_MODE_WRITE, v, 0);
  assert_int_equal(FAKE(T, stream_writev, s, 0, U(&vec), 1, U(&actual)), ZX_OK);
  assert_int_equal(actual, 7);
  assert_int_equal(content_size(v), 7);
  /* (Setting the content size to 3 zeroed everything after it.) */
  vmo_text(v, data, 27);
  assert_string_equal(data, "0123456");
  vec.capacity = 10;
  for (uint64_t off = 7; off + 10 <= 4087; off += 10)
    assert_int_equal(FAKE(T, stream_writev_at, s, 0, off, U(&vec), 1, U(&actual)), ZX_OK);
  assert_int_equal(content_size(v), 4087);
  assert_int_equal(FAKE(T, stream_seek, s, ZX_STREAM_SEEK_ORIGIN_START, 4090, 0), ZX_OK);
  assert_int_equal(FAKE(T, stream_writev, s, 0, U(&vec), 1, U(&actual)), ZX_OK);
  assert_int_equal(actual, 6);
  assert_int_equal(content_size(v), PAGE);
  /* The gap [4087, 4090) was zeroed before the write. */
  char tail[10];
  assert_int_equal(FAKE(T, vmo_read, v, U(tail), 4086, 10), ZX_OK);
  assert_memory_equal(tail, "9\0\0\0" "012345", 10);
  actual = 9823;
  assert_int_equal(FAKE(T, stream_writev, s, 0, U(&vec), 1, U(&actual)), ZX_ERR_NO_SPACE);
  assert_int_equal(actual, 9823);
  assert_int_equal(FAKE(T, stream_writev_at, s, 0, 4100, U(&vec), 1, U(&actual)),
                   ZX_ERR_NO_SPACE);
  assert_int_equal(content_size(v), PAGE);
  assert_int_equal(vmo_size(v), PAGE);
  /* The end overflows: FILE_BIG, before anything else. */
  vec.capacity = UINT64_MAX;
  assert_int_equal(FAKE(T, stream_writev_at, s, 0, 1, U(&vec), 1, U(&actual)), ZX_ERR_FILE_BIG);
  zx_handle_t hs[] = {s, v};
  close_all(hs, 2);

  /* A gap far beyond: zeroed, and bounded by the pages that hold data. */
  zx_handle_t big = 0;
  assert_int_equal(FAKE(T, vmo_create, 6 * PAGE, 0, U(&big)), ZX_OK);
  uint64_t zero = 0;
  assert_int_equal(FAKE(T, object_set_property, big, ZX_PROP_VMO_CONTENT_SIZE, U(&zero), 8),
                   ZX_OK);
  /* Bytes beyond the content size, which the write below must zero up to its start. */
  char x[PAGE];
  memset(x, 'x', sizeof(x));
  for (int i = 0; i < 6; i++)
    assert_int_equal(FAKE(T, vmo_write, big, U(x), i * PAGE, PAGE), ZX_OK);
  s = stream(ZX_STREAM_MODE_WRITE, big, 0);
  vec = (zx_iovec_t){.buffer = buffer, .capacity = 4};
  assert_int_equal(FAKE(T, stream_writev_at, s, 0, 2 * PAGE - 2, U(&vec), 1, U(&actual)), ZX_OK);
  assert_int_equal(FAKE(T, vmo_read, big, U(x), 0, PAGE), ZX_OK);
  for (size_t i = 0; i < PAGE; i++) assert_int_equal(x[i], 0);
  assert_int_equal(FAKE(T, vmo_read, big, U(x), PAGE, PAGE), ZX_OK);
  for (size_t i = 0; i < PAGE - 2; i++) assert_int_equal(x[i], 0);
  assert_memory_equal(x + PAGE - 2, "01", 2);
  assert_int_equal(FAKE(T, vmo_read, big, U(x), 2 * PAGE, 4), ZX_OK);
  assert_memory_equal(x, "23xx", 4);
  assert_int_equal(content_size(big), 2 * PAGE + 2);
  /* A failed write beyond the content size leaves it as it was. */
  zx_iovec_t bad = {.buffer = NULL, .capacity = 42};
  assert_int_equal(FAKE(T, stream_writev_at, s, 0, 5000 + PAGE, U(&bad), 1, U(&actual)),
                   ZX_ERR_NOT_FOUND);
  assert_int_equal(content_size(big), 2 * PAGE + 2);
  zx_handle_t hs2[] = {s, big};
  close_all(hs2, 2);
}

/* The VMO grows only through a stream made from a handle with RESIZE. */
static void test_vmo_growth(void** state) {
  (void)state;
  zx_handle_t v = 0, noresize = 0;
  assert_int_equal(FAKE(T, vmo_create, PAGE, ZX_VMO_RESIZABLE, U(&v)), ZX_OK);
  zx_info_handle_basic_t b;
  assert_int_equal(FAKE(T, object_get_info, v, ZX_INFO_HANDLE_BASIC, U(&b), sizeof(b), 0, 0),
                   ZX_OK);
  assert_int_equal(FAKE(T, handle_duplicate, v, b.rights & ~ZX_RIGHT_RESIZE, U(&noresize)), ZX_OK);
  zx_handle_t grow = stream(ZX_STREAM_MODE_WRITE, v, PAGE - 1);
  zx_handle_t stay = stream(ZX_STREAM_MODE_WRITE, noresize, PAGE - 1);
  char buffer[] = "012345678";
  zx_iovec_t vec = {.buffer = buffer, .capacity = sizeof(buffer)};
  size_t actual = 0;
  assert_int_equal(FAKE(T, stream_writev, stay, 0, U(&vec), 1, U(&actual)), ZX_OK);
  assert_int_equal(actual, 1);
  actual = 0;
  assert_int_equal(FAKE(T, stream_writev, stay, 0, U(&vec), 1, U(&actual)), ZX_ERR_NO_SPACE);
  assert_int_equal(actual, 0);
  assert_int_equal(vmo_size(v), PAGE);
  assert_int_equal(FAKE(T, stream_writev, grow, 0, U(&vec), 1, U(&actual)), ZX_OK);
  assert_int_equal(actual, 10);
  assert_int_equal(vmo_size(v), 2 * PAGE);
  assert_int_equal(content_size(v), PAGE + 9);
  char data[sizeof(buffer)];
  assert_int_equal(FAKE(T, vmo_read, v, U(data), PAGE - 1, sizeof(buffer)), ZX_OK);
  assert_string_equal(data, buffer);
  /* An end that overflows when rounded to pages: OUT_OF_RANGE, nothing changes. */
  vec.capacity = 4;
  assert_int_equal(
      FAKE(T, stream_writev_at, grow, 0, 0xfffffffffffffff8ull, U(&vec), 1, U(&actual)),
      ZX_ERR_OUT_OF_RANGE);
  /* Past the largest VMO: the resize fails with OUT_OF_RANGE too. */
  assert_int_equal(
      FAKE(T, stream_writev_at, grow, 0, 0xffffffffffff0000ull, U(&vec), 1, U(&actual)),
      ZX_ERR_OUT_OF_RANGE);
  assert_int_equal(vmo_size(v), 2 * PAGE);
  assert_int_equal(content_size(v), PAGE + 9);
  vec.capacity = 10;
  assert_int_equal(FAKE(T, stream_writev_at, grow, 0, 2 * PAGE - 5, U(&vec), 1, U(&actual)), ZX_OK);
  assert_int_equal(actual, 10);
  assert_int_equal(vmo_size(v), 3 * PAGE);
  assert_int_equal(content_size(v), 2 * PAGE + 5);
  vec.capacity = UINT64_MAX;
  assert_int_equal(FAKE(T, stream_writev, grow, 0, U(&vec), 1, U(&actual)), ZX_ERR_FILE_BIG);
  assert_int_equal(vmo_size(v), 3 * PAGE);
  zx_handle_t hs[] = {grow, stay, noresize, v};
  close_all(hs, 4);
}

static void test_append(void** state) {
  (void)state;
  char data[64];
  zx_handle_t v = alphabet_vmo(PAGE, 0, 26);
  char buffer[32] = "0123456789ABCDEF"; /* room for the 26-byte appends below */
  zx_iovec_t vec = {.buffer = buffer, .capacity = 7};
  size_t actual = 0;
  zx_handle_t s = stream(ZX_STREAM_MODE_WRITE, v, 0);
  zx_info_stream_t i = info_of(s);
  assert_int_equal(i.options, ZX_STREAM_MODE_WRITE);
  assert_int_equal(i.seek, 0);
  assert_int_equal(i.content_size, 26);
  assert_int_equal(FAKE(T, stream_writev, s, ZX_STREAM_APPEND, U(&vec), 1, U(&actual)), ZX_OK);
  assert_int_equal(actual, 7);
  vmo_text(v, data, 34);
  assert_string_equal(data, "abcdefghijklmnopqrstuvwxyz0123456");
  i = info_of(s);
  assert_int_equal(i.seek, 33);
  assert_int_equal(i.content_size, 33);
  vec.capacity = 26;
  uint64_t size = 33;
  for (; size + 26 < PAGE; size += 26)
    assert_int_equal(FAKE(T, stream_writev, s, ZX_STREAM_APPEND, U(&vec), 1, U(&actual)), ZX_OK);
  assert_int_equal(FAKE(T, stream_writev, s, ZX_STREAM_APPEND, U(&vec), 1, U(&actual)), ZX_OK);
  assert_int_equal(actual, PAGE - size);
  assert_int_equal(FAKE(T, stream_writev, s, ZX_STREAM_APPEND, U(&vec), 1, U(&actual)),
                   ZX_ERR_NO_SPACE);
  vec.capacity = UINT64_MAX;
  assert_int_equal(FAKE(T, stream_writev, s, ZX_STREAM_APPEND, U(&vec), 1, U(&actual)),
                   ZX_ERR_OUT_OF_RANGE);
  /* A faulting append writes nothing, but the seek offset went to the content size. */
  assert_int_equal(FAKE(T, stream_seek, s, ZX_STREAM_SEEK_ORIGIN_START, 5, 0), ZX_OK);
  uint64_t c100 = 100;
  assert_int_equal(FAKE(T, object_set_property, v, ZX_PROP_VMO_CONTENT_SIZE, U(&c100), 8), ZX_OK);
  zx_iovec_t bad = {.buffer = (void*)8, .capacity = 4};
  assert_int_equal(FAKE(T, stream_writev, s, ZX_STREAM_APPEND, U(&bad), 1, U(&actual)),
                   ZX_ERR_NOT_FOUND);
  assert_int_equal(info_of(s).seek, 100);
  assert_int_equal(content_size(v), 100);
  /* Appending nothing changes nothing. */
  assert_int_equal(FAKE(T, stream_seek, s, ZX_STREAM_SEEK_ORIGIN_START, 5, 0), ZX_OK);
  assert_int_equal(FAKE(T, stream_writev, s, ZX_STREAM_APPEND, U(&vec), 0, U(&actual)), ZX_OK);
  assert_int_equal(info_of(s).seek, 5);

  /* The mode: every writev appends, writev_at does not. */
  uint8_t mode = 7;
  assert_int_equal(FAKE(T, object_get_property, s, ZX_PROP_STREAM_MODE_APPEND, U(&mode), 1), ZX_OK);
  assert_int_equal(mode, 0);
  assert_int_equal(FAKE(T, object_get_property, s, ZX_PROP_STREAM_MODE_APPEND, U(&mode), 0),
                   ZX_ERR_BUFFER_TOO_SMALL);
  assert_int_equal(FAKE(T, object_get_property, v, ZX_PROP_STREAM_MODE_APPEND, U(&mode), 1),
                   ZX_ERR_WRONG_TYPE);
  assert_int_equal(FAKE(T, object_set_property, v, ZX_PROP_STREAM_MODE_APPEND, U(&mode), 1),
                   ZX_ERR_WRONG_TYPE);
  assert_int_equal(FAKE(T, object_set_property, s, ZX_PROP_STREAM_MODE_APPEND, 8, 1),
                   ZX_ERR_INVALID_ARGS);
  mode = 2; /* any nonzero byte */
  assert_int_equal(FAKE(T, object_set_property, s, ZX_PROP_STREAM_MODE_APPEND, U(&mode), 1), ZX_OK);
  assert_int_equal(FAKE(T, object_get_property, s, ZX_PROP_STREAM_MODE_APPEND, U(&mode), 1), ZX_OK);
  assert_int_equal(mode, 1);
  assert_int_equal(info_of(s).options, ZX_STREAM_MODE_WRITE | ZX_STREAM_MODE_APPEND);
  vec.capacity = 4;
  assert_int_equal(FAKE(T, stream_writev, s, 0, U(&vec), 1, U(&actual)), ZX_OK);
  assert_int_equal(info_of(s).seek, 104);
  assert_int_equal(content_size(v), 104);
  assert_int_equal(FAKE(T, stream_writev_at, s, 0, 0, U(&vec), 1, U(&actual)), ZX_OK);
  assert_int_equal(content_size(v), 104);
  vmo_text(v, data, 5);
  assert_string_equal(data, "0123");
  mode = 0;
  assert_int_equal(FAKE(T, object_set_property, s, ZX_PROP_STREAM_MODE_APPEND, U(&mode), 1), ZX_OK);
  assert_int_equal(info_of(s).options, ZX_STREAM_MODE_WRITE);
  /* Streams have the property rights; one without SET_PROPERTY cannot change the mode. */
  zx_handle_t ro = 0;
  assert_int_equal(FAKE(T, handle_duplicate, s, ZX_RIGHT_GET_PROPERTY | ZX_RIGHT_WRITE, U(&ro)),
                   ZX_OK);
  assert_int_equal(FAKE(T, object_set_property, ro, ZX_PROP_STREAM_MODE_APPEND, U(&mode), 1),
                   ZX_ERR_ACCESS_DENIED);
  zx_info_stream_t ignored;
  assert_int_equal(
      FAKE(T, object_get_info, ro, ZX_INFO_STREAM, U(&ignored), sizeof(ignored), 0, 0),
      ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(T, object_get_info, v, ZX_INFO_STREAM, U(&ignored), sizeof(ignored), 0, 0),
                   ZX_ERR_WRONG_TYPE);
  zx_handle_t hs[] = {ro, s, v};
  close_all(hs, 3);
}

/* A stream over a copy-on-write child reads its parent's pages and writes only its own. */
static void test_cow_child(void** state) {
  (void)state;
  zx_handle_t parent = alphabet_vmo(2 * PAGE, 0, 26), child = 0;
  assert_int_equal(FAKE(T, vmo_create_child, parent, ZX_VMO_CHILD_SNAPSHOT, 0, PAGE, U(&child)),
                   ZX_OK);
  zx_handle_t s = stream(ZX_STREAM_MODE_READ | ZX_STREAM_MODE_WRITE, child, 0);
  char buf[8] = {0};
  zx_iovec_t vec = {.buffer = buf, .capacity = 5};
  size_t actual = 0;
  assert_int_equal(FAKE(T, stream_readv, s, 0, U(&vec), 1, U(&actual)), ZX_OK);
  assert_int_equal(actual, 5);
  assert_string_equal(buf, "abcde");
  vec = (zx_iovec_t){.buffer = "XY", .capacity = 2};
  assert_int_equal(FAKE(T, stream_writev_at, s, 0, 1, U(&vec), 1, U(&actual)), ZX_OK);
  char data[8] = {0};
  assert_int_equal(FAKE(T, vmo_read, child, U(data), 0, 4), ZX_OK);
  assert_string_equal(data, "aXYd");
  assert_int_equal(FAKE(T, vmo_read, parent, U(data), 0, 4), ZX_OK);
  assert_string_equal(data, "abcd");
  /* The parent's later writes do not show in the snapshot. */
  zx_handle_t ps = stream(ZX_STREAM_MODE_WRITE, parent, 3);
  assert_int_equal(FAKE(T, stream_writev, ps, 0, U(&vec), 1, U(&actual)), ZX_OK);
  assert_int_equal(FAKE(T, vmo_read, parent, U(data), 0, 6), ZX_OK);
  assert_string_equal(data, "abcXYf");
  memset(buf, 0, sizeof(buf));
  vec = (zx_iovec_t){.buffer = buf, .capacity = 6};
  assert_int_equal(FAKE(T, stream_readv_at, s, 0, 0, U(&vec), 1, U(&actual)), ZX_OK);
  assert_string_equal(buf, "aXYdef");
  zx_handle_t hs[] = {s, ps, child, parent};
  close_all(hs, 4);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_create, fake_fixture_start, fake_fixture_end),
      cmocka_unit_test_setup_teardown(test_seek, fake_fixture_start, fake_fixture_end),
      cmocka_unit_test_setup_teardown(test_readv, fake_fixture_start, fake_fixture_end),
      cmocka_unit_test_setup_teardown(test_writev, fake_fixture_start, fake_fixture_end),
      cmocka_unit_test_setup_teardown(test_content_size, fake_fixture_start, fake_fixture_end),
      cmocka_unit_test_setup_teardown(test_vmo_growth, fake_fixture_start, fake_fixture_end),
      cmocka_unit_test_setup_teardown(test_append, fake_fixture_start, fake_fixture_end),
      cmocka_unit_test_setup_teardown(test_cow_child, fake_fixture_start, fake_fixture_end),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
