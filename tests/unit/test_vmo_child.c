/* Unit tests: zx_vmo_create_child (kobj/sys_vmo.c, kobj/vmo.c, kobj/cow.c, mm/vmo.c over real
 * memfds): Zircon's check order, rights, ZX_VMO_ZERO_CHILDREN, ZX_INFO_VMO, slices, and
 * copy-on-write snapshots through zx_vmo_read/write and op_range, chains, and a parent closed
 * early. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zircon/syscalls/object.h>
#include <zum/sysno.h>

#include "kobj/handle.h"
#include "kobj/sysutil.h"
#include "kobj/vmo.h"
#include "mm/vmo.h"
#include "tests/unit/fake_host.h"

#define PG 4096u

static struct kproc* P;
static struct kthread* T;

static int setup(void** state) {
  (void)state;
  fake_boot();
  P = fake_process(NULL);
  T = fake_thread(P);
  return 0;
}

static int teardown(void** state) {
  (void)state;
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

static zx_status_t child(zx_handle_t h, uint32_t options, uint64_t off, uint64_t size,
                         zx_handle_t* out) {
  *out = 0;
  return (zx_status_t)FAKE(T, vmo_create_child, h, options, off, size, U(out));
}

static zx_handle_t clone_of(zx_handle_t h, uint64_t off, uint64_t size) {
  zx_handle_t c;
  assert_int_equal(child(h, ZX_VMO_CHILD_SNAPSHOT, off, size, &c), ZX_OK);
  return c;
}

static void put(zx_handle_t h, uint64_t off, const char* s) {
  assert_int_equal(FAKE(T, vmo_write, h, U(s), off, strlen(s)), ZX_OK);
}

static void expect(zx_handle_t h, uint64_t off, const char* s) {
  char buf[64] = {0};
  size_t n = strlen(s);
  assert_int_equal(FAKE(T, vmo_read, h, U(buf), off, n), ZX_OK);
  assert_memory_equal(buf, s, n);
}

static void expect_zero(zx_handle_t h, uint64_t off, size_t n) {
  static uint8_t buf[4 * PG], zeros[4 * PG];
  assert_true(n <= sizeof(buf));
  memset(buf, 0xAA, n);
  assert_int_equal(FAKE(T, vmo_read, h, U(buf), off, n), ZX_OK);
  assert_memory_equal(buf, zeros, n);
}

static zx_info_vmo_t info(zx_handle_t h) {
  zx_info_vmo_t i;
  size_t a, b;
  assert_int_equal(FAKE(T, object_get_info, h, ZX_INFO_VMO, U(&i), sizeof(i), U(&a), U(&b)),
                   ZX_OK);
  return i;
}

static void close_h(zx_handle_t h) { assert_int_equal(FAKE(T, handle_close, h), ZX_OK); }

static void test_check_order(void** state) {
  (void)state;
  zx_handle_t p = make_vmo(4 * PG, 0), c;
  /* Size rounding overflows before anything else, even the handle. */
  assert_int_equal(child(12345, ZX_VMO_CHILD_SNAPSHOT, 0, UINT64_MAX, &c), ZX_ERR_OUT_OF_RANGE);
  assert_int_equal(child(12345, ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_NO_WRITE |
                                    ZX_VMO_CHILD_RESIZABLE, 0, PG, &c),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(child(12345, ZX_VMO_CHILD_SNAPSHOT, 0, PG, &c), ZX_ERR_BAD_HANDLE);
  zx_handle_t ev = 0;
  assert_int_equal(FAKE(T, event_create, 0, U(&ev)), ZX_OK);
  assert_int_equal(child(ev, ZX_VMO_CHILD_SNAPSHOT, 0, PG, &c), ZX_ERR_WRONG_TYPE);
  zx_handle_t nodup = 0;
  assert_int_equal(FAKE(T, handle_duplicate, p, ZX_RIGHT_READ, U(&nodup)), ZX_OK);
  assert_int_equal(child(nodup, ZX_VMO_CHILD_SNAPSHOT, 0, PG, &c), ZX_ERR_ACCESS_DENIED);
  zx_handle_t noread = 0;
  assert_int_equal(FAKE(T, handle_duplicate, p, ZX_RIGHT_DUPLICATE, U(&noread)), ZX_OK);
  assert_int_equal(child(noread, ZX_VMO_CHILD_SNAPSHOT, 0, PG, &c), ZX_ERR_ACCESS_DENIED);
  /* Slices. */
  assert_int_equal(child(p, ZX_VMO_CHILD_SLICE | ZX_VMO_CHILD_RESIZABLE, 0, PG, &c),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(child(p, ZX_VMO_CHILD_SLICE, 1, PG, &c), ZX_ERR_INVALID_ARGS);
  assert_int_equal(child(p, ZX_VMO_CHILD_SLICE, 2 * PG, 3 * PG, &c), ZX_ERR_INVALID_ARGS);
  assert_int_equal(child(p, ZX_VMO_CHILD_SLICE, 0, MM_VMO_MAX_SIZE + PG, &c),
                   ZX_ERR_OUT_OF_RANGE);
  zx_handle_t rp = make_vmo(PG, ZX_VMO_RESIZABLE);
  assert_int_equal(child(rp, ZX_VMO_CHILD_SLICE, 0, PG, &c), ZX_ERR_NOT_SUPPORTED);
  /* References. */
  assert_int_equal(child(p, ZX_VMO_CHILD_REFERENCE | ZX_VMO_CHILD_SNAPSHOT, 0, 0, &c),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(child(p, ZX_VMO_CHILD_REFERENCE, PG, 0, &c), ZX_ERR_INVALID_ARGS);
  assert_int_equal(child(p, ZX_VMO_CHILD_REFERENCE | ZX_VMO_CHILD_RESIZABLE, 0, 0, &c),
                   ZX_ERR_NOT_SUPPORTED);
  /* Snapshots. */
  assert_int_equal(child(p, 0, 0, PG, &c), ZX_ERR_INVALID_ARGS);
  assert_int_equal(child(p, ZX_VMO_CHILD_RESIZABLE, 0, PG, &c), ZX_ERR_INVALID_ARGS);
  assert_int_equal(
      child(p, ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE, 0, PG, &c),
      ZX_ERR_INVALID_ARGS);
  assert_int_equal(child(p, ZX_VMO_CHILD_SNAPSHOT | (1u << 12), 0, PG, &c), ZX_ERR_INVALID_ARGS);
  assert_int_equal(child(p, ZX_VMO_CHILD_SNAPSHOT, PG + 1, PG, &c), ZX_ERR_INVALID_ARGS);
  assert_int_equal(child(p, ZX_VMO_CHILD_SNAPSHOT, UINT64_MAX - PG + 1, 2 * PG, &c),
                   ZX_ERR_OUT_OF_RANGE);
  assert_int_equal(child(p, ZX_VMO_CHILD_SNAPSHOT, 0, MM_VMO_MAX_SIZE + PG, &c),
                   ZX_ERR_OUT_OF_RANGE);
  zx_handle_t disc = make_vmo(PG, ZX_VMO_DISCARDABLE);
  assert_int_equal(child(disc, ZX_VMO_CHILD_SNAPSHOT, 0, PG, &c), ZX_ERR_NOT_SUPPORTED);
  assert_int_equal(FAKE(T, vmo_set_cache_policy, p, ZX_CACHE_POLICY_UNCACHED), ZX_OK);
  assert_int_equal(child(p, ZX_VMO_CHILD_SNAPSHOT, 0, PG, &c), ZX_ERR_BAD_STATE);
  assert_int_equal(child(p, ZX_VMO_CHILD_SLICE, 0, PG, &c), ZX_ERR_BAD_STATE);
  assert_true(hnd(p)->obj->signals & ZX_VMO_ZERO_CHILDREN);
  assert_int_equal(info(p).num_children, 0);
}

static void test_rights_signals_info(void** state) {
  (void)state;
  zx_handle_t p = make_vmo(4 * PG, 0);
  assert_int_equal(FAKE(T, object_set_property, p, ZX_PROP_NAME, U("dad"), 3), ZX_OK);
  zx_handle_t x = 0;
  assert_int_equal(FAKE(T, vmo_replace_as_executable, p, ZX_HANDLE_INVALID, U(&x)), ZX_OK);
  p = x;
  zx_handle_t c, s, ro, r;
  assert_int_equal(child(p, ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE, 0, 10, &c), ZX_OK);
  assert_int_equal(hnd(c)->rights, (ZX_DEFAULT_VMO_RIGHTS | ZX_RIGHT_WRITE));
  assert_false(hnd(p)->obj->signals & ZX_VMO_ZERO_CHILDREN);
  assert_true(hnd(c)->obj->signals & ZX_VMO_ZERO_CHILDREN);
  assert_int_equal(child(p, ZX_VMO_CHILD_SLICE, PG, 2 * PG, &s), ZX_OK);
  assert_int_equal(hnd(s)->rights, ZX_DEFAULT_VMO_RIGHTS | ZX_RIGHT_EXECUTE);
  assert_int_equal(child(p, ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_NO_WRITE, 0, PG, &ro), ZX_OK);
  assert_int_equal(hnd(ro)->rights, (ZX_DEFAULT_VMO_RIGHTS | ZX_RIGHT_EXECUTE) & ~ZX_RIGHT_WRITE);
  assert_int_equal(child(p, ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_RESIZABLE, 0, PG, &r), ZX_OK);
  assert_int_equal(hnd(r)->rights, ZX_DEFAULT_VMO_RIGHTS | ZX_RIGHT_RESIZE);

  zx_info_vmo_t i = info(p);
  assert_int_equal(i.num_children, 4);
  assert_int_equal(i.parent_koid, 0);
  i = info(c);
  assert_int_equal(i.parent_koid, hnd(p)->obj->koid);
  assert_int_equal(i.size_bytes, PG);
  assert_int_equal(i.flags, ZX_INFO_VMO_TYPE_PAGED | ZX_INFO_VMO_VIA_HANDLE |
                                ZX_INFO_VMO_IS_COW_CLONE);
  assert_string_equal(i.name, "dad");
  uint64_t cs = 0;
  assert_int_equal(FAKE(T, vmo_get_stream_size, c, U(&cs)), ZX_OK);
  assert_int_equal(cs, 10);
  i = info(s);
  assert_int_equal(i.flags, ZX_INFO_VMO_TYPE_PAGED | ZX_INFO_VMO_VIA_HANDLE);
  assert_int_equal(i.parent_koid, hnd(p)->obj->koid);
  assert_true(info(ro).flags & ZX_INFO_VMO_IMMUTABLE);
  assert_true(info(r).flags & ZX_INFO_VMO_RESIZABLE);
  /* Children are obstacles to a cache policy change, and so is being one. */
  assert_int_equal(FAKE(T, vmo_set_cache_policy, p, ZX_CACHE_POLICY_UNCACHED),
                   ZX_ERR_BAD_STATE);
  assert_int_equal(FAKE(T, vmo_set_cache_policy, c, ZX_CACHE_POLICY_UNCACHED),
                   ZX_ERR_BAD_STATE);

  close_h(c);
  close_h(s);
  close_h(ro);
  assert_false(hnd(p)->obj->signals & ZX_VMO_ZERO_CHILDREN);
  close_h(r);
  assert_true(hnd(p)->obj->signals & ZX_VMO_ZERO_CHILDREN);
  assert_int_equal(info(p).num_children, 0);
}

static void test_snapshot_semantics(void** state) {
  (void)state;
  zx_handle_t p = make_vmo(2 * PG, 0);
  put(p, 0, "parent-a");
  put(p, PG + 100, "second");
  /* Offset one page, four pages long: pages past the parent read as zeros. */
  zx_handle_t c = clone_of(p, PG, 4 * PG);
  expect(c, 100, "second");
  expect_zero(c, PG, 3 * PG);
  zx_handle_t c0 = clone_of(p, 0, 2 * PG);
  expect(c0, 0, "parent-a");
  assert_int_equal(info(c0).committed_bytes, 0);
  /* Parent writes never show in snapshots, child writes never in the parent. */
  put(p, 0, "PARENT-B");
  expect(c0, 0, "parent-a");
  put(c0, 2, "XY");
  expect(c0, 0, "paXYnt-a");
  expect(p, 0, "PARENT-B");
  assert_int_equal(info(c0).committed_bytes, PG);
  /* Writes past the parent's size stay the child's. */
  put(c, 2 * PG, "beyond");
  expect(c, 2 * PG, "beyond");
  /* op_range on a snapshot: ZERO gives zeros (not the parent's page again), DECOMMIT is
   * refused after the range checks, COMMIT takes copies. */
  assert_int_equal(FAKE(T, vmo_op_range, c0, ZX_VMO_OP_ZERO, 0, PG, 0, 0), ZX_OK);
  expect_zero(c0, 0, PG);
  expect(p, 0, "PARENT-B");
  assert_int_equal(FAKE(T, vmo_op_range, c0, ZX_VMO_OP_DECOMMIT, 0, 3 * PG, 0, 0),
                   ZX_ERR_OUT_OF_RANGE);
  assert_int_equal(FAKE(T, vmo_op_range, c0, ZX_VMO_OP_DECOMMIT, 1, PG, 0, 0),
                   ZX_ERR_NOT_SUPPORTED);
  assert_int_equal(FAKE(T, vmo_op_range, c, ZX_VMO_OP_COMMIT, 0, PG, 0, 0), ZX_OK);
  put(p, PG + 100, "SECOND");
  expect(c, 100, "second");
  /* A parent decommit or zero does not reach the snapshots. */
  zx_handle_t c1 = clone_of(p, 0, 2 * PG);
  assert_int_equal(FAKE(T, vmo_op_range, p, ZX_VMO_OP_DECOMMIT, 0, 2 * PG, 0, 0), ZX_OK);
  expect(c1, 0, "PARENT-B");
  expect(c1, PG + 100, "SECOND");
  close_h(c1);
  close_h(c0);
  close_h(c);
  close_h(p);
}

static void test_slice(void** state) {
  (void)state;
  zx_handle_t p = make_vmo(4 * PG, 0), s;
  assert_int_equal(child(p, ZX_VMO_CHILD_SLICE, PG, 2 * PG, &s), ZX_OK);
  put(p, PG + 5, "shared");
  expect(s, 5, "shared");
  put(s, PG, "window");
  expect(p, 2 * PG, "window");
  uint64_t size = 0;
  assert_int_equal(FAKE(T, vmo_get_size, s, U(&size)), ZX_OK);
  assert_int_equal(size, 2 * PG);
  assert_int_equal(FAKE(T, vmo_read, s, U(&size), 2 * PG, 1), ZX_ERR_OUT_OF_RANGE);
  assert_int_equal(info(s).committed_bytes, 2 * PG);
  assert_int_equal(kvmo_fd(to_kvmo(hnd(s)->obj)), kvmo_fd(to_kvmo(hnd(p)->obj)));
  assert_int_equal(kvmo_fd_offset(to_kvmo(hnd(s)->obj)), PG);
  /* A snapshot of the parent keeps its bytes when they change through the slice. */
  zx_handle_t c = clone_of(p, 0, 4 * PG);
  put(s, 5, "SHARED");
  expect(p, PG + 5, "SHARED");
  expect(c, PG + 5, "shared");
  /* A slice of a snapshot reads through to the snapshot's ancestors. */
  zx_handle_t cs;
  assert_int_equal(child(c, ZX_VMO_CHILD_SLICE, 2 * PG, PG, &cs), ZX_OK);
  expect(cs, 0, "window");
  put(cs, 0, "W");
  expect(c, 2 * PG, "Window");
  expect(p, 2 * PG, "window");
  close_h(p); /* children keep it */
  expect(cs, 0, "Window");
  close_h(cs);
  close_h(c);
  close_h(s);
}

static void test_chain_and_parent_closed(void** state) {
  (void)state;
  enum { DEPTH = 12 };
  zx_handle_t h[DEPTH];
  h[0] = make_vmo(DEPTH * PG, 0);
  put(h[0], 0, "L0");
  for (int i = 1; i < DEPTH; i++) {
    h[i] = clone_of(h[i - 1], 0, DEPTH * PG);
    char tag[8];
    snprintf(tag, sizeof(tag), "L%d", i);
    put(h[i], (uint64_t)i * PG, tag); /* each level adds its own page */
    put(h[i - 1], (uint64_t)i * PG, "no"); /* after the clone: invisible below */
  }
  for (int i = 1; i < DEPTH; i++) {
    expect(h[i], 0, "L0");
    for (int j = 1; j < DEPTH; j++) {
      char tag[8];
      if (j <= i) snprintf(tag, sizeof(tag), "L%d", j);
      else if (j == i + 1) snprintf(tag, sizeof(tag), "no");
      else tag[0] = 0;
      if (tag[0]) expect(h[i], (uint64_t)j * PG, tag);
      else expect_zero(h[i], (uint64_t)j * PG, 2);
    }
  }
  /* A write in the middle of the chain does not show below. */
  put(h[DEPTH / 2], 0, "MID");
  expect(h[DEPTH - 1], 0, "L0");
  expect(h[DEPTH / 2 + 1], 0, "L0");
  /* Ancestors closed: the deepest still reads through all of them. */
  for (int i = 0; i < DEPTH - 1; i++) close_h(h[i]);
  expect(h[DEPTH - 1], 0, "L0");
  expect(h[DEPTH - 1], 3 * PG, "L3");
  close_h(h[DEPTH - 1]);
}

static void test_resize(void** state) {
  (void)state;
  zx_handle_t p = make_vmo(2 * PG, ZX_VMO_RESIZABLE);
  put(p, PG, "tail");
  zx_handle_t c = clone_of(p, 0, 2 * PG);
  /* A shrink of the parent cuts what the child sees from it, also after regrowth. */
  assert_int_equal(FAKE(T, vmo_set_size, p, PG), ZX_OK);
  assert_int_equal(FAKE(T, vmo_set_size, p, 2 * PG), ZX_OK);
  put(p, PG, "new!");
  expect_zero(c, PG, 4);
  /* A resizable child's regrown pages are zeros too. */
  zx_handle_t r;
  put(p, 0, "head");
  assert_int_equal(child(p, ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_RESIZABLE, 0, PG, &r), ZX_OK);
  assert_int_equal(FAKE(T, vmo_set_size, r, 0), ZX_OK);
  assert_int_equal(FAKE(T, vmo_set_size, r, PG), ZX_OK);
  expect_zero(r, 0, 4);
  close_h(r);
  close_h(c);
  close_h(p);
}

static void test_reference(void** state) {
  (void)state;
  zx_handle_t p = make_vmo(PG, ZX_VMO_RESIZABLE), r, r2, s;
  assert_int_equal(child(p, ZX_VMO_CHILD_REFERENCE | ZX_VMO_CHILD_RESIZABLE, 0, 0, &r), ZX_OK);
  assert_int_equal(hnd(r)->rights, ZX_DEFAULT_VMO_RIGHTS | ZX_RIGHT_RESIZE);
  assert_false(hnd(p)->obj->signals & ZX_VMO_ZERO_CHILDREN);
  /* The same memory, size and content size. */
  put(r, 10, "through ref");
  expect(p, 10, "through ref");
  assert_int_equal(FAKE(T, vmo_set_size, r, 3 * PG + 1), ZX_OK);
  uint64_t v = 0;
  assert_int_equal(FAKE(T, vmo_get_size, p, U(&v)), ZX_OK);
  assert_int_equal(v, 4 * PG);
  assert_int_equal(FAKE(T, vmo_get_stream_size, p, U(&v)), ZX_OK);
  assert_int_equal(v, 3 * PG + 1);
  zx_info_vmo_t i = info(r);
  assert_int_equal(i.parent_koid, hnd(p)->obj->koid);
  assert_int_equal(i.committed_bytes, 0);
  assert_int_equal(i.size_bytes, 4 * PG);
  assert_int_equal(i.flags, ZX_INFO_VMO_TYPE_PAGED | ZX_INFO_VMO_VIA_HANDLE |
                                ZX_INFO_VMO_RESIZABLE);
  assert_int_equal(info(p).num_children, 1);
  /* Without RESIZABLE the handle has no RESIZE (the VMO still is resizable). */
  assert_int_equal(child(p, ZX_VMO_CHILD_REFERENCE, 0, 0, &r2), ZX_OK);
  assert_int_equal(hnd(r2)->rights, ZX_DEFAULT_VMO_RIGHTS);
  assert_int_equal(FAKE(T, vmo_set_size, r2, PG), ZX_ERR_ACCESS_DENIED);
  zx_handle_t keep = r2;
  /* A snapshot of a reference is a snapshot of the memory. */
  zx_handle_t c = clone_of(r, 0, PG);
  put(p, 10, "changed");
  expect(c, 10, "through ref");
  /* No reference of a slice. */
  zx_handle_t q = make_vmo(PG, 0);
  assert_int_equal(child(q, ZX_VMO_CHILD_SLICE, 0, PG, &s), ZX_OK);
  assert_int_equal(child(s, ZX_VMO_CHILD_REFERENCE, 0, 0, &r2), ZX_ERR_NOT_SUPPORTED);
  close_h(s);
  close_h(q);
  close_h(r);
  close_h(c);
  assert_false(hnd(p)->obj->signals & ZX_VMO_ZERO_CHILDREN); /* `keep` is one */
  close_h(keep);
  assert_true(hnd(p)->obj->signals & ZX_VMO_ZERO_CHILDREN);
  close_h(p);
}

/* A very long chain of slices of slices (each linked under the first non-slice VMO): reads and
 * pushes into a snapshot of the last, and the whole chain freed with the last handle. */
static void test_deep_slices(void** state) {
  (void)state;
  enum { DEPTH = 200000 };
  zx_handle_t h = make_vmo(4 * PG, 0);
  put(h, 2 * PG, "deep");
  for (int i = 0; i < DEPTH; i++) {
    zx_handle_t s;
    assert_int_equal(child(h, ZX_VMO_CHILD_SLICE, i == 0 ? PG : 0, 3 * PG, &s),
                     ZX_OK);
    close_h(h);
    h = s;
  }
  expect(h, PG, "deep");
  zx_handle_t c = clone_of(h, 0, 3 * PG);
  put(h, PG, "DEEP");
  expect(c, PG, "deep");
  close_h(c);
  close_h(h);
}

/* Cloning a 1 GiB VMO copies nothing: committed bytes of every clone stay 0. */
static void test_big_clones(void** state) {
  (void)state;
  zx_handle_t p = make_vmo(1ull << 30, 0);
  put(p, (1ull << 30) - PG, "end");
  for (int i = 0; i < 32; i++) {
    zx_handle_t c = clone_of(p, 0, 1ull << 30);
    expect(c, (1ull << 30) - PG, "end");
    assert_int_equal(info(c).committed_bytes, 0);
    close_h(c);
  }
  assert_int_equal(info(p).committed_bytes, PG);
  close_h(p);
}

static zx_status_t op(zx_handle_t h, uint32_t o, uint64_t off, uint64_t len) {
  return (zx_status_t)FAKE(T, vmo_op_range, h, o, off, len, 0, 0);
}

/* Zeroing, decommitting and shrinking the whole of a (near) maximum-size VMO with snapshots
 * below: the snapshots keep exactly the pages that existed, and the work follows the pages that
 * exist (a walk over the 2^50 pages of the range would never finish: this test would hang). */
static void test_huge_range_ops(void** state) {
  (void)state;
  const uint64_t size = 1ull << 62, mid = 1ull << 40, last = size - PG;
  zx_handle_t p = make_vmo(size, ZX_VMO_RESIZABLE);
  put(p, 0, "first");
  put(p, mid + 7, "middle");
  put(p, last, "last");
  zx_handle_t c = clone_of(p, 0, size);
  zx_handle_t g = clone_of(c, 0, size); /* a snapshot of the snapshot */
  /* DECOMMIT of the whole parent. */
  assert_int_equal(op(p, ZX_VMO_OP_DECOMMIT, 0, size), ZX_OK);
  expect_zero(p, 0, 8);
  expect_zero(p, mid, 16);
  expect(c, 0, "first");
  expect(c, mid + 7, "middle");
  expect(g, last, "last");
  assert_int_equal(info(p).committed_bytes, 0);
  /* Only the pages the parent had went down (to the child; the grandchild still reads them
   * through it). */
  assert_int_equal(info(c).committed_bytes, 3 * PG);
  assert_int_equal(info(g).committed_bytes, 0);
  /* ZERO of the whole parent, unaligned ends, after new writes. */
  put(p, PG, "second");
  put(p, last - PG, "penultimate");
  assert_int_equal(op(p, ZX_VMO_OP_ZERO, 5, size - 10), ZX_OK);
  expect_zero(p, PG, 8);
  expect_zero(c, PG, 8); /* the child never saw the new writes: zeros pushed, as before */
  expect(c, 0, "first");
  assert_int_equal(info(c).committed_bytes, 5 * PG);
  /* ZERO of all but the last page of the child: its own pages become zeros, the grandchild
   * keeps them; no page is written where everything above reads zeros. */
  assert_int_equal(op(c, ZX_VMO_OP_ZERO, 0, size - PG), ZX_OK);
  expect_zero(c, 0, 8);
  expect_zero(c, mid + 7, 8);
  expect(c, last, "last");
  expect(g, 0, "first");
  expect(g, mid + 7, "middle");
  expect_zero(g, PG, 8); /* the zeros pushed into the child earlier */
  assert_true(info(c).committed_bytes <= 6 * PG);
  assert_true(info(g).committed_bytes <= 6 * PG);
  /* ZERO to the end of the child: the tail is cut from its parent. */
  assert_int_equal(op(c, ZX_VMO_OP_ZERO, PG + 3, size - PG - 3), ZX_OK);
  expect_zero(c, last, 8);
  expect(g, last, "last");
  /* The content size: zeroes from the new size to the end. */
  put(p, mid, "again");
  assert_int_equal(FAKE(T, vmo_set_stream_size, p, 3), ZX_OK);
  expect_zero(p, mid, 8);
  /* A shrink of the whole parent. */
  put(p, last, "LAST");
  assert_int_equal(FAKE(T, vmo_set_size, p, PG), ZX_OK);
  expect(g, last, "last");
  expect(g, mid + 7, "middle");
  close_h(g);
  close_h(c);
  close_h(p);
  /* The largest VMO, past the part Linux can store (2^63): zeroing all of it, unaligned, in a
   * snapshot and its parent. */
  zx_handle_t u = make_vmo(0, ZX_VMO_UNBOUNDED);
  put(u, 0, "x");
  put(u, mid, "y");
  zx_handle_t cu = clone_of(u, 0, MM_VMO_MAX_SIZE);
  assert_int_equal(op(cu, ZX_VMO_OP_ZERO, 1, MM_VMO_MAX_SIZE - 2), ZX_OK);
  expect(cu, 0, "x");
  expect_zero(cu, mid, 8);
  expect(u, mid, "y");
  assert_int_equal(op(u, ZX_VMO_OP_ZERO, 0, MM_VMO_MAX_SIZE), ZX_OK);
  expect_zero(u, 0, 8);
  expect(cu, 0, "x");
  /* Zircon refuses DECOMMIT on a snapshot child (mm/vmo.c's header). */
  assert_int_equal(op(cu, ZX_VMO_OP_DECOMMIT, 0, MM_VMO_MAX_SIZE), ZX_ERR_NOT_SUPPORTED);
  close_h(cu);
  close_h(u);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_check_order, setup, teardown),
      cmocka_unit_test_setup_teardown(test_rights_signals_info, setup, teardown),
      cmocka_unit_test_setup_teardown(test_snapshot_semantics, setup, teardown),
      cmocka_unit_test_setup_teardown(test_slice, setup, teardown),
      cmocka_unit_test_setup_teardown(test_chain_and_parent_closed, setup, teardown),
      cmocka_unit_test_setup_teardown(test_resize, setup, teardown),
      cmocka_unit_test_setup_teardown(test_big_clones, setup, teardown),
      cmocka_unit_test_setup_teardown(test_reference, setup, teardown),
      cmocka_unit_test_setup_teardown(test_deep_slices, setup, teardown),
      cmocka_unit_test_setup_teardown(test_huge_range_ops, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
