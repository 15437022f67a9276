/* Job policies and critical processes, after Zircon's object/job_policy.cc,
 * JobDispatcher::SetBasicPolicy/SetTimerSlackPolicy/CriticalProcessKill and
 * ProcessDispatcher::EnforceBasicPolicy/SetCriticalToJob. */
#include "kobj/policy.h"

#include <stdio.h>
#include <string.h>
#include <zircon/syscalls/exception.h>

#include "kobj/kcall.h"
#include "host/platform.h"
#include "kobj/list.h"
#include "kobj/task.h"

/* The "new object" conditions ZX_POL_NEW_ANY stands for (Zircon's kNewObjectPolicies). */
static const uint32_t new_object_conditions[] = {
    ZX_POL_NEW_VMO,     ZX_POL_NEW_CHANNEL, ZX_POL_NEW_EVENT, ZX_POL_NEW_EVENTPAIR,
    ZX_POL_NEW_PORT,    ZX_POL_NEW_SOCKET,  ZX_POL_NEW_FIFO,  ZX_POL_NEW_TIMER,
    ZX_POL_NEW_PROCESS, ZX_POL_NEW_PROFILE, ZX_POL_NEW_PAGER, ZX_POL_NEW_IOB,
    ZX_POL_NEW_SAMPLER,
};
_Static_assert(sizeof(new_object_conditions) / sizeof(new_object_conditions[0]) + 5 == ZX_POL_MAX,
               "every condition but BAD_HANDLE, WRONG_OBJECT, VMAR_WX, NEW_ANY and "
               "AMBIENT_MARK_VMO_EXEC is a new-object condition");

#define KPOL_ACTION_MAX (ZX_POL_ACTION_KILL + 1)

static bool override_valid(uint32_t o) {
  return o == ZX_POL_OVERRIDE_ALLOW || o == ZX_POL_OVERRIDE_DENY;
}

/* One entry (Zircon's AddPartial), checks in the kernel's order. */
static zx_status_t add_one(struct kpolicy* p, uint32_t mode, uint32_t condition, uint32_t action,
                           uint32_t override) {
  if (action >= KPOL_ACTION_MAX) return ZX_ERR_NOT_SUPPORTED;
  if (!override_valid(override)) return ZX_ERR_INVALID_ARGS;
  if (condition >= ZX_POL_MAX || condition == ZX_POL_NEW_ANY) return ZX_ERR_INVALID_ARGS;
  bool lock = override == ZX_POL_OVERRIDE_DENY;
  if (!p->locked[condition]) {
    p->action[condition] = (uint8_t)action;
    p->locked[condition] = lock;
    return ZX_OK;
  }
  /* Locked: restating the same action without asking to unlock is fine; anything else is a
   * conflict, ignored in RELATIVE mode. */
  if (p->action[condition] == action && lock) return ZX_OK;
  return mode == ZX_JOB_POL_ABSOLUTE ? ZX_ERR_ALREADY_EXISTS : ZX_OK;
}

zx_status_t kpolicy_add_basic(struct kpolicy* p, uint32_t mode, const zx_policy_basic_v2_t* in,
                              size_t n) {
  if (n > ZX_POL_MAX) return ZX_ERR_OUT_OF_RANGE;
  struct kpolicy next = *p;
  bool new_any = false;
  uint32_t new_any_override = 0;
  for (size_t i = 0; i < n; i++) {
    zx_status_t s;
    if (in[i].condition == ZX_POL_NEW_ANY) {
      /* Each new-object condition is set as if with OVERRIDE_ALLOW (so a locked one conflicts
       * even when the action is the same); NEW_ANY's own flag is checked and applied to all of
       * them after the loop. */
      for (size_t k = 0; k < sizeof(new_object_conditions) / sizeof(new_object_conditions[0]);
           k++) {
        s = add_one(&next, mode, new_object_conditions[k], in[i].action, ZX_POL_OVERRIDE_ALLOW);
        if (s != ZX_OK) return s;
      }
      new_any = true;
      new_any_override = in[i].flags;
    } else {
      s = add_one(&next, mode, in[i].condition, in[i].action, in[i].flags);
      if (s != ZX_OK) return s;
    }
  }
  if (new_any) {
    if (!override_valid(new_any_override)) return ZX_ERR_INVALID_ARGS;
    /* Zircon sets the override bit of every new-object condition here, even of one whose
     * (locked) action a RELATIVE merge just left alone: NEW_ANY with OVERRIDE_ALLOW unlocks
     * them. Kept as the kernel does it. */
    for (size_t k = 0; k < sizeof(new_object_conditions) / sizeof(new_object_conditions[0]); k++)
      next.locked[new_object_conditions[k]] = new_any_override == ZX_POL_OVERRIDE_DENY;
  }
  *p = next;
  return ZX_OK;
}

zx_status_t kpolicy_set_timer_slack(struct kpolicy* p, const zx_policy_timer_slack_t* in) {
  if (in->min_slack < 0) return ZX_ERR_INVALID_ARGS;
  switch (in->default_mode) {
    case ZX_TIMER_SLACK_CENTER:
    case ZX_TIMER_SLACK_EARLY:
    case ZX_TIMER_SLACK_LATE:
      break;
    default:
      return ZX_ERR_INVALID_ARGS;
  }
  if (in->min_slack > p->slack_amount) p->slack_amount = in->min_slack;
  p->slack_mode = in->default_mode;
  return ZX_OK;
}

uint32_t kpolicy_query(const struct kpolicy* p, uint32_t condition) {
  if (condition >= ZX_POL_MAX || condition == ZX_POL_NEW_ANY) return ZX_POL_ACTION_DENY;
  return p->action[condition];
}

uint32_t kpolicy_query_override(const struct kpolicy* p, uint32_t condition) {
  if (condition >= ZX_POL_MAX || condition == ZX_POL_NEW_ANY) return ZX_POL_OVERRIDE_DENY;
  return p->locked[condition] ? ZX_POL_OVERRIDE_DENY : ZX_POL_OVERRIDE_ALLOW;
}

/* The ZX_EXCP_POLICY_CODE_* a condition raises (Zircon's kPolicyIdToPolicyException), and its
 * name for the console line. */
static const struct {
  uint32_t code;
  const char* name;
} exception_codes[ZX_POL_MAX] = {
    [ZX_POL_BAD_HANDLE] = {ZX_EXCP_POLICY_CODE_BAD_HANDLE, "BAD_HANDLE"},
    [ZX_POL_WRONG_OBJECT] = {ZX_EXCP_POLICY_CODE_WRONG_OBJECT, "WRONG_OBJECT"},
    [ZX_POL_VMAR_WX] = {ZX_EXCP_POLICY_CODE_VMAR_WX, "VMAR_WX"},
    [ZX_POL_NEW_ANY] = {ZX_EXCP_POLICY_CODE_NEW_ANY, "NEW_ANY"},
    [ZX_POL_NEW_VMO] = {ZX_EXCP_POLICY_CODE_NEW_VMO, "NEW_VMO"},
    [ZX_POL_NEW_CHANNEL] = {ZX_EXCP_POLICY_CODE_NEW_CHANNEL, "NEW_CHANNEL"},
    [ZX_POL_NEW_EVENT] = {ZX_EXCP_POLICY_CODE_NEW_EVENT, "NEW_EVENT"},
    [ZX_POL_NEW_EVENTPAIR] = {ZX_EXCP_POLICY_CODE_NEW_EVENTPAIR, "NEW_EVENTPAIR"},
    [ZX_POL_NEW_PORT] = {ZX_EXCP_POLICY_CODE_NEW_PORT, "NEW_PORT"},
    [ZX_POL_NEW_SOCKET] = {ZX_EXCP_POLICY_CODE_NEW_SOCKET, "NEW_SOCKET"},
    [ZX_POL_NEW_FIFO] = {ZX_EXCP_POLICY_CODE_NEW_FIFO, "NEW_FIFO"},
    [ZX_POL_NEW_TIMER] = {ZX_EXCP_POLICY_CODE_NEW_TIMER, "NEW_TIMER"},
    [ZX_POL_NEW_PROCESS] = {ZX_EXCP_POLICY_CODE_NEW_PROCESS, "NEW_PROCESS"},
    [ZX_POL_NEW_PROFILE] = {ZX_EXCP_POLICY_CODE_NEW_PROFILE, "NEW_PROFILE"},
    [ZX_POL_NEW_PAGER] = {ZX_EXCP_POLICY_CODE_NEW_PAGER, "NEW_PAGER"},
    [ZX_POL_AMBIENT_MARK_VMO_EXEC] = {ZX_EXCP_POLICY_CODE_AMBIENT_MARK_VMO_EXEC,
                                      "AMBIENT_MARK_VMO_EXEC"},
    [ZX_POL_NEW_IOB] = {ZX_EXCP_POLICY_CODE_NEW_IOB, "NEW_IOB"},
    [ZX_POL_NEW_SAMPLER] = {ZX_EXCP_POLICY_CODE_NEW_SAMPLER, "NEW_SAMPLER"},
};

static void console(const char* line) {
  if (platform && platform->debug_write) platform->debug_write(line, strlen(line));
}

int64_t kpolicy_enforce(struct kproc* caller, uint32_t condition) {
  uint32_t action = kpolicy_query(&caller->policy, condition);
  switch (action) {
    case ZX_POL_ACTION_ALLOW:
      return ZX_OK;
    case ZX_POL_ACTION_DENY:
      return ZX_ERR_ACCESS_DENIED;
    case ZX_POL_ACTION_ALLOW_EXCEPTION:
    case ZX_POL_ACTION_DENY_EXCEPTION: {
      /* Zircon raises ZX_EXCP_POLICY_ERROR (synth_code = the policy code) as the call returns,
       * having done (ALLOW_) or refused (DENY_) the work. Nobody can handle it here, and an
       * unhandled exception kills the process; whether the object was made first cannot be
       * observed once the process is gone, so zum kills before doing anything. */
      char line[160];
      snprintf(line, sizeof(line),
               "zum: process '%s' (koid %llu): unhandled policy exception "
               "ZX_EXCP_POLICY_CODE_%s (%u); killing it\n",
               caller->base.name, (unsigned long long)caller->base.koid,
               exception_codes[condition].name, exception_codes[condition].code);
      console(line);
      kproc_kill(caller, ZX_TASK_RETCODE_EXCEPTION_KILL);
      return KCALL_NOREPLY;
    }
    case ZX_POL_ACTION_KILL:
    default:
      kproc_kill(caller, ZX_TASK_RETCODE_POLICY_KILL);
      return KCALL_NOREPLY;
  }
}

/* Zircon's CanSetPolicy: a process's policy must never change, so none may exist below. */
static bool can_set(const struct kjob* j) {
  return list_empty(&j->children) && list_empty(&j->procs);
}

zx_status_t kjob_set_basic_policy(struct kjob* j, uint32_t mode, const zx_policy_basic_v2_t* in,
                                  size_t n) {
  if (!can_set(j)) return ZX_ERR_BAD_STATE;
  return kpolicy_add_basic(&j->policy, mode, in, n);
}

zx_status_t kjob_set_timer_slack_policy(struct kjob* j, const zx_policy_timer_slack_t* in) {
  if (!can_set(j)) return ZX_ERR_BAD_STATE;
  return kpolicy_set_timer_slack(&j->policy, in);
}

zx_duration_t kpolicy_timer_slack(const struct kproc* p) { return p->policy.slack_amount; }

zx_status_t kproc_set_critical(struct kproc* p, struct kjob* j, bool retcode_nonzero) {
  if (p->critical_to) return ZX_ERR_ALREADY_BOUND;
  struct kjob* a = p->job;
  while (a && a != j) a = a->parent;
  if (!a) return ZX_ERR_INVALID_ARGS; /* not p's job, nor an ancestor of it */
  kobj_ref(&j->base);
  p->critical_to = j;
  p->critical_retcode_nonzero = retcode_nonzero;
  return ZX_OK;
}

void kproc_critical_dead(struct kproc* p) {
  struct kjob* j = p->critical_to;
  if (!j) return;
  p->critical_to = NULL;
  if (!p->critical_retcode_nonzero || p->return_code != 0) {
    /* Zircon's kernel log says the same (JobDispatcher::CriticalProcessKill). */
    char line[200];
    snprintf(line, sizeof(line),
             "zum: critical process '%s' (koid %llu) died, killing job '%s' (koid %llu)\n",
             p->base.name, (unsigned long long)p->base.koid, j->base.name,
             (unsigned long long)j->base.koid);
    console(line);
    kjob_kill(j, ZX_TASK_RETCODE_CRITICAL_PROCESS_KILL);
  }
  kobj_unref(&j->base);
}
