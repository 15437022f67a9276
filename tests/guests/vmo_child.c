/* zx_vmo_create_child from a guest: snapshots and slices through zx_vmo_read/write and through
 * mappings in this process and in a second one (tests/helpers/vmar_helper, which reads and
 * writes its own memory on request), a clone chain of depth 10 with the ancestors closed, and a
 * 1 GiB parent cloned many times without the clones taking memory, and zeroing, decommitting and
 * shrinking the whole of a huge VMO with snapshots below (work bounded by the pages that exist:
 * a page-by-page walk would hang the supervisor). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zircon/process.h>
#include <zircon/processargs.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zum/zum.h>

#include "guest_test.h"
#include "vmar_client.h"

#define PG 4096u
#define RW (ZX_VM_PERM_READ | ZX_VM_PERM_WRITE)

static zx_handle_t make_vmo(uint64_t size) {
  zx_handle_t h = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_vmo_create(size, 0, &h), ZX_OK);
  return h;
}

static zx_handle_t snap(zx_handle_t p, uint64_t off, uint64_t size) {
  zx_handle_t c = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_vmo_create_child(p, ZX_VMO_CHILD_SNAPSHOT, off, size, &c), ZX_OK);
  return c;
}

static int reads(zx_handle_t h, uint64_t off, const char* s) {
  char buf[64] = {0};
  size_t n = strlen(s);
  if (zx_vmo_read(h, buf, off, n) != ZX_OK) return 0;
  return memcmp(buf, s, n) == 0;
}

static zx_info_vmo_t info(zx_handle_t h) {
  zx_info_vmo_t i;
  memset(&i, 0, sizeof(i));
  CHECK_EQ(zx_object_get_info(h, ZX_INFO_VMO, &i, sizeof(i), NULL, NULL), ZX_OK);
  return i;
}

static void test_read_write(void) {
  zx_handle_t p = make_vmo(2 * PG);
  CHECK_EQ(zx_vmo_write(p, "before", 0, 6), ZX_OK);
  zx_handle_t c = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_vmo_create_child(p, ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE, 0, 3 * PG, &c), ZX_OK);
  zx_signals_t sig = 0;
  CHECK_EQ(zx_object_wait_one(p, ZX_VMO_ZERO_CHILDREN, 0, &sig), ZX_ERR_TIMED_OUT);
  CHECK(reads(c, 0, "before"));
  CHECK_EQ(zx_vmo_write(p, "AFTER!", 0, 6), ZX_OK);
  CHECK(reads(c, 0, "before"));
  CHECK_EQ(zx_vmo_write(c, "mine", 0, 4), ZX_OK);
  CHECK(reads(c, 0, "minere"));
  CHECK(reads(p, 0, "AFTER!"));
  zx_info_vmo_t i = info(c);
  CHECK_EQ(i.parent_koid, info(p).koid);
  CHECK(i.flags & ZX_INFO_VMO_IS_COW_CLONE);
  CHECK_EQ(info(p).num_children, 1);
  CHECK_EQ(zx_handle_close(c), ZX_OK);
  CHECK_EQ(zx_object_wait_one(p, ZX_VMO_ZERO_CHILDREN, 0, &sig), ZX_OK);
  zx_handle_close(p);
}

static void test_mappings_here(void) {
  zx_handle_t p = make_vmo(4 * PG);
  CHECK_EQ(zx_vmo_write(p, "page0", 0, 6), ZX_OK);
  CHECK_EQ(zx_vmo_write(p, "page2", 2 * PG, 6), ZX_OK);
  zx_handle_t c = snap(p, 0, 4 * PG);
  zx_vaddr_t pa = 0, ca = 0;
  CHECK_EQ(zx_vmar_map(zx_vmar_root_self(), RW, 0, p, 0, 4 * PG, &pa), ZX_OK);
  CHECK_EQ(zx_vmar_map(zx_vmar_root_self(), RW, 0, c, 0, 4 * PG, &ca), ZX_OK);
  char* pm = (char*)pa;
  char* cm = (char*)ca;
  CHECK(strcmp(cm, "page0") == 0);
  CHECK(strcmp(cm + 2 * PG, "page2") == 0);
  /* Writes through the child's mapping stay the child's, and zx_vmo_read sees them. */
  strcpy(cm + 2 * PG, "CHILD");
  CHECK(strcmp(pm + 2 * PG, "page2") == 0);
  CHECK(reads(c, 2 * PG, "CHILD"));
  /* zx_vmo_write to the parent does not reach the mapped child. */
  CHECK_EQ(zx_vmo_write(p, "PAGE0", 0, 6), ZX_OK);
  CHECK(strcmp(pm, "PAGE0") == 0);
  CHECK(strcmp(cm, "page0") == 0);
  /* A page that was zero everywhere: a parent write after the child was mapped. */
  CHECK_EQ(zx_vmo_write(p, "late", 3 * PG, 5), ZX_OK);
  CHECK_EQ(cm[3 * PG], 0);
  /* zx_vmo_write to the child shows in its mapping. */
  CHECK_EQ(zx_vmo_write(c, "vw", PG, 3), ZX_OK);
  CHECK(strcmp(cm + PG, "vw") == 0);
  CHECK_EQ(pm[PG], 0);
  /* A slice maps its parent's pages at its offset. */
  zx_handle_t s = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_vmo_create_child(p, ZX_VMO_CHILD_SLICE, 2 * PG, 2 * PG, &s), ZX_OK);
  zx_vaddr_t sa = 0;
  CHECK_EQ(zx_vmar_map(zx_vmar_root_self(), RW, 0, s, 0, 2 * PG, &sa), ZX_OK);
  CHECK(strcmp((char*)sa, "page2") == 0);
  strcpy((char*)sa + PG, "via slice");
  CHECK(strcmp(pm + 3 * PG, "via slice") == 0);
  CHECK_EQ(zx_vmar_unmap(zx_vmar_root_self(), sa, 2 * PG), ZX_OK);
  CHECK_EQ(zx_vmar_unmap(zx_vmar_root_self(), pa, 4 * PG), ZX_OK);
  /* The parent closed and unmapped: the child's mapping keeps its bytes. */
  zx_handle_close(s);
  zx_handle_close(p);
  CHECK(strcmp(cm, "page0") == 0);
  CHECK(strcmp(cm + 2 * PG, "CHILD") == 0);
  CHECK_EQ(zx_vmar_unmap(zx_vmar_root_self(), ca, 4 * PG), ZX_OK);
  zx_handle_close(c);
}

static void test_chain(void) {
  enum { DEPTH = 10 };
  zx_handle_t h[DEPTH];
  h[0] = make_vmo(PG);
  CHECK_EQ(zx_vmo_write(h[0], "x0", 0, 2), ZX_OK);
  for (int i = 1; i < DEPTH; i++) {
    h[i] = snap(h[i - 1], 0, PG);
    char tag[3] = {'x', (char)('0' + i), 0};
    CHECK(reads(h[i], 0, (char[]){'x', (char)('0' + i - 1), 0}));
    CHECK_EQ(zx_vmo_write(h[i], tag, 0, 2), ZX_OK);
  }
  for (int i = 0; i < DEPTH - 1; i++) CHECK_EQ(zx_handle_close(h[i]), ZX_OK);
  CHECK(reads(h[DEPTH - 1], 0, "x9"));
  /* And an untouched chain reads the root's page through every level. */
  zx_handle_t root = make_vmo(PG);
  CHECK_EQ(zx_vmo_write(root, "root", 0, 4), ZX_OK);
  zx_handle_t cur = root;
  for (int i = 0; i < DEPTH; i++) {
    zx_handle_t next = snap(cur, 0, PG);
    CHECK_EQ(zx_handle_close(cur), ZX_OK);
    cur = next;
  }
  CHECK(reads(cur, 0, "root"));
  zx_vaddr_t a = 0;
  CHECK_EQ(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, cur, 0, PG, &a), ZX_OK);
  CHECK(strcmp((char*)a, "root") == 0);
  CHECK_EQ(zx_vmar_unmap(zx_vmar_root_self(), a, PG), ZX_OK);
  zx_handle_close(cur);
  zx_handle_close(h[DEPTH - 1]);
}

static void test_big(void) {
  const uint64_t GB = 1ull << 30;
  zx_handle_t p = make_vmo(GB);
  CHECK_EQ(zx_vmo_write(p, "last", GB - PG, 4), ZX_OK);
  uint64_t total = 0;
  for (int i = 0; i < 64; i++) {
    zx_handle_t c = snap(p, 0, GB);
    CHECK(reads(c, GB - PG, "last"));
    total += info(c).committed_bytes;
    zx_handle_close(c);
  }
  CHECK_EQ(total, 0);
  CHECK_EQ(info(p).committed_bytes, PG);
  zx_handle_close(p);
}

/* Zeroing most of a huge VMO that has a child: only the pages holding data are looked at
 * (a page with no data reads as zero before and after), so this is as quick as for a small
 * VMO. It used to visit every page of the range, 2^50 of them, and stop the supervisor. */
static void test_huge_zero(void) {
  const uint64_t HUGE = 1ull << 62;
  zx_handle_t p;
  CHECK_EQ(zx_vmo_create(HUGE, ZX_VMO_RESIZABLE, &p), ZX_OK);
  CHECK_EQ(zx_vmo_write(p, "here", HUGE - 2 * PG, 4), ZX_OK);
  zx_handle_t c = snap(p, HUGE - 4 * PG, 4 * PG);
  zx_instant_mono_t t0 = zx_clock_get_monotonic();
  CHECK_EQ(zx_vmo_op_range(p, ZX_VMO_OP_DECOMMIT, 0, HUGE, NULL, 0), ZX_OK);
  CHECK(reads(c, 2 * PG, "here")); /* the snapshot got the page before it went */
  CHECK_EQ(zx_vmo_write(p, "more", PG, 4), ZX_OK);
  CHECK_EQ(zx_vmo_set_stream_size(p, 0), ZX_OK);
  CHECK_EQ(zx_vmo_set_size(p, PG), ZX_OK);
  CHECK(zx_clock_get_monotonic() - t0 < ZX_SEC(10));
  zx_handle_close(c);
  zx_handle_close(p);
}

/* ---- a second process */

static void test_other_process(void) {
  zx_handle_t mine, proc;
  zx_handle_t vmar = start_vmar_helper(&proc, &mine);
  zx_signals_t seen = 0;
  if (!vmar) return;

  zx_handle_t p = make_vmo(2 * PG);
  CHECK_EQ(zx_vmo_write(p, "original", PG, 9), ZX_OK);
  zx_handle_t c = snap(p, 0, 2 * PG);
  zx_handle_t c2 = snap(p, 0, 2 * PG);
  zx_vaddr_t a = 0, a2 = 0, mine_a = 0;
  CHECK_EQ(zx_vmar_map(vmar, RW, 0, c, 0, 2 * PG, &a), ZX_OK);
  CHECK_EQ(zx_vmar_map(vmar, RW, 0, c2, 0, 2 * PG, &a2), ZX_OK);
  CHECK_EQ(zx_vmar_map(zx_vmar_root_self(), RW, 0, c, 0, 2 * PG, &mine_a), ZX_OK);
  char reply[VMAR_PROTO_MAX];
  ask(mine, VMAR_REQ_READ, a + PG, NULL, 9, reply);
  CHECK(strcmp(reply, "original") == 0);
  /* Their write to one clone: seen here through the same clone, not in the other or the
   * parent. */
  ask(mine, VMAR_REQ_WRITE, a + PG, "theirs!!", 9, reply);
  CHECK(strcmp(reply, "ok") == 0);
  CHECK(strcmp((char*)mine_a + PG, "theirs!!") == 0);
  CHECK(reads(c, PG, "theirs!!"));
  CHECK(reads(p, PG, "original"));
  ask(mine, VMAR_REQ_READ, a2 + PG, NULL, 9, reply);
  CHECK(strcmp(reply, "original") == 0);
  /* A parent write through zx_vmo_write reaches neither clone. */
  CHECK_EQ(zx_vmo_write(p, "PARENT", PG, 7), ZX_OK);
  ask(mine, VMAR_REQ_READ, a2 + PG, NULL, 9, reply);
  CHECK(strcmp(reply, "original") == 0);
  ask(mine, VMAR_REQ_EXIT, 0, NULL, 0, reply);
  CHECK_EQ(zx_object_wait_one(proc, ZX_PROCESS_TERMINATED, ZX_TIME_INFINITE, &seen), ZX_OK);
  CHECK_EQ(zx_vmar_unmap(zx_vmar_root_self(), mine_a, 2 * PG), ZX_OK);
  zx_handle_close(c);
  zx_handle_close(c2);
  zx_handle_close(p);
  zx_handle_close(vmar);
  zx_handle_close(proc);
  zx_handle_close(mine);
}

static int zeros(zx_handle_t h, uint64_t off) {
  char buf[16];
  memset(buf, 0x55, sizeof(buf));
  if (zx_vmo_read(h, buf, off, sizeof(buf)) != ZX_OK) return 0;
  for (size_t i = 0; i < sizeof(buf); i++)
    if (buf[i]) return 0;
  return 1;
}

static void test_huge_ranges(void) {
  const uint64_t size = 1ull << 62, mid = 1ull << 40, last = size - PG;
  zx_handle_t p = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_vmo_create(size, ZX_VMO_RESIZABLE, &p), ZX_OK);
  CHECK_EQ(zx_vmo_write(p, "first", 0, 5), ZX_OK);
  CHECK_EQ(zx_vmo_write(p, "middle", mid + 7, 6), ZX_OK);
  CHECK_EQ(zx_vmo_write(p, "last", last, 4), ZX_OK);
  zx_handle_t c = snap(p, 0, size);
  zx_handle_t g = snap(c, 0, size);
  CHECK_EQ(zx_vmo_op_range(p, ZX_VMO_OP_DECOMMIT, 0, size, NULL, 0), ZX_OK);
  CHECK(zeros(p, 0));
  CHECK(zeros(p, mid));
  CHECK(reads(c, 0, "first"));
  CHECK(reads(c, mid + 7, "middle"));
  CHECK(reads(g, last, "last"));
  CHECK_EQ(info(p).committed_bytes, 0);
  CHECK_EQ(info(c).committed_bytes, 3 * PG);
  CHECK_EQ(zx_vmo_write(p, "second", PG, 6), ZX_OK);
  CHECK_EQ(zx_vmo_op_range(p, ZX_VMO_OP_ZERO, 5, size - 10, NULL, 0), ZX_OK);
  CHECK(zeros(p, PG));
  CHECK(zeros(c, PG));
  CHECK(reads(c, 0, "first"));
  /* The snapshot zeroes all of itself: the grandchild keeps what it saw. */
  CHECK_EQ(zx_vmo_op_range(c, ZX_VMO_OP_ZERO, 0, size - PG, NULL, 0), ZX_OK);
  CHECK(zeros(c, 0));
  CHECK(reads(c, last, "last"));
  CHECK_EQ(zx_vmo_op_range(c, ZX_VMO_OP_ZERO, 3, size - 3, NULL, 0), ZX_OK);
  CHECK(zeros(c, last));
  CHECK(reads(g, 0, "first"));
  CHECK(reads(g, mid + 7, "middle"));
  CHECK(reads(g, last, "last"));
  CHECK(info(c).committed_bytes <= 4 * PG);
  /* The content size and a shrink of the whole parent. */
  CHECK_EQ(zx_vmo_write(p, "again", mid, 5), ZX_OK);
  CHECK_EQ(zx_vmo_set_stream_size(p, 3), ZX_OK);
  CHECK(zeros(p, mid));
  CHECK_EQ(zx_vmo_set_size(p, PG), ZX_OK);
  CHECK(reads(g, last, "last"));
  CHECK_EQ(zx_handle_close(g), ZX_OK);
  CHECK_EQ(zx_handle_close(c), ZX_OK);
  CHECK_EQ(zx_handle_close(p), ZX_OK);
}

int main(void) {
  test_read_write();
  test_mappings_here();
  test_chain();
  test_big();
  test_huge_zero();
  test_other_process();
  test_huge_ranges();
  return GUEST_RESULT();
}
