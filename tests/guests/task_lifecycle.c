/* The task lifecycle with real peer processes (tests/helpers/task_helper): return codes,
 * termination signals, jobs, kills (including of a process blocked in a wait), and objects
 * that outlive their creator. */
#include <zircon/process.h>

#include "task_util.h"

/* How a helper ends, and the return code Zircon reports. */
static void test_return_codes(zx_handle_t job) {
  zx_handle_t p = start_helper(job, "exit", "3", ZX_HANDLE_INVALID);
  CHECK(p != ZX_HANDLE_INVALID);
  CHECK_EQ(helper_result(p), 3);
  zx_handle_close(p);

  p = start_helper(job, "zxexit", "-5", ZX_HANDLE_INVALID);
  CHECK_EQ(helper_result(p), -5);
  zx_handle_close(p);

  p = start_helper(job, "segv", NULL, ZX_HANDLE_INVALID);
  CHECK_EQ(helper_result(p), ZX_TASK_RETCODE_EXCEPTION_KILL);
  zx_handle_close(p);

  p = start_helper(job, "killself", NULL, ZX_HANDLE_INVALID);
  CHECK_EQ(helper_result(p), ZX_TASK_RETCODE_SYSCALL_KILL);
  zx_handle_close(p);
}

/* A helper blocked in zx_object_wait_one is killed: its wait is abandoned, it dies with
 * SYSCALL_KILL, its thread terminates, and the system carries on. */
static void test_kill_blocked(zx_handle_t job) {
  zx_handle_t p = start_helper(job, "block", NULL, ZX_HANDLE_INVALID);
  CHECK(p != ZX_HANDLE_INVALID);
  zx_info_process_t info = process_info(p);
  CHECK_EQ(info.flags, ZX_INFO_PROCESS_FLAG_STARTED);
  CHECK_EQ(info.return_code, 0);
  CHECK(info.start_time > 0 && info.start_time <= zx_clock_get_monotonic());

  zx_handle_t t = first_thread_of(p);
  CHECK(t != ZX_HANDLE_INVALID);
  zx_info_handle_basic_t tb = basic_info(t);
  CHECK_EQ(tb.type, ZX_OBJ_TYPE_THREAD);
  CHECK_EQ(tb.related_koid, koid_of(p));
  CHECK(await_thread_state(t, ZX_THREAD_STATE_BLOCKED_WAIT_ONE));
  zx_info_task_stats_t stats;
  CHECK_EQ(zx_object_get_info(p, ZX_INFO_TASK_STATS, &stats, sizeof(stats), NULL, NULL), ZX_OK);
  CHECK(stats.mem_mapped_bytes > 0);
  CHECK(stats.mem_private_bytes > 0);

  CHECK_EQ(zx_task_kill(p), ZX_OK);
  /* Zircon reports the exit at once, before the process is fully gone. */
  info = process_info(p);
  CHECK(info.flags & ZX_INFO_PROCESS_FLAG_EXITED);
  CHECK_EQ(info.return_code, ZX_TASK_RETCODE_SYSCALL_KILL);
  CHECK_EQ(helper_result(p), ZX_TASK_RETCODE_SYSCALL_KILL);
  wait_for(t, ZX_THREAD_TERMINATED);
  CHECK_EQ(thread_info(t).state, ZX_THREAD_STATE_DEAD);
  /* A dead process has no memory statistics and no threads; killing it again is fine. */
  CHECK_EQ(zx_object_get_info(p, ZX_INFO_TASK_STATS, &stats, sizeof(stats), NULL, NULL),
           ZX_ERR_BAD_STATE);
  size_t actual = 9, avail = 9;
  CHECK_EQ(zx_object_get_info(p, ZX_INFO_PROCESS_THREADS, NULL, 0, &actual, &avail), ZX_OK);
  CHECK_EQ(avail, 0);
  CHECK_EQ(zx_task_kill(p), ZX_OK);
  zx_handle_close(t);
  zx_handle_close(p);

  /* The supervisor is healthy: another helper runs normally. */
  p = start_helper(job, "exit", "0", ZX_HANDLE_INVALID);
  CHECK_EQ(helper_result(p), 0);
  zx_handle_close(p);
}

/* Killing a job kills every process below it; the jobs terminate. */
static void test_kill_job(zx_handle_t parent) {
  zx_handle_t j = ZX_HANDLE_INVALID, g = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_job_create(parent, 0, &j), ZX_OK);
  CHECK_EQ(zx_job_create(j, 0, &g), ZX_OK);
  zx_handle_t p1 = start_helper(j, "block", NULL, ZX_HANDLE_INVALID);
  zx_handle_t p2 = start_helper(g, "block", NULL, ZX_HANDLE_INVALID);
  zx_handle_t p3 = start_helper(g, "block", NULL, ZX_HANDLE_INVALID);
  CHECK(p1 && p2 && p3);
  zx_signals_t obs = 0;
  CHECK_EQ(zx_object_wait_one(j, ZX_JOB_NO_PROCESSES | ZX_JOB_NO_JOBS, 0, &obs),
           ZX_ERR_TIMED_OUT);
  CHECK_EQ(obs & (ZX_JOB_NO_PROCESSES | ZX_JOB_NO_JOBS | ZX_JOB_TERMINATED), 0);

  /* The job lists its children. */
  zx_koid_t koids[4];
  size_t actual = 0, avail = 0;
  CHECK_EQ(zx_object_get_info(g, ZX_INFO_JOB_PROCESSES, koids, sizeof(koids), &actual, &avail),
           ZX_OK);
  CHECK_EQ(actual, 2);
  CHECK_EQ(koids[0], koid_of(p2));
  CHECK_EQ(koids[1], koid_of(p3));
  CHECK_EQ(zx_object_get_info(j, ZX_INFO_JOB_CHILDREN, koids, sizeof(koids), &actual, &avail),
           ZX_OK);
  CHECK_EQ(actual, 1);
  CHECK_EQ(koids[0], koid_of(g));

  CHECK_EQ(zx_task_kill(j), ZX_OK);
  zx_info_job_t ji;
  CHECK_EQ(zx_object_get_info(j, ZX_INFO_JOB, &ji, sizeof(ji), NULL, NULL), ZX_OK);
  CHECK(ji.exited);
  CHECK_EQ(ji.return_code, ZX_TASK_RETCODE_SYSCALL_KILL);
  wait_for(g, ZX_JOB_TERMINATED);
  obs = wait_for(j, ZX_JOB_TERMINATED);
  CHECK(obs & ZX_JOB_NO_PROCESSES);
  CHECK(obs & ZX_JOB_NO_JOBS); /* the dead child job left the tree */
  CHECK_EQ(helper_result(p1), ZX_TASK_RETCODE_SYSCALL_KILL);
  CHECK_EQ(helper_result(p2), ZX_TASK_RETCODE_SYSCALL_KILL);
  CHECK_EQ(helper_result(p3), ZX_TASK_RETCODE_SYSCALL_KILL);
  CHECK_EQ(zx_object_get_info(j, ZX_INFO_JOB_CHILDREN, koids, sizeof(koids), &actual, &avail),
           ZX_OK);
  CHECK_EQ(avail, 0);
  CHECK_EQ(zx_object_get_info(g, ZX_INFO_JOB, &ji, sizeof(ji), NULL, NULL), ZX_OK);
  CHECK(ji.exited);
  CHECK_EQ(ji.return_code, ZX_TASK_RETCODE_SYSCALL_KILL);

  /* Nothing new under a dead job. */
  zx_handle_t x = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_job_create(j, 0, &x), ZX_ERR_BAD_STATE);
  CHECK_EQ(zx_job_create(g, 0, &x), ZX_ERR_BAD_STATE);
  const char* argv[] = {"task_helper", "exit", "0", NULL};
  CHECK_EQ(zum_spawn(g, task_helper_path(), argv, NULL, NULL, 0, &x), ZX_ERR_BAD_STATE);
  CHECK_EQ(zx_task_kill(j), ZX_OK);
  zx_handle_close(p1);
  zx_handle_close(p2);
  zx_handle_close(p3);
  zx_handle_close(g);
  zx_handle_close(j);
}

/* A job's signals follow its processes; finding a process by koid. */
static void test_job_signals_and_get_child(zx_handle_t parent) {
  zx_handle_t j = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_job_create(parent, 0, &j), ZX_OK);
  CHECK(wait_for(j, ZX_JOB_NO_PROCESSES) & ZX_JOB_NO_JOBS);
  zx_handle_t p = start_helper(j, "block", NULL, ZX_HANDLE_INVALID);
  zx_signals_t obs = 0;
  CHECK_EQ(zx_object_wait_one(j, ZX_JOB_NO_PROCESSES, 0, &obs), ZX_ERR_TIMED_OUT);
  CHECK(basic_info(p).related_koid == koid_of(j));

  zx_handle_t q = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_object_get_child(j, koid_of(p), ZX_RIGHT_SAME_RIGHTS, &q), ZX_OK);
  CHECK_EQ(koid_of(q), koid_of(p));
  CHECK_EQ(basic_info(q).rights, ZX_DEFAULT_JOB_RIGHTS);
  CHECK_EQ(zx_object_get_child(j, koid_of(j), ZX_RIGHT_SAME_RIGHTS, &q), ZX_ERR_NOT_FOUND);
  /* The helper's name is its program's; it can be changed from outside. */
  char name[ZX_MAX_NAME_LEN];
  CHECK_EQ(zx_object_get_property(p, ZX_PROP_NAME, name, sizeof(name)), ZX_OK);
  CHECK(strcmp(name, "task_helper") == 0);
  CHECK_EQ(zx_object_set_property(p, ZX_PROP_NAME, "renamed", 7), ZX_OK);
  CHECK_EQ(zx_object_get_property(q, ZX_PROP_NAME, name, sizeof(name)), ZX_OK);
  CHECK(strcmp(name, "renamed") == 0);

  CHECK_EQ(zx_task_kill(q), ZX_OK);
  wait_for(p, ZX_PROCESS_TERMINATED);
  obs = wait_for(j, ZX_JOB_NO_PROCESSES);
  CHECK_EQ(obs & ZX_JOB_TERMINATED, 0); /* a job does not die with its processes */
  CHECK_EQ(zx_object_get_child(j, koid_of(p), ZX_RIGHT_SAME_RIGHTS, &q), ZX_ERR_NOT_FOUND);
  zx_handle_close(q);
  zx_handle_close(p);
  zx_handle_close(j);
}

/* A helper exits without closing its end of an event pair: the kernel closes it. */
static void test_objects_outlive_creator(zx_handle_t job) {
  zx_handle_t mine = ZX_HANDLE_INVALID, theirs = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_eventpair_create(0, &mine, &theirs), ZX_OK);
  zx_handle_t p = start_helper(job, "signal-exit", NULL, theirs);
  CHECK(p != ZX_HANDLE_INVALID);
  /* theirs moved into the helper. */
  CHECK_EQ(zx_handle_close(theirs), ZX_ERR_BAD_HANDLE);
  zx_signals_t obs = wait_for(mine, ZX_EVENTPAIR_PEER_CLOSED);
  CHECK(obs & ZX_USER_SIGNAL_0);
  CHECK_EQ(helper_result(p), 0);
  CHECK_EQ(zx_object_signal_peer(mine, 0, ZX_USER_SIGNAL_1), ZX_ERR_PEER_CLOSED);
  /* The dead process is still there to inspect through our handle. */
  char name[ZX_MAX_NAME_LEN];
  CHECK_EQ(zx_object_get_property(p, ZX_PROP_NAME, name, sizeof(name)), ZX_OK);
  CHECK(strcmp(name, "task_helper") == 0);
  zx_handle_close(mine);
  zx_handle_close(p);
}

/* Threads the helper made without any Zircon call are listed too. */
static void test_foreign_threads(zx_handle_t job) {
  zx_handle_t mine = ZX_HANDLE_INVALID, theirs = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_eventpair_create(0, &mine, &theirs), ZX_OK);
  zx_handle_t p = start_helper(job, "threads", "3", theirs);
  wait_for(mine, ZX_USER_SIGNAL_0);
  zx_koid_t koids[8];
  size_t actual = 0, avail = 0;
  CHECK_EQ(zx_object_get_info(p, ZX_INFO_PROCESS_THREADS, koids, sizeof(koids), &actual, &avail),
           ZX_OK);
  CHECK_EQ(avail, 4);
  for (size_t i = 0; i < actual; i++) {
    zx_handle_t t = ZX_HANDLE_INVALID;
    CHECK_EQ(zx_object_get_child(p, koids[i], ZX_RIGHT_INSPECT | ZX_RIGHT_WAIT, &t), ZX_OK);
    CHECK_EQ(basic_info(t).related_koid, koid_of(p));
    zx_info_thread_t ti = thread_info(t);
    CHECK(ti.state == ZX_THREAD_STATE_RUNNING || ti.state == ZX_THREAD_STATE_BLOCKED_WAIT_ONE);
    zx_handle_close(t);
  }
  CHECK_EQ(zx_task_kill(p), ZX_OK);
  CHECK_EQ(helper_result(p), ZX_TASK_RETCODE_SYSCALL_KILL);
  zx_handle_close(mine);
  zx_handle_close(p);
}

int main(int argc, char** argv) {
  zx_handle_t job = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_job_create(zx_job_default(), 0, &job), ZX_OK);
  test_return_codes(job);
  test_kill_blocked(job);
  test_kill_job(job);
  test_job_signals_and_get_child(job);
  test_objects_outlive_creator(job);
  test_foreign_threads(job);
  /* Everything started here has ended. */
  zx_signals_t obs = 0;
  CHECK_EQ(zx_object_wait_one(job, ZX_JOB_NO_PROCESSES | ZX_JOB_NO_JOBS, 0, &obs), ZX_OK);
  CHECK_EQ(obs & (ZX_JOB_NO_PROCESSES | ZX_JOB_NO_JOBS), ZX_JOB_NO_PROCESSES | ZX_JOB_NO_JOBS);
  zx_handle_close(job);
  return GUEST_RESULT();
}
