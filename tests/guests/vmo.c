/* VMOs through the real trap: create, read/write, sizes, content size, op_range, info, names,
 * replace_as_executable and the error paths. (Mappings are tested by tests/guests/vmar.c.) */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zircon/syscalls/object.h>

#include "guest_test.h"

#define PG 4096u

static zx_handle_t make(uint64_t size, uint32_t options) {
  zx_handle_t h = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_vmo_create(size, options, &h), ZX_OK);
  return h;
}

static zx_info_vmo_t info(zx_handle_t h) {
  zx_info_vmo_t i;
  memset(&i, 0, sizeof(i));
  CHECK_EQ(zx_object_get_info(h, ZX_INFO_VMO, &i, sizeof(i), NULL, NULL), ZX_OK);
  return i;
}

static zx_rights_t rights_of(zx_handle_t h) {
  zx_info_handle_basic_t b;
  memset(&b, 0, sizeof(b));
  CHECK_EQ(zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &b, sizeof(b), NULL, NULL), ZX_OK);
  return b.rights;
}

static int all(zx_handle_t h, uint64_t off, size_t len, uint8_t byte) {
  static uint8_t b[64 * 1024];
  if (len > sizeof(b)) return 0;
  memset(b, byte ^ 0xff, len);
  if (zx_vmo_read(h, b, off, len) != ZX_OK) return 0;
  for (size_t i = 0; i < len; i++)
    if (b[i] != byte) return 0;
  return 1;
}

static void fill(zx_handle_t h, uint64_t off, size_t len, uint8_t byte) {
  static uint8_t b[64 * 1024];
  memset(b, byte, len);
  CHECK_EQ(zx_vmo_write(h, b, off, len), ZX_OK);
}

static void test_create(void) {
  zx_handle_t h = make(100, 0);
  uint64_t size = 0;
  CHECK_EQ(zx_vmo_get_size(h, &size), ZX_OK);
  CHECK_EQ(size, PG);
  CHECK_EQ(zx_vmo_get_stream_size(h, &size), ZX_OK);
  CHECK_EQ(size, 100);
  CHECK_EQ(rights_of(h), ZX_DEFAULT_VMO_RIGHTS);
  zx_signals_t seen = 0;
  CHECK_EQ(zx_object_wait_one(h, ZX_VMO_ZERO_CHILDREN, 0, &seen), ZX_OK);
  CHECK(seen & ZX_VMO_ZERO_CHILDREN);
  zx_handle_close(h);

  h = make(0, ZX_VMO_RESIZABLE);
  CHECK_EQ(zx_vmo_get_size(h, &size), ZX_OK);
  CHECK_EQ(size, 0);
  CHECK_EQ(rights_of(h), ZX_DEFAULT_VMO_RIGHTS | ZX_RIGHT_RESIZE);
  zx_handle_close(h);

  zx_handle_t x = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_vmo_create(UINT64_MAX, 0, &x), ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_vmo_create(PG, 1u << 7, &x), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmo_create(PG, ZX_VMO_TRAP_DIRTY, &x), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmo_create(PG, ZX_VMO_RESIZABLE | ZX_VMO_UNBOUNDED, &x), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmo_create(PG, 0, (zx_handle_t*)8), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(x, ZX_HANDLE_INVALID);

  h = make(10, ZX_VMO_UNBOUNDED);
  CHECK_EQ(zx_vmo_get_size(h, &size), ZX_OK);
  CHECK_EQ(size, 0xFFFFFFFFFFFE0000ull);
  CHECK_EQ(zx_vmo_get_stream_size(h, &size), ZX_OK);
  CHECK_EQ(size, 10);
  zx_handle_close(h);
}

static void test_read_write(void) {
  zx_handle_t h = make(3 * PG, 0);
  CHECK(all(h, 0, 3 * PG, 0)); /* zero fill */
  const char msg[] = "the quick brown fox";
  CHECK_EQ(zx_vmo_write(h, msg, PG - 4, sizeof(msg)), ZX_OK);
  char got[sizeof(msg)];
  memset(got, 0, sizeof(got));
  CHECK_EQ(zx_vmo_read(h, got, PG - 4, sizeof(got)), ZX_OK);
  CHECK(memcmp(got, msg, sizeof(msg)) == 0);

  char b[8];
  CHECK_EQ(zx_vmo_read(h, b, 3 * PG - 4, 8), ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_vmo_write(h, b, 3 * PG - 4, 8), ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_vmo_read(h, b, 3 * PG, 0), ZX_OK);
  CHECK_EQ(zx_vmo_read(h, b, 3 * PG + 1, 0), ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_vmo_read(h, b, UINT64_MAX, 2), ZX_ERR_OUT_OF_RANGE);

  zx_handle_t ro = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(h, ZX_RIGHT_READ, &ro), ZX_OK);
  CHECK_EQ(zx_vmo_write(ro, b, 0, 1), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_vmo_read(ro, b, 0, 1), ZX_OK);
  zx_handle_close(ro);
  zx_handle_t e = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_event_create(0, &e), ZX_OK);
  CHECK_EQ(zx_vmo_read(e, b, 0, 1), ZX_ERR_WRONG_TYPE);
  zx_handle_close(e);
  CHECK_EQ(zx_vmo_read(e, b, 0, 1), ZX_ERR_BAD_HANDLE);

  /* Big transfers cross the supervisor's chunks. */
  static uint8_t big[200 * 1024], back[200 * 1024];
  zx_handle_t v = make(sizeof(big) + PG, 0);
  for (size_t i = 0; i < sizeof(big); i++) big[i] = (uint8_t)(i * 13 + 7);
  CHECK_EQ(zx_vmo_write(v, big, 77, sizeof(big)), ZX_OK);
  CHECK_EQ(zx_vmo_read(v, back, 77, sizeof(back)), ZX_OK);
  CHECK(memcmp(big, back, sizeof(big)) == 0);
  zx_handle_close(v);
  zx_handle_close(h);
}

static void test_bad_buffers(void) {
  zx_handle_t h = make(4 * PG, 0);
  CHECK_EQ(zx_vmo_read(h, NULL, 0, 16), ZX_ERR_NOT_FOUND);
  CHECK_EQ(zx_vmo_write(h, (void*)8, 0, 16), ZX_ERR_NOT_FOUND);
  /* Three pages of which the last is inaccessible: what precedes it is transferred. */
  uint8_t* p = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECK(p != MAP_FAILED);
  if (p == MAP_FAILED) return;
  memset(p, 0x5c, 3 * PG);
  CHECK_EQ(mprotect(p + 2 * PG, PG, PROT_NONE), 0);
  CHECK_EQ(zx_vmo_write(h, p, 0, 3 * PG), ZX_ERR_NOT_FOUND);
  CHECK(all(h, 0, 2 * PG, 0x5c));
  CHECK(all(h, 2 * PG, 2 * PG, 0));
  memset(p, 0, 2 * PG);
  fill(h, 0, 4 * PG, 0x3d);
  CHECK_EQ(zx_vmo_read(h, p, 0, 3 * PG), ZX_ERR_NOT_FOUND);
  CHECK_EQ(p[0], 0x3d);
  CHECK_EQ(p[2 * PG - 1], 0x3d);
  /* A read-only destination faults too. */
  CHECK_EQ(mprotect(p, PG, PROT_READ), 0);
  CHECK_EQ(zx_vmo_read(h, p, 0, 16), ZX_ERR_NOT_FOUND);
  munmap(p, 3 * PG);
  zx_handle_close(h);
}

static void test_sizes(void) {
  zx_handle_t h = make(2 * PG, 0);
  CHECK_EQ(zx_vmo_set_size(h, PG), ZX_ERR_UNAVAILABLE);
  uint64_t size = 0;
  CHECK_EQ(zx_vmo_get_size(h, (uint64_t*)8), ZX_ERR_INVALID_ARGS);
  zx_handle_close(h);

  h = make(2 * PG, ZX_VMO_RESIZABLE);
  zx_handle_t w = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(h, ZX_RIGHT_WRITE, &w), ZX_OK);
  CHECK_EQ(zx_vmo_set_size(w, PG), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(w);
  fill(h, 0, 2 * PG, 0xaa);
  CHECK_EQ(zx_vmo_set_size(h, PG + 1), ZX_OK);
  CHECK_EQ(zx_vmo_get_size(h, &size), ZX_OK);
  CHECK_EQ(size, 2 * PG);
  CHECK_EQ(zx_vmo_get_stream_size(h, &size), ZX_OK);
  CHECK_EQ(size, PG + 1);
  CHECK(all(h, 0, PG + 1, 0xaa));
  CHECK(all(h, PG + 1, PG - 1, 0));
  CHECK_EQ(zx_vmo_set_size(h, 5 * PG), ZX_OK);
  CHECK(all(h, PG + 1, 4 * PG - 1, 0));
  CHECK_EQ(zx_vmo_set_size(h, UINT64_MAX), ZX_ERR_OUT_OF_RANGE);

  /* Stream size. */
  CHECK_EQ(zx_vmo_set_stream_size(h, 6 * PG), ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_vmo_set_stream_size(h, 10), ZX_OK);
  CHECK(all(h, 0, 10, 0xaa));
  CHECK(all(h, 10, PG - 10, 0));
  /* ZX_PROP_VMO_CONTENT_SIZE is the same number. */
  uint64_t cs = 0;
  CHECK_EQ(zx_object_get_property(h, ZX_PROP_VMO_CONTENT_SIZE, &cs, sizeof(cs)), ZX_OK);
  CHECK_EQ(cs, 10);
  cs = 3 * PG;
  CHECK_EQ(zx_object_set_property(h, ZX_PROP_VMO_CONTENT_SIZE, &cs, sizeof(cs)), ZX_OK);
  CHECK_EQ(zx_vmo_get_stream_size(h, &size), ZX_OK);
  CHECK_EQ(size, 3 * PG);
  CHECK_EQ(zx_object_set_property(h, ZX_PROP_VMO_CONTENT_SIZE, &cs, 4), ZX_ERR_BUFFER_TOO_SMALL);
  CHECK_EQ(zx_object_get_property(h, ZX_PROP_VMO_CONTENT_SIZE, NULL, 8), ZX_ERR_INVALID_ARGS);
  zx_handle_t nw = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(h, ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_WRITE, &nw), ZX_OK);
  CHECK_EQ(zx_object_set_property(nw, ZX_PROP_VMO_CONTENT_SIZE, &cs, sizeof(cs)),
           ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_object_get_property(nw, ZX_PROP_VMO_CONTENT_SIZE, &cs, sizeof(cs)), ZX_OK);
  zx_handle_close(nw);
  zx_handle_close(h);
}

static void test_op_range(void) {
  zx_handle_t h = make(4 * PG, 0);
  CHECK_EQ(info(h).committed_bytes, 0);
  CHECK_EQ(zx_vmo_op_range(h, ZX_VMO_OP_COMMIT, 1, PG, NULL, 0), ZX_OK);
  CHECK_EQ(info(h).committed_bytes, 2 * PG);
  CHECK_EQ(zx_vmo_op_range(h, ZX_VMO_OP_COMMIT, 0, 5 * PG, NULL, 0), ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_vmo_op_range(h, ZX_VMO_OP_DECOMMIT, 1, PG, NULL, 0), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmo_op_range(h, ZX_VMO_OP_DECOMMIT, 0, 2 * PG, NULL, 0), ZX_OK);
  CHECK_EQ(info(h).committed_bytes, 0);

  fill(h, 0, 4 * PG, 0x42);
  CHECK_EQ(info(h).committed_bytes, 4 * PG);
  CHECK_EQ(zx_vmo_op_range(h, ZX_VMO_OP_ZERO, 10, 2 * PG, NULL, 0), ZX_OK);
  CHECK(all(h, 0, 10, 0x42));
  CHECK(all(h, 10, 2 * PG, 0));
  CHECK(all(h, 2 * PG + 10, 2 * PG - 10, 0x42));
  CHECK_EQ(info(h).committed_bytes, 3 * PG); /* page 1 freed */
  CHECK_EQ(zx_vmo_op_range(h, ZX_VMO_OP_ZERO, 4 * PG, 1, NULL, 0), ZX_ERR_OUT_OF_RANGE);

  zx_handle_t ro = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(h, ZX_RIGHT_READ, &ro), ZX_OK);
  CHECK_EQ(zx_vmo_op_range(ro, ZX_VMO_OP_COMMIT, 0, PG, NULL, 0), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_vmo_op_range(ro, ZX_VMO_OP_ZERO, 0, PG, NULL, 0), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_vmo_op_range(ro, ZX_VMO_OP_CACHE_SYNC, 0, PG, NULL, 0), ZX_OK);
  CHECK_EQ(zx_vmo_op_range(ro, ZX_VMO_OP_CACHE_CLEAN, 0, 0, NULL, 0), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmo_op_range(ro, ZX_VMO_OP_CACHE_CLEAN_INVALIDATE, 0, 5 * PG, NULL, 0),
           ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_vmo_op_range(ro, ZX_VMO_OP_CACHE_INVALIDATE, 0, PG, NULL, 0),
           ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_vmo_op_range(ro, ZX_VMO_OP_DONT_NEED, 0, UINT64_MAX, NULL, 0), ZX_OK);
  CHECK_EQ(zx_vmo_op_range(ro, ZX_VMO_OP_ALWAYS_NEED, 0, PG, NULL, 0), ZX_OK);
  CHECK_EQ(zx_vmo_op_range(ro, ZX_VMO_OP_PREFETCH, 0, PG, NULL, 0), ZX_OK);
  CHECK_EQ(zx_vmo_op_range(ro, ZX_VMO_OP_LOCK, 0, 4 * PG, NULL, 0), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_vmo_op_range(ro, 5, 0, PG, NULL, 0), ZX_ERR_INVALID_ARGS);
  zx_handle_close(ro);
  zx_handle_close(h);

  /* Discardable VMOs lock and unlock as a whole. */
  h = make(2 * PG, ZX_VMO_DISCARDABLE);
  zx_vmo_lock_state_t st;
  memset(&st, 0xff, sizeof(st));
  CHECK_EQ(zx_vmo_op_range(h, ZX_VMO_OP_LOCK, 0, 2 * PG, &st, sizeof(st)), ZX_OK);
  CHECK_EQ(st.offset, 0);
  CHECK_EQ(st.size, 2 * PG);
  CHECK_EQ(st.discarded_size, 0);
  CHECK_EQ(zx_vmo_op_range(h, ZX_VMO_OP_LOCK, 0, PG, &st, sizeof(st)), ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zx_vmo_op_range(h, ZX_VMO_OP_LOCK, 0, 2 * PG, &st, 8), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmo_op_range(h, ZX_VMO_OP_TRY_LOCK, 0, 2 * PG, NULL, 0), ZX_OK);
  CHECK_EQ(zx_vmo_op_range(h, ZX_VMO_OP_UNLOCK, 0, 2 * PG, NULL, 0), ZX_OK);
  CHECK_EQ(zx_vmo_op_range(h, ZX_VMO_OP_UNLOCK, 0, 2 * PG, NULL, 0), ZX_OK);
  CHECK_EQ(zx_vmo_op_range(h, ZX_VMO_OP_UNLOCK, 0, 2 * PG, NULL, 0), ZX_ERR_BAD_STATE);
  CHECK_EQ(info(h).flags & ZX_INFO_VMO_DISCARDABLE, ZX_INFO_VMO_DISCARDABLE);
  zx_handle_close(h);
}

static void test_cache_policy(void) {
  zx_handle_t h = make(PG, 0);
  CHECK_EQ(zx_vmo_set_cache_policy(h, 4), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_vmo_set_cache_policy(h, ZX_CACHE_POLICY_UNCACHED), ZX_OK);
  CHECK_EQ(info(h).cache_policy, ZX_CACHE_POLICY_UNCACHED);
  char b[4];
  CHECK_EQ(zx_vmo_read(h, b, 0, sizeof(b)), ZX_ERR_BAD_STATE);
  CHECK_EQ(zx_vmo_write(h, b, 0, sizeof(b)), ZX_ERR_BAD_STATE);
  CHECK_EQ(zx_vmo_set_cache_policy(h, ZX_CACHE_POLICY_CACHED), ZX_OK);
  CHECK_EQ(zx_vmo_read(h, b, 0, sizeof(b)), ZX_OK);
  zx_handle_t nomap = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(h, ZX_RIGHT_READ | ZX_RIGHT_WRITE, &nomap), ZX_OK);
  CHECK_EQ(zx_vmo_set_cache_policy(nomap, ZX_CACHE_POLICY_CACHED), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(nomap);
  zx_handle_close(h);
}

static void test_info_and_name(void) {
  zx_handle_t h = make(2 * PG, ZX_VMO_RESIZABLE);
  const char name[] = "guest-vmo";
  CHECK_EQ(zx_object_set_property(h, ZX_PROP_NAME, name, sizeof(name) - 1), ZX_OK);
  char got[ZX_MAX_NAME_LEN];
  CHECK_EQ(zx_object_get_property(h, ZX_PROP_NAME, got, sizeof(got)), ZX_OK);
  CHECK(strcmp(got, name) == 0);
  fill(h, 0, 10, 1);
  zx_info_vmo_t i = info(h);
  zx_info_handle_basic_t b;
  CHECK_EQ(zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &b, sizeof(b), NULL, NULL), ZX_OK);
  CHECK_EQ(i.koid, b.koid);
  CHECK(strcmp(i.name, name) == 0);
  CHECK_EQ(i.size_bytes, 2 * PG);
  CHECK_EQ(i.flags, ZX_INFO_VMO_TYPE_PAGED | ZX_INFO_VMO_RESIZABLE | ZX_INFO_VMO_VIA_HANDLE);
  CHECK_EQ(i.committed_bytes, PG);
  CHECK_EQ(i.handle_rights, ZX_DEFAULT_VMO_RIGHTS | ZX_RIGHT_RESIZE);
  CHECK_EQ(i.num_mappings, 0);
  CHECK_EQ(i.share_count, 1);
  /* The V1 record: a prefix. */
  zx_info_vmo_v1_t v1;
  size_t actual = 0, avail = 0;
  CHECK_EQ(zx_object_get_info(h, ZX_INFO_VMO_V1, &v1, sizeof(v1), &actual, &avail), ZX_OK);
  CHECK_EQ(actual, 1);
  CHECK_EQ(v1.koid, i.koid);
  CHECK_EQ(v1.committed_bytes, PG);
  CHECK_EQ(v1.cache_policy, 0);
  CHECK_EQ(zx_object_get_info(h, ZX_INFO_VMO, &i, sizeof(v1), &actual, &avail),
           ZX_ERR_BUFFER_TOO_SMALL);
  CHECK_EQ(actual, 0);
  CHECK_EQ(avail, 1);
  zx_handle_t e = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_event_create(0, &e), ZX_OK);
  CHECK_EQ(zx_object_get_info(e, ZX_INFO_VMO, &i, sizeof(i), NULL, NULL), ZX_ERR_WRONG_TYPE);
  zx_handle_close(e);
  zx_handle_close(h);
}

static void test_replace_as_executable(void) {
  zx_handle_t h = make(PG, 0), x = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_vmo_replace_as_executable(h, ZX_HANDLE_INVALID, &x), ZX_OK);
  CHECK_EQ(rights_of(x), ZX_DEFAULT_VMO_RIGHTS | ZX_RIGHT_EXECUTE);
  CHECK_EQ(zx_handle_close(h), ZX_ERR_BAD_HANDLE); /* consumed */
  zx_handle_t e = ZX_HANDLE_INVALID, y = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_event_create(0, &e), ZX_OK);
  CHECK_EQ(zx_vmo_replace_as_executable(x, e, &y), ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_handle_close(x), ZX_ERR_BAD_HANDLE);
  CHECK_EQ(zx_vmo_replace_as_executable(e, ZX_HANDLE_INVALID, &y), ZX_ERR_BAD_HANDLE);
  CHECK_EQ(zx_handle_close(e), ZX_ERR_BAD_HANDLE);
  CHECK_EQ(y, ZX_HANDLE_INVALID);
}

int main(void) {
  test_create();
  test_read_write();
  test_bad_buffers();
  test_sizes();
  test_op_range();
  test_cache_policy();
  test_info_and_name();
  test_replace_as_executable();
  return GUEST_RESULT();
}
