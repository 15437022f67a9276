/* Unit tests: FIFOs. Create's size rules and policy, and reads and writes of every element size
 * against a model of the two rings (short counts, wrapping, signals), peer death, lifetime. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zum/sysno.h>
#include <zircon/syscalls/policy.h>

#include "kobj/handle.h"
#include "kobj/quota.h"
#include "kobj/task.h"
#include "kobj/sysutil.h"
#include "tests/unit/fake_host.h"

#define P fake_p
#define T fake_t

static zx_signals_t sig(zx_handle_t h) {
  struct khandle* kh = khandle_lookup(P->table, h);
  assert_non_null(kh);
  return kh->obj->signals & (ZX_FIFO_READABLE | ZX_FIFO_WRITABLE | ZX_FIFO_PEER_CLOSED);
}

static void test_create_sizes(void** state) {
  (void)state;
  zx_handle_t a = 0, b = 0;
  uint32_t live = khandle_live_count();
  assert_int_equal(FAKE(T, fifo_create, 0, 1, 0, U(&a), U(&b)), ZX_ERR_OUT_OF_RANGE);
  assert_int_equal(FAKE(T, fifo_create, 1, 0, 0, U(&a), U(&b)), ZX_ERR_OUT_OF_RANGE);
  assert_int_equal(FAKE(T, fifo_create, 2049, 2, 0, U(&a), U(&b)), ZX_ERR_OUT_OF_RANGE);
  /* Products that wrap around 2^64 are still too large. */
  assert_int_equal(FAKE(T, fifo_create, 1ull << 62, 4, 0, U(&a), U(&b)), ZX_ERR_OUT_OF_RANGE);
  assert_int_equal(khandle_live_count(), live);
  /* Options are ignored, as Zircon ignores them. */
  assert_int_equal(FAKE(T, fifo_create, 7, 3, 0xffffffff, U(&a), U(&b)), ZX_OK);
  assert_int_equal(sig(a), ZX_FIFO_WRITABLE);
  assert_int_equal(FAKE(T, handle_close, a), ZX_OK);
  assert_int_equal(sig(b), ZX_FIFO_PEER_CLOSED);
  assert_int_equal(FAKE(T, handle_close, b), ZX_OK);
}

static void test_policy(void** state) {
  (void)state;
  zx_handle_t root = fake_give(P, &kroot_job->base, ZX_DEFAULT_JOB_RIGHTS), j = 0;
  assert_int_equal(FAKE(T, job_create, root, 0, U(&j)), ZX_OK);
  zx_policy_basic_v2_t pol = {ZX_POL_NEW_FIFO, ZX_POL_ACTION_DENY, ZX_POL_OVERRIDE_ALLOW};
  assert_int_equal(FAKE(T, job_set_policy, j, ZX_JOB_POL_ABSOLUTE, ZX_JOB_POL_BASIC_V2, U(&pol), 1),
                   ZX_OK);
  struct kproc* q = fake_process(to_kjob(khandle_lookup(P->table, j)->obj));
  struct kthread* t = fake_thread(q);
  zx_handle_t a = 0, b = 0;
  /* The policy is asked before the sizes are looked at. */
  assert_int_equal(FAKE(t, fifo_create, 0, 0, 0, U(&a), U(&b)), ZX_ERR_ACCESS_DENIED);
  kproc_on_exit(q, 0);
  kobj_unref(&q->base);
  assert_int_equal(FAKE(T, handle_close, j), ZX_OK);
  assert_int_equal(FAKE(T, handle_close, root), ZX_OK);
}

/* Random writes and reads in both directions against two model rings, for several shapes. */
static void test_model(void** state) {
  (void)state;
  static const size_t shapes[][2] = {{1, 1}, {3, 8}, {4, 16}, {5, 7}, {4096, 1}, {1, 4096}, {6, 100}};
  srandom(20261208);
  for (size_t k = 0; k < sizeof(shapes) / sizeof(shapes[0]); k++) {
    size_t count = shapes[k][0], esz = shapes[k][1];
    zx_handle_t e[2];
    assert_int_equal(FAKE(T, fifo_create, count, esz, 0, U(&e[0]), U(&e[1])), ZX_OK);
    /* ring[i]: what endpoint i will read (written by the other), as a byte queue. */
    static uint8_t ring[2][8192], buf[8192];
    size_t len[2] = {0, 0};
    uint8_t next = 0;
    for (int step = 0; step < 2000; step++) {
      int w = (int)(random() % 2), r = 1 - w; /* w writes into r's ring */
      size_t n = 1 + (size_t)random() % (count + 2);
      if (n * esz > sizeof(buf)) n = sizeof(buf) / esz;
      size_t actual = 0;
      if (random() % 2) {
        for (size_t i = 0; i < n * esz; i++) buf[i] = next++;
        int64_t s = FAKE(T, fifo_write, e[w], esz, U(buf), n, U(&actual));
        size_t room = count - len[r] / esz;
        if (room == 0) {
          assert_int_equal(s, ZX_ERR_SHOULD_WAIT);
        } else {
          assert_int_equal(s, ZX_OK);
          assert_int_equal(actual, n < room ? n : room);
          memcpy(ring[r] + len[r], buf, actual * esz);
          len[r] += actual * esz;
        }
      } else {
        int64_t s = FAKE(T, fifo_read, e[r], esz, U(buf), n, U(&actual));
        size_t have = len[r] / esz;
        if (have == 0) {
          assert_int_equal(s, ZX_ERR_SHOULD_WAIT);
        } else {
          assert_int_equal(s, ZX_OK);
          assert_int_equal(actual, n < have ? n : have);
          assert_memory_equal(buf, ring[r], actual * esz);
          memmove(ring[r], ring[r] + actual * esz, len[r] - actual * esz);
          len[r] -= actual * esz;
        }
      }
      for (int i = 0; i < 2; i++) {
        zx_signals_t want = (len[i] ? ZX_FIFO_READABLE : 0) |
                            (len[1 - i] / esz < count ? ZX_FIFO_WRITABLE : 0);
        assert_int_equal(sig(e[i]), want);
      }
    }
    assert_int_equal(FAKE(T, handle_close, e[0]), ZX_OK);
    /* What was queued for e[1] is still there. */
    size_t actual = 0;
    if (len[1]) {
      assert_int_equal(FAKE(T, fifo_read, e[1], esz, U(buf), count, U(&actual)), ZX_OK);
      assert_int_equal(actual * esz, len[1]);
    }
    assert_int_equal(FAKE(T, fifo_read, e[1], esz, U(buf), count, U(&actual)), ZX_ERR_PEER_CLOSED);
    assert_int_equal(FAKE(T, fifo_write, e[1], esz, U(buf), 1, U(&actual)), ZX_ERR_PEER_CLOSED);
    assert_int_equal(FAKE(T, handle_close, e[1]), ZX_OK);
  }
}

/* A FIFO's rings are its maker's job's memory. */
static void test_memory_charged(void** state) {
  (void)state;
  zx_handle_t a = 0, b = 0;
  uint64_t before = kquota_used(P->job, KRES_MEM), saved = kquota_limits.total[KRES_MEM];
  assert_int_equal(FAKE(T, fifo_create, 64, 64, 0, U(&a), U(&b)), ZX_OK);
  assert_true(kquota_used(P->job, KRES_MEM) >= before + 2 * 4096);
  kquota_limits.total[KRES_MEM] = kquota_used(kroot_job, KRES_MEM) + 4096;
  zx_handle_t c = 0, d = 0;
  assert_int_equal(FAKE(T, fifo_create, 64, 64, 0, U(&c), U(&d)), ZX_ERR_NO_MEMORY);
  kquota_limits.total[KRES_MEM] = saved;
  assert_int_equal(FAKE(T, handle_close, a), ZX_OK);
  assert_int_equal(FAKE(T, handle_close, b), ZX_OK);
  assert_int_equal(kquota_used(P->job, KRES_MEM), before);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_create_sizes, fake_fixture_start, fake_fixture_end),
      cmocka_unit_test_setup_teardown(test_policy, fake_fixture_start, fake_fixture_end),
      cmocka_unit_test_setup_teardown(test_model, fake_fixture_start, fake_fixture_end),
      cmocka_unit_test_setup_teardown(test_memory_charged, fake_fixture_start, fake_fixture_end),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
