/* Unit tests of mm/vmar.c alone: the VMAR tree, placement, splits, and the Linux operations each
 * change needs. Mapped "objects" are counters standing in for VMOs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zircon/errors.h>

#include "mm/vmar.h"

#define PG 4096ull
#define BASE 0x10000000ull
#define SIZE (1024 * PG) /* 4 MiB */

/* A stand-in for a VMO: how many mapping objects refer to it. */
struct obj {
  int mappings;
};
static struct obj A, B;
static void added(void* o, const struct mm_aspace* as) { ((struct obj*)o)->mappings++; }
static void removed(void* o, const struct mm_aspace* as) { ((struct obj*)o)->mappings--; }
/* A's memory is fd 40 from offset 0, B's fd 41 from offset 16 pages (a slice's window). */
static int backing(void* o, uint64_t* fd_offset) {
  *fd_offset = o == &B ? 16 * 4096ull : 0;
  return o == &B ? 41 : 40;
}
static const struct mm_hooks hooks = {added, removed, backing};

static struct mm_aspace* AS;
static struct mm_region* R;
static struct mm_ops OPS;

static int setup(void** state) {
  memset(&A, 0, sizeof(A));
  memset(&B, 0, sizeof(B));
  AS = mm_aspace_create(BASE, SIZE, 1234, &hooks);
  mm_aspace_set_aslr(AS, false, 0, 0); /* first fit unless a test says otherwise */
  R = mm_aspace_root(AS);
  mm_region_ref(R);
  mm_ops_init(&OPS);
  return 0;
}

static int teardown(void** state) {
  mm_aspace_destroy(AS);
  assert_false(mm_region_alive(R));
  mm_region_unref(R);
  mm_ops_free(&OPS);
  /* Every mapping is gone with the aspace. */
  assert_int_equal(A.mappings, 0);
  assert_int_equal(B.mappings, 0);
  return 0;
}

/* Maps obj at offset (specific) with prot; returns the mapping. */
static struct mm_region* map_at(struct mm_region* v, uint64_t off, uint64_t len, struct obj* o,
                                uint64_t vmo_off, uint32_t prot) {
  struct mm_region* m = NULL;
  uint64_t base = 0;
  bool ow;
  assert_int_equal(mm_map(v, off, len, 0, MM_SPECIFIC | MM_CAN_MAP_RWX, o, vmo_off, prot,
                          MM_VDSO_NO, &OPS, &m, &base, &ow),
                   ZX_OK);
  assert_int_equal(base, mm_region_base(v) + off);
  return m;
}

static struct mm_region* sub_at(struct mm_region* v, uint64_t off, uint64_t len, uint32_t flags) {
  struct mm_region* s = NULL;
  uint64_t base = 0;
  assert_int_equal(mm_vmar_allocate(v, off, len, 0, MM_SPECIFIC | flags, &s, &base), ZX_OK);
  assert_int_equal(base, mm_region_base(v) + off);
  return s;
}

static void expect_op(size_t i, uint32_t kind, uint32_t prot, uint64_t addr, uint64_t len) {
  assert_true(i < OPS.n);
  assert_int_equal(OPS.v[i].kind, kind);
  assert_int_equal(OPS.v[i].prot, prot);
  assert_int_equal(OPS.v[i].addr, addr);
  assert_int_equal(OPS.v[i].len, len);
}

static size_t nkids(struct mm_region* v) {
  size_t n = 0;
  for (uint64_t a = mm_region_base(v); a < mm_region_base(v) + mm_region_size(v); a += PG)
    if (mm_find_mapping(v, a) && mm_region_base(mm_find_mapping(v, a)) == a) n++;
  return n;
}

/* ---- allocation */

static void test_allocate_specific_and_overlap(void** state) {
  struct mm_region* s = sub_at(R, 16 * PG, 8 * PG, MM_CAN_MAP_READ | MM_CAN_MAP_SPECIFIC);
  assert_string_equal(mm_region_name(s), "useralloc");
  assert_int_equal(mm_region_size(s), 8 * PG);
  assert_true(mm_region_parent(s) == R);
  struct mm_region* t;
  uint64_t base;
  /* Overlaps at either end, or inside. */
  assert_int_equal(mm_vmar_allocate(R, 12 * PG, 8 * PG, 0, MM_SPECIFIC, &t, &base),
                   ZX_ERR_ALREADY_EXISTS);
  assert_int_equal(mm_vmar_allocate(R, 23 * PG, 8 * PG, 0, MM_SPECIFIC, &t, &base),
                   ZX_ERR_ALREADY_EXISTS);
  assert_int_equal(mm_vmar_allocate(R, 17 * PG, PG, 0, MM_SPECIFIC, &t, &base),
                   ZX_ERR_ALREADY_EXISTS);
  /* Exactly adjacent is fine. */
  struct mm_region* u = sub_at(R, 24 * PG, PG, 0);
  struct mm_region* w = sub_at(R, 15 * PG, PG, 0);
  /* A child may be the size of its parent, at offset 0. */
  struct mm_region* x = sub_at(s, 0, 8 * PG, 0);
  mm_region_unref(x);
  mm_region_unref(w);
  mm_region_unref(u);
  mm_region_unref(s);
}

static void test_allocate_errors_in_order(void** state) {
  struct mm_region* t = NULL;
  uint64_t base;
  /* Size not page aligned comes first, before the flag set and the core. */
  assert_int_equal(mm_vmar_allocate(R, 1, 100, 0, MM_SPECIFIC_OVERWRITE, &t, &base),
                   ZX_ERR_INVALID_ARGS);
  /* Flags not allowed for a VMAR. */
  assert_int_equal(mm_vmar_allocate(R, 0, PG, 0, MM_SPECIFIC_OVERWRITE, &t, &base),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(mm_vmar_allocate(R, 0, PG, 0, MM_ALLOW_FAULTS, &t, &base),
                   ZX_ERR_INVALID_ARGS);
  /* Size 0 (after the parent-alive check). */
  assert_int_equal(mm_vmar_allocate(R, 0, 0, 0, 0, &t, &base), ZX_ERR_INVALID_ARGS);
  /* CAN_MAP beyond the parent: ACCESS_DENIED even with a bad offset. */
  struct mm_region* ro = sub_at(R, 0, 16 * PG, MM_CAN_MAP_READ | MM_CAN_MAP_SPECIFIC);
  assert_int_equal(mm_vmar_allocate(ro, 3, PG, 0, MM_CAN_MAP_WRITE, &t, &base),
                   ZX_ERR_ACCESS_DENIED);
  /* Specific with upper-limit. */
  assert_int_equal(
      mm_vmar_allocate(R, 0, PG, 0, MM_SPECIFIC | MM_OFFSET_IS_UPPER_LIMIT, &t, &base),
      ZX_ERR_INVALID_ARGS);
  /* An offset without SPECIFIC. */
  assert_int_equal(mm_vmar_allocate(R, 16 * PG, PG, 0, 0, &t, &base), ZX_ERR_INVALID_ARGS);
  /* Unaligned offset. */
  assert_int_equal(mm_vmar_allocate(R, 100, PG, 0, MM_SPECIFIC, &t, &base), ZX_ERR_INVALID_ARGS);
  /* SPECIFIC without the parent's CAN_MAP_SPECIFIC: ACCESS_DENIED before the range checks. */
  struct mm_region* ns = sub_at(R, 32 * PG, 16 * PG, 0);
  assert_int_equal(mm_vmar_allocate(ns, 64 * PG, PG, 0, MM_SPECIFIC, &t, &base),
                   ZX_ERR_ACCESS_DENIED);
  assert_int_equal(mm_vmar_allocate(ns, 64 * PG, PG, 0, MM_OFFSET_IS_UPPER_LIMIT, &t, &base),
                   ZX_ERR_ACCESS_DENIED);
  /* Outside the parent. */
  assert_int_equal(mm_vmar_allocate(R, SIZE, PG, 0, MM_SPECIFIC, &t, &base),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(mm_vmar_allocate(R, SIZE - PG, 2 * PG, 0, MM_SPECIFIC, &t, &base),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(mm_vmar_allocate(R, 0, SIZE + PG, 0, 0, &t, &base), ZX_ERR_INVALID_ARGS);
  /* Upper limit: beyond the parent, size beyond the parent, size beyond the limit. */
  assert_int_equal(mm_vmar_allocate(R, SIZE + PG, PG, 0, MM_OFFSET_IS_UPPER_LIMIT, &t, &base),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(mm_vmar_allocate(R, 2 * PG, 3 * PG, 0, MM_OFFSET_IS_UPPER_LIMIT, &t, &base),
                   ZX_ERR_INVALID_ARGS);
  /* A specific address misaligned for the requested alignment. */
  assert_int_equal(mm_vmar_allocate(R, 48 * PG + PG, PG, 16, MM_SPECIFIC, &t, &base),
                   ZX_ERR_INVALID_ARGS);
  /* ... but 1 KiB alignment holds for every page. */
  struct mm_region* ok = NULL;
  assert_int_equal(mm_vmar_allocate(R, 49 * PG, PG, 10, MM_SPECIFIC, &ok, &base), ZX_OK);
  mm_region_unref(ok);
  /* A destroyed parent: BAD_STATE before everything the core checks. */
  assert_int_equal(mm_destroy(ns, &OPS), ZX_OK);
  assert_int_equal(mm_vmar_allocate(ns, 100, 0, 0, 0, &t, &base), ZX_ERR_BAD_STATE);
  mm_region_unref(ns);
  mm_region_unref(ro);
}

static void test_allocate_first_fit_alignment_exhaustion(void** state) {
  struct mm_region* s = sub_at(R, 0, 64 * PG, MM_CAN_MAP_SPECIFIC);
  struct mm_region *a, *b, *c, *d;
  uint64_t ba, bb, bc, bd;
  /* No ASLR: lowest fit. */
  assert_int_equal(mm_vmar_allocate(s, 0, 4 * PG, 0, 0, &a, &ba), ZX_OK);
  assert_int_equal(ba, BASE);
  assert_int_equal(mm_vmar_allocate(s, 0, 4 * PG, 0, 0, &b, &bb), ZX_OK);
  assert_int_equal(bb, BASE + 4 * PG);
  /* 64 KiB alignment skips to the next 64 KiB boundary. */
  assert_int_equal(mm_vmar_allocate(s, 0, PG, 16, 0, &c, &bc), ZX_OK);
  assert_int_equal(bc, BASE + 16 * PG);
  /* Upper limit: must end at or below base + offset. */
  assert_int_equal(mm_vmar_allocate(s, 12 * PG, 8 * PG, 0, MM_OFFSET_IS_UPPER_LIMIT, &d, &bd),
                   ZX_ERR_NO_RESOURCES);
  assert_int_equal(mm_vmar_allocate(s, 16 * PG, 8 * PG, 0, MM_OFFSET_IS_UPPER_LIMIT, &d, &bd),
                   ZX_OK);
  assert_int_equal(bd, BASE + 8 * PG);
  /* What is left: [17, 64) pages; 48 pages do not fit, 47 do. */
  struct mm_region* e;
  uint64_t be;
  assert_int_equal(mm_vmar_allocate(s, 0, 48 * PG, 0, 0, &e, &be), ZX_ERR_NO_RESOURCES);
  assert_int_equal(mm_vmar_allocate(s, 0, 47 * PG, 0, 0, &e, &be), ZX_OK);
  assert_int_equal(be, BASE + 17 * PG);
  mm_region_unref(e);
  assert_int_equal(mm_vmar_allocate(s, 0, PG, 0, 0, &e, &be), ZX_ERR_NO_RESOURCES);
  /* A 4 GiB alignment fits nowhere in a 4 MiB aspace. */
  assert_int_equal(mm_vmar_allocate(R, 0, PG, 32, 0, &e, &be), ZX_ERR_NO_RESOURCES);
  mm_region_unref(a);
  mm_region_unref(b);
  mm_region_unref(c);
  mm_region_unref(d);
  mm_region_unref(s);
}

/* Allocates one page in a 16-page region n times (destroying it each time), counting positions. */
static void spread(struct mm_region* s, int n, int counts[16]) {
  memset(counts, 0, 16 * sizeof(int));
  for (int i = 0; i < n; i++) {
    struct mm_region* t;
    uint64_t b;
    assert_int_equal(mm_vmar_allocate(s, 0, PG, 0, 0, &t, &b), ZX_OK);
    uint64_t idx = (b - mm_region_base(s)) / PG;
    assert_true(idx < 16);
    counts[idx]++;
    assert_int_equal(mm_destroy(t, &OPS), ZX_OK);
    mm_region_unref(t);
  }
}

static void test_randomised_placement(void** state) {
  mm_aspace_set_aslr(AS, true, 30, 0);
  struct mm_region* s = sub_at(R, 0, 16 * PG, 0);
  int counts[16];
  /* Uniform over the 16 candidates: each is used (expected 100 of 1600). */
  spread(s, 1600, counts);
  for (int i = 0; i < 16; i++) assert_true(counts[i] > 40);
  /* With 2 bits of entropy only the lowest 4 candidates are drawn from. */
  mm_aspace_set_aslr(AS, true, 2, 0);
  spread(s, 400, counts);
  for (int i = 0; i < 4; i++) assert_true(counts[i] > 40);
  for (int i = 4; i < 16; i++) assert_int_equal(counts[i], 0);
  mm_region_unref(s);
  /* COMPACT on the parent: compact entropy (0) gives the lowest spot every time. */
  mm_aspace_set_aslr(AS, true, 30, 0);
  struct mm_region* c = sub_at(R, 16 * PG, 16 * PG, MM_COMPACT);
  spread(c, 50, counts);
  assert_int_equal(counts[0], 50);
  mm_region_unref(c);
}

/* The addresses of n allocations of random sizes in a fresh seeded aspace. */
static void layout(uint64_t seed, bool seeded, uint64_t out[8]) {
  if (seeded) mm_set_seed(seed);
  struct mm_aspace* as = mm_aspace_create(0x200000, 1ull << 36, seed * 7 + 1, NULL);
  for (int i = 0; i < 8; i++) {
    struct mm_region* r;
    assert_int_equal(mm_vmar_allocate(mm_aspace_root(as), 0, (uint64_t)(i + 1) * PG, 0, 0, &r,
                                      &out[i]),
                     ZX_OK);
    mm_region_unref(r);
  }
  mm_aspace_destroy(as);
}

static void test_seed_reproducible(void** state) {
  uint64_t a[8], b[8], c[8];
  layout(42, true, a);
  layout(42, true, b);
  assert_memory_equal(a, b, sizeof(a));
  layout(43, true, c);
  assert_memory_not_equal(a, c, sizeof(a));
  /* The second aspace after a seed differs from the first (its rank is mixed in). */
  mm_set_seed(42);
  struct mm_aspace* first = mm_aspace_create(0x200000, 1ull << 36, 0, NULL);
  struct mm_aspace* second = mm_aspace_create(0x200000, 1ull << 36, 0, NULL);
  struct mm_region *r1, *r2;
  uint64_t b1, b2;
  assert_int_equal(mm_vmar_allocate(mm_aspace_root(first), 0, PG, 0, 0, &r1, &b1), ZX_OK);
  assert_int_equal(mm_vmar_allocate(mm_aspace_root(second), 0, PG, 0, 0, &r2, &b2), ZX_OK);
  assert_int_equal(b1, a[0]);
  assert_int_not_equal(b1, b2);
  mm_region_unref(r1);
  mm_region_unref(r2);
  mm_aspace_destroy(first);
  mm_aspace_destroy(second);
}

/* ---- mapping */

static void test_map_ops_and_checks(void** state) {
  struct mm_region* m = NULL;
  uint64_t base;
  bool ow;
  /* len is rounded up; MAP op carries prot, and where the object's memory is. */
  assert_int_equal(mm_map(R, 0, 5000, 0, 0, &A, 2 * PG, MM_PROT_READ, MM_VDSO_NO, &OPS, &m,
                          &base, &ow),
                   ZX_OK);
  assert_int_equal(OPS.n, 1);
  expect_op(0, ZUM_WORK_MAP, MM_PROT_READ, BASE, 2 * PG);
  assert_int_equal(OPS.v[0].offset, 2 * PG);
  assert_int_equal(OPS.v[0].fd, 40);
  assert_int_equal(A.mappings, 1);
  assert_true(mm_region_is_mapping(m));
  assert_int_equal(mm_mapping_vmo_offset(m), 2 * PG);
  assert_true(mm_region_flags(m) & MM_CAN_MAP_READ);
  assert_false(ow);
  mm_ops_reset(&OPS);
  /* Flags a mapping may not have. */
  assert_int_equal(mm_map(R, 0, PG, 0, MM_COMPACT, &A, 0, 1, MM_VDSO_NO, &OPS, &m, &base, &ow),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(
      mm_map(R, 0, PG, 0, MM_CAN_MAP_SPECIFIC, &A, 0, 1, MM_VDSO_NO, &OPS, &m, &base, &ow),
      ZX_ERR_INVALID_ARGS);
  /* prot beyond the VMAR's CAN_MAP flags, before the offset checks. */
  struct mm_region* ro = sub_at(R, 64 * PG, 16 * PG, MM_CAN_MAP_READ | MM_CAN_MAP_SPECIFIC);
  assert_int_equal(mm_map(ro, 0, PG, 0, 0, &A, 1, MM_PROT_READ | MM_PROT_WRITE, MM_VDSO_NO, &OPS,
                          &m, &base, &ow),
                   ZX_ERR_ACCESS_DENIED);
  /* VMO offset unaligned, then len / offset overflow. */
  assert_int_equal(mm_map(R, 0, PG, 0, 0, &A, 1, 1, MM_VDSO_NO, &OPS, &m, &base, &ow),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(mm_map(R, 0, UINT64_MAX - 10, 0, 0, &A, 0, 1, MM_VDSO_NO, &OPS, &m, &base,
                          &ow),
                   ZX_ERR_OUT_OF_RANGE);
  assert_int_equal(mm_map(R, 0, 2 * PG, 0, 0, &A, UINT64_MAX - PG + 1, 1, MM_VDSO_NO, &OPS, &m,
                          &base, &ow),
                   ZX_ERR_OUT_OF_RANGE);
  /* len 0 from the core. */
  assert_int_equal(mm_map(R, 0, 0, 0, 0, &A, 0, 1, MM_VDSO_NO, &OPS, &m, &base, &ow),
                   ZX_ERR_INVALID_ARGS);
  /* Occupied. */
  assert_int_equal(mm_map(R, PG, PG, 0, MM_SPECIFIC, &A, 0, 1, MM_VDSO_NO, &OPS, &m, &base, &ow),
                   ZX_ERR_ALREADY_EXISTS);
  assert_int_equal(OPS.n, 0);
  /* Upper-limit mappings start at VMO offset 0 whatever was asked (a Zircon quirk). */
  assert_int_equal(mm_map(R, 16 * PG, PG, 0, MM_OFFSET_IS_UPPER_LIMIT, &A, 8 * PG, 1,
                          MM_VDSO_NO, &OPS, &m, &base, &ow),
                   ZX_OK);
  assert_int_equal(mm_mapping_vmo_offset(m), 0);
  assert_int_equal(OPS.v[0].offset, 0);
  assert_true(base < BASE + 16 * PG);
  assert_int_equal(A.mappings, 2);
  mm_region_unref(ro);
}

static void test_map_overwrite(void** state) {
  map_at(R, 0, 8 * PG, &A, 0, MM_PROT_READ);
  map_at(R, 8 * PG, 4 * PG, &B, 0, MM_PROT_READ);
  mm_ops_reset(&OPS);
  struct mm_region* m;
  uint64_t base;
  bool ow;
  /* Overwrite the middle of A and the head of B: A splits in two, B is trimmed. */
  assert_int_equal(mm_map(R, 6 * PG, 4 * PG, 0, MM_SPECIFIC_OVERWRITE, &B, 64 * PG,
                          MM_PROT_READ | MM_PROT_WRITE, MM_VDSO_NO, &OPS, &m, &base, &ow),
                   ZX_OK);
  assert_true(ow);
  assert_int_equal(base, BASE + 6 * PG);
  /* One MAP op: Linux replaces what was there. */
  assert_int_equal(OPS.n, 1);
  expect_op(0, ZUM_WORK_MAP, 3, BASE + 6 * PG, 4 * PG);
  /* B's memory, at B's window plus the offset asked for. */
  assert_int_equal(OPS.v[0].fd, 41);
  assert_int_equal(OPS.v[0].offset, 16 * PG + 64 * PG);
  assert_int_equal(A.mappings, 1);
  assert_int_equal(B.mappings, 2);
  struct mm_region* a = mm_find_mapping(R, BASE);
  assert_int_equal(mm_region_size(a), 6 * PG);
  struct mm_region* b = mm_find_mapping(R, BASE + 10 * PG);
  assert_int_equal(mm_region_base(b), BASE + 10 * PG);
  assert_int_equal(mm_region_size(b), 2 * PG);
  assert_int_equal(mm_mapping_vmo_offset(b), 2 * PG);
  mm_ops_reset(&OPS);
  /* A sub-VMAR in the range: INVALID_ARGS, nothing changed. */
  struct mm_region* s = sub_at(R, 20 * PG, 4 * PG, 0);
  assert_int_equal(mm_map(R, 12 * PG, 16 * PG, 0, MM_SPECIFIC_OVERWRITE, &A, 0, 1, MM_VDSO_NO,
                          &OPS, &m, &base, &ow),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(OPS.n, 0);
  /* Free range: like SPECIFIC. */
  assert_int_equal(mm_map(R, 30 * PG, PG, 0, MM_SPECIFIC_OVERWRITE, &A, 0, 1, MM_VDSO_NO, &OPS,
                          &m, &base, &ow),
                   ZX_OK);
  assert_false(ow);
  /* Undo after an overwrite: the tree forgets the mapping and Linux gets a reservation. */
  mm_ops_reset(&OPS);
  assert_int_equal(mm_map(R, 0, 2 * PG, 0, MM_SPECIFIC_OVERWRITE, &B, 0, 1, MM_VDSO_NO, &OPS, &m,
                          &base, &ow),
                   ZX_OK);
  mm_mapping_undo(m, ow, &OPS);
  assert_int_equal(OPS.n, 1);
  expect_op(0, ZUM_WORK_RESERVE, 0, BASE, 2 * PG);
  assert_null(mm_find_mapping(R, BASE));
  assert_non_null(mm_find_mapping(R, BASE + 2 * PG));
  mm_region_unref(s);
}

static void test_merge(void** state) {
  /* Same object, contiguous offsets, same flags: merged after mark_mergeable. */
  struct mm_region* m1 = map_at(R, 0, 2 * PG, &A, 0, MM_PROT_READ);
  mm_mapping_mark_mergeable(m1);
  struct mm_region* m3 = map_at(R, 4 * PG, 2 * PG, &A, 4 * PG, MM_PROT_READ | MM_PROT_WRITE);
  mm_mapping_mark_mergeable(m3);
  assert_int_equal(A.mappings, 2);
  struct mm_region* m2 = map_at(R, 2 * PG, 2 * PG, &A, 2 * PG, MM_PROT_READ);
  assert_int_equal(A.mappings, 3);
  mm_mapping_mark_mergeable(m2);
  assert_int_equal(A.mappings, 1);
  struct mm_region* m = mm_find_mapping(R, BASE + 5 * PG);
  assert_int_equal(mm_region_base(m), BASE);
  assert_int_equal(mm_region_size(m), 6 * PG);
  /* Protections are kept per piece and coalesced: [0,4) R, [4,6) RW. */
  assert_int_equal(mm_mapping_nranges(m), 2);
  uint64_t b, s;
  uint32_t p;
  mm_mapping_range(m, 0, &b, &s, &p);
  assert_int_equal(b, BASE);
  assert_int_equal(s, 4 * PG);
  assert_int_equal(p, MM_PROT_READ);
  mm_mapping_range(m, 1, &b, &s, &p);
  assert_int_equal(s, 2 * PG);
  assert_int_equal(p, MM_PROT_READ | MM_PROT_WRITE);
  /* Not contiguous in the object, another object, or other flags: no merge. */
  struct mm_region* n1 = map_at(R, 6 * PG, PG, &A, 100 * PG, MM_PROT_READ);
  mm_mapping_mark_mergeable(n1);
  struct mm_region* n2 = map_at(R, 7 * PG, PG, &B, 101 * PG, MM_PROT_READ);
  mm_mapping_mark_mergeable(n2);
  struct mm_region* n3 = NULL;
  uint64_t base;
  bool ow;
  assert_int_equal(mm_map(R, 8 * PG, PG, 0, MM_SPECIFIC | MM_CAN_MAP_READ, &B, 102 * PG, 1,
                          MM_VDSO_NO, &OPS, &n3, &base, &ow),
                   ZX_OK);
  mm_mapping_mark_mergeable(n3);
  assert_int_equal(A.mappings, 2);
  assert_int_equal(B.mappings, 2);
}

static void test_vdso_rule(void** state) {
  struct mm_region* m;
  uint64_t base;
  bool ow;
  assert_int_equal(mm_map(R, 0, PG, 0, MM_SPECIFIC, &A, 0, 5, MM_VDSO_CODE_INVALID, &OPS, &m,
                          &base, &ow),
                   ZX_ERR_ACCESS_DENIED);
  assert_int_equal(A.mappings, 0);
  assert_int_equal(mm_map(R, 4 * PG, 2 * PG, 0, MM_SPECIFIC, &A, 0, 5, MM_VDSO_CODE, &OPS, &m,
                          &base, &ow),
                   ZX_OK);
  assert_ptr_equal(mm_aspace_vdso_code(AS), m);
  /* Only one per aspace; an occupied range fails first with ALREADY_EXISTS. */
  assert_int_equal(mm_map(R, 4 * PG, PG, 0, MM_SPECIFIC, &A, 0, 5, MM_VDSO_CODE, &OPS, &m, &base,
                          &ow),
                   ZX_ERR_ALREADY_EXISTS);
  assert_int_equal(mm_map(R, 8 * PG, 2 * PG, 0, MM_SPECIFIC, &A, 0, 5, MM_VDSO_CODE, &OPS, &m,
                          &base, &ow),
                   ZX_ERR_ACCESS_DENIED);
  mm_ops_reset(&OPS);
  /* Never unmapped, protected, overwritten or range-operated on. */
  assert_int_equal(mm_unmap(R, BASE, 5 * PG, true, &OPS), ZX_ERR_ACCESS_DENIED);
  assert_int_equal(mm_protect(R, BASE + 4 * PG, PG, 1, true, &OPS), ZX_ERR_ACCESS_DENIED);
  assert_int_equal(mm_map(R, 5 * PG, PG, 0, MM_SPECIFIC_OVERWRITE, &A, 0, 1, MM_VDSO_NO, &OPS,
                          &m, &base, &ow),
                   ZX_ERR_ACCESS_DENIED);
  assert_int_equal(OPS.n, 0);
  /* The vDSO code mapping is never merged. */
  struct mm_region* v = mm_find_mapping(R, BASE + 4 * PG);
  mm_mapping_mark_mergeable(v);
  struct mm_region* after = map_at(R, 6 * PG, PG, &A, 2 * PG, 5);
  mm_mapping_mark_mergeable(after);
  assert_int_equal(A.mappings, 2);
}

static void test_vdso_stops_destroy(void** state) {
  struct mm_region* s = sub_at(R, 0, 16 * PG, MM_CAN_MAP_RWX | MM_CAN_MAP_SPECIFIC);
  map_at(s, 0, PG, &B, 0, 1);
  struct mm_region* m;
  uint64_t base;
  bool ow;
  assert_int_equal(mm_map(s, 4 * PG, PG, 0, MM_SPECIFIC | MM_CAN_MAP_RWX, &A, 0, 5,
                          MM_VDSO_CODE, &OPS, &m, &base, &ow),
                   ZX_OK);
  map_at(s, 8 * PG, PG, &B, 0, 1);
  mm_ops_reset(&OPS);
  /* Destroy reaches the vDSO after the first mapping: that one stays destroyed. */
  assert_int_equal(mm_destroy(s, &OPS), ZX_ERR_ACCESS_DENIED);
  assert_true(mm_region_alive(s));
  assert_int_equal(B.mappings, 1);
  assert_null(mm_find_mapping(R, BASE));
  assert_non_null(mm_find_mapping(R, BASE + 8 * PG));
  assert_int_equal(OPS.n, 1);
  expect_op(0, ZUM_WORK_RESERVE, 0, BASE, PG);
  mm_region_unref(s);
}

/* ---- unmap */

static void test_unmap_partial_and_spanning(void** state) {
  map_at(R, 0, 4 * PG, &A, 0, 1);
  map_at(R, 6 * PG, 4 * PG, &B, 0, 1);
  map_at(R, 12 * PG, 8 * PG, &A, 16 * PG, 1);
  mm_ops_reset(&OPS);
  /* From the middle of the first to the middle of the third, over two holes: one RESERVE. */
  assert_int_equal(mm_unmap(R, BASE + 2 * PG, 12 * PG, true, &OPS), ZX_OK);
  assert_int_equal(OPS.n, 1);
  expect_op(0, ZUM_WORK_RESERVE, 0, BASE + 2 * PG, 12 * PG);
  assert_int_equal(A.mappings, 2);
  assert_int_equal(B.mappings, 0);
  struct mm_region* first = mm_find_mapping(R, BASE);
  assert_int_equal(mm_region_size(first), 2 * PG);
  struct mm_region* third = mm_find_mapping(R, BASE + 14 * PG);
  assert_int_equal(mm_region_base(third), BASE + 14 * PG);
  assert_int_equal(mm_region_size(third), 6 * PG);
  assert_int_equal(mm_mapping_vmo_offset(third), 18 * PG);
  /* The middle of one mapping: it splits (one more mapping object). */
  mm_ops_reset(&OPS);
  assert_int_equal(mm_unmap(R, BASE + 16 * PG, 5000, true, &OPS), ZX_OK);
  expect_op(0, ZUM_WORK_RESERVE, 0, BASE + 16 * PG, 2 * PG);
  assert_int_equal(A.mappings, 3);
  struct mm_region* right = mm_find_mapping(R, BASE + 18 * PG);
  assert_int_equal(mm_region_base(right), BASE + 18 * PG);
  assert_int_equal(mm_mapping_vmo_offset(right), 22 * PG);
  assert_null(mm_find_mapping(R, BASE + 16 * PG));
  /* Only holes: OK and no operation. */
  mm_ops_reset(&OPS);
  assert_int_equal(mm_unmap(R, BASE + 30 * PG, 4 * PG, true, &OPS), ZX_OK);
  assert_int_equal(OPS.n, 0);
  /* The range is clipped to what was mapped. */
  assert_int_equal(mm_unmap(R, BASE, 64 * PG, true, &OPS), ZX_OK);
  assert_int_equal(OPS.n, 1);
  expect_op(0, ZUM_WORK_RESERVE, 0, BASE, 20 * PG);
  assert_int_equal(A.mappings, 0);
  assert_int_equal(nkids(R), 0);
}

static void test_unmap_errors_and_subvmars(void** state) {
  /* Unaligned, zero or overflowing length, outside. */
  assert_int_equal(mm_unmap(R, BASE + 1, PG, true, &OPS), ZX_ERR_INVALID_ARGS);
  assert_int_equal(mm_unmap(R, BASE, 0, true, &OPS), ZX_ERR_INVALID_ARGS);
  assert_int_equal(mm_unmap(R, BASE, UINT64_MAX, true, &OPS), ZX_ERR_INVALID_ARGS);
  assert_int_equal(mm_unmap(R, BASE - PG, PG, true, &OPS), ZX_ERR_INVALID_ARGS);
  assert_int_equal(mm_unmap(R, BASE + SIZE - PG, 2 * PG, true, &OPS), ZX_ERR_INVALID_ARGS);
  /* No children: OK. */
  assert_int_equal(mm_unmap(R, BASE, PG, true, &OPS), ZX_OK);
  struct mm_region* s = sub_at(R, 8 * PG, 8 * PG, MM_CAN_MAP_RWX | MM_CAN_MAP_SPECIFIC);
  map_at(s, 0, PG, &A, 0, 1);
  map_at(R, 0, PG, &B, 0, 1);
  mm_ops_reset(&OPS);
  /* Partly covered sub-VMAR, or any without op_children: nothing changes. */
  assert_int_equal(mm_unmap(R, BASE, 9 * PG, true, &OPS), ZX_ERR_INVALID_ARGS);
  assert_int_equal(mm_unmap(R, BASE, 16 * PG, false, &OPS), ZX_ERR_INVALID_ARGS);
  assert_int_equal(OPS.n, 0);
  assert_int_equal(B.mappings, 1);
  /* Through the sub-VMAR itself it is fine. */
  assert_int_equal(mm_unmap(s, BASE + 8 * PG, PG, false, &OPS), ZX_OK);
  assert_int_equal(A.mappings, 0);
  map_at(s, 4 * PG, PG, &A, 0, 1);
  mm_ops_reset(&OPS);
  /* Fully covered with op_children: destroyed with everything in it. */
  assert_int_equal(mm_unmap(R, BASE, 16 * PG, true, &OPS), ZX_OK);
  assert_false(mm_region_alive(s));
  assert_int_equal(A.mappings, 0);
  assert_int_equal(B.mappings, 0);
  assert_int_equal(OPS.n, 1);
  expect_op(0, ZUM_WORK_RESERVE, 0, BASE, 13 * PG);
  /* The dead region still knows where it was, and refuses everything. */
  assert_int_equal(mm_region_base(s), BASE + 8 * PG);
  assert_int_equal(mm_unmap(s, BASE + 8 * PG, PG, true, &OPS), ZX_ERR_BAD_STATE);
  assert_int_equal(mm_unmap(s, BASE + 9, PG, true, &OPS), ZX_ERR_INVALID_ARGS);
  mm_region_unref(s);
}

/* ---- protect */

static void test_protect_splits(void** state) {
  struct mm_region* m = map_at(R, 0, 8 * PG, &A, 0, MM_PROT_READ | MM_PROT_WRITE);
  mm_ops_reset(&OPS);
  assert_int_equal(mm_protect(R, BASE + 2 * PG, 2 * PG, MM_PROT_READ, true, &OPS), ZX_OK);
  assert_int_equal(OPS.n, 1);
  expect_op(0, ZUM_WORK_PROTECT, MM_PROT_READ, BASE + 2 * PG, 2 * PG);
  /* One mapping object, three protection pieces. */
  assert_int_equal(A.mappings, 1);
  assert_int_equal(mm_mapping_nranges(m), 3);
  assert_int_equal(mm_mapping_prot_at(m, BASE + 3 * PG), MM_PROT_READ);
  assert_int_equal(mm_mapping_prot_at(m, BASE + 4 * PG), 3);
  /* Back to RW: one piece again. */
  assert_int_equal(mm_protect(R, BASE, 8 * PG, 3, true, &OPS), ZX_OK);
  assert_int_equal(mm_mapping_nranges(m), 1);
  /* None at all is allowed. */
  assert_int_equal(mm_protect(R, BASE + 7 * PG, PG, 0, true, &OPS), ZX_OK);
  assert_int_equal(mm_mapping_prot_at(m, BASE + 7 * PG), 0);
  /* Unmapping inside keeps each side's protections. */
  assert_int_equal(mm_unmap(R, BASE + 4 * PG, PG, true, &OPS), ZX_OK);
  struct mm_region* r = mm_find_mapping(R, BASE + 7 * PG);
  assert_int_equal(mm_mapping_nranges(r), 2);
  assert_int_equal(mm_mapping_prot_at(r, BASE + 5 * PG), 3);
  assert_int_equal(mm_mapping_prot_at(r, BASE + 7 * PG), 0);
}

static void test_protect_errors(void** state) {
  map_at(R, 0, 2 * PG, &A, 0, MM_PROT_READ);
  map_at(R, 4 * PG, 2 * PG, &A, 0, MM_PROT_READ);
  /* A mapping whose handles allowed only READ: its CAN_MAP flags cap protect. */
  struct mm_region* m;
  uint64_t base;
  bool ow;
  assert_int_equal(mm_map(R, 2 * PG, 2 * PG, 0, MM_SPECIFIC, &B, 0, MM_PROT_READ, MM_VDSO_NO,
                          &OPS, &m, &base, &ow),
                   ZX_OK);
  mm_ops_reset(&OPS);
  assert_int_equal(mm_protect(R, BASE + 1, PG, 1, true, &OPS), ZX_ERR_INVALID_ARGS);
  assert_int_equal(mm_protect(R, BASE, 0, 1, true, &OPS), ZX_ERR_INVALID_ARGS);
  assert_int_equal(mm_protect(R, BASE + SIZE, PG, 1, true, &OPS), ZX_ERR_INVALID_ARGS);
  /* Gap before a mapping, at the end, or no mapping at all. */
  assert_int_equal(mm_protect(R, BASE, 8 * PG, 1, true, &OPS), ZX_ERR_NOT_FOUND);
  assert_int_equal(mm_protect(R, BASE + 10 * PG, PG, 1, true, &OPS), ZX_ERR_NOT_FOUND);
  /* Beyond CAN_MAP: the first mapping allows RWX (its flags came from the test), B only R. */
  assert_int_equal(mm_protect(R, BASE, 4 * PG, 3, true, &OPS), ZX_ERR_ACCESS_DENIED);
  /* Nothing was changed by the failures. */
  assert_int_equal(mm_mapping_prot_at(mm_find_mapping(R, BASE), BASE), MM_PROT_READ);
  assert_int_equal(OPS.n, 0);
  /* Sub-VMAR: needs op_children and may only reduce. */
  struct mm_region* s = sub_at(R, 16 * PG, 4 * PG, MM_CAN_MAP_RWX | MM_CAN_MAP_SPECIFIC);
  struct mm_region* sm = map_at(s, 0, 4 * PG, &A, 0, MM_PROT_READ);
  assert_int_equal(mm_protect(R, BASE + 16 * PG, 4 * PG, 1, false, &OPS), ZX_ERR_INVALID_ARGS);
  assert_int_equal(mm_protect(R, BASE + 16 * PG, 4 * PG, 3, true, &OPS), ZX_ERR_ACCESS_DENIED);
  assert_int_equal(mm_protect(R, BASE + 17 * PG, PG, 0, true, &OPS), ZX_OK);
  assert_int_equal(mm_mapping_prot_at(sm, BASE + 17 * PG), 0);
  /* Through the sub-VMAR's own handle it may grow again (within CAN_MAP). */
  assert_int_equal(mm_protect(s, BASE + 16 * PG, 4 * PG, 3, false, &OPS), ZX_OK);
  mm_region_unref(s);
}

/* ---- destroy */

static void test_destroy_nested(void** state) {
  struct mm_region* s = sub_at(R, 0, 64 * PG, MM_CAN_MAP_RWX | MM_CAN_MAP_SPECIFIC);
  struct mm_region* t = sub_at(s, 8 * PG, 16 * PG, MM_CAN_MAP_RWX | MM_CAN_MAP_SPECIFIC);
  map_at(s, 2 * PG, PG, &A, 0, 1);
  map_at(t, 4 * PG, PG, &A, 0, 1);
  map_at(s, 40 * PG, 2 * PG, &B, 0, 1);
  mm_ops_reset(&OPS);
  assert_int_equal(mm_destroy(R, &OPS), ZX_ERR_NOT_SUPPORTED);
  assert_int_equal(mm_destroy(s, &OPS), ZX_OK);
  assert_false(mm_region_alive(s));
  assert_false(mm_region_alive(t));
  assert_null(mm_region_parent(t));
  assert_int_equal(A.mappings + B.mappings, 0);
  assert_int_equal(OPS.n, 1);
  expect_op(0, ZUM_WORK_RESERVE, 0, BASE + 2 * PG, 40 * PG);
  mm_ops_reset(&OPS);
  assert_int_equal(mm_destroy(s, &OPS), ZX_ERR_BAD_STATE);
  assert_int_equal(mm_destroy(t, &OPS), ZX_ERR_BAD_STATE);
  struct mm_region* m;
  uint64_t base;
  bool ow;
  assert_int_equal(mm_map(t, 0, PG, 0, 0, &A, 0, 1, MM_VDSO_NO, &OPS, &m, &base, &ow),
                   ZX_ERR_BAD_STATE);
  assert_int_equal(mm_protect(t, BASE + 8 * PG, PG, 1, true, &OPS), ZX_ERR_BAD_STATE);
  assert_int_equal(OPS.n, 0);
  /* Its range is free again. */
  struct mm_region* again = sub_at(R, 0, 64 * PG, 0);
  mm_region_unref(again);
  /* An empty VMAR: nothing for Linux to do. */
  struct mm_region* e = sub_at(R, 100 * PG, PG, 0);
  assert_int_equal(mm_destroy(e, &OPS), ZX_OK);
  assert_int_equal(OPS.n, 0);
  mm_region_unref(e);
  mm_region_unref(t);
  mm_region_unref(s);
}

/* A guest may nest VMARs as deep as it likes: nothing may recurse. */
static void test_deep_nesting(void** state) {
  struct mm_region* top = sub_at(R, 0, 16 * PG, MM_CAN_MAP_RWX | MM_CAN_MAP_SPECIFIC);
  struct mm_region* cur = top;
  for (int i = 0; i < 100000; i++) {
    struct mm_region* n;
    uint64_t base;
    assert_int_equal(mm_vmar_allocate(cur, 0, 16 * PG, 0, MM_CAN_MAP_RWX | MM_CAN_MAP_SPECIFIC,
                                      &n, &base),
                     ZX_OK);
    if (cur != top) mm_region_unref(cur);
    cur = n;
  }
  map_at(cur, 0, PG, &A, 0, 1);
  assert_non_null(mm_find_mapping(R, BASE));
  mm_ops_reset(&OPS);
  assert_int_equal(mm_protect(R, BASE, PG, 0, true, &OPS), ZX_OK);
  assert_int_equal(mm_mapping_prot_at(mm_find_mapping(R, BASE), BASE), 0);
  assert_int_equal(mm_destroy(top, &OPS), ZX_OK);
  assert_int_equal(A.mappings, 0);
  assert_false(mm_region_alive(cur));
  mm_region_unref(cur);
  mm_region_unref(top);
}

/* ---- range ops, lookups, enumeration */

struct seen {
  int n;
  uint64_t addr[8], len[8];
  zx_status_t fail_at;
};
static zx_status_t record(void* ctx, struct mm_region* m, uint64_t addr, uint64_t len) {
  struct seen* s = ctx;
  s->addr[s->n] = addr;
  s->len[s->n] = len;
  s->n++;
  return s->n == (int)s->fail_at ? ZX_ERR_NO_MEMORY : ZX_OK;
}

static void test_range_op_walk(void** state) {
  map_at(R, 0, 4 * PG, &A, 0, 1);
  struct mm_region* s = sub_at(R, 4 * PG, 4 * PG, MM_CAN_MAP_RWX | MM_CAN_MAP_SPECIFIC);
  map_at(s, 0, 4 * PG, &B, 0, 1);
  map_at(R, 8 * PG, 2 * PG, &A, 0, 1);
  struct seen sn = {0};
  assert_int_equal(mm_range_op(R, BASE + PG, 8 * PG, record, &sn), ZX_OK);
  assert_int_equal(sn.n, 3);
  assert_int_equal(sn.addr[0], BASE + PG);
  assert_int_equal(sn.len[0], 3 * PG);
  assert_int_equal(sn.addr[1], BASE + 4 * PG);
  assert_int_equal(sn.len[2], PG);
  /* Errors: length/alignment, then range (OUT_OF_RANGE), then gaps (BAD_STATE). */
  memset(&sn, 0, sizeof(sn));
  assert_int_equal(mm_range_op(R, BASE + 1, PG, record, &sn), ZX_ERR_INVALID_ARGS);
  assert_int_equal(mm_range_op(R, BASE, 0, record, &sn), ZX_ERR_INVALID_ARGS);
  assert_int_equal(mm_range_op(R, BASE + SIZE, PG, record, &sn), ZX_ERR_OUT_OF_RANGE);
  assert_int_equal(mm_range_op(R, BASE, 11 * PG, record, &sn), ZX_ERR_BAD_STATE);
  assert_int_equal(sn.n, 3); /* not atomic: the pieces before the gap were done */
  memset(&sn, 0, sizeof(sn));
  assert_int_equal(mm_range_op(R, BASE + 10 * PG, PG, record, &sn), ZX_ERR_BAD_STATE);
  assert_int_equal(sn.n, 0);
  sn.fail_at = 2;
  assert_int_equal(mm_range_op(R, BASE, 10 * PG, record, &sn), ZX_ERR_NO_MEMORY);
  assert_int_equal(sn.n, 2);
  /* Populate ops skip pieces without access. */
  struct mm_region* m = mm_find_mapping(R, BASE);
  assert_int_equal(mm_protect(R, BASE + PG, PG, 0, true, &OPS), ZX_OK);
  mm_ops_reset(&OPS);
  mm_push_populate(&OPS, m, BASE, 4 * PG);
  assert_int_equal(OPS.n, 2);
  expect_op(0, ZUM_WORK_POPULATE, 1, BASE, PG);
  expect_op(1, ZUM_WORK_POPULATE, 1, BASE + 2 * PG, 2 * PG);
  mm_region_unref(s);
}

struct visit {
  int n;
  unsigned depth[16];
  uint64_t base[16];
  bool mapping[16];
};
static zx_status_t visit(void* ctx, struct mm_region* r, unsigned depth) {
  struct visit* v = ctx;
  v->depth[v->n] = depth;
  v->base[v->n] = mm_region_base(r);
  v->mapping[v->n] = mm_region_is_mapping(r);
  v->n++;
  return ZX_OK;
}

static void test_enumerate_order(void** state) {
  struct mm_region* s = sub_at(R, 8 * PG, 8 * PG, MM_CAN_MAP_RWX | MM_CAN_MAP_SPECIFIC);
  struct mm_region* t = sub_at(s, 0, 4 * PG, MM_CAN_MAP_RWX | MM_CAN_MAP_SPECIFIC);
  map_at(t, 0, PG, &A, 0, 1);
  map_at(s, 4 * PG, PG, &A, 0, 1);
  map_at(R, 0, PG, &B, 0, 1);
  map_at(R, 20 * PG, PG, &B, 0, 1);
  struct visit v = {0};
  assert_int_equal(mm_enumerate(R, 1, visit, &v), ZX_OK);
  assert_int_equal(v.n, 7);
  unsigned depths[] = {1, 2, 2, 3, 4, 3, 2};
  uint64_t bases[] = {BASE, BASE, BASE + 8 * PG, BASE + 8 * PG, BASE + 8 * PG, BASE + 12 * PG,
                      BASE + 20 * PG};
  for (int i = 0; i < 7; i++) {
    assert_int_equal(v.depth[i], depths[i]);
    assert_int_equal(v.base[i], bases[i]);
  }
  assert_false(v.mapping[2]);
  assert_true(v.mapping[4]);
  memset(&v, 0, sizeof(v));
  assert_int_equal(mm_enumerate(s, 0, visit, &v), ZX_OK);
  assert_int_equal(v.n, 4);
  assert_int_equal(mm_destroy(s, &OPS), ZX_OK);
  assert_int_equal(mm_enumerate(s, 0, visit, &v), ZX_ERR_BAD_STATE);
  mm_region_unref(t);
  mm_region_unref(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_allocate_specific_and_overlap, setup, teardown),
      cmocka_unit_test_setup_teardown(test_allocate_errors_in_order, setup, teardown),
      cmocka_unit_test_setup_teardown(test_allocate_first_fit_alignment_exhaustion, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_randomised_placement, setup, teardown),
      cmocka_unit_test_setup_teardown(test_seed_reproducible, setup, teardown),
      cmocka_unit_test_setup_teardown(test_map_ops_and_checks, setup, teardown),
      cmocka_unit_test_setup_teardown(test_map_overwrite, setup, teardown),
      cmocka_unit_test_setup_teardown(test_merge, setup, teardown),
      cmocka_unit_test_setup_teardown(test_vdso_rule, setup, teardown),
      cmocka_unit_test_setup_teardown(test_vdso_stops_destroy, setup, teardown),
      cmocka_unit_test_setup_teardown(test_unmap_partial_and_spanning, setup, teardown),
      cmocka_unit_test_setup_teardown(test_unmap_errors_and_subvmars, setup, teardown),
      cmocka_unit_test_setup_teardown(test_protect_splits, setup, teardown),
      cmocka_unit_test_setup_teardown(test_protect_errors, setup, teardown),
      cmocka_unit_test_setup_teardown(test_destroy_nested, setup, teardown),
      cmocka_unit_test_setup_teardown(test_deep_nesting, setup, teardown),
      cmocka_unit_test_setup_teardown(test_range_op_walk, setup, teardown),
      cmocka_unit_test_setup_teardown(test_enumerate_order, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
