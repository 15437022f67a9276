/* Error paths of the task calls through the real trap: job_create, task_kill, zum_spawn,
 * object_get_child, task_suspend(_token), thread_read_state and thread_write_state. */
#include <zircon/process.h>
#include <zircon/syscalls/debug.h>

#include "task_util.h"

static void test_job_create_errors(void) {
  zx_handle_t j = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_job_create(zx_job_default(), 1, &j), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_job_create(zx_job_default() ^ 0x10, 0, &j), ZX_ERR_BAD_HANDLE);
  CHECK_EQ(zx_job_create(zx_process_self(), 0, &j), ZX_ERR_WRONG_TYPE);
  zx_handle_t weak = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(zx_job_default(), ZX_DEFAULT_JOB_RIGHTS & ~ZX_RIGHT_MANAGE_JOB,
                               &weak),
           ZX_OK);
  CHECK_EQ(zx_job_create(weak, 0, &j), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_job_create(zx_job_default(), 0, (zx_handle_t*)8), ZX_ERR_INVALID_ARGS);
  /* The new job's handle and record. */
  CHECK_EQ(zx_job_create(zx_job_default(), 0, &j), ZX_OK);
  zx_info_handle_basic_t b = basic_info(j);
  CHECK_EQ(b.type, ZX_OBJ_TYPE_JOB);
  CHECK_EQ(b.rights, ZX_DEFAULT_JOB_RIGHTS);
  CHECK_EQ(b.related_koid, koid_of(zx_job_default()));
  zx_info_job_t ji;
  CHECK_EQ(zx_object_get_info(j, ZX_INFO_JOB, &ji, sizeof(ji), NULL, NULL), ZX_OK);
  CHECK(!ji.exited);
  CHECK_EQ(ji.return_code, 0);
  /* Killed: BAD_STATE for new children. */
  CHECK_EQ(zx_task_kill(j), ZX_OK);
  wait_for(j, ZX_JOB_TERMINATED);
  zx_handle_t c = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_job_create(j, 0, &c), ZX_ERR_BAD_STATE);
  zx_handle_close(j);
  zx_handle_close(weak);
}

static void test_task_kill_errors(void) {
  CHECK_EQ(zx_task_kill(ZX_HANDLE_INVALID), ZX_ERR_BAD_HANDLE);
  zx_handle_t e = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_event_create(0, &e), ZX_OK);
  CHECK_EQ(zx_task_kill(e), ZX_ERR_ACCESS_DENIED); /* events lack DESTROY: rights come first */
  CHECK_EQ(zx_task_kill(zx_thread_self()), ZX_ERR_WRONG_TYPE); /* threads cannot be killed */
  zx_handle_t p = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(zx_process_self(), ZX_RIGHT_INSPECT, &p), ZX_OK);
  CHECK_EQ(zx_task_kill(p), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(p);
  zx_handle_close(e);
}

static void test_spawn_errors(void) {
  zx_handle_t proc = ZX_HANDLE_INVALID;
  const char* argv[] = {"x", NULL};
  /* A path that does not exist: NOT_FOUND, and the handles passed are gone anyway. */
  zx_handle_t e = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_event_create(0, &e), ZX_OK);
  uint32_t info = PA_HND(PA_USER0, 0);
  CHECK_EQ(zum_spawn(zx_job_default(), "/nonexistent/zum-test", argv, &e, &info, 1, &proc),
           ZX_ERR_NOT_FOUND);
  CHECK_EQ(zx_handle_close(e), ZX_ERR_BAD_HANDLE);
  /* A job without MANAGE_PROCESS: ACCESS_DENIED, handles consumed. */
  zx_handle_t weak = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(zx_job_default(),
                               ZX_DEFAULT_JOB_RIGHTS & ~ZX_RIGHT_MANAGE_PROCESS, &weak),
           ZX_OK);
  CHECK_EQ(zx_event_create(0, &e), ZX_OK);
  CHECK_EQ(zum_spawn(weak, task_helper_path(), argv, &e, &info, 1, &proc), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_handle_close(e), ZX_ERR_BAD_HANDLE);
  /* Not a job. */
  CHECK_EQ(zum_spawn(zx_process_self(), task_helper_path(), argv, NULL, NULL, 0, &proc),
           ZX_ERR_WRONG_TYPE);
  /* Not executable. */
  CHECK_EQ(zum_spawn(zx_job_default(), "/proc/self/status", argv, NULL, NULL, 0, &proc),
           ZX_ERR_ACCESS_DENIED);
  /* A bad handle in the list. */
  CHECK_EQ(zx_event_create(0, &e), ZX_OK);
  zx_handle_t hs[2] = {e, e ^ 0x20};
  uint32_t infos[2] = {info, info + 1};
  CHECK_EQ(zum_spawn(zx_job_default(), task_helper_path(), argv, hs, infos, 2, &proc),
           ZX_ERR_BAD_HANDLE);
  CHECK_EQ(zx_handle_close(e), ZX_ERR_BAD_HANDLE);
  CHECK_EQ(zum_spawn(zx_job_default(), task_helper_path(), argv, NULL, NULL, 65, &proc),
           ZX_ERR_OUT_OF_RANGE);
  CHECK_EQ(zum_spawn(zx_job_default(), (const char*)16, argv, NULL, NULL, 0, &proc),
           ZX_ERR_INVALID_ARGS);
  /* Nothing was left running. */
  zx_koid_t koids[4];
  size_t actual = 0, avail = 0;
  CHECK_EQ(zx_object_get_info(zx_job_default(), ZX_INFO_JOB_PROCESSES, koids, sizeof(koids),
                              &actual, &avail),
           ZX_OK);
  CHECK_EQ(avail, 1);
  CHECK_EQ(koids[0], koid_of(zx_process_self()));
  zx_handle_close(weak);
}

static void test_get_child_errors(void) {
  zx_handle_t out = ZX_HANDLE_INVALID;
  zx_koid_t me = koid_of(zx_process_self());
  zx_koid_t my_thread = koid_of(zx_thread_self());
  CHECK_EQ(zx_object_get_child(ZX_HANDLE_INVALID, me, ZX_RIGHT_SAME_RIGHTS, &out),
           ZX_ERR_BAD_HANDLE);
  /* Thread handles lack ENUMERATE: ACCESS_DENIED before the type is looked at. */
  CHECK_EQ(zx_object_get_child(zx_thread_self(), my_thread, ZX_RIGHT_SAME_RIGHTS, &out),
           ZX_ERR_ACCESS_DENIED);
  /* More rights than the parent handle has. */
  CHECK_EQ(zx_object_get_child(zx_process_self(), my_thread, ZX_RIGHT_MANAGE_JOB, &out),
           ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_object_get_child(zx_process_self(), me, ZX_RIGHT_SAME_RIGHTS, &out),
           ZX_ERR_NOT_FOUND);
  CHECK_EQ(zx_object_get_child(zx_job_default(), me, ZX_RIGHT_INSPECT, &out), ZX_OK);
  CHECK_EQ(koid_of(out), me);
  CHECK_EQ(basic_info(out).rights, ZX_RIGHT_INSPECT);
  zx_handle_close(out);
  CHECK_EQ(zx_object_get_child(zx_job_default(), me, ZX_RIGHT_SAME_RIGHTS, (zx_handle_t*)8),
           ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_object_get_child(zx_process_self(), my_thread, ZX_RIGHT_SAME_RIGHTS, &out), ZX_OK);
  CHECK_EQ(koid_of(out), my_thread);
  zx_handle_close(out);
}

/* A hosted program is a running process whose threads are its own pthreads: starting it, or one
 * of its threads, is BAD_STATE as for any started process; zx_thread_create has nothing to make. */
static void test_start_running_process(void) {
  zx_vaddr_t somewhere = 0x10000000;
  CHECK_EQ(zx_process_start(zx_process_self(), zx_thread_self(), somewhere, somewhere,
                            ZX_HANDLE_INVALID, 0),
           ZX_ERR_BAD_STATE);
  CHECK_EQ(zx_thread_start(zx_thread_self(), somewhere, somewhere, 0, 0), ZX_ERR_BAD_STATE);
  zx_handle_t t;
  CHECK_EQ(zx_thread_create(zx_process_self(), "t", 1, 0, &t), ZX_ERR_NOT_SUPPORTED);
}

/* Zircon's checks before it suspends, in its order: the handle, WRITE, the type, not the caller
 * itself, not a task on its way out. What passes them is NOT_SUPPORTED in zum (DESIGN.md 6). */
static void test_suspend_errors(void) {
  zx_handle_t token = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_task_suspend_token(ZX_HANDLE_INVALID, &token), ZX_ERR_BAD_HANDLE);
  zx_handle_t e = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_event_create(0, &e), ZX_OK);
  CHECK_EQ(zx_task_suspend_token(e, &token), ZX_ERR_ACCESS_DENIED); /* events lack WRITE */
  zx_handle_t vmo = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_vmo_create(4096, 0, &vmo), ZX_OK);
  CHECK_EQ(zx_task_suspend_token(vmo, &token), ZX_ERR_WRONG_TYPE);
  zx_handle_close(vmo);
  CHECK_EQ(zx_task_suspend_token(zx_job_default(), &token), ZX_ERR_WRONG_TYPE); /* no jobs */
  CHECK_EQ(zx_task_suspend_token(zx_thread_self(), &token), ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_task_suspend(zx_process_self(), &token), ZX_ERR_NOT_SUPPORTED);
  zx_handle_t weak = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(zx_process_self(), ZX_RIGHT_INSPECT, &weak), ZX_OK);
  CHECK_EQ(zx_task_suspend_token(weak, &token), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(weak);
  /* Another process: past every check, zum's gap. */
  zx_handle_t proc = start_helper(zx_job_default(), "block", NULL, ZX_HANDLE_INVALID);
  CHECK(proc != ZX_HANDLE_INVALID);
  CHECK_EQ(zx_task_suspend_token(proc, &token), ZX_ERR_NOT_SUPPORTED);
  zx_handle_t t = first_thread_of(proc);
  CHECK(t != ZX_HANDLE_INVALID);
  CHECK_EQ(zx_task_suspend_token(t, &token), ZX_ERR_NOT_SUPPORTED);
  /* Dead: BAD_STATE. */
  CHECK_EQ(zx_task_kill(proc), ZX_OK);
  wait_for(proc, ZX_PROCESS_TERMINATED);
  CHECK_EQ(zx_task_suspend_token(proc, &token), ZX_ERR_BAD_STATE);
  CHECK_EQ(zx_task_suspend_token(t, &token), ZX_ERR_BAD_STATE);
  CHECK_EQ(token, ZX_HANDLE_INVALID);
  zx_handle_close(t);
  zx_handle_close(proc);
  zx_handle_close(e);
}

/* The handle first (READ to read, WRITE to write, a thread), then BAD_STATE for a thread neither
 * suspended nor in an exception, before the topic or the buffer is looked at. */
static void test_thread_state_errors(void) {
  zx_thread_state_general_regs_t regs;
  CHECK_EQ(zx_thread_read_state(ZX_HANDLE_INVALID, ZX_THREAD_STATE_GENERAL_REGS, &regs,
                                sizeof(regs)),
           ZX_ERR_BAD_HANDLE);
  CHECK_EQ(zx_thread_read_state(zx_process_self(), ZX_THREAD_STATE_GENERAL_REGS, &regs,
                                sizeof(regs)),
           ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_thread_read_state(zx_thread_self(), ZX_THREAD_STATE_GENERAL_REGS, &regs,
                                sizeof(regs)),
           ZX_ERR_BAD_STATE);
  CHECK_EQ(zx_thread_read_state(zx_thread_self(), 0x7777, NULL, 0), ZX_ERR_BAD_STATE);
  CHECK_EQ(zx_thread_write_state(zx_thread_self(), ZX_THREAD_STATE_GENERAL_REGS, &regs,
                                 sizeof(regs)),
           ZX_ERR_BAD_STATE);
  zx_handle_t ro = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(zx_thread_self(), ZX_RIGHT_READ, &ro), ZX_OK);
  CHECK_EQ(zx_thread_write_state(ro, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof(regs)),
           ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_thread_read_state(ro, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof(regs)),
           ZX_ERR_BAD_STATE);
  zx_handle_close(ro);
  zx_handle_t wo = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(zx_thread_self(), ZX_RIGHT_WRITE, &wo), ZX_OK);
  CHECK_EQ(zx_thread_read_state(wo, ZX_THREAD_STATE_GENERAL_REGS, &regs, sizeof(regs)),
           ZX_ERR_ACCESS_DENIED);
  zx_handle_close(wo);
}

int main(int argc, char** argv) {
  test_suspend_errors();
  test_thread_state_errors();
  test_start_running_process();
  test_job_create_errors();
  test_task_kill_errors();
  test_spawn_errors();
  test_get_child_errors();
  return GUEST_RESULT();
}
