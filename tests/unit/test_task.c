/* Unit tests: the task tree as guests see it (fake host): job_create, task_kill, process_exit,
 * lifecycle signals and return codes, zum_spawn's rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <zircon/processargs.h>
#include <zum/abi-private.h>
#include <zum/sysno.h>
#include <zum/zum.h>

#include "kobj/handle.h"
#include "kobj/sysutil.h"
#include "tests/unit/fake_host.h"

static struct kproc* P;
static struct kthread* T;

/* A host whose spawn knows one path and counts kills. */
static int kills;
static void k_kill(void* host) { kills++; }
static const struct platform_proc_ops counting_ops = {
    .read = fake_mem_read, .write = fake_mem_write, .kill = k_kill};

static char last_path[64];
static char last_argv[4][32];
static zx_status_t t_spawn(const char* path, char* const argv[], void** host,
                           const struct platform_proc_ops** ops) {
  snprintf(last_path, sizeof(last_path), "%s", path);
  memset(last_argv, 0, sizeof(last_argv));
  for (int i = 0; argv && argv[i] && i < 4; i++)
    snprintf(last_argv[i], sizeof(last_argv[i]), "%s", argv[i]);
  if (strcmp(path, "/bin/helper") != 0) return ZX_ERR_NOT_FOUND;
  *host = NULL;
  *ops = &counting_ops;
  return ZX_OK;
}
static int t_random(void* buf, size_t len) {
  memset(buf, 1, len);
  return 0;
}
static struct platform_ops test_platform;

static int setup(void** state) {
  fake_boot();
  test_platform = fake_platform;
  test_platform.spawn_hosted = t_spawn;
  test_platform.random_fill = t_random;
  platform = &test_platform;
  kills = 0;
  zx_status_t s;
  P = kproc_create(kroot_job, "test", 4, NULL, &counting_ops, &s);
  T = fake_thread(P);
  return 0;
}

static int teardown(void** state) {
  fake_end(P, 0);
  return 0;
}

static zx_handle_t give(struct kobj* o, zx_rights_t r) { return fake_give(P, o, r); }

static struct kobj* obj_of(zx_handle_t h) {
  struct khandle* kh = khandle_lookup(P->table, h);
  assert_non_null(kh);
  return kh->obj;
}

static struct kproc* new_proc(struct kjob* job) {
  zx_status_t s;
  struct kproc* p = kproc_create(job, "p", 1, NULL, &counting_ops, &s);
  assert_non_null(p);
  return p;
}

/* ---- job_create */

static void test_job_create(void** state) {
  zx_handle_t root = give(&kroot_job->base, ZX_DEFAULT_JOB_RIGHTS);
  zx_handle_t j = 0;
  assert_int_equal(FAKE(T, job_create, root, 0, U(&j)), ZX_OK);
  struct kjob* kj = to_kjob(obj_of(j));
  assert_ptr_equal(kj->parent, kroot_job);
  assert_int_equal(khandle_lookup(P->table, j)->rights, ZX_DEFAULT_JOB_RIGHTS);
  assert_int_equal(kj->base.signals & (ZX_JOB_NO_JOBS | ZX_JOB_NO_PROCESSES | ZX_JOB_TERMINATED),
                   ZX_JOB_NO_JOBS | ZX_JOB_NO_PROCESSES);
  assert_true(kj->base.signals & (1u << 6)); /* Zircon's internal NO_CHILDREN */
  /* A child job clears NO_JOBS (and NO_CHILDREN) on its parent. */
  zx_handle_t c = 0;
  assert_int_equal(FAKE(T, job_create, j, 0, U(&c)), ZX_OK);
  assert_false(kj->base.signals & ZX_JOB_NO_JOBS);
  assert_false(kj->base.signals & (1u << 6));
  assert_true(kj->base.signals & ZX_JOB_NO_PROCESSES);
  assert_int_equal(FAKE(T, handle_close, c), ZX_OK);
  assert_true(kj->base.signals & ZX_JOB_NO_JOBS);

  /* Options first (even before the handle), then the handle, type and MANAGE_JOB. */
  assert_int_equal(FAKE(T, job_create, 0x1233, 1, U(&c)), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, job_create, 0x1233, 0, U(&c)), ZX_ERR_BAD_HANDLE);
  zx_handle_t ph = give(&P->base, ZX_DEFAULT_PROCESS_RIGHTS);
  assert_int_equal(FAKE(T, job_create, ph, 0, U(&c)), ZX_ERR_WRONG_TYPE);
  zx_handle_t jnm = 0;
  assert_int_equal(FAKE(T, handle_duplicate, j, ZX_DEFAULT_JOB_RIGHTS & ~ZX_RIGHT_MANAGE_JOB,
                        U(&jnm)),
                   ZX_OK);
  assert_int_equal(FAKE(T, job_create, jnm, 0, U(&c)), ZX_ERR_ACCESS_DENIED);
  /* A faulting out pointer: INVALID_ARGS, and the new job does not linger in the tree. */
  assert_int_equal(FAKE(T, job_create, j, 0, 8), ZX_ERR_INVALID_ARGS);
  assert_true(list_empty(&kj->children));
  /* A killed parent: BAD_STATE. */
  assert_int_equal(FAKE(T, task_kill, j), ZX_OK);
  assert_true(kj->base.signals & ZX_JOB_TERMINATED);
  assert_int_equal(FAKE(T, job_create, j, 0, U(&c)), ZX_ERR_BAD_STATE);
  FAKE(T, handle_close, jnm);
  FAKE(T, handle_close, ph);
  FAKE(T, handle_close, j);
  FAKE(T, handle_close, root);
}

/* Zircon's root job has max height 32 and each child one less; a job of height 0 cannot have
 * children. So a chain holds the root and 32 jobs below it. */
static void test_job_height(void** state) {
  zx_handle_t hs[40];
  hs[0] = give(&kroot_job->base, ZX_DEFAULT_JOB_RIGHTS);
  int n = 1;
  for (; n < 40; n++) {
    zx_status_t s = (zx_status_t)FAKE(T, job_create, hs[n - 1], 0, U(&hs[n]));
    if (s != ZX_OK) {
      assert_int_equal(s, ZX_ERR_OUT_OF_RANGE);
      break;
    }
  }
  assert_int_equal(n, 33); /* root + 32 descendants */
  while (n-- > 0) FAKE(T, handle_close, hs[n]);
}

/* ---- task_kill */

static void test_task_kill_process(void** state) {
  struct kproc* q = new_proc(kroot_job);
  struct kthread* tq = fake_thread(q);
  zx_handle_t qh = give(&q->base, ZX_DEFAULT_PROCESS_RIGHTS);
  zx_handle_t tqh = give(&tq->base, ZX_DEFAULT_THREAD_RIGHTS);
  /* Its thread is blocked in a wait that will never be answered. */
  zx_handle_t e = 0;
  assert_int_equal(FAKE(tq, event_create, 0, U(&e)), ZX_OK);
  struct kcall* c;
  uint64_t args[] = {e, ZX_EVENT_SIGNALED, INT64_MAX, 0};
  assert_true(fake_run(tq, ZUM_SYS_object_wait_one, args, 4, &c) == KCALL_PARKED);

  /* Rights before type: a thread handle without DESTROY is ACCESS_DENIED, with it WRONG_TYPE. */
  zx_handle_t tnd = give(&tq->base, ZX_RIGHT_WAIT);
  assert_int_equal(FAKE(T, task_kill, tnd), ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(T, task_kill, tqh), ZX_ERR_WRONG_TYPE);
  zx_handle_t qnd = give(&q->base, ZX_DEFAULT_PROCESS_RIGHTS & ~ZX_RIGHT_DESTROY);
  assert_int_equal(FAKE(T, task_kill, qnd), ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(T, task_kill, 0x1233), ZX_ERR_BAD_HANDLE);

  assert_int_equal(FAKE(T, task_kill, qh), ZX_OK);
  assert_int_equal(kills, 1);
  assert_true(fake_completed(c, NULL)); /* the blocked call was abandoned */
  assert_int_equal(q->state, KPROC_DYING);
  assert_int_equal(q->return_code, ZX_TASK_RETCODE_SYSCALL_KILL);
  assert_false(q->base.signals & ZX_PROCESS_TERMINATED);
  /* Killing again is fine and changes nothing. */
  assert_int_equal(FAKE(T, task_kill, qh), ZX_OK);
  assert_int_equal(kills, 1);
  /* The Linux process dies (of SIGKILL): the kill's code stays. */
  kproc_on_exit(q, ZX_TASK_RETCODE_EXCEPTION_KILL);
  assert_true(q->base.signals & ZX_PROCESS_TERMINATED);
  assert_true(tq->base.signals & ZX_THREAD_TERMINATED);
  assert_int_equal(q->return_code, ZX_TASK_RETCODE_SYSCALL_KILL);
  /* Killing a dead process still succeeds, as in Zircon. */
  assert_int_equal(FAKE(T, task_kill, qh), ZX_OK);
  assert_int_equal(kills, 1);
  /* Its handle table is gone; its objects live on through our handles. */
  assert_int_equal(q->table->count, 0);
  FAKE(T, handle_close, qnd);
  FAKE(T, handle_close, tnd);
  FAKE(T, handle_close, tqh);
  FAKE(T, handle_close, qh);
  kobj_unref(&q->base);
}

static void test_process_exit(void** state) {
  struct kproc* q = new_proc(kroot_job);
  struct kthread* tq = fake_thread(q);
  struct kthread* tq2 = fake_thread(q);
  zx_handle_t qh = give(&q->base, ZX_DEFAULT_PROCESS_RIGHTS);
  struct kcall* c2;
  uint64_t sargs[] = {INT64_MAX};
  assert_true(fake_run(tq2, ZUM_SYS_nanosleep, sargs, 1, &c2) == KCALL_PARKED);
  /* process_exit never answers; the other thread's call is abandoned. */
  assert_true(FAKE(tq, process_exit, (uint64_t)-5) == KCALL_NOREPLY);
  assert_true(fake_completed(c2, NULL));
  assert_int_equal(kills, 1);
  assert_int_equal(q->return_code, -5);
  /* A later kill does not change the code. */
  assert_int_equal(FAKE(T, task_kill, qh), ZX_OK);
  kproc_on_exit(q, ZX_TASK_RETCODE_EXCEPTION_KILL);
  assert_int_equal(q->return_code, -5);
  FAKE(T, handle_close, qh);
  kobj_unref(&q->base);
}

static void test_exit_codes(void** state) {
  /* A plain Linux exit: its status is the return code. */
  struct kproc* q = new_proc(kroot_job);
  kproc_on_exit(q, 3);
  assert_int_equal(q->return_code, 3);
  kobj_unref(&q->base);
  /* Death by a signal nobody asked for (SIGSEGV): the host reports EXCEPTION_KILL. */
  q = new_proc(kroot_job);
  kproc_on_exit(q, ZX_TASK_RETCODE_EXCEPTION_KILL);
  assert_int_equal(q->return_code, ZX_TASK_RETCODE_EXCEPTION_KILL);
  assert_true(q->base.signals & ZX_PROCESS_TERMINATED);
  kobj_unref(&q->base);
}

static void test_task_kill_job(void** state) {
  zx_handle_t root = give(&kroot_job->base, ZX_DEFAULT_JOB_RIGHTS);
  zx_handle_t j = 0, c = 0, g = 0;
  assert_int_equal(FAKE(T, job_create, root, 0, U(&j)), ZX_OK);
  assert_int_equal(FAKE(T, job_create, j, 0, U(&c)), ZX_OK);
  assert_int_equal(FAKE(T, job_create, c, 0, U(&g)), ZX_OK);
  struct kjob *kj = to_kjob(obj_of(j)), *kc = to_kjob(obj_of(c)), *kg = to_kjob(obj_of(g));
  struct kproc* p1 = new_proc(kj);
  struct kproc* p2 = new_proc(kc);
  struct kproc* p3 = new_proc(kc);
  assert_false(kj->base.signals & ZX_JOB_NO_PROCESSES);
  zx_handle_t rootj = 0;
  assert_int_equal(FAKE(T, task_kill, j), ZX_OK);
  assert_int_equal(kills, 3);
  assert_int_equal(p1->state, KPROC_DYING);
  assert_int_equal(p2->return_code, ZX_TASK_RETCODE_SYSCALL_KILL);
  /* The empty grandchild job terminated at once; the others wait for their processes. */
  assert_true(kg->base.signals & ZX_JOB_TERMINATED);
  assert_false(kc->base.signals & ZX_JOB_TERMINATED);
  assert_false(kj->base.signals & ZX_JOB_TERMINATED);
  kproc_on_exit(p2, ZX_TASK_RETCODE_EXCEPTION_KILL);
  kproc_on_exit(p3, ZX_TASK_RETCODE_EXCEPTION_KILL);
  assert_true(kc->base.signals & ZX_JOB_TERMINATED);
  assert_true(kc->base.signals & ZX_JOB_NO_PROCESSES);
  assert_false(kj->base.signals & ZX_JOB_TERMINATED);
  kproc_on_exit(p1, ZX_TASK_RETCODE_EXCEPTION_KILL);
  assert_true(kj->base.signals & ZX_JOB_TERMINATED);
  assert_true(kj->base.signals & ZX_JOB_NO_PROCESSES);
  assert_int_equal(kj->return_code, ZX_TASK_RETCODE_SYSCALL_KILL);
  assert_int_equal(p1->return_code, ZX_TASK_RETCODE_SYSCALL_KILL);
  /* No new process in a dead job. */
  zx_status_t s;
  assert_null(kproc_create(kj, "x", 1, NULL, &counting_ops, &s));
  assert_int_equal(s, ZX_ERR_BAD_STATE);
  /* Killing a dead job again is fine. */
  assert_int_equal(FAKE(T, task_kill, j), ZX_OK);
  kobj_unref(&p1->base);
  kobj_unref(&p2->base);
  kobj_unref(&p3->base);
  /* Closing the handles releases the dead jobs; the parent forgets them. */
  FAKE(T, handle_close, g);
  FAKE(T, handle_close, c);
  FAKE(T, handle_close, j);
  assert_true(kroot_job->base.signals & ZX_JOB_NO_JOBS);
  FAKE(T, handle_close, root);
  (void)rootj;
}

/* The caller's own job: the caller dies with it. */
static void test_kill_own_job(void** state) {
  zx_handle_t root = give(&kroot_job->base, ZX_DEFAULT_JOB_RIGHTS);
  zx_handle_t j = 0;
  assert_int_equal(FAKE(T, job_create, root, 0, U(&j)), ZX_OK);
  struct kjob* kj = to_kjob(obj_of(j));
  struct kproc* q = new_proc(kj);
  struct kthread* tq = fake_thread(q);
  struct khandle* h = khandle_create(&kj->base, ZX_DEFAULT_JOB_RIGHTS);
  zx_handle_t qj = khandle_attach(q->table, h);
  assert_int_equal(FAKE(tq, task_kill, qj), ZX_OK);
  assert_int_equal(q->state, KPROC_DYING);
  assert_int_equal(q->return_code, ZX_TASK_RETCODE_SYSCALL_KILL);
  kproc_on_exit(q, 0);
  assert_true(kj->base.signals & ZX_JOB_TERMINATED);
  kobj_unref(&q->base);
  FAKE(T, handle_close, j);
  FAKE(T, handle_close, root);
}

/* A process that dies while others hold its objects: their handles keep working. */
static void test_exit_with_shared_objects(void** state) {
  struct kproc* q = new_proc(kroot_job);
  struct kthread* tq = fake_thread(q);
  zx_handle_t a = 0, b = 0;
  assert_int_equal(FAKE(tq, eventpair_create, 0, U(&a), U(&b)), ZX_OK);
  /* Move b to P (as a channel would). */
  struct khandle* hb = khandle_lookup(q->table, b);
  khandle_detach(hb);
  zx_handle_t pb = khandle_attach(P->table, hb);
  zx_handle_t e = 0;
  assert_int_equal(FAKE(tq, event_create, 0, U(&e)), ZX_OK);
  zx_handle_t pe = give(khandle_lookup(q->table, e)->obj, ZX_DEFAULT_EVENT_RIGHTS);
  zx_handle_t qh = give(&q->base, ZX_DEFAULT_PROCESS_RIGHTS);
  zx_handle_t tqh = give(&tq->base, ZX_DEFAULT_THREAD_RIGHTS);
  kproc_on_exit(q, 9);
  /* The peer is closed; the event lives; the process and thread can be inspected. */
  assert_true(obj_of(pb)->signals & ZX_EVENTPAIR_PEER_CLOSED);
  assert_int_equal(FAKE(T, object_signal, pe, 0, ZX_EVENT_SIGNALED), ZX_OK);
  zx_info_process_t info;
  assert_int_equal(FAKE(T, object_get_info, qh, ZX_INFO_PROCESS, U(&info), sizeof(info), 0, 0),
                   ZX_OK);
  assert_int_equal(info.return_code, 9);
  assert_int_equal(info.flags, ZX_INFO_PROCESS_FLAG_STARTED | ZX_INFO_PROCESS_FLAG_EXITED);
  char name[ZX_MAX_NAME_LEN];
  assert_int_equal(FAKE(T, object_get_property, qh, ZX_PROP_NAME, U(name), sizeof(name)), ZX_OK);
  assert_string_equal(name, "p");
  size_t avail = 9;
  assert_int_equal(FAKE(T, object_get_info, qh, ZX_INFO_PROCESS_THREADS, 0, 0, 0, U(&avail)),
                   ZX_OK);
  assert_int_equal(avail, 0);
  assert_true(obj_of(tqh)->signals & ZX_THREAD_TERMINATED);
  FAKE(T, handle_close, pb);
  FAKE(T, handle_close, pe);
  FAKE(T, handle_close, qh);
  FAKE(T, handle_close, tqh);
  kobj_unref(&q->base);
}

/* ---- zum_spawn */

/* The supervisor reads strings in 64-byte chunks that never cross a 64-byte boundary (safe on
 * real guest pages); fake guest memory is this process's, so strings live in aligned slots. */
static _Alignas(64) char strings[8][64];
static const char* slot(int i, const char* s) {
  if ((uintptr_t)s < 4096) return s; /* a faulting pointer stays one */
  snprintf(strings[i], sizeof(strings[i]), "%s", s);
  return strings[i];
}

static zx_status_t spawn(zx_handle_t job, const char* path, const char* const* argv,
                         const zx_handle_t* hs, const uint32_t* infos, uint32_t n,
                         zx_handle_t* out) {
  const char* args[4] = {NULL};
  for (int i = 0; argv && argv[i] && i < 3; i++) args[i] = slot(i + 1, argv[i]);
  zum_spawn_args_t a = {
      .path = U(slot(0, path)),
      .argv = U(args),
      .handles = U(hs),
      .handle_info = U(infos),
      .num_handles = n,
  };
  return (zx_status_t)FAKE(T, spawn, job, U(&a), U(out));
}

static zx_handle_t make_event(void) {
  zx_handle_t h = 0;
  assert_int_equal(FAKE(T, event_create, 0, U(&h)), ZX_OK);
  return h;
}

static void test_spawn(void** state) {
  zx_handle_t root = give(&kroot_job->base, ZX_DEFAULT_JOB_RIGHTS);
  zx_handle_t hs[2] = {make_event(), make_event()};
  uint32_t infos[2] = {PA_HND(PA_USER0, 0), PA_HND(PA_USER0, 1)};
  struct kobj* e0 = obj_of(hs[0]);
  kobj_ref(e0);
  const char* argv[] = {"helper", "arg1", NULL};
  zx_handle_t proc = 0;
  assert_int_equal(spawn(root, "/bin/helper", argv, hs, infos, 2, &proc), ZX_OK);
  assert_string_equal(last_argv[0], "helper");
  assert_string_equal(last_argv[1], "arg1");
  assert_string_equal(last_argv[2], "");
  struct kproc* child = to_kproc(obj_of(proc));
  assert_int_equal(khandle_lookup(P->table, proc)->rights, ZX_DEFAULT_PROCESS_RIGHTS);
  assert_ptr_equal(child->job, kroot_job);
  /* The handles moved: gone from the caller, waiting in the child. */
  assert_null(khandle_lookup(P->table, hs[0]));
  assert_null(khandle_lookup(P->table, hs[1]));
  assert_int_equal(child->num_startup, 2);
  assert_ptr_equal(child->startup[0]->obj, e0);
  assert_int_equal(child->startup_info[1], PA_HND(PA_USER0, 1));
  /* Its startup handles go with it, and the host's reference with the death it reports. */
  fake_end(child, 0);
  assert_int_equal(e0->handle_count, 0);
  kobj_unref(e0);
  FAKE(T, handle_close, proc);
  FAKE(T, handle_close, root);
}

static void test_spawn_errors(void** state) {
  zx_handle_t root = give(&kroot_job->base, ZX_DEFAULT_JOB_RIGHTS);
  zx_handle_t proc = 0;
  uint32_t live = khandle_live_count();
  /* A bad path: NOT_FOUND, and the handles are consumed anyway. */
  zx_handle_t hs[2] = {make_event(), make_event()};
  uint32_t infos[2] = {PA_HND(PA_USER0, 0), PA_HND(PA_USER0, 1)};
  assert_int_equal(spawn(root, "/nonexistent", NULL, hs, infos, 2, &proc), ZX_ERR_NOT_FOUND);
  assert_string_equal(last_path, "/nonexistent");
  assert_null(khandle_lookup(P->table, hs[0]));
  assert_null(khandle_lookup(P->table, hs[1]));
  assert_int_equal(khandle_live_count(), live);
  /* A job handle without MANAGE_PROCESS: ACCESS_DENIED, handles consumed. */
  zx_handle_t weak = give(&kroot_job->base, ZX_DEFAULT_JOB_RIGHTS & ~ZX_RIGHT_MANAGE_PROCESS);
  live = khandle_live_count();
  hs[0] = make_event();
  hs[1] = make_event();
  assert_int_equal(spawn(weak, "/bin/helper", NULL, hs, infos, 2, &proc), ZX_ERR_ACCESS_DENIED);
  assert_int_equal(khandle_live_count(), live);
  /* Not a job: WRONG_TYPE; a bad job handle: BAD_HANDLE; handles consumed either way. */
  zx_handle_t ph = give(&P->base, ZX_DEFAULT_PROCESS_RIGHTS);
  live = khandle_live_count();
  hs[0] = make_event();
  assert_int_equal(spawn(ph, "/bin/helper", NULL, hs, infos, 1, &proc), ZX_ERR_WRONG_TYPE);
  assert_int_equal(spawn(0x1233, "/bin/helper", NULL, NULL, NULL, 0, &proc), ZX_ERR_BAD_HANDLE);
  assert_int_equal(khandle_live_count(), live);
  /* A bad handle in the list: BAD_HANDLE, and the good ones are consumed. */
  hs[0] = make_event();
  hs[1] = 0x1233;
  assert_int_equal(spawn(root, "/bin/helper", NULL, hs, infos, 2, &proc), ZX_ERR_BAD_HANDLE);
  assert_null(khandle_lookup(P->table, hs[0]));
  assert_int_equal(khandle_live_count(), live);
  /* A handle without TRANSFER: ACCESS_DENIED, consumed. */
  zx_handle_t e = make_event(), nt = 0;
  assert_int_equal(FAKE(T, handle_replace, e, ZX_RIGHT_WAIT, U(&nt)), ZX_OK);
  assert_int_equal(spawn(root, "/bin/helper", NULL, &nt, infos, 1, &proc), ZX_ERR_ACCESS_DENIED);
  assert_null(khandle_lookup(P->table, nt));
  assert_int_equal(khandle_live_count(), live);
  /* Too many handles: OUT_OF_RANGE before anything is read. */
  assert_int_equal(spawn(root, "/bin/helper", NULL, hs, infos, ZUM_SPAWN_MAX_HANDLES + 1, &proc),
                   ZX_ERR_OUT_OF_RANGE);
  /* Faulting arguments. */
  assert_int_equal(FAKE(T, spawn, root, 16, U(&proc)), ZX_ERR_INVALID_ARGS);
  assert_int_equal(spawn(root, (const char*)16, NULL, NULL, NULL, 0, &proc), ZX_ERR_INVALID_ARGS);
  /* A dead job: BAD_STATE. */
  zx_handle_t j = 0;
  assert_int_equal(FAKE(T, job_create, root, 0, U(&j)), ZX_OK);
  assert_int_equal(FAKE(T, task_kill, j), ZX_OK);
  assert_int_equal(spawn(j, "/bin/helper", NULL, NULL, NULL, 0, &proc), ZX_ERR_BAD_STATE);
  /* A faulting proc_out: the child was started and is killed again, no handle leaks. */
  zum_spawn_args_t a = {.path = U(slot(0, "/bin/helper")), .argv = U((const char* const[]){NULL})};
  live = khandle_live_count();
  kills = 0;
  assert_int_equal(FAKE(T, spawn, root, U(&a), 8), ZX_ERR_INVALID_ARGS);
  assert_int_equal(khandle_live_count(), live);
  assert_int_equal(kills, 1);
  FAKE(T, handle_close, j);
  FAKE(T, handle_close, ph);
  FAKE(T, handle_close, weak);
  FAKE(T, handle_close, root);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_job_create, setup, teardown),
      cmocka_unit_test_setup_teardown(test_job_height, setup, teardown),
      cmocka_unit_test_setup_teardown(test_task_kill_process, setup, teardown),
      cmocka_unit_test_setup_teardown(test_process_exit, setup, teardown),
      cmocka_unit_test_setup_teardown(test_exit_codes, setup, teardown),
      cmocka_unit_test_setup_teardown(test_task_kill_job, setup, teardown),
      cmocka_unit_test_setup_teardown(test_kill_own_job, setup, teardown),
      cmocka_unit_test_setup_teardown(test_exit_with_shared_objects, setup, teardown),
      cmocka_unit_test_setup_teardown(test_spawn, setup, teardown),
      cmocka_unit_test_setup_teardown(test_spawn_errors, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
