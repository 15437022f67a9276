/* Unit tests: VMAR syscalls (kobj/sys_vmar.c, kobj/vmar.c, kobj/vmar_info.c) over mm/vmar.c and
 * real VMOs, with the Linux operations each call asks of its target process recorded by a fake
 * host. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zircon/syscalls/object.h>
#include <zum/sysno.h>

#include "kobj/handle.h"
#include "kobj/sysutil.h"
#include "kobj/vdso.h"
#include "kobj/vmar.h"
#include "kobj/vmo.h"
#include "mm/vmar.h"
#include "tests/unit/fake_host.h"

#define PG 4096ull
#define BASE 0x100000000ull
#define SIZE (1ull << 30)
#define BASE2 0x200000000ull
#define ROOT_RIGHTS (ZX_DEFAULT_VMAR_RIGHTS | ZX_RIGHT_READ | ZX_RIGHT_WRITE | ZX_RIGHT_EXECUTE)

/* The recording host (fake_rec_ops) tags each operation with its process: &TAG1 or &TAG2. */

static struct kproc *P, *P2;
static struct kthread *T, *T2;
static zx_handle_t ROOT, ROOT2; /* each process's own root VMAR handle */
static int TAG1, TAG2;

static zx_handle_t hosted(struct kthread* t, uint64_t base) {
  zum_hosted_info_t info;
  memset(&info, 0, sizeof(info));
  assert_int_equal(FAKE(t, hosted_init, U(&info), base, SIZE), ZX_OK);
  /* Only what this file tests needs to stay open. */
  FAKE(t, handle_close, info.process_self);
  FAKE(t, handle_close, info.thread_self);
  return info.vmar_root_self;
}

static int setup(void** state) {
  fake_boot();
  zx_status_t s;
  P = kproc_create(kroot_job, "p1", 2, &TAG1, &fake_rec_ops, &s);
  T = fake_thread(P);
  P2 = kproc_create(kroot_job, "p2", 2, &TAG2, &fake_rec_ops, &s);
  T2 = fake_thread(P2);
  ROOT = hosted(T, BASE);
  ROOT2 = hosted(T2, BASE2);
  fake_rec_reset();
  return 0;
}

static int teardown(void** state) {
  fake_end(P, 0);
  fake_end(P2, 0);
  assert_int_equal(khandle_live_count(), 0);
  return 0;
}

static struct khandle* hnd(struct kproc* p, zx_handle_t h) {
  struct khandle* k = khandle_lookup(p->table, h);
  assert_non_null(k);
  return k;
}

static zx_handle_t make_vmo(uint64_t size, uint32_t options) {
  zx_handle_t h = 0;
  assert_int_equal(FAKE(T, vmo_create, size, options, U(&h)), ZX_OK);
  return h;
}

static zx_handle_t dup_h(zx_handle_t h, zx_rights_t rights) {
  zx_handle_t d = 0;
  assert_int_equal(FAKE(T, handle_duplicate, h, rights, U(&d)), ZX_OK);
  return d;
}

static int64_t map(zx_handle_t vmar, uint32_t opts, uint64_t off, zx_handle_t vmo, uint64_t voff,
                   uint64_t len, uint64_t* addr) {
  return FAKE(T, vmar_map, vmar, opts, off, vmo, voff, len, U(addr));
}

static uint64_t map_ok(zx_handle_t vmar, uint32_t opts, uint64_t off, zx_handle_t vmo,
                       uint64_t voff, uint64_t len) {
  uint64_t a = 0;
  assert_int_equal(map(vmar, opts, off, vmo, voff, len, &a), ZX_OK);
  return a;
}

static zx_handle_t allocate(zx_handle_t parent, uint32_t opts, uint64_t off, uint64_t size,
                            uint64_t* addr) {
  zx_handle_t h = 0;
  uint64_t a = 0;
  assert_int_equal(FAKE(T, vmar_allocate, parent, opts, off, size, U(&h), U(&a)), ZX_OK);
  if (addr) *addr = a;
  return h;
}

static void expect_rec(size_t i, void* host, uint32_t kind, uint32_t prot, uint64_t addr,
                       uint64_t len) {
  assert_true(i < fake_nrec);
  assert_ptr_equal(fake_recs[i].host, host);
  assert_int_equal(fake_recs[i].op.kind, kind);
  assert_int_equal(fake_recs[i].op.prot, prot);
  assert_int_equal(fake_recs[i].op.addr, addr);
  assert_int_equal(fake_recs[i].op.len, len);
}

static zx_info_vmo_t vmo_info(zx_handle_t h) {
  zx_info_vmo_t info;
  assert_int_equal(FAKE(T, object_get_info, h, ZX_INFO_VMO, U(&info), sizeof(info), 0, 0), ZX_OK);
  return info;
}

/* ---- allocate */

static void test_allocate(void** state) {
  uint64_t a;
  zx_handle_t s = allocate(ROOT, ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_SPECIFIC, 0, 16 * PG, &a);
  assert_true(a >= BASE && a + 16 * PG <= BASE + SIZE);
  assert_int_equal(a & (PG - 1), 0);
  /* Rights: VMAR defaults plus READ for CAN_MAP_READ. */
  assert_int_equal(hnd(P, s)->rights, ZX_DEFAULT_VMAR_RIGHTS | ZX_RIGHT_READ);
  zx_info_vmar_t vi;
  assert_int_equal(FAKE(T, object_get_info, s, ZX_INFO_VMAR, U(&vi), sizeof(vi), 0, 0), ZX_OK);
  assert_int_equal(vi.base, a);
  assert_int_equal(vi.len, 16 * PG);
  /* Reservations ask nothing of Linux. */
  assert_int_equal(fake_nrec, 0);
  /* CAN_MAP_WRITE needs WRITE on the parent handle (which s lacks). */
  zx_handle_t h;
  uint64_t b;
  assert_int_equal(FAKE(T, vmar_allocate, s, ZX_VM_CAN_MAP_WRITE, 0, PG, U(&h), U(&b)),
                   ZX_ERR_ACCESS_DENIED);
  /* Alignment: 1 MiB aligned. */
  zx_handle_t al = allocate(ROOT, ZX_VM_ALIGN_1MB, 0, PG, &b);
  assert_int_equal(b & ((1 << 20) - 1), 0);
  FAKE(T, handle_close, al);
  /* Specific: exactly there; again is ALREADY_EXISTS. */
  zx_handle_t sp = allocate(ROOT, ZX_VM_SPECIFIC, 0x10000, PG, &b);
  assert_int_equal(b, BASE + 0x10000);
  assert_int_equal(FAKE(T, vmar_allocate, ROOT, ZX_VM_SPECIFIC, 0x10000, PG, U(&h), U(&b)),
                   ZX_ERR_ALREADY_EXISTS);
  FAKE(T, handle_close, sp);
  /* Closing a VMAR's last handle does not destroy it (as in Zircon). */
  assert_int_equal(FAKE(T, vmar_allocate, ROOT, ZX_VM_SPECIFIC, 0x10000, PG, U(&h), U(&b)),
                   ZX_ERR_ALREADY_EXISTS);
  FAKE(T, handle_close, s);
}

static void test_allocate_errors(void** state) {
  zx_handle_t h = 0;
  uint64_t a = 0;
  zx_handle_t ev = 0;
  assert_int_equal(FAKE(T, event_create, 0, U(&ev)), ZX_OK);
  assert_int_equal(FAKE(T, vmar_allocate, 12345, 0, 0, PG, U(&h), U(&a)), ZX_ERR_BAD_HANDLE);
  assert_int_equal(FAKE(T, vmar_allocate, ev, 0, 0, PG, U(&h), U(&a)), ZX_ERR_WRONG_TYPE);
  /* Rights before flags: CAN_MAP_READ through a handle without READ, with an unknown bit. */
  zx_handle_t noread = dup_h(ROOT, ZX_DEFAULT_VMAR_RIGHTS);
  assert_int_equal(
      FAKE(T, vmar_allocate, noread, ZX_VM_CAN_MAP_READ | (1u << 20), 0, PG, U(&h), U(&a)),
      ZX_ERR_ACCESS_DENIED);
  /* Unknown bits, bad alignments, permissions, MAP_RANGE. */
  assert_int_equal(FAKE(T, vmar_allocate, ROOT, 1u << 20, 0, PG, U(&h), U(&a)),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, vmar_allocate, ROOT, 9u << ZX_VM_ALIGN_BASE, 0, PG, U(&h), U(&a)),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, vmar_allocate, ROOT, 33u << ZX_VM_ALIGN_BASE, 0, PG, U(&h), U(&a)),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, vmar_allocate, ROOT, ZX_VM_PERM_READ, 0, PG, U(&h), U(&a)),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, vmar_allocate, ROOT, ZX_VM_MAP_RANGE, 0, PG, U(&h), U(&a)),
                   ZX_ERR_INVALID_ARGS);
  /* Size unaligned (not rounded for allocate), flags a VMAR may not have, size 0. */
  assert_int_equal(FAKE(T, vmar_allocate, ROOT, 0, 0, 100, U(&h), U(&a)), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, vmar_allocate, ROOT, ZX_VM_SPECIFIC_OVERWRITE, 0, PG, U(&h), U(&a)),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, vmar_allocate, ROOT, 0, 0, 0, U(&h), U(&a)), ZX_ERR_INVALID_ARGS);
  /* Too big: nothing fits. */
  assert_int_equal(FAKE(T, vmar_allocate, ROOT, 0, 0, SIZE + PG, U(&h), U(&a)),
                   ZX_ERR_INVALID_ARGS);
  zx_handle_t big = allocate(ROOT, 0, 0, SIZE - PG, NULL);
  assert_int_equal(FAKE(T, vmar_allocate, ROOT, 0, 0, 2 * PG, U(&h), U(&a)),
                   ZX_ERR_NO_RESOURCES);
  assert_int_equal(FAKE(T, vmar_destroy, big), ZX_OK);
  FAKE(T, handle_close, big);
  /* A faulting address pointer: INVALID_ARGS, and the VMAR is gone again (its range is free). */
  assert_int_equal(FAKE(T, vmar_allocate, ROOT, ZX_VM_SPECIFIC, 0, PG, U(&h), 8), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, vmar_allocate, ROOT, ZX_VM_SPECIFIC, 0, PG, 8, U(&a)), ZX_ERR_INVALID_ARGS);
  zx_handle_t again = allocate(ROOT, ZX_VM_SPECIFIC, 0, PG, &a);
  assert_int_equal(a, BASE);
  FAKE(T, handle_close, again);
  FAKE(T, handle_close, noread);
  FAKE(T, handle_close, ev);
}

/* ---- map */

static void test_map_ops(void** state) {
  zx_handle_t v = make_vmo(8 * PG, 0);
  uint64_t a = map_ok(ROOT, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_SPECIFIC, 0x20000, v, PG,
                      3 * PG + 1);
  assert_int_equal(a, BASE + 0x20000);
  assert_int_equal(fake_nrec, 1);
  expect_rec(0, &TAG1, ZUM_WORK_MAP, 3, a, 4 * PG);
  assert_int_equal(fake_recs[0].op.offset, PG);
  assert_int_equal(fake_recs[0].op.fd, kvmo_fd(to_kvmo(hnd(P, v)->obj)));
  assert_int_equal(vmo_info(v).num_mappings, 1);
  /* The mapping keeps the VMO alive after its handle is closed. */
  zx_handle_t keep = dup_h(v, ZX_RIGHT_SAME_RIGHTS);
  FAKE(T, handle_close, v);
  assert_int_equal(vmo_info(keep).num_mappings, 1);
  /* MAP_RANGE: the mapping, then page tables for the pages the VMO has (never committing any,
   * and nothing past the VMO's end). */
  fake_nrec = 0;
  uint64_t b = map_ok(ROOT, ZX_VM_PERM_READ | ZX_VM_MAP_RANGE, 0, keep, 0, 2 * PG);
  assert_int_equal(fake_nrec, 1);
  expect_rec(0, &TAG1, ZUM_WORK_MAP, 1, b, 2 * PG);
  assert_int_equal(FAKE(T, vmo_write, keep, U("ab"), PG + 5, 2), ZX_OK);
  assert_int_equal(FAKE(T, vmo_write, keep, U("ab"), 3 * PG, 2), ZX_OK);
  assert_int_equal(FAKE(T, vmo_write, keep, U("ab"), 4 * PG, 2), ZX_OK);
  assert_int_equal(FAKE(T, vmo_write, keep, U("ab"), 7 * PG, 2), ZX_OK);
  fake_nrec = 0;
  uint64_t c = map_ok(ROOT, ZX_VM_PERM_READ | ZX_VM_MAP_RANGE, 0, keep, PG, 16 * PG);
  assert_int_equal(fake_nrec, 4);
  expect_rec(0, &TAG1, ZUM_WORK_MAP, 1, c, 16 * PG);
  expect_rec(1, &TAG1, ZUM_WORK_POPULATE, 1, c, PG);
  expect_rec(2, &TAG1, ZUM_WORK_POPULATE, 1, c + 2 * PG, 2 * PG);
  expect_rec(3, &TAG1, ZUM_WORK_POPULATE, 1, c + 6 * PG, PG);
  assert_int_equal(FAKE(T, vmar_unmap, ROOT, c, 16 * PG), ZX_OK);
  /* Unmapping both: one reservation each. */
  fake_nrec = 0;
  assert_int_equal(FAKE(T, vmar_unmap, ROOT, a, 4 * PG), ZX_OK);
  assert_int_equal(FAKE(T, vmar_unmap, ROOT, b, 2 * PG), ZX_OK);
  expect_rec(0, &TAG1, ZUM_WORK_RESERVE, 0, a, 4 * PG);
  expect_rec(1, &TAG1, ZUM_WORK_RESERVE, 0, b, 2 * PG);
  assert_int_equal(vmo_info(keep).num_mappings, 0);
  FAKE(T, handle_close, keep);
}

static void test_map_errors_in_order(void** state) {
  zx_handle_t v = make_vmo(4 * PG, 0);
  zx_handle_t ev = 0;
  assert_int_equal(FAKE(T, event_create, 0, U(&ev)), ZX_OK);
  uint64_t a = 0;
  /* VMAR lookup, then VMO lookup. */
  assert_int_equal(map(ev, 0, 0, 12345, 0, PG, &a), ZX_ERR_WRONG_TYPE);
  assert_int_equal(map(ROOT, 0, 0, 12345, 0, PG, &a), ZX_ERR_BAD_HANDLE);
  assert_int_equal(map(ROOT, 0, 0, ev, 0, PG, &a), ZX_ERR_WRONG_TYPE);
  /* No MAP right beats every option check. */
  zx_handle_t nomap = dup_h(v, ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_MAP);
  assert_int_equal(map(ROOT, ZX_VM_PERM_WRITE | (1u << 20), 0, nomap, 0, PG, &a),
                   ZX_ERR_ACCESS_DENIED);
  /* Protection combos, MAP_RANGE with overwrite, CAN_MAP flags. */
  assert_int_equal(map(ROOT, ZX_VM_PERM_WRITE, 0, v, 0, PG, &a), ZX_ERR_INVALID_ARGS);
  assert_int_equal(map(ROOT, ZX_VM_PERM_EXECUTE, 0, v, 0, PG, &a), ZX_ERR_INVALID_ARGS);
  assert_int_equal(map(ROOT, ZX_VM_MAP_RANGE | ZX_VM_SPECIFIC_OVERWRITE, 0, v, 0, PG, &a),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(map(ROOT, ZX_VM_PERM_READ | ZX_VM_CAN_MAP_READ, 0, v, 0, PG, &a),
                   ZX_ERR_INVALID_ARGS);
  /* Permissions against both handles: the VMO has no EXECUTE. */
  assert_int_equal(map(ROOT, ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE, 0, v, 0, PG, &a),
                   ZX_ERR_ACCESS_DENIED);
  zx_handle_t ro = dup_h(v, ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_WRITE);
  assert_int_equal(map(ROOT, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, ro, 0, PG, &a),
                   ZX_ERR_ACCESS_DENIED);
  zx_handle_t rvmar = dup_h(ROOT, ZX_DEFAULT_VMAR_RIGHTS | ZX_RIGHT_READ);
  assert_int_equal(map(rvmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, v, 0, PG, &a),
                   ZX_ERR_ACCESS_DENIED);
  /* FAULT_BEYOND_STREAM_SIZE needs ALLOW_FAULTS. */
  assert_int_equal(map(ROOT, ZX_VM_PERM_READ | ZX_VM_FAULT_BEYOND_STREAM_SIZE, 0, v, 0, PG, &a),
                   ZX_ERR_INVALID_ARGS);
  /* Unknown bits and bad alignments after the permission checks. */
  assert_int_equal(map(ROOT, ZX_VM_PERM_READ | (1u << 20), 0, v, 0, PG, &a), ZX_ERR_INVALID_ARGS);
  assert_int_equal(map(ROOT, ZX_VM_PERM_READ | (5u << ZX_VM_ALIGN_BASE), 0, v, 0, PG, &a),
                   ZX_ERR_INVALID_ARGS);
  /* Resizable VMO with REQUIRE_NON_RESIZABLE. */
  zx_handle_t rs = make_vmo(PG, ZX_VMO_RESIZABLE);
  assert_int_equal(map(ROOT, ZX_VM_PERM_READ | ZX_VM_REQUIRE_NON_RESIZABLE, 0, rs, 0, PG, &a),
                   ZX_ERR_NOT_SUPPORTED);
  uint64_t ok = map_ok(ROOT, ZX_VM_PERM_READ | ZX_VM_ALLOW_FAULTS, 0, rs, 0, PG);
  /* Flags a mapping may not have; then the offset and length checks. */
  assert_int_equal(map(ROOT, ZX_VM_PERM_READ | ZX_VM_COMPACT, 0, v, 0, PG, &a), ZX_ERR_INVALID_ARGS);
  assert_int_equal(map(ROOT, ZX_VM_PERM_READ | ZX_VM_CAN_MAP_SPECIFIC, 0, v, 0, PG, &a),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(map(ROOT, ZX_VM_PERM_READ, 0, v, 100, PG, &a), ZX_ERR_INVALID_ARGS);
  assert_int_equal(map(ROOT, ZX_VM_PERM_READ, 0, v, 0, UINT64_MAX, &a), ZX_ERR_OUT_OF_RANGE);
  assert_int_equal(map(ROOT, ZX_VM_PERM_READ, 0, v, UINT64_MAX - PG + 1, 2 * PG, &a),
                   ZX_ERR_OUT_OF_RANGE);
  assert_int_equal(map(ROOT, ZX_VM_PERM_READ, 0, v, 0, 0, &a), ZX_ERR_INVALID_ARGS);
  /* An offset needs SPECIFIC (or the upper limit). */
  assert_int_equal(map(ROOT, ZX_VM_PERM_READ, PG, v, 0, PG, &a), ZX_ERR_INVALID_ARGS);
  assert_int_equal(map(ROOT, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, SIZE, v, 0, PG, &a),
                   ZX_ERR_INVALID_ARGS);
  /* Past the VMO's end is allowed (touching it faults). */
  uint64_t past = map_ok(ROOT, ZX_VM_PERM_READ, 0, v, 2 * PG, 16 * PG);
  /* A faulting address pointer: INVALID_ARGS, nothing for Linux, the range free again. */
  fake_nrec = 0;
  assert_int_equal(map(ROOT, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, 0x40000, v, 0, PG, (uint64_t*)8),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(fake_nrec, 0);
  assert_int_equal(map_ok(ROOT, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, 0x40000, v, 0, PG),
                   BASE + 0x40000);
  assert_int_equal(vmo_info(v).num_mappings, 2);
  (void)ok;
  (void)past;
  FAKE(T, handle_close, rvmar);
  FAKE(T, handle_close, ro);
  FAKE(T, handle_close, nomap);
  FAKE(T, handle_close, rs);
  FAKE(T, handle_close, v);
  FAKE(T, handle_close, ev);
}

static void test_map_overwrite(void** state) {
  zx_handle_t v = make_vmo(16 * PG, 0), w = make_vmo(16 * PG, 0);
  uint32_t rw = ZX_VM_PERM_READ | ZX_VM_PERM_WRITE;
  map_ok(ROOT, rw | ZX_VM_SPECIFIC, 0, v, 0, 8 * PG);
  fake_nrec = 0;
  uint64_t a = map_ok(ROOT, ZX_VM_PERM_READ | ZX_VM_SPECIFIC_OVERWRITE, 2 * PG, w, 0, 2 * PG);
  assert_int_equal(a, BASE + 2 * PG);
  /* One MAP replaces whatever was there. */
  assert_int_equal(fake_nrec, 1);
  expect_rec(0, &TAG1, ZUM_WORK_MAP, 1, a, 2 * PG);
  /* v's mapping was split around it. */
  assert_int_equal(vmo_info(v).num_mappings, 2);
  assert_int_equal(vmo_info(w).num_mappings, 1);
  /* A faulting address pointer after an overwrite: the new mapping goes, and Linux gets a
   * reservation where the old mappings were. */
  fake_nrec = 0;
  assert_int_equal(map(ROOT, rw | ZX_VM_SPECIFIC_OVERWRITE, 0, w, 0, 4 * PG, (uint64_t*)8),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(fake_nrec, 1);
  expect_rec(0, &TAG1, ZUM_WORK_RESERVE, 0, BASE, 4 * PG);
  assert_int_equal(vmo_info(w).num_mappings, 0);
  assert_int_equal(vmo_info(v).num_mappings, 1);
  FAKE(T, handle_close, v);
  FAKE(T, handle_close, w);
}

static void test_map_merges(void** state) {
  zx_handle_t v = make_vmo(16 * PG, 0);
  map_ok(ROOT, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, 0, v, 0, 2 * PG);
  map_ok(ROOT, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, 2 * PG, v, 2 * PG, 2 * PG);
  /* Contiguous in address and VMO offset, same flags: one mapping. */
  assert_int_equal(vmo_info(v).num_mappings, 1);
  /* Unmapping the middle splits it again. */
  assert_int_equal(FAKE(T, vmar_unmap, ROOT, BASE + PG, 2 * PG), ZX_OK);
  assert_int_equal(vmo_info(v).num_mappings, 2);
  FAKE(T, handle_close, v);
}

/* A VMAR handle held by another process: the operations go to the VMAR's own process. */
static void test_map_into_other_process(void** state) {
  zx_handle_t other = 0;
  struct khandle* h = khandle_create(hnd(P2, ROOT2)->obj, ROOT_RIGHTS);
  other = khandle_attach(P->table, h);
  zx_handle_t v = make_vmo(PG, 0);
  uint64_t a = map_ok(other, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, v, 0, PG);
  assert_true(a >= BASE2 && a < BASE2 + SIZE);
  expect_rec(0, &TAG2, ZUM_WORK_MAP, 3, a, PG);
  fake_nrec = 0;
  assert_int_equal(FAKE(T, vmar_protect, other, ZX_VM_PERM_READ, a, PG), ZX_OK);
  expect_rec(0, &TAG2, ZUM_WORK_PROTECT, 1, a, PG);
  /* The other process dies: its address space goes, without Linux operations, and the VMAR is
   * dead for everyone. */
  fake_nrec = 0;
  kproc_on_exit(P2, 0);
  assert_int_equal(fake_nrec, 0);
  assert_int_equal(vmo_info(v).num_mappings, 0);
  assert_int_equal(FAKE(T, vmar_unmap, other, a, PG), ZX_ERR_BAD_STATE);
  assert_int_equal(map(other, ZX_VM_PERM_READ, 0, v, 0, PG, &a), ZX_ERR_BAD_STATE);
  zx_info_vmar_t vi;
  assert_int_equal(FAKE(T, object_get_info, other, ZX_INFO_VMAR, U(&vi), sizeof(vi), 0, 0), ZX_OK);
  assert_int_equal(vi.base, BASE2);
  FAKE(T, handle_close, other);
  FAKE(T, handle_close, v);
}

/* ---- unmap, protect, destroy */

static void test_unmap_and_protect(void** state) {
  zx_handle_t v = make_vmo(16 * PG, 0), w = make_vmo(16 * PG, 0);
  uint32_t rw = ZX_VM_PERM_READ | ZX_VM_PERM_WRITE;
  map_ok(ROOT, rw | ZX_VM_SPECIFIC, 0, v, 0, 4 * PG);
  map_ok(ROOT, rw | ZX_VM_SPECIFIC, 6 * PG, w, 0, 4 * PG);
  fake_nrec = 0;
  /* Protect over a hole: NOT_FOUND, nothing done. */
  assert_int_equal(FAKE(T, vmar_protect, ROOT, ZX_VM_PERM_READ, BASE, 10 * PG), ZX_ERR_NOT_FOUND);
  assert_int_equal(fake_nrec, 0);
  /* Rights come first: a handle without WRITE cannot ask for it. */
  zx_handle_t rvmar = dup_h(ROOT, ZX_DEFAULT_VMAR_RIGHTS | ZX_RIGHT_READ);
  assert_int_equal(FAKE(T, vmar_protect, rvmar, rw, BASE + 1, PG), ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(T, vmar_protect, ROOT, ZX_VM_PERM_WRITE, BASE, PG), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, vmar_protect, ROOT, ZX_VM_PERM_READ, BASE + 1, PG),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, vmar_protect, ROOT, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, BASE, PG),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, vmar_protect, ROOT, ZX_VM_PERM_READ | ZX_VM_ALIGN_4KB, BASE, PG),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, vmar_protect, ROOT, ZX_VM_PERM_READ, BASE, 0), ZX_ERR_INVALID_ARGS);
  /* Read-only in the middle of v: one op, the mapping is not split. */
  assert_int_equal(FAKE(T, vmar_protect, ROOT, ZX_VM_PERM_READ, BASE + PG, 5000), ZX_OK);
  assert_int_equal(fake_nrec, 1);
  expect_rec(0, &TAG1, ZUM_WORK_PROTECT, 1, BASE + PG, 2 * PG);
  assert_int_equal(vmo_info(v).num_mappings, 1);
  /* A mapping made through a read-only VMO handle can never become writable. */
  zx_handle_t ro = dup_h(v, ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_WRITE);
  uint64_t r = map_ok(ROOT, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, 12 * PG, ro, 0, PG);
  assert_int_equal(FAKE(T, vmar_protect, ROOT, rw, r, PG), ZX_ERR_ACCESS_DENIED);
  /* Unmap across both mappings and the hole: one reservation of the span that was mapped. */
  fake_nrec = 0;
  assert_int_equal(FAKE(T, vmar_unmap, ROOT, BASE + 2 * PG, 6 * PG), ZX_OK);
  assert_int_equal(fake_nrec, 1);
  expect_rec(0, &TAG1, ZUM_WORK_RESERVE, 0, BASE + 2 * PG, 6 * PG);
  assert_int_equal(vmo_info(v).num_mappings, 2); /* the trimmed one and the read-only one */
  assert_int_equal(vmo_info(w).num_mappings, 1);
  /* Unmap errors. */
  assert_int_equal(FAKE(T, vmar_unmap, ROOT, BASE + 1, PG), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, vmar_unmap, ROOT, BASE, 0), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, vmar_unmap, ROOT, BASE + SIZE, PG), ZX_ERR_INVALID_ARGS);
  FAKE(T, handle_close, ro);
  FAKE(T, handle_close, rvmar);
  FAKE(T, handle_close, v);
  FAKE(T, handle_close, w);
}

static void test_subvmar_rules(void** state) {
  uint64_t sa;
  zx_handle_t s = allocate(ROOT, ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_SPECIFIC |
                                     ZX_VM_SPECIFIC,
                           0x100000, 16 * PG, &sa);
  zx_handle_t v = make_vmo(16 * PG, 0);
  map_ok(s, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_SPECIFIC, 0, v, 0, 4 * PG);
  /* Through the parent without OP_CHILDREN: protect and unmap are INVALID_ARGS. */
  zx_handle_t noc = dup_h(ROOT, ROOT_RIGHTS & ~ZX_RIGHT_OP_CHILDREN);
  assert_int_equal(FAKE(T, vmar_protect, noc, ZX_VM_PERM_READ, sa, PG), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, vmar_unmap, noc, sa, 16 * PG), ZX_ERR_INVALID_ARGS);
  /* With it: a partial sub-VMAR is still INVALID_ARGS; protect may only reduce. */
  assert_int_equal(FAKE(T, vmar_unmap, ROOT, sa, 4 * PG), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, vmar_protect, ROOT, ZX_VM_PERM_READ, sa, PG), ZX_OK);
  assert_int_equal(FAKE(T, vmar_protect, ROOT, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, sa, PG),
                   ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(T, vmar_protect, s, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, sa, PG), ZX_OK);
  /* Overwrite over a sub-VMAR: INVALID_ARGS. */
  uint64_t a;
  assert_int_equal(map(ROOT, ZX_VM_PERM_READ | ZX_VM_SPECIFIC_OVERWRITE, 0x100000 - PG, v, 0,
                       2 * PG, &a),
                   ZX_ERR_INVALID_ARGS);
  /* Destroy: needs OP_CHILDREN; the root cannot be destroyed. */
  zx_handle_t snoc = dup_h(s, ZX_DEFAULT_VMAR_RIGHTS & ~ZX_RIGHT_OP_CHILDREN);
  assert_int_equal(FAKE(T, vmar_destroy, snoc), ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(T, vmar_destroy, ROOT), ZX_ERR_NOT_SUPPORTED);
  fake_nrec = 0;
  assert_int_equal(FAKE(T, vmar_destroy, s), ZX_OK);
  assert_int_equal(fake_nrec, 1);
  expect_rec(0, &TAG1, ZUM_WORK_RESERVE, 0, sa, 4 * PG);
  assert_int_equal(vmo_info(v).num_mappings, 0);
  /* Dead: everything BAD_STATE after the argument checks; info still answers. */
  assert_int_equal(FAKE(T, vmar_destroy, s), ZX_ERR_BAD_STATE);
  assert_int_equal(map(s, ZX_VM_PERM_READ, 0, v, 0, PG, &a), ZX_ERR_BAD_STATE);
  assert_int_equal(map(s, ZX_VM_PERM_READ, 0, v, 100, PG, &a), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, vmar_unmap, s, sa, PG), ZX_ERR_BAD_STATE);
  assert_int_equal(FAKE(T, vmar_unmap, s, sa + 1, PG), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, vmar_protect, s, ZX_VM_PERM_READ, sa, PG), ZX_ERR_BAD_STATE);
  assert_int_equal(FAKE(T, vmar_op_range, s, ZX_VMAR_OP_COMMIT, sa, PG, 0, 0), ZX_ERR_BAD_STATE);
  zx_handle_t h;
  assert_int_equal(FAKE(T, vmar_allocate, s, 0, 0, PG, U(&h), U(&a)), ZX_ERR_BAD_STATE);
  zx_info_vmar_t vi;
  assert_int_equal(FAKE(T, object_get_info, s, ZX_INFO_VMAR, U(&vi), sizeof(vi), 0, 0), ZX_OK);
  assert_int_equal(vi.base, sa);
  zx_info_maps_t m;
  assert_int_equal(FAKE(T, object_get_info, s, ZX_INFO_VMAR_MAPS, U(&m), sizeof(m), 0, 0),
                   ZX_ERR_BAD_STATE);
  /* The range is free again. */
  uint64_t b;
  FAKE(T, handle_close, allocate(ROOT, ZX_VM_SPECIFIC, 0x100000, 16 * PG, &b));
  FAKE(T, handle_close, snoc);
  FAKE(T, handle_close, noc);
  FAKE(T, handle_close, s);
  FAKE(T, handle_close, v);
}

/* ---- op_range */

static void test_op_range(void** state) {
  zx_handle_t v = make_vmo(8 * PG, 0);
  uint64_t a = map_ok(ROOT, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, v, 0, 4 * PG);
  zx_handle_t ro = dup_h(v, ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_WRITE);
  uint64_t r = map_ok(ROOT, ZX_VM_PERM_READ, 0, ro, 4 * PG, 4 * PG);
  /* Op, then buffer, then length/alignment, then range (OUT_OF_RANGE). */
  assert_int_equal(FAKE(T, vmar_op_range, ROOT, 5, a, PG, 0, 0), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, vmar_op_range, ROOT, ZX_VMAR_OP_COMMIT, a, PG, U(&a), 0),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, vmar_op_range, ROOT, ZX_VMAR_OP_COMMIT, a, PG, 0, 8),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, vmar_op_range, ROOT, ZX_VMAR_OP_COMMIT, a + 1, PG, 0, 0),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, vmar_op_range, ROOT, ZX_VMAR_OP_COMMIT, BASE + SIZE, PG, 0, 0),
                   ZX_ERR_OUT_OF_RANGE);
  /* COMMIT: the VMO's pages, then page tables. */
  fake_nrec = 0;
  assert_int_equal(FAKE(T, vmar_op_range, ROOT, ZX_VMAR_OP_COMMIT, a, 2 * PG, 0, 0), ZX_OK);
  assert_int_equal(fake_nrec, 1);
  expect_rec(0, &TAG1, ZUM_WORK_POPULATE, 3, a, 2 * PG);
  assert_int_equal(vmo_info(v).committed_bytes, 2 * PG);
  /* A mapping that can never be writable refuses COMMIT, DECOMMIT and ZERO. */
  assert_int_equal(FAKE(T, vmar_op_range, ROOT, ZX_VMAR_OP_COMMIT, r, PG, 0, 0),
                   ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(T, vmar_op_range, ROOT, ZX_VMAR_OP_DECOMMIT, r, PG, 0, 0),
                   ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(T, vmar_op_range, ROOT, ZX_VMAR_OP_ZERO, r, PG, 0, 0),
                   ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(T, vmar_op_range, ROOT, ZX_VMAR_OP_PREFETCH, r, PG, 0, 0), ZX_OK);
  assert_int_equal(FAKE(T, vmar_op_range, ROOT, ZX_VMAR_OP_DONT_NEED, r, PG, 0, 0), ZX_OK);
  /* A gap: BAD_STATE. */
  assert_int_equal(FAKE(T, vmar_op_range, ROOT, ZX_VMAR_OP_MAP_RANGE, BASE, SIZE, 0, 0),
                   ZX_ERR_BAD_STATE);
  /* ZERO and DECOMMIT change the VMO. */
  char buf[8] = "zircon!";
  assert_int_equal(FAKE(T, vmo_write, v, U(buf), 10, sizeof(buf)), ZX_OK);
  assert_int_equal(FAKE(T, vmar_op_range, ROOT, ZX_VMAR_OP_ZERO, a, PG, 0, 0), ZX_OK);
  char back[8] = "xxxxxxx";
  assert_int_equal(FAKE(T, vmo_read, v, U(back), 10, sizeof(back)), ZX_OK);
  assert_int_equal(back[0], 0);
  assert_int_equal(FAKE(T, vmar_op_range, ROOT, ZX_VMAR_OP_DECOMMIT, a, 4 * PG, 0, 0), ZX_OK);
  assert_int_equal(vmo_info(v).committed_bytes, 0);
  /* Sub-VMAR mappings: COMMIT through the parent is INVALID_ARGS; MAP_RANGE needs OP_CHILDREN. */
  uint64_t sa;
  zx_handle_t s = allocate(ROOT, ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE, 0, 4 * PG, &sa);
  map_ok(s, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, v, 0, 4 * PG);
  assert_int_equal(FAKE(T, vmar_op_range, ROOT, ZX_VMAR_OP_COMMIT, sa, PG, 0, 0),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, vmar_op_range, ROOT, ZX_VMAR_OP_MAP_RANGE, sa, PG, 0, 0), ZX_OK);
  zx_handle_t noc = dup_h(ROOT, ROOT_RIGHTS & ~ZX_RIGHT_OP_CHILDREN);
  assert_int_equal(FAKE(T, vmar_op_range, noc, ZX_VMAR_OP_MAP_RANGE, sa, PG, 0, 0),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, vmar_op_range, s, ZX_VMAR_OP_COMMIT, sa, PG, 0, 0), ZX_OK);
  FAKE(T, handle_close, noc);
  FAKE(T, handle_close, s);
  FAKE(T, handle_close, ro);
  FAKE(T, handle_close, v);
}

/* ---- process memory */

static void test_process_memory(void** state) {
  zx_handle_t v = make_vmo(2 * PG, 0);
  zx_handle_t self = 0;
  struct khandle* h = khandle_create(&P->base, ZX_DEFAULT_PROCESS_RIGHTS);
  self = khandle_attach(P->table, h);
  /* Mapped over 4 pages of a 2-page VMO, from VMO offset PG. */
  uint64_t a = map_ok(ROOT, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, 0, v, PG, 4 * PG);
  const char msg[] = "hello from the vmo";
  assert_int_equal(FAKE(T, vmo_write, v, U(msg), PG + 100, sizeof(msg)), ZX_OK);
  char buf[64];
  size_t actual = 0;
  assert_int_equal(FAKE(T, process_read_memory, self, a + 100, U(buf), sizeof(msg), U(&actual)),
                   ZX_OK);
  assert_int_equal(actual, sizeof(msg));
  assert_string_equal(buf, msg);
  /* Writes work on a read-only mapping (the debugger's view). */
  const char w[] = "HELLO";
  assert_int_equal(FAKE(T, process_write_memory, self, a + 100, U(w), 5, U(&actual)), ZX_OK);
  assert_int_equal(actual, 5);
  assert_int_equal(FAKE(T, vmo_read, v, U(buf), PG + 100, sizeof(msg)), ZX_OK);
  assert_memory_equal(buf, "HELLO from the vmo", sizeof(msg));
  /* Trimmed at the VMO's end; nothing left there: OUT_OF_RANGE. */
  assert_int_equal(FAKE(T, process_read_memory, self, a + PG - 8, U(buf), 64, U(&actual)), ZX_OK);
  assert_int_equal(actual, 8);
  assert_int_equal(FAKE(T, process_read_memory, self, a + PG, U(buf), 64, U(&actual)),
                   ZX_ERR_OUT_OF_RANGE);
  /* Errors in order: buffer, length, rights, gap. */
  assert_int_equal(FAKE(T, process_read_memory, 12345, a, 0, 8, U(&actual)), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, process_read_memory, 12345, a, U(buf), 0, U(&actual)),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(
      FAKE(T, process_read_memory, 12345, a, U(buf), 64 * 1024 * 1024 + 1, U(&actual)),
      ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, process_read_memory, 12345, a, U(buf), 8, U(&actual)),
                   ZX_ERR_BAD_HANDLE);
  zx_handle_t ronly = dup_h(self, ZX_DEFAULT_PROCESS_RIGHTS & ~ZX_RIGHT_WRITE);
  assert_int_equal(FAKE(T, process_read_memory, ronly, a, U(buf), 8, U(&actual)),
                   ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(T, process_write_memory, ronly, a, U(buf), 8, U(&actual)),
                   ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(T, process_read_memory, self, a + 4 * PG, U(buf), 8, U(&actual)),
                   ZX_ERR_NO_MEMORY);
  /* Only a VMAR there: NO_MEMORY too. */
  uint64_t sa;
  zx_handle_t s = allocate(ROOT, 0, 0, PG, &sa);
  assert_int_equal(FAKE(T, process_read_memory, self, sa, U(buf), 8, U(&actual)),
                   ZX_ERR_NO_MEMORY);
  /* A faulting buffer. */
  assert_int_equal(FAKE(T, process_read_memory, self, a + 100, 8, 8, U(&actual)),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, process_write_memory, self, a + 100, 8, 8, U(&actual)),
                   ZX_ERR_INVALID_ARGS);
  /* Another process's memory, then that process gone: BAD_STATE. */
  struct khandle* h2 = khandle_create(&P2->base, ZX_DEFAULT_PROCESS_RIGHTS);
  zx_handle_t p2 = khandle_attach(P->table, h2);
  assert_int_equal(FAKE(T, process_read_memory, p2, BASE2, U(buf), 8, U(&actual)),
                   ZX_ERR_NO_MEMORY);
  kproc_on_exit(P2, 0);
  assert_int_equal(FAKE(T, process_read_memory, p2, BASE2, U(buf), 8, U(&actual)),
                   ZX_ERR_BAD_STATE);
  FAKE(T, handle_close, p2);
  FAKE(T, handle_close, s);
  FAKE(T, handle_close, ronly);
  FAKE(T, handle_close, self);
  FAKE(T, handle_close, v);
}

/* ---- info */

static void test_info_maps(void** state) {
  zx_handle_t v = make_vmo(8 * PG, 0);
  assert_int_equal(FAKE(T, object_set_property, v, ZX_PROP_NAME, U("data"), 4), ZX_OK);
  uint64_t sa;
  zx_handle_t s = allocate(ROOT,
                           ZX_VM_SPECIFIC | ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE |
                               ZX_VM_CAN_MAP_SPECIFIC,
                           0x100000, 16 * PG, &sa);
  map_ok(s, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_SPECIFIC, 2 * PG, v, 0, 4 * PG);
  assert_int_equal(FAKE(T, vmar_protect, s, ZX_VM_PERM_READ, sa + 3 * PG, PG), ZX_OK);
  uint64_t top = map_ok(ROOT, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, 0x200000, v, PG, PG);
  assert_int_equal(FAKE(T, vmo_write, v, U("x"), 0, 1), ZX_OK);

  /* VMAR_MAPS on the sub-VMAR: itself, then the mapping's three protection pieces. */
  zx_info_maps_t m[8];
  size_t actual = 0, avail = 0;
  assert_int_equal(
      FAKE(T, object_get_info, s, ZX_INFO_VMAR_MAPS, U(m), sizeof(m), U(&actual), U(&avail)),
      ZX_OK);
  assert_int_equal(actual, 4);
  assert_int_equal(avail, 4);
  assert_int_equal(m[0].type, ZX_INFO_MAPS_TYPE_VMAR);
  assert_string_equal(m[0].name, "useralloc");
  assert_int_equal(m[0].depth, 0);
  assert_int_equal(m[0].base, sa);
  assert_int_equal(m[1].type, ZX_INFO_MAPS_TYPE_MAPPING);
  assert_string_equal(m[1].name, "data");
  assert_int_equal(m[1].depth, 1);
  assert_int_equal(m[1].base, sa + 2 * PG);
  assert_int_equal(m[1].size, PG);
  assert_int_equal(m[1].u.mapping.mmu_flags, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE);
  assert_int_equal(m[1].u.mapping.vmo_koid, vmo_info(v).koid);
  assert_int_equal(m[1].u.mapping.committed_bytes, PG);
  assert_int_equal(m[2].base, sa + 3 * PG);
  assert_int_equal(m[2].u.mapping.mmu_flags, ZX_VM_PERM_READ);
  assert_int_equal(m[2].u.mapping.vmo_offset, PG);
  assert_int_equal(m[2].u.mapping.committed_bytes, 0);
  assert_int_equal(m[3].size, 2 * PG);
  /* A short buffer is not an error. */
  assert_int_equal(FAKE(T, object_get_info, s, ZX_INFO_VMAR_MAPS, U(m), sizeof(m[0]) + 5,
                        U(&actual), U(&avail)),
                   ZX_OK);
  assert_int_equal(actual, 1);
  assert_int_equal(avail, 4);
  zx_handle_t noinspect = dup_h(s, ZX_DEFAULT_VMAR_RIGHTS & ~ZX_RIGHT_INSPECT);
  assert_int_equal(FAKE(T, object_get_info, noinspect, ZX_INFO_VMAR_MAPS, U(m), sizeof(m), 0, 0),
                   ZX_ERR_ACCESS_DENIED);

  /* PROCESS_MAPS: the aspace, the root, the sub-VMAR, its pieces, the top mapping. */
  struct khandle* h = khandle_create(&P->base, ZX_DEFAULT_PROCESS_RIGHTS);
  zx_handle_t self = khandle_attach(P->table, h);
  assert_int_equal(FAKE(T, object_get_info, self, ZX_INFO_PROCESS_MAPS, U(m), sizeof(m),
                        U(&actual), U(&avail)),
                   ZX_OK);
  assert_int_equal(actual, 7);
  assert_int_equal(avail, 7);
  assert_int_equal(m[0].type, ZX_INFO_MAPS_TYPE_ASPACE);
  char name[32];
  snprintf(name, sizeof(name), "proc:%llu", (unsigned long long)P->base.koid);
  assert_string_equal(m[0].name, name);
  assert_int_equal(m[0].depth, 0);
  assert_int_equal(m[0].base, BASE);
  assert_int_equal(m[0].size, SIZE);
  assert_string_equal(m[1].name, "root");
  assert_int_equal(m[1].depth, 1);
  assert_int_equal(m[2].depth, 2);
  assert_int_equal(m[3].depth, 3);
  assert_int_equal(m[6].base, top);
  assert_int_equal(m[6].depth, 2);
  /* The older layouts. */
  zx_info_maps_v1_t m1[8];
  assert_int_equal(FAKE(T, object_get_info, self, ZX_INFO_PROCESS_MAPS_V1, U(m1), sizeof(m1),
                        U(&actual), U(&avail)),
                   ZX_OK);
  assert_int_equal(actual, 7);
  assert_int_equal(m1[3].u.mapping.committed_pages, 1);
  assert_int_equal(m1[3].u.mapping.mmu_flags, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE);
  zx_info_maps_v2_t m2[8];
  assert_int_equal(FAKE(T, object_get_info, self, ZX_INFO_PROCESS_MAPS_V2, U(m2), sizeof(m2),
                        U(&actual), U(&avail)),
                   ZX_OK);
  assert_int_equal(m2[3].u.mapping.populated_pages, 1);
  assert_int_equal(m2[6].base, top);
  /* No buffer at all: actual 0, avail still counts the aspace. */
  assert_int_equal(
      FAKE(T, object_get_info, self, ZX_INFO_PROCESS_MAPS, 0, 0, U(&actual), U(&avail)), ZX_OK);
  assert_int_equal(actual, 0);
  assert_int_equal(avail, 7);

  /* PROCESS_VMOS: one per VMO handle, then one per mapping. */
  zx_info_vmo_t vi[8];
  assert_int_equal(FAKE(T, object_get_info, self, ZX_INFO_PROCESS_VMOS, U(vi), sizeof(vi),
                        U(&actual), U(&avail)),
                   ZX_OK);
  assert_int_equal(actual, 3);
  assert_int_equal(vi[0].flags & ZX_INFO_VMO_VIA_HANDLE, ZX_INFO_VMO_VIA_HANDLE);
  assert_int_equal(vi[1].flags & ZX_INFO_VMO_VIA_MAPPING, ZX_INFO_VMO_VIA_MAPPING);
  assert_int_equal(vi[1].handle_rights, 0);
  assert_int_equal(vi[2].koid, vi[0].koid);
  zx_info_vmo_v1_t vi1[8];
  assert_int_equal(FAKE(T, object_get_info, self, ZX_INFO_PROCESS_VMOS_V1, U(vi1), sizeof(vi1),
                        U(&actual), U(&avail)),
                   ZX_OK);
  assert_int_equal(actual, 3);
  assert_int_equal(vi1[2].koid, vi[0].koid);

  /* A dead process: the buffer's capacity and 0 are reported, then BAD_STATE (Zircon). */
  struct khandle* h2 = khandle_create(&P2->base, ZX_DEFAULT_PROCESS_RIGHTS);
  zx_handle_t p2 = khandle_attach(P->table, h2);
  kproc_on_exit(P2, 0);
  assert_int_equal(FAKE(T, object_get_info, p2, ZX_INFO_PROCESS_MAPS, U(m), sizeof(m), U(&actual),
                        U(&avail)),
                   ZX_ERR_BAD_STATE);
  assert_int_equal(actual, 8);
  assert_int_equal(avail, 0);
  assert_int_equal(FAKE(T, object_get_info, p2, ZX_INFO_PROCESS_VMOS, U(vi), sizeof(vi),
                        U(&actual), U(&avail)),
                   ZX_ERR_BAD_STATE);
  FAKE(T, handle_close, p2);
  FAKE(T, handle_close, self);
  FAKE(T, handle_close, noinspect);
  FAKE(T, handle_close, s);
  FAKE(T, handle_close, v);
}

/* ---- the vDSO rule */

static void test_vdso(void** state) {
  zx_handle_t v = make_vmo(8 * PG, 0);
  struct kobj* vo = hnd(P, v)->obj;
  kvdso_set(to_kvmo(vo), 2 * PG, 3 * PG);
  zx_handle_t vd = khandle_attach(P->table, khandle_create(vo, KVDSO_RIGHTS));
  uint32_t rx = ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE;
  uint64_t a = 0;
  /* Not executable: unrestricted. Writable: the handle has no WRITE. */
  uint64_t ro = map_ok(ROOT, ZX_VM_PERM_READ, 0, vd, 0, 8 * PG);
  assert_int_equal(map(ROOT, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vd, 0, PG, &a),
                   ZX_ERR_ACCESS_DENIED);
  /* Executable: exactly the code segment, once. */
  assert_int_equal(map(ROOT, rx, 0, vd, 0, 3 * PG, &a), ZX_ERR_ACCESS_DENIED);
  assert_int_equal(map(ROOT, rx, 0, vd, 2 * PG, 2 * PG, &a), ZX_ERR_ACCESS_DENIED);
  uint64_t code = map_ok(ROOT, rx, 0, vd, 2 * PG, 3 * PG - 100);
  assert_int_equal(P->vdso_code_start, code);
  assert_int_equal(P->vdso_code_end, code + 3 * PG);
  assert_int_equal(P->vdso_base, code - 2 * PG);
  uintptr_t prop = 0;
  struct khandle* ph = khandle_create(&P->base, ZX_DEFAULT_PROCESS_RIGHTS);
  zx_handle_t self = khandle_attach(P->table, ph);
  assert_int_equal(FAKE(T, object_get_property, self, ZX_PROP_PROCESS_VDSO_BASE_ADDRESS, U(&prop),
                        sizeof(prop)),
                   ZX_OK);
  assert_int_equal(prop, code - 2 * PG);
  assert_int_equal(map(ROOT, rx, 0, vd, 2 * PG, 3 * PG, &a), ZX_ERR_ACCESS_DENIED);
  /* It can never be unmapped, protected, range-operated on or written. */
  fake_nrec = 0;
  assert_int_equal(FAKE(T, vmar_unmap, ROOT, code - PG, 2 * PG), ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(T, vmar_protect, ROOT, ZX_VM_PERM_READ, code, PG), ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(T, vmar_op_range, ROOT, ZX_VMAR_OP_MAP_RANGE, code, PG, 0, 0),
                   ZX_ERR_ACCESS_DENIED);
  assert_int_equal(fake_nrec, 0);
  size_t actual;
  assert_int_equal(FAKE(T, process_write_memory, self, code, U("x"), 1, U(&actual)),
                   ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(T, process_write_memory, self, ro, U("x"), 1, U(&actual)),
                   ZX_ERR_ACCESS_DENIED);
  char b[4];
  assert_int_equal(FAKE(T, process_read_memory, self, code, U(b), 4, U(&actual)), ZX_OK);
  /* The read-only mapping of the vDSO VMO is an ordinary one. */
  assert_int_equal(FAKE(T, vmar_unmap, ROOT, ro, 8 * PG), ZX_OK);
  kvdso_set(NULL, 0, 0);
  FAKE(T, handle_close, self);
  FAKE(T, handle_close, vd);
  FAKE(T, handle_close, v);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_allocate, setup, teardown),
      cmocka_unit_test_setup_teardown(test_allocate_errors, setup, teardown),
      cmocka_unit_test_setup_teardown(test_map_ops, setup, teardown),
      cmocka_unit_test_setup_teardown(test_map_errors_in_order, setup, teardown),
      cmocka_unit_test_setup_teardown(test_map_overwrite, setup, teardown),
      cmocka_unit_test_setup_teardown(test_map_merges, setup, teardown),
      cmocka_unit_test_setup_teardown(test_map_into_other_process, setup, teardown),
      cmocka_unit_test_setup_teardown(test_unmap_and_protect, setup, teardown),
      cmocka_unit_test_setup_teardown(test_subvmar_rules, setup, teardown),
      cmocka_unit_test_setup_teardown(test_op_range, setup, teardown),
      cmocka_unit_test_setup_teardown(test_process_memory, setup, teardown),
      cmocka_unit_test_setup_teardown(test_info_maps, setup, teardown),
      cmocka_unit_test_setup_teardown(test_vdso, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
