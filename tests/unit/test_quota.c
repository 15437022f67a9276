/* Unit tests of the per-job accounting (kobj/quota.c): a charge goes to the job and every
 * ancestor and is refused whole when any of them would pass its limit (the root job's total, a
 * guest-made job's cap; the program's own job has none); what each object type charges
 * (VMO stores, processes, threads, queued messages, port packets, async waits, handles) comes
 * back when it goes; the limits come
 * from the platform's budget and the options. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zircon/syscalls/port.h>
#include <zum/sysno.h>

#include "kobj/channel.h"
#include "kobj/handle.h"
#include "kobj/quota.h"
#include "tests/unit/fake_host.h"

#define PG 4096ull

static struct kjob *J1, *J2, *J3, *J2B; /* root -> J1 -> J2 -> J3, and J1 -> J2B */

static void no_limits(void) {
  for (int r = 0; r < KRES_COUNT; r++)
    kquota_limits.total[r] = kquota_limits.job[r] = UINT64_MAX;
  memset(&kquota_costs, 0, sizeof(kquota_costs));
}

static int setup(void** state) {
  (void)state;
  fake_boot();
  no_limits();
  J1 = kjob_create(kroot_job);
  J2 = kjob_create(J1);
  J3 = kjob_create(J2);
  J2B = kjob_create(J1);
  return 0;
}

static void put_job(struct kjob* j) {
  kjob_kill(j, 0);
  kobj_unref(&j->base);
}

static int teardown(void** state) {
  (void)state;
  put_job(J3);
  put_job(J2);
  put_job(J2B);
  put_job(J1);
  for (int r = 0; r < KRES_COUNT; r++) assert_int_equal(kquota_used(kroot_job, r), 0);
  no_limits();
  assert_int_equal(khandle_live_count(), 0);
  return 0;
}

/* Which jobs are capped: neither the root job nor the program's own job (its child). */
static void test_capped(void** state) {
  (void)state;
  assert_false(kquota_capped(kroot_job));
  assert_false(kquota_capped(J1));
  assert_true(kquota_capped(J2));
  assert_true(kquota_capped(J3));
}

/* A charge counts in the job and every ancestor; a refused one changes nothing. */
static void test_charge_tree(void** state) {
  (void)state;
  kquota_limits.total[KRES_FDS] = 100;
  kquota_limits.job[KRES_FDS] = 10;
  assert_int_equal(kquota_charge(J3, KRES_FDS, 6), ZX_OK);
  assert_int_equal(kquota_used(J3, KRES_FDS), 6);
  assert_int_equal(kquota_used(J2, KRES_FDS), 6);
  assert_int_equal(kquota_used(J1, KRES_FDS), 6);
  assert_int_equal(kquota_used(kroot_job, KRES_FDS), 6);
  /* J2's cap counts J3's charge: J2 itself cannot pass it either. */
  assert_int_equal(kquota_charge(J2, KRES_FDS, 5), ZX_ERR_NO_RESOURCES);
  assert_int_equal(kquota_charge(J3, KRES_FDS, 5), ZX_ERR_NO_RESOURCES);
  assert_int_equal(kquota_used(J3, KRES_FDS), 6);
  assert_int_equal(kquota_used(kroot_job, KRES_FDS), 6);
  assert_int_equal(kquota_charge(J2, KRES_FDS, 4), ZX_OK);
  /* The sibling has its own cap. */
  assert_int_equal(kquota_charge(J2B, KRES_FDS, 10), ZX_OK);
  assert_int_equal(kquota_charge(J2B, KRES_FDS, 1), ZX_ERR_NO_RESOURCES);
  /* The program's job is bound only by the total. */
  assert_int_equal(kquota_charge(J1, KRES_FDS, 80), ZX_OK);
  assert_int_equal(kquota_used(kroot_job, KRES_FDS), 100);
  assert_int_equal(kquota_charge(J1, KRES_FDS, 1), ZX_ERR_NO_RESOURCES);
  /* Other resources are counted apart; memory runs out as NO_MEMORY. */
  kquota_limits.job[KRES_MEM] = 1000;
  assert_int_equal(kquota_charge(J3, KRES_MEM, 1000), ZX_OK);
  assert_int_equal(kquota_charge(J3, KRES_MEM, 1), ZX_ERR_NO_MEMORY);
  assert_int_equal(kquota_charge(J3, KRES_MEM, UINT64_MAX), ZX_ERR_NO_MEMORY);
  kquota_release(J3, KRES_MEM, 1000);
  kquota_release(J1, KRES_FDS, 80);
  kquota_release(J2B, KRES_FDS, 10);
  kquota_release(J2, KRES_FDS, 4);
  kquota_release(J3, KRES_FDS, 6);
  /* The supervisor's own objects are never charged. */
  assert_int_equal(kquota_charge(NULL, KRES_FDS, 1000), ZX_OK);
}

static zx_status_t vmo_create(struct kthread* t, zx_handle_t* h) {
  return (zx_status_t)FAKE(t, vmo_create, PG, 0, U(h));
}

/* A VMO's store is charged to its maker's job while the VMO lives (mappings and children keep
 * it); slices and references have none; a snapshot has its own. */
static void test_vmos(void** state) {
  (void)state;
  kquota_costs.store_fds = 2;
  kquota_limits.job[KRES_FDS] = 6;
  struct kproc* p = fake_process(J3);
  struct kthread* t = fake_thread(p);
  struct kproc* q = fake_process(J2B);
  struct kthread* tq = fake_thread(q);
  zx_handle_t v[4];
  for (int i = 0; i < 3; i++) assert_int_equal(vmo_create(t, &v[i]), ZX_OK);
  assert_int_equal(kquota_used(J2, KRES_FDS), 6);
  assert_int_equal(vmo_create(t, &v[3]), ZX_ERR_NO_RESOURCES);
  /* The sibling job is not held up. */
  zx_handle_t w;
  assert_int_equal(vmo_create(tq, &w), ZX_OK);
  assert_int_equal(FAKE(tq, handle_close, w), ZX_OK);
  /* A slice costs nothing; a snapshot a store. */
  zx_handle_t s;
  assert_int_equal(FAKE(t, vmo_create_child, v[0], ZX_VMO_CHILD_SLICE, 0, PG, U(&s)), ZX_OK);
  assert_int_equal(FAKE(t, vmo_create_child, v[0], ZX_VMO_CHILD_SNAPSHOT, 0, PG, U(&w)),
                   ZX_ERR_NO_RESOURCES);
  assert_int_equal(FAKE(t, handle_close, v[1]), ZX_OK);
  assert_int_equal(kquota_used(J3, KRES_FDS), 4);
  assert_int_equal(FAKE(t, vmo_create_child, v[0], ZX_VMO_CHILD_SNAPSHOT, 0, PG, U(&w)), ZX_OK);
  assert_int_equal(kquota_used(J3, KRES_FDS), 6);
  /* A VMO outliving its handles (held by its children here) keeps its charge. */
  assert_int_equal(FAKE(t, handle_close, v[0]), ZX_OK);
  assert_int_equal(FAKE(t, handle_close, s), ZX_OK);
  assert_int_equal(kquota_used(J3, KRES_FDS), 6);
  assert_int_equal(FAKE(t, handle_close, w), ZX_OK);
  assert_int_equal(kquota_used(J3, KRES_FDS), 2);
  /* A dead job's charges go with the objects, which may outlive it. */
  fake_end(p, 0);
  assert_int_equal(kquota_used(J3, KRES_FDS), 0);
  fake_end(q, 0);
}

/* Queued messages are charged to the writer's job until read (or dropped with the queue). */
static void test_messages(void** state) {
  (void)state;
  struct kproc* p = fake_process(J3);
  struct kthread* t = fake_thread(p);
  const uint64_t one = sizeof(struct kmsg) + 100;
  kquota_limits.job[KRES_MEM] = 3 * one;
  zx_handle_t a, b;
  assert_int_equal(FAKE(t, channel_create, 0, U(&a), U(&b)), ZX_OK);
  static uint8_t buf[100];
  for (int i = 0; i < 3; i++)
    assert_int_equal(FAKE(t, channel_write, a, 0, U(buf), 100, 0, 0), ZX_OK);
  assert_int_equal(kquota_used(J2, KRES_MEM), 3 * one);
  assert_int_equal(FAKE(t, channel_write, a, 0, U(buf), 100, 0, 0), ZX_ERR_NO_MEMORY);
  uint32_t nb = 0, nh = 0;
  assert_int_equal(FAKE(t, channel_read, b, 0, U(buf), 0, 100, 0, U(&nb), U(&nh)), ZX_OK);
  assert_int_equal(kquota_used(J3, KRES_MEM), 2 * one);
  assert_int_equal(FAKE(t, channel_write, a, 0, U(buf), 100, 0, 0), ZX_OK);
  /* The program's job is not capped, only the total is. */
  struct kproc* q = fake_process(J1);
  struct kthread* tq = fake_thread(q);
  kquota_limits.total[KRES_MEM] = 4 * one;
  zx_handle_t qa, qb;
  assert_int_equal(FAKE(tq, channel_create, 0, U(&qa), U(&qb)), ZX_OK);
  assert_int_equal(FAKE(tq, channel_write, qa, 0, U(buf), 100, 0, 0), ZX_OK);
  assert_int_equal(FAKE(tq, channel_write, qa, 0, U(buf), 100, 0, 0), ZX_ERR_NO_MEMORY);
  /* Closing the reader's end drops the queue and its charge. */
  assert_int_equal(FAKE(t, handle_close, b), ZX_OK);
  assert_int_equal(kquota_used(J3, KRES_MEM), 0);
  assert_int_equal(FAKE(tq, channel_write, qa, 0, U(buf), 100, 0, 0), ZX_OK);
  assert_int_equal(FAKE(t, handle_close, a), ZX_OK);
  fake_end(q, 0);
  assert_int_equal(kquota_used(kroot_job, KRES_MEM), 0);
  fake_end(p, 0);
}

/* User packets and async waits are charged to their maker's job while they exist. */
static void test_port(void** state) {
  (void)state;
  struct kproc* p = fake_process(J3);
  struct kthread* t = fake_thread(p);
  zx_handle_t port, ev;
  assert_int_equal(FAKE(t, port_create, 0, U(&port)), ZX_OK);
  assert_int_equal(FAKE(t, event_create, 0, U(&ev)), ZX_OK);
  zx_port_packet_t pkt;
  memset(&pkt, 0, sizeof(pkt));
  assert_int_equal(FAKE(t, port_queue, port, U(&pkt)), ZX_OK);
  uint64_t one = kquota_used(J3, KRES_MEM);
  assert_true(one > 0);
  kquota_limits.job[KRES_MEM] = one;
  assert_int_equal(FAKE(t, port_queue, port, U(&pkt)), ZX_ERR_NO_MEMORY);
  assert_int_equal(FAKE(t, object_wait_async, ev, port, 1, ZX_USER_SIGNAL_0, 0),
                   ZX_ERR_NO_MEMORY);
  assert_int_equal(FAKE(t, port_wait, port, 0, U(&pkt)), ZX_OK);
  assert_int_equal(kquota_used(J3, KRES_MEM), 0);
  kquota_limits.job[KRES_MEM] = UINT64_MAX;
  assert_int_equal(FAKE(t, object_wait_async, ev, port, 1, ZX_USER_SIGNAL_0, 0), ZX_OK);
  assert_true(kquota_used(J3, KRES_MEM) > 0);
  /* Its packet is the wait's own: read, the wait and its charge are gone. */
  assert_int_equal(FAKE(t, object_signal, ev, 0, ZX_USER_SIGNAL_0), ZX_OK);
  assert_int_equal(FAKE(t, port_wait, port, 0, U(&pkt)), ZX_OK);
  assert_int_equal(kquota_used(J3, KRES_MEM), 0);
  /* A pending wait goes with the port. */
  assert_int_equal(FAKE(t, object_wait_async, ev, port, 2, ZX_USER_SIGNAL_1, 0), ZX_OK);
  assert_int_equal(FAKE(t, handle_close, port), ZX_OK);
  kobj_run_deferred();
  assert_int_equal(kquota_used(J3, KRES_MEM), 0);
  assert_int_equal(FAKE(t, handle_close, ev), ZX_OK);
  fake_end(p, 0);
}

/* Handles a call makes are charged to the caller's job until destroyed, wherever they go; the
 * arena is Zircon's system-wide one, so one job tree must not take it all. */
static void test_handles(void** state) {
  (void)state;
  kquota_limits.job[KRES_HANDLES] = 3;
  struct kproc* p = fake_process(J3);
  struct kthread* t = fake_thread(p);
  struct kproc* q = fake_process(J2B);
  struct kthread* tq = fake_thread(q);
  zx_handle_t ev[3], x;
  for (int i = 0; i < 3; i++) assert_int_equal(FAKE(t, event_create, 0, U(&ev[i])), ZX_OK);
  assert_int_equal(kquota_used(J2, KRES_HANDLES), 3);
  assert_int_equal(FAKE(t, event_create, 0, U(&x)), ZX_ERR_NO_RESOURCES);
  assert_int_equal(FAKE(t, handle_duplicate, ev[0], ZX_RIGHT_SAME_RIGHTS, U(&x)),
                   ZX_ERR_NO_RESOURCES);
  /* The sibling job has room of its own. */
  zx_handle_t qa, qb;
  assert_int_equal(FAKE(tq, channel_create, 0, U(&qa), U(&qb)), ZX_OK);
  /* A handle sent to another job keeps its charge with its maker... */
  zx_handle_t pa = fake_give(p, khandle_lookup(q->table, qa)->obj, ZX_DEFAULT_CHANNEL_RIGHTS);
  assert_int_equal(FAKE(t, channel_write, pa, 0, 0, 0, U(&ev[2]), 1), ZX_OK);
  assert_int_equal(kquota_used(J3, KRES_HANDLES), 3);
  uint32_t nb = 0, nh = 0;
  assert_int_equal(FAKE(tq, channel_read, qb, 0, 0, U(&x), 0, 1, U(&nb), U(&nh)), ZX_OK);
  assert_int_equal(kquota_used(J3, KRES_HANDLES), 3);
  assert_int_equal(kquota_used(J2B, KRES_HANDLES), 2);
  /* ...until it is closed. */
  assert_int_equal(FAKE(tq, handle_close, x), ZX_OK);
  assert_int_equal(kquota_used(J3, KRES_HANDLES), 2);
  assert_int_equal(FAKE(t, handle_duplicate, ev[0], ZX_RIGHT_SAME_RIGHTS, U(&x)), ZX_OK);
  assert_int_equal(FAKE(t, handle_close, pa), ZX_OK);
  fake_end(p, 0);
  assert_int_equal(kquota_used(J3, KRES_HANDLES), 0);
  fake_end(q, 0);
  assert_int_equal(kquota_used(kroot_job, KRES_HANDLES), 0);
}

/* A process is charged before its Linux process is started, and given back at its death. */
static void test_processes(void** state) {
  (void)state;
  kquota_costs.proc_fds = 5;
  kquota_limits.job[KRES_PROCS] = 2;
  kquota_limits.job[KRES_FDS] = 12;
  struct kproc *p1, *p2, *p3;
  assert_int_equal(kproc_spawn_hosted(J3, "/x/a", NULL, &p1), ZX_OK);
  assert_int_equal(kproc_spawn_hosted(J3, "/x/b", NULL, &p2), ZX_OK);
  assert_int_equal(kquota_used(J2, KRES_PROCS), 2);
  assert_int_equal(kquota_used(J2, KRES_FDS), 10);
  assert_int_equal(kproc_spawn_hosted(J3, "/x/c", NULL, &p3), ZX_ERR_NO_RESOURCES);
  assert_int_equal(kquota_used(J2, KRES_PROCS), 2);
  /* The descriptors bound it as well. */
  kquota_limits.job[KRES_PROCS] = 3;
  assert_int_equal(kproc_spawn_hosted(J3, "/x/c", NULL, &p3), ZX_ERR_NO_RESOURCES);
  assert_int_equal(kquota_used(J2, KRES_PROCS), 2);
  assert_int_equal(kquota_used(J2, KRES_FDS), 10);
  fake_end(p1, 0); /* the host's reference */
  assert_int_equal(kquota_used(J3, KRES_PROCS), 1);
  assert_int_equal(kquota_used(J3, KRES_FDS), 5);
  kobj_unref(&p1->base);
  assert_int_equal(kproc_spawn_hosted(J3, "/x/c", NULL, &p3), ZX_OK);
  fake_end(p2, 0);
  kobj_unref(&p2->base);
  fake_end(p3, 0);
  kobj_unref(&p3->base);
  assert_int_equal(kquota_used(J1, KRES_PROCS), 0);
  assert_int_equal(kquota_used(J1, KRES_FDS), 0);
}

/* Threads cost a descriptor each while their Linux thread lives. */
static void test_threads(void** state) {
  (void)state;
  kquota_costs.thread_fds = 1;
  kquota_limits.job[KRES_FDS] = 2;
  struct kproc* p = fake_process(J3);
  struct kthread* t1 = fake_thread(p);
  struct kthread* t2 = fake_thread(p);
  assert_non_null(t1);
  assert_non_null(t2);
  zx_status_t s = ZX_OK;
  assert_null(kthread_create(p, 77, "t", 1, &s));
  assert_int_equal(s, ZX_ERR_NO_RESOURCES);
  kthread_on_exit(t2);
  assert_int_equal(kquota_used(J3, KRES_FDS), 1);
  assert_non_null(kthread_create(p, 77, "t", 1, &s));
  fake_end(p, 0);
  assert_int_equal(kquota_used(J3, KRES_FDS), 0);
}

static uint64_t budget(void) { return 1000; }
static const struct platform_costs costs = {1, 5, 1};

/* The limits: the total of descriptors is the platform's budget (an option may lower it, never
 * raise it), each job's cap half the total unless chosen. */
static void test_configure(void** state) {
  (void)state;
  static struct platform_ops pl;
  pl = fake_platform;
  pl.fd_budget = budget;
  pl.costs = &costs;
  platform = &pl;
  kquota_configure(NULL);
  assert_int_equal(kquota_limits.total[KRES_FDS], 1000);
  assert_int_equal(kquota_limits.job[KRES_FDS], 500);
  assert_int_equal(kquota_limits.total[KRES_PROCS], KQUOTA_DEFAULT_PROCS);
  assert_int_equal(kquota_limits.job[KRES_PROCS], KQUOTA_DEFAULT_PROCS / 2);
  assert_int_equal(kquota_limits.total[KRES_MEM], KQUOTA_DEFAULT_MEM);
  assert_int_equal(kquota_limits.job[KRES_MEM], KQUOTA_DEFAULT_MEM / 2);
  assert_int_equal(kquota_limits.total[KRES_HANDLES], KHANDLE_ARENA_SIZE / 16 * 15);
  assert_int_equal(kquota_costs.proc_fds, 5);
  struct kquota_options o;
  memset(&o, 0, sizeof(o));
  o.total[KRES_FDS] = 5000;
  o.job[KRES_FDS] = 7;
  o.total[KRES_MEM] = 4096;
  kquota_configure(&o);
  assert_int_equal(kquota_limits.total[KRES_FDS], 1000);
  assert_int_equal(kquota_limits.job[KRES_FDS], 7);
  assert_int_equal(kquota_limits.total[KRES_MEM], 4096);
  assert_int_equal(kquota_limits.job[KRES_MEM], 2048);
  /* No budget hook: no limit on descriptors. */
  platform = &fake_platform;
  kquota_configure(NULL);
  assert_true(kquota_limits.total[KRES_FDS] == UINT64_MAX);
  assert_true(kquota_limits.job[KRES_FDS] == UINT64_MAX);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_capped, setup, teardown),
      cmocka_unit_test_setup_teardown(test_charge_tree, setup, teardown),
      cmocka_unit_test_setup_teardown(test_vmos, setup, teardown),
      cmocka_unit_test_setup_teardown(test_messages, setup, teardown),
      cmocka_unit_test_setup_teardown(test_port, setup, teardown),
      cmocka_unit_test_setup_teardown(test_handles, setup, teardown),
      cmocka_unit_test_setup_teardown(test_processes, setup, teardown),
      cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
      cmocka_unit_test_setup_teardown(test_configure, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
