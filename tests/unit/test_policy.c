/* Unit tests: job policies (zx_job_set_policy validation and merge rules, inheritance, every
 * enforced condition and action) and critical processes (zx_job_set_critical). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <zircon/processargs.h>
#include <zircon/syscalls/object.h>
#include <zircon/syscalls/policy.h>
#include <zum/abi-private.h>
#include <zum/sysno.h>
#include <zum/zum.h>

#include "kobj/handle.h"
#include "kobj/policy.h"
#include "kobj/sysutil.h"
#include "tests/unit/fake_host.h"

static struct kproc* P;
static struct kthread* T;

/* A host that counts kills, records the kernel console and spawns "/bin/helper". */
static int kills;
static char console[1024];
static void k_kill(void* host) { kills++; }
static const struct platform_proc_ops counting_ops = {
    .read = fake_mem_read, .write = fake_mem_write, .kill = k_kill};
static zx_status_t t_spawn(const char* path, char* const argv[], void** host,
                           const struct platform_proc_ops** ops) {
  if (strcmp(path, "/bin/helper") != 0) return ZX_ERR_NOT_FOUND;
  *host = NULL;
  *ops = &counting_ops;
  return ZX_OK;
}
static void t_debug_write(const char* buf, size_t len) {
  size_t have = strlen(console);
  if (len > sizeof(console) - 1 - have) len = sizeof(console) - 1 - have;
  memcpy(console + have, buf, len);
  console[have + len] = 0;
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
  test_platform.debug_write = t_debug_write;
  test_platform.random_fill = t_random;
  platform = &test_platform;
  kills = 0;
  console[0] = 0;
  zx_status_t s;
  P = kproc_create(kroot_job, "test", 4, NULL, &counting_ops, &s);
  T = fake_thread(P);
  return 0;
}

static int teardown(void** state) {
  fake_end(P, 0);
  return 0;
}

static struct kjob* job_of(zx_handle_t h) {
  struct khandle* kh = khandle_lookup(P->table, h);
  assert_non_null(kh);
  assert_int_equal(kh->obj->ops->type, ZX_OBJ_TYPE_JOB);
  return to_kjob(kh->obj);
}

/* A new child job of the root job, as a handle in P. */
static zx_handle_t new_job(void) {
  zx_handle_t root = fake_give(P, &kroot_job->base, ZX_DEFAULT_JOB_RIGHTS), j = 0;
  assert_int_equal(FAKE(T, job_create, root, 0, U(&j)), ZX_OK);
  assert_int_equal(FAKE(T, handle_close, root), ZX_OK);
  return j;
}

static struct kproc* new_proc(struct kjob* job) {
  zx_status_t s;
  struct kproc* p = kproc_create(job, "q", 1, NULL, &counting_ops, &s);
  assert_non_null(p);
  return p;
}

static int64_t set_v2(zx_handle_t j, uint32_t mode, const zx_policy_basic_v2_t* in, uint32_t n) {
  return FAKE(T, job_set_policy, j, mode, ZX_JOB_POL_BASIC_V2, U(in), n);
}

/* One condition with one action (v2, overridable below). */
static void set1(zx_handle_t j, uint32_t condition, uint32_t action) {
  zx_policy_basic_v2_t p = {condition, action, ZX_POL_OVERRIDE_ALLOW};
  assert_int_equal(set_v2(j, ZX_JOB_POL_ABSOLUTE, &p, 1), ZX_OK);
}

/* ---- zx_job_set_policy: arguments, in the kernel's order */

static void test_set_policy_args(void** state) {
  zx_handle_t j = new_job();
  struct kjob* kj = job_of(j);
  zx_policy_basic_v2_t ok = {ZX_POL_NEW_EVENT, ZX_POL_ACTION_DENY, ZX_POL_OVERRIDE_ALLOW};
  /* Topic first, then options, then the pointer and count, then the copy: all before the
   * handle is looked at. */
  assert_int_equal(FAKE(T, job_set_policy, 0x1233, 0, 2, U(&ok), 1), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, job_set_policy, 0x1233, 2, ZX_JOB_POL_BASIC_V2, U(&ok), 1),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, job_set_policy, 0x1233, 0, ZX_JOB_POL_BASIC_V2, 0, 1),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, job_set_policy, 0x1233, 0, ZX_JOB_POL_BASIC_V2, U(&ok), 0),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, job_set_policy, 0x1233, 0, ZX_JOB_POL_BASIC_V2, U(&ok), 33),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, job_set_policy, 0x1233, 0, ZX_JOB_POL_BASIC_V1, 8, 1),
                   ZX_ERR_INVALID_ARGS);
  /* Then the handle: BAD_HANDLE, WRONG_TYPE, ACCESS_DENIED (SET_POLICY). */
  assert_int_equal(FAKE(T, job_set_policy, 0x1233, 0, ZX_JOB_POL_BASIC_V2, U(&ok), 1),
                   ZX_ERR_BAD_HANDLE);
  zx_handle_t ph = fake_give(P, &P->base, ZX_DEFAULT_PROCESS_RIGHTS);
  assert_int_equal(FAKE(T, job_set_policy, ph, 0, ZX_JOB_POL_BASIC_V2, U(&ok), 1),
                   ZX_ERR_WRONG_TYPE);
  zx_handle_t weak = fake_give(P, &kj->base, ZX_DEFAULT_JOB_RIGHTS & ~ZX_RIGHT_SET_POLICY);
  assert_int_equal(FAKE(T, job_set_policy, weak, 0, ZX_JOB_POL_BASIC_V2, U(&ok), 1),
                   ZX_ERR_ACCESS_DENIED);
  assert_int_equal(kpolicy_query(&kj->policy, ZX_POL_NEW_EVENT), ZX_POL_ACTION_ALLOW);

  /* Then the records: more than ZX_POL_MAX (but at most 32) is OUT_OF_RANGE. */
  zx_policy_basic_v2_t many[32];
  for (int i = 0; i < 32; i++) many[i] = ok;
  assert_int_equal(set_v2(j, 0, many, ZX_POL_MAX + 1), ZX_ERR_OUT_OF_RANGE);
  assert_int_equal(set_v2(j, 0, many, 32), ZX_ERR_OUT_OF_RANGE);
  /* Per record: the action (NOT_SUPPORTED), then the override flag, then the condition. */
  zx_policy_basic_v2_t bad = {999, 5, 7};
  assert_int_equal(set_v2(j, 0, &bad, 1), ZX_ERR_NOT_SUPPORTED);
  bad.action = ZX_POL_ACTION_DENY;
  assert_int_equal(set_v2(j, 0, &bad, 1), ZX_ERR_INVALID_ARGS);
  bad.flags = ZX_POL_OVERRIDE_DENY;
  assert_int_equal(set_v2(j, 0, &bad, 1), ZX_ERR_INVALID_ARGS);
  bad.condition = ZX_POL_MAX;
  assert_int_equal(set_v2(j, 0, &bad, 1), ZX_ERR_INVALID_ARGS);
  /* NEW_ANY is valid; its own flag is checked after every record. */
  zx_policy_basic_v2_t any_bad[2] = {{ZX_POL_NEW_ANY, ZX_POL_ACTION_DENY, 2},
                                     {ZX_POL_NEW_EVENT, 9, 0}};
  assert_int_equal(set_v2(j, 0, any_bad, 2), ZX_ERR_NOT_SUPPORTED);
  assert_int_equal(set_v2(j, 0, any_bad, 1), ZX_ERR_INVALID_ARGS);
  /* A failure leaves the policy as it was, even for records before the bad one. */
  zx_policy_basic_v2_t half[2] = {ok, {ZX_POL_NEW_PORT, 5, 0}};
  assert_int_equal(set_v2(j, 0, half, 2), ZX_ERR_NOT_SUPPORTED);
  assert_int_equal(kpolicy_query(&kj->policy, ZX_POL_NEW_EVENT), ZX_POL_ACTION_ALLOW);
  /* WRONG_OBJECT and VMAR_WX can be set (Zircon stores them; no call enforces them). */
  zx_policy_basic_v2_t other[2] = {{ZX_POL_WRONG_OBJECT, ZX_POL_ACTION_KILL, 0},
                                   {ZX_POL_VMAR_WX, ZX_POL_ACTION_DENY, 0}};
  assert_int_equal(set_v2(j, 0, other, 2), ZX_OK);
  assert_int_equal(kpolicy_query(&kj->policy, ZX_POL_WRONG_OBJECT), ZX_POL_ACTION_KILL);
  /* v1 records: {condition, policy}, and nothing below may override them. */
  zx_policy_basic_v1_t v1[2] = {{ZX_POL_NEW_EVENT, ZX_POL_ACTION_DENY},
                                {ZX_POL_NEW_TIMER, ZX_POL_ACTION_KILL}};
  assert_int_equal(FAKE(T, job_set_policy, j, ZX_JOB_POL_RELATIVE, ZX_JOB_POL_BASIC_V1, U(v1), 2),
                   ZX_OK);
  assert_int_equal(kpolicy_query(&kj->policy, ZX_POL_NEW_EVENT), ZX_POL_ACTION_DENY);
  assert_int_equal(kpolicy_query(&kj->policy, ZX_POL_NEW_TIMER), ZX_POL_ACTION_KILL);
  assert_int_equal(kpolicy_query_override(&kj->policy, ZX_POL_NEW_EVENT), ZX_POL_OVERRIDE_DENY);
  assert_int_equal(kpolicy_query(&kj->policy, ZX_POL_NEW_CHANNEL), ZX_POL_ACTION_ALLOW);
  /* The root job's policy is untouched. */
  assert_int_equal(kpolicy_query(&kroot_job->policy, ZX_POL_NEW_EVENT), ZX_POL_ACTION_ALLOW);
  FAKE(T, handle_close, weak);
  FAKE(T, handle_close, ph);
  FAKE(T, handle_close, j);
}

/* Policy can only be set while the job has neither child jobs nor processes. */
static void test_set_policy_bad_state(void** state) {
  zx_handle_t j = new_job(), c = 0;
  struct kjob* kj = job_of(j);
  zx_policy_basic_v2_t p = {ZX_POL_NEW_EVENT, ZX_POL_ACTION_DENY, ZX_POL_OVERRIDE_ALLOW};
  zx_policy_timer_slack_t slack = {.min_slack = 10, .default_mode = ZX_TIMER_SLACK_LATE};
  assert_int_equal(FAKE(T, job_create, j, 0, U(&c)), ZX_OK);
  assert_int_equal(set_v2(j, 0, &p, 1), ZX_ERR_BAD_STATE);
  assert_int_equal(FAKE(T, job_set_policy, j, 0, ZX_JOB_POL_TIMER_SLACK, U(&slack), 1),
                   ZX_ERR_BAD_STATE);
  /* The child job leaves the tree with its last handle: allowed again. */
  assert_int_equal(FAKE(T, handle_close, c), ZX_OK);
  assert_int_equal(set_v2(j, 0, &p, 1), ZX_OK);
  struct kproc* q = new_proc(kj);
  assert_int_equal(set_v2(j, 0, &p, 1), ZX_ERR_BAD_STATE);
  fake_end(q, 0);
  assert_int_equal(set_v2(j, 0, &p, 1), ZX_OK);
  /* The root job always has children here. */
  zx_handle_t root = fake_give(P, &kroot_job->base, ZX_DEFAULT_JOB_RIGHTS);
  assert_int_equal(set_v2(root, 0, &p, 1), ZX_ERR_BAD_STATE);
  FAKE(T, handle_close, root);
  FAKE(T, handle_close, j);
}

static void test_timer_slack_policy(void** state) {
  zx_handle_t j = new_job();
  struct kjob* kj = job_of(j);
  zx_policy_timer_slack_t s = {.min_slack = 1000, .default_mode = ZX_TIMER_SLACK_EARLY};
  /* RELATIVE only, exactly one record, then the copy, the handle, and the values. */
  assert_int_equal(FAKE(T, job_set_policy, j, ZX_JOB_POL_ABSOLUTE, ZX_JOB_POL_TIMER_SLACK, U(&s),
                        1),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, job_set_policy, j, 0, ZX_JOB_POL_TIMER_SLACK, U(&s), 2),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, job_set_policy, 0x1233, 0, ZX_JOB_POL_TIMER_SLACK, 8, 1),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, job_set_policy, 0x1233, 0, ZX_JOB_POL_TIMER_SLACK, U(&s), 1),
                   ZX_ERR_BAD_HANDLE);
  zx_policy_timer_slack_t neg = {.min_slack = -1, .default_mode = 0};
  assert_int_equal(FAKE(T, job_set_policy, j, 0, ZX_JOB_POL_TIMER_SLACK, U(&neg), 1),
                   ZX_ERR_INVALID_ARGS);
  zx_policy_timer_slack_t mode = {.min_slack = 1, .default_mode = 3};
  assert_int_equal(FAKE(T, job_set_policy, j, 0, ZX_JOB_POL_TIMER_SLACK, U(&mode), 1),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, job_set_policy, j, 0, ZX_JOB_POL_TIMER_SLACK, U(&s), 1), ZX_OK);
  assert_int_equal(kj->policy.slack_amount, 1000);
  assert_int_equal(kj->policy.slack_mode, ZX_TIMER_SLACK_EARLY);
  /* The amount only grows; the mode is replaced. */
  zx_policy_timer_slack_t less = {.min_slack = 5, .default_mode = ZX_TIMER_SLACK_LATE};
  assert_int_equal(FAKE(T, job_set_policy, j, 0, ZX_JOB_POL_TIMER_SLACK, U(&less), 1), ZX_OK);
  assert_int_equal(kj->policy.slack_amount, 1000);
  assert_int_equal(kj->policy.slack_mode, ZX_TIMER_SLACK_LATE);

  /* A process in the job: its timers' slack is raised to the policy's. */
  struct kproc* q = new_proc(kj);
  struct kthread* tq = fake_thread(q);
  zx_handle_t t = 0;
  assert_int_equal(FAKE(tq, timer_create, 0, ZX_CLOCK_MONOTONIC, U(&t)), ZX_OK);
  assert_int_equal(FAKE(tq, timer_set, t, INT64_MAX, 10), ZX_OK);
  zx_info_timer_t info;
  memset(&info, 0, sizeof(info));
  assert_int_equal(FAKE(tq, object_get_info, t, ZX_INFO_TIMER, U(&info), sizeof(info), 0, 0),
                   ZX_OK);
  assert_int_equal(info.slack, 1000);
  assert_int_equal(FAKE(tq, timer_set, t, INT64_MAX, 5000), ZX_OK);
  assert_int_equal(FAKE(tq, object_get_info, t, ZX_INFO_TIMER, U(&info), sizeof(info), 0, 0),
                   ZX_OK);
  assert_int_equal(info.slack, 5000);
  /* A timer outside the job keeps its own slack. */
  zx_handle_t t2 = 0;
  assert_int_equal(FAKE(T, timer_create, 0, ZX_CLOCK_MONOTONIC, U(&t2)), ZX_OK);
  assert_int_equal(FAKE(T, timer_set, t2, INT64_MAX, 10), ZX_OK);
  assert_int_equal(FAKE(T, object_get_info, t2, ZX_INFO_TIMER, U(&info), sizeof(info), 0, 0),
                   ZX_OK);
  assert_int_equal(info.slack, 10);
  FAKE(T, handle_close, t2);
  fake_end(q, 0);
  FAKE(T, handle_close, j);
}

/* ---- merge rules (JobPolicy::AddBasicPolicy) */

static void test_merge_rules(void** state) {
  struct kpolicy p;
  memset(&p, 0, sizeof(p));
  /* Overridable entries can be changed at will, in both modes. */
  zx_policy_basic_v2_t a = {ZX_POL_NEW_VMO, ZX_POL_ACTION_DENY, ZX_POL_OVERRIDE_ALLOW};
  assert_int_equal(kpolicy_add_basic(&p, ZX_JOB_POL_ABSOLUTE, &a, 1), ZX_OK);
  a.action = ZX_POL_ACTION_KILL;
  assert_int_equal(kpolicy_add_basic(&p, ZX_JOB_POL_ABSOLUTE, &a, 1), ZX_OK);
  assert_int_equal(kpolicy_query(&p, ZX_POL_NEW_VMO), ZX_POL_ACTION_KILL);
  /* Locking it (OVERRIDE_DENY) is a change too. */
  a.flags = ZX_POL_OVERRIDE_DENY;
  assert_int_equal(kpolicy_add_basic(&p, ZX_JOB_POL_ABSOLUTE, &a, 1), ZX_OK);
  assert_int_equal(kpolicy_query_override(&p, ZX_POL_NEW_VMO), ZX_POL_OVERRIDE_DENY);
  /* Locked: restating the same action with OVERRIDE_DENY is fine in both modes ... */
  assert_int_equal(kpolicy_add_basic(&p, ZX_JOB_POL_ABSOLUTE, &a, 1), ZX_OK);
  assert_int_equal(kpolicy_add_basic(&p, ZX_JOB_POL_RELATIVE, &a, 1), ZX_OK);
  /* ... a different action is ignored (RELATIVE) or refused (ABSOLUTE) ... */
  zx_policy_basic_v2_t b = {ZX_POL_NEW_VMO, ZX_POL_ACTION_ALLOW, ZX_POL_OVERRIDE_DENY};
  assert_int_equal(kpolicy_add_basic(&p, ZX_JOB_POL_RELATIVE, &b, 1), ZX_OK);
  assert_int_equal(kpolicy_query(&p, ZX_POL_NEW_VMO), ZX_POL_ACTION_KILL);
  assert_int_equal(kpolicy_add_basic(&p, ZX_JOB_POL_ABSOLUTE, &b, 1), ZX_ERR_ALREADY_EXISTS);
  /* ... and so is unlocking, even with the same action. */
  a.flags = ZX_POL_OVERRIDE_ALLOW;
  assert_int_equal(kpolicy_add_basic(&p, ZX_JOB_POL_ABSOLUTE, &a, 1), ZX_ERR_ALREADY_EXISTS);
  assert_int_equal(kpolicy_add_basic(&p, ZX_JOB_POL_RELATIVE, &a, 1), ZX_OK);
  assert_int_equal(kpolicy_query_override(&p, ZX_POL_NEW_VMO), ZX_POL_OVERRIDE_DENY);
  /* ABSOLUTE fails as a whole: an earlier record of the same call is not applied. */
  zx_policy_basic_v2_t two[2] = {{ZX_POL_NEW_PORT, ZX_POL_ACTION_DENY, 0}, b};
  assert_int_equal(kpolicy_add_basic(&p, ZX_JOB_POL_ABSOLUTE, two, 2), ZX_ERR_ALREADY_EXISTS);
  assert_int_equal(kpolicy_query(&p, ZX_POL_NEW_PORT), ZX_POL_ACTION_ALLOW);
  assert_int_equal(kpolicy_add_basic(&p, ZX_JOB_POL_RELATIVE, two, 2), ZX_OK);
  assert_int_equal(kpolicy_query(&p, ZX_POL_NEW_PORT), ZX_POL_ACTION_DENY);
  /* Queries of NEW_ANY or past the end say DENY / not overridable. */
  assert_int_equal(kpolicy_query(&p, ZX_POL_NEW_ANY), ZX_POL_ACTION_DENY);
  assert_int_equal(kpolicy_query(&p, ZX_POL_MAX), ZX_POL_ACTION_DENY);
  assert_int_equal(kpolicy_query_override(&p, ZX_POL_NEW_ANY), ZX_POL_OVERRIDE_DENY);
}

static void test_new_any(void** state) {
  static const uint32_t new_objects[] = {
      ZX_POL_NEW_VMO,     ZX_POL_NEW_CHANNEL, ZX_POL_NEW_EVENT, ZX_POL_NEW_EVENTPAIR,
      ZX_POL_NEW_PORT,    ZX_POL_NEW_SOCKET,  ZX_POL_NEW_FIFO,  ZX_POL_NEW_TIMER,
      ZX_POL_NEW_PROCESS, ZX_POL_NEW_PROFILE, ZX_POL_NEW_PAGER, ZX_POL_NEW_IOB,
      ZX_POL_NEW_SAMPLER};
  for (uint32_t ov = 0; ov < 2; ov++) {
    struct kpolicy p;
    memset(&p, 0, sizeof(p));
    zx_policy_basic_v2_t any = {ZX_POL_NEW_ANY, ZX_POL_ACTION_DENY, ov};
    assert_int_equal(kpolicy_add_basic(&p, ZX_JOB_POL_ABSOLUTE, &any, 1), ZX_OK);
    for (size_t i = 0; i < sizeof(new_objects) / sizeof(new_objects[0]); i++) {
      assert_int_equal(kpolicy_query(&p, new_objects[i]), ZX_POL_ACTION_DENY);
      assert_int_equal(kpolicy_query_override(&p, new_objects[i]), ov);
    }
    /* The other conditions are not "new object" ones. */
    assert_int_equal(kpolicy_query(&p, ZX_POL_BAD_HANDLE), ZX_POL_ACTION_ALLOW);
    assert_int_equal(kpolicy_query(&p, ZX_POL_WRONG_OBJECT), ZX_POL_ACTION_ALLOW);
    assert_int_equal(kpolicy_query(&p, ZX_POL_VMAR_WX), ZX_POL_ACTION_ALLOW);
    assert_int_equal(kpolicy_query(&p, ZX_POL_AMBIENT_MARK_VMO_EXEC), ZX_POL_ACTION_ALLOW);
  }
  /* Zircon's own sequence: repeated NEW_ANY DENY (v1, locked), then a conflicting pair in
   * RELATIVE mode keeps DENY. */
  struct kpolicy p;
  memset(&p, 0, sizeof(p));
  zx_policy_basic_v2_t rep[2] = {{ZX_POL_NEW_ANY, ZX_POL_ACTION_DENY, ZX_POL_OVERRIDE_DENY},
                                 {ZX_POL_NEW_ANY, ZX_POL_ACTION_DENY, ZX_POL_OVERRIDE_DENY}};
  assert_int_equal(kpolicy_add_basic(&p, ZX_JOB_POL_RELATIVE, rep, 2), ZX_OK);
  assert_int_equal(kpolicy_query(&p, ZX_POL_NEW_TIMER), ZX_POL_ACTION_DENY);
  zx_policy_basic_v2_t conf[2] = {{ZX_POL_NEW_ANY, ZX_POL_ACTION_DENY, ZX_POL_OVERRIDE_DENY},
                                  {ZX_POL_NEW_ANY, ZX_POL_ACTION_ALLOW, ZX_POL_OVERRIDE_DENY}};
  assert_int_equal(kpolicy_add_basic(&p, ZX_JOB_POL_RELATIVE, conf, 2), ZX_OK);
  assert_int_equal(kpolicy_query(&p, ZX_POL_NEW_FIFO), ZX_POL_ACTION_DENY);
  /* NEW_ANY sets each condition as if overridable, so over a locked one even the same action
   * conflicts in ABSOLUTE mode. */
  assert_int_equal(kpolicy_add_basic(&p, ZX_JOB_POL_ABSOLUTE, rep, 1), ZX_ERR_ALREADY_EXISTS);
  /* Kernel quirk kept: NEW_ANY with OVERRIDE_ALLOW in RELATIVE mode leaves the locked actions
   * but unlocks them. */
  zx_policy_basic_v2_t unlock = {ZX_POL_NEW_ANY, ZX_POL_ACTION_ALLOW, ZX_POL_OVERRIDE_ALLOW};
  assert_int_equal(kpolicy_add_basic(&p, ZX_JOB_POL_RELATIVE, &unlock, 1), ZX_OK);
  assert_int_equal(kpolicy_query(&p, ZX_POL_NEW_VMO), ZX_POL_ACTION_DENY);
  assert_int_equal(kpolicy_query_override(&p, ZX_POL_NEW_VMO), ZX_POL_OVERRIDE_ALLOW);
  /* A later specific record in the same call wins over NEW_ANY's action. */
  memset(&p, 0, sizeof(p));
  zx_policy_basic_v2_t mix[2] = {{ZX_POL_NEW_ANY, ZX_POL_ACTION_DENY, ZX_POL_OVERRIDE_ALLOW},
                                 {ZX_POL_NEW_EVENT, ZX_POL_ACTION_ALLOW, ZX_POL_OVERRIDE_ALLOW}};
  assert_int_equal(kpolicy_add_basic(&p, ZX_JOB_POL_ABSOLUTE, mix, 2), ZX_OK);
  assert_int_equal(kpolicy_query(&p, ZX_POL_NEW_EVENT), ZX_POL_ACTION_ALLOW);
  assert_int_equal(kpolicy_query(&p, ZX_POL_NEW_PORT), ZX_POL_ACTION_DENY);
}

/* ---- inheritance */

static void test_inheritance(void** state) {
  zx_handle_t j = new_job();
  struct kjob* kj = job_of(j);
  zx_policy_basic_v2_t p[2] = {{ZX_POL_NEW_EVENT, ZX_POL_ACTION_DENY, ZX_POL_OVERRIDE_DENY},
                               {ZX_POL_NEW_PORT, ZX_POL_ACTION_DENY, ZX_POL_OVERRIDE_ALLOW}};
  assert_int_equal(set_v2(j, ZX_JOB_POL_ABSOLUTE, p, 2), ZX_OK);
  /* A child job made later starts with the parent's policy. */
  zx_handle_t c = 0;
  assert_int_equal(FAKE(T, job_create, j, 0, U(&c)), ZX_OK);
  struct kjob* kc = job_of(c);
  assert_int_equal(kpolicy_query(&kc->policy, ZX_POL_NEW_EVENT), ZX_POL_ACTION_DENY);
  assert_int_equal(kpolicy_query(&kc->policy, ZX_POL_NEW_PORT), ZX_POL_ACTION_DENY);
  /* The child may relax what the parent left overridable, not what it locked. */
  zx_policy_basic_v2_t relax[2] = {{ZX_POL_NEW_PORT, ZX_POL_ACTION_ALLOW, 0},
                                   {ZX_POL_NEW_EVENT, ZX_POL_ACTION_ALLOW, 0}};
  assert_int_equal(set_v2(c, ZX_JOB_POL_ABSOLUTE, relax, 2), ZX_ERR_ALREADY_EXISTS);
  assert_int_equal(set_v2(c, ZX_JOB_POL_RELATIVE, relax, 2), ZX_OK);
  assert_int_equal(kpolicy_query(&kc->policy, ZX_POL_NEW_PORT), ZX_POL_ACTION_ALLOW);
  assert_int_equal(kpolicy_query(&kc->policy, ZX_POL_NEW_EVENT), ZX_POL_ACTION_DENY);
  /* ... and it does not change the parent. */
  assert_int_equal(kpolicy_query(&kj->policy, ZX_POL_NEW_PORT), ZX_POL_ACTION_DENY);
  /* A process copies its job's policy when it is made; the processes enforce their copy. */
  struct kproc* q = new_proc(kc);
  struct kthread* tq = fake_thread(q);
  assert_memory_equal(&q->policy, &kc->policy, sizeof(q->policy));
  zx_handle_t h = 0;
  assert_int_equal(FAKE(tq, event_create, 0, U(&h)), ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(tq, port_create, 0, U(&h)), ZX_OK);
  FAKE(tq, handle_close, h);
  /* The creator's own policy is what counts, not the job a new object would end up in: P (root
   * policy) makes events freely. */
  assert_int_equal(FAKE(T, event_create, 0, U(&h)), ZX_OK);
  FAKE(T, handle_close, h);
  fake_end(q, 0);
  FAKE(T, handle_close, c);
  FAKE(T, handle_close, j);
}

/* ---- enforcement: every condition zum checks, at Zircon's point in each call */

struct denied {
  struct kproc* q;
  struct kthread* t;
  zx_handle_t job;
};

/* A process in a fresh job whose policy gives `action` for `condition`. */
static struct denied in_job_with(uint32_t condition, uint32_t action) {
  struct denied d;
  d.job = new_job();
  set1(d.job, condition, action);
  d.q = new_proc(job_of(d.job));
  d.t = fake_thread(d.q);
  return d;
}

static void end_denied(struct denied* d) {
  fake_end(d->q, 0);
  FAKE(T, handle_close, d->job);
}

static void test_enforce_deny(void** state) {
  uint32_t live = khandle_live_count();
  zx_handle_t a = 0, b = 0;
  struct denied d;

  d = in_job_with(ZX_POL_NEW_EVENT, ZX_POL_ACTION_DENY);
  assert_int_equal(FAKE(d.t, event_create, 1, U(&a)), ZX_ERR_INVALID_ARGS); /* options first */
  assert_int_equal(FAKE(d.t, event_create, 0, U(&a)), ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(d.t, eventpair_create, 0, U(&a), U(&b)), ZX_OK); /* only events */
  FAKE(d.t, handle_close, a);
  FAKE(d.t, handle_close, b);
  end_denied(&d);

  d = in_job_with(ZX_POL_NEW_EVENTPAIR, ZX_POL_ACTION_DENY);
  assert_int_equal(FAKE(d.t, eventpair_create, 1, U(&a), U(&b)), ZX_ERR_NOT_SUPPORTED);
  assert_int_equal(FAKE(d.t, eventpair_create, 0, U(&a), U(&b)), ZX_ERR_ACCESS_DENIED);
  end_denied(&d);

  d = in_job_with(ZX_POL_NEW_CHANNEL, ZX_POL_ACTION_DENY);
  assert_int_equal(FAKE(d.t, channel_create, 1, U(&a), U(&b)), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(d.t, channel_create, 0, U(&a), U(&b)), ZX_ERR_ACCESS_DENIED);
  end_denied(&d);

  d = in_job_with(ZX_POL_NEW_PORT, ZX_POL_ACTION_DENY);
  assert_int_equal(FAKE(d.t, port_create, 0x55, U(&a)), ZX_ERR_ACCESS_DENIED); /* policy first */
  assert_int_equal(FAKE(d.t, port_create, 0, U(&a)), ZX_ERR_ACCESS_DENIED);
  end_denied(&d);

  d = in_job_with(ZX_POL_NEW_TIMER, ZX_POL_ACTION_DENY);
  assert_int_equal(FAKE(d.t, timer_create, 0, 77, U(&a)), ZX_ERR_INVALID_ARGS); /* clock first */
  assert_int_equal(FAKE(d.t, timer_create, 9, ZX_CLOCK_MONOTONIC, U(&a)), ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(d.t, timer_create, 0, ZX_CLOCK_MONOTONIC, U(&a)), ZX_ERR_ACCESS_DENIED);
  end_denied(&d);

  d = in_job_with(ZX_POL_NEW_VMO, ZX_POL_ACTION_DENY);
  assert_int_equal(FAKE(d.t, vmo_create, 4096, 0xffff, U(&a)), ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(d.t, vmo_create, 4096, 0, U(&a)), ZX_ERR_ACCESS_DENIED);
  end_denied(&d);

  /* process_create: the caller's policy, right after the options, before the name and the job
   * handle (a NULL name would otherwise be INVALID_ARGS, a bad job BAD_HANDLE). */
  d = in_job_with(ZX_POL_NEW_PROCESS, ZX_POL_ACTION_DENY);
  assert_int_equal(FAKE(d.t, process_create, 0x1233, 0, 0, 7, U(&a), U(&b)),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(d.t, process_create, 0x1233, 0, 0, 0, U(&a), U(&b)),
                   ZX_ERR_ACCESS_DENIED);
  /* Denied even into a job whose own policy would allow it (the root job). */
  zx_handle_t root = fake_give(d.q, &kroot_job->base, ZX_DEFAULT_JOB_RIGHTS);
  assert_int_equal(FAKE(d.t, process_create, root, U("x"), 1, 0, U(&a), U(&b)),
                   ZX_ERR_ACCESS_DENIED);
  end_denied(&d);
  /* Allowed, the call goes on to the name (and fails there). */
  assert_int_equal(FAKE(T, process_create, 0x1233, 0, 0, 0, U(&a), U(&b)), ZX_ERR_INVALID_ARGS);

  /* NEW_ANY covers them all. */
  d = in_job_with(ZX_POL_NEW_ANY, ZX_POL_ACTION_DENY);
  assert_int_equal(FAKE(d.t, event_create, 0, U(&a)), ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(d.t, eventpair_create, 0, U(&a), U(&b)), ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(d.t, channel_create, 0, U(&a), U(&b)), ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(d.t, port_create, 0, U(&a)), ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(d.t, timer_create, 0, ZX_CLOCK_MONOTONIC, U(&a)), ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(d.t, vmo_create, 4096, 0, U(&a)), ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(d.t, process_create, 0x1233, 0, 0, 0, U(&a), U(&b)),
                   ZX_ERR_ACCESS_DENIED);
  /* ... but not job creation, which Zircon never checks. */
  zx_handle_t dj = fake_give(d.q, &job_of(d.job)->base, ZX_DEFAULT_JOB_RIGHTS);
  assert_int_equal(FAKE(d.t, job_create, dj, 0, U(&a)), ZX_OK);
  FAKE(d.t, handle_close, a);
  FAKE(d.t, handle_close, dj);
  assert_int_equal(kills, 0);
  end_denied(&d);
  /* Nothing was made, nothing leaked. */
  assert_int_equal(khandle_live_count(), live);
}

static int count_procs(struct kjob* j) {
  int n = 0;
  struct list_node* pos;
  list_for_each(pos, &j->procs) n++;
  return n;
}

/* Spaces for the spawn arguments that copy_string reads in aligned chunks. */
static char spawn_path[64] __attribute__((aligned(64))) = "/bin/helper";

static zx_status_t spawn(struct kthread* t, zx_handle_t job, const zx_handle_t* hs, uint32_t n,
                         zx_handle_t* out) {
  static const uint64_t argv[1] = {0};
  static uint32_t infos[4] = {PA_HND(PA_USER0, 0), PA_HND(PA_USER0, 1), 0, 0};
  zum_spawn_args_t a = {
      .path = U(spawn_path),
      .argv = U(argv),
      .handles = U(hs),
      .handle_info = U(infos),
      .num_handles = n,
  };
  return (zx_status_t)FAKE(t, spawn, job, U(&a), U(out));
}

/* zum_spawn makes a process too: NEW_PROCESS applies, once the startup handles are taken. */
static void test_enforce_spawn(void** state) {
  uint32_t live = khandle_live_count();
  struct denied d = in_job_with(ZX_POL_NEW_PROCESS, ZX_POL_ACTION_DENY);
  zx_handle_t jh = fake_give(d.q, &job_of(d.job)->base, ZX_DEFAULT_JOB_RIGHTS);
  zx_handle_t e = 0, child = 0;
  assert_int_equal(FAKE(d.t, event_create, 0, U(&e)), ZX_OK);
  assert_int_equal(spawn(d.t, jh, &e, 1, &child), ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(d.t, handle_close, e), ZX_ERR_BAD_HANDLE); /* consumed */
  assert_int_equal(count_procs(job_of(d.job)), 1); /* only d.q: no child was made */
  FAKE(d.t, handle_close, jh);
  end_denied(&d);
  /* Allowed: the child is made, with its job's policy. */
  d = in_job_with(ZX_POL_NEW_CHANNEL, ZX_POL_ACTION_DENY);
  jh = fake_give(P, &job_of(d.job)->base, ZX_DEFAULT_JOB_RIGHTS);
  assert_int_equal(spawn(T, jh, NULL, 0, &child), ZX_OK);
  struct khandle* ch = khandle_lookup(P->table, child);
  assert_non_null(ch);
  struct kproc* kc = to_kproc(ch->obj);
  assert_int_equal(kpolicy_query(&kc->policy, ZX_POL_NEW_CHANNEL), ZX_POL_ACTION_DENY);
  fake_end(kc, 0); /* the host's reference goes with the death it reports */
  FAKE(T, handle_close, child);
  FAKE(T, handle_close, jh);
  end_denied(&d);
  assert_int_equal(khandle_live_count(), live);
}

/* ZX_POL_AMBIENT_MARK_VMO_EXEC decides replace_as_executable without a vmex resource; the VMO
 * handle is consumed first in every case. */
static void test_ambient_mark_vmo_exec(void** state) {
  uint32_t live = khandle_live_count();
  zx_handle_t v = 0, x = 0;
  struct denied d = in_job_with(ZX_POL_AMBIENT_MARK_VMO_EXEC, ZX_POL_ACTION_DENY);
  assert_int_equal(FAKE(d.t, vmo_create, 4096, 0, U(&v)), ZX_OK);
  assert_int_equal(FAKE(d.t, vmo_replace_as_executable, v, 0, U(&x)), ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(d.t, handle_close, v), ZX_ERR_BAD_HANDLE); /* consumed */
  /* A bad handle is still BAD_HANDLE, and a non-VMO one too. */
  assert_int_equal(FAKE(d.t, vmo_replace_as_executable, 0x1233, 0, U(&x)), ZX_ERR_BAD_HANDLE);
  zx_handle_t e = 0;
  assert_int_equal(FAKE(d.t, event_create, 0, U(&e)), ZX_OK);
  assert_int_equal(FAKE(d.t, vmo_replace_as_executable, e, 0, U(&x)), ZX_ERR_BAD_HANDLE);
  assert_int_equal(FAKE(d.t, handle_close, e), ZX_ERR_BAD_HANDLE);
  /* The policy says nothing about a vmex handle: that is looked up instead. */
  assert_int_equal(FAKE(d.t, vmo_create, 4096, 0, U(&v)), ZX_OK);
  assert_int_equal(FAKE(d.t, vmo_replace_as_executable, v, 0x1233, U(&x)), ZX_ERR_BAD_HANDLE);
  assert_int_equal(FAKE(d.t, handle_close, v), ZX_ERR_BAD_HANDLE);
  end_denied(&d);
  /* Allowed (the root job's policy): the new handle has EXECUTE. */
  assert_int_equal(FAKE(T, vmo_create, 4096, 0, U(&v)), ZX_OK);
  assert_int_equal(FAKE(T, vmo_replace_as_executable, v, 0, U(&x)), ZX_OK);
  assert_int_equal(khandle_lookup(P->table, x)->rights, ZX_DEFAULT_VMO_RIGHTS | ZX_RIGHT_EXECUTE);
  FAKE(T, handle_close, x);
  /* KILL: no answer, the caller dies. */
  d = in_job_with(ZX_POL_AMBIENT_MARK_VMO_EXEC, ZX_POL_ACTION_KILL);
  assert_int_equal(FAKE(d.t, vmo_create, 4096, 0, U(&v)), ZX_OK);
  assert_true(FAKE(d.t, vmo_replace_as_executable, v, 0, U(&x)) == KCALL_NOREPLY);
  assert_int_equal(d.q->state, KPROC_DYING);
  assert_int_equal(d.q->return_code, ZX_TASK_RETCODE_POLICY_KILL);
  end_denied(&d);
  assert_int_equal(khandle_live_count(), live);
}

/* KILL and the two exception actions end the caller; the call gets no answer. */
static void test_enforce_kill_and_exceptions(void** state) {
  uint32_t live = khandle_live_count();
  zx_handle_t a = 0, b = 0;
  struct denied d = in_job_with(ZX_POL_NEW_CHANNEL, ZX_POL_ACTION_KILL);
  struct kthread* t2 = fake_thread(d.q);
  /* Another thread of the process is blocked: its call is abandoned by the kill. */
  struct kcall* parked;
  uint64_t sargs[] = {INT64_MAX};
  assert_true(fake_run(t2, ZUM_SYS_nanosleep, sargs, 1, &parked) == KCALL_PARKED);
  assert_true(FAKE(d.t, channel_create, 0, U(&a), U(&b)) == KCALL_NOREPLY);
  assert_int_equal(kills, 1);
  assert_true(fake_completed(parked, NULL));
  assert_int_equal(d.q->state, KPROC_DYING);
  assert_int_equal(d.q->return_code, ZX_TASK_RETCODE_POLICY_KILL);
  assert_int_equal(d.q->table->count, 0); /* no channel was made */
  assert_string_equal(console, "");
  end_denied(&d);

  uint32_t actions[2] = {ZX_POL_ACTION_ALLOW_EXCEPTION, ZX_POL_ACTION_DENY_EXCEPTION};
  for (int i = 0; i < 2; i++) {
    kills = 0;
    console[0] = 0;
    d = in_job_with(ZX_POL_NEW_EVENT, actions[i]);
    assert_true(FAKE(d.t, event_create, 0, U(&a)) == KCALL_NOREPLY);
    assert_int_equal(kills, 1);
    assert_int_equal(d.q->state, KPROC_DYING);
    assert_int_equal(d.q->return_code, ZX_TASK_RETCODE_EXCEPTION_KILL);
    assert_non_null(strstr(console, "ZX_EXCP_POLICY_CODE_NEW_EVENT"));
    end_denied(&d);
  }
  /* A kill is final: the return code stays POLICY_KILL when the Linux process is reaped. */
  d = in_job_with(ZX_POL_NEW_TIMER, ZX_POL_ACTION_KILL);
  assert_true(FAKE(d.t, timer_create, 0, ZX_CLOCK_MONOTONIC, U(&a)) == KCALL_NOREPLY);
  kproc_on_exit(d.q, ZX_TASK_RETCODE_EXCEPTION_KILL);
  assert_int_equal(d.q->return_code, ZX_TASK_RETCODE_POLICY_KILL);
  end_denied(&d);
  assert_int_equal(khandle_live_count(), live);
}

/* ZX_POL_BAD_HANDLE: applied on every failed handle lookup, except zx_handle_close of
 * ZX_HANDLE_INVALID and ZX_INFO_HANDLE_VALID. ALLOW and DENY both just give BAD_HANDLE. */
static void test_bad_handle(void** state) {
  zx_handle_t e = 0;
  struct denied d = in_job_with(ZX_POL_BAD_HANDLE, ZX_POL_ACTION_DENY);
  assert_int_equal(FAKE(d.t, handle_close, 0x1233), ZX_ERR_BAD_HANDLE);
  assert_int_equal(FAKE(d.t, object_signal, 0x1233, 0, 0), ZX_ERR_BAD_HANDLE);
  assert_int_equal(kills, 0);
  end_denied(&d);

  d = in_job_with(ZX_POL_BAD_HANDLE, ZX_POL_ACTION_KILL);
  assert_int_equal(FAKE(d.t, handle_close, ZX_HANDLE_INVALID), ZX_OK);
  assert_int_equal(FAKE(d.t, object_get_info, 0x1233, ZX_INFO_HANDLE_VALID, 0, 0, 0, 0),
                   ZX_ERR_BAD_HANDLE);
  assert_int_equal(FAKE(d.t, event_create, 0, U(&e)), ZX_OK);
  assert_int_equal(FAKE(d.t, object_signal, e, 0, ZX_USER_SIGNAL_0), ZX_OK);
  assert_int_equal(kills, 0);
  assert_int_equal(d.q->state, KPROC_RUNNING);
  /* A bad value in any other lookup kills. The status is still returned (nobody sees it). */
  assert_int_equal(FAKE(d.t, object_signal, 0x1233, 0, 0), ZX_ERR_BAD_HANDLE);
  assert_int_equal(kills, 1);
  assert_int_equal(d.q->state, KPROC_DYING);
  assert_int_equal(d.q->return_code, ZX_TASK_RETCODE_POLICY_KILL);
  end_denied(&d);

  kills = 0;
  d = in_job_with(ZX_POL_BAD_HANDLE, ZX_POL_ACTION_ALLOW_EXCEPTION);
  assert_int_equal(FAKE(d.t, handle_close, 0x1233), ZX_ERR_BAD_HANDLE);
  assert_int_equal(d.q->return_code, ZX_TASK_RETCODE_EXCEPTION_KILL);
  assert_non_null(strstr(console, "ZX_EXCP_POLICY_CODE_BAD_HANDLE"));
  end_denied(&d);
}

/* ---- zx_job_set_critical */

static void test_set_critical_args(void** state) {
  zx_handle_t j = new_job(), other = new_job(), c = 0;
  assert_int_equal(FAKE(T, job_create, j, 0, U(&c)), ZX_OK);
  struct kproc* q = new_proc(job_of(c));
  zx_handle_t qh = fake_give(P, &q->base, ZX_DEFAULT_PROCESS_RIGHTS);
  /* Options first, then the job (DESTROY), then the process (WAIT). */
  assert_int_equal(FAKE(T, job_set_critical, 0x1233, 2, 0x1233), ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, job_set_critical, 0x1233, 0, qh), ZX_ERR_BAD_HANDLE);
  assert_int_equal(FAKE(T, job_set_critical, qh, 0, qh), ZX_ERR_WRONG_TYPE);
  zx_handle_t jweak = fake_give(P, &job_of(j)->base, ZX_DEFAULT_JOB_RIGHTS & ~ZX_RIGHT_DESTROY);
  assert_int_equal(FAKE(T, job_set_critical, jweak, 0, qh), ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(T, job_set_critical, j, 0, 0x1233), ZX_ERR_BAD_HANDLE);
  assert_int_equal(FAKE(T, job_set_critical, j, 0, j), ZX_ERR_WRONG_TYPE);
  zx_handle_t qweak = fake_give(P, &q->base, ZX_DEFAULT_PROCESS_RIGHTS & ~ZX_RIGHT_WAIT);
  assert_int_equal(FAKE(T, job_set_critical, j, 0, qweak), ZX_ERR_ACCESS_DENIED);
  /* The job must be the process's job or an ancestor of it. */
  assert_int_equal(FAKE(T, job_set_critical, other, 0, qh), ZX_ERR_INVALID_ARGS);
  assert_null(q->critical_to);
  /* An ancestor is fine; a second time is ALREADY_BOUND, even for another job. */
  assert_int_equal(FAKE(T, job_set_critical, j, ZX_JOB_CRITICAL_PROCESS_RETCODE_NONZERO, qh),
                   ZX_OK);
  assert_ptr_equal(q->critical_to, job_of(j));
  assert_true(q->critical_retcode_nonzero);
  assert_int_equal(FAKE(T, job_set_critical, c, 0, qh), ZX_ERR_ALREADY_BOUND);
  /* A clean exit with RETCODE_NONZERO leaves the job alone. */
  fake_end(q, 0);
  assert_false(job_of(j)->base.signals & ZX_JOB_TERMINATED);
  assert_int_equal(job_of(j)->state, KJOB_ALIVE);
  FAKE(T, handle_close, qweak);
  FAKE(T, handle_close, jweak);
  FAKE(T, handle_close, qh);
  FAKE(T, handle_close, c);
  FAKE(T, handle_close, other);
  FAKE(T, handle_close, j);
}

static void test_critical_kill(void** state) {
  /* j > c; q and r run in c, s in j. q is critical to j. */
  zx_handle_t j = new_job(), c = 0;
  assert_int_equal(FAKE(T, job_create, j, 0, U(&c)), ZX_OK);
  struct kjob *kj = job_of(j), *kc = job_of(c);
  struct kproc* q = new_proc(kc);
  struct kproc* r = new_proc(kc);
  struct kproc* s = new_proc(kj);
  zx_handle_t qh = fake_give(P, &q->base, ZX_DEFAULT_PROCESS_RIGHTS);
  assert_int_equal(FAKE(T, job_set_critical, j, 0, qh), ZX_OK);
  /* Without RETCODE_NONZERO any death counts, even a clean exit. */
  kproc_on_exit(q, 0);
  assert_int_equal(kj->state, KJOB_KILLING);
  assert_int_equal(kj->return_code, ZX_TASK_RETCODE_CRITICAL_PROCESS_KILL);
  assert_int_equal(kc->return_code, ZX_TASK_RETCODE_CRITICAL_PROCESS_KILL);
  assert_int_equal(r->state, KPROC_DYING);
  assert_int_equal(r->return_code, ZX_TASK_RETCODE_CRITICAL_PROCESS_KILL);
  assert_int_equal(s->return_code, ZX_TASK_RETCODE_CRITICAL_PROCESS_KILL);
  assert_int_equal(q->return_code, 0); /* the critical process keeps its own code */
  assert_non_null(strstr(console, "critical process"));
  assert_null(q->critical_to); /* the job's reference is dropped */
  fake_end(r, ZX_TASK_RETCODE_EXCEPTION_KILL);
  fake_end(s, ZX_TASK_RETCODE_EXCEPTION_KILL);
  assert_true(kj->base.signals & ZX_JOB_TERMINATED);
  kobj_unref(&q->base);
  FAKE(T, handle_close, qh);
  FAKE(T, handle_close, c);
  FAKE(T, handle_close, j);

  /* RETCODE_NONZERO: a nonzero code (a kill counts) takes the job down. */
  j = new_job();
  kj = job_of(j);
  q = new_proc(kj);
  r = new_proc(kj);
  qh = fake_give(P, &q->base, ZX_DEFAULT_PROCESS_RIGHTS);
  assert_int_equal(FAKE(T, job_set_critical, j, ZX_JOB_CRITICAL_PROCESS_RETCODE_NONZERO, qh),
                   ZX_OK);
  assert_int_equal(FAKE(T, task_kill, qh), ZX_OK);
  assert_int_equal(kj->state, KJOB_ALIVE); /* not dead yet: the Linux process is still there */
  kproc_on_exit(q, ZX_TASK_RETCODE_EXCEPTION_KILL);
  assert_int_equal(kj->state, KJOB_KILLING);
  assert_int_equal(r->return_code, ZX_TASK_RETCODE_CRITICAL_PROCESS_KILL);
  fake_end(r, ZX_TASK_RETCODE_EXCEPTION_KILL);
  kobj_unref(&q->base);
  FAKE(T, handle_close, qh);
  FAKE(T, handle_close, j);

  /* A process that is the job's last: the job dies too, already empty; nothing breaks when the
   * job has no handle left either. */
  j = new_job();
  kj = job_of(j);
  kobj_ref(&kj->base);
  q = new_proc(kj);
  qh = fake_give(P, &q->base, ZX_DEFAULT_PROCESS_RIGHTS);
  assert_int_equal(FAKE(T, job_set_critical, j, 0, qh), ZX_OK);
  FAKE(T, handle_close, j);
  fake_end(q, 3);
  assert_int_equal(kj->state, KJOB_DEAD);
  assert_int_equal(kj->return_code, ZX_TASK_RETCODE_CRITICAL_PROCESS_KILL);
  kobj_unref(&kj->base);
  FAKE(T, handle_close, qh);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_set_policy_args, setup, teardown),
      cmocka_unit_test_setup_teardown(test_set_policy_bad_state, setup, teardown),
      cmocka_unit_test_setup_teardown(test_timer_slack_policy, setup, teardown),
      cmocka_unit_test_setup_teardown(test_merge_rules, setup, teardown),
      cmocka_unit_test_setup_teardown(test_new_any, setup, teardown),
      cmocka_unit_test_setup_teardown(test_inheritance, setup, teardown),
      cmocka_unit_test_setup_teardown(test_enforce_deny, setup, teardown),
      cmocka_unit_test_setup_teardown(test_enforce_spawn, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ambient_mark_vmo_exec, setup, teardown),
      cmocka_unit_test_setup_teardown(test_enforce_kill_and_exceptions, setup, teardown),
      cmocka_unit_test_setup_teardown(test_bad_handle, setup, teardown),
      cmocka_unit_test_setup_teardown(test_set_critical_args, setup, teardown),
      cmocka_unit_test_setup_teardown(test_critical_kill, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
