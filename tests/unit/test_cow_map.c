/* Unit tests: how mappings of copy-on-write VMO children reach Linux (kobj/cow.c: kcow_map, write
 * protection and guard windows, zum_vm_fault, user copies through mappings; mm/vmo.c fault sources
 * and guard windows). The fake host records the Linux operations; guest addresses inside the fake
 * address space are not memory of this process, so every user copy there goes through the VMOs, as
 * one to a page the guest's userfaultfd has not filled does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <zircon/syscalls/object.h>
#include <zum/sysno.h>

#include "kobj/cow.h"
#include "kobj/handle.h"
#include "kobj/sysutil.h"
#include "kobj/vmo.h"
#include "kobj/workq.h"
#include "host/sv/memfd.h"
#include "mm/vmo.h"
#include "tests/unit/fake_host.h"

#define PG 4096ull
#define BASE 0x100000000ull
#define SIZE (1ull << 30)

/* The recording host with userfaultfd (fake_rec_uffd_ops); guest addresses in [BASE, BASE+SIZE)
 * are unreachable for it (setup). */

static struct kproc* P;
static struct kthread* T;
static zx_handle_t ROOT;
static int TAG;

static int setup(void** state) {
  (void)state;
  fake_boot();
  zx_status_t s;
  P = kproc_create(kroot_job, "p", 1, &TAG, &fake_rec_uffd_ops, &s);
  T = fake_thread(P);
  zum_hosted_info_t info;
  memset(&info, 0, sizeof(info));
  assert_int_equal(FAKE(T, hosted_init, U(&info), BASE, SIZE), ZX_OK);
  FAKE(T, handle_close, info.process_self);
  FAKE(T, handle_close, info.thread_self);
  ROOT = info.vmar_root_self;
  P->uffd = true;
  P->vm_fault = false; /* tests that want the lazy paths turn them on */
  P->wp = false;
  fake_unreachable_lo = BASE;
  fake_unreachable_hi = BASE + SIZE;
  fake_rec_reset();
  return 0;
}

static int teardown(void** state) {
  (void)state;
  fake_end(P, 0);
  assert_int_equal(khandle_live_count(), 0);
  return 0;
}

static struct kvmo* vmo_of(zx_handle_t h) {
  struct khandle* k = khandle_lookup(P->table, h);
  assert_non_null(k);
  return to_kvmo(k->obj);
}

/* A VMO of n pages whose page i holds the byte 'a' + i (pages in `holes` stay empty). */
static zx_handle_t parent_vmo(uint64_t n, uint32_t options, uint64_t holes) {
  zx_handle_t h = 0;
  assert_int_equal(FAKE(T, vmo_create, n * PG, options, U(&h)), ZX_OK);
  for (uint64_t i = 0; i < n; i++) {
    if (holes & (1ull << i)) continue;
    char b = (char)('a' + i);
    assert_int_equal(FAKE(T, vmo_write, h, U(&b), i * PG + 7, 1), ZX_OK);
  }
  return h;
}

static zx_handle_t child_of(zx_handle_t parent, uint32_t options, uint64_t off, uint64_t size) {
  zx_handle_t c = 0;
  assert_int_equal(FAKE(T, vmo_create_child, parent, options, off, size, U(&c)), ZX_OK);
  return c;
}

static uint64_t map(zx_handle_t vmo, uint32_t perms, uint64_t off, uint64_t len) {
  uint64_t addr = 0;
  fake_nrec = 0;
  assert_int_equal(FAKE(T, vmar_map, ROOT, perms, 0, vmo, off, len, U(&addr)), ZX_OK);
  return addr;
}

static uint64_t committed(zx_handle_t h) { return mm_vmo_committed(kvmo_mm(vmo_of(h))); }

static char byte_at(zx_handle_t h, uint64_t off) {
  char b = 0;
  assert_int_equal(FAKE(T, vmo_read, h, U(&b), off, 1), ZX_OK);
  return b;
}

static const zum_work_op_t* find_op(uint32_t kind) {
  for (size_t i = 0; i < fake_nrec; i++)
    if (fake_recs[i].op.kind == kind) return &fake_recs[i].op;
  return NULL;
}

/* A snapshot of a plain VMO mapped into a process with a userfaultfd: nothing is copied; the MAP
 * asks for the userfaultfd and the fault source that follows it names the parent's memory (for
 * hosted programs only). */
static void test_fault_source(void** state) {
  (void)state;
  zx_handle_t p = parent_vmo(8, 0, 0);
  zx_handle_t c = child_of(p, ZX_VMO_CHILD_SNAPSHOT, 2 * PG, 4 * PG);
  uint64_t addr = map(c, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, PG, 3 * PG);
  assert_int_equal(fake_nrec, 2);
  assert_int_equal(fake_recs[0].op.kind, ZUM_WORK_MAP);
  assert_int_equal(fake_recs[0].op.flags, ZUM_MAP_UFFD);
  assert_int_equal(fake_recs[0].op.fd, kvmo_fd(vmo_of(c)));
  assert_int_equal(fake_recs[1].op.kind, ZUM_WORK_FAULT_SOURCE);
  assert_int_equal(fake_recs[1].op.addr, addr);
  assert_int_equal(fake_recs[1].op.len, 3 * PG);
  assert_int_equal(fake_recs[1].op.fd, kvmo_fd(vmo_of(p)));
  assert_int_equal(fake_recs[1].op.offset, 3 * PG); /* the child's offset PG is the parent's 3 PG */
  assert_int_equal(fake_recs[1].op.src_len, 3 * PG);
  assert_int_equal(committed(c), 0);
  /* A pure process gets no fault source (its fd would let guest code read all of the parent):
   * its missing pages come from zum_vm_fault, or are copied now without it. */
  P->pure = true;
  P->vm_fault = true;
  map(c, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, PG, 3 * PG);
  assert_int_equal(fake_nrec, 1);
  assert_int_equal(fake_recs[0].op.flags, ZUM_MAP_UFFD);
  assert_int_equal(committed(c), 0);
  P->vm_fault = false;
  map(c, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, PG, 3 * PG);
  assert_int_equal(fake_nrec, 1);
  assert_int_equal(fake_recs[0].op.flags, 0);
  assert_int_equal(committed(c), 3 * PG);
  P->pure = false;
  FAKE(T, handle_close, c);
  FAKE(T, handle_close, p);
}

/* A snapshot mapped through a handle without ZX_RIGHT_WRITE can never be written: its memfd goes
 * to the guest read-only (ZUM_MAP_READONLY), which Linux will not register with a userfaultfd,
 * so its pages are copied in when it is mapped and no fault source (no parent fd) is sent. */
static void test_readonly_mapping_copied(void** state) {
  (void)state;
  zx_handle_t p = parent_vmo(8, 0, 0);
  zx_handle_t c = child_of(p, ZX_VMO_CHILD_SNAPSHOT, 2 * PG, 4 * PG), ro = 0;
  assert_int_equal(FAKE(T, handle_duplicate, c, ZX_RIGHTS_BASIC | ZX_RIGHT_READ | ZX_RIGHT_MAP,
                        U(&ro)),
                   ZX_OK);
  map(ro, ZX_VM_PERM_READ, PG, 3 * PG);
  assert_int_equal(fake_nrec, 1);
  assert_int_equal(fake_recs[0].op.kind, ZUM_WORK_MAP);
  assert_int_equal(fake_recs[0].op.flags, ZUM_MAP_READONLY);
  assert_int_equal(committed(c), 3 * PG);
  assert_int_equal(byte_at(c, PG + 7), 'd');
  /* With WRITE in the handle the same mapping is filled on demand. */
  zx_handle_t c2 = child_of(p, ZX_VMO_CHILD_SNAPSHOT, 2 * PG, 4 * PG);
  map(c2, ZX_VM_PERM_READ, PG, 3 * PG);
  assert_int_equal(find_op(ZUM_WORK_MAP)->flags, ZUM_MAP_UFFD);
  assert_non_null(find_op(ZUM_WORK_FAULT_SOURCE));
  assert_int_equal(committed(c2), 0);
  FAKE(T, handle_close, c2);
  FAKE(T, handle_close, ro);
  FAKE(T, handle_close, c);
  FAKE(T, handle_close, p);
}

/* The source ends where the child stops seeing its parent: past the parent's end, zeros. */
static void test_fault_source_limit(void** state) {
  (void)state;
  zx_handle_t p = parent_vmo(4, 0, 0);
  zx_handle_t c = child_of(p, ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE, 2 * PG, 8 * PG);
  map(c, ZX_VM_PERM_READ, PG, 6 * PG);
  const zum_work_op_t* src = find_op(ZUM_WORK_FAULT_SOURCE);
  assert_non_null(src);
  assert_int_equal(src->offset, 3 * PG);
  assert_int_equal(src->src_len, PG); /* child pages 1 only: the parent ends at child page 2 */
  FAKE(T, handle_close, c);
  FAKE(T, handle_close, p);
}

/* Where the guest could not follow the source (no userfaultfd, a chain, a resizable VMO), the
 * mapping's pages are copied into the child's memory when it is made, and no source is sent. */
static void test_eager_fallbacks(void** state) {
  (void)state;
  zx_handle_t p = parent_vmo(4, 0, 1u << 2); /* page 2 is a hole */
  zx_handle_t c = child_of(p, ZX_VMO_CHILD_SNAPSHOT, 0, 4 * PG);
  P->uffd = false;
  map(c, ZX_VM_PERM_READ, 0, 4 * PG);
  assert_null(find_op(ZUM_WORK_FAULT_SOURCE));
  assert_int_equal(find_op(ZUM_WORK_MAP)->flags, 0);
  assert_int_equal(committed(c), 3 * PG); /* the hole stays a hole */
  P->uffd = true;

  /* A clone of a clone. */
  zx_handle_t gc = child_of(c, ZX_VMO_CHILD_SNAPSHOT, 0, 4 * PG);
  map(gc, ZX_VM_PERM_READ, 0, 4 * PG);
  assert_null(find_op(ZUM_WORK_FAULT_SOURCE));
  assert_int_equal(committed(gc), 3 * PG);

  /* A resizable parent, and a resizable child. */
  zx_handle_t rp = parent_vmo(2, ZX_VMO_RESIZABLE, 0);
  zx_handle_t rc = child_of(rp, ZX_VMO_CHILD_SNAPSHOT, 0, 2 * PG);
  map(rc, ZX_VM_PERM_READ, 0, 2 * PG);
  assert_null(find_op(ZUM_WORK_FAULT_SOURCE));
  assert_int_equal(committed(rc), 2 * PG);
  zx_handle_t c2 = child_of(p, ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_RESIZABLE, 0, 4 * PG);
  map(c2, ZX_VM_PERM_READ, 0, 4 * PG);
  assert_null(find_op(ZUM_WORK_FAULT_SOURCE));

  /* A slice of a plain VMO is a fine source (a window onto a fixed store). */
  zx_handle_t s = child_of(p, ZX_VMO_CHILD_SLICE, PG, 2 * PG);
  zx_handle_t sc = child_of(s, ZX_VMO_CHILD_SNAPSHOT, 0, 2 * PG);
  map(sc, ZX_VM_PERM_READ, 0, 2 * PG);
  const zum_work_op_t* src = find_op(ZUM_WORK_FAULT_SOURCE);
  assert_non_null(src);
  assert_int_equal(src->fd, kvmo_fd(vmo_of(p)));
  assert_int_equal(src->offset, PG);
  assert_int_equal(committed(sc), 0);

  zx_handle_t all[] = {sc, s, c2, rc, rp, gc, c, p};
  for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) FAKE(T, handle_close, all[i]);
}

/* Writes through a writable mapping of a VMO never reach zum, so the snapshots of its store take
 * every page the mapping shows (zero pages too) before such a mapping exists, and a snapshot
 * made while one exists takes them when it is made. Read-only mappings cost nothing. */
static void test_guard_windows(void** state) {
  (void)state;
  zx_handle_t p = parent_vmo(8, 0, 1u << 3);
  zx_handle_t c1 = child_of(p, ZX_VMO_CHILD_SNAPSHOT, 0, 8 * PG);
  map(p, ZX_VM_PERM_READ, 0, 8 * PG);
  assert_int_equal(committed(c1), 0);
  map(p, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 2 * PG, 3 * PG);
  assert_int_equal(committed(c1), 3 * PG); /* pages 2, 3 (zeros) and 4 */

  /* A write "through the mapping": straight into the parent's memory. */
  char x = 'X';
  assert_int_equal(pwrite(kvmo_fd(vmo_of(p)), &x, 1, 3 * PG + 7), 1);
  assert_int_equal(byte_at(c1, 3 * PG + 7), 0);
  assert_int_equal(pwrite(kvmo_fd(vmo_of(p)), &x, 1, 2 * PG + 7), 1);
  assert_int_equal(byte_at(c1, 2 * PG + 7), 'c');

  /* A new snapshot while the writable mapping exists: it takes the window at once. */
  zx_handle_t c2 = child_of(p, ZX_VMO_CHILD_SNAPSHOT, PG, 4 * PG);
  assert_int_equal(committed(c2), 3 * PG); /* its pages 1, 2, 3 */
  assert_int_equal(pwrite(kvmo_fd(vmo_of(p)), &x, 1, 4 * PG + 7), 1);
  assert_int_equal(byte_at(c2, 3 * PG + 7), 'e');
  assert_int_equal(byte_at(c2, 0 * PG + 7), 'b'); /* outside the window: read through */

  /* A slice mapped writable guards its window of the store. */
  zx_handle_t s = child_of(p, ZX_VMO_CHILD_SLICE, 6 * PG, 2 * PG);
  map(s, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, PG);
  assert_int_equal(committed(c1), 4 * PG);
  zx_handle_t all[] = {s, c2, c1, p};
  for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) FAKE(T, handle_close, all[i]);
}

/* zx_vmar_protect making part of a read-only mapping writable guards that part. */
static void test_guard_on_protect(void** state) {
  (void)state;
  zx_handle_t p = parent_vmo(8, 0, 0);
  zx_handle_t c = child_of(p, ZX_VMO_CHILD_SNAPSHOT, 0, 8 * PG);
  uint64_t addr = map(p, ZX_VM_PERM_READ, 0, 8 * PG);
  assert_int_equal(committed(c), 0);
  assert_int_equal(
      FAKE(T, vmar_protect, ROOT, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, addr + 5 * PG, 2 * PG),
      ZX_OK);
  assert_int_equal(committed(c), 2 * PG);
  char x = 'X';
  assert_int_equal(pwrite(kvmo_fd(vmo_of(p)), &x, 1, 6 * PG + 7), 1);
  assert_int_equal(byte_at(c, 6 * PG + 7), 'g');
  /* A snapshot made now takes only the writable part too. */
  zx_handle_t c2 = child_of(p, ZX_VMO_CHILD_SNAPSHOT, 0, 8 * PG);
  assert_int_equal(committed(c2), 2 * PG);
  FAKE(T, handle_close, c2);
  FAKE(T, handle_close, c);
  FAKE(T, handle_close, p);
}

/* A snapshot of a VMO whose writable mapping is gone costs nothing again. */
static void test_guard_ends_with_mapping(void** state) {
  (void)state;
  zx_handle_t p = parent_vmo(4, 0, 0);
  uint64_t addr = map(p, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, 4 * PG);
  zx_handle_t c1 = child_of(p, ZX_VMO_CHILD_SNAPSHOT, 0, 4 * PG);
  assert_int_equal(committed(c1), 4 * PG);
  assert_int_equal(FAKE(T, vmar_unmap, ROOT, addr, 4 * PG), ZX_OK);
  zx_handle_t c2 = child_of(p, ZX_VMO_CHILD_SNAPSHOT, 0, 4 * PG);
  assert_int_equal(committed(c2), 0);
  FAKE(T, handle_close, c2);
  FAKE(T, handle_close, c1);
  FAKE(T, handle_close, p);
}

/* The supervisor's user copies from and to pages the guest has not touched (here: every mapped
 * page) go through the VMO the mapping shows, with the mapping's protection. */
static void test_user_copies_through_mappings(void** state) {
  (void)state;
  zx_handle_t p = parent_vmo(4, 0, 0);
  zx_handle_t c = child_of(p, ZX_VMO_CHILD_SNAPSHOT, 0, 4 * PG);
  uint64_t rw = map(c, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, 4 * PG);
  zx_handle_t other = parent_vmo(2, 0, 3);
  /* zx_vmo_write(other, buffer in the child's mapping): the parent's bytes, across pages. */
  assert_int_equal(FAKE(T, vmo_write, other, rw + PG + 7, 0, PG + 1), ZX_OK);
  assert_int_equal(byte_at(other, 0), 'b');
  assert_int_equal(byte_at(other, PG), 'c');
  assert_int_equal(committed(c), 0); /* reading commits nothing */
  /* zx_vmo_read(other, into the child's mapping): the child takes the page; the parent keeps
   * its own. */
  char z = 'Z';
  assert_int_equal(FAKE(T, vmo_write, other, U(&z), 5, 1), ZX_OK);
  assert_int_equal(FAKE(T, vmo_read, other, rw + 2 * PG + 1, 0, 6), ZX_OK);
  assert_int_equal(byte_at(c, 2 * PG + 1), 'b');
  assert_int_equal(byte_at(c, 2 * PG + 6), 'Z');
  assert_int_equal(byte_at(c, 2 * PG + 7), 'c'); /* the rest of the page: the parent's */
  assert_int_equal(byte_at(p, 2 * PG + 6), 0);
  assert_int_equal(committed(c), PG);
  /* A read-only mapping refuses the copy out, an unmapped address the copy in: the user copy
   * faults (NOT_FOUND from zx_vmo_read/write). */
  uint64_t ro = map(c, ZX_VM_PERM_READ, 0, PG);
  assert_int_equal(FAKE(T, vmo_read, other, ro, 0, 8), ZX_ERR_NOT_FOUND);
  assert_int_equal(FAKE(T, vmo_write, other, BASE + SIZE - PG, 0, 8), ZX_ERR_NOT_FOUND);
  zx_handle_t all[] = {other, c, p};
  for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) FAKE(T, handle_close, all[i]);
}

/* Zeroing the tail of a snapshot normally just stops it seeing its parent there; a guest that
 * fills pages from a fault source would not see that, so such a snapshot gets zero pages. */
static void test_zero_tail_with_source(void** state) {
  (void)state;
  zx_handle_t p = parent_vmo(4, 0, 0);
  zx_handle_t c = child_of(p, ZX_VMO_CHILD_SNAPSHOT, 0, 4 * PG);
  map(c, ZX_VM_PERM_READ, 0, 4 * PG);
  assert_non_null(find_op(ZUM_WORK_FAULT_SOURCE));
  assert_int_equal(FAKE(T, vmo_op_range, c, ZX_VMO_OP_ZERO, 2 * PG, 2 * PG, 0, 0), ZX_OK);
  assert_int_equal(byte_at(c, 3 * PG + 7), 0);
  assert_int_equal(committed(c), 2 * PG);
  /* The source still says what the guest may copy: unchanged. */
  map(c, ZX_VM_PERM_READ, 0, 4 * PG);
  assert_int_equal(find_op(ZUM_WORK_FAULT_SOURCE)->src_len, 4 * PG);
  FAKE(T, handle_close, c);
  FAKE(T, handle_close, p);
}

/* With zum_vm_fault in the guest, clones of clones are filled on demand too: the MAP asks for
 * the userfaultfd, no source follows, and zum_vm_fault fills one page, then doubling batches
 * for sequential faults, zero pages included. */
static void test_vm_fault_fills(void** state) {
  (void)state;
  P->vm_fault = true;
  P->wp = true;
  zx_handle_t p = parent_vmo(40, 0, 1u << 1);
  zx_handle_t c = child_of(p, ZX_VMO_CHILD_SNAPSHOT, 0, 40 * PG);
  zx_handle_t gc = child_of(c, ZX_VMO_CHILD_SNAPSHOT, 0, 40 * PG);
  uint64_t a = map(gc, ZX_VM_PERM_READ, 0, 40 * PG);
  assert_int_equal(find_op(ZUM_WORK_MAP)->flags, ZUM_MAP_UFFD);
  assert_null(find_op(ZUM_WORK_FAULT_SOURCE));
  assert_int_equal(committed(gc), 0);
  assert_int_equal(FAKE(T, vm_fault, a + 5 * PG + 9, 0), ZX_OK);
  assert_int_equal(committed(gc), PG);
  assert_int_equal(FAKE(T, vm_fault, a + 6 * PG, 0), ZX_OK); /* next: 2 pages */
  assert_int_equal(committed(gc), 3 * PG);
  assert_int_equal(FAKE(T, vm_fault, a + 8 * PG, 0), ZX_OK); /* next: 4 pages */
  assert_int_equal(committed(gc), 7 * PG);
  assert_int_equal(FAKE(T, vm_fault, a + 1 * PG, 0), ZX_OK); /* elsewhere: 1 page, a zero one */
  assert_int_equal(committed(gc), 8 * PG);
  assert_int_equal(byte_at(gc, 1 * PG + 7), 0);
  assert_int_equal(byte_at(gc, 8 * PG + 7), 'a' + 8);
  /* The batch stops at the mapping's end. */
  assert_int_equal(FAKE(T, vm_fault, a + 38 * PG, 0), ZX_OK);
  assert_int_equal(FAKE(T, vm_fault, a + 39 * PG, 0), ZX_OK);
  assert_int_equal(committed(gc), 10 * PG);
  /* The parent's later writes stay out; its reads too. */
  char x = 'X';
  assert_int_equal(FAKE(T, vmo_write, c, U(&x), 5 * PG + 7, 1), ZX_OK);
  assert_int_equal(byte_at(gc, 5 * PG + 7), 'f');
  zx_handle_t all[] = {gc, c, p};
  for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) FAKE(T, handle_close, all[i]);
}

/* Real faults stay faults: no mapping, an access the mapping does not allow, bad flags. */
static void test_vm_fault_errors(void** state) {
  (void)state;
  P->vm_fault = true;
  P->wp = true;
  zx_handle_t p = parent_vmo(2, 0, 0);
  uint64_t a = map(p, ZX_VM_PERM_READ, 0, 2 * PG);
  assert_int_equal(FAKE(T, vm_fault, a, 2), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, vm_fault, a, ZUM_VM_FAULT_WRITE), ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(T, vm_fault, BASE + SIZE - PG, 0), ZX_ERR_NOT_FOUND);
  assert_int_equal(FAKE(T, vm_fault, 0x1000, 0), ZX_ERR_NOT_FOUND); /* outside every VMAR */
  /* A read of a plain VMO's page: nothing to do, retry. */
  assert_int_equal(FAKE(T, vm_fault, a + PG, 0), ZX_OK);
  assert_int_equal(fake_nuffd, 0);
  FAKE(T, handle_close, p);
}

/* A snapshot of a VMO mapped writable in a process that can take it: the mapping is
 * write-protected (nothing copied); the first write to a page comes to zum_vm_fault, which gives
 * the snapshot its copy and releases that page. */
static void test_lazy_write_protect(void** state) {
  (void)state;
  P->vm_fault = true;
  P->wp = true;
  zx_handle_t p = parent_vmo(8, 0, 0);
  uint64_t a = map(p, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, 8 * PG);
  zx_handle_t c = child_of(p, ZX_VMO_CHILD_SNAPSHOT, 0, 8 * PG);
  assert_int_equal(committed(c), 0);
  assert_int_equal(fake_nuffd, 1);
  assert_true(fake_uffd[0].wp);
  assert_false(fake_uffd[0].missing);
  assert_int_equal(fake_uffd[0].addr, a);
  assert_int_equal(fake_uffd[0].len, 8 * PG);
  assert_int_equal(FAKE(T, vm_fault, a + 3 * PG + 5, ZUM_VM_FAULT_WRITE), ZX_OK);
  assert_int_equal(committed(c), PG);
  assert_int_equal(fake_nuffd, 2);
  assert_false(fake_uffd[1].wp);
  assert_int_equal(fake_uffd[1].addr, a + 3 * PG);
  assert_int_equal(fake_uffd[1].len, PG);
  /* The write lands in the parent; the snapshot keeps its page. */
  char x = 'X';
  assert_int_equal(pwrite(kvmo_fd(vmo_of(p)), &x, 1, 3 * PG + 7), 1);
  assert_int_equal(byte_at(c, 3 * PG + 7), 'd');
  /* zx_vmar_protect making a read-only mapping writable protects that part lazily too. */
  uint64_t r = map(p, ZX_VM_PERM_READ, 0, 8 * PG);
  fake_nuffd = 0;
  assert_int_equal(FAKE(T, vmar_protect, ROOT, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, r, 2 * PG),
                   ZX_OK);
  assert_int_equal(fake_nuffd, 1);
  assert_true(fake_uffd[0].wp);
  assert_int_equal(fake_uffd[0].addr, r);
  assert_int_equal(committed(c), PG);
  /* A release the host cannot do leaves the page protected: a real fault, not a retry loop;
   * ENOENT (unmapped meanwhile) lets the access retry and fault for real. */
  fake_uffd_err = 22;
  assert_int_equal(FAKE(T, vm_fault, a + 4 * PG, ZUM_VM_FAULT_WRITE), ZX_ERR_BAD_STATE);
  fake_uffd_err = 2; /* ENOENT */
  assert_int_equal(FAKE(T, vm_fault, a + 4 * PG, ZUM_VM_FAULT_WRITE), ZX_OK);
  /* Where the host cannot protect, the pages are copied now instead. */
  fake_uffd_err = 22;
  zx_handle_t c2 = child_of(p, ZX_VMO_CHILD_SNAPSHOT, 0, 8 * PG);
  assert_int_equal(committed(c2), 8 * PG); /* the first mapping's 8 pages (r's 2 among them) */
  zx_handle_t all[] = {c2, c, p};
  for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) FAKE(T, handle_close, all[i]);
}

/* A snapshot mapped writable in a userfaultfd process that gets snapshots of its own: its
 * mapping (filled from a fault source by the guest) cannot be protected lazily, so those are
 * guarded now; a clone of a clone mapped without a source is protected with its missing-page
 * mode kept. */
static void test_write_protect_cow_mappings(void** state) {
  (void)state;
  P->vm_fault = true;
  P->wp = true;
  zx_handle_t p = parent_vmo(4, 0, 0);
  zx_handle_t c = child_of(p, ZX_VMO_CHILD_SNAPSHOT, 0, 4 * PG);
  map(c, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, 4 * PG);
  assert_non_null(find_op(ZUM_WORK_FAULT_SOURCE));
  fake_nuffd = 0;
  zx_handle_t gc = child_of(c, ZX_VMO_CHILD_SNAPSHOT, 0, 4 * PG);
  assert_int_equal(fake_nuffd, 0);
  assert_int_equal(committed(gc), 4 * PG);
  uint64_t g = map(gc, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, 4 * PG);
  assert_null(find_op(ZUM_WORK_FAULT_SOURCE));
  zx_handle_t ggc = child_of(gc, ZX_VMO_CHILD_SNAPSHOT, 0, 4 * PG);
  assert_int_equal(fake_nuffd, 1);
  assert_true(fake_uffd[0].wp);
  assert_true(fake_uffd[0].missing);
  assert_int_equal(fake_uffd[0].addr, g);
  assert_int_equal(committed(ggc), 0);
  zx_handle_t all[] = {ggc, gc, c, p};
  for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) FAKE(T, handle_close, all[i]);
}

/* Insert-if-absent: pages go in where the memfd has none; a page already there (a guest filled
 * it, and wrote it) stays as it is, also inside one multi-page insert; across windows too. */
static void test_memfd_insert(void** state) {
  (void)state;
  int fd;
  assert_int_equal(host_memfd_create(3ull << 30, &fd), ZX_OK);
  static uint8_t buf[4 * PG];
  memset(buf, 'i', sizeof(buf));
  char g = 'G';
  assert_int_equal(pwrite(fd, &g, 1, PG + 9), 1); /* "the guest's" page 1 */
  assert_int_equal(host_memfd_insert(fd, 0, buf, 4 * PG), ZX_OK);
  char b[4];
  assert_int_equal(pread(fd, b, 1, 9), 1);
  assert_int_equal(b[0], 'i');
  assert_int_equal(pread(fd, b, 1, PG + 9), 1);
  assert_int_equal(b[0], 'G');
  assert_int_equal(pread(fd, b, 1, PG + 10), 1);
  assert_int_equal(b[0], 0); /* the rest of that page is the guest's too */
  assert_int_equal(pread(fd, b, 1, 3 * PG), 1);
  assert_int_equal(b[0], 'i');
  /* Again over the same pages: nothing changes. */
  memset(buf, 'j', sizeof(buf));
  assert_int_equal(host_memfd_insert(fd, 0, buf, 4 * PG), ZX_OK);
  assert_int_equal(pread(fd, b, 1, 2 * PG), 1);
  assert_int_equal(b[0], 'i');
  /* Beyond the first window, and spanning two. */
  assert_int_equal(host_memfd_insert(fd, (2ull << 30) + PG, buf, PG), ZX_OK);
  assert_int_equal(host_memfd_insert(fd, (1ull << 30) - 2 * PG, buf, 4 * PG), ZX_OK);
  assert_int_equal(pread(fd, b, 1, (1ull << 30) + PG), 1);
  assert_int_equal(b[0], 'j');
  assert_int_equal(host_memfd_committed(fd), 9 * PG);
  host_memfd_close(fd);
}

/* A new writable mapping of a VMO that has snapshots: the guest write-protects it as it maps it
 * (ZUM_MAP_WP) where it can and is a hosted program; otherwise the snapshots take its pages
 * now. */
static void test_new_writable_mapping_protected(void** state) {
  (void)state;
  zx_handle_t p = parent_vmo(4, 0, 0);
  zx_handle_t c = child_of(p, ZX_VMO_CHILD_SNAPSHOT, 0, 4 * PG);
  P->vm_fault = true;
  P->wp = true;
  map(p, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, 4 * PG);
  assert_int_equal(find_op(ZUM_WORK_MAP)->flags, ZUM_MAP_WP);
  assert_int_equal(committed(c), 0);
  map(p, ZX_VM_PERM_READ, 0, 4 * PG); /* read-only: nothing */
  assert_int_equal(find_op(ZUM_WORK_MAP)->flags, 0);
  /* A clone of a clone mapped writable while it has a snapshot: both modes. */
  zx_handle_t gc = child_of(c, ZX_VMO_CHILD_SNAPSHOT, 0, 4 * PG);
  zx_handle_t ggc = child_of(gc, ZX_VMO_CHILD_SNAPSHOT, 0, 4 * PG);
  map(gc, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, 4 * PG);
  assert_int_equal(find_op(ZUM_WORK_MAP)->flags, ZUM_MAP_UFFD | ZUM_MAP_WP);
  assert_int_equal(committed(ggc), 0);
  /* A pure process never write-protects itself (its seal refuses UFFDIO_WRITEPROTECT, which
   * guest code could use to clear protections): copied now. */
  P->pure = true;
  zx_handle_t c2 = child_of(p, ZX_VMO_CHILD_SNAPSHOT, 0, 4 * PG);
  map(p, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, 4 * PG);
  assert_int_equal(find_op(ZUM_WORK_MAP)->flags, 0);
  assert_int_equal(committed(c2), 4 * PG);
  P->pure = false;
  FAKE(T, handle_close, c2);
  /* No write protection in the guest: copied now. */
  P->wp = false;
  map(p, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, 4 * PG);
  assert_int_equal(find_op(ZUM_WORK_MAP)->flags, 0);
  assert_int_equal(committed(c), 4 * PG);
  zx_handle_t all[] = {ggc, gc, c, p};
  for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) FAKE(T, handle_close, all[i]);
}

/* A runtime still starting up has not said what it can do: a map that decides by it parks
 * (nothing changed, nothing sent) and runs again once the host has read the hello, while other
 * calls are served; a waiting call whose thread ends is dropped. */
static bool caps_pending;
static bool late_learn_caps(void* host) {
  (void)host;
  return caps_pending;
}

static void test_caps_wait(void** state) {
  (void)state;
  static struct platform_proc_ops late_ops;
  late_ops = fake_rec_uffd_ops;
  late_ops.learn_caps = late_learn_caps;
  P->host_ops = &late_ops;
  P->uffd = false;
  P->caps_known = false;
  caps_pending = true;
  zx_handle_t p = parent_vmo(4, 0, 0);
  zx_handle_t c = child_of(p, ZX_VMO_CHILD_SNAPSHOT, 0, 4 * PG); /* nothing mapped: no wait */
  struct kthread* T2 = fake_thread(P);
  uint64_t addr = 0;
  struct kcall* call;
  fake_nrec = 0;
  const uint64_t args[] = {ROOT, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, c, 0, 4 * PG, U(&addr)};
  assert_int_equal(fake_run(T2, ZUM_SYS_vmar_map, args, 7, &call), KCALL_PARKED);
  assert_int_equal(fake_nrec, 0);
  assert_int_equal(addr, 0);
  assert_int_equal(committed(c), 0);
  /* Served meanwhile. */
  assert_int_equal(byte_at(p, 2 * PG + 7), 'c');
  assert_false(fake_completed(call, NULL));
  /* The hello: a userfaultfd. The map runs again and fills the child on demand. */
  P->uffd = true;
  caps_pending = false;
  kproc_caps_learnt(P);
  assert_false(fake_completed(call, NULL)); /* deferred */
  kobj_run_deferred();
  int64_t r;
  assert_true(fake_completed(call, &r));
  assert_int_equal(r, ZX_OK);
  assert_int_not_equal(addr, 0);
  assert_int_equal(committed(c), 0);
  assert_non_null(find_op(ZUM_WORK_MAP));
  assert_int_equal(find_op(ZUM_WORK_MAP)->flags, ZUM_MAP_UFFD);
  assert_int_equal(find_op(ZUM_WORK_MAP)->addr, addr);
  /* Known from now on: no more waiting. */
  caps_pending = true;
  map(c, ZX_VM_PERM_READ, 0, PG);
  /* A waiting call whose thread ends is dropped with it; the hello then finds nobody. */
  P->caps_known = false;
  addr = 0;
  assert_int_equal(fake_run(T2, ZUM_SYS_vmar_map, args, 7, &call), KCALL_PARKED);
  kthread_on_exit(T2);
  assert_true(fake_completed(call, NULL));
  kproc_caps_learnt(P);
  kobj_run_deferred();
  assert_int_equal(addr, 0);
  /* A call waiting for another process's hello goes on without it when that process dies. */
  zx_status_t st;
  int qtag;
  struct kproc* Q = kproc_create(kroot_job, "q", 1, &qtag, &late_ops, &st);
  struct kthread* TQ = fake_thread(Q);
  zum_hosted_info_t qi;
  memset(&qi, 0, sizeof(qi));
  assert_int_equal(FAKE(TQ, hosted_init, U(&qi), BASE, SIZE), ZX_OK);
  struct khandle* qh = khandle_lookup(Q->table, qi.vmar_root_self);
  zx_handle_t qroot = fake_give(P, qh->obj, qh->rights);
  caps_pending = true;
  const uint64_t qargs[] = {qroot, ZX_VM_PERM_READ, 0, c, 0, PG, U(&addr)};
  assert_int_equal(fake_run(T, ZUM_SYS_vmar_map, qargs, 7, &call), KCALL_PARKED);
  fake_end(Q, 0);
  assert_false(fake_completed(call, NULL));
  kobj_run_deferred();
  assert_true(fake_completed(call, &r));
  assert_int_equal(r, ZX_ERR_BAD_STATE);
  FAKE(T, handle_close, qroot);
  P->host_ops = &fake_rec_uffd_ops;
  FAKE(T, handle_close, c);
  FAKE(T, handle_close, p);
}

/* A process whose runtime never says hello (stopped before it could) does not hold other
 * processes' calls waiting for it forever: once kworkq_deadline has passed it is killed as
 * unresponsive and they run again without it. Its own calls may wait as long as it takes. */
static void test_caps_deadline(void** state) {
  (void)state;
  static struct platform_proc_ops late_ops;
  late_ops = fake_rec_uffd_ops;
  late_ops.learn_caps = late_learn_caps;
  zx_handle_t p = parent_vmo(4, 0, 0);
  zx_handle_t c = child_of(p, ZX_VMO_CHILD_SNAPSHOT, 0, 4 * PG);
  uint64_t addr = 0;
  struct kcall* call;
  int64_t r;
  /* A process's own call waiting for its own hello holds up nobody else: no deadline. */
  P->host_ops = &late_ops;
  P->caps_known = false;
  caps_pending = true;
  const uint64_t args[] = {ROOT, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, c, 0, PG, U(&addr)};
  assert_int_equal(fake_run(T, ZUM_SYS_vmar_map, args, 7, &call), KCALL_PARKED);
  fake_advance(10 * kworkq_deadline);
  assert_int_equal(P->state, KPROC_RUNNING);
  assert_false(fake_completed(call, NULL));
  caps_pending = false;
  kproc_caps_learnt(P);
  kobj_run_deferred();
  assert_true(fake_completed(call, &r));
  assert_int_equal(r, ZX_OK);
  P->host_ops = &fake_rec_uffd_ops;
  /* Another process's call waiting for it: the deadline runs. */
  zx_status_t st;
  int qtag;
  struct kproc* Q = kproc_create(kroot_job, "q", 1, &qtag, &late_ops, &st);
  struct kthread* TQ = fake_thread(Q);
  zum_hosted_info_t qi;
  memset(&qi, 0, sizeof(qi));
  assert_int_equal(FAKE(TQ, hosted_init, U(&qi), BASE, SIZE), ZX_OK);
  struct khandle* qh = khandle_lookup(Q->table, qi.vmar_root_self);
  zx_handle_t qroot = fake_give(P, qh->obj, qh->rights);
  caps_pending = true;
  addr = 0;
  const uint64_t qargs[] = {qroot, ZX_VM_PERM_READ, 0, c, 0, PG, U(&addr)};
  assert_int_equal(fake_run(T, ZUM_SYS_vmar_map, qargs, 7, &call), KCALL_PARKED);
  fake_advance(kworkq_deadline - 1);
  assert_false(fake_completed(call, NULL));
  assert_int_equal(Q->state, KPROC_RUNNING);
  fake_advance(1);
  assert_int_equal(Q->return_code, ZX_TASK_RETCODE_EXCEPTION_KILL);
  assert_true(fake_completed(call, &r));
  assert_int_equal(r, ZX_OK);
  assert_int_not_equal(addr, 0);
  caps_pending = false;
  fake_end(Q, 0);
  FAKE(T, handle_close, qroot);
  FAKE(T, handle_close, c);
  FAKE(T, handle_close, p);
}

/* A write protection queued behind work still on its way to the process (its agent has not
 * answered a map yet): the snapshot's call returns once the map is in and the protection
 * applied; one that fails then has the snapshot take the pages instead; a caller that goes away
 * meanwhile leaves the protection to finish on its own. */
static void test_write_protect_queued(void** state) {
  (void)state;
  P->host_ops = &fake_agent_ops;
  P->vm_fault = true;
  P->wp = true;
  zx_handle_t p = parent_vmo(8, 0, 0);
  uint64_t a = 0;
  struct kcall *mc, *cc;
  int64_t r;
  const uint64_t margs[] = {ROOT, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, p, 0, 8 * PG, U(&a)};
  assert_int_equal(fake_run(T, ZUM_SYS_vmar_map, margs, 7, &mc), KCALL_PARKED);
  assert_int_equal(fake_nsent, 1);
  struct kthread* T2 = fake_thread(P);
  zx_handle_t c = 0;
  const uint64_t args[] = {p, ZX_VMO_CHILD_SNAPSHOT, 0, 8 * PG, U(&c)};
  assert_int_equal(fake_run(T2, ZUM_SYS_vmo_create_child, args, 5, &cc), KCALL_PARKED);
  assert_int_equal(fake_nuffd, 0);
  assert_true(fake_agent_answer(P, 0));
  assert_true(fake_completed(mc, &r));
  assert_int_equal(r, ZX_OK);
  assert_true(fake_completed(cc, &r));
  assert_int_equal(r, ZX_OK);
  assert_int_equal(fake_nuffd, 1);
  assert_true(fake_uffd[0].wp);
  assert_int_equal(fake_uffd[0].addr, a);
  assert_int_equal(committed(c), 0);
  /* Failed when its turn came (EINVAL): the pages are copied then, before the call returns. */
  fake_uffd_err = 22;
  uint64_t a2 = 0;
  const uint64_t margs2[] = {ROOT, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, p, 0, 8 * PG, U(&a2)};
  assert_int_equal(fake_run(T, ZUM_SYS_vmar_map, margs2, 7, &mc), KCALL_PARKED);
  zx_handle_t c2 = 0;
  const uint64_t args2[] = {p, ZX_VMO_CHILD_SNAPSHOT, 0, 8 * PG, U(&c2)};
  assert_int_equal(fake_run(T2, ZUM_SYS_vmo_create_child, args2, 5, &cc), KCALL_PARKED);
  assert_true(fake_agent_answer(P, 0));
  assert_true(fake_completed(mc, &r));
  assert_true(fake_completed(cc, &r));
  assert_int_equal(r, ZX_OK);
  assert_int_equal(committed(c2), 8 * PG);
  /* The caller's thread ends while it waits. */
  fake_uffd_err = 0;
  uint64_t a3 = 0;
  const uint64_t margs3[] = {ROOT, ZX_VM_PERM_READ, 0, p, 0, PG, U(&a3)};
  assert_int_equal(fake_run(T, ZUM_SYS_vmar_map, margs3, 7, &mc), KCALL_PARKED);
  zx_handle_t c3 = 0;
  const uint64_t args3[] = {p, ZX_VMO_CHILD_SNAPSHOT, 0, 8 * PG, U(&c3)};
  assert_int_equal(fake_run(T2, ZUM_SYS_vmo_create_child, args3, 5, &cc), KCALL_PARKED);
  kthread_on_exit(T2);
  assert_true(fake_completed(cc, NULL));
  assert_true(fake_agent_answer(P, 0));
  assert_true(fake_completed(mc, &r));
  assert_int_equal(r, ZX_OK);
  P->host_ops = &fake_rec_uffd_ops;
  zx_handle_t all[] = {c3, c2, c, p};
  for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) FAKE(T, handle_close, all[i]);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_memfd_insert),
      cmocka_unit_test_setup_teardown(test_fault_source, setup, teardown),
      cmocka_unit_test_setup_teardown(test_readonly_mapping_copied, setup, teardown),
      cmocka_unit_test_setup_teardown(test_fault_source_limit, setup, teardown),
      cmocka_unit_test_setup_teardown(test_eager_fallbacks, setup, teardown),
      cmocka_unit_test_setup_teardown(test_guard_windows, setup, teardown),
      cmocka_unit_test_setup_teardown(test_guard_on_protect, setup, teardown),
      cmocka_unit_test_setup_teardown(test_guard_ends_with_mapping, setup, teardown),
      cmocka_unit_test_setup_teardown(test_user_copies_through_mappings, setup, teardown),
      cmocka_unit_test_setup_teardown(test_zero_tail_with_source, setup, teardown),
      cmocka_unit_test_setup_teardown(test_vm_fault_fills, setup, teardown),
      cmocka_unit_test_setup_teardown(test_vm_fault_errors, setup, teardown),
      cmocka_unit_test_setup_teardown(test_lazy_write_protect, setup, teardown),
      cmocka_unit_test_setup_teardown(test_write_protect_cow_mappings, setup, teardown),
      cmocka_unit_test_setup_teardown(test_new_writable_mapping_protected, setup, teardown),
      cmocka_unit_test_setup_teardown(test_caps_wait, setup, teardown),
      cmocka_unit_test_setup_teardown(test_caps_deadline, setup, teardown),
      cmocka_unit_test_setup_teardown(test_write_protect_queued, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
