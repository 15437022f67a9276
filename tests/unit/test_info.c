/* Unit tests: object_get_info, object_get/set_property, object_get_child (fake host). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <zum/sysno.h>

#include "kobj/handle.h"
#include "kobj/sysutil.h"
#include "kobj/vmar.h"
#include "tests/unit/fake_host.h"

static struct kproc* P;
static struct kthread* T;

/* Host ops with thread facts, for ZX_INFO_THREAD and THREAD_STATS. */
static int stats_fail;
static int host_stats(void* host, uint64_t* m, uint64_t* p, uint64_t* s) {
  if (stats_fail) return -1;
  *m = 3 * 4096;
  *p = 2 * 4096;
  *s = 4096;
  return 0;
}
static int thread_gone;
static int host_thread_info(void* host, pid_t tid, struct platform_thread_info* out) {
  if (thread_gone) return -1;
  out->cpu_mask[0] = 0x5;
  out->cpu_mask[1] = 0x1;
  out->runtime_ns = 12345 + tid;
  out->last_cpu = 2;
  return 0;
}
static int syncs;
static void host_sync_threads(void* host) { syncs++; }
static const struct platform_proc_ops rich_ops = {
    .read = fake_mem_read,
    .write = fake_mem_write,
    .kill = fake_no_kill,
    .mem_stats = host_stats,
    .thread_info = host_thread_info,
    .sync_threads = host_sync_threads,
};

static struct kproc* rich_process(struct kjob* job) {
  zx_status_t s;
  return kproc_create(job ? job : kroot_job, "rich", 4, NULL, &rich_ops, &s);
}

static int setup(void** state) {
  fake_boot();
  stats_fail = thread_gone = syncs = 0;
  P = rich_process(NULL);
  T = fake_thread(P);
  return 0;
}

static int teardown(void** state) {
  fake_end(P, 0);
  return 0;
}

/* A handle in P's table to o with rights r. */
static zx_handle_t give(struct kobj* o, zx_rights_t r) { return fake_give(P, o, r); }

static zx_handle_t make_event(void) {
  zx_handle_t h = 0;
  assert_int_equal(FAKE(T, event_create, 0, U(&h)), ZX_OK);
  return h;
}

/* A new job under `parent` whose only reference is a handle in P's table (closing the handle
 * releases the job once it has no children, as in Zircon). */
static struct kjob* new_job(struct kjob* parent, zx_handle_t* out) {
  struct kjob* j = kjob_create(parent);
  assert_non_null(j);
  *out = give(&j->base, ZX_DEFAULT_JOB_RIGHTS);
  kobj_unref(&j->base);
  return j;
}

/* ---- get_info */

static void test_handle_valid(void** state) {
  zx_handle_t e = make_event();
  /* No buffer and no rights are needed; bad buffer pointers are ignored. */
  assert_int_equal(FAKE(T, object_get_info, e, ZX_INFO_HANDLE_VALID, 8, 100, 8, 8), ZX_OK);
  assert_int_equal(FAKE(T, object_get_info, e ^ 0x40, ZX_INFO_HANDLE_VALID, 0, 0, 0, 0),
                   ZX_ERR_BAD_HANDLE);
  assert_int_equal(FAKE(T, object_get_info, 0, ZX_INFO_HANDLE_VALID, 0, 0, 0, 0),
                   ZX_ERR_BAD_HANDLE);
  zx_handle_t none = 0;
  assert_int_equal(FAKE(T, handle_replace, e, 0, U(&none)), ZX_OK);
  assert_int_equal(FAKE(T, object_get_info, none, ZX_INFO_HANDLE_VALID, 0, 0, 0, 0), ZX_OK);
  FAKE(T, handle_close, none);
}

static void test_handle_basic(void** state) {
  zx_handle_t e = make_event();
  zx_info_handle_basic_t info;
  size_t actual = 99, avail = 99;
  memset(&info, 0xff, sizeof(info));
  assert_int_equal(FAKE(T, object_get_info, e, ZX_INFO_HANDLE_BASIC, U(&info), sizeof(info),
                        U(&actual), U(&avail)),
                   ZX_OK);
  struct khandle* h = khandle_lookup(P->table, e);
  assert_int_equal(info.koid, h->obj->koid);
  assert_int_equal(info.rights, ZX_DEFAULT_EVENT_RIGHTS);
  assert_int_equal(info.type, ZX_OBJ_TYPE_EVENT);
  assert_int_equal(info.related_koid, 0);
  assert_int_equal(info.reserved, 0);
  assert_int_equal(actual, 1);
  assert_int_equal(avail, 1);

  /* Related koids: process -> its job, thread -> its process, job -> its parent. */
  zx_handle_t ph = give(&P->base, ZX_RIGHT_INSPECT);
  assert_int_equal(FAKE(T, object_get_info, ph, ZX_INFO_HANDLE_BASIC, U(&info), sizeof(info), 0, 0),
                   ZX_OK);
  assert_int_equal(info.koid, P->base.koid);
  assert_int_equal(info.related_koid, kroot_job->base.koid);
  assert_int_equal(info.rights, ZX_RIGHT_INSPECT);
  assert_int_equal(info.type, ZX_OBJ_TYPE_PROCESS);
  zx_handle_t th = give(&T->base, 0);
  assert_int_equal(FAKE(T, object_get_info, th, ZX_INFO_HANDLE_BASIC, U(&info), sizeof(info), 0, 0),
                   ZX_OK);
  assert_int_equal(info.related_koid, P->base.koid);
  assert_int_equal(info.type, ZX_OBJ_TYPE_THREAD);
  assert_int_equal(info.rights, 0); /* no rights needed at all */
  zx_handle_t jh;
  new_job(kroot_job, &jh);
  assert_int_equal(FAKE(T, object_get_info, jh, ZX_INFO_HANDLE_BASIC, U(&info), sizeof(info), 0, 0),
                   ZX_OK);
  assert_int_equal(info.related_koid, kroot_job->base.koid);
  assert_int_equal(info.type, ZX_OBJ_TYPE_JOB);

  /* Too small: actual 0, avail 1, BUFFER_TOO_SMALL, buffer untouched. */
  memset(&info, 0xaa, sizeof(info));
  actual = avail = 99;
  assert_int_equal(FAKE(T, object_get_info, e, ZX_INFO_HANDLE_BASIC, U(&info), sizeof(info) - 1,
                        U(&actual), U(&avail)),
                   ZX_ERR_BUFFER_TOO_SMALL);
  assert_int_equal(actual, 0);
  assert_int_equal(avail, 1);
  assert_int_equal(info.koid, 0xaaaaaaaaaaaaaaaaull);
  assert_int_equal(FAKE(T, object_get_info, e, ZX_INFO_HANDLE_BASIC, 0, 0, 0, 0),
                   ZX_ERR_BUFFER_TOO_SMALL);
  /* Faulting buffer, actual or avail: INVALID_ARGS. */
  assert_int_equal(FAKE(T, object_get_info, e, ZX_INFO_HANDLE_BASIC, 8, sizeof(info), 0, 0),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, object_get_info, e, ZX_INFO_HANDLE_BASIC, U(&info), sizeof(info), 8, 0),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(
      FAKE(T, object_get_info, e, ZX_INFO_HANDLE_BASIC, U(&info), sizeof(info), U(&actual), 16),
      ZX_ERR_INVALID_ARGS);
  /* Bad handle comes first. */
  assert_int_equal(FAKE(T, object_get_info, 0x1233, ZX_INFO_HANDLE_BASIC, 8, 0, 8, 8),
                   ZX_ERR_BAD_HANDLE);
  FAKE(T, handle_close, e);
  FAKE(T, handle_close, ph);
  FAKE(T, handle_close, th);
  FAKE(T, handle_close, jh);
}

static void test_handle_count(void** state) {
  zx_handle_t e = make_event(), d = 0, w = 0;
  zx_info_handle_count_t info = {0};
  assert_int_equal(FAKE(T, object_get_info, e, ZX_INFO_HANDLE_COUNT, U(&info), sizeof(info), 0, 0),
                   ZX_OK);
  assert_int_equal(info.handle_count, 1);
  assert_int_equal(FAKE(T, handle_duplicate, e, ZX_RIGHT_SAME_RIGHTS, U(&d)), ZX_OK);
  assert_int_equal(FAKE(T, handle_duplicate, e, ZX_RIGHT_WAIT, U(&w)), ZX_OK);
  assert_int_equal(FAKE(T, object_get_info, d, ZX_INFO_HANDLE_COUNT, U(&info), sizeof(info), 0, 0),
                   ZX_OK);
  assert_int_equal(info.handle_count, 3);
  /* Needs INSPECT. */
  assert_int_equal(FAKE(T, object_get_info, w, ZX_INFO_HANDLE_COUNT, U(&info), sizeof(info), 0, 0),
                   ZX_ERR_ACCESS_DENIED);
  FAKE(T, handle_close, e);
  FAKE(T, handle_close, d);
  FAKE(T, handle_close, w);
}

static void test_process_info(void** state) {
  zx_handle_t ph = give(&P->base, ZX_DEFAULT_PROCESS_RIGHTS);
  zx_info_process_t info;
  memset(&info, 0xff, sizeof(info));
  size_t actual = 0, avail = 0;
  assert_int_equal(FAKE(T, object_get_info, ph, ZX_INFO_PROCESS, U(&info), sizeof(info),
                        U(&actual), U(&avail)),
                   ZX_OK);
  assert_int_equal(info.return_code, 0);
  assert_int_equal(info.start_time, P->start_time);
  assert_int_equal(info.flags, ZX_INFO_PROCESS_FLAG_STARTED);
  assert_int_equal(actual, 1);
  assert_int_equal(avail, 1);

  /* Another process: killed, then dead; the record says so at once. */
  struct kproc* q = rich_process(NULL);
  zx_handle_t qh = give(&q->base, ZX_DEFAULT_PROCESS_RIGHTS);
  fake_now += 100;
  assert_int_equal(FAKE(T, task_kill, qh), ZX_OK);
  assert_int_equal(FAKE(T, object_get_info, qh, ZX_INFO_PROCESS, U(&info), sizeof(info), 0, 0),
                   ZX_OK);
  assert_int_equal(info.return_code, ZX_TASK_RETCODE_SYSCALL_KILL);
  assert_int_equal(info.flags, ZX_INFO_PROCESS_FLAG_STARTED | ZX_INFO_PROCESS_FLAG_EXITED);
  assert_int_equal(info.start_time, q->start_time);
  kproc_on_exit(q, ZX_TASK_RETCODE_EXCEPTION_KILL); /* the killed Linux process died by signal */
  assert_int_equal(FAKE(T, object_get_info, qh, ZX_INFO_PROCESS, U(&info), sizeof(info), 0, 0),
                   ZX_OK);
  assert_int_equal(info.return_code, ZX_TASK_RETCODE_SYSCALL_KILL);
  assert_int_equal(info.flags, ZX_INFO_PROCESS_FLAG_STARTED | ZX_INFO_PROCESS_FLAG_EXITED);

  /* The legacy topic 3: { int64 return_code; bool started, exited, debugger_attached; } */
  uint8_t v1[16];
  memset(v1, 0xee, sizeof(v1));
  assert_int_equal(FAKE(T, object_get_info, qh, 3, U(v1), sizeof(v1), 0, 0), ZX_OK);
  int64_t rc;
  memcpy(&rc, v1, 8);
  assert_int_equal(rc, ZX_TASK_RETCODE_SYSCALL_KILL);
  assert_int_equal(v1[8], 1);
  assert_int_equal(v1[9], 1);
  assert_int_equal(v1[10], 0);
  assert_int_equal(FAKE(T, object_get_info, qh, 3, U(v1), 15, 0, 0), ZX_ERR_BUFFER_TOO_SMALL);
  /* The current record is 24 bytes: 16 is too small for it. */
  assert_int_equal(FAKE(T, object_get_info, qh, ZX_INFO_PROCESS, U(v1), sizeof(v1), 0, 0),
                   ZX_ERR_BUFFER_TOO_SMALL);

  /* Type before rights: an event without INSPECT is WRONG_TYPE; a process without it
   * ACCESS_DENIED. */
  zx_handle_t e = make_event(), ew = 0;
  assert_int_equal(FAKE(T, handle_duplicate, e, ZX_RIGHT_WAIT, U(&ew)), ZX_OK);
  assert_int_equal(FAKE(T, object_get_info, ew, ZX_INFO_PROCESS, U(&info), sizeof(info), 0, 0),
                   ZX_ERR_WRONG_TYPE);
  zx_handle_t pw = give(&P->base, ZX_RIGHT_WAIT);
  assert_int_equal(FAKE(T, object_get_info, pw, ZX_INFO_PROCESS, U(&info), sizeof(info), 0, 0),
                   ZX_ERR_ACCESS_DENIED);
  /* Unknown or unserved topics. */
  assert_int_equal(FAKE(T, object_get_info, ph, 0x7777, U(&info), sizeof(info), 0, 0),
                   ZX_ERR_NOT_SUPPORTED);
  assert_int_equal(FAKE(T, object_get_info, ph, ZX_INFO_NONE, U(&info), sizeof(info), 0, 0),
                   ZX_ERR_NOT_SUPPORTED);
  assert_int_equal(FAKE(T, object_get_info, ph, ZX_INFO_CPU_STATS, U(&info), sizeof(info), 0, 0),
                   ZX_ERR_NOT_SUPPORTED);
  FAKE(T, handle_close, e);
  FAKE(T, handle_close, ew);
  FAKE(T, handle_close, pw);
  FAKE(T, handle_close, ph);
  FAKE(T, handle_close, qh);
  kobj_unref(&q->base);
}

static void test_process_threads(void** state) {
  struct kthread* t2 = fake_thread(P);
  struct kthread* t3 = fake_thread(P);
  zx_handle_t ph = give(&P->base, ZX_DEFAULT_PROCESS_RIGHTS);
  zx_koid_t koids[4] = {0};
  size_t actual = 99, avail = 99;
  syncs = 0;
  assert_int_equal(FAKE(T, object_get_info, ph, ZX_INFO_PROCESS_THREADS, U(koids), sizeof(koids),
                        U(&actual), U(&avail)),
                   ZX_OK);
  assert_int_equal(syncs, 1); /* the host was asked to meet all threads first */
  assert_int_equal(actual, 3);
  assert_int_equal(avail, 3);
  assert_int_equal(koids[0], T->base.koid);
  assert_int_equal(koids[1], t2->base.koid);
  assert_int_equal(koids[2], t3->base.koid);
  /* Short buffer: not an error. */
  memset(koids, 0, sizeof(koids));
  assert_int_equal(FAKE(T, object_get_info, ph, ZX_INFO_PROCESS_THREADS, U(koids),
                        sizeof(zx_koid_t) + 7, U(&actual), U(&avail)),
                   ZX_OK);
  assert_int_equal(actual, 1);
  assert_int_equal(avail, 3);
  assert_int_equal(koids[0], T->base.koid);
  assert_int_equal(koids[1], 0);
  /* Count only. */
  assert_int_equal(FAKE(T, object_get_info, ph, ZX_INFO_PROCESS_THREADS, 0, 0, U(&actual),
                        U(&avail)),
                   ZX_OK);
  assert_int_equal(actual, 0);
  assert_int_equal(avail, 3);
  /* A faulting buffer with room is INVALID_ARGS. */
  assert_int_equal(FAKE(T, object_get_info, ph, ZX_INFO_PROCESS_THREADS, 8, 64, 0, 0),
                   ZX_ERR_INVALID_ARGS);
  /* A thread that ended leaves the list. */
  kthread_on_exit(t2);
  assert_int_equal(FAKE(T, object_get_info, ph, ZX_INFO_PROCESS_THREADS, U(koids), sizeof(koids),
                        U(&actual), U(&avail)),
                   ZX_OK);
  assert_int_equal(avail, 2);
  assert_int_equal(koids[0], T->base.koid);
  assert_int_equal(koids[1], t3->base.koid);
  /* Needs ENUMERATE (INSPECT is not enough). */
  zx_handle_t pi = give(&P->base, ZX_RIGHT_INSPECT);
  assert_int_equal(FAKE(T, object_get_info, pi, ZX_INFO_PROCESS_THREADS, U(koids), sizeof(koids),
                        0, 0),
                   ZX_ERR_ACCESS_DENIED);
  FAKE(T, handle_close, ph);
  FAKE(T, handle_close, pi);
}

static void test_job_children(void** state) {
  zx_handle_t jh, c1h, c2h, gh;
  struct kjob* j = new_job(kroot_job, &jh);
  struct kjob* c1 = new_job(j, &c1h);
  struct kjob* c2 = new_job(j, &c2h);
  new_job(c1, &gh);
  struct kproc* p1 = rich_process(j);
  struct kproc* p2 = rich_process(j);
  struct kproc* hidden = rich_process(j);
  hidden->state = KPROC_INITIAL; /* being created, no handle yet: Zircon hides it */
  zx_koid_t koids[8];
  size_t actual = 0, avail = 0;
  assert_int_equal(FAKE(T, object_get_info, jh, ZX_INFO_JOB_CHILDREN, U(koids), sizeof(koids),
                        U(&actual), U(&avail)),
                   ZX_OK);
  assert_int_equal(actual, 2);
  assert_int_equal(avail, 2);
  assert_int_equal(koids[0], c1->base.koid);
  assert_int_equal(koids[1], c2->base.koid);
  assert_int_equal(FAKE(T, object_get_info, jh, ZX_INFO_JOB_PROCESSES, U(koids), sizeof(koids),
                        U(&actual), U(&avail)),
                   ZX_OK);
  assert_int_equal(actual, 2);
  assert_int_equal(avail, 2);
  assert_int_equal(koids[0], p1->base.koid);
  assert_int_equal(koids[1], p2->base.koid);
  /* Once it has a handle, the INITIAL process is listed. */
  zx_handle_t hh = give(&hidden->base, ZX_DEFAULT_PROCESS_RIGHTS);
  assert_int_equal(FAKE(T, object_get_info, jh, ZX_INFO_JOB_PROCESSES, U(koids), 8, U(&actual),
                        U(&avail)),
                   ZX_OK);
  assert_int_equal(actual, 1);
  assert_int_equal(avail, 3);
  FAKE(T, handle_close, hh);
  hidden->state = KPROC_RUNNING;
  /* Faulting buffer. */
  assert_int_equal(FAKE(T, object_get_info, jh, ZX_INFO_JOB_CHILDREN, 16, 16, 0, 0),
                   ZX_ERR_INVALID_ARGS);
  /* A dead process leaves the list. */
  fake_end(p1, 0);
  assert_int_equal(FAKE(T, object_get_info, jh, ZX_INFO_JOB_PROCESSES, U(koids), sizeof(koids),
                        U(&actual), U(&avail)),
                   ZX_OK);
  assert_int_equal(avail, 2);
  assert_int_equal(koids[0], p2->base.koid);
  /* Rights and type. */
  zx_handle_t ji = give(&j->base, ZX_RIGHT_INSPECT);
  assert_int_equal(FAKE(T, object_get_info, ji, ZX_INFO_JOB_CHILDREN, U(koids), sizeof(koids), 0,
                        0),
                   ZX_ERR_ACCESS_DENIED);
  zx_handle_t ph = give(&P->base, ZX_DEFAULT_PROCESS_RIGHTS);
  assert_int_equal(FAKE(T, object_get_info, ph, ZX_INFO_JOB_CHILDREN, U(koids), sizeof(koids), 0,
                        0),
                   ZX_ERR_WRONG_TYPE);
  FAKE(T, handle_close, ph);
  FAKE(T, handle_close, ji);
  fake_end(p2, 0);
  fake_end(hidden, 0);
  FAKE(T, handle_close, gh);
  FAKE(T, handle_close, c1h);
  FAKE(T, handle_close, c2h);
  /* Jobs that nobody holds and that hold nothing leave their parent. */
  assert_int_equal(FAKE(T, object_get_info, jh, ZX_INFO_JOB_CHILDREN, U(koids), sizeof(koids),
                        U(&actual), U(&avail)),
                   ZX_OK);
  assert_int_equal(avail, 0);
  assert_true(j->base.signals & ZX_JOB_NO_JOBS);
  FAKE(T, handle_close, jh);
}

static void test_thread_info(void** state) {
  zx_handle_t th = give(&T->base, ZX_DEFAULT_THREAD_RIGHTS);
  zx_info_thread_t info;
  memset(&info, 0xff, sizeof(info));
  assert_int_equal(FAKE(T, object_get_info, th, ZX_INFO_THREAD, U(&info), sizeof(info), 0, 0),
                   ZX_OK);
  assert_int_equal(info.state, ZX_THREAD_STATE_RUNNING);
  assert_int_equal(info.wait_exception_channel_type, ZX_EXCEPTION_CHANNEL_TYPE_NONE);
  assert_int_equal(info.cpu_affinity_mask.mask[0], 0x5);
  assert_int_equal(info.cpu_affinity_mask.mask[1], 0x1);
  assert_int_equal(info.cpu_affinity_mask.mask[7], 0);

  /* A second thread blocked in wait_one, then sleeping. */
  struct kthread* t2 = fake_thread(P);
  zx_handle_t t2h = give(&t2->base, ZX_DEFAULT_THREAD_RIGHTS);
  zx_handle_t e = make_event();
  struct kcall* c;
  uint64_t args[] = {e, ZX_EVENT_SIGNALED, INT64_MAX, 0};
  assert_true(fake_run(t2, ZUM_SYS_object_wait_one, args, 4, &c) == KCALL_PARKED);
  assert_int_equal(FAKE(T, object_get_info, t2h, ZX_INFO_THREAD, U(&info), sizeof(info), 0, 0),
                   ZX_OK);
  assert_int_equal(info.state, ZX_THREAD_STATE_BLOCKED_WAIT_ONE);
  FAKE(T, object_signal, e, 0, ZX_EVENT_SIGNALED);
  assert_true(fake_completed(c, NULL));
  assert_int_equal(FAKE(T, object_get_info, t2h, ZX_INFO_THREAD, U(&info), sizeof(info), 0, 0),
                   ZX_OK);
  assert_int_equal(info.state, ZX_THREAD_STATE_RUNNING);
  uint64_t sargs[] = {fake_now + 1000};
  assert_true(fake_run(t2, ZUM_SYS_nanosleep, sargs, 1, &c) == KCALL_PARKED);
  assert_int_equal(FAKE(T, object_get_info, t2h, ZX_INFO_THREAD, U(&info), sizeof(info), 0, 0),
                   ZX_OK);
  assert_int_equal(info.state, ZX_THREAD_STATE_BLOCKED_SLEEPING);
  /* It ends: DEAD, mask cleared, as in Zircon. */
  kthread_on_exit(t2);
  assert_true(fake_completed(c, NULL));
  assert_true(t2->base.signals & ZX_THREAD_TERMINATED);
  assert_false(t2->base.signals & ZX_THREAD_RUNNING);
  assert_int_equal(FAKE(T, object_get_info, t2h, ZX_INFO_THREAD, U(&info), sizeof(info), 0, 0),
                   ZX_OK);
  assert_int_equal(info.state, ZX_THREAD_STATE_DEAD);
  assert_int_equal(info.cpu_affinity_mask.mask[0], 0);

  /* Errors: short buffer, wrong type, rights. */
  assert_int_equal(FAKE(T, object_get_info, th, ZX_INFO_THREAD, U(&info), sizeof(info) - 8, 0, 0),
                   ZX_ERR_BUFFER_TOO_SMALL);
  assert_int_equal(FAKE(T, object_get_info, e, ZX_INFO_THREAD, U(&info), sizeof(info), 0, 0),
                   ZX_ERR_WRONG_TYPE);
  zx_handle_t tw = give(&T->base, ZX_RIGHT_WAIT);
  assert_int_equal(FAKE(T, object_get_info, tw, ZX_INFO_THREAD, U(&info), sizeof(info), 0, 0),
                   ZX_ERR_ACCESS_DENIED);

  /* The threads of a killed process are dying. */
  struct kproc* q = rich_process(NULL);
  struct kthread* tq = fake_thread(q);
  zx_handle_t tqh = give(&tq->base, ZX_DEFAULT_THREAD_RIGHTS);
  kproc_kill(q, ZX_TASK_RETCODE_SYSCALL_KILL);
  assert_int_equal(FAKE(T, object_get_info, tqh, ZX_INFO_THREAD, U(&info), sizeof(info), 0, 0),
                   ZX_OK);
  assert_int_equal(info.state, ZX_THREAD_STATE_DYING);
  kproc_on_exit(q, 0);
  assert_int_equal(FAKE(T, object_get_info, tqh, ZX_INFO_THREAD, U(&info), sizeof(info), 0, 0),
                   ZX_OK);
  assert_int_equal(info.state, ZX_THREAD_STATE_DEAD);
  kobj_unref(&q->base);
  FAKE(T, handle_close, tqh);
  FAKE(T, handle_close, tw);
  FAKE(T, handle_close, e);
  FAKE(T, handle_close, th);
  FAKE(T, handle_close, t2h);
}

static void test_thread_stats(void** state) {
  zx_handle_t th = give(&T->base, ZX_DEFAULT_THREAD_RIGHTS);
  zx_info_thread_stats_t info;
  memset(&info, 0xff, sizeof(info));
  assert_int_equal(FAKE(T, object_get_info, th, ZX_INFO_THREAD_STATS, U(&info), sizeof(info), 0,
                        0),
                   ZX_OK);
  assert_int_equal(info.total_runtime, 12345 + T->tid);
  assert_int_equal(info.last_scheduled_cpu, 2);
  /* The Linux thread vanished before its exit was seen. */
  thread_gone = 1;
  assert_int_equal(FAKE(T, object_get_info, th, ZX_INFO_THREAD_STATS, U(&info), sizeof(info), 0,
                        0),
                   ZX_ERR_BAD_STATE);
  thread_gone = 0;
  /* A process whose host knows nothing of threads. */
  struct kproc* q = fake_process(NULL);
  struct kthread* tq = fake_thread(q);
  zx_handle_t tqh = give(&tq->base, ZX_DEFAULT_THREAD_RIGHTS);
  assert_int_equal(FAKE(T, object_get_info, tqh, ZX_INFO_THREAD_STATS, U(&info), sizeof(info), 0,
                        0),
                   ZX_OK);
  assert_int_equal(info.total_runtime, 0);
  assert_int_equal(info.last_scheduled_cpu, ZX_INFO_INVALID_CPU);
  /* Dead: BAD_STATE. */
  fake_end(q, 0);
  assert_int_equal(FAKE(T, object_get_info, tqh, ZX_INFO_THREAD_STATS, U(&info), sizeof(info), 0,
                        0),
                   ZX_ERR_BAD_STATE);
  FAKE(T, handle_close, tqh);
  FAKE(T, handle_close, th);
}

static void test_task_stats(void** state) {
  zx_handle_t ph = give(&P->base, ZX_DEFAULT_PROCESS_RIGHTS);
  zx_info_task_stats_t info;
  memset(&info, 0xff, sizeof(info));
  assert_int_equal(FAKE(T, object_get_info, ph, ZX_INFO_TASK_STATS, U(&info), sizeof(info), 0, 0),
                   ZX_OK);
  assert_int_equal(info.mem_mapped_bytes, 3 * 4096);
  assert_int_equal(info.mem_private_bytes, 2 * 4096);
  assert_int_equal(info.mem_shared_bytes, 4096);
  assert_int_equal(info.mem_fractional_scaled_shared_bytes, 0);
  /* V1 is 32 bytes; the current record 40. */
  zx_info_task_stats_v1_t v1;
  size_t actual = 0;
  assert_int_equal(FAKE(T, object_get_info, ph, ZX_INFO_TASK_STATS_V1, U(&v1), sizeof(v1),
                        U(&actual), 0),
                   ZX_OK);
  assert_int_equal(actual, 1);
  assert_int_equal(v1.mem_mapped_bytes, 3 * 4096);
  assert_int_equal(FAKE(T, object_get_info, ph, ZX_INFO_TASK_STATS, U(&v1), sizeof(v1), 0, 0),
                   ZX_ERR_BUFFER_TOO_SMALL);
  /* Processes only. */
  zx_handle_t th = give(&T->base, ZX_DEFAULT_THREAD_RIGHTS);
  assert_int_equal(FAKE(T, object_get_info, th, ZX_INFO_TASK_STATS, U(&info), sizeof(info), 0, 0),
                   ZX_ERR_WRONG_TYPE);
  zx_handle_t jh = give(&kroot_job->base, ZX_DEFAULT_JOB_RIGHTS);
  assert_int_equal(FAKE(T, object_get_info, jh, ZX_INFO_TASK_STATS, U(&info), sizeof(info), 0, 0),
                   ZX_ERR_WRONG_TYPE);
  /* The host cannot read a process that is already gone. */
  stats_fail = 1;
  assert_int_equal(FAKE(T, object_get_info, ph, ZX_INFO_TASK_STATS, U(&info), sizeof(info), 0, 0),
                   ZX_ERR_BAD_STATE);
  stats_fail = 0;
  /* A dead process: BAD_STATE. */
  struct kproc* q = rich_process(NULL);
  zx_handle_t qh = give(&q->base, ZX_DEFAULT_PROCESS_RIGHTS);
  fake_end(q, 0);
  assert_int_equal(FAKE(T, object_get_info, qh, ZX_INFO_TASK_STATS, U(&info), sizeof(info), 0, 0),
                   ZX_ERR_BAD_STATE);
  assert_int_equal(FAKE(T, object_get_info, qh, ZX_INFO_TASK_STATS_V1, U(&v1), sizeof(v1), 0, 0),
                   ZX_ERR_BAD_STATE);
  FAKE(T, handle_close, qh);
  FAKE(T, handle_close, jh);
  FAKE(T, handle_close, th);
  FAKE(T, handle_close, ph);
}

static void test_process_handle_stats(void** state) {
  zx_handle_t e1 = make_event(), e2 = make_event();
  zx_handle_t ph = give(&P->base, ZX_DEFAULT_PROCESS_RIGHTS);
  zx_handle_t th = give(&T->base, ZX_DEFAULT_THREAD_RIGHTS);
  zx_info_process_handle_stats_t info;
  memset(&info, 0xff, sizeof(info));
  assert_int_equal(FAKE(T, object_get_info, ph, ZX_INFO_PROCESS_HANDLE_STATS, U(&info),
                        sizeof(info), 0, 0),
                   ZX_OK);
  assert_int_equal(info.handle_count[ZX_OBJ_TYPE_EVENT], 2);
  assert_int_equal(info.handle_count[ZX_OBJ_TYPE_PROCESS], 1);
  assert_int_equal(info.handle_count[ZX_OBJ_TYPE_THREAD], 1);
  assert_int_equal(info.handle_count[ZX_OBJ_TYPE_JOB], 0);
  assert_int_equal(FAKE(T, object_get_info, ph, ZX_INFO_PROCESS_HANDLE_STATS, U(&info),
                        sizeof(info) - 4, 0, 0),
                   ZX_ERR_BUFFER_TOO_SMALL);
  assert_int_equal(FAKE(T, object_get_info, th, ZX_INFO_PROCESS_HANDLE_STATS, U(&info),
                        sizeof(info), 0, 0),
                   ZX_ERR_WRONG_TYPE);
  FAKE(T, handle_close, e1);
  FAKE(T, handle_close, e2);
  FAKE(T, handle_close, ph);
  FAKE(T, handle_close, th);
}

static void test_job_info(void** state) {
  zx_handle_t jh;
  struct kjob* j = new_job(kroot_job, &jh);
  zx_info_job_t info;
  memset(&info, 0xff, sizeof(info));
  assert_int_equal(FAKE(T, object_get_info, jh, ZX_INFO_JOB, U(&info), sizeof(info), 0, 0), ZX_OK);
  assert_int_equal(info.return_code, 0);
  assert_false(info.exited);
  assert_false(info.kill_on_oom);
  assert_false(info.debugger_attached);
  size_t one = 1;
  assert_int_equal(FAKE(T, object_set_property, jh, ZX_PROP_JOB_KILL_ON_OOM, U(&one),
                        sizeof(one)),
                   ZX_OK);
  /* A job with a process is KILLING until the process is dead, yet already "exited". */
  struct kproc* q = rich_process(j);
  assert_int_equal(FAKE(T, task_kill, jh), ZX_OK);
  assert_int_equal(FAKE(T, object_get_info, jh, ZX_INFO_JOB, U(&info), sizeof(info), 0, 0), ZX_OK);
  assert_int_equal(info.return_code, ZX_TASK_RETCODE_SYSCALL_KILL);
  assert_true(info.exited);
  assert_true(info.kill_on_oom);
  assert_false(j->base.signals & ZX_JOB_TERMINATED);
  fake_end(q, 0);
  assert_true(j->base.signals & ZX_JOB_TERMINATED);
  assert_int_equal(FAKE(T, object_get_info, jh, ZX_INFO_JOB, U(&info), 8, 0, 0),
                   ZX_ERR_BUFFER_TOO_SMALL);
  zx_handle_t ph = give(&P->base, ZX_DEFAULT_PROCESS_RIGHTS);
  assert_int_equal(FAKE(T, object_get_info, ph, ZX_INFO_JOB, U(&info), sizeof(info), 0, 0),
                   ZX_ERR_WRONG_TYPE);
  FAKE(T, handle_close, ph);
  FAKE(T, handle_close, jh);
}

static void test_vmar_info(void** state) {
  struct kvmar* v = kvmar_create_root(0x200000, 0x10000000);
  zx_handle_t vh = give(&v->base, ZX_DEFAULT_VMAR_RIGHTS);
  zx_info_vmar_t info = {0};
  assert_int_equal(FAKE(T, object_get_info, vh, ZX_INFO_VMAR, U(&info), sizeof(info), 0, 0), ZX_OK);
  assert_int_equal(info.base, 0x200000);
  assert_int_equal(info.len, 0x10000000);
  zx_handle_t vn = give(&v->base, ZX_RIGHT_TRANSFER);
  assert_int_equal(FAKE(T, object_get_info, vn, ZX_INFO_VMAR, U(&info), sizeof(info), 0, 0),
                   ZX_ERR_ACCESS_DENIED);
  zx_handle_t ph = give(&P->base, ZX_DEFAULT_PROCESS_RIGHTS);
  assert_int_equal(FAKE(T, object_get_info, ph, ZX_INFO_VMAR, U(&info), sizeof(info), 0, 0),
                   ZX_ERR_WRONG_TYPE);
  FAKE(T, handle_close, ph);
  FAKE(T, handle_close, vn);
  FAKE(T, handle_close, vh);
  kobj_unref(&v->base);
}

static void test_timer_info(void** state) {
  zx_handle_t t = 0;
  assert_int_equal(FAKE(T, timer_create, ZX_TIMER_SLACK_LATE, ZX_CLOCK_MONOTONIC, U(&t)), ZX_OK);
  zx_info_timer_t info;
  memset(&info, 0xff, sizeof(info));
  assert_int_equal(FAKE(T, object_get_info, t, ZX_INFO_TIMER, U(&info), sizeof(info), 0, 0), ZX_OK);
  assert_int_equal(info.options, ZX_TIMER_SLACK_LATE);
  assert_int_equal(info.clock_id, ZX_CLOCK_MONOTONIC);
  assert_int_equal(info.deadline, 0);
  assert_int_equal(info.slack, 0);
  assert_int_equal(FAKE(T, timer_set, t, fake_now + 5000, 7), ZX_OK);
  assert_int_equal(FAKE(T, object_get_info, t, ZX_INFO_TIMER, U(&info), sizeof(info), 0, 0), ZX_OK);
  assert_int_equal(info.deadline, fake_now + 5000);
  assert_int_equal(info.slack, 7);
  assert_int_equal(FAKE(T, object_get_info, t, ZX_INFO_TIMER, U(&info), sizeof(info) - 1, 0, 0),
                   ZX_ERR_BUFFER_TOO_SMALL);
  zx_handle_t tw = 0;
  assert_int_equal(FAKE(T, handle_duplicate, t, ZX_RIGHT_WAIT, U(&tw)), ZX_OK);
  assert_int_equal(FAKE(T, object_get_info, tw, ZX_INFO_TIMER, U(&info), sizeof(info), 0, 0),
                   ZX_ERR_ACCESS_DENIED);
  zx_handle_t e = make_event();
  assert_int_equal(FAKE(T, object_get_info, e, ZX_INFO_TIMER, U(&info), sizeof(info), 0, 0),
                   ZX_ERR_WRONG_TYPE);
  FAKE(T, handle_close, e);
  FAKE(T, handle_close, tw);
  FAKE(T, handle_close, t);
}

/* ---- properties */

static void test_name_property(void** state) {
  zx_handle_t ph = give(&P->base, ZX_DEFAULT_PROCESS_RIGHTS);
  char name[ZX_MAX_NAME_LEN + 8];
  memset(name, 0x7f, sizeof(name));
  assert_int_equal(FAKE(T, object_get_property, ph, ZX_PROP_NAME, U(name), ZX_MAX_NAME_LEN), ZX_OK);
  assert_string_equal(name, "rich");
  for (size_t i = 4; i < ZX_MAX_NAME_LEN; i++) assert_int_equal(name[i], 0); /* all 32 written */
  assert_int_equal(name[ZX_MAX_NAME_LEN], 0x7f);
  assert_int_equal(FAKE(T, object_get_property, ph, ZX_PROP_NAME, U(name), ZX_MAX_NAME_LEN - 1),
                   ZX_ERR_BUFFER_TOO_SMALL);
  /* Set: at most 31 bytes, cut at a NUL. */
  const char* longname = "0123456789abcdefghijklmnopqrstuvwxyz";
  assert_int_equal(FAKE(T, object_set_property, ph, ZX_PROP_NAME, U(longname), strlen(longname)),
                   ZX_OK);
  assert_int_equal(FAKE(T, object_get_property, ph, ZX_PROP_NAME, U(name), sizeof(name)), ZX_OK);
  assert_string_equal(name, "0123456789abcdefghijklmnopqrstu");
  assert_int_equal(FAKE(T, object_set_property, ph, ZX_PROP_NAME, U("ab\0cd"), 5), ZX_OK);
  assert_int_equal(FAKE(T, object_get_property, ph, ZX_PROP_NAME, U(name), sizeof(name)), ZX_OK);
  assert_string_equal(name, "ab");
  assert_int_equal(name[3], 0);
  /* Size 0 gives an empty name; only a NULL pointer is refused. */
  assert_int_equal(FAKE(T, object_set_property, ph, ZX_PROP_NAME, U("x"), 0), ZX_OK);
  assert_int_equal(FAKE(T, object_get_property, ph, ZX_PROP_NAME, U(name), sizeof(name)), ZX_OK);
  assert_string_equal(name, "");
  assert_int_equal(FAKE(T, object_set_property, ph, ZX_PROP_NAME, 0, 4), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, object_set_property, ph, ZX_PROP_NAME, 16, 4), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, object_get_property, ph, ZX_PROP_NAME, 16, 32), ZX_ERR_INVALID_ARGS);
  /* Threads and jobs have names too. */
  zx_handle_t th = give(&T->base, ZX_DEFAULT_THREAD_RIGHTS);
  assert_int_equal(FAKE(T, object_set_property, th, ZX_PROP_NAME, U("worker"), 6), ZX_OK);
  assert_string_equal(T->base.name, "worker");
  zx_handle_t jh = give(&kroot_job->base, ZX_DEFAULT_JOB_RIGHTS);
  char old[ZX_MAX_NAME_LEN];
  memcpy(old, kroot_job->base.name, sizeof(old));
  assert_int_equal(FAKE(T, object_set_property, jh, ZX_PROP_NAME, U("j"), 1), ZX_OK);
  assert_int_equal(FAKE(T, object_get_property, jh, ZX_PROP_NAME, U(name), sizeof(name)), ZX_OK);
  assert_string_equal(name, "j");
  kobj_set_name(&kroot_job->base, old, strlen(old));
  /* Events have none: WRONG_TYPE both ways (after the size check on get). */
  zx_handle_t e = 0;
  assert_int_equal(FAKE(T, event_create, 0, U(&e)), ZX_OK);
  zx_handle_t ep = give(khandle_lookup(P->table, e)->obj, ZX_RIGHTS_PROPERTY);
  assert_int_equal(FAKE(T, object_get_property, ep, ZX_PROP_NAME, U(name), sizeof(name)),
                   ZX_ERR_WRONG_TYPE);
  assert_int_equal(FAKE(T, object_get_property, ep, ZX_PROP_NAME, U(name), 4),
                   ZX_ERR_BUFFER_TOO_SMALL);
  assert_int_equal(FAKE(T, object_set_property, ep, ZX_PROP_NAME, U("e"), 1), ZX_ERR_WRONG_TYPE);
  /* Rights: GET_PROPERTY / SET_PROPERTY. */
  zx_handle_t pg = give(&P->base, ZX_RIGHT_GET_PROPERTY);
  assert_int_equal(FAKE(T, object_set_property, pg, ZX_PROP_NAME, U("n"), 1), ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(T, object_get_property, pg, ZX_PROP_NAME, U(name), sizeof(name)), ZX_OK);
  assert_int_equal(FAKE(T, object_get_property, e, ZX_PROP_NAME, U(name), sizeof(name)),
                   ZX_ERR_ACCESS_DENIED);
  /* A NULL value is INVALID_ARGS before the handle is even looked up. */
  assert_int_equal(FAKE(T, object_get_property, 0x1233, ZX_PROP_NAME, 0, 32), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, object_set_property, 0x1233, ZX_PROP_NAME, 0, 32), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, object_get_property, 0x1233, ZX_PROP_NAME, U(name), 32),
                   ZX_ERR_BAD_HANDLE);
  FAKE(T, handle_close, pg);
  FAKE(T, handle_close, ep);
  FAKE(T, handle_close, e);
  FAKE(T, handle_close, jh);
  FAKE(T, handle_close, th);
  FAKE(T, handle_close, ph);
}

static void test_process_properties(void** state) {
  zx_handle_t ph = give(&P->base, ZX_DEFAULT_PROCESS_RIGHTS);
  uintptr_t v = 1;
  assert_int_equal(FAKE(T, object_get_property, ph, ZX_PROP_PROCESS_DEBUG_ADDR, U(&v), sizeof(v)),
                   ZX_OK);
  assert_int_equal(v, 0);
  v = 0x12345000;
  assert_int_equal(FAKE(T, object_set_property, ph, ZX_PROP_PROCESS_DEBUG_ADDR, U(&v), sizeof(v)),
                   ZX_OK);
  v = 0x777;
  assert_int_equal(
      FAKE(T, object_set_property, ph, ZX_PROP_PROCESS_BREAK_ON_LOAD, U(&v), sizeof(v)), ZX_OK);
  v = 0;
  assert_int_equal(FAKE(T, object_get_property, ph, ZX_PROP_PROCESS_DEBUG_ADDR, U(&v), sizeof(v)),
                   ZX_OK);
  assert_int_equal(v, 0x12345000);
  assert_int_equal(
      FAKE(T, object_get_property, ph, ZX_PROP_PROCESS_BREAK_ON_LOAD, U(&v), sizeof(v)), ZX_OK);
  assert_int_equal(v, 0x777);
  /* Hosted programs have no mapped vDSO image: base 0. It cannot be set. */
  v = 5;
  assert_int_equal(
      FAKE(T, object_get_property, ph, ZX_PROP_PROCESS_VDSO_BASE_ADDRESS, U(&v), sizeof(v)), ZX_OK);
  assert_int_equal(v, 0);
  assert_int_equal(
      FAKE(T, object_set_property, ph, ZX_PROP_PROCESS_VDSO_BASE_ADDRESS, U(&v), sizeof(v)),
      ZX_ERR_NOT_SUPPORTED);
  /* Size before type; type before the copy. */
  zx_handle_t th = give(&T->base, ZX_DEFAULT_THREAD_RIGHTS);
  assert_int_equal(FAKE(T, object_get_property, th, ZX_PROP_PROCESS_DEBUG_ADDR, U(&v), 4),
                   ZX_ERR_BUFFER_TOO_SMALL);
  assert_int_equal(FAKE(T, object_set_property, th, ZX_PROP_PROCESS_DEBUG_ADDR, U(&v), 4),
                   ZX_ERR_BUFFER_TOO_SMALL);
  assert_int_equal(FAKE(T, object_get_property, th, ZX_PROP_PROCESS_DEBUG_ADDR, U(&v), 8),
                   ZX_ERR_WRONG_TYPE);
  assert_int_equal(FAKE(T, object_set_property, th, ZX_PROP_PROCESS_DEBUG_ADDR, 16, 8),
                   ZX_ERR_WRONG_TYPE);
  assert_int_equal(FAKE(T, object_set_property, ph, ZX_PROP_PROCESS_DEBUG_ADDR, 16, 8),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, object_get_property, ph, ZX_PROP_PROCESS_DEBUG_ADDR, 16, 8),
                   ZX_ERR_INVALID_ARGS);
  /* Debugging-only and unknown properties. */
  assert_int_equal(
      FAKE(T, object_get_property, ph, ZX_PROP_PROCESS_HW_TRACE_CONTEXT_ID, U(&v), sizeof(v)),
      ZX_ERR_NOT_SUPPORTED);
  assert_int_equal(FAKE(T, object_get_property, ph, 999, U(&v), sizeof(v)), ZX_ERR_NOT_SUPPORTED);
  assert_int_equal(FAKE(T, object_set_property, ph, 999, U(&v), sizeof(v)), ZX_ERR_NOT_SUPPORTED);
  assert_int_equal(FAKE(T, object_get_property, ph, ZX_PROP_JOB_KILL_ON_OOM, U(&v), sizeof(v)),
                   ZX_ERR_NOT_SUPPORTED);
  /* Properties of object types that do not exist yet: sizes, then WRONG_TYPE. */
  assert_int_equal(FAKE(T, object_get_property, ph, ZX_PROP_SOCKET_RX_THRESHOLD, U(&v), 4),
                   ZX_ERR_BUFFER_TOO_SMALL);
  assert_int_equal(FAKE(T, object_get_property, ph, ZX_PROP_SOCKET_RX_THRESHOLD, U(&v), 8),
                   ZX_ERR_WRONG_TYPE);
  assert_int_equal(FAKE(T, object_set_property, ph, ZX_PROP_SOCKET_TX_THRESHOLD, U(&v), 8),
                   ZX_ERR_WRONG_TYPE);
  assert_int_equal(FAKE(T, object_get_property, ph, ZX_PROP_EXCEPTION_STATE, U(&v), 3),
                   ZX_ERR_BUFFER_TOO_SMALL);
  assert_int_equal(FAKE(T, object_set_property, ph, ZX_PROP_EXCEPTION_STRATEGY, U(&v), 4),
                   ZX_ERR_WRONG_TYPE);
  assert_int_equal(FAKE(T, object_get_property, ph, ZX_PROP_STREAM_MODE_APPEND, U(&v), 0),
                   ZX_ERR_BUFFER_TOO_SMALL);
  assert_int_equal(FAKE(T, object_set_property, ph, ZX_PROP_VMO_CONTENT_SIZE, U(&v), 4),
                   ZX_ERR_BUFFER_TOO_SMALL);
  assert_int_equal(FAKE(T, object_set_property, ph, ZX_PROP_VMO_CONTENT_SIZE, U(&v), 8),
                   ZX_ERR_WRONG_TYPE);
  /* VMO content size checks WRITE first. */
  zx_handle_t pnw = give(&P->base, ZX_RIGHT_SET_PROPERTY);
  assert_int_equal(FAKE(T, object_set_property, pnw, ZX_PROP_VMO_CONTENT_SIZE, U(&v), 4),
                   ZX_ERR_ACCESS_DENIED);
  FAKE(T, handle_close, pnw);
  FAKE(T, handle_close, th);
  FAKE(T, handle_close, ph);
}

static void test_kill_on_oom(void** state) {
  zx_handle_t jh;
  struct kjob* j = new_job(kroot_job, &jh);
  size_t v = 1;
  /* No size check in Zircon: a size_t is always read. */
  assert_int_equal(FAKE(T, object_set_property, jh, ZX_PROP_JOB_KILL_ON_OOM, U(&v), 0), ZX_OK);
  assert_true(j->kill_on_oom);
  v = 0;
  assert_int_equal(FAKE(T, object_set_property, jh, ZX_PROP_JOB_KILL_ON_OOM, U(&v), 8), ZX_OK);
  assert_false(j->kill_on_oom);
  v = 2;
  assert_int_equal(FAKE(T, object_set_property, jh, ZX_PROP_JOB_KILL_ON_OOM, U(&v), 8),
                   ZX_ERR_INVALID_ARGS);
  assert_false(j->kill_on_oom);
  assert_int_equal(FAKE(T, object_set_property, jh, ZX_PROP_JOB_KILL_ON_OOM, 16, 8),
                   ZX_ERR_INVALID_ARGS);
  zx_handle_t ph = give(&P->base, ZX_DEFAULT_PROCESS_RIGHTS);
  assert_int_equal(FAKE(T, object_set_property, ph, ZX_PROP_JOB_KILL_ON_OOM, U(&v), 8),
                   ZX_ERR_WRONG_TYPE);
  FAKE(T, handle_close, ph);
  FAKE(T, handle_close, jh);
}

static void test_register_properties(void** state) {
  zx_handle_t th = give(&T->base, ZX_DEFAULT_THREAD_RIGHTS);
  uint64_t v = 0x1000;
  /* The caller's own thread passes Zircon's checks; hosted threads cannot be served. */
  assert_int_equal(FAKE(T, object_get_property, th, ZX_PROP_REGISTER_FS, U(&v), 8),
                   ZX_ERR_NOT_SUPPORTED);
  assert_int_equal(FAKE(T, object_set_property, th, ZX_PROP_REGISTER_GS, U(&v), 8),
                   ZX_ERR_NOT_SUPPORTED);
  assert_int_equal(FAKE(T, object_get_property, th, ZX_PROP_REGISTER_FS, U(&v), 7),
                   ZX_ERR_BUFFER_TOO_SMALL);
  assert_int_equal(FAKE(T, object_set_property, th, ZX_PROP_REGISTER_FS, U(&v), 7),
                   ZX_ERR_BUFFER_TOO_SMALL);
  v = 0x0000800000000000ull; /* not canonical */
  assert_int_equal(FAKE(T, object_set_property, th, ZX_PROP_REGISTER_FS, U(&v), 8),
                   ZX_ERR_INVALID_ARGS);
  v = 0xffff800000000000ull; /* canonical, but the kernel's half: not a user address */
  assert_int_equal(FAKE(T, object_set_property, th, ZX_PROP_REGISTER_FS, U(&v), 8),
                   ZX_ERR_INVALID_ARGS);
  v = 0x7f0000001000ull; /* a user address: past the checks, hosted threads are not served */
  assert_int_equal(FAKE(T, object_set_property, th, ZX_PROP_REGISTER_FS, U(&v), 8),
                   ZX_ERR_NOT_SUPPORTED);
  assert_int_equal(FAKE(T, object_set_property, th, ZX_PROP_REGISTER_FS, 16, 8),
                   ZX_ERR_INVALID_ARGS);
  /* Another thread: ACCESS_DENIED; not a thread: WRONG_TYPE. */
  struct kthread* t2 = fake_thread(P);
  zx_handle_t t2h = give(&t2->base, ZX_DEFAULT_THREAD_RIGHTS);
  assert_int_equal(FAKE(T, object_get_property, t2h, ZX_PROP_REGISTER_FS, U(&v), 8),
                   ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(T, object_set_property, t2h, ZX_PROP_REGISTER_GS, U(&v), 8),
                   ZX_ERR_ACCESS_DENIED);
  zx_handle_t ph = give(&P->base, ZX_DEFAULT_PROCESS_RIGHTS);
  assert_int_equal(FAKE(T, object_get_property, ph, ZX_PROP_REGISTER_GS, U(&v), 8),
                   ZX_ERR_WRONG_TYPE);
  FAKE(T, handle_close, ph);
  FAKE(T, handle_close, t2h);
  FAKE(T, handle_close, th);
}

/* ---- get_child */

static void test_get_child_process(void** state) {
  struct kthread* t2 = fake_thread(P);
  zx_handle_t ph = give(&P->base, ZX_DEFAULT_PROCESS_RIGHTS);
  zx_handle_t out = 0;
  syncs = 0;
  assert_int_equal(FAKE(T, object_get_child, ph, t2->base.koid, ZX_RIGHT_SAME_RIGHTS, U(&out)),
                   ZX_OK);
  assert_int_equal(syncs, 1);
  struct khandle* h = khandle_lookup(P->table, out);
  assert_non_null(h);
  assert_ptr_equal(h->obj, &t2->base);
  /* SAME_RIGHTS: the parent handle's rights, even though they are process rights. */
  assert_int_equal(h->rights, ZX_DEFAULT_PROCESS_RIGHTS);
  FAKE(T, handle_close, out);
  assert_int_equal(FAKE(T, object_get_child, ph, T->base.koid, ZX_RIGHT_INSPECT | ZX_RIGHT_WAIT,
                        U(&out)),
                   ZX_OK);
  assert_int_equal(khandle_lookup(P->table, out)->rights, ZX_RIGHT_INSPECT | ZX_RIGHT_WAIT);
  FAKE(T, handle_close, out);
  /* More rights than the parent handle: ACCESS_DENIED. */
  assert_int_equal(FAKE(T, object_get_child, ph, T->base.koid, ZX_RIGHT_MANAGE_JOB, U(&out)),
                   ZX_ERR_ACCESS_DENIED);
  /* Unknown koid, the process's own koid, a dead thread: NOT_FOUND. */
  assert_int_equal(FAKE(T, object_get_child, ph, 0x7fffffff, ZX_RIGHT_SAME_RIGHTS, U(&out)),
                   ZX_ERR_NOT_FOUND);
  assert_int_equal(FAKE(T, object_get_child, ph, P->base.koid, ZX_RIGHT_SAME_RIGHTS, U(&out)),
                   ZX_ERR_NOT_FOUND);
  zx_koid_t k2 = t2->base.koid;
  kthread_on_exit(t2);
  assert_int_equal(FAKE(T, object_get_child, ph, k2, ZX_RIGHT_SAME_RIGHTS, U(&out)),
                   ZX_ERR_NOT_FOUND);
  /* ENUMERATE is needed; it is checked before the type. */
  zx_handle_t pi = give(&P->base, ZX_RIGHT_INSPECT);
  assert_int_equal(FAKE(T, object_get_child, pi, T->base.koid, ZX_RIGHT_SAME_RIGHTS, U(&out)),
                   ZX_ERR_ACCESS_DENIED);
  zx_handle_t th = give(&T->base, ZX_DEFAULT_THREAD_RIGHTS);
  assert_int_equal(FAKE(T, object_get_child, th, T->base.koid, ZX_RIGHT_SAME_RIGHTS, U(&out)),
                   ZX_ERR_ACCESS_DENIED);
  zx_handle_t te = give(&T->base, ZX_RIGHT_ENUMERATE);
  assert_int_equal(FAKE(T, object_get_child, te, T->base.koid, ZX_RIGHT_SAME_RIGHTS, U(&out)),
                   ZX_ERR_WRONG_TYPE);
  /* Rights are checked before the type too. */
  assert_int_equal(FAKE(T, object_get_child, te, T->base.koid, ZX_RIGHT_WAIT, U(&out)),
                   ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(T, object_get_child, 0x1233, 1, ZX_RIGHT_SAME_RIGHTS, U(&out)),
                   ZX_ERR_BAD_HANDLE);
  /* A faulting out pointer: INVALID_ARGS, and no handle left behind. */
  uint32_t before = P->table->count;
  assert_int_equal(FAKE(T, object_get_child, ph, T->base.koid, ZX_RIGHT_SAME_RIGHTS, 8),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(P->table->count, before);
  FAKE(T, handle_close, te);
  FAKE(T, handle_close, th);
  FAKE(T, handle_close, pi);
  FAKE(T, handle_close, ph);
}

static void test_get_child_job(void** state) {
  zx_handle_t jh, cjh, gjh;
  struct kjob* j = new_job(kroot_job, &jh);
  struct kjob* cj = new_job(j, &cjh);
  struct kjob* gj = new_job(cj, &gjh);
  struct kproc* p = rich_process(j);
  struct kproc* gp = rich_process(cj);
  zx_handle_t out = 0;
  assert_int_equal(FAKE(T, object_get_child, jh, cj->base.koid, ZX_RIGHT_SAME_RIGHTS, U(&out)),
                   ZX_OK);
  assert_ptr_equal(khandle_lookup(P->table, out)->obj, &cj->base);
  assert_int_equal(khandle_lookup(P->table, out)->rights, ZX_DEFAULT_JOB_RIGHTS);
  FAKE(T, handle_close, out);
  assert_int_equal(FAKE(T, object_get_child, jh, p->base.koid, ZX_RIGHT_INSPECT, U(&out)), ZX_OK);
  assert_ptr_equal(khandle_lookup(P->table, out)->obj, &p->base);
  FAKE(T, handle_close, out);
  /* Direct children only. */
  assert_int_equal(FAKE(T, object_get_child, jh, gj->base.koid, ZX_RIGHT_SAME_RIGHTS, U(&out)),
                   ZX_ERR_NOT_FOUND);
  assert_int_equal(FAKE(T, object_get_child, jh, gp->base.koid, ZX_RIGHT_SAME_RIGHTS, U(&out)),
                   ZX_ERR_NOT_FOUND);
  zx_handle_t ji = give(&j->base, ZX_RIGHT_INSPECT);
  assert_int_equal(FAKE(T, object_get_child, ji, p->base.koid, ZX_RIGHT_SAME_RIGHTS, U(&out)),
                   ZX_ERR_ACCESS_DENIED);
  FAKE(T, handle_close, ji);
  fake_end(p, 0);
  fake_end(gp, 0);
  FAKE(T, handle_close, gjh);
  FAKE(T, handle_close, cjh);
  FAKE(T, handle_close, jh);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_handle_valid, setup, teardown),
      cmocka_unit_test_setup_teardown(test_handle_basic, setup, teardown),
      cmocka_unit_test_setup_teardown(test_handle_count, setup, teardown),
      cmocka_unit_test_setup_teardown(test_process_info, setup, teardown),
      cmocka_unit_test_setup_teardown(test_process_threads, setup, teardown),
      cmocka_unit_test_setup_teardown(test_job_children, setup, teardown),
      cmocka_unit_test_setup_teardown(test_thread_info, setup, teardown),
      cmocka_unit_test_setup_teardown(test_thread_stats, setup, teardown),
      cmocka_unit_test_setup_teardown(test_task_stats, setup, teardown),
      cmocka_unit_test_setup_teardown(test_process_handle_stats, setup, teardown),
      cmocka_unit_test_setup_teardown(test_job_info, setup, teardown),
      cmocka_unit_test_setup_teardown(test_vmar_info, setup, teardown),
      cmocka_unit_test_setup_teardown(test_timer_info, setup, teardown),
      cmocka_unit_test_setup_teardown(test_name_property, setup, teardown),
      cmocka_unit_test_setup_teardown(test_process_properties, setup, teardown),
      cmocka_unit_test_setup_teardown(test_kill_on_oom, setup, teardown),
      cmocka_unit_test_setup_teardown(test_register_properties, setup, teardown),
      cmocka_unit_test_setup_teardown(test_get_child_process, setup, teardown),
      cmocka_unit_test_setup_teardown(test_get_child_job, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
