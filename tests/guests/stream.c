/* Streams through the real trap: every zx_stream_* call's success and error paths, append (the
 * option, the mode, its property), ZX_INFO_STREAM, content size and VMO growth, and the bytes
 * agreeing with mappings of the VMO both ways, a copy-on-write child's included. */
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>

#include "guest_test.h"

#define PG 4096u

static uint64_t content_size(zx_handle_t vmo) {
  uint64_t n = 0;
  CHECK_EQ(zx_vmo_get_stream_size(vmo, &n), ZX_OK);
  return n;
}

static zx_info_stream_t info(zx_handle_t s) {
  zx_info_stream_t i;
  memset(&i, 0xff, sizeof(i));
  CHECK_EQ(zx_object_get_info(s, ZX_INFO_STREAM, &i, sizeof(i), NULL, NULL), ZX_OK);
  return i;
}

static void create_and_rights(void) {
  zx_handle_t vmo, s, ev, ro;
  CHECK_EQ(zx_vmo_create(PG, 0, &vmo), ZX_OK);
  CHECK_EQ(zx_event_create(0, &ev), ZX_OK);
  CHECK_EQ(zx_stream_create(0, ZX_HANDLE_INVALID, 0, &s), ZX_ERR_BAD_HANDLE);
  CHECK_EQ(zx_stream_create(0, ev, 0, &s), ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_stream_create(1u << 3, vmo, 0, &s), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_stream_create(0, vmo, 0, NULL), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_handle_duplicate(vmo, ZX_RIGHT_READ, &ro), ZX_OK);
  CHECK_EQ(zx_stream_create(ZX_STREAM_MODE_WRITE, ro, 0, &s), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_stream_create(ZX_STREAM_MODE_READ | ZX_STREAM_MODE_APPEND, ro, 77, &s), ZX_OK);
  zx_info_handle_basic_t b;
  CHECK_EQ(zx_object_get_info(s, ZX_INFO_HANDLE_BASIC, &b, sizeof(b), NULL, NULL), ZX_OK);
  CHECK_EQ(b.type, ZX_OBJ_TYPE_STREAM);
  CHECK_EQ(b.rights, ZX_DEFAULT_STREAM_RIGHTS | ZX_RIGHT_READ);
  zx_info_stream_t i = info(s);
  CHECK_EQ(i.options, ZX_STREAM_MODE_READ | ZX_STREAM_MODE_APPEND);
  CHECK_EQ(i.seek, 77);
  CHECK_EQ(i.content_size, PG);
  /* Too small a buffer for the record. */
  size_t actual = 9, avail = 9;
  CHECK_EQ(zx_object_get_info(s, ZX_INFO_STREAM, &i, sizeof(i) - 1, &actual, &avail),
           ZX_ERR_BUFFER_TOO_SMALL);
  /* User signals work; streams have no others. */
  CHECK_EQ(zx_object_signal(s, 0, ZX_USER_SIGNAL_1), ZX_OK);
  zx_signals_t seen = 0;
  CHECK_EQ(zx_object_wait_one(s, ZX_USER_SIGNAL_1, 0, &seen), ZX_OK);
  CHECK_EQ(zx_object_signal(s, 0, ZX_EVENT_SIGNALED), ZX_ERR_INVALID_ARGS);
  zx_handle_close(s);
  zx_handle_close(ro);
  zx_handle_close(ev);
  zx_handle_close(vmo);
}

static void seek(void) {
  zx_handle_t vmo, s;
  CHECK_EQ(zx_vmo_create(PG, 0, &vmo), ZX_OK);
  CHECK_EQ(zx_vmo_set_stream_size(vmo, 42), ZX_OK);
  zx_off_t r = 0;
  CHECK_EQ(zx_stream_create(0, vmo, 0, &s), ZX_OK);
  CHECK_EQ(zx_stream_seek(s, ZX_STREAM_SEEK_ORIGIN_START, 0, &r), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(s);
  CHECK_EQ(zx_stream_seek(vmo, ZX_STREAM_SEEK_ORIGIN_START, 0, &r), ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_stream_seek(ZX_HANDLE_INVALID, ZX_STREAM_SEEK_ORIGIN_START, 0, &r),
           ZX_ERR_BAD_HANDLE);
  CHECK_EQ(zx_stream_create(ZX_STREAM_MODE_READ, vmo, 9, &s), ZX_OK);
  CHECK_EQ(zx_stream_seek(s, 3, 0, &r), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_stream_seek(s, ZX_STREAM_SEEK_ORIGIN_START, -1, &r), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_stream_seek(s, ZX_STREAM_SEEK_ORIGIN_CURRENT, -10, &r), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_stream_seek(s, ZX_STREAM_SEEK_ORIGIN_CURRENT, -9, &r), ZX_OK);
  CHECK_EQ(r, 0);
  CHECK_EQ(zx_stream_seek(s, ZX_STREAM_SEEK_ORIGIN_END, -2, &r), ZX_OK);
  CHECK_EQ(r, 40);
  CHECK_EQ(zx_stream_seek(s, ZX_STREAM_SEEK_ORIGIN_END, INT64_MAX, &r), ZX_OK);
  CHECK_EQ(r, (uint64_t)INT64_MAX + 42);
  CHECK_EQ(zx_stream_seek(s, ZX_STREAM_SEEK_ORIGIN_CURRENT, INT64_MAX, &r), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_stream_seek(s, ZX_STREAM_SEEK_ORIGIN_END, -43, &r), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_stream_seek(s, ZX_STREAM_SEEK_ORIGIN_START, 5, NULL), ZX_OK);
  CHECK_EQ(zx_stream_seek(s, ZX_STREAM_SEEK_ORIGIN_START, 6, (zx_off_t*)8), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(info(s).seek, 6);
  zx_handle_close(s);
  zx_handle_close(vmo);
}

static void read_write(void) {
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz";
  zx_handle_t vmo, s, ro;
  CHECK_EQ(zx_vmo_create(PG, 0, &vmo), ZX_OK);
  CHECK_EQ(zx_vmo_write(vmo, alphabet, 0, 26), ZX_OK);
  CHECK_EQ(zx_vmo_set_stream_size(vmo, 26), ZX_OK);
  CHECK_EQ(zx_stream_create(ZX_STREAM_MODE_READ | ZX_STREAM_MODE_WRITE, vmo, 0, &s), ZX_OK);
  CHECK_EQ(zx_handle_duplicate(s, ZX_RIGHT_READ, &ro), ZX_OK);

  char buf[32] = {0};
  zx_iovec_t vec[3] = {{buf, 3}, {buf + 3, 0}, {buf + 3, 4}};
  size_t actual = 0;
  CHECK_EQ(zx_stream_readv(s, 0, vec, 3, &actual), ZX_OK);
  CHECK_EQ(actual, 7);
  CHECK(memcmp(buf, "abcdefg", 7) == 0);
  CHECK_EQ(zx_stream_readv(s, 1, vec, 1, &actual), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_stream_readv(s, 0, NULL, 1, &actual), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_stream_readv(s, 0, (zx_iovec_t*)8, 1, &actual), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_stream_readv(ZX_HANDLE_INVALID, 0, vec, 1, &actual), ZX_ERR_BAD_HANDLE);
  CHECK_EQ(zx_stream_readv(vmo, 0, vec, 1, &actual), ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_stream_writev(ro, 0, vec, 1, &actual), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_stream_writev_at(ro, 0, 0, vec, 1, &actual), ZX_ERR_ACCESS_DENIED);
  zx_iovec_t over[2] = {{buf, SIZE_MAX}, {buf, 1}};
  CHECK_EQ(zx_stream_readv(s, 0, over, 2, &actual), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_stream_writev(s, 0, over, 2, &actual), ZX_ERR_INVALID_ARGS);
  /* A buffer that faults: NOT_FOUND when nothing moved, a short count otherwise. */
  zx_iovec_t bad[2] = {{buf, 2}, {NULL, 5}};
  CHECK_EQ(zx_stream_readv(s, 0, bad + 1, 1, &actual), ZX_ERR_NOT_FOUND);
  CHECK_EQ(zx_stream_readv(s, 0, bad, 2, &actual), ZX_OK);
  CHECK_EQ(actual, 2);
  CHECK(memcmp(buf, "hi", 2) == 0);
  CHECK_EQ(info(s).seek, 9);
  CHECK_EQ(zx_stream_writev(s, 0, bad + 1, 1, &actual), ZX_ERR_NOT_FOUND);
  /* readv_at and writev_at leave the seek offset alone. */
  CHECK_EQ(zx_stream_readv_at(s, 0, 24, vec, 1, &actual), ZX_OK);
  CHECK_EQ(actual, 2);
  CHECK(memcmp(buf, "yz", 2) == 0);
  CHECK_EQ(zx_stream_readv_at(s, 0, 100, vec, 1, &actual), ZX_OK);
  CHECK_EQ(actual, 0);
  CHECK_EQ(zx_stream_readv_at(s, 2, 0, vec, 1, &actual), ZX_ERR_INVALID_ARGS);
  zx_iovec_t w = {"XYZ", 3};
  CHECK_EQ(zx_stream_writev_at(s, 0, 1, &w, 1, &actual), ZX_OK);
  CHECK_EQ(actual, 3);
  CHECK_EQ(zx_stream_writev_at(s, 1, 1, &w, 1, &actual), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_stream_writev_at(s, 0, 1, NULL, 1, &actual), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(info(s).seek, 9);
  CHECK_EQ(zx_stream_writev(s, 0, &w, 1, NULL), ZX_OK);
  CHECK_EQ(info(s).seek, 12);
  CHECK_EQ(zx_vmo_read(vmo, buf, 0, 13), ZX_OK);
  CHECK(memcmp(buf, "aXYZefghiXYZm", 13) == 0);
  /* A bad out pointer: the write happened, the call says INVALID_ARGS. */
  CHECK_EQ(zx_stream_writev(s, 0, &w, 1, (size_t*)8), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(info(s).seek, 15);

  /* Growth: the content size follows writes past it, gaps read as zeros, the VMO does not
   * grow (not resizable), and a write with no room left is NO_SPACE. */
  CHECK_EQ(zx_stream_writev_at(s, 0, 40, &w, 1, &actual), ZX_OK);
  CHECK_EQ(content_size(vmo), 43);
  CHECK_EQ(zx_stream_readv_at(s, 0, 24, vec, 3, &actual), ZX_OK);
  CHECK_EQ(actual, 7);
  CHECK(memcmp(buf, "yz\0\0\0\0\0", 7) == 0);
  CHECK_EQ(zx_stream_writev_at(s, 0, PG - 1, &w, 1, &actual), ZX_OK);
  CHECK_EQ(actual, 1);
  CHECK_EQ(content_size(vmo), PG);
  CHECK_EQ(zx_stream_writev_at(s, 0, PG, &w, 1, &actual), ZX_ERR_NO_SPACE);
  zx_iovec_t huge = {buf, SIZE_MAX};
  CHECK_EQ(zx_stream_writev_at(s, 0, 2, &huge, 1, &actual), ZX_ERR_FILE_BIG);
  zx_handle_close(ro);
  zx_handle_close(s);
  zx_handle_close(vmo);

  /* A resizable VMO grows through a stream made from a handle with RESIZE. */
  CHECK_EQ(zx_vmo_create(PG, ZX_VMO_RESIZABLE, &vmo), ZX_OK);
  CHECK_EQ(zx_stream_create(ZX_STREAM_MODE_WRITE, vmo, PG - 1, &s), ZX_OK);
  CHECK_EQ(zx_stream_writev(s, 0, &w, 1, &actual), ZX_OK);
  CHECK_EQ(actual, 3);
  uint64_t size = 0;
  CHECK_EQ(zx_vmo_get_size(vmo, &size), ZX_OK);
  CHECK_EQ(size, 2 * PG);
  CHECK_EQ(content_size(vmo), PG + 2);
  zx_handle_close(s);
  zx_handle_close(vmo);
}

static void append(void) {
  zx_handle_t vmo, s;
  CHECK_EQ(zx_vmo_create(PG, 0, &vmo), ZX_OK);
  CHECK_EQ(zx_vmo_set_stream_size(vmo, 0), ZX_OK);
  CHECK_EQ(zx_stream_create(ZX_STREAM_MODE_WRITE, vmo, 0, &s), ZX_OK);
  zx_iovec_t w = {"0123456789ABCDEF", 16};
  CHECK_EQ(zx_stream_writev(s, 0, &w, 1, NULL), ZX_OK);
  uint8_t mode = 9;
  CHECK_EQ(zx_object_get_property(s, ZX_PROP_STREAM_MODE_APPEND, &mode, 1), ZX_OK);
  CHECK_EQ(mode, 0);
  CHECK_EQ(zx_object_get_property(vmo, ZX_PROP_STREAM_MODE_APPEND, &mode, 1), ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_object_set_property(s, ZX_PROP_STREAM_MODE_APPEND, &mode, 0),
           ZX_ERR_BUFFER_TOO_SMALL);
  mode = 1;
  CHECK_EQ(zx_object_set_property(s, ZX_PROP_STREAM_MODE_APPEND, &mode, 1), ZX_OK);
  CHECK_EQ(info(s).options, ZX_STREAM_MODE_WRITE | ZX_STREAM_MODE_APPEND);
  CHECK_EQ(zx_stream_seek(s, ZX_STREAM_SEEK_ORIGIN_START, 10, NULL), ZX_OK);
  CHECK_EQ(zx_stream_writev(s, 0, &w, 1, NULL), ZX_OK);
  char buf[40] = {0};
  CHECK_EQ(zx_vmo_read(vmo, buf, 0, 32), ZX_OK);
  CHECK(strcmp(buf, "0123456789ABCDEF0123456789ABCDEF") == 0);
  mode = 0;
  CHECK_EQ(zx_object_set_property(s, ZX_PROP_STREAM_MODE_APPEND, &mode, 1), ZX_OK);
  zx_info_stream_t i = info(s);
  CHECK_EQ(i.options, ZX_STREAM_MODE_WRITE);
  CHECK_EQ(i.seek, 32);
  CHECK_EQ(i.content_size, 32);
  CHECK_EQ(zx_stream_seek(s, ZX_STREAM_SEEK_ORIGIN_START, 10, NULL), ZX_OK);
  CHECK_EQ(zx_stream_writev(s, 0, &w, 1, NULL), ZX_OK);
  CHECK_EQ(zx_vmo_read(vmo, buf, 0, 32), ZX_OK);
  CHECK(strcmp(buf, "01234567890123456789ABCDEFABCDEF") == 0);
  /* ZX_STREAM_APPEND appends once, without the mode; unknown options are refused. */
  size_t actual = 0;
  CHECK_EQ(zx_stream_writev(s, ZX_STREAM_APPEND, &w, 1, &actual), ZX_OK);
  CHECK_EQ(info(s).seek, 48);
  CHECK_EQ(zx_stream_writev(s, 2, &w, 1, &actual), ZX_ERR_INVALID_ARGS);
  zx_iovec_t huge = {buf, SIZE_MAX};
  CHECK_EQ(zx_stream_writev(s, ZX_STREAM_APPEND, &huge, 1, &actual), ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_vmo_set_stream_size(vmo, PG), ZX_OK);
  CHECK_EQ(zx_stream_writev(s, ZX_STREAM_APPEND, &w, 1, &actual), ZX_ERR_NO_SPACE);
  zx_handle_close(s);
  zx_handle_close(vmo);
}

/* The stream's bytes are the VMO's memory: a mapping sees what the stream wrote and the stream
 * reads what the mapping wrote; a copy-on-write child keeps its parent's old bytes. */
static void mappings(void) {
  zx_handle_t vmo, s, child, cs;
  CHECK_EQ(zx_vmo_create(2 * PG, 0, &vmo), ZX_OK);
  zx_vaddr_t addr = 0;
  CHECK_EQ(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, 2 * PG,
                       &addr),
           ZX_OK);
  volatile char* p = (volatile char*)addr;
  CHECK_EQ(zx_stream_create(ZX_STREAM_MODE_READ | ZX_STREAM_MODE_WRITE, vmo, PG - 2, &s), ZX_OK);
  zx_iovec_t w = {"hello", 5};
  CHECK_EQ(zx_stream_writev(s, 0, &w, 1, NULL), ZX_OK);
  CHECK(memcmp((const char*)p + PG - 2, "hello", 5) == 0);
  memcpy((char*)p + 100, "mapped", 6);
  char buf[8] = {0};
  zx_iovec_t r = {buf, 6};
  size_t actual = 0;
  CHECK_EQ(zx_stream_readv_at(s, 0, 100, &r, 1, &actual), ZX_OK);
  CHECK_EQ(actual, 6);
  CHECK(memcmp(buf, "mapped", 6) == 0);
  /* Reading into the mapping itself. */
  zx_iovec_t into = {(void*)(p + 200), 6};
  CHECK_EQ(zx_stream_readv_at(s, 0, 100, &into, 1, &actual), ZX_OK);
  CHECK(memcmp((const char*)p + 200, "mapped", 6) == 0);

  CHECK_EQ(zx_vmo_create_child(vmo, ZX_VMO_CHILD_SNAPSHOT, 0, 2 * PG, &child), ZX_OK);
  CHECK_EQ(zx_stream_create(ZX_STREAM_MODE_READ | ZX_STREAM_MODE_WRITE, child, 0, &cs), ZX_OK);
  /* The parent changes through its mapping and its stream; the child keeps the old bytes. */
  p[100] = 'M';
  zx_iovec_t w2 = {"J", 1};
  CHECK_EQ(zx_stream_writev_at(s, 0, 101, &w2, 1, &actual), ZX_OK);
  CHECK_EQ(zx_stream_readv_at(cs, 0, 100, &r, 1, &actual), ZX_OK);
  CHECK(memcmp(buf, "mapped", 6) == 0);
  /* The child's own writes show in a mapping of the child, not in the parent. */
  zx_vaddr_t caddr = 0;
  CHECK_EQ(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, child, 0, PG, &caddr), ZX_OK);
  zx_iovec_t w3 = {"kid", 3};
  CHECK_EQ(zx_stream_writev_at(cs, 0, 10, &w3, 1, &actual), ZX_OK);
  CHECK(memcmp((const char*)caddr + 10, "kid", 3) == 0);
  CHECK(memcmp((const char*)caddr + 100, "mapped", 6) == 0);
  CHECK_EQ(p[10], 0);
  CHECK(memcmp((const char*)p + 100, "MJpped", 6) == 0);
  CHECK_EQ(zx_vmar_unmap(zx_vmar_root_self(), caddr, PG), ZX_OK);
  CHECK_EQ(zx_vmar_unmap(zx_vmar_root_self(), addr, 2 * PG), ZX_OK);
  zx_handle_close(cs);
  zx_handle_close(child);
  zx_handle_close(s);
  zx_handle_close(vmo);
}

int main(void) {
  create_and_rights();
  seek();
  read_write();
  append();
  mappings();
  return GUEST_RESULT();
}
