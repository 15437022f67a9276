/* Job policy (Zircon's JobPolicy and ProcessDispatcher::EnforceBasicPolicy) and critical
 * processes. A job's policy is copied from its parent when it is made, and a process copies its
 * job's policy when it is made; a process's policy never changes afterwards (Zircon refuses
 * zx_job_set_policy on a job that has children or processes for exactly that reason). */
#ifndef ZUM_KOBJ_POLICY_H_
#define ZUM_KOBJ_POLICY_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zircon/syscalls/policy.h>
#include <zircon/types.h>

struct kjob;
struct kproc;

/* One policy. All zeros is the root job's: every condition ALLOW and overridable, no timer
 * slack, slack mode CENTER. */
struct kpolicy {
  uint8_t action[ZX_POL_MAX]; /* ZX_POL_ACTION_* per condition (ZX_POL_NEW_ANY unused) */
  bool locked[ZX_POL_MAX];    /* set with ZX_POL_OVERRIDE_DENY: descendants may not change it */
  zx_duration_t slack_amount; /* ZX_JOB_POL_TIMER_SLACK: minimum timer slack */
  uint32_t slack_mode;        /* ZX_TIMER_SLACK_* */
};

/* Merges `n` basic policies into p with Zircon's rules (JobPolicy::AddBasicPolicy): more than
 * ZX_POL_MAX entries is OUT_OF_RANGE; an action >= 5 is NOT_SUPPORTED; a bad override flag or
 * condition is INVALID_ARGS; a locked condition may only be "set" to its own action with
 * OVERRIDE_DENY, any other change is ignored (RELATIVE) or ALREADY_EXISTS (ABSOLUTE). On error p
 * is unchanged. */
zx_status_t kpolicy_add_basic(struct kpolicy* p, uint32_t mode, const zx_policy_basic_v2_t* in,
                              size_t n);
/* ZX_JOB_POL_TIMER_SLACK: a negative slack or an unknown mode is INVALID_ARGS; the amount only
 * grows (max of the old and new), the mode is replaced. */
zx_status_t kpolicy_set_timer_slack(struct kpolicy* p, const zx_policy_timer_slack_t* in);
/* The action for `condition` (DENY for NEW_ANY and out-of-range conditions, as Zircon). */
uint32_t kpolicy_query(const struct kpolicy* p, uint32_t condition);
/* ZX_POL_OVERRIDE_ALLOW or ZX_POL_OVERRIDE_DENY for `condition`. */
uint32_t kpolicy_query_override(const struct kpolicy* p, uint32_t condition);

/* Applies the calling process's own policy for `condition`. Returns ZX_OK (ALLOW),
 * ZX_ERR_ACCESS_DENIED (DENY), or KCALL_NOREPLY when the caller was killed: KILL kills it with
 * ZX_TASK_RETCODE_POLICY_KILL. ALLOW_EXCEPTION and DENY_EXCEPTION raise a ZX_EXCP_POLICY_ERROR
 * on Zircon; zum has no exception channels, so the exception is always unhandled and, as on
 * Zircon, an unhandled exception kills the process (ZX_TASK_RETCODE_EXCEPTION_KILL): zum kills
 * it at once (a line on the kernel console says why) and the call returns KCALL_NOREPLY. A
 * handler that gets KCALL_NOREPLY returns it without doing anything more. */
int64_t kpolicy_enforce(struct kproc* caller, uint32_t condition);

/* zx_job_set_policy's state check and merge: BAD_STATE while j has child jobs or processes. */
zx_status_t kjob_set_basic_policy(struct kjob* j, uint32_t mode, const zx_policy_basic_v2_t* in,
                                  size_t n);
zx_status_t kjob_set_timer_slack_policy(struct kjob* j, const zx_policy_timer_slack_t* in);

/* The minimum slack the caller's policy imposes on its timers. */
zx_duration_t kpolicy_timer_slack(const struct kproc* p);

/* zx_job_set_critical: ALREADY_BOUND if p is critical to a job already, INVALID_ARGS if j is
 * neither p's job nor one of its ancestors. */
zx_status_t kproc_set_critical(struct kproc* p, struct kjob* j, bool retcode_nonzero);
/* Called by the task code once p is dead (after it left its job): kills the job p is critical
 * to with ZX_TASK_RETCODE_CRITICAL_PROCESS_KILL (only for a nonzero return code if asked so),
 * and drops p's reference on that job. */
void kproc_critical_dead(struct kproc* p);

#endif
