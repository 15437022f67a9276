/* Unit tests: resource range rules (kind address spaces, exclusive reservations, what a child
 * may cover, the checks other calls make) and the debuglog ring (sequence numbers, record
 * layout, Zircon's capacity and the dropping of old records, lapped readers, READABLE). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <zircon/syscalls/types.h>
#include <zum/sysno.h>

#include "kobj/debuglog.h"
#include "kobj/handle.h"
#include "kobj/resource.h"
#include "kobj/task.h"
#include "tests/unit/fake_host.h"

static int setup(void** state) {
  (void)state;
  fake_boot();
  return 0;
}

static struct kresource* make(zx_rsrc_kind_t kind, uint64_t base, uint64_t size, uint32_t flags,
                              zx_status_t want) {
  struct kresource* r = NULL;
  assert_int_equal(kresource_create(kind, base, size, flags, "t", 1, &r), want);
  return want == ZX_OK ? r : NULL;
}

static void test_create_rules(void** state) {
  (void)state;
  /* Kinds and flags. */
  make(ZX_RSRC_KIND_COUNT, 0, 1, 0, ZX_ERR_INVALID_ARGS);
  make(ZX_RSRC_KIND_IRQ, 0, 1, 0x20000, ZX_ERR_INVALID_ARGS);
  /* ROOT has no range; SMC has no space on x86; MMIO's space is empty here. */
  make(ZX_RSRC_KIND_ROOT, 0, 1, 0, ZX_ERR_INVALID_ARGS);
  struct kresource* root = make(ZX_RSRC_KIND_ROOT, 0, 0, 0, ZX_OK);
  make(ZX_RSRC_KIND_SMC, 0, 1, 0, ZX_ERR_BAD_STATE);
  make(ZX_RSRC_KIND_MMIO, 0x1000, 0x1000, 0, ZX_ERR_NOT_FOUND);
  /* Ranges: empty or wrapping is INVALID_ARGS, outside the space NOT_FOUND. */
  make(ZX_RSRC_KIND_IRQ, 3, 0, 0, ZX_ERR_INVALID_ARGS);
  make(ZX_RSRC_KIND_IOPORT, UINT64_MAX, 2, 0, ZX_ERR_INVALID_ARGS);
  make(ZX_RSRC_KIND_IRQ, 250, 10, 0, ZX_ERR_NOT_FOUND);
  make(ZX_RSRC_KIND_SYSTEM, ZX_RSRC_SYSTEM_COUNT, 1, 0, ZX_ERR_NOT_FOUND);
  /* Exclusive reservations: shared over them and exclusive over anything fail with NOT_FOUND,
   * and the range comes back with the resource. */
  struct kresource* x = make(ZX_RSRC_KIND_IOPORT, 0x60, 0x10, ZX_RSRC_FLAG_EXCLUSIVE, ZX_OK);
  make(ZX_RSRC_KIND_IOPORT, 0x68, 1, 0, ZX_ERR_NOT_FOUND);
  make(ZX_RSRC_KIND_IOPORT, 0x50, 0x11, ZX_RSRC_FLAG_EXCLUSIVE, ZX_ERR_NOT_FOUND);
  struct kresource* adj = make(ZX_RSRC_KIND_IOPORT, 0x70, 0x10, ZX_RSRC_FLAG_EXCLUSIVE, ZX_OK);
  struct kresource* shared = make(ZX_RSRC_KIND_IOPORT, 0x80, 4, 0, ZX_OK);
  make(ZX_RSRC_KIND_IOPORT, 0x82, 1, ZX_RSRC_FLAG_EXCLUSIVE, ZX_ERR_NOT_FOUND);
  /* Another kind's space is separate. */
  struct kresource* irq = make(ZX_RSRC_KIND_IRQ, 0x60, 0x10, ZX_RSRC_FLAG_EXCLUSIVE, ZX_OK);
  kobj_unref(&x->base);
  struct kresource* again = make(ZX_RSRC_KIND_IOPORT, 0x60, 0x10, ZX_RSRC_FLAG_EXCLUSIVE, ZX_OK);
  kobj_unref(&again->base);
  kobj_unref(&adj->base);
  kobj_unref(&shared->base);
  kobj_unref(&irq->base);
  kobj_unref(&root->base);
}

static void test_check_range(void** state) {
  (void)state;
  struct kresource* root = kresource_root();
  /* The root passes everything but MMIO, which zum's root filter forbids. */
  assert_int_equal(kresource_check_range(root, ZX_RSRC_KIND_IOPORT, 0x3f8, 8), ZX_OK);
  assert_int_equal(kresource_check_range(root, ZX_RSRC_KIND_SYSTEM, 7, 1), ZX_OK);
  assert_int_equal(kresource_check_range(root, ZX_RSRC_KIND_MMIO, 0, 4096), ZX_ERR_ACCESS_DENIED);
  /* A ranged root stands for its whole kind, not others. */
  struct kresource* sys = kresource_ranged_root(ZX_RSRC_KIND_SYSTEM);
  assert_non_null(sys);
  assert_null(kresource_ranged_root(ZX_RSRC_KIND_SMC));
  assert_true(kresource_is_ranged_root(sys, ZX_RSRC_KIND_SYSTEM));
  assert_int_equal(kresource_check_range(sys, ZX_RSRC_KIND_SYSTEM, 12, 1), ZX_OK);
  assert_int_equal(kresource_check_range(sys, ZX_RSRC_KIND_IRQ, 1, 1), ZX_ERR_WRONG_TYPE);
  /* A child covers exactly its range. */
  struct kresource* io = make(ZX_RSRC_KIND_IOPORT, 0x100, 0x10, 0, ZX_OK);
  assert_int_equal(kresource_check_range(io, ZX_RSRC_KIND_IOPORT, 0x100, 0x10), ZX_OK);
  assert_int_equal(kresource_check_range(io, ZX_RSRC_KIND_IOPORT, 0x108, 8), ZX_OK);
  assert_int_equal(kresource_check_range(io, ZX_RSRC_KIND_IOPORT, 0x108, 9), ZX_ERR_OUT_OF_RANGE);
  assert_int_equal(kresource_check_range(io, ZX_RSRC_KIND_IOPORT, 0xff, 1), ZX_ERR_OUT_OF_RANGE);
  assert_int_equal(kresource_check_range(io, ZX_RSRC_KIND_IOPORT, 0x100, 0), ZX_ERR_OUT_OF_RANGE);
  assert_int_equal(kresource_check_range(io, ZX_RSRC_KIND_IRQ, 0x100, 1), ZX_ERR_WRONG_TYPE);
  assert_false(kresource_is_ranged_root(io, ZX_RSRC_KIND_IOPORT));
  zx_info_resource_t info;
  kresource_info(io, &info);
  assert_int_equal(info.kind, ZX_RSRC_KIND_IOPORT);
  assert_int_equal(info.base, 0x100);
  assert_int_equal(info.size, 0x10);
  assert_string_equal(info.name, "t");
  kobj_unref(&io->base);
}

static void test_log_ring(void** state) {
  (void)state;
  kdlog_reset();
  uint64_t tail = kdlog_oldest();
  struct kdlog_record rec;
  assert_int_equal(kdlog_read(&tail, &rec), ZX_ERR_SHOULD_WAIT);
  struct kdebuglog* reader = kdebuglog_create(true);
  assert_int_equal(reader->base.signals & ZX_LOG_READABLE, 0);
  kdlog_write(ZX_LOG_INFO, ZX_LOG_LOCAL, "hello", 5, 7, 9, 1234);
  assert_int_equal(reader->base.signals & ZX_LOG_READABLE, ZX_LOG_READABLE);
  assert_int_equal(kdlog_read(&tail, &rec), ZX_OK);
  assert_int_equal(rec.hdr.sequence, 0);
  assert_int_equal(rec.hdr.datalen, 5);
  assert_int_equal(rec.hdr.severity, ZX_LOG_INFO);
  assert_int_equal(rec.hdr.flags, ZX_LOG_LOCAL);
  assert_int_equal(rec.hdr.timestamp, 1234);
  assert_int_equal(rec.hdr.pid, 7);
  assert_int_equal(rec.hdr.tid, 9);
  assert_memory_equal(rec.data, "hello", 5);
  assert_int_equal(kdlog_read(&tail, &rec), ZX_ERR_SHOULD_WAIT);
  /* Long data is cut to one record's worth. */
  char big[600];
  memset(big, 'x', sizeof(big));
  kdlog_write(ZX_LOG_INFO, 0, big, sizeof(big), 1, 1, 1);
  assert_int_equal(kdlog_read(&tail, &rec), ZX_OK);
  assert_int_equal(rec.hdr.datalen, KDLOG_MAX_DATA);
  assert_int_equal(rec.hdr.sequence, 1);
  /* Zircon's capacity: 128 KiB of 256-byte records is 512; the 513th drops the oldest. A reader
   * left behind restarts at the oldest record kept. */
  uint64_t slow = kdlog_oldest();
  for (int i = 0; i < 600; i++) kdlog_write(ZX_LOG_INFO, 0, big, KDLOG_MAX_DATA, 1, 1, 1);
  assert_int_equal(kdlog_read(&slow, &rec), ZX_OK);
  assert_int_equal(rec.hdr.sequence, 602 - KDLOG_SIZE / KDLOG_MAX_RECORD);
  int n = 1;
  while (kdlog_read(&slow, &rec) == ZX_OK) n++;
  assert_int_equal(n, KDLOG_SIZE / KDLOG_MAX_RECORD);
  assert_int_equal(rec.hdr.sequence, 601);
  /* Small records wrap around the ring's end without being torn. */
  for (int i = 0; i < 5000; i++) {
    char msg[16];
    int len = 1 + i % 13;
    memset(msg, 'a' + i % 26, sizeof(msg));
    kdlog_write(ZX_LOG_INFO, 0, msg, (size_t)len, 2, 3, i);
    assert_int_equal(kdlog_read(&slow, &rec), ZX_OK);
    assert_int_equal(rec.hdr.datalen, len);
    assert_int_equal(rec.data[len - 1], 'a' + i % 26);
    assert_int_equal(rec.hdr.timestamp, i);
  }
  kobj_unref(&reader->base);
}


/* zx_system_get_event: only the root job opens the memory events, and only NORMAL is signaled
 * (zum never watches memory, so the level stays where Zircon's starts). */
static void test_system_events(void** state) {
  (void)state;
  uint32_t live = khandle_live_count();
  struct kproc* p = fake_process(NULL);
  struct kthread* t = fake_thread(p);
  zx_handle_t root = fake_give(p, &kroot_job->base, ZX_DEFAULT_JOB_RIGHTS);
  zx_handle_t weak = fake_give(p, &kroot_job->base, ZX_RIGHT_INSPECT);
  struct kjob* other = kjob_create(kroot_job);
  zx_handle_t oh = fake_give(p, &other->base, ZX_DEFAULT_JOB_RIGHTS);
  zx_handle_t ev = 0;
  assert_int_equal(FAKE(t, system_get_event, oh, ZX_SYSTEM_EVENT_MEMORY_PRESSURE_NORMAL,
                        (uint64_t)&ev),
                   ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(t, system_get_event, weak, ZX_SYSTEM_EVENT_OUT_OF_MEMORY, (uint64_t)&ev),
                   ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(t, system_get_event, root, 0, (uint64_t)&ev), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(t, system_get_event, root, 6, (uint64_t)&ev), ZX_ERR_INVALID_ARGS);
  for (uint32_t kind = 1; kind <= 5; kind++) {
    zx_handle_t h = kind == ZX_SYSTEM_EVENT_OUT_OF_MEMORY ? root : weak;
    assert_int_equal(FAKE(t, system_get_event, h, kind, (uint64_t)&ev), ZX_OK);
    struct khandle* kh = khandle_lookup(p->table, ev);
    assert_non_null(kh);
    assert_int_equal(kh->rights, ZX_DEFAULT_SYSTEM_EVENT_LOW_MEMORY_RIGHTS);
    zx_signals_t want = kind == ZX_SYSTEM_EVENT_MEMORY_PRESSURE_NORMAL ? ZX_EVENT_SIGNALED : 0;
    assert_int_equal(kh->obj->signals & ZX_EVENT_SIGNALED, want);
    assert_int_equal(FAKE(t, handle_close, ev), ZX_OK);
  }
  kobj_unref(&other->base);
  fake_end(p, 0);
  kobj_run_deferred();
  assert_int_equal(khandle_live_count(), live);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup(test_create_rules, setup),
      cmocka_unit_test_setup(test_check_range, setup),
      cmocka_unit_test_setup(test_log_ring, setup),
      cmocka_unit_test_setup(test_system_events, setup),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
