/* Unit tests of the address-space work queue (kobj/workq.c) over a fake transport whose agents
 * the test answers (fake_agent_ops): one change at a time per process, in call order; work for
 * a process that has not started does not hold its caller, and rides to the agent in one
 * message; thread starts wait behind pending work; queued work keeps its memfds when the VMO
 * goes; a process's death drops its queue; fds go with the access the mapping may use; forged
 * and repeated replies complete nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zum/sysno.h>

#include "kobj/handle.h"
#include "kobj/workq.h"
#include "host/sv/memfd.h"
#include "tests/unit/fake_host.h"

#define PG 4096ull
#define BASE 0x100000000ull
#define SIZE (1ull << 30)

static struct kproc* P; /* the caller */
static struct kthread* T[4];
static struct kproc* Q; /* the target, whose agent the test plays */
static zx_handle_t QROOT; /* Q's root VMAR, in P */
static int QTAG;

static int setup(void** state) {
  (void)state;
  fake_boot();
  fake_rec_reset();
  P = fake_process(NULL);
  for (int i = 0; i < 4; i++) T[i] = fake_thread(P);
  zx_status_t s;
  Q = kproc_create(kroot_job, "q", 1, &QTAG, &fake_agent_ops, &s);
  struct kthread* tq = fake_thread(Q);
  zum_hosted_info_t info;
  memset(&info, 0, sizeof(info));
  assert_int_equal(FAKE(tq, hosted_init, U(&info), BASE, SIZE), ZX_OK);
  struct khandle* h = khandle_lookup(Q->table, info.vmar_root_self);
  QROOT = fake_give(P, h->obj, h->rights);
  fake_nsent = 0;
  fake_nrec = 0;
  return 0;
}

static int teardown(void** state) {
  (void)state;
  if (Q) fake_end(Q, 0);
  fake_end(P, 0);
  assert_int_equal(khandle_live_count(), 0);
  return 0;
}

static zx_handle_t vmo(void) {
  zx_handle_t h = 0;
  assert_int_equal(FAKE(T[0], vmo_create, PG, 0, U(&h)), ZX_OK);
  return h;
}

/* vmar_map of v into Q at BASE + off by thread t: its result, *c if it parked. */
static int64_t map_at(struct kthread* t, zx_handle_t v, uint64_t off, struct kcall** c) {
  static uint64_t addr;
  const uint64_t args[] = {QROOT, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, off, v, 0, PG, U(&addr)};
  return fake_run(t, ZUM_SYS_vmar_map, args, 7, c);
}

static int64_t done(struct kcall* c) {
  int64_t r = KCALL_PARKED;
  assert_true(fake_completed(c, &r));
  return r;
}

/* Each call waits for its own change; later ones are not sent before the earlier is in, then
 * go together in one message, in call order. */
static void test_in_order(void** state) {
  (void)state;
  zx_handle_t v = vmo();
  struct kcall *c1, *c2, *c3;
  assert_int_equal(map_at(T[1], v, 0, &c1), KCALL_PARKED);
  assert_int_equal(fake_nsent, 1);
  assert_int_equal(map_at(T[2], v, PG, &c2), KCALL_PARKED);
  const uint64_t uargs[] = {QROOT, BASE, PG};
  assert_int_equal(fake_run(T[3], ZUM_SYS_vmar_unmap, uargs, 3, &c3), KCALL_PARKED);
  assert_int_equal(fake_nsent, 1);
  assert_true(fake_agent_answer(Q, 0));
  assert_int_equal(done(c1), ZX_OK);
  assert_false(fake_completed(c2, NULL));
  assert_int_equal(fake_nsent, 2);
  const zum_work_t* w = &fake_sent[1].m.u.work;
  assert_int_equal(w->num_ops, 2);
  assert_int_equal(w->ops[0].kind, ZUM_WORK_MAP);
  assert_int_equal(w->ops[0].addr, BASE + PG);
  assert_int_equal(w->ops[1].kind, ZUM_WORK_RESERVE);
  assert_int_equal(w->ops[1].addr, BASE);
  assert_true(fake_agent_answer(Q, 0));
  assert_int_equal(done(c2), ZX_OK);
  assert_int_equal(done(c3), ZX_OK);
  assert_false(fake_agent_answer(Q, 0));
  /* An agent that could not apply its work: the process is ended, the caller has its status. */
  assert_int_equal(map_at(T[1], v, 2 * PG, &c1), KCALL_PARKED);
  assert_true(fake_agent_answer(Q, 12));
  assert_int_equal(done(c1), ZX_OK);
  assert_int_equal(Q->return_code, ZX_TASK_RETCODE_EXCEPTION_KILL);
  FAKE(T[0], handle_close, v);
}

/* An agent that never answers (its process stopped, its stub broken) holds nobody forever: once
 * the head item has waited kworkq_deadline the process is killed as unresponsive and every call
 * waiting on its queue finishes with its status. Each item gets the whole deadline. */
static void test_deadline(void** state) {
  (void)state;
  zx_handle_t v = vmo();
  struct kcall *c1, *c2, *c3;
  assert_int_equal(map_at(T[1], v, 0, &c1), KCALL_PARKED);
  assert_int_equal(map_at(T[2], v, PG, &c2), KCALL_PARKED);
  fake_advance(kworkq_deadline - 1);
  assert_true(fake_agent_answer(Q, 0));
  assert_int_equal(done(c1), ZX_OK);
  /* The second item started now: it has a deadline of its own. */
  fake_advance(kworkq_deadline - 1);
  assert_false(fake_completed(c2, NULL));
  assert_int_equal(Q->state, KPROC_RUNNING);
  assert_int_equal(map_at(T[3], v, 2 * PG, &c3), KCALL_PARKED);
  fake_advance(1);
  assert_int_equal(Q->state, KPROC_DYING);
  assert_int_equal(Q->return_code, ZX_TASK_RETCODE_EXCEPTION_KILL);
  assert_int_equal(done(c2), ZX_OK);
  assert_int_equal(done(c3), ZX_OK);
  assert_false(kworkq_busy(Q));
  FAKE(T[0], handle_close, v);
}

/* A process's own threads doing and waiting for their own work hold up nobody else: stopped
 * there (a debugger) it is left alone however long; once another process waits behind, the
 * deadline runs. */
static int self_deliver(void* host, struct platform_call* c, uint64_t work_addr, zum_work_t* w,
                        const int* fds, size_t nfds) {
  (void)host, (void)c, (void)work_addr, (void)w, (void)fds, (void)nfds;
  return 0;
}

static void test_deadline_own_work(void** state) {
  (void)state;
  static struct platform_proc_ops ops;
  ops = fake_agent_ops;
  ops.work_deliver = self_deliver;
  Q->host_ops = &ops;
  struct kthread* tq1 = fake_thread(Q);
  struct kthread* tq2 = fake_thread(Q);
  zx_handle_t v = vmo();
  zx_handle_t qv = fake_give(Q, khandle_lookup(P->table, v)->obj, ZX_DEFAULT_VMO_RIGHTS);
  zx_handle_t qroot = fake_give(Q, khandle_lookup(P->table, QROOT)->obj,
                                khandle_lookup(P->table, QROOT)->rights);
  static uint64_t addr;
  const uint64_t a1[] = {qroot, ZX_VM_PERM_READ, 0, qv, 0, PG, U(&addr), 0x1000};
  assert_int_equal(fake_run(tq1, ZUM_SYS_vmar_map, a1, 8, NULL), ZUM_STATUS_WORK);
  struct kcall* c2;
  const uint64_t a2[] = {qroot, ZX_VM_PERM_READ, 0, qv, 0, PG, U(&addr), 0x2000};
  assert_int_equal(fake_run(tq2, ZUM_SYS_vmar_map, a2, 8, &c2), KCALL_PARKED);
  fake_advance(10 * kworkq_deadline);
  assert_int_equal(Q->state, KPROC_RUNNING);
  assert_int_equal(fake_nsent, 0);
  /* Another process's call behind them. */
  struct kcall* c3;
  assert_int_equal(map_at(T[1], v, 4 * PG, &c3), KCALL_PARKED);
  fake_advance(kworkq_deadline - 1);
  assert_int_equal(Q->state, KPROC_RUNNING);
  fake_advance(1);
  assert_int_equal(Q->return_code, ZX_TASK_RETCODE_EXCEPTION_KILL);
  assert_int_equal(done(c3), ZX_OK);
  assert_false(kworkq_busy(Q));
  assert_true(fake_completed(c2, NULL)); /* abandoned with its process */
  FAKE(T[0], handle_close, v);
}

/* With no deadline (zum run --work-deadline=0) the caller waits as long as the agent takes. */
static void test_no_deadline(void** state) {
  (void)state;
  int64_t saved = kworkq_deadline;
  kworkq_deadline = 0;
  zx_handle_t v = vmo();
  struct kcall* c1;
  assert_int_equal(map_at(T[1], v, 0, &c1), KCALL_PARKED);
  fake_advance(1000 * saved);
  assert_false(fake_completed(c1, NULL));
  assert_int_equal(Q->state, KPROC_RUNNING);
  assert_true(fake_agent_answer(Q, 0));
  assert_int_equal(done(c1), ZX_OK);
  kworkq_deadline = saved;
  FAKE(T[0], handle_close, v);
}

/* A process that has not started: its caller does not wait, and work queued behind the message
 * in flight goes in one message. A failed mmap ends the process. */
static void test_not_started(void** state) {
  (void)state;
  Q->pure = true;
  Q->state = KPROC_INITIAL;
  zx_handle_t v = vmo();
  for (int i = 0; i < 3; i++) assert_int_equal(map_at(T[1], v, i * PG, NULL), ZX_OK);
  assert_int_equal(fake_nsent, 1);
  assert_true(fake_agent_answer(Q, 0));
  assert_int_equal(fake_nsent, 2);
  assert_int_equal(fake_sent[1].m.u.work.num_ops, 2);
  assert_int_equal(fake_sent[1].m.u.work.ops[1].addr, BASE + 2 * PG);
  assert_true(fake_agent_answer(Q, 0));
  assert_false(kworkq_busy(Q));
  FAKE(T[0], handle_close, v);
}

/* Thread starts: the seal and the start wait behind work still on its way, then go in order;
 * the host hears of the started thread. */
static zx_koid_t STARTED;
static pid_t STARTED_TID;
static void started(void* host, zx_koid_t thread, pid_t tid) {
  (void)host;
  STARTED = thread;
  STARTED_TID = tid;
}

static void test_start_behind_work(void** state) {
  (void)state;
  static struct platform_proc_ops ops;
  ops = fake_agent_ops;
  ops.thread_started = started;
  Q->host_ops = &ops;
  zx_handle_t v = vmo();
  struct kcall *c1, *c2;
  assert_int_equal(map_at(T[1], v, 0, &c1), KCALL_PARKED);
  assert_int_equal(map_at(T[2], v, PG, &c2), KCALL_PARKED);
  struct kthread* t = kthread_create(Q, 0, "new", 3, NULL);
  struct kcall* c = fake_call(T[3], ZUM_SYS_process_start, NULL, 0);
  struct kthread_regs regs = {.pc = 0x1000, .sp = 0x2000};
  assert_int_equal(kworkq_start_thread(c, t, &regs, true, 0x10000, 0x20000), KCALL_PARKED);
  assert_int_equal(fake_nsent, 1);
  assert_true(fake_agent_answer(Q, 0));
  assert_int_equal(done(c1), ZX_OK);
  assert_int_equal(fake_nsent, 2); /* the second map, alone */
  assert_int_equal(fake_sent[1].m.kind, ZUM_AGENT_WORK);
  assert_true(fake_agent_answer(Q, 0));
  assert_int_equal(done(c2), ZX_OK);
  assert_int_equal(fake_nsent, 3);
  assert_int_equal(fake_sent[2].m.kind, ZUM_AGENT_SEAL);
  assert_int_equal(fake_sent[2].m.u.seal.code_start, 0x10000);
  assert_true(fake_agent_answer(Q, 0));
  assert_int_equal(fake_nsent, 4);
  assert_int_equal(fake_sent[3].m.kind, ZUM_AGENT_START_THREAD);
  assert_int_equal(fake_sent[3].m.u.start.pc, 0x1000);
  STARTED = 0;
  fake_sent[3].answered = true;
  kworkq_reply(Q, fake_sent[3].m.token, 0, 4242);
  assert_int_equal(STARTED, t->base.koid);
  assert_int_equal(STARTED_TID, 4242);
  assert_int_equal(done(c), ZX_OK);
  /* Behind work sent in full, a record goes at once (the agent answers in order). */
  assert_int_equal(map_at(T[1], v, 2 * PG, &c1), KCALL_PARKED);
  struct kthread* t2 = kthread_create(Q, 0, "new2", 4, NULL);
  kobj_ref(&t2->base); /* the process's reference goes with the thread's death */
  c = fake_call(T[3], ZUM_SYS_process_start, NULL, 0);
  assert_int_equal(kworkq_start_thread(c, t2, &regs, false, 0, 0), KCALL_PARKED);
  assert_int_equal(fake_nsent, 6);
  assert_int_equal(fake_sent[5].m.kind, ZUM_AGENT_START_THREAD);
  assert_true(fake_agent_answer(Q, 0));
  assert_int_equal(done(c1), ZX_OK);
  /* No room for another thread in the stub: NO_RESOURCES, and the thread is dead. */
  assert_true(fake_agent_answer(Q, 11 /* EAGAIN */));
  assert_int_equal(done(c), ZX_ERR_NO_RESOURCES);
  assert_int_equal(t2->state, KTHREAD_DEAD);
  kobj_unref(&t2->base);
  Q->host_ops = &fake_agent_ops;
  FAKE(T[0], handle_close, v);
}

/* A VMO whose mapping is gone and whose last handle is closed while its MAP still waits: the
 * work has its own descriptor of the memory. */
static void test_owns_memfds(void** state) {
  (void)state;
  zx_handle_t v = vmo(), w = vmo();
  struct kcall *c1, *c2, *c3;
  assert_int_equal(map_at(T[1], v, 0, &c1), KCALL_PARKED);
  assert_int_equal(map_at(T[2], w, PG, &c2), KCALL_PARKED);
  const uint64_t uargs[] = {QROOT, BASE + PG, PG};
  assert_int_equal(fake_run(T[3], ZUM_SYS_vmar_unmap, uargs, 3, &c3), KCALL_PARKED);
  assert_int_equal(FAKE(T[0], handle_close, w), ZX_OK);
  fake_nrec = 0;
  assert_true(fake_agent_answer(Q, 0));
  assert_int_equal(fake_nrec, 2); /* the map and the unmap, in one message */
  assert_int_equal(fake_recs[0].op.kind, ZUM_WORK_MAP);
  assert_int_not_equal(fake_recs[0].ino, 0); /* recorded from a live descriptor */
  assert_true(fake_agent_answer(Q, 0));
  assert_int_equal(done(c1), ZX_OK);
  assert_int_equal(done(c2), ZX_OK);
  assert_int_equal(done(c3), ZX_OK);
  FAKE(T[0], handle_close, v);
}

/* vmar_map of v into Q by thread t with perm: its result, *c if it parked. */
static int64_t map_perm(struct kthread* t, zx_handle_t v, uint32_t perm, struct kcall** c) {
  static uint64_t addr;
  const uint64_t args[] = {QROOT, perm, 0, v, 0, PG, U(&addr)};
  return fake_run(t, ZUM_SYS_vmar_map, args, 7, c);
}

/* The memfd reaches the guest with only the access the mapping can ever use: a mapping through
 * a handle without ZX_RIGHT_WRITE gets a read-only fd (ZUM_MAP_READONLY), so no Linux call in
 * the guest can make it writable; one whose handle had WRITE keeps a writable fd even when
 * mapped read-only, since zx_vmar_protect may add write later (Zircon caps a mapping by the
 * rights it was made with). */
static void test_fd_access(void** state) {
  (void)state;
  zx_handle_t v = vmo(), ro = 0;
  assert_int_equal(FAKE(T[0], handle_duplicate, v, ZX_RIGHTS_BASIC | ZX_RIGHT_READ | ZX_RIGHT_MAP,
                        U(&ro)),
                   ZX_OK);
  struct kcall *c1, *c2, *c3;
  assert_int_equal(map_perm(T[1], v, ZX_VM_PERM_READ, &c1), KCALL_PARKED);
  assert_int_equal(map_perm(T[2], ro, ZX_VM_PERM_READ, &c2), KCALL_PARKED);
  assert_int_equal(map_perm(T[3], v, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, &c3), KCALL_PARKED);
  assert_int_equal(map_perm(T[0], ro, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, NULL),
                   ZX_ERR_ACCESS_DENIED);
  while (fake_agent_answer(Q, 0)) {
  }
  assert_int_equal(done(c1), ZX_OK);
  assert_int_equal(done(c2), ZX_OK);
  assert_int_equal(done(c3), ZX_OK);
  assert_int_equal(fake_nrec, 3);
  for (size_t i = 0; i < 3; i++) assert_int_equal(fake_recs[i].op.kind, ZUM_WORK_MAP);
  assert_int_equal(fake_recs[0].accmode, O_RDWR);
  assert_int_equal(fake_recs[0].op.flags & ZUM_MAP_READONLY, 0);
  assert_int_equal(fake_recs[1].accmode, O_RDONLY);
  assert_int_equal(fake_recs[1].op.flags & ZUM_MAP_READONLY, ZUM_MAP_READONLY);
  assert_int_equal(fake_recs[1].ino, fake_recs[0].ino); /* the same memory */
  assert_int_equal(fake_recs[2].accmode, O_RDWR);
  FAKE(T[0], handle_close, ro);
  FAKE(T[0], handle_close, v);
}

static uint64_t ino(int fd) {
  struct stat st;
  assert_int_equal(fstat(fd, &st), 0);
  return (uint64_t)st.st_ino;
}

/* The supervisor keeps one read-only open file per memfd and hands out dups of it; a kept one
 * whose fd number now names another memfd (closed behind its back) is never served. */
static void test_readonly_fd_kept(void** state) {
  (void)state;
  int a;
  assert_int_equal(host_memfd_create(PG, &a), ZX_OK);
  int r1 = host_memfd_dup_readonly(a), r2 = host_memfd_dup_readonly(a);
  assert_true(r1 >= 0 && r2 >= 0);
  assert_int_equal(fcntl(r1, F_GETFL) & O_ACCMODE, O_RDONLY);
  assert_int_equal(fcntl(r2, F_GETFL) & O_ACCMODE, O_RDONLY);
  assert_int_equal(ino(r1), ino(a));
  assert_int_equal(ino(r2), ino(a));
  uint64_t old = ino(a);
  close(r1);
  close(r2);
  close(a); /* not through host_memfd_close */
  int b;
  assert_int_equal(host_memfd_create(PG, &b), ZX_OK);
  int r3 = host_memfd_dup_readonly(b);
  assert_true(r3 >= 0);
  assert_int_equal(ino(r3), ino(b));
  assert_int_not_equal(ino(r3), old);
  close(r3);
  host_memfd_close(b);
}

/* Replies come from the guest's agent, which guest code can drive: a reply with a token of no
 * work outstanding, a repeated one, or one sent while only the caller's own work is queued
 * completes nothing and changes nothing. */
static void test_forged_replies(void** state) {
  (void)state;
  zx_handle_t v = vmo();
  struct kcall *c1, *c2;
  assert_int_equal(map_at(T[1], v, 0, &c1), KCALL_PARKED);
  uint64_t first = fake_sent[0].m.token;
  kworkq_reply(Q, first + 1000, 0, 0);
  kworkq_reply(Q, 0, 0, 0);
  kworkq_reply(Q, first, 0, 0); /* the real answer, as the agent gives it */
  fake_sent[0].answered = true;
  assert_int_equal(done(c1), ZX_OK);
  assert_int_equal(map_at(T[2], v, PG, &c2), KCALL_PARKED);
  kworkq_reply(Q, first, 0, 0); /* the first answer again */
  kworkq_reply(Q, first, 12, 0); /* ... and as a failure */
  assert_false(fake_completed(c2, NULL));
  assert_int_equal(Q->return_code, 0);
  assert_true(fake_agent_answer(Q, 0));
  assert_int_equal(done(c2), ZX_OK);
  /* A reply to a process with nothing queued. */
  kworkq_reply(Q, first, 0, 0);
  kworkq_reply(P, fake_sent[1].m.token, 0, 0);
  assert_false(fake_agent_answer(Q, 0));
  assert_int_equal(Q->return_code, 0);
  FAKE(T[0], handle_close, v);
}

/* The target dies with work queued: callers get their status, nothing is sent any more. */
static void test_death_drops_queue(void** state) {
  (void)state;
  zx_handle_t v = vmo();
  struct kcall *c1, *c2;
  assert_int_equal(map_at(T[1], v, 0, &c1), KCALL_PARKED);
  assert_int_equal(map_at(T[2], v, PG, &c2), KCALL_PARKED);
  fake_end(Q, 0);
  Q = NULL;
  assert_int_equal(done(c1), ZX_OK);
  assert_int_equal(done(c2), ZX_OK);
  assert_int_equal(fake_nsent, 1);
  FAKE(T[0], handle_close, v);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_in_order, setup, teardown),
      cmocka_unit_test_setup_teardown(test_deadline, setup, teardown),
      cmocka_unit_test_setup_teardown(test_no_deadline, setup, teardown),
      cmocka_unit_test_setup_teardown(test_deadline_own_work, setup, teardown),
      cmocka_unit_test_setup_teardown(test_not_started, setup, teardown),
      cmocka_unit_test_setup_teardown(test_start_behind_work, setup, teardown),
      cmocka_unit_test_setup_teardown(test_owns_memfds, setup, teardown),
      cmocka_unit_test_setup_teardown(test_death_drops_queue, setup, teardown),
      cmocka_unit_test_setup_teardown(test_fd_access, setup, teardown),
      cmocka_unit_test_setup_teardown(test_forged_replies, setup, teardown),
      cmocka_unit_test_setup_teardown(test_readonly_fd_kept, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
