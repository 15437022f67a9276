/* Copy-on-write children mapped into this process: what a mapping of a snapshot shows
 * at its first touch, on the userfaultfd path and on the eager fallback (tests/cow-fallback.sh
 * runs this program again with ZUM_NO_UFFD=1).
 *
 *  - both snapshot flavours: the parent's bytes at clone time through the child's mapping (read
 *    first and write first), the child's writes never in the parent (zx_vmo_read, a mapping);
 *  - SNAPSHOT: the parent's later writes, through zx_vmo_write and through writable mappings of
 *    the parent made before and after the clone, never in the child, whether the child's page was
 *    touched yet or not;
 *  - children at an offset, larger than the parent, mapped at an offset, mapped twice, mapped
 *    over (the old fault source forgotten, trimmed or split);
 *  - a chain of depth 10, every level mapped, with random writes through mappings and
 *    zx_vmo_write checked against a model;
 *  - the supervisor touching pages of a child mapping that no one touched yet: zx_vmo_write and
 *    zx_channel_write from them, zx_vmo_read, zx_channel_read, zx_object_get_info and
 *    zx_process_read/write_memory into them;
 *  - memory: the committed bytes of a mapped 1 GiB child after one touch, a 1 GiB parent cloned,
 *    mapped and touched 32 times without growth (memfds, shmem, the
 *    process's RSS). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>

#include "guest_test.h"
#include "cow_util.h"

static zx_handle_t make_vmo(uint64_t size) {
  zx_handle_t h = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_vmo_create(size, 0, &h), ZX_OK);
  return h;
}

/* ---- both flavours: clone-time bytes, the child's writes stay the child's */

static void test_flavour(uint32_t flavour) {
  enum { N = 8 };
  /* Pages 2, 4 and 6 are holes (zeros); the others hold data. */
  static const uint32_t tag_of[N] = {1, 1, 0, 1, 0, 1, 0, 1};
  zx_handle_t p = make_vmo(N * PG);
  for (int i = 0; i < N; i++)
    if (tag_of[i]) CHECK_EQ(pat_vmo_write(p, tag_of[i], (uint64_t)i), ZX_OK);
  zx_handle_t c = cow_child(p, flavour, 0, N * PG);
  uint8_t* cm = cow_map(zx_vmar_root_self(), RW, c, 0, N * PG);
  uint8_t* pm = cow_map(zx_vmar_root_self(), RW, p, 0, N * PG);
  if (!cm || !pm) return;
  /* Write first (a data page and a hole): the rest of the page is the parent's. */
  cm[1 * PG + 5] = 0xee;
  cm[6 * PG + 9] = 0xdd;
  CHECK_EQ(cm[1 * PG + 5], 0xee);
  CHECK_EQ(cm[1 * PG + 4], pat_byte(1, 1, 4));
  CHECK_EQ(cm[1 * PG + 6], pat_byte(1, 1, 6));
  CHECK_EQ(cm[6 * PG + 9], 0xdd);
  CHECK_EQ(cm[6 * PG + 8], 0);
  /* Read first: every other page as at clone time. */
  for (int i = 0; i < N; i++)
    if (i != 1 && i != 6) CHECK(pat_is(cm + i * PG, tag_of[i], (uint64_t)i));
  /* Writes after a read fault, a whole page and a byte. */
  pat_fill(cm + 3 * PG, 9, 3);
  cm[4 * PG] = 0x44;
  /* The parent: untouched, through zx_vmo_read and its own mapping. */
  for (int i = 0; i < N; i++) {
    CHECK(pat_vmo_is(p, tag_of[i], (uint64_t)i));
    CHECK(pat_is(pm + i * PG, tag_of[i], (uint64_t)i));
  }
  /* The child through zx_vmo_read: its writes. */
  uint8_t buf[PG];
  CHECK_EQ(zx_vmo_read(c, buf, 1 * PG, PG), ZX_OK);
  CHECK_EQ(buf[5], 0xee);
  buf[5] = pat_byte(1, 1, 5);
  CHECK(pat_is(buf, 1, 1));
  CHECK(pat_vmo_is(c, 9, 3));
  CHECK_EQ(zx_vmo_read(c, buf, 4 * PG, 2), ZX_OK);
  CHECK(buf[0] == 0x44 && buf[1] == 0);
  CHECK(pat_vmo_is(c, 1, 7));
  /* zx_vmo_write to the child shows in its mapping, not in the parent. */
  CHECK_EQ(pat_vmo_write(c, 8, 5), ZX_OK);
  CHECK(pat_is(cm + 5 * PG, 8, 5));
  CHECK(pat_is(pm + 5 * PG, 1, 5));
  zx_info_vmo_t ci = cow_info(c);
  CHECK(ci.flags & ZX_INFO_VMO_IS_COW_CLONE);
  CHECK_EQ(ci.parent_koid, cow_info(p).koid);
  cow_unmap(cm, N * PG);
  cow_unmap(pm, N * PG);
  /* Mapped again: the same bytes (from the child's own store now). */
  cm = cow_map(zx_vmar_root_self(), ZX_VM_PERM_READ, c, 0, N * PG);
  if (cm) {
    CHECK_EQ(cm[1 * PG + 5], 0xee);
    CHECK(pat_is(cm + 3 * PG, 9, 3));
    CHECK(pat_is(cm + 7 * PG, 1, 7));
    CHECK(pat_is(cm + 2 * PG, 0, 2));
    cow_unmap(cm, N * PG);
  }
  CHECK_EQ(zx_handle_close(c), ZX_OK);
  CHECK_EQ(zx_handle_close(p), ZX_OK);
}

/* ---- SNAPSHOT: the parent's later writes never reach the child */

static void test_snapshot_isolation(void) {
  enum { N = 16 };
  zx_handle_t p = make_vmo(N * PG);
  /* Pages 0-11 hold data (tag 2); 12-15 are holes. */
  for (uint64_t i = 0; i < 12; i++) CHECK_EQ(pat_vmo_write(p, 2, i), ZX_OK);
  uint8_t* before = cow_map(zx_vmar_root_self(), RW, p, 0, N * PG);
  /* The parent's mapping touched before the clone (pages present in it). */
  if (before) CHECK(pat_is(before, 2, 0));
  zx_handle_t c = cow_child(p, ZX_VMO_CHILD_SNAPSHOT, 0, N * PG);
  if (!before) return;
  /* With a userfaultfd the parent's writable mapping is write-protected, nothing is copied; the
   * fallback gives the child every page that mapping shows (holes too) at once. */
  CHECK_EQ(cow_committed(c), cow_expect_uffd() ? 0 : N * PG);

  /* Before the child is mapped: zx_vmo_write, a write through the old mapping. */
  CHECK_EQ(pat_vmo_write(p, 20, 0), ZX_OK);
  pat_fill(before + 1 * PG, 20, 1);
  before[12 * PG] = 0x12; /* a hole */

  uint8_t* cm = cow_map(zx_vmar_root_self(), RW, c, 0, N * PG);
  uint8_t* after = cow_map(zx_vmar_root_self(), RW, p, 0, N * PG);
  if (!cm || !after) return;
  /* The three pages changed so far went to the child first (one by zx_vmo_write, two by writes
   * through the protected mapping, a hole among them); the new writable mapping is protected as
   * it is made. */
  CHECK_EQ(cow_committed(c), cow_expect_uffd() ? 3 * PG : N * PG);

  /* The child mapped, its pages untouched: all three ways. */
  CHECK_EQ(pat_vmo_write(p, 20, 2), ZX_OK);
  pat_fill(before + 3 * PG, 20, 3);
  pat_fill(after + 4 * PG, 20, 4);
  before[13 * PG + 1] = 0x13;
  after[14 * PG + 2] = 0x14;
  CHECK_EQ(zx_vmo_write(p, "\x15", 15 * PG + 3, 1), ZX_OK);

  /* Pages the child has read already. */
  CHECK(pat_is(cm + 5 * PG, 2, 5));
  CHECK(pat_is(cm + 6 * PG, 2, 6));
  CHECK(pat_is(cm + 7 * PG, 2, 7));
  CHECK_EQ(pat_vmo_write(p, 20, 5), ZX_OK);
  pat_fill(before + 6 * PG, 20, 6);
  pat_fill(after + 7 * PG, 20, 7);

  /* Pages the child has written already. */
  cm[8 * PG] = 0x88;
  cm[9 * PG] = 0x99;
  pat_fill(before + 8 * PG, 20, 8);
  CHECK_EQ(pat_vmo_write(p, 20, 9), ZX_OK);

  /* Partial writes to the parent next to untouched child pages: one byte, and a write that
   * spans two pages. */
  after[10 * PG + 100] ^= 0xff;
  CHECK_EQ(zx_vmo_write(p, "span!", 11 * PG - 2, 5), ZX_OK);

  /* The child: every page as at clone time except its own two writes. */
  for (uint64_t i = 0; i < N; i++) {
    uint32_t tag = i < 12 ? 2 : 0;
    if (i == 8 || i == 9) {
      CHECK_EQ(cm[i * PG], i == 8 ? 0x88 : 0x99);
      CHECK_EQ(cm[i * PG + 1], pat_byte(2, i, 1));
      CHECK_EQ(cm[i * PG + PG - 1], pat_byte(2, i, PG - 1));
      continue;
    }
    CHECK(pat_is(cm + i * PG, tag, i));
    CHECK(pat_vmo_is(c, tag, i));
  }
  /* The parent: its own writes (pages 0-9 all rewritten with tag 20), through zx_vmo_read and
   * both mappings. */
  for (uint64_t i = 0; i < 10; i++) {
    CHECK(pat_vmo_is(p, 20, i));
    CHECK(pat_is(before + i * PG, 20, i));
    CHECK(pat_is(after + i * PG, 20, i));
  }
  CHECK_EQ(after[10 * PG + 100], (uint8_t)(pat_byte(2, 10, 100) ^ 0xff));
  CHECK(memcmp(before + 11 * PG - 2, "span!", 5) == 0);
  CHECK_EQ(before[12 * PG], 0x12);
  CHECK_EQ(after[13 * PG + 1], 0x13);
  CHECK_EQ(before[14 * PG + 2], 0x14);
  CHECK_EQ(after[15 * PG + 3], 0x15);

  /* Mapped afresh, the child still has its clone-time pages. */
  cow_unmap(cm, N * PG);
  cm = cow_map(zx_vmar_root_self(), ZX_VM_PERM_READ, c, 0, N * PG);
  if (cm) {
    CHECK(pat_is(cm + 0 * PG, 2, 0));
    CHECK(pat_is(cm + 4 * PG, 2, 4));
    CHECK(pat_is(cm + 10 * PG, 2, 10));
    CHECK(pat_is(cm + 11 * PG, 2, 11));
    CHECK(pat_is(cm + 12 * PG, 0, 12));
    CHECK(pat_is(cm + 15 * PG, 0, 15));
    CHECK_EQ(cm[8 * PG], 0x88);
    cow_unmap(cm, N * PG);
  }
  /* The parent unmapped and closed: the child keeps it all. */
  cow_unmap(before, N * PG);
  cow_unmap(after, N * PG);
  CHECK_EQ(zx_handle_close(p), ZX_OK);
  cm = cow_map(zx_vmar_root_self(), ZX_VM_PERM_READ, c, 0, N * PG);
  if (cm) {
    CHECK(pat_is(cm + 1 * PG, 2, 1));
    CHECK(pat_is(cm + 3 * PG, 2, 3));
    CHECK(pat_is(cm + 13 * PG, 0, 13));
    cow_unmap(cm, N * PG);
  }
  CHECK(pat_vmo_is(c, 2, 7));
  CHECK_EQ(zx_handle_close(c), ZX_OK);
}

/* A parent mapped and written when the clone is made, the child cloned from a child that is
 * itself mapped and written: the grandchild sees the middle level's bytes at clone time. */
static void test_snapshot_of_mapped_child(void) {
  zx_handle_t p = make_vmo(4 * PG);
  for (uint64_t i = 0; i < 4; i++) CHECK_EQ(pat_vmo_write(p, 3, i), ZX_OK);
  zx_handle_t c = cow_child(p, ZX_VMO_CHILD_SNAPSHOT, 0, 4 * PG);
  uint8_t* cm = cow_map(zx_vmar_root_self(), RW, c, 0, 4 * PG);
  if (!cm) return;
  pat_fill(cm + PG, 30, 1); /* the child's own page 1 */
  zx_handle_t g = cow_child(c, ZX_VMO_CHILD_SNAPSHOT, 0, 4 * PG);
  pat_fill(cm + 2 * PG, 31, 2); /* after the grandchild: not in it */
  pat_fill(cm + PG, 32, 1);
  uint8_t* gm = cow_map(zx_vmar_root_self(), RW, g, 0, 4 * PG);
  if (gm) {
    CHECK(pat_is(gm, 3, 0));
    CHECK(pat_is(gm + PG, 30, 1));
    CHECK(pat_is(gm + 2 * PG, 3, 2));
    CHECK(pat_is(gm + 3 * PG, 3, 3));
    pat_fill(gm + 3 * PG, 33, 3);
    CHECK(pat_is(cm + 3 * PG, 3, 3));
    CHECK(pat_vmo_is(p, 3, 3));
    cow_unmap(gm, 4 * PG);
  }
  CHECK(pat_is(cm + PG, 32, 1));
  CHECK(pat_is(cm + 2 * PG, 31, 2));
  CHECK(pat_vmo_is(g, 30, 1));
  CHECK(pat_vmo_is(g, 33, 3));
  cow_unmap(cm, 4 * PG);
  zx_handle_close(g);
  zx_handle_close(c);
  zx_handle_close(p);
}

/* ---- offsets, sizes, two mappings, mapping over */

static void test_offsets(void) {
  zx_handle_t p = make_vmo(6 * PG);
  for (uint64_t i = 0; i < 6; i++) CHECK_EQ(pat_vmo_write(p, 4, i), ZX_OK);
  /* A child at parent offset 2 pages, 8 pages long: 4 from the parent, 4 beyond it (zeros). */
  zx_handle_t c = cow_child(p, ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE, 2 * PG, 8 * PG);
  /* Mapped at child offset 1 page, 6 pages; and the whole child read-only elsewhere. */
  uint8_t* m = cow_map(zx_vmar_root_self(), RW, c, PG, 6 * PG);
  uint8_t* all = cow_map(zx_vmar_root_self(), ZX_VM_PERM_READ, c, 0, 8 * PG);
  if (!m || !all) return;
  CHECK(pat_is(m, 4, 3));          /* child page 1 = parent page 3 */
  CHECK(pat_is(m + 2 * PG, 4, 5)); /* child page 3 = parent page 5 */
  CHECK(pat_is(m + 3 * PG, 0, 0)); /* past the parent's end */
  m[4 * PG + 1] = 0x77;            /* write first beyond the parent */
  pat_fill(m + PG, 40, 2);
  /* The other mapping of the same child sees the same pages. */
  CHECK(pat_is(all, 4, 2));
  CHECK(pat_is(all + 2 * PG, 40, 2));
  CHECK_EQ(all[5 * PG + 1], 0x77);
  CHECK_EQ(all[5 * PG], 0);
  CHECK(pat_is(all + 7 * PG, 0, 0));
  CHECK(pat_vmo_is(p, 4, 4));
  cow_unmap(m, 6 * PG);
  cow_unmap(all, 8 * PG);
  zx_handle_close(c);

  /* Mapping over a child mapping: the new mapping shows its own VMO, the parts of the old one
   * that stay show the old child's bytes at the right offsets. */
  zx_handle_t q = make_vmo(4 * PG);
  for (uint64_t i = 0; i < 4; i++) CHECK_EQ(pat_vmo_write(q, 5, i), ZX_OK);
  zx_handle_t sub = ZX_HANDLE_INVALID;
  zx_vaddr_t base = 0;
  CHECK_EQ(zx_vmar_allocate(zx_vmar_root_self(),
                            ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_SPECIFIC, 0,
                            8 * PG, &sub, &base),
           ZX_OK);
  zx_handle_t a = cow_child(p, ZX_VMO_CHILD_SNAPSHOT, 0, 6 * PG);
  zx_handle_t b = cow_child(q, ZX_VMO_CHILD_SNAPSHOT, 0, 4 * PG);
  zx_vaddr_t at = 0;
  CHECK_EQ(zx_vmar_map(sub, RW | ZX_VM_SPECIFIC, 0, a, 0, 6 * PG, &at), ZX_OK);
  CHECK_EQ(at, base);
  uint8_t* x = (uint8_t*)base;
  CHECK(pat_is(x + 5 * PG, 4, 5)); /* one page of `a` touched before */
  /* b's pages 1-2 over a's pages 2-3 (a split in two), then b's page 3 over a's page 5 (the
   * tail, touched already). */
  CHECK_EQ(zx_vmar_map(sub, RW | ZX_VM_SPECIFIC_OVERWRITE, 2 * PG, b, PG, 2 * PG, &at), ZX_OK);
  CHECK_EQ(zx_vmar_map(sub, RW | ZX_VM_SPECIFIC_OVERWRITE, 5 * PG, b, 3 * PG, PG, &at), ZX_OK);
  CHECK(pat_is(x, 4, 0));
  CHECK(pat_is(x + 1 * PG, 4, 1));
  CHECK(pat_is(x + 2 * PG, 5, 1));
  CHECK(pat_is(x + 3 * PG, 5, 2));
  CHECK(pat_is(x + 4 * PG, 4, 4));
  CHECK(pat_is(x + 5 * PG, 5, 3));
  /* Unmapped and mapped again with a new child: no trace of the old source. */
  CHECK_EQ(zx_vmar_unmap(sub, base + 2 * PG, 2 * PG), ZX_OK);
  zx_handle_t b2 = cow_child(q, ZX_VMO_CHILD_SNAPSHOT, 0, 4 * PG);
  CHECK_EQ(pat_vmo_write(q, 50, 0), ZX_OK); /* after the clone: not in b2 */
  CHECK_EQ(zx_vmar_map(sub, RW | ZX_VM_SPECIFIC, 2 * PG, b2, 0, 2 * PG, &at), ZX_OK);
  CHECK(pat_is(x + 2 * PG, 5, 0));
  CHECK(pat_is(x + 3 * PG, 5, 1));
  /* The writes went to the right children. */
  x[PG] = 0xa1;
  x[3 * PG] = 0xb2;
  uint8_t v = 0;
  CHECK_EQ(zx_vmo_read(a, &v, PG, 1), ZX_OK);
  CHECK_EQ(v, 0xa1);
  CHECK_EQ(zx_vmo_read(b2, &v, PG, 1), ZX_OK);
  CHECK_EQ(v, 0xb2);
  CHECK_EQ(zx_vmo_read(b, &v, PG, 1), ZX_OK);
  CHECK_EQ(v, pat_byte(5, 1, 0));
  CHECK(pat_vmo_is(q, 5, 1));
  CHECK_EQ(zx_vmar_destroy(sub), ZX_OK);
  zx_handle_close(sub);
  zx_handle_close(a);
  zx_handle_close(b);
  zx_handle_close(b2);
  zx_handle_close(q);
  zx_handle_close(p);
}

/* ---- a chain of depth 10, every level mapped, checked against a model */

enum { CHAIN = 10, CPAGES = 12 };
static uint8_t model[CHAIN][CPAGES][PG];

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

static bool level_ok(zx_handle_t h, const uint8_t* map, int lvl, int page, bool via_map) {
  if (via_map) return memcmp(map + (uint64_t)page * PG, model[lvl][page], PG) == 0;
  uint8_t buf[PG];
  if (zx_vmo_read(h, buf, (uint64_t)page * PG, PG) != ZX_OK) return false;
  return memcmp(buf, model[lvl][page], PG) == 0;
}

static void test_chain(void) {
  zx_handle_t h[CHAIN];
  uint8_t* m[CHAIN];
  h[0] = make_vmo(CPAGES * PG);
  /* Level 0: data on every page but 10 and 11 (holes all the way down until the random
   * writes below). */
  memset(model, 0, sizeof(model));
  for (int i = 0; i < CPAGES - 2; i++) {
    pat_fill(model[0][i], 100, (uint64_t)i);
    CHECK_EQ(zx_vmo_write(h[0], model[0][i], (uint64_t)i * PG, PG), ZX_OK);
  }
  m[0] = cow_map(zx_vmar_root_self(), RW, h[0], 0, CPAGES * PG);
  if (!m[0]) return;
  /* Each level: a snapshot of the one above, mapped, a page of its own written through the
   * mapping (level i writes page i), one byte of another page too. */
  for (int i = 1; i < CHAIN; i++) {
    h[i] = cow_child(h[i - 1], ZX_VMO_CHILD_SNAPSHOT, 0, CPAGES * PG);
    memcpy(model[i], model[i - 1], sizeof(model[i]));
    m[i] = cow_map(zx_vmar_root_self(), RW, h[i], 0, CPAGES * PG);
    if (!m[i]) return;
    pat_fill(m[i] + (uint64_t)i * PG, 100 + (uint32_t)i, (uint64_t)i);
    pat_fill(model[i][i], 100 + (uint32_t)i, (uint64_t)i);
    int other = (i * 5) % (CPAGES - 2);
    m[i][(uint64_t)other * PG + (uint64_t)i] = (uint8_t)(0xc0 + i);
    model[i][other][i] = (uint8_t)(0xc0 + i);
  }
  int bad = 0;
  for (int l = 0; l < CHAIN; l++)
    for (int pg = 0; pg < CPAGES; pg++) {
      if (!level_ok(h[l], m[l], l, pg, true) || !level_ok(h[l], m[l], l, pg, false)) {
        if (bad++ < 8) fprintf(stderr, "chain: level %d page %d wrong after building\n", l, pg);
      }
    }
  CHECK_EQ(bad, 0);
  /* Writes into the holes through the mappings of levels 0 and 4: no other level sees them. */
  m[0][11 * PG + 11] = 0x0b;
  model[0][11][11] = 0x0b;
  pat_fill(m[4] + 10 * PG, 104, 10);
  pat_fill(model[4][10], 104, 10);
  bad = 0;
  for (int l = 0; l < CHAIN; l++)
    for (int pg = 10; pg < CPAGES; pg++)
      if (!level_ok(h[l], m[l], l, pg, true) || !level_ok(h[l], m[l], l, pg, false)) {
        if (bad++ < 8) fprintf(stderr, "chain: level %d hole page %d wrong\n", l, pg);
      }
  CHECK_EQ(bad, 0);
  /* Random writes at any level, through its mapping or zx_vmo_write, random checks between
   * them: a write never shows in any other level (all snapshots). */
  bad = 0;
  for (int step = 0; step < 600; step++) {
    int l = (int)(rnd() % CHAIN), pg = (int)(rnd() % CPAGES);
    uint64_t r = rnd();
    if (r % 5 < 2) {
      bool ok = level_ok(h[l], m[l], l, pg, r & 8);
      if (!ok && bad++ < 8) fprintf(stderr, "chain: step %d level %d page %d wrong\n", step, l, pg);
      continue;
    }
    uint32_t off = (uint32_t)(rnd() % PG), len = (uint32_t)(1 + rnd() % 64);
    if (off + len > PG) len = PG - off;
    uint8_t data[64];
    for (uint32_t k = 0; k < len; k++) data[k] = (uint8_t)rnd();
    if (r & 16)
      memcpy(m[l] + (uint64_t)pg * PG + off, data, len);
    else
      CHECK_EQ(zx_vmo_write(h[l], data, (uint64_t)pg * PG + off, len), ZX_OK);
    memcpy(model[l][pg] + off, data, len);
  }
  CHECK_EQ(bad, 0);
  /* Close the handles of the even levels and unmap levels 3 and 6: the others stay right. */
  for (int l = 0; l < CHAIN; l += 2) CHECK_EQ(zx_handle_close(h[l]), ZX_OK);
  cow_unmap(m[3], CPAGES * PG);
  cow_unmap(m[6], CPAGES * PG);
  m[3] = m[6] = NULL;
  bad = 0;
  for (int l = 0; l < CHAIN; l++)
    for (int pg = 0; pg < CPAGES; pg++) {
      if (m[l] && !level_ok(h[l], m[l], l, pg, true)) bad++;
      if (l % 2 && !level_ok(h[l], m[l], l, pg, false)) bad++;
    }
  CHECK_EQ(bad, 0);
  for (int l = 0; l < CHAIN; l++) {
    if (m[l]) cow_unmap(m[l], CPAGES * PG);
    if (l % 2) CHECK_EQ(zx_handle_close(h[l]), ZX_OK);
  }
}

/* A deep chain nobody wrote to but the root: the deepest level's first touch reads through
 * every level, and the root's later writes stay out of it. */
static void test_untouched_chain(void) {
  enum { DEPTH = 12 };
  zx_handle_t root = make_vmo(4 * PG);
  for (uint64_t i = 0; i < 4; i++) CHECK_EQ(pat_vmo_write(root, 6, i), ZX_OK);
  uint8_t* rm = cow_map(zx_vmar_root_self(), RW, root, 0, 4 * PG);
  zx_handle_t cur = root, keep[DEPTH];
  for (int i = 0; i < DEPTH; i++) {
    keep[i] = cow_child(cur, ZX_VMO_CHILD_SNAPSHOT, 0, 4 * PG);
    cur = keep[i];
  }
  uint8_t* dm = cow_map(zx_vmar_root_self(), RW, cur, 0, 4 * PG);
  if (!rm || !dm) return;
  pat_fill(rm + PG, 60, 1);
  CHECK_EQ(pat_vmo_write(root, 60, 2), ZX_OK);
  for (uint64_t i = 0; i < 4; i++) CHECK(pat_is(dm + i * PG, 6, i));
  pat_fill(dm + 3 * PG, 61, 3);
  CHECK(pat_vmo_is(keep[DEPTH / 2], 6, 3));
  CHECK(pat_vmo_is(keep[DEPTH / 2], 6, 1));
  CHECK(pat_is(rm + 3 * PG, 6, 3));
  cow_unmap(rm, 4 * PG);
  cow_unmap(dm, 4 * PG);
  for (int i = 0; i < DEPTH; i++) zx_handle_close(keep[i]);
  zx_handle_close(root);
}

/* ---- the supervisor touching pages of a child mapping that nobody touched */

static void test_supervisor_access(void) {
  enum { N = 12 };
  zx_handle_t p = make_vmo(N * PG);
  for (uint64_t i = 0; i < N; i++) CHECK_EQ(pat_vmo_write(p, 7, i), ZX_OK);
  zx_handle_t c = cow_child(p, ZX_VMO_CHILD_SNAPSHOT, 0, N * PG);
  uint8_t* cm = cow_map(zx_vmar_root_self(), RW, c, 0, N * PG);
  uint8_t* ro = cow_map(zx_vmar_root_self(), ZX_VM_PERM_READ, c, 0, N * PG);
  if (!cm || !ro) return;
  zx_handle_t other = make_vmo(4 * PG);
  uint8_t buf[2 * PG], want[2 * PG];

  /* zx_vmo_write from an untouched child range spanning pages 0 and 1. */
  CHECK_EQ(zx_vmo_write(other, cm + 100, 0, PG + 50), ZX_OK);
  CHECK_EQ(zx_vmo_read(other, buf, 0, PG + 50), ZX_OK);
  pat_fill(want, 7, 0);
  pat_fill(want + PG, 7, 1);
  CHECK(memcmp(buf, want + 100, PG + 50) == 0);
  CHECK(pat_is(cm, 7, 0));
  CHECK(pat_is(cm + PG, 7, 1));

  /* zx_channel_write from untouched page 2 (through the read-only mapping) and 3. */
  zx_handle_t ch[2];
  CHECK_EQ(zx_channel_create(0, &ch[0], &ch[1]), ZX_OK);
  CHECK_EQ(zx_channel_write(ch[0], 0, ro + 2 * PG + 7, 1000, NULL, 0), ZX_OK);
  CHECK_EQ(zx_channel_write(ch[0], 0, cm + 3 * PG, PG, NULL, 0), ZX_OK);
  uint32_t nb = 0, nh = 0;
  CHECK_EQ(zx_channel_read(ch[1], 0, buf, NULL, sizeof(buf), 0, &nb, &nh), ZX_OK);
  CHECK_EQ(nb, 1000);
  pat_fill(want, 7, 2);
  CHECK(memcmp(buf, want + 7, 1000) == 0);
  CHECK_EQ(zx_channel_read(ch[1], 0, buf, NULL, sizeof(buf), 0, &nb, &nh), ZX_OK);
  CHECK_EQ(nb, PG);
  CHECK(pat_is(buf, 7, 3));
  CHECK(pat_is(cm + 2 * PG, 7, 2));

  /* zx_vmo_read into untouched page 4, 100 bytes in the middle: they land, the rest of the page
   * is the parent's, and zx_vmo_read of the child sees the same. */
  uint8_t src[PG];
  for (uint32_t i = 0; i < PG; i++) src[i] = (uint8_t)(i * 3 + 11);
  CHECK_EQ(zx_vmo_write(other, src, 0, PG), ZX_OK);
  CHECK_EQ(zx_vmo_read(other, cm + 4 * PG + 200, 0, 100), ZX_OK);
  pat_fill(want, 7, 4);
  memcpy(want + 200, src, 100);
  CHECK(memcmp(cm + 4 * PG, want, PG) == 0);
  CHECK_EQ(zx_vmo_read(c, buf, 4 * PG, PG), ZX_OK);
  CHECK(memcmp(buf, want, PG) == 0);
  CHECK(pat_vmo_is(p, 7, 4));
  /* Whole untouched pages 5 and 6, and a range from the end of page 7 into page 8. */
  CHECK_EQ(zx_vmo_read(other, cm + 5 * PG, 0, PG), ZX_OK);
  CHECK(memcmp(cm + 5 * PG, src, PG) == 0);
  CHECK_EQ(zx_vmo_read(other, cm + 6 * PG, 0, PG), ZX_OK);
  CHECK(memcmp(ro + 6 * PG, src, PG) == 0);
  CHECK_EQ(zx_vmo_read(other, cm + 8 * PG - 10, 0, 20), ZX_OK);
  pat_fill(want, 7, 7);
  pat_fill(want + PG, 7, 8);
  memcpy(want + PG - 10, src, 20);
  CHECK(memcmp(cm + 7 * PG, want, 2 * PG) == 0);
  CHECK_EQ(zx_vmo_read(c, buf, 7 * PG, 2 * PG), ZX_OK);
  CHECK(memcmp(buf, want, 2 * PG) == 0);
  CHECK(pat_vmo_is(p, 7, 7));
  CHECK(pat_vmo_is(p, 7, 8));

  /* zx_channel_read and zx_object_get_info writing into untouched page 9. */
  CHECK_EQ(zx_channel_write(ch[0], 0, "hello", 5, NULL, 0), ZX_OK);
  CHECK_EQ(zx_channel_read(ch[1], 0, cm + 9 * PG + 1, NULL, 64, 0, &nb, &nh), ZX_OK);
  CHECK_EQ(nb, 5);
  zx_info_handle_basic_t* bi = (zx_info_handle_basic_t*)(cm + 9 * PG + 512);
  CHECK_EQ(zx_object_get_info(other, ZX_INFO_HANDLE_BASIC, bi, sizeof(*bi), NULL, NULL), ZX_OK);
  CHECK_EQ(bi->type, ZX_OBJ_TYPE_VMO);
  pat_fill(want, 7, 9);
  memcpy(want + 1, "hello", 5);
  memcpy(want + 512, bi, sizeof(*bi));
  CHECK(memcmp(ro + 9 * PG, want, PG) == 0);

  /* zx_process_read_memory / write_memory of untouched pages 10 and 11. */
  size_t actual = 0;
  CHECK_EQ(zx_process_read_memory(zx_process_self(), (zx_vaddr_t)(cm + 10 * PG), buf, PG, &actual),
           ZX_OK);
  CHECK_EQ(actual, PG);
  CHECK(pat_is(buf, 7, 10));
  CHECK_EQ(zx_process_write_memory(zx_process_self(), (zx_vaddr_t)(cm + 11 * PG + 3), "pwm", 3,
                                   &actual),
           ZX_OK);
  pat_fill(want, 7, 11);
  memcpy(want + 3, "pwm", 3);
  CHECK(memcmp(cm + 11 * PG, want, PG) == 0);
  CHECK(pat_vmo_is(p, 7, 11));
  for (uint64_t i = 0; i < N; i++) CHECK(pat_vmo_is(p, 7, i));

  /* A depth-3 chain: the supervisor reads an untouched page of the deepest mapping. */
  zx_handle_t c2 = cow_child(c, ZX_VMO_CHILD_SNAPSHOT, 0, N * PG);
  zx_handle_t c3 = cow_child(c2, ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE, 0, N * PG);
  uint8_t* m3 = cow_map(zx_vmar_root_self(), ZX_VM_PERM_READ, c3, 0, N * PG);
  if (m3) {
    CHECK_EQ(zx_vmo_write(other, m3 + 4 * PG, 0, PG), ZX_OK);
    CHECK_EQ(zx_vmo_read(other, buf, 0, PG), ZX_OK);
    CHECK(memcmp(buf, cm + 4 * PG, PG) == 0);
    CHECK_EQ(zx_vmo_write(other, m3 + 3 * PG, 0, 16), ZX_OK);
    CHECK_EQ(zx_vmo_read(other, buf, 0, 16), ZX_OK);
    pat_fill(want, 7, 3);
    CHECK(memcmp(buf, want, 16) == 0);
    cow_unmap(m3, N * PG);
  }
  zx_handle_close(c3);
  zx_handle_close(c2);
  cow_unmap(cm, N * PG);
  cow_unmap(ro, N * PG);
  zx_handle_close(ch[0]);
  zx_handle_close(ch[1]);
  zx_handle_close(other);
  zx_handle_close(c);
  zx_handle_close(p);
}

/* ---- memory */

#define GIB (1ull << 30)
#define MIB (1ull << 20)

static uint64_t task_mem(void) {
  zx_info_task_stats_t st;
  memset(&st, 0, sizeof(st));
  CHECK_EQ(zx_object_get_info(zx_process_self(), ZX_INFO_TASK_STATS, &st, sizeof(st), NULL, NULL),
           ZX_OK);
  return st.mem_private_bytes + st.mem_shared_bytes;
}

/* The committed bytes of a fresh child of p after mapping it and touching `touched` pages
 * (each a page of its own in the batch sense: isolated) must be, in uffd mode, at least those
 * pages and at most a full batch each; in the fallback mode, every page of the parent that holds
 * data (`data_pages`) plus the touched pages that were holes. */
static int committed_bad;
static void check_committed(zx_handle_t c, uint64_t touched, uint64_t touched_holes,
                            uint64_t data_pages, const char* what) {
  uint64_t got = cow_committed(c);
  bool ok = cow_expect_uffd() ? got >= touched * PG && got <= touched * COW_MAX_BATCH
                              : got == (data_pages + touched_holes) * PG;
  if (ok) return;
  guest_failures++;
  if (committed_bad++ < 3)
    fprintf(stderr, "%s: committed %" PRIu64 " bytes after touching %" PRIu64 " pages (%s)\n",
            what, got, touched, cow_expect_uffd() ? "userfaultfd path" : "fallback path");
}

static void test_memory(void) {
  /* A 1 GiB parent with data on 32 pages, one every 32 MiB (page 0 among them): more than one
   * fault's batch, so the fallback's eager copy and a first touch differ. */
  enum { DATA = 32 };
  const uint64_t stride = 32 * MIB / PG;
  zx_handle_t p = make_vmo(GIB);
  for (uint64_t i = 0; i < DATA; i++) CHECK_EQ(pat_vmo_write(p, 8, i * stride), ZX_OK);
  CHECK_EQ(cow_committed(p), DATA * PG);
  int fds0 = cow_memfd_count();
  int64_t shmem0 = cow_shmem_bytes();
  uint64_t mem0 = task_mem();

  /* One child, mapped whole: a read of a data page and a write to a hole far from it. */
  zx_handle_t c = cow_child(p, ZX_VMO_CHILD_SNAPSHOT, 0, GIB);
  uint8_t* m = cow_map(zx_vmar_root_self(), RW, c, 0, GIB);
  if (!m) return;
  CHECK(pat_is(m + 16 * stride * PG, 8, 16 * stride));
  check_committed(c, 1, 0, DATA, "1 GiB child, one page read");
  m[700 * MIB + 1] = 1; /* between two data pages */
  check_committed(c, 2, 1, DATA, "1 GiB child, one more page written");
  CHECK(pat_is(m + 31 * stride * PG, 8, 31 * stride));
  CHECK_EQ(m[700 * MIB], 0);
  cow_unmap(m, GIB);
  CHECK_EQ(zx_handle_close(c), ZX_OK);

  /* 32 rounds: clone, map whole, check and write one data page, then (rounds 16-31) 8 MiB more
   * written sequentially (what a leak would keep: 16 x 8 MiB), unmap, close. Sixteen children stay
   * alive and mapped until the end; their committed bytes stay small all together (on the
   * fallback: the parent's 32 data pages each, copied when mapped). */
  enum { KEEP_MAX = 16 };
  const bool uffd = cow_expect_uffd();
  const int rounds = 32, keep = rounds / 2;
  const uint64_t written = 8 * MIB;
  zx_handle_t kept[KEEP_MAX];
  uint8_t* kept_map[KEEP_MAX];
  uint64_t sum = 0;
  for (int r = 0; r < rounds; r++) {
    c = cow_child(p, ZX_VMO_CHILD_SNAPSHOT, 0, GIB);
    m = cow_map(zx_vmar_root_self(), RW, c, 0, GIB);
    if (!m) return;
    uint64_t pg = (uint64_t)r * stride;
    CHECK(pat_is(m + pg * PG, 8, pg));
    m[pg * PG + (uint64_t)r] ^= 0x5a;
    char what[64];
    snprintf(what, sizeof(what), "round %d, one page", r);
    check_committed(c, 1, 0, DATA, what);
    if (r < keep) {
      kept[r] = c;
      kept_map[r] = m;
      sum += cow_committed(c);
      continue;
    }
    /* From 128 MiB + 1 page on (holes in the parent up to 160 MiB): zeros first, then ours. */
    uint8_t* w = m + 128 * MIB + PG;
    int bad = 0;
    for (uint64_t off = 0; off < written; off += PG) {
      if (w[off] != 0 || w[off + PG - 1] != 0) bad++;
      memset(w + off, r, PG);
    }
    CHECK_EQ(bad, 0);
    uint64_t got = cow_committed(c);
    if (uffd)
      CHECK(got >= written + PG && got <= written + 2 * COW_MAX_BATCH);
    else
      CHECK_EQ(got, written + DATA * PG);
    cow_unmap(m, GIB);
    CHECK_EQ(zx_handle_close(c), ZX_OK);
  }
  if (uffd)
    CHECK(sum <= (uint64_t)keep * COW_MAX_BATCH);
  else
    CHECK_EQ(sum, (uint64_t)keep * DATA * PG);
  uint64_t mem_kept = task_mem();
  /* The kept 1 GiB mappings with a page touched in each: the process's resident memory grew by
   * far less than one child's worth of data would be. */
  CHECK(mem_kept < mem0 + 16 * MIB);
  for (int r = 0; r < keep; r++) {
    uint64_t pg = (uint64_t)r * stride;
    CHECK_EQ(kept_map[r][pg * PG + (uint64_t)r], (uint8_t)(pat_byte(8, pg, (uint32_t)r) ^ 0x5a));
    cow_unmap(kept_map[r], GIB);
    CHECK_EQ(zx_handle_close(kept[r]), ZX_OK);
  }
  /* All gone: no memfd left open here, the machine's shmem did not keep the 128 MiB written,
   * the parent is as before. */
  CHECK_EQ(cow_memfd_count(), fds0);
  /* Shmem is the whole machine's, and other tests running at the same time (make -j) move it
   * for a while: growth counts only if it stays for two seconds (a leak in the supervisor stays
   * for good). */
  int64_t shmem1 = cow_shmem_bytes();
  for (int tries = 0; tries < 20 && shmem0 >= 0 && shmem1 > shmem0 + (int64_t)(48 * MIB); tries++) {
    zx_nanosleep(zx_deadline_after(ZX_MSEC(100)));
    shmem1 = cow_shmem_bytes();
  }
  if (shmem0 >= 0 && shmem1 >= 0 && shmem1 > shmem0 + (int64_t)(48 * MIB)) {
    fprintf(stderr, "shmem grew from %" PRId64 " to %" PRId64 " bytes\n", shmem0, shmem1);
    CHECK(false);
  }
  CHECK(task_mem() < mem0 + 16 * MIB);
  CHECK_EQ(cow_committed(p), DATA * PG);
  for (uint64_t i = 0; i < DATA; i++) CHECK(pat_vmo_is(p, 8, i * stride));
  CHECK_EQ(cow_info(p).num_children, 0);
  CHECK_EQ(zx_handle_close(p), ZX_OK);
}

/* Runs one test and says how long it took (on stderr, shown by the driver on failure). */
static void run(const char* name, void (*fn)(void)) {
  int before = guest_failures;
  zx_time_t t0 = zx_clock_get_monotonic();
  fn();
  fprintf(stderr, "vmo_cow_map: %s: %s, %.1f ms\n", name, guest_failures == before ? "ok" : "FAILED",
          (double)(zx_clock_get_monotonic() - t0) / 1e6);
}

static void snapshot_map(void) { test_flavour(ZX_VMO_CHILD_SNAPSHOT); }
static void at_least_on_write_map(void) { test_flavour(ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE); }

int main(void) {
  fprintf(stderr, "vmo_cow_map: expecting the %s path\n",
          cow_expect_uffd() ? "userfaultfd" : "fallback (eager copy)");
  run("snapshot", snapshot_map);
  run("snapshot_at_least_on_write", at_least_on_write_map);
  run("snapshot_isolation", test_snapshot_isolation);
  run("snapshot_of_mapped_child", test_snapshot_of_mapped_child);
  run("offsets", test_offsets);
  run("chain", test_chain);
  run("untouched_chain", test_untouched_chain);
  run("supervisor_access", test_supervisor_access);
  run("memory", test_memory);
  return GUEST_RESULT();
}
