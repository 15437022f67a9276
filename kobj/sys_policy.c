/* zx_job_set_policy and zx_job_set_critical, with the checks in the order of Zircon's
 * lib/syscalls/task.cc. */
#include <zircon/syscalls/policy.h>

#include "kobj/policy.h"
#include "kobj/sysutil.h"
#include "sys-decls.h"

/* The kernel copies at most this many records (any more is INVALID_ARGS before the handle is
 * looked at); AddBasicPolicy then refuses more than ZX_POL_MAX with OUT_OF_RANGE. */
#define KPOL_MAX_RECORDS 32u

static int64_t set_basic(struct kcall* c, zx_handle_t handle, uint32_t options, uint32_t topic,
                         zum_uaddr_t policy, uint32_t count) {
  if (options != ZX_JOB_POL_RELATIVE && options != ZX_JOB_POL_ABSOLUTE)
    return ZX_ERR_INVALID_ARGS;
  if (policy == 0 || count == 0 || count > KPOL_MAX_RECORDS) return ZX_ERR_INVALID_ARGS;
  zx_policy_basic_v2_t in[KPOL_MAX_RECORDS];
  if (topic == ZX_JOB_POL_BASIC_V1) {
    zx_policy_basic_v1_t v1[KPOL_MAX_RECORDS];
    if (kcall_copy_in(c, v1, policy, count * sizeof(v1[0])) != ZX_OK) return ZX_ERR_INVALID_ARGS;
    /* A v1 record is a v2 record that cannot be overridden below. */
    for (uint32_t i = 0; i < count; i++)
      in[i] = (zx_policy_basic_v2_t){.condition = v1[i].condition,
                                     .action = v1[i].policy,
                                     .flags = ZX_POL_OVERRIDE_DENY};
  } else {
    if (kcall_copy_in(c, in, policy, count * sizeof(in[0])) != ZX_OK) return ZX_ERR_INVALID_ARGS;
  }
  struct kobj* o;
  zx_status_t s = kcall_object(c, handle, ZX_OBJ_TYPE_JOB, ZX_RIGHT_SET_POLICY, &o);
  if (s != ZX_OK) return s;
  return kjob_set_basic_policy(to_kjob(o), options, in, count);
}

static int64_t set_timer_slack(struct kcall* c, zx_handle_t handle, uint32_t options,
                               zum_uaddr_t policy, uint32_t count) {
  if (options != ZX_JOB_POL_RELATIVE) return ZX_ERR_INVALID_ARGS;
  if (policy == 0 || count != 1) return ZX_ERR_INVALID_ARGS;
  zx_policy_timer_slack_t in;
  if (kcall_copy_in(c, &in, policy, sizeof(in)) != ZX_OK) return ZX_ERR_INVALID_ARGS;
  struct kobj* o;
  zx_status_t s = kcall_object(c, handle, ZX_OBJ_TYPE_JOB, ZX_RIGHT_SET_POLICY, &o);
  if (s != ZX_OK) return s;
  /* The slack is kept in the policy and applied by zx_timer_set (the timer's slack is raised to
   * it, as ZX_INFO_TIMER shows); zum's timers fire at their deadline whatever the slack, which
   * every slack mode allows. */
  return kjob_set_timer_slack_policy(to_kjob(o), &in);
}

int64_t sys_job_set_policy(struct kcall* c, zx_handle_t handle, uint32_t options, uint32_t topic,
                           zum_uaddr_t policy, uint32_t policy_size) {
  switch (topic) {
    case ZX_JOB_POL_BASIC_V1:
    case ZX_JOB_POL_BASIC_V2:
      return set_basic(c, handle, options, topic, policy, policy_size);
    case ZX_JOB_POL_TIMER_SLACK:
      return set_timer_slack(c, handle, options, policy, policy_size);
    default:
      return ZX_ERR_INVALID_ARGS;
  }
}

int64_t sys_job_set_critical(struct kcall* c, zx_handle_t job, uint32_t options,
                             zx_handle_t process) {
  bool retcode_nonzero = false;
  if (options == ZX_JOB_CRITICAL_PROCESS_RETCODE_NONZERO) retcode_nonzero = true;
  else if (options != 0) return ZX_ERR_INVALID_ARGS;
  struct kobj *jo, *po;
  zx_status_t s = kcall_object(c, job, ZX_OBJ_TYPE_JOB, ZX_RIGHT_DESTROY, &jo);
  if (s != ZX_OK) return s;
  s = kcall_object(c, process, ZX_OBJ_TYPE_PROCESS, ZX_RIGHT_WAIT, &po);
  if (s != ZX_OK) return s;
  return kproc_set_critical(to_kproc(po), to_kjob(jo), retcode_nonzero);
}
