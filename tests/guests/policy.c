/* Job policies and critical processes as a guest sees them: policies set on child jobs apply to
 * the processes started in them (tests/helpers/policy_helper reports what it got), are
 * inherited by jobs made below, and follow Zircon's merge rules; a critical process takes its
 * job down when it dies. */
#include <limits.h>
#include <string.h>
#include <unistd.h>
#include <zircon/process.h>
#include <zircon/processargs.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zircon/syscalls/policy.h>
#include <zum/zum.h>

#include "guest_test.h"

static const char* helper_path(void) { return guest_helper_path("policy_helper"); }

/* Starts policy_helper MODE [ARG] in job, with up to two startup handles. */
static zx_handle_t start(zx_handle_t job, const char* mode, const char* arg, zx_handle_t* hs,
                         const uint32_t* infos, uint32_t n) {
  const char* argv[] = {"policy_helper", mode, arg, NULL};
  zx_handle_t proc = ZX_HANDLE_INVALID;
  zx_status_t s = zum_spawn(job, helper_path(), argv, hs, infos, n, &proc);
  CHECK_EQ(s, ZX_OK);
  return proc;
}

static int64_t wait_code(zx_handle_t proc) {
  zx_signals_t observed = 0;
  CHECK_EQ(zx_object_wait_one(proc, ZX_PROCESS_TERMINATED, ZX_TIME_INFINITE, &observed), ZX_OK);
  zx_info_process_t info;
  memset(&info, 0, sizeof(info));
  CHECK_EQ(zx_object_get_info(proc, ZX_INFO_PROCESS, &info, sizeof(info), NULL, NULL), ZX_OK);
  return info.return_code;
}

/* Runs policy_helper MODE in job and returns its return code. */
static int64_t run(zx_handle_t job, const char* mode) {
  zx_handle_t proc = start(job, mode, NULL, NULL, NULL, 0);
  int64_t code = wait_code(proc);
  zx_handle_close(proc);
  return code;
}

static zx_handle_t child_job(zx_handle_t parent) {
  zx_handle_t j = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_job_create(parent, 0, &j), ZX_OK);
  return j;
}

static zx_handle_t job_with(uint32_t condition, uint32_t action) {
  zx_handle_t j = child_job(zx_job_default());
  zx_policy_basic_v2_t p = {condition, action, ZX_POL_OVERRIDE_DENY};
  CHECK_EQ(zx_job_set_policy(j, ZX_JOB_POL_ABSOLUTE, ZX_JOB_POL_BASIC_V2, &p, 1), ZX_OK);
  return j;
}

static void deny_event_and_inheritance(void) {
  zx_handle_t j = job_with(ZX_POL_NEW_EVENT, ZX_POL_ACTION_DENY);
  /* The entry is locked: ABSOLUTE refuses a change, RELATIVE ignores it. */
  zx_policy_basic_v2_t allow = {ZX_POL_NEW_EVENT, ZX_POL_ACTION_ALLOW, ZX_POL_OVERRIDE_ALLOW};
  CHECK_EQ(zx_job_set_policy(j, ZX_JOB_POL_ABSOLUTE, ZX_JOB_POL_BASIC_V2, &allow, 1),
           ZX_ERR_ALREADY_EXISTS);
  CHECK_EQ(zx_job_set_policy(j, ZX_JOB_POL_RELATIVE, ZX_JOB_POL_BASIC_V2, &allow, 1), ZX_OK);
  CHECK_EQ(run(j, "event"), ZX_ERR_ACCESS_DENIED);
  /* Other objects are still allowed there. */
  CHECK_EQ(run(j, "port"), ZX_OK);
  /* A job made below inherits the policy, and cannot undo it. */
  zx_handle_t c = child_job(j);
  CHECK_EQ(zx_job_set_policy(c, ZX_JOB_POL_ABSOLUTE, ZX_JOB_POL_BASIC_V2, &allow, 1),
           ZX_ERR_ALREADY_EXISTS);
  CHECK_EQ(run(c, "event"), ZX_ERR_ACCESS_DENIED);
  /* With a child job, the parent's policy can no longer change. */
  CHECK_EQ(zx_job_set_policy(j, ZX_JOB_POL_RELATIVE, ZX_JOB_POL_BASIC_V2, &allow, 1),
           ZX_ERR_BAD_STATE);
  /* The policy binds the processes in the job, not this one. */
  zx_handle_t e = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_event_create(0, &e), ZX_OK);
  zx_handle_close(e);
  zx_handle_close(c);
  zx_handle_close(j);
}

static void kill_and_exception(void) {
  /* v1 records: {condition, action}. */
  zx_handle_t j = child_job(zx_job_default());
  zx_policy_basic_v1_t kill = {ZX_POL_NEW_CHANNEL, ZX_POL_ACTION_KILL};
  CHECK_EQ(zx_job_set_policy(j, ZX_JOB_POL_RELATIVE, ZX_JOB_POL_BASIC_V1, &kill, 1), ZX_OK);
  CHECK_EQ(run(j, "channel"), ZX_TASK_RETCODE_POLICY_KILL);
  CHECK_EQ(run(j, "event"), ZX_OK);
  zx_handle_close(j);
  /* An exception nobody handles kills the process (zum has no exception channels). */
  j = job_with(ZX_POL_NEW_PORT, ZX_POL_ACTION_ALLOW_EXCEPTION);
  CHECK_EQ(run(j, "port"), ZX_TASK_RETCODE_EXCEPTION_KILL);
  zx_handle_close(j);
}

static void ambient_mark_vmo_exec(void) {
  /* Here (no such policy) it is allowed: the new handle has EXECUTE. */
  zx_handle_t v = ZX_HANDLE_INVALID, x = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_vmo_create(4096, 0, &v), ZX_OK);
  CHECK_EQ(zx_vmo_replace_as_executable(v, ZX_HANDLE_INVALID, &x), ZX_OK);
  zx_info_handle_basic_t info;
  memset(&info, 0, sizeof(info));
  CHECK_EQ(zx_object_get_info(x, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL), ZX_OK);
  CHECK(info.rights & ZX_RIGHT_EXECUTE);
  zx_handle_close(x);
  /* Denied: ACCESS_DENIED, and the original handle is consumed all the same. */
  zx_handle_t j = job_with(ZX_POL_AMBIENT_MARK_VMO_EXEC, ZX_POL_ACTION_DENY);
  CHECK_EQ(run(j, "vmex"), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(j);
}

static void new_process(void) {
  zx_handle_t j = job_with(ZX_POL_NEW_PROCESS, ZX_POL_ACTION_DENY);
  /* This process's own policy allows NEW_PROCESS, so it may start one in that job; the helper
   * there may not, whatever job it names. */
  zx_handle_t jd = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(zx_job_default(), ZX_RIGHT_SAME_RIGHTS, &jd), ZX_OK);
  uint32_t info = PA_HND(PA_JOB_DEFAULT, 0);
  zx_handle_t proc = start(j, "process", NULL, &jd, &info, 1);
  CHECK_EQ(wait_code(proc), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(proc);
  zx_handle_close(j);
}

static void bad_handle(void) {
  zx_handle_t j = job_with(ZX_POL_BAD_HANDLE, ZX_POL_ACTION_KILL);
  zx_handle_t ep[2];
  CHECK_EQ(zx_eventpair_create(0, &ep[0], &ep[1]), ZX_OK);
  uint32_t info = PA_HND(PA_USER0, 0);
  zx_handle_t proc = start(j, "badhandle", NULL, &ep[1], &info, 1);
  CHECK_EQ(wait_code(proc), ZX_TASK_RETCODE_POLICY_KILL);
  /* It got as far as the bad close: closing ZX_HANDLE_INVALID and checking a bad value did not
   * kill it. */
  zx_signals_t observed = 0;
  CHECK_EQ(zx_object_wait_one(ep[0], ZX_USER_SIGNAL_0, 0, &observed), ZX_OK);
  zx_handle_close(proc);
  zx_handle_close(ep[0]);
  zx_handle_close(j);
}

static zx_info_job_t job_info(zx_handle_t j) {
  zx_info_job_t info;
  memset(&info, 0, sizeof(info));
  CHECK_EQ(zx_object_get_info(j, ZX_INFO_JOB, &info, sizeof(info), NULL, NULL), ZX_OK);
  return info;
}

/* Starts "wait-exit code" in job with one end of a new event pair; *go gets the other. */
static zx_handle_t start_waiter(zx_handle_t job, const char* code, zx_handle_t* go) {
  zx_handle_t ep[2];
  CHECK_EQ(zx_eventpair_create(0, &ep[0], &ep[1]), ZX_OK);
  uint32_t info = PA_HND(PA_USER0, 0);
  *go = ep[0];
  return start(job, "wait-exit", code, &ep[1], &info, 1);
}

static void critical(void) {
  zx_handle_t j = child_job(zx_job_default()), other = child_job(zx_job_default());
  zx_handle_t go = ZX_HANDLE_INVALID;
  zx_handle_t crit = start_waiter(j, "7", &go);
  zx_handle_t bystander = start(j, "block", NULL, NULL, NULL, 0);
  CHECK_EQ(zx_job_set_critical(other, 0, crit), ZX_ERR_INVALID_ARGS); /* not its job */
  CHECK_EQ(zx_job_set_critical(j, 2, crit), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_job_set_critical(j, ZX_JOB_CRITICAL_PROCESS_RETCODE_NONZERO, crit), ZX_OK);
  CHECK_EQ(zx_job_set_critical(j, 0, crit), ZX_ERR_ALREADY_BOUND);
  CHECK_EQ(zx_object_signal_peer(go, 0, ZX_USER_SIGNAL_0), ZX_OK);
  CHECK_EQ(wait_code(crit), 7);
  zx_signals_t observed = 0;
  CHECK_EQ(zx_object_wait_one(j, ZX_JOB_TERMINATED, ZX_TIME_INFINITE, &observed), ZX_OK);
  CHECK_EQ(job_info(j).return_code, ZX_TASK_RETCODE_CRITICAL_PROCESS_KILL);
  CHECK_EQ(wait_code(bystander), ZX_TASK_RETCODE_CRITICAL_PROCESS_KILL);
  zx_handle_close(go);
  zx_handle_close(crit);
  zx_handle_close(bystander);

  /* With RETCODE_NONZERO a clean exit leaves the job running. */
  crit = start_waiter(other, "0", &go);
  bystander = start(other, "block", NULL, NULL, NULL, 0);
  CHECK_EQ(zx_job_set_critical(other, ZX_JOB_CRITICAL_PROCESS_RETCODE_NONZERO, crit), ZX_OK);
  CHECK_EQ(zx_object_signal_peer(go, 0, ZX_USER_SIGNAL_0), ZX_OK);
  CHECK_EQ(wait_code(crit), 0);
  CHECK(!job_info(other).exited);
  CHECK_EQ(zx_object_wait_one(bystander, ZX_PROCESS_TERMINATED, 0, &observed),
           ZX_ERR_TIMED_OUT);
  CHECK_EQ(zx_task_kill(other), ZX_OK);
  CHECK_EQ(wait_code(bystander), ZX_TASK_RETCODE_SYSCALL_KILL);
  zx_handle_close(go);
  zx_handle_close(crit);
  zx_handle_close(bystander);
  zx_handle_close(other);
  zx_handle_close(j);
}

int main(void) {
  deny_event_and_inheritance();
  kill_and_exception();
  ambient_mark_vmo_exec();
  new_process();
  bad_handle();
  critical();
  return GUEST_RESULT();
}
